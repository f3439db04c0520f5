/* SPDX-License-Identifier: MIT */
/*
 * The fusion engine: one stage that runs a run of fusable operators (see
 * fusion.h), and, when the run sits on an iterable source, drives that
 * source's loop itself.
 *
 * Items normally go through the operations one at a time, in the order a
 * chain of separate stages would see them. Batch mode -- chosen at
 * subscribe time when the run holds a batch kernel or the stage below
 * takes batches, and the source is an iterable of scalars -- fills a
 * scratch array of up to RX__BATCH items and runs each operation over the
 * whole array before the next one; docs/design/fusion.md explains why the
 * order of user calls differs there and what stays the same.
 */
#include "fusion.h"

#define RX__BATCH 256
/* How often a drain loop polls for a cancel from another thread. */
#define RX__POLL_MASK 1023

struct fused {
    rx__stage base;
    rx__demand d;       /* downstream demand, when driving an iterator */
    struct rx__iter it; /* the iterable source, when has_iter */
    int64_t pos;        /* RANGE: next value; ARRAY: next index */
    bool has_iter;
    bool done;         /* a terminal signal went downstream */
    bool batch;        /* batch mode (see the file comment) */
    bool sink_direct;  /* down is the sink (rx__observer_right_below, cached) */
    bool simple;       /* every op is a plain map or filter */
    rx_value *scratch; /* RX__BATCH values, in batch mode */
    size_t nops;
    struct rx__fop ops[]; /* source first */
};

/* ---- ends of the stream ----------------------------------------------- */

/* Marks the stream ended and stops the upstream. */
static void
end_stream(struct fused *f)
{
    f->done = true;
    f->d.cancelled = true;
    if (!f->has_iter) {
        rx__cancel_up(&f->base);
    }
}

static void
cancel_hooks(struct fused *f, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (f->ops[i].ops != NULL && f->ops[i].ops->on_cancel != NULL) {
            f->ops[i].ops->on_cancel(&f->ops[i]);
        }
    }
}

static void
error_hooks(struct fused *f, size_t from, const rx_error *err)
{
    for (size_t i = from; i < f->nops; i++) {
        if (f->ops[i].ops != NULL && f->ops[i].ops->on_error != NULL) {
            f->ops[i].ops->on_error(&f->ops[i], err);
        }
    }
}

/* Completes the stream on behalf of the operations [from, nops): their
 * completion hooks run in order, and one of them may turn the completion
 * into an error. */
static void
complete_from(struct fused *f, size_t from)
{
    for (size_t i = from; i < f->nops; i++) {
        rx_error *err = NULL;
        if (f->ops[i].ops != NULL && f->ops[i].ops->on_complete != NULL) {
            f->ops[i].ops->on_complete(&f->ops[i], &err);
        }
        if (err != NULL) {
            rx__error_claim_site(err, &f->ops[i].obs->site);
            error_hooks(f, i + 1, err);
            rx__emit_new_error(&f->base, err);
            return;
        }
    }
    rx__emit_complete(&f->base);
}

/* Operation j failed: operations before it are cut off, those after it
 * see the error. `err` is taken; NULL means a function returned
 * rx_invalid(), which is an allocation failure. */
static void
fail_at(struct fused *f, size_t j, rx_error *err)
{
    if (err == NULL) {
        const rx_site *site = &f->ops[j].obs->site;
        err = rx__error_at(site, RX_ENOMEM, "%s: out of memory", site->name);
    }
    rx__error_claim_site(err, &f->ops[j].obs->site);
    end_stream(f);
    cancel_hooks(f, 0, j);
    error_hooks(f, j + 1, err);
    rx__emit_new_error(&f->base, err);
}

/* Operation j ended the stream early (take reached its count). */
static void
finish_at(struct fused *f, size_t j)
{
    end_stream(f);
    cancel_hooks(f, 0, j);
    complete_from(f, j + 1);
}

/* ---- one item at a time ----------------------------------------------- */

