/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the store's recovery: NVM read-back is outside input. The
 * first byte picks a geometry (NOR flash with write unit 1 or 8, or EEPROM);
 * the rest fills the NVM (the remainder stays erased). Recovery, loads, reads
 * by index and iteration must neither crash nor loop; what they return must
 * be whole, and the store must then still commit and append, and find those
 * records again after a second start-up.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/store.h"
#include "sim.h"
#include "../fuzz_sim_nvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NVM_SIZE 2048u
#define SECTOR   256u

static const struct mtr_store_part_cfg table[] = {
    {.id = 1, .kind = MTR_STORE_SNAPSHOT, .first_sector = 0, .sectors = 2, .record_size = 48},
    {.id = 2, .kind = MTR_STORE_RING, .first_sector = 2, .sectors = 3, .record_size = 24},
    {.id = 3, .kind = MTR_STORE_RING, .first_sector = 5, .sectors = 2, .record_size = 16},
};

static void require(int cond)
{
    if (!cond)
        abort();
}

static void boot(struct mtr_store *st, const struct mtr_hal *hal, struct mtr_store_part *state)
{
    struct mtr_store_cfg cfg = {.parts = table, .state = state, .nparts = 3};
    require(mtr_store_init(st, hal, &cfg) == MTR_OK);
}

static void read_all(struct mtr_store *st, uint16_t id)
{
    uint8_t buf[64];
    size_t len;
    uint32_t n = 0;
    uint32_t got = 0;
    require(mtr_store_count(st, id, &n) == MTR_OK);
    require(n <= 64u);
    for (uint32_t i = 0; i <= n; i++) {
        mtr_err_t rc = mtr_store_read(st, id, i, buf, sizeof buf, &len, NULL);
        require(i < n || rc == MTR_ERR_RANGE);
        require(rc != MTR_OK || len <= 24u);
        got += rc == MTR_OK;
    }
    struct mtr_store_iter it;
    uint32_t iterated = 0;
    mtr_store_iter_init(&it, id);
    while (mtr_store_iter_next(st, &it, buf, sizeof buf, &len, NULL) == MTR_OK) {
        iterated++;
        require(iterated <= n);
    }
    require(iterated == got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part state[3];
    uint8_t buf[64];
    size_t len;
    if (size == 0)
        return 0;
    require(fuzz_sim_nvm(&sim, &hal, NVM_SIZE, SECTOR, data[0], data + 1, size - 1u));

    boot(&st, &hal, state);
    mtr_err_t rc = mtr_store_load(&st, 1, buf, sizeof buf, &len, NULL);
    require(rc == MTR_OK || rc == MTR_ERR_NOENT || rc == MTR_ERR_CRC);
    require(rc != MTR_OK || len <= 48u);
    read_all(&st, 2);
    read_all(&st, 3);

    /* Whatever was there, the store goes on working. */
    static const uint8_t regs[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const uint8_t entry[24] = {0xE1, 0xE2, 0xE3};
    rc = mtr_store_commit(&st, 1, regs, sizeof regs);
    require(rc == MTR_OK || rc == MTR_ERR_STORE_NO_SPACE || rc == MTR_ERR_OVERFLOW);
    mtr_err_t rc2 = mtr_store_append(&st, 2, entry, sizeof entry);
    require(rc2 == MTR_OK || rc2 == MTR_ERR_OVERFLOW);
    boot(&st, &hal, state);
    if (rc == MTR_OK) {
        require(mtr_store_load(&st, 1, buf, sizeof buf, &len, NULL) == MTR_OK);
        require(len == sizeof regs && memcmp(buf, regs, sizeof regs) == 0);
    }
    if (rc2 == MTR_OK) {
        uint32_t count;
        require(mtr_store_count(&st, 2, &count) == MTR_OK && count > 0);
        require(mtr_store_read(&st, 2, count - 1u, buf, sizeof buf, &len, NULL) == MTR_OK);
        require(len == sizeof entry && memcmp(buf, entry, sizeof entry) == 0);
    }
    read_all(&st, 2);
    mtr_sim_free(&sim);
    return 0;
}
