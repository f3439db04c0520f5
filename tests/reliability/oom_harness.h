/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure everywhere (issue 6, item 3): the table-driven runner
 * behind test_oom_sync.c and test_oom_async.c. A row builds one small
 * pipeline; each row runs through rx_oom_sweep_stats(): allocation n
 * fails for n = 1, 2, ..., first once (later allocations succeed), then
 * forever from n on, until a run without a failure. Every run must end
 * cleanly:
 *
 *   - a constructor returns NULL with rx_last_error() == RX_ENOMEM, or
 *   - rx_subscribe() returns RX_ENOMEM having called no callback, or
 *   - each subscriber gets exactly one on_error(RX_ENOMEM) after a prefix
 *     of the clean run's items, with the protocol held (no overlap,
 *     nothing after the terminal, nothing beyond demand) and on_finally
 *     once; or
 *   - the failure was absorbed and the run gives exactly the clean run's
 *     items and terminal (legal for a path with a fallback).
 *
 * Documented exceptions, marked per row: OOM_RECOVERS rows (catch,
 * on_error_return, retry, retry_when, materialize, the delay_error forms)
 * may turn RX_ENOMEM into their recovery or keep other sources going, so
 * only the terminal and the protocol are checked there; a subscriber of a
 * multicast whose sibling's rx_subscribe() failed may wait without a
 * terminal (auto_connect(2) never connects).
 *
 * After every run: rx_live_objects() == 0 (the sweep checks), no error
 * went to the undeliverable handler, a loop closes with uv_loop_close()
 * == 0, and a fresh pipeline still works (the sweep's canary; with
 * UVRX_OOM_LONG=1 the row's own pipeline is rerun without failures too).
 * Each test binary prints the injection points survived per family and
 * mode: "OOM family=... once=... forever=..." lines and a total.
 */
#ifndef UVRX_TESTS_OOM_HARNESS_H
#define UVRX_TESTS_OOM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx-sched.h"
#include "rx_test.h"

/* What a row's build function gets. */
struct oom_env {
    rx_scheduler *sched; /* virtual, or the loop's scheduler (OOM_LOOP) */
    uv_loop_t *loop;     /* OOM_LOOP rows only */
    const char *path;    /* a file holding "ab\ncd\nefg" (OOM_LOOP rows) */
    rx_scheduler *pool;  /* a pool of one worker (OOM_POOL rows) */
};

typedef rx_observable *(*oom_build_fn)(const struct oom_env *e);

enum {
    OOM_LOOP = 1u << 0,     /* runs on a real loop instead of virtual time */
    OOM_RECOVERS = 1u << 1, /* an error operator may absorb RX_ENOMEM */
    OOM_TWO_SUBS = 1u << 2, /* two subscribers to the same observable */
    OOM_POOL = 1u << 3      /* with OOM_LOOP: a one-worker pool in the env */
};

/* The terminal a clean run ends with: 0 completion, a negative code, or
 * OOM_NONE (no terminal; the subscription is disposed at `until`). */
#define OOM_NONE 1

#define OOM_MAX_WANT 12

/* Prefix of every failure message: which allocation failed, and how. */
#define OOM_AT "[allocation %ld failing %s] "
#define OOM_AT_ARGS rx_fault_armed_at(), rx_fault_forever() ? "forever" : "once"

struct oom_row {
    const char *name;
    oom_build_fn build;
    int64_t want[OOM_MAX_WANT]; /* the items of a clean run (as ints) */
    size_t nwant;
    int terminal;
    unsigned flags;
    uint64_t until; /* virtual time to run to; 0: until nothing is due */
    int64_t demand; /* initial request without re-requesting; 0: unbounded */
    /* A row that drives itself (subjects): runs instead of the generic
     * runner, with `arg`, and checks its own outcome. */
    void (*custom)(bool failed, const struct oom_row *r);
    int arg;
};

/* A row with the clean run's items listed after the terminal. */
#define OOM_ROW(nm, fn, term, fl, ...)                                         \
    {                                                                          \
        .name = (nm), .build = (fn), .want = {__VA_ARGS__},                    \
        .nwant = RX_NARGS_I64(__VA_ARGS__), .terminal = (term), .flags = (fl)  \
    }
/* A row whose clean run emits no item. */
#define OOM_ROW0(nm, fn, term, fl)                                             \
    {                                                                          \
        .name = (nm), .build = (fn), .nwant = 0, .terminal = (term),           \
        .flags = (fl)                                                          \
    }

/* ---- user functions ---------------------------------------------------- */

/* Any value as an int: ints as they are, bools 0/1, doubles truncated,
 * arrays, strings and bytes by their length. */
static inline rx_value
oom_num(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    if (rx_is_int(v)) {
        return v;
    }
    if (rx_is_bool(v)) {
        return rx_int(rx_as_bool(v) ? 1 : 0);
    }
    if (rx_is_double(v)) {
        return rx_int((int64_t)rx_as_double(v));
    }
    if (rx_is_array(v)) {
        return rx_int((int64_t)rx_array_len(v));
    }
    if (rx_is_str(v)) {
        return rx_int((int64_t)rx_str_len(v));
    }
    if (rx_is_bytes(v)) {
        return rx_int((int64_t)rx_bytes_len(v));
    }
    return rx_int(-1);
}

/* A heap string of length v (0 to 5): rx_invalid() when allocation fails,
 * which the operator must turn into RX_ENOMEM. */
static inline rx_value
oom_to_str(rx_value v, void *ctx, rx_error **err)
{
    static const char *const s[] = {"", "a", "ab", "abc", "abcd", "abcde"};

    (void)ctx;
    (void)err;
    return rx_str(s[rx_as_int(v) % 6]);
}

/* v + *(int64_t *)ctx. */
static inline rx_value
oom_add(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_int(rx_as_int(v) + *(const int64_t *)ctx);
}

static inline bool
oom_lt3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) < 3;
}

