/* SPDX-License-Identifier: MIT */
/*
 * create: runs a user function that emits through an emitter.
 *
 * The stage is the emitter. The user function runs in the start hook.
 * An item goes straight downstream when there is demand, nothing is
 * buffered and no drain pass is on the stack; otherwise it waits in an
 * unbounded queue (RxJava's BUFFER strategy) for the shared drain loop.
 * Completion and error wait behind the buffered items, as in RxJava. The
 * cancel callback runs once whenever the stream ends; the request
 * callback runs from the drain loop after buffered items were delivered,
 * never nested inside on_next. After the end every emitter call returns
 * RX_ECANCELED and releases what it was given.
 */
#include "rx-internal.h"

struct create_obs {
    rx_observable base;
    rx_create_fn fn;
    void *ctx;
};

struct rx_emitter {
    rx__stage base;
    rx__demand d;    /* d.cancelled: cancelled or terminal sent */
    rx__vqueue q;    /* items waiting for demand */
    rx_error *error; /* a pending error, owned */
    bool closed;     /* complete/error called, or cancelled */
    bool ended;      /* the cancel callback ran (or would have) */
    int64_t unseen;  /* demand the request callback has not seen */
    void (*on_cancel)(void *ctx);
    void *cancel_ctx;
    void (*on_request)(int64_t n, void *ctx);
    void *request_ctx;
};

/* The stream is over for the emitter: run the cancel callback once. */
static void
create_end(rx_emitter *em)
{
    em->closed = true;
    if (!em->ended) {
        em->ended = true;
        if (em->on_cancel != NULL) {
            em->on_cancel(em->cancel_ctx);
        }
    }
}

/* Sends the pending terminal signal once the buffer is empty. */
static void
create_terminate(rx_emitter *em)
{
    rx_error *err = em->error;

    em->d.cancelled = true;
    em->error = NULL;
    if (err != NULL) {
        rx__emit_new_error(&em->base, err);
    } else {
        rx__emit_complete(&em->base);
    }
    create_end(em);
}

/* One drain pass: delivers buffered items while demand lasts, then the
 * pending terminal, then tells the request callback about new demand
 * (which may emit more: another pass follows). */
static bool
create_pass(void *self)
{
    rx_emitter *em = self;
    int64_t emitted = 0;
    int64_t n;

    while (!em->d.cancelled && em->q.len > 0 && emitted < em->d.requested) {
        rx_value v = rx__vqueue_pop(&em->q);

        if (rx__emit_next(&em->base, v)) {
            emitted++;
        }
        rx_value_release(v);
        if ((emitted & 1023) == 0) {
            rx__pipeline_poll(em->base.pipe);
        }
    }
    if (em->d.cancelled) {
        return false;
    }
    em->d.requested = rx__demand_sub(em->d.requested, emitted);
    if (em->q.len == 0 && em->closed) {
        create_terminate(em);
        return false;
    }
    if (em->unseen > 0 && em->on_request != NULL && !em->closed) {
        n = em->unseen;
        em->unseen = 0;
        em->on_request(n, em->request_ctx);
        return true;
    }
    em->unseen = 0;
    return false;
}

static void
create_drain(rx_emitter *em)
{
    if (em->d.started && !em->d.draining && !em->d.cancelled) {
        rx__drain(&em->d, create_pass, em);
    }
}

/* Emitter calls may come from outside any pipeline entry (a libuv
 * callback of the user's): those open a frame, so that what they finish
 * (retired stages, on_finally, the pipeline itself) is freed when they
 * return. Inside a frame this costs nothing. After a terminal signal made
 * that way the emitter is freed on return. */
static bool
emitter_enter(rx_emitter *em)
{
    if (em->base.pipe->frames == 0) {
        rx__frame_enter(em->base.pipe);
        return true;
    }
    return false;
}

static void
emitter_exit(rx_emitter *em, bool entered)
{
    if (entered) {
        rx__frame_exit(em->base.pipe);
    }
}

static int
emitter_error(rx_emitter *em, rx_error *err)
{
    if (em->closed) {
        rx__undeliverable(err);
        rx_error_release(err);
        return RX_ECANCELED;
    }
    em->error = err;
    em->closed = true;
    create_drain(em);
    return 0;
}

static int
emitter_next(rx_emitter *em, rx_value v)
{
    bool consumed;

    if (em->closed) {
        rx_value_release(v);
        return RX_ECANCELED;
    }
    if (rx_is_invalid(v)) {
        emitter_error(em, rx__error_at(rx__stage_site(&em->base), RX_ENOMEM,
                                       "rx_emitter_next: invalid value"));
        return RX_ENOMEM;
    }
    if (em->q.len == 0 && !em->d.draining && em->d.requested > 0) {
        /* The fast path: no buffer. Holding the drain guard makes a
         * request from inside on_next only record demand. */
        em->d.draining = true;
        consumed = rx__emit_next(&em->base, v);
        em->d.draining = false;
        rx_value_release(v);
        if (consumed) {
            em->d.requested = rx__demand_sub(em->d.requested, 1);
        }
        /* on_next may have requested more, or completed the emitter. */
        if (em->unseen > 0 || em->q.len > 0 || em->closed) {
            create_drain(em);
        }
        return 0;
    }
    if (rx__vqueue_push(&em->q, v) != 0) {
        emitter_error(em, rx__error_at(rx__stage_site(&em->base), RX_ENOMEM,
                                       "rx_create: out of memory "
                                       "buffering an item"));
        return RX_ENOMEM;
    }
    create_drain(em);
    return 0;
}

