/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole core with the COSEM object table linked alone: a vector table, a
 * reset handler, a HAL of stubs (a millisecond counter, the NVM partitions
 * in the upper half of a 512 KiB flash, read through the memory map, whose
 * programming a port provides), every engine wired by mtr_meter_init() as
 * on mps2-an386 (adapters/boards/mps2-an386/cosem.c), the object table
 * behind a DLMS server, and a main loop that serves the APDUs a transport
 * hands over. It is not meant to run on a particular part; it shows that
 * the core with the table links for the CPU of the cross file and what it
 * costs.
 */
#include <stdint.h>
#include <string.h>

#include "meter/clock.h"
#include "meter/cosem.h"
#include "meter/disconnect.h"
#include "meter/dlms.h"
#include "meter/events.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/prepaid.h"
#include "meter/profile.h"
#include "meter/quality.h"
#include "meter/store.h"
#include "meter/tariff.h"
#include "link_start.h"

#define NVM_BASE 0x00040000u  /* the upper 256 KiB of the flash */
#define NVM_SIZE (256u * 1024u)
#define NVM_SECTOR 4096u
#define MAX_PDU 512u

static struct mtr_meter meter;

void SysTick_Handler(void)
{
    link_ms++;
}

/* ------------------------------------------------------------------- HAL */

static mtr_err_t nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    (void)ctx;
    info->size = NVM_SIZE;
    info->sector_size = NVM_SECTOR;
    info->write_unit = 4;
    info->erased = 0xFF;
    info->needs_erase = true;
    return MTR_OK;
}

static mtr_err_t nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    mtr_err_t rc = link_nvm_range(addr, len, NVM_SIZE);
    if (rc == MTR_OK && len != 0) {
        memcpy(buf, (const void *)(uintptr_t)(NVM_BASE + addr), len);
    }
    return rc;
}

/* Programming and erasing the flash are the part's (its flash controller). */
static mtr_err_t nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    mtr_err_t rc = link_nvm_range(addr, len, NVM_SIZE);
    return rc != MTR_OK ? rc : MTR_ERR_NOTSUP;
}

static mtr_err_t nvm_erase(void *ctx, uint32_t addr, size_t len)
{
    (void)ctx;
    mtr_err_t rc = link_nvm_range(addr, len, NVM_SIZE);
    return rc != MTR_OK ? rc : MTR_ERR_NOTSUP;
}

static const struct mtr_clock_ops clock_ops = {.ms_now = link_ms_now, .rtc_get = link_rtc_get};
static const struct mtr_nvm_ops nvm_ops = {.info = nvm_info, .read = nvm_read, .write = nvm_write,
                                           .erase = nvm_erase};
static const struct mtr_hal hal = {.clock = &clock_ops, .nvm = &nvm_ops};

/* --------------------------------------------------------------- engines */

#define COSEM_PARTS_SECTOR NVM_SECTOR
#include "../cosem_parts.h"

/* Load profile 1 (seed profiles.json: 0-0:99.1.0.255, 15 minutes, one day). */
static const struct mtr_profile_column LP1_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_STATUS, 0, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
};
static const struct mtr_profile_config LP1_CFG = {
    .obis = {0, 0, 99, 1, 0, 255}, .part = PART_LP1, .capture_period_s = 900, .capacity = 96,
    .columns = LP1_COLUMNS, .ncolumns = sizeof LP1_COLUMNS / sizeof LP1_COLUMNS[0]};
/* Billing profile 1 (seed: 0-0:98.1.0.255, at every billing end). */
static const struct mtr_profile_column BILLING_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
};
static const struct mtr_profile_config BILLING_CFG = {
    .obis = {0, 0, 98, 1, 0, 255}, .part = PART_BILLING, .capture_period_s = 0, .capacity = 12,
    .columns = BILLING_COLUMNS, .ncolumns = sizeof BILLING_COLUMNS / sizeof BILLING_COLUMNS[0]};

static struct mtr_metrology metro;
static struct mtr_clock clk;
static struct mtr_calendar cal;
static struct mtr_tariff trf;
static struct mtr_store store;
static struct mtr_disconnect dc;
static struct mtr_prepaid pp;
static struct mtr_profile lp1, billing;
static struct mtr_profile *profiles[2] = {&lp1, &billing};
static const struct mtr_profile_config *const profile_cfgs[2] = {&LP1_CFG, &BILLING_CFG};
static struct mtr_events events;
static struct mtr_profile logs[MTR_EVLOG_COUNT];
static struct mtr_profile_config log_cfg[MTR_EVLOG_COUNT];
static struct mtr_quality quality;
static uint8_t calendar_buf[CALENDAR_RECORD];
static uint8_t quality_buf[MTR_QUALITY_BLOB_SIZE];
static struct mtr_store_cfg store_cfg;
static struct mtr_dc_config dc_cfg;
static struct mtr_events_config events_cfg;
static struct mtr_quality_config quality_cfg;
static struct mtr_meter_engines engines;
static struct mtr_meter_config meter_cfg;

