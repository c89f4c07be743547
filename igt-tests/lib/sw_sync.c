// SPDX-License-Identifier: MIT
/*
 * lib/sw_sync.c of igt-gpu-tools, the part in sw_sync.h. Runtime only.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <linux/sync_file.h>

#include "sw_sync.h"

int sync_fence_wait(int fd, int timeout)
{
	struct pollfd fds = { fd, POLLIN, 0 };
	int ret;

	do {
		ret = poll(&fds, 1, timeout);
		if (ret > 0) {
			if (fds.revents & (POLLERR | POLLNVAL))
				return -EINVAL;

			return 0;
		} else if (ret == 0) {
			return -ETIME;
		} else  {
			ret = -errno;
			if (ret == -EINTR || ret == -EAGAIN)
				continue;
			return ret;
		}
	} while (1);
}

int sync_fence_status(int fence)
{
	struct sync_file_info info = { };

	if (ioctl(fence, SYNC_IOC_FILE_INFO, &info))
		return -errno;

	return info.status;
}
