/* SPDX-License-Identifier: MIT */
/*
 * marble2svg: reads marble case files (the format of tests/marbles/
 * README.md, the grammar of include/uvrx/testkit.h) and draws each case
 * as an SVG picture: one timeline per source above a box holding the
 * case's `op:` line, the expected output below it. Items are coloured
 * circles labelled with their value, completion a vertical bar, an error
 * a cross, and each source's subscriptions thin bars under its timeline.
 * With --page it also writes the Doxygen Markdown page that shows every
 * picture, so the docs draw exactly the cases the tests play.
 *
 * The diagram parser follows the testkit's frame rules (every character
 * but a space takes one frame, a group puts its signals at the frame of
 * its `(`, time progression such as `10ms` only at the start or after a
 * space) without linking libuvrx: the tool must build as a plain host
 * program.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marble2svg.h"

#define MAX_SOURCES 8 /* as tests/support/rx_marble_file.h */
#define MAX_VALUES 64
#define MAX_FRAME ((int64_t)1 << 40) /* longer diagrams are refused */

/* ---- geometry of the pictures (pixels) ------------------------------- */

#define LEFT 86        /* room for the row labels */
#define RIGHT 24       /* room for the arrow heads */
#define TOP 10         /* above the first row */
#define ROW 52         /* height of a timeline row */
#define SUB_GAP 9      /* between two subscription bars */
#define OP_BOX 32      /* height of the operator box */
#define LEGEND 20      /* height of the legend line */
#define RADIUS 11      /* of an item */
#define FAN 25         /* between the signals of one group */
#define FRAME_W 28.0   /* width of a frame in short diagrams */
#define MAX_AXIS 1400. /* longer diagrams get narrower frames */

/* ---- the model -------------------------------------------------------- */

/* One signal of a diagram. */
struct event {
    int64_t frame; /* case time: hot sources are shifted so `^` is 0 */
    char kind;     /* 'n' item, '|' completion, '#' error */
    char key;      /* the item's character */
    int slot;      /* its place among the signals of its frame */
    int nslots;    /* how many signals share its frame */
};

/* A parsed diagram. */
struct diagram {
    struct event *ev;
    size_t n;
    int64_t start; /* first frame drawn (negative: a hot source's past) */
    int64_t end;   /* one past the last frame the text spans */
};

/* One subscription of a source's log: frames from `^` to `!`. */
struct span {
    int64_t from;
    int64_t to;
    bool ended; /* the line has a `!` */
};

struct source {
    char name; /* '\0' for the unnamed source */
    bool hot;
    char *text;
    struct diagram d;
    struct span *subs;
    size_t nsubs;
};

struct value {
    char key;
    char *text;
};

struct mcase {
    char *name;
    int line;
    struct source src[MAX_SOURCES];
    size_t nsrc;
    struct value values[MAX_VALUES];
    size_t nvalues;
    char *op;
    char *expected;
    struct diagram out;
};

struct marble2svg_file {
    char *path;
    char *stem;
    char *about; /* the leading comment, joined into one paragraph */
    char *title; /* the rx_ function the comment starts with, or NULL */
    struct mcase *cases;
    size_t n;
};

/* ---- small helpers ---------------------------------------------------- */

static bool
failf(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && cap > 0) {
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

static char *
dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *
dup_s(const char *s)
{
    return dup_n(s, strlen(s));
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

/* A growing string; a failed allocation sets `oom` and later appends do
 * nothing, so callers check once at the end. */
struct buf {
    char *p;
    size_t n;
    size_t cap;
    bool oom;
};

static void
buf_add(struct buf *b, const char *s, size_t len)
{
    if (b->oom) {
        return;
    }
    if (b->n + len + 1 > b->cap) {
        size_t ncap = b->cap == 0 ? 1024 : b->cap;
        char *np;
        while (ncap < b->n + len + 1) {
            ncap *= 2;
        }
        np = realloc(b->p, ncap);
        if (np == NULL) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0) {
        b->oom = true;
    } else if ((size_t)len < sizeof small) {
        buf_add(b, small, (size_t)len);
    } else {
        char *big = malloc((size_t)len + 1);
        if (big == NULL) {
            b->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)len + 1, fmt, ap);
        va_end(ap);
        buf_add(b, big, (size_t)len);
        free(big);
    }
}

/* Appends `s` escaped for XML text and attribute values. */
static void
buf_xml(struct buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            buf_add(b, "&amp;", 5);
            break;
        case '<':
            buf_add(b, "&lt;", 4);
            break;
        case '>':
            buf_add(b, "&gt;", 4);
            break;
        case '"':
            buf_add(b, "&quot;", 6);
            break;
        default:
            buf_add(b, s, 1);
            break;
        }
    }
}

/* ---- diagrams --------------------------------------------------------- */

/* Reads time progression (`10ms`, `1.5s`, `2m`) at text[*i]: returns 1
 * and adds its frames to *frame, moving *i to its last character; 0 when
 * the text there is not time progression; -1 when it is malformed. */
