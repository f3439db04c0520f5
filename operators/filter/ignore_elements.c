/* SPDX-License-Identifier: MIT */
/*
 * ignore_elements: drop every item and pass the terminal signal on.
 *
 * A stage, not a fused step: it asks its upstream for everything at start
 * (as RxJava does), because it never emits an item and so would never see
 * downstream demand that could pull the upstream. Downstream requests are
 * recorded by nobody: there is nothing to emit.
 */
#include "rx-internal.h"

static bool
ignore_elements_on_next(rx__stage *self, rx_value v)
{
    (void)self;
    (void)v;
    return true;
}

static void
ignore_elements_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
ignore_elements_start(rx__stage *self)
{
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static const struct rx__stage_ops ignore_elements_stage_ops = {
    .on_next = ignore_elements_on_next,
    .on_error = rx__stage_pass_error,
    .on_complete = rx__stage_pass_complete,
    .request = ignore_elements_request,
    .cancel = rx__stage_pass_cancel,
    .start = ignore_elements_start,
};

static int
ignore_elements_assemble(rx_observable *self, rx__pipeline *pipe,
                         rx__stage *down, rx__stage **out)
{
    rx__stage *st;

    st =
        rx__stage_new(pipe, &ignore_elements_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = st;
    return rx__assemble(self->src, pipe, st, &st->up);
}

static const struct rx__obs_ops ignore_elements_ops = {
    .assemble = ignore_elements_assemble,
};

rx_observable *
rx_ignore_elements_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &ignore_elements_ops, sizeof(rx_observable),
                              src);
}
