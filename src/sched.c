/* SPDX-License-Identifier: MIT */
/*
 * What every scheduler shares: the reference count, the dispatch of the
 * private task calls (rx-sched.h) to each kind, the timer heap that loop,
 * pool and virtual schedulers keep their timed tasks in, and the two
 * clockless schedulers, immediate and trampoline.
 */
#include "rx-sched-internal.h"
#include "rx-assert.h"

/* ---- tasks and dispatch ----------------------------------------------- */

void
rx__task_init(rx__task *t, rx__pipeline *pipe, rx__task_fn run)
{
    memset(t, 0, sizeof *t);
    t->run = run;
    t->pipe = pipe;
    t->heap_index = RX__NO_HEAP_INDEX;
}

void
rx__task_run(rx__task *t)
{
    rx__pipeline *p = t->pipe;

    if (p == NULL) {
        t->run(t);
        return;
    }
    if (t->adopt) {
        t->adopt = false; /* the post took the frame's reference */
        rx__frame_adopt(p);
        if (t != &p->wake_task) {
            p->posts--; /* it came from rx__pipeline_post() */
        }
    } else {
        rx__frame_enter(p);
    }
    t->run(t);
    rx__frame_exit(p); /* may free p and the stage holding t */
}

rx_scheduler *
rx__sched_resolve(rx_scheduler *s)
{
    if (s != NULL) {
        return s;
    }
    return rx__sched_default_borrowed();
}

bool
rx__sched_timed(const rx_scheduler *s)
{
    return s == NULL || s->ops->timed;
}

rx_scheduler *
rx__sched_pick(rx_scheduler *s)
{
    return s->ops->pick != NULL ? s->ops->pick(s) : s;
}

bool
rx__sched_is_current(const rx_scheduler *s)
{
    return s->ops->is_current(s);
}

int
rx__schedule(rx_scheduler *s, rx__task *t, int64_t delay_ms)
{
    if (delay_ms < 0 || (delay_ms > 0 && !s->ops->timed)) {
        return RX_EINVAL;
    }
    rx__unschedule(t);
    t->period = 0;
    t->due = s->ops->now(s) + (uint64_t)delay_ms;
    return s->ops->schedule(s, t);
}

int
rx__schedule_periodic(rx_scheduler *s, rx__task *t, int64_t initial_ms,
                      int64_t period_ms)
{
    uint64_t now;

    if (initial_ms < 0 || period_ms <= 0 || !s->ops->timed) {
        return RX_EINVAL;
    }
    rx__unschedule(t);
    now = s->ops->now(s);
    t->period = period_ms;
    t->due = now + (uint64_t)initial_ms;
    return s->ops->schedule(s, t);
}

void
rx__unschedule(rx__task *t)
{
    if (t->sched != NULL) {
        t->sched->ops->unschedule(t->sched, t);
    }
}

void
rx__task_next_period(rx__task *t)
{
    /* start + (k + 1) * period, without drift: the due time advances by
     * exactly one period from the previous due time, not from now. */
    t->due += (uint64_t)t->period;
}

int
rx__post(rx_scheduler *s, rx__task *t)
{
    if (s->ops->post == NULL) {
        return RX_EINVAL;
    }
    return s->ops->post(s, t);
}

void
rx__sched_hold(rx_scheduler *s)
{
    if (s->ops->hold != NULL) {
        s->ops->hold(s, true);
    }
}

void
rx__sched_unhold(rx_scheduler *s)
{
    if (s->ops->hold != NULL) {
        s->ops->hold(s, false);
    }
}

rx_error *
rx__backpressure_error(const rx_site *site)
{
    return rx__error_at(
        site, RX_EBACKPRESSURE,
        "%s (%s:%d) had to emit but the subscriber requested nothing; put "
        "rx_on_backpressure_buffer, rx_on_backpressure_drop or "
        "rx_on_backpressure_latest after it, or request more",
        site->name, site->file, site->line);
}

