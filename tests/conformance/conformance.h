/* SPDX-License-Identifier: MIT */
/*
 * The conformance table: one row per source or operator configuration.
 * test_conformance.c runs every protocol check of DESIGN.md section 2
 * against every row, so adding a row covers a new operator.
 *
 * Each group of rows lives in its own cases_<group>.c file and is listed
 * in test_conformance.c.
 */
#ifndef UVRX_TESTS_CONFORMANCE_H
#define UVRX_TESTS_CONFORMANCE_H

#include <uvrx.h>

enum rx_conf_terminal {
    RX_CONF_COMPLETE, /* completes after the items */
    RX_CONF_ERROR,    /* fails after the items, with `code` */
    RX_CONF_NONE      /* never terminates (items, then silence) */
};

typedef struct rx_conf_case {
    const char *name;
    /* Builds a fresh observable under test, from synchronous sources. */
    rx_observable *(*make)(void);
    /* How many items a full run with unbounded demand delivers. */
    size_t items;
    enum rx_conf_terminal terminal;
    int code; /* with RX_CONF_ERROR */
} rx_conf_case;

#endif /* UVRX_TESTS_CONFORMANCE_H */
