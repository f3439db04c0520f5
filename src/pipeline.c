/* SPDX-License-Identifier: MIT */
/*
 * The pipeline object (what users hold as an rx_subscription), its
 * lifetime, and the sink stage that delivers signals to the observer.
 *
 * Lifetime. A pipeline counts three things in one atomic: the user handle,
 * "running" (until a terminal signal or a cancel has been processed) and
 * active frames (every entry: subscribe, request, cancel, dispose, loop
 * callbacks). Work that must not happen while a callback may be on the
 * stack -- on_finally, freeing retired stages, freeing the pipeline -- runs
 * when the outermost frame exits. Once the pipeline stops running its
 * stages are freed at that point too, so a finished subscription whose
 * handle is kept costs only the pipeline struct.
 */
#include "rx-sched.h"

/* ---- stages ----------------------------------------------------------- */

static void
list_push(rx__stage **head, rx__stage *s)
{
    s->prev = NULL;
    s->next = *head;
    if (*head != NULL) {
        (*head)->prev = s;
    }
    *head = s;
}

static void
list_unlink(rx__stage **head, rx__stage *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        *head = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->prev = s->next = NULL;
}

void *
rx__stage_new(rx__pipeline *pipe, const struct rx__stage_ops *ops, size_t size,
              rx_observable *obs, rx__stage *down)
{
    rx__stage *s;

    assert(size >= sizeof *s);
    s = rx__calloc(1, size);
    if (s == NULL) {
        return rx__fail_null(RX_ENOMEM, "%s: out of memory",
                             obs != NULL ? obs->site.name : "rx_subscribe");
    }
    s->ops = ops;
    s->down = down;
    s->pipe = pipe;
    s->obs = rx_observable_retain(obs);
    list_push(&pipe->stages, s);
    return s;
}

static void
stage_destroy(rx__stage *s)
{
    if (s->ops->teardown != NULL) {
        s->ops->teardown(s);
    }
    rx_observable_release(s->obs);
    rx__free(s);
}

static bool
in_list(rx__stage *head, const rx__stage *s)
{
    /* Used only to decide which list a stage is on: stages are on the
     * graveyard rarely and briefly. */
    for (; head != NULL; head = head->next) {
        if (head == s) {
            return true;
        }
    }
    return false;
}

void
rx__stage_free_chain(rx__stage *s)
{
    if (s != NULL && s->pipe->posts > 0) {
        /* A task posted with rx__pipeline_post() may live in one of these
         * stages (observe_on's start, an offload's completion) and has
         * not run yet: the stages wait in the graveyard, which is emptied
         * once every such task ran. */
        for (; s != NULL; s = s->up) {
            rx__pipeline *p = s->pipe;
            if (p->graveyard == NULL || !in_list(p->graveyard, s)) {
                list_unlink(&p->stages, s);
                list_push(&p->graveyard, s);
            }
        }
        return;
    }
    while (s != NULL) {
        rx__stage *up = s->up;
        rx__pipeline *p = s->pipe;
        if (p->graveyard != NULL && in_list(p->graveyard, s)) {
            list_unlink(&p->graveyard, s);
        } else {
            list_unlink(&p->stages, s);
        }
        stage_destroy(s);
        s = up;
    }
}

/* ---- the dead end ------------------------------------------------------ */

/* Where a stage's signals go once it has sent its terminal signal
 * (rx__emit_complete and rx__emit_error point its `down` here). Anything
 * it still sends breaks the protocol (a broken source): items are dropped
 * (the sender releases them), a completion is ignored, and an error goes
 * to the undeliverable handler, once, since it has nowhere else to go.
 * Without this, a receiver that has moved on to another source (concat,
 * repeat, retry, switch_map) would take the old source's late signals for
 * the new one's. */
static bool
dead_on_next(rx__stage *self, rx_value v)
{
    (void)self;
    (void)v;
    return true;
}

static void
dead_on_error(rx__stage *self, const rx_error *err)
{
    (void)self;
    rx__undeliverable(err);
}

static void
dead_on_complete(rx__stage *self)
{
    (void)self;
}

