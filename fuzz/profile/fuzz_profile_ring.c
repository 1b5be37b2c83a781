/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the profile engine's decoders: profile records read back
 * from NVM and the saved state blob are outside input.
 *
 * The first byte picks a geometry (NOR flash with write unit 1 or 8, or
 * EEPROM); the rest fills the NVM holding the profile ring (the remainder
 * stays erased), is decoded as one record and loaded as a state blob.
 * Recovery and every kind of selective access must neither crash nor loop;
 * a selection never returns more entries than it counted, nor more than the
 * capacity; and the profile must then still capture and find that entry as
 * its newest after a second start-up.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that replays the
 * corpus (fuzz/corpus/profile_ring/) without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/profile.h"
#include "meter/store.h"
#include "sim.h"
#include "../fuzz_sim_nvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NVM_SIZE 2048u
#define SECTOR   256u
#define CAPACITY 16u

static const struct mtr_store_part_cfg table[] = {
    {.id = 1, .kind = MTR_STORE_RING, .first_sector = 0, .sectors = 6, .record_size = 36},
    {.id = 2, .kind = MTR_STORE_SNAPSHOT, .first_sector = 6, .sectors = 2, .record_size = 16},
};

static const struct mtr_profile_column cols[] = {
    {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_STATUS, .class_id = 1, .obis = {0, 0, 96, 10, 1, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 2, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 3, 8, 0, 255}, .attr = 2},
};

static const struct mtr_profile_config lp = {
    .obis = {0, 0, 99, 1, 0, 255},
    .part = 1,
    .capture_period_s = 900,
    .capacity = CAPACITY,
    .columns = cols,
    .ncolumns = 5,
};

static void require(int cond)
{
    if (!cond)
        abort();
}

static struct mtr_profile prof;
static struct mtr_profile_entry entry;

static void boot(struct mtr_store *st, const struct mtr_hal *hal, struct mtr_store_part *state)
{
    struct mtr_store_cfg cfg = {.parts = table, .state = state, .nparts = 2};
    require(mtr_store_init(st, hal, &cfg) == MTR_OK);
    require(mtr_profile_init(&prof, st, &lp) == MTR_OK);
    require(mtr_profile_entries_in_use(&prof) <= CAPACITY);
}

/* Read a selection; returns the entries read, or UINT32_MAX if refused. */
static uint32_t read_sel(const struct mtr_profile_sel *sel, mtr_utc_t *last)
{
    struct mtr_profile_cursor cur;
    uint32_t count = 0, got = 0;
    mtr_err_t rc = mtr_profile_select(&prof, sel, &cur, &count);
    if (rc != MTR_OK) {
        require(rc == MTR_ERR_PROFILE_SELECTOR || rc == MTR_ERR_RANGE);
        return UINT32_MAX;
    }
    require(count <= CAPACITY);
    while ((rc = mtr_profile_next(&prof, sel, &cur, &entry)) == MTR_OK) {
        got++;
        require(got <= count);
        require(entry.nvalues <= 3u);
        require(entry.utc >= 0 && entry.utc <= MTR_PROFILE_UTC_MAX);
        require((entry.status & 0x50u) == 0);
        *last = entry.utc;
    }
    require(rc == MTR_ERR_EMPTY);
    return got;
}

static uint32_t get32(const uint8_t *d, size_t size, size_t at)
{
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        v = v << 8 | (at + i < size ? d[at + i] : 0u);
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part state[2];
    if (size == 0)
        return 0;

    /* One record, as the ring would hand it back. */
    uint8_t type;
    uint32_t number;
    mtr_err_t rc = mtr_profile_record_decode(data + 1, size - 1u, &type, &number, &entry);
    require(rc == MTR_OK || rc == MTR_ERR_PROFILE_FORMAT || rc == MTR_ERR_PROFILE_VERSION);
    if (rc == MTR_OK) {
        require(type == MTR_PROFILE_REC_ENTRY || type == MTR_PROFILE_REC_RESET);
        require(entry.nvalues <= MTR_CFG_PROFILE_COLUMNS);
        require(size - 1u == mtr_profile_record_size(entry.nvalues));
    }

    require(fuzz_sim_nvm(&sim, &hal, NVM_SIZE, SECTOR, data[0], data + 1, size - 1u));
    boot(&st, &hal, state);

    /* The saved state blob. */
    uint32_t period = mtr_profile_capture_period(&prof);
    rc = mtr_profile_state_load(&prof, data + 1, size - 1u);
    require(rc == MTR_OK || rc == MTR_ERR_PROFILE_BLOB || rc == MTR_ERR_PROFILE_BLOB_CRC ||
            rc == MTR_ERR_PROFILE_VERSION);
    require(rc == MTR_OK || mtr_profile_capture_period(&prof) == period);

    /* Every kind of selection, with bounds taken from the input. */
    mtr_utc_t last = -1;
    struct mtr_profile_sel all = {.by = MTR_PROFILE_ALL};
    uint32_t got = read_sel(&all, &last);
    require(got <= mtr_profile_entries_in_use(&prof));
    struct mtr_profile_sel sel = {
        .by = (uint8_t)(data[0] / 3u % 4u),
        .from = (mtr_utc_t)get32(data, size, 1),
        .to = (mtr_utc_t)get32(data, size, 5),
        .from_entry = get32(data, size, 9) % 40u,
        .to_entry = get32(data, size, 13) % 40u,
        .from_col = (uint16_t)(data[size / 2] % 7u),
        .to_col = (uint16_t)(data[size - 1] % 7u),
    };
    (void)read_sel(&sel, &last);
    sel.by = MTR_PROFILE_RANGE;
    sel.from = 0;
    sel.to = MTR_PROFILE_UTC_MAX;
    (void)read_sel(&sel, &last);

    /* Whatever was there, the profile goes on working. */
    static const int64_t v[3] = {1, -2, INT64_MIN};
    mtr_utc_t t = 0x7F000000;
    rc = mtr_profile_capture(&prof, t, 0, v, 3);
    require(rc == MTR_OK || rc == MTR_ERR_OVERFLOW);
    boot(&st, &hal, state);
    if (rc == MTR_OK) {
        mtr_utc_t when;
        require(mtr_profile_last_capture(&prof, &when) && when == t);
        uint32_t k = mtr_profile_entries_in_use(&prof);
        require(k >= 1u);
        struct mtr_profile_sel newest = {.by = MTR_PROFILE_ENTRY, .from_entry = k, .to_entry = k};
        require(read_sel(&newest, &last) == 1u && last == t);
        require(entry.v[2] == INT64_MIN);
    }
    rc = mtr_profile_reset(&prof, t + 1);
    require(rc == MTR_OK || rc == MTR_ERR_OVERFLOW);
    boot(&st, &hal, state);
    require(rc != MTR_OK || mtr_profile_entries_in_use(&prof) == 0);
    mtr_sim_free(&sim);
    return 0;
}
