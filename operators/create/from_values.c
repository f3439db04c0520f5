/* SPDX-License-Identifier: MIT */
/*
 * just, from_values and from_ints: emit values given at assembly time.
 *
 * All three are iterable sources: they build no stage. They describe
 * their values as an array and the fusion engine (src/fusion.c) loops
 * over it inside the fused stage of its run. rx_just keeps its one value
 * inline; the others keep their values in a flexible array member, so
 * each observable is a single allocation. The observable owns the values
 * and releases them when it is destroyed; subscriptions borrow them.
 */
#include <string.h>

#include "fusion.h"

struct just_obs {
    rx_observable base;
    rx_value v;
};

struct values_obs {
    rx_observable base;
    size_t n;
    bool scalars; /* every value is a scalar: the batch path may copy */
    rx_value vals[];
};

static void
just_iterate(const rx_observable *self, struct rx__iter *it)
{
    const struct just_obs *j = (const struct just_obs *)self;

    it->kind = RX__ITER_ARRAY;
    it->vals = &j->v;
    it->n = 1;
    it->scalars = !RX_VALUE_IS_HEAP(j->v);
}

static void
just_destroy(rx_observable *self)
{
    struct just_obs *j = (struct just_obs *)self;

    rx_value_release(j->v);
}

static void
values_iterate(const rx_observable *self, struct rx__iter *it)
{
    const struct values_obs *o = (const struct values_obs *)self;

    it->kind = RX__ITER_ARRAY;
    it->vals = o->vals;
    it->n = o->n;
    it->scalars = o->scalars;
}

static void
values_destroy(rx_observable *self)
{
    struct values_obs *o = (struct values_obs *)self;
    size_t i;

    for (i = 0; i < o->n; i++) {
        rx_value_release(o->vals[i]);
    }
}

static const struct rx__obs_ops just_ops = {
    .iterate = just_iterate,
    .destroy = just_destroy,
};

static const struct rx__obs_ops values_ops = {
    .iterate = values_iterate,
    .destroy = values_destroy,
};

/* Releases the n values a failed constructor was given. */
static void
release_all(size_t n, const rx_value *values)
{
    size_t i;

    for (i = 0; i < n; i++) {
        rx_value_release(values[i]);
    }
}

rx_observable *
rx_just_at(const rx_site *site, rx_value v)
{
    struct just_obs *j;

    /* An invalid value is the mark of a value constructor that ran out of
     * memory: report that failure here, where the chain is checked. */
    if (rx_is_invalid(v)) {
        return rx__fail_null(RX_ENOMEM, "rx_just: v is invalid (a value "
                                        "constructor ran out of memory)");
    }
    j = rx__observable_new(site, &just_ops, sizeof *j, NULL);
    if (j == NULL) {
        rx_value_release(v);
        return NULL;
    }
    j->v = v;
    return &j->base;
}

rx_observable *
rx_from_values_at(const rx_site *site, size_t n, const rx_value *values)
{
    struct values_obs *o;
    bool scalars = true;
    size_t i;

    if (values == NULL && n > 0) {
        return rx__fail_null(RX_EINVAL,
                             "rx_from_values: values must not be NULL");
    }
    for (i = 0; i < n; i++) {
        if (rx_is_invalid(values[i])) {
            release_all(n, values);
            return rx__fail_null(RX_ENOMEM,
                                 "rx_from_values: values[%zu] is invalid (a "
                                 "value constructor ran out of memory)",
                                 i);
        }
        scalars = scalars && !RX_VALUE_IS_HEAP(values[i]);
    }
    if (n > (SIZE_MAX - sizeof *o) / sizeof(rx_value)) {
        release_all(n, values);
        return rx__fail_null(RX_ENOMEM, "rx_from_values: n is too large");
    }
    o = rx__observable_new(site, &values_ops, sizeof *o + n * sizeof(rx_value),
                           NULL);
    if (o == NULL) {
        release_all(n, values);
        return NULL;
    }
    if (n > 0) {
        memcpy(o->vals, values, n * sizeof(rx_value));
    }
    o->n = n;
    o->scalars = scalars;
    return &o->base;
}

rx_observable *
rx_from_ints_at(const rx_site *site, size_t n, const int64_t *ints)
{
    struct values_obs *o;
    size_t i;

    if (ints == NULL && n > 0) {
        return rx__fail_null(RX_EINVAL, "rx_from_ints: ints must not be NULL");
    }
    if (n > (SIZE_MAX - sizeof *o) / sizeof(rx_value)) {
        return rx__fail_null(RX_ENOMEM, "rx_from_ints: n is too large");
    }
    o = rx__observable_new(site, &values_ops, sizeof *o + n * sizeof(rx_value),
                           NULL);
    if (o == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        o->vals[i] = rx_int(ints[i]);
    }
    o->n = n;
    o->scalars = true;
    return &o->base;
}
