/* SPDX-License-Identifier: MIT */
/**
 * @file thread.h
 * @brief Thread hops: moving a pipeline's work to another thread
 * (rx_subscribe_on(), rx_observe_on()), feeding a pipeline from any
 * thread (the inlet), and running a user function on libuv's thread pool
 * (rx_offload()).
 *
 * Every stage of a pipeline is driven by one thread at a time, so
 * operators keep plain state. A hop is where that thread changes:
 *
 * - rx_subscribe_on() moves the whole pipeline, from the source down to
 *   the subscriber, to a scheduler's thread.
 * - rx_observe_on() splits it in two: the upstream runs wherever it
 *   emits, and the subscriber's side runs on the scheduler's thread, with
 *   a bounded ring between them that carries demand across too.
 * - the inlet (rx_inlet_new()) is the one way for any other thread to
 *   push values into a pipeline.
 * - rx_offload() runs a function for each item on libuv's thread pool
 *   and comes back to the loop with the results, in order.
 *
 * The schedulers a hop accepts run work posted from other threads: loop
 * and pool schedulers, and the virtual scheduler (its posts run at the
 * next advance, on the thread that advances it). The trampoline and
 * immediate schedulers are rejected with #RX_EINVAL. Nothing fuses across
 * a hop: user functions stay on the thread the user chose.
 *
 * After a hop, call rx_request() only from the subscriber's callbacks
 * (they run on the new thread); rx_cancel() and rx_dispose() work from
 * any thread.
 */
#ifndef UVRX_THREAD_H
#define UVRX_THREAD_H

#include <uv.h>

#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Subscribes to @p src on a thread of @p sched: the upstream and
 * every signal downstream then run there.
 *
 * Subscribing returns at once. The subscription picks one worker of
 * @p sched (a pool hands them out round-robin) and starts @p src there,
 * once the subscribing thread has left rx_subscribe(); from then on the
 * items, the terminal signal, and requests made in the subscriber's
 * callbacks all run on that worker, in order. Requests made in
 * on_subscribe are recorded and handed to @p src when it starts; a
 * cancel before that means @p src is never started.
 *
 * @verbatim
 * src:                 -1-2-3-|        (on the subscribing thread's turn)
 * subscribe_on(pool):  ---1-2-3-|      (all on a pool worker)
 * @endverbatim
 *
 * @param site   assembly site; the macro passes it
 * @param src    source; @takes
 * @param sched  where to run: a loop, pool or virtual scheduler; @borrows
 *               (retained); NULL for the default scheduler, resolved at
 *               subscribe time
 * @return @newref, or NULL with the last error: #RX_EINVAL (the trampoline
 *         or immediate scheduler), #RX_ENOMEM
 * @note rx_cancel() and rx_dispose() may be called from any thread; a
 *       cancel from another thread wakes the worker. Call rx_request()
 *       only from the subscriber's callbacks.
 * @see rx_observe_on()
 */
RX_API rx_observable *rx_subscribe_on_at(const rx_site *site,
                                         rx_observable *src,
                                         rx_scheduler *sched);
/** @brief See rx_subscribe_on_at(). */
#define rx_subscribe_on(src, sched)                                            \
    rx_subscribe_on_at(RX_SITE("rx_subscribe_on"), (src), (sched))

