/* SPDX-License-Identifier: MIT */
/**
 * @file recover.h
 * @brief Recovering from errors: catch, on_error_return, retry,
 * retry_when, using, and the delay_error forms of merge and concat_map.
 *
 * The guide page "Recovering from errors" (docs/guide/recovering.md) says
 * which to pick.
 */
#ifndef UVRX_RECOVER_H
#define UVRX_RECOVER_H

#include "combine.h"
#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Maps an error to the fallback observable that replaces the
 * failed source.
 * @param err      the error; borrowed
 * @param ctx      the context given with the function
 * @param out_err  store a new error here to fail the stream with it
 * @return a new reference, taken by the operator; NULL fails the stream
 *         with @c *out_err, or when that is NULL with the last error (that
 *         of the uvrx call that failed inside the function)
 */
typedef rx_observable *(*rx_catch_fn)(const rx_error *err, void *ctx,
                                      rx_error **out_err);

/**
 * @brief Maps an error to the last item to emit in its place.
 * @param err      the error; borrowed
 * @param ctx      the context given with the function
 * @param out_err  store a new error here to fail the stream with it
 * @return the item, a new reference taken by the operator
 */
typedef rx_value (*rx_error_value_fn)(const rx_error *err, void *ctx,
                                      rx_error **out_err);

/**
 * @brief On an error, switches to the observable @p handler returns for
 * it (RxJava's onErrorResumeNext; alias: on_error_resume_next).
 *
 * Items and completion pass unchanged. When the source fails, @p handler
 * is called once with the error and the fallback it returns is
 * subscribed with the demand still outstanding; its items, error and
 * completion go downstream (an error of the fallback is not caught). If
 * @p handler fails, its error goes downstream instead of the original
 * one.
 *
 * @verbatim
 * src:       -a-b-#
 * fallback:       -x-y|
 * catch:     -a-b--x-y|
 * @endverbatim
 *
 * @see @ref marbles_catch "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/catch-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site    assembly site; the macro passes it
 * @param src     source; @takes
 * @param handler must not be NULL
 * @param ctx     passed to @p handler; @borrows, must outlive the result
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL
 *         @p handler), #RX_ENOMEM
 * @see rx_on_error_return(), rx_retry()
 */
RX_API rx_observable *rx_catch_at(const rx_site *site, rx_observable *src,
                                  rx_catch_fn handler, void *ctx);
/** @brief See rx_catch_at(). */
#define rx_catch(src, handler, ctx)                                            \
    rx_catch_at(RX_SITE("rx_catch"), (src), (handler), (ctx))

/**
 * @brief On an error, emits @p v (when there is demand for it) and
 * completes.
 *
 * @verbatim
 * src:                 -a-b-#
 * on_error_return(z):  -a-b-(z|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param v    the item emitted in place of an error; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (also when
 *         @p v is rx_invalid())
 * @see rx_on_error_return_fn()
 */
RX_API rx_observable *rx_on_error_return_at(const rx_site *site,
                                            rx_observable *src, rx_value v);
/** @brief See rx_on_error_return_at(). */
#define rx_on_error_return(src, v)                                             \
    rx_on_error_return_at(RX_SITE("rx_on_error_return"), (src), (v))

/**
 * @brief On an error, emits the item @p fn makes from it and completes.
 *
 * @verbatim
 * src:                    -a-#
 * on_error_return_fn(f):  -a-(f(#)|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL; if it fails, its error goes downstream
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_on_error_return_fn_at(const rx_site *site,
                                               rx_observable *src,
                                               rx_error_value_fn fn, void *ctx);
/** @brief See rx_on_error_return_fn_at(). */
#define rx_on_error_return_fn(src, fn, ctx)                                    \
    rx_on_error_return_fn_at(RX_SITE("rx_on_error_return_fn"), (src), (fn),    \
                             (ctx))

/**
 * @brief Decides whether to retry after an error.
 * @param err      the error; borrowed
 * @param attempt  the retry this would be: 1 for the first
 * @param ctx      the config's @c ctx
 * @return true to retry
 */
typedef bool (*rx_retry_pred_fn)(const rx_error *err, int64_t attempt,
                                 void *ctx);

