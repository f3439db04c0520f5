/* SPDX-License-Identifier: MIT */
/*
 * Private core of uvrx: allocation, last error, observables, stages, the
 * pipeline object and the demand/drain helpers that every source and
 * operator shares. Nothing here is installed; users never see these types.
 *
 * The model in one paragraph. An rx_observable is an immutable recipe; each
 * operator embeds `struct rx_observable` as the first member of its own
 * struct and points `ops` at a table that knows how to build a stage.
 * rx_subscribe() builds one stage per (unfused) operator, linked `down`
 * toward the subscriber and `up` toward the source, all owned by one
 * pipeline object (the rx_subscription). Signals travel down through
 * `stage->down->ops->on_next(...)`; requests and cancels travel up. Every
 * stage is driven by one thread at a time, so stage state is plain memory.
 */
#ifndef UVRX_RX_INTERNAL_H
#define UVRX_RX_INTERNAL_H

#include <assert.h>
#include <stdatomic.h>
#include <string.h>

#include <uv.h>

#include "uvrx.h"

/* ---- defensive checks (SQLite's ALWAYS/NEVER) ------------------------- */

#include "rx-assert.h"

/* RX__HOT_INLINE: a hot path's helper inlined into each caller even
 * where the compiler would not. In the coverage build (UVRX_COVERAGE_TEST)
 * it is an ordinary function, so gcov counts each branch once rather
 * than once per copy. */
#if defined(UVRX_COVERAGE_TEST)
#define RX__HOT_INLINE
#elif defined(__GNUC__) || defined(__clang__)
#define RX__HOT_INLINE __attribute__((always_inline))
#else
#define RX__HOT_INLINE
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RX__LIKELY(x) __builtin_expect(!!(x), 1)
#define RX__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RX__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RX__LIKELY(x) (x)
#define RX__UNLIKELY(x) (x)
#define RX__PRINTF(a, b)
#endif

/* ---- allocation (alloc.c) --------------------------------------------- */

/* Every uvrx allocation goes through these; each live block is counted by
 * rx_live_objects(). */
void *rx__malloc(size_t size);
void *rx__calloc(size_t n, size_t size);
void *rx__realloc(void *ptr, size_t size);
void rx__free(void *ptr);
/* rx__free() for a block whose size is known: `size` is at most what it
 * was allocated with (0: unknown). Skips asking the C library for the
 * block's size when the block goes to the calling thread's cache. */
void rx__free_sized(void *ptr, size_t size);

#include "alloc-fast.h" /* rx__malloc_fast(), rx__free_sized_fast() */

/* ---- last error and errors (error.c) ---------------------------------- */

/* Records the thread-local last error: code and formatted message. */
void rx__set_last_error(int code, const char *fmt, ...) RX__PRINTF(2, 3);
/* rx__set_last_error(), then return NULL / the code, for one-line exits. */
void *rx__fail_null(int code, const char *fmt, ...) RX__PRINTF(2, 3);
int rx__fail(int code, const char *fmt, ...) RX__PRINTF(2, 3);

/* An error raised by the stage assembled at `site`; never NULL. */
rx_error *rx__error_at(const rx_site *site, int code, const char *fmt, ...)
    RX__PRINTF(3, 4);
/* The immortal out-of-memory error (a valid reference to release). */
rx_error *rx__error_oom(void);
/* Gives `err` the site of the stage that first emits it, when it has none
 * (an error a user function made with rx_error_new()) and the emitter
 * holds its only reference (a shared error, such as rx_throw()'s, is
 * never changed). */
void rx__error_claim_site(const rx_error *err, const rx_site *site);
/* Hands an error with nowhere to go to the undeliverable handler. */
void rx__undeliverable(const rx_error *err);

/* ---- observables (observable.c) --------------------------------------- */

typedef struct rx_subscription rx__pipeline;
typedef struct rx__stage rx__stage;
struct rx__fop;
struct rx__iter;

