/* SPDX-License-Identifier: Apache-2.0 */
/* Pulse outputs: whole pulses from the total registers, paced through io.pulse. */
#include <string.h>

#include "meter/meter.h"
#include "metrology_int.h"

/* Micro-joules in one kWh (kvarh, kVAh). */
#define UJ_PER_KWH 3600000000000LL

mtr_err_t mtr_metrology_pulse_config(struct mtr_metrology *m, unsigned idx,
                                     const struct mtr_metrology_pulse_cfg *cfg)
{
    MTR_ASSERT(m != NULL && cfg != NULL);
    if (idx >= MTR_METROLOGY_PULSE_OUTPUTS || cfg->source >= MTR_PULSE_SOURCE_COUNT ||
        (cfg->source != MTR_PULSE_OFF &&
         (cfg->width_ms < 1 || cfg->width_ms > 1000 || cfg->imp_per_kunit < 1 ||
          cfg->imp_per_kunit > 100000))) {
        return MTR_ERR_RANGE;
    }
    m->pcfg[idx] = *cfg;
    m->pacc[idx] = 0;
    m->pulses[idx] = 0;
    m->pending[idx] = 0;
    m->pnext[idx] = m->nsamp;
    return MTR_OK;
}

mtr_err_t mtr_metrology_pulse_count(const struct mtr_metrology *m, unsigned idx,
                                    uint64_t *emitted, uint64_t *pending)
{
    MTR_ASSERT(m != NULL && emitted != NULL && pending != NULL);
    if (idx >= MTR_METROLOGY_PULSE_OUTPUTS) {
        return MTR_ERR_RANGE;
    }
    *emitted = m->pulses[idx];
    *pending = m->pending[idx];
    return MTR_OK;
}

static int64_t source_energy(uint8_t src, int64_t ep, int64_t eq, int64_t es)
{
    int64_t ap = ep < 0 ? -ep : ep, aq = eq < 0 ? -eq : eq;
    switch (src) {
    case MTR_PULSE_A_ABS: return ap;
    case MTR_PULSE_A_IMP: return ep >= 0 ? ep : 0;
    case MTR_PULSE_A_EXP: return ep < 0 ? ap : 0;
    case MTR_PULSE_R_ABS: return aq;
    case MTR_PULSE_R_IMP: return eq >= 0 ? eq : 0;
    case MTR_PULSE_R_EXP: return eq < 0 ? aq : 0;
    case MTR_PULSE_R1: return (ep >= 0 && eq >= 0) ? aq : 0;
    case MTR_PULSE_R2: return (ep < 0 && eq >= 0) ? aq : 0;
    case MTR_PULSE_R3: return (ep < 0 && eq < 0) ? aq : 0;
    case MTR_PULSE_R4: return (ep >= 0 && eq < 0) ? aq : 0;
    case MTR_PULSE_S_ABS: return es;
    default: return 0;
    }
}

void mtr_metrology_pulse_energy(struct mtr_metrology *m, int64_t ep, int64_t eq, int64_t es)
{
    for (unsigned i = 0; i < MTR_METROLOGY_PULSE_OUTPUTS; i++) {
        const struct mtr_metrology_pulse_cfg *c = &m->pcfg[i];
        if (c->source == MTR_PULSE_OFF) {
            continue;
        }
        struct mtr_carry carry = {m->pacc[i]};
        int64_t e = source_energy(c->source, ep, eq, es);
        m->pending[i] += (uint64_t)mtr_carry_add(&carry, e * (int64_t)c->imp_per_kunit, UJ_PER_KWH);
        m->pacc[i] = carry.rem;
    }
}

void mtr_metrology_pulse_run(struct mtr_metrology *m)
{
    const struct mtr_hal *hal = m->hal;
    bool has_op = hal != NULL && hal->io != NULL && hal->io->pulse != NULL;
    for (unsigned i = 0; i < MTR_METROLOGY_PULSE_OUTPUTS; i++) {
        const struct mtr_metrology_pulse_cfg *c = &m->pcfg[i];
        if (m->pending[i] == 0 || m->nsamp < m->pnext[i]) {
            continue;
        }
        if (has_op && hal->io->pulse(hal->ctx, c->out, c->width_ms) != MTR_OK) {
            continue; /* busy or failed: try again on the next block */
        }
        m->pending[i]--;
        m->pulses[i]++;
        m->pnext[i] = m->nsamp + 2u * c->width_ms * (uint64_t)m->cfg.rate_hz / 1000u;
    }
}
