/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzing of uvrx pipelines (issue 6, item 1).
 *
 * A fuzz input decodes into a spec: a tree of sources and operators and an
 * action script run on the virtual scheduler. fz_run() builds the tree
 * with uvrx, runs the script while recording every signal with the
 * virtual time and the script step it happened in, checks the protocol as
 * it goes, and compares what it recorded with the reference model
 * (fz_model), a plain list-of-signals reimplementation of the operators.
 *
 * Keys. A signal happens at a key (t, phase, seq): phase 0 is a scheduler
 * task at virtual time t (the script was advancing time), phase 1 is
 * script step `seq` at time t (step 0 is the subscribe). Tasks due at t
 * run before the script steps taken at t, and every timed delay is >= 1,
 * so keys are totally ordered. Two signals with the same key that come
 * from different concurrent streams have an order only the scheduler's
 * FIFO decides; the model does not guess it: it records the first such
 * key as its cut, and signals at or after the cut are not compared
 * (the protocol is still checked for them).
 */
#ifndef UVRX_TESTS_FZ_H
#define UVRX_TESTS_FZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_MAX_NODES 24
#define FZ_MAX_ITEMS 6
#define FZ_MAX_ACTIONS 32
#define FZ_MAX_SUBJECTS 2
#define FZ_MAX_SIGNALS 4096
#define FZ_EUSER (-100001) /* a failing user function */

enum fz_kind {
    /* leaves */
    FZ_INTS,
    FZ_RANGE,
    FZ_EMPTY,
    FZ_THROW,
    FZ_NEVER,
    FZ_COLD,
    FZ_SUBJECT,
    /* one source */
    FZ_MAP,
    FZ_FILTER,
    FZ_TAKE,
    FZ_SKIP,
    FZ_SCAN,
    FZ_REDUCE,
    FZ_DUC,
    FZ_TAKE_WHILE,
    FZ_ON_ERROR_RETURN,
    FZ_RETRY,
    FZ_DELAY,
    FZ_DEBOUNCE,
    FZ_THROTTLE_FIRST,
    FZ_THROTTLE_LAST,
    FZ_AUDIT,
    FZ_BUFFER_N, /* each array goes on as fz_array_code() of its items */
    FZ_WINDOW_N, /* a: count, b: skip; each window scanned (running sum),
                  * then flattened: c == 0 merge (flat_map), 1 concat
                  * (concat_map_eager), 2 concat (concat_map) */
    FZ_GROUP_BY, /* key v mod a; flat_map over the groups, each item plus
                  * 1000 * (key + 1); the group of key b (if b >= 0) is
                  * never subscribed */
    FZ_SHARE,    /* s = share(kid[0]), or ref_count(publish(kid[0])) when
                  * c & 1; merge(take(s, a) (a == 0: s), map(s, +1000)
                  * subscribed b ms late (b == 0: at once) by
                  * delay_subscription, or when c & 2 by concat after
                  * ignore_elements(timer(b))): two subscribers, the
                  * second joining after the first, or reconnecting
                  * after the first left */
    /* two sources (kid[1] of catch and of the flattening maps is the
     * template of the fallback or inner observable; of take_until and
     * skip_until the notifier; of start_with the source emitted first) */
    FZ_MERGE,
    FZ_CONCAT,
    FZ_ZIP,
    FZ_COMBINE_LATEST,
    FZ_CATCH,
    FZ_FLAT_MAP,
    FZ_SWITCH_MAP,
    FZ_TAKE_UNTIL,
    FZ_SKIP_UNTIL,
    FZ_START_WITH,
    FZ_RACE,
    FZ_CONCAT_MAP,
    FZ_EXHAUST_MAP,
    FZ_KINDS
};
#define FZ_FIRST_UNARY FZ_MAP
#define FZ_FIRST_BINARY FZ_MERGE

enum fz_term { FZ_TERM_NONE, FZ_TERM_COMPLETE, FZ_TERM_ERROR };

/* The kind of subject i, from the first FZ_SUBJECT leaf that names it
 * (its b: kind = b % 5, parameter p = b / 5). */
