/* SPDX-License-Identifier: MIT */
/* Errors: codes, names, messages, refcounts, the last error, the
 * undeliverable handler and allocator replacement. */
#include <stdio.h>
#include <string.h>

#include "rx_test.h"

static const int own_codes[] = {
#define RX__OWN(name, value, msg) RX_##name,
    RX_ERRNO_MAP(RX__OWN)
#undef RX__OWN
};

static void
test_shared_codes_equal_libuv_codes(void **state)
{
    (void)state;
    assert_int_equal(RX_EINVAL, UV_EINVAL);
    assert_int_equal(RX_ENOMEM, UV_ENOMEM);
    assert_int_equal(RX_ETIMEDOUT, UV_ETIMEDOUT);
    assert_int_equal(RX_ECANCELED, UV_ECANCELED);
    assert_int_equal(RX_EBUSY, UV_EBUSY);
}

static void
test_every_code_has_a_name_and_a_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof own_codes / sizeof own_codes[0]; i++) {
        assert_true(own_codes[i] < 0);
        assert_string_not_equal(rx_err_name(own_codes[i]), "RX_EUNKNOWN");
        assert_string_not_equal(rx_strerror(own_codes[i]), "unknown error");
        assert_true(strncmp(rx_err_name(own_codes[i]), "RX_E", 4) == 0);
    }
    assert_string_equal(rx_err_name(RX_EBACKPRESSURE), "RX_EBACKPRESSURE");
    assert_string_equal(rx_err_name(RX_EUSER - 5), "RX_EUSER");
    assert_string_equal(rx_err_name(7), "RX_EUNKNOWN");
    assert_string_equal(rx_strerror(UV_ENOENT), uv_strerror(UV_ENOENT));
}

/* Every rx_errno enumerator is a row of RX_ERRNO_MAP: the switch has no
 * default, so -Wswitch (in -Wall, an error under -Werror) rejects the build
 * if an enumerator has no case. The reverse direction is checked by
 * own_codes above, which names RX_<row> for every row. */
static bool
code_is_in_the_map(rx_errno code)
{
    switch (code) {
#define RX__CASE(name, value, msg)                                             \
    case RX_##name:                                                            \
        return true;
        RX_ERRNO_MAP(RX__CASE)
#undef RX__CASE
    case RX_EUSER:
        return false; /* a bound for applications' codes, not a code */
    }
    return false;
}

static void
test_every_code_has_its_own_name_and_a_distinct_message(void **state)
{
    static const struct {
        int code;
        const char *name;
    } rows[] = {
#define RX__ROW(name, value, msg) {RX_##name, "RX_" #name},
        RX_ERRNO_MAP(RX__ROW)
#undef RX__ROW
    };
    const size_t n = sizeof rows / sizeof rows[0];

    (void)state;
    for (size_t i = 0; i < n; i++) {
        assert_true(code_is_in_the_map((rx_errno)rows[i].code));
        assert_string_equal(rx_err_name(rows[i].code), rows[i].name);
        assert_true(strlen(rx_strerror(rows[i].code)) > 0);
        assert_string_not_equal(rx_strerror(rows[i].code),
                                rx_strerror(RX_EUSER + 1));
        assert_string_not_equal(rx_strerror(rows[i].code),
                                rx_strerror(RX_EUSER));
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(rows[i].code, rows[j].code);
            assert_string_not_equal(rx_strerror(rows[i].code),
                                    rx_strerror(rows[j].code));
        }
    }
    /* The fallbacks the checks above compare against. */
    assert_string_equal(rx_strerror(RX_EUSER + 1), "unknown error");
    assert_string_equal(rx_err_name(RX_EUSER + 1), "RX_EUNKNOWN");
    assert_false(code_is_in_the_map(RX_EUSER));
}

static void
test_libuv_knows_none_of_the_own_codes(void **state)
{
    char buf[128];

    (void)state;
    for (size_t i = 0; i < sizeof own_codes / sizeof own_codes[0]; i++) {
        int c = own_codes[i];
        if (c > -5000 || c <= -5100) {
            continue; /* shared with libuv on purpose */
        }
        uv_err_name_r(c, buf, sizeof buf);
        assert_non_null(strstr(buf, "Unknown"));
    }
}

