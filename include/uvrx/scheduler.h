/* SPDX-License-Identifier: MIT */
/**
 * @file scheduler.h
 * @brief Schedulers: where and when pipeline work runs, and the clock it
 * reads.
 *
 * Time is milliseconds, libuv's unit: durations are `int64_t` (negative
 * is #RX_EINVAL), clock readings `uint64_t`. Every time-based operator
 * takes a scheduler; NULL means the default scheduler, the loop scheduler
 * of `uv_default_loop()`, which rx_shutdown() frees.
 *
 * - rx_scheduler_loop(): runs work on a libuv loop's thread, timers
 *   included; its clock is the loop's uv_now().
 * - rx_scheduler_pool(): runs work on n worker threads, each with its own
 *   loop; its clock is the worker loop's time.
 * - rx_scheduler_virtual(): runs work when a test advances time; its clock
 *   is a counter the test moves.
 * - rx_scheduler_trampoline(): runs work on the calling thread, queued
 *   behind the task running there; no clock.
 * - rx_scheduler_immediate(): runs work at once on the calling thread; no
 *   clock.
 *
 * Time operators reject the trampoline and immediate schedulers
 * (#RX_EINVAL): they have no timers.
 */
#ifndef UVRX_SCHEDULER_H
#define UVRX_SCHEDULER_H

#include <uv.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A refcounted scheduler. */
typedef struct rx_scheduler rx_scheduler;

/**
 * @brief The scheduler of a libuv loop.
 *
 * Call it on the loop's thread. The same loop always gives the same
 * scheduler (uvrx keeps its own registry keyed by the loop pointer;
 * `loop->data` stays yours). It owns an unreferenced `uv_async_t` and a
 * `uv_timer_t` that is active only while it has pending timed work, so it
 * never keeps an idle loop alive. Its last reference is dropped on the
 * loop thread; close the loop only after releasing it and running the
 * loop once more (or calling rx_shutdown()), so its handles can close.
 *
 * @param loop  the loop; @borrows, must outlive the scheduler
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p loop),
 *         #RX_ENOMEM, or a libuv code from uv_timer_init / uv_async_init
 */
RX_API rx_scheduler *rx_scheduler_loop(uv_loop_t *loop);

/**
 * @brief The default scheduler: the loop scheduler of uv_default_loop(),
 * created on first use and freed by rx_shutdown().
 * @return @newref, or NULL with the last error (#RX_ENOMEM)
 */
RX_API rx_scheduler *rx_scheduler_default(void);

/**
 * @brief A pool of @p n worker threads, each running its own libuv loop.
 *
 * Each subscription that asks the pool for a place to run gets one worker
 * (handed out round-robin) and stays on it: its work runs in order, never
 * concurrently. Releasing the last reference stops and joins the workers
 * (from a worker thread itself, a reaper thread joins them).
 *
 * @param n  how many workers, 1 to 256
 * @return @newref, or NULL with the last error: #RX_EINVAL, #RX_ENOMEM,
 *         or a libuv code from starting a thread
 */
RX_API rx_scheduler *rx_scheduler_pool(int n);

/** The largest spin rx_scheduler_set_spin() accepts: 10 ms. */
#define RX_SCHEDULER_SPIN_MAX_US 10000u

/**
 * @brief Lets a loop scheduler, or every worker of a pool, spin briefly
 * for work from other threads before its loop blocks.
 *
 * Off by default. When on, a loop that has just run tasks posted from
 * another thread (the items or the requests of a thread hop: observe_on,
 * subscribe_on, an inlet) polls for the next one for up to @p spin_us
 * microseconds before libuv blocks for I/O, and a thread that posts to
 * it meanwhile skips the kernel wake-up. Two threads exchanging batches
 * (observe_on with a small prefetch) then pay a cache-line transfer per
 * round trip instead of two wake-ups of the kernel's scheduler -- at the
 * price of a busy core for up to @p spin_us after each batch. The spin
 * stops early when a timer is due. Worth it only when each spinning
 * thread has a core of its own; on a loaded machine the thread being
 * waited for is itself waiting for a core and the spin is wasted.
 * I/O callbacks of the loop wait for the spin to end.
 *
 * @param s        a loop scheduler or a pool; @borrows
 * @param spin_us  microseconds, 0 (off) to #RX_SCHEDULER_SPIN_MAX_US
 * @return 0, or #RX_EINVAL (NULL @p s, a scheduler of another kind,
 *         @p spin_us too large; the last error names the argument)
 * @note Any thread; takes effect at the loop's next pass.
 */
