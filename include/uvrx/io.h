/* SPDX-License-Identifier: MIT */
/**
 * @file io.h
 * @brief Real I/O on libuv: files and streams as observables, a TCP
 * server as a stream of connections, and sinks that write a stream out.
 *
 * Every source here honours demand all the way to the kernel: a file
 * source issues a read only while the subscriber has asked for an item,
 * and a stream source calls `uv_read_start()` only while demand is above
 * zero and `uv_read_stop()` when it reaches zero, so a slow subscriber
 * slows the peer instead of filling memory. The sinks ask their upstream
 * for the next item only while the bytes they have handed to libuv and
 * not yet seen written stay below a high-water mark.
 *
 * Threads. Subscribe, request and release connection values on the
 * thread that runs the loop the I/O belongs to; rx_cancel() and
 * rx_dispose() may come from any thread (the loop is woken through its
 * loop scheduler). Handles and requests uvrx allocates are freed in their
 * libuv close or completion callbacks, so after the last subscription
 * ends run the loop once more (`uv_run(loop, UV_RUN_DEFAULT)`) before
 * `uv_loop_close()`.
 *
 * Errors carry libuv's codes (#RX_EINVAL == `UV_EINVAL`, `UV_ENOENT`,
 * `UV_ECONNRESET`, ...) and a message naming the function and the path
 * or address.
 */
#ifndef UVRX_IO_H
#define UVRX_IO_H

#include <uv.h>

#include "observable.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The read size of rx_file_lines() and of the stream sources, and
 * the high-water mark of rx_write_file(): 64 KiB. */
#define RX_IO_CHUNK_SIZE 65536

/** @brief The largest chunk size rx_file_chunks() accepts: 1 GiB. */
#define RX_IO_CHUNK_MAX (1u << 30)

/**
 * @brief Emits the bytes of a file as #RX_TYPE_BYTES chunks, read with
 * `uv_fs_open` / `uv_fs_read` / `uv_fs_close` on @p loop.
 *
 * Each subscription opens the file anew and reads it from the start. A
 * read of at most @p chunk_size bytes is issued only while the subscriber
 * has demand, and each read that returns data becomes one chunk (every
 * chunk but the last is usually full, but a short read is passed on as
 * it is). At the end of the file, or on a read error, the file is closed
 * first and the terminal signal follows, so the file is closed when
 * on_complete or on_error arrives. A cancel closes the file (once a read
 * already in flight has finished).
 *
 * @verbatim
 * file "abcdefg", chunk_size 3
 * out:  --[abc]--[def]--[g]--|
 * @endverbatim
 *
 * @param site        assembly site; the macro passes it
 * @param loop        the loop that runs the file requests; @borrows,
 *                    must outlive every subscription
 * @param path        the file's path, copied
 * @param chunk_size  the largest chunk, 1 to #RX_IO_CHUNK_MAX bytes
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p loop
 *         or @p path, @p chunk_size out of range), #RX_ENOMEM. A
 *         subscription fails with libuv's code (`UV_ENOENT`, `UV_EACCES`,
 *         `UV_EISDIR`, ...) and a message containing @p path, or
 *         #RX_ENOMEM.
 * @note Subscribe on @p loop's thread.
 * @see rx_file_lines()
 */
RX_API rx_observable *rx_file_chunks_at(const rx_site *site, uv_loop_t *loop,
                                        const char *path, size_t chunk_size);
/** @brief See rx_file_chunks_at(). */
#define rx_file_chunks(loop, path, chunk_size)                                 \
    rx_file_chunks_at(RX_SITE("rx_file_chunks"), (loop), (path), (chunk_size))

/**
 * @brief Emits the lines of a file as #RX_TYPE_STR values, without their
 * line ends.
 *
 * A line ends at `\n`; a `\r` right before it is dropped too, so `\r\n`
 * files read the same as `\n` files (a lone `\r` is kept as text). A last
 * line without a line end is emitted at the end of the file; an empty
 * file emits nothing. Lines may span reads and have no length limit (a
 * line is held in memory until its end is seen). The file is read in
 * chunks of #RX_IO_CHUNK_SIZE bytes, one read at a time and only when no
 * complete line is waiting for demand. Opening, closing and errors behave
 * as for rx_file_chunks().
 *
 * @verbatim
 * file "one\r\ntwo\n\nlast"
 * out:  --[one]-[two]-[]--[last]--|
 * @endverbatim
 *
 * @param site  assembly site; the macro passes it
 * @param loop  the loop that runs the file requests; @borrows, must
 *              outlive every subscription
 * @param path  the file's path, copied
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p loop
 *         or @p path), #RX_ENOMEM. A subscription fails as with
 *         rx_file_chunks().
 * @note Subscribe on @p loop's thread.
 * @see rx_file_chunks(), rx_stream_lines()
 */
