/* SPDX-License-Identifier: Apache-2.0 */
/* Host benchmarks: a HAL whose NVM counts the bytes read, written and erased.
 *
 * Fill `inner` (e.g. mtr_sim_hal()), copy it and point the copy's nvm at
 * `counting`; n_read, n_written and n_erased then add up every access made
 * through the copy. One program includes this once (the state is file-static). */
#ifndef TESTS_BENCH_BENCH_NVM_COUNT_H
#define TESTS_BENCH_BENCH_NVM_COUNT_H

#include <stdint.h>

#include "meter/hal.h"

static struct mtr_hal inner;
static uint64_t n_read, n_written, n_erased;

static mtr_err_t c_info(void *ctx, struct mtr_nvm_info *info)
{
    return inner.nvm->info(ctx, info);
}
static mtr_err_t c_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    n_read += len;
    return inner.nvm->read(ctx, addr, buf, len);
}
static mtr_err_t c_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    n_written += len;
    return inner.nvm->write(ctx, addr, buf, len);
}
static mtr_err_t c_erase(void *ctx, uint32_t addr, size_t len)
{
    n_erased += len;
    return inner.nvm->erase(ctx, addr, len);
}
static const struct mtr_nvm_ops counting = {c_info, c_read, c_write, c_erase};

#endif /* TESTS_BENCH_BENCH_NVM_COUNT_H */
