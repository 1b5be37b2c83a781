/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlms-translate: turns DLMS/COSEM APDUs, HDLC frames, TCP wrapper messages
 * and A-XDR values given in hex into readable XML or JSON, and back.
 *
 * Every decoded element is a node {name, attributes, children}. A few
 * attributes (tag, len, len-size, bits, hex, u8..u64, i8..i64, obis) say how
 * the node is encoded; all others are explanations and are ignored by the
 * encoder. Anything the decoder does not understand stays a `hex` leaf, and
 * every decoded tree is re-encoded and compared with its input before it is
 * printed, so encode(decode(x)) == x for every x. Formats: docs/translator.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/axdr.h"
#include "meter/dlms.h"
#include "meter/error.h"
#include "meter/hdlc.h"

/* ------------------------------------------------------------------ tree */

struct attr {
    char *key;
    char *val;
    bool num; /* printed as a JSON number */
};

struct node {
    char *name;
    struct attr *attrs;
    size_t nattrs;
    struct node **kids;
    size_t nkids;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fputs("dlms-translate: out of memory\n", stderr);
        exit(1);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static struct node *node_new(const char *name)
{
    struct node *n = xrealloc(NULL, sizeof *n);
    memset(n, 0, sizeof *n);
    n->name = xstrdup(name);
    return n;
}

static void node_free(struct node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->nattrs; i++) {
        free(n->attrs[i].key);
        free(n->attrs[i].val);
    }
    for (size_t i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->attrs);
    free(n->kids);
    free(n->name);
    free(n);
}

static struct node *add(struct node *parent, struct node *kid)
{
    parent->kids = xrealloc(parent->kids, (parent->nkids + 1) * sizeof *parent->kids);
    parent->kids[parent->nkids++] = kid;
    return kid;
}

static void set_attr(struct node *n, const char *key, const char *val, bool num)
{
    n->attrs = xrealloc(n->attrs, (n->nattrs + 1) * sizeof *n->attrs);
    n->attrs[n->nattrs].key = xstrdup(key);
    n->attrs[n->nattrs].val = xstrdup(val);
    n->attrs[n->nattrs].num = num;
    n->nattrs++;
}

static void attrf(struct node *n, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set_attr(n, key, buf, false);
}

static void attr_num(struct node *n, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    set_attr(n, key, buf, true);
}

static const char *get_attr(const struct node *n, const char *key)
{
    for (size_t i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].key, key) == 0)
            return n->attrs[i].val;
    return NULL;
}

static void attr_hex(struct node *n, const char *key, const uint8_t *b, size_t len)
{
    char *s = xrealloc(NULL, 2 * len + 1);
    for (size_t i = 0; i < len; i++)
        snprintf(s + 2 * i, 3, "%02X", b[i]);
    s[2 * len] = '\0';
    set_attr(n, key, s, false);
    free(s);
}

/* ------------------------------------------------------------ byte buffer */

struct buf {
    uint8_t *b;
    size_t len;
    size_t cap;
};

static void buf_put(struct buf *o, const uint8_t *b, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 16;
        o->b = xrealloc(o->b, o->cap);
    }
    if (n)
        memcpy(o->b + o->len, b, n);
    o->len += n;
}

static void buf_u8(struct buf *o, uint8_t v) { buf_put(o, &v, 1); }

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Hex digits with optional white space between bytes. false on anything else or an odd digit. */
static bool parse_hex(const char *s, struct buf *o)
{
    int hi = -1;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            if (hi >= 0)
                return false;
            continue;
        }
        int v = hexval((unsigned char)*s);
        if (v < 0)
            return false;
        if (hi < 0) {
            hi = v;
        } else {
            buf_u8(o, (uint8_t)(hi << 4 | v));
            hi = -1;
        }
    }
    return hi < 0;
}

/* ================================================================ encoder */

static char enc_err[256];

