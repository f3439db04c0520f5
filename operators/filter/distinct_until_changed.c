/* SPDX-License-Identifier: MIT */
/*
 * distinct_until_changed: drop items equal (rx_value_equal()) to the item
 * just before.
 *
 * distinct_until_changed is fusable: a step of the fused stage of its run.
 * op->val holds a reference to the last item that went on (op->flag says
 * there is one); the teardown hook releases it. A dropped item consumes no
 * demand, so the upstream emits another in its place.
 */
#include "fusion.h"

static int
distinct_until_changed_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    (void)err;
    if (op->flag && rx_value_equal(op->val, *v)) {
        rx_value_release(*v);
        return RX__F_DROP;
    }
    rx_value_release(op->val);
    op->val = rx_value_retain(*v);
    op->flag = true;
    return RX__F_PASS;
}

static void
distinct_until_changed_teardown(struct rx__fop *op)
{
    rx_value_release(op->val);
    op->val = rx_nil();
    op->flag = false;
}

static const struct rx__fop_ops distinct_until_changed_fop_ops = {
    .step = distinct_until_changed_step,
    .teardown = distinct_until_changed_teardown,
};

static void
distinct_until_changed_fuse(const rx_observable *self, struct rx__fop *op)
{
    (void)self;
    op->kind = RX__FOP_STEP;
    op->ops = &distinct_until_changed_fop_ops;
    op->val = rx_nil();
    op->flag = false;
}

static const struct rx__obs_ops distinct_until_changed_ops = {
    .fuse = distinct_until_changed_fuse,
};

rx_observable *
rx_distinct_until_changed_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &distinct_until_changed_ops,
                              sizeof(rx_observable), src);
}