/* What an observable kind knows how to do. */
struct rx__obs_ops {
    /* Builds this observable's stage below `down` and everything above it
     * (through rx__assemble() on its sources); stores the stage downstream
     * talks to in *out. Allocates only: no signal, no user function. On
     * failure returns a negative code; stages already made stay on the
     * pipeline's list and are freed with it. NULL for kinds that are only
     * fusable or iterable. */
    int (*assemble)(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                    rx__stage **out);
    /* Releases what the kind owns besides `src` (values, extra sources,
     * user contexts). NULL when there is nothing. */
    void (*destroy)(rx_observable *self);
    /* Fusable kinds (map, filter, take, ...) describe themselves as one
     * operation of a fused stage (fusion.h); NULL otherwise. */
    void (*fuse)(const rx_observable *self, struct rx__fop *op);
    /* Iterable sources (range, from_values, just) describe the values they
     * emit so a fused stage can loop over them directly; NULL otherwise. */
    void (*iterate)(const rx_observable *self, struct rx__iter *it);
    /* Transparent kinds (rx_attach) add no stage: assemble just assembles
     * `src`, and fusion looks through them. */
    bool transparent;
    /* The size every observable of this kind was allocated with, for a
     * sized free on release; 0 when it varies or is not known. */
    size_t size;
};

struct rx_observable {
    atomic_long refs;
    const struct rx__obs_ops *ops;
    rx_observable *src; /* the primary source, owned; NULL for sources */
    rx_site site;       /* where this observable was assembled */
    /* Where the signals come from, so a combining operator can tell at
     * subscribe time whether an input is asynchronous (DESIGN.md section
     * 4). false: on the thread that subscribes and requests (every
     * source and operator that does not hop). true: on `home`'s thread
     * (NULL: the default scheduler's), set by rx_observe_on and
     * rx_subscribe_on, inherited from `src` by the operators below them.
     * `home` is borrowed: the hop that set it holds a reference and is
     * owned, through `src`, by every observable that inherits it. */
    bool hopped;
    rx_scheduler *home;
};

/* Allocates a zeroed observable of `size` bytes (the kind's struct, which
 * starts with struct rx_observable) with one reference, taking `src`. On
 * allocation failure releases `src`, sets the last error ("<name>: out of
 * memory") and returns NULL. */
void *rx__observable_new(const rx_site *site, const struct rx__obs_ops *ops,
                         size_t size, rx_observable *src);

/* Writes the integers first .. first + n - 1 into vals[0 .. n - 1]: a
 * batch of a range. With GCC and clang each value is one 16-byte store
 * of a vector holding the tag word and the payload (the payload lane
 * counting up), where the plain loop makes two stores per value, the
 * bound of such a loop on some cores. */
static inline void
rx__fill_ints(rx_value *vals, int64_t first, size_t n)
{
#if defined(__GNUC__) || defined(__clang__)
    typedef int64_t rx__i64x2 __attribute__((vector_size(16)));
    _Static_assert(sizeof(rx_value) == sizeof(rx__i64x2) &&
                       offsetof(rx_value, as) == sizeof(int64_t),
                   "rx_value is a tag word and a payload word");
    const rx__i64x2 step = {0, 1};
    rx_value v0 = rx_int(0);
    int64_t tag_word;
    rx__i64x2 cur;

    /* Built in registers: a vector loaded from two fresh 8-byte stores
     * would wait for them to reach the cache. */
    memcpy(&tag_word, &v0, sizeof tag_word);
    cur = (rx__i64x2){tag_word, first};
    for (size_t i = 0; i < n; i++) {
        memcpy(&vals[i], &cur, sizeof cur);
        cur += step;
    }
#else
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(first + (int64_t)i);
    }
#endif
}

/* Makes the compiler hold `x` in a register at this point, so that it
 * cannot merge the load of `x` with a neighbouring one. */