/** @brief Options of rx_retry_opts(). */
typedef struct rx_retry_config {
    /** Most retries; #RX_UNBOUNDED for no limit; 0 never retries. */
    int64_t count;
    /** Called before each retry, after @c count allows it; NULL: always. */
    rx_retry_pred_fn pred;
    /** Passed to @c pred; borrowed, must outlive the result. */
    void *ctx;
    /** Wait before the first retry; 0 retries at once (no scheduler). */
    int64_t base_ms;
    /** Each later wait is the previous one times this; 0 for 2.0, else
     *  >= 1. */
    double factor;
    /** The longest wait; 0 for no cap. */
    int64_t max_delay_ms;
    /** 0..1: each wait is shortened by a random fraction of up to this
     *  much of itself, drawn from a PRNG seeded with @c seed. */
    double jitter;
    /** The PRNG seed; every subscription draws the same sequence. */
    uint64_t seed;
    /** An item resets the attempt count, so the next failure is retry 1
     *  with the base wait again. */
    bool reset_on_success;
    /** Where the waits run (NULL: the default scheduler); @borrows. */
    rx_scheduler *sched;
} rx_retry_config;

/**
 * @brief Resubscribes the source when it fails, up to a count, when a
 * predicate agrees, after an exponentially growing wait.
 *
 * Each retry subscribes the source afresh (a cold source starts over)
 * with the demand still outstanding. The wait before retry k is
 * min(base_ms * factor^(k-1), max_delay_ms), less a jitter fraction;
 * waits run on @c sched, so tests use virtual time. Retries that happen
 * at once (base_ms 0) run in a loop: a source that fails synchronously a
 * million times uses no stack. When no retry is left, or @c pred says
 * no, the last error goes downstream.
 *
 * @verbatim
 * src:     -a-#                 (cold; base_ms 2, count 2)
 * retry:   -a---a-----a-#
 * subs:    ^--!
 *              ^--!             (after 2 ms)
 *                    ^--!       (after 4 ms)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param cfg  the options, copied; @borrows (the macro is variadic, so a
 *             compound literal with several initialisers works)
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL @c cfg,
 *         negative count, base_ms or max_delay_ms, factor in (0, 1),
 *         jitter outside 0..1, an untimed scheduler with base_ms > 0),
 *         #RX_ENOMEM
 * @note The waits run on the scheduler's thread, which must be the
 *       subscription's.
 */
RX_API rx_observable *rx_retry_opts_at(const rx_site *site, rx_observable *src,
                                       const rx_retry_config *cfg);
/** @brief See rx_retry_opts_at(). */
#define rx_retry_opts(src, ...)                                                \
    rx_retry_opts_at(RX_SITE("rx_retry_opts"), (src), __VA_ARGS__)

/**
 * @brief Resubscribes the source at once when it fails, at most
 * @p count times.
 *
 * @verbatim
 * src:       -a-#          (cold)
 * retry(1):  -a--a-#
 * @endverbatim
 *
 * @see @ref marbles_retry "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/retry-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site  assembly site; the macro passes it
 * @param src   source; @takes
 * @param count >= 0; #RX_UNBOUNDED for ever
 * @return @newref, or NULL with the last error #RX_EINVAL (negative
 *         @p count), #RX_ENOMEM
 */
RX_API rx_observable *rx_retry_at(const rx_site *site, rx_observable *src,
                                  int64_t count);
/** @brief See rx_retry_at(). */
#define rx_retry(src, count) rx_retry_at(RX_SITE("rx_retry"), (src), (count))

/**
 * @brief Makes the notifier of rx_retry_when() from the stream of errors.
 * @param errors   emits one item per failure of the source (read it with
 *                 rx_retry_error()); @takes
 * @param ctx      the context given with the function
 * @param err      store a new error here to fail the stream
 * @return the notifier, a new reference taken by the operator; NULL fails
 *         the stream with @c *err, or the last error
 */
typedef rx_observable *(*rx_retry_when_fn)(rx_observable *errors, void *ctx,
                                           rx_error **err);

/**
 * @brief Resubscribes the source each time the notifier made from its
 * errors emits (RxJava's retryWhen).
 *
 * At subscribe, @p handler gets an observable of the source's errors and
 * returns a notifier; the notifier is subscribed first, then the source.
 * Each error of the source becomes an item of the errors stream; each
 * item of the notifier then resubscribes the source (an item while the
 * source runs is ignored). The notifier's completion completes the
 * stream, its error fails it; a completion of the source completes it
 * and cancels the notifier.
 *
 * @verbatim
 * src:       -a-#            (cold)
 * notifier:  errors -> delay 2 -> take 1
 * out:       -a---a-|
 * @endverbatim
 *
 * @see @ref marbles_retry_when "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/retry_when-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site    assembly site; the macro passes it
 * @param src     source; @takes
 * @param handler called once per subscription; must not be NULL
 * @param ctx     passed to @p handler; @borrows, must outlive the result
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL
 *         @p handler), #RX_ENOMEM
 * @note The errors stream is a unicast subject inside the subscription:
 *       subscribe it once, on the subscription's thread.
 */
