/* SPDX-License-Identifier: MIT */
/*
 * Signals and calls that reach an operator after a cancel
 * (docs/design/misbehaving-sources.md: "any signal after a cancel":
 * items and completions dropped, errors to the undeliverable handler;
 * reactive streams rules 3.6 and 3.7: request and cancel after a cancel
 * are harmless).
 *
 * test_misbehaving.c cancels from the subscriber after its first item,
 * which never comes for the operators that emit only at the end (last,
 * to_array, reduce, take_last, ...). Here a raw source plays a script in
 * which `!` cancels the subscriber in the middle of the play, so every
 * operator sees the cancel first and the rest of the script afterwards;
 * a raw stage below the operator (probe()) asks it for more and cancels
 * it again after the cancel, or cancels it before starting it. Then
 * timeout with a source and a fallback that ignore their cancels, and the
 * error messages of operators assembled at a site without a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx-internal.h"
#include "rx_test.h"

#define POKE_ECODE (-100201)

/* ---- the source: plays its script at start, whatever happens ---------- */

static rx_test_observer *g_target; /* whom `!` cancels */
static int g_cancels;              /* cancels the source received */
static rx__stage *g_probe;         /* the probe stage of the run, if any */
static int g_starts;               /* starts the source received */

struct poke_obs {
    rx_observable base;
    char script[128];
};

static void
poke_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
poke_cancel(rx__stage *self)
{
    (void)self;
    g_cancels++;
}

struct poke_stage {
    rx__stage base;
    size_t pos; /* where the play stopped at an `@` */
};

static struct poke_stage *g_paused; /* the source that stopped at `@` */

static void poke_play(struct poke_stage *st);

/* Tokens: an integer item, a word (a string item, heap-allocated, so a
 * dropped item that is kept shows up as a leak), `|` complete, `#` error
 * (code POKE_ECODE), `!` cancel the subscriber; `R` and `C`: the probe
 * below the operator asks it for 5 more items, or cancels it (see
 * probe()). They run while the source plays, so every stage is alive.
 * `@` stops the play until another source plays `P`, which resumes it. */
static void
poke_token(struct poke_stage *st, const char *t)
{
    rx__stage *self = &st->base;

    if (strcmp(t, "!") == 0) {
        rx_test_cancel(g_target);
    } else if (strcmp(t, "R") == 0) {
        rx__request_up(g_probe, 5);
    } else if (strcmp(t, "C") == 0) {
        rx__cancel_up(g_probe);
    } else if (strcmp(t, "P") == 0) {
        struct poke_stage *paused = g_paused;

        g_paused = NULL;
        poke_play(paused);
    } else if (strcmp(t, "|") == 0) {
        rx__emit_complete(self);
    } else if (strcmp(t, "#") == 0) {
        rx__emit_new_error(self, rx_error_new(POKE_ECODE, "poke: boom"));
    } else if (t[0] >= '0' && t[0] <= '9') {
        (void)rx__emit_next(self, rx_int(strtoll(t, NULL, 10)));
    } else {
        rx_value v = rx_str(t);
        (void)rx__emit_next(self, v);
        rx_value_release(v);
    }
}

static void
poke_play(struct poke_stage *st)
{
    const struct poke_obs *o = (const struct poke_obs *)st->base.obs;
    const char *s = o->script;

    for (;;) {
        char tok[sizeof o->script];
        size_t len;

        while (s[st->pos] == ' ') {
            st->pos++;
        }
        len = strcspn(s + st->pos, " ");
        if (len == 0) {
            return;
        }
        memcpy(tok, s + st->pos, len);
        tok[len] = '\0';
        st->pos += len;
        if (strcmp(tok, "@") == 0) {
            g_paused = st;
            return;
        }
        poke_token(st, tok);
    }
}

static void
poke_start(rx__stage *self)
{
    g_starts++;
    poke_play((struct poke_stage *)self);
}

