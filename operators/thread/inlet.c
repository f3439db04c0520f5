/* SPDX-License-Identifier: MIT */
/*
 * The inlet: the one thread-safe way into a pipeline. Producers on any
 * thread push values into a bounded queue; one subscriber, on the inlet's
 * scheduler, takes them as it asks for them.
 *
 * The inlet object is refcounted and owns the queue. Producers hold
 * references to it, never to a stage, so a late producer can never touch
 * freed memory: the subscription attaches its stage to the inlet, and
 * detaches it, under the inlet's lock, on the subscriber's thread. Many
 * producers share the queue through that lock (a mutex: the inlet is an
 * entrance from the outside, not a hot inner path; observe_on's ring is
 * the lock-free hop). A push that makes the queue non-empty posts the
 * inlet's drain task to the attached subscriber's scheduler, once; the
 * task clears its flag first, then drains, so a push during a drain is
 * never lost. A drain takes at most what the subscriber asked for, in
 * small batches, and calls the subscriber without holding the lock.
 *
 * The subscription's stage starts like observe_on's consumer: its start
 * hook posts a start task to the scheduler with rx__pipeline_post(), and
 * only that task, on the scheduler's thread, attaches the stage. A drain
 * task enters the pipeline only while the stage is attached, which it is
 * until it is cancelled or has delivered the end, both on that thread.
 */
#include "rx-sched.h"
#include "uvrx/thread.h"

#define DRAIN_BATCH 64

/* How the inlet stands. Only OPEN accepts values. */
enum { OPEN, COMPLETED, FAILED, CANCELLED };

struct inlet_stage;

struct rx_inlet {
    atomic_long refs;
    rx_scheduler *sched; /* retained; NULL for the default scheduler */
    rx__task drain_task; /* runs on the attached stage's scheduler */
    uv_mutex_t lock;     /* guards everything below */
    rx_value *buf;       /* the queue: a circular buffer of `cap` */
    size_t cap;
    size_t head;
    size_t len;
    int state;
    rx_error *err;             /* FAILED: the error, owned */
    struct inlet_stage *stage; /* the attached subscriber, or NULL */
    rx_scheduler *worker;      /* its scheduler */
    bool ever_attached;
    bool drain_posted;
    /* The detached stage left its hold on `worker`'s loop to the queued
     * drain task, which drops it when it runs (inlet_let_go()). */
    bool unhold_pending;
};

struct inlet_obs {
    rx_observable base;
    rx_inlet *in; /* retained */
};

struct inlet_stage {
    rx__stage base;
    rx__demand d; /* cancelled: cancelled or ended */
    rx_inlet *in; /* borrowed from the observable */
    rx_scheduler *worker;
    rx__task start_task;
    bool attached;
    bool held; /* keeps the scheduler's loop alive for the producers */
};

/* ---- the inlet object -------------------------------------------------- */

rx_inlet *
rx_inlet_retain(rx_inlet *in)
{
    if (in != NULL) {
        atomic_fetch_add_explicit(&in->refs, 1, memory_order_relaxed);
    }
    return in;
}

