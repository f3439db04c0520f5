/* SPDX-License-Identifier: MIT */
/*
 * retry and retry_opts: resubscribe a failed source, with a count, a
 * predicate and exponential backoff on a scheduler.
 *
 * The stage runs one attempt at a time below a receiver embedded in the
 * stage and resubscribes through the attempt loop it shares with
 * retry_when (resub.h: constant stack for a million immediate retries).
 * A retry with a wait schedules the stage's task; the task runs the
 * loop.
 *
 * The wait before retry k is min(base * factor^(k-1), max_delay), less
 * jitter * u of itself, u uniform in [0, 1) from a splitmix64 generator
 * seeded with the config's seed at each subscription.
 */
#include <stddef.h>

#include "../time/time-internal.h"
#include "resub.h"

struct retry_obs {
    rx_observable base; /* base.src: the source */
    rx_retry_config cfg;
};

struct retry_stage {
    rx__stage base; /* base.up: the running attempt's chain, or NULL */
    rx__stage recv; /* where the attempt signals; not on the list */
    rx__task task;  /* the wait before a retry */
    rx_scheduler *sched;
    rx__resub r;     /* demand, the attempt loop's flags */
    int64_t attempt; /* retries since the start (or the last item) */
    uint64_t rng;    /* splitmix64 state */
};

static const rx_retry_config *
cfg_of(const struct retry_stage *st)
{
    return &((const struct retry_obs *)st->base.obs)->cfg;
}

static struct retry_stage *
from_recv(rx__stage *recv)
{
    return (struct retry_stage *)(void *)((char *)recv -
                                          offsetof(struct retry_stage, recv));
}

/* A uniform double in [0, 1) (splitmix64). */
static double
next_unit(struct retry_stage *st)
{
    uint64_t z = (st->rng += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* The wait before retry `attempt` (>= 1), in ms. */
static int64_t
backoff_ms(struct retry_stage *st, int64_t attempt)
{
    const rx_retry_config *c = cfg_of(st);
    double factor = c->factor == 0 ? 2.0 : c->factor;
    double limit = c->max_delay_ms > 0 ? (double)c->max_delay_ms : 1e15;
    double d = (double)c->base_ms;
    int64_t ms;

    if (c->base_ms == 0) {
        return 0;
    }
    for (int64_t k = 1; k < attempt && d < limit; k++) {
        d *= factor;
    }
    ms = (int64_t)(d < limit ? d : limit);
    if (c->jitter > 0) {
        ms -= (int64_t)((double)ms * c->jitter * next_unit(st));
    }
    return ms;
}

/* Fails the stream with err (taken). */
static void
retry_fail(struct retry_stage *st, rx_error *err)
{
    st->r.done = true;
    rx__unschedule(&st->task);
    rx__emit_new_error(&st->base, err);
}

/* Subscribes attempts until one is still running, the stream stops or an
 * attempt waits. `on_stack`: the caller is the failed attempt's on_error,
 * so its chain cannot be freed yet. */
static void
retry_fail_stage(rx__stage *self, rx_error *err)
{
    retry_fail((struct retry_stage *)self, err);
}

static void
retry_loop(struct retry_stage *st, bool on_stack)
{
    rx__resub_loop(&st->r, &st->base, &st->recv, on_stack, retry_fail_stage);
}

static void
task_run(rx__task *t)
{
    struct retry_stage *st =
        (struct retry_stage *)(void *)((char *)t -
                                       offsetof(struct retry_stage, task));

    retry_loop(st, false);
}

/* ---- the attempt's receiver ------------------------------------------- */

static bool
recv_on_next(rx__stage *self, rx_value v)
{
    struct retry_stage *st = from_recv(self);
    bool consumed;

    if (st->r.done) {
        return true;
    }
    if (cfg_of(st)->reset_on_success) {
        st->attempt = 0;
    }
    consumed = rx__emit_next(&st->base, v);
    if (consumed) {
        st->r.requested = rx__demand_sub(st->r.requested, 1);
    }
    return consumed;
}

static void
recv_on_error(rx__stage *self, const rx_error *err)
{
    struct retry_stage *st = from_recv(self);
    const rx_retry_config *c = cfg_of(st);
    int64_t wait;
    int rc;

    if (st->r.done) {
        rx__undeliverable(err);
        return;
    }
    st->r.running = false;
    st->attempt++;
    if ((c->count != RX_UNBOUNDED && st->attempt > c->count) ||
        (c->pred != NULL && !c->pred(err, st->attempt, c->ctx))) {
        st->r.done = true;
        rx__emit_error(&st->base, err);
        return;
    }
    wait = backoff_ms(st, st->attempt);
    if (wait == 0) {
        retry_loop(st, true);
        return;
    }
    /* The chain is freed by the loop the task runs, off the stack. */
    rc = rx__schedule(st->sched, &st->task, wait);
    if (rc < 0) {
        retry_fail(st, rx__error_at(rx__stage_site(&st->base), rc,
                                    "%s: cannot schedule the retry",
                                    rx__stage_site(&st->base)->name));
    }
}

static void
recv_on_complete(rx__stage *self)
{
    struct retry_stage *st = from_recv(self);

    if (!st->r.done) {
        st->r.done = true;
        st->r.running = false;
        rx__emit_complete(&st->base);
    }
}

static const struct rx__stage_ops recv_ops = {
    .on_next = recv_on_next,
    .on_error = recv_on_error,
    .on_complete = recv_on_complete,
};

/* ---- the stage -------------------------------------------------------- */

static void
retry_request(rx__stage *self, int64_t n)
{
    rx__resub_request(&((struct retry_stage *)self)->r, self, n);
}

static void
retry_cancel(rx__stage *self)
{
    struct retry_stage *st = (struct retry_stage *)self;

    if (st->r.done) {
        return;
    }
    st->r.done = true;
    rx__unschedule(&st->task);
    if (st->r.running) {
        rx__cancel_up(self);
    }
}

static void
retry_start(rx__stage *self)
{
    struct retry_stage *st = (struct retry_stage *)self;
    rx_error *err;

    if (st->r.done) {
        return;
    }
    if (cfg_of(st)->base_ms > 0) {
        st->sched = rx__time_sched_start(self, st->sched, &err);
        if (st->sched == NULL) {
            retry_fail(st, err);
            return;
        }
    }
    retry_loop(st, false);
}

static void
retry_teardown(rx__stage *self)
{
    rx__unschedule(&((struct retry_stage *)self)->task);
}

static const struct rx__stage_ops retry_stage_ops = {
    .request = retry_request,
    .cancel = retry_cancel,
    .start = retry_start,
    .teardown = retry_teardown,
};

static int
retry_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    const struct retry_obs *o = (const struct retry_obs *)self;
    struct retry_stage *st;

    st = rx__stage_new(pipe, &retry_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->recv.ops = &recv_ops;
    st->recv.pipe = pipe;
    st->recv.obs = self;
    st->rng = o->cfg.seed;
    rx__task_init(&st->task, pipe, task_run);
    *out = &st->base;
    if (o->cfg.base_ms > 0) {
        st->sched = rx__time_sched_resolve(o->cfg.sched);
        if (st->sched == NULL) {
            return RX_ENOMEM;
        }
    }
    return 0;
}

static void
retry_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct retry_obs *)self)->cfg.sched);
}

