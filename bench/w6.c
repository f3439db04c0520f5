/* SPDX-License-Identifier: MIT */
/*
 * W6: many one-shot timers.
 *
 *   raw   100,000 uv_timer_t, delays spread over 0-100 ms, each callback
 *         bumping one counter: the least libuv itself costs;
 *   uvrx  100,000 rx_timer observables with the same delays, merged by
 *         rx_merge_array into one stream counted by the subscriber.
 *
 * For each variant the program measures CPU time (user + system, from
 * getrusage) per timer, from setting the timers up to the last one
 * firing and everything being released, and the memory added per
 * pending timer (heap in use after arming all of them, minus before:
 * the raw variant's is its array of uv_timer_t).
 * Rounds alternate raw and uvrx; each figure is the median. Usage:
 * bench_w6 [rounds] [timers].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/resource.h>

#include <uvrx.h>

static int n_timers = 100000;

static double
cpu_ns(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3;
}

/* Bytes of heap in use (glibc's mallinfo2): resident memory grows only
 * in the first round, as later rounds reuse freed pages, while the heap
 * in use measures every round. */
static double
rss_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();

    return (double)mi.uordblks + (double)mi.hblkhd;
}

static uint64_t
delay_of(int i)
{
    return (uint64_t)((i * 7919) % 101); /* spread over 0..100 ms */
}

/* ---- raw libuv ------------------------------------------------------- */

static long fired;

static void
on_raw_timer(uv_timer_t *t)
{
    (void)t;
    fired++;
}

static void
run_raw(double *cpu, double *rss)
{
    double c0 = cpu_ns();
    double r0 = rss_bytes();
    uv_timer_t *timers = malloc((size_t)n_timers * sizeof *timers);

    fired = 0;
    for (int i = 0; i < n_timers; i++) {
        uv_timer_init(uv_default_loop(), &timers[i]);
        uv_timer_start(&timers[i], on_raw_timer, delay_of(i), 0);
    }
    *rss = (rss_bytes() - r0) / n_timers;
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    for (int i = 0; i < n_timers; i++) {
        uv_close((uv_handle_t *)&timers[i], NULL);
    }
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    free(timers);
    *cpu = (cpu_ns() - c0) / n_timers;
    if (fired != n_timers) {
        fprintf(stderr, "bench_w6: raw fired %ld of %d\n", fired, n_timers);
        exit(1);
    }
}

/* ---- uvrx ------------------------------------------------------------- */

static void
count(rx_value v, void *ctx)
{
    (void)v;
    (*(long *)ctx)++;
}

static void
run_uvrx(double *cpu, double *rss)
{
    rx_observable **timers;
    rx_observable *all;
    long n = 0;
    rx_observer obs = {.on_next = count, .ctx = &n};
    double c0 = cpu_ns();
    double r0 = rss_bytes();

    timers = malloc((size_t)n_timers * sizeof *timers);

    for (int i = 0; i < n_timers; i++) {
        timers[i] = rx_timer((int64_t)delay_of(i), NULL);
    }
    all = rx_merge_array((size_t)n_timers, timers, RX_UNBOUNDED);
    free(timers);
    if (all == NULL || rx_subscribe(all, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w6: %s\n", rx_last_error_message());
        exit(1);
    }
    rx_observable_release(all);
    *rss = (rss_bytes() - r0) / n_timers;
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    *cpu = (cpu_ns() - c0) / n_timers;
    if (n != n_timers) {
        fprintf(stderr, "bench_w6: uvrx counted %ld of %d\n", n, n_timers);
        exit(1);
    }
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

int
main(int argc, char **argv)
{
    enum { MAX_ROUNDS = 51 };
    double raw_cpu[MAX_ROUNDS];
    double raw_rss[MAX_ROUNDS];
    double rx_cpu[MAX_ROUNDS];
    double rx_rss[MAX_ROUNDS];
    int rounds = argc > 1 ? atoi(argv[1]) : 5;

    if (argc > 2) {
        n_timers = atoi(argv[2]);
    }
    if (rounds < 5) {
        rounds = 5;
    }
    if (rounds > MAX_ROUNDS) {
        rounds = MAX_ROUNDS;
    }
    if (n_timers < 1) {
        n_timers = 100000;
    }
    for (int r = 0; r < rounds; r++) {
        run_raw(&raw_cpu[r], &raw_rss[r]);
        run_uvrx(&rx_cpu[r], &rx_rss[r]);
    }
    {
        double rc = median(raw_cpu, rounds);
        double uc = median(rx_cpu, rounds);
        double rr = median(raw_rss, rounds);
        double ur = median(rx_rss, rounds);
        printf("RESULT workload=W6 variant=timers_cpu ns_per_timer=%.0f "
               "baseline=raw_uv_timer baseline_ns=%.0f ratio=%.2f\n",
               uc, rc, uc / rc);
        printf("RESULT workload=W6 variant=timers_mem bytes_per_timer=%.0f "
               "baseline=raw_uv_timer baseline_bytes=%.0f ratio=%.2f\n",
               ur, rr, rr > 0 ? ur / rr : 0.0);
    }
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    return rx_live_objects() == 0 ? 0 : 1;
}