#if defined(__GNUC__) || defined(__clang__)
#define RX__IN_REGISTER(x) __asm__("" : "+r"(x))
#else
#define RX__IN_REGISTER(x) ((void)0)
#endif

/* Fills in the header of a newly allocated observable `o` as
 * rx__observable_new() does (one reference, `src` taken, the site copied,
 * hopped/home inherited from `src`); the kind's own fields are the
 * caller's. For constructors on a hot path that set every field. */
static inline void
rx__observable_init(rx_observable *o, const rx_site *site,
                    const struct rx__obs_ops *ops, rx_observable *src)
{
    atomic_init(&o->refs, 1);
    o->ops = ops;
    o->src = src;
    if (site != NULL) {
        /* Field by field, each read from a register: a caller may just
         * have written `*site` with three stores (RX_SITE's compound
         * literal where it is one, docs/design/assembly-sites.md), and
         * one wide load spanning two of them cannot be forwarded from
         * the store buffer -- it waits until they reach the cache
         * (measured: a tenth of rx_range()'s time). */
        const char *file = site->file;
        int line = site->line;
        const char *name = site->name;
        RX__IN_REGISTER(file);
        RX__IN_REGISTER(line);
        o->site.file = file;
        o->site.line = line;
        o->site.name = name;
    } else {
        o->site = (rx_site){"?", 0, "?"};
    }
    o->hopped = src != NULL && src->hopped;
    o->home = src != NULL ? src->home : NULL;
}

/* An input `src` (taken) of a combining operator running in `pipe` on
 * the calling thread, made safe to assemble there: `src` itself when its
 * signals arrive on this thread, otherwise rx_observe_on(src, <this
 * thread's scheduler>, prefetch), so the input is marked async at
 * subscribe time and its signals cross through a ring (operators/thread/
 * observe_on.c). `prefetch` outside 1 .. 2^24 means the default. NULL
 * with the last error set when that fails (`src` is released); `site`
 * names the operator in the message. */
rx_observable *rx__input_here(rx__pipeline *pipe, rx_observable *src,
                              int64_t prefetch, const rx_site *site);

/* Builds the stages of `obs` below `down`, fusing runs of fusable
 * operators; see struct rx__obs_ops.assemble for the contract. */
int rx__assemble(rx_observable *obs, rx__pipeline *pipe, rx__stage *down,
                 rx__stage **out);

/* ---- stages (pipeline.c) ---------------------------------------------- */

/* The signals a stage receives and the requests it serves. Values and
 * errors passed down are borrowed for the call. */
struct rx__stage_ops {
    /* An item from upstream. Returns whether the item used up one unit of
     * the demand this stage gave upstream: false means it was dropped and
     * the upstream should emit another in its place (RxJava's
     * conditional subscriber), so a filtered item costs no request(1). */
    bool (*on_next)(rx__stage *self, rx_value v);
    /* Optional: a batch of scalar items in a scratch array the stage may
     * rewrite during the call. NULL: items come one by one. */
    void (*on_next_batch)(rx__stage *self, rx_value *vals, size_t n);
    void (*on_error)(rx__stage *self, const rx_error *err);
    void (*on_complete)(rx__stage *self);
    /* Downstream asks for n > 0 more items. */
    void (*request)(rx__stage *self, int64_t n);
    /* Downstream stops; idempotent. Releases upstream work, never the
     * stage itself. */
    void (*cancel)(rx__stage *self);
    /* Optional: runs once when the pipeline starts, downstream stages
     * first; must end by starting its upstream (rx__stage_start(up)).
     * NULL: just start the upstream. */
    void (*start)(rx__stage *self);
    /* Optional: releases what the stage holds, right before it is freed.
     * Must cope with a stage whose assembly failed half way (zeroed). */
    void (*teardown)(rx__stage *self);
};

