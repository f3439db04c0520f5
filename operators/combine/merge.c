/* SPDX-License-Identifier: MIT */
/*
 * merge, merge_array, flat_map and concat_map: run several inner sources
 * at once and interleave their items.
 *
 * One engine serves all four. Inner sources come either from a fixed
 * array (merge) or from a user function applied to each upstream item
 * (flat_map). Each running inner has a small receiver stage of its own,
 * allocated per inner and linked into a doubly linked list of active
 * inners, so adding and removing one is O(1) with no copying. The inner's
 * own stages hang below the receiver (receiver->up) and are freed with
 * it.
 *
 * Demand. Downstream demand is shared: an item is emitted straight away
 * when there is demand and no drain is running, else it waits in its
 * inner's queue and the drain loop hands queued items out round-robin.
 * Each inner is asked for `prefetch` items and topped up by
 * prefetch - prefetch/4 once that many were emitted, as RxJava does.
 * With max_concurrent set, the upstream is asked for that many items and
 * one more each time an inner finishes.
 *
 * Errors. The first error cancels everything and goes downstream; with
 * delay_error the first error waits until every source has finished. An
 * error that arrives after the terminal signal goes to the undeliverable
 * handler: downstream sees exactly one on_error.
 *
 * Iterable inners. An inner that is a plain iterable (rx_range,
 * rx_from_values, rx_just) is not subscribed: with demand and nothing
 * queued its items go straight downstream from a loop over the values
 * (RxJava's scalar and synchronous-fusion paths), with no allocation;
 * what demand does not cover waits in a receiver without stages whose
 * queue is the iterator itself.
 *
 * Timer inners. A one-shot rx_timer inner gets no timer stage either: its
 * receiver embeds the timer's scheduler task (rx__timer_arm) and takes
 * the item and the completion when it runs. Merge always has demand for
 * the one item, so the timer cannot fail with RX_EBACKPRESSURE; an item
 * downstream has no demand for waits in the receiver's queue. This keeps
 * a pending timer at one allocation besides its observable (W6).
 *
 * Threads. An inner that signals on another thread is marked async when
 * it starts (rx__input_here): it arrives through an observe_on ring on
 * the merge's own thread (docs/design/async-inputs.md).
 */
#include <stddef.h>

#include "fusion.h"
#include "rx-internal.h"
#include "rx-sched.h"

struct merge_obs {
    rx_observable base; /* base.src: the upstream of flat_map, or NULL */
    rx_flat_map_fn fn;
    void *ctx;
    int64_t max_concurrent; /* RX_UNBOUNDED: no limit */
    int64_t prefetch;
    bool delay_error;
    size_t n; /* merge: the sources */
    rx_observable *srcs[];
};

struct merge_stage;

struct inner {
    rx__stage base; /* base.up: the inner source's chain */
    struct merge_stage *m;
    /* A subscribed inner queues what demand does not cover in `q`; an
     * iterable inner has no stages and its queue is the iterator: items
     * pos .. len - 1 of `it` (base.obs keeps the values alive). */
    /* A pending timer inner (`timer`) has no stages either: `task` is
     * its rx_timer's scheduler task; once it ran the bytes become an
     * empty `q` (start_timer()). */
    union {
        rx__vqueue q;
        struct {
            int64_t start;        /* a range: its first value */
            const rx_value *vals; /* values: borrowed from base.obs */
            uint64_t pos;
            uint64_t len;
        } src;
        rx__task task;
    } u;
    int64_t consumed;   /* items emitted since the last top-up */
    int busy;           /* calls into the inner chain on the stack */
    bool iterable : 1;  /* `u.src` is the queue; no stages */
    bool timer : 1;     /* `u.task` is scheduled; no stages */
    bool done : 1;      /* the inner completed */
    bool ready : 1;     /* on the ready list (has queued items) */
    bool finished : 1;  /* on the finished list (done, queue empty) */
    struct inner *prev; /* the list of running inners */
    struct inner *next;
    /* An inner with queued items is not finished: the two lists never
     * hold the same inner. */
    union {
        struct inner *ready_next;    /* the ready list, FIFO */
        struct inner *finished_next; /* the finished list */
    } link;
};

struct merge_stage {
    rx__stage base;     /* base.up: the upstream (flat_map) or NULL */
    int64_t requested;  /* downstream demand */
    struct inner *head; /* running inners */
    struct inner *tail;
    struct inner *ready_head; /* inners with queued items, FIFO */
    struct inner *ready_tail;
    struct inner *finished; /* inners done and empty, to drop */
    size_t active;
    size_t next_src;    /* merge: sources started so far */
    int wip;            /* drain passes owed; > 0 while one runs */
    bool starting;      /* start_pending() is on the stack */
    bool upstream_done; /* no more inner sources will come */
    bool done;          /* terminal sent or cancelled */
    bool started;
    bool outer_iter; /* flat_map reads its iterable upstream itself */
    /* Demand is unbounded, the observer (with on_next or on_next_batch)
     * is right below and the stream has not ended (!done): set by
     * merge_request(), the only place demand grows (unbounded demand
     * stays unbounded, the observer and the stage below are fixed at
     * assembly), cleared with every `done = true`. */
    bool direct;
    bool batch;   /* with `direct`: the observer takes batches */
    bool limited; /* max_concurrent is set (slot_freed() asks for more) */
    /* Items (and flat_map's upstream values) left until the next poll for
     * a cancel from another thread, shared by every loop of the stage
     * that emits on the spot, so a poll comes at least every 1,024 items
     * however they are split into inners (merge_poll()). */
    int64_t poll_left;
    rx_error *delayed; /* first error, with delay_error */
};

