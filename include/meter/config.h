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

#if defined(MTR_CONFIG_FILE)
#include MTR_CONFIG_FILE
#elif defined(MTR_CONFIG_USER)
/* An installed libmeter built with a configuration header: pkg-config adds
 * -DMTR_CONFIG_USER so that programs see the header the library was built with. */
#include "meter/user_config.h"
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
/** Samples per channel of the one-cycle capture used for harmonic analysis
 *  when MTR_CFG_HARMONICS is 1, 32..4096 (RAM: 24 bytes each). The engine's
 *  rate_hz must satisfy rate_hz / 42 + 6 <= this value (one cycle at 42 Hz).
 *  Default 200: sample rates up to 8 kHz. */
#ifndef MTR_CFG_METROLOGY_HARM_CAPTURE
#define MTR_CFG_METROLOGY_HARM_CAPTURE 200
#endif
/* --- end metrology options --- */
/* --- calendar options --- */
/** Seasons per activity calendar, 1..64. Seed ST402: 8; 4S4 STS prepaid meters: 16. */
#ifndef MTR_CFG_CALENDAR_SEASONS
#define MTR_CFG_CALENDAR_SEASONS 8
#endif
/** Week profiles per activity calendar, 1..64. Seed ST402: 8. */
#ifndef MTR_CFG_CALENDAR_WEEKS
#define MTR_CFG_CALENDAR_WEEKS 8
#endif
/** Day profiles (day types) per activity calendar, 1..255. Seed ST402: 24. */
#ifndef MTR_CFG_CALENDAR_DAYS
#define MTR_CFG_CALENDAR_DAYS 24
#endif
/** Switching points per day profile, 1..255. Seed ST402: 48; 4S4 STS prepaid: 16. */
#ifndef MTR_CFG_CALENDAR_SWITCHES
#define MTR_CFG_CALENDAR_SWITCHES 48
#endif
/** Entries of the special days table, 1..1024. Seed ST402: 31 holidays; 4S4 STS prepaid: 60. */
#ifndef MTR_CFG_CALENDAR_SPECIAL_DAYS
#define MTR_CFG_CALENDAR_SPECIAL_DAYS 31
#endif
/** Most sub-periods of a sliding demand window, 1..60 (1: block demand only). */
#ifndef MTR_CFG_CALENDAR_DEMAND_WINDOW
#define MTR_CFG_CALENDAR_DEMAND_WINDOW 15
#endif
/** Quantities with maximum demand, 1..10, counted in enum mtr_quantity order
 *  (4: +A, -A, +R, -R). */
#ifndef MTR_CFG_CALENDAR_DEMAND_QUANTITIES
#define MTR_CFG_CALENDAR_DEMAND_QUANTITIES 4
#endif
/** Bytes of an activity calendar name (calendar_name, season_profile_name,
 *  week_profile_name: octet-strings, Blue Book class 20), 1..64. Default 16:
 *  enough for the names head-ends give ("TOU-2025-SUMMER"), 18 bytes per
 *  name in RAM (1 + 2 x seasons + weeks names per calendar). */
#ifndef MTR_CFG_CALENDAR_NAME_LEN
#define MTR_CFG_CALENDAR_NAME_LEN 16
#endif
/* --- end calendar options --- */
/* --- store options --- */
/** Seconds between commits of the energy registers to the store, 60..86400
 *  (default 900: one commit per 15-minute profile period). A power cut loses
 *  at most this interval, and only if the flush on MTR_EV_POWER_FAIL fails.
 *  See docs/persistence.md for the wear figures behind the default. */
#ifndef MTR_CFG_STORE_ENERGY_COMMIT_S
#define MTR_CFG_STORE_ENERGY_COMMIT_S 900
#endif

/** Further slots a commit or append tries when a written record does not read
 *  back (bad cell), 0..8 (default 2). */
#ifndef MTR_CFG_STORE_RETRIES
#define MTR_CFG_STORE_RETRIES 2
#endif
/* --- end store options --- */
/* --- dlms options --- */
/** DLMS: deepest A-XDR nesting of arrays/structures accepted (a top-level value is depth 0), 1..32. */
#ifndef MTR_CFG_DLMS_MAX_DEPTH
#define MTR_CFG_DLMS_MAX_DEPTH 8
#endif