static int
progression(const char *text, size_t *i, int64_t *frame)
{
    const char *s = text + *i;
    int64_t whole = 0;
    int64_t frac = 0;
    int64_t scale = 1;
    int64_t mult;
    size_t k = 0;

    if (*i > 0 && text[*i - 1] != ' ') {
        return 0;
    }
    while (isdigit((unsigned char)s[k])) {
        if (whole > MAX_FRAME) {
            return -1;
        }
        whole = whole * 10 + (s[k++] - '0');
    }
    if (s[k] == '.' && isdigit((unsigned char)s[k + 1])) {
        for (k++; isdigit((unsigned char)s[k]); k++) {
            if (scale > 1000000) {
                return -1;
            }
            frac = frac * 10 + (s[k] - '0');
            scale *= 10;
        }
    }
    if (s[k] == 'm' && s[k + 1] == 's') {
        mult = 1;
        k += 2;
    } else if (s[k] == 's') {
        mult = 1000;
        k += 1;
    } else if (s[k] == 'm') {
        mult = 60000;
        k += 1;
    } else {
        return 0;
    }
    if (isalnum((unsigned char)s[k])) {
        return 0; /* `1sa` is three items */
    }
    if (whole > MAX_FRAME / mult || (frac * mult) % scale != 0) {
        return -1;
    }
    *frame += whole * mult + frac * mult / scale;
    *i += k - 1;
    return *frame > MAX_FRAME ? -1 : 1;
}

static bool
is_value_key(const struct mcase *c, char key)
{
    for (size_t i = 0; i < c->nvalues; i++) {
        if (c->values[i].key == key) {
            return true;
        }
    }
    return false;
}

static bool
add_event(struct diagram *d, size_t *cap, int64_t frame, char kind, char key)
{
    if (d->n == *cap) {
        size_t ncap = *cap == 0 ? 8 : *cap * 2;
        struct event *nev = realloc(d->ev, ncap * sizeof *nev);
        if (nev == NULL) {
            return false;
        }
        d->ev = nev;
        *cap = ncap;
    }
    d->ev[d->n++] = (struct event){.frame = frame, .kind = kind, .key = key};
    return true;
}

/* Parses a source or output diagram (`^` allowed when `hot`). A hot
 * diagram is shifted so its `^` is frame 0. */
static bool
parse_diagram(const struct mcase *c, const char *text, bool hot,
              struct diagram *d, char *why, size_t cap, const char *where)
{
    int64_t frame = 0;
    int64_t group = -1;
    int64_t sub = 0;
    bool has_sub = false;
    bool ended = false;
    size_t evcap = 0;
    const char *bad = NULL;
    size_t i;

    memset(d, 0, sizeof *d);
    for (i = 0; text[i] != '\0' && bad == NULL; i++) {
        char ch = text[i];
        int rc;
        if (ch == ' ') {
            continue;
        }
        if (ch == '-') {
            frame++;
        } else if (ch == '(') {
            bad = group >= 0 ? "'(' inside a group" : NULL;
            group = frame++;
        } else if (ch == ')') {
            bad = group < 0 ? "')' without '('" : NULL;
            group = -1;
            frame++;
        } else if (ch == '^') {
            bad = !hot      ? "'^' outside a hot source"
                  : has_sub ? "second '^'"
                            : NULL;
            has_sub = true;
            sub = group >= 0 ? group : frame;
            frame++;
        } else if (isdigit((unsigned char)ch) &&
                   (rc = progression(text, &i, &frame)) != 0) {
            bad = rc < 0 ? "malformed time progression" : NULL;
        } else if (ch == '|' || ch == '#' || isalnum((unsigned char)ch) ||
                   is_value_key(c, ch)) {
            char kind = ch == '|' || ch == '#' ? ch : 'n';
            if (ended) {
                bad = "signal after the terminal signal";
            } else if (!add_event(d, &evcap, group >= 0 ? group : frame, kind,
                                  ch)) {
                return failf(why, cap, "%s: out of memory", where);
            }
            ended = ended || kind != 'n';
            frame++;
        } else {
            bad = "unexpected character";
        }
    }
    if (bad == NULL && group >= 0) {
        bad = "'(' never closed";
        i = strlen(text) + 1;
    }
    if (bad != NULL) {
        free(d->ev);
        memset(d, 0, sizeof *d);
        return failf(why, cap, "%s: %s at column %zu of \"%s\"", where, bad, i,
                     text);
    }
    d->start = has_sub ? -sub : 0;
    d->end = frame - (has_sub ? sub : 0);
    for (size_t k = 0; k < d->n; k++) {
        d->ev[k].frame -= has_sub ? sub : 0;
    }
    /* Number the signals that share a frame, so a group fans out. */
    for (size_t k = 0; k < d->n; k++) {
        size_t first = k;
        while (first > 0 && d->ev[first - 1].frame == d->ev[k].frame) {
            first--;
        }
        d->ev[k].slot = (int)(k - first);
    }
    for (size_t k = d->n; k-- > 0;) {
        bool last = k + 1 == d->n || d->ev[k + 1].frame != d->ev[k].frame;
        d->ev[k].nslots = last ? d->ev[k].slot + 1 : d->ev[k + 1].nslots;
    }
    return true;
}