#ifndef NDEBUG
static void
check_retain(const struct rx__fop *op, rx_value in, long refs_before,
             rx_value *out)
{
    /* A map that returns its input heap object must add a reference; if
     * the count did not move it did not, and the item would be freed
     * twice. Debug builds report it and repair the count. */
    if (RX_VALUE_IS_HEAP(*out) && out->as.o == in.as.o &&
        rx__value_refs(in) == refs_before) {
        rx__report_missing_retain(&op->obs->site);
        rx_value_retain(*out);
    }
}
#endif

/* Whether any of n values is a heap value; a branch-free scan that the
 * compiler vectorises (every heap type has bit 3 set, no scalar type
 * does). */
static bool
any_heap(const rx_value *vals, size_t n)
{
    uint32_t acc = 0;

    for (size_t i = 0; i < n; i++) {
        acc |= vals[i].type;
    }
    return (acc & RX_TYPE_FIRST_HEAP) != 0;
}

_Static_assert(RX_TYPE_FIRST_HEAP == 8 && RX_TYPE_INVALID < 8,
               "any_heap() relies on heap types having bit 3 set");

static bool
batch_input_ok(struct fused *f, size_t j, const rx_value *vals, size_t n)
{
    const rx_site *site = &f->ops[j].obs->site;

    if (!any_heap(vals, n)) {
        return true;
    }
    fail_at(f, j,
            rx__error_at(site, RX_EINVAL,
                         "%s: batch kernels take scalar items only",
                         site->name));
    return false;
}

/* Delivers one owned item downstream and releases it; returns whether the
 * item used up a unit of demand. */
static inline bool
deliver(struct fused *f, rx_value v)
{
    bool used;

    if (f->sink_direct && f->base.pipe->demand == RX_UNBOUNDED) {
        rx__pipeline *p = f->base.pipe;
        used = !p->done && !p->cancelled;
        if (used && p->observer.on_next != NULL) {
            p->observer.on_next(v, p->observer.ctx);
        } else if (used) {
            used = rx__emit_next(&f->base, v);
        }
    } else {
        used = rx__emit_next(&f->base, v);
    }
    rx_value_release(v);
    return used;
}

enum { PUSH_DROPPED = 0, PUSH_USED = 1, PUSH_ENDED = -1 };

/* Runs one owned item through every operation and delivers it if it
 * survives. Returns PUSH_USED when it used a unit of demand, PUSH_DROPPED
 * when it was filtered (or the receiver did not count it), PUSH_ENDED when
 * the stream ended. */
static int
push_one(struct fused *f, rx_value v)
{
    size_t last = SIZE_MAX; /* an op that said LAST */
    int res = PUSH_DROPPED;
    size_t j;

    for (j = 0; j < f->nops; j++) {
        struct rx__fop *op = &f->ops[j];
        rx_error *err = NULL;
        switch (op->kind) {
        case RX__FOP_MAP: {
#ifndef NDEBUG
            long before = rx__value_refs(v);
            rx_value nv = op->fn.map(v, op->ctx, &err);
            check_retain(op, v, before, &nv);
#else
            rx_value nv = op->fn.map(v, op->ctx, &err);
#endif
            rx_value_release(v);
            v = nv;
            if (RX__UNLIKELY(err != NULL || v.type == RX_TYPE_INVALID)) {
                if (err != NULL) {
                    rx_value_release(v);
                }
                fail_at(f, j, err);
                return PUSH_ENDED;
            }
            break;
        }
        case RX__FOP_FILTER: {
            bool keep = op->fn.pred(v, op->ctx, &err);
            if (RX__UNLIKELY(err != NULL)) {
                rx_value_release(v);
                fail_at(f, j, err);
                return PUSH_ENDED;
            }
            if (!keep) {
                rx_value_release(v);
                goto dropped;
            }
            break;
        }
        case RX__FOP_MAP_BATCH:
            if (!batch_input_ok(f, j, &v, 1)) {
                rx_value_release(v);
                return PUSH_ENDED;
            }
            op->fn.map_batch(&v, 1, op->ctx, &err);
            if (err != NULL) {
                fail_at(f, j, err);
                return PUSH_ENDED;
            }
            if (!batch_input_ok(f, j, &v, 1)) {
                /* The kernel made a heap value: a new reference, ours. */
                rx_value_release(v);
                return PUSH_ENDED;
            }
            break;
        case RX__FOP_FILTER_BATCH: {
            size_t kept;
            if (!batch_input_ok(f, j, &v, 1)) {
                rx_value_release(v);
                return PUSH_ENDED;
            }
            kept = op->fn.filter_batch(&v, 1, op->ctx, &err);
            if (err != NULL) {
                fail_at(f, j, err);
                return PUSH_ENDED;
            }
            if (kept == 0) {
                goto dropped;
            }
            break;
        }
        default: {
            int r = op->ops->step(op, &v, &err);
            if (RX__LIKELY(r == RX__F_PASS)) {
                break;
            }
            if (r == RX__F_DROP) {
                goto dropped;
            }
            if (r == RX__F_LAST) {
                last = j;
                break;
            }
            if (r == RX__F_STOP) {
                finish_at(f, j);
                return PUSH_ENDED;
            }
            fail_at(f, j, err);
            return PUSH_ENDED;
        }
        }
    }
    res = deliver(f, v) ? PUSH_USED : PUSH_DROPPED;
dropped:
    if (last != SIZE_MAX && !f->done) {
        finish_at(f, last);
        return PUSH_ENDED;
    }
    return res;
}

