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
    MTR_ERR_DISPLAY_BASE = -1400,

    /* --- metrology codes --- */
    MTR_ERR_METROLOGY_LOCKED = MTR_ERR_METROLOGY_BASE - 1,  /**< calibration change outside calibration mode */
    MTR_ERR_METROLOGY_VERSION = MTR_ERR_METROLOGY_BASE - 2, /**< calibration blob of an unknown version */
    MTR_ERR_METROLOGY_SIGNAL = MTR_ERR_METROLOGY_BASE - 3,  /**< calibration signal absent or too far from the reference */
    /* --- end metrology codes --- */
    /* --- calendar codes --- */
    MTR_ERR_CALENDAR_DATE = MTR_ERR_CALENDAR_BASE - 1,     /**< invalid or out-of-range date/time */
    MTR_ERR_CALENDAR_SEASONS = MTR_ERR_CALENDAR_BASE - 2,  /**< seasons overlap or out of order */
    MTR_ERR_CALENDAR_DAY_ORDER = MTR_ERR_CALENDAR_BASE - 3, /**< switching points out of order */
    MTR_ERR_CALENDAR_LIMIT = MTR_ERR_CALENDAR_BASE - 4,    /**< more entries than configured */
    MTR_ERR_CALENDAR_REF = MTR_ERR_CALENDAR_BASE - 5,      /**< undefined or duplicate profile id */
    MTR_ERR_CALENDAR_TARIFF = MTR_ERR_CALENDAR_BASE - 6,   /**< tariff number or mask invalid */
    MTR_ERR_CALENDAR_PRESET = MTR_ERR_CALENDAR_BASE - 7,   /**< no preset time, or outside its window */
    MTR_ERR_CALENDAR_DST = MTR_ERR_CALENDAR_BASE - 8,      /**< invalid DST rule or time zone */
    MTR_ERR_CALENDAR_SHIFT = MTR_ERR_CALENDAR_BASE - 9,    /**< time shift outside -900..900 s */
    MTR_ERR_CALENDAR_PERIOD = MTR_ERR_CALENDAR_BASE - 10,  /**< invalid demand period or schedule */
    MTR_ERR_CALENDAR_VERSION = MTR_ERR_CALENDAR_BASE - 11, /**< saved state of unknown version */
    MTR_ERR_CALENDAR_NAME = MTR_ERR_CALENDAR_BASE - 12,    /**< calendar, season or week name too long */
    /* --- end calendar codes --- */
    /* --- store codes --- */
    MTR_ERR_STORE_LAYOUT = MTR_ERR_STORE_BASE - 1,      /**< partition table invalid: id, kind, overlap, size */
    MTR_ERR_STORE_RECORD_SIZE = MTR_ERR_STORE_BASE - 2, /**< record size 0 or a slot larger than a sector */
    MTR_ERR_STORE_NO_PART = MTR_ERR_STORE_BASE - 3,     /**< no partition with this id */
    MTR_ERR_STORE_KIND = MTR_ERR_STORE_BASE - 4,        /**< operation of the other partition kind */
    MTR_ERR_STORE_VERSION = MTR_ERR_STORE_BASE - 5,     /**< record of a newer format version */
    MTR_ERR_STORE_NO_SPACE = MTR_ERR_STORE_BASE - 6,    /**< writing would erase the last good copy */
    MTR_ERR_STORE_VERIFY = MTR_ERR_STORE_BASE - 7,      /**< written record did not read back */
    /* --- end store codes --- */
    /* --- dlms codes --- */
    MTR_ERR_DLMS_TRUNCATED = MTR_ERR_DLMS_BASE - 1, /**< input ends inside a value, frame or header */
    MTR_ERR_DLMS_LENGTH = MTR_ERR_DLMS_BASE - 2,    /**< invalid A-XDR length byte (0x80, 0x85..0xFF) or length past end */
    MTR_ERR_DLMS_TAG = MTR_ERR_DLMS_BASE - 3,       /**< unknown or unexpected A-XDR data type tag */
    MTR_ERR_DLMS_DEPTH = MTR_ERR_DLMS_BASE - 4,     /**< nesting deeper than MTR_CFG_DLMS_MAX_DEPTH */
    MTR_ERR_DLMS_COUNT = MTR_ERR_DLMS_BASE - 5,     /**< element count over the limit or larger than the bytes left */
    MTR_ERR_DLMS_VALUE = MTR_ERR_DLMS_BASE - 6,     /**< a field holds a value its type forbids */
    MTR_ERR_DLMS_FRAME = MTR_ERR_DLMS_BASE - 7,     /**< malformed HDLC frame (format, length, flag) */
    MTR_ERR_DLMS_HCS = MTR_ERR_DLMS_BASE - 8,       /**< HDLC header check sequence mismatch */
    MTR_ERR_DLMS_FCS = MTR_ERR_DLMS_BASE - 9,       /**< HDLC frame check sequence mismatch */
    MTR_ERR_DLMS_ADDRESS = MTR_ERR_DLMS_BASE - 10,  /**< bad HDLC address field, or a frame for another station */
    MTR_ERR_DLMS_CONTROL = MTR_ERR_DLMS_BASE - 11,  /**< HDLC control field unknown or not allowed now */
    MTR_ERR_DLMS_SEQUENCE = MTR_ERR_DLMS_BASE - 12, /**< HDLC N(S) or N(R) out of sequence */
    MTR_ERR_DLMS_PARAM = MTR_ERR_DLMS_BASE - 13,    /**< bad or unacceptable SNRM/UA parameters */
    MTR_ERR_DLMS_TOO_LONG = MTR_ERR_DLMS_BASE - 14, /**< information field or APDU larger than negotiated/buffer */
    MTR_ERR_DLMS_LLC = MTR_ERR_DLMS_BASE - 15,      /**< missing or wrong LLC header (E6 E6 00) */
    MTR_ERR_DLMS_VERSION = MTR_ERR_DLMS_BASE - 16,  /**< TCP wrapper version is not 0x0001 */
    MTR_ERR_DLMS_WPORT = MTR_ERR_DLMS_BASE - 17,    /**< TCP wrapper message for another wPort */
    MTR_ERR_DLMS_APDU = MTR_ERR_DLMS_BASE - 18,     /**< malformed, unknown or unsupported APDU */
    MTR_ERR_DLMS_DENIED = MTR_ERR_DLMS_BASE - 19,   /**< refused by the access rights or the security policy */
    MTR_ERR_DLMS_ASSOC = MTR_ERR_DLMS_BASE - 20,    /**< no association, or the association request was refused */
    MTR_ERR_DLMS_REPLAY = MTR_ERR_DLMS_BASE - 21,   /**< invocation counter not above the last accepted one */
    MTR_ERR_DLMS_CIPHER = MTR_ERR_DLMS_BASE - 22,   /**< deciphering or authentication (GCM tag, GMAC) failed */
    MTR_ERR_DLMS_SERVICE = MTR_ERR_DLMS_BASE - 23,  /**< service not in the negotiated conformance block */
    MTR_ERR_DLMS_BLOB = MTR_ERR_DLMS_BASE - 24,     /**< saved security state truncated or inconsistent */
    MTR_ERR_DLMS_BLOB_CRC = MTR_ERR_DLMS_BASE - 25, /**< saved security state fails its CRC-32 */
    MTR_ERR_DLMS_BLOB_VERSION = MTR_ERR_DLMS_BASE - 26, /**< saved security state of an unknown version */
