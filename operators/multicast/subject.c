/* SPDX-License-Identifier: MIT */
/*
 * Subjects: publish, behavior, replay, async and unicast, one engine.
 *
 * A subject is its own observable (one reference count for the handle,
 * the observables handed out and the subscriptions). Each subscription
 * has one stage, the source of its pipeline, linked into the subject's
 * intrusive doubly linked list while it receives live items: joining and
 * leaving are O(1) and no list is ever copied. An emission pass walks the
 * list with a cursor that unlinking keeps valid; subscribers joining
 * during a pass wait on a second list spliced on at its end, and signals
 * pushed during a pass wait in a backlog, so each subscriber sees signals
 * one at a time, in order.
 *
 * Deliveries use light frames (multicast-internal.h). Terminal signals,
 * once per subscriber, use real frames.
 */
#include <stddef.h>

#include "multicast-internal.h"

/* Keeps a function out of line: pass_publish() takes the item by
 * address, so its loop passes it on with two loads instead of rebuilding
 * it in registers for every call (what gcc does once it is inlined).
 * SUBJ_ALIGNED starts it on a cache line, so its delivery loop (~75
 * bytes) sits on two lines wherever the linker puts the function: placed
 * across three by an unrelated change elsewhere, W4 took 10 - 15 % more
 * time for the same instructions. */
#if defined(__GNUC__) || defined(__clang__)
#define SUBJ_NOINLINE __attribute__((noinline))
#define SUBJ_ALIGNED __attribute__((aligned(64)))
#else
#define SUBJ_NOINLINE
#define SUBJ_ALIGNED
#endif

/* ---- frames ----------------------------------------------------------- */

static void
hold(struct rx__subj_sub *u)
{
    atomic_fetch_add_explicit(&u->base.pipe->refs, 1, memory_order_relaxed);
    u->held = true;
}

/* Drops the hold. Only inside a real frame of the pipeline, so the count
 * cannot reach zero here. */
static void
unhold(struct rx__subj_sub *u)
{
    if (u->held) {
        long before;
        u->held = false;
        before = atomic_fetch_sub_explicit(&u->base.pipe->refs, 1,
                                           memory_order_acq_rel);
        assert(before > 1);
        (void)before;
    }
}

static void
light_enter(struct rx__subj_sub *u)
{
    u->light++;
    u->base.pipe->frames++;
}

/* The rare end of light_exit(): a frame exit's work is owed. */
static void
light_exit_slow(struct rx__subj_sub *u, bool release)
{
    rx__pipeline *p = u->base.pipe;

    rx__frame_enter(p);
    if (release) {
        u->release_pending = false;
        unhold(u);
    }
    rx__frame_exit(p);
}

/* The end of a light frame of `u` in pipeline `p`, once its two counters
 * are decremented: the frame-exit work, if any is owed. `u` and its
 * pipeline may be gone afterwards. */
static inline void
light_exit_check(struct rx__subj_sub *u, rx__pipeline *p)
{
    bool release = u->light == 0 && u->release_pending;

    if (RX__UNLIKELY(release || (rx__frames(p) == 0 &&
                                 (!p->running || p->graveyard != NULL ||
                                  p->pending_einval || p->deferred != NULL)))) {
        light_exit_slow(u, release);
    }
}

/* Ends a light frame; `u` and its pipeline may be gone afterwards. Inline:
 * it runs once per item and subscriber, and usually does nothing more
 * than the two decrements. */
static inline void
light_exit(struct rx__subj_sub *u)
{
    rx__pipeline *p = u->base.pipe;

    u->light--;
    p->frames--;
    light_exit_check(u, p);
}

/* ---- the delivery array (publish, behavior) ---------------------------- */

/* Whether subjects of this kind keep a delivery array. */
static bool
uses_ents(const rx_subject *s)
{
    return s->kind == RX__SUBJ_PUBLISH || s->kind == RX__SUBJ_BEHAVIOR;
}

