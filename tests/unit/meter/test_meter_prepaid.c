/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prepaid engine wired into a complete meter on the sim HAL (metrology,
 * clock, calendar, tariff, store, disconnect, prepaid with an EA07 STS
 * decoder): credit drawn by the synthetic load opens the main relay when it
 * runs out, not in a friendly period; a token closes it per the control mode;
 * a power cut at every byte of a token's commit neither loses nor doubles
 * its credit; the books balance.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter/clock.h"
#include "meter/disconnect.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/prepaid.h"
#include "meter/store.h"
#include "meter/sts.h"
#include "meter/tariff.h"
#include "sim.h"
#include "sts_test_tables.h"

/* CTSA01 decoder key (STS 531-1), as in the sts and prepaid suites. */
#define DK 0xe653341f9d5bf36full

#define DAY_S       86400LL
#define HOUR_S      3600LL
#define D2025_01_06 20094LL /* a Monday */
#define D2025_01_31 20119LL /* a Friday; billing ends at 2025-02-01 00:00 */
/* An electricity token (STS, class 0 subclass 0) counts 0.1 kWh: 100 000 mWh
 * (docs/prepaid.md, "Units"). */
#define TOKEN_UNIT_MWH 100000LL

enum { PART_ENERGY = 1, PART_CAL = 2, PART_DC = 3, PART_PP = 4 };

#define LOG_MAX 512

/* Engine contexts: re-zeroed at every (re)boot, like RAM. */
struct ram {
    struct mtr_metrology metro;
    struct mtr_clock clk;
    struct mtr_calendar cal;
    struct mtr_tariff trf;
    struct mtr_store store;
    struct mtr_store_part parts[4];
    struct mtr_disconnect dc;
    struct mtr_dc_config dc_cfg;
    struct mtr_sts sts;
    struct mtr_prepaid pp;
    struct mtr_meter meter;
};

static struct {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct ram e;
    struct mtr_store_part_cfg table[4];
    struct mtr_store_cfg store_cfg;
    struct mtr_tariff_config tariff_cfg;
    struct mtr_clock_config clock_cfg;
    struct mtr_sts_cipher ciph;
    struct mtr_prepaid_config pp_cfg;
    struct mtr_meter_engines engines;
    struct mtr_meter_config mc;
    uint8_t dc_mode;
    uint32_t tid;
    struct mtr_log_record log[LOG_MAX];
    uint32_t nlog;
} r;

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    (void)user;
    if (r.nlog < LOG_MAX) {
        r.log[r.nlog++] = *rec;
    }
}

static void board(mtr_utc_t utc, uint8_t dc_mode)
{
    memset(&r, 0, sizeof r);
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.utc_start = utc;
    cr_assert_eq(mtr_sim_init(&r.sim, &sc), MTR_OK);
    mtr_sim_hal(&r.sim, &r.hal);
    r.table[0] = (struct mtr_store_part_cfg){PART_ENERGY, MTR_STORE_SNAPSHOT, 0, 4,
                                             (uint16_t)mtr_meter_energy_record_size()};
    r.table[1] = (struct mtr_store_part_cfg){PART_CAL, MTR_STORE_SNAPSHOT, 4, 2,
                                             MTR_METROLOGY_CAL_BLOB_SIZE};
    r.table[2] = (struct mtr_store_part_cfg){PART_DC, MTR_STORE_SNAPSHOT, 6, 2,
                                             (uint16_t)mtr_disconnect_blob_size()};
    r.table[3] = (struct mtr_store_part_cfg){PART_PP, MTR_STORE_SNAPSHOT, 8, 2,
                                             (uint16_t)mtr_prepaid_state_size()};
    r.tariff_cfg = (struct mtr_tariff_config){.demand = {.period_s = 900, .periods = 1},
                                              .billing = {.enabled = true, .day = 1}};
    r.clock_cfg = (struct mtr_clock_config){.time_zone = 0, .dst = {.kind = MTR_DST_NONE}};
    r.ciph = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &sts_test_tables};
    r.pp_cfg = (struct mtr_prepaid_config){.unit = MTR_PREPAID_UNIT_ENERGY,
                                           .token_scale = TOKEN_UNIT_MWH,
                                           .ec_button = MTR_IN_BUTTON_2,
                                           .ec_press_min_ms = 50,
                                           .ec_press_max_ms = 3000};
    r.dc_mode = dc_mode;
    r.tid = 6000000;
}

