/* SPDX-License-Identifier: MIT */
/*
 * W7: a real thread hop with backpressure.
 *
 *   uvrx  range(0, N) -> subscribe_on(pool of 1) -> observe_on(the loop
 *         scheduler of this thread) -> count: the range runs on a pool
 *         worker, the count on this thread's loop, the items cross through
 *         observe_on's ring with prefetch and replenishment;
 *   ring  the same N integers through a hand-written batched
 *         single-producer/single-consumer ring between two threads (a
 *         producer thread and this one), each side publishing its index
 *         once per batch and spinning (with sched_yield) when the ring is
 *         full or empty: the least a hop between two threads can cost.
 *
 * The uvrx pipeline runs three times per round: with observe_on's
 * default prefetch (128), as the workload is specified; with a prefetch
 * of 8192; and with the default prefetch and both loops spinning up to
 * 50 us before they block (rx_scheduler_set_spin), as the ring spins. With 128
 * items in flight the two threads park and wake each other once per
 * replenishment (96 items), so that figure measures the wake-up latency of the
 * machine; with 8192 the producer keeps working while the consumer drains,
 * which is what the ring does. The spinning variant waits the way the
 * ring's threads do, so it is the one held to the target (<= 8x the
 * ring; docs/design/thread-hops.md has the figures and why the default
 * schedulers do not spin).
 *
 * Prints one RESULT line per uvrx variant against the ring, each figure
 * the median of the interleaved rounds. Cross-core timings swing between
 * runs: compare the ratios within one run. Usage: bench_w7 [rounds] [n].
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <uvrx.h>

static int64_t n_items = 10000000;

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the hand-written ring ---------------------------------------------- */

enum { RING_CAP = 1024, RING_BATCH = 128 };

struct ring {
    int64_t buf[RING_CAP];
    char pad0[64];
    atomic_size_t tail; /* published by the producer */
    char pad1[64];
    atomic_size_t head; /* published by the consumer */
    char pad2[64];
};

static struct ring ring;

static void
ring_producer(void *arg)
{
    size_t tail = 0;
    size_t head = 0;
    int64_t i = 0;

    (void)arg;
    while (i < n_items) {
        size_t room = RING_CAP - (tail - head);
        size_t k;
        if (room == 0) {
            head = atomic_load_explicit(&ring.head, memory_order_acquire);
            if (RING_CAP - (tail - head) == 0) {
                sched_yield();
            }
            continue;
        }
        if (room > RING_BATCH) {
            room = RING_BATCH;
        }
        for (k = 0; k < room && i < n_items; k++, i++) {
            ring.buf[(tail + k) & (RING_CAP - 1)] = i;
        }
        tail += k;
        atomic_store_explicit(&ring.tail, tail, memory_order_release);
    }
}

static int64_t
run_ring(void)
{
    uv_thread_t tid;
    size_t head = 0;
    int64_t count = 0;
    int64_t expect = 0;

    atomic_store(&ring.tail, 0);
    atomic_store(&ring.head, 0);
    uv_thread_create(&tid, ring_producer, NULL);
    while (count < n_items) {
        size_t tail = atomic_load_explicit(&ring.tail, memory_order_acquire);
        if (tail == head) {
            sched_yield();
            continue;
        }
        for (; head != tail; head++) {
            int64_t v = ring.buf[head & (RING_CAP - 1)];
            count += v == expect; /* consume the value: it must be the next */
            expect++;
        }
        atomic_store_explicit(&ring.head, head, memory_order_release);
    }
    uv_thread_join(&tid);
    return count;
}

/* ---- uvrx -------------------------------------------------------------- */

struct result {
    int64_t count;
    bool done;
};

static void
on_count(rx_value v, void *ctx)
{
    ((struct result *)ctx)->count = rx_as_int(v);
}

static void
on_complete(void *ctx)
{
    ((struct result *)ctx)->done = true;
}

static uv_loop_t loop;
static rx_scheduler *loop_sched;
static rx_scheduler *pool;

static int64_t
run_uvrx_with(int64_t prefetch)
{
    struct result r = {-1, false};
    rx_observable *o = rx_count(rx_observe_on(
        rx_subscribe_on(rx_range(0, n_items), pool), loop_sched, prefetch));
    rx_observer obs = {
        .on_next = on_count, .on_complete = on_complete, .ctx = &r};

    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w7: %s\n", rx_last_error_message());
        exit(1);
    }
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT); /* until observe_on let the loop go */
    return r.done ? r.count : -1;
}

static int64_t
run_uvrx(void)
{
    return run_uvrx_with(0); /* the default prefetch, 128 */
}

static int64_t
run_uvrx_8192(void)
{
    return run_uvrx_with(8192);
}

/* The default prefetch, both loops spinning up to 50 us for the other
 * side's next batch before they block (rx_scheduler_set_spin), as the
 * ring's two threads spin. */
static int64_t
run_uvrx_spin(void)
{
    int64_t got;

    if (rx_scheduler_set_spin(loop_sched, 50) != 0 ||
        rx_scheduler_set_spin(pool, 50) != 0) {
        fprintf(stderr, "bench_w7: %s\n", rx_last_error_message());
        exit(1);
    }
    got = run_uvrx_with(0);
    rx_scheduler_set_spin(loop_sched, 0);
    rx_scheduler_set_spin(pool, 0);
    return got;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

enum { VARIANTS = 4, MAX_ROUNDS = 101 };

int
main(int argc, char **argv)
{
    static const char *const names[VARIANTS] = {
        "ring", "uvrx", "uvrx_prefetch8192", "uvrx_spin50us"};
    int64_t (*const fns[VARIANTS])(void) = {run_ring, run_uvrx, run_uvrx_8192,
                                            run_uvrx_spin};
    double ns[VARIANTS][MAX_ROUNDS];
    double med[VARIANTS];
    int rounds = argc > 1 ? atoi(argv[1]) : 5;

    if (argc > 2) {
        n_items = atoll(argv[2]);
    }
    if (rounds < 5) {
        rounds = 5;
    }
    if (rounds > MAX_ROUNDS) {
        rounds = MAX_ROUNDS;
    }
    if (uv_loop_init(&loop) != 0) {
        return 1;
    }
    loop_sched = rx_scheduler_loop(&loop);
    pool = rx_scheduler_pool(1);
    if (loop_sched == NULL || pool == NULL) {
        fprintf(stderr, "bench_w7: %s\n", rx_last_error_message());
        return 1;
    }
    for (int r = 0; r < rounds; r++) {
        for (int v = 0; v < VARIANTS; v++) {
            double t0 = now_ns();
            int64_t got = fns[v]();
            ns[v][r] = (now_ns() - t0) / (double)n_items;
            if (got != n_items) {
                fprintf(stderr, "bench_w7: %s counted %lld, expected %lld\n",
                        names[v], (long long)got, (long long)n_items);
                return 1;
            }
        }
    }
    for (int v = 0; v < VARIANTS; v++) {
        qsort(ns[v], (size_t)rounds, sizeof ns[v][0], cmp_double);
        med[v] = ns[v][rounds / 2];
    }
    for (int v = 1; v < VARIANTS; v++) {
        printf("RESULT workload=W7 variant=%s ns_per_elem=%.3f baseline=ring "
               "baseline_ns=%.3f ratio=%.2f\n",
               names[v], med[v], med[0], med[v] / med[0]);
    }
    rx_scheduler_release(pool);
    rx_scheduler_release(loop_sched);
    rx_shutdown();
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        return 1;
    }
    return rx_live_objects() == 0 ? 0 : 1;
}
