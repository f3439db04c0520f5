/* SPDX-License-Identifier: MIT */
/*
 * The race harness (rx_race.h): loops on threads of their own, a team of
 * actor threads released together at a spin barrier, and the loop that
 * runs a scenario many times with a leak check after each run.
 *
 * The actors are made once per scenario, not once per run: starting
 * threads costs more than most runs, and the barrier, not the thread
 * start, is what makes the calls overlap. The loops are made once per
 * run, because a run is torn down completely: its loop schedulers are
 * uvrx objects and count in rx_live_objects().
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "rx-sched.h"
#include "rx_race.h"

#define MAX_ACTORS 8
#define DEFAULT_ITERATIONS 2500

/* ---- loops ------------------------------------------------------------ */

static void
loop_main(void *arg)
{
    rx_race_loop *l = arg;
    int rc = uv_loop_init(&l->loop);

    if (rc == 0) {
        l->sched = rx_scheduler_loop(&l->loop);
        if (l->sched != NULL) {
            rx__sched_hold(l->sched); /* until rx_race_loop_stop() */
        }
    }
    l->close_rc = rc;
    uv_sem_post(&l->ready);
    if (rc != 0 || l->sched == NULL) {
        return;
    }
    /* Runs until the stop task let go of the scheduler and the last
     * handles closed; a second pass runs close callbacks queued by the
     * end of the first. */
    uv_run(&l->loop, UV_RUN_DEFAULT);
    uv_run(&l->loop, UV_RUN_DEFAULT);
    l->close_rc = uv_loop_close(&l->loop);
}

void
rx_race_loop_start(rx_race_loop *l)
{
    memset(l, 0, sizeof *l);
    assert_int_equal(uv_sem_init(&l->ready, 0), 0);
    assert_int_equal(uv_thread_create(&l->tid, loop_main, l), 0);
    uv_sem_wait(&l->ready);
    assert_int_equal(l->close_rc, 0);
    assert_non_null(l->sched);
}

struct loop_call {
    rx__task task; /* first: the task is the call */
    void (*fn)(void *ctx);
    void *ctx;
    uv_sem_t done;
};

static void
loop_call_run(rx__task *t)
{
    struct loop_call *c = (struct loop_call *)t;

    c->fn(c->ctx);
    uv_sem_post(&c->done);
}

void
rx_race_loop_call(rx_race_loop *l, void (*fn)(void *ctx), void *ctx)
{
    struct loop_call c;

    rx__task_init(&c.task, NULL, loop_call_run);
    c.fn = fn;
    c.ctx = ctx;
    assert_int_equal(uv_sem_init(&c.done, 0), 0);
    assert_int_equal(rx__post(l->sched, &c.task), 0);
    uv_sem_wait(&c.done);
    uv_sem_destroy(&c.done);
}

struct await {
    bool (*done)(void *ctx);
    void *ctx;
    bool result;
};

static void
await_once(void *ctx)
{
    struct await *a = ctx;

    a->result = a->done(a->ctx);
}

void
rx_race_loop_await(rx_race_loop *l, bool (*done)(void *ctx), void *ctx)
{
    struct await a = {done, ctx, false};

    for (;;) {
        rx_race_loop_call(l, await_once, &a);
        if (a.result) {
            return;
        }
        sched_yield();
    }
}

static bool
has_ended(void *ctx)
{
    return rx_test_get_counts(ctx).terminals > 0;
}

static void
dispose_on_loop(void *ctx)
{
    rx_test_dispose(ctx);
}

void
rx_race_loop_end(rx_race_loop *l, rx_test_observer *t)
{
    rx_race_loop_await(l, has_ended, t);
    rx_race_loop_call(l, dispose_on_loop, t);
}

void
rx_race_loop_dispose(rx_race_loop *l, rx_test_observer *t)
{
    rx_race_loop_call(l, dispose_on_loop, t);
}

static void
loop_let_go(void *ctx)
{
    rx_race_loop *l = ctx;

    rx__sched_unhold(l->sched);
    rx_scheduler_release(l->sched);
}

void
rx_race_loop_stop(rx_race_loop *l)
{
    struct loop_call c;

    /* Not rx_race_loop_call(): the loop may end, and free the scheduler
     * the task came through, right after the task ran. */
    rx__task_init(&c.task, NULL, loop_call_run);
    c.fn = loop_let_go;
    c.ctx = l;
    assert_int_equal(uv_sem_init(&c.done, 0), 0);
    assert_int_equal(rx__post(l->sched, &c.task), 0);
    uv_sem_wait(&c.done);
    uv_sem_destroy(&c.done);
    assert_int_equal(uv_thread_join(&l->tid), 0);
    uv_sem_destroy(&l->ready);
    l->sched = NULL;
    if (l->close_rc != 0) {
        fail_msg("run %ld: a loop still had open handles at its end (%s)",
                 rx_race_run_index(), uv_err_name(l->close_rc));
    }
}

/* ---- the team of actors ----------------------------------------------- */

struct team;

struct member {
    struct team *team;
    int who;
    uv_thread_t tid;
    uv_sem_t start;
};

struct team {
    int n;
    struct member m[MAX_ACTORS];
    uv_sem_t done;
    atomic_int arrived; /* members at the barrier in this run */
    rx_race_actor_fn act;
    void *ctx;
    bool quit;
};

static long run_index;

/* Spins for roughly `n` cheap steps: the per-run offset between actors. */
static void
skew(uint32_t n)
{
    static atomic_uint sink;

    for (uint32_t i = 0; i < n; i++) {
        atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
    }
}

