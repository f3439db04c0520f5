/* SPDX-License-Identifier: MIT */
/*
 * filter and filter_batch: keep the items a user predicate accepts.
 *
 * Both are fusable: they never build a stage of their own. At subscribe
 * time the fusion engine (src/fusion.c) folds them into the fused stage of
 * their run and calls the predicate (or the batch kernel) straight from its
 * loop. A rejected item consumes no demand there, so the upstream emits
 * another in its place instead of waiting for a request(1).
 */
#include "fusion.h"

struct filter_obs {
    rx_observable base;
    rx_pred_fn pred;
    void *ctx;
};

struct filter_batch_obs {
    rx_observable base;
    rx_filter_batch_fn kernel;
    void *ctx;
};

static void
filter_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct filter_obs *f = (const struct filter_obs *)self;

    op->kind = RX__FOP_FILTER;
    op->fn.pred = f->pred;
    op->ctx = f->ctx;
}

static void
filter_batch_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct filter_batch_obs *f = (const struct filter_batch_obs *)self;

    op->kind = RX__FOP_FILTER_BATCH;
    op->fn.filter_batch = f->kernel;
    op->ctx = f->ctx;
}

static const struct rx__obs_ops filter_ops = {.fuse = filter_fuse};
static const struct rx__obs_ops filter_batch_ops = {.fuse = filter_batch_fuse};

rx_observable *
rx_filter_at(const rx_site *site, rx_observable *src, rx_pred_fn pred,
             void *ctx)
{
    struct filter_obs *f;

    if (src == NULL) {
        return NULL;
    }
    if (pred == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_filter: pred must not be NULL");
    }
    f = rx__observable_new(site, &filter_ops, sizeof *f, src);
    if (f == NULL) {
        return NULL;
    }
    f->pred = pred;
    f->ctx = ctx;
    return &f->base;
}

rx_observable *
rx_filter_batch_at(const rx_site *site, rx_observable *src,
                   rx_filter_batch_fn kernel, void *ctx)
{
    struct filter_batch_obs *f;

    if (src == NULL) {
        return NULL;
    }
    if (kernel == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_filter_batch: kernel must not be NULL");
    }
    f = rx__observable_new(site, &filter_batch_ops, sizeof *f, src);
    if (f == NULL) {
        return NULL;
    }
    f->kernel = kernel;
    f->ctx = ctx;
    return &f->base;
}
