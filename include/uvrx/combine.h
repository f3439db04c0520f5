/* SPDX-License-Identifier: MIT */
/**
 * @file combine.h
 * @brief Combining streams: merge several sources, or map each item to an
 * asynchronous call and merge the results.
 *
 * An inner source that signals on another thread (it ends in
 * rx_subscribe_on() or rx_observe_on() to a scheduler of another thread,
 * such as a pool) is marked async when it is subscribed: its signals
 * reach the combining stage on that stage's thread through a bounded ring
 * (rx_observe_on() with the operator's prefetch), so downstream still
 * sees one signal at a time on one thread. Inner sources on the stage's
 * own thread (timers and I/O of the same loop) take no detour. See
 * @ref guide_schedulers.
 */
#ifndef UVRX_COMBINE_H
#define UVRX_COMBINE_H

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Maps an item to the observable whose items replace it.
 * @param v    the item; borrowed
 * @param ctx  the context given with the function
 * @param err  store a new error here to fail the stream
 * @return a new reference, taken by the operator; NULL fails the stream
 *         with @c *err, or when @c *err is NULL with the last error (that
 *         of the uvrx call that failed inside the function)
 */
typedef rx_observable *(*rx_flat_map_fn)(rx_value v, void *ctx, rx_error **err);

/** @brief Options of rx_flat_map_opts(). */
typedef struct rx_flat_map_config {
    /** Maps each item to an inner observable; must not be NULL. */
    rx_flat_map_fn fn;
    /** Passed to @c fn; borrowed, must outlive the result. */
    void *ctx;
    /** How many inner sources run at once; 0 for no limit. */
    int64_t max_concurrent;
    /** How many items each inner is asked for ahead; 0 for 128. */
    int64_t prefetch;
    /** Wait for every source before signalling the first error. */
    bool delay_error;
} rx_flat_map_config;

/**
 * @brief Emits the items of @p a and @p b as they come.
 *
 * Completes when both have completed; the first error cancels the other
 * and goes downstream (a second error goes to the undeliverable handler).
 *
 * @verbatim
 * a:      -1---3-|
 * b:      ---2---4-|
 * merge:  -1-2-3-4-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param a  @takes
 * @param b  @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either argument is NULL, the other released)
 */
RX_API rx_observable *rx_merge_at(const rx_site *site, rx_observable *a,
                                  rx_observable *b);
/** @brief See rx_merge_at(). */
#define rx_merge(a, b) rx_merge_at(RX_SITE("rx_merge"), (a), (b))

/**
 * @brief Emits the items of every source as they come, running at most
 * @p max_concurrent of them at once (the others wait their turn, in
 * order).
 *
 * @verbatim
 * srcs[0]:  -1---3-|
 * srcs[1]:  ---2---|
 * merge:    -1-2-3-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param n               how many sources; 0 completes at once
 * @param srcs            each one @takes (the C array stays the
 *                        caller's); a NULL entry fails the call
 * @param max_concurrent  > 0, or #RX_UNBOUNDED
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p srcs
 *         with @p n > 0, @p max_concurrent <= 0), #RX_ENOMEM; a NULL
 *         entry returns NULL leaving the last error as the failed call
 *         set it
 */
RX_API rx_observable *rx_merge_array_at(const rx_site *site, size_t n,
                                        rx_observable *const *srcs,
                                        int64_t max_concurrent);
/** @brief See rx_merge_array_at(). */
#define rx_merge_array(n, srcs, max_concurrent)                                \
    rx_merge_array_at(RX_SITE("rx_merge_array"), (n), (srcs), (max_concurrent))

/**
 * @brief Maps each item to an inner observable and merges their items as
 * they come.
 *
 * @verbatim
 * src:       -1----2-----|
 * fn(x):     x -> (x*10 after 3 frames)
 * flat_map:  ----10----20|
 * @endverbatim
 *
 * An inner that is a plain iterable (rx_range(), rx_from_values(),
 * rx_just()) is read without subscribing to it. When the subscriber
 * right below has @c on_next_batch and unbounded demand, an rx_range()
 * inner reaches it as batches of up to 64 values, one inner per batch
 * (never two inners' items in one batch).
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param cfg  the options, copied; @borrows; @c cfg->fn must not be NULL
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p cfg
 *         or function, negative counts), #RX_ENOMEM
 * @see rx_flat_map_at(), rx_concat_map_at()
 */
RX_API rx_observable *rx_flat_map_opts_at(const rx_site *site,
                                          rx_observable *src,
                                          const rx_flat_map_config *cfg);
/** @brief See rx_flat_map_opts_at(). Variadic so that the config can be
 * a compound literal written in place (its commas are allowed). */
#define rx_flat_map_opts(src, ...)                                             \
    rx_flat_map_opts_at(RX_SITE("rx_flat_map_opts"), (src), __VA_ARGS__)

/**
 * @brief rx_flat_map_opts() with no concurrency limit.
 *
 * @verbatim
 * src:       -a---b---|
 * fn:        a -> -a1-a2|   b -> -b1|
 * flat_map:  --a1-a2b1|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return as rx_flat_map_opts_at()
 */
RX_API rx_observable *rx_flat_map_at(const rx_site *site, rx_observable *src,
                                     rx_flat_map_fn fn, void *ctx);
/** @brief See rx_flat_map_at(). */
#define rx_flat_map(src, fn, ctx)                                              \
    rx_flat_map_at(RX_SITE("rx_flat_map"), (src), (fn), (ctx))

/**
 * @brief Maps each item to an inner observable and emits the inners one
 * after the other, in the order of the items.
 *
 * @verbatim
 * src:         -a-b-|
 * fn:          a -> --a1--a2|   b -> -b1|
 * concat_map:  ---a1--a2-b1|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return as rx_flat_map_opts_at()
 */
RX_API rx_observable *rx_concat_map_at(const rx_site *site, rx_observable *src,
                                       rx_flat_map_fn fn, void *ctx);
/** @brief See rx_concat_map_at(). */
#define rx_concat_map(src, fn, ctx)                                            \
    rx_concat_map_at(RX_SITE("rx_concat_map"), (src), (fn), (ctx))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_COMBINE_H */
