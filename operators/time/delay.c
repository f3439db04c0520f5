/* SPDX-License-Identifier: MIT */
/*
 * delay and delay_subscription: shift a stream, or its start, later in
 * time.
 *
 * delay keeps the items waiting in a ring, each with its due time. Since
 * the delay is the same for every item and the clock never goes back,
 * the ring is in due order, so one scheduler task, due when the oldest
 * item is, serves them all: each run emits every item that is due, then
 * reschedules itself for the next one. The completion waits behind the
 * items, with its own due time; an error goes down at once and drops
 * what waits (RxJava's delay with delayError false). Demand passes
 * straight to the upstream, so the ring never holds more than was
 * requested.
 *
 * delay_subscription subscribes its upstream -- assembles and starts
 * it -- only when its task runs, as RxJava's does: what the upstream
 * decides at subscription (a connectable's current connection, a defer's
 * observable) is decided then. Requests made before that are kept here
 * and passed on after the assembly. A cancel (or a failure) before then
 * leaves the upstream alone: for it the subscription never happened.
 */
#include <stddef.h>

#include "time-internal.h"

struct delay_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default */
    int64_t ms;
};

struct delay_item {
    uint64_t due;
    rx_value v; /* owned */
};

struct delay_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched;    /* resolved at assembly; borrowed */
    struct delay_item *buf; /* ring of waiting items, in due order */
    size_t cap;             /* a power of two, or 0 */
    size_t head;
    size_t len;
    uint64_t complete_due; /* when complete_pending */
    bool complete_pending; /* the upstream completed */
    bool emitting;         /* delay_emit_due() is on the stack */
    bool done;             /* a terminal signal went down, or cancelled */
};

static struct delay_stage *
from_task(rx__task *t)
{
    return (struct delay_stage *)(void *)((char *)t -
                                          offsetof(struct delay_stage, task));
}

/* Appends an item (taken); RX_ENOMEM (having released it) on failure. */
static int
delay_push(struct delay_stage *st, uint64_t due, rx_value v)
{
    if (st->len == st->cap) {
        size_t ncap = st->cap == 0 ? 8 : st->cap * 2;
        struct delay_item *nbuf;

        nbuf = ncap <= SIZE_MAX / sizeof *nbuf ? rx__malloc(ncap * sizeof *nbuf)
                                               : NULL;
        if (nbuf == NULL) {
            rx_value_release(v);
            return RX_ENOMEM;
        }
        for (size_t i = 0; i < st->len; i++) {
            nbuf[i] = st->buf[(st->head + i) & (st->cap - 1)];
        }
        rx__free(st->buf);
        st->buf = nbuf;
        st->cap = ncap;
        st->head = 0;
    }
    st->buf[(st->head + st->len) & (st->cap - 1)] =
        (struct delay_item){.due = due, .v = v};
    st->len++;
    return 0;
}

static rx_value
delay_pop(struct delay_stage *st)
{
    rx_value v = st->buf[st->head].v;

    st->head = (st->head + 1) & (st->cap - 1);
    st->len--;
    return v;
}

/* Drops every waiting item through the discard path, and the ring. */
static void
delay_clear(struct delay_stage *st)
{
    while (st->len > 0) {
        rx__discard(&st->base, delay_pop(st));
    }
    rx__free(st->buf);
    st->buf = NULL;
    st->cap = 0;
    st->head = 0;
}

/* Stops everything and signals `err` (taken) downstream. */
static void
delay_fail(struct delay_stage *st, rx_error *err)
{
    st->done = true;
    rx__unschedule(&st->task);
    delay_clear(st);
    rx__emit_new_error(&st->base, err);
}

/* Schedules the task `due` (absolute time); failure fails the stream. */
static void
delay_schedule_at(struct delay_stage *st, uint64_t due)
{
    uint64_t now = rx_scheduler_now(st->sched);
    int64_t wait = due > now ? (int64_t)(due - now) : 0;
    int rc = rx__schedule(st->sched, &st->task, wait);

    if (rc < 0) {
        rx__cancel_up(&st->base);
        delay_fail(st, rx__time_oom(&st->base));
    }
}

