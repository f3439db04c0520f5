/* SPDX-License-Identifier: MIT */
/**
 * @file sources.h
 * @brief Synchronous sources: observables built from values, counts and
 * user functions.
 *
 * Every function here is a macro over an exported `_at` form that also
 * receives the assembly site (see rx_site). All of them honour demand:
 * they emit no more items than requested. Constructors take the values and
 * errors they are given, also when they fail; on bad arguments they return
 * NULL with rx_last_error() set.
 */
#ifndef UVRX_SOURCES_H
#define UVRX_SOURCES_H

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Emits one value, then completes.
 *
 * @verbatim
 * just(a):  (a|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param v  the value; @takes
 * @return @newref, or NULL with the last error: #RX_ENOMEM (also when @p v
 *         is rx_invalid(), the mark of a failed value constructor)
 */
RX_API rx_observable *rx_just_at(const rx_site *site, rx_value v);
/** @brief See rx_just_at(). */
#define rx_just(v) rx_just_at(RX_SITE("rx_just"), (v))

/**
 * @brief Emits @p n values in order, then completes.
 *
 * @verbatim
 * from_values(3, {a, b, c}):  (abc|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param n       how many values
 * @param values  the values; each one @takes (the C array stays the
 *                caller's); may be NULL when @p n is 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p values with @p n > 0), #RX_ENOMEM (also when a value is
 *         invalid)
 */
RX_API rx_observable *rx_from_values_at(const rx_site *site, size_t n,
                                        const rx_value *values);
/** @brief See rx_from_values_at(). */
#define rx_from_values(n, values)                                              \
    rx_from_values_at(RX_SITE("rx_from_values"), (n), (values))

/**
 * @brief Emits @p n integers in order, then completes.
 *
 * @param site assembly site; the macro passes it
 * @param n     how many
 * @param ints  the integers, copied; may be NULL when @p n is 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p ints
 *         with @p n > 0), #RX_ENOMEM
 * @see rx_of_ints
 */
RX_API rx_observable *rx_from_ints_at(const rx_site *site, size_t n,
                                      const int64_t *ints);
/** @brief See rx_from_ints_at(). */
#define rx_from_ints(n, ints)                                                  \
    rx_from_ints_at(RX_SITE("rx_from_ints"), (n), (ints))

/**
 * @brief Emits the listed integers: `rx_of_ints(1, 2, 3)`.
 *
 * A macro over rx_from_ints_at() with an `int64_t` compound literal (no
 * varargs); at least one integer must be given.
 */
#define rx_of_ints(...)                                                        \
    rx_from_ints_at(RX_SITE("rx_of_ints"),                                     \
                    sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t),  \
                    (const int64_t[]){__VA_ARGS__})

/**
 * @brief Emits the @p count integers @p start, @p start + 1, ..., then
 * completes.
 *
 * @verbatim
 * range(1, 4):  (1234|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param start  the first integer
 * @param count  how many; 0 gives an empty stream
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p count, or @p start + @p count overflows: the last value
 *         must be below INT64_MAX), #RX_ENOMEM
 */
RX_API rx_observable *rx_range_at(const rx_site *site, int64_t start,
                                  int64_t count);
/** @brief See rx_range_at(). */
#define rx_range(start, count)                                                 \
    rx_range_at(RX_SITE("rx_range"), (start), (count))

/**
 * @brief Completes at once without items.
 *
 * @verbatim
 * empty:  |
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_empty_at(const rx_site *site);
/** @brief See rx_empty_at(). */
#define rx_empty() rx_empty_at(RX_SITE("rx_empty"))

/**
 * @brief Never signals anything after on_subscribe.
 *
 * @verbatim
 * never:  ------...
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_observable *rx_never_at(const rx_site *site);
/** @brief See rx_never_at(). */
#define rx_never() rx_never_at(RX_SITE("rx_never"))

/**
 * @brief Fails at once with @p err.
 *
 * @verbatim
 * throw(e):  #
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param err  the error every subscriber receives; @takes
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p err),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_throw_at(const rx_site *site, rx_error *err);
/** @brief See rx_throw_at(). */
#define rx_throw(err) rx_throw_at(RX_SITE("rx_throw"), (err))

/**
 * @brief Builds the observable to run at each subscription.
 * @param ctx  the context given to rx_defer()
 * @param err  store a new error here to fail the subscription
 * @return a new reference, taken by uvrx; NULL fails the subscription with
 *         @c *err, or with the last error when @c *err is NULL
 */
typedef rx_observable *(*rx_defer_fn)(void *ctx, rx_error **err);

/**
 * @brief Calls @p factory at each subscription and runs what it returns.
 *
 * Per-subscription state belongs here: each subscriber gets a fresh
 * observable.
 *
 * @param site assembly site; the macro passes it
 * @param factory  builds the observable; must not be NULL
 * @param ctx      passed to @p factory; @borrows, must outlive the result
 *                 and its subscriptions (or use rx_attach())
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p factory), #RX_ENOMEM
 */
RX_API rx_observable *rx_defer_at(const rx_site *site, rx_defer_fn factory,
                                  void *ctx);
/** @brief See rx_defer_at(). */
#define rx_defer(factory, ctx)                                                 \
    rx_defer_at(RX_SITE("rx_defer"), (factory), (ctx))

/**
 * @brief Creates the per-subscription state of rx_generate().
 * @param ctx  the context given to rx_generate()
 * @param err  store a new error here to fail the subscription
 * @return the state (NULL is a valid state)
 */
