/* SPDX-License-Identifier: MIT */
/*
 * skip_last: drop the last `count` items; each item goes on once `count`
 * newer ones have arrived.
 *
 * The stage keeps the newest `count` items in a ring. Demand follows
 * RxJava: at start it asks its upstream for `count` items to fill the
 * ring, then passes each downstream request up one for one, because from
 * then on every upstream item pushes exactly one older item out. So
 * on_next reports the downstream's answer (consumed or dropped below) for
 * those items, and "consumed" for the ones that only fill the ring.
 */
#include "rx-internal.h"
#include "rx-assert.h"

struct skip_last_obs {
    rx_observable base;
    int64_t count;
};

struct skip_last_stage {
    rx__stage base;
    rx__vqueue ring; /* the newest items, at most count */
    int64_t count;
    bool done; /* a terminal signal was handled or we were cancelled */
};

/* Fails the stream with RX_ENOMEM from inside on_next. */
static void
skip_last_fail_oom(struct skip_last_stage *st)
{
    st->done = true;
    rx__vqueue_clear(&st->ring);
    rx__cancel_up(&st->base);
    rx__emit_new_error(&st->base,
                       rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                    "rx_skip_last: out of memory"));
}

static bool
skip_last_on_next(rx__stage *self, rx_value v)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;
    rx_value oldest;
    bool consumed;
    int rc;

    if (st->done) {
        return true;
    }
    if (st->count == 0) {
        return rx__emit_next(self, v);
    }
    if ((int64_t)st->ring.len < st->count) {
        if (rx__vqueue_push(&st->ring, rx_value_retain(v)) != 0) {
            skip_last_fail_oom(st);
        }
        return true;
    }
    /* The ring is full: the pop frees a slot, so the push cannot grow it
     * and cannot fail. */
    oldest = rx__vqueue_pop(&st->ring);
    rc = rx__vqueue_push(&st->ring, rx_value_retain(v));
    if (RX__NEVER(rc != 0)) {
        rx_value_release(oldest);
        skip_last_fail_oom(st);
        return true;
    }
    consumed = rx__emit_next(self, oldest);
    rx_value_release(oldest);
    return consumed;
}

static void
skip_last_on_error(rx__stage *self, const rx_error *err)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__vqueue_clear(&st->ring);
    rx__emit_error(self, err);
}

static void
skip_last_on_complete(rx__stage *self)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__vqueue_clear(&st->ring);
    rx__emit_complete(self);
}

static void
skip_last_cancel(rx__stage *self)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;

    st->done = true;
    rx__cancel_up(self);
}

/* Asks for the `count` items that fill the ring before the first one can
 * go on; requests made in on_subscribe have already passed up. */
static void
skip_last_start(rx__stage *self)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;

    if (st->count > 0) {
        rx__request_up(self, st->count);
    }
    rx__stage_start(self->up);
}

static void
skip_last_teardown(rx__stage *self)
{
    struct skip_last_stage *st = (struct skip_last_stage *)self;

    rx__vqueue_clear(&st->ring);
}

static const struct rx__stage_ops skip_last_stage_ops = {
    .on_next = skip_last_on_next,
    .on_error = skip_last_on_error,
    .on_complete = skip_last_on_complete,
    .request = rx__stage_pass_request,
    .cancel = skip_last_cancel,
    .start = skip_last_start,
    .teardown = skip_last_teardown,
};

static int
skip_last_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                   rx__stage **out)
{
    struct skip_last_stage *st;

    st = rx__stage_new(pipe, &skip_last_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->count = ((struct skip_last_obs *)self)->count;
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops skip_last_ops = {
    .assemble = skip_last_assemble,
};

rx_observable *
rx_skip_last_at(const rx_site *site, rx_observable *src, int64_t count)
{
    struct skip_last_obs *s;

    if (src == NULL) {
        return NULL;
    }
    if (count < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_skip_last: count must be >= 0");
    }
    s = rx__observable_new(site, &skip_last_ops, sizeof *s, src);
    if (s == NULL) {
        return NULL;
    }
    s->count = count;
    return &s->base;
}