static inline rx_value
oom_zip_sum(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int64_t s = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        s += rx_as_int(items[i]);
    }
    return rx_int(s);
}

static inline rx_value
oom_parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) % 2);
}

static inline rx_error *
oom_user_error(void)
{
    return rx_error_new(RX_T_EUSER, "injected user error");
}

/* Under allocation failure rx_error_new() gives the immortal
 * out-of-memory error, so an error built here is RX_T_EUSER or RX_ENOMEM. */
static inline rx_observable *
oom_then_fail(rx_observable *src)
{
    return rx_concat(src, rx_throw(oom_user_error()));
}

/* ---- the runner ---------------------------------------------------------- */

struct oom_case {
    const struct oom_row *row;
    const char *path;
};

/* The items of `t` are the row's items (all of them when `exact`, else a
 * prefix). */
static inline void
oom_check_items(const rx_test_observer *t, const struct oom_row *r, bool exact)
{
    size_t n = rx_test_count(t);

    if (n > r->nwant || (exact && n != r->nwant)) {
        fail_msg(OOM_AT "%s: %zu items, expected %s%zu", OOM_AT_ARGS, r->name,
                 n, exact ? "" : "at most ", r->nwant);
    }
    for (size_t i = 0; i < n; i++) {
        rx_value v = rx_test_value(t, i);
        if (!rx_is_int(v) || rx_as_int(v) != r->want[i]) {
            fail_msg(OOM_AT "%s: item %zu is %lld, not %lld (%s check)",
                     OOM_AT_ARGS, r->name, i,
                     rx_is_int(v) ? (long long)rx_as_int(v) : -1LL,
                     (long long)r->want[i], exact ? "whole" : "prefix");
        }
    }
}

