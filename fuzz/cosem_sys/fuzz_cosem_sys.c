/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the decoders of the COSEM system objects: image transfer
 * method parameters (initiate, block, verify, activate) and every writable
 * attribute of the push setups, push schedulers, port setups and the
 * current association, driven through the table's own callbacks as the
 * DLMS server would call them (no method starts a push here: the values of
 * other objects need a running meter). The input is a sequence of commands
 * [selector][length][value bytes], so that whole transfers can be played.
 * After each command every readable attribute is read back in small
 * blocks; the checks are the engine's promises: a refused write leaves the
 * settings unchanged, the image state stays coherent.
 *
 * Linked with fuzz/replay_main.c it replays the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/cosem.h"
#include "meter/meter.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP   512u
#define BLOCK 16u

static void require(int cond)
{
    if (!cond)
        abort();
}

struct world {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_meter meter; /* never initialised: the system objects do not use it */
    struct mtr_cosem cosem;
    struct mtr_cosem_config cfg;
    struct mtr_dlms_security sec;
    struct mtr_cosem_capture objects[MTR_COSEM_PUSHES][4];
    uint8_t dest[MTR_COSEM_PUSHES][16];
    uint8_t windows[MTR_COSEM_PUSHES][2][24];
    struct mtr_cosem_push_setup push[MTR_COSEM_PUSHES];
    uint8_t times[MTR_COSEM_SCHEDULERS][2][9];
    struct mtr_cosem_schedule sched[MTR_COSEM_SCHEDULERS];
    struct mtr_cosem_tcp tcp;
    struct mtr_cosem_hdlc hdlc;
    struct mtr_cosem_local_port lp;
    uint8_t push_buf[256];
    struct mtr_image img;
    struct mtr_image_config icfg;
    uint8_t store[CAP];
    uint8_t bitmap[CAP / BLOCK / 8];
    uint8_t key[16];
};

static struct world W;
static bool ready;

static mtr_err_t prepare(void *u, uint32_t n)
{
    (void)u;
    require(n <= CAP);
    memset(W.store, 0xFF, sizeof W.store);
    return MTR_OK;
}

static mtr_err_t wr(void *u, uint32_t off, const uint8_t *d, size_t n)
{
    (void)u;
    require(off + n <= CAP);
    memcpy(W.store + off, d, n);
    return MTR_OK;
}

static mtr_err_t rd(void *u, uint32_t off, uint8_t *d, size_t n)
{
    (void)u;
    require(off + n <= CAP);
    memcpy(d, W.store + off, n);
    return MTR_OK;
}

static mtr_err_t activate(void *u, const struct mtr_image_info *i)
{
    (void)u;
    require(i->size <= CAP && i->id_len >= 1 && i->id_len <= MTR_IMAGE_ID_MAX);
    return MTR_OK;
}

static void on_event(void *u, uint16_t code, const char *name)
{
    (void)u;
    require(name != NULL &&
            (code == 17 || code == 18 || code == 51 || code == 204 || code == 240 || code == 241));
}

static mtr_err_t send(void *u, uint8_t k, const struct mtr_cosem_push_setup *s, const uint8_t *a,
                      size_t n)
{
    (void)u;
    (void)k;
    (void)s;
    (void)a;
    (void)n;
    return MTR_OK;
}

static mtr_err_t secret(void *u, uint16_t sap, const uint8_t *p, size_t n)
{
    (void)u;
    (void)sap;
    (void)p;
    require(n >= 1 && n <= 64);
    return MTR_OK;
}

