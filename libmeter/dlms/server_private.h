/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the xDLMS server files: APDU tags, the response buffer, helpers. */
#ifndef METER_DLMS_SERVER_PRIVATE_H
#define METER_DLMS_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "axdr_private.h"
#include "meter/bytes.h"
#include "meter/dlms.h"
#include "meter/meter.h"

/* APDU tags (Green Book, xDLMS APDUs and ACSE APDUs). */
enum {
    TAG_INITIATE_REQ = 0x01,
    TAG_INITIATE_RESP = 0x08,
    TAG_CONFIRMED_ERROR = 0x0E,
    TAG_DATA_NOTIFICATION = 0x0F,
    TAG_GLO_INITIATE_REQ = 0x21,
    TAG_GLO_INITIATE_RESP = 0x28,
    TAG_AARQ = 0x60,
    TAG_AARE = 0x61,
    TAG_RLRQ = 0x62,
    TAG_RLRE = 0x63,
    TAG_GET_REQ = 0xC0,
    TAG_SET_REQ = 0xC1,
    TAG_EVENT_NOTIFICATION = 0xC2,
    TAG_ACTION_REQ = 0xC3,
    TAG_GET_RESP = 0xC4,
    TAG_SET_RESP = 0xC5,
    TAG_ACTION_RESP = 0xC7,
    TAG_GLO_OFFSET = 0x08, /* glo-x = x + 8 */
    TAG_DED_OFFSET = 0x10, /* ded-x = x + 16 */
    TAG_EXCEPTION = 0xD8,
    TAG_GENERAL_GLO = 0xDB,
};

/* Exception-response state-error and service-error values. */
enum { EX_NOT_ALLOWED = 1, EX_UNKNOWN = 2 };
enum {
    EX_OP_NOT_POSSIBLE = 1,
    EX_NOT_SUPPORTED = 2,
    EX_OTHER = 3,
    EX_PDU_TOO_LONG = 4,
    EX_DECIPHERING = 5,
    EX_IC_ERROR = 6,
};

/* Security control byte (suite 0). */
#define SC_AUTH 0x10u
#define SC_ENC 0x20u
#define SC_BROADCAST 0x40u
#define SC_COMPRESS 0x80u
#define SC_SUITE 0x0Fu

#define GCM_TAG 12u
/* Room reserved in front of a response that may be ciphered: general-glo
 * tag, title (9), length (3), SC, IC. */
#define CIPHER_HEAD 18u
#define CIPHER_ROOM (CIPHER_HEAD + GCM_TAG)

/* Response kinds (how the request was protected). */
enum { PROT_NONE = 0, PROT_GLO = 1, PROT_DED = 2, PROT_GENERAL = 3 };

/* The response being built: plain APDU at buf, at most cap bytes. */
struct dlms_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
};

/* Attribute or method descriptor: class (2), instance (6), id (1). */
struct dlms_desc {
    uint16_t class_id;
    uint8_t obis[6];
    uint8_t id;
};

/* A sequential reader over a request; every take checks the bytes left. */
struct dlms_rd {
    const uint8_t *p;
    const uint8_t *end;
    bool bad;
};

uint8_t rd_u8(struct dlms_rd *r);
uint32_t rd_be(struct dlms_rd *r, unsigned n);
const uint8_t *rd_bytes(struct dlms_rd *r, size_t n);
void rd_desc(struct dlms_rd *r, struct dlms_desc *d);
/* One complete A-XDR Data value: its bytes. */
const uint8_t *rd_data(struct dlms_rd *r, size_t *len);
/* An A-XDR length. */
uint32_t rd_len(struct dlms_rd *r);
static inline bool rd_done(const struct dlms_rd *r)
{
    return !r->bad && r->p == r->end;
}

/* Writes into the response; false (and out unchanged past cap) when full. */
bool out_put(struct dlms_out *o, const void *b, size_t n);
bool out_u8(struct dlms_out *o, uint8_t v);
bool out_len(struct dlms_out *o, uint32_t n);
size_t len_size(uint32_t n);
void out_exception(struct dlms_out *o, uint8_t state, uint8_t service, uint32_t ic);

/* Server helpers. */
const struct mtr_dlms_assoc_cfg *srv_entry(const struct mtr_dlms_server *s);
int srv_find(const struct mtr_dlms_server *s, uint16_t class_id, const uint8_t obis[6], uint8_t *dar);
bool srv_allowed(const struct mtr_dlms_server *s, const struct mtr_dlms_obj *o, int kind, uint8_t id);
uint8_t srv_dar(mtr_err_t err);
/* Object index and data-access-result of a GET (kind 0), SET (1) or ACTION (2)
 * descriptor, decided before any value is read. */
uint8_t srv_resolve(const struct mtr_dlms_server *s, const struct dlms_desc *d, int kind,
                    uint16_t *idx);
void srv_event(struct mtr_dlms_server *s, uint16_t code);
void srv_call_init(const struct mtr_dlms_server *s, struct mtr_dlms_call *c, const struct mtr_dlms_obj *o,
                   uint8_t id);
bool srv_conf(const struct mtr_dlms_server *s, uint32_t bits);

/* Services. Each returns MTR_OK or a refusal code, with the response in o. */
mtr_err_t dlms_aarq(struct mtr_dlms_server *s, uint16_t sap, uint8_t *apdu, size_t len, struct dlms_out *o);
mtr_err_t dlms_rlrq(struct mtr_dlms_server *s, uint16_t sap, const uint8_t *apdu, size_t len,
                    struct dlms_out *o);
mtr_err_t dlms_get(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o);
mtr_err_t dlms_set(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o);
mtr_err_t dlms_action(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o);
/* Built-in methods; false when the descriptor is not theirs. */
bool dlms_builtin_action(struct mtr_dlms_server *s, const struct dlms_desc *d, const uint8_t *data,
                         size_t data_len, struct mtr_dlms_axdr_writer *w, uint8_t *result, mtr_err_t *err);

/* Security suite 0. */
uint8_t *sec_scratch_check(size_t need, size_t cap);
mtr_err_t sec_decipher(struct mtr_dlms_server *s, uint8_t *apdu, size_t len, uint8_t *scratch,
                       size_t scratch_cap, uint8_t **plain, size_t *plain_len, struct dlms_out *o);
mtr_err_t sec_encipher(struct mtr_dlms_server *s, uint8_t tag_plain, uint8_t *out, size_t cap,
                       size_t plain_len, size_t *len);
/* Cipher a block in place with explicit parameters (GCM, suite 0); tag out when SC has AUTH. */
mtr_err_t sec_gcm(const struct mtr_hal *hal, const uint8_t key[16], const uint8_t ak[16], uint8_t sc,
                  const uint8_t title[8], uint32_t ic, uint8_t *buf, size_t len, uint8_t *tag, bool decrypt,
                  uint8_t *scratch, size_t scratch_cap);
/* Check and consume a client invocation counter. */
mtr_err_t sec_rx_ic(struct mtr_dlms_server *s, uint32_t ic, struct dlms_out *o, bool commit);
mtr_err_t sec_key_transfer(struct mtr_dlms_server *s, const uint8_t *data, size_t len);

#endif
