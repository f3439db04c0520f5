/* SPDX-License-Identifier: MIT */
/*
 * group_by: one group per key, emitted with its first item; a value
 * function; rx_group_key; the abandonment policy (a group nobody
 * subscribes to completes at once and keeps its items for a late
 * subscriber; the next item of its key makes a new group); a cancelled
 * group is forgotten; demand for groups and prefetch towards the
 * source; the stall check against a flat_map that takes too few groups,
 * on virtual time; errors reaching the outer stream and every group;
 * the outer stream cut by take() while its groups go on; cancel;
 * bad arguments; allocation failures; marble cases (tests/marbles/
 * group_by.txt).
 *
 * Code under test: operators/combine/group_by.c and
 * operators/combine/group_by_groups.c.
 */
#include "rx_test.h"

#include "higher_probe.h"

/* Key of a one-digit string item: "o" for odd digits, "e" for even. */
static rx_value
digit_parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_str((rx_str_cstr(v)[0] - '0') % 2 != 0 ? "o" : "e");
}

/* Key function that fails at *(int64_t *)ctx. */
static rx_value
parity_fail_at(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "key failed");
        return rx_nil();
    }
    return rx_int(rx_as_int(v) % 2);
}

static void
run_open(rx_observable *o, const char *expected)
{
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    hp_subscribe(&p, o);
    assert_hp_log(&p, expected);
    hp_done(&p);
}

static void
test_group_by_makes_one_group_per_key(void **state)
{
    (void)state;
    run_open(rx_group_by(rx_range(1, 6), hp_parity, NULL),
             "G(1) 1:1 G(0) 0:2 1:3 0:4 1:5 0:6 1:| 0:| |");
}

static void
test_group_by_maps_values_into_groups(void **state)
{
    (void)state;
    run_open(rx_group_by_opts(rx_range(1, 3),
                              &(rx_group_by_config){.key = hp_parity,
                                                    .value = rx_t_times10}),
             "G(1) 1:10 G(0) 0:20 1:30 1:| 0:| |");
}

static void
test_group_key_reads_the_key_of_a_group_only(void **state)
{
    rx_observable *o = rx_group_by(rx_of_ints(7), hp_parity, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_value key;

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    key = rx_group_key(rx_test_value(t, 0));
    assert_true(rx_value_equal(key, rx_int(1)));
    rx_value_release(key);
    assert_true(rx_is_invalid(rx_group_key(rx_int(1))));
    key = rx_observable_value(rx_of_ints(1));
    assert_true(rx_is_invalid(rx_group_key(key)));
    rx_value_release(key);
    rx_test_observer_free(t);
}

static void
test_group_by_abandons_groups_nobody_subscribes_to(void **state)
{
    (void)state;
    /* Odd groups are never subscribed: each odd item makes a new group,
     * and the even group is not held up. */
    struct hp p = {.initial = RX_UNBOUNDED, .open = true, .skip = "1"};

    hp_subscribe(&p, rx_group_by(rx_range(1, 6), hp_parity, NULL));
    assert_hp_log(&p, "G(1) G(0) 0:2 G(1) 0:4 G(1) 0:6 0:| |");
    hp_done(&p);
}

static void
test_group_by_abandoned_group_keeps_its_items_for_a_late_subscriber(
    void **state)
{
    rx_observable *o = rx_group_by(rx_range(1, 4), hp_parity, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *late = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *again = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *g;

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 4); /* one group per item */
    assert_rx_completed(t);
    g = rx_value_observable(rx_test_value(t, 2));
    assert_int_equal(rx_test_subscribe(g, late), 0);
    assert_rx_ints(late, 3);
    assert_rx_completed(late);
    /* A group has one subscriber. */
    assert_int_equal(rx_test_subscribe(g, again), 0);
    assert_rx_error(again, RX_EINVAL);
    assert_non_null(strstr(rx_error_message(rx_test_error(again)),
                           "a group can be subscribed only once"));
    rx_observable_release(g);
    rx_test_observer_free(again);
    rx_test_observer_free(late);
    rx_test_observer_free(t);
}

static void
test_group_by_forgets_a_group_whose_subscriber_cancels(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_group_by(rx_t_hot_observable(h), hp_parity, NULL));
    rx_t_hot_next_int(h, 1);
    rx_cancel(p.inner[0].sub);
    rx_t_hot_next_int(h, 3); /* a new group for key 1 */
    rx_t_hot_complete(h);
    assert_hp_log(&p, "G(1) 1:1 G(1) 1:3 1:| |");
    hp_done(&p);
    rx_t_hot_free(h);
}

