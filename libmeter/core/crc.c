/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/crc.h"

/* Nibble tables of the reflected polynomials 0x8408 and 0xEDB88320:
 * entry n is the register after shifting nibble n through 4 times. */
static const uint16_t crc16_x25_nib[16] = {
    0x0000, 0x1081, 0x2102, 0x3183, 0x4204, 0x5285, 0x6306, 0x7387,
    0x8408, 0x9489, 0xA50A, 0xB58B, 0xC60C, 0xD68D, 0xE70E, 0xF78F,
};

static const uint32_t crc32_nib[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint16_t mtr_crc16_x25_update(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len--) {
        crc ^= *p++;
        crc = (uint16_t)((crc >> 4) ^ crc16_x25_nib[crc & 0xFu]);
        crc = (uint16_t)((crc >> 4) ^ crc16_x25_nib[crc & 0xFu]);
    }
    return crc;
}

uint16_t mtr_crc16_x25(const void *data, size_t len)
{
    return (uint16_t)(mtr_crc16_x25_update(MTR_CRC16_X25_INIT, data, len) ^ 0xFFFFu);
}

uint32_t mtr_crc32_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc32_nib[crc & 0xFu];
        crc = (crc >> 4) ^ crc32_nib[crc & 0xFu];
    }
    return crc;
}

uint32_t mtr_crc32(const void *data, size_t len)
{
    return mtr_crc32_update(MTR_CRC32_INIT, data, len) ^ 0xFFFFFFFFu;
}
