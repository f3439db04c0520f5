/* SPDX-License-Identifier: MIT */
/*
 * window_boundary and buffer_boundary: cut a stream where another stream
 * (the boundary) emits. Semantics and the differences from RxJava are in
 * docs/design/higher-order.md.
 *
 * The boundary runs in a receiver stage of its own (higher-internal.h),
 * assembled with the stage so that a subscription that cannot be built
 * fails cleanly. Both sources are asked for everything: the boundary
 * cannot slow down, so a window or array due without demand fails the
 * stream with RX_EBACKPRESSURE (the final array waits for demand). A
 * window is a unicast buffer that keeps its items until its one
 * subscriber comes. Completion of either source ends the open window,
 * then the stream; an error goes to the stream first, then to the
 * window. Cancelling the outer stream stops the boundary; an open window
 * subscribed within this pipeline (a take() between cut the outer
 * stream) goes on until the source ends or its subscriber leaves.
 */
#include "higher-internal.h"
#include "rx-sched.h"

struct wb_obs {
    rx_observable base;
    rx_observable *boundary; /* owned */
    bool windows;            /* window_boundary; else buffer_boundary */
};

struct wb_stage {
    rx__stage base;    /* base.up: the source */
    rx__hin *bnd;      /* the boundary's receiver */
    rx__ubuf *win;     /* windows: the open window (our reference) */
    rx__vqueue buf;    /* buffers: the open buffer's items */
    rx_value last;     /* buffers: the final array waiting for demand */
    int64_t requested; /* downstream demand */
    bool started;
    bool last_pending; /* `last` waits, then the completion */
    bool done;         /* the source has ended or been cancelled */
    bool outer_done;   /* the outer stream ended or was cancelled */
};

static const struct rx__ubuf_hooks window_hooks;

static bool
windows(const struct wb_stage *st)
{
    return ((const struct wb_obs *)st->base.obs)->windows;
}

/* ---- stopping ---------------------------------------------------------- */

static void
stop_boundary(struct wb_stage *st)
{
    rx__hin *in = st->bnd;

    if (in != NULL) {
        st->bnd = NULL;
        rx__hin_cancel(in);
        rx__hin_drop(in, &st->base);
    }
}

/* Stops the source and the boundary. */
static void
stop_all(struct wb_stage *st)
{
    if (!st->done) {
        st->done = true;
        rx__cancel_up(&st->base);
    }
    stop_boundary(st);
}

/* Lets the open window go: ends it with err (borrowed; NULL completes). */
static void
close_window(struct wb_stage *st, const rx_error *err)
{
    rx__ubuf *w = st->win;

    if (w != NULL) {
        st->win = NULL;
        w->parent = NULL;
        rx__ubuf_close(w, err);
        rx_observable_release(&w->base);
    }
}

static void
drop_buffer(struct wb_stage *st)
{
    while (st->buf.len > 0) {
        rx__discard(&st->base, rx__vqueue_pop(&st->buf));
    }
    rx__vqueue_clear(&st->buf);
}

/* Fails the stream with err (taken): the outer stream first, then the
 * open window. */
static void
wb_fail(struct wb_stage *st, rx_error *err)
{
    bool to_outer = !st->outer_done;

    if (!to_outer && st->done) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    st->outer_done = true;
    stop_all(st);
    drop_buffer(st);
    rx_value_release(st->last);
    st->last = rx_nil();
    st->last_pending = false;
    if (to_outer) {
        rx__emit_error(&st->base, err);
    }
    close_window(st, err);
    rx_error_release(err);
}

/* ---- emitting ---------------------------------------------------------- */

/* Emits a window or buffer (taken) now; fails with RX_EBACKPRESSURE
 * without demand. Returns false when the stream ended. */
static bool
emit_now(struct wb_stage *st, rx_value v)
{
    if (st->requested == 0) {
        rx_value_release(v);
        wb_fail(st, rx__backpressure_error(rx__stage_site(&st->base)));
        return false;
    }
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    rx_value_release(v);
    return !st->outer_done;
}

static void
cancel_source(void *arg)
{
    rx__cancel_up(&((struct wb_stage *)arg)->base);
}