/* ---- batches ---------------------------------------------------------- */

/* Keeps the first n items of a batch of `len`, releasing the rest. */
static void
truncate_batch(rx_value *vals, size_t *len, size_t n)
{
    for (size_t i = n; i < *len; i++) {
        rx_value_release(vals[i]);
    }
    *len = n;
}

/* Runs every operation over vals[0..*n), compacting in place. Returns 0,
 * or with *stop_op set, the index of an operation that ended the stream
 * after the surviving items (*err set for a failure, NULL for a normal
 * end). */
static int
run_batch(struct fused *f, rx_value *vals, size_t *n, size_t *stop_op,
          rx_error **stop_err, bool *heap)
{
    bool stopped = false;

    for (size_t j = 0; j < f->nops; j++) {
        struct rx__fop *op = &f->ops[j];
        rx_error *err = NULL;
        size_t out = 0;
        size_t i;

        switch (op->kind) {
        case RX__FOP_MAP_BATCH:
            if (*heap && !batch_input_ok(f, j, vals, *n)) {
                truncate_batch(vals, n, 0);
                return -1;
            }
            op->fn.map_batch(vals, *n, op->ctx, &err);
            if (err != NULL) {
                truncate_batch(vals, n, 0);
                fail_at(f, j, err);
                return -1;
            }
#ifndef NDEBUG
            /* A kernel must write scalars. Like the missing-retain check,
             * this contract check runs in debug builds; release builds
             * trust the kernel, as they trust every user function. */
            if (!batch_input_ok(f, j, vals, *n)) {
                /* Heap values the kernel made are new references: ours to
                 * release. */
                truncate_batch(vals, n, 0);
                return -1;
            }
#endif
            continue;
        case RX__FOP_FILTER_BATCH:
            if (*heap && !batch_input_ok(f, j, vals, *n)) {
                truncate_batch(vals, n, 0);
                return -1;
            }
            out = op->fn.filter_batch(vals, *n, op->ctx, &err);
            if (err != NULL || out > *n) {
                *n = 0;
                if (err == NULL) {
                    err = rx__error_at(&op->obs->site, RX_EINVAL,
                                       "%s: kernel kept more items than it "
                                       "was given",
                                       op->obs->site.name);
                }
                fail_at(f, j, err);
                return -1;
            }
            *n = out;
            continue;
        default:
            break;
        }
        /* Per-item operations, compacting survivors to the front. */
        for (i = 0; i < *n; i++) {
            rx_value v = vals[i];
            int r = RX__F_PASS;
            if (op->kind == RX__FOP_MAP) {
                rx_value nv = op->fn.map(v, op->ctx, &err);
                rx_value_release(v);
                v = nv;
                *heap |= RX_VALUE_IS_HEAP(v);
                if (err != NULL || v.type == RX_TYPE_INVALID) {
                    rx_value_release(v);
                    if (err == NULL) {
                        err = rx__error_at(&op->obs->site, RX_ENOMEM,
                                           "%s: out of memory",
                                           op->obs->site.name);
                    }
                    r = RX__F_ERROR;
                }
            } else if (op->kind == RX__FOP_FILTER) {
                bool keep = op->fn.pred(v, op->ctx, &err);
                if (err != NULL) {
                    rx_value_release(v);
                    r = RX__F_ERROR;
                } else if (!keep) {
                    rx_value_release(v);
                    r = RX__F_DROP;
                }
            } else {
                r = op->ops->step(op, &v, &err);
            }
            if (r == RX__F_PASS || r == RX__F_LAST) {
                vals[out++] = v;
            }
            if (r == RX__F_LAST || r == RX__F_STOP || r == RX__F_ERROR) {
                /* Items after this one never reach this operation. */
                for (size_t k = i + 1; k < *n; k++) {
                    rx_value_release(vals[k]);
                }
                if (stopped) {
                    rx_error_release(*stop_err);
                }
                stopped = true;
                *stop_op = j;
                *stop_err = r == RX__F_ERROR ? err : NULL;
                break;
            }
        }
        *n = out;
    }
    return stopped ? 1 : 0;
}

