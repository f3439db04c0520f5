/* SPDX-License-Identifier: MIT */
/**
 * @file common.h
 * @brief Shared macros and small types every uvrx header uses.
 */
#ifndef UVRX_COMMON_H
#define UVRX_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a symbol as part of the exported uvrx API. */
#if defined(__GNUC__) || defined(__clang__)
#define RX_API __attribute__((visibility("default")))
#else
#define RX_API
#endif

/**
 * @brief Where an observable was assembled: file, line and the name of the
 * public function that built it.
 *
 * Every function that returns a new observable is a macro that passes a
 * compound literal of this type to its `_at` form, so errors and protocol
 * reports can name the chain of stages a signal went through. The strings
 * must be string literals (or otherwise live for the whole program).
 */
typedef struct rx_site {
    const char *file; /**< source file of the call, usually __FILE__ */
    int line;         /**< line of the call, usually __LINE__ */
    const char *name; /**< public name of the function called */
} rx_site;

/** @brief Builds the assembly site of a call to the public function @p n.
 *
 * For use inside a function, as the macros of the API do. With GCC and
 * clang (C) the site is a static constant in a statement expression, so
 * a call writes nothing for it; elsewhere it is a compound literal on the
 * caller's stack. Either way the `_at` function copies it. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__cplusplus)
#define RX_SITE(n)                                                             \
    (__extension__({                                                           \
        static const rx_site rx_site_ = {__FILE__, __LINE__, (n)};             \
        &rx_site_;                                                             \
    }))
#else
#define RX_SITE(n) (&(const rx_site){__FILE__, __LINE__, (n)})
#endif

/** @brief Demand meaning "no limit" (Reactive Streams rule 3.17). */
#define RX_UNBOUNDED INT64_MAX

/**
 * @brief Function that releases a piece of user data.
 * @param data the data to release; may be NULL when the owner allows it.
 */
typedef void (*rx_drop_fn)(void *data);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_COMMON_H */
