/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
/* The sim HAL itself: what later engines' tests rely on. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static struct mtr_sim sim;
static struct mtr_hal hal;

static void make(bool flash, uint32_t wu, const char *path)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.nvm_size = 16u * 1024u;
    cfg.nvm_sector_size = 1024u;
    cfg.nvm_write_unit = wu;
    cfg.nvm_needs_erase = flash;
    cfg.nvm_path = path;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    mtr_sim_hal(&sim, &hal);
}

Test(sim_clock, advance_moves_counter_and_rtc_together)
{
    make(true, 1, NULL);
    mtr_utc_t u0;
    mtr_utc_t u1;
    mtr_ms_t m0;
    mtr_ms_t m1;
    hal.clock->rtc_get(hal.ctx, &u0);
    hal.clock->ms_now(hal.ctx, &m0);
    for (int i = 0; i < 25; i++) {
        mtr_sim_advance(&sim, 100);
    }
    hal.clock->rtc_get(hal.ctx, &u1);
    hal.clock->ms_now(hal.ctx, &m1);
    cr_assert_eq(m1 - m0, 2500u);
    cr_assert_eq(u1 - u0, 2, "2.5 s: the RTC shows 2 whole seconds");
    mtr_sim_advance(&sim, 500);
    hal.clock->rtc_get(hal.ctx, &u1);
    cr_assert_eq(u1 - u0, 3);
    mtr_sim_free(&sim);
}

Test(sim_clock, rtc_loss_and_set)
{
    make(true, 1, NULL);
    mtr_utc_t u;
    mtr_sim_rtc_lose(&sim);
    cr_assert_eq(hal.clock->rtc_get(hal.ctx, &u), MTR_ERR_RTC_INVALID);
    cr_assert_eq(hal.clock->rtc_set(hal.ctx, -1), MTR_ERR_RANGE);
    cr_assert_eq(hal.clock->rtc_get(hal.ctx, &u), MTR_ERR_RTC_INVALID, "a rejected set changes nothing");
    cr_assert_eq(hal.clock->rtc_set(hal.ctx, 2000000000), MTR_OK);
    cr_assert_eq(hal.clock->rtc_get(hal.ctx, &u), MTR_OK);
    cr_assert_eq(u, 2000000000);
    mtr_sim_free(&sim);
}

Test(sim_nvm, flash_writes_only_clear_bits)
{
    make(true, 1, NULL);
    uint8_t b = 0xF0;
    cr_assert_eq(hal.nvm->write(hal.ctx, 10, &b, 1), MTR_OK);
    b = 0x3C;
    cr_assert_eq(hal.nvm->write(hal.ctx, 10, &b, 1), MTR_OK);
    hal.nvm->read(hal.ctx, 10, &b, 1);
    cr_assert_eq(b, 0x30, "NOR flash: programming ANDs");
    mtr_sim_free(&sim);
}

Test(sim_nvm, eeprom_overwrites)
{
    make(false, 1, NULL);
    struct mtr_nvm_info info;
    hal.nvm->info(hal.ctx, &info);
    cr_assert_eq(info.erased, 0x00);
    cr_assert_not(info.needs_erase);
    uint8_t b = 0xF0;
    hal.nvm->write(hal.ctx, 10, &b, 1);
    b = 0x0F;
    hal.nvm->write(hal.ctx, 10, &b, 1);
    hal.nvm->read(hal.ctx, 10, &b, 1);
    cr_assert_eq(b, 0x0F);
    mtr_sim_free(&sim);
}

Test(sim_nvm, counts_writes_and_erases_per_sector)
{
    make(true, 1, NULL);
    uint8_t buf[1500] = {0};
    hal.nvm->erase(hal.ctx, 1024, 2048);          /* sectors 1, 2 */
    hal.nvm->write(hal.ctx, 1000, buf, sizeof buf); /* sectors 0, 1, 2 */
    hal.nvm->write(hal.ctx, 3000, buf, 10);         /* sector 2 */
    cr_assert_eq(mtr_sim_nvm_erases(&sim, 0), 0u);
    cr_assert_eq(mtr_sim_nvm_erases(&sim, 1), 1u);
    cr_assert_eq(mtr_sim_nvm_erases(&sim, 2), 1u);
    cr_assert_eq(mtr_sim_nvm_writes(&sim, 0), 1u);
    cr_assert_eq(mtr_sim_nvm_writes(&sim, 2), 2u);
    cr_assert_eq(mtr_sim_nvm_writes(&sim, 99), 0u);
    mtr_sim_free(&sim);
}

