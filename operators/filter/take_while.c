/* SPDX-License-Identifier: MIT */
/*
 * take_while: emit items while a user predicate holds; at the first item
 * that fails it, cancel the upstream and complete without that item.
 *
 * take_while is fusable: a step of the fused stage of its run, with no
 * per-subscription state (once the predicate fails, the stream is over).
 */
#include "fusion.h"

struct take_while_obs {
    rx_observable base;
    rx_pred_fn pred;
    void *ctx;
};

/* Runs the predicate on the item; a failing predicate stops the stream
 * (the item is released), a predicate error fails it. */
static int
take_while_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    rx_error *e = NULL;
    bool keep = op->fn.pred(*v, op->ctx, &e);

    if (e != NULL) {
        rx_value_release(*v);
        *err = e;
        return RX__F_ERROR;
    }
    if (!keep) {
        rx_value_release(*v);
        return RX__F_STOP;
    }
    return RX__F_PASS;
}

static const struct rx__fop_ops take_while_fop_ops = {
    .step = take_while_step,
};

static void
take_while_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct take_while_obs *t = (const struct take_while_obs *)self;

    op->kind = RX__FOP_STEP;
    op->ops = &take_while_fop_ops;
    op->fn.pred = t->pred;
    op->ctx = t->ctx;
}

static const struct rx__obs_ops take_while_ops = {.fuse = take_while_fuse};

rx_observable *
rx_take_while_at(const rx_site *site, rx_observable *src, rx_pred_fn pred,
                 void *ctx)
{
    struct take_while_obs *t;

    if (src == NULL) {
        return NULL;
    }
    if (pred == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_take_while: pred must not be NULL");
    }
    t = rx__observable_new(site, &take_while_ops, sizeof *t, src);
    if (t == NULL) {
        return NULL;
    }
    t->pred = pred;
    t->ctx = ctx;
    return &t->base;
}