RX_API int rx_scheduler_set_spin(rx_scheduler *s, unsigned spin_us);

/**
 * @brief A scheduler whose time moves only when a test moves it.
 *
 * Tasks due at the same time run in the order they were scheduled. A
 * step limit (default 1,000,000 tasks per advance) stops runaway periodic
 * tasks: an advance that reaches it returns #RX_ELIMIT.
 * @return @newref, or NULL with the last error #RX_ENOMEM
 */
RX_API rx_scheduler *rx_scheduler_virtual(void);

/**
 * @brief The trampoline scheduler: work runs on the calling thread, after
 * the task already running there. Immortal: retain and release do nothing.
 * @return the scheduler
 */
RX_API rx_scheduler *rx_scheduler_trampoline(void);

/**
 * @brief The immediate scheduler: work runs at once on the calling thread.
 * Immortal: retain and release do nothing.
 * @return the scheduler
 */
RX_API rx_scheduler *rx_scheduler_immediate(void);

/**
 * @brief Takes a new reference to a scheduler.
 * @param s  the scheduler; @borrows (NULL is allowed)
 * @return @p s, as a reference the caller must release
 */
RX_API rx_scheduler *rx_scheduler_retain(rx_scheduler *s);

/**
 * @brief Drops a reference to a scheduler; NULL is a no-op.
 *
 * Work still pending when the last reference goes is cancelled without
 * running. For a loop scheduler released off its loop thread, the final
 * teardown is deferred to the loop thread.
 * @param s  the scheduler; @takes
 */
RX_API void rx_scheduler_release(rx_scheduler *s);

/**
 * @brief The scheduler's clock, in milliseconds.
 * @param s  the scheduler; @borrows; NULL for the default scheduler
 * @return the loop's uv_now(), the virtual time, or 0 for the trampoline
 *         and immediate schedulers
 */
RX_API uint64_t rx_scheduler_now(rx_scheduler *s);

/**
 * @brief Moves virtual time forward by @p ms, running every task that
 * falls due on the way, in time order (FIFO at equal times).
 * @param vs  a virtual scheduler; @borrows
 * @param ms  how far, >= 0
 * @return the number of tasks run; #RX_EINVAL (not a virtual scheduler,
 *         negative @p ms); #RX_ELIMIT when the step limit stopped it
 */
RX_API int64_t rx_virtual_advance_by(rx_scheduler *vs, int64_t ms);

/**
 * @brief Moves virtual time forward to @p t (no-op when @p t is past).
 * @param vs  a virtual scheduler; @borrows
 * @param t   the time to reach
 * @return as rx_virtual_advance_by()
 */
RX_API int64_t rx_virtual_advance_to(rx_scheduler *vs, uint64_t t);

/**
 * @brief Runs tasks until none is left, moving time to each one's due
 * time.
 * @param vs  a virtual scheduler; @borrows
 * @return as rx_virtual_advance_by()
 */
RX_API int64_t rx_virtual_run(rx_scheduler *vs);

/**
 * @brief How many tasks wait on a virtual scheduler.
 * @param vs  a virtual scheduler; @borrows
 * @return the count (0 for other schedulers)
 */
RX_API size_t rx_virtual_pending(rx_scheduler *vs);

/**
 * @brief Sets how many tasks one advance may run before it stops with
 * #RX_ELIMIT.
 * @param vs     a virtual scheduler; @borrows
 * @param steps  the limit, > 0
 * @return 0, or #RX_EINVAL
 */
RX_API int rx_virtual_set_step_limit(rx_scheduler *vs, int64_t steps);

/**
 * @brief Runs a real loop and a virtual scheduler together until virtual
 * time reaches @p until and neither has work left before it.
 *
 * Alternates `uv_run(loop, UV_RUN_NOWAIT)` with advancing virtual time to
 * the next due task whenever a NOWAIT pass ran no uvrx work, so a test can
 * mix real sockets and virtual timers without sleeping. Waits on real I/O
 * (UV_RUN_ONCE) only while no virtual task is due before @p until.
 *
 * @param loop   the loop; @borrows
 * @param vs     a virtual scheduler; @borrows
 * @param until  the virtual time to stop at
 * @return 0; #RX_EINVAL for NULL arguments or a non-virtual @p vs;
 *         #RX_ELIMIT as for rx_virtual_advance_by()
 */
RX_API int rx_test_run(uv_loop_t *loop, rx_scheduler *vs, uint64_t until);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_SCHEDULER_H */
