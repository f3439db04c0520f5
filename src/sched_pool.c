/* SPDX-License-Identifier: MIT */
/*
 * The pool scheduler: n worker threads, each running its own libuv loop
 * with its own loop scheduler. A subscription asks the pool for a worker
 * (rx__sched_pick, round-robin) and then uses that worker's loop
 * scheduler, so its work is serial and stays on one thread.
 *
 * A worker's loop is kept alive by a hold on its scheduler for as long as
 * the pool lives. Releasing the pool posts a stop task to every worker,
 * which drops the hold and the scheduler; the worker's loop then ends
 * once the work still running there has finished, and the thread exits.
 * The releasing thread joins the workers -- unless it is one of them, in
 * which case a reaper thread does.
 */
#include <pthread.h>
#include <stdlib.h>

#include "rx-sched-internal.h"

struct worker {
    uv_thread_t tid;
    uv_loop_t loop;
    rx_scheduler *sched; /* this worker's loop scheduler */
    uv_sem_t ready;      /* posted once the loop and scheduler exist */
    int start_rc;        /* what starting the loop returned */
    rx__task stop;       /* posted at pool teardown */
    struct pool *pool;
};

struct pool {
    rx_scheduler base;
    int n;
    atomic_uint next; /* round-robin cursor */
    struct worker *w;
};

static void
worker_main(void *arg)
{
    struct worker *w = arg;

    w->start_rc = uv_loop_init(&w->loop);
    if (w->start_rc == 0) {
        w->sched = rx_scheduler_loop(&w->loop);
        if (w->sched == NULL) {
            w->start_rc = rx_last_error() != 0 ? rx_last_error() : RX_ENOMEM;
        } else {
            rx__sched_hold(w->sched);
        }
    }
    uv_sem_post(&w->ready);
    if (w->sched == NULL) {
        if (w->start_rc != UV_ENOMEM && w->start_rc != 0) {
            return;
        }
        uv_loop_close(&w->loop);
        return;
    }
    /* Runs until the stop task dropped the hold and the last handles
     * (the scheduler's own, closed when its last reference went) closed. */
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
}

static void
worker_stop(rx__task *t)
{
    struct worker *w =
        (struct worker *)((char *)t - offsetof(struct worker, stop));
    rx_scheduler *s = w->sched;

    rx__sched_unhold(s);
    rx_scheduler_release(s);
}

static const struct worker *
current_worker(const struct pool *p)
{
    for (int i = 0; i < p->n; i++) {
        if (rx__sched_is_current(p->w[i].sched)) {
            return &p->w[i];
        }
    }
    return NULL;
}

/* From one of the pool's own workers the pool means "this worker", so
 * work a pinned subscription adds stays on its thread; elsewhere workers
 * are handed out round-robin. */
static rx_scheduler *
p_pick(rx_scheduler *s)
{
    struct pool *p = (struct pool *)s;
    const struct worker *w = current_worker(p);
    unsigned i;

    if (w != NULL) {
        return w->sched;
    }
    i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    return p->w[i % (unsigned)p->n].sched;
}

static int
p_schedule(rx_scheduler *s, rx__task *t)
{
    const struct worker *w = current_worker((struct pool *)s);

    /* Timed work runs on a worker's own scheduler; from a worker thread
     * the pool means "this worker". */
    if (w == NULL) {
        return RX_EINVAL;
    }
    return w->sched->ops->schedule(w->sched, t);
}

static void
p_unschedule(rx_scheduler *s, rx__task *t)
{
    (void)s;
    rx__unschedule(t); /* t->sched is the worker's scheduler */
}

static int
p_post(rx_scheduler *s, rx__task *t)
{
    return rx__post(p_pick(s), t);
}

static uint64_t
p_now(rx_scheduler *s)
{
    (void)s;
    return uv_hrtime() / 1000000u; /* a scheduler's own clock source */
}

static bool
p_is_current(const rx_scheduler *s)
{
    return current_worker((const struct pool *)s) != NULL;
}

static void
join_and_free(struct pool *p)
{
    for (int i = 0; i < p->n; i++) {
        uv_thread_join(&p->w[i].tid);
        uv_sem_destroy(&p->w[i].ready);
    }
    rx__free(p->w);
    rx__free(p);
}

static void
reaper_main(void *arg)
{
    join_and_free(arg);
}

static void
p_destroy(rx_scheduler *s)
{
    struct pool *p = (struct pool *)s;
    bool on_worker = current_worker(p) != NULL;
    uv_thread_t reaper;

    for (int i = 0; i < p->n; i++) {
        rx__post(p->w[i].sched, &p->w[i].stop);
    }
    if (!on_worker) {
        join_and_free(p);
        return;
    }
    /* A worker cannot join itself: a detached reaper joins them all. */
    if (uv_thread_create(&reaper, reaper_main, p) == 0) {
        pthread_detach(reaper);
    }
}

static void
p_set_spin(rx_scheduler *s, unsigned spin_us)
{
    const struct pool *p = (const struct pool *)s;

    for (int i = 0; i < p->n; i++) {
        rx_scheduler *w = p->w[i].sched;
        w->ops->set_spin(w, spin_us);
    }
}

static const struct rx__sched_ops pool_ops = {
    .schedule = p_schedule,
    .unschedule = p_unschedule,
    .post = p_post,
    .now = p_now,
    .destroy = p_destroy,
    .pick = p_pick,
    .is_current = p_is_current,
    .set_spin = p_set_spin,
    .timed = true,
};

rx_scheduler *
rx_scheduler_pool(int n)
{
    struct pool *p;
    int started = 0;
    int rc = 0;

    if (n < 1 || n > 256) {
        return rx__fail_null(RX_EINVAL,
                             "rx_scheduler_pool: n must be 1 to 256");
    }
    p = rx__calloc(1, sizeof *p);
    if (p == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_scheduler_pool: out of memory");
    }
    p->w = rx__calloc((size_t)n, sizeof *p->w);
    if (p->w == NULL) {
        rx__free(p);
        return rx__fail_null(RX_ENOMEM, "rx_scheduler_pool: out of memory");
    }
    rx__sched_base_init(&p->base, &pool_ops);
    p->n = n;
    for (; started < n; started++) {
        struct worker *w = &p->w[started];
        w->pool = p;
        rx__task_init(&w->stop, NULL, worker_stop);
        rc = uv_sem_init(&w->ready, 0);
        if (rc == 0) {
            rc = uv_thread_create(&w->tid, worker_main, w);
            if (rc != 0) {
                uv_sem_destroy(&w->ready);
            }
        }
        if (rc == 0) {
            uv_sem_wait(&w->ready);
            rc = w->start_rc;
            if (rc != 0) {
                uv_thread_join(&w->tid);
                uv_sem_destroy(&w->ready);
            }
        }
        if (rc != 0) {
            break;
        }
    }
    if (rc != 0) {
        /* Stop the workers that did start, then report. */
        p->n = started;
        if (started > 0) {
            p_destroy(&p->base);
        } else {
            rx__free(p->w);
            rx__free(p);
        }
        return rx__fail_null(rc,
                             "rx_scheduler_pool: cannot start worker %d: "
                             "%s",
                             started, rx_strerror(rc));
    }
    return &p->base;
}
