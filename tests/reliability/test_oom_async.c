/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure everywhere, families that involve time, several
 * sources or other threads: time operators on the virtual scheduler,
 * combining and higher-order operators (group_by included), backpressure,
 * error recovery, multicast, thread hops on a real loop, simulated I/O
 * and file I/O (oom_harness.h says what every run must end with).
 */
#include "oom_harness.h"

static const int64_t tens[] = {0, 10, 20, 30};

/* ---- time ---------------------------------------------------------------- */

static rx_observable *
ticks(int64_t period, int64_t n, rx_scheduler *s)
{
    return rx_take(rx_interval(period, s), n);
}

static rx_observable *
b_interval(const struct oom_env *e)
{
    return ticks(2, 3, e->sched);
}

static rx_observable *
b_timer(const struct oom_env *e)
{
    return rx_timer(5, e->sched);
}

static rx_observable *
b_delay(const struct oom_env *e)
{
    return rx_delay(rx_range(1, 3), 5, e->sched);
}

static rx_observable *
b_delay_subscription(const struct oom_env *e)
{
    return rx_delay_subscription(rx_range(1, 2), 5, e->sched);
}

static rx_observable *
b_debounce(const struct oom_env *e)
{
    return rx_debounce(ticks(2, 3, e->sched), 3, e->sched);
}

static rx_observable *
b_throttle_first(const struct oom_env *e)
{
    return rx_throttle_first(ticks(2, 5, e->sched), 5, e->sched);
}

static rx_observable *
b_throttle_last(const struct oom_env *e)
{
    return rx_throttle_last(ticks(2, 4, e->sched), 5, e->sched);
}

static rx_observable *
b_audit(const struct oom_env *e)
{
    return rx_audit(ticks(2, 4, e->sched), 3, e->sched);
}

static rx_observable *
b_timeout(const struct oom_env *e)
{
    return rx_timeout_opts(
        rx_never(), &(rx_timeout_config){.first_ms = 5, .sched = e->sched});
}

/* NULL means "no fallback" in the config, so a fallback that failed to
 * build must be caught before it is passed (documented there). */
static rx_observable *
b_timeout_fallback(const struct oom_env *e)
{
    rx_observable *fallback = rx_range(1, 2);
    rx_observable *src = rx_never();

    if (fallback == NULL || src == NULL) {
        rx_observable_release(fallback);
        rx_observable_release(src);
        return NULL;
    }
    return rx_timeout_opts(src, &(rx_timeout_config){.first_ms = 5,
                                                     .fallback = fallback,
                                                     .sched = e->sched});
}

static rx_observable *
b_buffer_time(const struct oom_env *e)
{
    return rx_map(rx_buffer_time(ticks(2, 4, e->sched), 5, e->sched), oom_num,
                  NULL);
}

static rx_observable *
count_window(rx_value w, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_count(rx_window_observable(w));
}

static rx_observable *
b_window_time(const struct oom_env *e)
{
    return rx_concat_map(rx_window_time(ticks(2, 4, e->sched), 5, e->sched),
                         count_window, NULL);
}

static rx_observable *
b_buffer_n(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_buffer_n(rx_range(1, 5), 2, 2), oom_num, NULL);
}

static rx_observable *
b_window_n(const struct oom_env *e)
{
    (void)e;
    return rx_concat_map(rx_window_n(rx_range(1, 5), 2, 2), count_window, NULL);
}

static rx_observable *
b_timestamp(const struct oom_env *e)
{
    return rx_map(rx_timestamp(ticks(2, 2, e->sched), e->sched), oom_num, NULL);
}

static rx_observable *
b_time_interval(const struct oom_env *e)
{
    return rx_map(rx_time_interval(ticks(2, 2, e->sched), e->sched), oom_num,
                  NULL);
}

