/* SPDX-License-Identifier: MIT */
/*
 * The loop scheduler: one per libuv loop, found through a registry keyed
 * by the loop pointer (loop->data stays the user's).
 *
 * Timed tasks sit in a heap driven by one uv_timer_t, armed for the
 * earliest task only, so a thousand pending timers cost one libuv handle
 * and no allocation each.
 *
 * Tasks from other threads arrive through a lock-free intrusive list:
 * one atomic word holds the newest task (each task links to the one
 * posted before it) and, in its low bit, SLEEPING. A post is one
 * compare-and-swap, and it calls uv_async_send only when it clears that
 * bit: the loop sets the bit in an unreferenced uv_prepare_t, which
 * libuv runs right before it blocks for I/O, and only when it found the
 * list empty. So a post to a loop that is busy costs no system call; the
 * loop finds the task in its prepare hook and runs it there, before it
 * blocks. The loop takes the whole list with one exchange and runs it
 * oldest first. Both sides read-modify-write the one word, so either the
 * poster sees the bit or the loop sees the task (as in the ring,
 * src/rx-ring.h). The async handle is referenced only while a producer
 * on another thread holds the scheduler (rx__sched_hold), and the timer
 * is active only while timed work is pending, so an idle scheduler never
 * keeps its loop alive.
 *
 * Optional spinning (rx_scheduler_set_spin): a loop that has just run
 * tasks from other threads may expect more soon (a thread hop trading
 * batches with another thread). Its prepare hook then polls the list for
 * up to spin_us before it sets the bit, so a hop's round trip costs
 * two cache-line transfers instead of two kernel wake-ups.
 *
 * Teardown: the last release, on the loop thread, unregisters the
 * scheduler and closes its four handles; the memory goes in the last
 * close callback. A release on another thread defers that to the loop thread
 * through the async handle. rx_shutdown() runs each closing loop with
 * UV_RUN_NOWAIT until those close callbacks have run.
 */
#include "rx-sched-internal.h"
#include "rx-assert.h"

struct lsched {
    rx_scheduler base;
    uv_loop_t *loop;
    uv_timer_t timer;
    uv_async_t async;
    uv_prepare_t prepare; /* before the loop blocks: SLEEPING, or run */
    uv_idle_t again;      /* active: don't block, come back to prepare */
    rx__theap heap;
    atomic_uintptr_t posted; /* newest posted task | SLEEPING */
    atomic_uint spin_us;     /* rx_scheduler_set_spin; 0: never spin */
    atomic_bool dying;       /* released off the loop thread */
    bool ran_posts;          /* this loop pass ran posted tasks */
    bool closing_started;    /* its handles are being closed */
    int holds;               /* rx__sched_hold count (loop thread) */
    int open_handles;        /* handles not yet closed */
    const void *thread;      /* thread-local mark of the loop's thread */
    struct lsched *next;     /* registry / closing list */
};

static _Thread_local char thread_mark;

/* The low bit of `posted`: the loop found no task and may block. Tasks
 * are at least pointer-aligned, so the bit is free. */
#define SLEEPING ((uintptr_t)1)

/* The registry of live loop schedulers, the list of closing ones, and
 * the default scheduler. uv_mutex_t is a pthread mutex on the platforms
 * uvrx builds for (POSIX), so it can be initialised statically. */
static uv_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lsched *live;
static struct lsched *closing;
static rx_scheduler *default_sched;

static void
list_remove(struct lsched **head, struct lsched *l)
{
    for (struct lsched **pp = head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            return;
        }
    }
}

/* ---- timed work ------------------------------------------------------- */

static void timer_cb(uv_timer_t *timer);

/* Arms the timer for the earliest task, or stops it. */
static void
rearm(struct lsched *l)
{
    rx__task *top = rx__theap_top(&l->heap);
    uint64_t now;

    if (top == NULL) {
        uv_timer_stop(&l->timer);
        return;
    }
    now = uv_now(l->loop);
    uv_timer_start(&l->timer, timer_cb, top->due > now ? top->due - now : 0, 0);
}

