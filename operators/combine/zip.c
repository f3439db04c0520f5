/* SPDX-License-Identifier: MIT */
/*
 * zip and zip_array: combine the k-th items of every source.
 *
 * Each source has a queue (a ring of owned values) and is asked for
 * RX__FANIN_PREFETCH items ahead, topped up by RX__FANIN_LIMIT once that
 * many rows were emitted (every row uses one item of each), as RxJava
 * does. A drain loop (wip counter, so a request or an item arriving
 * while it runs only asks for another pass) takes one item from every
 * queue while every queue has one and downstream has demand, runs the
 * combiner and emits. The stage counts the non-empty queues, so that
 * check is O(1) whatever the number of sources, and an item that
 * completes a row while nothing else runs goes into it directly without
 * passing through its queue (the fast path of zip_on_next).
 *
 * Pulled sources. A source that is a plain iterable (range, from_values,
 * just: struct rx__iter) gets no stage at all: its values are read
 * straight from the iterator when a row needs them, RxJava's synchronous
 * fusion. zip(range, range) is then a loop with no queue, no request
 * and no per-item call between stages.
 *
 * Termination follows RxJava's FlowableZip: the stream completes as soon
 * as a source has completed and its queue is empty, since no further row
 * can be formed; the other sources are cancelled and their queued items
 * dropped. That check does not wait for demand. The first error is kept
 * and signalled by the drain loop ahead of any queued rows; a later one
 * goes to the undeliverable handler.
 */
#include <stddef.h>

#include "fanin.h"
#include "fusion.h"

/* How many rows a pass emits between two looks at a cancel asked from
 * another thread (when every source is pulled, the pass is the source
 * loop; DESIGN.md section 2, rule 8). */
#define POLL_ROWS 1024

struct zip_slot {
    rx__fanin_input *in; /* NULL once the source has ended or been dropped */
    rx__vqueue q;        /* items waiting for a row */
    struct rx__iter it;  /* a pulled source: the values left */
    bool pulled;         /* the source is read through `it`, no stage */
    bool done;           /* the source completed (pulled: always) */
};

struct zip_stage {
    rx__stage base;
    int64_t requested; /* downstream demand */
    int64_t rows;      /* rows emitted since the last top-up */
    size_t ready;      /* slots whose queue holds an item */
    int wip;           /* drain passes owed; > 0 while one runs */
    bool started;
    bool done;       /* terminal sent or cancelled */
    bool exhausted;  /* a completed source has nothing left: no more rows */
    rx_error *error; /* the first error, signalled by the drain loop */
    rx_value *row;   /* one item per source, being combined */
    size_t n;
    struct zip_slot slots[];
};

static void zip_drain(struct zip_stage *z);

/* ---- the queues ---------------------------------------------------------- */

/* Queues v (taken) for slot i; RX_ENOMEM (v released) when the ring
 * cannot grow. The common case writes the ring in place; growing is
 * rx__vqueue_push()'s. */
static int
zip_push(struct zip_stage *z, size_t i, rx_value v)
{
    rx__vqueue *q = &z->slots[i].q;

    if (q->len < q->cap) {
        q->buf[(q->head + q->len) & (q->cap - 1)] = v;
        q->len++;
    } else if (rx__vqueue_push(q, v) != 0) {
        return RX_ENOMEM;
    }
    if (q->len == 1) {
        z->ready++;
    }
    return 0;
}

/* Whether a pulled source has values left. */
static bool
pulled_left(const struct rx__iter *it)
{
    return it->kind == RX__ITER_RANGE ? it->start < it->end : it->n > 0;
}

/* The next value of a pulled source (a new reference). */
static rx_value
pulled_next(struct rx__iter *it)
{
    rx_value v;

    if (it->kind == RX__ITER_RANGE) {
        return rx_int(it->start++);
    }
    v = rx_value_retain(it->vals[0]); /* the observable keeps vals alive */
    it->vals++;
    it->n--;
    return v;
}

/* Takes the oldest item of slot i (owned); it must have one. */
static rx_value
zip_pop(struct zip_stage *z, size_t i)
{
    struct zip_slot *s = &z->slots[i];
    rx__vqueue *q = &s->q;
    rx_value v;
    bool empty;

    if (s->pulled) {
        v = pulled_next(&s->it);
        empty = !pulled_left(&s->it);
    } else {
        v = q->buf[q->head];
        q->head = (q->head + 1) & (q->cap - 1);
        empty = --q->len == 0;
    }
    if (empty) {
        z->ready--;
        z->exhausted = z->exhausted || s->done;
    }
    return v;
}

