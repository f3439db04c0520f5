/* SPDX-License-Identifier: MIT */
/*
 * offload: runs a user function for each item on libuv's thread pool
 * (uv_queue_work) and resumes on the loop with the results, in order.
 *
 * Each item becomes a job: its own allocation holding the uv_work_t, the
 * item and, once the pool ran the function, the result. Jobs sit in a
 * window in input order; the window holds at most max_concurrent jobs,
 * and the stage asks its upstream for one more item each time a job
 * leaves the window (its result emitted), so the upstream never runs
 * ahead of what the pool and the subscriber can take. A job whose work
 * is done waits in the window until the jobs before it are done and the
 * subscriber has demand.
 *
 * The work callback touches only its job. The after-work callback runs
 * on the loop: a job still owned by the stage enters a frame of the
 * pipeline and drains; a job the stage let go (cancel, an error, the
 * stage's teardown cleared its back-pointer) only frees itself, whether
 * its work ran or was cancelled (UV_ECANCELED).
 */
#include "rx-sched.h"
#include "uvrx/thread.h"

#define DEFAULT_MAX 4
#define MAX_MAX 65536

struct offload_obs {
    rx_observable base;
    rx_map_fn fn;
    void *ctx;
    int max;
    uv_loop_t *loop; /* NULL for uv_default_loop() */
};

struct offload_stage;

struct job {
    uv_work_t req;
    struct offload_stage *st; /* NULL once the stage let go */
    rx_map_fn fn;
    void *ctx;
    rx_value in;
    rx_value out;
    rx_error *err;
    bool done;
};

struct offload_stage {
    rx__stage base;
    rx__demand d;     /* downstream demand; cancelled also after the end */
    rx_scheduler *ls; /* the loop's scheduler, retained */
    uv_loop_t *loop;
    struct job **win; /* jobs in input order, a circular window */
    size_t head;
    size_t len;
    size_t max;
    bool up_done;     /* the upstream completed */
    rx_error *up_err; /* the upstream failed: after the jobs before it */
};

/* ---- jobs -------------------------------------------------------------- */

static void
job_free(struct job *j)
{
    rx_value_release(j->in);
    rx_value_release(j->out);
    rx_error_release(j->err);
    rx__free(j);
}

/* On a pool thread: only the job is touched. */
static void
job_work(uv_work_t *req)
{
    struct job *j = (struct job *)req;

    j->out = j->fn(j->in, j->ctx, &j->err);
}

static void offload_drain(struct offload_stage *st);

/* On the loop thread. */
static void
job_after(uv_work_t *req, int status)
{
    struct job *j = (struct job *)req;
    struct offload_stage *st = j->st;
    rx__pipeline *p;

    if (st == NULL) {
        job_free(j); /* orphaned: ran or was cancelled */
        return;
    }
    j->done = true;
    if (status != 0 && j->err == NULL) {
        j->err = rx__error_at(rx__stage_site(&st->base), status,
                              "rx_offload: the work failed: %s",
                              uv_strerror(status));
    }
    p = st->base.pipe;
    rx__frame_enter(p);
    offload_drain(st);
    rx__frame_exit(p); /* may free the stage */
}

/* Lets go of every job in the window: finished ones are freed, running
 * ones free themselves in job_after (and are cancelled if not begun). */
static void
drop_window(struct offload_stage *st)
{
    while (st->len > 0) {
        struct job *j = st->win[st->head];
        st->head = (st->head + 1) % st->max;
        st->len--;
        if (j->done) {
            job_free(j);
        } else {
            j->st = NULL;
            uv_cancel((uv_req_t *)&j->req);
        }
    }
}

/* ---- the stage --------------------------------------------------------- */

static void
offload_fail(struct offload_stage *st, rx_error *err)
{
    st->d.cancelled = true;
    rx__cancel_up(&st->base);
    drop_window(st);
    rx_error_release(st->up_err);
    st->up_err = NULL;
    rx__emit_new_error(&st->base, err);
}

/* One pass: emits the finished results at the front of the window within
 * demand, asks the upstream to refill the window, and ends the stream
 * once the window is empty after the upstream ended. */
