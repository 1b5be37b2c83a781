/* SPDX-License-Identifier: Apache-2.0 */
/* Loader of the tests/vectors/dlms_*.data files: "name: HEX ; source" per line. */
#ifndef DLMS_VECTORS_H
#define DLMS_VECTORS_H

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VEC_MAX 64
#define VEC_BYTES 600

struct vec {
    char name[64];
    uint8_t b[VEC_BYTES];
    size_t len;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = toupper(c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Loads every vector of MTR_TEST_VECTORS/file; returns how many. */
static size_t vec_load(const char *file, struct vec *v, size_t max)
{
    char path[512];
    char line[2048];
    size_t n = 0;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", MTR_TEST_VECTORS, file);
    f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        char *s;
        if (line[0] == '#' || colon == NULL)
            continue;
        cr_assert_lt(n, max);
        *colon = 0;
        snprintf(v[n].name, sizeof v[n].name, "%.63s", line);
        v[n].len = 0;
        for (s = colon + 1; *s && *s != ';'; s++) {
            int hi, lo;
            if (isspace((unsigned char)*s))
                continue;
            hi = hexval(s[0]);
            lo = hexval(s[1]);
            cr_assert(hi >= 0 && lo >= 0, "bad hex in %s", v[n].name);
            cr_assert_lt(v[n].len, VEC_BYTES);
            v[n].b[v[n].len++] = (uint8_t)(hi << 4 | lo);
            s++;
        }
        cr_assert(*s == ';', "vector %s names no source", v[n].name);
        n++;
    }
    fclose(f);
    return n;
}

static const struct vec *vec_find(const struct vec *v, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(v[k].name, name) == 0)
            return &v[k];
    cr_assert_fail("no vector %s", name);
    return NULL;
}

#endif
