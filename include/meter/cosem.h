/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file cosem.h
 * @brief The COSEM object table: every engine of the meter bound to its COSEM
 *        objects (IEC 62056-6-2 interface classes, OBIS codes of the seed's
 *        obis-objects.csv) and served by the DLMS server (meter/dlms.h).
 *
 * The table is one `const` array of ::mtr_dlms_obj (mtr_cosem_table()). Its
 * callbacks reach the engines through the ::mtr_cosem context, which the
 * DLMS server hands them as its `cfg.user`: set `server_cfg.objects` /
 * `nobjects` from mtr_cosem_table() and `server_cfg.user = &cosem`.
 *
 * Attributes are read and written only through the engines' public
 * functions; a write is validated by the engine that owns the data (a value
 * it refuses changes nothing and is answered with the matching
 * data-access-result) and persisted by the aggregate's commit rules.
 *
 * Access rights are given per role (::mtr_cosem_role), the access-rights
 * profile of an association (::mtr_dlms_assoc_cfg.profile); the build needs
 * MTR_CFG_DLMS_PROFILES >= MTR_COSEM_ROLES. The objects, their classes and
 * the rights of each role are listed in docs/objects.md (generated from the
 * table); the model and its decisions in docs/cosem.md.
 *
 * Values keep the engines' integer units on the wire with a scaler (energy:
 * mWh as long64-unsigned with scaler -3, exact). Errors of a callback become
 * data-access-results: a value of the wrong type type-unmatched, a value the
 * engine refuses other-reason (nothing changed), an engine that is not wired
 * object-unavailable.
 */
#ifndef METER_COSEM_H
#define METER_COSEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/clock.h"
#include "meter/config.h"
#include "meter/dlms.h"
#include "meter/error.h"
#include "meter/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtr_meter;

/**
 * Client roles of the seed (security.json, "client roles"): the value is
 * the access-rights profile index of an association.
 */
enum mtr_cosem_role {
    MTR_COSEM_ROLE_PUBLIC = 0,     /**< read basic parameters only (client SAP 16) */
    MTR_COSEM_ROLE_MANAGEMENT = 1, /**< read/write most objects, firmware update (SAP 1) */
    MTR_COSEM_ROLE_LEVEL1 = 2,     /**< read all; set the time */
    MTR_COSEM_ROLE_LEVEL2 = 3,     /**< read all; set the time and TOU */
    MTR_COSEM_ROLE_LEVEL3 = 4,     /**< read all; set TOU, time and other settings locally */
    MTR_COSEM_ROLE_PRE_ESTABLISHED = 5, /**< broadcast only (SAP 102) */
    MTR_COSEM_ROLES = 6, /**< number of roles (access-rights profiles the table uses) */
};

/* --- system objects (push, image transfer, communication) --- */
#include "meter/image.h"

/**
 * Push setups of the table (class 40 version 0, seed st402-comms.json
 * "push", sections 4.1.2 and 5.8): the index of a push in
 * ::mtr_cosem_config.push and in the push_send hook.
 */
enum mtr_cosem_push_index {
    MTR_COSEM_PUSH_CONNECTIVITY = 0, /**< 0-0:25.9.0.255 "On Connectivity" (modem attached) */
    MTR_COSEM_PUSH_INTERVAL_1 = 1,   /**< 0-1:25.9.0.255, scheduler 0-1:15.0.4.255 */
    MTR_COSEM_PUSH_INTERVAL_2 = 2,   /**< 0-2:25.9.0.255, scheduler 0-2:15.0.4.255 */
    MTR_COSEM_PUSH_INTERVAL_3 = 3,   /**< 0-3:25.9.0.255, scheduler 0-3:15.0.4.255 */
    MTR_COSEM_PUSH_ALARM = 4,        /**< 0-4:25.9.0.255 "On Alarm" */
    MTR_COSEM_PUSH_INSTALLATION = 5, /**< 0-7:25.9.0.255 "On Installation" */
    MTR_COSEM_PUSHES = 6,
};

/** Push action schedulers (class 22): scheduler n fires push MTR_COSEM_PUSH_INTERVAL_1 + n. */
#define MTR_COSEM_SCHEDULERS 3

/**
 * The push script table (class 9, 0-0:10.0.108.255, IDIS): script n runs
 * method 1 (push) of push setup 0-n:25.9.0.255, for n = 1, 2, 3 (intervals,
 * the executed_script of scheduler n - 1), 4 (on alarm: the script of the
 * alarm monitors) and 7 (on installation). Script 0 is the null script
 * (Blue Book); the on-connectivity push 0-0:25.9.0.255 has no script.
 */
