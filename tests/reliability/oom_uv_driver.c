/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure inside libuv (issue 6, item 3). libuv's allocator is
 * replaced with uv_replace_allocator() before libuv allocates anything,
 * so each injection point needs its own process:
 *
 *     oom_uv_driver <n> <dir> [spread]
 *
 * makes libuv's allocation n fail (once; later ones succeed), runs one
 * pipeline that touches every libuv service uvrx uses (a loop scheduler
 * and its async handle, timers, file reads and writes through the thread
 * pool, uv_queue_work through rx_offload, a listening TCP socket), and
 * checks that the failure surfaced cleanly: uv_loop_init() returning
 * UV_ENOMEM, a constructor returning NULL or rx_subscribe() a negative
 * code with the last error RX_ENOMEM, or exactly one on_error(RX_ENOMEM);
 * and that afterwards every handle closes, uv_loop_close() is 0 and
 * rx_live_objects() is 0. It prints "triggered=0" when allocation n was
 * never reached (the loop in run_oom_uv.cmake stops there). With
 * "spread", 32 file descriptors are opened after uv_loop_init(), so each
 * later handle's descriptor lies past the loop's watcher array and
 * registering it makes libuv grow the array (the second sweep).
 *
 * libuv aborts on some allocation failures instead of reporting them.
 * When that happens the SIGABRT handler prints the stack of the failed
 * allocation ("abort-site:" lines) and the process exits with code 3;
 * run_oom_uv.cmake accepts that only for the sites listed in
 * uv_abort_sites.txt.
 */
#include <execinfo.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>
#include <uvrx.h>
#include <uvrx/testkit.h>

/* ---- the failing libuv allocator ----------------------------------------- */

static atomic_long uv_count; /* libuv allocations so far */
static long uv_fail_at;      /* which one fails */
static atomic_bool uv_failed;
static void *fail_stack[32]; /* where it failed */
static atomic_int fail_depth;

static bool
uv_should_fail(void)
{
    long n = atomic_fetch_add(&uv_count, 1) + 1;

    if (n != uv_fail_at) {
        return false;
    }
    atomic_store(&fail_depth, backtrace(fail_stack, 32));
    atomic_store(&uv_failed, true);
    return true;
}

static void *
uv_t_malloc(size_t size)
{
    return uv_should_fail() ? NULL : malloc(size);
}

static void *
uv_t_realloc(void *ptr, size_t size)
{
    return uv_should_fail() ? NULL : realloc(ptr, size);
}

static void *
uv_t_calloc(size_t n, size_t size)
{
    return uv_should_fail() ? NULL : calloc(n, size);
}

static void
uv_t_free(void *ptr)
{
    free(ptr);
}

/* libuv aborted: print where the failed allocation was made. */
static void
on_abort(int sig)
{
    static const char head[] = "abort after the failed libuv allocation\n";
    int depth = atomic_load(&fail_depth);

    (void)sig;
    if (write(STDOUT_FILENO, head, sizeof head - 1) < 0) {
        _exit(4);
    }
    for (int i = 0; i < depth; i++) {
        char **sym = backtrace_symbols(&fail_stack[i], 1);
        if (sym != NULL) {
            printf("abort-site: %s\n", sym[0]);
            free(sym);
        }
    }
    fflush(stdout);
    _exit(depth > 0 ? 3 : 4);
}

/* ---- the pipeline -------------------------------------------------------- */

static rx_value
times10(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * 10);
}

static rx_value
len_of(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_is_str(v) ? (int64_t)rx_str_len(v) : -1);
}

static rx_value
line_of(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_str(rx_as_int(v) == 1 ? "a\n" : "bc\n");
}

/* The items every clean run gives, in order: the lengths of the file's
 * lines (2, 2, 3), rx_offload's 10, 20, 30, the bytes write_file wrote
 * (5), the timer's 0 through observe_on, and the TCP server's count of
 * connections (0) when the timer stops it. concat keeps the order. */
static const int64_t want[] = {2, 2, 3, 10, 20, 30, 5, 0, 0};

static rx_observable *
build(uv_loop_t *loop, rx_scheduler *sched, const char *in, const char *out)
{
    struct sockaddr_in addr;
    rx_observable *srcs[5];

    uv_ip4_addr("127.0.0.1", 0, &addr);
    srcs[0] = rx_map(rx_file_lines(loop, in), len_of, NULL);
    srcs[1] = rx_offload(rx_range(1, 3), times10, NULL, 1, loop);
    srcs[2] = rx_write_file(rx_map(rx_range(1, 2), line_of, NULL), loop, out,
                            UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC);
    srcs[3] = rx_observe_on(rx_timer(1, sched), sched, 0);
    srcs[4] = rx_count(
        rx_take_until(rx_tcp_server(loop, (const struct sockaddr *)&addr, 8),
                      rx_timer(1, sched)));
    return rx_concat_array(5, srcs);
}