int
rx_emitter_next(rx_emitter *em, rx_value v)
{
    bool entered;
    int rc;

    if (em == NULL) {
        rx_value_release(v);
        return RX_EINVAL;
    }
    entered = emitter_enter(em);
    rc = emitter_next(em, v);
    emitter_exit(em, entered);
    return rc;
}

int
rx_emitter_error(rx_emitter *em, rx_error *err)
{
    bool entered;
    int rc;

    if (em == NULL || err == NULL) {
        if (err != NULL) {
            rx__undeliverable(err);
            rx_error_release(err);
        }
        return RX_EINVAL;
    }
    entered = emitter_enter(em);
    rc = emitter_error(em, err);
    emitter_exit(em, entered);
    return rc;
}

int
rx_emitter_complete(rx_emitter *em)
{
    bool entered;

    if (em == NULL) {
        return RX_EINVAL;
    }
    if (em->closed) {
        return RX_ECANCELED;
    }
    entered = emitter_enter(em);
    em->closed = true;
    create_drain(em);
    emitter_exit(em, entered);
    return 0;
}

int64_t
rx_emitter_requested(const rx_emitter *em)
{
    if (em == NULL || em->closed) {
        return 0;
    }
    if (em->d.requested == RX_UNBOUNDED) {
        return RX_UNBOUNDED;
    }
    if (em->d.requested <= (int64_t)em->q.len) {
        return 0;
    }
    return em->d.requested - (int64_t)em->q.len;
}

bool
rx_emitter_is_cancelled(const rx_emitter *em)
{
    return em == NULL || em->d.cancelled;
}

int
rx_emitter_set_cancel(rx_emitter *em, void (*fn)(void *ctx), void *ctx)
{
    if (em == NULL) {
        return RX_EINVAL;
    }
    em->on_cancel = fn;
    em->cancel_ctx = ctx;
    return 0;
}

int
rx_emitter_set_request(rx_emitter *em, void (*fn)(int64_t n, void *ctx),
                       void *ctx)
{
    if (em == NULL) {
        return RX_EINVAL;
    }
    em->on_request = fn;
    em->request_ctx = ctx;
    return 0;
}

static void
create_request(rx__stage *self, int64_t n)
{
    rx_emitter *em = (rx_emitter *)self;

    if (em->d.cancelled) {
        return;
    }
    em->unseen = rx__demand_add(em->unseen, n);
    if (rx__demand_request(&em->d, n)) {
        rx__drain(&em->d, create_pass, em);
    }
}

static void
create_cancel(rx__stage *self)
{
    rx_emitter *em = (rx_emitter *)self;

    if (em->d.cancelled) {
        return;
    }
    em->d.cancelled = true;
    /* No reference into the queue survives a pass's on_next call, so the
     * buffer can go now even if a pass is on the stack. */
    rx__vqueue_clear(&em->q);
    rx_error_release(em->error);
    em->error = NULL;
    create_end(em);
}

static void
create_start(rx__stage *self)
{
    rx_emitter *em = (rx_emitter *)self;
    const struct create_obs *o = (const struct create_obs *)self->obs;

    em->d.started = true;
    if (em->d.cancelled) {
        return;
    }
    /* The user function sees the demand recorded so far through
     * rx_emitter_requested(); only later requests reach the callback. */
    em->unseen = 0;
    o->fn(em, o->ctx);
    create_drain(em);
}

static void
create_teardown(rx__stage *self)
{
    rx_emitter *em = (rx_emitter *)self;

    rx__vqueue_clear(&em->q);
    rx_error_release(em->error);
    em->error = NULL;
    /* A stream freed before it ended still owes its cancel callback. */
    if (em->d.started) {
        create_end(em);
    }
}

static const struct rx__stage_ops create_stage_ops = {
    .request = create_request,
    .cancel = create_cancel,
    .start = create_start,
    .teardown = create_teardown,
};

static int
create_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    rx_emitter *em;

    em = rx__stage_new(pipe, &create_stage_ops, sizeof *em, self, down);
    if (em == NULL) {
        return RX_ENOMEM;
    }
    *out = &em->base;
    return 0;
}

static const struct rx__obs_ops create_ops = {.assemble = create_assemble};

rx_observable *
rx_create_at(const rx_site *site, rx_create_fn fn, void *ctx)
{
    struct create_obs *o;

    if (fn == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_create: fn must not be NULL");
    }
    o = rx__observable_new(site, &create_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    return &o->base;
}
