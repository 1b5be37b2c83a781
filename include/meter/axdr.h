/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file axdr.h
 * @brief A-XDR codec of the DLMS/COSEM `Data` type (IEC 62056-6-2, DLMS UA
 *        Blue Book data types; encodings of the Green Book, IEC 62056-5-3).
 *
 * Decoding is a pull parser: mtr_dlms_axdr_next() returns one token (tag,
 * length or count, and a view of the value bytes inside the input) at a time
 * and never copies or allocates. A reader tracks the open arrays and
 * structures, so that it bounds nesting (MTR_CFG_DLMS_MAX_DEPTH) and checks
 * that every announced element can still fit in the bytes left: a 5-byte
 * input cannot announce 65535 elements. Work is linear in the input size.
 *
 * Encoding is a streaming writer into caller buffers: an item that does not
 * fit is written in part and the rest waits until the caller hands over the
 * next buffer (mtr_dlms_axdr_writer_next()), so a profile buffer of any size
 * can be sent in blocks without ever being whole in RAM. Re-encoding the
 * tokens of a decoded value gives back the same bytes (length forms kept).
 *
 * Floating-point values (float32, float64) are carried as their raw IEEE 754
 * bytes: the core has no floating point.
 */
#ifndef METER_AXDR_H
#define METER_AXDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Data type tags (Blue Book, `Data ::= CHOICE`; 28..33 since Blue Book edition 12). */
enum mtr_dlms_tag {
    MTR_DLMS_NULL_DATA = 0,
    MTR_DLMS_ARRAY = 1,
    MTR_DLMS_STRUCTURE = 2,
    MTR_DLMS_BOOLEAN = 3,
    MTR_DLMS_BIT_STRING = 4,
    MTR_DLMS_DOUBLE_LONG = 5,          /**< int32 */
    MTR_DLMS_DOUBLE_LONG_UNSIGNED = 6, /**< uint32 */
    MTR_DLMS_OCTET_STRING = 9,
    MTR_DLMS_VISIBLE_STRING = 10,
    MTR_DLMS_UTF8_STRING = 12,
    MTR_DLMS_BCD = 13,                 /**< one byte */
    MTR_DLMS_INTEGER = 15,             /**< int8 */
    MTR_DLMS_LONG = 16,                /**< int16 */
    MTR_DLMS_UNSIGNED = 17,            /**< uint8 */
    MTR_DLMS_LONG_UNSIGNED = 18,       /**< uint16 */
    MTR_DLMS_COMPACT_ARRAY = 19,
    MTR_DLMS_LONG64 = 20,              /**< int64 */
    MTR_DLMS_LONG64_UNSIGNED = 21,     /**< uint64 */
    MTR_DLMS_ENUM = 22,                /**< uint8 */
    MTR_DLMS_FLOAT32 = 23,             /**< 4 raw bytes */
    MTR_DLMS_FLOAT64 = 24,             /**< 8 raw bytes */
    MTR_DLMS_DATE_TIME = 25,           /**< 12 bytes */
    MTR_DLMS_DATE = 26,                /**< 5 bytes */
    MTR_DLMS_TIME = 27,                /**< 4 bytes */
    MTR_DLMS_DELTA_INTEGER = 28,       /**< int8 */
    MTR_DLMS_DELTA_LONG = 29,          /**< int16 */
    MTR_DLMS_DELTA_DOUBLE_LONG = 30,   /**< int32 */
    MTR_DLMS_DELTA_UNSIGNED = 31,      /**< uint8 */
    MTR_DLMS_DELTA_LONG_UNSIGNED = 32, /**< uint16 */
    MTR_DLMS_DELTA_DOUBLE_LONG_UNSIGNED = 33, /**< uint32 */
    MTR_DLMS_DONT_CARE = 255,
};

/** One decoded item. Views point into the input, valid while it is. */
struct mtr_dlms_axdr_token {
    const uint8_t *value; /**< value bytes (NULL for none); compact-array: its contents */
    const uint8_t *desc;  /**< compact-array: its type description; else NULL */
    uint32_t value_len;   /**< bytes at @c value */
    uint32_t count;       /**< array/structure: elements; strings: bytes; bit-string: bits;
                               compact-array: content bytes; else 0 */
    uint16_t desc_len;    /**< bytes at @c desc */
    uint8_t tag;          /**< ::mtr_dlms_tag */
    uint8_t len_size;     /**< bytes of the length/count field (0 = none, 1..5) */
    uint8_t depth;        /**< nesting level of this item, 0 = top */
};