static const struct oom_row time_rows[] = {
    OOM_ROW("interval", b_interval, 0, 0, 0, 1, 2),
    OOM_ROW("timer", b_timer, 0, 0, 0),
    OOM_ROW("delay", b_delay, 0, 0, 1, 2, 3),
    OOM_ROW("delay_subscription", b_delay_subscription, 0, 0, 1, 2),
    OOM_ROW("debounce", b_debounce, 0, 0, 2),
    OOM_ROW("throttle_first", b_throttle_first, 0, 0, 0, 3),
    OOM_ROW("throttle_last", b_throttle_last, 0, 0, 1),
    OOM_ROW("audit", b_audit, 0, 0, 1, 3),
    OOM_ROW0("timeout", b_timeout, RX_ETIMEDOUT, 0),
    OOM_ROW("timeout_fallback", b_timeout_fallback, 0, 0, 1, 2),
    OOM_ROW("buffer_time", b_buffer_time, 0, 0, 2, 2),
    OOM_ROW("window_time", b_window_time, 0, 0, 2, 2),
    OOM_ROW("buffer_n", b_buffer_n, 0, 0, 2, 2, 1),
    OOM_ROW("window_n", b_window_n, 0, 0, 2, 2, 1),
    OOM_ROW("timestamp", b_timestamp, 0, 0, 2, 2),
    OOM_ROW("time_interval", b_time_interval, 0, 0, 2, 2),
};

/* ---- combine, higher-order ------------------------------------------------
 */

static rx_observable *
b_merge(const struct oom_env *e)
{
    (void)e;
    return rx_merge(rx_range(1, 2), rx_range(5, 2));
}

static rx_observable *
b_merge_timed(const struct oom_env *e)
{
    return rx_merge(rx_map(ticks(2, 2, e->sched), oom_add, (void *)&tens[1]),
                    ticks(3, 2, e->sched));
}

static rx_observable *
b_merge_array(const struct oom_env *e)
{
    (void)e;
    return rx_merge_array(
        3, ((rx_observable *[]){rx_range(1, 2), rx_empty(), rx_range(5, 2)}),
        1);
}

/* Plain timers run inside merge's receivers (no timer stage). */
static rx_observable *
b_merge_timers(const struct oom_env *e)
{
    return rx_merge_array(
        3,
        ((rx_observable *[]){
            rx_timer(4, e->sched), rx_timer(2, e->sched),
            rx_map(rx_timer(3, e->sched), oom_add, (void *)&tens[1])}),
        RX_UNBOUNDED);
}

static rx_observable *
b_zip(const struct oom_env *e)
{
    (void)e;
    return rx_zip(rx_range(1, 3), rx_range(10, 3), oom_zip_sum, NULL);
}

static rx_observable *
b_zip_array(const struct oom_env *e)
{
    return rx_zip_array(3,
                        ((rx_observable *[]){rx_range(1, 2), rx_range(10, 3),
                                             ticks(2, 2, e->sched)}),
                        oom_zip_sum, NULL);
}

static rx_observable *
b_combine_latest(const struct oom_env *e)
{
    return rx_combine_latest(ticks(2, 3, e->sched), ticks(5, 2, e->sched),
                             oom_zip_sum, NULL);
}

static rx_observable *
b_with_latest_from(const struct oom_env *e)
{
    return rx_with_latest_from(ticks(3, 3, e->sched), ticks(4, 3, e->sched),
                               oom_zip_sum, NULL);
}

static rx_observable *
b_race(const struct oom_env *e)
{
    return rx_race(ticks(5, 2, e->sched), ticks(2, 2, e->sched));
}

static rx_observable *
b_take_until(const struct oom_env *e)
{
    return rx_take_until(rx_interval(2, e->sched), rx_timer(5, e->sched));
}

static rx_observable *
b_skip_until(const struct oom_env *e)
{
    return rx_skip_until(ticks(2, 4, e->sched), rx_timer(5, e->sched));
}

static rx_observable *
b_start_with(const struct oom_env *e)
{
    (void)e;
    return rx_start_with(rx_range(3, 2), rx_range(1, 2));
}

static rx_observable *
two_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 2);
}

