/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the tests of the higher-order operators (switch_map,
 * exhaust_map, concat_map_eager, group_by, window_boundary,
 * buffer_boundary, expand):
 *
 * - manual sources: rx_create sources whose emitter the test keeps, so
 *   it decides when each inner emits, and which count their
 *   subscriptions, cancels and requests;
 * - a recording subscriber whose log reads as one string, optionally
 *   with virtual times ("2:a 4:|"), that can subscribe every group or
 *   window it receives and log their signals too ("G(a) a:1 a:|");
 * - named inner sources for marble cases: a case's sources named by one
 *   character play the inners, and the item "a" maps to the source
 *   named a;
 * - a marble bridge that shows a group as the upper-case letter of its
 *   key (a window as W) followed by the group's own items.
 *
 * Include after rx_test.h. Everything is static: each test binary gets
 * its own copy.
 */
#ifndef UVRX_TESTS_HIGHER_PROBE_H
#define UVRX_TESTS_HIGHER_PROBE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_hot.h"
#include "rx_marble_file.h"

/* ---- manual sources ------------------------------------------------- */

struct hp_manual {
    rx_emitter *em;
    int subscribed;
    int cancels;
};

static inline void
hp_manual_cancel(void *ctx)
{
    struct hp_manual *m = ctx;

    m->cancels++;
    m->em = NULL;
}

static inline void
hp_manual_create(rx_emitter *em, void *ctx)
{
    struct hp_manual *m = ctx;

    m->em = em;
    m->subscribed++;
    rx_emitter_set_cancel(em, hp_manual_cancel, m);
}

static inline rx_observable *
hp_manual(struct hp_manual *m)
{
    return rx_create(hp_manual_create, m);
}

static inline void
hp_emit(struct hp_manual *m, int64_t v)
{
    assert_non_null(m->em);
    assert_int_equal(rx_emitter_next(m->em, rx_int(v)), 0);
}

static inline void
hp_complete(struct hp_manual *m)
{
    assert_non_null(m->em);
    assert_int_equal(rx_emitter_complete(m->em), 0);
    m->em = NULL;
}

static inline void
hp_fail(struct hp_manual *m, int code)
{
    assert_non_null(m->em);
    assert_int_equal(rx_emitter_error(m->em, rx_error_new(code, "manual")), 0);
    m->em = NULL;
}

/* Inner i of a test is the manual source chosen by the item i. */
static struct hp_manual hp_inners[8];

static inline rx_observable *
hp_pick(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return hp_manual(&hp_inners[rx_as_int(v)]);
}

/* Functions from an integer item to a small synchronous inner. */
static inline rx_observable *
hp_triple(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 3);
}

static inline rx_observable *
hp_fn_null(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    /* A uvrx call that fails inside the function (RX_EINVAL). */
    return rx_take(rx_of_ints(1), -1);
}

static inline rx_observable *
hp_fn_fails(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "fn failed");
        return NULL;
    }
    return rx_of_ints(rx_as_int(v));
}

/* ---- the recording subscriber ---------------------------------------- */

#define HP_MAX_INNER 32

struct hp;

struct hp_inner {
    struct hp *p;
    rx_subscription *sub;
    char tag[32];
};

struct hp {
    rx_scheduler *vs;      /* when set, signals carry the virtual time */
    rx_subscription *sub;  /* the outer subscription */
    int64_t initial;       /* requested in on_subscribe; 0: none */
    int64_t request_each;  /* requested after each item; 0: none */
    size_t cancel_after;   /* cancel once this many items came; 0: never */
    bool open;             /* subscribe each group / window */
    const char *skip;      /* first letters of group keys not to open */
    int64_t inner_initial; /* demand of those subscriptions; 0: all */
    char log[8192];
    size_t len;
    size_t items;
    int windows; /* windows seen, for their tags */
    int terminals;
    int after_terminal;
    int finallies;
    int code; /* the outer error's code */
    char msg[512];
    struct hp_inner inner[HP_MAX_INNER];
    int ninner;
};

static inline void
hp_logs(struct hp *p, const char *tag, const char *what)
{
    char stamp[32] = "";
    int n;

    if (p->vs != NULL) {
        snprintf(stamp, sizeof stamp,
                 "%llu:", (unsigned long long)rx_scheduler_now(p->vs));
    }
    n = snprintf(p->log + p->len, sizeof p->log - p->len, "%s%s%s%s%s",
                 p->len > 0 ? " " : "", stamp, tag, tag[0] ? ":" : "", what);
    if (n > 0 && (size_t)n < sizeof p->log - p->len) {
        p->len += (size_t)n;
    }
}

/* Renders a value: integers, strings, arrays in brackets, G(key) for a
 * group, W for a window. */