RX_API rx_observable *rx_retry_when_at(const rx_site *site, rx_observable *src,
                                       rx_retry_when_fn handler, void *ctx);
/** @brief See rx_retry_when_at(). */
#define rx_retry_when(src, handler, ctx)                                       \
    rx_retry_when_at(RX_SITE("rx_retry_when"), (src), (handler), (ctx))

/**
 * @brief The error an item of rx_retry_when()'s errors stream carries.
 * @param v  the item; @borrows
 * @return the error, borrowed from @p v (retain it to keep it), or NULL
 *         when @p v is not such an item
 */
RX_API const rx_error *rx_retry_error(rx_value v);

/**
 * @brief Acquires the resource of one rx_using() subscription.
 * @param ctx  the context given with the functions
 * @param err  store a new error here to fail the subscription
 * @return the resource, a new reference (any value: rx_ptr, a box, ...)
 */
typedef rx_value (*rx_resource_fn)(void *ctx, rx_error **err);

/**
 * @brief Makes the observable that uses a resource.
 * @param resource  borrowed
 * @param ctx       the context given with the functions
 * @param err       store a new error here to fail the subscription
 * @return a new reference, taken; NULL fails with @c *err or the last
 *         error
 */
typedef rx_observable *(*rx_using_fn)(rx_value resource, void *ctx,
                                      rx_error **err);

/**
 * @brief Releases a resource; uvrx releases the value itself afterwards.
 * @param resource  borrowed
 * @param ctx       the context given with the functions
 */
typedef void (*rx_resource_drop_fn)(rx_value resource, void *ctx);

/**
 * @brief Acquires a resource per subscription, emits the observable made
 * from it, and releases it exactly once at the end.
 *
 * At subscribe, @p acquire makes the resource and @p make the observable
 * from it, which runs in its place. @p drop runs exactly once: before the
 * terminal signal goes downstream (RxJava's eager mode), at cancel, or
 * when @p make fails. A failing @p acquire fails the subscription and
 * calls no @p drop.
 *
 * @verbatim
 * using(acquire, make, drop):
 * made:     -a-b-|
 * out:      -a-b-|           (drop runs at 5, before the completion)
 * @endverbatim
 *
 * @param site    assembly site; the macro passes it
 * @param acquire must not be NULL
 * @param make    must not be NULL
 * @param drop    may be NULL (then only the value is released)
 * @param ctx     passed to the three; @borrows, must outlive the result
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL
 *         @p acquire or @p make), #RX_ENOMEM
 */
RX_API rx_observable *rx_using_at(const rx_site *site, rx_resource_fn acquire,
                                  rx_using_fn make, rx_resource_drop_fn drop,
                                  void *ctx);
/** @brief See rx_using_at(). */
#define rx_using(acquire, make, drop, ctx)                                     \
    rx_using_at(RX_SITE("rx_using"), (acquire), (make), (drop), (ctx))

/**
 * @brief rx_merge() that lets both sources finish before signalling the
 * first error.
 *
 * @verbatim
 * a:      -1-#
 * b:      ---2---3|
 * out:    -1-2---3#
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param a  @takes
 * @param b  @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL when
 *         either argument is NULL, the other released)
 * @note A second error goes to the undeliverable handler.
 */
RX_API rx_observable *rx_merge_delay_error_at(const rx_site *site,
                                              rx_observable *a,
                                              rx_observable *b);
/** @brief See rx_merge_delay_error_at(). */
#define rx_merge_delay_error(a, b)                                             \
    rx_merge_delay_error_at(RX_SITE("rx_merge_delay_error"), (a), (b))

/**
 * @brief rx_concat_map() that runs every inner and the source to their
 * end before signalling the first error.
 *
 * @verbatim
 * src:        -a-b-|
 * fn:         a -> -#   b -> -c|
 * out:        ----c#          (a fails at 2, b runs 3..5, then the error)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_concat_map_delay_error_at(const rx_site *site,
                                                   rx_observable *src,
                                                   rx_flat_map_fn fn,
                                                   void *ctx);
/** @brief See rx_concat_map_delay_error_at(). */
#define rx_concat_map_delay_error(src, fn, ctx)                                \
    rx_concat_map_delay_error_at(RX_SITE("rx_concat_map_delay_error"), (src),  \
                                 (fn), (ctx))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_RECOVER_H */