static void program_calendar(void)
{
    static struct mtr_tou tou;
    memset(&tou, 0, sizeof tou);
    tou.n_days = 1;
    tou.day[0] =
        (struct mtr_tou_day){.id = 1, .n = 3, .sw = {{0, 0, 0, 1}, {6, 0, 0, 2}, {18, 0, 0, 3}}};
    tou.n_weeks = 1;
    tou.week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    tou.n_seasons = 1;
    tou.season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 1};
    cr_assert_eq(mtr_calendar_set_active(&r.e.cal, &tou), MTR_OK);
}

/* (Re)boot: fresh engine RAM, the decoder with its factory key, then
 * mtr_meter_init() on the same board and NVM. */
static mtr_err_t boot(void)
{
    memset(&r.e, 0, sizeof r.e);
    const struct mtr_sts_key key = {
        .dk = DK, .krn = 1, .kt = 2, .ti = 1, .ken = 255, .base = MTR_STS_BASE_2014};
    cr_assert_eq(mtr_sts_init(&r.e.sts, &r.ciph, &key), MTR_OK);
    r.e.dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2},
        .mode = r.dc_mode,
        .feedback_ms = 1000,
        .debounce_ms = 50,
        .disconnect_hold_ms = 3000,
        .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW,
                    .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 30,
                    .penalty_s = 30},
    };
    r.store_cfg = (struct mtr_store_cfg){.parts = r.table, .state = r.e.parts, .nparts = 4};
    r.engines = (struct mtr_meter_engines){
        .metrology = &r.e.metro,
        .clock = &r.e.clk,
        .clock_cfg = &r.clock_cfg,
        .calendar = &r.e.cal,
        .tariff = &r.e.trf,
        .tariff_cfg = &r.tariff_cfg,
        .store = &r.e.store,
        .store_cfg = &r.store_cfg,
        .energy_part = PART_ENERGY,
        .cal_part = PART_CAL,
        .disconnect_part = PART_DC,
        .disconnect = &r.e.dc,
        .disconnect_cfg = &r.e.dc_cfg,
        .prepaid = &r.e.pp,
        .prepaid_cfg = &r.pp_cfg,
        .sts = &r.e.sts,
        .prepaid_part = PART_PP,
    };
    r.mc = (struct mtr_meter_config){.engines = &r.engines, .on_log = on_log};
    mtr_err_t rc = mtr_meter_init(&r.e.meter, &r.hal, &r.mc);
    if (rc == MTR_OK) {
        program_calendar();
    }
    return rc;
}

static void reboot(void)
{
    mtr_sim_nvm_restore(&r.sim);
    cr_assert_eq(boot(), MTR_OK);
    cr_assert_eq(mtr_disconnect_output(&r.e.dc, 0), mtr_sim_relay(&r.sim, 0),
                 "relay and disconnect state agree");
}

/* A first boot (nothing saved yet), then the relay closed: the disconnect
 * engine starts ready for reconnection. The account is still new. */
static void first_boot(void)
{
    cr_assert_eq(boot(), MTR_OK);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.prepaid_restore, MTR_RESTORE_MISSING);
    cr_assert_eq(mtr_prepaid_account(&r.e.pp), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
}

/* Activate the account (prepayment mode, the default) and commit it. */
static void activate(void)
{
    cr_assert_eq(mtr_prepaid_activate(&r.e.pp, r.sim.utc), MTR_OK);
    cr_assert_eq(mtr_meter_prepaid_commit(&r.e.meter), MTR_OK);
}

/* One poll after @p ms of simulated time with its ADC frames. */
static void poll_after(uint32_t ms)
{
    mtr_sim_advance(&r.sim, ms);
    (void)mtr_post_adc_ready(&r.e.meter);
    cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
}

/* A credit token of @p units x 0.1 kWh (electricity, subclass 0), fresh TID. */
static void token(uint32_t units, char out[21])
{
    uint16_t field;
    uint32_t rep;
    struct mtr_sts_token t;
    cr_assert_eq(mtr_sts_amount_encode(units, &field, &rep), MTR_OK);
    cr_assert_eq(rep, units);
    memset(&t, 0, sizeof t);
    t.cls = MTR_STS_CLASS_CREDIT;
    t.subclass = 0;
    t.rnd = (uint8_t)(r.tid & 15u);
    t.tid = r.tid++;
    t.field = field;
    cr_assert_eq(mtr_sts_encode(&r.ciph, DK, &t, out), MTR_OK);
}

