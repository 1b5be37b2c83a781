/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/hal.h"

/* Ops that only work together must be given together. */
#define BOTH_OR_NONE(a, b) (((a) == NULL) == ((b) == NULL))

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

static mtr_err_t check_nvm(const struct mtr_hal *hal)
{
    const struct mtr_nvm_ops *nvm = hal->nvm;
    if (nvm->info == NULL || nvm->read == NULL || nvm->write == NULL) {
        return MTR_ERR_CONFIG;
    }
    struct mtr_nvm_info info;
    mtr_err_t rc = nvm->info(hal->ctx, &info);
    if (rc != MTR_OK) {
        return rc;
    }
    if (!is_pow2(info.sector_size) || !is_pow2(info.write_unit) ||
        info.write_unit > info.sector_size || info.size == 0 || info.size % info.sector_size != 0) {
        return MTR_ERR_CONFIG;
    }
    if (info.needs_erase && nvm->erase == NULL) {
        return MTR_ERR_CONFIG;
    }
    return MTR_OK;
}

mtr_err_t mtr_hal_check(const struct mtr_hal *hal)
{
    if (hal == NULL || hal->clock == NULL || hal->nvm == NULL) {
        return MTR_ERR_CONFIG;
    }
    if (hal->clock->ms_now == NULL || hal->clock->rtc_get == NULL) {
        return MTR_ERR_CONFIG;
    }
    if (hal->io != NULL && !BOTH_OR_NONE(hal->io->adc_info, hal->io->adc_read)) {
        return MTR_ERR_CONFIG;
    }
    if (hal->sys != NULL && !BOTH_OR_NONE(hal->sys->critical_enter, hal->sys->critical_exit)) {
        return MTR_ERR_CONFIG;
    }
    const struct mtr_crypto_ops *c = hal->crypto;
    if (c != NULL && (!BOTH_OR_NONE(c->gcm_encrypt, c->gcm_decrypt) ||
                      !BOTH_OR_NONE(c->key_wrap, c->key_unwrap) ||
                      !BOTH_OR_NONE(c->sha256_start, c->sha256_update) ||
                      !BOTH_OR_NONE(c->sha256_start, c->sha256_finish))) {
        return MTR_ERR_CONFIG;
    }
    return check_nvm(hal);
}
