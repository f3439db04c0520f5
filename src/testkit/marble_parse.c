/* SPDX-License-Identifier: MIT */
/*
 * Marble diagrams as text: the parser for the RxJS TestScheduler grammar
 * (run mode: one frame is 1 ms, spaces take no time, time progression
 * such as `10ms`) and the renderers that write events and subscription
 * logs back in the same grammar. Pure code: no scheduler, no pipeline.
 *
 * Frames follow RxJS exactly: every character except spaces takes one
 * frame, `(` included; an event inside a group happens at the frame of
 * its `(`; `!` in a subscription log takes no frame.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "rx-internal.h"

#include "marble.h"

/* Frames beyond this are refused, so sums of frames never overflow. */
#define MAX_FRAME ((int64_t)1 << 50)

/* Gaps longer than this are rendered as time progression. */
#define DASH_LIMIT 20

bool
rx__tk_fail(char *why, size_t cap, const char *fmt, ...)
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

const rx_marble_value *
rx__tk_lookup(const rx_marble_value *values, size_t n, char key)
{
    for (size_t i = 0; i < n; i++) {
        if (values[i].key == key) {
            return &values[i];
        }
    }
    return NULL;
}

int
rx__tk_error_code(const rx_marble_value *values, size_t n)
{
    const rx_marble_value *e = rx__tk_lookup(values, n, '#');

    return e != NULL ? (int)e->value.as.i : RX_TEST_EMARBLE;
}

int
rx__tk_check_values(const char *fn, const rx_marble_value *values, size_t n)
{
    const rx_marble_value *e;

    if (values == NULL && n > 0) {
        return rx__fail(RX_EINVAL, "%s: values must not be NULL when n > 0",
                        fn);
    }
    e = rx__tk_lookup(values, n, '#');
    if (e != NULL && (!rx_is_int(e->value) || e->value.as.i >= 0 ||
                      e->value.as.i < INT32_MIN)) {
        return rx__fail(RX_EINVAL,
                        "%s: the '#' entry of values must be a negative "
                        "integer error code",
                        fn);
    }
    return 0;
}

void
rx__tk_diagram_clear(struct rx__tk_diagram *d)
{
    for (size_t i = 0; i < d->n; i++) {
        rx_value_release(d->ev[i].value);
    }
    rx__free(d->ev);
    memset(d, 0, sizeof *d);
}

/* ---- the parser ------------------------------------------------------- */

/* The state of one parse. */
struct parser {
    const char *fn;   /* public function name, for messages */
    const char *text; /* the diagram */
    int flags;        /* RX__TK_ALLOW_SUB, RX__TK_SHIFT */
    const rx_marble_value *values;
    size_t nvalues;
    struct rx__tk_diagram *d;
    size_t cap;       /* capacity of d->ev */
    int64_t frame;    /* the current frame */
    int64_t group;    /* frame of the open group's '(', or -1 */
    size_t group_col; /* its column */
    bool ended;       /* a terminal signal was read */
};

/* Sets the last error naming the column (1-based) and returns
 * RX_EINVAL. */
static int
parse_error(const struct parser *p, size_t i, const char *what)
{
    return rx__fail(RX_EINVAL, "%s: %s at column %zu of \"%s\"", p->fn, what,
                    i + 1, p->text);
}

/* Reads time progression (`10ms`, `1.5s`, `2m`) at p->text[*i]. Returns 1
 * and moves *i past it, 0 when the text there is not time progression,
 * or a negative code for a malformed one. */
