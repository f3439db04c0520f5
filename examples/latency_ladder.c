/* SPDX-License-Identifier: MIT */
/*
 * latency_ladder: where the time goes when a program waits.
 *
 * From a CPU register to a request across an ocean, access times span
 * about nine orders of magnitude. This example simulates each level of
 * that ladder as a slow resource and sends it two requests, first one
 * after another (rx_concat_map) and then all at once (rx_flat_map), and
 * shows where the time goes.
 *
 * A scheduler counts milliseconds and nine orders of magnitude do not fit
 * in a few seconds, so simulated latencies are on a logarithmic scale:
 * every factor of ten in the true latency adds 60 ms. The true figures
 * are printed beside the simulated ones; they are round, typical values.
 *
 * With --virtual it runs on virtual time: instant and always the same.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <uvrx.h>

enum { LEVELS = 6, PER_LEVEL = 2 };

struct level {
    const char *name;
    double true_ns; /* a typical access time */
    const char *true_text;
};

static const struct level ladder[LEVELS] = {
    {"register", 0.3, "0.3 ns"},      {"L1 cache", 1.0, "1 ns"},
    {"main memory", 100.0, "100 ns"}, {"SSD read", 1.0e5, "100 us"},
    {"disk seek", 1.0e7, "10 ms"},    {"network RTT", 1.5e8, "150 ms"},
};

/* The simulated latency: 60 ms per factor of ten above a register. */
static double
simulated_ms(double true_ns)
{
    return 60.0 * log10(true_ns / 0.3);
}

/* Each request is its level's index; the answer is the same index. */
static rx_value
echo(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(v);
}

static rx_sim_service *services[LEVELS];

static rx_observable *
request(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_sim_call(services[rx_as_int(v)], rx_value_retain(v));
}

struct timing {
    rx_scheduler *sched;
    uint64_t start;
    uint64_t done_at[LEVELS]; /* when the level's last answer came */
    uint64_t total;
};

static void
on_answer(rx_value v, void *ctx)
{
    struct timing *t = ctx;

    t->done_at[rx_as_int(v)] = rx_scheduler_now(t->sched) - t->start;
}

static int
measure(rx_observable *pipeline, struct timing *t, bool virtual_time)
{
    rx_observer obs = {.on_next = on_answer, .ctx = t};

    t->start = rx_scheduler_now(t->sched);
    if (pipeline == NULL || rx_subscribe(pipeline, &obs, NULL) != 0) {
        fprintf(stderr, "latency_ladder: %s\n", rx_last_error_message());
        rx_observable_release(pipeline);
        return 1;
    }
    rx_observable_release(pipeline);
    if (virtual_time) {
        rx_virtual_run(t->sched);
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }
    t->total = rx_scheduler_now(t->sched) - t->start;
    return 0;
}

/* The requests: each level twice, in ladder order. */
static rx_observable *
requests(void)
{
    int64_t ids[LEVELS * PER_LEVEL];

    for (int i = 0; i < LEVELS * PER_LEVEL; i++) {
        ids[i] = i / PER_LEVEL;
    }
    return rx_from_ints(LEVELS * PER_LEVEL, ids);
}

static void
bar(uint64_t ms, uint64_t scale_ms)
{
    int n = (int)(ms * 40 / (scale_ms > 0 ? scale_ms : 1));

    for (int i = 0; i < n; i++) {
        putchar('#');
    }
}

int
main(int argc, char **argv)
{
    bool virtual_time = false;
    struct timing seq;
    struct timing par;
    rx_scheduler *sched;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Simulates the memory and I/O latency ladder on a log "
                   "time scale and\ncompares sequential with concurrent "
                   "requests.\n  --virtual  run on virtual time (instant, "
                   "exact)\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr,
                    "latency_ladder: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    if (sched == NULL) {
        fprintf(stderr, "latency_ladder: %s\n", rx_last_error_message());
        return 1;
    }
    for (int l = 0; l < LEVELS; l++) {
        rx_sim_service_config cfg = {.sched = sched, .respond = echo};
        cfg.latency.kind = RX_SIM_FIXED;
        cfg.latency.ms = round(simulated_ms(ladder[l].true_ns));
        services[l] = rx_sim_service_new(&cfg);
        if (services[l] == NULL) {
            fprintf(stderr, "latency_ladder: %s\n", rx_last_error_message());
            return 1;
        }
    }
    memset(&seq, 0, sizeof seq);
    memset(&par, 0, sizeof par);
    seq.sched = par.sched = sched;
    rc |= measure(rx_concat_map(requests(), request, NULL), &seq, virtual_time);
    rc |= measure(rx_flat_map(requests(), request, NULL), &par, virtual_time);

    printf("%-12s %9s %10s   %-10s %-10s\n", "level", "true", "simulated",
           "one by one", "all at once");
    for (int l = 0; l < LEVELS; l++) {
        printf("%-12s %9s %7.0f ms   %7llu ms %7llu ms\n", ladder[l].name,
               ladder[l].true_text, round(simulated_ms(ladder[l].true_ns)),
               (unsigned long long)seq.done_at[l],
               (unsigned long long)par.done_at[l]);
    }
    printf("\n%d requests, one after another: %llu ms\n  ", LEVELS * PER_LEVEL,
           (unsigned long long)seq.total);
    bar(seq.total, seq.total);
    printf("\n%d requests, all at once:       %llu ms\n  ", LEVELS * PER_LEVEL,
           (unsigned long long)par.total);
    bar(par.total, seq.total);
    printf("\nall at once, the total is the slowest level, not the sum.\n");

    for (int l = 0; l < LEVELS; l++) {
        rx_sim_service_release(services[l]);
    }
    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "latency_ladder: resources left behind\n");
        return 1;
    }
    return rc;
}
