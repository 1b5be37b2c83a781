/* SPDX-License-Identifier: Apache-2.0 */
/* Store: configuration checks, snapshots, ring edge cases, wear spread,
 * corrupted NVM and records of a newer format version. */
#include <stdlib.h>

#include "meter/crc.h"
#include "store_fixture.h"

static struct fx f;

static void energy_commit(uint32_t i)
{
    uint8_t buf[ENERGY_SIZE];
    energy_make(i, buf);
    cr_assert_eq(mtr_store_commit(&f.st, ID_ENERGY, buf, sizeof buf), MTR_OK);
}

/* Index of the registers loaded (commit number), or -1 for none. */
static int64_t energy_loaded(void)
{
    uint8_t buf[ENERGY_SIZE];
    uint8_t want[ENERGY_SIZE];
    size_t len;
    mtr_err_t rc = mtr_store_load(&f.st, ID_ENERGY, buf, sizeof buf, &len, NULL);
    if (rc == MTR_ERR_NOENT) {
        return -1;
    }
    cr_assert_eq(rc, MTR_OK, "%s", mtr_strerror(rc));
    uint64_t idx = mtr_get_be64(buf) - 1u;
    energy_make((uint32_t)idx, want);
    cr_assert_arr_eq(buf, want, sizeof buf, "loaded registers are not one whole commit");
    return (int64_t)idx;
}

static void ring_append(uint16_t id, uint32_t k)
{
    uint8_t buf[64];
    ring_make(id, k, buf, ring_size(id));
    cr_assert_eq(mtr_store_append(&f.st, id, buf, ring_size(id)), MTR_OK);
}

/* Reads position @index and returns the k it holds (checking its content). */
static uint32_t ring_k(uint16_t id, uint32_t index)
{
    uint8_t buf[64];
    uint8_t want[64];
    size_t len;
    uint32_t seq;
    cr_assert_eq(mtr_store_read(&f.st, id, index, buf, sizeof buf, &len, &seq), MTR_OK);
    cr_assert_eq(len, ring_size(id));
    uint32_t k = mtr_get_be32(buf);
    ring_make(id, k, want, len);
    cr_assert_arr_eq(buf, want, len);
    return k;
}

static uint32_t ring_count(uint16_t id)
{
    uint32_t n;
    cr_assert_eq(mtr_store_count(&f.st, id, &n), MTR_OK);
    return n;
}

static struct mtr_store_faults faults(void)
{
    struct mtr_store_faults out;
    mtr_store_faults(&f.st, &out);
    return out;
}

static void reboot(void)
{
    cr_assert_eq(fx_boot(&f), MTR_OK);
}

static void open_geo(enum geo g)
{
    fx_open(&f, g);
}

static void teardown(void)
{
    fx_close(&f);
}

/* --------------------------------------------------------- configuration */

static mtr_err_t init_with(const struct mtr_store_part_cfg *table, uint16_t n)
{
    f.table = table;
    f.nparts = n;
    return fx_boot(&f);
}

/* Init on a bad table: the exact error, no NVM access that writes, and
 * neither the store nor its RAM changed. */
static void expect_bad(const struct mtr_store_part_cfg *table, uint16_t n, mtr_err_t want)
{
    uint8_t before[FX_NVM];
    memcpy(before, mtr_sim_nvm_data(&f.sim), FX_NVM);
    struct mtr_store st_before = f.st;
    struct mtr_store_part parts_before[8];
    memcpy(parts_before, f.state, sizeof parts_before);
    uint32_t writes = 0;
    for (uint32_t s = 0; s < FX_NVM / FX_SECTOR; s++) {
        writes += mtr_sim_nvm_writes(&f.sim, s) + mtr_sim_nvm_erases(&f.sim, s);
    }
    mtr_err_t got = init_with(table, n);
    cr_assert_eq(got, want, "got %s", mtr_strerror(got));
    cr_assert_arr_eq(mtr_sim_nvm_data(&f.sim), before, FX_NVM);
    cr_assert_arr_eq(&f.st, &st_before, sizeof st_before);
    cr_assert_arr_eq(f.state, parts_before, sizeof parts_before);
    uint32_t after = 0;
    for (uint32_t s = 0; s < FX_NVM / FX_SECTOR; s++) {
        after += mtr_sim_nvm_writes(&f.sim, s) + mtr_sim_nvm_erases(&f.sim, s);
    }
    cr_assert_eq(after, writes);
}

