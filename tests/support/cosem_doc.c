/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docs/objects.md from the COSEM object table: every object of
 * mtr_cosem_table() with its logical name, interface class, version, name
 * and, per role, the attributes it may read and write and the methods it
 * may call.
 *
 *   cosem-doc                 print the page
 *   cosem-doc --check FILE    TAP: FILE is the page (else: how to regenerate it)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/config.h"
#include "meter/cosem.h"

static char page[1 << 20];
static size_t used;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(page + used, sizeof page - used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof page - used) {
        fprintf(stderr, "cosem-doc: page too large\n");
        exit(2);
    }
    used += (size_t)n;
}

/* "1-3,5" for the bits of @p mask (bit n-1 = attribute or method n). */
static void ranges(const char *what, uint32_t mask, int *first)
{
    if (mask == 0) {
        return;
    }
    out("%s%s ", *first ? "" : "; ", what);
    *first = 0;
    int sep = 0;
    for (int n = 1; n <= 32; n++) {
        if (!((mask >> (n - 1)) & 1u)) {
            continue;
        }
        int m = n;
        while (m < 32 && ((mask >> m) & 1u)) {
            m++;
        }
        out(sep ? "," : "");
        if (m == n) {
            out("%d", n);
        } else {
            out("%d-%d", n, m);
        }
        sep = 1;
        n = m;
    }
}

static void rights(const struct mtr_dlms_access *a)
{
    int first = 1;
    ranges("get", a->get, &first);
    ranges("set", a->set, &first);
    ranges("act", a->act, &first);
    if (first) {
        out("-");
    }
}

static const char *const ROLE_NAMES[MTR_COSEM_ROLES] = {
    [MTR_COSEM_ROLE_PUBLIC] = "public",
    [MTR_COSEM_ROLE_MANAGEMENT] = "management",
    [MTR_COSEM_ROLE_LEVEL1] = "level 1",
    [MTR_COSEM_ROLE_LEVEL2] = "level 2",
    [MTR_COSEM_ROLE_LEVEL3] = "level 3",
    [MTR_COSEM_ROLE_PRE_ESTABLISHED] = "pre-established",
};

static void generate(void)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);

    out("<!-- SPDX-License-Identifier: Apache-2.0 -->\n");
    out("# COSEM objects\n\n");
    out("<!-- Generated from the object table by tests/support/cosem_doc.c (test cosem-objects-doc);\n"
        "     do not edit: regenerate with `<build>/tests/unit/cosem/cosem-doc > docs/objects.md`. -->\n\n");
    out("The object table of `mtr_cosem_table()` in the default configuration "
        "(%d tariffs, %d phase%s, %d demand quantities, harmonics %s): %u objects. "
        "The model, the roles and the decisions behind the rights are in "
        "[cosem.md](cosem.md).\n\n",
        MTR_CFG_TARIFFS, MTR_CFG_PHASES, MTR_CFG_PHASES == 1 ? "" : "s",
        MTR_CFG_CALENDAR_DEMAND_QUANTITIES, MTR_CFG_HARMONICS ? "on" : "off", n);
    out("Rights per role (association profile = `enum mtr_cosem_role`): `get` the attributes it may "
        "read, `set` those it may write, `act` the methods it may call; `-` no access at all. "
        "Attribute 1 (logical_name) is answered by the DLMS server to the roles that may "
        "read it and is never written.\n\n");
    out("| logical name | class | ver | name |");
    for (int r = 0; r < MTR_COSEM_ROLES; r++) {
        out(" %s |", ROLE_NAMES[r]);
    }
    out("\n|---|---|---|---|");
    for (int r = 0; r < MTR_COSEM_ROLES; r++) {
        out("---|");
    }
    out("\n");
    for (uint16_t k = 0; k < n; k++) {
        const struct mtr_dlms_obj *o = &t[k];
        out("| %u-%u:%u.%u.%u.%u | %u | %u | %s |", o->obis[0], o->obis[1], o->obis[2], o->obis[3],
            o->obis[4], o->obis[5], o->class_id, o->version, mtr_cosem_object_name(k));
        for (int r = 0; r < MTR_COSEM_ROLES; r++) {
            out(" ");
            rights(&o->access[r]);
            out(" |");
        }
        out("\n");
    }
}

int main(int argc, char **argv)
{
    generate();
    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        FILE *f = fopen(argv[2], "rb");
        static char doc[sizeof page];
        size_t got = 0;
        if (f != NULL) {
            got = fread(doc, 1, sizeof doc, f);
            fclose(f);
        }
        printf("1..1\n");
        if (got == used && memcmp(doc, page, used) == 0) {
            printf("ok 1 - %s is the object table\n", argv[2]);
            return 0;
        }
        printf("not ok 1 - %s differs from the object table\n", argv[2]);
        printf("# regenerate it with: %s > %s\n", argv[0], argv[2]);
        return 1;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--check docs/objects.md]\n", argv[0]);
        return 2;
    }
    fwrite(page, 1, used, stdout);
    return 0;
}
