/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The calendar and clock settings through the real store: committed when
 * they change, restored at boot, and a power cut at every byte of their
 * commit leaves after the reboot either the old settings or the new ones
 * (never a mix of calendar and time zone), the new ones once the commit
 * returned; the tariff decision after the reboot follows them.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define D2025_01_06 20094LL /* a Monday */
#define START (D2025_01_06 * DAY_S + 12 * 3600 + 40 * 60) /* 12:40 UTC */

/* The new settings: 00:00 T4, 12:30 T5, 20:00 T4 every day, and CET
 * (time zone -60: local 13:40 at START, so T5; the rig's calendar gives T2). */
static void new_tou(struct mtr_tou *t)
{
    memset(t, 0, sizeof *t);
    t->n_days = 1;
    t->day[0] = (struct mtr_tou_day){.id = 7, .n = 3, .sw = {{0, 0, 0, 4}, {12, 30, 0, 5},
                                                             {20, 0, 0, 4}}};
    t->n_weeks = 1;
    t->week[0] = (struct mtr_tou_week){.id = 3, .day = {7, 7, 7, 7, 7, 7, 7}};
    t->n_seasons = 1;
    t->season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 3};
}

enum outcome { OLD, NEW, MIXED };

static enum outcome classify(void)
{
    struct mtr_tou want;
    new_tou(&want);
    const struct mtr_tou *a = mtr_calendar_active(&r.e.cal);
    cr_assert_not_null(a);
    bool cal_new = memcmp(a, &want, sizeof want) == 0;
    bool cal_old = a->n_days == 1 && a->day[0].id == 1 && a->day[0].n == 3 &&
                   a->day[0].sw[1].hour == 6 && a->day[0].sw[1].tariff == 2;
    int16_t tz;
    mtr_clock_settings(&r.e.clk, &tz, NULL);
    if (cal_new && tz == -60) {
        return NEW;
    }
    return cal_old && tz == 0 ? OLD : MIXED;
}

static void reboot(void)
{
    mtr_sim_nvm_restore(&r.sim);
    cr_assert_eq(rig_boot(&r), MTR_OK);
}

/* Tariff that received the energy of a short run after the boot. */
static unsigned tariff_fed(void)
{
    int64_t before[MTR_CFG_TARIFFS + 1];
    const struct mtr_registers *reg = mtr_tariff_registers(&r.e.trf);
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        before[t] = mtr_registers_tariff(reg, MTR_Q_A_IMP, t);
    }
    rig_run(&r, 2200, 10);
    unsigned fed = 0;
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        if (mtr_registers_tariff(reg, MTR_Q_A_IMP, t) > before[t]) {
            cr_assert_eq(fed, 0, "one tariff register at a time");
            fed = t;
        }
    }
    return fed;
}

/* The calendar's decision now. */
static unsigned decided(void)
{
    struct mtr_clock_view v;
    struct mtr_tariff_sel sel;
    cr_assert_eq(mtr_clock_now(&r.e.clk, &v), MTR_OK);
    mtr_calendar_decide(&r.e.cal, &v, 0, &sel);
    return sel.tariff;
}

static mtr_err_t program_new(void)
{
    struct mtr_tou t;
    new_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&r.e.cal, &t), MTR_OK);
    cr_assert_eq(mtr_clock_set_time_zone(&r.e.clk, -60), MTR_OK);
    return mtr_meter_calendar_commit(&r.e.meter);
}

