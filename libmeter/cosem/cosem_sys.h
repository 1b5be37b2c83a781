/* SPDX-License-Identifier: Apache-2.0 */
/* Private: callbacks and access rights of the objects in objects_system.def,
 * and the functions their files share (cosem_sys.c, cosem_sys_push.c,
 * cosem_sys_image.c). */
#ifndef LIBMETER_COSEM_SYS_H
#define LIBMETER_COSEM_SYS_H

#include "cosem_int.h"

/* A value the object refuses (out of its range, inconsistent): answered
 * other-reason (250), the code of the whole table (docs/cosem.md), the same
 * error as the control objects' COSEM_ERR_REFUSED. */
#define SYS_REFUSED MTR_ERR_OVERFLOW

/* Index of a push setup, scheduler or firmware object: the `user` of its line. */
extern const uint8_t cosem_sys_index[MTR_COSEM_PUSHES];

extern const struct mtr_dlms_access cosem_acc_sys_assoc[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_sap[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_security[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_push[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_sched[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_script[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_tcp[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_hdlc[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_local[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_fw[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_sys_image[MTR_CFG_DLMS_PROFILES];

/* Association LN (class 15), SAP assignment (17), security setup (64). */
mtr_err_t cosem_sys_assoc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_assoc_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_sys_sap_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_security_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_security_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/* TCP-UDP (41), IEC HDLC (23), IEC local port (19) setups. */
mtr_err_t cosem_sys_tcp_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_tcp_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_sys_hdlc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_hdlc_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_sys_local_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_local_set(const struct mtr_dlms_call *c);
/* Firmware identifiers, signature and numeric version (class 1); user: &cosem_sys_index[0..3]. */
mtr_err_t cosem_sys_fw_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/* Push setups (40) and push action schedulers (22); user: &cosem_sys_index[k]. */
mtr_err_t cosem_sys_push_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_push_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_sys_push_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_sched_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_sched_set(const struct mtr_dlms_call *c);
/* Push script table (class 9, 0-0:10.0.108.255). */
mtr_err_t cosem_sys_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/* Image transfer (18). */
mtr_err_t cosem_sys_image_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_sys_image_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_sys_image_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* ------------------------------------------------------------ shared */

/*
 * Streaming a value item by item: each call of a get callback writes the
 * items from the first one not yet written (counted in *count), skipping
 * the ones of earlier blocks, and stops with MTR_ERR_FULL when the block is
 * full. Values must be the same from one block to the next.
 */
struct sys_emit {
    struct mtr_dlms_axdr_writer *w;
    uint32_t *count; /* items written so far (a cursor word) */
    uint32_t skip;   /* items of earlier blocks */
    uint32_t idx;    /* item being produced */
    mtr_err_t err;   /* first error (MTR_ERR_FULL: block full) */
};

void sys_emit_init(struct sys_emit *e, struct mtr_dlms_axdr_writer *w, uint32_t *count);
void sys_cont(struct sys_emit *e, uint8_t tag, uint32_t n);
void sys_uint(struct sys_emit *e, uint8_t tag, uint64_t v);
void sys_int(struct sys_emit *e, uint8_t tag, int64_t v);
void sys_str(struct sys_emit *e, uint8_t tag, const uint8_t *p, uint32_t n);
void sys_bits(struct sys_emit *e, const uint8_t *p, uint32_t bits);
void sys_null(struct sys_emit *e);

/* Decoding a SET value or method parameters with the A-XDR pull parser:
 * each take expects one type; any mismatch marks the reader bad. */
struct sys_rd {
    struct mtr_dlms_axdr_reader r;
    const uint8_t *p;
    const uint8_t *end;
    bool bad;
};

void sys_rd_init(struct sys_rd *r, const uint8_t *data, size_t len);
/* Container header of @p tag: its element count. */
uint32_t sys_rd_cont(struct sys_rd *r, uint8_t tag);
/* Unsigned value of exactly type @p tag. */
uint64_t sys_rd_uint(struct sys_rd *r, uint8_t tag);
/* Signed value of exactly type @p tag. */
int64_t sys_rd_int(struct sys_rd *r, uint8_t tag);
/* String of type @p tag: its bytes (view) and length. */
const uint8_t *sys_rd_str(struct sys_rd *r, uint8_t tag, uint32_t *len);
/* The whole value was read and nothing follows. */
bool sys_rd_done(const struct sys_rd *r);

/* The current association of the call (idle when the call has no server). */
void sys_assoc(const struct mtr_dlms_call *c, struct mtr_dlms_assoc_info *info);
/* The setting was written: tell the application. */
void sys_changed(struct mtr_cosem *c, uint8_t what, uint8_t index);

/* The value objects of the capture objects (objects_records.def), which
 * the table reaches through this header. */
#include "cosem_records.h"

#endif
