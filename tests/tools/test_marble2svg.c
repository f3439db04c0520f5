/* SPDX-License-Identifier: MIT */
/*
 * marble2svg, the docs' marble picture tool (tools/marble2svg.c, compiled
 * into this test without its main): a case renders one circle per item,
 * a bar per completion, a cross per error, its labels, caption, groups,
 * a hot source's past and subscription bars; malformed files are
 * rejected naming the line; the command line draws a repository file and
 * writes the Doxygen page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rx_test.h"

#include "marble2svg.h"

#ifndef UVRX_MARBLES_DIR
#error "UVRX_MARBLES_DIR must name tests/marbles (set by cmake)"
#endif

/* How many times `needle` occurs in `hay`. */
static int
count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p != NULL;
         p = strstr(p + strlen(needle), needle)) {
        n++;
    }
    return n;
}

/* Parses `text` and draws case `i`; fails the test on an error. */
static char *
draw(const char *text, size_t i)
{
    char why[512] = "";
    marble2svg_file *f = marble2svg_parse(text, "inline.txt", why, sizeof why);
    char *svg;

    if (f == NULL) {
        fail_msg("%s", why);
    }
    svg = marble2svg_svg(f, i, why, sizeof why);
    if (svg == NULL) {
        fail_msg("%s", why);
    }
    marble2svg_free(f);
    return svg;
}

static void
test_marble2svg_draws_items_completion_and_subscriptions(void **state)
{
    char *svg = draw("case: takes two\n"
                     "source:   -a-b-c-|\n"
                     "op: take 2\n"
                     "expected: -a-(b|)\n"
                     "subs:     ^--!\n",
                     0);

    (void)state;
    assert_int_equal(count(svg, "<svg "), 1);
    assert_int_equal(count(svg, "</svg>"), 1);
    assert_int_equal(count(svg, "<circle"), 5); /* a b c, then a b */
    assert_int_equal(count(svg, "class=\"complete\""), 2);
    assert_int_equal(count(svg, "class=\"error\""), 0);
    assert_int_equal(count(svg, ">a</text>"), 2);
    assert_int_equal(count(svg, ">b</text>"), 2);
    assert_int_equal(count(svg, ">c</text>"), 1);
    assert_int_equal(count(svg, ">take 2</text>"), 1);
    assert_int_equal(count(svg, ">source</text>"), 1);
    assert_int_equal(count(svg, ">output</text>"), 1);
    assert_int_equal(count(svg, "class=\"subscription\""), 1);
    assert_int_equal(count(svg, "class=\"group\""), 1); /* (b|) */
    assert_int_equal(count(svg, "<title>takes two</title>"), 1);
    free(svg);
}

static void
test_marble2svg_draws_an_error_as_a_cross(void **state)
{
    char *svg = draw("case: one\n"
                     "source: -a|\n"
                     "op: take 1\n"
                     "expected: -(a|)\n"
                     "\n"
                     "case: an error passes\n"
                     "source:   -a-#\n"
                     "values:   #=-100042\n"
                     "op: take 3\n"
                     "expected: -a-#\n",
                     1);

    (void)state;
    assert_int_equal(count(svg, "<circle"), 2);
    assert_int_equal(count(svg, "class=\"error\""), 2);
    assert_int_equal(count(svg, "class=\"complete\""), 0);
    assert_int_equal(count(svg, "# = error -100042"), 1);
    free(svg);
}

static void
test_marble2svg_labels_items_with_their_values(void **state)
{
    char *svg = draw("case: values and escapes\n"
                     "source:   --x--y--z--|\n"
                     "values: x=1 y=2 z=hello\n"
                     "op: pick <2> & \"more\"\n"
                     "expected: --x--(y|)\n",
                     0);

    (void)state;
    assert_int_equal(count(svg, ">1</text>"), 2);
    assert_int_equal(count(svg, ">2</text>"), 2);
    assert_int_equal(count(svg, ">z</text>"), 1); /* too long for a circle */
    assert_int_equal(count(svg, "x = 1, y = 2, z = hello"), 1);
    assert_int_equal(count(svg, ">pick &lt;2&gt; &amp; &quot;more&quot;<"), 1);
    free(svg);
}

static void
test_marble2svg_fades_the_past_of_a_hot_source(void **state)
{
    char *svg = draw("case: hot\n"
                     "hot a:    -x-^-b-c-|\n"
                     "source b: 10ms d|\n"
                     "op: merge\n"
                     "expected: --b-c-|\n"
                     "subs a:   ^----!\n"
                     "subs b:   ^ 10ms (!)\n",
                     0);

    (void)state;
    assert_int_equal(count(svg, "<circle"), 6);
    assert_int_equal(count(svg, "opacity=\"0.35\""), 1); /* x */
    assert_int_equal(count(svg, "class=\"past\""), 1);
    assert_int_equal(count(svg, "class=\"zero\""), 1);
    assert_int_equal(count(svg, ">hot a</text>"), 1);
    assert_int_equal(count(svg, ">source b</text>"), 1);
    assert_int_equal(count(svg, "class=\"subscription\""), 2);
    free(svg);
}

