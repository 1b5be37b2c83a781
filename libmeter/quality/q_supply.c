/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Supply interruptions (power down / power up) and the cover and magnetic
 * field inputs.
 *
 * Short and long interruptions: the boundary is long_s (seed 001 §5.7.2,
 * tou-limits.json voltage_cut.long_short_boundary_s = 180, configurable);
 * an interruption lasting long_s or more is long. Events 1 and 2 (power
 * down/up) are logged by the aggregate, not here.
 */
#include "q_priv.h"

mtr_err_t mtr_quality_power_down(struct mtr_quality *q, mtr_utc_t utc)
{
    struct mtr_quality_saved *s;

    MTR_ASSERT(q != NULL);
    s = &q->s;
    if (utc < 0 || utc > MTR_QUALITY_UTC_MAX) {
        return MTR_ERR_QUALITY_INPUT;
    }
    if (s->down) {
        return MTR_ERR_QUALITY_STATE;
    }
    for (uint8_t p = 0; p < MTR_QUALITY_PHASES; p++) {
        /* a sag or swell ends at the power down, or where its return run
         * began if the voltage was already back */
        for (uint8_t k = MTR_QUALITY_SAG; k <= MTR_QUALITY_SWELL; k++) {
            struct mtr_quality_vdet *v = &s->v[p][k];
            if (v->d.active) {
                q_vevent_end(q, p, k, v->d.run_ms > 0 ? v->last : utc);
            }
        }
        /* runs toward a change are dropped; what is declared stays */
        for (uint8_t k = 0; k < 3; k++) {
            s->v[p][k].d.run_ms = 0;
        }
        s->cwv[p].run_ms = 0;
    }
    for (unsigned g = 0; g < Q_G_COUNT; g++) {
        s->g[g].run_ms = 0;
    }
    s->down = 1;
    s->down_utc = utc;
    return MTR_OK;
}

mtr_err_t mtr_quality_power_up(struct mtr_quality *q, mtr_utc_t utc)
{
    struct mtr_quality_saved *s;
    uint64_t dur;

    MTR_ASSERT(q != NULL);
    s = &q->s;
    if (utc < 0 || utc > MTR_QUALITY_UTC_MAX) {
        return MTR_ERR_QUALITY_INPUT;
    }
    if (!s->down) {
        return MTR_OK;
    }
    dur = utc > s->down_utc ? (uint64_t)(utc - s->down_utc) : 0u;
    if (dur >= s->set.long_s) {
        s->long_n++;
        s->long_s = q_add(s->long_s, dur);
        s->last_long_start = s->down_utc;
        s->last_long_end = utc;
        if (q->cfg->on_power_failure != NULL) {
            q->cfg->on_power_failure(q->cfg->user, s->down_utc, utc, dur);
        }
    } else {
        s->short_n++;
        s->short_s = q_add(s->short_s, dur);
    }
    s->down = 0;
    s->down_utc = -1;
    return MTR_OK;
}

/* The supervised inputs and their events (seed 001 Table 10, fraud list). */
static const struct {
    uint32_t bit;
    uint16_t on, off;
    const char *on_name, *off_name;
} inputs_tab[3] = {
    {MTR_IN_TERMINAL_COVER, 40, 41, "Terminal cover removed", "Terminal cover closed"},
    {MTR_IN_MAGNETIC, 42, 43, "Strong DC field detected", "No strong DC field anymore"},
    {MTR_IN_MAIN_COVER, 44, 45, "Meter cover removed", "Meter cover closed"},
};

mtr_err_t mtr_quality_inputs(struct mtr_quality *q, uint32_t inputs, mtr_utc_t utc)
{
    struct mtr_quality_saved *s;

    MTR_ASSERT(q != NULL);
    s = &q->s;
    if (utc < 0 || utc > MTR_QUALITY_UTC_MAX) {
        return MTR_ERR_QUALITY_INPUT;
    }
    for (unsigned i = 0; i < 3; i++) {
        uint8_t bit = (uint8_t)inputs_tab[i].bit;
        bool raw = (inputs & bit) != 0;
        bool stable = (s->in_stable & bit) != 0;

        if (raw == stable) {
            s->in_pending &= (uint8_t)~bit; /* bounced back */
            continue;
        }
        if (!(s->in_pending & bit) || utc < s->in_since[i]) {
            s->in_pending |= bit;
            s->in_since[i] = utc;
        }
        if (utc - s->in_since[i] >= (mtr_utc_t)s->set.debounce_s) {
            s->in_pending &= (uint8_t)~bit;
            s->in_stable ^= bit;
            q_emit(q, raw ? inputs_tab[i].on : inputs_tab[i].off,
                   raw ? inputs_tab[i].on_name : inputs_tab[i].off_name, utc, (int64_t)inputs);
        }
    }
    return MTR_OK;
}