/* Cancels every source still running and drops every queued item. */
static void
zip_stop(struct zip_stage *z)
{
    z->done = true;
    for (size_t i = 0; i < z->n; i++) {
        struct zip_slot *s = &z->slots[i];
        rx__fanin_drop(&s->in, true);
        while (s->q.len > 0) {
            rx__discard(&z->base, zip_pop(z, i));
        }
    }
}

/* Ends the stream: err (taken) or, when NULL, a completion. */
static void
zip_end(struct zip_stage *z, rx_error *err)
{
    zip_stop(z);
    if (err != NULL) {
        rx__emit_new_error(&z->base, err);
    } else {
        rx__emit_complete(&z->base);
    }
}

/* Records the stream's error (taken): the first one wins. */
static void
zip_fail(struct zip_stage *z, rx_error *err)
{
    if (z->done || z->error != NULL) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    z->error = err;
    zip_drain(z);
}

/* ---- the sources ------------------------------------------------------ */

/* Emits a row (out, taken) and tops the sources up once LIMIT rows went
 * out. */
static void
zip_emit(struct zip_stage *z, rx_value out)
{
    /* A row downstream dropped (a filter below) used no demand. */
    if (rx__emit_next(&z->base, out)) {
        z->requested = rx__demand_sub(z->requested, 1);
    }
    rx_value_release(out);
    if (++z->rows == RX__FANIN_LIMIT) {
        z->rows = 0;
        for (size_t i = 0; i < z->n && !z->done; i++) {
            if (z->slots[i].in != NULL) {
                rx__fanin_request(z->slots[i].in, RX__FANIN_LIMIT);
            }
        }
    }
}

/* The fast path: v (borrowed) completes a row, nothing else runs and
 * downstream has demand, so the row goes out without queueing v. */
static void
zip_direct(struct zip_stage *z, size_t index, rx_value v)
{
    rx_value out;
    rx_error *err;

    z->wip = 1;
    for (size_t i = 0; i < z->n; i++) {
        z->row[i] = i == index ? v : zip_pop(z, i);
    }
    err = rx__fanin_combine(&z->base, z->row, z->n, &out);
    for (size_t i = 0; i < z->n; i++) {
        if (i != index) {
            rx_value_release(z->row[i]);
        }
    }
    if (err != NULL) {
        z->error = err;
    } else {
        zip_emit(z, out);
    }
    /* More arrived meanwhile, or the stream must end now. */
    if (--z->wip > 0 || z->error != NULL || z->exhausted) {
        z->wip = 0;
        zip_drain(z);
    }
}

static bool
zip_on_next(rx__stage *owner, size_t index, rx_value v)
{
    struct zip_stage *z = (struct zip_stage *)owner;

    if (z->done) {
        return false;
    }
    if (z->wip == 0 && z->started && z->requested > 0 && z->error == NULL &&
        z->slots[index].q.len == 0 && z->ready == z->n - 1) {
        zip_direct(z, index, v);
        return true;
    }
    if (zip_push(z, index, rx_value_retain(v)) != 0) {
        zip_fail(z, rx__fanin_oom(owner, "queueing an item"));
        return true;
    }
    zip_drain(z);
    return true;
}

static void
zip_on_error(rx__stage *owner, size_t index, const rx_error *err)
{
    struct zip_stage *z = (struct zip_stage *)owner;

    rx__fanin_drop(&z->slots[index].in, false);
    zip_fail(z, rx_error_retain(err));
}

static void
zip_on_complete(rx__stage *owner, size_t index)
{
    struct zip_stage *z = (struct zip_stage *)owner;

    z->slots[index].done = true;
    z->exhausted = z->exhausted || z->slots[index].q.len == 0;
    rx__fanin_drop(&z->slots[index].in, false);
    zip_drain(z);
}

static const struct rx__fanin_hooks zip_hooks = {
    .on_next = zip_on_next,
    .on_error = zip_on_error,
    .on_complete = zip_on_complete,
};

/* ---- the drain loop ------------------------------------------------------ */

/* Whether every source is pulled, demand is unbounded and the observer
 * is right below: then zip_fast_rows() may run the rows. */
