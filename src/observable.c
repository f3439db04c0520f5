/* SPDX-License-Identifier: MIT */
/*
 * Observables: allocation, reference counting, and assembly, the first
 * phase of subscribing, which turns a chain of observables into stages.
 */
#include "fusion.h"

void *
rx__observable_new(const rx_site *site, const struct rx__obs_ops *ops,
                   size_t size, rx_observable *src)
{
    rx_observable *o;

    assert(size >= sizeof *o);
    o = rx__calloc(1, size);
    if (o == NULL) {
        rx_observable_release(src); /* taken, even on failure */
        return rx__fail_null(RX_ENOMEM, "%s: out of memory",
                             site != NULL ? site->name : "uvrx");
    }
    rx__observable_init(o, site, ops, src);
    return o;
}

rx_observable *
rx_observable_retain(rx_observable *obs)
{
    if (obs != NULL) {
        atomic_fetch_add_explicit(&obs->refs, 1, memory_order_relaxed);
    }
    return obs;
}

void
rx_observable_release(rx_observable *obs)
{
    /* A loop along the `src` links, so releasing a chain of a million
     * operators uses constant stack. A count of one read with acquire is
     * the caller's own reference, which no other thread can copy any
     * more: the last release then needs no locked decrement. */
    while (
        obs != NULL &&
        (atomic_load_explicit(&obs->refs, memory_order_acquire) == 1 ||
         atomic_fetch_sub_explicit(&obs->refs, 1, memory_order_acq_rel) == 1)) {
        rx_observable *src = obs->src;
        const struct rx__obs_ops *ops = obs->ops;
        if (ops->destroy != NULL) {
            ops->destroy(obs);
        }
        rx__free_sized(obs, ops->size);
        obs = src;
    }
}

const rx_site *
rx_observable_site(const rx_observable *obs)
{
    return obs != NULL ? &obs->site : NULL;
}

int
rx__assemble(rx_observable *obs, rx__pipeline *pipe, rx__stage *down,
             rx__stage **out)
{
    *out = NULL;
    if (obs->ops->fuse != NULL || obs->ops->iterate != NULL) {
        return rx__fused_assemble(obs, pipe, down, out);
    }
    return obs->ops->assemble(obs, pipe, down, out);
}

/* ---- observables as values -------------------------------------------- */

/* The drop function that marks a box as holding an observable. */
static void
observable_box_drop(void *data)
{
    rx_observable_release(data);
}

rx_value
rx_observable_value(rx_observable *obs)
{
    if (obs == NULL) {
        return rx_invalid();
    }
    return rx_box(obs, observable_box_drop); /* drops obs on failure */
}

rx_observable *
rx_value_observable(rx_value v)
{
    if (!rx_is_box(v) || rx__box_drop(v) != observable_box_drop) {
        return NULL;
    }
    return rx_observable_retain(rx_box_data(v));
}
