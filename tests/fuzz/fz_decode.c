/* SPDX-License-Identifier: MIT */
/*
 * Decoding fuzz bytes into a spec (every byte string is a valid spec:
 * missing bytes read as zero) and printing a spec as one line of text.
 */
#include "fz.h"

#include <stdio.h>
#include <string.h>

#include <uvrx.h>

typedef struct rd {
    const uint8_t *p;
    size_t n, i;
} rd;

static unsigned
byte(rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static int64_t
small(rd *r, unsigned span, int64_t low)
{
    return (int64_t)(byte(r) % span) + low;
}

static int
err_code(rd *r)
{
    return FZ_EUSER - 1 - (int)(byte(r) % 3);
}

static void
decode_leaf(rd *r, fz_node *nd)
{
    int64_t f = 0;
    unsigned x;

    switch (nd->kind) {
    case FZ_INTS:
        nd->n = (int)(byte(r) % (FZ_MAX_ITEMS + 1));
        for (int i = 0; i < nd->n; i++)
            nd->items[i] = small(r, 24, -4);
        break;
    case FZ_RANGE:
        nd->a = small(r, 10, -2);
        nd->b = small(r, 7, 0);
        break;
    case FZ_THROW:
        nd->code = err_code(r);
        break;
    case FZ_COLD:
        nd->n = (int)(byte(r) % (FZ_MAX_ITEMS + 1));
        for (int i = 0; i < nd->n; i++) {
            f += small(r, 8, 1);
            nd->frames[i] = f;
            nd->items[i] = small(r, 24, -4);
        }
        nd->term = (int)(byte(r) % 3);
        nd->term_frame = f + small(r, 8, 1);
        nd->code = err_code(r);
        break;
    case FZ_SUBJECT: /* the same byte: which subject, and its kind */
        x = byte(r);
        nd->a = (int64_t)(x % FZ_MAX_SUBJECTS);
        nd->b = (int64_t)(x / FZ_MAX_SUBJECTS);
        break;
    default:
        break;
    }
}

static void
decode_params(rd *r, fz_node *nd)
{
    unsigned x;

    switch (nd->kind) {
    case FZ_MAP:
        nd->a = small(r, 5, -1);
        x = byte(r);
        nd->fail = (x & 1) != 0;
        nd->b = (int64_t)((x >> 1) % 24) - 4;
        break;
    case FZ_FILTER:
        nd->a = small(r, 2, 0);
        break;
    case FZ_TAKE:
        nd->a = small(r, 5, 0);
        break;
    case FZ_SKIP:
    case FZ_RETRY:
        nd->a = small(r, 4, 0);
        break;
    case FZ_TAKE_WHILE:
        nd->a = small(r, 24, -2);
        break;
    case FZ_ON_ERROR_RETURN:
        nd->a = small(r, 100, 0);
        break;
    case FZ_DELAY:
    case FZ_DEBOUNCE:
    case FZ_THROTTLE_FIRST:
    case FZ_THROTTLE_LAST:
    case FZ_AUDIT:
        nd->a = small(r, 6, 1);
        break;
    case FZ_BUFFER_N:
        nd->a = small(r, 4, 1); /* count */
        nd->b = small(r, 4, 1); /* skip */
        break;
    case FZ_WINDOW_N:
        nd->a = small(r, 4, 1); /* count */
        nd->b = small(r, 4, 1); /* skip */
        nd->c = small(r, 3, 0); /* merge, concat eager, concat */
        break;
    case FZ_SHARE:
        x = byte(r);
        nd->a = (int64_t)(x % 4);     /* the first subscriber's take, or 0 */
        nd->c = (int64_t)(x / 4 % 4); /* bit 0: ref_count(publish), not
                                       * share; bit 1: late by concat */
        nd->b = small(r, 12, 0);      /* the second one's delay, or 0 */
        break;
    case FZ_GROUP_BY:
        nd->a = small(r, 3, 1);  /* the modulus */
        nd->b = small(r, 4, -1); /* the unwanted key, or -1 */
        nd->b = nd->b >= nd->a ? -1 : nd->b;
        break;
    default:
        break;
    }
}

static bool
flattens(int kind)
{
    return kind == FZ_FLAT_MAP || kind == FZ_SWITCH_MAP ||
           kind == FZ_CONCAT_MAP || kind == FZ_EXHAUST_MAP ||
           kind == FZ_WINDOW_N || kind == FZ_GROUP_BY;
}

/* What a flattening kind turns into past the limit. */
static int
unflattened(int kind)
{
    switch (kind) {
    case FZ_FLAT_MAP:
    case FZ_EXHAUST_MAP:
        return FZ_MERGE;
    case FZ_WINDOW_N:
        return FZ_BUFFER_N;
    case FZ_GROUP_BY:
        return FZ_MAP;
    default:
        return FZ_CONCAT;
    }
}

/* `pending` counts the child slots already promised to open nodes, so a
 * node takes children only while every promise still fits. */
static int
decode_node(rd *r, fz_spec *sp, int depth, int *pending)
{
    int id = sp->nnodes++;
    fz_node *nd = &sp->node[id];
    unsigned b = byte(r);
    int room = FZ_MAX_NODES - sp->nnodes - *pending;

    memset(nd, 0, sizeof *nd);
    nd->kind = (int)(b % FZ_KINDS);
    if (nd->kind >= FZ_FIRST_BINARY && (depth >= 4 || room < 2))
        nd->kind = (int)(b % FZ_FIRST_BINARY);
    if (nd->kind >= FZ_FIRST_UNARY && (depth >= 4 || room < 1))
        nd->kind = (int)(b % FZ_FIRST_UNARY);
    /* Nested flattening multiplies subscriptions (4 levels of flat_map
     * over 4 items each: 65,536 inners); two per spec keep runs short. */
    if (flattens(nd->kind)) {
        int flattening = 0;
        for (int i = 0; i < id; i++)
            flattening += flattens(sp->node[i].kind);
        if (flattening >= 2)
            nd->kind = unflattened(nd->kind);
    }
    if (nd->kind < FZ_FIRST_UNARY) {
        decode_leaf(r, nd);
        return id;
    }
    decode_params(r, nd);
    *pending += nd->kind >= FZ_FIRST_BINARY ? 2 : 1;
    (*pending)--;
    nd->kid[0] = decode_node(r, sp, depth + 1, pending);
    if (nd->kind >= FZ_FIRST_BINARY) {
        (*pending)--;
        nd->kid[1] = decode_node(r, sp, depth + 1, pending);
    }
    return id;
}

static void
decode_script(rd *r, fz_spec *sp)
{
    unsigned x = byte(r);

    sp->initial_request = x % 4 == 1 ? small(r, 4, 0) : RX_UNBOUNDED;
    x = byte(r);
    sp->cancel_after = x % 8 == 1 ? (size_t)small(r, 6, 1) : 0;
    x = byte(r);
    if (x % 8 == 1) {
        sp->oom_at = (long)byte(r) + 1;
        sp->oom_forever = (byte(r) & 1) != 0;
    }
    sp->nact = (int)(byte(r) % (FZ_MAX_ACTIONS + 1));
    for (int i = 0; i < sp->nact; i++) {
        fz_action *a = &sp->act[i];
        a->kind = (int)(byte(r) % FZ_ACTS);
        switch (a->kind) {
        case FZ_ADVANCE:
            a->a = small(r, 12, 1);
            break;
        case FZ_REQUEST:
            a->a = small(r, 6, 1);
            break;
        case FZ_SNEXT:
            a->a = small(r, FZ_MAX_SUBJECTS, 0);
            a->b = small(r, 24, -4);
            break;
        case FZ_SCOMPLETE:
            a->a = small(r, FZ_MAX_SUBJECTS, 0);
            break;
        case FZ_SERROR:
            a->a = small(r, FZ_MAX_SUBJECTS, 0);
            a->b = err_code(r);
            break;
        default:
            break;
        }
    }
}

void
fz_decode(const uint8_t *data, size_t size, fz_spec *sp)
{
    rd r = {data, size, 0};
    int pending = 0;

    memset(sp, 0, sizeof *sp);
    sp->root = decode_node(&r, sp, 0, &pending);
    decode_script(&r, sp);
    for (int s = FZ_MAX_SUBJECTS - 1; s >= 0; s--) {
        for (int i = sp->nnodes - 1; i >= 0; i--) {
            const fz_node *nd = &sp->node[i];
            if (nd->kind != FZ_SUBJECT || nd->a != s)
                continue;
            static const int64_t ages[] = FZ_AGES;
            int64_t p = nd->b / FZ_SUBJECT_KINDS;
            sp->subj_kind[s] = (int)(nd->b % FZ_SUBJECT_KINDS);
            sp->subj_param[s] = 0;
            sp->subj_age[s] = 0;
            if (sp->subj_kind[s] == FZ_BEHAVIOR) {
                sp->subj_param[s] = p % 24 - 4;
            } else if (sp->subj_kind[s] == FZ_REPLAY) {
                sp->subj_param[s] = p % 5 == 4 ? 0 : p % 5 + 1;
                sp->subj_age[s] = ages[p / 5 % 4];
            } else if (sp->subj_kind[s] == FZ_UNICAST) {
                sp->subj_param[s] = p % 4;
            }
        }
    }
}

/* ---- text form ---------------------------------------------------------- */

static const char *const kind_names[FZ_KINDS] = {
    "ints",          "range",
    "empty",         "throw",
    "never",         "cold",
    "subject",       "map",
    "filter",        "take",
    "skip",          "scan",
    "reduce",        "distinct_until_changed",
    "take_while",    "on_error_return",
    "retry",         "delay",
    "debounce",      "throttle_first",
    "throttle_last", "audit",
    "buffer_n",      "window_n",
    "group_by",      "share",
    "merge",         "concat",
    "zip",           "combine_latest",
    "catch",         "flat_map",
    "switch_map",    "take_until",
    "skip_until",    "start_with",
    "race",          "concat_map",
    "exhaust_map"};

typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void
put(out *o, const char *fmt, long long a, long long b)
{
    int n;
    if (o->len >= o->cap)
        return;
    n = snprintf(o->buf + o->len, o->cap - o->len, fmt, a, b);
    if (n > 0)
        o->len += (size_t)n;
}

/* Nothing for the plain shape, so older inputs read as before. */
static void
describe_share(const fz_node *nd, out *o)
{
    if (nd->c & 1)
        put(o, "ref_count, ", 0, 0);
    if (nd->a)
        put(o, "take %lld, ", nd->a, 0);
    if (nd->b)
        put(o, nd->c & 2 ? "late %lld by concat, " : "late %lld, ", nd->b, 0);
}

static void
describe_node(const fz_spec *sp, int id, out *o)
{
    const fz_node *nd = &sp->node[id];

    if (o->len < o->cap) {
        int n = snprintf(o->buf + o->len, o->cap - o->len, "%s(",
                         kind_names[nd->kind]);
        if (n > 0)
            o->len += (size_t)n;
    }
    switch (nd->kind) {
    case FZ_INTS:
    case FZ_COLD:
        for (int i = 0; i < nd->n; i++) {
            if (nd->kind == FZ_COLD)
                put(o, "%lld@%lld ", nd->items[i], nd->frames[i]);
            else
                put(o, "%lld ", nd->items[i], 0);
        }
        if (nd->kind == FZ_COLD && nd->term != FZ_TERM_NONE)
            put(o, nd->term == FZ_TERM_ERROR ? "#%lld@%lld" : "|@%lld",
                nd->term == FZ_TERM_ERROR ? nd->code : nd->term_frame,
                nd->term_frame);
        break;
    case FZ_THROW:
        put(o, "%lld", nd->code, 0);
        break;
    case FZ_SUBJECT: {
        static const char *const fmt[FZ_SUBJECT_KINDS] = {
            "%lld", "%lld behavior %lld", "%lld replay %lld", "%lld async",
            "%lld unicast %lld"};
        int s = (int)nd->a;
        put(o, fmt[sp->subj_kind[s]], nd->a, sp->subj_param[s]);
        if (sp->subj_kind[s] == FZ_REPLAY && sp->subj_age[s] > 0)
            put(o, " age %lld", sp->subj_age[s], 0);
        break;
    }
    case FZ_NEVER:
    case FZ_EMPTY:
        break;
    default:
        if (nd->kind < FZ_FIRST_UNARY) {
            put(o, "%lld, %lld", nd->a, nd->b);
            break;
        }
        if (nd->kind == FZ_MAP)
            put(o, nd->fail ? "+%lld fail@%lld, " : "+%lld, ", nd->a, nd->b);
        else if (nd->kind == FZ_BUFFER_N || nd->kind == FZ_GROUP_BY)
            put(o, "%lld, %lld, ", nd->a, nd->b);
        else if (nd->kind == FZ_WINDOW_N)
            put(o,
                nd->c == 2   ? "%lld, %lld, concat_map, "
                : nd->c == 1 ? "%lld, %lld, concat, "
                             : "%lld, %lld, merge, ",
                nd->a, nd->b);
        else if (nd->kind == FZ_SHARE)
            describe_share(nd, o);
        else if (nd->kind < FZ_FIRST_BINARY && nd->kind != FZ_SCAN &&
                 nd->kind != FZ_REDUCE && nd->kind != FZ_DUC &&
                 nd->kind != FZ_SHARE)
            put(o, "%lld, ", nd->a, 0);
        describe_node(sp, nd->kid[0], o);
        if (nd->kind >= FZ_FIRST_BINARY) {
            put(o, ", ", 0, 0);
            describe_node(sp, nd->kid[1], o);
        }
        break;
    }
    put(o, ")", 0, 0);
}

void
fz_describe(const fz_spec *sp, char *buf, size_t cap)
{
    static const char *const act_fmt[FZ_ACTS] = {
        " +%lldms",          " req(%lld)",      " cancel",
        " s%lld.next(%lld)", " s%lld.complete", " s%lld.error(%lld)"};
    out o = {buf, cap, 0};

    if (cap == 0)
        return;
    buf[0] = '\0';
    describe_node(sp, sp->root, &o);
    if (sp->initial_request == RX_UNBOUNDED)
        put(&o, " | request unbounded", 0, 0);
    else
        put(&o, " | request %lld", sp->initial_request, 0);
    if (sp->cancel_after)
        put(&o, ", cancel at item %lld", (long long)sp->cancel_after, 0);
    if (sp->oom_at)
        put(&o, sp->oom_forever ? ", oom from %lld" : ", oom at %lld",
            sp->oom_at, 0);
    put(&o, " |", 0, 0);
    for (int i = 0; i < sp->nact; i++)
        put(&o, act_fmt[sp->act[i].kind], sp->act[i].a, sp->act[i].b);
    if (o.len >= cap)
        buf[cap - 1] = '\0';
}