/* Parses one subscription log line into a span. */
static bool
parse_subs(const char *text, struct span *s, char *why, size_t cap,
           const char *where)
{
    int64_t frame = 0;
    int64_t group = -1;
    bool started = false;
    const char *bad = NULL;
    size_t i;
    int rc;

    memset(s, 0, sizeof *s);
    for (i = 0; text[i] != '\0' && bad == NULL; i++) {
        char ch = text[i];
        int64_t at = group >= 0 ? group : frame;
        if (ch == ' ') {
            continue;
        }
        if (ch == '-') {
            frame++;
        } else if (ch == '(') {
            bad = group >= 0 ? "'(' inside a group" : NULL;
            group = frame++;
        } else if (ch == ')') {
            bad = group < 0 ? "')' without '('" : NULL;
            group = -1;
            frame++;
        } else if (ch == '^') {
            bad = started ? "second '^'" : NULL;
            started = true;
            s->from = at;
            frame++;
        } else if (ch == '!') {
            bad = !started ? "'!' before '^'" : s->ended ? "second '!'" : NULL;
            s->ended = true;
            s->to = at;
        } else if (isdigit((unsigned char)ch) &&
                   (rc = progression(text, &i, &frame)) != 0) {
            bad = rc < 0 ? "malformed time progression" : NULL;
        } else {
            bad = "unexpected character";
        }
    }
    if (bad == NULL && !started) {
        bad = "no '^'";
    }
    if (bad != NULL) {
        return failf(why, cap, "%s: %s at column %zu of \"%s\"", where, bad, i,
                     text);
    }
    if (!s->ended) {
        s->to = frame;
    }
    return true;
}

/* ---- loading ---------------------------------------------------------- */

static void
case_clear(struct mcase *c)
{
    free(c->name);
    for (size_t i = 0; i < c->nsrc; i++) {
        free(c->src[i].text);
        free(c->src[i].d.ev);
        free(c->src[i].subs);
    }
    for (size_t i = 0; i < c->nvalues; i++) {
        free(c->values[i].text);
    }
    free(c->op);
    free(c->expected);
    free(c->out.ev);
}

void
marble2svg_free(marble2svg_file *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->n; i++) {
        case_clear(&f->cases[i]);
    }
    free(f->cases);
    free(f->path);
    free(f->stem);
    free(f->about);
    free(f->title);
    free(f);
}

static struct source *
find_source(struct mcase *c, char name, bool create)
{
    for (size_t i = 0; i < c->nsrc; i++) {
        if (c->src[i].name == name) {
            return &c->src[i];
        }
    }
    if (!create || c->nsrc == MAX_SOURCES) {
        return NULL;
    }
    c->src[c->nsrc].name = name;
    return &c->src[c->nsrc++];
}

static bool
parse_values(struct mcase *c, char *text, char *why, size_t cap,
             const char *where)
{
    for (char *w = strtok(text, " \t"); w != NULL; w = strtok(NULL, " \t")) {
        if (w[1] != '=' || w[2] == '\0') {
            return failf(why, cap, "%s: values must be key=value, got \"%s\"",
                         where, w);
        }
        if (c->nvalues == MAX_VALUES) {
            return failf(why, cap, "%s: too many values", where);
        }
        c->values[c->nvalues].key = w[0];
        c->values[c->nvalues].text = dup_s(w + 2);
        if (c->values[c->nvalues++].text == NULL) {
            return failf(why, cap, "%s: out of memory", where);
        }
    }
    return true;
}

/* Applies one `key [name]: value` line to the current case. Diagrams are
 * kept as text here and parsed once the case is complete, because a
 * `values:` line after them can add item keys. */