static void
dead_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static const struct rx__stage_ops dead_ops = {
    .on_next = dead_on_next,
    .on_error = dead_on_error,
    .on_complete = dead_on_complete,
    .request = dead_request,
    .cancel = rx__stage_pass_cancel,
};

/* Shared by every pipeline and thread: it has no state, and nothing
 * writes to it (docs/design/misbehaving-sources.md). */
rx__stage rx__dead_end = {.ops = &dead_ops};

void
rx__stage_retire_chain(rx__stage *s)
{
    for (; s != NULL; s = s->up) {
        rx__pipeline *p = s->pipe;
        list_unlink(&p->stages, s);
        list_push(&p->graveyard, s);
    }
}

static void
free_list(rx__stage **head)
{
    while (*head != NULL) {
        rx__stage *s = *head;
        list_unlink(head, s);
        stage_destroy(s);
    }
}

void
rx__stage_start(rx__stage *s)
{
    if (s == NULL) {
        return;
    }
    if (s->ops->start != NULL) {
        s->ops->start(s);
    } else {
        rx__stage_start(s->up);
    }
}

void
rx__emit_new_error(rx__stage *self, rx_error *err)
{
    rx__emit_error(self, err);
    rx_error_release(err);
}

void
rx__stage_pass_request(rx__stage *self, int64_t n)
{
    rx__request_up(self, n);
}

void
rx__stage_pass_cancel(rx__stage *self)
{
    rx__cancel_up(self);
}

void
rx__stage_pass_error(rx__stage *self, const rx_error *err)
{
    rx__emit_error(self, err);
}

void
rx__stage_pass_complete(rx__stage *self)
{
    rx__emit_complete(self);
}

/* ---- the sink --------------------------------------------------------- */

/* Marks the pipeline stopped; always inside a frame, so the count cannot
 * reach zero here. */
static void
stop_running(rx__pipeline *p)
{
    if (p->running) {
        p->running = false;
        atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel);
    }
}

/* An item arrived beyond the subscriber's demand: a source or operator
 * broke rule 1 (reactive streams 1.1). The upstream is cancelled and the
 * subscriber gets RX_EBACKPRESSURE naming the last stage, instead of an
 * item it did not ask for. */
/* The site of the stage right above the sink, or NULL. */
static const rx_site *
sink_up_site(const rx__pipeline *p)
{
    return p->sink.up != NULL && p->sink.up->obs != NULL
               ? rx__stage_site(p->sink.up)
               : NULL;
}

/* Ends the pipeline with err (taken): upstream cancelled, err to the
 * observer's on_error or, without one, to the undeliverable handler. */
static void
sink_fail(rx__pipeline *p, rx_error *err)
{
    p->done = true;
    stop_running(p);
    rx__cancel_up(&p->sink);
    if (p->observer.on_error != NULL) {
        p->observer.on_error(err, p->observer.ctx);
    } else {
        rx__undeliverable(err);
    }
    rx_error_release(err);
}

static void
sink_overflow(rx__pipeline *p)
{
    const rx_site *site = sink_up_site(p);

    sink_fail(p, rx__error_at(site, RX_EBACKPRESSURE,
                              "%s: an item arrived beyond the subscriber's "
                              "demand (reactive streams rule 1.1)",
                              site != NULL ? site->name : "rx_subscribe"));
}

/* A heap item (string, bytes, array, error, observable) reached an
 * observer that has only on_next_batch, which takes scalars: rather than
 * drop it, the stream fails. */
static void
sink_heap_to_batch_only(rx__pipeline *p)
{
    const rx_site *site = sink_up_site(p);

    sink_fail(p, rx__error_at(site, RX_EINVAL,
                              "%s: a heap item (string, bytes, array, ...) "
                              "reached an observer with on_next_batch only; "
                              "batches carry scalars: set on_next",
                              site != NULL ? site->name : "rx_subscribe"));
}

