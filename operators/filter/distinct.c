/* SPDX-License-Identifier: MIT */
/*
 * distinct: drop items equal (rx_value_equal()) to one already emitted.
 *
 * The stage keeps a reference to every item it let through in a uthash
 * set (through src/rx-uthash.h, so equality is rx_value_equal(), hashing
 * is rx_value_hash(), and allocation is uvrx's). A duplicate returns
 * false from on_next: it consumed none of the demand this stage passed
 * up, so the upstream emits another in its place. When the set cannot
 * grow, the stream fails with RX_ENOMEM and the upstream is cancelled;
 * the set keeps what it had and is freed with the stage.
 */
#include "rx-uthash.h"

/* One item of the set: the key is the value itself, retained. */
struct distinct_seen {
    rx_value key;
    UT_hash_handle hh;
};

struct distinct_stage {
    rx__stage base;
    struct distinct_seen *seen; /* the uthash set; NULL when empty */
    bool done; /* a terminal signal was handled or we were cancelled */
};

/* Adds v (borrowed) to the set; false when memory ran out, with nothing
 * retained or allocated. */
static bool
distinct_remember(struct distinct_stage *st, rx_value v)
{
    struct distinct_seen *e = rx__malloc(sizeof *e);

    if (e == NULL) {
        return false;
    }
    e->key = rx_value_retain(v);
    HASH_ADD_KEYPTR(hh, st->seen, &e->key, sizeof e->key, e);
    if (!RX__HASH_ADDED(e)) {
        rx_value_release(e->key);
        rx__free(e);
        return false;
    }
    return true;
}

static bool
distinct_on_next(rx__stage *self, rx_value v)
{
    struct distinct_stage *st = (struct distinct_stage *)self;
    struct distinct_seen *found;

    if (st->done) {
        return true;
    }
    HASH_FIND(hh, st->seen, &v, sizeof v, found);
    if (found != NULL) {
        return false;
    }
    if (!distinct_remember(st, v)) {
        st->done = true;
        rx__cancel_up(self);
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                              "rx_distinct: out of memory"));
        return true;
    }
    return rx__emit_next(self, v);
}

static void
distinct_on_error(rx__stage *self, const rx_error *err)
{
    struct distinct_stage *st = (struct distinct_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__emit_error(self, err);
}

static void
distinct_on_complete(rx__stage *self)
{
    struct distinct_stage *st = (struct distinct_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__emit_complete(self);
}

static void
distinct_cancel(rx__stage *self)
{
    struct distinct_stage *st = (struct distinct_stage *)self;

    st->done = true;
    rx__cancel_up(self);
}

/* Frees the set; deleting the last element also frees uthash's table. */
static void
distinct_teardown(rx__stage *self)
{
    struct distinct_stage *st = (struct distinct_stage *)self;
    struct distinct_seen *e;
    struct distinct_seen *tmp;

    HASH_ITER(hh, st->seen, e, tmp)
    {
        HASH_DEL(st->seen, e);
        rx_value_release(e->key);
        rx__free(e);
    }
}

static const struct rx__stage_ops distinct_stage_ops = {
    .on_next = distinct_on_next,
    .on_error = distinct_on_error,
    .on_complete = distinct_on_complete,
    .request = rx__stage_pass_request,
    .cancel = distinct_cancel,
    .teardown = distinct_teardown,
};

static int
distinct_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out)
{
    struct distinct_stage *st;

    st = rx__stage_new(pipe, &distinct_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops distinct_ops = {.assemble = distinct_assemble};

rx_observable *
rx_distinct_at(const rx_site *site, rx_observable *src)
{
    if (src == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &distinct_ops, sizeof(rx_observable), src);
}
