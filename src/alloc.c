/* SPDX-License-Identifier: MIT */
/*
 * The one allocator every uvrx allocation goes through, and the count of
 * live allocations behind rx_live_objects(). The allocator can be replaced
 * only while nothing is alive, as with uv_replace_allocator().
 *
 * The count is kept per thread: each thread adds its allocations and
 * subtracts its frees in a counter of its own (a plain store, no locked
 * instruction), and rx_live_objects() sums the counters of the running
 * threads, under a lock, with what the exited threads left. An object
 * made on one thread and freed on another adds one to the first counter
 * and takes one from the second: the sum is exact whenever no allocation
 * is under way, which is when callers look at it.
 *
 * Small-block cache. With the standard allocator, a freed block of at
 * most CACHE_MAX usable bytes goes onto a free list of the freeing thread
 * (one list per 16-byte size class, at most RX__CACHE_DEPTH blocks each) and
 * the next allocation of its class on that thread takes it back, so
 * short-lived fixed-size objects (an rx_range built per flat_map item,
 * a receiver stage) skip malloc and free. Each list is touched only by
 * its own thread: a block made on one thread and freed on another simply
 * joins the second thread's list. A cached block is free as far as
 * rx_live_objects() is concerned (the count goes down when it is cached
 * and up when it is reused). The lists are emptied by rx_shutdown() and
 * rx_set_allocator() on the calling thread, at thread exit and at
 * process exit, so valgrind and leak checkers see no block of them left.
 * The cache is off under a custom allocator (rx_set_allocator: fault
 * injection and counting allocators see every allocation as before) and
 * in AddressSanitizer builds (a reused block would hide a use after
 * free). It needs malloc_usable_size() to learn a block's class, so it
 * is built only with glibc; rx__free_sized() skips that call for a block
 * whose size the caller knows (rx_observable_release() for kinds with a
 * fixed size, such as rx_range), and the cache hits of rx__malloc() and
 * rx__free_sized() are handled inline, the rest in noinline slow paths.
 */
#include <pthread.h>
#include <stdlib.h>

#include "rx-sched-internal.h"

#ifdef RX__BLOCK_CACHE
#include <malloc.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

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
bool rx__std_alloc = true;
_Thread_local struct rx__thread_state rx__tstate RX__TLS_IE;

/* ---- per-thread state (its fast paths' part: alloc-fast.h) ----------- */

static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rx__thread_state *threads; /* registered, running threads */
static atomic_llong retired;             /* the count of the other threads */
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static bool exit_key_ok;

/* Frees every cached block of `t`. */
static void
cache_drain(struct rx__thread_state *t)
{
#ifdef RX__BLOCK_CACHE
    for (int k = 0; k < RX__CACHE_CLASSES; k++) {
        while (t->head[k] != NULL) {
            struct rx__cached_block *b = t->head[k];
            t->head[k] = b->next;
            free(b);
        }
        t->n[k] = 0;
    }
#else
    (void)t;
#endif
}

/* Thread exit: the thread's count joins `retired`, its cache is freed. */
static void
thread_exit(void *arg)
{
    struct rx__thread_state *t = arg;

    pthread_mutex_lock(&threads_lock);
    atomic_fetch_add(&retired, atomic_load(&t->live));
    atomic_store(&t->live, 0);
    if (t->prev != NULL) {
        t->prev->next = t->next;
    } else {
        threads = t->next;
    }
    if (t->next != NULL) {
        t->next->prev = t->prev;
    }
    t->state = RX__THREAD_DEAD;
    pthread_mutex_unlock(&threads_lock);
    cache_drain(t);
}

static void
process_exit(void)
{
    /* The list keeps the count; only the blocks go. */
    cache_drain(&rx__tstate);
}

static void
exit_key_init(void)
{
    exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0 &&
                  atexit(process_exit) == 0;
}

#if defined(__GNUC__) || defined(__clang__)
/* When the library is unloaded (dlclose) while threads that used it keep
 * running, their exit must not call thread_exit(), which goes with the
 * library: the key goes first (their cached blocks are then lost to the
 * process, as the rest of an unloaded library's state is). */
__attribute__((destructor)) static void
library_unload(void)
{
    if (exit_key_ok) {
        pthread_key_delete(exit_key);
        exit_key_ok = false;
    }
}
#endif

/* Adds `d` to the live count for a thread that is not RX__THREAD_ON:
 * registers it first if it is new. */
static NOINLINE void
count_slow(long long d)
{
    struct rx__thread_state *t = &rx__tstate;

    if (t->state == RX__THREAD_NEW) {
        pthread_once(&exit_once, exit_key_init);
        if (exit_key_ok && pthread_setspecific(exit_key, t) == 0) {
            pthread_mutex_lock(&threads_lock);
            t->prev = NULL;
            t->next = threads;
            if (threads != NULL) {
                threads->prev = t;
            }
            threads = t;
            t->state = RX__THREAD_ON;
            pthread_mutex_unlock(&threads_lock);
        } else {
            t->state = RX__THREAD_DEAD;
        }
    }
    if (t->state == RX__THREAD_ON) {
        atomic_store_explicit(
            &t->live, atomic_load_explicit(&t->live, memory_order_relaxed) + d,
            memory_order_release);
    } else {
        atomic_fetch_add_explicit(&retired, d, memory_order_release);
    }
}

