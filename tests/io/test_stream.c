/* SPDX-License-Identifier: MIT */
/*
 * rx_stream_chunks and rx_stream_lines on real pipes and TCP connections:
 * exact content, reading only while there is demand (uv_read_stop, seen
 * as an inactive handle), cancel leaving the stream open, errors with the
 * peer's address, one reader per stream, allocation failures, and a slow
 * subscriber bounding uvrx's memory while a fast writer sends 100 MiB.
 *
 * Code under test: operators/io/stream_read.c.
 */
#include "io_test.h"

/* A pipe whose read end is a uv_pipe_t; the test writes with write(2). */
struct io_pipe {
    uv_pipe_t pipe;
    uv_file wfd; /* the write end, -1 once closed */
};

static void
pipe_open(uv_loop_t *loop, struct io_pipe *p)
{
    uv_file fds[2];

    assert_int_equal(uv_pipe(fds, 0, 0), 0);
    assert_int_equal(uv_pipe_init(loop, &p->pipe, 0), 0);
    assert_int_equal(uv_pipe_open(&p->pipe, fds[0]), 0);
    p->wfd = fds[1];
}

static void
pipe_put(struct io_pipe *p, const char *s)
{
    size_t n = strlen(s);

    assert_int_equal(write(p->wfd, s, n), (ssize_t)n);
}

static void
pipe_end_writes(struct io_pipe *p)
{
    if (p->wfd >= 0) {
        close(p->wfd);
        p->wfd = -1;
    }
}

