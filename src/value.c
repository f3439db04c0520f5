/* SPDX-License-Identifier: MIT */
/*
 * Heap values: strings, bytes, arrays, boxes and notifications, their
 * reference counts, and content equality and hashing.
 */
#include <math.h>
#include <stdio.h>

#include "rx-internal.h"

/* The header every heap value's object starts with. */
struct rx_obj {
    atomic_long refs;
    uint32_t type;
};

struct str_obj {
    struct rx_obj h;
    size_t len;
    char data[]; /* len bytes and a NUL */
};

struct array_obj {
    struct rx_obj h;
    size_t n;
    rx_value items[];
};

struct box_obj {
    struct rx_obj h;
    void *data;
    rx_drop_fn drop;
};

struct notif_obj {
    struct rx_obj h;
    int kind;
    rx_value v;
    rx_error *err;
};

static rx_value
heap_value(struct rx_obj *o, uint32_t type)
{
    rx_value v = {type, 0, {.o = o}};

    atomic_init(&o->refs, 1);
    o->type = type;
    return v;
}

void
rx_value_retain_obj(rx_value v)
{
    atomic_fetch_add_explicit(&v.as.o->refs, 1, memory_order_relaxed);
}

/* Frees one object whose count reached zero. Arrays release their items,
 * which may recurse as deep as values are nested. */
static void
free_obj(rx_value v)
{
    struct rx_obj *o = v.as.o;

    switch (v.type) {
    case RX_TYPE_ARRAY: {
        struct array_obj *a = (struct array_obj *)o;
        for (size_t i = 0; i < a->n; i++) {
            rx_value_release(a->items[i]);
        }
        break;
    }
    case RX_TYPE_BOX: {
        struct box_obj *b = (struct box_obj *)o;
        if (b->drop != NULL) {
            b->drop(b->data);
        }
        break;
    }
    case RX_TYPE_NOTIFICATION: {
        struct notif_obj *n = (struct notif_obj *)o;
        rx_value_release(n->v);
        rx_error_release(n->err);
        break;
    }
    default:
        break;
    }
    rx__free(o);
}

void
rx_value_release_obj(rx_value v)
{
    if (atomic_fetch_sub_explicit(&v.as.o->refs, 1, memory_order_acq_rel) ==
        1) {
        free_obj(v);
    }
}

/* ---- constructors ----------------------------------------------------- */

static rx_value
make_str(const void *p, size_t len, uint32_t type)
{
    struct str_obj *s;

    if (len > SIZE_MAX - sizeof *s - 1) {
        return rx_invalid();
    }
    s = rx__malloc(sizeof *s + len + 1);
    if (s == NULL) {
        return rx_invalid();
    }
    s->len = len;
    if (len > 0) {
        memcpy(s->data, p, len);
    }
    s->data[len] = '\0';
    return heap_value(&s->h, type);
}

rx_value
rx_str(const char *s)
{
    if (s == NULL) {
        return rx_invalid();
    }
    return make_str(s, strlen(s), RX_TYPE_STR);
}

rx_value
rx_str_n(const char *s, size_t len)
{
    if (s == NULL && len > 0) {
        return rx_invalid();
    }
    return make_str(s, len, RX_TYPE_STR);
}

rx_value
rx_bytes(const void *p, size_t n)
{
    if (p == NULL && n > 0) {
        return rx_invalid();
    }
    return make_str(p, n, RX_TYPE_BYTES);
}

rx_value
rx_array(size_t n, const rx_value *items)
{
    struct array_obj *a = NULL;
    bool ok = n == 0 || items != NULL;

    for (size_t i = 0; ok && i < n; i++) {
        ok = items[i].type != RX_TYPE_INVALID;
    }
    /* The loop above read n valid items, so n * sizeof(rx_value) bytes
     * exist: n cannot overflow the size below. */
    if (ok && RX__ALWAYS(n <= (SIZE_MAX - sizeof *a) / sizeof(rx_value))) {
        a = rx__malloc(sizeof *a + n * sizeof(rx_value));
    }
    if (a == NULL) {
        /* Taken even on failure. */
        for (size_t i = 0; items != NULL && i < n; i++) {
            rx_value_release(items[i]);
        }
        return rx_invalid();
    }
    a->n = n;
    if (n > 0) {
        memcpy(a->items, items, n * sizeof(rx_value));
    }
    return heap_value(&a->h, RX_TYPE_ARRAY);
}