/* --- end dlms codes --- */
    /* --- disconnect codes --- */
    MTR_ERR_DISCONNECT_MODE = MTR_ERR_DISCONNECT_BASE - 1,      /**< control mode not 0..8 */
    MTR_ERR_DISCONNECT_FORBIDDEN = MTR_ERR_DISCONNECT_BASE - 2, /**< transition not allowed by the control mode */
    MTR_ERR_DISCONNECT_STATE = MTR_ERR_DISCONNECT_BASE - 3,     /**< transition does not start from the current state */
    MTR_ERR_DISCONNECT_CAUSE = MTR_ERR_DISCONNECT_BASE - 4,     /**< a local cause (limiter, code red, prepaid) holds the supply open */
    MTR_ERR_DISCONNECT_CHANNEL = MTR_ERR_DISCONNECT_BASE - 5,   /**< no such disconnector channel, or unknown cause/transition */
    MTR_ERR_DISCONNECT_THRESHOLD = MTR_ERR_DISCONNECT_BASE - 6, /**< limiter or code red threshold out of range */
    MTR_ERR_DISCONNECT_PERIOD = MTR_ERR_DISCONNECT_BASE - 7,    /**< period, duration or time out of range */
    MTR_ERR_DISCONNECT_GROUP = MTR_ERR_DISCONNECT_BASE - 8,     /**< not addressed to this meter's group, or group list invalid */
    MTR_ERR_DISCONNECT_BLOB = MTR_ERR_DISCONNECT_BASE - 9,      /**< saved state truncated, of another layout or with invalid values */
    MTR_ERR_DISCONNECT_BLOB_CRC = MTR_ERR_DISCONNECT_BASE - 10, /**< saved state fails its CRC-32 */
    MTR_ERR_DISCONNECT_VERSION = MTR_ERR_DISCONNECT_BASE - 11,  /**< saved state of unknown version */
    MTR_ERR_DISCONNECT_TIME = MTR_ERR_DISCONNECT_BASE - 12,     /**< wall time went backwards */
    /* --- end disconnect codes --- */
    /* --- prepaid codes --- */
    MTR_ERR_PREPAID_BLOB = MTR_ERR_PREPAID_BASE - 1,     /**< saved state truncated, of another build or with invalid values */
    MTR_ERR_PREPAID_BLOB_CRC = MTR_ERR_PREPAID_BASE - 2, /**< saved state fails its CRC-32 */
    MTR_ERR_PREPAID_VERSION = MTR_ERR_PREPAID_BASE - 3,  /**< saved state of unknown version */
    MTR_ERR_PREPAID_TIME = MTR_ERR_PREPAID_BASE - 4,     /**< wall time went backwards */
    MTR_ERR_PREPAID_ACCOUNT = MTR_ERR_PREPAID_BASE - 5,  /**< account closed */
    MTR_ERR_PREPAID_UNIT = MTR_ERR_PREPAID_BASE - 6,     /**< not possible with credit kept in energy */
    MTR_ERR_PREPAID_NO_EC = MTR_ERR_PREPAID_BASE - 7,    /**< emergency credit not selectable now */
    MTR_ERR_PREPAID_LIMIT = MTR_ERR_PREPAID_BASE - 8,    /**< credit would exceed its limit */
    MTR_ERR_PREPAID_PROVISION = MTR_ERR_PREPAID_BASE - 9, /**< credit over max_provision in its period */
    /* --- end prepaid codes --- */
    /* --- profile codes --- */
    MTR_ERR_PROFILE_PERIOD = MTR_ERR_PROFILE_BASE - 1,   /**< capture period not allowed, or alignment offset out of range */
    MTR_ERR_PROFILE_COLUMNS = MTR_ERR_PROFILE_BASE - 2,  /**< column count or column definitions invalid */
    MTR_ERR_PROFILE_CAPACITY = MTR_ERR_PROFILE_BASE - 3, /**< capacity 0 or above what the ring keeps */
    MTR_ERR_PROFILE_RECORD = MTR_ERR_PROFILE_BASE - 4,   /**< ring record size too small for an entry */
    MTR_ERR_PROFILE_VALUES = MTR_ERR_PROFILE_BASE - 5,   /**< value count differs from the value columns */
    MTR_ERR_PROFILE_SELECTOR = MTR_ERR_PROFILE_BASE - 6, /**< selective access invalid (kind, reversed range, entry 0) */
    MTR_ERR_PROFILE_FORMAT = MTR_ERR_PROFILE_BASE - 7,   /**< ring record malformed */
    MTR_ERR_PROFILE_VERSION = MTR_ERR_PROFILE_BASE - 8,  /**< record or saved state of unknown version */
    MTR_ERR_PROFILE_BLOB = MTR_ERR_PROFILE_BASE - 9,     /**< saved state truncated or with invalid values */
    MTR_ERR_PROFILE_BLOB_CRC = MTR_ERR_PROFILE_BASE - 10, /**< saved state fails its CRC-32 */
    /* --- end profile codes --- */
    /* --- events codes --- */
    MTR_ERR_EVENTS_UNKNOWN = MTR_ERR_EVENTS_BASE - 1,  /**< no row (code, name) in the event code table */
    MTR_ERR_EVENTS_RESERVED = MTR_ERR_EVENTS_BASE - 2, /**< a reserved alarm bit or an unassigned error register bit */
    MTR_ERR_EVENTS_VALUE = MTR_ERR_EVENTS_BASE - 3,    /**< value not accepted by the object (error register write != 0) */
    MTR_ERR_EVENTS_TIME = MTR_ERR_EVENTS_BASE - 4,     /**< time negative, or a start after its end */
    MTR_ERR_EVENTS_BLOB = MTR_ERR_EVENTS_BASE - 5,     /**< saved state truncated, of another layout or with invalid values */
    MTR_ERR_EVENTS_BLOB_CRC = MTR_ERR_EVENTS_BASE - 6, /**< saved state fails its CRC-32 */
    MTR_ERR_EVENTS_VERSION = MTR_ERR_EVENTS_BASE - 7,  /**< saved state of unknown version */
    /* --- end events codes --- */
    /* --- quality codes --- */
    MTR_ERR_QUALITY_CONFIG = MTR_ERR_QUALITY_BASE - 1,   /**< a setting out of range or inconsistent */
    MTR_ERR_QUALITY_INPUT = MTR_ERR_QUALITY_BASE - 2,    /**< measuring-period input or time out of range */
    MTR_ERR_QUALITY_STATE = MTR_ERR_QUALITY_BASE - 3,    /**< not allowed while the supply is down (or already down) */
    MTR_ERR_QUALITY_BLOB = MTR_ERR_QUALITY_BASE - 4,     /**< saved state of a wrong length, layout or value */
    MTR_ERR_QUALITY_BLOB_CRC = MTR_ERR_QUALITY_BASE - 5, /**< saved state fails its CRC */
    MTR_ERR_QUALITY_VERSION = MTR_ERR_QUALITY_BASE - 6,  /**< saved state of an unknown version */
    /* --- end quality codes --- */
    /* --- display codes --- */
    MTR_ERR_DISPLAY_CONFIG = MTR_ERR_DISPLAY_BASE - 1,   /**< a setting or factory decimal places out of range */
    MTR_ERR_DISPLAY_LIST = MTR_ERR_DISPLAY_BASE - 2,     /**< readout list invalid (count, class id, attribute, duplicate) */
    MTR_ERR_DISPLAY_TIME = MTR_ERR_DISPLAY_BASE - 3,     /**< monotonic time went backwards */
    MTR_ERR_DISPLAY_BLOB = MTR_ERR_DISPLAY_BASE - 4,     /**< saved settings of a wrong length, layout or value */
    MTR_ERR_DISPLAY_BLOB_CRC = MTR_ERR_DISPLAY_BASE - 5, /**< saved settings fail their CRC-32 */
    MTR_ERR_DISPLAY_VERSION = MTR_ERR_DISPLAY_BASE - 6,  /**< saved settings of an unknown version */
    MTR_ERR_DISPLAY_VALUE = MTR_ERR_DISPLAY_BASE - 7,    /**< value to show invalid (format, unit, range) */
    /* --- end display codes --- */
    /* --- cosem codes --- */
    /* --- end cosem codes --- */
    /* --- sts codes --- */
    MTR_ERR_STS_LENGTH = MTR_ERR_STS_BASE - 1,      /**< token is not 20 digits */
    MTR_ERR_STS_DIGIT = MTR_ERR_STS_BASE - 2,       /**< token has a non-digit character */
    MTR_ERR_STS_RANGE = MTR_ERR_STS_BASE - 3,       /**< token number exceeds 66 bits */
    MTR_ERR_STS_CRC = MTR_ERR_STS_BASE - 4,         /**< plain token fails its CRC */
    MTR_ERR_STS_INCORRECT = MTR_ERR_STS_BASE - 5,   /**< CRC fails after decryption (key/meter/typo) */
    MTR_ERR_STS_CLASS = MTR_ERR_STS_BASE - 6,       /**< reserved token class */
    MTR_ERR_STS_SUBCLASS = MTR_ERR_STS_BASE - 7,    /**< token subclass not supported */
    MTR_ERR_STS_USED = MTR_ERR_STS_BASE - 8,        /**< TID used before */
    MTR_ERR_STS_OLD = MTR_ERR_STS_BASE - 9,         /**< TID older than the oldest remembered */
    MTR_ERR_STS_KEY_EXPIRED = MTR_ERR_STS_BASE - 10, /**< TID beyond the key expiry number */
    MTR_ERR_STS_OVERFLOW = MTR_ERR_STS_BASE - 11,   /**< amount exceeds what can be taken or coded */
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
