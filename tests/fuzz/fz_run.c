/* SPDX-License-Identifier: MIT */
/*
 * Builds a spec with uvrx on a virtual scheduler, runs its script with a
 * recording subscriber that checks the protocol as signals arrive, then
 * compares the recording with the model (fz.h explains keys and cuts).
 */
#include "fz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>
#include <uvrx/testkit.h>

#define FZ_END_MS 4000 /* the final advance; every timed spec ends before */

typedef struct run {
    const fz_spec *sp;
    rx_scheduler *vs;
    rx_subject *subj[FZ_MAX_SUBJECTS];
    rx_test_source *cold[FZ_MAX_NODES];
    rx_observable *tmpl[FZ_MAX_NODES]; /* catch and the flattening maps */
    /* where the script is */
    int phase, seq;
    /* the subscriber */
    rx_subscription *sub;
    fz_list *rec;
    int64_t requested;
    int64_t items;
    bool subscribed, terminated, cancelled, in_signal;
    bool cancelled_by_item; /* inside the spec's cancel_after-th on_next */
    int finallies;
    fz_key cancel_key;
    /* the verdict */
    bool failed;
    char *why;
    size_t cap;
} run;

static void
fail(run *r, const char *fmt, ...)
{
    va_list ap;
    if (r->failed)
        return;
    r->failed = true;
    va_start(ap, fmt);
    vsnprintf(r->why, r->cap, fmt, ap);
    va_end(ap);
}

static fz_key
now_key(run *r)
{
    fz_key k = {(int64_t)rx_scheduler_now(r->vs), r->phase, r->seq};
    return k;
}

/* ---- the allocator that fails at allocation N ------------------------- */

static long alloc_count, alloc_fail_at;
static bool alloc_forever, alloc_hit;

static bool
alloc_fails(void)
{
    alloc_count++;
    if (alloc_fail_at == 0)
        return false;
    if (alloc_count == alloc_fail_at ||
        (alloc_forever && alloc_count > alloc_fail_at)) {
        alloc_hit = true;
        return true;
    }
    return false;
}

static void *
fz_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return alloc_fails() ? NULL : malloc(n);
}

static void *
fz_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return alloc_fails() ? NULL : realloc(p, n);
}

static void
fz_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static int undeliverable;

static void
count_undeliverable(const rx_error *err, void *ctx)
{
    (void)err;
    (void)ctx;
    undeliverable++;
}

/* ---- user functions ---------------------------------------------------- */

static rx_value
fn_map(rx_value v, void *ctx, rx_error **err)
{
    const fz_node *nd = ctx;
    int64_t x = rx_as_int(v);
    if (nd->fail && x == nd->b) {
        *err = rx_error_new(FZ_EUSER, "fuzz map fails at %lld", (long long)x);
        return rx_nil();
    }
    return rx_int(x + nd->a);
}

static bool
fn_parity(rx_value v, void *ctx, rx_error **err)
{
    const fz_node *nd = ctx;
    int64_t x = rx_as_int(v);
    (void)err;
    return ((x % 2) + 2) % 2 == nd->a;
}

static bool
fn_below(rx_value v, void *ctx, rx_error **err)
{
    const fz_node *nd = ctx;
    (void)err;
    return rx_as_int(v) < nd->a;
}

static rx_value
fn_sum(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static rx_value
fn_sum_n(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int64_t s = 0;
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++)
        s += rx_as_int(items[i]);
    return rx_int(s);
}

static rx_value
fn_array_code(rx_value v, void *ctx, rx_error **err)
{
    int64_t items[16]; /* count <= 4 */
    size_t n = rx_array_len(v);
    (void)ctx;
    if (!rx_is_array(v) || n > 16) {
        *err = rx_error_new(RX_EINVAL, "fuzz: buffer_n sent no array");
        return rx_nil();
    }
    for (size_t i = 0; i < n; i++)
        items[i] = rx_as_int(rx_array_at(v, i));
    return rx_int(fz_array_code(items, n));
}