rx_value
rx_box(void *data, rx_drop_fn drop)
{
    struct box_obj *b = rx__malloc(sizeof *b);

    if (b == NULL) {
        if (drop != NULL) {
            drop(data);
        }
        return rx_invalid();
    }
    b->data = data;
    b->drop = drop;
    return heap_value(&b->h, RX_TYPE_BOX);
}

static rx_value
make_notification(int kind, rx_value v, rx_error *err)
{
    struct notif_obj *n = rx__malloc(sizeof *n);

    if (n == NULL) {
        rx_value_release(v);
        rx_error_release(err);
        return rx_invalid();
    }
    n->kind = kind;
    n->v = v;
    n->err = err;
    return heap_value(&n->h, RX_TYPE_NOTIFICATION);
}

rx_value
rx_notify_next(rx_value v)
{
    if (v.type == RX_TYPE_INVALID) {
        return rx_invalid();
    }
    return make_notification(RX_NOTIFY_NEXT, v, NULL);
}

rx_value
rx_notify_error(rx_error *err)
{
    if (err == NULL) {
        return rx_invalid();
    }
    return make_notification(RX_NOTIFY_ERROR, rx_nil(), err);
}

rx_value
rx_notify_complete(void)
{
    return make_notification(RX_NOTIFY_COMPLETE, rx_nil(), NULL);
}

/* ---- accessors -------------------------------------------------------- */

void
rx_value_expect_type(rx_value v, uint32_t type, const char *fn)
{
    if (v.type != type) {
        fprintf(stderr, "uvrx: %s: value has type %u, expected %u\n", fn,
                (unsigned)v.type, (unsigned)type);
        assert(v.type == type);
    }
}

int
rx_notification_kind(rx_value v)
{
    if (v.type != RX_TYPE_NOTIFICATION) {
        return -1;
    }
    return ((const struct notif_obj *)v.as.o)->kind;
}

rx_value
rx_notification_value(rx_value v)
{
    if (v.type != RX_TYPE_NOTIFICATION) {
        return rx_nil();
    }
    return ((const struct notif_obj *)v.as.o)->v;
}

const rx_error *
rx_notification_error(rx_value v)
{
    if (v.type != RX_TYPE_NOTIFICATION) {
        return NULL;
    }
    return ((const struct notif_obj *)v.as.o)->err;
}

int
rx_get_bool(rx_value v, bool *out)
{
    if (out == NULL || v.type != RX_TYPE_BOOL) {
        return RX_EINVAL;
    }
    *out = v.as.b;
    return 0;
}

int
rx_get_int(rx_value v, int64_t *out)
{
    if (out == NULL || v.type != RX_TYPE_INT) {
        return RX_EINVAL;
    }
    *out = v.as.i;
    return 0;
}

int
rx_get_double(rx_value v, double *out)
{
    if (out == NULL || v.type != RX_TYPE_DOUBLE) {
        return RX_EINVAL;
    }
    *out = v.as.d;
    return 0;
}

int
rx_get_ptr(rx_value v, void **out)
{
    if (out == NULL || v.type != RX_TYPE_PTR) {
        return RX_EINVAL;
    }
    *out = v.as.p;
    return 0;
}

const char *
rx_str_cstr(rx_value v)
{
    if (v.type != RX_TYPE_STR) {
        return NULL;
    }
    return ((const struct str_obj *)v.as.o)->data;
}

size_t
rx_str_len(rx_value v)
{
    if (v.type != RX_TYPE_STR) {
        return 0;
    }
    return ((const struct str_obj *)v.as.o)->len;
}

const void *
rx_bytes_data(rx_value v)
{
    if (v.type != RX_TYPE_BYTES) {
        return NULL;
    }
    return ((const struct str_obj *)v.as.o)->data;
}

size_t
rx_bytes_len(rx_value v)
{
    if (v.type != RX_TYPE_BYTES) {
        return 0;
    }
    return ((const struct str_obj *)v.as.o)->len;
}

size_t
rx_array_len(rx_value v)
{
    if (v.type != RX_TYPE_ARRAY) {
        return 0;
    }
    return ((const struct array_obj *)v.as.o)->n;
}