/* ---- reference counting ----------------------------------------------- */

rx_scheduler *
rx_scheduler_retain(rx_scheduler *s)
{
    if (s != NULL && !s->immortal) {
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    }
    return s;
}

void
rx_scheduler_release(rx_scheduler *s)
{
    if (s == NULL || s->immortal) {
        return;
    }
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
        s->ops->destroy(s);
    }
}

uint64_t
rx_scheduler_now(rx_scheduler *s)
{
    s = rx__sched_resolve(s);
    return s != NULL ? s->ops->now(s) : 0;
}

int
rx_scheduler_set_spin(rx_scheduler *s, unsigned spin_us)
{
    if (s == NULL) {
        return rx__fail(RX_EINVAL, "rx_scheduler_set_spin: s must not be NULL");
    }
    if (s->ops->set_spin == NULL) {
        return rx__fail(RX_EINVAL, "rx_scheduler_set_spin: s must be a loop "
                                   "scheduler or a pool");
    }
    if (spin_us > RX_SCHEDULER_SPIN_MAX_US) {
        return rx__fail(RX_EINVAL,
                        "rx_scheduler_set_spin: spin_us must be at most %u",
                        (unsigned)RX_SCHEDULER_SPIN_MAX_US);
    }
    s->ops->set_spin(s, spin_us);
    return 0;
}

void
rx__sched_base_init(rx_scheduler *s, const struct rx__sched_ops *ops)
{
    s->ops = ops;
    s->immortal = false;
    atomic_init(&s->refs, 1);
}

/* ---- the timer heap --------------------------------------------------- */

static bool
before(const rx__task *a, const rx__task *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
heap_set(rx__theap *h, size_t i, rx__task *t)
{
    h->a[i] = t;
    t->heap_index = (uint32_t)i;
}

static void
sift_up(rx__theap *h, size_t i)
{
    rx__task *t = h->a[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, h->a[parent])) {
            break;
        }
        heap_set(h, i, h->a[parent]);
        i = parent;
    }
    heap_set(h, i, t);
}

static void
sift_down(rx__theap *h, size_t i)
{
    rx__task *t = h->a[i];

    for (;;) {
        size_t l = 2 * i + 1;
        size_t m = i;
        if (l < h->n && before(h->a[l], t)) {
            m = l;
        }
        if (l + 1 < h->n && before(h->a[l + 1], m == i ? t : h->a[m])) {
            m = l + 1;
        }
        if (m == i) {
            break;
        }
        heap_set(h, i, h->a[m]);
        i = m;
    }
    heap_set(h, i, t);
}

int
rx__theap_push(rx__theap *h, rx__task *t, rx_scheduler *owner)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap == 0 ? 16 : h->cap * 2;
        /* heap_index is 32 bits: at most 2^31 slots (16 GiB of them). */
        rx__task **na = ncap <= ((size_t)1 << 31)
                            ? rx__realloc(h->a, ncap * sizeof(rx__task *))
                            : NULL;
        if (na == NULL) {
            return RX_ENOMEM;
        }
        h->a = na;
        h->cap = ncap;
    }
    t->seq = h->seq++;
    t->sched = owner;
    h->a[h->n] = t;
    t->heap_index = (uint32_t)h->n;
    h->n++;
    sift_up(h, h->n - 1);
    return 0;
}

/* Re-inserts a task just popped (a periodic one): cannot fail, the slot it
 * left is free. */
void
rx__theap_repush(rx__theap *h, rx__task *t, rx_scheduler *owner)
{
    int rc = rx__theap_push(h, t, owner);

    (void)rc;
    assert(rc == 0);
}