#define MTR_COSEM_PUSH_SCRIPT_TABLE {0, 0, 10, 0, 108, 255}
/** Script of the push script table that runs the "On Alarm" push 0-4:25.9.0.255. */
#define MTR_COSEM_PUSH_SCRIPT_ALARM 4u

/** transport_service of send_destination_and_method (Blue Book class 40). */
enum mtr_cosem_transport {
    MTR_COSEM_TRANSPORT_TCP = 0,
    MTR_COSEM_TRANSPORT_UDP = 1,
    MTR_COSEM_TRANSPORT_FTP = 2,
    MTR_COSEM_TRANSPORT_SMTP = 3,
    MTR_COSEM_TRANSPORT_SMS = 4,
    MTR_COSEM_TRANSPORT_HDLC = 5,
    MTR_COSEM_TRANSPORT_MBUS = 6,
    MTR_COSEM_TRANSPORT_ZIGBEE = 7,
};

/** One capture_object_definition of a push_object_list. */
struct mtr_cosem_capture {
    uint16_t class_id;   /**< class of the object (must match the table) */
    uint8_t obis[6];     /**< its logical name */
    int8_t attr;         /**< attribute_index, >= 1 (0, whole object, is not supported) */
    uint16_t data_index; /**< 0 (the whole attribute; element selection is not supported) */
};

/**
 * One push setup: its attributes, in RAM owned by the application (which
 * fills the defaults and restores saved values before use). The table
 * writes them after validating a SET and then calls ::mtr_cosem_config.changed.
 */
struct mtr_cosem_push_setup {
    struct mtr_cosem_capture *objects; /**< push_object_list (attribute 2), @c objects_cap entries */
    uint8_t nobjects;                  /**< entries in use */
    uint8_t objects_cap;               /**< entries of @c objects */
    uint8_t transport;                 /**< ::mtr_cosem_transport (attribute 3) */
    uint8_t message;                   /**< message_type: 0 = A-XDR encoded xDLMS APDU (the only one sent) */
    uint8_t *dest;                     /**< destination, e.g. "129.0.2.21:4059" (seed), @c dest_cap bytes */
    uint8_t dest_len;                  /**< bytes in use */
    uint8_t dest_cap;                  /**< bytes of @c dest */
    uint8_t (*windows)[24];            /**< communication_window (attribute 4): start || end date-times */
    uint8_t nwindows;                  /**< windows in use (0: always open) */
    uint8_t windows_cap;               /**< entries of @c windows */
    uint16_t randomisation_s;          /**< randomisation_start_interval (attribute 5), seconds */
    uint8_t retries;                   /**< number_of_retries (attribute 6) */
    uint16_t repetition_s;             /**< repetition_delay (attribute 7), seconds */
};

/** execution_time of a push action scheduler: entries of time (4) || date (5), local time. */
struct mtr_cosem_schedule {
    uint8_t (*times)[9]; /**< time octet-string (4 bytes) then date (5 bytes), wildcards 0xFF */
    uint8_t ntimes;      /**< entries in use */
    uint8_t times_cap;   /**< entries of @c times */
};

/** TCP-UDP setup (class 41, 0-0:25.0.0.255). */
struct mtr_cosem_tcp {
    uint16_t port;         /**< TCP-UDP_port, 1..65535 (seed default 4059) */
    uint8_t ip_ref[6];     /**< IP_reference: logical name of the IPv4 setup (0-0:25.1.0.255) */
    uint16_t mss;          /**< maximum segment size, 40..65535 (default 576) */
    uint8_t nb_sim_conn;   /**< simultaneous connections, 1..255 */
    uint16_t inactivity_s; /**< inactivity_time_out, seconds, 0 = none (default 180, seed Table 6) */
};

/** IEC HDLC setup (class 23 version 1, 0-1:22.0.0.255, RS-485). */
struct mtr_cosem_hdlc {
    uint8_t speed;           /**< comm_speed enum 0..9 (300..115200 bit/s; 5 = 9600) */
    uint8_t window_tx;       /**< window_size_transmit, 1..7 */
    uint8_t window_rx;       /**< window_size_receive, 1..7 */
    uint16_t max_info_tx;    /**< max_info_field_length_transmit, 32..2030 */
    uint16_t max_info_rx;    /**< max_info_field_length_receive, 32..2030 */
    uint16_t inter_octet_ms; /**< inter_octet_time_out, 20..6000 ms */
    uint16_t inactivity_s;   /**< inactivity_time_out, seconds, 0 = none */
    uint16_t address;        /**< device_address, 0x10..0x3FFD (seed RS-485: 17..116) */
};