static bool
zip_fast_ok(const struct zip_stage *z)
{
    if (z->done || z->error != NULL || z->exhausted || z->n == 0 ||
        z->ready < z->n || z->requested != RX_UNBOUNDED ||
        !rx__observer_right_below(&z->base) ||
        rx__fanin_params(&z->base)->fn == NULL) {
        return false;
    }
    for (size_t i = 0; i < z->n; i++) {
        if (!z->slots[i].pulled) {
            return false;
        }
    }
    return true;
}

/* The fast path of zip_pass() (zip_fast_ok() holds): every row can be
 * formed now, so it runs min(values left) rows in a plain loop calling
 * the combiner and the observer, as the sink would, with no demand
 * accounting and no queue; the cross-thread cancel flag is polled every
 * POLL_ROWS rows and the stage's own `done` flag (a cancel or dispose
 * from inside on_next) after every row. Leaves the end of the stream
 * (a source without values left) to zip_pass().
 *
 * Written once and instantiated per shape, as fusion.c's fast_pass():
 * `ranges` (every source is a range: the items are ints, nothing to
 * release) and `shape_n` (the number of sources, or -1 to read it from
 * z) are constants at each call site, so zip(range, range) unrolls to
 * the user's two calls and a few instructions. */
static inline __attribute__((always_inline)) void
zip_fast_rows(struct zip_stage *z, bool ranges, int shape_n)
{
    rx__pipeline *p = z->base.pipe;
    void (*on_next)(rx_value, void *) = p->observer.on_next;
    void *octx = p->observer.ctx;
    const size_t n = shape_n >= 0 ? (size_t)shape_n : z->n;
    int64_t rows = INT64_MAX;

    for (size_t i = 0; i < n; i++) {
        const struct rx__iter *it = &z->slots[i].it;
        int64_t left =
            it->kind == RX__ITER_RANGE ? it->end - it->start : (int64_t)it->n;
        rows = left < rows ? left : rows;
    }
    for (int64_t r = 0; r < rows; r++) {
        rx_error *err;
        rx_value out;
        if (((r + 1) & (POLL_ROWS - 1)) == 0 && rx__pipeline_poll(p)) {
            break; /* cancelled from another thread */
        }
        for (size_t i = 0; i < n; i++) {
            struct rx__iter *it = &z->slots[i].it;
            z->row[i] = ranges ? rx_int(it->start++) : pulled_next(it);
        }
        err = rx__fanin_combine(&z->base, z->row, n, &out);
        for (size_t i = 0; i < n && !ranges; i++) {
            rx_value_release(z->row[i]);
        }
        if (RX__UNLIKELY(err != NULL)) {
            zip_end(z, err);
            return;
        }
        /* No check before the call: a cancel (also the one a request(0)
         * makes) reaches this stage's `done` flag at once, and that flag
         * is read after every call. */
        on_next(out, octx);
        rx_value_release(out);
        if (RX__UNLIKELY(z->done)) {
            return;
        }
    }
    /* Sources without values left end the stream (zip_pop()'s
     * bookkeeping, done once for the loop). */
    for (size_t i = 0; i < n; i++) {
        if (!pulled_left(&z->slots[i].it)) {
            z->ready--;
            z->exhausted = true;
        }
    }
}

/* Runs zip_fast_rows() if zip_fast_ok(), in the instantiation for the
 * sources' shape. */
static void
zip_fast(struct zip_stage *z)
{
    bool ranges = true;

    if (!zip_fast_ok(z)) {
        return;
    }
    for (size_t i = 0; i < z->n; i++) {
        ranges = ranges && z->slots[i].it.kind == RX__ITER_RANGE;
    }
    if (ranges && z->n == 2) {
        zip_fast_rows(z, true, 2);
    } else if (ranges) {
        zip_fast_rows(z, true, -1);
    } else {
        zip_fast_rows(z, false, -1);
    }
}

/* Emits rows while every queue has an item and downstream has demand;
 * ends the stream on an error, or once a completed source has nothing
 * left (even without demand). */
static void
zip_pass(struct zip_stage *z)
{
    unsigned rows = 0;

    zip_fast(z);
    while (!z->done) {
        rx_value out;
        rx_error *err = z->error;

        if (++rows % POLL_ROWS == 0 && rx__pipeline_poll(z->base.pipe)) {
            return; /* cancelled from another thread */
        }
        if (err != NULL) {
            z->error = NULL;
            zip_end(z, err);
            return;
        }
        if (z->exhausted || z->n == 0) {
            zip_end(z, NULL);
            return;
        }
        if (z->ready < z->n || z->requested == 0) {
            return;
        }
        for (size_t i = 0; i < z->n; i++) {
            z->row[i] = zip_pop(z, i);
        }
        err = rx__fanin_combine(&z->base, z->row, z->n, &out);
        for (size_t i = 0; i < z->n; i++) {
            rx_value_release(z->row[i]);
        }
        if (err != NULL) {
            zip_end(z, err);
            return;
        }
        zip_emit(z, out);
    }
}

