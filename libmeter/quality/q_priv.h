/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private parts of the power-quality engine shared by its source files.
 */
#ifndef METER_Q_PRIV_H
#define METER_Q_PRIV_H

#include "meter/hal.h"
#include "meter/meter.h"
#include "meter/quality.h"

/* Indices of mtr_quality_saved.g (conditions that are not per phase). */
enum q_global {
    Q_G_SEQUENCE = 0, /* 88 Phase sequence reversal */
    Q_G_NEUTRAL,      /* 89 Missing neutral */
    Q_G_ASYMMETRY,    /* 90 Phase asymmetry */
    Q_G_REVERSAL,     /* 91 Current reversal */
    Q_G_PF_UNDER,     /* 214 Power factor under limit */
    Q_G_PF_OVER,      /* 215 Power factor over limit */
    Q_G_BYPASS,       /* 251 Phase bypass with neutral present */
    Q_G_COUNT
};

/* The HAL inputs supervised (cover, terminal cover, magnetic field). */
#define Q_INPUT_MASK ((uint32_t)MTR_IN_TERMINAL_COVER | (uint32_t)MTR_IN_MAIN_COVER | \
                      (uint32_t)MTR_IN_MAGNETIC)

/* Largest run a detector can hold (the longest declare/release time). */
#define Q_RUN_MAX_MS (MTR_QUALITY_TIME_MAX_S * 1000u)
/* A 10-minute interval stops accumulating after this (clock stuck). */
#define Q_BVQ_MS_MAX 3600000u

/* a + b for durations bounded by MTR_QUALITY_UTC_MAX (2^62), saturating
 * there so that saved durations always load again. */
static inline uint64_t q_add(uint64_t a, uint64_t b)
{
    uint64_t s = a + b; /* both <= 2^62: no wrap */
    return s > (uint64_t)MTR_QUALITY_UTC_MAX ? (uint64_t)MTR_QUALITY_UTC_MAX : s;
}

/* Raise one event (nothing when on_event is NULL). */
void q_emit(const struct mtr_quality *q, uint16_t code, const char *name, mtr_utc_t utc,
            int64_t value);
/* End voltage event @p kind of @p phase at @p end: total, record. */
void q_vevent_end(struct mtr_quality *q, uint8_t phase, uint8_t kind, mtr_utc_t end);
/* Check a whole settings block. */
mtr_err_t q_check_settings(const struct mtr_quality_settings *s);
/* Forget the bad-voltage-quality window in progress. */
void q_bvq_reset(struct mtr_quality_saved *s);

#endif /* METER_Q_PRIV_H */
