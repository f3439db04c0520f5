/* SPDX-License-Identifier: MIT */
/**
 * @file backpressure.h
 * @brief Backpressure strategies: what to do with items a source emits
 * while the subscriber has asked for none.
 *
 * Sources that cannot slow down (rx_interval(), rx_timer(), simulated
 * sensors, publish subjects) fail with #RX_EBACKPRESSURE when they must
 * emit and nobody asked for an item (protocol rule 7). Put one of these
 * operators behind such a source to choose another policy: buffer the
 * items (rx_on_backpressure_buffer()), drop them
 * (rx_on_backpressure_drop()), or keep only the latest
 * (rx_on_backpressure_latest()). Each asks its upstream for everything
 * (#RX_UNBOUNDED) and meters items to the subscriber as it requests them.
 *
 * Every item one of these operators drops is released through uvrx's one
 * discard path, so refcounted payloads never leak. Errors from upstream
 * go downstream at once, ahead of the items still held (RxJava's default,
 * `delayError = false`); completion waits until the held items have been
 * delivered.
 */
#ifndef UVRX_BACKPRESSURE_H
#define UVRX_BACKPRESSURE_H

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What rx_on_backpressure_buffer() does when its buffer is full
 * and another item arrives. */
typedef enum rx_overflow {
    /** Cancel the upstream, drop the buffer and fail with
     * #RX_EBACKPRESSURE (RxJava's `ERROR`). */
    RX_OVERFLOW_ERROR = 0,
    /** Drop the oldest buffered item to make room for the new one
     * (RxJava's `DROP_OLDEST`). */
    RX_OVERFLOW_DROP_OLDEST,
    /** Drop the item that just arrived; the buffer stays as it is
     * (Reactor's and Kotlin's `DROP_LATEST`; RxJava's `DROP_LATEST`
     * instead replaces the newest buffered item). */
    RX_OVERFLOW_DROP_NEWEST
} rx_overflow;

/**
 * @brief Buffers items the subscriber has not asked for yet, up to
 * @p capacity of them.
 *
 * Asks the upstream for everything and passes items straight through
 * while the subscriber has demand and nothing is buffered; otherwise the
 * item joins a FIFO buffer that drains as demand arrives. When the buffer
 * holds @p capacity items and another arrives, @p overflow decides:
 * #RX_OVERFLOW_ERROR cancels the upstream, drops the buffer and fails with
 * #RX_EBACKPRESSURE (the message names the operator, its capacity and its
 * assembly site); #RX_OVERFLOW_DROP_OLDEST drops the oldest buffered item
 * and keeps the new one; #RX_OVERFLOW_DROP_NEWEST drops the new one.
 * An upstream error goes downstream at once, dropping what is buffered;
 * completion waits until the buffer has drained.
 *
 * @verbatim
 * src:                     -1-2-3-4-5-|    a hot source; no demand yet
 * buffer(3, DROP_OLDEST):  -----------(345|)   request(9) after the end
 * buffer(3, ERROR):        -------#        RX_EBACKPRESSURE as 4 arrives
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src       source; @takes
 * @param capacity  the most items buffered: > 0, or #RX_UNBOUNDED for no
 *                  limit (@p overflow is then never used)
 * @param overflow  what to do when the buffer is full
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p capacity
 *         <= 0, unknown @p overflow), #RX_ENOMEM. A buffer that cannot grow
 *         fails the stream with #RX_ENOMEM.
 * @see rx_on_backpressure_drop(), rx_on_backpressure_latest()
 */
RX_API rx_observable *rx_on_backpressure_buffer_at(const rx_site *site,
                                                   rx_observable *src,
                                                   int64_t capacity,
                                                   rx_overflow overflow);
/** @brief See rx_on_backpressure_buffer_at(). */
#define rx_on_backpressure_buffer(src, capacity, overflow)                     \
    rx_on_backpressure_buffer_at(RX_SITE("rx_on_backpressure_buffer"), (src),  \
                                 (capacity), (overflow))

/**
 * @brief Drops items that arrive while the subscriber has no demand.
 *
 * Asks the upstream for everything; an item goes downstream if the
 * subscriber has asked for one, otherwise it is dropped (released through
 * the discard path). Errors and completion pass through at once.
 *
 * @verbatim
 * src:   -1-2-3-4-5-|    a hot source; request(1) at the start and
 * drop:  -1-----4---|    request(1) between 3 and 4
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @see rx_on_backpressure_latest(), rx_on_backpressure_buffer()
 */
RX_API rx_observable *rx_on_backpressure_drop_at(const rx_site *site,
                                                 rx_observable *src);
/** @brief See rx_on_backpressure_drop_at(). */
#define rx_on_backpressure_drop(src)                                           \
    rx_on_backpressure_drop_at(RX_SITE("rx_on_backpressure_drop"), (src))

/**
 * @brief Keeps only the latest item the subscriber has not received, and
 * delivers it when demand arrives.
 *
 * Asks the upstream for everything; an item goes downstream if the
 * subscriber has demand, otherwise it replaces the item held (which is
 * dropped through the discard path). A request delivers the held item.
 * Completion waits until the held item has been delivered; an upstream
 * error goes downstream at once, dropping the held item.
 *
 * @verbatim
 * src:     -1-2-3-4---|    a hot source; request(1) at the start and
 * latest:  -1-------4-|    request(1) between 4 and the end
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @see rx_on_backpressure_drop(), rx_on_backpressure_buffer()
 */
RX_API rx_observable *rx_on_backpressure_latest_at(const rx_site *site,
                                                   rx_observable *src);
/** @brief See rx_on_backpressure_latest_at(). */
#define rx_on_backpressure_latest(src)                                         \
    rx_on_backpressure_latest_at(RX_SITE("rx_on_backpressure_latest"), (src))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_BACKPRESSURE_H */
