/* SPDX-License-Identifier: MIT */
/*
 * observe_on: the upstream runs as a pipeline of its own (the inner
 * pipeline) and hands its items to the subscriber's thread through a
 * bounded single-producer/single-consumer ring (src/ring.c).
 *
 * Two sides share one refcounted hop (hop-internal.h; the producer's
 * half is in hop.c):
 * - the producer is the inner pipeline's observer. Its callbacks run on
 *   whatever thread the upstream emits on (a synchronous source emits on
 *   the thread that requests from it); they write items into the ring,
 *   publish once per call, and wake the consumer only when the ring went
 *   from empty, with the consumer asleep, to non-empty. The completion or
 *   error goes into the ring as a marker, after the items.
 * - the consumer is this stage, on the scheduler's thread. A drain pass
 *   emits items within downstream demand, commits its ring index once,
 *   and asks the upstream for `limit = prefetch - prefetch / 4` more each
 *   time that many items were taken (RxJava's replenishing).
 *
 * Where calls into the inner pipeline run. The inner pipeline is
 * subscribed in this stage's start hook, on the subscribing thread,
 * inside the outer pipeline's frame; the stage's first drain is a start
 * task posted with rx__pipeline_post(), so it runs on the consumer only
 * after the subscribing thread has left. After that:
 * - an inner pipeline bound to a loop scheduler on another thread (it was
 *   moved by subscribe_on, or a timer runs it) gets its requests through
 *   a request task posted to that scheduler (the amount accumulates while
 *   the task is on its way), and its cancel through rx_cancel()'s
 *   cross-thread path;
 * - an unbound inner pipeline (a synchronous source) is called directly
 *   from the consumer thread, which thereby becomes its owner. Calls are
 *   serialised: the subscribing thread's calls all happened before the
 *   start task was posted, and every later call comes from the consumer
 *   thread, where the producer then runs too.
 *
 * Lifetimes. The hop lives until its last reference goes: the stage's
 * (dropped in teardown), the producer's (dropped in the inner observer's
 * on_finally), and one per queued task. Its lock guards two hand-offs:
 * `detached` (the consumer stopped: the producer posts no more drain
 * tasks, so nothing touches the consumer's scheduler after the
 * subscriber's on_finally) and `inner_done` (the inner pipeline finished
 * and its handle is gone: the consumer sends it nothing more). Neither
 * side calls into the other's pipeline while holding the lock.
 */
#include "hop-internal.h"
#include "uvrx/thread.h"

#define DEFAULT_PREFETCH 128
#define OBSON_BATCH 64 /* items per on_next_batch call, at most */
#define MAX_PREFETCH ((int64_t)1 << 24)

struct obson_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default scheduler */
    int64_t prefetch;
};

struct obson_stage {
    rx__stage base;
    rx__demand d; /* downstream demand; cancelled also after a terminal */
    rx__hop *hop;
    rx__task start_task; /* the first drain, on the consumer */
    int64_t consumed;    /* items taken since the last replenishment */
    int64_t limit;       /* replenish this many at a time */
    bool held;           /* keeps the consumer's loop alive */
};

/* ---- the consumer: this stage, on the scheduler's thread -------------- */

/* Takes the longest run of scalar items (no heap value, no terminal
 * marker) at the head of the ring into `run`, within the `avail`
 * published items, the downstream demand `want` and what is left until
 * the next replenishment. Returns how many (0: the head is something
 * else, or nothing may go). */
static size_t
obson_take_run(struct obson_stage *st, rx_value run[OBSON_BATCH], size_t avail,
               int64_t want)
{
    rx__ring *r = &st->hop->ring;
    size_t max = avail < OBSON_BATCH ? avail : OBSON_BATCH;
    size_t k = 0;

    if (want < (int64_t)max) {
        max = want > 0 ? (size_t)want : 0;
    }
    if (st->limit - st->consumed < (int64_t)max) {
        max = (size_t)(st->limit - st->consumed);
    }
    while (k < max) {
        rx_value v = rx__ring_peek(r);
        if (RX_VALUE_IS_HEAP(v) || rx__hop_is_marker(v)) {
            break;
        }
        run[k++] = rx__ring_take(r);
    }
    return k;
}