#define SNAP(id_, first, n, size)                                                                  \
    {                                                                                              \
        .id = (id_), .kind = MTR_STORE_SNAPSHOT, .first_sector = (first), .sectors = (n),          \
        .record_size = (size)                                                                      \
    }
#define RING(id_, first, n, size)                                                                  \
    {                                                                                              \
        .id = (id_), .kind = MTR_STORE_RING, .first_sector = (first), .sectors = (n),              \
        .record_size = (size)                                                                      \
    }

Test(store_config, bad_tables_are_refused_and_nothing_is_written, .init = NULL, .fini = teardown)
{
    open_geo(GEO_NOR1);
    energy_commit(0); /* something on the NVM that must stay */
    const struct mtr_store_part_cfg overlap[] = {SNAP(1, 0, 2, 8), RING(2, 1, 2, 8)};
    const struct mtr_store_part_cfg too_big[] = {SNAP(1, 0, 2, 8), RING(2, 15, 2, 8)};
    const struct mtr_store_part_cfg far_away[] = {RING(2, 0xFFFFFFFFu, 2, 8)};
    const struct mtr_store_part_cfg huge_rec[] = {SNAP(1, 0, 2, FX_SECTOR - 19u)};
    const struct mtr_store_part_cfg zero_rec[] = {SNAP(1, 0, 2, 0)};
    const struct mtr_store_part_cfg dup_id[] = {SNAP(1, 0, 2, 8), RING(1, 2, 2, 8)};
    const struct mtr_store_part_cfg id0[] = {SNAP(0, 0, 2, 8)};
    const struct mtr_store_part_cfg id_ff[] = {SNAP(0xFFFF, 0, 2, 8)};
    const struct mtr_store_part_cfg one_sector[] = {RING(2, 0, 1, 8)};
    const struct mtr_store_part_cfg zero_sectors[] = {RING(2, 0, 0, 8)};
    const struct mtr_store_part_cfg bad_kind[] = {
        {.id = 3, .kind = 7, .first_sector = 0, .sectors = 2, .record_size = 8}};
    expect_bad(overlap, 2, MTR_ERR_STORE_LAYOUT);
    expect_bad(too_big, 2, MTR_ERR_STORE_LAYOUT);
    expect_bad(far_away, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(huge_rec, 1, MTR_ERR_STORE_RECORD_SIZE);
    expect_bad(zero_rec, 1, MTR_ERR_STORE_RECORD_SIZE);
    expect_bad(dup_id, 2, MTR_ERR_STORE_LAYOUT);
    expect_bad(id0, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(id_ff, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(one_sector, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(zero_sectors, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(bad_kind, 1, MTR_ERR_STORE_LAYOUT);
    expect_bad(overlap, 0, MTR_ERR_STORE_LAYOUT);
    /* The largest record that fits: 4 mark + 16 + payload = one sector. */
    const struct mtr_store_part_cfg just_fits[] = {SNAP(1, 0, 2, FX_SECTOR - 20u)};
    cr_assert_eq(init_with(just_fits, 1), MTR_OK);
}

Test(store_config, one_eeprom_sector_with_two_slots_is_enough, .fini = teardown)
{
    open_geo(GEO_EEPROM);
    const struct mtr_store_part_cfg one[] = {RING(2, 0, 1, 100)}; /* 2 slots of 120 */
    cr_assert_eq(init_with(one, 1), MTR_OK);
    const struct mtr_store_part_cfg single_slot[] = {RING(2, 0, 1, 200)};
    expect_bad(single_slot, 1, MTR_ERR_STORE_LAYOUT);
}

Test(store_config, write_unit_above_64_is_not_supported)
{
    memset(&f, 0, sizeof f);
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = 8192;
    sc.nvm_sector_size = 1024;
    sc.nvm_write_unit = 128;
    sc.adc_enabled = false;
    cr_assert_eq(mtr_sim_init(&f.sim, &sc), MTR_OK);
    mtr_sim_hal(&f.sim, &f.hal);
    f.table = fx_table;
    f.nparts = FX_NPARTS;
    cr_assert_eq(fx_boot(&f), MTR_ERR_NOTSUP);
    cr_assert_eq(mtr_store_commit(&f.st, ID_ENERGY, "x", 1), MTR_ERR_STATE);
    cr_assert_eq(mtr_store_slot_size(8, 128), 0u);
    mtr_sim_free(&f.sim);
}

Test(store_config, slot_size_follows_the_documented_layout)
{
    /* docs/persistence.md: mark (4, rounded up to the write unit), then
     * header 12 + payload + CRC 4, rounded up to the write unit. */
    cr_assert_eq(mtr_store_slot_size(48, 1), 4u + 12u + 48u + 4u);
    cr_assert_eq(mtr_store_slot_size(48, 8), 8u + 64u);
    cr_assert_eq(mtr_store_slot_size(1, 64), 64u + 64u);
    cr_assert_eq(mtr_store_part_size(), sizeof(struct mtr_store_part));
    cr_assert_eq(mtr_store_size(), sizeof(struct mtr_store));
    cr_assert_leq(sizeof(struct mtr_store_part), 80u, "RAM per partition as documented");
}

/* -------------------------------------------------------------- snapshots */

static void store_snapshot_commit_load_rotate(const enum geo *g);

Test(store_snapshot, commit_load_rotate_nor_write_unit_1, .fini = teardown)
{
    store_snapshot_commit_load_rotate(&(enum geo){GEO_NOR1});
}
Test(store_snapshot, commit_load_rotate_nor_write_unit_8, .fini = teardown)
{
    store_snapshot_commit_load_rotate(&(enum geo){GEO_NOR8});
}
Test(store_snapshot, commit_load_rotate_eeprom, .fini = teardown)
{
    store_snapshot_commit_load_rotate(&(enum geo){GEO_EEPROM});
}

static void store_snapshot_commit_load_rotate(const enum geo *g)
{
    open_geo(*g);
    cr_assert_eq(energy_loaded(), -1);
    for (uint32_t i = 0; i < 100; i++) {
        energy_commit(i);
        cr_assert_eq(energy_loaded(), (int64_t)i);
        if (i % 7 == 0) {
            reboot();
            cr_assert_eq(energy_loaded(), (int64_t)i);
        }
    }
    uint32_t seq;
    uint8_t buf[ENERGY_SIZE];
    cr_assert_eq(mtr_store_load(&f.st, ID_ENERGY, buf, sizeof buf, NULL, &seq), MTR_OK);
    cr_assert_eq(seq, 100u, "one sequence number per commit");
    cr_assert_eq(faults().flags, 0u);
    cr_assert_eq(f.hook_calls, 0u);
}

Test(store_snapshot, wrong_calls_change_nothing, .fini = teardown)
{
    open_geo(GEO_NOR1);
    uint8_t buf[ENERGY_SIZE + 1] = {0};
    energy_commit(3);
    uint8_t before[FX_NVM];
    memcpy(before, mtr_sim_nvm_data(&f.sim), FX_NVM);
    cr_assert_eq(mtr_store_commit(&f.st, ID_ENERGY, buf, ENERGY_SIZE + 1), MTR_ERR_RANGE);
    cr_assert_eq(mtr_store_commit(&f.st, ID_LP, buf, 4), MTR_ERR_STORE_KIND);
    cr_assert_eq(mtr_store_append(&f.st, ID_ENERGY, buf, 4), MTR_ERR_STORE_KIND);
    cr_assert_eq(mtr_store_append(&f.st, ID_LP, buf, LP_SIZE + 1), MTR_ERR_RANGE);
    cr_assert_eq(mtr_store_commit(&f.st, 99, buf, 4), MTR_ERR_STORE_NO_PART);
    cr_assert_eq(mtr_store_load(&f.st, ID_LP, buf, sizeof buf, NULL, NULL), MTR_ERR_STORE_KIND);
    cr_assert_eq(mtr_store_load(&f.st, ID_ENERGY, buf, ENERGY_SIZE - 1, NULL, NULL),
                 MTR_ERR_OVERFLOW);
    cr_assert_arr_eq(mtr_sim_nvm_data(&f.sim), before, FX_NVM, "failed calls wrote nothing");
    cr_assert_eq(energy_loaded(), 3);
    /* Shorter payloads load with their own length. */
    cr_assert_eq(mtr_store_commit(&f.st, ID_ENERGY, "abc", 3), MTR_OK);
    size_t len;
    cr_assert_eq(mtr_store_load(&f.st, ID_ENERGY, buf, sizeof buf, &len, NULL), MTR_OK);
    cr_assert_eq(len, 3u);
    cr_assert_arr_eq(buf, "abc", 3);
}

/* Commits rotate through every slot of every sector: erases are spread
 * evenly, and the store's own counters agree with the simulator's. */
Test(store_snapshot, wear_is_spread_over_all_sectors, .fini = teardown)
{
    memset(&f, 0, sizeof f);
    fx_sim(&f, GEO_NOR1, FX_NVM, FX_SECTOR);
    static const struct mtr_store_part_cfg t[] = {SNAP(1, 3, 5, ENERGY_SIZE)};
    f.table = t;
    f.nparts = 1;
    reboot();
    for (uint32_t i = 0; i < 1000; i++) {
        energy_commit(i);
    }
    struct mtr_store_stats stats;
    cr_assert_eq(mtr_store_stats(&f.st, 1, &stats), MTR_OK);
    /* 3 slots of 68 bytes per 256-byte sector (layout in docs/persistence.md). */
    cr_assert_eq(stats.slots, 15u);
    cr_assert_eq(stats.records, 1000u);
    cr_assert_eq(stats.erases, (1000u + 2u) / 3u, "one erase per sector filled");
    cr_assert_eq(stats.bytes, 1000u * 68u);
    cr_assert_eq(stats.est_cycles, (1000u + 14u) / 15u);
    uint32_t lo = UINT32_MAX;
    uint32_t hi = 0;
    for (uint32_t s = 0; s < 5; s++) {
        uint32_t mine;
        cr_assert_eq(mtr_store_sector_erases(&f.st, 1, s, &mine), MTR_OK);
        cr_assert_eq(mine, mtr_sim_nvm_erases(&f.sim, 3 + s), "sector %u", s);
        lo = mine < lo ? mine : lo;
        hi = mine > hi ? mine : hi;
    }
    cr_assert_leq(hi - lo, 1u);
    cr_assert_eq(mtr_sim_nvm_erases(&f.sim, 2), 0u);
    cr_assert_eq(mtr_sim_nvm_erases(&f.sim, 8), 0u);
    uint32_t dummy;
    cr_assert_eq(mtr_store_sector_erases(&f.st, 1, 5, &dummy), MTR_ERR_RANGE);
}

/* ------------------------------------------------------------------ rings */

static void store_ring_edge_cases(const enum geo *g);

Test(store_ring, edge_cases_nor_write_unit_1, .fini = teardown)
{
    store_ring_edge_cases(&(enum geo){GEO_NOR1});
}
Test(store_ring, edge_cases_nor_write_unit_8, .fini = teardown)
{
    store_ring_edge_cases(&(enum geo){GEO_NOR8});
}
Test(store_ring, edge_cases_eeprom, .fini = teardown)
{
    store_ring_edge_cases(&(enum geo){GEO_EEPROM});
}

static void store_ring_edge_cases(const enum geo *g)
{
    open_geo(*g);
    uint8_t buf[64];
    struct mtr_store_iter it;
    struct mtr_store_stats stats;
    uint32_t cap;
    cr_assert_eq(mtr_store_stats(&f.st, ID_LP, &stats), MTR_OK);
    cr_assert_eq(mtr_store_capacity(&f.st, ID_LP, &cap), MTR_OK);
    uint32_t unit = *g == GEO_EEPROM ? 1u : stats.slots / 2u;
    cr_assert_eq(cap, stats.slots - unit);
    /* empty */
    cr_assert_eq(ring_count(ID_LP), 0u);
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 0, buf, sizeof buf, NULL, NULL), MTR_ERR_RANGE);
    mtr_store_iter_init(&it, ID_LP);
    cr_assert_eq(mtr_store_iter_next(&f.st, &it, buf, sizeof buf, NULL, NULL), MTR_ERR_EMPTY);
    /* one record */
    ring_append(ID_LP, 0);
    cr_assert_eq(ring_count(ID_LP), 1u);
    cr_assert_eq(ring_k(ID_LP, 0), 0u);
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 1, buf, sizeof buf, NULL, NULL), MTR_ERR_RANGE);
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 0, buf, LP_SIZE - 1, NULL, NULL), MTR_ERR_OVERFLOW);
    reboot();
    cr_assert_eq(ring_count(ID_LP), 1u);
    /* exactly full: every slot used, nothing dropped yet */
    for (uint32_t k = 1; k < stats.slots; k++) {
        ring_append(ID_LP, k);
    }
    cr_assert_eq(ring_count(ID_LP), stats.slots);
    for (uint32_t i = 0; i < stats.slots; i++) {
        cr_assert_eq(ring_k(ID_LP, i), i);
    }
    reboot();
    cr_assert_eq(ring_count(ID_LP), stats.slots, "full ring recovered as full");
    cr_assert_eq(ring_k(ID_LP, 0), 0u);
    /* one more drops the oldest erase unit */
    ring_append(ID_LP, stats.slots);
    cr_assert_eq(ring_count(ID_LP), stats.slots - unit + 1u);
    cr_assert_eq(ring_k(ID_LP, 0), unit);
    /* wrapped many times: always the newest records, in order, with reboots */
    uint32_t k = stats.slots + 1u;
    for (uint32_t lap = 0; lap < 40; lap++) {
        for (uint32_t j = 0; j < stats.slots / 2u + lap % 3u; j++) {
            ring_append(ID_LP, k++);
        }
        if (lap % 4 == 0) {
            reboot();
        }
        uint32_t n = ring_count(ID_LP);
        cr_assert_geq(n, cap);
        cr_assert_leq(n, stats.slots);
        for (uint32_t i = 0; i < n; i++) {
            cr_assert_eq(ring_k(ID_LP, i), k - n + i);
        }
        cr_assert_eq(mtr_store_read(&f.st, ID_LP, n, buf, sizeof buf, NULL, NULL), MTR_ERR_RANGE,
                     "read past the end");
    }
    /* iteration gives the same as reading by index */
    mtr_store_iter_init(&it, ID_LP);
    uint32_t i = 0;
    size_t len;
    while (mtr_store_iter_next(&f.st, &it, buf, sizeof buf, &len, NULL) == MTR_OK) {
        cr_assert_eq(mtr_get_be32(buf), ring_k(ID_LP, i++));
    }
    cr_assert_eq(i, ring_count(ID_LP));
    cr_assert_eq(faults().flags, 0u);
    /* the other ring was never touched */
    cr_assert_eq(ring_count(ID_LOG), 0u);
}

