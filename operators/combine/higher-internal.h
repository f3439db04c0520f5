/* SPDX-License-Identifier: MIT */
/*
 * What the higher-order operators (include/uvrx/higher.h) share: a
 * receiver stage for inner sources (inner.c), a unicast buffer that
 * carries groups and windows (unicast.c), and a stall clock (stall.c).
 * Private to operators/combine/.
 *
 * Inner receivers (rx__hin). An operator that subscribes observables of
 * its own (switch_map's inners, expand's levels, window_boundary's
 * boundary) gives each one a receiver stage, allocated per inner with
 * rx__stage_new, with the inner's chain assembled above it (base.up), as
 * merge.c does. The receiver forwards the inner's signals to the
 * operator through three callbacks, counting the calls on the stack
 * (`busy`) so the operator knows whether the chain may be freed now
 * (rx__stage_free_chain) or must wait for the outermost frame
 * (rx__stage_retire_chain): rx__hin_drop() picks. Receivers link into an
 * rx__hin_list, a doubly linked list, so adding and removing one is O(1)
 * with no search and no copy.
 *
 * Unicast buffers (rx__ubuf). A group of group_by and a window of
 * window_boundary is an observable kind that one subscriber may attach
 * to: the producing stage pushes items and a terminal signal into it,
 * and the subscriber's stage (in whichever pipeline subscribed) drains
 * them as it requests. Delivery from the producer runs inside a frame of
 * the subscriber's pipeline, so what it finishes there is freed when the
 * frame exits. The producer learns what happens on the other side
 * through hooks: items consumed (so group_by can ask its upstream for
 * more) and the subscriber leaving. Nothing points from the buffer to
 * the producer but `parent`, which the producer clears when it lets go,
 * so a buffer may outlive its producer (a user keeps a group value).
 *
 * Stall clocks (rx__stall). group_by's check for a consumer that stops
 * taking groups: a scheduler task that fires when, while the clock is
 * armed, a given time passes without the owner reporting progress.
 * Progress only records the time; the task looks at it when due and
 * sleeps again for what is left, so reporting progress never touches
 * the timer heap.
 *
 * Threads: everything here runs on the owner thread of the producing
 * pipeline; a group or window must be subscribed on that thread.
 */
#ifndef UVRX_HIGHER_INTERNAL_H
#define UVRX_HIGHER_INTERNAL_H

#include "rx-internal.h"

/* ---- inner receivers -------------------------------------------------- */

typedef struct rx__hin rx__hin;

/* What an operator does with its inners' signals. Each runs with the
 * receiver marked busy; the receiver may be dropped inside. */
struct rx__hin_ops {
    void (*next)(rx__hin *in, rx_value v); /* v borrowed */
    void (*error)(rx__hin *in, const rx_error *err);
    void (*complete)(rx__hin *in);
};

struct rx__hin {
    rx__stage base; /* base.up: the inner source's chain */
    const struct rx__hin_ops *hops;
    void *owner;          /* the operator's stage; NULL once dropped */
    rx__vqueue q;         /* items waiting for demand (operator's use) */
    int64_t prefetch;     /* asked ahead; RX_UNBOUNDED: everything */
    int64_t consumed;     /* items handed on since the last top-up */
    int busy;             /* calls into or out of the chain on the stack */
    bool done;            /* the inner completed */
    struct rx__hin *prev; /* rx__hin_list links */
    struct rx__hin *next;
};

typedef struct rx__hin_list {
    rx__hin *head;
    rx__hin *tail;
    size_t n;
} rx__hin_list;

/* Builds a receiver of `size` bytes (a struct starting with rx__hin) for
 * `src` (taken) below the operator's stage `owner`, and assembles the
 * inner's chain above it. Does not start it. On failure returns NULL and
 * the error to signal in *err (naming the owner's operator). */
rx__hin *rx__hin_new(rx__stage *owner, const struct rx__hin_ops *hops,
                     size_t size, rx_observable *src, rx_error **err);

/* Starts the inner: asks it for `prefetch` items (none for 0;
 * RX_UNBOUNDED for everything), then starts its chain. The inner may
 * signal, even complete, before this returns. */
void rx__hin_start(rx__hin *in, int64_t prefetch);

/* Counts one item of the inner handed downstream; once 3/4 of the
 * prefetch has been, asks the inner for that many more. */
void rx__hin_consumed(rx__hin *in);

/* Asks the inner for n more items. */
void rx__hin_request(rx__hin *in, int64_t n);

/* Cancels the inner's chain (idempotent). */
void rx__hin_cancel(rx__hin *in);

/* Lets go of a receiver: clears its queue (through the discard path of
 * the owner stage `by`) and frees its chain now, or when the outermost
 * frame exits if one of its calls is on the stack. The receiver must be
 * off any list; cancel it first if it still runs. */
void rx__hin_drop(rx__hin *in, rx__stage *by);

/* Appends `in` to the list / takes it off. O(1). */
void rx__hin_link(rx__hin_list *l, rx__hin *in);
void rx__hin_unlink(rx__hin_list *l, rx__hin *in);

/* The error for a user function that returned NULL without an error:
 * the last error (set by the uvrx call that failed inside it), naming
 * the stage. */
