/* SPDX-License-Identifier: MIT */
/*
 * Support for uvrx's own cmocka tests: leak-checking teardown, the
 * failing allocator, the allocation-failure sweep and shared user
 * functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

/* ---- failing allocator ------------------------------------------------ */

static long fault_count;   /* allocations since arming */
static long fault_at;      /* which one fails; 0 for none */
static bool fault_forever; /* every one after it fails too */
static bool fault_hit;

static bool
should_fail(void)
{
    fault_count++;
    if (fault_at > 0 && (fault_count == fault_at ||
                         (fault_forever && fault_count > fault_at))) {
        fault_hit = true;
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

    fault_count = 0;
    fault_at = n;
    fault_forever = forever;
    fault_hit = false;
    assert_int_equal(rx_set_allocator(&a), 0);
}

bool
rx_fault_triggered(void)
{
    return fault_hit;
}

void
rx_fault_disarm(void)
{
    fault_at = 0;
    rx_set_allocator(NULL);
}

long
rx_oom_sweep(void (*scenario)(bool failed, void *ctx), void *ctx)
{
    long runs = 0;

    for (int mode = 0; mode < 2; mode++) {
        for (long n = 1; n < 100000; n++) {
            bool hit;
            rx_fault_arm(n, mode == 1);
            scenario(true, ctx);
            hit = rx_fault_triggered();
            fault_at = 0; /* stop failing before checking */
            runs++;
            if (rx_live_objects() != 0) {
                fail_msg("allocation %ld failing (%s) leaked %lld objects", n,
                         mode == 1 ? "forever" : "once",
                         (long long)rx_live_objects());
            }
            rx_fault_disarm();
            if (!hit) {
                break; /* this run never failed: every point covered */
            }
        }
    }
    /* A final clean run must succeed as the scenario expects. */
    scenario(false, ctx);
    return runs;
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
    fault_at = 0;
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
