/* SPDX-License-Identifier: MIT */
/*
 * The single-producer/single-consumer ring of the thread hops; the
 * protocol (batched publication, the SLEEP bit, why both sides
 * read-modify-write the tail word) is described in rx-ring.h.
 *
 * Memory orders. The producer's exchange on the tail releases the slots
 * it wrote; the consumer's acquire load (or compare-and-swap) of the tail
 * makes them visible. The consumer's release store of the head hands the
 * slots back; the producer's acquire load of the head makes sure the
 * consumer has finished reading a slot before it is overwritten.
 */
#include "rx-ring.h"

#define SLEEP ((size_t)1)
#define IDX_MASK (SIZE_MAX >> 1) /* indices live in the tail word << 1 */

static size_t
tail_index(size_t word)
{
    return word >> 1;
}

/* Items between two indices (modulo the index range). */
static size_t
distance(size_t from, size_t to)
{
    return (to - from) & IDX_MASK;
}

int
rx__ring_init(rx__ring *r, size_t min_capacity)
{
    size_t cap = 1;

    memset(r, 0, sizeof *r);
    if (min_capacity == 0 ||
        min_capacity > (SIZE_MAX >> 2) / sizeof(rx_value)) {
        return RX_EINVAL;
    }
    while (cap < min_capacity) {
        cap <<= 1;
    }
    r->buf = rx__malloc(cap * sizeof *r->buf);
    if (r->buf == NULL) {
        return RX_ENOMEM;
    }
    r->mask = cap - 1;
    r->cbuf = r->buf;
    r->cmask = r->mask;
    atomic_init(&r->tail, 0);
    atomic_init(&r->head, 0);
    return 0;
}

void
rx__ring_fini(rx__ring *r)
{
    /* What the consumer took is its own; everything from its private
     * head to the producer's private tail still belongs to the ring. */
    if (r->buf == NULL) {
        return;
    }
    for (size_t h = r->chead; distance(h, r->ptail) != 0; h++) {
        rx_value_release(r->buf[h & r->mask]);
    }
    rx__free(r->buf);
    r->buf = r->cbuf = NULL;
}

/* ---- producer ---------------------------------------------------------- */

size_t
rx__ring_space(rx__ring *r, size_t want)
{
    size_t cap = r->mask + 1;
    size_t used = distance(r->phead_cache, r->ptail);

    if (cap - used < want) {
        r->phead_cache = atomic_load_explicit(&r->head, memory_order_acquire);
        used = distance(r->phead_cache, r->ptail);
    }
    return cap - used;
}

bool
rx__ring_write(rx__ring *r, rx_value v)
{
    if (rx__ring_space(r, 1) == 0) {
        return false;
    }
    r->buf[r->ptail & r->mask] = v;
    r->ptail++;
    return true;
}

bool
rx__ring_publish(rx__ring *r)
{
    size_t old = atomic_exchange_explicit(&r->tail, (r->ptail & IDX_MASK) << 1,
                                          memory_order_acq_rel);

    return (old & SLEEP) != 0;
}

int
rx__ring_push(rx__ring *r, rx_value v)
{
    if (!rx__ring_write(r, v)) {
        return RX__RING_FULL;
    }
    return rx__ring_publish(r) ? RX__RING_WAKE : RX__RING_PUSHED;
}

/* ---- consumer ---------------------------------------------------------- */

size_t
rx__ring_avail(rx__ring *r)
{
    size_t avail = distance(r->chead, r->ctail_cache);

    if (avail == 0) {
        size_t word = atomic_load_explicit(&r->tail, memory_order_acquire);
        r->ctail_cache = tail_index(word);
        avail = distance(r->chead, r->ctail_cache);
    }
    return avail;
}

void
rx__ring_commit(rx__ring *r)
{
    atomic_store_explicit(&r->head, r->chead, memory_order_release);
}

bool
rx__ring_sleep(rx__ring *r)
{
    size_t word = atomic_load_explicit(&r->tail, memory_order_acquire);

    rx__ring_commit(r);
    for (;;) {
        if (distance(r->chead, tail_index(word)) != 0) {
            r->ctail_cache = tail_index(word);
            return false; /* published meanwhile: not empty */
        }
        if ((word & SLEEP) != 0) {
            return true; /* asleep already */
        }
        /* Fails if the producer published since `word` was read. */
        if (atomic_compare_exchange_weak_explicit(&r->tail, &word, word | SLEEP,
                                                  memory_order_acq_rel,
                                                  memory_order_acquire)) {
            return true;
        }
    }
}
