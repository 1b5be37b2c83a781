/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checked-in format-1 images (tests/storage_format/store_v1_*.bin) must
 * load forever, with every value as store_v1_content.h describes it. Each
 * image is also decoded here by hand, byte by byte, from the layout written
 * in docs/persistence.md, so that the document and the code cannot drift.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "meter/crc.h"
#include "sim.h"
#include "store_v1_content.h"

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_store st;
static struct mtr_store_part state[V1_NPARTS];

static void load_image(const struct v1_image *img)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = V1_NVM_SIZE;
    sc.nvm_sector_size = V1_SECTOR;
    sc.nvm_write_unit = img->write_unit;
    sc.nvm_needs_erase = img->needs_erase != 0;
    sc.adc_enabled = false;
    cr_assert_eq(mtr_sim_init(&sim, &sc), MTR_OK);
    mtr_sim_hal(&sim, &hal);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", STORE_FORMAT_DIR, img->file);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing image %s", path);
    cr_assert_eq(fread(mtr_sim_nvm_data(&sim), 1, V1_NVM_SIZE, f), V1_NVM_SIZE);
    cr_assert_eq(fgetc(f), EOF, "image %s has the wrong size", img->file);
    fclose(f);
    struct mtr_store_cfg cfg = {.parts = v1_table, .state = state, .nparts = V1_NPARTS};
    cr_assert_eq(mtr_store_init(&st, &hal, &cfg), MTR_OK);
}

/* Ring positions after @w appends to a ring of @slots slots in units of
 * @unit slots (docs/persistence.md, "Rings"). */
static uint32_t ring_positions(uint32_t w, uint32_t slots, uint32_t unit)
{
    return w <= slots ? w : slots - unit + (w - slots - 1u) % unit + 1u;
}

static uint32_t slot_bytes(uint32_t record, uint32_t wu)
{
    uint32_t mark = wu > 4u ? wu : 4u;
    return mark + (12u + record + 4u + wu - 1u) / wu * wu;
}

static void check_ring(uint16_t id, uint32_t size, uint32_t writes, uint32_t wu, bool flash,
                       void (*make)(uint32_t, uint8_t *))
{
    uint32_t per_sector = V1_SECTOR / slot_bytes(size, wu);
    uint32_t slots = per_sector * v1_table[id - 1u].sectors;
    uint32_t n;
    cr_assert_eq(mtr_store_count(&st, id, &n), MTR_OK);
    cr_assert_eq(n, ring_positions(writes, slots, flash ? per_sector : 1u), "ring %u", id);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t got[64];
        uint8_t want[64];
        size_t len;
        uint32_t seq;
        uint32_t k = writes - n + i;
        cr_assert_eq(mtr_store_read(&st, id, i, got, sizeof got, &len, &seq), MTR_OK);
        cr_assert_eq(len, size);
        cr_assert_eq(seq, k + 1u, "one sequence number per record, from 1");
        make(k, want);
        cr_assert_arr_eq(got, want, size, "ring %u record %u", id, k);
    }
}

static void lp(uint32_t k, uint8_t *out)
{
    v1_lp(k, out);
}

static void log_rec(uint32_t k, uint8_t *out)
{
    v1_log(k, out);
}

/* Hand decoding of every slot, from the documented layout only. */
static void decode_by_hand(uint32_t wu)
{
    const uint8_t *nvm = mtr_sim_nvm_data(&sim);
    static const uint8_t mark[4] = {0xA5, 0x5A, 0xC3, 0x3C};
    uint32_t mark_len = wu > 4u ? wu : 4u;
    for (uint32_t p = 0; p < V1_NPARTS; p++) {
        const struct mtr_store_part_cfg *c = &v1_table[p];
        uint32_t size = slot_bytes(c->record_size, wu);
        uint32_t newest = 0;
        uint32_t committed = 0;
        for (uint32_t s = 0; s < c->sectors; s++) {
            for (uint32_t k = 0; k + size <= V1_SECTOR; k += size) {
                const uint8_t *slot = nvm + (c->first_sector + s) * V1_SECTOR + k;
                if (memcmp(slot, mark, 4) != 0) {
                    continue;
                }
                const uint8_t *h = slot + mark_len;
                uint16_t len = mtr_get_be16(h + 6);
                cr_assert_eq(mtr_get_be16(h), 0x5354u, "magic \"ST\"");
                cr_assert_eq(h[2], 1u, "format version 1");
                cr_assert_eq(h[3], c->kind);
                cr_assert_eq(mtr_get_be16(h + 4), c->id);
                cr_assert_eq(len, c->record_size);
                cr_assert_eq(mtr_get_be32(h + 12 + len), mtr_crc32(h, 12u + len));
                uint32_t seq = mtr_get_be32(h + 8);
                newest = seq > newest ? seq : newest;
                committed++;
            }
        }
        struct mtr_store_stats stats;
        cr_assert_eq(mtr_store_stats(&st, c->id, &stats), MTR_OK);
        cr_assert_eq(stats.newest_seq, newest, "partition %u", c->id);
        cr_assert_gt(committed, 0u);
    }
}

static void check_image(const struct v1_image *img)
{
    load_image(img);
    struct mtr_store_faults faults;
    mtr_store_faults(&st, &faults);
    cr_assert_eq(faults.flags, 0u, "%s loads without a fault", img->file);
    uint8_t got[64];
    uint8_t want[64];
    size_t len;
    uint32_t seq;
    cr_assert_eq(mtr_store_load(&st, V1_ID_ENERGY, got, sizeof got, &len, &seq), MTR_OK);
    v1_energy(V1_PERIODS - 1u, want);
    cr_assert_eq(len, V1_ENERGY_SIZE);
    cr_assert_arr_eq(got, want, V1_ENERGY_SIZE);
    cr_assert_eq(mtr_get_be64(got + 8), (uint64_t)V1_PERIODS * 1001u, "register 1 in Wh");
    cr_assert_eq(seq, V1_PERIODS);
    cr_assert_eq(mtr_store_load(&st, V1_ID_CAL, got, sizeof got, &len, &seq), MTR_OK);
    v1_cal(want);
    cr_assert_eq(len, V1_CAL_SIZE);
    cr_assert_arr_eq(got, want, V1_CAL_SIZE);
    cr_assert_eq(seq, 1u);
    bool flash = img->needs_erase != 0;
    check_ring(V1_ID_LP, V1_LP_SIZE, V1_PERIODS, img->write_unit, flash, lp);
    check_ring(V1_ID_LOG, V1_LOG_SIZE, (V1_PERIODS + V1_LOG_EVERY - 1u) / V1_LOG_EVERY,
               img->write_unit, flash, log_rec);
    decode_by_hand(img->write_unit);
    /* The meter goes on writing on top of an old image. */
    v1_energy(V1_PERIODS, want);
    cr_assert_eq(mtr_store_commit(&st, V1_ID_ENERGY, want, V1_ENERGY_SIZE), MTR_OK);
    cr_assert_eq(mtr_store_load(&st, V1_ID_ENERGY, got, sizeof got, NULL, &seq), MTR_OK);
    cr_assert_arr_eq(got, want, V1_ENERGY_SIZE);
    cr_assert_eq(seq, V1_PERIODS + 1u);
    mtr_sim_free(&sim);
}

Test(store_format, v1_nor_write_unit_1_loads)
{
    check_image(&v1_images[0]);
}

Test(store_format, v1_nor_write_unit_8_loads)
{
    check_image(&v1_images[1]);
}

Test(store_format, v1_eeprom_loads)
{
    check_image(&v1_images[2]);
}
