/* SPDX-License-Identifier: MIT */
/**
 * @file time.h
 * @brief Time: timer and interval sources, and operators that delay,
 * rate-limit, time out, buffer, window and stamp streams.
 *
 * Durations are `int64_t` milliseconds; a negative one is #RX_EINVAL.
 * Every function takes a scheduler, which gives the clock and runs the
 * timers: NULL means the default scheduler (resolved when the result is
 * subscribed, not when it is built); a scheduler given here is retained by
 * the result. The trampoline and immediate schedulers have no timers and
 * are rejected with #RX_EINVAL. The scheduler must run its work on the
 * subscribing thread: the loop scheduler of that thread's loop, or a
 * virtual scheduler driven by that thread (tests). A subscription whose
 * scheduler runs elsewhere (another loop, a pool) fails with
 * on_error(#RX_EINVAL); to deliver on another thread, follow the operator
 * with rx_observe_on().
 *
 * Sources and operators whose timers emit on their own (timer, interval,
 * debounce, throttle_first, throttle_last, audit, buffer_time,
 * window_time) cannot slow down: when they must emit and the subscriber
 * has no outstanding demand they cancel their upstream and signal
 * #RX_EBACKPRESSURE, naming where they were assembled (protocol rule 7).
 * Put rx_on_backpressure_buffer(), rx_on_backpressure_drop() or
 * rx_on_backpressure_latest() behind them to choose another strategy.
 *
 * Semantics follow RxJava 3 (audit follows RxJS's auditTime);
 * docs/design/time-operators.md lists the deliberate differences. In the
 * marble diagrams one `-` is one millisecond. Timers due at the same
 * millisecond run in the order they were set, so an item that arrives at
 * exactly the instant an operator's timer fires may come before or after
 * it; the diagrams here avoid such ties, and the marble case files in
 * tests/marbles/ show how each operator resolves them.
 */
#ifndef UVRX_TIME_H
#define UVRX_TIME_H

#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sources ------------------------------------------------------------ */

/**
 * @brief Emits the integer 0 once, @p delay_ms after subscription, then
 * completes.
 *
 * @verbatim
 * timer(3):  ---(0|)
 * @endverbatim
 *
 * If the subscriber has requested nothing when the timer fires, the
 * stream fails with #RX_EBACKPRESSURE instead.
 *
 * @see @ref marbles_timer "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/timer-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param delay_ms  the delay, >= 0
 * @param sched     scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p delay_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_timer_at(const rx_site *site, int64_t delay_ms,
                                  rx_scheduler *sched);
/** @brief See rx_timer_at(). */
#define rx_timer(delay_ms, sched)                                              \
    rx_timer_at(RX_SITE("rx_timer"), (delay_ms), (sched))

/**
 * @brief Emits 0, 1, 2, ... every @p period_ms, the first one
 * @p period_ms after subscription; never completes.
 *
 * Ticks do not drift: tick k is due at subscription + k * period, however
 * late the previous one ran. A tick that finds no outstanding demand
 * fails the stream with #RX_EBACKPRESSURE.
 *
 * @verbatim
 * interval(2):  --0-1-2-3-4-...
 * @endverbatim
 *
 * @see @ref marbles_interval "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/interval-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site       assembly site; the macro passes it
 * @param period_ms  the period, > 0
 * @param sched      scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p period_ms
 *         not positive, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_interval_at(const rx_site *site, int64_t period_ms,
                                     rx_scheduler *sched);
/** @brief See rx_interval_at(). */
#define rx_interval(period_ms, sched)                                          \
    rx_interval_at(RX_SITE("rx_interval"), (period_ms), (sched))

/* ---- shifting in time --------------------------------------------------- */

/**
 * @brief Shifts each item and the completion later by @p delay_ms; an
 * error passes at once, dropping the items still waiting.
 *
 * Demand passes through to the upstream unchanged, so the items waiting
 * never exceed what the subscriber asked for.
 *
 * @verbatim
 * src:       -a--b-c-|
 * delay(2):  ---a--b-c-|
 * src:       -a--b#
 * delay(2):  ---a-#
 * @endverbatim
 *
 * @see @ref marbles_delay "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/delay-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param src       source; @takes
 * @param delay_ms  the shift, >= 0
 * @param sched     scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p delay_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_delay_at(const rx_site *site, rx_observable *src,
                                  int64_t delay_ms, rx_scheduler *sched);
/** @brief See rx_delay_at(). */
#define rx_delay(src, delay_ms, sched)                                         \
    rx_delay_at(RX_SITE("rx_delay"), (src), (delay_ms), (sched))

