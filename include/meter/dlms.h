/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file dlms.h
 * @brief DLMS/COSEM server stack: umbrella header, the TCP/UDP wrapper
 *        (IEC 62056-47) and the xDLMS server (IEC 62056-5-3, LN referencing).
 *
 * Layers: the A-XDR codec (meter/axdr.h), the HDLC link (meter/hdlc.h), the
 * wrapper and the server below. The wrapper header is 8 bytes, all
 * big-endian: version (0x0001), source wPort, destination wPort, length of
 * the APDU that follows. The assembler takes bytes from a TCP stream in any
 * chunking and hands over whole APDUs; a bad header is a broken stream (the
 * caller should close the connection).
 */
#ifndef METER_DLMS_H
#define METER_DLMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/axdr.h"
#include "meter/config.h"
#include "meter/error.h"
#include "meter/hal.h"
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

/* ================================================================ server */

/**
 * @defgroup dlms_server xDLMS server (LN referencing)
 *
 * One ::mtr_dlms_server serves one transport channel (an HDLC link or a TCP
 * connection) and holds at most one open application association at a time.
 * It takes a complete APDU from the transport (mtr_dlms_server_apdu()) and
 * writes the response APDU into a caller buffer; it never allocates.
 *
 * Objects are not part of the server: the caller gives a const table of
 * ::mtr_dlms_obj (class id, logical name, access rights per profile and
 * get/set/action callbacks). The server decodes the service, checks the
 * association, the negotiated conformance, the security policy and the
 * access rights, and dispatches to the callbacks. Attribute 1 (logical name)
 * is answered by the server itself. Two objects are built in: the current
 * association (class 15, 0-0:40.0.0.255, method 1 reply_to_HLS_authentication)
 * and the security setup named in the configuration (class 64, method 2
 * global_key_transfer).
 * @{
 */

/** Conformance block bits (Green Book, xDLMS conformance, BER bit n = 1 << (23 - n)). */
#define MTR_DLMS_CONF_GENERAL_PROTECTION 0x400000u      /**< bit 1 */
#define MTR_DLMS_CONF_GENERAL_BLOCK_TRANSFER 0x200000u  /**< bit 2 (not supported) */
#define MTR_DLMS_CONF_ATTR0_SET 0x008000u               /**< bit 8 (not supported) */
#define MTR_DLMS_CONF_PRIORITY_MGMT 0x004000u           /**< bit 9 */
#define MTR_DLMS_CONF_ATTR0_GET 0x002000u               /**< bit 10 (not supported) */
#define MTR_DLMS_CONF_BLOCK_GET 0x001000u               /**< bit 11: block transfer with GET */
#define MTR_DLMS_CONF_BLOCK_SET 0x000800u               /**< bit 12: block transfer with SET */
#define MTR_DLMS_CONF_BLOCK_ACTION 0x000400u            /**< bit 13: block transfer with ACTION */
#define MTR_DLMS_CONF_MULTIPLE_REFS 0x000200u           /**< bit 14: with-list services */
#define MTR_DLMS_CONF_DATA_NOTIFICATION 0x000080u       /**< bit 16 */
#define MTR_DLMS_CONF_GET 0x000010u                     /**< bit 19 */
#define MTR_DLMS_CONF_SET 0x000008u                     /**< bit 20 */
#define MTR_DLMS_CONF_SELECTIVE_ACCESS 0x000004u        /**< bit 21 */
#define MTR_DLMS_CONF_EVENT_NOTIFICATION 0x000002u      /**< bit 22 */
#define MTR_DLMS_CONF_ACTION 0x000001u                  /**< bit 23 */
/** Everything the server implements. */
#define MTR_DLMS_CONF_SERVER                                                                     \
    (MTR_DLMS_CONF_GENERAL_PROTECTION | MTR_DLMS_CONF_PRIORITY_MGMT | MTR_DLMS_CONF_BLOCK_GET |  \
     MTR_DLMS_CONF_BLOCK_SET | MTR_DLMS_CONF_BLOCK_ACTION | MTR_DLMS_CONF_MULTIPLE_REFS |         \
     MTR_DLMS_CONF_DATA_NOTIFICATION | MTR_DLMS_CONF_GET | MTR_DLMS_CONF_SET |                   \
     MTR_DLMS_CONF_SELECTIVE_ACCESS | MTR_DLMS_CONF_EVENT_NOTIFICATION | MTR_DLMS_CONF_ACTION)

