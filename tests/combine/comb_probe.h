/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the tests of the combination operators (zip,
 * combine_latest, with_latest_from, race, take_until, skip_until,
 * start_with): combiners, the marble case builder they share, and a
 * subscriber that fails two sources from inside its first on_next.
 *
 * Include after rx_test.h. Everything is static: each test binary gets
 * its own copy.
 */
#ifndef UVRX_TESTS_COMB_PROBE_H
#define UVRX_TESTS_COMB_PROBE_H

#include <stdio.h>
#include <string.h>

#include "rx_hot.h"
#include "rx_marble_file.h"

/* ---- combiners ------------------------------------------------------- */

/* Joins the items into one string: strings as they are, integers in
 * decimal ("a" and 1 give "a1"). */
static inline rx_value
cp_concat(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    char buf[256];
    size_t len = 0;

    (void)ctx;
    (void)err;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < sizeof buf; i++) {
        int w;
        if (rx_is_str(items[i])) {
            w = snprintf(buf + len, sizeof buf - len, "%s",
                         rx_str_cstr(items[i]));
        } else {
            w = snprintf(buf + len, sizeof buf - len, "%lld",
                         (long long)rx_as_int(items[i]));
        }
        len += w > 0 ? (size_t)w : 0;
    }
    return rx_str(buf);
}

/* The sum of integer items. */
static inline rx_value
cp_add(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int64_t sum = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        sum += rx_as_int(items[i]);
    }
    return rx_int(sum);
}

/* The sum, failing with RX_T_EUSER when it equals *(int64_t *)ctx. */
static inline rx_value
cp_add_fail_at(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    rx_value sum = cp_add(items, n, NULL, err);

    if (rx_as_int(sum) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "combiner failed at %lld",
                            (long long)rx_as_int(sum));
    }
    return sum;
}

/* Passes the last item on (with the reference a combiner must add). */
static inline rx_value
cp_last(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(items[n - 1]);
}

/* Returns rx_invalid(), as a combiner whose allocation failed does. */
static inline rx_value
cp_invalid(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)items;
    (void)n;
    (void)ctx;
    (void)err;
    return rx_invalid();
}

/* ---- a source that counts its starts ---------------------------------- */

static inline void
cp_count_start(rx_emitter *em, void *ctx)
{
    (void)em;
    ++*(int *)ctx;
}

/* A source that never signals and counts in *starts how many times it
 * was started (subscribed to for real, not just assembled). */
static inline rx_observable *
cp_counted(int *starts)
{
    return rx_create(cp_count_start, starts);
}

/* ---- checks ---------------------------------------------------------- */

/* Item i of t is an array of these integers. */
static inline void
cp_assert_int_array(const rx_test_observer *t, size_t i, const int64_t *want,
                    size_t n)
{
    rx_value v = rx_test_value(t, i);

    assert_true(rx_is_array(v));
    assert_int_equal(rx_array_len(v), n);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(rx_as_int(rx_array_at(v, k)), want[k]);
    }
}

/* Item i of t is this string. */
static inline void
cp_assert_str(const rx_test_observer *t, size_t i, const char *want)
{
    rx_value v = rx_test_value(t, i);

    assert_true(rx_is_str(v));
    assert_string_equal(rx_str_cstr(v), want);
}

/* ---- the marble case builder ----------------------------------------- */

/* Ops of tests/marbles/{zip,combine_latest,with_latest_from,race,
 * take_until,skip_until,start_with}.txt. The combining ops join their
 * items with cp_concat; an op name ending in a digit takes that many
 * sources (zip3); start_with takes `first` then `src` in file order. */
static inline rx_observable *
cp_build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
         void *ctx)
{
    size_t n = c->nsources;

    (void)vs;
    (void)ctx;
    if (n == 2 && rx_marble_case_is(c, "zip")) {
        return rx_zip(srcs[0], srcs[1], cp_concat, NULL);
    }
    if (rx_marble_case_is(c, "zip_array")) {
        return rx_zip_array(n, srcs, cp_concat, NULL);
    }
    if (n == 2 && rx_marble_case_is(c, "combine_latest")) {
        return rx_combine_latest(srcs[0], srcs[1], cp_concat, NULL);
    }
    if (rx_marble_case_is(c, "combine_latest_array")) {
        return rx_combine_latest_array(n, srcs, cp_concat, NULL);
    }
    if (n == 2 && rx_marble_case_is(c, "with_latest_from")) {
        return rx_with_latest_from(srcs[0], srcs[1], cp_concat, NULL);
    }
    if (n == 2 && rx_marble_case_is(c, "race")) {
        return rx_race(srcs[0], srcs[1]);
    }
    if (rx_marble_case_is(c, "race_array")) {
        return rx_race_array(n, srcs);
    }
    if (n == 2 && rx_marble_case_is(c, "take_until")) {
        return rx_take_until(srcs[0], srcs[1]);
    }
    if (n == 2 && rx_marble_case_is(c, "skip_until")) {
        return rx_skip_until(srcs[0], srcs[1]);
    }
    if (n == 2 && rx_marble_case_is(c, "start_with")) {
        return rx_start_with(srcs[1], srcs[0]);
    }
    for (size_t i = 0; i < n; i++) {
        rx_observable_release(srcs[i]);
    }
    return NULL; /* the case fails: op not understood */
}

/* ---- a subscriber that fails two sources inside its first on_next ---- */

struct cp_twice {
    rx_t_hot *first;  /* fails with RX_ETIMEDOUT */
    rx_t_hot *second; /* then fails with RX_T_EUSER */
    int items;
    int errors;
    int completes;
    int code;
    bool in_next; /* on_next is running */
    int nested;   /* signals that arrived while on_next was running */
};

static inline void
cp_twice_next(rx_value v, void *ctx)
{
    struct cp_twice *t = ctx;

    (void)v;
    t->in_next = true;
    if (t->items++ == 0) {
        rx_t_hot_error(t->first, RX_ETIMEDOUT);
        rx_t_hot_error(t->second, RX_T_EUSER);
    }
    t->in_next = false;
}

static inline void
cp_twice_error(const rx_error *err, void *ctx)
{
    struct cp_twice *t = ctx;

    t->nested += t->in_next;
    t->errors++;
    t->code = rx_error_code(err);
}

static inline void
cp_twice_complete(void *ctx)
{
    struct cp_twice *t = ctx;

    t->nested += t->in_next;
    t->completes++;
}

/* Subscribes a cp_twice subscriber to obs (taken); returns the handle. */
static inline rx_subscription *
cp_twice_subscribe(rx_observable *obs, struct cp_twice *t)
{
    rx_subscription *sub = NULL;
    rx_observer o = {
        .on_next = cp_twice_next,
        .on_error = cp_twice_error,
        .on_complete = cp_twice_complete,
        .ctx = t,
    };

    assert_non_null(obs);
    assert_int_equal(rx_subscribe(obs, &o, &sub), 0);
    rx_observable_release(obs);
    return sub;
}

#endif /* UVRX_TESTS_COMB_PROBE_H */
