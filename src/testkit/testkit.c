/* SPDX-License-Identifier: MIT */
/*
 * The test subscriber: records every signal a pipeline delivers and checks
 * them against the protocol. Uses only uvrx's public API.
 *
 * The serialisation check must itself be safe when the pipeline breaks
 * rule 4 across threads: the count of signals in progress is an atomic
 * read-modify-write, so two threads inside the subscriber at once are
 * counted as an overlap rather than lost in a race on a plain flag, and
 * the terminal and finally counts the grammar check reads are atomic too.
 * The handle is an atomic pointer so that rx_test_cancel() and
 * rx_test_dispose() may be called from another thread while signals are
 * delivered (rx_cancel() and rx_dispose() may be). Besides the public API
 * it uses only rx__fail_null(), to set the last error its header promises
 * (docs/design/testkit-internals.md).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>
#include <uvrx/testkit.h>

#include "rx-internal.h"

struct rx_test_observer {
    _Atomic(rx_subscription *) sub;
    int64_t initial;      /* requested in on_subscribe */
    int64_t request_each; /* requested inside each on_next */
    size_t cancel_after;  /* cancel once this many items arrived */
    rx_test_signal dispose_in;
    bool batch;
    int64_t demand;  /* outstanding demand we gave */
    rx_value *items; /* retained */
    size_t n, cap;
    bool completed;
    rx_error *error;    /* retained */
    atomic_int inside;  /* signals in progress: more than one is an overlap */
    atomic_int ended;   /* terminal signals seen */
    atomic_int closed;  /* on_finally calls seen */
    atomic_int overlap; /* signals that began while another was running */
    atomic_int late;    /* signals after a terminal signal or on_finally */
    bool alloc_failed;  /* recording an item failed */
    rx_test_counts c;   /* the plain counts; see rx_test_get_counts() */
};

/* Records the start of a signal; flags overlaps (another signal is in
 * progress, on this thread or any other) and signals after the end. */
static void
enter(rx_test_observer *t)
{
    if (atomic_fetch_add(&t->inside, 1) != 0) {
        atomic_fetch_add(&t->overlap, 1);
    }
    if (atomic_load(&t->ended) > 0 || atomic_load(&t->closed) > 0) {
        atomic_fetch_add(&t->late, 1);
    }
}

static void
leave(rx_test_observer *t)
{
    atomic_fetch_sub(&t->inside, 1);
}

static void
maybe_dispose(rx_test_observer *t, rx_test_signal where)
{
    if (t->dispose_in == where) {
        t->dispose_in = 0;
        rx_dispose(atomic_exchange(&t->sub, NULL));
    }
}

static void
t_on_subscribe(rx_subscription *sub, void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    t->c.subscribes++;
    atomic_store(&t->sub, sub);
    if (t->initial > 0) {
        t->demand = t->initial;
        rx_request(sub, t->initial);
    }
    maybe_dispose(t, RX_TEST_ON_SUBSCRIBE);
    leave(t);
}

static void
record(rx_test_observer *t, rx_value v)
{
    if (t->n == t->cap) {
        size_t ncap = t->cap == 0 ? 16 : t->cap * 2;
        rx_value *nitems = realloc(t->items, ncap * sizeof *nitems);
        if (nitems == NULL) {
            t->alloc_failed = true;
            return;
        }
        t->items = nitems;
        t->cap = ncap;
    }
    t->items[t->n++] = rx_value_retain(v);
    if (t->demand == 0) {
        t->c.beyond_demand++;
    } else if (t->demand != RX_UNBOUNDED) {
        t->demand--;
    }
}

static void
after_item(rx_test_observer *t)
{
    rx_subscription *sub = atomic_load(&t->sub);

    if (t->cancel_after > 0 && t->n == t->cancel_after && sub != NULL) {
        rx_cancel(sub);
    }
    if (t->request_each > 0 && sub != NULL &&
        (t->cancel_after == 0 || t->n < t->cancel_after)) {
        t->demand = t->demand > RX_UNBOUNDED - t->request_each
                        ? RX_UNBOUNDED
                        : t->demand + t->request_each;
        rx_request(sub, t->request_each);
    }
    maybe_dispose(t, RX_TEST_ON_NEXT);
}

static void
t_on_next(rx_value v, void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    record(t, v);
    after_item(t);
    leave(t);
}

static void
t_on_next_batch(rx_value *vals, size_t n, void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    t->c.batches++;
    for (size_t i = 0; i < n; i++) {
        record(t, vals[i]);
    }
    after_item(t);
    leave(t);
}

static void
t_on_error(const rx_error *err, void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    atomic_fetch_add(&t->ended, 1);
    if (t->error == NULL) {
        t->error = rx_error_retain(err);
    }
    maybe_dispose(t, RX_TEST_ON_ERROR);
    leave(t);
}

