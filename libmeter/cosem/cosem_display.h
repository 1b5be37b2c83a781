/* SPDX-License-Identifier: Apache-2.0 */
/* The display's objects (objects_display.def, cosem_display.c). */
#ifndef LIBMETER_COSEM_DISPLAY_H
#define LIBMETER_COSEM_DISPLAY_H

#include "cosem_int.h"

extern const struct mtr_dlms_access cosem_acc_disp_readout[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_disp_script[MTR_CFG_DLMS_PROFILES];

mtr_err_t cosem_disp_decimals_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_disp_time_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_disp_time_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_disp_readout_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_disp_readout_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_disp_readout_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_disp_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_disp_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

#endif /* LIBMETER_COSEM_DISPLAY_H */
