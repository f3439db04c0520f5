/* SPDX-License-Identifier: MIT */
/*
 * take_last: emit the last `count` items once the upstream completes.
 *
 * The stage asks its upstream for everything at start and keeps a ring of
 * the newest `count` items (the oldest is dropped when a new one arrives
 * and the ring is full). At completion the ring becomes the outbox's
 * queue, which emits the items as downstream demand allows and then
 * completes. Until then nothing goes downstream, whatever is requested:
 * that is why the ring is not the outbox's queue from the start.
 */
#include <string.h>

#include "rx-internal.h"
#include "rx-assert.h"

struct take_last_obs {
    rx_observable base;
    int64_t count;
};

struct take_last_stage {
    rx__stage base;
    rx__outbox out;
    rx__vqueue ring; /* the newest items so far, at most count */
    int64_t count;
    bool done; /* a terminal signal was handled or we were cancelled */
};

/* Fails the stream with RX_ENOMEM from inside on_next: the ring could not
 * grow. */
static void
take_last_fail_oom(struct take_last_stage *st)
{
    rx_error *err = rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                 "rx_take_last: out of memory");

    st->done = true;
    rx__vqueue_clear(&st->ring);
    rx__cancel_up(&st->base);
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static bool
take_last_on_next(rx__stage *self, rx_value v)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    if (st->done || st->count == 0) {
        return true;
    }
    if ((int64_t)st->ring.len == st->count) {
        rx_value_release(rx__vqueue_pop(&st->ring));
    }
    if (rx__vqueue_push(&st->ring, rx_value_retain(v)) != 0) {
        take_last_fail_oom(st);
    }
    return true;
}

static void
take_last_on_error(rx__stage *self, const rx_error *err)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__vqueue_clear(&st->ring);
    rx__outbox_error(&st->out, err);
}

/* Hands the ring to the outbox (nothing was ever queued there, so this is
 * a move, no copy and no allocation) and lets it drain. */
static void
take_last_on_complete(rx__stage *self)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    if (RX__ALWAYS(st->out.q.len == 0)) {
        rx__vqueue_clear(&st->out.q);
        st->out.q = st->ring;
        memset(&st->ring, 0, sizeof st->ring);
    }
    rx__outbox_complete(&st->out);
}

static void
take_last_request(rx__stage *self, int64_t n)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
take_last_cancel(rx__stage *self)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
take_last_start(rx__stage *self)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
take_last_teardown(rx__stage *self)
{
    struct take_last_stage *st = (struct take_last_stage *)self;

    rx__vqueue_clear(&st->ring);
    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops take_last_stage_ops = {
    .on_next = take_last_on_next,
    .on_error = take_last_on_error,
    .on_complete = take_last_on_complete,
    .request = take_last_request,
    .cancel = take_last_cancel,
    .start = take_last_start,
    .teardown = take_last_teardown,
};

static int
take_last_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                   rx__stage **out)
{
    struct take_last_stage *st;

    st = rx__stage_new(pipe, &take_last_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    st->count = ((struct take_last_obs *)self)->count;
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops take_last_ops = {
    .assemble = take_last_assemble,
};

rx_observable *
rx_take_last_at(const rx_site *site, rx_observable *src, int64_t count)
{
    struct take_last_obs *t;

    if (src == NULL) {
        return NULL;
    }
    if (count < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_take_last: count must be >= 0");
    }
    t = rx__observable_new(site, &take_last_ops, sizeof *t, src);
    if (t == NULL) {
        return NULL;
    }
    t->count = count;
    return &t->base;
}
