/* SPDX-License-Identifier: Apache-2.0 */
/* Tests: a simulator whose NVM has a given geometry, the ADC off (Criterion). */
#ifndef TESTS_SUPPORT_SIM_NVM_H
#define TESTS_SUPPORT_SIM_NVM_H

#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "sim.h"

/* Initialise sim with an NVM of size bytes in sectors of sector bytes, written
 * write_unit bytes at a time, NOR flash (needs_erase) or EEPROM; fill hal. */
static inline void sim_nvm_open(struct mtr_sim *sim, struct mtr_hal *hal, uint32_t size,
                                uint32_t sector, uint32_t write_unit, bool needs_erase)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = size;
    sc.nvm_sector_size = sector;
    sc.nvm_write_unit = write_unit;
    sc.nvm_needs_erase = needs_erase;
    sc.adc_enabled = false;
    cr_assert_eq(mtr_sim_init(sim, &sc), MTR_OK);
    mtr_sim_hal(sim, hal);
}

#endif /* TESTS_SUPPORT_SIM_NVM_H */
