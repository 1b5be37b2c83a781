/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the TCP wrapper assembler: any bytes, split at every
 * chunk size chosen by the first byte; complete APDUs must respect the
 * buffer and the header's length, errors must leave the assembler empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/dlms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[256];
    struct mtr_dlms_wrapper_rx rx;
    const uint8_t *end = data + size;
    size_t chunk;

    if (size < 1)
        return 0;
    chunk = (size_t)(data[0] & 0x0F) + 1;
    data++;
    mtr_dlms_wrapper_rx_init(&rx, buf, sizeof buf, (uint16_t)(size & 1));
    for (const uint8_t *c = data; c < end; c += chunk) {
        const uint8_t *p = c;
        const uint8_t *ce = (size_t)(end - c) > chunk ? c + chunk : end;
        while (p < ce) {
            struct mtr_dlms_wrapper_hdr h;
            mtr_err_t err = mtr_dlms_wrapper_feed(&rx, &p, ce, &h);
            if (err == MTR_ERR_EMPTY) {
                require(p == ce);
                break;
            }
            if (err == MTR_OK) {
                require(h.len > 0 && h.len <= sizeof buf);
            } else {
                require(rx.hdr_len == 0 && rx.got == 0);
            }
        }
    }
    return 0;
}

