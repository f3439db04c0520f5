/* SPDX-License-Identifier: MIT */
/*
 * What the subjects (subject.c, subject_replay.c) and the sharing
 * operators (publish.c, ref_count.c) share: the subject's layout, its
 * subscriber stage, the per-kind hooks, and "light frames".
 *
 * Light frames. A subject delivers items to stages of other pipelines,
 * from outside any of their frames. Entering a full frame per subscriber
 * and item (two atomic read-modify-writes and a global counter) would
 * cost several times the callback itself, so while a subscriber is
 * linked to a subject its pipeline holds one extra reference (the
 * "hold", taken once at subscribe and dropped once when it leaves), and
 * a delivery only bumps the pipeline's plain `frames` counter around the
 * call -- or, on a publish subject's direct path, lends it a frame by
 * naming the pipeline in the subject's `lent` slot (struct
 * rx_subscription, `lent_by`), which rx__frames() counts as one frame
 * more without a store into the pipeline. That keeps any nested
 * rx_cancel()/rx_dispose() from freeing
 * stages or running on_finally under the delivery (they see an inner
 * frame), and the hold keeps the pipeline's memory. When the delivery
 * ends and no other frame is open, the work a frame exit would have done
 * (on_finally, retired stages, a pending request(0) error, deferred
 * posts) is done by entering and leaving one real frame. A subscriber
 * that leaves during its own delivery drops its hold after the delivery,
 * inside a real frame, so the pipeline is never freed under it. A
 * delivery may be "on the stack" for a subscriber while its `light`
 * count is positive or, on the direct path (struct rx__subj_sub), while
 * its pipeline has more than one frame open when it leaves (one is the
 * frame of the cancel itself); in the second case, when no delivery was
 * on the stack after all, the hold is dropped a little later, by the
 * teardown of the stage at the outermost frame exit.
 */
#ifndef UVRX_MULTICAST_INTERNAL_H
#define UVRX_MULTICAST_INTERNAL_H

#include "rx-internal.h"
#include "rx-sched.h"

enum rx__subject_kind {
    RX__SUBJ_PUBLISH,
    RX__SUBJ_BEHAVIOR,
    RX__SUBJ_REPLAY,
    RX__SUBJ_ASYNC,
    RX__SUBJ_UNICAST
};

/* A remembered item of a replay subject. Nodes form a singly linked list
 * in push order; each node is counted by the link from its predecessor,
 * by the subject's anchor and by each subscriber's cursor that points at
 * it, so a lagging subscriber keeps the nodes it still has to read. */
struct rx__rnode {
    struct rx__rnode *next;
    rx_value v;
    uint64_t time; /* the clock reading when pushed */
    long refs;     /* owner thread only */
};

struct rx__subj_sub;

/* A slot of a publish or behavior subject's delivery array: one per
 * subscriber on the main list (or joined during a pass), in subscription
 * order. `on_next` is the observer's while the subscriber is on the
 * direct path (struct rx__subj_sub), NULL otherwise; `pipe` is NULL for
 * a tombstone (the subscriber left; `sub` must not be followed then; a
 * compaction reclaims the slot). */
struct rx__subj_ent {
    void (*on_next)(rx_value v, void *ctx);
    void *ctx;
    rx__pipeline *pipe;
    struct rx__subj_sub *sub;
};

struct rx_subject {
    rx_observable base; /* the subject is its own observable: one count */
    int kind;           /* an rx__subject_kind */
    /* Subscribers receiving live items, in subscription order. */
    struct rx__subj_sub *head;
    struct rx__subj_sub *tail;
    /* Subscribers that joined during the emission in progress; spliced
     * onto the main list when it ends. */
    struct rx__subj_sub *phead;
    struct rx__subj_sub *ptail;
    struct rx__subj_sub *cursor; /* the next subscriber this pass visits */
    /* publish, behavior: the delivery array (struct rx__subj_ent), which
     * a pass walks instead of the list while `ents_ok`: it then holds a
     * slot for every subscriber of both lists. `ents_ok` is cleared when
     * a subscriber could not be given a slot (out of memory, or the array
     * was full during a pass, when it must not move); the next pass
     * rebuilds the array from the list. */
    struct rx__subj_ent *ents;
    size_t ents_len;  /* used slots, tombstones included */
    size_t ents_cap;  /* allocated slots */
    size_t ents_dead; /* tombstones */
    bool ents_ok;
    bool walking; /* a pass walks the array: no slot may move */
    /* rx__remote_cancels when a pass last polled every slot's pipeline
     * for a cancel from another thread (~0 at first: the first pass
     * polls). */
    unsigned long cancels_seen;
    /* The pipeline a delivery pass is calling straight into (a lent
     * frame: every subscriber's pipeline names this slot in `lent_by`),
     * or NULL; may still name the last one called between two calls. */
    rx__pipeline *lent;
    size_t count;       /* subscribers on both lists */
    bool emitting;      /* an emission pass is on the stack */
    bool ended;         /* a terminal was pushed (maybe pending) */
    bool done;          /* the terminal was processed */
    rx_error *err;      /* the terminal error, or NULL */
    rx__vqueue backlog; /* items pushed during an emission */
    int term_pending;   /* 1 complete, 2 error, pushed meanwhile */
    bool repass;        /* replay, unicast: stored meanwhile */
    /* behavior: the latest item; async: the last item. */
    rx_value latest;
    bool has_latest;
    /* replay */
    struct rx__rnode *anchor; /* the node before the oldest remembered */
    struct rx__rnode *rtail;  /* the newest node (kept by the chain) */
    size_t rsize;             /* nodes after the anchor */
    size_t max_count;         /* 0: no bound */
    int64_t max_age_ms;       /* 0: no bound */
    rx_scheduler *sched;      /* retained, or NULL (the default) */
    /* unicast */
    rx__vqueue q;
    size_t capacity; /* 0: no bound */
    bool claimed;    /* a subscriber came (only one ever may) */
    bool abandoned;  /* that subscriber left */
};

