/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libmeter/profile: record layout, ring access and recovery. */
#ifndef METER_PF_PRIV_H
#define METER_PF_PRIV_H

#include "meter/meter.h"
#include "meter/profile.h"
#include "meter/store.h"

/* flags */
#define PF_READY  0x01u /* init succeeded */
#define PF_RESCAN 0x02u /* a write failed: recover from the ring before the next use */
#define PF_RESET  0x04u /* a reset marker is in the ring: reset_utc is valid */

/* Status bits that are never stored (seed profiles.json: bits 4 and 6 always 0). */
#define PF_ST_RESERVED 0x50u

/* Record layout (docs/profiles.md), big-endian:
 *   0 version, 1 type, 2 status, 3 value count, 4..7 entry number,
 *   8..11 time (u32 UTC seconds), 12.. values (int64 each). */
#define PF_OFF_VERSION 0u
#define PF_OFF_TYPE    1u
#define PF_OFF_STATUS  2u
#define PF_OFF_COUNT   3u
#define PF_OFF_NUMBER  4u
#define PF_OFF_UTC     8u
#define PF_OFF_VALUES  MTR_PROFILE_RECORD_HEADER

/* Header of a record read back. */
struct pf_hdr {
    uint8_t type;    /* MTR_PROFILE_REC_* */
    uint8_t status;
    uint8_t nvalues;
    bool ours;       /* an entry with this profile's value count */
    uint32_t n;      /* entry number */
    mtr_utc_t utc;
};

/* pf_record.c */
mtr_err_t pf_decode_hdr(const uint8_t *rec, size_t len, struct pf_hdr *h);
int64_t pf_value(const uint8_t *rec, uint32_t i);
size_t pf_encode(uint8_t *rec, uint8_t type, uint8_t status, uint32_t n, mtr_utc_t utc,
                 const int64_t *values, size_t nvalues);
bool pf_period_ok(uint32_t period_s);

/* pf_read.c */
mtr_err_t pf_read(struct mtr_profile *p, uint32_t pos, struct pf_hdr *h);
mtr_err_t pf_locate(struct mtr_profile *p, uint32_t target, uint32_t *pos, struct pf_hdr *h);

/* pf_init.c */
mtr_err_t pf_recover(struct mtr_profile *p);
mtr_err_t pf_refresh(struct mtr_profile *p);
mtr_err_t pf_oldest(struct mtr_profile *p);
void pf_set_base(struct mtr_profile *p);

static inline bool pf_monotonic(const struct mtr_profile *p)
{
    return p->desc_n <= p->base_n + 1u;
}

#endif /* METER_PF_PRIV_H */