static const struct merge_obs *
params(const struct merge_stage *m)
{
    return (const struct merge_obs *)m->base.obs;
}

static void merge_drain(struct merge_stage *m);

/* Counts `n` items (or upstream values) toward the next cross-thread
 * cancel poll, polling when they use up the countdown. Returns true when
 * the pipeline was found cancelled (then `done` is set). */
static inline bool
merge_poll(struct merge_stage *m, int64_t n)
{
    m->poll_left -= n;
    if (RX__LIKELY(m->poll_left > 0)) {
        return false;
    }
    m->poll_left = 1024;
    return rx__pipeline_poll(m->base.pipe);
}

/* ---- inners ----------------------------------------------------------- */

static uint64_t
iter_len(const struct rx__iter *it)
{
    if (it->kind == RX__ITER_RANGE) {
        return it->end > it->start ? (uint64_t)it->end - (uint64_t)it->start
                                   : 0;
    }
    return it->n;
}

/* Item i of an iterable; borrowed. */
static rx_value
iter_at(const struct rx__iter *it, uint64_t i)
{
    if (it->kind == RX__ITER_RANGE) {
        return rx_int(it->start + (int64_t)i);
    }
    return it->vals[i];
}

static bool
has_items(const struct inner *in)
{
    return in->iterable ? in->u.src.pos < in->u.src.len : in->u.q.len > 0;
}

/* Takes the next queued item; a new reference. */
static rx_value
take_item(struct inner *in)
{
    if (in->iterable) {
        uint64_t i = in->u.src.pos++;
        return in->u.src.vals != NULL ? rx_value_retain(in->u.src.vals[i])
                                      : rx_int(in->u.src.start + (int64_t)i);
    }
    return rx__vqueue_pop(&in->u.q);
}

static void
unlink_inner(struct merge_stage *m, struct inner *in)
{
    if (in->prev != NULL) {
        in->prev->next = in->next;
    } else {
        m->head = in->next;
    }
    if (in->next != NULL) {
        in->next->prev = in->prev;
    } else {
        m->tail = in->prev;
    }
    in->prev = in->next = NULL;
    in->m = NULL;
    m->active--;
}

/* The ready list holds inners with queued items in the order they got
 * them, and the finished list the inners that completed with an empty
 * queue, so a drain pass touches only inners with work: O(1) per item
 * and per inner, however many inners run. */
static void
make_ready(struct merge_stage *m, struct inner *in)
{
    if (in->ready) {
        return;
    }
    in->ready = true;
    in->link.ready_next = NULL;
    if (m->ready_tail != NULL) {
        m->ready_tail->link.ready_next = in;
    } else {
        m->ready_head = in;
    }
    m->ready_tail = in;
}

static void
mark_if_finished(struct merge_stage *m, struct inner *in)
{
    if (in->done && !has_items(in) && !in->finished && !in->ready) {
        in->finished = true;
        in->link.finished_next = m->finished;
        m->finished = in;
    }
}

/* Drops a finished or cancelled inner: freed now when none of its calls
 * is on the stack, else when the outermost frame exits. */
static void
drop_inner(struct merge_stage *m, struct inner *in)
{
    unlink_inner(m, in);
    if (in->timer) {
        in->timer = false;
        rx__unschedule(&in->u.task);
        memset(&in->u, 0, sizeof in->u);
    } else if (!in->iterable) {
        rx__vqueue_clear(&in->u.q);
    }
    if (in->busy > 0) {
        rx__stage_retire_chain(&in->base);
    } else {
        rx__stage_free_chain(&in->base);
    }
}

static void
cancel_all(struct merge_stage *m)
{
    m->done = true;
    m->direct = false;
    m->ready_head = m->ready_tail = NULL;
    m->finished = NULL;
    /* The inners first: an upstream that ends the observables it gave out
     * when it is cancelled (window_time, group_by) then finds nobody
     * subscribed to them, instead of an error arriving after the end. */
    while (m->head != NULL) {
        struct inner *in = m->head;
        in->busy++;
        rx__cancel_up(&in->base);
        in->busy--;
        drop_inner(m, in);
    }
    rx__cancel_up(&m->base);
}

/* Fails the stream with err (taken): the first failure wins. */
static void
fail(struct merge_stage *m, rx_error *err)
{
    if (m->done) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    cancel_all(m);
    rx_error_release(m->delayed);
    m->delayed = NULL;
    rx__emit_new_error(&m->base, err);
}

static void
top_up(struct inner *in)
{
    const struct merge_obs *o = params(in->m);
    int64_t limit = o->prefetch - o->prefetch / 4;

    if (in->iterable || o->prefetch == RX_UNBOUNDED || ++in->consumed < limit) {
        return;
    }
    in->consumed = 0;
    in->busy++;
    rx__request_up(&in->base, limit);
    in->busy--;
}

