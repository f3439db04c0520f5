/* SPDX-License-Identifier: MIT */
/*
 * The attempt loop of retry and retry_when (resub.h).
 */
#include "resub.h"

void
rx__resub_loop(rx__resub *r, rx__stage *self, rx__stage *recv, bool on_stack,
               rx__resub_fail_fn fail)
{
    rx__stage *old;
    int rc;

    if (r->in_loop) {
        r->again = true;
        return;
    }
    r->in_loop = true;
    do {
        old = self->up;
        self->up = NULL;
        if (old != NULL && on_stack) {
            rx__stage_retire_chain(old);
        } else if (old != NULL) {
            rx__stage_free_chain(old);
        }
        on_stack = false;
        r->again = false;
        if (r->done || rx__pipeline_poll(self->pipe)) {
            break;
        }
        rc = rx__assemble(self->obs->src, self->pipe, recv, &self->up);
        if (rc < 0) {
            self->up = NULL; /* what was built is freed with the pipeline */
            fail(self,
                 rx__error_at(rx__stage_site(self), rc,
                              "%s: cannot resubscribe: %s",
                              rx__stage_site(self)->name, rx_strerror(rc)));
            break;
        }
        r->running = true;
        if (r->requested > 0) {
            rx__request_up(self, r->requested);
        }
        rx__stage_start(self->up);
    } while (r->again);
    r->in_loop = false;
}

void
rx__resub_request(rx__resub *r, rx__stage *self, int64_t n)
{
    if (r->done) {
        return;
    }
    r->requested = rx__demand_add(r->requested, n);
    if (r->running) {
        rx__request_up(self, n);
    }
}