/** Pull-decoder state: the open containers. Caller-allocated, no heap. */
struct mtr_dlms_axdr_reader {
    uint32_t left[MTR_CFG_DLMS_MAX_DEPTH]; /**< elements still due per open container */
    uint32_t pending;                      /**< sum of left[]: each needs >= 1 byte */
    uint8_t depth;                         /**< open containers */
    bool started;                          /**< a top-level value was begun */
};

/** Decoded COSEM date-time (Blue Book 4.1.6.1). 0xFF/0xFFFF = not specified. */
struct mtr_dlms_datetime {
    uint16_t year;      /**< 0..0xFFFE, 0xFFFF not specified */
    uint8_t month;      /**< 1..12, 0xFD DST end, 0xFE DST begin, 0xFF */
    uint8_t day;        /**< 1..31, 0xFD second last, 0xFE last day of month, 0xFF */
    uint8_t dow;        /**< 1..7 (Monday = 1), 0xFF */
    uint8_t hour;       /**< 0..23, 0xFF */
    uint8_t minute;     /**< 0..59, 0xFF */
    uint8_t second;     /**< 0..59, 0xFF */
    uint8_t hundredths; /**< 0..99, 0xFF */
    int16_t deviation;  /**< minutes, -720..720, or MTR_DLMS_DEVIATION_NONE */
    uint8_t status;     /**< clock status bits (MTR_DLMS_CLOCK_*), 0xFF not specified */
};

#define MTR_DLMS_DEVIATION_NONE ((int16_t)-32768) /**< 0x8000: deviation not specified */
#define MTR_DLMS_CLOCK_INVALID 0x01u        /**< clock status: invalid value */
#define MTR_DLMS_CLOCK_DOUBTFUL 0x02u       /**< clock status: doubtful value */
#define MTR_DLMS_CLOCK_DIFFERENT_BASE 0x04u /**< clock status: different clock base */
#define MTR_DLMS_CLOCK_INVALID_STATUS 0x08u /**< clock status: invalid clock status */
#define MTR_DLMS_CLOCK_DST 0x80u            /**< clock status: daylight saving active */

/** Bytes of header and small values a writer stages for one item. */
#define MTR_DLMS_AXDR_STAGE 20

/**
 * Streaming encoder state over caller buffers. One item at a time is staged
 * as up to 4 segments (its own small bytes, or views of caller data); do not
 * move the writer while an item is pending.
 */
struct mtr_dlms_axdr_writer {
    uint8_t *buf;               /**< current output buffer */
    size_t cap;                 /**< its size */
    size_t len;                 /**< bytes written into it */
    uint32_t total;             /**< bytes produced since init */
    const uint8_t *seg[4];      /**< segments of the current item */
    uint32_t seg_len[4];        /**< bytes of each still to copy */
    uint8_t nseg;               /**< segments of the current item */
    uint8_t cur;                /**< first segment not yet fully copied */
    uint8_t stage[MTR_DLMS_AXDR_STAGE]; /**< the item's own bytes */
};

/* ------------------------------------------------------------ decoding */

/** @brief Prepare @p r for one top-level Data value. */
void mtr_dlms_axdr_reader_init(struct mtr_dlms_axdr_reader *r);

/**
 * @brief Decode the next token of the value being read.
 * @param r   reader (after init); unchanged on error.
 * @param p   in: next input byte; out: past the token (unchanged on error).
 * @param end one past the last input byte.
 * @param t   the token; for containers, their elements follow as tokens.
 * @return MTR_OK; MTR_ERR_EMPTY when the top-level value is already complete;
 *         MTR_ERR_DLMS_TRUNCATED (input ends inside the token),
 *         MTR_ERR_DLMS_LENGTH (length byte 0x80 or 0x85..0xFF, or a length over 2^32-1),
 *         MTR_ERR_DLMS_TAG (unknown tag, or a bad tag inside a compact-array description),
 *         MTR_ERR_DLMS_DEPTH (nesting over MTR_CFG_DLMS_MAX_DEPTH),
 *         MTR_ERR_DLMS_COUNT (count over MTR_CFG_DLMS_MAX_ELEMENTS or larger than the bytes left).
 */