/* Emits what is due, then the completion if it is due and nothing waits,
 * then schedules the next run. Items the upstream emits meanwhile (a
 * request from inside on_next) join the ring and are handled here too. */
static void
delay_emit_due(struct delay_stage *st)
{
    uint64_t now = rx_scheduler_now(st->sched);

    st->emitting = true;
    while (!st->done && st->len > 0 && st->buf[st->head].due <= now) {
        rx_value v = delay_pop(st);
        bool consumed = rx__emit_next(&st->base, v);

        rx_value_release(v);
        if (!consumed && !st->done) {
            /* Dropped downstream: the demand it was sent for is still
             * open, so ask the upstream for one in its place. */
            rx__request_up(&st->base, 1);
        }
    }
    st->emitting = false;
    if (st->done) {
        return;
    }
    if (st->len > 0) {
        delay_schedule_at(st, st->buf[st->head].due);
    } else if (st->complete_pending && st->complete_due <= now) {
        st->done = true;
        rx__emit_complete(&st->base);
    } else if (st->complete_pending) {
        delay_schedule_at(st, st->complete_due);
    }
}

static void
delay_run(rx__task *t)
{
    struct delay_stage *st = from_task(t);

    if (!st->done) {
        delay_emit_due(st);
    }
}

static bool
delay_on_next(rx__stage *self, rx_value v)
{
    struct delay_stage *st = (struct delay_stage *)self;
    uint64_t due;

    if (st->done) {
        return true;
    }
    due = rx_scheduler_now(st->sched) +
          (uint64_t)((struct delay_obs *)self->obs)->ms;
    if (delay_push(st, due, rx_value_retain(v)) < 0) {
        rx__cancel_up(self);
        delay_fail(st, rx__time_oom(self));
        return true;
    }
    if (st->len == 1 && !st->emitting) {
        delay_schedule_at(st, due);
    }
    return true;
}

static void
delay_on_error(rx__stage *self, const rx_error *err)
{
    struct delay_stage *st = (struct delay_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    delay_fail(st, rx_error_retain(err));
}

static void
delay_on_complete(rx__stage *self)
{
    struct delay_stage *st = (struct delay_stage *)self;

    if (st->done) {
        return;
    }
    st->complete_pending = true;
    st->complete_due = rx_scheduler_now(st->sched) +
                       (uint64_t)((struct delay_obs *)self->obs)->ms;
    if (st->len == 0 && !st->emitting) {
        delay_schedule_at(st, st->complete_due);
    }
}

static void
delay_request(rx__stage *self, int64_t n)
{
    struct delay_stage *st = (struct delay_stage *)self;

    if (!st->done) {
        rx__request_up(self, n);
    }
}

static void
delay_cancel(rx__stage *self)
{
    struct delay_stage *st = (struct delay_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    delay_clear(st);
    rx__cancel_up(self);
}

static void
delay_start(rx__stage *self)
{
    struct delay_stage *st = (struct delay_stage *)self;
    rx_error *err;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        rx__cancel_up(self);
        delay_fail(st, err);
        return;
    }
    rx__stage_start(self->up);
}

static void
delay_teardown(rx__stage *self)
{
    struct delay_stage *st = (struct delay_stage *)self;

    rx__unschedule(&st->task);
    delay_clear(st);
}

static const struct rx__stage_ops delay_stage_ops = {
    .on_next = delay_on_next,
    .on_error = delay_on_error,
    .on_complete = delay_on_complete,
    .request = delay_request,
    .cancel = delay_cancel,
    .start = delay_start,
    .teardown = delay_teardown,
};

/* ---- delay_subscription ------------------------------------------------ */

struct delay_sub_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    bool done;           /* cancelled or failed before the start */
    bool up_started;     /* the upstream was assembled and started */
    int64_t early;       /* demand asked before that */
};