/* The inner's bias travels in the ctx pointer itself: nothing to free. */
static rx_value
fn_bias(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_int(rx_as_int(v) + (int64_t)(intptr_t)ctx);
}

static rx_observable *
fn_inner(rx_value v, void *ctx, rx_error **err)
{
    rx_observable **tmpl = ctx;
    int64_t bias = ((rx_as_int(v) % 64) + 64) % 64 * 1000;
    (void)err;
    return rx_map(rx_observable_retain(*tmpl), fn_bias, (void *)(intptr_t)bias);
}

/* window_n's inners: each window through a running sum. */
static rx_observable *
fn_window(rx_value v, void *ctx, rx_error **err)
{
    rx_observable *w = rx_window_observable(v);
    (void)ctx;
    if (w == NULL) {
        *err = rx_error_new(RX_EINVAL, "fuzz: window_n sent no window");
        return NULL;
    }
    return rx_scan(w, fn_sum, NULL);
}

static rx_value
fn_key(rx_value v, void *ctx, rx_error **err)
{
    const fz_node *nd = ctx;
    (void)err;
    return rx_int(((rx_as_int(v) % nd->a) + nd->a) % nd->a);
}

/* group_by's inners: the group plus 1000 * (key + 1), or nothing for
 * the unwanted key (the group is left unsubscribed). */
static rx_observable *
fn_group(rx_value v, void *ctx, rx_error **err)
{
    const fz_node *nd = ctx;
    rx_value key = rx_group_key(v);
    rx_observable *g;
    int64_t k;

    if (!rx_is_int(key)) {
        rx_value_release(key);
        *err = rx_error_new(RX_EINVAL, "fuzz: group_by sent no group");
        return NULL;
    }
    k = rx_as_int(key);
    rx_value_release(key);
    if (k == nd->b)
        return rx_empty();
    g = rx_value_observable(v);
    return rx_map(g, fn_bias, (void *)(intptr_t)(1000 * (k + 1)));
}

static rx_observable *
fn_fallback(const rx_error *e, void *ctx, rx_error **err)
{
    rx_observable **tmpl = ctx;
    (void)e;
    (void)err;
    return rx_observable_retain(*tmpl);
}

/* ---- building ----------------------------------------------------------- */

static rx_observable *
build_cold(run *r, int id)
{
    const fz_node *nd = &r->sp->node[id];
    char marbles[128];
    rx_marble_value vals[FZ_MAX_ITEMS + 1];
    size_t nv = 0;
    int64_t last = nd->term_frame;

    memset(marbles, '-', sizeof marbles);
    for (int i = 0; i < nd->n; i++) {
        marbles[nd->frames[i]] = (char)('a' + i);
        vals[nv].key = (char)('a' + i);
        vals[nv++].value = rx_int(nd->items[i]);
    }
    if (nd->term == FZ_TERM_COMPLETE) {
        marbles[last] = '|';
    } else if (nd->term == FZ_TERM_ERROR) {
        marbles[last] = '#';
        vals[nv].key = '#';
        vals[nv++].value = rx_int(nd->code);
    }
    marbles[last + 1] = '\0';
    r->cold[id] = rx_test_cold(r->vs, marbles, vals, nv);
    return r->cold[id] ? rx_test_source_observable(r->cold[id]) : NULL;
}

static rx_observable *build(run *r, int id);

static rx_observable *
build_leaf(run *r, int id)
{
    const fz_node *nd = &r->sp->node[id];

    switch (nd->kind) {
    case FZ_INTS:
        return rx_from_ints((size_t)nd->n, nd->items);
    case FZ_RANGE:
        return rx_range(nd->a, nd->b);
    case FZ_EMPTY:
        return rx_empty();
    case FZ_THROW:
        return rx_throw(rx_error_new(nd->code, "fuzz throw"));
    case FZ_NEVER:
        return rx_never();
    case FZ_COLD:
        return build_cold(r, id);
    default: /* FZ_SUBJECT */
        return r->subj[nd->a] ? rx_subject_observable(r->subj[nd->a]) : NULL;
    }
}

