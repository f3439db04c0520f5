/* SPDX-License-Identifier: MIT */
/*
 * write_file: writes each string or bytes item to a file, in order, and
 * once the upstream completed, the last write finished and the file is
 * closed, emits the number of bytes written.
 *
 * Writes go out one at a time (uv_fs_write at the current position), so
 * items land in order even with UV_FS_O_APPEND, and a short write
 * continues where it stopped. Items that arrive while a write runs wait
 * in a queue; the stage asks its upstream for one item at a time and
 * only while the queued and in-flight bytes stay below RX_IO_CHUNK_SIZE.
 *
 * The descriptor, its request and the item being written live in an
 * rx__io_file block (fs_file.c), which outlives the stage when a write
 * is still in flight. Every terminal signal (the total and completion,
 * or an error) goes down once the file is closed (wfile_closed), so the
 * file is closed when the subscriber hears the end.
 */
#include "io-internal.h"

struct wfile_obs {
    rx_observable base;
    uv_loop_t *loop;
    int flags;
    char path[]; /* NUL-terminated copy */
};

struct wfile_stage {
    rx__stage base;
    rx__outbox out;    /* emits the total, then completes */
    rx__io_file *f;    /* owned until the file is closed; f->cur is the
                        * item being written (nil when none) */
    rx__vqueue q;      /* items waiting for their write */
    size_t queued;     /* bytes waiting or being written */
    size_t done;       /* bytes of f->cur written so far */
    int64_t total;     /* bytes written */
    rx_error *end_err; /* error to signal once the file is closed */
    bool up_done;      /* the upstream terminated */
    bool outstanding;  /* an item was requested, not received */
    bool stopped;      /* no more writes: ending, or cancelled */
    bool ending;       /* closing, then the terminal signal */
};

static const char *
wfile_path(const struct wfile_stage *st)
{
    return ((const struct wfile_obs *)st->base.obs)->path;
}

static rx_error *
wfile_error(const struct wfile_stage *st, int code, const char *what)
{
    return rx__error_at(rx__stage_site(&st->base), code, "%s: %s '%s': %s",
                        rx__stage_site(&st->base)->name, what, wfile_path(st),
                        uv_strerror(code));
}

/* The file is closed and its block gone: send the terminal signal the
 * stage was waiting for, if any. */
static void
wfile_closed(rx__stage *self, ssize_t result)
{
    struct wfile_stage *st = (struct wfile_stage *)self;
    rx_error *err = st->end_err;

    st->f = NULL;
    if (!st->ending) {
        return; /* closed after a cancel */
    }
    st->ending = false;
    st->end_err = NULL;
    if (err == NULL && result < 0) {
        err = wfile_error(st, (int)result, "cannot close");
    }
    if (err != NULL) {
        rx__outbox_error(&st->out, err);
        rx_error_release(err);
    } else {
        rx__outbox_push(&st->out, rx_int(st->total));
        rx__outbox_complete(&st->out);
    }
}

/* Stops accepting items (dropping those queued) and cancels the
 * upstream unless it already ended. */
static void
wfile_stop(struct wfile_stage *st)
{
    st->stopped = true;
    st->queued = 0;
    rx__vqueue_clear(&st->q);
    if (!st->up_done) {
        st->up_done = true;
        rx__cancel_up(&st->base);
    }
}

/* Ends the stream: err (taken) or, when NULL, success. The file is
 * closed first (after a request in flight finishes: its callback sees
 * `stopped`), then the terminal signal goes down. */
static void
wfile_end(struct wfile_stage *st, rx_error *err)
{
    wfile_stop(st);
    st->ending = true;
    st->end_err = err;
    if (!st->f->busy) {
        rx__io_file_close(st->f);
    }
}

static void wfile_on_write(rx__stage *self, rx__io_file *f, ssize_t result);

/* Writes what is left of the current item. */
static void
wfile_write_cur(struct wfile_stage *st)
{
    const char *data = NULL;
    size_t len = 0;
    int rc;

    rx__io_item_bytes(st->f->cur, &data, &len);
    rc = rx__io_file_write(st->f, data + st->done, len - st->done,
                           wfile_on_write);
    if (rc < 0) {
        wfile_end(st, wfile_error(st, rc, "cannot write"));
    }
}

/* Starts the next write when the file is open and idle. */
static void
wfile_pump(struct wfile_stage *st)
{
    rx__io_file *f = st->f;

    if (st->stopped || f == NULL || f->fd < 0 || f->busy ||
        !rx_is_nil(f->cur) || st->q.len == 0) {
        return;
    }
    f->cur = rx__vqueue_pop(&st->q);
    st->done = 0;
    wfile_write_cur(st);
}

static void
wfile_maybe_request(struct wfile_stage *st)
{
    if (st->stopped || st->up_done || st->outstanding ||
        st->queued >= RX_IO_CHUNK_SIZE) {
        return;
    }
    st->outstanding = true;
    rx__request_up(&st->base, 1);
}

/* Success: the upstream completed and every byte is written. */
static void
wfile_maybe_finish(struct wfile_stage *st)
{
    if (st->stopped || !st->up_done || st->queued > 0 || st->f->busy) {
        return;
    }
    wfile_end(st, NULL);
}

static void
wfile_on_open(rx__stage *self, rx__io_file *f, ssize_t result)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    if (st->stopped) {
        rx__io_file_close(f); /* ended or cancelled while opening */
    } else if (result < 0) {
        wfile_end(st, wfile_error(st, (int)result, "cannot open"));
    } else {
        wfile_pump(st);
        wfile_maybe_finish(st);
    }
}

