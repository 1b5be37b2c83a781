/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power cuts through the real store: at every byte of a commit cycle and at
 * 1000 random points over simulated weeks, then a reboot (fresh engine RAM,
 * mtr_meter_init() on the same NVM). Registers never go backwards and come
 * back as the last committed copy or the one being written; a power-fail
 * flush loses nothing; relay and disconnect state agree; billing periods
 * are counted once.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define D2025_01_06 20094LL
#define D2025_01_25 20113LL

static void assert_consistent(void)
{
    /* the sum of tariff registers is the total, which is metrology's total */
    cr_assert_eq(rig_tariff_sum(&r, MTR_Q_A_IMP), rig_total(&r, MTR_Q_A_IMP));
    cr_assert_eq(rig_total(&r, MTR_Q_A_IMP), rig_metro(&r, MTR_E_A_IMP));
    cr_assert_eq(rig_total(&r, MTR_Q_R_QI), rig_metro(&r, MTR_E_R_Q1));
    cr_assert_eq(rig_total(&r, MTR_Q_S_IMP), rig_metro(&r, MTR_E_S_IMP));
    cr_assert_eq(mtr_disconnect_output(&r.e.dc, 0), mtr_sim_relay(&r.sim, 0),
                 "relay and disconnect state agree");
}

static void reboot(void)
{
    mtr_sim_nvm_restore(&r.sim);
    cr_assert_eq(rig_boot(&r), MTR_OK);
    assert_consistent();
}

/* Find the bytes of one cycle: the smallest budget that lets it complete. */
typedef mtr_err_t (*cycle_fn)(void);

static mtr_err_t energy_cycle(void)
{
    rig_run(&r, 1100, 10); /* one more metrology period: the registers move */
    return mtr_meter_commit(&r.e.meter);
}

static mtr_err_t dc_cycle(void)
{
    return mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms);
}

/* A persist cut while its commit mark is written may land although it
 * returned MTR_ERR_POWER (docs/persistence.md): the state after the reboot
 * is then the transition's @p target even though the engine rolled back. */
static uint32_t cut_every_byte(cycle_fn cycle, uint8_t target, uint8_t *image, uint32_t size,
                               uint32_t *old_kept, uint32_t *new_kept)
{
    for (uint32_t k = 0;; k++) {
        memcpy(mtr_sim_nvm_data(&r.sim), image, size);
        reboot();
        struct rig_regs before, during, after;
        rig_totals(&r, &before);
        uint8_t st_before = mtr_disconnect_state(&r.e.dc, 0);
        mtr_sim_nvm_cut_after(&r.sim, k);
        mtr_err_t rc = cycle();
        bool completed = mtr_sim_nvm_powered(&r.sim);
        rig_totals(&r, &during);
        uint8_t st_during = mtr_disconnect_state(&r.e.dc, 0);
        reboot();
        rig_totals(&r, &after);
        uint8_t st_after = mtr_disconnect_state(&r.e.dc, 0);
        cr_assert(rig_regs_eq(&after, &before) || rig_regs_eq(&after, &during), "cut at byte %u", k);
        cr_assert(after.q[MTR_Q_A_IMP] >= before.q[MTR_Q_A_IMP]);
        cr_assert(st_after == st_before || st_after == st_during || st_after == target,
                  "cut at byte %u", k);
        *old_kept += rig_regs_eq(&after, &before) && !rig_regs_eq(&before, &during);
        *new_kept += rig_regs_eq(&after, &during) && !rig_regs_eq(&before, &during);
        if (completed) {
            cr_assert_eq(rc, MTR_OK);
            cr_assert(rig_regs_eq(&after, &during) && st_after == st_during);
            return k;
        }
    }
}

Test(meter_power, cut_at_every_byte_of_a_commit_cycle)
{
    rig_board(&r, D2025_01_06 * DAY_S + 12 * 3600, 0);
    cr_assert_eq(rig_boot(&r), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    rig_run(&r, 1100, 10);
    cr_assert_eq(mtr_meter_commit(&r.e.meter), MTR_OK);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.commits, 1);
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    uint32_t old_e = 0, new_e = 0, old_d = 0, new_d = 0;
    uint32_t eb = cut_every_byte(energy_cycle, MTR_DC_CONNECTED, image, size, &old_e, &new_e);
    uint32_t db = cut_every_byte(dc_cycle, MTR_DC_DISCONNECTED, image, size, &old_d, &new_d);
    cr_log_info("energy commit: %u byte cuts (old copy %u, new copy %u); disconnect b: %u byte "
                "cuts (old state %u, new %u)",
                eb, old_e, new_e, db, old_d, new_d);
    cr_assert(eb > mtr_meter_energy_record_size(), "a cut was tried at every byte of the record");
    cr_assert(old_e > 0 && new_e > 0, "both outcomes occur");
    cr_assert(db > 2 * mtr_disconnect_blob_size());
    free(image);
    rig_free(&r);
}

