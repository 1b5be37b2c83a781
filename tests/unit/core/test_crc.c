/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"

static const char check[] = "123456789";

/* Bitwise reference: the textbook reflected shift register. */
static uint32_t ref_crc(const uint8_t *p, size_t n, uint32_t poly, uint32_t init, uint32_t xorout)
{
    uint32_t crc = init;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1u) ? (crc >> 1) ^ poly : crc >> 1;
        }
    }
    return crc ^ xorout;
}

Test(crc, x25_check_value)
{
    cr_assert_eq(mtr_crc16_x25(check, 9), 0x906E);
}

Test(crc, crc32_check_value)
{
    cr_assert_eq(mtr_crc32(check, 9), 0xCBF43926u);
}

Test(crc, empty_input)
{
    cr_assert_eq(mtr_crc16_x25(check, 0), 0x0000);
    cr_assert_eq(mtr_crc32(check, 0), 0x00000000u);
}

Test(crc, matches_bitwise_reference_on_random_data)
{
    uint8_t buf[1031];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof buf; n += 97) {
        cr_assert_eq(mtr_crc16_x25(buf, n), ref_crc(buf, n, 0x8408, 0xFFFF, 0xFFFF), "n=%zu", n);
        cr_assert_eq(mtr_crc32(buf, n), ref_crc(buf, n, 0xEDB88320u, 0xFFFFFFFFu, 0xFFFFFFFFu),
                     "n=%zu", n);
    }
}

Test(crc, incremental_equals_one_shot)
{
    uint16_t c16 = MTR_CRC16_X25_INIT;
    uint32_t c32 = MTR_CRC32_INIT;
    for (size_t i = 0; i < 9; i += 2) {
        size_t n = i + 2 <= 9 ? 2 : 1;
        c16 = mtr_crc16_x25_update(c16, check + i, n);
        c32 = mtr_crc32_update(c32, check + i, n);
    }
    cr_assert_eq((uint16_t)(c16 ^ 0xFFFF), 0x906E);
    cr_assert_eq(c32 ^ 0xFFFFFFFFu, 0xCBF43926u);
}

/* An HDLC frame carries its FCS LSB first; the CRC over frame+FCS is the
 * constant "good FCS" residue 0xF0B8 (RFC 1662 section C.2). */
Test(crc, hdlc_residue)
{
    uint8_t frame[16] = {0xA0, 0x0A, 0x00, 0x02, 0x00, 0x23, 0x21, 0x93};
    uint16_t fcs = mtr_crc16_x25(frame, 8);
    frame[8] = (uint8_t)fcs;
    frame[9] = (uint8_t)(fcs >> 8);
    cr_assert_eq(mtr_crc16_x25_update(MTR_CRC16_X25_INIT, frame, 10), 0xF0B8);
    frame[3] ^= 0x10;
    cr_assert_neq(mtr_crc16_x25_update(MTR_CRC16_X25_INIT, frame, 10), 0xF0B8);
}

Test(bytes, big_endian_round_trip)
{
    uint8_t b[8];
    mtr_put_be16(b, 0x1234);
    cr_assert(b[0] == 0x12 && b[1] == 0x34);
    cr_assert_eq(mtr_get_be16(b), 0x1234);
    mtr_put_be32(b, 0xDEADBEEFu);
    cr_assert(b[0] == 0xDE && b[3] == 0xEF);
    cr_assert_eq(mtr_get_be32(b), 0xDEADBEEFu);
    mtr_put_be64(b, 0x0102030405060708ULL);
    cr_assert(b[0] == 0x01 && b[7] == 0x08);
    cr_assert_eq(mtr_get_be64(b), 0x0102030405060708ULL);
}

Test(bytes, unaligned_access)
{
    uint8_t b[12] = {0};
    for (int off = 0; off < 4; off++) {
        mtr_put_be64(b + off, 0xF1E2D3C4B5A69788ULL);
        cr_assert_eq(mtr_get_be64(b + off), 0xF1E2D3C4B5A69788ULL);
        cr_assert_eq(mtr_get_be32(b + off + 1), 0xE2D3C4B5u);
    }
}
