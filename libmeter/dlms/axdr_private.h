/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the A-XDR decoder and encoder. */
#ifndef METER_DLMS_AXDR_PRIVATE_H
#define METER_DLMS_AXDR_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "meter/axdr.h"

/** >= 0: fixed value size; < 0: variable (-2 string, -3 bit-string, -4 container, -5 compact), -1 unknown. */
int axdr_kind(uint8_t tag);
/** Tags whose value is an unsigned big-endian integer. */
bool axdr_is_uint(uint8_t tag);
/** Tags whose value is a signed big-endian integer. */
bool axdr_is_int(uint8_t tag);
/** Write @p n (<= MTR_DLMS_AXDR_STAGE) raw bytes as one item (copied). MTR_OK or MTR_ERR_BUSY. */
mtr_err_t axdr_put_raw(struct mtr_dlms_axdr_writer *w, const uint8_t *b, uint32_t n);
/** Drop what was written after @p len in the current buffer, and any pending item. */
void axdr_writer_truncate(struct mtr_dlms_axdr_writer *w, size_t len);

#endif