/**
 * @brief Subscribes to @p src only @p delay_ms after the result is
 * subscribed.
 *
 * Requests made before that are handed to @p src when it starts; a
 * cancel before that never starts it. What @p src decides when it is
 * subscribed (the connection a shared source joins, the observable
 * rx_defer() makes) is decided then, after the delay; a failure to
 * subscribe it then (#RX_ENOMEM) arrives as on_error.
 *
 * @verbatim
 * src:                    -a-b|
 * delay_subscription(3):  ----a-b|
 * @endverbatim
 *
 * @see @ref marbles_delay_subscription "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/delay_subscription-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site      assembly site; the macro passes it
 * @param src       source; @takes
 * @param delay_ms  the wait, >= 0
 * @param sched     scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p delay_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_delay_subscription_at(const rx_site *site,
                                               rx_observable *src,
                                               int64_t delay_ms,
                                               rx_scheduler *sched);
/** @brief See rx_delay_subscription_at(). */
#define rx_delay_subscription(src, delay_ms, sched)                            \
    rx_delay_subscription_at(RX_SITE("rx_delay_subscription"), (src),          \
                             (delay_ms), (sched))

/* ---- rate limiting ------------------------------------------------------ */

/**
 * @brief Emits an item only once @p timeout_ms passed without another
 * item after it.
 *
 * Each item restarts the wait and replaces the one waiting. When the
 * source completes, the item still waiting is emitted at once, then the
 * completion; when it fails, the item waiting is dropped. Asks the
 * upstream for everything.
 *
 * @verbatim
 * src:          -a----bc---d-|
 * debounce(3):  ----a-----c--(d|)
 * @endverbatim
 *
 * @see @ref marbles_debounce "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/debounce-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site        assembly site; the macro passes it
 * @param src         source; @takes
 * @param timeout_ms  the silence needed, >= 0
 * @param sched       scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p timeout_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_debounce_at(const rx_site *site, rx_observable *src,
                                     int64_t timeout_ms, rx_scheduler *sched);
/** @brief See rx_debounce_at(). */
#define rx_debounce(src, timeout_ms, sched)                                    \
    rx_debounce_at(RX_SITE("rx_debounce"), (src), (timeout_ms), (sched))

/**
 * @brief Emits an item, then drops the items that follow it within
 * @p window_ms.
 *
 * An item emitted at time t opens the window [t, t + window_ms): items
 * inside it are dropped, and the first item at or after t + window_ms is
 * emitted and opens the next one. The completion and errors pass at
 * once. Asks the upstream for everything.
 *
 * @verbatim
 * src:                -a-b-c---d-e--|
 * throttle_first(4):  -a---c---d----|
 * @endverbatim
 *
 * @see @ref marbles_throttle_first "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/throttle_first-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site       assembly site; the macro passes it
 * @param src        source; @takes
 * @param window_ms  the window, >= 0 (0 lets every item through)
 * @param sched      scheduler (its clock); @borrows (retained); NULL for
 *                   the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p window_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_throttle_first_at(const rx_site *site,
                                           rx_observable *src,
                                           int64_t window_ms,
                                           rx_scheduler *sched);
/** @brief See rx_throttle_first_at(). */
#define rx_throttle_first(src, window_ms, sched)                               \
    rx_throttle_first_at(RX_SITE("rx_throttle_first"), (src), (window_ms),     \
                         (sched))

