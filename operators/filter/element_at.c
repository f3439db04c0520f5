/* SPDX-License-Identifier: MIT */
/*
 * element_at: emit the item at a 0-based index, then cancel the upstream
 * and complete; fail with RX_ENOELEMENT when the upstream completes
 * first. rx_first() is element_at(0) (first.c).
 *
 * Demand: at start the stage asks its upstream for index + 1 items, all
 * it can ever use, whatever downstream requests; the wanted item waits in
 * the outbox until downstream demand allows. RxJava's elementAt and
 * firstElement ask for everything (Long.MAX_VALUE) and cancel after the
 * item; asking for exactly index + 1 gives the same items and never lets a
 * producer that honours demand make items nobody reads
 * (docs/design/element-at-requests.md).
 */
#include <inttypes.h>

#include "rx-internal.h"

struct element_at_obs {
    rx_observable base;
    int64_t index;
};

struct element_at_stage {
    rx__stage base;
    rx__outbox out;
    int64_t index;
    int64_t seen; /* items received so far */
    bool done;    /* the item arrived, a terminal was handled, or cancelled */
};

static bool
element_at_on_next(rx__stage *self, rx_value v)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    if (st->done) {
        return true;
    }
    if (st->seen++ < st->index) {
        return true;
    }
    st->done = true;
    rx__cancel_up(self);
    rx__outbox_push(&st->out, rx_value_retain(v));
    rx__outbox_complete(&st->out);
    return true;
}

static void
element_at_on_error(rx__stage *self, const rx_error *err)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__outbox_error(&st->out, err);
}

/* The upstream ended before the index: the error names the operator the
 * user called (rx_first or rx_element_at), through the assembly site. */
static void
element_at_on_complete(rx__stage *self)
{
    struct element_at_stage *st = (struct element_at_stage *)self;
    const rx_site *site = rx__stage_site(self);
    const char *name = site->name != NULL ? site->name : "rx_element_at";
    rx_error *err;

    if (st->done) {
        return;
    }
    st->done = true;
    if (st->seen == 0) {
        err = rx__error_at(site, RX_ENOELEMENT,
                           "%s: the source completed without any item", name);
    } else {
        err = rx__error_at(site, RX_ENOELEMENT,
                           "%s: the source completed after %" PRId64
                           " items, before index %" PRId64,
                           name, st->seen, st->index);
    }
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static void
element_at_request(rx__stage *self, int64_t n)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
element_at_cancel(rx__stage *self)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
element_at_start(rx__stage *self)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, rx__demand_add(st->index, 1));
    rx__stage_start(self->up);
}

static void
element_at_teardown(rx__stage *self)
{
    struct element_at_stage *st = (struct element_at_stage *)self;

    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops element_at_stage_ops = {
    .on_next = element_at_on_next,
    .on_error = element_at_on_error,
    .on_complete = element_at_on_complete,
    .request = element_at_request,
    .cancel = element_at_cancel,
    .start = element_at_start,
    .teardown = element_at_teardown,
};

static int
element_at_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                    rx__stage **out)
{
    struct element_at_stage *st;

    st = rx__stage_new(pipe, &element_at_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    st->index = ((struct element_at_obs *)self)->index;
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops element_at_ops = {
    .assemble = element_at_assemble,
};

rx_observable *
rx_element_at_at(const rx_site *site, rx_observable *src, int64_t index)
{
    struct element_at_obs *e;

    if (src == NULL) {
        return NULL;
    }
    if (index < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_element_at: index must be >= 0");
    }
    e = rx__observable_new(site, &element_at_ops, sizeof *e, src);
    if (e == NULL) {
        return NULL;
    }
    e->index = index;
    return &e->base;
}