/**
 * @brief Delivers the items and the terminal signal of @p src on a
 * thread of @p sched, through a bounded ring.
 *
 * @p src runs as a pipeline of its own, subscribed from the scheduler's
 * thread; a synchronous source emits on the thread that asks it for
 * items, so put rx_subscribe_on() upstream to move it elsewhere. The
 * operator asks @p src for @p prefetch items, then for `prefetch -
 * prefetch / 4` more each time that many have been taken from the ring
 * (RxJava's replenishing), so at most @p prefetch items are ever in
 * flight: demand crosses the threads too. Items reach the subscriber on
 * the scheduler's thread, in order, within its demand; a subscriber
 * with `on_next_batch` gets runs of scalar items (at most 64) through it
 * and heap items through `on_next`. The completion or
 * error of @p src follows its items through the ring: an error is
 * delivered after the items sent before it (RxJava's `delayError =
 * true`).
 *
 * A subscriber that cancels stops the deliveries at once (on the
 * scheduler's thread; from another thread, as soon as that thread sees
 * it); @p src is cancelled on its own thread and the items still in the
 * ring are released.
 *
 * @verbatim
 * src (thread A):       -1-2-3-#
 * observe_on(loop):     ---1-2-3-#     (on the loop's thread)
 * @endverbatim
 *
 * @param site      assembly site; the macro passes it
 * @param src       source; @takes
 * @param sched     where to deliver: a loop, pool or virtual scheduler;
 *                  @borrows (retained); NULL for the default scheduler,
 *                  resolved at subscribe time
 * @param prefetch  how many items may be in flight, 1 to 2^24; 0 for the
 *                  default, 128
 * @return @newref, or NULL with the last error: #RX_EINVAL (the trampoline
 *         or immediate scheduler, @p prefetch out of range), #RX_ENOMEM.
 *         A source that emits more than it was asked for fails the stream
 *         with #RX_EBACKPRESSURE.
 * @note rx_cancel() and rx_dispose() may be called from any thread. Call
 *       rx_request() only from the subscriber's callbacks.
 * @see rx_subscribe_on(), rx_inlet_new()
 */
RX_API rx_observable *rx_observe_on_at(const rx_site *site, rx_observable *src,
                                       rx_scheduler *sched, int64_t prefetch);
/** @brief See rx_observe_on_at(). */
#define rx_observe_on(src, sched, prefetch)                                    \
    rx_observe_on_at(RX_SITE("rx_observe_on"), (src), (sched), (prefetch))

/* ---- the inlet ---------------------------------------------------------- */

/**
 * @brief A thread-safe entrance into a pipeline: any thread pushes
 * values, one subscriber receives them on a scheduler's thread.
 */
typedef struct rx_inlet rx_inlet;

/**
 * @brief Creates an inlet whose values are delivered on @p sched.
 *
 * Producers on any thread call rx_inlet_try_emit(), rx_inlet_complete()
 * and rx_inlet_error(); each holds its own reference to the inlet
 * (rx_inlet_retain()), so a producer never touches freed memory however
 * late it runs. Values wait in a bounded queue of @p capacity until the
 * subscriber asks for them; a full queue refuses new values
 * (#RX_EBACKPRESSURE), so a producer learns at once that it is too fast.
 *
 * @param sched     where the subscriber receives: a loop, pool or virtual
 *                  scheduler; @borrows (retained); NULL for the default
 *                  scheduler, resolved at subscribe time
 * @param capacity  how many values may wait, > 0
 * @return @newref (release with rx_inlet_release()), or NULL with the last
 *         error: #RX_EINVAL (@p capacity 0, the trampoline or immediate
 *         scheduler), #RX_ENOMEM
 * @note Thread-safe: any thread may use an inlet it holds a reference to.
 */
RX_API rx_inlet *rx_inlet_new(rx_scheduler *sched, size_t capacity);

/**
 * @brief Takes a new reference to an inlet (any thread).
 * @param in  the inlet; @borrows (NULL is allowed)
 * @return @p in, as a reference the caller must release
 */
RX_API rx_inlet *rx_inlet_retain(rx_inlet *in);

/**
 * @brief Drops a reference to an inlet (any thread); NULL is a no-op.
 *
 * The last reference frees the inlet and the values still queued. A
 * subscription to the inlet's observable holds a reference of its own.
 * @param in  the inlet; @takes
 */
RX_API void rx_inlet_release(rx_inlet *in);

/**
 * @brief The observable of an inlet: subscribing to it attaches the
 * subscriber that receives the values.
 *
 * One subscriber at a time: a subscription made while another is attached
 * fails with on_error(#RX_EBUSY). Values pushed before anyone subscribed
 * wait in the queue. Once the first subscriber has gone, a later one
 * receives how the inlet ended: its completion, its error, or
 * on_error(#RX_ECANCELED) if that subscriber cancelled.
 *
 * @verbatim
 * try_emit:  a   b     c  complete
 * inlet:     --a---b-----c-|          (on the inlet's scheduler)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param in    the inlet; @borrows (the observable retains it)
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p in),
 *         #RX_ENOMEM
 */
