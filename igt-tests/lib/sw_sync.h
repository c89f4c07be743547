/* SPDX-License-Identifier: MIT */
/*
 * The part of igt-gpu-tools' lib/sw_sync.h the secbuf tests use: sync_file
 * fds, with IGT's names and behaviour. Runtime only: inside IGT,
 * "sw_sync.h" is IGT's own and these come from libigt.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef SW_SYNC_H
#define SW_SYNC_H

#define SW_SYNC_FENCE_STATUS_ERROR		(-1)
#define SW_SYNC_FENCE_STATUS_ACTIVE		(0)
#define SW_SYNC_FENCE_STATUS_SIGNALED	(1)

#include <stdint.h>

/*
 * poll() for POLLIN up to @timeout ms (-1: forever), restarting on EINTR:
 * 0 once signaled, -ETIME on timeout, -EINVAL on POLLERR or POLLNVAL.
 */
int sync_fence_wait(int fence, int timeout);
/*
 * SYNC_IOC_FILE_INFO's status: 0 pending, 1 signaled, a negative error
 * the fence signaled with; -errno if the ioctl fails.
 */
int sync_fence_status(int fence);

#endif /* SW_SYNC_H */
