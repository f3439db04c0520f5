/* SPDX-License-Identifier: MIT */
/*
 * retry_when: resubscribe a failed source each time a notifier, made by
 * a user function from the stream of its errors, emits.
 *
 * Per subscription the stage makes a unicast subject (the errors
 * stream), passes its observable to the handler, and runs the notifier
 * the handler returns as a second chain of the same pipeline, below a
 * receiver embedded in the stage. The source's attempts hang below
 * another embedded receiver. A failing attempt pushes its error into the
 * subject; an item of the notifier resubscribes the source through the
 * attempt loop shared with retry (resub.h, stack-safe). When the notifier
 * answers synchronously, the failed attempt's chain is still on the stack and
 * is retired; otherwise it is freed.
 */
#include <stddef.h>

#include "resub.h"

struct rw_obs {
    rx_observable base; /* base.src: the source */
    rx_retry_when_fn handler;
    void *ctx;
};

struct rw_stage {
    rx__stage base;  /* base.up: the running attempt's chain, or NULL */
    rx__stage recv;  /* where attempts signal; not on the list */
    rx__stage nrecv; /* where the notifier signals; nrecv.up: its chain */
    rx_subject *errors;
    rx__resub r;  /* demand, the attempt loop's flags */
    bool failing; /* an attempt's on_error is on the stack */
    bool notifier_live;
};

#define FROM(ptr, member)                                                      \
    ((struct rw_stage *)(void *)((char *)(ptr)-offsetof(struct rw_stage,       \
                                                        member)))

static void
drop_error(void *data)
{
    rx_error_release(data);
}

const rx_error *
rx_retry_error(rx_value v)
{
    if (!rx_is_box(v) || rx__box_drop(v) != drop_error) {
        return NULL;
    }
    return rx_box_data(v);
}

/* Stops both chains and signals err (borrowed), or completes. */
static void
rw_finish(struct rw_stage *st, const rx_error *err)
{
    st->r.done = true;
    if (st->r.running) {
        st->r.running = false;
        rx__cancel_up(&st->base);
    }
    if (st->notifier_live) {
        st->notifier_live = false;
        rx__cancel_up(&st->nrecv);
    }
    if (err != NULL) {
        rx__emit_error(&st->base, err);
    } else {
        rx__emit_complete(&st->base);
    }
}

static void
rw_fail_new(struct rw_stage *st, rx_error *err)
{
    rw_finish(st, err);
    rx_error_release(err);
}

/* Subscribes the source; loops while attempts fail and are retried
 * synchronously. */
static void
rw_fail_new_stage(rx__stage *self, rx_error *err)
{
    rw_fail_new((struct rw_stage *)self, err);
}

static void
rw_loop(struct rw_stage *st, bool on_stack)
{
    rx__resub_loop(&st->r, &st->base, &st->recv, on_stack, rw_fail_new_stage);
}

/* ---- the attempts ----------------------------------------------------- */

static bool
recv_on_next(rx__stage *self, rx_value v)
{
    struct rw_stage *st = FROM(self, recv);
    bool consumed;

    if (st->r.done) {
        return true;
    }
    consumed = rx__emit_next(&st->base, v);
    if (consumed) {
        st->r.requested = rx__demand_sub(st->r.requested, 1);
    }
    return consumed;
}

static void
recv_on_error(rx__stage *self, const rx_error *err)
{
    struct rw_stage *st = FROM(self, recv);
    int rc;

    if (st->r.done) {
        rx__undeliverable(err);
        return;
    }
    st->r.running = false;
    st->failing = true;
    rc = rx_subject_next(st->errors, rx_box(rx_error_retain(err), drop_error));
    st->failing = false;
    if (rc < 0 && !st->r.done) {
        rw_fail_new(st, rx__error_at(rx__stage_site(&st->base), rc,
                                     "%s: cannot pass the error on: %s",
                                     rx__stage_site(&st->base)->name,
                                     rx_strerror(rc)));
    }
}

static void
recv_on_complete(rx__stage *self)
{
    struct rw_stage *st = FROM(self, recv);

    if (!st->r.done) {
        st->r.running = false;
        rw_finish(st, NULL);
    }
}

static const struct rx__stage_ops recv_ops = {
    .on_next = recv_on_next,
    .on_error = recv_on_error,
    .on_complete = recv_on_complete,
};

/* ---- the notifier ----------------------------------------------------- */