RX_API rx_observable *rx_file_lines_at(const rx_site *site, uv_loop_t *loop,
                                       const char *path);
/** @brief See rx_file_lines_at(). */
#define rx_file_lines(loop, path)                                              \
    rx_file_lines_at(RX_SITE("rx_file_lines"), (loop), (path))

/**
 * @brief Emits what arrives on a libuv stream (TCP connection, pipe, TTY)
 * as #RX_TYPE_BYTES chunks, one per successful read.
 *
 * Reading is on (`uv_read_start`) only while the subscriber has demand:
 * when demand reaches zero uvrx calls `uv_read_stop`, so the kernel's
 * buffers fill and the peer slows down. uvrx holds no data while reading
 * is stopped: the only buffer is one read buffer of #RX_IO_CHUNK_SIZE
 * bytes per subscription. End of stream completes; a read error signals
 * on_error with libuv's code (e.g. `UV_ECONNRESET`) and, for TCP, the
 * peer's address in the message.
 *
 * The stream stays yours: uvrx never closes it and leaves `stream->data`
 * alone. It stops reading on cancel and at the terminal signal; close
 * the stream only after the subscription has ended (or been cancelled).
 * One subscription at a time may read a stream: a second one fails with
 * #RX_EBUSY.
 *
 * @verbatim
 * peer writes:  --"ab"----"cde"--EOF
 * out:          --[ab]----[cde]--|
 * @endverbatim
 *
 * @param site    assembly site; the macro passes it
 * @param stream  a readable, open stream; @borrows, must stay open while
 *                a subscription reads it
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p stream), #RX_ENOMEM. A subscription fails with #RX_EBUSY
 *         (another subscription reads the stream), libuv's code from
 *         `uv_read_start` or a read, or #RX_ENOMEM.
 * @note Subscribe on the stream's loop thread.
 * @see rx_stream_lines(), rx_write_stream()
 */
RX_API rx_observable *rx_stream_chunks_at(const rx_site *site,
                                          uv_stream_t *stream);
/** @brief See rx_stream_chunks_at(). */
#define rx_stream_chunks(stream)                                               \
    rx_stream_chunks_at(RX_SITE("rx_stream_chunks"), (stream))

/**
 * @brief Emits the lines arriving on a libuv stream as #RX_TYPE_STR
 * values, without their line ends.
 *
 * Lines are cut as in rx_file_lines() (`\n`, with a `\r` before it
 * dropped; a last line without a line end is emitted at end of stream).
 * The stream is read only while no complete line waits for demand, so
 * backpressure reaches the peer as with rx_stream_chunks(), whose rules
 * about ownership, errors and single readers apply.
 *
 * @verbatim
 * peer writes:  --"a\nb"--"c\r\n"--EOF
 * out:          --[a]-----[bc]-----|
 * @endverbatim
 *
 * @param site    assembly site; the macro passes it
 * @param stream  a readable, open stream; @borrows, must stay open while
 *                a subscription reads it
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p stream), #RX_ENOMEM. A subscription fails as with
 *         rx_stream_chunks().
 * @note Subscribe on the stream's loop thread.
 * @see rx_stream_chunks()
 */
RX_API rx_observable *rx_stream_lines_at(const rx_site *site,
                                         uv_stream_t *stream);
/** @brief See rx_stream_lines_at(). */
#define rx_stream_lines(stream)                                                \
    rx_stream_lines_at(RX_SITE("rx_stream_lines"), (stream))

/**
 * @brief Called once a TCP server listens, with the address it is bound
 * to (the real port when port 0 was asked for).
 * @param addr  the bound address; borrowed for the call
 * @param ctx   the context given in rx_tcp_server_config
 */