static void
t_on_complete(void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    atomic_fetch_add(&t->ended, 1);
    t->completed = true;
    maybe_dispose(t, RX_TEST_ON_COMPLETE);
    leave(t);
}

/* on_finally is no signal, but it must come last and alone: it counts
 * as an overlap when a signal is still running. */
static void
t_on_finally(void *ctx)
{
    rx_test_observer *t = ctx;

    if (atomic_load(&t->inside) != 0) {
        atomic_fetch_add(&t->overlap, 1);
    }
    atomic_fetch_add(&t->closed, 1);
}

rx_test_observer *
rx_test_observer_new(int64_t initial_request)
{
    rx_test_observer *t;

    if (initial_request < 0) {
        return rx__fail_null(RX_EINVAL, "rx_test_observer_new: "
                                        "initial_request must not be negative");
    }
    t = calloc(1, sizeof *t);
    if (t == NULL) {
        return rx__fail_null(RX_ENOMEM, "rx_test_observer_new: out of memory");
    }
    t->initial = initial_request;
    atomic_init(&t->sub, NULL);
    atomic_init(&t->inside, 0);
    atomic_init(&t->ended, 0);
    atomic_init(&t->closed, 0);
    atomic_init(&t->overlap, 0);
    atomic_init(&t->late, 0);
    return t;
}

void
rx_test_observer_free(rx_test_observer *t)
{
    if (t == NULL) {
        return;
    }
    rx_test_dispose(t);
    for (size_t i = 0; i < t->n; i++) {
        rx_value_release(t->items[i]);
    }
    free(t->items);
    rx_error_release(t->error);
    free(t);
}

int
rx_test_subscribe(rx_observable *obs, rx_test_observer *t)
{
    rx_observer o = {
        .on_subscribe = t_on_subscribe,
        .on_next = t_on_next,
        .on_error = t_on_error,
        .on_complete = t_on_complete,
        .on_finally = t_on_finally,
        .on_next_batch = t->batch ? t_on_next_batch : NULL,
        .ctx = t,
    };
    rx_subscription *sub = NULL;
    int rc = rx_subscribe(obs, &o, &sub);

    /* A dispose inside a callback already gave the handle back. */
    if (rc == 0 && atomic_load(&t->sub) == NULL && t->dispose_in == 0 &&
        t->c.subscribes > 0) {
        return rc;
    }
    atomic_store(&t->sub, sub);
    return rc;
}

rx_subscription *
rx_test_subscription(const rx_test_observer *t)
{
    return atomic_load(&t->sub);
}

int
rx_test_request(rx_test_observer *t, int64_t n)
{
    if (n > 0) {
        t->demand = t->demand > RX_UNBOUNDED - n ? RX_UNBOUNDED : t->demand + n;
    }
    return rx_request(atomic_load(&t->sub), n);
}

void
rx_test_cancel(rx_test_observer *t)
{
    rx_cancel(atomic_load(&t->sub));
}

void
rx_test_dispose(rx_test_observer *t)
{
    /* The exchange makes two disposing threads dispose the handle once. */
    rx_dispose(atomic_exchange(&t->sub, NULL));
}

void
rx_test_set_request_each(rx_test_observer *t, int64_t n)
{
    t->request_each = n;
}

void
rx_test_set_cancel_after(rx_test_observer *t, size_t k)
{
    t->cancel_after = k;
}

void
rx_test_set_dispose_in(rx_test_observer *t, rx_test_signal where)
{
    t->dispose_in = where;
}

void
rx_test_set_batch(rx_test_observer *t, bool on)
{
    t->batch = on;
}

size_t
rx_test_count(const rx_test_observer *t)
{
    return t->n;
}

rx_value
rx_test_value(const rx_test_observer *t, size_t i)
{
    return i < t->n ? t->items[i] : rx_invalid();
}

bool
rx_test_completed(const rx_test_observer *t)
{
    return t->completed;
}

const rx_error *
rx_test_error(const rx_test_observer *t)
{
    return t->error;
}

rx_test_counts
rx_test_get_counts(const rx_test_observer *t)
{
    rx_test_counts c = t->c;

    c.terminals = atomic_load(&t->ended);
    c.finallies = atomic_load(&t->closed);
    c.overlaps = atomic_load(&t->overlap);
    c.after_terminal = atomic_load(&t->late);
    return c;
}

/* ---- checks ----------------------------------------------------------- */

