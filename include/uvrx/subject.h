/* SPDX-License-Identifier: MIT */
/**
 * @file subject.h
 * @brief Subjects (observables you push into) and sharing one source
 * among many subscribers: publish, replay, connect, ref_count, share,
 * auto_connect.
 *
 * A subject is both ends of a stream: the owner pushes items with
 * rx_subject_next() and ends it with rx_subject_complete() or
 * rx_subject_error(); every subscription made from
 * rx_subject_observable() receives them. Subjects are hot: a subscriber
 * sees what is pushed after it joined (behavior, replay and async
 * subjects add what they remember).
 *
 * Threads. A subject lives on its owner thread: rx_subject_next(),
 * rx_subject_error(), rx_subject_complete(), subscribing and every
 * subscriber's requests happen there. Another thread feeds a subject
 * through an inlet (include/uvrx/thread.h): subscribe an observer that
 * forwards to the subject to rx_inlet_observable() on the owner thread.
 * The reference count of a subject is atomic, so rx_subject_retain() and
 * rx_subject_release() may be called from any thread.
 *
 * Subscribers joining or leaving while the subject emits (inside one of
 * their callbacks) take effect in O(1): a subscriber that joins during an
 * emission receives the next item, not the current one, and one that
 * leaves receives nothing more. A signal pushed from inside a subscriber's
 * callback waits until the current emission has reached every subscriber,
 * so signals to one subscriber never overlap.
 *
 * Demand, by kind:
 * | kind      | a subscriber without demand when an item comes |
 * |-----------|--------------------------------------------------|
 * | publish   | fails alone with #RX_EBACKPRESSURE (the others go on) |
 * | behavior  | as publish; the value held at subscribe waits for the first
 * request | | replay    | the items wait in the replay buffer; it catches up as
 * it requests | | async     | nothing to send before completion; the last item
 * waits for a request | | unicast   | the items wait in the subject's buffer
 * (bounded by its capacity) |
 */
#ifndef UVRX_SUBJECT_H
#define UVRX_SUBJECT_H

#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A subject: a hot observable the owner pushes signals into;
 * refcounted. */
typedef struct rx_subject rx_subject;

/**
 * @brief A subject that sends each item to the subscribers present when
 * it is pushed.
 *
 * A subscriber that joins after the end receives only the terminal
 * signal. A subscriber with no outstanding demand when an item comes
 * fails alone with #RX_EBACKPRESSURE (naming this site); put
 * rx_on_backpressure_buffer() or a drop strategy behind it to keep it.
 *
 * @verbatim
 * pushed:   -a-b-c-|
 * early:    ^a-b-c-|
 * late:        ^c-|          (joined between b and c)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @note Owner thread only (see the file's description).
 */
RX_API rx_subject *rx_subject_publish_at(const rx_site *site);
/** @brief See rx_subject_publish_at(). */
#define rx_subject_publish()                                                   \
    rx_subject_publish_at(RX_SITE("rx_subject_publish"))

/**
 * @brief A subject that remembers its latest item (starting with
 * @p initial) and sends it first to each new subscriber.
 *
 * The remembered item waits for the new subscriber's first request; later
 * items need demand as in rx_subject_publish(). After the end a new
 * subscriber receives only the terminal signal.
 *
 * @verbatim
 * pushed:   -a-b---c-|       (initial: z)
 * early:    z-a-b---c-|
 * late:          b-c-|       (joined between b and c)
 * @endverbatim
 *
 * @param site    assembly site; the macro passes it
 * @param initial the first remembered item; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM (also when
 *         @p initial is rx_invalid(), a failed value constructor)
 * @note Owner thread only.
 */
RX_API rx_subject *rx_subject_behavior_at(const rx_site *site,
                                          rx_value initial);
/** @brief See rx_subject_behavior_at(). */
#define rx_subject_behavior(initial)                                           \
    rx_subject_behavior_at(RX_SITE("rx_subject_behavior"), (initial))

