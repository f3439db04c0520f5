/* SPDX-License-Identifier: MIT */
/*
 * expand: emit every item of the source, map each emitted item to an
 * inner source with the user's function, and emit and expand the items
 * of those inners in turn, until every inner has completed.
 *
 * Breadth-first, as the default strategy of RxJava's expand (in
 * RxJavaExtensions; Reactor's expand is the same): the source runs
 * first (level 1), its items' inners wait in a FIFO queue, then they
 * run one at a time in the order they were made (level 2, then level
 * 3, ...). Only one source or inner is subscribed at any moment.
 *
 * Demand. The operator is an arbiter: the downstream's outstanding
 * demand is handed to whichever source runs, and what is left of it
 * when one completes goes to the next. Nothing is queued but the
 * waiting inner observables themselves.
 *
 * Stack safety. Inners are started by a loop, not by recursion: an
 * inner that completes while it is being started (a synchronous `just`)
 * only marks itself done, and the loop frees it and starts the next one,
 * so a chain of 100,000 levels runs in constant stack and frees each
 * inner as it goes.
 *
 * Errors, from any level or from the function, cancel what runs, drop
 * the waiting inners and go downstream.
 */
#include "higher-internal.h"

struct expand_obs {
    rx_observable base;
    rx_flat_map_fn fn;
    void *ctx;
};

struct expand_stage {
    rx__stage base;       /* base.up: the source (level 1) */
    rx__hin *cur;         /* the inner running now, or NULL */
    rx_observable **ring; /* inners waiting their turn, oldest first */
    size_t cap;           /* a power of two, or 0 */
    size_t head;
    size_t len;
    int64_t requested; /* downstream demand not met yet */
    bool started;
    bool src_done; /* the source completed: inners run now */
    bool looping;  /* the start loop is on the stack */
    bool done;     /* terminal sent or cancelled */
};

static const struct expand_obs *
params(const struct expand_stage *st)
{
    return (const struct expand_obs *)st->base.obs;
}

/* ---- the queue of waiting inners -------------------------------------- */

static int
ring_push(struct expand_stage *st, rx_observable *obs)
{
    if (st->len == st->cap) {
        size_t ncap = st->cap == 0 ? 8 : st->cap * 2;
        size_t each = sizeof(rx_observable *);
        rx_observable **nring =
            ncap <= SIZE_MAX / each ? rx__malloc(ncap * each) : NULL;

        if (nring == NULL) {
            rx_observable_release(obs);
            return RX_ENOMEM;
        }
        for (size_t i = 0; i < st->len; i++) {
            nring[i] = st->ring[(st->head + i) & (st->cap - 1)];
        }
        rx__free(st->ring);
        st->ring = nring;
        st->cap = ncap;
        st->head = 0;
    }
    st->ring[(st->head + st->len) & (st->cap - 1)] = obs;
    st->len++;
    return 0;
}

static rx_observable *
ring_pop(struct expand_stage *st)
{
    rx_observable *obs = st->ring[st->head];

    st->head = (st->head + 1) & (st->cap - 1);
    st->len--;
    return obs;
}

static void
ring_clear(struct expand_stage *st)
{
    while (st->len > 0) {
        rx_observable_release(ring_pop(st));
    }
    rx__free(st->ring);
    st->ring = NULL;
    st->cap = 0;
    st->head = 0;
}

/* ---- stopping ---------------------------------------------------------- */

static void
stop_all(struct expand_stage *st)
{
    rx__hin *in = st->cur;

    st->done = true;
    rx__cancel_up(&st->base);
    if (in != NULL) {
        st->cur = NULL;
        rx__hin_cancel(in);
        rx__hin_drop(in, &st->base);
    }
    ring_clear(st);
}

/* Fails the stream with err (taken); the first failure wins. */
static void
expand_fail(struct expand_stage *st, rx_error *err)
{
    if (st->done) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    stop_all(st);
    rx__emit_new_error(&st->base, err);
}

/* ---- items ------------------------------------------------------------- */

/* Emits an item of any level (borrowed), then queues its expansion.
 * Returns whether the downstream took it (a fused filter may not). */
