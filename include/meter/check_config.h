/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file check_config.h
 * @brief Rejects contradictory or out-of-range configuration at compile time.
 *        Included by config.h after the defaults; do not include it alone.
 */
#ifndef METER_CHECK_CONFIG_H
#define METER_CHECK_CONFIG_H

#if MTR_CFG_ASSERT != 0 && MTR_CFG_ASSERT != 1
#error "MTR_CFG_ASSERT must be 0 or 1"
#endif

#if MTR_CFG_ASSERT_FILE != 0 && MTR_CFG_ASSERT_FILE != 1
#error "MTR_CFG_ASSERT_FILE must be 0 or 1"
#endif

#if MTR_CFG_ASSERT_FILE && !MTR_CFG_ASSERT
#error "MTR_CFG_ASSERT_FILE needs MTR_CFG_ASSERT=1"
#endif

#if MTR_CFG_EVENT_QUEUE_LEN < 2 || MTR_CFG_EVENT_QUEUE_LEN > 256
#error "MTR_CFG_EVENT_QUEUE_LEN must be 2..256"
#endif

#if (MTR_CFG_EVENT_QUEUE_LEN & (MTR_CFG_EVENT_QUEUE_LEN - 1)) != 0
#error "MTR_CFG_EVENT_QUEUE_LEN must be a power of two"
#endif

#if MTR_CFG_POLL_MAX_EVENTS < 1 || MTR_CFG_POLL_MAX_EVENTS > MTR_CFG_EVENT_QUEUE_LEN
#error "MTR_CFG_POLL_MAX_EVENTS must be 1..MTR_CFG_EVENT_QUEUE_LEN"
#endif

#if MTR_CFG_ADC_FRAMES < 1 || MTR_CFG_ADC_FRAMES > 1024
#error "MTR_CFG_ADC_FRAMES must be 1..1024"
#endif

#if MTR_CFG_PHASES != 1 && MTR_CFG_PHASES != 3
#error "MTR_CFG_PHASES must be 1 or 3"
#endif

#if MTR_CFG_TARIFFS < 1 || MTR_CFG_TARIFFS > 16
#error "MTR_CFG_TARIFFS must be 1..16"
#endif

#if MTR_CFG_HARMONICS != 0 && MTR_CFG_HARMONICS != 1
#error "MTR_CFG_HARMONICS must be 0 or 1"
#endif

#if MTR_CFG_HARMONICS && (MTR_CFG_HARMONIC_MAX < 2 || MTR_CFG_HARMONIC_MAX > 21)
#error "MTR_CFG_HARMONIC_MAX must be 2..21 when MTR_CFG_HARMONICS is 1"
#endif

/* --- metrology checks --- */
/* --- end metrology checks --- */
/* --- calendar checks --- */
/* --- end calendar checks --- */
/* --- store checks --- */
/* --- end store checks --- */
/* --- dlms checks --- */
/* --- end dlms checks --- */
/* --- sts checks --- */
/* --- end sts checks --- */

#endif /* METER_CHECK_CONFIG_H */
