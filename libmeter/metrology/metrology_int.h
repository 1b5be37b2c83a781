/* SPDX-License-Identifier: Apache-2.0 */
/** @file metrology_int.h @brief Private interfaces between the metrology files. */
#ifndef METER_METROLOGY_INT_H
#define METER_METROLOGY_INT_H

#include "fixmath.h"
#include "meter/metrology.h"

#define MTR_METROLOGY_MAGIC 0x4D54524Cu
/** Fraction bits of the DC estimate. */
#define MTR_DC_Q 6

/** Recompute the conversion constants from the configuration and calibration. */
bool mtr_metrology_constants(struct mtr_metrology *m);
/** Period work: results, energy, pulses, harmonics, calibration. */
void mtr_metrology_period(struct mtr_metrology *m);
/** Register energies (whole micro-joules, >= 0) into registers of @p idx. */
void mtr_metrology_register(struct mtr_metrology *m, unsigned idx, int64_t ep_uj, int64_t eq_uj,
                            int64_t es_uj);
/** Move the totals' energies of this period into the pulse outputs. */
void mtr_metrology_pulse_energy(struct mtr_metrology *m, int64_t ep_uj, int64_t eq_uj,
                                int64_t es_uj);
/** Emit due pulses through io.pulse. */
void mtr_metrology_pulse_run(struct mtr_metrology *m);
/** Calibration: account one period of element @p p and finish when due. */
void mtr_metrology_cal_period(struct mtr_metrology *m);
/** Harmonic analysis of a finished capture; fills harm[], fund_ang[]. */
void mtr_metrology_harm_analyse(struct mtr_metrology *m);
/** Zero-crossing hook of the capture. */
void mtr_metrology_harm_crossing(struct mtr_metrology *m, uint64_t tq);

#endif /* METER_METROLOGY_INT_H */
