/* SPDX-License-Identifier: MIT */
/*
 * finally: calls a user function once when the subscription ends,
 * whichever way: after the terminal signal went downstream, or on cancel.
 *
 * A pass-through stage. Like RxJava's doFinally, the function runs after
 * the downstream handled the terminal signal, and after the upstream was
 * cancelled; a flag makes it run once even when the downstream cancels
 * from inside its on_error or on_complete. A subscription that never
 * started (its assembly failed) never calls it.
 */
#include "rx-internal.h"

struct finally_obs {
    rx_observable base;
    void (*fn)(void *ctx);
    void *ctx;
};

struct finally_stage {
    rx__stage base;
    bool ran; /* fn was called */
};

static void
finally_run(struct finally_stage *st)
{
    const struct finally_obs *o = (const struct finally_obs *)st->base.obs;

    if (!st->ran) {
        st->ran = true;
        o->fn(o->ctx);
    }
}

static bool
finally_on_next(rx__stage *self, rx_value v)
{
    return rx__emit_next(self, v);
}

static void
finally_on_error(rx__stage *self, const rx_error *err)
{
    rx__emit_error(self, err);
    finally_run((struct finally_stage *)self);
}

static void
finally_on_complete(rx__stage *self)
{
    rx__emit_complete(self);
    finally_run((struct finally_stage *)self);
}

static void
finally_cancel(rx__stage *self)
{
    rx__cancel_up(self);
    finally_run((struct finally_stage *)self);
}

static const struct rx__stage_ops finally_stage_ops = {
    .on_next = finally_on_next,
    .on_error = finally_on_error,
    .on_complete = finally_on_complete,
    .request = rx__stage_pass_request,
    .cancel = finally_cancel,
};

static int
finally_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                 rx__stage **out)
{
    struct finally_stage *st;

    st = rx__stage_new(pipe, &finally_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops finally_ops = {.assemble = finally_assemble};

rx_observable *
rx_finally_at(const rx_site *site, rx_observable *src, void (*fn)(void *ctx),
              void *ctx)
{
    struct finally_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_finally: fn must not be NULL");
    }
    o = rx__observable_new(site, &finally_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    return &o->base;
}
