/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Firmware image transfer (COSEM interface class 18, Blue Book 4.4.6): the
 * transfer state machine, the image store hooks and the verification of a
 * signed image (format in meter/image.h). No A-XDR here: the object table
 * decodes the method parameters and calls these functions.
 */
#include <string.h>

#include "meter/image.h"
#include "meter/meter.h"

/* Event names exactly as in the seed's event-codes.csv (Table 9). */
static const char *event_name(uint16_t code)
{
    switch (code) {
    case MTR_IMAGE_EV_READY:
        return "Firmware ready for activation";
    case MTR_IMAGE_EV_ACTIVATED:
        return "Firmware activated";
    case MTR_IMAGE_EV_VERIFY_FAILED:
        return "FW verification failed";
    case MTR_IMAGE_EV_ABORTED:
        return "Image transfer aborted";
    case MTR_IMAGE_EV_ABORTED_OPT:
        return "Image transfer aborted via optical port";
    case MTR_IMAGE_EV_WRONG_TYPE:
        return "Firmware image incorrect type";
    case MTR_IMAGE_EV_BAD_SIGNATURE:
        return "Firmware image incorrect signature";
    case MTR_IMAGE_EV_READY_OPT:
        return "Firmware ready for activation via optical port";
    case MTR_IMAGE_EV_ACTIVATED_OPT:
        return "Firmware activated via optical port";
    case MTR_IMAGE_EV_VERIFY_FAILED_OPT:
        return "FW verification failed via optical port";
    case MTR_IMAGE_EV_WRONG_TYPE_OPT:
        return "Firmware image incorrect type via optical port";
    default:
        return "Firmware image incorrect signature via optical port";
    }
}

