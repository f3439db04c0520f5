/* SPDX-License-Identifier: MIT */
/*
 * A file and its one fs request in a block of their own, shared by the
 * file source (file_read.c) and the file sink (write_file.c).
 *
 * The block exists because a uv_fs_t in flight must not be freed, while
 * the pipeline may free the stage that started it (io-internal.h). The
 * stage drives the block one request at a time and hears each completion
 * inside a frame of its pipeline. Once the stage detaches (its teardown),
 * the block finishes its request, closes the file and frees itself,
 * telling no one. Closing always frees the block; the stage learns about
 * it through its `closed` function, which is where the file source and
 * sink send their terminal signals, so a subscriber never hears the end
 * while the file is open.
 */
#include "io-internal.h"
#include "rx-assert.h"

rx__io_file *
rx__io_file_new(rx__stage *stage, uv_loop_t *loop, size_t cap,
                rx__io_closed_fn closed)
{
    rx__io_file *f = rx__malloc(sizeof *f + cap);

    if (f == NULL) {
        return rx__fail_null(RX_ENOMEM, "%s: out of memory",
                             rx__stage_site(stage)->name);
    }
    memset(f, 0, sizeof *f);
    f->req.data = f;
    f->stage = stage;
    f->loop = loop;
    f->closed = closed;
    f->fd = -1;
    f->cur = rx_nil();
    f->cap = cap;
    return f;
}

/* Frees the block and tells its stage, if any (inside the caller's
 * frame). */
static void
io_file_free(rx__io_file *f, ssize_t result)
{
    rx__stage *stage = f->stage;
    rx__io_closed_fn closed = f->closed;

    rx_value_release(f->cur);
    rx__free(f);
    if (stage != NULL) {
        closed(stage, result);
    }
}

static void
io_file_on_close(uv_fs_t *req)
{
    rx__io_file *f = req->data;
    rx__pipeline *pipe;
    ssize_t result = req->result;

    uv_fs_req_cleanup(req);
    if (f->stage == NULL) {
        io_file_free(f, result);
        return;
    }
    pipe = f->stage->pipe;
    rx__frame_enter(pipe);
    io_file_free(f, result);
    rx__frame_exit(pipe);
}

void
rx__io_file_close(rx__io_file *f)
{
    int rc;

    if (f->fd < 0) {
        io_file_free(f, 0);
        return;
    }
    f->busy = true;
    rc = uv_fs_close(f->loop, &f->req, f->fd, io_file_on_close);
    f->fd = -1;
    if (RX__NEVER(rc < 0)) {
        /* uv_fs_close with a callback fails only on bad arguments. */
        uv_fs_req_cleanup(&f->req);
        io_file_free(f, rc);
    }
}

void
rx__io_file_detach(rx__io_file *f)
{
    f->stage = NULL;
    if (!f->busy) {
        rx__io_file_close(f);
    }
}

/* Every request but close completes here. */
static void
io_file_on_done(uv_fs_t *req)
{
    rx__io_file *f = req->data;
    rx__pipeline *pipe;
    ssize_t result = req->result;

    if (req->fs_type == UV_FS_OPEN && result >= 0) {
        f->fd = (uv_file)result;
    }
    uv_fs_req_cleanup(req);
    f->busy = false;
    if (f->stage == NULL) {
        rx__io_file_close(f); /* detached while the request ran */
        return;
    }
    pipe = f->stage->pipe;
    rx__frame_enter(pipe);
    f->done(f->stage, f, result);
    rx__frame_exit(pipe);
}

/* Bookkeeping after starting a request: a failure to start means no
 * callback will come. */
static int
io_file_started(rx__io_file *f, int rc)
{
    if (rc < 0) {
        f->busy = false;
        uv_fs_req_cleanup(&f->req);
    }
    return rc;
}

int
rx__io_file_open(rx__io_file *f, const char *path, int flags, int mode,
                 rx__io_file_fn done)
{
    f->busy = true;
    f->done = done;
    return io_file_started(
        f, uv_fs_open(f->loop, &f->req, path, flags, mode, io_file_on_done));
}

int
rx__io_file_read(rx__io_file *f, int64_t offset, rx__io_file_fn done)
{
    uv_buf_t buf = uv_buf_init(f->buf, (unsigned int)f->cap);

    f->busy = true;
    f->done = done;
    return io_file_started(f, uv_fs_read(f->loop, &f->req, f->fd, &buf, 1,
                                         offset, io_file_on_done));
}

int
rx__io_file_write(rx__io_file *f, const char *data, size_t len,
                  rx__io_file_fn done)
{
    uv_buf_t buf;

    /* Set directly: uv_buf_init() would cut len to unsigned int. libuv
     * only reads the bytes. */
    buf.base = (char *)data;
    buf.len = len;
    f->busy = true;
    f->done = done;
    /* Offset -1: the current position, which also honours O_APPEND. */
    return io_file_started(
        f, uv_fs_write(f->loop, &f->req, f->fd, &buf, 1, -1, io_file_on_done));
}