static bool
sink_on_next(rx__stage *self, rx_value v)
{
    rx__pipeline *p = (rx__pipeline *)self;

    if (RX__UNLIKELY(p->done || p->cancelled)) {
        return false;
    }
    if (RX__UNLIKELY(p->demand != RX_UNBOUNDED)) {
        if (p->demand == 0) {
            sink_overflow(p);
            return false;
        }
        p->demand--;
    }
    if (p->observer.on_next != NULL) {
        p->observer.on_next(v, p->observer.ctx);
    } else if (p->observer.on_next_batch != NULL) {
        if (RX_VALUE_IS_HEAP(v)) {
            sink_heap_to_batch_only(p);
            return false;
        }
        /* A batch-only observer still gets single items, as batches of
         * one. */
        rx_value one = v;
        p->observer.on_next_batch(&one, 1, p->observer.ctx);
    }
    return true;
}

static void
sink_on_next_batch(rx__stage *self, rx_value *vals, size_t n)
{
    rx__pipeline *p = (rx__pipeline *)self;
    bool overflow = false;

    if (p->done || p->cancelled) {
        return;
    }
    if (p->demand != RX_UNBOUNDED) {
        if ((uint64_t)n > (uint64_t)p->demand) {
            n = (size_t)p->demand;
            overflow = true;
        }
        p->demand -= (int64_t)n;
    }
    if (p->observer.on_next_batch != NULL) {
        if (n > 0) {
            p->observer.on_next_batch(vals, n, p->observer.ctx);
        }
    } else {
        for (size_t i = 0; i < n && !p->cancelled; i++) {
            if (p->observer.on_next != NULL) {
                p->observer.on_next(vals[i], p->observer.ctx);
            }
        }
    }
    if (overflow && !p->done && !p->cancelled) {
        sink_overflow(p);
    }
}

static void
sink_on_error(rx__stage *self, const rx_error *err)
{
    rx__pipeline *p = (rx__pipeline *)self;

    if (p->done || p->cancelled) {
        rx__undeliverable(err); /* rule 3: never a second terminal */
        return;
    }
    p->done = true;
    stop_running(p);
    if (p->observer.on_error != NULL) {
        p->observer.on_error(err, p->observer.ctx);
    } else {
        rx__undeliverable(err);
    }
}

static void
sink_on_complete(rx__stage *self)
{
    rx__pipeline *p = (rx__pipeline *)self;

    if (p->done || p->cancelled) {
        return;
    }
    p->done = true;
    stop_running(p);
    if (p->observer.on_complete != NULL) {
        p->observer.on_complete(p->observer.ctx);
    }
}

bool
rx__stage_wants_batch(const rx__stage *down)
{
    if (down->ops == &rx__sink_ops) {
        return down->pipe->observer.on_next_batch != NULL;
    }
    return down->ops->on_next_batch != NULL;
}

const struct rx__stage_ops rx__sink_ops = {
    .on_next = sink_on_next,
    .on_next_batch = sink_on_next_batch,
    .on_error = sink_on_error,
    .on_complete = sink_on_complete,
};

/* ---- frames and lifetime ---------------------------------------------- */

atomic_ulong rx__activity;

/* One per thread; its address names the thread. */
static _Thread_local char thread_mark;

static void
pipeline_free(rx__pipeline *p)
{
    free_list(&p->graveyard);
    free_list(&p->stages);
    rx_observable_release(p->root);
    rx_scheduler_release(atomic_load(&p->owner_sched));
    rx__free(p);
}

void
rx__frame_adopt(rx__pipeline *p)
{
    if (rx__frames(p) == 0) {
        atomic_store_explicit(&p->owner_mark, &thread_mark,
                              memory_order_relaxed);
        atomic_fetch_add_explicit(&rx__activity, 1, memory_order_relaxed);
    }
    p->frames++;
}

void
rx__frame_enter(rx__pipeline *p)
{
    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    rx__frame_adopt(p);
}

