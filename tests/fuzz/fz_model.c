/* SPDX-License-Identifier: MIT */
/*
 * The reference model: each observable of a spec is a function from the
 * key at which it is subscribed to the list of signals it emits, written
 * as plain list transformations -- no demand, no fusion, no drain loops.
 * Concurrent streams are merged by key; where two of them meet at one
 * key the order is the scheduler's business, so the list's cut is set
 * there (fz.h).
 */
#include "fz.h"

#include <stdlib.h>
#include <string.h>

const fz_key fz_key_inf = {INT64_MAX, 0, 0};

int
fz_key_cmp(fz_key a, fz_key b)
{
    if (a.t != b.t)
        return a.t < b.t ? -1 : 1;
    if (a.phase != b.phase)
        return a.phase < b.phase ? -1 : 1;
    if (a.seq != b.seq)
        return a.seq < b.seq ? -1 : 1;
    return 0;
}

static fz_key
key_min(fz_key a, fz_key b)
{
    return fz_key_cmp(a, b) <= 0 ? a : b;
}

static fz_key
task_at(int64_t t)
{
    fz_key k = {t, 0, 0};
    return k;
}

static fz_list *
list_new(void)
{
    fz_list *l = malloc(sizeof *l);
    if (l == NULL)
        abort();
    l->n = 0;
    l->cut = fz_key_inf;
    l->overflow = false;
    return l;
}

static void
push(fz_list *l, fz_key k, int kind, int64_t v)
{
    if (l->n == FZ_MAX_SIGNALS) {
        l->overflow = true;
        return;
    }
    l->s[l->n].k = k;
    l->s[l->n].kind = kind;
    l->s[l->n].v = v;
    l->n++;
}

static void
inherit(fz_list *out, const fz_list *in)
{
    out->cut = key_min(out->cut, in->cut);
    out->overflow = out->overflow || in->overflow;
}

static void
cut_at(fz_list *l, fz_key k)
{
    l->cut = key_min(l->cut, k);
}

static int64_t
mod(int64_t v, int64_t m)
{
    return ((v % m) + m) % m;
}

static void model(const fz_spec *sp, int id, fz_key k0, fz_list *out);

/* ---- leaves --------------------------------------------------------- */

/* The subject's signals from the script: each push is script step i + 1. */
static void
model_subject(const fz_spec *sp, int subj, fz_key k0, fz_list *out)
{
    int64_t t = 0;
    bool before_end = false;
    fz_key end = fz_key_inf;
    int end_kind = 0;
    int64_t end_code = 0;

    for (int i = 0; i < sp->nact; i++) {
        const fz_action *a = &sp->act[i];
        fz_key k = {t, 1, i + 1};
        int kind = 0;
        if (a->kind == FZ_ADVANCE) {
            t += a->a;
            continue;
        }
        if (a->a != subj)
            continue;
        if (a->kind == FZ_SNEXT)
            kind = FZ_N;
        else if (a->kind == FZ_SCOMPLETE)
            kind = FZ_C;
        else if (a->kind == FZ_SERROR)
            kind = FZ_E;
        else
            continue;
        if (fz_key_cmp(k, k0) == 0) {
            cut_at(out, k0); /* pushed while this subscriber joins */
            return;
        }
        if (fz_key_cmp(k, k0) < 0) {
            if (kind != FZ_N && !before_end) {
                before_end = true; /* ended before the subscription */
                end_kind = kind;
                end_code = a->b;
            }
            continue;
        }
        if (before_end)
            break;
        push(out, k, kind, a->b);
        if (kind != FZ_N)
            return;
    }
    if (before_end)
        push(out, k0, end_kind, end_kind == FZ_E ? end_code : 0);
    (void)end;
}

static void
model_leaf(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    switch (nd->kind) {
    case FZ_INTS:
        for (int i = 0; i < nd->n; i++)
            push(out, k0, FZ_N, nd->items[i]);
        push(out, k0, FZ_C, 0);
        break;
    case FZ_RANGE:
        for (int64_t i = 0; i < nd->b; i++)
            push(out, k0, FZ_N, nd->a + i);
        push(out, k0, FZ_C, 0);
        break;
    case FZ_EMPTY:
        push(out, k0, FZ_C, 0);
        break;
    case FZ_THROW:
        push(out, k0, FZ_E, nd->code);
        break;
    case FZ_NEVER:
        break;
    case FZ_COLD:
        for (int i = 0; i < nd->n; i++)
            push(out, task_at(k0.t + nd->frames[i]), FZ_N, nd->items[i]);
        if (nd->term != FZ_TERM_NONE)
            push(out, task_at(k0.t + nd->term_frame),
                 nd->term == FZ_TERM_ERROR ? FZ_E : FZ_C,
                 nd->term == FZ_TERM_ERROR ? nd->code : 0);
        break;
    case FZ_SUBJECT:
        model_subject(sp, (int)nd->a, k0, out);
        break;
    default:
        abort();
    }
}