static bool
expand_item(struct expand_stage *st, rx_value v)
{
    const struct expand_obs *o = params(st);
    rx_error *err = NULL;
    rx_observable *next;
    bool taken;

    if (st->done) {
        return false;
    }
    taken = rx__emit_next(&st->base, v);
    if (taken) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    if (st->done) {
        return taken;
    }
    next = o->fn(v, o->ctx, &err);
    if (err != NULL || next == NULL) {
        rx_observable_release(next);
        expand_fail(st, err != NULL ? err : rx__hin_null_error(&st->base));
        return taken;
    }
    if (ring_push(st, next) < 0) {
        expand_fail(st, rx__higher_oom(&st->base));
    }
    return taken;
}

static void advance(struct expand_stage *st);

static void
inner_next(rx__hin *in, rx_value v)
{
    struct expand_stage *st = in->owner;

    if (st->cur != in) {
        return;
    }
    if (!expand_item(st, v) && st->cur == in) {
        rx__hin_request(in, 1); /* dropped below: ask for a replacement */
    }
}

static void
inner_error(rx__hin *in, const rx_error *err)
{
    expand_fail(in->owner, rx_error_retain(err));
}

static void
inner_complete(rx__hin *in)
{
    struct expand_stage *st = in->owner;

    if (st->looping || st->cur != in) {
        return; /* the start loop frees it when the start returns */
    }
    st->cur = NULL;
    rx__hin_drop(in, &st->base);
    advance(st);
}

static const struct rx__hin_ops inner_ops = {
    .next = inner_next,
    .error = inner_error,
    .complete = inner_complete,
};

/* Starts the waiting inners one after the other once the source is done,
 * and completes when none is left. A loop: inners that complete while
 * starting do not recurse. */
static void
advance(struct expand_stage *st)
{
    rx_error *err = NULL;

    if (st->looping) {
        return;
    }
    st->looping = true;
    while (!st->done && st->cur == NULL && st->src_done) {
        rx__hin *in;

        if (st->len == 0) {
            st->done = true;
            rx__emit_complete(&st->base);
            break;
        }
        in = rx__hin_new(&st->base, &inner_ops, sizeof *in, ring_pop(st), &err);
        if (in == NULL) {
            st->looping = false;
            expand_fail(st, err);
            return;
        }
        st->cur = in;
        rx__hin_start(in, st->requested);
        if (st->cur == in && in->done) {
            st->cur = NULL;
            rx__hin_drop(in, &st->base); /* off the stack: freed now */
        }
    }
    st->looping = false;
}

/* ---- the source (level 1) ---------------------------------------------- */

static bool
expand_on_next(rx__stage *self, rx_value v)
{
    return expand_item((struct expand_stage *)self, v);
}

static void
expand_on_error(rx__stage *self, const rx_error *err)
{
    expand_fail((struct expand_stage *)self, rx_error_retain(err));
}

static void
expand_on_complete(rx__stage *self)
{
    struct expand_stage *st = (struct expand_stage *)self;

    if (st->done) {
        return;
    }
    st->src_done = true;
    advance(st);
}

static void
expand_request(rx__stage *self, int64_t n)
{
    struct expand_stage *st = (struct expand_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    if (!st->started || st->done) {
        return; /* the start hands the demand on */
    }
    if (!st->src_done) {
        rx__request_up(self, n);
    } else if (st->cur != NULL) {
        rx__hin_request(st->cur, n);
    }
}

static void
expand_cancel(rx__stage *self)
{
    struct expand_stage *st = (struct expand_stage *)self;

    if (!st->done) {
        stop_all(st);
    } else {
        rx__cancel_up(self);
    }
}

static void
expand_start(rx__stage *self)
{
    struct expand_stage *st = (struct expand_stage *)self;

    st->started = true;
    if (st->requested > 0) {
        rx__request_up(self, st->requested);
    }
    rx__stage_start(self->up);
}

static void
expand_teardown(rx__stage *self)
{
    ring_clear((struct expand_stage *)self);
}

static const struct rx__stage_ops expand_stage_ops = {
    .on_next = expand_on_next,
    .on_error = expand_on_error,
    .on_complete = expand_on_complete,
    .request = expand_request,
    .cancel = expand_cancel,
    .start = expand_start,
    .teardown = expand_teardown,
};

static int
expand_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct expand_stage *st =
        rx__stage_new(pipe, &expand_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops expand_ops = {.assemble = expand_assemble};

rx_observable *
rx_expand_at(const rx_site *site, rx_observable *src, rx_flat_map_fn fn,
             void *ctx)
{
    struct expand_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_expand: fn must not be NULL");
    }
    o = rx__observable_new(site, &expand_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    return &o->base;
}
