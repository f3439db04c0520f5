/* SPDX-License-Identifier: MIT */
/*
 * stream_chunks and stream_lines: what arrives on a user's uv_stream_t,
 * as byte chunks or (through the splitter of lines.c) as lines.
 *
 * Backpressure reaches the kernel: uv_read_start() runs only while
 * downstream demand is above zero and uv_read_stop() as soon as it
 * reaches zero. Each read callback brings one chunk, delivered at once,
 * so uvrx holds no data between reads; the only buffer is the read
 * buffer in the stage.
 *
 * Finding the stage. libuv's read callbacks receive only the stream, and
 * the stream (with its `data` field) belongs to the user. So each thread
 * keeps a table from stream to the stage reading it. Reads of a stream
 * happen on its loop's thread, which is also where the subscription
 * starts and stops, so the table needs no lock. An entry lives from start
 * to the terminal signal, cancel or teardown, and a second subscription
 * to the same stream in that time fails with RX_EBUSY.
 *
 * No libuv request outlives the stage: uv_read_stop() is synchronous, so
 * once the stage has stopped reading (at the latest in its teardown) no
 * callback can reach it, and the buffer can live in the stage.
 */
#include "rx-uthash.h"

#include "io-internal.h"
#include "rx-assert.h"

struct stream_obs {
    rx_observable base;
    uv_stream_t *stream;
};

struct stream_stage {
    rx__stage base;
    rx__demand d;               /* d.cancelled: cancelled or terminal sent */
    uv_stream_t *stream;        /* the user's; never closed here */
    rx_value key;               /* rx_ptr(stream): the table key */
    UT_hash_handle hh;          /* entry in this thread's table */
    bool listed;                /* in the table */
    bool reading;               /* between uv_read_start and uv_read_stop */
    char name[RX__IO_NAME_MAX]; /* the peer, for error messages */
    char buf[RX_IO_CHUNK_SIZE];
};

/* This thread's streams being read, keyed by stream. */
static _Thread_local struct stream_stage *readers;

static struct stream_stage *
stream_find(const uv_stream_t *stream)
{
    struct stream_stage *st = NULL;
    rx_value key = rx_ptr((void *)stream);

    HASH_FIND(hh, readers, &key, sizeof key, st);
    return st;
}

/* Stops reading and leaves the table; idempotent. */
static void
stream_stop(struct stream_stage *st)
{
    if (st->reading) {
        st->reading = false;
        uv_read_stop(st->stream);
    }
    if (st->listed) {
        st->listed = false;
        HASH_DELETE(hh, readers, st);
    }
}

static void
stream_fail(struct stream_stage *st, rx_error *err)
{
    stream_stop(st);
    st->d.cancelled = true;
    rx__emit_new_error(&st->base, err);
}

static void
stream_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct stream_stage *st = stream_find((uv_stream_t *)handle);

    (void)suggested;
    if (RX__NEVER(st == NULL)) {
        *buf = uv_buf_init(NULL, 0); /* read_cb then gets UV_ENOBUFS */
        return;
    }
    *buf = uv_buf_init(st->buf, sizeof st->buf);
}

/* Emits one chunk of n bytes from the stage's buffer. */
static void
stream_emit(struct stream_stage *st, size_t n)
{
    rx_value v = rx_bytes(st->buf, n);

    if (rx_is_invalid(v)) {
        stream_fail(st,
                    rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                                 "%s: out of memory reading from %s",
                                 rx__stage_site(&st->base)->name, st->name));
        return;
    }
    /* Demand goes down before the call, so that a request made inside
     * on_next sees what is really left. */
    st->d.requested = rx__demand_sub(st->d.requested, 1);
    if (!rx__emit_next(&st->base, v) && !st->d.cancelled) {
        st->d.requested = rx__demand_add(st->d.requested, 1);
    }
    rx_value_release(v);
    if (!st->d.cancelled && st->d.requested == 0 && st->reading) {
        st->reading = false;
        uv_read_stop(st->stream); /* backpressure: the kernel buffers */
    }
}