/* Work for the moment no pipeline function is on the stack. */
static void
outermost_exit(rx__pipeline *p)
{
    if (p->pending_einval) {
        p->pending_einval = false;
        if (p->running) {
            rx_error *err = rx__error_at(
                NULL, RX_EINVAL,
                "rx_request: n must be greater than 0 (reactive streams "
                "rule 3.9)");
            p->done = true;
            stop_running(p);
            if (p->observer.on_error != NULL) {
                p->observer.on_error(err, p->observer.ctx);
            } else {
                rx__undeliverable(err);
            }
            rx_error_release(err);
        }
    }
    if (!p->running && !p->finally_done) {
        p->finally_done = true;
        if (p->observer.on_finally != NULL) {
            p->observer.on_finally(p->observer.ctx);
        }
    }
    if (p->posts == 0) {
        /* Retired stages may hold a posted task that has not run. */
        free_list(&p->graveyard);
    }
    if (!p->running && rx__frames(p) == 1 && p->posts == 0) {
        /* Nothing can signal any more: the stages can go now, even while
         * the user keeps the handle. A task posted with
         * rx__pipeline_post() may live in a stage: while one has not run,
         * the stages wait for the exit of its frame. */
        free_list(&p->stages);
        p->sink.up = NULL;
        rx_observable_release(p->root);
        p->root = NULL;
    }
}

void
rx__frame_exit(rx__pipeline *p)
{
    rx__task *deferred = NULL;

    if (rx__frames(p) == 1) {
        outermost_exit(p);
        /* Posts to other threads go out last: after them this thread no
         * longer touches the pipeline, whose refs they hold. */
        deferred = p->deferred;
        p->deferred = NULL;
        for (rx__task *t = deferred; t != NULL; t = t->next) {
            if (!rx__sched_is_current(t->sched)) {
                /* Ownership moves to the thread that runs the task: from
                 * now on rx_cancel() here takes the cross-thread path. */
                atomic_store_explicit(&p->owner_mark, NULL,
                                      memory_order_relaxed);
            }
        }
    }
    p->frames--;
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) {
        pipeline_free(p);
        return;
    }
    while (deferred != NULL) {
        rx__task *t = deferred;
        deferred = t->next;
        if (rx__post(t->sched, t) != 0) {
            /* Cannot happen for the kinds that take posts; run it here
             * rather than lose it. */
            t->sched = NULL;
            rx__task_run(t);
        }
    }
}

bool
rx__on_owner_thread(const rx__pipeline *p)
{
    return atomic_load_explicit(&p->owner_mark, memory_order_relaxed) ==
           &thread_mark;
}

int
rx__pipeline_post(rx__pipeline *p, rx_scheduler *s, rx__task *t)
{
    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    p->posts++; /* owner thread; the task's run, on the next owner, undoes it */
    t->adopt = true;
    t->sched = s;
    if (rx__frames(p) > 0) {
        t->next = p->deferred;
        p->deferred = t;
        return 0;
    }
    return rx__post(s, t);
}

void
rx__pipeline_bind(rx__pipeline *p, rx_scheduler *s)
{
    if (s == NULL) {
        return;
    }
    /* The last binding wins: a thread hop moves the owner. */
    rx_scheduler_release(
        atomic_exchange(&p->owner_sched, rx_scheduler_retain(s)));
}

/* Runs on the owner's loop after rx_cancel() from another thread. */
static void
wake_run(rx__task *t)
{
    rx__pipeline *p =
        (rx__pipeline *)((char *)t - offsetof(rx__pipeline, wake_task));

    rx__pipeline_poll(p);
}

void
rx__pipeline_cancel(rx__pipeline *p)
{
    if (!p->running || p->cancelled) {
        if (p->running) {
            stop_running(p); /* cancel after a request(0) */
        }
        return;
    }
    p->cancelled = true;
    stop_running(p);
    rx__cancel_up(&p->sink);
}

/* ---- the public entry points ------------------------------------------ */

struct rx__cancel_count rx__remote_cancels;

/* rx_cancel() off the owner thread: raise the flag the drain loops poll,
 * and wake the owner's loop so an idle pipeline sees it too. The wake
 * holds a reference until it ran. */
static void
request_remote_cancel(rx__pipeline *p)
{
    rx_scheduler *s;

    atomic_store_explicit(&p->cancel_req, true, memory_order_release);
    atomic_fetch_add_explicit(&rx__remote_cancels.n, 1, memory_order_release);
    s = atomic_load(&p->owner_sched);
    if (s != NULL && !atomic_exchange(&p->wake_pending, true)) {
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
        p->wake_task.adopt = true;
        if (rx__post(s, &p->wake_task) != 0) {
            atomic_fetch_sub_explicit(&p->refs, 1, memory_order_relaxed);
        }
    }
}

