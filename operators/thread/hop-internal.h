/* SPDX-License-Identifier: MIT */
/*
 * Between observe_on's two sides: the refcounted hop they share (ring,
 * lock, tasks), the producer -- the observer of the upstream's own
 * pipeline, in hop.c -- and the calls the consumer (observe_on.c) makes
 * into that pipeline. observe_on.c explains the design.
 */
#ifndef UVRX_HOP_INTERNAL_H
#define UVRX_HOP_INTERNAL_H

#include "rx-ring.h"
#include "rx-sched.h"

/* Terminal markers in the ring: rx_invalid() with `reserved` set (a value
 * users cannot make), the error in the payload. */
enum { RX__HOP_COMPLETE = 1, RX__HOP_ERROR = 2 };

typedef struct rx__hop rx__hop;

/* Shared by the two sides; see observe_on.c for who touches what. */
struct rx__hop {
    atomic_long refs;
    rx__ring ring;
    int64_t prefetch;
    rx_scheduler *consumer; /* the consumer's (worker) scheduler */
    rx__task drain_task;    /* consumer thread; no pipeline frame */
    rx__task req_task;      /* inner owner thread; no pipeline frame */
    atomic_bool cancelled;  /* the consumer cancelled: drop items */
    uv_mutex_t lock;        /* guards the fields below */
    bool detached;          /* the consumer stopped */
    bool drain_posted;      /* drain_task is queued */
    bool inner_done;        /* the inner pipeline finished */
    rx_subscription *inner; /* its handle, until inner_done */
    int64_t req_pending;    /* demand carried by req_task */
    void *stage; /* the consumer stage, until detached (its thread only) */
    /* Producer only. */
    rx_subscription *producer_sub; /* as given to on_subscribe */
    bool producer_ended;           /* a marker went into the ring */
};

/* A hop with one reference (the consumer's) and a ring for `prefetch`
 * items plus the terminal marker; `drain` runs the consumer's drain task.
 * NULL when out of memory. */
rx__hop *rx__hop_new(int64_t prefetch, rx__task_fn drain);

void rx__hop_retain(rx__hop *h);
/* The last reference frees the hop and what the ring still holds. */
void rx__hop_release(rx__hop *h);

static inline bool
rx__hop_is_marker(rx_value v)
{
    return v.type == RX_TYPE_INVALID && v.reserved != 0;
}

/* Releases a value taken from the ring: an item (through the discard path
 * of `stage` when given), or a marker's error. */
void rx__hop_drop_slot(rx__stage *stage, rx_value v);

/* The consumer asks the upstream for n more items, or cancels it: on the
 * upstream pipeline's owner thread, directly or through a task. */
void rx__hop_request(rx__hop *h, int64_t n);
void rx__hop_cancel_inner(rx__hop *h);

/* The observer that subscribes the upstream (ctx: the hop, which must
 * hold a reference for it, dropped in on_finally). */
extern const rx_observer rx__hop_producer;

#endif /* UVRX_HOP_INTERNAL_H */
