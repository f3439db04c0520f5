/* SPDX-License-Identifier: MIT */
/**
 * @file operators.h
 * @brief Synchronous operators: transforming, filtering, aggregating and
 * sequencing streams.
 *
 * Every operator takes its source observable (and the values it is given),
 * also when it fails, and returns a new observable. Given a NULL source it
 * releases its other arguments and returns NULL leaving the last error
 * untouched, so a chain is checked once at its end. User functions receive
 * borrowed values and report failure through their `rx_error **err`: the
 * operator then cancels its upstream and signals that error downstream.
 *
 * Marble diagrams: `-` is a step of time, letters are items, `|` is
 * completion, `#` an error, `( )` items emitted at the same instant.
 * Semantics follow RxJava 3's Flowable; docs/design/ lists the deliberate
 * differences.
 */
#ifndef UVRX_OPERATORS_H
#define UVRX_OPERATORS_H

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- transforming --------------------------------------------------- */

/**
 * @brief Applies @p fn to each item.
 *
 * @verbatim
 * src:        -1-2-3-|
 * map(x*10):  -a-b-c-|     a=10 b=20 c=30
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   returns a new reference per item; must not be NULL. Debug
 *             builds report a function that returns its input heap value
 *             without rx_value_retain().
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM. A result of rx_invalid() fails the stream with
 *         #RX_ENOMEM.
 * @see rx_map_batch_at()
 */
RX_API rx_observable *rx_map_at(const rx_site *site, rx_observable *src,
                                rx_map_fn fn, void *ctx);
/** @brief See rx_map_at(). */
#define rx_map(src, fn, ctx) rx_map_at(RX_SITE("rx_map"), (src), (fn), (ctx))

/**
 * @brief Like rx_map(), with a kernel that rewrites whole batches of scalar
 * items in place.
 *
 * Sources that can (range, from_values of scalars) hand over arrays of
 * items; other sources give batches of one. The kernel must produce
 * scalars only. Debug builds check it: a heap value in the output fails
 * the stream with #RX_EINVAL (uvrx releases it, as a new reference the
 * kernel made); release builds trust the kernel.
 *
 * @verbatim
 * src:              -1-2-3-|
 * map_batch(x*10):  -a-b-c-|     a=10 b=20 c=30
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src     source; @takes
 * @param kernel  must not be NULL
 * @param ctx     passed to @p kernel; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p kernel), #RX_ENOMEM
 */
RX_API rx_observable *rx_map_batch_at(const rx_site *site, rx_observable *src,
                                      rx_map_batch_fn kernel, void *ctx);
/** @brief See rx_map_batch_at(). */
#define rx_map_batch(src, kernel, ctx)                                         \
    rx_map_batch_at(RX_SITE("rx_map_batch"), (src), (kernel), (ctx))

/**
 * @brief Emits each item combined with the previous result; the first item
 * passes unchanged.
 *
 * @verbatim
 * src:       -1-2-3-|
 * scan(+):   -1-3-6-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   combines the accumulator and an item; must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 * @see rx_scan_seed_at()
 */
RX_API rx_observable *rx_scan_at(const rx_site *site, rx_observable *src,
                                 rx_accum_fn fn, void *ctx);
/** @brief See rx_scan_at(). */
#define rx_scan(src, fn, ctx) rx_scan_at(RX_SITE("rx_scan"), (src), (fn), (ctx))

/**
 * @brief Emits @p seed, then each item combined with the previous result.
 *
 * @verbatim
 * src:            --1-2-3-|
 * scan_seed(0,+): 0-1-3-6-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param seed  the first accumulator, emitted first; @takes
 * @param fn    must not be NULL
 * @param ctx   passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_scan_seed_at(const rx_site *site, rx_observable *src,
                                      rx_value seed, rx_accum_fn fn, void *ctx);
/** @brief See rx_scan_seed_at(). */
#define rx_scan_seed(src, seed, fn, ctx)                                       \
    rx_scan_seed_at(RX_SITE("rx_scan_seed"), (src), (seed), (fn), (ctx))

