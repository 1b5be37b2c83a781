/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content of the format-1 store images in this folder (store_v1_*.bin).
 * FROZEN: the images were written once from this description and must keep
 * loading with every later version of the store (docs/persistence.md). Do not
 * change this file; a new format adds new images and a new description.
 */
#ifndef STORE_V1_CONTENT_H
#define STORE_V1_CONTENT_H

#include <stdint.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/store.h"

#define V1_NVM_SIZE    4096u
#define V1_SECTOR      256u
#define V1_ID_ENERGY   1u
#define V1_ID_LP       2u
#define V1_ID_LOG      3u
#define V1_ID_CAL      4u
#define V1_ENERGY_SIZE 48u
#define V1_LP_SIZE     24u
#define V1_LOG_SIZE    16u
#define V1_CAL_SIZE    32u
#define V1_PERIODS     40u /* energy commits and LP entries */
#define V1_LOG_EVERY   4u  /* one log record every 4 periods */

static const struct mtr_store_part_cfg v1_table[] = {
    {.id = V1_ID_ENERGY,
     .kind = MTR_STORE_SNAPSHOT,
     .first_sector = 0,
     .sectors = 2,
     .record_size = V1_ENERGY_SIZE},
    {.id = V1_ID_LP,
     .kind = MTR_STORE_RING,
     .first_sector = 2,
     .sectors = 3,
     .record_size = V1_LP_SIZE},
    {.id = V1_ID_LOG,
     .kind = MTR_STORE_RING,
     .first_sector = 5,
     .sectors = 2,
     .record_size = V1_LOG_SIZE},
    {.id = V1_ID_CAL,
     .kind = MTR_STORE_SNAPSHOT,
     .first_sector = 7,
     .sectors = 2,
     .record_size = V1_CAL_SIZE},
};
#define V1_NPARTS 4u

/* The three images: name, write unit, flash (true) or EEPROM. */
struct v1_image {
    const char *file;
    uint32_t write_unit;
    int needs_erase;
};
static const struct v1_image v1_images[] = {
    {"store_v1_nor_wu1.bin", 1, 1},
    {"store_v1_nor_wu8.bin", 8, 1},
    {"store_v1_eeprom.bin", 1, 0},
};

/* Energy registers after period i: register j = (i + 1) * (1000 + j) Wh. */
static inline void v1_energy(uint32_t i, uint8_t out[V1_ENERGY_SIZE])
{
    for (uint32_t j = 0; j < V1_ENERGY_SIZE / 8u; j++) {
        mtr_put_be64(out + 8u * j, (uint64_t)(i + 1u) * (1000u + j));
    }
}

/* LP entry k: UTC of the period end, status byte, then 4 values. */
static inline void v1_lp(uint32_t k, uint8_t out[V1_LP_SIZE])
{
    mtr_put_be32(out, 1767225600u + 900u * (k + 1u));
    out[4] = (uint8_t)(k % 3u == 0 ? 0x80u : 0x00u);
    out[5] = (uint8_t)k;
    mtr_put_be16(out + 6, (uint16_t)(k * 7u));
    for (uint32_t j = 0; j < 4; j++) {
        mtr_put_be32(out + 8u + 4u * j, k * 100u + j);
    }
}

/* Log record n: UTC, event code, counter, filler. */
static inline void v1_log(uint32_t n, uint8_t out[V1_LOG_SIZE])
{
    mtr_put_be32(out, 1767225600u + 3600u * n);
    mtr_put_be16(out + 4, (uint16_t)(1u + n % 5u));
    mtr_put_be32(out + 6, n + 1u);
    memset(out + 10, 0x5A, V1_LOG_SIZE - 10u);
}

/* Calibration block, committed once. */
static inline void v1_cal(uint8_t out[V1_CAL_SIZE])
{
    for (uint32_t j = 0; j < V1_CAL_SIZE; j++) {
        out[j] = (uint8_t)(0xC0u + j);
    }
}

#endif /* STORE_V1_CONTENT_H */
