/* SPDX-License-Identifier: MIT */
/*
 * Marble case files (tests/marbles/<op>.txt, format in
 * tests/marbles/README.md): a loader that reads one into an array of
 * cases, and a runner that plays each case on a fresh virtual scheduler
 * through an operator the test builds from the case's `op:` line.
 *
 * A test of an operator typically needs only the build function and one
 * line:
 *
 *     static rx_observable *
 *     build(const rx_marble_case *c, rx_scheduler *vs,
 *           rx_observable **srcs, void *ctx)
 *     {
 *         int64_t n;
 *         if (rx_marble_case_is(c, "take") && rx_marble_case_arg_int(c, 1, &n))
 *             return rx_take(srcs[0], n);
 *         rx_observable_release(srcs[0]);
 *         return NULL;                       // "op not understood"
 *     }
 *     ...
 *     assert_rx_marble_file("take.txt", build, NULL);
 */
#ifndef UVRX_TESTS_RX_MARBLE_FILE_H
#define UVRX_TESTS_RX_MARBLE_FILE_H

#include <uvrx.h>
#include <uvrx/testkit.h>

#define RX_MARBLE_MAX_SOURCES 8 /* sources in one case */
#define RX_MARBLE_MAX_VALUES 62 /* entries of a values: line */
#define RX_MARBLE_MAX_ARGS 16   /* words of an op: line */

/* One source of a case. */
typedef struct rx_marble_src {
    char name;     /* the name after `source`/`hot`, or '\0' */
    bool hot;      /* declared with `hot` */
    char *marbles; /* the diagram */
    char *subs;    /* expected subscription log (lines joined by '\n'), or
                      NULL when the case does not check it */
} rx_marble_src;

/* One case: a block of the file. Strings are owned by the file. */
typedef struct rx_marble_case {
    char *name;                                   /* after `case:` */
    int line;                                     /* line of `case:` */
    rx_marble_src sources[RX_MARBLE_MAX_SOURCES]; /* in file order */
    size_t nsources;
    rx_marble_value values[RX_MARBLE_MAX_VALUES]; /* owned values */
    size_t nvalues;
    char *op;                       /* the whole `op:` text */
    char *argv[RX_MARBLE_MAX_ARGS]; /* its words; argv[0] names the op */
    size_t argc;
    char *expected; /* the expected output diagram */
} rx_marble_case;

/* A loaded file. */
typedef struct rx_marble_file {
    char *path;
    rx_marble_case *cases;
    size_t n;
} rx_marble_file;

/* The path of tests/marbles/<name> in the source tree (a static buffer,
 * overwritten by the next call). */
const char *rx_marble_path(const char *name);

/* Loads a case file. Returns NULL with a message naming the file and line
 * in `why` when it cannot be read or does not follow the format. */
rx_marble_file *rx_marble_file_load(const char *path, char *why, size_t cap);

/* Frees a loaded file and the values it holds. NULL is a no-op. */
void rx_marble_file_free(rx_marble_file *f);

/* Whether the case's op is `name` (its first word). */
bool rx_marble_case_is(const rx_marble_case *c, const char *name);

/* Reads word `i` of the op line (1 = the first parameter) as an integer;
 * false when it is missing or not an integer. */
bool rx_marble_case_arg_int(const rx_marble_case *c, size_t i, int64_t *out);

/* The source with this name ('\0' for the unnamed one), or NULL. */
const rx_marble_src *rx_marble_case_source(const rx_marble_case *c, char name);

/* Builds the observable under test. `srcs` holds one new reference per
 * source of the case, in file order; the function takes them all (hands
 * them to operators or releases them). Return NULL for an op it does not
 * understand (or when an operator failed). */
typedef rx_observable *(*rx_marble_build_fn)(const rx_marble_case *c,
                                             rx_scheduler *vs,
                                             rx_observable **srcs, void *ctx);

/* Runs one case on a fresh virtual scheduler (time 0): makes its sources,
 * builds the observable, checks the output against `expected` and each
 * source's subscription log against its `subs`, then checks no task was
 * left on the scheduler. Returns true, or false with the reason in
 * `why`. */
bool rx_marble_case_run(const rx_marble_case *c, rx_marble_build_fn build,
                        void *ctx, char *why, size_t cap);

/* Loads tests/marbles/<name> and runs every case. Returns the number of
 * cases run, or -1 with every failure (file:line: case: reason) in
 * `why`. */
long rx_marble_file_run(const char *name, rx_marble_build_fn build, void *ctx,
                        char *why, size_t cap);

/* cmocka: every case of tests/marbles/<name> passes. */
#define assert_rx_marble_file(name, build, ctx)                                \
    do {                                                                       \
        char why_[4096];                                                       \
        if (rx_marble_file_run((name), (build), (ctx), why_, sizeof why_) <    \
            0) {                                                               \
            fail_msg("%s", why_);                                              \
        }                                                                      \
    } while (0)

#endif /* UVRX_TESTS_RX_MARBLE_FILE_H */