static bool
nrecv_on_next(rx__stage *self, rx_value v)
{
    struct rw_stage *st = FROM(self, nrecv);

    (void)v;
    if (!st->r.done && !st->r.running) {
        rw_loop(st, st->failing);
    }
    return true;
}

static void
nrecv_on_error(rx__stage *self, const rx_error *err)
{
    struct rw_stage *st = FROM(self, nrecv);

    if (st->r.done) {
        rx__undeliverable(err);
        return;
    }
    st->notifier_live = false;
    rw_finish(st, err);
}

static void
nrecv_on_complete(rx__stage *self)
{
    struct rw_stage *st = FROM(self, nrecv);

    if (!st->r.done) {
        st->notifier_live = false;
        rw_finish(st, NULL);
    }
}

static const struct rx__stage_ops nrecv_ops = {
    .on_next = nrecv_on_next,
    .on_error = nrecv_on_error,
    .on_complete = nrecv_on_complete,
};

/* ---- the stage -------------------------------------------------------- */

static void
rw_request(rx__stage *self, int64_t n)
{
    rx__resub_request(&((struct rw_stage *)self)->r, self, n);
}

static void
rw_cancel(rx__stage *self)
{
    struct rw_stage *st = (struct rw_stage *)self;

    if (st->r.done) {
        return;
    }
    st->r.done = true;
    if (st->r.running) {
        st->r.running = false;
        rx__cancel_up(self);
    }
    if (st->notifier_live) {
        st->notifier_live = false;
        rx__cancel_up(&st->nrecv);
    }
}

/* Makes the errors subject and the notifier, and starts the notifier. */
static void
rw_start(rx__stage *self)
{
    struct rw_stage *st = (struct rw_stage *)self;
    const struct rw_obs *o = (const struct rw_obs *)self->obs;
    rx_observable *notifier;
    rx_error *err = NULL;
    int rc;

    if (st->r.done) {
        return;
    }
    st->errors = rx_subject_unicast_at(&o->base.site, 0);
    if (st->errors == NULL) {
        rw_fail_new(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                     "%s: out of memory",
                                     rx__stage_site(self)->name));
        return;
    }
    notifier = o->handler(rx_subject_observable(st->errors), o->ctx, &err);
    if (err != NULL || notifier == NULL) {
        rx_observable_release(notifier);
        if (err == NULL) {
            int code = rx_last_error() < 0 ? rx_last_error() : RX_EINVAL;
            err = rx__error_at(rx__stage_site(self), code,
                               "%s: the handler returned NULL: %s",
                               rx__stage_site(self)->name,
                               rx_last_error() < 0 ? rx_last_error_message()
                                                   : "no error given");
        }
        rw_fail_new(st, err);
        return;
    }
    rc = rx__assemble(notifier, self->pipe, &st->nrecv, &st->nrecv.up);
    rx_observable_release(notifier);
    if (rc < 0) {
        st->nrecv.up = NULL;
        rw_fail_new(st, rx__error_at(rx__stage_site(self), rc,
                                     "%s: cannot start the notifier",
                                     rx__stage_site(self)->name));
        return;
    }
    st->notifier_live = true;
    rx__request_up(&st->nrecv, RX_UNBOUNDED);
    rx__stage_start(st->nrecv.up);
    rw_loop(st, false);
}

static void
rw_teardown(rx__stage *self)
{
    struct rw_stage *st = (struct rw_stage *)self;

    rx_subject_release(st->errors);
    st->errors = NULL;
}

static const struct rx__stage_ops rw_stage_ops = {
    .request = rw_request,
    .cancel = rw_cancel,
    .start = rw_start,
    .teardown = rw_teardown,
};

static int
rw_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    struct rw_stage *st;

    st = rx__stage_new(pipe, &rw_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->recv.ops = &recv_ops;
    st->recv.pipe = pipe;
    st->recv.obs = self;
    st->nrecv.ops = &nrecv_ops;
    st->nrecv.pipe = pipe;
    st->nrecv.obs = self;
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops rw_ops = {
    .assemble = rw_assemble,
};

rx_observable *
rx_retry_when_at(const rx_site *site, rx_observable *src,
                 rx_retry_when_fn handler, void *ctx)
{
    struct rw_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (handler == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_retry_when: handler must not be NULL");
    }
    o = rx__observable_new(site, &rw_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->handler = handler;
    o->ctx = ctx;
    return &o->base;
}