rx_error *rx__hin_null_error(const rx__stage *stage);

/* An out-of-memory error naming the stage's operator. */
rx_error *rx__higher_oom(const rx__stage *stage);

/* Runs fn(arg) inside a frame of `pipe` (owner thread): nothing of the
 * pipeline is freed before it returns. A call from another pipeline (a
 * group's subscriber reaching its producer, or the producer feeding a
 * subscriber elsewhere) needs this; inside a frame of `pipe` already it
 * is a plain call. */
void rx__in_frame(rx__pipeline *pipe, void (*fn)(void *arg), void *arg);

/* Empties the queue into a new array value (its items move in); on
 * allocation failure returns rx_invalid() and the queue is unchanged. */
rx_value rx__vqueue_take_array(rx__vqueue *q);

/* ---- unicast buffers -------------------------------------------------- */

typedef struct rx__ubuf rx__ubuf;
struct ubuf_stage;

/* What the producer learns about a buffer; every hook may be NULL and
 * is called only while `parent` is set. */
struct rx__ubuf_hooks {
    /* n items left the buffer: delivered to the subscriber, or dropped
     * when it cancelled. */
    void (*consumed)(rx__ubuf *b, int64_t n);
    /* The subscriber cancelled before the buffer ended. */
    void (*detached)(rx__ubuf *b);
    /* Releases the kind's own fields when the buffer is freed. */
    void (*destroy)(rx__ubuf *b);
};

struct rx__ubuf {
    rx_observable base;
    const struct rx__ubuf_hooks *hooks;
    const char *what;         /* "group" or "window", for messages */
    void *parent;             /* the producing stage, or NULL */
    rx__vqueue q;             /* items waiting for the subscriber */
    rx_error *error;          /* the terminal error, once closed */
    bool closed;              /* the producer ended it */
    bool subscribed;          /* a subscriber attached */
    bool dropped;             /* its subscriber left; items go nowhere */
    struct ubuf_stage *stage; /* the attached subscriber's stage */
};

/* Allocates a buffer of `size` bytes (a struct starting with rx__ubuf),
 * named after `site`; `what` ("group", "window": a literal) names it in
 * messages. NULL with the last error on allocation failure. */
void *rx__ubuf_new(const rx_site *site, size_t size, const char *what,
                   const struct rx__ubuf_hooks *hooks, void *parent);

/* Whether `obs` is a unicast buffer (a group or a window). */
bool rx__ubuf_is(const rx_observable *obs);

/* Adds an item (borrowed) and delivers what the subscriber's demand
 * allows. Returns 0; 1 when the item went nowhere (the buffer is closed
 * or its subscriber left: the caller counts it as consumed); RX_ENOMEM
 * when it could not be queued (nothing changed). */
int rx__ubuf_push(rx__ubuf *b, rx_value v);

/* Ends the buffer: completes it, or fails it with `err` (borrowed). The
 * subscriber gets the signal once it drained the items. Idempotent. */
void rx__ubuf_close(rx__ubuf *b, const rx_error *err);

/* Ends the buffer without a signal to a subscriber attached in `pipe`
 * (one that its own pipeline is cancelling anyway), and with `err` to
 * any other subscriber. */
void rx__ubuf_close_for(rx__ubuf *b, const rx_error *err,
                        const rx__pipeline *pipe);

/* Whether a subscriber is attached and runs in `pipe`. */
bool rx__ubuf_attached_in(const rx__ubuf *b, const rx__pipeline *pipe);

/* Whether a subscriber is attached. */
static inline bool
rx__ubuf_attached(const rx__ubuf *b)
{
    return b->stage != NULL;
}

/* ---- stall clocks ------------------------------------------------------ */

typedef struct rx__stall rx__stall;

/* Called when the clock fires: `err` is NULL for a stall, or the error
 * (taken) that kept the clock from running (no scheduler, no memory). */
typedef void (*rx__stall_fn)(rx__stall *c, rx_error *err);

struct rx__stall {
    rx__task task;
    rx__stage *stage;    /* the owner, for its pipeline and messages */
    rx_scheduler *given; /* the configured scheduler (NULL: default);
                            kept alive by the owner's observable */
    rx_scheduler *sched; /* resolved when first armed */
    int64_t ms;          /* the threshold; RX_UNBOUNDED: never */
    uint64_t last;       /* when progress was last reported */
    bool on;             /* armed */
    rx__stall_fn fire;
};

/* Prepares a clock (once, at stage assembly). */
void rx__stall_init(rx__stall *c, rx__stage *stage, rx_scheduler *given,
                    int64_t ms, rx__stall_fn fire);

/* Arms the clock, counting from now, unless it runs already. May call
 * `fire` with an error (the scheduler cannot be had or used). */
void rx__stall_arm(rx__stall *c);

/* Reports progress: the threshold counts from now again. */
static inline void
rx__stall_progress(rx__stall *c)
{
    if (c->on) {
        c->last = rx_scheduler_now(c->sched);
    }
}

/* Disarms the clock (idempotent; also at teardown). */
void rx__stall_stop(rx__stall *c);

#endif /* UVRX_HIGHER_INTERNAL_H */
