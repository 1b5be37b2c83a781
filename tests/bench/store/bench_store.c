/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store benchmark on the sim HAL (256 KiB NOR flash, 4 KiB sectors, write
 * unit 1), endurance 100k cycles.
 *
 * Default configuration: the meter's real layout, run through the whole
 * aggregate (mtr_meter_init() + mtr_poll()) for 60 simulated days: the
 * register snapshot (mtr_meter_energy_record_size(), every 15 min), LP1
 * (15 min, 6 values), LP2 (hourly, 4 values), the billing profile (monthly,
 * 8 values), the event logs with a realistic daily event rate (a clock
 * synchronisation a day: events 4 and 5; a power-fail warning and its
 * return every other day: 1, 2 and a short power failure; a remote
 * disconnection and reconnection a week: 62, 63), the events state (every
 * event), the quality blob, the disconnect and calendar records. Prints, per
 * partition, bytes written and erases per sector per simulated day and the
 * projected flash lifetime; then the cost of a profile capture, of a
 * selective read (one day out of LP1 by range), of a register commit and of
 * a start-up (recovery of every partition). The last line is one JSON
 * object.
 *
 * Without the engines this needs (metrology, calendar, store, disconnect,
 * profile, events, quality), the store alone with synthetic records of the
 * same cadence.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/meter.h"
#include "meter/store.h"
#include "sim.h"
#define BENCH_NAME "bench_store"
#include "../bench_check.h"
#include "../bench_nvm_count.h"
#include "../bench_time.h"

#define BENCH_METER                                                                                \
    (MTR_WITH_METROLOGY && MTR_WITH_CALENDAR && MTR_WITH_STORE && MTR_WITH_DISCONNECT &&          \
     MTR_WITH_PROFILE && MTR_WITH_EVENTS && MTR_WITH_QUALITY)

#if BENCH_METER
#include "meter/clock.h"
#include "meter/disconnect.h"
#include "meter/events.h"
#include "meter/metrology.h"
#include "meter/profile.h"
#include "meter/quality.h"
#include "meter/tariff.h"
#endif

#define DAYS      60u
#define ENDURANCE 100000u
#define SECTOR    4096u

#if !BENCH_METER
/* ------------------------------------------------------------ the store alone */

enum { ENERGY = 1, LP1 = 2, LP2 = 3, LOG = 4 };

static const struct mtr_store_part_cfg table[] = {
    {.id = ENERGY, .kind = MTR_STORE_SNAPSHOT, .first_sector = 0, .sectors = 2, .record_size = 200},
    {.id = LP1, .kind = MTR_STORE_RING, .first_sector = 2, .sectors = 8, .record_size = 40},
    {.id = LP2, .kind = MTR_STORE_RING, .first_sector = 10, .sectors = 4, .record_size = 40},
    {.id = LOG, .kind = MTR_STORE_RING, .first_sector = 14, .sectors = 4, .record_size = 16},
};
#define NPARTS 4u

struct part_fig {
    double bytes_day;
    double erases_sector_day;
    double years;
};

