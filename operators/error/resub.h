/* SPDX-License-Identifier: MIT */
/*
 * What retry and retry_when share: the source runs one attempt at a
 * time, its chain hanging below a receiver embedded in the operator's
 * stage, and a failed attempt is replaced through a loop that keeps the
 * stack flat however many attempts fail synchronously (protocol rule 6):
 * an attempt that fails while the loop runs only marks it, and the loop
 * goes round once that attempt's chain has returned. A finished chain
 * still on the stack is retired (freed when the pipeline's outermost
 * frame exits); one off the stack is freed at once.
 */
#ifndef UVRX_RESUB_H
#define UVRX_RESUB_H

#include "rx-internal.h"

/* The attempt bookkeeping, embedded in the operator's stage; zeroed with
 * the stage. The stage's `up` is the running attempt's chain, or NULL. */
typedef struct rx__resub {
    int64_t requested; /* outstanding downstream demand */
    bool running;      /* the attempt's chain has not terminated */
    bool in_loop;      /* rx__resub_loop() is on the stack */
    bool again;        /* go round once more */
    bool done;         /* terminal sent or cancelled */
} rx__resub;

/* Called by rx__resub_loop() when assembling an attempt failed: fail the
 * stream of `self` with `err` (taken). */
typedef void (*rx__resub_fail_fn)(rx__stage *self, rx_error *err);

/* Subscribes the source (self->obs->src) below `recv`, again while an
 * attempt asks for it (r->again), until one is running or the stream
 * stopped (r->done, or a cancel from another thread). `on_stack`: the
 * caller is the failed attempt's on_error, so its chain cannot be freed
 * yet. Called while the loop runs, it only sets r->again. */
void rx__resub_loop(rx__resub *r, rx__stage *self, rx__stage *recv,
                    bool on_stack, rx__resub_fail_fn fail);

/* The request op's work: n more for downstream, passed on to the running
 * attempt; nothing once the stream stopped. */
void rx__resub_request(rx__resub *r, rx__stage *self, int64_t n);

#endif /* UVRX_RESUB_H */
