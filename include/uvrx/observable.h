/* SPDX-License-Identifier: MIT */
/**
 * @file observable.h
 * @brief Observables, observers, subscriptions and the user-function types
 * operators call.
 *
 * An rx_observable is an immutable, refcounted recipe for a stream.
 * rx_subscribe() runs it: the result is an rx_subscription, through which
 * the subscriber asks for items (rx_request()) and stops the stream
 * (rx_cancel(), rx_dispose()). Signals follow the Reactive Streams rules:
 * on_subscribe first, at most as many on_next as requested, at most one
 * terminal signal (on_error or on_complete), never two signals at once.
 */
#ifndef UVRX_OBSERVABLE_H
#define UVRX_OBSERVABLE_H

#include "common.h"
#include "error.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An immutable, refcounted recipe for a stream. */
typedef struct rx_observable rx_observable;

/** @brief A running pipeline, seen from its subscriber. */
typedef struct rx_subscription rx_subscription;

/**
 * @brief What a subscriber wants called. Copied by rx_subscribe().
 *
 * Every field may be NULL except that a stream that can fail should have
 * @c on_error: an error with no @c on_error goes to the undeliverable
 * handler (rx_set_undeliverable_handler()). Values and errors passed to the
 * callbacks are borrowed for the call. @c reserved must be zero (a
 * designated initialiser does that).
 */
typedef struct rx_observer {
    /** Called once, before any other signal, with the subscription. */
    void (*on_subscribe)(rx_subscription *sub, void *ctx);
    /** Called for each item; @p v is borrowed. */
    void (*on_next)(rx_value v, void *ctx);
    /** Called at most once, for failure; @p err is borrowed. */
    void (*on_error)(const rx_error *err, void *ctx);
    /** Called at most once, for success. */
    void (*on_complete)(void *ctx);
    /**
     * Called exactly once, after the last signal, when uvrx holds no
     * further reference to @c ctx: the place to free it.
     */
    void (*on_finally)(void *ctx);
    /**
     * Optional: receives items in batches of scalar values. @p vals is a
     * scratch array owned by uvrx, writable during the call. When NULL,
     * items arrive one by one through @c on_next. An observer with this
     * and no @c on_next gets single scalar items as batches of one; a
     * heap item (string, bytes, array, error, observable) fails the
     * stream with `RX_EINVAL` instead of being dropped: set @c on_next
     * for streams that carry them. Sources and operators that can emit
     * runs of scalars (rx_range(), rx_from_values() of scalars and the
     * fused operators after them, rx_observe_on(), rx_flat_map() over
     * rx_range() inners) use this
     * whenever it is set, even with @c on_next set too.
     */
    void (*on_next_batch)(rx_value *vals, size_t n, void *ctx);
    /** Passed to every callback. */
    void *ctx;
    /** Must be zero. */
    void *reserved[2];
} rx_observer;

/**
 * @brief A transformation applied to each item.
 * @param v    the item; borrowed
 * @param ctx  the context given with the function
 * @param err  store a new error here to fail the stream (the returned
 *             value is then released)
 * @return a new reference, taken by the operator; to pass @p v through,
 *         return rx_value_retain(v)
 */
typedef rx_value (*rx_map_fn)(rx_value v, void *ctx, rx_error **err);

/**
 * @brief A predicate over an item.
 * @param v    the item; borrowed
 * @param ctx  the context given with the function
 * @param err  store a new error here to fail the stream
 * @return the answer
 */
typedef bool (*rx_pred_fn)(rx_value v, void *ctx, rx_error **err);

/**
 * @brief Combines an accumulator with an item.
 * @param acc  the accumulator; borrowed
 * @param v    the item; borrowed
 * @param ctx  the context given with the function
 * @param err  store a new error here to fail the stream
 * @return the new accumulator, a new reference taken by the operator
 */
typedef rx_value (*rx_accum_fn)(rx_value acc, rx_value v, void *ctx,
                                rx_error **err);

/**
 * @brief A kernel that maps a batch of scalar values in place.
 * @param vals scalar items, rewritten in place; every result must be a
 *             scalar (nil, bool, int, double or pointer)
 * @param n    how many
 * @param ctx  the context given with the kernel
 * @param err  store a new error here to fail the stream
 */
typedef void (*rx_map_batch_fn)(rx_value *vals, size_t n, void *ctx,
                                rx_error **err);

/**
 * @brief A kernel that filters a batch of scalar values in place.
 * @param vals scalar items; the kept ones are moved to the front in order
 * @param n    how many
 * @param ctx  the context given with the kernel
 * @param err  store a new error here to fail the stream
 * @return how many items were kept
 */
typedef size_t (*rx_filter_batch_fn)(rx_value *vals, size_t n, void *ctx,
                                     rx_error **err);

/**
 * @brief A kernel that folds a batch of scalar values into an accumulator.
 * @param acc  the accumulator; borrowed
 * @param vals scalar items
 * @param n    how many
 * @param ctx  the context given with the kernel
 * @param err  store a new error here to fail the stream
 * @return the new accumulator, a new reference taken by the operator
 */
