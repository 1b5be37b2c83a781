/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrology determinism check built for the build machine: det.c's
 * program, with the same embedded frames and the same libmeter sources
 * compiled by the native compiler, printing on stdout.
 * tests/support/run_qemu_determinism.py compares its output with the board's.
 *
 *   det_host [--flip]
 *
 * --flip changes the least significant bit of one register (the total's +A
 * remainder) before the digest, to show that such a difference is caught.
 * Exit status 0, or 1 if the run failed.
 */
#include <stdio.h>
#include <string.h>

#include "test_determinism_common.c"

extern const uint32_t det_vector_frames, det_vector_rate_hz, det_vector_bits;
extern const int32_t det_vector[];

static struct mtr_metrology metro;
static struct det_result result;

static void emit(void *user, const char *line)
{
    (void)user;
    puts(line);
}

int main(int argc, char **argv)
{
    uint64_t flip = argc == 2 && strcmp(argv[1], "--flip") == 0 ? 1u : 0u;
    if (argc > 2 || (argc == 2 && flip == 0)) {
        fprintf(stderr, "usage: det_host [--flip]\n");
        return 2;
    }
    if (det_vector_rate_hz != DET_RATE_HZ || det_vector_bits != DET_BITS) {
        puts("det: FAIL (the vector's rate or bits are not the check's)");
        return 1;
    }
    if (det_run(&metro, det_vector, det_vector_frames, flip, emit, NULL, &result) != MTR_OK) {
        puts("det: FAIL (det_run)");
        return 1;
    }
    puts("det: end");
    return fflush(stdout) == 0 ? 0 : 1;
}
