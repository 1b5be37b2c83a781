/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Instruction counts of libmeter's hot paths on the Cortex-M4, run under
 * QEMU with `-icount shift=0` (tests/support/run_qemu_bench.py).
 *
 * With -icount shift=0 QEMU advances virtual time by 1 ns per executed
 * instruction, and SysTick counts the 25 MHz processor clock of the model in
 * that virtual time: one tick per 40 instructions. The image checks that scale
 * itself with loops of a known number of instructions, then converts every
 * measured window of ticks into instructions with the measured scale. These
 * are instructions, not cycles: a real Cortex-M4 spends more than one cycle on
 * loads, taken branches and 64-bit multiply-accumulates.
 *
 * Measured:
 * 1. metrology, default configuration (4 kHz, 24 bits, 3P4W, 1 s period,
 *    harmonics), a synthetic 3-phase 50 Hz signal (230 V, 5 A lagging 30
 *    degrees with a 20 % 5th harmonic, a few LSB of noise) built on the target
 *    from an integer sine table, fed in blocks of 32 frames (8 ms, a DMA
 *    half-buffer) after 3 s of settling:
 *    - whole: one second of frames including the period end, per sample set;
 *    - path: the 3968 frames of a second before its last block (no period
 *      work), per sample set: the per-sample path with the frequency
 *      tracker's per-cycle work, the one-cycle harmonic capture and the
 *      call overhead of the blocks;
 *    - plain: 45-frame windows of 40 cycles that hold no zero crossing and no
 *      capture, minus the cost of a call, per sample set: the per-sample path
 *      alone;
 *    - per-second work: the last block of a second (the one that ends the
 *      period) minus 32 sample sets at the path rate.
 * 2. calendar: mtr_calendar_decide() per call at 1000 times spread over a
 *    year, with a calendar at the configured limits (as
 *    tests/bench/calendar/bench_calendar.c); one day of 96 15-minute steps
 *    (clock view, calendar poll, decision, mtr_tariff_step()) including a
 *    monthly billing end, and mtr_tariff_step() alone.
 *
 * Output over semihosting, one line each, the JSON line last:
 *   bench: libmeter <version> on mps2-an386
 *   calibration ... instructions_per_tick_x1000=<n>
 *   metrology ... (key=value: results, and measured windows in ticks)
 *   calendar ... (key=value: measured windows in ticks)
 *   {"bench": "bench_cortex_m4", ...}
 * Exit status 0, or 1 if a step failed (a line "bench: FAIL (<reason>)").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board_hal.h"
#include "meter/clock.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/tariff.h"
#include "semihost.h"

#define BOARD_LINE_CAP 1024u
#include "board_icount.h"
#include "board_sine.h"


#define RATE_HZ 4000u
#define FRAMES RATE_HZ   /* one second: one result period */
#define BLOCK 32u        /* frames per call */
#define SETTLE_S 3u
#define CYCLE 80u        /* frames per 50 Hz cycle at 4 kHz */
#define PLAIN_FROM 30u   /* plain window inside a cycle: [PLAIN_FROM, PLAIN_FROM + PLAIN_LEN) */
#define PLAIN_LEN 45u
#define PLAIN_FIRST 5u   /* cycles of a period measured: PLAIN_FIRST .. PLAIN_FIRST + PLAIN_CYCLES - 1 */
#define PLAIN_CYCLES 40u
#define CALL_REPEAT 1000u
#define DECIDE_CALLS 1000u
#define DAY_STEPS 96u
#define TARGET_PATH 200u /* instructions per sample set for the per-sample path */

/* --------------------------------------------------------------- output */

static void put_kv_u64(struct line *l, const char *key, uint64_t v)
{
    put_str(l, " ");
    put_str(l, key);
    put_str(l, "=");
    put_u64(l, v);
}

static _Noreturn void fail(const char *why)
{
    struct line l = {.len = 0};
    put_str(&l, "bench: FAIL (");
    put_str(&l, why);
    put_str(&l, ")");
    line_end(&l);
    semihost_exit(1);
}

static void on_assert(const char *file, int line, void *user)
{
    (void)file;
    (void)line;
    (void)user;
    fail("assert");
}

/* ---------------------------------------------------------------- timing */

