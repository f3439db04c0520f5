/* SPDX-License-Identifier: MIT */
/*
 * lines: cuts a stream of byte chunks into lines, for rx_file_lines() and
 * rx_stream_lines().
 *
 * The stage asks its upstream for one chunk at a time, and only when
 * downstream has demand and no complete line is waiting, so a chunk
 * source below it reads no further than the subscriber wants. Complete
 * lines wait in a queue; the unfinished tail of the last chunk waits in
 * a growable buffer until its line end arrives (or the upstream ends:
 * the tail is then the last line). A line ends at '\n', and a '\r' right
 * before it is dropped. Completion waits behind the queued lines; an
 * error goes down at once and drops them.
 */
#include "io-internal.h"

struct lines_stage {
    rx__stage base;
    rx__demand d;     /* d.cancelled: cancelled or terminal sent */
    rx__vqueue q;     /* complete lines waiting for demand */
    char *tail;       /* the unfinished line */
    size_t tail_len;  /* bytes in tail */
    size_t tail_cap;  /* bytes allocated for tail */
    bool up_done;     /* the upstream completed */
    bool outstanding; /* a chunk was requested and has not arrived */
};

/* A tail buffer bigger than this is freed once its line has gone, so one
 * very long line does not pin its memory for the rest of the stream. */
#define LINES_KEEP_CAP 65536

/* Makes room for `more` bytes in the tail; false on allocation failure. */
static bool
lines_reserve(struct lines_stage *st, size_t more)
{
    size_t need = st->tail_len + more;
    size_t cap = st->tail_cap == 0 ? 256 : st->tail_cap;
    char *nbuf;

    if (need < st->tail_len) {
        return false; /* overflow */
    }
    if (st->tail != NULL && need <= st->tail_cap) {
        return true;
    }
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    nbuf = rx__realloc(st->tail, cap);
    if (nbuf == NULL) {
        return false;
    }
    st->tail = nbuf;
    st->tail_cap = cap;
    return true;
}

/* Queues one line of `len` bytes at `p`; `ended` says a '\n' followed
 * it, so a final '\r' belongs to the line end and is dropped. Returns 0
 * or RX_ENOMEM. */
static int
lines_push(struct lines_stage *st, const char *p, size_t len, bool ended)
{
    rx_value v;

    if (ended && len > 0 && p[len - 1] == '\r') {
        len--;
    }
    v = rx_str_n(p, len);
    if (rx_is_invalid(v)) {
        return RX_ENOMEM;
    }
    return rx__vqueue_push(&st->q, v);
}

/* Ends the tail line with the `len` bytes at `p` and queues it. */
static int
lines_push_tail(struct lines_stage *st, const char *p, size_t len)
{
    int rc;

    if (st->tail_len == 0) {
        return lines_push(st, p, len, true);
    }
    if (!lines_reserve(st, len)) {
        return RX_ENOMEM;
    }
    memcpy(st->tail + st->tail_len, p, len);
    rc = lines_push(st, st->tail, st->tail_len + len, true);
    st->tail_len = 0;
    if (st->tail_cap > LINES_KEEP_CAP) {
        rx__free(st->tail);
        st->tail = NULL;
        st->tail_cap = 0;
    }
    return rc;
}

/* Cuts `n` bytes at `p` into lines: complete ones are queued, the rest is
 * added to the tail. Returns 0 or RX_ENOMEM. */
static int
lines_feed(struct lines_stage *st, const char *p, size_t n)
{
    const char *end = p + n;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int rc;

        if (nl == NULL) {
            if (!lines_reserve(st, (size_t)(end - p))) {
                return RX_ENOMEM;
            }
            memcpy(st->tail + st->tail_len, p, (size_t)(end - p));
            st->tail_len += (size_t)(end - p);
            return 0;
        }
        rc = lines_push_tail(st, p, (size_t)(nl - p));
        if (rc != 0) {
            return rc;
        }
        p = nl + 1;
    }
    return 0;
}

/* Stops everything and signals `err` (taken) downstream. */
static void
lines_fail(struct lines_stage *st, rx_error *err)
{
    st->d.cancelled = true;
    rx__vqueue_clear(&st->q);
    rx__cancel_up(&st->base);
    rx__emit_new_error(&st->base, err);
}

/* One drain pass: emit queued lines while demand lasts; complete once
 * the queue is empty after the upstream ended; otherwise ask for the
 * next chunk when demand is left over (and loop, in case the upstream
 * delivered it synchronously). */
