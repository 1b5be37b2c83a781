/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the COSEM object table: how an object of the table is written
 * and how its callbacks reach the meter's engines.
 *
 * The table (cosem_table.c) is assembled from object list files, one per
 * group of objects: objects_data.def (registers, clock, calendar),
 * objects_control.def (disconnector, limiter, prepaid, profiles, logs,
 * error and alarm registers), objects_system.def (association, security,
 * push, communication setups, firmware, image transfer). Each line is
 *
 *   COSEM_OBJ(name, class_id, version, a, b, c, d, e, f, access, get, set, action, user)
 *
 * with `name` a string literal (docs/objects.md), `access` an array of
 * MTR_CFG_DLMS_PROFILES ::mtr_dlms_access indexed by ::mtr_cosem_role,
 * and `user` a pointer to const data of the object (or NULL).
 *
 * Shared by every object group (all use the same):
 * - access rights: the role presets COSEM_ACCESS_*() (initialisers) and the
 *   common arrays cosem_acc_*;
 * - streaming a value into the GET writer across blocks: struct cosem_out
 *   and cosem_put_*() (cosem_enc.c);
 * - decoding a SET value or ACTION parameter: struct cosem_in and
 *   cosem_get_*() (cosem_enc.c);
 * - COSEM date-time from and to UTC with the clock's zone: cosem_dt_*().
 */
#ifndef LIBMETER_COSEM_INT_H
#define LIBMETER_COSEM_INT_H

#include "meter/cosem.h"
#include "meter/dlms.h"
#include "meter/meter.h"

#include "../core/with.h" /* MTR_WITH_<ENGINE>: the engines in this build */

/* The object's run-time context: the server hands the mtr_cosem as cfg.user. */
static inline struct mtr_cosem *cosem_of(const struct mtr_dlms_call *call)
{
    return (struct mtr_cosem *)call->user;
}

/* The engines the aggregate runs (NULL members: engine not wired). */
static inline const struct mtr_meter_engines *cosem_engines(const struct mtr_dlms_call *call)
{
    const struct mtr_cosem *c = cosem_of(call);
    return c->cfg.meter->cfg.engines;
}

/* Bit of attribute or method n (1-based) in a ::mtr_dlms_access mask. */
#define COSEM_BIT(n) ((uint32_t)(1u << ((n) - 1)))
/* Attributes 1..n. */
#define COSEM_UPTO(n) ((uint32_t)((n) >= 32 ? 0xFFFFFFFFu : (1u << (n)) - 1u))

/* ------------------------------------------------------------ access rights */

/*
 * Role presets (docs/cosem.md, "Roles"): initialisers of an access array
 * `const struct mtr_dlms_access name[MTR_CFG_DLMS_PROFILES]`, from the seed's
 * security.json client roles:
 *   public, pre-established  read what is public only (clock, identifiers);
 *   level 1                  reads all; sets the time;
 *   level 2                  level 1 + the TOU (calendar, special days, tariff);
 *   level 3                  level 2 + the other meter settings;
 *   management               everything level 3 may, plus what only the
 *                            management client may (firmware, keys, ...).
 * @p get: attributes every reading role (level 1..3, management) may read;
 * @p set / @p act: attributes written / methods called by the preset's
 * lowest role and every role above it.
 */
#define COSEM_ACCESS_INIT(pub_get, get, s1, a1, s2, a2, s3, a3, sm, am)                          \
    {                                                                                              \
        [MTR_COSEM_ROLE_PUBLIC] = {(pub_get), 0, 0},                                               \
        [MTR_COSEM_ROLE_MANAGEMENT] = {(get), (sm), (am)},                                         \
        [MTR_COSEM_ROLE_LEVEL1] = {(get), (s1), (a1)},                                             \
        [MTR_COSEM_ROLE_LEVEL2] = {(get), (s2), (a2)},                                             \
        [MTR_COSEM_ROLE_LEVEL3] = {(get), (s3), (a3)},                                             \
        [MTR_COSEM_ROLE_PRE_ESTABLISHED] = {(pub_get), 0, 0},                                      \
    }
