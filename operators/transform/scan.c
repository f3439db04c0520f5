/* SPDX-License-Identifier: MIT */
/*
 * scan and scan_seed: emit every intermediate result of a fold.
 *
 * scan is fusable: its first item passes unchanged and becomes the
 * accumulator, every later item is combined with it and the new
 * accumulator goes on. It keeps that accumulator in the fused op's
 * per-subscription state (op->val), so it never builds a stage.
 *
 * scan_seed cannot fuse: it emits one item more than its upstream, the
 * seed, before any upstream item, so it owns its demand. The first
 * downstream request pays for the seed and the rest goes upstream; after
 * that demand passes through one for one (RxJava prefetches instead; the
 * items and their order are the same). Like RxJava's scan(initial,
 * accumulator), an error from upstream cuts ahead of a seed still waiting
 * for demand, while a completion waits for it (an empty upstream gives
 * just the seed).
 */
#include "fusion.h"

struct scan_obs {
    rx_observable base;
    rx_accum_fn fn;
    void *ctx;
};

struct scan_seed_obs {
    rx_observable base;
    rx_value seed; /* owned; shared by every subscription (immutable) */
    rx_accum_fn fn;
    void *ctx;
};

struct scan_seed_stage {
    rx__stage base;
    rx_value acc;          /* owned; the seed until the first item */
    int64_t early;         /* demand held until the seed has gone down */
    bool started;          /* the start hook has run */
    bool seed_sent;        /* the seed went (or is going) downstream */
    bool emitting;         /* the seed's on_next is on the stack */
    bool complete_pending; /* the upstream completed before the seed */
    bool done;             /* a terminal went down, or a cancel came */
};

/* ---- scan: a fused step --------------------------------------------- */

/* Combines the item with the accumulator. The first item only seeds the
 * accumulator (op->flag records that one arrived) and passes unchanged. */
static int
scan_step(struct rx__fop *op, rx_value *v, rx_error **err)
{
    rx_error *e = NULL;
    rx_value next;

    if (!op->flag) {
        op->flag = true;
        op->val = rx_value_retain(*v);
        return RX__F_PASS;
    }
    next = op->fn.accum(op->val, *v, op->ctx, &e);
    rx_value_release(*v);
    if (e != NULL) {
        rx_value_release(next);
        *err = e;
        return RX__F_ERROR;
    }
    if (rx_is_invalid(next)) {
        *err = rx__error_at(&op->obs->site, RX_ENOMEM,
                            "rx_scan: fn returned an invalid value");
        return RX__F_ERROR;
    }
    rx_value_release(op->val);
    op->val = next;
    *v = rx_value_retain(next);
    return RX__F_PASS;
}

static void
scan_teardown(struct rx__fop *op)
{
    rx_value_release(op->val);
    op->val = rx_nil();
}

static const struct rx__fop_ops scan_fop_ops = {
    .step = scan_step,
    .teardown = scan_teardown,
};

static void
scan_fuse(const rx_observable *self, struct rx__fop *op)
{
    const struct scan_obs *s = (const struct scan_obs *)self;

    op->kind = RX__FOP_STEP;
    op->fn.accum = s->fn;
    op->ctx = s->ctx;
    op->ops = &scan_fop_ops;
}

static const struct rx__obs_ops scan_ops = {.fuse = scan_fuse};

/* ---- scan_seed: a stage --------------------------------------------- */

/* Stops the stream with an error created here or taken from fn. */
static void
scan_seed_fail(struct scan_seed_stage *st, rx_error *err)
{
    st->done = true;
    rx__cancel_up(&st->base);
    rx__emit_new_error(&st->base, err);
}

static bool
scan_seed_on_next(rx__stage *self, rx_value v)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;
    const struct scan_seed_obs *o = (const struct scan_seed_obs *)self->obs;
    rx_error *e = NULL;
    rx_value next;
    bool consumed;

    if (st->done) {
        return true;
    }
    next = o->fn(st->acc, v, o->ctx, &e);
    if (e != NULL) {
        rx_value_release(next);
        scan_seed_fail(st, e);
        return true;
    }
    if (rx_is_invalid(next)) {
        scan_seed_fail(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                        "rx_scan_seed: fn returned an "
                                        "invalid value"));
        return true;
    }
    rx_value_release(st->acc);
    st->acc = next;
    /* A reference of our own: a nested signal may replace st->acc while
     * downstream still reads this one. */
    next = rx_value_retain(next);
    consumed = rx__emit_next(self, next);
    rx_value_release(next);
    return consumed;
}

static void
scan_seed_on_error(rx__stage *self, const rx_error *err)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__emit_error(self, err);
}

