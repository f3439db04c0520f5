/* SPDX-License-Identifier: MIT */
/*
 * ref_count, share and auto_connect: connecting a connectable observable
 * by counting its subscribers.
 *
 * The observable keeps the count and the connection handle: they are
 * shared by every subscription made from it, on the owner thread. Each
 * subscription has one small stage above the connectable's subject stage.
 * It counts itself when it starts (after joining the subject, so a
 * synchronous source's items reach it), and uncounts itself once, at its
 * terminal signal or its cancel. ref_count connects at the first count and
 * disposes the connection when the count returns to zero; auto_connect
 * connects once, at the n-th subscriber, and disposes the connection only
 * when the observable itself is freed.
 */
#include "multicast-internal.h"

struct rc_obs {
    rx_observable base;    /* base.src: the connectable */
    int64_t count;         /* subscribers counted now */
    int64_t n;             /* auto_connect: the subscriber that connects */
    bool autoc;            /* auto_connect rather than ref_count */
    bool connected;        /* auto_connect: it connected (once) */
    rx_subscription *conn; /* the connection handle, or NULL */
};

struct rc_stage {
    rx__stage base; /* base.up: the connectable's subject stage */
    bool counted;   /* counted and not yet uncounted */
};

static struct rc_obs *
rc_params(const struct rc_stage *st)
{
    return (struct rc_obs *)st->base.obs;
}

/* The subscriber leaves the count; the last one out disconnects. */
static void
uncount(struct rc_stage *st)
{
    struct rc_obs *o = rc_params(st);

    if (!st->counted) {
        return;
    }
    st->counted = false;
    if (--o->count == 0 && !o->autoc && o->conn != NULL) {
        rx_subscription *h = o->conn;
        o->conn = NULL;
        rx_dispose(h);
    }
}

static bool
rc_on_next(rx__stage *self, rx_value v)
{
    return rx__emit_next(self, v);
}

static void
rc_on_error(rx__stage *self, const rx_error *err)
{
    uncount((struct rc_stage *)self);
    rx__emit_error(self, err);
}

static void
rc_on_complete(rx__stage *self)
{
    uncount((struct rc_stage *)self);
    rx__emit_complete(self);
}

static void
rc_cancel(rx__stage *self)
{
    rx__cancel_up(self);
    uncount((struct rc_stage *)self);
}

static void
rc_start(rx__stage *self)
{
    struct rc_stage *st = (struct rc_stage *)self;
    struct rc_obs *o = rc_params(st);
    bool connect;
    int rc;

    st->counted = true;
    o->count++;
    rx__stage_start(self->up);
    connect = o->autoc ? !o->connected && o->count >= o->n : o->conn == NULL;
    if (!st->counted || !connect) {
        return; /* already over, or someone else connects */
    }
    o->connected = true;
    rc = rx_connect(o->base.src, &o->conn);
    if (rc < 0 && rc != RX_EBUSY && st->counted) {
        rx_error *err =
            rx__error_at(rx__stage_site(self), rc, "%s: cannot connect: %s",
                         rx__stage_site(self)->name, rx_strerror(rc));
        /* A failed connect is the source failing: every subscriber that
         * joined the connection gets the error, not only the one that
         * tried to connect (auto_connect(n) has n - 1 others waiting,
         * and it never connects again). */
        if (!rx__connectable_fail(o->base.src, err)) {
            rx__cancel_up(self);
            uncount(st);
            rx__emit_new_error(self, err);
        }
    }
}

static void
rc_teardown(rx__stage *self)
{
    uncount((struct rc_stage *)self);
}

static const struct rx__stage_ops rc_stage_ops = {
    .on_next = rc_on_next,
    .on_error = rc_on_error,
    .on_complete = rc_on_complete,
    .request = rx__stage_pass_request,
    .cancel = rc_cancel,
    .start = rc_start,
    .teardown = rc_teardown,
};

static int
rc_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
            rx__stage **out)
{
    struct rc_obs *o = (struct rc_obs *)self;
    struct rc_stage *st;

    st = rx__stage_new(pipe, &rc_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    if (!o->autoc && o->count == 0) {
        rx__connectable_reset(self->src); /* a new connection for a new run */
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
rc_destroy(rx_observable *self)
{
    struct rc_obs *o = (struct rc_obs *)self;

    rx_dispose(o->conn);
    o->conn = NULL;
}

static const struct rx__obs_ops rc_ops = {
    .assemble = rc_assemble,
    .destroy = rc_destroy,
};

static rx_observable *
rc_new(const rx_site *site, rx_observable *connectable, bool autoc, int64_t n)
{
    struct rc_obs *o;

    if (connectable == NULL) {
        return NULL;
    }
    if (!rx__is_connectable(connectable) || n < 0) {
        rx_observable_release(connectable);
        return rx__fail_null(RX_EINVAL,
                             "%s: connectable must come from rx_publish or "
                             "rx_replay%s",
                             site->name, autoc ? ", and n must be >= 0" : "");
    }
    o = rx__observable_new(site, &rc_ops, sizeof *o, connectable);
    if (o == NULL) {
        return NULL;
    }
    o->autoc = autoc;
    o->n = n;
    return &o->base;
}

rx_observable *
rx_ref_count_at(const rx_site *site, rx_observable *connectable)
{
    return rc_new(site, connectable, false, 0);
}

rx_observable *
rx_auto_connect_at(const rx_site *site, rx_observable *connectable, int64_t n)
{
    return rc_new(site, connectable, true, n);
}

rx_observable *
rx_share_at(const rx_site *site, rx_observable *src)
{
    return rx_ref_count_at(site, rx_publish_at(site, src));
}
