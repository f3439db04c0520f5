/* SPDX-License-Identifier: MIT */
/*
 * The allocator's per-thread count and small-block cache (src/alloc.c):
 * rx_live_objects() stays exact when objects are made on one thread and
 * freed on another, when threads that allocated have exited, and around
 * reused blocks; a custom allocator installed after blocks were cached
 * sees every allocation and every free, as fault injection needs.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include <uv.h>

#include "rx_test.h"

enum { N = 200 };

static rx_observable *made[N];

static void
make_all(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        made[i] = rx_range(i, 3);
    }
}

static void
release_all(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        rx_observable_release(made[i]);
        made[i] = NULL;
    }
}

/* Makes and frees many small objects, filling its cache, then exits. */
static void
churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10 * N; i++) {
        rx_observable_release(rx_range(i, 1));
    }
}

static void
run_on_thread(void (*fn)(void *))
{
    uv_thread_t tid;

    assert_int_equal(uv_thread_create(&tid, fn, NULL), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
}

static void
test_reused_blocks_count_as_live(void **state)
{
    int64_t before = rx_live_objects();

    (void)state;
    for (int round = 0; round < 3; round++) {
        make_all(NULL);
        assert_int_equal(rx_live_objects(), before + N);
        release_all(NULL);
        assert_int_equal(rx_live_objects(), before);
    }
}

static void
test_made_here_freed_on_another_thread(void **state)
{
    int64_t before = rx_live_objects();

    (void)state;
    make_all(NULL);
    assert_int_equal(rx_live_objects(), before + N);
    run_on_thread(release_all);
    assert_int_equal(rx_live_objects(), before);
}

static void
test_made_on_another_thread_freed_here(void **state)
{
    int64_t before = rx_live_objects();

    (void)state;
    run_on_thread(make_all); /* that thread has exited now */
    assert_int_equal(rx_live_objects(), before + N);
    for (int i = 0; i < N; i++) {
        assert_non_null(made[i]);
    }
    release_all(NULL);
    assert_int_equal(rx_live_objects(), before);
}

static void
test_threads_that_churned_and_exited_leave_nothing(void **state)
{
    int64_t before = rx_live_objects();

    (void)state;
    for (int i = 0; i < 4; i++) {
        run_on_thread(churn);
    }
    assert_int_equal(rx_live_objects(), before);
}

/* ---- a custom allocator after blocks were cached ---------------------- */

static void
test_custom_allocator_sees_every_allocation(void **state)
{
    (void)state;
    churn(NULL); /* this thread's cache holds blocks now */
    assert_int_equal(rx_count_allocs_install(), 0);
    for (int i = 0; i < 10; i++) {
        rx_observable_release(rx_range(i, 1));
    }
    assert_int_equal(rx_count_mallocs(), 10);
    assert_int_equal(rx_count_frees(), 10);
    assert_int_equal(rx_set_allocator(NULL), 0);
    /* Blocks of the custom allocator never reach the cache: with the
     * standard one back, freeing them went to the counting free above. */
    churn(NULL);
    assert_int_equal(rx_count_frees(), 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_reused_blocks_count_as_live),
        rx_unit_test(test_made_here_freed_on_another_thread),
        rx_unit_test(test_made_on_another_thread_freed_here),
        rx_unit_test(test_threads_that_churned_and_exited_leave_nothing),
        rx_unit_test(test_custom_allocator_sees_every_allocation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
