/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fw-image: builds and checks the signed firmware images the image transfer
 * engine takes (format in meter/image.h and docs/firmware-update.md): a
 * 160-byte header, then the payload. GMAC (AES-128-GCM with the firmware
 * key over header bytes 0..95) or ECDSA P-256 over SHA-256(header bytes
 * 0..95), with mbedTLS. Host tool: libc and mbedTLS.
 *
 *   fw-image keygen
 *   fw-image build --type TYPE (--gmac-key KEY [--iv HEX] | --ecdsa-key KEY) PAYLOAD OUT
 *   fw-image check [--type TYPE] [--gmac-key KEY | --ecdsa-pub KEY] IMAGE
 *
 * KEY: hex, or @FILE holding the hex (keeps a secret off the command line).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/gcm.h>
#include <mbedtls/sha256.h>

#include "meter/image.h"

#define EXIT_BAD   1 /* check: the image does not pass */
#define EXIT_USAGE 2
#define EXIT_IO    3

static void usage(FILE *f)
{
    fprintf(
        f, "usage: fw-image COMMAND [options] ...\n"
           "Builds and checks signed firmware images for the image transfer object\n"
           "(0-0:44.0.0.255; format in docs/firmware-update.md).\n\n"
           "  keygen                        a new ECDSA P-256 key pair, printed as\n"
           "                                'private = HEX' (32 bytes) and 'public = HEX'\n"
           "                                (X || Y, 64 bytes: firmware_public_key of the meter)\n"
           "  build [options] PAYLOAD OUT   the image of PAYLOAD, written to OUT\n"
           "      --type TEXT               meter type (1..32 characters; the meter's image_type)\n"
           "      --gmac-key KEY            16-byte firmware key: a GMAC image (scheme 1)\n"
           "      --iv HEX                  its 12-byte initialisation vector (default: random)\n"
           "      --ecdsa-key KEY           32-byte P-256 private key: an ECDSA image (scheme 2)\n"
           "  check [options] IMAGE         print the header; check the format, the payload\n"
           "                                digest and, with a key, the authenticator\n"
           "      --type TEXT               the type the image must name\n"
           "      --gmac-key KEY            the firmware key of a GMAC image\n"
           "      --ecdsa-pub KEY           the public key (64 bytes, or 65 from 04) of an ECDSA "
           "image\n"
           "KEY: hex digits, or @FILE holding them.\n"
           "Exit status: 0 ok; 1 the image does not pass the check; 2 usage; 3 a file or\n"
           "random source error.\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "fw-image: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try --help)\n");
    return EXIT_USAGE;
}

