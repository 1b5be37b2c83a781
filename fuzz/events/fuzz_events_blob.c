/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the events engine's saved-state decoder, through both
 * doors: mtr_events_restore(), and mtr_events_init() loading the bytes from
 * the state partition (with recovery of a pending operation into the
 * standard and power failure logs). Besides memory errors it checks what
 * the decoder promises: a refused blob changes nothing (restore) or gives
 * the defaults, reported (init); an accepted blob saves back to the same
 * bytes; registers never hold reserved bits; the engine works afterwards.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/events.h"
#include "meter/store.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

#define SECTOR 1024u
#define STATE  1u
#define STD    2u
#define PF     3u

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_store st;
static struct mtr_store_part parts[3];
static struct mtr_store_part_cfg table[3];
static struct mtr_profile_config pcfg[2];
static struct mtr_profile prof[2];
static struct mtr_events ev, before;
static uint8_t out[MTR_EVENTS_BLOB_SIZE];

static void on_alarm(void *user, uint8_t reg, uint32_t bits)
{
    (void)user;
    require(reg == 1 || reg == 2);
    require(bits != 0);
}

static int boot(void)
{
    struct mtr_store_cfg sc = {.parts = table, .state = parts, .nparts = 3};
    require(mtr_store_init(&st, &hal, &sc) == MTR_OK);
    struct mtr_events_config c;
    memset(&c, 0, sizeof c);
    c.store = &st;
    c.state_part = STATE;
    c.log[MTR_EVLOG_STANDARD] = &prof[0];
    c.log_cfg[MTR_EVLOG_STANDARD] = &pcfg[0];
    c.log[MTR_EVLOG_POWER_FAILURE] = &prof[1];
    c.log_cfg[MTR_EVLOG_POWER_FAILURE] = &pcfg[1];
    c.on_alarm = on_alarm;
    return mtr_events_init(&ev, &c);
}

static void check_registers(void)
{
    require((mtr_events_error(&ev) & ~MTR_EVENTS_ERROR_VALID) == 0);
    require((mtr_events_alarm(&ev, 1) & ~MTR_EVENTS_ALARM1_VALID) == 0);
    require((mtr_events_alarm(&ev, 2) & ~MTR_EVENTS_ALARM2_VALID) == 0);
    require((mtr_events_filter(&ev, 1) & ~MTR_EVENTS_ALARM1_VALID) == 0);
    require((mtr_events_descriptor(&ev, 2) & ~MTR_EVENTS_ALARM2_VALID) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = 6u * SECTOR;
    sc.nvm_sector_size = SECTOR;
    sc.adc_enabled = false;
    require(mtr_sim_init(&sim, &sc) == MTR_OK);
    mtr_sim_hal(&sim, &hal);
    table[0] = (struct mtr_store_part_cfg){.id = STATE,
                                           .kind = MTR_STORE_SNAPSHOT,
                                           .first_sector = 0,
                                           .sectors = 2,
                                           .record_size = MTR_EVENTS_BLOB_SIZE + 64u};
    table[1] = (struct mtr_store_part_cfg){
        .id = STD,
        .kind = MTR_STORE_RING,
        .first_sector = 2,
        .sectors = 2,
        .record_size = (uint16_t)mtr_events_log_record_size(MTR_EVLOG_STANDARD)};
    table[2] = (struct mtr_store_part_cfg){
        .id = PF,
        .kind = MTR_STORE_RING,
        .first_sector = 4,
        .sectors = 2,
        .record_size = (uint16_t)mtr_events_log_record_size(MTR_EVLOG_POWER_FAILURE)};
    require(mtr_events_log_default(MTR_EVLOG_STANDARD, STD, 8, &pcfg[0]) == MTR_OK);
    require(mtr_events_log_default(MTR_EVLOG_POWER_FAILURE, PF, 8, &pcfg[1]) == MTR_OK);
    require(boot() == MTR_OK);
    require(mtr_events_raise(&ev, 1, NULL, 1000, 0) == MTR_OK);

    /* door 1: restore */
    before = ev;
    mtr_err_t err = mtr_events_restore(&ev, data, size);
    if (err != MTR_OK) {
        require(err == MTR_ERR_EVENTS_BLOB || err == MTR_ERR_EVENTS_BLOB_CRC ||
                err == MTR_ERR_EVENTS_VERSION);
        require(memcmp(&ev, &before, sizeof ev) == 0);
    } else {
        require(size == MTR_EVENTS_BLOB_SIZE);
        size_t len = 0;
        require(mtr_events_save(&ev, out, sizeof out, &len) == MTR_OK);
        require(len == size && memcmp(out, data, size) == 0);
        check_registers();
    }

    /* door 2: the bytes as the committed state, then a restart */
    if (size <= MTR_EVENTS_BLOB_SIZE + 64u) {
        require(mtr_store_commit(&st, STATE, data, size) == MTR_OK);
        require(boot() == MTR_OK);
        mtr_err_t why = MTR_OK;
        uint8_t r = mtr_events_restored(&ev, &why);
        if (r == MTR_EVENTS_REFUSED) {
            require(why == MTR_ERR_EVENTS_BLOB || why == MTR_ERR_EVENTS_BLOB_CRC ||
                    why == MTR_ERR_EVENTS_VERSION);
            require(mtr_events_filter(&ev, 1) == MTR_EVENTS_ALARM1_VALID);
            require(mtr_events_error(&ev) == 0);
        } else {
            require(r == MTR_EVENTS_RESTORED && err == MTR_OK);
        }
        check_registers();
        /* the engine goes on, and its state survives a restart */
        uint32_t n = mtr_events_log_count(&ev, MTR_EVLOG_STANDARD);
        require(mtr_events_raise(&ev, 2, NULL, 2000, 0) == MTR_OK);
        require(n == UINT32_MAX || mtr_events_log_count(&ev, MTR_EVLOG_STANDARD) == n + 1u);
        require(mtr_events_save(&ev, out, sizeof out, NULL) == MTR_OK);
        require(boot() == MTR_OK);
        require(mtr_events_restored(&ev, NULL) == MTR_EVENTS_RESTORED);
        static uint8_t again[MTR_EVENTS_BLOB_SIZE];
        require(mtr_events_save(&ev, again, sizeof again, NULL) == MTR_OK);
        require(memcmp(out, again, sizeof out) == 0);
    }
    mtr_sim_free(&sim);
    return 0;
}
