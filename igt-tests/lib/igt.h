/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header, as in igt-gpu-tools: tests include "igt.h" and get the
 * core API and ioctl_wrappers.h (IGT's igt.h includes both). As in IGT,
 * igt_vgem.h, sw_sync.h and dmabuf_sync_file.h are included by the tests
 * that use them. The secbuf helpers are in "igt_secbuf.h".
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"
#include "ioctl_wrappers.h"

/* From IGT's lib/drmtest.h, which its igt.h includes. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr)/sizeof(arr[0]))
#endif

#endif /* IGT_H */