typedef void (*rx_listening_fn)(const struct sockaddr *addr, void *ctx);

/** @brief How rx_tcp_server_opts() listens. */
typedef struct rx_tcp_server_config {
    /** The address to bind (IPv4 or IPv6), copied; port 0 picks a free
     * port. Must not be NULL. */
    const struct sockaddr *addr;
    /** The listen backlog: how many connections the kernel queues while
     * the subscriber has no demand; 0 means 128. */
    int backlog;
    /** Optional: told the bound address once listening, inside the
     * subscribe call. */
    rx_listening_fn on_listening;
    /** Passed to @c on_listening; @borrows, must outlive the result. */
    void *ctx;
} rx_tcp_server_config;

/**
 * @brief Listens on a TCP address and emits each accepted connection.
 *
 * Each subscription binds and listens anew (so a fixed port can serve one
 * subscription at a time). A connection is accepted only when the
 * subscriber has demand: while demand is zero uvrx accepts nothing and
 * the kernel queues arriving connections, up to the backlog (libuv stops
 * polling the listening socket until the next accept); uvrx itself holds
 * no connection. Cancel, or an accept error, closes the listening socket.
 *
 * Each item is a box value owning a `uv_tcp_t` on the server's loop: the
 * subscriber takes the connection by retaining the value (it is closed
 * when its last reference goes, with `uv_close`, and freed in the close
 * callback). Get the stream with rx_tcp_connection_stream(). Release the
 * value on the loop's thread, and only after any subscription reading or
 * writing its stream has ended; do not uv_close() the stream yourself.
 *
 * @verbatim
 * clients:  --c1-----c2--c3--
 * out:      --[c1]---[c2]-[c3]--   (never completes by itself)
 * @endverbatim
 *
 * @param site  assembly site; the macro passes it
 * @param loop  the loop; @borrows, must outlive every subscription
 * @param cfg   the address, backlog and listening callback, copied;
 *              @borrows; must not be NULL
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p loop,
 *         @p cfg or @c cfg->addr, an address family other than IPv4 or
 *         IPv6, a negative backlog), #RX_ENOMEM. A subscription fails
 *         with libuv's code (`UV_EADDRINUSE`, `UV_EACCES`, ...) and the
 *         address in the message, or #RX_ENOMEM.
 * @note @c on_listening runs before rx_subscribe() returns.
 * @see rx_tcp_server(), rx_tcp_connection_stream()
 */
RX_API rx_observable *rx_tcp_server_opts_at(const rx_site *site,
                                            uv_loop_t *loop,
                                            const rx_tcp_server_config *cfg);
/**
 * @brief See rx_tcp_server_opts_at(). The config may be written in place
 * as a compound literal (its commas are allowed):
 * `rx_tcp_server_opts(loop, &(rx_tcp_server_config){.addr = a, .ctx = c})`.
 */
#define rx_tcp_server_opts(loop, ...)                                          \
    rx_tcp_server_opts_at(RX_SITE("rx_tcp_server_opts"), (loop), __VA_ARGS__)

/**
 * @brief rx_tcp_server_opts() with only an address and a backlog.
 *
 * @verbatim
 * clients:  --c1-----c2--
 * out:      --[c1]---[c2]--
 * @endverbatim
 *
 * @param site     assembly site; the macro passes it
 * @param loop     the loop; @borrows, must outlive every subscription
 * @param addr     the address (IPv4 or IPv6), copied; must not be NULL
 * @param backlog  the listen backlog; 0 means 128
 * @return as rx_tcp_server_opts()
 */
RX_API rx_observable *rx_tcp_server_at(const rx_site *site, uv_loop_t *loop,
                                       const struct sockaddr *addr,
                                       int backlog);
/** @brief See rx_tcp_server_at(). */
#define rx_tcp_server(loop, addr, backlog)                                     \
    rx_tcp_server_at(RX_SITE("rx_tcp_server"), (loop), (addr), (backlog))

/**
 * @brief The stream of a connection emitted by rx_tcp_server().
 * @param v  the connection value; @borrows
 * @return the stream, valid while a reference to @p v is held; NULL when
 *         @p v is not a connection value
 */
RX_API uv_stream_t *rx_tcp_connection_stream(rx_value v);

