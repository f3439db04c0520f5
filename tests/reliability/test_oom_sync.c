/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure everywhere, synchronous families: sources, transform,
 * filter, aggregate and utility operators (oom_harness.h says what every
 * run of every sweep must end with).
 */
#include "oom_harness.h"

/* ---- create -------------------------------------------------------------- */

static rx_observable *
b_just(const struct oom_env *e)
{
    (void)e;
    return rx_just(rx_int(7));
}

static rx_observable *
b_from_values(const struct oom_env *e)
{
    (void)e;
    return rx_from_values(3, ((rx_value[]){rx_int(1), rx_int(2), rx_int(3)}));
}

static rx_observable *
b_from_strings(const struct oom_env *e)
{
    (void)e;
    return rx_map(
        rx_from_values(2, ((rx_value[]){rx_str("ab"), rx_str("cde")})), oom_num,
        NULL);
}

static rx_observable *
b_of_ints(const struct oom_env *e)
{
    (void)e;
    return rx_of_ints(4, 5);
}

static rx_observable *
b_range(const struct oom_env *e)
{
    (void)e;
    return rx_range(1, 4);
}

static rx_observable *
b_empty(const struct oom_env *e)
{
    (void)e;
    return rx_empty();
}

static rx_observable *
b_never(const struct oom_env *e)
{
    return rx_take_until(rx_never(), rx_timer(3, e->sched));
}

static rx_observable *
b_throw(const struct oom_env *e)
{
    (void)e;
    return rx_throw(oom_user_error());
}

static rx_observable *
defer_factory(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(1, 2);
}

static rx_observable *
b_defer(const struct oom_env *e)
{
    (void)e;
    return rx_defer(defer_factory, NULL);
}

/* The state is user memory (plain malloc); a failure there is the
 * user's, reported through *err. */
static void *
gen_init(void *ctx, rx_error **err)
{
    int64_t *n = malloc(sizeof *n);

    (void)ctx;
    if (n == NULL) {
        *err = rx_error_new(RX_ENOMEM, "gen_init");
        return NULL;
    }
    *n = 0;
    return n;
}

static rx_value
gen_step(void *state, void *ctx, bool *done, rx_error **err)
{
    int64_t *n = state;

    (void)ctx;
    (void)err;
    if (*n == 3) {
        *done = true;
        return rx_nil();
    }
    return rx_int((*n)++);
}

static rx_observable *
b_generate(const struct oom_env *e)
{
    (void)e;
    return rx_generate(gen_init, gen_step, free, NULL);
}

static void
create_fn(rx_emitter *em, void *ctx)
{
    (void)ctx;
    (void)rx_emitter_next(em, rx_int(1));
    (void)rx_emitter_next(em, rx_int(2));
    (void)rx_emitter_complete(em);
}

static rx_observable *
b_create(const struct oom_env *e)
{
    (void)e;
    return rx_create(create_fn, NULL);
}

static const struct oom_row create_rows[] = {
    OOM_ROW("just", b_just, 0, 0, 7),
    OOM_ROW("from_values", b_from_values, 0, 0, 1, 2, 3),
    OOM_ROW("from_values_strings", b_from_strings, 0, 0, 2, 3),
    OOM_ROW("of_ints", b_of_ints, 0, 0, 4, 5),
    OOM_ROW("range", b_range, 0, 0, 1, 2, 3, 4),
    OOM_ROW0("empty", b_empty, 0, 0),
    OOM_ROW0("never_take_until", b_never, 0, 0),
    OOM_ROW0("throw", b_throw, RX_T_EUSER, 0),
    OOM_ROW("defer", b_defer, 0, 0, 1, 2),
    OOM_ROW("generate", b_generate, 0, 0, 0, 1, 2),
    OOM_ROW("create", b_create, 0, 0, 1, 2),
};

/* ---- transform ----------------------------------------------------------- */

static rx_observable *
b_map(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_range(1, 3), rx_t_times10, NULL);
}