static void
pipe_close(struct io_pipe *p)
{
    pipe_end_writes(p);
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

/* Runs the loop until the subscriber has n items or a terminal signal. */
static void
run_until_count(uv_loop_t *loop, const rx_test_observer *t, size_t n)
{
    for (int i = 0; i < 100000 && rx_test_count(t) < n &&
                    rx_test_get_counts(t).terminals == 0;
         i++) {
        uv_run(loop, UV_RUN_ONCE);
    }
    assert_int_equal(rx_test_count(t), n);
}

static void
run_until_terminal(uv_loop_t *loop, const rx_test_observer *t)
{
    for (int i = 0; i < 100000 && rx_test_get_counts(t).terminals == 0; i++) {
        uv_run(loop, UV_RUN_ONCE);
    }
    assert_int_equal(rx_test_get_counts(t).terminals, 1);
}

/* ---- rx_stream_chunks ------------------------------------------------- */

static void
test_stream_chunks_emits_what_arrives_then_completes_at_eof(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;
    size_t len;
    char *all;

    (void)state;
    pipe_open(loop, &p);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    pipe_put(&p, "hello ");
    run_until_count(loop, t, 1);
    pipe_put(&p, "world");
    pipe_end_writes(&p);
    run_until_terminal(loop, t);
    assert_rx_completed(t);
    all = io_join(t, &len);
    assert_string_equal(all, "hello world");
    free(all);
    /* The stream is still the test's: open, no longer reading. */
    assert_false(uv_is_closing((uv_handle_t *)&p.pipe));
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_stops_reading_without_demand(void **state)
{
    static const char *const want[] = {"abc", "def"};
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;

    (void)state;
    pipe_open(loop, &p);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), 1);
    assert_true(uv_is_active((uv_handle_t *)&p.pipe)); /* reading */
    pipe_put(&p, "abc");
    run_until_count(loop, t, 1);
    /* Demand is spent: uv_read_stop() was called. */
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    pipe_put(&p, "def");
    for (int i = 0; i < 10; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
    io_assert_chunks(t, want, 1);
    rx_test_request(t, 1);
    assert_true(uv_is_active((uv_handle_t *)&p.pipe));
    run_until_count(loop, t, 2);
    io_assert_chunks(t, want, 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_cancel_stops_reading_and_leaves_the_stream_open(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;

    (void)state;
    pipe_open(loop, &p);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    pipe_put(&p, "x");
    run_until_count(loop, t, 1);
    rx_test_cancel(t);
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    assert_false(uv_is_closing((uv_handle_t *)&p.pipe));
    pipe_put(&p, "more");
    for (int i = 0; i < 10; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(rx_test_count(t), 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_dispose_inside_on_next_stops_reading(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_stream_chunks((uv_stream_t *)&p.pipe);

    (void)state;
    pipe_open(loop, &p);
    rx_test_set_dispose_in(t, RX_TEST_ON_NEXT);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    pipe_put(&p, "x");
    run_until_count(loop, t, 1);
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    /* A new subscription may read the stream now. */
    rx_test_observer_free(t);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    pipe_put(&p, "y");
    run_until_count(loop, t, 1);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_second_reader_fails_with_ebusy(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t1;
    rx_test_observer *t2;

    (void)state;
    pipe_open(loop, &p);
    t1 = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), 0);
    t2 = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    io_assert_error(t2, RX_EBUSY, "pipe");
    pipe_put(&p, "z");
    rx_test_request(t1, 1);
    run_until_count(loop, t1, 1);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_reports_a_reset_with_the_peer_address(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_tcp_pair p;
    rx_test_observer *t;

    (void)state;
    io_pair_open(loop, &p);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.server), RX_UNBOUNDED);
    assert_int_equal(uv_tcp_close_reset(&p.client, NULL), 0);
    run_until_terminal(loop, t);
    io_assert_error(t, UV_ECONNRESET, "127.0.0.1:");
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_stream_chunks: cannot read from"));
    rx_test_observer_free(t);
    io_pair_close(&p);
    io_loop_end(loop);
}

static void
cancel_from_thread(void *arg)
{
    rx_cancel(arg);
}

static void
test_stream_chunks_cancel_from_another_thread_wakes_the_loop(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;
    uv_thread_t th;

    (void)state;
    pipe_open(loop, &p);
    t = subscribe(rx_stream_chunks((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    assert_true(uv_is_active((uv_handle_t *)&p.pipe));
    assert_int_equal(
        uv_thread_create(&th, cancel_from_thread, rx_test_subscription(t)), 0);
    /* Nothing arrives on the pipe: this returns only because the cancel
     * woke the loop and stopped the reading. */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_thread_join(&th), 0);
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_chunks_reports_a_stream_that_cannot_be_read(void **state)
{
    uv_loop_t *loop = io_loop_new();
    uv_pipe_t out;
    uv_file fds[2];
    rx_test_observer *t;

    (void)state;
    assert_int_equal(uv_pipe(fds, 0, 0), 0);
    assert_int_equal(uv_pipe_init(loop, &out, 0), 0);
    assert_int_equal(uv_pipe_open(&out, fds[1]), 0); /* write end only */
    t = subscribe(rx_stream_chunks((uv_stream_t *)&out), RX_UNBOUNDED);
    io_assert_error(t, UV_ENOTCONN, "rx_stream_chunks: cannot read from pipe");
    rx_test_observer_free(t);
    uv_close((uv_handle_t *)&out, NULL);
    close(fds[0]);
    io_loop_end(loop);
}

static void
test_stream_chunks_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_stream_chunks(NULL), RX_EINVAL,
                    "rx_stream_chunks: stream");
    assert_rx_fails(rx_stream_lines(NULL), RX_EINVAL,
                    "rx_stream_lines: stream");
}

/* ---- rx_stream_lines -------------------------------------------------- */

static void
test_stream_lines_cuts_lines_across_chunks(void **state)
{
    static const char *const want[] = {"a", "bc", "", "d"};
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;

    (void)state;
    pipe_open(loop, &p);
    t = subscribe(rx_stream_lines((uv_stream_t *)&p.pipe), RX_UNBOUNDED);
    pipe_put(&p, "a\nb");
    run_until_count(loop, t, 1);
    pipe_put(&p, "c\r");
    for (int i = 0; i < 10; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(rx_test_count(t), 1);
    pipe_put(&p, "\n\nd");
    pipe_end_writes(&p);
    run_until_terminal(loop, t);
    io_assert_lines(t, want, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_lines_reads_only_when_no_line_waits(void **state)
{
    static const char *const want[] = {"1", "2", "3", "4"};
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_test_observer *t;

    (void)state;
    pipe_open(loop, &p);
    pipe_put(&p, "1\n2\n3\n");
    t = subscribe(rx_stream_lines((uv_stream_t *)&p.pipe), 1);
    run_until_count(loop, t, 1);
    /* One chunk held three lines: two wait, so nothing is read. */
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    pipe_put(&p, "4\n");
    rx_test_request(t, 2);
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    io_assert_lines(t, want, 3);
    rx_test_request(t, 1);
    assert_true(uv_is_active((uv_handle_t *)&p.pipe));
    run_until_count(loop, t, 4);
    io_assert_lines(t, want, 4);
    assert_false(uv_is_active((uv_handle_t *)&p.pipe));
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
oom_scenario(bool failed, void *ctx)
{
    static const char *const want[] = {"ab", "cd"};
    uv_loop_t *loop = io_loop_new();
    struct io_pipe p;
    rx_observable *o;
    rx_test_observer *t;

    (void)ctx;
    pipe_open(loop, &p);
    pipe_put(&p, "ab\ncd");
    pipe_end_writes(&p);
    o = rx_stream_lines((uv_stream_t *)&p.pipe);
    t = o != NULL ? rx_test_observer_new(RX_UNBOUNDED) : NULL;
    if (o == NULL || t == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else if (rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        run_until_terminal(loop, t);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            io_assert_lines(t, want, 2);
            assert_rx_completed(t);
        }
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    pipe_close(&p);
    io_loop_end(loop);
}

static void
test_stream_lines_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 8); /* failures were hit */
}

/* ---- a slow subscriber and a fast writer ------------------------------ */

#define BIG_TOTAL ((uint64_t)100 * 1024 * 1024) /* bytes the writer sends */
#define BIG_PIECE 65536u                        /* bytes per item it writes */
#define BIG_EVERY 3                     /* loop passes between requests */
#define BIG_BOUND ((size_t)1024 * 1024) /* most bytes uvrx may hold */

/* Byte i of the stream: every 256-byte run differs from its neighbours,
 * so a lost, repeated or reordered block shows. */
static uint8_t
big_byte(uint64_t i)
{
    return (uint8_t)(i ^ (i >> 8) ^ (i >> 16) ^ (i >> 24));
}

/* FNV-1a over a stream of bytes, folded in piece by piece. */
static uint64_t
big_fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    }
    return h;
}

#define BIG_FNV_SEED UINT64_C(0xcbf29ce484222325)

struct big_writer {
    uint64_t sent;            /* bytes generated so far */
    uint64_t sum;             /* checksum of what was generated */
    uint8_t piece[BIG_PIECE]; /* scratch for the next item */
    int64_t total;            /* what the sink reported */
    bool done;
    uv_shutdown_t shutdown;
    uv_tcp_t *client;
};

static void *
big_init(void *ctx, rx_error **err)
{
    (void)err;
    return ctx;
}

static rx_value
big_step(void *state, void *ctx, bool *done, rx_error **err)
{
    struct big_writer *w = state;

    (void)ctx;
    (void)err;
    if (w->sent == BIG_TOTAL) {
        *done = true;
        return rx_nil();
    }
    for (uint32_t i = 0; i < BIG_PIECE; i++) {
        w->piece[i] = big_byte(w->sent + i);
    }
    w->sent += BIG_PIECE;
    w->sum = big_fnv(w->sum, w->piece, BIG_PIECE);
    return rx_bytes(w->piece, BIG_PIECE);
}

static void
writer_on_next(rx_value v, void *ctx)
{
    struct big_writer *w = ctx;

    w->total = rx_as_int(v);
}

static void
writer_on_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fail_msg("writer failed: %s", rx_error_message(err));
}

static void
writer_on_complete(void *ctx)
{
    struct big_writer *w = ctx;

    /* Every byte was written: end the stream so the reader sees EOF. */
    w->done = true;
    assert_int_equal(uv_shutdown(&w->shutdown, (uv_stream_t *)w->client, NULL),
                     0);
}

struct big_reader {
    rx_subscription *sub;
    uint64_t received;
    uint64_t sum; /* checksum of what arrived */
    uint64_t chunks;
    bool outstanding; /* a request of 1 waits for its chunk */
    bool done;
    uint64_t passes; /* loop passes seen by the idle handle */
    size_t peak;     /* most bytes uvrx held at a pass */
    uv_idle_t idle;
};

static void
reader_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct big_reader *r = ctx;

    r->sub = sub; /* no request: the idle handle asks, slowly */
}

static void
reader_on_next(rx_value v, void *ctx)
{
    struct big_reader *r = ctx;
    const uint8_t *p = rx_bytes_data(v);
    size_t n = rx_bytes_len(v);

    assert_true(r->outstanding);
    for (size_t i = 0; i < n; i++) {
        if (p[i] != big_byte(r->received + i)) {
            fail_msg("byte %llu out of order",
                     (unsigned long long)(r->received + i));
        }
    }
    r->sum = big_fnv(r->sum, p, n);
    r->received += n;
    r->chunks++;
    r->outstanding = false;
}

static void
reader_on_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fail_msg("reader failed: %s", rx_error_message(err));
}

static void
reader_on_complete(void *ctx)
{
    struct big_reader *r = ctx;

    r->done = true;
    uv_idle_stop(&r->idle);
}

/* Each loop pass: note how much uvrx holds; every BIG_EVERY passes, ask
 * for one more chunk if the last one has arrived. */
static void
reader_on_idle(uv_idle_t *idle)
{
    struct big_reader *r = idle->data;

    r->passes++;
    if (io_track()->cur > r->peak) {
        r->peak = io_track()->cur;
    }
    if (!r->outstanding && !r->done && r->passes % BIG_EVERY == 0) {
        r->outstanding = true;
        rx_request(r->sub, 1);
    }
}

static void
test_slow_subscriber_bounds_memory_while_a_fast_writer_sends_100_mib(
    void **state)
{
    uv_loop_t *loop;
    struct io_tcp_pair p;
    struct big_writer *w;
    struct big_reader r = {.sum = BIG_FNV_SEED};
    rx_observable *src;
    rx_observable *sink;
    rx_observable *in;
    rx_subscription *wsub;
    rx_subscription *rsub;

    (void)state;
    rx_skip_if_stress(); /* before anything is allocated */
    loop = io_loop_new();
    w = calloc(1, sizeof *w);
    assert_non_null(w);
    io_pair_open(loop, &p);
    io_track_start();
    w->client = &p.client;
    w->sum = BIG_FNV_SEED;
    src = rx_generate(big_init, big_step, NULL, w);
    sink =
        rx_write_stream(src, (uv_stream_t *)&p.client, (size_t)4 * BIG_PIECE);
    assert_int_equal(
        rx_subscribe(sink,
                     &(rx_observer){.on_next = writer_on_next,
                                    .on_error = writer_on_error,
                                    .on_complete = writer_on_complete,
                                    .ctx = w},
                     &wsub),
        0);
    rx_observable_release(sink);
    in = rx_stream_chunks((uv_stream_t *)&p.server);
    assert_int_equal(
        rx_subscribe(in,
                     &(rx_observer){.on_subscribe = reader_on_subscribe,
                                    .on_next = reader_on_next,
                                    .on_error = reader_on_error,
                                    .on_complete = reader_on_complete,
                                    .ctx = &r},
                     &rsub),
        0);
    rx_observable_release(in);
    assert_int_equal(uv_idle_init(loop, &r.idle), 0);
    r.idle.data = &r;
    assert_int_equal(uv_idle_start(&r.idle, reader_on_idle), 0);

    uv_run(loop, UV_RUN_DEFAULT);

    assert_true(w->done);
    assert_true(r.done);
    assert_int_equal(w->total, BIG_TOTAL);
    assert_int_equal(r.received, BIG_TOTAL);
    assert_int_equal(r.sum, w->sum); /* same bytes, same order */
    /* The reader asked for one chunk at a time: each request brought at
     * most one read buffer. */
    assert_true(r.chunks >= BIG_TOTAL / RX_IO_CHUNK_SIZE);
    print_message("100 MiB in %llu chunks over %llu loop passes; uvrx "
                  "held at most %zu bytes\n",
                  (unsigned long long)r.chunks, (unsigned long long)r.passes,
                  io_track()->peak);
    if (io_track()->peak > BIG_BOUND || r.peak > BIG_BOUND) {
        fail_msg("uvrx held up to %zu bytes (bound %zu)", io_track()->peak,
                 BIG_BOUND);
    }
    rx_dispose(wsub);
    rx_dispose(rsub);
    uv_close((uv_handle_t *)&r.idle, NULL);
    io_pair_close(&p);
    uv_run(loop, UV_RUN_DEFAULT);
    io_track_stop();
    io_loop_end(loop);
    free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_stream_chunks_emits_what_arrives_then_completes_at_eof),
        rx_unit_test(test_stream_chunks_stops_reading_without_demand),
        rx_unit_test(
            test_stream_chunks_cancel_stops_reading_and_leaves_the_stream_open),
        rx_unit_test(test_stream_chunks_dispose_inside_on_next_stops_reading),
        rx_unit_test(test_stream_chunks_second_reader_fails_with_ebusy),
        rx_unit_test(test_stream_chunks_reports_a_reset_with_the_peer_address),
        rx_unit_test(
            test_stream_chunks_cancel_from_another_thread_wakes_the_loop),
        rx_unit_test(test_stream_chunks_reports_a_stream_that_cannot_be_read),
        rx_unit_test(test_stream_chunks_rejects_bad_arguments),
        rx_unit_test(test_stream_lines_cuts_lines_across_chunks),
        rx_unit_test(test_stream_lines_reads_only_when_no_line_waits),
        rx_unit_test(test_stream_lines_survives_allocation_failures),
        rx_unit_test(
            test_slow_subscriber_bounds_memory_while_a_fast_writer_sends_100_mib),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
