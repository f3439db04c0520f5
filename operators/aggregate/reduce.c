/* SPDX-License-Identifier: MIT */
/*
 * reduce, reduce_seed and reduce_batch: fold every item into one result,
 * emitted when the upstream completes.
 *
 * One stage serves the three forms. It asks its upstream for everything
 * at start, folds each item into its accumulator, and at completion hands
 * the result to its outbox, which waits for downstream demand. reduce
 * without a seed takes its first item as the accumulator (an empty
 * upstream completes empty, RxJava's Maybe-returning reduce); the seeded
 * forms start from the seed (retained per subscription: values are
 * immutable, so sharing it is safe) and emit it for an empty upstream.
 * reduce_batch also takes batches: its kernel folds the whole scratch
 * array in one call, and items from sources without batches arrive as
 * batches of one. Like every batch kernel it sees scalars only: a heap
 * item fails the stream with RX_EINVAL.
 */
#include "rx-internal.h"

struct reduce_obs {
    rx_observable base;
    rx_value seed; /* owned; nil for reduce without a seed */
    bool has_seed;
    rx_accum_fn fn;            /* reduce, reduce_seed */
    rx_reduce_batch_fn kernel; /* reduce_batch */
    void *ctx;
    const char *name; /* for error messages */
    const char *what; /* "fn" or "kernel" */
};

struct reduce_stage {
    rx__stage base;
    rx__outbox out;
    rx_value acc; /* owned */
    bool has_acc; /* an accumulator exists (seed or first item) */
    bool done;    /* upstream terminated, failed, or was cancelled */
};

/* Stops the stream with an error created here or taken from fn. */
static void
reduce_fail(struct reduce_stage *st, rx_error *err)
{
    st->done = true;
    rx__cancel_up(&st->base);
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

/* Installs what fn or the kernel returned (taken) as the accumulator, or
 * fails the stream when it set an error or returned an invalid value. */
static void
reduce_fold(struct reduce_stage *st, rx_value next, rx_error *e)
{
    const struct reduce_obs *o = (const struct reduce_obs *)st->base.obs;

    if (e != NULL) {
        rx_value_release(next);
        reduce_fail(st, e);
        return;
    }
    if (rx_is_invalid(next)) {
        reduce_fail(st, rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                     "%s: %s returned an invalid value",
                                     o->name, o->what));
        return;
    }
    rx_value_release(st->acc);
    st->acc = next;
}

static bool
reduce_on_next(rx__stage *self, rx_value v)
{
    struct reduce_stage *st = (struct reduce_stage *)self;
    const struct reduce_obs *o = (const struct reduce_obs *)self->obs;
    rx_error *e = NULL;
    rx_value next;

    if (st->done) {
        return true;
    }
    if (!st->has_acc) {
        st->acc = rx_value_retain(v);
        st->has_acc = true;
        return true;
    }
    if (o->kernel != NULL) {
        /* Kernels take scalars only, as map_batch's do. */
        if (RX_VALUE_IS_HEAP(v)) {
            reduce_fail(st, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                         "rx_reduce_batch: batch kernels "
                                         "take scalar items only"));
            return true;
        }
        next = o->kernel(st->acc, &v, 1, o->ctx, &e);
    } else {
        next = o->fn(st->acc, v, o->ctx, &e);
    }
    reduce_fold(st, next, e);
    return true;
}

static void
reduce_on_next_batch(rx__stage *self, rx_value *vals, size_t n)
{
    struct reduce_stage *st = (struct reduce_stage *)self;
    const struct reduce_obs *o = (const struct reduce_obs *)self->obs;
    rx_error *e = NULL;
    rx_value next;

    if (st->done || n == 0) {
        return;
    }
    next = o->kernel(st->acc, vals, n, o->ctx, &e);
    reduce_fold(st, next, e);
}

static void
reduce_on_error(rx__stage *self, const rx_error *err)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    if (st->done) {
        rx__undeliverable(err); /* after a cancel: nowhere to go */
        return;
    }
    st->done = true;
    rx__outbox_error(&st->out, err);
}

static void
reduce_on_complete(rx__stage *self)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    if (st->has_acc) {
        st->has_acc = false;
        rx__outbox_push(&st->out, st->acc); /* hands the reference over */
        st->acc = rx_nil();
    }
    rx__outbox_complete(&st->out);
}