/* --------------------------------------------------------------- corruption */

/* NVM address of slot @slot of partition @id in the fixture (write unit 1). */
static uint32_t slot_addr(uint16_t id, uint32_t slot)
{
    uint32_t size = mtr_store_slot_size(id == ID_ENERGY ? ENERGY_SIZE : (uint32_t)ring_size(id), 1);
    uint32_t per = FX_SECTOR / size;
    return (fx_table[id - 1u].first_sector + slot / per) * FX_SECTOR + (slot % per) * size;
}

Test(store_corrupt, bit_flip_in_header_payload_or_crc_falls_back, .fini = teardown)
{
    /* offsets in the slot: 6 = header (partition id), 30 = payload, 66 = CRC */
    static const uint32_t where[] = {6, 30, 66};
    for (uint32_t w = 0; w < 3; w++) {
        open_geo(GEO_NOR1);
        for (uint32_t i = 0; i < 5; i++) {
            energy_commit(i); /* slots 0..4; the newest is in slot 4 */
        }
        mtr_sim_nvm_data(&f.sim)[slot_addr(ID_ENERGY, 4) + where[w]] ^= 0x10u;
        reboot();
        cr_assert_eq(energy_loaded(), 3, "last good copy");
        struct mtr_store_faults fl = faults();
        cr_assert_eq(fl.crc, 1u);
        cr_assert(fl.flags & MTR_STORE_FAULT_CRC);
        cr_assert(fl.flags & MTR_STORE_FAULT_FALLBACK, "offset %u", where[w]);
        cr_assert_geq(f.hook_calls, 2u);
        uint32_t pf;
        cr_assert_eq(mtr_store_part_faults(&f.st, ID_ENERGY, &pf), MTR_OK);
        cr_assert(pf & MTR_STORE_FAULT_CRC);
        cr_assert_eq(mtr_store_part_faults(&f.st, ID_LP, &pf), MTR_OK);
        cr_assert_eq(pf, 0u);
        /* the meter goes on from the last good state */
        energy_commit(5);
        cr_assert_eq(energy_loaded(), 5);
        mtr_store_faults_clear(&f.st);
        cr_assert_eq(faults().flags, 0u);
        fx_close(&f);
    }
}