/**
 * @brief Samples the source every @p period_ms: emits the latest item that
 * arrived since the previous tick, if any (RxJava's sample).
 *
 * Ticks are due at subscription + k * period. An item still waiting when
 * the source completes is dropped (RxJava's sample with emitLast false);
 * an error passes at once. Asks the upstream for everything.
 *
 * @verbatim
 * src:               -a-b---c--d----|
 * throttle_last(4):  ----b---c---d--|
 * @endverbatim
 *
 * @see @ref marbles_throttle_last "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/throttle_last-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site       assembly site; the macro passes it
 * @param src        source; @takes
 * @param period_ms  the sampling period, > 0
 * @param sched      scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p period_ms
 *         not positive, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_throttle_last_at(const rx_site *site,
                                          rx_observable *src, int64_t period_ms,
                                          rx_scheduler *sched);
/** @brief See rx_throttle_last_at(). */
#define rx_throttle_last(src, period_ms, sched)                                \
    rx_throttle_last_at(RX_SITE("rx_throttle_last"), (src), (period_ms),       \
                        (sched))

/**
 * @brief After an item, waits @p window_ms, then emits the latest item
 * that arrived meanwhile (RxJS's auditTime).
 *
 * An item arriving while no window runs opens one; when it ends the
 * latest item is emitted, and the next item opens the next window. When
 * the source completes during a window, the pending item is emitted at
 * the window's end, then the completion; an error passes at once and
 * drops it. Asks the upstream for everything.
 *
 * @verbatim
 * src:       -a-b----c-d---|
 * audit(3):  ----b------d--|
 * @endverbatim
 *
 * @see @ref marbles_audit "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/audit-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site       assembly site; the macro passes it
 * @param src        source; @takes
 * @param window_ms  the window, >= 0
 * @param sched      scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p window_ms, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_audit_at(const rx_site *site, rx_observable *src,
                                  int64_t window_ms, rx_scheduler *sched);
/** @brief See rx_audit_at(). */
#define rx_audit(src, window_ms, sched)                                        \
    rx_audit_at(RX_SITE("rx_audit"), (src), (window_ms), (sched))

/* ---- timeout ------------------------------------------------------------ */

/** @brief The deadlines of rx_timeout_opts(); fill it with designated
 * initialisers. */
typedef struct rx_timeout_config {
    /** How long the first item may take after subscription, in ms; 0 for
     * no limit. */
    int64_t first_ms;
    /** How long each later item, or the completion, may take after the
     * previous item, in ms; 0 for no limit. */
    int64_t each_ms;
    /** Where to switch when a deadline passes, instead of failing with
     * #RX_ETIMEDOUT; NULL to fail. Taken by rx_timeout_opts(). Since NULL
     * means "no fallback", check a fallback you build before passing it
     * (NULL in, NULL out cannot be told apart here). */
    rx_observable *fallback;
    /** The scheduler; NULL for the default. Borrowed (retained). */
    rx_scheduler *sched;
} rx_timeout_config;

/**
 * @brief Fails with #RX_ETIMEDOUT, or switches to a fallback, when an item
 * does not arrive in time.
 *
 * The first item must arrive within @c first_ms of subscription, each
 * later item (and the completion) within @c each_ms of the item before
 * it. When a deadline passes, the upstream is cancelled and either the
 * stream fails with #RX_ETIMEDOUT (its message names the operator and the
 * deadline) or @c fallback is subscribed and takes over, with the demand
 * still outstanding. Demand passes through to the upstream.
 *
 * @verbatim
 * src:                       -a-b------c-|
 * timeout(each 3):           -a-b--#
 * timeout(each 3, fb=-x-y|): -a-b---x-y|
 * src:                       ------a-|
 * timeout(first 4):          ----#
 * @endverbatim
 *
 * @see @ref marbles_timeout "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/timeout-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param cfg  the deadlines; @borrows the struct, @takes
 *             @c cfg->fallback (also on failure); at least one of
 *             @c first_ms and @c each_ms must be positive, neither
 *             negative
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p cfg,
 *         a negative deadline, no deadline, an untimed scheduler),
 *         #RX_ENOMEM. A NULL @p src releases @c cfg->fallback.
 */
RX_API rx_observable *rx_timeout_opts_at(const rx_site *site,
                                         rx_observable *src,
                                         const rx_timeout_config *cfg);
/**
 * @brief See rx_timeout_opts_at(). Variadic so that a compound literal
 * with several designated initialisers can be passed directly:
 * `rx_timeout_opts(src, &(rx_timeout_config){.first_ms = 5, .sched = s})`.
 */