static inline void
hp_render(rx_value v, char *buf, size_t cap)
{
    int64_t i;
    rx_observable *o;

    buf[0] = '\0';
    if (rx_get_int(v, &i) == 0) {
        snprintf(buf, cap, "%lld", (long long)i);
    } else if (rx_is_str(v)) {
        snprintf(buf, cap, "%s", rx_str_cstr(v));
    } else if (rx_is_array(v)) {
        size_t used;
        snprintf(buf, cap, "[");
        for (size_t k = 0; k < rx_array_len(v); k++) {
            used = strlen(buf);
            if (k > 0 && used + 1 < cap) {
                buf[used++] = ',';
                buf[used] = '\0';
            }
            hp_render(rx_array_at(v, k), buf + used, cap - used);
        }
        used = strlen(buf);
        if (used + 1 < cap) {
            buf[used] = ']';
            buf[used + 1] = '\0';
        }
    } else if ((o = rx_value_observable(v)) != NULL) {
        rx_value key = rx_group_key(v);
        char kb[64];

        rx_observable_release(o);
        if (rx_is_invalid(key)) {
            snprintf(buf, cap, "W");
        } else {
            hp_render(key, kb, sizeof kb);
            /* "G(key)", the key cut to what fits. */
            size_t kl = strlen(kb);
            if (cap >= 4) {
                if (kl > cap - 4) {
                    kl = cap - 4;
                }
                buf[0] = 'G';
                buf[1] = '(';
                memcpy(buf + 2, kb, kl);
                buf[2 + kl] = ')';
                buf[3 + kl] = '\0';
            }
            rx_value_release(key);
        }
    } else {
        snprintf(buf, cap, "?");
    }
}

static inline void
hpi_next(rx_value v, void *ctx)
{
    struct hp_inner *in = ctx;
    char buf[256];

    hp_render(v, buf, sizeof buf);
    hp_logs(in->p, in->tag, buf);
}

static inline void
hpi_error(const rx_error *err, void *ctx)
{
    struct hp_inner *in = ctx;
    char buf[64];

    snprintf(buf, sizeof buf, "#%s", rx_err_name(rx_error_code(err)));
    hp_logs(in->p, in->tag, buf);
}

static inline void
hpi_complete(void *ctx)
{
    struct hp_inner *in = ctx;

    hp_logs(in->p, in->tag, "|");
}

static inline void
hpi_subscribe(rx_subscription *sub, void *ctx)
{
    struct hp_inner *in = ctx;
    int64_t n = in->p->inner_initial;

    rx_request(sub, n > 0 ? n : RX_UNBOUNDED);
}

/* Subscribes a group or window the outer stream emitted. */
static inline void
hp_open(struct hp *p, rx_value v)
{
    rx_observable *o = rx_value_observable(v);
    rx_value key = rx_group_key(v);
    struct hp_inner *in;
    char kb[32];

    assert_non_null(o);
    if (!rx_is_invalid(key)) {
        hp_render(key, kb, sizeof kb);
        rx_value_release(key);
        if (p->skip != NULL && strchr(p->skip, kb[0]) != NULL) {
            rx_observable_release(o);
            return;
        }
    } else {
        snprintf(kb, sizeof kb, "w%d", p->windows++);
    }
    assert_true(p->ninner < HP_MAX_INNER);
    in = &p->inner[p->ninner++];
    in->p = p;
    snprintf(in->tag, sizeof in->tag, "%s", kb);
    assert_int_equal(rx_subscribe(o,
                                  &(rx_observer){
                                      .on_subscribe = hpi_subscribe,
                                      .on_next = hpi_next,
                                      .on_error = hpi_error,
                                      .on_complete = hpi_complete,
                                      .ctx = in,
                                  },
                                  &in->sub),
                     0);
    rx_observable_release(o);
}

static inline void
hp_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct hp *p = ctx;

    p->sub = sub;
    if (p->initial > 0) {
        rx_request(sub, p->initial);
    }
}

static inline void
hp_on_next(rx_value v, void *ctx)
{
    struct hp *p = ctx;
    char buf[1024];

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    hp_render(v, buf, sizeof buf);
    hp_logs(p, "", buf);
    p->items++;
    if (p->open) {
        rx_observable *o = rx_value_observable(v);

        if (o != NULL) {
            rx_observable_release(o);
            hp_open(p, v);
        }
    }
    if (p->request_each > 0) {
        rx_request(p->sub, p->request_each);
    }
    if (p->cancel_after > 0 && p->items == p->cancel_after) {
        rx_cancel(p->sub);
    }
}

static inline void
hp_on_error(const rx_error *err, void *ctx)
{
    struct hp *p = ctx;
    char buf[64];

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    p->terminals++;
    p->code = rx_error_code(err);
    snprintf(p->msg, sizeof p->msg, "%s", rx_error_message(err));
    snprintf(buf, sizeof buf, "#%s", rx_err_name(p->code));
    hp_logs(p, "", buf);
}

