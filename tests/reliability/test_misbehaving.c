/* SPDX-License-Identifier: MIT */
/*
 * Misbehaving sources (issue 6, item 4): every operator, the multicast
 * operators, the thread hops and the time operators on the virtual
 * scheduler, each put downstream of a rogue source (tests/support/
 * rx_rogue.h) that breaks the protocol in one way per case.
 *
 * The oracle is differential. Each violation is a pair of scripts: the
 * rogue one, and its legal prefix (docs/design/misbehaving-sources.md
 * says what the legal prefix of each violation is). The same operator
 * runs over both on a fresh virtual scheduler, and the subscriber must see
 * the same items, the same terminal signal and the same number of user
 * function calls; every extra error the rogue sent must reach the
 * undeliverable handler exactly once; and nothing may stay alive
 * afterwards. Items beyond demand have no legal script to compare with:
 * the subscriber must see no item beyond its demand, and the items it sees
 * must be a prefix of an unbounded run.
 *
 * Every (operator, violation) pair runs; the failures are listed together
 * before the test fails, so one run gives the whole matrix.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_rogue.h"
#include "rx_test.h"

/* ---- the case being run (read by the rows' user functions) ----------- */

static rx_scheduler *g_vs;       /* this run's virtual scheduler */
static const char *g_script;     /* this run's script, for inner rogues */
static unsigned g_flags;         /* this run's rogue flags */
static rx_t_rogue_stats g_stats; /* summed over every rogue of the run */
static int g_calls;              /* user function calls in this run */

static rx_observable *
rogue(void)
{
    return rx_t_rogue(g_script, g_flags, &g_stats);
}

/* ---- user functions: count their calls, accept any item -------------- */

static rx_value
times10(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_is_int(v) ? rx_int(rx_as_int(v) * 10) : rx_value_retain(v);
}

static bool
keep_odd(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return !rx_is_int(v) || rx_as_int(v) % 2 != 0;
}

static bool
below3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_is_int(v) && rx_as_int(v) < 3;
}

static rx_value
sum(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    if (!rx_is_int(acc) || !rx_is_int(v)) {
        return rx_value_retain(v);
    }
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static void
times10_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 10);
    }
}

static size_t
odd_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t k = 0;

    (void)ctx;
    (void)err;
    g_calls++;
    for (size_t i = 0; i < n; i++) {
        if (rx_as_int(vals[i]) % 2 != 0) {
            vals[k++] = vals[i];
        }
    }
    return k;
}

static rx_value
sum_kernel(rx_value acc, const rx_value *vals, size_t n, void *ctx,
           rx_error **err)
{
    int64_t s = rx_as_int(acc);

    (void)ctx;
    (void)err;
    g_calls++;
    for (size_t i = 0; i < n; i++) {
        s += rx_as_int(vals[i]);
    }
    return rx_int(s);
}

static rx_value
pair(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    rx_value copy[2];

    (void)ctx;
    (void)err;
    g_calls++;
    for (size_t i = 0; i < n && i < 2; i++) {
        copy[i] = rx_value_retain(items[i]);
    }
    return rx_array(n < 2 ? n : 2, copy);
}

static rx_observable *
just_it(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_just(rx_value_retain(v));
}

static rx_observable *
inner_rogue(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    g_calls++;
    return rogue();
}

static rx_observable *
expand_none(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_empty();
}

static rx_observable *
itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_value_observable(v);
}

static rx_value
to_inner(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_observable_value(rx_just(rx_value_retain(v)));
}

static rx_value
parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_int(rx_is_int(v) ? rx_as_int(v) % 2 : 2);
}

static rx_observable *
recover_with_minus1(const rx_error *e, void *ctx, rx_error **out_err)
{
    (void)e;
    (void)ctx;
    (void)out_err;
    g_calls++;
    return rx_of_ints(-1);
}

static rx_observable *
recover_with_never(const rx_error *e, void *ctx, rx_error **out_err)
{
    (void)e;
    (void)ctx;
    (void)out_err;
    g_calls++;
    return rx_never();
}

static rx_value
error_code_value(const rx_error *e, void *ctx, rx_error **out_err)
{
    (void)ctx;
    (void)out_err;
    g_calls++;
    return rx_int(rx_error_code(e));
}

static rx_observable *
retry_twice(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_take(errors, 2);
}

static rx_value
acquire(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rx_int(7);
}

