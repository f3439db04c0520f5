/* SPDX-License-Identifier: MIT */
/**
 * @file higher.h
 * @brief Higher-order operators: streams of streams. Switching and
 * exhausting flattens, eager concatenation, grouping by key, windows and
 * buffers cut by another stream, and recursive expansion.
 *
 * Observables travel inside values made with rx_observable_value() (a
 * group, a window, rx_switch_on_next()'s input); rx_value_observable()
 * takes them out. An inner source (or boundary) that signals on another
 * thread is marked async when it is subscribed and brought to the
 * operator's thread through a bounded ring, as for rx_merge(). Groups
 * and windows must be subscribed on the operator's thread. Inner
 * subscriptions are added and removed in O(1).
 *
 * @ref flattening tells how rx_flat_map(), rx_concat_map(),
 * rx_switch_map(), rx_exhaust_map() and rx_concat_map_eager() differ.
 */
#ifndef UVRX_HIGHER_H
#define UVRX_HIGHER_H

#include "combine.h"
#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- switching and exhausting ------------------------------------------ */

/**
 * @brief Emits the items of the latest inner observable: each new item
 * of @p src, an observable value, cancels the inner running so far and
 * subscribes the new one.
 *
 * Items the cancelled inner had queued (waiting for demand) are dropped.
 * The stream completes when @p src and the last inner have; the first
 * error, of @p src or of the running inner, cancels everything and goes
 * downstream. @p src is asked for everything (its items only start
 * inners); each inner for 128 items ahead, topped up as they go down.
 *
 * @verbatim
 * src:             -x------y-----|     x = --a--b--c|   y = -d--e|
 * switch_on_next:  ---a--b--d--e-|
 * x subscribed:    -^------!
 * @endverbatim
 *
 * @see @ref marbles_switch_on_next "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/switch_on_next-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  a stream of observable values (rx_observable_value());
 *             @takes. An item that holds no observable fails the stream
 *             with #RX_EINVAL.
 * @return @newref, or NULL with the last error #RX_ENOMEM (NULL @p src:
 *         NULL, the last error untouched)
 * @note Runs on the pipeline's thread; inners must signal there too.
 * @see rx_switch_map_at()
 */
RX_API rx_observable *rx_switch_on_next_at(const rx_site *site,
                                           rx_observable *src);
/** @brief See rx_switch_on_next_at(). */
#define rx_switch_on_next(src)                                                 \
    rx_switch_on_next_at(RX_SITE("rx_switch_on_next"), (src))

/**
 * @brief Maps each item to an inner observable and emits the items of
 * the latest one, cancelling the previous inner when a new item comes.
 *
 * The previous inner is cancelled before @p fn runs for the new item
 * (as in RxJava), and the items it had queued are dropped. Completes
 * when @p src and the last inner have; the first error cancels
 * everything and goes downstream; @p fn failing (setting @c *err, or
 * returning NULL) fails the stream the same way.
 *
 * @verbatim
 * src:         -1------2-----|
 * fn(x):       x -> --x--x--x|
 * switch_map:  ---1--1---2--2--2|
 * inner 1:     -^------!
 * @endverbatim
 *
 * @see @ref marbles_switch_map "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/switch_map-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   maps an item to an inner observable; must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 * @note Runs on the pipeline's thread; inners must signal there too.
 * @see rx_exhaust_map_at(), rx_flat_map_at(), rx_concat_map_at()
 */
RX_API rx_observable *rx_switch_map_at(const rx_site *site, rx_observable *src,
                                       rx_flat_map_fn fn, void *ctx);
/** @brief See rx_switch_map_at(). */
#define rx_switch_map(src, fn, ctx)                                            \
    rx_switch_map_at(RX_SITE("rx_switch_map"), (src), (fn), (ctx))

