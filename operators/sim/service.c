/* SPDX-License-Identifier: MIT */
/*
 * The simulated service and its calls.
 *
 * A service is a refcounted object holding the configuration, the
 * generator, the counters and the FIFO of calls waiting for a slot. A
 * call is a cold observable; each subscription builds one call stage
 * that embeds a scheduler task and the links of the waiting FIFO. The
 * call draws its latency and its fate in its start hook, so draws follow
 * subscription order whatever the concurrency limit does, then either
 * takes a slot and schedules its task after the latency, or queues. When
 * a call leaves its slot (response, failure or cancel) the slot goes to
 * the oldest waiting call at once, before any signal goes downstream,
 * which keeps the queue FIFO even when a downstream concat subscribes the
 * next call from inside on_complete.
 *
 * A service and its calls live on one thread (the scheduler's), so the
 * service's state is plain memory; only its reference count is atomic,
 * like every uvrx refcount. Each call observable holds a reference, and
 * each stage holds its observable, so the service outlives every call.
 */
#include <math.h>
#include <stdio.h>

#include "rx-sched.h"

struct rx_sim_service {
    atomic_long refs;
    rx_sim_service_config cfg; /* cfg.sched retained when not NULL */
    rx_sim_rng rng;
    rx_sim_service_stats stats;
    struct call_stage *wait_head; /* the oldest waiting call */
    struct call_stage *wait_tail;
};

struct call_obs {
    rx_observable base;
    rx_sim_service *svc; /* retained */
    rx_value request;    /* owned */
};

enum call_state {
    CALL_IDLE,    /* not started */
    CALL_WAITING, /* in the service's FIFO */
    CALL_RUNNING, /* holds a slot; the task fires after the latency */
    CALL_READY,   /* the response waits for demand */
    CALL_DONE     /* terminal sent or cancelled */
};

struct call_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly, retained */
    enum call_state state;
    int64_t requested;        /* outstanding downstream demand */
    int64_t latency_ms;       /* drawn at start */
    bool fails;               /* drawn at start */
    bool cancelled;           /* downstream cancelled */
    rx_value response;        /* CALL_READY: owned */
    struct call_stage *wnext; /* the service's FIFO */
    struct call_stage *wprev;
};

/* ---- the service ------------------------------------------------------ */

rx_sim_service *
rx_sim_service_new(const rx_sim_service_config *cfg)
{
    rx_sim_service *svc;

    if (cfg == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_sim_service_new: cfg must not be NULL");
    }
    if (cfg->respond == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: respond must "
                                        "not be NULL");
    }
    /* A pool is the one kind whose pick is not itself. */
    if (cfg->sched != NULL && (!rx__sched_timed(cfg->sched) ||
                               rx__sched_pick(cfg->sched) != cfg->sched)) {
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: sched must be a "
                                        "loop or virtual scheduler");
    }
    if (rx_sim_dist_check(&cfg->latency) != 0) {
        /* The message is copied: formatting into the last-error buffer
         * from itself would overlap. */
        char why[160];

        snprintf(why, sizeof why, "%s", rx_last_error_message());
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: latency: %s", why);
    }
    if (!(cfg->failure_rate >= 0.0 && cfg->failure_rate <= 1.0)) {
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: failure_rate "
                                        "must be in [0, 1]");
    }
    if (cfg->failure_rate > 0.0 && cfg->failure_code >= 0) {
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: failure_code "
                                        "must be negative when failure_rate "
                                        "> 0");
    }
    if (cfg->max_concurrency < 0) {
        return rx__fail_null(RX_EINVAL, "rx_sim_service_new: "
                                        "max_concurrency must be >= 0");
    }
    svc = rx__calloc(1, sizeof *svc);
    if (svc == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_sim_service_new: out of memory");
    }
    atomic_init(&svc->refs, 1);
    svc->cfg = *cfg;
    rx_scheduler_retain(svc->cfg.sched);
    rx_sim_rng_seed(&svc->rng, cfg->seed);
    return svc;
}

rx_sim_service *
rx_sim_service_retain(rx_sim_service *svc)
{
    if (svc != NULL) {
        atomic_fetch_add_explicit(&svc->refs, 1, memory_order_relaxed);
    }
    return svc;
}

