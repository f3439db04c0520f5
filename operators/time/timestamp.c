/* SPDX-License-Identifier: MIT */
/*
 * timestamp and time_interval: pair each item with a time read from the
 * scheduler's clock.
 *
 * One pass-through stage serves both: each item becomes the array value
 * [rx_int(t), item], where t is the clock (timestamp) or the milliseconds
 * since the previous item or, for the first, since the start
 * (time_interval). Demand passes through unchanged. An array that cannot
 * be allocated cancels the upstream and fails the stream with RX_ENOMEM.
 */
#include "time-internal.h"

struct stamp_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default */
    bool interval;       /* time_interval rather than timestamp */
};

struct stamp_stage {
    rx__stage base;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    uint64_t last;       /* time_interval: the previous item, or the start */
    bool interval;
    bool done; /* failed, or cancelled */
};

static bool
stamp_on_next(rx__stage *self, rx_value v)
{
    struct stamp_stage *st = (struct stamp_stage *)self;
    uint64_t now;
    rx_value pair[2];
    rx_value arr;
    bool consumed;

    if (st->done) {
        return true;
    }
    now = rx_scheduler_now(st->sched);
    pair[0] = rx_int(st->interval ? (int64_t)(now - st->last) : (int64_t)now);
    pair[1] = rx_value_retain(v);
    st->last = now;
    arr = rx_array(2, pair);
    if (rx_is_invalid(arr)) {
        st->done = true;
        rx__cancel_up(self);
        rx__emit_new_error(self, rx__time_oom(self));
        return true;
    }
    consumed = rx__emit_next(self, arr);
    rx_value_release(arr);
    return consumed;
}

static void
stamp_on_error(rx__stage *self, const rx_error *err)
{
    struct stamp_stage *st = (struct stamp_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__emit_error(self, err);
}

static void
stamp_on_complete(rx__stage *self)
{
    struct stamp_stage *st = (struct stamp_stage *)self;

    if (!st->done) {
        st->done = true;
        rx__emit_complete(self);
    }
}

static void
stamp_request(rx__stage *self, int64_t n)
{
    struct stamp_stage *st = (struct stamp_stage *)self;

    if (!st->done) {
        rx__request_up(self, n);
    }
}

static void
stamp_cancel(rx__stage *self)
{
    struct stamp_stage *st = (struct stamp_stage *)self;

    if (!st->done) {
        st->done = true;
        rx__cancel_up(self);
    }
}

static void
stamp_start(rx__stage *self)
{
    struct stamp_stage *st = (struct stamp_stage *)self;
    rx_error *err;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        st->done = true;
        rx__cancel_up(self);
        rx__emit_new_error(self, err);
        return;
    }
    st->last = rx_scheduler_now(st->sched);
    rx__stage_start(self->up);
}

static const struct rx__stage_ops stamp_stage_ops = {
    .on_next = stamp_on_next,
    .on_error = stamp_on_error,
    .on_complete = stamp_on_complete,
    .request = stamp_request,
    .cancel = stamp_cancel,
    .start = stamp_start,
};

static int
stamp_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    const struct stamp_obs *o = (const struct stamp_obs *)self;
    struct stamp_stage *st;

    st = rx__stage_new(pipe, &stamp_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->interval = o->interval;
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
stamp_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct stamp_obs *)self)->sched);
}

static const struct rx__obs_ops stamp_ops = {
    .assemble = stamp_assemble,
    .destroy = stamp_destroy,
};

static rx_observable *
stamp_new(const rx_site *site, const char *fn, rx_observable *src,
          rx_scheduler *sched, bool interval)
{
    struct stamp_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (!rx__time_args_ok(fn, "the duration", 0, 0, sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, &stamp_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->interval = interval;
    return &o->base;
}

rx_observable *
rx_timestamp_at(const rx_site *site, rx_observable *src, rx_scheduler *sched)
{
    return stamp_new(site, "rx_timestamp", src, sched, false);
}

rx_observable *
rx_time_interval_at(const rx_site *site, rx_observable *src,
                    rx_scheduler *sched)
{
    return stamp_new(site, "rx_time_interval", src, sched, true);
}
