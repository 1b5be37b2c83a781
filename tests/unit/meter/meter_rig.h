/* SPDX-License-Identifier: Apache-2.0 */
/* A complete meter on the sim HAL, for the tests of the wiring. */
#ifndef TEST_METER_RIG_H
#define TEST_METER_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "meter/clock.h"
#include "meter/disconnect.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/store.h"
#include "meter/tariff.h"
#if MTR_WITH_PROFILE && MTR_WITH_EVENTS && MTR_WITH_QUALITY
#include "meter/events.h"
#include "meter/profile.h"
#include "meter/quality.h"
#define RIG_RECORDS 1
#if MTR_WITH_DISPLAY
#include "meter/display.h"
#define RIG_DISPLAY 1
#endif
#else
#define RIG_RECORDS 0
#endif
#ifndef RIG_DISPLAY
#define RIG_DISPLAY 0
#endif
#include "sim.h"

/* Partitions of the rig's NVM (256 KiB, 4 KiB sectors). With records:
 * the events state, the quality blob, LP1 (15 min), the billing profile and
 * the event logs too. */
enum {
    PART_ENERGY = 1,
    PART_CAL = 2,
    PART_DC = 3,
    PART_CALENDAR = 4,
    PART_EVENTS = 5,
    PART_QUALITY = 6,
    PART_LP1 = 7,
    PART_BILLING = 8,
    PART_DISPLAY = 9, /* with the display engine */
    PART_LOG0 = 10, /* + ::mtr_events_log */
};
#define RIG_PARTS 20
/* Profiles of the records rig: LP1 and the billing profile. */
#define RIG_LP1 0
#define RIG_BILLING 1
#define RIG_LP1_VALUES 5
#define RIG_BILLING_VALUES 7

/* Record size and RAM of the calendar partition (a slot fits a 4 KiB sector). */
#define RIG_CALENDAR_RECORD 2048u

#define RIG_LOG_MAX 256
#define RIG_BILL_MAX 64

struct rig_bill {
    uint32_t period;
    int64_t boundary;
};

/* Engine contexts: re-zeroed at every (re)boot, like RAM. */
struct rig_engines {
    struct mtr_metrology metro;
    struct mtr_clock clk;
    struct mtr_calendar cal;
    struct mtr_tariff trf;
    struct mtr_store store;
    struct mtr_store_part parts[RIG_PARTS];
    struct mtr_disconnect dc;
    struct mtr_dc_config dc_cfg;
#if RIG_RECORDS
    struct mtr_profile prof[2];
    struct mtr_profile logs[MTR_EVLOG_COUNT];
    struct mtr_events ev;
    struct mtr_quality q;
    struct mtr_quality_config q_cfg;
    uint8_t q_buf[MTR_QUALITY_BLOB_SIZE];
#endif
#if RIG_DISPLAY
    struct mtr_display disp;
    struct mtr_display_config disp_cfg;
    uint8_t disp_buf[MTR_DISPLAY_BLOB_SIZE];
#endif
    struct mtr_meter meter;
};

struct rig {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct rig_engines e;
    struct mtr_store_part_cfg table[RIG_PARTS];
    uint16_t nparts;
    /* profiles, events and quality wired (RIG_RECORDS builds) */
    bool records;
#if RIG_RECORDS
    struct mtr_profile_config prof_cfg[2];
    const struct mtr_profile_config *prof_cfgs[2];
    struct mtr_profile *profs[2];
    struct mtr_profile_config log_cfg[MTR_EVLOG_COUNT];
    struct mtr_events_config ev_cfg;
#endif
    uint32_t alarms[3]; /* push hook: bits received per register */
    /* the application's display values (::mtr_meter_engines.display_value) */
    mtr_err_t (*display_value)(void *user, const struct mtr_display_item *item,
                               struct mtr_display_value *out);
    uint32_t npush;
    struct mtr_tariff_config tariff_cfg;
    struct mtr_clock_config clock_cfg;
    struct mtr_meter_engines engines;
    struct mtr_meter_config mc;
    mtr_mw_t limit_mw;
    bool fast_adc;
    struct mtr_metrology_config metro_cfg;
    uint8_t dc_mode;
    /* the calendar partition is wired; the TOU calendar is programmed at
     * boot only when none was restored */
    bool persist_calendar;
    uint8_t calendar_buf[RIG_CALENDAR_RECORD];
    /* what the application saw */
    struct mtr_log_record log[RIG_LOG_MAX];
    uint32_t nlog;
    struct rig_bill bills[RIG_BILL_MAX];
    uint32_t nbills;
};

/* Board with the default synthetic load (230 V, 5 A, PF 0.9 lagging). */
void rig_board(struct rig *r, mtr_utc_t utc, uint32_t adc_buffer);
/* The same with the records: profiles, events and quality partitions. */
void rig_board_records(struct rig *r, mtr_utc_t utc, uint32_t adc_buffer);
/* A cheap ADC for long runs: 1000 frames per second (1 s metrology
 * periods; call after rig_board*(), before rig_boot()). */
void rig_fast_adc(struct rig *r);
/* (Re)boot: fresh engine RAM, mtr_meter_init() on the same board and NVM,
 * then the TOU calendar (00:00 T1, 06:00 T2, 18:00 T3 every day), unless
 * persist_calendar is set and a calendar was restored. */
mtr_err_t rig_boot(struct rig *r);
/* Run @p ms of simulated time in steps of @p step_ms, posting ADC ready and
 * polling each step; stops early when the NVM loses power. */
void rig_run(struct rig *r, uint64_t ms, uint32_t step_ms);
void rig_free(struct rig *r);
/* Environment variable naming the diagnostics file (meter_main.c). */
#define RIG_DIAG_ENV "METER_TEST_DIAG"
/* One TAP diagnostic line ("# " is added), printed after the TAP lines. */
void rig_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Count of log records with @p code. */
uint32_t rig_count(const struct rig *r, uint16_t code);
/* Tariff total of quantity q, and sum of its tariff registers. */
int64_t rig_total(const struct rig *r, unsigned q);
int64_t rig_tariff_sum(const struct rig *r, unsigned q);

/* The tariff totals of every quantity at one moment, to compare two moments. */
struct rig_regs {
    int64_t q[MTR_Q_COUNT];
};

static inline void rig_totals(const struct rig *r, struct rig_regs *out)
{
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        out->q[q] = rig_total(r, q);
    }
}

static inline bool rig_regs_eq(const struct rig_regs *a, const struct rig_regs *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}
/* Metrology total of kind k. */
int64_t rig_metro(const struct rig *r, unsigned k);
#if RIG_RECORDS
/* Events engine counter of (code, name) (name NULL: unique code). */
uint32_t rig_ev_count(const struct rig *r, uint16_t code, const char *name);
/* Entries of log @p log whose code column is @p code (0: all), read back. */
uint32_t rig_log_entries(struct rig *r, uint8_t log, uint16_t code);
#endif

#endif