typedef rx_value (*rx_reduce_batch_fn)(rx_value acc, const rx_value *vals,
                                       size_t n, void *ctx, rx_error **err);

/**
 * @brief Takes a new reference to an observable.
 * @param obs  the observable; @borrows (NULL is allowed)
 * @return @p obs, as a reference the caller must release
 */
RX_API rx_observable *rx_observable_retain(rx_observable *obs);

/**
 * @brief Drops a reference to an observable; NULL is a no-op.
 *
 * Running subscriptions keep what they need, so an observable may be
 * released right after rx_subscribe().
 * @param obs  the observable; @takes
 */
RX_API void rx_observable_release(rx_observable *obs);

/**
 * @brief The assembly site of an observable.
 * @param obs  the observable; @borrows
 * @return the site (valid while @p obs lives), or NULL when @p obs is NULL
 */
RX_API const rx_site *rx_observable_site(const rx_observable *obs);

/**
 * @brief Runs an observable.
 *
 * Subscribing has two phases: every stage of the pipeline is built first
 * (a failure there returns an error having called no callback and leaked
 * nothing), then the pipeline starts. @c on_subscribe runs first; a
 * request made inside it only records demand, and items flow after it
 * returns. An observer without @c on_subscribe requests #RX_UNBOUNDED.
 *
 * With @p out not NULL, @c *out is written before any callback runs, is
 * the pointer @c on_subscribe receives, and stays valid until
 * rx_dispose(), which must be called exactly once. With @p out NULL the
 * subscription frees itself after its terminal signal or cancel, and the
 * handle given to @c on_subscribe may be used only inside that
 * subscription's callbacks.
 *
 * @param obs  the observable; @borrows
 * @param observer  the callbacks, copied; @borrows
 * @param out  receives the subscription handle; may be NULL
 * @return 0; #RX_EINVAL (NULL @p obs or @p observer, non-zero reserved
 *         fields) or #RX_ENOMEM, with @c *out set to NULL and the last
 *         error set
 * @note A synchronous source delivers all its signals before this
 *       returns.
 */
RX_API int rx_subscribe(rx_observable *obs, const rx_observer *observer,
                        rx_subscription **out);

/**
 * @brief Asks for @p n more items.
 *
 * Demand adds up and saturates at #RX_UNBOUNDED. A request for @p n <= 0
 * cancels the upstream and signals on_error(#RX_EINVAL) (Reactive Streams
 * rule 3.9): at once, or right after the running callback returns. After a
 * terminal signal or a cancel this is a no-op. Call it from the
 * subscriber's callbacks or its delivery thread.
 * @param sub  the subscription; @borrows
 * @param n    how many more items
 * @return 0, or #RX_EINVAL for a NULL @p sub
 */
RX_API int rx_request(rx_subscription *sub, int64_t n);

/**
 * @brief Stops the stream; no signal reaches the subscriber afterwards.
 *
 * Idempotent, never blocks, allowed inside any callback and from any
 * thread. From another thread, a signal already running finishes and
 * on_finally tells when the observer's ctx is free. Does not free the
 * handle: see rx_dispose(). NULL is a no-op.
 * @param sub  the subscription; @borrows
 */
RX_API void rx_cancel(rx_subscription *sub);

/**
 * @brief Cancels the stream if it still runs and gives up the handle.
 *
 * Call exactly once per handle obtained through rx_subscribe()'s @p out.
 * Allowed inside the subscription's own callbacks (it is freed once they
 * return). NULL is a no-op.
 * @param sub  the subscription; @takes
 */
RX_API void rx_dispose(rx_subscription *sub);

/**
 * @brief A value that holds an observable, for streams of streams
 * (windows, groups, rx_switch_on_next()'s input).
 *
 * The value owns one reference to @p obs; copies made with
 * rx_value_retain() share it.
 * @param obs  the observable; @takes
 * @return @newref, or rx_invalid() when @p obs is NULL or memory runs out
 *         (@p obs is released then)
 * @see rx_value_observable()
 */
RX_API rx_value rx_observable_value(rx_observable *obs);

/**
 * @brief The observable a value made by rx_observable_value() holds.
 * @param v  the value; @borrows
 * @return @newref to the observable, or NULL when @p v holds none
 */
RX_API rx_observable *rx_value_observable(rx_value v);

/**
 * @brief Ties the lifetime of a user context to an observable.
 *
 * The result behaves as @p src; @p drop(@p ctx) runs exactly once, on any
 * thread, after the result and every subscription made through it are
 * gone (at once when @p src is NULL or allocation fails).
 * @param site  assembly site; the macro passes it
 * @param src   the observable; @takes
 * @param ctx   the context; @takes
 * @param drop  releases @p ctx; must not be NULL
 * @return @newref, or NULL with the last error set (#RX_EINVAL, #RX_ENOMEM)
 */
RX_API rx_observable *rx_attach_at(const rx_site *site, rx_observable *src,
                                   void *ctx, rx_drop_fn drop);
/** @brief See rx_attach_at(). */
#define rx_attach(src, ctx, drop)                                              \
    rx_attach_at(RX_SITE("rx_attach"), (src), (ctx), (drop))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_OBSERVABLE_H */
