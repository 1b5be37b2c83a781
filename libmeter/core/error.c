/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/error.h"

#include <stddef.h>

struct err_name {
    mtr_err_t code;
    const char *text;
};

static const struct err_name names[] = {
    {MTR_OK, "ok"},
    {MTR_ERR_INVAL, "invalid argument"},
    {MTR_ERR_RANGE, "out of range"},
    {MTR_ERR_NOTSUP, "not supported"},
    {MTR_ERR_FULL, "full"},
    {MTR_ERR_EMPTY, "empty"},
    {MTR_ERR_IO, "hardware i/o error"},
    {MTR_ERR_TIMEOUT, "timed out"},
    {MTR_ERR_BUSY, "busy"},
    {MTR_ERR_CRC, "checksum mismatch"},
    {MTR_ERR_STATE, "not allowed in this state"},
    {MTR_ERR_POWER, "power lost during operation"},
    {MTR_ERR_AUTH, "authentication failed"},
    {MTR_ERR_ALIGN, "misaligned address or length"},
    {MTR_ERR_NOENT, "no such entry"},
    {MTR_ERR_OVERFLOW, "overflow"},
    {MTR_ERR_DECODE, "malformed input"},
    {MTR_ERR_RTC_INVALID, "real-time clock invalid"},
    {MTR_ERR_CONFIG, "invalid configuration"},
    /* --- metrology names --- */
    {MTR_ERR_METROLOGY_LOCKED, "calibration locked (not in calibration mode)"},
    {MTR_ERR_METROLOGY_VERSION, "unknown calibration data version"},
    {MTR_ERR_METROLOGY_SIGNAL, "calibration signal absent or too far from the reference"},
    /* --- end metrology names --- */
    /* --- calendar names --- */
    {MTR_ERR_CALENDAR_DATE, "invalid date or time"},
    {MTR_ERR_CALENDAR_SEASONS, "seasons overlap or are out of order"},
    {MTR_ERR_CALENDAR_DAY_ORDER, "day profile switching points out of order"},
    {MTR_ERR_CALENDAR_LIMIT, "calendar exceeds a configured limit"},
    {MTR_ERR_CALENDAR_REF, "undefined or duplicate calendar profile"},
    {MTR_ERR_CALENDAR_TARIFF, "invalid tariff number or activation mask"},
    {MTR_ERR_CALENDAR_PRESET, "no preset time or outside its validity interval"},
    {MTR_ERR_CALENDAR_DST, "invalid daylight saving rule or time zone"},
    {MTR_ERR_CALENDAR_SHIFT, "time shift out of range"},
    {MTR_ERR_CALENDAR_PERIOD, "invalid demand period or billing schedule"},
    {MTR_ERR_CALENDAR_VERSION, "saved tariff state of unknown version"},
    {MTR_ERR_CALENDAR_NAME, "calendar, season or week name longer than MTR_CFG_CALENDAR_NAME_LEN"},
    /* --- end calendar names --- */
    /* --- store names --- */
    {MTR_ERR_STORE_LAYOUT, "store: invalid partition table"},
    {MTR_ERR_STORE_RECORD_SIZE, "store: record size does not fit a sector"},
    {MTR_ERR_STORE_NO_PART, "store: no such partition"},
    {MTR_ERR_STORE_KIND, "store: wrong partition kind"},
    {MTR_ERR_STORE_VERSION, "store: record of a newer format version"},
    {MTR_ERR_STORE_NO_SPACE, "store: no slot without erasing the last good copy"},
    {MTR_ERR_STORE_VERIFY, "store: record did not verify after writing"},
    /* --- end store names --- */
    /* --- dlms names --- */
    {MTR_ERR_DLMS_TRUNCATED, "dlms: input truncated"},
    {MTR_ERR_DLMS_LENGTH, "dlms: invalid length"},
    {MTR_ERR_DLMS_TAG, "dlms: unknown data type tag"},
    {MTR_ERR_DLMS_DEPTH, "dlms: nesting too deep"},
    {MTR_ERR_DLMS_COUNT, "dlms: element count too large"},
    {MTR_ERR_DLMS_VALUE, "dlms: invalid field value"},
    {MTR_ERR_DLMS_FRAME, "dlms: malformed hdlc frame"},
    {MTR_ERR_DLMS_HCS, "dlms: hdlc header check sequence mismatch"},
    {MTR_ERR_DLMS_FCS, "dlms: hdlc frame check sequence mismatch"},
    {MTR_ERR_DLMS_ADDRESS, "dlms: hdlc address invalid or not ours"},
    {MTR_ERR_DLMS_CONTROL, "dlms: hdlc control field invalid"},
    {MTR_ERR_DLMS_SEQUENCE, "dlms: hdlc sequence number out of window"},
    {MTR_ERR_DLMS_PARAM, "dlms: hdlc link parameters invalid"},
    {MTR_ERR_DLMS_TOO_LONG, "dlms: information field or apdu too long"},
    {MTR_ERR_DLMS_LLC, "dlms: bad llc header"},
    {MTR_ERR_DLMS_VERSION, "dlms: wrapper version not 1"},
    {MTR_ERR_DLMS_WPORT, "dlms: wrapper wport not ours"},
    {MTR_ERR_DLMS_APDU, "dlms: malformed or unsupported apdu"},
    {MTR_ERR_DLMS_DENIED, "dlms: access denied"},
    {MTR_ERR_DLMS_ASSOC, "dlms: no association or association refused"},
    {MTR_ERR_DLMS_REPLAY, "dlms: invocation counter replayed"},
    {MTR_ERR_DLMS_CIPHER, "dlms: deciphering or authentication failed"},
    {MTR_ERR_DLMS_SERVICE, "dlms: service not in the negotiated conformance"},
    {MTR_ERR_DLMS_BLOB, "dlms: saved security state invalid"},
    {MTR_ERR_DLMS_BLOB_CRC, "dlms: saved security state crc mismatch"},
    {MTR_ERR_DLMS_BLOB_VERSION, "dlms: saved security state of unknown version"},
/* --- end dlms names --- */
    /* --- disconnect names --- */
    {MTR_ERR_DISCONNECT_MODE, "disconnect: control mode not 0..8"},
    {MTR_ERR_DISCONNECT_FORBIDDEN, "disconnect: transition not allowed in this control mode"},
    {MTR_ERR_DISCONNECT_STATE, "disconnect: transition does not start from the current state"},
    {MTR_ERR_DISCONNECT_CAUSE, "disconnect: a local cause holds the supply open"},
    {MTR_ERR_DISCONNECT_CHANNEL, "disconnect: no such channel, cause or transition"},
    {MTR_ERR_DISCONNECT_THRESHOLD, "disconnect: threshold out of range"},
    {MTR_ERR_DISCONNECT_PERIOD, "disconnect: period or duration out of range"},
    {MTR_ERR_DISCONNECT_GROUP, "disconnect: not for this meter's group"},
    {MTR_ERR_DISCONNECT_BLOB, "disconnect: saved state malformed"},
    {MTR_ERR_DISCONNECT_BLOB_CRC, "disconnect: saved state CRC mismatch"},
    {MTR_ERR_DISCONNECT_VERSION, "disconnect: saved state of unknown version"},
    {MTR_ERR_DISCONNECT_TIME, "disconnect: wall time went backwards"},
    /* --- end disconnect names --- */
    /* --- prepaid names --- */
    {MTR_ERR_PREPAID_BLOB, "prepaid: saved state truncated or invalid"},
    {MTR_ERR_PREPAID_BLOB_CRC, "prepaid: saved state CRC mismatch"},
    {MTR_ERR_PREPAID_VERSION, "prepaid: saved state of unknown version"},
    {MTR_ERR_PREPAID_TIME, "prepaid: wall time went backwards"},
    {MTR_ERR_PREPAID_ACCOUNT, "prepaid: account closed"},
    {MTR_ERR_PREPAID_UNIT, "prepaid: not possible with credit kept in energy"},
    {MTR_ERR_PREPAID_NO_EC, "prepaid: emergency credit not selectable"},
    {MTR_ERR_PREPAID_LIMIT, "prepaid: credit would exceed its limit"},
    {MTR_ERR_PREPAID_PROVISION, "prepaid: credit over the maximum provision of the period"},
    /* --- end prepaid names --- */
    /* --- profile names --- */
    {MTR_ERR_PROFILE_PERIOD, "profile: capture period or alignment not allowed"},
    {MTR_ERR_PROFILE_COLUMNS, "profile: column count or definitions invalid"},
    {MTR_ERR_PROFILE_CAPACITY, "profile: capacity 0 or above what the ring keeps"},
    {MTR_ERR_PROFILE_RECORD, "profile: ring record size too small"},
    {MTR_ERR_PROFILE_VALUES, "profile: value count differs from the value columns"},
    {MTR_ERR_PROFILE_SELECTOR, "profile: selective access invalid"},
    {MTR_ERR_PROFILE_FORMAT, "profile: ring record malformed"},
    {MTR_ERR_PROFILE_VERSION, "profile: record or saved state of unknown version"},
    {MTR_ERR_PROFILE_BLOB, "profile: saved state truncated or invalid"},
    {MTR_ERR_PROFILE_BLOB_CRC, "profile: saved state CRC mismatch"},
    /* --- end profile names --- */
    /* --- events names --- */
    {MTR_ERR_EVENTS_UNKNOWN, "unknown event (code, name)"},
    {MTR_ERR_EVENTS_RESERVED, "reserved or unassigned register bit"},
    {MTR_ERR_EVENTS_VALUE, "value not accepted by the register"},
    {MTR_ERR_EVENTS_TIME, "event time negative or out of order"},
    {MTR_ERR_EVENTS_BLOB, "invalid saved events state"},
    {MTR_ERR_EVENTS_BLOB_CRC, "saved events state fails its CRC"},
    {MTR_ERR_EVENTS_VERSION, "saved events state of unknown version"},
    /* --- end events names --- */
    /* --- quality names --- */
    {MTR_ERR_QUALITY_CONFIG, "quality: setting out of range"},
    {MTR_ERR_QUALITY_INPUT, "quality: input or time out of range"},
    {MTR_ERR_QUALITY_STATE, "quality: not allowed in the supply state"},
    {MTR_ERR_QUALITY_BLOB, "quality: saved state malformed"},
    {MTR_ERR_QUALITY_BLOB_CRC, "quality: saved state CRC mismatch"},
    {MTR_ERR_QUALITY_VERSION, "quality: saved state of unknown version"},
    /* --- end quality names --- */
    /* --- display names --- */
    {MTR_ERR_DISPLAY_CONFIG, "display: setting out of range"},
    {MTR_ERR_DISPLAY_LIST, "display: readout list invalid"},
    {MTR_ERR_DISPLAY_TIME, "display: monotonic time went backwards"},
    {MTR_ERR_DISPLAY_BLOB, "display: saved settings malformed"},
    {MTR_ERR_DISPLAY_BLOB_CRC, "display: saved settings CRC mismatch"},
    {MTR_ERR_DISPLAY_VERSION, "display: saved settings of unknown version"},
    {MTR_ERR_DISPLAY_VALUE, "display: value cannot be shown"},
    /* --- end display names --- */
    /* --- cosem names --- */
    /* --- end cosem names --- */
    /* --- sts names --- */
    {MTR_ERR_STS_LENGTH, "sts: token is not 20 digits"},
    {MTR_ERR_STS_DIGIT, "sts: token has a non-digit"},
    {MTR_ERR_STS_RANGE, "sts: token number beyond 66 bits"},
    {MTR_ERR_STS_CRC, "sts: token CRC mismatch"},
    {MTR_ERR_STS_INCORRECT, "sts: incorrect token (key, meter or typing)"},
    {MTR_ERR_STS_CLASS, "sts: reserved token class"},
    {MTR_ERR_STS_SUBCLASS, "sts: token subclass not supported"},
    {MTR_ERR_STS_USED, "sts: token used before"},
    {MTR_ERR_STS_OLD, "sts: token too old"},
    {MTR_ERR_STS_KEY_EXPIRED, "sts: key expired"},
    {MTR_ERR_STS_OVERFLOW, "sts: amount overflow"},
    /* --- end sts names --- */
};

const char *mtr_strerror(mtr_err_t err)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].code == err) {
            return names[i].text;
        }
    }
    return "unknown error";
}
