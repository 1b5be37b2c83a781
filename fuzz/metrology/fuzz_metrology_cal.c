/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the calibration blob decoder (mtr_metrology_cal_decode and
 * mtr_metrology_cal_load). Besides memory errors it checks that a rejected
 * blob leaves the engine's coefficients unchanged, and that an accepted one
 * re-encodes to the same bytes.
 *
 * Built with -DMTR_FUZZ_REPLAY_MAIN it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#ifdef MTR_FUZZ_REPLAY_MAIN
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/metrology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static struct mtr_metrology metro;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mtr_metrology_config cfg;
    struct mtr_metrology_cal before, after, dec;
    uint8_t again[MTR_METROLOGY_CAL_BLOB_SIZE];

    mtr_metrology_config_default(&cfg);
    require(mtr_metrology_init(&metro, &cfg, NULL) == MTR_OK);
    mtr_metrology_cal_get(&metro, &before);
    mtr_err_t err = mtr_metrology_cal_decode(data, size, &dec);
    mtr_err_t lerr = mtr_metrology_cal_load(&metro, data, size);
    mtr_metrology_cal_get(&metro, &after);
    if (err != MTR_OK) {
        require(err == MTR_ERR_DECODE || err == MTR_ERR_CRC || err == MTR_ERR_RANGE ||
                err == MTR_ERR_METROLOGY_VERSION);
        require(lerr == err);
        require(memcmp(&before, &after, sizeof before) == 0);
        return 0;
    }
    require(size == MTR_METROLOGY_CAL_BLOB_SIZE);
    require(mtr_metrology_cal_encode(&dec, again, sizeof again) == MTR_OK);
    require(memcmp(again, data, size) == 0);
    if (lerr == MTR_OK) {
        require(memcmp(&dec, &after, sizeof dec) == 0);
    } else {
        require(memcmp(&before, &after, sizeof before) == 0);
    }
    return 0;
}
#ifdef MTR_FUZZ_REPLAY_MAIN
#include <dirent.h>
#include <stdio.h>

/* Run one file through the target; 0 on success. */
static int replay_file(const char *path)
{
    size_t len = 0;
    uint8_t *buf = NULL;
    int failed = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 1;
    for (;;) {
        uint8_t *p = realloc(buf, len + 4096);
        size_t got;

        if (p == NULL) {
            failed = 1;
            break;
        }
        buf = p;
        got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096) {
            failed = ferror(f) != 0;
            break;
        }
    }
    fclose(f);
    if (!failed)
        LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return failed;
}

/* Run a file, or every entry of a directory. */
static int replay_path(const char *path)
{
    char child[4096];
    struct dirent *e;
    int failed = 0;
    DIR *d = opendir(path);

    if (d == NULL)
        return replay_file(path);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child)
            failed = 1;
        else
            failed |= replay_file(child);
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;

    for (int k = 1; k < argc; k++) {
        if (replay_path(argv[k]) != 0) {
            fprintf(stderr, "cannot replay %s\n", argv[k]);
            failed = 1;
        }
    }
    return failed;
}
#endif
