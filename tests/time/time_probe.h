/* SPDX-License-Identifier: MIT */
/*
 * A recording subscriber for the time tests: it writes every signal it
 * gets into a log together with the virtual time it arrived at, so a
 * test asserts values, order and exact times in one string:
 *
 *     "2:a 4:[1,2] 6:|"      items at 2 and 4, completion at 6
 *     "5:#RX_ETIMEDOUT"      an error, by its code's name
 *
 * Items are rendered as integers, strings, arrays in brackets, `W` for a
 * window. With `open_windows` set, each window is subscribed as it
 * arrives (unbounded demand) and its signals are logged as `t:wK:x`, K
 * counting windows from 0. The probe also counts protocol breaches
 * (signals after a terminal signal) and checks on_finally ran.
 *
 * Include after rx_test.h. Everything is static: each test binary gets
 * its own copy.
 */
#ifndef UVRX_TESTS_TIME_PROBE_H
#define UVRX_TESTS_TIME_PROBE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_marble_file.h"

#define TP_MAX_WINDOWS 16

struct tp;

struct tp_window {
    struct tp *p;
    int index;
    rx_subscription *sub;
    bool done;
};

struct tp {
    rx_scheduler *vs;
    rx_subscription *sub;
    int64_t initial;      /* requested in on_subscribe */
    int64_t request_each; /* requested after each item; 0: none */
    size_t cancel_after;  /* cancel once this many items arrived; 0: never */
    bool open_windows;    /* subscribe each window item */
    char log[8192];
    size_t len;
    size_t items;
    int terminals;
    int after_terminal;
    int finallies;
    int code;      /* the error's code */
    char msg[512]; /* the error's message */
    struct tp_window windows[TP_MAX_WINDOWS];
    int nwindows;
};

/* Renders a value into buf (at most cap bytes). */
static inline void
tp_render(rx_value v, char *buf, size_t cap)
{
    size_t n;
    int64_t i;
    rx_observable *w;

    if (cap == 0) {
        return;
    }
    buf[0] = '\0';
    if (rx_get_int(v, &i) == 0) {
        snprintf(buf, cap, "%lld", (long long)i);
    } else if (rx_is_str(v)) {
        snprintf(buf, cap, "%s", rx_str_cstr(v));
    } else if (rx_is_array(v)) {
        n = rx_array_len(v);
        snprintf(buf, cap, "[");
        for (size_t k = 0; k < n; k++) {
            size_t used = strlen(buf);
            if (k > 0 && used + 1 < cap) {
                buf[used++] = ',';
                buf[used] = '\0';
            }
            tp_render(rx_array_at(v, k), buf + used, cap - used);
        }
        if (strlen(buf) + 1 < cap) {
            strcat(buf, "]");
        }
    } else if ((w = rx_window_observable(v)) != NULL) {
        rx_observable_release(w);
        snprintf(buf, cap, "W");
    } else {
        snprintf(buf, cap, "?");
    }
}

static inline void
tp_logf(struct tp *p, const char *fmt, const char *what)
{
    int n = snprintf(p->log + p->len, sizeof p->log - p->len,
                     "%s%llu:", p->len > 0 ? " " : "",
                     (unsigned long long)rx_scheduler_now(p->vs));

    if (n > 0 && (size_t)n < sizeof p->log - p->len) {
        p->len += (size_t)n;
    }
    n = snprintf(p->log + p->len, sizeof p->log - p->len, fmt, what);
    if (n > 0 && (size_t)n < sizeof p->log - p->len) {
        p->len += (size_t)n;
    }
}

static inline void
tpw_next(rx_value v, void *ctx)
{
    struct tp_window *w = ctx;
    char buf[256];
    char tag[300];

    tp_render(v, buf, sizeof buf);
    snprintf(tag, sizeof tag, "w%d:%s", w->index, buf);
    tp_logf(w->p, "%s", tag);
}

static inline void
tpw_error(const rx_error *err, void *ctx)
{
    struct tp_window *w = ctx;
    char tag[64];

    snprintf(tag, sizeof tag, "w%d:#%s", w->index,
             rx_err_name(rx_error_code(err)));
    tp_logf(w->p, "%s", tag);
    w->done = true;
}