/** DLMS: most elements in one A-XDR array, structure or compact-array description, 1..65535. */
#ifndef MTR_CFG_DLMS_MAX_ELEMENTS
#define MTR_CFG_DLMS_MAX_ELEMENTS 65535
#endif

/** DLMS: largest APDU (bytes) the transports accept, 64..65535 (bounds the wrapper length too). */
#ifndef MTR_CFG_DLMS_MAX_APDU
#define MTR_CFG_DLMS_MAX_APDU 2048
#endif

/** DLMS HDLC: largest information field (bytes) the server offers to receive and send, 32..2030. */
#ifndef MTR_CFG_DLMS_HDLC_MAX_INFO
#define MTR_CFG_DLMS_HDLC_MAX_INFO 128
#endif

/** DLMS HDLC: receive window size the server offers, 1..7. */
#ifndef MTR_CFG_DLMS_HDLC_WINDOW
#define MTR_CFG_DLMS_HDLC_WINDOW 1
#endif

/** DLMS HDLC: inactivity time-out (ms) after which a connected link falls back to NDM; 0 = never. */
#ifndef MTR_CFG_DLMS_HDLC_INACTIVITY_MS
#define MTR_CFG_DLMS_HDLC_INACTIVITY_MS 120000u
#endif

/** DLMS HDLC: inter-octet time-out (ms): a partial frame older than this is dropped; 0 = never. */
#ifndef MTR_CFG_DLMS_HDLC_INTER_OCTET_MS
#define MTR_CFG_DLMS_HDLC_INTER_OCTET_MS 200u
#endif
/** DLMS server: entries of the association table (client SAPs), 1..32 (RAM: 4 bytes each
 *  in struct mtr_dlms_security for the last accepted invocation counter). */
#ifndef MTR_CFG_DLMS_ASSOC_MAX
#define MTR_CFG_DLMS_ASSOC_MAX 8
#endif

/** DLMS server: access-rights profiles an object table may distinguish, 1..16. Default 6:
 *  the client roles of the seed's security.json (MTR_COSEM_ROLES in meter/cosem.h). */
#ifndef MTR_CFG_DLMS_PROFILES
#define MTR_CFG_DLMS_PROFILES 6
#endif

/** DLMS server: most attribute descriptors in one GET/SET/ACTION-with-list, 1..32 (RAM: 4 bytes each). */
#ifndef MTR_CFG_DLMS_LIST_MAX
#define MTR_CFG_DLMS_LIST_MAX 8
#endif

/** DLMS server: bytes of selective-access parameters kept during a long GET, 8..255
 *  (a profile range_descriptor with a date-time restriction and no column list is 50). */
#ifndef MTR_CFG_DLMS_SEL_MAX
#define MTR_CFG_DLMS_SEL_MAX 96
#endif

/** DLMS server: bytes of the HLS server challenge (StoC), 8..64. */
#ifndef MTR_CFG_DLMS_CHALLENGE
#define MTR_CFG_DLMS_CHALLENGE 16
#endif

/** DLMS server: invocation counter values reserved ahead of each saved security state,
 *  16..2^24: after a power cut the server resumes this far above the saved value. */
#ifndef MTR_CFG_DLMS_IC_GAP
#define MTR_CFG_DLMS_IC_GAP 1024u
#endif
/* --- end dlms options --- */
/* --- disconnect options --- */
/** Disconnect: disconnector channels (class 70 objects), 1..8; channel 0 is the
 *  main breaker, the others auxiliary relays (seed ST402: 0-1/0-2:96.3.10.255).
 *  RAM: 16 bytes each; saved state: 4 bytes each. */
#ifndef MTR_CFG_DISCONNECT_CHANNELS
#define MTR_CFG_DISCONNECT_CHANNELS 3
#endif
/** Disconnect: entries of the limiter's emergency profile group id list, 1..16
 *  (RAM and saved state: 2 bytes each). */
#ifndef MTR_CFG_DISCONNECT_GROUPS
#define MTR_CFG_DISCONNECT_GROUPS 4
#endif
/* --- end disconnect options --- */
/* --- prepaid options --- */
/** Prepaid: steps of the block (stepped) tariff of the consumption charge,
 *  1..16 (RAM and saved state: 24 bytes each). */
