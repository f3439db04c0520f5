/* SPDX-License-Identifier: MIT */
/*
 * buffer_n and buffer_time: collect items into array values.
 *
 * A bucket is a growing C array of owned items; closing it turns it into
 * an rx_array value, which takes the items.
 *
 * buffer_n(count, skip) keeps a ring of open buckets, oldest first: every
 * skip-th item opens one, every item goes into all of them, and the
 * oldest closes when it holds count items (with skip > count the items
 * between buckets go nowhere). Closed buckets leave through a group
 * outbox, and requests for n arrays become requests for the items they
 * need (RxJava's arithmetic), so demand reaches the source. At completion
 * the open buckets go out, shorter, oldest first. The observable, the
 * ring, the requests and the start are shared with window_n
 * (rx__groups_stage in time-internal.h); the buckets are this file's.
 *
 * buffer_time(span) has one bucket and a periodic task that emits it,
 * empty or not, every span. It asks the upstream for everything, so an
 * array due while the subscriber has no demand fails the stream with
 * RX_EBACKPRESSURE. At completion the current bucket goes out, then the
 * completion (RxJava's buffer(timespan)). The observable, the scheduling
 * and the demand count are shared with window_time (rx__span_stage).
 */
#include <stddef.h>

#include "time-internal.h"

/* ---- buckets ----------------------------------------------------------- */

struct bucket {
    rx_value *items; /* owned */
    size_t len;
    size_t cap;
};

/* Appends v (taken); RX_ENOMEM, having released v, on failure. */
static int
bucket_add(struct bucket *b, rx_value v)
{
    if (b->len == b->cap) {
        size_t ncap = b->cap == 0 ? 8 : b->cap * 2;
        rx_value *nitems;

        nitems = ncap <= SIZE_MAX / sizeof *nitems
                     ? rx__realloc(b->items, ncap * sizeof *nitems)
                     : NULL;
        if (nitems == NULL) {
            rx_value_release(v);
            return RX_ENOMEM;
        }
        b->items = nitems;
        b->cap = ncap;
    }
    b->items[b->len++] = v;
    return 0;
}

/* The bucket as an array value (rx_invalid() when memory runs out); the
 * bucket is empty afterwards. */
static rx_value
bucket_take(struct bucket *b)
{
    rx_value arr = rx_array(b->len, b->items);

    rx__free(b->items);
    b->items = NULL;
    b->len = 0;
    b->cap = 0;
    return arr;
}

static void
bucket_clear(rx__stage *stage, struct bucket *b)
{
    for (size_t i = 0; i < b->len; i++) {
        rx__discard(stage, b->items[i]);
    }
    rx__free(b->items);
    b->items = NULL;
    b->len = 0;
    b->cap = 0;
}

/* ---- buffer_n ---------------------------------------------------------- */

/* The ring of a buffer_n stage (rx__groups_stage) holds struct bucket. */

static struct bucket *
ring_at(rx__groups_stage *st, size_t i)
{
    return rx__gring_at(&st->ring, i);
}

/* Closes the oldest bucket into an array value. */
static rx_value
ring_close_front(rx__groups_stage *st)
{
    rx_value arr = bucket_take(ring_at(st, 0));

    rx__gring_drop_front(&st->ring);
    return arr;
}

static void
ring_clear(rx__groups_stage *st)
{
    for (size_t i = 0; i < st->ring.len; i++) {
        bucket_clear(&st->base, ring_at(st, i));
    }
    rx__gring_free(&st->ring);
}

static void
buffer_n_fail_oom(rx__groups_stage *st)
{
    rx_error *err = rx__time_oom(&st->base);

    st->done = true;
    ring_clear(st);
    rx__cancel_up(&st->base);
    rx__gbox_error(&st->out, err);
    rx_error_release(err);
}

static bool
buffer_n_on_next(rx__stage *self, rx_value v)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    if (st->done) {
        return true;
    }
    if (st->index == 0) {
        if (rx__gring_reserve(&st->ring) < 0) {
            buffer_n_fail_oom(st);
            return true;
        }
        rx__gring_append(&st->ring); /* an empty bucket */
    }
    rx__groups_advance(st);
    for (size_t i = 0; i < st->ring.len; i++) {
        if (bucket_add(ring_at(st, i), rx_value_retain(v)) < 0) {
            buffer_n_fail_oom(st);
            return true;
        }
    }
    if (st->ring.len > 0 && (int64_t)ring_at(st, 0)->len == st->count) {
        if (!rx__gbox_push(&st->out, ring_close_front(st))) {
            st->done = true;
            ring_clear(st);
        }
    }
    return true;
}

static void
buffer_n_on_error(rx__stage *self, const rx_error *err)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    st->done = true;
    ring_clear(st);
    rx__gbox_error(&st->out, err);
}

