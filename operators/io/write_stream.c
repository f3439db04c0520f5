/* SPDX-License-Identifier: MIT */
/*
 * write_stream: writes each string or bytes item to a user's uv_stream_t
 * and, once the upstream completed and the last write callback ran,
 * emits the number of bytes written.
 *
 * Demand. The stage asks its upstream for one item at a time, and only
 * while the bytes it has handed to uv_write() and not yet seen called
 * back stay below the high-water mark; a write callback that brings them
 * back below asks for the next item. So a slow peer stops the source.
 *
 * Lifetimes. Each item travels in a write block of its own (uv_write_t,
 * the item's value, which holds the bytes, and its length), freed in the
 * write callback (see io-internal.h). The blocks reach the stage through
 * a shared anchor: the stage clears anchor->stage in its teardown, and
 * the last block out (or the teardown, when none is in flight) frees the
 * anchor, so a write that finishes after the stage is gone only cleans
 * up after itself.
 */
#include "io-internal.h"

struct write_obs {
    rx_observable base;
    uv_stream_t *stream;
    size_t high_water;
};

struct write_stage;

struct write_anchor {
    struct write_stage *stage; /* NULL once the stage is gone */
    size_t blocks;             /* write blocks in flight */
};

struct write_block {
    uv_write_t req; /* first: the callback casts back */
    struct write_anchor *anchor;
    rx_value v; /* the item, holding the bytes until the callback */
    size_t len;
};

struct write_stage {
    rx__stage base;
    rx__outbox out;              /* emits the total, then completes */
    struct write_anchor *anchor; /* owned with the blocks in flight */
    uv_stream_t *stream;         /* the user's; never closed here */
    size_t queued;               /* bytes handed to libuv, not called back */
    int64_t total;               /* bytes written */
    bool up_done;                /* the upstream completed */
    bool outstanding;            /* an item was requested, not received */
    bool stopped;                /* error, cancel or total sent */
    char name[RX__IO_NAME_MAX];  /* the peer, for error messages */
};

/* Asks for the next item while below the high-water mark. */
static void
write_maybe_request(struct write_stage *st)
{
    const struct write_obs *o = (const struct write_obs *)st->base.obs;

    if (st->stopped || st->up_done || st->outstanding ||
        st->queued >= o->high_water) {
        return;
    }
    st->outstanding = true;
    rx__request_up(&st->base, 1);
}

/* Emits the total once the upstream completed and nothing is in flight. */
static void
write_maybe_finish(struct write_stage *st)
{
    if (st->stopped || !st->up_done || st->queued > 0) {
        return;
    }
    st->stopped = true;
    rx__outbox_push(&st->out, rx_int(st->total));
    rx__outbox_complete(&st->out);
}

/* Stops on an error of the sink's own (taken): cancels the upstream. */
static void
write_fail(struct write_stage *st, rx_error *err)
{
    st->stopped = true;
    if (!st->up_done) {
        rx__cancel_up(&st->base);
    }
    rx__outbox_error(&st->out, err);
    rx_error_release(err);
}

static void
write_on_write(uv_write_t *req, int status)
{
    struct write_block *wb = (struct write_block *)req;
    struct write_anchor *anchor = wb->anchor;
    struct write_stage *st = anchor->stage;
    size_t len = wb->len;
    rx__pipeline *pipe;

    rx_value_release(wb->v);
    rx__free(wb);
    anchor->blocks--;
    if (st == NULL) {
        if (anchor->blocks == 0) {
            rx__free(anchor);
        }
        return;
    }
    pipe = st->base.pipe;
    rx__frame_enter(pipe);
    st->queued -= len;
    if (status < 0) {
        if (!st->stopped) {
            write_fail(st, rx__error_at(rx__stage_site(&st->base), status,
                                        "%s: cannot write to %s: %s",
                                        rx__stage_site(&st->base)->name,
                                        st->name, uv_strerror(status)));
        }
    } else {
        st->total += (int64_t)len;
        write_maybe_request(st);
        write_maybe_finish(st);
    }
    rx__frame_exit(pipe);
}

