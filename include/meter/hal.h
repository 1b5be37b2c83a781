/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file hal.h
 * @brief The hardware abstraction layer: everything the core needs from a board.
 *
 * A port fills one ::mtr_hal with a context pointer and five groups of
 * operations and passes it to mtr_meter_init(). Every operation takes the
 * HAL's @c ctx first and returns ::mtr_err_t. The op tables are usually
 * `static const`. An operation marked *optional* may be NULL: the core then
 * returns ::MTR_ERR_NOTSUP for what needs it, or uses the default named here.
 * An operation marked *ISR-safe* may be called by the core from a function
 * that the port itself calls in interrupt context (the mtr_post_* family);
 * all others are called only from mtr_poll() and the API functions, i.e. from
 * the main loop.
 *
 * The contract tests in tests/contract/ check a HAL against this page;
 * passing them defines a supported board (see docs/porting.md).
 */
#ifndef METER_HAL_H
#define METER_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ clock */

/** Time sources. */
struct mtr_clock_ops {
    /**
     * @brief Monotonic millisecond counter. **Required. ISR-safe.**
     * @param[out] ms counts up by one each millisecond and wraps from
     *             UINT32_MAX to 0 (every 49.7 days); never goes back.
     * @return MTR_OK; MTR_ERR_IO if the timer failed.
     */
    mtr_err_t (*ms_now)(void *ctx, mtr_ms_t *ms);
    /**
     * @brief Read the real-time clock. **Required.**
     * @param[out] utc seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
     * @return MTR_OK; MTR_ERR_RTC_INVALID if the RTC lost power or was never
     *         set since it did (@p utc is then the RTC's raw value, untrusted);
     *         MTR_ERR_IO on a bus failure.
     */
    mtr_err_t (*rtc_get)(void *ctx, mtr_utc_t *utc);
    /**
     * @brief Set the real-time clock; clears the invalid condition. Optional
     *        (NULL: the clock cannot be set; set-time requests get NOTSUP).
     * @param utc seconds since 1970-01-01T00:00:00Z, >= 0.
     * @return MTR_OK; MTR_ERR_RANGE if the RTC cannot hold @p utc; MTR_ERR_IO.
     */
    mtr_err_t (*rtc_set)(void *ctx, mtr_utc_t utc);
};

/* -------------------------------------------------------------------- nvm */

/** Geometry of the non-volatile memory region given to the core. */
struct mtr_nvm_info {
    uint32_t size;        /**< bytes, a multiple of sector_size */
    uint32_t sector_size; /**< erase unit in bytes, a power of two */
    uint32_t write_unit;  /**< program unit in bytes (1 for EEPROM/FRAM), power of two */
    uint8_t erased;       /**< value of an erased byte (0xFF for NOR flash) */
    bool needs_erase;     /**< true: a write can only clear bits (flash), so
                               write to erased bytes only; false: overwrite */
};

/**
 * Non-volatile memory: one region, addressed from 0. All writes are
 * synchronous: when write or erase returns MTR_OK the data is durable.
 * Every op checks its arguments in this order and touches nothing when one
 * fails: (1) range: addr + len > size, also when the sum overflows, returns
 * MTR_ERR_RANGE; (2) a length of 0 is then valid at any address, whatever
 * its alignment, and returns MTR_OK at once; (3) alignment: MTR_ERR_ALIGN;
 * (4) power: MTR_ERR_POWER while the supply is gone.
 */
