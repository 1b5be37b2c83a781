/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store partitions of the images with every engine wired and the COSEM
 * object table (mps2-an386/cosem.c, none/link_cosem.c): the partition ids, the
 * table built with add_part() from sector 0 up, and the engines' snapshots.
 * The including file defines COSEM_PARTS_SECTOR (NVM sector size, bytes) first.
 */
#ifndef BOARDS_COSEM_PARTS_H
#define BOARDS_COSEM_PARTS_H

#include <stdint.h>

#include "meter/events.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/prepaid.h"
#include "meter/quality.h"
#include "meter/store.h"

#ifndef COSEM_PARTS_SECTOR
#error "define COSEM_PARTS_SECTOR before including cosem_parts.h"
#endif

enum {
    PART_ENERGY = 1,
    PART_CAL,
    PART_DC,
    PART_PP,
    PART_CALENDAR,
    PART_QUALITY,
    PART_EVENTS,
    PART_LP1,
    PART_BILLING,
    PART_LOG0, /* + log index (enum mtr_events_log) */
};
#define NPARTS_MAX (PART_LOG0 + MTR_EVLOG_COUNT)
#define CALENDAR_RECORD 2048u
#define LOG_ENTRIES 16u

static struct mtr_store_part parts[NPARTS_MAX];
static struct mtr_store_part_cfg table[NPARTS_MAX];
static uint16_t nparts;
static uint32_t next_sector;

/* The next partition of table[], after the last one. */
static inline void add_part(uint16_t id, uint8_t kind, uint32_t sectors, uint32_t record)
{
    table[nparts++] = (struct mtr_store_part_cfg){id, kind, next_sector, sectors, (uint16_t)record};
    next_sector += sectors;
}

/* Sectors of a ring keeping @p entries records of @p record bytes: whole
 * sectors of slots, and one more (the sector being erased). */
static inline uint32_t ring_sectors(uint32_t entries, uint32_t record)
{
    uint32_t per = COSEM_PARTS_SECTOR / (record + MTR_STORE_RECORD_OVERHEAD + 4u);
    return (entries + per - 1u) / per + 1u;
}

/* The snapshot partitions of the engines, PART_ENERGY to PART_EVENTS, two sectors each. */
static inline void add_snapshots(void)
{
    add_part(PART_ENERGY, MTR_STORE_SNAPSHOT, 2, (uint32_t)mtr_meter_energy_record_size());
    add_part(PART_CAL, MTR_STORE_SNAPSHOT, 2, MTR_METROLOGY_CAL_BLOB_SIZE);
    add_part(PART_DC, MTR_STORE_SNAPSHOT, 2, (uint32_t)mtr_meter_disconnect_record_size());
    add_part(PART_PP, MTR_STORE_SNAPSHOT, 2, (uint32_t)mtr_prepaid_state_size());
    add_part(PART_CALENDAR, MTR_STORE_SNAPSHOT, 2, CALENDAR_RECORD);
    add_part(PART_QUALITY, MTR_STORE_SNAPSHOT, 2, MTR_QUALITY_BLOB_SIZE);
    add_part(PART_EVENTS, MTR_STORE_SNAPSHOT, 2, MTR_EVENTS_BLOB_SIZE);
}

#endif /* BOARDS_COSEM_PARTS_H */
