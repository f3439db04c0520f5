/* SPDX-License-Identifier: MIT */
/*
 * A program outside the uvrx tree, built by check_install.sh against an
 * installed uvrx (through pkg-config and through find_package). It runs
 * pipelines of sources and operators through the installed library and
 * exits non-zero unless every result is right and nothing leaked.
 */
#include <uvrx.h>

#include <stdio.h>

static rx_value
square(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * rx_as_int(v));
}

static bool
odd(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 2 != 0;
}

static rx_value
add(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static void
keep_last(rx_value v, void *ctx)
{
    *(int64_t *)ctx = rx_as_int(v);
}

static int64_t
run(rx_observable *o)
{
    int64_t out = -1;
    rx_observer obs = {.on_next = keep_last, .ctx = &out};

    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "consumer: %s\n", rx_last_error_message());
        rx_observable_release(o);
        return -2;
    }
    rx_observable_release(o);
    return out;
}

int
main(void)
{
    rx_observable *parts[2];
    int64_t a;
    int64_t b;
    int64_t c;

    /* 1..10 squared, odd ones summed: 1 + 9 + 25 + 49 + 81 = 165. */
    a = run(rx_reduce_seed(
        rx_filter(rx_map(rx_range(1, 10), square, NULL), odd, NULL), rx_int(0),
        add, NULL));
    /* concat, skip, take, count: 5 of (1, 2, 3) ++ (4, 5, 6, 7). */
    parts[0] = rx_of_ints(1, 2, 3);
    parts[1] = rx_of_ints(4, 5, 6, 7);
    b = run(rx_count(rx_take(rx_skip(rx_concat_array(2, parts), 1), 5)));
    /* distinct then last: 3. */
    c = run(rx_last(rx_distinct(rx_of_ints(1, 3, 1, 3))));
    rx_shutdown();
    printf("consumer: %lld %lld %lld, live objects %lld\n", (long long)a,
           (long long)b, (long long)c, (long long)rx_live_objects());
    return a == 165 && b == 5 && c == 3 && rx_live_objects() == 0 ? 0 : 1;
}
