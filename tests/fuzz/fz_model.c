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

#include <uvrx.h>

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

static bool paced(const fz_spec *sp, int id);
static bool has_hot(const fz_spec *sp, int id);

/* Whether a unicast subject is in the tree under id. */
static bool
has_unicast(const fz_spec *sp, int id)
{
    const fz_node *nd = &sp->node[id];
    if (nd->kind < FZ_FIRST_UNARY)
        return nd->kind == FZ_SUBJECT && sp->subj_kind[nd->a] == FZ_UNICAST;
    return has_unicast(sp, nd->kid[0]) ||
           (nd->kind >= FZ_FIRST_BINARY && has_unicast(sp, nd->kid[1]));
}

static int64_t
mod(int64_t v, int64_t m)
{
    return ((v % m) + m) % m;
}

static void model(const fz_spec *sp, int id, fz_key k0, fz_list *out);

/* ---- leaves --------------------------------------------------------- */

/* The subject's signals from the script: each push is script step i + 1.
 * A publish subject sends what is pushed from k0 on; one that ended
 * before sends its terminal signal at k0. A behavior subject first sends
 * the item it holds (the initial one, or the latest pushed) at k0 unless
 * it ended; a replay subject first sends the last `count` items pushed
 * before k0 (all without a count bound) that are younger than its age
 * bound at k0 (an item exactly that old is gone), also after it ended,
 * then the terminal signal. An async subject sends nothing before its
 * end; at a completion (at once to a later subscriber) the last item
 * pushed, if any, then the completion; an error alone. A unicast
 * subject's first subscriber gets the items pushed before it came (the
 * first `capacity` of them; later ones are refused), the terminal signal
 * after them, and what is pushed from k0 on; every other subscriber
 * fails with RX_EBUSY at once (which subscription is first: fz_model).
 * Pushes after the end are refused. */
/* Which signal script step i pushes into subject subj, or 0. */
static int
subject_signal(const fz_action *a, int subj)
{
    if (a->kind < FZ_SNEXT || a->a != subj)
        return 0;
    return a->kind == FZ_SNEXT ? FZ_N : a->kind == FZ_SCOMPLETE ? FZ_C : FZ_E;
}

/* Unicast subjects: pass 1 of fz_model records the earliest key each one
 * is subscribed at (and how many subscriptions share it); pass 2 hands
 * the items to the subscription at that key and RX_EBUSY to the others. */
static struct {
    bool pass2;
    fz_key first[FZ_MAX_SUBJECTS];
    int ties[FZ_MAX_SUBJECTS];
} uni;

static bool
unicast_claims(int subj, fz_key k0)
{
    int c = fz_key_cmp(k0, uni.first[subj]);
    if (!uni.pass2) {
        if (c < 0) {
            uni.first[subj] = k0;
            uni.ties[subj] = 1;
        } else if (c == 0) {
            uni.ties[subj]++;
        }
        return true;
    }
    return c <= 0;
}