#ifndef MTR_CFG_PREPAID_BLOCKS
#define MTR_CFG_PREPAID_BLOCKS 4
#endif
/** Prepaid: time and payment charges besides the consumption charge, 1..16
 *  (standing charge, debt recovery by time, debt recovery by payment: 3).
 *  RAM and saved state: about 60 bytes each. */
#ifndef MTR_CFG_PREPAID_CHARGES
#define MTR_CFG_PREPAID_CHARGES 3
#endif
/** Prepaid: bytes of the currency name (class 111 attribute 15, utf8-string),
 *  3..32; 8 holds an ISO 4217 code or a short symbol. RAM and saved state:
 *  this many bytes plus one. */
#ifndef MTR_CFG_PREPAID_CURRENCY_NAME
#define MTR_CFG_PREPAID_CURRENCY_NAME 8
#endif
/* --- end prepaid options --- */
/* --- profile options --- */
/** Profile: most columns (capture objects) of one profile, 1..128; sizes
 *  struct mtr_profile_entry (8 bytes per column) and the record buffer of
 *  struct mtr_profile (8 bytes per column). Default 40: billing profile 1 has
 *  40 channels (seed profiles.json). Twin: mtr_profile_config_columns(). */
#ifndef MTR_CFG_PROFILE_COLUMNS
#define MTR_CFG_PROFILE_COLUMNS 40
#endif
/** Entries of billing profile 1 (0-0:98.1.0.255), mtr_profile_seed(). Seed: 310 billing periods. */
#ifndef MTR_CFG_PROFILE_BILLING1_ENTRIES
#define MTR_CFG_PROFILE_BILLING1_ENTRIES 310
#endif
/** Entries of load profile 1 (0-0:99.1.0.255). Seed: 60 days of 15 minutes = 5760. */
#ifndef MTR_CFG_PROFILE_LP1_ENTRIES
#define MTR_CFG_PROFILE_LP1_ENTRIES 5760
#endif
/** Entries of load profile 2 (0-0:99.2.0.255). Seed: 3484 at 1 hour. */
#ifndef MTR_CFG_PROFILE_LP2_ENTRIES
#define MTR_CFG_PROFILE_LP2_ENTRIES 3484
#endif
/** Entries of load profile 3 (1-0:99.3.0.255). Seed: 5762 (daily). */
#ifndef MTR_CFG_PROFILE_LP3_ENTRIES
#define MTR_CFG_PROFILE_LP3_ENTRIES 5762
#endif
/** Entries of load profile 4 (1-0:99.129.0.255). Seed: 1080 = 7.5 days at 10 minutes. */
#ifndef MTR_CFG_PROFILE_LP4_ENTRIES
#define MTR_CFG_PROFILE_LP4_ENTRIES 1080
#endif
/** Entries of load profile 5 / billing profile 2 (1-0:99.130.0.255). Seed: 850. */
#ifndef MTR_CFG_PROFILE_LP5_ENTRIES
#define MTR_CFG_PROFILE_LP5_ENTRIES 850
#endif
/* --- end profile options --- */
/* --- events options --- */
/* The events engine has no build-time option: its partitions, the log
 * capacities (seed: 500 entries each) and the long power failure threshold
 * are run-time settings of struct mtr_events_config (docs/events.md). */
/* --- end events options --- */
/* --- quality options --- */
/* --- end quality options --- */
/* --- display options --- */
/** Display: most entries of each readout sequence (general/auto-scroll list
 *  0-0:21.0.1.255 and alternate/manual list 0-0:21.0.2.255), 1..255; RAM 12
 *  bytes and saved settings 11 bytes per entry and list. Default 64: "64
 *  values per sequence" (seed tou-limits.json display). Twin:
 *  mtr_display_config_items(). */
#ifndef MTR_CFG_DISPLAY_ITEMS
#define MTR_CFG_DISPLAY_ITEMS 64
#endif
/* --- end display options --- */
/* --- cosem options --- */
/* --- end cosem options --- */
/* --- sts options --- */
/** STS decoder: TIDs remembered against replay, 1..1000 (RAM: 4 bytes each,
 *  saved state: 3 bytes each). A token whose TID is older than the oldest
 *  remembered one is refused once the memory is full. */
#ifndef MTR_CFG_STS_TID_MEMORY
#define MTR_CFG_STS_TID_MEMORY 50
#endif
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
