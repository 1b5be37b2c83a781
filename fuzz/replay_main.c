/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main() for replaying a fuzz target's corpus without libFuzzer: every file
 * named on the command line, or every file of a directory named there, goes
 * once through LLVMFuzzerTestOneInput(). Linked into the *_replay programs
 * that run as ordinary tests (suite fuzz-regress) with any compiler.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run one file through the target; 0 on success. */
static int replay_file(const char *path)
{
    size_t len = 0;
    uint8_t *buf = NULL;
    int failed = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        return 1;
    }
    for (;;) {
        uint8_t *p = realloc(buf, len + 4096);
        if (p == NULL) {
            failed = 1;
            break;
        }
        buf = p;
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096) {
            failed = ferror(f) != 0;
            break;
        }
    }
    fclose(f);
    if (!failed) {
        LLVMFuzzerTestOneInput(buf, len);
    }
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

    if (d == NULL) {
        return replay_file(path);
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child) {
            failed = 1;
        } else {
            failed |= replay_file(child);
        }
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int k = 1; k < argc; k++) {
        if (replay_path(argv[k]) != 0) {
            fprintf(stderr, "cannot replay %s\n", argv[k]);
            failed = 1;
        }
    }
    return failed;
}
