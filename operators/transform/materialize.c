/* SPDX-License-Identifier: MIT */
/*
 * materialize and dematerialize: signals as items, and back.
 *
 * materialize wraps each item in a next-notification and passes demand
 * through one for one. Its terminal signal becomes one more item, which
 * needs a unit of demand the upstream never saw, so the stage counts the
 * demand downstream still has outstanding and, at the terminal, hands it
 * to an outbox that emits the notification when demand allows and then
 * completes (RxJava's post-complete behaviour).
 *
 * dematerialize unwraps: a next-notification gives its item, an error- or
 * complete-notification ends the stream (cancelling the upstream, which
 * may still be running), anything else fails it with RX_EINVAL.
 */
#include "rx-internal.h"

struct materialize_stage {
    rx__stage base;
    rx__outbox out;      /* only used once the upstream has terminated */
    int64_t outstanding; /* downstream demand not yet used by items */
    bool terminated;     /* the upstream terminated, or we failed */
};

struct dematerialize_stage {
    rx__stage base;
    bool done; /* a terminal went down, or a cancel came */
};

/* ---- materialize ----------------------------------------------------- */

static void
materialize_fail_oom(struct materialize_stage *st)
{
    rx_error *err = rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                 "rx_materialize: out of memory");

    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static bool
materialize_on_next(rx__stage *self, rx_value v)
{
    struct materialize_stage *st = (struct materialize_stage *)self;
    rx_value note;
    bool consumed;

    if (st->terminated) {
        return true;
    }
    note = rx_notify_next(rx_value_retain(v));
    if (rx_is_invalid(note)) {
        st->terminated = true;
        rx__cancel_up(self);
        materialize_fail_oom(st);
        return true;
    }
    consumed = rx__emit_next(self, note);
    rx_value_release(note);
    if (consumed) {
        st->outstanding = rx__demand_sub(st->outstanding, 1);
    }
    return consumed;
}

/* Emits the terminal's notification (taken) through the outbox, with the
 * demand downstream has left, then completes. */
static void
materialize_finish(struct materialize_stage *st, rx_value note)
{
    st->terminated = true;
    if (rx_is_invalid(note)) {
        materialize_fail_oom(st);
        return;
    }
    rx__outbox_push(&st->out, note);
    rx__outbox_complete(&st->out);
    if (st->outstanding > 0) {
        rx__outbox_request(&st->out, st->outstanding);
    }
}

static void
materialize_on_error(rx__stage *self, const rx_error *err)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    if (st->terminated) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    materialize_finish(st, rx_notify_error(rx_error_retain(err)));
}

static void
materialize_on_complete(rx__stage *self)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    if (st->terminated) {
        return;
    }
    materialize_finish(st, rx_notify_complete());
}

static void
materialize_request(rx__stage *self, int64_t n)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    if (st->terminated) {
        rx__outbox_request(&st->out, n);
        return;
    }
    st->outstanding = rx__demand_add(st->outstanding, n);
    rx__request_up(self, n);
}

static void
materialize_cancel(rx__stage *self)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    st->terminated = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
materialize_start(rx__stage *self)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    rx__outbox_start(&st->out);
    rx__stage_start(self->up);
}

static void
materialize_teardown(rx__stage *self)
{
    struct materialize_stage *st = (struct materialize_stage *)self;

    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops materialize_stage_ops = {
    .on_next = materialize_on_next,
    .on_error = materialize_on_error,
    .on_complete = materialize_on_complete,
    .request = materialize_request,
    .cancel = materialize_cancel,
    .start = materialize_start,
    .teardown = materialize_teardown,
};

static int
materialize_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                     rx__stage **out)
{
    struct materialize_stage *st;

    st = rx__stage_new(pipe, &materialize_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops materialize_ops = {
    .assemble = materialize_assemble,
};

/* ---- dematerialize --------------------------------------------------- */

static bool
dematerialize_on_next(rx__stage *self, rx_value v)
{
    struct dematerialize_stage *st = (struct dematerialize_stage *)self;

    if (st->done) {
        return true;
    }
    switch (rx_notification_kind(v)) {
    case RX_NOTIFY_NEXT:
        return rx__emit_next(self, rx_notification_value(v));
    case RX_NOTIFY_ERROR:
        st->done = true;
        rx__cancel_up(self);
        rx__emit_error(self, rx_notification_error(v));
        return true;
    case RX_NOTIFY_COMPLETE:
        st->done = true;
        rx__cancel_up(self);
        rx__emit_complete(self);
        return true;
    default:
        st->done = true;
        rx__cancel_up(self);
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                              "rx_dematerialize: item is not "
                                              "a notification"));
        return true;
    }
}

static void
dematerialize_on_error(rx__stage *self, const rx_error *err)
{
    struct dematerialize_stage *st = (struct dematerialize_stage *)self;

    if (st->done) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->done = true;
    rx__emit_error(self, err);
}

static void
dematerialize_on_complete(rx__stage *self)
{
    struct dematerialize_stage *st = (struct dematerialize_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__emit_complete(self);
}

static void
dematerialize_cancel(rx__stage *self)
{
    struct dematerialize_stage *st = (struct dematerialize_stage *)self;

    st->done = true;
    rx__cancel_up(self);
}

static const struct rx__stage_ops dematerialize_stage_ops = {
    .on_next = dematerialize_on_next,
    .on_error = dematerialize_on_error,
    .on_complete = dematerialize_on_complete,
    .request = rx__stage_pass_request,
    .cancel = dematerialize_cancel,
};

static int
dematerialize_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                       rx__stage **out)
{
    struct dematerialize_stage *st;

    st = rx__stage_new(pipe, &dematerialize_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops dematerialize_ops = {
    .assemble = dematerialize_assemble,
};

/* ---- constructors ---------------------------------------------------- */

rx_observable *
rx_materialize_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &materialize_ops, sizeof(rx_observable),
                              src);
}

rx_observable *
rx_dematerialize_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &dematerialize_ops, sizeof(rx_observable),
                              src);
}