static bool
apply_line(struct mcase *c, const char *key, char name, char *value, char *why,
           size_t cap, const char *where)
{
    struct source *s;

    if (strcmp(key, "source") == 0 || strcmp(key, "hot") == 0) {
        s = find_source(c, name, true);
        if (s == NULL) {
            return failf(why, cap, "%s: too many sources", where);
        }
        if (s->text != NULL) {
            return failf(why, cap, "%s: source given twice", where);
        }
        s->hot = key[0] == 'h';
        s->text = dup_s(value);
        return s->text != NULL || failf(why, cap, "%s: out of memory", where);
    }
    if (strcmp(key, "subs") == 0) {
        struct span *ns;
        s = find_source(c, name, true);
        if (s == NULL) {
            return failf(why, cap, "%s: too many sources", where);
        }
        ns = realloc(s->subs, (s->nsubs + 1) * sizeof *ns);
        if (ns == NULL) {
            return failf(why, cap, "%s: out of memory", where);
        }
        s->subs = ns;
        return parse_subs(value, &s->subs[s->nsubs++], why, cap, where);
    }
    if (name != '\0') {
        return failf(why, cap, "%s: \"%s\" takes no source name", where, key);
    }
    if (strcmp(key, "values") == 0) {
        return parse_values(c, value, why, cap, where);
    }
    if (strcmp(key, "op") == 0 && c->op == NULL) {
        c->op = dup_s(value);
        return c->op != NULL || failf(why, cap, "%s: out of memory", where);
    }
    if (strcmp(key, "expected") == 0 && c->expected == NULL) {
        c->expected = dup_s(value);
        return c->expected != NULL ||
               failf(why, cap, "%s: out of memory", where);
    }
    return failf(why, cap, "%s: unexpected \"%s:\"", where, key);
}

/* Checks a case is complete and parses its diagrams. */
static bool
finish_case(struct mcase *c, char *why, size_t cap, const char *path)
{
    char where[512];

    snprintf(where, sizeof where, "%s:%d: case \"%s\"", path, c->line, c->name);
    if (c->op == NULL || c->expected == NULL || c->nsrc == 0) {
        return failf(why, cap, "%s needs source:, op: and expected:", where);
    }
    for (size_t i = 0; i < c->nsrc; i++) {
        struct source *s = &c->src[i];
        if (s->text == NULL) {
            return failf(why, cap, "%s: subs for a source without a diagram",
                         where);
        }
        if (!parse_diagram(c, s->text, s->hot, &s->d, why, cap, where)) {
            return false;
        }
    }
    return parse_diagram(c, c->expected, false, &c->out, why, cap, where);
}

/* Reads one line: a comment before the first case adds to `about`,
 * `case:` starts a case, other keys fill it. */
static bool
load_line(marble2svg_file *f, struct buf *about, char *raw, int lineno,
          char *why, size_t cap)
{
    char where[512];
    char *line = trim(raw);
    struct mcase *cur = f->n > 0 ? &f->cases[f->n - 1] : NULL;
    char *colon;
    char *key;
    char name = '\0';

    snprintf(where, sizeof where, "%s:%d", f->path, lineno);
    if (line[0] == '#') {
        if (cur == NULL) {
            buf_add(about, " ", about->n > 0 ? 1 : 0);
            line = trim(line + 1);
            buf_add(about, line, strlen(line));
        }
        return true;
    }
    if (line[0] == '\0') {
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
        struct mcase *nc;
        if (cur != NULL && !finish_case(cur, why, cap, f->path)) {
            return false;
        }
        nc = realloc(f->cases, (f->n + 1) * sizeof *nc);
        if (nc == NULL) {
            return failf(why, cap, "%s: out of memory", where);
        }
        f->cases = nc;
        cur = &f->cases[f->n++];
        memset(cur, 0, sizeof *cur);
        cur->line = lineno;
        cur->name = dup_s(trim(colon + 1));
        return cur->name != NULL || failf(why, cap, "%s: out of memory", where);
    }
    if (cur == NULL) {
        return failf(why, cap, "%s: \"%s:\" before the first case:", where,
                     key);
    }
    return apply_line(cur, key, name, trim(colon + 1), why, cap, where);
}

/* The stem of a path: its base name without the `.txt`. */
static char *
stem_of(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".txt") == 0) {
        n -= 4;
    }
    return dup_n(base, n);
}

/* The rx_ function a file's comment starts with (`# rx_take: ...`). */
static char *
title_of(const char *about)
{
    size_t n = 0;

    if (about == NULL || strncmp(about, "rx_", 3) != 0) {
        return NULL;
    }
    while (isalnum((unsigned char)about[n]) || about[n] == '_') {
        n++;
    }
    return dup_n(about, n);
}

marble2svg_file *
marble2svg_parse(const char *text, const char *path, char *why, size_t cap)
{
    marble2svg_file *f = calloc(1, sizeof *f);
    struct buf about = {0};
    int lineno = 0;
    bool ok = f != NULL;

    if (ok) {
        f->path = dup_s(path);
        f->stem = stem_of(path);
        ok = f->path != NULL && f->stem != NULL;
    }
    if (!ok) {
        marble2svg_free(f);
        failf(why, cap, "%s: out of memory", path);
        return NULL;
    }
    while (ok && *text != '\0') {
        size_t len = strcspn(text, "\n");
        char *line = dup_n(text, len);
        lineno++;
        ok = line != NULL ? load_line(f, &about, line, lineno, why, cap)
                          : failf(why, cap, "%s: out of memory", path);
        free(line);
        text += len + (text[len] == '\n' ? 1 : 0);
    }
    if (ok && f->n == 0) {
        ok = failf(why, cap, "%s: no case in the file", path);
    } else if (ok) {
        ok = finish_case(&f->cases[f->n - 1], why, cap, path);
    }
    if (ok && about.oom) {
        ok = failf(why, cap, "%s: out of memory", path);
    }
    if (ok) {
        f->about = about.p != NULL ? about.p : dup_s("");
        about.p = NULL;
        f->title = title_of(f->about);
        ok = f->about != NULL || failf(why, cap, "%s: out of memory", path);
    }
    free(about.p);
    if (!ok) {
        marble2svg_free(f);
        return NULL;
    }
    return f;
}

