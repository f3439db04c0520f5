/* SPDX-License-Identifier: MIT */
/*
 * tap: calls side-effect callbacks as signals pass, changing nothing.
 *
 * tap is fusable: it describes itself as a step of the fused stage of its
 * run, whose hooks call the user's callbacks. The step passes every item
 * on unchanged and asks the upstream for exactly what downstream asked.
 * A cancel seen by tap is one from downstream or one caused by an
 * operator below it finishing early (take), as RxJava's doOnCancel sees.
 */
#include "fusion.h"

struct tap_obs {
    rx_observable base;
    rx_tap_config cfg; /* copied: the caller's struct may go away */
};

static const rx_tap_config *
tap_cfg(const struct rx__fop *op)
{
    return &((const struct tap_obs *)op->obs)->cfg;
}

static int
tap_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    const rx_tap_config *cfg = tap_cfg(op);

    (void)err;
    if (cfg->on_next != NULL) {
        cfg->on_next(*v, cfg->ctx);
    }
    return RX__F_PASS;
}

static void
tap_on_complete(struct rx__fop *op, rx_error **err)
{
    const rx_tap_config *cfg = tap_cfg(op);

    (void)err;
    if (cfg->on_complete != NULL) {
        cfg->on_complete(cfg->ctx);
    }
}

static void
tap_on_error(struct rx__fop *op, const rx_error *e)
{
    const rx_tap_config *cfg = tap_cfg(op);

    if (cfg->on_error != NULL) {
        cfg->on_error(e, cfg->ctx);
    }
}

static int64_t
tap_on_request(struct rx__fop *op, int64_t n)
{
    const rx_tap_config *cfg = tap_cfg(op);

    if (cfg->on_request != NULL) {
        cfg->on_request(n, cfg->ctx);
    }
    return n;
}

static void
tap_on_cancel(struct rx__fop *op)
{
    const rx_tap_config *cfg = tap_cfg(op);

    if (cfg->on_cancel != NULL) {
        cfg->on_cancel(cfg->ctx);
    }
}

static const struct rx__fop_ops tap_fop_ops = {
    .step = tap_step,
    .on_complete = tap_on_complete,
    .on_error = tap_on_error,
    .on_request = tap_on_request,
    .on_cancel = tap_on_cancel,
};

static void
tap_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct tap_obs *t = (const struct tap_obs *)self;

    op->kind = RX__FOP_STEP;
    op->ops = &tap_fop_ops;
    op->obs = self;
    op->ctx = t->cfg.ctx;
}

static const struct rx__obs_ops tap_ops = {.fuse = tap_fuse};

rx_observable *
rx_tap_opts_at(const rx_site *site, rx_observable *src,
               const rx_tap_config *cfg)
{
    struct tap_obs *t;

    if (src == NULL) {
        return NULL;
    }
    if (cfg == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_tap_opts: cfg must not be NULL");
    }
    t = rx__observable_new(site, &tap_ops, sizeof *t, src);
    if (t == NULL) {
        return NULL;
    }
    t->cfg = *cfg;
    return &t->base;
}