Test(store_corrupt, flip_after_start_up_is_caught_at_load, .fini = teardown)
{
    open_geo(GEO_NOR1);
    energy_commit(0);
    energy_commit(1);
    mtr_sim_nvm_data(&f.sim)[slot_addr(ID_ENERGY, 1) + 40] ^= 0x01u;
    cr_assert_eq(energy_loaded(), 0);
    cr_assert(faults().flags & MTR_STORE_FAULT_CRC);
    cr_assert(faults().flags & MTR_STORE_FAULT_FALLBACK);
}

Test(store_corrupt, damaged_ring_record_is_skipped_and_reported, .fini = teardown)
{
    open_geo(GEO_NOR1);
    for (uint32_t k = 0; k < 6; k++) {
        ring_append(ID_LP, k);
    }
    mtr_sim_nvm_data(&f.sim)[slot_addr(ID_LP, 2) + 20] ^= 0x80u;
    uint8_t buf[64];
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 2, buf, sizeof buf, NULL, NULL), MTR_ERR_CRC);
    cr_assert(faults().flags & MTR_STORE_FAULT_CRC);
    reboot();
    cr_assert_eq(faults().crc, 1u);
    cr_assert(faults().flags & MTR_STORE_FAULT_LOST, "the gap in the sequence is seen");
    struct mtr_store_iter it;
    mtr_store_iter_init(&it, ID_LP);
    uint32_t got[8];
    uint32_t n = 0;
    while (mtr_store_iter_next(&f.st, &it, buf, sizeof buf, NULL, NULL) == MTR_OK) {
        got[n++] = mtr_get_be32(buf);
    }
    uint32_t want[] = {0, 1, 3, 4, 5};
    cr_assert_eq(n, 5u);
    cr_assert_arr_eq(got, want, sizeof want);
}