static void
buffer_n_on_complete(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    st->out.refill = 0; /* nothing more can come from upstream */
    while (st->ring.len > 0) {
        if (!rx__gbox_push(&st->out, ring_close_front(st))) {
            ring_clear(st);
            return;
        }
    }
    rx__gbox_complete(&st->out);
}

static void
buffer_n_cancel(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    rx__gbox_cancel(&st->out);
    ring_clear(st);
    if (!st->done) {
        st->done = true;
        rx__cancel_up(self);
    }
}

static void
buffer_n_teardown(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    rx__gbox_cancel(&st->out);
    ring_clear(st);
}

static const struct rx__stage_ops buffer_n_stage_ops = {
    .on_next = buffer_n_on_next,
    .on_error = buffer_n_on_error,
    .on_complete = buffer_n_on_complete,
    .request = rx__groups_request,
    .cancel = buffer_n_cancel,
    .start = rx__groups_start,
    .teardown = buffer_n_teardown,
};

static const rx__groups_kind buffer_n_kind = {
    .fn = "rx_buffer_n",
    .ops = &buffer_n_stage_ops,
    .slot_size = sizeof(struct bucket),
};

rx_observable *
rx_buffer_n_at(const rx_site *site, rx_observable *src, int64_t count,
               int64_t skip)
{
    return rx__groups_new(site, src, count, skip, &buffer_n_kind);
}

/* ---- buffer_time ------------------------------------------------------- */

struct buffer_time_stage {
    rx__span_stage span; /* first: the shared part */
    struct bucket cur;   /* the items of the current span */
};

static void
buffer_time_fail(struct buffer_time_stage *st, rx_error *err, bool cancel_up)
{
    st->span.done = true;
    rx__unschedule(&st->span.task);
    bucket_clear(&st->span.base, &st->cur);
    if (cancel_up) {
        rx__cancel_up(&st->span.base);
    }
    rx__emit_new_error(&st->span.base, err);
}

/* Emits the current bucket and starts an empty one. Returns false when
 * the stream ended. */
static bool
buffer_time_emit(struct buffer_time_stage *st)
{
    rx_value arr;

    if (st->span.requested == 0) {
        buffer_time_fail(st, rx__time_backpressure(&st->span.base), true);
        return false;
    }
    arr = bucket_take(&st->cur);
    if (rx_is_invalid(arr)) {
        buffer_time_fail(st, rx__time_oom(&st->span.base), true);
        return false;
    }
    return rx__span_emit(&st->span, arr);
}

static void
buffer_time_run(rx__task *t)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)rx__span_of(t);

    if (!st->span.done) {
        buffer_time_emit(st);
    }
}

static bool
buffer_time_on_next(rx__stage *self, rx_value v)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (!st->span.done && bucket_add(&st->cur, rx_value_retain(v)) < 0) {
        buffer_time_fail(st, rx__time_oom(self), true);
    }
    return true;
}

static void
buffer_time_on_error(rx__stage *self, const rx_error *err)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->span.done) {
        rx__undeliverable(err);
        return;
    }
    buffer_time_fail(st, rx_error_retain(err), false);
}

static void
buffer_time_on_complete(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->span.done) {
        return;
    }
    rx__unschedule(&st->span.task);
    if (buffer_time_emit(st)) {
        st->span.done = true;
        rx__emit_complete(self);
    }
}

static void
buffer_time_cancel(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->span.done) {
        return;
    }
    st->span.done = true;
    rx__unschedule(&st->span.task);
    bucket_clear(self, &st->cur);
    rx__cancel_up(self);
}

static void
buffer_time_start(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;
    rx_error *err;

    if (st->span.done) {
        return;
    }
    err = rx__span_schedule(&st->span);
    if (err != NULL) {
        buffer_time_fail(st, err, true);
        return;
    }
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
buffer_time_teardown(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    rx__unschedule(&st->span.task);
    bucket_clear(self, &st->cur);
}

static const struct rx__stage_ops buffer_time_stage_ops = {
    .on_next = buffer_time_on_next,
    .on_error = buffer_time_on_error,
    .on_complete = buffer_time_on_complete,
    .request = rx__span_request,
    .cancel = buffer_time_cancel,
    .start = buffer_time_start,
    .teardown = buffer_time_teardown,
};

static const rx__span_kind buffer_time_kind = {
    .fn = "rx_buffer_time",
    .ops = &buffer_time_stage_ops,
    .stage_size = sizeof(struct buffer_time_stage),
    .run = buffer_time_run,
};

rx_observable *
rx_buffer_time_at(const rx_site *site, rx_observable *src, int64_t span_ms,
                  rx_scheduler *sched)
{
    return rx__span_new(site, src, span_ms, sched, &buffer_time_kind);
}