/* Checks what the subscriber got: everything, or a prefix and one
 * RX_ENOMEM. Returns 0 when clean. */
static int
check(rx_test_observer *t)
{
    const rx_error *err = rx_test_error(t);
    size_t n = rx_test_count(t);
    char why[512];

    if (!rx_test_check_protocol(t, why, sizeof why)) {
        printf("protocol: %s\n", why);
        return 1;
    }
    if (n > sizeof want / sizeof want[0]) {
        printf("%zu items\n", n);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        rx_value v = rx_test_value(t, i);
        if (!rx_is_int(v) || rx_as_int(v) != want[i]) {
            printf("item %zu differs\n", i);
            return 1;
        }
    }
    if (err != NULL) {
        if (rx_error_code(err) != RX_ENOMEM || !atomic_load(&uv_failed)) {
            printf("error %s: %s\n", rx_err_name(rx_error_code(err)),
                   rx_error_message(err));
            return 1;
        }
        printf("outcome: on_error(RX_ENOMEM): %s\n", rx_error_message(err));
        return 0;
    }
    if (!rx_test_completed(t) || n != sizeof want / sizeof want[0]) {
        printf("no terminal, or not every item (%zu)\n", n);
        return 1;
    }
    printf("outcome: completed\n");
    return 0;
}

static int
run(const char *in, const char *out, bool spread)
{
    int fds[32];
    uv_loop_t loop;
    rx_scheduler *sched;
    rx_observable *o;
    rx_test_observer *t = NULL;
    int rc = uv_loop_init(&loop);
    int bad = 0;

    if (rc != 0) {
        printf("outcome: uv_loop_init: %s\n", uv_err_name(rc));
        return rc == UV_ENOMEM ? 0 : 1;
    }
    for (int i = 0; i < 32; i++) {
        fds[i] = spread ? dup(STDIN_FILENO) : -1;
    }
    sched = rx_scheduler_loop(&loop);
    o = sched != NULL ? build(&loop, sched, in, out) : NULL;
    if (o == NULL) {
        printf("outcome: NULL: %s\n", rx_last_error_message());
        bad = rx_last_error() != RX_ENOMEM;
    } else {
        t = rx_test_observer_new(RX_UNBOUNDED);
        rc = rx_test_subscribe(o, t);
        rx_observable_release(o);
        if (rc != 0) {
            printf("outcome: rx_subscribe: %s\n", rx_err_name(rc));
            bad = rc != RX_ENOMEM;
        } else {
            uv_run(&loop, UV_RUN_DEFAULT);
            bad = check(t);
        }
        rx_test_observer_free(t);
    }
    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&loop);
    if (rc != 0) {
        printf("uv_loop_close: %s\n", uv_err_name(rc));
        bad = 1;
    }
    for (int i = 0; i < 32; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    if (rx_live_objects() != 0) {
        printf("leak: %lld uvrx objects\n", (long long)rx_live_objects());
        bad = 1;
    }
    return bad;
}

int
main(int argc, char **argv)
{
    char in[512];
    char out[512];
    FILE *fp;
    void *warm[4];
    int bad;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: oom_uv_driver <n> <dir> [spread]\n");
        return 2;
    }
    /* Before anything can make libuv allocate. */
    if (uv_replace_allocator(uv_t_malloc, uv_t_realloc, uv_t_calloc,
                             uv_t_free) != 0) {
        return 2;
    }
    uv_fail_at = strtol(argv[1], NULL, 10);
    (void)backtrace(warm, 4); /* loads what backtrace() needs, now */
    signal(SIGABRT, on_abort);
    (void)snprintf(in, sizeof in, "%s/in.txt", argv[2]);
    (void)snprintf(out, sizeof out, "%s/out.txt", argv[2]);
    fp = fopen(in, "w");
    if (fp == NULL) {
        return 2;
    }
    fputs("ab\ncd\nefg", fp);
    fclose(fp);
    bad = run(in, out, argc == 4 && strcmp(argv[3], "spread") == 0);
    printf("allocations=%ld triggered=%d\n", atomic_load(&uv_count),
           atomic_load(&uv_failed) ? 1 : 0);
    return bad;
}
