/* SPDX-License-Identifier: MIT */
/*
 * concat, concat_array and repeat: run sources one after the other.
 *
 * One engine serves all three: repeat runs the same source count times,
 * concat runs each source of its array once. The concat stage is a
 * source stage whose `up` is the inner chain of the current source,
 * assembled at run time below a receiver stage embedded in the concat
 * stage. The receiver forwards items to concat's downstream, counting
 * them against the outstanding demand, passes errors down, and on
 * completion moves on to the next source.
 *
 * Stack safety is the point (protocol rule 6): a source that completes
 * synchronously must not subscribe the next one from inside its own
 * on_complete, or 100,000 justs would need 100,000 frames. A loop
 * subscribes sources; an inner completing while the loop is on the stack
 * only marks it, and the loop goes round once the inner returned. Then
 * the finished chain is off the stack and is freed at once; a chain that
 * completed from outside the loop is still on the stack, so it is
 * retired (freed when the outermost frame exits).
 */
#include <stddef.h>

#include "rx-internal.h"

struct concat_obs {
    rx_observable base; /* base.src: the repeated source (repeat only) */
    int64_t count;      /* how many sources to run; RX_UNBOUNDED: forever */
    size_t n;           /* the sources of concat_array */
    rx_observable *srcs[];
};

struct concat_stage {
    rx__stage base;    /* base.up: the current inner chain, or NULL */
    rx__stage recv;    /* where the inner chain signals; not on the list */
    int64_t requested; /* outstanding downstream demand */
    int64_t index;     /* how many sources were subscribed */
    bool in_loop;      /* the subscribe loop is on the stack */
    bool again;        /* the inner completed while the loop was running */
    bool cancelled;    /* cancelled, or a terminal signal went down */
};

static struct concat_stage *
from_recv(rx__stage *recv)
{
    return (struct concat_stage *)(void *)((char *)recv -
                                           offsetof(struct concat_stage, recv));
}

/* The source to run next, borrowed from the observable, or NULL at the
 * end. */
static rx_observable *
concat_next_source(struct concat_stage *st)
{
    const struct concat_obs *o = (const struct concat_obs *)st->base.obs;

    if (o->count != RX_UNBOUNDED && st->index >= o->count) {
        return NULL;
    }
    return o->base.src != NULL ? o->base.src : o->srcs[st->index];
}

/* Subscribes sources until one is still running, the list ends, or the
 * stream stops. `on_stack`: the caller is the finished inner's
 * on_complete, so that chain cannot be freed yet. */
static void
concat_loop(struct concat_stage *st, bool on_stack)
{
    rx__stage *old;
    rx_observable *next;

    if (st->in_loop) {
        st->again = true;
        return;
    }
    st->in_loop = true;
    for (;;) {
        old = st->base.up;
        st->base.up = NULL;
        if (old != NULL && on_stack) {
            rx__stage_retire_chain(old);
        } else if (old != NULL) {
            rx__stage_free_chain(old);
        }
        on_stack = false;
        if (st->cancelled || rx__pipeline_poll(st->base.pipe)) {
            break;
        }
        next = concat_next_source(st);
        if (next == NULL) {
            st->cancelled = true;
            rx__emit_complete(&st->base);
            break;
        }
        st->index++;
        st->again = false;
        if (rx__assemble(next, st->base.pipe, &st->recv, &st->base.up) != 0) {
            /* Stages made before the failure stay on the pipeline's list
             * and are freed with it; none of them was started. */
            st->base.up = NULL;
            st->cancelled = true;
            rx__emit_new_error(&st->base,
                               rx__error_at(rx__stage_site(&st->base),
                                            RX_ENOMEM, "%s: out of memory",
                                            rx__stage_site(&st->base)->name));
            break;
        }
        if (st->requested > 0) {
            rx__request_up(&st->base, st->requested);
        }
        rx__stage_start(st->base.up);
        if (!st->again) {
            break; /* still running: its completion resumes the loop */
        }
    }
    st->in_loop = false;
}

static bool
recv_on_next(rx__stage *self, rx_value v)
{
    struct concat_stage *st = from_recv(self);
    bool consumed;

    if (st->cancelled) {
        return true;
    }
    consumed = rx__emit_next(&st->base, v);
    if (consumed) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    return consumed;
}

