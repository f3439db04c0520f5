/* SPDX-License-Identifier: MIT */
/*
 * The replay subject's buffer: a singly linked list of refcounted nodes.
 *
 * The subject keeps an anchor, the node just before the oldest item it
 * remembers (a dummy node at first), and the newest node. A subscriber's
 * cursor points at the last node it has read, so "what is next" is always
 * cursor->next, even for a subscriber that has read everything. Forgetting
 * an item moves the anchor one node on; a node stays alive while a link
 * from its predecessor, the anchor or a cursor counts it, so a subscriber
 * that lags behind the bounds still reads every item it has not had,
 * while a new subscriber starts at the anchor. Counts are plain integers:
 * the buffer lives on the subject's owner thread.
 */
#include "multicast-internal.h"
#include "../time/time-internal.h"

static struct rx__rnode *
rnode_new(rx_value v, uint64_t time)
{
    struct rx__rnode *n = rx__malloc(sizeof *n);

    if (n != NULL) {
        n->next = NULL;
        n->v = v;
        n->time = time;
        n->refs = 1;
    }
    return n;
}

void
rx__rnode_release(struct rx__rnode *n)
{
    /* A loop, not recursion: freeing a long chain uses no stack. */
    while (n != NULL && --n->refs == 0) {
        struct rx__rnode *next = n->next;
        rx_value_release(n->v);
        rx__free(n);
        n = next;
    }
}

int
rx__replay_init(rx_subject *s)
{
    s->anchor = rnode_new(rx_nil(), 0);
    s->rtail = s->anchor;
    return s->anchor != NULL ? 0 : RX_ENOMEM;
}

/* The subject's clock; 0 without an age bound. */
static uint64_t
replay_now(const rx_subject *s)
{
    rx_scheduler *sched;

    if (s->max_age_ms == 0) {
        return 0;
    }
    sched = rx__sched_resolve(s->sched);
    return sched != NULL ? rx_scheduler_now(sched) : 0;
}

void
rx__replay_trim(rx_subject *s)
{
    uint64_t now = replay_now(s);

    while (s->anchor->next != NULL &&
           ((s->max_count > 0 && s->rsize > s->max_count) ||
            (s->max_age_ms > 0 &&
             s->anchor->next->time + (uint64_t)s->max_age_ms <= now))) {
        struct rx__rnode *old = s->anchor;
        s->anchor = old->next;
        s->anchor->refs++;
        rx__rnode_release(old);
        s->rsize--;
    }
}

int
rx__replay_push(rx_subject *s, rx_value v)
{
    struct rx__rnode *n = rnode_new(v, replay_now(s));

    if (n == NULL) {
        rx_value_release(v);
        return RX_ENOMEM;
    }
    /* The link from the old tail holds the node's one reference. */
    s->rtail->next = n;
    s->rtail = n;
    s->rsize++;
    rx__replay_trim(s);
    return 0;
}

void
rx__replay_free(rx_subject *s)
{
    rx__rnode_release(s->anchor);
    s->anchor = s->rtail = NULL;
}

rx_subject *
rx_subject_replay_at(const rx_site *site, size_t max_count, int64_t max_age_ms,
                     rx_scheduler *sched)
{
    rx_subject *s;

    if (max_age_ms < 0) {
        return rx__fail_null(RX_EINVAL,
                             "rx_subject_replay: max_age_ms must be >= 0");
    }
    if (max_age_ms > 0 && !rx__time_args_ok("rx_subject_replay", "max_age_ms",
                                            max_age_ms, 1, sched)) {
        return NULL;
    }
    s = rx__subject_new(site, RX__SUBJ_REPLAY);
    if (s == NULL) {
        return NULL;
    }
    s->max_count = max_count;
    s->max_age_ms = max_age_ms;
    s->sched = max_age_ms > 0 ? rx_scheduler_retain(sched) : NULL;
    if (rx__replay_init(s) < 0) {
        rx_subject_release(s);
        return rx__fail_null(RX_ENOMEM, "%s: out of memory", site->name);
    }
    return s;
}
