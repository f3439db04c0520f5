/* SPDX-License-Identifier: MIT */
/*
 * generate: emits what a user step function produces, one item per unit
 * of demand, with a state created per subscription.
 *
 * The state is created in the start hook (never during assembly, so a
 * subscription that fails to assemble calls no user function) and
 * dropped exactly once: after the terminal signal went downstream, or
 * when the subscriber cancels. A state whose init failed was never
 * created and is not dropped. Items come from the shared drain loop, so
 * a request made inside on_next adds demand instead of recursing.
 */
#include "rx-internal.h"

struct generate_obs {
    rx_observable base;
    rx_state_fn init;
    rx_generate_fn step;
    rx_drop_fn drop;
    void *ctx;
};

struct generate_stage {
    rx__stage base;
    rx__demand d;
    void *state;
    bool has_state; /* state was created and not dropped yet */
};

/* Drops the state once; called on every way the stream ends. */
static void
generate_drop(struct generate_stage *st)
{
    const struct generate_obs *o = (const struct generate_obs *)st->base.obs;

    if (st->has_state) {
        st->has_state = false;
        if (o->drop != NULL) {
            o->drop(st->state);
        }
    }
}

/* Ends the stream with err (taken), then drops the state. */
static void
generate_fail(struct generate_stage *st, rx_error *err)
{
    st->d.cancelled = true;
    rx__emit_new_error(&st->base, err);
    generate_drop(st);
}

/* One drain pass: calls step while demand lasts. Requests made inside
 * on_next raise st->d.requested during the pass, so the loop re-reads it
 * and subtracts what it emitted once at the end. */
static bool
generate_pass(void *self)
{
    struct generate_stage *st = self;
    const struct generate_obs *o = (const struct generate_obs *)st->base.obs;
    int64_t emitted = 0;
    unsigned polls = 0;

    while (emitted < st->d.requested) {
        rx_error *err = NULL;
        bool done = false;
        rx_value v;

        if (st->d.cancelled ||
            (++polls % 1024 == 0 && rx__pipeline_poll(st->base.pipe))) {
            generate_drop(st);
            return false;
        }
        v = o->step(st->state, o->ctx, &done, &err);
        if (err != NULL || done || rx_is_invalid(v)) {
            rx_value_release(v);
            if (err != NULL) {
                generate_fail(st, err);
            } else if (done) {
                st->d.cancelled = true;
                rx__emit_complete(&st->base);
                generate_drop(st);
            } else {
                generate_fail(st,
                              rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                           "rx_generate: step returned "
                                           "an invalid value"));
            }
            return false;
        }
        if (rx__emit_next(&st->base, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    if (st->d.cancelled) {
        generate_drop(st);
        return false;
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    return false;
}

static void
generate_request(rx__stage *self, int64_t n)
{
    struct generate_stage *st = (struct generate_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        rx__drain(&st->d, generate_pass, st);
    }
}

static void
generate_cancel(rx__stage *self)
{
    struct generate_stage *st = (struct generate_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    /* While a pass is on the stack step may still be running (a cancel
     * from another thread polled by the pass); the pass drops the state
     * when it sees the flag. */
    if (!st->d.draining) {
        generate_drop(st);
    }
}

static void
generate_start(rx__stage *self)
{
    struct generate_stage *st = (struct generate_stage *)self;
    const struct generate_obs *o = (const struct generate_obs *)self->obs;
    rx_error *err = NULL;
    void *state = NULL;

    st->d.started = true;
    if (st->d.cancelled) {
        return;
    }
    if (o->init != NULL) {
        state = o->init(o->ctx, &err);
        if (err != NULL) {
            st->d.cancelled = true;
            rx__emit_new_error(self, err);
            return;
        }
    }
    st->state = state;
    st->has_state = true;
    if (st->d.requested > 0) {
        rx__drain(&st->d, generate_pass, st);
    }
}

static void
generate_teardown(rx__stage *self)
{
    /* Every end of the stream drops the state already; this covers a
     * pipeline freed while the stream still ran. */
    generate_drop((struct generate_stage *)self);
}

static const struct rx__stage_ops generate_stage_ops = {
    .request = generate_request,
    .cancel = generate_cancel,
    .start = generate_start,
    .teardown = generate_teardown,
};

static int
generate_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out)
{
    struct generate_stage *st;

    st = rx__stage_new(pipe, &generate_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops generate_ops = {.assemble = generate_assemble};

rx_observable *
rx_generate_at(const rx_site *site, rx_state_fn init, rx_generate_fn step,
               rx_drop_fn drop, void *ctx)
{
    struct generate_obs *o;

    if (step == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_generate: step must not be NULL");
    }
    o = rx__observable_new(site, &generate_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->init = init;
    o->step = step;
    o->drop = drop;
    o->ctx = ctx;
    return &o->base;
}
