/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The display's objects over DLMS: decimal places, scroll interval and test
 * mode duration, the general and alternate readouts (capture_objects is the
 * display engine's sequence, the buffer the values the objects serve), the
 * test / normal mode scripts; writes checked by the engine and persisted.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z */

static const uint8_t LN_DEC_E[6] = {1, 0, 129, 1, 51, 255};
static const uint8_t LN_DEC_P[6] = {1, 0, 129, 1, 52, 255};
static const uint8_t LN_DEC_U[6] = {1, 0, 129, 1, 61, 255};
static const uint8_t LN_DEC_I[6] = {1, 0, 129, 1, 62, 255};
static const uint8_t LN_SCROLL[6] = {1, 0, 129, 1, 10, 255};
static const uint8_t LN_TEST_S[6] = {0, 0, 96, 34, 10, 255};
static const uint8_t LN_GENERAL[6] = {0, 0, 21, 0, 1, 255};
static const uint8_t LN_ALTERNATE[6] = {0, 0, 21, 0, 2, 255};
static const uint8_t LN_TEST_SCRIPT[6] = {0, 0, 10, 0, 101, 255};
static const uint8_t LN_NORMAL_SCRIPT[6] = {0, 0, 10, 0, 102, 255};
static const uint8_t LN_AP[6] = {1, 0, 1, 8, 0, 255};
static const uint8_t LN_U1[6] = {1, 0, 32, 7, 0, 255};
static const uint8_t LN_CLOCK[6] = {0, 0, 1, 0, 0, 255};

static struct tokens tk;

static uint64_t get_u(struct cosem_rig *r, uint16_t cls, const uint8_t ln[6], uint8_t attr, uint8_t tag)
{
    cr_assert_eq(cosem_rig_get(r, cls, ln, attr), 0, "get %u.%u.%u attr %u", ln[2], ln[3], ln[4], attr);
    return val_uint(r, tag);
}

static int set_u(struct cosem_rig *r, uint16_t cls, const uint8_t ln[6], uint8_t attr, uint8_t tag,
                 uint64_t v)
{
    struct cosem_val cv;
    cv_reset(&cv);
    cv_uint(&cv, tag, v);
    return cosem_rig_set(r, cls, ln, attr, cv.b, cv.n);
}

/* capture_objects value of @p n entries (class, name, attribute 2, data index 0). */
static void capture_objects(struct cosem_val *cv, const uint16_t *cls, uint8_t (*ln)[6], unsigned n)
{
    cv_reset(cv);
    cv_tag_len(cv, MTR_DLMS_ARRAY, n);
    for (unsigned k = 0; k < n; k++) {
        cv_tag_len(cv, MTR_DLMS_STRUCTURE, 4);
        cv_uint(cv, MTR_DLMS_LONG_UNSIGNED, cls[k]);
        cv_bytes(cv, MTR_DLMS_OCTET_STRING, ln[k], 6);
        cv_uint(cv, MTR_DLMS_INTEGER, 2);
        cv_uint(cv, MTR_DLMS_LONG_UNSIGNED, 0);
    }
}

/* The encoded value of one attribute as the object serves it. */
static size_t direct(struct cosem_rig *r, uint16_t cls, const uint8_t ln[6], uint8_t attr, uint8_t *out)
{
    cr_assert_eq(cosem_rig_get(r, cls, ln, attr), 0);
    memcpy(out, r->val, r->val_len);
    return r->val_len;
}

Test(cosem_display, settings_objects)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    /* the seed's factory decimal places (direct meter): energy 2, power 2, voltage 1, current 2 */
    cr_assert_eq(get_u(r, 1, LN_DEC_E, 2, MTR_DLMS_UNSIGNED), 2);
    cr_assert_eq(get_u(r, 1, LN_DEC_P, 2, MTR_DLMS_UNSIGNED), 2);
    cr_assert_eq(get_u(r, 1, LN_DEC_U, 2, MTR_DLMS_UNSIGNED), 1);
    cr_assert_eq(get_u(r, 1, LN_DEC_I, 2, MTR_DLMS_UNSIGNED), 2);
    cr_assert_eq(get_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED), 8, "seed: 8 s");
    cr_assert_eq(get_u(r, 3, LN_TEST_S, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 3600, "seed: 3600 s");
    int s;
    unsigned u;
    cr_assert_eq(cosem_rig_get(r, 3, LN_SCROLL, 3), 0);
    val_scaler_unit(r, &s, &u);
    cr_assert(s == 0 && u == 7, "seconds");
    cr_assert_eq(set_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED, 5), MTR_DLMS_DAR_READ_WRITE_DENIED,
                 "level 1 does not write settings");

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(set_u(r, 1, LN_DEC_E, 2, MTR_DLMS_UNSIGNED, 3), MTR_DLMS_DAR_READ_WRITE_DENIED,
                 "factory-set (seed)");
    struct mtr_display_settings before, after;
    mtr_display_get(&r->disp, &before);
    cr_assert_eq(set_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED, 0), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED, 256), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 3, LN_SCROLL, 2, MTR_DLMS_UNSIGNED, 5), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(set_u(r, 3, LN_TEST_S, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 86401), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 3, LN_TEST_S, 2, MTR_DLMS_LONG_UNSIGNED, 60), MTR_DLMS_DAR_TYPE_UNMATCHED);
    mtr_display_get(&r->disp, &after);
    cr_assert_eq(memcmp(&before, &after, sizeof before), 0, "refused writes change nothing");

    cr_assert_eq(set_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED, 255), 0);
    cr_assert_eq(set_u(r, 3, LN_TEST_S, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 86400), 0);
    cr_assert_eq(get_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED), 255);
    mtr_display_get(&r->disp, &after);
    cr_assert(after.scroll_s == 255 && after.test_s == 86400, "the engine's settings");
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(get_u(r, 3, LN_SCROLL, 2, MTR_DLMS_LONG_UNSIGNED), 255, "persisted");
    cr_assert_eq(get_u(r, 3, LN_TEST_S, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 86400, "persisted");
    cosem_rig_free(r);
}

