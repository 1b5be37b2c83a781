/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlms-client: a DLMS/COSEM client for the command line (IEC 62056-5-3
 * services, LN referencing) over the TCP wrapper (IEC 62056-47) or HDLC
 * (IEC 62056-46) on a serial line or pseudo-terminal.
 *
 *   dlms-client [options] get OBIS CLASS ATTR
 *                         set OBIS CLASS ATTR VALUE
 *                         action OBIS CLASS METHOD [VALUE]
 *                         profile OBIS [--from T --to T | --entries A B] [--columns A B]
 *                         image FILE [--id TEXT | --id-hex HEX] [--no-activate]
 *
 * Several commands may follow each other: they are served in one
 * association. The A-XDR decoder, the wrapper header and the HDLC frame
 * codec are the library's; the client-side APDUs (AARQ, GET/SET/ACTION
 * requests, GET-next, RLRQ) are built here from the Green Book. Ciphering
 * (security suite 0) goes through the sim HAL's AES-GCM (mbedTLS).
 * docs/virtual-meter.md describes the options and the output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "meter/axdr.h"
#include "meter/bytes.h"
#include "meter/dlms.h"
#include "meter/hdlc.h"
#include "sim.h"
#include "vm_config.h"

#define APDU_MAX 65536u
#define EXIT_DLMS 1  /* a service answered with an error */
#define EXIT_USAGE 2
#define EXIT_LINK 3  /* transport or association failure */

/* ------------------------------------------------------------------ options */

struct copts {
    const char *host;
    int port;
    const char *hdlc;
    uint16_t client_sap;
    uint16_t server_wport;
    uint16_t hdlc_server;
    const char *password;
    uint8_t password_bin[64];
    int password_len;
    bool hls;
    int policy; /* -1: default */
    bool json;
    bool stats;
    bool verbose;
    int timeout_ms;
    uint16_t max_pdu;
    const char *ic_file;
    struct vm_config conf;
};

static struct copts O;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: dlms-client [options] COMMAND [COMMAND...]\n"
            "A DLMS/COSEM client (LN referencing) over the TCP wrapper or HDLC.\n\n"
            "Commands (several are served in one association):\n"
            "  get OBIS CLASS ATTR              read an attribute (registers: scaler and unit applied)\n"
            "  set OBIS CLASS ATTR VALUE        write an attribute\n"
            "  action OBIS CLASS METHOD [VALUE] invoke a method (VALUE default: integer 0)\n"
            "  profile OBIS [--from TIME --to TIME | --entries A B] [--columns A B]\n"
            "                                   read a profile buffer (class 7 attribute 2)\n"
            "  image FILE [--id TEXT | --id-hex HEX] [--no-activate]\n"
            "                                   firmware update through 0-0:44.0.0.255: transfer\n"
            "                                   FILE in blocks, verify, activate (identifier\n"
            "                                   default: the file's name without extension)\n"
            "VALUE: A-XDR hex (0906...), or typed: null, bool:1, u8:N, u16:N, u32:N, u64:N, i8:N,\n"
            "  i16:N, i32:N, i64:N, enum:N, octets:HEX, string:TEXT, obis:A-B:C.D.E.F,\n"
            "  datetime:2026-01-31T23:50:00Z, date:2026-01-31, time:06:00:00, bits:0101,\n"
            "  struct(V,V,...), array(V,V,...)\n"
            "TIME: 2026-01-31T00:00:00Z or UTC seconds\n\n"
            "Options:\n"
            "  --host H           meter host (default 127.0.0.1)\n"
            "  --port P           wrapper TCP port (default 4059)\n"
            "  --hdlc DEVICE      HDLC on a serial line or pseudo-terminal instead of TCP\n"
            "  --hdlc-address N   server upper HDLC address (default 1)\n"
            "  --client-sap N     client SAP (default 16: public)\n"
            "  --password P       LLS password (--password-hex HEX for bytes)\n"
            "  --hls              HLS-GMAC authentication (keys from --config or the defaults)\n"
            "  --policy P         request protection: none, auth, enc, auth_enc\n"
            "                     (default: auth_enc with --hls, else none)\n"
            "  --config FILE      keys (ek, ak), system titles: the virtual meter's file format\n"
            "  --json             one JSON object per command\n"
            "  --stats            bytes on the wire, blocks and time, last\n"
            "  --timeout S        seconds to wait for an answer (default 10)\n"
            "  --max-pdu N        client max receive PDU size, 64..2048 (default 2048)\n"
            "  --ic-file FILE     keep the client invocation counter in FILE (ciphering: associations\n"
            "                     less than a second apart need it; default: the host's clock)\n"
            "  -v, --verbose      print the APDUs in hex on stderr\n"
            "  -h, --help         this text\n"
            "Exit status: 0 all served; 1 a service answered with an error; 2 usage;\n"
            "3 no connection or association refused.\n");
}

/* ------------------------------------------------------------------ bytes */

struct buf {
    uint8_t *b;
    size_t n, cap;
};

static void buf_need(struct buf *o, size_t more)
{
    if (o->n + more > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        while (cap < o->n + more) {
            cap *= 2;
        }
        o->b = realloc(o->b, cap);
        if (o->b == NULL) {
            fprintf(stderr, "dlms-client: out of memory\n");
            exit(EXIT_LINK);
        }
        o->cap = cap;
    }
}

