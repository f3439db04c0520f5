/* SPDX-License-Identifier: MIT */
/*
 * Errors: the code table, refcounted error objects, the thread-local last
 * error and the handler for errors that have nowhere to go.
 */
#include <stdarg.h>
#include <stdio.h>

#include "rx-internal.h"

struct rx_error {
    atomic_long refs;
    int code;
    bool immortal; /* the out-of-memory singleton: never freed */
    bool has_site;
    rx_site site; /* where an operator raised it */
    rx_error *cause;
    const char *message; /* NUL-terminated, stored right after the struct */
};

/* Returned when an error cannot be allocated. */
static struct rx_error oom_error = {
    0, RX_ENOMEM, true, false, {NULL, 0, NULL}, NULL, "out of memory"};

static _Thread_local int last_code;
static _Thread_local char last_message[256];

static void default_undeliverable(const rx_error *err, void *ctx);
static _Atomic(rx_undeliverable_fn) undeliverable_fn;
static _Atomic(void *) undeliverable_ctx;

const char *
rx_strerror(int code)
{
    switch (code) {
#define RX__ERRNO_CASE(name, value, msg)                                       \
    case (value):                                                              \
        return (msg);
        RX_ERRNO_MAP(RX__ERRNO_CASE)
#undef RX__ERRNO_CASE
    default:
        break;
    }
    if (code <= RX_EUSER) {
        return "user-defined error";
    }
    if (code < 0 && code > -4096) {
        return uv_strerror(code);
    }
    return "unknown error";
}

const char *
rx_err_name(int code)
{
    switch (code) {
#define RX__ERRNO_NAME(name, value, msg)                                       \
    case (value):                                                              \
        return "RX_" #name;
        RX_ERRNO_MAP(RX__ERRNO_NAME)
#undef RX__ERRNO_NAME
    default:
        break;
    }
    if (code <= RX_EUSER) {
        return "RX_EUSER";
    }
    if (code < 0 && code > -4096) {
        return uv_err_name(code);
    }
    return "RX_EUNKNOWN";
}

static rx_error *
error_vnew(const rx_site *site, int code, rx_error *cause, const char *fmt,
           va_list ap)
{
    char buf[512];
    size_t len;
    rx_error *e;

    if (fmt != NULL) {
        /* Every caller starts `ap` with va_start; the analyzer cannot see
         * through the helper. */
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
        int n = vsnprintf(buf, sizeof buf, fmt, ap);
        if (n < 0) {
            buf[0] = '\0';
        }
    } else {
        snprintf(buf, sizeof buf, "%s", rx_strerror(code));
    }
    len = strlen(buf);
    e = rx__malloc(sizeof *e + len + 1);
    if (e == NULL) {
        rx_error_release(cause);
        return &oom_error;
    }
    atomic_init(&e->refs, 1);
    e->code = code;
    e->immortal = false;
    e->has_site = site != NULL;
    e->site = site != NULL ? *site : (rx_site){NULL, 0, NULL};
    e->cause = cause;
    memcpy(e + 1, buf, len + 1);
    e->message = (const char *)(e + 1);
    return e;
}

rx_error *
rx_error_new(int code, const char *fmt, ...)
{
    va_list ap;
    rx_error *e;

    va_start(ap, fmt);
    e = error_vnew(NULL, code, NULL, fmt, ap);
    va_end(ap);
    return e;
}

rx_error *
rx_error_wrap(int code, rx_error *cause, const char *fmt, ...)
{
    va_list ap;
    rx_error *e;

    va_start(ap, fmt);
    e = error_vnew(NULL, code, cause, fmt, ap);
    va_end(ap);
    return e;
}

rx_error *
rx__error_at(const rx_site *site, int code, const char *fmt, ...)
{
    va_list ap;
    rx_error *e;

    va_start(ap, fmt);
    e = error_vnew(site, code, NULL, fmt, ap);
    va_end(ap);
    return e;
}

rx_error *
rx__error_oom(void)
{
    return &oom_error;
}

int
rx_error_code(const rx_error *err)
{
    return err != NULL ? err->code : RX_EINVAL;
}