void
rx__theap_remove(rx__theap *h, rx__task *t)
{
    size_t i = t->heap_index;

    if (t->heap_index == RX__NO_HEAP_INDEX) {
        return; /* not scheduled */
    }
    /* A scheduled task is in the heap of its own scheduler. */
    if (RX__NEVER(i >= h->n || h->a[i] != t)) {
        return;
    }
    h->n--;
    if (i != h->n) {
        rx__task *moved = h->a[h->n];
        heap_set(h, i, moved);
        sift_down(h, i);
        sift_up(h, moved->heap_index);
    }
    t->heap_index = RX__NO_HEAP_INDEX;
    t->sched = NULL;
}

rx__task *
rx__theap_top(const rx__theap *h)
{
    return h->n > 0 ? h->a[0] : NULL;
}

rx__task *
rx__theap_pop(rx__theap *h)
{
    rx__task *t = h->a[0];

    rx__theap_remove(h, t);
    return t;
}

void
rx__theap_detach_all(rx__theap *h)
{
    for (size_t i = 0; i < h->n; i++) {
        h->a[i]->heap_index = RX__NO_HEAP_INDEX;
        h->a[i]->sched = NULL;
    }
    h->n = 0;
    rx__free(h->a);
    h->a = NULL;
    h->cap = 0;
}

/* ---- immediate -------------------------------------------------------- */

static int
imm_schedule(rx_scheduler *s, rx__task *t)
{
    (void)s;
    rx__task_run(t);
    return 0;
}

static void
noop_unschedule(rx_scheduler *s, rx__task *t)
{
    (void)s;
    (void)t;
}

static uint64_t
zero_now(rx_scheduler *s)
{
    (void)s;
    return 0;
}

static bool
always_current(const rx_scheduler *s)
{
    (void)s;
    return true;
}

static void
immortal_destroy(rx_scheduler *s)
{
    (void)s;
}

static const struct rx__sched_ops immediate_ops = {
    .schedule = imm_schedule,
    .unschedule = noop_unschedule,
    .now = zero_now,
    .destroy = immortal_destroy,
    .is_current = always_current,
    .timed = false,
};

static rx_scheduler immediate_sched = {&immediate_ops, 0, true};

rx_scheduler *
rx_scheduler_immediate(void)
{
    return &immediate_sched;
}

/* ---- trampoline ------------------------------------------------------- */

/* Per thread: tasks queued behind the one running. */
static _Thread_local rx__task *tramp_head;
static _Thread_local rx__task *tramp_tail;
static _Thread_local bool tramp_running;

static const struct rx__sched_ops trampoline_ops;
static rx_scheduler trampoline_sched = {&trampoline_ops, 0, true};

static int
tramp_schedule(rx_scheduler *s, rx__task *t)
{
    t->sched = s;
    t->next = NULL;
    if (tramp_tail != NULL) {
        tramp_tail->next = t;
    } else {
        tramp_head = t;
    }
    tramp_tail = t;
    if (tramp_running) {
        return 0; /* the loop below, further up the stack, runs it */
    }
    tramp_running = true;
    while (tramp_head != NULL) {
        rx__task *next = tramp_head;
        tramp_head = next->next;
        if (tramp_head == NULL) {
            tramp_tail = NULL;
        }
        next->sched = NULL;
        rx__task_run(next);
    }
    tramp_running = false;
    return 0;
}

static void
tramp_unschedule(rx_scheduler *s, rx__task *t)
{
    rx__task *prev = NULL;

    (void)s;
    for (rx__task *i = tramp_head; i != NULL; prev = i, i = i->next) {
        if (i == t) {
            if (prev != NULL) {
                prev->next = t->next;
            } else {
                tramp_head = t->next;
            }
            if (tramp_tail == t) {
                tramp_tail = prev;
            }
            t->sched = NULL;
            return;
        }
    }
}

static const struct rx__sched_ops trampoline_ops = {
    .schedule = tramp_schedule,
    .unschedule = tramp_unschedule,
    .now = zero_now,
    .destroy = immortal_destroy,
    .is_current = always_current,
    .timed = false,
};

rx_scheduler *
rx_scheduler_trampoline(void)
{
    return &trampoline_sched;
}