typedef void *(*rx_state_fn)(void *ctx, rx_error **err);

/**
 * @brief Produces the next item of rx_generate().
 * @param state  the subscription's state
 * @param ctx    the context given to rx_generate()
 * @param done   set to true to complete instead (the result is then
 *               released)
 * @param err    store a new error here to fail the stream
 * @return the item, a new reference taken by uvrx
 */
typedef rx_value (*rx_generate_fn)(void *state, void *ctx, bool *done,
                                   rx_error **err);

/**
 * @brief Emits the items @p step produces, one per unit of demand, with
 * state created per subscription.
 *
 * @verbatim
 * generate(n -> n++ until 3):  (012|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param init  creates the state at subscribe time; NULL for a NULL state
 * @param step  produces items; must not be NULL
 * @param drop  releases the state after the terminal signal or cancel;
 *              may be NULL
 * @param ctx   passed to all three; @borrows, must outlive the result and
 *              its subscriptions
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p step),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_generate_at(const rx_site *site, rx_state_fn init,
                                     rx_generate_fn step, rx_drop_fn drop,
                                     void *ctx);
/** @brief See rx_generate_at(). */
#define rx_generate(init, step, drop, ctx)                                     \
    rx_generate_at(RX_SITE("rx_generate"), (init), (step), (drop), (ctx))

/**
 * @brief The handle through which an rx_create() function emits.
 *
 * Valid on the owner thread from the call of the create function until the
 * emitter terminates or the subscription is cancelled (the cancel callback
 * says when).
 */
typedef struct rx_emitter rx_emitter;

/**
 * @brief The function rx_create() runs at each subscription.
 * @param em   the emitter of this subscription
 * @param ctx  the context given to rx_create()
 */
typedef void (*rx_create_fn)(rx_emitter *em, void *ctx);

/**
 * @brief Runs @p fn at each subscription; @p fn emits through its emitter.
 *
 * The emitter sees the subscriber's demand (rx_emitter_requested()) and
 * cancellation (rx_emitter_is_cancelled(), rx_emitter_set_cancel()).
 * Items emitted beyond demand wait in an unbounded buffer until requested,
 * as RxJava's BUFFER strategy; a producer that can slow down should watch
 * the demand instead (rx_emitter_set_request()).
 *
 * @param site assembly site; the macro passes it
 * @param fn   the producer; must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result and its
 *             subscriptions
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_create_at(const rx_site *site, rx_create_fn fn,
                                   void *ctx);
/** @brief See rx_create_at(). */
#define rx_create(fn, ctx) rx_create_at(RX_SITE("rx_create"), (fn), (ctx))

/**
 * @brief Emits an item.
 * @param em  the emitter
 * @param v   the item; @takes
 * @return 0; #RX_ECANCELED when the stream was cancelled or already
 *         terminated (the item is released); #RX_ENOMEM when the item
 *         could not be buffered (the stream then fails with #RX_ENOMEM);
 *         #RX_EINVAL for a NULL @p em
 */
RX_API int rx_emitter_next(rx_emitter *em, rx_value v);

/**
 * @brief Fails the stream, after the items already buffered.
 * @param em   the emitter
 * @param err  the error; @takes
 * @return 0; #RX_ECANCELED when cancelled or already terminated (the error
 *         goes to the undeliverable handler); #RX_EINVAL for NULL
 */
RX_API int rx_emitter_error(rx_emitter *em, rx_error *err);

/**
 * @brief Completes the stream, after the items already buffered.
 * @param em  the emitter
 * @return 0; #RX_ECANCELED when cancelled or already terminated;
 *         #RX_EINVAL for NULL
 */
RX_API int rx_emitter_complete(rx_emitter *em);

/**
 * @brief The subscriber's outstanding demand, less the buffered items.
 * @param em  the emitter
 * @return the demand (#RX_UNBOUNDED for no limit); 0 once cancelled or
 *         terminated or for NULL
 */
RX_API int64_t rx_emitter_requested(const rx_emitter *em);

/**
 * @brief Whether the subscriber cancelled.
 * @param em  the emitter
 * @return true once cancelled (or for NULL)
 */
RX_API bool rx_emitter_is_cancelled(const rx_emitter *em);

/**
 * @brief Registers a function called once when the stream ends for any
 * reason (cancel, error, completion): the place to release resources.
 * A second call replaces the first function.
 *
 * The function may run inside any emitter call -- for example inside
 * rx_emitter_next() when the subscriber cancels from its on_next -- so
 * state it frees must not be touched after an emitter call returns; check
 * rx_emitter_is_cancelled() or keep such state alive until your own code
 * is done with it.
 * @param em   the emitter
 * @param fn   called with @p ctx; NULL removes it
 * @param ctx  passed to @p fn; @borrows
 * @return 0, or #RX_EINVAL for NULL @p em
 */
RX_API int rx_emitter_set_cancel(rx_emitter *em, void (*fn)(void *ctx),
                                 void *ctx);

/**
 * @brief Registers a function called after each request with the amount
 * requested (after buffered items were delivered), so a producer can
 * resume.
 * @param em   the emitter
 * @param fn   called with the amount and @p ctx; NULL removes it
 * @param ctx  passed to @p fn; @borrows
 * @return 0, or #RX_EINVAL for NULL @p em
 */
RX_API int rx_emitter_set_request(rx_emitter *em,
                                  void (*fn)(int64_t n, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_SOURCES_H */
