/* SPDX-License-Identifier: MIT */
/*
 * tcp_server: listens on an address and emits each accepted connection
 * as a box value owning its uv_tcp_t.
 *
 * Accepting follows demand. When a connection arrives without demand,
 * the stage does not call uv_accept(); libuv then keeps that one
 * connection pending and stops polling the listening socket, so further
 * connections wait in the kernel's listen queue (bounded by the backlog)
 * until demand returns and uv_accept() resumes polling. uvrx itself holds
 * no connection.
 *
 * The listening handle lives in a block of its own, freed in its close
 * callback (see io-internal.h); the stage closes it on cancel, on error
 * and in teardown. Each connection is another block, owned by its box
 * value: the box's drop closes the handle and the close callback frees
 * it.
 */
#include "io-internal.h"
#include "rx-assert.h"

struct server_obs {
    rx_observable base;
    uv_loop_t *loop;
    struct sockaddr_storage addr;
    int backlog;
    rx_listening_fn on_listening;
    void *ctx;
};

struct server_stage;

/* The listening handle; freed in its close callback. */
struct listener {
    uv_tcp_t tcp;               /* first: callbacks cast the handle back */
    struct server_stage *stage; /* NULL once the stage is gone */
    bool open;                  /* uv_tcp_init ran: close before freeing */
};

/* One accepted connection, owned by its box value. */
struct connection {
    uv_tcp_t tcp; /* first: the close callback casts back */
};

struct server_stage {
    rx__stage base;
    rx__demand d;               /* d.cancelled: cancelled or terminal sent */
    struct listener *lis;       /* until closed */
    bool pending;               /* a connection waits for uv_accept() */
    char name[RX__IO_NAME_MAX]; /* the address, for messages */
};

static void
listener_on_close(uv_handle_t *h)
{
    rx__free(h); /* the listener starts with its handle */
}

/* Closes and detaches the listening handle (idempotent). */
static void
server_close(struct server_stage *st)
{
    struct listener *lis = st->lis;

    if (lis == NULL) {
        return;
    }
    st->lis = NULL;
    lis->stage = NULL;
    if (lis->open) {
        uv_close((uv_handle_t *)&lis->tcp, listener_on_close);
    } else {
        rx__free(lis);
    }
}

static void
server_fail(struct server_stage *st, int code, const char *what)
{
    server_close(st);
    st->d.cancelled = true;
    rx__emit_new_error(&st->base,
                       rx__error_at(rx__stage_site(&st->base), code,
                                    "%s: %s %s: %s",
                                    rx__stage_site(&st->base)->name, what,
                                    st->name, uv_strerror(code)));
}

static void
connection_on_close(uv_handle_t *h)
{
    rx__free(h);
}

/* The drop function of connection values. */
static void
connection_drop(void *data)
{
    struct connection *c = data;

    uv_close((uv_handle_t *)&c->tcp, connection_on_close);
}

uv_stream_t *
rx_tcp_connection_stream(rx_value v)
{
    struct connection *c;

    if (!rx_is_box(v) || rx__box_drop(v) != connection_drop) {
        return NULL;
    }
    c = rx_box_data(v);
    return (uv_stream_t *)&c->tcp;
}

/* Accepts the pending connection and emits it. */
static void
server_accept(struct server_stage *st)
{
    struct connection *c;
    rx_value v;
    int rc;

    st->pending = false;
    c = rx__malloc(sizeof *c);
    if (c == NULL) {
        server_fail(st, RX_ENOMEM, "out of memory accepting on");
        return;
    }
    rc = uv_tcp_init(st->lis->tcp.loop, &c->tcp);
    if (rc < 0) {
        rx__free(c);
        server_fail(st, rc, "cannot accept on");
        return;
    }
    c->tcp.data = NULL; /* the user's, like any handle they hold */
    rc = uv_accept((uv_stream_t *)&st->lis->tcp, (uv_stream_t *)&c->tcp);
    if (rc < 0) {
        connection_drop(c);
        server_fail(st, rc, "cannot accept on");
        return;
    }
    v = rx_box(c, connection_drop); /* drops c itself when it fails */
    if (rx_is_invalid(v)) {
        server_fail(st, RX_ENOMEM, "out of memory accepting on");
        return;
    }
    st->d.requested = rx__demand_sub(st->d.requested, 1);
    if (!rx__emit_next(&st->base, v) && !st->d.cancelled) {
        st->d.requested = rx__demand_add(st->d.requested, 1);
    }
    rx_value_release(v);
}

