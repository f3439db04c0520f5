/* SPDX-License-Identifier: MIT */
/*
 * take_until: mirror a source until a notifier emits or completes.
 *
 * Built on the pair engine (pair.c): the notifier is the other source,
 * subscribed first and asked for everything. Its first item ends the
 * stream with a completion, and so does its completion: RxJava 3
 * completes on both (RxJS ignores a notifier that completes empty; see
 * docs/design/combination.md). Its error fails the stream.
 */
#include "fanin.h"

static bool
take_until_main_next(rx__pair *p, rx_value v)
{
    return rx__fanin_gate_next(&p->gate, &p->base, v);
}

static void
take_until_other_next(rx__pair *p, rx_value v)
{
    (void)v;
    rx__pair_finish(p, NULL);
}

static void
take_until_other_complete(rx__pair *p)
{
    rx__pair_finish(p, NULL);
}

static const struct rx__pair_ops take_until_pair_ops = {
    .main_next = take_until_main_next,
    .other_next = take_until_other_next,
    .other_complete = take_until_other_complete,
};

static int
take_until_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                    rx__stage **out)
{
    return rx__pair_assemble(self, pipe, down, out, &take_until_pair_ops);
}

static const struct rx__obs_ops take_until_ops = {
    .assemble = take_until_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_take_until_at(const rx_site *site, rx_observable *src,
                 rx_observable *notifier)
{
    rx_observable *srcs[2];

    srcs[RX__PAIR_MAIN] = src;
    srcs[RX__PAIR_OTHER] = notifier;
    return rx__fanin_new(site, &take_until_ops, 2, srcs, NULL, NULL);
}