/** Longest IEC 62056-21 password of the local port setup (attributes 7..9), bytes. */
#define MTR_COSEM_LOCAL_PASS_MAX 16u

/** IEC local port setup (class 19 version 1, 0-0:20.0.0.255, optical port). */
struct mtr_cosem_local_port {
    uint8_t mode;          /**< default_mode: 0 IEC 62056-21, 1 HDLC (seed: DLMS), 2 not specified */
    uint8_t default_baud;  /**< default_baud enum 0..9 (0 = 300 bit/s) */
    uint8_t prop_baud;     /**< prop_baud enum 0..9 (5 = 9600, seed optical port) */
    uint8_t response_time; /**< 0 = 20 ms, 1 = 200 ms */
    uint8_t addr_len;      /**< bytes of device_addr, 0..32 */
    uint8_t addr[32];      /**< device_addr (IEC 62056-21 device address) */
    /** bytes of pass_p1, pass_p2, pass_w5 (attributes 7, 8, 9), 0..MTR_COSEM_LOCAL_PASS_MAX */
    uint8_t pass_len[3];
    /** the IEC 62056-21 passwords P1, P2 and W5, for the application's IEC 62056-21
     *  mode (the core has none): write-only over DLMS, never read back */
    uint8_t pass[3][MTR_COSEM_LOCAL_PASS_MAX];
};

/** What a ::mtr_cosem_config.changed call is about. */
enum mtr_cosem_setting {
    MTR_COSEM_SETTING_TCP = 1,        /**< *tcp changed */
    MTR_COSEM_SETTING_HDLC = 2,       /**< *hdlc changed */
    MTR_COSEM_SETTING_LOCAL_PORT = 3, /**< *local_port changed */
    MTR_COSEM_SETTING_PUSH = 4,       /**< push[index] changed */
    MTR_COSEM_SETTING_SCHEDULE = 5,   /**< schedule[index] changed */
    MTR_COSEM_SETTING_IMAGE = 6,      /**< image_transfer_enabled changed */
};

/** Counters of one push setup. */
struct mtr_cosem_push_stats {
    uint32_t triggered; /**< pushes started (method, scheduler, alarm, API) */
    uint32_t sent;      /**< data-notifications the send hook accepted */
    uint32_t attempts;  /**< send attempts (first tries and retries) */
    uint32_t failed;    /**< pushes given up after their retries, or that could not be built */
};

/** Run-time state of one push (private). */
struct mtr_cosem_push_run {
    mtr_utc_t due;     /**< next attempt, UTC */
    uint8_t left;      /**< retries left */
    bool pending;      /**< a push waits for its attempt */
    struct mtr_cosem_push_stats st;
};

struct mtr_cosem;

/**
 * @brief Run the pushes: fire the push action schedulers whose execution
 *        time (local time = @p utc + @p offset_s) came since the last
 *        tick, once each however many occurrences were missed, and make
 *        the attempts that are due (randomisation, retries, communication
 *        windows). Call it every second or so from the main loop.
 * @param utc seconds since 1970 (UTC); a time that goes backwards re-plans
 *        the schedulers from it.
 * @param offset_s local time offset (time zone and DST), seconds.
 */
void mtr_cosem_tick(struct mtr_cosem *c, mtr_utc_t utc, int32_t offset_s);

/**
 * @brief Start push @p push (::mtr_cosem_push_index) as its method 1 does:
 *        after the randomisation delay, within a communication window. A
 *        push already pending is not started twice. The first attempt is
 *        made at once when it is due (at the time of the last tick).
 * @return MTR_OK; MTR_ERR_RANGE (no such push); MTR_ERR_NOTSUP (no push
 *         setups, push_send or push_buf configured).
 */
mtr_err_t mtr_cosem_push_trigger(struct mtr_cosem *c, uint8_t push);

/**
 * @brief An alarm was raised (the events engine's alarm hook, through the
 *        aggregate): start the "On Alarm" push 0-4:25.9.0.255, whose object
 *        list usually holds the alarm registers.
 * @return as mtr_cosem_push_trigger().
 */
mtr_err_t mtr_cosem_push_alarm(struct mtr_cosem *c);

/** @brief Counters of push @p push (zeros for an unknown index). */
void mtr_cosem_push_stats(const struct mtr_cosem *c, uint8_t push, struct mtr_cosem_push_stats *out);
/* --- end system objects --- */