Test(store_corrupt, erased_sector_inside_a_ring_is_reported, .fini = teardown)
{
    open_geo(GEO_NOR1);
    static const struct mtr_store_part_cfg t[] = {RING(ID_LP, 2, 4, LP_SIZE)}; /* 5 per sector */
    f.table = t;
    f.nparts = 1;
    reboot();
    for (uint32_t k = 0; k < 17; k++) {
        ring_append(ID_LP, k);
    }
    struct mtr_hal *h = &f.hal;
    cr_assert_eq(h->nvm->erase(h->ctx, 3u * FX_SECTOR, FX_SECTOR), MTR_OK); /* records 5..9 */
    reboot();
    cr_assert(faults().flags & MTR_STORE_FAULT_LOST);
    cr_assert_eq(faults().lost, 1u);
    cr_assert_eq(ring_count(ID_LP), 17u, "positions kept, erased ones are holes");
    uint8_t buf[64];
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 5, buf, sizeof buf, NULL, NULL), MTR_ERR_NOENT);
    cr_assert_eq(ring_k(ID_LP, 10), 10u);
}

Test(store_corrupt, erased_snapshot_sector_falls_back_to_the_other, .fini = teardown)
{
    open_geo(GEO_NOR1);
    for (uint32_t i = 0; i < 4; i++) {
        energy_commit(i); /* slots 0,1,2 in sector 0; slot 3 in sector 1 */
    }
    struct mtr_hal *h = &f.hal;
    cr_assert_eq(h->nvm->erase(h->ctx, 0, FX_SECTOR), MTR_OK);
    reboot();
    cr_assert_eq(energy_loaded(), 3);
    cr_assert_eq(h->nvm->erase(h->ctx, FX_SECTOR, FX_SECTOR), MTR_OK);
    reboot();
    cr_assert_eq(energy_loaded(), -1, "nothing left: no invented state");
    energy_commit(9);
    cr_assert_eq(energy_loaded(), 9);
}

