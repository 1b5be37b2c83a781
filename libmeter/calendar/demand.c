/* SPDX-License-Identifier: Apache-2.0 */
/* Maximum demand (COSEM class 5 semantics): block and sliding windows. */
#include <string.h>

#include "calendar_priv.h"
#include "tariff_priv.h"

mtr_err_t mtr_demand_check(const struct mtr_demand_config *cfg)
{
    MTR_ASSERT(cfg != NULL);
    if (cfg->period_s < 60 || cfg->period_s > 3600 || cfg->period_s % 60 != 0 || cfg->periods < 1 ||
        cfg->periods > MTR_CFG_CALENDAR_DEMAND_WINDOW) {
        return MTR_ERR_CALENDAR_PERIOD;
    }
    return MTR_OK;
}

/* Seconds past the last boundary; boundaries are aligned in local standard time. */
static int64_t past_boundary(const struct mtr_demand *dm, const struct mtr_clock_view *now)
{
    int64_t p = dm->cfg.period_s;
    int64_t local = now->utc + now->std_offset_s;
    return local - cal_floor_div64(local, p) * p;
}

void demand_start(struct mtr_demand *dm, const struct mtr_clock_view *now, uint8_t flags)
{
    if (dm->next.period_s != dm->cfg.period_s || dm->next.periods != dm->cfg.periods) {
        /* new settings (mtr_tariff_set_demand()) from this sub-period on: the
         * sub-periods of the old length leave the window */
        dm->cfg = dm->next;
        dm->ring_n = 0;
        dm->ring_pos = 0;
    }
    int64_t past = past_boundary(dm, now);
    dm->start = now->utc;
    dm->end = now->utc + (int64_t)dm->cfg.period_s - past;
    dm->flags = flags;
    if (past != 0) {
        dm->flags |= MTR_DEMAND_ST_SHORT;
    }
    if (now->status & MTR_CLOCK_ST_INVALID) {
        dm->flags |= MTR_DEMAND_ST_INVALID;
    }
    memset(dm->energy, 0, sizeof dm->energy);
    dm->started = true;
}

void demand_add(struct mtr_demand *dm, const struct mtr_energy_delta *d)
{
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        dm->energy[q] += d->q[q];
    }
}

static int64_t to_power(const struct mtr_demand *dm, int64_t energy)
{
    /* mWh over the window's nominal length in seconds -> mW */
    return energy * 3600 / ((int64_t)dm->cfg.period_s * dm->cfg.periods);
}

static int64_t ring_sum(const struct mtr_demand *dm, unsigned q, bool skip_oldest)
{
    int64_t sum = 0;
    for (uint8_t i = 0; i < dm->ring_n; i++) {
        if (!(skip_oldest && dm->ring_n == dm->cfg.periods && i == dm->ring_pos)) {
            sum += dm->ring[i][q];
        }
    }
    return sum;
}

int64_t mtr_demand_current(const struct mtr_demand *dm, unsigned q)
{
    MTR_ASSERT(dm != NULL);
    if (q >= MTR_DEMAND_QUANTITIES) {
        return 0;
    }
    return to_power(dm, ring_sum(dm, q, true) + dm->energy[q]);
}

static void update_max(struct mtr_demand *dm, int tariff_idx, mtr_utc_t when)
{
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        struct mtr_demand_max *any = &dm->max[q][0];
        struct mtr_demand_max *mt = &dm->max[q][tariff_idx + 1];
        if (dm->last_avg[q] > any->value) {
            *any = (struct mtr_demand_max){dm->last_avg[q], when};
        }
        if (dm->last_avg[q] > mt->value) {
            *mt = (struct mtr_demand_max){dm->last_avg[q], when};
        }
    }
}

/* End the running sub-period at @p when. */
static void close_sub(struct mtr_demand *dm, mtr_utc_t when, int tariff_idx)
{
    uint8_t f = dm->flags;
    if (f == 0) {
        memcpy(dm->ring[dm->ring_pos], dm->energy, sizeof dm->energy);
        dm->ring_pos = (uint8_t)((dm->ring_pos + 1) % dm->cfg.periods);
        if (dm->ring_n < dm->cfg.periods) {
            dm->ring_n++;
        }
    } else {
        dm->short_periods++;
    }
    bool full = f == 0 && dm->ring_n == dm->cfg.periods;
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        dm->last_avg[q] = to_power(dm, ring_sum(dm, q, false) + (f != 0 ? dm->energy[q] : 0));
    }
    dm->last_status = full ? 0 : (uint8_t)(f | MTR_DEMAND_ST_SHORT);
    dm->last_time = when;
    if (full) {
        dm->full_periods++;
        update_max(dm, tariff_idx, when);
    }
    if (f != 0) {
        /* A flagged sub-period breaks the window: it refills from the next one. */
        dm->ring_n = 0;
        dm->ring_pos = 0;
    }
    memset(dm->energy, 0, sizeof dm->energy);
}

void demand_advance(struct mtr_demand *dm, const struct mtr_clock_view *now, int tariff_idx)
{
    if (!dm->started) {
        demand_start(dm, now, 0);
        return;
    }
    if (now->status & MTR_CLOCK_ST_INVALID) {
        dm->flags |= MTR_DEMAND_ST_INVALID;
    }
    if (now->utc < dm->end) {
        return;
    }
    if (now->utc >= dm->end + (int64_t)dm->cfg.period_s) {
        dm->flags |= MTR_DEMAND_ST_GAP;
        close_sub(dm, now->utc, tariff_idx);
        demand_start(dm, now, 0);
        return;
    }
    close_sub(dm, dm->end, tariff_idx);
    if (dm->next.period_s != dm->cfg.period_s || dm->next.periods != dm->cfg.periods) {
        /* a change of the settings waited for this boundary */
        struct mtr_clock_view at = *now;
        at.utc = dm->end;
        demand_start(dm, &at, 0);
        return;
    }
    dm->start = dm->end;
    dm->end += dm->cfg.period_s;
    dm->flags = (now->status & MTR_CLOCK_ST_INVALID) ? MTR_DEMAND_ST_INVALID : 0;
}

void demand_interrupt(struct mtr_demand *dm, const struct mtr_clock_view *now, uint8_t flags,
                      int tariff_idx)
{
    if (dm->started) {
        dm->flags |= flags;
        close_sub(dm, now->utc, tariff_idx);
    }
    demand_start(dm, now, 0);
}

void demand_billing_reset(struct mtr_demand *dm)
{
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        for (unsigned t = 0; t <= MTR_CFG_TARIFFS; t++) {
            dm->cumulative[q][t] += dm->max[q][t].value;
            dm->max[q][t] = (struct mtr_demand_max){0, 0};
        }
    }
}
