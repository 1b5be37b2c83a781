/* SPDX-License-Identifier: Apache-2.0 */
/* The run model on the sim HAL: init, events, ADC hand-over, timers, poll. */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "meter/meter.h"
#include "sim.h"

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_meter meter;

struct seen {
    int events;
    uint8_t last_type;
    uint32_t last_arg;
    uint64_t frames;
    int32_t max_v1;
    int bad_frames;
};
static struct seen seen;

static void on_event(struct mtr_meter *m, const struct mtr_event *ev, void *user)
{
    (void)m;
    struct seen *s = user;
    s->events++;
    s->last_type = ev->type;
    s->last_arg = ev->arg;
}

static void on_frames(struct mtr_meter *m, const int32_t *f, size_t n, void *user)
{
    (void)m;
    struct seen *s = user;
    for (size_t i = 0; i < n; i++) {
        int32_t v = f[i * MTR_ADC_CHANNELS + MTR_ADC_V1];
        if (v > s->max_v1) {
            s->max_v1 = v;
        }
        if (v >= (1 << 23) || v < -(1 << 23)) {
            s->bad_frames++;
        }
    }
    s->frames += n;
}

static void setup(void)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    mtr_sim_hal(&sim, &hal);
    memset(&seen, 0, sizeof seen);
    struct mtr_meter_config mc = {.on_event = on_event, .on_frames = on_frames, .user = &seen};
    cr_assert_eq(mtr_meter_init(&meter, &hal, &mc), MTR_OK);
}

static void teardown(void)
{
    mtr_sim_free(&sim);
}

TestSuite(meter, .init = setup, .fini = teardown);

Test(meter, init_rejects_incomplete_hal_and_leaves_meter_untouched)
{
    struct mtr_meter m2;
    memset(&m2, 0xA5, sizeof m2);
    struct mtr_hal bad = hal;
    bad.clock = NULL;
    cr_assert_eq(mtr_meter_init(&m2, &bad, NULL), MTR_ERR_CONFIG);
    struct mtr_nvm_ops nvm = *hal.nvm;
    nvm.erase = NULL; /* flash without erase */
    bad = hal;
    bad.nvm = &nvm;
    cr_assert_eq(mtr_meter_init(&m2, &bad, NULL), MTR_ERR_CONFIG);
    struct mtr_io_ops io = *hal.io;
    io.adc_read = NULL; /* adc_info without adc_read */
    bad = hal;
    bad.io = &io;
    cr_assert_eq(mtr_meter_init(&m2, &bad, NULL), MTR_ERR_CONFIG);
    struct mtr_sys_ops sys = *hal.sys;
    sys.critical_exit = NULL;
    bad = hal;
    bad.sys = &sys;
    cr_assert_eq(mtr_meter_init(&m2, &bad, NULL), MTR_ERR_CONFIG);
    uint8_t pattern[sizeof m2];
    memset(pattern, 0xA5, sizeof pattern);
    cr_assert_eq(memcmp(&m2, pattern, sizeof m2), 0, "a failed init wrote into the meter");
}

Test(meter, minimal_hal_without_optional_groups)
{
    struct mtr_hal min = {.ctx = hal.ctx, .clock = hal.clock, .nvm = hal.nvm};
    struct mtr_meter m2;
    cr_assert_eq(mtr_meter_init(&m2, &min, NULL), MTR_OK);
    cr_assert_eq(mtr_post_adc_ready(&m2), MTR_OK);
    uint32_t sleep;
    cr_assert_eq(mtr_poll(&m2, &sleep), MTR_OK);
    struct mtr_meter_stats st;
    mtr_meter_stats(&m2, &st);
    cr_assert_eq(st.events, 1u);
    cr_assert_eq(st.adc_frames, 0u, "no ADC in the HAL: nothing drained");
    cr_assert_eq(sleep, MTR_POLL_FOREVER);
}

Test(meter, rtc_invalid_at_power_up_is_reported)
{
    mtr_sim_rtc_lose(&sim);
    struct mtr_meter m2;
    cr_assert_eq(mtr_meter_init(&m2, &hal, NULL), MTR_OK);
    cr_assert(mtr_meter_rtc_invalid(&m2));
    cr_assert_not(mtr_meter_rtc_invalid(&meter));
    cr_assert_eq(mtr_meter_rtc_set(&m2, -5), MTR_ERR_RANGE);
    cr_assert(mtr_meter_rtc_invalid(&m2), "a rejected set leaves the RTC invalid");
    cr_assert_eq(mtr_meter_rtc_set(&m2, 1800000000), MTR_OK);
    cr_assert_not(mtr_meter_rtc_invalid(&m2));
    mtr_utc_t utc;
    cr_assert_eq(hal.clock->rtc_get(hal.ctx, &utc), MTR_OK);
    cr_assert_eq(utc, 1800000000);
}

