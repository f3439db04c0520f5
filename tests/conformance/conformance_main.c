/* SPDX-License-Identifier: MIT */
/*
 * The conformance harness: every rule of DESIGN.md section 2 checked
 * against every row of the conformance table (conformance.h). Each check
 * is one cmocka test that loops over all rows and names the failing row.
 */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "rx_test.h"

extern const rx_conf_case rx_conf_cases_src[];
extern const size_t rx_conf_cases_src_n;
extern const rx_conf_case rx_conf_cases_filter[];
extern const size_t rx_conf_cases_filter_n;
extern const rx_conf_case rx_conf_cases_agg[];
extern const size_t rx_conf_cases_agg_n;

static const struct {
    const rx_conf_case *rows;
    const size_t *n;
} groups[] = {
    {rx_conf_cases_src, &rx_conf_cases_src_n},
    {rx_conf_cases_filter, &rx_conf_cases_filter_n},
    {rx_conf_cases_agg, &rx_conf_cases_agg_n},
};

#define FOR_EACH_ROW(row)                                                      \
    for (size_t g_ = 0; g_ < sizeof groups / sizeof groups[0]; g_++)           \
        for (size_t i_ = 0; i_ < *groups[g_].n; i_++)                          \
            for (const rx_conf_case *row = &groups[g_].rows[i_]; row != NULL;  \
                 row = NULL)

/* Fails the test naming the row. */
#define ROW_CHECK(row, cond, ...)                                              \
    do {                                                                       \
        if (!(cond)) {                                                         \
            char msg_[512];                                                    \
            snprintf(msg_, sizeof msg_, __VA_ARGS__);                          \
            fail_msg("[%s] %s", (row)->name, msg_);                            \
        }                                                                      \
    } while (0)

/* A testkit check that takes no argument besides the recorder. */
#define ROW_OK(row, checkfn, t)                                                \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!checkfn((t), why_, sizeof why_)) {                                \
            fail_msg("[%s] %s", (row)->name, why_);                            \
        }                                                                      \
    } while (0)

/* A testkit check that takes one more argument. */
#define ROW_OK1(row, checkfn, t, arg)                                          \
    do {                                                                       \
        char why_[1024];                                                       \
        if (!checkfn((t), (arg), why_, sizeof why_)) {                         \
            fail_msg("[%s] %s", (row)->name, why_);                            \
        }                                                                      \
    } while (0)

/* Checks the terminal signal a row promises. */
static void
check_terminal(const rx_conf_case *row, const rx_test_observer *t)
{
    char why[1024];
    bool ok = true;

    switch (row->terminal) {
    case RX_CONF_COMPLETE:
        ok = rx_test_check_completed(t, why, sizeof why);
        break;
    case RX_CONF_ERROR:
        ok = rx_test_check_error(t, row->code, why, sizeof why);
        break;
    case RX_CONF_NONE:
        ok = rx_test_check_no_terminal(t, why, sizeof why);
        break;
    }
    if (!ok) {
        fail_msg("[%s] %s", row->name, why);
    }
}

static void
check_leaks(const rx_conf_case *row)
{
    ROW_CHECK(row, rx_live_objects() == 0, "%lld objects leaked",
              (long long)rx_live_objects());
}

/* Runs a row with a configured test subscriber and returns it (the caller
 * frees it). */
static rx_test_observer *
run(const rx_conf_case *row, int64_t initial, void (*setup)(rx_test_observer *))
{
    rx_observable *o = row->make();
    rx_test_observer *t = rx_test_observer_new(initial);

    ROW_CHECK(row, o != NULL, "make() failed: %s", rx_last_error_message());
    if (setup != NULL) {
        setup(t);
    }
    ROW_CHECK(row, rx_test_subscribe(o, t) == 0, "subscribe failed: %s",
              rx_last_error_message());
    rx_observable_release(o);
    return t;
}

/* Unbounded demand: the promised number of items and terminal. */
static void
test_every_row_delivers_its_items_and_terminal(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *t = run(row, RX_UNBOUNDED, NULL);
        ROW_CHECK(row, rx_test_count(t) == row->items,
                  "%zu items, expected %zu", rx_test_count(t), row->items);
        check_terminal(row, t);
        rx_test_observer_free(t);
        check_leaks(row);
    }
}

