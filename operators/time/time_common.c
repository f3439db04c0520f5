/* SPDX-License-Identifier: MIT */
/*
 * Helpers every time source and operator uses: argument checks for the
 * constructors, and resolving and checking the scheduler of a
 * subscription (time-internal.h). Then what buffer and window share: the
 * group outbox, the ring of open groups and the observables and stage
 * plumbing of buffer_n / window_n (count, skip) and buffer_time /
 * window_time (span).
 */
#include <stddef.h>

#include "time-internal.h"

bool
rx__time_args_ok(const char *fn, const char *what, int64_t ms, int64_t min,
                 const rx_scheduler *sched)
{
    if (ms < min) {
        rx__set_last_error(RX_EINVAL, "%s: %s must be %s", fn, what,
                           min > 0 ? "greater than 0" : ">= 0");
        return false;
    }
    if (sched != NULL && !rx__sched_timed(sched)) {
        rx__set_last_error(RX_EINVAL,
                           "%s: sched must have timers (not the trampoline "
                           "or immediate scheduler)",
                           fn);
        return false;
    }
    return true;
}

rx_scheduler *
rx__time_sched_resolve(rx_scheduler *sched)
{
    /* rx__sched_resolve() sets the last error when it fails. */
    return rx__sched_resolve(sched);
}

rx_scheduler *
rx__time_sched_start(rx__stage *stage, rx_scheduler *sched, rx_error **err)
{
    const rx_site *site = rx__stage_site(stage);
    *err = NULL;
    /* A pool counts as current on any of its workers, and then schedules
     * on that worker: no pick, which would choose round-robin. */
    if (!rx__sched_is_current(sched)) {
        /* Timers would fire on another thread while the rest of the
         * pipeline runs here; hops are rx_observe_on's job. */
        *err = rx__error_at(site, RX_EINVAL,
                            "%s: the scheduler runs its work on another "
                            "thread; use a scheduler of the subscribing "
                            "thread, then rx_observe_on()",
                            site->name);
        return NULL;
    }
    rx__pipeline_bind(stage->pipe, sched);
    return sched;
}

rx_error *
rx__time_oom(const rx__stage *stage)
{
    const rx_site *site = rx__stage_site(stage);

    return rx__error_at(site, RX_ENOMEM, "%s: out of memory", site->name);
}

/* ---- group outbox ------------------------------------------------------ */

void
rx__gbox_init(rx__gbox *o, rx__stage *stage, int64_t refill)
{
    memset(o, 0, sizeof *o);
    o->stage = stage;
    o->refill = refill;
}

static int64_t
mul_sat(int64_t a, int64_t b)
{
    if (a != 0 && b > RX_UNBOUNDED / a) {
        return RX_UNBOUNDED;
    }
    return a * b;
}

/* One pass: emit queued groups while there is demand, ask the upstream
 * to replace the ones dropped downstream, then complete once empty. */
