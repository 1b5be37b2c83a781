/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS data blocks (IEC 62055-41): token fields <-> 64 bits. Layouts, most
 * significant bit first, the CRC always in bits 15..0:
 *   class 0, class 2 except 3/4: subclass 4 | rnd 4 | TID 24 | field 16
 *   class 1 subclass 0:          subclass 4 | control 36 | manufacturer 8
 *   class 1 subclass 1:          subclass 4 | control 28 | manufacturer 16
 *   class 2 subclass 3:          subclass 4 | KENHO 4 | KRN 4 | RO 1 | res 1 | KT 2 | key 63..32
 *   class 2 subclass 4:          subclass 4 | KENLO 4 | TI 8 | key 31..0
 */
#include <string.h>

#include "meter/sts.h"

#include "sts_internal.h"

bool mtr_sts_has_tid(uint8_t cls, uint8_t subclass)
{
    if (cls == MTR_STS_CLASS_CREDIT)
        return true;
    return cls == MTR_STS_CLASS_MGMT && subclass != MTR_STS_MGMT_SET_KEY_1ST &&
           subclass != MTR_STS_MGMT_SET_KEY_2ND;
}

static bool fits(uint64_t v, unsigned bits)
{
    return (v >> bits) == 0;
}

static mtr_err_t pack_test(const struct mtr_sts_token *t, uint64_t *top)
{
    if (t->subclass == MTR_STS_TEST_DISPLAY_1) {
        if (!fits(t->control, 36) || !fits(t->manufacturer, 8))
            return MTR_ERR_RANGE;
        *top |= (t->control << 8) | t->manufacturer;
        return MTR_OK;
    }
    if (t->subclass == MTR_STS_TEST_DISPLAY_2) {
        if (!fits(t->control, 28))
            return MTR_ERR_RANGE;
        *top |= (t->control << 16) | t->manufacturer;
        return MTR_OK;
    }
    return MTR_ERR_RANGE;
}

static mtr_err_t pack_key(const struct mtr_sts_token *t, uint64_t *top)
{
    if (t->subclass == MTR_STS_MGMT_SET_KEY_1ST) {
        if (!fits(t->ken_high, 4) || !fits(t->krn, 4) || !fits(t->ro, 1) || !fits(t->res, 1) ||
            !fits(t->kt, 2))
            return MTR_ERR_RANGE;
        *top |= ((uint64_t)t->ken_high << 40) | ((uint64_t)t->krn << 36) |
                ((uint64_t)t->ro << 35) | ((uint64_t)t->res << 34) | ((uint64_t)t->kt << 32) |
                t->key_half;
        return MTR_OK;
    }
    if (!fits(t->ken_low, 4))
        return MTR_ERR_RANGE;
    *top |= ((uint64_t)t->ken_low << 40) | ((uint64_t)t->ti << 32) | t->key_half;
    return MTR_OK;
}

mtr_err_t mtr_sts_block_pack(const struct mtr_sts_token *t, uint64_t *block)
{
    uint64_t top;
    mtr_err_t err;

    MTR_ASSERT(t != NULL && block != NULL);
    if (t->cls > MTR_STS_CLASS_MGMT || !fits(t->subclass, 4))
        return MTR_ERR_RANGE;
    top = (uint64_t)t->subclass << 44;
    if (mtr_sts_has_tid(t->cls, t->subclass)) {
        if (!fits(t->rnd, 4) || t->tid > MTR_STS_TID_MAX)
            return MTR_ERR_RANGE;
        top |= ((uint64_t)t->rnd << 40) | ((uint64_t)t->tid << 16) | t->field;
        err = MTR_OK;
    } else if (t->cls == MTR_STS_CLASS_TEST) {
        err = pack_test(t, &top);
    } else {
        err = pack_key(t, &top);
    }
    if (err != MTR_OK)
        return err;
    *block = (top << 16) | (uint64_t)0;
    *block |= mtr_sts_crc(t->cls, *block);
    return MTR_OK;
}

static void unpack_fields(uint8_t cls, uint64_t top, struct mtr_sts_token *t)
{
    if (mtr_sts_has_tid(cls, t->subclass)) {
        t->rnd = (uint8_t)((top >> 40) & 0xFu);
        t->tid = (uint32_t)((top >> 16) & MTR_STS_TID_MAX);
        t->field = (uint16_t)top;
    } else if (cls == MTR_STS_CLASS_TEST) {
        bool one = t->subclass == MTR_STS_TEST_DISPLAY_1;
        t->control = one ? (top >> 8) & 0xFFFFFFFFFull : (top >> 16) & 0xFFFFFFFull;
        t->manufacturer = one ? (uint16_t)(top & 0xFFu) : (uint16_t)top;
    } else if (t->subclass == MTR_STS_MGMT_SET_KEY_1ST) {
        t->ken_high = (uint8_t)((top >> 40) & 0xFu);
        t->krn = (uint8_t)((top >> 36) & 0xFu);
        t->ro = (uint8_t)((top >> 35) & 1u);
        t->res = (uint8_t)((top >> 34) & 1u);
        t->kt = (uint8_t)((top >> 32) & 3u);
        t->key_half = (uint32_t)top;
    } else {
        t->ken_low = (uint8_t)((top >> 40) & 0xFu);
        t->ti = (uint8_t)(top >> 32);
        t->key_half = (uint32_t)top;
    }
}

mtr_err_t mtr_sts_block_unpack(uint8_t cls, uint64_t block, struct mtr_sts_token *t)
{
    uint64_t top = block >> 16;

    MTR_ASSERT(t != NULL);
    if (cls > MTR_STS_CLASS_MGMT)
        return MTR_ERR_STS_CLASS;
    if (mtr_sts_crc(cls, block) != (uint16_t)block)
        return MTR_ERR_STS_CRC;
    memset(t, 0, sizeof *t);
    t->cls = cls;
    t->subclass = (uint8_t)(top >> 44);
    unpack_fields(cls, top, t);
    return MTR_OK;
}