static void
recv_on_error(rx__stage *self, const rx_error *err)
{
    struct concat_stage *st = from_recv(self);

    if (st->cancelled) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->cancelled = true;
    rx__emit_error(&st->base, err);
}

static void
recv_on_complete(rx__stage *self)
{
    struct concat_stage *st = from_recv(self);

    if (!st->cancelled) {
        concat_loop(st, true);
    }
}

/* Nothing sits below the receiver but concat itself, which talks to the
 * inner chain directly: these are never called. */
static void
recv_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
recv_cancel(rx__stage *self)
{
    (void)self;
}

static const struct rx__stage_ops recv_ops = {
    .on_next = recv_on_next,
    .on_error = recv_on_error,
    .on_complete = recv_on_complete,
    .request = recv_request,
    .cancel = recv_cancel,
};

static void
concat_request(rx__stage *self, int64_t n)
{
    struct concat_stage *st = (struct concat_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->requested = rx__demand_add(st->requested, n);
    /* The inner's outstanding demand always equals ours: it got all of
     * it when subscribed and gets every later request. */
    rx__request_up(self, n);
}

static void
concat_cancel(rx__stage *self)
{
    struct concat_stage *st = (struct concat_stage *)self;

    if (st->cancelled) {
        return;
    }
    st->cancelled = true;
    rx__cancel_up(self);
}

static void
concat_start(rx__stage *self)
{
    struct concat_stage *st = (struct concat_stage *)self;

    concat_loop(st, false);
}

static const struct rx__stage_ops concat_stage_ops = {
    .request = concat_request,
    .cancel = concat_cancel,
    .start = concat_start,
};

static int
concat_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct concat_stage *st;

    st = rx__stage_new(pipe, &concat_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    /* The receiver lives inside the concat stage and is freed with it;
     * it borrows the observable only for its site. */
    st->recv.ops = &recv_ops;
    st->recv.pipe = pipe;
    st->recv.obs = self;
    *out = &st->base;
    return 0;
}

static void
concat_destroy(rx_observable *self)
{
    struct concat_obs *o = (struct concat_obs *)self;
    size_t i;

    for (i = 0; i < o->n; i++) {
        rx_observable_release(o->srcs[i]);
    }
}

static const struct rx__obs_ops concat_ops = {
    .assemble = concat_assemble,
    .destroy = concat_destroy,
};

rx_observable *
rx_concat_array_at(const rx_site *site, size_t n, rx_observable *const *srcs)
{
    struct concat_obs *o;
    bool null_entry = false;
    size_t i;

    if (srcs == NULL && n > 0) {
        return rx__fail_null(RX_EINVAL,
                             "rx_concat_array: srcs must not be NULL");
    }
    for (i = 0; i < n; i++) {
        null_entry = null_entry || srcs[i] == NULL;
    }
    if (null_entry || n > (SIZE_MAX - sizeof *o) / sizeof(rx_observable *)) {
        for (i = 0; i < n; i++) {
            rx_observable_release(srcs[i]);
        }
        /* A NULL entry is an earlier failure that set the last error. */
        return null_entry ? NULL
                          : rx__fail_null(RX_ENOMEM,
                                          "rx_concat_array: n is too large");
    }
    o = rx__observable_new(site, &concat_ops,
                           sizeof *o + n * sizeof(rx_observable *), NULL);
    if (o == NULL) {
        for (i = 0; i < n; i++) {
            rx_observable_release(srcs[i]);
        }
        return NULL;
    }
    for (i = 0; i < n; i++) {
        o->srcs[i] = srcs[i];
    }
    o->n = n;
    o->count = (int64_t)n;
    return &o->base;
}

rx_observable *
rx_concat_at(const rx_site *site, rx_observable *first, rx_observable *second)
{
    rx_observable *srcs[2];

    if (first == NULL || second == NULL) {
        rx_observable_release(first);
        rx_observable_release(second);
        return NULL;
    }
    srcs[0] = first;
    srcs[1] = second;
    return rx_concat_array_at(site, 2, srcs);
}

rx_observable *
rx_repeat_at(const rx_site *site, rx_observable *src, int64_t count)
{
    struct concat_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (count < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_repeat: count must be >= 0");
    }
    o = rx__observable_new(site, &concat_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->count = count;
    return &o->base;
}