/* Builds a committed record of format @version by hand, following the
 * layout in docs/persistence.md (write unit 1), at slot @slot of the LP ring. */
static void forge_record(uint32_t slot, uint8_t version, uint32_t seq, const uint8_t *payload,
                         uint16_t len)
{
    uint8_t *p = mtr_sim_nvm_data(&f.sim) + slot_addr(ID_LP, slot);
    const uint8_t mark[4] = {0xA5, 0x5A, 0xC3, 0x3C};
    uint8_t rec[12 + 64 + 4];
    mtr_put_be16(rec, 0x5354);
    rec[2] = version;
    rec[3] = MTR_STORE_RING;
    mtr_put_be16(rec + 4, ID_LP);
    mtr_put_be16(rec + 6, len);
    mtr_put_be32(rec + 8, seq);
    memcpy(rec + 12, payload, len);
    mtr_put_be32(rec + 12 + len, mtr_crc32(rec, 12u + len));
    for (uint32_t i = 0; i < 16u + len; i++) {
        p[4 + i] &= rec[i];
    }
    for (uint32_t i = 0; i < 4; i++) {
        p[i] &= mark[i];
    }
}

Test(store_corrupt, newer_format_version_is_skipped_and_reported, .fini = teardown)
{
    open_geo(GEO_NOR1);
    for (uint32_t k = 0; k < 3; k++) {
        ring_append(ID_LP, k);
    }
    uint8_t payload[LP_SIZE];
    ring_make(ID_LP, 3, payload, sizeof payload);
    forge_record(3, 2, 4, payload, sizeof payload); /* as a newer firmware would */
    reboot();
    cr_assert(faults().flags & MTR_STORE_FAULT_VERSION);
    cr_assert_eq(faults().version, 1u);
    cr_assert_eq(faults().crc, 0u);
    cr_assert_eq(ring_count(ID_LP), 4u);
    uint8_t buf[64];
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 3, buf, sizeof buf, NULL, NULL),
                 MTR_ERR_STORE_VERSION);
    ring_append(ID_LP, 4);
    uint32_t seq;
    cr_assert_eq(mtr_store_read(&f.st, ID_LP, 4, buf, sizeof buf, NULL, &seq), MTR_OK);
    cr_assert_eq(seq, 5u, "numbering goes on after the newer record");
    /* A forged version-1 record built from the documented layout loads. */
    ring_make(ID_LP, 77, payload, sizeof payload);
    forge_record(5, 1, 6, payload, sizeof payload);
    reboot();
    cr_assert_eq(ring_k(ID_LP, 5), 77u);
}