Test(cosem_display, readout_is_the_sequence_and_its_values)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    /* capture_objects: the engine's general list (the seed's 14 entries) */
    const struct mtr_display_item *items = NULL;
    uint16_t n = mtr_display_list(&r->disp, MTR_DISPLAY_GENERAL, &items);
    cr_assert_eq(n, 14);
    cr_assert_eq(cosem_rig_get(r, 7, LN_GENERAL, 3), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.t[0].tag == MTR_DLMS_ARRAY && tk.t[0].count == n);
    for (unsigned k = 0; k < n; k++) {
        const struct mtr_dlms_axdr_token *t = &tk.t[1 + 5 * k];
        cr_assert(t[0].tag == MTR_DLMS_STRUCTURE && t[0].count == 4);
        cr_assert_eq(tok_uint(&t[1], MTR_DLMS_LONG_UNSIGNED), items[k].class_id);
        cr_assert(t[2].tag == MTR_DLMS_OCTET_STRING && t[2].value_len == 6 && memcmp(t[2].value, items[k].ln, 6) == 0);
        cr_assert_eq(tok_int(&t[3], MTR_DLMS_INTEGER), items[k].attribute_index);
        cr_assert_eq(tok_uint(&t[4], MTR_DLMS_LONG_UNSIGNED), items[k].data_index);
    }
    cr_assert_eq(get_u(r, 7, LN_GENERAL, 7, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 1, "entries_in_use");
    cr_assert_eq(get_u(r, 7, LN_GENERAL, 8, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 1, "profile_entries");
    cr_assert_eq(get_u(r, 7, LN_GENERAL, 4, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 0, "capture_period");
    cr_assert_eq(get_u(r, 7, LN_GENERAL, 5, MTR_DLMS_ENUM), 1, "fifo");
    cr_assert_eq(get_u(r, 7, LN_ALTERNATE, 7, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 1);

    /* buffer: one entry, the values the objects serve; what the table does not
     * serve (serial number, local time and date: the application's) is null-data */
    cr_assert_eq(cosem_rig_get(r, 7, LN_GENERAL, 2), 0);
    static uint8_t buf[4096];
    size_t blen = r->val_len;
    memcpy(buf, r->val, blen);
    tokens_of(buf, blen, &tk);
    cr_assert(tk.t[0].tag == MTR_DLMS_ARRAY && tk.t[0].count == 1);
    cr_assert(tk.t[1].tag == MTR_DLMS_STRUCTURE && tk.t[1].count == n);
    unsigned served = 0;
    for (unsigned k = 0; k < n; k++) {
        const struct mtr_dlms_axdr_token *t = &tk.t[2 + k];
        int rc = cosem_rig_get(r, items[k].class_id, items[k].ln, (uint8_t)items[k].attribute_index);
        if (rc != 0) {
            cr_assert_eq(t->tag, MTR_DLMS_NULL_DATA, "entry %u not served: null-data", k);
            continue;
        }
        struct tokens one;
        tokens_of(r->val, r->val_len, &one);
        cr_assert_eq(one.n, 1);
        cr_assert_eq(t->tag, one.t[0].tag, "entry %u: the object's type", k);
        cr_assert_eq(t->value_len, one.t[0].value_len);
        if (items[k].class_id != 4) { /* energy and the error register do not move here */
            cr_assert_eq(memcmp(t->value, one.t[0].value, t->value_len), 0, "entry %u: the object's value", k);
        }
        served++;
    }
    cr_assert_eq(served, 11, "1.8.0, 1.8.1-4, 2.8.0, 1.6.1-4 and the error register (%u)", served);
    cosem_rig_free(r);
}

Test(cosem_display, capture_objects_written)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    struct cosem_val cv;
    static const uint16_t cls[3] = {3, 3, 8};
    static uint8_t lns[3][6] = {{1, 0, 1, 8, 0, 255}, {1, 0, 32, 7, 0, 255}, {0, 0, 1, 0, 0, 255}};
    capture_objects(&cv, cls, lns, 3);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), 0);
    const struct mtr_display_item *items = NULL;
    cr_assert_eq(mtr_display_list(&r->disp, MTR_DISPLAY_ALTERNATE, &items), 3);
    for (unsigned k = 0; k < 3; k++) {
        cr_assert(items[k].class_id == cls[k] && memcmp(items[k].ln, lns[k], 6) == 0 &&
                  items[k].attribute_index == 2 && items[k].data_index == 0);
    }
    /* the buffer: the register values, the clock as the clock serves it */
    uint8_t ap[64], u1[64];
    size_t ap_n = direct(r, 3, LN_AP, 2, ap), u1_n = direct(r, 3, LN_U1, 2, u1);
    cr_assert_eq(cosem_rig_get(r, 7, LN_ALTERNATE, 2), 0);
    size_t off = 2 + 2; /* array of 1, structure of 3 */
    cr_assert(r->val[0] == MTR_DLMS_ARRAY && r->val[1] == 1 && r->val[2] == MTR_DLMS_STRUCTURE && r->val[3] == 3);
    cr_assert_eq(memcmp(r->val + off, ap, ap_n), 0, "energy");
    cr_assert_eq(r->val[off + ap_n], u1[0], "voltage: its type");
    cr_assert_eq(r->val[off + ap_n + u1_n], MTR_DLMS_OCTET_STRING, "clock time: date-time");
    cr_assert_eq(r->val[off + ap_n + u1_n + 1], 12);
    cr_assert_eq(r->val_len, off + ap_n + u1_n + 14);

    /* refused: a repeated entry, a class 0, an attribute 0, a short name, too many */
    static const uint16_t dup_cls[2] = {3, 3};
    static uint8_t dup_ln[2][6] = {{1, 0, 1, 8, 0, 255}, {1, 0, 1, 8, 0, 255}};
    capture_objects(&cv, dup_cls, dup_ln, 2);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), MTR_DLMS_DAR_OTHER);
    static const uint16_t zero_cls[1] = {0};
    capture_objects(&cv, zero_cls, dup_ln, 1);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), MTR_DLMS_DAR_OTHER);
    capture_objects(&cv, cls, lns, 1);
    cv.b[cv.n - 4] = 0; /* attribute_index 0 */
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), MTR_DLMS_DAR_OTHER);
    cv_reset(&cv);
    cv_tag_len(&cv, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&cv, MTR_DLMS_STRUCTURE, 4);
    cv_uint(&cv, MTR_DLMS_LONG_UNSIGNED, 3);
    cv_bytes(&cv, MTR_DLMS_OCTET_STRING, LN_AP, 5);
    cv_uint(&cv, MTR_DLMS_INTEGER, 2);
    cv_uint(&cv, MTR_DLMS_LONG_UNSIGNED, 0);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, cv.b, cv.n), MTR_DLMS_DAR_TYPE_UNMATCHED);
    static uint16_t many_cls[MTR_CFG_DISPLAY_ITEMS + 1];
    static uint8_t many_ln[MTR_CFG_DISPLAY_ITEMS + 1][6];
    for (unsigned k = 0; k <= MTR_CFG_DISPLAY_ITEMS; k++) {
        many_cls[k] = 3;
        memcpy(many_ln[k], LN_AP, 6); /* energy registers 1-0:C.8.E: distinct, all served */
        many_ln[k][2] = (uint8_t)(1 + k / (1 + MTR_CFG_TARIFFS));
        many_ln[k][4] = (uint8_t)(k % (1 + MTR_CFG_TARIFFS));
    }
    static struct cosem_val big;
    capture_objects(&big, many_cls, many_ln, MTR_CFG_DISPLAY_ITEMS + 1);
    cr_assert_eq(cosem_rig_set(r, 7, LN_ALTERNATE, 3, big.b, big.n), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(mtr_display_list(&r->disp, MTR_DISPLAY_ALTERNATE, NULL), 3, "refused writes change nothing");

    /* a full sequence: the buffer goes in blocks, each value the object's */
    capture_objects(&big, many_cls, many_ln, MTR_CFG_DISPLAY_ITEMS);
    cr_assert_eq(cosem_rig_set(r, 7, LN_GENERAL, 3, big.b, big.n), 0);
    cr_assert_eq(cosem_rig_get(r, 7, LN_GENERAL, 2), 0);
    cr_assert_gt(r->blocks, 1u, "in blocks");
    static uint8_t buf[8192];
    size_t blen = r->val_len;
    memcpy(buf, r->val, blen);
    tokens_of(buf, blen, &tk);
    cr_assert(tk.t[1].tag == MTR_DLMS_STRUCTURE && tk.t[1].count == MTR_CFG_DISPLAY_ITEMS);
    unsigned values = 0;
    for (unsigned k = 0; k < MTR_CFG_DISPLAY_ITEMS; k++) {
        const struct mtr_dlms_axdr_token *t = &tk.t[2 + k];
        cr_assert_eq(cosem_rig_get(r, 3, many_ln[k], 2), 0);
        cr_assert_eq(t->tag, MTR_DLMS_LONG64_UNSIGNED);
        cr_assert_eq(memcmp(t->value, r->val + 1, 8), 0, "T%u", k);
        values++;
    }
    cr_assert_eq(values, MTR_CFG_DISPLAY_ITEMS, "every value");

    /* persisted */
    cosem_rig_reboot(r);
    cr_assert_eq(mtr_display_list(&r->disp, MTR_DISPLAY_ALTERNATE, NULL), 3);
    cr_assert_eq(mtr_display_list(&r->disp, MTR_DISPLAY_GENERAL, NULL), MTR_CFG_DISPLAY_ITEMS);
    cosem_rig_free(r);
}