static void
reduce_request(rx__stage *self, int64_t n)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
reduce_cancel(rx__stage *self)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    st->done = true;
    rx__outbox_cancel(&st->out);
    rx__cancel_up(self);
}

static void
reduce_start(rx__stage *self)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    rx__outbox_start(&st->out);
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
reduce_teardown(rx__stage *self)
{
    struct reduce_stage *st = (struct reduce_stage *)self;

    rx_value_release(st->acc);
    st->acc = rx_nil();
    rx__vqueue_clear(&st->out.q);
}

static const struct rx__stage_ops reduce_stage_ops = {
    .on_next = reduce_on_next,
    .on_error = reduce_on_error,
    .on_complete = reduce_on_complete,
    .request = reduce_request,
    .cancel = reduce_cancel,
    .start = reduce_start,
    .teardown = reduce_teardown,
};

/* The same, with the batch handler: only reduce_batch has a kernel. */
static const struct rx__stage_ops reduce_batch_stage_ops = {
    .on_next = reduce_on_next,
    .on_next_batch = reduce_on_next_batch,
    .on_error = reduce_on_error,
    .on_complete = reduce_on_complete,
    .request = reduce_request,
    .cancel = reduce_cancel,
    .start = reduce_start,
    .teardown = reduce_teardown,
};

static int
reduce_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    const struct reduce_obs *o = (const struct reduce_obs *)self;
    const struct rx__stage_ops *ops =
        o->kernel != NULL ? &reduce_batch_stage_ops : &reduce_stage_ops;
    struct reduce_stage *st;

    st = rx__stage_new(pipe, ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    if (o->has_seed) {
        st->acc = rx_value_retain(o->seed);
        st->has_acc = true;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
reduce_destroy(rx_observable *self)
{
    struct reduce_obs *o = (struct reduce_obs *)self;

    rx_value_release(o->seed);
}

static const struct rx__obs_ops reduce_ops = {
    .assemble = reduce_assemble,
    .destroy = reduce_destroy,
};

/* The three constructors differ only in what they check and store. `what`
 * names the function argument (fn or kernel) in the error message. */
static rx_observable *
reduce_new(const rx_site *site, rx_observable *src, const rx_value *seed,
           rx_accum_fn fn, rx_reduce_batch_fn kernel, void *ctx,
           const char *name, const char *what)
{
    struct reduce_obs *o;
    rx_value s = seed != NULL ? *seed : rx_nil();

    if (src == NULL) {
        rx_value_release(s);
        return NULL;
    }
    if (rx_is_invalid(s)) {
        rx_observable_release(src);
        return rx__fail_null(RX_ENOMEM, "%s: seed is invalid", name);
    }
    if (fn == NULL && kernel == NULL) {
        rx_observable_release(src);
        rx_value_release(s);
        return rx__fail_null(RX_EINVAL, "%s: %s must not be NULL", name, what);
    }
    o = rx__observable_new(site, &reduce_ops, sizeof *o, src);
    if (o == NULL) {
        rx_value_release(s);
        return NULL;
    }
    o->seed = s;
    o->has_seed = seed != NULL;
    o->fn = fn;
    o->kernel = kernel;
    o->ctx = ctx;
    o->name = name;
    o->what = what;
    return &o->base;
}

rx_observable *
rx_reduce_at(const rx_site *site, rx_observable *src, rx_accum_fn fn, void *ctx)
{
    return reduce_new(site, src, NULL, fn, NULL, ctx, "rx_reduce", "fn");
}

rx_observable *
rx_reduce_seed_at(const rx_site *site, rx_observable *src, rx_value seed,
                  rx_accum_fn fn, void *ctx)
{
    return reduce_new(site, src, &seed, fn, NULL, ctx, "rx_reduce_seed", "fn");
}

rx_observable *
rx_reduce_batch_at(const rx_site *site, rx_observable *src, rx_value seed,
                   rx_reduce_batch_fn kernel, void *ctx)
{
    return reduce_new(site, src, &seed, NULL, kernel, ctx, "rx_reduce_batch",
                      "kernel");
}
