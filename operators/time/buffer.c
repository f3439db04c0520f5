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
 * the open buckets go out, shorter, oldest first.
 *
 * buffer_time(span) has one bucket and a periodic task that emits it,
 * empty or not, every span. It asks the upstream for everything, so an
 * array due while the subscriber has no demand fails the stream with
 * RX_EBACKPRESSURE. At completion the current bucket goes out, then the
 * completion (RxJava's buffer(timespan)).
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

struct buffer_n_obs {
    rx_observable base;
    int64_t count;
    int64_t skip;
};

struct buffer_n_stage {
    rx__stage base;
    rx__gbox out;
    struct bucket *ring; /* open buckets, oldest first */
    size_t cap;          /* a power of two, or 0 */
    size_t head;
    size_t len;
    int64_t count;
    int64_t skip;
    int64_t index;       /* position of the next item within skip */
    bool requested_once; /* the first request went up */
    bool done;           /* the upstream ended, or the stream stopped */
};

static struct bucket *
ring_at(struct buffer_n_stage *st, size_t i)
{
    return &st->ring[(st->head + i) & (st->cap - 1)];
}

/* Opens an empty bucket at the end of the ring. */
static int
ring_open(struct buffer_n_stage *st)
{
    if (st->len == st->cap) {
        size_t ncap = st->cap == 0 ? 4 : st->cap * 2;
        struct bucket *nring;

        nring = ncap <= SIZE_MAX / sizeof *nring
                    ? rx__malloc(ncap * sizeof *nring)
                    : NULL;
        if (nring == NULL) {
            return RX_ENOMEM;
        }
        for (size_t i = 0; i < st->len; i++) {
            nring[i] = *ring_at(st, i);
        }
        rx__free(st->ring);
        st->ring = nring;
        st->cap = ncap;
        st->head = 0;
    }
    *ring_at(st, st->len) = (struct bucket){0};
    st->len++;
    return 0;
}

/* Closes the oldest bucket into an array value. */
static rx_value
ring_close_front(struct buffer_n_stage *st)
{
    rx_value arr = bucket_take(ring_at(st, 0));

    st->head = (st->head + 1) & (st->cap - 1);
    st->len--;
    return arr;
}

static void
ring_clear(struct buffer_n_stage *st)
{
    for (size_t i = 0; i < st->len; i++) {
        bucket_clear(&st->base, ring_at(st, i));
    }
    rx__free(st->ring);
    st->ring = NULL;
    st->cap = 0;
    st->head = 0;
    st->len = 0;
}

static void
buffer_n_fail_oom(struct buffer_n_stage *st)
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
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    if (st->done) {
        return true;
    }
    if (st->index == 0 && ring_open(st) < 0) {
        buffer_n_fail_oom(st);
        return true;
    }
    st->index = st->index + 1 == st->skip ? 0 : st->index + 1;
    for (size_t i = 0; i < st->len; i++) {
        if (bucket_add(ring_at(st, i), rx_value_retain(v)) < 0) {
            buffer_n_fail_oom(st);
            return true;
        }
    }
    if (st->len > 0 && (int64_t)ring_at(st, 0)->len == st->count) {
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
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    st->done = true;
    ring_clear(st);
    rx__gbox_error(&st->out, err);
}

static void
buffer_n_on_complete(rx__stage *self)
{
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    st->out.refill = 0; /* nothing more can come from upstream */
    while (st->len > 0) {
        if (!rx__gbox_push(&st->out, ring_close_front(st))) {
            ring_clear(st);
            return;
        }
    }
    rx__gbox_complete(&st->out);
}

static void
buffer_n_request(rx__stage *self, int64_t n)
{
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;
    int64_t up;

    if (st->out.d.cancelled) {
        return;
    }
    up = rx__groups_upstream(n, st->count, st->skip, !st->requested_once);
    st->requested_once = true;
    rx__gbox_request(&st->out, n);
    if (!st->done) {
        rx__request_up(self, up);
    }
}

static void
buffer_n_cancel(rx__stage *self)
{
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    rx__gbox_cancel(&st->out);
    ring_clear(st);
    if (!st->done) {
        st->done = true;
        rx__cancel_up(self);
    }
}

static void
buffer_n_start(rx__stage *self)
{
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    rx__gbox_start(&st->out);
    rx__stage_start(self->up);
}

static void
buffer_n_teardown(rx__stage *self)
{
    struct buffer_n_stage *st = (struct buffer_n_stage *)self;

    rx__gbox_cancel(&st->out);
    ring_clear(st);
}

static const struct rx__stage_ops buffer_n_stage_ops = {
    .on_next = buffer_n_on_next,
    .on_error = buffer_n_on_error,
    .on_complete = buffer_n_on_complete,
    .request = buffer_n_request,
    .cancel = buffer_n_cancel,
    .start = buffer_n_start,
    .teardown = buffer_n_teardown,
};

static int
buffer_n_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out)
{
    const struct buffer_n_obs *o = (const struct buffer_n_obs *)self;
    struct buffer_n_stage *st;

    st = rx__stage_new(pipe, &buffer_n_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->count = o->count;
    st->skip = o->skip;
    rx__gbox_init(&st->out, &st->base, o->skip);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops buffer_n_ops = {.assemble = buffer_n_assemble};

rx_observable *
rx_buffer_n_at(const rx_site *site, rx_observable *src, int64_t count,
               int64_t skip)
{
    struct buffer_n_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (count <= 0 || skip <= 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_buffer_n: %s must be greater "
                             "than 0",
                             count <= 0 ? "count" : "skip");
    }
    o = rx__observable_new(site, &buffer_n_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->count = count;
    o->skip = skip;
    return &o->base;
}

/* ---- buffer_time ------------------------------------------------------- */

struct buffer_time_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default */
    int64_t span;
};

struct buffer_time_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    struct bucket cur;   /* the items of the current span */
    int64_t requested;   /* outstanding downstream demand */
    bool done;           /* a terminal signal went down, or cancelled */
};

