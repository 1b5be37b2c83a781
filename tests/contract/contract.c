/* SPDX-License-Identifier: Apache-2.0 */
/* HAL contract tests. Freestanding: they also run on boards. */
#include "contract.h"

#include <string.h>

struct ctx {
    const struct mtr_contract_target *t;
    const struct mtr_hal *hal;
    struct mtr_nvm_info info;
    mtr_contract_report_fn report;
    void *user;
    int failures;
    const char *detail; /* set by a failing check */
};

#define CHECK(c, cond, msg)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            (c)->detail = (msg);                                                                   \
            return MTR_CONTRACT_FAIL;                                                              \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------ nvm helpers */

static mtr_err_t nvm_read(struct ctx *c, uint32_t addr, void *buf, size_t len)
{
    return c->hal->nvm->read(c->hal->ctx, addr, buf, len);
}

static mtr_err_t nvm_write(struct ctx *c, uint32_t addr, const void *buf, size_t len)
{
    return c->hal->nvm->write(c->hal->ctx, addr, buf, len);
}

static mtr_err_t nvm_erase(struct ctx *c, uint32_t addr, size_t len)
{
    if (c->hal->nvm->erase != NULL) {
        return c->hal->nvm->erase(c->hal->ctx, addr, len);
    }
    /* No erase op: an overwrite device; fill with the erased value. */
    uint8_t fill[64];
    size_t chunk = c->info.write_unit > sizeof fill ? 0 : sizeof fill - sizeof fill % c->info.write_unit;
    if (chunk == 0) {
        return MTR_ERR_NOTSUP; /* the contract supports write units up to 64 bytes */
    }
    memset(fill, c->info.erased, sizeof fill);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        mtr_err_t rc = nvm_write(c, (uint32_t)(addr + off), fill, n);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    return MTR_OK;
}

static bool all_equal(const uint8_t *p, size_t len, uint8_t v)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

static uint8_t pattern(uint32_t i, uint8_t salt)
{
    /* Never the erased value of either kind, so that a write is visible. */
    uint8_t v = (uint8_t)((i * 37u + salt) & 0x7Fu);
    return (uint8_t)(v == 0 ? 0x5A : v);
}

static void fill_pattern(uint8_t *p, size_t len, uint8_t salt)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = pattern((uint32_t)i, salt);
    }
}

/* Last sector: tests write there, far from what a port may keep at 0. */
static uint32_t test_sector(const struct ctx *c)
{
    return c->info.size - c->info.sector_size;
}

/* ------------------------------------------------------------------ tests */