/**
 * @brief A subject that remembers items and replays them to each new
 * subscriber, bounded by count and by age.
 *
 * A new subscriber first receives the remembered items (at most
 * @p max_count, none older than @p max_age_ms by @p sched's clock), then
 * the live ones, then the terminal signal, each at the pace of its own
 * demand: a subscriber never fails for lack of demand. A subscriber that
 * lags keeps the items it has not received yet, even past the bounds
 * (the bounds limit what a new subscriber sees).
 *
 * @verbatim
 * pushed:   -a-b-c-d-|       (max_count 2)
 * late:          ^(bc)d-|
 * @endverbatim
 *
 * @param site       assembly site; the macro passes it
 * @param max_count  items remembered; 0 for no count bound
 * @param max_age_ms items older than this are forgotten (an item exactly
 *                   @p max_age_ms old is too old); 0 for no age bound
 * @param sched      the clock for @p max_age_ms (NULL: the default
 *                   scheduler); @borrows; unused without an age bound
 * @return @newref, or NULL with the last error: #RX_EINVAL (negative
 *         @p max_age_ms, an untimed @p sched with an age bound),
 *         #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_subject *rx_subject_replay_at(const rx_site *site, size_t max_count,
                                        int64_t max_age_ms,
                                        rx_scheduler *sched);
/** @brief See rx_subject_replay_at(). */
#define rx_subject_replay(max_count, max_age_ms, sched)                        \
    rx_subject_replay_at(RX_SITE("rx_subject_replay"), (max_count),            \
                         (max_age_ms), (sched))

/**
 * @brief A subject that emits only its last item, and only when it
 * completes.
 *
 * On completion every subscriber (and every later one) receives the last
 * item, when it requests, then the completion; an empty subject just
 * completes. An error goes to every subscriber without any item.
 *
 * @verbatim
 * pushed:   -a-b-c-|
 * async:    -------(c|)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_subject *rx_subject_async_at(const rx_site *site);
/** @brief See rx_subject_async_at(). */
#define rx_subject_async() rx_subject_async_at(RX_SITE("rx_subject_async"))

/**
 * @brief A subject for exactly one subscriber, which buffers what is
 * pushed until that subscriber requests it.
 *
 * Items pushed before the subscriber comes, or beyond its demand, wait in
 * the buffer; the terminal signal comes after the buffered items. A
 * second subscriber (even after the first left) fails at once with
 * #RX_EBUSY. When the buffer holds @p capacity items, rx_subject_next()
 * refuses the item with #RX_EBACKPRESSURE and the stream goes on. A
 * cancelled subscriber's buffered items are released.
 *
 * @verbatim
 * pushed:   -a-b-c-|
 * sub:          ^(ab)c-|     (joined at 4 with unbounded demand)
 * @endverbatim
 *
 * @param site     assembly site; the macro passes it
 * @param capacity most items buffered; 0 for no bound
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_subject *rx_subject_unicast_at(const rx_site *site, size_t capacity);
/** @brief See rx_subject_unicast_at(). */
#define rx_subject_unicast(capacity)                                           \
    rx_subject_unicast_at(RX_SITE("rx_subject_unicast"), (capacity))

/**
 * @brief Takes one more reference to a subject.
 * @param s  the subject, or NULL; @borrows
 * @return @p s
 * @note Any thread.
 */
RX_API rx_subject *rx_subject_retain(rx_subject *s);

/**
 * @brief Drops a reference; the subject is freed once no handle, no
 * observable made from it and no subscription to it remain.
 * @param s  the subject, or NULL (a no-op); @takes
 * @note Any thread.
 */
RX_API void rx_subject_release(rx_subject *s);

/**
 * @brief The observable to subscribe to the subject.
 *
 * A plain function (no assembly site of its own): the observable is the
 * subject itself seen as an observable, named by the site that made the
 * subject. Releasing it and the subject handle frees the subject once its
 * subscriptions are gone.
 *
 * @param s  the subject; @borrows
 * @return @newref, or NULL with the last error #RX_EINVAL for a NULL
 *         @p s
 * @note Any thread; subscribe on the owner thread.
 */
RX_API rx_observable *rx_subject_observable(rx_subject *s);

/**
 * @brief Pushes an item to the subscribers (as the subject's kind says).
 * @param s  the subject
 * @param v  the item; @takes
 * @return 0; #RX_ECANCELED after the end (the item is released);
 *         #RX_EBACKPRESSURE when a unicast subject's buffer is full (the
 *         item is refused and released; the stream goes on); #RX_ENOMEM
 *         when the item could not be stored (replay and unicast buffers,
 *         an item pushed from inside a callback) or @p v is rx_invalid();
 *         #RX_EINVAL for a NULL @p s
 * @note Owner thread only. Runs subscribers' callbacks before it returns;
 *       called from inside one, the item waits until the current
 *       emission has finished.
 */
