/* SPDX-License-Identifier: MIT */
/* Conformance rows for the error-recovery operators (catch,
 * on_error_return, retry, retry_when, using, the delay_error forms), the
 * subjects and the sharing operators, all on synchronous sources. The
 * sharing rows use replay, which honours each subscriber's demand (a
 * publish subject would fail a subscriber without demand, so its item
 * count would depend on the demand pattern). */
#include "conformance.h"

static rx_observable *
fail_after(int64_t n, int code)
{
    return rx_concat(rx_range(1, n), rx_throw(rx_error_new(code, "conf")));
}

static rx_observable *
to_range(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)ctx;
    (void)out_err;
    return rx_range(10, 3);
}

static rx_observable *
catch_to_range(void)
{
    return rx_catch(fail_after(2, RX_EBUSY), to_range, NULL);
}

static rx_observable *
on_error_return(void)
{
    return rx_on_error_return(fail_after(3, RX_EBUSY), rx_int(0));
}

static rx_observable *
retry_twice(void)
{
    return rx_retry(fail_after(2, RX_ETIMEDOUT), 2);
}

static rx_observable *
take_two(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_take(errors, 2);
}

static rx_observable *
retry_when_two(void)
{
    return rx_retry_when(fail_after(2, RX_ETIMEDOUT), take_two, NULL);
}

static rx_value
acquire(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(7);
}

static rx_observable *
make(rx_value resource, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(resource), 4);
}

static rx_observable *
using_range(void)
{
    return rx_using(acquire, make, NULL, NULL);
}

static rx_observable *
merge_delay_error(void)
{
    return rx_merge_delay_error(fail_after(2, RX_EBUSY), rx_range(5, 3));
}

static rx_observable *
triple_or_fail(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    if (rx_as_int(v) == 2) {
        return fail_after(1, RX_EBUSY);
    }
    return rx_range(rx_as_int(v) * 10, 3);
}

static rx_observable *
concat_map_delay_error(void)
{
    return rx_concat_map_delay_error(rx_range(1, 3), triple_or_fail, NULL);
}

/* A finished subject's observable (the handle is released). */
static rx_observable *
finished(rx_subject *s, int n, rx_error *err)
{
    rx_observable *obs;

    if (s == NULL) {
        rx_error_release(err);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        rx_subject_next(s, rx_int(i));
    }
    if (err != NULL) {
        rx_subject_error(s, err);
    } else {
        rx_subject_complete(s);
    }
    obs = rx_subject_observable(s);
    rx_subject_release(s);
    return obs;
}

static rx_observable *
replay_subject(void)
{
    return finished(rx_subject_replay(3, 0, NULL), 5, NULL);
}

static rx_observable *
replay_subject_error(void)
{
    return finished(rx_subject_replay(0, 0, NULL), 4,
                    rx_error_new(RX_ETIMEDOUT, "conf"));
}

static rx_observable *
unicast_subject(void)
{
    return finished(rx_subject_unicast(0), 6, NULL);
}

static rx_observable *
async_subject(void)
{
    return finished(rx_subject_async(), 3, NULL);
}

static rx_observable *
behavior_subject_ended(void)
{
    return finished(rx_subject_behavior(rx_int(1)), 3, NULL);
}

static rx_observable *
shared_replay(void)
{
    return rx_ref_count(rx_replay(rx_range(1, 5), 0, 0, NULL));
}

static rx_observable *
auto_connected_replay(void)
{
    return rx_auto_connect(rx_replay(rx_range(1, 4), 2, 0, NULL), 1);
}

const rx_conf_case rx_conf_cases_share[] = {
    {"catch(fails -> range)", catch_to_range, 5, RX_CONF_COMPLETE, 0},
    {"on_error_return", on_error_return, 4, RX_CONF_COMPLETE, 0},
    {"retry(2)", retry_twice, 6, RX_CONF_ERROR, RX_ETIMEDOUT},
    {"retry_when(take 2)", retry_when_two, 4, RX_CONF_COMPLETE, 0},
    {"using(range)", using_range, 4, RX_CONF_COMPLETE, 0},
    {"merge_delay_error", merge_delay_error, 5, RX_CONF_ERROR, RX_EBUSY},
    {"concat_map_delay_error", concat_map_delay_error, 7, RX_CONF_ERROR,
     RX_EBUSY},
    {"subject_replay(3), ended", replay_subject, 3, RX_CONF_COMPLETE, 0},
    {"subject_replay, failed", replay_subject_error, 4, RX_CONF_ERROR,
     RX_ETIMEDOUT},
    {"subject_unicast, ended", unicast_subject, 6, RX_CONF_COMPLETE, 0},
    {"subject_async, ended", async_subject, 1, RX_CONF_COMPLETE, 0},
    {"subject_behavior, ended", behavior_subject_ended, 0, RX_CONF_COMPLETE, 0},
    {"ref_count(replay(range))", shared_replay, 5, RX_CONF_COMPLETE, 0},
    {"auto_connect(replay(range, 2), 1)", auto_connected_replay, 4,
     RX_CONF_COMPLETE, 0},
};

const size_t rx_conf_cases_share_n =
    sizeof rx_conf_cases_share / sizeof rx_conf_cases_share[0];
