/* SPDX-License-Identifier: MIT */
/**
 * @file testkit.h
 * @brief A test subscriber for checking pipelines: records every signal,
 * controls demand, detects protocol violations.
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

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A recording subscriber. Single-owner: free with
 * rx_test_observer_free(). */
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

/** @brief Cancels through the handle. @param t the subscriber */
RX_API void rx_test_cancel(rx_test_observer *t);

/** @brief Disposes the handle now (the recording stays). @param t the
 * subscriber */
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
    int after_terminal; /**< signals after a terminal signal */
    int overlaps;       /**< signals that began while another was running */
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

#ifdef __cplusplus
}
#endif

#endif /* UVRX_TESTKIT_H */
