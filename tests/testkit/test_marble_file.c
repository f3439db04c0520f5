/* SPDX-License-Identifier: MIT */
/*
 * Marble case files: the loader reads every field of a case (sources,
 * names, values, op words, expected output, subscription logs), rejects
 * malformed files naming the line, and the runner plays tests/marbles/
 * take.txt through rx_take and reports failing cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_test.h"

#include "rx_marble_file.h"

/* Writes `text` to a fresh temporary file; returns its path (static). */
static const char *
temp_file(const char *text)
{
    static char path[64];
    FILE *fp;
    int fd;

    snprintf(path, sizeof path, "/tmp/uvrx_marbles_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static void
test_marble_file_loads_every_field(void **state)
{
    const char *path = temp_file("# a comment\n"
                                 "\n"
                                 "case: two sources\n"
                                 "source a: -a-|\n"
                                 "hot b:    ^-b-|\n"
                                 "values: a=1 b=-2 c=hello\n"
                                 "op: merge 3 x\n"
                                 "expected: -a-b-|\n"
                                 "subs a: ^--!\n"
                                 "subs b: ^---!\n"
                                 "subs b: --^-!\n"
                                 "\n"
                                 "case: second\n"
                                 "source: (ab|)\n"
                                 "op: take 1\n"
                                 "expected: (a|)\n");
    char why[512] = "";
    rx_marble_file *f = rx_marble_file_load(path, why, sizeof why);
    const rx_marble_case *c;
    int64_t n = 0;

    (void)state;
    unlink(path);
    if (f == NULL) {
        fail_msg("%s", why);
        return;
    }
    assert_int_equal(f->n, 2);
    c = &f->cases[0];
    assert_string_equal(c->name, "two sources");
    assert_int_equal(c->line, 3);
    assert_int_equal(c->nsources, 2);
    assert_int_equal(c->sources[0].name, 'a');
    assert_false(c->sources[0].hot);
    assert_string_equal(c->sources[0].marbles, "-a-|");
    assert_string_equal(c->sources[0].subs, "^--!");
    assert_int_equal(c->sources[1].name, 'b');
    assert_true(c->sources[1].hot);
    assert_string_equal(c->sources[1].marbles, "^-b-|");
    assert_string_equal(c->sources[1].subs, "^---!\n--^-!");
    assert_ptr_equal(rx_marble_case_source(c, 'b'), &c->sources[1]);
    assert_null(rx_marble_case_source(c, 'z'));
    assert_int_equal(c->nvalues, 3);
    assert_int_equal(c->values[0].key, 'a');
    assert_int_equal(rx_as_int(c->values[0].value), 1);
    assert_int_equal(rx_as_int(c->values[1].value), -2);
    assert_string_equal(rx_str_cstr(c->values[2].value), "hello");
    assert_string_equal(c->op, "merge 3 x");
    assert_int_equal(c->argc, 3);
    assert_true(rx_marble_case_is(c, "merge"));
    assert_false(rx_marble_case_is(c, "take"));
    assert_true(rx_marble_case_arg_int(c, 1, &n));
    assert_int_equal(n, 3);
    assert_false(rx_marble_case_arg_int(c, 2, &n));
    assert_false(rx_marble_case_arg_int(c, 3, &n));
    assert_string_equal(c->expected, "-a-b-|");
    c = &f->cases[1];
    assert_int_equal(c->nsources, 1);
    assert_int_equal(c->sources[0].name, '\0');
    assert_null(c->sources[0].subs);
    assert_int_equal(c->nvalues, 0);
    rx_marble_file_free(f);
}

static void
expect_load_error(const char *text, const char *what)
{
    const char *path = temp_file(text);
    char why[512] = "";
    rx_marble_file *f = rx_marble_file_load(path, why, sizeof why);

    unlink(path);
    assert_null(f);
    if (strstr(why, what) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", why, what);
    }
}

static void
test_marble_file_rejects_malformed_files(void **state)
{
    (void)state;
    expect_load_error("", "no case in the file");
    expect_load_error("source: -a|\n", ":1: \"source:\" before the first");
    expect_load_error("case: x\nsource -a|\n", ":2: expected \"key: value\"");
    expect_load_error("case: x\nsauce: -a|\n", ":2: unexpected \"sauce:\"");
    expect_load_error("case: x\nsource: -a|\nop: take 1\n",
                      ":1: case \"x\" needs source:, op: and expected:");
    expect_load_error("case: x\nsource: -|\nsource: -|\n",
                      ":3: source ' ' given twice");
    expect_load_error("case: x\nsource ab: -|\n",
                      ":2: a source name is one character");
    expect_load_error("case: x\nvalues: a=1 b\n",
                      ":2: values must be key=value, got \"b\"");
    expect_load_error("case: x\nop n: take\n",
                      ":2: \"op\" takes no source name");
    expect_load_error("case: x\nsource: -|\nsubs a: ^!\nop: take 1\n"
                      "expected: |\n",
                      "case \"x\": subs for a source that has no diagram");
    expect_load_error("case: x\nop:\n", ":2: empty op");
}

static void
test_marble_file_reports_a_missing_file(void **state)
{
    char why[512] = "";

    (void)state;
    assert_null(rx_marble_file_load("/nonexistent/x.txt", why, sizeof why));
    assert_non_null(strstr(why, "/nonexistent/x.txt: "));
}

/* Builds rx_take from "take <count>". */
static rx_observable *
build_take(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
           void *ctx)
{
    int64_t n;

    (void)vs;
    (void)ctx;
    if (rx_marble_case_is(c, "take") && rx_marble_case_arg_int(c, 1, &n)) {
        return rx_take(srcs[0], n);
    }
    rx_observable_release(srcs[0]);
    return NULL;
}

static void
test_take_marble_cases(void **state)
{
    char why[4096];

    (void)state;
    assert_rx_marble_file("take.txt", build_take, NULL);
    assert_int_equal(
        rx_marble_file_run("take.txt", build_take, NULL, why, sizeof why), 8);
}

static void
test_marble_file_runner_reports_failing_cases(void **state)
{
    const char *path = temp_file("case: right\n"
                                 "source: -a-b|\n"
                                 "op: take 1\n"
                                 "expected: -(a|)\n"
                                 "subs: ^!\n"
                                 "\n"
                                 "case: wrong output\n"
                                 "source: -a-b|\n"
                                 "op: take 1\n"
                                 "expected: -a|\n"
                                 "\n"
                                 "case: wrong log\n"
                                 "source: -a-b|\n"
                                 "op: take 1\n"
                                 "expected: -(a|)\n"
                                 "subs: ^--!\n"
                                 "\n"
                                 "case: unknown op\n"
                                 "source: -a-b|\n"
                                 "op: frobnicate\n"
                                 "expected: -a-b|\n"
                                 "\n"
                                 "case: bad diagram\n"
                                 "source: -a-b|)\n"
                                 "op: take 1\n"
                                 "expected: -a-b|\n");
    rx_marble_file *f;
    char why[2048];

    (void)state;
    f = rx_marble_file_load(path, why, sizeof why);
    unlink(path);
    assert_non_null(f);
    assert_int_equal(f->n, 5);
    assert_true(
        rx_marble_case_run(&f->cases[0], build_take, NULL, why, sizeof why));
    assert_false(
        rx_marble_case_run(&f->cases[1], build_take, NULL, why, sizeof why));
    assert_non_null(strstr(why, "marbles differ"));
    assert_false(
        rx_marble_case_run(&f->cases[2], build_take, NULL, why, sizeof why));
    assert_non_null(strstr(why, "source '-': subscription 1 differs"));
    assert_false(
        rx_marble_case_run(&f->cases[3], build_take, NULL, why, sizeof why));
    assert_non_null(strstr(why, "op \"frobnicate\" not understood"));
    assert_false(
        rx_marble_case_run(&f->cases[4], build_take, NULL, why, sizeof why));
    if (strstr(why, "')' without '(' at column 6") == NULL) {
        fail_msg("%s", why);
    }
    rx_marble_file_free(f);
    assert_int_equal(rx_marble_file_run("no-such-file.txt", build_take, NULL,
                                        why, sizeof why),
                     -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_marble_file_loads_every_field),
        rx_unit_test(test_marble_file_rejects_malformed_files),
        rx_unit_test(test_marble_file_reports_a_missing_file),
        rx_unit_test(test_take_marble_cases),
        rx_unit_test(test_marble_file_runner_reports_failing_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
