/* SPDX-License-Identifier: MIT */
/*
 * switch_on_next, switch_map and exhaust_map: flatten a stream of inner
 * sources, running one inner at a time.
 *
 * One engine serves the three. The outer source is asked for everything
 * (RxJava's switchMap does the same: its items only start inners). Each
 * outer item becomes an inner source (through the user's function, or
 * the observable value the item holds for switch_on_next) that runs in
 * a receiver stage of its own (higher-internal.h). switch_map cancels
 * the running inner first, dropping the items it had queued, and starts
 * the new one; exhaust_map drops the outer item instead while an inner
 * runs, that is until it has completed and its items have all gone
 * downstream.
 *
 * Demand. The running inner is asked for a prefetch of 128 items and
 * topped up as they go downstream; items wait in its queue while the
 * downstream has no demand. The outer completing ends the stream once
 * the running inner has; the first error, outer or inner, cancels
 * everything and goes downstream at once (queued items are dropped, as
 * in RxJava without delayError).
 */
#include "higher-internal.h"

#define SW_PREFETCH 128

enum sw_mode { SW_SWITCH, SW_EXHAUST };

struct sw_obs {
    rx_observable base;
    rx_flat_map_fn fn; /* NULL: switch_on_next */
    void *ctx;
    int mode; /* an sw_mode */
};

struct sw_stage {
    rx__stage base;    /* base.up: the outer source */
    rx__hin *cur;      /* the running inner, or NULL */
    int64_t requested; /* downstream demand */
    int wip;           /* drain passes owed; > 0 while one runs */
    bool started;
    bool starting;      /* an inner is being started: drop it after */
    bool upstream_done; /* the outer completed */
    bool done;          /* terminal sent or cancelled */
};

static const struct sw_obs *
params(const struct sw_stage *st)
{
    return (const struct sw_obs *)st->base.obs;
}

static void sw_drain(struct sw_stage *st);

/* Lets go of the running inner, cancelling it first when `cancel`. */
static void
drop_cur(struct sw_stage *st, bool cancel)
{
    rx__hin *in = st->cur;

    if (in == NULL) {
        return;
    }
    st->cur = NULL;
    if (cancel) {
        rx__hin_cancel(in);
    }
    rx__hin_drop(in, &st->base);
}

/* Fails the stream with err (taken); the first failure wins. */
static void
sw_fail(struct sw_stage *st, rx_error *err)
{
    if (st->done) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    st->done = true;
    rx__cancel_up(&st->base);
    drop_cur(st, true);
    rx__emit_new_error(&st->base, err);
}

/* Emits v (borrowed); demand is used only when the item was taken. */
static void
emit(struct sw_stage *st, rx_value v)
{
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
}

/* ---- the inner -------------------------------------------------------- */

static void
inner_next(rx__hin *in, rx_value v)
{
    struct sw_stage *st = in->owner;

    if (st->cur != in || st->done) {
        return;
    }
    if (st->wip == 0 && st->started && st->requested > 0 && in->q.len == 0) {
        /* The fast path: nothing queued and demand available. */
        st->wip = 1;
        emit(st, v);
        if (st->cur == in) {
            rx__hin_consumed(in);
        }
        if (--st->wip > 0) {
            st->wip = 0;
            sw_drain(st);
        }
        return;
    }
    if (rx__vqueue_push(&in->q, rx_value_retain(v)) < 0) {
        sw_fail(st, rx__higher_oom(&st->base));
        return;
    }
    sw_drain(st);
}

static void
inner_error(rx__hin *in, const rx_error *err)
{
    struct sw_stage *st = in->owner;

    if (st->cur != in) {
        rx__undeliverable(err); /* cannot happen: a stale inner is dropped */
        return;
    }
    sw_fail(st, rx_error_retain(err));
}

static void
inner_complete(rx__hin *in)
{
    sw_drain(in->owner);
}

static const struct rx__hin_ops inner_ops = {
    .next = inner_next,
    .error = inner_error,
    .complete = inner_complete,
};

/* ---- the drain loop --------------------------------------------------- */

/* Emits the running inner's queued items while there is demand; drops
 * it once it completed and emptied; completes after the outer. */
