/* SPDX-License-Identifier: MIT */
/*
 * Fusion: at subscribe time a run of consecutive synchronous operators
 * (map, filter, take, skip, scan, distinct_until_changed, tap, take_while,
 * skip_while and the batch kernels) collapses into one fused stage that
 * runs them in a loop, one "fop" (fused operation) each. When the run sits
 * right below an iterable source (range, from_values, just), the fused
 * stage is that source too: it loops over the source's values and no
 * per-item call crosses a stage boundary. Nothing fuses across a thread
 * hop, because hops are not fusable kinds.
 *
 * A fusable operator describes itself in its `fuse` hook: either a plain
 * map/filter (and batch kernel) that the loop calls directly, or a `step`
 * with optional lifecycle hooks for operators with per-subscription state.
 */
#ifndef UVRX_FUSION_H
#define UVRX_FUSION_H

#include "rx-internal.h"

/* What a step did with the item. */
enum rx__fstep {
    RX__F_PASS = 0, /* the (possibly replaced) item goes on */
    RX__F_DROP,     /* the item was consumed (released); nothing goes on */
    RX__F_LAST,     /* the item goes on, then the stream completes */
    RX__F_STOP,     /* the item was released and the stream completes */
    RX__F_ERROR     /* *err is set; the item was released */
};

enum rx__fop_kind {
    RX__FOP_MAP,
    RX__FOP_FILTER,
    RX__FOP_MAP_BATCH,
    RX__FOP_FILTER_BATCH,
    RX__FOP_STEP
};

struct rx__fop;

/* Hooks of a stateful fused operation; any may be NULL. */
struct rx__fop_ops {
    /* Runs the item: *v is owned and may be replaced; returns an
     * rx__fstep. A step that drops or stops releases *v. */
    int (*step)(struct rx__fop *op, rx_value *v, rx_error **err);
    /* At subscribe time, before any item: returning RX__F_STOP completes
     * the stream at once (take(0)). */
    int (*start)(struct rx__fop *op);
    /* The stream completes (after the upstream did, or an op below said
     * LAST/STOP); may set *err to fail it instead. */
    void (*on_complete)(struct rx__fop *op, rx_error **err);
    /* The stream fails with err (borrowed). */
    void (*on_error)(struct rx__fop *op, const rx_error *err);
    /* Downstream asked for n; returns what to ask of the upstream. */
    int64_t (*on_request)(struct rx__fop *op, int64_t n);
    /* The stream is cancelled from downstream, or cut off by an op below
     * it finishing early. */
    void (*on_cancel)(struct rx__fop *op);
    /* Release what the op holds (op->val). */
    void (*teardown)(struct rx__fop *op);
};

/* One fused operation and its per-subscription state. */
struct rx__fop {
    int kind; /* an rx__fop_kind */
    union {
        rx_map_fn map;
        rx_pred_fn pred;
        rx_map_batch_fn map_batch;
        rx_filter_batch_fn filter_batch;
        rx_accum_fn accum;
    } fn;
    void *ctx;
    const struct rx__fop_ops *ops; /* for RX__FOP_STEP and hooks */
    const rx_observable *obs;      /* parameters and site; kept alive by
                                      the fused stage */
    /* Per-subscription state for steps. */
    int64_t n;
    rx_value val;
    bool flag;
};

/* What an iterable source emits. */
enum rx__iter_kind { RX__ITER_RANGE, RX__ITER_ARRAY };

struct rx__iter {
    int kind;
    int64_t start;        /* RANGE: first value */
    int64_t end;          /* RANGE: one past the last value */
    const rx_value *vals; /* ARRAY: borrowed from the observable */
    size_t n;             /* ARRAY: how many */
    bool scalars;         /* ARRAY: every value is a scalar */
};

/* rx_range's observable (operators/create/range.c), which merge reads
 * directly when a flat_map inner is a range. */
struct rx__range_obs {
    rx_observable base;
    int64_t start;
    int64_t end; /* one past the last value */
};
extern const struct rx__obs_ops rx__range_ops;

/* Builds the fused stage for a run starting at `obs` (fusable or
 * iterable); called by rx__assemble(). */
int rx__fused_assemble(rx_observable *obs, rx__pipeline *pipe, rx__stage *down,
                       rx__stage **out);

#endif /* UVRX_FUSION_H */
