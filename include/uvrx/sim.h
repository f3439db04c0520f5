/* SPDX-License-Identifier: MIT */
/**
 * @file sim.h
 * @brief Simulated I/O: slow services and devices that emit at random
 * times, seeded so that every run on virtual time reproduces exactly.
 *
 * A simulated service answers each call after a latency drawn from a
 * distribution, or fails with a configured probability; a simulated
 * sensor emits readings at random (Poisson) intervals. Each object owns a
 * small pseudo-random generator (xoshiro256**, seeded through splitmix64)
 * and draws from it in the order the program makes calls, so the same
 * seed and the same program give the same latencies, failures and
 * readings. On the virtual scheduler (rx_scheduler_virtual()) that makes
 * whole runs reproducible to the millisecond; on a loop scheduler they
 * run in real time.
 *
 * Simulated objects live on their scheduler's thread: build and subscribe
 * them there (for a loop scheduler, the loop thread; for a virtual one,
 * the thread that advances it). Pools are not supported.
 */
#ifndef UVRX_SIM_H
#define UVRX_SIM_H

#include "observable.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the generator ---------------------------------------------------- */

/**
 * @brief A seeded pseudo-random generator (xoshiro256**), a plain value.
 *
 * Copying it copies the stream: both copies then draw the same numbers.
 * It is not thread-safe; each simulated object owns its own.
 */
typedef struct rx_sim_rng {
    uint64_t s[4]; /**< the state; set it with rx_sim_rng_seed() */
} rx_sim_rng;

/**
 * @brief Seeds a generator: the same seed always gives the same stream.
 * @param rng   the generator; @borrows
 * @param seed  any value, 0 included
 */
RX_API void rx_sim_rng_seed(rx_sim_rng *rng, uint64_t seed);

/**
 * @brief The next 64 random bits.
 * @param rng  the generator; @borrows
 * @return the bits
 */
RX_API uint64_t rx_sim_rng_next(rx_sim_rng *rng);

/**
 * @brief A uniform draw in [0, 1) (53 random bits); one draw.
 * @param rng  the generator; @borrows
 * @return the number
 */
RX_API double rx_sim_rng_uniform(rx_sim_rng *rng);

/**
 * @brief A standard normal draw (mean 0, standard deviation 1), by the
 * Box-Muller transform; two uniform draws, nothing cached between calls.
 * @param rng  the generator; @borrows
 * @return the number
 */
RX_API double rx_sim_rng_normal(rx_sim_rng *rng);

/* ---- latency distributions -------------------------------------------- */

/** @brief The shape of a latency distribution. */
typedef enum rx_sim_dist_kind {
    RX_SIM_FIXED = 0, /**< always rx_sim_dist::ms */
    RX_SIM_UNIFORM,   /**< uniform in [min_ms, max_ms) */
    RX_SIM_NORMAL,    /**< normal(mean_ms, stddev_ms), negatives become 0 */
    RX_SIM_LOGNORMAL, /**< median_ms * exp(sigma * N(0, 1)): a long tail */
    RX_SIM_PARETO     /**< scale_ms / U^(1/shape): a heavy tail */
} rx_sim_dist_kind;

/**
 * @brief A latency distribution in milliseconds; fill the fields of its
 * kind with designated initialisers, e.g.
 * `{.kind = RX_SIM_NORMAL, .mean_ms = 100, .stddev_ms = 20}`.
 *
 * Means, for choosing parameters: uniform (min + max) / 2; normal about
 * mean_ms (a little more when stddev_ms is large against mean_ms, because
 * negative draws become 0); log-normal median_ms * exp(sigma² / 2);
 * Pareto shape * scale_ms / (shape - 1) when shape > 1 (infinite
 * otherwise), never less than scale_ms.
 */
typedef struct rx_sim_dist {
    rx_sim_dist_kind kind; /**< which fields below count */
    double ms;             /**< FIXED: the latency, >= 0 */
    double min_ms;         /**< UNIFORM: lower bound, >= 0 */
    double max_ms;         /**< UNIFORM: upper bound, >= min_ms */
    double mean_ms;        /**< NORMAL: mean, >= 0 */
    double stddev_ms;      /**< NORMAL: standard deviation, >= 0 */
    double median_ms;      /**< LOGNORMAL: median, > 0 */
    double sigma;          /**< LOGNORMAL: shape (log-space sd), >= 0 */
    double scale_ms;       /**< PARETO: minimum (x_m), > 0 */
    double shape;          /**< PARETO: tail index (alpha), > 0 */
} rx_sim_dist;