/* ---- one source ----------------------------------------------------- */

/* map, filter, take, skip, scan, reduce, distinct_until_changed,
 * take_while, on_error_return: item by item, nothing moves in time. */
static void
model_step(const fz_node *nd, const fz_list *in, fz_key k0, fz_list *out)
{
    int64_t count = 0, acc = 0, last = 0;
    bool have = false;

    if (nd->kind == FZ_TAKE && nd->a == 0) {
        push(out, k0, FZ_C, 0);
        return;
    }
    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        if (s->kind == FZ_E && nd->kind == FZ_ON_ERROR_RETURN) {
            push(out, s->k, FZ_N, nd->a);
            push(out, s->k, FZ_C, 0);
            return;
        }
        if (s->kind == FZ_C && nd->kind == FZ_REDUCE && have)
            push(out, s->k, FZ_N, acc);
        if (s->kind != FZ_N) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        count++;
        switch (nd->kind) {
        case FZ_MAP:
            if (nd->fail && s->v == nd->b) {
                push(out, s->k, FZ_E, FZ_EUSER);
                return;
            }
            push(out, s->k, FZ_N, s->v + nd->a);
            break;
        case FZ_FILTER:
            if (mod(s->v, 2) == nd->a)
                push(out, s->k, FZ_N, s->v);
            break;
        case FZ_TAKE:
            push(out, s->k, FZ_N, s->v);
            if (count == nd->a) {
                push(out, s->k, FZ_C, 0);
                return;
            }
            break;
        case FZ_SKIP:
            if (count > nd->a)
                push(out, s->k, FZ_N, s->v);
            break;
        case FZ_SCAN:
            acc = have ? acc + s->v : s->v;
            have = true;
            push(out, s->k, FZ_N, acc);
            break;
        case FZ_REDUCE:
            acc = have ? acc + s->v : s->v;
            have = true;
            break;
        case FZ_DUC:
            if (!have || s->v != last)
                push(out, s->k, FZ_N, s->v);
            have = true;
            last = s->v;
            break;
        case FZ_TAKE_WHILE:
            if (s->v >= nd->a) {
                push(out, s->k, FZ_C, 0);
                return;
            }
            push(out, s->k, FZ_N, s->v);
            break;
        case FZ_ON_ERROR_RETURN:
            push(out, s->k, FZ_N, s->v);
            break;
        default:
            abort();
        }
    }
}

/* retry(n): resubscribes at the key of each error, n times at most. */
static void
model_retry(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    fz_key k = k0;
    for (int64_t round = 0;; round++) {
        fz_list *in = list_new();
        bool again = false;
        model(sp, nd->kid[0], k, in);
        inherit(out, in);
        for (size_t i = 0; i < in->n && !out->overflow; i++) {
            if (in->s[i].kind == FZ_E && round < nd->a) {
                k = in->s[i].k;
                again = true;
                break;
            }
            push(out, in->s[i].k, in->s[i].kind, in->s[i].v);
        }
        free(in);
        if (!again || out->overflow)
            return;
    }
}

/* delay(d): items and the completion d later; an error at once, dropping
 * the items still waiting. */
static void
model_delay(const fz_node *nd, const fz_list *in, fz_list *out)
{
    size_t err = in->n;
    for (size_t i = 0; i < in->n; i++) {
        if (in->s[i].kind == FZ_E) {
            err = i;
            break;
        }
    }
    for (size_t i = 0; i < err; i++) {
        fz_key k = task_at(in->s[i].k.t + nd->a);
        if (err < in->n) {
            int c = fz_key_cmp(k, in->s[err].k);
            if (c == 0)
                cut_at(out, k);
            if (c >= 0)
                break;
        }
        push(out, k, in->s[i].kind, in->s[i].v);
    }
    if (err < in->n)
        push(out, in->s[err].k, FZ_E, in->s[err].v);
}

/* debounce(d): an item goes out d after it arrived unless another came
 * first; the completion flushes the waiting item; an error drops it. */
