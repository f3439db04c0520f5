/* SPDX-License-Identifier: MIT */
/* Core runtime, edge cases: error codes and names outside the table, the
 * default undeliverable handler, allocator arguments, ring and observable
 * construction limits, scheduler argument checks and step limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx-ring.h"
#include "rx-sched.h"
#include "rx_test.h"

/* ---- error.c ---------------------------------------------------------- */

static void
test_core_edges_codes_outside_every_table(void **state)
{
    (void)state;
    /* Positive codes and negative ones past libuv's range are neither uvrx's
     * nor libuv's. */
    assert_string_equal(rx_strerror(42), "unknown error");
    assert_string_equal(rx_err_name(42), "RX_EUNKNOWN");
    assert_string_equal(rx_strerror(-9999), "unknown error");
    assert_string_equal(rx_err_name(-9999), "RX_EUNKNOWN");
    assert_string_equal(rx_strerror(RX_EUSER - 1), "user-defined error");
    assert_string_equal(rx_err_name(RX_EUSER - 1), "RX_EUSER");
    /* libuv's own codes keep libuv's names. */
    assert_string_equal(rx_err_name(UV_EAGAIN), "EAGAIN");
    assert_string_equal(rx_strerror(UV_EAGAIN), uv_strerror(UV_EAGAIN));
    assert_null(rx_error_cause(NULL));
    assert_null(rx_error_site(NULL));
}

static void
test_core_edges_default_undeliverable_prints_the_chain(void **state)
{
    rx_error *err =
        rx_error_wrap(RX_ETIMEDOUT, rx_error_new(RX_EINVAL, "inner"), "outer");
    static const rx_site site = {"probe.c", 7, "rx_probe"};
    rx_error *at = rx__error_at(&site, RX_EPROTOCOL, "bad");
    FILE *tmp = tmpfile();
    char buf[512];
    size_t n;
    int saved;

    (void)state;
    assert_non_null(tmp);
    fflush(stderr);
    saved = dup(fileno(stderr));
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), fileno(stderr)) >= 0);
    rx_set_undeliverable_handler(NULL, NULL);
    rx__undeliverable(err);
    rx__undeliverable(at);
    fflush(stderr);
    assert_true(dup2(saved, fileno(stderr)) >= 0);
    close(saved);
    rewind(tmp);
    n = fread(buf, 1, sizeof buf - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    rx_error_release(err);
    rx_error_release(at);
    assert_non_null(strstr(buf, "uvrx: undeliverable error RX_EPROTOCOL: bad "
                                "(raised by rx_probe at probe.c:7)\n"));
    assert_non_null(strstr(buf,
                           "uvrx: undeliverable error RX_ETIMEDOUT: outer\n"
                           "  caused by RX_EINVAL: inner\n"));
    assert_non_null(strstr(buf, "rx_set_undeliverable_handler"));
}

static void
test_core_edges_missing_retain_report_without_site(void **state)
{
    static const rx_site site = {"probe.c", 9, "rx_probe_map"};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    rx__report_missing_retain(NULL);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_EPROTOCOL);
    rx__report_missing_retain(&site);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_EPROTOCOL);
}

/* ---- alloc.c ---------------------------------------------------------- */

static void *
a_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void *
a_realloc(void *p, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(p, size);
}

