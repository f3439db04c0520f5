/* SPDX-License-Identifier: MIT */
/*
 * publish, replay and connect: connectable observables.
 *
 * A connectable observable holds its current connection: a subject
 * (publish or replay) and, once connected, the subscription that feeds
 * the source into it. Subscribing to the connectable joins the current
 * connection's subject: the subscriber's pipeline gets the subject's
 * stage and nothing else, so a shared source costs each subscriber one
 * stage. rx_connect() subscribes the source with an observer that pushes
 * into the subject; the subscription it returns is the handle that
 * disconnects.
 *
 * A connection is reset (the next subscriber or rx_connect() makes a new
 * one) when it is disconnected; one whose source ended stays, so late
 * subscribers receive the terminal signal, until rx_connect() or a
 * ref_count's first subscriber replaces it (RxJava 3's reset()).
 *
 * Connections are counted by the connectable (while current) and by the
 * source's subscription (until its on_finally); both live on the owner
 * thread, so the count is a plain integer.
 */
#include "multicast-internal.h"
#include "../time/time-internal.h"

struct connection {
    long refs;
    struct conn_obs *owner; /* NULL once the connectable is gone */
    rx_subject *subject;
    bool connected;       /* rx_connect subscribed the source */
    bool finished;        /* that subscription's on_finally ran */
    rx_subscription *src; /* that subscription, for its own callbacks */
};

struct conn_obs {
    rx_observable base; /* base.src: the shared source */
    bool replay;
    size_t max_count;
    int64_t max_age_ms;
    rx_scheduler *sched; /* retained, or NULL */
    struct connection *cur;
};

static void
conn_release(struct connection *c)
{
    if (c != NULL && --c->refs == 0) {
        rx_subject_release(c->subject);
        rx__free(c);
    }
}

static struct connection *
conn_new(struct conn_obs *o)
{
    struct connection *c = rx__calloc(1, sizeof *c);

    if (c == NULL) {
        return rx__fail_null(RX_ENOMEM, "%s: out of memory", o->base.site.name);
    }
    c->subject = o->replay ? rx_subject_replay_at(&o->base.site, o->max_count,
                                                  o->max_age_ms, o->sched)
                           : rx_subject_publish_at(&o->base.site);
    if (c->subject == NULL) {
        rx__free(c);
        return NULL;
    }
    c->refs = 1;
    c->owner = o;
    return c;
}

/* Makes the connectable's current connection a fresh one when there is
 * none. Returns it, or NULL with the last error set. */
static struct connection *
conn_current(struct conn_obs *o)
{
    if (o->cur == NULL) {
        o->cur = conn_new(o);
    }
    return o->cur;
}

/* Forgets the current connection (it stays alive while its source
 * subscription runs). */
static void
conn_drop_current(struct conn_obs *o)
{
    struct connection *c = o->cur;

    if (c != NULL) {
        o->cur = NULL;
        c->owner = NULL;
        conn_release(c);
    }
}

/* ---- the source's observer ------------------------------------------- */

static void
up_subscribe(rx_subscription *sub, void *ctx)
{
    struct connection *c = ctx;

    c->src = sub;
    (void)rx_request(sub, RX_UNBOUNDED);
}

/* An item the subject cannot store (a replay buffer) or queue (an item
 * pushed during an emission) for want of memory must not vanish with the
 * stream going on: the connection fails as if its source had. */
static void
up_next(rx_value v, void *ctx)
{
    struct connection *c = ctx;

    if (rx_subject_next(c->subject, rx_value_retain(v)) == RX_ENOMEM) {
        rx_cancel(c->src);
        (void)rx_subject_error(c->subject,
                               rx_error_new(RX_ENOMEM,
                                            "%s: out of memory storing an item",
                                            c->subject->base.site.name));
    }
}

static void
up_error(const rx_error *err, void *ctx)
{
    struct connection *c = ctx;

    (void)rx_subject_error(c->subject, rx_error_retain(err));
}

static void
up_complete(void *ctx)
{
    struct connection *c = ctx;

    (void)rx_subject_complete(c->subject);
}