static void
ent_fill(struct rx__subj_ent *e, struct rx__subj_sub *u)
{
    rx__pipeline *p = u->base.pipe;

    e->on_next = u->direct ? p->observer.on_next : NULL;
    e->ctx = p->observer.ctx;
    e->pipe = p;
    e->sub = u;
}

/* Drops the tombstones, keeping the order; never during a walk. An
 * array left empty is freed. */
static void
ents_compact(rx_subject *s)
{
    size_t j = 0;

    assert(!s->walking);
    for (size_t i = 0; i < s->ents_len; i++) {
        if (s->ents[i].pipe != NULL) {
            s->ents[j] = s->ents[i];
            s->ents[j].sub->ent = j;
            j++;
        }
    }
    s->ents_len = j;
    s->ents_dead = 0;
    if (j == 0) {
        /* No subscriber: a subject with none holds no memory for them. */
        rx__free(s->ents);
        s->ents = NULL;
        s->ents_cap = 0;
    }
}

/* Gives `u` (just linked) the next slot: O(1) amortised. A walk must not
 * see the array move, so when it is full during a pass, or cannot grow,
 * it is marked stale instead and the next pass rebuilds it. */
static void
ent_add(rx_subject *s, struct rx__subj_sub *u)
{
    u->ent = RX__NO_ENT;
    if (!uses_ents(s) || !s->ents_ok) {
        return;
    }
    if (s->ents_len == s->ents_cap) {
        size_t cap = s->ents_cap > 0 ? 2 * s->ents_cap : 8;
        struct rx__subj_ent *grown = NULL;

        if (!s->walking && cap <= SIZE_MAX / sizeof *grown) {
            grown = rx__realloc(s->ents, cap * sizeof *grown);
        }
        if (grown == NULL) {
            s->ents_ok = false;
            return;
        }
        s->ents = grown;
        s->ents_cap = cap;
    }
    u->ent = s->ents_len++;
    ent_fill(&s->ents[u->ent], u);
}

/* Makes `u`'s slot (it left the lists) a tombstone: O(1), and nothing
 * moves under a walk. Outside one, a compaction runs once half the slots
 * are tombstones (O(1) amortised); a walk compacts when it ends. */
static void
ent_remove(rx_subject *s, struct rx__subj_sub *u)
{
    struct rx__subj_ent *e;

    if (u->ent == RX__NO_ENT) {
        return;
    }
    e = &s->ents[u->ent];
    e->on_next = NULL;
    e->pipe = NULL;
    u->ent = RX__NO_ENT;
    s->ents_dead++;
    if (!s->walking && 2 * s->ents_dead > s->ents_len) {
        ents_compact(s);
    }
}

/* Refills a stale array from the main list (at the start of a pass, when
 * the pending list is empty), with room to grow. Returns false if it
 * cannot be allocated. */
static bool
ents_rebuild(rx_subject *s)
{
    size_t cap = s->count > 4 ? 2 * s->count : 8;
    struct rx__subj_ent *ents = NULL;
    size_t n = 0;

    assert(s->phead == NULL && !s->walking);
    if (s->count == 0) {
        rx__free(s->ents);
        s->ents = NULL;
        s->ents_len = s->ents_cap = s->ents_dead = 0;
        s->ents_ok = true;
        return true;
    }
    if (s->count < SIZE_MAX / 2 / sizeof *ents) {
        ents = rx__malloc(cap * sizeof *ents);
    }
    if (ents == NULL) {
        return false;
    }
    for (struct rx__subj_sub *u = s->head; u != NULL; u = u->next) {
        u->ent = n;
        ent_fill(&ents[n++], u);
    }
    rx__free(s->ents);
    s->ents = ents;
    s->ents_len = n;
    s->ents_cap = cap;
    s->ents_dead = 0;
    s->ents_ok = true;
    return true;
}

/* Clears `u`'s direct flag, in its slot too. */
static void
clear_direct(struct rx__subj_sub *u)
{
    u->direct = false;
    if (u->ent != RX__NO_ENT) {
        u->s->ents[u->ent].on_next = NULL;
    }
}

