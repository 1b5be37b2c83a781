/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file dlms.h
 * @brief DLMS/COSEM server stack: umbrella header and the TCP/UDP wrapper
 *        (IEC 62056-47).
 *
 * Layers available now: the A-XDR codec (meter/axdr.h), the HDLC link
 * (meter/hdlc.h) and the wrapper below. The wrapper header is 8 bytes, all
 * big-endian: version (0x0001), source wPort, destination wPort, length of
 * the APDU that follows. The assembler takes bytes from a TCP stream in any
 * chunking and hands over whole APDUs; a bad header is a broken stream (the
 * caller should close the connection).
 */
#ifndef METER_DLMS_H
#define METER_DLMS_H

#include <stddef.h>
#include <stdint.h>

#include "meter/axdr.h"
#include "meter/config.h"
#include "meter/error.h"
#include "meter/hdlc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTR_DLMS_WRAPPER_HEADER 8     /**< bytes of a wrapper header */
#define MTR_DLMS_WRAPPER_VERSION 1    /**< the only version defined */
#define MTR_DLMS_WRAPPER_TCP_PORT 4059 /**< IANA port of DLMS/COSEM over TCP */

/** A wrapper header. */
struct mtr_dlms_wrapper_hdr {
    uint16_t src; /**< source wPort (client SAP when sent by a client) */
    uint16_t dst; /**< destination wPort */
    uint16_t len; /**< APDU bytes that follow */
};

/**
 * @brief Parse a wrapper header.
 * @param max_apdu largest APDU accepted (at most MTR_CFG_DLMS_MAX_APDU is also enforced).
 * @return MTR_OK; MTR_ERR_DLMS_TRUNCATED (fewer than 8 bytes); MTR_ERR_DLMS_VERSION;
 *         MTR_ERR_DLMS_LENGTH (length 0); MTR_ERR_DLMS_TOO_LONG (length over the maximum).
 *         @p p and @p h are unchanged on error.
 */
mtr_err_t mtr_dlms_wrapper_parse(const uint8_t **p, const uint8_t *end, size_t max_apdu,
                                 struct mtr_dlms_wrapper_hdr *h);

/** @brief Write a wrapper header (version 1) into @p out. */
void mtr_dlms_wrapper_put(uint8_t out[MTR_DLMS_WRAPPER_HEADER], const struct mtr_dlms_wrapper_hdr *h);

/** Wrapper stream assembler (caller-allocated, APDU buffer from the caller). */
struct mtr_dlms_wrapper_rx {
    uint8_t *buf;                         /**< APDU buffer */
    size_t cap;                           /**< its size */
    uint16_t wport;                       /**< our wPort; 0 accepts any destination */
    uint8_t hdr[MTR_DLMS_WRAPPER_HEADER]; /**< header bytes collected */
    uint8_t hdr_len;                      /**< how many */
    struct mtr_dlms_wrapper_hdr h;        /**< the current header once complete */
    uint16_t got;                         /**< APDU bytes collected */
};

/** @brief Prepare @p rx (empty) over @p buf of @p cap bytes. */
void mtr_dlms_wrapper_rx_init(struct mtr_dlms_wrapper_rx *rx, uint8_t *buf, size_t cap, uint16_t wport);

/**
 * @brief Consume stream bytes until one APDU is complete.
 * @param p in/out: consumed bytes are passed (a complete APDU stops consumption).
 * @param h the header of the complete APDU, which is in rx->buf[0..h->len).
 * @return MTR_OK; MTR_ERR_EMPTY (more bytes needed); on a bad header:
 *         MTR_ERR_DLMS_VERSION, MTR_ERR_DLMS_LENGTH, MTR_ERR_DLMS_TOO_LONG (over
 *         @c cap or MTR_CFG_DLMS_MAX_APDU), MTR_ERR_DLMS_WPORT; the assembler is then
 *         empty again and the caller should close the stream.
 */
mtr_err_t mtr_dlms_wrapper_feed(struct mtr_dlms_wrapper_rx *rx, const uint8_t **p, const uint8_t *end,
                                struct mtr_dlms_wrapper_hdr *h);

/** @brief Run-time twin of MTR_CFG_DLMS_MAX_APDU. */
uint32_t mtr_dlms_config_max_apdu(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_DLMS_H */