/**
 * @brief Turns each signal into a notification item; the stream then
 * completes.
 *
 * @verbatim
 * src:          -a-b-#
 * materialize:  -A-B-(E|)    A=next(a) B=next(b) E=error(#)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @see rx_notification_kind(), rx_dematerialize_at()
 */
RX_API rx_observable *rx_materialize_at(const rx_site *site,
                                        rx_observable *src);
/** @brief See rx_materialize_at(). */
#define rx_materialize(src) rx_materialize_at(RX_SITE("rx_materialize"), (src))

/**
 * @brief Turns notification items back into signals.
 *
 * A next-notification becomes its item, an error-notification fails the
 * stream, a complete-notification completes it (the upstream is
 * cancelled). An item that is not a notification fails the stream with
 * #RX_EINVAL.
 *
 * @verbatim
 * src:            -A-B-E      A=next(a) B=next(b) E=error(#)
 * dematerialize:  -a-b-#
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_dematerialize_at(const rx_site *site,
                                          rx_observable *src);
/** @brief See rx_dematerialize_at(). */
#define rx_dematerialize(src)                                                  \
    rx_dematerialize_at(RX_SITE("rx_dematerialize"), (src))

/* ---- filtering ------------------------------------------------------- */

/**
 * @brief Emits only the items for which @p pred returns true.
 *
 * @verbatim
 * src:              -1-2-3-4-|
 * filter(is_even):  ---2---4-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param pred  must not be NULL
 * @param ctx   passed to @p pred; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p pred),
 *         #RX_ENOMEM
 * @see rx_filter_batch_at()
 */
RX_API rx_observable *rx_filter_at(const rx_site *site, rx_observable *src,
                                   rx_pred_fn pred, void *ctx);
/** @brief See rx_filter_at(). */
#define rx_filter(src, pred, ctx)                                              \
    rx_filter_at(RX_SITE("rx_filter"), (src), (pred), (ctx))

/**
 * @brief Like rx_filter(), with a kernel that compacts whole batches of
 * scalar items in place and returns how many it kept.
 *
 * @verbatim
 * src:                    -1-2-3-4-|
 * filter_batch(is_even):  ---2---4-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src     source; @takes
 * @param kernel  must not be NULL
 * @param ctx     passed to @p kernel; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_filter_batch_at(const rx_site *site,
                                         rx_observable *src,
                                         rx_filter_batch_fn kernel, void *ctx);
/** @brief See rx_filter_batch_at(). */
#define rx_filter_batch(src, kernel, ctx)                                      \
    rx_filter_batch_at(RX_SITE("rx_filter_batch"), (src), (kernel), (ctx))

/**
 * @brief Emits the first @p count items, then cancels the upstream and
 * completes.
 *
 * Asks the upstream for at most @p count items. take(0) cancels the
 * upstream at subscribe time and completes at once.
 *
 * @verbatim
 * src:      -1-2-3-4-|
 * take(2):  -1-(2|)
 * @endverbatim
 *
 * @see @ref marbles_take "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/take-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  how many items; >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p count), #RX_ENOMEM
 */
RX_API rx_observable *rx_take_at(const rx_site *site, rx_observable *src,
                                 int64_t count);
/** @brief See rx_take_at(). */
#define rx_take(src, count) rx_take_at(RX_SITE("rx_take"), (src), (count))

/**
 * @brief Emits items while @p pred holds; at the first item that fails it,
 * cancels the upstream and completes without that item.
 *
 * @verbatim
 * src:               -1-2-5-3-|
 * take_while(x<4):   -1-2-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param pred  must not be NULL
 * @param ctx   passed to @p pred; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_take_while_at(const rx_site *site, rx_observable *src,
                                       rx_pred_fn pred, void *ctx);
/** @brief See rx_take_while_at(). */
#define rx_take_while(src, pred, ctx)                                          \
    rx_take_while_at(RX_SITE("rx_take_while"), (src), (pred), (ctx))

