/* SPDX-License-Identifier: MIT */
/*
 * skip_until: drop a source's items until a notifier emits or completes.
 *
 * Built on the pair engine (pair.c): the notifier is the other source,
 * subscribed first and asked for everything. Its first item opens the
 * gate and cancels it; its completion opens the gate too, as in RxJava 3
 * (RxJS keeps the gate shut; see docs/design/combination.md). Items
 * dropped while the gate is shut return false, so the upstream sends
 * another in their place and no demand is used.
 */
#include "fanin.h"

static bool
skip_until_main_next(rx__pair *p, rx_value v)
{
    if (!p->flag) {
        return false;
    }
    return rx__fanin_gate_next(&p->gate, &p->base, v);
}

static void
skip_until_other_next(rx__pair *p, rx_value v)
{
    (void)v;
    p->flag = true;
    rx__fanin_drop(&p->other, true);
}

static void
skip_until_other_complete(rx__pair *p)
{
    p->flag = true;
}

static const struct rx__pair_ops skip_until_pair_ops = {
    .main_next = skip_until_main_next,
    .other_next = skip_until_other_next,
    .other_complete = skip_until_other_complete,
};

static int
skip_until_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                    rx__stage **out)
{
    return rx__pair_assemble(self, pipe, down, out, &skip_until_pair_ops);
}

static const struct rx__obs_ops skip_until_ops = {
    .assemble = skip_until_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_skip_until_at(const rx_site *site, rx_observable *src,
                 rx_observable *notifier)
{
    rx_observable *srcs[2];

    srcs[RX__PAIR_MAIN] = src;
    srcs[RX__PAIR_OTHER] = notifier;
    return rx__fanin_new(site, &skip_until_ops, 2, srcs, NULL, NULL);
}
