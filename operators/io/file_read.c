/* SPDX-License-Identifier: MIT */
/*
 * file_chunks and file_lines: a file read with uv_fs_open / uv_fs_read /
 * uv_fs_close, one request at a time, as byte chunks or (through the
 * line splitter of lines.c) as lines.
 *
 * The descriptor, its request and the read buffer live in an rx__io_file
 * block (fs_file.c), which outlives the stage when a request is still in
 * flight. A read is issued only while downstream has demand. At the end
 * of the file, or on an error, the file is closed first and the terminal
 * signal goes down from the close callback (file_closed), so the
 * subscriber never sees the end while the file is open. A cancel closes
 * the file too, once a request in flight has finished.
 */
#include "io-internal.h"

struct file_obs {
    rx_observable base;
    uv_loop_t *loop;
    size_t chunk_size;
    char path[]; /* NUL-terminated copy */
};

struct file_stage {
    rx__stage base;
    rx__demand d;      /* d.cancelled: cancelled or terminal decided */
    rx__io_file *f;    /* owned until the file is closed */
    int64_t offset;    /* where the next read starts */
    rx_error *end_err; /* error to signal once the file is closed */
    bool ending;       /* end of file or error: closing, then terminal */
};

static const char *
file_path(const struct file_stage *st)
{
    return ((const struct file_obs *)st->base.obs)->path;
}

static rx_error *
file_error(const struct file_stage *st, int code, const char *what)
{
    return rx__error_at(rx__stage_site(&st->base), code, "%s: %s '%s': %s",
                        rx__stage_site(&st->base)->name, what, file_path(st),
                        uv_strerror(code));
}

/* The file is closed and its block gone: send the terminal signal the
 * stream was waiting for, if any. */
static void
file_closed(rx__stage *self, ssize_t result)
{
    struct file_stage *st = (struct file_stage *)self;
    rx_error *err = st->end_err;

    st->f = NULL;
    if (!st->ending) {
        return; /* closed after a cancel: nothing to signal */
    }
    st->ending = false;
    st->end_err = NULL;
    if (err == NULL && result < 0) {
        err = file_error(st, (int)result, "cannot close");
    }
    if (err != NULL) {
        rx__emit_new_error(self, err);
    } else {
        rx__emit_complete(self);
    }
}

/* The stream ends (end of file when err is NULL, else err, taken): close
 * the file, then signal. A request in flight closes the file from its
 * callback, which sees d.cancelled. */
static void
file_end(struct file_stage *st, rx_error *err)
{
    st->d.cancelled = true;
    st->ending = true;
    st->end_err = err;
    if (!st->f->busy) {
        rx__io_file_close(st->f);
    }
}

static void file_on_read(rx__stage *self, rx__io_file *f, ssize_t result);

/* Issues the next read when there is demand and nothing in flight. */
static void
file_maybe_read(struct file_stage *st)
{
    int rc;

    if (st->d.cancelled || st->d.requested == 0 || st->f == NULL ||
        st->f->busy || st->f->fd < 0) {
        return;
    }
    rc = rx__io_file_read(st->f, st->offset, file_on_read);
    if (rc < 0) {
        file_end(st, file_error(st, rc, "cannot read"));
    }
}

static void
file_on_open(rx__stage *self, rx__io_file *f, ssize_t result)
{
    struct file_stage *st = (struct file_stage *)self;

    if (st->d.cancelled) {
        rx__io_file_close(f); /* cancelled while opening */
    } else if (result < 0) {
        file_end(st, file_error(st, (int)result, "cannot open"));
    } else {
        file_maybe_read(st);
    }
}

/* Emits one chunk of n bytes from the block's buffer. */
static void
file_emit(struct file_stage *st, size_t n)
{
    rx_value v = rx_bytes(st->f->buf, n);

    if (rx_is_invalid(v)) {
        file_end(st,
                 rx__error_at(rx__stage_site(&st->base), RX_ENOMEM,
                              "%s: out of memory reading '%s'",
                              rx__stage_site(&st->base)->name, file_path(st)));
        return;
    }
    /* Demand goes down before the call, so a request made inside
     * on_next sees what is really left and may issue the next read. */
    st->d.requested = rx__demand_sub(st->d.requested, 1);
    if (!rx__emit_next(&st->base, v) && !st->d.cancelled) {
        st->d.requested = rx__demand_add(st->d.requested, 1);
    }
    rx_value_release(v);
}

