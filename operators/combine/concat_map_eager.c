/* SPDX-License-Identifier: MIT */
/*
 * concat_map_eager: map each item to an inner source, subscribe every
 * inner at once, and emit their items one inner after the other, in the
 * order of the items that made them.
 *
 * Each inner runs in a receiver stage of its own (higher-internal.h),
 * linked in item order into a doubly linked list: the head is the inner
 * being emitted, the others queue their items (each asked for a
 * prefetch of 128 and topped up as they go downstream, so a slow head
 * holds the others back at 128 items each). When the head has
 * completed and emptied it is dropped in O(1) and the next inner takes
 * over. As RxJava's concatMapEager, at most 128 inners run at once: the
 * upstream is asked for 128 items, and for one more each time an inner
 * is done.
 *
 * Errors, from the upstream or any inner, cancel everything and go
 * downstream at once (queued items are dropped), as RxJava's default
 * (ErrorMode.IMMEDIATE) does.
 */
#include "higher-internal.h"

#define CME_PREFETCH 128
#define CME_MAX_CONCURRENT 128

struct cme_obs {
    rx_observable base;
    rx_flat_map_fn fn;
    void *ctx;
};

struct cme_stage {
    rx__stage base;      /* base.up: the upstream */
    rx__hin_list inners; /* running inners in item order; head emits */
    int64_t requested;   /* downstream demand */
    int wip;             /* drain passes owed; > 0 while one runs */
    bool started;
    bool starting;      /* an inner is being started: no drop meanwhile */
    bool upstream_done; /* no more inners will come */
    bool done;          /* terminal sent or cancelled */
};

static const struct cme_obs *
params(const struct cme_stage *st)
{
    return (const struct cme_obs *)st->base.obs;
}

static void cme_drain(struct cme_stage *st);

static void
cancel_all(struct cme_stage *st)
{
    st->done = true;
    rx__cancel_up(&st->base);
    while (st->inners.head != NULL) {
        rx__hin *in = st->inners.head;

        rx__hin_unlink(&st->inners, in);
        rx__hin_cancel(in);
        rx__hin_drop(in, &st->base);
    }
}

/* Fails the stream with err (taken); the first failure wins. */
static void
cme_fail(struct cme_stage *st, rx_error *err)
{
    if (st->done) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    cancel_all(st);
    rx__emit_new_error(&st->base, err);
}

/* Emits v (borrowed); demand is used only when the item was taken. */
static void
emit(struct cme_stage *st, rx_value v)
{
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
}

/* ---- inners ----------------------------------------------------------- */

static void
inner_next(rx__hin *in, rx_value v)
{
    struct cme_stage *st = in->owner;

    if (st->done) {
        return;
    }
    if (in == st->inners.head && st->wip == 0 && st->requested > 0 &&
        in->q.len == 0) {
        /* The fast path: the head inner, nothing queued, demand. */
        st->wip = 1;
        emit(st, v);
        rx__hin_consumed(in); /* a no-op once it was dropped */
        if (--st->wip > 0) {
            st->wip = 0;
            cme_drain(st);
        }
        return;
    }
    if (rx__vqueue_push(&in->q, rx_value_retain(v)) < 0) {
        cme_fail(st, rx__higher_oom(&st->base));
        return;
    }
    cme_drain(st);
}

static void
inner_error(rx__hin *in, const rx_error *err)
{
    cme_fail(in->owner, rx_error_retain(err));
}

static void
inner_complete(rx__hin *in)
{
    cme_drain(in->owner);
}

static const struct rx__hin_ops inner_ops = {
    .next = inner_next,
    .error = inner_error,
    .complete = inner_complete,
};

/* ---- the drain loop --------------------------------------------------- */

/* Emits the head's queued items while there is demand, moves on to the
 * next inner when the head is done, completes after the last. */
static void
cme_pass(struct cme_stage *st)
{
    rx__hin *in;

    while (!st->done && (in = st->inners.head) != NULL) {
        in->busy++; /* nothing inside emit() may free it here */
        while (!st->done && in->q.len > 0 && st->requested > 0) {
            rx_value v = rx__vqueue_pop(&in->q);

            emit(st, v);
            rx_value_release(v);
            rx__hin_consumed(in);
        }
        in->busy--;
        if (st->done || !in->done || in->q.len > 0 || st->starting) {
            break;
        }
        rx__hin_unlink(&st->inners, in);
        rx__hin_drop(in, &st->base);
        if (!st->upstream_done) {
            rx__request_up(&st->base, 1); /* a slot for the next inner */
        }
    }
    if (!st->done && st->upstream_done && st->inners.n == 0 && !st->starting) {
        st->done = true;
        rx__emit_complete(&st->base);
    }
}

static void
cme_drain(struct cme_stage *st)
{
    if (st->wip++ > 0) {
        return;
    }
    if (!st->started) {
        st->wip = 0;
        return;
    }
    do {
        st->wip = 1;
        cme_pass(st);
    } while (--st->wip > 0);
}

/* ---- the outer stage -------------------------------------------------- */

static bool
cme_on_next(rx__stage *self, rx_value v)
{
    struct cme_stage *st = (struct cme_stage *)self;
    const struct cme_obs *o = params(st);
    rx_error *err = NULL;
    rx_observable *src;
    rx__hin *in;
    bool was_starting = st->starting;

    if (st->done) {
        return false;
    }
    src = o->fn(v, o->ctx, &err);
    if (err != NULL || src == NULL) {
        rx_observable_release(src);
        cme_fail(st, err != NULL ? err : rx__hin_null_error(self));
        return true;
    }
    in = rx__hin_new(self, &inner_ops, sizeof *in, src, &err);
    if (in == NULL) {
        cme_fail(st, err);
        return true;
    }
    rx__hin_link(&st->inners, in);
    st->starting = true;
    rx__hin_start(in, CME_PREFETCH);
    st->starting = was_starting;
    cme_drain(st);
    return true;
}

static void
cme_on_error(rx__stage *self, const rx_error *err)
{
    cme_fail((struct cme_stage *)self, rx_error_retain(err));
}

static void
cme_on_complete(rx__stage *self)
{
    struct cme_stage *st = (struct cme_stage *)self;

    st->upstream_done = true;
    cme_drain(st);
}

static void
cme_request(rx__stage *self, int64_t n)
{
    struct cme_stage *st = (struct cme_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    cme_drain(st);
}

static void
cme_cancel(rx__stage *self)
{
    struct cme_stage *st = (struct cme_stage *)self;

    if (!st->done) {
        cancel_all(st);
    } else {
        rx__cancel_up(self);
    }
}

static void
cme_start(rx__stage *self)
{
    struct cme_stage *st = (struct cme_stage *)self;

    st->started = true;
    rx__request_up(self, CME_MAX_CONCURRENT);
    rx__stage_start(self->up);
}

static const struct rx__stage_ops cme_stage_ops = {
    .on_next = cme_on_next,
    .on_error = cme_on_error,
    .on_complete = cme_on_complete,
    .request = cme_request,
    .cancel = cme_cancel,
    .start = cme_start,
};

static int
cme_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
             rx__stage **out)
{
    struct cme_stage *st =
        rx__stage_new(pipe, &cme_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops cme_ops = {.assemble = cme_assemble};

rx_observable *
rx_concat_map_eager_at(const rx_site *site, rx_observable *src,
                       rx_flat_map_fn fn, void *ctx)
{
    struct cme_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_concat_map_eager: fn must not be NULL");
    }
    o = rx__observable_new(site, &cme_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    return &o->base;
}
