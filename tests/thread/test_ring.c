/* SPDX-License-Identifier: MIT */
/*
 * The single-producer/single-consumer ring (src/ring.c): capacity,
 * batched publication, the empty -> non-empty wake-up report, and two
 * threads moving a million items through it, exact in count and order
 * (run under ThreadSanitizer in CI). A lost wake-up would hang the
 * threaded tests: the consumer sleeps on a semaphore that only a reported
 * wake-up posts.
 */
#include <sched.h>
#include <stdio.h>

#include "hop_test.h"
#include "rx-ring.h"

static void
test_ring_rounds_its_capacity_up_to_a_power_of_two(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 5), 0);
    assert_int_equal(rx__ring_capacity(&r), 8);
    rx__ring_fini(&r);
    assert_int_equal(rx__ring_init(&r, 8), 0);
    assert_int_equal(rx__ring_capacity(&r), 8);
    rx__ring_fini(&r);
    assert_int_equal(rx__ring_init(&r, 0), RX_EINVAL);
    rx__ring_fini(&r); /* harmless on a failed init */
}

static void
test_ring_refuses_items_when_full_and_frees_slots_on_commit(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 4), 0);
    for (int i = 0; i < 4; i++) {
        assert_true(rx__ring_write(&r, rx_int(i)));
    }
    assert_false(rx__ring_write(&r, rx_int(4)));
    assert_int_equal(rx__ring_space(&r, 1), 0);
    rx__ring_publish(&r);
    assert_int_equal(rx__ring_avail(&r), 4);
    assert_int_equal(rx_as_int(rx__ring_take(&r)), 0);
    assert_int_equal(rx_as_int(rx__ring_take(&r)), 1);
    /* Taken but not committed: the producer cannot reuse the slots. */
    assert_int_equal(rx__ring_space(&r, 1), 0);
    rx__ring_commit(&r);
    assert_int_equal(rx__ring_space(&r, 1), 2);
    assert_int_equal(rx__ring_push(&r, rx_int(4)), RX__RING_PUSHED);
    assert_int_equal(rx__ring_push(&r, rx_int(5)), RX__RING_PUSHED);
    assert_int_equal(rx__ring_push(&r, rx_int(6)), RX__RING_FULL);
    for (int i = 2; i < 6; i++) {
        assert_true(rx__ring_avail(&r) > 0);
        assert_int_equal(rx_as_int(rx__ring_take(&r)), i);
    }
    assert_int_equal(rx__ring_avail(&r), 0);
    rx__ring_fini(&r);
}

static void
test_ring_items_are_invisible_until_published(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 8), 0);
    assert_true(rx__ring_write(&r, rx_int(1)));
    assert_true(rx__ring_write(&r, rx_int(2)));
    assert_int_equal(rx__ring_avail(&r), 0);
    assert_false(rx__ring_publish(&r)); /* nobody asleep */
    assert_int_equal(rx__ring_avail(&r), 2);
    rx__ring_fini(&r);
}

static void
test_ring_reports_a_wake_up_only_after_the_consumer_slept(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 8), 0);
    /* The consumer found it empty and went to sleep. */
    assert_true(rx__ring_sleep(&r));
    assert_true(rx__ring_sleep(&r)); /* asleep already */
    assert_int_equal(rx__ring_push(&r, rx_int(1)), RX__RING_WAKE);
    /* Awake now (the wake-up cleared the mark): no second report. */
    assert_int_equal(rx__ring_push(&r, rx_int(2)), RX__RING_PUSHED);
    /* Not empty: the consumer cannot sleep. */
    assert_false(rx__ring_sleep(&r));
    assert_int_equal(rx__ring_avail(&r), 2);
    rx__ring_take(&r);
    rx__ring_take(&r);
    assert_true(rx__ring_sleep(&r));
    /* A publication of nothing new still reports the sleeper. */
    assert_true(rx__ring_publish(&r));
    assert_false(rx__ring_publish(&r));
    rx__ring_fini(&r);
}

static void
test_ring_fini_releases_what_it_still_holds(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 4), 0);
    assert_int_equal(rx__ring_push(&r, rx_str("published")), RX__RING_PUSHED);
    assert_true(rx__ring_write(&r, rx_str("written only")));
    assert_true(rx_live_objects() > 0);
    rx__ring_fini(&r);
    assert_int_equal(rx_live_objects(), 0);
}