Test(store_corrupt, newer_snapshot_keeps_the_last_good_state, .fini = teardown)
{
    open_geo(GEO_NOR1);
    energy_commit(0);
    energy_commit(1);
    uint8_t *p = mtr_sim_nvm_data(&f.sim) + slot_addr(ID_ENERGY, 1);
    /* re-label the newest copy as version 2, with a matching CRC */
    uint8_t rec[12 + ENERGY_SIZE];
    memcpy(rec, p + 4, sizeof rec);
    rec[2] = 2;
    memcpy(p + 4, rec, sizeof rec);
    mtr_put_be32(p + 4 + sizeof rec, mtr_crc32(rec, sizeof rec));
    reboot();
    cr_assert_eq(energy_loaded(), 0);
    cr_assert(faults().flags & MTR_STORE_FAULT_VERSION);
    cr_assert(faults().flags & MTR_STORE_FAULT_FALLBACK);
}

/* Random bit flips anywhere in the used NVM: the store never hands out a
 * damaged or mixed value, and a lost state is always reported. */
static void store_corrupt_random_bit_flips(const enum geo *g);

Test(store_corrupt, random_bit_flips_nor_write_unit_1, .fini = teardown)
{
    store_corrupt_random_bit_flips(&(enum geo){GEO_NOR1});
}
Test(store_corrupt, random_bit_flips_nor_write_unit_8, .fini = teardown)
{
    store_corrupt_random_bit_flips(&(enum geo){GEO_NOR8});
}
Test(store_corrupt, random_bit_flips_eeprom, .fini = teardown)
{
    store_corrupt_random_bit_flips(&(enum geo){GEO_EEPROM});
}

