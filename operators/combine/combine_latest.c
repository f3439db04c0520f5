/* SPDX-License-Identifier: MIT */
/*
 * combine_latest and combine_latest_array: whenever a source emits,
 * combine the latest item of every source, once each has emitted.
 *
 * The stage keeps the latest item of each source. An item that arrives
 * before every source has emitted only replaces its source's latest item
 * and is used up at once (the source is topped up). Once all have
 * emitted, every arrival makes one combination: it goes straight out
 * when downstream has demand and nothing waits, otherwise a snapshot of
 * the latest items (an array value) waits in a queue, followed by the
 * index of the source that caused it, as in RxJava. A source is topped
 * up (RX__FANIN_LIMIT items once that many were used) only as its
 * combinations go out, so a subscriber without demand stops the sources
 * after RX__FANIN_PREFETCH items each. The combiner runs when a
 * combination goes out.
 *
 * Termination follows RxJava: the stream completes once every source
 * has completed and the queue is empty, or as soon as a source completes
 * without ever emitting (no combination can be formed). The first error
 * is signalled by the drain loop ahead of waiting combinations and
 * cancels the sources; a later one goes to the undeliverable handler.
 */
#include <stddef.h>

#include "fanin.h"

struct cl_slot {
    rx__fanin_input *in; /* NULL once the source has ended or been dropped */
    int64_t consumed;    /* items used since the last top-up */
    bool has;            /* the source has emitted */
};

struct cl_stage {
    rx__stage base;
    int64_t requested; /* downstream demand */
    int wip;           /* drain passes owed; > 0 while one runs */
    bool started;
    bool done;        /* terminal sent or cancelled */
    bool finished;    /* complete once the queue is empty */
    rx_error *error;  /* the first error, signalled by the drain loop */
    size_t nonempty;  /* sources that have emitted */
    size_t completed; /* sources that completed after emitting */
    rx__vqueue q;     /* pairs: snapshot array, index of the source */
    rx_value *latest; /* the latest item of each source (nil: none) */
    rx_value *row;    /* the items of a snapshot, borrowed */
    size_t n;
    struct cl_slot slots[];
};

static void cl_drain(struct cl_stage *c);

/* Cancels every source still running and drops every combination. */
static void
cl_stop(struct cl_stage *c)
{
    c->done = true;
    for (size_t i = 0; i < c->n; i++) {
        rx__fanin_drop(&c->slots[i].in, true);
    }
    rx__vqueue_clear(&c->q);
}

static void
cl_end(struct cl_stage *c, rx_error *err)
{
    cl_stop(c);
    if (err != NULL) {
        rx__emit_new_error(&c->base, err);
    } else {
        rx__emit_complete(&c->base);
    }
}

static void
cl_fail(struct cl_stage *c, rx_error *err)
{
    if (c->done || c->error != NULL) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    c->error = err;
    cl_drain(c);
}

/* An item of source i was used: top the source up once LIMIT were. */
static void
cl_top_up(struct cl_stage *c, size_t i)
{
    struct cl_slot *s = &c->slots[i];

    if (++s->consumed == RX__FANIN_LIMIT) {
        s->consumed = 0;
        if (s->in != NULL) {
            rx__fanin_request(s->in, RX__FANIN_LIMIT);
        }
    }
}

/* Emits a combination; the item of source i is then used. */
static void
cl_emit(struct cl_stage *c, rx_value out, size_t i)
{
    if (rx__emit_next(&c->base, out)) {
        c->requested = rx__demand_sub(c->requested, 1);
    }
    rx_value_release(out);
    if (!c->done) {
        cl_top_up(c, i);
    }
}

/* ---- the sources ------------------------------------------------------ */

/* Queues a snapshot of the latest items, caused by source i. */
static void
cl_enqueue(struct cl_stage *c, size_t i)
{
    rx_value snap;

    for (size_t k = 0; k < c->n; k++) {
        c->row[k] = rx_value_retain(c->latest[k]);
    }
    snap = rx_array(c->n, c->row); /* takes the references, even failing */
    if (rx_is_invalid(snap) || rx__vqueue_push(&c->q, snap) != 0 ||
        rx__vqueue_push(&c->q, rx_int((int64_t)i)) != 0) {
        /* The stream fails now, so a lone snapshot is never read. */
        cl_fail(c, rx__fanin_oom(&c->base, "queueing a combination"));
        return;
    }
    cl_drain(c);
}

static bool
cl_on_next(rx__stage *owner, size_t index, rx_value v)
{
    struct cl_stage *c = (struct cl_stage *)owner;
    rx_value out;
    rx_error *err;

    if (c->done) {
        return false;
    }
    if (!c->slots[index].has) {
        c->slots[index].has = true;
        c->nonempty++;
    }
    rx_value_release(c->latest[index]);
    c->latest[index] = rx_value_retain(v);
    if (c->nonempty < c->n) {
        cl_top_up(c, index);
        return true;
    }
    if (c->wip > 0 || c->requested == 0 || c->q.len > 0 || !c->started ||
        c->error != NULL) {
        cl_enqueue(c, index);
        return true;
    }
    /* The fast path: nothing waits and downstream has demand. */
    c->wip = 1;
    err = rx__fanin_combine(owner, c->latest, c->n, &out);
    if (err != NULL) {
        c->error = err;
    } else {
        cl_emit(c, out, index);
    }
    if (--c->wip > 0 || c->error != NULL) {
        c->wip = 0;
        cl_drain(c);
    }
    return true;
}