static void
test_error_new_formats_and_counts_references(void **state)
{
    rx_error *e = rx_error_new(RX_EINVAL, "bad %s %d", "thing", 7);
    rx_error *again;

    (void)state;
    assert_int_equal(rx_error_code(e), RX_EINVAL);
    assert_string_equal(rx_error_message(e), "bad thing 7");
    assert_null(rx_error_cause(e));
    assert_null(rx_error_site(e));
    again = rx_error_retain(e);
    assert_ptr_equal(again, e);
    rx_error_release(e);
    assert_int_equal(rx_live_objects(), 1);
    rx_error_release(again);
    assert_int_equal(rx_live_objects(), 0);
    rx_error_release(NULL);
}

static void
test_error_without_format_uses_standard_message(void **state)
{
    rx_error *e = rx_error_new(RX_ENOELEMENT, NULL);

    (void)state;
    assert_string_equal(rx_error_message(e), rx_strerror(RX_ENOELEMENT));
    rx_error_release(e);
}

static void
test_wrap_keeps_the_cause(void **state)
{
    rx_error *cause = rx_error_new(RX_ETIMEDOUT, "slow");
    rx_error *e = rx_error_wrap(RX_EUSER, cause, "request %d failed", 3);

    (void)state;
    assert_int_equal(rx_error_code(e), RX_EUSER);
    assert_int_equal(rx_error_code(rx_error_cause(e)), RX_ETIMEDOUT);
    assert_string_equal(rx_error_message(rx_error_cause(e)), "slow");
    rx_error_release(e); /* the cause goes with it */
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_error_new_never_returns_null_when_memory_runs_out(void **state)
{
    rx_error *e;
    rx_error *w;

    (void)state;
    rx_fault_arm(1, true);
    e = rx_error_new(RX_EINVAL, "lost");
    w = rx_error_wrap(RX_EINVAL, rx_error_new(RX_ETIMEDOUT, "x"), "y");
    rx_fault_disarm();
    assert_non_null(e);
    assert_int_equal(rx_error_code(e), RX_ENOMEM);
    assert_ptr_equal(e, w); /* the immortal out-of-memory error */
    rx_error_retain(e);
    rx_error_release(e);
    rx_error_release(e);
    rx_error_release(w);
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_null_error_reads_safely(void **state)
{
    (void)state;
    assert_int_equal(rx_error_code(NULL), RX_EINVAL);
    assert_string_equal(rx_error_message(NULL), "");
    assert_null(rx_error_retain(NULL));
}

static void
test_last_error_names_function_and_survives_success(void **state)
{
    rx_observable *ok;

    (void)state;
    assert_null(rx_range(0, -1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
    assert_non_null(strstr(rx_last_error_message(), "count"));
    ok = rx_range(0, 1);
    assert_non_null(ok);
    assert_int_equal(rx_last_error(), RX_EINVAL); /* not cleared */
    rx_observable_release(ok);
}

static void
test_error_without_on_error_is_not_lost(void **state)
{
    rx_observer quiet = {0};
    rx_observable *o = rx_throw(rx_error_new(RX_ETIMEDOUT, "nobody listens"));
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_subscribe(o, &quiet, NULL), 0);
    rx_observable_release(o);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_ETIMEDOUT);
}

static void
test_allocator_cannot_change_while_objects_live(void **state)
{
    rx_value s = rx_str("alive");
    rx_allocator bad = {0};

    (void)state;
    assert_int_equal(rx_set_allocator(NULL), RX_EBUSY);
    assert_non_null(strstr(rx_last_error_message(), "rx_set_allocator"));
    rx_value_release(s);
    assert_int_equal(rx_set_allocator(&bad), RX_EINVAL);
    assert_int_equal(rx_set_allocator(NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_shared_codes_equal_libuv_codes),
        rx_unit_test(test_every_code_has_a_name_and_a_message),
        rx_unit_test(test_every_code_has_its_own_name_and_a_distinct_message),
        rx_unit_test(test_libuv_knows_none_of_the_own_codes),
        rx_unit_test(test_error_new_formats_and_counts_references),
        rx_unit_test(test_error_without_format_uses_standard_message),
        rx_unit_test(test_wrap_keeps_the_cause),
        rx_unit_test(test_error_new_never_returns_null_when_memory_runs_out),
        rx_unit_test(test_null_error_reads_safely),
        rx_unit_test(test_last_error_names_function_and_survives_success),
        rx_unit_test(test_error_without_on_error_is_not_lost),
        rx_unit_test(test_allocator_cannot_change_while_objects_live),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
