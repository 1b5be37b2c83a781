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

#endif
