/* SPDX-License-Identifier: Apache-2.0 */
/* Saved state of the tariff engine: versioned, big-endian, CRC-32 last. */
#include <string.h>

#include "calendar_priv.h"
#include "meter/bytes.h"
#include "meter/crc.h"
#include "tariff_priv.h"

#define N_T  MTR_CFG_TARIFFS
#define N_DQ MTR_DEMAND_QUANTITIES

size_t mtr_tariff_state_size(void)
{
    return MTR_TARIFF_STATE_SIZE;
}

static uint8_t *put64(uint8_t *w, int64_t v)
{
    mtr_put_be64(w, (uint64_t)v);
    return w + 8;
}

static const uint8_t *get64(const uint8_t *r, int64_t *v)
{
    *v = (int64_t)mtr_get_be64(r);
    return r + 8;
}

mtr_err_t mtr_tariff_save(const struct mtr_tariff *t, uint8_t *buf, size_t cap, size_t *len)
{
    MTR_ASSERT(t != NULL && t->magic == CAL_TARIFF_MAGIC && buf != NULL && len != NULL);
    if (cap < MTR_TARIFF_STATE_SIZE) {
        return MTR_ERR_OVERFLOW;
    }
    uint8_t *w = buf;
    *w++ = 'T';
    *w++ = 'R';
    *w++ = 'F';
    *w++ = MTR_TARIFF_STATE_VERSION;
    *w++ = N_T;
    *w++ = MTR_Q_COUNT;
    *w++ = N_DQ;
    *w++ = 0;
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        w = put64(w, t->reg.total[q]);
        for (unsigned i = 0; i < N_T; i++) {
            w = put64(w, t->reg.tariff[q][i]);
        }
    }
    mtr_put_be32(w, t->billing_count);
    w = put64(w + 4, t->billing_last);
    *w++ = t->sel.tariff;
    *w++ = t->sel.control;
    mtr_put_be16(w, t->sel.masks.energy);
    mtr_put_be16(w + 2, t->sel.masks.demand);
    w += 4;
    for (unsigned q = 0; q < N_DQ; q++) {
        for (unsigned i = 0; i <= N_T; i++) {
            w = put64(w, t->dm.max[q][i].value);
            w = put64(w, t->dm.max[q][i].time);
            w = put64(w, t->dm.cumulative[q][i]);
        }
    }
    /* version 2: the billing schedule and the demand settings last set */
    *w++ = t->cfg.billing.enabled ? 1u : 0u;
    *w++ = t->cfg.billing.month;
    *w++ = t->cfg.billing.day;
    *w++ = t->cfg.billing.hour;
    *w++ = t->cfg.billing.minute;
    mtr_put_be32(w, t->dm.next.period_s);
    w[4] = t->dm.next.periods;
    w += 5;
    mtr_put_be32(w, mtr_crc32(buf, (size_t)(w - buf)));
    *len = MTR_TARIFF_STATE_SIZE;
    return MTR_OK;
}

/* The header; @p size gets the bytes of the state of its version. */
static mtr_err_t check_header(const uint8_t *r, size_t *size)
{
    if (r[0] != 'T' || r[1] != 'R' || r[2] != 'F' || (r[3] != MTR_TARIFF_STATE_VERSION && r[3] != 1u) ||
        r[4] != N_T || r[5] != MTR_Q_COUNT || r[6] != N_DQ || r[7] != 0) {
        return MTR_ERR_CALENDAR_VERSION;
    }
    *size = r[3] == 1u ? MTR_TARIFF_STATE_V1_SIZE : MTR_TARIFF_STATE_SIZE;
    return MTR_OK;
}

static const uint8_t *read_registers(const uint8_t *r, struct mtr_registers *reg, bool *ok)
{
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        r = get64(r, &reg->total[q]);
        uint64_t sum = 0;
        for (unsigned i = 0; i < N_T; i++) {
            r = get64(r, &reg->tariff[q][i]);
            *ok = *ok && reg->tariff[q][i] >= 0;
            sum += (uint64_t)reg->tariff[q][i];
        }
        *ok = *ok && reg->total[q] >= 0 && sum == (uint64_t)reg->total[q];
    }
    return r;
}

