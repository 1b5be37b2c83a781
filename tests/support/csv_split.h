/* SPDX-License-Identifier: Apache-2.0 */
/* Tests: split one line of a seed CSV file (/work/shared/reference, *.csv) in place. */
#ifndef TESTS_SUPPORT_CSV_SPLIT_H
#define TESTS_SUPPORT_CSV_SPLIT_H

#include <stdbool.h>
#include <string.h>

#define CSV_LINE 2048
#define CSV_MAX_FIELDS 16

/* Split one CSV line in place (RFC 4180 quotes, the line end dropped) into at
 * most CSV_MAX_FIELDS fields of f; returns the field count. */
static inline int csv_split(char *line, char **f)
{
    int n = 0;
    char *r = line, *w = line;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < CSV_MAX_FIELDS) {
        bool q = *r == '"';
        f[n++] = w;
        if (q) {
            r++;
        }
        while (*r != '\0') {
            if (q && r[0] == '"' && r[1] == '"') {
                *w++ = '"';
                r += 2;
            } else if (q && *r == '"') {
                q = false;
                r++;
            } else if (!q && *r == ',') {
                break;
            } else {
                *w++ = *r++;
            }
        }
        if (*r != ',') {
            *w = '\0';
            break;
        }
        r++;
        *w++ = '\0';
    }
    return n;
}

#endif /* TESTS_SUPPORT_CSV_SPLIT_H */