/**
 * @brief Maps an item to an inner observable only when no inner runs:
 * items that come while one runs are dropped (RxJS's exhaustMap).
 *
 * An inner runs until it has completed and its items have all gone
 * downstream. Dropped items go through the discard path. Completion,
 * errors and demand are as for rx_switch_map().
 *
 * @verbatim
 * src:          -1--2--------3---|
 * fn(x):        x -> --x--x|
 * exhaust_map:  ---1--1--------3--3|
 * @endverbatim
 *
 * @see @ref marbles_exhaust_map "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/exhaust_map-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   maps an item to an inner observable; must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 * @note Runs on the pipeline's thread; inners must signal there too.
 * @see rx_switch_map_at()
 */
RX_API rx_observable *rx_exhaust_map_at(const rx_site *site, rx_observable *src,
                                        rx_flat_map_fn fn, void *ctx);
/** @brief See rx_exhaust_map_at(). */
#define rx_exhaust_map(src, fn, ctx)                                           \
    rx_exhaust_map_at(RX_SITE("rx_exhaust_map"), (src), (fn), (ctx))

/**
 * @brief Maps each item to an inner observable, subscribes every inner
 * at once, and emits their items in the order of the items that made
 * them.
 *
 * Later inners run ahead and queue their items (128 each, then they
 * wait) until the inners before them have completed. At most 128 inners
 * run at once, as in RxJava. The first error, of @p src, of an inner or
 * of @p fn, cancels everything and goes downstream at once.
 *
 * @verbatim
 * src:                -1-2-|
 * fn:                 1 -> ---a--b|    2 -> -c-d|
 * concat_map_eager:   ----a--b(cd|)
 * @endverbatim
 *
 * @see @ref marbles_concat_map_eager "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/concat_map_eager-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   maps an item to an inner observable; must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 * @note Runs on the pipeline's thread; inners must signal there too.
 * @see rx_concat_map_at(), rx_flat_map_at()
 */
RX_API rx_observable *rx_concat_map_eager_at(const rx_site *site,
                                             rx_observable *src,
                                             rx_flat_map_fn fn, void *ctx);
/** @brief See rx_concat_map_eager_at(). */
#define rx_concat_map_eager(src, fn, ctx)                                      \
    rx_concat_map_eager_at(RX_SITE("rx_concat_map_eager"), (src), (fn), (ctx))

/* ---- group_by ------------------------------------------------------------ */

/** @brief The stall threshold rx_group_by() uses unless told otherwise. */
#define RX_GROUP_BY_STALL_MS 1000

/** @brief Options of rx_group_by_opts(); fill it with designated
 * initialisers. */
typedef struct rx_group_by_config {
    /** Maps an item to its group's key (compared with rx_value_equal(),
     * hashed with rx_value_hash()); must not be NULL. */
    rx_map_fn key;
    /** Maps an item to what its group emits; NULL for the item itself. */
    rx_map_fn value;
    /** Passed to @c key and @c value; borrowed, must outlive the result. */
    void *ctx;
    /** Items asked of the source ahead; 0 for 128. */
    int64_t prefetch;
    /** How long a group may wait for the downstream to take it while
     * nothing moves, in ms, before the stream fails with
     * #RX_EBACKPRESSURE; 0 for #RX_GROUP_BY_STALL_MS, #RX_UNBOUNDED to
     * wait for ever. */
    int64_t stall_ms;
    /** The scheduler whose clock measures stalls; NULL for the default.
     * Borrowed (retained). */
    rx_scheduler *sched;
} rx_group_by_config;

