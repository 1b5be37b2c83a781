/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the format-1 store images described in store_v1_content.h into the
 * folder given as argument. Run once to create the checked-in images; the
 * images, not this program, are the reference from then on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "store_v1_content.h"

static int fail(const char *what, mtr_err_t rc)
{
    fprintf(stderr, "gen_store_v1: %s: %s\n", what, mtr_strerror(rc));
    return 1;
}

static int make(const char *dir, const struct v1_image *img)
{
    struct mtr_sim sim;
    struct mtr_sim_config sc;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part state[V1_NPARTS];
    uint8_t buf[64];
    mtr_sim_default_config(&sc);
    sc.nvm_size = V1_NVM_SIZE;
    sc.nvm_sector_size = V1_SECTOR;
    sc.nvm_write_unit = img->write_unit;
    sc.nvm_needs_erase = img->needs_erase != 0;
    sc.adc_enabled = false;
    if (mtr_sim_init(&sim, &sc) != MTR_OK) {
        return 1;
    }
    mtr_sim_hal(&sim, &hal);
    struct mtr_store_cfg cfg = {.parts = v1_table, .state = state, .nparts = V1_NPARTS};
    mtr_err_t rc = mtr_store_init(&st, &hal, &cfg);
    if (rc != MTR_OK) {
        return fail("init", rc);
    }
    v1_cal(buf);
    rc = mtr_store_commit(&st, V1_ID_CAL, buf, V1_CAL_SIZE);
    for (uint32_t i = 0; rc == MTR_OK && i < V1_PERIODS; i++) {
        v1_energy(i, buf);
        rc = mtr_store_commit(&st, V1_ID_ENERGY, buf, V1_ENERGY_SIZE);
        v1_lp(i, buf);
        rc = rc == MTR_OK ? mtr_store_append(&st, V1_ID_LP, buf, V1_LP_SIZE) : rc;
        if (rc == MTR_OK && i % V1_LOG_EVERY == 0) {
            v1_log(i / V1_LOG_EVERY, buf);
            rc = mtr_store_append(&st, V1_ID_LOG, buf, V1_LOG_SIZE);
        }
    }
    if (rc != MTR_OK) {
        return fail("workload", rc);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, img->file);
    FILE *f = fopen(path, "wb");
    int bad = f == NULL || fwrite(mtr_sim_nvm_data(&sim), 1, V1_NVM_SIZE, f) != V1_NVM_SIZE;
    bad |= f != NULL && fclose(f) != 0;
    mtr_sim_free(&sim);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_store_v1 OUTPUT_DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof v1_images / sizeof v1_images[0]; i++) {
        if (make(argv[1], &v1_images[i]) != 0) {
            return 1;
        }
    }
    return 0;
}
