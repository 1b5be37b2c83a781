/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file hdlc.h
 * @brief DLMS/COSEM HDLC data link layer, server side (IEC 62056-46).
 *
 * Frame format type 3: flag 0x7E, format field 0xA0 | segmentation bit 0x08 |
 * 11-bit length (bytes from the format field to the FCS), destination and
 * source addresses (1, 2 or 4 bytes, each byte's bit 0 set on the last),
 * control field, HCS (when an information field follows), information, FCS,
 * flag. HCS and FCS are CRC-16/X-25 (meter/crc.h), least significant byte
 * first. There is no byte stuffing: the length field delimits the frame.
 *
 * Three levels: mtr_dlms_hdlc_parse()/mtr_dlms_hdlc_encode() for one frame;
 * the byte-stream assembler (struct mtr_dlms_hdlc_rx) that finds frames in
 * bytes arriving in any chunking and resynchronises on garbage; and the
 * server link (struct mtr_dlms_hdlc_link): NDM/NRM, SNRM/UA parameter
 * negotiation, N(S)/N(R), segmentation and reassembly of APDUs, RR/RNR,
 * DISC, DM, FRMR and the inactivity time-out. It never sleeps or touches a
 * port: it consumes bytes and writes the reply into a caller buffer.
 */
#ifndef METER_HDLC_H
#define METER_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest frame without flags: format 2 + addresses 4 + 4 + control 1 + HCS 2 + info + FCS 2. */
#define MTR_DLMS_HDLC_FRAME_MAX (MTR_CFG_DLMS_HDLC_MAX_INFO + 15)
/** Largest frame on the wire, flags included: the minimum output buffer of the link. */
#define MTR_DLMS_HDLC_WIRE_MAX (MTR_DLMS_HDLC_FRAME_MAX + 2)

/** Control field values (P/F bit 0x10 clear); I, RR, RNR also carry N(S)/N(R). */
enum mtr_dlms_hdlc_ctrl {
    MTR_DLMS_HDLC_I = 0x00,    /**< RRR P SSS 0 */
    MTR_DLMS_HDLC_RR = 0x01,   /**< RRR P 0001 */
    MTR_DLMS_HDLC_RNR = 0x05,  /**< RRR P 0101 */
    MTR_DLMS_HDLC_SNRM = 0x83,
    MTR_DLMS_HDLC_DISC = 0x43,
    MTR_DLMS_HDLC_UA = 0x63,
    MTR_DLMS_HDLC_DM = 0x0F,
    MTR_DLMS_HDLC_FRMR = 0x87,
    MTR_DLMS_HDLC_UI = 0x03,
    MTR_DLMS_HDLC_PF = 0x10,   /**< poll/final bit */
};

/** An HDLC address. Client addresses are 1 byte; server addresses 1, 2 or 4. */
struct mtr_dlms_hdlc_addr {
    uint16_t upper; /**< 1 byte: the address; else the upper (logical device) part, <= 0x7F or 0x3FFF */
    uint16_t lower; /**< lower (physical device) part, 0 when size is 1 */
    uint8_t size;   /**< 1, 2 or 4 bytes */
};

/** One frame. @c info points into the parsed bytes. */
struct mtr_dlms_hdlc_frame {
    struct mtr_dlms_hdlc_addr dst; /**< destination */
    struct mtr_dlms_hdlc_addr src; /**< source */
    const uint8_t *info;           /**< information field, NULL when none */
    uint16_t info_len;             /**< its bytes */
    uint8_t control;               /**< control field */
    bool segmented;                /**< format field segmentation bit */
};

/**
 * @brief Parse one complete frame, flags included.
 * @param p in: the opening flag; out: past the closing flag (unchanged on error).
 * @return MTR_OK; MTR_ERR_DLMS_TRUNCATED (fewer bytes than the length field says);
 *         MTR_ERR_DLMS_FRAME (no flag, format not type 3, length below 7, HCS without info);
 *         MTR_ERR_DLMS_ADDRESS (address field of 3 or more than 4 bytes);
 *         MTR_ERR_DLMS_HCS; MTR_ERR_DLMS_FCS.
 */
mtr_err_t mtr_dlms_hdlc_parse(const uint8_t **p, const uint8_t *end, struct mtr_dlms_hdlc_frame *f);

/**
 * @brief Encode @p f with flags, HCS and FCS.
 * @return MTR_OK; MTR_ERR_INVAL (address out of range for its size, info over 2030 bytes);
 *         MTR_ERR_FULL (@p cap too small; nothing meaningful written).
 */
mtr_err_t mtr_dlms_hdlc_encode(const struct mtr_dlms_hdlc_frame *f, uint8_t *out, size_t cap, size_t *len);

/** Byte-stream frame assembler. */
struct mtr_dlms_hdlc_rx {
    uint8_t buf[MTR_DLMS_HDLC_WIRE_MAX]; /**< the frame being collected, flags included */
    uint16_t len;                        /**< bytes in buf */
    uint16_t need;                       /**< frame size once its length is known, else 0 */
    mtr_ms_t last;                       /**< time of the last byte */
};

/** @brief Empty the assembler. */
void mtr_dlms_hdlc_rx_init(struct mtr_dlms_hdlc_rx *rx);

/**
 * @brief Consume bytes until one frame is complete.
 * @param now time of arrival (drops a partial frame older than MTR_CFG_DLMS_HDLC_INTER_OCTET_MS).
 * @param p   in/out: consumed bytes are passed.
 * @param f   the frame (views into @p rx, valid until the next call).
 * @return MTR_OK; MTR_ERR_EMPTY (input used up, no frame yet); or, for a frame
 *         dropped: MTR_ERR_DLMS_FRAME, MTR_ERR_DLMS_TOO_LONG (length over
 *         MTR_DLMS_HDLC_FRAME_MAX), MTR_ERR_DLMS_ADDRESS, MTR_ERR_DLMS_HCS, MTR_ERR_DLMS_FCS.
 *         After a dropped frame the assembler hunts for the next flag.
 */
mtr_err_t mtr_dlms_hdlc_rx_feed(struct mtr_dlms_hdlc_rx *rx, mtr_ms_t now, const uint8_t **p,
                                const uint8_t *end, struct mtr_dlms_hdlc_frame *f);

/**
 * @brief Upper layer: a complete APDU (LLC header removed) arrived; write the
 *        response APDU (without LLC) into @p resp.
 * @return MTR_OK (@p resp_len may be 0: no response); MTR_ERR_BUSY: not now,
 *         the link answers RNR and offers the same APDU again on the next poll;
 *         other errors: the APDU is dropped, the link answers RR.
 */
typedef mtr_err_t (*mtr_dlms_hdlc_apdu_fn)(void *user, const uint8_t *apdu, size_t len, uint8_t *resp,
                                           size_t cap, size_t *resp_len);

/** Server link configuration. */
struct mtr_dlms_hdlc_cfg {
    uint16_t upper;          /**< our upper (logical device) address, 1..0x3FFF */
    uint16_t lower;          /**< our lower (physical) address, 0..0x3FFF; frames without one are accepted too */
    uint16_t max_info;       /**< largest info field we send and receive, 32..MTR_CFG_DLMS_HDLC_MAX_INFO */
    uint8_t window;          /**< receive window we accept, 1..MTR_CFG_DLMS_HDLC_WINDOW */
    uint32_t inactivity_ms;  /**< inactivity time-out, 0 = none */
    uint8_t *rx_apdu;        /**< reassembly buffer (incoming APDU) */
    size_t rx_cap;           /**< its size */
    uint8_t *tx_apdu;        /**< response buffer (3 bytes LLC + APDU) */
    size_t tx_cap;           /**< its size, > 3 */
    mtr_dlms_hdlc_apdu_fn on_apdu; /**< upper layer */
    void *user;              /**< passed to on_apdu */
};

/** Link states. */
enum mtr_dlms_hdlc_state {
    MTR_DLMS_HDLC_NDM = 0,  /**< normal disconnected mode */
    MTR_DLMS_HDLC_NRM = 1,  /**< normal response mode (connected) */
    MTR_DLMS_HDLC_FRMR_STATE = 2, /**< frame reject condition: waits for SNRM or DISC */
};

/** Server link state. Caller-allocated. */
struct mtr_dlms_hdlc_link {
    struct mtr_dlms_hdlc_cfg cfg;   /**< copy of the configuration */
    struct mtr_dlms_hdlc_rx rx;     /**< frame assembler */
    struct mtr_dlms_hdlc_addr self; /**< our address as the client wrote it (echoed in replies) */
    uint8_t client;                 /**< connected client address */
    uint8_t state;                  /**< ::mtr_dlms_hdlc_state */
    uint8_t vs;                     /**< send state variable V(S) */
    uint8_t vr;                     /**< receive state variable V(R) */
    uint8_t win_rx;                 /**< negotiated receive window */
    uint8_t win_tx;                 /**< negotiated transmit window */
    bool apdu_held;                 /**< a complete APDU waits for the upper layer */
    bool unacked;                   /**< our last I-frame is not acknowledged yet */
    uint8_t frmr[3];                /**< information field of the last FRMR */
    uint16_t max_rx;                /**< negotiated max info field, receive */
    uint16_t max_tx;                /**< negotiated max info field, transmit */
    size_t rx_len;                  /**< APDU bytes reassembled */
    size_t tx_len;                  /**< response bytes (LLC included) */
    size_t tx_off;                  /**< response bytes sent */
    size_t tx_last;                 /**< bytes in the last I-frame sent */
    mtr_ms_t last_rx;               /**< time of the last frame accepted */
};

/**
 * @brief Initialise a server link in NDM.
 * @return MTR_OK or MTR_ERR_INVAL (address, max_info, window or buffers out of range).
 */
mtr_err_t mtr_dlms_hdlc_init(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_cfg *cfg);

/**
 * @brief Feed received bytes; handles at most one frame per call.
 * @param now      current time.
 * @param p        in/out: consumed bytes are passed. Call again while bytes remain.
 * @param out      reply frame (cap >= MTR_DLMS_HDLC_WIRE_MAX); @p out_len = 0 when none.
 *                 A reply may come with an error (DM, FRMR or RR to a rejected frame).
 * @return MTR_OK; MTR_ERR_EMPTY (input used up, no complete frame); any error of
 *         mtr_dlms_hdlc_rx_feed(); MTR_ERR_DLMS_ADDRESS (not for us: no reply);
 *         MTR_ERR_DLMS_CONTROL (unknown or response-type control: FRMR);
 *         MTR_ERR_DLMS_SEQUENCE (N(S) out of sequence: RR with our V(R); bad N(R): FRMR);
 *         MTR_ERR_DLMS_PARAM (SNRM parameters refused: DM);
 *         MTR_ERR_DLMS_TOO_LONG (info over the negotiated maximum or APDU over rx_cap: FRMR);
 *         MTR_ERR_DLMS_LLC (APDU without E6 E6 00); MTR_ERR_STATE (frame not allowed in
 *         this state: DM or FRMR repeated); errors of the upper layer.
 *         On every error the link state is unchanged, except that errors answered
 *         with FRMR enter the frame reject condition (IEC 62056-46), left by SNRM or DISC.
 */
mtr_err_t mtr_dlms_hdlc_input(struct mtr_dlms_hdlc_link *l, mtr_ms_t now, const uint8_t **p,
                              const uint8_t *end, uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Apply the inactivity time-out.
 * @return true when the link was connected and has just fallen back to NDM.
 */
bool mtr_dlms_hdlc_poll(struct mtr_dlms_hdlc_link *l, mtr_ms_t now);

/** @brief Current ::mtr_dlms_hdlc_state. */
uint8_t mtr_dlms_hdlc_state(const struct mtr_dlms_hdlc_link *l);

/** @brief sizeof(struct mtr_dlms_hdlc_link), for bindings. */
size_t mtr_dlms_hdlc_link_size(void);
/** @brief Run-time twin of MTR_DLMS_HDLC_WIRE_MAX. */
size_t mtr_dlms_hdlc_wire_max(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_HDLC_H */