static inline void
hp_on_complete(void *ctx)
{
    struct hp *p = ctx;

    if (p->terminals > 0) {
        p->after_terminal++;
    }
    p->terminals++;
    hp_logs(p, "", "|");
}

static inline void
hp_on_finally(void *ctx)
{
    ((struct hp *)ctx)->finallies++;
}

/* Subscribes `p` (its settings filled in) to `obs` (taken). */
static inline void
hp_subscribe(struct hp *p, rx_observable *obs)
{
    rx_observer ob = {
        .on_subscribe = hp_on_subscribe,
        .on_next = hp_on_next,
        .on_error = hp_on_error,
        .on_complete = hp_on_complete,
        .on_finally = hp_on_finally,
        .ctx = p,
    };
    rx_subscription *sub = NULL;

    assert_non_null(obs);
    assert_int_equal(rx_subscribe(obs, &ob, &sub), 0);
    assert_ptr_equal(sub, p->sub);
    rx_observable_release(obs);
}

/* Disposes every subscription; checks the protocol held. */
static inline void
hp_done(struct hp *p)
{
    for (int i = 0; i < p->ninner; i++) {
        rx_dispose(p->inner[i].sub);
        p->inner[i].sub = NULL;
    }
    rx_dispose(p->sub);
    p->sub = NULL;
    assert_int_equal(p->after_terminal, 0);
    assert_true(p->terminals <= 1);
    assert_int_equal(p->finallies, 1);
}

#define assert_hp_log(p, expected) assert_string_equal((p)->log, (expected))

/* Moves virtual time on by `ms`, asserting the scheduler did not fail. */
static inline void
tp_advance(rx_scheduler *vs, int64_t ms)
{
    assert_true(rx_virtual_advance_by(vs, ms) >= 0);
}

/* ---- named inner sources for marble cases ----------------------------- */

/* The sources of a case named by one character, by name. */
struct hp_named {
    rx_observable *srcs[RX_MARBLE_MAX_SOURCES];
    char names[RX_MARBLE_MAX_SOURCES];
    size_t n;
};

static inline void
hp_named_drop(void *ctx)
{
    struct hp_named *t = ctx;

    for (size_t i = 0; i < t->n; i++) {
        rx_observable_release(t->srcs[i]);
    }
    free(t);
}

/* Splits a case's sources: returns the unnamed one (the outer) and puts
 * the named ones in a new table (taking them all). */
static inline rx_observable *
hp_named_split(const rx_marble_case *c, rx_observable **srcs,
               struct hp_named **out)
{
    struct hp_named *t = calloc(1, sizeof *t);
    rx_observable *outer = NULL;

    assert_non_null(t);
    for (size_t i = 0; i < c->nsources; i++) {
        if (c->sources[i].name == '\0' && outer == NULL) {
            outer = srcs[i];
        } else {
            t->names[t->n] = c->sources[i].name;
            t->srcs[t->n++] = srcs[i];
        }
    }
    *out = t;
    return outer;
}

/* The source named by the first character of a string item, retained;
 * NULL when there is none. */
static inline rx_observable *
hp_named_find(const struct hp_named *t, rx_value v)
{
    char name = rx_is_str(v) ? rx_str_cstr(v)[0] : '\0';

    for (size_t i = 0; i < t->n; i++) {
        if (t->names[i] == name) {
            return rx_observable_retain(t->srcs[i]);
        }
    }
    return NULL;
}

/* flat_map function: the inner named by the item; an error when none. */
static inline rx_observable *
hp_named_inner(rx_value v, void *ctx, rx_error **err)
{
    rx_observable *o = hp_named_find(ctx, v);

    if (o == NULL) {
        *err = rx_error_new(RX_EINVAL, "no inner source for the item");
    }
    return o;
}

/* expand function: the inner named by the item, or empty. */
static inline rx_observable *
hp_named_or_empty(rx_value v, void *ctx, rx_error **err)
{
    rx_observable *o = hp_named_find(ctx, v);

    (void)err;
    return o != NULL ? o : rx_empty();
}

/* switch_on_next input: the item becomes the named inner, as a value. */
static inline rx_value
hp_named_value(rx_value v, void *ctx, rx_error **err)
{
    rx_observable *o = hp_named_find(ctx, v);

    if (o == NULL) {
        *err = rx_error_new(RX_EINVAL, "no inner source for the item");
        return rx_nil();
    }
    return rx_observable_value(o);
}

/* Ties the table's lifetime to `obs` (NULL in, NULL out). */
static inline rx_observable *
hp_named_attach(rx_observable *obs, struct hp_named *t)
{
    return rx_attach(obs, t, hp_named_drop);
}

/* ---- a marble bridge for groups and windows --------------------------- */

