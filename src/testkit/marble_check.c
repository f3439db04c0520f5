/* SPDX-License-Identifier: MIT */
/*
 * Running an observable on virtual time and turning what it emitted into
 * a marble diagram (rx_test_marbles), or comparing it with an expected
 * diagram signal by signal (rx_test_check_marbles).
 *
 * Both subscribe a recorder with unbounded demand at the current virtual
 * time, which is frame 0, advance the scheduler, and dispose the
 * subscription. The comparison is on events, not on text, so two
 * spellings of one diagram match and the message can say exactly which
 * signal differs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rx-internal.h"

#include "marble.h"

/* What arrived, with the frame it arrived in. */
struct recorder {
    rx_scheduler *vs;
    uint64_t start;          /* virtual time of frame 0 */
    struct rx__tk_event *ev; /* malloc'd; values retained */
    size_t n, cap;
    bool oom; /* an event could not be recorded */
};

static void
rec_add(struct recorder *r, enum rx__tk_kind kind, rx_value v, int code)
{
    struct rx__tk_event *e;

    if (r->n == r->cap) {
        size_t ncap = r->cap == 0 ? 16 : r->cap * 2;
        struct rx__tk_event *nev = realloc(r->ev, ncap * sizeof *nev);
        if (nev == NULL) {
            r->oom = true;
            return;
        }
        r->ev = nev;
        r->cap = ncap;
    }
    e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->frame = (int64_t)(rx_scheduler_now(r->vs) - r->start);
    e->kind = kind;
    e->value = rx_value_retain(v);
    e->code = code;
}

static void
rec_next(rx_value v, void *ctx)
{
    rec_add(ctx, RX__TK_NEXT, v, 0);
}

static void
rec_error(const rx_error *err, void *ctx)
{
    rec_add(ctx, RX__TK_ERROR, rx_nil(), rx_error_code(err));
}

static void
rec_complete(void *ctx)
{
    rec_add(ctx, RX__TK_COMPLETE, rx_nil(), 0);
}

static void
rec_clear(struct recorder *r)
{
    for (size_t i = 0; i < r->n; i++) {
        rx_value_release(r->ev[i].value);
    }
    free(r->ev);
    r->ev = NULL;
    r->n = r->cap = 0;
}

/* Subscribes the recorder at the current time and advances `vs` to
 * `until`. Returns 0, or a negative code with the last error set. */
static int
record(const char *fn, rx_scheduler *vs, rx_observable *obs, uint64_t until,
       struct recorder *r)
{
    rx_observer o = {
        .on_next = rec_next,
        .on_error = rec_error,
        .on_complete = rec_complete,
        .ctx = r,
    };
    rx_subscription *sub = NULL;
    int64_t rc;

    memset(r, 0, sizeof *r);
    if (vs == NULL || obs == NULL) {
        return rx__fail(RX_EINVAL, "%s: vs and obs must not be NULL", fn);
    }
    r->vs = vs;
    r->start = rx_scheduler_now(vs);
    rc = rx_subscribe(obs, &o, &sub);
    if (rc != 0) {
        return (int)rc;
    }
    rc = rx_virtual_advance_to(vs, until > r->start ? until : r->start);
    rx_dispose(sub);
    if (rc < 0) {
        rec_clear(r);
        return (int)rc;
    }
    if (r->oom) {
        rec_clear(r);
        return rx__fail(RX_ENOMEM, "%s: out of memory recording", fn);
    }
    return 0;
}

char *
rx_test_marbles(rx_scheduler *vs, rx_observable *obs, uint64_t until,
                const rx_marble_value *values, size_t n)
{
    struct recorder r;
    char *text;

    if (rx__tk_check_values("rx_test_marbles", values, n) != 0 ||
        record("rx_test_marbles", vs, obs, until, &r) != 0) {
        return NULL;
    }
    text = rx__tk_render(r.ev, r.n, values, n);
    rec_clear(&r);
    if (text == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_test_marbles: out of memory");
    }
    return text;
}

/* ---- comparison ------------------------------------------------------- */