static int bench_raw(void)
{
    struct mtr_sim sim;
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.adc_enabled = false;
    check(mtr_sim_init(&sim, &sc), "sim");
    mtr_sim_hal(&sim, &inner);
    struct mtr_hal hal = inner;
    hal.nvm = &counting;
    struct mtr_store st;
    struct mtr_store_part state[NPARTS];
    struct mtr_store_cfg cfg = {.parts = table, .state = state, .nparts = NPARTS};
    check(mtr_store_init(&st, &hal, &cfg), "init");

    uint8_t regs[200] = {0};
    uint8_t entry[40] = {0};
    uint8_t ev[16] = {0};
    for (uint32_t q = 0; q < DAYS * 96u; q++) {
        regs[q % 200u]++;
        entry[0] = (uint8_t)q;
        check(mtr_store_commit(&st, ENERGY, regs, sizeof regs), "commit");
        check(mtr_store_append(&st, LP1, entry, sizeof entry), "lp1");
        if (q % 4u == 3u) {
            check(mtr_store_append(&st, LP2, entry, sizeof entry), "lp2");
        }
        if (q % 24u == 5u) {
            check(mtr_store_append(&st, LOG, ev, sizeof ev), "log");
        }
    }
    struct part_fig fig[NPARTS];
    double worst_years = 1e18;
    printf("store, %u days, 256 KiB NOR, 4 KiB sectors, write unit 1, endurance %u cycles\n", DAYS,
           ENDURANCE);
    for (uint32_t p = 0; p < NPARTS; p++) {
        struct mtr_store_stats s;
        check(mtr_store_stats(&st, table[p].id, &s), "stats");
        uint32_t hi = 0;
        for (uint32_t k = 0; k < table[p].sectors; k++) {
            uint32_t e = mtr_sim_nvm_erases(&sim, table[p].first_sector + k);
            hi = e > hi ? e : hi;
        }
        /* Steady state: every sector is erased once per lap of the slots.
         * The measured figure leaves out the first erase of each sector. */
        double per_day = (double)s.records / DAYS / s.slots;
        double measured = hi > 1 ? (double)(hi - 1u) / DAYS : 0.0;
        fig[p].bytes_day = (double)s.bytes / DAYS;
        fig[p].erases_sector_day = per_day;
        fig[p].years = ENDURANCE / per_day / 365.25;
        worst_years = fig[p].years < worst_years ? fig[p].years : worst_years;
        printf("  partition %u: %u sectors, %u slots of %u B: %.0f B/day, %.4f erases/sector/day "
               "(measured %.4f), %.0f years\n",
               table[p].id, table[p].sectors, s.slots, s.slot_size, fig[p].bytes_day, per_day,
               measured, fig[p].years);
    }

    /* Cost per operation: host time and NVM bytes. */
    enum { N = 4000 };
    uint64_t r0 = n_read, w0 = n_written, e0 = n_erased;
    double t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        regs[0] = (uint8_t)i;
        check(mtr_store_commit(&st, ENERGY, regs, sizeof regs), "commit");
    }
    double commit_ns = (now_ns() - t0) / N;
    double commit_w = (double)(n_written - w0) / N;
    double commit_r = (double)(n_read - r0) / N;
    double commit_e = (double)(n_erased - e0) / N;
    r0 = n_read, w0 = n_written, e0 = n_erased;
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_store_append(&st, LP1, entry, sizeof entry), "append");
    }
    double append_ns = (now_ns() - t0) / N;
    double append_w = (double)(n_written - w0) / N;
    double append_r = (double)(n_read - r0) / N;
    double append_e = (double)(n_erased - e0) / N;
    uint32_t count;
    check(mtr_store_count(&st, LP1, &count), "count");
    r0 = n_read;
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        size_t len;
        check(mtr_store_read(&st, LP1, (i * 7919u) % count, entry, sizeof entry, &len, NULL),
              "read");
    }
    double read_ns = (now_ns() - t0) / N;
    double read_r = (double)(n_read - r0) / N;
    r0 = n_read;
    t0 = now_ns();
    check(mtr_store_init(&st, &hal, &cfg), "recover");
    double recover_ns = now_ns() - t0;
    double recover_r = (double)(n_read - r0);
    printf("  commit (200 B): %.0f ns, %.0f B written, %.0f B read, %.0f B erased\n", commit_ns,
           commit_w, commit_r, commit_e);
    printf("  append (40 B): %.0f ns, %.0f B written, %.0f B read, %.0f B erased\n", append_ns,
           append_w, append_r, append_e);
    printf("  read by index (40 B): %.0f ns, %.0f B read\n", read_ns, read_r);
    printf("  recovery of %u partitions: %.0f ns, %.0f B read\n", NPARTS, recover_ns, recover_r);
    printf("{\"bench\": \"bench_store\", \"days\": %u, \"endurance\": %u, "
           "\"energy_bytes_day\": %.0f, \"energy_erases_sector_day\": %.3f, "
           "\"energy_years\": %.0f, \"lp1_bytes_day\": %.0f, \"lp1_erases_sector_day\": %.3f, "
           "\"lp1_years\": %.0f, \"lp2_bytes_day\": %.0f, \"log_bytes_day\": %.0f, "
           "\"worst_years\": %.0f, \"commit_ns\": %.0f, \"commit_bytes_written\": %.0f, "
           "\"commit_bytes_read\": %.0f, \"append_ns\": %.0f, \"append_bytes_written\": %.0f, "
           "\"append_bytes_read\": %.0f, \"read_ns\": %.0f, \"read_bytes\": %.0f, "
           "\"recover_ns\": %.0f, \"recover_bytes_read\": %.0f}\n",
           DAYS, ENDURANCE, fig[0].bytes_day, fig[0].erases_sector_day, fig[0].years,
           fig[1].bytes_day, fig[1].erases_sector_day, fig[1].years, fig[2].bytes_day,
           fig[3].bytes_day, worst_years, commit_ns, commit_w, commit_r, append_ns, append_w,
           append_r, read_ns, read_r, recover_ns, recover_r);
    mtr_sim_free(&sim);
    return 0;
}
#endif

