/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file error.h
 * @brief The one error type of libmeter.
 *
 * Every function that can fail returns ::mtr_err_t: 0 (::MTR_OK) on success,
 * a negative code otherwise. Each engine owns one range of 100 codes so that
 * a code tells where it came from; ::mtr_strerror() names every code.
 *
 * Rule: bad input from outside the core (wire bytes, tokens, NVM read-back,
 * ADC values, clock jumps) returns an error and changes no state. A caller
 * bug (NULL context, buffer smaller than the documented minimum) is not an
 * error code: it hits ::MTR_ASSERT (see meter/meter.h).
 */
#ifndef METER_ERROR_H
#define METER_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every fallible libmeter call: 0 = OK, < 0 = error. */
typedef int32_t mtr_err_t;

/** Codes. Ranges: core/HAL -1..-99, then one block of 100 per engine. */
enum mtr_err_code {
    MTR_OK = 0,

    /* core and HAL: -1 .. -99 */
    MTR_ERR_INVAL = -1,     /**< an argument is out of its documented domain */
    MTR_ERR_RANGE = -2,     /**< address/length/value outside the allowed range */
    MTR_ERR_NOTSUP = -3,    /**< optional operation not provided by this HAL/build */
    MTR_ERR_FULL = -4,      /**< queue, table or buffer is full */
    MTR_ERR_EMPTY = -5,     /**< nothing to read */
    MTR_ERR_IO = -6,        /**< hardware reported a failure */
    MTR_ERR_TIMEOUT = -7,   /**< the operation did not complete in time */
    MTR_ERR_BUSY = -8,      /**< resource in use; try again later */
    MTR_ERR_CRC = -9,       /**< checksum mismatch */
    MTR_ERR_STATE = -10,    /**< not allowed in the current state */
    MTR_ERR_POWER = -11,    /**< power lost during the operation (write may be torn) */
    MTR_ERR_AUTH = -12,     /**< authentication tag/MAC/password check failed */
    MTR_ERR_ALIGN = -13,    /**< address or length violates the device's alignment */
    MTR_ERR_NOENT = -14,    /**< no such object, record or entry */
    MTR_ERR_OVERFLOW = -15, /**< a result would not fit its type or buffer */
    MTR_ERR_DECODE = -16,   /**< malformed input bytes */
    MTR_ERR_RTC_INVALID = -17, /**< the RTC lost its time (battery, first start) */
    MTR_ERR_CONFIG = -18,   /**< configuration contradicts itself or the build */

    /* Engine ranges. Each engine's codes are listed in its own block below,
     * as MTR_ERR_<ENGINE>_BASE - n, and named in libmeter/core/error.c. */
    MTR_ERR_METROLOGY_BASE = -200,
    MTR_ERR_CALENDAR_BASE = -300,
    MTR_ERR_TARIFF_BASE = -400,
    MTR_ERR_STORE_BASE = -500,
    MTR_ERR_PROFILE_BASE = -600,
    MTR_ERR_EVENTS_BASE = -700,
    MTR_ERR_QUALITY_BASE = -800,
    MTR_ERR_DISCONNECT_BASE = -900,
    MTR_ERR_PREPAID_BASE = -1000,
    MTR_ERR_STS_BASE = -1100,
    MTR_ERR_COSEM_BASE = -1200,
    MTR_ERR_DLMS_BASE = -1300,

    /* --- metrology codes --- */
    /* --- end metrology codes --- */
    /* --- calendar codes --- */
    /* --- end calendar codes --- */
    /* --- store codes --- */
    /* --- end store codes --- */
    /* --- dlms codes --- */
    /* --- end dlms codes --- */
    /* --- sts codes --- */
    /* --- end sts codes --- */
};

/**
 * @brief Name of an error code, for logs and diagnostics.
 * @param err any value (codes of no known meaning give "unknown error").
 * @return a static, NUL-terminated English string; never NULL.
 */
const char *mtr_strerror(mtr_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* METER_ERROR_H */
