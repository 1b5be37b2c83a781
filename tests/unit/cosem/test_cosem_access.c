/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every object of the table, every role, through the DLMS server with real
 * APDUs: each attribute read (allowed: success and one A-XDR value of the
 * Blue Book type; forbidden: read-write-denied), each writable attribute
 * written with the value it holds and read back (allowed) or refused
 * (forbidden), each method called (allowed: not refused for rights;
 * forbidden: read-write-denied). Write-only attributes (secrets) are written
 * with null-data, which only the rights may refuse as read-write-denied.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cosem_rig.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z */

static const char *const ROLE[MTR_COSEM_ROLES] = {"public", "management", "level1",
                                                  "level2", "level3", "pre-established"};

/* Blue Book (IEC 62056-6-2) type of attribute a of class c, -1: a CHOICE or not listed. */
struct attr_type {
    uint16_t cls;
    uint8_t attr;
    uint8_t tag;
};

#define OS MTR_DLMS_OCTET_STRING
#define AR MTR_DLMS_ARRAY
#define ST MTR_DLMS_STRUCTURE
#define EN MTR_DLMS_ENUM
#define U8 MTR_DLMS_UNSIGNED
#define U16 MTR_DLMS_LONG_UNSIGNED
#define U32 MTR_DLMS_DOUBLE_LONG_UNSIGNED
#define I8 MTR_DLMS_INTEGER
#define I16 MTR_DLMS_LONG
#define BO MTR_DLMS_BOOLEAN
static const struct attr_type TYPES[] = {
    {3, 3, ST},                                                                    /* register */
    {4, 3, ST}, {4, 5, OS},                                                        /* extended register */
    {5, 4, ST}, {5, 6, OS}, {5, 7, OS}, {5, 8, U32}, {5, 9, U16},                  /* demand register */
    {6, 2, AR}, {6, 3, AR}, {6, 4, OS},                                            /* register activation */
    {7, 2, AR}, {7, 3, AR}, {7, 4, U32}, {7, 5, EN}, {7, 6, ST}, {7, 7, U32}, {7, 8, U32}, /* profile */
    {8, 2, OS}, {8, 3, I16}, {8, 4, U8}, {8, 5, OS}, {8, 6, OS}, {8, 7, I8}, {8, 8, BO}, {8, 9, EN}, /* clock */
    {9, 2, AR},                                                                    /* script table */
    {11, 2, AR},                                                                   /* special days */
    {15, 2, AR}, {15, 3, ST}, {15, 5, ST}, {15, 8, EN}, {15, 9, OS},               /* association LN */
    {17, 2, AR},                                                                   /* SAP assignment */
    {18, 2, U32}, {18, 3, MTR_DLMS_BIT_STRING}, {18, 4, U32}, {18, 5, BO}, {18, 6, EN}, {18, 7, AR},
    {19, 2, EN}, {19, 3, EN}, {19, 4, EN}, {19, 5, EN}, {19, 6, OS},               /* IEC local port */
    {20, 2, OS}, {20, 3, AR}, {20, 4, AR}, {20, 5, AR}, {20, 6, OS}, {20, 7, AR}, {20, 8, AR},
    {20, 9, AR}, {20, 10, OS},                                                     /* activity calendar */
    {21, 2, AR}, {21, 3, ST}, {21, 4, AR},                                         /* register monitor */
    {22, 2, ST}, {22, 3, EN}, {22, 4, AR},                                         /* single action schedule */
    {23, 2, EN}, {23, 3, U8}, {23, 4, U8}, {23, 5, U16}, {23, 6, U16}, {23, 7, U16}, {23, 8, U16},
    {23, 9, U16},                                                                  /* IEC HDLC setup */
    {40, 2, AR}, {40, 3, ST}, {40, 4, AR}, {40, 5, U16}, {40, 6, U8},              /* push setup */
    {41, 2, U16}, {41, 3, OS}, {41, 4, U16}, {41, 5, U8}, {41, 6, U16},            /* TCP-UDP setup */
    {43, 2, OS},                                                                   /* MAC address setup */
    {45, 2, OS},                                                                   /* GPRS modem setup */
    {64, 3, EN}, {64, 4, OS}, {64, 5, OS},                                         /* security setup */
    {70, 2, BO}, {70, 3, EN}, {70, 4, EN},                                         /* disconnect control */
    {71, 2, ST}, {71, 6, U32}, {71, 7, U32}, {71, 8, ST}, {71, 9, AR}, {71, 10, BO}, {71, 11, ST}, /* limiter */
    {115, 2, OS}, {115, 3, OS}, {115, 4, AR}, {115, 5, EN}, {115, 6, ST},         /* token gateway */
};

