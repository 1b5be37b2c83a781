/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the sim's source files only. */
#ifndef METER_SIM_INTERNAL_H
#define METER_SIM_INTERNAL_H

#include "sim.h"

extern const struct mtr_nvm_ops sim_nvm_ops;
mtr_err_t sim_nvm_init(struct mtr_sim *sim);
void sim_nvm_free(struct mtr_sim *sim);

#endif
