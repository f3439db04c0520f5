/* SPDX-License-Identifier: MIT */
/*
 * rx_tcp_server on 127.0.0.1 with an ephemeral port: the bound port, an
 * echo round trip built from the stream source and the write sink,
 * accepting only with demand, cancel closing the listening socket, an
 * address in use, connection ownership, and allocation failures.
 *
 * Code under test: operators/io/tcp_server.c.
 */
#include "io_test.h"

/* ---- a plain libuv client ---------------------------------------------- */

struct client {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    int status;     /* of the connect */
    bool connected; /* the connect callback ran */
    char got[256];  /* what was read */
    size_t len;
    bool eof;     /* the read side ended (EOF or error) */
    int read_err; /* UV_EOF or the error */
};

static void
client_on_connect(uv_connect_t *req, int status)
{
    struct client *c = req->data;

    c->status = status;
    c->connected = true;
}

static void
client_connect(uv_loop_t *loop, struct client *c, int port)
{
    struct sockaddr_in addr;

    memset(c, 0, sizeof *c);
    assert_int_equal(uv_ip4_addr("127.0.0.1", port, &addr), 0);
    assert_int_equal(uv_tcp_init(loop, &c->tcp), 0);
    c->tcp.data = c;
    c->connect.data = c;
    assert_int_equal(uv_tcp_connect(&c->connect, &c->tcp,
                                    (const struct sockaddr *)&addr,
                                    client_on_connect),
                     0);
}

static void
client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = h->data;

    (void)suggested;
    *buf = uv_buf_init(c->got + c->len, (unsigned)(sizeof c->got - c->len));
}

static void
client_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct client *c = s->data;

    (void)buf;
    if (n > 0) {
        c->len += (size_t)n;
    } else if (n < 0) {
        c->eof = true;
        c->read_err = (int)n;
        uv_read_stop(s);
    }
}

static void
client_read(struct client *c)
{
    assert_int_equal(
        uv_read_start((uv_stream_t *)&c->tcp, client_alloc, client_on_read), 0);
}

static void
client_close(struct client *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) {
        uv_close((uv_handle_t *)&c->tcp, NULL);
    }
}

/* ---- the server side ---------------------------------------------------- */

static void
on_listening(const struct sockaddr *addr, void *ctx)
{
    int *port = ctx;

    assert_int_equal(addr->sa_family, AF_INET);
    *port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
}

/* A server on 127.0.0.1, port 0, reporting its port into *port. */
static rx_observable *
local_server(uv_loop_t *loop, int *port)
{
    struct sockaddr_in addr;

    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
    return rx_tcp_server_opts(
        loop, &(rx_tcp_server_config){.addr = (const struct sockaddr *)&addr,
                                      .backlog = 16,
                                      .on_listening = on_listening,
                                      .ctx = port});
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
test_tcp_server_reports_its_port_and_emits_connections(void **state)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct client c;
    rx_test_observer *t;
    uv_stream_t *s;

    (void)state;
    t = subscribe(local_server(loop, &port), RX_UNBOUNDED);
    assert_true(port > 0); /* told inside the subscribe call */
    client_connect(loop, &c, port);
    run_until_count(loop, t, 1);
    s = rx_tcp_connection_stream(rx_test_value(t, 0));
    assert_non_null(s);
    assert_int_equal(s->type, UV_TCP);
    assert_null(s->data); /* the user's field, untouched */
    io_run_until(loop, &c.connected);
    assert_int_equal(c.status, 0);
    /* Dropping the last reference to the connection closes it. */
    client_read(&c);
    rx_test_dispose(t);
    rx_test_observer_free(t); /* releases the recorded connection */
    io_run_until(loop, &c.eof);
    assert_int_equal(c.read_err, UV_EOF);
    client_close(&c);
    io_loop_end(loop);
}

/* ---- echo: each connection's chunks written back to it ------------------ */

struct echo {
    rx_value conn;  /* the connection, retained */
    int64_t echoed; /* what the write sink reported */
    bool done;
    rx_subscription *sub;
};

static void
echo_on_next(rx_value v, void *ctx)
{
    struct echo *e = ctx;

    e->echoed = rx_as_int(v);
}

static void
echo_on_complete(void *ctx)
{
    struct echo *e = ctx;

    e->done = true;
    /* Both directions are over: let the connection go. */
    rx_value_release(e->conn);
    e->conn = rx_nil();
}

