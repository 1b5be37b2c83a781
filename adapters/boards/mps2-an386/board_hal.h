/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file board_hal.h
 * @brief The libmeter HAL of the Arm MPS2 board with the AN386 image
 *        (Cortex-M4F, 25 MHz), as modelled by QEMU's `mps2-an386` machine.
 *
 * - clock: a millisecond counter driven by SysTick at 1 kHz from the 25 MHz
 *   system clock; an RTC kept in software from the same tick (UTC seconds),
 *   invalid from power-on until rtc_set().
 * - nvm: a NOR flash emulated in RAM: BOARD_NVM_SIZE bytes in sectors of
 *   BOARD_NVM_SECTOR_SIZE, programmed in units of BOARD_NVM_WRITE_UNIT,
 *   erased to 0xFF, a write can only clear bits. Power cuts can be injected
 *   (board_nvm_cut_after()). Its contents do not survive a reset.
 * - io: BOARD_RELAYS relays and BOARD_OUTPUTS pulse outputs recorded in RAM,
 *   inputs from board_set_inputs(); no ADC (metrology is off).
 * - sys: critical section by PRIMASK, a watchdog that counts kicks, reset
 *   by SYSRESETREQ; no entropy source.
 * - crypto: none.
 *
 * Call board_init() first, before the HAL is used and before mtr_meter_init().
 */
#ifndef MPS2_BOARD_HAL_H
#define MPS2_BOARD_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include "meter/hal.h"
#include "meter/units.h"

/** System clock of the AN386 image, Hz (SysTick counts it). */
#define BOARD_SYSCLK_HZ 25000000u
/** Emulated NVM: size, erase sector and program unit, bytes. An image may
 *  define a larger size on its compiler command line (a multiple of the
 *  sector; the cosem image takes 256 KiB for its partitions). */
#ifndef BOARD_NVM_SIZE
#define BOARD_NVM_SIZE (64u * 1024u)
#endif
#define BOARD_NVM_SECTOR_SIZE 4096u
#define BOARD_NVM_WRITE_UNIT 4u
/** Relays (0 = main breaker) and pulse outputs (0 = active LED, 1 = reactive LED, 2.. pulse).
 *  An image may define more relays on its compiler command line (the cosem
 *  image takes one per disconnector channel, MTR_CFG_DISCONNECT_CHANNELS). */
#ifndef BOARD_RELAYS
#define BOARD_RELAYS 2u
#endif
#define BOARD_OUTPUTS 4u
/** Latest time the software RTC holds: 9999-12-31T23:59:59Z. */
#define BOARD_RTC_MAX 253402300799LL

/** The board's HAL, to give to mtr_meter_init(). */
extern const struct mtr_hal board_hal;

/** @brief Start SysTick, erase the NVM, mark the RTC invalid, read the reset cause. */
void board_init(void);

/** Function called from the SysTick interrupt after each millisecond tick. */
typedef void (*board_tick_fn)(mtr_ms_t now, void *user);

/**
 * @brief Install the tick hook (NULL removes it). It runs in interrupt
 *        context: it may only post events (mtr_post_*) and touch volatile data.
 */
void board_set_tick_hook(board_tick_fn fn, void *user);

/** @brief The SysTick interrupt's work; called by the vector table's handler. */
void board_systick_isr(void);

/** @brief The millisecond counter. */
mtr_ms_t board_ms(void);

/** @brief Set the millisecond counter (to test the 2^32 wrap). The RTC is not affected. */
void board_set_ms(mtr_ms_t ms);

/** @brief Sleep until at least @p ms milliseconds have passed. */
void board_wait_ms(uint32_t ms);

/** @brief Sleep until the next interrupt (WFI). */
void board_idle(void);

/**
 * @brief Make the NVM lose power after @p bytes more bytes are programmed or
 *        erased: the write or erase in progress leaves its first bytes done
 *        and the rest as they were, and returns MTR_ERR_POWER; every later
 *        NVM access returns MTR_ERR_POWER until board_nvm_restore().
 */
void board_nvm_cut_after(uint32_t bytes);

/** @brief Power the NVM again (what a reboot would see); cancels a pending cut. */
void board_nvm_restore(void);

/** @brief Set the state of the inputs (::mtr_input bits) that io.inputs() reports. */
void board_set_inputs(uint32_t bits);

/** @brief Last commanded state of relay @p relay (false for one that does not exist). */
bool board_relay_closed(uint8_t relay);

/** @brief Pulses emitted on output @p out since board_init() (0 for one that does not exist). */
uint32_t board_pulses(uint8_t out);

/** @brief Watchdog kicks since board_init(). */
uint32_t board_watchdog_kicks(void);

/**
 * @brief Fill the unused part of the stack (below the caller's frame) with a
 *        pattern, for board_stack_used(). Call it early in main().
 */
void board_stack_paint(void);

/** @brief Bytes of the stack written since board_stack_paint() (high-water mark). */
uint32_t board_stack_used(void);

/** @brief Size of the stack, bytes (8 KiB unless the image sets __stack_size__). */
uint32_t board_stack_size(void);

#endif /* MPS2_BOARD_HAL_H */
