/* SPDX-License-Identifier: MIT */
/**
 * @file value.h
 * @brief rx_value: the 16-byte tagged value every stream carries.
 *
 * A value is passed by value. Scalars (nil, bool, int, double, raw pointer)
 * cost nothing to copy; strings, bytes, arrays, boxes and notifications are
 * immutable heap objects shared by an atomic reference count. Callbacks
 * receive borrowed values; keep one past the call with rx_value_retain().
 */
#ifndef UVRX_VALUE_H
#define UVRX_VALUE_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The kind of a value. */
typedef enum rx_type {
    RX_TYPE_NIL = 0,          /**< no value; what a zeroed rx_value holds */
    RX_TYPE_BOOL = 1,         /**< a bool */
    RX_TYPE_INT = 2,          /**< an int64_t */
    RX_TYPE_DOUBLE = 3,       /**< a double */
    RX_TYPE_PTR = 4,          /**< a raw pointer uvrx never dereferences */
    RX_TYPE_INVALID = 5,      /**< a failed construction (out of memory) */
    RX_TYPE_STR = 8,          /**< an immutable NUL-terminated string */
    RX_TYPE_BYTES = 9,        /**< an immutable byte buffer */
    RX_TYPE_ARRAY = 10,       /**< an immutable array of values (also tuples) */
    RX_TYPE_BOX = 11,         /**< user data with a drop function */
    RX_TYPE_NOTIFICATION = 12 /**< a materialized signal */
} rx_type;

/** @brief Types at or above this one are refcounted heap objects. */
#define RX_TYPE_FIRST_HEAP RX_TYPE_STR

struct rx_obj;

/** @brief A tagged value, 16 bytes, passed by value. */
typedef struct rx_value {
    uint32_t type;     /**< an #rx_type */
    uint32_t reserved; /**< zero */
    union {
        bool b;           /**< #RX_TYPE_BOOL */
        int64_t i;        /**< #RX_TYPE_INT */
        double d;         /**< #RX_TYPE_DOUBLE */
        void *p;          /**< #RX_TYPE_PTR */
        struct rx_obj *o; /**< heap types */
    } as;                 /**< the payload, selected by @c type */
} rx_value;

/** @brief Whether @p v is a refcounted heap value. */
#define RX_VALUE_IS_HEAP(v) ((v).type >= RX_TYPE_FIRST_HEAP)

/** @brief The nil value. @return nil */
static inline rx_value
rx_nil(void)
{
    rx_value v;

    v.type = RX_TYPE_NIL;
    v.reserved = 0;
    v.as.i = 0;
    return v;
}

/** @brief The invalid value a failed constructor returns. @return invalid */
static inline rx_value
rx_invalid(void)
{
    rx_value v;

    v.type = RX_TYPE_INVALID;
    v.reserved = 0;
    v.as.i = 0;
    return v;
}

/** @brief A bool value. @param b the bool @return the value */
static inline rx_value
rx_bool(bool b)
{
    rx_value v;

    v.type = RX_TYPE_BOOL;
    v.reserved = 0;
    v.as.i = 0;
    v.as.b = b;
    return v;
}

/** @brief An integer value. @param i the integer @return the value */
static inline rx_value
rx_int(int64_t i)
{
    rx_value v;

    v.type = RX_TYPE_INT;
    v.reserved = 0;
    v.as.i = i;
    return v;
}

/** @brief A double value. @param d the double @return the value */
static inline rx_value
rx_double(double d)
{
    rx_value v;

    v.type = RX_TYPE_DOUBLE;
    v.reserved = 0;
    v.as.d = d;
    return v;
}

/**
 * @brief A raw pointer value; uvrx never dereferences or frees it.
 * @param p the pointer; the caller keeps it alive while the value is used
 * @return the value
 */
static inline rx_value
rx_ptr(void *p)
{
    rx_value v;

    v.type = RX_TYPE_PTR;
    v.reserved = 0;
    v.as.p = p;
    return v;
}