marble2svg_file *
marble2svg_load(const char *path, char *why, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    struct buf text = {0};
    char chunk[4096];
    size_t got;
    marble2svg_file *f;

    if (fp == NULL) {
        failf(why, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        buf_add(&text, chunk, got);
    }
    if (ferror(fp) || text.oom) {
        failf(why, cap, "%s: %s", path,
              text.oom ? "out of memory" : "read error");
        fclose(fp);
        free(text.p);
        return NULL;
    }
    fclose(fp);
    f = marble2svg_parse(text.p != NULL ? text.p : "", path, why, cap);
    free(text.p);
    return f;
}

size_t
marble2svg_count(const marble2svg_file *f)
{
    return f != NULL ? f->n : 0;
}

const char *
marble2svg_case_name(const marble2svg_file *f, size_t i)
{
    return f != NULL && i < f->n ? f->cases[i].name : NULL;
}

const char *
marble2svg_stem(const marble2svg_file *f)
{
    return f != NULL ? f->stem : NULL;
}

/* ---- drawing ---------------------------------------------------------- */

/* Pastel fills, dark enough against white and light enough for black
 * labels; one per key, so an item keeps its colour from source to
 * output. */
static const char *const palette[] = {
    "#ffd166", "#8ecae6", "#95d5b2", "#f6a6b2",
    "#cdb4db", "#f9c784", "#a0c4ff", "#c7e9a0",
};

static const char *
colour_of(char key)
{
    unsigned idx;

    if (isalpha((unsigned char)key)) {
        idx = (unsigned)(tolower((unsigned char)key) - 'a');
    } else if (isdigit((unsigned char)key)) {
        idx = (unsigned)(key - '0');
    } else {
        idx = (unsigned char)key;
    }
    return palette[idx % (sizeof palette / sizeof palette[0])];
}

/* What an item shows: its value when short, else its key. */
static void
label_of(const struct mcase *c, char key, char out[8])
{
    out[0] = key;
    out[1] = '\0';
    for (size_t i = 0; i < c->nvalues; i++) {
        if (c->values[i].key == key && strlen(c->values[i].text) <= 3) {
            strcpy(out, c->values[i].text);
        }
    }
}

/* The horizontal scale of one picture. */
struct scale {
    int64_t first; /* the frame at the left end of the axis */
    int64_t last;  /* one past the frame at the right end */
    double fw;     /* pixels per frame */
    int64_t tick;  /* frames between two ticks */
};

static double
x_of(const struct scale *sc, double frame)
{
    return LEFT + (frame - (double)sc->first + 0.5) * sc->fw;
}

static double
axis_end(const struct scale *sc)
{
    return x_of(sc, (double)sc->last) + 4;
}

/* The axis of one row: the line, an arrow head, a tick per frame, and
 * for a hot source a dashed past before frame 0. */
static void
draw_axis(struct buf *b, const struct scale *sc, double y, int64_t start,
          const char *label)
{
    double x0 = LEFT;
    double xs = start > sc->first ? x_of(sc, (double)start) - sc->fw / 2 : x0;
    double x1 = axis_end(sc);

    buf_printf(b, "<text class=\"row\" x=\"8\" y=\"%.1f\" fill=\"#555\">",
               y + 4);
    buf_xml(b, label);
    buf_add(b, "</text>\n", 8);
    if (start < 0) {
        buf_printf(b,
                   "<line class=\"past\" x1=\"%.1f\" y1=\"%.1f\" "
                   "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aaa\" "
                   "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n",
                   x_of(sc, (double)start) - sc->fw / 2, y,
                   x_of(sc, 0) - sc->fw / 2, y);
        xs = x_of(sc, 0) - sc->fw / 2;
    }
    buf_printf(b,
               "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
               "y2=\"%.1f\" stroke=\"#444\" stroke-width=\"1.5\"/>\n"
               "<path d=\"M%.1f %.1fl-8 -4v8z\" fill=\"#444\"/>\n",
               xs, y, x1, y, x1 + 6, y);
    buf_add(b, "<path class=\"ticks\" stroke=\"#888\" d=\"", 37);
    for (int64_t f = start < sc->first ? sc->first : start; f < sc->last; f++) {
        if (f % sc->tick == 0) {
            buf_printf(b, "M%.1f %.1fv7", x_of(sc, (double)f), y - 3.5);
        }
    }
    buf_add(b, "\"/>\n", 4);
}

/* One signal, fanned out from its frame when it shares the frame with
 * others (a group); signals of a hot source's past are faded. */
static void
draw_event(struct buf *b, const struct mcase *c, const struct scale *sc,
           double y, const struct event *e)
{
    double x = x_of(sc, (double)e->frame) + e->slot * FAN;
    const char *fade = e->frame < 0 ? " opacity=\"0.35\"" : "";
    char label[8];

    if (e->kind == '|') {
        buf_printf(b,
                   "<line class=\"complete\" x1=\"%.1f\" y1=\"%.1f\" "
                   "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                   "stroke-width=\"3\"%s/>\n",
                   x, y - 13, x, y + 13, fade);
        return;
    }
    if (e->kind == '#') {
        buf_printf(b,
                   "<g class=\"error\" stroke=\"#c62828\" stroke-width=\"3\" "
                   "stroke-linecap=\"round\"%s>"
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "</g>\n",
                   fade, x - 8, y - 8, x + 8, y + 8, x - 8, y + 8, x + 8,
                   y - 8);
        return;
    }
    label_of(c, e->key, label);
    buf_printf(b,
               "<g class=\"item\"%s><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" "
               "fill=\"%s\" stroke=\"#333\"/>"
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
               "font-size=\"%d\">",
               fade, x, y, RADIUS, colour_of(e->key), x, y + 4,
               strlen(label) > 1 ? 10 : 12);
    buf_xml(b, label);
    buf_add(b, "</text></g>\n", 12);
}

/* A diagram on its axis; a group gets a light backdrop so its signals
 * read as one instant. */
static void
draw_diagram(struct buf *b, const struct mcase *c, const struct scale *sc,
             double y, const struct diagram *d, const char *label)
{
    draw_axis(b, sc, y, d->start, label);
    for (size_t i = 0; i < d->n; i++) {
        const struct event *e = &d->ev[i];
        if (e->slot == 0 && e->nslots > 1) {
            double x = x_of(sc, (double)e->frame);
            buf_printf(b,
                       "<rect class=\"group\" x=\"%.1f\" y=\"%.1f\" "
                       "width=\"%d\" height=\"%d\" rx=\"9\" fill=\"#e8e8e8\"/>"
                       "\n",
                       x - RADIUS - 4, y - RADIUS - 4,
                       (e->nslots - 1) * FAN + 2 * RADIUS + 8, 2 * RADIUS + 8);
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        draw_event(b, c, sc, y, &d->ev[i]);
    }
}

/* A source's subscriptions: a bar from `^` to `!` for each, under its
 * axis (open-ended and dashed when the log has no `!`). */
static void
draw_subs(struct buf *b, const struct scale *sc, double y,
          const struct source *s)
{
    for (size_t i = 0; i < s->nsubs; i++) {
        const struct span *sp = &s->subs[i];
        double yy = y + RADIUS + 9 + (double)i * SUB_GAP;
        double x0 = x_of(sc, (double)sp->from);
        double x1 = sp->ended ? x_of(sc, (double)sp->to) : axis_end(sc);
        buf_printf(b,
                   "<path class=\"subscription\" stroke=\"#7a7a7a\" "
                   "stroke-width=\"2\" fill=\"none\"%s "
                   "d=\"M%.1f %.1fv-5M%.1f %.1fH%.1f%s\"/>\n",
                   sp->ended ? "" : " stroke-dasharray=\"3 2\"", x0, yy, x0, yy,
                   x1 < x0 + 2 ? x0 + 2 : x1, sp->ended ? "v-5" : "");
    }
}

/* Whether a source is worth drawing: the timer and interval files give
 * a placeholder `-` that the test ignores. */
static bool
shown(const struct source *s)
{
    return s->d.n > 0 || s->nsubs > 0;
}

static struct scale
scale_of(const struct mcase *c)
{
    struct scale sc = {
        .first = 0, .last = c->out.end, .fw = FRAME_W, .tick = 1};
    int64_t frames;

    for (size_t i = 0; i < c->nsrc; i++) {
        const struct source *s = &c->src[i];
        if (!shown(s)) {
            continue;
        }
        sc.first = s->d.start < sc.first ? s->d.start : sc.first;
        sc.last = s->d.end > sc.last ? s->d.end : sc.last;
        for (size_t k = 0; k < s->nsubs; k++) {
            int64_t to = s->subs[k].to + 1;
            sc.last = to > sc.last ? to : sc.last;
        }
    }
    /* Room for a group fanned out at the last frame. */
    sc.last += 1;
    frames = sc.last - sc.first;
    if ((double)frames * FRAME_W > MAX_AXIS) {
        sc.fw = MAX_AXIS / (double)frames;
        while (sc.fw * (double)sc.tick < 6) {
            sc.tick *= 10;
        }
    }
    return sc;
}

/* The legend: what each key of the values table stands for. */
static void
draw_legend(struct buf *b, const struct mcase *c, double y)
{
    buf_printf(b, "<text class=\"legend\" x=\"%d\" y=\"%.1f\" fill=\"#555\">",
               LEFT, y);
    for (size_t i = 0; i < c->nvalues; i++) {
        char kv[3] = {c->values[i].key, '\0', '\0'};
        buf_add(b, i > 0 ? ", " : "", i > 0 ? 2 : 0);
        buf_xml(b, kv);
        buf_add(b, c->values[i].key == '#' ? " = error " : " = ",
                c->values[i].key == '#' ? 9 : 3);
        buf_xml(b, c->values[i].text);
    }
    buf_add(b, "</text>\n", 8);
}

char *
marble2svg_svg(const marble2svg_file *f, size_t i, char *why, size_t cap)
{
    const struct mcase *c;
    struct scale sc;
    struct buf b = {0};
    double y = TOP;
    double height = TOP;
    double width;
    double op_y;

    if (f == NULL || i >= f->n) {
        failf(why, cap, "no case %zu", i + 1);
        return NULL;
    }
    c = &f->cases[i];
    sc = scale_of(c);
    width = axis_end(&sc) + RIGHT;
    for (size_t k = 0; k < c->nsrc; k++) {
        if (shown(&c->src[k])) {
            height += ROW + (double)c->src[k].nsubs * SUB_GAP;
        }
    }
    height += OP_BOX + 12 + ROW + (c->nvalues > 0 ? LEGEND : 0) + 6;

    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
               "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"Helvetica, Arial, sans-serif\" "
               "font-size=\"12\">\n<title>",
               width, height, width, height);
    buf_xml(&b, c->name);
    buf_add(&b, "</title>\n", 9);
    buf_printf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
    if (sc.first < 0) {
        buf_printf(&b,
                   "<line class=\"zero\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                   "y2=\"%.1f\" stroke=\"#bbb\" stroke-dasharray=\"2 3\"/>\n",
                   x_of(&sc, 0), TOP, x_of(&sc, 0), height - 6);
    }
    for (size_t k = 0; k < c->nsrc; k++) {
        const struct source *s = &c->src[k];
        char label[16];
        if (!shown(s)) {
            continue;
        }
        snprintf(label, sizeof label, s->name != '\0' ? "%s %c" : "%s",
                 s->hot ? "hot" : "source", s->name);
        draw_diagram(&b, c, &sc, y + ROW / 2.0, &s->d, label);
        draw_subs(&b, &sc, y + ROW / 2.0, s);
        y += ROW + (double)s->nsubs * SUB_GAP;
    }
    op_y = y + 4;
    buf_printf(&b,
               "<rect class=\"op\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
               "height=\"%d\" rx=\"4\" fill=\"#f3f3f3\" stroke=\"#999\"/>\n"
               "<text class=\"caption\" x=\"%.1f\" y=\"%.1f\" "
               "text-anchor=\"middle\" font-family=\"monospace\" "
               "font-size=\"13\">",
               LEFT, op_y, axis_end(&sc) - LEFT, OP_BOX,
               (LEFT + axis_end(&sc)) / 2, op_y + OP_BOX / 2.0 + 4.5);
    buf_xml(&b, c->op);
    buf_add(&b, "</text>\n", 8);
    y = op_y + OP_BOX + 8;
    draw_diagram(&b, c, &sc, y + ROW / 2.0, &c->out, "output");
    y += ROW;
    if (c->nvalues > 0) {
        draw_legend(&b, c, y + 12);
    }
    buf_add(&b, "</svg>\n", 7);
    if (b.oom) {
        free(b.p);
        failf(why, cap, "out of memory");
        return NULL;
    }
    return b.p;
}

/* ---- the Doxygen page ------------------------------------------------- */

/* Writes `s` as Doxygen Markdown text: characters Doxygen would read as
 * commands or HTML are escaped, except inside `code spans`, which
 * Doxygen shows as they are. */
static void
md_text(FILE *out, const char *s)
{
    bool code = false;

    for (; *s != '\0'; s++) {
        if (*s == '`') {
            code = !code;
        } else if (!code && strchr("\\@&$#<>%\"", *s) != NULL) {
            fputc('\\', out);
        }
        fputc(*s, out);
    }
    if (code) {
        fputc('`', out); /* an unbalanced quote must not swallow the page */
    }
}

/* Writes `s` escaped for an HTML attribute value. */
static void
html_attr(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
            break;
        }
    }
}

