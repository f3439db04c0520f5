/* SPDX-License-Identifier: MIT */
/*
 * line_server: a TCP server where each connection is its own pipeline.
 *
 *   rx_tcp_server(127.0.0.1:PORT)           accepted connections
 *   -> rx_flat_map(serve)                   one pipeline per connection:
 *        rx_stream_lines(connection)          the client's lines
 *        -> rx_map(number and upper-case)     "3: HELLO"
 *        -> rx_tap_opts(count demand)         only to show backpressure
 *        -> rx_write_stream(connection)       written back
 *        -> rx_map(summary)                   "connection 1 answered ..."
 *        -> rx_on_error_return_fn(failed)     or "connection 1 failed ..."
 *
 * Backpressure goes all the way: rx_write_stream asks for another line
 * only while less than 64 KiB wait to be written to the client, and
 * rx_stream_lines stops reading the socket (uv_read_stop) while nobody
 * asks -- a client that does not read its answers makes the server stop
 * reading its requests, so memory stays bounded.
 *
 * To make that visible, the tap counts the lines the writer has asked for
 * and not yet received, and a uv_prepare_t looks at each connection once
 * per loop turn, before libuv waits for I/O. None asked for means nobody
 * reads the socket; libuv still holding answers the kernel would not take
 * (uv_stream_get_write_queue_size) says why: the client does not read.
 * The first pause and the first resume of a connection go to stdout;
 * every pause with its queued bytes goes to stderr, because those numbers
 * depend on the kernel's socket buffers. Each connection asks the kernel
 * for a 16 KiB send buffer, and the slow client for a 16 KiB receive
 * buffer, so the pause comes after some 100 KB instead of megabytes.
 *
 * Run the server and talk to it with nc:
 *     ./line_server 7000 &
 *     printf 'hello\nworld\n' | nc -q 1 127.0.0.1 7000
 * or let the program be its own client: ./line_server --client 7000
 * sends three lines; ./line_server --slow-client 7000 sends 20000 lines
 * at once, reads nothing for a second, then reads 4 KiB per millisecond.
 * "--demo" starts a server on a free port and runs both clients against
 * it, one after the other, in the same process; its slow client starts
 * reading as soon as the server reports its pause, so the output is the
 * same on every run (the test suite checks it).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>

enum {
    HIGH_WATER = 64 * 1024,    /* answer bytes in flight per connection */
    SOCKET_BUFFER = 16 * 1024, /* kernel buffers asked for */
    SLOW_LINES = 20000,        /* what the slow client sends */
    SLOW_READ = 4096,          /* ... and reads at a time */
    SLOW_GAP_MS = 1,           /* ... with this pause between reads */
};

struct client;
static void start_client(struct client *c);
static void slow_client_may_read(void);

/* The run's shared state: connections are numbered from 1; --demo keeps
 * the server's subscription and the clients it starts. */
static struct {
    int connections;
    int answered; /* connections finished */
    bool demo;
    rx_subscription *server;
    struct client *slow; /* --demo: started when connection 1 ends */
} run;

/* ---- the server --------------------------------------------------------- */

/* What one connection's pipeline keeps. */
struct session {
    rx_value conn;
    uv_stream_t *stream;
    uv_prepare_t watch; /* looks at the connection once per loop turn */
    int id;
    long line_no;  /* lines answered */
    int64_t asked; /* lines the writer asked for, not yet given */
    bool paused;   /* not reading, answers queued */
    bool ended;    /* the client's lines ended: nothing left to read */
    int pauses;
};

static void
session_free(uv_handle_t *h)
{
    free(h->data);
}

