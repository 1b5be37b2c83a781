/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file sts.h
 * @brief STS (IEC 62055-41) token engine: decode, check and accept 20-digit
 *        prepayment tokens; encode them for vending tools and tests.
 *
 * A token is 20 decimal digits holding a 66-bit number: a 64-bit data block,
 * encrypted with the meter's decoder key (except class 1), plus the 2 class
 * bits, which are swapped with bits 28 and 27 of the encrypted block. The
 * data block of a class 0 (credit) token is, from the most significant bit:
 * subclass (4) | random (4) | TID (24) | amount (16) | CRC (16).
 *
 * Layers, each usable alone:
 * - numbers: 20 digits <-> 66 bits (mtr_sts_digits_parse, mtr_sts_digits_format),
 *   class transposition, CRC-16, amount exponent/mantissa, TID <-> UTC;
 * - data blocks: mtr_sts_block_pack / mtr_sts_block_unpack (fields <-> 64 bits);
 * - ciphers: EA07 (Standard Transfer Algorithm, tables supplied by the caller)
 *   and EA09 (DES through the HAL's crypto ops); key generation DKGA02 (DES)
 *   and DKGA04 (HMAC-SHA-256 through the HAL's SHA-256 ops);
 * - the meter's decoder (struct mtr_sts): key, key change, replay memory,
 *   results for the CIU, persistence as a versioned blob;
 * - the encoder (mtr_sts_encode): fields -> 20 digits, for vending tools/tests.
 *
 * Sources of the facts: see docs/sts.md. Nothing here allocates, and nothing
 * uses floating point or division in the decode path.
 */
#ifndef METER_STS_H
#define METER_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/hal.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- numbers */

/** Digits of a token. */
#define MTR_STS_DIGITS 20

/** A 66-bit token number: bits 65..64 in @c hi, bits 63..0 in @c lo. */
struct mtr_sts_number {
    uint64_t lo; /**< bits 63..0 */
    uint8_t hi;  /**< bits 65..64 (0..3) */
};

/**
 * @brief Parse exactly 20 decimal digits into a 66-bit token number.
 * @param digits the characters (no separators, no terminator needed).
 * @param len number of characters given.
 * @return MTR_OK; MTR_ERR_STS_LENGTH if @p len is not 20;
 *         MTR_ERR_STS_DIGIT for a character other than '0'..'9';
 *         MTR_ERR_STS_RANGE if the value exceeds 2^66 - 1. @p n is written
 *         only on success.
 */
mtr_err_t mtr_sts_digits_parse(const char *digits, size_t len, struct mtr_sts_number *n);

/**
 * @brief Format a 66-bit number as 20 digits with leading zeros and a NUL.
 *        Division-free (shift-and-add-3).
 */
void mtr_sts_digits_format(const struct mtr_sts_number *n, char out[MTR_STS_DIGITS + 1]);

/**
 * @brief Build the token number from an encrypted block and the class:
 *        bits 28/27 of @p block move to bits 65/64, the class bits 1/0 take
 *        their place (IEC 62055-41, class transposition).
 */
struct mtr_sts_number mtr_sts_transpose(uint64_t block, uint8_t cls);

/** @brief Inverse of mtr_sts_transpose(): recover the block and the class. */
uint64_t mtr_sts_untranspose(const struct mtr_sts_number *n, uint8_t *cls);

/**
 * @brief The token CRC of the 50 bits class (2) | block bits 63..16 (48).
 *        CRC-16 with polynomial 0x8005 (reflected 0xA001), init 0xFFFF, no
 *        final xor, over the 7 bytes of that 50-bit value, most significant
 *        byte first; the field holds the register's low byte in its high
 *        8 bits.
 */
uint16_t mtr_sts_crc(uint8_t cls, uint64_t block);

/** Largest value the 16-bit amount field can carry (exponent 3, mantissa 16383). */
#define MTR_STS_AMOUNT_MAX 18201624u

/**
 * @brief Value of a 16-bit amount field: exponent e = bits 15..14,
 *        mantissa m = bits 13..0; m * 10^e + sum(i = 1..e) 2^14 * 10^(i-1).
 *        Every field value is valid; the result is 0..MTR_STS_AMOUNT_MAX.
 */
uint32_t mtr_sts_amount_decode(uint16_t field);

/**
 * @brief Encode @p value as an amount field, rounding up to the next
 *        representable value when it is not exact.
 * @param[out] represented the value the field stands for (>= @p value).
 * @return MTR_OK; MTR_ERR_STS_OVERFLOW if @p value > MTR_STS_AMOUNT_MAX.
 */
mtr_err_t mtr_sts_amount_encode(uint32_t value, uint16_t *field, uint32_t *represented);

/* ---------------------------------------------------------- base dates, TID */

/** Base dates of the TID (IEC 62055-41 and its amendment). */
enum mtr_sts_base {
    MTR_STS_BASE_1993 = 0, /**< 1993-01-01T00:00Z; 2^24 minutes end 2024-11-24 */
    MTR_STS_BASE_2014 = 1, /**< 2014-01-01T00:00Z */
    MTR_STS_BASE_2035 = 2, /**< 2035-01-01T00:00Z */
    MTR_STS_BASE_COUNT
};

/** Largest TID: 2^24 - 1 minutes after the base date. */
#define MTR_STS_TID_MAX 0xFFFFFFu

/** @brief UTC seconds of base date @p base (0 for an unknown base). */
mtr_utc_t mtr_sts_base_utc(enum mtr_sts_base base);

/** @brief UTC seconds of the minute @p tid counts from @p base. */
mtr_utc_t mtr_sts_tid_to_utc(enum mtr_sts_base base, uint32_t tid);

/**
 * @brief TID of the minute that contains @p utc (host side: uses division).
 * @return MTR_OK; MTR_ERR_RANGE if @p utc is before the base date or more
 *         than MTR_STS_TID_MAX minutes after it (the TID has rolled over:
 *         use the next base date); MTR_ERR_INVAL for an unknown base.
 */
mtr_err_t mtr_sts_utc_to_tid(enum mtr_sts_base base, mtr_utc_t utc, uint32_t *tid);

/* ----------------------------------------------------------- token fields */

/** Token classes. */
enum mtr_sts_class {
    MTR_STS_CLASS_CREDIT = 0,   /**< credit transfer (encrypted, TID) */
    MTR_STS_CLASS_TEST = 1,     /**< non-meter-specific management: test/display (plain) */
    MTR_STS_CLASS_MGMT = 2,     /**< meter-specific management (encrypted) */
    MTR_STS_CLASS_RESERVED = 3, /**< reserved: always rejected */
};

/** Subclasses of class 0; the amount is in tenths of the unit of the subclass
 *  (electricity: 0.1 kWh) or in currency units for the currency subclasses. */
enum mtr_sts_credit {
    MTR_STS_CREDIT_ELECTRICITY = 0,
    MTR_STS_CREDIT_WATER = 1,
    MTR_STS_CREDIT_GAS = 2,
    MTR_STS_CREDIT_TIME = 3,
    MTR_STS_CREDIT_ELECTRICITY_CURRENCY = 4,
    MTR_STS_CREDIT_WATER_CURRENCY = 5,
    MTR_STS_CREDIT_GAS_CURRENCY = 6,
    MTR_STS_CREDIT_TIME_CURRENCY = 7,
};

/** Subclasses of class 1 (plain, no TID, not recorded). */
enum mtr_sts_test {
    MTR_STS_TEST_DISPLAY_1 = 0, /**< 36-bit control, 8-bit manufacturer code */
    MTR_STS_TEST_DISPLAY_2 = 1, /**< 28-bit control, 16-bit manufacturer code */
};

/** Subclasses of class 2. */
enum mtr_sts_mgmt {
    MTR_STS_MGMT_SET_MAX_POWER = 0,       /**< value: maximum power limit, W (amount coding) */
    MTR_STS_MGMT_CLEAR_CREDIT = 1,        /**< field: register to clear (0xFFFF: all) */
    MTR_STS_MGMT_SET_TARIFF_RATE = 2,     /**< field: rate (raw) */
    MTR_STS_MGMT_SET_KEY_1ST = 3,         /**< key change token, 1st section */
    MTR_STS_MGMT_SET_KEY_2ND = 4,         /**< key change token, 2nd section */
    MTR_STS_MGMT_CLEAR_TAMPER = 5,        /**< field: pad */
    MTR_STS_MGMT_SET_MAX_UNBALANCE = 6,   /**< value: max phase power unbalance, W (amount coding) */
    MTR_STS_MGMT_SET_WATER_FACTOR = 7,    /**< field: water meter factor (raw) */
};

/**
 * The fields of one token's data block. Which fields count depends on the
 * class and subclass; the others are ignored by the packer and zeroed by the
 * unpacker.
 */
struct mtr_sts_token {
    uint8_t cls;      /**< ::mtr_sts_class */
    uint8_t subclass; /**< 0..15 */
    /* class 0, and class 2 except the key change subclasses 3 and 4 */
    uint8_t rnd;      /**< random number, 0..15 */
    uint32_t tid;     /**< token identifier, minutes since the base date, 0..2^24-1 */
    uint16_t field;   /**< amount / register field as carried (16 bits) */
    /* class 1 */
    uint64_t control;      /**< 36 (subclass 0) or 28 (subclass 1) bits */
    uint16_t manufacturer; /**< 8 (subclass 0) or 16 (subclass 1) bits */
    /* class 2 subclass 3 (1st section) */
    uint8_t ken_high; /**< key expiry number, high nibble */
    uint8_t krn;      /**< key revision number, 1..15 */
    uint8_t ro;       /**< roll-over: the new key counts TIDs from the next base date */
    uint8_t res;      /**< the reserved bit, kept as carried so that a token re-encodes exactly */
    uint8_t kt;       /**< key type 0..3 */
    /* class 2 subclass 4 (2nd section) */
    uint8_t ken_low;  /**< key expiry number, low nibble */
    uint8_t ti;       /**< tariff index 0..99 */
    /* class 2 subclasses 3 and 4 */
    uint32_t key_half; /**< new decoder key bits 63..32 (1st) or 31..0 (2nd) */
};

/** @brief Whether the token of this class/subclass carries a TID. */
bool mtr_sts_has_tid(uint8_t cls, uint8_t subclass);

/**
 * @brief Pack @p t into a 64-bit data block with its CRC.
 * @return MTR_OK; MTR_ERR_RANGE for a field beyond its width, class 3, or an
 *         unknown class 1 subclass.
 */
mtr_err_t mtr_sts_block_pack(const struct mtr_sts_token *t, uint64_t *block);

/**
 * @brief Check the CRC of a decrypted block of class @p cls and unpack it.
 * @return MTR_OK; MTR_ERR_STS_CRC when the CRC does not match (nothing
 *         written); MTR_ERR_STS_CLASS for class 3.
 */
mtr_err_t mtr_sts_block_unpack(uint8_t cls, uint64_t block, struct mtr_sts_token *t);

/* ---------------------------------------------------------------- ciphers */

/** Encryption algorithms. */
enum mtr_sts_ea {
    MTR_STS_EA07 = 7, /**< Standard Transfer Algorithm */
    MTR_STS_EA09 = 9, /**< DEA (DES) */
};

/**
 * Substitution and permutation tables of EA07. The real tables are issued
 * by the STS Association to its members and are secret; the standard prints
 * sample tables. @c s[1] is used where the key bit is 1.
 */
struct mtr_sts_sta_tables {
    uint8_t s[2][16]; /**< two 4-bit substitutions (each a permutation of 0..15) */
    uint8_t p[64];    /**< encryption permutation: block bit i moves to bit p[i] */
};

/**
 * @brief Check that @p t is usable: both substitutions and the permutation
 *        are bijections.
 * @return MTR_OK; MTR_ERR_INVAL.
 */
mtr_err_t mtr_sts_sta_check(const struct mtr_sts_sta_tables *t);

/** @brief EA07 encryption of @p block with decoder key @p key (64 bits, MSB first). */
uint64_t mtr_sts_ea07_encrypt(const struct mtr_sts_sta_tables *t, uint64_t key, uint64_t block);
/** @brief EA07 decryption (inverse of mtr_sts_ea07_encrypt()). */
uint64_t mtr_sts_ea07_decrypt(const struct mtr_sts_sta_tables *t, uint64_t key, uint64_t block);

/**
 * @brief EA09: one DES block with key and block as big-endian 64-bit values.
 * @return MTR_OK; MTR_ERR_NOTSUP if @p hal has no des_block op; errors of the op.
 */
mtr_err_t mtr_sts_ea09(const struct mtr_hal *hal, uint64_t key, uint64_t in, bool decrypt,
                       uint64_t *out);

/* ------------------------------------------------------- key generation */

/** The public inputs of decoder key generation. */
struct mtr_sts_key_params {
    uint32_t iin;   /**< issuer identification number, 6 digits (600727 for STS) */
    uint64_t iain;  /**< individual account identification number (DRN), 11 digits */
    uint32_t sgc;   /**< supply group code, 6 digits */
    uint8_t ti;     /**< tariff index 0..99 */
    uint8_t krn;    /**< key revision number 1..9 (DKGA04) or 1..15 (DKGA02) */
    uint8_t kt;     /**< key type 0..3 */
    uint8_t base;   /**< ::mtr_sts_base (DKGA04 only) */
    uint8_t ea;     /**< ::mtr_sts_ea the key is for (DKGA04 only) */
};

/** @brief Luhn check digit of the 17-digit IIN | IAIN (the PAN's 18th digit). */
uint8_t mtr_sts_pan_check_digit(uint32_t iin, uint64_t iain);

/**
 * @brief DKGA02: DK = DES(VK, PB ^ CB) ^ PB ^ CB ^ VK, where PB is the PAN
 *        block (last 5 digits of the IIN and the 11 digits of the IAIN, as
 *        16 BCD nibbles) and CB the control block (KT, SGC, TI, KRN, then
 *        nibbles F, as 16 BCD nibbles).
 * @param vk the 8-byte vending key (secret).
 * @param[out] dk the decoder key, bit 63 = first bit of DES output.
 * @return MTR_OK; MTR_ERR_INVAL for a parameter beyond its digits;
 *         MTR_ERR_NOTSUP without des_block.
 */
mtr_err_t mtr_sts_dkga02(const struct mtr_hal *hal, const uint8_t vk[8],
                         const struct mtr_sts_key_params *p, uint64_t *dk);

/**
 * @brief DKGA04: DK = first 8 bytes of HMAC-SHA-256(VK, data), data being the
 *        49-byte block of docs/sts.md (algorithm, base date, EA, TI, SGC, KT,
 *        KRN, PAN, key length 64).
 * @param vk the 20-byte (160-bit) vending key (secret).
 * @return MTR_OK; MTR_ERR_INVAL for a parameter beyond its range;
 *         MTR_ERR_NOTSUP without the SHA-256 ops; errors of the ops.
 */
mtr_err_t mtr_sts_dkga04(const struct mtr_hal *hal, const uint8_t vk[20],
                         const struct mtr_sts_key_params *p, uint64_t *dk);

/* ---------------------------------------------------------------- encoder */

/** What the encoder and the decoder need to (de)cipher tokens. */
struct mtr_sts_cipher {
    uint8_t ea;                            /**< ::mtr_sts_ea */
    const struct mtr_sts_sta_tables *sta;  /**< EA07 tables (required for EA07) */
    const struct mtr_hal *hal;             /**< crypto ops (required for EA09) */
};

/**
 * @brief Encode the token @p t under decoder key @p dk as 20 digits + NUL.
 *        Class 1 tokens are not encrypted.
 * @return MTR_OK; errors of mtr_sts_block_pack(); MTR_ERR_INVAL for an
 *         unusable cipher; errors of mtr_sts_ea09().
 */
mtr_err_t mtr_sts_encode(const struct mtr_sts_cipher *c, uint64_t dk,
                         const struct mtr_sts_token *t, char out[MTR_STS_DIGITS + 1]);

/* ---------------------------------------------------------------- decoder */

/** The meter's decoder key and its attributes. Secret: @c dk. */
struct mtr_sts_key {
    uint64_t dk;  /**< decoder key */
    uint8_t krn;  /**< key revision number */
    uint8_t kt;   /**< key type 0..3 */
    uint8_t ti;   /**< tariff index */
    uint8_t ken;  /**< key expiry number: tokens whose TID bits 23..16 exceed it are refused; 255: never */
    uint8_t base; /**< ::mtr_sts_base the TIDs count from */
};

/** Token results, as a CIU shows them. */
enum mtr_sts_status {
    MTR_STS_ACCEPTED = 0,        /**< credit accepted: amount in the result */
    MTR_STS_MGMT_ACCEPTED,       /**< management token accepted */
    MTR_STS_TEST_ACCEPTED,       /**< test/display token: run the test asked */
    MTR_STS_KEY_CHANGE_1ST,      /**< key change: one section of two held */
    MTR_STS_KEY_CHANGED,         /**< key change complete: new key in use */
    MTR_STS_REJECT_LENGTH,       /**< not 20 digits */
    MTR_STS_REJECT_DIGIT,        /**< a character that is not a digit */
    MTR_STS_REJECT_RANGE,        /**< number beyond 66 bits */
    MTR_STS_REJECT_CRC,          /**< plain token with a bad CRC: mistyped */
    MTR_STS_REJECT_INCORRECT,    /**< CRC fails after decryption: mistyped, other meter or key */
    MTR_STS_REJECT_CLASS,        /**< reserved class */
    MTR_STS_REJECT_SUBCLASS,     /**< subclass not supported */
    MTR_STS_REJECT_USED,         /**< TID used before */
    MTR_STS_REJECT_OLD,          /**< TID older than the oldest remembered */
    MTR_STS_REJECT_KEY_EXPIRED,  /**< TID beyond the key expiry number */
    MTR_STS_REJECT_OVERFLOW,     /**< credit does not fit the room given */
    MTR_STS_REJECT_FAULT,        /**< the decoder failed (crypto op error) */
    MTR_STS_STATUS_COUNT
};

/** @brief The display text of @p s ("Token accepted", "Duplicate token", ...); never NULL. */
const char *mtr_sts_message(enum mtr_sts_status s);

/** Outcome of checking a token. */
struct mtr_sts_result {
    enum mtr_sts_status status; /**< what to show */
    struct mtr_sts_token token; /**< fields, valid from MTR_STS_REJECT_CLASS on and when accepted */
    uint32_t value;   /**< decoded amount (class 0) or limit (class 2 subclasses 0, 6) */
    mtr_utc_t issued; /**< UTC of the TID, when the token has one */
    uint64_t new_dk;  /**< MTR_STS_KEY_CHANGED: the new key (secret) */
    uint32_t stamp;   /**< private: state version at the check, for mtr_sts_commit() */
};

/** Capacity of the TID memory (MTR_CFG_STS_TID_MEMORY). */
#define MTR_STS_TID_MEMORY MTR_CFG_STS_TID_MEMORY

/** The decoder of one meter. Fields are private; use the functions. */
struct mtr_sts {
    struct mtr_sts_cipher cipher;
    struct mtr_sts_key key;
    /* key change sections received, not yet complete */
    uint8_t kct_have;  /* bit 0: 1st section, bit 1: 2nd section */
    struct mtr_sts_token kct[2];
    /* replay memory: the last TIDs accepted, any order */
    uint32_t tids[MTR_STS_TID_MEMORY];
    uint16_t ntids;
    uint32_t changes; /* counts committed state changes */
};

/**
 * @brief Start a decoder with key @p key, an empty TID memory and no key
 *        change pending.
 * @return MTR_OK; MTR_ERR_INVAL for an unusable cipher (EA07 without valid
 *         tables, EA09 without des_block) or key attributes out of range.
 */
mtr_err_t mtr_sts_init(struct mtr_sts *s, const struct mtr_sts_cipher *c,
                       const struct mtr_sts_key *key);

/**
 * @brief Check a token without changing anything: parse, decrypt, CRC,
 *        class, key expiry, TID memory, credit room.
 * @param credit_room largest credit amount (in the token's units) the
 *        consumer can take now; UINT32_MAX for no limit.
 * @param[out] r always written: the status and what was decoded.
 * @return MTR_OK when the token can be accepted (then mtr_sts_commit());
 *         MTR_ERR_STS_* matching r->status otherwise.
 */
mtr_err_t mtr_sts_check(const struct mtr_sts *s, const char *digits, size_t len,
                        uint32_t credit_room, struct mtr_sts_result *r);

/**
 * @brief Record an accepted token: its TID enters the memory (the oldest
 *        leaves when full), a key change section is held or completes the
 *        change. Call with the result of mtr_sts_check() on the same state,
 *        after the consumer applied the token, and persist together.
 * @return MTR_OK; MTR_ERR_STATE if @p r is not an accepted result or the
 *         state moved since the check (nothing changed).
 */
mtr_err_t mtr_sts_commit(struct mtr_sts *s, struct mtr_sts_result *r);

/** @brief mtr_sts_check() then, if accepted, mtr_sts_commit(). */
mtr_err_t mtr_sts_process(struct mtr_sts *s, const char *digits, size_t len,
                          uint32_t credit_room, struct mtr_sts_result *r);

/** @brief The key in use (secret: do not display @c dk). */
const struct mtr_sts_key *mtr_sts_current_key(const struct mtr_sts *s);
/** @brief TIDs remembered now (0..MTR_STS_TID_MEMORY). */
uint32_t mtr_sts_tid_count(const struct mtr_sts *s);
/** @brief Run-time twin of MTR_STS_TID_MEMORY. */
uint32_t mtr_sts_tid_capacity(void);
/** @brief sizeof(struct mtr_sts), for bindings that allocate it. */
size_t mtr_sts_size(void);

/* ------------------------------------------------------------ persistence */

/** Bytes of a saved state: header 8, key 14, key change 2 + 2*8, count 2, TIDs 3 each, CRC 4. */
#define MTR_STS_STATE_SIZE (8u + 14u + 18u + 2u + 3u * MTR_STS_TID_MEMORY + 4u)

/** @brief Run-time twin of MTR_STS_STATE_SIZE. */
size_t mtr_sts_state_size(void);

/**
 * @brief Serialise key, pending key change and TID memory as a versioned
 *        blob with a CRC-32. Contains the decoder key: keep it secret.
 * @param cap bytes at @p buf; at least MTR_STS_STATE_SIZE.
 * @param[out] len bytes written.
 * @return MTR_OK; MTR_ERR_FULL if @p cap is too small (nothing written).
 */
mtr_err_t mtr_sts_save(const struct mtr_sts *s, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Restore a blob of mtr_sts_save() into a decoder made by
 *        mtr_sts_init() (its cipher is kept). Advances @p *p past the blob.
 * @return MTR_OK; MTR_ERR_DECODE (short, bad magic, unknown version, fields
 *         out of range, more TIDs than this build remembers); MTR_ERR_CRC.
 *         On error neither @p s nor @p *p changes.
 */
mtr_err_t mtr_sts_load(struct mtr_sts *s, const uint8_t **p, const uint8_t *end);

#ifdef __cplusplus
}
#endif

#endif /* METER_STS_H */