/**
 * @brief Writes every item of @p src to a libuv stream and emits how many
 * bytes were written.
 *
 * Items must be strings (#RX_TYPE_STR, written without the NUL) or bytes
 * (#RX_TYPE_BYTES); empty items are skipped. Each item is handed to
 * `uv_write` without copying (the value is held until its write
 * callback). The next item is requested from @p src, one at a time, only
 * while the bytes handed to libuv and not yet reported written are below
 * @p high_water, so a slow peer slows the source. When @p src completes,
 * the sink waits for the last write callback, then emits the total
 * number of bytes written as one int and completes.
 *
 * The stream stays yours: uvrx never closes it or shuts it down. On a
 * write error the upstream is cancelled and on_error carries libuv's
 * code (e.g. `UV_EPIPE`). An error from @p src is passed on at once, and
 * a cancel cancels @p src; writes already handed to libuv finish on their
 * own (their memory is freed in their callbacks).
 *
 * @verbatim
 * src:   -["ab"]-["cde"]-|
 * out:   ---------------(5|)    (after the last write callback)
 * @endverbatim
 *
 * @param site        assembly site; the macro passes it
 * @param src         the items; @takes
 * @param stream      a writable stream; @borrows, must stay open while a
 *                    subscription writes to it
 * @param high_water  bytes in flight above which no more is requested,
 *                    > 0 (one item may take it above)
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL
 *         @p stream, zero @p high_water), #RX_ENOMEM. A subscription
 *         fails with #RX_EINVAL (an item neither string nor bytes),
 *         libuv's code from a write, or #RX_ENOMEM.
 * @note Subscribe on the stream's loop thread.
 * @see rx_write_file(), rx_stream_chunks()
 */
RX_API rx_observable *rx_write_stream_at(const rx_site *site,
                                         rx_observable *src,
                                         uv_stream_t *stream,
                                         size_t high_water);
/** @brief See rx_write_stream_at(). */
#define rx_write_stream(src, stream, high_water)                               \
    rx_write_stream_at(RX_SITE("rx_write_stream"), (src), (stream),            \
                       (high_water))

/**
 * @brief Writes every item of @p src to a file and emits how many bytes
 * were written.
 *
 * Each subscription opens @p path with @p flags (mode 0666 before the
 * umask when the file is created) and writes the items in order, one
 * `uv_fs_write` at a time, at the file's current position. Items must be
 * strings or bytes, as for rx_write_stream(). The next item is requested
 * only while fewer than #RX_IO_CHUNK_SIZE bytes wait to be written. When
 * @p src completes and the last write has finished, the file is closed;
 * then the total number of bytes written is emitted as one int and the
 * stream completes. An error (from opening, a write, or @p src) also
 * arrives once the file is closed; a cancel closes it.
 *
 * @verbatim
 * src:   -["ab"]-["cde"]-|
 * out:   ---------------(5|)    (after the file is closed)
 * @endverbatim
 *
 * @param site   assembly site; the macro passes it
 * @param src    the items; @takes
 * @param loop   the loop that runs the file requests; @borrows, must
 *               outlive every subscription
 * @param path   the file's path, copied
 * @param flags  `uv_fs_open` flags; must include `UV_FS_O_WRONLY` or
 *               `UV_FS_O_RDWR` (e.g. `UV_FS_O_WRONLY | UV_FS_O_CREAT |
 *               UV_FS_O_TRUNC`, or `UV_FS_O_APPEND` to append)
 * @return @newref, or NULL with the last error: #RX_EINVAL (NULL @p loop
 *         or @p path, @p flags without write access), #RX_ENOMEM. A
 *         subscription fails with #RX_EINVAL (an item neither string nor
 *         bytes), libuv's code with @p path in the message, or
 *         #RX_ENOMEM.
 * @note Subscribe on @p loop's thread.
 * @see rx_write_stream(), rx_file_chunks()
 */
RX_API rx_observable *rx_write_file_at(const rx_site *site, rx_observable *src,
                                       uv_loop_t *loop, const char *path,
                                       int flags);
/** @brief See rx_write_file_at(). */
#define rx_write_file(src, loop, path, flags)                                  \
    rx_write_file_at(RX_SITE("rx_write_file"), (src), (loop), (path), (flags))

#ifdef __cplusplus
}
#endif

#endif /* UVRX_IO_H */