/* ------------------------------------------------------------------ bytes and files */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex (spaces, ':' and a 0x prefix allowed) to at most @p cap bytes; the count or -1. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    while (*s != '\0') {
        if (isspace((unsigned char)*s) || *s == ':') {
            s++;
            continue;
        }
        int hi = hexval((unsigned char)s[0]);
        int lo = s[1] != '\0' ? hexval((unsigned char)s[1]) : -1;
        if (hi < 0 || lo < 0 || n >= cap) {
            return -1;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    return (long)n;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fw-image: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    uint8_t *b = malloc(cap);
    while (b != NULL) {
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            break;
        }
        if (n == cap) {
            uint8_t *nb = cap > (size_t)1 << 30 ? NULL : realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    if (b == NULL || ferror(f)) {
        fprintf(stderr, "fw-image: %s: %s\n", path, b == NULL ? "too large" : "read error");
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return b;
}

/* A key given as hex or @FILE: exactly @p n bytes (or @p alt bytes when alt != 0). */
static long parse_key(const char *arg, uint8_t *out, size_t n, size_t alt, const char *what)
{
    char text[512];
    const char *s = arg;
    if (arg[0] == '@') {
        size_t len = 0;
        uint8_t *b = read_file(arg + 1, &len);
        if (b == NULL) {
            return -1;
        }
        if (len >= sizeof text) {
            free(b);
            fprintf(stderr, "fw-image: %s: %s file too long\n", arg + 1, what);
            return -1;
        }
        memcpy(text, b, len);
        text[len] = '\0';
        free(b);
        s = text;
    }
    uint8_t tmp[128];
    long got = parse_hex(s, tmp, sizeof tmp);
    if (got != (long)n && (alt == 0 || got != (long)alt)) {
        fprintf(stderr, "fw-image: %s wants %zu bytes of hex%s\n", what, n,
                alt ? " (or the SEC 1 point from 04)" : "");
        return -1;
    }
    memcpy(out, tmp, (size_t)got);
    return got;
}

static int write_file(const char *path, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(a, 1, an, f) != an || fwrite(b, 1, bn, f) != bn) {
        fprintf(stderr, "fw-image: %s: %s\n", path, strerror(errno));
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "fw-image: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* mbedTLS random source: the host's /dev/urandom. */
static int urandom(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f != NULL ? fread(out, 1, len, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return got == len ? 0 : -1;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++) {
        printf("%02X", b[i]);
    }
    printf("\n");
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------------ crypto */

static int gmac_tag(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad,
                    uint8_t tag[16])
{
    mbedtls_gcm_context gcm;
    uint8_t none = 0;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0) {
        rc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, 0, iv, 12, aad, MTR_IMAGE_SIGNED,
                                       &none, &none, 16, tag);
    }
    mbedtls_gcm_free(&gcm);
    return rc;
}

/* The public point X || Y of the private key @p d. */
static int ecdsa_public(mbedtls_ecp_group *grp, const mbedtls_mpi *d, uint8_t pub[64])
{
    mbedtls_ecp_point q;
    uint8_t point[65];
    size_t olen = 0;
    mbedtls_ecp_point_init(&q);
    int rc = mbedtls_ecp_mul(grp, &q, d, &grp->G, urandom, NULL);
    if (rc == 0) {
        rc = mbedtls_ecp_point_write_binary(grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, point,
                                            sizeof point);
    }
    if (rc == 0 && olen == 65) {
        memcpy(pub, point + 1, 64);
    }
    mbedtls_ecp_point_free(&q);
    return rc == 0 && olen == 65 ? 0 : -1;
}

static int ecdsa_sign(const uint8_t priv[32], const uint8_t digest[32], uint8_t sig[64])
{
    mbedtls_ecp_group grp;
    mbedtls_mpi d, r, s;
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&d, priv, 32);
    }
    if (rc == 0) {
        rc = mbedtls_ecp_check_privkey(&grp, &d);
    }
    if (rc == 0) {
        rc = mbedtls_ecdsa_sign(&grp, &r, &s, &d, digest, 32, urandom, NULL);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&r, sig, 32);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&s, sig + 32, 32);
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_group_free(&grp);
    return rc;
}

/* 0 valid; 1 the signature does not match; -1 not a public key of P-256. */
static int ecdsa_verify(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64])
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    uint8_t point[65];
    int result = -1;
    point[0] = 0x04;
    memcpy(point + 1, pub, 64);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
        mbedtls_ecp_point_read_binary(&grp, &q, point, sizeof point) == 0 &&
        mbedtls_ecp_check_pubkey(&grp, &q) == 0) {
        result = 1;
        if (mbedtls_mpi_read_binary(&r, sig, 32) == 0 &&
            mbedtls_mpi_read_binary(&s, sig + 32, 32) == 0 &&
            mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s) == 0) {
            result = 0;
        }
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return result;
}

/* ------------------------------------------------------------------ commands */

static int cmd_keygen(void)
{
    mbedtls_ecp_group grp;
    mbedtls_mpi d;
    uint8_t priv[32], pub[64];
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&d);
    int rc = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    if (rc == 0) {
        rc = mbedtls_ecp_gen_privkey(&grp, &d, urandom, NULL);
    }
    if (rc == 0) {
        rc = mbedtls_mpi_write_binary(&d, priv, 32);
    }
    if (rc == 0) {
        rc = ecdsa_public(&grp, &d, pub);
    }
    mbedtls_mpi_free(&d);
    mbedtls_ecp_group_free(&grp);
    if (rc != 0) {
        fprintf(stderr, "fw-image: key generation failed (random source?)\n");
        return EXIT_IO;
    }
    print_hex("private = ", priv, 32);
    print_hex("public = ", pub, 64);
    memset(priv, 0, sizeof priv);
    return 0;
}

struct keys {
    const char *type;
    uint8_t gmac[16];
    bool has_gmac;
    uint8_t iv[12];
    bool has_iv;
    uint8_t ecdsa_priv[32];
    bool has_priv;
    uint8_t ecdsa_pub[64];
    bool has_pub;
};

