/* SPDX-License-Identifier: MIT */
/*
 * What the fixed-arity combining operators share (zip, combine_latest,
 * with_latest_from, race, take_until, skip_until). Private to
 * operators/combine/.
 *
 * The observable. All of them are one struct: n sources and an optional
 * combiner (struct rx__fanin_obs), built and destroyed by the same two
 * functions.
 *
 * Inputs. The combining stage has no upstream of its own (base.up is
 * NULL). For each source it assembles, at subscribe time, an input stage
 * whose `up` is the source's chain: the chain emits into the input, and
 * the input calls the operator's hooks with its index. An input is
 * dropped (detached, and its chain freed) as soon as its source has
 * ended or been cancelled, so an operator nested in a flat_map inner
 * leaves nothing behind. A chain whose functions may be on the stack
 * (the input's `busy` count) waits until they have returned (the rule
 * merge.c follows, done per input).
 *
 * The pair engine. take_until, skip_until and with_latest_from mirror a
 * main source and watch another one: struct rx__pair holds what they
 * share, and a gate (RxJava's HalfSerializer) holds back a terminal
 * signal raised by the other source while an item of the main one is
 * going downstream.
 */
#ifndef UVRX_OPERATORS_COMBINE_FANIN_H
#define UVRX_OPERATORS_COMBINE_FANIN_H

#include "rx-internal.h"

/* How many items zip and combine_latest ask each source for ahead; they
 * top a source up by RX__FANIN_LIMIT once that many were used. */
#define RX__FANIN_PREFETCH 128
#define RX__FANIN_LIMIT (RX__FANIN_PREFETCH - RX__FANIN_PREFETCH / 4)

/* ---- the observable ---------------------------------------------------- */

struct rx__fanin_obs {
    rx_observable base;
    rx_zip_fn fn; /* the combiner, or NULL */
    void *ctx;
    size_t n;
    rx_observable *srcs[];
};

/* Builds a fan-in observable of `ops` over n sources (each taken, also on
 * failure). A NULL entry returns NULL leaving the last error alone; NULL
 * srcs with n > 0 is RX_EINVAL. */
rx_observable *rx__fanin_new(const rx_site *site, const struct rx__obs_ops *ops,
                             size_t n, rx_observable *const *srcs, rx_zip_fn fn,
                             void *ctx);

/* The destroy hook of every fan-in kind: releases the sources. */
void rx__fanin_destroy(rx_observable *self);

/* The parameters of the observable a combining stage runs. */
static inline const struct rx__fanin_obs *
rx__fanin_params(const rx__stage *owner)
{
    return (const struct rx__fanin_obs *)(const void *)owner->obs;
}

/* ---- inputs ------------------------------------------------------------ */

/* What an input reports, with its index. The value and error are
 * borrowed. on_next returns whether the item used up demand (see
 * struct rx__stage_ops). */
struct rx__fanin_hooks {
    bool (*on_next)(rx__stage *owner, size_t index, rx_value v);
    void (*on_error)(rx__stage *owner, size_t index, const rx_error *err);
    void (*on_complete)(rx__stage *owner, size_t index);
};

typedef struct rx__fanin_input {
    rx__stage base;   /* base.up: the source's chain; base.down: the owner */
    rx__stage *owner; /* the combining stage; NULL once dropped */
    const struct rx__fanin_hooks *hooks;
    size_t index;
    int busy;     /* calls into or out of the chain on the stack */
    bool dropped; /* detached: freed when busy drops to zero */
} rx__fanin_input;

/* Assembles the input for source `index` of the owner's observable and
 * stores it in *out (also when the source's chain fails to assemble:
 * the pipeline frees it). Returns 0 or a negative code. */
int rx__fanin_input_new(rx__stage *owner, const struct rx__fanin_hooks *hooks,
                        size_t index, rx__fanin_input **out);

/* Asks the input's source for n (> 0) items; none for n = 0. */
void rx__fanin_request(rx__fanin_input *in, int64_t n);

/* Records a first request of n (none for n = 0) and starts the source.
 * The input may be dropped before this returns. */
void rx__fanin_start(rx__fanin_input *in, int64_t n);

/* Detaches *slot (NULL is a no-op) and sets it to NULL, cancelling the
 * source first when `cancel` is set, then frees the chain: now, or when
 * the last call through the input on the stack returns (fanin.c says
 * how). Signals that still reach the input are ignored; an error goes to
 * the undeliverable handler. */