static mtr_err_t submit(const char digits[21])
{
    struct mtr_prepaid_token_result res;
    return mtr_meter_token_submit(&r.e.meter, digits, 20, MTR_PREPAID_DELIVERY_MANUAL, &res);
}

static int64_t metro_aplus(void)
{
    int64_t v = 0;
    cr_assert_eq(mtr_metrology_energy(&r.e.metro, MTR_METROLOGY_TOTAL, MTR_E_A_IMP, &v, NULL),
                 MTR_OK);
    return v;
}

static int64_t credit(void)
{
    return mtr_prepaid_credit_amount(&r.e.pp, MTR_PREPAID_CREDIT_TOKEN);
}

static void assert_balanced(void)
{
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_eq(l.bought + l.granted, l.consumed + l.cleared + l.left,
                 "in %lld + %lld != consumed %lld + cleared %lld + left %lld", (long long)l.bought,
                 (long long)l.granted, (long long)l.consumed, (long long)l.cleared,
                 (long long)l.left);
}

/* Log records of @p source with @p code and @p name (codes and names of the
 * seed's event-codes.csv: 14, 64, 69; prepaid records have code 0). */
static uint32_t count_log(uint8_t source, uint16_t code, const char *name)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r.nlog; i++) {
        n += r.log[i].source == source && r.log[i].code == code &&
             (name == NULL || strcmp(r.log[i].name, name) == 0);
    }
    return n;
}

/* Poll in steps of @p step_ms for at most @p ms, checking after each poll
 * that the relay is closed exactly while the energy metrology counted since
 * @p a0 is below the credit @p bought (energy mode: 1 mWh = 1 unit). Returns
 * the UTC of the poll that opened it (-1: still closed). */
static mtr_utc_t run_until_open(int64_t a0, int64_t bought, uint64_t ms, uint32_t step_ms)
{
    for (uint64_t t = 0; t < ms; t += step_ms) {
        poll_after(step_ms);
        int64_t used = metro_aplus() - a0;
        cr_assert_eq(mtr_sim_relay(&r.sim, 0), used < bought, "used %lld of %lld at %lld: relay %d",
                     (long long)used, (long long)bought, (long long)r.sim.utc,
                     mtr_sim_relay(&r.sim, 0));
        cr_assert_eq(mtr_prepaid_ledger(&r.e.pp).consumed, used, "every mWh charged once");
        if (!mtr_sim_relay(&r.sim, 0)) {
            return r.sim.utc;
        }
    }
    return -1;
}

