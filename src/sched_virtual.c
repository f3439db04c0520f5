/* SPDX-License-Identifier: MIT */
/*
 * The virtual-time scheduler, and rx_test_run(), which drives a real loop
 * and a virtual scheduler together.
 *
 * Virtual time moves only when a test says. Tasks run in (due, seq)
 * order, so tasks due at the same time run in the order they were
 * scheduled, and a run is exactly reproducible. Posts from other threads
 * wait in a locked list and run at the next advance.
 */
#include "rx-sched-internal.h"

struct vsched {
    rx_scheduler base;
    rx__theap heap;
    uint64_t clock;
    int64_t step_limit;
    uv_mutex_t lock;  /* guards `posted` */
    rx__task *posted; /* tasks posted from any thread, newest first */
};

static struct vsched *
as_virtual(rx_scheduler *s)
{
    if (s == NULL || !s->ops->is_virtual) {
        return NULL;
    }
    return (struct vsched *)s;
}

static int
v_schedule(rx_scheduler *s, rx__task *t)
{
    struct vsched *v = (struct vsched *)s;

    return rx__theap_push(&v->heap, t, s);
}

static void
v_unschedule(rx_scheduler *s, rx__task *t)
{
    struct vsched *v = (struct vsched *)s;

    rx__theap_remove(&v->heap, t);
}

static int
v_post(rx_scheduler *s, rx__task *t)
{
    struct vsched *v = (struct vsched *)s;

    uv_mutex_lock(&v->lock);
    t->next = v->posted;
    v->posted = t;
    uv_mutex_unlock(&v->lock);
    return 0;
}

static uint64_t
v_now(rx_scheduler *s)
{
    return ((struct vsched *)s)->clock;
}

static bool
v_is_current(const rx_scheduler *s)
{
    (void)s;
    return true;
}

static void
v_destroy(rx_scheduler *s)
{
    struct vsched *v = (struct vsched *)s;

    rx__theap_detach_all(&v->heap);
    uv_mutex_destroy(&v->lock);
    rx__free(v);
}

static const struct rx__sched_ops virtual_ops = {
    .schedule = v_schedule,
    .unschedule = v_unschedule,
    .post = v_post,
    .now = v_now,
    .destroy = v_destroy,
    .is_current = v_is_current,
    .timed = true,
    .is_virtual = true,
};

rx_scheduler *
rx_scheduler_virtual(void)
{
    struct vsched *v = rx__calloc(1, sizeof *v);

    if (v == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_scheduler_virtual: out of memory");
    }
    if (uv_mutex_init(&v->lock) != 0) {
        rx__free(v);
        return rx__fail_null(RX_ENOMEM,
                             "rx_scheduler_virtual: cannot create a mutex");
    }
    rx__sched_base_init(&v->base, &virtual_ops);
    v->step_limit = 1000000;
    return &v->base;
}

/* Moves posted tasks into the heap as due now, oldest first. */
static void
take_posted(struct vsched *v)
{
    rx__task *list;
    rx__task *rev = NULL;

    uv_mutex_lock(&v->lock);
    list = v->posted;
    v->posted = NULL;
    uv_mutex_unlock(&v->lock);
    while (list != NULL) {
        rx__task *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev != NULL) {
        rx__task *next = rev->next;
        rev->period = 0;
        rev->due = v->clock;
        if (rx__theap_push(&v->heap, rev, &v->base) != 0) {
            /* Out of memory: run it now rather than lose it. */
            rx__task_run(rev);
        }
        rev = next;
    }
}