static bool
write_on_next(rx__stage *self, rx_value v)
{
    struct write_stage *st = (struct write_stage *)self;
    struct write_block *wb;
    const char *data;
    size_t len;
    uv_buf_t buf;
    int rc;

    if (st->stopped) {
        return true;
    }
    st->outstanding = false;
    if (!rx__io_item_bytes(v, &data, &len)) {
        write_fail(st, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                    "%s: an item must be a string or bytes "
                                    "(got type %u)",
                                    rx__stage_site(self)->name, v.type));
        return true;
    }
    if (len > 0) {
        wb = rx__malloc(sizeof *wb);
        if (wb == NULL) {
            write_fail(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                        "%s: out of memory",
                                        rx__stage_site(self)->name));
            return true;
        }
        wb->anchor = st->anchor;
        wb->v = rx_value_retain(v);
        wb->len = len;
        /* libuv reads the bytes and never writes them. The fields are
         * set directly: uv_buf_init() would cut len to unsigned int. */
        buf.base = (char *)data;
        buf.len = len;
        rc = uv_write(&wb->req, st->stream, &buf, 1, write_on_write);
        if (rc < 0) {
            rx_value_release(wb->v);
            rx__free(wb);
            write_fail(st, rx__error_at(rx__stage_site(self), rc,
                                        "%s: cannot write to %s: %s",
                                        rx__stage_site(self)->name, st->name,
                                        uv_strerror(rc)));
            return true;
        }
        st->anchor->blocks++;
        st->queued += len;
    }
    write_maybe_request(st);
    return true;
}

static void
write_on_error(rx__stage *self, const rx_error *err)
{
    struct write_stage *st = (struct write_stage *)self;

    if (st->stopped) {
        rx__undeliverable(err);
        return;
    }
    st->stopped = true;
    rx__outbox_error(&st->out, err);
}

static void
write_on_complete(rx__stage *self)
{
    struct write_stage *st = (struct write_stage *)self;

    st->up_done = true;
    write_maybe_finish(st);
}

static void
write_request(rx__stage *self, int64_t n)
{
    struct write_stage *st = (struct write_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
write_cancel(rx__stage *self)
{
    struct write_stage *st = (struct write_stage *)self;
    bool was_stopped = st->stopped;

    st->stopped = true;
    rx__outbox_cancel(&st->out);
    if (!was_stopped && !st->up_done) {
        rx__cancel_up(self);
    }
}

static void
write_start(rx__stage *self)
{
    struct write_stage *st = (struct write_stage *)self;

    rx__io_stream_text(st->stream, st->name, sizeof st->name);
    rx__outbox_start(&st->out);
    write_maybe_request(st);
    rx__stage_start(self->up);
}

static void
write_teardown(rx__stage *self)
{
    struct write_stage *st = (struct write_stage *)self;
    struct write_anchor *anchor = st->anchor;

    rx__vqueue_clear(&st->out.q);
    if (anchor == NULL) {
        return;
    }
    st->anchor = NULL;
    anchor->stage = NULL;
    if (anchor->blocks == 0) {
        rx__free(anchor);
    }
}

static const struct rx__stage_ops write_stage_ops = {
    .on_next = write_on_next,
    .on_error = write_on_error,
    .on_complete = write_on_complete,
    .request = write_request,
    .cancel = write_cancel,
    .start = write_start,
    .teardown = write_teardown,
};

static int
write_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct write_obs *o = (struct write_obs *)self;
    struct write_stage *st;
    int rc;

    st = rx__stage_new(pipe, &write_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    st->stream = o->stream;
    st->anchor = rx__calloc(1, sizeof *st->anchor);
    if (st->anchor == NULL) {
        rx__set_last_error(RX_ENOMEM, "%s: out of memory", self->site.name);
        return RX_ENOMEM;
    }
    st->anchor->stage = st;
    *out = &st->base;
    rc = rx__io_bind(pipe, o->stream->loop);
    if (rc < 0) {
        return rc;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops write_ops = {.assemble = write_assemble};

rx_observable *
rx_write_stream_at(const rx_site *site, rx_observable *src, uv_stream_t *stream,
                   size_t high_water)
{
    struct write_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (stream == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_write_stream: stream must not be NULL");
    }
    if (high_water == 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_write_stream: high_water must "
                                        "be greater than 0");
    }
    o = rx__observable_new(site, &write_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->stream = stream;
    o->high_water = high_water;
    return &o->base;
}