/* The consumer stops for good: no drain task is posted after this. */
static void
obson_detach(struct obson_stage *st)
{
    rx__hop *h = st->hop;

    uv_mutex_lock(&h->lock);
    h->detached = true;
    h->stage = NULL;
    uv_mutex_unlock(&h->lock);
    if (st->held) {
        st->held = false; /* on the consumer's thread, which held it */
        rx__sched_unhold(h->consumer);
    }
}

/* Keeps the consumer's loop running while the producer may post to it
 * (its wake-up handle is otherwise unreferenced). Consumer thread. */
static void
obson_hold(struct obson_stage *st)
{
    if (!st->held) {
        st->held = true;
        rx__sched_hold(st->hop->consumer);
    }
}

static void
obson_terminate(struct obson_stage *st, rx_value mark)
{
    st->d.cancelled = true;
    obson_detach(st);
    if (mark.reserved == RX__HOP_ERROR) {
        rx__emit_new_error(&st->base, mark.as.p);
    } else {
        rx__emit_complete(&st->base);
    }
}

/* One drain pass: emits what demand allows, delivers a marker that comes
 * up (no demand needed), commits the ring index, and goes to sleep when
 * the ring is empty. Returns true to be called again. */
static bool
obson_pass(void *self)
{
    struct obson_stage *st = self;
    rx__hop *h = st->hop;
    rx__ring *r = &h->ring;
    int64_t emitted = 0;
    int64_t polled = 0;
    bool batch = rx__stage_wants_batch(st->base.down);
    rx_value run[OBSON_BATCH]; /* a run of scalars for a batch downstream */
    size_t avail;

    while ((avail = rx__ring_avail(r)) > 0) {
        rx_value v;

        if (batch) {
            size_t k =
                obson_take_run(st, run, avail, st->d.requested - emitted);
            if (k > 0) {
                st->base.down->ops->on_next_batch(st->base.down, run, k);
                emitted += (int64_t)k;
                if (st->d.cancelled) {
                    return false; /* the cancel released the ring */
                }
                st->consumed += (int64_t)k;
                if (st->consumed == st->limit) {
                    st->consumed = 0;
                    rx__ring_commit(r);
                    rx__hop_request(h, st->limit);
                }
                polled += (int64_t)k;
                if (polled >= 1024) {
                    polled = 0;
                    if (rx__pipeline_poll(st->base.pipe)) {
                        return false;
                    }
                }
                continue;
            }
        }
        v = rx__ring_peek(r);

        if (rx__hop_is_marker(v)) {
            rx__ring_take(r);
            rx__ring_commit(r);
            st->d.requested = rx__demand_sub(st->d.requested, emitted);
            obson_terminate(st, v);
            return false;
        }
        if (emitted >= st->d.requested) {
            break;
        }
        rx__ring_take(r);
        if (rx__emit_next(&st->base, v)) {
            emitted++;
        }
        rx_value_release(v);
        if (st->d.cancelled) {
            return false; /* the cancel released the ring */
        }
        if (++st->consumed == st->limit) {
            st->consumed = 0;
            rx__ring_commit(r); /* the slots first: the new items need them */
            rx__hop_request(h, st->limit);
        }
        if (++polled >= 1024) {
            polled = 0;
            if (rx__pipeline_poll(st->base.pipe)) {
                return false;
            }
        }
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    if (rx__pipeline_poll(st->base.pipe)) {
        return false;
    }
    if (rx__ring_avail(r) > 0) {
        /* Items wait for demand; a request from downstream resumes. */
        rx__ring_commit(r);
        return st->d.requested > 0 || rx__hop_is_marker(rx__ring_peek(r));
    }
    /* Empty: sleep, unless items arrived meanwhile. */
    return !rx__ring_sleep(r);
}

static void
obson_drain(struct obson_stage *st)
{
    if (st->d.started && !st->d.cancelled) {
        rx__drain(&st->d, obson_pass, st);
    }
}

/* Posted by the producer: runs on the consumer thread, outside any frame;
 * enters the pipeline only while the stage is attached (then the stage,
 * and so the pipeline, are alive: they go on this thread). */
static void
drain_run(rx__task *t)
{
    rx__hop *h = (rx__hop *)((char *)t - offsetof(rx__hop, drain_task));
    struct obson_stage *st;

    uv_mutex_lock(&h->lock);
    h->drain_posted = false;
    st = h->stage;
    uv_mutex_unlock(&h->lock);
    if (st != NULL) {
        rx__pipeline *p = st->base.pipe;
        rx__frame_enter(p);
        obson_drain(st);
        rx__frame_exit(p); /* may free the stage */
    }
    rx__hop_release(h);
}

static void
obson_request(rx__stage *self, int64_t n)
{
    struct obson_stage *st = (struct obson_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        obson_drain(st);
    }
}

static void
obson_cancel(rx__stage *self)
{
    struct obson_stage *st = (struct obson_stage *)self;
    rx__hop *h = st->hop;

    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    atomic_store_explicit(&h->cancelled, true, memory_order_relaxed);
    obson_detach(st);
    rx__hop_cancel_inner(h);
    /* The published items are the consumer's to release; the rest go
     * with the hop. */
    while (rx__ring_avail(&h->ring) > 0) {
        rx__hop_drop_slot(self, rx__ring_take(&h->ring));
    }
    rx__ring_commit(&h->ring);
}

/* The first drain, on the consumer's thread. */
static void
obson_start_run(rx__task *t)
{
    struct obson_stage *st =
        (struct obson_stage *)((char *)t -
                               offsetof(struct obson_stage, start_task));
    rx__hop *h = st->hop;

    if (rx__pipeline_poll(st->base.pipe) || st->d.cancelled) {
        return;
    }
    rx__pipeline_bind(st->base.pipe, h->consumer);
    obson_hold(st);
    st->d.started = true;
    uv_mutex_lock(&h->lock);
    h->drain_posted = false; /* the producer may wake us from now on */
    uv_mutex_unlock(&h->lock);
    obson_drain(st);
}

static void
obson_fail(struct obson_stage *st, int code, const char *what)
{
    const rx_site *site = rx__stage_site(&st->base);

    st->d.cancelled = true;
    obson_detach(st);
    rx__emit_new_error(&st->base,
                       rx__error_at(site, code, "rx_observe_on: %s", what));
}

/* On the subscribing thread: subscribe the upstream, then hand the
 * stage over to the consumer's thread. */
static void
obson_start(rx__stage *self)
{
    struct obson_stage *st = (struct obson_stage *)self;
    const struct obson_obs *o = (const struct obson_obs *)self->obs;
    rx__hop *h = st->hop;
    rx_scheduler *s = rx__sched_resolve(o->sched);
    rx_observer observer;
    int rc;

    if (s == NULL) {
        obson_fail(st, RX_ENOMEM, "cannot create the default scheduler");
        return;
    }
    h->consumer = rx__sched_pick(s);
    rx__pipeline_bind(self->pipe, h->consumer);
    if (rx__sched_is_current(h->consumer)) {
        obson_hold(st); /* the start task needs the loop to run */
    }
    uv_mutex_lock(&h->lock);
    h->drain_posted = true; /* until the start task ran: it drains first */
    uv_mutex_unlock(&h->lock);
    rx__hop_retain(h); /* the producer's, dropped in producer_finally */
    observer = rx__hop_producer;
    observer.ctx = h;
    rc = rx_subscribe(o->base.src, &observer, &h->inner);
    if (rc < 0) {
        rx__hop_release(h); /* no callback ran: no on_finally either */
        uv_mutex_lock(&h->lock);
        h->inner_done = true;
        uv_mutex_unlock(&h->lock);
        obson_fail(st, rc, "cannot subscribe to the upstream");
        return;
    }
    if (st->d.cancelled) {
        return; /* cancelled while subscribing */
    }
    rc = rx__pipeline_post(self->pipe, h->consumer, &st->start_task);
    if (rc != 0) {
        rx__hop_cancel_inner(h);
        obson_fail(st, rc,
                   "the scheduler cannot take work from other "
                   "threads");
    }
}

static void
obson_teardown(rx__stage *self)
{
    struct obson_stage *st = (struct obson_stage *)self;

    if (st->hop == NULL) {
        return; /* assembly failed half way */
    }
    if (!st->d.cancelled) {
        obson_cancel(self); /* cannot happen: a stopped pipeline */
    }
    obson_detach(st);
    rx__hop_release(st->hop);
    st->hop = NULL;
}

static const struct rx__stage_ops obson_ops = {
    .request = obson_request,
    .cancel = obson_cancel,
    .start = obson_start,
    .teardown = obson_teardown,
};

static int
obson_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    const struct obson_obs *o = (const struct obson_obs *)self;
    struct obson_stage *st;

    st = rx__stage_new(pipe, &obson_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    st->hop = rx__hop_new(o->prefetch, drain_run);
    if (st->hop == NULL) {
        rx__set_last_error(RX_ENOMEM, "rx_observe_on: out of memory");
        return RX_ENOMEM;
    }
    st->hop->stage = st;
    st->limit = o->prefetch - o->prefetch / 4;
    rx__task_init(&st->start_task, pipe, obson_start_run);
    return 0; /* the upstream is a pipeline of its own, made at start */
}

static void
obson_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct obson_obs *)self)->sched);
}