/* Raise the remote event @p code, or its optical-port twin. */
static void raise(const struct mtr_image *img, uint16_t code, bool local)
{
    if (local) {
        switch (code) {
        case MTR_IMAGE_EV_READY:
            code = MTR_IMAGE_EV_READY_OPT;
            break;
        case MTR_IMAGE_EV_ACTIVATED:
            code = MTR_IMAGE_EV_ACTIVATED_OPT;
            break;
        case MTR_IMAGE_EV_VERIFY_FAILED:
            code = MTR_IMAGE_EV_VERIFY_FAILED_OPT;
            break;
        case MTR_IMAGE_EV_ABORTED:
            code = MTR_IMAGE_EV_ABORTED_OPT;
            break;
        case MTR_IMAGE_EV_WRONG_TYPE:
            code = MTR_IMAGE_EV_WRONG_TYPE_OPT;
            break;
        default:
            code = MTR_IMAGE_EV_BAD_SIGNATURE_OPT;
            break;
        }
    }
    if (img->cfg->on_event != NULL)
        img->cfg->on_event(img->cfg->user, code, event_name(code));
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t mtr_image_bitmap_bytes(uint32_t capacity, uint32_t block_size)
{
    uint32_t blocks;

    if (block_size == 0)
        return 0;
    blocks = capacity / block_size + (capacity % block_size != 0);
    return (size_t)blocks / 8u + (blocks % 8u != 0);
}

size_t mtr_image_size(void)
{
    return sizeof(struct mtr_image);
}

mtr_err_t mtr_image_init(struct mtr_image *img, const struct mtr_image_config *cfg)
{
    MTR_ASSERT(img != NULL && cfg != NULL);
    if (cfg->block_size < 16 || cfg->block_size > 65535 || cfg->capacity < MTR_IMAGE_HEADER + 1u ||
        cfg->bitmap == NULL ||
        cfg->bitmap_size < mtr_image_bitmap_bytes(cfg->capacity, cfg->block_size) ||
        cfg->type == NULL || cfg->type_len == 0 || cfg->type_len > MTR_IMAGE_TYPE_LEN ||
        cfg->prepare == NULL || cfg->write == NULL || cfg->read == NULL || cfg->activate == NULL)
        return MTR_ERR_CONFIG;
    memset(img, 0, sizeof *img);
    memset(cfg->bitmap, 0, mtr_image_bitmap_bytes(cfg->capacity, cfg->block_size));
    img->cfg = cfg;
    return MTR_OK;
}

static bool bit(const struct mtr_image *img, uint32_t n)
{
    return (img->cfg->bitmap[n / 8u] >> (7u - n % 8u)) & 1u;
}

/* Forget the transfer (status 0). */
static void clear(struct mtr_image *img)
{
    memset(img->cfg->bitmap, 0, mtr_image_bitmap_bytes(img->size, img->cfg->block_size));
    img->size = 0;
    img->blocks = 0;
    img->received = 0;
    img->first_missing = 0;
    img->status = MTR_IMAGE_NOT_INITIATED;
    img->id_len = 0;
    img->sig_len = 0;
}

mtr_err_t mtr_image_initiate(struct mtr_image *img, const uint8_t *id, size_t id_len, uint32_t size,
                             bool local)
{
    mtr_err_t err;

    MTR_ASSERT(img != NULL && img->cfg != NULL && (id != NULL || id_len == 0));
    if (img->disabled)
        return MTR_ERR_DLMS_DENIED;
    if (size <= MTR_IMAGE_HEADER || size > img->cfg->capacity || id_len == 0 ||
        id_len > MTR_IMAGE_ID_MAX)
        return MTR_ERR_RANGE;
    if (img->status == MTR_IMAGE_TRANSFER_INITIATED && img->size == size && img->id_len == id_len &&
        memcmp(img->id, id, id_len) == 0)
        return MTR_OK; /* resume: the blocks already in are kept */
    err = img->cfg->prepare(img->cfg->user, size);
    if (err != MTR_OK)
        return err;
    if (img->status == MTR_IMAGE_TRANSFER_INITIATED)
        raise(img, MTR_IMAGE_EV_ABORTED, local); /* a transfer over one in progress */
    clear(img);
    img->size = size;
    img->blocks = size / img->cfg->block_size + (size % img->cfg->block_size != 0);
    img->id_len = (uint8_t)id_len;
    memcpy(img->id, id, id_len);
    img->status = MTR_IMAGE_TRANSFER_INITIATED;
    return MTR_OK;
}

mtr_err_t mtr_image_block(struct mtr_image *img, uint32_t n, const uint8_t *data, size_t len)
{
    uint32_t want;
    mtr_err_t err;

    MTR_ASSERT(img != NULL && img->cfg != NULL && (data != NULL || len == 0));
    if (img->disabled)
        return MTR_ERR_DLMS_DENIED;
    if (img->status != MTR_IMAGE_TRANSFER_INITIATED)
        return MTR_ERR_STATE;
    if (n >= img->blocks)
        return MTR_ERR_RANGE;
    want = n + 1u < img->blocks ? img->cfg->block_size : img->size - n * img->cfg->block_size;
    if (len != want)
        return MTR_ERR_RANGE;
    if (bit(img, n))
        return MTR_OK;
    err = img->cfg->write(img->cfg->user, n * img->cfg->block_size, data, len);
    if (err != MTR_OK)
        return err;
    img->cfg->bitmap[n / 8u] |= (uint8_t)(0x80u >> (n % 8u));
    img->received++;
    while (img->first_missing < img->blocks && bit(img, img->first_missing))
        img->first_missing++;
    return MTR_OK;
}

/* SHA-256 of @p len bytes at @p data into @p out. */
static mtr_err_t sha(const struct mtr_image *img, struct mtr_sha256_state *st, const uint8_t *data,
                     size_t len, uint8_t out[32])
{
    const struct mtr_hal *hal = img->cfg->hal;
    mtr_err_t err = hal->crypto->sha256_start(hal->ctx, st);

    if (err == MTR_OK)
        err = hal->crypto->sha256_update(hal->ctx, st, data, len);
    if (err == MTR_OK)
        err = hal->crypto->sha256_finish(hal->ctx, st, out);
    return err;
}

/* The header names an image of this meter's type, in a format we know. */
static bool header_ok(const struct mtr_image *img, const uint8_t *h)
{
    const struct mtr_image_config *cfg = img->cfg;

    if (memcmp(h, "LMFW", 4) != 0 || h[4] != 1 ||
        (h[5] != MTR_IMAGE_SCHEME_GMAC && h[5] != MTR_IMAGE_SCHEME_ECDSA) ||
        ((uint32_t)h[6] << 8 | h[7]) != MTR_IMAGE_HEADER ||
        be32(h + 8) != img->size - MTR_IMAGE_HEADER)
        return false;
    for (unsigned k = 88; k < MTR_IMAGE_SIGNED; k++)
        if (h[k] != 0)
            return false;
    if (memcmp(h + 12, cfg->type, cfg->type_len) != 0)
        return false;
    for (unsigned k = cfg->type_len; k < MTR_IMAGE_TYPE_LEN; k++)
        if (h[12 + k] != 0)
            return false;
    return true;
}

/* Authenticator of the signed header bytes (constant-time compare for GMAC). */
static bool auth_ok(struct mtr_image *img, const uint8_t *h)
{
    const struct mtr_image_config *cfg = img->cfg;
    const struct mtr_crypto_ops *c = cfg->hal->crypto;
    const uint8_t *auth = h + MTR_IMAGE_SIGNED;
    uint8_t t[32];
    uint8_t diff = 0;

    if (h[5] == MTR_IMAGE_SCHEME_GMAC) {
        if (cfg->gmac_key == NULL || c->gcm_encrypt == NULL ||
            c->gcm_encrypt(cfg->hal->ctx, cfg->gmac_key, h + 76, 12, h, MTR_IMAGE_SIGNED, h, 0,
                           t + 16, t, 16) != MTR_OK)
            return false;
        for (unsigned k = 0; k < 16; k++)
            diff |= (uint8_t)(t[k] ^ auth[k]);
        for (unsigned k = 16; k < 64; k++)
            diff |= auth[k];
        return diff == 0;
    }
    if (cfg->ecdsa_pub == NULL || c->ecdsa_p256_verify == NULL ||
        sha(img, &img->sha, h, MTR_IMAGE_SIGNED, t) != MTR_OK)
        return false;
    return c->ecdsa_p256_verify(cfg->hal->ctx, cfg->ecdsa_pub, t, auth) == MTR_OK;
}

/* SHA-256 of the payload read back from the store. */
static mtr_err_t payload_digest(struct mtr_image *img, uint8_t out[32])
{
    const struct mtr_hal *hal = img->cfg->hal;
    uint8_t chunk[64];
    mtr_err_t err = hal->crypto->sha256_start(hal->ctx, &img->sha);

    for (uint32_t off = MTR_IMAGE_HEADER; err == MTR_OK && off < img->size;) {
        size_t n = img->size - off < sizeof chunk ? img->size - off : sizeof chunk;
        err = img->cfg->read(img->cfg->user, off, chunk, n);
        if (err == MTR_OK)
            err = hal->crypto->sha256_update(hal->ctx, &img->sha, chunk, n);
        off += (uint32_t)n;
    }
    if (err == MTR_OK)
        err = hal->crypto->sha256_finish(hal->ctx, &img->sha, out);
    return err;
}

mtr_err_t mtr_image_verify(struct mtr_image *img, bool local)
{
    const struct mtr_hal *hal;
    uint8_t h[MTR_IMAGE_HEADER];
    uint8_t d[32];
    mtr_err_t err;

    MTR_ASSERT(img != NULL && img->cfg != NULL);
    hal = img->cfg->hal;
    if (img->disabled)
        return MTR_ERR_DLMS_DENIED;
    if (img->status == MTR_IMAGE_VERIFY_OK)
        return MTR_OK;
    if ((img->status != MTR_IMAGE_TRANSFER_INITIATED && img->status != MTR_IMAGE_VERIFY_FAILED) ||
        img->received != img->blocks)
        return MTR_ERR_STATE;
    if (hal == NULL || hal->crypto == NULL || hal->crypto->sha256_start == NULL ||
        hal->crypto->sha256_update == NULL || hal->crypto->sha256_finish == NULL)
        return MTR_ERR_NOTSUP;
    img->status = MTR_IMAGE_VERIFY_INITIATED;
    err = img->cfg->read(img->cfg->user, 0, h, sizeof h);
    if (err == MTR_OK && !header_ok(img, h)) {
        raise(img, MTR_IMAGE_EV_WRONG_TYPE, local);
        err = MTR_ERR_AUTH;
    } else if (err == MTR_OK && !auth_ok(img, h)) {
        raise(img, MTR_IMAGE_EV_BAD_SIGNATURE, local);
        err = MTR_ERR_AUTH;
    } else if (err == MTR_OK) {
        err = payload_digest(img, d);
        if (err == MTR_OK && memcmp(d, h + 44, 32) != 0) {
            raise(img, MTR_IMAGE_EV_VERIFY_FAILED, local);
            err = MTR_ERR_AUTH;
        }
    }
    if (err != MTR_OK) {
        img->status = MTR_IMAGE_VERIFY_FAILED;
        return err;
    }
    memcpy(img->digest, d, 32);
    img->sig_len = h[5] == MTR_IMAGE_SCHEME_GMAC ? 16u : 64u;
    memcpy(img->sig, h + MTR_IMAGE_SIGNED, img->sig_len);
    img->status = MTR_IMAGE_VERIFY_OK;
    raise(img, MTR_IMAGE_EV_READY, local);
    return MTR_OK;
}

bool mtr_image_to_activate(const struct mtr_image *img, struct mtr_image_info *info)
{
    MTR_ASSERT(img != NULL && info != NULL);
    if (img->status < MTR_IMAGE_VERIFY_OK || img->status == MTR_IMAGE_VERIFY_FAILED)
        return false;
    info->size = img->size;
    info->id = img->id;
    info->id_len = img->id_len;
    info->signature = img->sig;
    info->signature_len = img->sig_len;
    info->digest = img->digest;
    return true;
}

mtr_err_t mtr_image_activate(struct mtr_image *img, bool local)
{
    struct mtr_image_info info;
    mtr_err_t err;

    MTR_ASSERT(img != NULL && img->cfg != NULL);
    if (img->disabled)
        return MTR_ERR_DLMS_DENIED;
    if (img->status != MTR_IMAGE_VERIFY_OK && img->status != MTR_IMAGE_ACTIVATE_FAILED)
        return MTR_ERR_STATE;
    (void)mtr_image_to_activate(img, &info);
    img->status = MTR_IMAGE_ACTIVATE_INITIATED;
    err = img->cfg->activate(img->cfg->user, &info);
    if (err != MTR_OK) {
        img->status = MTR_IMAGE_ACTIVATE_FAILED;
        return err;
    }
    img->status = MTR_IMAGE_ACTIVATE_OK;
    raise(img, MTR_IMAGE_EV_ACTIVATED, local);
    return MTR_OK;
}

void mtr_image_enable(struct mtr_image *img, bool enabled, bool local)
{
    MTR_ASSERT(img != NULL && img->cfg != NULL);
    if (!enabled && !img->disabled && img->status == MTR_IMAGE_TRANSFER_INITIATED) {
        raise(img, MTR_IMAGE_EV_ABORTED, local);
        clear(img);
    }
    img->disabled = !enabled;
}

bool mtr_image_enabled(const struct mtr_image *img)
{
    MTR_ASSERT(img != NULL);
    return !img->disabled;
}

uint8_t mtr_image_status(const struct mtr_image *img)
{
    MTR_ASSERT(img != NULL);
    return img->status;
}

uint32_t mtr_image_first_missing(const struct mtr_image *img)
{
    MTR_ASSERT(img != NULL);
    return img->first_missing;
}

uint32_t mtr_image_blocks(const struct mtr_image *img, const uint8_t **bitmap)
{
    MTR_ASSERT(img != NULL && img->cfg != NULL && bitmap != NULL);
    *bitmap = img->cfg->bitmap;
    return img->blocks;
}

uint32_t mtr_image_block_size(const struct mtr_image *img)
{
    MTR_ASSERT(img != NULL && img->cfg != NULL);
    return img->cfg->block_size;
}