static bool
lines_pass(void *self)
{
    struct lines_stage *st = self;
    int64_t emitted = 0;

    while (!st->d.cancelled && st->q.len > 0 && emitted < st->d.requested) {
        rx_value v = rx__vqueue_pop(&st->q);

        if (rx__emit_next(&st->base, v)) {
            emitted++;
        }
        rx_value_release(v);
    }
    if (st->d.cancelled) {
        return false;
    }
    st->d.requested = rx__demand_sub(st->d.requested, emitted);
    if (st->q.len > 0) {
        return false; /* waits for demand */
    }
    if (st->up_done) {
        st->d.cancelled = true;
        rx__emit_complete(&st->base);
        return false;
    }
    if (st->d.requested > 0 && !st->outstanding) {
        st->outstanding = true;
        rx__request_up(&st->base, 1);
        return true;
    }
    return false;
}

static void
lines_drain(struct lines_stage *st)
{
    if (st->d.started && !st->d.cancelled) {
        rx__drain(&st->d, lines_pass, st);
    }
}

static bool
lines_on_next(rx__stage *self, rx_value v)
{
    struct lines_stage *st = (struct lines_stage *)self;
    const char *p = NULL;
    size_t n = 0;
    bool is_bytes;

    if (st->d.cancelled) {
        return true;
    }
    st->outstanding = false;
    is_bytes = rx__io_item_bytes(v, &p, &n);
    /* Only rx_file_lines and rx_stream_lines feed this stage, with
     * chunks they made as bytes. */
    if (RX__NEVER(!is_bytes)) {
        lines_fail(st, rx__error_at(rx__stage_site(self), RX_EINVAL,
                                    "%s: a chunk must be bytes or a string",
                                    rx__stage_site(self)->name));
        return true;
    }
    if (lines_feed(st, p, n) != 0) {
        lines_fail(st, rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                    "%s: out of memory cutting lines",
                                    rx__stage_site(self)->name));
        return true;
    }
    lines_drain(st);
    return true;
}

static void
lines_on_error(rx__stage *self, const rx_error *err)
{
    struct lines_stage *st = (struct lines_stage *)self;

    if (st->d.cancelled) {
        rx__undeliverable(err);
        return;
    }
    st->d.cancelled = true;
    rx__vqueue_clear(&st->q);
    rx__emit_error(self, err);
}

static void
lines_on_complete(rx__stage *self)
{
    struct lines_stage *st = (struct lines_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->up_done = true;
    if (st->tail_len > 0) {
        if (lines_push(st, st->tail, st->tail_len, false) != 0) {
            st->d.cancelled = true;
            rx__vqueue_clear(&st->q);
            rx__emit_new_error(self,
                               rx__error_at(rx__stage_site(self), RX_ENOMEM,
                                            "%s: out of memory cutting lines",
                                            rx__stage_site(self)->name));
            return;
        }
        st->tail_len = 0;
    }
    lines_drain(st);
}

static void
lines_request(rx__stage *self, int64_t n)
{
    struct lines_stage *st = (struct lines_stage *)self;

    if (rx__demand_request(&st->d, n)) {
        rx__drain(&st->d, lines_pass, st);
    }
}

static void
lines_cancel(rx__stage *self)
{
    struct lines_stage *st = (struct lines_stage *)self;

    if (st->d.cancelled) {
        return;
    }
    st->d.cancelled = true;
    rx__vqueue_clear(&st->q);
    rx__cancel_up(self);
}

static void
lines_start(rx__stage *self)
{
    struct lines_stage *st = (struct lines_stage *)self;

    st->d.started = true;
    rx__stage_start(self->up);
    lines_drain(st);
}

static void
lines_teardown(rx__stage *self)
{
    struct lines_stage *st = (struct lines_stage *)self;

    rx__vqueue_clear(&st->q);
    rx__free(st->tail);
    st->tail = NULL;
}

static const struct rx__stage_ops lines_stage_ops = {
    .on_next = lines_on_next,
    .on_error = lines_on_error,
    .on_complete = lines_on_complete,
    .request = lines_request,
    .cancel = lines_cancel,
    .start = lines_start,
    .teardown = lines_teardown,
};

static int
lines_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    struct lines_stage *st;

    st = rx__stage_new(pipe, &lines_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static const struct rx__obs_ops lines_ops = {.assemble = lines_assemble};

rx_observable *
rx__io_lines(const rx_site *site, rx_observable *chunks)
{
    if (chunks == NULL) {
        return NULL;
    }
    return rx__observable_new(site, &lines_ops, sizeof(rx_observable), chunks);
}
