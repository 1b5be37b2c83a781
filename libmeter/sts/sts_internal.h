/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers of the STS engine. */
#ifndef METER_STS_INTERNAL_H
#define METER_STS_INTERNAL_H

#include <stdint.h>

#include "meter/meter.h"
#include "meter/sts.h"

/** Decrypt (or, for class 1, pass) the block of a parsed number; check its CRC. */
mtr_err_t mtr_sts_decipher(const struct mtr_sts_cipher *c, uint64_t dk,
                           const struct mtr_sts_number *n, struct mtr_sts_token *t);

/** Whether a cipher description is usable. */
bool mtr_sts_cipher_ok(const struct mtr_sts_cipher *c);

#endif /* METER_STS_INTERNAL_H */
