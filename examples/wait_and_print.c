/* SPDX-License-Identifier: MIT */
/*
 * wait_and_print: blocking versus callbacks.
 *
 * "Wait one second, then print a message", twice, written two ways:
 *
 *   blocking  sleep, print, sleep, print: the program can do nothing else
 *             while it sleeps, and the line after the calls comes last,
 *             two seconds in;
 *   timer     ask for a callback one second from now, twice, and go on:
 *             the line after the calls comes first, at once, and both
 *             messages arrive together about a second later -- printed
 *             by the libuv loop, on the same thread, without any other
 *             thread.
 *
 * With --virtual the waits happen on virtual time: instant, with exact
 * times (the test suite runs it that way).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uvrx.h>

static rx_scheduler *sched;
static uint64_t start;
static bool virtual_time;

static void
say(const char *message)
{
    printf("  %-20s (at %4llu ms)\n", message,
           (unsigned long long)(rx_scheduler_now(sched) - start));
}

/* ---- blocking ---------------------------------------------------------- */

static void
sleep_one_second(void)
{
    if (virtual_time) {
        rx_virtual_advance_by(sched, 1000); /* nothing else can run */
    } else {
        struct timespec one = {1, 0};
        nanosleep(&one, NULL);
        uv_update_time(uv_default_loop()); /* the loop's clock moves on */
    }
}

static void
wait_and_print(const char *message)
{
    sleep_one_second();
    say(message);
}

/* ---- with a timer ------------------------------------------------------ */

static void
print_message(rx_value v, void *ctx)
{
    (void)v;
    say(ctx);
}

/* Returns at once: the message is printed by a callback a second later. */
static int
wait_and_print_async(const char *message)
{
    rx_observer printer = {.on_next = print_message, .ctx = (void *)message};
    rx_observable *timer = rx_timer(1000, sched);

    if (timer == NULL || rx_subscribe(timer, &printer, NULL) != 0) {
        fprintf(stderr, "wait_and_print: %s\n", rx_last_error_message());
        rx_observable_release(timer);
        return 1;
    }
    rx_observable_release(timer);
    return 0;
}

int
main(int argc, char **argv)
{
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Prints two messages after one second each, blocking "
                   "and then with timers.\n  --virtual  wait on virtual "
                   "time (instant, exact times)\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr,
                    "wait_and_print: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    if (sched == NULL) {
        fprintf(stderr, "wait_and_print: %s\n", rx_last_error_message());
        return 1;
    }

    printf("blocking:\n");
    start = rx_scheduler_now(sched);
    wait_and_print("First call");
    wait_and_print("Second call");
    say("After the calls");

    printf("with timers:\n");
    start = rx_scheduler_now(sched);
    rc |= wait_and_print_async("First call async");
    rc |= wait_and_print_async("Second call async");
    say("After submission");
    if (virtual_time) {
        rx_virtual_run(sched);
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT); /* until both fired */
    }

    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "wait_and_print: resources left behind\n");
        return 1;
    }
    return rc;
}