/* Checks one subscriber's outcome after the pipeline ran. */
static inline void
oom_check_outcome(rx_test_observer *t, const struct oom_row *r, bool failed,
                  bool check_finally, bool sibling_failed)
{
    char why[1024];
    const rx_error *err = rx_test_error(t);
    int code = err != NULL ? rx_error_code(err) : 0;
    rx_test_counts c;

    if (!rx_test_check_protocol(t, why, sizeof why)) {
        fail_msg(OOM_AT "%s: %s", OOM_AT_ARGS, r->name, why);
    }
    c = rx_test_get_counts(t);
    if (c.terminals == 0) {
        /* A multicast source may legally wait for a subscriber whose
         * rx_subscribe() failed (auto_connect(2) never connects). */
        if (r->terminal != OOM_NONE && !sibling_failed) {
            fail_msg(OOM_AT "%s: no terminal signal (a lost error?)",
                     OOM_AT_ARGS, r->name);
        }
        oom_check_items(t, r, !failed);
    } else if (c.terminals != 1) {
        fail_msg(OOM_AT "%s: %d terminal signals", OOM_AT_ARGS, r->name,
                 c.terminals);
    } else if (code == RX_ENOMEM && r->terminal != RX_ENOMEM) {
        assert_true(failed);
        if (!(r->flags & OOM_RECOVERS)) {
            oom_check_items(t, r, false);
        }
    } else {
        if (code != (r->terminal == OOM_NONE ? 0 : r->terminal)) {
            fail_msg(OOM_AT "%s: terminal %d, expected %d (%s run)",
                     OOM_AT_ARGS, r->name, code, r->terminal,
                     failed ? "a failing" : "a clean");
        }
        if (!failed || !(r->flags & OOM_RECOVERS)) {
            oom_check_items(t, r, true);
        }
    }
    rx_test_dispose(t);
    c = rx_test_get_counts(t);
    if (check_finally && c.finallies != 1) {
        fail_msg(OOM_AT "%s: on_finally ran %d times", OOM_AT_ARGS, r->name,
                 c.finallies);
    }
}

/* Makes the row's scheduler: virtual, or the scheduler of a new loop
 * (and a pool for OOM_POOL rows). Leaves e->sched NULL when allocation
 * failed. */
static inline void
oom_env_open(struct oom_env *e, uv_loop_t *loop, const struct oom_case *k)
{
    memset(e, 0, sizeof *e);
    if (k->row->flags & OOM_LOOP) {
        assert_int_equal(uv_loop_init(loop), 0);
        e->loop = loop;
        e->path = k->path;
        e->sched = rx_scheduler_loop(loop);
        if (e->sched != NULL && (k->row->flags & OOM_POOL)) {
            e->pool = rx_scheduler_pool(1);
            if (e->pool == NULL) {
                rx_scheduler_release(e->sched);
                e->sched = NULL;
            }
        }
    } else {
        e->sched = rx_scheduler_virtual();
    }
}

struct oom_barrier {
    rx__task task;
    uv_sem_t done;
};

static inline void
oom_barrier_run(rx__task *t)
{
    uv_sem_post(&((struct oom_barrier *)t)->done);
}

/* Waits until the pool's worker has run everything posted before, so
 * that the pipeline's last reference to the pool is gone and releasing
 * ours joins the worker here (not in a reaper after the leak check). */
static inline void
oom_pool_drain(rx_scheduler *pool)
{
    struct oom_barrier b;

    rx__task_init(&b.task, NULL, oom_barrier_run);
    uv_sem_init(&b.done, 0);
    rx__post(rx__sched_pick(pool), &b.task);
    uv_sem_wait(&b.done);
    uv_sem_destroy(&b.done);
}

static inline void
oom_env_close(struct oom_env *e)
{
    if (e->pool != NULL) {
        oom_pool_drain(e->pool);
        rx_scheduler_release(e->pool);
    }
    rx_scheduler_release(e->sched);
    if (e->loop != NULL) {
        rx_shutdown();
        uv_run(e->loop, UV_RUN_DEFAULT);
        assert_int_equal(uv_loop_close(e->loop), 0);
    }
}

