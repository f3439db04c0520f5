/* SPDX-License-Identifier: MIT */
/**
 * @file runtime.h
 * @brief Process-wide settings: the allocator, the live-object count and
 * shutdown.
 */
#ifndef UVRX_RUNTIME_H
#define UVRX_RUNTIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The memory functions every uvrx allocation goes through.
 *
 * All three must be set. They may be called from any thread that runs a
 * pipeline, so they must be thread-safe. @c malloc and @c realloc return
 * NULL on failure, which uvrx turns into #RX_ENOMEM.
 */
typedef struct rx_allocator {
    /** Allocates @p size bytes; NULL on failure. */
    void *(*malloc)(size_t size, void *ctx);
    /** Resizes @p ptr to @p size bytes; NULL (and @p ptr kept) on failure. */
    void *(*realloc)(void *ptr, size_t size, void *ctx);
    /** Frees @p ptr; NULL is a no-op. */
    void (*free)(void *ptr, void *ctx);
    /** Passed to the three functions. */
    void *ctx;
} rx_allocator;

/**
 * @brief Replaces the allocator uvrx uses for everything it allocates.
 *
 * Allowed only while rx_live_objects() is zero, like
 * uv_replace_allocator().
 * @param a  the allocator, copied; NULL restores the C library's
 * @return 0; #RX_EBUSY when uvrx objects are alive; #RX_EINVAL when a
 *         function pointer is missing
 */
RX_API int rx_set_allocator(const rx_allocator *a);

/**
 * @brief How many uvrx allocations are alive (immortal singletons
 * excluded). Zero after every subscription is disposed and every
 * observable, value, error and scheduler released. Each thread counts
 * its own allocations and frees and this sums the counts: the figure is
 * exact when no other thread is allocating or freeing uvrx objects at the
 * same time (as when a test checks for leaks after its threads finished).
 * @return the count
 */
RX_API int64_t rx_live_objects(void);

/**
 * @brief Releases uvrx's own process-wide resources (the default scheduler
 * and its handles), so that rx_live_objects() can reach zero and the loop
 * can be closed.
 *
 * Call it after disposing subscriptions and releasing schedulers, on the
 * thread that runs the default loop. Calling it twice is a no-op.
 */
RX_API void rx_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_RUNTIME_H */
