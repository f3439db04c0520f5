/* SPDX-License-Identifier: MIT */
/*
 * start_with: the items of one observable, then those of the source.
 *
 * RxJava's startWith(Publisher) is concatArray(other, this), and so is
 * this: rx_concat with the arguments the other way round, assembled at
 * the caller's site so that messages name rx_start_with.
 */
#include "rx-internal.h"

rx_observable *
rx_start_with_at(const rx_site *site, rx_observable *src, rx_observable *first)
{
    return rx_concat_at(site, first, src);
}
