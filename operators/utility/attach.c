/* SPDX-License-Identifier: MIT */
/*
 * attach: ties the lifetime of a user context to an observable.
 *
 * attach is a transparent kind: it adds no stage, assembling just its
 * source, and fusion looks through it. Its only job is ownership: the
 * observable owns ctx and calls drop(ctx) when it is destroyed. Every
 * running pipeline retains its root observable (and operators that
 * assemble inner observables keep them until their stage is freed), so
 * the attach observable, and ctx with it, lives until the last
 * subscription made through it is freed.
 */
#include "rx-internal.h"

struct attach_obs {
    rx_observable base;
    void *ctx;
    rx_drop_fn drop;
};

static int
attach_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    return rx__assemble(self->src, pipe, down, out);
}

static void
attach_destroy(rx_observable *self)
{
    struct attach_obs *a = (struct attach_obs *)self;

    a->drop(a->ctx);
}

static const struct rx__obs_ops attach_ops = {
    .assemble = attach_assemble,
    .destroy = attach_destroy,
    .transparent = true,
};

rx_observable *
rx_attach_at(const rx_site *site, rx_observable *src, void *ctx,
             rx_drop_fn drop)
{
    struct attach_obs *a;

    /* NULL in, NULL out: an earlier call failed and set the last error. */
    if (src == NULL) {
        if (drop != NULL) {
            drop(ctx);
        }
        return NULL;
    }
    /* With no drop function ctx cannot be released: it stays the
     * caller's (the one exception to "ctx is taken", documented). */
    if (drop == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_attach: drop must not be NULL");
    }
    a = rx__observable_new(site, &attach_ops, sizeof *a, src);
    if (a == NULL) {
        drop(ctx);
        return NULL;
    }
    a->ctx = ctx;
    a->drop = drop;
    return &a->base;
}
