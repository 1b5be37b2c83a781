/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file board_print.h
 * @brief Test images of the board: one console line built up in a buffer and
 *        written through semihosting, with no libc formatting.
 *
 * The including file may set BOARD_LINE_CAP (bytes of a line, with its '\n'
 * and NUL) before it includes this header; text beyond it is cut.
 */
#ifndef MPS2_BOARD_PRINT_H
#define MPS2_BOARD_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include "semihost.h"

#ifndef BOARD_LINE_CAP
#define BOARD_LINE_CAP 240u
#endif

struct line {
    char buf[BOARD_LINE_CAP];
    size_t len;
};

static inline void put_char(struct line *l, char c)
{
    if (l->len < sizeof l->buf - 2u) { /* room for '\n' and NUL */
        l->buf[l->len++] = c;
    }
}

/* Line breaks in s become spaces: one call, at most one console line. */
static inline void put_str(struct line *l, const char *s)
{
    for (; *s != '\0'; s++) {
        put_char(l, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

static inline void put_u64(struct line *l, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0) {
        put_char(l, digits[--n]);
    }
}

static inline void put_i64(struct line *l, int64_t v)
{
    if (v < 0) {
        put_char(l, '-');
        put_u64(l, 0u - (uint64_t)v);
    } else {
        put_u64(l, (uint64_t)v);
    }
}

/* " key=value" */
static inline void put_kv(struct line *l, const char *key, int64_t v)
{
    put_char(l, ' ');
    put_str(l, key);
    put_char(l, '=');
    put_i64(l, v);
}

static inline void put_hex(struct line *l, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        put_char(l, hex[p[i] >> 4]);
        put_char(l, hex[p[i] & 15u]);
    }
}

/* Write the line with its '\n' and empty it. */
static inline void line_end(struct line *l)
{
    l->buf[l->len++] = '\n';
    l->buf[l->len] = '\0';
    semihost_write0(l->buf);
    l->len = 0;
}

static inline void print(const char *s)
{
    struct line l = {.len = 0};
    put_str(&l, s);
    line_end(&l);
}

/* "assert: <file>:<line>", for the core's assert hook. */
static inline void print_assert(const char *file, int line)
{
    struct line l = {.len = 0};
    put_str(&l, "assert: ");
    put_str(&l, file != NULL ? file : "?");
    put_char(&l, ':');
    put_i64(&l, line);
    line_end(&l);
}

#endif /* MPS2_BOARD_PRINT_H */