const char *
rx_error_message(const rx_error *err)
{
    return err != NULL ? err->message : "";
}

const rx_error *
rx_error_cause(const rx_error *err)
{
    return err != NULL ? err->cause : NULL;
}

const rx_site *
rx_error_site(const rx_error *err)
{
    return err != NULL && err->has_site ? &err->site : NULL;
}

void
rx__error_claim_site(const rx_error *err, const rx_site *site)
{
    rx_error *e = (rx_error *)err; /* only when nobody else can see it */

    if (e == NULL || e->immortal || e->has_site ||
        atomic_load_explicit(&e->refs, memory_order_acquire) != 1) {
        return;
    }
    e->site = *site;
    e->has_site = true;
}

rx_error *
rx_error_retain(const rx_error *err)
{
    rx_error *e = (rx_error *)err; /* refcounts change under const */

    if (e != NULL && !e->immortal) {
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    }
    return e;
}

void
rx_error_release(rx_error *err)
{
    /* Iterative over the cause chain, so a long chain cannot overflow the
     * stack. */
    while (err != NULL && !err->immortal &&
           atomic_fetch_sub_explicit(&err->refs, 1, memory_order_acq_rel) ==
               1) {
        rx_error *cause = err->cause;
        rx__free(err);
        err = cause;
    }
}

/* ---- last error ------------------------------------------------------- */

static void
set_last_error_v(int code, const char *fmt, va_list ap)
{
    last_code = code;
    /* As in error_vnew(): `ap` was started by the caller. */
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    if (vsnprintf(last_message, sizeof last_message, fmt, ap) < 0) {
        last_message[0] = '\0';
    }
}

void
rx__set_last_error(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_last_error_v(code, fmt, ap);
    va_end(ap);
}

void *
rx__fail_null(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_last_error_v(code, fmt, ap);
    va_end(ap);
    return NULL;
}

int
rx__fail(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_last_error_v(code, fmt, ap);
    va_end(ap);
    return code;
}

int
rx_last_error(void)
{
    return last_code;
}

const char *
rx_last_error_message(void)
{
    return last_message;
}

/* ---- undeliverable errors --------------------------------------------- */

static void
default_undeliverable(const rx_error *err, void *ctx)
{
    const rx_error *e;

    (void)ctx;
    fprintf(stderr, "uvrx: undeliverable error %s: %s",
            rx_err_name(rx_error_code(err)), rx_error_message(err));
    if (rx_error_site(err) != NULL) {
        const rx_site *s = rx_error_site(err);
        fprintf(stderr, " (raised by %s at %s:%d)", s->name, s->file, s->line);
    }
    fputc('\n', stderr);
    for (e = rx_error_cause(err); e != NULL; e = rx_error_cause(e)) {
        fprintf(stderr, "  caused by %s: %s\n", rx_err_name(rx_error_code(e)),
                rx_error_message(e));
    }
    fprintf(stderr, "  (handle it with on_error, or install a handler with "
                    "rx_set_undeliverable_handler)\n");
}

void
rx_set_undeliverable_handler(rx_undeliverable_fn fn, void *ctx)
{
    atomic_store(&undeliverable_ctx, ctx);
    atomic_store(&undeliverable_fn, fn);
}

void
rx__undeliverable(const rx_error *err)
{
    rx_undeliverable_fn fn = atomic_load(&undeliverable_fn);

    if (fn == NULL) {
        default_undeliverable(err, NULL);
    } else {
        fn(err, atomic_load(&undeliverable_ctx));
    }
}

void
rx__report_missing_retain(const rx_site *site)
{
    rx_error *e = rx__error_at(
        site, RX_EPROTOCOL,
        "%s: the user function returned its input heap value without "
        "rx_value_retain(); uvrx retained it for you (debug builds only)",
        site != NULL ? site->name : "rx_map");

    rx__undeliverable(e);
    rx_error_release(e);
}

#ifndef NDEBUG
void
rx__invariant_failed(const char *what, const char *file, int line)
{
    fprintf(stderr, "uvrx: internal invariant failed at %s:%d: %s\n", file,
            line, what);
    assert(what == NULL); /* always false here: stop in debug builds */
}
#endif