static void
scan_seed_on_complete(rx__stage *self)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    if (st->done) {
        return;
    }
    if (!st->seed_sent || st->emitting) {
        st->complete_pending = true;
        return;
    }
    st->done = true;
    rx__emit_complete(self);
}

/* Emits the seed, paid for by the demand held in `early`, then passes the
 * rest of that demand upstream (or completes, if the upstream already
 * did). Requests made during the seed's on_next only add to `early`, so
 * no upstream item can arrive inside that on_next. */
static void
scan_seed_emit_seed(struct scan_seed_stage *st)
{
    rx_value seed = rx_value_retain(st->acc);
    int64_t rest;
    bool consumed;

    st->seed_sent = true;
    st->emitting = true;
    consumed = rx__emit_next(&st->base, seed);
    rx_value_release(seed);
    st->emitting = false;
    if (st->done) {
        return;
    }
    rest = consumed ? rx__demand_sub(st->early, 1) : st->early;
    st->early = 0;
    if (st->complete_pending) {
        st->done = true;
        rx__emit_complete(&st->base);
        return;
    }
    if (rest > 0) {
        rx__request_up(&st->base, rest);
    }
}

static void
scan_seed_request(rx__stage *self, int64_t n)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    if (st->done) {
        return;
    }
    if (st->seed_sent && !st->emitting) {
        rx__request_up(self, n);
        return;
    }
    st->early = rx__demand_add(st->early, n);
    if (st->started && !st->seed_sent) {
        scan_seed_emit_seed(st);
    }
}

static void
scan_seed_cancel(rx__stage *self)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    st->done = true;
    rx__cancel_up(self);
}

static void
scan_seed_start(rx__stage *self)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    /* With demand already there the seed goes first, as in RxJava: an
     * upstream that fails at once then fails after the seed. The rest of
     * the demand reaches the upstream before it starts, which only
     * records it. */
    st->started = true;
    if (st->early > 0) {
        scan_seed_emit_seed(st);
    }
    rx__stage_start(self->up);
}

static void
scan_seed_teardown(rx__stage *self)
{
    struct scan_seed_stage *st = (struct scan_seed_stage *)self;

    rx_value_release(st->acc);
    st->acc = rx_nil();
}

static const struct rx__stage_ops scan_seed_stage_ops = {
    .on_next = scan_seed_on_next,
    .on_error = scan_seed_on_error,
    .on_complete = scan_seed_on_complete,
    .request = scan_seed_request,
    .cancel = scan_seed_cancel,
    .start = scan_seed_start,
    .teardown = scan_seed_teardown,
};

static int
scan_seed_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                   rx__stage **out)
{
    const struct scan_seed_obs *o = (const struct scan_seed_obs *)self;
    struct scan_seed_stage *st;

    st = rx__stage_new(pipe, &scan_seed_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->acc = rx_value_retain(o->seed);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
scan_seed_destroy(rx_observable *self)
{
    struct scan_seed_obs *o = (struct scan_seed_obs *)self;

    rx_value_release(o->seed);
}

static const struct rx__obs_ops scan_seed_ops = {
    .assemble = scan_seed_assemble,
    .destroy = scan_seed_destroy,
};

/* ---- constructors ---------------------------------------------------- */

rx_observable *
rx_scan_at(const rx_site *site, rx_observable *src, rx_accum_fn fn, void *ctx)
{
    struct scan_obs *s;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_scan: fn must not be NULL");
    }
    s = rx__observable_new(site, &scan_ops, sizeof *s, src);
    if (s == NULL) {
        return NULL;
    }
    s->fn = fn;
    s->ctx = ctx;
    return &s->base;
}

rx_observable *
rx_scan_seed_at(const rx_site *site, rx_observable *src, rx_value seed,
                rx_accum_fn fn, void *ctx)
{
    struct scan_seed_obs *s;

    if (src == NULL) {
        rx_value_release(seed);
        return NULL;
    }
    if (rx_is_invalid(seed)) {
        rx_observable_release(src);
        return rx__fail_null(RX_ENOMEM, "rx_scan_seed: seed is invalid");
    }
    if (fn == NULL) {
        rx_observable_release(src);
        rx_value_release(seed);
        return rx__fail_null(RX_EINVAL, "rx_scan_seed: fn must not be NULL");
    }
    s = rx__observable_new(site, &scan_seed_ops, sizeof *s, src);
    if (s == NULL) {
        rx_value_release(seed);
        return NULL;
    }
    s->seed = seed;
    s->fn = fn;
    s->ctx = ctx;
    return &s->base;
}