/* The slope between two loop lengths cancels the fixed cost of a window. */
static void calibrate(void)
{
    uint32_t a = board_calibrate();
    struct line l = {.len = 0};
    put_str(&l, "calibration");
    put_kv_u64(&l, "loop_instructions", cal_instr);
    put_kv_u64(&l, "ticks", cal_ticks);
    put_kv_u64(&l, "short_loop_ticks", a);
    put_kv_u64(&l, "instructions_per_tick_x1000", (cal_instr * 1000u + cal_ticks / 2u) / cal_ticks);
    line_end(&l);
    if (cal_ticks == 0) {
        fail("the timer does not count");
    }
}

/* ------------------------------------------------------------- metrology */

static int32_t frames[FRAMES][MTR_ADC_CHANNELS];
static struct mtr_metrology metro;

/* One second of frames: ABC sequence, current lagging 30 degrees with a 20 %
 * 5th harmonic, noise of -8..7 LSB on every channel; exactly periodic over the
 * second, so that the second can be played again and again. */
static void make_frames(void)
{
    uint32_t x = 12345u;
    for (uint32_t k = 0; k < FRAMES; k++) {
        for (uint32_t p = 0; p < 3; p++) {
            uint32_t v = (SINE_STEP * k + SINE_N * 3u - 80u * p) % SINE_N;
            uint32_t i = (v + SINE_N - 20u) % SINE_N;
            x = x * 1664525u + 1013904223u;
            frames[k][MTR_ADC_V1 + p] = wave(V_PEAK, v) + (int32_t)(x >> 28) - 8;
            x = x * 1664525u + 1013904223u;
            frames[k][MTR_ADC_I1 + p] =
                wave(I_PEAK, i) + wave(I_PEAK / 5, 5u * i) + (int32_t)(x >> 28) - 8;
        }
        frames[k][MTR_ADC_IN] = 0;
    }
}

static void feed(uint32_t first, uint32_t n)
{
    for (uint32_t k = first; k < first + n; k += BLOCK) {
        uint32_t left = first + n - k;
        mtr_metrology_process(&metro, frames[k], left < BLOCK ? left : BLOCK);
    }
}

static uint32_t periods_done(void)
{
    struct mtr_metrology_result r;
    return mtr_metrology_result(&metro, &r) == MTR_OK ? r.seq : 0;
}

struct metro_figures {
    int64_t whole, path, plain, per_second, call, crossing;
};

