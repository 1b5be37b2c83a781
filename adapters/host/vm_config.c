/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration file of the virtual meter and of dlms-client
 * (docs/virtual-meter.md, "Configuration file").
 */
#define _POSIX_C_SOURCE 200809L
#include "vm_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/dlms.h"

/* Green Book ed. 8 suite 0 example keys and system titles (Tables 40, 43):
 * well known, for a demonstration meter only. */
static const uint8_t GB_EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t GB_AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                  0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t GB_SERVER_ST[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
static const uint8_t GB_CLIENT_ST[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};

static const char *const ROLES[] = {"public", "management", "level1", "level2", "level3",
                                    "pre_established"};

const char *vm_role_name(unsigned role)
{
    return role < sizeof ROLES / sizeof ROLES[0] ? ROLES[role] : "?";
}

const char *vm_mech_name(unsigned mech)
{
    switch (mech) {
    case MTR_DLMS_MECH_NONE:
        return "none";
    case MTR_DLMS_MECH_LLS:
        return "lls";
    case MTR_DLMS_MECH_HLS_GMAC:
        return "hls";
    default:
        return "?";
    }
}

static const char *const POLICIES[] = {"none", "auth", "enc", "auth_enc"};

const char *vm_policy_name(unsigned policy)
{
    return policy < 4 ? POLICIES[policy] : "?";
}

static void add_client(struct vm_config *c, uint16_t sap, uint8_t role, uint8_t mech, uint8_t policy,
                       uint8_t flags, const char *pw)
{
    struct vm_client *e = &c->clients[c->nclients++];
    memset(e, 0, sizeof *e);
    e->sap = sap;
    e->role = role;
    e->mech = mech;
    e->policy = policy;
    e->flags = flags;
    if (pw != NULL) {
        e->password_len = (uint8_t)strlen(pw);
        memcpy(e->password, pw, e->password_len);
    }
}

void vm_config_default(struct vm_config *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->system_title, GB_SERVER_ST, 8);
    memcpy(c->client_title, GB_CLIENT_ST, 8);
    memcpy(c->ek, GB_EK, 16);
    memcpy(c->ak, GB_AK, 16);
    memcpy(c->bk, GB_EK, 16);
    memcpy(c->kek, GB_EK, 16);
    /* seed security.json: public 16, management 1; levels 1..3 have no SAP in
     * the seed: 32, 48, 64 as in the DLMS tests */
    add_client(c, 16, VM_ROLE_PUBLIC, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_NONE, 0, NULL);
    add_client(c, 1, VM_ROLE_MANAGEMENT, MTR_DLMS_MECH_HLS_GMAC, MTR_DLMS_POLICY_AUTH_ENC,
               MTR_DLMS_ASSOC_KEY_TRANSFER, NULL);
    add_client(c, 32, VM_ROLE_LEVEL1, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 0, "11111111");
    add_client(c, 48, VM_ROLE_LEVEL2, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 0, "22222222");
    add_client(c, 64, VM_ROLE_LEVEL3, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 0, "33333333");
    c->port = MTR_DLMS_WRAPPER_TCP_PORT;
    snprintf(c->bind, sizeof c->bind, "127.0.0.1");
    c->inactivity_s = 120;
    c->max_connections = 8;
    c->time_zone = 0;
    c->sts_dk = 0;
    c->hdlc_address = 1;
    snprintf(c->serial, sizeof c->serial, "LMV00000001");
    snprintf(c->image_type, sizeof c->image_type, "LIBMETER-VM");
    c->image_block_size = 512;
    c->image_max_size = 1024u * 1024u;
    /* no firmware key and no public key: every image is refused (docs/firmware-update.md) */
}

const struct vm_client *vm_config_client(const struct vm_config *c, uint16_t sap)
{
    for (unsigned i = 0; i < c->nclients; i++) {
        if (c->clients[i].sap == sap) {
            return &c->clients[i];
        }
    }
    return NULL;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    return -1;
}