static const struct mtr_clock_config clock_cfg = {.time_zone = -60};
static const struct mtr_tariff_config tariff_cfg = {.demand = {.period_s = 900, .periods = 1},
                                                    .billing = {.enabled = true, .day = 1}};
static const struct mtr_prepaid_config pp_cfg = {.unit = MTR_PREPAID_UNIT_ENERGY, .token_scale = 100000,
                                                 .ec_button = MTR_IN_BUTTON_2, .ec_press_min_ms = 50,
                                                 .ec_press_max_ms = 5000};

static mtr_err_t wire(void)
{
    add_snapshots();
    uint32_t rec = mtr_profile_record_size(2);
    add_part(PART_LP1, MTR_STORE_RING, ring_sectors(LP1_CFG.capacity, rec), rec);
    add_part(PART_BILLING, MTR_STORE_RING, ring_sectors(BILLING_CFG.capacity, rec), rec);
    events_cfg = (struct mtr_events_config){.state_part = PART_EVENTS};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (l == MTR_EVLOG_MBUS) {
            continue;
        }
        rec = mtr_events_log_record_size(l);
        add_part((uint16_t)(PART_LOG0 + l), MTR_STORE_RING, ring_sectors(LOG_ENTRIES, rec), rec);
        if (mtr_events_log_default(l, (uint16_t)(PART_LOG0 + l), LOG_ENTRIES, &log_cfg[l]) == MTR_OK) {
            events_cfg.log[l] = &logs[l];
            events_cfg.log_cfg[l] = &log_cfg[l];
        }
    }
    store_cfg = (struct mtr_store_cfg){.parts = table, .state = parts, .nparts = nparts};
    dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2}, .mode = 6, .feedback_ms = 1000, .debounce_ms = 50,
        .disconnect_hold_ms = 3000, .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 60, .penalty_s = 60}};
    quality_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
    mtr_quality_settings_default(&quality_cfg.settings);
    engines = (struct mtr_meter_engines){
        .metrology = &metro, .clock = &clk, .clock_cfg = &clock_cfg, .calendar = &cal,
        .tariff = &trf, .tariff_cfg = &tariff_cfg, .store = &store, .store_cfg = &store_cfg,
        .energy_part = PART_ENERGY, .cal_part = PART_CAL, .disconnect_part = PART_DC,
        .calendar_part = PART_CALENDAR, .calendar_buf = calendar_buf,
        .calendar_buf_size = sizeof calendar_buf, .disconnect = &dc, .disconnect_cfg = &dc_cfg,
        .prepaid = &pp, .prepaid_cfg = &pp_cfg, .prepaid_part = PART_PP, .profiles = profiles,
        .profile_cfgs = profile_cfgs, .nprofiles = 2, .billing_profiles = 1u << 1,
        .events = &events, .events_cfg = &events_cfg, .quality = &quality,
        .quality_cfg = &quality_cfg, .quality_part = PART_QUALITY, .quality_buf = quality_buf};
    meter_cfg = (struct mtr_meter_config){.engines = &engines};
    return mtr_meter_init(&meter, &hal, &meter_cfg);
}

/* ------------------------------------------------------------------ DLMS */

static struct mtr_cosem cosem;
static struct mtr_dlms_server server;
static struct mtr_dlms_server_cfg server_cfg;
static const struct mtr_cosem_config cosem_cfg = {.hal = &hal, .meter = &meter};
static const struct mtr_dlms_assoc_cfg assocs[] = {
    {.client_sap = 16, .mechanism = MTR_DLMS_MECH_NONE, .profile = MTR_COSEM_ROLE_PUBLIC,
     .conformance = MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET},
};

/* What a transport (an HDLC link, a TCP connection) hands over: filled by
 * its interrupt, served by the main loop. */
static uint8_t rx[MAX_PDU];
static uint8_t tx[MAX_PDU];
static volatile size_t rx_len;
static volatile size_t tx_len;

int main(void)
{
    if (wire() != MTR_OK) {
        (void)mtr_strerror(MTR_ERR_CONFIG);
        return 1;
    }
    uint16_t n;
    server_cfg = (struct mtr_dlms_server_cfg){
        .hal = &hal, .objects = mtr_cosem_table(&n), .assocs = assocs, .nassocs = 1,
        .max_pdu = MAX_PDU, .conformance = MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET, .user = &cosem};
    server_cfg.nobjects = n;
    if (mtr_cosem_init(&cosem, &cosem_cfg) != MTR_OK || mtr_dlms_server_init(&server, &server_cfg) != MTR_OK) {
        return 1;
    }
    for (;;) {
        uint32_t sleep_ms;
        (void)mtr_poll(&meter, &sleep_ms);
        if (rx_len != 0) {
            size_t len = 0;
            (void)mtr_dlms_server_apdu(&server, 16, rx, rx_len, tx, sizeof tx, &len);
            rx_len = 0;
            tx_len = len;
        } else if (sleep_ms != 0) {
            __asm__ volatile("wfi");
        }
    }
}
