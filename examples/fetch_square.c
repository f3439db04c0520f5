/* SPDX-License-Identifier: MIT */
/*
 * fetch_square: why asynchronous pipelines pay off when resources are
 * slow.
 *
 * A simulated network service squares a number and answers after one
 * second. We ask it for the squares of 2, 3 and 4 twice:
 *
 *   1. one request after the other (rx_concat_map): each request waits
 *      for the previous answer, so the three take about three seconds;
 *   2. all requests at once (rx_flat_map): the three waits overlap, so
 *      they take about one second -- on one thread, with no locks.
 *
 * The program itself never blocks: the libuv loop sleeps in the kernel
 * until the next answer is due, and uvrx calls us back with it.
 *
 * With --virtual the same pipelines run on virtual time: the clock jumps
 * from one due answer to the next, so the run is instant and the printed
 * times are exact (the test suite runs it that way).
 */
#include <stdio.h>
#include <string.h>

#include <uvrx.h>

/* The service's work: square the request. */
static rx_value
square(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * rx_as_int(v));
}

/* One request to the service per item; ctx is the service. */
static rx_observable *
fetch(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_sim_call(ctx, rx_value_retain(v));
}

struct run {
    rx_scheduler *sched;
    uint64_t start;
    int failed;
};

static void
print_result(rx_value v, void *ctx)
{
    const struct run *r = ctx;

    printf("  result is %lld (after %llu ms)\n", (long long)rx_as_int(v),
           (unsigned long long)(rx_scheduler_now(r->sched) - r->start));
}

static void
print_error(const rx_error *err, void *ctx)
{
    struct run *r = ctx;

    r->failed = 1;
    fprintf(stderr, "  request failed: %s\n", rx_error_message(err));
}

/* Runs one pipeline to its end and prints how long it took. */
static int
run(const char *label, rx_observable *pipeline, rx_scheduler *sched,
    bool virtual_time)
{
    struct run r = {sched, rx_scheduler_now(sched), 0};
    rx_observer printer = {
        .on_next = print_result, .on_error = print_error, .ctx = &r};

    if (pipeline == NULL) {
        fprintf(stderr, "fetch_square: %s\n", rx_last_error_message());
        return 1;
    }
    printf("%s:\n", label);
    if (rx_subscribe(pipeline, &printer, NULL) != 0) {
        fprintf(stderr, "fetch_square: %s\n", rx_last_error_message());
        rx_observable_release(pipeline);
        return 1;
    }
    rx_observable_release(pipeline);
    if (virtual_time) {
        rx_virtual_run(sched); /* jump from one due answer to the next */
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT); /* until all answered */
    }
    printf("  took %.1f s\n",
           (double)(rx_scheduler_now(sched) - r.start) / 1000.0);
    return r.failed;
}

int
main(int argc, char **argv)
{
    bool virtual_time = false;
    rx_scheduler *sched;
    rx_sim_service *svc;
    rx_sim_service_config cfg;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Asks a simulated 1-second service for the squares of "
                   "2, 3 and 4,\none request after another and then all "
                   "at once.\n  --virtual  run on virtual time (instant, "
                   "exact times)\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr, "fetch_square: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }

    sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    memset(&cfg, 0, sizeof cfg);
    cfg.sched = sched;
    cfg.respond = square;
    cfg.latency.kind = RX_SIM_FIXED;
    cfg.latency.ms = 1000;
    cfg.seed = 1;
    svc = rx_sim_service_new(&cfg);
    if (sched == NULL || svc == NULL) {
        fprintf(stderr, "fetch_square: %s\n", rx_last_error_message());
        return 1;
    }

    rc = run("one request after another",
             rx_concat_map(rx_of_ints(2, 3, 4), fetch, svc), sched,
             virtual_time);
    rc |=
        run("all requests at once",
            rx_flat_map(rx_of_ints(2, 3, 4), fetch, svc), sched, virtual_time);

    rx_sim_service_release(svc);
    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT); /* let handles close */
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "fetch_square: resources left behind\n");
        return 1;
    }
    return rc;
}
