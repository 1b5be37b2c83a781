/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut torture of the whole aggregate with profiles, events and quality
 * on the sim's NVM: a scripted workload (register commits, 15-minute load
 * profile captures, a billing end with its billing profile capture, a clock
 * set, disconnector commands, a cover opened) cut at every byte it writes,
 * and a random workload cut at 10,000 random points over years of
 * accelerated time. After each cut the meter restarts on the same NVM and:
 * every committed value is there, registers never go backwards and lose at
 * most what was not committed, profile entries keep strictly increasing
 * capture times, no event is logged twice (each power down has its power
 * up and its power failure record, each billing end its capture and its
 * event), each log's counter matches its entries.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define D2025_01_31 20119LL

static uint32_t cnt(uint16_t code)
{
    return rig_ev_count(&r, code, NULL);
}

static void poll_fast(uint32_t step_ms, bool adc)
{
    mtr_sim_advance(&r.sim, step_ms);
    if (adc) {
        (void)mtr_post_adc_ready(&r.e.meter);
    }
    cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
}

static void run_fast(uint32_t polls, uint32_t step_ms)
{
    for (uint32_t i = 0; i < polls && mtr_sim_nvm_powered(&r.sim); i++) {
        poll_fast(step_ms, true);
    }
}

static mtr_utc_t now_utc(void)
{
    mtr_utc_t utc = 0;
    cr_assert_eq(r.hal.clock->rtc_get(r.hal.ctx, &utc), MTR_OK);
    return utc;
}

/* ------------------------------------------------------------ invariants */

static struct mtr_profile_entry ent;

/* Entries of a profile, with their capture times strictly increasing (a
 * log or the billing profile: never decreasing, several events or billing
 * commands may share a second). */
static uint32_t check_profile(struct mtr_profile *p, const char *what, mtr_utc_t *newest,
                              bool strict)
{
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ALL};
    struct mtr_profile_cursor cur;
    uint32_t count = 0, n = 0;
    mtr_utc_t last = -1;
    cr_assert_eq(mtr_profile_select(p, &sel, &cur, &count), MTR_OK);
    while (mtr_profile_next(p, &sel, &cur, &ent) == MTR_OK) {
        cr_assert(strict ? ent.utc > last : ent.utc >= last, "%s: capture times increase", what);
        last = ent.utc;
        n++;
    }
    cr_assert_eq(n, count, "%s", what);
    cr_assert_eq(n, mtr_profile_entries_in_use(p), "%s", what);
    if (newest != NULL) {
        *newest = last;
    }
    return n;
}

/* Everything that must hold after any restart. @p settled: a step ran
 * since the restart (a billing end that the cut kept from its commit has
 * come again: until then its capture and its event may be ahead of the
 * billing counter by one). */
static bool full_check = true; /* read every entry back (else the counters only) */