static void
cl_on_error(rx__stage *owner, size_t index, const rx_error *err)
{
    struct cl_stage *c = (struct cl_stage *)owner;

    rx__fanin_drop(&c->slots[index].in, false);
    cl_fail(c, rx_error_retain(err));
}

static void
cl_on_complete(rx__stage *owner, size_t index)
{
    struct cl_stage *c = (struct cl_stage *)owner;

    rx__fanin_drop(&c->slots[index].in, false);
    if (!c->slots[index].has || ++c->completed == c->n) {
        c->finished = true;
        cl_drain(c);
    }
}

static const struct rx__fanin_hooks cl_hooks = {
    .on_next = cl_on_next,
    .on_error = cl_on_error,
    .on_complete = cl_on_complete,
};

/* ---- the drain loop ------------------------------------------------------ */

static void
cl_pass(struct cl_stage *c)
{
    const struct rx__fanin_obs *o = rx__fanin_params(&c->base);

    while (!c->done) {
        rx_value snap;
        rx_value out;
        rx_error *err = c->error;
        size_t i;

        if (err != NULL) {
            c->error = NULL;
            cl_end(c, err);
            return;
        }
        if (c->q.len == 0) {
            if (c->finished || c->n == 0) {
                cl_end(c, NULL);
            }
            return;
        }
        if (c->requested == 0) {
            return;
        }
        snap = rx__vqueue_pop(&c->q);
        i = (size_t)rx_as_int(rx__vqueue_pop(&c->q));
        if (o->fn == NULL) {
            out = snap; /* the snapshot is the array to emit */
        } else {
            for (size_t k = 0; k < c->n; k++) {
                c->row[k] = rx_array_at(snap, k);
            }
            err = rx__fanin_combine(&c->base, c->row, c->n, &out);
            rx_value_release(snap);
            if (err != NULL) {
                cl_end(c, err);
                return;
            }
        }
        cl_emit(c, out, i);
    }
}

static void
cl_drain(struct cl_stage *c)
{
    if (!c->started || c->wip++ > 0) {
        return;
    }
    do {
        c->wip = 1;
        cl_pass(c);
    } while (--c->wip > 0);
}

/* ---- the stage -------------------------------------------------------- */

static void
cl_request(rx__stage *self, int64_t n)
{
    struct cl_stage *c = (struct cl_stage *)self;

    c->requested = rx__demand_add(c->requested, n);
    cl_drain(c);
}

static void
cl_cancel(rx__stage *self)
{
    struct cl_stage *c = (struct cl_stage *)self;

    if (!c->done) {
        cl_stop(c);
    }
}

static void
cl_start(rx__stage *self)
{
    struct cl_stage *c = (struct cl_stage *)self;

    c->started = true;
    for (size_t i = 0; i < c->n && !c->done && c->error == NULL && !c->finished;
         i++) {
        if (c->slots[i].in != NULL) {
            rx__fanin_start(c->slots[i].in, RX__FANIN_PREFETCH);
        }
    }
    cl_drain(c);
}

static void
cl_teardown(rx__stage *self)
{
    struct cl_stage *c = (struct cl_stage *)self;

    rx__vqueue_clear(&c->q);
    for (size_t i = 0; c->latest != NULL && i < c->n; i++) {
        rx_value_release(c->latest[i]);
    }
    rx__free(c->latest);
    c->latest = NULL;
    rx__free(c->row);
    c->row = NULL;
    rx_error_release(c->error);
    c->error = NULL;
}

static const struct rx__stage_ops cl_stage_ops = {
    .request = cl_request,
    .cancel = cl_cancel,
    .start = cl_start,
    .teardown = cl_teardown,
};

static int
cl_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    const struct rx__fanin_obs *o = (const struct rx__fanin_obs *)self;
    size_t cells = o->n > 0 ? o->n : 1;
    struct cl_stage *c;

    if (o->n > (SIZE_MAX - sizeof *c) / sizeof(struct cl_slot)) {
        return RX_ENOMEM;
    }
    c = rx__stage_new(pipe, &cl_stage_ops,
                      sizeof *c + o->n * sizeof(struct cl_slot), self, down);
    if (c == NULL) {
        return RX_ENOMEM;
    }
    *out = &c->base;
    c->latest = rx__calloc(cells, sizeof(rx_value));
    c->row = rx__calloc(cells, sizeof(rx_value));
    if (c->latest == NULL || c->row == NULL) {
        return RX_ENOMEM;
    }
    c->n = o->n;
    for (size_t i = 0; i < o->n; i++) {
        int rc = rx__fanin_input_new(&c->base, &cl_hooks, i, &c->slots[i].in);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static const struct rx__obs_ops cl_ops = {
    .assemble = cl_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_combine_latest_array_at(const rx_site *site, size_t n,
                           rx_observable *const *srcs, rx_zip_fn combiner,
                           void *ctx)
{
    return rx__fanin_new(site, &cl_ops, n, srcs, combiner, ctx);
}

rx_observable *
rx_combine_latest_at(const rx_site *site, rx_observable *a, rx_observable *b,
                     rx_zip_fn combiner, void *ctx)
{
    rx_observable *srcs[2];

    srcs[0] = a;
    srcs[1] = b;
    return rx__fanin_new(site, &cl_ops, 2, srcs, combiner, ctx);
}