/**
 * @brief Adds a reference to a heap value's object.
 *
 * Use rx_value_retain(); this is its out-of-line half.
 * @param v a heap value; @borrows
 */
RX_API void rx_value_retain_obj(rx_value v);

/**
 * @brief Drops a reference to a heap value's object.
 *
 * Use rx_value_release(); this is its out-of-line half.
 * @param v a heap value; @takes
 */
RX_API void rx_value_release_obj(rx_value v);

/**
 * @brief Takes a new reference to @p v (a no-op for scalars).
 * @param v the value; @borrows
 * @return @p v, now a reference the caller must release
 */
static inline rx_value
rx_value_retain(rx_value v)
{
    if (RX_VALUE_IS_HEAP(v)) {
        rx_value_retain_obj(v);
    }
    return v;
}

/**
 * @brief Drops a reference to @p v (a no-op for scalars).
 * @param v the value; @takes
 */
static inline void
rx_value_release(rx_value v)
{
    if (RX_VALUE_IS_HEAP(v)) {
        rx_value_release_obj(v);
    }
}

/**
 * @brief A string value holding a copy of @p s.
 * @param s a NUL-terminated string; @borrows
 * @return @newref, or rx_invalid() when @p s is NULL or memory runs out
 */
RX_API rx_value rx_str(const char *s);

/**
 * @brief A string value holding a copy of the first @p len bytes of @p s.
 * @param s    the bytes; @borrows (may be NULL when @p len is 0)
 * @param len  how many bytes
 * @return @newref, or rx_invalid() when memory runs out
 */
RX_API rx_value rx_str_n(const char *s, size_t len);

/**
 * @brief A bytes value holding a copy of @p n bytes at @p p.
 * @param p  the bytes; @borrows (may be NULL when @p n is 0)
 * @param n  how many bytes
 * @return @newref, or rx_invalid() when memory runs out
 */
RX_API rx_value rx_bytes(const void *p, size_t n);

/**
 * @brief An array value holding @p n items.
 *
 * The items are taken (their references move into the array), also when
 * the call fails; the C array @p items itself stays the caller's.
 * @param n      how many items
 * @param items  the items; each one @takes (may be NULL when @p n is 0)
 * @return @newref, or rx_invalid() when memory runs out or an item is
 *         invalid
 */
RX_API rx_value rx_array(size_t n, const rx_value *items);

/**
 * @brief A value that owns user data and calls @p drop on it when the last
 * reference goes, on whichever thread releases it.
 * @param data  the data; @takes: @p drop runs even when the call fails
 * @param drop  releases @p data; may be NULL when nothing must be released
 * @return @newref, or rx_invalid() when memory runs out
 */
RX_API rx_value rx_box(void *data, rx_drop_fn drop);

/** @brief The kind of a materialized signal (see rx_notification_kind()). */
typedef enum rx_notify_kind {
    RX_NOTIFY_NEXT = 0,    /**< an item */
    RX_NOTIFY_ERROR = 1,   /**< an error terminal */
    RX_NOTIFY_COMPLETE = 2 /**< a completion terminal */
} rx_notify_kind;

/**
 * @brief A notification value for an item.
 * @param v the item; @takes
 * @return @newref, or rx_invalid() when memory runs out
 */
RX_API rx_value rx_notify_next(rx_value v);

/**
 * @brief A notification value for an error.
 * @param err the error; @takes; must not be NULL
 * @return @newref, or rx_invalid() when memory runs out or @p err is NULL
 */
RX_API rx_value rx_notify_error(rx_error *err);

/**
 * @brief A notification value for a completion.
 * @return @newref, or rx_invalid() when memory runs out
 */
RX_API rx_value rx_notify_complete(void);

/**
 * @brief The kind of a notification value.
 * @param v a notification; @borrows
 * @return the kind, or -1 when @p v is not a notification
 */
RX_API int rx_notification_kind(rx_value v);

/**
 * @brief The item of a next-notification.
 * @param v a notification; @borrows
 * @return the item, borrowed from @p v; nil for other values
 */
