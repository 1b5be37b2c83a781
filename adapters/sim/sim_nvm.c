/* SPDX-License-Identifier: Apache-2.0 */
/* Simulated NVM: RAM or file, sectors, flash or EEPROM semantics, power cuts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static uint8_t erased_value(const struct mtr_sim *sim)
{
    return sim->cfg.nvm_needs_erase ? 0xFFu : 0x00u;
}

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

static mtr_err_t open_file(struct mtr_sim *sim)
{
    const struct mtr_sim_config *cfg = &sim->cfg;
    FILE *f = fopen(cfg->nvm_path, "r+b");
    if (f == NULL) {
        f = fopen(cfg->nvm_path, "w+b");
        if (f == NULL) {
            return MTR_ERR_IO;
        }
        if (fwrite(sim->nvm, 1, cfg->nvm_size, f) != cfg->nvm_size || fflush(f) != 0) {
            fclose(f);
            return MTR_ERR_IO;
        }
    } else {
        size_t got = fread(sim->nvm, 1, cfg->nvm_size, f);
        int extra = fgetc(f);
        if (got != cfg->nvm_size || extra != EOF) {
            fclose(f);
            return MTR_ERR_IO; /* another geometry: refuse rather than guess */
        }
    }
    sim->nvm_file = f;
    return MTR_OK;
}

mtr_err_t sim_nvm_init(struct mtr_sim *sim)
{
    const struct mtr_sim_config *cfg = &sim->cfg;
    if (!is_pow2(cfg->nvm_sector_size) || !is_pow2(cfg->nvm_write_unit) ||
        cfg->nvm_write_unit > cfg->nvm_sector_size || cfg->nvm_size == 0 ||
        cfg->nvm_size % cfg->nvm_sector_size != 0) {
        return MTR_ERR_INVAL;
    }
    uint32_t sectors = cfg->nvm_size / cfg->nvm_sector_size;
    sim->nvm = malloc(cfg->nvm_size);
    sim->sector_erases = calloc(sectors, sizeof *sim->sector_erases);
    sim->sector_writes = calloc(sectors, sizeof *sim->sector_writes);
    if (sim->nvm == NULL || sim->sector_erases == NULL || sim->sector_writes == NULL) {
        sim_nvm_free(sim);
        return MTR_ERR_IO;
    }
    memset(sim->nvm, erased_value(sim), cfg->nvm_size);
    if (cfg->nvm_path != NULL) {
        mtr_err_t rc = open_file(sim);
        if (rc != MTR_OK) {
            sim_nvm_free(sim);
            return rc;
        }
    }
    return MTR_OK;
}

void sim_nvm_free(struct mtr_sim *sim)
{
    if (sim->nvm_file != NULL) {
        fclose(sim->nvm_file);
        sim->nvm_file = NULL;
    }
    free(sim->nvm);
    free(sim->sector_erases);
    free(sim->sector_writes);
    sim->nvm = NULL;
    sim->sector_erases = NULL;
    sim->sector_writes = NULL;
}

/* Keep the file in step with RAM, torn bytes included. */
static void persist(struct mtr_sim *sim, uint32_t addr, size_t len)
{
    FILE *f = sim->nvm_file;
    if (f == NULL || len == 0) {
        return;
    }
    if (fseek(f, (long)addr, SEEK_SET) == 0) {
        (void)fwrite(sim->nvm + addr, 1, len, f);
        (void)fflush(f);
    }
}

/* The order of hal.h: range, zero length (valid anywhere), alignment to
 * @p unit, power. The caller returns at once if rc != MTR_OK or len == 0. */
static mtr_err_t check_access(const struct mtr_sim *sim, uint32_t addr, size_t len, uint32_t unit)
{
    if (addr > sim->cfg.nvm_size || len > sim->cfg.nvm_size - addr) {
        return MTR_ERR_RANGE;
    }
    if (len == 0) {
        return MTR_OK;
    }
    if (addr % unit != 0 || len % unit != 0) {
        return MTR_ERR_ALIGN;
    }
    return sim->power_on ? MTR_OK : MTR_ERR_POWER;
}