static rx_observable *
b_map_strings(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_map(rx_range(1, 3), oom_to_str, NULL), oom_num, NULL);
}

static void
double_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 2);
    }
}

static rx_observable *
b_map_batch(const struct oom_env *e)
{
    (void)e;
    return rx_map_batch(rx_range(1, 3), double_kernel, NULL);
}

static rx_observable *
b_scan(const struct oom_env *e)
{
    (void)e;
    return rx_scan(rx_range(1, 4), rx_t_sum, NULL);
}

static rx_observable *
b_scan_seed(const struct oom_env *e)
{
    (void)e;
    return rx_scan_seed(rx_range(1, 3), rx_int(10), rx_t_sum, NULL);
}

static rx_observable *
b_materialize(const struct oom_env *e)
{
    (void)e;
    return rx_dematerialize(rx_materialize(rx_range(1, 3)));
}

static rx_observable *
b_materialize_error(const struct oom_env *e)
{
    (void)e;
    return rx_count(rx_materialize(oom_then_fail(rx_range(1, 2))));
}

static const struct oom_row transform_rows[] = {
    OOM_ROW("map", b_map, 0, 0, 10, 20, 30),
    OOM_ROW("map_to_strings", b_map_strings, 0, 0, 1, 2, 3),
    OOM_ROW("map_batch", b_map_batch, 0, 0, 2, 4, 6),
    OOM_ROW("scan", b_scan, 0, 0, 1, 3, 6, 10),
    OOM_ROW("scan_seed", b_scan_seed, 0, 0, 10, 11, 13, 16),
    OOM_ROW("materialize_dematerialize", b_materialize, 0, 0, 1, 2, 3),
    OOM_ROW("materialize_error_count", b_materialize_error, 0, OOM_RECOVERS, 3),
};

/* ---- filter -------------------------------------------------------------- */

static rx_observable *
b_filter(const struct oom_env *e)
{
    (void)e;
    return rx_filter(rx_range(1, 6), rx_t_is_even, NULL);
}

static rx_observable *
b_take(const struct oom_env *e)
{
    (void)e;
    return rx_take(rx_range(1, 10), 3);
}

static rx_observable *
b_skip(const struct oom_env *e)
{
    (void)e;
    return rx_skip(rx_range(1, 5), 2);
}

static rx_observable *
b_take_while(const struct oom_env *e)
{
    (void)e;
    return rx_take_while(rx_range(1, 5), oom_lt3, NULL);
}

static rx_observable *
b_skip_while(const struct oom_env *e)
{
    (void)e;
    return rx_skip_while(rx_range(1, 5), oom_lt3, NULL);
}

static rx_observable *
b_take_last(const struct oom_env *e)
{
    (void)e;
    return rx_take_last(rx_range(1, 5), 2);
}

static rx_observable *
b_skip_last(const struct oom_env *e)
{
    (void)e;
    return rx_skip_last(rx_range(1, 5), 2);
}

static rx_observable *
b_distinct(const struct oom_env *e)
{
    (void)e;
    return rx_distinct(rx_of_ints(1, 2, 1, 3, 2));
}

static rx_observable *
b_distinct_strings(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_distinct(rx_map(rx_of_ints(1, 2, 1, 3), oom_to_str, NULL)),
                  oom_num, NULL);
}

static rx_observable *
b_distinct_until_changed(const struct oom_env *e)
{
    (void)e;
    return rx_distinct_until_changed(rx_of_ints(1, 1, 2, 2, 1));
}

static rx_observable *
b_first(const struct oom_env *e)
{
    (void)e;
    return rx_first(rx_range(5, 3));
}

static rx_observable *
b_first_empty(const struct oom_env *e)
{
    (void)e;
    return rx_first(rx_empty());
}

static rx_observable *
b_last(const struct oom_env *e)
{
    (void)e;
    return rx_last(rx_range(5, 3));
}

static rx_observable *
b_element_at(const struct oom_env *e)
{
    (void)e;
    return rx_element_at(rx_range(5, 3), 1);
}

