/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the decoder of the profile selective access parameters
 * (cosem_sel_decode(): class 7 attribute 2, range_descriptor and
 * entry_descriptor, Blue Book). Input: one byte selecting the access
 * selector (low 2 bits: 0..3) and the number of columns of the profile
 * (bits 2..3: 1..4 columns of load profile 1), then the parameter bytes.
 * Besides memory errors (the input buffer is exactly the parameters: a
 * read past it is caught by the sanitizers) it checks what a decode
 * promises: an accepted selection names only columns the profile has, at
 * least one, inside the span handed to the profile engine; entries start
 * at 1 and do not run backwards; time ranges do not run backwards; a
 * refused one leaves the output untouched; the same input decodes the
 * same way twice.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libmeter/cosem/cosem_control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

/* Load profile 1 of the seed: clock, status, +A, -A. */
static const struct mtr_profile_column COLS[4] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_STATUS, MTR_DLMS_UNSIGNED, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, MTR_DLMS_LONG64_UNSIGNED, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, MTR_DLMS_LONG64_UNSIGNED, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cosem_sel out, again;
    uint8_t selector, ncols;
    uint8_t *sel = NULL;
    size_t len;
    mtr_err_t err, err2;

    if (size < 1)
        return 0;
    selector = data[0] & 3u;
    ncols = (uint8_t)(1u + ((data[0] >> 2) & 3u));
    len = size - 1;
    if (len > 0) {
        sel = malloc(len); /* exactly the parameters: nothing after them to read */
        require(sel != NULL);
        memcpy(sel, data + 1, len);
    }
    memset(&out, 0xA5, sizeof out);
    memcpy(&again, &out, sizeof out);
    err = cosem_sel_decode(NULL, selector, sel, len, COLS, ncols, &out);
    if (err != MTR_OK) {
        require(err == MTR_ERR_INVAL || err == MTR_ERR_RANGE);
        require(memcmp(&out, &again, sizeof out) == 0);
    } else {
        uint64_t all = ((uint64_t)1u << ncols) - 1u;
        require(out.cols != 0 && (out.cols & ~all) == 0);
        require(out.ps.from_col >= 1 && out.ps.from_col <= out.ps.to_col && out.ps.to_col <= ncols);
        require((out.cols >> (out.ps.from_col - 1u)) & 1u);
        require((out.cols >> (out.ps.to_col - 1u)) & 1u);
        require(out.ps.by == selector);
        if (out.ps.by == MTR_PROFILE_ENTRY) {
            require(out.ps.from_entry >= 1);
            require(out.ps.to_entry == 0 || out.ps.to_entry >= out.ps.from_entry);
        }
        if (out.ps.by == MTR_PROFILE_RANGE) {
            require(out.ps.from <= out.ps.to);
        }
    }
    err2 = cosem_sel_decode(NULL, selector, sel, len, COLS, ncols, &again);
    require(err2 == err);
    require(err != MTR_OK || memcmp(&out, &again, sizeof out) == 0);
    free(sel);
    return 0;
}