struct rx__stage {
    const struct rx__stage_ops *ops;
    rx__stage *down;    /* where signals go */
    rx__stage *up;      /* the upstream stage, or NULL for sources */
    rx__pipeline *pipe; /* the pipeline that owns this stage */
    rx_observable *obs; /* the observable this stage runs, retained */
    rx__stage *prev;    /* the pipeline's list of stages */
    rx__stage *next;
};

/* Allocates a zeroed stage of `size` bytes (the kind's struct, starting
 * with struct rx__stage), links it into the pipeline and retains `obs`.
 * NULL on allocation failure (the last error is set). */
void *rx__stage_new(rx__pipeline *pipe, const struct rx__stage_ops *ops,
                    size_t size, rx_observable *obs, rx__stage *down);

/* Starts a stage (its start hook, or its upstream). */
void rx__stage_start(rx__stage *s);

/* Frees an inner chain that has finished or been cancelled: `s` and every
 * stage reached through ->up. Only when none of them is on the stack (for
 * example back in a drain loop after the inner completed synchronously). */
void rx__stage_free_chain(rx__stage *s);
/* The same, deferred: the chain moves to the pipeline's graveyard and is
 * freed when the outermost frame exits. Use it when the chain may be on
 * the stack (its on_complete is running). */
void rx__stage_retire_chain(rx__stage *s);

/* The site of the observable a stage runs (for error messages). */
static inline const rx_site *
rx__stage_site(const rx__stage *s)
{
    return &s->obs->site;
}

/* Emitting to the next stage down. */
static inline bool
rx__emit_next(rx__stage *self, rx_value v)
{
    return self->down->ops->on_next(self->down, v);
}

/* Where a stage that sent its terminal signal points its `down`, so that
 * nothing it sends afterwards (a broken source) reaches a receiver: items
 * are dropped, completions ignored, errors go to the undeliverable
 * handler (pipeline.c; docs/design/misbehaving-sources.md). */
extern rx__stage rx__dead_end;

static inline void
rx__emit_error(rx__stage *self, const rx_error *err)
{
    rx__stage *down = self->down;

    if (self->obs != NULL) {
        rx__error_claim_site(err, &self->obs->site);
    }
    self->down = &rx__dead_end;
    down->ops->on_error(down, err);
}

static inline void
rx__emit_complete(rx__stage *self)
{
    rx__stage *down = self->down;

    self->down = &rx__dead_end;
    down->ops->on_complete(down);
}

/* Emits an error created here, then releases it. */
void rx__emit_new_error(rx__stage *self, rx_error *err);

/* Asking the stage above. */
static inline void
rx__request_up(rx__stage *self, int64_t n)
{
    if (self->up != NULL) {
        self->up->ops->request(self->up, n);
    }
}

static inline void
rx__cancel_up(rx__stage *self)
{
    if (self->up != NULL) {
        self->up->ops->cancel(self->up);
    }
}

/* Default handlers for stages that pass a signal on unchanged. */
void rx__stage_pass_request(rx__stage *self, int64_t n);
void rx__stage_pass_cancel(rx__stage *self);
void rx__stage_pass_error(rx__stage *self, const rx_error *err);
void rx__stage_pass_complete(rx__stage *self);

/* ---- scheduler tasks (rx-sched.h has the calls) ---------------------------
 */

typedef struct rx__task rx__task;

/* Runs the task; called inside a frame of task->pipe (when set). */
typedef void (*rx__task_fn)(rx__task *t);

struct rx__task {
    rx__task_fn run;
    rx__pipeline *pipe; /* bracketed with a frame while run() runs */
    /* Scheduler-private. */
    rx_scheduler *sched; /* where it is scheduled, or NULL */
    uint64_t due;        /* when it runs next (periodic: start + k * period,
                            advanced by exactly one period per run) */
    int64_t period;      /* > 0 for periodic tasks */
    uint64_t seq;        /* FIFO order among tasks due at the same time */
    rx__task *next;      /* link in a posted-task queue */
    /* Position in the timer heap, or RX__NO_HEAP_INDEX; 32 bits keep the
     * task at 64 bytes (a heap holds fewer than 2^32 - 1 tasks). */
    uint32_t heap_index;
    bool adopt; /* posted with a pipeline reference to adopt */
};