void
rx_inlet_release(rx_inlet *in)
{
    if (in == NULL ||
        atomic_fetch_sub_explicit(&in->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (size_t i = 0; i < in->len; i++) {
        rx_value_release(in->buf[(in->head + i) % in->cap]);
    }
    rx__free(in->buf);
    rx_error_release(in->err);
    rx_scheduler_release(in->sched);
    uv_mutex_destroy(&in->lock);
    rx__free(in);
}

/* Posts the drain task to the attached subscriber, unless it is queued
 * already. Lock held. */
static void
wake_locked(rx_inlet *in)
{
    if (in->stage != NULL && !in->drain_posted) {
        in->drain_posted = true;
        rx_inlet_retain(in); /* the task's, dropped when it ran */
        rx__post(in->worker, &in->drain_task);
    }
}

int
rx_inlet_try_emit(rx_inlet *in, rx_value v)
{
    int rc = 0;

    if (in == NULL) {
        rx_value_release(v);
        return RX_EINVAL;
    }
    if (rx_is_invalid(v)) {
        return RX_ENOMEM;
    }
    uv_mutex_lock(&in->lock);
    if (in->state != OPEN) {
        rc = RX_ECANCELED;
    } else if (in->len == in->cap) {
        rc = RX_EBACKPRESSURE;
    } else {
        in->buf[(in->head + in->len) % in->cap] = v;
        if (in->len++ == 0) {
            wake_locked(in);
        }
    }
    uv_mutex_unlock(&in->lock);
    if (rc != 0) {
        rx_value_release(v); /* refused: taken all the same */
    }
    return rc;
}

/* Ends the inlet with `state` (COMPLETED or FAILED). */
static int
inlet_end(rx_inlet *in, int state, rx_error *err)
{
    int rc = 0;

    uv_mutex_lock(&in->lock);
    if (in->state != OPEN) {
        rc = RX_ECANCELED;
    } else {
        in->state = state;
        in->err = err;
        if (in->len == 0) {
            wake_locked(in);
        }
    }
    uv_mutex_unlock(&in->lock);
    if (rc != 0) {
        rx_error_release(err);
    }
    return rc;
}

int
rx_inlet_complete(rx_inlet *in)
{
    if (in == NULL) {
        return RX_EINVAL;
    }
    return inlet_end(in, COMPLETED, NULL);
}

int
rx_inlet_error(rx_inlet *in, rx_error *err)
{
    if (in == NULL || err == NULL) {
        rx_error_release(err);
        return RX_EINVAL;
    }
    return inlet_end(in, FAILED, err);
}

/* ---- the subscriber's stage -------------------------------------------- */

/* Keeps the scheduler's loop running while producers on other threads
 * may wake it (its wake-up handle is otherwise unreferenced). On the
 * scheduler's thread, as is the unhold. */
static void
inlet_hold(struct inlet_stage *st)
{
    if (!st->held) {
        st->held = true;
        rx__sched_hold(st->worker);
    }
}

static void
inlet_unhold(struct inlet_stage *st)
{
    if (st->held) {
        st->held = false;
        rx__sched_unhold(st->worker);
    }
}

/* An attached stage lets the loop go when it detaches -- unless a drain
 * task is queued: that task holds the inlet (and so its scheduler), and
 * a loop that stopped before running it would strand it, with those
 * references, in the scheduler's queue. Then the task drops the hold
 * when it runs. Scheduler's thread. */
static void
inlet_let_go(struct inlet_stage *st)
{
    rx_inlet *in = st->in;
    bool handed = false;

    if (!st->held) {
        return;
    }
    uv_mutex_lock(&in->lock);
    if (in->drain_posted && in->worker == st->worker && !in->unhold_pending) {
        in->unhold_pending = true;
        handed = true;
    }
    uv_mutex_unlock(&in->lock);
    if (handed) {
        st->held = false;
    } else {
        inlet_unhold(st);
    }
}

/* Delivers the end (queue empty, stage detached). `err` is borrowed. */
static void
inlet_deliver_end(struct inlet_stage *st, int state, const rx_error *err)
{
    st->d.cancelled = true;
    if (state == COMPLETED) {
        rx__emit_complete(&st->base);
    } else if (state == FAILED) {
        rx__emit_error(&st->base, err);
    } else {
        rx__emit_new_error(&st->base,
                           rx__error_at(rx__stage_site(&st->base), RX_ECANCELED,
                                        "rx_inlet_observable: the inlet's "
                                        "first subscriber cancelled"));
    }
}

/* One drain pass: takes up to a batch of values within demand, emits
 * them outside the lock, and delivers the end once the queue is empty. */
static bool
inlet_pass(void *self)
{
    struct inlet_stage *st = self;
    rx_inlet *in = st->in;
    rx_value batch[DRAIN_BATCH];
    rx_error *err = NULL;
    size_t n = 0;
    int64_t emitted = 0;
    int end = OPEN;

    uv_mutex_lock(&in->lock);
    if (in->len == 0 && (in->state == COMPLETED || in->state == FAILED)) {
        end = in->state;
        err = in->err != NULL ? rx_error_retain(in->err) : NULL;
        in->stage = NULL; /* detached: no more drain tasks */
        st->attached = false;
    }
    while (end == OPEN && n < DRAIN_BATCH && n < in->len &&
           (int64_t)n < st->d.requested) {
        batch[n++] = in->buf[in->head];
        in->head = (in->head + 1) % in->cap;
    }
    in->len -= n;
    uv_mutex_unlock(&in->lock);
    if (end != OPEN) {
        inlet_let_go(st);
        inlet_deliver_end(st, end, err);
        rx_error_release(err);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (st->d.cancelled) {
            rx__discard(&st->base, batch[i]);
            continue;
        }
        if (rx__emit_next(&st->base, batch[i])) {
            emitted++;
        }
        rx_value_release(batch[i]);
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    if (rx__pipeline_poll(st->base.pipe)) {
        return false;
    }
    /* Another pass if this one did something: there may be more, or the
     * end. An empty queue is woken by the next push. */
    return n > 0;
}

static void
inlet_drain(struct inlet_stage *st)
{
    if (st->attached && !st->d.cancelled) {
        rx__drain(&st->d, inlet_pass, st);
    }
}

/* Posted by a producer: on the subscriber's thread, outside any frame. */
static void
inlet_drain_run(rx__task *t)
{
    rx_inlet *in = (rx_inlet *)((char *)t - offsetof(rx_inlet, drain_task));
    struct inlet_stage *st;
    rx_scheduler *unhold = NULL;

    uv_mutex_lock(&in->lock);
    in->drain_posted = false;
    st = in->stage;
    if (in->unhold_pending) {
        in->unhold_pending = false;
        unhold = in->worker;
    }
    uv_mutex_unlock(&in->lock);
    if (st != NULL) {
        rx__pipeline *p = st->base.pipe;
        rx__frame_enter(p);
        inlet_drain(st);
        rx__frame_exit(p); /* may free the stage */
    }
    if (unhold != NULL) {
        rx__sched_unhold(unhold); /* the hold a detached stage left */
    }
    rx_inlet_release(in);
}

static void
inlet_request(rx__stage *self, int64_t n)
{
    struct inlet_stage *st = (struct inlet_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        inlet_drain(st);
    }
}

/* Lets go of the inlet: no drain task enters the pipeline after this.
 * A subscriber that goes before the end cancels the inlet for good, and
 * the values it left behind are dropped. */
static void
inlet_detach(struct inlet_stage *st)
{
    rx_inlet *in = st->in;
    size_t head = 0;
    size_t len = 0;

    if (!st->attached) {
        inlet_unhold(st);
        return;
    }
    inlet_let_go(st);
    st->attached = false;
    uv_mutex_lock(&in->lock);
    in->stage = NULL;
    if (in->state == OPEN) {
        in->state = CANCELLED;
        head = in->head;
        len = in->len;
        in->len = 0;
    }
    uv_mutex_unlock(&in->lock);
    /* No producer writes to the queue once it is CANCELLED: its values
     * can be dropped without the lock (a drop function may call back). */
    for (size_t i = 0; i < len; i++) {
        rx__discard(&st->base, in->buf[(head + i) % in->cap]);
    }
}

static void
inlet_cancel(rx__stage *self)
{
    struct inlet_stage *st = (struct inlet_stage *)self;

    st->d.cancelled = true;
    inlet_detach(st);
}

/* A subscriber cancelled before its start task could attach it. For the
 * producers it was the inlet's first subscriber all the same -- it
 * subscribed, then went -- so unless another one came first the inlet is
 * cancelled as if it had attached: producers are refused with
 * RX_ECANCELED instead of filling the queue for nobody. */
static void
inlet_abandon(struct inlet_stage *st)
{
    rx_inlet *in = st->in;

    uv_mutex_lock(&in->lock);
    if (!in->ever_attached) {
        in->ever_attached = true;
        st->attached = true; /* inlet_detach() does the rest */
    }
    uv_mutex_unlock(&in->lock);
    inlet_detach(st);
}

/* On the scheduler's thread: attach, or report why not. */
static void
inlet_start_run(rx__task *t)
{
    struct inlet_stage *st =
        (struct inlet_stage *)((char *)t -
                               offsetof(struct inlet_stage, start_task));
    rx_inlet *in = st->in;
    rx_error *err = NULL;
    int end = OPEN;
    bool busy = false;

    if (rx__pipeline_poll(st->base.pipe) || st->d.cancelled) {
        inlet_abandon(st);
        return;
    }
    rx__pipeline_bind(st->base.pipe, st->worker);
    inlet_hold(st);
    st->d.started = true;
    uv_mutex_lock(&in->lock);
    if (in->stage != NULL) {
        busy = true;
    } else if (in->ever_attached) {
        end = in->state == OPEN ? CANCELLED : in->state;
        err = in->err != NULL ? rx_error_retain(in->err) : NULL;
    } else {
        in->stage = st;
        in->worker = st->worker;
        in->ever_attached = true;
        st->attached = true;
    }
    uv_mutex_unlock(&in->lock);
    if (!st->attached) {
        inlet_unhold(st);
    }
    if (busy) {
        st->d.cancelled = true;
        rx__emit_new_error(&st->base,
                           rx__error_at(rx__stage_site(&st->base), RX_EBUSY,
                                        "rx_inlet_observable: the inlet "
                                        "has a subscriber already"));
    } else if (end != OPEN) {
        inlet_deliver_end(st, end, err);
        rx_error_release(err);
    } else {
        inlet_drain(st);
    }
}

static void
inlet_start(rx__stage *self)
{
    struct inlet_stage *st = (struct inlet_stage *)self;
    rx_scheduler *s = rx__sched_resolve(st->in->sched);

    if (s == NULL) {
        st->d.cancelled = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                              "rx_inlet_observable: cannot "
                                              "create the default "
                                              "scheduler"));
        return;
    }
    st->worker = rx__sched_pick(s);
    rx__pipeline_bind(self->pipe, st->worker);
    if (rx__sched_is_current(st->worker)) {
        inlet_hold(st); /* the start task needs the loop to run */
    }
    if (rx__pipeline_post(self->pipe, st->worker, &st->start_task) != 0) {
        st->d.cancelled = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                              "rx_inlet_observable: the "
                                              "scheduler cannot take work "
                                              "from other threads"));
    }
}