static bool
fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && cap > 0) {
        va_start(ap, fmt);
        /* The analyzer misses the va_start just above. */
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

static void
describe(rx_value v, char *buf, size_t cap)
{
    switch (v.type) {
    case RX_TYPE_INT:
        snprintf(buf, cap, "%lld", (long long)v.as.i);
        break;
    case RX_TYPE_DOUBLE:
        snprintf(buf, cap, "%g", v.as.d);
        break;
    case RX_TYPE_BOOL:
        snprintf(buf, cap, "%s", v.as.b ? "true" : "false");
        break;
    case RX_TYPE_STR:
        snprintf(buf, cap, "\"%s\"", rx_str_cstr(v));
        break;
    case RX_TYPE_NIL:
        snprintf(buf, cap, "nil");
        break;
    default:
        snprintf(buf, cap, "<value type %u>", (unsigned)v.type);
        break;
    }
}

static void
list_items(const rx_test_observer *t, char *buf, size_t cap)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < t->n && used + 32 < cap; i++) {
        char one[64];
        describe(t->items[i], one, sizeof one);
        used += (size_t)snprintf(buf + used, cap - used, "%s%s",
                                 i > 0 ? ", " : "", one);
    }
    if (used + 32 >= cap) {
        snprintf(buf + used, cap - used, ", ...");
    }
}

bool
rx_test_check_protocol(const rx_test_observer *t, char *why, size_t cap)
{
    rx_test_counts c = rx_test_get_counts(t);

    if (c.subscribes != 1) {
        return fail(why, cap, "on_subscribe ran %d times, expected once",
                    c.subscribes);
    }
    if (c.overlaps > 0) {
        return fail(why, cap, "%d signals overlapped another signal",
                    c.overlaps);
    }
    if (c.after_terminal > 0) {
        return fail(why, cap,
                    "%d signals came after the terminal signal or "
                    "on_finally",
                    c.after_terminal);
    }
    if (c.terminals > 1) {
        return fail(why, cap, "%d terminal signals, expected at most one",
                    c.terminals);
    }
    if (c.beyond_demand > 0) {
        return fail(why, cap, "%d items arrived beyond the demand requested",
                    c.beyond_demand);
    }
    if (c.finallies > 1) {
        return fail(why, cap, "on_finally ran %d times", c.finallies);
    }
    if (t->alloc_failed) {
        return fail(why, cap, "the recorder ran out of memory");
    }
    return true;
}

bool
rx_test_check_values(const rx_test_observer *t, const rx_value *expected,
                     size_t n, char *why, size_t cap)
{
    char got[512];
    char want[64];
    char have[64];

    if (t->n != n) {
        list_items(t, got, sizeof got);
        return fail(why, cap, "got %zu items [%s], expected %zu", t->n, got, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!rx_value_equal(t->items[i], expected[i])) {
            describe(expected[i], want, sizeof want);
            describe(t->items[i], have, sizeof have);
            list_items(t, got, sizeof got);
            return fail(why, cap, "item %zu is %s, expected %s (got [%s])", i,
                        have, want, got);
        }
    }
    return true;
}

bool
rx_test_check_ints(const rx_test_observer *t, const int64_t *expected, size_t n,
                   char *why, size_t cap)
{
    char got[512];

    if (t->n != n) {
        list_items(t, got, sizeof got);
        return fail(why, cap, "got %zu items [%s], expected %zu", t->n, got, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (t->items[i].type != RX_TYPE_INT ||
            t->items[i].as.i != expected[i]) {
            list_items(t, got, sizeof got);
            return fail(why, cap, "item %zu differs: expected %lld (got [%s])",
                        i, (long long)expected[i], got);
        }
    }
    return true;
}

bool
rx_test_check_completed(const rx_test_observer *t, char *why, size_t cap)
{
    if (t->error != NULL) {
        return fail(why, cap, "expected completion, got error %s: %s",
                    rx_err_name(rx_error_code(t->error)),
                    rx_error_message(t->error));
    }
    if (!t->completed) {
        return fail(why, cap, "expected completion, got no terminal signal");
    }
    return rx_test_check_protocol(t, why, cap);
}

bool
rx_test_check_error(const rx_test_observer *t, int code, char *why, size_t cap)
{
    if (t->completed) {
        return fail(why, cap, "expected error %s, got completion",
                    rx_err_name(code));
    }
    if (t->error == NULL) {
        return fail(why, cap, "expected error %s, got no terminal signal",
                    rx_err_name(code));
    }
    if (rx_error_code(t->error) != code) {
        return fail(why, cap, "expected error %s, got %s: %s",
                    rx_err_name(code), rx_err_name(rx_error_code(t->error)),
                    rx_error_message(t->error));
    }
    return rx_test_check_protocol(t, why, cap);
}

bool
rx_test_check_no_terminal(const rx_test_observer *t, char *why, size_t cap)
{
    if (t->completed || t->error != NULL) {
        return fail(why, cap, "expected no terminal signal, got %s",
                    t->completed ? "completion" : "an error");
    }
    return rx_test_check_protocol(t, why, cap);
}