static void
model_subject(const fz_spec *sp, int subj, fz_key k0, fz_list *out)
{
    int kind = sp->subj_kind[subj];
    int64_t t = 0, held = sp->subj_param[subj], age = sp->subj_age[subj];
    int64_t memo[FZ_MAX_ACTIONS], when[FZ_MAX_ACTIONS];
    size_t nmemo = 0, count = 0, capacity = 0;
    bool ended = false, have = kind == FZ_BEHAVIOR;
    int end_kind = 0, i;
    int64_t end_code = 0;

    if (kind == FZ_UNICAST && !unicast_claims(subj, k0)) {
        push(out, k0, FZ_E, RX_EBUSY);
        return;
    }
    if (kind == FZ_REPLAY)
        count = (size_t)sp->subj_param[subj];
    if (kind == FZ_UNICAST)
        capacity = (size_t)sp->subj_param[subj];
    /* Before k0: what the subject holds when this subscriber joins. */
    for (i = 0; i < sp->nact; i++) {
        const fz_action *a = &sp->act[i];
        fz_key k = {t, 1, i + 1};
        int sig = subject_signal(a, subj);
        int c = fz_key_cmp(k, k0);
        if (a->kind == FZ_ADVANCE) {
            if (fz_key_cmp(task_at(t + a->a), k0) > 0)
                break;
            t += a->a;
            continue;
        }
        if (sig == 0)
            continue;
        if (c == 0) {
            cut_at(out, k0); /* pushed while this subscriber joins */
            return;
        }
        if (c > 0)
            break;
        if (ended)
            continue; /* refused */
        if (sig != FZ_N) {
            ended = true;
            end_kind = sig;
            end_code = a->b;
            if (sig == FZ_E && kind == FZ_ASYNC)
                have = false; /* an error sends no item */
        } else if (kind == FZ_REPLAY || kind == FZ_UNICAST) {
            if (kind == FZ_UNICAST && capacity > 0 && nmemo == capacity)
                continue; /* refused: the buffer is full */
            if (count > 0 && nmemo == count) {
                memmove(memo, memo + 1, (count - 1) * sizeof *memo);
                memmove(when, when + 1, (count - 1) * sizeof *when);
                nmemo--;
            }
            when[nmemo] = t;
            memo[nmemo++] = a->b;
        } else {
            held = a->b;
            have = true;
        }
    }
    if (kind == FZ_BEHAVIOR && !ended)
        push(out, k0, FZ_N, held);
    if (kind == FZ_ASYNC && ended && end_kind == FZ_C && have)
        push(out, k0, FZ_N, held);
    for (size_t j = 0; j < nmemo; j++) {
        if (age == 0 || when[j] + age > k0.t)
            push(out, k0, FZ_N, memo[j]);
    }
    if (ended) {
        push(out, k0, end_kind, end_kind == FZ_E ? end_code : 0);
        return;
    }
    /* From k0 on: live. */
    for (; i < sp->nact; i++) {
        const fz_action *a = &sp->act[i];
        fz_key k = {t, 1, i + 1};
        int sig = subject_signal(a, subj);
        if (a->kind == FZ_ADVANCE) {
            t += a->a;
            continue;
        }
        if (sig == 0)
            continue;
        if (kind == FZ_ASYNC) {
            if (sig == FZ_N) {
                held = a->b;
                have = true;
                continue;
            }
            if (sig == FZ_C && have)
                push(out, k, FZ_N, held);
        }
        /* Known bug (tests/fuzz/known/README.md): a behavior subject's
         * subscriber whose initial item still waits for demand loses it
         * when the subject ends. Under bounded demand: cut. */
        if (kind == FZ_BEHAVIOR && sig != FZ_N &&
            sp->initial_request != RX_UNBOUNDED)
            cut_at(out, k);
        push(out, k, sig, sig == FZ_C ? 0 : a->b);
        if (sig != FZ_N)
            return;
    }
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

/* The first tick of throttle_last(p) subscribed at k0 after key k:
 * ticks are tasks at k0.t + m * p, m >= 1. An item at a tick's own key
 * (a task at that time) meets the tick at one instant: *tie. */
static fz_key
next_tick(fz_key k0, int64_t p, fz_key k, bool *tie)
{
    int64_t m = (k.t - k0.t) / p + 1;
    *tie = k.phase == 0 && k.t > k0.t && (k.t - k0.t) % p == 0;
    return task_at(k0.t + m * p);
}

/* throttle_last(p): at each tick the latest item since the previous one;
 * the item waiting at completion is dropped; terminals pass at once. */
static void
model_throttle_last(const fz_node *nd, const fz_list *in, fz_key k0,
                    fz_list *out)
{
    bool waiting = false, tie = false;
    int64_t wv = 0;
    fz_key due = fz_key_inf, tick;

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
        if (s->kind != FZ_N) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        tick = next_tick(k0, nd->a, s->k, &tie);
        if (tie)
            cut_at(out, s->k);
        if (!waiting)
            due = tick;
        waiting = true;
        wv = s->v;
    }
    if (waiting)
        push(out, due, FZ_N, wv);
}

/* audit(w): an item with no window running opens one of w ms; at its end
 * the latest item goes out. A completion during a window waits for its
 * end (item, then completion; also when both fall at one key); an error
 * passes at once and drops the item. */
static void
model_audit(const fz_node *nd, const fz_list *in, fz_list *out)
{
    bool open = false;
    int64_t latest = 0;
    fz_key end = fz_key_inf;

    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        if (open) {
            int c = fz_key_cmp(end, s->k);
            if (c == 0 && s->kind != FZ_C)
                cut_at(out, end);
            if (c < 0 || (c == 0 && s->kind == FZ_C)) {
                push(out, end, FZ_N, latest);
                open = false;
            }
        }
        if (s->kind == FZ_N) {
            if (!open)
                end = task_at(s->k.t + nd->a);
            open = true;
            latest = s->v;
            continue;
        }
        if (s->kind == FZ_C && open) {
            push(out, end, FZ_N, latest);
            push(out, end, FZ_C, 0);
            return;
        }
        push(out, s->k, s->kind, s->v);
        return;
    }
    if (open)
        push(out, end, FZ_N, latest);
}

