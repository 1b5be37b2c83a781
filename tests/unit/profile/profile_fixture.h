/* SPDX-License-Identifier: Apache-2.0 */
/* Shared set-up of the profile tests: a simulated NVM (NOR flash with write
 * unit 1 or 8, or EEPROM), a store with one profile ring and one snapshot,
 * and a load profile of 5 columns (clock, status, 3 values). */
#ifndef PROFILE_FIXTURE_H
#define PROFILE_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/profile.h"
#include "meter/store.h"
#include "sim.h"
#include "../../support/sim_nvm.h"

enum geo { GEO_NOR1, GEO_NOR8, GEO_EEPROM };

#define PX_SECTOR  512u
#define PX_NVM     (16u * PX_SECTOR)
#define ID_LP      7u
#define ID_SNAP    8u
#define ID_SMALL   9u
#define PX_VALUES  3u
#define PX_RECORD  (12u + 8u * PX_VALUES)
#define T0         ((mtr_utc_t)1700006400) /* 2023-11-15T00:00:00Z, a multiple of 86400 */
#define MIN15      900

/* Sectors 0-3 the profile ring (9 slots of 56 bytes per 512-byte sector on
 * NOR flash: 27 kept), 4-5 a snapshot, 6-7 a ring too small for an entry. */
static const struct mtr_store_part_cfg px_table[] = {
    {.id = ID_LP, .kind = MTR_STORE_RING, .first_sector = 0, .sectors = 4, .record_size = PX_RECORD},
    {.id = ID_SNAP, .kind = MTR_STORE_SNAPSHOT, .first_sector = 4, .sectors = 2, .record_size = 32},
    {.id = ID_SMALL, .kind = MTR_STORE_RING, .first_sector = 6, .sectors = 2, .record_size = 20},
};

/* Blue Book capture objects of a load profile: clock, status, A+, A-, R1. */
static const struct mtr_profile_column px_columns[] = {
    {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_STATUS, .class_id = 1, .obis = {0, 0, 96, 10, 1, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 0, 255}, .attr = 2, .unit = 30},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 2, 8, 0, 255}, .attr = 2, .unit = 30},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 3, 8, 0, 255}, .attr = 2, .unit = 32},
};
#define PX_NCOL 5u

struct px {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part state[4];
    struct mtr_store_cfg scfg;
    struct mtr_profile_config cfg;
    struct mtr_profile p;
    enum geo g;
};

static inline void px_sim(struct px *f, enum geo g)
{
    sim_nvm_open(&f->sim, &f->hal, PX_NVM, PX_SECTOR, g == GEO_NOR8 ? 8u : 1u, g != GEO_EEPROM);
}

/* (Re)start store and profile, as a reboot would. */
static inline mtr_err_t px_boot(struct px *f)
{
    f->scfg = (struct mtr_store_cfg){.parts = px_table, .state = f->state, .nparts = 3};
    mtr_err_t rc = mtr_store_init(&f->st, &f->hal, &f->scfg);
    if (rc != MTR_OK) {
        return rc;
    }
    return mtr_profile_init(&f->p, &f->st, &f->cfg);
}

static inline void px_open_cap(struct px *f, enum geo g, uint32_t capacity)
{
    memset(f, 0, sizeof *f);
    f->g = g;
    px_sim(f, g);
    f->cfg = (struct mtr_profile_config){.obis = {0, 0, 99, 1, 0, 255},
                                         .part = ID_LP,
                                         .capture_period_s = 900,
                                         .capacity = capacity,
                                         .columns = px_columns,
                                         .ncolumns = PX_NCOL};
    cr_assert_eq(px_boot(f), MTR_OK);
}

static inline void px_open(struct px *f, enum geo g)
{
    px_open_cap(f, g, 20);
}

static inline void px_close(struct px *f)
{
    mtr_sim_free(&f->sim);
}

/* Values of the entry captured at @t: derived from t, distinct per column. */
static inline void px_values(mtr_utc_t t, int64_t v[PX_VALUES])
{
    v[0] = (t - T0) * 3 + 1000000;
    v[1] = -(t - T0) / 7;
    v[2] = (int64_t)0x0102030405060708 ^ t;
}

static inline mtr_err_t px_capture(struct px *f, mtr_utc_t t, uint8_t status)
{
    int64_t v[PX_VALUES];
    px_values(t, v);
    return mtr_profile_capture(&f->p, t, status, v, PX_VALUES);
}

/* Every entry of the buffer, oldest first; returns how many (<= cap). */
static inline uint32_t px_all(struct px *f, struct mtr_profile_entry *out, uint32_t cap)
{
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ALL};
    struct mtr_profile_cursor cur;
    uint32_t count = 0, got = 0;
    cr_assert_eq(mtr_profile_select(&f->p, &sel, &cur, &count), MTR_OK);
    struct mtr_profile_entry e;
    while (mtr_profile_next(&f->p, &sel, &cur, &e) == MTR_OK) {
        if (got < cap) {
            out[got] = e;
        }
        got++;
    }
    cr_assert_eq(got, count, "select counted %u, next gave %u", count, got);
    return got;
}

/* The entry read back holds the values captured at its time. */
static inline void px_check_values(const struct mtr_profile_entry *e)
{
    int64_t v[PX_VALUES];
    px_values(e->utc, v);
    cr_assert_eq(e->nvalues, PX_VALUES);
    for (uint32_t i = 0; i < PX_VALUES; i++) {
        cr_assert_eq(e->v[i], v[i], "entry at %lld value %u", (long long)e->utc, i);
    }
}

#endif /* PROFILE_FIXTURE_H */
