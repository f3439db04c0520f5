/* SPDX-License-Identifier: MIT */
/*
 * start_with_values: emits some values, then the items of a source.
 *
 * Built by composition as concat(from_values(values), src), under the
 * caller's assembly site. The arguments are checked here first so that
 * failures name rx_start_with_values rather than the parts.
 */
#include "rx-internal.h"

static void
release_values(size_t n, const rx_value *values)
{
    size_t i;

    for (i = 0; i < n; i++) {
        rx_value_release(values[i]);
    }
}

rx_observable *
rx_start_with_values_at(const rx_site *site, rx_observable *src, size_t n,
                        const rx_value *values)
{
    rx_observable *parts[2];
    size_t i;

    if (src == NULL) {
        if (values != NULL) {
            release_values(n, values);
        }
        return NULL;
    }
    if (values == NULL && n > 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_start_with_values: values must not be NULL");
    }
    for (i = 0; i < n; i++) {
        if (rx_is_invalid(values[i])) {
            release_values(n, values);
            rx_observable_release(src);
            return rx__fail_null(RX_ENOMEM,
                                 "rx_start_with_values: values[%zu] is "
                                 "invalid (a value constructor ran out of "
                                 "memory)",
                                 i);
        }
    }
    parts[0] = rx_from_values_at(site, n, values);
    if (parts[0] == NULL) {
        rx_observable_release(src);
        return NULL;
    }
    parts[1] = src;
    return rx_concat_array_at(site, 2, parts);
}