static bool
inner_on_next(rx__stage *self, rx_value v)
{
    struct inner *in = (struct inner *)self;
    struct merge_stage *m = in->m;

    if (m == NULL || m->done) {
        return false;
    }
    in->busy++;
    if (m->wip == 0 && m->requested > 0 && in->u.q.len == 0) {
        /* The fast path: nothing queued here and demand available. */
        m->wip = 1;
        if (rx__emit_next(&m->base, v)) {
            /* Only an item the stage below kept uses its demand. */
            m->requested = rx__demand_sub(m->requested, 1);
        }
        if (in->m != NULL) {
            top_up(in);
        }
        if (--m->wip > 0) {
            m->wip = 0;
            merge_drain(m);
        }
    } else if (rx__vqueue_push(&in->u.q, rx_value_retain(v)) != 0) {
        /* Still busy: fail() drops this inner, whose caller is running. */
        fail(m, rx__error_at(rx__stage_site(&m->base), RX_ENOMEM,
                             "%s: out of memory queueing an item",
                             rx__stage_site(&m->base)->name));
        in->busy--;
        return true;
    } else {
        make_ready(m, in);
        merge_drain(m);
    }
    in->busy--;
    return true;
}

static void
inner_on_error(rx__stage *self, const rx_error *err)
{
    struct inner *in = (struct inner *)self;
    struct merge_stage *m = in->m;

    if (m == NULL || m->done) {
        rx__undeliverable(err);
        return;
    }
    if (!params(m)->delay_error) {
        in->busy++;
        fail(m, rx_error_retain(err));
        in->busy--;
        return;
    }
    if (m->delayed == NULL) {
        m->delayed = rx_error_retain(err);
    } else {
        rx__undeliverable(err);
    }
    in->done = true;
    mark_if_finished(m, in);
    in->busy++;
    merge_drain(m);
    in->busy--;
}

static void
inner_on_complete(rx__stage *self)
{
    struct inner *in = (struct inner *)self;

    if (in->m == NULL) {
        return;
    }
    in->done = true;
    mark_if_finished(in->m, in);
    in->busy++;
    merge_drain(in->m);
    in->busy--;
}

static void
inner_teardown(rx__stage *self)
{
    struct inner *in = (struct inner *)self;

    /* A pending timer inner is unscheduled when it is dropped: every way
     * to the teardown (terminal signal, cancel, dispose) drops it first. */
    if (RX__NEVER(in->timer)) {
        rx__unschedule(&in->u.task);
    } else if (!in->iterable) {
        rx__vqueue_clear(&in->u.q);
    }
}

static const struct rx__stage_ops inner_ops = {
    .on_next = inner_on_next,
    .on_error = inner_on_error,
    .on_complete = inner_on_complete,
    .teardown = inner_teardown,
};

static void
link_inner(struct merge_stage *m, struct inner *in)
{
    in->m = m;
    in->prev = m->tail;
    if (m->tail != NULL) {
        m->tail->next = in;
    } else {
        m->head = in;
    }
    m->tail = in;
    m->active++;
}

/* An inner that finished without being linked frees its slot. */
static void
slot_freed(struct merge_stage *m)
{
    if (m->limited && m->base.up != NULL && !m->upstream_done && !m->done) {
        rx__request_up(&m->base, 1);
    }
}

enum { RANGE_BATCH = 64 }; /* values per on_next_batch call, at most */

/* direct_range() (below) for an observer with on_next_batch: the values v ..
 * end - 1 in batches of up to RANGE_BATCH from a scratch array (DESIGN.md
 * section 6: the receiver may rewrite it during the call), `done` read
 * after every batch and the cross-thread cancel polled every 1,024
 * values. Returns the value it stopped at. */
RX__HOT_INLINE
static inline int64_t
direct_range_batch(struct merge_stage *m, int64_t v, int64_t end)
{
    void (*on_batch)(rx_value *, size_t, void *) =
        m->base.pipe->observer.on_next_batch;
    void *ctx = m->base.pipe->observer.ctx;
    rx_value buf[RANGE_BATCH];
    unsigned since_poll = 0;

    while (v < end) {
        size_t n = end - v < RANGE_BATCH ? (size_t)(end - v) : RANGE_BATCH;
        rx__fill_ints(buf, v, n);
        on_batch(buf, n, ctx);
        v += (int64_t)n;
        if (RX__UNLIKELY(m->done)) {
            break;
        }
        since_poll += (unsigned)n;
        if (since_poll >= 1024) {
            since_poll = 0;
            if (v < end && rx__pipeline_poll(m->base.pipe)) {
                break;
            }
        }
    }
    return v;
}

/* The items v .. end - 1 of a range for start_range() (demand unbounded,
 * the observer right below: the sink would only check that the pipeline
 * still runs, which merge's `done` flag tells): a plain loop over
 * the observer's on_next, the stage's own `done` flag (a cancel or
 * dispose from inside on_next reaches it at once) read after every call
 * and the cross-thread cancel polled between chunks of 1,024 items.
 * Returns the value it stopped at (`end` when every item went out). */
static inline int64_t
direct_range(struct merge_stage *m, int64_t v, int64_t end)
{
    void (*on_next)(rx_value, void *) = m->base.pipe->observer.on_next;
    void *ctx = m->base.pipe->observer.ctx;

    if (end - v <= 1024) { /* no poll: fewer registers */
        while (v < end) {
            on_next(rx_int(v), ctx);
            v++;
            if (RX__UNLIKELY(m->done)) {
                break;
            }
        }
        return v;
    }
    for (;;) {
        int64_t stop = end - v > 1024 ? v + 1024 : end;
        while (v < stop) {
            on_next(rx_int(v), ctx);
            v++;
            if (RX__UNLIKELY(m->done)) {
                return v;
            }
        }
        if (v == end || rx__pipeline_poll(m->base.pipe)) {
            return v;
        }
    }
}

/* Parks the values pos .. len - 1 of an iterable inner (`src` taken,
 * its values `it`) in a stageless receiver on the ready list. */