static void
zip_drain(struct zip_stage *z)
{
    if (!z->started || z->wip++ > 0) {
        return;
    }
    do {
        z->wip = 1;
        zip_pass(z);
    } while (--z->wip > 0);
}

/* ---- the stage -------------------------------------------------------- */

static void
zip_request(rx__stage *self, int64_t n)
{
    struct zip_stage *z = (struct zip_stage *)self;

    z->requested = rx__demand_add(z->requested, n);
    zip_drain(z);
}

static void
zip_cancel(rx__stage *self)
{
    struct zip_stage *z = (struct zip_stage *)self;

    if (!z->done) {
        zip_stop(z);
    }
}

static void
zip_start(rx__stage *self)
{
    struct zip_stage *z = (struct zip_stage *)self;

    z->started = true;
    /* Like RxJava, start the sources in order and stop once the stream
     * has ended: a source that failed or completed empty while it was
     * subscribed, or an empty pulled source, which ends it at once --
     * after the sources before it, so an error they signal while they
     * are subscribed wins over it. */
    for (size_t i = 0; i < z->n && !z->done && z->error == NULL; i++) {
        if (z->slots[i].in != NULL) {
            rx__fanin_start(z->slots[i].in, RX__FANIN_PREFETCH);
        } else if (!pulled_left(&z->slots[i].it)) {
            z->exhausted = true;
        }
        if (z->exhausted) {
            break;
        }
    }
    zip_drain(z);
}

static void
zip_teardown(rx__stage *self)
{
    struct zip_stage *z = (struct zip_stage *)self;

    /* The inputs are stages of their own, freed with the pipeline. */
    for (size_t i = 0; i < z->n; i++) {
        rx__vqueue_clear(&z->slots[i].q);
    }
    rx_error_release(z->error);
    z->error = NULL;
    rx__free(z->row);
    z->row = NULL;
}

static const struct rx__stage_ops zip_stage_ops = {
    .request = zip_request,
    .cancel = zip_cancel,
    .start = zip_start,
    .teardown = zip_teardown,
};

static int
zip_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
             rx__stage **out)
{
    const struct rx__fanin_obs *o = (const struct rx__fanin_obs *)self;
    struct zip_stage *z;

    if (o->n > (SIZE_MAX - sizeof *z) / sizeof(struct zip_slot)) {
        return RX_ENOMEM;
    }
    z = rx__stage_new(pipe, &zip_stage_ops,
                      sizeof *z + o->n * sizeof(struct zip_slot), self, down);
    if (z == NULL) {
        return RX_ENOMEM;
    }
    *out = &z->base;
    z->row = rx__calloc(o->n > 0 ? o->n : 1, sizeof(rx_value));
    if (z->row == NULL) {
        return RX_ENOMEM;
    }
    z->n = o->n;
    for (size_t i = 0; i < o->n; i++) {
        struct zip_slot *s = &z->slots[i];
        const rx_observable *src = o->srcs[i];
        int rc;
        if (src->ops->iterate != NULL && src->ops->fuse == NULL) {
            src->ops->iterate(src, &s->it);
            s->pulled = true;
            s->done = true;
            if (pulled_left(&s->it)) {
                z->ready++;
            }
            continue; /* empty: zip_start ends the stream on reaching it */
        }
        rc = rx__fanin_input_new(&z->base, &zip_hooks, i, &s->in);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static const struct rx__obs_ops zip_ops = {
    .assemble = zip_assemble,
    .destroy = rx__fanin_destroy,
};

rx_observable *
rx_zip_array_at(const rx_site *site, size_t n, rx_observable *const *srcs,
                rx_zip_fn combiner, void *ctx)
{
    return rx__fanin_new(site, &zip_ops, n, srcs, combiner, ctx);
}

rx_observable *
rx_zip_at(const rx_site *site, rx_observable *a, rx_observable *b,
          rx_zip_fn combiner, void *ctx)
{
    rx_observable *srcs[2];

    srcs[0] = a;
    srcs[1] = b;
    return rx__fanin_new(site, &zip_ops, 2, srcs, combiner, ctx);
}
