/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut torture. A scripted workload (energy snapshot commits whose
 * registers only grow, profile-like and log-like ring appends) is cut at every
 * byte the NVM programs or erases, each time re-run from scratch, and again
 * at random points over half a year of 15-minute periods. After each cut the
 * power returns, the store is re-initialised as at a reboot, and the
 * recovered state is checked against a model of what was committed:
 * committed values are all present, nothing is duplicated or out of order,
 * registers never go backwards, and only the operation in progress at the cut
 * may be lost. A power cut must never look like NVM corruption.
 */
#include "store_fixture.h"

#define MAX_OPS         40000u
#define HALF_YEAR_OPS   (182u * 96u) /* 15-minute periods */
#define MIN_RANDOM_CUTS 10000u

enum { OP_NONE = 0, OP_OK = 1, OP_MAYBE = 2 }; /* MAYBE: interrupted by the cut */

struct model {
    uint8_t energy[MAX_OPS];
    uint8_t lp[MAX_OPS];
    uint8_t log[MAX_OPS];
    int64_t energy_ok;     /* newest commit that returned OK, -1 if none */
    int64_t energy_loaded; /* newest value seen after a reboot, -1 if none */
    uint32_t nops;         /* operations started */
};

static struct model m;
static uint8_t present[MAX_OPS];

static void model_reset(uint32_t ops)
{
    memset(m.energy, 0, ops);
    memset(m.lp, 0, ops);
    memset(m.log, 0, ops);
    m.energy_ok = -1;
    m.energy_loaded = -1;
    m.nops = 0;
}

/* A log event in about one period out of three, irregularly. */
static bool log_due(uint32_t i)
{
    return ((i * 2654435761u) >> 28) < 5u;
}

static mtr_err_t step(mtr_err_t rc, uint8_t *state)
{
    cr_assert(rc == MTR_OK || rc == MTR_ERR_POWER, "unexpected %s", mtr_strerror(rc));
    *state = rc == MTR_OK ? OP_OK : OP_MAYBE;
    return rc;
}

/* One 15-minute period: commit the registers, log a profile entry, maybe an event. */
static mtr_err_t run_op(struct fx *f, uint32_t i)
{
    uint8_t buf[64];
    m.nops = i + 1u;
    energy_make(i, buf);
    mtr_err_t rc = step(mtr_store_commit(&f->st, ID_ENERGY, buf, ENERGY_SIZE), &m.energy[i]);
    if (rc != MTR_OK) {
        return rc;
    }
    m.energy_ok = i;
    ring_make(ID_LP, i, buf, LP_SIZE);
    rc = step(mtr_store_append(&f->st, ID_LP, buf, LP_SIZE), &m.lp[i]);
    if (rc != MTR_OK || !log_due(i)) {
        return rc;
    }
    ring_make(ID_LOG, i, buf, LOG_SIZE);
    return step(mtr_store_append(&f->st, ID_LOG, buf, LOG_SIZE), &m.log[i]);
}

static void check_energy(struct fx *f)
{
    uint8_t buf[ENERGY_SIZE];
    uint8_t want[ENERGY_SIZE];
    size_t len;
    mtr_err_t rc = mtr_store_load(&f->st, ID_ENERGY, buf, sizeof buf, &len, NULL);
    if (rc == MTR_ERR_NOENT) {
        cr_assert_eq(m.energy_ok, -1, "committed registers lost");
        return;
    }
    cr_assert_eq(rc, MTR_OK);
    cr_assert_eq(len, ENERGY_SIZE);
    uint64_t idx = mtr_get_be64(buf) - 1u;
    cr_assert_lt(idx, m.nops);
    energy_make((uint32_t)idx, want);
    cr_assert_arr_eq(buf, want, ENERGY_SIZE, "registers mixed from two commits");
    cr_assert_neq(m.energy[idx], OP_NONE);
    cr_assert_geq((int64_t)idx, m.energy_ok, "registers went backwards");
    cr_assert_geq((int64_t)idx, m.energy_loaded, "registers went backwards");
    m.energy_loaded = (int64_t)idx;
}

