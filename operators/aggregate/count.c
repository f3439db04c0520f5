/* SPDX-License-Identifier: MIT */
/*
 * count: emits how many items the upstream produced, when it completes.
 *
 * The stage asks its upstream for everything at start, counts, and at
 * completion hands the count to its outbox, which waits for downstream
 * demand before emitting it and then completes.
 */
#include "rx-internal.h"

struct count_stage {
    rx__stage base;
    rx__outbox out;
    int64_t n;
};

static bool
count_on_next(rx__stage *self, rx_value v)
{
    struct count_stage *st = (struct count_stage *)self;

    (void)v;
    st->n++;
    return true;
}

static void
count_on_next_batch(rx__stage *self, rx_value *vals, size_t n)
{
    struct count_stage *st = (struct count_stage *)self;

    (void)vals; /* scalars: nothing to release */
    st->n += (int64_t)n;
}

static void
count_on_error(rx__stage *self, const rx_error *err)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__outbox_error(&st->out, err);
}

static void
count_on_complete(rx__stage *self)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__outbox_push(&st->out, rx_int(st->n));
    rx__outbox_complete(&st->out);
}

static void
count_request(rx__stage *self, int64_t n)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
count_cancel(rx__stage *self)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
count_start(rx__stage *self)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
count_teardown(rx__stage *self)
{
    struct count_stage *st = (struct count_stage *)self;

    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops count_stage_ops = {
    .on_next = count_on_next,
    .on_next_batch = count_on_next_batch,
    .on_error = count_on_error,
    .on_complete = count_on_complete,
    .request = count_request,
    .cancel = count_cancel,
    .start = count_start,
    .teardown = count_teardown,
};

static int
count_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct count_stage *st;

    st = rx__stage_new(pipe, &count_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops count_ops = {.assemble = count_assemble};

rx_observable *
rx_count_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &count_ops, sizeof(rx_observable), src);
}
