/* SPDX-License-Identifier: MIT */
/*
 * group_by: split a stream into groups, one per key, each an observable
 * that emits the items with its key. This file is the stage; its table
 * of groups is group_by_groups.c. Policies, and why, are in
 * docs/design/group-by.md.
 *
 * A new key makes a group, which takes the item and waits in a FIFO
 * until the downstream asks for a group; it goes down as an observable
 * value. A group that nobody subscribed to by the time its emission
 * returns is abandoned (RxJava 3): it completes, keeping its items for a
 * late subscriber, and the next item of its key makes a new group. The
 * upstream is asked for `prefetch` items and topped up as the groups'
 * subscribers consume them.
 *
 * The stall check. A consumer that takes fewer groups than there are
 * (flat_map with max_concurrent below the number of keys) leaves groups
 * waiting for demand that never comes while the groups it took hold the
 * upstream, and everything hangs. While a group waits, a stall clock
 * (higher-internal.h) measures the time since the last progress (a
 * group taken, an item consumed); after `stall_ms` without any, the
 * stream fails with RX_EBACKPRESSURE naming this stage and the stage
 * below it. No hook in flat_map is needed: the waiting group is visible
 * here, and the stage below is `base.down`.
 *
 * Ending. Completion completes every group, then the outer stream once
 * the waiting groups went down. An error goes to the outer stream first
 * (so a consumer in this pipeline, flat_map, cancels its groups before
 * they fail) and then to every group still subscribed. Cancelling the
 * outer stream stops new groups; groups subscribed within this pipeline
 * (flat_map's inners, when a take() between cut the outer stream) keep
 * receiving items until they cancel too, then the upstream is cancelled,
 * as in RxJava; groups subscribed from other pipelines end with
 * RX_ECANCELED, because this stage dies with its pipeline.
 */
#include <stddef.h>

#include "group_by.h"
#include "rx-sched.h"

static void gb_fail(struct gb_stage *st, rx_error *err);

/* ---- the stall clock --------------------------------------------------- */

/* Runs the clock while a group waits to go down, stops it otherwise. */
static void
clock_update(struct gb_stage *st)
{
    if (st->pend_head == NULL || st->outer_done) {
        rx__stall_stop(&st->clock);
    } else {
        rx__stall_arm(&st->clock);
    }
}

/* The last part of a path, for messages. */
static const char *
base_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;

    return slash != NULL ? slash + 1 : (path != NULL ? path : "?");
}

/* The error for a stall: names this stage and the one below it. */
static rx_error *
stall_error(const struct gb_stage *st)
{
    const rx_site *me = rx__stage_site(&st->base);
    const rx__stage *down = st->base.down;
    rx_site below = {NULL, 0, "the subscriber"};

    if (down->obs != NULL) {
        below = down->obs->site;
    }
    return rx__error_at(
        me, RX_EBACKPRESSURE,
        "%s (%s:%d): %u groups are live but %s (%s:%d) below it took only "
        "%lld and made no progress for %lld ms; it must take every group "
        "(rx_flat_map: max_concurrent at least the number of keys)",
        me->name, base_name(me->file), me->line,
        (unsigned)HASH_COUNT(st->groups), below.name, base_name(below.file),
        below.line, (long long)st->taken, (long long)st->clock.ms);
}

/* The clock fired: a stall, or an error that kept it from running. */
static void
stalled(rx__stall *c, rx_error *err)
{
    struct gb_stage *st =
        (struct gb_stage *)(void *)((char *)c -
                                    offsetof(struct gb_stage, clock));

    gb_fail(st, err != NULL ? err : stall_error(st));
}

/* ---- emitting groups --------------------------------------------------- */

