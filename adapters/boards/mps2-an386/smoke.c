/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Smoke test of libmeter on mps2-an386, run under QEMU with semihosting.
 *
 * 1. mtr_meter_init() on the board HAL; the RTC must start invalid.
 * 2. The HAL contract tests (tests/contract) against the board HAL.
 * 3. The run model: the counter is set just before the 2^32 wrap, a periodic
 *    timer is armed, the SysTick interrupt posts an MTR_EV_USER event every
 *    SMOKE_EVENT_PERIOD_MS and one MTR_EV_INPUT, and the main loop calls
 *    mtr_poll() (sleeping in WFI when it may) until the timer has fired
 *    SMOKE_TIMER_COUNT times; then the counters of mtr_meter_stats() are
 *    checked against what was posted.
 *
 * Output, one line each, in this order (tests/support/run_qemu_smoke.py
 * parses it):
 *   smoke: libmeter <version> on mps2-an386
 *   config timer_period_ms=<n> timer_count=<n> event_period_ms=<n> start_ms=<n>
 *   meter init rc=<n> rtc_invalid=<0|1> reset_cause=<n>
 *   contract begin
 *   contract <name> PASS|FAIL|SKIP[ <detail>]
 *   contract end run=<n> pass=<n> fail=<n> skip=<n> failures=<n>
 *   poll events=<n> ... (key=value pairs)
 *   smoke: PASS | smoke: FAIL (<reason>)
 * and the exit status is 0 on PASS, 1 on FAIL.
 */
#include <stddef.h>
#include <stdint.h>

#include "board_hal.h"
#include "board_print.h"
#include "meter/meter.h"
#include "semihost.h"

#ifndef SMOKE_NO_CONTRACT
#include "contract.h"
#endif

#define SMOKE_TIMER_PERIOD_MS 20u
#define SMOKE_TIMER_COUNT 50u
#define SMOKE_EVENT_PERIOD_MS 10u
#define SMOKE_INPUT_TICK 5u                  /* tick (from arming) that posts the input event */
#define SMOKE_INPUTS ((uint32_t)MTR_IN_TERMINAL_COVER)
#define SMOKE_START_MS (0xFFFFFFFFu - 499u)  /* the run crosses the 2^32 wrap */
#define SMOKE_SLACK_MS 1000u                 /* beyond the expected run time: give up */

/* ------------------------------------------------------------------- state */

static struct mtr_meter meter;

struct smoke {
    volatile bool posting;        /* the tick hook posts events */
    volatile uint32_t ticks;      /* ticks seen by the hook while posting */
    volatile uint32_t posted;     /* MTR_EV_USER events accepted by mtr_post() */
    volatile uint32_t inputs_posted;
    volatile uint32_t post_errors;
    uint32_t user_events;         /* MTR_EV_USER events handed to on_event */
    uint32_t input_events;
    uint32_t order_errors;        /* user events out of posting order */
    mtr_ms_t last_arg;
    uint32_t fired;               /* timer callbacks */
};

static struct smoke smoke;

static void on_assert(const char *file, int line, void *user)
{
    (void)user;
    print_assert(file, line);
    print("smoke: FAIL (assert)");
    semihost_exit(1);
}

/* SysTick context. */
static void on_tick(mtr_ms_t now, void *user)
{
    struct smoke *s = user;
    if (!s->posting) {
        return;
    }
    uint32_t tick = s->ticks + 1u;
    s->ticks = tick;
    if (tick == SMOKE_INPUT_TICK) {
        if (mtr_post_input(&meter, SMOKE_INPUTS) == MTR_OK) {
            s->inputs_posted++;
        } else {
            s->post_errors++;
        }
    }
    if (tick % SMOKE_EVENT_PERIOD_MS == 0) {
        if (mtr_post(&meter, MTR_EV_USER, 1, now) == MTR_OK) {
            s->posted++;
        } else {
            s->post_errors++;
        }
    }
}

static void on_event(struct mtr_meter *m, const struct mtr_event *ev, void *user)
{
    (void)m;
    struct smoke *s = user;
    if (ev->type == MTR_EV_USER) {
        if (s->user_events != 0 && !mtr_ms_reached(ev->arg, s->last_arg)) {
            s->order_errors++;
        }
        s->last_arg = ev->arg;
        s->user_events++;
    } else if (ev->type == MTR_EV_INPUT) {
        s->input_events++;
    }
}

static void on_timer(struct mtr_timer *t, void *arg)
{
    (void)t;
    struct smoke *s = arg;
    s->fired++;
}

/* ---------------------------------------------------------------- contract */

#ifndef SMOKE_NO_CONTRACT
struct contract_counts {
    uint32_t run, pass, fail, skip;
};