long vm_parse_hex_any(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    while (*s != '\0') {
        if (*s == ' ' || *s == ':' || *s == '-' || *s == '_') {
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

int vm_parse_hex(const char *s, uint8_t *out, size_t n)
{
    uint8_t tmp[256];
    if (n > sizeof tmp) {
        return -1;
    }
    long got = vm_parse_hex_any(s, tmp, n + 1);
    if (got != (long)n) {
        return -1;
    }
    memcpy(out, tmp, n);
    return 0;
}

struct ctx {
    const char *path;
    unsigned line;
    char *err;
    size_t errlen;
};

static int fail(struct ctx *x, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(x->err, x->errlen, "%s:%u: %s", x->path, x->line, msg);
    return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
    char *end = NULL;
    errno = 0;
    if (*s == '\0' || *s == '-') {
        return -1;
    }
    unsigned long x = strtoul(s, &end, 0);
    if (errno != 0 || *end != '\0' || x > max) {
        return -1;
    }
    *v = x;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static int lookup(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* client.<sap> = <role> <none|lls|hls> [policy=P] [password=TEXT] [password_hex=HEX]
 *                [key_transfer] [title=HEX] */
static int parse_client(struct ctx *x, struct vm_config *c, const char *key, char *val, bool *replaced)
{
    unsigned long sap;
    if (parse_uint(key + 7, 0x7F, &sap) != 0 || sap == 0) {
        return fail(x, "'%s': the client SAP must be 1..127", key);
    }
    if (!*replaced) {
        c->nclients = 0;
        *replaced = true;
    }
    if (vm_config_client(c, (uint16_t)sap) != NULL) {
        return fail(x, "client SAP %lu given twice", sap);
    }
    if (c->nclients >= VM_MAX_CLIENTS) {
        return fail(x, "more than %d clients", VM_MAX_CLIENTS);
    }
    struct vm_client e = {.sap = (uint16_t)sap};
    char *save = NULL;
    char *tok = strtok_r(val, " \t", &save);
    int role = tok ? lookup(ROLES, sizeof ROLES / sizeof ROLES[0], tok) : -1;
    if (role < 0) {
        return fail(x, "client %lu: role must be one of public, management, level1, level2, "
                       "level3, pre_established",
                    sap);
    }
    e.role = (uint8_t)role;
    tok = strtok_r(NULL, " \t", &save);
    static const char *const MECHS[] = {"none", "lls", "hls"};
    int mech = tok ? lookup(MECHS, 3, tok) : -1;
    if (mech < 0) {
        return fail(x, "client %lu: authentication must be none, lls or hls", sap);
    }
    e.mech = mech == 0 ? MTR_DLMS_MECH_NONE : mech == 1 ? MTR_DLMS_MECH_LLS : MTR_DLMS_MECH_HLS_GMAC;
    if (role == VM_ROLE_PRE_ESTABLISHED) {
        e.flags |= MTR_DLMS_ASSOC_PRE_ESTABLISHED;
    }
    while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strncmp(tok, "policy=", 7) == 0) {
            int p = lookup(POLICIES, 4, tok + 7);
            if (p < 0) {
                return fail(x, "client %lu: policy must be none, auth, enc or auth_enc", sap);
            }
            e.policy = (uint8_t)p;
        } else if (strncmp(tok, "password=", 9) == 0) {
            size_t n = strlen(tok + 9);
            if (n == 0 || n > 64) {
                return fail(x, "client %lu: password of 1..64 characters", sap);
            }
            memcpy(e.password, tok + 9, n);
            e.password_len = (uint8_t)n;
        } else if (strncmp(tok, "password_hex=", 13) == 0) {
            long n = vm_parse_hex_any(tok + 13, e.password, sizeof e.password);
            if (n <= 0) {
                return fail(x, "client %lu: password_hex wants 1..64 bytes of hex", sap);
            }
            e.password_len = (uint8_t)n;
        } else if (strcmp(tok, "key_transfer") == 0) {
            e.flags |= MTR_DLMS_ASSOC_KEY_TRANSFER;
        } else if (strncmp(tok, "title=", 6) == 0) {
            if (vm_parse_hex(tok + 6, e.title, 8) != 0) {
                return fail(x, "client %lu: title wants 8 bytes of hex", sap);
            }
            e.has_title = true;
        } else {
            return fail(x, "client %lu: unknown option '%s'", sap, tok);
        }
    }
    if (e.mech == MTR_DLMS_MECH_LLS && e.password_len == 0) {
        return fail(x, "client %lu: lls needs password=...", sap);
    }
    if (e.mech != MTR_DLMS_MECH_LLS && e.password_len != 0) {
        return fail(x, "client %lu: a password is only for lls", sap);
    }
    c->clients[c->nclients++] = e;
    return 0;
}

static int parse_line(struct ctx *x, struct vm_config *c, char *line, bool *replaced)
{
    char *hash = strchr(line, '#');
    if (hash != NULL) {
        *hash = '\0';
    }
    char *s = trim(line);
    if (*s == '\0') {
        return 0;
    }
    char *eq = strchr(s, '=');
    if (eq == NULL) {
        return fail(x, "expected 'key = value'");
    }
    *eq = '\0';
    char *key = trim(s);
    char *val = trim(eq + 1);
    unsigned long u;
    if (*val == '\0') {
        return fail(x, "'%s' has no value", key);
    }
    if (strncmp(key, "client.", 7) == 0) {
        return parse_client(x, c, key, val, replaced);
    }
    if (strcmp(key, "system_title") == 0 || strcmp(key, "client_title") == 0) {
        uint8_t *dst = key[0] == 's' ? c->system_title : c->client_title;
        if (vm_parse_hex(val, dst, 8) != 0) {
            return fail(x, "%s wants 8 bytes of hex (16 digits)", key);
        }
        return 0;
    }
    struct {
        const char *name;
        uint8_t *key;
    } keys[] = {{"ek", c->ek}, {"ak", c->ak}, {"bk", c->bk}, {"kek", c->kek}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].name) == 0) {
            if (vm_parse_hex(val, keys[i].key, 16) != 0) {
                return fail(x, "%s wants 16 bytes of hex (32 digits)", key);
            }
            return 0;
        }
    }
    if (strcmp(key, "port") == 0) {
        if (strcmp(val, "off") == 0) {
            c->port = -1;
            return 0;
        }
        if (parse_uint(val, 65535, &u) != 0) {
            return fail(x, "port wants 0..65535 or off");
        }
        c->port = (int)u;
    } else if (strcmp(key, "bind") == 0) {
        if (strlen(val) >= sizeof c->bind) {
            return fail(x, "bind address too long");
        }
        snprintf(c->bind, sizeof c->bind, "%s", val);
    } else if (strcmp(key, "inactivity_timeout") == 0) {
        if (parse_uint(val, 86400, &u) != 0) {
            return fail(x, "inactivity_timeout wants seconds, 0..86400 (0 = none)");
        }
        c->inactivity_s = (unsigned)u;
    } else if (strcmp(key, "max_connections") == 0) {
        if (parse_uint(val, 64, &u) != 0 || u == 0) {
            return fail(x, "max_connections wants 1..64");
        }
        c->max_connections = (unsigned)u;
    } else if (strcmp(key, "push_destination") == 0) {
        char *colon = strrchr(val, ':');
        if (colon == NULL || colon == val || (size_t)(colon - val) >= sizeof c->push_host ||
            parse_uint(colon + 1, 65535, &u) != 0 || u == 0) {
            return fail(x, "push_destination wants host:port");
        }
        memcpy(c->push_host, val, (size_t)(colon - val));
        c->push_host[colon - val] = '\0';
        c->push_port = (uint16_t)u;
    } else if (strcmp(key, "time_zone") == 0) {
        char *end = NULL;
        long tz = strtol(val, &end, 10);
        if (*end != '\0' || tz < -840 || tz > 840) {
            return fail(x, "time_zone wants minutes, -840..840 (UTC - local: -60 for CET)");
        }
        c->time_zone = (int)tz;
    } else if (strcmp(key, "sts_decoder_key") == 0) {
        uint8_t dk[8];
        if (vm_parse_hex(val, dk, 8) != 0) {
            return fail(x, "sts_decoder_key wants 8 bytes of hex (16 digits)");
        }
        c->sts_dk = 0;
        for (int i = 0; i < 8; i++) {
            c->sts_dk = c->sts_dk << 8 | dk[i];
        }
    } else if (strcmp(key, "hdlc_address") == 0) {
        if (parse_uint(val, 0x3FFF, &u) != 0 || u == 0) {
            return fail(x, "hdlc_address wants 1..16383");
        }
        c->hdlc_address = (uint16_t)u;
    } else if (strcmp(key, "image_type") == 0) {
        if (strlen(val) >= sizeof c->image_type) {
            return fail(x, "image_type: 1..%zu characters", sizeof c->image_type - 1);
        }
        snprintf(c->image_type, sizeof c->image_type, "%s", val);
    } else if (strcmp(key, "image_block_size") == 0) {
        /* one block and its ACTION request (about 45 bytes, ciphered) fit the largest APDU */
        if (parse_uint(val, MTR_CFG_DLMS_MAX_APDU - 64u, &u) != 0 || u < 16) {
            return fail(x, "image_block_size wants 16..%u bytes", MTR_CFG_DLMS_MAX_APDU - 64u);
        }
        c->image_block_size = (uint32_t)u;
    } else if (strcmp(key, "image_max_size") == 0) {
        if (parse_uint(val, 64ul * 1024ul * 1024ul, &u) != 0 || u < 161) {
            return fail(x, "image_max_size wants 161..67108864 bytes");
        }
        c->image_max_size = (uint32_t)u;
    } else if (strcmp(key, "firmware_key") == 0) {
        if (strcmp(val, "none") == 0) {
            c->has_firmware_key = false;
            return 0;
        }
        if (vm_parse_hex(val, c->firmware_key, 16) != 0) {
            return fail(x, "firmware_key wants 16 bytes of hex (32 digits) or none");
        }
        c->has_firmware_key = true;
    } else if (strcmp(key, "firmware_public_key") == 0) {
        uint8_t pub[65];
        long n = strcmp(val, "none") == 0 ? 0 : vm_parse_hex_any(val, pub, sizeof pub);
        if (n == 0) {
            c->has_firmware_pub = false;
            return 0;
        }
        if (n == 65 && pub[0] == 0x04) { /* SEC 1 uncompressed point: 04 || X || Y */
            memmove(pub, pub + 1, 64);
            n = 64;
        }
        if (n != 64) {
            return fail(x, "firmware_public_key wants the P-256 point X || Y, 64 bytes of hex "
                           "(or 65 starting with 04), or none");
        }
        memcpy(c->firmware_pub, pub, 64);
        c->has_firmware_pub = true;
    } else if (strcmp(key, "serial") == 0) {
        if (strlen(val) >= sizeof c->serial) {
            return fail(x, "serial: at most %zu characters", sizeof c->serial - 1);
        }
        snprintf(c->serial, sizeof c->serial, "%s", val);
    } else {
        return fail(x, "unknown key '%s'", key);
    }
    return 0;
}

int vm_config_load(struct vm_config *c, const char *path, char *err, size_t errlen)
{
    struct ctx x = {.path = path, .line = 0, .err = err, .errlen = errlen};
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct vm_config tmp = *c;
    bool replaced = false;
    char line[1024];
    int rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        x.line++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = fail(&x, "line longer than %zu characters", sizeof line - 2);
            break;
        }
        if ((rc = parse_line(&x, &tmp, line, &replaced)) != 0) {
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    if (rc == 0 && tmp.nclients == 0) {
        snprintf(err, errlen, "%s: no client", path);
        rc = -1;
    }
    if (rc == 0) {
        *c = tmp;
    }
    return rc;
}
