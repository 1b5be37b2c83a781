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
#if MTR_CFG_METROLOGY_HARM_CAPTURE < 32 || MTR_CFG_METROLOGY_HARM_CAPTURE > 4096
#error "MTR_CFG_METROLOGY_HARM_CAPTURE must be 32..4096"
#endif
/* --- end metrology checks --- */
/* --- calendar checks --- */
#if MTR_CFG_CALENDAR_SEASONS < 1 || MTR_CFG_CALENDAR_SEASONS > 64
#error "MTR_CFG_CALENDAR_SEASONS must be 1..64"
#endif
#if MTR_CFG_CALENDAR_WEEKS < 1 || MTR_CFG_CALENDAR_WEEKS > 64
#error "MTR_CFG_CALENDAR_WEEKS must be 1..64"
#endif
#if MTR_CFG_CALENDAR_DAYS < 1 || MTR_CFG_CALENDAR_DAYS > 255
#error "MTR_CFG_CALENDAR_DAYS must be 1..255"
#endif
#if MTR_CFG_CALENDAR_SWITCHES < 1 || MTR_CFG_CALENDAR_SWITCHES > 255
#error "MTR_CFG_CALENDAR_SWITCHES must be 1..255"
#endif
#if MTR_CFG_CALENDAR_SPECIAL_DAYS < 1 || MTR_CFG_CALENDAR_SPECIAL_DAYS > 1024
#error "MTR_CFG_CALENDAR_SPECIAL_DAYS must be 1..1024"
#endif
#if MTR_CFG_CALENDAR_DEMAND_WINDOW < 1 || MTR_CFG_CALENDAR_DEMAND_WINDOW > 60
#error "MTR_CFG_CALENDAR_DEMAND_WINDOW must be 1..60"
#endif
#if MTR_CFG_CALENDAR_DEMAND_QUANTITIES < 1 || MTR_CFG_CALENDAR_DEMAND_QUANTITIES > 10
#error "MTR_CFG_CALENDAR_DEMAND_QUANTITIES must be 1..10"
#endif
#if MTR_CFG_CALENDAR_NAME_LEN < 1 || MTR_CFG_CALENDAR_NAME_LEN > 64
#error "MTR_CFG_CALENDAR_NAME_LEN must be 1..64"
#endif
/* --- end calendar checks --- */
/* --- store checks --- */
#if MTR_CFG_STORE_ENERGY_COMMIT_S < 60 || MTR_CFG_STORE_ENERGY_COMMIT_S > 86400
#error "MTR_CFG_STORE_ENERGY_COMMIT_S must be 60..86400"
#endif