RX_API int rx_subject_next(rx_subject *s, rx_value v);

/**
 * @brief Ends the stream with an error (every subscriber, and every later
 * one, receives it).
 * @param s    the subject
 * @param err  the error; @takes
 * @return 0; #RX_ECANCELED after the end (@p err is released);
 *         #RX_EINVAL for a NULL @p s or @p err
 * @note Owner thread only. Runs callbacks before it returns.
 */
RX_API int rx_subject_error(rx_subject *s, rx_error *err);

/**
 * @brief Ends the stream with a completion.
 * @param s  the subject
 * @return 0; #RX_ECANCELED after the end; #RX_EINVAL for a NULL @p s
 * @note Owner thread only. Runs callbacks before it returns.
 */
RX_API int rx_subject_complete(rx_subject *s);

/**
 * @brief How many subscribers receive the subject's live items now.
 * @param s  the subject; @borrows
 * @return the count (0 for NULL)
 * @note Owner thread only.
 */
RX_API size_t rx_subject_subscriber_count(const rx_subject *s);

/**
 * @brief The item a behavior subject remembers (the latest, or its
 * initial one), or the last item of an async subject.
 * @param s    the subject; @borrows
 * @param out  receives a new reference; rx_nil() on failure
 * @return 0; #RX_ENOELEMENT when there is none (another kind, an empty
 *         async subject, a subject ended by an error); #RX_EINVAL for
 *         NULL arguments
 * @note Owner thread only.
 */
RX_API int rx_subject_value(const rx_subject *s, rx_value *out);

/* ---- sharing ---------------------------------------------------------- */

/**
 * @brief Makes a connectable observable: subscribers wait on a shared
 * publish subject until rx_connect() subscribes @p src once for all.
 *
 * The result is an ordinary observable as well: subscribing to it joins
 * the current connection's subject without starting anything. Pass it to
 * rx_connect(), rx_ref_count() or rx_auto_connect(). Demand works as for
 * rx_subject_publish(): the source is requested without bound and a
 * subscriber without demand fails alone with #RX_EBACKPRESSURE. After the
 * source ends, later subscribers receive its terminal signal until the
 * next rx_connect() starts a new connection.
 *
 * @verbatim
 * src:        -a-b-|          (cold)
 * sub:        ^---a-b-|       (subscribed at 0, waits)
 * connect:    ---^            (at 3: the source starts)
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  the shared source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @note Owner thread only: subscribe, connect and disconnect there, and
 *       @p src must signal there (use rx_observe_on otherwise).
 * @see rx_share(), rx_replay()
 */
RX_API rx_observable *rx_publish_at(const rx_site *site, rx_observable *src);
/** @brief See rx_publish_at(). */
#define rx_publish(src) rx_publish_at(RX_SITE("rx_publish"), (src))

/**
 * @brief A connectable observable (see rx_publish()) whose connection
 * replays, bounded by count and age, to every subscriber.
 *
 * Each connection has its own replay buffer (rx_subject_replay()): a
 * subscriber joining a running or finished connection receives what it
 * remembers, then the rest. A new connection starts empty.
 *
 * @verbatim
 * src:         -a-b-c-|
 * replay(2) connected at 0:
 * sub at 4:        (ab)c-|
 * @endverbatim
 *
 * @param site       assembly site; the macro passes it
 * @param src        the shared source; @takes
 * @param max_count  items remembered; 0 for no count bound
 * @param max_age_ms 0 for no age bound
 * @param sched      the clock for @p max_age_ms (NULL: the default);
 *                   @borrows
 * @return @newref, or NULL with the last error #RX_EINVAL (negative
 *         @p max_age_ms, untimed @p sched), #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_observable *rx_replay_at(const rx_site *site, rx_observable *src,
                                   size_t max_count, int64_t max_age_ms,
                                   rx_scheduler *sched);
/** @brief See rx_replay_at(). */
#define rx_replay(src, max_count, max_age_ms, sched)                           \
    rx_replay_at(RX_SITE("rx_replay"), (src), (max_count), (max_age_ms),       \
                 (sched))