/** Authentication mechanisms (mechanism-name 2.16.756.5.8.2.n). */
enum mtr_dlms_mech {
    MTR_DLMS_MECH_NONE = 0,     /**< lowest level security */
    MTR_DLMS_MECH_LLS = 1,      /**< low level security: password */
    MTR_DLMS_MECH_HLS_GMAC = 5, /**< high level security, 4-pass, GMAC (security suite 0) */
};

/** Security policy of an association (security setup version 0 enumeration). */
enum mtr_dlms_policy {
    MTR_DLMS_POLICY_NONE = 0,     /**< plain APDUs accepted */
    MTR_DLMS_POLICY_AUTH = 1,     /**< every request authenticated (GMAC tag) */
    MTR_DLMS_POLICY_ENC = 2,      /**< every request encrypted */
    MTR_DLMS_POLICY_AUTH_ENC = 3, /**< every request authenticated and encrypted */
};

/** Association states (::mtr_dlms_server_state()). */
enum mtr_dlms_assoc_state {
    MTR_DLMS_ASSOC_IDLE = 0,       /**< no association */
    MTR_DLMS_ASSOC_PENDING = 1,    /**< HLS: AARE sent, waiting for reply_to_HLS_authentication */
    MTR_DLMS_ASSOC_ASSOCIATED = 2, /**< open */
};

/** Flags of an association table entry. */
#define MTR_DLMS_ASSOC_PRE_ESTABLISHED 0x01u /**< served without AARQ; cannot be opened or released */
#define MTR_DLMS_ASSOC_KEY_TRANSFER 0x02u    /**< may call global_key_transfer of the security setup */

/** Data-access-result values (Green Book). */
enum mtr_dlms_dar {
    MTR_DLMS_DAR_SUCCESS = 0,
    MTR_DLMS_DAR_HARDWARE_FAULT = 1,
    MTR_DLMS_DAR_TEMPORARY_FAILURE = 2,
    MTR_DLMS_DAR_READ_WRITE_DENIED = 3,
    MTR_DLMS_DAR_OBJECT_UNDEFINED = 4,
    MTR_DLMS_DAR_OBJECT_UNAVAILABLE = 11,
    MTR_DLMS_DAR_TYPE_UNMATCHED = 12,
    MTR_DLMS_DAR_SCOPE_VIOLATED = 13,
    MTR_DLMS_DAR_BLOCK_UNAVAILABLE = 14,
    MTR_DLMS_DAR_LONG_GET_ABORTED = 15,
    MTR_DLMS_DAR_NO_LONG_GET = 16,
    MTR_DLMS_DAR_LONG_SET_ABORTED = 17,
    MTR_DLMS_DAR_NO_LONG_SET = 18,
    MTR_DLMS_DAR_BLOCK_NUMBER_INVALID = 19,
    MTR_DLMS_DAR_OTHER = 250,
};

/** Highest attribute id an access mask holds (::mtr_dlms_access get and set). */
#define MTR_DLMS_ATTR_MAX 32u
/** Highest method id an access mask holds (::mtr_dlms_access act). */
#define MTR_DLMS_METHOD_MAX 16u

/**
 * Access rights of one object for one profile: bit n-1 = attribute (method)
 * n allowed. Attributes 1..MTR_DLMS_ATTR_MAX (the largest interface class,
 * account (111), has 19), methods 1..MTR_DLMS_METHOD_MAX; an id above them
 * is never allowed.
 */
struct mtr_dlms_access {
    uint32_t get; /**< readable attributes */
    uint32_t set; /**< writable attributes */
    uint16_t act; /**< callable methods */
};

struct mtr_dlms_obj;
struct mtr_dlms_server;

/**
 * One attribute or method access handed to an object callback. Views point
 * into server memory and are valid during the call only.
 */
