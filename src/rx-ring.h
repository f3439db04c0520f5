/* SPDX-License-Identifier: MIT */
/*
 * The one hand-written ring: a bounded single-producer/single-consumer
 * ring of rx_value on <stdatomic.h>, used by the thread hops
 * (observe_on) to move items between two threads.
 *
 * Only the two indices are shared, and only through acquire/release
 * operations on them (no standalone fences, so ThreadSanitizer follows
 * every hand-over). The producer writes any number of slots and then
 * publishes its tail once; the consumer takes any number of items and
 * then publishes its head once. Everything else is private to one side.
 *
 * Sleeping and waking. A consumer that finds the ring empty and wants to
 * wait marks the tail word with a SLEEP bit (a compare-and-swap on the
 * value it saw, so it fails if anything was published since). The
 * producer publishes with an exchange, which returns the old tail word:
 * if the SLEEP bit was set, the ring just went from empty, with the
 * consumer waiting, to non-empty, and the producer must wake it. Both
 * sides read-modify-write the same word, so one of them always sees the
 * other: a wake-up cannot be lost. A plain store and load on the two
 * indices could not decide this (each side may read the other's old
 * index: store-load reordering).
 *
 * Indices count items modulo 2^(bits-1): the tail word holds the index
 * shifted left by one with the SLEEP bit in bit 0.
 */
#ifndef UVRX_RX_RING_H
#define UVRX_RX_RING_H

#include "rx-internal.h"

typedef struct rx__ring {
    /* Each side works on its own cache line, with its own copy of the
     * buffer pointer and mask: a consumer reading `buf` from the line the
     * producer writes `ptail` to would pull that line across cores once
     * per item. The pads keep the four groups, and the fields of whatever
     * embeds the ring, on separate lines. */
    char pad_in[64];
    /* Producer side: only the producer thread touches these. */
    rx_value *buf;
    size_t mask;        /* capacity - 1; capacity is a power of two */
    size_t ptail;       /* next slot to write (may be ahead of the tail) */
    size_t phead_cache; /* the head index the producer last read */
    char pad0[64];
    atomic_size_t tail; /* (published tail index << 1) | SLEEP */
    char pad1[64];
    atomic_size_t head; /* published head index */
    char pad2[64];
    /* Consumer side: only the consumer thread touches these. */
    rx_value *cbuf;     /* == buf */
    size_t cmask;       /* == mask */
    size_t chead;       /* next slot to take (may be ahead of the head) */
    size_t ctail_cache; /* the tail index the consumer last read */
    char pad_out[64];
} rx__ring;

/* Makes a ring holding at least `min_capacity` items (rounded up to a
 * power of two). Returns 0 or RX_ENOMEM / RX_EINVAL (0 or too large). */
int rx__ring_init(rx__ring *r, size_t min_capacity);

/* Releases every item still in the ring (published or only written) and
 * the buffer. Neither side may use the ring any more. */
void rx__ring_fini(rx__ring *r);

/* How many items the ring holds at most. */
static inline size_t
rx__ring_capacity(const rx__ring *r)
{
    return r->mask + 1;
}

/* ---- producer ---------------------------------------------------------- */

/* How many more items the producer can write now. Reads the consumer's
 * head only when its cached view shows fewer than `want` free slots. */
size_t rx__ring_space(rx__ring *r, size_t want);

/* Writes v (taken) into the next slot without publishing it. Returns
 * false, leaving v with the caller, when the ring is full. */
bool rx__ring_write(rx__ring *r, rx_value v);

/* Publishes every slot written since the last publication (one atomic
 * exchange). Returns true when the consumer was asleep on the empty ring:
 * it went from empty to non-empty and the caller must wake the consumer.
 * Publishing nothing new still reports (and clears) a sleeping consumer. */
bool rx__ring_publish(rx__ring *r);

/* What rx__ring_push() did. */
enum { RX__RING_FULL = -1, RX__RING_PUSHED = 0, RX__RING_WAKE = 1 };

/* Writes and publishes one item. Returns RX__RING_FULL (v stays with the
 * caller), RX__RING_PUSHED, or RX__RING_WAKE (pushed, and the ring went
 * from empty to non-empty with the consumer asleep: wake it). */
int rx__ring_push(rx__ring *r, rx_value v);

/* ---- consumer ---------------------------------------------------------- */

/* How many published items the consumer has not taken (reads the tail
 * with acquire, so the items' contents are visible). */
size_t rx__ring_avail(rx__ring *r);

/* The oldest item, borrowed; rx__ring_avail() must have reported it. */
static inline rx_value
rx__ring_peek(const rx__ring *r)
{
    return r->cbuf[r->chead & r->cmask];
}

/* Removes the oldest item and returns it (owned). Its slot is given back
 * to the producer at the next rx__ring_commit(). */
static inline rx_value
rx__ring_take(rx__ring *r)
{
    rx_value v = r->cbuf[r->chead & r->cmask];

    r->chead++;
    return v;
}

/* Publishes the consumer's head: the slots of every item taken so far
 * go back to the producer (one release store). */
void rx__ring_commit(rx__ring *r);

/* The consumer wants to wait: commits its head and, if the ring is still
 * empty, marks it asleep so the next publication reports a wake-up.
 * Returns true when asleep (or already asleep), false when items arrived
 * meanwhile (take them instead of waiting). */
bool rx__ring_sleep(rx__ring *r);

#endif /* UVRX_RX_RING_H */