static uint8_t contract_scratch[2u * BOARD_NVM_SECTOR_SIZE + 64u];

static void hook_cut(void *ctx, uint32_t bytes)
{
    (void)ctx;
    board_nvm_cut_after(bytes);
}

static void hook_restore(void *ctx)
{
    (void)ctx;
    board_nvm_restore();
}

static void hook_set_ms(void *ctx, mtr_ms_t ms)
{
    (void)ctx;
    board_set_ms(ms);
}

static void hook_advance(void *ctx, uint32_t ms)
{
    (void)ctx;
    board_wait_ms(ms);
}

static void on_contract(const char *test, enum mtr_contract_result r, const char *detail,
                        void *user)
{
    struct contract_counts *c = user;
    static const char *const names[] = {"PASS", "FAIL", "SKIP"};
    c->run++;
    if (r == MTR_CONTRACT_PASS) {
        c->pass++;
    } else if (r == MTR_CONTRACT_FAIL) {
        c->fail++;
    } else {
        c->skip++;
    }
    struct line l = {.len = 0};
    put_str(&l, "contract ");
    put_str(&l, test);
    put_char(&l, ' ');
    put_str(&l, (unsigned)r < 3u ? names[r] : "FAIL");
    if (detail != NULL && detail[0] != '\0') {
        put_char(&l, ' ');
        put_str(&l, detail);
    }
    line_end(&l);
}

static const char *run_contract(void)
{
    const struct mtr_contract_target target = {
        .hal = &board_hal,
        .hook_ctx = NULL,
        .cut_power_after = hook_cut,
        .restore_power = hook_restore,
        .set_ms = hook_set_ms,
        .advance_ms = hook_advance,
        .scratch = contract_scratch,
        .scratch_size = sizeof contract_scratch,
    };
    struct contract_counts c = {0, 0, 0, 0};
    print("contract begin");
    int failures = mtr_contract_run(&target, on_contract, &c);
    board_nvm_restore();
    struct line l = {.len = 0};
    put_str(&l, "contract end");
    put_kv(&l, "run", c.run);
    put_kv(&l, "pass", c.pass);
    put_kv(&l, "fail", c.fail);
    put_kv(&l, "skip", c.skip);
    put_kv(&l, "failures", (uint32_t)failures);
    line_end(&l);
    if (failures != 0 || c.fail != 0) {
        return "contract test failed";
    }
    if (c.run == 0) {
        return "no contract test ran";
    }
    return NULL;
}
#else
static const char *run_contract(void)
{
    print("contract begin");
    print("contract end run=0 pass=0 fail=0 skip=0 failures=0");
    return "contract tests not built in";
}
#endif

/* -------------------------------------------------------------------- poll */

