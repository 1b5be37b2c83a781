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
    /* --- end metrology names --- */
    /* --- calendar names --- */
    /* --- end calendar names --- */
    /* --- store names --- */
    /* --- end store names --- */
    /* --- dlms names --- */
    /* --- end dlms names --- */
    /* --- sts names --- */
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