static bool
gbox_pass(void *self)
{
    rx__gbox *o = self;
    int64_t emitted = 0;
    int64_t dropped = 0;
    int64_t r = o->d.requested;

    while (emitted < r && o->q.len > 0 && !o->d.cancelled) {
        rx_value v = rx__vqueue_pop(&o->q);

        if (rx__emit_next(o->stage, v)) {
            emitted++;
        } else {
            dropped++;
        }
        rx_value_release(v);
    }
    o->d.requested = rx__demand_sub(o->d.requested, emitted);
    if (o->d.cancelled) {
        return false;
    }
    if (dropped > 0 && o->refill > 0 && !o->complete_pending) {
        rx__request_up(o->stage, mul_sat(dropped, o->refill));
    }
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
gbox_drain(rx__gbox *o)
{
    if (o->d.started) {
        rx__drain(&o->d, gbox_pass, o);
    }
}

bool
rx__gbox_push(rx__gbox *o, rx_value v)
{
    if (o->d.cancelled) {
        rx_value_release(v);
        return false;
    }
    if (rx_is_invalid(v) || rx__vqueue_push(&o->q, v) < 0) {
        rx_error *err = rx__time_oom(o->stage);

        rx__cancel_up(o->stage);
        rx__gbox_error(o, err);
        rx_error_release(err);
        return false;
    }
    gbox_drain(o);
    return !o->d.cancelled;
}

void
rx__gbox_complete(rx__gbox *o)
{
    if (o->d.cancelled) {
        return;
    }
    o->complete_pending = true;
    gbox_drain(o);
}

void
rx__gbox_error(rx__gbox *o, const rx_error *err)
{
    if (o->d.cancelled) {
        rx__undeliverable(err);
        return;
    }
    o->d.cancelled = true;
    rx__gbox_cancel(o);
    rx__emit_error(o->stage, err);
}

void
rx__gbox_request(rx__gbox *o, int64_t n)
{
    if (rx__demand_request(&o->d, n)) {
        gbox_drain(o);
    }
}

void
rx__gbox_cancel(rx__gbox *o)
{
    o->d.cancelled = true;
    while (o->q.len > 0) {
        rx__discard(o->stage, rx__vqueue_pop(&o->q));
    }
    rx__vqueue_clear(&o->q);
}

void
rx__gbox_start(rx__gbox *o)
{
    o->d.started = true;
    gbox_drain(o);
}

int64_t
rx__groups_upstream(int64_t n, int64_t count, int64_t skip, bool first)
{
    int64_t u;

    if (n == RX_UNBOUNDED) {
        return RX_UNBOUNDED;
    }
    if (!first || skip == count) {
        return mul_sat(n, skip);
    }
    if (skip > count) {
        /* n groups and the n - 1 gaps between them */
        u = mul_sat(n - 1, skip - count);
        return rx__demand_add(mul_sat(n, count), u);
    }
    /* overlapping: the first group, then one start every skip items */
    return rx__demand_add(count, mul_sat(n - 1, skip));
}

/* ---- ring of open groups ----------------------------------------------- */

void *
rx__gring_at(const rx__gring *r, size_t i)
{
    return r->slots + ((r->head + i) & (r->cap - 1)) * r->size;
}

int
rx__gring_reserve(rx__gring *r)
{
    size_t ncap;
    unsigned char *nslots;

    if (r->len < r->cap) {
        return 0;
    }
    ncap = r->cap == 0 ? 4 : r->cap * 2;
    nslots = ncap <= SIZE_MAX / r->size ? rx__malloc(ncap * r->size) : NULL;
    if (nslots == NULL) {
        return RX_ENOMEM;
    }
    for (size_t i = 0; i < r->len; i++) {
        memcpy(nslots + i * r->size, rx__gring_at(r, i), r->size);
    }
    rx__free(r->slots);
    r->slots = nslots;
    r->cap = ncap;
    r->head = 0;
    return 0;
}

void *
rx__gring_append(rx__gring *r)
{
    void *slot;

    assert(r->len < r->cap);
    slot = rx__gring_at(r, r->len);
    memset(slot, 0, r->size);
    r->len++;
    return slot;
}

void
rx__gring_drop_front(rx__gring *r)
{
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
}

void
rx__gring_free(rx__gring *r)
{
    rx__free(r->slots);
    r->slots = NULL;
    r->cap = 0;
    r->head = 0;
    r->len = 0;
}

/* ---- groups observables (buffer_n, window_n) --------------------------- */

struct groups_obs {
    rx_observable base;
    const rx__groups_kind *kind;
    int64_t count;
    int64_t skip;
};

static int
groups_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    const struct groups_obs *o = (const struct groups_obs *)self;
    rx__groups_stage *st;

    st = rx__stage_new(pipe, o->kind->ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->ring.size = o->kind->slot_size;
    st->count = o->count;
    st->skip = o->skip;
    rx__gbox_init(&st->out, &st->base, o->skip);
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops groups_ops = {.assemble = groups_assemble};

rx_observable *
rx__groups_new(const rx_site *site, rx_observable *src, int64_t count,
               int64_t skip, const rx__groups_kind *kind)
{
    struct groups_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (count <= 0 || skip <= 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: %s must be greater than 0",
                             kind->fn, count <= 0 ? "count" : "skip");
    }
    o = rx__observable_new(site, &groups_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->kind = kind;
    o->count = count;
    o->skip = skip;
    return &o->base;
}

void
rx__groups_advance(rx__groups_stage *st)
{
    st->index = st->index + 1 == st->skip ? 0 : st->index + 1;
}

void
rx__groups_request(rx__stage *self, int64_t n)
{
    rx__groups_stage *st = (rx__groups_stage *)self;
    int64_t up;

    if (st->out.d.cancelled) {
        return;
    }
    up = rx__groups_upstream(n, st->count, st->skip, !st->requested_once);
    st->requested_once = true;
    rx__gbox_request(&st->out, n);
    if (!st->done) {
        rx__request_up(self, up);
    }
}

void
rx__groups_start(rx__stage *self)
{
    rx__groups_stage *st = (rx__groups_stage *)self;

    rx__gbox_start(&st->out);
    rx__stage_start(self->up);
}

/* ---- span observables (buffer_time, window_time) ----------------------- */

struct span_obs {
    rx_observable base;
    const rx__span_kind *kind;
    rx_scheduler *sched; /* retained; NULL for the default */
    int64_t span;
};

static int
span_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    const struct span_obs *o = (const struct span_obs *)self;
    rx__span_stage *st;

    st = rx__stage_new(pipe, o->kind->ops, o->kind->stage_size, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, o->kind->run);
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
span_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct span_obs *)self)->sched);
}

static const struct rx__obs_ops span_ops = {
    .assemble = span_assemble,
    .destroy = span_destroy,
};

rx_observable *
rx__span_new(const rx_site *site, rx_observable *src, int64_t span_ms,
             rx_scheduler *sched, const rx__span_kind *kind)
{
    struct span_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (!rx__time_args_ok(kind->fn, "span_ms", span_ms, 1, sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, &span_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->kind = kind;
    o->sched = rx_scheduler_retain(sched);
    o->span = span_ms;
    return &o->base;
}

rx__span_stage *
rx__span_of(rx__task *t)
{
    return (rx__span_stage *)(void *)((char *)t -
                                      offsetof(rx__span_stage, task));
}

rx_error *
rx__span_schedule(rx__span_stage *st)
{
    const struct span_obs *o = (const struct span_obs *)st->base.obs;
    rx_error *err;

    st->sched = rx__time_sched_start(&st->base, st->sched, &err);
    if (st->sched == NULL) {
        return err;
    }
    if (rx__schedule_periodic(st->sched, &st->task, o->span, o->span) < 0) {
        return rx__time_oom(&st->base);
    }
    return NULL;
}

bool
rx__span_emit(rx__span_stage *st, rx_value v)
{
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    rx_value_release(v);
    return !st->done;
}

void
rx__span_request(rx__stage *self, int64_t n)
{
    rx__span_stage *st = (rx__span_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}