static void put(struct buf *o, const void *p, size_t n)
{
    buf_need(o, n);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_u8(struct buf *o, uint8_t v)
{
    put(o, &v, 1);
}

static void put_be(struct buf *o, uint64_t v, int bytes)
{
    for (int k = bytes - 1; k >= 0; k--) {
        put_u8(o, (uint8_t)(v >> (8 * k)));
    }
}

/* A-XDR length (Green Book: one byte below 0x80, else 0x81.. + big-endian). */
static void put_len(struct buf *o, size_t n)
{
    if (n < 0x80) {
        put_u8(o, (uint8_t)n);
    } else if (n <= 0xFF) {
        put_u8(o, 0x81);
        put_u8(o, (uint8_t)n);
    } else if (n <= 0xFFFF) {
        put_u8(o, 0x82);
        put_be(o, n, 2);
    } else {
        put_u8(o, 0x84);
        put_be(o, n, 4);
    }
}

static void hexdump(const char *what, const uint8_t *b, size_t n)
{
    if (!O.verbose) {
        return;
    }
    fprintf(stderr, "%s", what);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%02X", b[i]);
    }
    fprintf(stderr, "\n");
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ transport */

struct link {
    int fd;
    bool hdlc;
    /* wrapper */
    struct mtr_dlms_wrapper_rx wrx;
    uint8_t wbuf[MTR_CFG_DLMS_MAX_APDU];
    /* hdlc */
    struct mtr_dlms_hdlc_rx hrx;
    uint8_t pend[4096];
    size_t pend_len, pend_off;
    uint8_t ns, nr;
    uint16_t max_info;
    /* statistics */
    uint64_t tx_bytes, rx_bytes;
    uint32_t requests;
};

static struct link L;

static int wait_readable(int fd, uint64_t deadline)
{
    for (;;) {
        uint64_t now = mono_ms();
        if (now >= deadline) {
            return -1;
        }
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int k = poll(&pf, 1, (int)(deadline - now));
        if (k > 0) {
            return 0;
        }
        if (k < 0 && errno != EINTR) {
            return -1;
        }
    }
}

static int write_all(int fd, const uint8_t *b, size_t n)
{
    L.tx_bytes += n;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static int tcp_open(void)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    char port[16];
    snprintf(port, sizeof port, "%d", O.port);
    int rc = getaddrinfo(O.host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "dlms-client: %s: %s\n", O.host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "dlms-client: cannot connect to %s:%d: %s\n", O.host, O.port,
                strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    L.fd = fd;
    mtr_dlms_wrapper_rx_init(&L.wrx, L.wbuf, sizeof L.wbuf, O.client_sap);
    return 0;
}

/* One wrapper APDU out, one back. */
static int tcp_xfer(const uint8_t *req, size_t n, struct buf *resp)
{
    uint8_t hdr[MTR_DLMS_WRAPPER_HEADER];
    struct mtr_dlms_wrapper_hdr h = {.src = O.client_sap, .dst = O.server_wport, .len = (uint16_t)n};
    mtr_dlms_wrapper_put(hdr, &h);
    if (write_all(L.fd, hdr, sizeof hdr) != 0 || write_all(L.fd, req, n) != 0) {
        fprintf(stderr, "dlms-client: send: %s\n", strerror(errno));
        return -1;
    }
    uint64_t deadline = mono_ms() + (uint64_t)O.timeout_ms;
    uint8_t in[4096];
    for (;;) {
        /* bytes left over from the last read first */
        while (L.pend_off < L.pend_len) {
            const uint8_t *p = L.pend + L.pend_off;
            mtr_err_t rc = mtr_dlms_wrapper_feed(&L.wrx, &p, L.pend + L.pend_len, &h);
            L.pend_off = (size_t)(p - L.pend);
            if (rc == MTR_OK) {
                resp->n = 0;
                put(resp, L.wbuf, h.len);
                return 0;
            }
            if (rc != MTR_ERR_EMPTY) {
                fprintf(stderr, "dlms-client: bad wrapper header from the meter: %s\n",
                        mtr_strerror(rc));
                return -1;
            }
        }
        if (wait_readable(L.fd, deadline) != 0) {
            fprintf(stderr, "dlms-client: no answer within %d ms\n", O.timeout_ms);
            return -1;
        }
        ssize_t got = read(L.fd, in, sizeof in);
        if (got <= 0) {
            fprintf(stderr, "dlms-client: connection closed by the meter\n");
            return -1;
        }
        L.rx_bytes += (uint64_t)got;
        memcpy(L.pend, in, (size_t)got);
        L.pend_len = (size_t)got;
        L.pend_off = 0;
    }
}

/* ---- HDLC client side (IEC 62056-46): SNRM/UA, I-frames with N(S)/N(R), RR, DISC. */

static int hdlc_send(uint8_t control, const uint8_t *info, size_t n, bool seg)
{
    struct mtr_dlms_hdlc_frame f = {
        .dst = {.upper = O.hdlc_server, .lower = 0, .size = 1},
        .src = {.upper = O.client_sap, .lower = 0, .size = 1},
        .info = info,
        .info_len = (uint16_t)n,
        .control = control,
        .segmented = seg,
    };
    uint8_t out[MTR_DLMS_HDLC_WIRE_MAX + 64];
    size_t len = 0;
    mtr_err_t rc = mtr_dlms_hdlc_encode(&f, out, sizeof out, &len);
    if (rc != MTR_OK) {
        fprintf(stderr, "dlms-client: HDLC frame: %s\n", mtr_strerror(rc));
        return -1;
    }
    hexdump("hdlc > ", out, len);
    return write_all(L.fd, out, len);
}

/* The next frame addressed to us (copied out of the assembler). */
struct rxframe {
    uint8_t control;
    bool seg;
    uint8_t info[MTR_DLMS_HDLC_WIRE_MAX];
    size_t info_len;
};

static int hdlc_recv(struct rxframe *out)
{
    uint64_t deadline = mono_ms() + (uint64_t)O.timeout_ms;
    for (;;) {
        while (L.pend_off < L.pend_len) {
            const uint8_t *p = L.pend + L.pend_off;
            struct mtr_dlms_hdlc_frame f;
            mtr_err_t rc = mtr_dlms_hdlc_rx_feed(&L.hrx, (mtr_ms_t)mono_ms(), &p,
                                                 L.pend + L.pend_len, &f);
            L.pend_off = (size_t)(p - L.pend);
            if (rc == MTR_OK) {
                if (f.dst.upper != O.client_sap) {
                    continue; /* not for us */
                }
                out->control = f.control;
                out->seg = f.segmented;
                out->info_len = f.info_len;
                if (f.info_len > 0) {
                    memcpy(out->info, f.info, f.info_len);
                }
                return 0;
            }
            if (rc == MTR_ERR_EMPTY) {
                break;
            }
            if (O.verbose) {
                fprintf(stderr, "hdlc: frame dropped: %s\n", mtr_strerror(rc));
            }
        }
        if (wait_readable(L.fd, deadline) != 0) {
            fprintf(stderr, "dlms-client: no HDLC answer within %d ms\n", O.timeout_ms);
            return -1;
        }
        ssize_t got = read(L.fd, L.pend, sizeof L.pend);
        if (got <= 0) {
            fprintf(stderr, "dlms-client: HDLC line closed\n");
            return -1;
        }
        hexdump("hdlc < ", L.pend, (size_t)got);
        L.rx_bytes += (uint64_t)got;
        L.pend_len = (size_t)got;
        L.pend_off = 0;
    }
}

static int hdlc_open(void)
{
    int fd = open(O.hdlc, O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "dlms-client: %s: %s\n", O.hdlc, strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        cfsetispeed(&tio, B9600);
        cfsetospeed(&tio, B9600);
        tcsetattr(fd, TCSANOW, &tio);
    }
    L.fd = fd;
    L.hdlc = true;
    L.max_info = 128; /* IEC 62056-46 default: SNRM without parameters */
    mtr_dlms_hdlc_rx_init(&L.hrx);
    struct rxframe r;
    if (hdlc_send(MTR_DLMS_HDLC_SNRM | MTR_DLMS_HDLC_PF, NULL, 0, false) != 0 || hdlc_recv(&r) != 0) {
        return -1;
    }
    if ((r.control & ~MTR_DLMS_HDLC_PF) != MTR_DLMS_HDLC_UA) {
        fprintf(stderr, "dlms-client: SNRM answered with control 0x%02X, not UA\n", r.control);
        return -1;
    }
    L.ns = 0;
    L.nr = 0;
    return 0;
}

static int hdlc_xfer(const uint8_t *req, size_t n, struct buf *resp)
{
    struct buf msg = {0};
    static const uint8_t llc_req[3] = {0xE6, 0xE6, 0x00};
    put(&msg, llc_req, 3);
    put(&msg, req, n);
    size_t off = 0;
    struct rxframe r;
    int rc = -1;
    for (;;) { /* segments of at most max_info bytes; RR between them */
        size_t k = msg.n - off > L.max_info ? L.max_info : msg.n - off;
        bool more = off + k < msg.n;
        uint8_t ctrl = (uint8_t)(L.nr << 5 | MTR_DLMS_HDLC_PF | L.ns << 1);
        if (hdlc_send(ctrl, msg.b + off, k, more) != 0) {
            goto out;
        }
        L.ns = (uint8_t)((L.ns + 1) & 7);
        off += k;
        if (hdlc_recv(&r) != 0) {
            goto out;
        }
        if (!more) {
            break;
        }
        if ((r.control & 0x0F) != MTR_DLMS_HDLC_RR) {
            fprintf(stderr, "dlms-client: segment answered with control 0x%02X\n", r.control);
            goto out;
        }
    }
    resp->n = 0;
    for (;;) { /* response segments: RR asks for the next one */
        if ((r.control & 1) != 0) {
            fprintf(stderr, "dlms-client: expected an I-frame, got control 0x%02X\n", r.control);
            goto out;
        }
        L.nr = (uint8_t)(((r.control >> 1) + 1) & 7);
        put(resp, r.info, r.info_len);
        if (!r.seg) {
            break;
        }
        uint8_t ctrl = (uint8_t)(L.nr << 5 | MTR_DLMS_HDLC_PF | MTR_DLMS_HDLC_RR);
        if (hdlc_send(ctrl, NULL, 0, false) != 0 || hdlc_recv(&r) != 0) {
            goto out;
        }
    }
    if (resp->n < 3 || resp->b[0] != 0xE6 || resp->b[1] != 0xE7 || resp->b[2] != 0x00) {
        fprintf(stderr, "dlms-client: response without the LLC header E6 E7 00\n");
        goto out;
    }
    memmove(resp->b, resp->b + 3, resp->n - 3);
    resp->n -= 3;
    rc = 0;
out:
    free(msg.b);
    return rc;
}

static int link_xfer(const uint8_t *req, size_t n, struct buf *resp)
{
    L.requests++;
    hexdump("> ", req, n);
    int rc = L.hdlc ? hdlc_xfer(req, n, resp) : tcp_xfer(req, n, resp);
    if (rc == 0) {
        hexdump("< ", resp->b, resp->n);
    }
    return rc;
}

static void link_close(void)
{
    if (L.fd < 0) {
        return;
    }
    if (L.hdlc) {
        struct rxframe r;
        if (hdlc_send(MTR_DLMS_HDLC_DISC | MTR_DLMS_HDLC_PF, NULL, 0, false) == 0) {
            (void)hdlc_recv(&r);
        }
    }
    close(L.fd);
    L.fd = -1;
}

/* ------------------------------------------------------------------ security (suite 0) */

struct assoc_state {
    struct mtr_hal hal; /* crypto ops only */
    struct mtr_dlms_security keys; /* ek, ak and the client's title */
    uint8_t server_title[8];
    bool has_server_title;
    uint8_t sc;      /* 0 plain, else 0x10/0x20/0x30 */
    uint32_t ic;     /* next client invocation counter */
    uint32_t server_ic;
    uint8_t iid;     /* invoke-id-and-priority */
    uint16_t server_max_pdu;
    uint32_t conformance;
    bool associated;
    uint32_t blocks; /* GET blocks received */
};

static struct assoc_state S;

static uint8_t policy_sc(int policy)
{
    return (uint8_t)((policy & 1 ? 0x10 : 0) | (policy & 2 ? 0x20 : 0));
}

/* GCM in the Green Book's three forms: aad = SC || AK [|| plain for authentication only]. */
static int seal(uint8_t sc, const uint8_t title[8], uint32_t ic, uint8_t *data, size_t n,
                uint8_t tag[12])
{
    const struct mtr_crypto_ops *c = S.hal.crypto;
    uint8_t iv[12];
    memcpy(iv, title, 8);
    mtr_put_be32(iv + 8, ic);
    struct buf aad = {0};
    put_u8(&aad, sc);
    put(&aad, S.keys.ak, 16);
    uint8_t scratch[16];
    mtr_err_t rc;
    if ((sc & 0x30) == 0x30) {
        rc = c->gcm_encrypt(NULL, S.keys.ek, iv, 12, aad.b, aad.n, data, n, data, tag, 12);
    } else if (sc & 0x20) {
        rc = c->gcm_encrypt(NULL, S.keys.ek, iv, 12, NULL, 0, data, n, data, scratch, 12);
    } else {
        put(&aad, data, n);
        rc = c->gcm_encrypt(NULL, S.keys.ek, iv, 12, aad.b, aad.n, scratch, 0, scratch, tag, 12);
    }
    free(aad.b);
    return rc == MTR_OK ? 0 : -1;
}

/* glo-ciphering (tag + 8 for GET/SET/ACTION; 0x21 for the InitiateRequest). */
static void protect(uint8_t tag, const uint8_t *plain, size_t n, struct buf *out)
{
    uint8_t *body = malloc(n + 1);
    uint8_t t[12];
    memcpy(body, plain, n);
    if (seal(S.sc, S.keys.system_title, S.ic, body, n, t) != 0) {
        fprintf(stderr, "dlms-client: ciphering failed\n");
        exit(EXIT_LINK);
    }
    out->n = 0;
    put_u8(out, tag);
    put_len(out, 5 + n + ((S.sc & 0x10) ? 12 : 0));
    put_u8(out, S.sc);
    put_be(out, S.ic, 4);
    put(out, body, n);
    if (S.sc & 0x10) {
        put(out, t, 12);
    }
    S.ic++;
    free(body);
}

/* Open a glo- or general-glo-ciphered APDU in place; returns 0 and the plain view. */
static int unprotect(uint8_t *apdu, size_t n, uint8_t **plain, size_t *pn)
{
    const uint8_t *p = apdu + 1;
    const uint8_t *end = apdu + n;
    const uint8_t *title = S.server_title;
    if (apdu[0] == 0xDB) {
        if (end - p < 9 || p[0] != 8) {
            return -1;
        }
        title = p + 1;
        p += 9;
    }
    uint32_t blen;
    if (mtr_dlms_axdr_get_length(&p, end, &blen, NULL) != MTR_OK || blen != (size_t)(end - p) ||
        blen < 5) {
        return -1;
    }
    uint8_t sc = p[0];
    uint32_t ic = mtr_get_be32(p + 1);
    p += 5;
    size_t len = blen - 5;
    if (sc & 0x10) {
        if (len < 12) {
            return -1;
        }
        len -= 12;
    }
    if (S.server_ic != 0 && ic <= S.server_ic) {
        fprintf(stderr, "dlms-client: the meter's invocation counter did not increase\n");
        return -1;
    }
    S.server_ic = ic;
    uint8_t *data = (uint8_t *)(uintptr_t)p;
    uint8_t iv[12];
    memcpy(iv, title, 8);
    mtr_put_be32(iv + 8, ic);
    mtr_err_t rc = MTR_OK;
    if ((sc & 0x30) == 0x30) {
        uint8_t aad[17];
        aad[0] = sc;
        memcpy(aad + 1, S.keys.ak, 16);
        rc = S.hal.crypto->gcm_decrypt(NULL, S.keys.ek, iv, 12, aad, 17, data, len, data, data + len,
                                       12);
    } else if (sc & 0x20) {
        uint8_t scratch[12];
        rc = S.hal.crypto->gcm_encrypt(NULL, S.keys.ek, iv, 12, NULL, 0, data, len, data, scratch,
                                       12); /* CTR: encrypting again decrypts */
    } else if (sc & 0x10) {
        uint8_t tag[12];
        if (seal(sc, title, ic, data, len, tag) != 0 || memcmp(tag, data + len, 12) != 0) {
            rc = MTR_ERR_AUTH;
        }
    }
    if (rc != MTR_OK) {
        fprintf(stderr, "dlms-client: the meter's response failed its authentication tag\n");
        return -1;
    }
    *plain = data;
    *pn = len;
    return 0;
}

/* Request -> plain response (ciphered both ways when the association is). */
static int call(const uint8_t *req, size_t n, struct buf *resp, uint8_t **plain, size_t *pn)
{
    struct buf wire = {0};
    const uint8_t *send_b = req;
    size_t send_n = n;
    if (S.sc != 0 && S.associated) {
        protect((uint8_t)(req[0] + 8), req, n, &wire);
        send_b = wire.b;
        send_n = wire.n;
    }
    int rc = link_xfer(send_b, send_n, resp);
    free(wire.b);
    if (rc != 0) {
        return -1;
    }
    if (resp->n == 0) {
        fprintf(stderr, "dlms-client: empty response\n");
        return -1;
    }
    uint8_t t = resp->b[0];
    if (S.sc != 0 && ((t >= 0xCC && t <= 0xCF) || t == 0xDB || (t >= 0xD4 && t <= 0xD7))) {
        if (unprotect(resp->b, resp->n, plain, pn) != 0) {
            return -1;
        }
        hexdump("< plain ", *plain, *pn);
        return 0;
    }
    *plain = resp->b;
    *pn = resp->n;
    return 0;
}

/* ------------------------------------------------------------------ ACSE */

static void put_oid(struct buf *o, uint8_t a, uint8_t b)
{
    static const uint8_t pfx[5] = {0x60, 0x85, 0x74, 0x05, 0x08}; /* 2.16.756.5.8 */
    put(o, pfx, 5);
    put_u8(o, a);
    put_u8(o, b);
}

static const char *aare_diag(unsigned d)
{
    switch (d) {
    case 1:
        return "no reason given (unknown client SAP, or already associated)";
    case 2:
        return "application context name not supported";
    case 3:
        return "calling AP title not recognised";
    case 11:
        return "authentication mechanism not recognised";
    case 12:
        return "authentication mechanism required";
    case 13:
        return "authentication failure (wrong password)";
    case 14:
        return "authentication required";
    default:
        return "refused";
    }
}

static int associate(void)
{
    const bool ciphered = S.sc != 0;
    uint8_t ctos[16];
    const uint8_t mech = O.hls ? MTR_DLMS_MECH_HLS_GMAC
                               : (O.password_len > 0 ? MTR_DLMS_MECH_LLS : MTR_DLMS_MECH_NONE);
    /* InitiateRequest (A-XDR): no dedicated key, response-allowed, no QoS, version 6 */
    struct buf ui = {0};
    put_u8(&ui, 0x01);
    put_u8(&ui, 0x00);
    put_u8(&ui, 0x00);
    put_u8(&ui, 0x00);
    put_u8(&ui, 6);
    put_be(&ui, 0x5F1F0400u, 4);
    put_be(&ui, MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION, 3);
    put_be(&ui, O.max_pdu, 2);
    if (ciphered) {
        struct buf g = {0};
        protect(0x21, ui.b, ui.n, &g); /* glo-initiate-request */
        free(ui.b);
        ui = g;
    }
    struct buf body = {0};
    put_u8(&body, 0xA1); /* application-context-name */
    put_u8(&body, 9);
    put_u8(&body, 0x06);
    put_u8(&body, 7);
    put_oid(&body, 1, ciphered ? 3 : 1);
    if (ciphered || O.hls) {
        put_u8(&body, 0xA6); /* calling-AP-title */
        put_u8(&body, 10);
        put_u8(&body, 0x04);
        put_u8(&body, 8);
        put(&body, S.keys.system_title, 8);
    }
    if (mech != MTR_DLMS_MECH_NONE) {
        static const uint8_t req[4] = {0x8A, 2, 0x07, 0x80}; /* sender-acse-requirements */
        put(&body, req, 4);
        put_u8(&body, 0x8B); /* mechanism-name */
        put_u8(&body, 7);
        put_oid(&body, 2, mech);
        const uint8_t *av = O.password_bin;
        size_t avn = (size_t)O.password_len;
        if (O.hls) {
            for (size_t i = 0; i < sizeof ctos; i++) {
                ctos[i] = (uint8_t)rand();
            }
            av = ctos;
            avn = sizeof ctos;
        }
        put_u8(&body, 0xAC); /* calling-authentication-value: charstring */
        put_u8(&body, (uint8_t)(avn + 2));
        put_u8(&body, 0x80);
        put_u8(&body, (uint8_t)avn);
        put(&body, av, avn);
    }
    put_u8(&body, 0xBE); /* user-information */
    put_len(&body, ui.n + 2);
    put_u8(&body, 0x04);
    put_len(&body, ui.n);
    put(&body, ui.b, ui.n);
    struct buf aarq = {0};
    put_u8(&aarq, 0x60);
    put_len(&aarq, body.n);
    put(&aarq, body.b, body.n);
    free(body.b);
    free(ui.b);

    struct buf resp = {0};
    int rc = link_xfer(aarq.b, aarq.n, &resp);
    free(aarq.b);
    if (rc != 0) {
        free(resp.b);
        return -1;
    }
    /* AARE: BER fields of [APPLICATION 1] */
    const uint8_t *p = resp.b;
    const uint8_t *end = resp.b + resp.n;
    unsigned result = 255, diag = 0;
    const uint8_t *stoc = NULL;
    size_t stoc_len = 0;
    const uint8_t *rui = NULL;
    size_t rui_len = 0;
    uint32_t total;
    if (resp.n < 2 || p[0] != 0x61) {
        fprintf(stderr, "dlms-client: the meter answered the AARQ with tag 0x%02X\n",
                resp.n ? p[0] : 0);
        free(resp.b);
        return -1;
    }
    p++;
    if (mtr_dlms_axdr_get_length(&p, end, &total, NULL) != MTR_OK || total != (size_t)(end - p)) {
        fprintf(stderr, "dlms-client: malformed AARE\n");
        free(resp.b);
        return -1;
    }
    while (p + 2 <= end) {
        uint8_t tag = *p++;
        uint32_t len;
        if (mtr_dlms_axdr_get_length(&p, end, &len, NULL) != MTR_OK || len > (size_t)(end - p)) {
            break;
        }
        const uint8_t *v = p;
        p += len;
        switch (tag) {
        case 0xA2: /* result */
            if (len == 3) {
                result = v[2];
            }
            break;
        case 0xA3: /* result-source-diagnostic */
            if (len == 5) {
                diag = v[4];
            }
            break;
        case 0xA4: /* responding-AP-title */
            if (len == 10 && v[1] == 8) {
                memcpy(S.server_title, v + 2, 8);
                S.has_server_title = true;
            }
            break;
        case 0xAA: /* responding-authentication-value */
            if (len >= 2 && v[0] == 0x80 && (size_t)v[1] + 2 <= len) {
                stoc = v + 2;
                stoc_len = v[1];
            }
            break;
        case 0xBE:
            if (len >= 2 && v[0] == 0x04) {
                const uint8_t *q = v + 1;
                uint32_t ul;
                if (mtr_dlms_axdr_get_length(&q, v + len, &ul, NULL) == MTR_OK &&
                    ul == (size_t)(v + len - q)) {
                    rui = q;
                    rui_len = ul;
                }
            }
            break;
        default:
            break;
        }
    }
    if (result != 0) {
        fprintf(stderr, "dlms-client: association refused by the meter: %s (diagnostic %u)\n",
                aare_diag(diag), diag);
        free(resp.b);
        return -1;
    }
    /* InitiateResponse, plain (0x08) or glo-initiate-response (0x28) */
    uint8_t *ir = NULL;
    size_t irn = 0;
    if (rui != NULL && rui_len > 0) {
        uint8_t *u = (uint8_t *)(uintptr_t)rui;
        if (u[0] == 0x28) {
            u[0] = 0xCC; /* same body layout as any glo- APDU */
            if (unprotect(u, rui_len, &ir, &irn) != 0) {
                free(resp.b);
                return -1;
            }
        } else {
            ir = u;
            irn = rui_len;
        }
    }
    if (ir == NULL || irn < 14 || ir[0] != 0x08) {
        fprintf(stderr, "dlms-client: the AARE has no InitiateResponse%s\n",
                ir != NULL && ir[0] == 0x0E ? " (confirmed service error)" : "");
        free(resp.b);
        return -1;
    }
    S.conformance = (uint32_t)ir[7] << 16 | (uint32_t)ir[8] << 8 | ir[9];
    S.server_max_pdu = (uint16_t)(ir[10] << 8 | ir[11]);
    S.associated = true;
    if (O.hls) {
        if (stoc == NULL || !S.has_server_title) {
            fprintf(stderr, "dlms-client: HLS: the AARE carries no challenge or title\n");
            free(resp.b);
            return -1;
        }
        /* pass 3: reply_to_HLS_authentication with f(StoC) (Green Book, HLS-GMAC) */
        uint8_t f[17];
        if (mtr_dlms_hls_gmac(&S.hal, &S.keys, S.keys.system_title, S.ic, stoc, stoc_len, f) !=
            MTR_OK) {
            fprintf(stderr, "dlms-client: HLS: GMAC failed\n");
            free(resp.b);
            return -1;
        }
        S.ic++;
        static const uint8_t assoc[6] = {0, 0, 40, 0, 0, 255};
        struct buf act = {0};
        put_u8(&act, 0xC3);
        put_u8(&act, 1);
        put_u8(&act, S.iid);
        put_be(&act, 15, 2);
        put(&act, assoc, 6);
        put_u8(&act, 1);
        put_u8(&act, 1);
        put_u8(&act, 0x09);
        put_u8(&act, 17);
        put(&act, f, 17);
        struct buf r2 = {0};
        uint8_t *pl;
        size_t pln;
        int crc = call(act.b, act.n, &r2, &pl, &pln);
        free(act.b);
        /* pass 4: f(CtoS) from the meter */
        bool ok = crc == 0 && pln >= 6 && pl[0] == 0xC7 && pl[3] == 0;
        if (ok) {
            ok = pln == 4 + 2 + 2 + 17 && pl[4] == 1 && pl[5] == 0 && pl[6] == 0x09 && pl[7] == 17;
            uint8_t g[17];
            ok = ok && mtr_dlms_hls_gmac(&S.hal, &S.keys, S.server_title, mtr_get_be32(pl + 9), ctos,
                                         sizeof ctos, g) == MTR_OK &&
                 memcmp(g, pl + 8, 17) == 0;
            if (!ok) {
                fprintf(stderr, "dlms-client: HLS: the meter's f(CtoS) does not verify\n");
            }
        } else if (crc == 0) {
            fprintf(stderr, "dlms-client: HLS: the meter refused our f(StoC) (wrong keys?)\n");
        }
        free(r2.b);
        if (!ok) {
            free(resp.b);
            return -1;
        }
    }
    free(resp.b);
    return 0;
}

static void release(void)
{
    if (!S.associated) {
        return;
    }
    static const uint8_t rlrq[5] = {0x62, 0x03, 0x80, 0x01, 0x00}; /* reason normal */
    struct buf resp = {0};
    if (link_xfer(rlrq, sizeof rlrq, &resp) == 0 && (resp.n == 0 || resp.b[0] != 0x63)) {
        fprintf(stderr, "dlms-client: release answered with tag 0x%02X\n", resp.n ? resp.b[0] : 0);
    }
    free(resp.b);
    S.associated = false;
}

/* ------------------------------------------------------------------ values */

/* A decoded value tree (from the library's pull decoder). */
struct node {
    struct mtr_dlms_axdr_token t;
    struct node *kid;
    uint32_t nkids;
};

static void free_node(struct node *n)
{
    for (uint32_t i = 0; i < n->nkids; i++) {
        free_node(&n->kid[i]);
    }
    free(n->kid);
    n->kid = NULL;
    n->nkids = 0;
}

static mtr_err_t decode_into(struct mtr_dlms_axdr_reader *r, const uint8_t **p, const uint8_t *end,
                             struct node *n)
{
    mtr_err_t rc = mtr_dlms_axdr_next(r, p, end, &n->t);
    if (rc != MTR_OK) {
        return rc;
    }
    n->kid = NULL;
    n->nkids = 0;
    if (n->t.tag == MTR_DLMS_ARRAY || n->t.tag == MTR_DLMS_STRUCTURE) {
        if (n->t.count > 0) {
            n->kid = calloc(n->t.count, sizeof *n->kid);
            if (n->kid == NULL) {
                return MTR_ERR_FULL;
            }
        }
        for (uint32_t i = 0; i < n->t.count; i++) {
            rc = decode_into(r, p, end, &n->kid[i]);
            n->nkids = i + 1;
            if (rc != MTR_OK) {
                return rc;
            }
        }
    }
    return MTR_OK;
}

/* Decode one whole Data value; the views point into @p b. */
static int decode_value(const uint8_t *b, size_t n, struct node *root)
{
    struct mtr_dlms_axdr_reader r;
    mtr_dlms_axdr_reader_init(&r);
    const uint8_t *p = b;
    memset(root, 0, sizeof *root);
    mtr_err_t rc = decode_into(&r, &p, b + n, root);
    if (rc != MTR_OK || p != b + n) {
        fprintf(stderr, "dlms-client: undecodable value (%s)\n",
                rc != MTR_OK ? mtr_strerror(rc) : "bytes after the value");
        return -1;
    }
    return 0;
}

static bool node_int(const struct node *n, int64_t *v)
{
    uint64_t u;
    if (mtr_dlms_axdr_get_int(&n->t, v) == MTR_OK) {
        return true;
    }
    if (n->t.tag != MTR_DLMS_BOOLEAN && mtr_dlms_axdr_get_uint(&n->t, &u) == MTR_OK &&
        u <= INT64_MAX) {
        *v = (int64_t)u;
        return true;
    }
    return false;
}

/* COSEM date-time (Blue Book 4.1.6.1) as ISO 8601: local time and its offset when known. */
static bool datetime_text(const uint8_t b[12], char *out, size_t cap)
{
    struct mtr_dlms_datetime dt;
    if (mtr_dlms_datetime_decode(b, &dt) != MTR_OK || dt.year == 0xFFFF || dt.month > 12 ||
        dt.day > 31 || dt.hour > 23 || dt.minute > 59) {
        return false;
    }
    unsigned sec = dt.second == 0xFF ? 0 : dt.second;
    if (dt.deviation == MTR_DLMS_DEVIATION_NONE) {
        snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:%02u", dt.year, dt.month, dt.day, dt.hour,
                 dt.minute, sec);
    } else if (dt.deviation == 0) {
        snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:%02uZ", dt.year, dt.month, dt.day, dt.hour,
                 dt.minute, sec);
    } else {
        int off = -dt.deviation; /* deviation: minutes from local time to UTC */
        snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:%02u%c%02d:%02d", dt.year, dt.month, dt.day,
                 dt.hour, dt.minute, sec, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
    }
    return true;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20 || c >= 0x7F) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void print_scalar(FILE *f, const struct node *n, bool json)
{
    const struct mtr_dlms_axdr_token *t = &n->t;
    int64_t v;
    char text[96];
    switch (t->tag) {
    case MTR_DLMS_NULL_DATA:
        fprintf(f, json ? "null" : "null");
        return;
    case MTR_DLMS_BOOLEAN:
        fprintf(f, "%s", t->value[0] ? "true" : "false");
        return;
    case MTR_DLMS_OCTET_STRING:
        if (t->count == 12 && datetime_text(t->value, text, sizeof text)) {
            if (json) {
                json_string(f, text);
            } else {
                fprintf(f, "%s", text);
            }
            return;
        }
        if (json) {
            fputc('"', f);
        }
        for (uint32_t i = 0; i < t->count; i++) {
            fprintf(f, "%02X", t->value[i]);
        }
        if (json) {
            fputc('"', f);
        } else if (t->count == 0) {
            fprintf(f, "(empty)");
        }
        return;
    case MTR_DLMS_VISIBLE_STRING:
    case MTR_DLMS_UTF8_STRING: {
        char *s = malloc((size_t)t->count + 1);
        memcpy(s, t->value, t->count);
        s[t->count] = '\0';
        if (json) {
            json_string(f, s);
        } else {
            fprintf(f, "\"%s\"", s);
        }
        free(s);
        return;
    }
    case MTR_DLMS_BIT_STRING:
        if (json) {
            fputc('"', f);
        }
        for (uint32_t i = 0; i < t->count; i++) {
            fputc(t->value[i / 8] & (0x80 >> (i % 8)) ? '1' : '0', f);
        }
        if (json) {
            fputc('"', f);
        }
        return;
    case MTR_DLMS_DATE_TIME:
        if (datetime_text(t->value, text, sizeof text)) {
            if (json) {
                json_string(f, text);
            } else {
                fprintf(f, "%s", text);
            }
            return;
        }
        break;
    default:
        break;
    }
    uint64_t u;
    if (mtr_dlms_axdr_get_int(t, &v) == MTR_OK) {
        fprintf(f, "%lld", (long long)v);
    } else if (mtr_dlms_axdr_get_uint(t, &u) == MTR_OK) {
        fprintf(f, "%llu", (unsigned long long)u);
    } else {
        if (json) {
            fputc('"', f);
        }
        fprintf(f, "0x");
        for (uint32_t i = 0; i < t->value_len; i++) {
            fprintf(f, "%02X", t->value[i]);
        }
        if (json) {
            fputc('"', f);
        }
    }
}

