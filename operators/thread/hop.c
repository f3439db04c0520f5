/* SPDX-License-Identifier: MIT */
/*
 * observe_on's hop: the state its two sides share, the producer (the
 * observer of the upstream's own pipeline, whose callbacks run wherever
 * the upstream emits) and the consumer's calls into that pipeline.
 * operators/thread/observe_on.c describes the design; this file holds the
 * half that runs on the upstream's side.
 */
#include "hop-internal.h"

void
rx__hop_retain(rx__hop *h)
{
    atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
}

static rx_value
marker(int kind, rx_error *err)
{
    rx_value v = rx_invalid();

    v.reserved = (uint32_t)kind;
    v.as.p = err;
    return v;
}

/* Releases a value taken from the ring: an item, or a marker's error. */
void
rx__hop_drop_slot(rx__stage *stage, rx_value v)
{
    if (rx__hop_is_marker(v)) {
        rx_error_release(v.as.p);
    } else if (stage != NULL) {
        rx__discard(stage, v);
    } else {
        rx_value_release(v);
    }
}

void
rx__hop_release(rx__hop *h)
{
    if (h == NULL ||
        atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    /* Both sides are gone: whatever is still in the ring is garbage. */
    while (rx__ring_avail(&h->ring) > 0) {
        rx__hop_drop_slot(NULL, rx__ring_take(&h->ring));
    }
    rx__ring_fini(&h->ring);
    uv_mutex_destroy(&h->lock);
    if (h->inner != NULL) {
        rx_dispose(h->inner); /* only if it was never started */
    }
    rx__free(h);
}

/* ---- calls into the inner pipeline ------------------------------------ */

/* Whether the calling thread may call into the inner pipeline directly:
 * it is the owner, or the pipeline is not bound to any scheduler (a
 * synchronous source: its owner is whoever calls it). Lock held. */
static bool
inner_is_local(rx_subscription *inner)
{
    return rx__on_owner_thread(inner) ||
           atomic_load(&inner->owner_sched) == NULL;
}

/* Runs on the inner pipeline's owner thread with the demand accumulated
 * while it was on its way; follows the pipeline if it moved meanwhile. */
static void
req_run(rx__task *t)
{
    rx__hop *h = (rx__hop *)((char *)t - offsetof(rx__hop, req_task));
    rx_subscription *inner = NULL;
    int64_t n;

    uv_mutex_lock(&h->lock);
    n = h->req_pending;
    if (!h->inner_done && h->inner != NULL && n > 0) {
        if (inner_is_local(h->inner)) {
            inner = h->inner;
            h->req_pending = 0;
        } else {
            /* Not here any more (or not yet): post to its new owner. The
             * task keeps its reference to the hop. */
            rx__post(atomic_load(&h->inner->owner_sched), &h->req_task);
            uv_mutex_unlock(&h->lock);
            return;
        }
    }
    h->req_pending = 0;
    uv_mutex_unlock(&h->lock);
    if (inner != NULL) {
        /* On the owner thread, so the inner pipeline cannot finish (and
         * its handle go) before this returns. */
        rx_request(inner, n);
    }
    rx__hop_release(h);
}

/* Asks the upstream for n more items (consumer thread). */
void
rx__hop_request(rx__hop *h, int64_t n)
{
    rx_subscription *inner = NULL;

    uv_mutex_lock(&h->lock);
    if (!h->inner_done && h->inner != NULL) {
        if (inner_is_local(h->inner)) {
            inner = h->inner;
        } else {
            bool post = h->req_pending == 0;
            h->req_pending = rx__demand_add(h->req_pending, n);
            if (post) {
                rx__hop_retain(h);
                rx__post(atomic_load(&h->inner->owner_sched), &h->req_task);
            }
        }
    }
    uv_mutex_unlock(&h->lock);
    if (inner != NULL) {
        rx_request(inner, n); /* may run the producer here, nested */
    }
}

/* Cancels the upstream (consumer thread). */
void
rx__hop_cancel_inner(rx__hop *h)
{
    rx_subscription *inner = NULL;

    uv_mutex_lock(&h->lock);
    if (!h->inner_done && h->inner != NULL) {
        if (inner_is_local(h->inner)) {
            inner = h->inner;
        } else {
            /* Flag + wake its owner. Under the lock, the inner pipeline
             * cannot finish and drop its handle meanwhile. */
            rx_cancel(h->inner);
        }
    }
    uv_mutex_unlock(&h->lock);
    if (inner != NULL) {
        /* rx_cancel() would take the cross-thread path when the last
         * caller was another thread; an unbound pipeline is cancelled
         * here, which makes this thread its owner. */
        rx__frame_enter(inner);
        rx__pipeline_cancel(inner);
        rx__frame_exit(inner);
    }
}

/* ---- the producer: the inner pipeline's observer ---------------------- */

/* The ring went from empty to non-empty with the consumer asleep. */
static void
producer_wake(rx__hop *h)
{
    uv_mutex_lock(&h->lock);
    if (!h->detached && !h->drain_posted) {
        h->drain_posted = true;
        rx__hop_retain(h);
        rx__post(h->consumer, &h->drain_task);
    }
    uv_mutex_unlock(&h->lock);
}

/* Puts the completion or error after the items (a slot is always kept
 * free for it). */
static void
producer_end(rx__hop *h, int kind, rx_error *err)
{
    h->producer_ended = true;
    rx__ring_write(&h->ring, marker(kind, err));
    if (rx__ring_publish(&h->ring)) {
        producer_wake(h);
    }
}

/* The upstream sent more than it was asked for. */
static void
producer_overflow(rx__hop *h)
{
    rx_cancel(h->producer_sub); /* on its owner thread: stops it now */
    producer_end(h, RX__HOP_ERROR,
                 rx__error_at(NULL, RX_EBACKPRESSURE,
                              "rx_observe_on: the upstream emitted more "
                              "items than requested (prefetch %lld)",
                              (long long)h->prefetch));
}

static void
producer_subscribe(rx_subscription *sub, void *ctx)
{
    rx__hop *h = ctx;

    h->producer_sub = sub;
    rx_request(sub, h->prefetch);
}

static void
producer_next(rx_value v, void *ctx)
{
    rx__hop *h = ctx;

    if (h->producer_ended ||
        atomic_load_explicit(&h->cancelled, memory_order_relaxed)) {
        return;
    }
    if (rx__ring_space(&h->ring, 2) < 2) {
        producer_overflow(h);
        return;
    }
    rx__ring_write(&h->ring, rx_value_retain(v));
    if (rx__ring_publish(&h->ring)) {
        producer_wake(h);
    }
}

static void
producer_next_batch(rx_value *vals, size_t n, void *ctx)
{
    rx__hop *h = ctx;

    if (h->producer_ended ||
        atomic_load_explicit(&h->cancelled, memory_order_relaxed)) {
        return;
    }
    if (rx__ring_space(&h->ring, n + 1) < n + 1) {
        producer_overflow(h);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        rx__ring_write(&h->ring, vals[i]); /* scalars: nothing to retain */
    }
    if (rx__ring_publish(&h->ring)) {
        producer_wake(h);
    }
}

static void
producer_error(const rx_error *err, void *ctx)
{
    rx__hop *h = ctx;

    if (!h->producer_ended) {
        producer_end(h, RX__HOP_ERROR, rx_error_retain(err));
    }
}

static void
producer_complete(void *ctx)
{
    rx__hop *h = ctx;

    if (!h->producer_ended) {
        producer_end(h, RX__HOP_COMPLETE, NULL);
    }
}

/* The inner pipeline is over, on its owner thread: drop its handle and
 * the producer's reference to the hop. */
static void
producer_finally(void *ctx)
{
    rx__hop *h = ctx;
    rx_subscription *inner;

    uv_mutex_lock(&h->lock);
    h->inner_done = true;
    inner = h->inner;
    h->inner = NULL;
    uv_mutex_unlock(&h->lock);
    rx_dispose(inner);
    rx__hop_release(h);
}

const rx_observer rx__hop_producer = {
    .on_next = producer_next,
    .on_error = producer_error,
    .on_complete = producer_complete,
    .on_subscribe = producer_subscribe,
    .on_finally = producer_finally,
    .on_next_batch = producer_next_batch,
};

rx__hop *
rx__hop_new(int64_t prefetch, rx__task_fn drain)
{
    rx__hop *h = rx__calloc(1, sizeof *h);

    if (h == NULL) {
        return NULL;
    }
    if (rx__ring_init(&h->ring, (size_t)prefetch + 1) != 0) {
        rx__free(h);
        return NULL;
    }
    if (uv_mutex_init(&h->lock) != 0) {
        rx__ring_fini(&h->ring);
        rx__free(h);
        return NULL;
    }
    atomic_init(&h->refs, 1);
    atomic_init(&h->cancelled, false);
    h->prefetch = prefetch;
    rx__task_init(&h->drain_task, NULL, drain);
    rx__task_init(&h->req_task, NULL, req_run);
    return h;
}