static void
page_head(FILE *out)
{
    fputs("# Marble diagrams {#marbles}\n"
          "\n"
          "Every picture on this page is one case of a marble file in "
          "`tests/marbles/`, the file the operator's own test plays on "
          "virtual time. `tools/marble2svg` draws them when the docs are "
          "built, so a picture shows what the tests check.\n"
          "\n"
          "How to read them: time runs to the right, one tick per frame "
          "(1 ms of virtual time). The rows above the grey box are the "
          "sources, the box holds the case's `op:` line (the operator "
          "and the parameters its test reads), and the row below it is "
          "the expected output, subscribed at frame 0. A circle is an "
          "item, labelled with its value when the value is short and "
          "with its key otherwise; the line under the picture gives the "
          "values table. A bar is completion and a red cross an error. "
          "Signals drawn on a grey backdrop happen in the same frame (a "
          "group in the text). A hot source's past, before frame 0, is "
          "dashed and faded. The thin bars under a source are its "
          "subscriptions, from `^` to `!`. The grammar is described in "
          "@ref guide_testing.\n",
          out);
}

static void
page_file(FILE *out, const marble2svg_file *f, const char *img_dir)
{
    fputs("\n## ", out);
    if (f->title != NULL) {
        fprintf(out, "%s()", f->title);
    } else {
        md_text(out, f->stem);
    }
    fprintf(out, " {#marbles_%s}\n\n", f->stem);
    if (f->about[0] != '\0') {
        md_text(out, f->about);
        fputs("\n\n", out);
    }
    if (f->title != NULL) {
        fprintf(out, "Reference: %s(). ", f->title);
    }
    fprintf(out, "Cases: `tests/marbles/%s.txt`.\n", f->stem);
    for (size_t i = 0; i < f->n; i++) {
        fprintf(out, "\n**%zu.** ", i + 1);
        md_text(out, f->cases[i].name);
        fprintf(out, "\n\n<img src=\"%s/%s-%zu.svg\" alt=\"", img_dir, f->stem,
                i + 1);
        html_attr(out, f->cases[i].name);
        fputs("\"/>\n", out);
    }
}

