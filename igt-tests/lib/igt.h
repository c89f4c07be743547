/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header, as in igt-gpu-tools: tests include "igt.h" and get the
 * core API. The secbuf helpers are in "igt_secbuf.h".
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"

#endif /* IGT_H */
