/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file crc.h
 * @brief CRC-16/X-25 (the HDLC frame check sequence) and CRC-32 (IEEE 802.3).
 *
 * Parameters (Rocksoft model, from the CRC catalogue of R. Williams and
 * ITU-T V.42 / ISO/IEC 13239):
 * - CRC-16/X-25: poly 0x1021 reflected (0x8408), init 0xFFFF, refin/refout,
 *   xorout 0xFFFF; check("123456789") = 0x906E. IEC 62056-46 uses it as the
 *   HDLC FCS, sent least significant byte first.
 * - CRC-32: poly 0x04C11DB7 reflected (0xEDB88320), init 0xFFFFFFFF,
 *   xorout 0xFFFFFFFF; check("123456789") = 0xCBF43926.
 *
 * Both use a 16-entry (nibble) table: 32 or 64 bytes of flash, about twice
 * the speed of a bitwise loop. Incremental use: crc = MTR_CRC16_X25_INIT;
 * crc = mtr_crc16_x25_update(crc, part, n) ...; result = crc ^ 0xFFFF.
 */
#ifndef METER_CRC_H
#define METER_CRC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MTR_CRC16_X25_INIT 0xFFFFu     /**< register value before the first byte */
#define MTR_CRC32_INIT 0xFFFFFFFFu     /**< register value before the first byte */

/** @brief Feed @p len bytes into a raw CRC-16/X-25 register (no final xor). */
uint16_t mtr_crc16_x25_update(uint16_t crc, const void *data, size_t len);
/** @brief CRC-16/X-25 of a whole buffer (init and final xor applied). */
uint16_t mtr_crc16_x25(const void *data, size_t len);
/** @brief Feed @p len bytes into a raw CRC-32 register (no final xor). */
uint32_t mtr_crc32_update(uint32_t crc, const void *data, size_t len);
/** @brief CRC-32 of a whole buffer (init and final xor applied). */
uint32_t mtr_crc32(const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* METER_CRC_H */
