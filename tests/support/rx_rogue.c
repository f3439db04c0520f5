/* SPDX-License-Identifier: MIT */
/*
 * The rogue test source (rx_rogue.h): a raw source stage that plays a
 * script of signals and breaks the protocol where the script says so.
 * It uses the private stage API because the public ways to build a source
 * (rx_create's emitter) refuse to break the protocol.
 */
#include <ctype.h>
#include <stdlib.h>

#include "rx-internal.h"
#include "rx_rogue.h"

#define SCRIPT_MAX 256

struct rogue_obs {
    rx_observable base;
    unsigned flags;
    rx_t_rogue_stats *stats; /* borrowed, may be NULL */
    char script[SCRIPT_MAX];
};

struct rogue_stage {
    rx__stage base;
    size_t pos;        /* next character of the script to play */
    int64_t requested; /* outstanding demand */
    int errors;        /* '#' tokens played so far */
    bool started;
    bool playing; /* a play loop is on the stack */
    bool ended;   /* a terminal signal was sent */
    bool cancelled;
};

/* One token of the script: its kind and text. */
enum tok_kind { TOK_NONE, TOK_INT, TOK_STR, TOK_COMPLETE, TOK_ERROR };

struct token {
    enum tok_kind kind;
    size_t start;
    size_t len;
};

/* Reads the token at or after `pos`; TOK_NONE at the end or on a token
 * that is none of the kinds (rx_t_rogue() rejects such scripts). */
static struct token
next_token(const char *s, size_t pos)
{
    struct token t = {TOK_NONE, 0, 0};
    size_t i;

    while (s[pos] == ' ') {
        pos++;
    }
    if (s[pos] == '\0') {
        return t;
    }
    i = pos;
    while (s[i] != '\0' && s[i] != ' ') {
        i++;
    }
    t.start = pos;
    t.len = i - pos;
    if (t.len == 1 && s[pos] == '|') {
        t.kind = TOK_COMPLETE;
    } else if (t.len == 1 && s[pos] == '#') {
        t.kind = TOK_ERROR;
    } else if (isdigit((unsigned char)s[pos]) || (s[pos] == '-' && t.len > 1)) {
        t.kind = TOK_INT;
        for (size_t k = pos + 1; k < i; k++) {
            if (!isdigit((unsigned char)s[k])) {
                t.kind = TOK_NONE;
            }
        }
    } else {
        t.kind = TOK_STR;
        for (size_t k = pos; k < i; k++) {
            if (!isalpha((unsigned char)s[k])) {
                t.kind = TOK_NONE;
            }
        }
    }
    return t;
}

static rx_value
token_value(const char *s, struct token t)
{
    char buf[SCRIPT_MAX];

    memcpy(buf, s + t.start, t.len);
    buf[t.len] = '\0';
    if (t.kind == TOK_INT) {
        return rx_int(strtoll(buf, NULL, 10));
    }
    return rx_str(buf);
}

/* Sends one item; counts it as a violation when it comes after the end
 * or beyond demand. */
static void
play_item(struct rogue_stage *st, const struct rogue_obs *o, rx_value v)
{
    bool extra = st->ended || st->cancelled;
    bool used;

    if (o->stats != NULL) {
        o->stats->items++;
        if (extra) {
            o->stats->extra_items++;
        } else if (st->requested == 0) {
            o->stats->beyond_demand++;
        }
    }
    used = rx__emit_next(&st->base, v);
    rx_value_release(v);
    if (used && !extra && st->requested > 0 && st->requested != RX_UNBOUNDED) {
        st->requested--;
    }
}

static void
play_terminal(struct rogue_stage *st, const struct rogue_obs *o,
              enum tok_kind kind)
{
    bool extra = st->ended || st->cancelled;

