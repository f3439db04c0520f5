/* SPDX-License-Identifier: MIT */
/*
 * retry and retry_opts: resubscribe a failed source, with a count, a
 * predicate and exponential backoff on a scheduler.
 *
 * The stage runs one attempt at a time: the attempt's chain hangs below a
 * receiver embedded in the stage, as in concat.c. When an attempt fails
 * and a retry is allowed, a retry without wait resubscribes through a
 * loop: an attempt that fails synchronously inside the loop only marks
 * it, and the loop goes round once the attempt's chain has returned, so
 * a million immediate retries use constant stack (protocol rule 6). A
 * finished chain still on the stack is retired; one off the stack is
 * freed at once. A retry with a wait schedules the stage's task; the
 * task runs the loop.
 *
 * The wait before retry k is min(base * factor^(k-1), max_delay), less
 * jitter * u of itself, u uniform in [0, 1) from a splitmix64 generator
 * seeded with the config's seed at each subscription.
 */
#include <stddef.h>

#include "../time/time-internal.h"

struct retry_obs {
    rx_observable base; /* base.src: the source */
    rx_retry_config cfg;
};

struct retry_stage {
    rx__stage base; /* base.up: the running attempt's chain, or NULL */
    rx__stage recv; /* where the attempt signals; not on the list */
    rx__task task;  /* the wait before a retry */
    rx_scheduler *sched;
    int64_t requested; /* outstanding downstream demand */
    int64_t attempt;   /* retries since the start (or the last item) */
    uint64_t rng;      /* splitmix64 state */
    bool running;      /* the attempt's chain has not terminated */
    bool in_loop;
    bool again;
    bool done; /* terminal sent or cancelled */
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
    st->done = true;
    rx__unschedule(&st->task);
    rx__emit_new_error(&st->base, err);
}

/* Subscribes attempts until one is still running, the stream stops or an
 * attempt waits. `on_stack`: the caller is the failed attempt's on_error,
 * so its chain cannot be freed yet. */
static void
retry_loop(struct retry_stage *st, bool on_stack)
{
    rx__stage *old;
    int rc;

    if (st->in_loop) {
        st->again = true;
        return;
    }
    st->in_loop = true;
    do {
        old = st->base.up;
        st->base.up = NULL;
        if (old != NULL && on_stack) {
            rx__stage_retire_chain(old);
        } else if (old != NULL) {
            rx__stage_free_chain(old);
        }
        on_stack = false;
        st->again = false;
        if (st->done || rx__pipeline_poll(st->base.pipe)) {
            break;
        }
        rc = rx__assemble(st->base.obs->src, st->base.pipe, &st->recv,
                          &st->base.up);
        if (rc < 0) {
            st->base.up = NULL; /* what was built is freed with the pipe */
            retry_fail(st, rx__error_at(rx__stage_site(&st->base), rc,
                                        "%s: cannot resubscribe: %s",
                                        rx__stage_site(&st->base)->name,
                                        rx_strerror(rc)));
            break;
        }
        st->running = true;
        if (st->requested > 0) {
            rx__request_up(&st->base, st->requested);
        }
        rx__stage_start(st->base.up);
    } while (st->again);
    st->in_loop = false;
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

    if (st->done) {
        return true;
    }
    if (cfg_of(st)->reset_on_success) {
        st->attempt = 0;
    }
    consumed = rx__emit_next(&st->base, v);
    if (consumed) {
        st->requested = rx__demand_sub(st->requested, 1);
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

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->running = false;
    st->attempt++;
    if ((c->count != RX_UNBOUNDED && st->attempt > c->count) ||
        (c->pred != NULL && !c->pred(err, st->attempt, c->ctx))) {
        st->done = true;
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

    if (!st->done) {
        st->done = true;
        st->running = false;
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
    struct retry_stage *st = (struct retry_stage *)self;

    if (st->done) {
        return;
    }
    st->requested = rx__demand_add(st->requested, n);
    if (st->running) {
        rx__request_up(self, n);
    }
}

static void
retry_cancel(rx__stage *self)
{
    struct retry_stage *st = (struct retry_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    if (st->running) {
        rx__cancel_up(self);
    }
}

static void
retry_start(rx__stage *self)
{
    struct retry_stage *st = (struct retry_stage *)self;
    rx_error *err;

    if (st->done) {
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