static void
timer_cb(uv_timer_t *timer)
{
    struct lsched *l =
        (struct lsched *)((char *)timer - offsetof(struct lsched, timer));
    uint64_t now = uv_now(l->loop);
    uint64_t round = l->heap.seq; /* tasks scheduled from here on wait */
    rx__task *t;

    rx_scheduler_retain(&l->base);
    while ((t = rx__theap_top(&l->heap)) != NULL && t->due <= now &&
           t->seq < round) {
        rx__theap_pop(&l->heap);
        if (t->period > 0) {
            rx__task_next_period(t);
            rx__theap_repush(&l->heap, t, &l->base);
        }
        rx__task_run(t);
    }
    rearm(l);
    rx_scheduler_release(&l->base);
}

static int
l_schedule(rx_scheduler *s, rx__task *t)
{
    struct lsched *l = (struct lsched *)s;
    int rc = rx__theap_push(&l->heap, t, s);

    if (rc == 0 && rx__theap_top(&l->heap) == t) {
        rearm(l);
    }
    return rc;
}

static void
l_unschedule(rx_scheduler *s, rx__task *t)
{
    struct lsched *l = (struct lsched *)s;
    bool was_top = rx__theap_top(&l->heap) == t;

    rx__theap_remove(&l->heap, t);
    if (was_top) {
        rearm(l);
    }
}

static uint64_t
l_now(rx_scheduler *s)
{
    return uv_now(((struct lsched *)s)->loop);
}

static bool
l_is_current(const rx_scheduler *s)
{
    return ((const struct lsched *)s)->thread == &thread_mark;
}

/* ---- posts from any thread ------------------------------------------- */

static int
l_post(rx_scheduler *s, rx__task *t)
{
    struct lsched *l = (struct lsched *)s;
    uintptr_t old = atomic_load_explicit(&l->posted, memory_order_relaxed);

    /* Release: the task's fields, `next` included, are visible to the
     * loop's acquiring exchange. The new word never has SLEEPING set. */
    do {
        t->next = (rx__task *)(old & ~SLEEPING);
    } while (!atomic_compare_exchange_weak_explicit(
        &l->posted, &old, (uintptr_t)t, memory_order_release,
        memory_order_relaxed));
    if ((old & SLEEPING) != 0) {
        uv_async_send(&l->async); /* the one libuv call from any thread */
    }
    return 0;
}

static void destroy_on_loop(struct lsched *l);
static void run_posted(struct lsched *l, bool until_empty);

static void
async_cb(uv_async_t *async)
{
    struct lsched *l =
        (struct lsched *)((char *)async - offsetof(struct lsched, async));
    bool dying = atomic_load_explicit(&l->dying, memory_order_acquire);

    run_posted(l, false);
    if (dying) {
        destroy_on_loop(l);
    }
}

static void
l_set_spin(rx_scheduler *s, unsigned spin_us)
{
    atomic_store_explicit(&((struct lsched *)s)->spin_us, spin_us,
                          memory_order_relaxed);
}

static void
again_cb(uv_idle_t *h)
{
    (void)h; /* being active is its whole job */
}

/* Polls the list until a task comes (true) or `deadline` (uv_hrtime)
 * passes (false). */
static bool
spin_until(struct lsched *l, uint64_t deadline)
{
    for (unsigned i = 1;; i++) {
        if ((atomic_load_explicit(&l->posted, memory_order_relaxed) &
             ~SLEEPING) != 0) {
            return true;
        }
        if ((i & 63) == 0 && uv_hrtime() >= deadline) {
            return false;
        }
    }
}

/* The prepare hook, right before the loop blocks for I/O. When the pass
 * that ends ran tasks from other threads and spinning is on, it first
 * polls for more, for up to spin_us (less when a timer is due sooner).
 * Then it sets SLEEPING if the list is empty, so the next post wakes the
 * loop; otherwise it runs one batch and keeps the idle handle active,
 * which makes the coming I/O poll non-blocking and brings the loop
 * straight back here: posts arriving while the loop is busy are run
 * batch after batch, with I/O polled between them, and cost their
 * posters no system call.
 *
 * A task may drop the scheduler's last reference, which closes its
 * handles at once (the memory goes in the close callbacks, later in this
 * loop pass): the idle handle must not be started after that. */
