/* SPDX-License-Identifier: MIT */
/*
 * skip_while: drop items while a user predicate holds, then emit every
 * item (the predicate is not called again).
 *
 * skip_while is fusable: a step of the fused stage of its run; op->flag
 * records that the predicate failed once. Dropped items consume no
 * demand, so the upstream emits another in their place.
 */
#include "fusion.h"

struct skip_while_obs {
    rx_observable base;
    rx_pred_fn pred;
    void *ctx;
};

static int
skip_while_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    rx_error *e = NULL;
    bool skip;

    if (op->flag) {
        return RX__F_PASS;
    }
    skip = op->fn.pred(*v, op->ctx, &e);
    if (e != NULL) {
        rx_value_release(*v);
        *err = e;
        return RX__F_ERROR;
    }
    if (skip) {
        rx_value_release(*v);
        return RX__F_DROP;
    }
    op->flag = true;
    return RX__F_PASS;
}

static const struct rx__fop_ops skip_while_fop_ops = {
    .step = skip_while_step,
};

static void
skip_while_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct skip_while_obs *s = (const struct skip_while_obs *)self;

    op->kind = RX__FOP_STEP;
    op->ops = &skip_while_fop_ops;
    op->fn.pred = s->pred;
    op->ctx = s->ctx;
    op->flag = false;
}

static const struct rx__obs_ops skip_while_ops = {.fuse = skip_while_fuse};

rx_observable *
rx_skip_while_at(const rx_site *site, rx_observable *src, rx_pred_fn pred,
                 void *ctx)
{
    struct skip_while_obs *s;

    if (src == NULL) {
        return NULL;
    }
    if (pred == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_skip_while: pred must not be NULL");
    }
    s = rx__observable_new(site, &skip_while_ops, sizeof *s, src);
    if (s == NULL) {
        return NULL;
    }
    s->pred = pred;
    s->ctx = ctx;
    return &s->base;
}