static const struct rx__obs_ops retry_ops = {
    .assemble = retry_assemble,
    .destroy = retry_destroy,
};

/* Why cfg is unusable, or NULL when it is fine. */
static const char *
config_problem(const rx_retry_config *c)
{
    if (c->count < 0) {
        return "count must be >= 0 (RX_UNBOUNDED for ever)";
    }
    if (c->base_ms < 0 || c->max_delay_ms < 0) {
        return "base_ms and max_delay_ms must be >= 0";
    }
    if (!(c->factor == 0 || c->factor >= 1)) {
        return "factor must be 0 (for 2) or >= 1";
    }
    if (!(c->jitter >= 0 && c->jitter <= 1)) {
        return "jitter must be in 0..1";
    }
    return NULL;
}

rx_observable *
rx_retry_opts_at(const rx_site *site, rx_observable *src,
                 const rx_retry_config *cfg)
{
    struct retry_obs *o;
    const char *why;

    if (src == NULL) {
        return NULL;
    }
    if (cfg == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: cfg must not be NULL", site->name);
    }
    why = config_problem(cfg);
    if (why != NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "%s: %s", site->name, why);
    }
    if (cfg->base_ms > 0 &&
        !rx__time_args_ok(site->name, "base_ms", cfg->base_ms, 0, cfg->sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, &retry_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->cfg = *cfg;
    rx_scheduler_retain(o->cfg.sched);
    return &o->base;
}

rx_observable *
rx_retry_at(const rx_site *site, rx_observable *src, int64_t count)
{
    rx_retry_config cfg = {.count = count};

    return rx_retry_opts_at(site, src, &cfg);
}
