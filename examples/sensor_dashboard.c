/* SPDX-License-Identifier: MIT */
/*
 * sensor_dashboard: many slow, irregular sources watched as one stream.
 *
 * Three simulated temperature sensors report at random moments (Poisson
 * arrivals, a few readings a second each). The pipeline tags each reading
 * with its sensor, merges the three streams, cuts the merged stream into
 * half-second windows with rx_buffer_time, and for each window prints
 * every sensor's average and a sparkline of its recent averages; an
 * average above the alert threshold raises an alert line.
 *
 *   sensor A --map(tag A)--\
 *   sensor B --map(tag B)---merge--buffer_time(500 ms)--take(12)--> print
 *   sensor C --map(tag C)--/
 *
 * On a terminal the chart redraws in place; otherwise (a pipe, a file,
 * the test suite) each window is one plain line. With --virtual the run
 * is on virtual time: instant and always the same.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uvrx.h>

enum { NSENSORS = 3, WINDOWS = 12, HISTORY = 24 };

static const char *const names[NSENSORS] = {"A", "B", "C"};
static const double alert_threshold = 26.0;

/* A slow drift plus noise, different per sensor. */
static double
read_temperature(int64_t index, rx_sim_rng *rng, void *ctx)
{
    double base = *(const double *)ctx;

    return base + 2.5 * sin((double)index / 6.0) + 0.4 * rx_sim_rng_normal(rng);
}

/* Turns a reading into the pair [sensor index, reading]. */
static rx_value
tag(rx_value v, void *ctx, rx_error **err)
{
    rx_value pair[2];

    (void)err;
    pair[0] = rx_int(*(const int64_t *)ctx);
    pair[1] = v;
    return rx_array(2, pair);
}

struct dashboard {
    rx_scheduler *sched;
    uint64_t start;
    bool tty;
    int windows;
    double history[NSENSORS][HISTORY];
    int nhistory;
};

static void
sparkline(const double *h, int n, char *out, size_t cap)
{
    static const char *const bars[] = {"_", ".", "-", "~", "=", "*", "#"};
    double lo = h[0];
    double hi = h[0];
    size_t used = 0;

    for (int i = 1; i < n; i++) {
        lo = h[i] < lo ? h[i] : lo;
        hi = h[i] > hi ? h[i] : hi;
    }
    out[0] = '\0';
    for (int i = 0; i < n && used + 2 < cap; i++) {
        int b = hi > lo ? (int)((h[i] - lo) / (hi - lo) * 6.0 + 0.5) : 3;
        used += (size_t)snprintf(out + used, cap - used, "%s", bars[b]);
    }
}

/* One window: an array of [sensor, reading] pairs. */
static void
on_window(rx_value window, void *ctx)
{
    struct dashboard *d = ctx;
    double sum[NSENSORS] = {0};
    int count[NSENSORS] = {0};
    double seconds = (double)(rx_scheduler_now(d->sched) - d->start) / 1000.0;

    for (size_t i = 0; i < rx_array_len(window); i++) {
        rx_value pair = rx_array_at(window, i);
        int64_t s = rx_as_int(rx_array_at(pair, 0));
        sum[s] += rx_as_double(rx_array_at(pair, 1));
        count[s]++;
    }
    if (d->nhistory == HISTORY) {
        for (int s = 0; s < NSENSORS; s++) {
            memmove(d->history[s], d->history[s] + 1,
                    (HISTORY - 1) * sizeof(double));
        }
        d->nhistory--;
    }
    if (d->tty && d->windows > 0) {
        printf("\033[%dA", NSENSORS + 1); /* back to the chart's top */
    }
    printf("%s%5.1f s:\n", d->tty ? "\033[2K" : "", seconds);
    for (int s = 0; s < NSENSORS; s++) {
        double avg =
            count[s] > 0
                ? sum[s] / count[s]
                : (d->nhistory > 0 ? d->history[s][d->nhistory - 1] : 0.0);
        char line[HISTORY * 2 + 1];
        d->history[s][d->nhistory] = avg;
        sparkline(d->history[s], d->nhistory + 1, line, sizeof line);
        printf("%s  %s %5.1f C  n=%-2d %s\n", d->tty ? "\033[2K" : "", names[s],
               avg, count[s], line);
    }
    d->nhistory++;
    d->windows++;
    for (int s = 0; s < NSENSORS; s++) {
        if (count[s] > 0 && sum[s] / count[s] > alert_threshold) {
            /* On a terminal the alert scrolls up with the chart. */
            printf("%sALERT: sensor %s averaged %.1f C (> %.1f) at %.1f s\n",
                   d->tty ? "\033[2K" : "", names[s], sum[s] / count[s],
                   alert_threshold, seconds);
            if (d->tty) {
                d->windows = 0; /* start a fresh chart below the alert */
            }
        }
    }
}

static void
on_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "sensor_dashboard: %s\n", rx_error_message(err));
}

int
main(int argc, char **argv)
{
    static const double bases[NSENSORS] = {20.0, 22.0, 24.0};
    static const int64_t ids[NSENSORS] = {0, 1, 2};
    bool virtual_time = false;
    struct dashboard d;
    rx_observable *tagged[NSENSORS];
    rx_observable *dashboard;
    rx_observer printer = {
        .on_next = on_window, .on_error = on_error, .ctx = &d};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Merges three simulated sensors, averages them every "
                   "half second and\nraises alerts above %.1f C.\n"
                   "  --virtual  run on virtual time (instant, "
                   "reproducible)\n",
                   argv[0], alert_threshold);
            return 0;
        } else {
            fprintf(stderr,
                    "sensor_dashboard: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    memset(&d, 0, sizeof d);
    d.sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    d.tty = !virtual_time && isatty(STDOUT_FILENO);
    if (d.sched == NULL) {
        fprintf(stderr, "sensor_dashboard: %s\n", rx_last_error_message());
        return 1;
    }
    for (int s = 0; s < NSENSORS; s++) {
        rx_sim_sensor_config cfg = {
            .sched = d.sched,
            .mean_interval_ms = 150.0,
            .read = read_temperature,
            .ctx = (void *)&bases[s],
            .seed = 100 + (uint64_t)s,
        };
        tagged[s] = rx_map(rx_sim_sensor(&cfg), tag, (void *)&ids[s]);
    }
    dashboard =
        rx_take(rx_buffer_time(rx_merge_array(NSENSORS, tagged, RX_UNBOUNDED),
                               500, d.sched),
                WINDOWS);
    d.start = rx_scheduler_now(d.sched);
    if (dashboard == NULL || rx_subscribe(dashboard, &printer, NULL) != 0) {
        fprintf(stderr, "sensor_dashboard: %s\n", rx_last_error_message());
        rx_observable_release(dashboard);
        rx_scheduler_release(d.sched);
        return 1;
    }
    rx_observable_release(dashboard);
    if (virtual_time) {
        rx_virtual_run(d.sched);
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }
    rx_scheduler_release(d.sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "sensor_dashboard: resources left behind\n");
        return 1;
    }
    return 0;
}