enum fz_subject_kind {
    FZ_PUBLISH,
    FZ_BEHAVIOR, /* param: the initial item, p % 24 - 4 */
    FZ_REPLAY,   /* param: the count bound, p % 5 + 1 (5: none);
                  * age: the age bound in ms, FZ_AGES[p / 5 % 4] (0: none) */
    FZ_ASYNC,
    FZ_UNICAST, /* param: the capacity, p % 4 (0: unbounded) */
    FZ_SUBJECT_KINDS
};
#define FZ_AGES                                                                \
    {                                                                          \
        0, 1, 3, 7                                                             \
    }

typedef struct fz_node {
    int kind;
    int64_t a, b, c; /* parameters, meaning per kind (fz_describe) */
    bool fail;       /* FZ_MAP: fails with FZ_EUSER on item == b */
    int kid[2];
    /* FZ_INTS items; FZ_COLD items at frames[i] (increasing, >= 1) */
    int n;
    int64_t items[FZ_MAX_ITEMS];
    int64_t frames[FZ_MAX_ITEMS];
    int term; /* FZ_COLD: enum fz_term at term_frame; code of an error */
    int64_t term_frame;
    int code;
} fz_node;

enum fz_act {
    FZ_ADVANCE,   /* a: ms */
    FZ_REQUEST,   /* a: n */
    FZ_CANCEL,    /* rx_cancel on the handle */
    FZ_SNEXT,     /* subject a gets item b */
    FZ_SCOMPLETE, /* subject a completes */
    FZ_SERROR,    /* subject a fails with code b */
    FZ_ACTS
};

typedef struct fz_action {
    int kind;
    int64_t a, b;
} fz_action;

typedef struct fz_spec {
    fz_node node[FZ_MAX_NODES];
    int nnodes;
    int root;
    int64_t initial_request; /* RX_UNBOUNDED, or a bounded demand */
    size_t cancel_after;     /* cancel inside the k-th on_next; 0: never */
    long oom_at;             /* allocation that fails; 0: none */
    bool oom_forever;
    fz_action act[FZ_MAX_ACTIONS];
    int nact;
    int subj_kind[FZ_MAX_SUBJECTS];      /* enum fz_subject_kind */
    int64_t subj_param[FZ_MAX_SUBJECTS]; /* initial item, count bound or
                                          * capacity */
    int64_t subj_age[FZ_MAX_SUBJECTS];   /* replay: age bound, 0: none */
} fz_spec;

typedef struct fz_key {
    int64_t t;
    int phase;
    int seq;
} fz_key;

enum fz_sigkind { FZ_N = 'N', FZ_C = 'C', FZ_E = 'E' };

typedef struct fz_sig {
    fz_key k;
    int kind;
    int64_t v; /* item, or error code */
} fz_sig;

typedef struct fz_list {
    fz_sig s[FZ_MAX_SIGNALS];
    size_t n;
    fz_key cut;    /* signals at or after it are not predicted */
    bool overflow; /* more than FZ_MAX_SIGNALS: nothing is predicted */
} fz_list;

/* Decodes any byte string into a valid spec (never fails). */
void fz_decode(const uint8_t *data, size_t size, fz_spec *sp);

/* The model: what the root emits when subscribed by the script's step 0,
 * demand unbounded, no cancel and no allocation failure. */
void fz_model(const fz_spec *sp, fz_list *out);

/* Builds, runs and checks one spec. Returns true when every check held;
 * otherwise false with the reason in why. */
bool fz_run(const fz_spec *sp, char *why, size_t cap);

/* A one-line text form of the spec (for reports and corpus notes). */
void fz_describe(const fz_spec *sp, char *buf, size_t cap);

/* The integer in [0, 1e9 + 7) that stands for an array of n items
 * (buffer_n's output goes through a map to it, so every item stays a
 * small integer). */
int64_t fz_array_code(const int64_t *v, size_t n);

/* Key helpers. */
int fz_key_cmp(fz_key a, fz_key b);
extern const fz_key fz_key_inf;

#endif /* UVRX_TESTS_FZ_H */