/* Runs every task due at or before `t`, then sets the clock to `t`. */
static int64_t
advance(struct vsched *v, uint64_t to)
{
    int64_t steps = 0;
    rx__task *t;

    take_posted(v);
    while ((t = rx__theap_top(&v->heap)) != NULL && t->due <= to) {
        if (steps >= v->step_limit) {
            return rx__fail(RX_ELIMIT,
                            "rx_virtual: %lld tasks ran without reaching "
                            "time %llu (step limit)",
                            (long long)steps, (unsigned long long)to);
        }
        rx__theap_pop(&v->heap);
        if (t->due > v->clock) {
            v->clock = t->due;
        }
        if (t->period > 0) {
            rx__task_next_period(t);
            rx__theap_repush(&v->heap, t, &v->base);
        }
        rx__task_run(t);
        steps++;
        take_posted(v);
    }
    if (to > v->clock) {
        v->clock = to;
    }
    return steps;
}

int64_t
rx_virtual_advance_by(rx_scheduler *vs, int64_t ms)
{
    struct vsched *v = as_virtual(vs);

    if (v == NULL || ms < 0) {
        return rx__fail(RX_EINVAL,
                        "rx_virtual_advance_by: vs must be a virtual "
                        "scheduler and ms >= 0");
    }
    return advance(v, v->clock + (uint64_t)ms);
}

int64_t
rx_virtual_advance_to(rx_scheduler *vs, uint64_t t)
{
    struct vsched *v = as_virtual(vs);

    if (v == NULL) {
        return rx__fail(RX_EINVAL, "rx_virtual_advance_to: vs must be a "
                                   "virtual scheduler");
    }
    return advance(v, t < v->clock ? v->clock : t);
}

int64_t
rx_virtual_run(rx_scheduler *vs)
{
    struct vsched *v = as_virtual(vs);
    int64_t total = 0;
    rx__task *t;

    if (v == NULL) {
        return rx__fail(RX_EINVAL,
                        "rx_virtual_run: vs must be a virtual scheduler");
    }
    take_posted(v);
    while ((t = rx__theap_top(&v->heap)) != NULL) {
        int64_t n = advance(v, t->due);
        if (n < 0) {
            return n;
        }
        total += n;
        if (total >= v->step_limit) {
            return rx__fail(RX_ELIMIT,
                            "rx_virtual_run: step limit reached with tasks "
                            "still pending");
        }
    }
    return total;
}

size_t
rx_virtual_pending(rx_scheduler *vs)
{
    struct vsched *v = as_virtual(vs);

    return v != NULL ? v->heap.n : 0;
}

int
rx_virtual_set_step_limit(rx_scheduler *vs, int64_t steps)
{
    struct vsched *v = as_virtual(vs);

    if (v == NULL || steps <= 0) {
        return rx__fail(RX_EINVAL, "rx_virtual_set_step_limit: vs must be a "
                                   "virtual scheduler and steps > 0");
    }
    v->step_limit = steps;
    return 0;
}

/* ---- real loop + virtual time ----------------------------------------- */

int
rx_test_run(uv_loop_t *loop, rx_scheduler *vs, uint64_t until)
{
    struct vsched *v = as_virtual(vs);

    if (loop == NULL || v == NULL) {
        return rx__fail(RX_EINVAL, "rx_test_run: loop and a virtual "
                                   "scheduler vs must be given");
    }
    for (;;) {
        unsigned long before = atomic_load(&rx__activity);
        rx__task *next;
        uv_run(loop, UV_RUN_NOWAIT);
        if (atomic_load(&rx__activity) != before) {
            continue; /* real work happened: poll again */
        }
        take_posted(v);
        next = rx__theap_top(&v->heap);
        if (next != NULL && next->due <= until) {
            int64_t n = advance(v, next->due);
            if (n < 0) {
                return (int)n;
            }
            continue;
        }
        if (uv_loop_alive(loop)) {
            /* Nothing virtual is due before `until`: wait for real I/O. */
            before = atomic_load(&rx__activity);
            uv_run(loop, UV_RUN_ONCE);
            if (atomic_load(&rx__activity) != before || uv_loop_alive(loop)) {
                continue;
            }
        }
        break;
    }
    if (until > v->clock) {
        v->clock = until;
    }
    return 0;
}