/* Delivers a batch downstream; returns how many items used demand. */
static int64_t
deliver_batch(struct fused *f, rx_value *vals, size_t n, bool heap)
{
    int64_t used = 0;

    if (!heap && n > 0 && rx__stage_wants_batch(f->base.down)) {
        f->base.down->ops->on_next_batch(f->base.down, vals, n);
        return (int64_t)n;
    }
    for (size_t i = 0; i < n; i++) {
        if (f->d.cancelled && !f->done) {
            rx_value_release(vals[i]);
            continue;
        }
        used += deliver(f, vals[i]);
    }
    return used;
}

/* ---- driving an iterable source --------------------------------------- */

static bool
iter_exhausted(const struct fused *f)
{
    return f->it.kind == RX__ITER_RANGE ? f->pos >= f->it.end
                                        : f->pos >= (int64_t)f->it.n;
}

static rx_value
iter_next(struct fused *f)
{
    if (f->it.kind == RX__ITER_RANGE) {
        return rx_int(f->pos++);
    }
    return rx_value_retain(f->it.vals[f->pos++]);
}

static void
source_complete(struct fused *f)
{
    end_stream(f);
    complete_from(f, 0);
}

static bool slow_pass(struct fused *f);

/* The coverage build (UVRX_COVERAGE_TEST) makes fast_pass() an ordinary
 * function, so gcov counts each of its branches once rather than once per
 * shape instantiation below. */
#if defined(UVRX_COVERAGE_TEST)
#define FAST_PASS_INLINE static
#else
#define FAST_PASS_INLINE static inline __attribute__((always_inline))
#endif

/* The fast path of rule 8: unbounded demand, only plain maps and filters,
 * the observer right below. No demand accounting and no per-item stage
 * call: the user functions and the observer are called straight from
 * this loop, and the cross-thread cancel flag is polled once per 1,024
 * items.
 *
 * It is written once and instantiated per shape: `is_range`, `shape_n`
 * (the number of operations, or -1 for "read it from f") and
 * `shape_maps` (bit j set when operation j is a map) are constants at
 * each call site, so for the common short chains the compiler unrolls the
 * operation loop and the per-item code is the user's calls and little
 * else. */