Test(meter, rtc_set_without_hal_support)
{
    struct mtr_clock_ops clk = *hal.clock;
    clk.rtc_set = NULL;
    struct mtr_hal h = hal;
    h.clock = &clk;
    mtr_sim_rtc_lose(&sim);
    struct mtr_meter m2;
    cr_assert_eq(mtr_meter_init(&m2, &h, NULL), MTR_OK);
    cr_assert_eq(mtr_meter_rtc_set(&m2, 1800000000), MTR_ERR_NOTSUP);
    cr_assert(mtr_meter_rtc_invalid(&m2));
}

Test(meter, adc_info_accessor)
{
    struct mtr_adc_info info = {0};
    cr_assert(mtr_meter_adc_info(&meter, &info));
    cr_assert_eq(info.rate_hz, sim.cfg.adc.rate_hz);
    cr_assert_eq(info.channels, MTR_ADC_CHANNELS);
    struct mtr_hal min = {.ctx = hal.ctx, .clock = hal.clock, .nvm = hal.nvm};
    struct mtr_meter m2;
    mtr_meter_init(&m2, &min, NULL);
    info.rate_hz = 77;
    cr_assert_not(mtr_meter_adc_info(&m2, &info));
    cr_assert_eq(info.rate_hz, 77u);
}

Test(meter, init_fails_cleanly_on_a_bad_adc)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.adc.bits = 12;
    struct mtr_sim s2;
    cr_assert_eq(mtr_sim_init(&s2, &cfg), MTR_OK);
    struct mtr_hal h;
    mtr_sim_hal(&s2, &h);
    struct mtr_meter m2;
    cr_assert_eq(mtr_meter_init(&m2, &h, NULL), MTR_OK, "12 bits is supported");
    mtr_sim_free(&s2);
}

Test(meter, adc_frames_flow_to_the_hook_at_the_sample_rate)
{
    uint32_t rate = sim.cfg.adc.rate_hz;
    for (int i = 0; i < 1000; i++) { /* one simulated second in 1 ms steps */
        mtr_sim_advance(&sim, 1);
        if (i % 8 == 7) {
            cr_assert_eq(mtr_post_adc_ready(&meter), MTR_OK);
            cr_assert_eq(mtr_poll(&meter, NULL), MTR_OK);
        }
    }
    struct mtr_meter_stats st;
    mtr_meter_stats(&meter, &st);
    cr_assert_eq(seen.frames, rate, "one second of frames, none lost or doubled");
    cr_assert_eq(st.adc_frames, rate);
    cr_assert_eq(st.adc_overruns, 0u);
    cr_assert_eq(seen.bad_frames, 0);
    cr_assert_gt(seen.max_v1, 1 << 20, "the default load drives V1");
}

Test(meter, late_poll_reports_adc_overrun)
{
    mtr_sim_advance(&sim, 5000); /* more than the 4096-frame DMA buffer */
    /* Each event drains a bounded number of frames; keep the loop going. */
    for (int i = 0; i < 100 && mtr_sim_adc_pending(&sim) > 0; i++) {
        mtr_post_adc_ready(&meter);
        mtr_poll(&meter, NULL);
    }
    struct mtr_meter_stats st;
    mtr_meter_stats(&meter, &st);
    cr_assert_eq(mtr_sim_adc_pending(&sim), 0u);
    cr_assert_eq(st.adc_overruns, 1u);
    cr_assert_eq(st.adc_frames, sim.cfg.adc_buffer, "the newest buffer's worth survives");
}

Test(meter, events_reach_the_hook_and_update_state)
{
    mtr_sim_set_inputs(&sim, MTR_IN_TERMINAL_COVER);
    cr_assert_eq(mtr_post_input(&meter, MTR_IN_TERMINAL_COVER), MTR_OK);
    cr_assert_eq(mtr_post(&meter, MTR_EV_USER + 3, 0, 77), MTR_OK);
    cr_assert_eq(mtr_post_power_fail(&meter), MTR_OK);
    uint32_t sleep = 1234;
    cr_assert_eq(mtr_poll(&meter, &sleep), MTR_OK);
    cr_assert_eq(seen.events, 3);
    cr_assert_eq(mtr_meter_inputs(&meter), (uint32_t)MTR_IN_TERMINAL_COVER);
    cr_assert(mtr_meter_power_failing(&meter));
    cr_assert_eq(seen.last_type, MTR_EV_POWER_FAIL);
    cr_assert_eq(sleep, MTR_POLL_FOREVER);
    cr_assert_eq(mtr_sim_critical_depth(&sim), 0, "critical sections balanced");
    cr_assert_eq(mtr_sim_watchdog_kicks(&sim), 1u);
    mtr_post(&meter, MTR_EV_POWER_RESTORED, 0, 0);
    mtr_poll(&meter, NULL);
    cr_assert_not(mtr_meter_power_failing(&meter));
}