static void setup(void)
{
    struct mtr_sim_config sc;
    static const uint8_t fw[] = "V030202";

    mtr_sim_default_config(&sc);
    require(mtr_sim_init(&W.sim, &sc) == MTR_OK);
    mtr_sim_hal(&W.sim, &W.hal);
    memset(W.key, 0x4B, sizeof W.key);
    W.icfg = (struct mtr_image_config){
        .hal = &W.hal,
        .block_size = BLOCK,
        .capacity = CAP,
        .bitmap = W.bitmap,
        .bitmap_size = sizeof W.bitmap,
        .type = (const uint8_t *)"T",
        .type_len = 1,
        .gmac_key = W.key,
        .prepare = prepare,
        .write = wr,
        .read = rd,
        .activate = activate,
        .on_event = on_event,
    };
    W.cfg = (struct mtr_cosem_config){
        .hal = &W.hal,
        .meter = &W.meter,
        .sec = &W.sec,
        .fw_version = fw,
        .fw_version_len = 7,
        .tcp = &W.tcp,
        .hdlc = &W.hdlc,
        .local_port = &W.lp,
        .push = W.push,
        .schedule = W.sched,
        .push_buf = W.push_buf,
        .push_buf_size = sizeof W.push_buf,
        .image = &W.img,
        .push_send = send,
        .set_secret = secret,
    };
}

/* Fresh settings, engine and table context for one input. */
static void reset(void)
{
    for (int k = 0; k < MTR_COSEM_PUSHES; k++) {
        memset(W.objects[k], 0, sizeof W.objects[k]);
        W.push[k] = (struct mtr_cosem_push_setup){
            .objects = W.objects[k],
            .objects_cap = 4,
            .dest = W.dest[k],
            .dest_cap = sizeof W.dest[k],
            .windows = W.windows[k],
            .windows_cap = 2,
            .retries = 1,
            .repetition_s = 5,
        };
    }
    for (int k = 0; k < MTR_COSEM_SCHEDULERS; k++)
        W.sched[k] = (struct mtr_cosem_schedule){W.times[k], 0, 2};
    W.tcp = (struct mtr_cosem_tcp){4059, {0, 0, 25, 1, 0, 255}, 576, 1, 180};
    W.hdlc = (struct mtr_cosem_hdlc){5, 1, 1, 128, 128, 200, 120, 17};
    memset(&W.lp, 0, sizeof W.lp);
    require(mtr_image_init(&W.img, &W.icfg) == MTR_OK);
    require(mtr_cosem_init(&W.cosem, &W.cfg) == MTR_OK);
}

static const struct mtr_dlms_obj *object(uint16_t cls, uint8_t b, uint8_t c, uint8_t d, uint8_t e)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    for (uint16_t k = 0; k < n; k++)
        if (t[k].class_id == cls && t[k].obis[1] == b && t[k].obis[2] == c && t[k].obis[3] == d &&
            t[k].obis[4] == e)
            return &t[k];
    abort();
}

/* Read every attribute of @p o in blocks of 32 bytes, as a long GET does. */
static void read_all(const struct mtr_dlms_obj *o)
{
    for (uint8_t id = 2; id <= 9; id++) {
        uint8_t buf[32];
        uint32_t cursor[2] = {0, 0};
        struct mtr_dlms_axdr_writer w;
        struct mtr_dlms_call call;
        mtr_err_t err;
        unsigned rounds = 0;

        if (o->get == NULL)
            return;
        memset(&call, 0, sizeof call);
        call.obj = o;
        call.user = &W.cosem;
        call.id = id;
        call.profile = MTR_COSEM_ROLE_MANAGEMENT;
        call.cursor = cursor;
        mtr_dlms_axdr_writer_init(&w, buf, sizeof buf);
        while ((err = o->get(&call, &w)) == MTR_ERR_FULL) {
            require(++rounds < 100000);
            mtr_dlms_axdr_writer_next(&w, buf, sizeof buf);
        }
        while (mtr_dlms_axdr_writer_pending(&w) != 0)
            mtr_dlms_axdr_writer_next(&w, buf, sizeof buf);
    }
}

