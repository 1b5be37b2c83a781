/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file store.h
 * @brief Power-fail-safe store on the HAL's NVM: A/B (N-slot) snapshots for
 *        register sets and append-only rings for profiles and logs.
 *
 * The caller lays the NVM out as a table of partitions (::mtr_store_part_cfg),
 * each a run of whole sectors of one kind:
 *
 * - **snapshot**: the latest copy of a register set. mtr_store_commit()
 *   writes a new copy into the next free slot; the new copy becomes valid only
 *   once it is completely written and read back, and the old copy stays until
 *   then. Slots rotate through all sectors of the partition (wear spread).
 * - **ring**: append-only records (profile entries, log records), read by
 *   index from the oldest to the newest or iterated. When the ring is full,
 *   the oldest erase unit (a sector on flash, a slot on EEPROM) is dropped.
 *
 * Every record carries a commit mark, a format version, the partition id, a
 * sequence number and a CRC-32. mtr_store_init() never writes: it scans every
 * partition and recovers the newest complete state. Records that fail their
 * CRC, incomplete writes and records of a newer format are skipped, the last
 * good state is used, and the finding is reported through mtr_store_faults()
 * and the fault hook. The byte layout and the commit protocol are described in
 * docs/persistence.md.
 *
 * RAM: one ::mtr_store (about 70 bytes) plus one ::mtr_store_part per
 * partition (mtr_store_part_size(), about 70 bytes), all caller-allocated; at
 * most about 200 bytes of stack per call. No allocation.
 */
#ifndef METER_STORE_H
#define METER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Format version written by this code; records of versions 1..this load. */
#define MTR_STORE_FORMAT_VERSION 1u
/** Largest NVM write unit supported, bytes. */
#define MTR_STORE_MAX_WRITE_UNIT 64u
/** Bytes of a record besides its payload and padding: 12 header + 4 CRC. */
#define MTR_STORE_RECORD_OVERHEAD 16u

/** Kind of a partition. */
enum mtr_store_kind {
    MTR_STORE_SNAPSHOT = 1, /**< latest copy of a register set, N rotating slots */
    MTR_STORE_RING = 2,     /**< append-only records with wrap-around */
};

/** Faults found by recovery or by a later read or write (bits of ::mtr_store_faults.flags). */
enum mtr_store_fault {
    MTR_STORE_FAULT_CRC = 1u << 0, /**< a committed record failed its CRC (bit flip, bad cell) */
    MTR_STORE_FAULT_FALLBACK = 1u << 1, /**< a snapshot fell back to an older copy */
    MTR_STORE_FAULT_VERSION = 1u << 2,  /**< a record of a newer format version was skipped */
    MTR_STORE_FAULT_TORN = 1u << 3, /**< an incomplete write was found (power cut during a write) */
    MTR_STORE_FAULT_WRITE = 1u << 4, /**< a write failed or did not read back */
    MTR_STORE_FAULT_LOST = 1u << 5,  /**< committed records are missing: a gap in the
                                          sequence numbers (erased or damaged sector) */
};

/** One entry of the partition table (usually `static const`). */
struct mtr_store_part_cfg {
    uint16_t id;           /**< caller's name of the partition, 1..0xFFFE, unique */
    uint8_t kind;          /**< ::mtr_store_kind */
    uint32_t first_sector; /**< first NVM sector (address / sector_size) */
    uint32_t sectors;      /**< sectors, >= 2 on flash; the slots must number >= 2 */
    uint16_t record_size;  /**< largest payload, bytes, >= 1; a slot must fit a sector */
};

/** Run-time state of one partition: caller RAM, filled by mtr_store_init(). */
struct mtr_store_part {
    struct mtr_store_part_cfg cfg;
    uint16_t slot_size;   /* bytes of a slot: mark + header + payload + CRC, padded */
    uint16_t mark_len;    /* bytes of the commit mark (4 rounded up to the write unit) */
    uint16_t unit_slots;  /* slots per erase unit: per sector on flash, 1 on EEPROM */
    uint32_t nslots;      /* slots in the partition */
    uint32_t head;        /* next slot to write */
    uint32_t tail;        /* ring: slot of the oldest record */
    uint32_t count;       /* ring: positions from tail to head (holes included) */
    uint32_t current;     /* snapshot: slot of the copy in use, or UINT32_MAX */
    uint32_t next_seq;    /* sequence number of the next record */
    uint32_t faults;      /* ::mtr_store_fault bits seen in this partition */
    uint32_t records;     /* records written since init */
    uint32_t erases;      /* sectors erased since init */
    uint32_t first_erase; /* partition sector of the first erase since init */
    uint64_t bytes;       /* bytes programmed since init */
};