void rx__fanin_drop(rx__fanin_input **slot, bool cancel);

/* ---- combining ----------------------------------------------------------- */

/* The failure paths of a combiner's result v and error err (both
 * taken): returns the error to fail the stream with, *out nil. */
rx_error *rx__fanin_combined(const rx__stage *owner, rx_value v, rx_error *err,
                             rx_value *out);

/* Runs the owner's combiner on n borrowed items (or builds an array of
 * them when it has none). Returns NULL with the new item in *out, or the
 * error to fail the stream with (a combiner error, or RX_ENOMEM for an
 * invalid item). */
rx_error *rx__fanin_combine_slow(const rx__stage *owner, const rx_value *items,
                                 size_t n, rx_value *out);

/* rx__fanin_combine_slow(), with the common case of release builds (a
 * combiner that succeeds) inline: zip calls it once per row. */
static inline rx_error *
rx__fanin_combine(const rx__stage *owner, const rx_value *items, size_t n,
                  rx_value *out)
{
#ifdef NDEBUG
    const struct rx__fanin_obs *o = rx__fanin_params(owner);

    if (RX__LIKELY(o->fn != NULL)) {
        rx_error *err = NULL;
        rx_value v = o->fn(items, n, o->ctx, &err);
        if (RX__LIKELY(err == NULL && !rx_is_invalid(v))) {
            *out = v;
            return NULL;
        }
        return rx__fanin_combined(owner, v, err, out);
    }
#endif
    return rx__fanin_combine_slow(owner, items, n, out);
}

/* An RX_ENOMEM error naming the owner's site and what it was doing. */
rx_error *rx__fanin_oom(const rx__stage *owner, const char *doing);

/* ---- the gate: a terminal signal waits for the running on_next ---------- */

typedef struct rx__fanin_gate {
    int emitting;    /* on_next calls downstream on the stack */
    bool done;       /* ended: terminal sent or pending, or cancelled */
    bool pending;    /* a terminal waits for on_next to return */
    rx_error *error; /* the pending error; NULL: completion */
} rx__fanin_gate;

/* Passes an item downstream; returns what downstream's on_next did. */
bool rx__fanin_gate_next(rx__fanin_gate *g, rx__stage *self, rx_value v);

/* Ends the stream with err (taken; NULL to complete): at once, or after
 * the on_next on the stack returns. After the end an error goes to the
 * undeliverable handler. */
void rx__fanin_gate_end(rx__fanin_gate *g, rx__stage *self, rx_error *err);

/* Downstream cancelled: nothing more goes down. */
void rx__fanin_gate_cancel(rx__fanin_gate *g);

/* ---- the pair engine (pair.c) ------------------------------------------ */

/* Source 0 of the observable is the main source, source 1 the other. */
enum { RX__PAIR_MAIN = 0, RX__PAIR_OTHER = 1 };

typedef struct rx__pair rx__pair;

/* What an operator built on the pair engine does. Everything else (the
 * main source's completion and error, the other's error, demand,
 * cancellation) is the engine's. */
struct rx__pair_ops {
    /* An item of the main source: emit it through the gate (or drop it
     * and return false). */
    bool (*main_next)(rx__pair *p, rx_value v);
    /* An item of the other source. */
    void (*other_next)(rx__pair *p, rx_value v);
    /* The other source completed (its input is already dropped). NULL:
     * nothing happens. */
    void (*other_complete)(rx__pair *p);
};

struct rx__pair {
    rx__stage base;
    const struct rx__pair_ops *ops;
    rx__fanin_input *main;
    rx__fanin_input *other;
    int64_t pending;   /* demand asked before the main source started */
    bool main_started; /* requests now go to the main source */
    rx__fanin_gate gate;
    rx_value latest; /* with_latest_from: the other's latest item */
    bool flag;       /* skip_until: the gate is open;
                        with_latest_from: latest is set */
};

/* Assembles a pair stage of the given operator below `down`. */
int rx__pair_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                      rx__stage **out, const struct rx__pair_ops *ops);

/* Ends the stream: cancels both sources, then signals err (taken; NULL
 * to complete) through the gate. */
void rx__pair_finish(rx__pair *p, rx_error *err);

#endif /* UVRX_OPERATORS_COMBINE_FANIN_H */