static uint32_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

Test(meter_power, random_cuts_over_weeks)
{
    /* Accelerated time: polls 600 s apart, each handing metrology 0.1 s of
     * samples (a 400-frame ADC buffer): the registers advance, the calendar,
     * demand, billing and commits follow the wall clock. */
    const uint32_t step_ms = 600 * 1000;
    rig_board(&r, D2025_01_25 * DAY_S, 400);
    cr_assert_eq(rig_boot(&r), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    uint64_t seed = 12345;
    struct rig_regs committed = {{0}}, live, after;
    uint32_t cuts = 0, flushes = 0, polls = 0, kept_new = 0, kept_old = 0;
    int64_t max_loss = 0;
    for (uint32_t round = 0; round < 1000 + 300; round++) {
        bool flush = round % 4 == 3 && flushes < 300;
        if (!flush) {
            mtr_sim_nvm_cut_after(&r.sim, lcg(&seed) % 20000);
        }
        struct mtr_meter_wiring w0, w1;
        for (int i = 0; i < 40 && mtr_sim_nvm_powered(&r.sim); i++) {
            if (lcg(&seed) % 8 == 0) {
                /* remote commands: b/c to open, a to close (mode 6) */
                if (mtr_disconnect_output(&r.e.dc, 0)) {
                    (void)mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms);
                } else if (mtr_disconnect_state(&r.e.dc, 0) == MTR_DC_READY) {
                    (void)mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms);
                } else {
                    (void)mtr_disconnect_remote_reconnect(&r.e.dc, 0, r.sim.ms);
                }
            }
            if (!mtr_sim_nvm_powered(&r.sim)) {
                break;
            }
            mtr_meter_wiring(&r.e.meter, &w0);
            mtr_sim_advance(&r.sim, step_ms);
            (void)mtr_post_adc_ready(&r.e.meter);
            cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
            polls++;
            mtr_meter_wiring(&r.e.meter, &w1);
            if (mtr_sim_nvm_powered(&r.sim) && w1.commits != w0.commits) {
                rig_totals(&r, &committed);
            }
        }
        if (flush) {
            cr_assert_eq(mtr_post_power_fail(&r.e.meter), MTR_OK);
            cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
            rig_totals(&r, &committed);
            flushes++;
        } else {
            cuts += !mtr_sim_nvm_powered(&r.sim);
        }
        rig_totals(&r, &live);
        reboot();
        rig_totals(&r, &after);
        if (flush) {
            cr_assert(rig_regs_eq(&after, &live), "a power-fail flush loses nothing");
        } else {
            cr_assert(rig_regs_eq(&after, &committed) || rig_regs_eq(&after, &live),
                      "round %u: the last committed copy or the one being written", round);
        }
        kept_new += !flush && rig_regs_eq(&after, &live) && !rig_regs_eq(&committed, &live);
        kept_old += !flush && !rig_regs_eq(&after, &live);
        for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
            cr_assert(after.q[q] >= committed.q[q], "never backwards");
        }
        if (live.q[MTR_Q_A_IMP] - after.q[MTR_Q_A_IMP] > max_loss) {
            max_loss = live.q[MTR_Q_A_IMP] - after.q[MTR_Q_A_IMP];
        }
        committed = after;
    }
    /* billing: each boundary closed under one period number, counted once */
    uint32_t distinct = 0, redelivered = 0;
    for (uint32_t i = 0; i < r.nbills; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < i; j++) {
            if (r.bills[j].boundary == r.bills[i].boundary) {
                cr_assert_eq(r.bills[j].period, r.bills[i].period, "closed twice");
                seen = true;
            }
        }
        distinct += !seen;
        redelivered += seen;
    }
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), distinct);
    mtr_utc_t utc;
    cr_assert_eq(r.hal.clock->rtc_get(r.hal.ctx, &utc), MTR_OK);
    int64_t days = (utc - D2025_01_25 * DAY_S) / DAY_S;
    cr_assert(cuts >= 1000, "cuts %u", cuts);
    cr_assert(distinct >= 1);
    cr_log_info("%u cuts + %u power-fail flushes over %lld simulated days (%u polls): new copy "
                "kept %u, older copy %u, largest loss %lld mWh; %u billing ends, %u captures "
                "redelivered after a cut in their commit",
                cuts, flushes, (long long)days, polls, kept_new, kept_old, (long long)max_loss,
                distinct, redelivered);
    rig_free(&r);
}