#define rx_timeout_opts(src, ...)                                              \
    rx_timeout_opts_at(RX_SITE("rx_timeout_opts"), (src), __VA_ARGS__)

/* ---- buffers and windows ------------------------------------------------ */

/**
 * @brief Collects items into array values of @p count items, starting a
 * new array every @p skip items.
 *
 * skip == count cuts the stream into consecutive arrays; skip < count
 * makes overlapping ones; skip > count leaves out the items between them.
 * At completion the arrays still open are emitted, shorter, oldest first;
 * at an error they are dropped. Honours demand: asking for n arrays asks
 * the upstream for just the items they need.
 *
 * @verbatim
 * src:              -1-2-3-4-5-|
 * buffer_n(2, 2):   ---a---b---(c|)   a=[1,2] b=[3,4] c=[5]
 * buffer_n(2, 1):   ---a-b-c-d-(e|)   a=[1,2] b=[2,3] c=[3,4] d=[4,5] e=[5]
 * buffer_n(1, 2):   -a---b---c-|      a=[1] b=[3] c=[5]
 * @endverbatim
 *
 * @see @ref marbles_buffer_n "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/buffer_n-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  items per array, > 0
 * @param skip   items between the starts of two arrays, > 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p count or
 *         @p skip not positive), #RX_ENOMEM
 */
RX_API rx_observable *rx_buffer_n_at(const rx_site *site, rx_observable *src,
                                     int64_t count, int64_t skip);
/** @brief See rx_buffer_n_at(). */
#define rx_buffer_n(src, count, skip)                                          \
    rx_buffer_n_at(RX_SITE("rx_buffer_n"), (src), (count), (skip))

/**
 * @brief Emits, every @p span_ms, an array value of the items that
 * arrived during the span, empty arrays included.
 *
 * Spans are due at subscription + k * span. At completion the current
 * array is emitted (also when empty), then the completion; at an error
 * it is dropped. Asks the upstream for everything.
 *
 * @verbatim
 * src:             -12----3-----|
 * buffer_time(3):  ---a--b--c--d(e|)  a=[1,2] b=[] c=[3] d=[] e=[]
 * @endverbatim
 *
 * @see @ref marbles_buffer_time "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/buffer_time-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site     assembly site; the macro passes it
 * @param src      source; @takes
 * @param span_ms  the span, > 0
 * @param sched    scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p span_ms not
 *         positive, an untimed @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_buffer_time_at(const rx_site *site, rx_observable *src,
                                        int64_t span_ms, rx_scheduler *sched);
/** @brief See rx_buffer_time_at(). */
#define rx_buffer_time(src, span_ms, sched)                                    \
    rx_buffer_time_at(RX_SITE("rx_buffer_time"), (src), (span_ms), (sched))

/**
 * @brief The observable inside a window value, as emitted by
 * rx_window_n() and rx_window_time().
 *
 * A window is a box value (rx_box()) whose data is the window's
 * rx_observable and whose drop releases it; this function checks the
 * value is one and returns the observable. A window is unicast: its
 * first subscriber gets the items, buffered until it requests them; a
 * second subscriber gets on_error(#RX_EINVAL). Subscribe it on the thread
 * that runs the outer stream. A window nobody subscribes to buffers its
 * items until its last reference goes, then frees them.
 *
 * @param v  a value; @borrows
 * @return @newref to the window's observable, or NULL when @p v is not a
 *         window (the last error is left untouched)
 */
RX_API rx_observable *rx_window_observable(rx_value v);

/**
 * @brief Like rx_buffer_n(), but emits each group as a window, an
 * observable that emits the group's items as they arrive.
 *
 * A window is emitted when its first item arrives, just before that item;
 * it completes once it holds @p count items, or when the source completes;
 * the source's error reaches every open window and the outer stream.
 * Cancelling the outer stream ends the open windows with
 * on_error(#RX_ECANCELED). Each emitted value is a window: get its
 * observable with rx_window_observable().
 *
 * @verbatim
 * src:             -1-2-3-4-5-|
 * window_n(2, 2):  -a---b---c-|
 *   a:              1-(2|)
 *   b:                  3-(4|)
 *   c:                      5-|
 * @endverbatim
 *
 * @see @ref marbles_window_n "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/window_n-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src    source; @takes
 * @param count  items per window, > 0
 * @param skip   items between the starts of two windows, > 0
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p count or
 *         @p skip not positive), #RX_ENOMEM
 * @note Windows are fed on the outer stream's thread; subscribe them
 *       there.
 */
