/* SPDX-License-Identifier: MIT */
/*
 * with_latest_from: combine each item of a source with the latest item
 * of another.
 *
 * Built on the pair engine (pair.c): the other source is subscribed
 * first and asked for everything; each of its items replaces the latest
 * one, and its completion changes nothing. An item of the main source
 * that arrives before the other has emitted is dropped by returning
 * false, so it uses no demand (RxJava's conditional path). The combiner
 * gets the main item first and the latest second; if it fails, both
 * sources are cancelled and its error goes downstream.
 */
#include "fanin.h"

static bool
with_latest_from_main_next(rx__pair *p, rx_value v)
{
    rx_value items[2];
    rx_value out;
    rx_error *err;
    bool used;

    if (!p->flag) {
        return false;
    }
    items[0] = v;
    items[1] = p->latest;
    err = rx__fanin_combine(&p->base, items, 2, &out);
    if (err != NULL) {
        rx__pair_finish(p, err);
        return true;
    }
    used = rx__fanin_gate_next(&p->gate, &p->base, out);
    rx_value_release(out);
    return used;
}

static void
with_latest_from_other_next(rx__pair *p, rx_value v)
{
    rx_value_release(p->latest);
    p->latest = rx_value_retain(v);
    p->flag = true;
}

static const struct rx__pair_ops with_latest_from_pair_ops = {
    .main_next = with_latest_from_main_next,
    .other_next = with_latest_from_other_next,
};

static int
with_latest_from_assemble(rx_observable *self, rx__pipeline *pipe,
                          rx__stage *down, rx__stage **out)
{
    return rx__pair_assemble(self, pipe, down, out, &with_latest_from_pair_ops);
}

static const struct rx__obs_ops with_latest_from_ops = {
    .assemble = with_latest_from_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_with_latest_from_at(const rx_site *site, rx_observable *src,
                       rx_observable *other, rx_zip_fn combiner, void *ctx)
{
    rx_observable *srcs[2];

    srcs[RX__PAIR_MAIN] = src;
    srcs[RX__PAIR_OTHER] = other;
    return rx__fanin_new(site, &with_latest_from_ops, 2, srcs, combiner, ctx);
}
