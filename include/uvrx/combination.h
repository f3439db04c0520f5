/* SPDX-License-Identifier: MIT */
/**
 * @file combination.h
 * @brief Combining a fixed set of streams: zip, combine_latest,
 * with_latest_from, race, take_until, skip_until and start_with.
 *
 * Every operator here subscribes to its sources in argument order (the
 * notifier or other source of take_until, skip_until and with_latest_from
 * first, as RxJava does), stops subscribing once the result has ended,
 * and cancels every source still running when it ends. The first error
 * goes downstream and cancels the other sources; an error that arrives
 * after the end goes to the undeliverable handler, so downstream sees
 * exactly one on_error.
 *
 * A source that signals on another thread (it ends in rx_subscribe_on()
 * or rx_observe_on() to a scheduler of another thread) is marked async
 * when it is subscribed and brought to the combining stage's thread
 * through a bounded ring, as for rx_merge(); sources on that thread take
 * no detour.
 */
#ifndef UVRX_COMBINATION_H
#define UVRX_COMBINATION_H

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Combines one item of each source into the item to emit: the
 * combiner of rx_zip(), rx_combine_latest() and rx_with_latest_from().
 *
 * @param items  @p n items, one per source in argument order; each
 *               @borrows for the call (to pass one on, return
 *               rx_value_retain() of it)
 * @param n      how many
 * @param ctx    the context given with the function
 * @param err    store a new error here to fail the stream
 * @return the item to emit, a new reference taken by the operator;
 *         rx_invalid() without @c *err fails the stream with #RX_ENOMEM
 */
typedef rx_value (*rx_zip_fn)(const rx_value *items, size_t n, void *ctx,
                              rx_error **err);

/**
 * @brief Pairs the items of @p a and @p b in order: the first of each,
 * then the second of each, and so on.
 *
 * Each source is asked for 128 items ahead and topped up by 96 as pairs
 * go out, so a fast source waits for a slow one in a bounded queue; a
 * source that is a plain iterable (rx_range(), rx_from_values(),
 * rx_just()) is read directly as pairs need its items. The
 * result completes as soon as one source has completed and every item it
 * sent has been paired: the other source is cancelled and its unpaired
 * items are dropped, even without demand (RxJava's rule). The combiner
 * runs when a pair goes out; with a NULL combiner the item is an array
 * value `[a_item, b_item]`. The first error cuts ahead of pairs waiting
 * for demand.
 *
 * @verbatim
 * a:    -1--2--3-|
 * b:    --a--b|
 * zip:  --x--y|       x = f(1, a), y = f(2, b); a is cancelled at 6
 * @endverbatim
 *
 * @see @ref marbles_zip "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/zip-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param a         first source; @takes
 * @param b         second source; @takes
 * @param combiner  builds the item from the pair; NULL for an array
 * @param ctx       passed to @p combiner; @borrows, must outlive the
 *                  result
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either source is NULL, the other released, the last error
 *         left as the failed call set it)
 * @note Subscribe and request on the thread the sources signal on.
 * @see rx_zip_array_at(), rx_combine_latest_at()
 */
RX_API rx_observable *rx_zip_at(const rx_site *site, rx_observable *a,
                                rx_observable *b, rx_zip_fn combiner,
                                void *ctx);
/** @brief See rx_zip_at(). */
#define rx_zip(a, b, combiner, ctx)                                            \
    rx_zip_at(RX_SITE("rx_zip"), (a), (b), (combiner), (ctx))

/**
 * @brief rx_zip() over @p n sources: the k-th item of the result combines
 * the k-th item of every source.
 *
 * The result completes once any source has completed and its items have
 * all been used; with @p n = 0 it completes at once.
 *
 * @verbatim
 * srcs[0]:  -1---2---|
 * srcs[1]:  --a---b--|
 * srcs[2]:  ---A----B|
 * zip:      ---x----y|      x = f(1, a, A), y = f(2, b, B)
 * @endverbatim
 *
 * @param site      assembly site; the macro passes it
 * @param n         how many sources
 * @param srcs      each one @takes (the C array stays the caller's); a
 *                  NULL entry fails the call
 * @param combiner  builds the item from @p n items; NULL for an array
 *                  value of the items
 * @param ctx       passed to @p combiner; @borrows, must outlive the
 *                  result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p srcs
 *         with @p n > 0), #RX_ENOMEM; a NULL entry returns NULL leaving
 *         the last error as the failed call set it
 * @note Subscribe and request on the thread the sources signal on.
 */
RX_API rx_observable *rx_zip_array_at(const rx_site *site, size_t n,
                                      rx_observable *const *srcs,
                                      rx_zip_fn combiner, void *ctx);
/** @brief See rx_zip_array_at(). */
#define rx_zip_array(n, srcs, combiner, ctx)                                   \
    rx_zip_array_at(RX_SITE("rx_zip_array"), (n), (srcs), (combiner), (ctx))