/* --- meter data objects --- */
/** Longest token the token gateway takes and keeps (class 115): 20 STS digits with room for separators. */
#define MTR_COSEM_TOKEN_MAX 40u

/**
 * The last token entered through the token gateway 0-0:19.40.0.255 (class
 * 115 attributes 2..6), accepted or refused. Kept in RAM by the table (the
 * credit and the token's TID are persisted by the prepaid engine); private:
 * read it through the object.
 */
struct mtr_cosem_token {
    uint8_t digits[MTR_COSEM_TOKEN_MAX]; /**< token (attribute 2), the bytes as entered */
    uint8_t len;        /**< bytes of @c digits; 0: no token entered since mtr_cosem_init() */
    uint8_t delivery;   /**< token_delivery_method (attribute 5): enum mtr_prepaid_delivery */
    uint8_t status;     /**< status_code of token_status (attribute 6): enum mtr_prepaid_gw_status */
    uint8_t sts;        /**< the STS decoder's status (enum mtr_sts_status): data_value, description */
    mtr_utc_t time;     /**< token_time (attribute 3), UTC seconds; -1: not known */
};
/* --- end meter data objects --- */

/** Configuration of the object table's context. Pointed-to data must outlive it. */
struct mtr_cosem_config {
    const struct mtr_hal *hal;     /**< the board's HAL (crypto for image verification) */
    struct mtr_meter *meter;       /**< the aggregate; its engines are reached through it */
    struct mtr_dlms_security *sec; /**< security state of the server (may be NULL) */
    /* --- system configuration --- */
    uint16_t server_sap;          /**< SAP of the logical device (SAP assignment, partners id); 0 = 1 */
    const uint8_t *device_name;   /**< logical device name (SAP assignment), e.g. "MTR" + serial */
    uint8_t device_name_len;      /**< its bytes, 0..64 */
    const uint8_t *fw_version;    /**< 1-0:0.2.0.255 legally relevant version, e.g. "V030202" */
    uint8_t fw_version_len;       /**< its bytes */
    const uint8_t *fw_version_lnr; /**< 1-1:0.2.0.255 legally non-relevant version */
    uint8_t fw_version_lnr_len;   /**< its bytes */
    const uint8_t *fw_signature;  /**< 1-0:0.2.8.255 firmware signature (seed: 16 bytes; zeros while computed) */
    uint8_t fw_signature_len;     /**< its bytes */
    struct mtr_cosem_tcp *tcp;    /**< TCP-UDP setup values (NULL: object unavailable) */
    struct mtr_cosem_hdlc *hdlc;  /**< IEC HDLC setup values (NULL: unavailable) */
    struct mtr_cosem_local_port *local_port; /**< IEC local port setup values (NULL: unavailable) */
    struct mtr_cosem_push_setup *push;       /**< [MTR_COSEM_PUSHES] push setups (NULL: unavailable) */
    struct mtr_cosem_schedule *schedule;     /**< [MTR_COSEM_SCHEDULERS] push schedulers (NULL: none) */
    /** security policy of pushes (::mtr_dlms_policy): AUTH, ENC or AUTH_ENC protect each
     *  data-notification with general-glo-ciphering (needs sec and the HAL's GCM) */
    uint8_t push_policy;
    uint8_t *push_buf;            /**< RAM in which a push APDU is built */
    size_t push_buf_size;         /**< its bytes (body + 6, + 32 when protected) */
    struct mtr_image *image;      /**< image transfer engine, initialised by the application (NULL: none) */
    /**
     * Send one data-notification of push @p push (::mtr_cosem_push_index) to
     * the destination of @p setup. @return MTR_OK (sent); an error: the push
     * is tried again after repetition_delay while retries are left.
     */
    mtr_err_t (*push_send)(void *user, uint8_t push, const struct mtr_cosem_push_setup *setup,
                           const uint8_t *apdu, size_t len);
    /**
     * Change the LLS password of the current association (attribute 7 of
     * 0-0:40.0.0.255): the application stores it (its association table)
     * and persists it. @return MTR_OK, or an error (nothing changed). NULL: not writable.
     */
    mtr_err_t (*set_secret)(void *user, uint16_t client_sap, const uint8_t *secret, size_t len);
    /**
     * Raise the security policy (::mtr_dlms_policy) of entry @p entry of the
     * association table (security setup 0-0:43.0.0.255 method 1,
     * security_activate, called by an association of that entry): the
     * application writes it into its (writable) association table, which the
     * server reads at every request, and persists it. Only raises reach it.
     * @return MTR_OK, or an error (nothing changed). NULL: the method answers
     * object-unavailable.
     */
    mtr_err_t (*set_policy)(void *user, uint8_t entry, uint8_t policy);
    /** A setting was written (::mtr_cosem_setting, push/scheduler index): apply and persist it. May be NULL. */
    void (*changed)(void *user, uint8_t what, uint8_t index);
    /* --- end system configuration --- */
    void *user; /**< for the application hooks */
};

