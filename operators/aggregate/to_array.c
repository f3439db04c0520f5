/* SPDX-License-Identifier: MIT */
/*
 * to_array: collects every item and emits them as one array value when
 * the upstream completes (RxJava's toList).
 *
 * The stage asks its upstream for everything at start and keeps a
 * reference to each item in a growable C array. At completion rx_array()
 * takes those references, and the outbox emits the array once downstream
 * asks for it. If memory runs out the upstream is cancelled, every item
 * held is released and the stream fails with RX_ENOMEM.
 */
#include "rx-internal.h"

struct to_array_stage {
    rx__stage base;
    rx__outbox out;
    rx_value *items; /* owned references, len of them */
    size_t len;
    size_t cap;
    bool done; /* upstream terminated, failed, or was cancelled */
};

static void
to_array_drop_items(struct to_array_stage *st)
{
    size_t i;

    for (i = 0; i < st->len; i++) {
        rx_value_release(st->items[i]);
    }
    rx__free(st->items);
    st->items = NULL;
    st->len = 0;
    st->cap = 0;
}

static void
to_array_fail_oom(struct to_array_stage *st)
{
    rx_error *err = rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                 "rx_to_array: out of memory");

    st->done = true;
    to_array_drop_items(st);
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static bool
to_array_on_next(rx__stage *self, rx_value v)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    if (st->done) {
        return true;
    }
    if (st->len == st->cap) {
        rx_value *grown;
        size_t cap = st->cap != 0 ? st->cap * 2 : 8;

        grown = cap <= SIZE_MAX / sizeof *grown
                    ? rx__realloc(st->items, cap * sizeof *grown)
                    : NULL;
        if (grown == NULL) {
            rx__cancel_up(self);
            to_array_fail_oom(st);
            return true;
        }
        st->items = grown;
        st->cap = cap;
    }
    st->items[st->len++] = rx_value_retain(v);
    return true;
}

static void
to_array_on_error(rx__stage *self, const rx_error *err)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    if (st->done) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->done = true;
    to_array_drop_items(st);
    rx__outbox_error(&st->out, err);
}

static void
to_array_on_complete(rx__stage *self)
{
    struct to_array_stage *st = (struct to_array_stage *)self;
    rx_value arr;

    if (st->done) {
        return;
    }
    /* rx_array() takes the items even when it fails; only the C array
     * stays ours. */
    arr = rx_array(st->len, st->items);
    rx__free(st->items);
    st->items = NULL;
    st->len = 0;
    st->cap = 0;
    if (rx_is_invalid(arr)) {
        to_array_fail_oom(st);
        return;
    }
    st->done = true;
    rx__outbox_push(&st->out, arr);
    rx__outbox_complete(&st->out);
}

static void
to_array_request(rx__stage *self, int64_t n)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
to_array_cancel(rx__stage *self)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
to_array_start(rx__stage *self)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
to_array_teardown(rx__stage *self)
{
    struct to_array_stage *st = (struct to_array_stage *)self;

    to_array_drop_items(st);
    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops to_array_stage_ops = {
    .on_next = to_array_on_next,
    .on_error = to_array_on_error,
    .on_complete = to_array_on_complete,
    .request = to_array_request,
    .cancel = to_array_cancel,
    .start = to_array_start,
    .teardown = to_array_teardown,
};

static int
to_array_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out)
{
    struct to_array_stage *st;

    st = rx__stage_new(pipe, &to_array_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops to_array_ops = {.assemble = to_array_assemble};

rx_observable *
rx_to_array_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &to_array_ops, sizeof(rx_observable), src);
}