static void
sw_pass(struct sw_stage *st)
{
    rx__hin *in = st->cur;

    if (in != NULL) {
        in->busy++; /* a switch inside emit() must not free it here */
        while (!st->done && st->cur == in && in->q.len > 0 &&
               st->requested > 0) {
            rx_value v = rx__vqueue_pop(&in->q);

            emit(st, v);
            rx_value_release(v);
            if (st->cur == in) {
                rx__hin_consumed(in);
            }
        }
        in->busy--;
    }
    in = st->cur;
    if (st->done || st->starting) {
        return;
    }
    if (in != NULL && in->done && in->q.len == 0) {
        drop_cur(st, false);
    }
    if (st->cur == NULL && st->upstream_done) {
        st->done = true;
        rx__emit_complete(&st->base);
    }
}

static void
sw_drain(struct sw_stage *st)
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
        sw_pass(st);
    } while (--st->wip > 0);
}

/* ---- the outer stage -------------------------------------------------- */

/* switch_on_next's function: the observable an item holds. */
static rx_observable *
inner_of(const struct sw_stage *st, rx_value v, rx_error **err)
{
    rx_observable *src = rx_value_observable(v);
    const rx_site *site = rx__stage_site(&st->base);

    if (src == NULL) {
        *err = rx__error_at(site, RX_EINVAL,
                            "%s: an item is not an observable value (make "
                            "items with rx_observable_value)",
                            site->name);
    }
    return src;
}

static bool
sw_on_next(rx__stage *self, rx_value v)
{
    struct sw_stage *st = (struct sw_stage *)self;
    const struct sw_obs *o = params(st);
    rx_error *err = NULL;
    rx_observable *src;
    rx__hin *in;

    if (st->done) {
        return false;
    }
    if (o->mode == SW_EXHAUST && st->cur != NULL) {
        rx__discard(self, rx_value_retain(v)); /* an inner still runs */
        return true;
    }
    drop_cur(st, true); /* switch: the previous inner goes first */
    src = o->fn != NULL ? o->fn(v, o->ctx, &err) : inner_of(st, v, &err);
    if (err != NULL || src == NULL) {
        rx_observable_release(src);
        sw_fail(st, err != NULL ? err : rx__hin_null_error(self));
        return true;
    }
    in = rx__hin_new(self, &inner_ops, sizeof *in, src, &err);
    if (in == NULL) {
        sw_fail(st, err);
        return true;
    }
    st->cur = in;
    st->starting = true;
    rx__hin_start(in, SW_PREFETCH);
    st->starting = false;
    sw_drain(st); /* it may have completed while starting */
    return true;
}

static void
sw_on_error(rx__stage *self, const rx_error *err)
{
    sw_fail((struct sw_stage *)self, rx_error_retain(err));
}

static void
sw_on_complete(rx__stage *self)
{
    struct sw_stage *st = (struct sw_stage *)self;

    st->upstream_done = true;
    sw_drain(st);
}

static void
sw_request(rx__stage *self, int64_t n)
{
    struct sw_stage *st = (struct sw_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    sw_drain(st);
}

static void
sw_cancel(rx__stage *self)
{
    struct sw_stage *st = (struct sw_stage *)self;

    st->done = true;
    rx__cancel_up(self);
    drop_cur(st, true);
}

static void
sw_start(rx__stage *self)
{
    struct sw_stage *st = (struct sw_stage *)self;

    st->started = true;
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static const struct rx__stage_ops sw_stage_ops = {
    .on_next = sw_on_next,
    .on_error = sw_on_error,
    .on_complete = sw_on_complete,
    .request = sw_request,
    .cancel = sw_cancel,
    .start = sw_start,
};

static int
sw_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    struct sw_stage *st =
        rx__stage_new(pipe, &sw_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops sw_ops = {.assemble = sw_assemble};

/* ---- constructors ----------------------------------------------------- */

static rx_observable *
sw_new(const rx_site *site, rx_observable *src, rx_flat_map_fn fn, void *ctx,
       int mode, bool need_fn)
{
    struct sw_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (need_fn && fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: fn must not be NULL", site->name);
    }
    o = rx__observable_new(site, &sw_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    o->mode = mode;
    return &o->base;
}

rx_observable *
rx_switch_on_next_at(const rx_site *site, rx_observable *src)
{
    return sw_new(site, src, NULL, NULL, SW_SWITCH, false);
}

rx_observable *
rx_switch_map_at(const rx_site *site, rx_observable *src, rx_flat_map_fn fn,
                 void *ctx)
{
    return sw_new(site, src, fn, ctx, SW_SWITCH, true);
}

rx_observable *
rx_exhaust_map_at(const rx_site *site, rx_observable *src, rx_flat_map_fn fn,
                  void *ctx)
{
    return sw_new(site, src, fn, ctx, SW_EXHAUST, true);
}
