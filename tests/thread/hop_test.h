/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the thread-hop tests: a recording observer that may be
 * called on any one thread (the test reads it after waiting for its
 * on_finally), a barrier that waits until a pool's workers have finished
 * what they were given, and closing a test loop. Header-only, shared by
 * tests/thread/test_*.c.
 */
#ifndef UVRX_TESTS_HOP_TEST_H
#define UVRX_TESTS_HOP_TEST_H

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rx-sched.h"
#include "rx_test.h"

/* Names the calling thread: the address of a thread-local marker. */
static _Thread_local char hop_thread_mark;

static inline const void *
hop_thread(void)
{
    return &hop_thread_mark;
}

/* ---- a recorder for any delivery thread -------------------------------- */

typedef struct rec {
    /* Settings, before subscribing. */
    int64_t initial;     /* requested in on_subscribe */
    int64_t batch;       /* re-request this many every `batch` items */
    size_t cancel_after; /* cancel inside on_next after this many; 0: never */
    bool check_seq;      /* items must be 0, 1, 2, ... */
    uv_sem_t *reached;   /* posted once when `reach` items arrived */
    size_t reach;
    /* What happened; read by the test after rec_wait(). */
    rx_subscription *sub;
    int64_t *vals; /* the first `cap` items */
    size_t cap;
    atomic_size_t n;
    int64_t next;    /* check_seq: the next expected item */
    bool seq_broken; /* check_seq: an item out of order */
    int64_t requested;
    bool over_demand; /* more items than requested */
    int completes;
    int errors;
    int err_code;
    int after_terminal;
    const void *subscribe_thread;
    const void *thread; /* the delivery thread */
    bool thread_changed;
    uv_sem_t fin;
    atomic_int finished;
} rec;

static inline void
rec_init(rec *r, int64_t initial, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->initial = initial;
    r->cap = cap;
    r->vals = cap > 0 ? calloc(cap, sizeof *r->vals) : NULL;
    atomic_init(&r->n, 0);
    atomic_init(&r->finished, 0);
    uv_sem_init(&r->fin, 0);
}

static inline void
rec_free(rec *r)
{
    free(r->vals);
    uv_sem_destroy(&r->fin);
}

static inline void
rec_on_subscribe(rx_subscription *sub, void *ctx)
{
    rec *r = ctx;

    r->sub = sub;
    r->subscribe_thread = hop_thread();
    if (r->initial > 0) {
        r->requested = r->initial;
        rx_request(sub, r->initial);
    }
}

static inline void
rec_see_thread(rec *r)
{
    if (r->thread == NULL) {
        r->thread = hop_thread();
    } else if (r->thread != hop_thread()) {
        r->thread_changed = true;
    }
}

static inline void
rec_on_next(rx_value v, void *ctx)
{
    rec *r = ctx;
    size_t n = atomic_load_explicit(&r->n, memory_order_relaxed);
    int64_t x = rx_is_int(v) ? rx_as_int(v) : -1;

    rec_see_thread(r);
    if (r->completes + r->errors > 0) {
        r->after_terminal++;
    }
    if (r->requested != RX_UNBOUNDED && (int64_t)n >= r->requested) {
        r->over_demand = true;
    }
    if (n < r->cap) {
        r->vals[n] = x;
    }
    if (r->check_seq) {
        if (x != r->next) {
            r->seq_broken = true;
        }
        r->next = x + 1;
    }
    atomic_store_explicit(&r->n, n + 1, memory_order_release);
    if (r->reached != NULL && n + 1 == r->reach) {
        uv_sem_post(r->reached);
    }
    if (r->cancel_after > 0 && n + 1 == r->cancel_after) {
        rx_cancel(r->sub);
        return;
    }
    if (r->batch > 0 && (n + 1) % (size_t)r->batch == 0) {
        r->requested += r->batch;
        rx_request(r->sub, r->batch);
    }
}

static inline void
rec_on_error(const rx_error *err, void *ctx)
{
    rec *r = ctx;

    rec_see_thread(r);
    if (r->completes + r->errors > 0) {
        r->after_terminal++;
    }
    r->errors++;
    r->err_code = rx_error_code(err);
}

static inline void
rec_on_complete(void *ctx)
{
    rec *r = ctx;

    rec_see_thread(r);
    if (r->completes + r->errors > 0) {
        r->after_terminal++;
    }
    r->completes++;
}

static inline void
rec_on_finally(void *ctx)
{
    rec *r = ctx;

    atomic_store_explicit(&r->finished, 1, memory_order_release);
    uv_sem_post(&r->fin);
}

/* Subscribes r to obs (borrowed), keeping the handle in *sub. */
static inline int
rec_subscribe(rx_observable *obs, rec *r, rx_subscription **sub)
{
    rx_observer o = {
        .on_next = rec_on_next,
        .on_error = rec_on_error,
        .on_complete = rec_on_complete,
        .on_subscribe = rec_on_subscribe,
        .on_finally = rec_on_finally,
        .ctx = r,
    };

    return rx_subscribe(obs, &o, sub);
}

/* Waits until on_finally ran (on whatever thread). */
static inline void
rec_wait(rec *r)
{
    uv_sem_wait(&r->fin);
}

static inline size_t
rec_count(rec *r)
{
    return atomic_load_explicit(&r->n, memory_order_acquire);
}

/* The recorded items are exactly first, first + 1, ..., first + n - 1. */
static inline void
assert_rec_range(rec *r, int64_t first, size_t n)
{
    assert_int_equal(rec_count(r), n);
    for (size_t i = 0; i < n && i < r->cap; i++) {
        if (r->vals[i] != first + (int64_t)i) {
            fail_msg("item %zu is %lld, expected %lld", i,
                     (long long)r->vals[i], (long long)(first + (int64_t)i));
        }
    }
}

/* ---- pools and loops ----------------------------------------------------- */

struct hop_barrier {
    rx__task task;
    uv_sem_t done;
};

static inline void
hop_barrier_run(rx__task *t)
{
    uv_sem_post(&((struct hop_barrier *)t)->done);
}

/* Waits until every worker of a pool of n (or a loop on another thread,
 * n = 1) has run everything posted to it before this call. */
static inline void
hop_pool_barrier(rx_scheduler *pool, int n)
{
    for (int i = 0; i < n; i++) {
        struct hop_barrier b;
        rx__task_init(&b.task, NULL, hop_barrier_run);
        uv_sem_init(&b.done, 0);
        rx__post(rx__sched_pick(pool), &b.task);
        uv_sem_wait(&b.done);
        uv_sem_destroy(&b.done);
    }
}

/* Releases a test loop's scheduler and closes the loop. */
static inline void
hop_close_loop(uv_loop_t *loop, rx_scheduler *s)
{
    rx_scheduler_release(s);
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

#endif /* UVRX_TESTS_HOP_TEST_H */
