/* SPDX-License-Identifier: Apache-2.0 */
/* Private: callbacks and access rights of the objects in objects_data.def. */
#ifndef LIBMETER_COSEM_DATA_H
#define LIBMETER_COSEM_DATA_H

#include "cosem_int.h"

/* Access rights of the objects with rights of their own (cosem_data_time.c). */
extern const struct mtr_dlms_access cosem_acc_clock[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_calendar[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_special[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_tariff_script[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_billing_script[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_activation[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_billing_schedule[MTR_CFG_DLMS_PROFILES];
/* Demand registers (cosem_data_reg.c): period and number_of_periods set from level 3. */
extern const struct mtr_dlms_access cosem_acc_demand[MTR_CFG_DLMS_PROFILES];
/* Maximum demand registers (cosem_data_reg.c): reset from level 3. */
extern const struct mtr_dlms_access cosem_acc_maxd[MTR_CFG_DLMS_PROFILES];

/* Clock (class 8), cosem_data_time.c */
mtr_err_t cosem_clock_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_clock_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_clock_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* Activity calendar (20), special days (11), register activation (6),
 * script tables (9), single action schedule (22): cosem_data_tou.c */
mtr_err_t cosem_calendar_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_calendar_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_calendar_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_special_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_special_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_activation_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_activation_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_activation_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_schedule_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_schedule_set(const struct mtr_dlms_call *c);

/* Registers (classes 1, 3, 4, 5): cosem_data_reg.c */
mtr_err_t cosem_billing_counter_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_energy_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_demand_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_demand_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_demand_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_maxd_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_cumd_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_maxd_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_inst_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* Blue Book unit enumeration (IEC 62056-6-2, unit table) values used here. */
enum cosem_unit {
    COSEM_UNIT_DEGREE = 8,
    COSEM_UNIT_W = 27,
    COSEM_UNIT_VA = 28,
    COSEM_UNIT_VAR = 29,
    COSEM_UNIT_WH = 30,
    COSEM_UNIT_VAH = 31,
    COSEM_UNIT_VARH = 32,
    COSEM_UNIT_A = 33,
    COSEM_UNIT_V = 35,
    COSEM_UNIT_HZ = 44,
    COSEM_UNIT_PERCENT = 56,
    COSEM_UNIT_COUNT = 255, /* no unit, a count */
};

#endif