static void check_records(const char *when, bool settled)
{
    /* a power up for every power down (the first start-up has none), a
     * power failure record (long or short) for every power down */
    uint32_t pd = cnt(1), pu = cnt(2);
    cr_assert_eq(pu, pd + 1, "%s: power up %u, power down %u", when, pu, pd);
    cr_assert_eq(mtr_events_log_count(&r.e.ev, MTR_EVLOG_POWER_FAILURE) +
                     mtr_events_short_failures(&r.e.ev),
                 pd, "%s: a power failure per power down", when);
    /* each log: its counter is its entries (up to its capacity) */
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        struct mtr_profile *p = mtr_events_log(&r.e.ev, log);
        if (p == NULL) {
            continue;
        }
        uint32_t c = mtr_events_log_count(&r.e.ev, log), cap = mtr_profile_entries(p);
        uint32_t n = full_check ? check_profile(p, "event log", NULL, false)
                                : mtr_profile_entries_in_use(p);
        if (c <= cap) {
            cr_assert_eq(n, c, "%s: log %u counter %u entries %u", when, log, c, n);
        } else {
            /* wrapped: the ring keeps its capacity of positions, and a cut
             * in an append leaves a position without an entry */
            cr_assert(n <= cap && n + 8 >= cap, "%s: log %u capacity %u entries %u", when, log,
                      cap, n);
        }
    }
    /* each billing end once: its event and its capture */
    uint32_t billed = mtr_tariff_billing_count(&r.e.trf);
    uint32_t bev = cnt(209) + cnt(210) + cnt(223);
    cr_assert(bev == billed || (!settled && bev == billed + 1), "%s: billing events %u, ends %u",
              when, bev, billed);
    struct mtr_profile *bp = &r.e.prof[RIG_BILLING];
    uint32_t bn = full_check ? check_profile(bp, "billing profile", NULL, false)
                             : mtr_profile_entries_in_use(bp);
    uint32_t bcap = mtr_profile_entries(bp);
    if (billed < bcap) {
        cr_assert(bn == billed || (!settled && bn == billed + 1),
                  "%s: billing captures %u, ends %u", when, bn, billed);
    } else {
        cr_assert(bn <= bcap && bn + 8 >= bcap, "%s: billing captures %u", when, bn);
    }
    mtr_utc_t newest = -1;
    if (full_check) {
        check_profile(&r.e.prof[RIG_LP1], "load profile", &newest, true);
    } else {
        (void)mtr_profile_last_capture(&r.e.prof[RIG_LP1], &newest);
    }
    cr_assert(newest <= now_utc(), "%s", when);
    /* clock changes: the old value, then the new one */
    cr_assert(cnt(5) <= cnt(4) && cnt(4) <= cnt(5) + 1, "%s", when);
}

/* ------------------------------------------------------------ every byte */
/* The script (register commits, a load profile entry, a clock set, a remote
 * disconnection, a cover opened, a billing end with its capture and its
 * register commit) is cut at every byte it programs and at three points of
 * every sector erase (an erase writes no data: its middle stands for all of
 * it). */

/* The NVM operations of a dry run, to cut at every byte written and at the
 * start, middle and end of every erase. */
#define OPS_MAX 512
struct nvm_op {
    bool erase;
    uint32_t len;
};
static struct nvm_op ops[OPS_MAX];
static uint32_t nops;
static bool recording;
static struct mtr_nvm_ops rec_ops;
static const struct mtr_nvm_ops *sim_ops;

static mtr_err_t rec_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    if (recording && nops < OPS_MAX) {
        ops[nops++] = (struct nvm_op){false, (uint32_t)len};
    }
    return sim_ops->write(ctx, addr, buf, len);
}

static mtr_err_t rec_erase(void *ctx, uint32_t addr, size_t len)
{
    if (recording && nops < OPS_MAX) {
        ops[nops++] = (struct nvm_op){true, (uint32_t)len};
    }
    return sim_ops->erase(ctx, addr, len);
}

static void script(void)
{
    run_fast(1, 120000); /* 23:46:40: a load profile entry (23:45) */
    if (mtr_sim_nvm_powered(&r.sim)) {
        (void)mtr_meter_commit(&r.e.meter); /* the registers */
    }
    if (mtr_sim_nvm_powered(&r.sim)) {
        (void)mtr_meter_rtc_set(&r.e.meter, now_utc() + 60); /* 4, 5, CAD */
    }
    if (mtr_sim_nvm_powered(&r.sim)) {
        (void)mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms); /* 62 */
    }
    if (mtr_sim_nvm_powered(&r.sim)) {
        mtr_sim_set_inputs(&r.sim, MTR_IN_TERMINAL_COVER);
        (void)mtr_post_input(&r.e.meter, MTR_IN_TERMINAL_COVER);
    }
    run_fast(2, 420000); /* 40 (debounced), 00:00: billing end, its capture, 223, LP,
                            the register snapshot */
}

static void boot(void)
{
    cr_assert_eq(rig_boot(&r), MTR_OK);
}

static void reboot(void)
{
    mtr_sim_nvm_restore(&r.sim);
    mtr_sim_set_inputs(&r.sim, 0);
    boot();
}

