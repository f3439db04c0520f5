/* SPDX-License-Identifier: MIT */
/*
 * merge_delay_error and concat_map_delay_error: the delay_error forms of
 * merge and concat_map, composed from rx_flat_map_opts(), whose
 * delay_error option already holds the first error until every source
 * has finished (a later error goes to the undeliverable handler).
 */
#include "rx-internal.h"

/* The items of the outer source are the observables to merge. */
static rx_observable *
unwrap(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(v);
}

rx_observable *
rx_merge_delay_error_at(const rx_site *site, rx_observable *a, rx_observable *b)
{
    rx_value pair[2];

    if (a == NULL || b == NULL) {
        rx_observable_release(a);
        rx_observable_release(b);
        return NULL;
    }
    /* from_values takes both values and fails with RX_ENOMEM when either
     * could not be made (rx_observable_value released its observable). */
    pair[0] = rx_observable_value(a);
    pair[1] = rx_observable_value(b);
    return rx_flat_map_opts_at(
        site, rx_from_values_at(site, 2, pair),
        &(rx_flat_map_config){.fn = unwrap, .delay_error = true});
}

rx_observable *
rx_concat_map_delay_error_at(const rx_site *site, rx_observable *src,
                             rx_flat_map_fn fn, void *ctx)
{
    return rx_flat_map_opts_at(
        site, src,
        &(rx_flat_map_config){
            .fn = fn, .ctx = ctx, .max_concurrent = 1, .delay_error = true});
}
