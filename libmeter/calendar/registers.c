/* SPDX-License-Identifier: Apache-2.0 */
/* Tariff energy registers: total and T1..Tn per quantity. */
#include <string.h>

#include "calendar_priv.h"
#include "meter/tariff.h"
#include "tariff_priv.h"

void mtr_registers_clear(struct mtr_registers *reg)
{
    MTR_ASSERT(reg != NULL);
    memset(reg, 0, sizeof *reg);
}

int tariff_mask_index(uint16_t mask)
{
    if (mask == 0 || (mask & (mask - 1u)) != 0 || mask >= (1u << MTR_CFG_TARIFFS)) {
        return -1;
    }
    int i = 0;
    while ((mask >> i) != 1u) {
        i++;
    }
    return i;
}

mtr_err_t registers_check_add(const struct mtr_registers *reg, const struct mtr_energy_delta *d)
{
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        if (d->q[q] < 0) {
            return MTR_ERR_RANGE;
        }
        /* The total is the largest register: if it fits, its tariff does. */
        if (reg->total[q] > INT64_MAX - d->q[q]) {
            return MTR_ERR_OVERFLOW;
        }
    }
    return MTR_OK;
}

mtr_err_t mtr_registers_add(struct mtr_registers *reg, uint16_t energy_mask,
                            const struct mtr_energy_delta *d)
{
    MTR_ASSERT(reg != NULL && d != NULL);
    int t = tariff_mask_index(energy_mask);
    if (t < 0) {
        return MTR_ERR_CALENDAR_TARIFF;
    }
    mtr_err_t err = registers_check_add(reg, d);
    if (err != MTR_OK) {
        return err;
    }
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        reg->total[q] += d->q[q];
        reg->tariff[q][t] += d->q[q];
    }
    return MTR_OK;
}

int64_t mtr_registers_total(const struct mtr_registers *reg, unsigned q)
{
    MTR_ASSERT(reg != NULL);
    return q < MTR_Q_COUNT ? reg->total[q] : 0;
}

int64_t mtr_registers_tariff(const struct mtr_registers *reg, unsigned q, unsigned tariff)
{
    MTR_ASSERT(reg != NULL);
    return (q < MTR_Q_COUNT && tariff >= 1 && tariff <= MTR_CFG_TARIFFS)
               ? reg->tariff[q][tariff - 1]
               : 0;
}