/* Three ticks 3 ms apart, plus 10 times the outer item. */
static rx_observable *
inner_ticks(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_map(ticks(3, 3, ctx), oom_add, (void *)&tens[rx_as_int(v)]);
}

static rx_observable *
b_flat_map(const struct oom_env *e)
{
    (void)e;
    return rx_flat_map(rx_range(1, 3), two_from, NULL);
}

static rx_observable *
b_concat_map(const struct oom_env *e)
{
    (void)e;
    return rx_concat_map(rx_range(1, 2), two_from, NULL);
}

static rx_observable *
b_switch_map(const struct oom_env *e)
{
    return rx_switch_map(ticks(5, 2, e->sched), inner_ticks, e->sched);
}

static rx_observable *
b_exhaust_map(const struct oom_env *e)
{
    return rx_exhaust_map(ticks(5, 2, e->sched), inner_ticks, e->sched);
}

static rx_observable *
b_concat_map_eager(const struct oom_env *e)
{
    return rx_concat_map_eager(rx_range(1, 2), inner_ticks, e->sched);
}

static rx_value
to_obs(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_observable_value(rx_range(rx_as_int(v) * 10, 2));
}

static rx_observable *
b_switch_on_next(const struct oom_env *e)
{
    (void)e;
    return rx_switch_on_next(rx_map(rx_range(0, 2), to_obs, NULL));
}

static rx_observable *
doubling(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) < 4 ? rx_just(rx_int(rx_as_int(v) * 2)) : rx_empty();
}

static rx_observable *
b_expand(const struct oom_env *e)
{
    (void)e;
    return rx_expand(rx_just(rx_int(1)), doubling, NULL);
}

static rx_observable *
count_group(rx_value g, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_count(rx_value_observable(g));
}

static rx_observable *
b_group_by(const struct oom_env *e)
{
    (void)e;
    return rx_flat_map(rx_group_by(rx_range(1, 5), oom_parity, NULL),
                       count_group, NULL);
}

static rx_observable *
b_window_boundary(const struct oom_env *e)
{
    return rx_concat_map(
        rx_window_boundary(ticks(2, 4, e->sched), ticks(5, 2, e->sched)),
        count_window, NULL);
}

static rx_observable *
b_buffer_boundary(const struct oom_env *e)
{
    return rx_map(
        rx_buffer_boundary(ticks(2, 4, e->sched), ticks(5, 2, e->sched)),
        oom_num, NULL);
}

static const struct oom_row combine_rows[] = {
    OOM_ROW("merge", b_merge, 0, 0, 1, 2, 5, 6),
    OOM_ROW("merge_timed", b_merge_timed, 0, 0, 10, 0, 11, 1),
    OOM_ROW("merge_array", b_merge_array, 0, 0, 1, 2, 5, 6),
    OOM_ROW("merge_timers", b_merge_timers, 0, 0, 0, 10, 0),
    OOM_ROW("zip", b_zip, 0, 0, 11, 13, 15),
    OOM_ROW("zip_array", b_zip_array, 0, 0, 11, 14),
    OOM_ROW("combine_latest", b_combine_latest, 0, 0, 1, 2, 3),
    OOM_ROW("with_latest_from", b_with_latest_from, 0, 0, 1, 3),
    OOM_ROW("race", b_race, 0, 0, 0, 1),
    OOM_ROW("take_until", b_take_until, 0, 0, 0, 1),
    OOM_ROW("skip_until", b_skip_until, 0, 0, 2, 3),
    OOM_ROW("start_with", b_start_with, 0, 0, 1, 2, 3, 4),
    OOM_ROW("flat_map", b_flat_map, 0, 0, 10, 11, 20, 21, 30, 31),
    OOM_ROW("concat_map", b_concat_map, 0, 0, 10, 11, 20, 21),
    OOM_ROW("switch_map", b_switch_map, 0, 0, 0, 10, 11, 12),
    OOM_ROW("exhaust_map", b_exhaust_map, 0, 0, 0, 1, 2),
    OOM_ROW("concat_map_eager", b_concat_map_eager, 0, 0, 10, 11, 12, 20, 21,
            22),
    OOM_ROW("switch_on_next", b_switch_on_next, 0, 0, 0, 1, 10, 11),
    OOM_ROW("expand", b_expand, 0, 0, 1, 2, 4),
    OOM_ROW("group_by", b_group_by, 0, 0, 3, 2),
    OOM_ROW("window_boundary", b_window_boundary, 0, 0, 2, 2),
    OOM_ROW("buffer_boundary", b_buffer_boundary, 0, 0, 2, 2),
};

