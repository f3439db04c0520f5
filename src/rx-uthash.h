/* SPDX-License-Identifier: MIT */
/*
 * The one way uvrx uses uthash (Debian's uthash-dev, /usr/include/uthash.h).
 * Include this header, never <uthash.h> directly, because uthash's defaults
 * break three uvrx rules:
 *
 * - It allocates with malloc/free. uvrx counts every live block and lets
 *   tests fail allocation N (DESIGN.md section 3), so uthash must allocate
 *   through rx__malloc/rx__free like everything else.
 * - On allocation failure it calls exit(). With HASH_NONFATAL_OOM set to 1
 *   a failed HASH_ADD instead leaves the table as it was, without the new
 *   element, and calls uthash_nonfatal_oom(elt); the caller then still
 *   owns the element and turns the failure into RX_ENOMEM.
 *   uthash_nonfatal_oom is a no-op here: a caller tells a failed add with
 *   RX__HASH_ADDED(elt), which is false exactly when uthash gave up (both
 *   of its failure paths set elt->hh.tbl to NULL; success never does).
 * - It hashes and compares keys as raw bytes. Two equal rx_values need not
 *   be equal bytes (strings compare by content, the padding word may
 *   differ) and equal bytes need not be equal values (NaN), so every table
 *   is keyed by one rx_value and uses rx_value_hash()/rx_value_equal(),
 *   which follow Java's Double.equals: NaN equals NaN, -0.0 differs from
 *   0.0.
 *
 * Key rule for every table in uvrx: the key is an rx_value stored in the
 * element, added with HASH_ADD_KEYPTR(hh, head, &elt->key, sizeof(rx_value),
 * elt) and found with HASH_FIND(hh, head, &v, sizeof(rx_value), out). The
 * key length is then always sizeof(rx_value) and only the value decides
 * equality.
 */
#ifndef UVRX_RX_UTHASH_H
#define UVRX_RX_UTHASH_H

#include <string.h>

#include "rx-internal.h"

#ifdef UTHASH_H
#error "include rx-uthash.h instead of <uthash.h>, and before it"
#endif

/* Folds rx_value_hash() to the 32-bit hash uthash keeps per element.
 * uthash picks a bucket from the low bits, and rx_value_hash() of an
 * integer is the integer itself, so multiples of 32 would all share one
 * bucket; a 64-bit finaliser (MurmurHash3's fmix64) spreads every bit of
 * the hash over the low ones first. */
static inline unsigned
rx__uthash_hash(const void *key)
{
    rx_value v;
    uint64_t h;

    memcpy(&v, key, sizeof v); /* uthash hands keys over as void * */
    h = rx_value_hash(v);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (unsigned)(h ^ (h >> 32));
}

/* memcmp-style answer for uthash: 0 when the two keys are equal values. */
static inline int
rx__uthash_cmp(const void *a, const void *b)
{
    rx_value va;
    rx_value vb;

    memcpy(&va, a, sizeof va);
    memcpy(&vb, b, sizeof vb);
    return rx_value_equal(va, vb) ? 0 : 1;
}

#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) ((void)(elt))
#define uthash_malloc(sz) rx__malloc(sz)
#define uthash_free(ptr, sz) rx__free(ptr)
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = rx__uthash_hash(keyptr))
#define HASH_KEYCMP(a, b, n) rx__uthash_cmp((a), (b))

#include <uthash.h>

/* Whether the HASH_ADD just made on `elt` succeeded (see above). */
#define RX__HASH_ADDED(elt) ((elt)->hh.tbl != NULL)

#endif /* UVRX_RX_UTHASH_H */