/* ---- the lists -------------------------------------------------------- */

static void
link_sub(rx_subject *s, struct rx__subj_sub *u)
{
    struct rx__subj_sub **head = s->emitting ? &s->phead : &s->head;
    struct rx__subj_sub **tail = s->emitting ? &s->ptail : &s->tail;

    u->list = s->emitting ? 2 : 1;
    u->next = NULL;
    u->prev = *tail;
    if (*tail != NULL) {
        (*tail)->next = u;
    } else {
        *head = u;
    }
    *tail = u;
    s->count++;
    ent_add(s, u);
}

static void
unlink_sub(rx_subject *s, struct rx__subj_sub *u)
{
    struct rx__subj_sub **head = u->list == 2 ? &s->phead : &s->head;
    struct rx__subj_sub **tail = u->list == 2 ? &s->ptail : &s->tail;

    if (u->list == 0) {
        return;
    }
    if (s->cursor == u) {
        s->cursor = u->next;
    }
    if (u->prev != NULL) {
        u->prev->next = u->next;
    } else {
        *head = u->next;
    }
    if (u->next != NULL) {
        u->next->prev = u->prev;
    } else {
        *tail = u->prev;
    }
    u->prev = u->next = NULL;
    u->list = 0;
    s->count--;
    ent_remove(s, u);
}

/* Moves the subscribers that joined during the pass onto the main list. */
static void
splice_pending(rx_subject *s)
{
    struct rx__subj_sub *u;

    if (s->phead == NULL) {
        return;
    }
    for (u = s->phead; u != NULL; u = u->next) {
        u->list = 1;
    }
    if (s->tail != NULL) {
        s->tail->next = s->phead;
        s->phead->prev = s->tail;
    } else {
        s->head = s->phead;
    }
    s->tail = s->ptail;
    s->phead = s->ptail = NULL;
}

/* ---- one subscriber --------------------------------------------------- */

/* Recomputes whether items may take the direct path to `u`'s observer
 * (multicast-internal.h, struct rx__subj_sub). Called where the
 * conditions may have become true (demand became unbounded, the
 * subscriber started); the places that can make them false clear
 * `direct` themselves. */
static void
update_direct(struct rx__subj_sub *u)
{
    rx__pipeline *p = u->base.pipe;

    u->direct = u->started && !u->done && !u->has_slot &&
                u->requested == RX_UNBOUNDED &&
                rx__observer_right_below(&u->base) && p->sink.up == &u->base &&
                p->running && !p->done && !p->cancelled;
    if (u->ent != RX__NO_ENT) {
        ent_fill(&u->s->ents[u->ent], u);
    }
}

static void
drop_slot(struct rx__subj_sub *u)
{
    if (u->has_slot) {
        u->has_slot = false;
        rx__discard(&u->base, u->slot);
        u->slot = rx_nil();
    }
}

/* Whether an item is waiting for `u`. */
static bool
has_waiting(const struct rx__subj_sub *u)
{
    return u->has_slot ||
           (u->s->kind == RX__SUBJ_REPLAY && u->cursor != NULL &&
            u->cursor->next != NULL) ||
           (u->claimant && u->s->q.len > 0);
}

/* The next item for `u` (a new reference), if one is waiting. */
static bool
next_waiting(struct rx__subj_sub *u, rx_value *out)
{
    rx_subject *s = u->s;

    if (u->has_slot) {
        u->has_slot = false;
        *out = u->slot;
        u->slot = rx_nil();
        return true;
    }
    if (s->kind == RX__SUBJ_REPLAY && u->cursor != NULL &&
        u->cursor->next != NULL) {
        struct rx__rnode *n = u->cursor->next;
        n->refs++;
        rx__rnode_release(u->cursor);
        u->cursor = n;
        *out = rx_value_retain(n->v);
        return true;
    }
    if (u->claimant && s->q.len > 0) {
        *out = rx__vqueue_pop(&s->q);
        return true;
    }
    return false;
}