static void
buffer_time_fail(struct buffer_time_stage *st, rx_error *err, bool cancel_up)
{
    st->done = true;
    rx__unschedule(&st->task);
    bucket_clear(&st->base, &st->cur);
    if (cancel_up) {
        rx__cancel_up(&st->base);
    }
    rx__emit_new_error(&st->base, err);
}

/* Emits the current bucket and starts an empty one. Returns false when
 * the stream ended. */
static bool
buffer_time_emit(struct buffer_time_stage *st)
{
    rx_value arr;

    if (st->requested == 0) {
        buffer_time_fail(st, rx__time_backpressure(&st->base), true);
        return false;
    }
    arr = bucket_take(&st->cur);
    if (rx_is_invalid(arr)) {
        buffer_time_fail(st, rx__time_oom(&st->base), true);
        return false;
    }
    if (rx__emit_next(&st->base, arr)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    rx_value_release(arr);
    return !st->done;
}

static void
buffer_time_run(rx__task *t)
{
    struct buffer_time_stage *st =
        (struct buffer_time_stage *)(void *)((char *)t -
                                             offsetof(struct buffer_time_stage,
                                                      task));

    if (!st->done) {
        buffer_time_emit(st);
    }
}

static bool
buffer_time_on_next(rx__stage *self, rx_value v)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (!st->done && bucket_add(&st->cur, rx_value_retain(v)) < 0) {
        buffer_time_fail(st, rx__time_oom(self), true);
    }
    return true;
}

static void
buffer_time_on_error(rx__stage *self, const rx_error *err)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    buffer_time_fail(st, rx_error_retain(err), false);
}

static void
buffer_time_on_complete(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->done) {
        return;
    }
    rx__unschedule(&st->task);
    if (buffer_time_emit(st)) {
        st->done = true;
        rx__emit_complete(self);
    }
}

static void
buffer_time_request(rx__stage *self, int64_t n)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

static void
buffer_time_cancel(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    bucket_clear(self, &st->cur);
    rx__cancel_up(self);
}

static void
buffer_time_start(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;
    const struct buffer_time_obs *o = (const struct buffer_time_obs *)self->obs;
    rx_error *err;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        buffer_time_fail(st, err, true);
        return;
    }
    if (rx__schedule_periodic(st->sched, &st->task, o->span, o->span) < 0) {
        buffer_time_fail(st, rx__time_oom(self), true);
        return;
    }
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
buffer_time_teardown(rx__stage *self)
{
    struct buffer_time_stage *st = (struct buffer_time_stage *)self;

    rx__unschedule(&st->task);
    bucket_clear(self, &st->cur);
}

static const struct rx__stage_ops buffer_time_stage_ops = {
    .on_next = buffer_time_on_next,
    .on_error = buffer_time_on_error,
    .on_complete = buffer_time_on_complete,
    .request = buffer_time_request,
    .cancel = buffer_time_cancel,
    .start = buffer_time_start,
    .teardown = buffer_time_teardown,
};

static int
buffer_time_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                     rx__stage **out)
{
    const struct buffer_time_obs *o = (const struct buffer_time_obs *)self;
    struct buffer_time_stage *st;

    st = rx__stage_new(pipe, &buffer_time_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, buffer_time_run);
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
buffer_time_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct buffer_time_obs *)self)->sched);
}

static const struct rx__obs_ops buffer_time_ops = {
    .assemble = buffer_time_assemble,
    .destroy = buffer_time_destroy,
};

rx_observable *
rx_buffer_time_at(const rx_site *site, rx_observable *src, int64_t span_ms,
                  rx_scheduler *sched)
{
    struct buffer_time_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (!rx__time_args_ok("rx_buffer_time", "span_ms", span_ms, 1, sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, &buffer_time_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->span = span_ms;
    return &o->base;
}