void
rx_sim_service_release(rx_sim_service *svc)
{
    if (svc == NULL ||
        atomic_fetch_sub_explicit(&svc->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    /* Every call stage holds a reference through its observable, so no
     * call can still be waiting here. */
    assert(svc->wait_head == NULL);
    rx_scheduler_release(svc->cfg.sched);
    rx__free(svc);
}

rx_sim_service_stats
rx_sim_service_get_stats(const rx_sim_service *svc)
{
    rx_sim_service_stats none = {0};

    return svc != NULL ? svc->stats : none;
}

/* ---- slots and the waiting FIFO -------------------------------------- */

static void call_run(struct call_stage *st);

static void
wait_unlink(rx_sim_service *svc, struct call_stage *st)
{
    if (st->wprev != NULL) {
        st->wprev->wnext = st->wnext;
    } else {
        svc->wait_head = st->wnext;
    }
    if (st->wnext != NULL) {
        st->wnext->wprev = st->wprev;
    } else {
        svc->wait_tail = st->wprev;
    }
    st->wnext = NULL;
    st->wprev = NULL;
    svc->stats.waiting--;
}

static rx_sim_service *
call_service(const struct call_stage *st)
{
    return ((const struct call_obs *)st->base.obs)->svc;
}

/* A call gives up its slot: the oldest waiting call takes it. That call
 * belongs to another pipeline, which is entered with a frame of its own
 * in case starting it fails and signals an error there. */
static void
slot_free(rx_sim_service *svc)
{
    struct call_stage *next = svc->wait_head;

    svc->stats.in_flight--;
    if (next != NULL) {
        wait_unlink(svc, next);
        rx__frame_enter(next->base.pipe);
        call_run(next);
        rx__frame_exit(next->base.pipe);
    }
}

/* ---- a call ----------------------------------------------------------- */

/* Fails the call with `err` (taken). */
static void
call_fail(struct call_stage *st, rx_error *err)
{
    st->state = CALL_DONE;
    call_service(st)->stats.failed++;
    rx__emit_new_error(&st->base, err);
}

/* Delivers the held response and completes. */
static void
call_deliver(struct call_stage *st)
{
    rx_value v = st->response;

    st->response = rx_nil();
    st->state = CALL_DONE;
    (void)rx__emit_next(&st->base, v);
    rx_value_release(v);
    /* on_next may have cancelled, which leaves nothing to do. */
    if (!st->cancelled) {
        rx__emit_complete(&st->base);
    }
}

/* The latency elapsed: leave the slot, then answer or fail. */
static void
call_fire(rx__task *t)
{
    struct call_stage *st =
        (struct call_stage *)(void *)((char *)t -
                                      offsetof(struct call_stage, task));
    const struct call_obs *o = (const struct call_obs *)st->base.obs;
    rx_sim_service *svc = o->svc;
    rx_error *err = NULL;
    rx_value v;

    if (st->state != CALL_RUNNING) {
        return;
    }
    slot_free(svc);
    if (st->fails) {
        call_fail(st,
                  rx__error_at(rx__stage_site(&st->base), svc->cfg.failure_code,
                               "rx_sim_call: simulated failure after "
                               "%lld ms",
                               (long long)st->latency_ms));
        return;
    }
    v = svc->cfg.respond(o->request, svc->cfg.ctx, &err);
    if (err != NULL) {
        rx_value_release(v);
        call_fail(st, err);
        return;
    }
    if (rx_is_invalid(v)) {
        call_fail(st, rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                   "rx_sim_call: respond returned an "
                                   "invalid value"));
        return;
    }
    svc->stats.completed++;
    st->response = v;
    st->state = CALL_READY;
    if (st->requested > 0) {
        call_deliver(st);
    }
}

/* Takes a slot and starts the latency. */
static void
call_run(struct call_stage *st)
{
    rx_sim_service *svc = call_service(st);
    int rc;

    st->state = CALL_RUNNING;
    svc->stats.started++;
    svc->stats.in_flight++;
    if (svc->stats.in_flight > svc->stats.max_in_flight) {
        svc->stats.max_in_flight = svc->stats.in_flight;
    }
    rc = rx__schedule(st->sched, &st->task, st->latency_ms);
    if (rc != 0) {
        slot_free(svc);
        call_fail(st, rx__error_at(rx__stage_site(&st->base), rc,
                                   "rx_sim_call: cannot schedule the "
                                   "response: %s",
                                   rx_strerror(rc)));
    }
}

static void
call_start(rx__stage *self)
{
    struct call_stage *st = (struct call_stage *)self;
    rx_sim_service *svc = call_service(st);
    double ms;

    if (st->state != CALL_IDLE || st->cancelled) {
        return;
    }
    /* Both draws happen now, in subscription order. */
    ms = rx_sim_dist_draw(&svc->cfg.latency, &svc->rng);
    st->latency_ms = !(ms < 1e12) ? INT64_C(1000000000000) : llround(ms);
    st->fails = rx_sim_rng_uniform(&svc->rng) < svc->cfg.failure_rate;
    svc->stats.calls++;
    if (svc->cfg.max_concurrency == 0 ||
        svc->stats.in_flight < svc->cfg.max_concurrency) {
        call_run(st);
        return;
    }
    st->state = CALL_WAITING;
    st->wprev = svc->wait_tail;
    if (svc->wait_tail != NULL) {
        svc->wait_tail->wnext = st;
    } else {
        svc->wait_head = st;
    }
    svc->wait_tail = st;
    svc->stats.waiting++;
}

static void
call_request(rx__stage *self, int64_t n)
{
    struct call_stage *st = (struct call_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
    if (st->state == CALL_READY) {
        call_deliver(st);
    }
}

/* Stops the call wherever it is. `count`: a cancel the stats should see
 * (teardown after a failed assembly is not one). */
static void
call_stop(struct call_stage *st, bool count)
{
    rx_sim_service *svc = call_service(st);

    switch (st->state) {
    case CALL_WAITING:
        wait_unlink(svc, st);
        break;
    case CALL_RUNNING:
        rx__unschedule(&st->task);
        slot_free(svc);
        break;
    case CALL_READY:
        rx__discard(&st->base, st->response);
        st->response = rx_nil();
        count = false; /* it did complete */
        break;
    default:
        count = false;
        break;
    }
    if (count) {
        svc->stats.cancelled++;
    }
    st->state = CALL_DONE;
}

static void
call_cancel(rx__stage *self)
{
    struct call_stage *st = (struct call_stage *)self;

    st->cancelled = true;
    call_stop(st, true);
}

static void
call_teardown(rx__stage *self)
{
    struct call_stage *st = (struct call_stage *)self;

    if (st->base.obs != NULL) {
        call_stop(st, true);
    }
    rx_scheduler_release(st->sched);
    st->sched = NULL;
}

static const struct rx__stage_ops call_stage_ops = {
    .request = call_request,
    .cancel = call_cancel,
    .start = call_start,
    .teardown = call_teardown,
};

static int
call_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    const struct call_obs *o = (const struct call_obs *)self;
    struct call_stage *st;
    rx_scheduler *s = rx__sched_resolve(o->svc->cfg.sched);

    if (s == NULL) {
        return rx_last_error();
    }
    if (!rx__sched_is_current(s)) {
        return rx__fail(RX_EINVAL, "rx_sim_call: subscribe on the thread of "
                                   "the service's scheduler");
    }
    st = rx__stage_new(pipe, &call_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->sched = rx_scheduler_retain(s);
    st->response = rx_nil();
    rx__task_init(&st->task, pipe, call_fire);
    rx__pipeline_bind(pipe, s);
    *out = &st->base;
    return 0;
}

static void
call_destroy(rx_observable *self)
{
    struct call_obs *o = (struct call_obs *)self;

    rx_value_release(o->request);
    rx_sim_service_release(o->svc);
}

static const struct rx__obs_ops call_ops = {
    .assemble = call_assemble,
    .destroy = call_destroy,
};

rx_observable *
rx_sim_call_at(const rx_site *site, rx_sim_service *svc, rx_value request)
{
    struct call_obs *o;

    if (svc == NULL) {
        rx_value_release(request);
        return rx__fail_null(RX_EINVAL, "rx_sim_call: svc must not be NULL");
    }
    if (rx_is_invalid(request)) {
        return rx__fail_null(RX_ENOMEM, "rx_sim_call: request is invalid (a "
                                        "value constructor failed)");
    }
    o = rx__observable_new(site, &call_ops, sizeof *o, NULL);
    if (o == NULL) {
        rx_value_release(request);
        return NULL;
    }
    o->svc = rx_sim_service_retain(svc);
    o->request = request;
    return &o->base;
}