/**
 * @brief Checks a distribution's parameters (finite, in range).
 * @param dist  the distribution; @borrows
 * @return 0, or #RX_EINVAL with the last error naming the field
 */
RX_API int rx_sim_dist_check(const rx_sim_dist *dist);

/**
 * @brief Draws one latency, in milliseconds (not rounded; a service
 * rounds it to the nearest millisecond and caps it at 10^12 ms).
 *
 * Uses one uniform draw (two for normal and log-normal), the same draws a
 * service makes, so a test can sample a distribution through it.
 * @param dist  a distribution that passes rx_sim_dist_check(); @borrows
 * @param rng   the generator; @borrows
 * @return the latency, >= 0; NaN for an invalid @p dist
 */
RX_API double rx_sim_dist_draw(const rx_sim_dist *dist, rx_sim_rng *rng);

/* ---- the simulated service -------------------------------------------- */

/** @brief A simulated remote service; refcounted. */
typedef struct rx_sim_service rx_sim_service;

/** @brief How a simulated service behaves. */
typedef struct rx_sim_service_config {
    /** Where calls wait: a loop or virtual scheduler; @borrows (the
     * service retains it). NULL: the default scheduler, looked up when a
     * call is subscribed. */
    rx_scheduler *sched;
    /** Computes the response to a request, after the latency; must not be
     * NULL. Storing an error in `*err` fails that call with it. */
    rx_map_fn respond;
    /** Passed to @ref respond; @borrows, must outlive the service. */
    void *ctx;
    /** How long each call takes. */
    rx_sim_dist latency;
    /** Probability in [0, 1] that a call fails (after its latency). */
    double failure_rate;
    /** The code failed calls report; negative, required when
     * failure_rate > 0. */
    int failure_code;
    /** How many calls run at once; 0: no limit. Calls beyond it wait in
     * FIFO order, and their latency starts when they get a slot. */
    int max_concurrency;
    /** Seeds the service's generator. */
    uint64_t seed;
} rx_sim_service_config;

/**
 * @brief Creates a simulated service.
 *
 * @param cfg  the configuration, copied; @borrows
 * @return @newref (release with rx_sim_service_release()), or NULL with the
 *         last error: #RX_EINVAL (NULL @p cfg or respond, a scheduler
 *         other than loop or virtual, a bad distribution, failure_rate outside
 * [0, 1], failure_code >= 0 with failure_rate > 0, negative max_concurrency),
 * #RX_ENOMEM
 */
RX_API rx_sim_service *rx_sim_service_new(const rx_sim_service_config *cfg);

/**
 * @brief Takes a new reference to a service.
 * @param svc  the service; @borrows (NULL is allowed)
 * @return @p svc, as a reference the caller must release
 */
RX_API rx_sim_service *rx_sim_service_retain(rx_sim_service *svc);

/**
 * @brief Drops a reference; the service goes with its last reference.
 * Every call observable holds one, so a service outlives its calls.
 * @param svc  the service; @takes (NULL is a no-op)
 */
RX_API void rx_sim_service_release(rx_sim_service *svc);

/**
 * @brief A cold observable that calls the service with @p request.
 *
 * Each subscription is one call. When subscribed, the call draws its
 * latency and whether it fails from the service's generator (so draws
 * follow subscription order), then waits for a slot if max_concurrency
 * calls are running. Once it has a slot, after the latency it either
 * fails with failure_code, or emits respond(request) and completes; a
 * response that finds no demand waits for the first request. Cancelling
 * a call before its response frees its slot (or its place in the queue)
 * and starts the next waiting call.
 *
 * @verbatim
 * call(3), latency 1000 ms, respond = square:
 * out:  ----- 1000 ms -----(9|)
 * a failed call:
 * out:  ----- 1000 ms -----#          failure_code
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param svc      the service; @borrows (the observable retains it)
 * @param request  passed to respond; @takes
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p svc),
 *         #RX_ENOMEM (also when @p request is rx_invalid()). Subscribing
 *         fails with #RX_EINVAL when the default scheduler is not usable
 *         from the subscribing thread.
 */