static void bench_metrology(struct metro_figures *fig)
{
    struct mtr_metrology_config cfg;
    mtr_metrology_config_default(&cfg);
    if (cfg.rate_hz != RATE_HZ || cfg.period_ms != 1000 ||
        mtr_metrology_init(&metro, &cfg, NULL) != MTR_OK) {
        fail("metrology configuration");
    }
    make_sine();
    make_frames();
    for (uint32_t s = 0; s < SETTLE_S; s++) {
        feed(0, FRAMES);
    }
    if (periods_done() != SETTLE_S) {
        fail("periods out of step with the frames");
    }

    /* whole: one second in blocks, the period end included */
    uint32_t t0 = ticks();
    feed(0, FRAMES);
    uint32_t whole = since(t0, ticks());

    /* path and per-second work: the same second, its last block apart */
    uint32_t seq = periods_done();
    t0 = ticks();
    feed(0, FRAMES - BLOCK);
    uint32_t t1 = ticks();
    feed(FRAMES - BLOCK, BLOCK);
    uint32_t t2 = ticks();
    uint32_t path = since(t0, t1), last = since(t1, t2);
    if (seq != SETTLE_S + 1u || periods_done() != seq + 1u) {
        fail("the period did not end in the last block");
    }

    /* the cost of a call without frames */
    t0 = ticks();
    for (uint32_t i = 0; i < CALL_REPEAT; i++) {
        mtr_metrology_process(&metro, frames[0], 0);
    }
    uint32_t call = since(t0, ticks());

    /* plain: windows of each cycle away from its crossing and the capture;
     * the part before a window holds the cycle's zero crossing */
    uint32_t plain = 0, pmin = UINT32_MAX, pmax = 0, head = 0;
    for (uint32_t c = 0; c < FRAMES / CYCLE; c++) {
        uint32_t k = c * CYCLE;
        t0 = ticks();
        mtr_metrology_process(&metro, frames[k], PLAIN_FROM);
        t1 = ticks();
        mtr_metrology_process(&metro, frames[k + PLAIN_FROM], PLAIN_LEN);
        t2 = ticks();
        uint32_t t = since(t1, t2);
        if (c >= PLAIN_FIRST && c < PLAIN_FIRST + PLAIN_CYCLES) {
            head += since(t0, t1);
            plain += t;
            pmin = t < pmin ? t : pmin;
            pmax = t > pmax ? t : pmax;
        }
        mtr_metrology_process(&metro, frames[k + PLAIN_FROM + PLAIN_LEN],
                              CYCLE - PLAIN_FROM - PLAIN_LEN);
    }

    fig->whole = x100_per(whole, FRAMES);
    fig->path = x100_per(path, FRAMES - BLOCK);
    fig->call = x100_per(call, CALL_REPEAT);
    /* call cost in hundredths, times the windows, removed before dividing */
    int64_t plain_all = x100_per(plain, 1) - fig->call * PLAIN_CYCLES;
    fig->plain = (plain_all + PLAIN_CYCLES * PLAIN_LEN / 2) / (PLAIN_CYCLES * PLAIN_LEN);
    /* the crossing: what the head costs beyond its plain frames and a call */
    fig->crossing = (x100_per(head, PLAIN_CYCLES) - fig->plain * PLAIN_FROM - fig->call + 50) / 100;
    fig->per_second = (x100_per(last, 1) - fig->path * BLOCK + 50) / 100;

    struct mtr_metrology_result r;
    (void)mtr_metrology_result(&metro, &r);
    struct line l = {.len = 0};
    put_str(&l, "metrology");
    put_kv_u64(&l, "rate_hz", RATE_HZ);
    put_kv_u64(&l, "block", BLOCK);
    put_kv_u64(&l, "periods", r.seq);
    put_kv_u64(&l, "f_mhz", r.f_mhz);
    put_kv_u64(&l, "p_mw", (uint64_t)r.p_mw);
    put_kv_u64(&l, "whole_ticks", whole);
    put_kv_u64(&l, "path_ticks", path);
    put_kv_u64(&l, "last_block_ticks", last);
    put_kv_u64(&l, "call_ticks", call);
    put_kv_u64(&l, "plain_ticks", plain);
    put_kv_u64(&l, "plain_window_ticks_min", pmin);
    put_kv_u64(&l, "plain_window_ticks_max", pmax);
    put_kv_u64(&l, "head_ticks", head);
    line_end(&l);
    /* If the engine's crossing moved into the plain windows, the heads
     * would be the cheaper part per frame. */
    if ((uint64_t)head * PLAIN_LEN <= (uint64_t)plain * PLAIN_FROM) {
        fail("the plain windows hold the zero crossings");
    }
    if (r.f_mhz < 49990 || r.f_mhz > 50010 || r.p_mw <= 0) {
        fail("the metrology results do not match the signal");
    }
}

/* -------------------------------------------------------------- calendar */

static struct mtr_calendar cal;
static struct mtr_clock clk;
static struct mtr_tariff tf;
static struct mtr_tou tou;

/* 2026-01-31T00:00:00Z: the day ends past the billing boundary of 1 February
 * 00:00 local (CET). */
#define DAY_START_UTC 1769817600LL
#define YEAR_START_UTC 1767225600LL

static mtr_err_t rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = DAY_START_UTC;
    return MTR_OK;
}

static const struct mtr_clock_ops clock_ops = {.rtc_get = rtc_get};
static const struct mtr_hal hal = {.clock = &clock_ops};

/* 8 seasons, 8 weeks, 24 day profiles of 48 switching points, a full table
 * of special days (the configured limits; as bench_calendar.c). */