static void
a_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void
test_core_edges_allocator_must_have_all_three(void **state)
{
    rx_allocator no_realloc = {a_malloc, NULL, a_free, NULL};
    rx_allocator no_free = {a_malloc, a_realloc, NULL, NULL};
    rx_allocator no_malloc = {NULL, a_realloc, a_free, NULL};

    (void)state;
    assert_int_equal(rx_set_allocator(&no_malloc), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_int_equal(rx_set_allocator(&no_realloc), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_int_equal(rx_set_allocator(&no_free), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_set_allocator"));
    assert_int_equal(rx_set_allocator(NULL), 0);
}

static void
test_core_edges_zero_sizes_and_calloc_overflow(void **state)
{
    void *p;
    void *q;

    (void)state;
    assert_null(rx__calloc(SIZE_MAX / 4 + 1, 8));
    p = rx__malloc(0); /* a unique pointer, counted as live */
    assert_non_null(p);
    assert_int_equal(rx_live_objects(), 1);
    p = rx__realloc(p, 0);
    assert_non_null(p);
    q = rx__calloc(3, 0);
    assert_non_null(q);
    assert_int_equal(rx_live_objects(), 2);
    rx__free(p);
    rx__free(q);
    assert_int_equal(rx_live_objects(), 0);
}

/* ---- ring.c, observable.c --------------------------------------------- */

static void
test_core_edges_ring_capacity_limits(void **state)
{
    rx__ring r;

    (void)state;
    assert_int_equal(rx__ring_init(&r, 0), RX_EINVAL);
    assert_int_equal(rx__ring_init(&r, SIZE_MAX), RX_EINVAL);
    assert_null(r.buf);
}

static const struct rx__obs_ops bare_ops = {0};

static void
test_core_edges_observable_without_site(void **state)
{
    rx_observable *o;

    (void)state;
    assert_null(rx_observable_site(NULL));
    assert_null(rx_observable_retain(NULL));
    o = rx__observable_new(NULL, &bare_ops, sizeof *o, NULL);
    assert_non_null(o);
    assert_string_equal(rx_observable_site(o)->name, "?");
    assert_int_equal(rx_observable_site(o)->line, 0);
    rx_observable_release(o);

    rx_fault_arm(1, false);
    o = rx__observable_new(NULL, &bare_ops, sizeof *o, NULL);
    assert_true(rx_fault_triggered());
    rx_fault_disarm();
    assert_null(o);
    assert_int_equal(rx_last_error(), RX_ENOMEM);
    assert_string_equal(rx_last_error_message(), "uvrx: out of memory");
}

/* ---- sched.c ---------------------------------------------------------- */

struct edge_task {
    rx__task task;
    rx_scheduler *s;
    int runs;
    struct edge_task *spawn[3];
    struct edge_task *drop[4];
    int *log;
    int *nlog;
    int tag;
};

static void
edge_run(rx__task *t)
{
    struct edge_task *e = (struct edge_task *)t;

    e->runs++;
    if (e->log != NULL) {
        e->log[(*e->nlog)++] = e->tag;
    }
    for (int i = 0; i < 3; i++) {
        if (e->spawn[i] != NULL) {
            assert_int_equal(rx__schedule(e->s, &e->spawn[i]->task, 0), 0);
        }
    }
    for (int i = 0; i < 4; i++) {
        if (e->drop[i] != NULL) {
            rx__unschedule(&e->drop[i]->task);
        }
    }
}

/* Posts itself again every time it runs: never lets time move on. */
static void
repost_run(rx__task *t)
{
    struct edge_task *e = (struct edge_task *)t;

    e->runs++;
    assert_int_equal(rx__post(e->s, t), 0);
}

static void
edge_init(struct edge_task *e, rx_scheduler *s, rx__task_fn run)
{
    memset(e, 0, sizeof *e);
    rx__task_init(&e->task, NULL, run);
    e->s = s;
}

static void
test_core_edges_untimed_schedulers_refuse_timers_and_posts(void **state)
{
    rx_scheduler *imm = rx_scheduler_immediate();
    rx_scheduler *vs = rx_scheduler_virtual();
    struct edge_task e;

    (void)state;
    edge_init(&e, imm, edge_run);
    assert_true(rx__sched_timed(NULL)); /* the default loop scheduler */
    assert_true(rx__sched_timed(vs));
    assert_false(rx__sched_timed(imm));
    assert_false(rx__sched_timed(rx_scheduler_trampoline()));
    assert_int_equal(rx__schedule_periodic(imm, &e.task, 0, 10), RX_EINVAL);
    assert_int_equal(rx__schedule_periodic(vs, &e.task, -1, 10), RX_EINVAL);
    assert_int_equal(rx__schedule_periodic(vs, &e.task, 0, 0), RX_EINVAL);
    assert_int_equal(rx__post(imm, &e.task), RX_EINVAL);
    assert_int_equal(rx__post(rx_scheduler_trampoline(), &e.task), RX_EINVAL);
    assert_int_equal(e.runs, 0);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_core_edges_trampoline_queues_nested_work_in_order(void **state)
{
    rx_scheduler *tr = rx_scheduler_trampoline();
    struct edge_task a, b, c;
    int log[3];
    int n = 0;

    (void)state;
    edge_init(&a, tr, edge_run);
    edge_init(&b, tr, edge_run);
    edge_init(&c, tr, edge_run);
    a.spawn[0] = &b;
    a.spawn[1] = &c;
    a.tag = 1;
    b.tag = 2;
    c.tag = 3;
    a.log = b.log = c.log = log;
    a.nlog = b.nlog = c.nlog = &n;
    assert_int_equal(rx__schedule(tr, &a.task, 0), 0);
    /* b and c were queued while a ran, and ran after it, in order. */
    assert_int_equal(n, 3);
    assert_int_equal(log[0], 1);
    assert_int_equal(log[1], 2);
    assert_int_equal(log[2], 3);
}

static void
test_core_edges_trampoline_unschedules_queued_work(void **state)
{
    rx_scheduler *tr = rx_scheduler_trampoline();
    struct edge_task a, b, c, d, e;
    int log[5];
    int n = 0;

    (void)state;
    edge_init(&a, tr, edge_run);
    edge_init(&b, tr, edge_run);
    edge_init(&c, tr, edge_run);
    edge_init(&d, tr, edge_run);
    edge_init(&e, tr, edge_run);
    a.tag = 1;
    b.tag = 2;
    c.tag = 3;
    d.tag = 4;
    e.tag = 5;
    a.log = b.log = c.log = d.log = e.log = log;
    a.nlog = b.nlog = c.nlog = d.nlog = e.nlog = &n;
    /* While a runs, it queues b, c, d, then removes c (middle), d (the
     * tail) and b (the head); e was never queued; e then comes after. */
    a.spawn[0] = &b;
    a.spawn[1] = &c;
    a.spawn[2] = &d;
    a.drop[0] = &c;
    a.drop[1] = &d;
    a.drop[2] = &b;
    a.drop[3] = &e;
    e.spawn[0] = &b;
    assert_int_equal(rx__schedule(tr, &a.task, 0), 0);
    assert_int_equal(n, 1);
    assert_int_equal(log[0], 1);
    /* The queue is consistent again: new work runs normally. */
    assert_int_equal(rx__schedule(tr, &e.task, 0), 0);
    assert_int_equal(n, 3);
    assert_int_equal(log[1], 5);
    assert_int_equal(log[2], 2);
    assert_int_equal(b.runs, 1);
    assert_int_equal(c.runs + d.runs, 0);
}

/* ---- sched_virtual.c -------------------------------------------------- */

static void
test_core_edges_virtual_calls_need_a_virtual_scheduler(void **state)
{
    rx_scheduler *imm = rx_scheduler_immediate();
    rx_scheduler *vs = rx_scheduler_virtual();
    uv_loop_t loop;

    (void)state;
    assert_int_equal(rx_virtual_run(imm), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_virtual_run"));
    assert_int_equal(rx_virtual_advance_to(imm, 5), RX_EINVAL);
    assert_int_equal(rx_virtual_pending(imm), 0);
    assert_int_equal(rx_virtual_set_step_limit(imm, 5), RX_EINVAL);
    assert_int_equal(rx_virtual_set_step_limit(vs, 0), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(rx_test_run(NULL, vs, 0), RX_EINVAL);
    assert_int_equal(rx_test_run(&loop, imm, 0), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_test_run"));
    /* An `until` in the past leaves the clock where it is. */
    assert_int_equal(rx_virtual_advance_by(vs, 50), 0);
    assert_int_equal(rx_test_run(&loop, vs, 10), 0);
    assert_int_equal(rx_scheduler_now(vs), 50);
    assert_int_equal(uv_loop_close(&loop), 0);
    rx_scheduler_release(vs);
}

static void
test_core_edges_step_limit_stops_a_task_that_never_yields(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct edge_task e;
    uv_loop_t loop;

    (void)state;
    edge_init(&e, vs, repost_run);
    assert_int_equal(rx_virtual_set_step_limit(vs, 5), 0);

    assert_int_equal(rx__post(vs, &e.task), 0);
    assert_int_equal(rx_virtual_run(vs), RX_ELIMIT);
    assert_int_equal(rx_last_error(), RX_ELIMIT);
    assert_non_null(strstr(rx_last_error_message(), "step limit"));
    assert_int_equal(e.runs, 5);
    assert_int_equal(rx_scheduler_now(vs), 0);

    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(rx_test_run(&loop, vs, 100), RX_ELIMIT);
    assert_int_equal(e.runs, 10);
    assert_int_equal(uv_loop_close(&loop), 0);

    rx__unschedule(&e.task);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_core_edges_step_limit_inside_one_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct edge_task e;

    (void)state;
    edge_init(&e, vs, edge_run);
    assert_int_equal(rx_virtual_set_step_limit(vs, 3), 0);
    assert_int_equal(rx__schedule_periodic(vs, &e.task, 1, 1), 0);
    assert_int_equal(rx_virtual_advance_by(vs, 100), RX_ELIMIT);
    assert_int_equal(e.runs, 3);
    assert_int_equal(rx_scheduler_now(vs), 3);
    rx__unschedule(&e.task);
    rx_scheduler_release(vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_core_edges_codes_outside_every_table),
        rx_unit_test(test_core_edges_default_undeliverable_prints_the_chain),
        rx_unit_test(test_core_edges_missing_retain_report_without_site),
        rx_unit_test(test_core_edges_allocator_must_have_all_three),
        rx_unit_test(test_core_edges_zero_sizes_and_calloc_overflow),
        rx_unit_test(test_core_edges_ring_capacity_limits),
        rx_unit_test(test_core_edges_observable_without_site),
        rx_unit_test(
            test_core_edges_untimed_schedulers_refuse_timers_and_posts),
        rx_unit_test(test_core_edges_trampoline_queues_nested_work_in_order),
        rx_unit_test(test_core_edges_trampoline_unschedules_queued_work),
        rx_unit_test(test_core_edges_virtual_calls_need_a_virtual_scheduler),
        rx_unit_test(test_core_edges_step_limit_stops_a_task_that_never_yields),
        rx_unit_test(test_core_edges_step_limit_inside_one_advance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