int
rx_subscribe(rx_observable *obs, const rx_observer *observer,
             rx_subscription **out)
{
    rx__pipeline *p;
    int rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (obs == NULL) {
        return rx__fail(RX_EINVAL, "rx_subscribe: obs must not be NULL");
    }
    if (observer == NULL) {
        return rx__fail(RX_EINVAL, "rx_subscribe: observer must not be NULL");
    }
    if (observer->reserved[0] != NULL || observer->reserved[1] != NULL) {
        return rx__fail(RX_EINVAL,
                        "rx_subscribe: observer->reserved must be zero");
    }
    p = rx__calloc(1, sizeof *p);
    if (p == NULL) {
        return rx__fail(RX_ENOMEM, "rx_subscribe: out of memory");
    }
    p->sink.ops = &rx__sink_ops;
    p->sink.pipe = p;
    p->observer = *observer;
    p->root = rx_observable_retain(obs);
    atomic_init(&p->owner_mark, &thread_mark);
    atomic_init(&p->owner_sched, NULL);
    atomic_init(&p->wake_pending, false);
    rx__task_init(&p->wake_task, p, wake_run);
    p->running = true;
    atomic_init(&p->refs, out != NULL ? 2 : 1);
    atomic_init(&p->has_handle, out != NULL);
    atomic_init(&p->cancel_req, false);

    /* Phase 1: build every stage. Nothing has been called yet, so a
     * failure frees what was built and reports. */
    rc = rx__assemble(obs, p, &p->sink, &p->sink.up);
    if (rc < 0) {
        if (rx_last_error() != rc) {
            rx__set_last_error(rc, "rx_subscribe: cannot build the pipeline");
        }
        pipeline_free(p);
        return rc;
    }

    /* Phase 2: start. */
    if (out != NULL) {
        *out = p;
    }
    rx__frame_enter(p);
    if (observer->on_subscribe != NULL) {
        observer->on_subscribe(p, observer->ctx);
    } else {
        p->demand = RX_UNBOUNDED;
        rx__request_up(&p->sink, RX_UNBOUNDED);
    }
    if (p->running && !p->cancelled) {
        rx__stage_start(p->sink.up);
    }
    rx__frame_exit(p);
    return 0;
}

int
rx_request(rx_subscription *sub, int64_t n)
{
    rx__pipeline *p = sub;

    if (p == NULL) {
        return rx__fail(RX_EINVAL, "rx_request: sub must not be NULL");
    }
    rx__frame_enter(p);
    if (p->running && !p->cancelled) {
        if (n <= 0) {
            /* Rule 3.9: stop the upstream now, signal the error once no
             * callback is on the stack (at frame exit). */
            p->pending_einval = true;
            p->cancelled = true;
            rx__cancel_up(&p->sink);
        } else {
            p->demand = rx__demand_add(p->demand, n);
            rx__request_up(&p->sink, n);
        }
    }
    rx__frame_exit(p);
    return 0;
}

void
rx_cancel(rx_subscription *sub)
{
    rx__pipeline *p = sub;

    if (p == NULL) {
        return;
    }
    if (!rx__on_owner_thread(p)) {
        request_remote_cancel(p);
        return;
    }
    rx__frame_enter(p);
    rx__pipeline_cancel(p);
    rx__frame_exit(p);
}

void
rx_dispose(rx_subscription *sub)
{
    rx__pipeline *p = sub;

    if (p == NULL) {
        return;
    }
    if (!rx__on_owner_thread(p)) {
        request_remote_cancel(p);
        if (atomic_exchange(&p->has_handle, false) &&
            atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) {
            pipeline_free(p);
        }
        return;
    }
    rx__frame_enter(p);
    rx__pipeline_cancel(p);
    if (atomic_exchange(&p->has_handle, false)) {
        atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel);
    }
    rx__frame_exit(p);
}