#if BENCH_METER
/* ------------------------------------------------------------ the meter's layout */

#define D2025_01_01 20089LL
#define DAY_S 86400LL

enum {
    P_ENERGY = 1,
    P_CAL,
    P_DC,
    P_CALENDAR,
    P_EVENTS,
    P_QUALITY,
    P_LP1,
    P_LP2,
    P_BILLING,
    P_LOG0 = 20, /* + ::mtr_events_log */
};
#define MPARTS 16u
#define CAL_RECORD 2048u

static const uint8_t kept_logs[] = {MTR_EVLOG_STANDARD, MTR_EVLOG_FRAUD, MTR_EVLOG_DISCONNECTOR,
                                    MTR_EVLOG_POWER_QUALITY, MTR_EVLOG_POWER_FAILURE};

#define COL_CLOCK {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2}
#define COL_STATUS {.kind = MTR_PROFILE_COL_STATUS, .class_id = 1, .obis = {0, 0, 96, 10, 1, 255}, .attr = 2}
#define COL(cls, a, b, c, d, e, at)                                                                \
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = cls, .obis = {a, b, c, d, e, 255}, .attr = at}

static const struct mtr_profile_column lp1_cols[] = {
    COL_CLOCK, COL_STATUS, COL(3, 1, 0, 1, 8, 0, 2), COL(3, 1, 0, 2, 8, 0, 2),
    COL(3, 1, 0, 3, 8, 0, 2), COL(3, 1, 0, 4, 8, 0, 2), COL(3, 1, 0, 32, 7, 0, 2),
    COL(3, 1, 0, 31, 7, 0, 2)};
static const struct mtr_profile_column lp2_cols[] = {
    COL_CLOCK, COL_STATUS, COL(3, 1, 0, 1, 8, 0, 2), COL(3, 1, 0, 2, 8, 0, 2),
    COL(3, 1, 0, 1, 5, 0, 2), COL(3, 1, 0, 16, 7, 0, 2)};
static const struct mtr_profile_column bill_cols[] = {
    COL_CLOCK, COL(1, 0, 0, 0, 1, 0, 2), COL(3, 1, 0, 1, 8, 0, 2), COL(3, 1, 0, 1, 8, 1, 2),
    COL(3, 1, 0, 1, 8, 2, 2), COL(3, 1, 0, 1, 8, 3, 2), COL(3, 1, 0, 2, 8, 0, 2),
    COL(4, 1, 0, 1, 6, 0, 2), COL(4, 1, 0, 1, 6, 0, 5)};
#define NCOLS(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))