static rx_observable *
b_ignore_elements(const struct oom_env *e)
{
    (void)e;
    return rx_ignore_elements(rx_range(1, 3));
}

static size_t
evens_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t k = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (rx_as_int(vals[i]) % 2 == 0) {
            vals[k++] = vals[i];
        }
    }
    return k;
}

static rx_observable *
b_filter_batch(const struct oom_env *e)
{
    (void)e;
    return rx_filter_batch(rx_range(1, 6), evens_kernel, NULL);
}

static const struct oom_row filter_rows[] = {
    OOM_ROW("filter", b_filter, 0, 0, 2, 4, 6),
    OOM_ROW("filter_batch", b_filter_batch, 0, 0, 2, 4, 6),
    OOM_ROW("take", b_take, 0, 0, 1, 2, 3),
    OOM_ROW("skip", b_skip, 0, 0, 3, 4, 5),
    OOM_ROW("take_while", b_take_while, 0, 0, 1, 2),
    OOM_ROW("skip_while", b_skip_while, 0, 0, 3, 4, 5),
    OOM_ROW("take_last", b_take_last, 0, 0, 4, 5),
    OOM_ROW("skip_last", b_skip_last, 0, 0, 1, 2, 3),
    OOM_ROW("distinct", b_distinct, 0, 0, 1, 2, 3),
    OOM_ROW("distinct_strings", b_distinct_strings, 0, 0, 1, 2, 3),
    OOM_ROW("distinct_until_changed", b_distinct_until_changed, 0, 0, 1, 2, 1),
    OOM_ROW("first", b_first, 0, 0, 5),
    OOM_ROW0("first_of_empty", b_first_empty, RX_ENOELEMENT, 0),
    OOM_ROW("last", b_last, 0, 0, 7),
    OOM_ROW("element_at", b_element_at, 0, 0, 6),
    OOM_ROW0("ignore_elements", b_ignore_elements, 0, 0),
};

/* ---- aggregate ----------------------------------------------------------- */

static rx_observable *
b_count(const struct oom_env *e)
{
    (void)e;
    return rx_count(rx_range(1, 5));
}

static rx_observable *
b_reduce(const struct oom_env *e)
{
    (void)e;
    return rx_reduce(rx_range(1, 4), rx_t_sum, NULL);
}

static rx_observable *
b_reduce_seed(const struct oom_env *e)
{
    (void)e;
    return rx_reduce_seed(rx_range(1, 3), rx_int(100), rx_t_sum, NULL);
}

static rx_observable *
b_to_array(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_to_array(rx_range(1, 4)), oom_num, NULL);
}

static rx_observable *
b_all(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_all(rx_range(1, 3), rx_t_is_even, NULL), oom_num, NULL);
}

static rx_observable *
b_any(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_any(rx_range(1, 3), rx_t_is_even, NULL), oom_num, NULL);
}

static rx_observable *
b_contains(const struct oom_env *e)
{
    (void)e;
    return rx_map(rx_contains(rx_range(1, 3), rx_int(2)), oom_num, NULL);
}

static rx_observable *
b_default_if_empty(const struct oom_env *e)
{
    (void)e;
    return rx_default_if_empty(rx_empty(), rx_int(9));
}

static rx_value
sum_kernel(rx_value acc, const rx_value *vals, size_t n, void *ctx,
           rx_error **err)
{
    int64_t s = rx_as_int(acc);

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        s += rx_as_int(vals[i]);
    }
    return rx_int(s);
}

static rx_observable *
b_reduce_batch(const struct oom_env *e)
{
    (void)e;
    return rx_reduce_batch(rx_range(1, 4), rx_int(0), sum_kernel, NULL);
}