static inline void
tpw_complete(void *ctx)
{
    struct tp_window *w = ctx;
    char tag[32];

    snprintf(tag, sizeof tag, "w%d:|", w->index);
    tp_logf(w->p, "%s", tag);
    w->done = true;
}

static inline void
tp_open_window(struct tp *p, rx_value v)
{
    rx_observable *obs = rx_window_observable(v);
    struct tp_window *w;

    assert_non_null(obs);
    assert_true(p->nwindows < TP_MAX_WINDOWS);
    w = &p->windows[p->nwindows];
    w->p = p;
    w->index = p->nwindows++;
    assert_int_equal(rx_subscribe(obs,
                                  &(rx_observer){
                                      .on_next = tpw_next,
                                      .on_error = tpw_error,
                                      .on_complete = tpw_complete,
                                      .ctx = w,
                                  },
                                  &w->sub),
                     0);
    rx_observable_release(obs);
}

static inline void
tp_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct tp *p = ctx;

    p->sub = sub;
    if (p->initial > 0) {
        rx_request(sub, p->initial);
    }
}

static inline void
tp_on_next(rx_value v, void *ctx)
{
    struct tp *p = ctx;
    char buf[1024];

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    tp_render(v, buf, sizeof buf);
    tp_logf(p, "%s", buf);
    p->items++;
    if (p->open_windows) {
        tp_open_window(p, v);
    }
    if (p->request_each > 0) {
        rx_request(p->sub, p->request_each);
    }
    if (p->cancel_after > 0 && p->items == p->cancel_after) {
        rx_cancel(p->sub);
    }
}

static inline void
tp_on_error(const rx_error *err, void *ctx)
{
    struct tp *p = ctx;
    char tag[64];

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    p->terminals++;
    p->code = rx_error_code(err);
    snprintf(p->msg, sizeof p->msg, "%s", rx_error_message(err));
    snprintf(tag, sizeof tag, "#%s", rx_err_name(p->code));
    tp_logf(p, "%s", tag);
}

static inline void
tp_on_complete(void *ctx)
{
    struct tp *p = ctx;

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    p->terminals++;
    tp_logf(p, "%s", "|");
}

static inline void
tp_on_finally(void *ctx)
{
    ((struct tp *)ctx)->finallies++;
}

/* Subscribes `p` (its settings filled in) to `obs` (taken). */
static inline void
tp_subscribe(struct tp *p, rx_scheduler *vs, rx_observable *obs)
{
    rx_observer ob = {
        .on_subscribe = tp_on_subscribe,
        .on_next = tp_on_next,
        .on_error = tp_on_error,
        .on_complete = tp_on_complete,
        .on_finally = tp_on_finally,
        .ctx = p,
    };
    rx_subscription *sub = NULL;

    p->vs = vs;
    assert_non_null(obs);
    assert_int_equal(rx_subscribe(obs, &ob, &sub), 0);
    assert_ptr_equal(sub, p->sub);
    rx_observable_release(obs);
}

/* Disposes the subscriptions; checks the protocol held. */
static inline void
tp_done(struct tp *p)
{
    for (int i = 0; i < p->nwindows; i++) {
        rx_dispose(p->windows[i].sub);
        p->windows[i].sub = NULL;
    }
    rx_dispose(p->sub);
    p->sub = NULL;
    assert_int_equal(p->after_terminal, 0);
    assert_true(p->terminals <= 1);
    assert_int_equal(p->finallies, 1);
}

/* The probe's log is exactly `expected`. */
#define assert_tp_log(p, expected) assert_string_equal((p)->log, (expected))

/* Moves virtual time to `t`, asserting the scheduler did not fail. */
static inline void
tp_advance_to(rx_scheduler *vs, uint64_t t)
{
    assert_true(rx_virtual_advance_to(vs, t) >= 0);
}

/* ---- allocation-failure sweeps ----------------------------------------- */

