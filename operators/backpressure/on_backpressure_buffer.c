/* SPDX-License-Identifier: MIT */
/*
 * on_backpressure_buffer and on_backpressure_latest: hold items the
 * subscriber has not asked for yet, in a bounded or unbounded FIFO
 * buffer, behind a source that may ignore demand. Latest is the buffer
 * with room for one item that drops the oldest on overflow (RxJava's
 * onBackpressureLatest behaves exactly so), built under its own name.
 *
 * The stage asks its upstream for everything at start. An item passes
 * straight through when the buffer is empty, no drain pass is on the
 * stack and the subscriber has demand; otherwise it is buffered, and a
 * full buffer applies the overflow policy. Terminal signals are recorded
 * and emitted by the drain pass, so no signal ever nests inside another
 * even when a hot source pushes from inside the subscriber's on_next: an
 * upstream error goes first, dropping the buffer (RxJava's default,
 * delayError = false); completion waits until the buffer is empty. Every
 * dropped item goes through rx__discard().
 */
#include "rx-internal.h"

struct bpbuf_obs {
    rx_observable base;
    int64_t capacity; /* > 0, or RX_UNBOUNDED */
    rx_overflow overflow;
};

struct bpbuf_stage {
    rx__stage base;
    rx__demand d;    /* d.cancelled: cancelled, or a terminal went down */
    rx__vqueue q;    /* items waiting for demand */
    rx_error *error; /* an error waiting for the drain pass, owned */
    bool done;       /* the upstream completed */
    bool up_gone;    /* upstream terminated or was cancelled by us */
};

/* Drops every buffered item through the discard path. */
static void
bpbuf_clear(struct bpbuf_stage *st)
{
    while (st->q.len > 0) {
        rx__discard(&st->base, rx__vqueue_pop(&st->q));
    }
    rx__vqueue_clear(&st->q);
}

/* One drain pass: a pending error first, then buffered items while
 * demand lasts, then the completion once the buffer is empty. Returns
 * whether another pass should follow. */
static bool
bpbuf_pass(void *self)
{
    struct bpbuf_stage *st = self;
    int64_t r = st->d.requested;
    int64_t emitted = 0;
    rx_error *err;

    if (st->error != NULL) {
        err = st->error;
        st->error = NULL;
        st->d.cancelled = true;
        bpbuf_clear(st);
        rx__emit_new_error(&st->base, err);
        return false;
    }
    while (emitted < r && st->q.len > 0 && !st->d.cancelled &&
           st->error == NULL) {
        rx_value v = rx__vqueue_pop(&st->q);

        if (rx__emit_next(&st->base, v)) {
            emitted++;
        }
        rx_value_release(v);
        if ((emitted & 1023) == 0) {
            rx__pipeline_poll(st->base.pipe);
        }
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    if (st->d.cancelled) {
        return false;
    }
    if (st->error != NULL) {
        return true; /* arrived during on_next: the next pass sends it */
    }
    if (st->q.len == 0 && st->done) {
        st->d.cancelled = true;
        rx__emit_complete(&st->base);
        return false;
    }
    return st->q.len > 0 && st->d.requested > 0;
}

static void
bpbuf_drain(struct bpbuf_stage *st)
{
    if (st->d.started && !st->d.cancelled) {
        rx__drain(&st->d, bpbuf_pass, st);
    }
}

/* Stops the upstream and fails the stream with `err` (taken), ahead of
 * whatever is buffered. */
static void
bpbuf_fail(struct bpbuf_stage *st, rx_error *err)
{
    if (!st->up_gone) {
        st->up_gone = true;
        rx__cancel_up(&st->base);
    }
    bpbuf_clear(st);
    rx_error_release(st->error);
    st->error = err;
    bpbuf_drain(st);
}

static bool
bpbuf_on_next(rx__stage *self, rx_value v)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;
    const struct bpbuf_obs *o = (const struct bpbuf_obs *)self->obs;

    if (st->d.cancelled || st->up_gone || st->error != NULL) {
        rx__discard(self, rx_value_retain(v));
        return true;
    }
    if (st->q.len == 0 && !st->d.draining && st->d.requested > 0) {
        /* The fast path: nothing buffered. Holding the drain guard makes
         * a request from inside on_next only record demand. */
        st->d.draining = true;
        if (rx__emit_next(self, v)) {
            st->d.requested = rx__demand_sub(st->d.requested, 1);
        }
        st->d.draining = false;
        /* on_next may have pushed more, or ended the upstream. */
        if (st->error != NULL || st->q.len > 0 || st->done) {
            bpbuf_drain(st);
        }
        return true;
    }
    if (o->capacity != RX_UNBOUNDED && (int64_t)st->q.len >= o->capacity) {
        switch (o->overflow) {
        case RX_OVERFLOW_DROP_OLDEST:
            rx__discard(self, rx__vqueue_pop(&st->q));
            break;
        case RX_OVERFLOW_DROP_NEWEST:
            rx__discard(self, rx_value_retain(v));
            return true;
        case RX_OVERFLOW_ERROR:
        default:
            bpbuf_fail(st, rx__error_at(rx__stage_site(self), RX_EBACKPRESSURE,
                                        "%s: buffer of %lld items is full "
                                        "(overflow policy: error)",
                                        rx__stage_site(self)->name,
                                        (long long)o->capacity));
            return true;
        }
    }
    if (rx__vqueue_push(&st->q, rx_value_retain(v)) != 0) {
        bpbuf_fail(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                    "%s: out of memory buffering an item",
                                    rx__stage_site(self)->name));
        return true;
    }
    if (st->d.requested > 0) {
        bpbuf_drain(st);
    }
    return true;
}