static void
park_iterable(struct merge_stage *m, rx_observable *src,
              const struct rx__iter *it, uint64_t len, uint64_t pos)
{
    struct inner *in;

    in = rx__stage_new(m->base.pipe, &inner_ops, sizeof *in, src, NULL);
    rx_observable_release(src); /* the receiver keeps the values */
    if (in == NULL) {
        fail(m, rx__error_at(rx__stage_site(&m->base), RX_ENOMEM,
                             "%s: out of memory starting an inner source",
                             rx__stage_site(&m->base)->name));
        return;
    }
    in->iterable = true;
    if (it->kind == RX__ITER_RANGE) {
        in->u.src.start = it->start;
    } else {
        in->u.src.vals = it->vals;
    }
    in->u.src.pos = pos;
    in->u.src.len = len;
    in->done = true; /* nothing more will come than the values */
    link_inner(m, in);
    make_ready(m, in);
}

/* An iterable inner (`src` taken, its values `it`) emitted on the spot
 * (wip set to 1 by the caller, no other inner with items waiting), the
 * first `pos` of its `len` values already out: emits what demand allows
 * of the rest, then drops it or parks what is left. */
static void
iterable_rest(struct merge_stage *m, rx_observable *src,
              const struct rx__iter *it, uint64_t len, uint64_t pos)
{
    while (pos < len && m->requested > 0 && !m->done) {
        if (rx__emit_next(&m->base, iter_at(it, pos))) {
            m->requested = rx__demand_sub(m->requested, 1);
        }
        pos++;
        if (merge_poll(m, 1)) {
            break;
        }
    }
    /* Passes asked for meanwhile are the caller's: it drains after
     * every start. */
    m->wip = 0;
    if (pos == len || m->done) {
        rx_observable_release(src);
        slot_freed(m);
        return;
    }
    park_iterable(m, src, it, len, pos);
}

/* An iterable inner (`src` taken): emits what demand allows straight
 * from the values when no other inner has items waiting and no drain
 * runs; keeps the rest in a stageless receiver on the ready list. */
static void
start_iterable(struct merge_stage *m, rx_observable *src)
{
    struct rx__iter it;
    uint64_t len;

    src->ops->iterate(src, &it);
    len = iter_len(&it);
    if (m->wip == 0 && m->ready_head == NULL) {
        /* (An rx_range that could go straight to the observer took
         * start_range() instead: only ranges iterate as RX__ITER_RANGE.) */
        m->wip = 1;
        iterable_rest(m, src, &it, len, 0);
        return;
    }
    park_iterable(m, src, &it, len, 0);
}

/* What start_range() and start_range_batch() do once the range `src`
 * (taken, values start .. end - 1) went out up to `v`. */
static inline void
range_finish(struct merge_stage *m, rx_observable *src, int64_t v)
{
    const struct rx__range_obs *r = (const struct rx__range_obs *)src;
    struct rx__iter it;

    if (RX__LIKELY(v == r->end || m->done)) {
        m->wip = 0;
        if (atomic_load_explicit(&src->refs, memory_order_acquire) == 1) {
            rx__free_sized_fast(src, sizeof *r); /* as rx_observable_release */
        } else {
            rx_observable_release(src);
        }
        slot_freed(m);
        return;
    }
    /* Stopped early without `done` (the pipeline polled as cancelled):
     * the general path decides. */
    it = (struct rx__iter){
        .kind = RX__ITER_RANGE, .start = r->start, .end = r->end};
    iterable_rest(m, src, &it, (uint64_t)r->end - (uint64_t)r->start,
                  (uint64_t)v - (uint64_t)r->start);
}

/* start_inner() for an rx_range inner (`src` taken) when direct_now():
 * its items go straight to the observer's on_next; the range is freed
 * here unless someone else holds it (no destroy hook, no source, a known
 * size). Inlined: one prologue for the outer loop. */
RX__HOT_INLINE
static inline void
start_range(struct merge_stage *m, rx_observable *src)
{
    const struct rx__range_obs *r = (const struct rx__range_obs *)src;

    m->wip = 1;
    /* A short range polls before it, if its items use up the countdown
     * (a long one polls between its own chunks). */
    if (r->end - r->start <= 1024 && merge_poll(m, r->end - r->start)) {
        range_finish(m, src, r->start);
        return;
    }
    range_finish(m, src, direct_range(m, r->start, r->end));
}

/* start_range() for an observer with on_next_batch: out of line, so
 * that the scalar loop inlined beside it keeps its registers. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void
start_range_batch(struct merge_stage *m, rx_observable *src)
{
    const struct rx__range_obs *r = (const struct rx__range_obs *)src;

    m->wip = 1;
    if (r->end - r->start <= 1024 && merge_poll(m, r->end - r->start)) {
        range_finish(m, src, r->start);
        return;
    }
    range_finish(m, src, direct_range_batch(m, r->start, r->end));
}

/* A timer inner's task ran: the item and the completion arrive as from
 * a timer stage. The task's bytes become the inner's empty queue first
 * (the scheduler no longer uses them once the task runs). */
static void
timer_fired(rx__task *t)
{
    struct inner *in =
        (struct inner *)(void *)((char *)t - offsetof(struct inner, u.task));

    in->timer = false;
    memset(&in->u, 0, sizeof in->u);
    inner_on_next(&in->base, rx_int(0));
    inner_on_complete(&in->base);
}

/* A one-shot rx_timer inner (`src` taken): no timer stage, the receiver
 * runs the timer's task itself (its demand, prefetch >= 1, always covers
 * the one item). */