static void
model_debounce(const fz_node *nd, const fz_list *in, fz_list *out)
{
    bool waiting = false;
    int64_t wv = 0;
    fz_key due = fz_key_inf;

    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        if (waiting) {
            int c = fz_key_cmp(due, s->k);
            if (c == 0)
                cut_at(out, due);
            if (c < 0) {
                push(out, due, FZ_N, wv);
                waiting = false;
            }
        }
        if (s->kind == FZ_N) {
            waiting = true;
            wv = s->v;
            due = task_at(s->k.t + nd->a);
            continue;
        }
        if (s->kind == FZ_C && waiting)
            push(out, s->k, FZ_N, wv);
        push(out, s->k, s->kind, s->v);
        return;
    }
    if (waiting)
        push(out, due, FZ_N, wv);
}

static void
model_throttle_first(const fz_node *nd, const fz_list *in, fz_list *out)
{
    bool open = false;
    int64_t until = 0;
    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        if (s->kind != FZ_N) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        if (!open || s->k.t >= until) {
            push(out, s->k, FZ_N, s->v);
            open = true;
            until = s->k.t + nd->a;
        }
    }
}

/* ---- several streams ------------------------------------------------- */

/* An event of one of several streams; `label` says which stream decides
 * its order (fz.h: equal keys under different labels set the cut). */
typedef struct ev {
    fz_sig s;
    int stream; /* 0, 1: the two sources; 2 + i: inner i; -1: outer */
    int label;
    bool tie_free; /* takes part in no tie (flat_map's outer items) */
    bool sync;     /* emitted inside the call that subscribed its stream */
    size_t order;  /* position before sorting */
} ev;

typedef struct evs {
    ev *e;
    size_t n, cap;
} evs;

static void
ev_push(evs *v, const fz_sig *s, int stream, int label, bool tie_free,
        bool sync)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->e = realloc(v->e, v->cap * sizeof *v->e);
        if (v->e == NULL)
            abort();
    }
    v->e[v->n].s = *s;
    v->e[v->n].stream = stream;
    v->e[v->n].label = label;
    v->e[v->n].tie_free = tie_free;
    v->e[v->n].sync = sync;
    v->n++;
}

