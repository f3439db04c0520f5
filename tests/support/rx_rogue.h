/* SPDX-License-Identifier: MIT */
/*
 * A source that breaks the protocol on purpose, driven by a script, for
 * the misbehaving-source tests (issue 6, item 4). It is a raw stage,
 * below every guard that rx_create's emitter has, so it can send what no
 * correct uvrx source ever sends: items after a terminal signal or after
 * a cancel, a second terminal signal, items beyond demand.
 *
 * The script is a list of tokens separated by spaces:
 *
 *   123, -7   an integer item (rx_int)
 *   abc       a string item (rx_str): a heap value, so an operator that
 *             keeps a dropped item shows up as a leak
 *   |         on_complete
 *   #         on_error; the k-th '#' of the script (k = 1, 2, ...) carries
 *             the code RX_T_ROGUE_ECODE(k), so a test can tell which
 *             error went where
 *
 * Before its first terminal signal the source waits for demand before
 * each item, as a correct source does, unless RX_T_ROGUE_IGNORE_DEMAND is
 * set; from the first terminal signal on it plays the rest of the script
 * at once. It stops at a cancel unless RX_T_ROGUE_IGNORE_CANCEL is set.
 * Every subscription plays the whole script from its start.
 */
#ifndef UVRX_TESTS_RX_ROGUE_H
#define UVRX_TESTS_RX_ROGUE_H

#include <uvrx.h>

/* The error code of the k-th '#' token (k >= 1). */
#define RX_T_ROGUE_ECODE(k) (-100100 - (k))

enum {
    RX_T_ROGUE_IGNORE_DEMAND = 1, /* emit items whatever the demand */
    RX_T_ROGUE_IGNORE_CANCEL = 2  /* keep playing after a cancel */
};

/* What the source did, summed over every subscription made from it. */
typedef struct rx_t_rogue_stats {
    int subscribes;    /* stages assembled */
    int cancels;       /* cancels received */
    int64_t requested; /* demand received in total (saturating) */
    int items;         /* on_next calls made */
    int terminals;     /* on_error and on_complete calls made */
    /* Signals sent after the subscription's first terminal signal or
     * after its cancel: the violations. */
    int extra_items;
    int extra_completes;
    int extra_errors;
    int beyond_demand; /* items sent while the demand was zero */
} rx_t_rogue_stats;

/* A rogue observable playing `script` (copied; at most 255 characters).
 * `stats` is borrowed, may be NULL, and must outlive every subscription
 * made from the observable. NULL with RX_EINVAL (a bad script) or
 * RX_ENOMEM. */
rx_observable *rx_t_rogue(const char *script, unsigned flags,
                          rx_t_rogue_stats *stats);

#endif /* UVRX_TESTS_RX_ROGUE_H */