/* ---- the command line ------------------------------------------------- */

static int
usage(FILE *out, int status)
{
    fputs("usage: marble2svg [-o DIR] [--page FILE] [--img-dir PATH] "
          "FILE.txt...\n"
          "Draws every case of each marble file as DIR/<stem>-<n>.svg.\n"
          "  -o DIR          where the pictures go (default: .)\n"
          "  --page FILE     also write a Doxygen Markdown page showing "
          "them\n"
          "  --img-dir PATH  DIR as the page's HTML sees it (default: "
          "marbles)\n",
          out);
    return status;
}

static bool
write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    bool ok;

    if (fp == NULL) {
        return false;
    }
    ok = fputs(text, fp) >= 0;
    return fclose(fp) == 0 && ok;
}

/* Draws every case of one file into `dir`, and adds it to the page. */
static bool
convert(const char *path, const char *dir, FILE *page, const char *img_dir)
{
    char why[1024];
    marble2svg_file *f = marble2svg_load(path, why, sizeof why);
    bool ok = f != NULL;

    for (size_t i = 0; ok && i < f->n; i++) {
        char *svg = marble2svg_svg(f, i, why, sizeof why);
        char out[4096];
        snprintf(out, sizeof out, "%s/%s-%zu.svg", dir, f->stem, i + 1);
        ok = svg != NULL;
        if (ok && !write_file(out, svg)) {
            ok = failf(why, sizeof why, "%s: %s", out, strerror(errno));
        }
        free(svg);
    }
    if (ok && page != NULL) {
        page_file(page, f, img_dir);
    }
    if (!ok) {
        fprintf(stderr, "marble2svg: %s\n", why);
    }
    marble2svg_free(f);
    return ok;
}