static int expect_tag(uint16_t cls, uint8_t attr)
{
    if (attr == 1) {
        return OS;
    }
    for (size_t k = 0; k < sizeof TYPES / sizeof TYPES[0]; k++) {
        if (TYPES[k].cls == cls && TYPES[k].attr == attr) {
            return TYPES[k].tag;
        }
    }
    return -1;
}

/* Highest attribute (set = false: methods) any role may use, at least 1. */
static uint8_t highest(const struct mtr_dlms_obj *o, bool methods)
{
    uint32_t all = methods ? 0 : 1;
    for (int r = 0; r < MTR_COSEM_ROLES; r++) {
        all |= methods ? (uint32_t)o->access[r].act : (uint32_t)(o->access[r].get | o->access[r].set);
    }
    uint8_t n = 0;
    while (n < 32 && (all >> n) != 0) {
        n++;
    }
    return n;
}

static bool bit(uint32_t mask, uint8_t n)
{
    return (mask >> (n - 1)) & 1u;
}

static void obj_name(const struct mtr_dlms_obj *o, char *b, size_t cap)
{
    int k = (int)(o - mtr_cosem_table(&(uint16_t){0}));
    snprintf(b, cap, "%u-%u:%u.%u.%u.%u (class %u, %s)", o->obis[0], o->obis[1], o->obis[2],
             o->obis[3], o->obis[4], o->obis[5], o->class_id, mtr_cosem_object_name((uint16_t)k));
}

/* The value in r->val is one whole A-XDR value, of the Blue Book type. */
static void check_value(struct cosem_rig *r, const struct mtr_dlms_obj *o, uint8_t attr, const char *who)
{
    const uint8_t *p = r->val;
    cr_expect_gt(r->val_len, 0, "%s attr %u: empty value", who, attr);
    if (r->val_len == 0) {
        return;
    }
    cr_expect_eq(mtr_dlms_axdr_skip(&p, r->val + r->val_len), MTR_OK, "%s attr %u: not A-XDR", who, attr);
    cr_expect_eq(p, r->val + r->val_len, "%s attr %u: bytes after the value", who, attr);
    int tag = expect_tag(o->class_id, attr);
    if (tag >= 0) {
        cr_expect_eq(r->val[0], tag, "%s attr %u: type %u, Blue Book %d", who, attr, r->val[0], tag);
    }
    if (attr == 1) {
        cr_expect(r->val_len == 8 && r->val[1] == 6 && memcmp(r->val + 2, o->obis, 6) == 0,
                  "%s: logical name", who);
    }
}

Test(cosem_access, every_attribute_read_by_every_role)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    unsigned allowed = 0, denied = 0;

    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        for (uint16_t k = 0; k < n; k++) {
            const struct mtr_dlms_obj *o = &t[k];
            char who[160];
            obj_name(o, who, sizeof who);
            for (uint8_t a = 1; a <= highest(o, false); a++) {
                int dar = cosem_rig_get(r, o->class_id, o->obis, a);
                if (bit(o->access[role].get, a)) {
                    cr_expect_eq(dar, 0, "%s: %s reads attr %u: result %d", ROLE[role], who, a, dar);
                    if (dar == 0) {
                        check_value(r, o, a, who);
                    }
                    allowed++;
                } else {
                    cr_expect_eq(dar, MTR_DLMS_DAR_READ_WRITE_DENIED, "%s: %s attr %u must be denied, got %d",
                                 ROLE[role], who, a, dar);
                    denied++;
                }
            }
        }
    }
    cr_assert_gt(allowed, 0);
    cr_assert_gt(denied, 0);
    cosem_rig_free(r);
}