/* Emits what is waiting for `u` while it has demand, then the terminal
 * signal once nothing is left. A request made inside on_next only adds
 * demand: the loop here goes round again. */
static void
sub_drain(struct rx__subj_sub *u)
{
    rx_subject *s = u->s;
    rx_value v;

    if (u->draining) {
        u->again = true;
        return;
    }
    u->draining = true;
    do {
        u->again = false;
        while (!u->done && u->requested > 0 && next_waiting(u, &v)) {
            light_enter(u);
            if (rx__emit_next(&u->base, v) && u->requested != RX_UNBOUNDED) {
                u->requested--;
            }
            rx_value_release(v);
            light_exit(u);
        }
        if (!u->done && s->done && u->list == 0) {
            if (has_waiting(u)) {
                break; /* the terminal waits behind the items */
            }
            u->done = true;
            clear_direct(u);
            if (s->err != NULL) {
                rx__emit_error(&u->base, s->err);
            } else {
                rx__emit_complete(&u->base);
            }
        }
    } while (u->again && !u->done);
    u->draining = false;
}

/* Fails `u` alone with RX_EBACKPRESSURE, in a real frame. */
static void
fail_backpressure(rx_subject *s, struct rx__subj_sub *u)
{
    rx__pipeline *p = u->base.pipe;

    rx__frame_enter(p);
    unlink_sub(s, u);
    u->done = true;
    clear_direct(u);
    drop_slot(u);
    rx__emit_new_error(&u->base, rx__backpressure_error(&s->base.site));
    unhold(u);
    rx__frame_exit(p);
}

/* Processes a cancel asked from another thread, in a real frame. Returns
 * whether `u` is gone from the list. */
static bool
poll_remote_cancel(struct rx__subj_sub *u)
{
    rx__pipeline *p = u->base.pipe;

    if (RX__LIKELY(
            !atomic_load_explicit(&p->cancel_req, memory_order_relaxed))) {
        return false;
    }
    rx__frame_enter(p);
    rx__pipeline_poll(p);
    rx__frame_exit(p);
    return true;
}

/* One item to one subscriber of a publish or behavior subject. */
static void
publish_one(rx_subject *s, struct rx__subj_sub *u, rx_value v)
{
    rx__pipeline *p = u->base.pipe;

    if (poll_remote_cancel(u)) {
        return;
    }
    if (u->requested == 0 || u->has_slot) {
        fail_backpressure(s, u);
        return;
    }
    light_enter(u);
    if (rx__observer_right_below(&u->base)) {
        /* The observer is right below and counts no demand: call it as
         * the sink would, without the two indirect calls through the
         * stages. */
        if (!p->done && !p->cancelled) {
            p->observer.on_next(v, p->observer.ctx);
            if (u->requested != RX_UNBOUNDED) {
                u->requested--;
            }
        }
    } else if (rx__emit_next(&u->base, v) && u->requested != RX_UNBOUNDED) {
        u->requested--;
    }
    light_exit(u);
}

/* ---- emission passes -------------------------------------------------- */

/* The end of a direct delivery to slot `e` (pipeline `p`) that left the
 * direct path during the call: the usual light-frame exit. */
static void
direct_after(const struct rx__subj_ent *e, rx__pipeline *p)
{
    light_exit_check(e->sub, p); /* the stage: kept by its frame */
}

/* One slot `e` of pass_publish()'s walk (below). With `fast` (the usual
 * case), a direct call runs in a lent frame (`s->lent`) and the slot's
 * pipeline is not polled for a cancel from another thread; without it,
 * the call bumps the pipeline's `frames` and the pipeline is polled
 * first, as publish_one() does. `s->lent` may keep naming the pipeline
 * just called until the next call: it is cleared before anything else
 * can look at a pipeline's frames. */