/* Read-only for the reading roles (measurements, registers, counters). */
#define COSEM_ACCESS_READ(get) COSEM_ACCESS_INIT(0, get, 0, 0, 0, 0, 0, 0, 0, 0)
/* Read-only, and readable by public and pre-established too (identifiers). */
#define COSEM_ACCESS_PUBLIC_READ(get) COSEM_ACCESS_INIT(get, get, 0, 0, 0, 0, 0, 0, 0, 0)
/* Time: written from level 1 up. */
#define COSEM_ACCESS_TIME(get, set, act) COSEM_ACCESS_INIT(0, get, set, act, set, act, set, act, set, act)
/* TOU: written from level 2 up. */
#define COSEM_ACCESS_TOU(get, set, act) COSEM_ACCESS_INIT(0, get, 0, 0, set, act, set, act, set, act)
/* Other meter settings: written from level 3 up. */
#define COSEM_ACCESS_SETTING(get, set, act) COSEM_ACCESS_INIT(0, get, 0, 0, 0, 0, set, act, set, act)
/* Management only (firmware, keys, security). */
#define COSEM_ACCESS_MANAGEMENT(get, set, act) COSEM_ACCESS_INIT(0, get, 0, 0, 0, 0, 0, 0, set, act)

/* Common arrays (cosem_table.c). The number is the class's attribute count. */
extern const struct mtr_dlms_access cosem_acc_read1[MTR_CFG_DLMS_PROFILES];   /* class 1 */
extern const struct mtr_dlms_access cosem_acc_read2[MTR_CFG_DLMS_PROFILES];   /* class 1 value */
extern const struct mtr_dlms_access cosem_acc_read3[MTR_CFG_DLMS_PROFILES];   /* class 3 */
extern const struct mtr_dlms_access cosem_acc_read4[MTR_CFG_DLMS_PROFILES];   /* classes 6, 22 */
extern const struct mtr_dlms_access cosem_acc_read5[MTR_CFG_DLMS_PROFILES];   /* class 4 */
extern const struct mtr_dlms_access cosem_acc_read9[MTR_CFG_DLMS_PROFILES];   /* class 5 */
extern const struct mtr_dlms_access cosem_acc_public2[MTR_CFG_DLMS_PROFILES]; /* public class 1 */
extern const struct mtr_dlms_access cosem_acc_public3[MTR_CFG_DLMS_PROFILES]; /* public class 3 */
extern const struct mtr_dlms_access cosem_acc_setting2[MTR_CFG_DLMS_PROFILES]; /* class 1, value set from level 3 */
extern const struct mtr_dlms_access cosem_acc_setting3[MTR_CFG_DLMS_PROFILES]; /* class 3, value set from level 3 */

/* ------------------------------------------------------------ other objects */

/* The object of the table with @p class_id and logical name @p obis, or NULL. */
const struct mtr_dlms_obj *cosem_find(uint16_t class_id, const uint8_t obis[6]);
/*
 * Attribute @p attr (2..) of object @p o as its own callback serves it, for
 * role @p profile, written whole into @p w (a fresh call: no selective
 * access, no blocks of its own): what a push or a display readout carries.
 * @p server: the server serving the request, or NULL (a push).
 * @return the callback's result (MTR_ERR_NOTSUP when @p o has no get).
 */
mtr_err_t cosem_get_attr(struct mtr_cosem *cs, const struct mtr_dlms_server *server,
                         const struct mtr_dlms_obj *o, uint8_t attr, uint8_t profile,
                         struct mtr_dlms_axdr_writer *w);

/* ------------------------------------------------------------ value writer */

/*
 * Streams one A-XDR value into the GET writer, across blocks: the callback
 * writes the whole value on every call, and the items already sent in
 * earlier blocks are skipped (call->cursor[0] counts them), so the value
 * must be the same sequence of items on each call. Usage:
 *
 *   struct cosem_out o;
 *   cosem_out_init(&o, call, w);
 *   cosem_put_struct(&o, 2);
 *   cosem_put_int(&o, MTR_DLMS_INTEGER, -3);
 *   cosem_put_uint(&o, MTR_DLMS_ENUM, 30);
 *   return cosem_out_end(&o);   (MTR_OK, MTR_ERR_FULL: call again, or an error)
 *
 * With no cursor (ACTION return data) the value must fit the buffer.
 */
struct cosem_out {
    struct mtr_dlms_axdr_writer *w;
    uint32_t *cursor; /* call->cursor, NULL for ACTION return data */
    uint32_t n;       /* items passed so far */
    mtr_err_t err;    /* MTR_OK, MTR_ERR_FULL or the first error */
};

void cosem_out_init(struct cosem_out *o, const struct mtr_dlms_call *call,
                    struct mtr_dlms_axdr_writer *w);