static void
session_drop(void *data)
{
    struct session *s = data;

    if (s->pauses > 0) {
        fprintf(stderr, "line_server: connection %d: %d pauses in all\n", s->id,
                s->pauses);
    }
    rx_value_release(s->conn); /* the last reference closes it */
    uv_close((uv_handle_t *)&s->watch, session_free);
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

/* The tap: what the writer asks for, and what it gets. */
static void
writer_asks(int64_t n, void *ctx)
{
    ((struct session *)ctx)->asked += n;
}

static void
writer_gets(rx_value v, void *ctx)
{
    (void)v;
    ((struct session *)ctx)->asked--;
}

static void
lines_end(void *ctx)
{
    ((struct session *)ctx)->ended = true;
}

/* Once per loop turn: has this connection stopped or resumed reading? */
static void
watch(uv_prepare_t *h)
{
    struct session *s = h->data;
    size_t queued = uv_stream_get_write_queue_size(s->stream);

    if (s->ended) {
        return;
    }
    if (!s->paused && s->asked == 0 && queued > 0) {
        s->paused = true;
        fprintf(stderr,
                "line_server: connection %d paused reading, %zu bytes of "
                "answers queued\n",
                s->id, queued);
        if (++s->pauses == 1) {
            printf("server: connection %d paused reading: its answers wait "
                   "for the client\n",
                   s->id);
            slow_client_may_read(); /* --demo: it waited for this */
        }
    } else if (s->paused && s->asked > 0) {
        s->paused = false;
        if (s->pauses == 1) {
            printf("server: connection %d reads again\n", s->id);
        }
    }
}

/* The writer's total, once it has written everything. */
static rx_value
summary(rx_value bytes, void *ctx, rx_error **err)
{
    struct session *s = ctx;
    char buf[128];

    (void)err;
    snprintf(buf, sizeof buf, "connection %d answered %ld lines (%lld bytes)",
             s->id, s->line_no, (long long)rx_as_int(bytes));
    return rx_str(buf);
}

/* A connection that fails (say, reset by its client) ends alone; the
 * server and its other connections go on. */
static rx_value
failed(const rx_error *e, void *ctx, rx_error **err)
{
    struct session *s = ctx;
    char buf[256];

    (void)err;
    snprintf(buf, sizeof buf, "connection %d failed after %ld lines: %s", s->id,
             s->line_no, rx_error_message(e));
    return rx_str(buf);
}

/* The pipeline of one connection. rx_attach hands the session to the
 * pipeline: it is dropped (closing the connection) when that ends. */
static rx_observable *
serve(rx_value conn, void *ctx, rx_error **err)
{
    struct session *s = calloc(1, sizeof *s);
    rx_tap_config counter = {.on_request = writer_asks,
                             .on_next = writer_gets,
                             .on_complete = lines_end};
    rx_observable *answers;

    (void)ctx;
    if (s == NULL) {
        *err = rx_error_new(RX_ENOMEM, "line_server: out of memory");
        return NULL;
    }
    s->conn = rx_value_retain(conn);
    s->stream = rx_tcp_connection_stream(conn);
    s->id = ++run.connections;
    uv_send_buffer_size((uv_handle_t *)s->stream, &(int){SOCKET_BUFFER});
    uv_prepare_init(uv_default_loop(), &s->watch);
    s->watch.data = s;
    uv_prepare_start(&s->watch, watch);
    counter.ctx = s;
    answers =
        rx_tap_opts(rx_map(rx_stream_lines(s->stream), shout, s), &counter);
    answers =
        rx_map(rx_write_stream(answers, s->stream, HIGH_WATER), summary, s);
    return rx_attach(rx_on_error_return_fn(answers, failed, s), s,
                     session_drop);
}

static void
server_next(rx_value v, void *ctx)
{
    (void)ctx;
    printf("server: %s\n", rx_str_cstr(v));
    if (run.demo && ++run.answered == 1) {
        start_client(run.slow); /* the quick client is done: the slow one */
    } else if (run.demo) {
        rx_dispose(run.server); /* both are done: the demo ends */
        run.server = NULL;
    }
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
start_server(int port, int *bound)
{
    struct sockaddr_in addr;
    rx_observer obs = {.on_next = server_next, .on_error = server_error};
    rx_observable *server;

    uv_ip4_addr("127.0.0.1", port, &addr);
    server = rx_flat_map(
        rx_tcp_server_opts(
            uv_default_loop(),
            &(rx_tcp_server_config){.addr = (const struct sockaddr *)&addr,
                                    .on_listening = print_listening,
                                    .ctx = bound}),
        serve, NULL);
    if (server == NULL || rx_subscribe(server, &obs, &run.server) != 0) {
        fprintf(stderr, "line_server: %s\n", rx_last_error_message());
        rx_observable_release(server);
        return 1;
    }
    rx_observable_release(server);
    return 0;
}

/* ---- clients, for --client, --slow-client and --demo (plain libuv) ------ */

struct client {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    uv_timer_t timer; /* the slow client's pauses */
    int port;
    bool slow;
    bool reading;  /* the slow client has begun to read */
    char *request; /* the lines to send */
    size_t request_len;
    int lines;   /* lines sent, so answers expected */
    int answers; /* answers received */
    int wrong;   /* the slow client's answers that were not as expected */
    char last[64];
    char buf[2 * SLOW_READ]; /* answers being assembled */
    size_t len;
};

static void
client_closed(uv_handle_t *h)
{
    (void)h;
}

static void
client_close(struct client *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) {
        uv_close((uv_handle_t *)&c->tcp, client_closed);
        uv_close((uv_handle_t *)&c->timer, client_closed);
    }
}

static void
client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    struct client *c = h->data;
    size_t room = sizeof c->buf - c->len;

    (void)size;
    if (c->slow && room > SLOW_READ) {
        room = SLOW_READ; /* a slow reader takes little at a time */
    }
    *buf = uv_buf_init(c->buf + c->len, (unsigned)room);
}