FAST_PASS_INLINE bool
fast_pass(struct fused *f, bool is_range, int shape_n, unsigned shape_maps)
{
    rx__pipeline *p = f->base.pipe;
    const struct rx__fop *ops = f->ops;
    const int nops = shape_n >= 0 ? shape_n : (int)f->nops;
    void (*on_next)(rx_value, void *) = p->observer.on_next;
    void *octx = p->observer.ctx;
    int64_t pos = f->pos;
    int64_t end = is_range ? f->it.end : (int64_t)f->it.n;

    if (on_next == NULL) {
        return slow_pass(f);
    }
    while (pos < end) {
        int64_t chunk =
            end - pos > RX__POLL_MASK ? pos + RX__POLL_MASK + 1 : end;
        for (; pos < chunk; pos++) {
            rx_value v =
                is_range ? rx_int(pos) : rx_value_retain(f->it.vals[pos]);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
            for (int j = 0; j < nops; j++) {
                const struct rx__fop *op = &ops[j];
                bool is_map = shape_n >= 0 ? ((shape_maps >> j) & 1u) != 0
                                           : op->kind == RX__FOP_MAP;
                /* The first operation over a range sees ints: nothing to
                 * release, and the old item need not outlive the call. */
                bool scalar_in = is_range && j == 0;
                rx_error *err = NULL;
                if (is_map) {
#ifndef NDEBUG
                    long before = rx__value_refs(v);
                    rx_value nv = op->fn.map(v, op->ctx, &err);
                    check_retain(op, v, before, &nv);
#else
                    rx_value nv = op->fn.map(v, op->ctx, &err);
#endif
                    if (!scalar_in) {
                        rx_value_release(v);
                    }
                    v = nv;
                    if (RX__UNLIKELY(err != NULL ||
                                     v.type == RX_TYPE_INVALID)) {
                        rx_value_release(v);
                        f->pos = pos + 1;
                        fail_at(f, (size_t)j, err);
                        return false;
                    }
                } else {
                    bool keep = op->fn.pred(v, op->ctx, &err);
                    if (RX__UNLIKELY(err != NULL)) {
                        rx_value_release(v);
                        f->pos = pos + 1;
                        fail_at(f, (size_t)j, err);
                        return false;
                    }
                    if (!keep) {
                        goto dropped;
                    }
                }
            }
            /* No check before the call: a cancel (also the one a
             * request(0) makes) reaches this stage's flag at once, and
             * that flag is read after every call below. */
            on_next(v, octx);
        dropped:
            rx_value_release(v);
            if (RX__UNLIKELY(f->d.cancelled)) {
                f->pos = pos + 1;
                return false;
            }
        }
        if (RX__UNLIKELY(
                atomic_load_explicit(&p->cancel_req, memory_order_relaxed))) {
            f->pos = pos;
            rx__pipeline_cancel(p);
            return false;
        }
    }
    f->pos = pos;
    source_complete(f);
    return false;
}

/* Picks the instantiation of fast_pass() for this chain's shape. */
static bool
fast_dispatch(struct fused *f)
{
    unsigned maps = 0;
    bool range = f->it.kind == RX__ITER_RANGE;

    for (size_t j = 0; j < f->nops && j < 8; j++) {
        maps |= (unsigned)(f->ops[j].kind == RX__FOP_MAP) << j;
    }
#define RX__SHAPE(n, m)                                                        \
    (range ? fast_pass(f, true, (n), (m)) : fast_pass(f, false, (n), (m)))
    switch (f->nops) {
    case 0:
        return RX__SHAPE(0, 0u);
    case 1:
        return maps == 1u ? RX__SHAPE(1, 1u) : RX__SHAPE(1, 0u);
    case 2:
        switch (maps) {
        case 0u:
            return RX__SHAPE(2, 0u);
        case 1u:
            return RX__SHAPE(2, 1u);
        case 2u:
            return RX__SHAPE(2, 2u);
        default:
            return RX__SHAPE(2, 3u);
        }
    default:
        return RX__SHAPE(-1, 0u);
    }
#undef RX__SHAPE
}

/* One drain pass, item by item. */
static bool
iter_pass(void *self)
{
    struct fused *f = self;

    if (f->simple && f->sink_direct && f->d.requested == RX_UNBOUNDED) {
        return fast_dispatch(f);
    }
    return slow_pass(f);
}

/* One drain pass, item by item, counting demand. */
static bool
slow_pass(struct fused *f)
{
    rx__pipeline *pipe = f->base.pipe;
    int64_t r = f->d.requested;
    int64_t emitted = 0;
    unsigned polls = 0;

    for (;;) {
        int res;
        if (iter_exhausted(f)) {
            source_complete(f);
            return false;
        }
        if (emitted >= r) {
            break;
        }
        res = push_one(f, iter_next(f));
        if (res == PUSH_ENDED) {
            return false;
        }
        emitted += res;
        if (RX__UNLIKELY(f->d.cancelled)) {
            return false;
        }
        if (RX__UNLIKELY((++polls & RX__POLL_MASK) == 0) &&
            rx__pipeline_poll(pipe)) {
            return false;
        }
    }
    f->d.requested = rx__demand_sub(f->d.requested, emitted);
    return f->d.requested > 0;
}