rx_value
rx_array_at(rx_value v, size_t i)
{
    const struct array_obj *a;

    if (v.type != RX_TYPE_ARRAY) {
        return rx_invalid();
    }
    a = (const struct array_obj *)v.as.o;
    return i < a->n ? a->items[i] : rx_invalid();
}

void *
rx_box_data(rx_value v)
{
    if (v.type != RX_TYPE_BOX) {
        return NULL;
    }
    return ((const struct box_obj *)v.as.o)->data;
}

/* ---- equality and hashing --------------------------------------------- */

/* Doubles compare as Java's Double.equals: by bits, with every NaN equal
 * to every other NaN. */
static uint64_t
double_bits(double d)
{
    uint64_t bits;

    if (isnan(d)) {
        d = NAN;
    }
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

bool
rx_value_equal(rx_value a, rx_value b)
{
    if (a.type != b.type) {
        return false;
    }
    switch (a.type) {
    case RX_TYPE_NIL:
    case RX_TYPE_INVALID:
        return true;
    case RX_TYPE_BOOL:
        return a.as.b == b.as.b;
    case RX_TYPE_INT:
        return a.as.i == b.as.i;
    case RX_TYPE_DOUBLE:
        return double_bits(a.as.d) == double_bits(b.as.d);
    case RX_TYPE_PTR:
        return a.as.p == b.as.p;
    case RX_TYPE_STR:
    case RX_TYPE_BYTES: {
        const struct str_obj *x = (const struct str_obj *)a.as.o;
        const struct str_obj *y = (const struct str_obj *)b.as.o;
        return x == y ||
               (x->len == y->len && memcmp(x->data, y->data, x->len) == 0);
    }
    case RX_TYPE_ARRAY: {
        const struct array_obj *x = (const struct array_obj *)a.as.o;
        const struct array_obj *y = (const struct array_obj *)b.as.o;
        if (x == y) {
            return true;
        }
        if (x->n != y->n) {
            return false;
        }
        for (size_t i = 0; i < x->n; i++) {
            if (!rx_value_equal(x->items[i], y->items[i])) {
                return false;
            }
        }
        return true;
    }
    case RX_TYPE_NOTIFICATION: {
        const struct notif_obj *x = (const struct notif_obj *)a.as.o;
        const struct notif_obj *y = (const struct notif_obj *)b.as.o;
        return x->kind == y->kind && x->err == y->err &&
               rx_value_equal(x->v, y->v);
    }
    default: /* boxes: by identity */
        return a.as.o == b.as.o;
    }
}

/* A strong 64-bit mix (splitmix64's finaliser). */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t
rx_value_hash(rx_value v)
{
    uint64_t h;

    switch (v.type) {
    case RX_TYPE_BOOL:
        h = v.as.b;
        break;
    case RX_TYPE_INT:
        h = (uint64_t)v.as.i;
        break;
    case RX_TYPE_DOUBLE:
        h = double_bits(v.as.d);
        break;
    case RX_TYPE_PTR:
        h = (uint64_t)(uintptr_t)v.as.p;
        break;
    case RX_TYPE_STR:
    case RX_TYPE_BYTES: {
        const struct str_obj *s = (const struct str_obj *)v.as.o;
        h = hash_bytes((const unsigned char *)s->data, s->len);
        break;
    }
    case RX_TYPE_ARRAY: {
        const struct array_obj *a = (const struct array_obj *)v.as.o;
        h = a->n;
        for (size_t i = 0; i < a->n; i++) {
            h = mix64(h ^ rx_value_hash(a->items[i]));
        }
        break;
    }
    case RX_TYPE_NOTIFICATION: {
        const struct notif_obj *n = (const struct notif_obj *)v.as.o;
        h = ((uint64_t)n->kind << 32) ^ rx_value_hash(n->v) ^
            (uint64_t)(uintptr_t)n->err;
        break;
    }
    case RX_TYPE_BOX:
        h = (uint64_t)(uintptr_t)v.as.o;
        break;
    default:
        h = 0;
        break;
    }
    return mix64(h ^ ((uint64_t)v.type << 56));
}

long
rx__value_refs(rx_value v)
{
    return RX_VALUE_IS_HEAP(v)
               ? atomic_load_explicit(&v.as.o->refs, memory_order_relaxed)
               : 0;
}

rx_drop_fn
rx__box_drop(rx_value v)
{
    return v.type == RX_TYPE_BOX ? ((const struct box_obj *)v.as.o)->drop
                                 : NULL;
}