RX_API rx_value rx_notification_value(rx_value v);

/**
 * @brief The error of an error-notification.
 * @param v a notification; @borrows
 * @return the error, borrowed from @p v; NULL for other values
 */
RX_API const rx_error *rx_notification_error(rx_value v);

/** @brief Whether @p v is nil. @param v the value @return true if so */
static inline bool
rx_is_nil(rx_value v)
{
    return v.type == RX_TYPE_NIL;
}
/** @brief Whether @p v is invalid. @param v the value @return true if so */
static inline bool
rx_is_invalid(rx_value v)
{
    return v.type == RX_TYPE_INVALID;
}
/** @brief Whether @p v is a bool. @param v the value @return true if so */
static inline bool
rx_is_bool(rx_value v)
{
    return v.type == RX_TYPE_BOOL;
}
/** @brief Whether @p v is an int. @param v the value @return true if so */
static inline bool
rx_is_int(rx_value v)
{
    return v.type == RX_TYPE_INT;
}
/** @brief Whether @p v is a double. @param v the value @return true if so */
static inline bool
rx_is_double(rx_value v)
{
    return v.type == RX_TYPE_DOUBLE;
}
/** @brief Whether @p v is a pointer. @param v the value @return true if so */
static inline bool
rx_is_ptr(rx_value v)
{
    return v.type == RX_TYPE_PTR;
}
/** @brief Whether @p v is a string. @param v the value @return true if so */
static inline bool
rx_is_str(rx_value v)
{
    return v.type == RX_TYPE_STR;
}
/** @brief Whether @p v is bytes. @param v the value @return true if so */
static inline bool
rx_is_bytes(rx_value v)
{
    return v.type == RX_TYPE_BYTES;
}
/** @brief Whether @p v is an array. @param v the value @return true if so */
static inline bool
rx_is_array(rx_value v)
{
    return v.type == RX_TYPE_ARRAY;
}
/** @brief Whether @p v is a box. @param v the value @return true if so */
static inline bool
rx_is_box(rx_value v)
{
    return v.type == RX_TYPE_BOX;
}
/**
 * @brief Whether @p v is a notification.
 * @param v the value
 * @return true if so
 */
static inline bool
rx_is_notification(rx_value v)
{
    return v.type == RX_TYPE_NOTIFICATION;
}

/**
 * @brief Checks the kind of @p v for the rx_as_* accessors in debug
 * builds; not meant to be called directly.
 *
 * Exported (under a public name) because the accessors are inline and
 * compiled into the user's program, whose build may be a debug build
 * while the library's is not.
 * @param v    the value; @borrows
 * @param type the kind the accessor expects
 * @param fn   the accessor's name, for the report
 */
RX_API void rx_value_expect_type(rx_value v, uint32_t type, const char *fn);

#ifdef NDEBUG
#define RX__VALUE_EXPECT(v, t) ((void)0)
#else
#define RX__VALUE_EXPECT(v, t) rx_value_expect_type((v), (t), __func__)
#endif

/**
 * @brief The bool in @p v. Precondition: rx_is_bool(v) (checked in debug
 * builds only; use rx_get_bool() to check).
 * @param v the value @return the bool
 */
static inline bool
rx_as_bool(rx_value v)
{
    RX__VALUE_EXPECT(v, RX_TYPE_BOOL);
    return v.as.b;
}
/**
 * @brief The int in @p v. Precondition: rx_is_int(v) (checked in debug
 * builds only; use rx_get_int() to check).
 * @param v the value @return the int
 */
static inline int64_t
rx_as_int(rx_value v)
{
    RX__VALUE_EXPECT(v, RX_TYPE_INT);
    return v.as.i;
}
/**
 * @brief The double in @p v. Precondition: rx_is_double(v) (checked in
 * debug builds only; use rx_get_double() to check).
 * @param v the value @return the double
 */
