/* SPDX-License-Identifier: MIT */
/*
 * What the time sources and operators share: checking the scheduler and
 * durations a constructor is given, resolving the scheduler when a
 * subscription starts, and the error for emitting without demand. Also
 * what buffer.c and window.c share: the group outbox, the ring of open
 * groups and the stages of the count/skip and the span operators.
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

/* ---- buffer_n and window_n: groups of count items every skip ----------- */

/* A ring of open groups, oldest first: `size`-byte slots whose type the
 * operator knows (a bucket of items, an open window). */
typedef struct rx__gring {
    unsigned char *slots; /* owned; cap slots */
    size_t size;          /* bytes per slot */
    size_t cap;           /* a power of two, or 0 */
    size_t head;
    size_t len;
} rx__gring;

/* The i-th open group (0: the oldest); i < len. */
void *rx__gring_at(const rx__gring *r, size_t i);
/* Makes room for one more group; RX_ENOMEM when that fails (the ring is
 * unchanged). */
int rx__gring_reserve(rx__gring *r);
/* Adds a zeroed group at the end, after rx__gring_reserve() succeeded,
 * and returns it. */
void *rx__gring_append(rx__gring *r);
/* Takes the oldest group off the ring (the caller has taken what it
 * owned). */
void rx__gring_drop_front(rx__gring *r);
/* Frees the slots (the caller has taken what they owned) and empties
 * the ring. */
void rx__gring_free(rx__gring *r);

/* The stage of buffer_n and window_n. The operator keeps one slot type
 * in `ring` and gives the stage its own on_next, on_error, on_complete,
 * cancel and teardown; request and start are rx__groups_request() and
 * rx__groups_start(). */
typedef struct rx__groups_stage {
    rx__stage base;
    rx__gbox out;
    rx__gring ring; /* open groups, oldest first */
    int64_t count;
    int64_t skip;
    int64_t index;       /* position of the next item within skip */
    bool requested_once; /* the first request went up */
    bool done;           /* the upstream ended, or the stream stopped */
} rx__groups_stage;

/* What a groups operator is: its name for argument errors, its stage's
 * ops and the size of one slot of its ring. */
typedef struct rx__groups_kind {
    const char *fn;
    const struct rx__stage_ops *ops;
    size_t slot_size;
} rx__groups_kind;

/* An observable of `kind` over `src` (taken) with groups of `count`
 * items starting every `skip`; NULL with the last error set (RX_EINVAL
 * when count or skip is not positive, RX_ENOMEM). */
rx_observable *rx__groups_new(const rx_site *site, rx_observable *src,
                              int64_t count, int64_t skip,
                              const rx__groups_kind *kind);

/* Moves `index` on by one item (every skip-th item, index 0, opens a
 * group). */
void rx__groups_advance(rx__groups_stage *st);

/* The request and start ops of every groups stage: n groups become the
 * items they need from the upstream; the outbox starts, then the
 * upstream. */
void rx__groups_request(rx__stage *self, int64_t n);
void rx__groups_start(rx__stage *self);

/* ---- buffer_time and window_time: a group every span ------------------- */

/* The stage of buffer_time and window_time: a periodic task closes the
 * current group and starts the next. The operator's stage embeds it
 * first; request is rx__span_request(). */
typedef struct rx__span_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    int64_t requested;   /* outstanding downstream demand */
    bool done;           /* a terminal signal went down, or cancelled */
} rx__span_stage;

/* What a span operator is: its name for argument errors, its stage's ops
 * and size, and the task that runs every span. */
typedef struct rx__span_kind {
    const char *fn;
    const struct rx__stage_ops *ops;
    size_t stage_size;
    rx__task_fn run;
} rx__span_kind;

/* An observable of `kind` over `src` (taken) with a period of `span_ms`
 * on `sched` (retained; NULL for the default); NULL with the last error
 * set (RX_EINVAL for a span below 1 or an untimed scheduler, RX_ENOMEM). */
rx_observable *rx__span_new(const rx_site *site, rx_observable *src,
                            int64_t span_ms, rx_scheduler *sched,
                            const rx__span_kind *kind);

/* The span stage that owns task `t`. */
rx__span_stage *rx__span_of(rx__task *t);

/* Checks the scheduler on the subscribing thread and schedules the task
 * every span. Returns NULL, or the error (owned) to fail with. */
rx_error *rx__span_schedule(rx__span_stage *st);

/* Emits v (taken), counting it against the demand. Returns false when
 * the stream ended (then or before). */
bool rx__span_emit(rx__span_stage *st, rx_value v);

/* The request op of every span stage: adds to the demand. */
void rx__span_request(rx__stage *self, int64_t n);

#endif /* UVRX_TIME_INTERNAL_H */