/* Copies up to `want` items from the source into the scratch array, in
 * a loop with no aliasing worries: the source position is a local. */
static size_t
fill_batch(struct fused *f, size_t want)
{
    rx_value *buf = f->scratch;
    int64_t pos = f->pos;
    int64_t end = f->it.kind == RX__ITER_RANGE ? f->it.end : (int64_t)f->it.n;
    size_t n = (int64_t)want < end - pos ? want : (size_t)(end - pos);

    if (f->it.kind == RX__ITER_RANGE) {
        rx__fill_ints(buf, pos, n);
    } else {
        for (size_t k = 0; k < n; k++) {
            buf[k] = f->it.vals[pos + (int64_t)k]; /* scalars: no retain */
        }
    }
    f->pos = pos + (int64_t)n;
    return n;
}

/* One drain pass in batch mode. */
static bool
iter_batch_pass(void *self)
{
    struct fused *f = self;
    int64_t r = f->d.requested;
    int64_t emitted = 0;

    for (;;) {
        size_t n = 0;
        size_t stop_op = 0;
        rx_error *stop_err = NULL;
        int stopped;
        int64_t want;
        bool heap;

        if (iter_exhausted(f)) {
            source_complete(f);
            return false;
        }
        if (emitted >= r) {
            break;
        }
        want = r == RX_UNBOUNDED || r - emitted > RX__BATCH ? RX__BATCH
                                                            : r - emitted;
        n = fill_batch(f, (size_t)want);
        heap = false; /* batch mode runs only on sources of scalars */
        stopped = run_batch(f, f->scratch, &n, &stop_op, &stop_err, &heap);
        if (stopped < 0) {
            return false; /* the failing op already signalled */
        }
        emitted += deliver_batch(f, f->scratch, n, heap);
        if (stopped > 0) {
            if (f->done) {
                rx_error_release(stop_err);
            } else if (stop_err != NULL) {
                fail_at(f, stop_op, stop_err);
            } else {
                finish_at(f, stop_op);
            }
            return false;
        }
        if (f->d.cancelled || rx__pipeline_poll(f->base.pipe)) {
            return false;
        }
    }
    f->d.requested = rx__demand_sub(f->d.requested, emitted);
    return f->d.requested > 0;
}

static void
iter_drain(struct fused *f)
{
    rx__drain(&f->d, f->batch ? iter_batch_pass : iter_pass, f);
}

/* ---- stage handlers --------------------------------------------------- */

static bool
fused_on_next(rx__stage *self, rx_value v)
{
    struct fused *f = (struct fused *)self;

    if (f->done) {
        return false;
    }
    return push_one(f, rx_value_retain(v)) == PUSH_USED;
}

static void
fused_on_error(rx__stage *self, const rx_error *err)
{
    struct fused *f = (struct fused *)self;

    if (f->done) {
        rx__undeliverable(err);
        return;
    }
    f->done = true;
    f->d.cancelled = true;
    error_hooks(f, 0, err);
    rx__emit_error(self, err);
}

static void
fused_on_complete(rx__stage *self)
{
    struct fused *f = (struct fused *)self;

    if (f->done) {
        return;
    }
    f->done = true;
    f->d.cancelled = true;
    complete_from(f, 0);
}

static void
fused_request(rx__stage *self, int64_t n)
{
    struct fused *f = (struct fused *)self;

    if (f->done) {
        return;
    }
    /* Operations nearest the subscriber see the request first. */
    for (size_t i = f->nops; i-- > 0 && n > 0;) {
        struct rx__fop *op = &f->ops[i];
        if (op->ops != NULL && op->ops->on_request != NULL) {
            n = op->ops->on_request(op, n);
        }
    }
    if (n <= 0) {
        return;
    }
    if (f->has_iter) {
        if (rx__demand_request(&f->d, n)) {
            iter_drain(f);
        }
    } else {
        rx__request_up(self, n);
    }
}

