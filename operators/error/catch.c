/* SPDX-License-Identifier: MIT */
/*
 * catch, on_error_return and on_error_return_fn: replace a failed source
 * with a fallback.
 *
 * One stage serves the three: on_error_return(v) is catch with a handler
 * that returns just(v), and on_error_return_fn(fn) just(fn(err)). The
 * stage counts the items it passes against the outstanding demand, so
 * the fallback is asked for exactly what is still owed. The fallback's
 * chain hangs below a receiver embedded in the stage (as in concat.c);
 * the failed chain is on the stack when its on_error runs, so it is
 * retired, freed when the outermost frame exits.
 */
#include <stddef.h>

#include "rx-internal.h"

enum { CATCH_FN, CATCH_VALUE, CATCH_VALUE_FN };

struct catch_obs {
    rx_observable base; /* base.src: the source */
    int mode;
    rx_catch_fn fn;
    rx_error_value_fn vfn;
    void *ctx;
    rx_value value; /* CATCH_VALUE */
};

struct catch_stage {
    rx__stage base;    /* base.up: the source chain, then the fallback's */
    rx__stage recv;    /* where the fallback signals; not on the list */
    int64_t requested; /* outstanding downstream demand */
    bool switched;     /* the fallback runs */
    bool done;         /* terminal sent or cancelled */
};

static struct catch_stage *
from_recv(rx__stage *recv)
{
    return (struct catch_stage *)(void *)((char *)recv -
                                          offsetof(struct catch_stage, recv));
}

/* Turns a NULL result of a user function into the error to signal. */
static rx_error *
null_result_error(const rx__stage *self)
{
    int code = rx_last_error() < 0 ? rx_last_error() : RX_EINVAL;

    return rx__error_at(
        rx__stage_site(self), code, "%s: the handler returned NULL: %s",
        rx__stage_site(self)->name,
        rx_last_error() < 0 ? rx_last_error_message() : "no error given");
}

/* The fallback for err, or NULL with *out set to the error to signal. */
static rx_observable *
make_fallback(struct catch_stage *st, const rx_error *err, rx_error **out)
{
    const struct catch_obs *o = (const struct catch_obs *)st->base.obs;
    rx_observable *fb = NULL;
    rx_value v;

    *out = NULL;
    switch (o->mode) {
    case CATCH_FN:
        fb = o->fn(err, o->ctx, out);
        break;
    case CATCH_VALUE:
        fb = rx_just_at(&o->base.site, rx_value_retain(o->value));
        break;
    default:
        v = o->vfn(err, o->ctx, out);
        if (*out != NULL) {
            rx_value_release(v);
            return NULL;
        }
        if (rx_is_invalid(v)) {
            *out = rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                "%s: fn returned rx_invalid()",
                                rx__stage_site(&st->base)->name);
            return NULL;
        }
        fb = rx_just_at(&o->base.site, v);
        break;
    }
    if (*out != NULL || fb == NULL) {
        rx_observable_release(fb);
        if (*out == NULL) {
            *out = null_result_error(&st->base);
        }
        return NULL;
    }
    return fb;
}

static bool
catch_on_next(rx__stage *self, rx_value v)
{
    struct catch_stage *st = (struct catch_stage *)self;
    bool consumed;

    if (st->done) {
        return true;
    }
    consumed = rx__emit_next(self, v);
    if (consumed) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    return consumed;
}

static void
catch_on_error(rx__stage *self, const rx_error *err)
{
    struct catch_stage *st = (struct catch_stage *)self;
    rx_observable *fb;
    rx_error *e;
    int rc;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    fb = make_fallback(st, err, &e);
    if (fb == NULL) {
        st->done = true;
        rx__emit_new_error(self, e);
        return;
    }
    /* The failed chain is on the stack: free it when the frame exits. */
    rx__stage_retire_chain(self->up);
    self->up = NULL;
    st->switched = true;
    rc = rx__assemble(fb, self->pipe, &st->recv, &self->up);
    rx_observable_release(fb); /* the stages keep what they run */
    if (rc < 0) {
        self->up = NULL; /* what was built stays on the list, unstarted */
        st->done = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), rc,
                                              "%s: cannot start the fallback",
                                              rx__stage_site(self)->name));
        return;
    }
    if (st->requested > 0) {
        rx__request_up(self, st->requested);
    }
    rx__stage_start(self->up);
}

