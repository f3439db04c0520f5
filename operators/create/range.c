/* SPDX-License-Identifier: MIT */
/*
 * range: emits the integers start, start + 1, ..., start + count - 1.
 *
 * range is an iterable source: it builds no stage. It only describes the
 * interval it covers, and the fusion engine (src/fusion.c) loops over it
 * inside the fused stage of its run, honouring demand and cancel there.
 */
#include "fusion.h"

static void
range_iterate(const rx_observable *self, struct rx__iter *it)
{
    const struct rx__range_obs *r = (const struct rx__range_obs *)self;

    it->kind = RX__ITER_RANGE;
    it->start = r->start;
    it->end = r->end;
}

const struct rx__obs_ops rx__range_ops = {
    .iterate = range_iterate,
    .size = sizeof(struct rx__range_obs),
};

/* Fills a fresh block as the range start .. start + count - 1. Not
 * rx__observable_new(): a range sets every field itself, so the block
 * needs no zeroing (flat_map inners build one per item). */
static inline rx_observable *
range_fill(struct rx__range_obs *r, const rx_site *site, int64_t start,
           int64_t count)
{
    rx__observable_init(&r->base, site, &rx__range_ops, NULL);
    r->start = start;
    r->end = start + count;
    return &r->base;
}

/* rx_range_at() but for the checks that fail and a block the calling
 * thread's cache does not have: out of line, so the common path saves
 * no register. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static rx_observable *
range_slow(const rx_site *site, int64_t start, int64_t count)
{
    struct rx__range_obs *r;

    if (count < 0) {
        return rx__fail_null(RX_EINVAL, "rx_range: count must be >= 0");
    }
    /* The iterator keeps one past the last value, so start + count itself
     * must be representable (this also rules out start + count - 1
     * overflowing, which RxJava rejects). */
    if (start > INT64_MAX - count) {
        return rx__fail_null(RX_EINVAL,
                             "rx_range: start + count must not overflow");
    }
    r = rx__malloc(sizeof *r);
    if (r == NULL) {
        return rx__fail_null(RX_ENOMEM, "%s: out of memory",
                             site != NULL ? site->name : "uvrx");
    }
    return range_fill(r, site, start, count);
}

rx_observable *
rx_range_at(const rx_site *site, int64_t start, int64_t count)
{
    struct rx__range_obs *r;

    /* The common case: valid arguments, a block from the thread's cache
     * (the checks are made again, with their messages, in range_slow). */
    if (count < 0 || start > INT64_MAX - count ||
        (r = rx__cache_take_fast(sizeof *r)) == NULL) {
        return range_slow(site, start, count);
    }
    return range_fill(r, site, start, count);
}