struct mtr_nvm_ops {
    /** @brief Geometry. **Required.** @return MTR_OK. */
    mtr_err_t (*info)(void *ctx, struct mtr_nvm_info *info);
    /**
     * @brief Read @p len bytes at @p addr. **Required.** Any alignment.
     * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_IO; MTR_ERR_POWER when power is
     *         failing and the device no longer answers.
     */
    mtr_err_t (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    /**
     * @brief Program @p len bytes at @p addr. **Required.**
     * @p addr and @p len must be multiples of write_unit, else MTR_ERR_ALIGN
     * and nothing is written. On flash (needs_erase) programming can only
     * clear bits; the core writes erased bytes only.
     * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_ALIGN; MTR_ERR_IO; MTR_ERR_POWER
     *         if power failed during the write: then any prefix of the
     *         bytes, and part of the byte being programmed, may have changed
     *         (a torn write), the rest keep their old contents.
     */
    mtr_err_t (*write)(void *ctx, uint32_t addr, const void *buf, size_t len);
    /**
     * @brief Erase whole sectors: every byte becomes info.erased. **Required
     * when needs_erase**, optional otherwise (NULL: the core writes
     * info.erased itself). @p addr and @p len must be multiples of
     * sector_size, else MTR_ERR_ALIGN.
     * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_ALIGN; MTR_ERR_IO; MTR_ERR_POWER
     *         (sector partly erased: its contents are undefined).
     */
    mtr_err_t (*erase)(void *ctx, uint32_t addr, size_t len);
};

/* --------------------------------------------------------------------- io */

/** Bits of mtr_io_ops.inputs(). */
enum mtr_input {
    MTR_IN_BUTTON_1 = 1u << 0,       /**< display/scroll button (pressed = 1) */
    MTR_IN_BUTTON_2 = 1u << 1,       /**< second (disconnect/emergency) button */
    MTR_IN_TERMINAL_COVER = 1u << 2, /**< terminal cover open = 1 */
    MTR_IN_MAIN_COVER = 1u << 3,     /**< meter case open = 1 */
    MTR_IN_MAGNETIC = 1u << 4,       /**< strong magnetic field detected = 1 */
    MTR_IN_TARIFF_1 = 1u << 5,       /**< external tariff input 1 active = 1 */
    MTR_IN_TARIFF_2 = 1u << 6,       /**< external tariff input 2 active = 1 */
    MTR_IN_POWER_FAIL = 1u << 7,     /**< supply below the power-fail warning = 1 */
};

/** Frame of ADC samples: one signed sample per channel, in this order. */
enum mtr_adc_channel {
    MTR_ADC_V1, MTR_ADC_V2, MTR_ADC_V3,
    MTR_ADC_I1, MTR_ADC_I2, MTR_ADC_I3,
    MTR_ADC_IN, /**< neutral current (0 if not measured) */
    MTR_ADC_CHANNELS
};

/** Properties of the measuring ADC. */
struct mtr_adc_info {
    uint32_t rate_hz;  /**< frames per second, e.g. 4000 */
    uint8_t bits;      /**< resolution, 12..24; samples are sign-extended */
    uint8_t channels;  /**< MTR_ADC_CHANNELS */
};

/** Relays, outputs, inputs and the measuring ADC. */
struct mtr_io_ops {
    /**
     * @brief Drive relay @p relay (0 = main breaker, 1.. auxiliary).
     *        Optional (NULL: no relay; disconnect requests get NOTSUP).
     * @param closed true = closed (supply connected).
     * @return MTR_OK; MTR_ERR_RANGE for a relay that does not exist; MTR_ERR_IO.
     */
    mtr_err_t (*relay_set)(void *ctx, uint8_t relay, bool closed);
    /**
     * @brief Read the relay's auxiliary contact. Optional (NULL: no feedback,
     *        the commanded state is assumed).
     * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_IO.
     */
    mtr_err_t (*relay_feedback)(void *ctx, uint8_t relay, bool *closed);
    /**
     * @brief Emit one pulse of @p width_ms on output @p out (0 = active energy
     *        LED, 1 = reactive LED, 2.. pulse outputs). **ISR-safe.** The HAL
     *        times the pulse itself (one-shot timer). Optional (NULL: no
     *        outputs).
     * @return MTR_OK; MTR_ERR_RANGE for an output that does not exist;
     *         MTR_ERR_BUSY if the previous pulse on @p out has not ended.
     */
    mtr_err_t (*pulse)(void *ctx, uint8_t out, uint16_t width_ms);
    /**
     * @brief Current state of the inputs as a mask of ::mtr_input bits.
     *        **ISR-safe.** Optional (NULL: all inputs read 0).
     */
    mtr_err_t (*inputs)(void *ctx, uint32_t *bits);
    /** @brief ADC properties. Optional (NULL: no ADC; metrology is off). */
    mtr_err_t (*adc_info)(void *ctx, struct mtr_adc_info *info);
    /**
     * @brief Take the frames converted since the last call (DMA buffer
     *        hand-over), oldest first. Optional (with adc_info).
     * @param[out] frames room for @p max frames of MTR_ADC_CHANNELS samples.
     * @param[out] n frames written (0 if none are ready).
     * @return MTR_OK; MTR_ERR_OVERFLOW if frames were lost since the last call
     *         (those written are still valid, *n is set); MTR_ERR_IO.
     */
    mtr_err_t (*adc_read)(void *ctx, int32_t *frames, size_t max, size_t *n);
};

/* -------------------------------------------------------------------- sys */

/** Why the MCU last reset (mtr_sys_ops.reset_cause). */
enum mtr_reset_cause {
    MTR_RESET_POWER_ON = 1, MTR_RESET_WATCHDOG, MTR_RESET_SOFTWARE,
    MTR_RESET_BROWNOUT, MTR_RESET_PIN, MTR_RESET_OTHER
};

/** System services. */
struct mtr_sys_ops {
    /**
     * @brief Mask the interrupts that may call mtr_post_*. **ISR-safe**,
     *        nestable through @p state. Optional (NULL: the port promises that
     *        a single interrupt level posts events, see docs/porting.md).
     * @param[out] state opaque value to give back to critical_exit.
     */
    mtr_err_t (*critical_enter)(void *ctx, uint32_t *state);
    /** @brief Restore the interrupt state saved by critical_enter. **ISR-safe.** */
    mtr_err_t (*critical_exit)(void *ctx, uint32_t state);
    /**
     * @brief Fill @p buf with @p len bytes from a true random source (for
     *        challenges and IVs). Optional (NULL: HLS authentication NOTSUP).
     * @return MTR_OK; MTR_ERR_IO if the source failed its health test.
     */
    mtr_err_t (*entropy)(void *ctx, void *buf, size_t len);
    /** @brief Kick the watchdog. Optional (NULL: no watchdog). */
    mtr_err_t (*watchdog_kick)(void *ctx);
    /** @brief Reset the MCU; does not return on success. Optional. */
    mtr_err_t (*reset)(void *ctx);
    /** @brief Cause of the last reset (::mtr_reset_cause). Optional. */
    mtr_err_t (*reset_cause)(void *ctx, uint32_t *cause);
};

/* ----------------------------------------------------------------- crypto */

/** Opaque storage for an incremental SHA-256, large enough for common implementations. */
struct mtr_sha256_state {
    uint64_t opaque[32];
};

/**
 * Cryptographic primitives. All optional: a NULL op makes the features that
 * need it return MTR_ERR_NOTSUP (GCM: DLMS security suite 0; key wrap: key
 * transfer; SHA-256: image verification and fiscal chains; DES: STS EA09;
 * ECDSA P-256: signed firmware images).
 * Keys are passed per call; an op keeps no key after it returns. Outputs are
 * written only on success, except where noted.
 */
struct mtr_crypto_ops {
    /**
     * @brief AES-128-GCM encrypt. @p out may equal @p in.
     * @param key 16 bytes. @param iv 12 bytes for DLMS. @param tag_len 12 or 16.
     * @return MTR_OK; MTR_ERR_INVAL for unsupported lengths.
     */
    mtr_err_t (*gcm_encrypt)(void *ctx, const uint8_t key[16], const uint8_t *iv,
                             size_t iv_len, const uint8_t *aad, size_t aad_len,
                             const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
                             size_t tag_len);
    /**
     * @brief AES-128-GCM decrypt and verify. @p out may equal @p in.
     * @return MTR_OK; MTR_ERR_AUTH if the tag does not match (then @p out is
     *         zeroed, never partly decrypted); MTR_ERR_INVAL.
     */
    mtr_err_t (*gcm_decrypt)(void *ctx, const uint8_t key[16], const uint8_t *iv,
                             size_t iv_len, const uint8_t *aad, size_t aad_len,
                             const uint8_t *in, size_t len, uint8_t *out,
                             const uint8_t *tag, size_t tag_len);
    /**
     * @brief AES key wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6) with a
     *        128-bit KEK. @p len: multiple of 8, >= 16; output is len + 8.
     * @return MTR_OK; MTR_ERR_INVAL.
     */
    mtr_err_t (*key_wrap)(void *ctx, const uint8_t kek[16], const uint8_t *in, size_t len,
                          uint8_t *out);
    /**
     * @brief AES key unwrap (RFC 3394). @p len: wrapped length, multiple of 8,
     *        >= 24; output is len - 8.
     * @return MTR_OK; MTR_ERR_AUTH if the integrity check fails (nothing
     *         written); MTR_ERR_INVAL.
     */
    mtr_err_t (*key_unwrap)(void *ctx, const uint8_t kek[16], const uint8_t *in, size_t len,
                            uint8_t *out);
    /** @brief Start an incremental SHA-256 in @p st. */
    mtr_err_t (*sha256_start)(void *ctx, struct mtr_sha256_state *st);
    /** @brief Hash @p len more bytes. */
    mtr_err_t (*sha256_update)(void *ctx, struct mtr_sha256_state *st, const void *data,
                               size_t len);
    /** @brief Finish: write the 32-byte digest; @p st may be started again. */
    mtr_err_t (*sha256_finish)(void *ctx, struct mtr_sha256_state *st, uint8_t digest[32]);
    /**
     * @brief One DES (DEA) block, for STS EA09 tokens. @p decrypt selects the
     *        direction. Parity bits of @p key are ignored.
     */
    mtr_err_t (*des_block)(void *ctx, const uint8_t key[8], const uint8_t in[8], uint8_t out[8],
                           bool decrypt);
    /**
     * @brief Verify an ECDSA signature on NIST P-256 (FIPS 186-4) over a
     *        SHA-256 digest, for signed firmware images (meter/image.h).
     *        Optional, not paired (NULL: images signed with ECDSA fail
     *        their signature check).
     * @param pub the public key: X || Y, 32 bytes each, big-endian (the
     *        uncompressed point without its 0x04 prefix).
     * @param digest the 32-byte SHA-256 of the signed data.
     * @param sig r || s, 32 bytes each, big-endian.
     * @return MTR_OK (valid); MTR_ERR_AUTH (the signature does not match);
     *         MTR_ERR_INVAL (@p pub is not a point of the curve).
     */
    mtr_err_t (*ecdsa_p256_verify)(void *ctx, const uint8_t pub[64], const uint8_t digest[32],
                                   const uint8_t sig[64]);
};

/* -------------------------------------------------------------------- all */

/** The HAL: a context plus five op groups. Only clock and nvm are required. */
struct mtr_hal {
    void *ctx;                           /**< handed to every op */
    const struct mtr_clock_ops *clock;   /**< required */
    const struct mtr_nvm_ops *nvm;       /**< required */
    const struct mtr_io_ops *io;         /**< optional (NULL: no io) */
    const struct mtr_sys_ops *sys;       /**< optional (NULL: defaults) */
    const struct mtr_crypto_ops *crypto; /**< optional (NULL: no crypto) */
};

/**
 * @brief Check that a HAL is complete enough for the core: required groups and
 *        ops present, paired ops (critical_enter/exit, adc_info/adc_read,
 *        sha256 start/update/finish, gcm encrypt/decrypt, key wrap/unwrap)
 *        given together, erase present when the NVM needs it, NVM geometry
 *        coherent.
 * @return MTR_OK; MTR_ERR_CONFIG naming nothing more (see the docs for the
 *         rules); errors of nvm.info().
 */
mtr_err_t mtr_hal_check(const struct mtr_hal *hal);

#ifdef __cplusplus
}
#endif

#endif /* METER_HAL_H */