static void
echo_on_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fail_msg("echo failed: %s", rx_error_message(err));
}

static void
server_on_next(rx_value v, void *ctx)
{
    struct echo *e = ctx;
    uv_stream_t *s = rx_tcp_connection_stream(v);
    rx_observable *o;

    e->conn = rx_value_retain(v); /* take the connection */
    o = rx_write_stream(rx_stream_chunks(s), s, 65536);
    assert_non_null(o);
    assert_int_equal(
        rx_subscribe(o,
                     &(rx_observer){.on_next = echo_on_next,
                                    .on_error = echo_on_error,
                                    .on_complete = echo_on_complete,
                                    .ctx = e},
                     &e->sub),
        0);
    rx_observable_release(o);
}

static void
test_tcp_server_echoes_a_round_trip(void **state)
{
    static const char msg[] = "hello, uvrx\n";
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct echo e = {.conn = {0}};
    struct client c;
    rx_subscription *server;
    rx_observable *o = local_server(loop, &port);
    uv_buf_t buf = uv_buf_init((char *)msg, sizeof msg - 1);
    uv_shutdown_t shut;

    (void)state;
    assert_int_equal(
        rx_subscribe(o, &(rx_observer){.on_next = server_on_next, .ctx = &e},
                     &server),
        0);
    rx_observable_release(o);
    client_connect(loop, &c, port);
    io_run_until(loop, &c.connected);
    assert_int_equal(c.status, 0);
    client_read(&c);
    assert_int_equal(uv_write(&c.write, (uv_stream_t *)&c.tcp, &buf, 1, NULL),
                     0);
    for (int i = 0; i < 100000 && c.len < sizeof msg - 1; i++) {
        uv_run(loop, UV_RUN_ONCE);
    }
    assert_int_equal(c.len, sizeof msg - 1);
    assert_memory_equal(c.got, msg, sizeof msg - 1);
    /* The client ends its side; the echo completes and closes the
     * connection, which the client sees as EOF. */
    assert_int_equal(uv_shutdown(&shut, (uv_stream_t *)&c.tcp, NULL), 0);
    io_run_until(loop, &c.eof);
    assert_int_equal(c.read_err, UV_EOF);
    assert_true(e.done);
    assert_int_equal(e.echoed, (int64_t)(sizeof msg - 1));
    rx_dispose(e.sub);
    rx_dispose(server);
    client_close(&c);
    io_loop_end(loop);
}

static void
test_tcp_server_accepts_only_with_demand(void **state)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct client c1;
    struct client c2;
    rx_test_observer *t;

    (void)state;
    t = subscribe(local_server(loop, &port), 0);
    client_connect(loop, &c1, port);
    io_run_until(loop, &c1.connected); /* the kernel completed it */
    assert_int_equal(c1.status, 0);
    for (int i = 0; i < 10; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(rx_test_count(t), 0);
    /* Demand arrives: the pending connection is accepted. */
    rx_test_request(t, 1);
    run_until_count(loop, t, 1);
    assert_non_null(rx_tcp_connection_stream(rx_test_value(t, 0)));
    /* A second one waits, unaccepted, until cancel closes everything. */
    client_connect(loop, &c2, port);
    io_run_until(loop, &c2.connected);
    for (int i = 0; i < 10; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(rx_test_count(t), 1);
    client_read(&c2);
    rx_test_cancel(t);
    io_run_until(loop, &c2.eof); /* never accepted: closed by the cancel */
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    client_close(&c1);
    client_close(&c2);
    io_loop_end(loop);
}

static void
test_tcp_server_cancel_closes_the_listening_socket(void **state)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct client c;
    rx_test_observer *t;

    (void)state;
    t = subscribe(local_server(loop, &port), RX_UNBOUNDED);
    rx_test_cancel(t);
    uv_run(loop, UV_RUN_DEFAULT); /* runs the close callback */
    client_connect(loop, &c, port);
    io_run_until(loop, &c.connected);
    assert_int_equal(c.status, UV_ECONNREFUSED);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    client_close(&c);
    io_loop_end(loop);
}

static void
cancel_from_thread(void *arg)
{
    rx_cancel(arg);
}

