/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header, as in igt-gpu-tools: tests include "igt.h" and get the
 * core API. The secbuf helpers are in "igt_secbuf.h".
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"

/* From IGT's lib/drmtest.h, which its igt.h includes. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr)/sizeof(arr[0]))
#endif

#endif /* IGT_H */
