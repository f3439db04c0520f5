/* SPDX-License-Identifier: MIT */
/*
 * empty and never: the two sources that emit no item.
 *
 * Each builds a tiny source stage. empty completes in its start hook
 * (never before: a request or cancel made inside on_subscribe comes
 * first), unless the subscriber cancelled already; never does nothing at
 * all. Neither needs demand, so requests are ignored.
 */
#include "rx-internal.h"

struct empty_stage {
    rx__stage base;
    bool cancelled; /* cancelled before the start hook ran */
};

static void
empty_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
empty_cancel(rx__stage *self)
{
    struct empty_stage *st = (struct empty_stage *)self;

    st->cancelled = true;
}

static void
empty_start(rx__stage *self)
{
    struct empty_stage *st = (struct empty_stage *)self;

    if (!st->cancelled) {
        st->cancelled = true; /* at most one terminal */
        rx__emit_complete(self);
    }
}

static void
never_start(rx__stage *self)
{
    (void)self;
}

static const struct rx__stage_ops empty_stage_ops = {
    .request = empty_request,
    .cancel = empty_cancel,
    .start = empty_start,
};

static const struct rx__stage_ops never_stage_ops = {
    .request = empty_request,
    .cancel = empty_cancel,
    .start = never_start,
};

static int
empty_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct empty_stage *st;

    st = rx__stage_new(pipe, &empty_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static int
never_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct empty_stage *st;

    st = rx__stage_new(pipe, &never_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops empty_ops = {.assemble = empty_assemble};
static const struct rx__obs_ops never_ops = {.assemble = never_assemble};

/* Both are allocated per call rather than shared immortal singletons, so
 * that each keeps the assembly site it was built at. */
rx_observable *
rx_empty_at(const rx_site *site)
{
    return rx__observable_new(site, &empty_ops, sizeof(rx_observable), NULL);
}

rx_observable *
rx_never_at(const rx_site *site)
{
    return rx__observable_new(site, &never_ops, sizeof(rx_observable), NULL);
}