static rx_observable *
build_binary(run *r, int id, rx_observable *a)
{
    const fz_node *nd = &r->sp->node[id];

    if (nd->kind == FZ_CATCH || nd->kind == FZ_FLAT_MAP ||
        nd->kind == FZ_SWITCH_MAP || nd->kind == FZ_CONCAT_MAP ||
        nd->kind == FZ_EXHAUST_MAP) {
        r->tmpl[id] = build(r, nd->kid[1]);
        if (r->tmpl[id] == NULL) {
            rx_observable_release(a);
            return NULL;
        }
        if (nd->kind == FZ_CATCH)
            return rx_catch(a, fn_fallback, &r->tmpl[id]);
        if (nd->kind == FZ_FLAT_MAP)
            return rx_flat_map(a, fn_inner, &r->tmpl[id]);
        if (nd->kind == FZ_CONCAT_MAP)
            return rx_concat_map(a, fn_inner, &r->tmpl[id]);
        if (nd->kind == FZ_EXHAUST_MAP)
            return rx_exhaust_map(a, fn_inner, &r->tmpl[id]);
        return rx_switch_map(a, fn_inner, &r->tmpl[id]);
    }
    switch (nd->kind) {
    case FZ_MERGE:
        return rx_merge(a, build(r, nd->kid[1]));
    case FZ_CONCAT:
        return rx_concat(a, build(r, nd->kid[1]));
    case FZ_ZIP:
        return rx_zip(a, build(r, nd->kid[1]), fn_sum_n, NULL);
    case FZ_TAKE_UNTIL:
        return rx_take_until(a, build(r, nd->kid[1]));
    case FZ_SKIP_UNTIL:
        return rx_skip_until(a, build(r, nd->kid[1]));
    case FZ_START_WITH:
        return rx_start_with(a, build(r, nd->kid[1]));
    case FZ_RACE:
        return rx_race(a, build(r, nd->kid[1]));
    default: /* FZ_COMBINE_LATEST */
        return rx_combine_latest(a, build(r, nd->kid[1]), fn_sum_n, NULL);
    }
}

static rx_observable *
build(run *r, int id)
{
    /* The spec is const to the model; user functions read their node
     * through a pointer that must stay valid, which the spec does. */
    fz_node *nd = (fz_node *)&r->sp->node[id];
    rx_observable *a;

    if (nd->kind < FZ_FIRST_UNARY)
        return build_leaf(r, id);
    a = build(r, nd->kid[0]);
    switch (nd->kind) {
    case FZ_MAP:
        return rx_map(a, fn_map, nd);
    case FZ_FILTER:
        return rx_filter(a, fn_parity, nd);
    case FZ_TAKE:
        return rx_take(a, nd->a);
    case FZ_SKIP:
        return rx_skip(a, nd->a);
    case FZ_SCAN:
        return rx_scan(a, fn_sum, NULL);
    case FZ_REDUCE:
        return rx_reduce(a, fn_sum, NULL);
    case FZ_DUC:
        return rx_distinct_until_changed(a);
    case FZ_TAKE_WHILE:
        return rx_take_while(a, fn_below, nd);
    case FZ_ON_ERROR_RETURN:
        return rx_on_error_return(a, rx_int(nd->a));
    case FZ_RETRY:
        return rx_retry(a, nd->a);
    case FZ_DELAY:
        return rx_delay(a, nd->a, r->vs);
    case FZ_DEBOUNCE:
        return rx_debounce(a, nd->a, r->vs);
    case FZ_THROTTLE_FIRST:
        return rx_throttle_first(a, nd->a, r->vs);
    case FZ_THROTTLE_LAST:
        return rx_throttle_last(a, nd->a, r->vs);
    case FZ_AUDIT:
        return rx_audit(a, nd->a, r->vs);
    case FZ_BUFFER_N:
        return rx_map(rx_buffer_n(a, nd->a, nd->b), fn_array_code, NULL);
    case FZ_WINDOW_N:
        a = rx_window_n(a, nd->a, nd->b);
        if (nd->c == 2)
            return rx_concat_map(a, fn_window, NULL);
        return nd->c ? rx_concat_map_eager(a, fn_window, NULL)
                     : rx_flat_map(a, fn_window, NULL);
    case FZ_GROUP_BY:
        a = rx_group_by_opts(a, &(rx_group_by_config){.key = fn_key,
                                                      .ctx = nd,
                                                      .stall_ms = RX_UNBOUNDED,
                                                      .sched = r->vs});
        return rx_flat_map(a, fn_group, nd);
    case FZ_SHARE: {
        rx_observable *second;
        a = nd->c & 1 ? rx_ref_count(rx_publish(a)) : rx_share(a);
        second =
            rx_map(rx_observable_retain(a), fn_bias, (void *)(intptr_t)1000);
        if (nd->b > 0 && (nd->c & 2))
            second =
                rx_concat(rx_ignore_elements(rx_timer(nd->b, r->vs)), second);
        else if (nd->b > 0)
            second = rx_delay_subscription(second, nd->b, r->vs);
        if (nd->a > 0)
            a = rx_take(a, nd->a);
        return rx_merge(a, second);
    }
    default:
        return build_binary(r, id, a);
    }
}