static inline void
count_add(long long d)
{
    struct rx__thread_state *t = &rx__tstate;

    if (RX__LIKELY(t->state == RX__THREAD_ON)) {
        /* Only this thread writes `live`: no locked instruction. */
        atomic_store_explicit(
            &t->live, atomic_load_explicit(&t->live, memory_order_relaxed) + d,
            memory_order_release);
    } else {
        count_slow(d);
    }
}

/* ---- the small-block cache -------------------------------------------- */

#ifdef RX__BLOCK_CACHE

/* A cached block of at least `size` bytes, or NULL. */
static inline void *
cache_take(size_t size)
{
    size_t k = (size + 15) / 16;
    struct rx__cached_block *b;

    if (k >= RX__CACHE_CLASSES || alloc_fns.malloc != std_malloc) {
        return NULL;
    }
    b = rx__tstate.head[k];
    if (b != NULL) {
        rx__tstate.head[k] = b->next;
        rx__tstate.n[k]--;
    }
    return b;
}

/* Whether `ptr` went into the calling thread's cache. Only a registered
 * thread caches, so its blocks are freed when it exits. */
static inline bool
cache_put(void *ptr)
{
    struct rx__cached_block *b = ptr;
    size_t k;

    if (alloc_fns.free != std_free || rx__tstate.state != RX__THREAD_ON) {
        return false;
    }
    k = malloc_usable_size(ptr) / 16;
    if (k == 0 || k >= RX__CACHE_CLASSES ||
        rx__tstate.n[k] >= RX__CACHE_DEPTH) {
        return false;
    }
    b->next = rx__tstate.head[k];
    rx__tstate.head[k] = b;
    rx__tstate.n[k]++;
    return true;
}

/* Zeroes a cached block taken for `size` bytes: up to 80 bytes the whole
 * of its class, which it has, in a few fixed-size stores the compiler
 * inlines (larger fixed sizes become `rep stos`, slower than a call). */
enum { CACHE_ZERO_MAX = 80 };

static inline void
cache_zero(void *p, size_t size)
{
    switch ((size + 15) / 16) {
    case 1:
        memset(p, 0, 16);
        break;
    case 2:
        memset(p, 0, 32);
        break;
    case 3:
        memset(p, 0, 48);
        break;
    case 4:
        memset(p, 0, 64);
        break;
    case 5:
        memset(p, 0, 80);
        break;
    default:
        memset(p, 0, size);
        break;
    }
}

#else

enum { CACHE_ZERO_MAX = 0 };

static inline void
cache_zero(void *p, size_t size)
{
    memset(p, 0, size);
}

static inline void *
cache_take(size_t size)
{
    (void)size;
    return NULL;
}

static inline bool
cache_put(void *ptr)
{
    (void)ptr;
    return false;
}

#endif

/* ---- allocation ------------------------------------------------------- */

/* rx__malloc() when the calling thread's cache has no block for it. */
NOINLINE void *
rx__malloc_slow(size_t size)
{
    void *p = cache_take(size);

    if (p == NULL) {
        p = alloc_fns.malloc(size == 0 ? 1 : size, alloc_fns.ctx);
    }
    if (p != NULL) {
        count_add(1);
    }
    return p;
}

void *
rx__malloc(size_t size)
{
    return rx__malloc_fast(size);
}

void *
rx__calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    size *= n;
    p = size <= CACHE_ZERO_MAX ? cache_take(size) : NULL;
    if (p != NULL) {
        count_add(1);
        cache_zero(p, size);
        return p;
    }
    p = rx__malloc(size);
    if (p != NULL) {
        memset(p, 0, size);
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

NOINLINE void
rx__free_slow(void *ptr)
{
    if (ptr != NULL) {
        /* Free first, then count down with release: a thread that sees
         * the count reach zero (rx_live_objects, rx_set_allocator) sees
         * this use of alloc_fns finished, so it may replace them. */
        if (!cache_put(ptr)) {
            alloc_fns.free(ptr, alloc_fns.ctx);
        }
        count_add(-1);
    }
}

void
rx__free_sized(void *ptr, size_t size)
{
    rx__free_sized_fast(ptr, size);
}

void
rx__free(void *ptr)
{
    rx__free_slow(ptr);
}

int
rx_set_allocator(const rx_allocator *a)
{
    int64_t live = rx_live_objects();

    if (live != 0) {
        return rx__fail(RX_EBUSY,
                        "rx_set_allocator: %lld uvrx objects are alive",
                        (long long)live);
    }
    cache_drain(&rx__tstate);
    if (a == NULL) {
        alloc_fns = (rx_allocator){std_malloc, std_realloc, std_free, NULL};
        rx__std_alloc = true;
        return 0;
    }
    if (a->malloc == NULL || a->realloc == NULL || a->free == NULL) {
        return rx__fail(RX_EINVAL,
                        "rx_set_allocator: malloc, realloc and free must all "
                        "be set");
    }
    alloc_fns = *a;
    rx__std_alloc = false;
    return 0;
}

int64_t
rx_live_objects(void)
{
    long long sum;

    pthread_mutex_lock(&threads_lock);
    sum = atomic_load_explicit(&retired, memory_order_acquire);
    for (const struct rx__thread_state *t = threads; t != NULL; t = t->next) {
        sum += atomic_load_explicit(&t->live, memory_order_acquire);
    }
    pthread_mutex_unlock(&threads_lock);
    return (int64_t)sum;
}

void
rx_shutdown(void)
{
    rx__sched_loop_shutdown();
    cache_drain(&rx__tstate);
}