/* A role that may read attribute @p a, or -1. */
static int reader(const struct mtr_dlms_obj *o, uint8_t a)
{
    static const int order[] = {MTR_COSEM_ROLE_MANAGEMENT, MTR_COSEM_ROLE_LEVEL3, MTR_COSEM_ROLE_LEVEL2,
                                MTR_COSEM_ROLE_LEVEL1, MTR_COSEM_ROLE_PUBLIC};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        if (bit(o->access[order[k]].get, a)) {
            return order[k];
        }
    }
    return -1;
}

/*
 * Attributes whose write clears the bits written as 1 (alarm registers and
 * descriptors: write back what was read), so that they read back as zero.
 */
static bool write_clears(const struct mtr_dlms_obj *o, uint8_t a)
{
    static const uint8_t cleared[][6] = {{0, 0, 97, 98, 0, 255}, {0, 0, 97, 98, 1, 255},
                                         {0, 0, 97, 98, 20, 255}, {0, 0, 97, 98, 21, 255}};
    for (size_t k = 0; k < sizeof cleared / sizeof cleared[0]; k++) {
        if (o->class_id == 1 && a == 2 && memcmp(o->obis, cleared[k], 6) == 0) {
            return true;
        }
    }
    return false;
}

/* The value read back after writing @p v (@p len bytes). */
static bool reads_back(const struct cosem_rig *r, const struct mtr_dlms_obj *o, uint8_t a, const uint8_t *v,
                       size_t len)
{
    if (r->val_len != len || r->val[0] != v[0]) {
        return false;
    }
    if (!write_clears(o, a)) {
        return memcmp(r->val, v, len) == 0;
    }
    for (size_t k = 1; k < len; k++) {
        if (r->val[k] != 0) {
            return false;
        }
    }
    return true;
}

Test(cosem_access, every_writable_attribute_written_by_every_role)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    static uint8_t v[COSEM_RIG_VALUE_MAX];
    unsigned written = 0, refused = 0;

    for (uint16_t k = 0; k < n; k++) {
        const struct mtr_dlms_obj *o = &t[k];
        uint32_t any = 0;
        for (int role = 0; role < MTR_COSEM_ROLES; role++) {
            any |= o->access[role].set;
        }
        if (any == 0) {
            continue;
        }
        char who[160];
        obj_name(o, who, sizeof who);
        struct cosem_rig *r = cosem_rig_new(T0);
        for (uint8_t a = 2; a <= 32; a++) {
            if (!bit(any, a)) {
                continue;
            }
            int rd = reader(o, a);
            if (rd < 0) {
                /* write-only (a secret, a key): no valid value to write back;
                 * null-data is refused for its type, never for the rights */
                for (int role = 0; role < MTR_COSEM_ROLES; role++) {
                    cosem_rig_assoc(r, role);
                    int dar = cosem_rig_set(r, o->class_id, o->obis, a, (const uint8_t[]){0}, 1);
                    if (bit(o->access[role].set, a)) {
                        cr_expect(dar != MTR_DLMS_DAR_READ_WRITE_DENIED && dar != MTR_DLMS_DAR_OBJECT_UNAVAILABLE,
                                  "%s: %s writes attr %u: result %d", ROLE[role], who, a, dar);
                    } else {
                        cr_expect_eq(dar, MTR_DLMS_DAR_READ_WRITE_DENIED, "%s: %s attr %u write must be denied",
                                     ROLE[role], who, a);
                    }
                }
                continue;
            }
            for (int role = 0; role < MTR_COSEM_ROLES; role++) {
                cosem_rig_assoc(r, rd);
                cr_assert_eq(cosem_rig_get(r, o->class_id, o->obis, a), 0, "%s attr %u read", who, a);
                size_t len = r->val_len;
                memcpy(v, r->val, len);
                cosem_rig_assoc(r, role);
                int dar = cosem_rig_set(r, o->class_id, o->obis, a, v, len);
                if (bit(o->access[role].set, a)) {
                    cr_expect_eq(dar, 0, "%s: %s writes attr %u with its own value: result %d", ROLE[role],
                                 who, a, dar);
                    cosem_rig_assoc(r, rd);
                    cr_assert_eq(cosem_rig_get(r, o->class_id, o->obis, a), 0);
                    cr_expect(reads_back(r, o, a, v, len), "%s: %s attr %u reads back another value", ROLE[role],
                              who, a);
                    written++;
                } else {
                    cr_expect_eq(dar, MTR_DLMS_DAR_READ_WRITE_DENIED, "%s: %s attr %u write must be denied, got %d",
                                 ROLE[role], who, a, dar);
                    refused++;
                }
            }
            /* attribute 1 is never writable */
            cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
            cr_expect_eq(cosem_rig_set(r, o->class_id, o->obis, 1, (const uint8_t[]){9, 6, 0, 0, 0, 0, 0, 0}, 8),
                         MTR_DLMS_DAR_READ_WRITE_DENIED, "%s: logical name written", who);
        }
        cosem_rig_free(r);
    }
    cr_assert_gt(written, 0);
    cr_assert_gt(refused, 0);
}