/** Fault flags and counters (mtr_store_faults()). */
struct mtr_store_faults {
    uint32_t flags;    /**< ::mtr_store_fault bits seen since init or the last clear */
    uint32_t crc;      /**< committed records found failing their CRC */
    uint32_t fallback; /**< snapshots recovered from an older copy */
    uint32_t version;  /**< records of a newer format version found */
    uint32_t torn;     /**< incomplete writes found */
    uint32_t write;    /**< writes that failed or did not read back */
    uint32_t lost;     /**< gaps in the sequence numbers found by recovery */
};

/**
 * @brief Fault hook: called once per partition and fault kind found by a
 *        recovery scan, and at every fault found by a later read or write.
 *        The event log and the error register attach here (meter.c).
 * @param user the pointer given in ::mtr_store_cfg.
 * @param part_id the partition's id.
 * @param fault one ::mtr_store_fault bit.
 */
typedef void (*mtr_store_fault_hook_t)(void *user, uint16_t part_id, uint32_t fault);

/** Configuration of a store. */
struct mtr_store_cfg {
    const struct mtr_store_part_cfg *parts; /**< partition table, @c nparts entries */
    struct mtr_store_part *state;           /**< caller RAM, @c nparts entries */
    uint16_t nparts;                        /**< partitions, >= 1 */
    mtr_store_fault_hook_t on_fault;        /**< optional (NULL: no hook) */
    void *user;                             /**< handed to @c on_fault */
};

/** A store: caller-allocated; fields are private. */
struct mtr_store {
    const struct mtr_hal *hal;
    struct mtr_nvm_info info;
    struct mtr_store_part *parts;
    uint16_t nparts;
    bool ready;
    mtr_store_fault_hook_t on_fault;
    void *user;
    struct mtr_store_faults faults;
};

/** Sequential reader of a ring (mtr_store_iter_next()). */
struct mtr_store_iter {
    uint16_t id;    /**< partition */
    uint32_t index; /**< next position to look at, 0 = oldest */
};

/** Statistics of one partition (mtr_store_stats()). */
struct mtr_store_stats {
    uint32_t records;    /**< records written since init */
    uint32_t erases;     /**< sector erases since init */
    uint64_t bytes;      /**< bytes programmed since init (records, marks, padding) */
    uint32_t slots;      /**< slots in the partition */
    uint32_t slot_size;  /**< bytes per slot */
    uint32_t newest_seq; /**< sequence number of the newest record, 0 if none */
    uint32_t est_cycles; /**< estimated program/erase cycles per sector over the
                              partition's life, from the sequence numbers */
};

/**
 * @brief Check the partition table against the NVM, then scan every
 *        partition and recover its newest complete state. Writes nothing.
 * @param st store to fill.
 * @param hal the board's HAL (only nvm is used); must outlive @p st.
 * @param cfg partitions and RAM; @p cfg->parts must outlive @p st.
 * @return MTR_OK (faults found are reported through mtr_store_faults(), not
 *         as errors); MTR_ERR_STORE_LAYOUT (bad id or kind, fewer than 2 erase
 *         units, a partition past the end of the NVM, overlapping partitions,
 *         a repeated id, no partitions); MTR_ERR_STORE_RECORD_SIZE (record
 *         size 0, or a slot larger than a sector); MTR_ERR_CONFIG (NVM
 *         geometry incoherent or erase missing on flash); MTR_ERR_NOTSUP
 *         (write unit above MTR_STORE_MAX_WRITE_UNIT); errors of nvm.info and
 *         nvm.read (MTR_ERR_IO, MTR_ERR_POWER). On a configuration error
 *         neither @p st nor @p cfg->state is changed.
 */
mtr_err_t mtr_store_init(struct mtr_store *st, const struct mtr_hal *hal,
                         const struct mtr_store_cfg *cfg);

/**
 * @brief Commit a new copy of a snapshot partition. Atomic: after a power cut
 *        at any byte, recovery finds either this copy or the previous one.
 * @param data payload; @p len 0..record_size bytes.
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STORE_KIND (a ring);
 *         MTR_ERR_RANGE (@p len too large); MTR_ERR_STORE_NO_SPACE (every
 *         other slot failed: writing would destroy the last good copy);
 *         MTR_ERR_STORE_VERIFY (the copy did not read back after
 *         MTR_CFG_STORE_RETRIES retries); MTR_ERR_OVERFLOW (sequence numbers
 *         exhausted); MTR_ERR_STATE (init failed); NVM errors (MTR_ERR_POWER:
 *         re-initialise after power returns).
 */
mtr_err_t mtr_store_commit(struct mtr_store *st, uint16_t id, const void *data, size_t len);