static void
catch_on_complete(rx__stage *self)
{
    struct catch_stage *st = (struct catch_stage *)self;

    if (!st->done) {
        st->done = true;
        rx__emit_complete(self);
    }
}

/* ---- the fallback's receiver ------------------------------------------ */

static bool
recv_on_next(rx__stage *self, rx_value v)
{
    struct catch_stage *st = from_recv(self);

    return st->done || rx__emit_next(&st->base, v);
}

static void
recv_on_error(rx__stage *self, const rx_error *err)
{
    struct catch_stage *st = from_recv(self);

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__emit_error(&st->base, err);
}

static void
recv_on_complete(rx__stage *self)
{
    catch_on_complete(&from_recv(self)->base);
}

static const struct rx__stage_ops recv_ops = {
    .on_next = recv_on_next,
    .on_error = recv_on_error,
    .on_complete = recv_on_complete,
};

/* ---- requests --------------------------------------------------------- */

static void
catch_request(rx__stage *self, int64_t n)
{
    struct catch_stage *st = (struct catch_stage *)self;

    if (!st->switched) {
        st->requested = rx__demand_add(st->requested, n);
    }
    rx__request_up(self, n);
}

static void
catch_cancel(rx__stage *self)
{
    struct catch_stage *st = (struct catch_stage *)self;

    st->done = true;
    rx__cancel_up(self);
}

static const struct rx__stage_ops catch_stage_ops = {
    .on_next = catch_on_next,
    .on_error = catch_on_error,
    .on_complete = catch_on_complete,
    .request = catch_request,
    .cancel = catch_cancel,
};

static int
catch_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct catch_stage *st;

    st = rx__stage_new(pipe, &catch_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->recv.ops = &recv_ops;
    st->recv.pipe = pipe;
    st->recv.obs = self;
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
catch_destroy(rx_observable *self)
{
    rx_value_release(((struct catch_obs *)self)->value);
}

static const struct rx__obs_ops catch_ops = {
    .assemble = catch_assemble,
    .destroy = catch_destroy,
};

static struct catch_obs *
catch_new(const rx_site *site, rx_observable *src, int mode)
{
    struct catch_obs *o = rx__observable_new(site, &catch_ops, sizeof *o, src);

    if (o != NULL) {
        o->mode = mode;
        o->value = rx_nil();
    }
    return o;
}

rx_observable *
rx_catch_at(const rx_site *site, rx_observable *src, rx_catch_fn handler,
            void *ctx)
{
    struct catch_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (handler == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_catch: handler must not be NULL");
    }
    o = catch_new(site, src, CATCH_FN);
    if (o == NULL) {
        return NULL;
    }
    o->fn = handler;
    o->ctx = ctx;
    return &o->base;
}

rx_observable *
rx_on_error_return_at(const rx_site *site, rx_observable *src, rx_value v)
{
    struct catch_obs *o;

    if (src == NULL) {
        rx_value_release(v);
        return NULL;
    }
    if (rx_is_invalid(v)) {
        rx_observable_release(src);
        return rx__fail_null(RX_ENOMEM, "rx_on_error_return: v is "
                                        "rx_invalid() (a value constructor "
                                        "failed)");
    }
    o = catch_new(site, src, CATCH_VALUE);
    if (o == NULL) {
        rx_value_release(v);
        return NULL;
    }
    o->value = v;
    return &o->base;
}

rx_observable *
rx_on_error_return_fn_at(const rx_site *site, rx_observable *src,
                         rx_error_value_fn fn, void *ctx)
{
    struct catch_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_on_error_return_fn: fn must not be NULL");
    }
    o = catch_new(site, src, CATCH_VALUE_FN);
    if (o == NULL) {
        return NULL;
    }
    o->vfn = fn;
    o->ctx = ctx;
    return &o->base;
}