static void
file_on_read(rx__stage *self, rx__io_file *f, ssize_t result)
{
    struct file_stage *st = (struct file_stage *)self;

    if (st->d.cancelled) {
        rx__io_file_close(f); /* cancelled, or ended, while reading */
    } else if (result < 0) {
        file_end(st, file_error(st, (int)result, "cannot read"));
    } else if (result == 0) {
        file_end(st, NULL);
    } else {
        st->offset += result;
        /* A cancel inside on_next closes the idle file itself; a read
         * issued inside on_next closes it from its callback. */
        file_emit(st, (size_t)result);
        file_maybe_read(st);
    }
}

static void
file_request(rx__stage *self, int64_t n)
{
    struct file_stage *st = (struct file_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.requested = rx__demand_add(st->d.requested, n);
    if (st->d.started) {
        file_maybe_read(st);
    }
}

static void
file_cancel(rx__stage *self)
{
    struct file_stage *st = (struct file_stage *)self;

    if (st->ending) {
        /* The end was decided but not yet signalled: it never will be. */
        st->ending = false;
        rx_error_release(st->end_err);
        st->end_err = NULL;
        return;
    }
    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    if (st->f != NULL && !st->f->busy && st->f->fd >= 0) {
        rx__io_file_close(st->f);
    }
}

static void
file_start(rx__stage *self)
{
    struct file_stage *st = (struct file_stage *)self;
    int rc;

    st->d.started = true;
    if (st->d.cancelled) {
        return;
    }
    rc =
        rx__io_file_open(st->f, file_path(st), UV_FS_O_RDONLY, 0, file_on_open);
    if (rc < 0) {
        file_end(st, file_error(st, rc, "cannot open"));
    }
}

static void
file_teardown(rx__stage *self)
{
    struct file_stage *st = (struct file_stage *)self;

    rx_error_release(st->end_err);
    st->end_err = NULL;
    if (st->f != NULL) {
        rx__io_file_detach(st->f);
        st->f = NULL;
    }
}

static const struct rx__stage_ops file_stage_ops = {
    .request = file_request,
    .cancel = file_cancel,
    .start = file_start,
    .teardown = file_teardown,
};

static int
file_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct file_obs *o = (struct file_obs *)self;
    struct file_stage *st;

    st = rx__stage_new(pipe, &file_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->f = rx__io_file_new(&st->base, o->loop, o->chunk_size, file_closed);
    if (st->f == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__io_bind(pipe, o->loop);
}

static const struct rx__obs_ops file_ops = {.assemble = file_assemble};

/* Builds the chunk source; `name` is the public function for messages. */
static rx_observable *
file_make(const rx_site *site, uv_loop_t *loop, const char *path,
          size_t chunk_size, const char *name)
{
    struct file_obs *o;
    size_t len;

    if (loop == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: loop must not be NULL", name);
    }
    if (path == NULL) {
        return rx__fail_null(RX_EINVAL, "%s: path must not be NULL", name);
    }
    if (chunk_size == 0 || chunk_size > RX_IO_CHUNK_MAX) {
        return rx__fail_null(
            RX_EINVAL, "%s: chunk_size must be 1 to RX_IO_CHUNK_MAX", name);
    }
    len = strlen(path);
    o = rx__observable_new(site, &file_ops, sizeof *o + len + 1, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->loop = loop;
    o->chunk_size = chunk_size;
    memcpy(o->path, path, len + 1);
    return &o->base;
}

rx_observable *
rx_file_chunks_at(const rx_site *site, uv_loop_t *loop, const char *path,
                  size_t chunk_size)
{
    return file_make(site, loop, path, chunk_size, "rx_file_chunks");
}

rx_observable *
rx_file_lines_at(const rx_site *site, uv_loop_t *loop, const char *path)
{
    return rx__io_lines(
        site, file_make(site, loop, path, RX_IO_CHUNK_SIZE, "rx_file_lines"));
}