static void
up_finally(void *ctx)
{
    struct connection *c = ctx;

    c->finished = true;
    /* Disconnected before the end: the next subscribers need a new
     * connection. One that ended stays until reset. */
    if (c->owner != NULL && c->owner->cur == c &&
        !rx__subject_ended(c->subject)) {
        conn_drop_current(c->owner);
    }
    conn_release(c);
}

/* ---- the observable --------------------------------------------------- */

static int
conn_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct connection *c = conn_current((struct conn_obs *)self);

    if (c == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(&c->subject->base, pipe, down, out);
}

static void
conn_destroy(rx_observable *self)
{
    struct conn_obs *o = (struct conn_obs *)self;

    conn_drop_current(o);
    rx_scheduler_release(o->sched);
}

static const struct rx__obs_ops conn_ops = {
    .assemble = conn_assemble,
    .destroy = conn_destroy,
};

bool
rx__is_connectable(const rx_observable *obs)
{
    return obs != NULL && obs->ops == &conn_ops;
}

void
rx__connectable_reset(rx_observable *obs)
{
    struct conn_obs *o = (struct conn_obs *)obs;

    if (o->cur != NULL && rx__subject_ended(o->cur->subject)) {
        conn_drop_current(o);
    }
}

bool
rx__connectable_fail(rx_observable *obs, rx_error *err)
{
    struct conn_obs *o = (struct conn_obs *)obs;

    if (o->cur == NULL || rx__subject_ended(o->cur->subject)) {
        return false;
    }
    (void)rx_subject_error(o->cur->subject, err);
    return true;
}

int
rx_connect(rx_observable *connectable, rx_subscription **out)
{
    struct conn_obs *o = (struct conn_obs *)connectable;
    struct connection *c;
    int rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || !rx__is_connectable(connectable)) {
        return rx__fail(RX_EINVAL, "rx_connect: connectable must come from "
                                   "rx_publish or rx_replay, and out must "
                                   "not be NULL");
    }
    if (o->cur != NULL && o->cur->connected && !o->cur->finished) {
        return rx__fail(RX_EBUSY, "rx_connect: already connected");
    }
    if (o->cur != NULL && o->cur->connected) {
        conn_drop_current(o); /* ended: start afresh */
    }
    c = conn_current(o);
    if (c == NULL) {
        return RX_ENOMEM;
    }
    c->connected = true;
    c->refs++; /* the source's subscription, until its on_finally */
    rc = rx_subscribe(o->base.src,
                      &(rx_observer){.on_subscribe = up_subscribe,
                                     .on_next = up_next,
                                     .on_error = up_error,
                                     .on_complete = up_complete,
                                     .on_finally = up_finally,
                                     .ctx = c},
                      out);
    if (rc < 0) {
        c->connected = false;
        c->refs--;
    }
    return rc;
}

static rx_observable *
connectable_new(const rx_site *site, rx_observable *src, bool replay,
                size_t max_count, int64_t max_age_ms, rx_scheduler *sched)
{
    struct conn_obs *o;

    if (src == NULL) {
        return NULL;
    }
    o = rx__observable_new(site, &conn_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->replay = replay;
    o->max_count = max_count;
    o->max_age_ms = max_age_ms;
    o->sched = rx_scheduler_retain(sched);
    return &o->base;
}

rx_observable *
rx_publish_at(const rx_site *site, rx_observable *src)
{
    return connectable_new(site, src, false, 0, 0, NULL);
}

rx_observable *
rx_replay_at(const rx_site *site, rx_observable *src, size_t max_count,
             int64_t max_age_ms, rx_scheduler *sched)
{
    if (src == NULL) {
        return NULL;
    }
    if (max_age_ms < 0 ||
        (max_age_ms > 0 &&
         !rx__time_args_ok("rx_replay", "max_age_ms", max_age_ms, 1, sched))) {
        rx_observable_release(src);
        if (max_age_ms < 0) {
            rx__set_last_error(RX_EINVAL, "rx_replay: max_age_ms must be >= 0");
        }
        return NULL;
    }
    return connectable_new(site, src, true, max_count, max_age_ms, sched);
}
