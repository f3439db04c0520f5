/* SPDX-License-Identifier: MIT */
/*
 * take: emit the first `count` items, then cancel the upstream and
 * complete.
 *
 * take is fusable: it runs as a step of the fused stage of its run. Its
 * per-subscription state lives in the fop: op->n counts the items still to
 * emit, op->val (an integer value) counts the items still allowed to be
 * requested from the upstream. As in RxJava 3, take never asks its
 * upstream for more than `count` items in total, whatever downstream
 * requests: a downstream asking for RX_UNBOUNDED gets take(2) asking the
 * upstream for 2. Two counters are needed because requests and items are
 * not in step: several requests may pass before the first item arrives.
 */
#include "fusion.h"
#include "rx-assert.h"

struct take_obs {
    rx_observable base;
    int64_t count;
};

/* Counts one item down; the item that reaches the count is the last. The
 * guard for n <= 0 is defensive: the engine stops at LAST. */
static int
take_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    (void)err;
    if (RX__NEVER(op->n <= 0)) {
        rx_value_release(*v);
        return RX__F_STOP;
    }
    op->n--;
    return op->n == 0 ? RX__F_LAST : RX__F_PASS;
}

/* take(0) completes at subscribe time, before the upstream emits. */
static int
take_start(struct rx__fop *op)
{
    return op->n == 0 ? RX__F_STOP : RX__F_PASS;
}

/* Passes a downstream request on, clamped to what is left of `count`; 0
 * means "ask nothing". */
static int64_t
take_on_request(struct rx__fop *op, int64_t n)
{
    int64_t budget = op->val.as.i;
    int64_t ask = n < budget ? n : budget;

    op->val.as.i = budget - ask;
    return ask;
}

static const struct rx__fop_ops take_fop_ops = {
    .step = take_step,
    .start = take_start,
    .on_request = take_on_request,
};

/* Runs once per subscription, at assembly and before any hook, so the
 * counters start fresh for every subscriber. */
static void
take_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct take_obs *t = (const struct take_obs *)self;

    op->kind = RX__FOP_STEP;
    op->ops = &take_fop_ops;
    op->n = t->count;
    op->val = rx_int(t->count);
}

static const struct rx__obs_ops take_ops = {.fuse = take_fuse};

rx_observable *
rx_take_at(const rx_site *site, rx_observable *src, int64_t count)
{
    struct take_obs *t;

    if (src == NULL) {
        return NULL;
    }
    if (count < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_take: count must be >= 0");
    }
    t = rx__observable_new(site, &take_ops, sizeof *t, src);
    if (t == NULL) {
        return NULL;
    }
    t->count = count;
    return &t->base;
}
