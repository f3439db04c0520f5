/* SPDX-License-Identifier: MIT */
/*
 * throw: a source that fails at once with a given error.
 *
 * The observable owns the error; each subscription's stage signals it
 * (borrowed, as every error passed down) in its start hook, unless the
 * subscriber cancelled inside on_subscribe. Requests are ignored: a
 * terminal signal needs no demand.
 */
#include "rx-internal.h"

struct throw_obs {
    rx_observable base;
    rx_error *err;
};

struct throw_stage {
    rx__stage base;
    bool cancelled; /* cancelled, or the error was signalled */
};

static void
throw_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
throw_cancel(rx__stage *self)
{
    struct throw_stage *st = (struct throw_stage *)self;

    st->cancelled = true;
}

static void
throw_start(rx__stage *self)
{
    struct throw_stage *st = (struct throw_stage *)self;
    const struct throw_obs *o = (const struct throw_obs *)self->obs;

    if (!st->cancelled) {
        st->cancelled = true;
        rx__emit_error(self, o->err);
    }
}

static const struct rx__stage_ops throw_stage_ops = {
    .request = throw_request,
    .cancel = throw_cancel,
    .start = throw_start,
};

static int
throw_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct throw_stage *st;

    st = rx__stage_new(pipe, &throw_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static void
throw_destroy(rx_observable *self)
{
    struct throw_obs *o = (struct throw_obs *)self;

    rx_error_release(o->err);
}

static const struct rx__obs_ops throw_ops = {
    .assemble = throw_assemble,
    .destroy = throw_destroy,
};

rx_observable *
rx_throw_at(const rx_site *site, rx_error *err)
{
    struct throw_obs *o;

    if (err == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_throw: err must not be NULL");
    }
    o = rx__observable_new(site, &throw_ops, sizeof *o, NULL);
    if (o == NULL) {
        rx_error_release(err);
        return NULL;
    }
    o->err = err;
    return &o->base;
}
