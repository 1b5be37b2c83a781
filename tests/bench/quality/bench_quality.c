/* SPDX-License-Identifier: Apache-2.0 */
/* Costs of the power-quality engine on the host: one measuring period
 * (three phases, every detector, the weekly evaluation), an input reading,
 * blob save and load; RAM of the context and blob size. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/hal.h"
#include "meter/quality.h"
#include "../bench_time.h"

static volatile uint32_t sink;

static void on_event(void *user, uint16_t code, const char *name, mtr_utc_t utc, int64_t value)
{
    (void)user;
    (void)name;
    (void)utc;
    sink += code + (uint32_t)value;
}

int main(void)
{
    static struct mtr_quality q;
    static struct mtr_quality_config cfg;
    struct mtr_quality_input in;
    uint8_t blob[MTR_QUALITY_BLOB_SIZE];
    size_t len = 0;
    const int steps = 2000000, reads = 2000000, codecs = 200000;
    double t0, step_ns, input_ns, save_ns, load_ns;

    cfg.on_event = on_event;
    cfg.un_mv = 230000;
    cfg.phases = 3;
    mtr_quality_settings_default(&cfg.settings);
    cfg.settings.pf_under = 9000;
    if (mtr_quality_init(&q, &cfg) != MTR_OK) {
        return 1;
    }
    memset(&in, 0, sizeof in);
    in.period_ms = 1000;
    in.sequence = 1;
    in.pf = 9500;
    t0 = now_ns();
    for (int i = 0; i < steps; i++) {
        /* a varying supply: sags and swells now and then */
        for (int p = 0; p < 3; p++) {
            in.ph[p].u_mv = 230000 + ((i * (p + 7)) % 97 == 0 ? -60000 : (i % 89 == 0 ? 40000 : 0));
            in.ph[p].i_ma = 5000 + (i % 13) * 100;
            in.ph[p].p_mw = 1000000;
        }
        (void)mtr_quality_step(&q, &in, 1700000000 + i);
    }
    step_ns = (now_ns() - t0) / steps;

    t0 = now_ns();
    for (int i = 0; i < reads; i++) {
        (void)mtr_quality_inputs(&q, (i / 1000) % 2 ? MTR_IN_MAIN_COVER : 0u, 1700000000 + i);
    }
    input_ns = (now_ns() - t0) / reads;

    t0 = now_ns();
    for (int i = 0; i < codecs; i++) {
        (void)mtr_quality_save(&q, blob, sizeof blob, &len);
        sink += blob[i % sizeof blob];
    }
    save_ns = (now_ns() - t0) / codecs;

    t0 = now_ns();
    for (int i = 0; i < codecs; i++) {
        (void)mtr_quality_load(&q, blob, len);
    }
    load_ns = (now_ns() - t0) / codecs;

    printf("{\"bench\": \"bench_quality\", \"step_ns\": %.1f, \"inputs_ns\": %.1f, "
           "\"save_ns\": %.1f, \"load_ns\": %.1f, \"ctx_bytes\": %zu, \"blob_bytes\": %zu}\n",
           step_ns, input_ns, save_ns, load_ns, mtr_quality_ctx_size(), mtr_quality_blob_size());
    return 0;
}