RX__HOT_INLINE
static inline void
walk_one(rx_subject *s, const rx_value *vp, const struct rx__subj_ent *e,
         bool fast)
{
    rx__pipeline *p = e->pipe;

    if (RX__LIKELY(e->on_next != NULL) &&
        (fast || RX__LIKELY(!atomic_load_explicit(&p->cancel_req,
                                                  memory_order_relaxed)))) {
        if (fast) {
            s->lent = p;
            e->on_next(*vp, e->ctx);
        } else {
            p->frames++;
            e->on_next(*vp, e->ctx);
            p->frames--;
        }
        if (RX__UNLIKELY(e->on_next == NULL)) {
            s->lent = NULL;
            direct_after(e, p);
        } else {
            assert(e->sub->direct && !e->sub->release_pending);
            assert(p->frames > 0 ||
                   (p->running && p->graveyard == NULL && !p->pending_einval &&
                    p->deferred == NULL));
        }
    } else if (p != NULL) {
        s->lent = NULL;
        publish_one(s, e->sub, *vp); /* also a cancel from elsewhere */
    }
}

/* The walk of pass_publish() over the slots e .. end - 1, two per loop
 * turn (one loop test for two calls). */
RX__HOT_INLINE
static inline void
walk_ents(rx_subject *s, const rx_value *vp, const struct rx__subj_ent *e,
          const struct rx__subj_ent *end, bool fast)
{
    if ((end - e) & 1) {
        walk_one(s, vp, e++, fast);
    }
    for (; e != end; e += 2) {
        walk_one(s, vp, e, fast);
        walk_one(s, vp, e + 1, fast);
    }
    s->lent = NULL;
}

/* The pass of a publish or behavior subject: item *vp (borrowed) to
 * every subscriber on the main list, in order.
 *
 * It walks the delivery array up to its length at the start: nothing in
 * it moves during the walk (subscribers joining meanwhile get slots past
 * that point, or make the array stale; subscribers leaving leave
 * tombstones), and the compaction waits for the end. The list is walked
 * instead while the array is stale and cannot be rebuilt.
 *
 * A slot on the direct path (its `on_next` set) gets the item straight
 * from here, inside a light frame and nothing else: a lent frame
 * (`s->lent` set to the pipeline for the call, see struct
 * rx_subscription) or, in the rare walk, the pipeline's `frames` bumped.
 * Either way a nested rx_cancel() or rx_dispose() sees one frame more,
 * so it frees nothing and runs no on_finally under the call, and
 * sub_cancel() keeps the hold until the call returned. If the slot is
 * still direct after the call, nothing happened to the pipeline that a
 * frame exit would have to finish (struct rx__subj_sub); otherwise
 * direct_after() runs those checks. The usual delivery reads the slot
 * and writes one pointer of the subject, nothing else: no store into
 * the pipelines of the subscribers.
 *
 * A cancel asked from another thread is seen at the next item: the pass
 * reads the process-wide count of such cancels (rx__remote_cancels) once,
 * and only when it changed since the subject's last look does the walk
 * read every slot's pipeline flag (and bump `frames`: that walk is the
 * rare one). */
static SUBJ_NOINLINE SUBJ_ALIGNED void
pass_publish(rx_subject *s, const rx_value *vp)
{
    struct rx__subj_sub *u;
    unsigned long cancels;

    if (RX__UNLIKELY(!s->ents_ok) && !ents_rebuild(s)) {
        for (u = s->head; u != NULL; u = s->cursor) {
            s->cursor = u->next;
            publish_one(s, u, *vp);
        }
        return;
    }
    if (s->ents_len == 0) {
        return;
    }
    s->walking = true;
    cancels = atomic_load_explicit(&rx__remote_cancels.n, memory_order_acquire);
    if (RX__LIKELY(cancels == s->cancels_seen)) {
        walk_ents(s, vp, s->ents, s->ents + s->ents_len, true);
    } else {
        s->cancels_seen = cancels;
        walk_ents(s, vp, s->ents, s->ents + s->ents_len, false);
    }
    s->walking = false;
    if (s->ents_dead > 0) {
        ents_compact(s);
    }
}