struct mtr_dlms_call {
    const struct mtr_dlms_obj *obj; /**< the object */
    void *user;                     /**< the server's cfg.user */
    uint16_t client_sap;            /**< client of the association */
    uint8_t id;                     /**< attribute or method id */
    uint8_t profile;                /**< access-rights profile of the association */
    uint8_t selector;               /**< GET/SET: access selector, 0 = no selective access */
    const uint8_t *sel;             /**< access parameters (one A-XDR Data value), NULL if none */
    size_t sel_len;                 /**< their bytes */
    const uint8_t *data;            /**< SET value / ACTION parameters (one Data value) or NULL */
    size_t data_len;                /**< their bytes */
    uint32_t *cursor;               /**< GET: 2 words kept for the object across blocks, 0 on the first call */
    /** the server serving the call (mtr_dlms_server_assoc()); NULL when the
     *  callback is called from elsewhere (e.g. a push reading its objects) */
    const struct mtr_dlms_server *server;
};

/**
 * @brief Write attribute @c c->id of the object as one A-XDR Data value into @p w.
 *
 * Streaming: write items while there is room; before each item check
 * mtr_dlms_server_room() and, when it is false, return ::MTR_ERR_FULL with
 * the position kept in @c c->cursor: the server sends the block and calls
 * again (same call, same cursor words) once the client asks for the next
 * one. An item that does not fit is finished by the server. Data put by
 * view (strings) must stay valid until the next call.
 * @return MTR_OK (value complete); MTR_ERR_FULL (call again); an error,
 *         answered as a data-access-result: MTR_ERR_IO hardware-fault,
 *         MTR_ERR_BUSY temporary-failure, MTR_ERR_DLMS_DENIED read-write-denied,
 *         MTR_ERR_NOENT object-undefined, MTR_ERR_NOTSUP object-unavailable,
 *         MTR_ERR_INVAL and the A-XDR decode errors type-unmatched,
 *         MTR_ERR_RANGE scope-of-access-violated, anything else other-reason.
 *         After an error in a later block the long GET is aborted.
 */