Test(meter_torture, cut_at_every_byte_of_a_script)
{
    rig_board_records(&r, D2025_01_31 * DAY_S + 23 * 3600 + 44 * 60, 1024);
    rig_fast_adc(&r);
    sim_ops = r.hal.nvm;
    rec_ops = *sim_ops;
    rec_ops.write = rec_write;
    rec_ops.erase = rec_erase;
    r.hal.nvm = &rec_ops;
    boot();
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    run_fast(10, 1000); /* metrology settles and meters */
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    struct mtr_sim saved_sim = r.sim; /* clock and ADC position of the image */

    /* dry run: which bytes the script programs */
    r.sim = saved_sim;
    reboot();
    struct rig_regs committed;
    rig_totals(&r, &committed);
    recording = true;
    script();
    recording = false;
    struct rig_regs dry;
    rig_totals(&r, &dry);
    cr_assert(dry.q[MTR_Q_A_IMP] > committed.q[MTR_Q_A_IMP], "the script meters energy: %lld -> %lld",
              (long long)committed.q[MTR_Q_A_IMP], (long long)dry.q[MTR_Q_A_IMP]);
    uint32_t written = 0, erased = 0;
    for (uint32_t i = 0; i < nops; i++) {
        *(ops[i].erase ? &erased : &written) += ops[i].len;
    }
    cr_assert(nops < OPS_MAX);

    uint32_t cuts = 0, old_kept = 0, new_kept = 0;
    uint32_t pos = 0; /* budget before the current operation */
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t len = ops[i].len;
        uint32_t picks[3] = {0, len / 2, len - 1};
        uint32_t npick = ops[i].erase ? 3 : len;
        for (uint32_t j = 0; j < npick; j++) {
            uint32_t k = pos + (ops[i].erase ? picks[j] : j);
            memcpy(mtr_sim_nvm_data(&r.sim), image, size);
            r.sim = saved_sim; /* the same time and ADC position (same buffers) */
            reboot();
            struct rig_regs before, live, after;
            rig_totals(&r, &before);
            mtr_sim_nvm_cut_after(&r.sim, k);
            script();
            cr_assert(!mtr_sim_nvm_powered(&r.sim), "cut %u hit", k);
            rig_totals(&r, &live);
            reboot();
            rig_totals(&r, &after);
            cr_assert(rig_regs_eq(&after, &before) || rig_regs_eq(&after, &live) ||
                          (after.q[0] >= before.q[0] && after.q[0] <= live.q[0]),
                      "cut %u: a committed copy", k);
            for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
                cr_assert(after.q[q] >= before.q[q], "cut %u: never backwards", k);
            }
            old_kept += rig_regs_eq(&after, &before);
            new_kept += !rig_regs_eq(&after, &before);
            check_records("after the cut", false);
            /* past midnight: a billing end not committed comes again */
            poll_fast(600000, false);
            poll_fast(600000, false);
            cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), 1, "cut %u", k);
            check_records("after the billing end", true);
            cuts++;
        }
        pos += len;
    }
    rig_diag("every byte of a script: %u cuts (%u bytes programmed, %u erased in %u operations); "
             "registers: older copy %u, newer %u",
             cuts, written, erased, nops, old_kept, new_kept);
    cr_assert(cuts >= written);
    free(image);
    rig_free(&r);
}

/* ------------------------------------------------------------ random cuts */

static uint32_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static void random_action(uint64_t *seed)
{
    uint32_t a = lcg(seed) % 64;
    mtr_utc_t utc = now_utc();
    if (a == 0) {
        (void)mtr_meter_rtc_set(&r.e.meter, utc + 1 + (int64_t)(lcg(seed) % 300)); /* forward */
    } else if (a < 4) {
        if (mtr_disconnect_output(&r.e.dc, 0) || mtr_disconnect_state(&r.e.dc, 0) == MTR_DC_READY) {
            (void)mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms);
        } else {
            (void)mtr_disconnect_remote_reconnect(&r.e.dc, 0, r.sim.ms);
        }
    } else if (a < 6) {
        uint32_t in = mtr_meter_inputs(&r.e.meter) ^ MTR_IN_MAIN_COVER;
        mtr_sim_set_inputs(&r.sim, in);
        (void)mtr_post_input(&r.e.meter, in);
    } else if (a == 6) {
        struct mtr_sim_adc_cfg c = r.sim.cfg.adc;
        c.phase[1].v_rms_mv = c.phase[1].v_rms_mv == 230000 ? 170000 : 230000; /* a sag on L2 */
        cr_assert_eq(mtr_sim_adc_set(&r.sim, &c), MTR_OK);
    } else if (a == 7) {
        struct mtr_clock_view v;
        if (mtr_clock_now(&r.e.clk, &v) == MTR_OK) {
            (void)mtr_tariff_billing_end(&r.e.trf, &v, MTR_BILLING_BY_COMMAND);
        }
    }
}