/* A valid parameter of method m of class c (integer 0 when not listed). */
static size_t method_param(uint16_t cls, uint8_t m, uint8_t *p)
{
    /* clock: preset 00:10 valid 00:00..00:20 on the rig's first day */
    static const uint8_t preset[] = {
        0x02, 0x03, 0x09, 0x0C, 0x07, 0xE8, 0x03, 0x01, 0xFF, 0x00, 0x0A, 0x00, 0xFF, 0x00, 0x00, 0x00,
        0x09, 0x0C, 0x07, 0xE8, 0x03, 0x01, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00,
        0x09, 0x0C, 0x07, 0xE8, 0x03, 0x01, 0xFF, 0x00, 0x14, 0x00, 0xFF, 0x00, 0x00, 0x00};
    static const uint8_t special[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05, 0xFF, 0xFF, 12, 25, 0xFF,
                                      0x11, 0x01};
    if (cls == 8 && m == 5) {
        memcpy(p, preset, sizeof preset);
        return sizeof preset;
    }
    if (cls == 8 && m == 6) {
        memcpy(p, (const uint8_t[]){0x10, 0x00, 0x05}, 3); /* shift_time: 5 s */
        return 3;
    }
    if (cls == 11 && m == 1) {
        memcpy(p, special, sizeof special);
        return sizeof special;
    }
    if ((cls == 11 && m == 2) || (cls == 9 && m == 1)) {
        memcpy(p, (const uint8_t[]){0x12, 0x00, 0x01}, 3); /* index / script 1 */
        return 3;
    }
    memcpy(p, (const uint8_t[]){0x0F, 0x00}, 2);
    return 2;
}

Test(cosem_access, every_method_called_by_every_role)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    unsigned called = 0, refused = 0;
    uint8_t p[64];

    for (uint16_t k = 0; k < n; k++) {
        const struct mtr_dlms_obj *o = &t[k];
        uint8_t hi = highest(o, true);
        if (hi == 0 && o->action == NULL) {
            continue;
        }
        if (hi == 0) {
            hi = 1;
        }
        char who[160];
        obj_name(o, who, sizeof who);
        struct cosem_rig *r = cosem_rig_new(T0);
        for (int role = 0; role < MTR_COSEM_ROLES; role++) {
            cosem_rig_assoc(r, role);
            for (uint8_t m = 1; m <= hi; m++) {
                size_t len = method_param(o->class_id, m, p);
                int res = cosem_rig_action(r, o->class_id, o->obis, m, p, len);
                if (bit(o->access[role].act, m)) {
                    cr_expect(res != MTR_DLMS_DAR_READ_WRITE_DENIED && res != MTR_DLMS_DAR_OBJECT_UNAVAILABLE,
                              "%s: %s calls method %u: result %d", ROLE[role], who, m, res);
                    called++;
                } else {
                    cr_expect_eq(res, MTR_DLMS_DAR_READ_WRITE_DENIED, "%s: %s method %u must be denied, got %d",
                                 ROLE[role], who, m, res);
                    refused++;
                }
            }
        }
        cosem_rig_free(r);
    }
    cr_assert_gt(called, 0);
    cr_assert_gt(refused, 0);
}
