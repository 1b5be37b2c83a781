/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A HAL to copy when porting libmeter to a board. Every op is here with what
 * the core expects of it (the full contract is in include/meter/hal.h; the
 * tests that check it are in tests/contract/). Replace each TODO with the
 * board's drivers, then run the contract tests on the board (see how
 * adapters/boards/mps2-an386/smoke.c does it) until they all pass.
 *
 * This file compiles as it is (and is compiled in CI) so that it never
 * drifts from hal.h; its ops report MTR_ERR_NOTSUP or do nothing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "meter/hal.h"

/* Everything the ops need lives in one struct that the core hands back as ctx. */
struct board {
    volatile mtr_ms_t ms;   /* incremented by a 1 kHz timer interrupt */
    uint32_t nvm_base;      /* where the meter's NVM region starts in the flash */
};

/* ------------------------------------------------------------------ clock */

/* Required, ISR-safe. A 32-bit read is atomic on every Cortex-M: no lock. */
static mtr_err_t board_ms_now(void *ctx, mtr_ms_t *ms)
{
    struct board *b = ctx;
    *ms = b->ms;
    return MTR_OK;
}

/* Required. Return MTR_ERR_RTC_INVALID when the RTC's backup domain was lost
 * (battery flat, first power-up): the core then flags what it records. */
static mtr_err_t board_rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = 0; /* TODO: read the RTC and convert its calendar to UTC seconds */
    return MTR_ERR_RTC_INVALID;
}

/* Optional. Store UTC seconds; clear the RTC-invalid condition. */
static mtr_err_t board_rtc_set(void *ctx, mtr_utc_t utc)
{
    (void)ctx;
    (void)utc; /* TODO */
    return MTR_ERR_NOTSUP;
}

/* -------------------------------------------------------------------- nvm */

#define BOARD_NVM_SIZE (64u * 1024u)
#define BOARD_SECTOR (2048u)
#define BOARD_WRITE_UNIT (8u) /* e.g. STM32L4: 64-bit double words */

static mtr_err_t board_nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    (void)ctx;
    info->size = BOARD_NVM_SIZE;
    info->sector_size = BOARD_SECTOR;
    info->write_unit = BOARD_WRITE_UNIT;
    info->erased = 0xFF;
    info->needs_erase = true;
    return MTR_OK;
}

/* Every op checks the range itself, also against overflow of addr + len. */
static bool in_range(uint32_t addr, size_t len)
{
    return addr <= BOARD_NVM_SIZE && len <= BOARD_NVM_SIZE - addr;
}

static mtr_err_t board_nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    if (!in_range(addr, len)) {
        return MTR_ERR_RANGE;
    }
    /* TODO: memcpy from the memory-mapped flash, or an SPI read. Any alignment. */
    return len == 0 ? MTR_OK : MTR_ERR_NOTSUP;
}

/* Synchronous: return only when the bytes are programmed. On a power-fail
 * interrupt during the write, return MTR_ERR_POWER. */
static mtr_err_t board_nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    if (!in_range(addr, len)) {
        return MTR_ERR_RANGE;
    }
    if (len == 0) {
        return MTR_OK; /* valid anywhere in range, whatever the alignment */
    }
    if (addr % BOARD_WRITE_UNIT != 0 || len % BOARD_WRITE_UNIT != 0) {
        return MTR_ERR_ALIGN;
    }
    /* TODO: unlock, program unit by unit, wait, check the status, lock. */
    return len == 0 ? MTR_OK : MTR_ERR_NOTSUP;
}

static mtr_err_t board_nvm_erase(void *ctx, uint32_t addr, size_t len)
{
    (void)ctx;
    if (!in_range(addr, len)) {
        return MTR_ERR_RANGE;
    }
    if (len == 0) {
        return MTR_OK;
    }
    if (addr % BOARD_SECTOR != 0 || len % BOARD_SECTOR != 0) {
        return MTR_ERR_ALIGN;
    }
    /* TODO: erase page by page; kick the watchdog between pages. */
    return len == 0 ? MTR_OK : MTR_ERR_NOTSUP;
}

/* --------------------------------------------------------------------- io */

/* Optional. Drive a latching relay: pulse the set or reset coil. */
static mtr_err_t board_relay_set(void *ctx, uint8_t relay, bool closed)
{
    (void)ctx;
    (void)closed;
    return relay == 0 ? MTR_ERR_NOTSUP : MTR_ERR_RANGE; /* TODO */
}

/* Optional, ISR-safe: start a one-shot timer that ends the pulse. */
static mtr_err_t board_pulse(void *ctx, uint8_t out, uint16_t width_ms)
{
    (void)ctx;
    (void)out;
    (void)width_ms;
    return MTR_ERR_NOTSUP; /* TODO */
}

/* Optional, ISR-safe: debounced levels of buttons, covers, tariff inputs. */
static mtr_err_t board_inputs(void *ctx, uint32_t *bits)
{
    (void)ctx;
    *bits = 0; /* TODO: read GPIOs, map to MTR_IN_* */
    return MTR_OK;
}

/* --------------------------------------------------------------------- sys */

/* Optional, ISR-safe, nestable: save PRIMASK and disable interrupts. On a
 * Cortex-M: *state = __get_PRIMASK(); __disable_irq(); */
static mtr_err_t board_critical_enter(void *ctx, uint32_t *state)
{
    (void)ctx;
    *state = 0; /* TODO */
    return MTR_OK;
}

static mtr_err_t board_critical_exit(void *ctx, uint32_t state)
{
    (void)ctx;
    (void)state; /* TODO: __set_PRIMASK(state); */
    return MTR_OK;
}

static mtr_err_t board_watchdog_kick(void *ctx)
{
    (void)ctx; /* TODO: reload the independent watchdog */
    return MTR_OK;
}

/* ------------------------------------------------------------- op tables */

static const struct mtr_clock_ops board_clock = {
    .ms_now = board_ms_now, .rtc_get = board_rtc_get, .rtc_set = board_rtc_set,
};
static const struct mtr_nvm_ops board_nvm = {
    .info = board_nvm_info, .read = board_nvm_read, .write = board_nvm_write,
    .erase = board_nvm_erase,
};
static const struct mtr_io_ops board_io = {
    .relay_set = board_relay_set, .pulse = board_pulse, .inputs = board_inputs,
    /* .relay_feedback, .adc_info, .adc_read: add when the board has them */
};
static const struct mtr_sys_ops board_sys = {
    .critical_enter = board_critical_enter, .critical_exit = board_critical_exit,
    .watchdog_kick = board_watchdog_kick,
    /* .entropy: a TRNG is needed for HLS authentication */
};

static struct board the_board;

/** @brief The HAL to pass to mtr_meter_init(). */
void template_hal(struct mtr_hal *hal);

void template_hal(struct mtr_hal *hal)
{
    memset(hal, 0, sizeof *hal);
    hal->ctx = &the_board;
    hal->clock = &board_clock;
    hal->nvm = &board_nvm;
    hal->io = &board_io;
    hal->sys = &board_sys;
    hal->crypto = NULL; /* or hardware AES/SHA ops */
}

/* The 1 kHz tick interrupt. */
void template_systick_isr(void);

void template_systick_isr(void)
{
    the_board.ms = the_board.ms + 1u;
}