int64_t
fz_array_code(const int64_t *v, size_t n)
{
    uint64_t h = n;
    for (size_t i = 0; i < n; i++)
        h = h * 1000003u + (uint64_t)v[i];
    /* Small, so that zip and scan can add codes without overflowing. */
    return (int64_t)(h % 1000000007u);
}

/* buffer_n(count, skip): a buffer starts at every skip-th item; one that
 * holds count items goes out (oldest first); the completion flushes the
 * open ones, shorter; an error drops them. */
static void
model_buffer_n(const fz_node *nd, const fz_list *in, fz_list *out)
{
    enum { MAXB = 4 }; /* count <= 4 and skip >= 1: at most 4 open */
    int64_t buf[MAXB][MAXB];
    size_t len[MAXB], nb = 0;
    int64_t seen = 0;

    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        if (s->kind == FZ_C) {
            for (size_t j = 0; j < nb; j++)
                push(out, s->k, FZ_N, fz_array_code(buf[j], len[j]));
        }
        if (s->kind != FZ_N) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        if (seen++ % nd->b == 0)
            len[nb++] = 0;
        for (size_t j = 0; j < nb; j++)
            buf[j][len[j]++] = s->v;
        if (nb > 0 && (int64_t)len[0] == nd->a) {
            push(out, s->k, FZ_N, fz_array_code(buf[0], len[0]));
            memmove(buf, buf + 1, (nb - 1) * sizeof buf[0]);
            memmove(len, len + 1, (nb - 1) * sizeof len[0]);
            nb--;
        }
    }
}

/* window_n(count, skip), each window through scan (running sum), merged
 * (flat_map) or concatenated (concat_map_eager). A window opens at every
 * skip-th item, just before it; each item goes into every open window,
 * oldest first; the oldest closes at count items; the source's terminal
 * signal ends the open ones. Merged, each window's sums go out with the
 * items. Concatenated, window w's sums wait for window w - 1 to close:
 * each goes out at the later of its key and that close; an error (which
 * reaches the windows first) drops what still waits.
 *
 * concat_map (not _eager) asks for one window at a time, so window_n asks
 * its upstream for count items, then skip more as each window closes
 * and the next is asked for. With `hot_paced` (a source that cannot slow
 * down, nothing between that moves items in time), an item beyond that
 * demand fails the stream with RX_EBACKPRESSURE: the model stops there
 * (a cut). With `moved` (a source that can slow down, but a stage
 * between that moves items in time, such as delay), the items asked for
 * after the start come later than the model's list says: it stops at
 * the first of them. (A source that cannot slow down behind such a
 * stage: the dispatcher cuts at the start.) */
static void
model_window_n(const fz_node *nd, const fz_list *in, bool hot_paced, bool moved,
               fz_list *out)
{
    enum { MAXW = FZ_MAX_SIGNALS };
    typedef struct {
        int64_t sum, len;
        fz_key end;
        bool by_term; /* ended by the source's terminal signal */
    } win;
    win *w = calloc(MAXW, sizeof *w);
    fz_list *seq = list_new(); /* concat: (key, window) of each sum */
    int *owner = calloc(FZ_MAX_SIGNALS, sizeof *owner);
    size_t nw = 0, first = 0;
    int64_t seen = 0;
    const fz_sig *term = NULL;
    int64_t demand = nd->a; /* upstream items asked for (concat_map) */

    if (w == NULL || owner == NULL)
        abort();
    hot_paced = hot_paced && nd->c == 2;
    moved = moved && nd->c == 2;
    for (size_t i = 0; i < in->n && term == NULL; i++) {
        const fz_sig *s = &in->s[i];
        if (s->kind != FZ_N) {
            term = s;
            break;
        }
        if ((hot_paced && seen >= demand) || (moved && seen >= nd->a)) {
            cut_at(out, s->k); /* beyond the demand (of the start) */
            break;
        }
        if (seen++ % nd->b == 0 && nw < MAXW) {
            w[nw].end = fz_key_inf;
            nw++;
        }
        for (size_t j = first; j < nw; j++) {
            w[j].sum = w[j].len ? w[j].sum + s->v : s->v;
            w[j].len++;
            if (nd->c == 0) {
                push(out, s->k, FZ_N, w[j].sum);
            } else if (seq->n < FZ_MAX_SIGNALS) {
                owner[seq->n] = (int)j;
                push(seq, s->k, FZ_N, w[j].sum);
            }
        }
        if (first < nw && w[first].len == nd->a) {
            w[first++].end = s->k;
            demand += nd->b; /* the next window is asked for */
        }
    }
    for (size_t j = first; j < nw && term != NULL; j++) {
        w[j].end = term->k;
        w[j].by_term = true;
    }
    for (size_t j = 0; j < nw && nd->c != 0; j++) {
        /* Window ends are in order: window j waits for j - 1's. */
        fz_key release = j > 0 ? w[j - 1].end : fz_key_inf;
        bool dropped = false;
        for (size_t i = 0; i < seq->n && !dropped; i++) {
            fz_key k = seq->s[i].k;
            if (owner[i] != (int)j)
                continue;
            if (j > 0 && fz_key_cmp(release, k) > 0)
                k = release;
            /* waits for ever, or for a window the error ends */
            dropped = j > 0 && (fz_key_cmp(k, fz_key_inf) == 0 ||
                                (w[j - 1].by_term && term->kind == FZ_E));
            if (!dropped)
                push(out, k, FZ_N, seq->s[i].v);
        }
        if (dropped)
            break;
    }
    if (term != NULL)
        push(out, term->k, term->kind, term->v);
    free(owner);
    free(seq);
    free(w);
}

