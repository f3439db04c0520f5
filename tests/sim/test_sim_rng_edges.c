/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the simulation's distributions (slice 4 coverage): every
 * out-of-range field of every kind is refused with RX_EINVAL and a last
 * error naming it; drawing with no generator or from an unknown kind
 * gives NaN; seeding no generator is a no-op.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "rx_test.h"

/* rx_sim_dist_check(d) fails with RX_EINVAL, naming `field`. */
static void
check_refused(rx_sim_dist d, const char *field)
{
    assert_int_equal(rx_sim_dist_check(&d), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), field));
}

static void
test_dist_check_refuses_each_bad_field(void **state)
{
    (void)state;
    assert_int_equal(rx_sim_dist_check(NULL), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "dist must not be NULL"));
    check_refused((rx_sim_dist){.kind = RX_SIM_FIXED, .ms = INFINITY}, "ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_UNIFORM, .min_ms = -1, .max_ms = 4},
        "min_ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_UNIFORM, .min_ms = 1, .max_ms = NAN},
        "max_ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_NORMAL, .mean_ms = 5, .stddev_ms = -1},
        "stddev_ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_LOGNORMAL, .median_ms = -2, .sigma = 1},
        "median_ms");
    check_refused((rx_sim_dist){.kind = RX_SIM_LOGNORMAL,
                                .median_ms = 2,
                                .sigma = INFINITY},
                  "sigma");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_PARETO, .scale_ms = NAN, .shape = 1},
        "scale_ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_PARETO, .scale_ms = 0, .shape = 1},
        "scale_ms");
    check_refused(
        (rx_sim_dist){.kind = RX_SIM_PARETO, .scale_ms = 1, .shape = -1},
        "shape");
    /* The boundaries themselves are accepted. */
    assert_int_equal(rx_sim_dist_check(&(rx_sim_dist){
                         .kind = RX_SIM_UNIFORM, .min_ms = 3, .max_ms = 3}),
                     0);
    assert_int_equal(rx_sim_dist_check(&(rx_sim_dist){
                         .kind = RX_SIM_LOGNORMAL, .median_ms = 1, .sigma = 0}),
                     0);
}

static void
test_dist_draw_without_rng_or_kind_is_nan(void **state)
{
    rx_sim_rng rng;
    rx_sim_rng copy;
    rx_sim_dist fixed = {.kind = RX_SIM_FIXED, .ms = 7};

    (void)state;
    rx_sim_rng_seed(&rng, 42);
    copy = rng;
    assert_true(isnan(rx_sim_dist_draw(&fixed, NULL)));
    assert_true(isnan(
        rx_sim_dist_draw(&(rx_sim_dist){.kind = (rx_sim_dist_kind)42}, &rng)));
    /* A fixed draw still takes one number from the stream. */
    assert_true(rx_sim_dist_draw(&fixed, &rng) == 7.0);
    (void)rx_sim_rng_next(&copy);
    assert_memory_equal(&rng, &copy, sizeof rng);
    /* Seeding no generator does nothing (and does not crash). */
    rx_sim_rng_seed(NULL, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_dist_check_refuses_each_bad_field),
        rx_unit_test(test_dist_draw_without_rng_or_kind_is_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