mtr_err_t mtr_dlms_axdr_next(struct mtr_dlms_axdr_reader *r, const uint8_t **p, const uint8_t *end,
                             struct mtr_dlms_axdr_token *t);

/** @brief True once a whole top-level value has been read by @p r. */
bool mtr_dlms_axdr_done(const struct mtr_dlms_axdr_reader *r);

/**
 * @brief Skip one complete Data value (all its nested elements).
 * @param p in: first byte of the value; out: past it (unchanged on error).
 * @return MTR_OK or any error of mtr_dlms_axdr_next() (never MTR_ERR_EMPTY).
 */
mtr_err_t mtr_dlms_axdr_skip(const uint8_t **p, const uint8_t *end);

/**
 * @brief Decode an A-XDR length (1 byte < 0x80, or 0x81..0x84 then 1..4 bytes, big-endian).
 * @param len_size out: bytes used by the length field (may be NULL).
 * @return MTR_OK, MTR_ERR_DLMS_TRUNCATED, MTR_ERR_DLMS_LENGTH (0x80, 0x85..0xFF).
 */
mtr_err_t mtr_dlms_axdr_get_length(const uint8_t **p, const uint8_t *end, uint32_t *len,
                                   uint8_t *len_size);

/**
 * @brief Value of an unsigned integer token (unsigned, long-unsigned, double-long-unsigned,
 *        long64-unsigned, enum, bcd, boolean and the unsigned delta types).
 * @return MTR_OK or MTR_ERR_DLMS_TAG (not an unsigned type).
 */
mtr_err_t mtr_dlms_axdr_get_uint(const struct mtr_dlms_axdr_token *t, uint64_t *v);

/**
 * @brief Value of a signed integer token (integer, long, double-long, long64, signed deltas).
 * @return MTR_OK or MTR_ERR_DLMS_TAG (not a signed type).
 */
mtr_err_t mtr_dlms_axdr_get_int(const struct mtr_dlms_axdr_token *t, int64_t *v);

/**
 * @brief Fixed size of the value of @p tag in bytes.
 * @return 0..12 for fixed-size types; -1 for variable-size, containers and unknown tags.
 */
int mtr_dlms_axdr_fixed_size(uint8_t tag);

/* ------------------------------------------------------------ date and time */

/**
 * @brief Decode and validate a 12-byte COSEM date-time (the value of a
 *        date-time token, or of a 12-byte octet-string).
 * @return MTR_OK or MTR_ERR_DLMS_VALUE (a field outside its range, or a day past
 *         the end of its month); @p dt is written only on success.
 */
mtr_err_t mtr_dlms_datetime_decode(const uint8_t b[12], struct mtr_dlms_datetime *dt);

/** @brief Encode @p dt as the 12 wire bytes (no validation; see mtr_dlms_datetime_check()). */
void mtr_dlms_datetime_encode(const struct mtr_dlms_datetime *dt, uint8_t b[12]);

/** @brief Validate every field of @p dt. @return MTR_OK or MTR_ERR_DLMS_VALUE. */
mtr_err_t mtr_dlms_datetime_check(const struct mtr_dlms_datetime *dt);

/** @brief Validate a 5-byte COSEM date. @return MTR_OK or MTR_ERR_DLMS_VALUE. */
mtr_err_t mtr_dlms_date_check(const uint8_t b[5]);

/** @brief Validate a 4-byte COSEM time. @return MTR_OK or MTR_ERR_DLMS_VALUE. */
mtr_err_t mtr_dlms_time_check(const uint8_t b[4]);

/* ------------------------------------------------------------ encoding */

/** @brief Start writing into @p buf (@p cap bytes, may be 0). */
void mtr_dlms_axdr_writer_init(struct mtr_dlms_axdr_writer *w, uint8_t *buf, size_t cap);

