/* SPDX-License-Identifier: MIT */
/*
 * skip: drop the first `count` items.
 *
 * skip is fusable: a step of the fused stage of its run; op->n counts the
 * items still to drop. A dropped item consumes no demand (the fused stage
 * tells its upstream so), so the upstream emits another in its place;
 * this is how the fused form gets the effect of RxJava's skip asking its
 * upstream for `count` extra items at subscribe time.
 */
#include "fusion.h"

struct skip_obs {
    rx_observable base;
    int64_t count;
};

static int
skip_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    (void)err;
    if (op->n > 0) {
        op->n--;
        rx_value_release(*v);
        return RX__F_DROP;
    }
    return RX__F_PASS;
}

static const struct rx__fop_ops skip_fop_ops = {.step = skip_step};

/* Runs once per subscription, at assembly, so each subscriber skips. */
static void
skip_fuse(const rx_observable *self, struct rx__fop *op)
{
    op->kind = RX__FOP_STEP;
    op->ops = &skip_fop_ops;
    op->n = ((const struct skip_obs *)self)->count;
}

static const struct rx__obs_ops skip_ops = {.fuse = skip_fuse};

rx_observable *
rx_skip_at(const rx_site *site, rx_observable *src, int64_t count)
{
    struct skip_obs *s;

    if (src == NULL) {
        return NULL;
    }
    if (count < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_skip: count must be >= 0");
    }
    s = rx__observable_new(site, &skip_ops, sizeof *s, src);
    if (s == NULL) {
        return NULL;
    }
    s->count = count;
    return &s->base;
}