static void
start_timer(struct merge_stage *m, rx_observable *src)
{
    struct inner *in;
    rx_error *err;
    int rc;

    in = rx__stage_new(m->base.pipe, &inner_ops, sizeof *in, src, NULL);
    rx_observable_release(src); /* the receiver keeps the timer */
    if (in == NULL) {
        fail(m, rx__error_at(rx__stage_site(&m->base), RX_ENOMEM,
                             "%s: out of memory starting an inner source",
                             rx__stage_site(&m->base)->name));
        return;
    }
    link_inner(m, in);
    rx__task_init(&in->u.task, m->base.pipe, timer_fired);
    in->timer = true;
    rc = rx__timer_arm(&in->base, &in->u.task, &err);
    if (rc < 0 || err != NULL) {
        in->timer = false; /* not scheduled */
        memset(&in->u, 0, sizeof in->u);
    }
    if (rc < 0) {
        unlink_inner(m, in);
        rx__stage_free_chain(&in->base);
        fail(m, rx__error_at(rx__stage_site(&m->base), rc,
                             "%s: cannot start an inner source: %s",
                             rx__stage_site(&m->base)->name, rx_strerror(rc)));
    } else if (err != NULL) {
        inner_on_error(&in->base, err);
        rx_error_release(err);
    }
}

/* start_inner() but for a range that can go straight downstream. */
static void
start_inner_general(struct merge_stage *m, rx_observable *src)
{
    const struct merge_obs *o = params(m);
    struct inner *in;
    int rc;

    if (src->ops->iterate != NULL) {
        start_iterable(m, src);
        return;
    }
    if (rx__timer_is_oneshot(src)) {
        start_timer(m, src);
        return;
    }

    src = rx__input_here(m->base.pipe, src, o->prefetch,
                         rx__stage_site(&m->base));
    if (src == NULL) {
        fail(m, rx__error_at(rx__stage_site(&m->base), rx_last_error(), "%s",
                             rx_last_error_message()));
        return;
    }
    in = rx__stage_new(m->base.pipe, &inner_ops, sizeof *in, src, NULL);
    if (in == NULL) {
        rx_observable_release(src);
        fail(m, rx__error_at(rx__stage_site(&m->base), RX_ENOMEM,
                             "%s: out of memory starting an inner source",
                             rx__stage_site(&m->base)->name));
        return;
    }
    rc = rx__assemble(src, m->base.pipe, &in->base, &in->base.up);
    rx_observable_release(src); /* the stages keep what they run */
    if (rc < 0) {
        rx__stage_free_chain(&in->base);
        fail(m, rx__error_at(rx__stage_site(&m->base), rc,
                             "%s: cannot start an inner source: %s",
                             rx__stage_site(&m->base)->name, rx_strerror(rc)));
        return;
    }
    link_inner(m, in);
    in->busy++;
    rx__request_up(&in->base, o->prefetch);
    rx__stage_start(in->base.up);
    in->busy--;
}

/* Whether an inner that is a range may be emitted by start_range(): the
 * observer right below with unbounded demand, the stream running, no
 * inner with items waiting and no drain pass on the stack. */
static inline bool
direct_now(const struct merge_stage *m)
{
    return m->direct && m->wip == 0 && m->ready_head == NULL;
}

/* Builds, links and starts an inner for `src` (taken). */
static inline void
start_inner(struct merge_stage *m, rx_observable *src)
{
    if (src->ops == &rx__range_ops && direct_now(m)) {
        if (RX__UNLIKELY(m->batch)) {
            start_range_batch(m, src);
        } else {
            start_range(m, src);
        }
        return;
    }
    start_inner_general(m, src);
}

/* ---- the drain loop --------------------------------------------------- */

/* Emits queued items while there is demand; drops finished inners;
 * completes at the end. */
static void
drain_pass(struct merge_stage *m)
{
    const struct merge_obs *o = params(m);

    /* Like RxJava, each inner's queue is drained as far as demand allows
     * before the next inner's, in the order the inners got items. */
    while (!m->done && m->requested > 0 && m->ready_head != NULL) {
        struct inner *in = m->ready_head;
        in->busy++; /* a cancel from inside on_next must not free it here */
        while (has_items(in) && !m->done && m->requested > 0) {
            rx_value v = take_item(in);
            if (rx__emit_next(&m->base, v)) {
                m->requested = rx__demand_sub(m->requested, 1);
            }
            rx_value_release(v);
            if (in->m != NULL) {
                top_up(in);
            }
        }
        in->busy--;
        if (m->done || has_items(in)) {
            break; /* out of demand: this inner stays first */
        }
        m->ready_head = in->link.ready_next;
        if (m->ready_head == NULL) {
            m->ready_tail = NULL;
        }
        in->ready = false;
        mark_if_finished(m, in);
    }
    while (m->finished != NULL && !m->done) {
        struct inner *in = m->finished;
        m->finished = in->link.finished_next;
        drop_inner(m, in);
        if (o->max_concurrent != RX_UNBOUNDED && m->base.up != NULL &&
            !m->upstream_done) {
            rx__request_up(&m->base, 1);
        }
    }
    if (!m->done && m->upstream_done && m->active == 0 &&
        (o->fn != NULL || m->next_src == o->n)) {
        rx_error *err = m->delayed;
        m->done = true;
        m->direct = false;
        m->delayed = NULL;
        if (err != NULL) {
            rx__emit_new_error(&m->base, err);
        } else {
            rx__emit_complete(&m->base);
        }
    }
}