/* ---- the recording subscriber ------------------------------------------ */

static bool
enter(run *r, const char *what)
{
    if (!r->subscribed)
        fail(r, "%s before on_subscribe", what);
    if (r->terminated)
        fail(r, "%s after the terminal signal", what);
    if (r->cancelled)
        fail(r, "%s after cancel", what);
    if (r->in_signal)
        fail(r, "%s inside another signal", what);
    r->in_signal = true;
    return !r->failed;
}

static void
record(run *r, int kind, int64_t v)
{
    if (r->rec->n == FZ_MAX_SIGNALS) {
        r->rec->overflow = true;
        return;
    }
    r->rec->s[r->rec->n].k = now_key(r);
    r->rec->s[r->rec->n].kind = kind;
    r->rec->s[r->rec->n].v = v;
    r->rec->n++;
}

static void
on_subscribe(rx_subscription *sub, void *ctx)
{
    run *r = ctx;
    if (r->subscribed)
        fail(r, "on_subscribe twice");
    r->subscribed = true;
    r->sub = sub;
    if (r->sp->initial_request > 0) {
        r->requested = r->sp->initial_request;
        rx_request(sub, r->sp->initial_request);
    }
}

static void
on_next(rx_value v, void *ctx)
{
    run *r = ctx;
    if (!enter(r, "on_next"))
        return;
    r->items++;
    if (r->items > r->requested)
        fail(r, "item %lld beyond the demand %lld", (long long)r->items,
             (long long)r->requested);
    if (!rx_is_int(v))
        fail(r, "item %lld is not an integer", (long long)r->items);
    else
        record(r, FZ_N, rx_as_int(v));
    if (r->sp->cancel_after != 0 && (size_t)r->items == r->sp->cancel_after) {
        r->cancel_key = now_key(r);
        r->cancelled_by_item = true;
        rx_cancel(r->sub);
        r->cancelled = true;
    }
    r->in_signal = false;
}

static void
on_error(const rx_error *err, void *ctx)
{
    run *r = ctx;
    if (!enter(r, "on_error"))
        return;
    record(r, FZ_E, rx_error_code(err));
    r->terminated = true;
    r->in_signal = false;
}

static void
on_complete(void *ctx)
{
    run *r = ctx;
    if (!enter(r, "on_complete"))
        return;
    record(r, FZ_C, 0);
    r->terminated = true;
    r->in_signal = false;
}

static void
on_finally(void *ctx)
{
    run *r = ctx;
    if (r->in_signal)
        fail(r, "on_finally inside a signal");
    r->finallies++;
}

/* ---- the script ---------------------------------------------------------- */