typedef mtr_err_t (*mtr_dlms_get_fn)(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/** @brief Write attribute @c c->id from @c c->data. @return MTR_OK or an error as above. */
typedef mtr_err_t (*mtr_dlms_set_fn)(const struct mtr_dlms_call *c);
/**
 * @brief Invoke method @c c->id with @c c->data; return data, if any, is
 *        written into @p w (one Data value, must fit: no block transfer).
 * @return MTR_OK or an error, answered as the action-result of the same number.
 */
typedef mtr_err_t (*mtr_dlms_action_fn)(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/** One COSEM object as the server sees it (usually in a const table). */
struct mtr_dlms_obj {
    uint16_t class_id;                     /**< interface class */
    uint8_t version;                       /**< class version */
    uint8_t obis[6];                       /**< logical name */
    const struct mtr_dlms_access *access;  /**< [MTR_CFG_DLMS_PROFILES] rights per profile */
    mtr_dlms_get_fn get;                   /**< NULL: only attribute 1 is readable */
    mtr_dlms_set_fn set;                   /**< NULL: nothing writable */
    mtr_dlms_action_fn action;             /**< NULL: no methods */
    void *user;                            /**< for the callbacks */
};

/** One entry of the association table: a client SAP and what it may do. */
struct mtr_dlms_assoc_cfg {
    /** client SAP (HDLC client address, wrapper source wPort), 0..127: the
     *  current association names it as an `integer` (class 15 attribute 3) */
    uint16_t client_sap;
    uint8_t mechanism;          /**< ::mtr_dlms_mech required in the AARQ */
    uint8_t policy;             /**< ::mtr_dlms_policy; != NONE needs the ciphered application context */
    uint8_t profile;            /**< access-rights profile, < MTR_CFG_DLMS_PROFILES */
    uint8_t flags;              /**< MTR_DLMS_ASSOC_* */
    uint8_t secret_len;         /**< LLS: password bytes (1..64) */
    const uint8_t *secret;      /**< LLS: the password (HLS-5 uses the keys of the security state) */
    uint32_t conformance;       /**< services this client may negotiate (MTR_DLMS_CONF_*) */
    const uint8_t *client_title; /**< pre-established with ciphering: the client's system title (8), else NULL */
};

/**
 * Security suite 0 state, owned by the caller and shared by every server of
 * the meter: keys, the server system title and the invocation counters.
 * Persist it with mtr_dlms_security_save() (the keys are not in that blob).
 */
struct mtr_dlms_security {
    uint8_t system_title[8];  /**< server system title */
    uint8_t ek[16];           /**< global unicast encryption key */
    uint8_t bk[16];           /**< global broadcast encryption key */
    uint8_t ak[16];           /**< authentication key */
    uint8_t kek[16];          /**< master key (key encrypting key) */
    uint32_t tx_ic;           /**< next invocation counter the server uses */
    uint32_t tx_saved;        /**< tx_ic when last saved */
    uint32_t rx_ic[MTR_CFG_DLMS_ASSOC_MAX]; /**< per table entry: last accepted client counter */
    bool rx_seen[MTR_CFG_DLMS_ASSOC_MAX];   /**< per table entry: a counter was accepted */
};

/** Communication and security event codes reported to cfg.on_event (seed event table). */
#define MTR_DLMS_EV_AUTH_FAILURE 46    /**< "Association authentication failure (n times wrong password)" */
#define MTR_DLMS_EV_KEY_CHANGED 48     /**< "Global key changed" */
#define MTR_DLMS_EV_DECRYPT_FAILURE 49 /**< "Decryption or authentication failure" */
#define MTR_DLMS_EV_REPLAY 50          /**< "Replay attack" */
#define MTR_DLMS_EV_LOCAL_COMM 158     /**< "Local communication attempt" (cfg.local_port only) */
#define MTR_DLMS_EV_AUTH_OK 249        /**< "Successful user authentication" */

/** @brief Event callback: (code, name) as in the seed's event table. */
typedef void (*mtr_dlms_event_fn)(void *user, uint16_t code, const char *name);

/** Server configuration. Pointed-to tables must outlive the server. */
struct mtr_dlms_server_cfg {
    const struct mtr_hal *hal;               /**< sys.entropy for HLS, crypto for suite 0 */
    const struct mtr_dlms_obj *objects;      /**< object table */
    uint16_t nobjects;                       /**< its entries */
    const struct mtr_dlms_assoc_cfg *assocs; /**< association table */
    uint8_t nassocs;                         /**< its entries, 1..MTR_CFG_DLMS_ASSOC_MAX */
    uint16_t max_pdu;                        /**< server-max-receive-pdu-size, 64..MTR_CFG_DLMS_MAX_APDU */
    uint32_t conformance;                    /**< services offered, a subset of MTR_DLMS_CONF_SERVER */
    struct mtr_dlms_security *sec;           /**< NULL: no ciphering, no HLS */
    uint8_t security_setup[6];               /**< logical name of the class 64 object served */
    uint8_t *blk;                            /**< SET/ACTION block reassembly buffer (may be NULL) */
    size_t blk_cap;                          /**< its size: the largest value received in blocks */
    mtr_dlms_event_fn on_event;              /**< may be NULL */
    void *user;                              /**< for on_event and the object callbacks */
    bool local_port;                         /**< report MTR_DLMS_EV_LOCAL_COMM on association */
};

/** Counters of refused requests (never reset by the server). */
struct mtr_dlms_counters {
    uint32_t associations;  /**< associations opened */
    uint32_t auth_failures; /**< wrong password / HLS reply */
    uint32_t decrypt_failures; /**< GCM tag or deciphering failures */
    uint32_t replays;       /**< invocation counters refused */
    uint32_t key_changes;   /**< keys changed by key transfer */
    uint32_t exceptions;    /**< exception-responses sent */
};

/** A long GET in progress (block transfer). Private to the server. */
struct mtr_dlms_long_get {
    struct mtr_dlms_axdr_writer w; /**< streaming writer, kept across blocks */
    uint32_t cursor[2];            /**< current object's cursor words */
    uint32_t block;                /**< number of the last block sent */
    uint16_t obj[MTR_CFG_DLMS_LIST_MAX]; /**< object index per item */
    uint8_t id[MTR_CFG_DLMS_LIST_MAX];   /**< attribute per item */
    uint8_t dar[MTR_CFG_DLMS_LIST_MAX];  /**< result per item decided at request time */
    uint8_t sel_off[MTR_CFG_DLMS_LIST_MAX]; /**< access parameters of each item in sel[] */
    uint8_t sel_len[MTR_CFG_DLMS_LIST_MAX]; /**< their bytes */
    uint8_t selector[MTR_CFG_DLMS_LIST_MAX]; /**< access selector per item */
    uint8_t sel[MTR_CFG_DLMS_SEL_MAX];   /**< access parameters copied from the request */
    size_t start;                  /**< list: offset of the current item in the current block */
    uint32_t start_block;          /**< list: block in which the current item started */
    uint8_t count;                 /**< items (1 for GET-normal) */
    uint8_t item;                  /**< current item */
    uint8_t phase;                 /**< 0 header, 1 value, 2 done */
    uint8_t iid;                   /**< invoke-id-and-priority */
    bool list;                     /**< GET-with-list */
    bool active;                   /**< a long GET waits for GET-next */
};

/** The server. Caller-allocated; fields are private. */
struct mtr_dlms_server {
    const struct mtr_dlms_server_cfg *cfg; /**< configuration */
    const struct mtr_dlms_hdlc_link *hdlc; /**< attached link (client SAP source), or NULL */
    struct mtr_dlms_long_get lg;     /**< long GET state */
    struct mtr_dlms_counters cnt;    /**< counters */
    uint32_t conformance;            /**< negotiated */
    uint32_t blk_block;              /**< SET/ACTION block transfer: last block number received */
    size_t blk_len;                  /**< bytes reassembled */
    uint16_t blk_obj;                /**< object of the block transfer */
    uint16_t client_sap;             /**< client of the association */
    uint16_t max_tx;                 /**< negotiated: largest response APDU */
    uint8_t blk_id;                  /**< attribute or method of the block transfer */
    uint8_t blk_kind;                /**< 0 none, 1 SET, 2 ACTION */
    uint8_t blk_selector;            /**< SET: selector (0 none) of the block transfer */
    uint8_t state;                   /**< ::mtr_dlms_assoc_state */
    uint8_t entry;                   /**< association table entry */
    uint8_t ciphered;                /**< ciphered application context */
    bool has_ded;                    /**< a dedicated key was received */
    bool has_title;                  /**< client_title is known */
    uint8_t client_title[8];         /**< client system title */
    uint8_t ded[16];                 /**< dedicated key */
    uint8_t stoc[MTR_CFG_DLMS_CHALLENGE]; /**< HLS server challenge */
    uint8_t ctos[64];                /**< HLS client challenge */
    uint8_t ctos_len;                /**< its bytes */
    uint8_t resp_key[16];            /**< key of the request being served (its response uses it too) */
    uint8_t resp_sc;                 /**< protection of the request being served (0 plain) */
    uint8_t resp_kind;               /**< 0 plain, 1 glo, 2 ded, 3 general-glo */
};

/**
 * @brief Initialise a server (no association).
 * @return MTR_OK; MTR_ERR_INVAL (table empty or too long, profile out of range,
 *         client SAP above 127, max_pdu out of range, LLS entry without password, ciphered policy or
 *         HLS without cfg.sec or without the HAL's crypto ops, conformance outside
 *         MTR_DLMS_CONF_SERVER).
 */
mtr_err_t mtr_dlms_server_init(struct mtr_dlms_server *s, const struct mtr_dlms_server_cfg *cfg);

/** Smallest response buffer mtr_dlms_server_apdu() accepts (an AARE with HLS and ciphering fits). */
#define MTR_DLMS_SERVER_MIN_OUT (112u + MTR_CFG_DLMS_CHALLENGE)

/**
 * @brief Serve one complete APDU from client @p client_sap.
 * @param apdu  request; may be modified (deciphered in place).
 * @param out   response buffer; @p cap >= MTR_DLMS_SERVER_MIN_OUT (a response never exceeds the
 *              negotiated client PDU size nor @p cap).
 * @param out_len response bytes (0: nothing to send, e.g. after RLRE abort).
 * @return MTR_OK (served; data-access-results are service outcomes, not errors);
 *         otherwise the request was refused, nothing changed (except counters
 *         and events) and @p out holds the refusal (AARE, exception-response or
 *         a data-access-result): MTR_ERR_DLMS_APDU (malformed or unknown),
 *         MTR_ERR_DLMS_ASSOC (no association, or AARQ refused),
 *         MTR_ERR_AUTH (wrong password or HLS reply), MTR_ERR_DLMS_CIPHER
 *         (GCM tag), MTR_ERR_DLMS_REPLAY (invocation counter), MTR_ERR_DLMS_DENIED
 *         (security policy), MTR_ERR_DLMS_SERVICE (not in the conformance block),
 *         MTR_ERR_DLMS_TOO_LONG (request larger than the server PDU size).
 */
mtr_err_t mtr_dlms_server_apdu(struct mtr_dlms_server *s, uint16_t client_sap, uint8_t *apdu, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len);

/** @brief The transport was lost (TCP closed, HDLC DISC or time-out): release the association. */
void mtr_dlms_server_abort(struct mtr_dlms_server *s);

/** @brief Current ::mtr_dlms_assoc_state. */
uint8_t mtr_dlms_server_state(const struct mtr_dlms_server *s);

/** @brief Negotiated conformance block (0 when not associated). */
uint32_t mtr_dlms_server_conformance(const struct mtr_dlms_server *s);

/** @brief Counters of refusals and security events. */
const struct mtr_dlms_counters *mtr_dlms_server_counters(const struct mtr_dlms_server *s);

/**
 * The current association of a server as object callbacks need it (the
 * attributes of the current association and of the security setup).
 */
struct mtr_dlms_assoc_info {
    uint8_t state;              /**< ::mtr_dlms_assoc_state */
    uint8_t mechanism;          /**< ::mtr_dlms_mech of the association table entry (0 when idle) */
    uint8_t policy;             /**< ::mtr_dlms_policy of the entry */
    uint8_t profile;            /**< access-rights profile of the entry */
    uint8_t flags;              /**< MTR_DLMS_ASSOC_* of the entry */
    uint8_t entry;              /**< index of the entry in the association table */
    bool ciphered;              /**< the ciphered application context was negotiated */
    bool has_client_title;      /**< @c client_title is known (AARQ calling-AP-title or pre-established) */
    bool local_port;            /**< the server's cfg.local_port (optical port) */
    uint16_t client_sap;        /**< client SAP (0 when idle) */
    uint16_t server_max_pdu;    /**< server-max-receive-pdu-size (cfg.max_pdu) */
    uint16_t client_max_pdu;    /**< largest response APDU: the client's max receive PDU size (0 when idle) */
    uint32_t conformance;       /**< negotiated conformance block (0 when idle) */
    uint8_t client_title[8];    /**< client system title when known, else zeros */
    uint8_t security_setup[6];  /**< logical name of the security setup served (cfg.security_setup) */
    const struct mtr_dlms_security *sec; /**< security state (cfg.sec, may be NULL) */
};

/**
 * @brief Describe the current association of @p s (all fields written;
 *        zeros where no association is open).
 */
void mtr_dlms_server_assoc(const struct mtr_dlms_server *s, struct mtr_dlms_assoc_info *info);

/** @brief True while the writer can take the start of another item (see ::mtr_dlms_get_fn). */
bool mtr_dlms_server_room(const struct mtr_dlms_axdr_writer *w);

/** @brief Take client SAPs from @p link (for mtr_dlms_server_hdlc_apdu()). */
void mtr_dlms_server_attach_hdlc(struct mtr_dlms_server *s, const struct mtr_dlms_hdlc_link *link);

/**
 * @brief ::mtr_dlms_hdlc_apdu_fn glue: @p user is a server attached to the
 *        link; serves the APDU for the link's client address. A refusal still
 *        returns MTR_OK so that the link sends the refusal.
 */
mtr_err_t mtr_dlms_server_hdlc_apdu(void *user, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap,
                                    size_t *resp_len);

/** @brief sizeof(struct mtr_dlms_server), for bindings. */
size_t mtr_dlms_server_size(void);

/* ------------------------------------------------------------- security */

/** Size of the security blob written by mtr_dlms_security_save(). */
#define MTR_DLMS_SECURITY_BLOB (12u + 5u * MTR_CFG_DLMS_ASSOC_MAX + 4u)

/** @brief Run-time twin of MTR_DLMS_SECURITY_BLOB. */
size_t mtr_dlms_security_blob_size(void);

/**
 * @brief Serialise the invocation counters (version 1, CRC-32). The server
 *        counter is saved MTR_CFG_DLMS_IC_GAP ahead, so that a power cut
 *        before the next save never makes it reuse a value.
 * @return MTR_OK; MTR_ERR_FULL (@p cap < MTR_DLMS_SECURITY_BLOB); MTR_ERR_OVERFLOW
 *         (the server counter is exhausted: keys must be changed).
 */
mtr_err_t mtr_dlms_security_save(struct mtr_dlms_security *sec, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Restore counters from a blob of mtr_dlms_security_save(); @p sec is
 *        unchanged on error.
 * @return MTR_OK; MTR_ERR_DLMS_BLOB (truncated, other table size);
 *         MTR_ERR_DLMS_BLOB_CRC; MTR_ERR_DLMS_BLOB_VERSION.
 */
mtr_err_t mtr_dlms_security_load(struct mtr_dlms_security *sec, const uint8_t *buf, size_t len);

/** @brief True when the server counter has moved half of MTR_CFG_DLMS_IC_GAP since the last save. */
bool mtr_dlms_security_save_due(const struct mtr_dlms_security *sec);

/**
 * @brief HLS-5 GMAC of a challenge: SC || IC || GMAC(key EK, IV = title || IC,
 *        AAD = SC || AK || challenge), 17 bytes (Green Book, HLS with GMAC).
 * @return MTR_OK; MTR_ERR_NOTSUP (no GCM op); errors of the op.
 */
mtr_err_t mtr_dlms_hls_gmac(const struct mtr_hal *hal, const struct mtr_dlms_security *sec,
                            const uint8_t title[8], uint32_t ic, const uint8_t *challenge, size_t len,
                            uint8_t out[17]);

/* ---------------------------------------------------------- notifications */

/**
 * @brief Encode a data-notification APDU (push): 0x0F, long-invoke-id-and-priority,
 *        date-time (optional), notification body (one A-XDR Data value, copied).
 *        @p body may lie inside @p out (e.g. encoded at out + 18 beforehand).
 * @param datetime 12 bytes or NULL (absent).
 * @return MTR_OK; MTR_ERR_FULL (@p cap too small).
 */
mtr_err_t mtr_dlms_data_notification(uint32_t long_iid, const uint8_t *datetime, const uint8_t *body,
                                     size_t body_len, uint8_t *out, size_t cap, size_t *len);

/**
 * @brief Encode an event-notification-request APDU (0xC2): time (optional),
 *        attribute descriptor, attribute value (one Data value, copied).
 * @return MTR_OK; MTR_ERR_FULL.
 */
mtr_err_t mtr_dlms_event_notification(const uint8_t *datetime, uint16_t class_id, const uint8_t obis[6],
                                      uint8_t attr, const uint8_t *value, size_t value_len, uint8_t *out,
                                      size_t cap, size_t *len);

/**
 * @brief Protect an APDU with the global unicast key for sending (push):
 *        general-glo-ciphering (0xDB) with the server system title and the
 *        next server invocation counter.
 * @param sc security control byte 0x10, 0x20 or 0x30 (suite 0).
 * @return MTR_OK; MTR_ERR_INVAL (bad @p sc); MTR_ERR_FULL; MTR_ERR_NOTSUP (no crypto);
 *         MTR_ERR_OVERFLOW (counter exhausted).
 */
mtr_err_t mtr_dlms_protect(const struct mtr_hal *hal, struct mtr_dlms_security *sec, uint8_t sc,
                           const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* METER_DLMS_H */
