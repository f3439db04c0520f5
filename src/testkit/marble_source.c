/* SPDX-License-Identifier: MIT */
/*
 * Marble sources: cold and hot observables that play a parsed diagram on
 * a scheduler, and log when each subscription started and ended.
 *
 * Unlike the rest of the testkit this file uses uvrx's private headers:
 * playing a diagram needs scheduler tasks (rx-sched.h), which have no public
 * API yet (docs/design/testkit-internals.md).
 *
 * Cold: each subscription's stage owns one task, scheduled for the frame
 * of its next event; when it runs it delivers every event of that frame
 * and schedules the next. Hot: the observable owns one task that plays
 * the diagram from the moment of creation and hands each event to every
 * stage on its list of subscribers. Neither can slow down: an item that
 * falls due without demand ends that subscription with RX_EBACKPRESSURE,
 * as a timer would (protocol rule 7).
 */
#include <stdlib.h>

#include "rx-internal.h"
#include "rx-sched.h"

#include "marble.h"

struct marble_stage;

/* One entry of the subscription log. */
struct log_entry {
    int64_t sub;   /* frame it started, from the origin */
    int64_t unsub; /* frame it ended, or -1 */
    bool started;  /* the stage started (assembly alone is not logged) */
};

struct marble_obs {
    rx_observable base;
    rx_scheduler *vs; /* retained */
    bool hot;
    uint64_t origin;            /* virtual time of frame 0 */
    struct rx__tk_diagram diag; /* the events, frames from the origin
                                   (hot) or from each subscription (cold) */
    int code;                   /* the code of '#' when err is NULL */
    rx_error *err;              /* the error '#' signals, or NULL */
    struct log_entry *log;      /* the subscription log */
    size_t nlog, caplog;
    /* Hot only. */
    rx__task task;                  /* plays the next frame */
    size_t next;                    /* index of the next event */
    const struct rx__tk_event *end; /* the terminal that happened, or NULL */
    bool stopped;                   /* the test source was freed */
    struct marble_stage *subs;      /* subscribers, oldest first */
    struct marble_stage *cursor;    /* next subscriber of a broadcast */
};

struct marble_stage {
    rx__stage base;
    rx__task task;     /* cold: plays the next frame */
    int64_t requested; /* outstanding demand */
    uint64_t start;    /* cold: virtual time of frame 0 */
    size_t next;       /* cold: index of the next event */
    size_t log;        /* index of its log entry, or SIZE_MAX */
    bool started;      /* started, or cancelled before it could be */
    bool live;         /* started, no terminal or cancel yet */
    bool in_round;     /* hot: owed the event being broadcast */
    bool linked;       /* hot: on the subscriber list */
    struct marble_stage *prev, *next_sub; /* hot: the subscriber list */
};

struct rx_test_source {
    struct marble_obs *obs; /* one reference */
    char *log_text;         /* the last rendered log (malloc) */
};

static struct marble_obs *
obs_of(const struct marble_stage *st)
{
    return (struct marble_obs *)st->base.obs;
}

static int64_t
frame_now(const struct marble_obs *o)
{
    return (int64_t)(rx_scheduler_now(o->vs) - o->origin);
}

/* The subscription ends now: stop its task and log the '!'. */
static void
stage_end(struct marble_stage *st)
{
    struct marble_obs *o = obs_of(st);

    st->live = false;
    rx__unschedule(&st->task);
    if (st->log != SIZE_MAX && o->log[st->log].started &&
        o->log[st->log].unsub < 0) {
        o->log[st->log].unsub = frame_now(o);
    }
}

/* Delivers one event to one subscriber. */
static void
deliver(struct marble_stage *st, const struct rx__tk_event *e)
{
    struct marble_obs *o = obs_of(st);

    if (!st->live) {
        return;
    }
    switch (e->kind) {
    case RX__TK_NEXT:
        if (st->requested == 0) {
            stage_end(st);
            rx__emit_new_error(
                &st->base, rx__backpressure_error(rx__stage_site(&st->base)));
            return;
        }
        if (rx__emit_next(&st->base, e->value)) {
            st->requested = rx__demand_sub(st->requested, 1);
        }
        return;
    case RX__TK_ERROR:
        stage_end(st);
        if (o->err != NULL) {
            rx__emit_error(&st->base, o->err);
        } else {
            rx__emit_new_error(&st->base,
                               rx__error_at(rx__stage_site(&st->base), o->code,
                                            "marble error"));
        }
        return;
    default: /* RX__TK_COMPLETE */
        stage_end(st);
        rx__emit_complete(&st->base);
        return;
    }
}

/* ---- cold ------------------------------------------------------------- */

