/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_generate: items from the step function, one call per unit
 * of demand, per-subscription state dropped exactly once whichever way
 * the stream ends, failures of init and step, cancel, stack safety, bad
 * arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* Shared by the functions of one test: counts calls, sets limits. */
struct gen_ctx {
    int inits;
    int steps;
    int drops;
    int64_t limit;   /* step says done at this count; -1 never */
    int64_t fail_at; /* step fails at this count; -1 never */
    bool init_fails;
    bool invalid_at_1;
    int64_t states[4]; /* storage handed out as states */
};

static void *
gen_init(void *ctx, rx_error **err)
{
    struct gen_ctx *g = ctx;
    int64_t *st = &g->states[g->inits % 4];

    if (g->init_fails) {
        *err = rx_error_new(RX_T_EUSER, "init failed");
        return NULL;
    }
    g->inits++;
    *st = 0;
    return st;
}

static rx_value
gen_step(void *state, void *ctx, bool *done, rx_error **err)
{
    struct gen_ctx *g = ctx;
    int64_t *n = state;

    g->steps++;
    if (*n == g->limit) {
        *done = true;
        return rx_nil();
    }
    if (*n == g->fail_at) {
        *err = rx_error_new(RX_T_EUSER, "step failed");
        return rx_nil();
    }
    if (*n == 1 && g->invalid_at_1) {
        return rx_invalid();
    }
    return rx_int((*n)++);
}

/* Where gen_count_drop counts: a drop function gets only the state. */
static struct gen_ctx *drop_target;

static void
gen_count_drop(void *state)
{
    assert_non_null(state);
    drop_target->drops++;
}

static struct gen_ctx
gen_ctx_make(int64_t limit)
{
    struct gen_ctx g;

    memset(&g, 0, sizeof g);
    g.limit = limit;
    g.fail_at = -1;
    drop_target = NULL;
    return g;
}

