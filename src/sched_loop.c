/* SPDX-License-Identifier: MIT */
/*
 * The loop scheduler: one per libuv loop, found through a registry keyed
 * by the loop pointer (loop->data stays the user's).
 *
 * Timed tasks sit in a heap driven by one uv_timer_t, armed for the
 * earliest task only, so a thousand pending timers cost one libuv handle
 * and no allocation each. Tasks from other threads arrive through a
 * locked intrusive list and one unreferenced uv_async_t; the list needs
 * no allocation per post. The async handle is referenced only while a
 * producer on another thread holds the scheduler (rx__sched_hold), and
 * the timer is active only while timed work is pending, so an idle
 * scheduler never keeps its loop alive.
 *
 * Optional spinning (rx_scheduler_set_spin): a loop that has just run
 * tasks from other threads may expect more soon (a thread hop trading
 * batches with another thread). An unreferenced uv_prepare_t, which libuv
 * runs right before it blocks for I/O, then polls the posted list for up
 * to spin_us; a post that finds the scheduler spinning skips
 * uv_async_send, so a hop's round trip costs two cache-line transfers
 * instead of two kernel wake-ups. `spinning` is read and written under
 * `lock`, which orders it against the posts: a poster either sees the
 * spin and its task is run when the spin ends, or sends the wake-up.
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
    uv_prepare_t spin; /* the optional spin before blocking */
    uv_idle_t again;   /* active: the spin caught work, spin again */
    rx__theap heap;
    uv_mutex_t lock;       /* guards posted_*, dying, spinning */
    rx__task *posted_head; /* tasks posted from any thread, FIFO */
    rx__task *posted_tail;
    atomic_bool posted_any; /* posted_head != NULL, for the spin to poll */
    atomic_uint spin_us;    /* rx_scheduler_set_spin; 0: never spin */
    bool spinning;          /* the prepare hook is polling */
    bool ran_posts;         /* this loop pass ran posted tasks */
    bool dying;             /* released off the loop thread */
    bool closing_started;   /* its handles are being closed */
    int holds;              /* rx__sched_hold count (loop thread) */
    int open_handles;       /* handles not yet closed */
    const void *thread;     /* thread-local mark of the loop's thread */
    struct lsched *next;    /* registry / closing list */
};

static _Thread_local char thread_mark;

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
    bool wake;

    t->next = NULL;
    uv_mutex_lock(&l->lock);
    wake = l->posted_head == NULL && !l->spinning;
    if (l->posted_tail != NULL) {
        l->posted_tail->next = t;
    } else {
        l->posted_head = t;
        atomic_store_explicit(&l->posted_any, true, memory_order_relaxed);
    }
    l->posted_tail = t;
    uv_mutex_unlock(&l->lock);
    if (wake) {
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
    bool dying;

    uv_mutex_lock(&l->lock);
    dying = l->dying;
    uv_mutex_unlock(&l->lock);
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

/* The prepare hook: right before the loop blocks, and only when the pass
 * that ends ran tasks from other threads, polls for more for up to
 * spin_us (less when a timer is due sooner), then runs what came. When it
 * caught something, the idle handle stays active, which makes the loop's
 * coming I/O poll non-blocking and brings it straight back here: a stream
 * of posts is served spin after spin, with I/O polled between them. */
static void
spin_cb(uv_prepare_t *h)
{
    struct lsched *l =
        (struct lsched *)((char *)h - offsetof(struct lsched, spin));
    unsigned us = atomic_load_explicit(&l->spin_us, memory_order_relaxed);
    uint64_t limit = (uint64_t)us * 1000u;
    uint64_t start;
    int timeout;

    uv_idle_stop(&l->again);
    if (us == 0 || !l->ran_posts) {
        return;
    }
    l->ran_posts = false;
    timeout = uv_backend_timeout(l->loop);
    if (timeout == 0) {
        return; /* the loop will not block: nothing to wait for */
    }
    if (timeout > 0 && (uint64_t)timeout * 1000000u < limit) {
        limit = (uint64_t)timeout * 1000000u;
    }
    uv_mutex_lock(&l->lock);
    l->spinning = l->posted_head == NULL;
    uv_mutex_unlock(&l->lock);
    if (l->spinning) {
        start = uv_hrtime();
        while (!atomic_load_explicit(&l->posted_any, memory_order_relaxed) &&
               uv_hrtime() - start < limit) {
            /* poll: the poster writes posted_any under the lock */
        }
        uv_mutex_lock(&l->lock);
        l->spinning = false;
        uv_mutex_unlock(&l->lock);
    }
    run_posted(l, false);
    if (l->ran_posts) {
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
        uv_mutex_destroy(&l->lock);
        rx__free(l);
    }
}

/* Runs the tasks other threads posted: one batch (what was queued on
 * entry; a task posted meanwhile wakes the loop again, so a task that
 * re-posts itself cannot starve the loop), or until none is left, when
 * the scheduler goes. Each task holds a reference (to a pipeline or a
 * hop) that only its run gives back; a task that finds its stage gone
 * just lets go. Loop thread. */
static void
run_posted(struct lsched *l, bool until_empty)
{
    do {
        rx__task *list;

        uv_mutex_lock(&l->lock);
        list = l->posted_head;
        l->posted_head = l->posted_tail = NULL;
        atomic_store_explicit(&l->posted_any, false, memory_order_relaxed);
        uv_mutex_unlock(&l->lock);
        if (list == NULL) {
            return;
        }
        l->ran_posts = true;
        while (list != NULL) {
            rx__task *t = list;
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
    uv_close((uv_handle_t *)&l->spin, close_cb);
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
    uv_mutex_lock(&l->lock);
    l->dying = true;
    uv_mutex_unlock(&l->lock);
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
    rc = uv_mutex_init(&l->lock);
    if (rc != 0) {
        rx__free(l);
        return rx__fail_null(rc, "rx_scheduler_loop: %s", uv_strerror(rc));
    }
    rc = uv_timer_init(loop, &l->timer);
    if (RX__NEVER(rc != 0)) { /* libuv's timer init cannot fail */
        uv_mutex_destroy(&l->lock);
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
    uv_prepare_init(loop, &l->spin);
    uv_idle_init(loop, &l->again);
    l->spin.data = l;
    l->again.data = l;
    l->open_handles = 4;
    uv_prepare_start(&l->spin, spin_cb);
    uv_unref((uv_handle_t *)&l->spin);
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