/* One answer, without its '\n': printed, or checked by the slow client. */
static void
client_answer(struct client *c, const char *line, size_t len)
{
    char want[64];

    c->answers++;
    if (!c->slow) {
        printf("answer: %.*s\n", (int)len, line);
        return;
    }
    snprintf(want, sizeof want, "%d: LINE %d", c->answers, c->answers);
    if (len != strlen(want) || memcmp(line, want, len) != 0) {
        c->wrong++;
    }
    snprintf(c->last, sizeof c->last, "%.*s", (int)len, line);
}

static void client_read_more(uv_timer_t *t);

static void
client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct client *c = s->data;
    char *nl;

    (void)buf;
    if (n < 0) {
        fprintf(stderr, "line_server: connection ended after %d answers\n",
                c->answers);
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
        size_t line = (size_t)(nl - c->buf) + 1;
        client_answer(c, c->buf, line - 1);
        memmove(c->buf, c->buf + line, c->len - line);
        c->len -= line;
    }
    if (c->answers == c->lines) {
        client_close(c); /* all answers in: the server sees the end */
    } else if (c->slow) {
        uv_read_stop(s); /* and reads again in a moment */
        uv_timer_start(&c->timer, client_read_more, SLOW_GAP_MS, 0);
    }
}

/* The slow client's timer (or --demo's server, seeing the pause). */
static void
client_read_more(uv_timer_t *t)
{
    struct client *c = t->data;

    if (!c->reading) {
        c->reading = true;
        uv_timer_stop(&c->timer);
        printf("slow client: now reads its answers, %d bytes every %d ms\n",
               SLOW_READ, SLOW_GAP_MS);
    }
    uv_read_start((uv_stream_t *)&c->tcp, client_alloc, client_read);
}

static void
slow_client_may_read(void)
{
    if (run.demo && !run.slow->reading) {
        client_read_more(&run.slow->timer);
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
    uv_buf_t buf = uv_buf_init(c->request, (unsigned)c->request_len);

    if (status < 0) {
        fprintf(stderr, "line_server: connect: %s\n", uv_strerror(status));
        client_close(c);
        rx_dispose(run.server); /* --demo: nothing more to show */
        run.server = NULL;
        return;
    }
    uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1, client_wrote);
    if (!c->slow) {
        printf("sent: hello, reactive, streams\n");
        uv_read_start((uv_stream_t *)&c->tcp, client_alloc, client_read);
        return;
    }
    /* Reads nothing until the server pauses (--demo) or for a second. */
    printf("slow client: sent %d lines, reads no answer yet\n", c->lines);
    uv_timer_start(&c->timer, client_read_more, run.demo ? 10000 : 1000, 0);
}

