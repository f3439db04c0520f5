/* SPDX-License-Identifier: MIT */
/*
 * What the time sources and operators share: checking the scheduler and
 * durations a constructor is given, resolving the scheduler when a
 * subscription starts, and the error for emitting without demand.
 *
 * A time observable keeps the scheduler it was given (retained, or NULL
 * for the default) and resolves it only when a subscription starts, so
 * building a pipeline never creates the default scheduler.
 */
#ifndef UVRX_TIME_INTERNAL_H
#define UVRX_TIME_INTERNAL_H

#include "rx-internal.h"
#include "rx-sched.h"

/* Checks a duration and a scheduler given to constructor `fn`: `ms` must
 * be >= `min` (0 or 1) and `sched` NULL or timed. On failure sets the
 * last error (naming `fn` and `what`) and returns false. */
bool rx__time_args_ok(const char *fn, const char *what, int64_t ms, int64_t min,
                      const rx_scheduler *sched);

/* The scheduler a stage will use, resolved while it is assembled:
 * `sched`, or the default scheduler when NULL (created on first use).
 * Borrowed: the observable, or the runtime for the default, keeps it
 * alive while the stage lives. NULL with the last error set (RX_ENOMEM)
 * when the default scheduler cannot be created. */
rx_scheduler *rx__time_sched_resolve(rx_scheduler *sched);

/* Called when the stage starts: checks that the scheduler runs its work on this
 * thread (the stage's owner thread) and binds the pipeline to it, so a cancel
 * from another thread can wake it. Returns the scheduler to use, or NULL with
 * `*err` set to the error to signal (RX_EINVAL). */
rx_scheduler *rx__time_sched_start(rx__stage *stage, rx_scheduler *sched,
                                   rx_error **err);

/* The error a stage signals when it must emit without demand. */
static inline rx_error *
rx__time_backpressure(const rx__stage *stage)
{
    return rx__backpressure_error(rx__stage_site(stage));
}

/* An out-of-memory error naming the stage's operator. */
rx_error *rx__time_oom(const rx__stage *stage);

/* ---- emitting groups (buffer_n, window_n) ------------------------------ */

/* An outbox (rx__outbox) that also keeps the upstream fed when the
 * downstream drops what it is given: each emission the downstream did
 * not consume (a fused filter below returned false) asks the upstream for
 * `refill` more items, the items one more group needs, so the demand it
 * left open is served. */
typedef struct rx__gbox {
    rx__demand d;
    rx__vqueue q;
    bool complete_pending; /* complete once the queue drained */
    rx__stage *stage;      /* the stage emitting */
    int64_t refill;        /* items per replacement group; 0 once the
                              upstream has ended */
} rx__gbox;

void rx__gbox_init(rx__gbox *o, rx__stage *stage, int64_t refill);
/* Queues v (taken) and drains. An invalid v or a failed allocation
 * cancels the upstream and signals RX_ENOMEM. Returns false when the
 * stream has ended (then or before). */
bool rx__gbox_push(rx__gbox *o, rx_value v);
/* Completion goes down once the queue is empty. */
void rx__gbox_complete(rx__gbox *o);
/* Drops the queue and signals `err` (borrowed) now. */
void rx__gbox_error(rx__gbox *o, const rx_error *err);
void rx__gbox_request(rx__gbox *o, int64_t n);
/* Drops the queue; nothing more goes down. */
void rx__gbox_cancel(rx__gbox *o);
void rx__gbox_start(rx__gbox *o);

/* How many items to ask the upstream for when the downstream asks for
 * `n` more groups of `count` items starting every `skip` items; `first`
 * for the first request (RxJava's buffer(count, skip) arithmetic,
 * saturating at RX_UNBOUNDED). */
int64_t rx__groups_upstream(int64_t n, int64_t count, int64_t skip, bool first);

#endif /* UVRX_TIME_INTERNAL_H */
