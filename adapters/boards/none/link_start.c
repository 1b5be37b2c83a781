/* SPDX-License-Identifier: Apache-2.0 */
/* The start of the images linked alone: see link_start.h. */
#include <stddef.h>
#include <stdint.h>

#include "link_start.h"

extern uint32_t __data_load__[];
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_top__[];

void Reset_Handler(void);
void Default_Handler(void);

struct vector_table {
    uint32_t *initial_sp;
    void (*handler[15])(void);
};

__attribute__((section(".vectors"), used)) static const struct vector_table vectors = {
    .initial_sp = __stack_top__,
    .handler = {Reset_Handler, Default_Handler, Default_Handler, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, Default_Handler, NULL, NULL, Default_Handler,
                SysTick_Handler},
};

volatile mtr_ms_t link_ms;

void Reset_Handler(void)
{
    uint32_t *src = __data_load__;
    for (uint32_t *dst = __data_start__; dst < __data_end__;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = __bss_start__; dst < __bss_end__;) {
        *dst++ = 0;
    }
    (void)main();
    for (;;) {
    }
}

void Default_Handler(void)
{
    for (;;) {
    }
}

mtr_err_t link_ms_now(void *ctx, mtr_ms_t *now)
{
    (void)ctx;
    *now = link_ms;
    return MTR_OK;
}

mtr_err_t link_rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = 0;
    return MTR_ERR_RTC_INVALID;
}
