/* SPDX-License-Identifier: MIT */
/*
 * quickstart: the smallest useful uvrx pipeline.
 *
 * It takes the integers 1..10, squares each one, keeps the even squares
 * and prints them. Three ideas show here:
 *
 *  - An observable is a recipe: rx_range, rx_map and rx_filter build one
 *    without running anything. Each operator takes the observable it is
 *    given, so the chain needs no temporaries and is checked for failure
 *    once, at the end.
 *  - rx_subscribe runs the recipe and calls the observer's callbacks:
 *    on_next for each item, then on_complete (or on_error).
 *  - Everything is released at the end and rx_live_objects() confirms that
 *    nothing leaked.
 */
#include <stdio.h>
#include <string.h>

#include <uvrx.h>

static rx_value
square(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * rx_as_int(v));
}

static bool
is_even(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 2 == 0;
}

static void
print_item(rx_value v, void *ctx)
{
    (void)ctx;
    printf("even square: %lld\n", (long long)rx_as_int(v));
}

static void
print_error(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "failed: %s\n", rx_error_message(err));
}

static void
print_done(void *ctx)
{
    (void)ctx;
    printf("done\n");
}

int
main(int argc, char **argv)
{
    rx_observable *evens;
    rx_observer printer = {
        .on_next = print_item,
        .on_error = print_error,
        .on_complete = print_done,
    };

    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: %s\nPrints the even squares of 1..10 with a "
               "range -> map -> filter pipeline.\n",
               argv[0]);
        return 0;
    }

    /* range(1, 10) -> map(square) -> filter(is_even) */
    evens = rx_filter(rx_map(rx_range(1, 10), square, NULL), is_even, NULL);
    if (evens == NULL) {
        fprintf(stderr, "cannot build the pipeline: %s\n",
                rx_last_error_message());
        return 1;
    }

    /* A synchronous source runs to completion inside rx_subscribe. With no
     * handle requested (NULL), the subscription frees itself when done. */
    if (rx_subscribe(evens, &printer, NULL) != 0) {
        fprintf(stderr, "cannot subscribe: %s\n", rx_last_error_message());
        rx_observable_release(evens);
        return 1;
    }
    rx_observable_release(evens);
    rx_shutdown();
    if (rx_live_objects() != 0) {
        fprintf(stderr, "leaked %lld objects\n", (long long)rx_live_objects());
        return 1;
    }
    return 0;
}
