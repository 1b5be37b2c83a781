/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrology determinism check on the Cortex-M4 (mps2-an386 under QEMU):
 * the frames of tests/vectors/metrology_det.data, embedded at build time
 * (samples_to_c.py), through tests/unit/metrology/test_determinism_common.c.
 * det_host.c is the same program for the build machine;
 * tests/support/run_qemu_determinism.py runs both and compares their lines
 * and digests.
 *
 * Output over semihosting: the lines of det_run(), then
 *   board: stack_used=<bytes> stack_size=<bytes>
 *   det: end
 * Exit status 0, or 1 if the run failed ("det: FAIL (<reason>)").
 */
#include <stddef.h>
#include <stdint.h>

#include "board_hal.h"
#include "meter/meter.h"
#include "semihost.h"
#include "test_determinism_common.c"

extern const uint32_t det_vector_frames, det_vector_rate_hz, det_vector_bits;
extern const int32_t det_vector[];

static struct mtr_metrology metro;
static struct det_result result;

static void emit(void *user, const char *line)
{
    (void)user;
    semihost_write0(line);
    semihost_write0("\n");
}

static _Noreturn void fail(const char *why)
{
    semihost_write0("det: FAIL (");
    semihost_write0(why);
    semihost_write0(")\n");
    semihost_exit(1);
}

static void on_assert(const char *file, int line, void *user)
{
    (void)file;
    (void)line;
    (void)user;
    fail("assert");
}

int main(void)
{
    board_stack_paint();
    mtr_set_assert_hook(on_assert, NULL);
    if (det_vector_rate_hz != DET_RATE_HZ || det_vector_bits != DET_BITS) {
        fail("the vector's rate or bits are not the check's");
    }
    if (det_run(&metro, det_vector, det_vector_frames, 0, emit, NULL, &result) != MTR_OK) {
        fail("det_run");
    }
    struct det_line l = {.n = 0};
    det_str(&l, "board:");
    det_kv(&l, "stack_used", board_stack_used());
    det_kv(&l, "stack_size", board_stack_size());
    emit(NULL, l.s);
    emit(NULL, "det: end");
    return 0;
}