/**
 * @brief Read the current copy of a snapshot partition. If it no longer
 *        passes its CRC, the partition is scanned again and the newest good
 *        copy is returned (reported as MTR_STORE_FAULT_CRC + FALLBACK).
 * @param[out] buf @p cap bytes; on error its first @p cap bytes may be zeroed.
 * @param[out] len payload bytes (may be NULL).
 * @param[out] seq sequence number of the copy (may be NULL).
 * @return MTR_OK; MTR_ERR_NOENT (no good copy); MTR_ERR_OVERFLOW (@p cap
 *         smaller than the payload); MTR_ERR_STORE_NO_PART; MTR_ERR_STORE_KIND;
 *         MTR_ERR_CRC; MTR_ERR_STATE; NVM errors.
 */
mtr_err_t mtr_store_load(struct mtr_store *st, uint16_t id, void *buf, size_t cap, size_t *len,
                         uint32_t *seq);

/**
 * @brief Append a record to a ring partition; when the ring is full, its
 *        oldest erase unit is dropped first.
 * @return as mtr_store_commit(), except MTR_ERR_STORE_NO_SPACE.
 */
mtr_err_t mtr_store_append(struct mtr_store *st, uint16_t id, const void *data, size_t len);

/**
 * @brief Positions in a ring, oldest to newest. A position whose write was
 *        interrupted by a power cut, or whose record is damaged, is a hole.
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STORE_KIND; MTR_ERR_STATE.
 */
mtr_err_t mtr_store_count(const struct mtr_store *st, uint16_t id, uint32_t *count);

/**
 * @brief Records a ring always keeps: (erase units - 1) * slots per unit.
 *        It holds up to mtr_store_stats().slots before dropping a unit.
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STORE_KIND; MTR_ERR_STATE.
 */
mtr_err_t mtr_store_capacity(const struct mtr_store *st, uint16_t id, uint32_t *capacity);

/**
 * @brief Largest payload of a record of partition @p id (its record_size).
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STATE.
 */
mtr_err_t mtr_store_record_size(const struct mtr_store *st, uint16_t id, uint32_t *size);

/**
 * @brief Read position @p index (0 = oldest) of a ring.
 * @return MTR_OK; MTR_ERR_RANGE (@p index >= count); MTR_ERR_NOENT (a hole:
 *         an interrupted write); MTR_ERR_CRC (a damaged record, reported);
 *         MTR_ERR_STORE_VERSION (a record of a newer format);
 *         MTR_ERR_OVERFLOW (@p cap too small); MTR_ERR_STORE_NO_PART;
 *         MTR_ERR_STORE_KIND; MTR_ERR_STATE; NVM errors.
 */
mtr_err_t mtr_store_read(struct mtr_store *st, uint16_t id, uint32_t index, void *buf, size_t cap,
                         size_t *len, uint32_t *seq);

/** @brief Start iterating ring @p id from its oldest record. */
void mtr_store_iter_init(struct mtr_store_iter *it, uint16_t id);

/**
 * @brief Next good record of the iteration, skipping holes, damaged records
 *        (reported) and newer-format records. Appends during an iteration
 *        that drop the oldest unit shift the positions.
 * @return MTR_OK; MTR_ERR_EMPTY at the end; MTR_ERR_OVERFLOW; errors of
 *         mtr_store_read() other than the skipped ones.
 */
mtr_err_t mtr_store_iter_next(struct mtr_store *st, struct mtr_store_iter *it, void *buf,
                              size_t cap, size_t *len, uint32_t *seq);

/** @brief Copy the fault flags and counters. */
void mtr_store_faults(const struct mtr_store *st, struct mtr_store_faults *out);

/** @brief Clear the fault flags and counters (e.g. once the error register took them). */
void mtr_store_faults_clear(struct mtr_store *st);

/**
 * @brief Fault bits seen in one partition since init or the last clear.
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STATE.
 */
mtr_err_t mtr_store_part_faults(const struct mtr_store *st, uint16_t id, uint32_t *flags);

/**
 * @brief Statistics of one partition.
 * @return MTR_OK; MTR_ERR_STORE_NO_PART; MTR_ERR_STATE.
 */
mtr_err_t mtr_store_stats(const struct mtr_store *st, uint16_t id, struct mtr_store_stats *out);

/**
 * @brief Erases of sector @p sector (0 = the partition's first) since init.
 *        Sectors are erased strictly in turn, so counts differ by at most 1.
 * @return MTR_OK; MTR_ERR_RANGE (no such sector); MTR_ERR_STORE_NO_PART;
 *         MTR_ERR_STATE.
 */
mtr_err_t mtr_store_sector_erases(const struct mtr_store *st, uint16_t id, uint32_t sector,
                                  uint32_t *erases);

/** @brief sizeof(struct mtr_store_part), for bindings. */
size_t mtr_store_part_size(void);
/** @brief sizeof(struct mtr_store), for bindings. */
size_t mtr_store_size(void);
/** @brief Bytes of one slot for @p record_size on a write unit of @p write_unit (0 if unsupported).
 */
uint32_t mtr_store_slot_size(uint32_t record_size, uint32_t write_unit);

#ifdef __cplusplus
}
#endif

#endif /* METER_STORE_H */