/**
 * @brief Whenever either source emits, combines the latest item of each,
 * once both have emitted.
 *
 * Items that arrive before every source has emitted only update the
 * latest item of their source. Every combination is emitted (none is
 * merged away); while downstream has no demand, combinations wait in a
 * queue and each source is asked for more only as they go out (128
 * ahead, topped up by 96). Completes when every source has completed, or
 * at once when a source completes without ever emitting; the other
 * sources are then cancelled. The combiner runs when a combination goes
 * out; with a NULL combiner the item is an array value of the latest
 * items. The first error cuts ahead of waiting combinations.
 *
 * @verbatim
 * a:               -1---2-----|
 * b:               ---a---b-|
 * combine_latest:  ---x-y-z---|    x = f(1, a), y = f(2, a), z = f(2, b)
 * @endverbatim
 *
 * @see @ref marbles_combine_latest "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/combine_latest-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param a         first source; @takes
 * @param b         second source; @takes
 * @param combiner  builds the item from the latest pair; NULL for an
 *                  array
 * @param ctx       passed to @p combiner; @borrows, must outlive the
 *                  result
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either source is NULL, the other released)
 * @note Subscribe and request on the thread the sources signal on.
 * @see rx_combine_latest_array_at(), rx_with_latest_from_at()
 */
RX_API rx_observable *rx_combine_latest_at(const rx_site *site,
                                           rx_observable *a, rx_observable *b,
                                           rx_zip_fn combiner, void *ctx);
/** @brief See rx_combine_latest_at(). */
#define rx_combine_latest(a, b, combiner, ctx)                                 \
    rx_combine_latest_at(RX_SITE("rx_combine_latest"), (a), (b), (combiner),   \
                         (ctx))

/**
 * @brief rx_combine_latest() over @p n sources; with @p n = 0 it
 * completes at once.
 *
 * @verbatim
 * srcs[0]:  -1-------2-|
 * srcs[1]:  ---a-------|
 * srcs[2]:  -----A-B---|
 * out:      -----x-y-z-|    x = f(1, a, A), y = f(1, a, B), z = f(2, a, B)
 * @endverbatim
 *
 * @param site      assembly site; the macro passes it
 * @param n         how many sources
 * @param srcs      each one @takes (the C array stays the caller's); a
 *                  NULL entry fails the call
 * @param combiner  builds the item from the @p n latest items; NULL for an
 *                  array value of them
 * @param ctx       passed to @p combiner; @borrows, must outlive the
 *                  result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p srcs
 *         with @p n > 0), #RX_ENOMEM; a NULL entry returns NULL leaving
 *         the last error as the failed call set it
 * @note Subscribe and request on the thread the sources signal on.
 */
RX_API rx_observable *rx_combine_latest_array_at(const rx_site *site, size_t n,
                                                 rx_observable *const *srcs,
                                                 rx_zip_fn combiner, void *ctx);
/** @brief See rx_combine_latest_array_at(). */
#define rx_combine_latest_array(n, srcs, combiner, ctx)                        \
    rx_combine_latest_array_at(RX_SITE("rx_combine_latest_array"), (n),        \
                               (srcs), (combiner), (ctx))

/**
 * @brief Combines each item of @p src with the latest item of @p other.
 *
 * @p other is subscribed first and asked for everything; its items only
 * replace the latest one, and its completion changes nothing. Items of
 * @p src that arrive before @p other has emitted are dropped without
 * using any demand (the upstream sends another in their place). The
 * combiner gets two items, the one of @p src first; with a NULL combiner
 * the item is an array value `[src_item, latest]`. The result ends when
 * @p src ends or either fails; @p other is then cancelled.
 *
 * @verbatim
 * src:               -1---2--3-|
 * other:             ---a---b----
 * with_latest_from:  -----x--y-|    x = f(2, a), y = f(3, b)
 * @endverbatim
 *
 * @see @ref marbles_with_latest_from "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/with_latest_from-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param src       the source whose items are emitted; @takes
 * @param other     the source of the latest item; @takes
 * @param combiner  builds the item; NULL for an array
 * @param ctx       passed to @p combiner; @borrows, must outlive the
 *                  result
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either source is NULL, the other released)
 * @note Subscribe and request on the thread the sources signal on.
 */
RX_API rx_observable *rx_with_latest_from_at(const rx_site *site,
                                             rx_observable *src,
                                             rx_observable *other,
                                             rx_zip_fn combiner, void *ctx);
/** @brief See rx_with_latest_from_at(). */
#define rx_with_latest_from(src, other, combiner, ctx)                         \
    rx_with_latest_from_at(RX_SITE("rx_with_latest_from"), (src), (other),     \
                           (combiner), (ctx))

/**
 * @brief Mirrors whichever of @p a and @p b signals first (an item, an
 * error or a completion) and cancels the other.
 *
 * Until a source wins, every request goes to both. Sources are
 * subscribed in order, and one that signals while being subscribed wins
 * before the next one is subscribed at all. An error of a source that
 * already lost goes to the undeliverable handler. Also known as amb.
 *
 * @verbatim
 * a:     ---1--2-|
 * b:     --x--y--z|
 * race:  --x--y--z|     b signalled first; a is cancelled at 2
 * @endverbatim
 *
 * @see @ref marbles_race "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/race-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site  assembly site; the macro passes it
 * @param a     first source; @takes
 * @param b     second source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either source is NULL, the other released)
 * @note Subscribe and request on the thread the sources signal on.
 * @see rx_race_array_at()
 */