static void check_image(void)
{
    const uint8_t *bm;
    uint32_t blocks = mtr_image_blocks(&W.img, &bm);
    require(mtr_image_status(&W.img) <= MTR_IMAGE_ACTIVATE_FAILED);
    require(blocks <= CAP / BLOCK);
    require(mtr_image_first_missing(&W.img) <= blocks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        uint16_t cls;
        uint8_t b, c, d, e;
        uint8_t id;
        bool action;
    } cmd[] = {
        {18, 0, 44, 0, 0, 1, true},  {18, 0, 44, 0, 0, 2, true},  {18, 0, 44, 0, 0, 3, true},
        {18, 0, 44, 0, 0, 4, true},  {18, 0, 44, 0, 0, 5, false}, {40, 0, 25, 9, 0, 2, false},
        {40, 1, 25, 9, 0, 3, false}, {40, 2, 25, 9, 0, 4, false}, {40, 3, 25, 9, 0, 5, false},
        {40, 4, 25, 9, 0, 6, false}, {40, 7, 25, 9, 0, 7, false}, {22, 1, 15, 0, 4, 4, false},
        {41, 0, 25, 0, 0, 2, false}, {41, 0, 25, 0, 0, 3, false}, {41, 0, 25, 0, 0, 4, false},
        {41, 0, 25, 0, 0, 6, false}, {23, 1, 22, 0, 0, 2, false}, {23, 1, 22, 0, 0, 5, false},
        {23, 1, 22, 0, 0, 9, false}, {19, 0, 20, 0, 0, 2, false}, {19, 0, 20, 0, 0, 6, false},
        {15, 0, 40, 0, 0, 7, false},
    };
    const uint8_t *p = data, *end = data + size;

    if (!ready) {
        setup();
        ready = true;
    }
    reset();
    while (end - p >= 2) {
        uint8_t sel = (uint8_t)(p[0] % (sizeof cmd / sizeof cmd[0]));
        size_t len = p[1];
        const struct mtr_dlms_obj *o =
            object(cmd[sel].cls, cmd[sel].b, cmd[sel].c, cmd[sel].d, cmd[sel].e);
        struct mtr_dlms_call call;
        uint8_t ret[64];
        struct mtr_dlms_axdr_writer w;
        static struct world before;
        mtr_err_t err;

        p += 2;
        if (len > (size_t)(end - p))
            len = (size_t)(end - p);
        memset(&call, 0, sizeof call);
        call.obj = o;
        call.user = &W.cosem;
        call.id = cmd[sel].id;
        call.profile = MTR_COSEM_ROLE_MANAGEMENT;
        call.data = p;
        call.data_len = len;
        memcpy(&before, &W, sizeof W);
        if (cmd[sel].action) {
            mtr_dlms_axdr_writer_init(&w, ret, sizeof ret);
            err = o->action(&call, &w);
        } else {
            err = o->set(&call);
        }
        if (err != MTR_OK && o->class_id != 18 && o->class_id != 15) {
            /* a refused setting changes nothing (the table's context included) */
            require(memcmp(&before.push, &W.push, sizeof W.push) == 0);
            require(memcmp(&before.objects, &W.objects, sizeof W.objects) == 0);
            require(memcmp(&before.dest, &W.dest, sizeof W.dest) == 0);
            require(memcmp(&before.windows, &W.windows, sizeof W.windows) == 0);
            require(memcmp(&before.times, &W.times, sizeof W.times) == 0);
            require(memcmp(&before.sched, &W.sched, sizeof W.sched) == 0);
            require(memcmp(&before.tcp, &W.tcp, sizeof W.tcp) == 0);
            require(memcmp(&before.hdlc, &W.hdlc, sizeof W.hdlc) == 0);
            require(memcmp(&before.lp, &W.lp, sizeof W.lp) == 0);
        }
        p += len;
        check_image();
        read_all(object(18, 0, 44, 0, 0));
        read_all(o);
    }
    /* plan the schedulers as written; the pushes carry nothing (the values of
     * other objects need a running meter) */
    for (int k = 0; k < MTR_COSEM_PUSHES; k++)
        W.push[k].nobjects = 0;
    mtr_cosem_tick(&W.cosem, 1717200000, 0);
    mtr_cosem_tick(&W.cosem, 1717200000 + 86400 + (int64_t)size, 3600);
    return 0;
}
