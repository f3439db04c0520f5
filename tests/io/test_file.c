/* SPDX-License-Identifier: MIT */
/*
 * rx_file_chunks and rx_file_lines on real files in a temporary folder:
 * exact content, demand, errors with libuv's codes and the path, cancel
 * closing the file, and allocation failures.
 *
 * Code under test: operators/io/file_read.c, operators/io/fs_file.c (the
 * file block) and operators/io/common.c.
 */
#include "io_test.h"

/* Subscribes a test observer with `demand` to obs (released here). */
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

/* ---- rx_file_chunks --------------------------------------------------- */

static void
test_file_chunks_emits_the_file_in_chunks_of_the_given_size(void **state)
{
    static const char *const want[] = {"abc", "def", "g"};
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "abcdefg", 7);
    t = subscribe(rx_file_chunks(loop, p, 3), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t, want, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_reads_only_as_far_as_demand(void **state)
{
    static const char *const want[] = {"ab", "cd", "ef"};
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "abcdef", 6);
    t = subscribe(rx_file_chunks(loop, p, 2), 1);
    /* The loop runs dry after one chunk: no read is pending without
     * demand (a pending read would keep uv_run going). */
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t, want, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(uv_loop_alive(loop), 0);
    rx_test_request(t, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t, want, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t, want, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_of_an_empty_file_completes_without_items(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "empty", p, sizeof p), "", 0);
    t = subscribe(rx_file_chunks(loop, p, 16), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

struct fd_probe {
    int baseline; /* descriptors open before subscribing */
    int at_end;   /* descriptors open inside the terminal callback */
    bool done;
};

static void
probe_on_next(rx_value v, void *ctx)
{
    (void)v;
    (void)ctx;
}

static void
probe_on_complete(void *ctx)
{
    struct fd_probe *pr = ctx;

    pr->at_end = io_open_fds();
    pr->done = true;
}

static void
probe_on_error(const rx_error *err, void *ctx)
{
    (void)err;
    probe_on_complete(ctx);
}

static void
test_file_chunks_closes_the_file_before_completing(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    struct fd_probe pr = {0};
    rx_observable *o;
    rx_observer obs = {.on_next = probe_on_next,
                       .on_error = probe_on_error,
                       .on_complete = probe_on_complete,
                       .ctx = &pr};

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "0123456789", 10);
    pr.baseline = io_open_fds();
    o = rx_file_chunks(loop, p, 4);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_true(pr.done);
    assert_int_equal(pr.at_end, pr.baseline);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_reports_a_missing_file_with_its_path(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "missing.txt", p, sizeof p);
    t = subscribe(rx_file_chunks(loop, p, 16), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    io_assert_error(t, UV_ENOENT, p);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_file_chunks"));
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_reports_a_read_error_with_its_path(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    rx_test_observer *t;
    int baseline = io_open_fds();

    (void)state;
    io_dir_make(&d);
    /* A folder opens read-only but cannot be read: EISDIR from the read,
     * after which the file is closed. */
    t = subscribe(rx_file_chunks(loop, d.path, 16), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    io_assert_error(t, UV_EISDIR, d.path);
    assert_int_equal(io_open_fds(), baseline);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_reports_a_permission_error(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "secret", p, sizeof p), "x", 1);
    assert_int_equal(chmod(p, 0), 0);
    t = subscribe(rx_file_chunks(loop, p, 16), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    if (geteuid() == 0) {
        /* root reads anything: the permission check cannot fail. */
        assert_rx_completed(t);
    } else {
        assert_rx_no_items(t);
        io_assert_error(t, UV_EACCES, p);
    }
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_cancel_closes_the_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    int baseline;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "0123456789", 10);
    baseline = io_open_fds();
    t = subscribe(rx_file_chunks(loop, p, 2), 1);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 1);
    assert_int_equal(io_open_fds(), baseline + 1); /* open, idle */
    rx_test_cancel(t);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_int_equal(rx_test_count(t), 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_cancel_while_opening_closes_the_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    int baseline;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "0123456789", 10);
    baseline = io_open_fds();
    t = subscribe(rx_file_chunks(loop, p, 2), RX_UNBOUNDED);
    rx_test_cancel(t); /* the open is in flight */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_dispose_during_a_read_frees_everything(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    int baseline;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "0123456789", 10);
    baseline = io_open_fds();
    t = subscribe(rx_file_chunks(loop, p, 2), 1);
    uv_run(loop, UV_RUN_DEFAULT);
    rx_test_request(t, 1); /* a read is now in flight */
    rx_test_dispose(t);    /* the stage goes before the read returns */
    assert_int_equal(rx_live_objects() > 0, 1); /* the block waits */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_int_equal(rx_test_count(t), 1);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_cancel_inside_on_next_stops_reading(void **state)
{
    static const char *const want[] = {"01", "23"};
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;
    int baseline;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "0123456789", 10);
    baseline = io_open_fds();
    rx_test_set_cancel_after(t, 2);
    o = rx_file_chunks(loop, p, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t, want, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(io_open_fds(), baseline);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_subscriptions_read_independently(void **state)
{
    static const char *const want[] = {"abcd", "ef"};
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_observable *o;
    rx_test_observer *t1 = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *t2 = rx_test_observer_new(1);

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "abcdef", 6);
    o = rx_file_chunks(loop, p, 4);
    assert_int_equal(rx_test_subscribe(o, t1), 0);
    assert_int_equal(rx_test_subscribe(o, t2), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t1, want, 2);
    assert_rx_completed(t1);
    io_assert_chunks(t2, want, 1);
    rx_test_request(t2, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_chunks(t2, want, 2);
    rx_test_request(t2, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_completed(t2);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_rejects_bad_arguments(void **state)
{
    uv_loop_t *loop = io_loop_new();

    (void)state;
    assert_rx_fails(rx_file_chunks(NULL, "/x", 4), RX_EINVAL,
                    "rx_file_chunks: loop");
    assert_rx_fails(rx_file_chunks(loop, NULL, 4), RX_EINVAL,
                    "rx_file_chunks: path");
    assert_rx_fails(rx_file_chunks(loop, "/x", 0), RX_EINVAL,
                    "rx_file_chunks: chunk_size");
    assert_rx_fails(rx_file_chunks(loop, "/x", (size_t)RX_IO_CHUNK_MAX + 1),
                    RX_EINVAL, "rx_file_chunks: chunk_size");
    assert_rx_fails(rx_file_lines(NULL, "/x"), RX_EINVAL,
                    "rx_file_lines: loop");
    assert_rx_fails(rx_file_lines(loop, NULL), RX_EINVAL,
                    "rx_file_lines: path");
    io_loop_end(loop);
}

/* One allocation-failure run: either the whole content, or one clean
 * RX_ENOMEM (NULL observable, failed subscribe, or on_error). */
struct oom_case {
    const char *path;
    bool lines;
};

static void
oom_scenario(bool failed, void *ctx)
{
    static const char *const chunks[] = {"abc", "def", "g"};
    static const char *const lines[] = {"ab", "cd", "efg"};
    const struct oom_case *c = ctx;
    uv_loop_t *loop = io_loop_new();
    rx_observable *o;
    rx_test_observer *t;

    o = c->lines ? rx_file_lines(loop, c->path)
                 : rx_file_chunks(loop, c->path, 3);
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        io_loop_end(loop);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        assert_true(failed);
        rx_observable_release(o);
        io_loop_end(loop);
        return;
    }
    if (rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        uv_run(loop, UV_RUN_DEFAULT);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else if (c->lines) {
            io_assert_lines(t, lines, 3);
            assert_rx_completed(t);
        } else {
            io_assert_chunks(t, chunks, 3);
            assert_rx_completed(t);
        }
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    io_loop_end(loop);
}

static void
test_file_chunks_survives_allocation_failures(void **state)
{
    struct io_dir d;
    char p[128];
    struct oom_case c = {p, false};

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "abcdefg", 7);
    assert_true(rx_oom_sweep(oom_scenario, &c) > 8); /* failures were hit */
    io_dir_remove(&d);
}

/* ---- rx_file_lines ---------------------------------------------------- */

static void
lines_of(const char *content, size_t len, const char *const *want, size_t n)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    io_dir_make(&d);
    io_write(io_path(&d, "lines", p, sizeof p), content, len);
    t = subscribe(rx_file_lines(loop, p), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_lines(t, want, n);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_lines_cuts_at_newline_and_crlf(void **state)
{
    static const char text[] = "one\r\ntwo\n\nthree\r\n";
    static const char *const want[] = {"one", "two", "", "three"};

    (void)state;
    lines_of(text, sizeof text - 1, want, 4);
}

static void
test_file_lines_emits_a_last_line_without_newline(void **state)
{
    static const char text[] = "a\nlast";
    static const char *const want[] = {"a", "last"};
    static const char *const lone_cr[] = {"x\ry", "z\r"};

    (void)state;
    lines_of(text, sizeof text - 1, want, 2);
    /* A '\r' not followed by '\n' is text. */
    lines_of("x\ry\nz\r", 6, lone_cr, 2);
}

static void
test_file_lines_of_an_empty_file_completes_without_items(void **state)
{
    static const char *const one_empty[] = {""};

    (void)state;
    lines_of("", 0, NULL, 0);
    lines_of("\n", 1, one_empty, 1);
    lines_of("\r\n", 2, one_empty, 1);
}

static void
test_file_lines_joins_lines_spanning_reads(void **state)
{
    /* Lines of growing length well past two 64 KiB reads, with a "\r\n"
     * cut exactly at the first read boundary. */
    size_t cap = (size_t)3 * RX_IO_CHUNK_SIZE;
    char *text = malloc(cap);
    const char **want = malloc(4096 * sizeof *want);
    char **lines = malloc(4096 * sizeof *lines);
    size_t at = 0;
    size_t n = 0;

    (void)state;
    assert_non_null(text);
    /* First line ends with '\r' at the last byte of the first read. */
    lines[n] = malloc(RX_IO_CHUNK_SIZE);
    memset(lines[n], 'a', RX_IO_CHUNK_SIZE - 2);
    lines[n][RX_IO_CHUNK_SIZE - 2] = '\0';
    memcpy(text, lines[n], RX_IO_CHUNK_SIZE - 2);
    at = RX_IO_CHUNK_SIZE - 2;
    text[at++] = '\r';
    text[at++] = '\n';
    n++;
    while (at + 1000 < cap) {
        size_t len = (n * 37) % 900;
        lines[n] = malloc(len + 1);
        for (size_t i = 0; i < len; i++) {
            lines[n][i] = (char)('a' + (n + i) % 26);
        }
        lines[n][len] = '\0';
        memcpy(text + at, lines[n], len);
        at += len;
        text[at++] = '\n';
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        want[i] = lines[i];
    }
    lines_of(text, at, want, n);
    for (size_t i = 0; i < n; i++) {
        free(lines[i]);
    }
    free(lines);
    free(want);
    free(text);
}

static void
test_file_lines_handles_a_very_long_line(void **state)
{
    size_t len = 3 * 1024 * 1024 + 17; /* spans many reads */
    char *text = malloc(len + 8);
    char *line = malloc(len + 1);
    const char *want[2];

    (void)state;
    for (size_t i = 0; i < len; i++) {
        line[i] = (char)('A' + i % 26);
    }
    line[len] = '\0';
    memcpy(text, line, len);
    text[len] = '\r';
    text[len + 1] = '\n';
    text[len + 2] = 'e';
    text[len + 3] = 'n';
    text[len + 4] = 'd';
    want[0] = line;
    want[1] = "end";
    lines_of(text, len + 5, want, 2);
    free(line);
    free(text);
}

static void
test_file_lines_honours_demand(void **state)
{
    static const char *const want[] = {"l1", "l2", "l3"};
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "lines", p, sizeof p), "l1\nl2\nl3\n", 9);
    t = subscribe(rx_file_lines(loop, p), 1);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_lines(t, want, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_lines(t, want, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_lines(t, want, 3);
    /* The end of the file is seen only when more is asked for. */
    rx_test_request(t, 1);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_lines_reports_a_missing_file_with_its_path(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "nope", p, sizeof p);
    t = subscribe(rx_file_lines(loop, p), RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    io_assert_error(t, UV_ENOENT, p);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_file_lines"));
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_lines_cancel_closes_the_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_test_observer *t;
    int baseline;

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "lines", p, sizeof p), "l1\nl2\nl3\n", 9);
    baseline = io_open_fds();
    t = subscribe(rx_file_lines(loop, p), 1);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 1);
    rx_test_cancel(t);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_lines_survives_allocation_failures(void **state)
{
    struct io_dir d;
    char p[128];
    struct oom_case c = {p, true};

    (void)state;
    io_dir_make(&d);
    io_write(io_path(&d, "a", p, sizeof p), "ab\ncd\r\nefg", 10);
    assert_true(rx_oom_sweep(oom_scenario, &c) > 8); /* failures were hit */
    io_dir_remove(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_file_chunks_emits_the_file_in_chunks_of_the_given_size),
        rx_unit_test(test_file_chunks_reads_only_as_far_as_demand),
        rx_unit_test(test_file_chunks_of_an_empty_file_completes_without_items),
        rx_unit_test(test_file_chunks_closes_the_file_before_completing),
        rx_unit_test(test_file_chunks_reports_a_missing_file_with_its_path),
        rx_unit_test(test_file_chunks_reports_a_read_error_with_its_path),
        rx_unit_test(test_file_chunks_reports_a_permission_error),
        rx_unit_test(test_file_chunks_cancel_closes_the_file),
        rx_unit_test(test_file_chunks_cancel_while_opening_closes_the_file),
        rx_unit_test(test_file_chunks_dispose_during_a_read_frees_everything),
        rx_unit_test(test_file_chunks_cancel_inside_on_next_stops_reading),
        rx_unit_test(test_file_chunks_subscriptions_read_independently),
        rx_unit_test(test_file_chunks_rejects_bad_arguments),
        rx_unit_test(test_file_chunks_survives_allocation_failures),
        rx_unit_test(test_file_lines_cuts_at_newline_and_crlf),
        rx_unit_test(test_file_lines_emits_a_last_line_without_newline),
        rx_unit_test(test_file_lines_of_an_empty_file_completes_without_items),
        rx_unit_test(test_file_lines_joins_lines_spanning_reads),
        rx_unit_test(test_file_lines_handles_a_very_long_line),
        rx_unit_test(test_file_lines_honours_demand),
        rx_unit_test(test_file_lines_reports_a_missing_file_with_its_path),
        rx_unit_test(test_file_lines_cancel_closes_the_file),
        rx_unit_test(test_file_lines_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