static const struct rx__stage_ops poke_stage_ops = {
    .request = poke_request,
    .cancel = poke_cancel,
    .start = poke_start,
};

static int
poke_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    struct poke_stage *st =
        rx__stage_new(pipe, &poke_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops poke_ops = {.assemble = poke_assemble};

static rx_observable *
poke(const char *script)
{
    struct poke_obs *o =
        rx__observable_new(RX_SITE("poke"), &poke_ops, sizeof *o, NULL);

    assert_non_null(o);
    assert_true(strlen(script) < sizeof o->script);
    strcpy(o->script, script);
    return &o->base;
}

/* ---- user functions -------------------------------------------------- */

static const char *g_script; /* the current row's script */
static rx_scheduler *g_vs;   /* the current row's virtual scheduler */

static rx_observable *
src(void)
{
    return poke(g_script);
}

static rx_observable *
just_it(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_just(rx_value_retain(v));
}

static rx_observable *
inner_src(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return src();
}

static rx_observable *
itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(v);
}

static rx_value
parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_is_int(v) ? rx_as_int(v) % 2 : 2);
}

static rx_observable *
expand_none(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return rx_empty();
}

static rx_value
first_of(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)n;
    (void)ctx;
    (void)err;
    return rx_value_retain(items[0]);
}

static rx_observable *
recover_minus1(const rx_error *e, void *ctx, rx_error **out_err)
{
    (void)e;
    (void)ctx;
    (void)out_err;
    return rx_of_ints(-1);
}

static rx_observable *
retry_twice(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_take(errors, 2);
}

static rx_observable *
defer_src(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return src();
}

static rx_value
acquire(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(7);
}

static rx_observable *
use_src(rx_value resource, void *ctx, rx_error **err)
{
    (void)resource;
    (void)ctx;
    (void)err;
    return src();
}

static void
drop_resource(rx_value resource, void *ctx)
{
    (void)resource;
    (void)ctx;
}

static rx_observable *
timeout_50(void)
{
    rx_timeout_config cfg = {.first_ms = 50, .each_ms = 50};

    cfg.sched = g_vs;
    return rx_timeout_opts(src(), &cfg);
}

static rx_observable *
timeout_fallback(void)
{
    rx_timeout_config cfg = {.first_ms = 50, .each_ms = 50};

    cfg.sched = g_vs;
    cfg.fallback = rx_of_ints(5);
    return rx_timeout_opts(src(), &cfg);
}

/* ---- the rows: one operator configuration over the source each ------- */

