/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the real-I/O tests (tests/io/test_*.c): a temporary folder
 * per test, files written and read back with plain stdio, checks of the
 * chunks and lines a test subscriber received, a count of open file
 * descriptors (to see that a cancel closed its file), a TCP connection
 * pair on 127.0.0.1 made with plain libuv, and an allocator that tracks
 * how many bytes uvrx holds (to bound memory under backpressure).
 *
 * Every test makes its own loop with io_loop_new() and ends with
 * io_loop_end(), which runs the loop until every close and completion
 * callback has run and checks that uv_loop_close() succeeds.
 */
#ifndef UVRX_TESTS_IO_TEST_H
#define UVRX_TESTS_IO_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rx_test.h"

/* ---- loops ------------------------------------------------------------ */

static inline uv_loop_t *
io_loop_new(void)
{
    uv_loop_t *loop = malloc(sizeof *loop);

    assert_non_null(loop);
    assert_int_equal(uv_loop_init(loop), 0);
    return loop;
}

static inline void
io_walk_report(uv_handle_t *h, void *arg)
{
    (void)arg;
    fprintf(stderr, "handle left open: type %d, active %d, closing %d\n",
            (int)h->type, uv_is_active(h), uv_is_closing(h));
}

/* Runs the loop until nothing is left, then closes and frees it. */
static inline void
io_loop_end(uv_loop_t *loop)
{
    int rc;

    uv_run(loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(loop);
    if (rc != 0) {
        uv_walk(loop, io_walk_report, NULL);
    }
    assert_int_equal(rc, 0);
    free(loop);
}

/* Runs UV_RUN_ONCE passes until *flag is true; fails when the loop runs
 * out of work first. */
static inline void
io_run_until(uv_loop_t *loop, const bool *flag)
{
    for (int i = 0; i < 1000000 && !*flag; i++) {
        uv_run(loop, UV_RUN_ONCE);
    }
    assert_true(*flag);
}

/* ---- a temporary folder and files -------------------------------------- */

struct io_dir {
    char path[64];
};

static inline void
io_dir_make(struct io_dir *d)
{
    strcpy(d->path, "/tmp/uvrx-io-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

/* Removes the folder and the files (and empty folders) in it. */
static inline void
io_dir_remove(struct io_dir *d)
{
    DIR *dir = opendir(d->path);
    struct dirent *e;
    char p[512];

    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(p, sizeof p, "%s/%s", d->path, e->d_name);
        if (unlink(p) != 0) {
            assert_int_equal(rmdir(p), 0);
        }
    }
    closedir(dir);
    assert_int_equal(rmdir(d->path), 0);
}

/* The path of `name` in the folder (a static buffer per call site is
 * not needed: the caller gives one). */
static inline const char *
io_path(const struct io_dir *d, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", d->path, name);
    return buf;
}

static inline void
io_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads a whole file into a malloc'd buffer; *len gets its size. */
static inline char *
io_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* How many file descriptors the process has open (Linux: /proc). */
static inline int
io_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int n = 0;

    if (dir == NULL) {
        return -1;
    }
    while (readdir(dir) != NULL) {
        n++;
    }
    closedir(dir);
    return n - 1; /* the descriptor opendir() itself holds */
}

/* ---- what a test subscriber received ------------------------------------ */

/* The items were exactly these byte chunks (bytes values), in order. */
static inline void
io_assert_chunks(const rx_test_observer *t, const char *const *chunks, size_t n)
{
    assert_int_equal(rx_test_count(t), n);
    for (size_t i = 0; i < n; i++) {
        rx_value v = rx_test_value(t, i);
        assert_true(rx_is_bytes(v));
        assert_int_equal(rx_bytes_len(v), strlen(chunks[i]));
        assert_memory_equal(rx_bytes_data(v), chunks[i], strlen(chunks[i]));
    }
}

/* The items were exactly these strings, in order. */
static inline void
io_assert_lines(const rx_test_observer *t, const char *const *lines, size_t n)
{
    assert_int_equal(rx_test_count(t), n);
    for (size_t i = 0; i < n; i++) {
        rx_value v = rx_test_value(t, i);
        assert_true(rx_is_str(v));
        assert_string_equal(rx_str_cstr(v), lines[i]);
    }
}

/* The received bytes chunks, joined; malloc'd, *len gets the size. */
static inline char *
io_join(const rx_test_observer *t, size_t *len)
{
    size_t total = 0;
    size_t at = 0;
    char *buf;

    for (size_t i = 0; i < rx_test_count(t); i++) {
        assert_true(rx_is_bytes(rx_test_value(t, i)));
        total += rx_bytes_len(rx_test_value(t, i));
    }
    buf = malloc(total + 1);
    assert_non_null(buf);
    for (size_t i = 0; i < rx_test_count(t); i++) {
        rx_value v = rx_test_value(t, i);
        memcpy(buf + at, rx_bytes_data(v), rx_bytes_len(v));
        at += rx_bytes_len(v);
    }
    buf[total] = '\0';
    *len = total;
    return buf;
}

/* The subscriber got exactly one error with this code, whose message
 * contains `text`. */
static inline void
io_assert_error(const rx_test_observer *t, int code, const char *text)
{
    assert_rx_error(t, code);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)), text));
}

