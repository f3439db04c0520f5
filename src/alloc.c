/* SPDX-License-Identifier: MIT */
/*
 * The one allocator every uvrx allocation goes through, and the count of
 * live allocations behind rx_live_objects(). The allocator can be replaced
 * only while nothing is alive, as with uv_replace_allocator().
 */
#include <stdlib.h>

#include "rx-sched-internal.h"

static void *
std_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void *
std_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void
std_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

static rx_allocator alloc_fns = {std_malloc, std_realloc, std_free, NULL};
static atomic_llong live_count;

void *
rx__malloc(size_t size)
{
    void *p = alloc_fns.malloc(size == 0 ? 1 : size, alloc_fns.ctx);

    if (p != NULL) {
        atomic_fetch_add_explicit(&live_count, 1, memory_order_relaxed);
    }
    return p;
}

void *
rx__calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    p = rx__malloc(n * size);
    if (p != NULL) {
        memset(p, 0, n * size);
    }
    return p;
}

void *
rx__realloc(void *ptr, size_t size)
{
    void *p;

    if (ptr == NULL) {
        return rx__malloc(size);
    }
    p = alloc_fns.realloc(ptr, size == 0 ? 1 : size, alloc_fns.ctx);
    return p;
}

void
rx__free(void *ptr)
{
    if (ptr != NULL) {
        /* Free first, then count down with release: a thread that sees
         * the count reach zero (rx_live_objects, rx_set_allocator) sees
         * this use of alloc_fns finished, so it may replace them. */
        alloc_fns.free(ptr, alloc_fns.ctx);
        atomic_fetch_sub_explicit(&live_count, 1, memory_order_release);
    }
}

int
rx_set_allocator(const rx_allocator *a)
{
    if (atomic_load(&live_count) != 0) {
        return rx__fail(RX_EBUSY,
                        "rx_set_allocator: %lld uvrx objects are alive",
                        (long long)atomic_load(&live_count));
    }
    if (a == NULL) {
        alloc_fns = (rx_allocator){std_malloc, std_realloc, std_free, NULL};
        return 0;
    }
    if (a->malloc == NULL || a->realloc == NULL || a->free == NULL) {
        return rx__fail(RX_EINVAL,
                        "rx_set_allocator: malloc, realloc and free must all "
                        "be set");
    }
    alloc_fns = *a;
    return 0;
}

int64_t
rx_live_objects(void)
{
    return (int64_t)atomic_load(&live_count);
}

void
rx_shutdown(void)
{
    rx__sched_loop_shutdown();
}
