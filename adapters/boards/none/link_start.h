/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The start of the images linked alone (link_start.c): vector table, reset
 * handler, a millisecond counter and the clock stubs of their HAL. Each image
 * provides main() and SysTick_Handler(), which counts link_ms.
 */
#ifndef BOARD_NONE_LINK_START_H
#define BOARD_NONE_LINK_START_H

#include <stddef.h>
#include <stdint.h>

#include "meter/meter.h"

/* Milliseconds since reset (the image's SysTick_Handler adds one a tick). */
extern volatile mtr_ms_t link_ms;

void SysTick_Handler(void);
int main(void);

/* mtr_clock_ops.ms_now: link_ms. */
mtr_err_t link_ms_now(void *ctx, mtr_ms_t *now);
/* mtr_clock_ops.rtc_get: no RTC, MTR_ERR_RTC_INVALID. */
mtr_err_t link_rtc_get(void *ctx, mtr_utc_t *utc);

/* MTR_OK when [addr, addr + len) lies in an NVM of size bytes, else MTR_ERR_RANGE. */
static inline mtr_err_t link_nvm_range(uint32_t addr, size_t len, uint32_t size)
{
    return addr > size || len > size - addr ? MTR_ERR_RANGE : MTR_OK;
}

#endif /* BOARD_NONE_LINK_START_H */
