/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Saved settings and readout lists (version 1).
 *
 * Blob layout, big-endian (sizes in bytes):
 *   'D' 'P' | version 1 | entries per list (MTR_CFG_DISPLAY_ITEMS)     4
 *   scroll s u16, test s u32, manual time-out s u16                    8
 *   general list, then alternate list, each:
 *     count u16                                                        2
 *     MTR_CFG_DISPLAY_ITEMS entries: class id u16, logical name 6,
 *       attribute index i8, data index u16 (unused entries zero)  N x 11
 *   CRC-32 of everything before                                        4
 * The factory decimal places are configuration, not saved.
 */
#include "dp_priv.h"

#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"

#define BLOB_VERSION 1u
#define BLOB_HEAD    4u
#define ENTRY        11u
#define LIST_BYTES   (2u + ENTRY * (unsigned)MTR_CFG_DISPLAY_ITEMS)

size_t mtr_display_blob_size(void)
{
    return MTR_DISPLAY_BLOB_SIZE;
}

static void put_entry(uint8_t *p, const struct mtr_display_item *it)
{
    mtr_put_be16(p, it->class_id);
    memcpy(p + 2, it->ln, 6);
    p[8] = (uint8_t)it->attribute_index;
    mtr_put_be16(p + 9, it->data_index);
}

static void get_entry(const uint8_t *p, struct mtr_display_item *it)
{
    memset(it, 0, sizeof *it);
    it->class_id = mtr_get_be16(p);
    memcpy(it->ln, p + 2, 6);
    it->attribute_index = (int8_t)p[8];
    it->data_index = mtr_get_be16(p + 9);
}

mtr_err_t mtr_display_save(const struct mtr_display *d, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t *p;

    MTR_ASSERT(d != NULL && buf != NULL && len != NULL);
    if (cap < MTR_DISPLAY_BLOB_SIZE) {
        return MTR_ERR_FULL;
    }
    memset(buf, 0, MTR_DISPLAY_BLOB_SIZE);
    buf[0] = 'D';
    buf[1] = 'P';
    buf[2] = BLOB_VERSION;
    buf[3] = (uint8_t)MTR_CFG_DISPLAY_ITEMS;
    mtr_put_be16(buf + 4, d->set.scroll_s);
    mtr_put_be32(buf + 6, d->set.test_s);
    mtr_put_be16(buf + 10, d->set.manual_timeout_s);
    p = buf + BLOB_HEAD + 8u;
    for (uint8_t l = 0; l < 2u; l++) {
        mtr_put_be16(p, d->count[l]);
        for (uint16_t i = 0; i < d->count[l]; i++) {
            put_entry(p + 2u + ENTRY * i, &d->item[l][i]);
        }
        p += LIST_BYTES;
    }
    mtr_put_be32(p, mtr_crc32(buf, MTR_DISPLAY_BLOB_SIZE - 4u));
    *len = MTR_DISPLAY_BLOB_SIZE;
    return MTR_OK;
}

/* Check one saved list without storing it. */
static bool list_ok(const uint8_t *p)
{
    uint16_t count = mtr_get_be16(p);

    if (count > MTR_CFG_DISPLAY_ITEMS) {
        return false;
    }
    p += 2;
    for (uint16_t i = 0; i < MTR_CFG_DISPLAY_ITEMS; i++) {
        const uint8_t *e = p + ENTRY * i;
        if (i >= count) {
            for (unsigned k = 0; k < ENTRY; k++) {
                if (e[k] != 0) {
                    return false;
                }
            }
            continue;
        }
        if (mtr_get_be16(e) == 0 || (int8_t)e[8] <= 0) {
            return false;
        }
        for (uint16_t j = 0; j < i; j++) {
            if (memcmp(e, p + ENTRY * j, ENTRY) == 0) {
                return false; /* equal bytes: equal in all four fields */
            }
        }
    }
    return true;
}

mtr_err_t mtr_display_load(struct mtr_display *d, const uint8_t *buf, size_t len)
{
    struct mtr_display_settings s;
    const uint8_t *p;

    MTR_ASSERT(d != NULL && (buf != NULL || len == 0));
    if (len != MTR_DISPLAY_BLOB_SIZE || buf[0] != 'D' || buf[1] != 'P') {
        return MTR_ERR_DISPLAY_BLOB;
    }
    if (mtr_crc32(buf, len - 4u) != mtr_get_be32(buf + len - 4u)) {
        return MTR_ERR_DISPLAY_BLOB_CRC;
    }
    if (buf[2] != BLOB_VERSION) {
        return MTR_ERR_DISPLAY_VERSION;
    }
    if (buf[3] != (uint8_t)MTR_CFG_DISPLAY_ITEMS) {
        return MTR_ERR_DISPLAY_BLOB;
    }
    memset(&s, 0, sizeof s);
    s.scroll_s = mtr_get_be16(buf + 4);
    s.test_s = mtr_get_be32(buf + 6);
    s.manual_timeout_s = mtr_get_be16(buf + 10);
    p = buf + BLOB_HEAD + 8u;
    if (dp_check_settings(&s) != MTR_OK || !list_ok(p) || !list_ok(p + LIST_BYTES)) {
        return MTR_ERR_DISPLAY_BLOB;
    }
    dp_put_settings(&d->set, &s);
    for (uint8_t l = 0; l < 2u; l++) {
        uint16_t count = mtr_get_be16(p);
        memset(d->item[l], 0, sizeof d->item[l]);
        for (uint16_t i = 0; i < count; i++) {
            get_entry(p + 2u + ENTRY * i, &d->item[l][i]);
        }
        d->count[l] = count;
        p += LIST_BYTES;
    }
    dp_go_auto(d, d->last);
    return MTR_OK;
}