/* group_by(v mod m) flattened by flat_map: a group's items go out as
 * they come, plus 1000 * (key + 1); the unwanted key's group is never
 * subscribed, so it is abandoned and its items go nowhere. */
static void
model_group_by(const fz_node *nd, const fz_list *in, fz_list *out)
{
    for (size_t i = 0; i < in->n; i++) {
        const fz_sig *s = &in->s[i];
        int64_t key;
        if (s->kind != FZ_N) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        key = mod(s->v, nd->a);
        if (key != nd->b)
            push(out, s->k, FZ_N, s->v + 1000 * (key + 1));
    }
}

/* share(src) (or ref_count(publish(src)): the same) subscribed by
 * merge(first, second) at k0: first is the share, or take(share, n);
 * second is map(share, +1000), subscribed right after first inside the
 * same call, or d ms later (by delay_subscription, or by concat after
 * ignore_elements(timer(d)): a task at k0.t + d).
 *
 * The first subscriber connects src at k0 and alone gets what src sends
 * inside that call. The connection ends when src ends (it is reset) or
 * when the count of subscribers drops to zero (first's take cancels
 * before second came: disconnected). If it ended before second came,
 * second connects afresh: src's list again from its own key, plus 1000.
 * Otherwise second joins the running connection and gets src's signals
 * after its key, the first subscriber before the second at each key
 * (the subject's order); first leaving by its take does not stop src.
 * A task of src at second's key meets the delayed subscribe at one
 * instant: cut. merge ends at the first error or at the second
 * completion; an error of first before second came ends it alone. */
/* The two earliest keys each share node is subscribed at. One built
 * share may be subscribed again (by a flattening map's inners, retry,
 * catch's fallback): the subscribers join the running connection, which
 * this model does not follow, so fz_model cuts at the second key. */
static fz_key share_keys[FZ_MAX_NODES][2];

/* merge of two lists, a first at equal keys. */
static void
merge_first(const fz_list *a, const fz_list *b, fz_list *out)
{
    size_t i = 0, j = 0;
    int done = 0;
    while (i < a->n || j < b->n) {
        bool take_a =
            j >= b->n || (i < a->n && fz_key_cmp(a->s[i].k, b->s[j].k) <= 0);
        const fz_sig *s = take_a ? &a->s[i++] : &b->s[j++];
        if (s->kind == FZ_N) {
            push(out, s->k, FZ_N, s->v);
        } else if (s->kind == FZ_E || ++done == 2) {
            push(out, s->k, s->kind, s->v);
            return;
        }
        /* a list ends at its terminal signal */
        if (s->kind != FZ_N && take_a)
            i = a->n;
        else if (s->kind != FZ_N)
            j = b->n;
    }
}