static inline double
rx_as_double(rx_value v)
{
    RX__VALUE_EXPECT(v, RX_TYPE_DOUBLE);
    return v.as.d;
}
/**
 * @brief The pointer in @p v. Precondition: rx_is_ptr(v) (checked in debug
 * builds only; use rx_get_ptr() to check).
 * @param v the value @return the pointer
 */
static inline void *
rx_as_ptr(rx_value v)
{
    RX__VALUE_EXPECT(v, RX_TYPE_PTR);
    return v.as.p;
}

/**
 * @brief Reads a bool, checking the kind.
 * @param v the value; @borrows
 * @param out where the bool goes; must not be NULL
 * @return 0, or #RX_EINVAL when @p v is not a bool or @p out is NULL
 */
RX_API int rx_get_bool(rx_value v, bool *out);
/**
 * @brief Reads an int, checking the kind.
 * @param v the value; @borrows
 * @param out where the int goes; must not be NULL
 * @return 0, or #RX_EINVAL when @p v is not an int or @p out is NULL
 */
RX_API int rx_get_int(rx_value v, int64_t *out);
/**
 * @brief Reads a double, checking the kind.
 * @param v the value; @borrows
 * @param out where the double goes; must not be NULL
 * @return 0, or #RX_EINVAL when @p v is not a double or @p out is NULL
 */
RX_API int rx_get_double(rx_value v, double *out);
/**
 * @brief Reads a pointer, checking the kind.
 * @param v the value; @borrows
 * @param out where the pointer goes; must not be NULL
 * @return 0, or #RX_EINVAL when @p v is not a pointer or @p out is NULL
 */
RX_API int rx_get_ptr(rx_value v, void **out);

/**
 * @brief The characters of a string value.
 * @param v a string; @borrows
 * @return the NUL-terminated text, valid while @p v lives; NULL when @p v
 *         is not a string
 */
RX_API const char *rx_str_cstr(rx_value v);

/**
 * @brief The length in bytes of a string value (without the NUL).
 * @param v a string; @borrows
 * @return the length; 0 when @p v is not a string
 */
RX_API size_t rx_str_len(rx_value v);

/**
 * @brief The bytes of a bytes value.
 * @param v a bytes value; @borrows
 * @return the bytes, valid while @p v lives; NULL when @p v is not bytes
 */
RX_API const void *rx_bytes_data(rx_value v);

/**
 * @brief The length of a bytes value.
 * @param v a bytes value; @borrows
 * @return the length; 0 when @p v is not bytes
 */
RX_API size_t rx_bytes_len(rx_value v);

/**
 * @brief The number of items of an array value.
 * @param v an array; @borrows
 * @return the length; 0 when @p v is not an array
 */
RX_API size_t rx_array_len(rx_value v);

/**
 * @brief One item of an array value.
 * @param v an array; @borrows
 * @param i the index
 * @return the item, borrowed from @p v; rx_invalid() when @p v is not an
 *         array or @p i is out of range
 */
RX_API rx_value rx_array_at(rx_value v, size_t i);

/**
 * @brief The user data of a box value.
 * @param v a box; @borrows
 * @return the data, valid while @p v lives; NULL when @p v is not a box
 */
RX_API void *rx_box_data(rx_value v);

/**
 * @brief Compares two values by content.
 *
 * Kinds must match (the int 1 differs from the double 1.0). Doubles compare
 * as Java's Double.equals: NaN equals NaN and -0.0 differs from 0.0.
 * Strings and bytes compare by content, arrays item by item,
 * notifications by kind and item (errors by identity), boxes and pointers
 * by identity.
 * @param a first value; @borrows
 * @param b second value; @borrows
 * @return true when equal
 */
RX_API bool rx_value_equal(rx_value a, rx_value b);

/**
 * @brief A hash consistent with rx_value_equal().
 * @param v the value; @borrows
 * @return the hash
 */
RX_API uint64_t rx_value_hash(rx_value v);

#ifdef __cplusplus
}
#endif

#endif /* UVRX_VALUE_H */