/**
 * @brief Splits the stream into groups by key: emits one observable per
 * key (a group, as an observable value) that emits the items with that
 * key.
 *
 * A group is emitted when its first item comes, holding that item. Each
 * group has one subscriber (a second gets #RX_EINVAL); rx_group_key()
 * gives its key. Completion completes every group, then the outer
 * stream; an error goes to the outer stream, then to every group.
 *
 * Policy for a group nobody subscribes to (RxJava 3's): a group not
 * subscribed by the time its emission returns is abandoned: it completes
 * at once, keeping its items for a late subscriber, and the next item
 * with its key makes a new group. So an unwanted group never holds the
 * others up. A group whose subscriber cancels is forgotten the same way.
 *
 * Demand: @p src is asked for @c prefetch items ahead and topped up as
 * the groups' subscribers consume them, so a slow group slows all. New
 * groups wait for the downstream's demand. If one waits while nothing
 * moves for @c stall_ms of scheduler time (a consumer that takes fewer
 * groups than there are, such as rx_flat_map() with a max_concurrent
 * below the number of keys), the stream fails with #RX_EBACKPRESSURE,
 * its message naming this operator and the one below it, instead of
 * hanging. Cancelling the outer stream stops new groups; groups
 * subscribed in the same pipeline go on until they cancel, groups
 * subscribed from other pipelines end with #RX_ECANCELED.
 *
 * @verbatim
 * src:        -a-b-A-B-c-|        key: lower case
 * group_by:   -x-y-----z-|        x: -a---A-----|  y: ---b---B---|
 *                                 z: ---------c-|
 * group_by + flat_map(max_concurrent 1), source not ending:
 * src:        -a-b-c-a-------
 * out:        -a-----a 999ms #    (stall after 1000 ms without progress)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param cfg  the options, copied; @borrows; @c cfg->key must not be
 *             NULL, counts not negative, @c cfg->sched NULL or timed
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p cfg
 *         or key function, a negative count, an untimed scheduler),
 *         #RX_ENOMEM
 * @note Runs on the pipeline's thread; subscribe groups there. The stall
 *       clock's scheduler must run on that thread too.
 * @see rx_group_by_at(), rx_group_key()
 */
RX_API rx_observable *rx_group_by_opts_at(const rx_site *site,
                                          rx_observable *src,
                                          const rx_group_by_config *cfg);
/**
 * @brief See rx_group_by_opts_at(). Variadic so that a compound literal
 * with several designated initialisers can be passed directly:
 * `rx_group_by_opts(src, &(rx_group_by_config){.key = k, .stall_ms = 50})`.
 */
#define rx_group_by_opts(src, ...)                                             \
    rx_group_by_opts_at(RX_SITE("rx_group_by_opts"), (src), __VA_ARGS__)

/**
 * @brief rx_group_by_opts() with a key function and the defaults.
 *
 * @verbatim
 * src:       -1-2-3-4-|      key: x % 2
 * group_by:  -o-e-----|      o: -1---3---|   e: ---2---4-|
 * @endverbatim
 *
 * @see @ref marbles_group_by "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/group_by-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param key  maps an item to its key; must not be NULL
 * @param ctx  passed to @p key; @borrows, must outlive the result
 * @return as rx_group_by_opts_at()
 */
RX_API rx_observable *rx_group_by_at(const rx_site *site, rx_observable *src,
                                     rx_map_fn key, void *ctx);
/** @brief See rx_group_by_at(). */
#define rx_group_by(src, key, ctx)                                             \
    rx_group_by_at(RX_SITE("rx_group_by"), (src), (key), (ctx))

/**
 * @brief The key of a group emitted by rx_group_by().
 * @param group  a group value; @borrows
 * @return @newref to the key, or rx_invalid() when @p group is not a
 *         group
 */
RX_API rx_value rx_group_key(rx_value group);

/* ---- windows and buffers cut by a boundary ------------------------------- */