RX_API rx_observable *rx_sim_call_at(const rx_site *site, rx_sim_service *svc,
                                     rx_value request);
/** @brief See rx_sim_call_at(). */
#define rx_sim_call(svc, request)                                              \
    rx_sim_call_at(RX_SITE("rx_sim_call"), (svc), (request))

/** @brief What a service has done so far. */
typedef struct rx_sim_service_stats {
    int64_t calls;         /**< calls subscribed */
    int64_t started;       /**< calls that got a slot and began waiting */
    int64_t completed;     /**< calls that produced a response */
    int64_t failed;        /**< calls that failed (drawn or from respond) */
    int64_t cancelled;     /**< calls cancelled before their response */
    int64_t in_flight;     /**< calls holding a slot now */
    int64_t waiting;       /**< calls waiting for a slot now */
    int64_t max_in_flight; /**< the most calls that held slots at once */
} rx_sim_service_stats;

/**
 * @brief The service's counters.
 * @param svc  the service; @borrows
 * @return a copy (all zero for NULL)
 */
RX_API rx_sim_service_stats rx_sim_service_get_stats(const rx_sim_service *svc);

/* ---- the simulated sensor --------------------------------------------- */

/**
 * @brief Computes a sensor reading.
 * @param index  0 for the first reading, then 1, 2, ...
 * @param rng    the subscription's generator, for reproducible noise
 * @param ctx    the context of the configuration
 * @return the reading
 */
typedef double (*rx_sim_read_fn)(int64_t index, rx_sim_rng *rng, void *ctx);

/** @brief How a simulated sensor behaves. */
typedef struct rx_sim_sensor_config {
    /** Where readings are timed: a loop or virtual scheduler; @borrows
     * (the observable retains it). NULL: the default scheduler, looked up
     * at subscribe time. */
    rx_scheduler *sched;
    /** Mean time between readings, > 0: gaps are exponential (Poisson
     * arrivals). */
    double mean_interval_ms;
    /** Readings are base + noise * N(0, 1) ... */
    double base;
    /** ... with noise >= 0 (0: every reading is base). */
    double noise;
    /** Optional: computes readings instead of base and noise. */
    rx_sim_read_fn read;
    /** Passed to @ref read; @borrows, must outlive the observable. */
    void *ctx;
    /** After this many readings the sensor fails, at the time of the next
     * arrival; 0: never. */
    int64_t fail_after;
    /** The code of that failure; negative, required when fail_after > 0. */
    int failure_code;
    /** Seeds each subscription's generator: every subscription sees the
     * same readings at the same offsets. */
    uint64_t seed;
} rx_sim_sensor_config;

/**
 * @brief A sensor that emits readings (doubles) at random intervals,
 * forever or until it fails.
 *
 * Each subscription runs its own sensor: its generator is seeded with
 * `seed`, the first reading arrives an exponential gap after subscribing
 * and each next one an exponential gap later (arrival times are kept
 * exact and rounded to milliseconds only for scheduling, so the rounding
 * does not accumulate). A sensor cannot slow down: a reading that arrives
 * while the subscriber has no demand fails the stream with
 * #RX_EBACKPRESSURE (protocol rule 7); put rx_on_backpressure_drop(),
 * rx_on_backpressure_latest() or rx_on_backpressure_buffer() behind it to
 * choose another policy. It never completes; use rx_take() to stop.
 *
 * @verbatim
 * sensor:              --a----b-c-------d--...   (random gaps)
 * sensor, fail_after 2: --a----b-#
 * @endverbatim
 *
 * @param site assembly site; the macro passes it
 * @param cfg  the configuration, copied; @borrows
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p cfg, a
 *         scheduler other than loop or virtual, mean_interval_ms not > 0,
 * negative or non-finite noise, negative fail_after, failure_code >= 0 with
 *         fail_after > 0), #RX_ENOMEM. Subscribing fails with #RX_EINVAL
 *         when the scheduler is not usable from the subscribing thread.
 */
RX_API rx_observable *rx_sim_sensor_at(const rx_site *site,
                                       const rx_sim_sensor_config *cfg);
/** @brief See rx_sim_sensor_at(). */
#define rx_sim_sensor(cfg) rx_sim_sensor_at(RX_SITE("rx_sim_sensor"), (cfg))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_SIM_H */
