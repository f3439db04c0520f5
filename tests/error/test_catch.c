/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_catch, rx_on_error_return and rx_on_error_return_fn:
 * switching to the fallback with the outstanding demand, the fallback
 * failing, the handler failing or returning NULL, the value waiting for
 * demand, cancelling before and after the switch, bad arguments,
 * allocation failures, and tests/marbles/catch.txt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "../time/time_probe.h"

static int
sub_take(rx_observable *obs, rx_test_observer *t)
{
    int rc;

    assert_non_null(obs);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    return rc;
}

static rx_observable *
fail_after(int64_t n, int code)
{
    return rx_concat(rx_range(1, n), rx_throw(rx_error_new(code, "boom")));
}

struct seen {
    int calls;
    int code;
};

static rx_observable *
to_range(const rx_error *err, void *ctx, rx_error **out_err)
{
    struct seen *s = ctx;

    (void)out_err;
    s->calls++;
    s->code = rx_error_code(err);
    return rx_range(10, 3);
}

static void
test_catch_switches_to_the_fallback(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    struct seen s = {0};

    (void)state;
    assert_int_equal(
        sub_take(rx_catch(fail_after(2, RX_ETIMEDOUT), to_range, &s), t), 0);
    assert_rx_ints(t, 1, 2, 10, 11, 12);
    assert_rx_completed(t);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.code, RX_ETIMEDOUT);
    rx_test_observer_free(t);
}

static void
test_catch_gives_the_fallback_the_outstanding_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(3);
    struct seen s = {0};

    (void)state;
    assert_int_equal(
        sub_take(rx_catch(fail_after(2, RX_ETIMEDOUT), to_range, &s), t), 0);
    assert_rx_ints(t, 1, 2, 10);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_rx_ints(t, 1, 2, 10, 11, 12);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* Falls back to a source that fails too; an RX_ENOMEM (injected by the
 * allocation-failure sweep) is passed on instead of hidden. */
static rx_observable *
to_failing(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)ctx;
    if (rx_error_code(err) == RX_ENOMEM) {
        *out_err = rx_error_retain(err);
        return NULL;
    }
    return fail_after(1, RX_EBUSY);
}

static void
test_catch_passes_the_fallbacks_error(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(
        sub_take(rx_catch(fail_after(1, RX_ETIMEDOUT), to_failing, NULL), t),
        0);
    assert_rx_ints(t, 1, 1);
    assert_rx_error(t, RX_EBUSY);
    rx_test_observer_free(t);
}

static rx_observable *
handler_fails(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)ctx;
    *out_err = rx_error_new(RX_EUSER - 7, "handler says no");
    return NULL;
}

static rx_observable *
handler_null(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)ctx;
    (void)out_err;
    return rx_take(rx_range(1, 2), -1); /* fails: NULL, RX_EINVAL */
}

static void
test_catch_handler_failure_replaces_the_error(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(
        sub_take(rx_catch(fail_after(1, RX_ETIMEDOUT), handler_fails, NULL), t),
        0);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_EUSER - 7);
    assert_int_equal(
        sub_take(rx_catch(fail_after(1, RX_ETIMEDOUT), handler_null, NULL), u),
        0);
    assert_rx_ints(u, 1);
    assert_rx_error(u, RX_EINVAL);
    assert_non_null(strstr(rx_error_message(rx_test_error(u)), "rx_take"));
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static rx_observable *
marble_fallback(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)out_err;
    return rx_observable_retain(ctx);
}

static void
drop_obs(void *obs)
{
    rx_observable_release(obs);
}

static void
test_catch_cancel_after_the_switch_cancels_the_fallback(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *a = rx_test_cold(vs, "-a#", NULL, 0);
    rx_test_source *b = rx_test_cold(vs, "-x-y-z|", NULL, 0);
    rx_observable *fb = rx_test_source_observable(b);
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 2};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_attach(rx_catch(rx_test_source_observable(a), marble_fallback, fb),
                  fb, drop_obs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "1:a 3:x");
    assert_rx_subs(a, "^-!");
    assert_rx_subs(b, "--^!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_test_source_free(a);
    rx_test_source_free(b);
    rx_scheduler_release(vs);
}