static void
stream_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct stream_stage *st = stream_find(stream);
    rx__pipeline *pipe;

    (void)buf;
    if (RX__NEVER(st == NULL)) {
        uv_read_stop(stream);
        return;
    }
    if (nread == 0) {
        return; /* EAGAIN: nothing this time */
    }
    pipe = st->base.pipe;
    rx__frame_enter(pipe);
    if (nread > 0) {
        stream_emit(st, (size_t)nread);
    } else if (nread == UV_EOF) {
        stream_stop(st);
        st->d.cancelled = true;
        rx__emit_complete(&st->base);
    } else {
        stream_fail(st, rx__error_at(rx__stage_site(&st->base), (int)nread,
                                     "%s: cannot read from %s: %s",
                                     rx__stage_site(&st->base)->name, st->name,
                                     uv_strerror((int)nread)));
    }
    rx__frame_exit(pipe);
}

/* Starts reading when there is demand and reading is off. */
static void
stream_maybe_read(struct stream_stage *st)
{
    int rc;

    if (st->d.cancelled || !st->d.started || st->reading ||
        st->d.requested == 0) {
        return;
    }
    rc = uv_read_start(st->stream, stream_alloc, stream_on_read);
    if (rc < 0) {
        stream_fail(st, rx__error_at(rx__stage_site(&st->base), rc,
                                     "%s: cannot read from %s: %s",
                                     rx__stage_site(&st->base)->name, st->name,
                                     uv_strerror(rc)));
        return;
    }
    st->reading = true;
}

static void
stream_request(rx__stage *self, int64_t n)
{
    struct stream_stage *st = (struct stream_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.requested = rx__demand_add(st->d.requested, n);
    stream_maybe_read(st);
}

static void
stream_cancel(rx__stage *self)
{
    struct stream_stage *st = (struct stream_stage *)self;

    st->d.cancelled = true;
    stream_stop(st);
}

static void
stream_start(rx__stage *self)
{
    struct stream_stage *st = (struct stream_stage *)self;

    st->d.started = true;
    if (st->d.cancelled) {
        return;
    }
    rx__io_stream_text(st->stream, st->name, sizeof st->name);
    if (stream_find(st->stream) != NULL) {
        st->d.cancelled = true;
        rx__emit_new_error(self,
                           rx__error_at(rx__stage_site(self), RX_EBUSY,
                                        "%s: %s is already read by another "
                                        "subscription",
                                        rx__stage_site(self)->name, st->name));
        return;
    }
    HASH_ADD_KEYPTR(hh, readers, &st->key, sizeof st->key, st);
    if (!RX__HASH_ADDED(st)) {
        st->d.cancelled = true;
        rx__emit_new_error(self, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                              "%s: out of memory",
                                              rx__stage_site(self)->name));
        return;
    }
    st->listed = true;
    stream_maybe_read(st);
}

static void
stream_teardown(rx__stage *self)
{
    stream_stop((struct stream_stage *)self);
}

static const struct rx__stage_ops stream_stage_ops = {
    .request = stream_request,
    .cancel = stream_cancel,
    .start = stream_start,
    .teardown = stream_teardown,
};

static int
stream_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    struct stream_obs *o = (struct stream_obs *)self;
    struct stream_stage *st;

    st = rx__stage_new(pipe, &stream_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->stream = o->stream;
    st->key = rx_ptr(o->stream);
    *out = &st->base;
    return rx__io_bind(pipe, o->stream->loop);
}

static const struct rx__obs_ops stream_ops = {.assemble = stream_assemble};

static rx_observable *
stream_make(const rx_site *site, uv_stream_t *stream, const char *name)
{
    struct stream_obs *o;

    if (stream == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: stream must not be NULL", name);
    }
    o = rx__observable_new(site, &stream_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->stream = stream;
    return &o->base;
}

rx_observable *
rx_stream_chunks_at(const rx_site *site, uv_stream_t *stream)
{
    return stream_make(site, stream, "rx_stream_chunks");
}

rx_observable *
rx_stream_lines_at(const rx_site *site, uv_stream_t *stream)
{
    return rx__io_lines(site, stream_make(site, stream, "rx_stream_lines"));
}