/* ---- two threads ------------------------------------------------------ */

#define MANY 1000000

struct duo {
    rx__ring ring;
    uv_sem_t wake; /* posted by the producer when the ring reports one */
    int64_t n;
    bool heap; /* strings instead of integers */
    int64_t received;
    bool order_ok;
    long wakes;
    long sleeps;
    bool
        write_failed; /* the producer's check (no cmocka off the main thread) */
};

static void
duo_producer(void *arg)
{
    struct duo *d = arg;
    int64_t i = 0;
    size_t batch = 1;

    while (i < d->n) {
        /* Batches of 1 to 37 items, one publication each. */
        size_t want = batch;
        size_t room;
        batch = batch % 37 + 1;
        while ((room = rx__ring_space(&d->ring, 1)) == 0) {
            sched_yield(); /* waits for the consumer to commit */
        }
        if (want > room) {
            want = room;
        }
        for (size_t k = 0; k < want && i < d->n; k++, i++) {
            char buf[32];
            rx_value v = rx_int(i);
            if (d->heap) {
                snprintf(buf, sizeof buf, "%lld", (long long)i);
                v = rx_str(buf);
            }
            if (!rx__ring_write(&d->ring, v)) {
                d->write_failed = true;
                rx_value_release(v);
            }
        }
        if (rx__ring_publish(&d->ring)) {
            d->wakes++;
            uv_sem_post(&d->wake);
        }
    }
}

static void
duo_consume(struct duo *d)
{
    d->order_ok = true;
    while (d->received < d->n) {
        size_t avail = rx__ring_avail(&d->ring);
        if (avail == 0) {
            if (rx__ring_sleep(&d->ring)) {
                d->sleeps++;
                uv_sem_wait(&d->wake);
            }
            continue;
        }
        while (avail-- > 0) {
            rx_value v = rx__ring_take(&d->ring);
            if (d->heap) {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", (long long)d->received);
                d->order_ok &= strcmp(rx_str_cstr(v), buf) == 0;
            } else {
                d->order_ok &= rx_as_int(v) == d->received;
            }
            rx_value_release(v);
            d->received++;
        }
        rx__ring_commit(&d->ring); /* once per pass */
    }
}

static void
run_duo(int64_t n, size_t capacity, bool heap)
{
    struct duo d;
    uv_thread_t tid;

    memset(&d, 0, sizeof d);
    d.n = n;
    d.heap = heap;
    assert_int_equal(rx__ring_init(&d.ring, capacity), 0);
    assert_int_equal(uv_sem_init(&d.wake, 0), 0);
    assert_int_equal(uv_thread_create(&tid, duo_producer, &d), 0);
    duo_consume(&d);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_false(d.write_failed);
    assert_int_equal(d.received, n);
    assert_true(d.order_ok);
    /* Every sleep was ended by exactly one reported wake-up. */
    assert_int_equal(d.wakes, d.sleeps);
    assert_int_equal(rx__ring_avail(&d.ring), 0);
    rx__ring_fini(&d.ring);
    uv_sem_destroy(&d.wake);
}

static void
test_ring_moves_a_million_items_between_threads_exactly_in_order(void **state)
{
    (void)state;
    run_duo(MANY, 128, false);
}

static void
test_ring_with_a_tiny_capacity_still_loses_no_wake_up(void **state)
{
    (void)state;
    run_duo(MANY / 10, 2, false);
}

static void
test_ring_hands_heap_values_across_threads(void **state)
{
    (void)state;
    run_duo(20000, 64, true);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_ring_rounds_its_capacity_up_to_a_power_of_two),
        rx_unit_test(
            test_ring_refuses_items_when_full_and_frees_slots_on_commit),
        rx_unit_test(test_ring_items_are_invisible_until_published),
        rx_unit_test(test_ring_reports_a_wake_up_only_after_the_consumer_slept),
        rx_unit_test(test_ring_fini_releases_what_it_still_holds),
        rx_unit_test(
            test_ring_moves_a_million_items_between_threads_exactly_in_order),
        rx_unit_test(test_ring_with_a_tiny_capacity_still_loses_no_wake_up),
        rx_unit_test(test_ring_hands_heap_values_across_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