static const char *run_poll(void)
{
    static struct mtr_timer timer;
    board_set_inputs(SMOKE_INPUTS);
    board_set_ms(SMOKE_START_MS);
    mtr_timer_init(&timer, on_timer, &smoke);
    mtr_ms_t start = board_ms();
    if (mtr_timer_start(&meter, &timer, SMOKE_TIMER_PERIOD_MS, SMOKE_TIMER_PERIOD_MS) != MTR_OK) {
        return "mtr_timer_start";
    }
    board_set_tick_hook(on_tick, &smoke);
    smoke.posting = true;
    const uint32_t limit = SMOKE_TIMER_COUNT * SMOKE_TIMER_PERIOD_MS + SMOKE_SLACK_MS;
    const char *err = NULL;
    while (smoke.fired < SMOKE_TIMER_COUNT) {
        uint32_t sleep_ms;
        if (mtr_poll(&meter, &sleep_ms) != MTR_OK) {
            err = "mtr_poll failed";
            break;
        }
        if (mtr_ms_elapsed(board_ms(), start) > limit) {
            err = "timer did not fire in time";
            break;
        }
        if (sleep_ms != 0) {
            board_idle(); /* the next tick wakes us, at the latest 1 ms on */
        }
    }
    smoke.posting = false;
    mtr_ms_t end = board_ms();
    board_set_tick_hook(NULL, NULL);
    mtr_timer_stop(&meter, &timer);

    /* Drain what was posted after the last timer run. */
    uint32_t sleep_ms = 0;
    for (uint32_t i = 0; i < 8u && sleep_ms == 0; i++) {
        if (mtr_poll(&meter, &sleep_ms) != MTR_OK) {
            err = "mtr_poll failed";
        }
    }

    struct mtr_meter_stats st;
    mtr_meter_stats(&meter, &st);
    uint32_t elapsed = mtr_ms_elapsed(end, start);
    uint32_t posted = smoke.posted;
    uint32_t inputs_posted = smoke.inputs_posted;
    uint32_t kicks = board_watchdog_kicks();
    bool wrapped = end < start;

    struct line l = {.len = 0};
    put_str(&l, "poll");
    put_kv(&l, "events", st.events);
    put_kv(&l, "user_events", smoke.user_events);
    put_kv(&l, "input_events", smoke.input_events);
    put_kv(&l, "posted", posted);
    put_kv(&l, "inputs_posted", inputs_posted);
    put_kv(&l, "post_errors", smoke.post_errors);
    put_kv(&l, "dropped", st.dropped);
    put_kv(&l, "timer_runs", st.timer_runs);
    put_kv(&l, "fired", smoke.fired);
    put_kv(&l, "polls", st.polls);
    put_kv(&l, "kicks", kicks);
    put_kv(&l, "hal_errors", st.hal_errors);
    put_kv(&l, "order_errors", smoke.order_errors);
    put_kv(&l, "elapsed_ms", elapsed);
    put_kv(&l, "wrapped", wrapped ? 1u : 0u);
    put_kv(&l, "inputs", mtr_meter_inputs(&meter));
    line_end(&l);

    if (err != NULL) {
        return err;
    }
    if (smoke.fired != SMOKE_TIMER_COUNT || st.timer_runs != SMOKE_TIMER_COUNT) {
        return "timer runs";
    }
    if (elapsed < SMOKE_TIMER_COUNT * SMOKE_TIMER_PERIOD_MS) {
        return "timer fired early";
    }
    if (st.dropped != 0 || smoke.post_errors != 0) {
        return "events dropped";
    }
    if (smoke.user_events != posted || st.events != posted + inputs_posted) {
        return "events lost";
    }
    if (smoke.order_errors != 0) {
        return "events out of order";
    }
    /* One user event per SMOKE_EVENT_PERIOD_MS ticks; the tick hook starts a
     * tick or so after 'start' and stops a tick or so after 'end'. */
    if (posted + 1u < elapsed / SMOKE_EVENT_PERIOD_MS || posted > elapsed / SMOKE_EVENT_PERIOD_MS + 1u) {
        return "event rate";
    }
    if (inputs_posted != 1 || smoke.input_events != 1 || mtr_meter_inputs(&meter) != SMOKE_INPUTS) {
        return "input event";
    }
    if (st.hal_errors != 0) {
        return "hal errors";
    }
    if (kicks != st.polls || st.polls < SMOKE_TIMER_COUNT) {
        return "watchdog not kicked on every poll";
    }
    if (!wrapped) {
        return "the counter did not wrap";
    }
    return NULL;
}

/* -------------------------------------------------------------------- main */

int main(void)
{
    board_init();
    mtr_set_assert_hook(on_assert, NULL);

    struct line l = {.len = 0};
    put_str(&l, "smoke: libmeter ");
    put_str(&l, mtr_version());
    put_str(&l, " on mps2-an386");
    line_end(&l);

    put_str(&l, "config");
    put_kv(&l, "timer_period_ms", SMOKE_TIMER_PERIOD_MS);
    put_kv(&l, "timer_count", SMOKE_TIMER_COUNT);
    put_kv(&l, "event_period_ms", SMOKE_EVENT_PERIOD_MS);
    put_kv(&l, "start_ms", SMOKE_START_MS);
    line_end(&l);

    const struct mtr_meter_config cfg = {.on_event = on_event, .on_frames = NULL, .user = &smoke};
    mtr_err_t rc = mtr_meter_init(&meter, &board_hal, &cfg);
    uint32_t cause = 0;
    (void)board_hal.sys->reset_cause(board_hal.ctx, &cause);
    bool rtc_invalid = rc == MTR_OK && mtr_meter_rtc_invalid(&meter);
    put_str(&l, "meter init rc=");
    put_i64(&l, rc);
    put_kv(&l, "rtc_invalid", rtc_invalid ? 1u : 0u);
    put_kv(&l, "reset_cause", cause);
    line_end(&l);

    const char *failure = NULL;
    if (rc != MTR_OK) {
        failure = "mtr_meter_init";
    } else {
        if (!rtc_invalid) {
            failure = "RTC valid before it was set";
        }
        const char *f = run_contract();
        failure = failure != NULL ? failure : f;
        f = run_poll();
        failure = failure != NULL ? failure : f;
    }

    if (failure == NULL) {
        print("smoke: PASS");
        return 0;
    }
    put_str(&l, "smoke: FAIL (");
    put_str(&l, failure);
    put_char(&l, ')');
    line_end(&l);
    return 1;
}