static struct {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store_part_cfg table[MPARTS];
    uint16_t nparts;
    struct mtr_store_cfg store_cfg;
    struct mtr_profile_config prof_cfg[3];
    const struct mtr_profile_config *prof_cfgs[3];
    struct mtr_profile *profs[3];
    struct mtr_profile_config log_cfg[MTR_EVLOG_COUNT];
    struct mtr_events_config ev_cfg;
    struct mtr_tariff_config tariff_cfg;
    struct mtr_quality_config q_cfg;
    struct mtr_dc_config dc_cfg;
    struct mtr_meter_engines engines;
    struct mtr_meter_config mc;
    uint8_t calendar_buf[CAL_RECORD];
    uint8_t q_buf[MTR_QUALITY_BLOB_SIZE];
    /* RAM of the engines (zeroed at each start-up) */
    struct {
        struct mtr_metrology metro;
        struct mtr_clock clk;
        struct mtr_calendar cal;
        struct mtr_tariff trf;
        struct mtr_store store;
        struct mtr_store_part parts[MPARTS];
        struct mtr_disconnect dc;
        struct mtr_profile prof[3];
        struct mtr_profile logs[MTR_EVLOG_COUNT];
        struct mtr_events ev;
        struct mtr_quality q;
        struct mtr_meter meter;
    } e;
    uint32_t events;
} b;

static uint32_t keeps(uint32_t record, uint32_t sectors)
{
    return (SECTOR / mtr_store_slot_size(record, 1)) * (sectors - 1u);
}

static uint32_t next_sector;

static void add_part(uint16_t id, uint8_t kind, uint32_t sectors, uint32_t record)
{
    b.table[b.nparts++] = (struct mtr_store_part_cfg){id, kind, next_sector, sectors,
                                                      (uint16_t)record};
    next_sector += sectors;
}

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    (void)user;
    b.events += rec->code != 0;
}

static void layout(void)
{
    next_sector = 0;
    add_part(P_ENERGY, MTR_STORE_SNAPSHOT, 16, (uint32_t)mtr_meter_energy_record_size());
    add_part(P_CAL, MTR_STORE_SNAPSHOT, 2, MTR_METROLOGY_CAL_BLOB_SIZE);
    add_part(P_DC, MTR_STORE_SNAPSHOT, 2, (uint32_t)mtr_meter_disconnect_record_size());
    add_part(P_CALENDAR, MTR_STORE_SNAPSHOT, 2, CAL_RECORD);
    add_part(P_EVENTS, MTR_STORE_SNAPSHOT, 2, MTR_EVENTS_BLOB_SIZE);
    add_part(P_QUALITY, MTR_STORE_SNAPSHOT, 2, MTR_QUALITY_BLOB_SIZE);
    const struct {
        uint16_t id;
        uint32_t period, sectors;
        const struct mtr_profile_column *cols;
        uint8_t n;
        uint8_t obis[6];
    } pf[3] = {
        {P_LP1, 900, 8, lp1_cols, NCOLS(lp1_cols), {1, 0, 99, 1, 0, 255}},
        {P_LP2, 3600, 4, lp2_cols, NCOLS(lp2_cols), {1, 0, 99, 2, 0, 255}},
        {P_BILLING, 0, 2, bill_cols, NCOLS(bill_cols), {0, 0, 98, 1, 0, 255}},
    };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t values = 0;
        for (uint8_t c = 0; c < pf[i].n; c++) {
            values += pf[i].cols[c].kind == MTR_PROFILE_COL_VALUE;
        }
        uint32_t rec = mtr_profile_record_size(values);
        add_part(pf[i].id, MTR_STORE_RING, pf[i].sectors, rec);
        b.prof_cfg[i] = (struct mtr_profile_config){.part = pf[i].id,
                                                    .capture_period_s = pf[i].period,
                                                    .capacity = keeps(rec, pf[i].sectors),
                                                    .columns = pf[i].cols,
                                                    .ncolumns = pf[i].n};
        memcpy(b.prof_cfg[i].obis, pf[i].obis, 6);
        b.prof_cfgs[i] = &b.prof_cfg[i];
    }
    for (unsigned i = 0; i < sizeof kept_logs; i++) {
        uint8_t log = kept_logs[i];
        uint32_t rec = mtr_events_log_record_size(log);
        /* the standard log keeps the seed's 500 entries */
        uint32_t sectors = log == MTR_EVLOG_STANDARD ? 6u : 2u;
        add_part((uint16_t)(P_LOG0 + log), MTR_STORE_RING, sectors, rec);
        uint32_t cap = keeps(rec, sectors);
        check(mtr_events_log_default(log, (uint16_t)(P_LOG0 + log),
                                     cap < MTR_EVENTS_SEED_CAPACITY ? cap : MTR_EVENTS_SEED_CAPACITY,
                                     &b.log_cfg[log]),
              "log");
    }
    b.store_cfg = (struct mtr_store_cfg){.parts = b.table, .state = b.e.parts, .nparts = b.nparts};
    b.tariff_cfg = (struct mtr_tariff_config){.demand = {.period_s = 900, .periods = 1},
                                              .billing = {.enabled = true, .day = 1}};
    b.ev_cfg = (struct mtr_events_config){.state_part = P_EVENTS};
    for (unsigned i = 0; i < sizeof kept_logs; i++) {
        b.ev_cfg.log[kept_logs[i]] = &b.e.logs[kept_logs[i]];
        b.ev_cfg.log_cfg[kept_logs[i]] = &b.log_cfg[kept_logs[i]];
    }
}