static void
model_share(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    fz_list *l = list_new(), *first = list_new(), *second = list_new();
    fz_key *kk = share_keys[nd - sp->node];
    bool late = nd->b > 0;
    fz_key k2 = late ? task_at(k0.t + nd->b) : k0, end = fz_key_inf;
    int64_t count = 0;
    int end_kind = 0;

    if (fz_key_cmp(k0, kk[0]) < 0) {
        kk[1] = kk[0];
        kk[0] = k0;
    } else if (fz_key_cmp(k0, kk[1]) < 0) {
        kk[1] = k0;
    }

    model(sp, nd->kid[0], k0, l);
    inherit(out, l);
    for (size_t i = 0; i < l->n; i++) {
        const fz_sig *s = &l->s[i];
        push(first, s->k, s->kind, s->v);
        if (s->kind == FZ_N && nd->a > 0 && ++count == nd->a) {
            push(first, s->k, FZ_C, 0); /* take cancels src here */
            end = s->k;
            end_kind = FZ_C;
            /* src's list was modelled to its end: a unicast subject in
             * it counts as claimed by this run although the cancel may
             * have come before src reached it (concat) */
            if (has_unicast(sp, nd->kid[0]))
                cut_at(out, end);
            break;
        }
        if (s->kind != FZ_N) {
            end = s->k;
            end_kind = s->kind;
            break;
        }
    }
    if (late && fz_key_cmp(end, k2) == 0) {
        cut_at(out, k2); /* first leaves as second comes */
    } else if (end_kind == FZ_E &&
               (fz_key_cmp(end, k2) < 0 || (!late && !fz_key_cmp(end, k2)))) {
        /* merge failed before second was subscribed */
    } else if (fz_key_cmp(end, k2) < 0 || (!late && !fz_key_cmp(end, k2))) {
        fz_list *again = list_new(); /* the connection was reset */
        model(sp, nd->kid[0], k2, again);
        inherit(out, again);
        for (size_t j = 0; j < again->n; j++) {
            const fz_sig *x = &again->s[j];
            push(second, x->k, x->kind, x->kind == FZ_N ? x->v + 1000 : x->v);
        }
        free(again);
    } else {
        /* One connection: each signal of src goes to first (while it
         * listens), then to second (once it joined). */
        bool listening = true;
        int done = 0;
        count = 0;
        for (size_t i = 0; i < l->n; i++) {
            const fz_sig *s = &l->s[i];
            int c = fz_key_cmp(s->k, k2);
            if (c == 0 && late)
                cut_at(out, k2);
            if (listening && s->kind == FZ_N) {
                push(out, s->k, FZ_N, s->v);
                if (nd->a > 0 && ++count == nd->a) {
                    listening = false;
                    done++;
                }
            } else if (listening && s->kind == FZ_E) {
                push(out, s->k, FZ_E, s->v);
                break;
            } else if (listening) {
                done++; /* merge waits for second */
            }
            if (c <= 0)
                continue; /* before second joined */
            if (s->kind == FZ_N) {
                push(out, s->k, FZ_N, s->v + 1000);
                continue;
            }
            if (s->kind == FZ_E || ++done == 2)
                push(out, s->k, s->kind, s->v);
            break;
        }
        free(second);
        free(first);
        free(l);
        return;
    }
    merge_first(first, second, out);
    free(second);
    free(first);
    free(l);
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

/* The key of a list's terminal signal, or fz_key_inf. */
static fz_key
end_key(const fz_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->s[i].kind != FZ_N)
            return l->s[i].k;
    }
    return fz_key_inf;
}

/* flat_map (switching == false), switch_map and exhaust_map over
 * `outer`. exhaust_map drops an outer item that comes while its inner
 * runs, that is before the inner's terminal key; at that very key the
 * order is the scheduler's (cut), unless the inner ended inside the call
 * that subscribed it (depth-first: before the next outer item). */