static void print_value(FILE *f, const struct node *n, bool json)
{
    if (n->t.tag == MTR_DLMS_ARRAY || n->t.tag == MTR_DLMS_STRUCTURE) {
        fputc(json ? '[' : (n->t.tag == MTR_DLMS_ARRAY ? '[' : '{'), f);
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (i) {
                fprintf(f, json ? "," : ", ");
            }
            print_value(f, &n->kid[i], json);
        }
        fputc(json ? ']' : (n->t.tag == MTR_DLMS_ARRAY ? ']' : '}'), f);
        return;
    }
    print_scalar(f, n, json);
}

/* Blue Book unit enumeration (class 3 scaler_unit), the common ones. */
static const char *unit_name(unsigned u)
{
    switch (u) {
    case 1: return "a";
    case 2: return "mo";
    case 3: return "wk";
    case 4: return "d";
    case 5: return "h";
    case 6: return "min";
    case 7: return "s";
    case 8: return "deg";
    case 9: return "degC";
    case 10: return "currency";
    case 27: return "W";
    case 28: return "VA";
    case 29: return "var";
    case 30: return "Wh";
    case 31: return "VAh";
    case 32: return "varh";
    case 33: return "A";
    case 34: return "C";
    case 35: return "V";
    case 44: return "Hz";
    case 56: return "%";
    case 255: return "";
    default: return "?";
    }
}