/* Schedules the task for the next event, if any. */
static void
cold_schedule(struct marble_stage *st)
{
    struct marble_obs *o = obs_of(st);
    uint64_t due;
    uint64_t now;

    if (!st->live || st->next >= o->diag.n) {
        return;
    }
    due = st->start + (uint64_t)o->diag.ev[st->next].frame;
    now = rx_scheduler_now(o->vs);
    if (rx__schedule(o->vs, &st->task, due > now ? (int64_t)(due - now) : 0) !=
        0) {
        stage_end(st);
        rx__emit_new_error(&st->base,
                           rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                        "%s: out of memory scheduling a "
                                        "frame",
                                        rx__stage_site(&st->base)->name));
    }
}

/* The task: every event due by now, then the next frame. */
static void
cold_run(rx__task *t)
{
    struct marble_stage *st =
        (struct marble_stage *)(void *)((char *)t -
                                        offsetof(struct marble_stage, task));
    struct marble_obs *o = obs_of(st);
    uint64_t now = rx_scheduler_now(o->vs);

    while (st->live && st->next < o->diag.n &&
           st->start + (uint64_t)o->diag.ev[st->next].frame <= now) {
        deliver(st, &o->diag.ev[st->next++]);
    }
    cold_schedule(st);
}

/* ---- hot -------------------------------------------------------------- */

static void
hot_unlink(struct marble_obs *o, struct marble_stage *st)
{
    if (!st->linked) {
        return;
    }
    if (o->cursor == st) {
        o->cursor = st->next_sub;
    }
    if (st->prev != NULL) {
        st->prev->next_sub = st->next_sub;
    } else {
        o->subs = st->next_sub;
    }
    if (st->next_sub != NULL) {
        st->next_sub->prev = st->prev;
    }
    st->linked = false;
}

static void
hot_link(struct marble_obs *o, struct marble_stage *st)
{
    struct marble_stage **p = &o->subs;
    struct marble_stage *last = NULL;

    while (*p != NULL) {
        last = *p;
        p = &(*p)->next_sub;
    }
    *p = st;
    st->prev = last;
    st->next_sub = NULL;
    st->linked = true;
}

/* Hands one event to every subscriber present now, oldest first. Each
 * delivery runs inside a frame of that subscriber's pipeline. A delivery
 * may subscribe, cancel or free other subscribers: the cursor moves past
 * a subscriber that leaves the list, and subscribers that join during
 * the broadcast are not owed this event. */
static void
hot_broadcast(struct marble_obs *o, const struct rx__tk_event *e)
{
    struct marble_stage *st;

    for (st = o->subs; st != NULL; st = st->next_sub) {
        st->in_round = true;
    }
    o->cursor = o->subs;
    while (o->cursor != NULL) {
        rx__pipeline *pipe;

        st = o->cursor;
        o->cursor = st->next_sub;
        if (!st->in_round) {
            continue;
        }
        st->in_round = false;
        pipe = st->base.pipe;
        rx__frame_enter(pipe);
        deliver(st, e);
        rx__frame_exit(pipe); /* may free st */
    }
}

/* Schedules the task for the next event; called from hot_run only. */
static void
hot_schedule(struct marble_obs *o)
{
    uint64_t due;
    uint64_t now;

    if (o->stopped || o->next >= o->diag.n) {
        return;
    }
    due = o->origin + (uint64_t)o->diag.ev[o->next].frame;
    now = rx_scheduler_now(o->vs);
    /* Cannot fail: called from the task's own run, so the slot it left
     * in the timer heap is free. The next event is in the future: hot_run
     * delivered every event due by now. */
    (void)rx__schedule(o->vs, &o->task,
                       RX__ALWAYS(due > now) ? (int64_t)(due - now) : 0);
}

static void
hot_run(rx__task *t)
{
    struct marble_obs *o =
        (struct marble_obs *)(void *)((char *)t -
                                      offsetof(struct marble_obs, task));
    uint64_t now = rx_scheduler_now(o->vs);

    while (!o->stopped && o->next < o->diag.n &&
           o->origin + (uint64_t)o->diag.ev[o->next].frame <= now) {
        const struct rx__tk_event *e = &o->diag.ev[o->next++];
        if (e->kind != RX__TK_NEXT) {
            o->end = e;
        }
        hot_broadcast(o, e);
    }
    hot_schedule(o);
}

/* ---- the stage -------------------------------------------------------- */

