/* SPDX-License-Identifier: MIT */
/*
 * The hot test pusher (rx_hot.h): a source stage that emits whatever the
 * test pushes, ignoring demand. Each push is an entry into the pipeline
 * from outside, so it is bracketed by a frame, like a libuv callback.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rx-internal.h"
#include "rx_hot.h"

struct hot_stage {
    rx__stage base;
    rx_t_hot *h;
};

struct rx_t_hot {
    struct hot_stage *st; /* the live subscription's stage, or NULL */
    int subscribes;
    int cancels;
    int64_t requested;
};

struct hot_obs {
    rx_observable base;
    rx_t_hot *h; /* borrowed */
};

static void
hot_detach(struct hot_stage *st)
{
    if (st->h != NULL && st->h->st == st) {
        st->h->st = NULL;
    }
    st->h = NULL;
}

static void
hot_request(rx__stage *self, int64_t n)
{
    struct hot_stage *st = (struct hot_stage *)self;

    if (st->h != NULL) {
        st->h->requested = rx__demand_add(st->h->requested, n);
    }
}

static void
hot_cancel(rx__stage *self)
{
    struct hot_stage *st = (struct hot_stage *)self;

    if (st->h != NULL) {
        st->h->cancels++;
        hot_detach(st);
    }
}

static void
hot_teardown(rx__stage *self)
{
    hot_detach((struct hot_stage *)self);
}

static void
hot_start(rx__stage *self)
{
    (void)self;
}

static const struct rx__stage_ops hot_stage_ops = {
    .request = hot_request,
    .cancel = hot_cancel,
    .start = hot_start,
    .teardown = hot_teardown,
};

static int
hot_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
             rx__stage **out)
{
    struct hot_obs *o = (struct hot_obs *)self;
    struct hot_stage *st;

    st = rx__stage_new(pipe, &hot_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->h = o->h;
    o->h->st = st;
    o->h->subscribes++;
    o->h->requested = 0;
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops hot_ops = {.assemble = hot_assemble};

rx_t_hot *
rx_t_hot_new(void)
{
    rx_t_hot *h = calloc(1, sizeof *h);

    if (h == NULL) {
        fprintf(stderr, "rx_t_hot_new: out of memory\n");
        abort();
    }
    return h;
}

void
rx_t_hot_free(rx_t_hot *h)
{
    if (h != NULL && h->st != NULL) {
        h->st->h = NULL;
    }
    free(h);
}

rx_observable *
rx_t_hot_observable(rx_t_hot *h)
{
    struct hot_obs *o =
        rx__observable_new(RX_SITE("rx_t_hot"), &hot_ops, sizeof *o, NULL);

    if (o == NULL) {
        return NULL;
    }
    o->h = h;
    return &o->base;
}

bool
rx_t_hot_next(rx_t_hot *h, rx_value v)
{
    struct hot_stage *st = h->st;
    rx__pipeline *pipe;

    if (st == NULL) {
        rx_value_release(v);
        return false;
    }
    if (rx_is_invalid(v)) {
        /* A value constructor ran out of memory: fail, as a source
         * would. */
        return rx_t_hot_error(h, RX_ENOMEM);
    }
    pipe = st->base.pipe;
    rx__frame_enter(pipe);
    (void)rx__emit_next(&st->base, v);
    rx_value_release(v);
    rx__frame_exit(pipe);
    return true;
}

bool
rx_t_hot_next_int(rx_t_hot *h, int64_t i)
{
    return rx_t_hot_next(h, rx_int(i));
}

bool
rx_t_hot_error(rx_t_hot *h, int code)
{
    struct hot_stage *st = h->st;
    rx__pipeline *pipe;

    if (st == NULL) {
        return false;
    }
    pipe = st->base.pipe;
    hot_detach(st);
    rx__frame_enter(pipe);
    rx__emit_new_error(&st->base, rx_error_new(code, "rx_t_hot: pushed error"));
    rx__frame_exit(pipe);
    return true;
}

bool
rx_t_hot_complete(rx_t_hot *h)
{
    struct hot_stage *st = h->st;
    rx__pipeline *pipe;

    if (st == NULL) {
        return false;
    }
    pipe = st->base.pipe;
    hot_detach(st);
    rx__frame_enter(pipe);
    rx__emit_complete(&st->base);
    rx__frame_exit(pipe);
    return true;
}

bool
rx_t_hot_live(const rx_t_hot *h)
{
    return h->st != NULL;
}

int
rx_t_hot_subscribes(const rx_t_hot *h)
{
    return h->subscribes;
}

int
rx_t_hot_cancels(const rx_t_hot *h)
{
    return h->cancels;
}

int64_t
rx_t_hot_requested(const rx_t_hot *h)
{
    return h->requested;
}