static bool
can_start(const struct merge_stage *m)
{
    const struct merge_obs *o = params(m);

    return !m->done && o->fn == NULL && m->next_src < o->n &&
           (o->max_concurrent == RX_UNBOUNDED ||
            (int64_t)m->active < o->max_concurrent);
}

static void
merge_drain(struct merge_stage *m)
{
    if (m->wip++ > 0 || !m->started) {
        if (!m->started) {
            m->wip--;
        }
        return;
    }
    do {
        m->wip = 1;
        drain_pass(m);
    } while (--m->wip > 0);
    /* merge: start the sources waiting for a slot. Outside the drain
     * pass, so a synchronous source takes the direct path and its items
     * go out before the next source starts, as in RxJava; a loop, not
     * recursion, when sources complete as they start. */
    if (m->starting || !can_start(m)) {
        return;
    }
    m->starting = true;
    while (can_start(m)) {
        const struct merge_obs *o = params(m);
        start_inner(m, rx_observable_retain(o->srcs[m->next_src++]));
        if (m->wip == 0) {
            m->wip = 1;
            do {
                drain_pass(m);
            } while (--m->wip > 0);
        }
    }
    m->starting = false;
    merge_drain(m); /* completion once the last source is in */
}

/* ---- the outer stage -------------------------------------------------- */

/* flat_map: what the user function returned for one upstream item --
 * `src` (taken) or the error `err` (taken) -- becomes an inner source or
 * fails the stream. */
RX__HOT_INLINE
static inline void
outer_result(struct merge_stage *m, rx_observable *src, rx_error *err)
{
    rx__stage *self = &m->base;

    if (err != NULL || src == NULL) {
        rx_observable_release(src);
        if (err == NULL) {
            /* NULL in, NULL out: the constructor that failed inside fn
             * left its reason in the last error. */
            int code = rx_last_error() < 0 ? rx_last_error() : RX_EINVAL;
            err = rx__error_at(rx__stage_site(self), code,
                               "%s: fn returned NULL: %s",
                               rx__stage_site(self)->name,
                               rx_last_error() < 0 ? rx_last_error_message()
                                                   : "no error given");
        }
        fail(m, err);
        return;
    }
    start_inner(m, src);
    /* A drain pass would find nothing to do when no inner has queued
     * items or is finished and the upstream has not completed (an
     * iterable inner drained on the spot leaves no trace): skip it. */
    if (m->ready_head != NULL || m->finished != NULL || m->upstream_done) {
        merge_drain(m);
    }
}

/* outer_result() out of line, for outer_ranges()'s rare cases. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void
outer_result_cold(struct merge_stage *m, rx_observable *src, rx_error *err)
{
    outer_result(m, src, err);
}

/* flat_map: one upstream item `v` (borrowed) becomes an inner source. */
RX__HOT_INLINE
static inline void
outer_item(struct merge_stage *m, rx_value v)
{
    const struct merge_obs *o = params(m);
    rx_error *err = NULL;
    rx_observable *src = o->fn(v, o->ctx, &err);

    outer_result(m, src, err);
}

static bool
merge_on_next(rx__stage *self, rx_value v)
{
    struct merge_stage *m = (struct merge_stage *)self;

    if (m->done) {
        return false;
    }
    outer_item(m, v);
    return true;
}

static void
merge_on_error(rx__stage *self, const rx_error *err)
{
    struct merge_stage *m = (struct merge_stage *)self;

    if (m->done) {
        rx__undeliverable(err);
        return;
    }
    if (params(m)->delay_error) {
        m->upstream_done = true;
        if (m->delayed == NULL) {
            m->delayed = rx_error_retain(err);
        } else {
            rx__undeliverable(err);
        }
        merge_drain(m);
        return;
    }
    fail(m, rx_error_retain(err));
}

static void
merge_on_complete(rx__stage *self)
{
    struct merge_stage *m = (struct merge_stage *)self;

    m->upstream_done = true;
    merge_drain(m);
}

static void
merge_request(rx__stage *self, int64_t n)
{
    struct merge_stage *m = (struct merge_stage *)self;

    m->requested = rx__demand_add(m->requested, n);
    m->direct = !m->done && m->requested == RX_UNBOUNDED &&
                (rx__observer_right_below(&m->base) ||
                 rx__observer_takes_batches_below(&m->base));
    m->batch = m->base.pipe->observer.on_next_batch != NULL;
    merge_drain(m);
}

static void
merge_cancel(rx__stage *self)
{
    struct merge_stage *m = (struct merge_stage *)self;

    if (!m->done) {
        cancel_all(m);
    } else {
        rx__cancel_up(self);
    }
}

/* W2's hot path, a part of outer_iterate(): the outer values v .. end - 1
 * of a range while the user function returns short rx_range inners and
 * each can go straight to the observer (direct_now()), through on_next
 * or, with `batch`, on_next_batch (the values of one inner in batches of
 * up to RANGE_BATCH, as direct_range_batch()). What direct_now() checks
 * is checked once on the way in: while this loop runs only a signal from
 * inside the user function or the observer can change it, so after each
 * call it reads `done` (a cancel or a dispose) and the lists a drain
 * would work on (an inner that queued items or finished meanwhile), and
 * leaves when one is set. The user function, the observer and the
 * countdown to the next cancel poll stay in registers. The countdown
 * counts outer values and emitted items (DESIGN.md section 2, rule 8: a
 * poll at least every 1,024 items): an inner (at most 1,024 values) that
 * would use it up is preceded by a poll, after the user function made it
 * and before its first item. Anything else -- another kind of inner, a
 * longer range, a NULL or an error from the function -- goes to
 * outer_result() and ends the loop. Returns the
 * next outer value to handle; the countdown is the stage's `poll_left`,
 * kept in a register here; `*stop` is set when a poll found the pipeline
 * cancelled. */