/* Result of the callback: MTR_OK (complete), MTR_ERR_FULL or an error. */
mtr_err_t cosem_out_end(struct cosem_out *o);
/* Record an error (the first one is kept): no further item is written. */
void cosem_out_fail(struct cosem_out *o, mtr_err_t err);
void cosem_put_array(struct cosem_out *o, uint32_t count);
void cosem_put_struct(struct cosem_out *o, uint32_t count);
void cosem_put_uint(struct cosem_out *o, uint8_t tag, uint64_t v);
void cosem_put_int(struct cosem_out *o, uint8_t tag, int64_t v);
void cosem_put_bool(struct cosem_out *o, bool v);
void cosem_put_null(struct cosem_out *o);
/* A string or octet-string by view: @p data must stay valid until the
 * next call (engine or const memory, never the stack). */
void cosem_put_view(struct cosem_out *o, uint8_t tag, const uint8_t *data, uint32_t len);
/* A short string (at most 64 bytes) copied at once: @p data may be on the
 * stack (the item is written whole into this block or left for the next). */
void cosem_put_copy(struct cosem_out *o, uint8_t tag, const uint8_t *data, uint32_t len);
/* A short bit-string (at most 64 bytes) copied at once, as cosem_put_copy():
 * @p bits bits from (bits + 7) / 8 bytes at @p data, bit 0 the leading bit. */
void cosem_put_bits(struct cosem_out *o, const uint8_t *data, uint32_t bits);
/* An item already encoded (one whole A-XDR value of at most 128 bytes, e.g.
 * another object's attribute), copied at once as cosem_put_copy(). */
void cosem_put_raw(struct cosem_out *o, const uint8_t *data, uint32_t len);
/* A logical name (octet-string of 6). */
void cosem_put_obis(struct cosem_out *o, const uint8_t obis[6]);
/* scaler_unit: structure {integer scaler, enum unit}. */
void cosem_put_scaler_unit(struct cosem_out *o, int8_t scaler, uint8_t unit);

/* ------------------------------------------------------------ value reader */

/*
 * Pulls the items of one A-XDR value (SET value, ACTION parameter). Every
 * cosem_get_*() checks the next item's tag and returns false (and records
 * MTR_ERR_INVAL: type-unmatched) on a mismatch; cosem_in_end() checks that
 * the whole value was read. Nothing is changed by reading.
 */
struct cosem_in {
    struct mtr_dlms_axdr_reader r;
    const uint8_t *p, *end;
    mtr_err_t err;
};

void cosem_in_init(struct cosem_in *in, const uint8_t *data, size_t len);
/* MTR_OK when the value was read whole and well; MTR_ERR_INVAL otherwise. */
mtr_err_t cosem_in_end(const struct cosem_in *in);
bool cosem_get_array(struct cosem_in *in, uint32_t *count);
bool cosem_get_struct(struct cosem_in *in, uint32_t count);
bool cosem_get_uint(struct cosem_in *in, uint8_t tag, uint64_t *v);
bool cosem_get_int(struct cosem_in *in, uint8_t tag, int64_t *v);
bool cosem_get_bool(struct cosem_in *in, bool *v);
/* A string of @p tag; @p len exactly @p want bytes unless @p want is 0. */
bool cosem_get_bytes(struct cosem_in *in, uint8_t tag, const uint8_t **v, uint32_t *len, uint32_t want);
/* Any one Data value, skipped. */
bool cosem_get_any(struct cosem_in *in);
/* A parameter that is a single integer (methods whose data is "integer (0)"), or absent. */
mtr_err_t cosem_param_integer(const struct mtr_dlms_call *call);

/* ------------------------------------------------------------ date and time */

/* The 12 bytes of a COSEM date-time with every field "not specified". */
void cosem_dt_unspecified(uint8_t b[12]);
/*
 * Local date-time of @p utc under the meter's clock (zone, DST), for the
 * wire. Without a clock engine: UTC, deviation 0. @return MTR_OK or an error
 * of the clock.
 */
mtr_err_t cosem_dt_from_utc(const struct mtr_dlms_call *call, mtr_utc_t utc, uint8_t b[12]);
/*
 * UTC of a wire date-time with every date and time field specified (the
 * weekday and hundredths may be "not specified"); an unspecified deviation
 * means the meter's local time. @return MTR_OK; MTR_ERR_INVAL (not a valid
 * date-time).
 */
mtr_err_t cosem_dt_to_utc(const struct mtr_dlms_call *call, const uint8_t b[12], mtr_utc_t *utc);

#endif /* LIBMETER_COSEM_INT_H */