static rx_observable *
use_rogue(rx_value resource, void *ctx, rx_error **err)
{
    (void)resource;
    (void)ctx;
    (void)err;
    g_calls++;
    return rogue();
}

static void
drop_resource(rx_value resource, void *ctx)
{
    (void)resource;
    (void)ctx;
    g_calls++;
}

static void
finally_fn(void *ctx)
{
    (void)ctx;
    g_calls++;
}

static rx_observable *
defer_rogue(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    g_calls++;
    return rogue();
}

static void
tap_next(rx_value v, void *ctx)
{
    (void)v;
    (void)ctx;
    g_calls++;
}

static void
tap_error(const rx_error *e, void *ctx)
{
    (void)e;
    (void)ctx;
    g_calls++;
}

static void
tap_complete(void *ctx)
{
    (void)ctx;
    g_calls++;
}

static void
drop_nothing(void *ctx)
{
    (void)ctx;
}

/* Builders whose arguments hold braces, which a macro argument cannot. */
static rx_observable *
start_with_zero(void)
{
    rx_value zero = rx_int(0);

    return rx_start_with_values(rogue(), 1, &zero);
}

static rx_observable *
tap_all(void)
{
    static const rx_tap_config cfg = {
        .on_next = tap_next,
        .on_error = tap_error,
        .on_complete = tap_complete,
    };

    return rx_tap_opts(rogue(), &cfg);
}

static rx_observable *
retry_delayed(void)
{
    rx_retry_config cfg = {.count = 2, .base_ms = 5, .factor = 2};

    cfg.sched = g_vs;
    return rx_retry_opts(rogue(), &cfg);
}

static rx_observable *
timeout_50(void)
{
    rx_timeout_config cfg = {.first_ms = 50, .each_ms = 50};

    cfg.sched = g_vs;
    return rx_timeout_opts(rogue(), &cfg);
}

static rx_observable *
merge_array_serial(void)
{
    rx_observable *srcs[3] = {rogue(), rx_of_ints(8), rogue()};

    return rx_merge_array(3, srcs, 1);
}

static rx_observable *
concat_array_two_rogues(void)
{
    rx_observable *srcs[3] = {rogue(), rx_of_ints(8), rogue()};

    return rx_concat_array(3, srcs);
}

static rx_observable *
zip_array_three(void)
{
    rx_observable *srcs[3] = {rx_range(1, 10), rogue(), rx_range(1, 10)};

    return rx_zip_array(3, srcs, pair, NULL);
}

static rx_observable *
combine_latest_array_two(void)
{
    rx_observable *srcs[2] = {rx_of_ints(0), rogue()};

    return rx_combine_latest_array(2, srcs, pair, NULL);
}

static rx_observable *
race_array_two(void)
{
    rx_observable *srcs[2] = {rx_never(), rogue()};

    return rx_race_array(2, srcs);
}

static rx_observable *
flat_map_one_at_a_time(void)
{
    rx_flat_map_config cfg = {
        .fn = inner_rogue, .max_concurrent = 1, .prefetch = 1};

    return rx_flat_map_opts(rx_of_ints(1, 2), &cfg);
}

/* ---- rows: one operator configuration over the rogue each ------------ */

typedef struct row {
    const char *name;
    rx_observable *(*make)(void);
    /* Drops items beyond demand by contract (on_backpressure_drop), so it
     * may complete after fewer items than an unbounded run. */
    bool drops;
} row;

#define ROW(name, expr)                                                        \
    static rx_observable *make_##name(void)                                    \
    {                                                                          \
        return (expr);                                                         \
    }
#define ROW_DROPS(name, expr) ROW(name, expr)
#include "misbehaving_rows.h"
#undef ROW
#undef ROW_DROPS

static const row rows[] = {
#define ROW(name, expr) {#name, make_##name, false},
#define ROW_DROPS(name, expr) {#name, make_##name, true},
#include "misbehaving_rows.h"
#undef ROW
#undef ROW_DROPS
};

/* ---- violations ------------------------------------------------------- */

typedef struct violation {
    const char *name;
    const char *rogue;   /* the script that breaks the protocol */
    const char *legal;   /* its legal prefix; NULL: beyond-demand check */
    unsigned flags;      /* rogue flags for the rogue script */
    int64_t initial;     /* the subscriber's first request */
    size_t cancel_after; /* the subscriber cancels after this many items */
} violation;