RX_API rx_observable *rx_inlet_observable_at(const rx_site *site, rx_inlet *in);
/** @brief See rx_inlet_observable_at(). */
#define rx_inlet_observable(in)                                                \
    rx_inlet_observable_at(RX_SITE("rx_inlet_observable"), (in))

/**
 * @brief Pushes a value into the inlet, without blocking, from any thread.
 *
 * The value joins the queue and the subscriber's thread is woken if the
 * queue was empty. The value is taken whatever the result: when it is
 * refused, uvrx releases it.
 *
 * @param in  the inlet; @borrows
 * @param v   the value; @takes
 * @return 0; #RX_EBACKPRESSURE when the queue is full; #RX_ECANCELED when
 *         the subscriber cancelled or the inlet was completed or failed;
 *         #RX_EINVAL for a NULL @p in; #RX_ENOMEM for rx_invalid()
 * @note Thread-safe.
 */
RX_API int rx_inlet_try_emit(rx_inlet *in, rx_value v);

/**
 * @brief Ends the inlet: the subscriber completes after the values
 * already queued. Any thread.
 * @param in  the inlet; @borrows
 * @return 0; #RX_ECANCELED when already ended or cancelled; #RX_EINVAL
 *         for a NULL @p in
 * @note Thread-safe.
 */
RX_API int rx_inlet_complete(rx_inlet *in);

/**
 * @brief Fails the inlet: the subscriber receives @p err after the values
 * already queued. Any thread.
 * @param in   the inlet; @borrows
 * @param err  the error; @takes (released at once when refused)
 * @return 0; #RX_ECANCELED when already ended or cancelled; #RX_EINVAL for
 *         a NULL @p in or @p err
 * @note Thread-safe.
 */
RX_API int rx_inlet_error(rx_inlet *in, rx_error *err);

/* ---- offload ------------------------------------------------------------ */

/**
 * @brief Runs @p fn for each item on libuv's thread pool and emits the
 * results on the loop, in the order of the items.
 *
 * Each item is handed to `uv_queue_work()` on @p loop; when its work is
 * done the result waits until every earlier item's result has been
 * emitted, so the output order is the input order. At most
 * @p max_concurrent items are taken from upstream and not yet emitted
 * (running, or done and waiting for their turn or for demand), so a slow
 * subscriber or a slow function holds the upstream back. When @p fn
 * fails (sets `*err` or returns rx_invalid()) the stream fails in that
 * item's turn, after the results before it; the upstream is cancelled and
 * later results are dropped. The completion and errors of the upstream
 * also wait for the results before them. A cancel drops the results
 * still pending; work already running finishes on the pool and its result
 * is released.
 *
 * @verbatim
 * src:                 -1-2-3-|
 * offload(x*10):       ---a--bc|      a=10 b=20 c=30 (in order, whatever
 *                                     order the pool finished them in)
 * @endverbatim
 *
 * @param site            assembly site; the macro passes it
 * @param src             source; @takes. It must emit on @p loop's thread.
 * @param fn              the function; must not be NULL. It runs on a pool
 *                        thread, several at once: it must be thread-safe
 *                        and must call no uvrx function other than the
 *                        value constructors, rx_value_retain/release and
 *                        rx_error_new. It borrows the item and returns a
 *                        new reference.
 * @param ctx             passed to @p fn; @borrows, must outlive the
 *                        result and be safe to share between threads
 * @param max_concurrent  items in flight, 1 to 65536; 0 for the default, 4
 * @param loop            the loop whose thread pool runs @p fn and whose
 *                        thread receives the results; @borrows; NULL for
 *                        uv_default_loop()
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn,
 *         @p max_concurrent out of range), #RX_ENOMEM. A subscription on
 *         another thread than @p loop's fails with on_error(#RX_EINVAL).
 * @note The results and signals are delivered on @p loop's thread.
 */
RX_API rx_observable *rx_offload_at(const rx_site *site, rx_observable *src,
                                    rx_map_fn fn, void *ctx, int max_concurrent,
                                    uv_loop_t *loop);
/** @brief See rx_offload_at(). */
#define rx_offload(src, fn, ctx, max_concurrent, loop)                         \
    rx_offload_at(RX_SITE("rx_offload"), (src), (fn), (ctx), (max_concurrent), \
                  (loop))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_THREAD_H */