static void
window_detached(rx__ubuf *w)
{
    struct wb_stage *st = w->parent;

    if (st->outer_done && !st->done) {
        /* The outer stream was cut and the last window's subscriber
         * left: nothing wants the source any more. */
        st->done = true;
        rx__in_frame(st->base.pipe, cancel_source, st);
    }
}

static const struct rx__ubuf_hooks window_hooks = {.detached = window_detached};

/* Opens a window and emits it. Returns false when the stream ended. */
static bool
open_window(struct wb_stage *st)
{
    rx__ubuf *w;
    rx_value box;

    w = rx__ubuf_new(rx__stage_site(&st->base), sizeof *w, "window",
                     &window_hooks, st);
    box = w != NULL ? rx_observable_value(rx_observable_retain(&w->base))
                    : rx_invalid();
    if (rx_is_invalid(box)) {
        if (w != NULL) {
            rx_observable_release(&w->base);
        }
        wb_fail(st, rx__higher_oom(&st->base));
        return false;
    }
    st->win = w;
    return emit_now(st, box);
}

/* The final buffer goes down once there is demand, then the completion. */
static void
flush_last(struct wb_stage *st)
{
    rx_value v;

    if (!st->last_pending || st->outer_done || st->requested == 0) {
        return;
    }
    v = st->last;
    st->last = rx_nil();
    st->last_pending = false;
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    rx_value_release(v);
    if (!st->outer_done) {
        st->outer_done = true;
        rx__emit_complete(&st->base);
    }
}

/* The source or the boundary completed: the stream ends. */
static void
finish(struct wb_stage *st)
{
    rx_value arr;

    stop_all(st);
    if (st->outer_done) {
        close_window(st, NULL);
        drop_buffer(st);
        return;
    }
    if (windows(st)) {
        close_window(st, NULL);
        if (!st->outer_done) {
            st->outer_done = true;
            rx__emit_complete(&st->base);
        }
        return;
    }
    arr = rx__vqueue_take_array(&st->buf);
    if (rx_is_invalid(arr)) {
        wb_fail(st, rx__higher_oom(&st->base));
        return;
    }
    st->last = arr;
    st->last_pending = true;
    flush_last(st);
}

/* ---- the boundary ------------------------------------------------------ */

static void
bnd_next(rx__hin *in, rx_value v)
{
    struct wb_stage *st = in->owner;
    rx_value arr;

    (void)v;
    if (st->outer_done) {
        return;
    }
    if (windows(st)) {
        close_window(st, NULL);
        if (!st->outer_done) {
            open_window(st);
        }
        return;
    }
    arr = rx__vqueue_take_array(&st->buf);
    if (rx_is_invalid(arr)) {
        wb_fail(st, rx__higher_oom(&st->base));
        return;
    }
    emit_now(st, arr);
}

static void
bnd_error(rx__hin *in, const rx_error *err)
{
    wb_fail(in->owner, rx_error_retain(err));
}

static void
bnd_complete(rx__hin *in)
{
    finish(in->owner);
}

static const struct rx__hin_ops bnd_ops = {
    .next = bnd_next,
    .error = bnd_error,
    .complete = bnd_complete,
};

/* ---- the source -------------------------------------------------------- */

static bool
wb_on_next(rx__stage *self, rx_value v)
{
    struct wb_stage *st = (struct wb_stage *)self;

    if (st->done) {
        return false;
    }
    if (windows(st)) {
        if (st->win != NULL && rx__ubuf_push(st->win, v) < 0) {
            wb_fail(st, rx__higher_oom(self));
        }
        return true;
    }
    if (rx__vqueue_push(&st->buf, rx_value_retain(v)) < 0) {
        wb_fail(st, rx__higher_oom(self));
    }
    return true;
}