/**
 * @brief Emits the last @p count items once the upstream completes.
 *
 * @verbatim
 * src:           -1-2-3-4-|
 * take_last(2):  ---------(34|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  how many items; >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_take_last_at(const rx_site *site, rx_observable *src,
                                      int64_t count);
/** @brief See rx_take_last_at(). */
#define rx_take_last(src, count)                                               \
    rx_take_last_at(RX_SITE("rx_take_last"), (src), (count))

/**
 * @brief Drops the first @p count items.
 *
 * @verbatim
 * src:      -1-2-3-4-|
 * skip(2):  -----3-4-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  how many items; >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_skip_at(const rx_site *site, rx_observable *src,
                                 int64_t count);
/** @brief See rx_skip_at(). */
#define rx_skip(src, count) rx_skip_at(RX_SITE("rx_skip"), (src), (count))

/**
 * @brief Drops items while @p pred holds, then emits every item.
 *
 * @verbatim
 * src:              -1-2-5-3-|
 * skip_while(x<4):  -----5-3-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param pred  must not be NULL
 * @param ctx   passed to @p pred; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_skip_while_at(const rx_site *site, rx_observable *src,
                                       rx_pred_fn pred, void *ctx);
/** @brief See rx_skip_while_at(). */
#define rx_skip_while(src, pred, ctx)                                          \
    rx_skip_while_at(RX_SITE("rx_skip_while"), (src), (pred), (ctx))

/**
 * @brief Drops the last @p count items: each item is emitted once
 * @p count newer ones have arrived.
 *
 * @verbatim
 * src:           -1-2-3-4-|
 * skip_last(2):  -----1-2-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  how many items; >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_skip_last_at(const rx_site *site, rx_observable *src,
                                      int64_t count);
/** @brief See rx_skip_last_at(). */
#define rx_skip_last(src, count)                                               \
    rx_skip_last_at(RX_SITE("rx_skip_last"), (src), (count))

/**
 * @brief Drops items equal (rx_value_equal()) to one already emitted.
 *
 * Keeps every distinct item in a hash set for the life of the
 * subscription; when the set cannot grow the stream fails with
 * #RX_ENOMEM (the upstream is cancelled). A duplicate uses no demand: the
 * upstream emits another item in its place.
 *
 * @verbatim
 * src:       -1-2-1-3-2-|
 * distinct:  -1-2---3---|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_distinct_at(const rx_site *site, rx_observable *src);
/** @brief See rx_distinct_at(). */
#define rx_distinct(src) rx_distinct_at(RX_SITE("rx_distinct"), (src))

/**
 * @brief Drops items equal (rx_value_equal()) to the item just before.
 *
 * @verbatim
 * src:                     -1-1-2-2-1-|
 * distinct_until_changed:  -1---2---1-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_distinct_until_changed_at(const rx_site *site,
                                                   rx_observable *src);
/** @brief See rx_distinct_until_changed_at(). */
#define rx_distinct_until_changed(src)                                         \
    rx_distinct_until_changed_at(RX_SITE("rx_distinct_until_changed"), (src))

/**
 * @brief Emits the first item, then cancels the upstream and completes;
 * fails with #RX_ENOELEMENT when the upstream completes empty.
 *
 * @verbatim
 * src:    -1-2-|      ---|
 * first:  -(1|)       ---#   (RX_ENOELEMENT)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @see rx_default_if_empty_at() to supply a value instead of the error
 */
RX_API rx_observable *rx_first_at(const rx_site *site, rx_observable *src);
/** @brief See rx_first_at(). */
#define rx_first(src) rx_first_at(RX_SITE("rx_first"), (src))