static enum mtr_contract_result t_nvm_info(struct ctx *c)
{
    CHECK(c, c->info.size > 0 && c->info.sector_size > 0, "size and sector size must be > 0");
    CHECK(c, (c->info.sector_size & (c->info.sector_size - 1u)) == 0, "sector size not a power of 2");
    CHECK(c, (c->info.write_unit & (c->info.write_unit - 1u)) == 0 && c->info.write_unit != 0,
          "write unit not a power of 2");
    CHECK(c, c->info.write_unit <= 64u, "write units above 64 bytes are not supported");
    CHECK(c, c->info.size % c->info.sector_size == 0, "size not a multiple of the sector size");
    CHECK(c, c->info.size >= 2u * c->info.sector_size, "fewer than 2 sectors");
    CHECK(c, c->t->scratch_size >= 2u * c->info.sector_size + 64u, "scratch buffer too small");
    CHECK(c, mtr_hal_check(c->hal) == MTR_OK, "mtr_hal_check rejects the HAL");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_erase(struct ctx *c)
{
    uint32_t base = test_sector(c);
    uint8_t *buf = c->t->scratch;
    uint32_t ss = c->info.sector_size;
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase of the last sector failed");
    CHECK(c, nvm_read(c, base, buf, ss) == MTR_OK, "read after erase failed");
    CHECK(c, all_equal(buf, ss, c->info.erased), "erased sector does not read as erased");
    if (c->hal->nvm->erase != NULL && ss > 1) {
        CHECK(c, c->hal->nvm->erase(c->hal->ctx, base - ss + 1u, ss) == MTR_ERR_ALIGN,
              "misaligned erase address not rejected with MTR_ERR_ALIGN");
        CHECK(c, c->hal->nvm->erase(c->hal->ctx, base, ss - 1u) == MTR_ERR_ALIGN,
              "partial-sector erase not rejected with MTR_ERR_ALIGN");
    }
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_read_after_write(struct ctx *c)
{
    uint32_t base = test_sector(c);
    uint32_t ss = c->info.sector_size;
    uint8_t *want = c->t->scratch;
    uint8_t *got = c->t->scratch + ss;
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase failed");
    fill_pattern(want, ss, 3);
    CHECK(c, nvm_write(c, base, want, ss) == MTR_OK, "write of a whole sector failed");
    memset(got, 0, ss);
    CHECK(c, nvm_read(c, base, got, ss) == MTR_OK, "read back failed");
    CHECK(c, memcmp(want, got, ss) == 0, "read back differs from what was written");
    /* The neighbouring sector is untouched by a write next to it. */
    CHECK(c, nvm_erase(c, base - ss, ss) == MTR_OK, "erase of the previous sector failed");
    CHECK(c, nvm_read(c, base, got, ss) == MTR_OK && memcmp(want, got, ss) == 0,
          "erasing one sector changed the next");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_unaligned(struct ctx *c)
{
    uint32_t base = test_sector(c);
    uint32_t wu = c->info.write_unit;
    uint8_t *want = c->t->scratch;
    uint8_t *got = c->t->scratch + c->info.sector_size;
    CHECK(c, nvm_erase(c, base, c->info.sector_size) == MTR_OK, "erase failed");
    fill_pattern(want, 64, 9);
    CHECK(c, nvm_write(c, base, want, 64) == MTR_OK, "write failed");
    /* Reads at every alignment and odd lengths return the right bytes. */
    for (uint32_t off = 0; off < 8; off++) {
        for (uint32_t len = 1; len <= 9; len += 4) {
            memset(got, 0, len);
            CHECK(c, nvm_read(c, base + off, got, len) == MTR_OK, "unaligned read failed");
            CHECK(c, memcmp(got, want + off, len) == 0, "unaligned read returned wrong bytes");
        }
    }
    if (wu == 1) {
        fill_pattern(want, 7, 11);
        CHECK(c, nvm_write(c, base + 65u, want, 7) == MTR_OK, "odd write on a 1-byte unit failed");
        CHECK(c, nvm_read(c, base + 65u, got, 7) == MTR_OK && memcmp(want, got, 7) == 0,
              "odd write read back wrong");
        return MTR_CONTRACT_PASS;
    }
    uint8_t before[8];
    CHECK(c, nvm_read(c, base + 64u, before, 8) == MTR_OK, "read failed");
    CHECK(c, nvm_write(c, base + 65u, want, wu) == MTR_ERR_ALIGN,
          "misaligned write address not rejected with MTR_ERR_ALIGN");
    CHECK(c, nvm_write(c, base + 64u, want, wu - 1u) == MTR_ERR_ALIGN,
          "write length not a multiple of write_unit not rejected");
    CHECK(c, nvm_read(c, base + 64u, got, 8) == MTR_OK && memcmp(before, got, 8) == 0,
          "a rejected write changed the memory");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_zero_length(struct ctx *c)
{
    uint32_t base = test_sector(c);
    uint8_t b[4] = {0};
    CHECK(c, nvm_erase(c, base, c->info.sector_size) == MTR_OK, "erase failed");
    CHECK(c, nvm_read(c, base, b, 0) == MTR_OK, "zero-length read not OK");
    CHECK(c, nvm_write(c, base, b, 0) == MTR_OK, "zero-length write not OK");
    CHECK(c, nvm_read(c, c->info.size, b, 0) == MTR_OK, "zero-length read at the end not OK");
    CHECK(c, nvm_write(c, base + 1u, b, 0) == MTR_OK,
          "zero-length write at an unaligned address not OK");
    CHECK(c, nvm_read(c, c->info.size + 1u, b, 0) == MTR_ERR_RANGE,
          "zero-length read past the end not MTR_ERR_RANGE");
    if (c->hal->nvm->erase != NULL) {
        CHECK(c, c->hal->nvm->erase(c->hal->ctx, base, 0) == MTR_OK, "zero-length erase not OK");
    }
    CHECK(c, nvm_read(c, base, b, sizeof b) == MTR_OK && all_equal(b, sizeof b, c->info.erased),
          "a zero-length write changed the memory");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_bounds(struct ctx *c)
{
    uint32_t size = c->info.size;
    uint32_t wu = c->info.write_unit;
    uint32_t last = test_sector(c);
    uint8_t *buf = c->t->scratch;
    CHECK(c, nvm_erase(c, last, c->info.sector_size) == MTR_OK, "erase failed");
    memset(buf, 0, 2u * wu);
    CHECK(c, nvm_read(c, size - 1u, buf, 1) == MTR_OK, "read of the last byte failed");
    CHECK(c, nvm_read(c, size - 1u, buf, 2) == MTR_ERR_RANGE, "read past the end not MTR_ERR_RANGE");
    CHECK(c, nvm_read(c, size, buf, 1) == MTR_ERR_RANGE, "read at size not MTR_ERR_RANGE");
    CHECK(c, nvm_read(c, 0xFFFFFFFFu, buf, 2) == MTR_ERR_RANGE,
          "read whose end wraps around 2^32 not MTR_ERR_RANGE");
    CHECK(c, nvm_write(c, size - wu, buf, 2u * wu) == MTR_ERR_RANGE,
          "write past the end not MTR_ERR_RANGE");
    CHECK(c, nvm_write(c, 0xFFFFFFFFu - (wu - 1u), buf, 2u * wu) == MTR_ERR_RANGE,
          "write whose end wraps not MTR_ERR_RANGE");
    if (c->hal->nvm->erase != NULL) {
        CHECK(c, c->hal->nvm->erase(c->hal->ctx, last, 2u * c->info.sector_size) == MTR_ERR_RANGE,
              "erase past the end not MTR_ERR_RANGE");
    }
    CHECK(c, nvm_read(c, last, buf, c->info.sector_size) == MTR_OK &&
                 all_equal(buf, c->info.sector_size, c->info.erased),
          "a rejected out-of-range write changed the last sector");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_torn_write(struct ctx *c)
{
    if (c->t->cut_power_after == NULL || c->t->restore_power == NULL) {
        c->detail = "no power-cut injection on this target";
        return MTR_CONTRACT_SKIP;
    }
    uint32_t base = test_sector(c);
    uint32_t ss = c->info.sector_size;
    uint32_t wu = c->info.write_unit;
    uint8_t neu[256];
    uint32_t len = 16u * wu < 64u ? 64u : 16u * wu;
    len = len > sizeof neu ? (uint32_t)sizeof neu : len;
    len = len > ss ? ss : len;
    uint32_t cut = 8u * wu + (wu > 1 ? wu / 2u : 3u); /* inside a write unit when wu > 1 */
    uint8_t *old = c->t->scratch;
    uint8_t *got = c->t->scratch + ss;
    CHECK(c, cut < len, "sector too small for the torn-write test");
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase failed");
    CHECK(c, nvm_read(c, base, old, len) == MTR_OK, "read failed");
    fill_pattern(neu, len, 21);
    c->t->cut_power_after(c->t->hook_ctx, cut);
    mtr_err_t rc = nvm_write(c, base, neu, len);
    c->t->restore_power(c->t->hook_ctx);
    CHECK(c, rc == MTR_ERR_POWER, "write interrupted by a power cut did not return MTR_ERR_POWER");
    CHECK(c, nvm_read(c, base, got, len) == MTR_OK, "read after power restore failed");
    /* Programmed units before the cut hold new data; bytes after it are old. */
    uint32_t done = cut - cut % wu;
    CHECK(c, memcmp(got, neu, done) == 0, "bytes written before the cut were lost");
    uint32_t after = done + wu;
    CHECK(c, memcmp(got + after, old + after, len - after) == 0,
          "bytes after the cut changed");
    /* Every bit of the torn unit holds its old or its new value. */
    for (uint32_t i = done; i < after; i++) {
        CHECK(c, ((got[i] ^ old[i]) & (got[i] ^ neu[i])) == 0,
              "torn byte has bits that are neither old nor new");
    }
    /* After the cut the device works again. */
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase after power restore failed");
    CHECK(c, nvm_write(c, base, neu, len) == MTR_OK, "write after power restore failed");
    CHECK(c, nvm_read(c, base, got, len) == MTR_OK && memcmp(got, neu, len) == 0,
          "read after power restore differs");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_torn_erase(struct ctx *c)
{
    if (c->t->cut_power_after == NULL || c->t->restore_power == NULL ||
        c->hal->nvm->erase == NULL) {
        c->detail = "no power-cut injection or no erase op on this target";
        return MTR_CONTRACT_SKIP;
    }
    uint32_t base = test_sector(c);
    uint32_t ss = c->info.sector_size;
    uint8_t *buf = c->t->scratch;
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase failed");
    fill_pattern(buf, 64, 5);
    CHECK(c, nvm_write(c, base, buf, 64) == MTR_OK, "write failed");
    c->t->cut_power_after(c->t->hook_ctx, ss / 2u);
    mtr_err_t rc = c->hal->nvm->erase(c->hal->ctx, base, ss);
    c->t->restore_power(c->t->hook_ctx);
    CHECK(c, rc == MTR_ERR_POWER, "erase interrupted by a power cut did not return MTR_ERR_POWER");
    CHECK(c, nvm_erase(c, base, ss) == MTR_OK, "erase after power restore failed");
    CHECK(c, nvm_read(c, base, buf, ss) == MTR_OK && all_equal(buf, ss, c->info.erased),
          "sector not erased after a second erase");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_nvm_power_off(struct ctx *c)
{
    if (c->t->cut_power_after == NULL || c->t->restore_power == NULL) {
        c->detail = "no power-cut injection on this target";
        return MTR_CONTRACT_SKIP;
    }
    uint32_t base = test_sector(c);
    uint32_t wu = c->info.write_unit;
    uint8_t b[16];
    fill_pattern(b, sizeof b, 1);
    CHECK(c, nvm_erase(c, base, c->info.sector_size) == MTR_OK, "erase failed");
    c->t->cut_power_after(c->t->hook_ctx, 0);
    CHECK(c, nvm_write(c, base, b, wu) == MTR_ERR_POWER, "write with power off not MTR_ERR_POWER");
    c->t->restore_power(c->t->hook_ctx);
    CHECK(c, nvm_read(c, base, b, sizeof b) == MTR_OK && all_equal(b, sizeof b, c->info.erased),
          "a write with power off changed the memory");
    return MTR_CONTRACT_PASS;
}

/* ------------------------------------------------------------------ clock */

static mtr_err_t ms_now(struct ctx *c, mtr_ms_t *ms)
{
    return c->hal->clock->ms_now(c->hal->ctx, ms);
}

/* Let at least @p ms pass; false if the clock did not move. */
static bool wait_ms(struct ctx *c, uint32_t ms)
{
    if (c->t->advance_ms != NULL) {
        c->t->advance_ms(c->t->hook_ctx, ms);
        return true;
    }
    mtr_ms_t start;
    mtr_ms_t now;
    if (ms_now(c, &start) != MTR_OK) {
        return false;
    }
    for (uint32_t spins = 0; spins < 200000000u; spins++) {
        if (ms_now(c, &now) != MTR_OK) {
            return false;
        }
        if (now - start >= ms) {
            return true;
        }
    }
    return false;
}

static enum mtr_contract_result t_clock_monotonic(struct ctx *c)
{
    mtr_ms_t prev;
    mtr_ms_t now;
    CHECK(c, ms_now(c, &prev) == MTR_OK, "ms_now failed");
    for (int i = 0; i < 20; i++) {
        CHECK(c, wait_ms(c, 1), "the millisecond counter does not advance");
        CHECK(c, ms_now(c, &now) == MTR_OK, "ms_now failed");
        CHECK(c, (int32_t)(now - prev) > 0, "the millisecond counter went backwards or stalled");
        CHECK(c, now - prev < 1000u, "the millisecond counter jumped");
        prev = now;
    }
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_clock_wrap(struct ctx *c)
{
    if (c->t->set_ms == NULL) {
        c->detail = "no way to set the millisecond counter on this target";
        return MTR_CONTRACT_SKIP;
    }
    mtr_ms_t prev;
    mtr_ms_t now;
    c->t->set_ms(c->t->hook_ctx, 0xFFFFFFFFu - 20u);
    CHECK(c, ms_now(c, &prev) == MTR_OK, "ms_now failed");
    CHECK(c, prev >= 0xFFFFFFFFu - 40u, "set_ms had no effect");
    bool wrapped = false;
    for (int i = 0; i < 60 && !wrapped; i++) {
        CHECK(c, wait_ms(c, 1), "the millisecond counter does not advance");
        CHECK(c, ms_now(c, &now) == MTR_OK, "ms_now failed");
        CHECK(c, mtr_ms_reached(now, prev) && now - prev < 1000u,
              "counter not monotonic across 2^32 (wrap-safe compare)");
        wrapped = now < prev;
        prev = now;
    }
    CHECK(c, wrapped, "the counter did not wrap from 0xFFFFFFFF to 0");
    CHECK(c, prev < 1000u, "after the wrap the counter is not near 0");
    return MTR_CONTRACT_PASS;
}

static enum mtr_contract_result t_rtc(struct ctx *c)
{
    const struct mtr_clock_ops *clk = c->hal->clock;
    if (clk->rtc_set == NULL) {
        mtr_utc_t utc;
        mtr_err_t rc = clk->rtc_get(c->hal->ctx, &utc);
        CHECK(c, rc == MTR_OK || rc == MTR_ERR_RTC_INVALID, "rtc_get returned an undocumented error");
        c->detail = "rtc_set is NULL: only rtc_get checked";
        return MTR_CONTRACT_SKIP;
    }
    const mtr_utc_t t0 = 1764547200; /* 2025-12-01T00:00:00Z */
    mtr_utc_t got = 0;
    CHECK(c, clk->rtc_set(c->hal->ctx, t0) == MTR_OK, "rtc_set failed");
    CHECK(c, clk->rtc_get(c->hal->ctx, &got) == MTR_OK, "rtc_get after rtc_set not MTR_OK");
    CHECK(c, got >= t0 && got <= t0 + 1, "rtc_get does not return what rtc_set stored");
    CHECK(c, wait_ms(c, 2100), "time does not pass");
    CHECK(c, clk->rtc_get(c->hal->ctx, &got) == MTR_OK, "rtc_get failed");
    CHECK(c, got >= t0 + 2 && got <= t0 + 3, "the RTC does not count seconds");
    /* Past 2038 and 2106: int64 seconds. */
    const mtr_utc_t far = 4294967296LL + 86400; /* 2106-02-08 */
    mtr_err_t rc = clk->rtc_set(c->hal->ctx, far);
    CHECK(c, rc == MTR_OK || rc == MTR_ERR_RANGE, "rtc_set beyond 2106: undocumented error");
    if (rc == MTR_OK) {
        CHECK(c, clk->rtc_get(c->hal->ctx, &got) == MTR_OK && got >= far && got <= far + 1,
              "the RTC truncates times past 2106");
    }
    CHECK(c, clk->rtc_set(c->hal->ctx, t0) == MTR_OK, "rtc_set failed");
    return MTR_CONTRACT_PASS;
}

/* ------------------------------------------------------------------ run */

struct contract_test {
    const char *name;
    enum mtr_contract_result (*fn)(struct ctx *c);
};

static const struct contract_test tests[] = {
    {"nvm_info", t_nvm_info},
    {"nvm_erase", t_nvm_erase},
    {"nvm_read_after_write", t_nvm_read_after_write},
    {"nvm_unaligned", t_nvm_unaligned},
    {"nvm_zero_length", t_nvm_zero_length},
    {"nvm_bounds", t_nvm_bounds},
    {"nvm_torn_write", t_nvm_torn_write},
    {"nvm_torn_erase", t_nvm_torn_erase},
    {"nvm_power_off", t_nvm_power_off},
    {"clock_monotonic", t_clock_monotonic},
    {"clock_wrap", t_clock_wrap},
    {"rtc_set_get", t_rtc},
};

int mtr_contract_run(const struct mtr_contract_target *t, mtr_contract_report_fn report,
                     void *user)
{
    struct ctx c = {.t = t, .hal = t->hal, .report = report, .user = user};
    if (t->hal == NULL || t->hal->nvm == NULL || t->hal->nvm->info == NULL ||
        t->hal->nvm->info(t->hal->ctx, &c.info) != MTR_OK || t->scratch == NULL) {
        report("hal_present", MTR_CONTRACT_FAIL, "no HAL, no nvm.info, or no scratch buffer", user);
        return 1;
    }
    bool info_ok = true;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        c.detail = "";
        enum mtr_contract_result r;
        if (!info_ok) {
            r = MTR_CONTRACT_FAIL;
            c.detail = "NVM geometry unusable (see nvm_info)";
        } else {
            r = tests[i].fn(&c);
        }
        if (i == 0 && r != MTR_CONTRACT_PASS) {
            info_ok = false;
        }
        if (r == MTR_CONTRACT_FAIL) {
            c.failures++;
        }
        report(tests[i].name, r, c.detail, user);
    }
    return c.failures;
}