Test(meter, poll_is_bounded_and_says_more_work_is_waiting)
{
    for (uint32_t i = 0; i < MTR_CFG_EVENT_QUEUE_LEN; i++) {
        cr_assert_eq(mtr_post(&meter, MTR_EV_USER, 0, i), MTR_OK);
    }
    cr_assert_eq(mtr_post(&meter, MTR_EV_USER, 0, 0), MTR_ERR_FULL);
    uint32_t sleep = 1;
    mtr_poll(&meter, &sleep);
    cr_assert_eq(seen.events, MTR_CFG_POLL_MAX_EVENTS);
    if (MTR_CFG_POLL_MAX_EVENTS < MTR_CFG_EVENT_QUEUE_LEN) {
        cr_assert_eq(sleep, 0u);
    }
    struct mtr_meter_stats st;
    mtr_meter_stats(&meter, &st);
    cr_assert_eq(st.dropped, 1u);
}

static int ticks;
static void tick(struct mtr_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ticks++;
}

Test(meter, timers_run_from_poll_and_set_the_sleep_time_across_the_wrap)
{
    mtr_sim_set_ms(&sim, 0xFFFFFF00u);
    struct mtr_timer t;
    mtr_timer_init(&t, tick, NULL);
    ticks = 0;
    cr_assert_eq(mtr_timer_start(&meter, &t, 100, 1000), MTR_OK);
    uint32_t sleep = 0;
    mtr_poll(&meter, &sleep);
    cr_assert_eq(sleep, 100u);
    for (int i = 0; i < 10000; i++) { /* 10 s across the wrap */
        mtr_sim_advance(&sim, 1);
        mtr_poll(&meter, &sleep);
        cr_assert_leq(sleep, 1000u);
    }
    cr_assert_eq(ticks, 10);
    mtr_timer_stop(&meter, &t);
    mtr_poll(&meter, &sleep);
    cr_assert_eq(sleep, MTR_POLL_FOREVER);
}

Test(meter, clock_failure_is_an_error_and_runs_nothing)
{
    struct mtr_timer t;
    mtr_timer_init(&t, tick, NULL);
    ticks = 0;
    mtr_timer_start(&meter, &t, 0, 0);
    mtr_post(&meter, MTR_EV_USER, 0, 1);
    mtr_sim_clock_fail(&sim, true);
    cr_assert_eq(mtr_poll(&meter, NULL), MTR_ERR_IO);
    cr_assert_eq(ticks, 0);
    cr_assert_eq(seen.events, 0);
    mtr_sim_clock_fail(&sim, false);
    cr_assert_eq(mtr_poll(&meter, NULL), MTR_OK);
    cr_assert_eq(ticks, 1);
    cr_assert_eq(seen.events, 1);
}

static jmp_buf assert_jmp;
static int assert_line;
static void trap(const char *file, int line, void *user)
{
    (void)file;
    (void)user;
    assert_line = line;
    longjmp(assert_jmp, 1);
}

Test(meter, null_context_hits_the_assert_hook)
{
    mtr_set_assert_hook(trap, NULL);
    assert_line = 0;
    if (setjmp(assert_jmp) == 0) {
        mtr_poll(NULL, NULL);
        cr_assert_fail("mtr_poll(NULL) returned");
    }
    cr_assert_gt(assert_line, 0);
    struct mtr_meter junk;
    memset(&junk, 0, sizeof junk);
    assert_line = 0;
    if (setjmp(assert_jmp) == 0) {
        mtr_poll(&junk, NULL);
        cr_assert_fail("mtr_poll on an uninitialised meter returned");
    }
    cr_assert_gt(assert_line, 0);
    mtr_set_assert_hook(NULL, NULL);
}

Test(meter, size_twin)
{
    cr_assert_eq(mtr_meter_size(), sizeof(struct mtr_meter));
    cr_assert_eq(mtr_timer_size(), sizeof(struct mtr_timer));
    cr_assert_str_eq(mtr_version(), MTR_VERSION_STRING);
}
