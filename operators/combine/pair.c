/* SPDX-License-Identifier: MIT */
/*
 * The pair engine behind take_until, skip_until and with_latest_from:
 * mirror a main source while watching another one.
 *
 * As in RxJava, the other source is subscribed first and asked for
 * everything; the main source gets exactly the demand downstream asks
 * for (recorded until it starts), so its items pass straight through,
 * and one the operator drops costs no demand. The main source's end, or
 * an error of either, cancels the other source and ends the stream. A
 * terminal signal raised by the other source while an item of the main
 * one is on its way downstream waits in the gate until that on_next has
 * returned, so signals never nest. The operator decides what the other
 * source's items and completion mean (struct rx__pair_ops).
 */
#include "fanin.h"

void
rx__pair_finish(rx__pair *p, rx_error *err)
{
    rx__fanin_drop(&p->other, true);
    rx__fanin_drop(&p->main, true);
    rx__fanin_gate_end(&p->gate, &p->base, err);
}

/* ---- the main source ---------------------------------------------------- */

static bool
main_on_next(rx__stage *owner, size_t index, rx_value v)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    if (p->gate.done) {
        return false;
    }
    return p->ops->main_next(p, v);
}

static void
main_on_error(rx__stage *owner, size_t index, const rx_error *err)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    rx__fanin_drop(&p->main, false);
    rx__pair_finish(p, rx_error_retain(err));
}

static void
main_on_complete(rx__stage *owner, size_t index)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    rx__fanin_drop(&p->main, false);
    rx__pair_finish(p, NULL);
}

static const struct rx__fanin_hooks main_hooks = {
    .on_next = main_on_next,
    .on_error = main_on_error,
    .on_complete = main_on_complete,
};

/* ---- the other source ---------------------------------------------------- */

static bool
other_on_next(rx__stage *owner, size_t index, rx_value v)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    if (!p->gate.done) {
        p->ops->other_next(p, v);
    }
    return true;
}

static void
other_on_error(rx__stage *owner, size_t index, const rx_error *err)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    rx__fanin_drop(&p->other, false);
    rx__pair_finish(p, rx_error_retain(err));
}

static void
other_on_complete(rx__stage *owner, size_t index)
{
    rx__pair *p = (rx__pair *)owner;

    (void)index;
    rx__fanin_drop(&p->other, false);
    if (p->ops->other_complete != NULL && !p->gate.done) {
        p->ops->other_complete(p);
    }
}

static const struct rx__fanin_hooks other_hooks = {
    .on_next = other_on_next,
    .on_error = other_on_error,
    .on_complete = other_on_complete,
};

/* ---- the stage -------------------------------------------------------- */

static void
pair_request(rx__stage *self, int64_t n)
{
    rx__pair *p = (rx__pair *)self;

    if (!p->main_started) {
        p->pending = rx__demand_add(p->pending, n);
    } else if (p->main != NULL) {
        rx__fanin_request(p->main, n);
    }
}

static void
pair_cancel(rx__stage *self)
{
    rx__pair *p = (rx__pair *)self;

    rx__fanin_gate_cancel(&p->gate);
    rx__fanin_drop(&p->other, true);
    rx__fanin_drop(&p->main, true);
}

static void
pair_start(rx__stage *self)
{
    rx__pair *p = (rx__pair *)self;
    int64_t n;

    if (p->other != NULL) {
        rx__fanin_start(p->other, RX_UNBOUNDED);
    }
    /* A notifier that ended the stream while it was subscribed leaves
     * the main source unsubscribed, as RxJava's zip does with sources
     * after a failed one. */
    if (p->gate.done || p->main == NULL) {
        return;
    }
    p->main_started = true;
    n = p->pending;
    p->pending = 0;
    rx__fanin_start(p->main, n);
}

static void
pair_teardown(rx__stage *self)
{
    rx__pair *p = (rx__pair *)self;

    rx_value_release(p->latest);
    p->latest = rx_nil();
    rx_error_release(p->gate.error);
    p->gate.error = NULL;
}

static const struct rx__stage_ops pair_stage_ops = {
    .request = pair_request,
    .cancel = pair_cancel,
    .start = pair_start,
    .teardown = pair_teardown,
};

int
rx__pair_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out, const struct rx__pair_ops *ops)
{
    rx__pair *p = rx__stage_new(pipe, &pair_stage_ops, sizeof *p, self, down);
    int rc;

    if (p == NULL) {
        return RX_ENOMEM;
    }
    p->ops = ops;
    p->latest = rx_nil();
    *out = &p->base;
    rc = rx__fanin_input_new(&p->base, &main_hooks, RX__PAIR_MAIN, &p->main);
    if (rc < 0) {
        return rc;
    }
    return rx__fanin_input_new(&p->base, &other_hooks, RX__PAIR_OTHER,
                               &p->other);
}