/* Describes one event for a message: "'a' at frame 3". */
static void
describe(const struct rx__tk_event *e, const rx_marble_value *values, size_t n,
         char *buf, size_t cap)
{
    char c = '|';

    if (e == NULL) {
        snprintf(buf, cap, "nothing");
        return;
    }
    if (e->kind == RX__TK_ERROR) {
        snprintf(buf, cap, "an error (%s) at frame %lld",
                 e->code != 0 ? rx_err_name(e->code) : "#",
                 (long long)e->frame);
        return;
    }
    if (e->kind == RX__TK_NEXT) {
        c = rx__tk_key(e->value, values, n);
        if (rx_is_int(e->value)) {
            snprintf(buf, cap, "'%c' (%lld) at frame %lld", c,
                     (long long)e->value.as.i, (long long)e->frame);
            return;
        }
        if (rx_is_str(e->value)) {
            snprintf(buf, cap, "'%c' (\"%.40s\") at frame %lld", c,
                     rx_str_cstr(e->value), (long long)e->frame);
            return;
        }
        snprintf(buf, cap, "'%c' at frame %lld", c, (long long)e->frame);
        return;
    }
    snprintf(buf, cap, "completion at frame %lld", (long long)e->frame);
}

/* Whether a recorded event matches an expected one. `code` is the code
 * '#' must have, or 0 for any. */
static bool
same_event(const struct rx__tk_event *want, const struct rx__tk_event *got,
           int code)
{
    if (want->frame != got->frame || want->kind != got->kind) {
        return false;
    }
    switch (want->kind) {
    case RX__TK_NEXT:
        return rx_value_equal(want->value, got->value);
    case RX__TK_ERROR:
        return code == 0 || code == got->code;
    default:
        return true;
    }
}

/* Writes the mismatch message: the first difference, then both
 * diagrams. */
static bool
mismatch(const struct rx__tk_diagram *want, const struct recorder *r, size_t i,
         const char *expected, const rx_marble_value *values, size_t n,
         char *why, size_t cap)
{
    char w[96];
    char g[96];
    char *actual = rx__tk_render(r->ev, r->n, values, n);
    bool ok;

    describe(i < want->n ? &want->ev[i] : NULL, values, n, w, sizeof w);
    describe(i < r->n ? &r->ev[i] : NULL, values, n, g, sizeof g);
    ok = rx__tk_fail(why, cap,
                     "marbles differ at signal %zu: expected %s, got %s\n"
                     "expected: %s\n"
                     "  actual: %s",
                     i + 1, w, g, expected,
                     actual != NULL ? actual : "(out of memory)");
    free(actual);
    return ok;
}

bool
rx_test_check_marbles(rx_scheduler *vs, rx_observable *obs,
                      const char *expected, const rx_marble_value *values,
                      size_t n, char *why, size_t cap)
{
    const char *fn = "rx_test_check_marbles";
    struct rx__tk_diagram want;
    struct recorder r;
    uint64_t until;
    int code;
    size_t i;
    bool ok;

    if (expected == NULL) {
        return rx__tk_fail(why, cap, "%s: expected must not be NULL", fn);
    }
    if (rx__tk_check_values(fn, values, n) != 0 ||
        rx__tk_parse(fn, expected, 0, values, n, &want) != 0) {
        return rx__tk_fail(why, cap, "%s", rx_last_error_message());
    }
    code = rx__tk_lookup(values, n, '#') != NULL ? rx__tk_error_code(values, n)
                                                 : 0;
    for (i = 0; i < want.n; i++) {
        want.ev[i].code = want.ev[i].kind == RX__TK_ERROR ? code : 0;
    }
    until = vs != NULL ? rx_scheduler_now(vs) : 0;
    if (want.width > 0) {
        until += (uint64_t)want.width - 1;
    }
    if (record(fn, vs, obs, until, &r) != 0) {
        rx__tk_diagram_clear(&want);
        return rx__tk_fail(why, cap, "%s", rx_last_error_message());
    }
    for (i = 0; i < want.n && i < r.n; i++) {
        if (!same_event(&want.ev[i], &r.ev[i], code)) {
            break;
        }
    }
    ok = i == want.n && i == r.n;
    if (!ok) {
        mismatch(&want, &r, i, expected, values, n, why, cap);
    }
    rec_clear(&r);
    rx__tk_diagram_clear(&want);
    return ok;
}
