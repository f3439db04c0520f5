/* SPDX-License-Identifier: MIT */
/*
 * A hot test source that ignores demand: the test pushes items, errors
 * and completion into it whenever it likes, as a timer or a publish
 * subject would, and reads back what its subscriber asked of it. It
 * serves tests of the operators that sit behind sources that cannot slow
 * down (the backpressure strategies).
 *
 * One pusher feeds at most one live subscription at a time. The pusher
 * itself is plain test memory (malloc), not a uvrx object; the observable
 * it hands out is a uvrx object that borrows the pusher, so free the
 * pusher only after every subscription made from it has ended.
 */
#ifndef UVRX_TESTS_RX_HOT_H
#define UVRX_TESTS_RX_HOT_H

#include <uvrx.h>

typedef struct rx_t_hot rx_t_hot;

/* A new pusher (never NULL: aborts the test process if malloc fails). */
rx_t_hot *rx_t_hot_new(void);
/* Frees the pusher; its subscription must be gone. */
void rx_t_hot_free(rx_t_hot *h);

/* An observable that subscribes to the pusher (NULL with RX_ENOMEM). */
rx_observable *rx_t_hot_observable(rx_t_hot *h);

/* Pushes to the live subscription, whatever its demand; a pusher with
 * none (not subscribed, cancelled or terminated) just releases `v`.
 * Returns whether a subscription received the signal. `v` is taken; an
 * invalid `v` (a failed value constructor) fails the stream with
 * RX_ENOMEM instead. rx_t_hot_error's error is made with rx_error_new,
 * which never fails. */
bool rx_t_hot_next(rx_t_hot *h, rx_value v);
bool rx_t_hot_next_int(rx_t_hot *h, int64_t i);
bool rx_t_hot_error(rx_t_hot *h, int code);
bool rx_t_hot_complete(rx_t_hot *h);

/* Whether a subscription is attached and live. */
bool rx_t_hot_live(const rx_t_hot *h);
/* How many subscriptions were made; how many were cancelled. */
int rx_t_hot_subscribes(const rx_t_hot *h);
int rx_t_hot_cancels(const rx_t_hot *h);
/* The demand the live (or last) subscription requested in total. */
int64_t rx_t_hot_requested(const rx_t_hot *h);

#endif /* UVRX_TESTS_RX_HOT_H */