static void
prepare_cb(uv_prepare_t *h)
{
    struct lsched *l =
        (struct lsched *)((char *)h - offsetof(struct lsched, prepare));
    unsigned us = atomic_load_explicit(&l->spin_us, memory_order_relaxed);
    uintptr_t empty = 0;

    uv_idle_stop(&l->again);
    if (us != 0 && l->ran_posts) {
        uint64_t limit = (uint64_t)us * 1000u;
        int timeout = uv_backend_timeout(l->loop);

        if (timeout > 0 && (uint64_t)timeout * 1000000u < limit) {
            limit = (uint64_t)timeout * 1000000u;
        }
        if (timeout != 0) { /* 0: the loop will not block anyway */
            spin_until(l, uv_hrtime() + limit);
        }
    }
    l->ran_posts = false;
    if (atomic_compare_exchange_strong_explicit(&l->posted, &empty, SLEEPING,
                                                memory_order_relaxed,
                                                memory_order_relaxed) ||
        empty == SLEEPING) {
        return; /* nothing posted: the next post wakes the loop */
    }
    run_posted(l, false);
    if (!l->closing_started) {
        uv_idle_start(&l->again, again_cb);
    }
}

static void
l_hold(rx_scheduler *s, bool on)
{
    struct lsched *l = (struct lsched *)s;

    if (on && l->holds++ == 0) {
        uv_ref((uv_handle_t *)&l->async);
    } else if (!on && l->holds > 0 && --l->holds == 0) {
        uv_unref((uv_handle_t *)&l->async);
    }
}

/* ---- teardown --------------------------------------------------------- */

static void
close_cb(uv_handle_t *h)
{
    struct lsched *l = h->data;

    if (--l->open_handles == 0) {
        uv_mutex_lock(&registry_lock);
        list_remove(&closing, l);
        uv_mutex_unlock(&registry_lock);
        rx__free(l);
    }
}

/* Runs the tasks other threads posted: one batch (what was queued on
 * entry; a task posted meanwhile waits for the next prepare hook, after
 * an I/O poll, so a task that re-posts itself cannot starve the loop's
 * I/O), or until none is left, when
 * the scheduler goes. Each task holds a reference (to a pipeline or a
 * hop) that only its run gives back; a task that finds its stage gone
 * just lets go. Loop thread. */
static void
run_posted(struct lsched *l, bool until_empty)
{
    do {
        /* Acquire: the posters' writes to their tasks. */
        uintptr_t word =
            atomic_exchange_explicit(&l->posted, 0, memory_order_acquire);
        rx__task *list = NULL;
        rx__task *t = (rx__task *)(word & ~SLEEPING);

        if (t == NULL) {
            return;
        }
        while (t != NULL) { /* newest first: reverse to posting order */
            rx__task *older = t->next;
            t->next = list;
            list = t;
            t = older;
        }
        l->ran_posts = true;
        while (list != NULL) {
            t = list;
            list = t->next;
            t->sched = NULL;
            rx__task_run(t);
        }
    } while (until_empty);
}

/* Cancels the timed work, runs what other threads posted (the loop may
 * have stopped before their wake-up arrived) and closes both handles;
 * loop thread only. */
static void
destroy_on_loop(struct lsched *l)
{
    if (l->closing_started) {
        return;
    }
    l->closing_started = true;
    run_posted(l, true);
    rx__theap_detach_all(&l->heap);
    uv_close((uv_handle_t *)&l->timer, close_cb);
    uv_close((uv_handle_t *)&l->async, close_cb);
    uv_close((uv_handle_t *)&l->prepare, close_cb);
    uv_close((uv_handle_t *)&l->again, close_cb);
}

static void
l_destroy(rx_scheduler *s)
{
    struct lsched *l = (struct lsched *)s;

    uv_mutex_lock(&registry_lock);
    list_remove(&live, l);
    l->next = closing;
    closing = l;
    uv_mutex_unlock(&registry_lock);
    if (l->thread == &thread_mark) {
        destroy_on_loop(l);
        return;
    }
    atomic_store_explicit(&l->dying, true, memory_order_release);
    uv_async_send(&l->async);
}

static const struct rx__sched_ops loop_ops = {
    .schedule = l_schedule,
    .unschedule = l_unschedule,
    .post = l_post,
    .now = l_now,
    .destroy = l_destroy,
    .is_current = l_is_current,
    .hold = l_hold,
    .set_spin = l_set_spin,
    .timed = true,
};

/* ---- construction ----------------------------------------------------- */

