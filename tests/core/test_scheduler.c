/* SPDX-License-Identifier: MIT */
/*
 * Schedulers: virtual time order and limits, drift-free periodic tasks,
 * the loop scheduler on a real loop, posts from other threads, the pool,
 * rx_test_run, teardown with work pending, and a cancel from another
 * thread waking an idle pipeline's loop.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rx-sched.h"
#include "rx_test.h"

/* A task that records the virtual time and its tag when it runs. */
struct probe {
    rx__task task;
    rx_scheduler *s;
    int tag;
    int *log;
    size_t *nlog;
    uint64_t *times;
    int runs;
    int stop_after; /* periodic: unschedule itself after this many runs */
};

static void
probe_run(rx__task *t)
{
    struct probe *p = (struct probe *)t;

    p->runs++;
    if (p->log != NULL) {
        p->times[*p->nlog] = rx_scheduler_now(p->s);
        p->log[(*p->nlog)++] = p->tag;
    }
    if (p->stop_after > 0 && p->runs == p->stop_after) {
        rx__unschedule(t);
    }
}

static void
probe_init(struct probe *p, rx_scheduler *s, int tag, int *log, size_t *n,
           uint64_t *times)
{
    memset(p, 0, sizeof *p);
    rx__task_init(&p->task, NULL, probe_run);
    p->s = s;
    p->tag = tag;
    p->log = log;
    p->nlog = n;
    p->times = times;
}