/* A subscriber: the source stage of the subscriber's pipeline.
 *
 * The direct path. While `direct` is set, an item for this subscriber
 * may go straight to the observer's on_next (copied with its context
 * into the subscriber's slot of the subject's delivery array) inside a
 * light frame (the pipeline's `frames` bumped), with no
 * demand accounting and no frame-exit checks. It holds while: the stage
 * is the pipeline's only stage, right above the sink; demand is
 * unbounded here and at the sink; the observer has on_next; nothing is
 * waiting in the slot; the subscriber has started and is not done; the
 * pipeline is running. subject.c (update_direct) sets it where these may
 * have become true and clears it wherever one stops holding. Each way
 * one can stop holding while it is set passes through this stage
 * (sub_cancel, its own terminal), so a delivery that finds it still set
 * after the call owes no frame-exit work. The slot's `on_next` is set
 * exactly while `direct` is. */
struct rx__subj_sub {
    rx__stage base;
    struct rx__subj_sub *next;
    struct rx__subj_sub *prev;
    rx_subject *s;
    int light;   /* light frames of deliveries to it on the stack */
    bool direct; /* the direct path may be taken (see above) */
    int64_t requested;
    int list;             /* 0 none, 1 the main list, 2 the pending list */
    bool held;            /* its pipeline holds a reference for us */
    bool release_pending; /* drop the hold when the delivery ends */
    bool started;
    bool done; /* terminal delivered, or cancelled */
    bool draining;
    bool again;
    bool claimant; /* unicast: the one subscriber the subject serves */
    bool has_slot; /* behavior: the initial item; async: the last one */
    rx_value slot;
    struct rx__rnode *cursor; /* replay: the last node read */
    size_t ent;               /* its delivery-array slot, or RX__NO_ENT */
};

/* struct rx__subj_sub's `ent` when it has no slot in the array. */
#define RX__NO_ENT SIZE_MAX

/* Creates a subject of `kind` (without kind-specific set-up). */
rx_subject *rx__subject_new(const rx_site *site, int kind);

/* Whether the subject's stream ended (a terminal was pushed). */
static inline bool
rx__subject_ended(const rx_subject *s)
{
    return s->ended;
}

/* ---- connectables (publish.c) ----------------------------------------- */

/* Whether obs came from rx_publish() or rx_replay(). */
bool rx__is_connectable(const rx_observable *obs);
/* Drops the current connection when its source has ended, so the next
 * subscriber starts a new one (RxJava 3's reset()). */
void rx__connectable_reset(rx_observable *obs);
/* Fails the connectable's current connection with `err` (taken) as if
 * its source had: every subscriber joined to it gets the error. Returns
 * false, leaving `err` with the caller, when there is no live connection. */
bool rx__connectable_fail(rx_observable *obs, rx_error *err);

/* ---- replay buffer (subject_replay.c) --------------------------------- */

/* Sets up the anchor node; RX_ENOMEM on failure. */
int rx__replay_init(rx_subject *s);
/* Appends v (taken); RX_ENOMEM (v released) on failure. */
int rx__replay_push(rx_subject *s, rx_value v);
/* Forgets what the bounds no longer allow. */
void rx__replay_trim(rx_subject *s);
/* Drops one reference to a node (and the nodes it alone kept). */
void rx__rnode_release(struct rx__rnode *n);
/* Releases the whole buffer. */
void rx__replay_free(rx_subject *s);

#endif /* UVRX_MULTICAST_INTERNAL_H */
