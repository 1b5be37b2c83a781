/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file image.h
 * @brief Firmware image transfer: the state machine of the COSEM image
 *        transfer object (interface class 18, Blue Book 4.4.6; ST402
 *        0-0:44.0.0.255, seed section 11.3), independent of any codec.
 *
 * The client initiates a transfer (identifier, size), sends the image in
 * blocks of @c block_size bytes in any order, asks for verification and
 * then for activation. Blocks go to an image store owned by the application
 * (hooks of ::mtr_image_config: usually a second flash bank or an external
 * flash, never the store engine's NVM region); verification reads the image
 * back from the store, so what is activated is what was checked.
 *
 * ## Image format
 *
 * An image is a 160-byte header followed by the payload (the firmware as
 * the application's boot loader installs it). Integers are big-endian.
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 4 | magic "LMFW" |
 * | 4 | 1 | header version, 1 |
 * | 5 | 1 | scheme: 1 = GMAC (AES-128-GCM with the firmware key), 2 = ECDSA P-256 |
 * | 6 | 2 | header length, 160 |
 * | 8 | 4 | payload length |
 * | 12 | 32 | meter type, ASCII, NUL-padded (compared with ::mtr_image_config.type) |
 * | 44 | 32 | SHA-256 of the payload |
 * | 76 | 12 | GMAC: initialisation vector; ECDSA: zeros |
 * | 88 | 8 | reserved, zeros |
 * | 96 | 64 | authenticator: GMAC tag (16 bytes, then zeros) or ECDSA r || s |
 *
 * The authenticator covers bytes 0..95 (which hold the payload digest):
 * GMAC = AES-128-GCM(key, IV, AAD = bytes 0..95, no plaintext), 16-byte tag;
 * ECDSA = signature over SHA-256(bytes 0..95) with the OEM's private key,
 * checked with the public key through the HAL's ecdsa_p256_verify.
 *
 * Verification (in this order): header well formed and its type equal to
 * the meter's, else event 240 "Firmware image incorrect type"; authenticator,
 * else 241 "Firmware image incorrect signature"; SHA-256 of the payload read
 * back from the store, else 51 "FW verification failed". Success raises 17
 * "Firmware ready for activation", activation 18 "Firmware activated"
 * (seed event-codes.csv, Table 9). A transfer started over another one
 * raises 204 "Image transfer aborted". On the optical port (@p local) the
 * "via optical port" codes 205, 242..246 are used instead.
 */
#ifndef METER_IMAGE_H
#define METER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/error.h"
#include "meter/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTR_IMAGE_HEADER   160u /**< bytes of the image header */
#define MTR_IMAGE_SIGNED   96u  /**< header bytes covered by the authenticator */
#define MTR_IMAGE_TYPE_LEN 32u  /**< bytes of the type field */
#define MTR_IMAGE_ID_MAX                                                                           \
    64u /**< longest image identifier (octet-string of image_transfer_initiate) */
#define MTR_IMAGE_SCHEME_GMAC  1u /**< header scheme: AES-128-GMAC with the firmware key */
#define MTR_IMAGE_SCHEME_ECDSA 2u /**< header scheme: ECDSA P-256 over SHA-256 */

/** image_transfer_status (Blue Book class 18, attribute 6). */
enum mtr_image_status {
    MTR_IMAGE_NOT_INITIATED = 0,
    MTR_IMAGE_TRANSFER_INITIATED = 1,
    MTR_IMAGE_VERIFY_INITIATED = 2,
    MTR_IMAGE_VERIFY_OK = 3,
    MTR_IMAGE_VERIFY_FAILED = 4,
    MTR_IMAGE_ACTIVATE_INITIATED = 5,
    MTR_IMAGE_ACTIVATE_OK = 6,
    MTR_IMAGE_ACTIVATE_FAILED = 7,
};

/** Firmware event codes (seed event-codes.csv, Table 9). */
#define MTR_IMAGE_EV_READY             17u  /**< "Firmware ready for activation" */
#define MTR_IMAGE_EV_ACTIVATED         18u  /**< "Firmware activated" */
#define MTR_IMAGE_EV_VERIFY_FAILED     51u  /**< "FW verification failed" */
#define MTR_IMAGE_EV_ABORTED           204u /**< "Image transfer aborted" */
#define MTR_IMAGE_EV_ABORTED_OPT       205u /**< "Image transfer aborted via optical port" */
#define MTR_IMAGE_EV_WRONG_TYPE        240u /**< "Firmware image incorrect type" */
#define MTR_IMAGE_EV_BAD_SIGNATURE     241u /**< "Firmware image incorrect signature" */
#define MTR_IMAGE_EV_READY_OPT         242u /**< "Firmware ready for activation via optical port" */
#define MTR_IMAGE_EV_ACTIVATED_OPT     243u /**< "Firmware activated via optical port" */
#define MTR_IMAGE_EV_VERIFY_FAILED_OPT 244u /**< "FW verification failed via optical port" */
#define MTR_IMAGE_EV_WRONG_TYPE_OPT    245u /**< "Firmware image incorrect type via optical port" */
#define MTR_IMAGE_EV_BAD_SIGNATURE_OPT                                                             \
    246u /**< "Firmware image incorrect signature via optical port" */

/** The image to activate (image_to_activate_info), valid once verified. */
struct mtr_image_info {
    uint32_t size;            /**< bytes of the whole image (header included) */
    const uint8_t *id;        /**< image identifier given at initiation */
    uint8_t id_len;           /**< its bytes */
    const uint8_t *signature; /**< the header's authenticator (16 GMAC, 64 ECDSA) */
    uint8_t signature_len;    /**< its bytes */
    const uint8_t *digest;    /**< SHA-256 of the payload (32 bytes) */
};

/** Configuration. Pointed-to data must outlive the context. */
struct mtr_image_config {
    const struct mtr_hal
        *hal; /**< crypto: SHA-256 (required to verify), gcm_encrypt, ecdsa_p256_verify */
    uint32_t block_size; /**< image_block_size in bytes, 16..65535 */
    uint32_t capacity;   /**< largest image the store holds, bytes (>= MTR_IMAGE_HEADER + 1) */
    uint8_t *bitmap;     /**< RAM for image_transferred_blocks_status */
    size_t bitmap_size;  /**< its bytes: at least mtr_image_bitmap_bytes(capacity, block_size) */
    const uint8_t *type; /**< the meter type images must name (1..32 bytes) */
    uint8_t type_len;    /**< its bytes */
    const uint8_t *gmac_key;  /**< 16-byte firmware authentication key, NULL: GMAC images refused */
    const uint8_t *ecdsa_pub; /**< 64-byte P-256 public key X || Y, NULL: ECDSA images refused */
    /**
     * @brief Make the store ready for an image of @p size bytes (erase the
     *        bank). **Required.** @return MTR_OK or an error (transfer refused).
     */
    mtr_err_t (*prepare)(void *user, uint32_t size);
    /** @brief Write @p len bytes at @p offset of the image. **Required.** */
    mtr_err_t (*write)(void *user, uint32_t offset, const uint8_t *data, size_t len);
    /** @brief Read @p len bytes at @p offset of the image. **Required.** */
    mtr_err_t (*read)(void *user, uint32_t offset, uint8_t *data, size_t len);
    /**
     * @brief Activate the verified image (mark the bank bootable; a boot
     *        loader may then reset the MCU). **Required.** A hook that does
     *        not return (reset) leaves event 18 to be logged by the
     *        application at the next start.
     * @return MTR_OK (activated); an error: activation failed.
     */
    mtr_err_t (*activate)(void *user, const struct mtr_image_info *info);
    /** @brief Firmware events (code, name exactly as in event-codes.csv). May be NULL. */
    void (*on_event)(void *user, uint16_t code, const char *name);
    void *user; /**< for the hooks */
};

/** The engine's context (caller-allocated, fields private). */
struct mtr_image {
    const struct mtr_image_config *cfg;
    struct mtr_sha256_state sha; /* verification */
    uint32_t size;               /* image size of the transfer */
    uint32_t blocks;             /* its blocks */
    uint32_t received;           /* blocks transferred */
    uint32_t first_missing;      /* image_first_not_transferred_block_number */
    uint8_t status;              /* ::mtr_image_status */
    bool disabled;               /* image_transfer_enabled == false */
    uint8_t id_len;
    uint8_t sig_len;
    uint8_t id[MTR_IMAGE_ID_MAX];
    uint8_t sig[64];
    uint8_t digest[32];
};

/** @brief Bytes of bitmap for @p capacity and @p block_size (0 if block_size is 0). */
size_t mtr_image_bitmap_bytes(uint32_t capacity, uint32_t block_size);

/**
 * @brief Prepare @p img: no transfer, transfer enabled.
 * @return MTR_OK; MTR_ERR_CONFIG (block size outside 16..65535, capacity
 *         below MTR_IMAGE_HEADER + 1, bitmap too small, type of 0 or more
 *         than 32 bytes, a required hook missing).
 */
mtr_err_t mtr_image_init(struct mtr_image *img, const struct mtr_image_config *cfg);

/**
 * @brief image_transfer_initiate: start a transfer of @p size bytes named
 *        @p id. The same identifier and size while a transfer is going on
 *        resumes it (blocks kept, nothing changes). Another one aborts the
 *        transfer in progress (event 204/205) and starts afresh.
 * @param local the request came over the optical port (event codes).
 * @return MTR_OK; MTR_ERR_DLMS_DENIED (transfer disabled); MTR_ERR_RANGE
 *         (@p size of 0, above the capacity or not above the header, @p id
 *         of 0 or more than MTR_IMAGE_ID_MAX bytes); the error of the
 *         prepare hook. Nothing changes on error.
 */
mtr_err_t mtr_image_initiate(struct mtr_image *img, const uint8_t *id, size_t id_len, uint32_t size,
                             bool local);

/**
 * @brief image_block_transfer: block @p n (0-based) of @c block_size bytes
 *        (the last one: what is left of the image). A block already
 *        transferred is acknowledged and not written again.
 * @return MTR_OK; MTR_ERR_DLMS_DENIED (disabled); MTR_ERR_STATE (no transfer
 *         initiated); MTR_ERR_RANGE (@p n past the last block, @p len not
 *         the block's size); the error of the write hook. Nothing changes on error.
 */
mtr_err_t mtr_image_block(struct mtr_image *img, uint32_t n, const uint8_t *data, size_t len);

/**
 * @brief image_verify: check the image in the store (see the file comment).
 * @return MTR_OK (status 3, event 17/242); MTR_ERR_AUTH (status 4 and
 *         event 240/245, 241/246 or 51/244 raised); MTR_ERR_DLMS_DENIED
 *         (disabled); MTR_ERR_STATE (no transfer, or blocks missing:
 *         nothing changes); MTR_ERR_NOTSUP (no SHA-256 op: nothing
 *         changes); MTR_ERR_IO and the read hook's errors (status 4, no event).
 *         Verifying a verified image again answers MTR_OK without events.
 */
mtr_err_t mtr_image_verify(struct mtr_image *img, bool local);

/**
 * @brief image_activate: activate the verified image through the hook.
 * @return MTR_OK (status 6, event 18/243); MTR_ERR_DLMS_DENIED (disabled);
 *         MTR_ERR_STATE (not verified: nothing changes); the hook's error
 *         (status 7, no event).
 */
mtr_err_t mtr_image_activate(struct mtr_image *img, bool local);

/**
 * @brief Set image_transfer_enabled. Disabling aborts a transfer in
 *        progress (status 1; event 204/205) and clears it.
 */
void mtr_image_enable(struct mtr_image *img, bool enabled, bool local);

/** @brief image_transfer_enabled. */
bool mtr_image_enabled(const struct mtr_image *img);
/** @brief image_transfer_status (::mtr_image_status). */
uint8_t mtr_image_status(const struct mtr_image *img);
/** @brief image_first_not_transferred_block_number (the block count when all are in). */
uint32_t mtr_image_first_missing(const struct mtr_image *img);
/** @brief Blocks of the current transfer (0 when none) and the bitmap (bit n, MSB first, = block
 * n). */
uint32_t mtr_image_blocks(const struct mtr_image *img, const uint8_t **bitmap);
/** @brief image_block_size (bytes). */
uint32_t mtr_image_block_size(const struct mtr_image *img);
/**
 * @brief image_to_activate_info once verified (status 3..7).
 * @return true and @p info filled; false when there is nothing to activate.
 */
bool mtr_image_to_activate(const struct mtr_image *img, struct mtr_image_info *info);
/** @brief sizeof(struct mtr_image), for bindings. */
size_t mtr_image_size(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_IMAGE_H */