Test(meter_prepaid, credit_runs_out_the_relay_opens_and_a_token_recloses_it)
{
    /* control modes: seed Table 7 (disconnector-modes.csv); mode 6 allows g and h */
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    char tok[21];
    token(1, tok);
    int64_t a0 = metro_aplus();
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    cr_assert_eq(credit(), TOKEN_UNIT_MWH);
    /* 3 x 230 V x 5 A x 0.9 = 3.1 kW: 0.1 kWh lasts about 116 s */
    mtr_utc_t opened = run_until_open(a0, TOKEN_UNIT_MWH, 200 * 1000, 250);
    cr_assert_geq(opened, D2025_01_06 * DAY_S + 10 * HOUR_S + 100, "not before the credit ran out");
    cr_assert_eq(mtr_disconnect_state(&r.e.dc, 0), MTR_DC_READY);
    cr_assert(mtr_disconnect_causes(&r.e.dc, 0) & MTR_DC_CAUSE_PREPAID);
    cr_assert_eq(mtr_prepaid_supply(&r.e.pp).reason, MTR_PREPAID_SUPPLY_NO_CREDIT);
    cr_assert_eq(count_log(MTR_LOG_PREPAID, 0, "Supply disallowed"), 1);
    cr_assert_eq(count_log(MTR_LOG_PREPAID, 0, "Out of credit"), 1);
    cr_assert_eq(count_log(MTR_LOG_DISCONNECT, 64, "Local disconnection"), 1);
    /* the customer cannot override it: e is refused while the cause holds */
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_ERR_DISCONNECT_CAUSE);
    for (int i = 0; i < 8; i++) {
        poll_after(250);
        cr_assert_not(mtr_sim_relay(&r.sim, 0), "stays open without credit");
    }
    /* a token of 0.5 kWh: the credit rises by it and the relay closes at once */
    int64_t before = mtr_prepaid_available(&r.e.pp);
    cr_assert_leq(before, 0);
    token(5, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    cr_assert_eq(mtr_prepaid_available(&r.e.pp), before + 5 * TOKEN_UNIT_MWH);
    cr_assert(mtr_sim_relay(&r.sim, 0), "mode 6: local reconnection (h) on the purchase");
    cr_assert_eq(mtr_disconnect_state(&r.e.dc, 0), MTR_DC_CONNECTED);
    cr_assert_eq(count_log(MTR_LOG_DISCONNECT, 69, "Local reconnection"), 1);
    for (int i = 0; i < 8; i++) {
        poll_after(250);
        cr_assert(mtr_sim_relay(&r.sim, 0));
    }
    cr_assert_eq(count_log(MTR_LOG_PREPAID, 0, "Supply allowed"), 1);
    cr_assert_eq(count_log(MTR_LOG_PREPAID, 0, "Credit added"), 2);
    /* the books: 0.6 kWh bought = consumed (metrology's count) + left */
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_eq(l.bought, 6 * TOKEN_UNIT_MWH);
    cr_assert_eq(l.consumed, metro_aplus() - a0);
    assert_balanced();
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.prepaid_commits, 3, "first commit and one per token");
    cr_assert_eq(w.prepaid_commit_errors, 0);
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, in_a_mode_without_h_the_purchase_waits_for_a_manual_reconnection)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 4); /* mode 4: b,c,g / a,e (seed Table 7) */
    first_boot();
    activate();
    /* no credit at all: the first step opens */
    for (int i = 0; i < 16 && mtr_sim_relay(&r.sim, 0); i++) {
        poll_after(250);
    }
    cr_assert_not(mtr_sim_relay(&r.sim, 0));
    cr_assert_eq(mtr_disconnect_state(&r.e.dc, 0), MTR_DC_READY);
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_ERR_DISCONNECT_CAUSE,
                 "no manual reconnection while out of credit");
    char tok[21];
    token(3, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    cr_assert_eq(mtr_disconnect_causes(&r.e.dc, 0) & MTR_DC_CAUSE_PREPAID, 0);
    poll_after(1000);
    cr_assert_not(mtr_sim_relay(&r.sim, 0), "ready for reconnection, not reconnected");
    cr_assert_eq(mtr_disconnect_state(&r.e.dc, 0), MTR_DC_READY);
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    cr_assert(mtr_sim_relay(&r.sim, 0));
    assert_balanced();
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, no_disconnection_in_a_friendly_period_then_at_its_end)
{
    const mtr_utc_t start = D2025_01_06 * DAY_S + 10 * HOUR_S + 59 * 60; /* Monday 10:59 */
    const mtr_utc_t noon = D2025_01_06 * DAY_S + 12 * HOUR_S;
    board(start, 6);
    first_boot();
    struct mtr_prepaid_friendly f = {.hours = {1u << 11}}; /* Monday 11:00..12:00 */
    cr_assert_eq(mtr_prepaid_set_friendly(&r.e.pp, &f), MTR_OK);
    char tok[21];
    token(1, tok);
    int64_t a0 = metro_aplus();
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    /* the credit runs out about 11:01, inside the friendly hour */
    bool out = false;
    while (r.sim.utc < start + 180) {
        poll_after(250);
        cr_assert(mtr_sim_relay(&r.sim, 0), "closed in the friendly period");
        out = out || mtr_prepaid_available(&r.e.pp) <= 0;
    }
    cr_assert(out, "the credit ran out in the friendly period");
    cr_assert_eq(mtr_prepaid_supply(&r.e.pp).reason, MTR_PREPAID_SUPPLY_FRIENDLY);
    /* through the rest of the hour (accelerated: a poll a minute) */
    while (r.sim.utc < noon - 60) {
        poll_after(60 * 1000);
        cr_assert(mtr_sim_relay(&r.sim, 0), "closed in the friendly period at %lld",
                  (long long)r.sim.utc);
    }
    mtr_utc_t opened = -1;
    while (r.sim.utc < noon + 5 && opened < 0) {
        poll_after(250);
        if (!mtr_sim_relay(&r.sim, 0)) {
            opened = r.sim.utc;
        }
    }
    cr_assert(opened >= noon && opened <= noon + 1, "opens at the end of the friendly hour: %lld",
              (long long)(opened - noon));
    cr_assert_eq(count_log(MTR_LOG_PREPAID, 0, "Supply disallowed"), 1);
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_eq(l.consumed, metro_aplus() - a0, "every mWh charged once");
    assert_balanced();
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, a_special_day_of_the_calendar_is_friendly)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    struct mtr_prepaid_friendly f = {.special_days = true};
    cr_assert_eq(mtr_prepaid_set_friendly(&r.e.pp, &f), MTR_OK);
    const struct mtr_special_day today = {
        .index = 1, .year = 2025, .month = 1, .day = 6, .day_id = 1};
    cr_assert_eq(mtr_calendar_special_set(&r.e.cal, &today), MTR_OK);
    /* the first steps on the new account see the friendly day (a friendly
     * period keeps a supply on but does not reconnect one: docs/prepaid.md) */
    for (int i = 0; i < 12; i++) {
        poll_after(250);
    }
    activate(); /* no credit */
    for (int i = 0; i < 12; i++) {
        poll_after(250);
        cr_assert(mtr_sim_relay(&r.sim, 0), "friendly all day");
    }
    cr_assert_eq(mtr_prepaid_supply(&r.e.pp).reason, MTR_PREPAID_SUPPLY_FRIENDLY);
    cr_assert_eq(mtr_calendar_special_delete(&r.e.cal, 1), MTR_OK);
    for (int i = 0; i < 8; i++) {
        poll_after(250);
    }
    cr_assert_not(mtr_sim_relay(&r.sim, 0), "an ordinary day: out of credit opens");
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, power_cut_at_every_byte_of_a_token_commit_credits_it_once)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    char tok[21];
    token(4, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    for (int i = 0; i < 12; i++) {
        poll_after(250);
    }
    cr_assert_eq(mtr_meter_prepaid_commit(&r.e.meter), MTR_OK);
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    char next[21];
    token(2, next);
    const int64_t amount = 2 * TOKEN_UNIT_MWH;
    uint32_t old_kept = 0, new_kept = 0, k;
    for (k = 0;; k++) {
        memcpy(mtr_sim_nvm_data(&r.sim), image, size);
        reboot();
        struct mtr_meter_wiring w;
        mtr_meter_wiring(&r.e.meter, &w);
        cr_assert_eq(w.prepaid_restore, MTR_RESTORE_OK);
        const int64_t c0 = credit();
        const int64_t b0 = mtr_prepaid_ledger(&r.e.pp).bought;
        mtr_sim_nvm_cut_after(&r.sim, k);
        cr_assert_eq(submit(next), MTR_OK, "accepted in RAM whatever the commit does");
        bool completed = mtr_sim_nvm_powered(&r.sim);
        reboot();
        int64_t c1 = credit();
        cr_assert(c1 == c0 || c1 == c0 + amount, "cut at byte %u: credit %lld from %lld", k,
                  (long long)c1, (long long)c0);
        /* the same token again: accepted if the credit was lost, else used */
        mtr_err_t again = submit(next);
        if (c1 == c0) {
            cr_assert_eq(again, MTR_OK, "cut at byte %u", k);
            old_kept++;
        } else {
            cr_assert_eq(again, MTR_ERR_STS_USED, "cut at byte %u", k);
            new_kept++;
        }
        cr_assert_eq(credit(), c0 + amount, "cut at byte %u: credited exactly once", k);
        cr_assert_eq(mtr_prepaid_ledger(&r.e.pp).bought, b0 + amount);
        assert_balanced();
        if (completed) {
            cr_assert_eq(c1, c0 + amount, "a completed commit keeps the token");
            break;
        }
    }
    cr_log_info("token commit: %u byte cuts (credit lost and re-entered %u, kept %u)", k, old_kept,
                new_kept);
    cr_assert_gt(k, mtr_prepaid_state_size(), "a cut was tried at every byte of the blob");
    cr_assert(old_kept > 0 && new_kept > 0, "both outcomes occur");
    free(image);
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, power_fail_flush_and_restore_lose_no_credit)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    char tok[21];
    token(10, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    for (int i = 0; i < 20; i++) {
        poll_after(250);
    }
    cr_assert_eq(mtr_post_power_fail(&r.e.meter), MTR_OK);
    cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
    struct mtr_prepaid_ledger live = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_gt(live.consumed, 0);
    reboot();
    struct mtr_prepaid_ledger after = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_eq(memcmp(&after, &live, sizeof live), 0, "the flush keeps every mWh charged");
    cr_assert_eq(mtr_prepaid_account(&r.e.pp), MTR_PREPAID_ACCOUNT_ACTIVE);
    cr_assert(mtr_sim_relay(&r.sim, 0));
    /* the energy since the boot is charged from there on, once */
    int64_t a0 = metro_aplus();
    for (int i = 0; i < 8; i++) {
        poll_after(250);
    }
    cr_assert_eq(mtr_prepaid_ledger(&r.e.pp).consumed, live.consumed + metro_aplus() - a0);
    assert_balanced();
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, billing_end_restarts_the_block_period)
{
    board(D2025_01_31 * DAY_S + DAY_S - 20, 6); /* 2025-01-31 23:59:40 */
    first_boot();
    char tok[21];
    token(10, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    for (int i = 0; i < 60; i++) {
        poll_after(250); /* to 23:59:55 */
    }
    mtr_mwh_t before = mtr_prepaid_period_energy(&r.e.pp);
    cr_assert_gt(before, 0);
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r.e.meter, &w0);
    uint32_t bills = mtr_tariff_billing_count(&r.e.trf);
    for (int i = 0; i < 40; i++) {
        poll_after(250); /* past 00:00:00 */
    }
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), bills + 1);
    mtr_meter_wiring(&r.e.meter, &w1);
    cr_assert_lt(mtr_prepaid_period_energy(&r.e.pp), before, "the period restarted");
    cr_assert_eq(w1.prepaid_commits, w0.prepaid_commits + 1, "committed at the billing end");
    assert_balanced();
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, bad_tokens_and_blobs_change_nothing)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    char tok[21];
    token(2, tok);
    cr_assert_eq(submit(tok), MTR_OK);
    activate();
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r.e.meter, &w0);
    struct mtr_prepaid_ledger l0 = mtr_prepaid_ledger(&r.e.pp);
    char typo[21];
    memcpy(typo, tok, sizeof typo);
    /* the last digit one off: only bit 0 of the token number flips */
    typo[19] = (typo[19] - '0') % 2 == 0 ? (char)(typo[19] + 1) : (char)(typo[19] - 1);
    struct mtr_prepaid_token_result res;
    /* a typo is refused as "incorrect": the CRC fails after decryption (STS,
     * docs/prepaid.md token table) */
    cr_assert_eq(mtr_meter_token_submit(&r.e.meter, typo, 20, MTR_PREPAID_DELIVERY_MANUAL, &res),
                 MTR_ERR_STS_INCORRECT);
    cr_assert_eq(mtr_meter_token_submit(&r.e.meter, tok, 19, MTR_PREPAID_DELIVERY_MANUAL, &res),
                 MTR_ERR_STS_LENGTH);
    cr_assert_eq(submit(tok), MTR_ERR_STS_USED);
    cr_assert_eq(mtr_meter_payment(&r.e.meter, 99, 1000, NULL), MTR_ERR_INVAL);
    cr_assert_eq(mtr_meter_payment(&r.e.meter, MTR_PREPAID_CREDIT_TOKEN, 0, NULL), MTR_ERR_RANGE);
    mtr_meter_wiring(&r.e.meter, &w1);
    struct mtr_prepaid_ledger l1 = mtr_prepaid_ledger(&r.e.pp);
    cr_assert_eq(memcmp(&l0, &l1, sizeof l0), 0);
    cr_assert_eq(w1.prepaid_commits, w0.prepaid_commits, "nothing committed for a refusal");
    /* a payment is committed like a token */
    cr_assert_eq(mtr_meter_payment(&r.e.meter, MTR_PREPAID_CREDIT_TOKEN, 5000, NULL), MTR_OK);
    mtr_meter_wiring(&r.e.meter, &w1);
    cr_assert_eq(w1.prepaid_commits, w0.prepaid_commits + 1);
    /* a record the engine refuses: its default, an NV memory error, logged */
    cr_assert_eq(mtr_store_commit(&r.e.store, PART_PP, "junk", 4), MTR_OK);
    r.nlog = 0;
    reboot();
    mtr_meter_wiring(&r.e.meter, &w1);
    cr_assert_eq(w1.prepaid_restore, MTR_RESTORE_REFUSED);
    cr_assert_eq(count_log(MTR_LOG_METER, 14, "NV memory error"), 1);
    cr_assert_eq(mtr_prepaid_account(&r.e.pp), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert_eq(mtr_prepaid_ledger(&r.e.pp).bought, 0);
    mtr_sim_free(&r.sim);
}

