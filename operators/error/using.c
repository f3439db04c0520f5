/* SPDX-License-Identifier: MIT */
/*
 * using: a resource per subscription, released exactly once.
 *
 * The stage is the source of its pipeline. When it starts it acquires the
 * resource, makes the observable from it and assembles that observable's
 * chain above itself, so the items pass straight through. Requests made
 * before the start are added up and handed to the chain once it exists.
 * The resource is released once, by whichever comes first: the terminal
 * signal (before it goes downstream, RxJava's eager mode), the cancel, a
 * failure to build the chain, or the teardown.
 */
#include "rx-internal.h"

struct using_obs {
    rx_observable base;
    rx_resource_fn acquire;
    rx_using_fn make;
    rx_resource_drop_fn drop;
    void *ctx;
};

struct using_stage {
    rx__stage base;    /* base.up: the chain made from the resource */
    int64_t requested; /* asked before the chain existed */
    rx_value resource;
    bool held; /* the resource is acquired and not yet released */
    bool started;
    bool done;
};

static const struct using_obs *
params(const struct using_stage *st)
{
    return (const struct using_obs *)st->base.obs;
}

static void
release_resource(struct using_stage *st)
{
    if (st->held) {
        const struct using_obs *o = params(st);
        rx_value r = st->resource;
        st->held = false;
        st->resource = rx_nil();
        if (o->drop != NULL) {
            o->drop(r, o->ctx);
        }
        rx_value_release(r);
    }
}

static void
using_fail(struct using_stage *st, rx_error *err)
{
    st->done = true;
    release_resource(st);
    rx__emit_new_error(&st->base, err);
}

static bool
using_on_next(rx__stage *self, rx_value v)
{
    return ((struct using_stage *)self)->done || rx__emit_next(self, v);
}

static void
using_on_error(rx__stage *self, const rx_error *err)
{
    struct using_stage *st = (struct using_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    release_resource(st);
    rx__emit_error(self, err);
}

static void
using_on_complete(rx__stage *self)
{
    struct using_stage *st = (struct using_stage *)self;

    if (!st->done) {
        st->done = true;
        release_resource(st);
        rx__emit_complete(self);
    }
}

static void
using_request(rx__stage *self, int64_t n)
{
    struct using_stage *st = (struct using_stage *)self;

    if (self->up != NULL) {
        rx__request_up(self, n);
    } else {
        st->requested = rx__demand_add(st->requested, n);
    }
}

static void
using_cancel(rx__stage *self)
{
    struct using_stage *st = (struct using_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__cancel_up(self);
    release_resource(st);
}

/* A user function returned NULL without an error: name the last one. */
static rx_error *
null_error(const rx__stage *self, const char *what)
{
    int code = rx_last_error() < 0 ? rx_last_error() : RX_EINVAL;

    return rx__error_at(rx__stage_site(self), code, "%s: %s returned NULL: %s",
                        rx__stage_site(self)->name, what,
                        rx_last_error() < 0 ? rx_last_error_message()
                                            : "no error given");
}

static void
using_start(rx__stage *self)
{
    struct using_stage *st = (struct using_stage *)self;
    const struct using_obs *o = params(st);
    rx_observable *made;
    rx_error *err = NULL;
    rx_value r;
    int rc;

    if (st->done) {
        return;
    }
    r = o->acquire(o->ctx, &err);
    if (err != NULL || rx_is_invalid(r)) {
        rx_value_release(r);
        st->done = true;
        rx__emit_new_error(
            self, err != NULL ? err
                              : rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                             "%s: acquire returned "
                                             "rx_invalid()",
                                             rx__stage_site(self)->name));
        return;
    }
    st->resource = r;
    st->held = true;
    made = o->make(r, o->ctx, &err);
    if (err != NULL || made == NULL) {
        rx_observable_release(made);
        using_fail(st, err != NULL ? err : null_error(self, "make"));
        return;
    }
    rc = rx__assemble(made, self->pipe, self, &self->up);
    rx_observable_release(made);
    if (rc < 0) {
        self->up = NULL;
        using_fail(st, rx__error_at(rx__stage_site(self), rc,
                                    "%s: cannot subscribe the observable "
                                    "made from the resource",
                                    rx__stage_site(self)->name));
        return;
    }
    if (st->requested > 0) {
        rx__request_up(self, st->requested);
    }
    rx__stage_start(self->up);
}

static void
using_teardown(rx__stage *self)
{
    release_resource((struct using_stage *)self);
}

static const struct rx__stage_ops using_stage_ops = {
    .on_next = using_on_next,
    .on_error = using_on_error,
    .on_complete = using_on_complete,
    .request = using_request,
    .cancel = using_cancel,
    .start = using_start,
    .teardown = using_teardown,
};

static int
using_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct using_stage *st;

    st = rx__stage_new(pipe, &using_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->resource = rx_nil();
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops using_ops = {
    .assemble = using_assemble,
};

rx_observable *
rx_using_at(const rx_site *site, rx_resource_fn acquire, rx_using_fn make,
            rx_resource_drop_fn drop, void *ctx)
{
    struct using_obs *o;

    if (acquire == NULL || make == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_using: acquire and make must not be NULL");
    }
    o = rx__observable_new(site, &using_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->acquire = acquire;
    o->make = make;
    o->drop = drop;
    o->ctx = ctx;
    return &o->base;
}