static void
model_flatten(const fz_spec *sp, const fz_node *nd, const fz_list *outer,
              bool switching, fz_list *out)
{
    evs v = {0};
    int ninner = 0, current = -1;
    bool outer_done = false, exhausting = nd->kind == FZ_EXHAUST_MAP;
    bool busy_sync = false;
    fz_key busy = {INT64_MIN, 0, 0};
    bool *done;

    for (size_t i = 0; i < outer->n; i++) {
        const fz_sig *s = &outer->s[i];
        if (s->kind != FZ_N) {
            ev_push(&v, s, -1, -1, false, true);
            continue;
        }
        if (exhausting) {
            int c = fz_key_cmp(s->k, busy);
            if (c < 0)
                continue; /* dropped: an inner runs */
            if (c == 0 && !busy_sync) {
                cut_at(out, s->k);
                break;
            }
        }
        /* The outer item spawns inner `ninner`, labelled with it. */
        ev_push(&v, s, -1, ninner, !switching, true);
        fz_list *in = list_new();
        model(sp, nd->kid[1], s->k, in);
        inherit(out, in);
        busy = end_key(in);
        busy_sync = fz_key_cmp(busy, s->k) == 0;
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

/* concat_map (flat_map with max_concurrent 1): it asks its upstream for
 * one item, and for one more each time an inner completes, so inner i is
 * subscribed at max(item i's key, inner i-1's completion key) and the
 * output is the inners one after the other.
 *
 * Outer signals at the subscribe key k0 come from a synchronous source
 * that waits for demand (iterables, and operators over them that queue):
 * such an item is pulled when the previous inner completes. Such an
 * error comes after the last item pulled, or only at the next request
 * (a filter above the iterable): the model cuts unless both are one key.
 * Once an item was pulled late, the upstream's later signals move (what
 * follows the iterable starts late): cut at the first one. A later item
 * that comes while an inner runs meets a source without demand
 * (RX_EBACKPRESSURE from a cold source, or items queued upstream): cut.
 * An outer error at key ke cancels the running inner: the inners'
 * signals before ke go out, those at ke are a cut (or go first, for an
 * error of the synchronous burst: depth-first).
 *
 * All this holds when the outer list is what the upstream does under
 * that demand: a leaf, or one under map, scan and take (one item out
 * for one in). Other upstreams move in time with the demand (delay
 * passes it on: it delays the second item from when it is asked for)
 * or hide what a hot source sends without demand (a filter drops the
 * item, RX_EBACKPRESSURE comes all the same): cut at the first item
 * or error (delay drops the items it holds at an error, which may have
 * held the error back for want of demand), or
 * at k0 when a hot source is up there (a cold source above three delays
 * fails for lack of demand long before the first item comes down). */
static bool
paced(const fz_spec *sp, int id)
{
    const fz_node *nd = &sp->node[id];
    if (nd->kind < FZ_FIRST_UNARY)
        return true;
    if (nd->kind == FZ_MAP || nd->kind == FZ_SCAN || nd->kind == FZ_TAKE)
        return paced(sp, nd->kid[0]);
    return false;
}

/* Whether a cold source or a subject is in the tree under id. */
static bool
has_hot(const fz_spec *sp, int id)
{
    const fz_node *nd = &sp->node[id];
    if (nd->kind < FZ_FIRST_UNARY)
        return nd->kind == FZ_COLD || nd->kind == FZ_SUBJECT;
    return has_hot(sp, nd->kid[0]) ||
           (nd->kind >= FZ_FIRST_BINARY && has_hot(sp, nd->kid[1]));
}

static void
model_concat_map(const fz_spec *sp, const fz_node *nd, const fz_list *outer,
                 fz_key k0, fz_list *out)
{
    fz_list *seq = list_new();
    fz_key busy = k0, last = k0, ks, term_key = fz_key_inf;

    if (!paced(sp, nd->kid[0]) && has_hot(sp, nd->kid[0]))
        cut_at(out, k0);
    bool busy_sync = true, lagged = false, failed = false, term_sync = false;
    int term = 0;
    int64_t term_code = 0;

    for (size_t i = 0; i < outer->n; i++) {
        const fz_sig *s = &outer->s[i];
        bool sync = fz_key_cmp(s->k, k0) == 0;
        int c = fz_key_cmp(s->k, busy);
        if (!sync && lagged) {
            cut_at(out, s->k);
            break;
        }
        /* An unpaced upstream moves its error too: delay drops the
         * items it holds, and they may be ones that held the error
         * back for want of demand. */
        if (s->kind != FZ_C && !paced(sp, nd->kid[0]))
            cut_at(out, s->k);
        if (s->kind != FZ_N) {
            term = s->kind;
            term_code = s->v;
            term_sync = sync;
            term_key = sync ? last : s->k;
            if (sync && s->kind == FZ_E && fz_key_cmp(busy, last) != 0)
                cut_at(out, last);
            break;
        }
        if (sync) {
            ks = busy; /* pulled when the previous inner completed */
            lagged = lagged || fz_key_cmp(ks, k0) != 0;
        } else if (c > 0 || (c == 0 && busy_sync)) {
            ks = s->k;
        } else {
            cut_at(out, s->k); /* an item without demand */
            break;
        }
        if (fz_key_cmp(ks, fz_key_inf) == 0)
            continue; /* never pulled */
        last = ks;
        fz_list *in = list_new();
        model(sp, nd->kid[1], ks, in);
        inherit(out, in);
        busy = fz_key_inf;
        for (size_t j = 0; j < in->n && !failed; j++) {
            fz_sig x = in->s[j];
            if (x.kind == FZ_C) {
                busy = x.k;
                break;
            }
            failed = x.kind == FZ_E;
            if (x.kind == FZ_N)
                x.v += inner_bias(s->v);
            push(seq, x.k, x.kind, x.v);
        }
        busy_sync = fz_key_cmp(busy, ks) == 0;
        free(in);
    }
    inherit(out, seq);
    for (size_t i = 0; i < seq->n; i++) {
        const fz_sig *x = &seq->s[i];
        if (term == FZ_E) {
            int c = fz_key_cmp(x->k, term_key);
            if (c == 0 && !term_sync)
                cut_at(out, term_key);
            if (c > 0 || (c == 0 && !term_sync))
                break;
        }
        push(out, x->k, x->kind, x->v);
        if (x->kind == FZ_E) {
            free(seq);
            return;
        }
    }
    free(seq);
    if (term == FZ_E)
        push(out, term_key, FZ_E, term_code);
    else if (term == FZ_C && !failed && fz_key_cmp(busy, fz_key_inf) != 0)
        push(out, fz_key_cmp(term_key, busy) < 0 ? busy : term_key, FZ_C, 0);
}

/* ---- the dispatcher -------------------------------------------------- */

/* concat, catch and start_with (which runs kid[1] first): the second
 * source is subscribed at the key of the first one's completion (error
 * for catch). */
static void
model_sequence(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    int first = nd->kind == FZ_START_WITH ? 1 : 0;
    fz_list *a = list_new();
    model(sp, nd->kid[first], k0, a);
    inherit(out, a);
    for (size_t i = 0; i < a->n; i++) {
        const fz_sig *s = &a->s[i];
        bool next = (nd->kind != FZ_CATCH && s->kind == FZ_C) ||
                    (nd->kind == FZ_CATCH && s->kind == FZ_E);
        if (next) {
            fz_list *b = list_new();
            model(sp, nd->kid[1 - first], s->k, b);
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

/* A list's cut matters only up to the key where the stream stops being
 * listened to (the notifier after its first signal, race's loser after
 * the winner's first). */
static void
cut_until(fz_list *out, const fz_list *in, fz_key until)
{
    out->overflow = out->overflow || in->overflow;
    if (fz_key_cmp(in->cut, until) <= 0)
        cut_at(out, in->cut);
}

/* src's signals before key kn (items dropped when !taking); returns the
 * index of the first one not taken: src's terminal, or at or after kn. */
static size_t
until_shut(const fz_list *src, fz_key kn, bool taking, fz_list *out)
{
    size_t i;
    for (i = 0; i < src->n; i++) {
        const fz_sig *s = &src->s[i];
        int c = fz_key_cmp(s->k, kn);
        if (c == 0)
            cut_at(out, kn);
        if (c >= 0)
            break;
        if (s->kind == FZ_N && !taking)
            continue; /* the gate is shut */
        push(out, s->k, s->kind, s->v);
        if (s->kind != FZ_N)
            break;
    }
    return i;
}

/* take_until(src, notifier) and skip_until(src, notifier): the notifier
 * (kid[1]) is subscribed first; its first signal decides. An item or
 * the completion ends take_until (completion) or opens skip_until's
 * gate; an error fails either. A notifier that signals while being
 * subscribed (at k0) goes before src is subscribed, and take_until then
 * never subscribes src. src's signals at the notifier's key meet it at
 * one instant: cut. */
static void
model_until(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    bool taking = nd->kind == FZ_TAKE_UNTIL;
    fz_list *nt = list_new(), *src;
    fz_key kn = fz_key_inf;
    int nkind = 0;
    int64_t ncode = 0;
    size_t i = 0;

    model(sp, nd->kid[1], k0, nt);
    if (nt->n > 0) {
        kn = nt->s[0].k;
        nkind = nt->s[0].kind;
        ncode = nt->s[0].v;
    }
    cut_until(out, nt, kn);
    free(nt);
    if (fz_key_cmp(kn, k0) == 0 && (taking || nkind == FZ_E)) {
        push(out, k0, nkind == FZ_E ? FZ_E : FZ_C, nkind == FZ_E ? ncode : 0);
        return;
    }
    src = list_new();
    model(sp, nd->kid[0], k0, src);
    if (taking)
        cut_until(out, src, kn);
    else
        inherit(out, src);
    /* At k0 only skip_until's gate is left: it opened before src began. */
    if (fz_key_cmp(kn, k0) != 0) {
        i = until_shut(src, kn, taking, out);
        if (i < src->n && fz_key_cmp(src->s[i].k, kn) < 0) {
            free(src); /* src ended first */
            return;
        }
    }
    if (nkind == FZ_E || (taking && nkind != 0)) {
        push(out, kn, nkind == FZ_E ? FZ_E : FZ_C, nkind == FZ_E ? ncode : 0);
    } else if (nkind != 0) {
        for (; i < src->n; i++)
            push(out, src->s[i].k, src->s[i].kind, src->s[i].v);
    }
    free(src);
}

/* race(a, b): a is subscribed first and wins by signalling while being
 * subscribed (b is then never subscribed); else b does the same; else
 * the earlier first signal wins, and equal first keys are a cut. The
 * winner is mirrored whole. */
static void
model_race(const fz_spec *sp, const fz_node *nd, fz_key k0, fz_list *out)
{
    fz_list *l[2] = {list_new(), NULL};
    fz_key first[2] = {fz_key_inf, fz_key_inf};
    int win = -1;

    model(sp, nd->kid[0], k0, l[0]);
    if (l[0]->n > 0)
        first[0] = l[0]->s[0].k;
    if (fz_key_cmp(first[0], k0) == 0) {
        win = 0;
    } else {
        l[1] = list_new();
        model(sp, nd->kid[1], k0, l[1]);
        if (l[1]->n > 0)
            first[1] = l[1]->s[0].k;
        if (fz_key_cmp(first[1], k0) == 0 || fz_key_cmp(first[1], first[0]) < 0)
            win = 1;
        else if (fz_key_cmp(first[0], first[1]) < 0)
            win = 0;
        else if (fz_key_cmp(first[0], fz_key_inf) != 0)
            cut_at(out, first[0]); /* both signal first at one instant */
    }
    if (win < 0) {
        inherit(out, l[0]);
        if (l[1] != NULL)
            inherit(out, l[1]);
    } else {
        inherit(out, l[win]);
        if (l[1 - win] != NULL)
            cut_until(out, l[1 - win], first[win]);
        for (size_t i = 0; i < l[win]->n; i++)
            push(out, l[win]->s[i].k, l[win]->s[i].kind, l[win]->s[i].v);
    }
    free(l[0]);
    free(l[1]);
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
    bool b_hot, b_paced;

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
    if (nd->kind == FZ_CONCAT || nd->kind == FZ_CATCH ||
        nd->kind == FZ_START_WITH) {
        model_sequence(sp, nd, k0, out);
        return;
    }
    if (nd->kind == FZ_TAKE_UNTIL || nd->kind == FZ_SKIP_UNTIL) {
        model_until(sp, nd, k0, out);
        return;
    }
    if (nd->kind == FZ_RACE) {
        model_race(sp, nd, k0, out);
        return;
    }
    if (nd->kind == FZ_SHARE) {
        model_share(sp, nd, k0, out);
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
    case FZ_THROTTLE_LAST:
        model_throttle_last(nd, a, k0, out);
        break;
    case FZ_AUDIT:
        model_audit(nd, a, out);
        break;
    case FZ_BUFFER_N:
        model_buffer_n(nd, a, out);
        break;
    case FZ_WINDOW_N:
        /* concat_map's one window at a time meets a source that cannot
         * slow down: the model follows the demand only when nothing
         * between moves items in time */
        b_hot = has_hot(sp, nd->kid[0]);
        b_paced = paced(sp, nd->kid[0]);
        if (nd->c == 2 && b_hot && !b_paced)
            cut_at(out, k0);
        model_window_n(nd, a, b_hot && b_paced, !b_hot && !b_paced, out);
        break;
    case FZ_GROUP_BY:
        model_group_by(nd, a, out);
        break;
    case FZ_FLAT_MAP:
    case FZ_SWITCH_MAP:
    case FZ_EXHAUST_MAP:
        model_flatten(sp, nd, a, nd->kind == FZ_SWITCH_MAP, out);
        break;
    case FZ_CONCAT_MAP:
        model_concat_map(sp, nd, a, k0, out);
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

/* A unicast subject serves the subscription made first and fails every
 * later one. Pass 1 gives every subscription the items and finds the
 * earliest key each unicast subject is subscribed at; what pass 1 got
 * wrong (the later subscriptions' lists) happens after that key, so pass
 * 2 subscribes the same first subscription at the same key. Two
 * subscriptions at that key: the order of the calls decides (cut). A
 * share node subscribed twice: cut at the second (model_share). */
void
fz_model(const fz_spec *sp, fz_list *out)
{
    fz_key k0 = {0, 1, 0};
    bool unicast = false;

    for (int s = 0; s < FZ_MAX_SUBJECTS; s++) {
        uni.first[s] = fz_key_inf;
        uni.ties[s] = 0;
        unicast = unicast || sp->subj_kind[s] == FZ_UNICAST;
    }
    for (int pass = unicast ? 1 : 2; pass <= 2; pass++) {
        uni.pass2 = pass == 2;
        for (int i = 0; i < FZ_MAX_NODES; i++)
            share_keys[i][0] = share_keys[i][1] = fz_key_inf;
        out->n = 0;
        out->cut = fz_key_inf;
        out->overflow = false;
        model_calls = 0;
        model(sp, sp->root, k0, out);
    }
    for (int s = 0; s < FZ_MAX_SUBJECTS; s++) {
        if (sp->subj_kind[s] == FZ_UNICAST && uni.ties[s] > 1)
            cut_at(out, uni.first[s]);
    }
    for (int i = 0; i < sp->nnodes; i++)
        cut_at(out, share_keys[i][1]);
}
