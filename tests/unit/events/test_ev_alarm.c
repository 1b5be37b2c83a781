/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alarm registers, filters, descriptors and the push hook; the error
 * register.
 */
#include "ev_fixture.h"

#define T0 1767225600

static struct fx f;

static uint16_t row(uint16_t code)
{
    uint16_t i;
    cr_assert_eq(mtr_events_find(code, NULL, &i), MTR_OK, "code %u", code);
    return i;
}

Test(events_alarm, every_related_code_sets_its_alarm_bits_and_pushes_once)
{
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        const struct mtr_event_def *d = &mtr_event_table[i];
        if ((d->alarm1 | d->alarm2) == 0) {
            continue;
        }
        fx_open(&f);
        cr_assert_eq(mtr_events_raise_index(&f.ev, i, T0, 0), MTR_OK);
        cr_assert_eq(mtr_events_alarm(&f.ev, 1), d->alarm1, "code %u", d->code);
        cr_assert_eq(mtr_events_alarm(&f.ev, 2), d->alarm2, "code %u", d->code);
        cr_assert_eq(mtr_events_descriptor(&f.ev, 1), d->alarm1);
        cr_assert_eq(mtr_events_descriptor(&f.ev, 2), d->alarm2);
        int want = (d->alarm1 != 0) + (d->alarm2 != 0);
        cr_assert_eq(f.npush, want, "code %u pushes", d->code);
        for (int k = 0; k < f.npush; k++) {
            cr_assert_eq(f.push[k].bits, f.push[k].reg == 1 ? d->alarm1 : d->alarm2);
        }
        /* again: the bits are already set, no push */
        cr_assert_eq(mtr_events_raise_index(&f.ev, i, T0 + 1, 0), MTR_OK);
        cr_assert_eq(f.npush, want);
        fx_close(&f);
    }
}

Test(events_alarm, events_without_alarm_bits_touch_no_alarm)
{
    fx_open(&f);
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        const struct mtr_event_def *d = &mtr_event_table[i];
        if ((d->alarm1 | d->alarm2) == 0) {
            cr_assert_eq(mtr_events_raise_index(&f.ev, i, T0 + i, 0), MTR_OK);
        }
    }
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 0u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 0u);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 1) | mtr_events_descriptor(&f.ev, 2), 0u);
    cr_assert_eq(f.npush, 0);
    fx_close(&f);
}

Test(events_alarm, filtered_bits_latch_in_the_descriptor_only)
{
    fx_open(&f);
    /* default filters let everything through */
    cr_assert_eq(mtr_events_filter(&f.ev, 1), MTR_EVENTS_ALARM1_VALID);
    cr_assert_eq(mtr_events_filter(&f.ev, 2), MTR_EVENTS_ALARM2_VALID);
    /* mask alarm 1 bit 13 (fraud) */
    cr_assert_eq(mtr_events_filter_write(&f.ev, 1, MTR_EVENTS_ALARM1_VALID & ~(1u << 13)), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 91, NULL, T0, 0), MTR_OK); /* 1.13 and 2.10 */
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 0u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 1u << 10);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 1), 1u << 13);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 2), 1u << 10);
    cr_assert_eq(f.npush, 1);
    cr_assert_eq(f.push[0].reg, 2);
    cr_assert_eq(f.push[0].bits, 1u << 10);
    /* unmasked again: the next occurrence reaches the register and pushes */
    cr_assert_eq(mtr_events_filter_write(&f.ev, 1, MTR_EVENTS_ALARM1_VALID), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 0u, "a filter write does not set bits");
    cr_assert_eq(mtr_events_raise(&f.ev, 40, NULL, T0 + 1, 0), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 1u << 13);
    cr_assert_eq(f.npush, 2);
    cr_assert_eq(f.push[1].reg, 1);
    cr_assert_eq(f.push[1].bits, 1u << 13);
    /* masking a bit that is set leaves it set */
    cr_assert_eq(mtr_events_filter_write(&f.ev, 1, 0), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 1u << 13);
    fx_close(&f);
}