static const uint8_t *read_demand(const uint8_t *r, struct mtr_demand *dm, bool *ok)
{
    for (unsigned q = 0; q < N_DQ; q++) {
        for (unsigned i = 0; i <= N_T; i++) {
            r = get64(r, &dm->max[q][i].value);
            r = get64(r, &dm->max[q][i].time);
            r = get64(r, &dm->cumulative[q][i]);
            *ok = *ok && dm->max[q][i].value >= 0 && dm->cumulative[q][i] >= 0 &&
                  dm->max[q][i].time >= MTR_UTC_MIN && dm->max[q][i].time <= MTR_UTC_MAX;
        }
    }
    return r;
}

mtr_err_t mtr_tariff_load(struct mtr_tariff *t, const uint8_t **p, const uint8_t *end)
{
    MTR_ASSERT(t != NULL && t->magic == CAL_TARIFF_MAGIC && p != NULL && *p != NULL);
    const uint8_t *r = *p;
    if (end < r || (size_t)(end - r) < 8) {
        return MTR_ERR_DECODE;
    }
    size_t size = 0;
    mtr_err_t err = check_header(r, &size);
    if (err != MTR_OK) {
        return err;
    }
    if ((size_t)(end - r) < size) {
        return MTR_ERR_DECODE;
    }
    if (mtr_crc32(r, size - 4) != mtr_get_be32(r + size - 4)) {
        return MTR_ERR_CRC;
    }
    struct mtr_registers reg;
    struct mtr_demand dm = t->dm;
    struct mtr_tariff_sel sel;
    struct mtr_billing_schedule bill = t->cfg.billing;
    struct mtr_demand_config dcfg = t->dm.next;
    bool ok = true;
    r = read_registers(r + 8, &reg, &ok);
    uint32_t count = mtr_get_be32(r);
    int64_t last;
    r = get64(r + 4, &last);
    sel.tariff = r[0];
    sel.control = r[1];
    sel.masks.energy = mtr_get_be16(r + 2);
    sel.masks.demand = mtr_get_be16(r + 4);
    r = read_demand(r + 6, &dm, &ok);
    if (size == MTR_TARIFF_STATE_SIZE) {
        /* version 2: the settings, checked as their setters do */
        bill.enabled = r[0] != 0;
        bill.month = r[1];
        bill.day = r[2];
        bill.hour = r[3];
        bill.minute = r[4];
        dcfg.period_s = mtr_get_be32(r + 5);
        dcfg.periods = r[9];
        ok = ok && r[0] <= 1u && billing_check(&bill) == MTR_OK && mtr_demand_check(&dcfg) == MTR_OK;
        r += 10;
    }
    /* a closed boundary lies between the last day of 1969 and the end of the range */
    ok = ok && last >= -(int64_t)CAL_SECS_PER_DAY * 31 && last <= MTR_UTC_MAX + 50400;
    ok = ok && sel.tariff >= 1 && sel.tariff <= N_T && sel.control <= MTR_TARIFF_BY_INPUTS &&
         tariff_mask_index(sel.masks.energy) >= 0 && tariff_mask_index(sel.masks.demand) >= 0;
    if (!ok) {
        return MTR_ERR_DECODE;
    }
    t->reg = reg;
    t->billing_count = count;
    t->billing_last = last;
    t->sel = sel;
    t->dm = dm;
    t->cfg.billing = bill;
    t->cfg.demand = dcfg;
    t->dm.cfg = dcfg;
    t->dm.next = dcfg;
    t->dm.started = false; /* the sub-period cut by the power loss is not counted */
    t->dm.ring_n = 0;
    t->dm.ring_pos = 0;
    *p = r + 4;
    return MTR_OK;
}
