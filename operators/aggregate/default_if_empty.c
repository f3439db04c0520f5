/* SPDX-License-Identifier: MIT */
/*
 * default_if_empty: passes items through, and emits a default value when
 * the upstream completes without any.
 *
 * Items and demand pass through one for one. The stage counts the demand
 * downstream gave: if the upstream completes empty, none of it was used,
 * so it is handed to an outbox that emits the default when demand allows
 * (at once if downstream already asked) and then completes.
 */
#include "rx-internal.h"

struct die_obs {
    rx_observable base;
    rx_value v; /* the default, owned; shared by every subscription */
};

struct die_stage {
    rx__stage base;
    rx__outbox out;    /* only used for the default */
    int64_t requested; /* every unit of demand downstream gave */
    bool has_items;    /* some item passed */
    bool terminated;   /* the upstream terminated, or a cancel came */
    bool defaulting;   /* the default is due: requests go to the outbox */
};

static bool
die_on_next(rx__stage *self, rx_value v)
{
    struct die_stage *st = (struct die_stage *)self;

    if (st->terminated) {
        return true;
    }
    st->has_items = true;
    return rx__emit_next(self, v);
}

static void
die_on_error(rx__stage *self, const rx_error *err)
{
    struct die_stage *st = (struct die_stage *)self;

    if (st->terminated) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->terminated = true;
    rx__emit_error(self, err);
}

static void
die_on_complete(rx__stage *self)
{
    struct die_stage *st = (struct die_stage *)self;
    const struct die_obs *o = (const struct die_obs *)self->obs;

    if (st->terminated) {
        return;
    }
    st->terminated = true;
    if (st->has_items) {
        rx__emit_complete(self);
        return;
    }
    st->defaulting = true;
    rx__outbox_push(&st->out, rx_value_retain(o->v));
    rx__outbox_complete(&st->out);
    if (st->requested > 0) {
        rx__outbox_request(&st->out, st->requested);
    }
}

static void
die_request(rx__stage *self, int64_t n)
{
    struct die_stage *st = (struct die_stage *)self;

    if (st->defaulting) {
        rx__outbox_request(&st->out, n);
        return;
    }
    st->requested = rx__demand_add(st->requested, n);
    rx__request_up(self, n);
}

static void
die_cancel(rx__stage *self)
{
    struct die_stage *st = (struct die_stage *)self;

    st->terminated = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
die_start(rx__stage *self)
{
    struct die_stage *st = (struct die_stage *)self;

    rx__outbox_start(&st->out);
    rx__stage_start(self->up);
}

static void
die_teardown(rx__stage *self)
{
    struct die_stage *st = (struct die_stage *)self;

    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops die_stage_ops = {
    .on_next = die_on_next,
    .on_error = die_on_error,
    .on_complete = die_on_complete,
    .request = die_request,
    .cancel = die_cancel,
    .start = die_start,
    .teardown = die_teardown,
};

static int
die_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
             rx__stage **out)
{
    struct die_stage *st;

    st = rx__stage_new(pipe, &die_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
die_destroy(rx_observable *self)
{
    struct die_obs *o = (struct die_obs *)self;

    rx_value_release(o->v);
}

static const struct rx__obs_ops die_ops = {
    .assemble = die_assemble,
    .destroy = die_destroy,
};

rx_observable *
rx_default_if_empty_at(const rx_site *site, rx_observable *src, rx_value v)
{
    struct die_obs *o;

    if (src == NULL) {
        rx_value_release(v);
        return NULL;
    }
    if (rx_is_invalid(v)) {
        rx_observable_release(src);
        return rx__fail_null(RX_ENOMEM, "rx_default_if_empty: v is invalid");
    }
    o = rx__observable_new(site, &die_ops, sizeof *o, src);
    if (o == NULL) {
        rx_value_release(v);
        return NULL;
    }
    o->v = v;
    return &o->base;
}
