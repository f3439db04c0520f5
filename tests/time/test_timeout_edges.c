/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_timeout and rx_delay (slice 4 coverage): a fallback
 * that fails passes its error on; a switch while no demand is
 * outstanding waits for the next request; fallback items a downstream
 * filter drops use no demand; a delayed stream whose source completes
 * from inside the subscriber's on_next completes one delay later.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "rx_hot.h"
#include "rx_test.h"
#include "time_probe.h"

static rx_observable *
timed_out(rx_scheduler *vs, rx_t_hot *h, rx_observable *fallback)
{
    return rx_timeout_opts(
        rx_t_hot_observable(h),
        &(rx_timeout_config){
            .first_ms = 3, .each_ms = 3, .fallback = fallback, .sched = vs});
}

static void
test_timeout_fallback_error_is_passed_on(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        timed_out(vs, h, rx_throw(rx_error_new(RX_EBUSY, "fallback failed"))));
    tp_advance_to(vs, 1);
    rx_t_hot_next(h, rx_str("a"));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "1:a 4:#RX_EBUSY");
    assert_non_null(strstr(p.msg, "fallback failed"));
    assert_false(rx_t_hot_live(h));
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_switch_without_demand_waits_for_a_request(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, timed_out(vs, h, rx_range(10, 2)));
    tp_advance_to(vs, 1);
    rx_t_hot_next(h, rx_str("a"));
    tp_advance_to(vs, 6); /* switched at 4, nothing asked for */
    assert_tp_log(&p, "1:a");
    assert_int_equal(rx_request(p.sub, 5), 0);
    assert_tp_log(&p, "1:a 6:10 6:11 6:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static bool
is_even(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 2 == 0;
}

static void
test_timeout_fallback_items_a_filter_drops_use_no_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 2};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_filter(timed_out(vs, h, rx_range(10, 5)), is_even, NULL));
    tp_advance_to(vs, 5);
    assert_tp_log(&p, "3:10 3:12");
    assert_int_equal(rx_request(p.sub, 1), 0);
    assert_tp_log(&p, "3:10 3:12 5:14 5:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

/* Logs items and the end with their virtual times; completes the subject
 * at the first item. */
struct closer {
    rx_scheduler *vs;
    rx_subject *s;
    char log[128];
};

static void
closer_add(struct closer *c, const char *what)
{
    size_t n = strlen(c->log);

    snprintf(c->log + n, sizeof c->log - n, "%llu:%s ",
             (unsigned long long)rx_scheduler_now(c->vs), what);
}

static void
closer_next(rx_value v, void *ctx)
{
    struct closer *c = ctx;

    closer_add(c, rx_str_cstr(v));
    assert_int_equal(rx_subject_complete(c->s), 0);
}

static void
closer_complete(void *ctx)
{
    closer_add(ctx, "|");
}

static void
test_delay_source_completing_inside_on_next(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct closer c = {.vs = vs, .s = s};
    rx_observable *o = rx_delay(rx_subject_observable(s), 5, vs);
    rx_subscription *sub = NULL;

    (void)state;
    assert_int_equal(rx_subscribe(o,
                                  &(rx_observer){.on_next = closer_next,
                                                 .on_complete = closer_complete,
                                                 .ctx = &c},
                                  &sub),
                     0);
    rx_observable_release(o);
    tp_advance_to(vs, 1);
    assert_int_equal(rx_subject_next(s, rx_str("a")), 0);
    tp_advance_to(vs, 20);
    assert_string_equal(c.log, "6:a 11:| ");
    rx_dispose(sub);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_timeout_fallback_error_is_passed_on),
        rx_unit_test(test_timeout_switch_without_demand_waits_for_a_request),
        rx_unit_test(test_timeout_fallback_items_a_filter_drops_use_no_demand),
        rx_unit_test(test_delay_source_completing_inside_on_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
