/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of a user function that returns NULL on a thread where no
 * uvrx call has failed yet: rx_catch, rx_retry_when, rx_using,
 * rx_flat_map, rx_switch_map, rx_concat_map_eager and rx_expand must
 * signal RX_EINVAL with "no error given" in the message (and not a stale
 * or zero code). Each case runs on a fresh thread, whose last error is 0.
 * rx_expand emits the source's first item before it maps it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <uv.h>

#include "rx_test.h"

static rx_observable *
catch_null(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)err;
    (void)ctx;
    (void)out_err;
    return NULL;
}

static rx_observable *
when_null(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    rx_observable_release(errors); /* taken */
    return NULL;
}

static rx_value
acquire_int(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(7);
}

static rx_observable *
make_null(rx_value resource, void *ctx, rx_error **err)
{
    (void)resource;
    (void)ctx;
    (void)err;
    return NULL;
}

static rx_observable *
map_null(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return NULL;
}

enum which { CATCH, RETRY_WHEN, USING, FLAT_MAP, SWITCH_MAP, CME, EXPAND };

struct run {
    enum which which;
    int last_before; /* rx_last_error() on the thread before the run */
    int code;        /* code of the error the observer got, 0 if none */
    size_t items;
    bool completed;
    char msg[256];
};

static rx_observable *
build(enum which w)
{
    rx_observable *boom = rx_throw(rx_error_new(RX_ETIMEDOUT, "boom"));

    switch (w) {
    case CATCH:
        return rx_catch(boom, catch_null, NULL);
    case RETRY_WHEN:
        return rx_retry_when(boom, when_null, NULL);
    case USING:
        rx_observable_release(boom);
        return rx_using(acquire_int, make_null, NULL, NULL);
    case FLAT_MAP:
        rx_observable_release(boom);
        return rx_flat_map(rx_range(1, 3), map_null, NULL);
    case SWITCH_MAP:
        rx_observable_release(boom);
        return rx_switch_map(rx_range(1, 3), map_null, NULL);
    case CME:
        rx_observable_release(boom);
        return rx_concat_map_eager(rx_range(1, 3), map_null, NULL);
    case EXPAND:
        rx_observable_release(boom);
        return rx_expand(rx_range(1, 3), map_null, NULL);
    }
    return NULL;
}

static void
run_main(void *arg)
{
    struct run *r = arg;
    rx_test_observer *t;
    rx_observable *obs;

    r->last_before = rx_last_error();
    t = rx_test_observer_new(RX_UNBOUNDED);
    obs = build(r->which);
    if (obs != NULL && rx_test_subscribe(obs, t) == 0) {
        const rx_error *e = rx_test_error(t);

        r->items = rx_test_count(t);
        r->completed = rx_test_completed(t);
        if (e != NULL) {
            r->code = rx_error_code(e);
            snprintf(r->msg, sizeof r->msg, "%s", rx_error_message(e));
        }
    }
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static void
check_fresh_thread(enum which w, const char *name, size_t items)
{
    struct run r = {.which = w};
    uv_thread_t tid;

    assert_int_equal(uv_thread_create(&tid, run_main, &r), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(r.last_before, 0);
    assert_int_equal(r.items, items);
    assert_false(r.completed);
    assert_int_equal(r.code, RX_EINVAL);
    assert_non_null(strstr(r.msg, "returned NULL"));
    assert_non_null(strstr(r.msg, "no error given"));
    assert_non_null(strstr(r.msg, name));
}

static void
test_catch_handler_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(CATCH, "rx_catch", 0);
}

static void
test_retry_when_handler_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(RETRY_WHEN, "rx_retry_when", 0);
}

static void
test_using_make_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(USING, "rx_using", 0);
}

static void
test_flat_map_fn_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(FLAT_MAP, "rx_flat_map", 0);
}

static void
test_switch_map_fn_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(SWITCH_MAP, "rx_switch_map", 0);
}

static void
test_concat_map_eager_fn_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(CME, "rx_concat_map_eager", 0);
}

static void
test_expand_fn_null_without_error(void **state)
{
    (void)state;
    check_fresh_thread(EXPAND, "rx_expand", 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_catch_handler_null_without_error),
        rx_unit_test(test_retry_when_handler_null_without_error),
        rx_unit_test(test_using_make_null_without_error),
        rx_unit_test(test_flat_map_fn_null_without_error),
        rx_unit_test(test_switch_map_fn_null_without_error),
        rx_unit_test(test_concat_map_eager_fn_null_without_error),
        rx_unit_test(test_expand_fn_null_without_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