Test(events_alarm, writing_an_alarm_register_clears_the_written_bits_and_logs_11)
{
    fx_open(&f);
    cr_assert_eq(mtr_events_raise(&f.ev, 6, NULL, T0, 0), MTR_OK);  /* 1.0 */
    cr_assert_eq(mtr_events_raise(&f.ev, 8, NULL, T0, 0), MTR_OK);  /* 1.1 */
    cr_assert_eq(mtr_events_raise(&f.ev, 82, NULL, T0, 0), MTR_OK); /* 2.2 */
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 3u);
    uint32_t n11 = mtr_events_code_count(&f.ev, row(11));
    uint32_t nstd = mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD);
    /* the HES writes back what it read of bit 0 */
    cr_assert_eq(mtr_events_alarm_write(&f.ev, 1, 1u, T0 + 10), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 2u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 1u << 2);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 1), 3u, "the descriptor keeps its bits");
    cr_assert_eq(mtr_events_code_count(&f.ev, row(11)), n11 + 1u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), nstd + 1u);
    static struct fx_log lg;
    fx_read_log(&f, MTR_EVLOG_STANDARD, &lg);
    cr_assert_eq(lg.v[lg.n - 1][0], 11);
    cr_assert_eq(lg.utc[lg.n - 1], T0 + 10);
    /* bit 0 occurs again: set and pushed again */
    int np = f.npush;
    cr_assert_eq(mtr_events_raise(&f.ev, 6, NULL, T0 + 20, 0), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 3u);
    cr_assert_eq(f.npush, np + 1);
    /* writing 0 clears nothing but is still an acknowledged write */
    cr_assert_eq(mtr_events_alarm_write(&f.ev, 2, 0, T0 + 30), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 1u << 2);
    cr_assert_eq(mtr_events_code_count(&f.ev, row(11)), n11 + 2u);
    fx_close(&f);
}

Test(events_alarm, descriptor_is_cleared_by_writing_its_bits)
{
    fx_open(&f);
    cr_assert_eq(mtr_events_raise(&f.ev, 6, NULL, T0, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 8, NULL, T0, 0), MTR_OK);
    uint32_t nstd = mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD);
    cr_assert_eq(mtr_events_descriptor_write(&f.ev, 1, 2u), MTR_OK);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 1), 1u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 3u, "the register is not affected");
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), nstd, "no event");
    fx_close(&f);
}

Test(events_alarm, alarm_bits_without_event_code)
{
    fx_open(&f);
    /* alarm 2 bit 19 "Remote communication attempt": no code in the seed */
    cr_assert_eq(mtr_events_alarm_set(&f.ev, 2, 1u << 19, T0), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 1u << 19);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 2), 1u << 19);
    cr_assert_eq(f.npush, 1);
    cr_assert_eq(f.push[0].reg, 2);
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        cr_assert_eq(mtr_events_log_count(&f.ev, l), 0u);
    }
    /* a second time: nothing new, no push, no write */
    static uint8_t nvm0[FX_NVM];
    memcpy(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM);
    cr_assert_eq(mtr_events_alarm_set(&f.ev, 2, 1u << 19, T0 + 1), MTR_OK);
    cr_assert_eq(f.npush, 1);
    cr_assert_eq(memcmp(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM), 0);
    /* filtered: latched in the descriptor only */
    cr_assert_eq(mtr_events_filter_write(&f.ev, 2, MTR_EVENTS_ALARM2_VALID & ~(1u << 20)), MTR_OK);
    cr_assert_eq(mtr_events_alarm_set(&f.ev, 2, 1u << 20, T0 + 2), MTR_OK);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 1u << 19);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 2), (1u << 19) | (1u << 20));
    cr_assert_eq(f.npush, 1);
    /* registers persist */
    cr_assert_eq(fx_boot(&f), MTR_OK);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 2), (1u << 19) | (1u << 20));
    cr_assert_eq(mtr_events_filter(&f.ev, 2), MTR_EVENTS_ALARM2_VALID & ~(1u << 20));
    cr_assert_eq(mtr_events_alarm(&f.ev, 3), 0u);
    cr_assert_eq(mtr_events_filter(&f.ev, 0), 0u);
    cr_assert_eq(mtr_events_descriptor(&f.ev, 9), 0u);
    fx_close(&f);
}