static void
test_tcp_server_cancel_from_another_thread_closes_the_socket(void **state)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    rx_test_observer *t;
    uv_thread_t th;

    (void)state;
    t = subscribe(local_server(loop, &port), RX_UNBOUNDED);
    assert_int_equal(
        uv_thread_create(&th, cancel_from_thread, rx_test_subscription(t)), 0);
    /* The listening socket keeps the loop alive until the cancel, sent
     * from the other thread, wakes the loop and closes it. */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_thread_join(&th), 0);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    io_loop_end(loop);
}

static void
test_tcp_server_reports_an_address_in_use(void **state)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct sockaddr_in addr;
    rx_test_observer *t1;
    rx_test_observer *t2;
    char where[64];

    (void)state;
    t1 = subscribe(local_server(loop, &port), RX_UNBOUNDED);
    assert_int_equal(uv_ip4_addr("127.0.0.1", port, &addr), 0);
    t2 = subscribe(rx_tcp_server(loop, (const struct sockaddr *)&addr, 0),
                   RX_UNBOUNDED);
    snprintf(where, sizeof where, "127.0.0.1:%d", port);
    io_assert_error(t2, UV_EADDRINUSE, where);
    assert_non_null(strstr(rx_error_message(rx_test_error(t2)),
                           "rx_tcp_server: cannot listen on"));
    assert_rx_no_terminal(t1);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    io_loop_end(loop);
}

static void
drop_nothing(void *data)
{
    (void)data;
}

static void
test_tcp_server_rejects_bad_arguments(void **state)
{
    uv_loop_t *loop = io_loop_new();
    struct sockaddr_in in;
    struct sockaddr un = {.sa_family = AF_UNIX};
    const struct sockaddr *addr = (const struct sockaddr *)&in;
    int x = 0;
    rx_value box = rx_box(&x, drop_nothing);

    (void)state;
    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &in), 0);
    assert_rx_fails(rx_tcp_server(NULL, addr, 0), RX_EINVAL,
                    "rx_tcp_server: loop");
    assert_rx_fails(rx_tcp_server(loop, NULL, 0), RX_EINVAL,
                    "rx_tcp_server: addr");
    assert_rx_fails(rx_tcp_server(loop, &un, 0), RX_EINVAL,
                    "rx_tcp_server: addr");
    assert_rx_fails(rx_tcp_server(loop, addr, -1), RX_EINVAL,
                    "rx_tcp_server: backlog");
    assert_rx_fails(rx_tcp_server_opts(loop, NULL), RX_EINVAL,
                    "rx_tcp_server_opts: addr");
    /* Only connection values have a stream. */
    assert_null(rx_tcp_connection_stream(rx_int(3)));
    assert_null(rx_tcp_connection_stream(box));
    rx_value_release(box);
    io_loop_end(loop);
}

static void
oom_scenario(bool failed, void *ctx)
{
    uv_loop_t *loop = io_loop_new();
    int port = 0;
    struct client c;
    rx_observable *o;
    rx_test_observer *t;

    (void)ctx;
    o = local_server(loop, &port);
    t = o != NULL ? rx_test_observer_new(RX_UNBOUNDED) : NULL;
    if (o == NULL || t == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_observable_release(o);
        io_loop_end(loop);
        return;
    }
    if (rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        if (rx_test_error(t) == NULL) {
            client_connect(loop, &c, port);
            for (int i = 0; i < 100000 && rx_test_count(t) == 0 &&
                            rx_test_get_counts(t).terminals == 0;
                 i++) {
                uv_run(loop, UV_RUN_ONCE);
            }
            io_run_until(loop, &c.connected);
            client_close(&c);
        }
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_int_equal(rx_test_count(t), 1);
            assert_rx_no_terminal(t);
        }
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    io_loop_end(loop);
}

static void
test_tcp_server_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 8); /* failures were hit */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_tcp_server_reports_its_port_and_emits_connections),
        rx_unit_test(test_tcp_server_echoes_a_round_trip),
        rx_unit_test(test_tcp_server_accepts_only_with_demand),
        rx_unit_test(test_tcp_server_cancel_closes_the_listening_socket),
        rx_unit_test(
            test_tcp_server_cancel_from_another_thread_closes_the_socket),
        rx_unit_test(test_tcp_server_reports_an_address_in_use),
        rx_unit_test(test_tcp_server_rejects_bad_arguments),
        rx_unit_test(test_tcp_server_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