static void
bpbuf_on_error(rx__stage *self, const rx_error *err)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    if (st->d.cancelled || st->up_gone || st->error != NULL) {
        rx__undeliverable(err);
        return;
    }
    st->up_gone = true;
    bpbuf_clear(st);
    st->error = rx_error_retain(err);
    bpbuf_drain(st);
}

static void
bpbuf_on_complete(rx__stage *self)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    if (st->d.cancelled || st->up_gone) {
        return;
    }
    st->up_gone = true;
    st->done = true;
    bpbuf_drain(st);
}

static void
bpbuf_request(rx__stage *self, int64_t n)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        rx__drain(&st->d, bpbuf_pass, st);
    }
}

static void
bpbuf_cancel(rx__stage *self)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    /* No pass holds a reference into the buffer across on_next, so it
     * can go now even if a pass is on the stack. */
    bpbuf_clear(st);
    rx_error_release(st->error);
    st->error = NULL;
    if (!st->up_gone) {
        st->up_gone = true;
        rx__cancel_up(self);
    }
}

static void
bpbuf_start(rx__stage *self)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    st->d.started = true;
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
bpbuf_teardown(rx__stage *self)
{
    struct bpbuf_stage *st = (struct bpbuf_stage *)self;

    bpbuf_clear(st);
    rx_error_release(st->error);
    st->error = NULL;
}

static const struct rx__stage_ops bpbuf_stage_ops = {
    .on_next = bpbuf_on_next,
    .on_error = bpbuf_on_error,
    .on_complete = bpbuf_on_complete,
    .request = bpbuf_request,
    .cancel = bpbuf_cancel,
    .start = bpbuf_start,
    .teardown = bpbuf_teardown,
};

static int
bpbuf_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct bpbuf_stage *st;

    st = rx__stage_new(pipe, &bpbuf_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops bpbuf_ops = {.assemble = bpbuf_assemble};

rx_observable *
rx_on_backpressure_buffer_at(const rx_site *site, rx_observable *src,
                             int64_t capacity, rx_overflow overflow)
{
    struct bpbuf_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (capacity <= 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_on_backpressure_buffer: capacity "
                                        "must be greater than 0");
    }
    if (overflow != RX_OVERFLOW_ERROR && overflow != RX_OVERFLOW_DROP_OLDEST &&
        overflow != RX_OVERFLOW_DROP_NEWEST) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_on_backpressure_buffer: overflow "
                                        "must be an rx_overflow value");
    }
    o = rx__observable_new(site, &bpbuf_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->capacity = capacity;
    o->overflow = overflow;
    return &o->base;
}

rx_observable *
rx_on_backpressure_latest_at(const rx_site *site, rx_observable *src)
{
    struct bpbuf_obs *o;

    if (src == NULL) {
        return NULL;
    }
    o = rx__observable_new(site, &bpbuf_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->capacity = 1;
    o->overflow = RX_OVERFLOW_DROP_OLDEST;
    return &o->base;
}