static int cmd_build(const struct keys *k, const char *in, const char *out)
{
    uint8_t h[MTR_IMAGE_HEADER];
    size_t tlen = k->type != NULL ? strlen(k->type) : 0;
    if (tlen == 0 || tlen > MTR_IMAGE_TYPE_LEN) {
        return bad_usage("build wants --type of 1..32 characters%s", "");
    }
    if (k->has_gmac == k->has_priv) {
        return bad_usage("build wants one of --gmac-key and --ecdsa-key%s", "");
    }
    if (k->has_iv && !k->has_gmac) {
        return bad_usage("--iv goes with --gmac-key%s", "");
    }
    size_t n = 0;
    uint8_t *payload = read_file(in, &n);
    if (payload == NULL) {
        return EXIT_IO;
    }
    if (n == 0 || n > 0xFFFFFFFFu - MTR_IMAGE_HEADER) {
        fprintf(stderr, "fw-image: %s: the payload must hold 1 byte at least\n", in);
        free(payload);
        return EXIT_USAGE;
    }
    memset(h, 0, sizeof h);
    memcpy(h, "LMFW", 4);
    h[4] = 1;
    h[5] = k->has_gmac ? MTR_IMAGE_SCHEME_GMAC : MTR_IMAGE_SCHEME_ECDSA;
    h[6] = MTR_IMAGE_HEADER >> 8;
    h[7] = MTR_IMAGE_HEADER & 0xFF;
    h[8] = (uint8_t)(n >> 24);
    h[9] = (uint8_t)(n >> 16);
    h[10] = (uint8_t)(n >> 8);
    h[11] = (uint8_t)n;
    memcpy(h + 12, k->type, tlen);
    int rc = mbedtls_sha256_ret(payload, n, h + 44, 0);
    if (rc == 0 && k->has_gmac) {
        if (k->has_iv) {
            memcpy(h + 76, k->iv, 12);
        } else if (urandom(NULL, h + 76, 12) != 0) {
            fprintf(stderr, "fw-image: no random source for the IV\n");
            free(payload);
            return EXIT_IO;
        }
        rc = gmac_tag(k->gmac, h + 76, h, h + MTR_IMAGE_SIGNED);
    } else if (rc == 0) {
        uint8_t digest[32];
        rc = mbedtls_sha256_ret(h, MTR_IMAGE_SIGNED, digest, 0);
        if (rc == 0) {
            rc = ecdsa_sign(k->ecdsa_priv, digest, h + MTR_IMAGE_SIGNED);
        }
    }
    if (rc != 0) {
        fprintf(stderr, "fw-image: signing failed (mbedTLS -0x%04X%s)\n", (unsigned)-rc,
                k->has_priv ? ": not a P-256 private key?" : "");
        free(payload);
        return EXIT_USAGE;
    }
    rc = write_file(out, h, sizeof h, payload, n);
    free(payload);
    if (rc != 0) {
        return EXIT_IO;
    }
    printf("%s: %zu bytes (header %u + payload %zu), type %s, %s\n", out, n + MTR_IMAGE_HEADER,
           MTR_IMAGE_HEADER, n, k->type, k->has_gmac ? "GMAC" : "ECDSA P-256");
    return 0;
}

static int cmd_check(const struct keys *k, const char *in)
{
    size_t n = 0;
    uint8_t *img = read_file(in, &n);
    if (img == NULL) {
        return EXIT_IO;
    }
    int fails = 0;
    if (n <= MTR_IMAGE_HEADER || memcmp(img, "LMFW", 4) != 0) {
        printf("%s: not an image (%zu bytes, no LMFW header)\n", in, n);
        free(img);
        return EXIT_BAD;
    }
    const uint8_t *h = img;
    char type[MTR_IMAGE_TYPE_LEN + 1];
    memcpy(type, h + 12, MTR_IMAGE_TYPE_LEN);
    type[MTR_IMAGE_TYPE_LEN] = '\0';
    uint32_t plen = be32(h + 8);
    unsigned hlen = (unsigned)h[6] << 8 | h[7];
    printf("%s: %zu bytes\n", in, n);
    printf("  header version %u, length %u%s\n", h[4], hlen,
           h[4] == 1 && hlen == MTR_IMAGE_HEADER ? "" : " (expected 1, 160)");
    fails += !(h[4] == 1 && hlen == MTR_IMAGE_HEADER);
    printf("  scheme %u (%s)\n", h[5],
           h[5] == MTR_IMAGE_SCHEME_GMAC    ? "GMAC"
           : h[5] == MTR_IMAGE_SCHEME_ECDSA ? "ECDSA P-256"
                                            : "unknown");
    fails += h[5] != MTR_IMAGE_SCHEME_GMAC && h[5] != MTR_IMAGE_SCHEME_ECDSA;
    printf("  payload %lu bytes%s\n", (unsigned long)plen,
           plen == n - MTR_IMAGE_HEADER ? "" : " (the file says otherwise)");
    fails += plen != n - MTR_IMAGE_HEADER;
    printf("  type \"%s\"", type);
    if (k->type != NULL) {
        size_t tl = strlen(k->type);
        bool same = tl <= MTR_IMAGE_TYPE_LEN && memcmp(h + 12, k->type, tl) == 0;
        for (size_t i = tl; same && i < MTR_IMAGE_TYPE_LEN; i++) {
            same = h[12 + i] == 0;
        }
        printf(same ? " (as expected)" : " (expected \"%s\")", k->type);
        fails += !same;
    }
    printf("\n");
    uint8_t d[32];
    mbedtls_sha256_ret(img + MTR_IMAGE_HEADER, n - MTR_IMAGE_HEADER, d, 0);
    bool digest_ok = memcmp(d, h + 44, 32) == 0;
    print_hex("  payload SHA-256 ", h + 44, 32);
    printf("  payload digest %s\n", digest_ok ? "matches" : "DOES NOT match the payload");
    fails += !digest_ok;
    if (h[5] == MTR_IMAGE_SCHEME_GMAC) {
        print_hex("  IV ", h + 76, 12);
        print_hex("  GMAC tag ", h + MTR_IMAGE_SIGNED, 16);
        if (k->has_gmac) {
            uint8_t t[16];
            bool ok =
                gmac_tag(k->gmac, h + 76, h, t) == 0 && memcmp(t, h + MTR_IMAGE_SIGNED, 16) == 0;
            printf("  GMAC tag %s\n", ok ? "valid" : "INVALID for this key");
            fails += !ok;
        }
    } else if (h[5] == MTR_IMAGE_SCHEME_ECDSA) {
        print_hex("  signature r || s ", h + MTR_IMAGE_SIGNED, 64);
        if (k->has_pub) {
            uint8_t digest[32];
            mbedtls_sha256_ret(h, MTR_IMAGE_SIGNED, digest, 0);
            int v = ecdsa_verify(k->ecdsa_pub, digest, h + MTR_IMAGE_SIGNED);
            printf("  signature %s\n", v == 0  ? "valid"
                                       : v > 0 ? "INVALID for this key"
                                               : "not checked: not a P-256 public key");
            fails += v != 0;
        }
    }
    free(img);
    return fails == 0 ? 0 : EXIT_BAD;
}

