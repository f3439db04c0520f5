/* SPDX-License-Identifier: MIT */
/*
 * rx_write_stream and rx_write_file: exact bytes and totals, completion
 * only after the last write (and, for files, after closing), the
 * high-water mark bounding what is requested and held, errors with
 * libuv's codes, cancel, bad arguments and allocation failures.
 *
 * Code under test: operators/io/write_stream.c and
 * operators/io/write_file.c.
 */
#include <signal.h>
#include <sys/ioctl.h>

#include "io_test.h"

/* A pipe whose write end is a uv_pipe_t; the test reads with read(2). */
struct out_pipe {
    uv_pipe_t pipe;
    uv_file rfd; /* the read end, non-blocking; -1 once closed */
};

static void
out_open(uv_loop_t *loop, struct out_pipe *p)
{
    uv_file fds[2];

    assert_int_equal(uv_pipe(fds, UV_NONBLOCK_PIPE, 0), 0);
    assert_int_equal(uv_pipe_init(loop, &p->pipe, 0), 0);
    assert_int_equal(uv_pipe_open(&p->pipe, fds[1]), 0);
    p->rfd = fds[0];
}

/* Reads what the pipe holds now (non-blocking) into buf at *len. */
static void
out_drain(struct out_pipe *p, char *buf, size_t cap, size_t *len)
{
    for (;;) {
        ssize_t n = read(p->rfd, buf + *len, cap - *len);
        if (n <= 0) {
            return;
        }
        *len += (size_t)n;
    }
}

/* How many bytes wait in the pipe (written, not yet read). */
static size_t
out_pending(const struct out_pipe *p)
{
    int n = 0;

    assert_int_equal(ioctl(p->rfd, FIONREAD, &n), 0);
    return (size_t)n;
}

static void
out_close(struct out_pipe *p)
{
    if (p->rfd >= 0) {
        close(p->rfd);
        p->rfd = -1;
    }
    uv_close((uv_handle_t *)&p->pipe, NULL);
}