static const struct oom_row aggregate_rows[] = {
    OOM_ROW("count", b_count, 0, 0, 5),
    OOM_ROW("reduce", b_reduce, 0, 0, 10),
    OOM_ROW("reduce_seed", b_reduce_seed, 0, 0, 106),
    OOM_ROW("reduce_batch", b_reduce_batch, 0, 0, 10),
    OOM_ROW("to_array", b_to_array, 0, 0, 4),
    OOM_ROW("all", b_all, 0, 0, 0),
    OOM_ROW("any", b_any, 0, 0, 1),
    OOM_ROW("contains", b_contains, 0, 0, 1),
    OOM_ROW("default_if_empty", b_default_if_empty, 0, 0, 9),
};

/* ---- utility ------------------------------------------------------------- */

static void
tap_next(rx_value v, void *ctx)
{
    (void)v;
    (void)ctx;
}

static rx_observable *
b_tap(const struct oom_env *e)
{
    (void)e;
    return rx_tap_opts(rx_range(1, 3), &(rx_tap_config){.on_next = tap_next});
}

static void
finally_fn(void *ctx)
{
    (void)ctx;
}

static rx_observable *
b_finally(const struct oom_env *e)
{
    (void)e;
    return rx_finally(rx_range(1, 2), finally_fn, NULL);
}

/* The context is user memory: rx_attach frees it even when it fails. */
static rx_observable *
b_attach(const struct oom_env *e)
{
    (void)e;
    return rx_attach(rx_range(1, 2), malloc(16), free);
}

static rx_observable *
b_concat(const struct oom_env *e)
{
    (void)e;
    return rx_concat(rx_range(1, 2), rx_range(5, 2));
}

static rx_observable *
b_concat_array(const struct oom_env *e)
{
    (void)e;
    return rx_concat_array(
        3,
        ((rx_observable *[]){rx_just(rx_int(1)), rx_empty(), rx_range(2, 2)}));
}

static rx_observable *
b_repeat(const struct oom_env *e)
{
    (void)e;
    return rx_repeat(rx_range(1, 2), 3);
}

static rx_observable *
b_start_with_values(const struct oom_env *e)
{
    (void)e;
    return rx_start_with_values(rx_range(3, 2), 2,
                                ((rx_value[]){rx_int(1), rx_int(2)}));
}

static const struct oom_row utility_rows[] = {
    OOM_ROW("tap", b_tap, 0, 0, 1, 2, 3),
    OOM_ROW("finally", b_finally, 0, 0, 1, 2),
    OOM_ROW("attach", b_attach, 0, 0, 1, 2),
    OOM_ROW("concat", b_concat, 0, 0, 1, 2, 5, 6),
    OOM_ROW("concat_array", b_concat_array, 0, 0, 1, 2, 3),
    OOM_ROW("repeat", b_repeat, 0, 0, 1, 2, 1, 2, 1, 2),
    OOM_ROW("start_with_values", b_start_with_values, 0, 0, 1, 2, 3, 4),
};

/* ---- the tests ------------------------------------------------------------
 */

#define FAMILY(rows)                                                           \
    {                                                                          \
#rows, rows, sizeof rows / sizeof rows[0], {0, 0 }, 0                  \
    }

static struct oom_family families[] = {
    FAMILY(create_rows),    FAMILY(transform_rows), FAMILY(filter_rows),
    FAMILY(aggregate_rows), FAMILY(utility_rows),
};

static void
test_oom_create(void **state)
{
    (void)state;
    oom_run_family(&families[0]);
}

static void
test_oom_transform(void **state)
{
    (void)state;
    oom_run_family(&families[1]);
}

static void
test_oom_filter(void **state)
{
    (void)state;
    oom_run_family(&families[2]);
}

static void
test_oom_aggregate(void **state)
{
    (void)state;
    oom_run_family(&families[3]);
}

static void
test_oom_utility(void **state)
{
    (void)state;
    oom_run_family(&families[4]);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        rx_unit_test(test_oom_create),  rx_unit_test(test_oom_transform),
        rx_unit_test(test_oom_filter),  rx_unit_test(test_oom_aggregate),
        rx_unit_test(test_oom_utility),
    };

    return oom_main(tests, sizeof tests / sizeof tests[0], families,
                    sizeof families / sizeof families[0]);
}