static void
one_at_a_time(rx_test_observer *t)
{
    rx_test_set_request_each(t, 1);
}

/* request(1) from inside each on_next yields exactly the same items as
 * unbounded demand, never beyond demand, never nested. */
static void
test_request_one_at_a_time_matches_unbounded_run(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *ref = run(row, RX_UNBOUNDED, NULL);
        rx_test_observer *t = run(row, 1, one_at_a_time);
        ROW_CHECK(row, rx_test_count(t) == rx_test_count(ref),
                  "%zu items one at a time, %zu unbounded", rx_test_count(t),
                  rx_test_count(ref));
        for (size_t i = 0; i < rx_test_count(t); i++) {
            ROW_CHECK(
                row, rx_value_equal(rx_test_value(t, i), rx_test_value(ref, i)),
                "item %zu differs from the unbounded run", i);
        }
        check_terminal(row, t);
        rx_test_observer_free(t);
        rx_test_observer_free(ref);
        check_leaks(row);
    }
}

/* With no demand nothing arrives; each request(1) from outside delivers at
 * most one more item. */
static void
test_no_item_arrives_without_demand(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *t = run(row, 0, NULL);
        size_t steps = 0;
        ROW_CHECK(row, rx_test_count(t) == 0, "%zu items without demand",
                  rx_test_count(t));
        while (rx_test_count(t) < row->items && steps++ < row->items + 5) {
            size_t before = rx_test_count(t);
            rx_test_request(t, 1);
            ROW_CHECK(row, rx_test_count(t) <= before + 1,
                      "request(1) delivered %zu items",
                      rx_test_count(t) - before);
        }
        ROW_CHECK(row, rx_test_count(t) == row->items,
                  "%zu items after stepping, expected %zu", rx_test_count(t),
                  row->items);
        rx_test_request(t, 1); /* room for a terminal that needs none */
        check_terminal(row, t);
        rx_test_observer_free(t);
        check_leaks(row);
    }
}

static void
cancel_after_one(rx_test_observer *t)
{
    rx_test_set_cancel_after(t, 1);
}

/* Cancel inside the first on_next: exactly one item, no terminal, and
 * everything freed after dispose. */
static void
test_cancel_after_first_item_stops_everything(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *t;
        rx_test_counts c;
        if (row->items < 2) {
            continue;
        }
        t = run(row, RX_UNBOUNDED, cancel_after_one);
        ROW_CHECK(row, rx_test_count(t) == 1, "%zu items after cancel",
                  rx_test_count(t));
        ROW_OK(row, rx_test_check_no_terminal, t);
        c = rx_test_get_counts(t);
        ROW_CHECK(row, c.finallies == 1, "on_finally ran %d times",
                  c.finallies);
        rx_test_cancel(t); /* a second cancel changes nothing */
        ROW_CHECK(row, rx_test_count(t) == 1, "second cancel delivered");
        rx_test_observer_free(t);
        check_leaks(row);
    }
}

/* request(0) and request(-1) fail the stream with RX_EINVAL (rule 3.9);
 * after a terminal they are no-ops. */
static void
test_nonpositive_request_signals_einval(void **state)
{
    (void)state;
    for (int64_t n = 0; n >= -1; n--) {
        FOR_EACH_ROW(row)
        {
            rx_test_observer *t = run(row, 0, NULL);
            bool ended = rx_test_completed(t) || rx_test_error(t) != NULL;
            rx_test_counts before = rx_test_get_counts(t);
            rx_test_request(t, n);
            if (ended) {
                rx_test_counts after = rx_test_get_counts(t);
                ROW_CHECK(row, after.terminals == before.terminals,
                          "request(%lld) after the terminal signalled",
                          (long long)n);
            } else {
                ROW_OK1(row, rx_test_check_error, t, RX_EINVAL);
                ROW_CHECK(row, rx_test_count(t) == 0, "items after request(0)");
            }
            rx_test_observer_free(t);
            check_leaks(row);
        }
    }
}

