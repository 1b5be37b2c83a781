/* SPDX-License-Identifier: Apache-2.0 */
/* Shared set-up of the store tests: a small simulated NVM in one of three
 * geometries and a partition table with one snapshot and two rings. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/store.h"
#include "sim.h"
#include "../../support/sim_nvm.h"

enum geo { GEO_NOR1, GEO_NOR8, GEO_EEPROM };

#define FX_SECTOR   256u
#define FX_NVM      (16u * FX_SECTOR)
#define ID_ENERGY   1u
#define ID_LP       2u
#define ID_LOG      3u
#define ENERGY_REGS 6u
#define ENERGY_SIZE (ENERGY_REGS * 8u)
#define LP_SIZE     24u
#define LOG_SIZE    40u

/* Sectors 0-1 energy snapshot, 2-3 profile ring, 4-5 log ring; 6.. free. */
static const struct mtr_store_part_cfg fx_table[] = {
    {.id = ID_ENERGY,
     .kind = MTR_STORE_SNAPSHOT,
     .first_sector = 0,
     .sectors = 2,
     .record_size = ENERGY_SIZE},
    {.id = ID_LP, .kind = MTR_STORE_RING, .first_sector = 2, .sectors = 2, .record_size = LP_SIZE},
    {.id = ID_LOG,
     .kind = MTR_STORE_RING,
     .first_sector = 4,
     .sectors = 2,
     .record_size = LOG_SIZE},
};
#define FX_NPARTS ((uint16_t)(sizeof fx_table / sizeof fx_table[0]))

struct fx {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part state[8];
    struct mtr_store_cfg cfg;
    const struct mtr_store_part_cfg *table;
    uint16_t nparts;
    uint32_t hook_calls;
    uint32_t hook_faults;
};

static inline void fx_hook(void *user, uint16_t id, uint32_t fault)
{
    struct fx *f = user;
    (void)id;
    f->hook_calls++;
    f->hook_faults |= fault;
}

static inline void fx_sim(struct fx *f, enum geo g, uint32_t size, uint32_t sector)
{
    sim_nvm_open(&f->sim, &f->hal, size, sector, g == GEO_NOR8 ? 8u : 1u, g != GEO_EEPROM);
}

/* (Re)start the store over the fixture's table, as a reboot would. */
static inline mtr_err_t fx_boot(struct fx *f)
{
    f->cfg = (struct mtr_store_cfg){
        .parts = f->table, .state = f->state, .nparts = f->nparts, .on_fault = fx_hook, .user = f};
    return mtr_store_init(&f->st, &f->hal, &f->cfg);
}

static inline void fx_open(struct fx *f, enum geo g)
{
    memset(f, 0, sizeof *f);
    fx_sim(f, g, FX_NVM, FX_SECTOR);
    f->table = fx_table;
    f->nparts = FX_NPARTS;
    cr_assert_eq(fx_boot(f), MTR_OK);
}

static inline void fx_close(struct fx *f)
{
    mtr_sim_free(&f->sim);
}

/* Known content: energy registers of commit i grow with i. */
static inline void energy_make(uint32_t i, uint8_t out[ENERGY_SIZE])
{
    for (uint32_t j = 0; j < ENERGY_REGS; j++) {
        uint64_t v = j == 0 ? i + 1u : (uint64_t)(i + 1u) * (j * 37u + 11u) + j;
        mtr_put_be64(out + 8u * j, v);
    }
}

/* Ring record k of partition @id: k, then bytes derived from k and id. */
static inline void ring_make(uint16_t id, uint32_t k, uint8_t *out, size_t n)
{
    mtr_put_be32(out, k);
    for (size_t b = 4; b < n; b++) {
        out[b] = (uint8_t)(k * 31u + b * 7u + id);
    }
}

static inline size_t ring_size(uint16_t id)
{
    return id == ID_LP ? LP_SIZE : LOG_SIZE;
}

#endif /* STORE_FIXTURE_H */
