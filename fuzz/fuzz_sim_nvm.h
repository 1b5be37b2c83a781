/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz targets: a simulated NVM whose geometry and contents come from the input. */
#ifndef FUZZ_FUZZ_SIM_NVM_H
#define FUZZ_FUZZ_SIM_NVM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim.h"

/*
 * Initialise sim (ADC off) with an NVM of size bytes in sectors of sector bytes
 * whose geometry is geo % 3 (0: NOR flash written a byte at a time, 1: NOR flash
 * written 8 bytes at a time, 2: EEPROM), fill its first bytes with image (cut to
 * size) and hal with its HAL. False when the simulator refused the configuration.
 */
static inline bool fuzz_sim_nvm(struct mtr_sim *sim, struct mtr_hal *hal, uint32_t size,
                                uint32_t sector, uint8_t geo, const uint8_t *image, size_t len)
{
    struct mtr_sim_config sc;

    mtr_sim_default_config(&sc);
    sc.nvm_size = size;
    sc.nvm_sector_size = sector;
    sc.nvm_write_unit = geo % 3u == 1u ? 8u : 1u;
    sc.nvm_needs_erase = geo % 3u != 2u;
    sc.adc_enabled = false;
    if (mtr_sim_init(sim, &sc) != MTR_OK) {
        return false;
    }
    mtr_sim_hal(sim, hal);
    memcpy(mtr_sim_nvm_data(sim), image, len < size ? len : size);
    return true;
}

#endif /* FUZZ_FUZZ_SIM_NVM_H */
