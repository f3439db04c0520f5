/* SPDX-License-Identifier: MIT */
/*
 * last: emit the last item when the upstream completes; fail with
 * RX_ENOELEMENT when it completes empty.
 *
 * The stage asks its upstream for everything at start and keeps a
 * reference to the newest item. At completion the item goes to the
 * outbox, which emits it when downstream demand allows, then completes.
 */
#include "rx-internal.h"

struct last_stage {
    rx__stage base;
    rx__outbox out;
    rx_value last; /* the newest item, retained; valid when has_last */
    bool has_last;
    bool done; /* a terminal signal was handled or we were cancelled */
};

static bool
last_on_next(rx__stage *self, rx_value v)
{
    struct last_stage *st = (struct last_stage *)self;

    if (st->done) {
        return true;
    }
    rx_value_release(st->last);
    st->last = rx_value_retain(v);
    st->has_last = true;
    return true;
}

static void
last_on_error(rx__stage *self, const rx_error *err)
{
    struct last_stage *st = (struct last_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__outbox_error(&st->out, err);
}

static void
last_on_complete(rx__stage *self)
{
    struct last_stage *st = (struct last_stage *)self;
    const rx_site *site = rx__stage_site(self);
    rx_error *err;

    if (st->done) {
        return;
    }
    st->done = true;
    if (st->has_last) {
        st->has_last = false;
        rx__outbox_push(&st->out, st->last); /* hands the reference over */
        st->last = rx_nil();
        rx__outbox_complete(&st->out);
        return;
    }
    err = rx__error_at(site, RX_ENOELEMENT,
                       "%s: the source completed without any item",
                       site->name != NULL ? site->name : "rx_last");
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static void
last_request(rx__stage *self, int64_t n)
{
    struct last_stage *st = (struct last_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
last_cancel(rx__stage *self)
{
    struct last_stage *st = (struct last_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
last_start(rx__stage *self)
{
    struct last_stage *st = (struct last_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
last_teardown(rx__stage *self)
{
    struct last_stage *st = (struct last_stage *)self;

    rx_value_release(st->last);
    st->last = rx_nil();
    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops last_stage_ops = {
    .on_next = last_on_next,
    .on_error = last_on_error,
    .on_complete = last_on_complete,
    .request = last_request,
    .cancel = last_cancel,
    .start = last_start,
    .teardown = last_teardown,
};

static int
last_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct last_stage *st;

    st = rx__stage_new(pipe, &last_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    st->last = rx_nil();
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops last_ops = {.assemble = last_assemble};

rx_observable *
rx_last_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &last_ops, sizeof(rx_observable), src);
}