#define ROWS(X)                                                                \
    X(last, rx_last(src()))                                                    \
    X(to_array, rx_to_array(src()))                                            \
    X(reduce, rx_reduce(src(), rx_t_sum, NULL))                                \
    X(reduce_seed, rx_reduce_seed(src(), rx_int(100), rx_t_sum, NULL))         \
    X(take_last, rx_take_last(src(), 2))                                       \
    X(skip_last, rx_skip_last(src(), 1))                                       \
    X(element_at, rx_element_at(src(), 3))                                     \
    X(first, rx_first(src()))                                                  \
    X(count, rx_count(src()))                                                  \
    X(all, rx_all(src(), rx_t_is_even, NULL))                                  \
    X(contains, rx_contains(src(), rx_int(9)))                                 \
    X(default_if_empty, rx_default_if_empty(src(), rx_int(-1)))                \
    X(distinct, rx_distinct(src()))                                            \
    X(scan, rx_scan(src(), rx_t_sum, NULL))                                    \
    X(materialize, rx_materialize(src()))                                      \
    X(dematerialize, rx_dematerialize(rx_materialize(src())))                  \
    X(ignore_elements, rx_ignore_elements(src()))                              \
    X(timestamp, rx_timestamp(src(), g_vs))                                    \
    X(time_interval, rx_time_interval(src(), g_vs))                            \
    X(timeout, timeout_50())                                                   \
    X(timeout_fallback, timeout_fallback())                                    \
    X(delay, rx_delay(src(), 10, g_vs))                                        \
    X(debounce, rx_debounce(src(), 5, g_vs))                                   \
    X(throttle_first, rx_throttle_first(src(), 5, g_vs))                       \
    X(throttle_last, rx_throttle_last(src(), 5, g_vs))                         \
    X(buffer_n, rx_buffer_n(src(), 2, 2))                                      \
    X(buffer_time, rx_buffer_time(src(), 5, g_vs))                             \
    X(window_n, rx_flat_map(rx_window_n(src(), 2, 2), itself, NULL))           \
    X(on_backpressure_drop, rx_on_backpressure_drop(src()))                    \
    X(on_backpressure_latest, rx_on_backpressure_latest(src()))                \
    X(on_backpressure_buffer,                                                  \
      rx_on_backpressure_buffer(src(), 16, RX_OVERFLOW_ERROR))                 \
    X(observe_on, rx_observe_on(src(), g_vs, 0))                               \
    X(subscribe_on, rx_subscribe_on(src(), g_vs))                              \
    X(defer, rx_defer(defer_src, NULL))                                        \
    X(using, rx_using(acquire, use_src, drop_resource, NULL))                  \
    X(catch, rx_catch(src(), recover_minus1, NULL))                            \
    X(retry, rx_retry(src(), 2))                                               \
    X(retry_when, rx_retry_when(src(), retry_twice, NULL))                     \
    X(concat, rx_concat(src(), rx_of_ints(9)))                                 \
    X(repeat, rx_repeat(src(), 2))                                             \
    X(concat_map, rx_concat_map(src(), just_it, NULL))                         \
    X(concat_map_inner, rx_concat_map(rx_of_ints(1), inner_src, NULL))         \
    X(concat_map_eager, rx_concat_map_eager(src(), just_it, NULL))             \
    X(concat_map_eager_inner,                                                  \
      rx_concat_map_eager(rx_of_ints(1), inner_src, NULL))                     \
    X(switch_map, rx_switch_map(src(), just_it, NULL))                         \
    X(switch_map_inner, rx_switch_map(rx_of_ints(1), inner_src, NULL))         \
    X(exhaust_map, rx_exhaust_map(src(), just_it, NULL))                       \
    X(exhaust_map_inner, rx_exhaust_map(rx_of_ints(1), inner_src, NULL))       \
    X(expand, rx_expand(src(), expand_none, NULL))                             \
    X(group_by, rx_flat_map(rx_group_by(src(), parity, NULL), itself, NULL))   \
    X(window_boundary,                                                         \
      rx_flat_map(rx_window_boundary(src(), rx_never()), itself, NULL))        \
    X(buffer_boundary, rx_buffer_boundary(src(), rx_never()))                  \
    X(zip, rx_zip(src(), rx_never(), first_of, NULL))                          \
    X(zip_second, rx_zip(rx_never(), src(), first_of, NULL))                   \
    X(combine_latest, rx_combine_latest(src(), rx_never(), first_of, NULL))    \
    X(with_latest_from,                                                        \
      rx_with_latest_from(src(), rx_never(), first_of, NULL))                  \
    X(with_latest_from_other,                                                  \
      rx_with_latest_from(rx_never(), src(), first_of, NULL))                  \
    X(race, rx_race(src(), rx_never()))                                        \
    X(race_second, rx_race(rx_never(), src()))                                 \
    X(take_until, rx_take_until(src(), rx_never()))                            \
    X(take_until_other, rx_take_until(rx_never(), src()))                      \
    X(skip_until, rx_skip_until(src(), rx_never()))                            \
    X(skip_until_other, rx_skip_until(rx_never(), src()))                      \
    X(start_with, rx_start_with(src(), rx_empty()))                            \
    X(publish_ref_count, rx_ref_count(rx_publish(src())))                      \
    X(share, rx_share(src()))