Test(meter_prepaid, incomplete_configuration_is_refused)
{
    board(D2025_01_06 * DAY_S, 6);
    cr_assert_eq(boot(), MTR_OK);
    r.engines.prepaid_cfg = NULL;
    cr_assert_eq(mtr_meter_init(&r.e.meter, &r.hal, &r.mc), MTR_ERR_CONFIG);
    r.engines.prepaid_cfg = &r.pp_cfg;
    r.engines.prepaid = NULL;
    cr_assert_eq(mtr_meter_init(&r.e.meter, &r.hal, &r.mc), MTR_ERR_CONFIG,
                 "a decoder without prepaid would lose its TID memory");
    r.engines.prepaid = &r.e.pp;
    r.engines.tariff = NULL;
    cr_assert_eq(mtr_meter_init(&r.e.meter, &r.hal, &r.mc), MTR_ERR_CONFIG,
                 "prepaid needs the tariff registers");
    mtr_sim_free(&r.sim);
}

/* A "set maximum power limit" management token (IEC 62055-41 class 2,
 * subclass 0, value in W) becomes the limiter's normal threshold; a value the
 * limiter cannot take (below its 1 kW minimum, seed tou-limits.json) changes
 * nothing. */
static void max_power_token(uint32_t watts, char out[21])
{
    uint16_t field;
    uint32_t rep;
    struct mtr_sts_token t;
    cr_assert_eq(mtr_sts_amount_encode(watts, &field, &rep), MTR_OK);
    cr_assert_eq(rep, watts);
    memset(&t, 0, sizeof t);
    t.cls = MTR_STS_CLASS_MGMT;
    t.subclass = MTR_STS_MGMT_SET_MAX_POWER;
    t.rnd = (uint8_t)(r.tid & 15u);
    t.tid = r.tid++;
    t.field = field;
    cr_assert_eq(mtr_sts_encode(&r.ciph, DK, &t, out), MTR_OK);
}