static void
inlet_teardown(rx__stage *self)
{
    inlet_detach((struct inlet_stage *)self); /* a no-op once stopped */
}

static const struct rx__stage_ops inlet_stage_ops = {
    .request = inlet_request,
    .cancel = inlet_cancel,
    .start = inlet_start,
    .teardown = inlet_teardown,
};

static int
inlet_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct inlet_stage *st;

    st = rx__stage_new(pipe, &inlet_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->in = ((struct inlet_obs *)self)->in;
    rx__task_init(&st->start_task, pipe, inlet_start_run);
    *out = &st->base;
    return 0;
}

static void
inlet_obs_destroy(rx_observable *self)
{
    rx_inlet_release(((struct inlet_obs *)self)->in);
}

static const struct rx__obs_ops inlet_obs_ops = {
    .assemble = inlet_assemble,
    .destroy = inlet_obs_destroy,
};

rx_observable *
rx_inlet_observable_at(const rx_site *site, rx_inlet *in)
{
    struct inlet_obs *o;

    if (in == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_inlet_observable: in must not be NULL");
    }
    o = rx__observable_new(site, &inlet_obs_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->in = rx_inlet_retain(in);
    return &o->base;
}

rx_inlet *
rx_inlet_new(rx_scheduler *sched, size_t capacity)
{
    rx_inlet *in;

    if (capacity == 0 || capacity > SIZE_MAX / sizeof(rx_value)) {
        return rx__fail_null(RX_EINVAL,
                             "rx_inlet_new: capacity must be greater than 0");
    }
    if (sched != NULL && !rx__sched_timed(sched)) {
        return rx__fail_null(RX_EINVAL,
                             "rx_inlet_new: sched must run work on its own "
                             "thread (a loop, pool or virtual scheduler, not "
                             "the trampoline or immediate one)");
    }
    in = rx__calloc(1, sizeof *in);
    if (in == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_inlet_new: out of memory");
    }
    in->buf = rx__malloc(capacity * sizeof *in->buf);
    if (in->buf == NULL || uv_mutex_init(&in->lock) != 0) {
        rx__free(in->buf);
        rx__free(in);
        return rx__fail_null(RX_ENOMEM, "rx_inlet_new: out of memory");
    }
    atomic_init(&in->refs, 1);
    in->cap = capacity;
    in->state = OPEN;
    in->sched = rx_scheduler_retain(sched);
    rx__task_init(&in->drain_task, NULL, inlet_drain_run);
    return in;
}