/* heap_index of a task that is in no timer heap. */
#define RX__NO_HEAP_INDEX UINT32_MAX

/* ---- the pipeline (pipeline.c) ---------------------------------------- */

struct rx_subscription {
    rx__stage sink;       /* the last stage: calls the observer */
    rx_observer observer; /* the user's callbacks, copied */
    /* handle + running + active frames; the pipeline is freed when this
     * reaches zero (DESIGN.md section 3). */
    atomic_long refs;
    atomic_bool cancel_req; /* rx_cancel() from another thread */
    atomic_bool has_handle; /* the user still holds the handle */
    int frames;             /* active entries on the owner thread */
    /* A lent frame: a caller outside the pipeline that calls into it
     * (a publish subject delivering straight to the observer) marks the
     * call by writing the pipeline's address into a slot of its own for
     * the duration, and `lent_by` names that slot: while it holds this
     * pipeline, one more frame is open than `frames` says (rx__frames()).
     * One store per call into memory the caller writes anyway, instead
     * of a read-modify-write of `frames` in each callee's pipeline. Set
     * and cleared (before the slot's owner goes) by that caller's stage;
     * NULL when none. */
    rx__pipeline *const *lent_by;
    bool running;         /* no terminal signal or cancel yet */
    bool done;            /* a terminal signal reached the sink */
    bool cancelled;       /* a cancel has been processed */
    bool finally_done;    /* on_finally has run */
    bool pending_einval;  /* request(n <= 0) waits to be signalled */
    rx__stage *stages;    /* every stage, for freeing */
    rx__stage *graveyard; /* retired inner stages, freed at frame exit */
    rx_observable *root;  /* the subscribed observable, retained */
    /* The thread delivering signals now: the address of a thread-local
     * marker, so another thread can tell it is not the owner. Written at
     * each outermost frame entry (the owner may move, e.g. to a pool
     * worker after subscribe); NULL while a task posted to another
     * thread is taking the pipeline over. */
    _Atomic(const void *) owner_mark;
    /* The loop scheduler of the owner thread (the last binding wins: a
     * thread hop moves it), woken by rx_cancel() from another thread.
     * Retained. */
    _Atomic(rx_scheduler *) owner_sched;
    atomic_bool wake_pending; /* wake_task is posted */
    rx__task wake_task;       /* processes a cross-thread cancel */
    rx__task *deferred;       /* posts to other threads, sent at exit */
    int posts; /* rx__pipeline_post() tasks not yet run (owner thread) */
    /* What the subscriber requested and has not received (RX_UNBOUNDED:
     * not counted). An item beyond it fails the stream with
     * RX_EBACKPRESSURE (docs/design/misbehaving-sources.md). */
    int64_t demand;
};

/* Whether `s` sits right above its pipeline's sink, the observer has
 * on_next and the subscriber counts no demand: the one condition under
 * which a stage may call the observer itself instead of going through
 * the sink (the direct paths of merge, zip and the subjects; fusion
 * caches the first part at assembly). The caller still stops at the
 * pipeline's `done` / `cancelled`, or at its own flag that a cancel
 * clears, between calls. */
static inline bool
rx__observer_right_below(const rx__stage *s)
{
    const rx__pipeline *p = s->pipe;

    return s->down == &p->sink && p->observer.on_next != NULL &&
           p->demand == RX_UNBOUNDED;
}

/* rx__observer_right_below() for an observer with on_next_batch (and
 * perhaps on_next too): a stage emitting scalars may then hand them over
 * in batches, the sink's checks being its own as above. */
static inline bool
rx__observer_takes_batches_below(const rx__stage *s)
{
    const rx__pipeline *p = s->pipe;

    return s->down == &p->sink && p->observer.on_next_batch != NULL &&
           p->demand == RX_UNBOUNDED;
}