static void
test_group_by_new_groups_wait_for_demand(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_scheduler *vs = rx_scheduler_virtual();
    struct hp p = {.initial = 1, .open = true};

    (void)state;
    hp_subscribe(&p, rx_group_by_opts(
                         rx_t_hot_observable(h),
                         &(rx_group_by_config){.key = hp_parity, .sched = vs}));
    rx_t_hot_next_int(h, 1);
    rx_t_hot_next_int(h, 2); /* its group waits */
    rx_t_hot_next_int(h, 3);
    rx_t_hot_next_int(h, 4);
    assert_hp_log(&p, "G(1) 1:1 1:3");
    assert_int_equal(rx_request(p.sub, 1), 0);
    assert_hp_log(&p, "G(1) 1:1 1:3 G(0) 0:2 0:4");
    rx_t_hot_complete(h);
    assert_hp_log(&p, "G(1) 1:1 1:3 G(0) 0:2 0:4 1:| 0:| |");
    hp_done(&p);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
    rx_t_hot_free(h);
}

static void
test_group_by_asks_the_source_as_groups_consume(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true, .inner_initial = 1};

    (void)state;
    hp_subscribe(&p, rx_group_by_opts(rx_t_hot_observable(h),
                                      &(rx_group_by_config){.key = hp_parity,
                                                            .prefetch = 4}));
    assert_int_equal(rx_t_hot_requested(h), 4);
    rx_t_hot_next_int(h, 1); /* consumed by the group's one request */
    rx_t_hot_next_int(h, 3);
    rx_t_hot_next_int(h, 5);
    rx_t_hot_next_int(h, 7);
    assert_int_equal(rx_t_hot_requested(h), 4);
    assert_int_equal(rx_request(p.inner[0].sub, 2), 0);
    /* Three consumed: 3/4 of the prefetch, so three more. */
    assert_int_equal(rx_t_hot_requested(h), 7);
    assert_hp_log(&p, "G(1) 1:1 1:3 1:5");
    hp_done(&p);
    rx_t_hot_free(h);
}

/* ---- the stall check ---------------------------------------------------- */

static rx_observable *
take_groups_one_at_a_time(rx_observable *groups)
{
    rx_flat_map_config cfg = {.fn = hp_itself, .max_concurrent = 1};

    return rx_flat_map_opts(groups, &cfg);
}

