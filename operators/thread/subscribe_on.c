/* SPDX-License-Identifier: MIT */
/*
 * subscribe_on: starts the upstream on a scheduler's thread, so the whole
 * pipeline -- upstream emission, downstream callbacks, the requests they
 * make -- runs there.
 *
 * It is one pipeline whose ownership moves. The stage's start hook runs
 * on the subscribing thread: it picks a worker (one pool worker for this
 * subscription), binds the pipeline to it (so a cancel from any thread
 * wakes that worker) and posts a start task with rx__pipeline_post().
 * That post waits until the subscribing thread has left the pipeline's
 * outermost frame, and the pipeline then forgets that thread as its
 * owner; the worker never runs the pipeline while the subscribing thread
 * is still inside it. The start task, on the worker, binds again (the
 * last binding wins), forwards the demand recorded so far and starts the
 * upstream. Requests that arrive before it ran (from on_subscribe) are
 * only recorded; a cancel before it ran means the upstream never starts.
 */
#include "rx-sched.h"
#include "uvrx/thread.h"

struct subon_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default scheduler */
};

struct subon_stage {
    rx__stage base;
    rx__task start_task;  /* runs on the worker */
    rx_scheduler *worker; /* where the pipeline runs; borrowed */
    int64_t requested;    /* demand recorded before the start task */
    bool started;         /* the upstream was started (worker thread) */
    bool cancelled;
    bool held; /* the worker is this thread's loop: kept alive for the task */
};

/* ---- signals: the stage passes everything through on the worker ------- */

static bool
subon_on_next(rx__stage *self, rx_value v)
{
    return rx__emit_next(self, v);
}

static void
subon_on_next_batch(rx__stage *self, rx_value *vals, size_t n)
{
    self->down->ops->on_next_batch(self->down, vals, n);
}

static void
subon_request(rx__stage *self, int64_t n)
{
    struct subon_stage *st = (struct subon_stage *)self;

    if (st->cancelled) {
        return;
    }
    if (!st->started) {
        st->requested = rx__demand_add(st->requested, n);
        return;
    }
    rx__request_up(self, n);
}

static void
subon_cancel(rx__stage *self)
{
    struct subon_stage *st = (struct subon_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->cancelled = true;
    if (st->started) {
        rx__cancel_up(self);
    }
}

/* ---- starting on the worker ------------------------------------------- */

static void
subon_start_run(rx__task *t)
{
    struct subon_stage *st =
        (struct subon_stage *)((char *)t -
                               offsetof(struct subon_stage, start_task));

    rx__pipeline_bind(st->base.pipe, st->worker);
    if (st->held) {
        st->held = false;
        rx__sched_unhold(st->worker);
    }
    /* A cancel from another thread while the task was on its way is
     * processed here (it also posted a wake-up, which finds it done). */
    if (rx__pipeline_poll(st->base.pipe) || st->cancelled) {
        return;
    }
    st->started = true;
    if (st->requested > 0) {
        int64_t n = st->requested;
        st->requested = 0;
        rx__request_up(&st->base, n); /* recorded: the upstream waits */
    }
    if (!st->cancelled) {
        rx__stage_start(st->base.up);
    }
}

static void
subon_start(rx__stage *self)
{
    struct subon_stage *st = (struct subon_stage *)self;
    const struct subon_obs *o = (const struct subon_obs *)self->obs;
    rx_scheduler *s = rx__sched_resolve(o->sched);
    int rc;

    if (s == NULL) {
        st->cancelled = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                              "rx_subscribe_on: cannot "
                                              "create the default "
                                              "scheduler"));
        return;
    }
    st->worker = rx__sched_pick(s);
    /* Bound before the hand-over, so that a cancel from any thread after
     * rx_subscribe() returns already wakes the worker. */
    rx__pipeline_bind(self->pipe, st->worker);
    if (rx__sched_is_current(st->worker)) {
        /* This thread's own loop: its wake-up handle is unreferenced, so
         * keep the loop running until the start task ran. */
        st->held = true;
        rx__sched_hold(st->worker);
    }
    rc = rx__pipeline_post(self->pipe, st->worker, &st->start_task);
    if (rc != 0) {
        st->cancelled = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), rc,
                                              "rx_subscribe_on: the "
                                              "scheduler cannot take work "
                                              "from other threads"));
    }
}

static const struct rx__stage_ops subon_ops = {
    .on_next = subon_on_next,
    .on_next_batch = subon_on_next_batch,
    .on_error = rx__stage_pass_error,
    .on_complete = rx__stage_pass_complete,
    .request = subon_request,
    .cancel = subon_cancel,
    .start = subon_start,
};

/* The same without a batch handler, for a downstream that takes items one
 * by one: the upstream then sends them one by one too, so an item a
 * downstream stage drops still gets its replacement. */
static const struct rx__stage_ops subon_single_ops = {
    .on_next = subon_on_next,
    .on_error = rx__stage_pass_error,
    .on_complete = rx__stage_pass_complete,
    .request = subon_request,
    .cancel = subon_cancel,
    .start = subon_start,
};

static int
subon_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct subon_stage *st;
    const struct rx__stage_ops *ops =
        rx__stage_wants_batch(down) ? &subon_ops : &subon_single_ops;

    st = rx__stage_new(pipe, ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->start_task, pipe, subon_start_run);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
subon_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct subon_obs *)self)->sched);
}

static const struct rx__obs_ops subon_obs_ops = {
    .assemble = subon_assemble,
    .destroy = subon_destroy,
};

rx_observable *
rx_subscribe_on_at(const rx_site *site, rx_observable *src, rx_scheduler *sched)
{
    struct subon_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (sched != NULL && !rx__sched_timed(sched)) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_subscribe_on: sched must run work on its "
                             "own thread (a loop, pool or virtual "
                             "scheduler, not the trampoline or immediate "
                             "one)");
    }
    o = rx__observable_new(site, &subon_obs_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->base.hopped = true;
    o->base.home = o->sched;
    return &o->base;
}
