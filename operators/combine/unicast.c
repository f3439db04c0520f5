/* SPDX-License-Identifier: MIT */
/*
 * The unicast buffer kind that carries group_by's groups and
 * window_boundary's windows (higher-internal.h): one subscriber, items
 * queued until it asks, delivery inside a frame of the subscriber's
 * pipeline, hooks that tell the producer what happened.
 */
#include "higher-internal.h"

struct ubuf_stage {
    rx__stage base;
    rx__demand d;
    bool attached; /* this stage is the buffer's subscriber */
};

static rx__ubuf *
ubuf_of(const struct ubuf_stage *us)
{
    return (rx__ubuf *)us->base.obs;
}

/* The subscriber lets go: what waits is dropped, and the producer hears
 * of it (`cancelled`: before the buffer ended) unless `quiet` (the stage
 * is being freed: nothing may run then). */
static void
ubuf_detach(struct ubuf_stage *us, bool cancelled, bool quiet)
{
    rx__ubuf *b = ubuf_of(us);
    int64_t n;

    if (!us->attached) {
        return;
    }
    us->attached = false;
    b->stage = NULL;
    b->dropped = true;
    n = (int64_t)b->q.len;
    while (b->q.len > 0) {
        rx__discard(&us->base, rx__vqueue_pop(&b->q));
    }
    if (quiet) {
        return;
    }
    if (n > 0 && b->parent != NULL && b->hooks->consumed != NULL) {
        b->hooks->consumed(b, n);
    }
    if (cancelled && !b->closed && b->parent != NULL &&
        b->hooks->detached != NULL) {
        b->hooks->detached(b);
    }
}

/* One drain pass of the subscriber: items while demand lasts, then the
 * terminal signal once the buffer is empty and closed. */
static bool
ubuf_pass(void *self)
{
    struct ubuf_stage *us = self;
    rx__ubuf *b = ubuf_of(us);
    int64_t emitted = 0;
    int64_t taken = 0;
    int64_t r = us->d.requested;
    rx_error *err;

    while (emitted < r && b->q.len > 0 && !us->d.cancelled) {
        rx_value v = rx__vqueue_pop(&b->q);

        taken++;
        if (rx__emit_next(&us->base, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    us->d.requested = rx__demand_sub(us->d.requested, emitted);
    if (taken > 0 && b->parent != NULL && b->hooks->consumed != NULL) {
        /* May push more items in (the producer asks its upstream). */
        b->hooks->consumed(b, taken);
    }
    if (us->d.cancelled) {
        return false;
    }
    if (b->q.len == 0 && b->closed) {
        us->d.cancelled = true;
        err = b->error != NULL ? rx_error_retain(b->error) : NULL;
        ubuf_detach(us, false, false);
        if (err != NULL) {
            rx__emit_new_error(&us->base, err);
        } else {
            rx__emit_complete(&us->base);
        }
        return false;
    }
    return b->q.len > 0 && us->d.requested > 0;
}

static void
ubuf_drain_now(void *arg)
{
    struct ubuf_stage *us = arg;

    rx__drain(&us->d, ubuf_pass, us);
}

/* Drains the attached subscriber, if any, from the producer's side:
 * inside a frame of the subscriber's pipeline, which may be freed when
 * the frame exits (nothing here touches the stage afterwards). */
static void
ubuf_feed(rx__ubuf *b)
{
    struct ubuf_stage *us = b->stage;

    if (us == NULL || !us->d.started || us->d.draining) {
        return;
    }
    rx__in_frame(us->base.pipe, ubuf_drain_now, us);
}

int
rx__ubuf_push(rx__ubuf *b, rx_value v)
{
    if (b->closed || b->dropped) {
        return 1;
    }
    if (rx__vqueue_push(&b->q, rx_value_retain(v)) < 0) {
        return RX_ENOMEM;
    }
    ubuf_feed(b);
    return 0;
}

void
rx__ubuf_close(rx__ubuf *b, const rx_error *err)
{
    if (b->closed) {
        return;
    }
    b->closed = true;
    b->error = err != NULL ? rx_error_retain(err) : NULL;
    ubuf_feed(b);
}

bool
rx__ubuf_attached_in(const rx__ubuf *b, const rx__pipeline *pipe)
{
    return b->stage != NULL && b->stage->base.pipe == pipe;
}

void
rx__ubuf_close_for(rx__ubuf *b, const rx_error *err, const rx__pipeline *pipe)
{
    if (rx__ubuf_attached_in(b, pipe)) {
        b->closed = true; /* its own pipeline is cancelling it */
        return;
    }
    rx__ubuf_close(b, err);
}

static void
ubuf_stage_request(rx__stage *self, int64_t n)
{
    struct ubuf_stage *us = (struct ubuf_stage *)self;

    if (rx__demand_request(&us->d, n) && us->attached) {
        rx__drain(&us->d, ubuf_pass, us);
    }
}

static void
ubuf_stage_cancel(rx__stage *self)
{
    struct ubuf_stage *us = (struct ubuf_stage *)self;

    us->d.cancelled = true;
    ubuf_detach(us, true, false);
}

static void
ubuf_stage_start(rx__stage *self)
{
    struct ubuf_stage *us = (struct ubuf_stage *)self;
    rx__ubuf *b = ubuf_of(us);
    const rx_site *site = rx__stage_site(self);

    us->d.started = true;
    if (us->d.cancelled) {
        return;
    }
    if (b->subscribed) {
        us->d.cancelled = true;
        rx__emit_new_error(self, rx__error_at(site, RX_EINVAL,
                                              "%s: a %s can be subscribed "
                                              "only once",
                                              site->name, b->what));
        return;
    }
    b->subscribed = true;
    b->stage = us;
    us->attached = true;
    rx__drain(&us->d, ubuf_pass, us);
}

static void
ubuf_stage_teardown(rx__stage *self)
{
    ubuf_detach((struct ubuf_stage *)self, true, true);
}

static const struct rx__stage_ops ubuf_stage_ops = {
    .request = ubuf_stage_request,
    .cancel = ubuf_stage_cancel,
    .start = ubuf_stage_start,
    .teardown = ubuf_stage_teardown,
};

static int
ubuf_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct ubuf_stage *us;

    us = rx__stage_new(pipe, &ubuf_stage_ops, sizeof *us, self, down);
    if (us == NULL) {
        return RX_ENOMEM;
    }
    *out = &us->base;
    return 0;
}

static void
ubuf_destroy(rx_observable *self)
{
    rx__ubuf *b = (rx__ubuf *)self;

    /* Nobody is attached: a subscriber's stage holds a reference. */
    if (b->hooks->destroy != NULL) {
        b->hooks->destroy(b);
    }
    rx__vqueue_clear(&b->q);
    rx_error_release(b->error);
}

static const struct rx__obs_ops ubuf_ops = {
    .assemble = ubuf_assemble,
    .destroy = ubuf_destroy,
};

void *
rx__ubuf_new(const rx_site *site, size_t size, const char *what,
             const struct rx__ubuf_hooks *hooks, void *parent)
{
    rx__ubuf *b = rx__observable_new(site, &ubuf_ops, size, NULL);

    if (b == NULL) {
        return NULL;
    }
    b->hooks = hooks;
    b->what = what;
    b->parent = parent;
    return b;
}

bool
rx__ubuf_is(const rx_observable *obs)
{
    return obs != NULL && obs->ops == &ubuf_ops;
}