Test(cosem_display, test_and_normal_mode_scripts)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    const uint8_t one[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
    const uint8_t two[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 2};
    struct mtr_display_state st;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 9, LN_TEST_SCRIPT, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.n == 4 && tk.t[0].count == 1 && tok_uint(&tk.t[2], MTR_DLMS_LONG_UNSIGNED) == 1 &&
              tk.t[3].tag == MTR_DLMS_ARRAY && tk.t[3].count == 0, "script 1, the display's own action");
    cr_assert_eq(cosem_rig_action(r, 9, LN_TEST_SCRIPT, 1, one, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_neq(cosem_rig_action(r, 9, LN_TEST_SCRIPT, 1, two, 3), 0, "no script 2");
    mtr_display_state(&r->disp, &st);
    cr_assert_eq(st.mode, MTR_DISPLAY_AUTO);
    cr_assert_eq(cosem_rig_action(r, 9, LN_TEST_SCRIPT, 1, one, 3), 0);
    mtr_display_state(&r->disp, &st);
    cr_assert_eq(st.mode, MTR_DISPLAY_TEST, "every segment");
    struct mtr_display_screen scr;
    (void)mtr_display_render(&r->disp, &scr);
    cr_assert(scr.all_segments);
    cr_assert_eq(cosem_rig_action(r, 9, LN_NORMAL_SCRIPT, 1, one, 3), 0);
    mtr_display_state(&r->disp, &st);
    cr_assert(st.mode == MTR_DISPLAY_AUTO && st.index == 0, "auto scroll from the first entry");
    /* test mode ends by itself after its duration */
    cr_assert_eq(set_u(r, 3, LN_TEST_S, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 10), 0);
    cr_assert_eq(cosem_rig_action(r, 9, LN_TEST_SCRIPT, 1, one, 3), 0);
    cosem_rig_run(r, 9000, 100);
    mtr_display_state(&r->disp, &st);
    cr_assert_eq(st.mode, MTR_DISPLAY_TEST);
    cosem_rig_run(r, 2000, 100);
    mtr_display_state(&r->disp, &st);
    cr_assert_eq(st.mode, MTR_DISPLAY_AUTO);
    /* the readouts' reset and capture have nothing to do and succeed */
    cr_assert_eq(cosem_rig_action(r, 7, LN_GENERAL, 1, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(cosem_rig_action(r, 7, LN_GENERAL, 2, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(mtr_display_list(&r->disp, MTR_DISPLAY_GENERAL, NULL), 14, "the sequence stays");
    (void)LN_CLOCK;
    cosem_rig_free(r);
}
