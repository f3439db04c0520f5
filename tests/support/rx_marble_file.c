/* SPDX-License-Identifier: MIT */
/*
 * Marble case files: the loader (one case per block of `key: value`
 * lines, tests/marbles/README.md) and the runner that plays a case
 * through the observable a test builds for it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_marble_file.h"

#ifndef UVRX_MARBLES_DIR
#error "UVRX_MARBLES_DIR must name tests/marbles (set by cmake)"
#endif

static bool
failf(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && cap > 0) {
        va_start(ap, fmt);
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

const char *
rx_marble_path(const char *name)
{
    static char path[4096];

    snprintf(path, sizeof path, "%s/%s", UVRX_MARBLES_DIR, name);
    return path;
}

/* ---- loading ---------------------------------------------------------- */

static char *
dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Trims spaces at both ends, in place. */
static char *
trim(char *s)
{
    size_t n;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

/* Parses one `values:` word, `k=v`: an integer when the whole of v is
 * one, otherwise the string v. */
static bool
parse_value(rx_marble_case *c, const char *word, char *why, size_t cap,
            const char *where)
{
    const char *v = word + 2;
    char *end;
    long long i;
    rx_value val;

    if (word[0] == '\0' || word[1] != '=' || word[2] == '\0') {
        return failf(why, cap, "%s: values must be key=value, got \"%s\"",
                     where, word);
    }
    if (c->nvalues == RX_MARBLE_MAX_VALUES) {
        return failf(why, cap, "%s: too many values", where);
    }
    errno = 0;
    i = strtoll(v, &end, 10);
    if (*end == '\0' && errno == 0) {
        val = rx_int(i);
    } else {
        val = rx_str(v);
    }
    if (rx_is_invalid(val)) {
        return failf(why, cap, "%s: out of memory", where);
    }
    c->values[c->nvalues].key = word[0];
    c->values[c->nvalues].value = val;
    c->nvalues++;
    return true;
}

static bool
parse_values(rx_marble_case *c, char *text, char *why, size_t cap,
             const char *where)
{
    for (char *w = strtok(text, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        if (!parse_value(c, w, why, cap, where)) {
            return false;
        }
    }
    return true;
}

static bool
parse_op(rx_marble_case *c, const char *text, char *why, size_t cap,
         const char *where)
{
    char *copy;

    c->op = dup_range(text, strlen(text));
    copy = dup_range(text, strlen(text));
    if (c->op == NULL || copy == NULL) {
        free(copy);
        return failf(why, cap, "%s: out of memory", where);
    }
    for (char *w = strtok(copy, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        if (c->argc == RX_MARBLE_MAX_ARGS) {
            free(copy);
            return failf(why, cap, "%s: too many words in op", where);
        }
        c->argv[c->argc] = dup_range(w, strlen(w));
        if (c->argv[c->argc] == NULL) {
            free(copy);
            return failf(why, cap, "%s: out of memory", where);
        }
        c->argc++;
    }
    free(copy);
    if (c->argc == 0) {
        return failf(why, cap, "%s: empty op", where);
    }
    return true;
}

/* The source called `name`, created on first mention when `create`. */
static rx_marble_src *
find_source(rx_marble_case *c, char name, bool create)
{
    for (size_t i = 0; i < c->nsources; i++) {
        if (c->sources[i].name == name) {
            return &c->sources[i];
        }
    }
    if (!create || c->nsources == RX_MARBLE_MAX_SOURCES) {
        return NULL;
    }
    c->sources[c->nsources].name = name;
    return &c->sources[c->nsources++];
}

/* Appends a subscription line to a source's expected log. */
static bool
add_subs(rx_marble_src *s, const char *line)
{
    size_t old = s->subs != NULL ? strlen(s->subs) : 0;
    char *n = realloc(s->subs, old + strlen(line) + 2);

    if (n == NULL) {
        return false;
    }
    if (old > 0) {
        n[old++] = '\n';
    }
    strcpy(n + old, line);
    s->subs = n;
    return true;
}

/* Applies one `key [name]: value` line to the current case. */
static bool
apply_line(rx_marble_case *c, const char *key, char name, char *value,
           char *why, size_t cap, const char *where)
{
    rx_marble_src *s;

    if (strcmp(key, "source") == 0 || strcmp(key, "hot") == 0) {
        if (find_source(c, name, false) != NULL &&
            find_source(c, name, false)->marbles != NULL) {
            return failf(why, cap, "%s: source '%c' given twice", where,
                         name != '\0' ? name : ' ');
        }
        s = find_source(c, name, true);
        if (s == NULL) {
            return failf(why, cap, "%s: too many sources", where);
        }
        s->hot = key[0] == 'h';
        s->marbles = dup_range(value, strlen(value));
        return s->marbles != NULL ||
               failf(why, cap, "%s: out of memory", where);
    }
    if (strcmp(key, "subs") == 0) {
        s = find_source(c, name, true);
        if (s == NULL) {
            return failf(why, cap, "%s: too many sources", where);
        }
        return add_subs(s, value) ||
               failf(why, cap, "%s: out of memory", where);
    }
    if (name != '\0') {
        return failf(why, cap, "%s: \"%s\" takes no source name", where, key);
    }
    if (strcmp(key, "values") == 0) {
        return parse_values(c, value, why, cap, where);
    }
    if (strcmp(key, "op") == 0 && c->op == NULL) {
        return parse_op(c, value, why, cap, where);
    }
    if (strcmp(key, "expected") == 0 && c->expected == NULL) {
        c->expected = dup_range(value, strlen(value));
        return c->expected != NULL ||
               failf(why, cap, "%s: out of memory", where);
    }
    return failf(why, cap, "%s: unexpected \"%s:\"", where, key);
}

/* Checks a finished case has what it needs. */
static bool
finish_case(const rx_marble_case *c, char *why, size_t cap, const char *path)
{
    if (c->op == NULL || c->expected == NULL || c->nsources == 0) {
        return failf(why, cap,
                     "%s:%d: case \"%s\" needs source:, op: and expected:",
                     path, c->line, c->name);
    }
    for (size_t i = 0; i < c->nsources; i++) {
        if (c->sources[i].marbles == NULL) {
            return failf(why, cap,
                         "%s:%d: case \"%s\": subs for a source "
                         "that has no diagram",
                         path, c->line, c->name);
        }
    }
    return true;
}

static void
case_clear(rx_marble_case *c)
{
    free(c->name);
    for (size_t i = 0; i < c->nsources; i++) {
        free(c->sources[i].marbles);
        free(c->sources[i].subs);
    }
    for (size_t i = 0; i < c->nvalues; i++) {
        rx_value_release(c->values[i].value);
    }
    free(c->op);
    for (size_t i = 0; i < c->argc; i++) {
        free(c->argv[i]);
    }
    free(c->expected);
}

void
rx_marble_file_free(rx_marble_file *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->n; i++) {
        case_clear(&f->cases[i]);
    }
    free(f->cases);
    free(f->path);
    free(f);
}

/* Starts a new case at `line`. */
static rx_marble_case *
new_case(rx_marble_file *f, const char *name, int line)
{
    rx_marble_case *nc = realloc(f->cases, (f->n + 1) * sizeof *nc);

    if (nc == NULL) {
        return NULL;
    }
    f->cases = nc;
    nc = &f->cases[f->n++];
    memset(nc, 0, sizeof *nc);
    nc->line = line;
    nc->name = dup_range(name, strlen(name));
    return nc->name != NULL ? nc : NULL;
}

/* Reads one line: `case: name` starts a case, other keys fill it. */
static bool
load_line(rx_marble_file *f, char *raw, int lineno, rx_marble_case **cur,
          char *why, size_t cap)
{
    char where[4200];
    char *line = trim(raw);
    char *colon;
    char *key;
    char name = '\0';

    snprintf(where, sizeof where, "%s:%d", f->path, lineno);
    if (line[0] == '\0' || line[0] == '#') {
        return true;
    }
    colon = strchr(line, ':');
    if (colon == NULL) {
        return failf(why, cap, "%s: expected \"key: value\"", where);
    }
    *colon = '\0';
    key = trim(line);
    if (strchr(key, ' ') != NULL) {
        char *sp = strchr(key, ' ');
        char *n = trim(sp + 1);
        *sp = '\0';
        if (strlen(n) != 1) {
            return failf(why, cap, "%s: a source name is one character", where);
        }
        name = n[0];
    }
    if (strcmp(key, "case") == 0) {
        if (*cur != NULL && !finish_case(*cur, why, cap, f->path)) {
            return false;
        }
        *cur = new_case(f, trim(colon + 1), lineno);
        return *cur != NULL || failf(why, cap, "%s: out of memory", where);
    }
    if (*cur == NULL) {
        return failf(why, cap, "%s: \"%s:\" before the first case:", where,
                     key);
    }
    return apply_line(*cur, key, name, trim(colon + 1), why, cap, where);
}

rx_marble_file *
rx_marble_file_load(const char *path, char *why, size_t cap)
{
    FILE *fp = fopen(path, "r");
    rx_marble_file *f;
    rx_marble_case *cur = NULL;
    char buf[4096];
    int lineno = 0;
    bool ok = true;

    if (fp == NULL) {
        failf(why, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    f = calloc(1, sizeof *f);
    if (f != NULL) {
        f->path = dup_range(path, strlen(path));
    }
    if (f == NULL || f->path == NULL) {
        free(f);
        fclose(fp);
        failf(why, cap, "%s: out of memory", path);
        return NULL;
    }
    while (ok && fgets(buf, sizeof buf, fp) != NULL) {
        lineno++;
        ok = load_line(f, buf, lineno, &cur, why, cap);
    }
    fclose(fp);
    if (ok && cur == NULL) {
        failf(why, cap, "%s: no case in the file", path);
        ok = false;
    } else if (ok) {
        ok = finish_case(cur, why, cap, f->path);
    }
    if (!ok) {
        rx_marble_file_free(f);
        return NULL;
    }
    return f;
}

/* ---- queries ---------------------------------------------------------- */

bool
rx_marble_case_is(const rx_marble_case *c, const char *name)
{
    return c->argc > 0 && strcmp(c->argv[0], name) == 0;
}

bool
rx_marble_case_arg_int(const rx_marble_case *c, size_t i, int64_t *out)
{
    char *end;
    long long v;

    if (i >= c->argc) {
        return false;
    }
    errno = 0;
    v = strtoll(c->argv[i], &end, 10);
    if (*end != '\0' || end == c->argv[i] || errno != 0) {
        return false;
    }
    *out = v;
    return true;
}

const rx_marble_src *
rx_marble_case_source(const rx_marble_case *c, char name)
{
    for (size_t i = 0; i < c->nsources; i++) {
        if (c->sources[i].name == name) {
            return &c->sources[i];
        }
    }
    return NULL;
}

/* ---- running ---------------------------------------------------------- */

/* Checks each source's subscription log, when the case gives one. */
static bool
check_logs(const rx_marble_case *c, rx_test_source **made, char *why,
           size_t cap)
{
    for (size_t i = 0; i < c->nsources; i++) {
        char inner[1024];
        if (c->sources[i].subs == NULL) {
            continue;
        }
        if (!rx_test_check_subscriptions(made[i], c->sources[i].subs, inner,
                                         sizeof inner)) {
            return failf(why, cap, "source '%c': %s",
                         c->sources[i].name != '\0' ? c->sources[i].name : '-',
                         inner);
        }
    }
    return true;
}

bool
rx_marble_case_run(const rx_marble_case *c, rx_marble_build_fn build, void *ctx,
                   char *why, size_t cap)
{
    rx_test_source *made[RX_MARBLE_MAX_SOURCES] = {0};
    rx_observable *srcs[RX_MARBLE_MAX_SOURCES] = {0};
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = NULL;
    bool ok = vs != NULL || failf(why, cap, "%s", rx_last_error_message());
    size_t i;

    for (i = 0; ok && i < c->nsources; i++) {
        const rx_marble_src *s = &c->sources[i];
        made[i] = s->hot ? rx_test_hot(vs, s->marbles, c->values, c->nvalues)
                         : rx_test_cold(vs, s->marbles, c->values, c->nvalues);
        srcs[i] = made[i] != NULL ? rx_test_source_observable(made[i]) : NULL;
        if (srcs[i] == NULL) {
            ok = failf(why, cap, "%s", rx_last_error_message());
        }
    }
    if (ok) {
        obs = build(c, vs, srcs, ctx);
        memset(srcs, 0, sizeof srcs); /* build took them */
        if (obs == NULL) {
            ok = failf(why, cap, "op \"%s\" not understood or failed: %s",
                       c->op, rx_last_error_message());
        }
    }
    ok = ok && rx_test_check_marbles(vs, obs, c->expected, c->values,
                                     c->nvalues, why, cap);
    ok = ok && check_logs(c, made, why, cap);
    rx_observable_release(obs);
    for (i = 0; i < c->nsources; i++) {
        rx_observable_release(srcs[i]);
        rx_test_source_free(made[i]);
    }
    if (ok && rx_virtual_pending(vs) != 0) {
        ok = failf(why, cap,
                   "%zu tasks left on the scheduler after the "
                   "subscription ended",
                   rx_virtual_pending(vs));
    }
    rx_scheduler_release(vs);
    return ok;
}

long
rx_marble_file_run(const char *name, rx_marble_build_fn build, void *ctx,
                   char *why, size_t cap)
{
    rx_marble_file *f = rx_marble_file_load(rx_marble_path(name), why, cap);
    size_t used = 0;
    bool ok = true;
    long n;

    if (f == NULL) {
        return -1;
    }
    for (size_t i = 0; i < f->n; i++) {
        char one[2048];
        if (rx_marble_case_run(&f->cases[i], build, ctx, one, sizeof one)) {
            continue;
        }
        ok = false;
        if (used < cap) {
            used +=
                (size_t)snprintf(why + used, cap - used,
                                 "%s%s:%d: case \"%s\": %s", used ? "\n" : "",
                                 name, f->cases[i].line, f->cases[i].name, one);
        }
    }
    n = (long)f->n;
    rx_marble_file_free(f);
    return ok ? n : -1;
}
