/* SPDX-License-Identifier: MIT */
/* User functions of W1; see w1_user.h. */
#include "w1_user.h"

rx_value
w1_double(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(v.as.i * 2);
}

bool
w1_div3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return v.as.i % 3 == 0;
}

void
w1_sink(rx_value v, void *ctx)
{
    *(int64_t *)ctx += v.as.i;
}

void
w1_double_batch(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        vals[i].as.i *= 2;
    }
}

size_t
w1_div3_batch(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t out = 0;

    (void)ctx;
    (void)err;
    /* Branch-free compaction: every item is copied to the next free slot
     * and the slot is kept only when the item passes. */
    for (size_t i = 0; i < n; i++) {
        rx_value v = vals[i];
        vals[out] = v;
        out += v.as.i % 3 == 0;
    }
    return out;
}

void
w1_sink_batch(rx_value *vals, size_t n, void *ctx)
{
    int64_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += vals[i].as.i;
    }
    *(int64_t *)ctx += sum;
}
