/* SPDX-License-Identifier: MIT */
/*
 * defer: calls a factory at each subscription and runs what it returns.
 *
 * The defer stage sits where the source would be. Assembly builds only
 * this stage: the factory runs in the start hook, never while the
 * pipeline is being assembled, so a subscription that fails to assemble
 * calls no user function. At start the returned observable is assembled
 * below defer's downstream, so the inner chain signals straight to it
 * and defer stays out of the item path; defer only forwards requests and
 * cancels to the inner chain, after recording those made before start.
 */
#include "rx-internal.h"

struct defer_obs {
    rx_observable base;
    rx_defer_fn factory;
    void *ctx;
};

struct defer_stage {
    rx__stage base;       /* base.up: the inner chain, once assembled */
    rx_observable *inner; /* what the factory returned, owned */
    int64_t requested;    /* demand recorded before the inner existed */
    bool started;         /* the inner chain was assembled and started */
    bool cancelled;       /* cancelled, or failed */
};

static void
defer_request(rx__stage *self, int64_t n)
{
    struct defer_stage *st = (struct defer_stage *)self;

    if (st->cancelled) {
        return;
    }
    if (st->started) {
        rx__request_up(self, n);
    } else {
        st->requested = rx__demand_add(st->requested, n);
    }
}

static void
defer_cancel(rx__stage *self)
{
    struct defer_stage *st = (struct defer_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->cancelled = true;
    rx__cancel_up(self);
}

/* Signals a failure of the factory or of assembling its result; defer
 * itself never touched the downstream before, so this is its terminal. */
static void
defer_fail(struct defer_stage *st, rx_error *err)
{
    st->cancelled = true;
    rx__emit_new_error(&st->base, err);
}

/* The error of a factory that returned NULL without setting *err: what it
 * left in the last error, as the typedef documents. */
static rx_error *
defer_last_error(const rx__stage *self)
{
    int code = rx_last_error();

    if (code >= 0) {
        return rx__error_at(rx__stage_site(self), RX_EINVAL,
                            "rx_defer: factory returned NULL");
    }
    return rx__error_at(rx__stage_site(self), code, "%s",
                        rx_last_error_message());
}

static void
defer_start(rx__stage *self)
{
    struct defer_stage *st = (struct defer_stage *)self;
    const struct defer_obs *o = (const struct defer_obs *)self->obs;
    rx_observable *inner;
    rx_error *err = NULL;

    if (st->cancelled) {
        return;
    }
    inner = o->factory(o->ctx, &err);
    if (err != NULL) {
        rx_observable_release(inner);
        defer_fail(st, err);
        return;
    }
    if (inner == NULL) {
        defer_fail(st, defer_last_error(self));
        return;
    }
    /* Kept until teardown rather than released now: the inner stages
     * retain the observables they run, but a transparent kind such as
     * rx_attach has no stage, and its context must outlive the run. */
    st->inner = inner;
    if (rx__assemble(inner, self->pipe, self->down, &self->up) != 0) {
        /* Stages made before the failure stay on the pipeline's list and
         * are freed with it; none of them was started. */
        self->up = NULL;
        defer_fail(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                    "rx_defer: out of memory"));
        return;
    }
    st->started = true;
    if (st->requested > 0) {
        rx__request_up(self, st->requested);
    }
    rx__stage_start(self->up);
}

static void
defer_teardown(rx__stage *self)
{
    struct defer_stage *st = (struct defer_stage *)self;

    rx_observable_release(st->inner);
    st->inner = NULL;
}

static const struct rx__stage_ops defer_stage_ops = {
    .request = defer_request,
    .cancel = defer_cancel,
    .start = defer_start,
    .teardown = defer_teardown,
};

static int
defer_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct defer_stage *st;

    st = rx__stage_new(pipe, &defer_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops defer_ops = {.assemble = defer_assemble};

rx_observable *
rx_defer_at(const rx_site *site, rx_defer_fn factory, void *ctx)
{
    struct defer_obs *o;

    if (factory == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_defer: factory must not be NULL");
    }
    o = rx__observable_new(site, &defer_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->factory = factory;
    o->ctx = ctx;
    return &o->base;
}