static void
wb_on_error(rx__stage *self, const rx_error *err)
{
    struct wb_stage *st = (struct wb_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true; /* nothing to cancel upstream */
    if (st->outer_done) {
        stop_boundary(st);
        close_window(st, err); /* a window kept after the outer was cut */
        return;
    }
    wb_fail(st, rx_error_retain(err));
}

static void
wb_on_complete(rx__stage *self)
{
    struct wb_stage *st = (struct wb_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    finish(st);
}

static void
wb_request(rx__stage *self, int64_t n)
{
    struct wb_stage *st = (struct wb_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    flush_last(st);
}

/* The outer stream is cancelled; see the file comment for the window
 * that goes on. */
static void
wb_cancel(rx__stage *self)
{
    struct wb_stage *st = (struct wb_stage *)self;
    bool whole = self->pipe->cancelled || !self->pipe->running;
    rx_error *err;

    if (st->outer_done) {
        return;
    }
    st->outer_done = true;
    stop_boundary(st);
    drop_buffer(st);
    if (st->win != NULL && !whole &&
        rx__ubuf_attached_in(st->win, self->pipe) && !st->done) {
        return; /* the window goes on until the source ends */
    }
    stop_all(st);
    if (st->win != NULL) {
        rx__ubuf *w = st->win;

        st->win = NULL;
        w->parent = NULL;
        err = rx__error_at(rx__stage_site(self), RX_ECANCELED,
                           "%s: the outer stream was cancelled",
                           rx__stage_site(self)->name);
        rx__ubuf_close_for(w, err, self->pipe);
        rx_error_release(err);
        rx_observable_release(&w->base);
    }
}

static void
wb_start(rx__stage *self)
{
    struct wb_stage *st = (struct wb_stage *)self;

    st->started = true;
    if (windows(st) && !open_window(st)) {
        return;
    }
    if (st->bnd != NULL) {
        rx__hin_start(st->bnd, RX_UNBOUNDED);
    }
    if (st->outer_done || st->done) {
        return; /* the boundary ended the stream at once */
    }
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
wb_teardown(rx__stage *self)
{
    struct wb_stage *st = (struct wb_stage *)self;

    if (st->win != NULL) {
        /* Only a window subscribed in this pipeline can still be open;
         * it dies with it. Nothing may run now. */
        st->win->parent = NULL;
        st->win->closed = true;
        rx_observable_release(&st->win->base);
        st->win = NULL;
    }
    rx__vqueue_clear(&st->buf);
    rx_value_release(st->last);
    st->last = rx_nil();
}

static const struct rx__stage_ops wb_stage_ops = {
    .on_next = wb_on_next,
    .on_error = wb_on_error,
    .on_complete = wb_on_complete,
    .request = wb_request,
    .cancel = wb_cancel,
    .start = wb_start,
    .teardown = wb_teardown,
};

static int
wb_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    const struct wb_obs *o = (const struct wb_obs *)self;
    struct wb_stage *st;
    rx_error *err = NULL;
    int rc;

    st = rx__stage_new(pipe, &wb_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->last = rx_nil();
    *out = &st->base;
    st->bnd = rx__hin_new(&st->base, &bnd_ops, sizeof *st->bnd,
                          rx_observable_retain(o->boundary), &err);
    if (st->bnd == NULL) {
        rc = rx_error_code(err);
        rx_error_release(err);
        return rc;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
wb_destroy(rx_observable *self)
{
    rx_observable_release(((struct wb_obs *)self)->boundary);
}

static const struct rx__obs_ops wb_ops = {
    .assemble = wb_assemble,
    .destroy = wb_destroy,
};

static rx_observable *
wb_new(const rx_site *site, rx_observable *src, rx_observable *boundary,
       bool wins)
{
    struct wb_obs *o;

    if (src == NULL || boundary == NULL) {
        rx_observable_release(src);
        rx_observable_release(boundary);
        return NULL; /* an earlier call failed and said why */
    }
    o = rx__observable_new(site, &wb_ops, sizeof *o, src);
    if (o == NULL) {
        rx_observable_release(boundary);
        return NULL;
    }
    o->boundary = boundary;
    o->windows = wins;
    return &o->base;
}

rx_observable *
rx_window_boundary_at(const rx_site *site, rx_observable *src,
                      rx_observable *boundary)
{
    return wb_new(site, src, boundary, true);
}

rx_observable *
rx_buffer_boundary_at(const rx_site *site, rx_observable *src,
                      rx_observable *boundary)
{
    return wb_new(site, src, boundary, false);
}
