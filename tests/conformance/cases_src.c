/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the synchronous sources and the sequencing and
 * utility operators: range, just, from_values, from_ints, of_ints, empty,
 * never, throw, defer, generate, create, tap_opts, finally, attach,
 * concat, concat_array, repeat and start_with_values. Each gets a
 * completing row and, where it can produce them, an empty, a failing and
 * a never-ending one.
 */
#include <stddef.h>
#include <stdlib.h>

#include "conformance.h"
#include "rx_test.h"

static int64_t three = 3;

/* ---- user functions -------------------------------------------------- */

static rx_observable *
defer_range(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(1, 4);
}

static rx_observable *
defer_fails(void *ctx, rx_error **err)
{
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "factory failed");
    return NULL;
}

/* generate: a heap counter as state (so a leaked or double drop shows);
 * done at 5, or with ctx, fails at *ctx. */
static void *
gen_init(void *ctx, rx_error **err)
{
    int64_t *n = malloc(sizeof *n);

    (void)ctx;
    if (n == NULL) {
        *err = rx_error_new(RX_ENOMEM, "gen_init: out of memory");
        return NULL;
    }
    *n = 0;
    return n;
}

static rx_value
gen_step(void *state, void *ctx, bool *done, rx_error **err)
{
    int64_t *n = state;

    if (ctx != NULL && *n == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "step failed");
        return rx_nil();
    }
    if (*n == 5) {
        *done = true;
        return rx_nil();
    }
    return rx_int((*n)++);
}

/* create: emits 0..3 regardless of demand (the buffer holds the rest),
 * then ends as *ctx says: 0 complete, 1 error, 2 nothing. */
static void
create_fn(rx_emitter *em, void *ctx)
{
    int end = *(const int *)ctx;

    for (int64_t i = 0; i < 4; i++) {
        rx_emitter_next(em, rx_int(i));
    }
    if (end == 0) {
        rx_emitter_complete(em);
    } else if (end == 1 && !rx_emitter_is_cancelled(em)) {
        /* A producer that checks first keeps a cancelled stream's error
         * out of the undeliverable handler. */
        rx_emitter_error(em, rx_error_new(RX_T_EUSER, "create failed"));
    }
}

static int create_complete = 0;
static int create_error = 1;
static int create_silent = 2;

static void
tap_next(rx_value v, void *ctx)
{
    (void)v;
    (void)ctx;
}

static void
noop(void *ctx)
{
    (void)ctx;
}

static const rx_tap_config tap_cfg = {
    .on_next = tap_next,
    .on_complete = noop,
    .on_cancel = noop,
};

/* ---- rows: sources --------------------------------------------------- */

static rx_observable *
make_range(void)
{
    return rx_range(1, 5);
}

static rx_observable *
make_range_empty(void)
{
    return rx_range(1, 0);
}

static rx_observable *
make_just(void)
{
    return rx_just(rx_str("only"));
}

static rx_observable *
make_from_values(void)
{
    rx_value vals[3];

    vals[0] = rx_int(1);
    vals[1] = rx_str("two");
    vals[2] = rx_double(3.0);
    return rx_from_values(3, vals);
}

static rx_observable *
make_from_values_empty(void)
{
    return rx_from_values(0, NULL);
}

static rx_observable *
make_from_ints(void)
{
    static const int64_t ints[4] = {4, 3, 2, 1};

    return rx_from_ints(4, ints);
}

static rx_observable *
make_of_ints(void)
{
    return rx_of_ints(7, 8, 9);
}

static rx_observable *
make_empty(void)
{
    return rx_empty();
}

static rx_observable *
make_never(void)
{
    return rx_never();
}

static rx_observable *
make_throw(void)
{
    return rx_throw(rx_error_new(RX_T_EUSER, "thrown"));
}

static rx_observable *
make_defer(void)
{
    return rx_defer(defer_range, NULL);
}

static rx_observable *
make_defer_fails(void)
{
    return rx_defer(defer_fails, NULL);
}

static rx_observable *
make_generate(void)
{
    return rx_generate(gen_init, gen_step, free, NULL);
}

static rx_observable *
make_generate_fails(void)
{
    return rx_generate(gen_init, gen_step, free, &three);
}

static rx_observable *
make_create(void)
{
    return rx_create(create_fn, &create_complete);
}

static rx_observable *
make_create_error(void)
{
    return rx_create(create_fn, &create_error);
}

static rx_observable *
make_create_silent(void)
{
    return rx_create(create_fn, &create_silent);
}

/* ---- rows: utility and sequencing ------------------------------------ */

static rx_observable *
make_tap(void)
{
    return rx_tap_opts(rx_range(1, 4), &tap_cfg);
}

static rx_observable *
make_tap_error(void)
{
    return rx_tap_opts(rx_map(rx_range(1, 5), rx_t_fail_at, &three), &tap_cfg);
}

static rx_observable *
make_finally(void)
{
    return rx_finally(rx_range(1, 4), noop, NULL);
}

static rx_observable *
make_finally_error(void)
{
    return rx_finally(rx_map(rx_range(1, 5), rx_t_fail_at, &three), noop, NULL);
}

