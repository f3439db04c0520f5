/* SPDX-License-Identifier: MIT */
/*
 * Receiver stages for the inner sources of the higher-order operators
 * (higher-internal.h), and the small helpers they share: the error for
 * a user function that returned NULL, an out-of-memory error naming the
 * operator, running a call inside a frame of another pipeline, and
 * turning a queue of items into an array value.
 */
#include "higher-internal.h"

/* ---- inner receivers -------------------------------------------------- */

static bool
hin_on_next(rx__stage *self, rx_value v)
{
    rx__hin *in = (rx__hin *)self;

    if (in->owner == NULL) {
        return false;
    }
    in->busy++;
    in->hops->next(in, v);
    in->busy--;
    return true;
}

static void
hin_on_error(rx__stage *self, const rx_error *err)
{
    rx__hin *in = (rx__hin *)self;

    if (in->owner == NULL) {
        rx__undeliverable(err);
        return;
    }
    in->busy++;
    in->hops->error(in, err);
    in->busy--;
}

static void
hin_on_complete(rx__stage *self)
{
    rx__hin *in = (rx__hin *)self;

    if (in->owner == NULL) {
        return;
    }
    in->done = true;
    in->busy++;
    in->hops->complete(in);
    in->busy--;
}

static void
hin_teardown(rx__stage *self)
{
    rx__vqueue_clear(&((rx__hin *)self)->q);
}

static const struct rx__stage_ops hin_stage_ops = {
    .on_next = hin_on_next,
    .on_error = hin_on_error,
    .on_complete = hin_on_complete,
    .teardown = hin_teardown,
};

rx__hin *
rx__hin_new(rx__stage *owner, const struct rx__hin_ops *hops, size_t size,
            rx_observable *src, rx_error **err)
{
    const rx_site *site = rx__stage_site(owner);
    rx__hin *in;
    int rc;

    *err = NULL;
    src = rx__input_here(owner->pipe, src, 0, site);
    if (src == NULL) {
        *err =
            rx__error_at(site, rx_last_error(), "%s", rx_last_error_message());
        return NULL;
    }
    in = rx__stage_new(owner->pipe, &hin_stage_ops, size, src, NULL);
    if (in == NULL) {
        rx_observable_release(src);
        *err = rx__error_at(site, RX_ENOMEM,
                            "%s: out of memory starting an inner source",
                            site->name);
        return NULL;
    }
    rc = rx__assemble(src, owner->pipe, &in->base, &in->base.up);
    rx_observable_release(src); /* the stages keep what they run */
    if (rc < 0) {
        rx__stage_free_chain(&in->base);
        *err = rx__error_at(site, rc, "%s: cannot start an inner source: %s",
                            site->name, rx_strerror(rc));
        return NULL;
    }
    in->hops = hops;
    in->owner = owner;
    return in;
}

void
rx__hin_start(rx__hin *in, int64_t prefetch)
{
    in->prefetch = prefetch;
    in->busy++;
    if (prefetch > 0) {
        rx__request_up(&in->base, prefetch);
    }
    if (in->owner != NULL) {
        rx__stage_start(in->base.up);
    }
    in->busy--;
}

void
rx__hin_consumed(rx__hin *in)
{
    int64_t limit = in->prefetch - in->prefetch / 4;

    if (in->prefetch <= 0 || in->prefetch == RX_UNBOUNDED ||
        ++in->consumed < limit || in->owner == NULL || in->done) {
        return;
    }
    in->consumed = 0;
    in->busy++;
    rx__request_up(&in->base, limit);
    in->busy--;
}

void
rx__hin_request(rx__hin *in, int64_t n)
{
    in->busy++;
    rx__request_up(&in->base, n);
    in->busy--;
}

void
rx__hin_cancel(rx__hin *in)
{
    in->busy++;
    rx__cancel_up(&in->base);
    in->busy--;
}

void
rx__hin_drop(rx__hin *in, rx__stage *by)
{
    in->owner = NULL;
    while (in->q.len > 0) {
        rx__discard(by, rx__vqueue_pop(&in->q));
    }
    rx__vqueue_clear(&in->q);
    if (in->busy > 0) {
        rx__stage_retire_chain(&in->base);
    } else {
        rx__stage_free_chain(&in->base);
    }
}

void
rx__hin_link(rx__hin_list *l, rx__hin *in)
{
    in->next = NULL;
    in->prev = l->tail;
    if (l->tail != NULL) {
        l->tail->next = in;
    } else {
        l->head = in;
    }
    l->tail = in;
    l->n++;
}

void
rx__hin_unlink(rx__hin_list *l, rx__hin *in)
{
    if (in->prev != NULL) {
        in->prev->next = in->next;
    } else {
        l->head = in->next;
    }
    if (in->next != NULL) {
        in->next->prev = in->prev;
    } else {
        l->tail = in->prev;
    }
    in->prev = in->next = NULL;
    l->n--;
}

rx_error *
rx__hin_null_error(const rx__stage *stage)
{
    const rx_site *site = rx__stage_site(stage);
    int code = rx_last_error() < 0 ? rx_last_error() : RX_EINVAL;

    /* NULL in, NULL out: the constructor that failed inside the function
     * left its reason in the last error. */
    return rx__error_at(site, code, "%s: fn returned NULL: %s", site->name,
                        rx_last_error() < 0 ? rx_last_error_message()
                                            : "no error given");
}

rx_error *
rx__higher_oom(const rx__stage *stage)
{
    const rx_site *site = rx__stage_site(stage);

    return rx__error_at(site, RX_ENOMEM, "%s: out of memory", site->name);
}

void
rx__in_frame(rx__pipeline *pipe, void (*fn)(void *arg), void *arg)
{
    /* A frame of `pipe` already on this thread's stack (the usual case:
     * a group consumed inside its own pipeline) keeps it alive; entering
     * another would cost an atomic read-modify-write per item. */
    if (pipe->frames > 0) {
        fn(arg);
        return;
    }
    rx__frame_enter(pipe);
    fn(arg);
    rx__frame_exit(pipe);
}

rx_value
rx__vqueue_take_array(rx__vqueue *q)
{
    size_t n = q->len;
    rx_value *items = n > 0 ? rx__malloc(n * sizeof *items) : NULL;
    rx_value arr;

    if (n > 0 && items == NULL) {
        return rx_invalid();
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = rx__vqueue_pop(q);
    }
    arr = rx_array(n, items); /* takes the items */
    rx__free(items);
    return arr;
}
