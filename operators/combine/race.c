/* SPDX-License-Identifier: MIT */
/*
 * race and race_array (RxJava's amb): mirror whichever source signals
 * first and cancel the others.
 *
 * Sources are subscribed in order; one that signals while it is being
 * subscribed wins before the next is subscribed, as in RxJava. Any
 * signal wins: an item, an error or a completion. The winner cancels
 * every other source before its signal goes downstream, so from then on
 * the stage is a plain pass-through of the winner (items keep their
 * "used demand" answer).
 *
 * Demand. Until there is a winner each request goes to every source
 * already subscribed, and a source subscribed later starts with all the
 * demand asked so far; afterwards requests go to the winner alone, which
 * has already seen everything asked before.
 */
#include <stddef.h>

#include "fanin.h"

#define NO_WINNER SIZE_MAX

struct race_stage {
    rx__stage base;
    int64_t requested; /* demand asked so far, before a winner */
    size_t winner;     /* index of the winner, or NO_WINNER */
    size_t started;    /* sources subscribed so far */
    bool done;         /* terminal sent or cancelled */
    size_t n;
    rx__fanin_input *ins[];
};

static void
drop_all(struct race_stage *r)
{
    for (size_t i = 0; i < r->n; i++) {
        rx__fanin_drop(&r->ins[i], true);
    }
}

/* Whether source i has won (now or before); the first to ask wins and
 * cancels the others. */
static bool
win(struct race_stage *r, size_t i)
{
    if (r->winner == NO_WINNER) {
        r->winner = i;
        for (size_t k = 0; k < r->n; k++) {
            if (k != i) {
                rx__fanin_drop(&r->ins[k], true);
            }
        }
    }
    return r->winner == i;
}

static bool
race_on_next(rx__stage *owner, size_t index, rx_value v)
{
    struct race_stage *r = (struct race_stage *)owner;

    if (r->done || !win(r, index)) {
        return false;
    }
    return rx__emit_next(&r->base, v);
}

static void
race_on_error(rx__stage *owner, size_t index, const rx_error *err)
{
    struct race_stage *r = (struct race_stage *)owner;

    if (r->done || !win(r, index)) {
        rx__undeliverable(err);
        return;
    }
    r->done = true;
    rx__fanin_drop(&r->ins[index], false);
    rx__emit_error(&r->base, err);
}

static void
race_on_complete(rx__stage *owner, size_t index)
{
    struct race_stage *r = (struct race_stage *)owner;

    if (r->done || !win(r, index)) {
        return;
    }
    r->done = true;
    rx__fanin_drop(&r->ins[index], false);
    rx__emit_complete(&r->base);
}

static const struct rx__fanin_hooks race_hooks = {
    .on_next = race_on_next,
    .on_error = race_on_error,
    .on_complete = race_on_complete,
};

static void
race_request(rx__stage *self, int64_t n)
{
    struct race_stage *r = (struct race_stage *)self;

    if (r->done) {
        return;
    }
    if (r->winner != NO_WINNER) {
        if (r->ins[r->winner] != NULL) {
            rx__fanin_request(r->ins[r->winner], n);
        }
        return;
    }
    r->requested = rx__demand_add(r->requested, n);
    for (size_t i = 0; i < r->started && r->winner == NO_WINNER; i++) {
        if (r->ins[i] != NULL) {
            rx__fanin_request(r->ins[i], n);
        }
    }
}

static void
race_cancel(rx__stage *self)
{
    struct race_stage *r = (struct race_stage *)self;

    r->done = true;
    drop_all(r);
}

static void
race_start(rx__stage *self)
{
    struct race_stage *r = (struct race_stage *)self;

    while (r->started < r->n && !r->done && r->winner == NO_WINNER) {
        rx__fanin_input *in = r->ins[r->started++];
        if (in != NULL) {
            rx__fanin_start(in, r->requested);
        }
    }
    if (r->n == 0 && !r->done) {
        r->done = true;
        rx__emit_complete(&r->base);
    }
}

static const struct rx__stage_ops race_stage_ops = {
    .request = race_request,
    .cancel = race_cancel,
    .start = race_start,
};

static int
race_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    const struct rx__fanin_obs *o = (const struct rx__fanin_obs *)self;
    struct race_stage *r;

    r = rx__stage_new(pipe, &race_stage_ops,
                      sizeof *r + o->n * sizeof(rx__fanin_input *), self, down);
    if (r == NULL) {
        return RX_ENOMEM;
    }
    *out = &r->base;
    r->winner = NO_WINNER;
    r->n = o->n;
    for (size_t i = 0; i < o->n; i++) {
        int rc = rx__fanin_input_new(&r->base, &race_hooks, i, &r->ins[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static const struct rx__obs_ops race_ops = {
    .assemble = race_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_race_array_at(const rx_site *site, size_t n, rx_observable *const *srcs)
{
    return rx__fanin_new(site, &race_ops, n, srcs, NULL, NULL);
}

rx_observable *
rx_race_at(const rx_site *site, rx_observable *a, rx_observable *b)
{
    rx_observable *srcs[2];

    srcs[0] = a;
    srcs[1] = b;
    return rx__fanin_new(site, &race_ops, 2, srcs, NULL, NULL);
}
