/* SPDX-License-Identifier: MIT */
/*
 * on_backpressure_drop: drops the items that arrive while the subscriber
 * has no demand.
 *
 * The stage asks its upstream for everything at start and forwards an
 * item only when downstream demand is outstanding; the others go to
 * rx__discard(). It holds nothing, so every signal it sends happens
 * inside a signal from upstream and the terminal signals pass straight
 * through.
 */
#include "rx-internal.h"

struct bpdrop_stage {
    rx__stage base;
    int64_t requested; /* outstanding downstream demand */
    bool cancelled;    /* cancelled, or a terminal went down */
};

static bool
bpdrop_on_next(rx__stage *self, rx_value v)
{
    struct bpdrop_stage *st = (struct bpdrop_stage *)self;

    if (st->cancelled || st->requested == 0) {
        rx__discard(self, rx_value_retain(v));
        return true;
    }
    if (rx__emit_next(self, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    return true;
}

static void
bpdrop_on_error(rx__stage *self, const rx_error *err)
{
    struct bpdrop_stage *st = (struct bpdrop_stage *)self;

    if (st->cancelled) {
        rx__undeliverable(err);
        return;
    }
    st->cancelled = true;
    rx__emit_error(self, err);
}

static void
bpdrop_on_complete(rx__stage *self)
{
    struct bpdrop_stage *st = (struct bpdrop_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->cancelled = true;
    rx__emit_complete(self);
}

static void
bpdrop_request(rx__stage *self, int64_t n)
{
    struct bpdrop_stage *st = (struct bpdrop_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

static void
bpdrop_cancel(rx__stage *self)
{
    struct bpdrop_stage *st = (struct bpdrop_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->cancelled = true;
    rx__cancel_up(self);
}

static void
bpdrop_start(rx__stage *self)
{
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static const struct rx__stage_ops bpdrop_stage_ops = {
    .on_next = bpdrop_on_next,
    .on_error = bpdrop_on_error,
    .on_complete = bpdrop_on_complete,
    .request = bpdrop_request,
    .cancel = bpdrop_cancel,
    .start = bpdrop_start,
};

static int
bpdrop_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct bpdrop_stage *st;

    st = rx__stage_new(pipe, &bpdrop_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops bpdrop_ops = {.assemble = bpdrop_assemble};

rx_observable *
rx_on_backpressure_drop_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &bpdrop_ops, sizeof(rx_observable), src);
}
