/* SPDX-License-Identifier: MIT */
/*
 * window_n and window_time: cut a stream into windows, observables that
 * each emit a part of it.
 *
 * A window is its own observable kind, a unicast buffer: the outer stage
 * pushes items and the terminal signal into it; its one subscriber's
 * stage (in the subscriber's own pipeline) drains them as it requests.
 * The window holds what waits (a queue, a pending error, whether it is
 * closed) and a pointer to the attached subscriber stage, which that
 * stage clears in its cancel and teardown. Nothing points from the
 * window back to the outer stage, so there is no reference cycle: a
 * window nobody subscribes to is freed, items and all, with its last
 * reference (the box value and the outer stage's).
 *
 * The outer stage delivers into another pipeline, so it enters that
 * pipeline's frame around the delivery: what the delivery finishes
 * there (a completed subscription) is freed when the frame exits, never
 * under the outer stage's feet. Windows go downstream as box values whose
 * data is the window observable (rx_window_observable() gets it back).
 *
 * window_n(count, skip) works as buffer_n does, on the same ring and
 * stage (rx__groups_stage): every skip-th item opens a window, each item
 * goes into every open window, the oldest completes at count items. Windows
 * leave through a group outbox, and requests for n windows ask the upstream for
 * the items they need.
 *
 * window_time(span) emits its first window at the start and a new one at
 * every span, completing the previous one; it asks the upstream for
 * everything, so a window due without demand fails the stream with
 * RX_EBACKPRESSURE (RxJava's window(timespan)).
 *
 * The outer stage cannot outlive its pipeline: when the outer stream is
 * cancelled, the open windows end with RX_ECANCELED (RxJava keeps the
 * upstream running for them; see docs/design/time-operators.md).
 */
#include <stddef.h>

#include "time-internal.h"

/* ---- the window: an observable kind ------------------------------------ */

struct window_stage;

struct window_obs {
    rx_observable base;
    rx__vqueue q;               /* items waiting for the subscriber */
    rx_error *error;            /* the terminal error, once closed */
    bool closed;                /* the outer ended this window */
    bool subscribed;            /* a subscriber started */
    bool dropped;               /* its subscriber cancelled or ended */
    struct window_stage *stage; /* the attached subscriber's stage */
};

struct window_stage {
    rx__stage base;
    rx__demand d;
    bool attached; /* this stage is the window's subscriber */
};

static void
window_detach(struct window_stage *ws)
{
    struct window_obs *w = (struct window_obs *)ws->base.obs;

    if (ws->attached) {
        ws->attached = false;
        w->stage = NULL;
        w->dropped = true;
        while (w->q.len > 0) {
            rx__discard(&ws->base, rx__vqueue_pop(&w->q));
        }
    }
}

/* One drain pass of the subscriber: items while demand lasts, then the
 * terminal signal once the queue is empty and the window closed. */