/* Between the operator and the marble run: each group goes out as the
 * upper-case letter of its key, each window as W, followed by their
 * items (a group whose key's letter is in `skip` is not subscribed).
 * The bridge is an rx_create source; its state goes with the observable
 * (rx_attach). */

struct hp_bridge {
    rx_observable *src; /* the observable under test (owned) */
    char skip[16];
    rx_emitter *em;
    rx_subscription *sub;
    rx_subscription *subs[64];
    size_t nsubs;
    bool stopped;
    bool ended;
};

static inline void
hpb_error(const rx_error *err, void *ctx)
{
    struct hp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        b->ended = true;
        rx_emitter_error(b->em, rx_error_retain(err));
    }
}

static inline void
hpb_item(rx_value v, void *ctx)
{
    struct hp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        rx_emitter_next(b->em, rx_value_retain(v));
    }
}

static inline void
hpb_next(rx_value v, void *ctx)
{
    struct hp_bridge *b = ctx;
    rx_observable *o;
    rx_value key;
    char mark[2] = "W";

    if (b->stopped || b->ended) {
        return;
    }
    o = rx_value_observable(v);
    if (o == NULL) {
        hpb_item(v, ctx);
        return;
    }
    key = rx_group_key(v);
    if (!rx_is_invalid(key)) {
        mark[0] = rx_is_str(key) ? (char)toupper(rx_str_cstr(key)[0]) : '?';
        rx_value_release(key);
    }
    rx_emitter_next(b->em, rx_str(mark));
    if (strchr(b->skip, tolower(mark[0])) != NULL && mark[0] != 'W') {
        rx_observable_release(o);
        return;
    }
    assert_true(b->nsubs < sizeof b->subs / sizeof b->subs[0]);
    assert_int_equal(rx_subscribe(o,
                                  &(rx_observer){.on_next = hpb_item,
                                                 .on_error = hpb_error,
                                                 .ctx = b},
                                  &b->subs[b->nsubs]),
                     0);
    b->nsubs++;
    rx_observable_release(o);
}

static inline void
hpb_complete(void *ctx)
{
    struct hp_bridge *b = ctx;

    if (!b->stopped && !b->ended) {
        b->ended = true;
        rx_emitter_complete(b->em);
    }
}

static inline void
hpb_stop(void *ctx)
{
    struct hp_bridge *b = ctx;

    b->stopped = true;
    rx_dispose(b->sub);
    b->sub = NULL;
    for (size_t i = 0; i < b->nsubs; i++) {
        rx_dispose(b->subs[i]);
        b->subs[i] = NULL;
    }
}

static inline void
hpb_start(rx_emitter *em, void *ctx)
{
    struct hp_bridge *b = ctx;

    b->em = em;
    rx_emitter_set_cancel(em, hpb_stop, b);
    assert_int_equal(rx_subscribe(b->src,
                                  &(rx_observer){.on_next = hpb_next,
                                                 .on_error = hpb_error,
                                                 .on_complete = hpb_complete,
                                                 .ctx = b},
                                  &b->sub),
                     0);
}

static inline void
hpb_drop(void *ctx)
{
    struct hp_bridge *b = ctx;

    rx_observable_release(b->src);
    free(b);
}

/* `src` (taken) seen through the bridge; NULL when `src` is NULL. */
static inline rx_observable *
hp_bridge(rx_observable *src, const char *skip)
{
    struct hp_bridge *b;

    if (src == NULL) {
        return NULL;
    }
    b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->src = src;
    snprintf(b->skip, sizeof b->skip, "%s", skip != NULL ? skip : "");
    return rx_attach(rx_create(hpb_start, b), b, hpb_drop);
}

/* The word after `w` on a case's op line, or NULL. */
static inline const char *
hp_marble_word_after(const rx_marble_case *c, const char *w)
{
    for (size_t i = 1; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], w) == 0) {
            return c->argv[i + 1];
        }
    }
    return NULL;
}

/* The integer after the word `w` on a case's op line. */
static inline bool
hp_marble_int_after(const rx_marble_case *c, const char *w, int64_t *out)
{
    for (size_t i = 1; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], w) == 0) {
            return rx_marble_case_arg_int(c, i + 1, out);
        }
    }
    return false;
}

/* A key function for string items: the item lower-cased. */
static inline rx_value
hp_lower(rx_value v, void *ctx, rx_error **err)
{
    char buf[2] = {0, 0};

    (void)ctx;
    (void)err;
    buf[0] = (char)tolower(rx_str_cstr(v)[0]);
    return rx_str(buf);
}

/* A key function for integer items: odd or even. */
static inline rx_value
hp_parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) % 2);
}

/* flat_map function for groups and windows: the observable itself. */
static inline rx_observable *
hp_itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(v);
}

#endif /* UVRX_TESTS_HIGHER_PROBE_H */