int main(int argc, char **argv)
{
    enum { OPT_TYPE = 256, OPT_GMAC, OPT_IV, OPT_ECDSA, OPT_PUB };
    static const struct option longs[] = {
        {"type", required_argument, NULL, OPT_TYPE},
        {"gmac-key", required_argument, NULL, OPT_GMAC},
        {"iv", required_argument, NULL, OPT_IV},
        {"ecdsa-key", required_argument, NULL, OPT_ECDSA},
        {"ecdsa-pub", required_argument, NULL, OPT_PUB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    const char *cmd = argv[1];
    struct keys k;
    memset(&k, 0, sizeof k);
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case OPT_TYPE:
            k.type = optarg;
            break;
        case OPT_GMAC:
            if (parse_key(optarg, k.gmac, 16, 0, "--gmac-key") < 0) {
                return EXIT_USAGE;
            }
            k.has_gmac = true;
            break;
        case OPT_IV:
            if (parse_hex(optarg, k.iv, sizeof k.iv) != 12) {
                return bad_usage("--iv wants 12 bytes of hex, not '%s'", optarg);
            }
            k.has_iv = true;
            break;
        case OPT_ECDSA:
            if (parse_key(optarg, k.ecdsa_priv, 32, 0, "--ecdsa-key") < 0) {
                return EXIT_USAGE;
            }
            k.has_priv = true;
            break;
        case OPT_PUB: {
            uint8_t p[65];
            long got = parse_key(optarg, p, 64, 65, "--ecdsa-pub");
            if (got < 0 || (got == 65 && p[0] != 0x04)) {
                return bad_usage("--ecdsa-pub: not an uncompressed point%s", "");
            }
            memcpy(k.ecdsa_pub, got == 65 ? p + 1 : p, 64);
            k.has_pub = true;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    int rest = argc - optind;
    int rc;
    if (strcmp(cmd, "keygen") == 0) {
        rc = rest == 0 ? cmd_keygen() : bad_usage("keygen takes no argument%s", "");
    } else if (strcmp(cmd, "build") == 0) {
        rc = rest == 2 ? cmd_build(&k, argv[optind], argv[optind + 1])
                       : bad_usage("build wants PAYLOAD and OUT%s", "");
    } else if (strcmp(cmd, "check") == 0) {
        if (k.has_priv) {
            rc = bad_usage("check takes --ecdsa-pub, not the private key%s", "");
        } else {
            rc = rest == 1 ? cmd_check(&k, argv[optind]) : bad_usage("check wants IMAGE%s", "");
        }
    } else {
        rc = bad_usage("unknown command '%s'", cmd);
    }
    memset(&k, 0, sizeof k);
    return rc;
}