/**
 * @brief Emits the last item when the upstream completes; fails with
 * #RX_ENOELEMENT when it completes empty.
 *
 * @verbatim
 * src:   -1-2-|      ---|
 * last:  -----(2|)   ---#   (RX_ENOELEMENT)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_last_at(const rx_site *site, rx_observable *src);
/** @brief See rx_last_at(). */
#define rx_last(src) rx_last_at(RX_SITE("rx_last"), (src))

/**
 * @brief Emits the item at @p index (0-based), then cancels the upstream
 * and completes; fails with #RX_ENOELEMENT when the upstream has fewer
 * items.
 *
 * Asks its upstream for @p index + 1 items, not for everything (RxJava
 * asks for everything); the item waits for downstream demand.
 *
 * @verbatim
 * src:            -a-b-c-|
 * element_at(1):  ---(b|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param index  >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p index), #RX_ENOMEM
 */
RX_API rx_observable *rx_element_at_at(const rx_site *site, rx_observable *src,
                                       int64_t index);
/** @brief See rx_element_at_at(). */
#define rx_element_at(src, index)                                              \
    rx_element_at_at(RX_SITE("rx_element_at"), (src), (index))

/**
 * @brief Drops every item and passes the terminal signal on.
 *
 * @verbatim
 * src:              -1-2-3-|
 * ignore_elements:  -------|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_ignore_elements_at(const rx_site *site,
                                            rx_observable *src);
/** @brief See rx_ignore_elements_at(). */
#define rx_ignore_elements(src)                                                \
    rx_ignore_elements_at(RX_SITE("rx_ignore_elements"), (src))

/* ---- aggregating ----------------------------------------------------- */

/**
 * @brief Folds the items with @p fn and emits the result at completion; an
 * empty upstream gives an empty stream.
 *
 * @verbatim
 * src:         -1-2-3-|
 * reduce(+):   -------(6|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 * @see rx_reduce_seed_at(), rx_reduce_batch_at()
 */
RX_API rx_observable *rx_reduce_at(const rx_site *site, rx_observable *src,
                                   rx_accum_fn fn, void *ctx);
/** @brief See rx_reduce_at(). */
#define rx_reduce(src, fn, ctx)                                                \
    rx_reduce_at(RX_SITE("rx_reduce"), (src), (fn), (ctx))

/**
 * @brief Folds the items into @p seed and emits the result at completion
 * (@p seed itself when the upstream is empty).
 *
 * @verbatim
 * src:               -1-2-3-|
 * reduce_seed(10,+): -------(16|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param seed  the first accumulator; @takes
 * @param fn    must not be NULL
 * @param ctx   passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_reduce_seed_at(const rx_site *site, rx_observable *src,
                                        rx_value seed, rx_accum_fn fn,
                                        void *ctx);
/** @brief See rx_reduce_seed_at(). */
#define rx_reduce_seed(src, seed, fn, ctx)                                     \
    rx_reduce_seed_at(RX_SITE("rx_reduce_seed"), (src), (seed), (fn), (ctx))

/**
 * @brief Like rx_reduce_seed(), with a kernel that folds whole batches of
 * scalar items.
 *
 * Fed by range or from_values of scalars the kernel sees arrays of up to
 * 256 items; other sources give batches of one. A heap item reaching it
 * fails the stream with #RX_EINVAL.
 *
 * @verbatim
 * src:                -1-2-3-|
 * reduce_batch(0,+):  -------(6|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src     source; @takes
 * @param seed    the first accumulator; @takes
 * @param kernel  must not be NULL
 * @param ctx     passed to @p kernel; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_reduce_batch_at(const rx_site *site,
                                         rx_observable *src, rx_value seed,
                                         rx_reduce_batch_fn kernel, void *ctx);
/** @brief See rx_reduce_batch_at(). */
#define rx_reduce_batch(src, seed, kernel, ctx)                                \
    rx_reduce_batch_at(RX_SITE("rx_reduce_batch"), (src), (seed), (kernel),    \
                       (ctx))

