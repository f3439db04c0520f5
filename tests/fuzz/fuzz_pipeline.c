/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: decodes the input into a pipeline and a script,
 * runs it on uvrx and aborts when a protocol check fails, an object leaks
 * or the signals differ from the reference model (fz.h).
 */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_spec sp;
    char why[512], desc[4096];

    fz_decode(data, size, &sp);
    if (!fz_run(&sp, why, sizeof why)) {
        fz_describe(&sp, desc, sizeof desc);
        fprintf(stderr, "uvrx fuzz: %s\n  spec: %s\n", why, desc);
        abort();
    }
    return 0;
}
