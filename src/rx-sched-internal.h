/* SPDX-License-Identifier: MIT */
/*
 * Between the scheduler kinds: the scheduler struct, its operations table
 * and the timer heap. Operators use rx-sched.h, not this.
 */
#ifndef UVRX_RX_SCHED_INTERNAL_H
#define UVRX_RX_SCHED_INTERNAL_H

#include "rx-sched.h"

struct rx__sched_ops {
    /* Inserts t, whose due time is set, into the scheduler's timed work.
     * Owner thread. */
    int (*schedule)(rx_scheduler *s, rx__task *t);
    void (*unschedule)(rx_scheduler *s, rx__task *t);
    /* Any thread: run t soon on the scheduler's thread. NULL: cannot. */
    int (*post)(rx_scheduler *s, rx__task *t);
    uint64_t (*now)(rx_scheduler *s);
    /* The last reference went. */
    void (*destroy)(rx_scheduler *s);
    /* Pools: the worker a new subscription pins. NULL: itself. */
    rx_scheduler *(*pick)(rx_scheduler *s);
    bool (*is_current)(const rx_scheduler *s);
    /* Loop schedulers: keep the loop alive (true) or not (false). */
    void (*hold)(rx_scheduler *s, bool on);
    /* Loop schedulers and pools: rx_scheduler_set_spin. Any thread. */
    void (*set_spin)(rx_scheduler *s, unsigned spin_us);
    bool timed;
    bool is_virtual;
};

struct rx_scheduler {
    const struct rx__sched_ops *ops;
    atomic_long refs;
    bool immortal;
};

void rx__sched_base_init(rx_scheduler *s, const struct rx__sched_ops *ops);

/* Moves a periodic task to its next due time (start + k * period: one
 * period after the previous due time). */
void rx__task_next_period(rx__task *t);

/* The default scheduler, borrowed (created on first use; NULL with the
 * last error set when that fails). */
rx_scheduler *rx__sched_default_borrowed(void);

/* A binary min-heap of tasks by (due, seq): seq keeps tasks due at the
 * same time in FIFO order. */
typedef struct rx__theap {
    rx__task **a;
    size_t n;
    size_t cap;
    uint64_t seq;
} rx__theap;

int rx__theap_push(rx__theap *h, rx__task *t, rx_scheduler *owner);
void rx__theap_repush(rx__theap *h, rx__task *t, rx_scheduler *owner);
void rx__theap_remove(rx__theap *h, rx__task *t);
rx__task *rx__theap_top(const rx__theap *h);
rx__task *rx__theap_pop(rx__theap *h);
/* Forgets every task (their stages will unschedule them as a no-op) and
 * frees the array. */
void rx__theap_detach_all(rx__theap *h);

/* Shutdown hooks of the loop and pool kinds. */
void rx__sched_loop_shutdown(void);

#endif /* UVRX_RX_SCHED_INTERNAL_H */