/**
 * @brief Emits the number of items (an int) at completion.
 *
 * @verbatim
 * src:    -a-b-c-|
 * count:  -------(3|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_count_at(const rx_site *site, rx_observable *src);
/** @brief See rx_count_at(). */
#define rx_count(src) rx_count_at(RX_SITE("rx_count"), (src))

/**
 * @brief Emits all items as one array value at completion (an empty array
 * for an empty upstream).
 *
 * @verbatim
 * src:       -a-b-c-|
 * to_array:  -------(A|)    A=[a,b,c]
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_to_array_at(const rx_site *site, rx_observable *src);
/** @brief See rx_to_array_at(). */
#define rx_to_array(src) rx_to_array_at(RX_SITE("rx_to_array"), (src))

/**
 * @brief Emits whether every item satisfies @p pred: false (and cancels the
 * upstream) at the first item that does not, true at completion.
 *
 * @verbatim
 * src:         -2-4-5-6-|
 * all(even):   -----(F|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param pred  must not be NULL
 * @param ctx   passed to @p pred; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_all_at(const rx_site *site, rx_observable *src,
                                rx_pred_fn pred, void *ctx);
/** @brief See rx_all_at(). */
#define rx_all(src, pred, ctx)                                                 \
    rx_all_at(RX_SITE("rx_all"), (src), (pred), (ctx))

/**
 * @brief Emits whether some item satisfies @p pred: true (and cancels the
 * upstream) at the first one, false at completion.
 *
 * @verbatim
 * src:         -1-3-4-5-|
 * any(even):   -----(T|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src   source; @takes
 * @param pred  must not be NULL
 * @param ctx   passed to @p pred; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_any_at(const rx_site *site, rx_observable *src,
                                rx_pred_fn pred, void *ctx);
/** @brief See rx_any_at(). */
#define rx_any(src, pred, ctx)                                                 \
    rx_any_at(RX_SITE("rx_any"), (src), (pred), (ctx))

/**
 * @brief Emits whether some item equals @p v (rx_value_equal()).
 *
 * @verbatim
 * src:          -1-3-4-5-|
 * contains(4):  -----(T|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param v    the value looked for; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (also for an
 *         invalid @p v)
 */
RX_API rx_observable *rx_contains_at(const rx_site *site, rx_observable *src,
                                     rx_value v);
/** @brief See rx_contains_at(). */
#define rx_contains(src, v) rx_contains_at(RX_SITE("rx_contains"), (src), (v))

/**
 * @brief Emits @p v when the upstream completes without items.
 *
 * @verbatim
 * src:                  ---|      -1-|
 * default_if_empty(x):  ---(x|)   -1-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param v    the default; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (also for an
 *         invalid @p v)
 */
RX_API rx_observable *rx_default_if_empty_at(const rx_site *site,
                                             rx_observable *src, rx_value v);
/** @brief See rx_default_if_empty_at(). */
#define rx_default_if_empty(src, v)                                            \
    rx_default_if_empty_at(RX_SITE("rx_default_if_empty"), (src), (v))

/* ---- utility and sequencing ------------------------------------------ */

/**
 * @brief Emits @p n values first, then the items of @p src.
 *
 * @verbatim
 * src:                         --1-2-|
 * start_with_values(2,{a,b}):  (ab)1-2-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src     source; @takes
 * @param n       how many values
 * @param values  each one @takes (the C array stays the caller's); may be
 *                NULL when @p n is 0
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_start_with_values_at(const rx_site *site,
                                              rx_observable *src, size_t n,
                                              const rx_value *values);
/** @brief See rx_start_with_values_at(). */
#define rx_start_with_values(src, n, values)                                   \
    rx_start_with_values_at(RX_SITE("rx_start_with_values"), (src), (n),       \
                            (values))

