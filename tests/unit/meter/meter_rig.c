/* SPDX-License-Identifier: Apache-2.0 */
/* A complete meter on the sim HAL, for the tests of the wiring. */
#include "meter_rig.h"

#include <criterion/criterion.h>
#include <string.h>

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    struct rig *r = user;
    if (r->nlog < RIG_LOG_MAX) {
        r->log[r->nlog++] = *rec;
    }
}

static void on_billing(void *user, const struct mtr_billing_capture *cap)
{
    struct rig *r = user;
    if (r->nbills < RIG_BILL_MAX) {
        r->bills[r->nbills++] = (struct rig_bill){cap->period, cap->boundary_local};
    }
}

void rig_board(struct rig *r, mtr_utc_t utc, uint32_t adc_buffer)
{
    memset(r, 0, sizeof *r);
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.utc_start = utc;
    if (adc_buffer != 0) {
        sc.adc_buffer = adc_buffer;
    }
    cr_assert_eq(mtr_sim_init(&r->sim, &sc), MTR_OK);
    mtr_sim_hal(&r->sim, &r->hal);
    uint16_t esize = (uint16_t)mtr_meter_energy_record_size();
    r->table[0] = (struct mtr_store_part_cfg){PART_ENERGY, MTR_STORE_SNAPSHOT, 0, 4, esize};
    r->table[1] = (struct mtr_store_part_cfg){PART_CAL, MTR_STORE_SNAPSHOT, 4, 2,
                                              MTR_METROLOGY_CAL_BLOB_SIZE};
    r->table[2] = (struct mtr_store_part_cfg){PART_DC, MTR_STORE_SNAPSHOT, 6, 2,
                                              (uint16_t)mtr_disconnect_blob_size()};
    r->table[3] = (struct mtr_store_part_cfg){PART_CALENDAR, MTR_STORE_SNAPSHOT, 8, 2,
                                              RIG_CALENDAR_RECORD};
    r->tariff_cfg = (struct mtr_tariff_config){
        .demand = {.period_s = 900, .periods = 1},
        .billing = {.enabled = true, .day = 1},
        .on_billing = on_billing,
        .user = r,
    };
    r->clock_cfg = (struct mtr_clock_config){.time_zone = 0, .dst = {.kind = MTR_DST_NONE}};
    r->limit_mw = MTR_DC_LIMIT_MAX_MW;
    r->dc_mode = 6;
}

static void program_calendar(struct rig *r)
{
    static struct mtr_tou tou;
    memset(&tou, 0, sizeof tou);
    tou.n_days = 1;
    tou.day[0] = (struct mtr_tou_day){.id = 1, .n = 3, .sw = {{0, 0, 0, 1}, {6, 0, 0, 2},
                                                              {18, 0, 0, 3}}};
    tou.n_weeks = 1;
    tou.week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    tou.n_seasons = 1;
    tou.season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 1};
    cr_assert_eq(mtr_calendar_set_active(&r->e.cal, &tou), MTR_OK);
}

mtr_err_t rig_boot(struct rig *r)
{
    memset(&r->e, 0, sizeof r->e);
    r->e.dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2},
        .mode = r->dc_mode,
        .feedback_ms = 1000,
        .debounce_ms = 50,
        .disconnect_hold_ms = 3000,
        .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = r->limit_mw, .emergency_mw = r->limit_mw, .period_s = 30,
                    .penalty_s = 30, .min_over_s = 0, .min_under_s = 0},
    };
    r->engines = (struct mtr_meter_engines){
        .metrology = &r->e.metro,
        .clock = &r->e.clk,
        .clock_cfg = &r->clock_cfg,
        .calendar = &r->e.cal,
        .tariff = &r->e.trf,
        .tariff_cfg = &r->tariff_cfg,
        .store = &r->e.store,
        .energy_part = PART_ENERGY,
        .cal_part = PART_CAL,
        .disconnect_part = PART_DC,
        .disconnect = &r->e.dc,
        .disconnect_cfg = &r->e.dc_cfg,
    };
    if (r->persist_calendar) {
        r->engines.calendar_part = PART_CALENDAR;
        r->engines.calendar_buf = r->calendar_buf;
        r->engines.calendar_buf_size = sizeof r->calendar_buf;
    }
    static struct mtr_store_cfg scfg;
    scfg = (struct mtr_store_cfg){.parts = r->table, .state = r->e.parts, .nparts = 4};
    r->engines.store_cfg = &scfg;
    r->mc = (struct mtr_meter_config){.engines = &r->engines, .on_log = on_log, .user = r};
    mtr_err_t rc = mtr_meter_init(&r->e.meter, &r->hal, &r->mc);
    struct mtr_meter_wiring w;
    if (rc == MTR_OK) {
        mtr_meter_wiring(&r->e.meter, &w);
    }
    if (rc == MTR_OK && w.calendar_restore != MTR_RESTORE_OK) {
        program_calendar(r);
    }
    return rc;
}

void rig_run(struct rig *r, uint64_t ms, uint32_t step_ms)
{
    for (uint64_t t = 0; t < ms && mtr_sim_nvm_powered(&r->sim); t += step_ms) {
        mtr_sim_advance(&r->sim, step_ms);
        (void)mtr_post_adc_ready(&r->e.meter);
        cr_assert_eq(mtr_poll(&r->e.meter, NULL), MTR_OK);
    }
}

void rig_free(struct rig *r)
{
    mtr_sim_free(&r->sim);
}

uint32_t rig_count(const struct rig *r, uint16_t code)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nlog; i++) {
        n += r->log[i].kind == MTR_LOG_EVENT && r->log[i].code == code;
    }
    return n;
}

int64_t rig_total(const struct rig *r, unsigned q)
{
    return mtr_registers_total(mtr_tariff_registers(&r->e.trf), q);
}

int64_t rig_tariff_sum(const struct rig *r, unsigned q)
{
    int64_t s = 0;
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        s += mtr_registers_tariff(mtr_tariff_registers(&r->e.trf), q, t);
    }
    return s;
}

int64_t rig_metro(const struct rig *r, unsigned k)
{
    int64_t v = 0;
    cr_assert_eq(mtr_metrology_energy(&r->e.metro, MTR_METROLOGY_TOTAL, k, &v, NULL), MTR_OK);
    return v;
}