static void
marble_request(rx__stage *self, int64_t n)
{
    struct marble_stage *st = (struct marble_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

/* Marks the subscription started: its '^' goes in the log now. */
static void
stage_begin(struct marble_stage *st)
{
    struct marble_obs *o = obs_of(st);

    st->started = true;
    st->live = true;
    o->log[st->log].started = true;
    o->log[st->log].sub = frame_now(o);
}

/* A cancel before the start (inside on_subscribe, or take(0)) still
 * logs a subscription, one that ended at once, as RxJS shows it. */
static void
marble_cancel(rx__stage *self)
{
    struct marble_stage *st = (struct marble_stage *)self;

    if (st->log == SIZE_MAX) {
        return; /* never fully assembled: nothing to log */
    }
    if (!st->started) {
        stage_begin(st);
    }
    if (st->live) {
        stage_end(st);
    }
}

static void
marble_start(rx__stage *self)
{
    struct marble_stage *st = (struct marble_stage *)self;
    struct marble_obs *o = obs_of(st);

    if (st->started) {
        return; /* cancelled before it could start */
    }
    stage_begin(st);
    if (!o->hot) {
        st->start = rx_scheduler_now(o->vs);
        cold_schedule(st);
    } else if (o->end != NULL) {
        deliver(st, o->end); /* a subject's late subscriber */
    }
}

static void
marble_teardown(rx__stage *self)
{
    struct marble_stage *st = (struct marble_stage *)self;
    struct marble_obs *o = obs_of(st);

    rx__unschedule(&st->task);
    if (st->log != SIZE_MAX && o->log[st->log].started &&
        o->log[st->log].unsub < 0) {
        o->log[st->log].unsub = frame_now(o);
    }
    hot_unlink(o, st);
}

static const struct rx__stage_ops marble_stage_ops = {
    .request = marble_request,
    .cancel = marble_cancel,
    .start = marble_start,
    .teardown = marble_teardown,
};

static int
marble_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct marble_obs *o = (struct marble_obs *)self;
    struct marble_stage *st;

    st = rx__stage_new(pipe, &marble_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, cold_run);
    st->log = SIZE_MAX;
    if (o->nlog == o->caplog) {
        size_t ncap = o->caplog == 0 ? 4 : o->caplog * 2;
        struct log_entry *nl = rx__realloc(o->log, ncap * sizeof *nl);
        if (nl == NULL) {
            rx__set_last_error(RX_ENOMEM, "%s: out of memory", self->site.name);
            return RX_ENOMEM;
        }
        o->log = nl;
        o->caplog = ncap;
    }
    st->log = o->nlog++;
    o->log[st->log] = (struct log_entry){.sub = -1, .unsub = -1};
    if (o->hot) {
        hot_link(o, st);
    }
    *out = &st->base;
    return 0;
}

static void
marble_destroy(rx_observable *self)
{
    struct marble_obs *o = (struct marble_obs *)self;

    rx__unschedule(&o->task);
    rx__tk_diagram_clear(&o->diag);
    rx_error_release(o->err);
    rx__free(o->log);
    rx_scheduler_release(o->vs);
}

static const struct rx__obs_ops marble_ops = {
    .assemble = marble_assemble,
    .destroy = marble_destroy,
};

/* ---- the public side -------------------------------------------------- */

static rx_test_source *
source_new(const rx_site *site, rx_scheduler *vs, const char *marbles,
           const rx_marble_value *values, size_t nvalues, bool hot)
{
    const char *fn = hot ? "rx_test_hot" : "rx_test_cold";
    struct rx__tk_diagram diag;
    struct marble_obs *o;
    rx_test_source *src;

    if (vs == NULL || marbles == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: vs and marbles must not be NULL",
                             fn);
    }
    if (!rx__sched_timed(vs)) {
        return rx__fail_null(RX_EINVAL,
                             "%s: vs must be a scheduler with timers "
                             "(virtual, loop or pool)",
                             fn);
    }
    if (rx__tk_check_values(fn, values, nvalues) != 0 ||
        rx__tk_parse(fn, marbles, hot ? RX__TK_ALLOW_SUB | RX__TK_SHIFT : 0,
                     values, nvalues, &diag) != 0) {
        return NULL;
    }
    src = calloc(1, sizeof *src);
    o = src != NULL ? rx__observable_new(site, &marble_ops, sizeof *o, NULL)
                    : NULL;
    if (o == NULL) {
        free(src);
        rx__tk_diagram_clear(&diag);
        return rx__fail_null(RX_ENOMEM, "%s: out of memory", fn);
    }
    src->obs = o;
    o->vs = rx_scheduler_retain(vs);
    o->hot = hot;
    o->origin = rx_scheduler_now(vs);
    o->diag = diag;
    o->code = rx__tk_error_code(values, nvalues);
    rx__task_init(&o->task, NULL, hot_run);
    if (hot) {
        while (o->next < o->diag.n && o->diag.ev[o->next].frame < 0) {
            o->next++; /* the past */
        }
        if (o->next < o->diag.n &&
            rx__schedule(vs, &o->task, o->diag.ev[o->next].frame) != 0) {
            rx_test_source_free(src);
            return rx__fail_null(RX_ENOMEM, "%s: out of memory", fn);
        }
    }
    return src;
}