/* Builds the pipeline under test on `vs` (NULL with the last error on
 * failure, like any constructor). */
typedef rx_observable *(*tp_build_fn)(rx_scheduler *vs);

struct tp_oom {
    tp_build_fn build;
    uint64_t until;       /* run virtual time to here */
    int64_t initial;      /* demand; 0 means unbounded */
    const char *expected; /* the log of a run without failures */
};

/* One run of an allocation-failure sweep: every failure must be a clean
 * RX_ENOMEM (a NULL constructor, a failed subscribe, or on_error), and a
 * run that did not fail gives the expected log. */
static inline void
tp_oom_scenario(bool failed, void *ctx)
{
    const struct tp_oom *o = ctx;
    struct tp p = {.initial = o->initial > 0 ? o->initial : RX_UNBOUNDED};
    rx_observer ob = {
        .on_subscribe = tp_on_subscribe,
        .on_next = tp_on_next,
        .on_error = tp_on_error,
        .on_complete = tp_on_complete,
        .on_finally = tp_on_finally,
        .ctx = &p,
    };
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs;
    rx_subscription *sub = NULL;
    int rc;

    if (vs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    p.vs = vs;
    obs = o->build(vs);
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    rc = rx_subscribe(obs, &ob, &sub);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        assert_int_equal(p.len, 0);
        rx_scheduler_release(vs);
        return;
    }
    (void)rx_virtual_advance_to(vs, o->until);
    if (!failed || p.code != RX_ENOMEM) {
        assert_string_equal(p.log, o->expected);
    }
    rx_dispose(sub);
    assert_int_equal(p.after_terminal, 0);
    assert_int_equal(p.finallies, 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

/* Runs the sweep; asserts it exercised at least one failure. */
static inline void
tp_oom_sweep(tp_build_fn build, uint64_t until, const char *expected)
{
    struct tp_oom o = {.build = build, .until = until, .expected = expected};

    assert_true(rx_oom_sweep(tp_oom_scenario, &o) > 1);
}

/* ---- a bridge for marble cases ----------------------------------------- */

/* Marble runs subscribe with unbounded demand and render items by key.
 * tp_bridge() puts a plain subscriber between the operator under test and
 * the marble run: it subscribes `obs` asking for only `demand` items (so
 * a case can show RX_EBACKPRESSURE), and, with `windows`, turns each
 * window into the item "W" followed by the window's own items (so a case
 * can show what went into which window). The bridge is an rx_create
 * source; its state is freed with the observable (rx_attach). */

struct tp_bridge {
    rx_observable *src; /* the observable under test (owned) */
    int64_t demand;
    bool windows;
    rx_emitter *em;
    rx_subscription *sub;
    rx_subscription *wsubs[64];
    size_t nw;
    bool stopped; /* the bridge's stream ended: ignore everything */
    bool ended;   /* a terminal signal was forwarded */
};

static inline void
tpb_error(const rx_error *err, void *ctx)
{
    struct tp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        b->ended = true;
        rx_emitter_error(b->em, rx_error_retain(err));
    }
}

static inline void
tpb_item(rx_value v, void *ctx)
{
    struct tp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        rx_emitter_next(b->em, rx_value_retain(v));
    }
}

static inline void
tpb_next(rx_value v, void *ctx)
{
    struct tp_bridge *b = ctx;
    rx_observable *w;

    if (b->stopped || b->ended) {
        return;
    }
    w = b->windows ? rx_window_observable(v) : NULL;
    if (w == NULL) {
        tpb_item(v, ctx);
        return;
    }
    rx_emitter_next(b->em, rx_str("W"));
    assert_true(b->nw < sizeof b->wsubs / sizeof b->wsubs[0]);
    assert_int_equal(rx_subscribe(w,
                                  &(rx_observer){.on_next = tpb_item,
                                                 .on_error = tpb_error,
                                                 .ctx = b},
                                  &b->wsubs[b->nw]),
                     0);
    b->nw++;
    rx_observable_release(w);
}

static inline void
tpb_complete(void *ctx)
{
    struct tp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        b->ended = true;
        rx_emitter_complete(b->em);
    }
}