Test(meter_torture, random_cuts_over_years)
{
    rig_board_records(&r, D2025_01_31 * DAY_S, 1024);
    rig_fast_adc(&r); /* a metrology period per poll */
    boot();
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    uint64_t seed = 20250131;
    struct rig_regs committed, live, after;
    rig_totals(&r, &committed);
    uint32_t cuts = 0, flushes = 0, polls = 0, rounds = 0;
    int64_t max_loss = 0;
    const uint32_t step_ms = 900 * 1000;
    while (cuts < 10000) {
        rounds++;
        bool flush = lcg(&seed) % 8 == 0;
        if (!flush) {
            mtr_sim_nvm_cut_after(&r.sim, lcg(&seed) % 24000);
        }
        for (int i = 0; i < 12 && mtr_sim_nvm_powered(&r.sim); i++) {
            random_action(&seed);
            if (!mtr_sim_nvm_powered(&r.sim)) {
                break;
            }
            struct mtr_meter_wiring w0, w1;
            mtr_meter_wiring(&r.e.meter, &w0);
            poll_fast(step_ms, lcg(&seed) % 4 == 0); /* samples at one poll in four */
            polls++;
            mtr_meter_wiring(&r.e.meter, &w1);
            if (mtr_sim_nvm_powered(&r.sim) && w1.commits != w0.commits) {
                rig_totals(&r, &committed);
            }
        }
        if (flush) {
            mtr_sim_nvm_cut_after(&r.sim, UINT32_MAX); /* no cut: the flush completes */
            cr_assert_eq(mtr_post_power_fail(&r.e.meter), MTR_OK);
            cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
            rig_totals(&r, &committed);
            flushes++;
        } else {
            cuts += !mtr_sim_nvm_powered(&r.sim);
        }
        rig_totals(&r, &live);
        mtr_sim_advance(&r.sim, (lcg(&seed) % 8) * 60000u); /* off for up to 7 minutes */
        reboot();
        rig_totals(&r, &after);
        if (flush) {
            cr_assert(rig_regs_eq(&after, &live), "round %u: a flush loses nothing", rounds);
        } else {
            cr_assert(rig_regs_eq(&after, &committed) || rig_regs_eq(&after, &live),
                      "round %u: the last committed copy or the one being written", rounds);
        }
        for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
            cr_assert(after.q[q] >= committed.q[q], "round %u: never backwards", rounds);
        }
        if (live.q[MTR_Q_A_IMP] - after.q[MTR_Q_A_IMP] > max_loss) {
            max_loss = live.q[MTR_Q_A_IMP] - after.q[MTR_Q_A_IMP];
        }
        committed = after;
        full_check = rounds % 8 == 0; /* every entry read back every 8th round */
        check_records("random cut", false);
    }
    int64_t days = (now_utc() - D2025_01_31 * DAY_S) / DAY_S;
    struct mtr_quality_counters qc;
    mtr_quality_counters(&r.e.q, &qc);
    rig_diag("random cuts: %u cuts + %u power-fail flushes over %lld simulated days (%u polls, "
             "%u billing ends, %u power failures, %u sags L2); largest energy loss %lld mWh",
             cuts, flushes, (long long)days, polls, mtr_tariff_billing_count(&r.e.trf), cnt(1),
             qc.sags[1], (long long)max_loss);
    cr_assert(days > 300, "months of simulated time");
    rig_free(&r);
}
