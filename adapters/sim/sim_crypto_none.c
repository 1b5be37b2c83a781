/* SPDX-License-Identifier: Apache-2.0 */
/* Builds without mbedTLS: no crypto ops, features needing them get MTR_ERR_NOTSUP. */
#include <stddef.h>

#include "sim.h"

const struct mtr_crypto_ops *mtr_sim_crypto_ops(void)
{
    return NULL;
}