/* After the terminal signal, request and cancel change nothing. */
static void
test_request_and_cancel_after_terminal_are_noops(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *t;
        rx_test_counts c;
        if (row->terminal == RX_CONF_NONE) {
            continue;
        }
        t = run(row, RX_UNBOUNDED, NULL);
        assert_int_equal(rx_test_request(t, 5), 0);
        rx_test_cancel(t);
        rx_test_cancel(t);
        ROW_CHECK(row, rx_test_count(t) == row->items, "items changed");
        check_terminal(row, t);
        c = rx_test_get_counts(t);
        ROW_CHECK(row, c.finallies == 1, "on_finally ran %d times",
                  c.finallies);
        rx_test_observer_free(t);
        check_leaks(row);
    }
}

/* Disposing inside each callback stops the stream there and frees it. */
static void
test_dispose_inside_each_callback(void **state)
{
    static const rx_test_signal where[] = {RX_TEST_ON_SUBSCRIBE,
                                           RX_TEST_ON_NEXT, RX_TEST_ON_ERROR,
                                           RX_TEST_ON_COMPLETE};

    (void)state;
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        FOR_EACH_ROW(row)
        {
            rx_observable *o = row->make();
            rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
            rx_test_counts c;
            rx_test_set_dispose_in(t, where[w]);
            assert_int_equal(rx_test_subscribe(o, t), 0);
            rx_observable_release(o);
            c = rx_test_get_counts(t);
            if (where[w] == RX_TEST_ON_SUBSCRIBE) {
                ROW_CHECK(row, rx_test_count(t) == 0 && c.terminals == 0,
                          "signals after dispose in on_subscribe");
            } else if (where[w] == RX_TEST_ON_NEXT && row->items > 0) {
                ROW_CHECK(row, rx_test_count(t) == 1 && c.terminals == 0,
                          "%zu items, %d terminals after dispose in on_next",
                          rx_test_count(t), c.terminals);
            } else {
                check_terminal(row, t);
            }
            ROW_OK(row, rx_test_check_protocol, t);
            rx_test_observer_free(t);
            check_leaks(row);
        }
    }
}

struct out_probe {
    rx_subscription **out;
    bool same;
    bool called;
};

static void
probe_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct out_probe *p = ctx;

    p->called = true;
    p->same = *p->out == sub;
    rx_request(sub, RX_UNBOUNDED);
}

/* *out is written before on_subscribe runs and is the same handle. */
static void
test_out_handle_is_valid_inside_on_subscribe(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_subscription *sub = NULL;
        struct out_probe p = {&sub, false, false};
        rx_observer obs = {.on_subscribe = probe_on_subscribe, .ctx = &p};
        rx_observable *o = row->make();
        rx_capture_undeliverable(); /* rows that fail have no on_error */
        assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
        rx_observable_release(o);
        ROW_CHECK(row, p.called && p.same,
                  "*out was not the handle inside on_subscribe");
        rx_dispose(sub);
        check_leaks(row);
    }
}

static void
batch_observer(rx_test_observer *t)
{
    rx_test_set_batch(t, true);
}

/* A subscriber that takes batches sees the same items. */
static void
test_batch_subscriber_sees_same_items(void **state)
{
    (void)state;
    FOR_EACH_ROW(row)
    {
        rx_test_observer *ref = run(row, RX_UNBOUNDED, NULL);
        rx_test_observer *t = run(row, RX_UNBOUNDED, batch_observer);
        ROW_CHECK(row, rx_test_count(t) == rx_test_count(ref),
                  "%zu items in batches, %zu one by one", rx_test_count(t),
                  rx_test_count(ref));
        for (size_t i = 0; i < rx_test_count(t); i++) {
            ROW_CHECK(
                row, rx_value_equal(rx_test_value(t, i), rx_test_value(ref, i)),
                "item %zu differs in batch mode", i);
        }
        check_terminal(row, t);
        rx_test_observer_free(t);
        rx_test_observer_free(ref);
        check_leaks(row);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_every_row_delivers_its_items_and_terminal),
        rx_unit_test(test_request_one_at_a_time_matches_unbounded_run),
        rx_unit_test(test_no_item_arrives_without_demand),
        rx_unit_test(test_cancel_after_first_item_stops_everything),
        rx_unit_test(test_nonpositive_request_signals_einval),
        rx_unit_test(test_request_and_cancel_after_terminal_are_noops),
        rx_unit_test(test_dispose_inside_each_callback),
        rx_unit_test(test_out_handle_is_valid_inside_on_subscribe),
        rx_unit_test(test_batch_subscriber_sees_same_items),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
