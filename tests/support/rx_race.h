/* SPDX-License-Identifier: MIT */
/*
 * The race harness: run a scenario many times with two or more threads
 * released together, so the calls they make really overlap, and tear each
 * run down completely before the next.
 *
 * A scenario has three parts. `setup` runs on the test thread and builds
 * the pipeline, usually on one or two loops that run on threads of their
 * own (rx_race_loop). The actors then run at once: each is a thread of a
 * team that waits at a spin barrier until every member has arrived, then
 * waits a short pseudo-random time (none in half the runs) so the
 * overlap shifts from run to run, then calls `act`. `finish` runs on the
 * test thread after every actor returned: it disposes what is left, stops
 * the loops (joining their threads, so everything they did is visible),
 * and checks the recording. After `finish` the harness checks
 * rx_live_objects() is zero, so a run that leaks fails at once, naming
 * the run.
 *
 * The number of runs is 2,500 per scenario, or the value of the
 * environment variable UVRX_RACE_ITERATIONS for long runs by hand:
 *
 *     UVRX_RACE_ITERATIONS=100000 ctest --preset tsan -R race_
 *
 * Each scenario prints one line, `RACE name=... iterations=... ms=...`,
 * for docs/reliability.md. Only calls DESIGN.md section 4 allows from
 * another thread are made there: rx_cancel(), rx_dispose(), the inlet's
 * producer calls, refcount releases; anything else goes to the owner
 * thread through rx_race_loop_call().
 */
#ifndef UVRX_TESTS_RX_RACE_H
#define UVRX_TESTS_RX_RACE_H

#include <stdatomic.h>

#include "rx_test.h"

/* ---- a libuv loop on a thread of its own ------------------------------ */

/* A loop running on its own thread, with its loop scheduler held alive
 * until rx_race_loop_stop(). */
typedef struct rx_race_loop {
    uv_thread_t tid;
    uv_loop_t loop;
    rx_scheduler *sched; /* the loop's scheduler, borrowed by scenarios */
    uv_sem_t ready;
    int close_rc; /* what uv_loop_close() returned on the thread */
} rx_race_loop;

/* Starts the thread; returns once its scheduler exists. */
void rx_race_loop_start(rx_race_loop *l);

/* Runs fn(ctx) on the loop's thread and waits until it returned. */
void rx_race_loop_call(rx_race_loop *l, void (*fn)(void *ctx), void *ctx);

/* Calls done(ctx) on the loop's thread, again and again, until it
 * returns true: waits for something that happens on that thread without
 * reading its state from another. */
void rx_race_loop_await(rx_race_loop *l, bool (*done)(void *ctx), void *ctx);

/* Waits until the test subscriber `t`, whose signals arrive on the loop's
 * thread, has had its terminal signal, then disposes its handle there. */
void rx_race_loop_end(rx_race_loop *l, rx_test_observer *t);

/* Disposes the test subscriber's handle on the loop's thread (its
 * pipeline is then freed there, where it lives). */
void rx_race_loop_dispose(rx_race_loop *l, rx_test_observer *t);

/* Lets the loop go: drops the harness's hold and reference on the
 * scheduler (on the loop's thread), waits until the loop has nothing left
 * to run and joins the thread; fails the test unless uv_loop_close()
 * returned 0 there. Dispose every subscription that keeps it busy
 * first. */
void rx_race_loop_stop(rx_race_loop *l);

/* ---- scenarios ------------------------------------------------------- */

/* An actor: `who` is its index in the team, 0 to actors - 1. */
typedef void (*rx_race_actor_fn)(int who, void *ctx);

typedef struct rx_race_case {
    const char *name;          /* for the RACE line and failures */
    int actors;                /* 2 to 8 threads released together */
    void (*setup)(void *ctx);  /* test thread, before each run */
    rx_race_actor_fn act;      /* on every actor, at once */
    void (*finish)(void *ctx); /* test thread, after the actors */
    void *ctx;
} rx_race_case;

/* The number of runs: UVRX_RACE_ITERATIONS when set to a positive
 * number, else 2,500. */
long rx_race_iterations(void);

/* The index of the run in progress (for per-run variation). */
long rx_race_run_index(void);

/* Runs the scenario rx_race_iterations() times and prints its RACE
 * line. Fails the test when a run leaves uvrx objects alive. */
void rx_race_run(const rx_race_case *c);

/* ---- small helpers --------------------------------------------------- */

/* Counts errors sent to the undeliverable handler, from any thread (the
 * rx_test.h capture is for one thread). rx_race_undeliverable() returns
 * how many arrived since the last call. */
void rx_race_capture_undeliverable(void);
int rx_race_undeliverable(void);

/* A pseudo-random number in [0, n), different in every run and actor. */
uint32_t rx_race_rand(int who, uint32_t n);

/* Pushes first, first + 1, ... up to count values into an inlet,
 * retrying (with sched_yield) while the queue is full; stops at the
 * first other refusal. Returns how many were accepted. */
int64_t rx_race_push(rx_inlet *in, int64_t first, int64_t count);

/* The recording is exactly the integers first, first + 1, ..., in
 * order (any number of them, up to `most`) and the protocol held. */
#define assert_rx_race_run(t, first, most)                                     \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!rx_race_check_run((t), (first), (most), why_, sizeof why_)) {     \
            fail_msg("run %ld: %s", rx_race_run_index(), why_);                \
        }                                                                      \
    } while (0)

bool rx_race_check_run(const rx_test_observer *t, int64_t first, size_t most,
                       char *why, size_t cap);

#endif /* UVRX_TESTS_RX_RACE_H */