RX_API rx_observable *rx_race_at(const rx_site *site, rx_observable *a,
                                 rx_observable *b);
/** @brief See rx_race_at(). */
#define rx_race(a, b) rx_race_at(RX_SITE("rx_race"), (a), (b))

/**
 * @brief rx_race() over @p n sources; with @p n = 0 it completes at once.
 *
 * Sources that signal in the same instant win in subscription order.
 *
 * @verbatim
 * srcs[0]:  ---1-|
 * srcs[1]:  -a--b-|
 * srcs[2]:  -x----|
 * race:     -a--b-|     srcs[1] and srcs[2] tie at 1: srcs[1] wins
 * @endverbatim
 *
 * @param site  assembly site; the macro passes it
 * @param n     how many sources
 * @param srcs  each one @takes (the C array stays the caller's); a NULL
 *              entry fails the call
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p srcs
 *         with @p n > 0), #RX_ENOMEM; a NULL entry returns NULL leaving
 *         the last error as the failed call set it
 * @note Subscribe and request on the thread the sources signal on.
 */
RX_API rx_observable *rx_race_array_at(const rx_site *site, size_t n,
                                       rx_observable *const *srcs);
/** @brief See rx_race_array_at(). */
#define rx_race_array(n, srcs)                                                 \
    rx_race_array_at(RX_SITE("rx_race_array"), (n), (srcs))

/**
 * @brief Mirrors @p src until @p notifier emits or completes, then
 * completes.
 *
 * @p notifier is subscribed first and asked for everything; its first
 * item, or its completion, cancels both and completes the result (the
 * completion counts too, as in RxJava; RxJS ignores it). Its error fails
 * the result. A notifier that ends while being subscribed completes the
 * result without subscribing to @p src at all.
 *
 * @verbatim
 * src:         -1-2-3-4-|
 * notifier:    ------x
 * take_until:  -1-2-3|
 * @endverbatim
 *
 * @see @ref marbles_take_until "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/take_until-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param src       the source mirrored; @takes
 * @param notifier  the source that ends it; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either argument is NULL, the other released)
 * @note Subscribe and request on the thread the sources signal on.
 * @see rx_skip_until_at(), rx_take()
 */
RX_API rx_observable *rx_take_until_at(const rx_site *site, rx_observable *src,
                                       rx_observable *notifier);
/** @brief See rx_take_until_at(). */
#define rx_take_until(src, notifier)                                           \
    rx_take_until_at(RX_SITE("rx_take_until"), (src), (notifier))

/**
 * @brief Drops the items of @p src until @p notifier emits or completes,
 * then mirrors @p src.
 *
 * @p notifier is subscribed first and asked for everything; its first
 * item, or its completion (as in RxJava; in RxJS a notifier that
 * completes empty keeps the gate shut), opens the gate, and a notifier
 * that emitted is cancelled. Dropped items use no demand. Its error fails
 * the result.
 *
 * @verbatim
 * src:         -1-2-3-4-|
 * notifier:    ----x
 * skip_until:  -----3-4-|
 * @endverbatim
 *
 * @see @ref marbles_skip_until "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/skip_until-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param src       the source mirrored; @takes
 * @param notifier  the source that opens the gate; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either argument is NULL, the other released)
 * @note Subscribe and request on the thread the sources signal on.
 * @see rx_take_until_at(), rx_skip()
 */
RX_API rx_observable *rx_skip_until_at(const rx_site *site, rx_observable *src,
                                       rx_observable *notifier);
/** @brief See rx_skip_until_at(). */
#define rx_skip_until(src, notifier)                                           \
    rx_skip_until_at(RX_SITE("rx_skip_until"), (src), (notifier))

/**
 * @brief Emits the items of @p first, then those of @p src: rx_concat()
 * with the arguments the other way round.
 *
 * @p src is subscribed only once @p first has completed; an error of
 * @p first ends the result.
 *
 * @verbatim
 * first:       -a-b|
 * src:             -1-2|
 * start_with:  -a-b-1-2|
 * @endverbatim
 *
 * @see @ref marbles_start_with "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/start_with-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site   assembly site; the macro passes it
 * @param src    the source that follows; @takes
 * @param first  the source emitted first; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either argument is NULL, the other released)
 * @note Like rx_concat(), stack-safe for long synchronous chains.
 * @see rx_start_with_values_at(), rx_concat_at()
 */
RX_API rx_observable *rx_start_with_at(const rx_site *site, rx_observable *src,
                                       rx_observable *first);
/** @brief See rx_start_with_at(). */
#define rx_start_with(src, first)                                              \
    rx_start_with_at(RX_SITE("rx_start_with"), (src), (first))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_COMBINATION_H */
