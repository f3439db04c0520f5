/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the filtering operators' tests (tests/filter/test_*.c).
 *
 * The probe is a test-only source built on the core's internals: it emits
 * the integers start, start+1, ... honouring demand and logs every request
 * and cancel it receives, so a test can check what an operator asked of
 * its upstream (take asks for at most count, distinct costs no request per
 * duplicate, ...). It is not iterable, so an operator below it runs on the
 * stage path, not on a fused source loop. The log belongs to the test and
 * must outlive every subscription.
 *
 * filter_expect_or_oom() is the body of the allocation-failure sweeps:
 * build, subscribe, and accept either the normal outcome or a clean
 * RX_ENOMEM (a NULL observable, a failed subscribe, or one on_error).
 */
#ifndef UVRX_TESTS_FILTER_PROBE_H
#define UVRX_TESTS_FILTER_PROBE_H

#include <string.h>

#include "rx-internal.h"
#include "rx_test.h"

struct probe_log {
    int64_t requested; /* sum of the requests, saturating */
    int requests;      /* how many requests arrived */
    int cancels;       /* how many cancels arrived */
    int64_t emitted;   /* how many items went down */
    int error_code;    /* set by the test: fail with it instead of
                          completing (0: complete) */
};

struct probe_obs {
    rx_observable base;
    int64_t start;
    int64_t count; /* < 0: never ends */
    struct probe_log *log;
};

struct probe_stage {
    rx__stage base;
    rx__demand d;
    int64_t next;
    int64_t end;
    bool endless;
    struct probe_log *log;
};

static inline bool
probe_pass(void *self)
{
    struct probe_stage *st = self;

    while (!st->d.cancelled && st->d.requested > 0 &&
           (st->endless || st->next < st->end)) {
        bool consumed = rx__emit_next(&st->base, rx_int(st->next++));
        st->log->emitted++;
        if (consumed) {
            st->d.requested = rx__demand_sub(st->d.requested, 1);
        }
    }
    if (!st->d.cancelled && !st->endless && st->next >= st->end) {
        st->d.cancelled = true;
        if (st->log->error_code != 0) {
            rx__emit_new_error(
                &st->base, rx_error_new(st->log->error_code, "probe failure"));
        } else {
            rx__emit_complete(&st->base);
        }
    }
    return false;
}

static inline void
probe_request(rx__stage *self, int64_t n)
{
    struct probe_stage *st = (struct probe_stage *)self;

    st->log->requested = rx__demand_add(st->log->requested, n);
    st->log->requests++;
    if (rx__demand_request(&st->d, n)) {
        rx__drain(&st->d, probe_pass, st);
    }
}

static inline void
probe_cancel(rx__stage *self)
{
    struct probe_stage *st = (struct probe_stage *)self;

    st->log->cancels++;
    st->d.cancelled = true;
}

static inline void
probe_start(rx__stage *self)
{
    struct probe_stage *st = (struct probe_stage *)self;

    st->d.started = true;
    rx__drain(&st->d, probe_pass, st);
}

static const struct rx__stage_ops probe_stage_ops = {
    .request = probe_request,
    .cancel = probe_cancel,
    .start = probe_start,
};

static inline int
probe_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct probe_obs *p = (struct probe_obs *)self;
    struct probe_stage *st;

    st = rx__stage_new(pipe, &probe_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->next = p->start;
    st->endless = p->count < 0;
    st->end = st->endless ? 0 : p->start + p->count;
    st->log = p->log;
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops probe_ops = {.assemble = probe_assemble};

/* A source of start .. start+count-1 (count < 0: endless) logging into
 * `log`, which the caller zeroes. */
static inline rx_observable *
probe_range(int64_t start, int64_t count, struct probe_log *log)
{
    struct probe_obs *p =
        rx__observable_new(RX_SITE("probe_range"), &probe_ops, sizeof *p, NULL);

    if (p == NULL) {
        return NULL;
    }
    p->start = start;
    p->count = count;
    p->log = log;
    return &p->base;
}

/* Subscribes a new test observer with this initial request to `o`
 * (taken), asserting both worked. */
static inline rx_test_observer *
filter_run(rx_observable *o, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(o);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    return t;
}

/* Subscribes a fresh unbounded test observer to `o` (taken) and checks
 * the outcome: the n expected integers and completion, or, when an
 * allocation failed (`failed`), a clean RX_ENOMEM anywhere on the way. */
static inline void
filter_expect_or_oom(rx_observable *o, const int64_t *expect, size_t n,
                     bool failed)
{
    rx_test_observer *t;
    char why[1024];
    int rc;

    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        assert_true(failed);
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_true(failed);
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_true(failed);
        assert_rx_error(t, RX_ENOMEM);
    } else {
        if (!rx_test_check_ints(t, expect, n, why, sizeof why)) {
            fail_msg("%s", why);
        }
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

/* Items were exactly these values (rx_value_equal()), in order. */
#define assert_rx_values(t, vals, n)                                           \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_test_check_values((t), (vals), (n), why_, sizeof why_)) {      \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

/* Items were exactly these strings, in order. */
static inline void
filter_assert_strs(const rx_test_observer *t, const char *const *want, size_t n)
{
    assert_int_equal(rx_test_count(t), n);
    for (size_t i = 0; i < n; i++) {
        const char *got = rx_str_cstr(rx_test_value(t, i));

        assert_non_null(got);
        assert_string_equal(got, want[i]);
    }
}

/* Records an error under another function's name, so a test can check a
 * NULL source leaves the last error untouched. */
static inline void
filter_set_other_last_error(void)
{
    assert_null(rx_map(rx_range(1, 1), NULL, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_map"));
}

/* The last error is still the one filter_set_other_last_error() set. */
#define assert_last_error_untouched()                                          \
    do {                                                                       \
        assert_int_equal(rx_last_error(), RX_EINVAL);                          \
        assert_non_null(strstr(rx_last_error_message(), "rx_map"));            \
    } while (0)

#endif /* UVRX_TESTS_FILTER_PROBE_H */