static const violation violations[] = {
    {"item after completion", "1 2 | 3 four", "1 2 |", 0, RX_UNBOUNDED, 0},
    {"two completions", "1 2 | |", "1 2 |", 0, RX_UNBOUNDED, 0},
    {"two errors", "1 2 # #", "1 2 #", 0, RX_UNBOUNDED, 0},
    {"error after completion", "1 2 | #", "1 2 |", 0, RX_UNBOUNDED, 0},
    {"completion after error", "1 # |", "1 #", 0, RX_UNBOUNDED, 0},
    {"item after error", "1 # 2 three", "1 #", 0, RX_UNBOUNDED, 0},
    {"everything after completion", "1 | 2 # | # x", "1 |", 0, RX_UNBOUNDED, 0},
    {"signals after cancel", "1 2 3 4 5 | #", "1 2 3 4 5 |",
     RX_T_ROGUE_IGNORE_CANCEL, RX_UNBOUNDED, 1},
    {"items beyond demand", "1 2 3 4 5 6 |", NULL, RX_T_ROGUE_IGNORE_DEMAND, 2,
     0},
};

/* ---- running one case -------------------------------------------------- */

typedef struct outcome {
    rx_test_observer *t;
    rx_scheduler *vs;
    rx_t_rogue_stats stats;
    int calls;
    int undeliverable;
    int last_undeliverable;
    long long live_after;
} outcome;

static char failures[65536];
static size_t nfailures;
static size_t nchecked;

static void report(const row *r, const violation *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(const row *r, const violation *v, const char *fmt, ...)
{
    size_t len = strlen(failures);
    va_list ap;

    nfailures++;
    if (len + 200 >= sizeof failures) {
        return;
    }
    len += (size_t)snprintf(failures + len, sizeof failures - len,
                            "  [%s] %s: ", r->name, v->name);
    va_start(ap, fmt);
    len += (size_t)vsnprintf(failures + len, sizeof failures - len, fmt, ap);
    va_end(ap);
    snprintf(failures + len, sizeof failures - len, "\n");
}

/* Runs row `r` over `script` with a fresh virtual scheduler until nothing
 * is pending; the subscriber stays alive for the comparison. */
static outcome
run(const row *r, const violation *v, const char *script, unsigned flags)
{
    outcome out;
    rx_observable *o;

    memset(&out, 0, sizeof out);
    memset(&g_stats, 0, sizeof g_stats);
    g_vs = rx_scheduler_virtual();
    g_script = script;
    g_flags = flags;
    g_calls = 0;
    rx_capture_undeliverable();
    (void)rx_undeliverable_count(NULL);
    o = r->make();
    out.t = rx_test_observer_new(v->initial);
    if (v->cancel_after > 0) {
        rx_test_set_cancel_after(out.t, v->cancel_after);
    }
    if (o == NULL || rx_test_subscribe(o, out.t) != 0) {
        report(r, v, "could not subscribe: %s", rx_last_error_message());
    }
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    out.vs = g_vs;
    g_vs = NULL;
    out.stats = g_stats;
    out.calls = g_calls;
    out.undeliverable = rx_undeliverable_count(&out.last_undeliverable);
    return out;
}

/* Ends a run: frees the subscriber and the scheduler, runs what their
 * teardown left, and records what stayed alive. */
static void
finish(outcome *out)
{
    rx_test_observer_free(out->t);
    out->t = NULL;
    (void)rx_virtual_run(out->vs);
    rx_scheduler_release(out->vs);
    out->vs = NULL;
    out->live_after = (long long)rx_live_objects();
}

static int
terminal_code(const rx_test_observer *t)
{
    const rx_error *e = rx_test_error(t);

    if (e != NULL) {
        return rx_error_code(e);
    }
    return rx_test_completed(t) ? 1 : 0; /* 1: completed, 0: none */
}

/* The subscriber's items in `bad` equal the first `n` of `ref`. */
static bool
same_items(const rx_test_observer *bad, const rx_test_observer *ref, size_t n)
{
    if (rx_test_count(bad) != n || rx_test_count(ref) < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!rx_value_equal(rx_test_value(bad, i), rx_test_value(ref, i))) {
            return false;
        }
    }
    return true;
}

static void
check_protocol(const row *r, const violation *v, const rx_test_observer *t)
{
    char why[1024];

    if (!rx_test_check_protocol(t, why, sizeof why)) {
        report(r, v, "subscriber saw a protocol break: %s", why);
    }
}