static void
server_on_connection(uv_stream_t *server, int status)
{
    struct listener *lis = (struct listener *)server;
    struct server_stage *st = lis->stage;
    rx__pipeline *pipe;

    if (RX__NEVER(st == NULL)) {
        return; /* a closing handle gets no callbacks */
    }
    pipe = st->base.pipe;
    rx__frame_enter(pipe);
    if (st->d.cancelled) {
        /* nothing: the handle is being closed */
    } else if (status < 0) {
        server_fail(st, status, "cannot accept on");
    } else if (st->d.requested > 0 && !st->d.draining) {
        server_accept(st);
    } else {
        st->pending = true; /* libuv stops polling until uv_accept() */
    }
    rx__frame_exit(pipe);
}

static void
server_request(rx__stage *self, int64_t n)
{
    struct server_stage *st = (struct server_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.requested = rx__demand_add(st->d.requested, n);
    /* At most one connection is pending; the guard keeps a request made
     * inside on_next from accepting inside the emission. */
    if (st->pending && st->d.started && !st->d.draining) {
        st->d.draining = true;
        while (st->pending && st->d.requested > 0 && !st->d.cancelled) {
            server_accept(st);
        }
        st->d.draining = false;
    }
}

static void
server_cancel(rx__stage *self)
{
    struct server_stage *st = (struct server_stage *)self;

    st->d.cancelled = true;
    server_close(st);
}

/* Binds, listens, and tells on_listening the bound address. */
static void
server_start(rx__stage *self)
{
    struct server_stage *st = (struct server_stage *)self;
    const struct server_obs *o = (const struct server_obs *)self->obs;
    struct sockaddr_storage bound;
    int len = (int)sizeof bound;
    int rc;

    st->d.started = true;
    if (st->d.cancelled) {
        return;
    }
    rc = uv_tcp_init(o->loop, &st->lis->tcp);
    if (rc < 0) {
        server_fail(st, rc, "cannot listen on");
        return;
    }
    st->lis->open = true;
    rc = uv_tcp_bind(&st->lis->tcp, (const struct sockaddr *)&o->addr, 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&st->lis->tcp, o->backlog,
                       server_on_connection);
    }
    if (rc < 0) {
        server_fail(st, rc, "cannot listen on");
        return;
    }
    rc = uv_tcp_getsockname(&st->lis->tcp, (struct sockaddr *)&bound, &len);
    if (rc < 0) {
        server_fail(st, rc, "cannot listen on");
        return;
    }
    rx__io_addr_text((const struct sockaddr *)&bound, st->name,
                     sizeof st->name);
    if (o->on_listening != NULL) {
        o->on_listening((const struct sockaddr *)&bound, o->ctx);
    }
}

static void
server_teardown(rx__stage *self)
{
    server_close((struct server_stage *)self);
}

static const struct rx__stage_ops server_stage_ops = {
    .request = server_request,
    .cancel = server_cancel,
    .start = server_start,
    .teardown = server_teardown,
};

static int
server_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct server_obs *o = (struct server_obs *)self;
    struct server_stage *st;

    st = rx__stage_new(pipe, &server_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->lis = rx__calloc(1, sizeof *st->lis);
    if (st->lis == NULL) {
        rx__set_last_error(RX_ENOMEM, "%s: out of memory", self->site.name);
        return RX_ENOMEM;
    }
    st->lis->stage = st;
    rx__io_addr_text((const struct sockaddr *)&o->addr, st->name,
                     sizeof st->name);
    *out = &st->base;
    return rx__io_bind(pipe, o->loop);
}

static const struct rx__obs_ops server_ops = {.assemble = server_assemble};

rx_observable *
rx_tcp_server_opts_at(const rx_site *site, uv_loop_t *loop,
                      const rx_tcp_server_config *cfg)
{
    struct server_obs *o;
    size_t len;

    if (loop == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: loop must not be NULL",
                             site->name);
    }
    if (cfg == NULL || cfg->addr == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: addr must not be NULL",
                             site->name);
    }
    if (cfg->addr->sa_family == AF_INET) {
        len = sizeof(struct sockaddr_in);
    } else if (cfg->addr->sa_family == AF_INET6) {
        len = sizeof(struct sockaddr_in6);
    } else {
        return rx__fail_null(RX_EINVAL, "%s: addr must be IPv4 or IPv6",
                             site->name);
    }
    if (cfg->backlog < 0) {
        return rx__fail_null(RX_EINVAL, "%s: backlog must be >= 0", site->name);
    }
    o = rx__observable_new(site, &server_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->loop = loop;
    memcpy(&o->addr, cfg->addr, len);
    o->backlog = cfg->backlog == 0 ? 128 : cfg->backlog;
    o->on_listening = cfg->on_listening;
    o->ctx = cfg->ctx;
    return &o->base;
}

rx_observable *
rx_tcp_server_at(const rx_site *site, uv_loop_t *loop,
                 const struct sockaddr *addr, int backlog)
{
    rx_tcp_server_config cfg = {.addr = addr, .backlog = backlog};

    return rx_tcp_server_opts_at(site, loop, &cfg);
}
