/* SPDX-License-Identifier: MIT */
/*
 * Private to group_by (group_by.c, the stage; group_by_groups.c, its
 * table of groups): the observable, the stage, a group, and the calls
 * between the two files.
 */
#ifndef UVRX_GROUP_BY_H
#define UVRX_GROUP_BY_H

#include "higher-internal.h"
#include "rx-uthash.h"

#define GB_PREFETCH 128

struct gb_obs {
    rx_observable base;
    rx_map_fn key;
    rx_map_fn value; /* NULL: items go into groups unchanged */
    void *ctx;
    int64_t prefetch;
    int64_t stall_ms;    /* RX_UNBOUNDED: never */
    rx_scheduler *sched; /* retained; NULL for the default */
};

struct group {
    rx__ubuf b; /* the group's items and subscriber; first */
    rx_value key;
    UT_hash_handle hh;
    struct group *pend_next; /* the FIFO of groups waiting to go down */
    struct group *snap_next; /* a snapshot of the table */
    rx_value box;            /* the value to emit, until emitted */
    bool in_map;             /* in the table (the stage's reference) */
    bool pending;            /* waiting to go down */
};

struct gb_stage {
    rx__stage base;       /* base.up: the source */
    struct group *groups; /* the uthash table */
    struct group *pend_head;
    struct group *pend_tail;
    int64_t requested; /* groups the downstream asked for */
    int64_t consumed;  /* items consumed since the last top-up */
    int64_t taken;     /* groups the downstream took */
    rx__stall clock;   /* runs while a group waits to go down */
    int wip;           /* emission passes owed; > 0 while one runs */
    bool started;
    bool complete_pending; /* the upstream completed: outer completes */
    bool done;             /* the upstream has ended or been cancelled */
    bool outer_done;       /* the outer stream ended or was cancelled */
};

static inline const struct gb_obs *
rx__gb_params(const struct gb_stage *st)
{
    return (const struct gb_obs *)st->base.obs;
}

/* The hooks of every group (tells a group value from other values). */
extern const struct rx__ubuf_hooks rx__group_hooks;

/* Makes the group of `key` (taken), in the table and waiting to go
 * down. NULL when memory runs out (nothing is left over). */
struct group *rx__gb_open(struct gb_stage *st, rx_value key);

/* Takes a group out of the table: its hooks stop reaching the stage and
 * the stage's reference goes (the group may be freed). */
void rx__gb_remove(struct gb_stage *st, struct group *g);

/* A group went down and nobody subscribed to it: it leaves the table
 * and completes, keeping its items for a late subscriber. The caller
 * holds a reference to it. */
void rx__gb_abandon(struct gb_stage *st, struct group *g);

/* Lets the waiting groups go: nobody has seen them, so they are freed
 * with their items. */
void rx__gb_drop_pending(struct gb_stage *st);

/* Ends every group in the table with err (borrowed; NULL completes). */
void rx__gb_close_all(struct gb_stage *st, const rx_error *err);

/* Ends, as the outer stream is cancelled, the groups that cannot go on:
 * all of them when `whole` (the pipeline stops), else those not
 * subscribed inside this pipeline. They leave the table. */
void rx__gb_cancel_groups(struct gb_stage *st, bool whole);

/* Counts n items that left the groups' accounting and asks the upstream
 * for more once 3/4 of the prefetch has. */
void rx__gb_consumed(struct gb_stage *st, int64_t n);

/* The outer stream was cut and its last group left: the upstream goes
 * too (defined in group_by.c). */
void rx__gb_last_group_left(struct gb_stage *st);

#endif /* UVRX_GROUP_BY_H */