Test(events_alarm, error_register_set_clear_and_write_zero)
{
    fx_open(&f);
    cr_assert_eq(mtr_events_error(&f.ev), 0u);
    cr_assert_eq(mtr_events_error_time(&f.ev), -1);
    cr_assert_eq(mtr_events_error_set(&f.ev, (1u << 1) | (1u << 3), T0), MTR_OK);
    cr_assert_eq(mtr_events_error(&f.ev), 0xAu);
    cr_assert_eq(mtr_events_error_time(&f.ev), T0);
    cr_assert_eq(mtr_events_error_clear(&f.ev, 1u << 1, T0 + 5), MTR_OK);
    cr_assert_eq(mtr_events_error(&f.ev), 0x8u);
    cr_assert_eq(mtr_events_error_time(&f.ev), T0 + 5);
    /* no event for producer changes */
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), 0u);
    /* events set and clear their bits */
    cr_assert_eq(mtr_events_raise(&f.ev, 6, NULL, T0 + 6, 0), MTR_OK);  /* clock error */
    cr_assert_eq(mtr_events_raise(&f.ev, 82, NULL, T0 + 7, 0), MTR_OK); /* L1 no voltage */
    cr_assert_eq(mtr_events_error(&f.ev), 0x8u | 1u | (1u << 8));
    cr_assert_eq(mtr_events_raise(&f.ev, 85, NULL, T0 + 8, 0), MTR_OK); /* L1 normal */
    cr_assert_eq(mtr_events_error(&f.ev), 0x8u | 1u);
    cr_assert_eq(mtr_events_raise(&f.ev, 14, NULL, T0 + 9, 0), MTR_OK);
    cr_assert(mtr_events_error(&f.ev) & (1u << 15));
    /* a COSEM write of 0 clears and logs 10 */
    uint32_t n10 = mtr_events_code_count(&f.ev, row(10));
    cr_assert_eq(mtr_events_error_write(&f.ev, 0, T0 + 100), MTR_OK);
    cr_assert_eq(mtr_events_error(&f.ev), 0u);
    cr_assert_eq(mtr_events_error_time(&f.ev), T0 + 100);
    cr_assert_eq(mtr_events_code_count(&f.ev, row(10)), n10 + 1u);
    static struct fx_log lg;
    fx_read_log(&f, MTR_EVLOG_STANDARD, &lg);
    cr_assert_eq(lg.v[lg.n - 1][0], 10);
    cr_assert_eq(lg.utc[lg.n - 1], T0 + 100);
    /* non-zero writes are refused */
    cr_assert_eq(mtr_events_error_set(&f.ev, 1u, T0 + 101), MTR_OK);
    cr_assert_eq(mtr_events_error_write(&f.ev, 1u, T0 + 102), MTR_ERR_EVENTS_VALUE);
    cr_assert_eq(mtr_events_error(&f.ev), 1u);
    /* every assigned bit can be set, no unassigned one */
    for (uint32_t b = 0; b < 32; b++) {
        mtr_err_t rc = mtr_events_error_set(&f.ev, 1u << b, T0 + 200);
        cr_assert_eq(rc, (MTR_EVENTS_ERROR_VALID & (1u << b)) ? MTR_OK : MTR_ERR_EVENTS_RESERVED,
                     "bit %u", b);
    }
    cr_assert_eq(mtr_events_error(&f.ev), MTR_EVENTS_ERROR_VALID);
    fx_close(&f);
}

Test(events_alarm, reserved_alarm_bits_can_never_be_set)
{
    fx_open(&f);
    for (uint8_t reg = 1; reg <= 2; reg++) {
        uint32_t valid = reg == 1 ? MTR_EVENTS_ALARM1_VALID : MTR_EVENTS_ALARM2_VALID;
        for (uint32_t b = 0; b < 32; b++) {
            mtr_err_t want = (valid & (1u << b)) ? MTR_OK : MTR_ERR_EVENTS_RESERVED;
            cr_assert_eq(mtr_events_alarm_set(&f.ev, reg, 1u << b, T0), want, "%u.%u", reg, b);
            cr_assert_eq(mtr_events_filter_write(&f.ev, reg, valid | (1u << b)),
                         want == MTR_OK ? MTR_OK : want);
            cr_assert_eq(mtr_events_descriptor_write(&f.ev, reg, 1u << b), want);
            cr_assert_eq(mtr_events_alarm_write(&f.ev, reg, 1u << b, T0), want);
        }
        cr_assert_eq(mtr_events_alarm(&f.ev, reg) & ~valid, 0u);
        cr_assert_eq(mtr_events_filter(&f.ev, reg), valid);
    }
    fx_close(&f);
}