/* Frames: every entry into a pipeline (subscribe, request, cancel,
 * dispose, each loop or scheduler callback) is bracketed by these, so
 * nothing is freed while one of its functions is on the stack. */
void rx__frame_enter(rx__pipeline *pipe);
void rx__frame_exit(rx__pipeline *pipe);

/* The frames open on `pipe` on the owner thread, a lent one included
 * (struct rx_subscription, `lent_by`); what every decision about the
 * outermost frame reads. */
static inline int
rx__frames(const rx__pipeline *pipe)
{
    return pipe->frames + (pipe->lent_by != NULL && *pipe->lent_by == pipe);
}

/* Whether the calling thread is the pipeline's owner thread. */
bool rx__on_owner_thread(const rx__pipeline *pipe);

/* Enters a frame whose reference was taken earlier (by a post to another
 * thread): the frame adopts it instead of taking a new one. */
void rx__frame_adopt(rx__pipeline *pipe);

/* Posts `t` (a task of this pipeline) to a scheduler on another thread.
 * Inside a frame the post waits until the outermost frame on this thread
 * has exited, so the other thread never runs the pipeline while this one
 * is still inside it; the pipeline stays alive until the task ran (its
 * frame adopts the reference taken here). */
int rx__pipeline_post(rx__pipeline *pipe, rx_scheduler *s, rx__task *t);

/* A counter bumped at every outermost frame entry, so rx_test_run() can
 * tell whether a uv_run() pass did uvrx work. */
extern atomic_ulong rx__activity;

/* How many cancels have been asked from another thread (rx_cancel(),
 * rx_dispose() off the owner thread), process-wide: bumped with release
 * after the pipeline's `cancel_req` is raised, so an owner that loads it
 * with acquire and sees a new value sees every flag raised before. A
 * loop that would poll the flags of many pipelines per item (a publish
 * subject's delivery pass) reads this once instead and polls the flags
 * only when it changed. */
struct rx__cancel_count {
    _Alignas(64) atomic_ulong n; /* a cache line of its own: read per item */
};
extern struct rx__cancel_count rx__remote_cancels;

/* Processes a cancel on the owner thread: the whole pipeline stops. */
void rx__pipeline_cancel(rx__pipeline *pipe);

/* Cheap poll for a cancel asked from another thread; drain loops call it
 * at least once per 1,024 items. Returns true when the pipeline has been
 * cancelled (the cancel is then processed). */
static inline bool
rx__pipeline_poll(rx__pipeline *pipe)
{
    if (RX__UNLIKELY(
            atomic_load_explicit(&pipe->cancel_req, memory_order_relaxed))) {
        rx__pipeline_cancel(pipe);
        return true;
    }
    return pipe->cancelled;
}

/* The sink's ops, so fused loops can call the observer directly. */
extern const struct rx__stage_ops rx__sink_ops;

/* ---- demand and the drain loop (drain.c) ------------------------------ */

/* Adds demand, saturating at RX_UNBOUNDED. Both are >= 0. */
static inline int64_t
rx__demand_add(int64_t cur, int64_t n)
{
    return cur > RX_UNBOUNDED - n ? RX_UNBOUNDED : cur + n;
}

/* Subtracts what a drain pass emitted; unbounded demand stays unbounded. */
static inline int64_t
rx__demand_sub(int64_t cur, int64_t emitted)
{
    return cur == RX_UNBOUNDED ? cur : cur - emitted;
}

/* The demand state every source and queueing operator keeps. Protocol
 * rules 1 and 6 live here: a request before the stage started, or during
 * a drain pass already on the stack, only records demand. */
typedef struct rx__demand {
    int64_t requested; /* outstanding demand from downstream */
    bool started;      /* the stage's start hook has run */
    bool draining;     /* a drain pass is on the stack */
    bool cancelled;    /* downstream cancelled, or a terminal was sent */
} rx__demand;

