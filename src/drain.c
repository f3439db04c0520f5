/* SPDX-License-Identifier: MIT */
/*
 * The shared emission machinery: the drain loop that keeps re-entrant
 * requests from recursing (protocol rule 6), a ring of values, and the
 * outbox that operators use to emit held items as demand allows.
 */
#include "rx-internal.h"
#include "rx-assert.h"

void
rx__drain(rx__demand *d, rx__drain_pass_fn pass, void *self)
{
    if (d->draining) {
        return; /* the pass on the stack will see the new demand */
    }
    d->draining = true;
    while (!d->cancelled && pass(self)) {
    }
    d->draining = false;
}

/* ---- value ring ------------------------------------------------------- */

int
rx__vqueue_push(rx__vqueue *q, rx_value v)
{
    if (q->len == q->cap) {
        size_t ncap = q->cap == 0 ? 8 : q->cap * 2;
        rx_value *nbuf;
        /* Doubling cannot outgrow memory before malloc fails. */
        if (RX__NEVER(ncap > SIZE_MAX / sizeof *nbuf)) {
            rx_value_release(v);
            return RX_ENOMEM;
        }
        nbuf = rx__malloc(ncap * sizeof *nbuf);
        if (nbuf == NULL) {
            rx_value_release(v);
            return RX_ENOMEM;
        }
        for (size_t i = 0; i < q->len; i++) {
            nbuf[i] = q->buf[(q->head + i) & (q->cap - 1)];
        }
        rx__free(q->buf);
        q->buf = nbuf;
        q->cap = ncap;
        q->head = 0;
    }
    q->buf[(q->head + q->len) & (q->cap - 1)] = v;
    q->len++;
    return 0;
}

rx_value
rx__vqueue_pop(rx__vqueue *q)
{
    rx_value v;

    assert(q->len > 0);
    v = q->buf[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    return v;
}

rx_value
rx__vqueue_at(const rx__vqueue *q, size_t i)
{
    assert(i < q->len);
    return q->buf[(q->head + i) & (q->cap - 1)];
}

void
rx__vqueue_clear(rx__vqueue *q)
{
    while (q->len > 0) {
        rx_value_release(rx__vqueue_pop(q));
    }
    rx__free(q->buf);
    q->buf = NULL;
    q->cap = 0;
    q->head = 0;
}

/* ---- outbox ----------------------------------------------------------- */

void
rx__outbox_init(rx__outbox *o, rx__stage *stage)
{
    memset(o, 0, sizeof *o);
    o->stage = stage;
}

/* One pass: emit queued items while there is demand, then the pending
 * completion once the queue is empty. */
static bool
outbox_pass(void *self)
{
    rx__outbox *o = self;
    int64_t emitted = 0;
    int64_t r = o->d.requested;

    while (emitted < r && o->q.len > 0 && !o->d.cancelled) {
        rx_value v = rx__vqueue_pop(&o->q);
        if (rx__emit_next(o->stage, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    o->d.requested = rx__demand_sub(o->d.requested, emitted);
    if (o->d.cancelled) {
        return false;
    }
    if (o->q.len == 0 && o->complete_pending) {
        o->d.cancelled = true; /* terminated: nothing may follow */
        rx__emit_complete(o->stage);
        return false;
    }
    return o->q.len > 0 && o->d.requested > 0;
}

static void
outbox_drain(rx__outbox *o)
{
    if (o->d.started) {
        rx__drain(&o->d, outbox_pass, o);
    }
}

void
rx__outbox_push(rx__outbox *o, rx_value v)
{
    if (o->d.cancelled) {
        rx_value_release(v);
        return;
    }
    if (v.type == RX_TYPE_INVALID || rx__vqueue_push(&o->q, v) < 0) {
        rx_error *err =
            rx__error_at(rx__stage_site(o->stage), RX_ENOMEM,
                         "%s: out of memory", rx__stage_site(o->stage)->name);
        rx__cancel_up(o->stage);
        rx__outbox_error(o, err);
        rx_error_release(err);
        return;
    }
    outbox_drain(o);
}

void
rx__outbox_complete(rx__outbox *o)
{
    if (o->d.cancelled) {
        return;
    }
    o->complete_pending = true;
    outbox_drain(o);
}

void
rx__outbox_error(rx__outbox *o, const rx_error *err)
{
    if (o->d.cancelled) {
        rx__undeliverable(err);
        return;
    }
    o->d.cancelled = true;
    rx__vqueue_clear(&o->q);
    rx__emit_error(o->stage, err);
}

void
rx__outbox_request(rx__outbox *o, int64_t n)
{
    if (rx__demand_request(&o->d, n)) {
        outbox_drain(o);
    }
}

void
rx__outbox_cancel(rx__outbox *o)
{
    o->d.cancelled = true;
    rx__vqueue_clear(&o->q);
}

void
rx__outbox_start(rx__outbox *o)
{
    o->d.started = true;
    outbox_drain(o);
}

void
rx__discard(rx__stage *stage, rx_value v)
{
    (void)stage;
    rx_value_release(v);
}
