/* SPDX-License-Identifier: MIT */
/*
 * The test subscriber: records every signal a pipeline delivers and checks
 * them against the protocol. Uses only uvrx's public API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>
#include <uvrx/testkit.h>

struct rx_test_observer {
    rx_subscription *sub;
    int64_t initial;      /* requested in on_subscribe */
    int64_t request_each; /* requested inside each on_next */
    size_t cancel_after;  /* cancel once this many items arrived */
    rx_test_signal dispose_in;
    bool batch;
    int64_t demand;  /* outstanding demand we gave */
    rx_value *items; /* retained */
    size_t n, cap;
    bool completed;
    rx_error *error;   /* retained */
    bool in_signal;    /* a callback is running */
    bool alloc_failed; /* recording an item failed */
    rx_test_counts c;
};

/* Records the start of a signal; flags overlaps and late signals. */
static void
enter(rx_test_observer *t)
{
    if (t->in_signal) {
        t->c.overlaps++;
    }
    if (t->c.terminals > 0) {
        t->c.after_terminal++;
    }
    t->in_signal = true;
}

static void
leave(rx_test_observer *t)
{
    t->in_signal = false;
}

static void
maybe_dispose(rx_test_observer *t, rx_test_signal where)
{
    if (t->dispose_in == where && t->sub != NULL) {
        rx_subscription *s = t->sub;
        t->dispose_in = 0;
        t->sub = NULL;
        rx_dispose(s);
    }
}

static void
t_on_subscribe(rx_subscription *sub, void *ctx)
{
    rx_test_observer *t = ctx;

    enter(t);
    t->c.subscribes++;
    t->sub = sub;
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
    if (t->cancel_after > 0 && t->n == t->cancel_after && t->sub != NULL) {
        rx_cancel(t->sub);
    }
    if (t->request_each > 0 && t->sub != NULL &&
        (t->cancel_after == 0 || t->n < t->cancel_after)) {
        t->demand = t->demand > RX_UNBOUNDED - t->request_each
                        ? RX_UNBOUNDED
                        : t->demand + t->request_each;
        rx_request(t->sub, t->request_each);
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
    t->c.terminals++;
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
    t->c.terminals++;
    t->completed = true;
    maybe_dispose(t, RX_TEST_ON_COMPLETE);
    leave(t);
}

static void
t_on_finally(void *ctx)
{
    rx_test_observer *t = ctx;

    t->c.finallies++;
}

rx_test_observer *
rx_test_observer_new(int64_t initial_request)
{
    rx_test_observer *t;

    if (initial_request < 0) {
        return NULL;
    }
    t = calloc(1, sizeof *t);
    if (t != NULL) {
        t->initial = initial_request;
    }
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
    if (rc == 0 && t->sub == NULL && t->dispose_in == 0 &&
        t->c.subscribes > 0) {
        return rc;
    }
    t->sub = sub;
    return rc;
}

rx_subscription *
rx_test_subscription(const rx_test_observer *t)
{
    return t->sub;
}

int
rx_test_request(rx_test_observer *t, int64_t n)
{
    if (n > 0) {
        t->demand = t->demand > RX_UNBOUNDED - n ? RX_UNBOUNDED : t->demand + n;
    }
    return rx_request(t->sub, n);
}

void
rx_test_cancel(rx_test_observer *t)
{
    rx_cancel(t->sub);
}

void
rx_test_dispose(rx_test_observer *t)
{
    rx_subscription *s = t->sub;

    t->sub = NULL;
    rx_dispose(s);
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
    return t->c;
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
    if (t->c.subscribes != 1) {
        return fail(why, cap, "on_subscribe ran %d times, expected once",
                    t->c.subscribes);
    }
    if (t->c.overlaps > 0) {
        return fail(why, cap, "%d signals overlapped another signal",
                    t->c.overlaps);
    }
    if (t->c.after_terminal > 0) {
        return fail(why, cap, "%d signals came after the terminal signal",
                    t->c.after_terminal);
    }
    if (t->c.terminals > 1) {
        return fail(why, cap, "%d terminal signals, expected at most one",
                    t->c.terminals);
    }
    if (t->c.beyond_demand > 0) {
        return fail(why, cap, "%d items arrived beyond the demand requested",
                    t->c.beyond_demand);
    }
    if (t->c.finallies > 1) {
        return fail(why, cap, "on_finally ran %d times", t->c.finallies);
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
