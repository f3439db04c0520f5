/* SPDX-License-Identifier: MIT */
/*
 * group_by's table of groups (group_by.h): making, finding, abandoning
 * and ending groups, the hooks through which a group tells the stage
 * what its subscriber did, and the upstream accounting those drive.
 *
 * A group is a unicast buffer (higher-internal.h) with its key, kept in
 * a uthash table keyed by rx_value (src/rx-uthash.h: equality is
 * rx_value_equal(), hashing rx_value_hash()); the table holds the
 * stage's reference, and a group's `parent` is set exactly while it is
 * in the table. A group waiting to go down also sits in a FIFO, its
 * observable value (`box`) holding another reference.
 */
#include "group_by.h"
#include "rx-assert.h"

/* ---- bookkeeping ------------------------------------------------------- */

/* Takes a group out of the table: its hooks stop reaching the stage and
 * the stage's reference goes (the group may be freed). */
void
rx__gb_remove(struct gb_stage *st, struct group *g)
{
    if (!g->in_map || RX__NEVER(st->groups == NULL)) {
        return;
    }
    HASH_DEL(st->groups, g);
    g->in_map = false;
    g->b.parent = NULL;
    rx_observable_release(&g->b.base);
}

static void
top_up(void *arg)
{
    struct gb_stage *st = arg;
    int64_t r = st->consumed;

    st->consumed = 0;
    rx__request_up(&st->base, r);
}

/* Counts n items that left the groups' accounting and asks the upstream
 * for more once 3/4 of the prefetch has. Runs inside a frame of this
 * pipeline: the call may come from a group's subscriber elsewhere. */
void
rx__gb_consumed(struct gb_stage *st, int64_t n)
{
    const struct gb_obs *o = rx__gb_params(st);

    if (st->done || o->prefetch == RX_UNBOUNDED || n <= 0) {
        return;
    }
    st->consumed += n;
    if (st->consumed >= o->prefetch - o->prefetch / 4) {
        rx__in_frame(st->base.pipe, top_up, st);
    }
}

/* The groups in the table, each retained, linked through snap_next: what
 * a terminal signal walks while callbacks may change the table. */
static struct group *
snapshot(struct gb_stage *st)
{
    struct group *list = NULL;
    struct group **tail = &list;

    for (struct group *g = st->groups; g != NULL; g = g->hh.next) {
        rx_observable_retain(&g->b.base);
        g->snap_next = NULL;
        *tail = g;
        tail = &g->snap_next;
    }
    return list;
}

/* Lets the waiting groups go: nobody has seen them, so they are freed
 * with their items. */
void
rx__gb_drop_pending(struct gb_stage *st)
{
    struct group *g;

    while ((g = st->pend_head) != NULL) {
        rx_value box = g->box;
        int64_t n = (int64_t)g->b.q.len;

        st->pend_head = g->pend_next;
        g->pend_next = NULL;
        g->pending = false;
        g->box = rx_nil();
        rx__gb_remove(st, g); /* the box still holds it */
        rx__gb_consumed(st, n);
        rx_value_release(box);
    }
    st->pend_tail = NULL;
}

/* ---- group hooks ------------------------------------------------------- */

static void
group_consumed(rx__ubuf *b, int64_t n)
{
    struct gb_stage *st = b->parent;

    rx__stall_progress(&st->clock);
    rx__gb_consumed(st, n);
}

static void
group_detached(rx__ubuf *b)
{
    struct gb_stage *st = b->parent;

    rx__stall_progress(&st->clock);
    rx__gb_remove(st, (struct group *)b);
    if (st->outer_done && !st->done && st->groups == NULL) {
        rx__gb_last_group_left(st);
    }
}

static void
group_destroy(rx__ubuf *b)
{
    struct group *g = (struct group *)b;

    rx_value_release(g->key);
    rx_value_release(g->box); /* nil once emitted or dropped */
}

const struct rx__ubuf_hooks rx__group_hooks = {
    .consumed = group_consumed,
    .detached = group_detached,
    .destroy = group_destroy,
};

/* Makes the group of `key` (taken), in the table and waiting to go
 * down. NULL when memory runs out (nothing is left over). */
struct group *
rx__gb_open(struct gb_stage *st, rx_value key)
{
    struct group *g;

    g = rx__ubuf_new(rx__stage_site(&st->base), sizeof *g, "group",
                     &rx__group_hooks, st);
    if (g == NULL) {
        rx_value_release(key);
        return NULL;
    }
    g->key = key;
    g->box = rx_observable_value(rx_observable_retain(&g->b.base));
    if (rx_is_invalid(g->box)) {
        g->box = rx_nil();
        rx_observable_release(&g->b.base);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, st->groups, &g->key, sizeof g->key, g);
    if (!RX__HASH_ADDED(g)) {
        rx_value box = g->box;

        g->box = rx_nil();
        rx_observable_release(&g->b.base);
        rx_value_release(box);
        return NULL;
    }
    g->in_map = true;
    g->pending = true;
    if (st->pend_tail != NULL) {
        st->pend_tail->pend_next = g;
    } else {
        st->pend_head = g;
    }
    st->pend_tail = g;
    return g;
}

/* A group went down and nobody subscribed to it: it leaves the table
 * and completes, keeping its items for a late subscriber. */
void
rx__gb_abandon(struct gb_stage *st, struct group *g)
{
    int64_t n = (int64_t)g->b.q.len;

    if (!g->in_map) {
        return;
    }
    rx__gb_remove(st, g); /* the caller holds it */
    rx__ubuf_close(&g->b, NULL);
    rx__gb_consumed(st, n);
}

/* Ends every group in the table with err (borrowed; NULL completes). */
void
rx__gb_close_all(struct gb_stage *st, const rx_error *err)
{
    struct group *g = snapshot(st);

    while (g != NULL) {
        struct group *next = g->snap_next;

        rx__ubuf_close(&g->b, err);
        rx_observable_release(&g->b.base);
        g = next;
    }
}

void
rx__gb_cancel_groups(struct gb_stage *st, bool whole)
{
    const rx__pipeline *pipe = st->base.pipe;
    const rx_site *site = rx__stage_site(&st->base);
    rx_error *err = rx__error_at(
        site, RX_ECANCELED, "%s: the outer stream was cancelled", site->name);
    struct group *g = snapshot(st);

    while (g != NULL) {
        struct group *next = g->snap_next;

        if (whole || !rx__ubuf_attached_in(&g->b, pipe)) {
            rx__gb_remove(st, g);
            rx__ubuf_close_for(&g->b, err, pipe);
        }
        rx_observable_release(&g->b.base);
        g = next;
    }
    rx_error_release(err);
}

/* ---- reading a group's key ---------------------------------------------- */

rx_value
rx_group_key(rx_value group)
{
    rx_observable *obs = rx_value_observable(group);
    rx_value key = rx_invalid();

    if (rx__ubuf_is(obs) && ((rx__ubuf *)obs)->hooks == &rx__group_hooks) {
        key = rx_value_retain(((struct group *)(void *)obs)->key);
    }
    rx_observable_release(obs);
    return key;
}
