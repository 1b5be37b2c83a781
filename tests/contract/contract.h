/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file contract.h
 * @brief HAL contract tests: what every adapter must do to be supported.
 *
 * Freestanding like the core (no stdio, no malloc), so the same checks run
 * on the host against the sim HAL and on a board under QEMU. A test that needs
 * a fault-injection hook the target does not provide reports SKIP.
 */
#ifndef METER_TESTS_CONTRACT_H
#define METER_TESTS_CONTRACT_H

#include <stdint.h>

#include "meter/hal.h"

enum mtr_contract_result { MTR_CONTRACT_PASS, MTR_CONTRACT_FAIL, MTR_CONTRACT_SKIP };

/** The HAL under test and the hooks a test bench adds around it. */
struct mtr_contract_target {
    const struct mtr_hal *hal;
    void *hook_ctx; /**< given to the hooks */
    /** Make the NVM lose power after @p bytes more bytes are programmed or
     *  erased: the write in progress is torn and returns MTR_ERR_POWER. */
    void (*cut_power_after)(void *hook_ctx, uint32_t bytes);
    /** Power back on (what a reboot would see). */
    void (*restore_power)(void *hook_ctx);
    /** Set the monotonic millisecond counter (to test the 2^32 wrap). */
    void (*set_ms)(void *hook_ctx, mtr_ms_t ms);
    /** Let @p ms milliseconds pass; NULL: the test polls ms_now() until they have. */
    void (*advance_ms)(void *hook_ctx, uint32_t ms);
    /** Scratch buffer of at least 2 sectors + 64 bytes, for read-back. */
    uint8_t *scratch;
    uint32_t scratch_size;
};

/** Called once per test with its outcome; @p detail says what failed ("" if none). */
typedef void (*mtr_contract_report_fn)(const char *test, enum mtr_contract_result r,
                                       const char *detail, void *user);

/** Run every contract test. @return the number of failures. */
int mtr_contract_run(const struct mtr_contract_target *t, mtr_contract_report_fn report,
                     void *user);

#endif
