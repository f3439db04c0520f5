/* SPDX-License-Identifier: MIT */
/*
 * What the I/O sources and sinks of operators/io/ share: the line
 * splitter that turns a stream of byte chunks into lines, binding a
 * pipeline to its loop, and the text of addresses for error messages.
 *
 * The lifetime rule every file here follows. A pipeline frees its stages
 * at the outermost frame exit once it stops running, which can come
 * before libuv has finished with a handle or request. So no libuv handle
 * or request lives inside a stage: each one is allocated in a block of
 * its own, which the block itself frees in its close or completion
 * callback. The stage points to the block; the block points back to the
 * stage only while the stage lives (the stage's teardown clears that
 * pointer), so a callback that arrives late finds NULL and only cleans
 * up after itself. Every callback that does reach a stage brackets its
 * work with rx__frame_enter() / rx__frame_exit().
 */
#ifndef UVRX_IO_INTERNAL_H
#define UVRX_IO_INTERNAL_H

#include "rx-internal.h"
#include "rx-sched.h"
#include "uvrx/io.h"

/* An observable that cuts the byte chunks of `chunks` (taken) into lines,
 * as documented for rx_file_lines(): it asks `chunks` for one chunk at a
 * time, and only while no complete line waits for demand. NULL (with
 * the last error) on allocation failure. */
rx_observable *rx__io_lines(const rx_site *site, rx_observable *chunks);

/* Binds `pipe` to the loop scheduler of `loop`, so that rx_cancel() from
 * another thread wakes the loop. Called while assembling a stage (on the
 * loop thread). Returns 0 or a negative code with the last error set. */
int rx__io_bind(rx__pipeline *pipe, uv_loop_t *loop);

/* The bytes of a string or bytes item; false for any other value. */
bool rx__io_item_bytes(rx_value v, const char **data, size_t *len);

/* Writes "1.2.3.4:80" or "[::1]:80" into buf (always NUL-terminated). */
void rx__io_addr_text(const struct sockaddr *sa, char *buf, size_t size);

/* Describes a stream for error messages: a TCP stream by its peer's
 * address, otherwise by its kind ("pipe", "tty", "stream"). */
void rx__io_stream_text(const uv_stream_t *s, char *buf, size_t size);

/* The longest text rx__io_addr_text() and rx__io_stream_text() write. */
#define RX__IO_NAME_MAX 64

/* ---- a file owned apart from its stage (fs_file.c) -------------------- */

/* A file descriptor with its one fs request, a value the request may
 * need (the item being written) and a buffer (for reads), in a block
 * that outlives its stage when it must: it frees itself once the file is
 * closed. One request at a time. While the stage lives, the completion
 * of each request goes to the handler given with it, inside a frame of
 * the stage's pipeline; after rx__io_file_detach(), the block closes the
 * file when its request finishes and calls nothing. */
typedef struct rx__io_file rx__io_file;

/* A request finished with `result` (libuv's req->result). */
typedef void (*rx__io_file_fn)(rx__stage *stage, rx__io_file *f,
                               ssize_t result);

/* The file is closed (result of the close, 0 when it was never open) and
 * the block freed; the stage must forget it. */
typedef void (*rx__io_closed_fn)(rx__stage *stage, ssize_t result);

struct rx__io_file {
    uv_fs_t req;      /* the request in flight, if busy */
    rx__stage *stage; /* NULL once detached */
    uv_loop_t *loop;
    rx__io_closed_fn closed; /* told when the file is closed */
    rx__io_file_fn done;     /* handler of the request in flight */
    uv_file fd;              /* -1 when not open */
    bool busy;               /* a request is in flight */
    rx_value cur;            /* held until the block goes (nil: none) */
    size_t cap;              /* bytes in buf */
    char buf[];
};

/* A block with a `cap`-byte buffer, for `stage`; NULL with the last
 * error set on allocation failure. */
rx__io_file *rx__io_file_new(rx__stage *stage, uv_loop_t *loop, size_t cap,
                             rx__io_closed_fn closed);
/* Starts a request; the block must not be busy. 0 or libuv's code (no
 * callback then). */
int rx__io_file_open(rx__io_file *f, const char *path, int flags, int mode,
                     rx__io_file_fn done);
int rx__io_file_read(rx__io_file *f, int64_t offset, rx__io_file_fn done);
int rx__io_file_write(rx__io_file *f, const char *data, size_t len,
                      rx__io_file_fn done);
/* Closes the file (the block must not be busy), then frees the block and
 * tells the stage, if attached, through `closed` (synchronously when no
 * file is open). */
void rx__io_file_close(rx__io_file *f);
/* The stage is going: never call it again; close when idle. */
void rx__io_file_detach(rx__io_file *f);

#endif /* UVRX_IO_INTERNAL_H */