int
marble2svg_main(int argc, char **argv)
{
    const char *dir = ".";
    const char *page_path = NULL;
    const char *img_dir = "marbles";
    FILE *page = NULL;
    bool ok = true;
    int first = 1;

    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *opt = argv[first];
        if (strcmp(opt, "--help") == 0) {
            return usage(stdout, 0);
        }
        if (first + 1 >= argc) {
            return usage(stderr, 2);
        }
        if (strcmp(opt, "-o") == 0) {
            dir = argv[++first];
        } else if (strcmp(opt, "--page") == 0) {
            page_path = argv[++first];
        } else if (strcmp(opt, "--img-dir") == 0) {
            img_dir = argv[++first];
        } else {
            fprintf(stderr, "marble2svg: unknown option '%s'\n", opt);
            return usage(stderr, 2);
        }
    }
    if (first == argc) {
        return usage(stderr, 2);
    }
    if (page_path != NULL) {
        page = fopen(page_path, "w");
        if (page == NULL) {
            fprintf(stderr, "marble2svg: %s: %s\n", page_path, strerror(errno));
            return 1;
        }
        page_head(page);
    }
    for (int i = first; i < argc; i++) {
        ok = convert(argv[i], dir, page, img_dir) && ok;
    }
    if (page != NULL && fclose(page) != 0) {
        fprintf(stderr, "marble2svg: %s: %s\n", page_path, strerror(errno));
        ok = false;
    }
    return ok ? 0 : 1;
}

#ifndef MARBLE2SVG_NO_MAIN
int
main(int argc, char **argv)
{
    return marble2svg_main(argc, argv);
}
#endif