static void
do_action(run *r, int i)
{
    const fz_action *a = &r->sp->act[i];
    rx_subject *s = NULL;

    r->phase = 1;
    r->seq = i + 1;
    if (a->kind >= FZ_SNEXT)
        s = r->subj[a->a];
    switch (a->kind) {
    case FZ_ADVANCE:
        r->phase = 0;
        r->seq = 0;
        rx_virtual_advance_by(r->vs, a->a);
        break;
    case FZ_REQUEST:
        if (r->sub != NULL) {
            if (r->requested < RX_UNBOUNDED - a->a)
                r->requested += a->a;
            else
                r->requested = RX_UNBOUNDED;
            rx_request(r->sub, a->a);
        }
        break;
    case FZ_CANCEL:
        if (r->sub != NULL && !r->cancelled) {
            r->cancel_key = now_key(r);
            rx_cancel(r->sub);
            r->cancelled = true;
        }
        break;
    case FZ_SNEXT:
        if (s != NULL)
            (void)rx_subject_next(s, rx_int(a->b));
        break;
    case FZ_SCOMPLETE:
        if (s != NULL)
            (void)rx_subject_complete(s);
        break;
    default: /* FZ_SERROR */
        if (s != NULL)
            (void)rx_subject_error(s, rx_error_new((int)a->b, "fuzz subject"));
        break;
    }
}

/* ---- comparing with the model -------------------------------------------- */

typedef struct shape {
    bool recovery; /* catch, retry, on_error_return */
    bool hot;      /* a source that cannot slow down */
    bool subject;
    bool reorders; /* interleaves or moves in time under backpressure */
    bool limited;  /* a take(n) bounds the demand of a reordering stage */
} shape;

static void
tree_shape(const fz_spec *sp, int id, shape *sh)
{
    const fz_node *nd = &sp->node[id];
    switch (nd->kind) {
    case FZ_CATCH:
    case FZ_RETRY:
    case FZ_ON_ERROR_RETURN:
        sh->recovery = true;
        break;
    case FZ_COLD:
        sh->hot = true;
        break;
    case FZ_SUBJECT:
        sh->hot = sh->subject = true;
        /* a full unicast buffer refuses items: what a lack of demand
         * loses, the model cannot say */
        sh->reorders = sh->reorders || (sp->subj_kind[nd->a] == FZ_UNICAST &&
                                        sp->subj_param[nd->a] > 0);
        break;
    case FZ_MERGE:
    case FZ_COMBINE_LATEST:
    case FZ_FLAT_MAP:
    case FZ_SWITCH_MAP:
    case FZ_DELAY:
    case FZ_DEBOUNCE:
    case FZ_THROTTLE_FIRST:
    case FZ_THROTTLE_LAST:
    case FZ_AUDIT:
    case FZ_TAKE_UNTIL: /* the notifier decides when, not the demand */
    case FZ_SKIP_UNTIL:
    case FZ_RACE:
    case FZ_CONCAT_MAP:
    case FZ_EXHAUST_MAP:
    case FZ_WINDOW_N:
    case FZ_GROUP_BY:
    case FZ_SHARE:
        sh->reorders = true;
        break;
    default:
        break;
    }
    if (nd->kind == FZ_TAKE) {
        /* take(n) asks its upstream for n items only, so a delay below
         * it (after a skip or filter) starts late, and a merge below it
         * interleaves differently: the model, which has no demand,
         * cannot say when. */
        shape below = {false, false, false, false, false};
        tree_shape(sp, nd->kid[0], &below);
        sh->limited = sh->limited || below.reorders;
    }
    if (nd->kind >= FZ_FIRST_UNARY)
        tree_shape(sp, nd->kid[0], sh);
    if (nd->kind >= FZ_FIRST_BINARY)
        tree_shape(sp, nd->kid[1], sh);
}

static bool
sig_eq(const fz_sig *a, const fz_sig *b, bool keys)
{
    return a->kind == b->kind && a->v == b->v &&
           (!keys || fz_key_cmp(a->k, b->k) == 0);
}

static void
sig_text(const fz_sig *s, char *buf, size_t cap)
{
    snprintf(buf, cap, "%c%lld@(%lld,%d,%d)", s->kind, (long long)s->v,
             (long long)s->k.t, s->k.phase, s->k.seq);
}