static void store_corrupt_random_bit_flips(const enum geo *g)
{
    uint64_t r = 0x9e3779b97f4a7c15u;
    uint32_t reported = 0;
    for (uint32_t round = 0; round < 300; round++) {
        open_geo(*g);
        for (uint32_t i = 0; i < 7; i++) {
            energy_commit(i);
            ring_append(ID_LP, i);
        }
        int flips = 1 + (int)(round % 3);
        for (int b = 0; b < flips; b++) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            uint32_t addr = (uint32_t)(r % (4u * FX_SECTOR)); /* energy and LP sectors */
            mtr_sim_nvm_data(&f.sim)[addr] ^= (uint8_t)(1u << ((r >> 32) % 8u));
        }
        reboot();
        int64_t e = energy_loaded(); /* checks the value is one whole commit */
        struct mtr_store_faults fl = faults();
        if (e != 6) {
            cr_assert(fl.flags & (MTR_STORE_FAULT_CRC | MTR_STORE_FAULT_FALLBACK),
                      "round %u: state %lld without a report", round, (long long)e);
        }
        struct mtr_store_iter it;
        uint8_t buf[64];
        uint8_t want[64];
        size_t len;
        mtr_store_iter_init(&it, ID_LP);
        uint32_t n = 0;
        int64_t prev = -1;
        while (mtr_store_iter_next(&f.st, &it, buf, sizeof buf, &len, NULL) == MTR_OK) {
            uint32_t k = mtr_get_be32(buf);
            ring_make(ID_LP, k, want, LP_SIZE);
            cr_assert_arr_eq(buf, want, LP_SIZE);
            cr_assert_gt((int64_t)k, prev);
            prev = k;
            n++;
        }
        if (n < 7) {
            cr_assert_neq(fl.flags, 0u, "round %u: ring records lost silently", round);
        }
        reported += fl.flags != 0;
        fx_close(&f);
    }
    cr_assert_gt(reported, 100u);
    f = (struct fx){0};
    fx_open(&f, *g); /* for the teardown */
}