static int
parse_progression(struct parser *p, size_t *i)
{
    const char *s = p->text + *i;
    int64_t whole = 0;
    int64_t frac = 0;
    int64_t scale = 1;
    int64_t mult;
    size_t k = 0;

    if (*i > 0 && p->text[*i - 1] != ' ') {
        return 0;
    }
    while (isdigit((unsigned char)s[k])) {
        if (whole > MAX_FRAME) {
            return parse_error(p, *i, "time progression too long");
        }
        whole = whole * 10 + (s[k++] - '0');
    }
    if (s[k] == '.' && isdigit((unsigned char)s[k + 1])) {
        for (k++; isdigit((unsigned char)s[k]); k++) {
            if (scale > 1000000) {
                return parse_error(p, *i, "time progression too precise");
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
        return 0; /* digits that are items */
    }
    if (isalnum((unsigned char)s[k])) {
        return 0; /* like `1sa`: items */
    }
    if (whole > MAX_FRAME / mult || (frac * mult) % scale != 0) {
        return parse_error(p, *i,
                           "time progression must be a whole number of ms");
    }
    p->frame += whole * mult + frac * mult / scale;
    if (p->frame > MAX_FRAME) {
        return parse_error(p, *i, "diagram too long");
    }
    *i += k;
    return 1;
}

/* Appends an event at the current frame (or the open group's). Takes
 * `v`. */
static int
add_event(struct parser *p, size_t i, enum rx__tk_kind kind, rx_value v)
{
    struct rx__tk_diagram *d = p->d;
    struct rx__tk_event *e;

    if (p->ended) {
        rx_value_release(v);
        return parse_error(p, i, "signal after the terminal signal");
    }
    if (d->n == p->cap) {
        size_t ncap = p->cap == 0 ? 8 : p->cap * 2;
        struct rx__tk_event *nev = rx__realloc(d->ev, ncap * sizeof *nev);
        if (nev == NULL) {
            rx_value_release(v);
            return rx__fail(RX_ENOMEM, "%s: out of memory", p->fn);
        }
        d->ev = nev;
        p->cap = ncap;
    }
    e = &d->ev[d->n++];
    memset(e, 0, sizeof *e);
    e->frame = p->group >= 0 ? p->group : p->frame;
    e->kind = kind;
    e->key = p->text[i];
    e->value = v;
    if (kind != RX__TK_NEXT) {
        p->ended = true;
    }
    return 0;
}

/* An item character: the table's value, or the one-character string. */
static int
add_item(struct parser *p, size_t i)
{
    char c = p->text[i];
    const rx_marble_value *e = rx__tk_lookup(p->values, p->nvalues, c);
    rx_value v;

    if (e == NULL && !isalnum((unsigned char)c)) {
        char what[64];
        snprintf(what, sizeof what,
                 isprint((unsigned char)c) ? "unexpected '%c'"
                                           : "unexpected byte 0x%02x",
                 isprint((unsigned char)c) ? c : (unsigned char)c);
        return parse_error(p, i, what);
    }
    v = e != NULL ? rx_value_retain(e->value) : rx_str_n(&c, 1);
    if (rx_is_invalid(v)) {
        return rx__fail(RX_ENOMEM, "%s: out of memory", p->fn);
    }
    return add_event(p, i, RX__TK_NEXT, v);
}

/* Reads one character (or one time progression) at *i. */
static int
parse_one(struct parser *p, size_t *i)
{
    char c = p->text[*i];
    int rc;

    switch (c) {
    case ' ':
        return 0;
    case '-':
        p->frame++;
        return 0;
    case '(':
        if (p->group >= 0) {
            return parse_error(p, *i, "'(' inside a group");
        }
        p->group = p->frame++;
        p->group_col = *i;
        return 0;
    case ')':
        if (p->group < 0) {
            return parse_error(p, *i, "')' without '('");
        }
        p->group = -1;
        p->frame++;
        return 0;
    case '|':
    case '#':
        rc = add_event(p, *i, c == '|' ? RX__TK_COMPLETE : RX__TK_ERROR,
                       rx_nil());
        p->frame++;
        return rc;
    case '^':
        if (!(p->flags & RX__TK_ALLOW_SUB)) {
            return parse_error(p, *i, "'^' (only hot sources have one)");
        }
        if (p->d->has_sub) {
            return parse_error(p, *i, "second '^'");
        }
        p->d->has_sub = true;
        p->d->sub = p->group >= 0 ? p->group : p->frame;
        p->frame++;
        return 0;
    case '!':
        return parse_error(p, *i, "'!' (only subscription logs have one)");
    default:
        break;
    }
    if (isdigit((unsigned char)c)) {
        rc = parse_progression(p, i);
        if (rc != 0) {
            (*i)--; /* the caller steps past the last character */
            return rc < 0 ? rc : 0;
        }
    }
    rc = add_item(p, *i);
    p->frame++;
    return rc;
}

int
rx__tk_parse(const char *fn, const char *marbles, int flags,
             const rx_marble_value *values, size_t nvalues,
             struct rx__tk_diagram *out)
{
    struct parser p = {
        .fn = fn,
        .text = marbles,
        .flags = flags,
        .values = values,
        .nvalues = nvalues,
        .d = out,
        .group = -1,
    };
    int rc = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; marbles[i] != '\0' && rc == 0; i++) {
        rc = parse_one(&p, &i);
        if (rc == 0 && p.frame > MAX_FRAME) {
            rc = parse_error(&p, i, "diagram too long");
        }
    }
    if (rc == 0 && p.group >= 0) {
        rc = parse_error(&p, p.group_col, "'(' never closed");
    }
    if (rc != 0) {
        rx__tk_diagram_clear(out);
        return rc;
    }
    out->width = p.frame;
    if ((flags & RX__TK_SHIFT) && out->has_sub) {
        for (size_t i = 0; i < out->n; i++) {
            out->ev[i].frame -= out->sub;
        }
    }
    return 0;
}

/* ---- rendering -------------------------------------------------------- */

/* A growable malloc'd string. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap == 0 ? 64 : b->cap;
        char *ns;
        while (ncap < b->len + n + 1) {
            ncap *= 2;
        }
        ns = realloc(b->s, ncap);
        if (ns == NULL) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_char(struct sbuf *b, char c)
{
    sb_add(b, &c, 1);
}

/* Writes `gap` frames of nothing: dashes, or time progression for long
 * gaps (which must follow a space or the start, and be followed by a
 * space). */
static void
sb_gap(struct sbuf *b, int64_t gap)
{
    char num[32];

    if (gap <= 0) {
        return;
    }
    if (gap <= DASH_LIMIT) {
        for (int64_t i = 0; i < gap; i++) {
            sb_char(b, '-');
        }
        return;
    }
    snprintf(num, sizeof num, "%s%lldms ", b->len > 0 ? " " : "",
             (long long)gap);
    sb_add(b, num, strlen(num));
}

static char *
sb_finish(struct sbuf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (b->s == NULL) {
        return calloc(1, 1);
    }
    return b->s;
}

/* Whether `c` can stand for itself in a diagram. */
static bool
plain_key(char c)
{
    return isgraph((unsigned char)c) && strchr("-|#^!()", c) == NULL &&
           !isdigit((unsigned char)c);
}

char
rx__tk_key(rx_value v, const rx_marble_value *values, size_t n)
{
    const char *s;

    for (size_t i = 0; i < n; i++) {
        if (values[i].key != '#' && rx_value_equal(values[i].value, v)) {
            return values[i].key;
        }
    }
    if (rx_is_str(v)) {
        s = rx_str_cstr(v);
        if (s[0] != '\0' && s[1] == '\0' &&
            (plain_key(s[0]) || isdigit((unsigned char)s[0]))) {
            return s[0];
        }
    }
    return '?';
}

static char
event_char(const struct rx__tk_event *e, const rx_marble_value *values,
           size_t n)
{
    switch (e->kind) {
    case RX__TK_NEXT:
        return rx__tk_key(e->value, values, n);
    case RX__TK_ERROR:
        return '#';
    default:
        return '|';
    }
}

char *
rx__tk_render(const struct rx__tk_event *ev, size_t n,
              const rx_marble_value *values, size_t nvalues)
{
    struct sbuf b = {0};
    int64_t pos = 0; /* the frame the next character stands for */
    size_t i = 0;

    while (i < n) {
        size_t j = i;
        while (j < n && ev[j].frame == ev[i].frame) {
            j++;
        }
        sb_gap(&b, ev[i].frame - pos);
        if (j - i == 1) {
            sb_char(&b, event_char(&ev[i], values, nvalues));
            pos = ev[i].frame + 1;
        } else {
            sb_char(&b, '(');
            for (size_t k = i; k < j; k++) {
                sb_char(&b, event_char(&ev[k], values, nvalues));
            }
            sb_char(&b, ')');
            pos = ev[i].frame + (int64_t)(j - i) + 2;
        }
        i = j;
    }
    return sb_finish(&b);
}

char *
rx__tk_render_subs(const struct rx__tk_sub *subs, size_t n)
{
    struct sbuf b = {0};

    for (size_t i = 0; i < n; i++) {
        const struct rx__tk_sub *s = &subs[i];

        if (i > 0) {
            sb_char(&b, '\n');
        }
        sb_gap(&b, s->sub);
        if (s->unsub == s->sub) {
            sb_add(&b, "(^!)", 4);
        } else {
            sb_char(&b, '^');
            if (s->unsub > s->sub) {
                sb_gap(&b, s->unsub - s->sub - 1);
                sb_char(&b, '!');
            }
        }
    }
    return sb_finish(&b);
}

/* ---- parsing subscription logs ---------------------------------------- */

/* Parses one line of a subscription log. Returns 1 with *out filled, 0
 * for a blank line, or RX_EINVAL with the reason in `why`. */
static int
parse_sub_line(const char *line, struct rx__tk_sub *out, char *why, size_t cap)
{
    struct parser p = {
        .fn = "rx_test_check_subscriptions", .text = line, .group = -1};
    bool blank = true;

    out->sub = -1;
    out->unsub = -1;
    for (size_t i = 0; line[i] != '\0'; i++) {
        char c = line[i];
        int64_t at = p.group >= 0 ? p.group : p.frame;

        if (c == ' ') {
            continue;
        }
        blank = false;
        if (c == '-') {
            p.frame++;
        } else if (c == '(' && p.group < 0) {
            p.group = p.frame++;
        } else if (c == ')' && p.group >= 0) {
            p.group = -1;
            p.frame++;
        } else if (c == '^' || c == '!') {
            const char *bad = c == '^' && out->sub >= 0     ? "second '^'"
                              : c == '!' && out->sub < 0    ? "'!' before '^'"
                              : c == '!' && out->unsub >= 0 ? "second '!'"
                                                            : NULL;
            if (bad != NULL) {
                rx__tk_fail(why, cap, "%s at column %zu of \"%s\"", bad, i + 1,
                            line);
                return RX_EINVAL;
            }
            if (c == '^') {
                out->sub = at;
                p.frame++;
            } else {
                out->unsub = at;
            }
        } else if (isdigit((unsigned char)c) && parse_progression(&p, &i) > 0) {
            i--;
        } else {
            rx__tk_fail(why, cap, "unexpected '%c' at column %zu of \"%s\"", c,
                        i + 1, line);
            return RX_EINVAL;
        }
    }
    if (!blank && out->sub < 0) {
        rx__tk_fail(why, cap, "no '^' in \"%s\"", line);
        return RX_EINVAL;
    }
    return blank ? 0 : 1;
}

int
rx__tk_parse_subs(const char *text, struct rx__tk_sub **out, size_t *n,
                  char *why, size_t cap)
{
    struct rx__tk_sub *subs = NULL;
    size_t count = 0;
    const char *s = text;

    *out = NULL;
    *n = 0;
    while (*s != '\0') {
        const char *nl = strchr(s, '\n');
        size_t len = nl != NULL ? (size_t)(nl - s) : strlen(s);
        char *line = malloc(len + 1);
        struct rx__tk_sub one;
        int rc;

        if (line == NULL) {
            free(subs);
            rx__tk_fail(why, cap, "out of memory");
            return RX_ENOMEM;
        }
        memcpy(line, s, len);
        line[len] = '\0';
        rc = parse_sub_line(line, &one, why, cap);
        free(line);
        if (rc < 0) {
            free(subs);
            return rc;
        }
        if (rc > 0) {
            struct rx__tk_sub *ns = realloc(subs, (count + 1) * sizeof *ns);
            if (ns == NULL) {
                free(subs);
                rx__tk_fail(why, cap, "out of memory");
                return RX_ENOMEM;
            }
            subs = ns;
            subs[count++] = one;
        }
        s += len;
        if (*s == '\n') {
            s++;
        }
    }
    *out = subs;
    *n = count;
    return 0;
}