static rx_test_observer *
run_gen(struct gen_ctx *g, int64_t initial)
{
    rx_observable *obs = rx_generate(gen_init, gen_step, gen_count_drop, g);
    rx_test_observer *t = rx_test_observer_new(initial);

    drop_target = g;
    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static void
test_generate_emits_step_results_until_done(void **state)
{
    struct gen_ctx g = gen_ctx_make(3);
    rx_test_observer *t = run_gen(&g, RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(g.inits, 1);
    assert_int_equal(g.steps, 4);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
    assert_int_equal(g.drops, 1);
}

static void
test_generate_done_at_once_completes_empty(void **state)
{
    struct gen_ctx g = gen_ctx_make(0);
    rx_test_observer *t = run_gen(&g, 1);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
}

static void
test_generate_calls_step_once_per_unit_of_demand(void **state)
{
    struct gen_ctx g = gen_ctx_make(-1);
    rx_test_observer *t = run_gen(&g, 0);

    (void)state;
    assert_int_equal(g.inits, 1);
    assert_int_equal(g.steps, 0);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0);
    assert_int_equal(g.steps, 1);
    rx_test_request(t, 2);
    assert_rx_ints(t, 0, 1, 2);
    assert_int_equal(g.steps, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(g.drops, 0);
    rx_test_cancel(t);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
    assert_int_equal(g.drops, 1);
}

static void
test_generate_stops_and_drops_state_on_cancel_mid_stream(void **state)
{
    struct gen_ctx g = gen_ctx_make(-1);
    rx_observable *obs = rx_generate(gen_init, gen_step, gen_count_drop, &g);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    drop_target = &g;
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(g.steps, 3);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
    assert_int_equal(g.drops, 1);
}

static void
test_generate_step_error_fails_after_items_and_drops_once(void **state)
{
    struct gen_ctx g = gen_ctx_make(-1);
    rx_test_observer *t;

    (void)state;
    g.fail_at = 2;
    t = run_gen(&g, RX_UNBOUNDED);
    assert_rx_ints(t, 0, 1);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
    assert_int_equal(g.drops, 1);
}

static void
test_generate_step_returning_invalid_fails_with_enomem(void **state)
{
    struct gen_ctx g = gen_ctx_make(-1);
    rx_test_observer *t;

    (void)state;
    g.invalid_at_1 = true;
    t = run_gen(&g, RX_UNBOUNDED);
    assert_rx_ints(t, 0);
    assert_rx_error(t, RX_ENOMEM);
    assert_int_equal(g.drops, 1);
    rx_test_observer_free(t);
}

static void
test_generate_init_error_fails_without_step_or_drop(void **state)
{
    struct gen_ctx g = gen_ctx_make(3);
    rx_test_observer *t;

    (void)state;
    g.init_fails = true;
    t = run_gen(&g, RX_UNBOUNDED);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(g.steps, 0);
    assert_int_equal(g.drops, 0);
    rx_test_observer_free(t);
}

static void
test_generate_gives_each_subscription_fresh_state(void **state)
{
    struct gen_ctx g = gen_ctx_make(2);
    rx_observable *obs = rx_generate(gen_init, gen_step, gen_count_drop, &g);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    drop_target = &g;
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    rx_observable_release(obs);
    assert_rx_ints(a, 0, 1);
    assert_rx_ints(b, 0, 1);
    assert_rx_completed(a);
    assert_rx_completed(b);
    assert_int_equal(g.inits, 2);
    assert_int_equal(g.drops, 2);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
}

static void
test_generate_disposed_in_on_subscribe_never_creates_state(void **state)
{
    struct gen_ctx g = gen_ctx_make(3);
    rx_observable *obs = rx_generate(gen_init, gen_step, gen_count_drop, &g);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    drop_target = &g;
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(g.inits, 0);
    assert_int_equal(g.drops, 0);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static rx_value
count_up(void *state, void *ctx, bool *done, rx_error **err)
{
    int64_t *n = ctx;

    (void)state;
    (void)err;
    if (*n == 200000) {
        *done = true;
        return rx_nil();
    }
    return rx_int((*n)++);
}

static void
test_generate_with_request_inside_on_next_does_not_recurse(void **state)
{
    int64_t n = 0;
    rx_observable *obs = rx_generate(NULL, count_up, NULL, &n);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 200000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_generate_rejects_null_step(void **state)
{
    (void)state;
    assert_rx_fails(rx_generate(gen_init, NULL, NULL, NULL), RX_EINVAL,
                    "rx_generate");
    assert_non_null(strstr(rx_last_error_message(), "step"));
}

static void
generate_oom_scenario(bool failed, void *ctx)
{
    struct gen_ctx g = gen_ctx_make(3);
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    drop_target = &g;
    obs = rx_map(rx_generate(gen_init, gen_step, gen_count_drop, &g),
                 rx_t_times10, NULL);
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        assert_int_equal(g.inits, 0);
    } else {
        assert_rx_ints(t, 0, 10, 20);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
    assert_int_equal(g.drops, g.inits);
}

static void
test_generate_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(generate_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_generate_emits_step_results_until_done),
        rx_unit_test(test_generate_done_at_once_completes_empty),
        rx_unit_test(test_generate_calls_step_once_per_unit_of_demand),
        rx_unit_test(test_generate_stops_and_drops_state_on_cancel_mid_stream),
        rx_unit_test(test_generate_step_error_fails_after_items_and_drops_once),
        rx_unit_test(test_generate_step_returning_invalid_fails_with_enomem),
        rx_unit_test(test_generate_init_error_fails_without_step_or_drop),
        rx_unit_test(test_generate_gives_each_subscription_fresh_state),
        rx_unit_test(
            test_generate_disposed_in_on_subscribe_never_creates_state),
        rx_unit_test(
            test_generate_with_request_inside_on_next_does_not_recurse),
        rx_unit_test(test_generate_rejects_null_step),
        rx_unit_test(test_generate_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
