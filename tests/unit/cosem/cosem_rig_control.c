/* SPDX-License-Identifier: Apache-2.0 */
/* The rig's hooks for the control objects (test_cosem_control_rig.h). */
#include "test_cosem_control_rig.h"

#include <criterion/criterion.h>
#include <string.h>

#if MTR_WITH_PREPAID
#include "../sts/sts_test_tables.h"
#endif

#define C_CLOCK {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255}
#define C_STATUS {MTR_PROFILE_COL_STATUS, MTR_DLMS_UNSIGNED, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255}
#define C_VALUE(c, d, e, t) {MTR_PROFILE_COL_VALUE, t, 3, {1, 0, c, d, e, 255}, 2, 0, -3, 30}

/* Columns of the seed's profiles (profiles.json; the channels it names). */
static const struct mtr_profile_column BP1_COLS[] = {C_CLOCK, C_VALUE(1, 8, 0, MTR_DLMS_LONG64_UNSIGNED)};
static const struct mtr_profile_column LP1_COLS[] = {C_CLOCK, C_STATUS, C_VALUE(1, 8, 0, MTR_DLMS_LONG64_UNSIGNED),
                                                     C_VALUE(2, 8, 0, MTR_DLMS_LONG64_UNSIGNED)};
static const struct mtr_profile_column LP2_COLS[] = {C_CLOCK, C_STATUS, C_VALUE(1, 8, 0, MTR_DLMS_LONG64_UNSIGNED)};
static const struct mtr_profile_column LP3_COLS[] = {C_CLOCK, C_VALUE(1, 8, 0, MTR_DLMS_LONG64_UNSIGNED)};
static const struct mtr_profile_column LP4_COLS[] = {C_CLOCK, C_VALUE(32, 7, 0, MTR_DLMS_DOUBLE_LONG_UNSIGNED)};
static const struct mtr_profile_column LP5_COLS[] = {C_CLOCK, C_VALUE(1, 8, 1, MTR_DLMS_LONG64_UNSIGNED),
                                                     C_VALUE(1, 8, 2, MTR_DLMS_LONG64_UNSIGNED)};

static const struct {
    uint8_t obis[6];
    uint32_t period_s;
    uint32_t capacity;
    uint8_t sectors;
    const struct mtr_profile_column *cols;
    uint8_t ncols;
} PROFILES[CTL_PROFILES] = {
    {{0, 0, 98, 1, 0, 255}, 0, 10, 2, BP1_COLS, 2},
    {{0, 0, 99, 1, 0, 255}, 900, LP1_CAPACITY, 3, LP1_COLS, 4},
    {{0, 0, 99, 2, 0, 255}, 3600, 10, 2, LP2_COLS, 3},
    {{1, 0, 99, 3, 0, 255}, 86400, 10, 2, LP3_COLS, 2},
    {{1, 0, 99, 129, 0, 255}, 600, 10, 2, LP4_COLS, 2},
    {{1, 0, 99, 130, 0, 255}, 0, 10, 2, LP5_COLS, 3},
};

static uint8_t value_columns(const struct mtr_profile_column *c, uint8_t n)
{
    uint8_t v = 0;
    for (uint8_t k = 0; k < n; k++) {
        v = (uint8_t)(v + (c[k].kind == MTR_PROFILE_COL_VALUE));
    }
    return v;
}

/* One rig at a time (as the system objects' fixture): no heap to free. */
static struct cosem_ctl_ext ext;

void cosem_rig_control_engines(struct cosem_rig *r)
{
    struct cosem_ctl_ext *x = &ext;
    uint32_t sector = CTL_FIRST_SECTOR;
    uint16_t np = 0;

    memset(x, 0, sizeof *x);
    r->ext[0] = x;

    /* a store of their own: profiles, events state, event logs */
    for (unsigned k = 0; k < CTL_PROFILES; k++) {
        x->table[np++] = (struct mtr_store_part_cfg){
            (uint16_t)(1 + k), MTR_STORE_RING, sector, PROFILES[k].sectors,
            (uint16_t)mtr_profile_record_size(value_columns(PROFILES[k].cols, PROFILES[k].ncols))};
        sector += PROFILES[k].sectors;
    }
#if MTR_WITH_EVENTS
    x->table[np++] = (struct mtr_store_part_cfg){20, MTR_STORE_SNAPSHOT, sector, 2, MTR_EVENTS_BLOB_SIZE};
    sector += 2;
    for (unsigned k = 0; k < CTL_LOGS; k++) {
        x->table[np++] = (struct mtr_store_part_cfg){(uint16_t)(30 + k), MTR_STORE_RING, sector, 2,
                                                     (uint16_t)mtr_events_log_record_size((uint8_t)k)};
        sector += 2;
    }
#endif
    struct mtr_store_cfg sc = {.parts = x->table, .state = x->parts, .nparts = np};
    cr_assert_eq(mtr_store_init(&x->store, &r->hal, &sc), MTR_OK);

    for (unsigned k = 0; k < CTL_PROFILES; k++) {
        x->prof_cfg[k] = (struct mtr_profile_config){.part = (uint16_t)(1 + k),
                                                     .capture_period_s = PROFILES[k].period_s,
                                                     .capacity = PROFILES[k].capacity,
                                                     .columns = PROFILES[k].cols,
                                                     .ncolumns = PROFILES[k].ncols};
        memcpy(x->prof_cfg[k].obis, PROFILES[k].obis, 6);
        cr_assert_eq(mtr_profile_init(&x->prof[k], &x->store, &x->prof_cfg[k]), MTR_OK, "profile %u", k);
        x->profiles[k] = &x->prof[k];
    }
    r->engines.profiles = x->profiles;
    r->engines.nprofiles = CTL_PROFILES;

#if MTR_WITH_EVENTS
    x->ev_cfg.store = &x->store;
    x->ev_cfg.state_part = 20;
    for (unsigned k = 0; k < CTL_LOGS; k++) {
        cr_assert_eq(mtr_events_log_default((uint8_t)k, (uint16_t)(30 + k), CTL_LOG_CAPACITY, &x->log_cfg[k]),
                     MTR_OK);
        x->ev_cfg.log[k] = &x->evlog[k];
        x->ev_cfg.log_cfg[k] = &x->log_cfg[k];
    }
    cr_assert_eq(mtr_events_init(&x->ev, &x->ev_cfg), MTR_OK);
    r->engines.events = &x->ev;
#endif

#if MTR_WITH_PREPAID
    /* currency credit (prices and charges are served in that mode), 1 minor unit per token unit */
    x->ciph = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &sts_test_tables};
    const struct mtr_sts_key key = {.dk = CTL_DK, .krn = 1, .kt = 2, .ti = 1, .ken = 255, .base = MTR_STS_BASE_2014};
    cr_assert_eq(mtr_sts_init(&x->sts, &x->ciph, &key), MTR_OK);
    x->pp_cfg = (struct mtr_prepaid_config){.unit = MTR_PREPAID_UNIT_CURRENCY,
                                            .token_scale = 1,
                                            .ec_button = MTR_IN_BUTTON_2,
                                            .ec_press_min_ms = 50,
                                            .ec_press_max_ms = 3000};
    x->tid = 6000000;
    r->engines.prepaid = &x->pp;
    r->engines.prepaid_cfg = &x->pp_cfg;
    r->engines.sts = &x->sts;
#endif

#if MTR_WITH_QUALITY
    x->q_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
    mtr_quality_settings_default(&x->q_cfg.settings);
    cr_assert_eq(mtr_quality_init(&x->q, &x->q_cfg), MTR_OK);
    r->engines.quality = &x->q;
#endif
}
