/* SPDX-License-Identifier: MIT */
/*
 * The user functions of workload W1, compiled in their own translation
 * unit so that no variant can inline them: every variant pays for real
 * calls, as a user's pipeline would.
 */
#ifndef UVRX_BENCH_W1_USER_H
#define UVRX_BENCH_W1_USER_H

#include <uvrx.h>

/* Scalar user functions with uvrx's signatures. */
rx_value w1_double(rx_value v, void *ctx, rx_error **err);
bool w1_div3(rx_value v, void *ctx, rx_error **err);
void w1_sink(rx_value v, void *ctx); /* ctx: int64_t sum */

/* Batch kernels. */
void w1_double_batch(rx_value *vals, size_t n, void *ctx, rx_error **err);
size_t w1_div3_batch(rx_value *vals, size_t n, void *ctx, rx_error **err);
void w1_sink_batch(rx_value *vals, size_t n, void *ctx);

#endif
