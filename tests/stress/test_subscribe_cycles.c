/* SPDX-License-Identifier: MIT */
/*
 * Leak checks in libuv's manner (issue 6, item 5): a million subscribe /
 * dispose cycles on one subject and on one interval (virtual scheduler)
 * must not grow memory. After every cycle uvrx's live-object count is back
 * at its value before the loop (the subject, or the interval and its
 * scheduler with the task queue the first cycle gives it), the subject has no
 * subscriber left and the virtual scheduler no pending task; and the process
 * heap as glibc reports it (mallinfo2) does not grow between a warm-up and the
 * end of the run. Labelled `stress` (tests/stress/), so the valgrind lane
 * leaves it out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "rx_test.h"

#define CYCLES 1000000
#define WARM_UP 10000
/* Heap growth allowed between the warm-up and the end: a leak of even one
 * byte per cycle would be ~1 MB. The slack absorbs allocator bookkeeping
 * that does not scale with the cycle count. */
#define HEAP_SLACK (64 * 1024)

/* Bytes the process holds in malloc'd blocks, or -1 when unknown. */
static long long
heap_in_use(void)
{
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return (long long)mi.uordblks + (long long)mi.hblkhd;
#else
    return -1;
#endif
}

/* What one subscriber saw. */
struct seen {
    int64_t items;
    int64_t last;
    int terminals;
};

static void
seen_next(rx_value v, void *ctx)
{
    struct seen *s = ctx;

    s->items++;
    s->last = rx_as_int(v);
}

static void
seen_error(const rx_error *err, void *ctx)
{
    (void)err;
    ((struct seen *)ctx)->terminals++;
}

static void
seen_complete(void *ctx)
{
    ((struct seen *)ctx)->terminals++;
}

/* Checks the heap did not grow between `warm` and now. */
static void
assert_heap_flat(long long warm)
{
    long long now = heap_in_use();

    if (warm < 0 || now < 0) {
        return; /* not glibc: rx_live_objects() alone has to do */
    }
    if (now > warm + HEAP_SLACK) {
        fail_msg("heap grew from %lld to %lld bytes over %d cycles", warm, now,
                 CYCLES - WARM_UP);
    }
}

static void
test_a_million_subscribe_dispose_cycles_on_a_subject_do_not_grow(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *obs = rx_subject_observable(s);
    struct seen seen = {0};
    const rx_observer o = {.on_next = seen_next,
                           .on_error = seen_error,
                           .on_complete = seen_complete,
                           .ctx = &seen};
    int64_t base;
    long long warm = -1;

    (void)state;
    assert_non_null(obs);
    base = rx_live_objects();
    for (int64_t i = 0; i < CYCLES; i++) {
        rx_subscription *sub = NULL;

        if (i == WARM_UP) {
            warm = heap_in_use();
        }
        assert_int_equal(rx_subscribe(obs, &o, &sub), 0);
        assert_int_equal(rx_subject_subscriber_count(s), 1);
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
        rx_dispose(sub);
        if (rx_subject_subscriber_count(s) != 0 || rx_live_objects() != base) {
            fail_msg("cycle %lld: %zu subscribers, %lld live objects "
                     "(expected 0 and %lld)",
                     (long long)i, rx_subject_subscriber_count(s),
                     (long long)rx_live_objects(), (long long)base);
        }
    }
    assert_heap_flat(warm);
    assert_int_equal(seen.items, CYCLES);
    assert_int_equal(seen.last, CYCLES - 1);
    assert_int_equal(seen.terminals, 0);
    rx_observable_release(obs);
    rx_subject_release(s);
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_a_million_subscribe_dispose_cycles_on_an_interval_do_not_grow(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = rx_interval(1, vs);
    struct seen seen = {0};
    const rx_observer o = {.on_next = seen_next,
                           .on_error = seen_error,
                           .on_complete = seen_complete,
                           .ctx = &seen};
    int64_t base;
    long long warm = -1;

    (void)state;
    assert_non_null(obs);
    base = rx_live_objects();
    for (int64_t i = 0; i < CYCLES; i++) {
        rx_subscription *sub = NULL;

        if (i == WARM_UP) {
            warm = heap_in_use();
        }
        assert_int_equal(rx_subscribe(obs, &o, &sub), 0);
        assert_int_equal(rx_virtual_pending(vs), 1);
        rx_virtual_advance_by(vs, 1); /* one tick: item 0 of this cycle */
        rx_dispose(sub);
        if (i == 0) {
            /* The first task scheduled allocates the virtual scheduler's
             * task queue, which it keeps: one object more, for good. */
            assert_int_equal(rx_live_objects(), base + 1);
            base = rx_live_objects();
        }
        if (rx_virtual_pending(vs) != 0 || rx_live_objects() != base) {
            fail_msg("cycle %lld: %zu pending tasks, %lld live objects "
                     "(expected 0 and %lld)",
                     (long long)i, rx_virtual_pending(vs),
                     (long long)rx_live_objects(), (long long)base);
        }
    }
    assert_heap_flat(warm);
    assert_int_equal(seen.items, CYCLES);
    assert_int_equal(seen.last, 0); /* every cycle restarts the counter */
    assert_int_equal(seen.terminals, 0);
    assert_int_equal(rx_scheduler_now(vs), CYCLES);
    rx_observable_release(obs);
    rx_scheduler_release(vs);
    assert_int_equal(rx_live_objects(), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_a_million_subscribe_dispose_cycles_on_a_subject_do_not_grow),
        rx_unit_test(
            test_a_million_subscribe_dispose_cycles_on_an_interval_do_not_grow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
