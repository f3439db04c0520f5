/* SPDX-License-Identifier: MIT */
/*
 * The private side of schedulers: tasks that stages embed, and the calls
 * time operators and thread hops use to run them.
 *
 * A task is an intrusive node: a stage embeds a struct rx__task and asks
 * a scheduler to run it after a delay, periodically, or as soon as
 * possible. No allocation happens per task (the scheduler's timer heap
 * grows in blocks, and that growth is the only failure point of
 * rx__schedule()). A task runs on the scheduler's thread, inside a frame
 * of its pipeline, so the pipeline cannot be freed under it.
 *
 * Ownership rules. rx__schedule() and rx__unschedule() are called on the
 * scheduler's own thread (the stage's owner thread): a loop scheduler's
 * loop thread, or the thread driving a virtual scheduler. A stage cancels
 * its tasks when it is cancelled or terminates, and at the latest in its
 * teardown; a pending task never outlives its stage.
 */
#ifndef UVRX_RX_SCHED_H
#define UVRX_RX_SCHED_H

#include "rx-internal.h"

/* Prepares a task (once, at stage assembly). */
void rx__task_init(rx__task *t, rx__pipeline *pipe, rx__task_fn run);

/* Runs a task inside a frame of its pipeline (adopting the reference a
 * post took). The task and its pipeline may be freed when this returns. */
void rx__task_run(rx__task *t);

/* The scheduler itself; NULL stands for the default scheduler (returned
 * borrowed; created on first use, which can fail: NULL and last error). */
rx_scheduler *rx__sched_resolve(rx_scheduler *s);

/* Whether the scheduler has timers (loop, pool, virtual). */
bool rx__sched_timed(const rx_scheduler *s);

/* For a pool, the worker scheduler a new subscription should pin
 * (round-robin; borrowed); any other scheduler returns itself. */
rx_scheduler *rx__sched_pick(rx_scheduler *s);

/* Whether work scheduled on `s` runs on the calling thread (loop
 * scheduler of this thread's loop, virtual, trampoline, immediate). */
bool rx__sched_is_current(const rx_scheduler *s);

/* Runs `t` once after `delay_ms` (0: as soon as possible, after the
 * current callback). Owner thread of `s` only. Returns 0, RX_EINVAL for
 * a negative delay or a delay > 0 on an untimed scheduler, RX_ENOMEM. A
 * task already scheduled is rescheduled. */
int rx__schedule(rx_scheduler *s, rx__task *t, int64_t delay_ms);

/* Runs `t` at start + k * period for k = 1, 2, ... (start = now +
 * initial_ms - period_ms, so the first run is after initial_ms) until
 * unscheduled, without drift. period_ms > 0. */
int rx__schedule_periodic(rx_scheduler *s, rx__task *t, int64_t initial_ms,
                          int64_t period_ms);

/* Cancels a pending task; a no-op when it is not pending. Owner thread
 * only. A periodic task may call it from its own run(). */
void rx__unschedule(rx__task *t);

/* Runs `t` as soon as possible on `s`'s thread; callable from any
 * thread. The caller keeps `t` (and its pipeline) alive until it runs.
 * Returns 0, or RX_EINVAL for a scheduler that cannot take work from
 * other threads (virtual, trampoline, immediate: they run it at once or
 * queue it, which only their own thread may do). */
int rx__post(rx_scheduler *s, rx__task *t);

/* Keeps the scheduler's loop alive while a producer on another thread
 * may still post to it (uv_ref on its async handle); balanced by
 * rx__sched_unhold(). Loop thread only; no-op for other kinds. */
void rx__sched_hold(rx_scheduler *s);
void rx__sched_unhold(rx_scheduler *s);

/* The error a source that cannot slow down signals when it must emit
 * without demand (protocol rule 7): RX_EBACKPRESSURE, naming the
 * source's assembly site and suggesting the backpressure operators. */
rx_error *rx__backpressure_error(const rx_site *site);

/* Binds a pipeline to the loop scheduler of its owner thread, so that
 * rx_cancel() from another thread can wake that loop. Called by stages
 * that use a loop scheduler; the last binding wins (a thread hop such
 * as subscribe_on moves the pipeline to another scheduler). */
void rx__pipeline_bind(rx__pipeline *pipe, rx_scheduler *s);

/* A one-shot timer run inside the stage that receives it (merge's inner
 * receiver) instead of by a stage of its own: the receiver embeds the
 * task and always has demand for the one item, so the timer can never
 * fail with RX_EBACKPRESSURE. When the task runs, the receiver takes
 * rx_int(0) then the completion, as from a timer stage.
 *
 * rx__timer_is_oneshot(): whether `src` is an rx_timer() (not an
 * interval).
 *
 * rx__timer_arm(): `stage->obs` is such a timer (retained by the stage,
 * which keeps its scheduler alive) and `task` was initialised by the
 * caller (rx__task_init) for `stage->pipe`. Schedules the task on the
 * timer's scheduler, as a timer stage does when it starts, and returns 0
 * with `*err` NULL; or 0 with `*err` set to the error a timer stage
 * would signal instead (another thread's scheduler: RX_EINVAL; out of
 * memory: RX_ENOMEM), task not scheduled; or RX_ENOMEM with `*err` NULL
 * when the default scheduler cannot be created (assembling a timer stage
 * fails the same way). Owner thread only; the caller unschedules the
 * task when it drops the receiver. */
bool rx__timer_is_oneshot(const rx_observable *src);
int rx__timer_arm(rx__stage *stage, rx__task *task, rx_error **err);

#endif /* UVRX_RX_SCHED_H */
