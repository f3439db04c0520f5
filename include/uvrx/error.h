/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * @brief Error codes, refcounted error objects and the thread-local last
 * error.
 *
 * Codes are negative. Where libuv has the idea the code equals libuv's
 * (`RX_EINVAL == UV_EINVAL`); uvrx's own codes sit in the block
 * -5000..-5099, outside every range libuv uses; codes chosen by users are
 * at or below #RX_EUSER. Codes are never renumbered or reused.
 */
#ifndef UVRX_ERROR_H
#define UVRX_ERROR_H

#include <uv.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The table of every uvrx error code: XX(name, value, message).
 *
 * New codes go at the end of their block; nothing is ever renumbered.
 */
#define RX_ERRNO_MAP(XX)                                                       \
    XX(EINVAL, UV_EINVAL, "invalid argument")                                  \
    XX(ENOMEM, UV_ENOMEM, "out of memory")                                     \
    XX(ETIMEDOUT, UV_ETIMEDOUT, "timed out")                                   \
    XX(ECANCELED, UV_ECANCELED, "operation canceled")                          \
    XX(EBUSY, UV_EBUSY, "resource busy")                                       \
    XX(EBACKPRESSURE, -5000,                                                   \
       "item emitted without demand (missing backpressure)")                   \
    XX(ENOELEMENT, -5001, "the source completed without any item")             \
    XX(EPROTOCOL, -5002, "reactive streams protocol violation")                \
    XX(ELIMIT, -5003, "the virtual scheduler reached its step limit")

/**
 * @brief Every uvrx error code.
 *
 * Written out (rather than generated from #RX_ERRNO_MAP) so each code has
 * its own documentation; a test checks the two lists agree.
 */
typedef enum rx_errno {
    /** An argument is invalid (also request(n <= 0)); libuv's UV_EINVAL. */
    RX_EINVAL = UV_EINVAL,
    /** Memory ran out; libuv's UV_ENOMEM. */
    RX_ENOMEM = UV_ENOMEM,
    /** A deadline passed; libuv's UV_ETIMEDOUT. */
    RX_ETIMEDOUT = UV_ETIMEDOUT,
    /** The operation was cancelled; libuv's UV_ECANCELED. */
    RX_ECANCELED = UV_ECANCELED,
    /** The resource is in use (rx_set_allocator() with live objects);
     * libuv's UV_EBUSY. */
    RX_EBUSY = UV_EBUSY,
    /** A source that cannot slow down had to emit without demand. */
    RX_EBACKPRESSURE = -5000,
    /** first, last or element_at found no such item. */
    RX_ENOELEMENT = -5001,
    /** A source or operator broke the Reactive Streams protocol. */
    RX_EPROTOCOL = -5002,
    /** A virtual scheduler ran as many tasks as its step limit allows. */
    RX_ELIMIT = -5003,
    /** First code free for applications; user codes are <= this. */
    RX_EUSER = -100000
} rx_errno;

/**
 * @brief A refcounted, immutable error: a code, a message and an optional
 * cause.
 *
 * Errors passed to callbacks are borrowed; keep one with rx_error_retain().
 */
typedef struct rx_error rx_error;

/**
 * @brief Creates an error with a printf-style message.
 *
 * Never returns NULL: when memory runs out the result is the immortal
 * out-of-memory error (code #RX_ENOMEM), which retain and release ignore.
 *
 * @param code  the error code, negative
 * @param fmt   printf-style format of the message; NULL for the code's
 *              standard message
 * @return @newref
 */
RX_API rx_error *rx_error_new(int code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * @brief Creates an error that wraps a cause.
 *
 * @param code   the error code, negative
 * @param cause  the underlying error; @takes (may be NULL)
 * @param fmt    printf-style format of the message; NULL for the code's
 *               standard message
 * @return @newref; never NULL (see rx_error_new())
 */
RX_API rx_error *rx_error_wrap(int code, rx_error *cause, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * @brief Reads the code of an error.
 * @param err  the error; @borrows
 * @return the code, or #RX_EINVAL when @p err is NULL
 */
RX_API int rx_error_code(const rx_error *err);

/**
 * @brief Reads the message of an error.
 * @param err  the error; @borrows
 * @return the message, valid while @p err lives; "" when @p err is NULL
 */
RX_API const char *rx_error_message(const rx_error *err);

/**
 * @brief Reads the cause of an error.
 * @param err  the error; @borrows
 * @return the cause (borrowed from @p err), or NULL
 */
RX_API const rx_error *rx_error_cause(const rx_error *err);

/**
 * @brief Reads where the error was raised, when an operator raised it.
 *
 * An error made by rx_error_new() has no site until a stage emits it
 * while holding its only reference: an error a user function stored
 * through its `err` argument then gets the site of the operator that ran
 * the function (rx_map's, rx_reduce's, ... where the program assembled
 * it). A shared error (rx_throw()'s, given to every subscriber) keeps
 * none.
 * @param err  the error; @borrows
 * @return the assembly site of the stage that raised the error, or NULL
 */
RX_API const rx_site *rx_error_site(const rx_error *err);

/**
 * @brief Takes a new reference to an error.
 * @param err  the error; @borrows (may be NULL)
 * @return @p err as a new reference the caller must release
 */
RX_API rx_error *rx_error_retain(const rx_error *err);

/**
 * @brief Drops a reference to an error; NULL is a no-op.
 * @param err  the error; @takes
 */
RX_API void rx_error_release(rx_error *err);

/**
 * @brief The standard message of a code (also libuv's codes).
 * @param code  any error code
 * @return a static string: uvrx's message for its codes, libuv's for
 *         libuv's, "user-defined error" at or below #RX_EUSER, "unknown
 *         error" for anything else
 */
RX_API const char *rx_strerror(int code);

/**
 * @brief The name of a code, such as "RX_EINVAL".
 * @param code  any error code
 * @return a static string: "RX_E..." for uvrx's codes, "RX_EUSER" for
 *         any code at or below #RX_EUSER, libuv's name (such as "ENOENT")
 *         for libuv's codes, "RX_EUNKNOWN" for anything else
 */
RX_API const char *rx_err_name(int code);

/**
 * @brief The code of the last failure of a uvrx call on this thread.
 *
 * Meaningful only right after a call that returned NULL or a negative code;
 * success never clears it.
 * @return the code, or 0 when no call has failed on this thread
 */
RX_API int rx_last_error(void);

/**
 * @brief The message of the last failure of a uvrx call on this thread,
 * naming the function and the argument.
 * @return a thread-local buffer, overwritten by the next failure
 */
RX_API const char *rx_last_error_message(void);

/**
 * @brief Receives an error that has no subscriber to go to.
 * @param err  the error; @borrows
 * @param ctx  the context given to rx_set_undeliverable_handler()
 */
typedef void (*rx_undeliverable_fn)(const rx_error *err, void *ctx);

/**
 * @brief Sets the process-wide handler for errors that cannot be delivered
 * (raised after a cancel or a terminal signal, or by a subscriber without
 * on_error).
 *
 * The default handler prints the error and where it was raised to stderr.
 * The handler may be called on any thread that runs a pipeline.
 *
 * @param fn   the handler; NULL restores the default
 * @param ctx  passed to @p fn; @borrows, must live while it is installed
 */
RX_API void rx_set_undeliverable_handler(rx_undeliverable_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_ERROR_H */