static void
test_marble2svg_skips_placeholder_sources(void **state)
{
    char *svg = draw("case: a timer has no source\n"
                     "source: -\n"
                     "values: z=0\n"
                     "op: timer 3\n"
                     "expected: ---(z|)\n",
                     0);

    (void)state;
    assert_int_equal(count(svg, ">source</text>"), 0);
    assert_int_equal(count(svg, "<circle"), 1);
    assert_int_equal(count(svg, ">0</text>"), 1);
    free(svg);
}

static void
test_marble2svg_rejects_malformed_files_naming_the_line(void **state)
{
    static const struct {
        const char *text;
        const char *message;
    } bad[] = {
        {"case: x\nsource: -a)|\nop: take 1\nexpected: |\n",
         "inline.txt:1: case \"x\": ')' without '(' at column 3"},
        {"case: x\nsource: -a|\nop: take 1\n",
         "needs source:, op: and expected:"},
        {"source: -a|\n", "inline.txt:1: \"source:\" before the first case:"},
        {"case: x\nsource: -a|\nsubs: --!\nop: t\nexpected: |\n",
         "inline.txt:3: '!' before '^'"},
        {"case: x\nsource: -a|b\nop: t\nexpected: |\n",
         "signal after the terminal signal"},
        {"case: x\nsource: -^a|\nop: t\nexpected: |\n",
         "'^' outside a hot source"},
        {"# only a comment\n", "no case in the file"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[512] = "";
        marble2svg_file *f =
            marble2svg_parse(bad[i].text, "inline.txt", why, sizeof why);
        assert_null(f);
        if (strstr(why, bad[i].message) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, bad[i].message);
        }
    }
}

static void
test_marble2svg_reads_a_repository_file(void **state)
{
    char why[512] = "";
    marble2svg_file *f =
        marble2svg_load(UVRX_MARBLES_DIR "/take.txt", why, sizeof why);

    (void)state;
    if (f == NULL) {
        fail_msg("%s", why);
    }
    assert_string_equal(marble2svg_stem(f), "take");
    assert_true(marble2svg_count(f) >= 1);
    assert_string_equal(marble2svg_case_name(f, 0),
                        "takes the first two items and cancels the source");
    assert_null(marble2svg_case_name(f, marble2svg_count(f)));
    assert_null(marble2svg_svg(f, marble2svg_count(f), why, sizeof why));
    marble2svg_free(f);
    assert_null(
        marble2svg_load(UVRX_MARBLES_DIR "/no-such.txt", why, sizeof why));
    assert_non_null(strstr(why, "no-such.txt"));
}

/* Reads a whole file into a string to free(), or NULL. */
static char *
slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *text;
    long n;

    if (fp == NULL) {
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    if (text != NULL && fread(text, 1, (size_t)n, fp) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(fp);
    return text;
}

static void
test_marble2svg_command_line_writes_pictures_and_the_page(void **state)
{
    char dir[] = "/tmp/uvrx_m2s_XXXXXX";
    char page[64];
    char path[128];
    char *text;
    size_t n;
    char why[256];
    marble2svg_file *f =
        marble2svg_load(UVRX_MARBLES_DIR "/take.txt", why, sizeof why);

    (void)state;
    assert_non_null(f);
    n = marble2svg_count(f);
    marble2svg_free(f);
    assert_non_null(mkdtemp(dir));
    snprintf(page, sizeof page, "%s/page.md", dir);
    {
        char *argv[] = {
            "marble2svg", "-o",        dir,    "--page",
            page,         "--img-dir", "pics", UVRX_MARBLES_DIR "/take.txt",
            NULL};
        assert_int_equal(marble2svg_main(8, argv), 0);
    }
    for (size_t i = 1; i <= n; i++) {
        snprintf(path, sizeof path, "%s/take-%zu.svg", dir, i);
        text = slurp(path);
        assert_non_null(text);
        assert_int_equal(count(text, "</svg>"), 1);
        free(text);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/take-%zu.svg", dir, n + 1);
    assert_int_equal(access(path, F_OK), -1);
    text = slurp(page);
    assert_non_null(text);
    assert_int_equal(count(text, "# Marble diagrams {#marbles}"), 1);
    assert_int_equal(count(text, "## rx_take() {#marbles_take}"), 1);
    assert_int_equal(count(text, "<img src=\"pics/take-"), (int)n);
    free(text);
    unlink(page);
    rmdir(dir);
    {
        char *argv[] = {"marble2svg", "--frobnicate", "x", NULL};
        assert_int_equal(marble2svg_main(3, argv), 2);
    }
    {
        char *argv[] = {"marble2svg", NULL};
        assert_int_equal(marble2svg_main(1, argv), 2);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_marble2svg_draws_items_completion_and_subscriptions),
        rx_unit_test(test_marble2svg_draws_an_error_as_a_cross),
        rx_unit_test(test_marble2svg_labels_items_with_their_values),
        rx_unit_test(test_marble2svg_fades_the_past_of_a_hot_source),
        rx_unit_test(test_marble2svg_skips_placeholder_sources),
        rx_unit_test(test_marble2svg_rejects_malformed_files_naming_the_line),
        rx_unit_test(test_marble2svg_reads_a_repository_file),
        rx_unit_test(test_marble2svg_command_line_writes_pictures_and_the_page),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