/* ---- backpressure ---------------------------------------------------------
 */

static rx_observable *
b_bp_buffer(const struct oom_env *e)
{
    return rx_on_backpressure_buffer(ticks(1, 5, e->sched), 8,
                                     RX_OVERFLOW_ERROR);
}

static rx_observable *
b_bp_drop(const struct oom_env *e)
{
    return rx_on_backpressure_drop(ticks(1, 5, e->sched));
}

static rx_observable *
b_bp_latest(const struct oom_env *e)
{
    return rx_on_backpressure_latest(ticks(1, 5, e->sched));
}

static rx_observable *
b_bp_missing(const struct oom_env *e)
{
    return ticks(1, 5, e->sched);
}

/* Two items requested, never more: the strategies hold or drop the rest. */
#define BP_ROW(nm, fn, term, ...)                                              \
    {                                                                          \
        .name = (nm), .build = (fn), .want = {__VA_ARGS__},                    \
        .nwant = RX_NARGS_I64(__VA_ARGS__), .terminal = (term), .until = 20,   \
        .demand = 2                                                            \
    }

static const struct oom_row backpressure_rows[] = {
    BP_ROW("on_backpressure_buffer", b_bp_buffer, OOM_NONE, 0, 1),
    BP_ROW("on_backpressure_drop", b_bp_drop, 0, 0, 1),
    BP_ROW("on_backpressure_latest", b_bp_latest, OOM_NONE, 0, 1),
    BP_ROW("missing_backpressure", b_bp_missing, RX_EBACKPRESSURE, 0, 1),
};

/* ---- error recovery -------------------------------------------------------
 */

static rx_observable *
catch_handler(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)ctx;
    (void)out_err;
    return rx_range(7, 2);
}

static rx_observable *
b_catch(const struct oom_env *e)
{
    (void)e;
    return rx_catch(oom_then_fail(rx_range(1, 2)), catch_handler, NULL);
}

static rx_observable *
b_on_error_return(const struct oom_env *e)
{
    (void)e;
    return rx_on_error_return(oom_then_fail(rx_range(1, 2)), rx_int(0));
}

static rx_observable *
b_retry(const struct oom_env *e)
{
    (void)e;
    return rx_retry(oom_then_fail(rx_range(1, 2)), 1);
}

static rx_observable *
retry_once(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_take(errors, 1);
}

static rx_observable *
b_retry_when(const struct oom_env *e)
{
    (void)e;
    return rx_retry_when(oom_then_fail(rx_range(1, 2)), retry_once, NULL);
}

static rx_value
acquire(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(5);
}

static rx_observable *
use(rx_value resource, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(resource), 2);
}

static void
drop_resource(rx_value resource, void *ctx)
{
    (void)resource;
    (void)ctx;
}

static rx_observable *
b_using(const struct oom_env *e)
{
    (void)e;
    return rx_using(acquire, use, drop_resource, NULL);
}

static rx_observable *
b_merge_delay_error(const struct oom_env *e)
{
    (void)e;
    return rx_merge_delay_error(oom_then_fail(rx_range(1, 2)), rx_range(5, 2));
}

static rx_observable *
fail_on_one(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) == 1 ? rx_throw(oom_user_error()) : rx_just(v);
}

static rx_observable *
b_concat_map_delay_error(const struct oom_env *e)
{
    (void)e;
    return rx_concat_map_delay_error(rx_range(1, 2), fail_on_one, NULL);
}