static bool
window_pass(void *self)
{
    struct window_stage *ws = self;
    struct window_obs *w = (struct window_obs *)ws->base.obs;
    int64_t emitted = 0;
    int64_t r = ws->d.requested;
    rx_error *err;

    while (emitted < r && w->q.len > 0 && !ws->d.cancelled) {
        rx_value v = rx__vqueue_pop(&w->q);

        if (rx__emit_next(&ws->base, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    ws->d.requested = rx__demand_sub(ws->d.requested, emitted);
    if (ws->d.cancelled) {
        return false;
    }
    if (w->q.len == 0 && w->closed) {
        ws->d.cancelled = true;
        err = w->error;
        w->error = NULL;
        window_detach(ws);
        if (err != NULL) {
            rx__emit_new_error(&ws->base, err);
        } else {
            rx__emit_complete(&ws->base);
        }
        return false;
    }
    return w->q.len > 0 && ws->d.requested > 0;
}

/* Drains the attached subscriber, if any, from the outer stage: inside a
 * frame of the subscriber's pipeline, which may be freed when the frame
 * exits (so nothing here touches the stage afterwards). */
static void
window_feed(struct window_obs *w)
{
    struct window_stage *ws = w->stage;
    rx__pipeline *pipe;

    if (ws == NULL || !ws->d.started || ws->d.draining) {
        return;
    }
    pipe = ws->base.pipe;
    rx__frame_enter(pipe);
    rx__drain(&ws->d, window_pass, ws);
    rx__frame_exit(pipe);
}

/* Adds an item (borrowed) to an open window. */
static void
window_push(rx__stage *outer, struct window_obs *w, rx_value v)
{
    if (w->closed || w->dropped) {
        return;
    }
    if (rx__vqueue_push(&w->q, rx_value_retain(v)) < 0) {
        /* This window alone fails; the outer stream goes on. */
        w->closed = true;
        w->error = rx__time_oom(outer);
    }
    window_feed(w);
}

/* Ends a window: completes it, or fails it with `err` (borrowed). */
static void
window_close(struct window_obs *w, const rx_error *err)
{
    if (w->closed) {
        return;
    }
    w->closed = true;
    w->error = err != NULL ? rx_error_retain(err) : NULL;
    window_feed(w);
}

static void
window_stage_request(rx__stage *self, int64_t n)
{
    struct window_stage *ws = (struct window_stage *)self;

    if (rx__demand_request(&ws->d, n) && ws->attached) {
        rx__drain(&ws->d, window_pass, ws);
    }
}

static void
window_stage_cancel(rx__stage *self)
{
    struct window_stage *ws = (struct window_stage *)self;

    ws->d.cancelled = true;
    window_detach(ws);
}

static void
window_stage_start(rx__stage *self)
{
    struct window_stage *ws = (struct window_stage *)self;
    struct window_obs *w = (struct window_obs *)self->obs;
    const rx_site *site = rx__stage_site(self);

    ws->d.started = true;
    if (ws->d.cancelled) {
        return;
    }
    if (w->subscribed) {
        ws->d.cancelled = true;
        rx__emit_new_error(self, rx__error_at(site, RX_EINVAL,
                                              "%s: a window can be "
                                              "subscribed only once",
                                              site->name));
        return;
    }
    w->subscribed = true;
    w->stage = ws;
    ws->attached = true;
    rx__drain(&ws->d, window_pass, ws);
}

static void
window_stage_teardown(rx__stage *self)
{
    window_detach((struct window_stage *)self);
}

static const struct rx__stage_ops window_stage_ops = {
    .request = window_stage_request,
    .cancel = window_stage_cancel,
    .start = window_stage_start,
    .teardown = window_stage_teardown,
};

static int
window_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct window_stage *ws;

    ws = rx__stage_new(pipe, &window_stage_ops, sizeof *ws, self, down);
    if (ws == NULL) {
        return RX_ENOMEM;
    }
    *out = &ws->base;
    return 0;
}

static void
window_destroy(rx_observable *self)
{
    struct window_obs *w = (struct window_obs *)self;

    /* Nobody is attached: a subscriber's stage holds a reference. */
    while (w->q.len > 0) {
        rx_value_release(rx__vqueue_pop(&w->q));
    }
    rx__vqueue_clear(&w->q);
    rx_error_release(w->error);
}

static const struct rx__obs_ops window_ops = {
    .assemble = window_assemble,
    .destroy = window_destroy,
};

/* Windows travel as observable values (rx_observable_value); this name
 * stays for readers of the window docs. */
rx_observable *
rx_window_observable(rx_value v)
{
    return rx_value_observable(v);
}

/* Opens a window named after the outer operator: *w gets the outer
 * stage's reference, *box the value to emit (holding another). Returns
 * RX_ENOMEM when either allocation fails (nothing is left over). */
static int
window_open(rx__stage *outer, struct window_obs **w, rx_value *box)
{
    *w = rx__observable_new(rx__stage_site(outer), &window_ops, sizeof **w,
                            NULL);
    if (*w == NULL) {
        return RX_ENOMEM;
    }
    *box = rx_observable_value(rx_observable_retain(&(*w)->base));
    if (rx_is_invalid(*box)) {
        rx_observable_release(&(*w)->base);
        *w = NULL;
        return RX_ENOMEM;
    }
    return 0;
}

/* The error that ends the open windows when the outer stream is
 * cancelled. */
static rx_error *
window_cancelled_error(const rx__stage *outer)
{
    const rx_site *site = rx__stage_site(outer);

    return rx__error_at(site, RX_ECANCELED,
                        "%s: the outer stream was cancelled", site->name);
}

/* ---- window_n ---------------------------------------------------------- */

/* The ring of a window_n stage (rx__groups_stage) holds struct
 * open_window. */
struct open_window {
    struct window_obs *w; /* the outer stage's reference */
    int64_t len;          /* items pushed */
};

static struct open_window *
wring_at(rx__groups_stage *st, size_t i)
{
    return rx__gring_at(&st->ring, i);
}

/* Closes every open window with `err` (borrowed; NULL completes them)
 * and drops the ring. Windows are taken off the ring first: closing one
 * runs its subscriber, which may call back into this stage. */
static void
wring_close_all(rx__groups_stage *st, const rx_error *err)
{
    rx__gring ring = st->ring;

    st->ring = (rx__gring){.size = ring.size};
    for (size_t i = 0; i < ring.len; i++) {
        const struct open_window *ow = rx__gring_at(&ring, i);

        window_close(ow->w, err);
        rx_observable_release(&ow->w->base);
    }
    rx__gring_free(&ring);
}

static void
window_n_fail(rx__groups_stage *st, rx_error *err)
{
    st->done = true;
    rx__cancel_up(&st->base);
    wring_close_all(st, err);
    rx__gbox_error(&st->out, err);
    rx_error_release(err);
}

static bool
window_n_on_next(rx__stage *self, rx_value v)
{
    rx__groups_stage *st = (rx__groups_stage *)self;
    struct window_obs *w;
    rx_value box;

    if (st->done) {
        return true;
    }
    if (st->index == 0) {
        if (rx__gring_reserve(&st->ring) < 0 ||
            window_open(self, &w, &box) < 0) {
            window_n_fail(st, rx__time_oom(self));
            return true;
        }
        ((struct open_window *)rx__gring_append(&st->ring))->w = w;
        if (!rx__gbox_push(&st->out, box)) {
            /* Out of memory queueing it (the outer stream failed), or
             * cancelled from downstream (the windows already ended). */
            rx_error *err = rx__time_oom(self);

            st->done = true;
            wring_close_all(st, err);
            rx_error_release(err);
            return true;
        }
        if (st->done) {
            return true;
        }
    }
    rx__groups_advance(st);
    for (size_t i = 0; i < st->ring.len && !st->done; i++) {
        struct open_window *ow = wring_at(st, i);

        ow->len++;
        window_push(self, ow->w, v);
    }
    if (!st->done && st->ring.len > 0 && wring_at(st, 0)->len == st->count) {
        w = wring_at(st, 0)->w;
        rx__gring_drop_front(&st->ring);
        window_close(w, NULL);
        rx_observable_release(&w->base);
    }
    return true;
}

static void
window_n_on_error(rx__stage *self, const rx_error *err)
{
    rx__groups_stage *st = (rx__groups_stage *)self;
    bool to_windows = st->ring.len > 0;

    st->done = true;
    wring_close_all(st, err);
    if (to_windows && st->out.d.cancelled) {
        return; /* a window's subscriber cancelled us; the windows got it */
    }
    rx__gbox_error(&st->out, err);
}

static void
window_n_on_complete(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    st->out.refill = 0; /* nothing more can come from upstream */
    wring_close_all(st, NULL);
    rx__gbox_complete(&st->out);
}

static void
window_n_cancel(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;
    rx_error *err;

    rx__gbox_cancel(&st->out);
    if (st->done) {
        return;
    }
    st->done = true;
    rx__cancel_up(self);
    if (st->ring.len > 0) {
        err = window_cancelled_error(self);
        wring_close_all(st, err);
        rx_error_release(err);
    }
}

static void
window_n_teardown(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    rx__gbox_cancel(&st->out);
    /* Normally empty by now (a terminal or a cancel ended every window);
     * after a failed assembly there is nothing to signal anyway. */
    for (size_t i = 0; i < st->ring.len; i++) {
        rx_observable_release(&wring_at(st, i)->w->base);
    }
    rx__gring_free(&st->ring);
}

static const struct rx__stage_ops window_n_stage_ops = {
    .on_next = window_n_on_next,
    .on_error = window_n_on_error,
    .on_complete = window_n_on_complete,
    .request = rx__groups_request,
    .cancel = window_n_cancel,
    .start = rx__groups_start,
    .teardown = window_n_teardown,
};

static const rx__groups_kind window_n_kind = {
    .fn = "rx_window_n",
    .ops = &window_n_stage_ops,
    .slot_size = sizeof(struct open_window),
};

rx_observable *
rx_window_n_at(const rx_site *site, rx_observable *src, int64_t count,
               int64_t skip)
{
    return rx__groups_new(site, src, count, skip, &window_n_kind);
}

/* ---- window_time ------------------------------------------------------- */

struct window_time_stage {
    rx__span_stage span;    /* first: the shared part */
    struct window_obs *cur; /* the open window (the stage's reference) */
    bool cancelled;         /* downstream cancelled */
};

/* Ends the current window with `err` (borrowed; NULL completes it). */
static void
window_time_close(struct window_time_stage *st, const rx_error *err)
{
    struct window_obs *w = st->cur;

    if (w != NULL) {
        st->cur = NULL;
        window_close(w, err);
        rx_observable_release(&w->base);
    }
}

static void
window_time_fail(struct window_time_stage *st, rx_error *err, bool cancel_up)
{
    bool to_window = st->cur != NULL;

    st->span.done = true;
    rx__unschedule(&st->span.task);
    if (cancel_up) {
        rx__cancel_up(&st->span.base);
    }
    window_time_close(st, err);
    if (to_window && st->cancelled) {
        /* The window's subscriber cancelled the outer stream while
         * taking the error: it was delivered there. */
        rx_error_release(err);
        return;
    }
    rx__emit_new_error(&st->span.base, err);
}

/* Opens the next window and emits it. Returns false when the stream
 * ended. */
static bool
window_time_open(struct window_time_stage *st)
{
    rx_value box;

    if (st->span.requested == 0) {
        window_time_fail(st, rx__time_backpressure(&st->span.base), true);
        return false;
    }
    if (window_open(&st->span.base, &st->cur, &box) < 0) {
        window_time_fail(st, rx__time_oom(&st->span.base), true);
        return false;
    }
    return rx__span_emit(&st->span, box);
}

static void
window_time_run(rx__task *t)
{
    struct window_time_stage *st = (struct window_time_stage *)rx__span_of(t);

    if (st->span.done) {
        return;
    }
    window_time_close(st, NULL);
    if (!st->span.done) {
        window_time_open(st);
    }
}

static bool
window_time_on_next(rx__stage *self, rx_value v)
{
    struct window_time_stage *st = (struct window_time_stage *)self;

    if (!st->span.done && st->cur != NULL) {
        window_push(self, st->cur, v);
    }
    return true;
}

static void
window_time_on_error(rx__stage *self, const rx_error *err)
{
    struct window_time_stage *st = (struct window_time_stage *)self;

    if (st->span.done) {
        rx__undeliverable(err);
        return;
    }
    window_time_fail(st, rx_error_retain(err), false);
}

static void
window_time_on_complete(rx__stage *self)
{
    struct window_time_stage *st = (struct window_time_stage *)self;

    if (st->span.done) {
        return;
    }
    st->span.done = true;
    rx__unschedule(&st->span.task);
    window_time_close(st, NULL);
    rx__emit_complete(self);
}

static void
window_time_cancel(rx__stage *self)
{
    struct window_time_stage *st = (struct window_time_stage *)self;
    rx_error *err;

    st->cancelled = true;
    if (st->span.done) {
        return;
    }
    st->span.done = true;
    rx__unschedule(&st->span.task);
    rx__cancel_up(self);
    if (st->cur != NULL) {
        err = window_cancelled_error(self);
        window_time_close(st, err);
        rx_error_release(err);
    }
}

static void
window_time_start(rx__stage *self)
{
    struct window_time_stage *st = (struct window_time_stage *)self;
    rx_error *err;

    if (st->span.done) {
        return;
    }
    err = rx__span_schedule(&st->span);
    if (err != NULL) {
        window_time_fail(st, err, true);
        return;
    }
    if (!window_time_open(st)) {
        return;
    }
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
window_time_teardown(rx__stage *self)
{
    struct window_time_stage *st = (struct window_time_stage *)self;

    rx__unschedule(&st->span.task);
    if (st->cur != NULL) {
        rx_observable_release(&st->cur->base);
        st->cur = NULL;
    }
}

static const struct rx__stage_ops window_time_stage_ops = {
    .on_next = window_time_on_next,
    .on_error = window_time_on_error,
    .on_complete = window_time_on_complete,
    .request = rx__span_request,
    .cancel = window_time_cancel,
    .start = window_time_start,
    .teardown = window_time_teardown,
};

static const rx__span_kind window_time_kind = {
    .fn = "rx_window_time",
    .ops = &window_time_stage_ops,
    .stage_size = sizeof(struct window_time_stage),
    .run = window_time_run,
};

rx_observable *
rx_window_time_at(const rx_site *site, rx_observable *src, int64_t span_ms,
                  rx_scheduler *sched)
{
    return rx__span_new(site, src, span_ms, sched, &window_time_kind);
}