#define MAKE(name, expr)                                                       \
    static rx_observable *make_##name(void)                                    \
    {                                                                          \
        return (expr);                                                         \
    }
ROWS(MAKE)
#undef MAKE

typedef struct row {
    const char *name;
    rx_observable *(*make)(void);
} row;

static const row rows[] = {
#define ENTRY(name, expr) {#name, make_##name},
    ROWS(ENTRY)
#undef ENTRY
};

/* ---- running a row ---------------------------------------------------- */

/* The failures of every row, reported together at the end. */
static char failures[16384];
static int nfailures;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            size_t len_ = strlen(failures);                                    \
            nfailures++;                                                       \
            if (len_ + 256 < sizeof failures) {                                \
                snprintf(failures + len_, sizeof failures - len_,              \
                         __VA_ARGS__);                                         \
                strcat(failures, "\n");                                        \
            }                                                                  \
        }                                                                      \
    } while (0)

/* Runs the row over `script` on a fresh virtual scheduler (the time
 * operators' clock) and checks that the subscriber saw nothing at all,
 * that the cancel reached the source, and that the source's `errors`
 * errors reached the undeliverable handler, each once. */
static void
check_row(const row *r, const char *script, int errors)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;
    char why[1024];
    int code = 0;
    int n;

    g_vs = rx_scheduler_virtual();
    g_script = script;
    g_target = t;
    g_cancels = 0;
    rx_capture_undeliverable();
    o = r->make();
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    CHECK(rx_test_check_ints(t, NULL, 0, why, sizeof why), "[%s] \"%s\": %s",
          r->name, script, why);
    CHECK(rx_test_check_no_terminal(t, why, sizeof why), "[%s] \"%s\": %s",
          r->name, script, why);
    CHECK(g_cancels >= 1, "[%s] \"%s\": the source was not cancelled", r->name,
          script);
    n = rx_undeliverable_count(&code);
    CHECK(n == errors && (errors == 0 || code == POKE_ECODE),
          "[%s] \"%s\": %d undeliverable errors (last code %d), expected %d",
          r->name, script, n, code, errors);
    rx_test_observer_free(t);
    (void)rx_virtual_run(g_vs);
    rx_scheduler_release(g_vs);
    g_vs = NULL;
    g_target = NULL;
    CHECK(rx_live_objects() == 0, "[%s] \"%s\": %lld objects left alive",
          r->name, script, (long long)rx_live_objects());
}

/* ---- a subscriber that breaks the rules on the other side ------------- */

/* A raw stage put below the operator under test: it passes every signal
 * on, and lets the test ask the operator for more, or cancel it again,
 * after a cancel (reactive streams rules 3.6 and 3.7: both must be
 * harmless), or cancel it before starting it (a cancel from on_subscribe).
 * Like any operator, it drops what arrives after its own cancel, and
 * counts it: a pass-through operator may let such signals through (the
 * sink drops them, docs/design/misbehaving-sources.md), one with a timer
 * must not fire it after the cancel. */
static bool g_cancel_before_start; /* the probe cancels, then starts */
static bool g_probe_cancelled;
static int g_probe_late; /* signals the probe got after its cancel */

struct probe_obs {
    rx_observable base; /* base.src: the operator under test */
};

static bool
probe_on_next(rx__stage *self, rx_value v)
{
    if (g_probe_cancelled) {
        g_probe_late++;
        return true;
    }
    return rx__emit_next(self, v);
}

static void
probe_on_error(rx__stage *self, const rx_error *err)
{
    if (g_probe_cancelled) {
        g_probe_late++;
        rx__undeliverable(err);
        return;
    }
    rx__emit_error(self, err);
}

static void
probe_on_complete(rx__stage *self)
{
    if (g_probe_cancelled) {
        g_probe_late++;
        return;
    }
    rx__emit_complete(self);
}

static void
probe_start(rx__stage *self)
{
    if (g_cancel_before_start) {
        g_probe_cancelled = true;
        rx__cancel_up(self);
    }
    rx__stage_start(self->up);
}

