/* SPDX-License-Identifier: MIT */
/*
 * Support for uvrx's own cmocka tests: leak-checking teardown, the
 * failing allocator, the allocation-failure sweep and shared user
 * functions.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "rx_test.h"

/* ---- stress cases ------------------------------------------------------ */

bool
rx_stress_skipped(void)
{
    const char *v = getenv("UVRX_SKIP_STRESS");

    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* ---- failing allocator ------------------------------------------------ */

/* The counters are atomic because a scenario may allocate on pool worker
 * threads; which allocation is "number n" is then only as deterministic
 * as the threads are, but every run still fails at most as armed. */
static atomic_long fault_count;   /* allocations since arming */
static atomic_long fault_at;      /* which one fails; 0 for none */
static atomic_bool fault_forever; /* every one after it fails too */
static atomic_bool fault_hit;

static bool
should_fail(void)
{
    long n = atomic_fetch_add(&fault_count, 1) + 1;
    long at = atomic_load(&fault_at);

    if (at > 0 && (n == at || (atomic_load(&fault_forever) && n > at))) {
        atomic_store(&fault_hit, true);
        return true;
    }
    return false;
}

static void *
fault_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return should_fail() ? NULL : malloc(size);
}

static void *
fault_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    return should_fail() ? NULL : realloc(ptr, size);
}

static void
fault_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

void
rx_fault_arm(long n, bool forever)
{
    rx_allocator a = {fault_malloc, fault_realloc, fault_free, NULL};

    atomic_store(&fault_count, 0);
    atomic_store(&fault_at, n);
    atomic_store(&fault_forever, forever);
    atomic_store(&fault_hit, false);
    assert_int_equal(rx_set_allocator(&a), 0);
}

bool
rx_fault_triggered(void)
{
    return atomic_load(&fault_hit);
}

long
rx_fault_armed_at(void)
{
    return atomic_load(&fault_at);
}

bool
rx_fault_forever(void)
{
    return atomic_load(&fault_forever);
}

void
rx_fault_disarm(void)
{
    atomic_store(&fault_at, 0);
    rx_set_allocator(NULL);
}

/* ---- counting allocator ----------------------------------------------- */

static atomic_long count_mallocs;
static atomic_long count_frees;

static void *
count_malloc(size_t size, void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&count_mallocs, 1);
    return malloc(size);
}

static void *
count_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    if (ptr == NULL) {
        atomic_fetch_add(&count_mallocs, 1);
    }
    return realloc(ptr, size);
}

static void
count_free(void *ptr, void *ctx)
{
    (void)ctx;
    if (ptr != NULL) {
        atomic_fetch_add(&count_frees, 1);
    }
    free(ptr);
}

int
rx_count_allocs_install(void)
{
    rx_allocator a = {count_malloc, count_realloc, count_free, NULL};

    atomic_store(&count_mallocs, 0);
    atomic_store(&count_frees, 0);
    return rx_set_allocator(&a);
}

long
rx_count_mallocs(void)
{
    return atomic_load(&count_mallocs);
}

long
rx_count_frees(void)
{
    return atomic_load(&count_frees);
}

bool
rx_oom_long_mode(void)
{
    const char *e = getenv("UVRX_OOM_LONG");

    return e != NULL && e[0] != '\0' && strcmp(e, "0") != 0;
}

/* A fresh pipeline after an injected failure: range, map, filter, scan
 * and take, and a timer on a new virtual scheduler, must give exactly
 * their values and free everything. Catches global state (thread-local
 * errors, registries, the allocator) left broken by a failure path. */
static void
oom_canary(void)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o;
    rx_test_observer *t;

    assert_non_null(vs);
    o = rx_merge(
        rx_take(rx_scan(rx_filter(rx_map(rx_range(1, 6), rx_t_times10, NULL),
                                  rx_t_is_even, NULL),
                        rx_t_sum, NULL),
                4),
        rx_map(rx_timer(5, vs), rx_t_plus1, NULL));
    assert_non_null(o);
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(vs);
    assert_rx_ints(t, 10, 30, 60, 100, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
    if (rx_live_objects() != 0) {
        fail_msg("the fresh pipeline after a failure leaked %lld objects",
                 (long long)rx_live_objects());
    }
}

long
rx_oom_sweep_stats(void (*scenario)(bool failed, void *ctx), void *ctx,
                   rx_oom_stats *stats)
{
    rx_oom_stats st = {0};
    bool recheck = rx_oom_long_mode();

    for (int mode = 0; mode < 2; mode++) {
        for (long n = 1; n < 100000; n++) {
            bool hit;
            rx_fault_arm(n, mode == 1);
            scenario(true, ctx);
            hit = rx_fault_triggered();
            atomic_store(&fault_at, 0); /* stop failing before checking */
            st.runs++;
            if (rx_live_objects() != 0) {
                fail_msg("allocation %ld failing (%s) leaked %lld objects", n,
                         mode == 1 ? "forever" : "once",
                         (long long)rx_live_objects());
            }
            rx_fault_disarm();
            if (!hit) {
                break; /* this run never failed: every point covered */
            }
            st.points[mode]++;
            oom_canary();
            if (recheck) {
                scenario(false, ctx); /* the same pipeline, fresh */
            }
        }
    }
    /* A final clean run must succeed as the scenario expects. */
    scenario(false, ctx);
    if (stats != NULL) {
        *stats = st;
    }
    return st.runs;
}

long
rx_oom_sweep(void (*scenario)(bool failed, void *ctx), void *ctx)
{
    return rx_oom_sweep_stats(scenario, ctx, NULL);
}

/* ---- undeliverable capture -------------------------------------------- */

static int undeliverable_n;
static int undeliverable_code;

static void
capture(const rx_error *err, void *ctx)
{
    (void)ctx;
    undeliverable_n++;
    undeliverable_code = rx_error_code(err);
}

void
rx_capture_undeliverable(void)
{
    undeliverable_n = 0;
    undeliverable_code = 0;
    rx_set_undeliverable_handler(capture, NULL);
}

int
rx_undeliverable_count(int *last_code)
{
    int n = undeliverable_n;

    if (last_code != NULL) {
        *last_code = undeliverable_code;
    }
    undeliverable_n = 0;
    return n;
}

/* ---- teardown --------------------------------------------------------- */

int
rx_cm_teardown(void **state)
{
    int64_t live;

    (void)state;
    atomic_store(&fault_at, 0);
    rx_shutdown();
    live = rx_live_objects();
    rx_set_undeliverable_handler(NULL, NULL);
    if (live != 0) {
        fprintf(stderr, "leak: %lld uvrx objects still alive after the test\n",
                (long long)live);
        return -1;
    }
    rx_set_allocator(NULL);
    return 0;
}

/* ---- shared user functions -------------------------------------------- */

rx_value
rx_t_times10(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * 10);
}

rx_value
rx_t_plus1(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) + 1);
}

bool
rx_t_is_even(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 2 == 0;
}

rx_value
rx_t_sum(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

rx_value
rx_t_fail_at(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "user function failed at %lld",
                            (long long)rx_as_int(v));
        return rx_nil();
    }
    return rx_value_retain(v);
}

bool
rx_t_pred_fail_at(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "predicate failed at %lld",
                            (long long)rx_as_int(v));
        return false;
    }
    return rx_as_int(v) % 2 == 0;
}

/* ---- threads ------------------------------------------------------- */

static void
cancel_thread(void *arg)
{
    rx_cancel(arg);
}

void
rx_cancel_from_other_thread(rx_subscription *sub)
{
    uv_thread_t tid;

    assert_int_equal(uv_thread_create(&tid, cancel_thread, sub), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
}