/* Delivers item v (borrowed) to every subscriber on the main list. */
static void
pass_next(rx_subject *s, rx_value v)
{
    struct rx__subj_sub *u;

    switch (s->kind) {
    case RX__SUBJ_BEHAVIOR:
        rx_value_release(s->latest);
        s->latest = rx_value_retain(v);
        /* fall through */
    case RX__SUBJ_PUBLISH:
        pass_publish(s, &v);
        break;
    case RX__SUBJ_ASYNC:
        rx_value_release(s->latest);
        s->latest = rx_value_retain(v);
        s->has_latest = true;
        break;
    default: /* replay, unicast: the item was stored; catch up */
        for (u = s->head; u != NULL; u = s->cursor) {
            s->cursor = u->next;
            if (!poll_remote_cancel(u)) {
                light_enter(u);
                sub_drain(u);
                light_exit(u);
            }
        }
        break;
    }
    s->cursor = NULL;
}

/* Ends the stream for every subscriber (s->done and s->err are set). */
static void
pass_terminal(rx_subject *s)
{
    while (s->head != NULL) {
        struct rx__subj_sub *u = s->head;
        rx__pipeline *p = u->base.pipe;
        rx__frame_enter(p);
        unlink_sub(s, u);
        if (s->kind == RX__SUBJ_ASYNC && s->has_latest && s->err == NULL) {
            u->has_slot = true;
            clear_direct(u);
            u->slot = rx_value_retain(s->latest);
        }
        unhold(u);
        sub_drain(u);
        rx__frame_exit(p);
    }
    if (s->kind == RX__SUBJ_BEHAVIOR) {
        rx_value_release(s->latest);
        s->latest = rx_nil();
        s->has_latest = false;
    }
}

/* Runs a pass, then whatever was pushed during it. */
static void
emit(rx_subject *s, rx_value v, bool is_item)
{
    s->emitting = true;
    if (is_item) {
        pass_next(s, v);
    } else {
        pass_terminal(s);
    }
    for (;;) {
        splice_pending(s);
        if (s->repass) {
            s->repass = false;
            pass_next(s, rx_nil()); /* stored already: catch up */
        } else if (s->backlog.len > 0) {
            rx_value w = rx__vqueue_pop(&s->backlog);
            pass_next(s, w);
            rx_value_release(w);
        } else if (s->term_pending != 0 && !s->done) {
            s->done = true;
            pass_terminal(s);
        } else {
            break;
        }
    }
    s->emitting = false;
}

/* ---- the subscriber stage --------------------------------------------- */

static void
sub_request(rx__stage *self, int64_t n)
{
    struct rx__subj_sub *u = (struct rx__subj_sub *)self;

    if (u->done) {
        return;
    }
    u->requested = rx__demand_add(u->requested, n);
    if (u->started) {
        sub_drain(u);
    }
    update_direct(u);
}

static void
sub_leave(struct rx__subj_sub *u)
{
    rx_subject *s = u->s;

    clear_direct(u);
    unlink_sub(s, u);
    drop_slot(u);
    if (u->cursor != NULL) {
        rx__rnode_release(u->cursor);
        u->cursor = NULL;
    }
    if (u->claimant && !s->abandoned) {
        s->abandoned = true;
        while (s->q.len > 0) {
            rx__discard(&u->base, rx__vqueue_pop(&s->q));
        }
    }
}

static void
sub_cancel(rx__stage *self)
{
    struct rx__subj_sub *u = (struct rx__subj_sub *)self;
    bool on_stack;

    if (u->done) {
        return;
    }
    /* Inside a light frame (a delivery to `u` on the stack) the hold must
     * outlive the call: dropping it could free the pipeline under it. A
     * light frame is the only way the pipeline's `frames` exceeds the
     * one of the rx_cancel() or signal that brought us here, except for
     * another real frame, where keeping the hold is merely late: the
     * teardown of the stage, at the outermost exit, drops it. */
    on_stack = u->light > 0 || rx__frames(u->base.pipe) > 1;
    u->done = true;
    clear_direct(u);
    sub_leave(u);
    if (on_stack) {
        u->release_pending = true; /* dropped when the delivery ends */
    } else {
        unhold(u);
    }
}