/* Records a request; returns whether the caller should drain now. */
static inline bool
rx__demand_request(rx__demand *d, int64_t n)
{
    d->requested = rx__demand_add(d->requested, n);
    return d->started && !d->draining && !d->cancelled;
}

/* One drain pass: emit what demand allows and return true to be called
 * again (new demand may have arrived), false when there is nothing more
 * to do now. */
typedef bool (*rx__drain_pass_fn)(void *self);

/* Runs drain passes with the re-entrancy guard of `d` held, so a request
 * made inside on_next adds demand and returns instead of recursing.
 * Returns at once when a pass is already on the stack. */
void rx__drain(rx__demand *d, rx__drain_pass_fn pass, void *self);

/* ---- a queue of values (queue.c) -------------------------------------- */

/* A growable ring of owned values. */
typedef struct rx__vqueue {
    rx_value *buf;
    size_t cap;  /* a power of two, or 0 */
    size_t head; /* index of the oldest item */
    size_t len;
} rx__vqueue;

/* Appends v (taken). Returns RX_ENOMEM, having released v, on failure. */
int rx__vqueue_push(rx__vqueue *q, rx_value v);
/* Removes and returns the oldest item (owned); the queue must not be
 * empty. */
rx_value rx__vqueue_pop(rx__vqueue *q);
/* The i-th oldest item, borrowed. */
rx_value rx__vqueue_at(const rx__vqueue *q, size_t i);
/* Releases every item and the buffer. */
void rx__vqueue_clear(rx__vqueue *q);

/* ---- an outbox: queue + demand + pending terminal (outbox.c) ---------- */

/* For operators that emit items they hold (take_last, to_array, reduce,
 * materialize, ...): items wait in a queue until demand allows, and the
 * completion waits until the queue is empty. */
typedef struct rx__outbox {
    rx__demand d;
    rx__vqueue q;
    bool complete_pending; /* complete after the queue drains */
    rx__stage *stage;      /* the stage emitting */
} rx__outbox;

void rx__outbox_init(rx__outbox *o, rx__stage *stage);
/* Queues v (taken) and drains. On allocation failure the stage's upstream
 * is cancelled and on_error(RX_ENOMEM) goes downstream. */
void rx__outbox_push(rx__outbox *o, rx_value v);
/* Marks the end: completion goes down once the queue is empty. */
void rx__outbox_complete(rx__outbox *o);
/* Drops the queue and signals the error now. */
void rx__outbox_error(rx__outbox *o, const rx_error *err);
/* Serves a downstream request. */
void rx__outbox_request(rx__outbox *o, int64_t n);
/* Serves a downstream cancel: drops the queue (not the upstream). */
void rx__outbox_cancel(rx__outbox *o);
/* Marks the outbox started and drains what is pending. */
void rx__outbox_start(rx__outbox *o);

/* The current reference count of a heap value (0 for scalars); for debug
 * checks only. */
long rx__value_refs(rx_value v);

/* The drop function of a box value (NULL for other values), so a kind
 * that boxes its own data can recognise its values. */
rx_drop_fn rx__box_drop(rx_value v);

/* Whether `down` takes batches: a stage with a batch handler, or the sink
 * of an observer that gave on_next_batch. */
bool rx__stage_wants_batch(const rx__stage *down);

/* The one path for values an operator drops (filtered out, overflowed,
 * left in a queue at cancel): releases `v` (taken). The user-facing
 * discard hook of DESIGN.md section 8 will hang here. */
void rx__discard(rx__stage *stage, rx_value v);

/* ---- debug reports ---------------------------------------------------- */

/* Reports, in debug builds, a user map that returned its input heap
 * object without taking a reference, through the undeliverable handler,
 * naming the call site. */
void rx__report_missing_retain(const rx_site *site);

#endif /* UVRX_RX_INTERNAL_H */
