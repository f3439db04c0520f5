/* SPDX-License-Identifier: MIT */
/*
 * map and map_batch: apply a user function to each item.
 *
 * Both are fusable: they never build a stage of their own. At subscribe
 * time the fusion engine (src/fusion.c) folds them into the fused stage of
 * their run and calls the user function straight from its loop, which is
 * why this file only describes the operation.
 */
#include "fusion.h"

struct map_obs {
    rx_observable base;
    rx_map_fn fn;
    void *ctx;
};

struct map_batch_obs {
    rx_observable base;
    rx_map_batch_fn kernel;
    void *ctx;
};

static void
map_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct map_obs *m = (const struct map_obs *)self;

    op->kind = RX__FOP_MAP;
    op->fn.map = m->fn;
    op->ctx = m->ctx;
}

static void
map_batch_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct map_batch_obs *m = (const struct map_batch_obs *)self;

    op->kind = RX__FOP_MAP_BATCH;
    op->fn.map_batch = m->kernel;
    op->ctx = m->ctx;
}

static const struct rx__obs_ops map_ops = {.fuse = map_fuse};
static const struct rx__obs_ops map_batch_ops = {.fuse = map_batch_fuse};

rx_observable *
rx_map_at(const rx_site *site, rx_observable *src, rx_map_fn fn, void *ctx)
{
    struct map_obs *m;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_map: fn must not be NULL");
    }
    m = rx__observable_new(site, &map_ops, sizeof *m, src);
    if (m == NULL) {
        return NULL;
    }
    m->fn = fn;
    m->ctx = ctx;
    return &m->base;
}

rx_observable *
rx_map_batch_at(const rx_site *site, rx_observable *src, rx_map_batch_fn kernel,
                void *ctx)
{
    struct map_batch_obs *m;

    if (src == NULL) {
        return NULL;
    }
    if (kernel == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_map_batch: kernel must not be NULL");
    }
    m = rx__observable_new(site, &map_batch_ops, sizeof *m, src);
    if (m == NULL) {
        return NULL;
    }
    m->kernel = kernel;
    m->ctx = ctx;
    return &m->base;
}
