/* SPDX-License-Identifier: MIT */
/*
 * Defensive checks in SQLite's ALWAYS/NEVER style (STYLE.md section 5).
 *
 *   if (RX__NEVER(st == NULL)) { ... recover ... }
 *   if (RX__ALWAYS(n > 0)) { ... normal path ... }
 *
 * The condition states something the code believes can never (NEVER) or
 * always (ALWAYS) hold, yet handles anyway. Three builds see three forms:
 *
 *   - debug (no NDEBUG): the condition is evaluated and a broken belief is
 *     reported through rx__invariant_failed(), which asserts;
 *   - release (NDEBUG): the condition is evaluated and the recovery branch
 *     runs, so a broken belief degrades into an error instead of a crash;
 *   - coverage (UVRX_COVERAGE_TEST, set by the coverage preset): the macros
 *     are the constants 1 and 0, so the compiler drops the recovery branch
 *     and branch coverage counts only the branches tests can reach. This is
 *     how SQLite reaches full branch coverage without a test per
 *     "cannot happen" case.
 *
 * Because the coverage build does not evaluate the condition, it must have
 * no side effect.
 */
#ifndef UVRX_RX_ASSERT_H
#define UVRX_RX_ASSERT_H

#if defined(UVRX_COVERAGE_TEST)
/* sizeof(!(x)): x is still type-checked, and may be a bit-field. */
#define RX__ALWAYS(x) ((void)sizeof(!(x)), 1)
#define RX__NEVER(x) ((void)sizeof(!(x)), 0)
#elif defined(NDEBUG)
#define RX__ALWAYS(x) (x)
#define RX__NEVER(x) (x)
#else
/* Reports a broken internal invariant (debug builds: asserts). */
void rx__invariant_failed(const char *what, const char *file, int line);
#define RX__ALWAYS(x)                                                          \
    ((x) ? 1 : (rx__invariant_failed(#x, __FILE__, __LINE__), 0))
#define RX__NEVER(x)                                                           \
    ((x) ? (rx__invariant_failed(#x, __FILE__, __LINE__), 1) : 0)
#endif

#endif /* UVRX_RX_ASSERT_H */
