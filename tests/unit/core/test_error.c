/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/units.h"

Test(error, every_core_code_has_a_distinct_name)
{
    const char *seen[32];
    int n = 0;
    for (mtr_err_t e = MTR_ERR_CONFIG; e <= MTR_OK; e++) {
        const char *s = mtr_strerror(e);
        cr_assert_not_null(s);
        cr_assert_str_neq(s, "unknown error", "code %d has no name", (int)e);
        for (int i = 0; i < n; i++) {
            cr_assert_str_neq(s, seen[i], "code %d shares its name", (int)e);
        }
        seen[n++] = s;
    }
}

Test(error, unknown_codes)
{
    cr_assert_str_eq(mtr_strerror(-99), "unknown error");
    cr_assert_str_eq(mtr_strerror(5), "unknown error");
    cr_assert_str_eq(mtr_strerror(INT32_MIN), "unknown error");
}

Test(config, runtime_twins_match_macros)
{
    cr_assert_eq(mtr_config_event_queue_len(), MTR_CFG_EVENT_QUEUE_LEN);
    cr_assert_eq(mtr_config_tariffs(), MTR_CFG_TARIFFS);
    cr_assert_eq(mtr_config_phases(), MTR_CFG_PHASES);
    cr_assert_eq(mtr_config_poll_max_events(), MTR_CFG_POLL_MAX_EVENTS);
    cr_assert_eq(mtr_config_adc_frames(), MTR_CFG_ADC_FRAMES);
    cr_assert_eq(mtr_config_harmonic_max(), MTR_CFG_HARMONICS ? MTR_CFG_HARMONIC_MAX : 0);
}

Test(units, carry_loses_nothing)
{
    struct mtr_carry c = {0};
    int64_t whole = 0;
    int64_t exact = 0;
    uint32_t x = 7;
    for (int i = 0; i < 100000; i++) {
        x = x * 1664525u + 1013904223u;
        int64_t fine = (int64_t)(x % 5000000u) - 1000000; /* import and export */
        exact += fine;
        whole += mtr_carry_add(&c, fine, MTR_MWMS_PER_MWH);
        cr_assert_lt(c.rem < 0 ? -c.rem : c.rem, MTR_MWMS_PER_MWH);
    }
    cr_assert_eq(whole * MTR_MWMS_PER_MWH + c.rem, exact);
}

Test(units, ms_compare_across_wrap)
{
    cr_assert(mtr_ms_reached(5, 0xFFFFFFF0u));
    cr_assert_not(mtr_ms_reached(0xFFFFFFF0u, 5));
    cr_assert_eq(mtr_ms_elapsed(5, 0xFFFFFFF0u), 21u);
    cr_assert(mtr_ms_reached(100, 100));
}