static void
gb_pass(struct gb_stage *st)
{
    struct group *g;

    while (!st->outer_done && (g = st->pend_head) != NULL &&
           st->requested > 0) {
        rx_value box = g->box;

        st->pend_head = g->pend_next;
        if (st->pend_head == NULL) {
            st->pend_tail = NULL;
        }
        g->pend_next = NULL;
        g->pending = false;
        g->box = rx_nil();
        if (rx__emit_next(&st->base, box)) {
            st->requested = rx__demand_sub(st->requested, 1);
            st->taken++;
            rx__stall_progress(&st->clock);
        }
        if (!g->b.subscribed) {
            rx__gb_abandon(st, g);
        }
        rx_value_release(box);
    }
    clock_update(st);
    if (st->complete_pending && !st->outer_done && st->pend_head == NULL) {
        st->outer_done = true;
        rx__emit_complete(&st->base);
    }
}

static void
gb_drain(struct gb_stage *st)
{
    if (st->wip++ > 0) {
        return;
    }
    if (!st->started) {
        st->wip = 0;
        return;
    }
    do {
        st->wip = 1;
        gb_pass(st);
    } while (--st->wip > 0);
}

/* ---- failing ----------------------------------------------------------- */

/* Fails the stream with err (taken): the upstream stops, the outer stream
 * gets it first, then every group still in the table. */
static void
gb_fail(struct gb_stage *st, rx_error *err)
{
    bool to_outer = !st->outer_done;
    bool was_done = st->done;

    if (was_done && !to_outer) {
        rx__undeliverable(err);
        rx_error_release(err);
        return;
    }
    st->done = true;
    st->outer_done = true;
    if (!was_done) {
        rx__cancel_up(&st->base);
    }
    rx__stall_stop(&st->clock);
    rx__gb_drop_pending(st);
    if (to_outer) {
        rx__emit_error(&st->base, err);
    }
    rx__gb_close_all(st, err);
    rx_error_release(err);
}

/* ---- the stage --------------------------------------------------------- */

static bool
gb_on_next(rx__stage *self, rx_value v)
{
    struct gb_stage *st = (struct gb_stage *)self;
    const struct gb_obs *o = rx__gb_params(st);
    rx_error *err = NULL;
    struct group *g;
    rx_value key;
    rx_value val;
    bool fresh = false;
    int rc;

    if (st->done) {
        return false;
    }
    key = o->key(v, o->ctx, &err);
    if (err != NULL || rx_is_invalid(key)) {
        rx_value_release(key);
        gb_fail(st, err != NULL ? err : rx__higher_oom(self));
        return true;
    }
    HASH_FIND(hh, st->groups, &key, sizeof key, g);
    if (g != NULL) {
        rx_value_release(key);
    } else if (st->outer_done) {
        rx_value_release(key); /* no new groups once the outer was cut */
        rx__gb_consumed(st, 1);
        return true;
    } else {
        g = rx__gb_open(st, key);
        if (g == NULL) {
            gb_fail(st, rx__higher_oom(self));
            return true;
        }
        fresh = true;
    }
    val = o->value != NULL ? o->value(v, o->ctx, &err) : rx_value_retain(v);
    if (err != NULL || rx_is_invalid(val)) {
        rx_value_release(val);
        gb_fail(st, err != NULL ? err : rx__higher_oom(self));
        return true;
    }
    rc = rx__ubuf_push(&g->b, val); /* g may leave the table inside */
    rx_value_release(val);
    if (rc < 0) {
        gb_fail(st, rx__higher_oom(self));
        return true;
    }
    if (rc > 0) {
        rx__gb_consumed(st, 1); /* its group had ended */
    }
    if (fresh) {
        gb_drain(st);
    }
    return true;
}

