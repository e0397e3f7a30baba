/* cs-fuzz.h: the libFuzzer entry points of fuzz-thumbnailer.c
 *
 * Declared here because the replay program (replay-regressions.c) calls
 * them too, in builds without libFuzzer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);