static inline void
tpb_subscribe(rx_subscription *sub, void *ctx)
{
    struct tp_bridge *b = ctx;

    if (b->demand > 0) {
        rx_request(sub, b->demand);
    }
}

/* The bridge's stream ended (any way): drop the subscriptions. */
static inline void
tpb_stop(void *ctx)
{
    struct tp_bridge *b = ctx;

    b->stopped = true;
    rx_dispose(b->sub);
    b->sub = NULL;
    for (size_t i = 0; i < b->nw; i++) {
        rx_dispose(b->wsubs[i]);
        b->wsubs[i] = NULL;
    }
}

static inline void
tpb_start(rx_emitter *em, void *ctx)
{
    struct tp_bridge *b = ctx;

    b->em = em;
    rx_emitter_set_cancel(em, tpb_stop, b);
    assert_int_equal(rx_subscribe(b->src,
                                  &(rx_observer){.on_subscribe = tpb_subscribe,
                                                 .on_next = tpb_next,
                                                 .on_error = tpb_error,
                                                 .on_complete = tpb_complete,
                                                 .ctx = b},
                                  &b->sub),
                     0);
}

static inline void
tpb_drop(void *ctx)
{
    struct tp_bridge *b = ctx;

    rx_observable_release(b->src);
    free(b);
}

/* `src` (taken) seen through the bridge; NULL when `src` is NULL. */
static inline rx_observable *
tp_bridge(rx_observable *src, int64_t demand, bool windows)
{
    struct tp_bridge *b;

    if (src == NULL) {
        return NULL;
    }
    b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->src = src;
    b->demand = demand;
    b->windows = windows;
    return rx_attach(rx_create(tpb_start, b), b, tpb_drop);
}

/* ---- marble case helpers ----------------------------------------------- */

/* Whether the op line of a marble case has the word `w`. */
static inline bool
tp_marble_has(const rx_marble_case *c, const char *w)
{
    for (size_t i = 1; i < c->argc; i++) {
        if (strcmp(c->argv[i], w) == 0) {
            return true;
        }
    }
    return false;
}

/* The integer after the word `w` on the op line (e.g. "demand 2"). */
static inline bool
tp_marble_after(const rx_marble_case *c, const char *w, int64_t *out)
{
    for (size_t i = 1; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], w) == 0) {
            return rx_marble_case_arg_int(c, i + 1, out);
        }
    }
    return false;
}

/* Puts the bridge behind `obs` when the case asks for limited demand
 * ("demand N") or the output holds windows. */
static inline rx_observable *
tp_marble_finish(const rx_marble_case *c, rx_observable *obs, bool windows)
{
    int64_t demand = RX_UNBOUNDED;

    if (tp_marble_after(c, "demand", &demand) || windows) {
        return tp_bridge(obs, demand, windows);
    }
    return obs;
}

/* Marble rendering of an array of one-character strings: the string of
 * their characters ("empty" for no item). */
static inline rx_value
tp_join(rx_value v, void *ctx, rx_error **err)
{
    char buf[64] = "";
    size_t n = rx_array_len(v);

    (void)ctx;
    (void)err;
    if (n == 0) {
        return rx_str("empty");
    }
    for (size_t i = 0; i < n && i + 1 < sizeof buf; i++) {
        rx_value s = rx_array_at(v, i);
        buf[i] = rx_is_str(s) ? rx_str_cstr(s)[0] : '?';
        buf[i + 1] = '\0';
    }
    return rx_str(buf);
}

/* Marble rendering of a [time, item] pair: the item's string followed by
 * the time ("a3"). */
static inline rx_value
tp_stamp(rx_value v, void *ctx, rx_error **err)
{
    char buf[64];
    rx_value item = rx_array_at(v, 1);

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "%s%lld",
             rx_is_str(item) ? rx_str_cstr(item) : "?",
             (long long)rx_as_int(rx_array_at(v, 0)));
    return rx_str(buf);
}

#endif /* UVRX_TESTS_TIME_PROBE_H */