static void
gb_on_error(rx__stage *self, const rx_error *err)
{
    struct gb_stage *st = (struct gb_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    gb_fail(st, rx_error_retain(err));
}

static void
gb_on_complete(rx__stage *self)
{
    struct gb_stage *st = (struct gb_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__gb_close_all(st, NULL);
    if (!st->outer_done) {
        st->complete_pending = true;
        gb_drain(st);
    }
}

static void
gb_request(rx__stage *self, int64_t n)
{
    struct gb_stage *st = (struct gb_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    gb_drain(st);
}

/* The outer stream is cancelled. When the whole pipeline stops, so does
 * everything; when only a stage below cut the outer stream, groups
 * subscribed within this pipeline go on (see the file comment). */
static void
gb_cancel(rx__stage *self)
{
    struct gb_stage *st = (struct gb_stage *)self;
    bool whole = self->pipe->cancelled || !self->pipe->running;

    if (st->outer_done) {
        return;
    }
    st->outer_done = true;
    rx__stall_stop(&st->clock);
    rx__gb_drop_pending(st);
    if (st->done) {
        return; /* the groups have ended already */
    }
    rx__gb_cancel_groups(st, whole);
    if (st->groups == NULL) {
        st->done = true;
        rx__cancel_up(self);
    }
}

static void
cancel_source(void *arg)
{
    rx__cancel_up(&((struct gb_stage *)arg)->base);
}

void
rx__gb_last_group_left(struct gb_stage *st)
{
    st->done = true;
    rx__in_frame(st->base.pipe, cancel_source, st);
}

static void
gb_start(rx__stage *self)
{
    struct gb_stage *st = (struct gb_stage *)self;

    st->started = true;
    rx__request_up(self, rx__gb_params(st)->prefetch);
    rx__stage_start(self->up);
}

/* Lets every group go. Nothing may run now: a group still open (its
 * subscriber, if any, is in this pipeline and dies with it) is marked
 * ended for a late subscriber without signalling anyone. */
static void
gb_teardown(rx__stage *self)
{
    struct gb_stage *st = (struct gb_stage *)self;

    st->done = true;
    st->outer_done = true;
    rx__stall_stop(&st->clock);
    rx__gb_drop_pending(st);
    while (st->groups != NULL) {
        struct group *g = st->groups;

        if (!g->b.closed) {
            g->b.closed = true;
            g->b.error = rx__error_at(rx__stage_site(self), RX_ECANCELED,
                                      "%s: the outer stream ended",
                                      rx__stage_site(self)->name);
        }
        rx__gb_remove(st, g);
    }
}

static const struct rx__stage_ops gb_stage_ops = {
    .on_next = gb_on_next,
    .on_error = gb_on_error,
    .on_complete = gb_on_complete,
    .request = gb_request,
    .cancel = gb_cancel,
    .start = gb_start,
    .teardown = gb_teardown,
};

static int
gb_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    const struct gb_obs *o = (const struct gb_obs *)self;
    struct gb_stage *st =
        rx__stage_new(pipe, &gb_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__stall_init(&st->clock, &st->base, o->sched, o->stall_ms, stalled);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
gb_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct gb_obs *)self)->sched);
}

static const struct rx__obs_ops gb_ops = {
    .assemble = gb_assemble,
    .destroy = gb_destroy,
};

/* ---- constructors ------------------------------------------------------ */

rx_observable *
rx_group_by_opts_at(const rx_site *site, rx_observable *src,
                    const rx_group_by_config *cfg)
{
    struct gb_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (cfg == NULL || cfg->key == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: cfg and cfg->key must not be NULL",
                             site->name);
    }
    if (cfg->prefetch < 0 || cfg->stall_ms < 0) {
        rx_observable_release(src);
        return rx__fail_null(
            RX_EINVAL, "%s: prefetch and stall_ms must be >= 0", site->name);
    }
    if (cfg->sched != NULL && !rx__sched_timed(cfg->sched)) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "%s: sched must have timers (not the "
                             "trampoline or immediate scheduler)",
                             site->name);
    }
    o = rx__observable_new(site, &gb_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->key = cfg->key;
    o->value = cfg->value;
    o->ctx = cfg->ctx;
    o->prefetch = cfg->prefetch == 0 ? GB_PREFETCH : cfg->prefetch;
    o->stall_ms = cfg->stall_ms == 0 ? RX_GROUP_BY_STALL_MS : cfg->stall_ms;
    o->sched = rx_scheduler_retain(cfg->sched);
    return &o->base;
}

rx_observable *
rx_group_by_at(const rx_site *site, rx_observable *src, rx_map_fn key,
               void *ctx)
{
    rx_group_by_config cfg = {.key = key, .ctx = ctx};

    return rx_group_by_opts_at(site, src, &cfg);
}
