/* SPDX-License-Identifier: MIT */
/*
 * word_freq: the ten most frequent words of a text file.
 *
 *   rx_file_lines(path)              lines, read with demand (uv_fs)
 *   -> rx_flat_map(split into words) each line becomes its words
 *   -> rx_map(lower case)
 *   -> subscriber                    counts, and prints the top ten at
 *                                    completion
 *
 * The file is read asynchronously on the libuv loop, one chunk at a time
 * as the pipeline asks for more. A missing or unreadable file arrives as
 * on_error with libuv's code and the path, and the program exits 1.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvrx.h>

/* ---- splitting and normalising --------------------------------------- */

/* A line's words: maximal runs of letters, digits and apostrophes. */
static rx_observable *
words_of(rx_value line, void *ctx, rx_error **err)
{
    const char *s = rx_str_cstr(line);
    size_t len = rx_str_len(line);
    rx_value words[256];
    size_t n = 0;
    rx_observable *out;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < len;) {
        size_t start;
        while (i < len && !isalnum((unsigned char)s[i])) {
            i++;
        }
        start = i;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '\'')) {
            i++;
        }
        if (i > start && n < sizeof words / sizeof words[0]) {
            words[n++] = rx_str_n(s + start, i - start);
        }
    }
    out = rx_from_values(n, words); /* takes the words */
    return out;
}

static rx_value
lower(rx_value v, void *ctx, rx_error **err)
{
    char buf[128];
    size_t len = rx_str_len(v);

    (void)ctx;
    (void)err;
    if (len >= sizeof buf) {
        return rx_value_retain(v); /* very long words stay as they are */
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = (char)tolower((unsigned char)rx_str_cstr(v)[i]);
    }
    return rx_str_n(buf, len);
}

/* ---- counting (plain C: an open-addressing table of words) ----------- */

struct entry {
    rx_value word; /* retained string, or nil for an empty slot */
    long count;
};

struct counter {
    struct entry *slots;
    size_t cap;
    size_t used;
    long total;
    int failed;
};

static bool
grow(struct counter *c)
{
    size_t ncap = c->cap == 0 ? 1024 : c->cap * 2;
    struct entry *ns = calloc(ncap, sizeof *ns);

    if (ns == NULL) {
        return false;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!rx_is_nil(c->slots[i].word)) {
            size_t j = rx_value_hash(c->slots[i].word) & (ncap - 1);
            while (!rx_is_nil(ns[j].word)) {
                j = (j + 1) & (ncap - 1);
            }
            ns[j] = c->slots[i];
        }
    }
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return true;
}

static void
count_word(rx_value word, void *ctx)
{
    struct counter *c = ctx;
    size_t i;

    if (c->used * 2 >= c->cap && !grow(c)) {
        c->failed = 1;
        return;
    }
    i = rx_value_hash(word) & (c->cap - 1);
    while (!rx_is_nil(c->slots[i].word) &&
           !rx_value_equal(c->slots[i].word, word)) {
        i = (i + 1) & (c->cap - 1);
    }
    if (rx_is_nil(c->slots[i].word)) {
        c->slots[i].word = rx_value_retain(word);
        c->used++;
    }
    c->slots[i].count++;
    c->total++;
}

static int
by_count(const void *a, const void *b)
{
    const struct entry *x = a;
    const struct entry *y = b;

    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(rx_str_cstr(x->word), rx_str_cstr(y->word));
}

static void
print_top(void *ctx)
{
    struct counter *c = ctx;
    size_t n = 0;

    for (size_t i = 0; i < c->cap; i++) {
        if (!rx_is_nil(c->slots[i].word)) {
            c->slots[n++] = c->slots[i];
        }
    }
    qsort(c->slots, n, sizeof *c->slots, by_count);
    printf("%ld words, %zu different; the most frequent:\n", c->total, n);
    for (size_t i = 0; i < n && i < 10; i++) {
        printf("%6ld  %s\n", c->slots[i].count, rx_str_cstr(c->slots[i].word));
    }
    for (size_t i = n; i < c->cap; i++) {
        c->slots[i].word = rx_nil(); /* moved to the front above */
    }
    c->used = n;
}

static void
report_error(const rx_error *err, void *ctx)
{
    struct counter *c = ctx;

    c->failed = 1;
    fprintf(stderr, "word_freq: %s (%s)\n", rx_error_message(err),
            rx_err_name(rx_error_code(err)));
}

int
main(int argc, char **argv)
{
    struct counter c = {0};
    rx_observer obs = {.on_next = count_word,
                       .on_complete = print_top,
                       .on_error = report_error,
                       .ctx = &c};
    rx_observable *words;

    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: %s FILE\nPrints the ten most frequent words of "
                "FILE.\n",
                argv[0]);
        return argc == 2 ? 0 : 2;
    }
    words = rx_map(
        rx_flat_map(rx_file_lines(uv_default_loop(), argv[1]), words_of, NULL),
        lower, NULL);
    if (words == NULL || rx_subscribe(words, &obs, NULL) != 0) {
        fprintf(stderr, "word_freq: %s\n", rx_last_error_message());
        rx_observable_release(words);
        return 1;
    }
    rx_observable_release(words);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);

    for (size_t i = 0; i < c.cap; i++) {
        rx_value_release(c.slots[i].word);
    }
    free(c.slots);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "word_freq: resources left behind\n");
        return 1;
    }
    return c.failed;
}