static mtr_err_t start_up(void)
{
    memset(&b.e, 0, sizeof b.e);
    b.dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2}, .mode = 6, .feedback_ms = 1000, .debounce_ms = 50,
        .disconnect_hold_ms = 3000, .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 30, .penalty_s = 30}};
    b.q_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
    mtr_quality_settings_default(&b.q_cfg.settings);
    for (unsigned i = 0; i < 3; i++) {
        b.profs[i] = &b.e.prof[i];
    }
    b.engines = (struct mtr_meter_engines){
        .metrology = &b.e.metro, .clock = &b.e.clk, .calendar = &b.e.cal, .tariff = &b.e.trf,
        .tariff_cfg = &b.tariff_cfg, .store = &b.e.store, .store_cfg = &b.store_cfg,
        .energy_part = P_ENERGY, .cal_part = P_CAL, .disconnect_part = P_DC,
        .calendar_part = P_CALENDAR, .calendar_buf = b.calendar_buf,
        .calendar_buf_size = sizeof b.calendar_buf, .disconnect = &b.e.dc,
        .disconnect_cfg = &b.dc_cfg, .profiles = b.profs, .profile_cfgs = b.prof_cfgs,
        .nprofiles = 3, .billing_profiles = 1u << 2, .events = &b.e.ev, .events_cfg = &b.ev_cfg,
        .quality = &b.e.q, .quality_cfg = &b.q_cfg, .quality_part = P_QUALITY,
        .quality_buf = b.q_buf};
    b.mc = (struct mtr_meter_config){.engines = &b.engines, .on_log = on_log};
    return mtr_meter_init(&b.e.meter, &b.hal, &b.mc);
}

static void poll_at(uint32_t ms)
{
    mtr_sim_advance(&b.sim, ms);
    check(mtr_poll(&b.e.meter, NULL), "poll");
}

static double per_day(uint64_t x)
{
    return (double)x / DAYS;
}

