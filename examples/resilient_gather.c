/* SPDX-License-Identifier: MIT */
/*
 * resilient_gather: scatter many requests to a flaky service, gather the
 * answers, survive the failures.
 *
 * A simulated service answers after a random, long-tailed latency
 * (log-normal, median 80 ms) and fails one call in five. We send it 50
 * requests with at most 8 in flight; each request is
 *
 *   rx_defer(one call)                  a fresh call per attempt
 *   -> rx_timeout_opts(300 ms)          a slow call counts as failed
 *   -> rx_retry_opts(4 retries,         wait 50, 100, 200, 400 ms (+-20 %)
 *        exponential backoff)           between attempts
 *   -> rx_on_error_return(marker)       a request that still fails
 *                                       becomes a "failed" item instead
 *                                       of failing the whole gather
 *
 * and all of them run under rx_flat_map_opts(max_concurrent = 8). The
 * summary says how many succeeded at once, after retries, or not at all,
 * and the median and 99th-percentile latency of the successes.
 *
 * With --virtual everything runs on virtual time: instant and exactly
 * reproducible (the service and the jitter are seeded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>

enum { REQUESTS = 50, CONCURRENCY = 8 };

struct request {
    int64_t id;
    int attempts;
    uint64_t start; /* time of the first attempt */
};

static rx_sim_service *svc;
static rx_scheduler *sched;
static struct request requests[REQUESTS];

/* The service echoes the request id. */
static rx_value
echo(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(v);
}

/* One attempt: a new call each time retry subscribes again. */
static rx_observable *
attempt(void *ctx, rx_error **err)
{
    struct request *r = ctx;

    (void)err;
    if (r->attempts++ == 0) {
        r->start = rx_scheduler_now(sched);
    }
    return rx_sim_call(svc, rx_int(r->id));
}

/* One request, with its timeout, retries and failure marker. */
static rx_observable *
gather_one(rx_value v, void *ctx, rx_error **err)
{
    struct request *r = &requests[rx_as_int(v)];

    (void)ctx;
    (void)err;
    return rx_on_error_return(
        rx_retry_opts(rx_timeout_opts(rx_defer(attempt, r),
                                      &(rx_timeout_config){.first_ms = 300,
                                                           .sched = sched}),
                      &(rx_retry_config){.count = 4,
                                         .base_ms = 50,
                                         .factor = 2.0,
                                         .max_delay_ms = 1000,
                                         .jitter = 0.2,
                                         .seed = 42 + (uint64_t)r->id,
                                         .sched = sched}),
        rx_int(-1 - r->id));
}

struct summary {
    int ok_first;
    int ok_retried;
    int failed;
    uint64_t latencies[REQUESTS];
    int n;
};

static void
on_result(rx_value v, void *ctx)
{
    struct summary *s = ctx;
    int64_t id = rx_as_int(v);

    if (id < 0) {
        s->failed++;
        return;
    }
    if (requests[id].attempts == 1) {
        s->ok_first++;
    } else {
        s->ok_retried++;
    }
    s->latencies[s->n++] = rx_scheduler_now(sched) - requests[id].start;
}

static void
on_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "resilient_gather: %s\n", rx_error_message(err));
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    bool virtual_time = false;
    struct summary s;
    rx_observer obs = {.on_next = on_result, .on_error = on_error, .ctx = &s};
    rx_sim_service_config cfg;
    rx_observable *gather;
    rx_sim_service_stats st;
    uint64_t t0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Sends 50 requests to a flaky simulated service with "
                   "timeouts, retries and\nbounded concurrency, and "
                   "summarises the outcome.\n  --virtual  run on virtual "
                   "time (instant, reproducible)\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr,
                    "resilient_gather: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    memset(&s, 0, sizeof s);
    sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    memset(&cfg, 0, sizeof cfg);
    cfg.sched = sched;
    cfg.respond = echo;
    cfg.latency.kind = RX_SIM_LOGNORMAL;
    cfg.latency.median_ms = 80.0;
    cfg.latency.sigma = 0.9;
    cfg.failure_rate = 0.2;
    cfg.failure_code = RX_EUSER - 1;
    cfg.seed = 7;
    svc = rx_sim_service_new(&cfg);
    if (sched == NULL || svc == NULL) {
        fprintf(stderr, "resilient_gather: %s\n", rx_last_error_message());
        return 1;
    }
    for (int i = 0; i < REQUESTS; i++) {
        requests[i].id = i;
    }
    gather = rx_flat_map_opts(
        rx_range(0, REQUESTS),
        &(rx_flat_map_config){.fn = gather_one, .max_concurrent = CONCURRENCY});
    t0 = rx_scheduler_now(sched);
    if (gather == NULL || rx_subscribe(gather, &obs, NULL) != 0) {
        fprintf(stderr, "resilient_gather: %s\n", rx_last_error_message());
        return 1;
    }
    rx_observable_release(gather);
    if (virtual_time) {
        rx_virtual_run(sched);
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }

    st = rx_sim_service_get_stats(svc);
    qsort(s.latencies, (size_t)s.n, sizeof s.latencies[0], cmp_u64);
    printf("%d requests, at most %d in flight, in %llu ms\n", REQUESTS,
           CONCURRENCY, (unsigned long long)(rx_scheduler_now(sched) - t0));
    printf("  succeeded at once:     %d\n", s.ok_first);
    printf("  succeeded after retry: %d\n", s.ok_retried);
    printf("  failed for good:       %d\n", s.failed);
    printf("  service calls:         %lld (%lld failed, %lld timed out)\n",
           (long long)st.calls, (long long)st.failed, (long long)st.cancelled);
    printf("  most calls in flight:  %lld\n", (long long)st.max_in_flight);
    if (s.n > 0) {
        printf("  latency p50: %llu ms, p99: %llu ms\n",
               (unsigned long long)s.latencies[s.n / 2],
               (unsigned long long)s.latencies[(s.n * 99) / 100]);
    }

    rx_sim_service_release(svc);
    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "resilient_gather: resources left behind\n");
        return 1;
    }
    return 0;
}