static const struct rx__obs_ops obson_obs_ops = {
    .assemble = obson_assemble,
    .destroy = obson_destroy,
};

rx_observable *
rx_observe_on_at(const rx_site *site, rx_observable *src, rx_scheduler *sched,
                 int64_t prefetch)
{
    struct obson_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (sched != NULL && !rx__sched_timed(sched)) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_observe_on: sched must run work on its own "
                             "thread (a loop, pool or virtual scheduler, not "
                             "the trampoline or immediate one)");
    }
    if (prefetch < 0 || prefetch > MAX_PREFETCH) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_observe_on: prefetch must be 0 to 2^24");
    }
    o = rx__observable_new(site, &obson_obs_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->prefetch = prefetch == 0 ? DEFAULT_PREFETCH : prefetch;
    o->base.hopped = true;
    o->base.home = o->sched;
    return &o->base;
}

/* The scheduler of the calling thread, for an input that signals on
 * another: the one the pipeline is bound to when that runs here (a loop,
 * a pool worker, a virtual scheduler), else the default scheduler when
 * this is its thread. NULL when the thread has none of them. */
static rx_scheduler *
sched_here(rx__pipeline *pipe)
{
    rx_scheduler *s = atomic_load(&pipe->owner_sched);

    if (s != NULL && rx__sched_is_current(s)) {
        return s;
    }
    s = rx__sched_resolve(NULL);
    return s != NULL && rx__sched_is_current(s) ? s : NULL;
}

rx_observable *
rx__input_here(rx__pipeline *pipe, rx_observable *src, int64_t prefetch,
               const rx_site *site)
{
    rx_scheduler *from;
    rx_scheduler *here;

    if (!src->hopped) {
        return src; /* the single-thread path: nothing to mark */
    }
    from = rx__sched_resolve(src->home);
    if (from != NULL && rx__sched_is_current(from)) {
        return src;
    }
    here = sched_here(pipe);
    if (here == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "%s: an input signals on another thread and "
                             "the subscribing thread runs no loop "
                             "scheduler to receive it; subscribe from a "
                             "loop or pool thread",
                             site->name);
    }
    if (prefetch < 1 || prefetch > MAX_PREFETCH) {
        prefetch = 0;
    }
    return rx_observe_on_at(site, src, here, prefetch);
}