/* The model's list, trimmed to what this run can be held to: before the
 * cut, before a cancel, up to the cancelling item. */
static size_t
expected_len(run *r, const fz_list *m, fz_key *cut)
{
    size_t n = 0;
    int64_t items = 0;
    while (n < m->n && fz_key_cmp(m->s[n].k, *cut) < 0) {
        if (m->s[n].kind == FZ_N && r->sp->cancel_after != 0 &&
            (size_t)++items == r->sp->cancel_after) {
            n++;
            *cut = fz_key_inf; /* the list ends here, exactly */
            return n;
        }
        n++;
    }
    return n;
}

static void
compare(run *r, const fz_list *m, bool oom)
{
    shape sh = {false, false, false, false, false};
    fz_key cut = m->cut, end = {FZ_END_MS, 1, 0};
    size_t en, rn = 0;
    bool unbounded = r->sp->initial_request == RX_UNBOUNDED;
    const fz_sig *last;
    char a[64], b[64];

    if (m->overflow || r->rec->overflow || r->failed)
        return;
    tree_shape(r->sp, r->sp->root, &sh);
    if (r->cancelled && !r->cancelled_by_item)
        cut = fz_key_cmp(r->cancel_key, cut) < 0 ? r->cancel_key : cut;
    cut = fz_key_cmp(end, cut) < 0 ? end : cut;
    en = expected_len(r, m, &cut);
    while (rn < r->rec->n && fz_key_cmp(r->rec->s[rn].k, cut) < 0)
        rn++;
    if (sh.limited || (!unbounded && (sh.reorders || (sh.recovery && sh.hot))))
        return; /* no order to predict under backpressure */
    if (oom && (sh.recovery || sh.subject))
        return;
    /* A run that may stop early: the recording is a prefix of the
     * model's list, possibly ending in an error the model cannot know
     * (out of memory, missing demand), or in the model's own error cutting
     * ahead of items that wait for demand (zip, combine_latest), or in a
     * source's error that came while the model's terminal signal still
     * waited for demand (zip's completion waits for its last pair to go
     * out; a later error of the other source cuts ahead). */
    last = rn > 0 ? &r->rec->s[rn - 1] : NULL;
    if (last != NULL && last->kind == FZ_E &&
        ((oom && last->v == RX_ENOMEM) ||
         (!unbounded && sh.hot && last->v == RX_EBACKPRESSURE) ||
         (!unbounded && en > 0 && m->s[en - 1].kind == FZ_E &&
          last->v == m->s[en - 1].v) ||
         (!unbounded && last->v <= FZ_EUSER && last->v >= FZ_EUSER - 3)) &&
        !(en == rn && en > 0 && sig_eq(last, &m->s[en - 1], unbounded)))
        rn--;
    for (size_t i = 0; i < rn; i++) {
        if (i >= en || !sig_eq(&r->rec->s[i], &m->s[i], unbounded)) {
            sig_text(&r->rec->s[i], a, sizeof a);
            if (i < en)
                sig_text(&m->s[i], b, sizeof b);
            fail(r, "signal %zu: got %s, model %s", i, a,
                 i < en ? b : "nothing");
            return;
        }
    }
    if (rn < en && unbounded && !oom && !r->cancelled) {
        sig_text(&m->s[rn], b, sizeof b);
        fail(r, "signal %zu missing: model %s", rn, b);
    }
    if (rn < en && unbounded && oom && !r->cancelled && !r->terminated &&
        m->s[en - 1].kind != FZ_N && r->subscribed)
        fail(r, "allocation failure lost the terminal signal");
}

/* ---- one run ----------------------------------------------------------- */

static bool
uses_subject(const fz_spec *sp, int s)
{
    for (int i = 0; i < sp->nnodes; i++) {
        if (sp->node[i].kind == FZ_SUBJECT && sp->node[i].a == s)
            return true;
    }
    return false;
}

