/* SPDX-License-Identifier: MIT */
/*
 * first: emit the first item, then cancel the upstream and complete; fail
 * with RX_ENOELEMENT when the upstream completes empty.
 *
 * first is element_at(0) (element_at.c) under its own assembly site, so
 * its errors say "rx_first": demand, the outbox and the empty case are
 * element_at's.
 */
#include "rx-internal.h"

rx_observable *
rx_first_at(const rx_site *site, rx_observable *src)
{
    return rx_element_at_at(site, src, 0);
}