static void
test_on_error_return_waits_for_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(
        sub_take(rx_on_error_return(fail_after(2, RX_ETIMEDOUT), rx_str("z")),
                 t),
        0);
    assert_int_equal(rx_test_count(t), 2);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_int_equal(rx_test_count(t), 3);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 2)), "z");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static rx_value
code_of(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)ctx;
    if (rx_error_code(err) == RX_EBUSY) {
        *out_err = rx_error_new(RX_EUSER - 3, "no value for busy");
        return rx_nil();
    }
    return rx_int(rx_error_code(err));
}

static void
test_on_error_return_fn_maps_the_error(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(sub_take(rx_on_error_return_fn(fail_after(1, RX_ETIMEDOUT),
                                                    code_of, NULL),
                              t),
                     0);
    assert_rx_ints(t, 1, RX_ETIMEDOUT);
    assert_rx_completed(t);
    assert_int_equal(
        sub_take(rx_on_error_return_fn(fail_after(1, RX_EBUSY), code_of, NULL),
                 u),
        0);
    assert_rx_ints(u, 1);
    assert_rx_error(u, RX_EUSER - 3);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static void
test_catch_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_catch(rx_range(1, 2), NULL, NULL), RX_EINVAL,
                    "rx_catch: handler");
    assert_rx_fails(rx_on_error_return_fn(rx_range(1, 2), NULL, NULL),
                    RX_EINVAL, "rx_on_error_return_fn: fn");
    assert_rx_fails(rx_on_error_return(rx_range(1, 2), rx_invalid()), RX_ENOMEM,
                    "rx_on_error_return");
    /* NULL in, NULL out: the value is released (the teardown checks). */
    assert_null(rx_on_error_return(NULL, rx_str("taken")));
    assert_null(rx_catch(NULL, to_range, NULL));
}

static rx_observable *
build_catch(rx_scheduler *vs)
{
    (void)vs;
    return rx_catch(fail_after(2, RX_ETIMEDOUT), to_failing, NULL);
}

static rx_observable *
build_return(rx_scheduler *vs)
{
    (void)vs;
    return rx_on_error_return(rx_throw(rx_error_new(RX_ETIMEDOUT, "x")),
                              rx_int(9));
}

static void
test_catch_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_catch, 1, "0:1 0:2 0:1 0:#RX_EBUSY");
    tp_oom_sweep(build_return, 1, "0:9 0:|");
}

/* ---- marble cases (tests/marbles/catch.txt) ----------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    rx_observable *out;

    (void)vs;
    (void)ctx;
    if (rx_marble_case_is(c, "on_error_return") && c->nsources == 1) {
        return rx_on_error_return(srcs[0], rx_str("z"));
    }
    if (rx_marble_case_is(c, "catch") && c->nsources == 2) {
        /* The fallback lives as long as the result: rx_attach drops it. */
        out = rx_catch(srcs[0], marble_fallback, srcs[1]);
        return rx_attach(out, srcs[1], drop_obs);
    }
    for (size_t i = 0; i < c->nsources; i++) {
        rx_observable_release(srcs[i]);
    }
    return NULL;
}

static void
test_catch_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("catch.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_catch_switches_to_the_fallback),
        rx_unit_test(test_catch_gives_the_fallback_the_outstanding_demand),
        rx_unit_test(test_catch_passes_the_fallbacks_error),
        rx_unit_test(test_catch_handler_failure_replaces_the_error),
        rx_unit_test(test_catch_cancel_after_the_switch_cancels_the_fallback),
        rx_unit_test(test_on_error_return_waits_for_demand),
        rx_unit_test(test_on_error_return_fn_maps_the_error),
        rx_unit_test(test_catch_rejects_bad_arguments),
        rx_unit_test(test_catch_survives_allocation_failures),
        rx_unit_test(test_catch_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