static void
delay_sub_run(rx__task *t)
{
    struct delay_sub_stage *st =
        (struct delay_sub_stage *)(void *)((char *)t -
                                           offsetof(struct delay_sub_stage,
                                                    task));

    rx__stage *self = &st->base;
    int rc;

    if (st->done) {
        return;
    }
    rc = rx__assemble(self->obs->src, self->pipe, self, &self->up);
    if (rc < 0) {
        rx__stage_free_chain(self->up);
        self->up = NULL;
        st->done = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), rc,
                                              "%s: cannot subscribe the "
                                              "source: %s",
                                              rx__stage_site(self)->name,
                                              rx_strerror(rc)));
        return;
    }
    st->up_started = true;
    if (st->early > 0) {
        rx__request_up(self, st->early);
    }
    rx__stage_start(self->up);
}

static void
delay_sub_request(rx__stage *self, int64_t n)
{
    struct delay_sub_stage *st = (struct delay_sub_stage *)self;

    if (st->done) {
        return;
    }
    if (!st->up_started) {
        st->early = rx__demand_add(st->early, n);
        return;
    }
    rx__request_up(self, n);
}

static void
delay_sub_cancel(rx__stage *self)
{
    struct delay_sub_stage *st = (struct delay_sub_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    /* An upstream never started has seen nothing: it is not told either,
     * so for it the subscription never happened. */
    if (st->up_started) {
        rx__cancel_up(self);
    }
}

static void
delay_sub_start(rx__stage *self)
{
    struct delay_sub_stage *st = (struct delay_sub_stage *)self;
    const struct delay_obs *o = (const struct delay_obs *)self->obs;
    rx_error *err;
    int rc;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        st->done = true;
        rx__emit_new_error(self, err);
        return;
    }
    rc = rx__schedule(st->sched, &st->task, o->ms);
    if (rc < 0) {
        st->done = true;
        rx__emit_new_error(self, rx__time_oom(self));
    }
}

static void
delay_sub_teardown(rx__stage *self)
{
    struct delay_sub_stage *st = (struct delay_sub_stage *)self;

    rx__unschedule(&st->task);
}

static bool
delay_sub_on_next(rx__stage *self, rx_value v)
{
    return rx__emit_next(self, v);
}

static const struct rx__stage_ops delay_sub_stage_ops = {
    .on_next = delay_sub_on_next,
    .on_error = rx__stage_pass_error,
    .on_complete = rx__stage_pass_complete,
    .request = delay_sub_request,
    .cancel = delay_sub_cancel,
    .start = delay_sub_start,
    .teardown = delay_sub_teardown,
};

/* ---- observables ------------------------------------------------------- */

static int
delay_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    const struct delay_obs *o = (const struct delay_obs *)self;
    struct delay_stage *st;

    st = rx__stage_new(pipe, &delay_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, delay_run);
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static int
delay_sub_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                   rx__stage **out)
{
    const struct delay_obs *o = (const struct delay_obs *)self;
    struct delay_sub_stage *st;

    st = rx__stage_new(pipe, &delay_sub_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, delay_sub_run);
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    return st->sched != NULL ? 0 : RX_ENOMEM; /* the upstream: later */
}

static void
delay_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct delay_obs *)self)->sched);
}

static const struct rx__obs_ops delay_ops = {
    .assemble = delay_assemble,
    .destroy = delay_destroy,
};

static const struct rx__obs_ops delay_sub_ops = {
    .assemble = delay_sub_assemble,
    .destroy = delay_destroy,
};

static rx_observable *
delay_new(const rx_site *site, const struct rx__obs_ops *ops, const char *fn,
          rx_observable *src, int64_t ms, rx_scheduler *sched)
{
    struct delay_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (!rx__time_args_ok(fn, "delay_ms", ms, 0, sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->ms = ms;
    return &o->base;
}

rx_observable *
rx_delay_at(const rx_site *site, rx_observable *src, int64_t delay_ms,
            rx_scheduler *sched)
{
    return delay_new(site, &delay_ops, "rx_delay", src, delay_ms, sched);
}

rx_observable *
rx_delay_subscription_at(const rx_site *site, rx_observable *src,
                         int64_t delay_ms, rx_scheduler *sched)
{
    return delay_new(site, &delay_sub_ops, "rx_delay_subscription", src,
                     delay_ms, sched);
}