static rx_scheduler *
create(uv_loop_t *loop)
{
    struct lsched *l = rx__calloc(1, sizeof *l);
    int rc;

    if (l == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_scheduler_loop: out of memory");
    }
    rx__sched_base_init(&l->base, &loop_ops);
    l->loop = loop;
    l->thread = &thread_mark;
    rc = uv_timer_init(loop, &l->timer);
    if (RX__NEVER(rc != 0)) { /* libuv's timer init cannot fail */
        rx__free(l);
        return rx__fail_null(rc, "rx_scheduler_loop: uv_timer_init: %s",
                             uv_strerror(rc));
    }
    l->timer.data = l;
    l->open_handles = 1;
    rc = uv_async_init(loop, &l->async, async_cb);
    if (rc != 0) {
        /* The timer must close before the memory goes. */
        uv_mutex_lock(&registry_lock);
        l->next = closing;
        closing = l;
        uv_mutex_unlock(&registry_lock);
        uv_close((uv_handle_t *)&l->timer, close_cb);
        return rx__fail_null(rc, "rx_scheduler_loop: uv_async_init: %s",
                             uv_strerror(rc));
    }
    l->async.data = l;
    l->open_handles = 2;
    uv_unref((uv_handle_t *)&l->async);
    /* uv_prepare_init, uv_idle_init and uv_prepare_start only link the
     * handles in; neither handle keeps the loop alive. */
    uv_prepare_init(loop, &l->prepare);
    uv_idle_init(loop, &l->again);
    l->prepare.data = l;
    l->again.data = l;
    l->open_handles = 4;
    uv_prepare_start(&l->prepare, prepare_cb);
    uv_unref((uv_handle_t *)&l->prepare);
    uv_unref((uv_handle_t *)&l->again);
    return &l->base;
}

rx_scheduler *
rx_scheduler_loop(uv_loop_t *loop)
{
    struct lsched *found = NULL;
    rx_scheduler *s;

    if (loop == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_scheduler_loop: loop must not be NULL");
    }
    uv_mutex_lock(&registry_lock);
    for (struct lsched *l = live; l != NULL; l = l->next) {
        if (l->loop == loop) {
            found = l;
            rx_scheduler_retain(&l->base);
            break;
        }
    }
    uv_mutex_unlock(&registry_lock);
    if (found != NULL) {
        return &found->base;
    }
    s = create(loop);
    if (s != NULL) {
        struct lsched *l = (struct lsched *)s;
        uv_mutex_lock(&registry_lock);
        l->next = live;
        live = l;
        uv_mutex_unlock(&registry_lock);
    }
    return s;
}

rx_scheduler *
rx__sched_default_borrowed(void)
{
    rx_scheduler *s;
    rx_scheduler *made;

    uv_mutex_lock(&registry_lock);
    s = default_sched;
    uv_mutex_unlock(&registry_lock);
    if (s != NULL) {
        return s;
    }
    made = rx_scheduler_loop(uv_default_loop());
    if (made == NULL) {
        return NULL;
    }
    uv_mutex_lock(&registry_lock);
    if (default_sched == NULL) {
        default_sched = made;
        made = NULL;
    }
    s = default_sched;
    uv_mutex_unlock(&registry_lock);
    rx_scheduler_release(made); /* another thread won the race */
    return s;
}

rx_scheduler *
rx_scheduler_default(void)
{
    return rx_scheduler_retain(rx__sched_default_borrowed());
}

void
rx__sched_loop_shutdown(void)
{
    rx_scheduler *d;

    uv_mutex_lock(&registry_lock);
    d = default_sched;
    default_sched = NULL;
    uv_mutex_unlock(&registry_lock);
    rx_scheduler_release(d);
    /* Bounded: a loop nobody can run (its scheduler released from a
     * thread whose loop is gone) must not hang the caller. */
    for (int pass = 0; pass < 10000; pass++) {
        struct lsched *l;
        uv_mutex_lock(&registry_lock);
        l = closing;
        uv_mutex_unlock(&registry_lock);
        if (l == NULL) {
            break;
        }
        /* A scheduler released on another thread waits for its async
         * callback, which an otherwise idle loop never runs (the handle
         * is unreferenced): rx_shutdown runs on the loop's thread, so it
         * starts the close itself. Then the close callbacks run. */
        destroy_on_loop(l);
        uv_run(l->loop, UV_RUN_NOWAIT);
    }
}
