/* SPDX-License-Identifier: MIT */
/*
 * The allocator's per-thread state and the cache-hit paths of
 * rx__malloc() and rx__free_sized() (src/alloc.c has the rest and the
 * whole story), as static inline functions: a caller that allocates and
 * frees on its hot path (rx_range() and flat_map's reading of range
 * inners) gets them without a call, with the size class folded at
 * compile time.
 */
#ifndef UVRX_ALLOC_FAST_H
#define UVRX_ALLOC_FAST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Included by rx-internal.h (RX__LIKELY), not on its own. */

/* The cache is built with glibc (malloc_usable_size) and without
 * AddressSanitizer (a reused block would hide a use after free). */
#if defined(__SANITIZE_ADDRESS__)
#define RX__NO_BLOCK_CACHE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RX__NO_BLOCK_CACHE 1
#endif
#endif

#if defined(__GLIBC__) && !defined(RX__NO_BLOCK_CACHE)
#define RX__BLOCK_CACHE 1
#endif

enum {
    RX__CACHE_CLASSES = 16, /* class k: blocks of at least 16k usable bytes */
    RX__CACHE_DEPTH = 32    /* blocks per class and thread */
};

enum { RX__THREAD_NEW, RX__THREAD_ON, RX__THREAD_DEAD }; /* .state */

struct rx__cached_block {
    struct rx__cached_block *next;
};

struct rx__thread_state {
    /* Allocations minus frees made by this thread. Written only by the
     * thread (release, so a reader that sees it sees the free before it
     * finished), read by rx_live_objects() under `threads_lock`. */
    atomic_llong live;
    struct rx__thread_state *prev; /* the list of registered threads */
    struct rx__thread_state *next;
    /* RX__THREAD_NEW until the thread first allocates or frees,
     * RX__THREAD_ON once registered (on the list, with a thread-exit
     * destructor), RX__THREAD_DEAD from thread exit on (or when
     * registering failed): the count then goes to `retired` and nothing
     * more is cached. */
    unsigned char state;
#ifdef RX__BLOCK_CACHE
    unsigned char n[RX__CACHE_CLASSES];
    struct rx__cached_block *head[RX__CACHE_CLASSES];
#endif
};

/* initial-exec: the state is reached at a fixed offset from the thread
 * pointer instead of through __tls_get_addr(), so the fast paths below
 * stay leaf code (the state is small: a library loaded with dlopen()
 * takes it from the static TLS reserve, as jemalloc's does). */
#if defined(__GNUC__) || defined(__clang__)
#define RX__TLS_IE __attribute__((tls_model("initial-exec")))
#else
#define RX__TLS_IE
#endif
extern _Thread_local struct rx__thread_state rx__tstate RX__TLS_IE;

/* Whether the allocator is the standard one (rx_set_allocator), for the
 * fast paths: one load, no address to compare with. */
extern bool rx__std_alloc;

/* Everything but a cache hit (alloc.c). */
void *rx__malloc_slow(size_t size);
void rx__free_slow(void *ptr);

/* A block of `size` bytes from the calling thread's cache (a registered
 * thread, the standard allocator, a block of the class cached), counted
 * live, or NULL (then nothing changed: call rx__malloc()). */
static inline void *
rx__cache_take_fast(size_t size)
{
#ifdef RX__BLOCK_CACHE
    size_t k = (size + 15) / 16;
    struct rx__thread_state *t = &rx__tstate;

    if (RX__LIKELY(k < RX__CACHE_CLASSES && t->head[k] != NULL &&
                   t->state == RX__THREAD_ON && rx__std_alloc)) {
        struct rx__cached_block *b = t->head[k];
        t->head[k] = b->next;
        t->n[k]--;
        atomic_store_explicit(
            &t->live, atomic_load_explicit(&t->live, memory_order_relaxed) + 1,
            memory_order_release);
        return b;
    }
#else
    (void)size;
#endif
    return NULL;
}

/* rx__malloc(): a cached block when the calling thread has one. */
static inline void *
rx__malloc_fast(size_t size)
{
    void *p = rx__cache_take_fast(size);

    return RX__LIKELY(p != NULL) ? p : rx__malloc_slow(size);
}

/* rx__free_sized(): the block has at least `size` usable bytes, so
 * class size / 16 (rounded down) fits it, as malloc_usable_size() would
 * tell; into the calling thread's cache when its list has room. */
static inline void
rx__free_sized_fast(void *ptr, size_t size)
{
#ifdef RX__BLOCK_CACHE
    size_t k = size / 16;
    struct rx__thread_state *t = &rx__tstate;

    if (RX__LIKELY(k - 1 < RX__CACHE_CLASSES - 1 && t->n[k] < RX__CACHE_DEPTH &&
                   t->state == RX__THREAD_ON && rx__std_alloc && ptr != NULL)) {
        struct rx__cached_block *b = ptr;
        b->next = t->head[k];
        t->head[k] = b;
        t->n[k]++;
        atomic_store_explicit(
            &t->live, atomic_load_explicit(&t->live, memory_order_relaxed) - 1,
            memory_order_release);
        return;
    }
#else
    (void)size;
#endif
    rx__free_slow(ptr);
}

#endif