static void
test_virtual_runs_tasks_in_time_order_fifo_at_equal_times(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p[4];
    int log[8];
    uint64_t times[8];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 4; i++) {
        probe_init(&p[i], vs, i, log, &n, times);
    }
    assert_int_equal(rx__schedule(vs, &p[0].task, 20), 0);
    assert_int_equal(rx__schedule(vs, &p[1].task, 10), 0);
    assert_int_equal(rx__schedule(vs, &p[2].task, 20), 0);
    assert_int_equal(rx__schedule(vs, &p[3].task, 10), 0);
    assert_int_equal(rx_virtual_pending(vs), 4);
    assert_int_equal(rx_virtual_advance_by(vs, 15), 2);
    assert_int_equal(rx_scheduler_now(vs), 15);
    assert_int_equal(rx_virtual_advance_by(vs, 5), 2);
    assert_int_equal(n, 4);
    assert_int_equal(log[0], 1);
    assert_int_equal(log[1], 3);
    assert_int_equal(log[2], 0);
    assert_int_equal(log[3], 2);
    assert_int_equal(times[0], 10);
    assert_int_equal(times[3], 20);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_periodic_tasks_do_not_drift_and_can_stop_themselves(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p;
    int log[8];
    uint64_t times[8];
    size_t n = 0;

    (void)state;
    probe_init(&p, vs, 7, log, &n, times);
    p.stop_after = 4;
    assert_int_equal(rx_virtual_advance_by(vs, 3), 0);
    assert_int_equal(rx__schedule_periodic(vs, &p.task, 5, 10), 0);
    assert_int_equal(rx_virtual_run(vs), 4);
    assert_int_equal(n, 4);
    assert_int_equal(times[0], 8); /* 3 + 5 */
    assert_int_equal(times[1], 18);
    assert_int_equal(times[2], 28);
    assert_int_equal(times[3], 38);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_step_limit_stops_a_runaway_periodic_task(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p;

    (void)state;
    probe_init(&p, vs, 0, NULL, NULL, NULL);
    assert_int_equal(rx_virtual_set_step_limit(vs, 50), 0);
    assert_int_equal(rx__schedule_periodic(vs, &p.task, 1, 1), 0);
    assert_int_equal(rx_virtual_run(vs), RX_ELIMIT);
    assert_int_equal(p.runs, 50);
    assert_int_equal(rx_virtual_set_step_limit(vs, 0), RX_EINVAL);
    rx__unschedule(&p.task);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_unschedule_is_idempotent_and_rescheduling_moves_a_task(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p;

    (void)state;
    probe_init(&p, vs, 0, NULL, NULL, NULL);
    assert_int_equal(rx__schedule(vs, &p.task, 10), 0);
    assert_int_equal(rx__schedule(vs, &p.task, 30), 0); /* moved */
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_virtual_advance_by(vs, 20);
    assert_int_equal(p.runs, 0);
    rx__unschedule(&p.task);
    rx__unschedule(&p.task);
    rx_virtual_advance_by(vs, 20);
    assert_int_equal(p.runs, 0);
    rx_scheduler_release(vs);
}

static void
test_bad_virtual_calls_fail_cleanly(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p;

    (void)state;
    probe_init(&p, vs, 0, NULL, NULL, NULL);
    assert_int_equal(rx_virtual_advance_by(vs, -1), RX_EINVAL);
    assert_int_equal(rx_virtual_advance_by(NULL, 1), RX_EINVAL);
    assert_int_equal(rx_virtual_advance_by(rx_scheduler_immediate(), 1),
                     RX_EINVAL);
    assert_int_equal(rx__schedule(vs, &p.task, -1), RX_EINVAL);
    assert_int_equal(rx__schedule_periodic(vs, &p.task, 0, 0), RX_EINVAL);
    assert_int_equal(rx__schedule(rx_scheduler_trampoline(), &p.task, 5),
                     RX_EINVAL);
    assert_int_equal(rx_virtual_pending(rx_scheduler_immediate()), 0);
    rx_scheduler_release(vs);
}

static void
test_virtual_scheduler_released_with_work_pending_leaks_nothing(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p;

    (void)state;
    probe_init(&p, vs, 0, NULL, NULL, NULL);
    assert_int_equal(rx__schedule(vs, &p.task, 10), 0);
    rx_scheduler_release(vs);
    rx__unschedule(&p.task); /* detached: a no-op now */
    assert_int_equal(p.runs, 0);
}

static void
test_immortal_schedulers_ignore_refcounts(void **state)
{
    rx_scheduler *t = rx_scheduler_trampoline();
    rx_scheduler *i = rx_scheduler_immediate();

    (void)state;
    assert_ptr_equal(rx_scheduler_retain(t), t);
    rx_scheduler_release(t);
    rx_scheduler_release(i);
    rx_scheduler_release(NULL);
    assert_int_equal(rx_scheduler_now(i), 0);
    assert_false(rx__sched_timed(t));
    assert_true(rx__sched_timed(rx__sched_pick(t)) == false);
}

/* Trampoline: a task scheduled from a running task runs after it. */
static int tramp_order[4];
static int tramp_n;
static struct probe tramp_b;

static void
tramp_a_run(rx__task *t)
{
    (void)t;
    tramp_order[tramp_n++] = 1;
    rx__schedule(rx_scheduler_trampoline(), &tramp_b.task, 0);
    tramp_order[tramp_n++] = 2;
}

static void
tramp_b_run(rx__task *t)
{
    (void)t;
    tramp_order[tramp_n++] = 3;
}

static void
test_trampoline_queues_nested_work_behind_the_running_task(void **state)
{
    rx__task a;

    (void)state;
    tramp_n = 0;
    rx__task_init(&a, NULL, tramp_a_run);
    rx__task_init(&tramp_b.task, NULL, tramp_b_run);
    assert_int_equal(rx__schedule(rx_scheduler_trampoline(), &a, 0), 0);
    assert_int_equal(tramp_n, 3);
    assert_int_equal(tramp_order[0], 1);
    assert_int_equal(tramp_order[1], 2);
    assert_int_equal(tramp_order[2], 3);
}

/* ---- the loop scheduler on a real loop -------------------------------- */

static void
close_loop(uv_loop_t *loop)
{
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void
test_loop_scheduler_is_one_per_loop_and_runs_timers_in_order(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    struct probe p[3];
    int log[8];
    uint64_t times[8];
    size_t n = 0;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    loop.data = &n;
    s = rx_scheduler_loop(&loop);
    assert_non_null(s);
    assert_ptr_equal(rx_scheduler_loop(&loop), s);
    rx_scheduler_release(s);
    assert_ptr_equal(loop.data, &n); /* the loop's data stays the user's */
    for (int i = 0; i < 3; i++) {
        probe_init(&p[i], s, i, log, &n, times);
    }
    assert_int_equal(rx__schedule(s, &p[0].task, 2), 0);
    assert_int_equal(rx__schedule(s, &p[1].task, 1), 0);
    assert_int_equal(rx__schedule(s, &p[2].task, 0), 0);
    /* The timer keeps the loop alive exactly until the last task ran. */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(n, 3);
    assert_int_equal(log[0], 2);
    assert_int_equal(log[1], 1);
    assert_int_equal(log[2], 0);
    assert_true(times[0] <= times[1] && times[1] <= times[2]);
    rx_scheduler_release(s);
    close_loop(&loop);
}

static void
test_loop_scheduler_idle_does_not_keep_the_loop_alive(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    assert_int_equal(uv_run(&loop, UV_RUN_NOWAIT), 0);
    rx_scheduler_release(s);
    close_loop(&loop);
}

struct cross {
    rx__task task;
    rx_scheduler *s;
    atomic_int ran;
    const void *thread;
};

static _Thread_local char here;

static void
cross_run(rx__task *t)
{
    struct cross *c = (struct cross *)t;

    c->thread = &here;
    atomic_fetch_add(&c->ran, 1);
    rx__sched_unhold(c->s);
}

static void
poster(void *arg)
{
    struct cross *c = arg;

    rx__post(c->s, &c->task);
}

static void
test_a_post_from_another_thread_runs_on_the_loop(void **state)
{
    uv_loop_t loop;
    struct cross c;
    uv_thread_t tid;

    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(uv_loop_init(&loop), 0);
    c.s = rx_scheduler_loop(&loop);
    rx__task_init(&c.task, NULL, cross_run);
    rx__sched_hold(c.s); /* a producer elsewhere: keep the loop alive */
    assert_int_equal(uv_thread_create(&tid, poster, &c), 0);
    uv_run(&loop, UV_RUN_DEFAULT); /* returns once the task dropped it */
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(atomic_load(&c.ran), 1);
    assert_ptr_equal(c.thread, &here);
    rx_scheduler_release(c.s);
    close_loop(&loop);
}

static void
late_run(rx__task *t)
{
    struct cross *c = (struct cross *)t;

    c->thread = &here;
    atomic_fetch_add(&c->ran, 1);
}

static void
late_poster(void *arg)
{
    struct cross *c = arg;

    rx__post(c->s, &c->task);
}

/* A task posted from another thread after the loop stopped holds a
 * reference only its run gives back: releasing the scheduler must run
 * it (on the loop thread), not drop it. */
static void
test_loop_scheduler_released_runs_tasks_posted_after_the_loop_stopped(
    void **state)
{
    uv_loop_t loop;
    struct cross c;
    uv_thread_t tid;

    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(uv_loop_init(&loop), 0);
    c.s = rx_scheduler_loop(&loop);
    rx__task_init(&c.task, NULL, late_run);
    assert_int_equal(uv_thread_create(&tid, late_poster, &c), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(atomic_load(&c.ran), 0); /* the loop is not running */
    rx_scheduler_release(c.s);
    assert_int_equal(atomic_load(&c.ran), 1);
    assert_ptr_equal(c.thread, &here);
    close_loop(&loop);
}

static void
releaser(void *arg)
{
    rx_scheduler_release(arg);
}

static void
test_loop_scheduler_released_on_another_thread_closes_on_its_loop(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    uv_thread_t tid;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    assert_int_equal(uv_thread_create(&tid, releaser, s), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
    close_loop(&loop); /* rx_shutdown runs the deferred close */
}

/* A task posted while the loop is busy (here: inside a timer callback)
 * finds no sleeping loop to wake; the loop runs it before it blocks, in
 * the same pass. This task drops the scheduler's last reference there,
 * which closes the scheduler's handles in the middle of that pass; the
 * timer fires twice more so the loop makes more passes over the closed
 * handles (valgrind sees it if a freed handle stayed linked: libuv is
 * not built with ASan). */
struct busy {
    rx__task task;
    rx_scheduler *s;
    uv_sem_t posted;
    uv_thread_t tid;
    int fired;
    atomic_int ran;
};

static void
busy_task_run(rx__task *t)
{
    struct busy *b = (struct busy *)t;

    atomic_fetch_add(&b->ran, 1);
    rx_scheduler_release(b->s); /* the last reference */
}

static void
busy_poster(void *arg)
{
    struct busy *b = arg;

    rx__post(b->s, &b->task);
    uv_sem_post(&b->posted);
}

static void
busy_timer_cb(uv_timer_t *timer)
{
    struct busy *b = timer->data;

    if (b->fired++ == 0) {
        assert_int_equal(uv_thread_create(&b->tid, busy_poster, b), 0);
        uv_sem_wait(&b->posted); /* posted while this callback runs */
    }
    if (b->fired < 3) {
        uv_timer_start(timer, busy_timer_cb, 0, 0);
    }
}

static void
test_loop_scheduler_runs_a_post_made_while_busy_before_blocking(void **state)
{
    uv_loop_t loop;
    uv_timer_t timer;
    struct busy b;

    (void)state;
    memset(&b, 0, sizeof b);
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(uv_sem_init(&b.posted, 0), 0);
    b.s = rx_scheduler_loop(&loop);
    assert_non_null(b.s);
    rx__task_init(&b.task, NULL, busy_task_run);
    assert_int_equal(uv_timer_init(&loop, &timer), 0);
    timer.data = &b;
    assert_int_equal(uv_timer_start(&timer, busy_timer_cb, 0, 0), 0);
    uv_run(&loop, UV_RUN_ONCE); /* no I/O: it must not block */
    assert_int_equal(atomic_load(&b.ran), 1);
    uv_run(&loop, UV_RUN_DEFAULT); /* the timer's last passes */
    assert_int_equal(b.fired, 3);
    assert_int_equal(uv_thread_join(&b.tid), 0);
    uv_close((uv_handle_t *)&timer, NULL);
    uv_sem_destroy(&b.posted);
    close_loop(&loop);
}

/* Two threads post 20,000 tasks between them, as fast as they can, while
 * the loop runs them: each task runs once, on the loop, and each
 * thread's tasks run in the order that thread posted them. */
enum { FLOOD_PER_THREAD = 10000 };

struct flood_task {
    rx__task task;
    struct flood *f;
    int thread;
    int seq;
};

struct flood {
    rx_scheduler *s;
    struct flood_task tasks[2][FLOOD_PER_THREAD];
    int next_seq[2];
    int ran;
    bool in_order;
    const void *wrong_thread;
};

static void
flood_run(rx__task *t)
{
    struct flood_task *ft = (struct flood_task *)t;
    struct flood *f = ft->f;

    if (ft->seq != f->next_seq[ft->thread]) {
        f->in_order = false;
    }
    f->next_seq[ft->thread] = ft->seq + 1;
    if (!rx__sched_is_current(f->s)) {
        f->wrong_thread = ft;
    }
    if (++f->ran == 2 * FLOOD_PER_THREAD) {
        rx__sched_unhold(f->s);
    }
}

static void
flood_poster(void *arg)
{
    struct flood_task *row = arg;

    for (int i = 0; i < FLOOD_PER_THREAD; i++) {
        rx__post(row[i].f->s, &row[i].task);
    }
}

static void
test_loop_scheduler_runs_posts_from_two_threads_once_each_in_order(void **state)
{
    uv_loop_t loop;
    uv_thread_t tid[2];
    struct flood *f = calloc(1, sizeof *f);

    (void)state;
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&loop), 0);
    f->s = rx_scheduler_loop(&loop);
    f->in_order = true;
    for (int th = 0; th < 2; th++) {
        for (int i = 0; i < FLOOD_PER_THREAD; i++) {
            struct flood_task *ft = &f->tasks[th][i];
            rx__task_init(&ft->task, NULL, flood_run);
            ft->f = f;
            ft->thread = th;
            ft->seq = i;
        }
    }
    rx__sched_hold(f->s);
    for (int th = 0; th < 2; th++) {
        assert_int_equal(uv_thread_create(&tid[th], flood_poster, f->tasks[th]),
                         0);
    }
    uv_run(&loop, UV_RUN_DEFAULT); /* until the last task let go */
    for (int th = 0; th < 2; th++) {
        assert_int_equal(uv_thread_join(&tid[th]), 0);
    }
    assert_int_equal(f->ran, 2 * FLOOD_PER_THREAD);
    assert_true(f->in_order);
    assert_null(f->wrong_thread);
    rx_scheduler_release(f->s);
    free(f);
    close_loop(&loop);
}

/* ---- the pool ---------------------------------------------------------- */

struct pool_job {
    rx__task task;
    uv_sem_t done;
    const void *thread;
};

static void
pool_job_run(rx__task *t)
{
    struct pool_job *j = (struct pool_job *)t;

    j->thread = &here;
    uv_sem_post(&j->done);
}

static void
test_pool_runs_posted_work_on_its_workers(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(2);
    struct pool_job j[4];

    (void)state;
    assert_non_null(pool);
    assert_false(rx__sched_is_current(pool));
    assert_ptr_not_equal(rx__sched_pick(pool), rx__sched_pick(pool));
    for (int i = 0; i < 4; i++) {
        rx__task_init(&j[i].task, NULL, pool_job_run);
        assert_int_equal(uv_sem_init(&j[i].done, 0), 0);
        assert_int_equal(rx__post(pool, &j[i].task), 0);
    }
    for (int i = 0; i < 4; i++) {
        uv_sem_wait(&j[i].done);
        assert_ptr_not_equal(j[i].thread, &here);
        uv_sem_destroy(&j[i].done);
    }
    rx_scheduler_release(pool); /* stops and joins the workers */
}

static void
test_pool_rejects_bad_sizes(void **state)
{
    (void)state;
    assert_null(rx_scheduler_pool(0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_scheduler_pool"));
    assert_null(rx_scheduler_pool(257));
}

/* A pool whose workers cannot all start (allocation failure in a
 * worker's loop scheduler or in the pool) returns NULL with RX_ENOMEM,
 * stops the workers that did start, and leaks nothing. */
static void
pool_under_oom(bool failed, void *ctx)
{
    rx_scheduler *p = rx_scheduler_pool(3);

    (void)ctx;
    if (p == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    rx_scheduler_release(p);
}

static void
test_pool_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(pool_under_oom, NULL) > 3);
}

/* The last reference to a pool dropped by a task on one of its own
 * workers: a worker cannot join itself, so a reaper thread joins them
 * all and frees the pool. */
struct self_release {
    rx__task task;
    rx_scheduler *pool;
    atomic_bool on_worker;
};

static void
self_release_run(rx__task *t)
{
    struct self_release *r = (struct self_release *)t;

    atomic_store(&r->on_worker, rx__sched_is_current(r->pool));
    rx_scheduler_release(r->pool);
}

static void
test_pool_released_on_its_own_worker_is_reaped(void **state)
{
    struct self_release r;
    long spins = 0;

    (void)state;
    memset(&r, 0, sizeof r);
    r.pool = rx_scheduler_pool(2);
    assert_non_null(r.pool);
    rx__task_init(&r.task, NULL, self_release_run);
    assert_int_equal(rx__post(rx__sched_pick(r.pool), &r.task), 0);
    /* Not a timed wait: the reaper frees the pool when it has joined
     * both workers; the count of live objects says when. */
    while (rx_live_objects() != 0 && spins++ < 100000000) {
        sched_yield();
    }
    assert_int_equal(rx_live_objects(), 0);
    assert_true(atomic_load(&r.on_worker));
}

/* ---- rx_test_run ------------------------------------------------------ */

static void
test_test_run_advances_virtual_time_when_the_loop_is_idle(void **state)
{
    uv_loop_t loop;
    rx_scheduler *vs = rx_scheduler_virtual();
    struct probe p[2];
    int log[4];
    uint64_t times[4];
    size_t n = 0;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    probe_init(&p[0], vs, 0, log, &n, times);
    probe_init(&p[1], vs, 1, log, &n, times);
    rx__schedule(vs, &p[0].task, 1000);
    rx__schedule(vs, &p[1].task, 5000);
    assert_int_equal(rx_test_run(&loop, vs, 2000), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rx_scheduler_now(vs), 2000);
    assert_int_equal(rx_test_run(&loop, vs, 10000), 0);
    assert_int_equal(n, 2);
    assert_int_equal(times[1], 5000);
    assert_int_equal(rx_test_run(NULL, vs, 1), RX_EINVAL);
    rx_scheduler_release(vs);
    close_loop(&loop);
}

/* ---- cross-thread cancel wakes an idle pipeline ----------------------- */

/* A source that binds its pipeline to a loop scheduler, keeps the loop
 * alive, and waits; only a cancel ends it. */
struct idle_stage {
    rx__stage base;
    rx_scheduler *s;
    bool held;
};

static bool
idle_on_next(rx__stage *self, rx_value v)
{
    (void)self;
    (void)v;
    return false;
}

static void
idle_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
idle_cancel(rx__stage *self)
{
    struct idle_stage *st = (struct idle_stage *)self;

    if (st->held) {
        st->held = false;
        rx__sched_unhold(st->s);
    }
}

static void
idle_start(rx__stage *self)
{
    struct idle_stage *st = (struct idle_stage *)self;

    rx__pipeline_bind(self->pipe, st->s);
    rx__sched_hold(st->s);
    st->held = true;
}

static const struct rx__stage_ops idle_ops = {
    .on_next = idle_on_next,
    .request = idle_request,
    .cancel = idle_cancel,
    .start = idle_start,
};

struct idle_obs {
    rx_observable base;
    rx_scheduler *s;
};

static int
idle_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct idle_stage *st =
        rx__stage_new(pipe, &idle_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->s = ((struct idle_obs *)self)->s;
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops idle_obs_ops = {.assemble = idle_assemble};

static void
remote_cancel(void *arg)
{
    rx_cancel(arg);
}

static void
test_cancel_from_another_thread_wakes_an_idle_pipeline(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    struct idle_obs *o;
    rx_subscription *sub;
    rx_observer obs = {.on_finally = NULL};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    uv_thread_t tid;

    (void)state;
    (void)obs;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx__observable_new(RX_SITE("idle"), &idle_obs_ops, sizeof *o, NULL);
    o->s = s;
    assert_int_equal(rx_test_subscribe(&o->base, t), 0);
    rx_observable_release(&o->base);
    sub = rx_test_subscription(t);
    assert_int_equal(uv_thread_create(&tid, remote_cancel, sub), 0);
    /* Without the wake-up this would never return: the stage holds the
     * loop until a cancel reaches it. */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_get_counts(t).finallies, 1);
    rx_test_observer_free(t);
    rx_scheduler_release(s);
    close_loop(&loop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_virtual_runs_tasks_in_time_order_fifo_at_equal_times),
        rx_unit_test(test_periodic_tasks_do_not_drift_and_can_stop_themselves),
        rx_unit_test(test_step_limit_stops_a_runaway_periodic_task),
        rx_unit_test(
            test_unschedule_is_idempotent_and_rescheduling_moves_a_task),
        rx_unit_test(test_bad_virtual_calls_fail_cleanly),
        rx_unit_test(
            test_virtual_scheduler_released_with_work_pending_leaks_nothing),
        rx_unit_test(test_immortal_schedulers_ignore_refcounts),
        rx_unit_test(
            test_trampoline_queues_nested_work_behind_the_running_task),
        rx_unit_test(
            test_loop_scheduler_is_one_per_loop_and_runs_timers_in_order),
        rx_unit_test(test_loop_scheduler_idle_does_not_keep_the_loop_alive),
        rx_unit_test(test_a_post_from_another_thread_runs_on_the_loop),
        rx_unit_test(
            test_loop_scheduler_released_on_another_thread_closes_on_its_loop),
        rx_unit_test(
            test_loop_scheduler_runs_a_post_made_while_busy_before_blocking),
        rx_unit_test(
            test_loop_scheduler_runs_posts_from_two_threads_once_each_in_order),
        rx_unit_test(test_pool_runs_posted_work_on_its_workers),
        rx_unit_test(test_pool_rejects_bad_sizes),
        rx_unit_test(test_pool_survives_every_allocation_failure),
        rx_unit_test(test_pool_released_on_its_own_worker_is_reaped),
        rx_unit_test(test_test_run_advances_virtual_time_when_the_loop_is_idle),
        rx_unit_test(test_cancel_from_another_thread_wakes_an_idle_pipeline),
        rx_unit_test(
            test_loop_scheduler_released_runs_tasks_posted_after_the_loop_stopped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
