/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the file operators (slice 4 coverage): rx_write_file
 * reporting a failed write with its path, a cancel while a write is in
 * flight (the write finishes, the file is closed, nothing is signalled),
 * and rx_file_chunks cancelled while a read is in flight (its bytes are
 * dropped, the file is closed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io_test.h"

#define WFLAGS (UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC)

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

static rx_observable *
strs2(const char *a, const char *b)
{
    rx_value items[] = {rx_str(a), rx_str(b)};

    return rx_from_values(2, items);
}

static void
test_write_file_reports_a_failed_write_with_its_path(void **state)
{
    uv_loop_t *loop = io_loop_new();
    rx_test_observer *t;
    int baseline = io_open_fds();

    (void)state;
    /* Every write to /dev/full fails with ENOSPC. */
    t = subscribe(
        rx_write_file(strs2("abc", "d"), loop, "/dev/full", UV_FS_O_WRONLY),
        RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT);
    io_assert_error(t, UV_ENOSPC, "/dev/full");
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_write_file: cannot write"));
    assert_rx_no_items(t);
    assert_int_equal(io_open_fds(), baseline);
    rx_test_observer_free(t);
    io_loop_end(loop);
}

static void
test_write_file_cancel_during_a_write_closes_the_file(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_dir d;
    char p[128];
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t;
    int baseline = io_open_fds();
    size_t len;
    char *got;

    (void)state;
    io_dir_make(&d);
    io_path(&d, "out", p, sizeof p);
    t = subscribe(rx_write_file(rx_subject_observable(s), loop, p, WFLAGS),
                  RX_UNBOUNDED);
    uv_run(loop, UV_RUN_DEFAULT); /* opened; waits for items */
    assert_int_equal(io_open_fds(), baseline + 1);
    assert_int_equal(rx_subject_next(s, rx_str("first")), 0); /* writing */
    rx_test_cancel(t);
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    assert_int_equal(io_open_fds(), baseline);
    /* The write in flight at the cancel finished; nothing after it. */
    got = io_read(p, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(got, "first", 5);
    free(got);
    rx_test_observer_free(t);
    rx_subject_release(s);
    io_loop_end(loop);
    io_dir_remove(&d);
}

static void
test_file_chunks_cancel_during_a_read_closes_the_file(void **state)
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
    rx_test_request(t, 1); /* a read is now in flight */
    rx_test_cancel(t);     /* the stage stays until the read returns */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(io_open_fds(), baseline);
    assert_int_equal(rx_test_count(t), 1); /* the read's bytes dropped */
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
    io_dir_remove(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_write_file_reports_a_failed_write_with_its_path),
        rx_unit_test(test_write_file_cancel_during_a_write_closes_the_file),
        rx_unit_test(test_file_chunks_cancel_during_a_read_closes_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
