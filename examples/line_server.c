/* SPDX-License-Identifier: MIT */
/*
 * line_server: a TCP server where each connection is its own pipeline.
 *
 *   rx_tcp_server(127.0.0.1:PORT)           accepted connections
 *   -> rx_flat_map(serve)                   one pipeline per connection:
 *        rx_stream_lines(connection)          the client's lines
 *        -> rx_map(number and upper-case)     "3: HELLO"
 *        -> rx_write_stream(connection)       written back
 *
 * Backpressure goes all the way: rx_write_stream asks for another line
 * only while less than 64 KiB wait to be written to the client, and
 * rx_stream_lines stops reading the socket (uv_read_stop) while nobody
 * asks -- a client that does not read its answers makes the server stop
 * reading its requests, so memory stays bounded.
 *
 * Run the server and talk to it with nc:
 *     ./line_server 7000 &
 *     printf 'hello\nworld\n' | nc -q 1 127.0.0.1 7000
 * or let the program be its own client: ./line_server --client 7000
 * ("--demo" starts a server on a free port, sends three lines from a
 * client in the same process, prints the answers and exits; the test
 * suite runs that.)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>

/* ---- the server --------------------------------------------------------- */

/* What one connection's pipeline keeps: the connection and a counter. */
struct session {
    rx_value conn;
    long line_no;
};

static void
session_drop(void *data)
{
    struct session *s = data;

    rx_value_release(s->conn); /* the last reference closes it */
    free(s);
}

static rx_value
shout(rx_value line, void *ctx, rx_error **err)
{
    struct session *s = ctx;
    char buf[1024];
    int n;

    (void)err;
    n = snprintf(buf, sizeof buf, "%ld: ", ++s->line_no);
    for (size_t i = 0; i < rx_str_len(line) && n < (int)sizeof buf - 2; i++) {
        buf[n++] = (char)toupper((unsigned char)rx_str_cstr(line)[i]);
    }
    buf[n++] = '\n';
    return rx_str_n(buf, (size_t)n);
}

/* The pipeline of one connection. rx_attach hands the session to the
 * pipeline: it is dropped (closing the connection) when that ends. */
static rx_observable *
serve(rx_value conn, void *ctx, rx_error **err)
{
    struct session *s = calloc(1, sizeof *s);
    uv_stream_t *stream = rx_tcp_connection_stream(conn);

    (void)ctx;
    if (s == NULL) {
        *err = rx_error_new(RX_ENOMEM, "line_server: out of memory");
        return NULL;
    }
    s->conn = rx_value_retain(conn);
    return rx_attach(rx_write_stream(rx_map(rx_stream_lines(stream), shout, s),
                                     stream, 64 * 1024),
                     s, session_drop);
}

static void
server_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "line_server: %s\n", rx_error_message(err));
}

static void
print_listening(const struct sockaddr *addr, void *ctx)
{
    char ip[64];

    uv_ip4_name((const struct sockaddr_in *)addr, ip, sizeof ip);
    *(int *)ctx = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    fprintf(stderr, "line_server: listening on %s:%d\n", ip, *(int *)ctx);
}

static int
start_server(int port, int *bound, rx_subscription **sub)
{
    struct sockaddr_in addr;
    rx_observer obs = {.on_error = server_error};
    rx_observable *server;

    uv_ip4_addr("127.0.0.1", port, &addr);
    server = rx_flat_map(
        rx_tcp_server_opts(
            uv_default_loop(),
            &(rx_tcp_server_config){.addr = (const struct sockaddr *)&addr,
                                    .on_listening = print_listening,
                                    .ctx = bound}),
        serve, NULL);
    if (server == NULL || rx_subscribe(server, &obs, sub) != 0) {
        fprintf(stderr, "line_server: %s\n", rx_last_error_message());
        rx_observable_release(server);
        return 1;
    }
    rx_observable_release(server);
    return 0;
}

/* ---- a client, for --client and --demo (plain libuv) -------------------- */

struct client {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    char buf[4096];
    size_t len;
    int answers;
    rx_subscription *server; /* --demo: stopped after the answers */
};

static const char request[] = "hello\nreactive\nstreams\n";

static void
client_closed(uv_handle_t *h)
{
    (void)h;
}

static void
client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    struct client *c = h->data;

    (void)size;
    *buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof c->buf - c->len));
}

static void
client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct client *c = s->data;
    char *nl;

    (void)buf;
    if (n > 0) {
        c->len += (size_t)n;
    }
    while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
        size_t line = (size_t)(nl - c->buf) + 1;
        printf("answer: %.*s", (int)line, c->buf);
        memmove(c->buf, c->buf + line, c->len - line);
        c->len -= line;
        c->answers++;
    }
    if (n < 0 || c->answers == 3) {
        uv_close((uv_handle_t *)&c->tcp, client_closed);
        rx_dispose(c->server); /* --demo: the server stops too */
        c->server = NULL;
    }
}

static void
client_wrote(uv_write_t *w, int status)
{
    (void)w;
    if (status < 0) {
        fprintf(stderr, "line_server: write: %s\n", uv_strerror(status));
    }
}

static void
client_connected(uv_connect_t *req, int status)
{
    struct client *c = req->data;
    uv_buf_t buf = uv_buf_init((char *)request, sizeof request - 1);

    if (status < 0) {
        fprintf(stderr, "line_server: connect: %s\n", uv_strerror(status));
        uv_close((uv_handle_t *)&c->tcp, client_closed);
        rx_dispose(c->server);
        c->server = NULL;
        return;
    }
    printf("sent: hello, reactive, streams\n");
    uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1, client_wrote);
    uv_read_start((uv_stream_t *)&c->tcp, client_alloc, client_read);
}

static int
start_client(struct client *c, int port)
{
    struct sockaddr_in addr;

    uv_ip4_addr("127.0.0.1", port, &addr);
    uv_tcp_init(uv_default_loop(), &c->tcp);
    c->tcp.data = c;
    c->connect.data = c;
    return uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)&addr,
                          client_connected);
}

int
main(int argc, char **argv)
{
    struct client client;
    rx_subscription *server = NULL;
    int port = 0;
    int bound = 0;
    int rc = 0;

    memset(&client, 0, sizeof client);
    if (argc == 2 && strcmp(argv[1], "--demo") == 0) {
        rc = start_server(0, &bound, &server);
        client.server = server;
        if (rc == 0 && start_client(&client, bound) != 0) {
            rc = 1;
        }
    } else if (argc == 3 && strcmp(argv[1], "--client") == 0) {
        rc = start_client(&client, atoi(argv[2])) != 0;
    } else if (argc == 2 && (port = atoi(argv[1])) > 0 && port < 65536) {
        rc = start_server(port, &bound, &server);
    } else {
        fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                "usage: %s PORT | --client PORT | --demo\n"
                "A TCP line server on 127.0.0.1: each line comes back "
                "numbered and in upper case.\n",
                argv[0]);
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    if (rc == 0) {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }
    /* --demo: the client disposed the server after the answers (or here,
     * if it never got them); a plain server runs until interrupted. */
    rx_dispose(client.server);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "line_server: resources left behind\n");
        return 1;
    }
    return rc;
}