static const struct rx__stage_ops probe_stage_ops = {
    .on_next = probe_on_next,
    .on_error = probe_on_error,
    .on_complete = probe_on_complete,
    .request = rx__stage_pass_request,
    .cancel = rx__stage_pass_cancel,
    .start = probe_start,
};

static int
probe_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    rx__stage *st =
        rx__stage_new(pipe, &probe_stage_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = st;
    g_probe = st;
    return rx__assemble(self->src, pipe, st, &st->up);
}

static const struct rx__obs_ops probe_ops = {.assemble = probe_assemble};

static rx_observable *
probe(rx_observable *op)
{
    return rx__observable_new(RX_SITE("probe"), &probe_ops,
                              sizeof(struct probe_obs), op);
}

/* After a cancel, the operator gets a request and a second cancel from
 * below: neither reaches the source. Then, on a fresh run, the operator
 * is cancelled before it is started: the subscriber sees nothing. */
static void
check_row_late_calls(const row *r)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;
    char why[1024];

    g_vs = rx_scheduler_virtual();
    g_script = "! R C";
    g_target = t;
    g_cancels = 0;
    g_probe = NULL;
    g_cancel_before_start = false;
    o = probe(r->make());
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    CHECK(g_cancels >= 1, "[%s] the cancel did not reach the source", r->name);
    CHECK(rx_test_check_ints(t, NULL, 0, why, sizeof why) &&
              rx_test_check_no_terminal(t, why, sizeof why),
          "[%s] late calls: %s", r->name, why);
    rx_test_observer_free(t);

    t = rx_test_observer_new(RX_UNBOUNDED);
    g_script = "1 two |";
    g_target = t;
    g_starts = 0;
    g_cancel_before_start = true;
    g_probe_cancelled = false;
    g_probe_late = 0;
    o = probe(r->make());
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    CHECK(rx_test_check_ints(t, NULL, 0, why, sizeof why) &&
              rx_test_check_no_terminal(t, why, sizeof why),
          "[%s] cancelled before start: %s", r->name, why);
    /* Whatever got through came while the source played, never later
     * from a timer: at most the source's three signals. */
    CHECK(g_probe_late <= 3 && (g_starts > 0 || g_probe_late == 0),
          "[%s] cancelled before start: %d signals after the cancel", r->name,
          g_probe_late);
    g_cancel_before_start = false;
    g_probe_cancelled = false;
    rx_test_observer_free(t);
    (void)rx_virtual_run(g_vs);
    rx_scheduler_release(g_vs);
    g_vs = NULL;
    g_target = NULL;
    g_probe = NULL;
    CHECK(rx_live_objects() == 0, "[%s] late calls: %lld objects left alive",
          r->name, (long long)rx_live_objects());
}

static void
test_every_operator_ignores_calls_after_cancel(void **state)
{
    (void)state;
    nfailures = 0;
    failures[0] = '\0';
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        check_row_late_calls(&rows[i]);
    }
    if (nfailures > 0) {
        fprintf(stderr, "%s", failures);
        fail_msg("%d failures (listed above)", nfailures);
    }
}

/* Every row gets the three kinds of late signal: items (an integer and a
 * heap string) then a completion; an item then an error; and an error
 * then a completion. */
static void
test_every_operator_ignores_signals_after_cancel(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        check_row(&rows[i], "! 1 two |", 0);
        check_row(&rows[i], "! 3 #", 1);
        check_row(&rows[i], "! # |", 1);
    }
    if (nfailures > 0) {
        fprintf(stderr, "%s", failures);
        fail_msg("%d failures (listed above)", nfailures);
    }
}