static void check_ring(struct fx *f, uint16_t id, const uint8_t *state)
{
    uint8_t buf[64];
    uint8_t want[64];
    uint32_t ks[128];
    uint32_t n = 0;
    size_t len;
    struct mtr_store_iter it;
    mtr_store_iter_init(&it, id);
    mtr_err_t rc;
    while ((rc = mtr_store_iter_next(&f->st, &it, buf, sizeof buf, &len, NULL)) == MTR_OK) {
        cr_assert_lt(n, 128u);
        cr_assert_eq(len, ring_size(id));
        uint32_t k = mtr_get_be32(buf);
        ring_make(id, k, want, len);
        cr_assert_arr_eq(buf, want, len, "ring record %u damaged", k);
        cr_assert_lt(k, m.nops);
        cr_assert_neq(state[k], OP_NONE, "record %u was never written", k);
        cr_assert(n == 0 || k > ks[n - 1], "ring %u: %u after %u", id, k, ks[n - 1]);
        ks[n++] = k;
    }
    cr_assert_eq(rc, MTR_ERR_EMPTY);
    for (uint32_t j = 0; j < n; j++) {
        present[ks[j]] = 1;
    }
    /* Nothing committed is missing after the oldest record kept... */
    for (uint32_t k = n > 0 ? ks[0] : m.nops; k < m.nops; k++) {
        cr_assert(state[k] != OP_OK || present[k], "ring %u lost committed %u", id, k);
    }
    /* ...and the ring keeps at least its capacity of the latest writes. */
    uint32_t cap;
    cr_assert_eq(mtr_store_capacity(&f->st, id, &cap), MTR_OK);
    for (uint32_t k = m.nops, seen = 0; k-- > 0 && seen < cap;) {
        seen += state[k] != OP_NONE;
        cr_assert(state[k] != OP_OK || present[k], "ring %u dropped recent %u", id, k);
    }
    for (uint32_t j = 0; j < n; j++) {
        present[ks[j]] = 0;
    }
}

/* Power returns; the store starts again from what the NVM holds. */
static void reboot_and_check(struct fx *f)
{
    mtr_sim_nvm_restore(&f->sim);
    cr_assert_eq(fx_boot(f), MTR_OK);
    struct mtr_store_faults faults;
    mtr_store_faults(&f->st, &faults);
    cr_assert_eq(faults.crc, 0u, "a power cut looked like corruption");
    cr_assert_eq(faults.flags & (MTR_STORE_FAULT_FALLBACK | MTR_STORE_FAULT_VERSION |
                                 MTR_STORE_FAULT_LOST | MTR_STORE_FAULT_CRC),
                 0u);
    check_energy(f);
    check_ring(f, ID_LP, m.lp);
    check_ring(f, ID_LOG, m.log);
}

#define EVERY_BYTE_OPS 30u

static void every_byte(enum geo g, const char *name)
{
    static struct fx f;
    uint32_t cuts = 0;
    for (uint32_t cut = 0;; cut++) {
        fx_open(&f, g);
        model_reset(EVERY_BYTE_OPS);
        mtr_sim_nvm_cut_after(&f.sim, cut);
        bool was_cut = false;
        for (uint32_t i = 0; i < EVERY_BYTE_OPS; i++) {
            if (run_op(&f, i) == MTR_ERR_POWER) {
                cr_assert(!was_cut);
                was_cut = true;
                reboot_and_check(&f); /* then go on working after the cut */
            }
        }
        reboot_and_check(&f);
        fx_close(&f);
        if (!was_cut) {
            break;
        }
        cuts++;
    }
    cr_log_info("store torture %s: %u cuts, one at every byte", name, cuts);
    cr_assert_gt(cuts, 2000u);
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

static void random_cuts(enum geo g, const char *name, uint64_t seed)
{
    static struct fx f;
    rng_state = seed;
    fx_open(&f, g);
    model_reset(MAX_OPS);
    /* A cut every period or two: up to two periods' worth of bytes. */
    uint32_t span = g == GEO_EEPROM ? 400u : 700u;
    uint32_t cuts = 0;
    uint32_t i = 0;
    mtr_sim_nvm_cut_after(&f.sim, rnd(span));
    while ((i < HALF_YEAR_OPS || cuts < MIN_RANDOM_CUTS) && i < MAX_OPS) {
        if (run_op(&f, i++) == MTR_ERR_POWER) {
            cuts++;
            reboot_and_check(&f);
            mtr_sim_nvm_cut_after(&f.sim, rnd(span));
        }
    }
    reboot_and_check(&f);
    fx_close(&f);
    cr_log_info("store torture %s: %u random cuts over %u periods (%u days)", name, cuts, i,
                i / 96u);
    cr_assert_geq(cuts, MIN_RANDOM_CUTS);
    cr_assert_geq(i, HALF_YEAR_OPS);
}

Test(store_torture, cut_at_every_byte_nor_write_unit_1, .timeout = 120)
{
    every_byte(GEO_NOR1, "NOR wu=1");
}

Test(store_torture, cut_at_every_byte_nor_write_unit_8, .timeout = 120)
{
    every_byte(GEO_NOR8, "NOR wu=8");
}

Test(store_torture, cut_at_every_byte_eeprom, .timeout = 120)
{
    every_byte(GEO_EEPROM, "EEPROM");
}

Test(store_torture, random_cuts_half_year_nor_write_unit_1, .timeout = 120)
{
    random_cuts(GEO_NOR1, "NOR wu=1", 0x1234567u);
}

Test(store_torture, random_cuts_half_year_nor_write_unit_8, .timeout = 120)
{
    random_cuts(GEO_NOR8, "NOR wu=8", 0x89abcdefu);
}

Test(store_torture, random_cuts_half_year_eeprom, .timeout = 120)
{
    random_cuts(GEO_EEPROM, "EEPROM", 0x2468aceu);
}
