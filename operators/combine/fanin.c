/* SPDX-License-Identifier: MIT */
/*
 * The shared mechanics of the fixed-arity combining operators (fanin.h
 * says what they are): the observable they all use, the input stages
 * through which each source reports to the combining stage, the call of
 * a combiner, and the gate that keeps a terminal signal from overtaking
 * an item on its way downstream.
 */
#include "fanin.h"

/* ---- the observable ---------------------------------------------------- */

static void
release_all(size_t n, rx_observable *const *srcs)
{
    for (size_t i = 0; i < n; i++) {
        rx_observable_release(srcs[i]);
    }
}

rx_observable *
rx__fanin_new(const rx_site *site, const struct rx__obs_ops *ops, size_t n,
              rx_observable *const *srcs, rx_zip_fn fn, void *ctx)
{
    const char *name = site != NULL ? site->name : "uvrx";
    struct rx__fanin_obs *o;
    bool missing = false;

    if (n > 0 && srcs == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: srcs must not be NULL", name);
    }
    for (size_t i = 0; i < n; i++) {
        missing = missing || srcs[i] == NULL;
    }
    if (missing) {
        release_all(n, srcs);
        return NULL; /* an earlier call failed and said why */
    }
    if (n > (SIZE_MAX - sizeof *o) / sizeof(rx_observable *)) {
        release_all(n, srcs);
        return rx__fail_null(RX_ENOMEM, "%s: n is too large", name);
    }
    o = rx__observable_new(site, ops, sizeof *o + n * sizeof(rx_observable *),
                           NULL);
    if (o == NULL) {
        release_all(n, srcs);
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    o->n = n;
    for (size_t i = 0; i < n; i++) {
        o->srcs[i] = srcs[i];
    }
    return &o->base;
}

void
rx__fanin_destroy(rx_observable *self)
{
    struct rx__fanin_obs *o = (struct rx__fanin_obs *)self;

    release_all(o->n, o->srcs);
}

/* ---- inputs ------------------------------------------------------------ */

/* Lifetime. `busy` counts the calls through an input on the stack. A
 * dropped input is freed when the last of them returns: at once after a
 * call made into the chain (request, start, cancel), since the chain is
 * then off the stack; after a signal that came out of the chain the
 * signalling stage is still on the stack, so the chain is retired
 * instead (freed when the outermost frame exits). */
static void
leave_call(rx__fanin_input *in)
{
    if (--in->busy == 0 && in->dropped) {
        rx__stage_free_chain(&in->base);
    }
}

static void
leave_signal(rx__fanin_input *in)
{
    if (--in->busy == 0 && in->dropped) {
        rx__stage_retire_chain(&in->base);
    }
}

static bool
input_on_next(rx__stage *self, rx_value v)
{
    rx__fanin_input *in = (rx__fanin_input *)self;
    bool used;

    if (in->owner == NULL) {
        return false;
    }
    in->busy++;
    used = in->hooks->on_next(in->owner, in->index, v);
    leave_signal(in);
    return used;
}

static void
input_on_error(rx__stage *self, const rx_error *err)
{
    rx__fanin_input *in = (rx__fanin_input *)self;

    if (in->owner == NULL) {
        rx__undeliverable(err);
        return;
    }
    in->busy++;
    in->hooks->on_error(in->owner, in->index, err);
    leave_signal(in);
}

static void
input_on_complete(rx__stage *self)
{
    rx__fanin_input *in = (rx__fanin_input *)self;

    if (in->owner == NULL) {
        return;
    }
    in->busy++;
    in->hooks->on_complete(in->owner, in->index);
    leave_signal(in);
}

/* Nothing asks an input for items but its owner, through the functions
 * below; these keep the table complete. */
static void
input_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
input_cancel(rx__stage *self)
{
    (void)self;
}

static const struct rx__stage_ops input_ops = {
    .on_next = input_on_next,
    .on_error = input_on_error,
    .on_complete = input_on_complete,
    .request = input_request,
    .cancel = input_cancel,
};

int
rx__fanin_input_new(rx__stage *owner, const struct rx__fanin_hooks *hooks,
                    size_t index, rx__fanin_input **out)
{
    rx_observable *src = rx__fanin_params(owner)->srcs[index];
    rx__fanin_input *in;
    int rc;

    *out = NULL;
    src = rx__input_here(owner->pipe, rx_observable_retain(src), 0,
                         rx__stage_site(owner));
    if (src == NULL) {
        return rx_last_error();
    }
    in = rx__stage_new(owner->pipe, &input_ops, sizeof *in, src, owner);
    if (in == NULL) {
        rx_observable_release(src);
        return RX_ENOMEM;
    }
    in->owner = owner;
    in->hooks = hooks;
    in->index = index;
    *out = in;
    rc = rx__assemble(src, owner->pipe, &in->base, &in->base.up);
    rx_observable_release(src); /* the stage keeps what it runs */
    return rc;
}

void
rx__fanin_request(rx__fanin_input *in, int64_t n)
{
    if (n <= 0) {
        return;
    }
    in->busy++;
    rx__request_up(&in->base, n);
    leave_call(in);
}

void
rx__fanin_start(rx__fanin_input *in, int64_t n)
{
    in->busy++;
    if (n > 0) {
        rx__request_up(&in->base, n);
    }
    rx__stage_start(in->base.up);
    leave_call(in);
}

void
rx__fanin_drop(rx__fanin_input **slot, bool cancel)
{
    rx__fanin_input *in = *slot;

    if (in == NULL) {
        return;
    }
    *slot = NULL;
    in->owner = NULL;
    in->dropped = true;
    in->busy++;
    if (cancel) {
        rx__cancel_up(&in->base);
    }
    leave_call(in);
}

/* ---- combining ----------------------------------------------------------- */

rx_error *
rx__fanin_oom(const rx__stage *owner, const char *doing)
{
    const rx_site *site = rx__stage_site(owner);

    return rx__error_at(site, RX_ENOMEM, "%s: out of memory %s", site->name,
                        doing);
}

#ifndef NDEBUG
/* How many items the debug check below watches. */
#define CHECKED_ITEMS 8

/* A combiner that returns one of its items must add a reference; if the
 * item's count did not move it did not, and the item would be freed
 * twice. Debug builds report it and repair the count. */
static void
check_retain(const rx__stage *owner, const rx_value *items, size_t n,
             const long *before, rx_value out)
{
    if (!RX_VALUE_IS_HEAP(out)) {
        return;
    }
    for (size_t i = 0; i < n && i < CHECKED_ITEMS; i++) {
        if (RX_VALUE_IS_HEAP(items[i]) && items[i].as.o == out.as.o &&
            rx__value_refs(items[i]) == before[i]) {
            rx__report_missing_retain(rx__stage_site(owner));
            rx_value_retain(out);
            return;
        }
    }
}
#endif

rx_error *
rx__fanin_combined(const rx__stage *owner, rx_value v, rx_error *err,
                   rx_value *out)
{
    *out = rx_nil();
    if (err != NULL) {
        rx_value_release(v);
        return err;
    }
    if (rx_is_invalid(v)) {
        return rx__fanin_oom(owner, "combining items");
    }
    *out = v;
    return NULL;
}

rx_error *
rx__fanin_combine_slow(const rx__stage *owner, const rx_value *items, size_t n,
                       rx_value *out)
{
    const struct rx__fanin_obs *o = rx__fanin_params(owner);
    rx_error *err = NULL;
    rx_value v;

    if (o->fn == NULL) {
        /* rx_array() copies the items bit for bit and takes them: give
         * it a reference to each. */
        for (size_t i = 0; i < n; i++) {
            rx_value_retain(items[i]);
        }
        return rx__fanin_combined(owner, rx_array(n, items), NULL, out);
    }
#ifndef NDEBUG
    long before[CHECKED_ITEMS];
    for (size_t i = 0; i < n && i < CHECKED_ITEMS; i++) {
        before[i] = rx__value_refs(items[i]);
    }
#endif
    v = o->fn(items, n, o->ctx, &err);
#ifndef NDEBUG
    if (err == NULL) {
        check_retain(owner, items, n, before, v);
    }
#endif
    return rx__fanin_combined(owner, v, err, out);
}

/* ---- the gate ------------------------------------------------------------ */

static void
gate_signal(rx__stage *self, rx_error *err)
{
    if (err != NULL) {
        rx__emit_new_error(self, err);
    } else {
        rx__emit_complete(self);
    }
}

bool
rx__fanin_gate_next(rx__fanin_gate *g, rx__stage *self, rx_value v)
{
    bool used;

    if (g->done) {
        return false;
    }
    g->emitting++;
    used = rx__emit_next(self, v);
    g->emitting--;
    if (g->pending && g->emitting == 0) {
        rx_error *err = g->error;
        g->pending = false;
        g->error = NULL;
        gate_signal(self, err);
    }
    return used;
}

void
rx__fanin_gate_end(rx__fanin_gate *g, rx__stage *self, rx_error *err)
{
    if (g->done) {
        if (err != NULL) {
            rx__undeliverable(err);
            rx_error_release(err);
        }
        return;
    }
    g->done = true;
    if (g->emitting > 0) {
        g->pending = true;
        g->error = err;
        return;
    }
    gate_signal(self, err);
}

void
rx__fanin_gate_cancel(rx__fanin_gate *g)
{
    g->done = true;
    if (g->pending) {
        /* Raised before the cancel, but it may no longer go down. */
        g->pending = false;
        if (g->error != NULL) {
            rx__undeliverable(g->error);
            rx_error_release(g->error);
            g->error = NULL;
        }
    }
}
