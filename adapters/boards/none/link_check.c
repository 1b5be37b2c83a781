/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core linked alone: a vector table, a reset handler, a HAL of stubs
 * (a millisecond counter, one sector of RAM as NVM) and a main loop that
 * uses the public API. It is not meant to run on a particular part; it shows
 * that the core links for the CPU of the cross file and what it costs.
 */
#include <stdint.h>
#include <string.h>

#include "meter/crc.h"
#include "meter/meter.h"
#include "link_start.h"

#define NVM_SIZE 256u

static uint8_t nvm[NVM_SIZE];
static struct mtr_meter meter;

void SysTick_Handler(void)
{
    link_ms++;
    (void)mtr_post(&meter, MTR_EV_USER, 0, link_ms);
}

static mtr_err_t nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    (void)ctx;
    info->size = NVM_SIZE;
    info->sector_size = NVM_SIZE;
    info->write_unit = 1;
    info->erased = 0;
    info->needs_erase = false;
    return MTR_OK;
}

static mtr_err_t nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    mtr_err_t rc = link_nvm_range(addr, len, NVM_SIZE);
    if (rc == MTR_OK && len != 0) {
        memcpy(buf, &nvm[addr], len);
    }
    return rc;
}

static mtr_err_t nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    mtr_err_t rc = link_nvm_range(addr, len, NVM_SIZE);
    if (rc == MTR_OK && len != 0) {
        memcpy(&nvm[addr], buf, len);
    }
    return rc;
}

static const struct mtr_clock_ops clock_ops = {.ms_now = link_ms_now, .rtc_get = link_rtc_get};
static const struct mtr_nvm_ops nvm_ops = {.info = nvm_info, .read = nvm_read, .write = nvm_write};
static const struct mtr_hal hal = {.clock = &clock_ops, .nvm = &nvm_ops};

static void on_timer(struct mtr_timer *t, void *arg)
{
    (void)t;
    uint32_t *crc = arg;
    *crc = mtr_crc32_update(*crc, nvm, sizeof nvm) ^ mtr_crc16_x25(nvm, sizeof nvm);
}

int main(void)
{
    static struct mtr_timer timer;
    static uint32_t crc;
    if (mtr_meter_init(&meter, &hal, NULL) != MTR_OK) {
        (void)mtr_strerror(MTR_ERR_CONFIG);
        return 1;
    }
    mtr_timer_init(&timer, on_timer, &crc);
    (void)mtr_timer_start(&meter, &timer, 10, 10 * mtr_config_event_queue_len());
    for (;;) {
        uint32_t sleep_ms;
        (void)mtr_poll(&meter, &sleep_ms);
        if (sleep_ms != 0) {
            __asm__ volatile("wfi");
        }
    }
}