    st->ended = true;
    if (o->stats != NULL) {
        o->stats->terminals++;
        if (extra && kind == TOK_ERROR) {
            o->stats->extra_errors++;
        } else if (extra) {
            o->stats->extra_completes++;
        }
    }
    if (kind == TOK_ERROR) {
        st->errors++;
        rx__emit_new_error(&st->base,
                           rx_error_new(RX_T_ROGUE_ECODE(st->errors),
                                        "rx_t_rogue: error %d", st->errors));
    } else {
        rx__emit_complete(&st->base);
    }
}

/* Plays the script from where it stopped: items wait for demand until
 * the first terminal signal (unless IGNORE_DEMAND), then everything goes
 * at once; a cancel stops the play (unless IGNORE_CANCEL). A request or
 * cancel made during the play only updates the state the loop reads. */
static void
play(struct rogue_stage *st)
{
    const struct rogue_obs *o = (const struct rogue_obs *)st->base.obs;

    if (!st->started || st->playing) {
        return;
    }
    st->playing = true;
    for (;;) {
        struct token t;
        bool free_run = st->ended || st->cancelled ||
                        (o->flags & RX_T_ROGUE_IGNORE_DEMAND) != 0;
        if (st->cancelled && (o->flags & RX_T_ROGUE_IGNORE_CANCEL) == 0) {
            break;
        }
        t = next_token(o->script, st->pos);
        if (t.kind == TOK_NONE) {
            break;
        }
        if ((t.kind == TOK_INT || t.kind == TOK_STR) && !free_run &&
            st->requested == 0) {
            break; /* wait for demand */
        }
        st->pos = t.start + t.len;
        if (t.kind == TOK_INT || t.kind == TOK_STR) {
            play_item(st, o, token_value(o->script, t));
        } else {
            play_terminal(st, o, t.kind);
        }
    }
    st->playing = false;
}

static void
rogue_request(rx__stage *self, int64_t n)
{
    struct rogue_stage *st = (struct rogue_stage *)self;
    const struct rogue_obs *o = (const struct rogue_obs *)self->obs;

    st->requested = rx__demand_add(st->requested, n);
    if (o->stats != NULL) {
        o->stats->requested = rx__demand_add(o->stats->requested, n);
    }
    play(st);
}

static void
rogue_cancel(rx__stage *self)
{
    struct rogue_stage *st = (struct rogue_stage *)self;
    const struct rogue_obs *o = (const struct rogue_obs *)self->obs;

    if (o->stats != NULL) {
        o->stats->cancels++;
    }
    st->cancelled = true;
}

static void
rogue_start(rx__stage *self)
{
    struct rogue_stage *st = (struct rogue_stage *)self;

    st->started = true;
    play(st);
}

static const struct rx__stage_ops rogue_stage_ops = {
    .request = rogue_request,
    .cancel = rogue_cancel,
    .start = rogue_start,
};

static int
rogue_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct rogue_obs *o = (struct rogue_obs *)self;
    struct rogue_stage *st;

    st = rx__stage_new(pipe, &rogue_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    if (o->stats != NULL) {
        o->stats->subscribes++;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops rogue_ops = {.assemble = rogue_assemble};

rx_observable *
rx_t_rogue(const char *script, unsigned flags, rx_t_rogue_stats *stats)
{
    struct rogue_obs *o;
    size_t len;

    if (script == NULL || strlen(script) >= SCRIPT_MAX) {
        return rx__fail_null(RX_EINVAL, "rx_t_rogue: bad script");
    }
    for (size_t pos = 0;;) {
        struct token t = next_token(script, pos);
        if (t.kind == TOK_NONE) {
            if (t.len != 0) {
                return rx__fail_null(RX_EINVAL, "rx_t_rogue: bad token");
            }
            break;
        }
        pos = t.start + t.len;
    }
    o = rx__observable_new(RX_SITE("rx_t_rogue"), &rogue_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    len = strlen(script);
    o->flags = flags;
    o->stats = stats;
    memcpy(o->script, script, len + 1);
    return &o->base;
}