static const struct oom_row error_rows[] = {
    OOM_ROW("catch", b_catch, 0, OOM_RECOVERS, 1, 2, 7, 8),
    OOM_ROW("on_error_return", b_on_error_return, 0, OOM_RECOVERS, 1, 2, 0),
    OOM_ROW("retry", b_retry, RX_T_EUSER, OOM_RECOVERS, 1, 2, 1, 2),
    OOM_ROW("retry_when", b_retry_when, 0, OOM_RECOVERS, 1, 2),
    OOM_ROW("using", b_using, 0, 0, 5, 6),
    /* The delay_error forms keep the other sources going after a failure
     * and report it at the end, so their items need not be a prefix. */
    OOM_ROW("merge_delay_error", b_merge_delay_error, RX_T_EUSER, OOM_RECOVERS,
            1, 2, 5, 6),
    OOM_ROW("concat_map_delay_error", b_concat_map_delay_error, RX_T_EUSER,
            OOM_RECOVERS, 2),
};

/* ---- multicast ------------------------------------------------------------
 */

static rx_observable *
b_share(const struct oom_env *e)
{
    return rx_share(ticks(2, 3, e->sched));
}

static rx_observable *
b_publish_auto_connect(const struct oom_env *e)
{
    (void)e;
    return rx_auto_connect(rx_publish(rx_range(1, 3)), 2);
}

static rx_observable *
b_ref_count(const struct oom_env *e)
{
    return rx_ref_count(rx_publish(ticks(2, 3, e->sched)));
}

static rx_observable *
b_replay(const struct oom_env *e)
{
    return rx_auto_connect(rx_replay(rx_range(1, 3), 0, 0, e->sched), 1);
}

static const struct oom_row multicast_rows[] = {
    OOM_ROW("share", b_share, 0, OOM_TWO_SUBS, 0, 1, 2),
    OOM_ROW("publish_auto_connect", b_publish_auto_connect, 0, OOM_TWO_SUBS, 1,
            2, 3),
    OOM_ROW("ref_count", b_ref_count, 0, OOM_TWO_SUBS, 0, 1, 2),
    OOM_ROW("replay", b_replay, 0, OOM_TWO_SUBS, 1, 2, 3),
};

/* ---- subjects ------------------------------------------------------------ */

enum { S_PUBLISH, S_BEHAVIOR, S_REPLAY, S_ASYNC, S_UNICAST };

static rx_subject *
make_subject(int kind, rx_scheduler *vs)
{
    switch (kind) {
    case S_PUBLISH:
        return rx_subject_publish();
    case S_BEHAVIOR:
        return rx_subject_behavior(rx_int(0));
    case S_REPLAY:
        return rx_subject_replay(0, 0, vs);
    case S_ASYNC:
        return rx_subject_async();
    default:
        return rx_subject_unicast(0);
    }
}

/* What subscriber `which` (0: before the items, 1: after them, before the
 * completion) of a subject of `kind` receives when the pushes listed in
 * `acc` (n of them) were accepted. */
static size_t
subject_expect(int kind, int which, const int64_t *acc, size_t n, int64_t *out)
{
    size_t k = 0;

    if (kind == S_ASYNC) {
        if (n > 0) {
            out[k++] = acc[n - 1];
        }
        return k;
    }
    if (kind == S_BEHAVIOR) {
        if (which == 0) {
            out[k++] = 0;
        } else {
            out[k++] = n > 0 ? acc[n - 1] : 0;
            return k;
        }
    }
    if (which == 1 && kind == S_PUBLISH) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        out[k++] = acc[i];
    }
    return k;
}

/* A subject with one subscriber before three pushes and one after them
 * (none for unicast), then completed. A push may fail with RX_ENOMEM (the
 * item is refused); each subscriber must receive exactly what the
 * accepted pushes give, or a prefix of it and one on_error(RX_ENOMEM). */