static bool fail(const struct node *n, const char *fmt, ...)
{
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(enc_err, sizeof enc_err, "element <%s>: %s", n->name, m);
    return false;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (*s == '\0')
        return false;
    uint64_t x = 0;
    for (; *s; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (*s < '0' || *s > '9' || x > UINT64_MAX / 10 || (x == UINT64_MAX / 10 && d > UINT64_MAX % 10))
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

static bool parse_i64(const char *s, int64_t *v)
{
    bool neg = *s == '-';
    uint64_t m;
    if (!parse_u64(s + neg, &m))
        return false;
    if (neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)
        return false;
    *v = neg ? (int64_t)(0 - m) : (int64_t)m;
    return true;
}

static void put_be(struct buf *o, uint64_t v, unsigned size)
{
    for (unsigned i = size; i-- > 0;)
        buf_u8(o, (uint8_t)(v >> (8 * i)));
}

/* Length field: size 1 = one byte < 0x80; size k > 1 = 0x80|(k-1) then k-1 bytes (A-XDR and BER). */
static unsigned min_len_size(uint64_t v)
{
    unsigned k = 1;
    if (v < 0x80)
        return 1;
    while (k - 1 < 8 && (v >> (8 * (k - 1))) != 0)
        k++;
    return k;
}

static bool put_length(const struct node *n, struct buf *o, const char *form, uint64_t v)
{
    const char *ls = get_attr(n, "len-size");
    uint64_t size = min_len_size(v);
    if (strcmp(form, "u8") == 0 || strcmp(form, "u16") == 0) {
        unsigned w = form[1] == '8' ? 1 : 2;
        if (ls != NULL)
            return fail(n, "len-size is not allowed with len=\"%s\"", form);
        if (v >> (8 * w))
            return fail(n, "length %" PRIu64 " does not fit %s", v, form);
        put_be(o, v, w);
        return true;
    }
    if (ls != NULL && !parse_u64(ls, &size))
        return fail(n, "bad len-size \"%s\"", ls);
    unsigned max = strcmp(form, "ber") == 0 ? 127 : 5;
    if (size < 1 || size > max || (size == 1 && v >= 0x80) || (size > 1 && size - 1 < 8 && (v >> (8 * (size - 1))) != 0))
        return fail(n, "length %" PRIu64 " does not fit len-size %" PRIu64, v, size);
    if (size == 1) {
        buf_u8(o, (uint8_t)v);
    } else {
        buf_u8(o, (uint8_t)(0x80 | (size - 1)));
        for (uint64_t i = size - 1; i-- > 0;)
            buf_u8(o, i < 8 ? (uint8_t)(v >> (8 * i)) : 0);
    }
    return true;
}

static const char *const uint_keys[] = {"u8", "u16", "u24", "u32", "u64"};
static const unsigned uint_sizes[] = {1, 2, 3, 4, 8};
static const char *const int_keys[] = {"i8", "i16", "i32", "i64"};
static const unsigned int_sizes[] = {1, 2, 4, 8};

static bool encode_value(const struct node *n, struct buf *o)
{
    const char *v;
    if ((v = get_attr(n, "hex")) != NULL && !parse_hex(v, o))
        return fail(n, "bad hex \"%s\"", v);
    for (size_t i = 0; i < 5; i++) {
        uint64_t x;
        unsigned sz = uint_sizes[i];
        if ((v = get_attr(n, uint_keys[i])) == NULL)
            continue;
        if (!parse_u64(v, &x) || (sz < 8 && (x >> (8 * sz)) != 0))
            return fail(n, "bad %s value \"%s\"", uint_keys[i], v);
        put_be(o, x, sz);
    }
    for (size_t i = 0; i < 4; i++) {
        int64_t x;
        unsigned sz = int_sizes[i];
        if ((v = get_attr(n, int_keys[i])) == NULL)
            continue;
        int64_t lim = sz < 8 ? (int64_t)1 << (8 * sz - 1) : 0;
        if (!parse_i64(v, &x) || (sz < 8 && (x < -lim || x >= lim)))
            return fail(n, "bad %s value \"%s\"", int_keys[i], v);
        put_be(o, (uint64_t)x, sz);
    }
    if ((v = get_attr(n, "obis")) != NULL) {
        unsigned a[6];
        char tail;
        if (sscanf(v, "%u.%u.%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &tail) != 6)
            return fail(n, "bad obis \"%s\" (a.b.c.d.e.f)", v);
        for (int i = 0; i < 6; i++) {
            if (a[i] > 255)
                return fail(n, "bad obis \"%s\"", v);
            buf_u8(o, (uint8_t)a[i]);
        }
    }
    return true;
}

static bool encode_node(const struct node *n, struct buf *o);

static bool encode_node(const struct node *n, struct buf *o)
{
    struct buf content = {0};
    const char *tag = get_attr(n, "tag");
    const char *len = get_attr(n, "len");
    bool ok = encode_value(n, &content);
    for (size_t i = 0; ok && i < n->nkids; i++)
        ok = encode_node(n->kids[i], &content);
    if (ok && tag != NULL && !parse_hex(tag, o))
        ok = fail(n, "bad tag \"%s\"", tag);
    if (ok && len != NULL) {
        uint64_t v = content.len;
        if (strcmp(len, "count") == 0) {
            v = n->nkids;
        } else if (strcmp(len, "bits") == 0) {
            const char *b = get_attr(n, "bits");
            if (b == NULL || !parse_u64(b, &v))
                ok = fail(n, "len=\"bits\" needs a bits attribute");
        } else if (strcmp(len, "axdr") != 0 && strcmp(len, "ber") != 0 && strcmp(len, "u8") != 0 &&
                   strcmp(len, "u16") != 0) {
            ok = fail(n, "unknown len \"%s\"", len);
        }
        if (ok)
            ok = put_length(n, o, strcmp(len, "ber") == 0 ? "ber" : len[0] == 'u' ? len : "axdr", v);
    } else if (ok && get_attr(n, "len-size") != NULL) {
        ok = fail(n, "len-size without len");
    }
    if (ok)
        buf_put(o, content.b, content.len);
    free(content.b);
    return ok;
}

/* ================================================================ decoders */

/* A cursor over the input; err is set once something could not be read. */
struct cur {
    const uint8_t *p;
    const uint8_t *end;
    const char *err;
};

static size_t left(const struct cur *c) { return (size_t)(c->end - c->p); }

static bool need(struct cur *c, size_t n)
{
    if (c->err)
        return false;
    if (left(c) < n) {
        c->err = "truncated";
        return false;
    }
    return true;
}

static struct node *hex_leaf(struct node *parent, const char *name, const uint8_t *b, size_t len)
{
    struct node *n = add(parent, node_new(name));
    attr_hex(n, "hex", b, len);
    return n;
}

static struct node *take_hex(struct node *parent, const char *name, struct cur *c, size_t len)
{
    if (!need(c, len))
        return NULL;
    struct node *n = hex_leaf(parent, name, c->p, len);
    c->p += len;
    return n;
}

static uint64_t be(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

/* Unsigned field of 1, 2, 3, 4 or 8 bytes. */
static struct node *take_uint(struct node *parent, const char *name, struct cur *c, unsigned size, uint64_t *out)
{
    if (!need(c, size))
        return NULL;
    uint64_t v = be(c->p, size);
    c->p += size;
    struct node *n = add(parent, node_new(name));
    char key[8];
    snprintf(key, sizeof key, "u%u", size * 8);
    attr_num(n, key, v);
    if (out)
        *out = v;
    return n;
}

static bool take_obis(struct node *parent, const char *name, struct cur *c)
{
    if (!need(c, 6))
        return false;
    const uint8_t *b = c->p;
    attrf(add(parent, node_new(name)), "obis", "%u.%u.%u.%u.%u.%u", b[0], b[1], b[2], b[3], b[4], b[5]);
    c->p += 6;
    return true;
}

/* Everything not decoded becomes a hex leaf with the reason. */
static void finish(struct node *parent, struct cur *c, const char *what)
{
    if (c->err == NULL && c->p == c->end)
        return;
    struct node *n = hex_leaf(parent, "undecoded", c->p, left(c));
    set_attr(n, "error", c->err ? c->err : what, false);
    c->p = c->end;
    c->err = NULL; /* reported once, in this leaf */
}

/* ------------------------------------------------------------------ A-XDR */

static const char *axdr_name(uint8_t tag)
{
    static const char *const names[] = {
        "null-data", "array", "structure", "boolean", "bit-string", "double-long", "double-long-unsigned",
        NULL, NULL, "octet-string", "visible-string", NULL, "utf8-string", "bcd", NULL, "integer", "long",
        "unsigned", "long-unsigned", "compact-array", "long64", "long64-unsigned", "enum", "float32",
        "float64", "date-time", "date", "time", "delta-integer", "delta-long", "delta-double-long",
        "delta-unsigned", "delta-long-unsigned", "delta-double-long-unsigned"};
    if (tag == 255)
        return "dont-care";
    if (tag < sizeof names / sizeof names[0] && names[tag] != NULL)
        return names[tag];
    return "unknown";
}

static void len_size_attr(struct node *n, uint64_t v, unsigned size)
{
    if (size != min_len_size(v))
        attr_num(n, "len-size", size);
}

static bool printable(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] < 0x20 || b[i] > 0x7E)
            return false;
    return true;
}

static void set_text(struct node *n, const uint8_t *b, size_t len)
{
    char *s = xrealloc(NULL, len + 1);
    memcpy(s, b, len);
    s[len] = '\0';
    set_attr(n, "text", s, false);
    free(s);
}

static void explain_datetime(struct node *n, const uint8_t *b, size_t len)
{
    if (len == 12)
        attrf(n, "date-time", "%04u-%02u-%02u dow %u %02u:%02u:%02u.%02u deviation %d status 0x%02X",
              (unsigned)(b[0] << 8 | b[1]), b[2], b[3], b[4], b[5], b[6], b[7], b[8],
              (int)(int16_t)(b[9] << 8 | b[10]), b[11]);
    else if (len == 5)
        attrf(n, "date", "%04u-%02u-%02u dow %u", (unsigned)(b[0] << 8 | b[1]), b[2], b[3], b[4]);
    else if (len == 4)
        attrf(n, "time", "%02u:%02u:%02u.%02u", b[0], b[1], b[2], b[3]);
}

static struct node *axdr_token_node(const struct mtr_dlms_axdr_token *t)
{
    struct node *n = node_new(axdr_name(t->tag));
    char key[8];
    attrf(n, "tag", "%02X", t->tag);
    switch (t->tag) {
    case MTR_DLMS_ARRAY:
    case MTR_DLMS_STRUCTURE:
        set_attr(n, "len", "count", false);
        len_size_attr(n, t->count, t->len_size);
        break;
    case MTR_DLMS_BIT_STRING:
        set_attr(n, "len", "bits", false);
        attr_num(n, "bits", t->count);
        len_size_attr(n, t->count, t->len_size);
        attr_hex(n, "hex", t->value, t->value_len);
        break;
    case MTR_DLMS_OCTET_STRING:
    case MTR_DLMS_VISIBLE_STRING:
    case MTR_DLMS_UTF8_STRING:
        set_attr(n, "len", "axdr", false);
        len_size_attr(n, t->count, t->len_size);
        attr_hex(n, "hex", t->value, t->value_len);
        if (t->value_len > 0 && printable(t->value, t->value_len))
            set_text(n, t->value, t->value_len);
        if (t->tag == MTR_DLMS_OCTET_STRING && t->value_len == 6)
            attrf(n, "as-logical-name", "%u.%u.%u.%u.%u.%u", t->value[0], t->value[1], t->value[2],
                  t->value[3], t->value[4], t->value[5]);
        if (t->tag == MTR_DLMS_OCTET_STRING)
            explain_datetime(n, t->value, t->value_len == 12 ? 12 : 0);
        break;
    case MTR_DLMS_COMPACT_ARRAY: {
        hex_leaf(n, "type-description", t->desc, t->desc_len);
        struct node *c = hex_leaf(n, "contents", t->value, t->value_len);
        set_attr(c, "len", "axdr", false);
        len_size_attr(c, t->count, t->len_size);
        break;
    }
    case MTR_DLMS_DOUBLE_LONG:
    case MTR_DLMS_INTEGER:
    case MTR_DLMS_LONG:
    case MTR_DLMS_LONG64:
    case MTR_DLMS_DELTA_INTEGER:
    case MTR_DLMS_DELTA_LONG:
    case MTR_DLMS_DELTA_DOUBLE_LONG: {
        int64_t v = 0;
        (void)mtr_dlms_axdr_get_int(t, &v);
        snprintf(key, sizeof key, "i%u", (unsigned)t->value_len * 8);
        attrf(n, key, "%" PRId64, v);
        n->attrs[n->nattrs - 1].num = true;
        break;
    }
    case MTR_DLMS_BOOLEAN:
    case MTR_DLMS_DOUBLE_LONG_UNSIGNED:
    case MTR_DLMS_BCD:
    case MTR_DLMS_UNSIGNED:
    case MTR_DLMS_LONG_UNSIGNED:
    case MTR_DLMS_LONG64_UNSIGNED:
    case MTR_DLMS_ENUM:
    case MTR_DLMS_DELTA_UNSIGNED:
    case MTR_DLMS_DELTA_LONG_UNSIGNED:
    case MTR_DLMS_DELTA_DOUBLE_LONG_UNSIGNED:
        snprintf(key, sizeof key, "u%u", (unsigned)t->value_len * 8);
        attr_num(n, key, be(t->value, (unsigned)t->value_len));
        break;
    default: /* null-data, dont-care, float32/64, date-time, date, time */
        if (t->value_len > 0)
            attr_hex(n, "hex", t->value, t->value_len);
        explain_datetime(n, t->value, t->tag >= MTR_DLMS_DATE_TIME ? t->value_len : 0);
        break;
    }
    return n;
}

/* One token and, for containers, all its elements. NULL on error (message in *err). */
static struct node *axdr_value(struct mtr_dlms_axdr_reader *r, const uint8_t **p, const uint8_t *end,
                               mtr_err_t *err)
{
    struct mtr_dlms_axdr_token t;
    *err = mtr_dlms_axdr_next(r, p, end, &t);
    if (*err != MTR_OK)
        return NULL;
    struct node *n = axdr_token_node(&t);
    if (t.tag == MTR_DLMS_ARRAY || t.tag == MTR_DLMS_STRUCTURE) {
        for (uint32_t i = 0; i < t.count; i++) {
            struct node *k = axdr_value(r, p, end, err);
            if (k == NULL) {
                node_free(n);
                return NULL;
            }
            add(n, k);
        }
    }
    return n;
}

/* One complete Data value; on error nothing is consumed and c->err tells why. */
static bool take_data(struct node *parent, const char *name, struct cur *c)
{
    if (!need(c, 1))
        return false;
    struct mtr_dlms_axdr_reader r;
    mtr_err_t err;
    const uint8_t *p = c->p;
    mtr_dlms_axdr_reader_init(&r);
    struct node *n = axdr_value(&r, &p, c->end, &err);
    if (n == NULL) {
        c->err = mtr_strerror(err);
        return false;
    }
    c->p = p;
    struct node *w = add(parent, node_new(name));
    add(w, n);
    return true;
}

/* ------------------------------------------------------------------ xDLMS */

static void explain_iid(struct node *n, uint64_t v)
{
    attr_num(n, "invoke-id", v & 0x0F);
    set_attr(n, "service-class", (v & 0x40) ? "confirmed" : "unconfirmed", false);
    set_attr(n, "priority", (v & 0x80) ? "high" : "normal", false);
}

static bool take_iid(struct node *parent, struct cur *c)
{
    uint64_t v;
    struct node *n = take_uint(parent, "invoke-id-and-priority", c, 1, &v);
    if (n)
        explain_iid(n, v);
    return n != NULL;
}

static bool take_int8(struct node *parent, const char *name, struct cur *c)
{
    if (!need(c, 1))
        return false;
    struct node *n = add(parent, node_new(name));
    attrf(n, "i8", "%d", (int)(int8_t)*c->p++);
    n->attrs[n->nattrs - 1].num = true;
    return true;
}

/* cosem-attribute-descriptor or cosem-method-descriptor. */
static bool take_descriptor(struct node *parent, struct cur *c, bool method)
{
    struct node *d = add(parent, node_new(method ? "cosem-method-descriptor" : "cosem-attribute-descriptor"));
    return take_uint(d, "class-id", c, 2, NULL) && take_obis(d, "instance-id", c) &&
           take_int8(d, method ? "method-id" : "attribute-id", c);
}

/* Selective-Access-Descriptor OPTIONAL. */
static bool take_access(struct node *parent, struct cur *c)
{
    uint64_t flag;
    struct node *a = add(parent, node_new("access-selection"));
    if (!take_uint(a, "present", c, 1, &flag))
        return false;
    if (flag == 0)
        return true;
    if (flag != 1) {
        c->err = "optional flag other than 0 or 1";
        return false;
    }
    return take_uint(a, "access-selector", c, 1, NULL) && take_data(a, "access-parameters", c);
}

/* A count (A-XDR length form) of list items: a node with len="count" holding them. */
static struct node *take_list(struct node *parent, const char *name, struct cur *c, uint32_t *count)
{
    uint8_t size;
    const uint8_t *p = c->p;
    if (c->err)
        return NULL;
    if (mtr_dlms_axdr_get_length(&p, c->end, count, &size) != MTR_OK) {
        c->err = "bad list length";
        return NULL;
    }
    c->p = p;
    struct node *l = add(parent, node_new(name));
    set_attr(l, "len", "count", false);
    len_size_attr(l, *count, size);
    return l;
}

/* octet-string with an A-XDR length (raw-data, keys, system titles). */
static bool take_octets(struct node *parent, const char *name, struct cur *c)
{
    uint32_t len;
    uint8_t size;
    const uint8_t *p = c->p;
    if (c->err)
        return false;
    if (mtr_dlms_axdr_get_length(&p, c->end, &len, &size) != MTR_OK || (size_t)(c->end - p) < len) {
        c->err = "bad octet-string length";
        return false;
    }
    struct node *n = hex_leaf(parent, name, p, len);
    set_attr(n, "len", "axdr", false);
    len_size_attr(n, len, size);
    c->p = p + len;
    return true;
}

static bool take_block(struct node *parent, struct cur *c)
{
    struct node *b = add(parent, node_new("datablock"));
    return take_uint(b, "last-block", c, 1, NULL) && take_uint(b, "block-number", c, 4, NULL) &&
           take_octets(b, "raw-data", c);
}

static const char *dar_name(uint64_t v)
{
    static const char *const n[] = {"success", "hardware-fault", "temporary-failure", "read-write-denied",
                                    "object-undefined", NULL, NULL, NULL, NULL, "object-class-inconsistent",
                                    NULL, "object-unavailable", "type-unmatched", "scope-of-access-violated",
                                    "data-block-unavailable", "long-get-aborted", "no-long-get-in-progress",
                                    "long-set-aborted", "no-long-set-in-progress", "data-block-number-invalid"};
    if (v == 250)
        return "other-reason";
    return v < sizeof n / sizeof n[0] && n[v] ? n[v] : "unknown";
}

static bool take_result(struct node *parent, const char *name, struct cur *c)
{
    uint64_t v;
    struct node *n = take_uint(parent, name, c, 1, &v);
    if (n)
        set_attr(n, "meaning", dar_name(v), false);
    return n != NULL;
}

/* Get-Data-Result: 0 data | 1 data-access-result. */
static bool take_get_result(struct node *parent, struct cur *c)
{
    uint64_t ch;
    struct node *r = add(parent, node_new("result"));
    if (!take_uint(r, "choice", c, 1, &ch))
        return false;
    if (ch == 0)
        return take_data(r, "data", c);
    if (ch == 1)
        return take_result(r, "data-access-result", c);
    c->err = "unknown Get-Data-Result choice";
    return false;
}

static bool take_list_of(struct node *parent, const char *name, struct cur *c,
                         bool (*item)(struct node *, struct cur *))
{
    uint32_t count;
    struct node *l = take_list(parent, name, c, &count);
    for (uint32_t i = 0; l != NULL && i < count; i++)
        if (!item(l, c))
            return false;
    return l != NULL;
}

static bool item_attr_access(struct node *l, struct cur *c)
{
    struct node *i = add(l, node_new("item"));
    return take_descriptor(i, c, false) && take_access(i, c);
}

static bool item_method(struct node *l, struct cur *c) { return take_descriptor(l, c, true); }
static bool item_data(struct node *l, struct cur *c) { return take_data(l, "data", c); }
static bool item_result(struct node *l, struct cur *c) { return take_result(l, "result", c); }
static bool item_get_result(struct node *l, struct cur *c) { return take_get_result(l, c); }

static bool item_action_result(struct node *l, struct cur *c)
{
    uint64_t flag;
    struct node *r = add(l, node_new("action-response"));
    if (!take_result(r, "action-result", c) || !take_uint(r, "return-parameters-present", c, 1, &flag))
        return false;
    if (flag == 1)
        return take_get_result(r, c);
    if (flag != 0)
        c->err = "optional flag other than 0 or 1";
    return flag == 0;
}

struct choice {
    uint8_t v;
    const char *name;
};

static const char *choice_name(const struct choice *t, uint8_t v)
{
    for (; t->name; t++)
        if (t->v == v)
            return t->name;
    return NULL;
}

static bool get_request(struct node *n, struct cur *c, uint8_t ch)
{
    switch (ch) {
    case 1: return take_iid(n, c) && take_descriptor(n, c, false) && take_access(n, c);
    case 2: return take_iid(n, c) && take_uint(n, "block-number", c, 4, NULL);
    case 3: return take_iid(n, c) && take_list_of(n, "attribute-descriptor-list", c, item_attr_access);
    }
    return false;
}

static bool set_request(struct node *n, struct cur *c, uint8_t ch)
{
    switch (ch) {
    case 1: return take_iid(n, c) && take_descriptor(n, c, false) && take_access(n, c) && take_data(n, "value", c);
    case 2: return take_iid(n, c) && take_descriptor(n, c, false) && take_access(n, c) && take_block(n, c);
    case 3: return take_iid(n, c) && take_block(n, c);
    case 4:
        return take_iid(n, c) && take_list_of(n, "attribute-descriptor-list", c, item_attr_access) &&
               take_list_of(n, "value-list", c, item_data);
    case 5:
        return take_iid(n, c) && take_list_of(n, "attribute-descriptor-list", c, item_attr_access) &&
               take_block(n, c);
    }
    return false;
}

static bool action_request(struct node *n, struct cur *c, uint8_t ch)
{
    uint64_t flag;
    switch (ch) {
    case 1:
        if (!take_iid(n, c) || !take_descriptor(n, c, true) ||
            !take_uint(n, "parameters-present", c, 1, &flag))
            return false;
        if (flag == 1)
            return take_data(n, "method-invocation-parameters", c);
        if (flag != 0)
            c->err = "optional flag other than 0 or 1";
        return flag == 0;
    case 2: return take_iid(n, c) && take_uint(n, "block-number", c, 4, NULL);
    case 3:
        return take_iid(n, c) && take_list_of(n, "method-descriptor-list", c, item_method) &&
               take_list_of(n, "parameter-list", c, item_data);
    case 4: return take_iid(n, c) && take_descriptor(n, c, true) && take_block(n, c);
    case 5: return take_iid(n, c) && take_list_of(n, "method-descriptor-list", c, item_method) && take_block(n, c);
    case 6: return take_iid(n, c) && take_block(n, c);
    }
    return false;
}

static bool get_response(struct node *n, struct cur *c, uint8_t ch)
{
    uint64_t r;
    switch (ch) {
    case 1: return take_iid(n, c) && take_get_result(n, c);
    case 2:
        if (!take_iid(n, c) || !take_uint(n, "last-block", c, 1, NULL) ||
            !take_uint(n, "block-number", c, 4, NULL) || !take_uint(n, "result-choice", c, 1, &r))
            return false;
        if (r == 0)
            return take_octets(n, "raw-data", c);
        if (r == 1)
            return take_result(n, "data-access-result", c);
        c->err = "unknown DataBlock-G result choice";
        return false;
    case 3: return take_iid(n, c) && take_list_of(n, "result-list", c, item_get_result);
    }
    return false;
}

static bool set_response(struct node *n, struct cur *c, uint8_t ch)
{
    switch (ch) {
    case 1: return take_iid(n, c) && take_result(n, "result", c);
    case 2: return take_iid(n, c) && take_uint(n, "block-number", c, 4, NULL);
    case 3: return take_iid(n, c) && take_result(n, "result", c) && take_uint(n, "block-number", c, 4, NULL);
    case 4:
        return take_iid(n, c) && take_list_of(n, "result-list", c, item_result) &&
               take_uint(n, "block-number", c, 4, NULL);
    case 5: return take_iid(n, c) && take_list_of(n, "result-list", c, item_result);
    }
    return false;
}

static bool action_response(struct node *n, struct cur *c, uint8_t ch)
{
    switch (ch) {
    case 1: return take_iid(n, c) && item_action_result(n, c);
    case 2: return take_iid(n, c) && take_block(n, c);
    case 3: return take_iid(n, c) && take_list_of(n, "result-list", c, item_action_result);
    case 4: return take_iid(n, c) && take_uint(n, "block-number", c, 4, NULL);
    }
    return false;
}

static const struct choice get_req_names[] = {
    {1, "get-request-normal"}, {2, "get-request-next"}, {3, "get-request-with-list"}, {0, NULL}};
static const struct choice set_req_names[] = {{1, "set-request-normal"},
                                              {2, "set-request-with-first-datablock"},
                                              {3, "set-request-with-datablock"},
                                              {4, "set-request-with-list"},
                                              {5, "set-request-with-list-and-first-datablock"},
                                              {0, NULL}};
static const struct choice act_req_names[] = {{1, "action-request-normal"},
                                              {2, "action-request-next-pblock"},
                                              {3, "action-request-with-list"},
                                              {4, "action-request-with-first-pblock"},
                                              {5, "action-request-with-list-and-first-pblock"},
                                              {6, "action-request-with-pblock"},
                                              {0, NULL}};
static const struct choice get_rsp_names[] = {
    {1, "get-response-normal"}, {2, "get-response-with-datablock"}, {3, "get-response-with-list"}, {0, NULL}};
static const struct choice set_rsp_names[] = {{1, "set-response-normal"},
                                              {2, "set-response-datablock"},
                                              {3, "set-response-last-datablock"},
                                              {4, "set-response-last-datablock-with-list"},
                                              {5, "set-response-with-list"},
                                              {0, NULL}};
static const struct choice act_rsp_names[] = {{1, "action-response-normal"},
                                              {2, "action-response-with-pblock"},
                                              {3, "action-response-with-list"},
                                              {4, "action-response-next-pblock"},
                                              {0, NULL}};

/* A service APDU: tag, choice, then the fields of the choice. */
static void service(struct node *n, struct cur *c, const struct choice *names,
                    bool (*body)(struct node *, struct cur *, uint8_t))
{
    if (!need(c, 1)) {
        finish(n, c, NULL);
        return;
    }
    uint8_t ch = *c->p;
    const char *name = choice_name(names, ch);
    if (name == NULL) {
        c->err = "unknown choice";
        finish(n, c, NULL);
        return;
    }
    struct node *k = add(n, node_new(name));
    attrf(k, "tag", "%02X", ch);
    c->p++;
    if (!body(k, c, ch) && c->err == NULL)
        c->err = "unknown choice";
    finish(k, c, "trailing bytes");
}

/* ------------------------------------------------------------ ciphering */

static void security_body(struct node *n, struct cur *c)
{
    uint64_t sc;
    struct node *s = take_uint(n, "security-control", c, 1, &sc);
    if (s != NULL) {
        attr_num(s, "suite", sc & 0x0F);
        set_attr(s, "authentication", (sc & 0x10) ? "yes" : "no", false);
        set_attr(s, "encryption", (sc & 0x20) ? "yes" : "no", false);
        set_attr(s, "broadcast-key", (sc & 0x40) ? "yes" : "no", false);
        set_attr(s, "compression", (sc & 0x80) ? "yes" : "no", false);
        if (take_uint(n, "invocation-counter", c, 4, NULL)) {
            struct node *t = take_hex(n, "ciphered-text", c, left(c));
            if (t && (sc & 0x10))
                set_attr(t, "note", "the last 12 bytes are the authentication tag", false);
        }
    }
    finish(n, c, NULL);
}

/* Ciphered content with its A-XDR length: SC || IC || text. */
static void ciphered_content(struct node *parent, struct cur *c)
{
    uint32_t len;
    uint8_t size;
    const uint8_t *p = c->p;
    if (c->err || mtr_dlms_axdr_get_length(&p, c->end, &len, &size) != MTR_OK ||
        (size_t)(c->end - p) < len) {
        if (!c->err)
            c->err = "bad ciphered length";
        return;
    }
    struct node *n = add(parent, node_new("ciphered-content"));
    set_attr(n, "len", "axdr", false);
    len_size_attr(n, len, size);
    struct cur in = {p, p + len, NULL};
    security_body(n, &in);
    c->p = p + len;
}

static const struct choice cipher_names[] = {
    {0x21, "glo-initiate-request"}, {0x28, "glo-initiate-response"}, {0xC8, "glo-get-request"},
    {0xC9, "glo-set-request"}, {0xCA, "glo-event-notification-request"}, {0xCB, "glo-action-request"},
    {0xCC, "glo-get-response"}, {0xCD, "glo-set-response"}, {0xCF, "glo-action-response"},
    {0xD0, "ded-get-request"}, {0xD1, "ded-set-request"}, {0xD2, "ded-event-notification-request"},
    {0xD3, "ded-action-request"}, {0xD4, "ded-get-response"}, {0xD5, "ded-set-response"},
    {0xD7, "ded-action-response"}, {0, NULL}};

/* ------------------------------------------------------------ ACSE (BER) */

static const char *conf_bits[24] = {
    "reserved-zero", "general-protection", "general-block-transfer", "read", "write", "unconfirmed-write",
    "delta-value-encoding", "reserved-seven", "attribute0-supported-with-set", "priority-mgmt-supported",
    "attribute0-supported-with-get", "block-transfer-with-get-or-read", "block-transfer-with-set-or-write",
    "block-transfer-with-action", "multiple-references", "information-report", "data-notification", "access",
    "parameterized-access", "get", "set", "selective-access", "event-notification", "action"};

/* Conformance: [APPLICATION 31] IMPLICIT BIT STRING (SIZE (24)): 5F 1F 04 00 b b b. */
static bool take_conformance(struct node *parent, struct cur *c)
{
    if (!need(c, 7) || c->p[0] != 0x5F || c->p[1] != 0x1F || c->p[2] != 0x04) {
        if (!c->err)
            c->err = "conformance block not in the 5F1F04 form";
        return false;
    }
    struct node *n = add(parent, node_new("conformance"));
    set_attr(n, "tag", "5F1F", false);
    set_attr(n, "len", "ber", false);
    c->p += 3;
    take_uint(n, "unused-bits", c, 1, NULL);
    uint64_t v;
    struct node *b = take_uint(n, "bits", c, 3, &v);
    char names[600] = "";
    for (int i = 0; i < 24; i++) {
        if (v & (1u << (23 - i))) {
            if (names[0])
                strcat(names, " ");
            strcat(names, conf_bits[i]);
        }
    }
    set_attr(b, "services", names, false);
    return true;
}

static bool take_optional_u8(struct node *parent, const char *name, struct cur *c)
{
    uint64_t flag;
    struct node *o = add(parent, node_new(name));
    if (!take_uint(o, "present", c, 1, &flag))
        return false;
    if (flag == 1)
        return take_uint(o, "value", c, 1, NULL) != NULL;
    if (flag != 0)
        c->err = "optional flag other than 0 or 1";
    return flag == 0;
}

static bool initiate_request(struct node *n, struct cur *c)
{
    uint64_t flag;
    struct node *k = add(n, node_new("dedicated-key"));
    if (!take_uint(k, "present", c, 1, &flag))
        return false;
    if (flag == 1 && !take_octets(k, "key", c))
        return false;
    if (flag > 1) {
        c->err = "optional flag other than 0 or 1";
        return false;
    }
    struct node *r = add(n, node_new("response-allowed"));
    if (!take_uint(r, "present", c, 1, &flag))
        return false;
    if (flag == 1 && !take_uint(r, "value", c, 1, NULL))
        return false;
    if (flag > 1) {
        c->err = "optional flag other than 0 or 1";
        return false;
    }
    return take_optional_u8(n, "proposed-quality-of-service", c) &&
           take_uint(n, "proposed-dlms-version-number", c, 1, NULL) && take_conformance(n, c) &&
           take_uint(n, "client-max-receive-pdu-size", c, 2, NULL);
}

static bool initiate_response(struct node *n, struct cur *c)
{
    return take_optional_u8(n, "negotiated-quality-of-service", c) &&
           take_uint(n, "negotiated-dlms-version-number", c, 1, NULL) && take_conformance(n, c) &&
           take_uint(n, "server-max-receive-pdu-size", c, 2, NULL) && take_uint(n, "vaa-name", c, 2, NULL);
}

static void decode_apdu(struct node *parent, struct cur *c);

struct ber_names {
    uint8_t outer; /* 0x60..0x63 */
    uint8_t tag;
    const char *name;
};

static const struct ber_names ber_tags[] = {
    {0x60, 0x80, "protocol-version"}, {0x60, 0xA1, "application-context-name"},
    {0x60, 0xA2, "called-AP-title"}, {0x60, 0xA3, "called-AE-qualifier"},
    {0x60, 0xA4, "called-AP-invocation-id"}, {0x60, 0xA5, "called-AE-invocation-id"},
    {0x60, 0xA6, "calling-AP-title"}, {0x60, 0xA7, "calling-AE-qualifier"},
    {0x60, 0xA8, "calling-AP-invocation-id"}, {0x60, 0xA9, "calling-AE-invocation-id"},
    {0x60, 0x8A, "sender-acse-requirements"}, {0x60, 0x8B, "mechanism-name"},
    {0x60, 0xAC, "calling-authentication-value"}, {0x60, 0xBD, "implementation-information"},
    {0x60, 0xBE, "user-information"}, {0x61, 0x80, "protocol-version"},
    {0x61, 0xA1, "application-context-name"}, {0x61, 0xA2, "result"},
    {0x61, 0xA3, "result-source-diagnostic"}, {0x61, 0xA4, "responding-AP-title"},
    {0x61, 0xA5, "responding-AE-qualifier"}, {0x61, 0xA6, "responding-AP-invocation-id"},
    {0x61, 0xA7, "responding-AE-invocation-id"}, {0x61, 0x88, "responder-acse-requirements"},
    {0x61, 0x89, "mechanism-name"}, {0x61, 0xAA, "responding-authentication-value"},
    {0x61, 0xBD, "implementation-information"}, {0x61, 0xBE, "user-information"},
    {0x62, 0x80, "reason"}, {0x62, 0xBE, "user-information"}, {0x63, 0x80, "reason"},
    {0x63, 0xBE, "user-information"}, {0, 0, NULL}};

static const char *ber_name(uint8_t outer, const uint8_t *tag, size_t tag_len, unsigned depth)
{
    if (depth == 1 && tag_len == 1)
        for (const struct ber_names *b = ber_tags; b->name; b++)
            if (b->outer == outer && b->tag == tag[0])
                return b->name;
    if (tag_len == 1) {
        switch (tag[0]) {
        case 0x02: return "integer";
        case 0x03: return "bit-string";
        case 0x04: return "octet-string";
        case 0x06: return "object-identifier";
        case 0x80: return "context-0";
        case 0xA0: return "choice-0";
        case 0xA1: return "choice-1";
        case 0xA2: return "choice-2";
        }
    }
    return "element";
}

static void explain_oid(struct node *n, const uint8_t *b, size_t len)
{
    static const uint8_t dlms[5] = {0x60, 0x85, 0x74, 0x05, 0x08}; /* 2.16.756.5.8 (DLMS UA) */
    if (len == 7 && memcmp(b, dlms, 5) == 0) {
        static const char *const ctx[] = {NULL, "logical-name", "short-name", "logical-name-with-ciphering",
                                          "short-name-with-ciphering"};
        static const char *const mech[] = {"none", "low-level-security", "hls-manufacturer", "hls-md5",
                                           "hls-sha1", "hls-gmac", "hls-sha256", "hls-ecdsa"};
        attrf(n, "oid", "2.16.756.5.8.%u.%u", b[5], b[6]);
        if (b[5] == 1 && b[6] >= 1 && b[6] <= 4)
            set_attr(n, "meaning", ctx[b[6]], false);
        if (b[5] == 2 && b[6] <= 7)
            set_attr(n, "meaning", mech[b[6]], false);
    }
}

/* BER TLV children of [c->p, c->end). */
static void ber_children(struct node *parent, struct cur *c, uint8_t outer, unsigned depth, bool user_info)
{
    while (c->err == NULL && c->p < c->end) {
        const uint8_t *p = c->p;
        size_t tag_len = 1;
        if ((p[0] & 0x1F) == 0x1F) {
            while (p + tag_len < c->end && (p[tag_len] & 0x80))
                tag_len++;
            tag_len++;
        }
        if (p + tag_len >= c->end || depth > 16) {
            c->err = "bad BER tag";
            break;
        }
        const uint8_t *q = p + tag_len;
        uint64_t len = 0;
        unsigned lsize = 1;
        if (q[0] < 0x80) {
            len = q[0];
        } else if (q[0] > 0x80 && q[0] <= 0x88) {
            lsize = 1u + (q[0] & 0x7F);
            if ((size_t)(c->end - q) < lsize) {
                c->err = "bad BER length";
                break;
            }
            len = be(q + 1, lsize - 1);
        } else {
            c->err = "indefinite or bad BER length";
            break;
        }
        q += lsize;
        if ((uint64_t)(c->end - q) < len) {
            c->err = "BER length past the end";
            break;
        }
        struct node *n = add(parent, node_new(ber_name(outer, p, tag_len, depth)));
        attr_hex(n, "tag", p, tag_len);
        set_attr(n, "len", "ber", false);
        len_size_attr(n, len, lsize);
        struct cur in = {q, q + (size_t)len, NULL};
        if (user_info && p[0] == 0x04) {
            decode_apdu(n, &in);
        } else if (p[0] & 0x20) {
            ber_children(n, &in, outer, depth + 1, depth == 1 && p[0] == 0xBE);
            finish(n, &in, NULL);
        } else {
            attr_hex(n, "hex", q, (size_t)len);
            if (p[0] == 0x02 && len >= 1 && len <= 8)
                attrf(n, "value", "%" PRId64,
                      (int64_t)(be(q, (unsigned)len) << (64 - 8 * len)) >> (64 - 8 * len));
            if (p[0] == 0x06 || (depth == 1 && (p[0] == 0x8B || p[0] == 0x89)))
                explain_oid(n, q, (size_t)len);
            if (len > 0 && printable(q, (size_t)len) && p[0] != 0x06)
                set_text(n, q, (size_t)len);
        }
        c->p = q + len;
    }
}

/* ------------------------------------------------------------------ APDU */

static void decode_apdu_tag(struct node *n, struct cur *c, uint8_t tag)
{
    const char *cn;
    switch (tag) {
    case 0xC0: service(n, c, get_req_names, get_request); return;
    case 0xC1: service(n, c, set_req_names, set_request); return;
    case 0xC3: service(n, c, act_req_names, action_request); return;
    case 0xC4: service(n, c, get_rsp_names, get_response); return;
    case 0xC5: service(n, c, set_rsp_names, set_response); return;
    case 0xC7: service(n, c, act_rsp_names, action_response); return;
    case 0x01: initiate_request(n, c); break;
    case 0x08: initiate_response(n, c); break;
    case 0x0E:
        (void)(take_uint(n, "service-choice", c, 1, NULL) && take_uint(n, "error-choice", c, 1, NULL) &&
               take_uint(n, "error-value", c, 1, NULL));
        break;
    case 0xD8: {
        uint64_t se;
        if (take_uint(n, "state-error", c, 1, NULL) && take_uint(n, "service-error", c, 1, &se) && se == 6)
            take_uint(n, "invocation-counter", c, 4, NULL);
        break;
    }
    case 0x0F:
        if (take_uint(n, "long-invoke-id-and-priority", c, 4, NULL) && need(c, 1)) {
            uint8_t dl = *c->p;
            if (dl != 0 && dl != 12)
                c->err = "date-time length other than 0 or 12";
            else if (take_octets(n, "date-time", c))
                explain_datetime(n->kids[n->nkids - 1], c->p - dl, dl);
            if (!c->err)
                take_data(n, "notification-body", c);
        }
        break;
    case 0xC2: {
        uint64_t flag;
        struct node *t = add(n, node_new("time"));
        if (take_uint(t, "present", c, 1, &flag) && (flag == 0 || take_octets(t, "date-time", c)) &&
            take_descriptor(n, c, false))
            take_data(n, "attribute-value", c);
        break;
    }
    case 0xDB:
    case 0xDC:
        if (take_octets(n, "system-title", c))
            ciphered_content(n, c);
        break;
    case 0x60:
    case 0x61:
    case 0x62:
    case 0x63:
        ber_children(n, c, tag, 1, false);
        break;
    default:
        cn = choice_name(cipher_names, tag);
        if (cn != NULL)
            ciphered_content(n, c);
        else
            c->err = "unknown APDU tag";
        break;
    }
    finish(n, c, "trailing bytes");
}

static const char *apdu_name(uint8_t tag)
{
    static const struct choice names[] = {
        {0x01, "initiate-request"}, {0x08, "initiate-response"}, {0x0E, "confirmed-service-error"},
        {0x0F, "data-notification"}, {0x60, "aarq"}, {0x61, "aare"}, {0x62, "rlrq"}, {0x63, "rlre"},
        {0xC0, "get-request"}, {0xC1, "set-request"}, {0xC2, "event-notification-request"},
        {0xC3, "action-request"}, {0xC4, "get-response"}, {0xC5, "set-response"}, {0xC7, "action-response"},
        {0xD8, "exception-response"}, {0xDB, "general-glo-ciphering"}, {0xDC, "general-ded-ciphering"},
        {0, NULL}};
    const char *n = choice_name(names, tag);
    return n ? n : choice_name(cipher_names, tag);
}

/* One APDU filling [c->p, c->end). ACSE APDUs carry their own BER length. */
static void decode_apdu(struct node *parent, struct cur *c)
{
    if (c->p == c->end)
        return;
    uint8_t tag = *c->p;
    const char *name = apdu_name(tag);
    if (name == NULL) {
        c->err = "unknown APDU tag";
        finish(parent, c, NULL);
        return;
    }
    if (tag >= 0x60 && tag <= 0x63) {
        /* the whole APDU is one BER TLV: decode it as such, naming its children */
        struct node *tmp = node_new("tmp");
        ber_children(tmp, c, tag, 0, false);
        for (size_t i = 0; i < tmp->nkids; i++) {
            struct node *k = tmp->kids[i];
            if (i == 0) {
                free(k->name);
                k->name = xstrdup(name);
            }
            add(parent, k);
        }
        tmp->nkids = 0;
        node_free(tmp);
        finish(parent, c, NULL);
        return;
    }
    struct node *n = add(parent, node_new(name));
    attrf(n, "tag", "%02X", tag);
    c->p++;
    decode_apdu_tag(n, c, tag);
}

/* ------------------------------------------------------------------ HDLC */

static void explain_control(struct node *n, uint8_t c)
{
    bool pf = (c & MTR_DLMS_HDLC_PF) != 0;
    if ((c & 0x01) == 0) {
        set_attr(n, "kind", "I", false);
        attr_num(n, "ns", (c >> 1) & 7u);
        attr_num(n, "nr", (c >> 5) & 7u);
    } else if ((c & 0x03) == 0x01) {
        uint8_t s = c & 0x0F;
        set_attr(n, "kind", s == MTR_DLMS_HDLC_RR ? "RR" : s == MTR_DLMS_HDLC_RNR ? "RNR" : "S-unknown", false);
        attr_num(n, "nr", (c >> 5) & 7u);
    } else {
        static const struct choice u[] = {{MTR_DLMS_HDLC_SNRM, "SNRM"}, {MTR_DLMS_HDLC_DISC, "DISC"},
                                          {MTR_DLMS_HDLC_UA, "UA"},     {MTR_DLMS_HDLC_DM, "DM"},
                                          {MTR_DLMS_HDLC_FRMR, "FRMR"}, {MTR_DLMS_HDLC_UI, "UI"},
                                          {0, NULL}};
        const char *k = choice_name(u, (uint8_t)(c & ~MTR_DLMS_HDLC_PF));
        set_attr(n, "kind", k ? k : "U-unknown", false);
    }
    set_attr(n, "pf", pf ? "1" : "0", true);
}

static void explain_addr(struct node *n, const struct mtr_dlms_hdlc_addr *a)
{
    attr_num(n, "upper", a->upper);
    if (a->size > 1)
        attr_num(n, "lower", a->lower);
}

/* SNRM/UA parameters: format 0x81, group 0x80, group length, {id, length, value}. */
static void hdlc_params(struct node *parent, struct cur *c)
{
    const uint8_t *p = c->p;
    size_t n = left(c);
    if (n < 3 || p[0] != 0x81 || p[1] != 0x80 || p[2] != n - 3) {
        take_hex(parent, "information", c, n);
        return;
    }
    struct node *g = add(parent, node_new("parameters"));
    take_uint(g, "format-identifier", c, 1, NULL);
    take_uint(g, "group-identifier", c, 1, NULL);
    struct node *grp = add(g, node_new("group"));
    set_attr(grp, "len", "u8", false);
    c->p++;
    while (c->p < c->end) {
        static const char *const names[] = {"max-info-field-length-transmit", "max-info-field-length-receive",
                                            "window-size-transmit", "window-size-receive"};
        uint8_t id = c->p[0];
        if (left(c) < 2 || (size_t)c->p[1] > left(c) - 2) {
            c->err = "bad parameter length";
            break;
        }
        struct node *pn = add(grp, node_new(id >= 5 && id <= 8 ? names[id - 5] : "parameter"));
        attrf(pn, "tag", "%02X", id);
        set_attr(pn, "len", "u8", false);
        attr_hex(pn, "hex", c->p + 2, c->p[1]);
        if (c->p[1] >= 1 && c->p[1] <= 4)
            attr_num(pn, "value", be(c->p + 2, c->p[1]));
        c->p += 2u + c->p[1];
    }
    finish(grp, c, NULL);
}

static void hdlc_frame(struct node *root, struct cur *c)
{
    const uint8_t *p = c->p;
    struct mtr_dlms_hdlc_frame f;
    mtr_err_t err = mtr_dlms_hdlc_parse(&p, c->end, &f);
    if (err != MTR_OK) {
        c->err = mtr_strerror(err);
        return;
    }
    size_t hdr = 3u + f.dst.size + f.src.size + 1u;
    size_t total = hdr + (f.info_len ? 2u + f.info_len : 0u) + 3u;
    if (total != (size_t)(p - c->p)) {
        c->err = "frame layout not understood";
        return;
    }
    struct cur in = {c->p, p, NULL};
    struct node *fr = add(root, node_new("frame"));
    uint64_t fmt;
    take_hex(fr, "flag", &in, 1);
    struct node *fn = take_uint(fr, "format", &in, 2, &fmt);
    set_attr(fn, "type", (fmt >> 12) == 0xA ? "3" : "unknown", false);
    set_attr(fn, "segmented", (fmt & 0x0800) ? "1" : "0", true);
    attr_num(fn, "length", fmt & 0x07FF);
    explain_addr(take_hex(fr, "destination", &in, f.dst.size), &f.dst);
    explain_addr(take_hex(fr, "source", &in, f.src.size), &f.src);
    explain_control(take_uint(fr, "control", &in, 1, NULL), f.control);
    if (f.info_len) {
        set_attr(take_hex(fr, "hcs", &in, 2), "check", "ok", false);
        struct node *info = add(fr, node_new("information"));
        struct cur ic = {in.p, in.p + f.info_len, NULL};
        uint8_t kind = f.control & (uint8_t)~MTR_DLMS_HDLC_PF;
        bool iframe = (f.control & 1) == 0 || kind == MTR_DLMS_HDLC_UI;
        if (iframe && f.info_len >= 3 && ic.p[0] == 0xE6 && (ic.p[1] & 0xFE) == 0xE6 && ic.p[2] == 0) {
            bool req = ic.p[1] == 0xE6;
            set_attr(take_hex(info, "llc", &ic, 3), "direction", req ? "request" : "response", false);
            if (!f.segmented)
                decode_apdu(info, &ic);
            else
                take_hex(info, "segment", &ic, left(&ic));
        } else if (kind == MTR_DLMS_HDLC_SNRM || kind == MTR_DLMS_HDLC_UA) {
            hdlc_params(info, &ic);
        } else {
            take_hex(info, "data", &ic, left(&ic));
        }
        finish(info, &ic, NULL);
        in.p += f.info_len;
    }
    set_attr(take_hex(fr, "fcs", &in, 2), "check", "ok", false);
    take_hex(fr, "flag", &in, 1);
    c->p = p;
}

/* ------------------------------------------------------------------ modes */

enum mode { MODE_APDU, MODE_FRAME, MODE_WRAPPER, MODE_DATA };

static void wrapper(struct node *root, struct cur *c)
{
    if (!need(c, MTR_DLMS_WRAPPER_HEADER))
        return;
    struct node *w = add(root, node_new("wrapper"));
    uint64_t len;
    take_uint(w, "version", c, 2, NULL);
    take_uint(w, "source-wport", c, 2, NULL);
    take_uint(w, "destination-wport", c, 2, NULL);
    if (be(c->p, 2) == left(c) - 2) {
        struct node *d = add(w, node_new("apdu"));
        set_attr(d, "len", "u16", false);
        c->p += 2;
        decode_apdu(d, c);
    } else {
        struct node *l = take_uint(w, "length", c, 2, &len);
        set_attr(l, "error", "length does not match the bytes that follow", false);
        take_hex(w, "data", c, left(c));
    }
}

static struct node *decode(enum mode mode, const uint8_t *b, size_t len)
{
    static const char *const names[] = {"apdu", "frame", "wrapper", "data"};
    static const uint8_t none[1];
    if (b == NULL)
        b = none; /* empty input: no pointer arithmetic on NULL */
    struct node *root = node_new("dlms");
    struct cur c = {b, b + len, NULL};
    set_attr(root, "input", names[mode], false);
    switch (mode) {
    case MODE_APDU: decode_apdu(root, &c); break;
    case MODE_WRAPPER: wrapper(root, &c); break;
    case MODE_DATA:
        while (c.err == NULL && c.p < c.end)
            take_data(root, "value", &c);
        break;
    case MODE_FRAME:
        while (c.err == NULL && c.p < c.end)
            hdlc_frame(root, &c);
        break;
    }
    finish(root, &c, "trailing bytes");
    /* Safety net: a tree that does not give back its input is replaced by the input itself. */
    struct buf o = {0};
    bool same = encode_node(root, &o) && o.len == len && (len == 0 || memcmp(o.b, b, len) == 0);
    free(o.b);
    if (!same) {
        node_free(root);
        root = node_new("dlms");
        set_attr(root, "input", names[mode], false);
        set_attr(hex_leaf(root, "undecoded", b, len), "error", "decoded form not exact", false);
    }
    return root;
}

/* ================================================================ output */

static void xml_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

static void write_xml(FILE *f, const struct node *n, int depth)
{
    fprintf(f, "%*s<%s", 2 * depth, "", n->name);
    for (size_t i = 0; i < n->nattrs; i++) {
        fprintf(f, " %s=\"", n->attrs[i].key);
        xml_escaped(f, n->attrs[i].val);
        fputc('"', f);
    }
    if (n->nkids == 0) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n", f);
    for (size_t i = 0; i < n->nkids; i++)
        write_xml(f, n->kids[i], depth + 1);
    fprintf(f, "%*s</%s>\n", 2 * depth, "", n->name);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void write_json(FILE *f, const struct node *n, int depth)
{
    fprintf(f, "%*s{\"element\": ", 2 * depth, "");
    json_string(f, n->name);
    for (size_t i = 0; i < n->nattrs; i++) {
        fputs(", ", f);
        json_string(f, n->attrs[i].key);
        fputs(": ", f);
        if (n->attrs[i].num)
            fputs(n->attrs[i].val, f);
        else
            json_string(f, n->attrs[i].val);
    }
    if (n->nkids > 0) {
        fputs(", \"children\": [\n", f);
        for (size_t i = 0; i < n->nkids; i++) {
            write_json(f, n->kids[i], depth + 1);
            fputs(i + 1 < n->nkids ? ",\n" : "\n", f);
        }
        fprintf(f, "%*s]", 2 * depth, "");
    }
    fputc('}', f);
    if (depth == 0)
        fputc('\n', f);
}

/* ================================================================ parsers */

struct src {
    const char *p;
    const char *err;
    int line;
};

static void skip_ws(struct src *s)
{
    while (isspace((unsigned char)*s->p)) {
        if (*s->p == '\n')
            s->line++;
        s->p++;
    }
}

static bool serr(struct src *s, const char *m)
{
    if (s->err == NULL)
        s->err = m;
    return false;
}

static bool xml_name_char(int c) { return isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':'; }

static char *xml_name(struct src *s)
{
    const char *b = s->p;
    while (xml_name_char((unsigned char)*s->p))
        s->p++;
    if (s->p == b) {
        serr(s, "name expected");
        return NULL;
    }
    return xstrndup(b, (size_t)(s->p - b));
}

/* Skips <?xml ...?> and <!-- ... --> before an element. */
static void xml_skip_misc(struct src *s)
{
    for (;;) {
        skip_ws(s);
        if (strncmp(s->p, "<?", 2) == 0) {
            const char *e = strstr(s->p, "?>");
            s->p = e ? e + 2 : s->p + strlen(s->p);
        } else if (strncmp(s->p, "<!--", 4) == 0) {
            const char *e = strstr(s->p, "-->");
            s->p = e ? e + 3 : s->p + strlen(s->p);
        } else {
            return;
        }
    }
}

static char *xml_value(struct src *s)
{
    char q = *s->p;
    if (q != '"' && q != '\'') {
        serr(s, "quoted attribute value expected");
        return NULL;
    }
    s->p++;
    size_t cap = strlen(s->p) + 1, n = 0;
    char *v = xrealloc(NULL, cap);
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    while (*s->p && *s->p != q) {
        if (*s->p == '&') {
            size_t i;
            for (i = 0; i < 5; i++)
                if (strncmp(s->p, ents[i].ent, strlen(ents[i].ent)) == 0)
                    break;
            if (i == 5) {
                free(v);
                serr(s, "unknown entity");
                return NULL;
            }
            v[n++] = ents[i].ch;
            s->p += strlen(ents[i].ent);
        } else {
            v[n++] = *s->p++;
        }
    }
    if (*s->p != q) {
        free(v);
        serr(s, "unterminated attribute value");
        return NULL;
    }
    s->p++;
    v[n] = '\0';
    return v;
}

static struct node *xml_element(struct src *s, int depth)
{
    if (depth > 200 || !(xml_skip_misc(s), *s->p == '<')) {
        serr(s, depth > 200 ? "nesting too deep" : "'<' expected");
        return NULL;
    }
    s->p++;
    char *name = xml_name(s);
    if (name == NULL)
        return NULL;
    struct node *n = node_new(name);
    free(name);
    for (;;) {
        skip_ws(s);
        if (strncmp(s->p, "/>", 2) == 0) {
            s->p += 2;
            return n;
        }
        if (*s->p == '>') {
            s->p++;
            break;
        }
        char *k = xml_name(s);
        if (k == NULL)
            goto bad;
        skip_ws(s);
        if (*s->p != '=') {
            free(k);
            serr(s, "'=' expected");
            goto bad;
        }
        s->p++;
        skip_ws(s);
        char *v = xml_value(s);
        if (v == NULL) {
            free(k);
            goto bad;
        }
        if (get_attr(n, k) != NULL) {
            free(k);
            free(v);
            serr(s, "duplicate attribute");
            goto bad;
        }
        set_attr(n, k, v, false);
        free(k);
        free(v);
    }
    for (;;) {
        xml_skip_misc(s);
        if (strncmp(s->p, "</", 2) == 0) {
            s->p += 2;
            char *e = xml_name(s);
            bool ok = e != NULL && strcmp(e, n->name) == 0;
            free(e);
            skip_ws(s);
            if (!ok || *s->p != '>') {
                serr(s, "mismatched end tag");
                goto bad;
            }
            s->p++;
            return n;
        }
        if (*s->p != '<') {
            serr(s, "text content is not allowed (data lives in attributes)");
            goto bad;
        }
        struct node *k = xml_element(s, depth + 1);
        if (k == NULL)
            goto bad;
        add(n, k);
    }
bad:
    node_free(n);
    return NULL;
}

static char *json_str(struct src *s)
{
    if (*s->p != '"') {
        serr(s, "string expected");
        return NULL;
    }
    s->p++;
    size_t n = 0;
    char *v = xrealloc(NULL, strlen(s->p) + 1);
    while (*s->p && *s->p != '"') {
        char ch = *s->p++;
        if (ch == '\\') {
            ch = *s->p++;
            switch (ch) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case '"': case '\\': case '/': break;
            case 'u': {
                unsigned u = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval((unsigned char)*s->p);
                    if (h < 0) {
                        free(v);
                        serr(s, "bad \\u escape");
                        return NULL;
                    }
                    u = u << 4 | (unsigned)h;
                    s->p++;
                }
                if (u == 0 || u > 0x7F) {
                    free(v);
                    serr(s, "only ASCII \\u escapes are supported");
                    return NULL;
                }
                ch = (char)u;
                break;
            }
            default:
                free(v);
                serr(s, "bad escape");
                return NULL;
            }
        }
        v[n++] = ch;
    }
    if (*s->p != '"') {
        free(v);
        serr(s, "unterminated string");
        return NULL;
    }
    s->p++;
    v[n] = '\0';
    return v;
}

static struct node *json_object(struct src *s, int depth)
{
    skip_ws(s);
    if (depth > 200 || *s->p != '{') {
        serr(s, depth > 200 ? "nesting too deep" : "'{' expected");
        return NULL;
    }
    s->p++;
    struct node *n = node_new("");
    bool named = false;
    skip_ws(s);
    if (*s->p == '}') {
        serr(s, "\"element\" missing");
        goto bad;
    }
    for (;;) {
        skip_ws(s);
        char *k = json_str(s);
        if (k == NULL)
            goto bad;
        skip_ws(s);
        if (*s->p != ':') {
            free(k);
            serr(s, "':' expected");
            goto bad;
        }
        s->p++;
        skip_ws(s);
        if (strcmp(k, "children") == 0) {
            free(k);
            if (*s->p != '[') {
                serr(s, "'[' expected");
                goto bad;
            }
            s->p++;
            skip_ws(s);
            while (*s->p != ']') {
                struct node *kid = json_object(s, depth + 1);
                if (kid == NULL)
                    goto bad;
                add(n, kid);
                skip_ws(s);
                if (*s->p == ',') {
                    s->p++;
                    skip_ws(s);
                } else if (*s->p != ']') {
                    serr(s, "',' or ']' expected");
                    goto bad;
                }
            }
            s->p++;
        } else {
            char *v;
            bool num = false;
            if (*s->p == '"') {
                v = json_str(s);
            } else {
                const char *b = s->p;
                while (*s->p && (isalnum((unsigned char)*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
                    s->p++;
                v = s->p > b ? xstrndup(b, (size_t)(s->p - b)) : NULL;
                num = true;
                if (v == NULL)
                    serr(s, "value expected");
            }
            if (v == NULL) {
                free(k);
                goto bad;
            }
            if (strcmp(k, "element") == 0) {
                free(n->name);
                n->name = v;
                named = true;
            } else if (get_attr(n, k) != NULL) {
                free(v);
                free(k);
                serr(s, "duplicate key");
                goto bad;
            } else {
                set_attr(n, k, v, num);
                free(v);
            }
            free(k);
        }
        skip_ws(s);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            break;
        }
        serr(s, "',' or '}' expected");
        goto bad;
    }
    if (!named) {
        serr(s, "\"element\" missing");
        goto bad;
    }
    return n;
bad:
    node_free(n);
    return NULL;
}

/* ================================================================ main */

static void usage(FILE *f)
{
    fputs("usage: dlms-translate decode [--xml|--json] [--apdu|--frame|--wrapper|--data] [HEX...]\n"
          "       dlms-translate encode [--xml|--json] < FILE\n"
          "       dlms-translate --help\n"
          "\n"
          "decode  reads hex (arguments, or standard input when there are none; white space\n"
          "        between bytes is allowed) and prints it as XML (default) or JSON:\n"
          "        --apdu     one xDLMS or ACSE APDU (default)\n"
          "        --frame    HDLC frames, flags included (IEC 62056-46)\n"
          "        --wrapper  a TCP/UDP wrapper message (IEC 62056-47)\n"
          "        --data     A-XDR Data values\n"
          "encode  reads the XML or JSON of decode (format guessed when not given) and prints\n"
          "        the bytes as hex: encode(decode(x)) == x.\n"
          "exit status: 0 ok, 1 input that cannot be decoded or encoded, 2 bad usage.\n"
          "formats: docs/translator.md\n",
          f);
}

static char *read_all(FILE *f)
{
    size_t cap = 4096, n = 0, r;
    char *s = xrealloc(NULL, cap);
    while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            s = xrealloc(s, cap);
        }
    }
    s[n] = '\0';
    return s;
}

static int cmd_decode(int argc, char **argv)
{
    bool json = false;
    enum mode mode = MODE_APDU;
    struct buf in = {0};
    int first = argc;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--xml") == 0) json = false;
        else if (strcmp(a, "--json") == 0) json = true;
        else if (strcmp(a, "--apdu") == 0) mode = MODE_APDU;
        else if (strcmp(a, "--frame") == 0) mode = MODE_FRAME;
        else if (strcmp(a, "--wrapper") == 0) mode = MODE_WRAPPER;
        else if (strcmp(a, "--data") == 0) mode = MODE_DATA;
        else if (strcmp(a, "--") == 0) { first = i + 1; break; }
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "dlms-translate: unknown option %s\n", a);
            return 2;
        } else { first = i; break; }
    }
    bool ok = true;
    if (first < argc) {
        for (int i = first; ok && i < argc; i++)
            ok = parse_hex(argv[i], &in);
    } else {
        char *s = read_all(stdin);
        ok = parse_hex(s, &in);
        free(s);
    }
    if (!ok) {
        fputs("dlms-translate: input is not hex (pairs of hex digits, white space between bytes)\n", stderr);
        free(in.b);
        return 2;
    }
    struct node *root = decode(mode, in.b, in.len);
    if (json)
        write_json(stdout, root, 0);
    else
        write_xml(stdout, root, 0);
    node_free(root);
    free(in.b);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_encode(int argc, char **argv)
{
    int fmt = 0; /* 0 guess, 1 xml, 2 json */
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--xml") == 0) fmt = 1;
        else if (strcmp(argv[i], "--json") == 0) fmt = 2;
        else {
            fprintf(stderr, "dlms-translate: unexpected argument %s (encode reads standard input)\n", argv[i]);
            return 2;
        }
    }
    char *text = read_all(stdin);
    struct src s = {text, NULL, 1};
    skip_ws(&s);
    if (fmt == 0)
        fmt = *s.p == '{' ? 2 : 1;
    struct node *root = fmt == 2 ? json_object(&s, 0) : xml_element(&s, 0);
    if (root != NULL) {
        fmt == 2 ? skip_ws(&s) : xml_skip_misc(&s);
        if (*s.p != '\0') {
            serr(&s, "text after the document");
            node_free(root);
            root = NULL;
        }
    }
    if (root == NULL) {
        fprintf(stderr, "dlms-translate: line %d: %s\n", s.line, s.err ? s.err : "bad document");
        free(text);
        return 1;
    }
    free(text);
    struct buf o = {0};
    bool ok = encode_node(root, &o);
    node_free(root);
    if (!ok) {
        fprintf(stderr, "dlms-translate: %s\n", enc_err);
        free(o.b);
        return 1;
    }
    for (size_t i = 0; i < o.len; i++)
        printf("%02X", o.b[i]);
    putchar('\n');
    free(o.b);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "decode") == 0)
        return cmd_decode(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "encode") == 0)
        return cmd_encode(argc - 2, argv + 2);
    usage(stderr);
    return 2;
}