static void full_calendar(void)
{
    memset(&tou, 0, sizeof tou);
    tou.n_days = MTR_CFG_CALENDAR_DAYS;
    for (int d = 0; d < MTR_CFG_CALENDAR_DAYS; d++) {
        tou.day[d].id = (uint8_t)(d + 1);
        tou.day[d].n = MTR_CFG_CALENDAR_SWITCHES;
        for (int i = 0; i < MTR_CFG_CALENDAR_SWITCHES; i++) {
            uint32_t s = (uint32_t)i * 86400u / MTR_CFG_CALENDAR_SWITCHES;
            tou.day[d].sw[i] = (struct mtr_tou_switch){(uint8_t)(s / 3600), (uint8_t)(s / 60 % 60),
                                                       (uint8_t)(s % 60),
                                                       (uint8_t)(1 + (i + d) % MTR_CFG_TARIFFS)};
        }
    }
    tou.n_weeks = MTR_CFG_CALENDAR_WEEKS;
    for (int w = 0; w < MTR_CFG_CALENDAR_WEEKS; w++) {
        tou.week[w].id = (uint8_t)(w + 1);
        for (int i = 0; i < 7; i++) {
            tou.week[w].day[i] = (uint8_t)(1 + (w * 7 + i) % MTR_CFG_CALENDAR_DAYS);
        }
    }
    tou.n_seasons = MTR_CFG_CALENDAR_SEASONS;
    for (int s = 0; s < MTR_CFG_CALENDAR_SEASONS; s++) {
        tou.season[s] = (struct mtr_tou_season){
            (uint8_t)(1 + s * 12 / MTR_CFG_CALENDAR_SEASONS), 1,
            (uint8_t)(1 + s % MTR_CFG_CALENDAR_WEEKS)};
    }
    mtr_calendar_init(&cal, NULL);
    if (mtr_calendar_set_active(&cal, &tou) != MTR_OK) {
        fail("calendar rejected");
    }
    for (uint16_t i = 0; i < MTR_CFG_CALENDAR_SPECIAL_DAYS; i++) {
        struct mtr_special_day sd = {.index = i,
                                     .year = MTR_SPECIAL_EVERY_YEAR,
                                     .month = (uint8_t)(1 + i % 12),
                                     .day = (uint8_t)(1 + i % 28),
                                     .day_id = (uint8_t)(1 + i % MTR_CFG_CALENDAR_DAYS)};
        if (mtr_calendar_special_set(&cal, &sd) != MTR_OK) {
            fail("special day rejected");
        }
    }
}

/* The decision loop's frame without the decision: same call, empty body. */
__attribute__((noinline)) static void decide_nothing(const struct mtr_calendar *c,
                                                     const struct mtr_clock_view *now,
                                                     uint32_t inputs, struct mtr_tariff_sel *sel)
{
    (void)c;
    (void)now;
    (void)inputs;
    (void)sel;
    __asm__ volatile("" ::: "memory");
}

typedef void (*decide_fn)(const struct mtr_calendar *, const struct mtr_clock_view *, uint32_t,
                          struct mtr_tariff_sel *);

static mtr_utc_t when[DECIDE_CALLS];

__attribute__((noinline)) static uint32_t time_decide(decide_fn fn, struct mtr_clock_view *v, uint32_t *sink)
{
    struct mtr_tariff_sel s = {0, 0, {0, 0}};
    uint32_t t0 = ticks();
    for (uint32_t i = 0; i < DECIDE_CALLS; i++) {
        v->utc = when[i];
        fn(&cal, v, 0, &s);
        *sink += s.tariff;
    }
    return since(t0, ticks());
}

/* One day of 15-minute steps from DAY_START_UTC: clock view, calendar poll,
 * decision and, when @p t is not NULL, mtr_tariff_step(). */
__attribute__((noinline)) static uint32_t time_day(struct mtr_tariff *t, struct mtr_tariff_sel *s,
                                                   uint32_t *errors)
{
    struct mtr_clock_view v;
    struct mtr_energy_delta d;
    memset(&d, 0, sizeof d);
    uint32_t t0 = ticks();
    for (uint32_t i = 1; i <= DAY_STEPS; i++) {
        (void)mtr_clock_view_at(&clk, DAY_START_UTC + (mtr_utc_t)i * 900, &v);
        (void)mtr_calendar_poll(&cal, &v);
        mtr_calendar_decide(&cal, &v, 0, s);
        d.q[MTR_Q_A_IMP] = 250000 + (int64_t)(i % 97u) * 1000;
        d.q[MTR_Q_R_IMP] = 50000;
        if (t != NULL) {
            *errors += mtr_tariff_step(t, &v, &d, s) != MTR_OK;
        }
    }
    return since(t0, ticks());
}

struct cal_figures {
    int64_t decide, day, step;
    uint32_t billing;
};