static void
test_group_by_fails_when_flat_map_takes_too_few_groups(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_scheduler *vs = rx_scheduler_virtual();
    struct hp p = {.vs = vs, .initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p, take_groups_one_at_a_time(rx_group_by_opts(
                         rx_t_hot_observable(h),
                         &(rx_group_by_config){
                             .key = hp_parity, .stall_ms = 100, .sched = vs})));
    rx_t_hot_next_int(h, 1);
    rx_t_hot_next_int(h, 2);
    rx_t_hot_next_int(h, 4);
    tp_advance(vs, 50);
    rx_t_hot_next_int(h, 3); /* progress: the clock starts again */
    tp_advance(vs, 99);
    assert_hp_log(&p, "0:1 50:3");
    tp_advance(vs, 1);
    assert_hp_log(&p, "0:1 50:3 150:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_group_by_opts (test_group_by.c:"));
    assert_non_null(strstr(p.msg, "rx_flat_map_opts (test_group_by.c:"));
    assert_non_null(strstr(p.msg, "2 groups are live"));
    assert_non_null(strstr(p.msg, "no progress for 100 ms"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    hp_done(&p);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
    rx_t_hot_free(h);
}

static void
test_group_by_waits_for_ever_without_a_stall_threshold(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_scheduler *vs = rx_scheduler_virtual();
    struct hp p = {.vs = vs, .initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(
        &p, take_groups_one_at_a_time(rx_group_by_opts(
                rx_t_hot_observable(h),
                &(rx_group_by_config){
                    .key = hp_parity, .stall_ms = RX_UNBOUNDED, .sched = vs})));
    rx_t_hot_next_int(h, 1);
    rx_t_hot_next_int(h, 2);
    tp_advance(vs, 1000000);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_t_hot_complete(h); /* the waiting group goes once the first ends */
    assert_hp_log(&p, "0:1 1000000:2 1000000:|");
    hp_done(&p);
    rx_scheduler_release(vs);
    rx_t_hot_free(h);
}

static void
test_group_by_cancel_stops_the_stall_clock(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_scheduler *vs = rx_scheduler_virtual();
    struct hp p = {.vs = vs, .initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p,
                 take_groups_one_at_a_time(rx_group_by_opts(
                     rx_t_hot_observable(h),
                     &(rx_group_by_config){.key = hp_parity, .sched = vs})));
    rx_t_hot_next_int(h, 1);
    rx_t_hot_next_int(h, 2);
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    hp_done(&p);
    rx_scheduler_release(vs);
    rx_t_hot_free(h);
}

/* ---- errors and cancellation -------------------------------------------- */

static void
test_group_by_key_error_reaches_the_outer_stream_and_every_group(void **state)
{
    int64_t at = 3;

    (void)state;
    run_open(rx_group_by(rx_range(1, 5), parity_fail_at, &at),
             "G(1) 1:1 G(0) 0:2 #RX_EUSER 1:#RX_EUSER 0:#RX_EUSER");
}

static void
test_group_by_error_into_flat_map_is_signalled_once(void **state)
{
    int64_t at = 4;
    rx_observable *o = rx_flat_map(
        rx_group_by(rx_range(1, 5), parity_fail_at, &at), hp_itself, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_error(t, RX_T_EUSER);
    /* flat_map cancelled its groups before they failed. */
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    rx_test_observer_free(t);
}

static void
test_group_by_source_error_reaches_the_outer_stream_and_every_group(
    void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_group_by(rx_t_hot_observable(h), hp_parity, NULL));
    rx_t_hot_next_int(h, 1);
    rx_t_hot_error(h, RX_ETIMEDOUT);
    assert_hp_log(&p, "G(1) 1:1 #RX_ETIMEDOUT 1:#RX_ETIMEDOUT");
    hp_done(&p);
    rx_t_hot_free(h);
}

static void
test_group_by_outer_cancel_ends_groups_subscribed_elsewhere(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_group_by(rx_t_hot_observable(h), hp_parity, NULL));
    rx_t_hot_next_int(h, 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_hp_log(&p, "G(1) 1:1 1:#RX_ECANCELED");
    hp_done(&p);
    rx_t_hot_free(h);
}

static void
test_group_by_groups_go_on_after_take_cuts_the_outer_stream(void **state)
{
    rx_observable *o =
        rx_flat_map(rx_take(rx_group_by(rx_range(1, 6), hp_parity, NULL), 1),
                    hp_itself, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 3, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_group_by_cut_outer_cancels_the_source_when_its_groups_leave(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_observable *o = rx_flat_map(
        rx_take(rx_group_by(rx_t_hot_observable(h), hp_parity, NULL), 1),
        hp_itself, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(h, 1);
    rx_t_hot_next_int(h, 2); /* no new group: dropped */
    rx_t_hot_next_int(h, 3);
    assert_int_equal(rx_t_hot_cancels(h), 0);
    rx_test_cancel(t);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_rx_ints(t, 1, 3);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_group_by_rejects_bad_arguments(void **state)
{
    rx_scheduler *tr = rx_scheduler_trampoline();

    (void)state;
    assert_rx_fails(rx_group_by(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "rx_group_by: cfg and cfg->key must not be NULL");
    assert_rx_fails(rx_group_by_opts(rx_of_ints(1), NULL), RX_EINVAL,
                    "rx_group_by_opts");
    assert_rx_fails(
        rx_group_by_opts(rx_of_ints(1), &(rx_group_by_config){.key = hp_parity,
                                                              .prefetch = -1}),
        RX_EINVAL, "prefetch and stall_ms must be >= 0");
    assert_rx_fails(
        rx_group_by_opts(rx_of_ints(1), &(rx_group_by_config){.key = hp_parity,
                                                              .stall_ms = -5}),
        RX_EINVAL, "prefetch and stall_ms must be >= 0");
    assert_rx_fails(
        rx_group_by_opts(rx_of_ints(1),
                         &(rx_group_by_config){.key = hp_parity, .sched = tr}),
        RX_EINVAL, "sched must have timers");
    assert_null(rx_group_by(NULL, hp_parity, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_flat_map(rx_group_by(rx_range(1, 6), hp_parity, NULL),
                                   hp_itself, NULL);
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (failed && rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 1, 2, 3, 4, 5, 6);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_group_by_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

/* ---- marble cases -------------------------------------------------------- */

/* Item "x" goes into the group of key "x". */
static rx_value
itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(v);
}

static rx_observable *
build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
      void *ctx)
{
    int64_t n;
    int64_t stall = 0;
    rx_flat_map_config cfg = {.fn = hp_itself};

    (void)ctx;
    if (rx_marble_case_is(c, "group_by")) {
        return hp_bridge(rx_group_by(srcs[0], digit_parity, NULL),
                         hp_marble_word_after(c, "skip"));
    }
    if (rx_marble_case_is(c, "group_by_flat_map") &&
        rx_marble_case_arg_int(c, 1, &n)) {
        (void)hp_marble_int_after(c, "stall", &stall);
        cfg.max_concurrent = n;
        return rx_flat_map_opts(
            rx_group_by_opts(srcs[0], &(rx_group_by_config){.key = itself,
                                                            .stall_ms = stall,
                                                            .sched = vs}),
            &cfg);
    }
    rx_observable_release(srcs[0]);
    return NULL;
}

static void
test_group_by_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("group_by.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_group_by_makes_one_group_per_key),
        rx_unit_test(test_group_by_maps_values_into_groups),
        rx_unit_test(test_group_key_reads_the_key_of_a_group_only),
        rx_unit_test(test_group_by_abandons_groups_nobody_subscribes_to),
        rx_unit_test(
            test_group_by_abandoned_group_keeps_its_items_for_a_late_subscriber),
        rx_unit_test(test_group_by_forgets_a_group_whose_subscriber_cancels),
        rx_unit_test(test_group_by_new_groups_wait_for_demand),
        rx_unit_test(test_group_by_asks_the_source_as_groups_consume),
        rx_unit_test(test_group_by_fails_when_flat_map_takes_too_few_groups),
        rx_unit_test(test_group_by_waits_for_ever_without_a_stall_threshold),
        rx_unit_test(test_group_by_cancel_stops_the_stall_clock),
        rx_unit_test(
            test_group_by_key_error_reaches_the_outer_stream_and_every_group),
        rx_unit_test(test_group_by_error_into_flat_map_is_signalled_once),
        rx_unit_test(
            test_group_by_source_error_reaches_the_outer_stream_and_every_group),
        rx_unit_test(
            test_group_by_outer_cancel_ends_groups_subscribed_elsewhere),
        rx_unit_test(
            test_group_by_groups_go_on_after_take_cuts_the_outer_stream),
        rx_unit_test(
            test_group_by_cut_outer_cancels_the_source_when_its_groups_leave),
        rx_unit_test(test_group_by_rejects_bad_arguments),
        rx_unit_test(test_group_by_survives_allocation_failures),
        rx_unit_test(test_group_by_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