static rx_test_observer *
subscribe(rx_observable *obs, int64_t demand)
{
    rx_test_observer *t = rx_test_observer_new(demand);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static void
run_passes(uv_loop_t *loop, int n)
{
    for (int i = 0; i < n; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
}

/* Items: "ab", bytes "\0c", "" (skipped), "def". */
static rx_observable *
sample_items(void)
{
    rx_value items[] = {rx_str("ab"), rx_bytes("\0c", 2), rx_str(""),
                        rx_str("def")};

    return rx_from_values(4, items);
}

/* A source of `n` items of `size` bytes each, byte k of the whole
 * stream being (k * 7) % 251; n = 0 never ends. */
struct gen {
    size_t size;
    uint64_t n;
    uint64_t made;
    char buf[65536];
};

static void *
gen_init(void *ctx, rx_error **err)
{
    (void)err;
    return ctx;
}

static rx_value
gen_step(void *state, void *ctx, bool *done, rx_error **err)
{
    struct gen *g = state;

    (void)ctx;
    (void)err;
    if (g->n != 0 && g->made == g->n) {
        *done = true;
        return rx_nil();
    }
    for (size_t i = 0; i < g->size; i++) {
        g->buf[i] = (char)(((g->made * g->size + i) * 7) % 251);
    }
    g->made++;
    return rx_bytes(g->buf, g->size);
}

static bool
gen_check(const char *data, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (data[k] != (char)((k * 7) % 251)) {
            return false;
        }
    }
    return true;
}

struct counts {
    int64_t items;
    int cancels;
};

static void
count_item(rx_value v, void *ctx)
{
    (void)v;
    ((struct counts *)ctx)->items++;
}

static void
count_cancel(void *ctx)
{
    ((struct counts *)ctx)->cancels++;
}

/* src with its items and cancels counted into *c. */
static rx_observable *
counted(rx_observable *src, struct counts *c)
{
    rx_tap_config cfg = {
        .on_next = count_item, .on_cancel = count_cancel, .ctx = c};

    return rx_tap_opts(src, &cfg);
}

/* ---- rx_write_stream ---------------------------------------------------- */

static void
test_write_stream_writes_every_item_and_emits_the_total(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    rx_test_observer *t;
    char got[64];
    size_t len = 0;

    (void)state;
    out_open(loop, &p);
    t = subscribe(rx_write_stream(sample_items(), (uv_stream_t *)&p.pipe, 16),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    out_drain(&p, got, sizeof got, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(got, "ab\0cdef", 7);
    /* The stream is the test's: still open. */
    assert_false(uv_is_closing((uv_handle_t *)&p.pipe));
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_completes_only_after_the_last_write(void **state)
{
    enum { SIZE = 65536, N = 4 };
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    struct gen *g = calloc(1, sizeof *g);
    rx_test_observer *t;
    char *got = malloc((size_t)SIZE * N);
    size_t len = 0;

    (void)state;
    g->size = SIZE;
    g->n = N;
    out_open(loop, &p);
    t = subscribe(rx_write_stream(rx_generate(gen_init, gen_step, NULL, g),
                                  (uv_stream_t *)&p.pipe, (size_t)1024 * 1024),
                  RX_UNBOUNDED);
    /* Nobody reads: the pipe fills and writes wait. */
    run_passes(loop, 20);
    assert_true(out_pending(&p) < (size_t)SIZE * N);
    assert_rx_no_terminal(t);
    assert_rx_no_items(t);
    for (int i = 0; i < 100000 && rx_test_get_counts(t).terminals == 0; i++) {
        out_drain(&p, got, (size_t)SIZE * N, &len);
        uv_run(loop, UV_RUN_NOWAIT);
    }
    out_drain(&p, got, (size_t)SIZE * N, &len);
    assert_rx_ints(t, (int64_t)SIZE * N);
    assert_rx_completed(t);
    assert_int_equal(len, (size_t)SIZE * N);
    assert_true(gen_check(got, len));
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
    free(got);
    free(g);
}

static void
test_write_stream_requests_only_below_the_high_water_mark(void **state)
{
    enum { ITEM = 1024, HIGH = 8 * 1024 };
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    struct gen *g = calloc(1, sizeof *g);
    struct counts c = {0};
    rx_test_observer *t;
    size_t queued;
    int64_t items;

    (void)state;
    g->size = ITEM; /* never ends */
    out_open(loop, &p);
    t = subscribe(
        rx_write_stream(counted(rx_generate(gen_init, gen_step, NULL, g), &c),
                        (uv_stream_t *)&p.pipe, HIGH),
        RX_UNBOUNDED);
    run_passes(loop, 50);
    /* The kernel took what the pipe holds; libuv holds the rest, which
     * the sink keeps below the high-water mark plus one item. */
    queued = uv_stream_get_write_queue_size((uv_stream_t *)&p.pipe);
    assert_int_equal((size_t)c.items * ITEM, out_pending(&p) + queued);
    assert_true(queued > 0);
    assert_true(queued < HIGH + ITEM);
    items = c.items;
    run_passes(loop, 50);
    assert_int_equal(c.items, items); /* stalled: nothing more requested */
    assert_rx_no_terminal(t);
    rx_test_dispose(t);
    assert_int_equal(c.cancels, 1);
    /* Writes still queued in libuv end when the test closes its pipe. */
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
    free(g);
}

static void
test_write_stream_rejects_items_that_are_not_strings_or_bytes(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    struct counts c = {0};
    rx_test_observer *t;

    (void)state;
    out_open(loop, &p);
    t = subscribe(rx_write_stream(counted(rx_of_ints(1, 2), &c),
                                  (uv_stream_t *)&p.pipe, 16),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, RX_EINVAL, "rx_write_stream: an item must be");
    assert_int_equal(c.items, 1);
    assert_int_equal(c.cancels, 1);
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_reports_a_write_error(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    rx_test_observer *t;

    (void)state;
    out_open(loop, &p);
    close(p.rfd); /* no reader: writes fail with EPIPE */
    p.rfd = -1;
    t = subscribe(rx_write_stream(sample_items(), (uv_stream_t *)&p.pipe, 16),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, UV_EPIPE, "rx_write_stream: cannot write to pipe");
    assert_rx_no_items(t);
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_passes_an_upstream_error_on(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    rx_test_observer *t;

    (void)state;
    out_open(loop, &p);
    t = subscribe(rx_write_stream(rx_throw(rx_error_new(RX_T_EUSER, "boom")),
                                  (uv_stream_t *)&p.pipe, 16),
                  RX_UNBOUNDED);
    io_assert_error(t, RX_T_EUSER, "boom");
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_cancel_cancels_the_upstream(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    struct counts c = {0};
    rx_test_observer *t;

    (void)state;
    out_open(loop, &p);
    t = subscribe(
        rx_write_stream(counted(rx_never(), &c), (uv_stream_t *)&p.pipe, 16),
        RX_UNBOUNDED);
    rx_test_cancel(t);
    assert_int_equal(c.cancels, 1);
    rx_test_cancel(t); /* idempotent */
    assert_int_equal(c.cancels, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_rejects_bad_arguments(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;

    (void)state;
    out_open(loop, &p);
    assert_null(rx_range(0, -1)); /* an earlier failure */
    assert_null(rx_write_stream(NULL, (uv_stream_t *)&p.pipe, 16));
    assert_non_null(strstr(rx_last_error_message(), "rx_range")); /* kept */
    assert_rx_fails(rx_write_stream(rx_empty(), NULL, 16), RX_EINVAL,
                    "rx_write_stream: stream");
    assert_rx_fails(rx_write_stream(rx_empty(), (uv_stream_t *)&p.pipe, 0),
                    RX_EINVAL, "rx_write_stream: high_water");
    out_close(&p);
    io_loop_end(loop);
}

static void
stream_oom_scenario(bool failed, void *ctx)
{
    uv_loop_t *loop = io_loop_new();
    struct out_pipe p;
    rx_observable *o;
    rx_test_observer *t = NULL;
    char got[64];
    size_t len = 0;

    (void)ctx;
    out_open(loop, &p);
    o = rx_write_stream(sample_items(), (uv_stream_t *)&p.pipe, 4);
    if (o != NULL) {
        t = rx_test_observer_new(RX_UNBOUNDED);
    }
    if (o == NULL || t == NULL || rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        uv_run(loop, UV_RUN_DEFAULT);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_rx_ints(t, 7);
            assert_rx_completed(t);
            out_drain(&p, got, sizeof got, &len);
            assert_memory_equal(got, "ab\0cdef", 7);
        }
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    out_close(&p);
    io_loop_end(loop);
}

static void
test_write_stream_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(stream_oom_scenario, NULL) > 8);
}

/* ---- rx_write_file ------------------------------------------------------ */

#define WFLAGS (UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC)

struct fd_probe {
    int baseline;
    int at_end; /* descriptors open inside the terminal callback */
    rx_test_observer *t;
};

static void
test_write_file_writes_items_in_order_and_emits_the_total(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    size_t len;
    char *got;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(sample_items(), loop, p, WFLAGS), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    got = io_read(p, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(got, "ab\0cdef", 7);
    free(got);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
probe_on_next(rx_value v, void *ctx)
{
    (void)v;
    (void)ctx;
}

static void
probe_on_complete(void *ctx)
{
    ((struct fd_probe *)ctx)->at_end = io_open_fds();
}

static void
probe_on_error(const rx_error *err, void *ctx)
{
    (void)err;
    probe_on_complete(ctx);
}

static void
test_write_file_closes_the_file_before_completing(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct fd_probe pr = {0};
    rx_observable *o;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    pr.baseline = io_open_fds();
    pr.at_end = -1;
    o = rx_write_file(sample_items(), loop, p, WFLAGS);
    assert_int_equal(
        rx_subscribe(o,
                     &(rx_observer){.on_next = probe_on_next,
                                    .on_error = probe_on_error,
                                    .on_complete = probe_on_complete,
                                    .ctx = &pr},
                     NULL),
        0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(pr.at_end, pr.baseline);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_appends_with_the_append_flag(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    size_t len;
    char *got;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "log", p, sizeof p), "start;", 6);
    t = subscribe(
        rx_write_file(sample_items(), loop, p, UV_FS_O_WRONLY | UV_FS_O_APPEND),
        RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    got = io_read(p, &len);
    assert_int_equal(len, 13);
    assert_memory_equal(got, "start;ab\0cdef", 13);
    free(got);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_of_an_empty_source_creates_an_empty_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    struct stat sb;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "empty", p, sizeof p);
    t = subscribe(rx_write_file(rx_empty(), loop, p, WFLAGS), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 0);
    assert_rx_completed(t);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_waits_for_demand_to_emit_the_total(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(sample_items(), loop, p, WFLAGS), 0);
    uv_run(loop, UV_RUN_DEFAULT); /* written and closed, total held */
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_reports_a_missing_folder_with_its_path(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct counts c = {0};
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "no/such/file", p, sizeof p);
    t = subscribe(rx_write_file(counted(sample_items(), &c), loop, p, WFLAGS),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, UV_ENOENT, p);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_write_file: cannot open"));
    assert_rx_no_items(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_rejects_items_that_are_not_strings_or_bytes(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct counts c = {0};
    rx_test_observer *t;
    int baseline = io_open_fds();

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(counted(rx_of_ints(1, 2), &c), loop, p, WFLAGS),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, RX_EINVAL, "rx_write_file: an item must be");
    assert_int_equal(c.cancels, 1);
    assert_int_equal(io_open_fds(), baseline);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_passes_an_upstream_error_on_after_closing(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    int baseline = io_open_fds();

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(rx_throw(rx_error_new(RX_T_EUSER, "boom")),
                                loop, p, WFLAGS),
                  RX_UNBOUNDED);
    assert_rx_no_terminal(t); /* the file is being opened */
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, RX_T_EUSER, "boom");
    assert_int_equal(io_open_fds(), baseline);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_cancel_closes_the_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct counts c = {0};
    rx_test_observer *t;
    int baseline = io_open_fds();

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(counted(rx_never(), &c), loop, p, WFLAGS),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT); /* opened; waits for items */
    assert_int_equal(io_open_fds(), baseline + 1);
    rx_test_cancel(t);
    assert_int_equal(c.cancels, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_write_file_holds_at_most_the_high_water_mark(void **state)
{
    enum { ITEM = 4096, N = 1024 }; /* 4 MiB */
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct gen *g = calloc(1, sizeof *g);
    rx_test_observer *t;
    size_t len;
    char *got;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "big", p, sizeof p);
    g->size = ITEM;
    g->n = N;
    io_track_start();
    t = subscribe(rx_write_file(rx_generate(gen_init, gen_step, NULL, g), loop,
                                p, WFLAGS),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, (int64_t)ITEM * N);
    assert_rx_completed(t);
    /* Queued items stay below RX_IO_CHUNK_SIZE plus one item; the rest
     * is the pipeline, the recorder and the loop scheduler. */
    if (io_track()->peak > RX_IO_CHUNK_SIZE + ITEM + 32 * 1024) {
        fail_msg("uvrx held up to %zu bytes", io_track()->peak);
    }
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_track_stop();
    got = io_read(p, &len);
    assert_int_equal(len, (size_t)ITEM * N);
    assert_true(gen_check(got, len));
    free(got);
    free(g);
    io_dir_remove(&d);
}

static void
test_write_file_rejects_bad_arguments(void **state)
{
    uv_loop_t *loop = io_loop_new();

    (void)state;
    assert_null(rx_range(0, -1)); /* an earlier failure */
    assert_null(rx_write_file(NULL, loop, "/tmp/x", WFLAGS));
    assert_non_null(strstr(rx_last_error_message(), "rx_range")); /* kept */
    assert_rx_fails(rx_write_file(rx_empty(), NULL, "/tmp/x", WFLAGS),
                    RX_EINVAL, "rx_write_file: loop");
    assert_rx_fails(rx_write_file(rx_empty(), loop, NULL, WFLAGS), RX_EINVAL,
                    "rx_write_file: path");
    assert_rx_fails(rx_write_file(rx_empty(), loop, "/tmp/x", UV_FS_O_RDONLY),
                    RX_EINVAL, "rx_write_file: flags");
    io_loop_end(loop);
}

static void
file_oom_scenario(bool failed, void *ctx)
{
    const char *path = ctx;
    uv_loop_t *loop = io_loop_new();
    rx_observable *o;
    rx_test_observer *t = NULL;
    size_t len;
    char *got;

    o = rx_write_file(sample_items(), loop, path, WFLAGS);
    if (o != NULL) {
        t = rx_test_observer_new(RX_UNBOUNDED);
    }
    if (o == NULL || t == NULL || rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        uv_run(loop, UV_RUN_DEFAULT);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_rx_ints(t, 7);
            assert_rx_completed(t);
            got = io_read(path, &len);
            assert_int_equal(len, 7);
            assert_memory_equal(got, "ab\0cdef", 7);
            free(got);
        }
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    io_loop_end(loop);
}

static void
test_write_file_survives_allocation_failures(void **state)
{
    struct io_dir d;
    char p[128];

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    assert_true(rx_oom_sweep(file_oom_scenario, p) > 8);
    io_dir_remove(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_write_stream_writes_every_item_and_emits_the_total),
        rx_unit_test(test_write_stream_completes_only_after_the_last_write),
        rx_unit_test(test_write_stream_requests_only_below_the_high_water_mark),
        rx_unit_test(
            test_write_stream_rejects_items_that_are_not_strings_or_bytes),
        rx_unit_test(test_write_stream_reports_a_write_error),
        rx_unit_test(test_write_stream_passes_an_upstream_error_on),
        rx_unit_test(test_write_stream_cancel_cancels_the_upstream),
        rx_unit_test(test_write_stream_rejects_bad_arguments),
        rx_unit_test(test_write_stream_survives_allocation_failures),
        rx_unit_test(test_write_file_writes_items_in_order_and_emits_the_total),
        rx_unit_test(test_write_file_closes_the_file_before_completing),
        rx_unit_test(test_write_file_appends_with_the_append_flag),
        rx_unit_test(test_write_file_of_an_empty_source_creates_an_empty_file),
        rx_unit_test(test_write_file_waits_for_demand_to_emit_the_total),
        rx_unit_test(test_write_file_reports_a_missing_folder_with_its_path),
        rx_unit_test(
            test_write_file_rejects_items_that_are_not_strings_or_bytes),
        rx_unit_test(test_write_file_passes_an_upstream_error_on_after_closing),
        rx_unit_test(test_write_file_cancel_closes_the_file),
        rx_unit_test(test_write_file_holds_at_most_the_high_water_mark),
        rx_unit_test(test_write_file_rejects_bad_arguments),
        rx_unit_test(test_write_file_survives_allocation_failures),
    };

    /* A write to a pipe without a reader must fail with EPIPE, not kill
     * the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