#if MTR_CFG_STORE_RETRIES < 0 || MTR_CFG_STORE_RETRIES > 8
#error "MTR_CFG_STORE_RETRIES must be 0..8"
#endif
/* --- end store checks --- */
/* --- dlms checks --- */
#if MTR_CFG_DLMS_MAX_DEPTH < 1 || MTR_CFG_DLMS_MAX_DEPTH > 32
#error "MTR_CFG_DLMS_MAX_DEPTH must be 1..32"
#endif
#if MTR_CFG_DLMS_MAX_ELEMENTS < 1 || MTR_CFG_DLMS_MAX_ELEMENTS > 65535
#error "MTR_CFG_DLMS_MAX_ELEMENTS must be 1..65535"
#endif
#if MTR_CFG_DLMS_MAX_APDU < 64 || MTR_CFG_DLMS_MAX_APDU > 65535
#error "MTR_CFG_DLMS_MAX_APDU must be 64..65535"
#endif
#if MTR_CFG_DLMS_HDLC_MAX_INFO < 32 || MTR_CFG_DLMS_HDLC_MAX_INFO > 2030
#error "MTR_CFG_DLMS_HDLC_MAX_INFO must be 32..2030"
#endif
#if MTR_CFG_DLMS_HDLC_WINDOW < 1 || MTR_CFG_DLMS_HDLC_WINDOW > 7
#error "MTR_CFG_DLMS_HDLC_WINDOW must be 1..7"
#endif
#if MTR_CFG_DLMS_ASSOC_MAX < 1 || MTR_CFG_DLMS_ASSOC_MAX > 32
#error "MTR_CFG_DLMS_ASSOC_MAX must be 1..32"
#endif
#if MTR_CFG_DLMS_PROFILES < 1 || MTR_CFG_DLMS_PROFILES > 16
#error "MTR_CFG_DLMS_PROFILES must be 1..16"
#endif
#if MTR_CFG_DLMS_LIST_MAX < 1 || MTR_CFG_DLMS_LIST_MAX > 32
#error "MTR_CFG_DLMS_LIST_MAX must be 1..32"
#endif
#if MTR_CFG_DLMS_SEL_MAX < 8 || MTR_CFG_DLMS_SEL_MAX > 255
#error "MTR_CFG_DLMS_SEL_MAX must be 8..255"
#endif
#if MTR_CFG_DLMS_CHALLENGE < 8 || MTR_CFG_DLMS_CHALLENGE > 64
#error "MTR_CFG_DLMS_CHALLENGE must be 8..64"
#endif
#if MTR_CFG_DLMS_IC_GAP < 16 || MTR_CFG_DLMS_IC_GAP > 16777216
#error "MTR_CFG_DLMS_IC_GAP must be 16..2^24"
#endif
/* --- end dlms checks --- */
/* --- disconnect checks --- */
#if MTR_CFG_DISCONNECT_CHANNELS < 1 || MTR_CFG_DISCONNECT_CHANNELS > 8
#error "MTR_CFG_DISCONNECT_CHANNELS must be 1..8"
#endif
#if MTR_CFG_DISCONNECT_GROUPS < 1 || MTR_CFG_DISCONNECT_GROUPS > 16
#error "MTR_CFG_DISCONNECT_GROUPS must be 1..16"
#endif
/* --- end disconnect checks --- */
/* --- prepaid checks --- */
#if defined(MTR_CFG_PREPAID_BLOCKS) && (MTR_CFG_PREPAID_BLOCKS < 1 || MTR_CFG_PREPAID_BLOCKS > 16)
#error "MTR_CFG_PREPAID_BLOCKS must be 1..16"
#endif
#if defined(MTR_CFG_PREPAID_CHARGES) && (MTR_CFG_PREPAID_CHARGES < 1 || MTR_CFG_PREPAID_CHARGES > 16)
#error "MTR_CFG_PREPAID_CHARGES must be 1..16"
#endif
#if defined(MTR_CFG_PREPAID_CURRENCY_NAME) && (MTR_CFG_PREPAID_CURRENCY_NAME < 3 || MTR_CFG_PREPAID_CURRENCY_NAME > 32)
#error "MTR_CFG_PREPAID_CURRENCY_NAME must be 3..32"
#endif
/* --- end prepaid checks --- */
/* --- profile checks --- */
#if defined(MTR_CFG_PROFILE_COLUMNS) && (MTR_CFG_PROFILE_COLUMNS < 1 || MTR_CFG_PROFILE_COLUMNS > 128)
#error "MTR_CFG_PROFILE_COLUMNS must be 1..128"
#endif
#if MTR_CFG_PROFILE_BILLING1_ENTRIES < 1 || MTR_CFG_PROFILE_LP1_ENTRIES < 1 ||                  \
    MTR_CFG_PROFILE_LP2_ENTRIES < 1 || MTR_CFG_PROFILE_LP3_ENTRIES < 1 ||                       \
    MTR_CFG_PROFILE_LP4_ENTRIES < 1 || MTR_CFG_PROFILE_LP5_ENTRIES < 1
#error "MTR_CFG_PROFILE_<profile>_ENTRIES must be at least 1"
#endif
/* --- end profile checks --- */
/* --- events checks --- */
/* --- end events checks --- */
/* --- quality checks --- */
/* --- end quality checks --- */
/* --- display checks --- */
#if MTR_CFG_DISPLAY_ITEMS < 1 || MTR_CFG_DISPLAY_ITEMS > 255
#error "MTR_CFG_DISPLAY_ITEMS must be 1..255"
#endif
/* --- end display checks --- */
/* --- cosem checks --- */
/* The object table gives rights to every role of enum mtr_cosem_role (meter/cosem.h). */
#if defined(MTR_WITH_COSEM) && MTR_WITH_COSEM && MTR_CFG_DLMS_PROFILES < 6
#error "the COSEM object table needs MTR_CFG_DLMS_PROFILES >= 6 (one profile per client role)"
#endif
/* --- end cosem checks --- */
/* --- sts checks --- */
#if defined(MTR_CFG_STS_TID_MEMORY) && (MTR_CFG_STS_TID_MEMORY < 1 || MTR_CFG_STS_TID_MEMORY > 1000)
#error "MTR_CFG_STS_TID_MEMORY must be 1..1000"
#endif
/* --- end sts checks --- */

#endif /* METER_CHECK_CONFIG_H */