/* A write of the current item finished having written n > 0 bytes. */
static void
wfile_advance(struct wfile_stage *st, size_t n)
{
    const char *data = NULL;
    size_t len = 0;

    rx__io_item_bytes(st->f->cur, &data, &len);
    st->done += n;
    st->total += (int64_t)n;
    if (st->done < len) {
        wfile_write_cur(st); /* a short write: go on from there */
        return;
    }
    rx_value_release(st->f->cur);
    st->f->cur = rx_nil();
    st->queued -= len;
    wfile_pump(st);
    wfile_maybe_request(st);
    wfile_maybe_finish(st);
}

static void
wfile_on_write(rx__stage *self, rx__io_file *f, ssize_t result)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    if (st->stopped) {
        rx__io_file_close(f);
    } else if (result < 0) {
        wfile_end(st, wfile_error(st, (int)result, "cannot write"));
    } else if (result == 0) {
        /* A write of a non-empty buffer that wrote nothing would repeat
         * for ever. */
        wfile_end(st, wfile_error(st, UV_EIO, "cannot write"));
    } else {
        wfile_advance(st, (size_t)result);
    }
}

static bool
wfile_on_next(rx__stage *self, rx_value v)
{
    struct wfile_stage *st = (struct wfile_stage *)self;
    const char *data;
    size_t len;

    if (st->stopped) {
        return true;
    }
    st->outstanding = false;
    if (!rx__io_item_bytes(v, &data, &len)) {
        wfile_end(st, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                   "%s: an item must be a string or bytes "
                                   "(got type %u)",
                                   rx__stage_site(self)->name, v.type));
        return true;
    }
    if (len > 0) {
        if (rx__vqueue_push(&st->q, rx_value_retain(v)) != 0) {
            wfile_end(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                       "%s: out of memory",
                                       rx__stage_site(self)->name));
            return true;
        }
        st->queued += len;
        wfile_pump(st);
    }
    wfile_maybe_request(st);
    return true;
}

static void
wfile_on_error(rx__stage *self, const rx_error *err)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    if (st->stopped) {
        rx__undeliverable(err);
        return;
    }
    st->up_done = true;
    wfile_end(st, rx_error_retain(err));
}

static void
wfile_on_complete(rx__stage *self)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    st->up_done = true;
    wfile_maybe_finish(st);
}

static void
wfile_request(rx__stage *self, int64_t n)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    rx__outbox_request(&st->out, n);
}

static void
wfile_cancel(rx__stage *self)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    rx__outbox_cancel(&st->out);
    if (st->ending) {
        /* The end was decided but not yet signalled: it never will be. */
        st->ending = false;
        rx_error_release(st->end_err);
        st->end_err = NULL;
        return;
    }
    if (st->stopped) {
        return;
    }
    wfile_stop(st);
    /* A request in flight closes the file from its callback. */
    if (st->f != NULL && !st->f->busy && st->f->fd >= 0) {
        rx__io_file_close(st->f);
    }
}

static void
wfile_start(rx__stage *self)
{
    struct wfile_stage *st = (struct wfile_stage *)self;
    const struct wfile_obs *o = (const struct wfile_obs *)self->obs;
    int rc;

    rx__outbox_start(&st->out);
    if (st->stopped) {
        return;
    }
    rc = rx__io_file_open(st->f, o->path, o->flags, 0666, wfile_on_open);
    if (rc < 0) {
        wfile_end(st, wfile_error(st, rc, "cannot open"));
        return;
    }
    wfile_maybe_request(st);
    rx__stage_start(self->up);
}

static void
wfile_teardown(rx__stage *self)
{
    struct wfile_stage *st = (struct wfile_stage *)self;

    rx__vqueue_clear(&st->q);
    rx__vqueue_clear(&st->out.q);
    rx_error_release(st->end_err);
    st->end_err = NULL;
    if (st->f != NULL) {
        rx__io_file_detach(st->f);
        st->f = NULL;
    }
}

static const struct rx__stage_ops wfile_stage_ops = {
    .on_next = wfile_on_next,
    .on_error = wfile_on_error,
    .on_complete = wfile_on_complete,
    .request = wfile_request,
    .cancel = wfile_cancel,
    .start = wfile_start,
    .teardown = wfile_teardown,
};

static int
wfile_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct wfile_obs *o = (struct wfile_obs *)self;
    struct wfile_stage *st;
    int rc;

    st = rx__stage_new(pipe, &wfile_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__outbox_init(&st->out, &st->base);
    st->f = rx__io_file_new(&st->base, o->loop, 0, wfile_closed);
    if (st->f == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    rc = rx__io_bind(pipe, o->loop);
    if (rc < 0) {
        return rc;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops wfile_ops = {.assemble = wfile_assemble};

rx_observable *
rx_write_file_at(const rx_site *site, rx_observable *src, uv_loop_t *loop,
                 const char *path, int flags)
{
    struct wfile_obs *o;
    size_t len;

    if (src == NULL) {
        return NULL;
    }
    if (loop == NULL || path == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_write_file: %s must not be NULL",
                             loop == NULL ? "loop" : "path");
    }
    if ((flags & (UV_FS_O_WRONLY | UV_FS_O_RDWR)) == 0) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL, "rx_write_file: flags must include "
                                        "UV_FS_O_WRONLY or UV_FS_O_RDWR");
    }
    len = strlen(path);
    o = rx__observable_new(site, &wfile_ops, sizeof *o + len + 1, src);
    if (o == NULL) {
        return NULL;
    }
    o->loop = loop;
    o->flags = flags;
    memcpy(o->path, path, len + 1);
    return &o->base;
}