static void
subject_scenario(bool failed, const struct oom_row *r)
{
    int kind = r->arg;
    int nsubs = kind == S_UNICAST ? 1 : 2;
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t[2] = {NULL, NULL};
    rx_subject *s = vs != NULL ? make_subject(kind, vs) : NULL;
    rx_observable *o;
    int64_t acc[3];
    size_t nacc = 0;

    if (s == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    o = rx_subject_observable(s);
    assert_non_null(o);
    for (int i = 0; i < nsubs; i++) {
        t[i] = rx_test_observer_new(RX_UNBOUNDED);
        assert_non_null(t[i]);
    }
    if (rx_test_subscribe(o, t[0]) != 0) {
        assert_true(failed);
        rx_test_observer_free(t[0]);
        t[0] = NULL;
    }
    for (int64_t v = 1; v <= 3; v++) {
        int rc = rx_subject_next(s, rx_int(v));
        if (rc == 0) {
            acc[nacc++] = v;
        } else {
            assert_true(failed);
            assert_int_equal(rc, RX_ENOMEM);
        }
    }
    if (nsubs == 2 && rx_test_subscribe(o, t[1]) != 0) {
        assert_true(failed);
        rx_test_observer_free(t[1]);
        t[1] = NULL;
    }
    assert_int_equal(rx_subject_complete(s), 0);
    rx_observable_release(o);
    for (int i = 0; i < nsubs; i++) {
        struct oom_row want = *r;
        if (t[i] == NULL) {
            continue;
        }
        want.nwant = subject_expect(kind, i, acc, nacc, want.want);
        oom_check_outcome(t[i], &want, failed, true, false);
        rx_test_observer_free(t[i]);
    }
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

#define SUBJECT_ROW(nm, kind)                                                  \
    {                                                                          \
        .name = (nm), .custom = subject_scenario, .arg = (kind)                \
    }

static const struct oom_row subject_rows[] = {
    SUBJECT_ROW("subject_publish", S_PUBLISH),
    SUBJECT_ROW("subject_behavior", S_BEHAVIOR),
    SUBJECT_ROW("subject_replay", S_REPLAY),
    SUBJECT_ROW("subject_async", S_ASYNC),
    SUBJECT_ROW("subject_unicast", S_UNICAST),
};

/* ---- thread hops on a real loop -------------------------------------------
 */

static rx_observable *
b_observe_on(const struct oom_env *e)
{
    return rx_observe_on(rx_range(1, 5), e->sched, 2);
}

static rx_observable *
b_subscribe_on(const struct oom_env *e)
{
    return rx_subscribe_on(rx_range(1, 3), e->sched);
}

static rx_observable *
b_loop_interval(const struct oom_env *e)
{
    return rx_map(ticks(1, 3, e->sched), rx_t_times10, NULL);
}

/* Items made on a pool worker, delivered on the loop's thread. */
static rx_observable *
b_pool_hop(const struct oom_env *e)
{
    return rx_observe_on(
        rx_map(rx_subscribe_on(rx_range(1, 5), e->pool), rx_t_times10, NULL),
        e->sched, 2);
}

static rx_value
offload_fn(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * 10);
}

static rx_observable *
b_offload(const struct oom_env *e)
{
    return rx_offload(rx_range(1, 3), offload_fn, NULL, 1, e->loop);
}

static const struct oom_row thread_rows[] = {
    OOM_ROW("observe_on", b_observe_on, 0, OOM_LOOP, 1, 2, 3, 4, 5),
    OOM_ROW("subscribe_on", b_subscribe_on, 0, OOM_LOOP, 1, 2, 3),
    OOM_ROW("loop_interval", b_loop_interval, 0, OOM_LOOP, 0, 10, 20),
    OOM_ROW("offload", b_offload, 0, OOM_LOOP, 10, 20, 30),
    OOM_ROW("pool_to_loop", b_pool_hop, 0, OOM_LOOP | OOM_POOL, 10, 20, 30, 40,
            50),
};

/* ---- simulated I/O --------------------------------------------------------
 */

static rx_observable *
b_sim_sensor(const struct oom_env *e)
{
    rx_sim_sensor_config cfg = {
        .sched = e->sched, .mean_interval_ms = 5, .base = 7, .seed = 1};

    return rx_map(rx_take(rx_sim_sensor(&cfg), 3), oom_num, NULL);
}

static rx_observable *
b_sim_service(const struct oom_env *e)
{
    rx_sim_service_config cfg = {
        .sched = e->sched,
        .respond = rx_t_times10,
        .latency = {.kind = RX_SIM_FIXED, .ms = 5},
        .seed = 1,
    };
    rx_sim_service *svc = rx_sim_service_new(&cfg);
    rx_observable *o;

    if (svc == NULL) {
        return NULL;
    }
    o = rx_concat(rx_sim_call(svc, rx_int(1)), rx_sim_call(svc, rx_int(2)));
    rx_sim_service_release(svc);
    return o;
}

static const struct oom_row sim_rows[] = {
    OOM_ROW("sim_sensor", b_sim_sensor, 0, 0, 7, 7, 7),
    OOM_ROW("sim_service", b_sim_service, 0, 0, 10, 20),
};

/* ---- file I/O -------------------------------------------------------------
 */

static rx_observable *
b_file_lines(const struct oom_env *e)
{
    return rx_map(rx_file_lines(e->loop, e->path), oom_num, NULL);
}

static rx_observable *
b_file_chunks(const struct oom_env *e)
{
    return rx_map(rx_file_chunks(e->loop, e->path, 4), oom_num, NULL);
}

static rx_value
line_of(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_str(rx_as_int(v) == 1 ? "a\n" : "bc\n");
}

/* Writes "a\nbc\n" next to the input file and emits the byte count. */
static rx_observable *
b_write_file(const struct oom_env *e)
{
    char out[300];

    (void)snprintf(out, sizeof out, "%s.out", e->path);
    return rx_write_file(rx_map(rx_range(1, 2), line_of, NULL), e->loop, out,
                         UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC);
}

static const struct oom_row io_rows[] = {
    OOM_ROW("file_lines", b_file_lines, 0, OOM_LOOP, 2, 2, 3),
    OOM_ROW("file_chunks", b_file_chunks, 0, OOM_LOOP, 4, 4, 1),
    OOM_ROW("write_file", b_write_file, 0, OOM_LOOP, 5),
};

/* ---- the tests ------------------------------------------------------------
 */

#define FAMILY(rows)                                                           \
    {                                                                          \
#rows, rows, sizeof rows / sizeof rows[0], {0, 0 }, 0                  \
    }

static struct oom_family families[] = {
    FAMILY(time_rows),  FAMILY(combine_rows),   FAMILY(backpressure_rows),
    FAMILY(error_rows), FAMILY(multicast_rows), FAMILY(thread_rows),
    FAMILY(sim_rows),   FAMILY(io_rows),        FAMILY(subject_rows),
};

#define FAMILY_TEST(name, i)                                                   \
    static void name(void **state)                                             \
    {                                                                          \
        (void)state;                                                           \
        oom_run_family(&families[i]);                                          \
    }

FAMILY_TEST(test_oom_time, 0)
FAMILY_TEST(test_oom_combine, 1)
FAMILY_TEST(test_oom_backpressure, 2)
FAMILY_TEST(test_oom_error, 3)
FAMILY_TEST(test_oom_multicast, 4)
FAMILY_TEST(test_oom_thread, 5)
FAMILY_TEST(test_oom_sim, 6)
FAMILY_TEST(test_oom_io, 7)
FAMILY_TEST(test_oom_subjects, 8)

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        rx_unit_test(test_oom_time),         rx_unit_test(test_oom_combine),
        rx_unit_test(test_oom_backpressure), rx_unit_test(test_oom_error),
        rx_unit_test(test_oom_multicast),    rx_unit_test(test_oom_thread),
        rx_unit_test(test_oom_sim),          rx_unit_test(test_oom_io),
        rx_unit_test(test_oom_subjects),
    };

    return oom_main(tests, sizeof tests / sizeof tests[0], families,
                    sizeof families / sizeof families[0]);
}
