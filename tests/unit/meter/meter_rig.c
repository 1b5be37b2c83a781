/* SPDX-License-Identifier: Apache-2.0 */
/* A complete meter on the sim HAL, for the tests of the wiring. */
#include "meter_rig.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    struct rig *r = user;
    if (r->nlog < RIG_LOG_MAX) {
        r->log[r->nlog++] = *rec;
    }
}

static void on_alarm(struct mtr_meter *m, uint8_t reg, uint32_t bits, void *user)
{
    (void)m;
    struct rig *r = user;
    if (reg <= 2) {
        r->alarms[reg] |= bits;
    }
    r->npush++;
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
                                              (uint16_t)mtr_meter_disconnect_record_size()};
    r->table[3] = (struct mtr_store_part_cfg){PART_CALENDAR, MTR_STORE_SNAPSHOT, 8, 2,
                                              RIG_CALENDAR_RECORD};
    r->nparts = 4;
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

#if RIG_RECORDS
static const struct mtr_profile_column lp1_cols[] = {
    {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_STATUS, .class_id = 1, .obis = {0, 0, 96, 10, 1, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 0, 255}, .attr = 2, .unit = 30},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 2, 8, 0, 255}, .attr = 2, .unit = 30},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 3, 8, 0, 255}, .attr = 2, .unit = 32},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 4, 8, 0, 255}, .attr = 2, .unit = 32},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 32, 7, 0, 255}, .attr = 2, .unit = 35},
};
static const struct mtr_profile_column billing_cols[] = {
    {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 1, .obis = {0, 0, 0, 1, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 1, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 2, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 3, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 4, .obis = {1, 0, 1, 6, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 4, .obis = {1, 0, 1, 6, 0, 255}, .attr = 5},
};
/* Logs kept by the rig. */
static const uint8_t rig_logs[] = {MTR_EVLOG_STANDARD, MTR_EVLOG_FRAUD, MTR_EVLOG_DISCONNECTOR,
                                   MTR_EVLOG_POWER_QUALITY, MTR_EVLOG_POWER_FAILURE};

/* Entries a 2-sector ring (4 KiB sectors, write unit 1) always keeps. */
static uint32_t ring_keeps(uint32_t record, uint32_t sectors)
{
    return (4096u / mtr_store_slot_size(record, 1)) * (sectors - 1u);
}
#endif

void rig_board_records(struct rig *r, mtr_utc_t utc, uint32_t adc_buffer)
{
    rig_board(r, utc, adc_buffer);
#if RIG_RECORDS
    r->records = true;
    uint32_t sector = 10;
    uint16_t n = r->nparts;
    r->table[n++] = (struct mtr_store_part_cfg){PART_EVENTS, MTR_STORE_SNAPSHOT, sector, 2,
                                                MTR_EVENTS_BLOB_SIZE};
    sector += 2;
    r->table[n++] = (struct mtr_store_part_cfg){PART_QUALITY, MTR_STORE_SNAPSHOT, sector, 2,
                                                MTR_QUALITY_BLOB_SIZE};
    sector += 2;
    uint32_t lp1_rec = mtr_profile_record_size(RIG_LP1_VALUES);
    r->table[n++] = (struct mtr_store_part_cfg){PART_LP1, MTR_STORE_RING, sector, 4,
                                                (uint16_t)lp1_rec};
    sector += 4;
    uint32_t bill_rec = mtr_profile_record_size(RIG_BILLING_VALUES);
    r->table[n++] = (struct mtr_store_part_cfg){PART_BILLING, MTR_STORE_RING, sector, 2,
                                                (uint16_t)bill_rec};
    sector += 2;
    r->prof_cfg[RIG_LP1] = (struct mtr_profile_config){
        .obis = {1, 0, 99, 1, 0, 255}, .part = PART_LP1, .capture_period_s = 900,
        .capacity = ring_keeps(lp1_rec, 4), .columns = lp1_cols,
        .ncolumns = sizeof lp1_cols / sizeof lp1_cols[0]};
    r->prof_cfg[RIG_BILLING] = (struct mtr_profile_config){
        .obis = {0, 0, 98, 1, 0, 255}, .part = PART_BILLING, .capture_period_s = 0,
        .capacity = ring_keeps(bill_rec, 2), .columns = billing_cols,
        .ncolumns = sizeof billing_cols / sizeof billing_cols[0]};
    for (unsigned i = 0; i < sizeof rig_logs; i++) {
        uint8_t log = rig_logs[i];
        uint32_t rec = mtr_events_log_record_size(log);
        r->table[n++] = (struct mtr_store_part_cfg){(uint16_t)(PART_LOG0 + log), MTR_STORE_RING,
                                                    sector, 2, (uint16_t)rec};
        sector += 2;
        cr_assert_eq(mtr_events_log_default(log, (uint16_t)(PART_LOG0 + log),
                                            ring_keeps(rec, 2), &r->log_cfg[log]),
                     MTR_OK);
    }
#if RIG_DISPLAY
    r->table[n++] = (struct mtr_store_part_cfg){PART_DISPLAY, MTR_STORE_SNAPSHOT, sector, 2,
                                                MTR_DISPLAY_BLOB_SIZE};
    sector += 2;
#endif
    cr_assert(n <= RIG_PARTS && sector <= 64);
    r->nparts = n;
#endif
}

void rig_fast_adc(struct rig *r)
{
    struct mtr_sim_adc_cfg a = r->sim.cfg.adc;
    a.rate_hz = 1000;
    mtr_sim_free(&r->sim);
    struct mtr_sim_config sc = r->sim.cfg;
    sc.adc = a;
    cr_assert_eq(mtr_sim_init(&r->sim, &sc), MTR_OK);
    mtr_sim_hal(&r->sim, &r->hal);
    mtr_metrology_config_default(&r->metro_cfg);
    r->metro_cfg.rate_hz = 1000;
    r->metro_cfg.bits = sc.adc.bits;
    r->metro_cfg.period_ms = 1000;
    r->fast_adc = true;
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
        .metrology_cfg = r->fast_adc ? &r->metro_cfg : NULL,
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
    scfg = (struct mtr_store_cfg){.parts = r->table, .state = r->e.parts, .nparts = r->nparts};
    r->engines.store_cfg = &scfg;
#if RIG_RECORDS
    if (r->records) {
        for (unsigned i = 0; i < 2; i++) {
            r->prof_cfgs[i] = &r->prof_cfg[i];
            r->profs[i] = &r->e.prof[i];
        }
        r->engines.profiles = r->profs;
        r->engines.profile_cfgs = r->prof_cfgs;
        r->engines.nprofiles = 2;
        r->engines.billing_profiles = 1u << RIG_BILLING;
        r->ev_cfg = (struct mtr_events_config){.state_part = PART_EVENTS};
        for (unsigned i = 0; i < sizeof rig_logs; i++) {
            r->ev_cfg.log[rig_logs[i]] = &r->e.logs[rig_logs[i]];
            r->ev_cfg.log_cfg[rig_logs[i]] = &r->log_cfg[rig_logs[i]];
        }
        r->engines.events = &r->e.ev;
        r->engines.events_cfg = &r->ev_cfg;
        r->e.q_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
        mtr_quality_settings_default(&r->e.q_cfg.settings);
        r->engines.quality = &r->e.q;
        r->engines.quality_cfg = &r->e.q_cfg;
        r->engines.quality_part = PART_QUALITY;
        r->engines.quality_buf = r->e.q_buf;
#if RIG_DISPLAY
        /* the seed's display, its settings and lists persisted */
        mtr_display_seed(&r->e.disp_cfg, false);
        r->engines.display = &r->e.disp;
        r->engines.display_cfg = &r->e.disp_cfg;
        r->engines.display_part = PART_DISPLAY;
        r->engines.display_buf = r->e.disp_buf;
        r->engines.display_value = r->display_value;
#endif
    }
#endif
    r->mc = (struct mtr_meter_config){.engines = &r->engines, .on_log = on_log, .user = r,
                                      .on_alarm = on_alarm};
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

#if RIG_RECORDS
uint32_t rig_ev_count(const struct rig *r, uint16_t code, const char *name)
{
    uint16_t idx;
    cr_assert_eq(mtr_events_find(code, name, &idx), MTR_OK, "code %u", code);
    return mtr_events_code_count(&r->e.ev, idx);
}

uint32_t rig_log_entries(struct rig *r, uint8_t log, uint16_t code)
{
    struct mtr_profile *p = mtr_events_log(&r->e.ev, log);
    cr_assert_not_null(p);
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ALL};
    struct mtr_profile_cursor cur;
    struct mtr_profile_entry e;
    uint32_t count = 0, n = 0;
    cr_assert_eq(mtr_profile_select(p, &sel, &cur, &count), MTR_OK);
    while (mtr_profile_next(p, &sel, &cur, &e) == MTR_OK) {
        n += code == 0 || e.v[0] == code;
    }
    return n;
}
#endif

void rig_diag(const char *fmt, ...)
{
    const char *path = getenv(RIG_DIAG_ENV);
    FILE *f = path != NULL ? fopen(path, "a") : NULL;
    FILE *to = f != NULL ? f : stderr;
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", to);
    vfprintf(to, fmt, ap);
    fputc('\n', to);
    va_end(ap);
    if (f != NULL) {
        fclose(f);
    }
}
