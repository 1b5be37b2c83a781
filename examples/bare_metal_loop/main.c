/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run model in one page: interrupts only post events, the main loop calls
 * mtr_poll() and sleeps for as long as it says.
 *
 * The "board" here is a few variables so that the example builds and runs
 * anywhere: systick_isr() and adc_dma_isr() stand for the interrupt handlers
 * of a real MCU, wait_for_interrupt() for the WFI instruction. A port replaces
 * them with its own (see adapters/template/ and docs/porting.md).
 */
#include <stdint.h>
#include <string.h>

#include "meter/meter.h"

/* ------------------------------------------------------- the board's HAL */

static volatile mtr_ms_t ticks; /* incremented by the 1 kHz tick interrupt */
static uint8_t flash[8 * 1024];

static mtr_err_t ms_now(void *ctx, mtr_ms_t *ms)
{
    (void)ctx;
    *ms = ticks;
    return MTR_OK;
}

static mtr_err_t rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = 1767225600 + ticks / 1000u;
    return MTR_OK;
}

static mtr_err_t nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    (void)ctx;
    *info = (struct mtr_nvm_info){.size = sizeof flash, .sector_size = 1024, .write_unit = 1,
                                  .erased = 0xFF, .needs_erase = false};
    return MTR_OK;
}

static mtr_err_t nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr > sizeof flash || len > sizeof flash - addr) {
        return MTR_ERR_RANGE;
    }
    memcpy(buf, flash + addr, len);
    return MTR_OK;
}

static mtr_err_t nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    if (addr > sizeof flash || len > sizeof flash - addr) {
        return MTR_ERR_RANGE;
    }
    memcpy(flash + addr, buf, len);
    return MTR_OK;
}

static const struct mtr_clock_ops clock_ops = {.ms_now = ms_now, .rtc_get = rtc_get};
static const struct mtr_nvm_ops nvm_ops = {.info = nvm_info, .read = nvm_read, .write = nvm_write};
static const struct mtr_hal board_hal = {.clock = &clock_ops, .nvm = &nvm_ops};

/* ------------------------------------------------------- the application */

static struct mtr_meter meter;
static struct mtr_timer blink;
static unsigned blinks;
static unsigned user_events;

static void on_blink(struct mtr_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    blinks++; /* a real board would toggle an LED here */
}

static void on_event(struct mtr_meter *m, const struct mtr_event *ev, void *user)
{
    (void)m;
    (void)user;
    if (ev->type == MTR_EV_USER) {
        user_events++;
    }
}

/* Interrupt handlers: keep them short, post and return. */
static void systick_isr(void)
{
    ticks = ticks + 1;
    if (ticks % 100u == 0) {
        (void)mtr_post(&meter, MTR_EV_USER, 0, ticks);
    }
}

static void wait_for_interrupt(uint32_t sleep_ms)
{
    /* On an MCU: arm a wake-up for sleep_ms, then __WFI(). Here the tick
     * interrupt "fires" once per call. */
    (void)sleep_ms;
    systick_isr();
}

int main(void)
{
    struct mtr_meter_config cfg = {.on_event = on_event};
    if (mtr_meter_init(&meter, &board_hal, &cfg) != MTR_OK) {
        return 1;
    }
    mtr_timer_init(&blink, on_blink, NULL);
    mtr_timer_start(&meter, &blink, 500, 500);
    while (ticks < 10000u) { /* a firmware loops forever; the example stops after 10 s */
        uint32_t sleep_ms;
        mtr_poll(&meter, &sleep_ms);
        wait_for_interrupt(sleep_ms);
    }
    mtr_poll(&meter, NULL);
    /* 10 s: 20 blinks at 500 ms, 100 tick events at 100 ms. */
    return (blinks == 20 && user_events == 100) ? 0 : 1;
}