rx_test_source *
rx_test_cold_at(const rx_site *site, rx_scheduler *vs, const char *marbles,
                const rx_marble_value *values, size_t nvalues)
{
    return source_new(site, vs, marbles, values, nvalues, false);
}

rx_test_source *
rx_test_hot_at(const rx_site *site, rx_scheduler *vs, const char *marbles,
               const rx_marble_value *values, size_t nvalues)
{
    return source_new(site, vs, marbles, values, nvalues, true);
}

rx_observable *
rx_test_source_observable(rx_test_source *src)
{
    if (src == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_test_source_observable: src must not be "
                             "NULL");
    }
    return rx_observable_retain(&src->obs->base);
}

int
rx_test_source_set_error(rx_test_source *src, rx_error *err)
{
    if (src == NULL || err == NULL) {
        rx_error_release(err);
        return rx__fail(RX_EINVAL, "rx_test_source_set_error: src and err "
                                   "must not be NULL");
    }
    rx_error_release(src->obs->err);
    src->obs->err = err;
    return 0;
}

size_t
rx_test_source_subscriptions(const rx_test_source *src)
{
    size_t n = 0;

    if (src == NULL) {
        return 0;
    }
    for (size_t i = 0; i < src->obs->nlog; i++) {
        n += src->obs->log[i].started;
    }
    return n;
}

/* The started log entries, as a malloc'd array (NULL and *n = 0 when
 * there are none or memory ran out: *oom says which). */
static struct rx__tk_sub *
source_subs(const rx_test_source *src, size_t *n, bool *oom)
{
    const struct marble_obs *o = src->obs;
    struct rx__tk_sub *subs;
    size_t k = 0;

    *n = 0;
    *oom = false;
    if (o->nlog == 0) {
        return NULL;
    }
    subs = malloc(o->nlog * sizeof *subs);
    if (subs == NULL) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < o->nlog; i++) {
        if (o->log[i].started) {
            subs[k].sub = o->log[i].sub;
            subs[k].unsub = o->log[i].unsub;
            k++;
        }
    }
    *n = k;
    return subs;
}

const char *
rx_test_source_log(rx_test_source *src)
{
    struct rx__tk_sub *subs;
    size_t n;
    bool oom;

    if (src == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_test_source_log: src must not be NULL");
    }
    subs = source_subs(src, &n, &oom);
    if (oom) {
        return rx__fail_null(RX_ENOMEM, "rx_test_source_log: out of memory");
    }
    free(src->log_text);
    src->log_text = rx__tk_render_subs(subs, n);
    free(subs);
    if (src->log_text == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_test_source_log: out of memory");
    }
    return src->log_text;
}

bool
rx_test_check_subscriptions(rx_test_source *src, const char *expected,
                            char *why, size_t cap)
{
    struct rx__tk_sub *want = NULL;
    struct rx__tk_sub *got = NULL;
    size_t nwant = 0;
    size_t ngot = 0;
    size_t i;
    bool oom;
    const char *text;

    if (src == NULL || expected == NULL) {
        return rx__tk_fail(why, cap,
                           "rx_test_check_subscriptions: src and "
                           "expected must not be NULL");
    }
    if (rx__tk_parse_subs(expected, &want, &nwant, why, cap) != 0) {
        return false;
    }
    got = source_subs(src, &ngot, &oom);
    text = oom ? NULL : rx_test_source_log(src);
    if (text == NULL) {
        free(want);
        free(got);
        return rx__tk_fail(why, cap, "out of memory");
    }
    for (i = 0; i < nwant && i < ngot; i++) {
        if (want[i].sub != got[i].sub || want[i].unsub != got[i].unsub) {
            break;
        }
    }
    free(want);
    free(got);
    if (i == nwant && i == ngot) {
        return true;
    }
    return rx__tk_fail(why, cap,
                       "subscription %zu differs\nexpected:\n%s\nactual:\n%s",
                       i + 1, expected, text);
}

void
rx_test_source_free(rx_test_source *src)
{
    if (src == NULL) {
        return;
    }
    src->obs->stopped = true;
    rx__unschedule(&src->obs->task);
    rx_observable_release(&src->obs->base);
    free(src->log_text);
    free(src);
}