RX__HOT_INLINE
static inline int64_t
outer_ranges(struct merge_stage *m, int64_t v, int64_t end, bool *stop,
             bool batch)
{
    const struct merge_obs *o = params(m);
    rx_flat_map_fn fn = o->fn;
    void *ctx = o->ctx;
    void (*on_next)(rx_value, void *) = m->base.pipe->observer.on_next;
    void (*on_batch)(rx_value *, size_t, void *) =
        m->base.pipe->observer.on_next_batch;
    void *octx = m->base.pipe->observer.ctx;
    int64_t countdown = m->poll_left; /* back in m->poll_left on the way out */

    while (v < end) {
        rx_error *err = NULL;
        rx_observable *src;
        const struct rx__range_obs *r;
        int64_t i;
        int64_t stop_at;
        int64_t len;

        src = fn(rx_int(v), ctx, &err);
        v++;
        r = (const struct rx__range_obs *)src;
        if (RX__UNLIKELY(err != NULL || src == NULL ||
                         src->ops != &rx__range_ops)) {
            m->poll_left = countdown;
            outer_result_cold(m, src, err);
            countdown = m->poll_left;
            break;
        }
        stop_at = r->end;
        len = stop_at - r->start;
        if (RX__UNLIKELY(len > 1024 || m->done || m->ready_head != NULL)) {
            /* (fn itself may have disposed the stream or fed an inner) */
            m->poll_left = countdown;
            outer_result_cold(m, src, err);
            countdown = m->poll_left;
            break;
        }
        /* This outer value and its items: a poll first when they use up
         * the countdown. */
        countdown -= len + 1;
        if (RX__UNLIKELY(countdown < 0)) {
            countdown = 1024 - len; /* the items up to the next poll */
            if (rx__pipeline_poll(m->base.pipe)) {
                rx_observable_release(src);
                *stop = true;
                break;
            }
        }
        m->wip = 1;
        if (batch) {
            rx_value buf[RANGE_BATCH];
            for (i = r->start; i < stop_at;) {
                size_t n = stop_at - i < RANGE_BATCH ? (size_t)(stop_at - i)
                                                     : RANGE_BATCH;
                rx__fill_ints(buf, i, n);
                on_batch(buf, n, octx);
                i += (int64_t)n;
                if (RX__UNLIKELY(m->done)) {
                    break;
                }
            }
        } else {
            /* The first (n mod 4) items, then four calls per turn: one
             * loop test for four items. */
            i = r->start;
            if ((stop_at - i) & 1) {
                on_next(rx_int(i), octx);
                i++;
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
            }
            if ((stop_at - i) & 2) {
                on_next(rx_int(i), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
                on_next(rx_int(i + 1), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
                i += 2;
            }
            for (; i < stop_at; i += 4) {
                on_next(rx_int(i), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
                on_next(rx_int(i + 1), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
                on_next(rx_int(i + 2), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
                on_next(rx_int(i + 3), octx);
                if (RX__UNLIKELY(m->done)) {
                    goto ended;
                }
            }
        }
    ended:
        m->wip = 0;
        if (atomic_load_explicit(&src->refs, memory_order_acquire) == 1) {
            rx__free_sized_fast(src, sizeof *r); /* as rx_observable_release */
        } else {
            rx_observable_release(src);
        }
        if (RX__UNLIKELY(m->done || m->ready_head != NULL ||
                         m->finished != NULL)) {
            if (!m->done) {
                m->poll_left = countdown;
                merge_drain(m);
                countdown = m->poll_left;
            }
            break;
        }
    }
    m->poll_left = countdown > 0 ? countdown : 1;
    return v;
}

/* outer_ranges() for each kind of observer, out of line. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int64_t
outer_ranges_scalar(struct merge_stage *m, int64_t v, int64_t end, bool *stop)
{
    return outer_ranges(m, v, end, stop, false);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int64_t
outer_ranges_batch(struct merge_stage *m, int64_t v, int64_t end, bool *stop)
{
    return outer_ranges(m, v, end, stop, true);
}

/* flat_map over a plain iterable with no max_concurrent (outer_iter):
 * no stage runs the upstream, whose demand would be unbounded anyway; a
 * loop here hands its values to outer_item() until they run out or the
 * stream ends, polling the cross-thread cancel every 1,024 items, then
 * completes the upstream. A range upstream whose inners can go straight
 * to the observer takes outer_ranges() while they can. */
static void
outer_iterate(struct merge_stage *m)
{
    const rx_observable *src = params(m)->base.src;
    struct rx__iter it;
    uint64_t len;

    src->ops->iterate(src, &it);
    len = iter_len(&it);
    if (it.kind == RX__ITER_RANGE) {
        /* The values themselves count toward the poll, as do the items
         * of the inners (merge_poll()). */
        int64_t end = it.start + (int64_t)len;
        int64_t v = it.start;
        while (v < end) {
            if (m->done) {
                return;
            }
            if (direct_now(m) && m->finished == NULL) {
                bool stop = false;
                v = m->batch ? outer_ranges_batch(m, v, end, &stop)
                             : outer_ranges_scalar(m, v, end, &stop);
                if (stop) {
                    return;
                }
                continue;
            }
            if (RX__UNLIKELY(merge_poll(m, 1))) {
                return;
            }
            outer_item(m, rx_int(v));
            v++;
        }
    } else {
        for (uint64_t i = 0; i < len; i++) {
            if (m->done || merge_poll(m, 1)) {
                return;
            }
            outer_item(m, iter_at(&it, i));
        }
    }
    if (!m->done) {
        merge_on_complete(&m->base);
    }
}

static void
merge_start(rx__stage *self)
{
    struct merge_stage *m = (struct merge_stage *)self;
    const struct merge_obs *o = params(m);

    m->started = true;
    if (o->fn == NULL) {
        m->upstream_done = true; /* the sources are all known */
        merge_drain(m);
        return;
    }
    if (m->outer_iter) {
        outer_iterate(m);
        return;
    }
    rx__request_up(self, o->max_concurrent);
    rx__stage_start(self->up);
}

static void
merge_teardown(rx__stage *self)
{
    struct merge_stage *m = (struct merge_stage *)self;

    /* Inner stages are on the pipeline's list and go with it. */
    rx_error_release(m->delayed);
    m->delayed = NULL;
}

static const struct rx__stage_ops merge_stage_ops = {
    .on_next = merge_on_next,
    .on_error = merge_on_error,
    .on_complete = merge_on_complete,
    .request = merge_request,
    .cancel = merge_cancel,
    .start = merge_start,
    .teardown = merge_teardown,
};

static int
merge_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct merge_stage *m =
        rx__stage_new(pipe, &merge_stage_ops, sizeof *m, self, down);

    if (m == NULL) {
        return RX_ENOMEM;
    }
    *out = &m->base;
    m->poll_left = 1024;
    m->limited =
        ((const struct merge_obs *)self)->max_concurrent != RX_UNBOUNDED;
    if (self->src == NULL) {
        return 0;
    }
    if (self->src->ops->iterate != NULL &&
        ((const struct merge_obs *)self)->max_concurrent == RX_UNBOUNDED) {
        m->outer_iter = true; /* merge_start() loops over it */
        return 0;
    }
    return rx__assemble(self->src, pipe, &m->base, &m->base.up);
}

static void
merge_destroy(rx_observable *self)
{
    struct merge_obs *o = (struct merge_obs *)self;

    for (size_t i = 0; i < o->n; i++) {
        rx_observable_release(o->srcs[i]);
    }
}

static const struct rx__obs_ops merge_ops = {
    .assemble = merge_assemble,
    .destroy = merge_destroy,
};

/* ---- constructors ----------------------------------------------------- */

rx_observable *
rx_merge_array_at(const rx_site *site, size_t n, rx_observable *const *srcs,
                  int64_t max_concurrent)
{
    struct merge_obs *o;
    bool missing = false;

    if (n > 0 && srcs == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_merge_array: srcs must not be NULL");
    }
    for (size_t i = 0; i < n; i++) {
        missing |= srcs[i] == NULL;
    }
    if (missing || max_concurrent <= 0 ||
        n > (SIZE_MAX - sizeof *o) / sizeof(rx_observable *)) {
        for (size_t i = 0; i < n; i++) {
            rx_observable_release(srcs[i]);
        }
        if (missing) {
            return NULL; /* an earlier call failed and said why */
        }
        return rx__fail_null(RX_EINVAL, "rx_merge_array: max_concurrent "
                                        "must be > 0 (RX_UNBOUNDED for no "
                                        "limit)");
    }
    o = rx__observable_new(site, &merge_ops,
                           sizeof *o + n * sizeof(rx_observable *), NULL);
    if (o == NULL) {
        for (size_t i = 0; i < n; i++) {
            rx_observable_release(srcs[i]);
        }
        return NULL;
    }
    o->max_concurrent = max_concurrent;
    o->prefetch = 128;
    o->n = n;
    for (size_t i = 0; i < n; i++) {
        o->srcs[i] = srcs[i];
    }
    return &o->base;
}

rx_observable *
rx_merge_at(const rx_site *site, rx_observable *a, rx_observable *b)
{
    rx_observable *pair[2];

    pair[0] = a;
    pair[1] = b;
    return rx_merge_array_at(site, 2, pair, RX_UNBOUNDED);
}

rx_observable *
rx_flat_map_opts_at(const rx_site *site, rx_observable *src,
                    const rx_flat_map_config *cfg)
{
    struct merge_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (cfg == NULL || cfg->fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: cfg and cfg->fn must not be NULL",
                             site->name);
    }
    if (cfg->max_concurrent < 0 || cfg->prefetch < 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "%s: max_concurrent and prefetch must be >= 0",
                             site->name);
    }
    o = rx__observable_new(site, &merge_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = cfg->fn;
    o->ctx = cfg->ctx;
    o->max_concurrent =
        cfg->max_concurrent == 0 ? RX_UNBOUNDED : cfg->max_concurrent;
    o->prefetch = cfg->prefetch == 0 ? 128 : cfg->prefetch;
    o->delay_error = cfg->delay_error;
    return &o->base;
}

rx_observable *
rx_flat_map_at(const rx_site *site, rx_observable *src, rx_flat_map_fn fn,
               void *ctx)
{
    rx_flat_map_config cfg = {.fn = fn, .ctx = ctx};

    return rx_flat_map_opts_at(site, src, &cfg);
}

rx_observable *
rx_concat_map_at(const rx_site *site, rx_observable *src, rx_flat_map_fn fn,
                 void *ctx)
{
    rx_flat_map_config cfg = {.fn = fn, .ctx = ctx, .max_concurrent = 1};

    return rx_flat_map_opts_at(site, src, &cfg);
}
