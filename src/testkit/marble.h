/* SPDX-License-Identifier: MIT */
/*
 * Private to the testkit: marble diagrams as lists of timed events, the
 * parser that reads the RxJS TestScheduler grammar into them and the
 * renderer that writes them back, for sources (marble_source.c) and for
 * checking a pipeline's output (marble_check.c).
 *
 * One frame is one millisecond of virtual time. Frames of a diagram count
 * from its first character; a hot diagram's frames are then shifted so
 * that its '^' is frame 0 (earlier events get negative frames).
 */
#ifndef UVRX_TESTKIT_MARBLE_H
#define UVRX_TESTKIT_MARBLE_H

#include <uvrx.h>
#include <uvrx/testkit.h>

/* What a marble event is. */
enum rx__tk_kind {
    RX__TK_NEXT = 1,
    RX__TK_ERROR,
    RX__TK_COMPLETE,
};

/* One signal of a diagram or of a recorded stream. */
struct rx__tk_event {
    int64_t frame;         /* when, in frames (ms) from the origin */
    enum rx__tk_kind kind; /* which signal */
    char key;              /* the character that wrote it (parsed diagrams) */
    rx_value value;        /* RX__TK_NEXT: the item, owned */
    int code;              /* RX__TK_ERROR: the error code (recorded streams) */
};

/* A parsed diagram. */
struct rx__tk_diagram {
    struct rx__tk_event *ev; /* in time order; rx__malloc'd */
    size_t n;
    bool has_sub;  /* a '^' was found */
    int64_t sub;   /* its frame, before shifting */
    int64_t width; /* frames the whole diagram spans */
};

/* Parse options. */
enum {
    RX__TK_ALLOW_SUB = 1, /* '^' allowed (hot sources) */
    RX__TK_SHIFT = 2,     /* shift frames so '^' is frame 0 */
};

/* Parses `marbles` into `out`, resolving values through the table (a key
 * missing from it is the one-character string). On failure returns a
 * negative code with the last error set to a message that starts with
 * `fn` and names the column; `out` is then empty. */
int rx__tk_parse(const char *fn, const char *marbles, int flags,
                 const rx_marble_value *values, size_t nvalues,
                 struct rx__tk_diagram *out);

/* Releases the values and the event array of a diagram. */
void rx__tk_diagram_clear(struct rx__tk_diagram *d);

/* Looks a key up in a values table: its entry, or NULL. */
const rx_marble_value *rx__tk_lookup(const rx_marble_value *values, size_t n,
                                     char key);

/* The error code '#' stands for with this table: the '#' entry's integer,
 * or RX_TEST_EMARBLE. */
int rx__tk_error_code(const rx_marble_value *values, size_t n);

/* Checks a values table: a '#' entry must hold a negative integer.
 * Returns 0 or RX_EINVAL with the last error naming `fn`. */
int rx__tk_check_values(const char *fn, const rx_marble_value *values,
                        size_t n);

/* Renders events (in time order) as a marble string; malloc'd (free()),
 * NULL when memory runs out. Items are written as their key in the table
 * (rx_value_equal), a one-character string as that character, anything
 * else as '?'. */
char *rx__tk_render(const struct rx__tk_event *ev, size_t n,
                    const rx_marble_value *values, size_t nvalues);

/* The character an item is written as: its key in the table (skipping
 * '#'), the character of a one-character string, or '?'. */
char rx__tk_key(rx_value v, const rx_marble_value *values, size_t n);

/* One subscription of a subscription log, in frames. */
struct rx__tk_sub {
    int64_t sub;   /* subscribed */
    int64_t unsub; /* cancelled or terminated; -1 while still subscribed */
};

/* Renders a subscription log, one line per subscription joined by '\n';
 * malloc'd, NULL when memory runs out. */
char *rx__tk_render_subs(const struct rx__tk_sub *subs, size_t n);

/* Parses an expected subscription log (lines separated by '\n'; blank
 * lines are skipped) into a malloc'd array. Returns 0, or a negative code
 * with the message in `why`. */
int rx__tk_parse_subs(const char *text, struct rx__tk_sub **out, size_t *n,
                      char *why, size_t cap);

/* snprintf into `why` when it is not NULL; returns false. */
bool rx__tk_fail(char *why, size_t cap, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* UVRX_TESTKIT_MARBLE_H */