static void
sub_start(rx__stage *self)
{
    struct rx__subj_sub *u = (struct rx__subj_sub *)self;
    rx_subject *s = u->s;

    u->started = true;
    if (u->done) {
        return;
    }
    if (s->kind == RX__SUBJ_UNICAST) {
        if (s->claimed) {
            u->done = true;
            rx__emit_new_error(
                self, rx__error_at(&s->base.site, RX_EBUSY,
                                   "%s: a unicast subject takes only one "
                                   "subscriber",
                                   s->base.site.name));
            return;
        }
        s->claimed = true;
        u->claimant = true;
    }
    if (s->kind == RX__SUBJ_REPLAY) {
        rx__replay_trim(s);
        u->cursor = s->anchor;
        u->cursor->refs++;
    } else if (s->has_latest &&
               ((s->kind == RX__SUBJ_BEHAVIOR && !s->done) ||
                (s->kind == RX__SUBJ_ASYNC && s->done && s->err == NULL))) {
        /* behavior: the latest item; async: the last, after the end */
        u->has_slot = true;
        clear_direct(u);
        u->slot = rx_value_retain(s->latest);
    }
    if (!s->done) {
        hold(u);
        link_sub(s, u);
    }
    sub_drain(u);
    update_direct(u);
}

static void
sub_teardown(rx__stage *self)
{
    struct rx__subj_sub *u = (struct rx__subj_sub *)self;

    if (u->s == NULL) {
        return;
    }
    if (u->base.pipe->lent_by == &u->s->lent) {
        u->base.pipe->lent_by = NULL; /* the subject may go before it */
    }
    sub_leave(u);
    unhold(u);
}

static const struct rx__stage_ops sub_ops = {
    .request = sub_request,
    .cancel = sub_cancel,
    .start = sub_start,
    .teardown = sub_teardown,
};

/* ---- the observable --------------------------------------------------- */

static int
subject_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                 rx__stage **out)
{
    struct rx__subj_sub *u;

    u = rx__stage_new(pipe, &sub_ops, sizeof *u, self, down);
    if (u == NULL) {
        return RX_ENOMEM;
    }
    u->s = (rx_subject *)self;
    u->ent = RX__NO_ENT;
    if (pipe->lent_by == NULL) {
        /* Only a pipeline whose one stage this is can be lent a frame. */
        pipe->lent_by = &u->s->lent;
    }
    *out = &u->base;
    return 0;
}

static void
subject_destroy(rx_observable *self)
{
    rx_subject *s = (rx_subject *)self;

    rx__vqueue_clear(&s->backlog);
    rx__vqueue_clear(&s->q);
    rx_value_release(s->latest);
    rx_error_release(s->err);
    rx__replay_free(s);
    rx__free(s->ents);
    rx_scheduler_release(s->sched);
}

static const struct rx__obs_ops subject_ops = {
    .assemble = subject_assemble,
    .destroy = subject_destroy,
};

rx_subject *
rx__subject_new(const rx_site *site, int kind)
{
    rx_subject *s = rx__observable_new(site, &subject_ops, sizeof *s, NULL);

    if (s == NULL) {
        return NULL;
    }
    s->kind = kind;
    s->latest = rx_nil();
    s->ents_ok = true;
    s->cancels_seen = ~0UL;
    return s;
}

/* ---- public ----------------------------------------------------------- */

rx_subject *
rx_subject_publish_at(const rx_site *site)
{
    return rx__subject_new(site, RX__SUBJ_PUBLISH);
}

rx_subject *
rx_subject_behavior_at(const rx_site *site, rx_value initial)
{
    rx_subject *s;

    if (rx_is_invalid(initial)) {
        return rx__fail_null(RX_ENOMEM, "rx_subject_behavior: initial is "
                                        "rx_invalid() (a value constructor "
                                        "failed)");
    }
    s = rx__subject_new(site, RX__SUBJ_BEHAVIOR);
    if (s == NULL) {
        rx_value_release(initial);
        return NULL;
    }
    s->latest = initial;
    s->has_latest = true;
    return s;
}