/** @brief The callbacks of rx_tap_opts(); each may be NULL. */
typedef struct rx_tap_config {
    /** Sees each item (borrowed) before it goes downstream. */
    void (*on_next)(rx_value v, void *ctx);
    /** Sees the error (borrowed) before it goes downstream. */
    void (*on_error)(const rx_error *err, void *ctx);
    /** Sees the completion before it goes downstream. */
    void (*on_complete)(void *ctx);
    /** Sees each request from downstream. */
    void (*on_request)(int64_t n, void *ctx);
    /** Sees a cancel from downstream. */
    void (*on_cancel)(void *ctx);
    /** Passed to every callback; borrowed, must outlive the result. */
    void *ctx;
} rx_tap_config;

/**
 * @brief Calls side-effect callbacks as signals pass, changing nothing.
 *
 * @verbatim
 * src:  -1-2-|
 * tap:  -1-2-|     (on_next saw 1, 2; on_complete saw |)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param cfg  the callbacks, copied; @borrows; must not be NULL
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_tap_opts_at(const rx_site *site, rx_observable *src,
                                     const rx_tap_config *cfg);
/** @brief See rx_tap_opts_at(). */
#define rx_tap_opts(src, cfg)                                                  \
    rx_tap_opts_at(RX_SITE("rx_tap_opts"), (src), (cfg))

/**
 * @brief Calls @p fn once when the subscription ends, whichever way: after
 * the terminal signal went downstream, or on cancel.
 *
 * @verbatim
 * src:      -1-2-|
 * finally:  -1-2-|   (fn runs after |)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM
 */
RX_API rx_observable *rx_finally_at(const rx_site *site, rx_observable *src,
                                    void (*fn)(void *ctx), void *ctx);
/** @brief See rx_finally_at(). */
#define rx_finally(src, fn, ctx)                                               \
    rx_finally_at(RX_SITE("rx_finally"), (src), (fn), (ctx))

/**
 * @brief Subscribes to @p src @p count times in a row; an error stops it.
 *
 * repeat(0) completes at once; #RX_UNBOUNDED repeats forever. A
 * synchronous source repeated many times runs in a loop, not in
 * recursion.
 *
 * @verbatim
 * src:        -1-2-|
 * repeat(2):  -1-2--1-2-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  how many subscriptions; >= 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p count), #RX_ENOMEM
 */
RX_API rx_observable *rx_repeat_at(const rx_site *site, rx_observable *src,
                                   int64_t count);
/** @brief See rx_repeat_at(). */
#define rx_repeat(src, count) rx_repeat_at(RX_SITE("rx_repeat"), (src), (count))

/**
 * @brief Emits the items of @p first, then those of @p second.
 *
 * @verbatim
 * first:   -1-2-|
 * second:        -3-|
 * concat:  -1-2--3-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param first   @takes
 * @param second  @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_concat_at(const rx_site *site, rx_observable *first,
                                   rx_observable *second);
/** @brief See rx_concat_at(). */
#define rx_concat(first, second)                                               \
    rx_concat_at(RX_SITE("rx_concat"), (first), (second))

/**
 * @brief Emits the items of each source in turn, subscribing to the next
 * when one completes. Runs in a loop, so 100,000 synchronous sources use
 * no more stack than one.
 *
 * @verbatim
 * srcs[0]:  -1-|
 * srcs[1]:      -2-|
 * concat:   -1--2-|
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param n     how many sources; 0 gives an empty stream
 * @param srcs  each one @takes (the C array stays the caller's); a NULL
 *              entry fails the call (the others are released)
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p srcs
 *         with @p n > 0), #RX_ENOMEM; a NULL entry returns NULL leaving
 *         the last error as the failed call set it
 */
RX_API rx_observable *rx_concat_array_at(const rx_site *site, size_t n,
                                         rx_observable *const *srcs);
/** @brief See rx_concat_array_at(). */
#define rx_concat_array(n, srcs)                                               \
    rx_concat_array_at(RX_SITE("rx_concat_array"), (n), (srcs))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_OPERATORS_H */