Test(sim_nvm, torn_write_byte_layout)
{
    make(false, 1, NULL);
    uint8_t neu[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    uint8_t got[8];
    mtr_sim_nvm_cut_after(&sim, 3);
    cr_assert_eq(hal.nvm->write(hal.ctx, 0, neu, 8), MTR_ERR_POWER);
    cr_assert_not(mtr_sim_nvm_powered(&sim));
    cr_assert_eq(hal.nvm->read(hal.ctx, 0, got, 8), MTR_ERR_POWER, "no access while power is off");
    mtr_sim_nvm_restore(&sim);
    hal.nvm->read(hal.ctx, 0, got, 8);
    cr_assert(got[0] == 0x11 && got[1] == 0x22 && got[2] == 0x33);
    cr_assert_eq(got[3], 0x40, "byte 3 half-programmed: new high nibble, old low nibble");
    cr_assert(got[4] == 0 && got[7] == 0);
    mtr_sim_free(&sim);
}

Test(sim_nvm, file_backing_survives_a_restart_including_a_torn_write)
{
    char path[] = "/tmp/mtr-sim-nvm-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path); /* start from no file */
    make(true, 1, path);
    uint8_t a[4] = {1, 2, 3, 4};
    hal.nvm->write(hal.ctx, 100, a, 4);
    mtr_sim_nvm_cut_after(&sim, 2);
    hal.nvm->write(hal.ctx, 200, a, 4);
    mtr_sim_free(&sim);
    make(true, 1, path);
    uint8_t got[4];
    hal.nvm->read(hal.ctx, 100, got, 4);
    cr_assert_eq(memcmp(got, a, 4), 0);
    hal.nvm->read(hal.ctx, 200, got, 4);
    cr_assert(got[0] == 1 && got[1] == 2 && got[3] == 0xFF);
    mtr_sim_free(&sim);
    /* A file of another size is refused, not reinterpreted. */
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.nvm_path = path;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_ERR_IO);
    unlink(path);
}

Test(sim_io, relays_feedback_and_stuck_contact)
{
    make(true, 1, NULL);
    bool fb;
    cr_assert_eq(hal.io->relay_set(hal.ctx, 0, true), MTR_OK);
    hal.io->relay_feedback(hal.ctx, 0, &fb);
    cr_assert(fb);
    mtr_sim_relay_stick(&sim, 0, true);
    mtr_sim_advance(&sim, 7);
    hal.io->relay_set(hal.ctx, 0, false);
    hal.io->relay_feedback(hal.ctx, 0, &fb);
    cr_assert(fb, "a stuck relay's feedback does not follow the command");
    cr_assert_not(mtr_sim_relay(&sim, 0));
    cr_assert_eq(mtr_sim_relay_ops(&sim, 0), 2u);
    cr_assert_eq(hal.io->relay_set(hal.ctx, 3, true), MTR_ERR_RANGE);
    struct mtr_sim_log_entry e;
    cr_assert(mtr_sim_relay_log(&sim, 1, &e));
    cr_assert(e.ms == 7 && e.which == 0 && e.value == 0);
    cr_assert_not(mtr_sim_relay_log(&sim, 2, &e));
    mtr_sim_free(&sim);
}

Test(sim_io, pulses_logged_and_overlap_refused)
{
    make(true, 1, NULL);
    cr_assert_eq(hal.io->pulse(hal.ctx, 0, 30), MTR_OK);
    mtr_sim_advance(&sim, 10);
    cr_assert_eq(hal.io->pulse(hal.ctx, 0, 30), MTR_ERR_BUSY);
    mtr_sim_advance(&sim, 20);
    cr_assert_eq(hal.io->pulse(hal.ctx, 0, 30), MTR_OK);
    cr_assert_eq(hal.io->pulse(hal.ctx, 2, 80), MTR_OK);
    cr_assert_eq(hal.io->pulse(hal.ctx, 7, 80), MTR_ERR_RANGE);
    cr_assert_eq(mtr_sim_pulses(&sim, 0), 2u);
    cr_assert_eq(mtr_sim_pulses(&sim, 2), 1u);
    struct mtr_sim_log_entry e;
    cr_assert(mtr_sim_pulse_log(&sim, 1, &e));
    cr_assert(e.ms == 30 && e.which == 0 && e.value == 30);
    mtr_sim_free(&sim);
}

Test(sim_io, inputs)
{
    make(true, 1, NULL);
    uint32_t in;
    mtr_sim_set_inputs(&sim, MTR_IN_BUTTON_1 | MTR_IN_MAIN_COVER);
    hal.io->inputs(hal.ctx, &in);
    cr_assert_eq(in, (uint32_t)(MTR_IN_BUTTON_1 | MTR_IN_MAIN_COVER));
    mtr_sim_free(&sim);
}

Test(sim_sys, entropy_is_reproducible_per_seed)
{
    make(true, 1, NULL);
    uint8_t a[32];
    uint8_t b[32];
    hal.sys->entropy(hal.ctx, a, sizeof a);
    mtr_sim_free(&sim);
    make(true, 1, NULL);
    hal.sys->entropy(hal.ctx, b, sizeof b);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    hal.sys->entropy(hal.ctx, b, sizeof b);
    cr_assert_neq(memcmp(a, b, sizeof a), 0);
    mtr_sim_free(&sim);
}

Test(sim_sys, rejects_impossible_configurations)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.nvm_sector_size = 1000;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_ERR_INVAL);
    mtr_sim_default_config(&cfg);
    cfg.relays = 0;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_ERR_INVAL);
    mtr_sim_default_config(&cfg);
    cfg.nvm_size = 4096 * 3 + 1;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_ERR_INVAL);
}