rx_subject *
rx_subject_async_at(const rx_site *site)
{
    return rx__subject_new(site, RX__SUBJ_ASYNC);
}

rx_subject *
rx_subject_unicast_at(const rx_site *site, size_t capacity)
{
    rx_subject *s = rx__subject_new(site, RX__SUBJ_UNICAST);

    if (s != NULL) {
        s->capacity = capacity;
    }
    return s;
}

rx_subject *
rx_subject_retain(rx_subject *s)
{
    if (s != NULL) {
        rx_observable_retain(&s->base);
    }
    return s;
}

void
rx_subject_release(rx_subject *s)
{
    if (s != NULL) {
        rx_observable_release(&s->base);
    }
}

rx_observable *
rx_subject_observable(rx_subject *s)
{
    if (s == NULL) {
        return rx__fail_null(RX_EINVAL,
                             "rx_subject_observable: s must not be NULL");
    }
    return rx_observable_retain(&s->base);
}

int
rx_subject_next(rx_subject *s, rx_value v)
{
    int rc = 0;

    if (s == NULL) {
        rx_value_release(v);
        return RX_EINVAL;
    }
    if (rx_is_invalid(v)) {
        return RX_ENOMEM;
    }
    if (s->ended || (s->kind == RX__SUBJ_UNICAST && s->abandoned)) {
        rx_value_release(v);
        return RX_ECANCELED;
    }
    if (s->kind == RX__SUBJ_UNICAST || s->kind == RX__SUBJ_REPLAY) {
        /* Stored first; a pass only lets subscribers catch up. */
        if (s->kind == RX__SUBJ_REPLAY) {
            rc = rx__replay_push(s, v);
        } else if (s->capacity > 0 && s->q.len >= s->capacity) {
            rx_value_release(v);
            rc = RX_EBACKPRESSURE;
        } else {
            rc = rx__vqueue_push(&s->q, v);
        }
        if (rc < 0) {
            return rc;
        }
        if (s->emitting) {
            s->repass = true;
        } else {
            emit(s, rx_nil(), true);
        }
        return 0;
    }
    if (s->emitting) {
        return rx__vqueue_push(&s->backlog, v);
    }
    emit(s, v, true);
    rx_value_release(v);
    return 0;
}

static int
end_stream(rx_subject *s, rx_error *err)
{
    s->ended = true;
    s->err = err;
    if (s->emitting) {
        s->term_pending = err != NULL ? 2 : 1;
        return 0;
    }
    s->done = true;
    emit(s, rx_nil(), false);
    return 0;
}

int
rx_subject_error(rx_subject *s, rx_error *err)
{
    if (s == NULL || err == NULL) {
        rx_error_release(err);
        return RX_EINVAL;
    }
    if (s->ended) {
        rx_error_release(err);
        return RX_ECANCELED;
    }
    if (s->kind != RX__SUBJ_BEHAVIOR) {
        rx_value_release(s->latest); /* async: an error sends no item */
        s->latest = rx_nil();
        s->has_latest = false;
    }
    return end_stream(s, err);
}

int
rx_subject_complete(rx_subject *s)
{
    if (s == NULL) {
        return RX_EINVAL;
    }
    if (s->ended) {
        return RX_ECANCELED;
    }
    return end_stream(s, NULL);
}

size_t
rx_subject_subscriber_count(const rx_subject *s)
{
    return s != NULL ? s->count : 0;
}

int
rx_subject_value(const rx_subject *s, rx_value *out)
{
    if (out == NULL) {
        return RX_EINVAL;
    }
    *out = rx_nil();
    if (s == NULL) {
        return RX_EINVAL;
    }
    if (!s->has_latest || (s->kind == RX__SUBJ_ASYNC && !s->done) ||
        (s->kind != RX__SUBJ_BEHAVIOR && s->kind != RX__SUBJ_ASYNC)) {
        return RX_ENOELEMENT;
    }
    *out = rx_value_retain(s->latest);
    return 0;
}