/* The cancel in the middle: the items before it went through. */
static void
test_items_before_the_cancel_still_arrive(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)state;
    g_vs = rx_scheduler_virtual();
    g_target = t;
    g_cancels = 0;
    rx_capture_undeliverable();
    o = rx_timestamp(poke("4 5 ! 6 #"), g_vs);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    assert_int_equal(rx_test_count(t), 2);
    assert_rx_no_terminal(t);
    assert_int_equal(g_cancels, 1);
    assert_int_equal(rx_undeliverable_count(NULL), 1);
    rx_test_observer_free(t);
    rx_scheduler_release(g_vs);
    g_vs = NULL;
    g_target = NULL;
}

/* ---- timeout: the old source after the switch, the fallback after a
 * cancel ------------------------------------------------------------ */

/* Runs rx_timeout_opts(poke(main), 50 ms, fallback poke(fallback)) until
 * nothing is pending; the subscriber is returned for the checks. */
static rx_test_observer *
run_timeout(const char *main_script, const char *fallback_script)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_timeout_config cfg = {.first_ms = 50, .each_ms = 50};
    rx_observable *o;

    g_vs = rx_scheduler_virtual();
    g_target = t;
    g_paused = NULL;
    rx_capture_undeliverable();
    cfg.sched = g_vs;
    cfg.fallback = poke(fallback_script);
    o = rx_timeout_opts(poke(main_script), &cfg);
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    (void)rx_virtual_run(g_vs);
    return t;
}

static void
end_timeout(rx_test_observer *t)
{
    rx_test_observer_free(t);
    (void)rx_virtual_run(g_vs);
    rx_scheduler_release(g_vs);
    g_vs = NULL;
    g_target = NULL;
    g_paused = NULL;
}

/* The first source ignores the cancel of the timeout and goes on once the
 * fallback took over (the fallback's `P` resumes it): its item, error and
 * completion are dropped, the error goes to the undeliverable handler. */
static void
test_timeout_drops_the_old_source_after_the_switch(void **state)
{
    rx_test_observer *t;
    int code = 0;

    (void)state;
    t = run_timeout("1 @ 2 #", "P 7 8 |");
    assert_rx_ints(t, 1, 7, 8);
    assert_rx_completed(t);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, POKE_ECODE);
    end_timeout(t);

    t = run_timeout("1 @ 2 |", "P 7 |");
    assert_rx_ints(t, 1, 7);
    assert_rx_completed(t);
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    end_timeout(t);
}

/* The fallback ignores a cancel from the subscriber: nothing more comes
 * out, its error goes to the undeliverable handler. */
static void
test_timeout_drops_the_fallback_after_a_cancel(void **state)
{
    rx_test_observer *t;
    int code = 0;

    (void)state;
    t = run_timeout("1 @", "! 5 #");
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, POKE_ECODE);
    end_timeout(t);

    t = run_timeout("@", "! 5 |");
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    end_timeout(t);
}

/* ---- error messages of operators assembled with a nameless site ------ */

/* A site without a name (rx_*_at() called by hand) still gives an error
 * message that names the operator. */
static void
test_nameless_site_errors_name_the_operator(void **state)
{
    const rx_site nameless = {__FILE__, __LINE__, NULL};
    rx_test_observer *t;
    rx_observable *o;

    (void)state;
    t = rx_test_observer_new(RX_UNBOUNDED);
    o = rx_last_at(&nameless, rx_empty());
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_error(t, RX_ENOELEMENT);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_last: the source completed without any item"));
    rx_test_observer_free(t);

    t = rx_test_observer_new(RX_UNBOUNDED);
    o = rx_element_at_at(&nameless, rx_empty(), 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_error(t, RX_ENOELEMENT);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_element_at: the source completed"));
    rx_test_observer_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_every_operator_ignores_signals_after_cancel),
        rx_unit_test(test_items_before_the_cancel_still_arrive),
        rx_unit_test(test_every_operator_ignores_calls_after_cancel),
        rx_unit_test(test_timeout_drops_the_old_source_after_the_switch),
        rx_unit_test(test_timeout_drops_the_fallback_after_a_cancel),
        rx_unit_test(test_nameless_site_errors_name_the_operator),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