Test(meter_prepaid, a_max_power_token_sets_the_limiter_threshold)
{
    board(D2025_01_06 * DAY_S + 10 * HOUR_S, 6);
    first_boot();
    struct mtr_dc_limiter before;
    mtr_disconnect_limiter_get(&r.e.dc, &before);
    cr_assert_neq(before.normal_mw, 4200000, "the test needs another threshold to start from");
    char tok[21];
    max_power_token(4200, tok);
    struct mtr_prepaid_token_result res;
    cr_assert_eq(mtr_meter_token_submit(&r.e.meter, tok, 20, MTR_PREPAID_DELIVERY_MANUAL, &res),
                 MTR_OK);
    cr_assert_eq(res.sts.status, MTR_STS_MGMT_ACCEPTED);
    struct mtr_dc_limiter after;
    mtr_disconnect_limiter_get(&r.e.dc, &after);
    cr_assert_eq(after.normal_mw, 4200000);
    cr_assert_eq(after.emergency_mw, before.emergency_mw);
    cr_assert_eq(after.period_s, before.period_s);

    max_power_token(500, tok);
    cr_assert_eq(mtr_meter_token_submit(&r.e.meter, tok, 20, MTR_PREPAID_DELIVERY_MANUAL, &res),
                 MTR_OK);
    mtr_disconnect_limiter_get(&r.e.dc, &after);
    cr_assert_eq(after.normal_mw, 4200000, "500 W is below the limiter's range: unchanged");
}