Test(meter_calendar, committed_on_change_and_restored)
{
    rig_board(&r, START, 0);
    r.persist_calendar = true;
    cr_assert_eq(rig_boot(&r), MTR_OK);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_restore, MTR_RESTORE_MISSING);
    rig_run(&r, 1100, 10); /* the tariff engine started before the rig programmed T2 */
    cr_assert_eq(tariff_fed(), 2, "the rig's calendar: 12:40 is T2");
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_commits, 1, "the step committed the programmed calendar");
    rig_run(&r, 5000, 10);
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_commits, 1, "nothing changed: nothing written");
    reboot();
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_restore, MTR_RESTORE_OK);
    cr_assert_eq(classify(), OLD);
    /* the same calendar programmed again is not written again */
    struct mtr_tou same = *mtr_calendar_active(&r.e.cal);
    cr_assert_eq(mtr_calendar_set_active(&r.e.cal, &same), MTR_OK);
    cr_assert_eq(mtr_meter_calendar_commit(&r.e.meter), MTR_OK);
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_commits, 0);
    cr_assert_eq(program_new(), MTR_OK);
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_commits, 1);
    reboot();
    cr_assert_eq(classify(), NEW);
    cr_assert_eq(tariff_fed(), 5, "13:40 CET under the new calendar is T5");
    /* a damaged record is refused: defaults kept, reported, logged */
    uint8_t *nvm = mtr_sim_nvm_data(&r.sim);
    uint32_t base = 8u * 4096u, hits = 0;
    for (uint32_t i = base; i < base + 2u * 4096u; i++) {
        if (nvm[i] == 'C' && nvm[i + 1] == 'A' && nvm[i + 2] == 'L') {
            nvm[i + 30] ^= 0x55; /* inside the calendar blob of each copy */
            hits++;
        }
    }
    cr_assert(hits >= 1);
    uint32_t nv_before = rig_count(&r, 14);
    reboot();
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert(w.calendar_restore == MTR_RESTORE_REFUSED || w.calendar_restore == MTR_RESTORE_MISSING);
    cr_assert_eq(classify(), OLD, "defaults (the rig programs its calendar, UTC)");
    cr_assert(rig_count(&r, 14) > nv_before || w.calendar_restore == MTR_RESTORE_MISSING);
    rig_free(&r);
}

Test(meter_calendar, cut_at_every_byte_of_the_commit)
{
    rig_board(&r, START, 0);
    r.persist_calendar = true;
    cr_assert_eq(rig_boot(&r), MTR_OK);
    rig_run(&r, 1100, 10); /* the rig's calendar is committed */
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.calendar_commits, 1);
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    uint32_t old_kept = 0, new_kept = 0, k;
    for (k = 0;; k++) {
        memcpy(mtr_sim_nvm_data(&r.sim), image, size);
        reboot();
        cr_assert_eq(classify(), OLD);
        mtr_sim_nvm_cut_after(&r.sim, k);
        mtr_err_t rc = program_new();
        bool completed = mtr_sim_nvm_powered(&r.sim);
        reboot();
        enum outcome o = classify();
        cr_assert_neq(o, MIXED, "cut at byte %u: calendar and time zone of one record", k);
        mtr_meter_wiring(&r.e.meter, &w);
        cr_assert_eq(w.calendar_restore, MTR_RESTORE_OK, "cut at byte %u", k);
        cr_assert_eq(decided(), o == NEW ? 5u : 2u, "cut at byte %u: decision follows", k);
        if (k % 64 == 0 || o == NEW) { /* the registers too (a sample: 2.2 s of polls each) */
            cr_assert_eq(tariff_fed(), o == NEW ? 5u : 2u, "cut at byte %u", k);
        }
        old_kept += o == OLD;
        new_kept += o == NEW;
        if (completed) {
            cr_assert_eq(rc, MTR_OK);
            cr_assert_eq(o, NEW, "a completed commit survives");
            reboot();
            cr_assert_eq(classify(), NEW, "and survives again");
            break;
        }
    }
    cr_log_info("calendar commit: %u byte cuts (old settings kept %u, new %u)", k, old_kept,
                new_kept);
    cr_assert(old_kept > 0 && new_kept > 0, "both outcomes occur");
    cr_assert(k > 100, "a cut was tried at every byte of the record");
    free(image);
    rig_free(&r);
}