/**
 * @brief Cuts the stream into windows: emits a window (an observable, as
 * an observable value) at the start and a new one at each item of
 * @p boundary, completing the previous one.
 *
 * A window has one subscriber (a second gets #RX_EINVAL) and keeps its
 * items until that subscriber comes; a window nobody subscribes to is
 * freed with its items (as rx_window_time()'s windows). @p src and
 * @p boundary are both asked for everything; a window due while the
 * downstream has no demand fails the stream with #RX_EBACKPRESSURE.
 * Either completing completes the open window, then the stream; an error
 * from either goes to the stream, then to the open window.
 *
 * @verbatim
 * src:               -a-b---c-d-|
 * boundary:          ----x---x-----|
 * window_boundary:   Wa-bW--cWd-|      (each window as W, then its items)
 * @endverbatim
 *
 * @see @ref marbles_window_boundary "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/window_boundary-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src       source; @takes
 * @param boundary  where to cut (its items' values do not matter);
 *                  @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (a NULL
 *         argument: NULL, the other released, the last error untouched)
 * @note Runs on the pipeline's thread; subscribe windows there.
 * @see rx_buffer_boundary_at(), rx_window_time_at()
 */
RX_API rx_observable *rx_window_boundary_at(const rx_site *site,
                                            rx_observable *src,
                                            rx_observable *boundary);
/** @brief See rx_window_boundary_at(). */
#define rx_window_boundary(src, boundary)                                      \
    rx_window_boundary_at(RX_SITE("rx_window_boundary"), (src), (boundary))

/**
 * @brief Collects items into array values cut at each item of
 * @p boundary: emits the items since the previous cut (an empty array
 * when there were none), and the last array when @p src completes.
 *
 * @p src and @p boundary are both asked for everything; an array due at
 * a boundary item while the downstream has no demand fails the stream
 * with #RX_EBACKPRESSURE (the final array waits for demand). @p boundary
 * completing emits the last array and completes; an error from either
 * drops the open array and goes downstream.
 *
 * @verbatim
 * src:              -a-b---c----|
 * boundary:         ----x----x------|
 * buffer_boundary:  ----p----q--(r|)   p=[a,b]  q=[c]  r=[]
 * @endverbatim
 *
 * @see @ref marbles_buffer_boundary "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/buffer_boundary-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src       source; @takes
 * @param boundary  where to cut; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (a NULL
 *         argument: NULL, the other released, the last error untouched)
 * @note Runs on the pipeline's thread.
 * @see rx_window_boundary_at(), rx_buffer_time_at()
 */
RX_API rx_observable *rx_buffer_boundary_at(const rx_site *site,
                                            rx_observable *src,
                                            rx_observable *boundary);
/** @brief See rx_buffer_boundary_at(). */
#define rx_buffer_boundary(src, boundary)                                      \
    rx_buffer_boundary_at(RX_SITE("rx_buffer_boundary"), (src), (boundary))

/* ---- expand -------------------------------------------------------------- */

/**
 * @brief Emits every item of @p src and expands each emitted item, of any
 * level, with @p fn into an inner observable whose items are emitted and
 * expanded in turn, breadth first, until every inner has completed.
 *
 * Breadth first, RxJava's default expand strategy: @p src runs first,
 * then the inners made from its items one at a time in order, then the
 * inners made from theirs, and so on; one source runs at a time and the
 * downstream's demand goes to it. Inners are started by a loop, so a
 * chain of any depth runs in constant stack. The first error, of any
 * level or of @p fn, cancels what runs and goes downstream.
 *
 * @verbatim
 * src:     (3|)          fn(x): x > 1 ? (x-1 twice|) : (|)
 * expand:  (3 2 2 1 1 1 1|)
 * @endverbatim
 *
 * @see @ref marbles_expand "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/expand-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site assembly site; the macro passes it
 * @param src  source; @takes
 * @param fn   maps an emitted item to the observable that expands it
 *             (rx_empty() to stop); must not be NULL
 * @param ctx  passed to @p fn; @borrows, must outlive the result
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p fn),
 *         #RX_ENOMEM
 * @note Runs on the pipeline's thread; inners must signal there too.
 */
RX_API rx_observable *rx_expand_at(const rx_site *site, rx_observable *src,
                                   rx_flat_map_fn fn, void *ctx);
/** @brief See rx_expand_at(). */
#define rx_expand(src, fn, ctx)                                                \
    rx_expand_at(RX_SITE("rx_expand"), (src), (fn), (ctx))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_HIGHER_H */
