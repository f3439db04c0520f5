/* SPDX-License-Identifier: MIT */
/**
 * @file testkit.h
 * @brief Testing pipelines: a test subscriber that records every signal,
 * controls demand and detects protocol violations; and marble diagrams on
 * virtual time.
 *
 * Link with uvrx::testkit. It depends on no test framework: the checks
 * return false and write a readable explanation, which a framework adapter
 * turns into a failure.
 *
 * @code
 * rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
 * rx_test_subscribe(obs, t);
 * char why[256];
 * if (!rx_test_check_ints(t, (int64_t[]){2, 4}, 2, why, sizeof why) ||
 *     !rx_test_check_completed(t, why, sizeof why))
 *     puts(why);
 * rx_test_observer_free(t);
 * @endcode
 */
#ifndef UVRX_TESTKIT_H
#define UVRX_TESTKIT_H

#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A recording subscriber. Single-owner: free with
 * rx_test_observer_free().
 *
 * Its signals may arrive on any one thread at a time (after a thread
 * hop, the scheduler's); it checks they do: the count of signals in
 * progress is atomic, so two signals inside it at once, on two threads,
 * are reported as an overlap by rx_test_check_protocol(). Read the
 * recording once the pipeline has finished on that thread (after
 * on_finally, or after joining the thread). */
typedef struct rx_test_observer rx_test_observer;

/**
 * @brief Creates a test subscriber.
 * @param initial_request  demand requested inside on_subscribe: 0 for
 *                         none, #RX_UNBOUNDED for no limit
 * @return the subscriber, or NULL with the last error #RX_ENOMEM
 *         (#RX_EINVAL for a negative @p initial_request)
 */
RX_API rx_test_observer *rx_test_observer_new(int64_t initial_request);

/**
 * @brief Disposes the subscription (if any) and frees the recorder and the
 * values it kept. NULL is a no-op.
 * @param t  the subscriber; @takes
 */
RX_API void rx_test_observer_free(rx_test_observer *t);

/**
 * @brief Subscribes @p t to @p obs, keeping the handle.
 * @param obs  the observable; @borrows
 * @param t    the subscriber; @borrows; subscribe it only once
 * @return what rx_subscribe() returned
 */
RX_API int rx_test_subscribe(rx_observable *obs, rx_test_observer *t);

/** @brief The subscription handle (NULL before subscribing or after
 * rx_test_dispose()). @param t the subscriber @return the handle */
RX_API rx_subscription *rx_test_subscription(const rx_test_observer *t);

/**
 * @brief Requests @p n more items through the handle.
 * @param t the subscriber @param n how many
 * @return what rx_request() returned
 */
RX_API int rx_test_request(rx_test_observer *t, int64_t n);

/** @brief Cancels through the handle. @param t the subscriber
 * @note Any thread, like rx_cancel(). */
RX_API void rx_test_cancel(rx_test_observer *t);

/** @brief Disposes the handle now (the recording stays); later calls do
 * nothing. @param t the subscriber
 * @note Any thread, like rx_dispose(); two threads racing to dispose
 * dispose the handle once. */
RX_API void rx_test_dispose(rx_test_observer *t);

/**
 * @brief Requests @p n more inside each on_next (0, the default, turns it
 * off): with an initial request of @p n, items arrive @p n at a time.
 * @param t the subscriber @param n how many per item
 */
RX_API void rx_test_set_request_each(rx_test_observer *t, int64_t n);

/**
 * @brief Cancels inside on_next once @p k items have arrived (0 turns it
 * off).
 * @param t the subscriber @param k after how many items
 */
RX_API void rx_test_set_cancel_after(rx_test_observer *t, size_t k);

/** @brief Where rx_test_set_dispose_in() disposes the handle. */
typedef enum rx_test_signal {
    RX_TEST_ON_SUBSCRIBE = 1, /**< inside on_subscribe */
    RX_TEST_ON_NEXT,          /**< inside the first on_next */
    RX_TEST_ON_ERROR,         /**< inside on_error */
    RX_TEST_ON_COMPLETE       /**< inside on_complete */
} rx_test_signal;

/**
 * @brief Disposes the handle inside the given callback (once).
 * @param t the subscriber @param where which callback
 */
RX_API void rx_test_set_dispose_in(rx_test_observer *t, rx_test_signal where);

/**
 * @brief Asks the subscriber to take items through on_next_batch.
 * @param t the subscriber @param on true to receive batches
 */
RX_API void rx_test_set_batch(rx_test_observer *t, bool on);

/** @brief How many items arrived. @param t the subscriber @return count */
RX_API size_t rx_test_count(const rx_test_observer *t);

/**
 * @brief The i-th item, borrowed from the recorder.
 * @param t the subscriber @param i the index
 * @return the item, or rx_invalid() when out of range
 */
RX_API rx_value rx_test_value(const rx_test_observer *t, size_t i);

/** @brief Whether on_complete arrived. @param t the subscriber
 * @return true if so */
RX_API bool rx_test_completed(const rx_test_observer *t);

/** @brief The error that arrived, borrowed, or NULL. @param t the
 * subscriber @return the error */
RX_API const rx_error *rx_test_error(const rx_test_observer *t);

/** @brief How many on_subscribe, terminal, on_finally calls and batch
 * calls arrived, and how many signals broke the protocol. */
typedef struct rx_test_counts {
    int subscribes;     /**< on_subscribe calls */
    int terminals;      /**< on_error + on_complete calls */
    int finallies;      /**< on_finally calls */
    int batches;        /**< on_next_batch calls */
    int after_terminal; /**< signals after a terminal signal or
                             on_finally */
    int overlaps;       /**< signals that began while another was running,
                             on any thread (an atomic count), and an
                             on_finally that ran during a signal */
    int beyond_demand;  /**< items beyond the demand requested */
} rx_test_counts;

/** @brief The counters. @param t the subscriber @return a copy */
RX_API rx_test_counts rx_test_get_counts(const rx_test_observer *t);

/**
 * @brief Checks the items were exactly these integers, in order.
 * @param t the subscriber
 * @param expected the integers; may be NULL when @p n is 0
 * @param n how many
 * @param why receives an explanation on failure
 * @param cap size of @p why
 * @return true when they match
 */
RX_API bool rx_test_check_ints(const rx_test_observer *t,
                               const int64_t *expected, size_t n, char *why,
                               size_t cap);

/**
 * @brief Checks the items equal these values (rx_value_equal()), in order.
 * @param t the subscriber
 * @param expected the values, borrowed
 * @param n how many
 * @param why receives an explanation on failure
 * @param cap size of @p why
 * @return true when they match
 */
RX_API bool rx_test_check_values(const rx_test_observer *t,
                                 const rx_value *expected, size_t n, char *why,
                                 size_t cap);

/**
 * @brief Checks exactly one on_complete arrived, no error, and the
 * protocol held (see rx_test_check_protocol()).
 * @param t the subscriber @param why explanation @param cap its size
 * @return true if so
 */
RX_API bool rx_test_check_completed(const rx_test_observer *t, char *why,
                                    size_t cap);

/**
 * @brief Checks exactly one on_error with @p code arrived, no completion,
 * and the protocol held.
 * @param t the subscriber @param code the expected code
 * @param why explanation @param cap its size
 * @return true if so
 */
RX_API bool rx_test_check_error(const rx_test_observer *t, int code, char *why,
                                size_t cap);

/**
 * @brief Checks no terminal signal arrived and the protocol held.
 * @param t the subscriber @param why explanation @param cap its size
 * @return true if so
 */
RX_API bool rx_test_check_no_terminal(const rx_test_observer *t, char *why,
                                      size_t cap);

/**
 * @brief Checks the protocol held: one on_subscribe first, no overlap,
 * nothing after a terminal signal, no item beyond demand, at most one
 * terminal and one on_finally.
 * @param t the subscriber @param why explanation @param cap its size
 * @return true if so
 */
RX_API bool rx_test_check_protocol(const rx_test_observer *t, char *why,
                                   size_t cap);

/**
 * @name Marble diagrams
 *
 * Marble diagrams describe a stream on virtual time in one line of text,
 * in the grammar of RxJS's TestScheduler (its `run()` mode): one frame is
 * one millisecond.
 *
 * | text | meaning |
 * |---|---|
 * | `-` | one frame passes |
 * | `a`-`z`, `A`-`Z`, `0`-`9` | an item |
 * | another key of the values table | an item |
 * | `\|` | completion |
 * | `#` | an error |
 * | `(ab\|)` | a group: signals in one frame |
 * | `10ms`, `2s`, `1m`, `1.5s` | time progression |
 * | space | nothing (aligns diagrams) |
 * | `^` | hot sources only: frame 0 |
 *
 * Every character but a space takes one frame, signals included: in
 * `-a-|` the item is at frame 1 and the completion at frame 3. A group
 * puts everything inside it at the frame of its `(`, yet still takes one
 * frame per character, parentheses included: `(ab)c` has `a` and `b` at
 * frame 0 and `c` at frame 4. Time progression moves that many frames
 * (milliseconds) on; it is recognised only at the start of the diagram or
 * after a space, and not when a letter or digit follows it (`1sa` is
 * three items). In a hot diagram `^` is frame 0, the moment the source
 * was created; what comes before it is the past and is never delivered.
 *
 * An item's character is looked up in the values table
 * (#rx_marble_value); a character missing from it stands for the
 * one-character string of itself (rx_str()). A `#` entry in the table
 * holding an integer sets the error code `#` stands for (default
 * #RX_TEST_EMARBLE). Nothing may follow a terminal signal but `-`,
 * spaces and time progression.
 *
 * Subscription logs use the same frames with two marks: `^` where a
 * subscription started and `!` where it ended (a cancel, or the source's
 * own terminal signal). `!` takes no frame, so `^--!` is a subscription
 * from frame 0 to frame 3, and `(^!)` one that ended in the frame it
 * started. Each subscription is one line.
 *
 * @code
 * rx_scheduler *vs = rx_scheduler_virtual();
 * rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
 * rx_observable *two = rx_take(rx_test_source_observable(src), 2);
 * char why[512];
 * if (!rx_test_check_marbles(vs, two, "-a-(b|)", NULL, 0, why, sizeof why)
 *     || !rx_test_check_subscriptions(src, "^--!", why, sizeof why))
 *     puts(why);
 * rx_observable_release(two);
 * rx_test_source_free(src);
 * rx_scheduler_release(vs);
 * @endcode
 * @{
 */

/** @brief The error code `#` stands for unless the values table says
 * otherwise (the first code below #RX_EUSER). */
#define RX_TEST_EMARBLE (RX_EUSER - 1)

/**
 * @brief One entry of a marble values table: the item a character stands
 * for.
 *
 * The key `#` is special: its value, a negative integer, is the error
 * code `#` stands for.
 */
typedef struct rx_marble_value {
    char key;       /**< the character in the diagram */
    rx_value value; /**< the item; borrowed by the functions that read it */
} rx_marble_value;

/**
 * @brief A cold or hot source that plays a marble diagram on a scheduler
 * and logs its subscriptions. Single-owner: free with
 * rx_test_source_free().
 */
typedef struct rx_test_source rx_test_source;

/**
 * @brief Creates a cold source: each subscription plays the diagram from
 * its own start.
 *
 * Frame @e f of the diagram happens @e f ms after the subscription, on
 * @p vs, so even frame 0 happens only when the scheduler runs (a virtual
 * scheduler: at the next advance). Like a timer, the source cannot slow
 * down: an item that falls due while the subscriber has no outstanding
 * demand ends that subscription with #RX_EBACKPRESSURE, naming the
 * source's assembly site. The error signalled by `#` is built when it
 * falls due, with the code from the values table (or #RX_TEST_EMARBLE),
 * unless rx_test_source_set_error() gave one.
 *
 * @verbatim
 * rx_test_cold(vs, "-a-b-|")  subscribed at time 10:
 * time:   10 11 12 13 14 15
 * out:    -  a  -  b  -  |
 * @endverbatim
 *
 * @param site     assembly site; the macro passes it
 * @param vs       where the diagram plays; @borrows (the source and its
 *                 subscriptions retain it); normally a virtual scheduler,
 *                 any scheduler with timers works
 * @param marbles  the diagram; @borrows (copied); no `^` or `!`
 * @param values   the values table; @borrows (items are retained); may be
 *                 NULL when @p nvalues is 0
 * @param nvalues  entries in @p values
 * @return the source, or NULL with the last error: #RX_EINVAL (NULL
 *         @p vs or @p marbles, a scheduler without timers, a `#` entry
 *         that is not a negative integer, or a diagram that does not
 *         parse: the message names the column), #RX_ENOMEM
 * @note Subscribe, request and run the scheduler on one thread.
 * @see rx_test_hot_at(), rx_test_source_observable()
 */
RX_API rx_test_source *rx_test_cold_at(const rx_site *site, rx_scheduler *vs,
                                       const char *marbles,
                                       const rx_marble_value *values,
                                       size_t nvalues);
/** @brief See rx_test_cold_at(). */
#define rx_test_cold(vs, marbles, values, nvalues)                             \
    rx_test_cold_at(RX_SITE("rx_test_cold"), (vs), (marbles), (values),        \
                    (nvalues))

/**
 * @brief Creates a hot source: the diagram plays once, from the moment of
 * creation, whether anyone listens or not.
 *
 * The `^` marks frame 0, the virtual time of this call (a diagram without
 * `^` starts at frame 0); events before it are the past and never
 * delivered. Each event goes to the subscribers present when it falls
 * due, in the order they subscribed. A subscriber arriving after the
 * terminal signal gets that signal at once (a subject's behaviour). A
 * subscriber without outstanding demand when an item falls due gets
 * #RX_EBACKPRESSURE instead (the others are unaffected).
 *
 * @verbatim
 * rx_test_hot(vs, "-a-^-b-c-|")  created at time 0 (a is the past):
 * time:             0 1 2 3 4 5 6
 * source:           ^ - b - c - |
 * subscribed at 3:        ^ c - |
 * @endverbatim
 *
 * @param site     assembly site; the macro passes it
 * @param vs       where the diagram plays; @borrows (retained)
 * @param marbles  the diagram, at most one `^`, no `!`; @borrows (copied)
 * @param values   the values table; @borrows; may be NULL when
 *                 @p nvalues is 0
 * @param nvalues  entries in @p values
 * @return the source, or NULL with the last error as for
 *         rx_test_cold_at()
 * @note Free the source before the test ends: it keeps a task on @p vs
 *       until then, or until the diagram ends.
 */
RX_API rx_test_source *rx_test_hot_at(const rx_site *site, rx_scheduler *vs,
                                      const char *marbles,
                                      const rx_marble_value *values,
                                      size_t nvalues);
/** @brief See rx_test_hot_at(). */
#define rx_test_hot(vs, marbles, values, nvalues)                              \
    rx_test_hot_at(RX_SITE("rx_test_hot"), (vs), (marbles), (values), (nvalues))

/**
 * @brief The observable of a test source.
 * @param src  the source; @borrows
 * @return @newref to the source's observable (hand it to an operator,
 *         which takes it), or NULL with the last error #RX_EINVAL for a
 *         NULL @p src
 */
RX_API rx_observable *rx_test_source_observable(rx_test_source *src);

/**
 * @brief Sets the error `#` signals, replacing the default one.
 * @param src  the source; @borrows
 * @param err  the error; @takes (also on failure)
 * @return 0, or #RX_EINVAL for a NULL argument
 * @note Call it before the error falls due.
 */
RX_API int rx_test_source_set_error(rx_test_source *src, rx_error *err);

/**
 * @brief How many subscriptions the source has seen started.
 * @param src  the source; @borrows
 * @return the count (0 for NULL)
 */
RX_API size_t rx_test_source_subscriptions(const rx_test_source *src);

/**
 * @brief The source's subscription log as marble lines.
 *
 * One line per subscription, in the order they were made, joined by
 * `\n`: `^` at the frame it started, `!` at the frame it ended, by a
 * cancel from downstream or by the source's own terminal signal (as in
 * RxJS, a cold `--a--|` subscribed at 0 logs `^----!`). A subscription
 * still running has no `!`. Frames count from the source's creation.
 *
 * @param src  the source; @borrows
 * @return the log, owned by @p src and valid until the next call or
 *         rx_test_source_free(); "" when nothing subscribed; NULL when
 *         memory runs out or @p src is NULL
 */
RX_API const char *rx_test_source_log(rx_test_source *src);

/**
 * @brief Checks the source's subscription log against expected marble
 * lines.
 *
 * @p expected holds one subscription per line (lines separated by `\n`,
 * blank lines ignored), in the grammar of the log: `-`, spaces, time
 * progression, `^`, `!` and groups. The comparison is by frames, so
 * `^ 9ms !` equals `^---------!`.
 *
 * @param src       the source; @borrows
 * @param expected  the expected log; "" for no subscription
 * @param why       receives an explanation (both logs) on failure
 * @param cap       size of @p why
 * @return true when they match
 */
RX_API bool rx_test_check_subscriptions(rx_test_source *src,
                                        const char *expected, char *why,
                                        size_t cap);

/**
 * @brief Frees a test source. NULL is a no-op.
 *
 * A hot source stops playing. Subscriptions still running keep what they
 * need; they simply receive nothing more from a hot source.
 * @param src  the source; @takes
 * @note Not from inside a callback of one of its subscribers.
 */
RX_API void rx_test_source_free(rx_test_source *src);

/**
 * @brief Runs an observable on virtual time and renders what it emitted
 * as a marble diagram.
 *
 * Subscribes with unbounded demand at the current virtual time (frame
 * 0), advances @p vs to @p until, renders every signal that arrived by
 * then, and disposes the subscription. Items are written as their key in
 * @p values (compared with rx_value_equal()), a one-character string as
 * that character, anything else as `?`; signals in one frame as a group;
 * gaps of more than 20 frames as time progression (` 25ms `). An error is
 * `#` whatever its code. A signal that follows a group sooner than the
 * group's width cannot be written exactly and comes right after the
 * `)`; rx_test_check_marbles() compares frames, not text, so it is exact.
 *
 * @param vs      a virtual scheduler; @borrows
 * @param obs     the observable; @borrows
 * @param until   the virtual time to run to (nothing moves when it is not
 *                after the current time)
 * @param values  the values table; @borrows; may be NULL when @p n is 0
 * @param n       entries in @p values
 * @return the diagram, to free() (a signal-less run gives ""), or NULL
 *         with the last error: #RX_EINVAL (NULL argument, not a virtual
 *         scheduler), what rx_subscribe() failed with, #RX_ELIMIT from the
 *         scheduler, #RX_ENOMEM
 */
RX_API char *rx_test_marbles(rx_scheduler *vs, rx_observable *obs,
                             uint64_t until, const rx_marble_value *values,
                             size_t n);

/**
 * @brief Runs an observable on virtual time and checks what it emitted
 * against a marble diagram.
 *
 * Subscribes with unbounded demand at the current virtual time (frame
 * 0) and advances @p vs to the last frame @p expected spans (add
 * trailing `-` to watch longer), then disposes the subscription. The
 * signals are compared one by one: frame, kind, and for items
 * rx_value_equal() with the value the key stands for; `#` matches any
 * error, or only the code of a `#` entry when @p values has one. Two
 * diagrams that say the same thing in different words match (`a 9ms b`
 * and `a---------b`).
 *
 * @param vs        a virtual scheduler; @borrows
 * @param obs       the observable; @borrows
 * @param expected  the expected diagram; no `^` or `!`
 * @param values    the values table; @borrows; may be NULL when @p n is 0
 * @param n         entries in @p values
 * @param why       receives, on mismatch, the first difference and both
 *                  diagrams; otherwise why the run failed
 * @param cap       size of @p why
 * @return true when they match
 */
RX_API bool rx_test_check_marbles(rx_scheduler *vs, rx_observable *obs,
                                  const char *expected,
                                  const rx_marble_value *values, size_t n,
                                  char *why, size_t cap);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* UVRX_TESTKIT_H */
