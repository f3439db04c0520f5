/* SPDX-License-Identifier: MIT */
/*
 * all, any and contains: answer a yes/no question about the items with
 * one bool.
 *
 * One stage serves the three. It asks its upstream for everything at
 * start and stops early at the deciding item (all: the first that fails
 * the predicate; any: the first that passes; contains: the first equal to
 * the value), cancelling the upstream. The answer goes through an outbox,
 * which waits for downstream demand and then completes. If the upstream
 * completes first, the answer is the other one: true for all (also when
 * empty), false for any and contains.
 */
#include "rx-internal.h"

enum pred_mode { PRED_ALL, PRED_ANY, PRED_CONTAINS };

struct pred_obs {
    rx_observable base;
    int mode;        /* a pred_mode */
    rx_pred_fn pred; /* all, any */
    void *ctx;
    rx_value v; /* contains: the value looked for, owned */
};

struct pred_stage {
    rx__stage base;
    rx__outbox out;
    bool done; /* answered, failed, or cancelled */
};

/* Emits the answer and completes. */
static void
pred_answer(struct pred_stage *st, bool answer)
{
    st->done = true;
    rx__outbox_push(&st->out, rx_bool(answer));
    rx__outbox_complete(&st->out);
}

static bool
pred_on_next(rx__stage *self, rx_value v)
{
    struct pred_stage *st = (struct pred_stage *)self;
    const struct pred_obs *o = (const struct pred_obs *)self->obs;
    rx_error *e = NULL;
    bool hit;

    if (st->done) {
        return true;
    }
    if (o->mode == PRED_CONTAINS) {
        hit = rx_value_equal(v, o->v);
    } else {
        hit = o->pred(v, o->ctx, &e);
    }
    if (e != NULL) {
        st->done = true;
        rx__cancel_up(self);
        rx__outbox_error(&st->out, e);
        rx_error_release(e);
        return true;
    }
    /* all decides on a miss, any and contains on a hit. */
    if (hit != (o->mode == PRED_ALL)) {
        rx__cancel_up(self);
        pred_answer(st, hit);
    }
    return true;
}

static void
pred_on_error(rx__stage *self, const rx_error *err)
{
    struct pred_stage *st = (struct pred_stage *)self;

    if (st->done) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->done = true;
    rx__outbox_error(&st->out, err);
}

static void
pred_on_complete(rx__stage *self)
{
    struct pred_stage *st = (struct pred_stage *)self;
    const struct pred_obs *o = (const struct pred_obs *)self->obs;

    if (st->done) {
        return;
    }
    pred_answer(st, o->mode == PRED_ALL);
}

static void
pred_request(rx__stage *self, int64_t n)
{
    struct pred_stage *st = (struct pred_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
pred_cancel(rx__stage *self)
{
    struct pred_stage *st = (struct pred_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
pred_start(rx__stage *self)
{
    struct pred_stage *st = (struct pred_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
pred_teardown(rx__stage *self)
{
    struct pred_stage *st = (struct pred_stage *)self;

    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops pred_stage_ops = {
    .on_next = pred_on_next,
    .on_error = pred_on_error,
    .on_complete = pred_on_complete,
    .request = pred_request,
    .cancel = pred_cancel,
    .start = pred_start,
    .teardown = pred_teardown,
};

static int
pred_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct pred_stage *st;

    st = rx__stage_new(pipe, &pred_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
pred_destroy(rx_observable *self)
{
    struct pred_obs *o = (struct pred_obs *)self;

    rx_value_release(o->v);
}

static const struct rx__obs_ops pred_ops = {
    .assemble = pred_assemble,
    .destroy = pred_destroy,
};

static rx_observable *
pred_new(const rx_site *site, rx_observable *src, int mode, rx_pred_fn pred,
         void *ctx, const char *name)
{
    struct pred_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (pred == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: pred must not be NULL", name);
    }
    o = rx__observable_new(site, &pred_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->mode = mode;
    o->pred = pred;
    o->ctx = ctx;
    return &o->base;
}

rx_observable *
rx_all_at(const rx_site *site, rx_observable *src, rx_pred_fn pred, void *ctx)
{
    return pred_new(site, src, PRED_ALL, pred, ctx, "rx_all");
}

rx_observable *
rx_any_at(const rx_site *site, rx_observable *src, rx_pred_fn pred, void *ctx)
{
    return pred_new(site, src, PRED_ANY, pred, ctx, "rx_any");
}

rx_observable *
rx_contains_at(const rx_site *site, rx_observable *src, rx_value v)
{
    struct pred_obs *o;

    if (src == NULL) {
        rx_value_release(v);
        return NULL;
    }
    if (rx_is_invalid(v)) {
        rx_observable_release(src);
        return rx__fail_null(RX_ENOMEM, "rx_contains: v is invalid");
    }
    o = rx__observable_new(site, &pred_ops, sizeof *o, src);
    if (o == NULL) {
        rx_value_release(v);
        return NULL;
    }
    o->mode = PRED_CONTAINS;
    o->v = v;
    return &o->base;
}
