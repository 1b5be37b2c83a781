/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration file of the virtual meter and of dlms-client: simple
 * `key = value` lines (docs/virtual-meter.md). Host code: libc allowed.
 */
#ifndef VM_CONFIG_H
#define VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"

/* Client roles (the access-rights profiles of the COSEM table, seed security.json). */
enum vm_role {
    VM_ROLE_PUBLIC = 0,
    VM_ROLE_MANAGEMENT = 1,
    VM_ROLE_LEVEL1 = 2,
    VM_ROLE_LEVEL2 = 3,
    VM_ROLE_LEVEL3 = 4,
    VM_ROLE_PRE_ESTABLISHED = 5,
};

/* One client SAP of the association table. */
struct vm_client {
    uint16_t sap;
    uint8_t role;     /* enum vm_role: the access-rights profile */
    uint8_t mech;     /* 0 none, 1 LLS, 5 HLS-GMAC */
    uint8_t policy;   /* 0 none, 1 authenticated, 2 encrypted, 3 both */
    uint8_t flags;    /* MTR_DLMS_ASSOC_* */
    uint8_t password[64];
    uint8_t password_len;
    uint8_t title[8]; /* pre-established ciphered client: its system title */
    bool has_title;
};

#define VM_MAX_CLIENTS MTR_CFG_DLMS_ASSOC_MAX

struct vm_config {
    uint8_t system_title[8]; /* the meter's system title */
    uint8_t client_title[8]; /* dlms-client's system title (HLS, ciphering) */
    uint8_t ek[16], ak[16], bk[16], kek[16];
    struct vm_client clients[VM_MAX_CLIENTS];
    unsigned nclients;
    int port;                 /* TCP port of the wrapper, -1 = none */
    char bind[64];            /* address the wrapper listens on */
    unsigned inactivity_s;    /* TCP and HDLC inactivity time-out, seconds */
    unsigned max_connections; /* TCP connections served at once */
    char push_host[128];      /* default push destination when a push setup names none */
    uint16_t push_port;
    int time_zone;            /* minutes, UTC - local standard time (class 8 sign) */
    uint64_t sts_dk;          /* STS decoder key (EA09), 0 = no token decoder */
    uint16_t hdlc_address;    /* server upper HDLC address */
    char serial[33];          /* meter serial number (logical device name) */
    /* firmware update (image transfer 0-0:44.0.0.255, docs/firmware-update.md) */
    char image_type[33];       /* meter type the images must name (1..32 characters) */
    uint32_t image_block_size; /* image_block_size, bytes */
    uint32_t image_max_size;   /* largest image the image store takes, bytes */
    uint8_t firmware_key[16];  /* GMAC firmware authentication key */
    bool has_firmware_key;
    uint8_t firmware_pub[64];  /* ECDSA P-256 public key X || Y */
    bool has_firmware_pub;
};

/* The built-in defaults (the same as adapters/host/virtual-meter.conf). */
void vm_config_default(struct vm_config *c);

/*
 * Read @p path over the defaults. A key given in the file replaces the
 * default; the first `client.N` line replaces the whole default client table.
 * Returns 0, or -1 with a message "FILE:LINE: why" in @p err.
 */
int vm_config_load(struct vm_config *c, const char *path, char *err, size_t errlen);

/* The client entry of @p sap, or NULL. */
const struct vm_client *vm_config_client(const struct vm_config *c, uint16_t sap);

/* Name of a role, mechanism or policy (for logs). */
const char *vm_role_name(unsigned role);
const char *vm_mech_name(unsigned mech);
const char *vm_policy_name(unsigned policy);

/* Hex text to bytes: exactly @p n bytes. Returns 0 or -1. */
int vm_parse_hex(const char *s, uint8_t *out, size_t n);
/* Hex text of any even length up to @p cap bytes; returns the length or -1. */
long vm_parse_hex_any(const char *s, uint8_t *out, size_t cap);

#endif /* VM_CONFIG_H */