static void
start_client(struct client *c)
{
    struct sockaddr_in addr;
    int rc;

    uv_ip4_addr("127.0.0.1", c->port, &addr);
    uv_tcp_init_ex(uv_default_loop(), &c->tcp, AF_INET);
    if (c->slow) { /* a small window: the slow reader is felt sooner */
        uv_recv_buffer_size((uv_handle_t *)&c->tcp, &(int){SOCKET_BUFFER});
    }
    uv_timer_init(uv_default_loop(), &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->connect.data = c;
    rc = uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)&addr,
                        client_connected);
    if (rc != 0) {
        client_connected(&c->connect, rc);
    }
}

/* The slow client's request: "line 1\n" ... "line 20000\n". */
static int
make_slow(struct client *c)
{
    size_t cap = (size_t)SLOW_LINES * 16;

    c->slow = true;
    c->lines = SLOW_LINES;
    c->request = malloc(cap);
    for (int i = 1; c->request != NULL && i <= SLOW_LINES; i++) {
        c->request_len += (size_t)snprintf(
            c->request + c->request_len, cap - c->request_len, "line %d\n", i);
    }
    return c->request != NULL ? 0 : 1;
}

/* The client's verdict; 0 when every answer came back as expected. */
static int
client_report(const struct client *c)
{
    if (c->slow && c->answers > 0) {
        printf("slow client: got %d answers of %d, %d out of order; the "
               "last: \"%s\"\n",
               c->answers, c->lines, c->wrong, c->last);
    }
    return c->answers == c->lines && c->wrong == 0 ? 0 : 1;
}

static char quick_request[] = "hello\nreactive\nstreams\n";

/* A port number from 1 to 65535, or 0 for anything else. */
static int
parse_port(const char *text)
{
    char *end;
    long port = strtol(text, &end, 10);

    if (end == text || *end != '\0' || port < 1 || port > 65535) {
        return 0;
    }
    return (int)port;
}

int
main(int argc, char **argv)
{
    struct client quick = {.request = quick_request,
                           .request_len = sizeof quick_request - 1,
                           .lines = 3};
    struct client slow = {0};
    int bound = 0;
    int rc = 0;
    int port = argc >= 2 ? parse_port(argv[argc - 1]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order with stderr's */

    if (argc == 2 && strcmp(argv[1], "--demo") == 0) {
        run.demo = true;
        run.slow = &slow;
        rc = make_slow(&slow) || start_server(0, &bound);
        quick.port = slow.port = bound;
        if (rc == 0) {
            start_client(&quick);
        }
    } else if (argc == 3 && strcmp(argv[1], "--client") == 0 && port > 0) {
        quick.port = port;
        start_client(&quick);
    } else if (argc == 3 && strcmp(argv[1], "--slow-client") == 0 && port > 0) {
        slow.port = port;
        rc = make_slow(&slow);
        if (rc == 0) {
            start_client(&slow);
        }
    } else if (argc == 2 && port > 0) {
        rc = start_server(port, &bound);
    } else {
        bool help = argc == 2 && strcmp(argv[1], "--help") == 0;

        fprintf(help ? stdout : stderr,
                "usage: %s PORT | --client PORT | --slow-client PORT | "
                "--demo\n"
                "A TCP line server on 127.0.0.1: each line comes back "
                "numbered and in upper case.\n"
                "  PORT                serve on this port until interrupted\n"
                "  --client PORT       send three lines, print the answers\n"
                "  --slow-client PORT  send %d lines, read the answers late "
                "and slowly;\n"
                "                      the server pauses reading meanwhile\n"
                "  --demo              a server and both clients in one "
                "process\n",
                argv[0], SLOW_LINES);
        return help ? 0 : 2;
    }
    if (rc == 0) {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
        rc = (quick.port != 0 && client_report(&quick)) ||
             (slow.port != 0 && client_report(&slow));
    }
    /* --demo disposed the server after both connections (or here, if
     * they failed); a plain server runs until interrupted. */
    rx_dispose(run.server);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    free(slow.request);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "line_server: resources left behind\n");
        return 1;
    }
    return rc;
}