static int bench_meter(void)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.adc_enabled = false;
    sc.utc_start = D2025_01_01 * DAY_S;
    check(mtr_sim_init(&b.sim, &sc), "sim");
    mtr_sim_hal(&b.sim, &inner);
    b.hal = inner;
    b.hal.nvm = &counting;
    layout();
    check(start_up(), "start-up");
    /* a TOU calendar: T1 at night, T2 by day */
    static struct mtr_tou tou;
    tou.n_days = 1;
    tou.day[0] = (struct mtr_tou_day){.id = 1, .n = 2, .sw = {{0, 0, 0, 1}, {7, 0, 0, 2}}};
    tou.n_weeks = 1;
    tou.week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    tou.n_seasons = 1;
    tou.season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 1};
    check(mtr_calendar_set_active(&b.e.cal, &tou), "calendar");
    check(mtr_disconnect_apply(&b.e.dc, 0, MTR_DC_T_E, b.sim.ms), "connect");

    /* the store's counters start here: 60 days of the steady state */
    struct mtr_store_stats s0[MPARTS];
    for (uint16_t p = 0; p < b.nparts; p++) {
        check(mtr_store_stats(&b.e.store, b.table[p].id, &s0[p]), "stats");
    }
    uint32_t ev0 = b.events;
    for (uint32_t day = 0; day < DAYS; day++) {
        for (uint32_t min = 0; min < 24u * 60u; min++) {
            poll_at(60000);
            if (min == 3 * 60) {
                mtr_utc_t utc = 0;
                check(b.hal.clock->rtc_get(b.hal.ctx, &utc), "rtc");
                check(mtr_meter_rtc_set(&b.e.meter, utc + 2), "clock sync"); /* 4, 5 */
            } else if (min == 12 * 60 && day % 2u == 1u) {
                check(mtr_post_power_fail(&b.e.meter), "warning"); /* 1 */
                poll_at(0);
                mtr_sim_advance(&b.sim, 30000);
                check(mtr_post(&b.e.meter, MTR_EV_POWER_RESTORED, 0, 0), "restored"); /* 2 */
                poll_at(0);
            } else if (min == 10 * 60 && day % 7u == 3u) {
                check(mtr_disconnect_remote_disconnect(&b.e.dc, 0, b.sim.ms), "b"); /* 62 */
            } else if (min == 10 * 60 + 30 && day % 7u == 3u) {
                check(mtr_disconnect_remote_reconnect(&b.e.dc, 0, b.sim.ms), "d"); /* 59 */
            }
        }
    }
    double events_day = per_day(b.events - ev0);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&b.e.meter, &w);

    printf("store, meter layout, %u days, 256 KiB NOR, 4 KiB sectors, write unit 1, endurance %u "
           "cycles, %.1f events a day\n",
           DAYS, ENDURANCE, events_day);
    double worst = 1e18, fig_bytes[MPARTS], fig_erases[MPARTS], fig_years[MPARTS];
    const char *worst_name = "";
    static const char *const names[] = {"", "energy", "calibration", "disconnect", "calendar",
                                        "events state", "quality", "LP1", "LP2", "billing"};
    for (uint16_t p = 0; p < b.nparts; p++) {
        struct mtr_store_stats s;
        check(mtr_store_stats(&b.e.store, b.table[p].id, &s), "stats");
        uint32_t records = s.records - s0[p].records;
        fig_bytes[p] = per_day(s.bytes - s0[p].bytes);
        fig_erases[p] = (double)records / DAYS / s.slots;
        fig_years[p] = fig_erases[p] > 0 ? ENDURANCE / fig_erases[p] / 365.25 : 1e9;
        const char *name = b.table[p].id < P_LOG0 ? names[b.table[p].id] : "event log";
        if (fig_years[p] < worst) {
            worst = fig_years[p];
            worst_name = name;
        }
        printf("  %-13s (id %2u): %2u sectors, %4u slots of %4u B: %8.0f B/day, %7.4f "
               "erases/sector/day, %s%.0f years\n",
               name, b.table[p].id, b.table[p].sectors, s.slots, s.slot_size, fig_bytes[p],
               fig_erases[p], fig_years[p] >= 1e9 ? ">" : "", fig_years[p] >= 1e9 ? 1e6 : fig_years[p]);
    }
    double logs_bytes = 0;
    for (uint16_t p = 0; p < b.nparts; p++) {
        logs_bytes += b.table[p].id >= P_LOG0 ? fig_bytes[p] : 0;
    }

    /* a selective read: the last whole day of LP1 by range */
    struct mtr_profile *lp1 = &b.e.prof[0];
    mtr_utc_t last = 0;
    (void)mtr_profile_last_capture(lp1, &last);
    mtr_utc_t day0 = (last / DAY_S - 1) * DAY_S;
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_RANGE, .from = day0, .to = day0 + DAY_S - 1};
    enum { R = 200 };
    uint32_t got = 0;
    uint64_t r0 = n_read;
    double t0 = now_ns();
    for (uint32_t i = 0; i < R; i++) {
        struct mtr_profile_cursor cur;
        struct mtr_profile_entry e;
        uint32_t count = 0;
        check(mtr_profile_select(lp1, &sel, &cur, &count), "select");
        got = 0;
        while (mtr_profile_next(lp1, &sel, &cur, &e) == MTR_OK) {
            got++;
        }
    }
    double select_ns = (now_ns() - t0) / R;
    double select_r = (double)(n_read - r0) / R;

    /* a capture (values resolved through mtr_meter_value()) */
    enum { N = 2000 };
    uint64_t w0 = n_written, e0 = n_erased;
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_meter_profile_capture(&b.e.meter, 0), "capture");
    }
    double capture_ns = (now_ns() - t0) / N;
    double capture_w = (double)(n_written - w0) / N;
    double capture_e = (double)(n_erased - e0) / N;

    /* a register commit (a step and the snapshot) */
    enum { C = 500 };
    w0 = n_written, e0 = n_erased;
    t0 = now_ns();
    for (uint32_t i = 0; i < C; i++) {
        check(mtr_meter_commit(&b.e.meter), "commit");
    }
    double commit_ns = (now_ns() - t0) / C;
    double commit_w = (double)(n_written - w0) / C;
    double commit_e = (double)(n_erased - e0) / C;

    /* a start-up: recovery of every partition, the engines restored */
    r0 = n_read;
    t0 = now_ns();
    check(start_up(), "start-up");
    double startup_ns = now_ns() - t0;
    double startup_r = (double)(n_read - r0);

    printf("  LP1 capture (%u values): %.0f ns, %.0f B written, %.0f B erased\n",
           mtr_profile_value_count(lp1), capture_ns, capture_w, capture_e);
    printf("  one day out of LP1 by range (%u entries): %.0f ns, %.0f B read\n", got, select_ns,
           select_r);
    printf("  register commit (%zu B snapshot): %.0f ns, %.0f B written, %.0f B erased\n",
           mtr_meter_energy_record_size(), commit_ns, commit_w, commit_e);
    printf("  start-up (%u partitions): %.0f ns, %.0f B read\n", b.nparts, startup_ns, startup_r);
    printf("  wiring: %u profile captures, %u events raised, %u errors\n", w.profile_captures,
           w.events_raised, w.profile_capture_errors + w.event_errors + w.commit_errors);
    printf("{\"bench\": \"bench_store\", \"layout\": \"meter\", \"days\": %u, \"endurance\": %u, "
           "\"events_per_day\": %.1f, \"energy_record\": %zu, \"energy_sectors\": %u, "
           "\"energy_bytes_day\": %.0f, \"energy_erases_sector_day\": %.3f, \"energy_years\": %.0f, "
           "\"lp1_bytes_day\": %.0f, \"lp1_erases_sector_day\": %.3f, \"lp1_years\": %.0f, "
           "\"lp2_bytes_day\": %.0f, \"billing_bytes_day\": %.0f, \"log_bytes_day\": %.0f, "
           "\"events_state_bytes_day\": %.0f, \"events_state_erases_sector_day\": %.3f, "
           "\"events_state_years\": %.0f, \"quality_bytes_day\": %.0f, \"worst_years\": %.0f, "
           "\"worst_partition\": \"%s\", \"capture_ns\": %.0f, \"capture_bytes_written\": %.0f, "
           "\"select_day_entries\": %u, \"select_day_ns\": %.0f, \"select_day_bytes_read\": %.0f, "
           "\"commit_ns\": %.0f, \"commit_bytes_written\": %.0f, \"startup_ns\": %.0f, "
           "\"startup_bytes_read\": %.0f}\n",
           DAYS, ENDURANCE, events_day, mtr_meter_energy_record_size(), b.table[0].sectors,
           fig_bytes[0], fig_erases[0], fig_years[0], fig_bytes[6], fig_erases[6], fig_years[6],
           fig_bytes[7], fig_bytes[8], logs_bytes, fig_bytes[4], fig_erases[4], fig_years[4],
           fig_bytes[5], worst, worst_name, capture_ns, capture_w, got, select_ns, select_r,
           commit_ns, commit_w, startup_ns, startup_r);
    mtr_sim_free(&b.sim);
    return 0;
}
#endif

int main(void)
{
#if BENCH_METER
    return bench_meter();
#else
    return bench_raw();
#endif
}