/**
 * @brief Subscribes a connectable observable's source, once, for every
 * subscriber of the connectable.
 *
 * The handle disconnects: rx_dispose(*out) cancels the source and resets
 * the connectable, so the next subscribers wait for the next connection
 * (subscribers of the old one receive nothing more, as in RxJava). A
 * synchronous source runs to its end inside this call.
 *
 * @param connectable  from rx_publish() or rx_replay(); @borrows
 * @param out          receives the connection handle (rx_dispose() it
 *                     exactly once); NULL on failure
 * @return 0; #RX_EBUSY when a connection is running (its handle is the
 *         one to dispose); #RX_EINVAL for a NULL argument or an
 *         observable that is not connectable; #RX_ENOMEM
 * @note Owner thread only. Runs callbacks before it returns.
 */
RX_API int rx_connect(rx_observable *connectable, rx_subscription **out);

/**
 * @brief Connects a connectable observable while it has subscribers.
 *
 * The first subscriber connects it (after joining, so it sees a
 * synchronous source's items); when the count of subscribers returns to
 * zero the connection is disposed; the next subscriber connects again
 * (a cold source is subscribed afresh). A connection whose source ended
 * is reset too, so a late subscriber starts a new one (also one made
 * late by rx_delay_subscription(), which subscribes when its delay ends).
 *
 * @verbatim
 * src:      -a-b-c-d-e-|     (cold)
 * sub1:     ^a-b!            (cancels at 4: the count is 0, disconnect)
 * src subs: ^---!----^
 * sub2:              ^-a-b-c-d-e-|   (subscribed at 9: reconnects)
 * @endverbatim
 *
 * @see @ref marbles_ref_count "the marble diagrams of its test cases"
 * @htmlonly
 * <img src="marbles/ref_count-1.svg" alt="marble diagram">
 * @endhtmlonly
 * @param site         assembly site; the macro passes it
 * @param connectable  from rx_publish() or rx_replay(); @takes
 * @return @newref, or NULL with the last error #RX_EINVAL (not a
 *         connectable), #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_observable *rx_ref_count_at(const rx_site *site,
                                      rx_observable *connectable);
/** @brief See rx_ref_count_at(). */
#define rx_ref_count(connectable)                                              \
    rx_ref_count_at(RX_SITE("rx_ref_count"), (connectable))

/**
 * @brief rx_ref_count(rx_publish(src)): one subscription to @p src shared
 * by all current subscribers.
 *
 * @verbatim
 * src:   -a-b-c-|
 * sub1:  ^a-b-c-|
 * sub2:    ^b-c-|
 * src subs: ^------!
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param src  the shared source; @takes
 * @return @newref, or NULL with the last error #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_observable *rx_share_at(const rx_site *site, rx_observable *src);
/** @brief See rx_share_at(). */
#define rx_share(src) rx_share_at(RX_SITE("rx_share"), (src))

/**
 * @brief Connects a connectable observable once its @p n th subscriber
 * has joined, and never disconnects it.
 *
 * Later subscribers join the running connection. The connection lasts
 * until the source ends or the result and every subscription made from
 * it are gone (then it is disposed, on the owner thread). With @p n == 0
 * it connects at the first subscription.
 *
 * @verbatim
 * src:    -a-b-|            (cold)
 * sub1:   ^--------a-b-|    (waits for sub2)
 * sub2:   -------^-a-b-|    (the 2nd: connects at 7)
 * @endverbatim
 *
 * @param site         assembly site; the macro passes it
 * @param connectable  from rx_publish() or rx_replay(); @takes
 * @param n            the subscriber that connects; >= 0
 * @return @newref, or NULL with the last error #RX_EINVAL (not a
 *         connectable, @p n < 0), #RX_ENOMEM
 * @note Owner thread only.
 */
RX_API rx_observable *rx_auto_connect_at(const rx_site *site,
                                         rx_observable *connectable, int64_t n);
/** @brief See rx_auto_connect_at(). */
#define rx_auto_connect(connectable, n)                                        \
    rx_auto_connect_at(RX_SITE("rx_auto_connect"), (connectable), (n))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_SUBJECT_H */