static inline void
oom_run_row(bool failed, void *ctx)
{
    const struct oom_case *k = ctx;
    const struct oom_row *r = k->row;
    int nsubs = (r->flags & OOM_TWO_SUBS) ? 2 : 1;
    rx_test_observer *t[2] = {NULL, NULL};
    bool subscribed[2] = {false, false};
    struct oom_env e;
    uv_loop_t loop;
    rx_observable *obs;
    int code = 0;
    int nundeliverable;

    rx_capture_undeliverable();
    if (r->custom != NULL) {
        r->custom(failed, r);
        goto undeliverable;
    }
    oom_env_open(&e, &loop, k);
    obs = e.sched != NULL ? r->build(&e) : NULL;
    if (obs == NULL) {
        if (!failed) {
            fail_msg(OOM_AT "%s: build failed: %s", OOM_AT_ARGS, r->name,
                     rx_last_error_message());
        }
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    }
    for (int i = 0; obs != NULL && i < nsubs; i++) {
        int rc;
        t[i] = rx_test_observer_new(r->demand > 0 ? r->demand : RX_UNBOUNDED);
        assert_non_null(t[i]);
        rc = rx_test_subscribe(obs, t[i]);
        if (rc != 0) {
            rx_test_counts c = rx_test_get_counts(t[i]);
            assert_true(failed);
            assert_int_equal(rc, RX_ENOMEM);
            assert_int_equal(c.subscribes + c.terminals + c.finallies, 0);
            assert_int_equal(rx_test_count(t[i]), 0);
        }
        subscribed[i] = rc == 0;
    }
    rx_observable_release(obs);
    if (e.loop != NULL) {
        uv_run(e.loop, UV_RUN_DEFAULT);
    } else if (e.sched != NULL && r->until > 0) {
        (void)rx_virtual_advance_to(e.sched, r->until);
    } else if (e.sched != NULL) {
        (void)rx_virtual_run(e.sched);
    }
    for (int i = 0; i < nsubs; i++) {
        if (subscribed[i]) {
            oom_check_outcome(t[i], r, failed, e.loop == NULL,
                              nsubs == 2 && !subscribed[1 - i]);
        }
        rx_test_observer_free(t[i]);
    }
    oom_env_close(&e);
undeliverable:
    nundeliverable = rx_undeliverable_count(&code);
    if (nundeliverable != 0) {
        fail_msg(OOM_AT "%s: %d undeliverable errors (last %d)", OOM_AT_ARGS,
                 r->name, nundeliverable, code);
    }
    rx_set_undeliverable_handler(NULL, NULL);
}

/* ---- per-family totals --------------------------------------------------- */

struct oom_family {
    const char *name;
    const struct oom_row *rows;
    size_t n;
    long points[2];
    long runs;
};

static char oom_path[256]; /* a file holding "ab\ncd\nefg" */

static inline void
oom_run_family(struct oom_family *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct oom_case k = {&f->rows[i], oom_path};
        rx_oom_stats st;

        (void)rx_oom_sweep_stats(oom_run_row, &k, &st);
        if (st.points[0] == 0 || st.points[1] == 0) {
            fail_msg("%s: no allocation failure was injected", k.row->name);
        }
        f->points[0] += st.points[0];
        f->points[1] += st.points[1];
        f->runs += st.runs;
        if (getenv("UVRX_OOM_VERBOSE") != NULL) {
            printf("OOM row=%s once=%ld forever=%ld\n", k.row->name,
                   st.points[0], st.points[1]);
        }
    }
}

/* Writes the input file, runs the tests, prints the totals of the
 * families (OOM lines) and returns the number of failed tests. */
static inline int
oom_main(const struct CMUnitTest *tests, size_t ntests,
         const struct oom_family *fams, size_t nfams)
{
    char dir[] = "/tmp/uvrx_oom_XXXXXX";
    char out[300];
    FILE *fp;
    long total[2] = {0, 0};
    long runs = 0;
    int failed;

    assert_non_null(mkdtemp(dir));
    (void)snprintf(oom_path, sizeof oom_path, "%s/in.txt", dir);
    fp = fopen(oom_path, "w");
    assert_non_null(fp);
    fputs("ab\ncd\nefg", fp);
    fclose(fp);
    failed = _cmocka_run_group_tests("oom", tests, ntests, NULL, NULL);
    for (size_t i = 0; i < nfams; i++) {
        const struct oom_family *f = &fams[i];
        printf("OOM family=%s rows=%zu once=%ld forever=%ld runs=%ld\n",
               f->name, f->n, f->points[0], f->points[1], f->runs);
        total[0] += f->points[0];
        total[1] += f->points[1];
        runs += f->runs;
    }
    printf("OOM total once=%ld forever=%ld runs=%ld\n", total[0], total[1],
           runs);
    (void)unlink(oom_path);
    (void)snprintf(out, sizeof out, "%s.out", oom_path); /* write_file row */
    (void)unlink(out);
    (void)rmdir(dir);
    return failed;
}

#endif /* UVRX_TESTS_OOM_HARNESS_H */