/* Integer v x 10^scaler as exact decimal text. */
static void scaled_text(int64_t v, int scaler, char *out, size_t cap)
{
    if (scaler >= 0) {
        char zeros[32] = "";
        for (int i = 0; i < scaler && i < 30; i++) {
            zeros[i] = '0';
            zeros[i + 1] = '\0';
        }
        snprintf(out, cap, "%lld%s", (long long)v, v != 0 ? zeros : "");
        return;
    }
    int d = -scaler > 18 ? 18 : -scaler;
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    unsigned long long p = 1;
    for (int i = 0; i < d && i < 19; i++) {
        p *= 10;
    }
    snprintf(out, cap, "%s%llu.%0*llu", v < 0 ? "-" : "", a / p, d, a % p);
}

/* ------------------------------------------------------------------ value parser */

struct vparse {
    const char *s;
    const char *err;
};

static bool vp_word(struct vparse *v, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(v->s, w, n) == 0) {
        v->s += n;
        return true;
    }
    return false;
}

/* The text of a scalar: up to ',' or ')' */
static size_t vp_scalar(struct vparse *v, char *out, size_t cap)
{
    size_t n = 0;
    while (*v->s && *v->s != ',' && *v->s != ')' && n + 1 < cap) {
        out[n++] = *v->s++;
    }
    out[n] = '\0';
    return n;
}

static int civil_dow(int y, int m, int d)
{
    /* ISO weekday 1 = Monday (Sakamoto) */
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3) {
        y -= 1;
    }
    int w = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7; /* 0 = Sunday */
    return w == 0 ? 7 : w;
}

/* "2026-01-31T23:50:00Z" (deviation 0) or without Z (deviation not specified), or UTC seconds. */
static int parse_datetime(const char *s, uint8_t out[12])
{
    struct mtr_dlms_datetime dt = {.hundredths = 0, .deviation = MTR_DLMS_DEVIATION_NONE,
                                   .status = 0};
    char *end = NULL;
    long long secs = strtoll(s, &end, 10);
    if (*s != '\0' && *end == '\0' && secs >= 0) {
        time_t t = (time_t)secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        dt.year = (uint16_t)(tm.tm_year + 1900);
        dt.month = (uint8_t)(tm.tm_mon + 1);
        dt.day = (uint8_t)tm.tm_mday;
        dt.hour = (uint8_t)tm.tm_hour;
        dt.minute = (uint8_t)tm.tm_min;
        dt.second = (uint8_t)tm.tm_sec;
        dt.deviation = 0;
    } else {
        unsigned y, mo, d, h = 0, mi = 0, se = 0;
        char z[4] = "";
        int k = sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%3s", &y, &mo, &d, &h, &mi, &se, z);
        if (k < 3 || (k > 3 && k < 6) || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
            h > 23 || mi > 59 || se > 59 || (k == 7 && strcmp(z, "Z") != 0)) {
            return -1;
        }
        dt.year = (uint16_t)y;
        dt.month = (uint8_t)mo;
        dt.day = (uint8_t)d;
        dt.hour = (uint8_t)h;
        dt.minute = (uint8_t)mi;
        dt.second = (uint8_t)se;
        if (k == 7) {
            dt.deviation = 0;
        }
    }
    dt.dow = (uint8_t)civil_dow(dt.year, dt.month, dt.day);
    if (mtr_dlms_datetime_check(&dt) != MTR_OK) {
        return -1;
    }
    mtr_dlms_datetime_encode(&dt, out);
    return 0;
}

static int parse_obis(const char *s, uint8_t o[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%u-%u:%u.%u.%u.%u%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) {
        if (sscanf(s, "%u.%u.%u.%u.%u.%u%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) {
            return -1;
        }
    }
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255) {
            return -1;
        }
        o[i] = (uint8_t)v[i];
    }
    return 0;
}

static int vp_value(struct vparse *v, struct buf *o, int depth);

/* Hex digits of any length up to ',' or ')' (octet-strings longer than a text buffer). */
static long vp_hex(struct vparse *v, struct buf *out)
{
    size_t len = strcspn(v->s, ",)");
    char *text = strndup(v->s, len);
    if (text == NULL) {
        return -1;
    }
    v->s += len;
    buf_need(out, len / 2 + 1);
    long n = vm_parse_hex_any(text, out->b, len / 2 + 1);
    free(text);
    if (n >= 0) {
        out->n = (size_t)n;
    }
    return n;
}

static int vp_list(struct vparse *v, struct buf *o, uint8_t tag, int depth)
{
    struct buf kids = {0};
    uint32_t n = 0;
    if (*v->s != ')') {
        for (;;) {
            if (vp_value(v, &kids, depth + 1) != 0) {
                free(kids.b);
                return -1;
            }
            n++;
            if (*v->s == ',') {
                v->s++;
                continue;
            }
            break;
        }
    }
    if (*v->s != ')') {
        free(kids.b);
        v->err = "expected ')'";
        return -1;
    }
    v->s++;
    put_u8(o, tag);
    put_len(o, n);
    put(o, kids.b, kids.n);
    free(kids.b);
    return 0;
}

