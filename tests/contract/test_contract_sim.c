/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
/* The HAL contract against the sim, in every NVM geometry the sim offers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "sim.h"

static uint8_t scratch[2 * 8192 + 64];

static void cut(void *ctx, uint32_t bytes)
{
    mtr_sim_nvm_cut_after(ctx, bytes);
}

static void restore(void *ctx)
{
    mtr_sim_nvm_restore(ctx);
}

static void set_ms(void *ctx, mtr_ms_t ms)
{
    mtr_sim_set_ms(ctx, ms);
}

static void advance(void *ctx, uint32_t ms)
{
    mtr_sim_advance(ctx, ms);
}

struct tally {
    int pass, fail, skip;
};

static void report(const char *name, enum mtr_contract_result r, const char *detail, void *user)
{
    struct tally *t = user;
    if (r == MTR_CONTRACT_PASS) {
        t->pass++;
    } else if (r == MTR_CONTRACT_SKIP) {
        t->skip++;
        cr_log_info("SKIP %s: %s", name, detail);
    } else {
        t->fail++;
        cr_log_info("FAIL %s: %s", name, detail);
    }
}

static void count_only(const char *name, enum mtr_contract_result r, const char *detail,
                       void *user)
{
    (void)name;
    (void)detail;
    struct tally *t = user;
    t->pass += r == MTR_CONTRACT_PASS;
    t->fail += r == MTR_CONTRACT_FAIL;
    t->skip += r == MTR_CONTRACT_SKIP;
}

static struct tally run(bool flash, uint32_t size, uint32_t sector, uint32_t wu, const char *path,
                        bool hooks)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.nvm_needs_erase = flash;
    cfg.nvm_size = size;
    cfg.nvm_sector_size = sector;
    cfg.nvm_write_unit = wu;
    cfg.nvm_path = path;
    struct mtr_sim sim;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    struct mtr_hal hal;
    mtr_sim_hal(&sim, &hal);
    struct mtr_contract_target t = {
        .hal = &hal, .hook_ctx = &sim, .scratch = scratch, .scratch_size = sizeof scratch,
    };
    t.advance_ms = advance; /* the sim's time only moves when told */
    if (hooks) {
        t.cut_power_after = cut;
        t.restore_power = restore;
        t.set_ms = set_ms;
    }
    struct tally tl = {0};
    int failures = mtr_contract_run(&t, report, &tl);
    cr_assert_eq(failures, tl.fail);
    mtr_sim_free(&sim);
    return tl;
}

Test(contract, sim_nor_flash_byte_writes)
{
    struct tally t = run(true, 256 * 1024, 4096, 1, NULL, true);
    cr_assert_eq(t.fail, 0);
    cr_assert_eq(t.skip, 0);
    cr_assert_eq(t.pass, 12);
}

Test(contract, sim_nor_flash_8_byte_units)
{
    struct tally t = run(true, 64 * 1024, 2048, 8, NULL, true);
    cr_assert_eq(t.fail, 0);
    cr_assert_eq(t.skip, 0);
}

Test(contract, sim_eeprom)
{
    struct tally t = run(false, 8 * 1024, 256, 1, NULL, true);
    cr_assert_eq(t.fail, 0);
    cr_assert_eq(t.skip, 0);
}

Test(contract, sim_file_backed)
{
    char path[] = "/tmp/mtr-contract-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path);
    struct tally t = run(true, 32 * 1024, 4096, 4, path, true);
    unlink(path);
    cr_assert_eq(t.fail, 0);
    cr_assert_eq(t.skip, 0);
}

Test(contract, without_hooks_the_fault_tests_skip_not_pass)
{
    struct tally t = run(true, 64 * 1024, 4096, 1, NULL, false);
    cr_assert_eq(t.fail, 0);
    cr_assert_eq(t.skip, 4, "torn write, torn erase, power off and clock wrap need hooks");
}

/* A HAL that breaks the contract is caught: bounds not checked. */
static const struct mtr_nvm_ops *real_nvm;
static mtr_err_t sloppy_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    mtr_err_t rc = real_nvm->read(ctx, addr, buf, len);
    return rc == MTR_ERR_RANGE ? MTR_OK : rc;
}

Test(contract, detects_a_broken_hal)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    struct mtr_sim sim;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    struct mtr_hal hal;
    mtr_sim_hal(&sim, &hal);
    real_nvm = hal.nvm;
    struct mtr_nvm_ops broken = *hal.nvm;
    broken.read = sloppy_read;
    hal.nvm = &broken;
    struct mtr_contract_target t = {.hal = &hal, .hook_ctx = &sim, .scratch = scratch,
                                    .scratch_size = sizeof scratch, .advance_ms = advance};
    struct tally tl = {0};
    cr_assert_gt(mtr_contract_run(&t, count_only, &tl), 0);
    cr_assert_geq(tl.fail, 1);
    cr_assert_eq(tl.pass + tl.fail + tl.skip, 12, "every test reported once");
    cr_assert_geq(tl.pass, 5, "the tests a range fault does not touch still pass");
    mtr_sim_free(&sim);
}