/** @brief Bytes of the last item not yet written; > 0 means: send buf[0..len), then call next. */
size_t mtr_dlms_axdr_writer_pending(const struct mtr_dlms_axdr_writer *w);

/**
 * @brief Continue into a fresh buffer (the caller has taken the @c len bytes
 *        of the previous one): copies what was pending, resets @c len.
 */
void mtr_dlms_axdr_writer_next(struct mtr_dlms_axdr_writer *w, uint8_t *buf, size_t cap);

/**
 * @brief Write an array or structure header; its @p count elements follow as items.
 * @return MTR_OK; MTR_ERR_BUSY (previous item still pending); MTR_ERR_INVAL (tag not 1/2).
 */
mtr_err_t mtr_dlms_axdr_put_container(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint32_t count);

/**
 * @brief Write an unsigned integer type (unsigned, long-unsigned, double-long-unsigned,
 *        long64-unsigned, enum, bcd, boolean, unsigned deltas).
 * @return MTR_OK; MTR_ERR_BUSY; MTR_ERR_INVAL (not such a tag); MTR_ERR_RANGE (@p v too wide).
 */
mtr_err_t mtr_dlms_axdr_put_uint(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint64_t v);

/**
 * @brief Write a signed integer type (integer, long, double-long, long64, signed deltas).
 * @return MTR_OK; MTR_ERR_BUSY; MTR_ERR_INVAL (not such a tag); MTR_ERR_RANGE (@p v too wide).
 */
mtr_err_t mtr_dlms_axdr_put_int(struct mtr_dlms_axdr_writer *w, uint8_t tag, int64_t v);

/**
 * @brief Write a fixed-size type from its raw value bytes (any tag of
 *        mtr_dlms_axdr_fixed_size() >= 0: float32/64 raw, date-time, date, time, null...).
 * @param v mtr_dlms_axdr_fixed_size(@p tag) bytes.
 * @return MTR_OK; MTR_ERR_BUSY; MTR_ERR_INVAL (not a fixed-size tag).
 */
mtr_err_t mtr_dlms_axdr_put_fixed(struct mtr_dlms_axdr_writer *w, uint8_t tag, const uint8_t *v);

/**
 * @brief Write octet-string, visible-string or utf8-string; @p data is not
 *        copied until written: keep it valid while pending.
 * @return MTR_OK; MTR_ERR_BUSY; MTR_ERR_INVAL (not a string tag).
 */
mtr_err_t mtr_dlms_axdr_put_string(struct mtr_dlms_axdr_writer *w, uint8_t tag, const uint8_t *data,
                                   uint32_t len);

/** @brief Write a bit-string of @p bits bits from (bits+7)/8 bytes at @p data (kept as above). */
mtr_err_t mtr_dlms_axdr_put_bits(struct mtr_dlms_axdr_writer *w, const uint8_t *data, uint32_t bits);

/** @brief Write a date-time from @p dt (not validated). @return MTR_OK or MTR_ERR_BUSY. */
mtr_err_t mtr_dlms_axdr_put_datetime(struct mtr_dlms_axdr_writer *w, const struct mtr_dlms_datetime *dt);

/**
 * @brief Re-encode a decoded token exactly (same tag, length form and value);
 *        for containers only the header. Views must stay valid while pending.
 * @return MTR_OK; MTR_ERR_BUSY; MTR_ERR_INVAL (token not produced by the decoder).
 */
mtr_err_t mtr_dlms_axdr_put_token(struct mtr_dlms_axdr_writer *w, const struct mtr_dlms_axdr_token *t);

/** @brief Run-time twin of MTR_CFG_DLMS_MAX_DEPTH. */
uint32_t mtr_dlms_config_max_depth(void);
/** @brief Run-time twin of MTR_CFG_DLMS_MAX_ELEMENTS. */
uint32_t mtr_dlms_config_max_elements(void);
/** @brief sizeof(struct mtr_dlms_axdr_reader), for bindings. */
size_t mtr_dlms_axdr_reader_size(void);
/** @brief sizeof(struct mtr_dlms_axdr_writer), for bindings. */
size_t mtr_dlms_axdr_writer_size(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_AXDR_H */