static void bench_calendar(struct cal_figures *fig)
{
    struct mtr_clock_config cc = {.time_zone = -60};
    mtr_dst_eu(&cc.dst);
    if (mtr_clock_init(&clk, &hal, &cc) != MTR_OK) {
        fail("clock init");
    }
    full_calendar();

    struct mtr_clock_view v;
    (void)mtr_clock_view_at(&clk, YEAR_START_UTC, &v);
    uint32_t x = 1, sink = 0;
    for (uint32_t i = 0; i < DECIDE_CALLS; i++) {
        x = x * 1664525u + 1013904223u;
        when[i] = YEAR_START_UTC + (mtr_utc_t)(x >> 7); /* 0 .. 388 days */
    }
    uint32_t frame = time_decide(decide_nothing, &v, &sink);
    uint32_t decide = time_decide(mtr_calendar_decide, &v, &sink);

    struct mtr_tariff_config tc = {.demand = {900, 1}, .billing = {.enabled = true, .day = 1}};
    struct mtr_tariff_sel s;
    (void)mtr_clock_view_at(&clk, DAY_START_UTC, &v);
    mtr_calendar_decide(&cal, &v, 0, &s);
    if (mtr_tariff_init(&tf, &tc, &v, &s) != MTR_OK) {
        fail("tariff init");
    }
    uint32_t errors = 0;
    uint32_t day = time_day(&tf, &s, &errors);
    uint32_t without = time_day(NULL, &s, &errors);
    if (errors != 0) {
        fail("tariff step");
    }
    uint32_t step = day - without;

    fig->decide = x100_per(decide - frame, DECIDE_CALLS);
    fig->day = x100_per(day, 1);
    fig->step = x100_per(step, DAY_STEPS);
    fig->billing = mtr_tariff_billing_count(&tf);
    struct line l = {.len = 0};
    put_str(&l, "calendar");
    put_kv_u64(&l, "decide_calls", DECIDE_CALLS);
    put_kv_u64(&l, "decide_ticks", decide);
    put_kv_u64(&l, "loop_ticks", frame);
    put_kv_u64(&l, "day_steps", DAY_STEPS);
    put_kv_u64(&l, "day_ticks", day);
    put_kv_u64(&l, "day_without_step_ticks", without);
    put_kv_u64(&l, "billing_periods", fig->billing);
    put_kv_u64(&l, "sink", sink % 10u);
    line_end(&l);
    if (fig->billing != 1) {
        fail("the day did not cross the billing boundary");
    }
}

/* ------------------------------------------------------------------ main */

int main(void)
{
    board_stack_paint();
    mtr_set_assert_hook(on_assert, NULL);
    semihost_write0("bench: libmeter " MTR_VERSION_STRING " on mps2-an386\n");
    timer_start();
    calibrate();

    struct metro_figures m;
    bench_metrology(&m);
    struct cal_figures c;
    bench_calendar(&c);

    /* share of a 48 MHz core at 4000 sample sets per second, one
     * instruction per cycle: whole * 4000 / 48e6 * 100 % */
    int64_t share = (m.whole * (int64_t)RATE_HZ + 240000) / 480000;

    struct line l = {.len = 0};
    put_str(&l, "{\"bench\": \"bench_cortex_m4\"");
    put_json(&l, "instructions_per_tick", (int64_t)((cal_instr * 100u + cal_ticks / 2u) / cal_ticks));
    put_json_int(&l, "rate_hz", RATE_HZ);
    put_json_int(&l, "block_frames", BLOCK);
    put_json(&l, "instructions_per_sample_set", m.whole);
    put_json(&l, "per_sample_path_instructions", m.path);
    put_json(&l, "per_sample_plain_instructions", m.plain);
    put_json_int(&l, "per_sample_path_target", TARGET_PATH);
    put_json_int(&l, "per_second_work_instructions", m.per_second);
    put_json(&l, "process_call_instructions", m.call);
    put_json_int(&l, "frequency_crossing_instructions", m.crossing);
    put_json(&l, "share_of_48mhz_at_4khz_percent", share);
    put_json(&l, "calendar_decide_instructions", c.decide);
    put_json_int(&l, "tariff_day_15min_steps", DAY_STEPS);
    put_json_int(&l, "tariff_day_instructions", (c.day + 50) / 100);
    put_json(&l, "tariff_step_instructions", c.step);
    put_json_int(&l, "stack_used_bytes", board_stack_used());
    put_str(&l, "}");
    line_end(&l);
    return 0;
}