static rx_observable *
make_attach(void)
{
    return rx_attach(rx_range(1, 3), malloc(16), free);
}

static rx_observable *
make_concat(void)
{
    return rx_concat(rx_range(1, 3), rx_of_ints(8, 9));
}

static rx_observable *
make_concat_error(void)
{
    return rx_concat(
        rx_range(1, 2),
        rx_concat(rx_throw(rx_error_new(RX_T_EUSER, "mid")), rx_range(5, 5)));
}

static rx_observable *
make_concat_never(void)
{
    return rx_concat(rx_range(1, 2), rx_never());
}

static rx_observable *
make_concat_array(void)
{
    rx_observable *srcs[200];

    for (size_t i = 0; i < 200; i++) {
        srcs[i] = i % 3 == 0 ? rx_empty() : rx_just(rx_int((int64_t)i));
    }
    return rx_concat_array(200, srcs);
}

static rx_observable *
make_concat_array_empty(void)
{
    return rx_concat_array(0, NULL);
}

static rx_observable *
make_repeat(void)
{
    return rx_repeat(rx_range(1, 3), 4);
}

static rx_observable *
make_repeat_zero(void)
{
    return rx_repeat(rx_range(1, 3), 0);
}

static rx_observable *
make_repeat_error(void)
{
    return rx_repeat(rx_map(rx_range(1, 5), rx_t_fail_at, &three), 3);
}

static rx_observable *
make_start_with_values(void)
{
    rx_value vals[2];

    vals[0] = rx_str("a");
    vals[1] = rx_int(0);
    return rx_start_with_values(rx_range(1, 3), 2, vals);
}

static rx_observable *
make_start_with_values_error(void)
{
    rx_value vals[1] = {rx_int(0)};

    return rx_start_with_values(rx_throw(rx_error_new(RX_T_EUSER, "e")), 1,
                                vals);
}

const rx_conf_case rx_conf_cases_src[] = {
    {"range", make_range, 5, RX_CONF_COMPLETE, 0},
    {"range(empty)", make_range_empty, 0, RX_CONF_COMPLETE, 0},
    {"just", make_just, 1, RX_CONF_COMPLETE, 0},
    {"from_values", make_from_values, 3, RX_CONF_COMPLETE, 0},
    {"from_values(empty)", make_from_values_empty, 0, RX_CONF_COMPLETE, 0},
    {"from_ints", make_from_ints, 4, RX_CONF_COMPLETE, 0},
    {"of_ints", make_of_ints, 3, RX_CONF_COMPLETE, 0},
    {"empty", make_empty, 0, RX_CONF_COMPLETE, 0},
    {"never", make_never, 0, RX_CONF_NONE, 0},
    {"throw", make_throw, 0, RX_CONF_ERROR, RX_T_EUSER},
    {"defer", make_defer, 4, RX_CONF_COMPLETE, 0},
    {"defer(factory fails)", make_defer_fails, 0, RX_CONF_ERROR, RX_T_EUSER},
    {"generate", make_generate, 5, RX_CONF_COMPLETE, 0},
    {"generate(step fails)", make_generate_fails, 3, RX_CONF_ERROR, RX_T_EUSER},
    {"create", make_create, 4, RX_CONF_COMPLETE, 0},
    {"create(error)", make_create_error, 4, RX_CONF_ERROR, RX_T_EUSER},
    {"create(no terminal)", make_create_silent, 4, RX_CONF_NONE, 0},
    {"tap_opts", make_tap, 4, RX_CONF_COMPLETE, 0},
    {"tap_opts(error)", make_tap_error, 2, RX_CONF_ERROR, RX_T_EUSER},
    {"finally", make_finally, 4, RX_CONF_COMPLETE, 0},
    {"finally(error)", make_finally_error, 2, RX_CONF_ERROR, RX_T_EUSER},
    {"attach", make_attach, 3, RX_CONF_COMPLETE, 0},
    {"concat", make_concat, 5, RX_CONF_COMPLETE, 0},
    {"concat(error)", make_concat_error, 2, RX_CONF_ERROR, RX_T_EUSER},
    {"concat(never)", make_concat_never, 2, RX_CONF_NONE, 0},
    {"concat_array(200)", make_concat_array, 133, RX_CONF_COMPLETE, 0},
    {"concat_array(empty)", make_concat_array_empty, 0, RX_CONF_COMPLETE, 0},
    {"repeat", make_repeat, 12, RX_CONF_COMPLETE, 0},
    {"repeat(0)", make_repeat_zero, 0, RX_CONF_COMPLETE, 0},
    {"repeat(error)", make_repeat_error, 2, RX_CONF_ERROR, RX_T_EUSER},
    {"start_with_values", make_start_with_values, 5, RX_CONF_COMPLETE, 0},
    {"start_with_values(error)", make_start_with_values_error, 1, RX_CONF_ERROR,
     RX_T_EUSER},
};

const size_t rx_conf_cases_src_n =
    sizeof rx_conf_cases_src / sizeof rx_conf_cases_src[0];