/* Spend one byte of the power budget; false when power is gone. */
static bool spend(struct mtr_sim *sim)
{
    if (!sim->cut_armed) {
        return true;
    }
    if (sim->cut_budget == 0) {
        sim->power_on = false;
        sim->cut_armed = false;
        sim->power_cuts++;
        return false;
    }
    sim->cut_budget--;
    return true;
}

static uint8_t program(const struct mtr_sim *sim, uint8_t old, uint8_t val)
{
    return sim->cfg.nvm_needs_erase ? (uint8_t)(old & val) : val;
}

static mtr_err_t nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    const struct mtr_sim *sim = ctx;
    info->size = sim->cfg.nvm_size;
    info->sector_size = sim->cfg.nvm_sector_size;
    info->write_unit = sim->cfg.nvm_write_unit;
    info->erased = erased_value(sim);
    info->needs_erase = sim->cfg.nvm_needs_erase;
    return MTR_OK;
}

static mtr_err_t nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct mtr_sim *sim = ctx;
    mtr_err_t rc = check_access(sim, addr, len, 1u);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    memcpy(buf, sim->nvm + addr, len);
    return MTR_OK;
}

static void count_sectors(const struct mtr_sim *sim, uint32_t *counters, uint32_t addr,
                          size_t len)
{
    uint32_t first = addr / sim->cfg.nvm_sector_size;
    uint32_t last = (uint32_t)((addr + len - 1u) / sim->cfg.nvm_sector_size);
    for (uint32_t s = first; s <= last; s++) {
        counters[s]++;
    }
}

static mtr_err_t nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct mtr_sim *sim = ctx;
    mtr_err_t rc = check_access(sim, addr, len, sim->cfg.nvm_write_unit);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    count_sectors(sim, sim->sector_writes, addr, len);
    const uint8_t *src = buf;
    for (size_t i = 0; i < len; i++) {
        uint8_t *cell = &sim->nvm[addr + i];
        if (!spend(sim)) {
            /* Torn: the byte being programmed got its high nibble only. */
            if (i > 0) {
                uint8_t half = (uint8_t)((src[i] & 0xF0u) | (*cell & 0x0Fu));
                *cell = program(sim, *cell, half);
            }
            persist(sim, addr, i + 1u);
            return MTR_ERR_POWER;
        }
        *cell = program(sim, *cell, src[i]);
    }
    persist(sim, addr, len);
    return MTR_OK;
}

static mtr_err_t nvm_erase(void *ctx, uint32_t addr, size_t len)
{
    struct mtr_sim *sim = ctx;
    mtr_err_t rc = check_access(sim, addr, len, sim->cfg.nvm_sector_size);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    count_sectors(sim, sim->sector_erases, addr, len);
    for (size_t i = 0; i < len; i++) {
        if (!spend(sim)) {
            persist(sim, addr, i);
            return MTR_ERR_POWER; /* sector partly erased */
        }
        sim->nvm[addr + i] = erased_value(sim);
    }
    persist(sim, addr, len);
    return MTR_OK;
}

const struct mtr_nvm_ops sim_nvm_ops = {
    .info = nvm_info,
    .read = nvm_read,
    .write = nvm_write,
    .erase = nvm_erase,
};

void mtr_sim_nvm_cut_after(struct mtr_sim *sim, uint32_t bytes)
{
    sim->cut_armed = true;
    sim->cut_budget = bytes;
}

void mtr_sim_nvm_restore(struct mtr_sim *sim)
{
    sim->cut_armed = false;
    sim->power_on = true;
}

bool mtr_sim_nvm_powered(const struct mtr_sim *sim)
{
    return sim->power_on;
}

static uint32_t sector_count(const struct mtr_sim *sim, const uint32_t *counters, uint32_t sector)
{
    if (sector >= sim->cfg.nvm_size / sim->cfg.nvm_sector_size) {
        return 0;
    }
    return counters[sector];
}

uint32_t mtr_sim_nvm_erases(const struct mtr_sim *sim, uint32_t sector)
{
    return sector_count(sim, sim->sector_erases, sector);
}

uint32_t mtr_sim_nvm_writes(const struct mtr_sim *sim, uint32_t sector)
{
    return sector_count(sim, sim->sector_writes, sector);
}

uint8_t *mtr_sim_nvm_data(struct mtr_sim *sim)
{
    return sim->nvm;
}