static void
check_differential(const row *r, const violation *v)
{
    long long live_before = (long long)rx_live_objects();
    outcome ref = run(r, v, v->legal, 0);
    int ref_undeliverable = ref.undeliverable;
    outcome bad = run(r, v, v->rogue, v->flags);

    check_protocol(r, v, bad.t);
    if (!same_items(bad.t, ref.t, rx_test_count(ref.t))) {
        report(r, v, "%zu items, the legal prefix gives %zu (or they differ)",
               rx_test_count(bad.t), rx_test_count(ref.t));
    }
    if (terminal_code(bad.t) != terminal_code(ref.t)) {
        report(r, v, "terminal %d, the legal prefix gives %d",
               terminal_code(bad.t), terminal_code(ref.t));
    }
    if (bad.calls != ref.calls) {
        report(r, v, "%d user function calls, the legal prefix makes %d",
               bad.calls, ref.calls);
    }
    if (bad.undeliverable != ref_undeliverable + bad.stats.extra_errors) {
        report(r, v,
               "%d undeliverable errors, expected %d (%d extra errors sent)",
               bad.undeliverable, ref_undeliverable + bad.stats.extra_errors,
               bad.stats.extra_errors);
    }
    finish(&ref);
    finish(&bad);
    if (bad.live_after != live_before) {
        report(r, v, "%lld objects alive after the run",
               bad.live_after - live_before);
    }
}

static void
check_beyond_demand(const row *r, const violation *v)
{
    long long live_before = (long long)rx_live_objects();
    violation unbounded = *v;
    outcome ref;
    outcome bad;
    rx_test_counts c;
    int code;

    unbounded.initial = RX_UNBOUNDED;
    ref = run(r, &unbounded, v->rogue, 0);
    bad = run(r, v, v->rogue, v->flags);
    c = rx_test_get_counts(bad.t);
    code = terminal_code(bad.t);
    if (c.beyond_demand != 0) {
        report(r, v, "%d items beyond the subscriber's demand",
               c.beyond_demand);
    }
    if (c.after_terminal != 0 || c.overlaps != 0) {
        report(r, v, "%d signals after the terminal, %d overlaps",
               c.after_terminal, c.overlaps);
    }
    if (!same_items(bad.t, ref.t, rx_test_count(bad.t))) {
        report(r, v, "items are not a prefix of an unbounded run");
    }
    if (code != 0 && code != RX_EBACKPRESSURE &&
        !(code == terminal_code(ref.t) &&
          (r->drops || rx_test_count(bad.t) == rx_test_count(ref.t)))) {
        report(r, v,
               "terminal %d: neither none, RX_EBACKPRESSURE nor the "
               "end of the full run",
               code);
    }
    if (bad.undeliverable != ref.undeliverable) {
        report(r, v, "%d undeliverable errors, the unbounded run gives %d",
               bad.undeliverable, ref.undeliverable);
    }
    finish(&ref);
    finish(&bad);
    if (bad.live_after != live_before) {
        report(r, v, "%lld objects alive after the run",
               bad.live_after - live_before);
    }
}

static void
test_every_operator_passes_only_the_legal_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (size_t k = 0; k < sizeof violations / sizeof violations[0]; k++) {
            if (violations[k].legal != NULL) {
                check_differential(&rows[i], &violations[k]);
            } else {
                check_beyond_demand(&rows[i], &violations[k]);
            }
            nchecked++;
        }
    }
    printf("misbehaving sources: %zu operators x %zu violations = %zu "
           "cases, %zu failures\n",
           sizeof rows / sizeof rows[0],
           sizeof violations / sizeof violations[0], nchecked, nfailures);
    if (nfailures > 0) {
        printf("%s", failures);
        fail_msg("%zu failures (listed above)", nfailures);
    }
}

/* ---- the rogue source itself ------------------------------------------ */

/* The rogue waits for demand before each item until its first terminal
 * signal, then plays the rest at once; the sink drops what follows the
 * terminal and hands the extra error to the undeliverable handler. */
static void
test_rogue_source_plays_its_script(void **state)
{
    rx_t_rogue_stats st = {0};
    rx_observable *o = rx_t_rogue("1 two | 3 #", 0, &st);
    rx_test_observer *t = rx_test_observer_new(1);
    rx_value two;
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(st.items, 1);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 2);
    two = rx_str("two");
    assert_true(rx_value_equal(rx_test_value(t, 1), two));
    rx_value_release(two);
    assert_rx_completed(t);
    assert_int_equal(st.items, 3);
    assert_int_equal(st.extra_items, 1);
    assert_int_equal(st.terminals, 2);
    assert_int_equal(st.extra_errors, 1);
    assert_int_equal(st.requested, 2);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_ROGUE_ECODE(1));
    rx_test_observer_free(t);
}

