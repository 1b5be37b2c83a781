/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engines of the control objects in the cosem rig (cosem_rig.h), wired
 * by the hooks of cosem_rig_control.c: the STS decoder and the prepaid
 * engine (currency, no partition of its own), and on a store of their own
 * (NVM sectors 20..52 of the sim) the six profiles of the seed
 * (profiles.json: billing profile 1, load profiles 1..5) and the events
 * engine with its nine logs; the quality engine when it is built. The rig
 * keeps them in r->ext[0] (ctl()).
 *
 * Load profile 1 is the one the tests fill: clock, profile status, +A and
 * -A (long64-unsigned mWh), 15 min, LP1_CAPACITY entries.
 */
#ifndef TEST_COSEM_CONTROL_RIG_H
#define TEST_COSEM_CONTROL_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem_rig.h"

/* Engines of this build (-DMTR_WITH_<ENGINE>=1 for those built). */
#ifndef MTR_WITH_PREPAID
#define MTR_WITH_PREPAID 0
#endif
#ifndef MTR_WITH_PROFILE
#define MTR_WITH_PROFILE 0
#endif
#ifndef MTR_WITH_EVENTS
#define MTR_WITH_EVENTS 0
#endif
#ifndef MTR_WITH_QUALITY
#define MTR_WITH_QUALITY 0
#endif
#ifndef MTR_WITH_DISCONNECT
#define MTR_WITH_DISCONNECT 0
#endif
#include "meter/profile.h"
#include "meter/store.h"
#if MTR_WITH_PREPAID
#include "meter/prepaid.h"
#include "meter/sts.h"
#endif
#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif
#if MTR_WITH_QUALITY
#include "meter/quality.h"
#endif

/* CTSA01 decoder key (STS 531-1), as in the sts and prepaid suites. */
#define CTL_DK 0xe653341f9d5bf36full
#define CTL_FIRST_SECTOR 20u
#define CTL_PROFILES 6   /* [0] billing profile 1, [n] load profile n */
#define CTL_LOGS 9       /* MTR_EVLOG_COUNT */
#define CTL_PARTS (CTL_PROFILES + 1 + CTL_LOGS)
#define LP1_CAPACITY 120u
#define CTL_LOG_CAPACITY 20u

struct cosem_ctl_ext {
    struct mtr_store store;
    struct mtr_store_part parts[CTL_PARTS];
    struct mtr_store_part_cfg table[CTL_PARTS];
    struct mtr_profile prof[CTL_PROFILES];
    struct mtr_profile_config prof_cfg[CTL_PROFILES];
    struct mtr_profile *profiles[CTL_PROFILES];
#if MTR_WITH_EVENTS
    struct mtr_profile evlog[CTL_LOGS];
    struct mtr_profile_config log_cfg[CTL_LOGS];
    struct mtr_events ev;
    struct mtr_events_config ev_cfg;
#endif
#if MTR_WITH_PREPAID
    struct mtr_sts_cipher ciph;
    struct mtr_sts sts;
    struct mtr_prepaid pp;
    struct mtr_prepaid_config pp_cfg;
    uint32_t tid; /* next token identifier of make_token() */
#endif
#if MTR_WITH_QUALITY
    struct mtr_quality q;
    struct mtr_quality_config q_cfg;
#endif
};

static inline struct cosem_ctl_ext *ctl(struct cosem_rig *r)
{
    return (struct cosem_ctl_ext *)r->ext[0];
}

#endif