RX_API rx_observable *rx_window_n_at(const rx_site *site, rx_observable *src,
                                     int64_t count, int64_t skip);
/** @brief See rx_window_n_at(). */
#define rx_window_n(src, count, skip)                                          \
    rx_window_n_at(RX_SITE("rx_window_n"), (src), (count), (skip))

/**
 * @brief Cuts the stream into windows of @p span_ms each: emits a window
 * at subscription and at every span, completing the previous one.
 *
 * Spans are due at subscription + k * span. At completion the current
 * window completes, then the outer stream; an error reaches both. A
 * window that must be emitted while the subscriber has no outstanding
 * demand fails the stream with #RX_EBACKPRESSURE. Asks the upstream for
 * everything. Windows are as in rx_window_n().
 *
 * @verbatim
 * src:             -1-2---3--|
 * window_time(4):  a---b---c-|
 *   a:             -1-2|
 *   b:                 ---3|
 *   c:                     --|
 * @endverbatim
 *
 * @see @ref marbles_window_time "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/window_time-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site     assembly site; the macro passes it
 * @param src      source; @takes
 * @param span_ms  the span, > 0
 * @param sched    scheduler; @borrows (retained); NULL for the default
 * @return @newref, or NULL with the last error: #RX_EINVAL (@p span_ms not
 *         positive, an untimed @p sched), #RX_ENOMEM
 * @note Windows are fed on the outer stream's thread; subscribe them
 *       there.
 */
RX_API rx_observable *rx_window_time_at(const rx_site *site, rx_observable *src,
                                        int64_t span_ms, rx_scheduler *sched);
/** @brief See rx_window_time_at(). */
#define rx_window_time(src, span_ms, sched)                                    \
    rx_window_time_at(RX_SITE("rx_window_time"), (src), (span_ms), (sched))

/* ---- stamping ----------------------------------------------------------- */

/**
 * @brief Pairs each item with the scheduler's clock: emits the array
 * value `[rx_int(now), item]`.
 *
 * @verbatim
 * src:        -a--b-|
 * timestamp:  -x--y-|     x=[1,a] y=[4,b]  (times from rx_scheduler_now)
 * @endverbatim
 *
 * @see @ref marbles_timestamp "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/timestamp-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site   assembly site; the macro passes it
 * @param src    source; @takes
 * @param sched  scheduler (its clock); @borrows (retained); NULL for the
 *               default
 * @return @newref, or NULL with the last error: #RX_EINVAL (an untimed
 *         @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_timestamp_at(const rx_site *site, rx_observable *src,
                                      rx_scheduler *sched);
/** @brief See rx_timestamp_at(). */
#define rx_timestamp(src, sched)                                               \
    rx_timestamp_at(RX_SITE("rx_timestamp"), (src), (sched))

/**
 * @brief Pairs each item with the time since the previous item (or, for
 * the first, since subscription): emits `[rx_int(ms), item]`.
 *
 * @verbatim
 * src:            -a--b-|
 * time_interval:  -x--y-|     x=[1,a] y=[3,b]
 * @endverbatim
 *
 * @see @ref marbles_time_interval "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/time_interval-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site   assembly site; the macro passes it
 * @param src    source; @takes
 * @param sched  scheduler (its clock); @borrows (retained); NULL for the
 *               default
 * @return @newref, or NULL with the last error: #RX_EINVAL (an untimed
 *         @p sched), #RX_ENOMEM
 */
RX_API rx_observable *rx_time_interval_at(const rx_site *site,
                                          rx_observable *src,
                                          rx_scheduler *sched);
/** @brief See rx_time_interval_at(). */
#define rx_time_interval(src, sched)                                           \
    rx_time_interval_at(RX_SITE("rx_time_interval"), (src), (sched))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_TIME_H */