static int vp_value(struct vparse *v, struct buf *o, int depth)
{
    char text[512];
    if (depth > 16) {
        v->err = "nested too deep";
        return -1;
    }
    while (*v->s == ' ') {
        v->s++;
    }
    if (vp_word(v, "struct(")) {
        return vp_list(v, o, MTR_DLMS_STRUCTURE, depth);
    }
    if (vp_word(v, "array(")) {
        return vp_list(v, o, MTR_DLMS_ARRAY, depth);
    }
    if (vp_word(v, "null")) {
        put_u8(o, MTR_DLMS_NULL_DATA);
        return 0;
    }
    static const struct {
        const char *name;
        uint8_t tag;
        int bytes; /* > 0 unsigned, < 0 signed */
    } ints[] = {{"u8:", MTR_DLMS_UNSIGNED, 1},        {"u16:", MTR_DLMS_LONG_UNSIGNED, 2},
                {"u32:", MTR_DLMS_DOUBLE_LONG_UNSIGNED, 4}, {"u64:", MTR_DLMS_LONG64_UNSIGNED, 8},
                {"i8:", MTR_DLMS_INTEGER, -1},        {"i16:", MTR_DLMS_LONG, -2},
                {"i32:", MTR_DLMS_DOUBLE_LONG, -4},   {"i64:", MTR_DLMS_LONG64, -8},
                {"enum:", MTR_DLMS_ENUM, 1},          {"bool:", MTR_DLMS_BOOLEAN, 1}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (!vp_word(v, ints[i].name)) {
            continue;
        }
        vp_scalar(v, text, sizeof text);
        char *end = NULL;
        errno = 0;
        int bytes = ints[i].bytes;
        if (ints[i].tag == MTR_DLMS_BOOLEAN) {
            bool b = strcmp(text, "1") == 0 || strcmp(text, "true") == 0;
            if (!b && strcmp(text, "0") != 0 && strcmp(text, "false") != 0) {
                v->err = "bool wants 0, 1, true or false";
                return -1;
            }
            put_u8(o, MTR_DLMS_BOOLEAN);
            put_u8(o, b);
            return 0;
        }
        if (bytes > 0) {
            unsigned long long x = strtoull(text, &end, 0);
            if (errno || *end || text[0] == '-' || text[0] == '\0' ||
                (bytes < 8 && x >> (8 * bytes) != 0)) {
                v->err = "unsigned number out of range";
                return -1;
            }
            put_u8(o, ints[i].tag);
            put_be(o, x, bytes);
        } else {
            long long x = strtoll(text, &end, 0);
            int nb = -bytes;
            long long lim = nb == 8 ? 0 : 1LL << (8 * nb - 1);
            if (errno || *end || text[0] == '\0' || (nb < 8 && (x < -lim || x >= lim))) {
                v->err = "signed number out of range";
                return -1;
            }
            put_u8(o, ints[i].tag);
            put_be(o, (uint64_t)x, nb);
        }
        return 0;
    }
    if (vp_word(v, "octets:") || vp_word(v, "hex:")) {
        struct buf bytes = {0};
        if (vp_hex(v, &bytes) < 0) {
            free(bytes.b);
            v->err = "octets wants hex digits";
            return -1;
        }
        put_u8(o, MTR_DLMS_OCTET_STRING);
        put_len(o, bytes.n);
        put(o, bytes.b, bytes.n);
        free(bytes.b);
        return 0;
    }
    if (vp_word(v, "string:")) {
        size_t n = vp_scalar(v, text, sizeof text);
        put_u8(o, MTR_DLMS_VISIBLE_STRING);
        put_len(o, n);
        put(o, text, n);
        return 0;
    }
    if (vp_word(v, "obis:")) {
        uint8_t ob[6];
        vp_scalar(v, text, sizeof text);
        if (parse_obis(text, ob) != 0) {
            v->err = "obis wants A-B:C.D.E.F";
            return -1;
        }
        put_u8(o, MTR_DLMS_OCTET_STRING);
        put_u8(o, 6);
        put(o, ob, 6);
        return 0;
    }
    if (vp_word(v, "datetime:")) {
        uint8_t dt[12];
        vp_scalar(v, text, sizeof text);
        if (parse_datetime(text, dt) != 0) {
            v->err = "datetime wants 2026-01-31T23:50:00Z";
            return -1;
        }
        put_u8(o, MTR_DLMS_OCTET_STRING);
        put_u8(o, 12);
        put(o, dt, 12);
        return 0;
    }
    if (vp_word(v, "date:")) {
        unsigned y, m, d;
        vp_scalar(v, text, sizeof text);
        if (sscanf(text, "%4u-%2u-%2u", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
            v->err = "date wants 2026-01-31";
            return -1;
        }
        uint8_t b[5] = {(uint8_t)(y >> 8), (uint8_t)y, (uint8_t)m, (uint8_t)d,
                        (uint8_t)civil_dow((int)y, (int)m, (int)d)};
        put_u8(o, MTR_DLMS_OCTET_STRING);
        put_u8(o, 5);
        put(o, b, 5);
        return 0;
    }
    if (vp_word(v, "time:")) {
        unsigned h, m, s = 0;
        vp_scalar(v, text, sizeof text);
        if (sscanf(text, "%2u:%2u:%2u", &h, &m, &s) < 2 || h > 23 || m > 59 || s > 59) {
            v->err = "time wants 06:00:00";
            return -1;
        }
        uint8_t b[4] = {(uint8_t)h, (uint8_t)m, (uint8_t)s, 0};
        put_u8(o, MTR_DLMS_OCTET_STRING);
        put_u8(o, 4);
        put(o, b, 4);
        return 0;
    }
    if (vp_word(v, "bits:")) {
        size_t n = vp_scalar(v, text, sizeof text);
        uint8_t b[64] = {0};
        if (n == 0 || n > 8 * sizeof b) {
            v->err = "bits wants 0s and 1s";
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (text[i] != '0' && text[i] != '1') {
                v->err = "bits wants 0s and 1s";
                return -1;
            }
            if (text[i] == '1') {
                b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
            }
        }
        put_u8(o, MTR_DLMS_BIT_STRING);
        put_len(o, n);
        put(o, b, (n + 7) / 8);
        return 0;
    }
    /* raw A-XDR hex */
    struct buf raw = {0};
    long n = vp_hex(v, &raw);
    if (n <= 0) {
        free(raw.b);
        v->err = "not a value (A-XDR hex or type:value)";
        return -1;
    }
    put(o, raw.b, raw.n);
    free(raw.b);
    return 0;
}

/* Parse VALUE into one A-XDR Data value, checked by the library's decoder. */
static int parse_value(const char *s, struct buf *o)
{
    struct vparse v = {.s = s, .err = NULL};
    o->n = 0;
    if (vp_value(&v, o, 0) != 0 || *v.s != '\0') {
        fprintf(stderr, "dlms-client: value '%s': %s\n", s, v.err ? v.err : "trailing characters");
        return -1;
    }
    const uint8_t *p = o->b;
    if (mtr_dlms_axdr_skip(&p, o->b + o->n) != MTR_OK || p != o->b + o->n) {
        fprintf(stderr, "dlms-client: value '%s' is not one A-XDR Data value\n", s);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ services */

static const char *dar_name(unsigned d)
{
    switch (d) {
    case 0: return "success";
    case 1: return "hardware-fault";
    case 2: return "temporary-failure";
    case 3: return "read-write-denied";
    case 4: return "object-undefined";
    case 9: return "object-class-inconsistent";
    case 11: return "object-unavailable";
    case 12: return "type-unmatched";
    case 13: return "scope-of-access-violated";
    case 14: return "data-block-unavailable";
    case 15: return "long-get-aborted";
    case 16: return "no-long-get-in-progress";
    case 17: return "long-set-aborted";
    case 18: return "no-long-set-in-progress";
    case 19: return "data-block-number-invalid";
    default: return "other-reason";
    }
}

static const char *exception_text(const uint8_t *p, size_t n)
{
    if (n >= 3 && p[2] == 2) {
        return "exception-response: service not supported";
    }
    if (n >= 3 && p[2] == 1) {
        return "exception-response: operation not possible";
    }
    if (n >= 2 && p[1] == 1) {
        return "exception-response: service not allowed (no association, policy or rights)";
    }
    return "exception-response";
}

/* Result of a service: 0 ok; > 0 a data-access-result (+1000: exception); < 0 link error. */
struct result {
    int status; /* 0 ok, 1 dar/action-result, 2 exception, -1 link */
    unsigned code;
    struct buf data; /* the value (GET: all blocks joined) */
    bool has_data;
    const char *text;
};

static void result_free(struct result *r)
{
    free(r->data.b);
    memset(r, 0, sizeof *r);
}

static void put_desc(struct buf *o, uint16_t cls, const uint8_t obis[6], uint8_t id)
{
    put_be(o, cls, 2);
    put(o, obis, 6);
    put_u8(o, id);
}

static int service_get(uint16_t cls, const uint8_t obis[6], uint8_t attr, const struct buf *sel,
                       uint8_t selector, struct result *res)
{
    struct buf req = {0}, resp = {0};
    memset(res, 0, sizeof *res);
    put_u8(&req, 0xC0);
    put_u8(&req, 1);
    put_u8(&req, S.iid);
    put_desc(&req, cls, obis, attr);
    if (selector != 0) {
        put_u8(&req, 1);
        put_u8(&req, selector);
        put(&req, sel->b, sel->n);
    } else {
        put_u8(&req, 0);
    }
    uint32_t expect = 1;
    int rc = -1;
    for (;;) {
        uint8_t *pl;
        size_t n;
        if (call(req.b, req.n, &resp, &pl, &n) != 0) {
            res->status = -1;
            goto out;
        }
        if (n >= 1 && pl[0] == 0xD8) {
            res->status = 2;
            res->text = exception_text(pl, n);
            rc = 0;
            goto out;
        }
        if (n < 4 || pl[0] != 0xC4) {
            fprintf(stderr, "dlms-client: unexpected answer to GET (tag 0x%02X)\n", n ? pl[0] : 0);
            res->status = -1;
            goto out;
        }
        if (pl[1] == 1) { /* get-response-normal */
            if (pl[3] == 1 && n == 5) {
                res->status = 1;
                res->code = pl[4];
            } else if (pl[3] == 0) {
                put(&res->data, pl + 4, n - 4);
                res->has_data = true;
            } else {
                res->status = -1;
                goto out;
            }
            rc = 0;
            goto out;
        }
        if (pl[1] != 2 || n < 10) { /* get-response-with-datablock */
            res->status = -1;
            goto out;
        }
        uint32_t block = mtr_get_be32(pl + 4);
        if (block != expect) {
            fprintf(stderr, "dlms-client: block %lu received, %lu expected\n",
                    (unsigned long)block, (unsigned long)expect);
            res->status = -1;
            goto out;
        }
        S.blocks++;
        if (pl[8] == 1) {
            res->status = 1;
            res->code = pl[9];
            rc = 0;
            goto out;
        }
        const uint8_t *p = pl + 9;
        uint32_t raw;
        if (mtr_dlms_axdr_get_length(&p, pl + n, &raw, NULL) != MTR_OK ||
            raw != (size_t)(pl + n - p)) {
            fprintf(stderr, "dlms-client: malformed data block\n");
            res->status = -1;
            goto out;
        }
        put(&res->data, p, raw);
        if (pl[3]) { /* last block */
            res->has_data = true;
            rc = 0;
            goto out;
        }
        /* GET-request-next */
        req.n = 0;
        put_u8(&req, 0xC0);
        put_u8(&req, 2);
        put_u8(&req, S.iid);
        put_be(&req, expect, 4);
        expect++;
    }
out:
    free(req.b);
    free(resp.b);
    return rc;
}

static int service_set(uint16_t cls, const uint8_t obis[6], uint8_t attr, const struct buf *val,
                       struct result *res)
{
    struct buf req = {0}, resp = {0};
    memset(res, 0, sizeof *res);
    put_u8(&req, 0xC1);
    put_u8(&req, 1);
    put_u8(&req, S.iid);
    put_desc(&req, cls, obis, attr);
    put_u8(&req, 0);
    put(&req, val->b, val->n);
    uint8_t *pl;
    size_t n;
    int rc = -1;
    if (call(req.b, req.n, &resp, &pl, &n) != 0) {
        res->status = -1;
    } else if (n >= 1 && pl[0] == 0xD8) {
        res->status = 2;
        res->text = exception_text(pl, n);
        rc = 0;
    } else if (n == 4 && pl[0] == 0xC5 && pl[1] == 1) {
        res->status = pl[3] == 0 ? 0 : 1;
        res->code = pl[3];
        rc = 0;
    } else {
        fprintf(stderr, "dlms-client: unexpected answer to SET\n");
        res->status = -1;
    }
    free(req.b);
    free(resp.b);
    return rc;
}

static int service_action(uint16_t cls, const uint8_t obis[6], uint8_t method,
                          const struct buf *val, struct result *res)
{
    struct buf req = {0}, resp = {0};
    memset(res, 0, sizeof *res);
    put_u8(&req, 0xC3);
    put_u8(&req, 1);
    put_u8(&req, S.iid);
    put_desc(&req, cls, obis, method);
    if (val != NULL) {
        put_u8(&req, 1);
        put(&req, val->b, val->n);
    } else {
        put_u8(&req, 0);
    }
    uint8_t *pl;
    size_t n;
    int rc = -1;
    if (call(req.b, req.n, &resp, &pl, &n) != 0) {
        res->status = -1;
    } else if (n >= 1 && pl[0] == 0xD8) {
        res->status = 2;
        res->text = exception_text(pl, n);
        rc = 0;
    } else if (n >= 5 && pl[0] == 0xC7 && pl[1] == 1) {
        res->status = pl[3] == 0 ? 0 : 1;
        res->code = pl[3];
        if (pl[4] == 1 && n >= 7 && pl[5] == 0) {
            put(&res->data, pl + 6, n - 6);
            res->has_data = true;
        }
        rc = 0;
    } else {
        fprintf(stderr, "dlms-client: unexpected answer to ACTION\n");
        res->status = -1;
    }
    free(req.b);
    free(resp.b);
    return rc;
}

/* ------------------------------------------------------------------ commands */

static void print_head(const char *cmd, const uint8_t obis[6], unsigned cls, unsigned id)
{
    if (O.json) {
        printf("{\"command\":\"%s\",\"obis\":\"%u-%u:%u.%u.%u.%u\",\"class\":%u,\"%s\":%u", cmd,
               obis[0], obis[1], obis[2], obis[3], obis[4], obis[5], cls,
               strcmp(cmd, "action") == 0 ? "method" : "attribute", id);
    } else {
        printf("%u-%u:%u.%u.%u.%u %u/%u", obis[0], obis[1], obis[2], obis[3], obis[4], obis[5], cls,
               id);
    }
}

/* Print the outcome of a service; returns the exit contribution. */
static int print_result(const struct result *r)
{
    if (r->status == 0) {
        return 0;
    }
    const char *text = r->status == 2 ? r->text : dar_name(r->code);
    if (O.json) {
        printf(",\"ok\":false,\"error\":");
        json_string(stdout, text);
        if (r->status == 1) {
            printf(",\"code\":%u", r->code);
        }
        printf("}\n");
    } else {
        printf(": %s", text);
        if (r->status == 1) {
            printf(" (%u)", r->code);
        }
        printf("\n");
    }
    return EXIT_DLMS;
}

static int cmd_get(const uint8_t obis[6], uint16_t cls, uint8_t attr)
{
    struct result r, su;
    memset(&su, 0, sizeof su);
    if (service_get(cls, obis, attr, NULL, 0, &r) != 0) {
        return EXIT_LINK;
    }
    print_head("get", obis, cls, attr);
    if (r.status != 0) {
        int rc = print_result(&r);
        result_free(&r);
        return rc;
    }
    struct node v;
    if (decode_value(r.data.b, r.data.n, &v) != 0) {
        result_free(&r);
        printf("\n");
        return EXIT_DLMS;
    }
    /* registers (class 3, 4) and extended/demand registers: scaler and unit (attribute 3) */
    int64_t raw;
    bool scaled = false;
    int scaler = 0;
    unsigned unit = 255;
    if ((cls == 3 || cls == 4 || cls == 5) && attr == 2 && node_int(&v, &raw)) {
        struct node s;
        if (service_get(cls, obis, cls == 5 ? 4 : 3, NULL, 0, &su) == 0 && su.status == 0 &&
            decode_value(su.data.b, su.data.n, &s) == 0) {
            int64_t sc, un;
            if (s.t.tag == MTR_DLMS_STRUCTURE && s.nkids == 2 && node_int(&s.kid[0], &sc) &&
                node_int(&s.kid[1], &un)) {
                scaled = true;
                scaler = (int)sc;
                unit = (unsigned)un;
            }
            free_node(&s);
        }
    }
    char text[64];
    if (O.json) {
        printf(",\"ok\":true,\"value\":");
        print_value(stdout, &v, true);
        if (scaled) {
            scaled_text(raw, scaler, text, sizeof text);
            printf(",\"scaler\":%d,\"unit\":", scaler);
            json_string(stdout, unit_name(unit));
            printf(",\"scaled\":%s", text);
        }
        printf("}\n");
    } else {
        printf(" = ");
        if (scaled) {
            scaled_text(raw, scaler, text, sizeof text);
            printf("%s %s", text, unit_name(unit));
        } else {
            print_value(stdout, &v, false);
        }
        printf("\n");
    }
    free_node(&v);
    result_free(&r);
    result_free(&su);
    return 0;
}

static int cmd_set(const uint8_t obis[6], uint16_t cls, uint8_t attr, const char *value)
{
    struct buf val = {0};
    if (parse_value(value, &val) != 0) {
        free(val.b);
        return EXIT_USAGE;
    }
    struct result r;
    int rc = service_set(cls, obis, attr, &val, &r);
    free(val.b);
    if (rc != 0) {
        return EXIT_LINK;
    }
    print_head("set", obis, cls, attr);
    if (r.status != 0) {
        rc = print_result(&r);
    } else {
        printf(O.json ? ",\"ok\":true}\n" : ": ok\n");
    }
    result_free(&r);
    return rc;
}

static int cmd_action(const uint8_t obis[6], uint16_t cls, uint8_t method, const char *value)
{
    struct buf val = {0};
    /* Blue Book methods without a meaningful parameter take integer 0 (data ::= integer(0)) */
    if (parse_value(value != NULL ? value : "i8:0", &val) != 0) {
        free(val.b);
        return EXIT_USAGE;
    }
    struct result r;
    int rc = service_action(cls, obis, method, &val, &r);
    free(val.b);
    if (rc != 0) {
        return EXIT_LINK;
    }
    print_head("action", obis, cls, method);
    if (r.status != 0) {
        rc = print_result(&r);
    } else {
        struct node v;
        bool shown = r.has_data && decode_value(r.data.b, r.data.n, &v) == 0;
        if (O.json) {
            printf(",\"ok\":true");
            if (shown) {
                printf(",\"value\":");
                print_value(stdout, &v, true);
            }
            printf("}\n");
        } else {
            printf(": ok");
            if (shown) {
                printf(" = ");
                print_value(stdout, &v, false);
            }
            printf("\n");
        }
        if (shown) {
            free_node(&v);
        }
    }
    result_free(&r);
    return rc;
}

struct prof_args {
    bool range, entries, columns;
    char from[64], to[64];
    unsigned long a, b, c1, c2;
};

static const char *column_name(const struct node *def, char *buf, size_t cap)
{
    int64_t cls = 0, attr = 0;
    if (def->t.tag != MTR_DLMS_STRUCTURE || def->nkids < 3 || !node_int(&def->kid[0], &cls) ||
        def->kid[1].t.tag != MTR_DLMS_OCTET_STRING || def->kid[1].t.count != 6 ||
        !node_int(&def->kid[2], &attr)) {
        snprintf(buf, cap, "?");
        return buf;
    }
    const uint8_t *o = def->kid[1].t.value;
    snprintf(buf, cap, "%u-%u:%u.%u.%u.%u/%lld", o[0], o[1], o[2], o[3], o[4], o[5], (long long)attr);
    return buf;
}

static int cmd_profile(const uint8_t obis[6], const struct prof_args *pa)
{
    /* capture objects (attribute 3): the column names */
    struct result co;
    struct node cols;
    bool have_cols = false;
    if (service_get(7, obis, 3, NULL, 0, &co) != 0) {
        return EXIT_LINK;
    }
    if (co.status == 0 && decode_value(co.data.b, co.data.n, &cols) == 0 &&
        cols.t.tag == MTR_DLMS_ARRAY) {
        have_cols = true;
    }
    struct buf sel = {0};
    uint8_t selector = 0;
    if (pa->range) {
        uint8_t f[12], t[12];
        if (parse_datetime(pa->from, f) != 0 || parse_datetime(pa->to, t) != 0) {
            fprintf(stderr, "dlms-client: --from/--to want 2026-01-31T00:00:00Z or UTC seconds\n");
            result_free(&co);
            if (have_cols) {
                free_node(&cols);
            }
            return EXIT_USAGE;
        }
        /* range_descriptor (Blue Book class 7, selector 1) */
        static const uint8_t clock_obis[6] = {0, 0, 1, 0, 0, 255};
        selector = 1;
        put_u8(&sel, MTR_DLMS_STRUCTURE);
        put_u8(&sel, 4);
        put_u8(&sel, MTR_DLMS_STRUCTURE); /* restricting_object: the clock's time */
        put_u8(&sel, 4);
        put_u8(&sel, MTR_DLMS_LONG_UNSIGNED);
        put_be(&sel, 8, 2);
        put_u8(&sel, MTR_DLMS_OCTET_STRING);
        put_u8(&sel, 6);
        put(&sel, clock_obis, 6);
        put_u8(&sel, MTR_DLMS_INTEGER);
        put_u8(&sel, 2);
        put_u8(&sel, MTR_DLMS_LONG_UNSIGNED);
        put_be(&sel, 0, 2);
        put_u8(&sel, MTR_DLMS_OCTET_STRING);
        put_u8(&sel, 12);
        put(&sel, f, 12);
        put_u8(&sel, MTR_DLMS_OCTET_STRING);
        put_u8(&sel, 12);
        put(&sel, t, 12);
        put_u8(&sel, MTR_DLMS_ARRAY); /* selected_values: the columns */
        if (pa->columns && have_cols) {
            unsigned long last = pa->c2 == 0 ? cols.nkids : pa->c2;
            unsigned long first = pa->c1 == 0 ? 1 : pa->c1;
            if (first > last || last > cols.nkids) {
                fprintf(stderr, "dlms-client: --columns outside 1..%u\n", cols.nkids);
                free(sel.b);
                result_free(&co);
                free_node(&cols);
                return EXIT_USAGE;
            }
            put_len(&sel, last - first + 1);
            for (unsigned long k = first; k <= last; k++) {
                const struct node *d = &cols.kid[k - 1];
                /* re-encode the capture object definition as read */
                put_u8(&sel, MTR_DLMS_STRUCTURE);
                put_u8(&sel, (uint8_t)d->nkids);
                for (uint32_t j = 0; j < d->nkids; j++) {
                    const struct mtr_dlms_axdr_token *tk = &d->kid[j].t;
                    put_u8(&sel, tk->tag);
                    if (tk->tag == MTR_DLMS_OCTET_STRING) {
                        put_len(&sel, tk->count);
                    }
                    put(&sel, tk->value, tk->value_len);
                }
            }
        } else {
            put_u8(&sel, 0);
        }
    } else if (pa->entries) {
        selector = 2; /* entry_descriptor */
        put_u8(&sel, MTR_DLMS_STRUCTURE);
        put_u8(&sel, 4);
        put_u8(&sel, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
        put_be(&sel, pa->a, 4);
        put_u8(&sel, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
        put_be(&sel, pa->b, 4);
        put_u8(&sel, MTR_DLMS_LONG_UNSIGNED);
        put_be(&sel, pa->columns ? pa->c1 : 1, 2);
        put_u8(&sel, MTR_DLMS_LONG_UNSIGNED);
        put_be(&sel, pa->columns ? pa->c2 : 0, 2);
    }
    uint32_t blocks0 = S.blocks;
    uint64_t rx0 = L.rx_bytes, tx0 = L.tx_bytes, t0 = mono_ms();
    struct result r;
    int rc = service_get(7, obis, 2, &sel, selector, &r);
    uint64_t ms = mono_ms() - t0;
    free(sel.b);
    if (rc != 0) {
        result_free(&co);
        if (have_cols) {
            free_node(&cols);
        }
        return EXIT_LINK;
    }
    print_head("profile", obis, 7, 2);
    if (r.status != 0) {
        rc = print_result(&r);
        result_free(&r);
        result_free(&co);
        if (have_cols) {
            free_node(&cols);
        }
        return rc;
    }
    struct node buf;
    if (decode_value(r.data.b, r.data.n, &buf) != 0 || buf.t.tag != MTR_DLMS_ARRAY) {
        printf("\n");
        result_free(&r);
        result_free(&co);
        if (have_cols) {
            free_node(&cols);
        }
        return EXIT_DLMS;
    }
    unsigned long first_col = pa->columns && pa->c1 > 0 ? pa->c1 : 1;
    char name[64];
    if (O.json) {
        printf(",\"ok\":true,\"entries\":%u,\"blocks\":%u,\"bytes\":%zu,\"ms\":%llu,\"wire_rx\":%llu,"
               "\"wire_tx\":%llu,\"columns\":[",
               buf.nkids, S.blocks - blocks0, r.data.n, (unsigned long long)ms,
               (unsigned long long)(L.rx_bytes - rx0), (unsigned long long)(L.tx_bytes - tx0));
        uint32_t ncol = buf.nkids > 0 ? buf.kid[0].nkids : 0;
        for (uint32_t c = 0; c < ncol; c++) {
            unsigned long k = first_col + c;
            if (c) {
                printf(",");
            }
            json_string(stdout, have_cols && k <= cols.nkids
                                    ? column_name(&cols.kid[k - 1], name, sizeof name)
                                    : "?");
        }
        printf("],\"rows\":");
        print_value(stdout, &buf, true);
        printf("}\n");
    } else {
        printf(": %u entries in %u blocks (%zu bytes)\n", buf.nkids, S.blocks - blocks0, r.data.n);
        if (buf.nkids > 0) {
            printf("#");
            for (uint32_t c = 0; c < buf.kid[0].nkids; c++) {
                unsigned long k = first_col + c;
                printf(" %s", have_cols && k <= cols.nkids
                                  ? column_name(&cols.kid[k - 1], name, sizeof name)
                                  : "?");
            }
            printf("\n");
        }
        for (uint32_t i = 0; i < buf.nkids; i++) {
            const struct node *row = &buf.kid[i];
            for (uint32_t c = 0; c < row->nkids; c++) {
                printf(c ? " " : "");
                print_value(stdout, &row->kid[c], false);
            }
            printf("\n");
        }
    }
    free_node(&buf);
    result_free(&r);
    result_free(&co);
    if (have_cols) {
        free_node(&cols);
    }
    return 0;
}

/* ------------------------------------------------------------------ image transfer */

/* Image transfer object (class 18, Blue Book 4.4.6; seed ST402 section 11.3). */
static const uint8_t IMAGE_OBIS[6] = {0, 0, 44, 0, 0, 255};
#define IMAGE_CLASS 18

struct image_args {
    const char *file;
    uint8_t id[64]; /* MTR_IMAGE_ID_MAX */
    size_t id_len;
    bool no_activate;
};

static const char *image_status_name(int64_t s)
{
    static const char *const names[] = {"not initiated",          "transfer initiated",
                                        "verification initiated", "verification successful",
                                        "verification failed",    "activation initiated",
                                        "activation successful",  "activation failed"};
    return s >= 0 && s < 8 ? names[s] : "?";
}

/* An integer attribute of the image transfer object; 0 or the failed result in @p r. */
static int image_get_int(uint8_t attr, int64_t *v, struct result *r)
{
    if (service_get(IMAGE_CLASS, IMAGE_OBIS, attr, NULL, 0, r) != 0) {
        return -1;
    }
    if (r->status != 0) {
        return 1;
    }
    struct node n;
    int rc = decode_value(r->data.b, r->data.n, &n) == 0 && node_int(&n, v) ? 0 : -1;
    if (rc == 0) {
        free_node(&n);
    } else {
        fprintf(stderr, "dlms-client: attribute %u of the image transfer object is not a number\n",
                attr);
    }
    result_free(r);
    return rc;
}

/*
 * image_transfer_status until it leaves @p busy (verification or activation
 * initiated: a meter that checks in the background answers temporary-failure
 * first), at most the --timeout.
 */
static int image_poll(int64_t busy, int64_t *status, struct result *r)
{
    uint64_t deadline = mono_ms() + (uint64_t)O.timeout_ms;
    for (;;) {
        int rc = image_get_int(6, status, r);
        if (rc != 0 || *status != busy || mono_ms() >= deadline) {
            return rc;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The outcome of the image command (one line of text or one JSON object). */
struct image_report {
    const struct image_args *ia;
    size_t size;
    int64_t block_size, blocks, sent, status;
    bool verified, activated;
    const char *step; /* the step that failed, NULL: all done */
    struct result r;  /* its result */
    const char *why;  /* or a reason of the client's */
    uint64_t ms;
};

static int image_print(struct image_report *p)
{
    const char *err = p->why != NULL ? p->why
                      : p->r.status == 2 ? p->r.text
                      : p->step != NULL  ? dar_name(p->r.code)
                                         : NULL;
    char id[2 * sizeof p->ia->id + 1];
    bool printable = p->ia->id_len > 0;
    for (size_t i = 0; i < p->ia->id_len; i++) {
        printable = printable && p->ia->id[i] >= 0x20 && p->ia->id[i] < 0x7F;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->ia->id_len; i++) {
        k += (size_t)snprintf(id + k, sizeof id - k, printable ? "%c" : "%02X", p->ia->id[i]);
    }
    id[k] = '\0';
    if (O.json) {
        printf("{\"command\":\"image\",\"obis\":\"0-0:44.0.0.255\",\"class\":18,\"file\":");
        json_string(stdout, p->ia->file);
        printf(",\"identifier\":");
        json_string(stdout, id);
        printf(",\"size\":%zu,\"block_size\":%lld,\"blocks\":%lld,\"sent\":%lld,\"verified\":%s,"
               "\"activated\":%s",
               p->size, (long long)p->block_size, (long long)p->blocks, (long long)p->sent,
               p->verified ? "true" : "false", p->activated ? "true" : "false");
        if (p->status >= 0) {
            printf(",\"status\":%lld,\"status_text\":", (long long)p->status);
            json_string(stdout, image_status_name(p->status));
        }
        printf(",\"ms\":%llu,\"ok\":%s", (unsigned long long)p->ms, err == NULL ? "true" : "false");
        if (err != NULL) {
            printf(",\"step\":");
            json_string(stdout, p->step != NULL ? p->step : "client");
            printf(",\"error\":");
            json_string(stdout, err);
            if (p->why == NULL && p->r.status == 1) {
                printf(",\"code\":%u", p->r.code);
            }
        }
        printf("}\n");
    } else {
        printf("0-0:44.0.0.255 18 image %s: %s, %zu bytes", p->ia->file, id, p->size);
        if (p->blocks > 0) {
            printf(", %lld blocks of %lld bytes (%lld sent)", (long long)p->blocks,
                   (long long)p->block_size, (long long)p->sent);
        }
        if (p->verified) {
            printf(", verified");
        }
        if (p->activated) {
            printf(", activated");
        }
        if (err != NULL) {
            printf(": %s: %s", p->step != NULL ? p->step : "client", err);
            if (p->why == NULL && p->r.status == 1) {
                printf(" (%u)", p->r.code);
            }
        }
        if (p->status >= 0) {
            printf("; status %lld (%s)", (long long)p->status, image_status_name(p->status));
        }
        printf("\n");
    }
    result_free(&p->r);
    return err == NULL ? 0 : EXIT_DLMS;
}

/* One method of the image transfer object; 0 success, 1 refused (in @p r), -1 link. */
static int image_method(uint8_t method, const struct buf *val, struct result *r)
{
    if (service_action(IMAGE_CLASS, IMAGE_OBIS, method, val, r) != 0) {
        return -1;
    }
    return r->status == 0 ? 0 : 1;
}

/*
 * image FILE: image_block_size, image_transfer_initiate, the blocks from
 * image_first_not_transferred_block_number on (a transfer of the same
 * identifier and size resumes), image_verify, image_activate, with
 * image_transfer_status read after each of the last two (Blue Book 4.4.6.4).
 */
static int cmd_image(const struct image_args *ia)
{
    struct image_report p;
    memset(&p, 0, sizeof p);
    p.ia = ia;
    p.status = -1;
    uint64_t t0 = mono_ms();
    FILE *f = fopen(ia->file, "rb");
    struct buf img = {0};
    if (f == NULL) {
        fprintf(stderr, "dlms-client: %s: %s\n", ia->file, strerror(errno));
        return EXIT_USAGE;
    }
    uint8_t chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        put(&img, chunk, k);
    }
    fclose(f);
    p.size = img.n;
    int rc = 0;
    struct buf val = {0};
    int64_t v = 0;
    if (img.n == 0 || img.n > 0xFFFFFFFFu) {
        p.why = "the image must hold 1 to 4294967295 bytes";
        goto done;
    }
    /* the block size the meter wants */
    p.step = "image_block_size";
    if ((rc = image_get_int(2, &p.block_size, &p.r)) != 0) {
        goto done;
    }
    if (p.block_size < 1 || p.block_size > 0xFFFF) {
        p.why = "the meter's image_block_size is not 1..65535";
        goto done;
    }
    /* ACTION-request of one block: 24 bytes around it, 21 more when ciphered, and the
     * length of its octet-string */
    if (S.server_max_pdu != 0 &&
        (size_t)p.block_size + 24u + (S.sc ? 21u : 0u) + 3u > S.server_max_pdu) {
        p.why = "a block does not fit the meter's PDU size";
        goto done;
    }
    p.blocks = ((int64_t)img.n + p.block_size - 1) / p.block_size;
    /* image_transfer_initiate {identifier, size} */
    p.step = "image_transfer_initiate";
    put_u8(&val, MTR_DLMS_STRUCTURE);
    put_u8(&val, 2);
    put_u8(&val, MTR_DLMS_OCTET_STRING);
    put_len(&val, ia->id_len);
    put(&val, ia->id, ia->id_len);
    put_u8(&val, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
    put_be(&val, img.n, 4);
    if ((rc = image_method(1, &val, &p.r)) != 0) {
        goto done;
    }
    result_free(&p.r);
    p.step = "image_first_not_transferred_block_number";
    if ((rc = image_get_int(4, &v, &p.r)) != 0) {
        goto done;
    }
    /* the blocks */
    for (int64_t n = v < 0 ? 0 : v; n < p.blocks; n++) {
        size_t off = (size_t)(n * p.block_size);
        size_t len = img.n - off < (size_t)p.block_size ? img.n - off : (size_t)p.block_size;
        val.n = 0;
        put_u8(&val, MTR_DLMS_STRUCTURE);
        put_u8(&val, 2);
        put_u8(&val, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
        put_be(&val, (uint64_t)n, 4);
        put_u8(&val, MTR_DLMS_OCTET_STRING);
        put_len(&val, len);
        put(&val, img.b + off, len);
        p.step = "image_block_transfer";
        if ((rc = image_method(2, &val, &p.r)) != 0) {
            if (rc > 0) {
                fprintf(stderr, "dlms-client: block %lld refused\n", (long long)n);
            }
            goto done;
        }
        result_free(&p.r);
        p.sent++;
        if (O.verbose) {
            fprintf(stderr, "dlms-client: block %lld of %lld sent\n", (long long)n + 1,
                    (long long)p.blocks);
        }
    }
    p.step = "image_first_not_transferred_block_number";
    if ((rc = image_get_int(4, &v, &p.r)) != 0) {
        goto done;
    }
    if (v != p.blocks) {
        p.why = "the meter misses blocks after the transfer";
        goto done;
    }
    /* image_verify(0), then the status (temporary-failure: the meter checks in the background) */
    val.n = 0;
    put_u8(&val, MTR_DLMS_INTEGER);
    put_u8(&val, 0);
    p.step = "image_verify";
    rc = image_method(3, &val, &p.r);
    if (rc < 0 || (rc > 0 && !(p.r.status == 1 && p.r.code == 2))) {
        struct result sr;
        if (rc > 0 && image_get_int(6, &p.status, &sr) != 0) {
            result_free(&sr);
        }
        goto done;
    }
    result_free(&p.r);
    p.step = "image_transfer_status";
    if ((rc = image_poll(2, &p.status, &p.r)) != 0) {
        goto done;
    }
    if (p.status != 3) {
        p.step = "image_verify";
        p.why = "verification failed";
        rc = 1;
        goto done;
    }
    p.verified = true;
    if (!ia->no_activate) {
        p.step = "image_activate";
        rc = image_method(4, &val, &p.r);
        if (rc < 0 || (rc > 0 && !(p.r.status == 1 && p.r.code == 2))) {
            struct result sr;
            if (rc > 0 && image_get_int(6, &p.status, &sr) != 0) {
                result_free(&sr);
            }
            goto done;
        }
        result_free(&p.r);
        p.step = "image_transfer_status";
        if ((rc = image_poll(5, &p.status, &p.r)) != 0) {
            goto done;
        }
        if (p.status != 6) {
            p.step = "image_activate";
            p.why = "activation failed";
            rc = 1;
            goto done;
        }
        p.activated = true;
    }
    p.step = NULL;
done:
    free(val.b);
    free(img.b);
    p.ms = mono_ms() - t0;
    if (rc < 0 && p.why == NULL) {
        result_free(&p.r);
        return EXIT_LINK;
    }
    return image_print(&p);
}

/* ------------------------------------------------------------------ main */

static int parse_uint_arg(const char *s, unsigned long max, unsigned long *v)
{
    char *end = NULL;
    errno = 0;
    if (*s == '-' || *s == '\0') {
        return -1;
    }
    unsigned long x = strtoul(s, &end, 0);
    if (errno || *end || x > max) {
        return -1;
    }
    *v = x;
    return 0;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "dlms-client: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try --help)\n");
    return EXIT_USAGE;
}

static bool is_command(const char *s)
{
    return strcmp(s, "get") == 0 || strcmp(s, "set") == 0 || strcmp(s, "action") == 0 ||
           strcmp(s, "profile") == 0 || strcmp(s, "image") == 0;
}

/* image FILE [--id TEXT | --id-hex HEX] [--no-activate]: the options from argv[*i]. */
static int image_options(char **argv, int argc, int *i, struct image_args *ia)
{
    const char *base = strrchr(ia->file, '/');
    base = base != NULL ? base + 1 : ia->file;
    size_t n = strcspn(base, ".");
    if (n == 0) {
        n = strlen(base);
    }
    /* default identifier: the file's name without its extension */
    ia->id_len = n < sizeof ia->id ? n : sizeof ia->id;
    memcpy(ia->id, base, ia->id_len);
    while (*i < argc && strncmp(argv[*i], "--", 2) == 0) {
        if (strcmp(argv[*i], "--no-activate") == 0) {
            ia->no_activate = true;
            *i += 1;
        } else if (strcmp(argv[*i], "--id") == 0 && *i + 1 < argc) {
            n = strlen(argv[*i + 1]);
            if (n == 0 || n > sizeof ia->id) {
                return bad("image: --id wants 1..64 characters, not '%s'", argv[*i + 1]);
            }
            memcpy(ia->id, argv[*i + 1], n);
            ia->id_len = n;
            *i += 2;
        } else if (strcmp(argv[*i], "--id-hex") == 0 && *i + 1 < argc) {
            long got = vm_parse_hex_any(argv[*i + 1], ia->id, sizeof ia->id);
            if (got <= 0) {
                return bad("image: --id-hex wants 1..64 bytes of hex, not '%s'", argv[*i + 1]);
            }
            ia->id_len = (size_t)got;
            *i += 2;
        } else {
            return bad("image: bad option '%s'", argv[*i]);
        }
    }
    if (ia->id_len == 0) {
        return bad("image: no identifier for '%s' (use --id)", ia->file);
    }
    return 0;
}


int main(int argc, char **argv)
{
    enum {
        OPT_HOST = 256, OPT_PORT, OPT_HDLC, OPT_SAP, OPT_PW, OPT_PWHEX, OPT_HLS, OPT_POLICY,
        OPT_CONFIG, OPT_JSON, OPT_STATS, OPT_TIMEOUT, OPT_MAXPDU, OPT_HDLCADDR, OPT_WPORT,
        OPT_ICFILE
    };
    static const struct option longs[] = {
        {"host", required_argument, NULL, OPT_HOST},     {"port", required_argument, NULL, OPT_PORT},
        {"hdlc", required_argument, NULL, OPT_HDLC},     {"client-sap", required_argument, NULL, OPT_SAP},
        {"password", required_argument, NULL, OPT_PW},   {"password-hex", required_argument, NULL, OPT_PWHEX},
        {"hls", no_argument, NULL, OPT_HLS},             {"policy", required_argument, NULL, OPT_POLICY},
        {"config", required_argument, NULL, OPT_CONFIG}, {"json", no_argument, NULL, OPT_JSON},
        {"stats", no_argument, NULL, OPT_STATS},         {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"max-pdu", required_argument, NULL, OPT_MAXPDU},
        {"hdlc-address", required_argument, NULL, OPT_HDLCADDR},
        {"server-wport", required_argument, NULL, OPT_WPORT},
        {"ic-file", required_argument, NULL, OPT_ICFILE},
        {"verbose", no_argument, NULL, 'v'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    O.host = "127.0.0.1";
    O.port = MTR_DLMS_WRAPPER_TCP_PORT;
    O.client_sap = 16;
    O.server_wport = 1;
    O.hdlc_server = 1;
    O.policy = -1;
    O.timeout_ms = 10000;
    O.max_pdu = MTR_CFG_DLMS_MAX_APDU; /* the wrapper assembler's buffer */
    vm_config_default(&O.conf);
    L.fd = -1;
    int c;
    unsigned long v;
    /* options stop at the first command */
    while ((c = getopt_long(argc, argv, "+vh", longs, NULL)) != -1) {
        switch (c) {
        case OPT_HOST:
            O.host = optarg;
            break;
        case OPT_PORT:
            if (parse_uint_arg(optarg, 65535, &v) != 0 || v == 0) {
                return bad("--port wants 1..65535, not '%s'", optarg);
            }
            O.port = (int)v;
            break;
        case OPT_HDLC:
            O.hdlc = optarg;
            break;
        case OPT_SAP:
            if (parse_uint_arg(optarg, 0x7F, &v) != 0 || v == 0) {
                return bad("--client-sap wants 1..127, not '%s'", optarg);
            }
            O.client_sap = (uint16_t)v;
            break;
        case OPT_PW: {
            size_t n = strlen(optarg);
            if (n == 0 || n > 64) {
                return bad("--password wants 1..64 characters%s", "");
            }
            memcpy(O.password_bin, optarg, n);
            O.password_len = (int)n;
            break;
        }
        case OPT_PWHEX: {
            long n = vm_parse_hex_any(optarg, O.password_bin, sizeof O.password_bin);
            if (n <= 0) {
                return bad("--password-hex wants 1..64 bytes of hex, not '%s'", optarg);
            }
            O.password_len = (int)n;
            break;
        }
        case OPT_HLS:
            O.hls = true;
            break;
        case OPT_POLICY: {
            static const char *const p[] = {"none", "auth", "enc", "auth_enc"};
            O.policy = -1;
            for (int i = 0; i < 4; i++) {
                if (strcmp(optarg, p[i]) == 0) {
                    O.policy = i;
                }
            }
            if (O.policy < 0) {
                return bad("--policy wants none, auth, enc or auth_enc, not '%s'", optarg);
            }
            break;
        }
        case OPT_CONFIG: {
            char err[512];
            if (vm_config_load(&O.conf, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "dlms-client: configuration: %s\n", err);
                return EXIT_USAGE;
            }
            break;
        }
        case OPT_JSON:
            O.json = true;
            break;
        case OPT_STATS:
            O.stats = true;
            break;
        case OPT_TIMEOUT:
            if (parse_uint_arg(optarg, 3600, &v) != 0 || v == 0) {
                return bad("--timeout wants 1..3600 seconds, not '%s'", optarg);
            }
            O.timeout_ms = (int)v * 1000;
            break;
        case OPT_MAXPDU:
            if (parse_uint_arg(optarg, MTR_CFG_DLMS_MAX_APDU, &v) != 0 || v < 64) {
                return bad("--max-pdu wants 64..2048, not '%s'", optarg);
            }
            O.max_pdu = (uint16_t)v;
            break;
        case OPT_HDLCADDR:
            if (parse_uint_arg(optarg, 0x7F, &v) != 0 || v == 0) {
                return bad("--hdlc-address wants 1..127, not '%s'", optarg);
            }
            O.hdlc_server = (uint16_t)v;
            break;
        case OPT_WPORT:
            if (parse_uint_arg(optarg, 65535, &v) != 0) {
                return bad("--server-wport wants 0..65535, not '%s'", optarg);
            }
            O.server_wport = (uint16_t)v;
            break;
        case OPT_ICFILE:
            O.ic_file = optarg;
            break;
        case 'v':
            O.verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    /* --json, --stats and -v may also follow the commands */
    {
        int k = optind;
        for (int i = optind; i < argc; i++) {
            if (strcmp(argv[i], "--json") == 0) {
                O.json = true;
            } else if (strcmp(argv[i], "--stats") == 0) {
                O.stats = true;
            } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
                O.verbose = true;
            } else {
                argv[k++] = argv[i];
            }
        }
        argc = k;
    }
    if (optind >= argc) {
        return bad("no command%s", "");
    }
    if (O.hls && O.password_len > 0) {
        return bad("--hls and --password exclude each other%s", "");
    }
    /* check every command before connecting */
    for (int i = optind; i < argc;) {
        const char *cmd = argv[i];
        int need = strcmp(cmd, "get") == 0 ? 4 : strcmp(cmd, "set") == 0 ? 5
                 : strcmp(cmd, "action") == 0 ? 4 : strcmp(cmd, "profile") == 0 ? 2
                 : strcmp(cmd, "image") == 0 ? 2 : -1;
        if (need < 0) {
            return bad("unknown command '%s'", cmd);
        }
        if (i + need > argc) {
            return bad("'%s' lacks arguments", cmd);
        }
        if (strcmp(cmd, "image") == 0) {
            struct image_args ia;
            memset(&ia, 0, sizeof ia);
            ia.file = argv[i + 1];
            if (access(ia.file, R_OK) != 0) {
                return bad("image: cannot read '%s'", ia.file);
            }
            i += 2;
            int rc = image_options(argv, argc, &i, &ia);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        uint8_t ob[6];
        if (parse_obis(argv[i + 1], ob) != 0) {
            return bad("'%s' is not an OBIS code (A-B:C.D.E.F)", argv[i + 1]);
        }
        if (strcmp(cmd, "profile") == 0) {
            i += 2;
            while (i < argc && strncmp(argv[i], "--", 2) == 0) {
                int k = strcmp(argv[i], "--entries") == 0 || strcmp(argv[i], "--columns") == 0 ? 3
                        : strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0 ? 2 : -1;
                if (k < 0 || i + k > argc) {
                    return bad("profile: bad option '%s'", argv[i]);
                }
                i += k;
            }
            continue;
        }
        unsigned long cls, id;
        if (parse_uint_arg(argv[i + 2], 0xFFFF, &cls) != 0) {
            return bad("class '%s' is not 0..65535", argv[i + 2]);
        }
        if (parse_uint_arg(argv[i + 3], 0x7F, &id) != 0 || id == 0) {
            return bad("attribute or method '%s' is not 1..127", argv[i + 3]);
        }
        i += need;
        if (strcmp(cmd, "action") == 0 && i < argc && !is_command(argv[i])) {
            i++; /* its VALUE */
        }
    }

    /* keys of the association */
    S.hal.crypto = mtr_sim_crypto_ops();
    memcpy(S.keys.ek, O.conf.ek, 16);
    memcpy(S.keys.ak, O.conf.ak, 16);
    memcpy(S.keys.system_title, O.conf.client_title, 8);
    int policy = O.policy >= 0 ? O.policy : (O.hls ? 3 : 0);
    S.sc = policy_sc(policy);
    S.ic = 1;
    S.iid = 0xC1; /* invoke-id 1, confirmed, high priority */
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srand((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
        /* a fresh client invocation counter per run: the meter refuses old ones */
        S.ic = (uint32_t)ts.tv_sec;
        if (O.ic_file != NULL) {
            FILE *f = fopen(O.ic_file, "r");
            unsigned long saved = 0;
            if (f != NULL) {
                if (fscanf(f, "%lu", &saved) == 1 && saved > S.ic && saved < 0xFFFFFFF0ul) {
                    S.ic = (uint32_t)saved;
                }
                fclose(f);
            }
        }
    }
    if ((S.sc != 0 || O.hls) && S.hal.crypto == NULL) {
        fprintf(stderr, "dlms-client: ciphering and HLS need a build with mbedTLS\n");
        return EXIT_USAGE;
    }

    uint64_t t0 = mono_ms();
    if ((O.hdlc != NULL ? hdlc_open() : tcp_open()) != 0) {
        link_close();
        return EXIT_LINK;
    }
    if (associate() != 0) {
        link_close();
        return EXIT_LINK;
    }
    int status = 0;
    for (int i = optind; i < argc && status != EXIT_LINK;) {
        const char *cmd = argv[i];
        uint8_t ob[6];
        (void)parse_obis(argv[i + 1], ob);
        int rc;
        if (strcmp(cmd, "image") == 0) {
            struct image_args ia;
            memset(&ia, 0, sizeof ia);
            ia.file = argv[i + 1];
            i += 2;
            rc = image_options(argv, argc, &i, &ia);
            if (rc == 0) {
                rc = cmd_image(&ia);
            }
        } else if (strcmp(cmd, "profile") == 0) {
            struct prof_args pa;
            memset(&pa, 0, sizeof pa);
            i += 2;
            rc = 0;
            while (i < argc && strncmp(argv[i], "--", 2) == 0) {
                if (strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) {
                    snprintf(argv[i][2] == 'f' ? pa.from : pa.to, sizeof pa.from, "%s", argv[i + 1]);
                    pa.range = true;
                    i += 2;
                } else {
                    unsigned long x, y;
                    if (parse_uint_arg(argv[i + 1], 0xFFFFFFFFu, &x) != 0 ||
                        parse_uint_arg(argv[i + 2], 0xFFFFFFFFu, &y) != 0) {
                        rc = bad("'%s' wants two numbers", argv[i]);
                    }
                    if (strcmp(argv[i], "--entries") == 0) {
                        pa.entries = true;
                        pa.a = x;
                        pa.b = y;
                    } else {
                        pa.columns = true;
                        pa.c1 = x;
                        pa.c2 = y;
                    }
                    i += 3;
                }
            }
            if (rc == 0 && pa.range && (pa.from[0] == '\0' || pa.to[0] == '\0' || pa.entries)) {
                rc = bad("profile: --from and --to go together, without --entries%s", "");
            }
            if (rc == 0) {
                rc = cmd_profile(ob, &pa);
            }
        } else {
            unsigned long cls, id;
            (void)parse_uint_arg(argv[i + 2], 0xFFFF, &cls);
            (void)parse_uint_arg(argv[i + 3], 0x7F, &id);
            if (strcmp(cmd, "get") == 0) {
                rc = cmd_get(ob, (uint16_t)cls, (uint8_t)id);
                i += 4;
            } else if (strcmp(cmd, "set") == 0) {
                rc = cmd_set(ob, (uint16_t)cls, (uint8_t)id, argv[i + 4]);
                i += 5;
            } else {
                const char *val = NULL;
                i += 4;
                if (i < argc && !is_command(argv[i])) {
                    val = argv[i++];
                }
                rc = cmd_action(ob, (uint16_t)cls, (uint8_t)id, val);
            }
        }
        fflush(stdout);
        if (rc > status) {
            status = rc;
        }
    }
    if (status != EXIT_LINK) {
        release();
    }
    link_close();
    if (O.ic_file != NULL && S.sc != 0) {
        FILE *f = fopen(O.ic_file, "w");
        if (f == NULL || fprintf(f, "%lu\n", (unsigned long)S.ic) < 0) {
            fprintf(stderr, "dlms-client: %s: cannot save the invocation counter\n", O.ic_file);
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    if (O.stats) {
        uint64_t ms = mono_ms() - t0;
        if (O.json) {
            printf("{\"stats\":{\"requests\":%u,\"blocks\":%u,\"wire_tx\":%llu,\"wire_rx\":%llu,"
                   "\"ms\":%llu}}\n",
                   L.requests, S.blocks, (unsigned long long)L.tx_bytes,
                   (unsigned long long)L.rx_bytes, (unsigned long long)ms);
        } else {
            printf("stats: %u requests, %u blocks, %llu bytes sent, %llu bytes received, %llu ms\n",
                   L.requests, S.blocks, (unsigned long long)L.tx_bytes,
                   (unsigned long long)L.rx_bytes, (unsigned long long)ms);
        }
    }
    return status;
}