static int
ev_cmp(const void *pa, const void *pb)
{
    const ev *a = pa, *b = pb;
    int c = fz_key_cmp(a->s.k, b->s.k);
    if (c != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Sorts by key, keeping the order of the array within a key. */
static void
ev_sort(evs *v)
{
    for (size_t i = 0; i < v->n; i++)
        v->e[i].order = i;
    if (v->n > 1)
        qsort(v->e, v->n, sizeof *v->e, ev_cmp);
}

/* Sets the cut at the first key shared by two labels; with only_errors,
 * only groups holding an error count. A group whose events all happen
 * inside one call (each stream's signals at its own subscribe key, and
 * the outer items that subscribed them) has the depth-first order of
 * that call, which is the order of the array: no cut there. */
static void
ev_ties(const evs *v, bool only_errors, fz_list *out)
{
    size_t i = 0;
    while (i < v->n) {
        size_t j = i;
        int label = 0;
        bool have = false, mixed = false, error = false, sync = true;
        while (j < v->n && fz_key_cmp(v->e[j].s.k, v->e[i].s.k) == 0) {
            if (!v->e[j].tie_free) {
                if (have && v->e[j].label != label)
                    mixed = true;
                label = v->e[j].label;
                have = true;
                error = error || v->e[j].s.kind == FZ_E;
                sync = sync && v->e[j].sync;
            }
            j++;
        }
        if (mixed && !sync && (!only_errors || error)) {
            cut_at(out, v->e[i].s.k);
            return;
        }
        i = j;
    }
}

static void
ev_two(const fz_list *a, const fz_list *b, fz_key k0, evs *v)
{
    for (size_t i = 0; i < a->n; i++)
        ev_push(v, &a->s[i], 0, 0, false, fz_key_cmp(a->s[i].k, k0) == 0);
    for (size_t i = 0; i < b->n; i++)
        ev_push(v, &b->s[i], 1, 1, false, fz_key_cmp(b->s[i].k, k0) == 0);
    ev_sort(v);
}

/* zip reads a plain iterable (from_ints, range) directly: its items are
 * there from the start and it is done once they are used up (zip.c, as
 * RxJava's synchronous fusion); an empty one ends the stream when zip's
 * start-up loop reaches it, in source order. */
static bool
pulled(const fz_spec *sp, int id)
{
    int kind = sp->node[id].kind;
    return kind == FZ_INTS || kind == FZ_RANGE;
}

static void
ev_zip(const fz_spec *sp, const fz_node *nd, const fz_list *l[2], fz_key k0,
       evs *v)
{
    bool p[2] = {pulled(sp, nd->kid[0]), pulled(sp, nd->kid[1])};

    for (int side = 0; side < 2; side++) {
        p[side] = p[side] && l[side]->n > 1; /* items, then completion */
        for (size_t i = 0; p[side] && i < l[side]->n; i++)
            ev_push(v, &l[side]->s[i], side, side, false, true);
    }
    for (int side = 0; side < 2; side++) {
        for (size_t i = 0; !p[side] && i < l[side]->n; i++)
            ev_push(v, &l[side]->s[i], side, side, false,
                    fz_key_cmp(l[side]->s[i].k, k0) == 0);
    }
    ev_sort(v);
}

static void
model_merge(const evs *v, fz_list *out)
{
    int done = 0;
    ev_ties(v, false, out);
    for (size_t i = 0; i < v->n; i++) {
        const fz_sig *s = &v->e[i].s;
        if (s->kind == FZ_N) {
            push(out, s->k, FZ_N, s->v);
        } else if (s->kind == FZ_E || ++done == 2) {
            push(out, s->k, s->kind, s->v);
            return;
        }
    }
}

static void
model_zip(const evs *v, fz_list *out)
{
    int64_t q[2][FZ_MAX_SIGNALS];
    size_t head[2] = {0, 0}, tail[2] = {0, 0};
    bool done[2] = {false, false};

    ev_ties(v, true, out);
    for (size_t i = 0; i < v->n; i++) {
        const fz_sig *s = &v->e[i].s;
        int side = v->e[i].stream;
        if (s->kind == FZ_E) {
            push(out, s->k, FZ_E, s->v);
            return;
        }
        if (s->kind == FZ_C) {
            done[side] = true;
        } else if (tail[side] < FZ_MAX_SIGNALS) {
            q[side][tail[side]++] = s->v;
        }
        while (head[0] < tail[0] && head[1] < tail[1]) {
            push(out, s->k, FZ_N, q[0][head[0]++] + q[1][head[1]++]);
        }
        for (int k = 0; k < 2; k++) {
            if (done[k] && head[k] == tail[k]) {
                push(out, s->k, FZ_C, 0);
                return;
            }
        }
    }
}

static void
model_combine_latest(const evs *v, fz_list *out)
{
    bool have[2] = {false, false}, done[2] = {false, false};
    int64_t latest[2] = {0, 0};

    ev_ties(v, false, out);
    for (size_t i = 0; i < v->n; i++) {
        const fz_sig *s = &v->e[i].s;
        int side = v->e[i].stream;
        if (s->kind == FZ_E) {
            push(out, s->k, FZ_E, s->v);
            return;
        }
        if (s->kind == FZ_C) {
            done[side] = true;
            if (!have[side] || (done[0] && done[1])) {
                push(out, s->k, FZ_C, 0);
                return;
            }
            continue;
        }
        latest[side] = s->v;
        have[side] = true;
        if (have[0] && have[1])
            push(out, s->k, FZ_N, latest[0] + latest[1]);
    }
}

/* What an inner of flat_map / switch_map adds to its items. */
static int64_t
inner_bias(int64_t outer_item)
{
    return mod(outer_item, 64) * 1000;
}

/* flat_map (switching == false) and switch_map over `outer`. */
static void
model_flatten(const fz_spec *sp, const fz_node *nd, const fz_list *outer,
              bool switching, fz_list *out)
{
    evs v = {0};
    int ninner = 0, current = -1;
    bool outer_done = false;
    bool *done;

    for (size_t i = 0; i < outer->n; i++) {
        const fz_sig *s = &outer->s[i];
        if (s->kind != FZ_N) {
            ev_push(&v, s, -1, -1, false, true);
            continue;
        }
        /* The outer item spawns inner `ninner`, labelled with it. */
        ev_push(&v, s, -1, ninner, !switching, true);
        fz_list *in = list_new();
        model(sp, nd->kid[1], s->k, in);
        inherit(out, in);
        for (size_t j = 0; j < in->n; j++) {
            fz_sig x = in->s[j];
            if (x.kind == FZ_N)
                x.v += inner_bias(s->v);
            ev_push(&v, &x, 2 + ninner, ninner, false,
                    fz_key_cmp(x.k, s->k) == 0);
        }
        free(in);
        ninner++;
        if (v.n > FZ_MAX_SIGNALS) {
            out->overflow = true; /* too big to predict: skip it */
            break;
        }
    }
    ev_sort(&v);
    ev_ties(&v, false, out);
    done = calloc((size_t)ninner + 1, sizeof *done);
    if (done == NULL)
        abort();
    for (size_t i = 0; i < v.n; i++) {
        const ev *e = &v.e[i];
        const fz_sig *s = &e->s;
        bool all = true;
        if (e->stream == -1 && s->kind == FZ_N) {
            current = e->label;
            continue;
        }
        if (switching && e->stream >= 2 && e->stream - 2 != current)
            continue; /* switched away from */
        if (s->kind == FZ_N) {
            push(out, s->k, FZ_N, s->v);
            continue;
        }
        if (s->kind == FZ_E) {
            push(out, s->k, FZ_E, s->v);
            break;
        }
        if (e->stream == -1)
            outer_done = true;
        else
            done[e->stream - 2] = true;
        for (int j = 0; j < ninner; j++) {
            if (!done[j] && (!switching || j == current))
                all = false;
        }
        if (outer_done && all) {
            push(out, s->k, FZ_C, 0);
            break;
        }
    }
    free(done);
    free(v.e);
}

/* ---- the dispatcher -------------------------------------------------- */

static void
model_sequence(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    fz_list *a = list_new();
    model(sp, nd->kid[0], k0, a);
    inherit(out, a);
    for (size_t i = 0; i < a->n; i++) {
        const fz_sig *s = &a->s[i];
        bool next = (nd->kind == FZ_CONCAT && s->kind == FZ_C) ||
                    (nd->kind == FZ_CATCH && s->kind == FZ_E);
        if (next) {
            fz_list *b = list_new();
            model(sp, nd->kid[1], s->k, b);
            inherit(out, b);
            for (size_t j = 0; j < b->n; j++)
                push(out, b->s[j].k, b->s[j].kind, b->s[j].v);
            free(b);
            break;
        }
        push(out, s->k, s->kind, s->v);
    }
    free(a);
}

/* Nested flat_maps multiply: past this many subscriptions the model
 * gives up (overflow) rather than spend the fuzzer's time. */
#define MODEL_BUDGET 2000
static long model_calls;

static void
model(const fz_spec *sp, int id, fz_key k0, fz_list *out)
{
    const fz_node *nd = &sp->node[id];
    fz_list *a, *b;
    evs v = {0};

    if (++model_calls > MODEL_BUDGET) {
        out->overflow = true;
        return;
    }

    if (nd->kind < FZ_FIRST_UNARY) {
        model_leaf(sp, nd, k0, out);
        return;
    }
    if (nd->kind == FZ_RETRY) {
        model_retry(sp, nd, k0, out);
        return;
    }
    if (nd->kind == FZ_CONCAT || nd->kind == FZ_CATCH) {
        model_sequence(sp, nd, k0, out);
        return;
    }
    a = list_new();
    if (!(nd->kind == FZ_TAKE && nd->a == 0))
        model(sp, nd->kid[0], k0, a);
    inherit(out, a);
    switch (nd->kind) {
    case FZ_DELAY:
        model_delay(nd, a, out);
        break;
    case FZ_DEBOUNCE:
        model_debounce(nd, a, out);
        break;
    case FZ_THROTTLE_FIRST:
        model_throttle_first(nd, a, out);
        break;
    case FZ_FLAT_MAP:
    case FZ_SWITCH_MAP:
        model_flatten(sp, nd, a, nd->kind == FZ_SWITCH_MAP, out);
        break;
    case FZ_MERGE:
    case FZ_ZIP:
    case FZ_COMBINE_LATEST:
        b = list_new();
        model(sp, nd->kid[1], k0, b);
        inherit(out, b);
        if (nd->kind == FZ_ZIP) {
            const fz_list *l[2] = {a, b};
            ev_zip(sp, nd, l, k0, &v);
        } else {
            ev_two(a, b, k0, &v);
        }
        if (nd->kind == FZ_MERGE)
            model_merge(&v, out);
        else if (nd->kind == FZ_ZIP)
            model_zip(&v, out);
        else
            model_combine_latest(&v, out);
        free(v.e);
        free(b);
        break;
    default:
        model_step(nd, a, k0, out);
        break;
    }
    free(a);
}

void
fz_model(const fz_spec *sp, fz_list *out)
{
    fz_key k0 = {0, 1, 0};
    out->n = 0;
    out->cut = fz_key_inf;
    out->overflow = false;
    model_calls = 0;
    model(sp, sp->root, k0, out);
}