static bool
offload_pass(void *self)
{
    struct offload_stage *st = self;
    int64_t emitted = 0;
    int64_t freed = 0;

    while (st->len > 0 && !st->d.cancelled) {
        struct job *j = st->win[st->head];
        rx_value v;

        if (!j->done) {
            break;
        }
        if (j->err == NULL && rx_is_invalid(j->out)) {
            j->err = rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                  "rx_offload: fn returned an invalid value");
        }
        if (j->err != NULL) {
            rx_error *err = j->err;
            j->err = NULL;
            st->d.requested = rx__demand_sub(st->d.requested, emitted);
            offload_fail(st, err);
            return false;
        }
        if (emitted >= st->d.requested) {
            break;
        }
        st->head = (st->head + 1) % st->max;
        st->len--;
        v = j->out;
        j->out = rx_nil();
        job_free(j);
        freed++;
        if (rx__emit_next(&st->base, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    if (st->d.cancelled || rx__pipeline_poll(st->base.pipe)) {
        return false;
    }
    if (freed > 0 && !st->up_done && st->up_err == NULL) {
        rx__request_up(&st->base, freed); /* may emit here: on_next */
    }
    if (st->len == 0 && !st->d.cancelled && (st->up_done || st->up_err)) {
        rx_error *err = st->up_err;
        st->up_err = NULL;
        st->d.cancelled = true;
        if (err != NULL) {
            rx__emit_new_error(&st->base, err);
        } else {
            rx__emit_complete(&st->base);
        }
    }
    return false;
}

static void
offload_drain(struct offload_stage *st)
{
    if (st->d.started && !st->d.cancelled) {
        rx__drain(&st->d, offload_pass, st);
    }
}

static bool
offload_on_next(rx__stage *self, rx_value v)
{
    struct offload_stage *st = (struct offload_stage *)self;
    const struct offload_obs *o = (const struct offload_obs *)self->obs;
    const rx_site *site = rx__stage_site(self);
    struct job *j;
    int rc;

    if (st->d.cancelled) {
        return false;
    }
    if (st->len == st->max) {
        offload_fail(st, rx__error_at(site, RX_EBACKPRESSURE,
                                      "rx_offload: the upstream emitted "
                                      "more items than requested"));
        return true;
    }
    j = rx__calloc(1, sizeof *j);
    if (j == NULL) {
        offload_fail(
            st, rx__error_at(site, RX_ENOMEM, "rx_offload: out of memory"));
        return true;
    }
    j->st = st;
    j->fn = o->fn;
    j->ctx = o->ctx;
    j->in = rx_value_retain(v);
    j->out = rx_nil();
    rc = uv_queue_work(st->loop, &j->req, job_work, job_after);
    if (rc != 0) {
        job_free(j);
        offload_fail(st,
                     rx__error_at(site, rc, "rx_offload: %s", uv_strerror(rc)));
        return true;
    }
    st->win[(st->head + st->len) % st->max] = j;
    st->len++;
    return true;
}

static void
offload_on_error(rx__stage *self, const rx_error *err)
{
    struct offload_stage *st = (struct offload_stage *)self;

    if (st->d.cancelled || st->up_done || st->up_err != NULL) {
        rx__undeliverable(err);
        return;
    }
    st->up_err = rx_error_retain(err);
    offload_drain(st);
}

static void
offload_on_complete(rx__stage *self)
{
    struct offload_stage *st = (struct offload_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->up_done = true;
    offload_drain(st);
}

static void
offload_request(rx__stage *self, int64_t n)
{
    struct offload_stage *st = (struct offload_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        offload_drain(st);
    }
}

static void
offload_cancel(rx__stage *self)
{
    struct offload_stage *st = (struct offload_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    rx__cancel_up(self);
    drop_window(st);
    rx_error_release(st->up_err);
    st->up_err = NULL;
}

static void
offload_start(rx__stage *self)
{
    struct offload_stage *st = (struct offload_stage *)self;
    const rx_site *site = rx__stage_site(self);

    st->ls = rx_scheduler_loop(st->loop);
    if (st->ls == NULL || !rx__sched_is_current(st->ls)) {
        int code = st->ls == NULL ? rx_last_error() : RX_EINVAL;
        st->d.cancelled = true;
        rx__emit_new_error(
            self,
            rx__error_at(site, code < 0 ? code : RX_ENOMEM,
                         "rx_offload: subscribe on the "
                         "thread of the loop (%s)",
                         st->ls == NULL ? "no scheduler" : "another thread"));
        return;
    }
    rx__pipeline_bind(self->pipe, st->ls);
    st->d.started = true;
    rx__request_up(self, (int64_t)st->max);
    rx__stage_start(self->up);
}

static void
offload_teardown(rx__stage *self)
{
    struct offload_stage *st = (struct offload_stage *)self;

    if (st->win != NULL) {
        drop_window(st);
    }
    rx__free(st->win);
    rx_error_release(st->up_err);
    rx_scheduler_release(st->ls);
}

static const struct rx__stage_ops offload_stage_ops = {
    .on_next = offload_on_next,
    .on_error = offload_on_error,
    .on_complete = offload_on_complete,
    .request = offload_request,
    .cancel = offload_cancel,
    .start = offload_start,
    .teardown = offload_teardown,
};

static int
offload_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                 rx__stage **out)
{
    const struct offload_obs *o = (const struct offload_obs *)self;
    struct offload_stage *st;

    st = rx__stage_new(pipe, &offload_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    st->max = (size_t)o->max;
    st->loop = o->loop != NULL ? o->loop : uv_default_loop();
    st->win = rx__calloc(st->max, sizeof(struct job *));
    if (st->win == NULL) {
        rx__set_last_error(RX_ENOMEM, "rx_offload: out of memory");
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops offload_obs_ops = {.assemble =
                                                       offload_assemble};

rx_observable *
rx_offload_at(const rx_site *site, rx_observable *src, rx_map_fn fn, void *ctx,
              int max_concurrent, uv_loop_t *loop)
{
    struct offload_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (fn == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_offload: fn must not be NULL");
    }
    if (max_concurrent < 0 || max_concurrent > MAX_MAX) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_offload: max_concurrent must be 0 to 65536");
    }
    o = rx__observable_new(site, &offload_obs_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->fn = fn;
    o->ctx = ctx;
    o->max = max_concurrent == 0 ? DEFAULT_MAX : max_concurrent;
    o->loop = loop;
    return &o->base;
}
