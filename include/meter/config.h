/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file config.h
 * @brief Build-time configuration of the core, with documented defaults.
 *
 * To change an option, write a header that defines it and build with
 * `-DMTR_CONFIG_FILE='"my_meter_config.h"'` (Meson: `-Dconfig_file=...`).
 * Options not defined there take the defaults below. check_config.h then
 * rejects contradictory or out-of-range values with `#error`. Every option is
 * described in docs/configuration.md. Sizes that bindings need at run time
 * have function twins (mtr_config_*()).
 */
#ifndef METER_CONFIG_H
#define METER_CONFIG_H

#ifdef MTR_CONFIG_FILE
#include MTR_CONFIG_FILE
#endif

/** 1: MTR_ASSERT checks its condition and calls the assert hook; 0: compiled out. */
#ifndef MTR_CFG_ASSERT
#define MTR_CFG_ASSERT 1
#endif

/** 1: the assert hook receives the file name (costs flash); 0: it receives NULL.
 *  Defaults to MTR_CFG_ASSERT. */
#ifndef MTR_CFG_ASSERT_FILE
#define MTR_CFG_ASSERT_FILE MTR_CFG_ASSERT
#endif

/** Slots in the ISR-to-main-loop event queue; a power of two, 2..256. */
#ifndef MTR_CFG_EVENT_QUEUE_LEN
#define MTR_CFG_EVENT_QUEUE_LEN 32
#endif

/** Most events mtr_poll() handles in one call (bounds its run time), 1..MTR_CFG_EVENT_QUEUE_LEN. */
#ifndef MTR_CFG_POLL_MAX_EVENTS
#define MTR_CFG_POLL_MAX_EVENTS MTR_CFG_EVENT_QUEUE_LEN
#endif

/** ADC frames taken per adc_read() call from mtr_poll(), 1..1024 (RAM: frames * 28 bytes of stack). */
#ifndef MTR_CFG_ADC_FRAMES
#define MTR_CFG_ADC_FRAMES 32
#endif

/** Phases metered: 1 (single-phase 2-wire) or 3 (3-phase 3- or 4-wire). */
#ifndef MTR_CFG_PHASES
#define MTR_CFG_PHASES 3
#endif

/** Tariff registers per quantity (T1..Tn), 1..16. The seed's meters use 4 or 8. */
#ifndef MTR_CFG_TARIFFS
#define MTR_CFG_TARIFFS 8
#endif

/** 1: compute harmonic magnitudes and THD; 0: leave them out (saves flash and CPU). */
#ifndef MTR_CFG_HARMONICS
#define MTR_CFG_HARMONICS 1
#endif

/** Highest harmonic order analysed when MTR_CFG_HARMONICS is 1: 2..21. */
#ifndef MTR_CFG_HARMONIC_MAX
#define MTR_CFG_HARMONIC_MAX 21
#endif

/* --- metrology options --- */
/* --- end metrology options --- */
/* --- calendar options --- */
/* --- end calendar options --- */
/* --- store options --- */
/* --- end store options --- */
/* --- dlms options --- */
/* --- end dlms options --- */
/* --- sts options --- */
/* --- end sts options --- */

#include "meter/check_config.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Run-time twin of MTR_CFG_EVENT_QUEUE_LEN. */
uint32_t mtr_config_event_queue_len(void);
/** @brief Run-time twin of MTR_CFG_TARIFFS. */
uint32_t mtr_config_tariffs(void);
/** @brief Run-time twin of MTR_CFG_PHASES. */
uint32_t mtr_config_phases(void);
/** @brief Run-time twin of MTR_CFG_POLL_MAX_EVENTS. */
uint32_t mtr_config_poll_max_events(void);
/** @brief Run-time twin of MTR_CFG_ADC_FRAMES. */
uint32_t mtr_config_adc_frames(void);
/** @brief Run-time twin of MTR_CFG_HARMONIC_MAX (0 when MTR_CFG_HARMONICS is 0). */
uint32_t mtr_config_harmonic_max(void);
#ifdef __cplusplus
}
#endif

#endif /* METER_CONFIG_H */