/**
 * The object table's run-time context (caller-allocated; fields private).
 * Its size is mostly the staged passive calendar (sizeof(struct mtr_tou),
 * about 4.7 KiB with the default calendar limits): see mtr_cosem_size().
 * One context serves every DLMS server of the meter.
 */
struct mtr_cosem {
    struct mtr_cosem_config cfg;
    /* --- meter data state --- */
    /** the passive activity calendar as written over DLMS (class 20
     *  attributes 7..10), kept here while its parts do not yet make a whole
     *  calendar; handed to the calendar engine as soon as they do */
    struct mtr_tou tou_stage;
    mtr_utc_t tou_stage_at; /**< activation time of tou_stage (MTR_CAL_NEVER: none) */
    bool tou_staged;        /**< tou_stage holds writes the calendar engine has not taken yet */
    struct mtr_cosem_token token; /**< the last token entered through the token gateway */
    /* --- end meter data state --- */
    /* --- system state --- */
    struct mtr_cosem_push_run push_run[MTR_COSEM_PUSHES]; /**< pushes in progress */
    mtr_utc_t sched_next[MTR_COSEM_SCHEDULERS]; /**< next local time each scheduler fires */
    uint8_t sched_known;   /**< bit n: sched_next[n] is computed */
    bool ticked;           /**< mtr_cosem_tick() was called */
    mtr_utc_t now;         /**< UTC of the last tick */
    int32_t offset;        /**< local time offset of the last tick, seconds */
    uint32_t push_iid;     /**< invoke id of the last data-notification */
    uint8_t sys_scratch[3][8]; /**< values served by view (conformance, titles, names) */
    /* --- end system state --- */
};

/**
 * @brief Prepare @p c (no passive calendar staged). Nothing is read or
 *        written on the engines. The meter must be initialised
 *        (mtr_meter_init()) before the first request is served.
 * @return MTR_OK; MTR_ERR_CONFIG (no meter).
 */
mtr_err_t mtr_cosem_init(struct mtr_cosem *c, const struct mtr_cosem_config *cfg);

/**
 * @brief The object table (const, the same for every meter built with the
 *        same engines). Objects whose engine is not wired in the meter
 *        answer object-unavailable.
 * @param[out] n entries.
 */
const struct mtr_dlms_obj *mtr_cosem_table(uint16_t *n);

/** @brief Name of object @p index of the table (docs/objects.md), NULL past the end. */
const char *mtr_cosem_object_name(uint16_t index);

/** @brief sizeof(struct mtr_cosem), for bindings. */
size_t mtr_cosem_size(void);

/** Longest firmware identifier served (1-0:0.2.0.255, 1-1:0.2.0.255), bytes. */
#define MTR_COSEM_FW_ID_MAX 64u

/**
 * @brief Serve other firmware identifiers (after an image was activated),
 *        keeping the rest of the context (staged calendar, pushes in
 *        progress, schedulers). The bytes must outlive @p c.
 * @param version legally relevant version (1-0:0.2.0.255), NULL with @p len 0: none
 * @param version_lnr legally non-relevant version (1-1:0.2.0.255), NULL with @p lnr_len 0: none
 * @return MTR_OK; MTR_ERR_RANGE (longer than MTR_COSEM_FW_ID_MAX, or a NULL
 *         identifier of non-zero length), nothing changed.
 */
mtr_err_t mtr_cosem_set_fw_version(struct mtr_cosem *c, const uint8_t *version, uint8_t len,
                                   const uint8_t *version_lnr, uint8_t lnr_len);

/**
 * @brief The legally relevant firmware version as the number that the
 *        firmware update log keeps (1-0:0.2.128.255, double_long_unsigned):
 *        "V" and 1..9 decimal digits read as a decimal number ("V030202" is
 *        30202, seed 11.2); a version of another form, or above 2^32 - 1, is 0.
 */
uint32_t mtr_cosem_fw_number(const uint8_t *version, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* METER_COSEM_H */