static void
member_main(void *arg)
{
    struct member *m = arg;
    struct team *t = m->team;

    for (;;) {
        uv_sem_wait(&m->start);
        if (t->quit) {
            return;
        }
        atomic_fetch_add(&t->arrived, 1);
        /* The barrier: spin, so every member leaves it within a few
         * instructions of the last arrival; yield now and then, since
         * the machine may have fewer cores than the team has threads. */
        for (unsigned spins = 0; atomic_load(&t->arrived) < t->n; spins++) {
            if ((spins & 255) == 255) {
                sched_yield();
            }
        }
        if (rx_race_rand(m->who, 2) == 1) {
            skew(rx_race_rand(m->who + MAX_ACTORS, 4000));
        }
        t->act(m->who, t->ctx);
        uv_sem_post(&t->done);
    }
}

static struct team *
team_new(int n)
{
    struct team *t = calloc(1, sizeof *t);

    assert_non_null(t);
    assert_true(n >= 2 && n <= MAX_ACTORS);
    t->n = n;
    assert_int_equal(uv_sem_init(&t->done, 0), 0);
    atomic_init(&t->arrived, 0);
    for (int i = 0; i < n; i++) {
        t->m[i].team = t;
        t->m[i].who = i;
        assert_int_equal(uv_sem_init(&t->m[i].start, 0), 0);
        assert_int_equal(uv_thread_create(&t->m[i].tid, member_main, &t->m[i]),
                         0);
    }
    return t;
}

/* One run: releases every member, returns once all have acted. The
 * semaphores order the setup before the actors and the actors before
 * the finish. */
static void
team_go(struct team *t, rx_race_actor_fn act, void *ctx)
{
    t->act = act;
    t->ctx = ctx;
    atomic_store(&t->arrived, 0);
    for (int i = 0; i < t->n; i++) {
        uv_sem_post(&t->m[i].start);
    }
    for (int i = 0; i < t->n; i++) {
        uv_sem_wait(&t->done);
    }
}

static void
team_free(struct team *t)
{
    t->quit = true;
    for (int i = 0; i < t->n; i++) {
        uv_sem_post(&t->m[i].start);
    }
    for (int i = 0; i < t->n; i++) {
        uv_thread_join(&t->m[i].tid);
        uv_sem_destroy(&t->m[i].start);
    }
    uv_sem_destroy(&t->done);
    free(t);
}

/* ---- runs ------------------------------------------------------------- */

long
rx_race_iterations(void)
{
    const char *s = getenv("UVRX_RACE_ITERATIONS");
    char *end = NULL;
    long n;

    if (s == NULL || *s == '\0') {
        return DEFAULT_ITERATIONS;
    }
    n = strtol(s, &end, 10);
    return end != NULL && *end == '\0' && n > 0 ? n : DEFAULT_ITERATIONS;
}

long
rx_race_run_index(void)
{
    return run_index;
}

uint32_t
rx_race_rand(int who, uint32_t n)
{
    /* A hash of (run, actor): reproducible for a given run index. */
    uint64_t x = (uint64_t)run_index * 0x9E3779B97F4A7C15u +
                 (uint64_t)(who + 1) * 0xBF58476D1CE4E5B9u;

    x ^= x >> 31;
    x *= 0x94D049BB133111EBu;
    x ^= x >> 29;
    return n == 0 ? 0 : (uint32_t)(x % n);
}

void
rx_race_run(const rx_race_case *c)
{
    long iterations = rx_race_iterations();
    struct team *t = team_new(c->actors);
    uint64_t t0 = uv_hrtime();

    for (run_index = 0; run_index < iterations; run_index++) {
        int64_t live;
        c->setup(c->ctx);
        team_go(t, c->act, c->ctx);
        c->finish(c->ctx);
        live = rx_live_objects();
        if (live != 0) {
            team_free(t);
            fail_msg("%s: run %ld left %lld uvrx objects alive", c->name,
                     run_index, (long long)live);
        }
    }
    team_free(t);
    printf("RACE name=%s actors=%d iterations=%ld ms=%.0f\n", c->name,
           c->actors, iterations, (double)(uv_hrtime() - t0) / 1e6);
    fflush(stdout);
}

/* ---- helpers ---------------------------------------------------------- */

static atomic_int undeliverable;

static void
count_undeliverable(const rx_error *err, void *ctx)
{
    (void)err;
    (void)ctx;
    atomic_fetch_add(&undeliverable, 1);
}

void
rx_race_capture_undeliverable(void)
{
    atomic_store(&undeliverable, 0);
    rx_set_undeliverable_handler(count_undeliverable, NULL);
}

int
rx_race_undeliverable(void)
{
    return atomic_exchange(&undeliverable, 0);
}

int64_t
rx_race_push(rx_inlet *in, int64_t first, int64_t count)
{
    int64_t accepted = 0;

    for (int64_t i = first; i < first + count; i++) {
        int rc;
        while ((rc = rx_inlet_try_emit(in, rx_int(i))) == RX_EBACKPRESSURE) {
            sched_yield();
        }
        if (rc != 0) {
            break;
        }
        accepted++;
    }
    return accepted;
}

bool
rx_race_check_run(const rx_test_observer *t, int64_t first, size_t most,
                  char *why, size_t cap)
{
    size_t n = rx_test_count(t);

    if (!rx_test_check_protocol(t, why, cap)) {
        return false;
    }
    if (n > most) {
        snprintf(why, cap, "%zu items, expected at most %zu", n, most);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        rx_value v = rx_test_value(t, i);
        if (!rx_is_int(v) || rx_as_int(v) != first + (int64_t)i) {
            snprintf(why, cap, "item %zu is not %lld", i,
                     (long long)(first + (int64_t)i));
            return false;
        }
    }
    return true;
}
