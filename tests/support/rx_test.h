/* SPDX-License-Identifier: MIT */
/*
 * The cmocka adapter for uvrx's own tests: assertion macros over the
 * testkit's checks, a teardown that fails a test which leaks, and an
 * allocator that fails on demand for allocation-failure sweeps.
 *
 * Include order in a test file: <stdarg.h>, <stddef.h>, <stdint.h>,
 * <setjmp.h>, <cmocka.h>, then this header.
 */
#ifndef UVRX_TESTS_RX_TEST_H
#define UVRX_TESTS_RX_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <uvrx.h>
#include <uvrx/testkit.h>

/* Number of int64_t arguments in a macro's variadic list. */
#define RX_NARGS_I64(...)                                                      \
    (sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* Items were exactly these integers, in order (at least one). */
#define assert_rx_ints(t, ...)                                                 \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_ints((t), (const int64_t[]){__VA_ARGS__},           \
                                RX_NARGS_I64(__VA_ARGS__), why_,               \
                                sizeof why_)) {                                \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* No item arrived. */
#define assert_rx_no_items(t)                                                  \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_ints((t), NULL, 0, why_, sizeof why_)) {            \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* Exactly one on_complete, no error, protocol held. */
#define assert_rx_completed(t)                                                 \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_completed((t), why_, sizeof why_)) {                \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* Exactly one on_error with this code, no completion, protocol held. */
#define assert_rx_error(t, code)                                               \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_error((t), (code), why_, sizeof why_)) {            \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* No terminal signal yet, protocol held. */
#define assert_rx_no_terminal(t)                                               \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_no_terminal((t), why_, sizeof why_)) {              \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* Running `obs` on the virtual scheduler `vs` from now on gives exactly
 * the marble diagram `expected` (rx_test_check_marbles). */
#define assert_rx_marbles(vs, obs, expected, values, n)                        \
    do {                                                                       \
        char why_[2048];                                                       \
        if (!rx_test_check_marbles((vs), (obs), (expected), (values), (n),     \
                                   why_, sizeof why_)) {                       \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* The test source's subscription log is exactly `expected`, one
 * subscription per line (rx_test_check_subscriptions). */
#define assert_rx_subs(src, expected)                                          \
    do {                                                                       \
        char why_[2048];                                                       \
        if (!rx_test_check_subscriptions((src), (expected), why_,              \
                                         sizeof why_)) {                       \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* A constructor failed with this code and a message naming `fn`. */
#define assert_rx_fails(expr, code, fn)                                        \
    do {                                                                       \
        rx_observable *o_ = (expr);                                            \
        assert_null(o_);                                                       \
        assert_int_equal(rx_last_error(), (code));                             \
        assert_non_null(strstr(rx_last_error_message(), (fn)));                \
    } while (0)

/* Teardown for every test: fails when uvrx objects are still alive, and
 * puts the default allocator and undeliverable handler back. */
int rx_cm_teardown(void **state);

/* Wraps a test function with rx_cm_teardown. */
#define rx_unit_test(f) cmocka_unit_test_teardown(f, rx_cm_teardown)

/* ---- stress cases ---------------------------------------------------- */

/* True when UVRX_SKIP_STRESS is set to a non-empty value other than "0"
 * (scripts/valgrind.sh sets it). */
bool rx_stress_skipped(void);

/* First statement of a heavy case inside an ordinary test file (the
 * 100 MiB TCP transfer, a million request(1) round trips): skips it under
 * valgrind. Files made only of such cases go to tests/stress/ instead. */
#define rx_skip_if_stress()                                                    \
    do {                                                                       \
        if (rx_stress_skipped()) {                                             \
            skip();                                                            \
        }                                                                      \
    } while (0)

/* ---- allocation failure injection ---------------------------------- */

/* Installs the counting allocator: allocation number `n` (1-based, counted
 * from this call) fails; with `forever`, every later one fails too. n = 0
 * fails nothing. */
void rx_fault_arm(long n, bool forever);
/* Whether the armed failure happened. */
bool rx_fault_triggered(void);
/* Which allocation is armed to fail (0: none), and whether every later
 * one fails too: for messages naming the failing run. */
long rx_fault_armed_at(void);
bool rx_fault_forever(void);
/* Restores the default allocator (live objects must be zero). */
void rx_fault_disarm(void);

/* ---- counting allocator ------------------------------------------- */

/* Installs an allocator that counts the blocks it makes (malloc, and
 * realloc of NULL) and frees (free of a non-NULL block), both counters
 * from zero; the uvrx live count must be zero. Returns rx_set_allocator's
 * code. rx_set_allocator(NULL) (or the test teardown) puts the default
 * back; the counters keep their values until the next install. */
int rx_count_allocs_install(void);
long rx_count_mallocs(void);
long rx_count_frees(void);

/* What a sweep did: runs made, and how many injection points (runs in
 * which the armed allocation failed) were survived in each mode:
 * points[0] failing once then recovering, points[1] failing forever
 * after the first failure. */
typedef struct rx_oom_stats {
    long runs;
    long points[2];
} rx_oom_stats;

/* Runs `scenario` with allocation n failing, for n = 1, 2, ... until a run
 * in which no allocation failed, in both modes: fail once, then fail
 * forever from n on. After each run checks rx_live_objects() is zero, and
 * after each run that failed checks that a fresh pipeline (a fixed canary)
 * still works; with UVRX_OOM_LONG set it also reruns `scenario` without
 * failures. The scenario asserts its own outcome (a clean NULL, negative
 * code or one on_error(RX_ENOMEM) when `failed` is true). Ends with one
 * clean run. Returns the number of runs; fills `stats` when not NULL. */
long rx_oom_sweep_stats(void (*scenario)(bool failed, void *ctx), void *ctx,
                        rx_oom_stats *stats);
long rx_oom_sweep(void (*scenario)(bool failed, void *ctx), void *ctx);

/* Whether the environment asks for the long versions of the sweeps
 * (UVRX_OOM_LONG set and not "0"). */
bool rx_oom_long_mode(void);

/* ---- undeliverable errors ------------------------------------------ */

/* Records errors sent to the undeliverable handler instead of printing
 * them; returns how many arrived since the last call, and the code of the
 * last one in *last_code (may be NULL). */
void rx_capture_undeliverable(void);
int rx_undeliverable_count(int *last_code);

/* ---- threads ------------------------------------------------------- */

/* Calls rx_cancel(sub) on a new thread and waits for it to return: a
 * cancel from another thread, which the owner thread honours at its next
 * poll (or wake-up). Fails the test if the thread cannot be made. */
void rx_cancel_from_other_thread(rx_subscription *sub);

/* ---- small user functions shared by tests -------------------------- */

rx_value rx_t_times10(rx_value v, void *ctx, rx_error **err);
rx_value rx_t_plus1(rx_value v, void *ctx, rx_error **err);
bool rx_t_is_even(rx_value v, void *ctx, rx_error **err);
rx_value rx_t_sum(rx_value acc, rx_value v, void *ctx, rx_error **err);
/* Fails with code -100001 when v equals *(int64_t *)ctx; else v. */
rx_value rx_t_fail_at(rx_value v, void *ctx, rx_error **err);
/* Fails with code -100001 when v equals *(int64_t *)ctx; else is_even. */
bool rx_t_pred_fail_at(rx_value v, void *ctx, rx_error **err);
#define RX_T_EUSER (-100001)

#endif /* UVRX_TESTS_RX_TEST_H */