static rx_subject *
new_subject(const fz_spec *sp, int i, rx_scheduler *vs)
{
    switch (sp->subj_kind[i]) {
    case FZ_BEHAVIOR:
        return rx_subject_behavior(rx_int(sp->subj_param[i]));
    case FZ_REPLAY:
        return rx_subject_replay((size_t)sp->subj_param[i], sp->subj_age[i],
                                 vs);
    case FZ_ASYNC:
        return rx_subject_async();
    case FZ_UNICAST:
        return rx_subject_unicast((size_t)sp->subj_param[i]);
    default:
        return rx_subject_publish();
    }
}

static void
teardown(run *r, rx_observable *root)
{
    rx_dispose(r->sub);
    r->sub = NULL;
    rx_observable_release(root);
    for (int i = 0; i < FZ_MAX_NODES; i++) {
        rx_observable_release(r->tmpl[i]);
        rx_test_source_free(r->cold[i]);
    }
    for (int i = 0; i < FZ_MAX_SUBJECTS; i++)
        rx_subject_release(r->subj[i]);
    rx_scheduler_release(r->vs);
}

static void
execute(run *r, const fz_list *model)
{
    rx_observable *root = NULL;
    rx_observer obs = {.on_subscribe = on_subscribe,
                       .on_next = on_next,
                       .on_error = on_error,
                       .on_complete = on_complete,
                       .on_finally = on_finally,
                       .ctx = r};
    rx_subscription *out = NULL;
    int rc = -1;

    r->vs = rx_scheduler_virtual();
    for (int i = 0; i < FZ_MAX_SUBJECTS && r->vs; i++) {
        if (uses_subject(r->sp, i))
            r->subj[i] = new_subject(r->sp, i, r->vs);
    }
    if (r->vs != NULL)
        root = build(r, r->sp->root);
    if (root != NULL) {
        r->phase = 1;
        r->seq = 0;
        rc = rx_subscribe(root, &obs, &out);
        if (rc < 0 && (r->subscribed || r->finallies || r->rec->n))
            fail(r, "rx_subscribe failed (%d) after calling back", rc);
        if (rc == 0 && out != r->sub)
            fail(r, "*out differs from the handle on_subscribe got");
        r->sub = rc == 0 ? out : NULL;
    }
    if (rc == 0) {
        for (int i = 0; i < r->sp->nact; i++)
            do_action(r, i);
        r->phase = 0;
        r->seq = 0;
        rx_virtual_advance_to(r->vs, FZ_END_MS);
        compare(r, model, r->sp->oom_at != 0 && alloc_hit);
    }
    teardown(r, root);
    if (rc == 0 && r->finallies != 1)
        fail(r, "on_finally ran %d times", r->finallies);
}

bool
fz_run(const fz_spec *sp, char *why, size_t cap)
{
    static fz_list model, rec;
    rx_allocator al = {fz_malloc, fz_realloc, fz_free, NULL};
    run r;

    memset(&r, 0, sizeof r);
    r.sp = sp;
    r.rec = &rec;
    r.why = why;
    r.cap = cap;
    rec.n = 0;
    rec.overflow = false;
    if (cap > 0)
        why[0] = '\0';
    fz_model(sp, &model);
    if (rx_live_objects() != 0) {
        fail(&r, "%lld objects alive before the run",
             (long long)rx_live_objects());
        return false;
    }
    alloc_count = 0;
    alloc_fail_at = sp->oom_at;
    alloc_forever = sp->oom_forever;
    alloc_hit = false;
    undeliverable = 0;
    rx_set_undeliverable_handler(count_undeliverable, NULL);
    if (rx_set_allocator(&al) != 0)
        fail(&r, "rx_set_allocator refused");
    execute(&r, &model);
    alloc_fail_at = 0;
    if (rx_live_objects() != 0)
        fail(&r, "%lld uvrx objects leaked", (long long)rx_live_objects());
    if (rx_live_objects() == 0)
        rx_set_allocator(NULL);
    rx_set_undeliverable_handler(NULL, NULL);
    return !r.failed;
}