/* ---- a TCP connection pair on 127.0.0.1 (plain libuv) ------------------- */

struct io_tcp_pair {
    uv_tcp_t listener;
    uv_tcp_t server; /* the accepted side */
    uv_tcp_t client;
    uv_connect_t connect;
    bool accepted;
    bool connected;
};

static inline void
io_pair_on_connection(uv_stream_t *listener, int status)
{
    struct io_tcp_pair *p = listener->data;

    assert_int_equal(status, 0);
    assert_int_equal(uv_tcp_init(listener->loop, &p->server), 0);
    assert_int_equal(uv_accept(listener, (uv_stream_t *)&p->server), 0);
    p->accepted = true;
}

static inline void
io_pair_on_connect(uv_connect_t *req, int status)
{
    struct io_tcp_pair *p = req->data;

    assert_int_equal(status, 0);
    p->connected = true;
}

/* Connects p->client to p->server through a listener on an ephemeral
 * port of 127.0.0.1 (closed again once connected). */
static inline void
io_pair_open(uv_loop_t *loop, struct io_tcp_pair *p)
{
    struct sockaddr_storage ss;
    struct sockaddr_in addr;
    int len = (int)sizeof ss;

    memset(p, 0, sizeof *p);
    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
    assert_int_equal(uv_tcp_init(loop, &p->listener), 0);
    p->listener.data = p;
    assert_int_equal(
        uv_tcp_bind(&p->listener, (const struct sockaddr *)&addr, 0), 0);
    assert_int_equal(
        uv_listen((uv_stream_t *)&p->listener, 8, io_pair_on_connection), 0);
    assert_int_equal(
        uv_tcp_getsockname(&p->listener, (struct sockaddr *)&ss, &len), 0);
    assert_int_equal(uv_tcp_init(loop, &p->client), 0);
    p->connect.data = p;
    assert_int_equal(uv_tcp_connect(&p->connect, &p->client,
                                    (const struct sockaddr *)&ss,
                                    io_pair_on_connect),
                     0);
    while (!p->accepted || !p->connected) {
        uv_run(loop, UV_RUN_ONCE);
    }
    uv_close((uv_handle_t *)&p->listener, NULL);
}

static inline void
io_pair_close(struct io_tcp_pair *p)
{
    if (!uv_is_closing((uv_handle_t *)&p->server)) {
        uv_close((uv_handle_t *)&p->server, NULL);
    }
    if (!uv_is_closing((uv_handle_t *)&p->client)) {
        uv_close((uv_handle_t *)&p->client, NULL);
    }
}

/* ---- an allocator that tracks the bytes uvrx holds ---------------------- */

struct io_track {
    size_t cur;  /* bytes allocated now */
    size_t peak; /* most bytes allocated at once */
};

static inline struct io_track *
io_track(void)
{
    static struct io_track track;
    return &track;
}

/* Each block carries its size in a header of max_align_t's size. */
#define IO_TRACK_HDR 16

static inline void *
io_track_malloc(size_t size, void *ctx)
{
    struct io_track *t = io_track();
    char *p = malloc(size + IO_TRACK_HDR);

    (void)ctx;
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &size, sizeof size);
    t->cur += size;
    if (t->cur > t->peak) {
        t->peak = t->cur;
    }
    return p + IO_TRACK_HDR;
}

static inline void
io_track_free(void *ptr, void *ctx)
{
    char *p;
    size_t size;

    (void)ctx;
    if (ptr == NULL) {
        return;
    }
    p = (char *)ptr - IO_TRACK_HDR;
    memcpy(&size, p, sizeof size);
    io_track()->cur -= size;
    free(p);
}

static inline void *
io_track_realloc(void *ptr, size_t size, void *ctx)
{
    void *n;
    size_t old = 0;

    if (ptr == NULL) {
        return io_track_malloc(size, ctx);
    }
    memcpy(&old, (char *)ptr - IO_TRACK_HDR, sizeof old);
    n = io_track_malloc(size, ctx);
    if (n == NULL) {
        return NULL;
    }
    memcpy(n, ptr, old < size ? old : size);
    io_track_free(ptr, ctx);
    return n;
}

/* Installs the tracking allocator (no uvrx object may be alive). */
static inline void
io_track_start(void)
{
    static const rx_allocator a = {io_track_malloc, io_track_realloc,
                                   io_track_free, NULL};

    io_track()->cur = 0;
    io_track()->peak = 0;
    assert_int_equal(rx_set_allocator(&a), 0);
}

/* Puts the default allocator back (no uvrx object may be alive). */
static inline void
io_track_stop(void)
{
    assert_int_equal(rx_live_objects(), 0);
    assert_int_equal(rx_set_allocator(NULL), 0);
}

#endif /* UVRX_TESTS_IO_TEST_H */