static void
fused_cancel(rx__stage *self)
{
    struct fused *f = (struct fused *)self;

    if (!f->d.cancelled) {
        f->d.cancelled = true;
        cancel_hooks(f, 0, f->nops);
    }
    /* Nothing may go downstream after a cancel: an upstream that keeps
     * signalling (a broken source) is ignored from here on, and no user
     * function runs for it. */
    f->done = true;
    if (!f->has_iter) {
        rx__cancel_up(self);
    }
}

static void
fused_start(rx__stage *self)
{
    struct fused *f = (struct fused *)self;

    for (size_t j = 0; j < f->nops; j++) {
        struct rx__fop *op = &f->ops[j];
        if (op->ops != NULL && op->ops->start != NULL &&
            op->ops->start(op) == RX__F_STOP) {
            /* take(0): the upstream is never started. */
            finish_at(f, j);
            return;
        }
    }
    f->d.started = true;
    if (f->has_iter) {
        iter_drain(f);
    } else {
        rx__stage_start(self->up);
    }
}

static void
fused_teardown(rx__stage *self)
{
    struct fused *f = (struct fused *)self;

    for (size_t j = 0; j < f->nops; j++) {
        struct rx__fop *op = &f->ops[j];
        if (op->ops != NULL && op->ops->teardown != NULL) {
            op->ops->teardown(op);
        }
    }
    rx__free(f->scratch);
}

static const struct rx__stage_ops fused_ops = {
    .on_next = fused_on_next,
    .on_error = fused_on_error,
    .on_complete = fused_on_complete,
    .request = fused_request,
    .cancel = fused_cancel,
    .start = fused_start,
    .teardown = fused_teardown,
};

/* ---- assembly --------------------------------------------------------- */

static bool
run_member(const rx_observable *o)
{
    return o->ops->fuse != NULL || o->ops->transparent;
}

int
rx__fused_assemble(rx_observable *obs, rx__pipeline *pipe, rx__stage *down,
                   rx__stage **out)
{
    struct fused *f;
    rx_observable *o;
    size_t k = 0;
    size_t i;
    bool batch_ops = false;

    for (o = obs; o != NULL && run_member(o); o = o->src) {
        k += o->ops->fuse != NULL;
    }
    f = rx__stage_new(pipe, &fused_ops, sizeof *f + k * sizeof f->ops[0], obs,
                      down);
    if (f == NULL) {
        return RX_ENOMEM;
    }
    *out = &f->base;
    f->nops = k;
    i = k;
    for (o = obs; o != NULL && run_member(o); o = o->src) {
        if (o->ops->fuse != NULL) {
            struct rx__fop *op = &f->ops[--i];
            op->obs = o;
            op->val = rx_nil();
            o->ops->fuse(o, op);
            batch_ops |= op->kind == RX__FOP_MAP_BATCH ||
                         op->kind == RX__FOP_FILTER_BATCH;
        }
    }
    f->sink_direct = down->ops == &rx__sink_ops;
    f->simple = true;
    for (i = 0; i < k; i++) {
        f->simple &=
            f->ops[i].kind == RX__FOP_MAP || f->ops[i].kind == RX__FOP_FILTER;
    }
    if (o == NULL) {
        return 0; /* cannot happen: fusable kinds always have a source */
    }
    if (o->ops->iterate == NULL) {
        return rx__assemble(o, pipe, &f->base, &f->base.up);
    }
    o->ops->iterate(o, &f->it);
    f->has_iter = true;
    f->pos = f->it.kind == RX__ITER_RANGE ? f->it.start : 0;
    f->batch = (batch_ops || rx__stage_wants_batch(down)) &&
               (f->it.kind == RX__ITER_RANGE || f->it.scalars);
    if (f->batch) {
        f->scratch = rx__malloc(RX__BATCH * sizeof *f->scratch);
        if (f->scratch == NULL) {
            rx__set_last_error(RX_ENOMEM, "%s: out of memory", obs->site.name);
            return RX_ENOMEM;
        }
    }
    return 0;
}