/* Scripts with a token of no known kind are refused. */
static void
test_rogue_source_rejects_bad_scripts(void **state)
{
    (void)state;
    assert_rx_fails(rx_t_rogue("1 2x |", 0, NULL), RX_EINVAL, "rx_t_rogue");
    assert_rx_fails(rx_t_rogue(NULL, 0, NULL), RX_EINVAL, "rx_t_rogue");
}

/* ---- subjects fed through their public calls --------------------------- */

static rx_subject *
make_subject(int kind)
{
    switch (kind) {
    case 0:
        return rx_subject_publish();
    case 1:
        return rx_subject_behavior(rx_int(0));
    case 2:
        return rx_subject_replay(0, 0, NULL);
    case 3:
        return rx_subject_async();
    default:
        return rx_subject_unicast(0);
    }
}

static const char *const subject_names[] = {"publish", "behavior", "replay",
                                            "async", "unicast"};

/* Plays `script` into the subject: each call after the first terminal
 * must return RX_ECANCELED (and release what it was given); every other
 * call returns 0. Returns how many calls broke that. */
static int
feed_subject(rx_subject *subj, const char *script)
{
    char buf[256];
    bool ended = false;
    int bad = 0;
    int errors = 0;

    snprintf(buf, sizeof buf, "%s", script);
    for (char *tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) {
        int rc;
        if (strcmp(tok, "|") == 0) {
            rc = rx_subject_complete(subj);
        } else if (strcmp(tok, "#") == 0) {
            errors++;
            rc = rx_subject_error(
                subj, rx_error_new(RX_T_ROGUE_ECODE(errors), "subject error"));
        } else if (tok[0] >= '0' && tok[0] <= '9') {
            rc = rx_subject_next(subj, rx_int(strtoll(tok, NULL, 10)));
        } else {
            rc = rx_subject_next(subj, rx_str(tok));
        }
        bad += rc != (ended ? RX_ECANCELED : 0);
        ended = ended || tok[0] == '|' || tok[0] == '#';
    }
    return bad;
}

/* Runs one subject kind over a script; returns the subscriber. */
static rx_test_observer *
run_subject(int kind, const char *script, int *bad_calls)
{
    rx_subject *subj = make_subject(kind);
    rx_observable *o = rx_subject_observable(subj);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    *bad_calls = feed_subject(subj, script);
    rx_subject_release(subj);
    return t;
}

/* Calls after a subject's end are refused with RX_ECANCELED, releasing
 * what they were given; subscribers see only the legal prefix. The error
 * given to a refused rx_subject_error() is the caller's to know about (the
 * code says so), so nothing reaches the undeliverable handler. */
static void
test_subjects_refuse_calls_after_their_end(void **state)
{
    (void)state;
    rx_capture_undeliverable();
    for (int kind = 0; kind < 5; kind++) {
        for (size_t k = 0; k < sizeof violations / sizeof violations[0]; k++) {
            const violation *v = &violations[k];
            int bad_ref = 0;
            int bad = 0;
            rx_test_observer *ref;
            rx_test_observer *t;
            if (v->legal == NULL || v->flags != 0) {
                continue; /* demand and cancel are the subscriber's side */
            }
            ref = run_subject(kind, v->legal, &bad_ref);
            t = run_subject(kind, v->rogue, &bad);
            if (bad_ref != 0 || bad != 0 ||
                !same_items(t, ref, rx_test_count(ref)) ||
                terminal_code(t) != terminal_code(ref)) {
                fail_msg("[subject %s] %s: %d refused-call mismatches, %zu "
                         "items (legal %zu), terminal %d (legal %d)",
                         subject_names[kind], v->name, bad, rx_test_count(t),
                         rx_test_count(ref), terminal_code(t),
                         terminal_code(ref));
            }
            rx_test_observer_free(t);
            rx_test_observer_free(ref);
            assert_int_equal(rx_live_objects(), 0);
        }
    }
    assert_int_equal(rx_undeliverable_count(NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_rogue_source_plays_its_script),
        rx_unit_test(test_rogue_source_rejects_bad_scripts),
        rx_unit_test(test_every_operator_passes_only_the_legal_prefix),
        rx_unit_test(test_subjects_refuse_calls_after_their_end),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
