/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file bytes.h
 * @brief Big-endian (network order) byte helpers, as used by DLMS, HDLC and Modbus.
 *
 * They read and write through byte pointers, so any alignment is fine. The
 * caller checks the bytes left before calling (decoders: rule 9).
 */
#ifndef METER_BYTES_H
#define METER_BYTES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Read a big-endian 16-bit value from 2 bytes at @p p. */
static inline uint16_t mtr_get_be16(const uint8_t *p)
{
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

/** @brief Read a big-endian 32-bit value from 4 bytes at @p p. */
static inline uint32_t mtr_get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/** @brief Read a big-endian 64-bit value from 8 bytes at @p p. */
static inline uint64_t mtr_get_be64(const uint8_t *p)
{
    return ((uint64_t)mtr_get_be32(p) << 32) | mtr_get_be32(p + 4);
}

/** @brief Write @p v as 2 big-endian bytes at @p p. */
static inline void mtr_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/** @brief Write @p v as 4 big-endian bytes at @p p. */
static inline void mtr_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/** @brief Write @p v as 8 big-endian bytes at @p p. */
static inline void mtr_put_be64(uint8_t *p, uint64_t v)
{
    mtr_put_be32(p, (uint32_t)(v >> 32));
    mtr_put_be32(p + 4, (uint32_t)v);
}

#ifdef __cplusplus
}
#endif

#endif /* METER_BYTES_H */
