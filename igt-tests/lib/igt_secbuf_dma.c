// SPDX-License-Identifier: MIT
/*
 * DMA window, sync_file and vgem fence helpers. See igt_secbuf_dma.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>


#include "igt_core.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_vgem.h"

/* ---- SECBUF_IOC_DMA_BEGIN and _DMA_END ---------------------------------- */

/**
 * __secbuf_dma_begin_full: SECBUF_IOC_DMA_BEGIN with a caller-built argument.
 * Returns: 0 or -errno; on success @arg->fence_fd is filled.
 */
int __secbuf_dma_begin_full(int fd, struct secbuf_dma_begin *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_DMA_BEGIN, arg);

	errno = 0;
	return ret;
}

int __secbuf_dma_begin(int fd, int buf_fd, uint32_t flags, int *fence_fd)
{
	struct secbuf_dma_begin arg = {
		.buf_fd = (uint32_t)buf_fd,
		.flags = flags,
	};
	int ret = __secbuf_dma_begin_full(fd, &arg);

	if (ret == 0 && fence_fd)
		*fence_fd = (flags & SECBUF_DMA_FENCE_FD) ? (int)arg.fence_fd : -1;
	return ret;
}

int secbuf_dma_begin(int fd, int buf_fd, uint32_t flags)
{
	struct secbuf_dma_begin arg = {
		.buf_fd = (uint32_t)buf_fd,
		.flags = flags,
	};

	igt_assert_eq(__secbuf_dma_begin_full(fd, &arg), 0);
	if (!(flags & SECBUF_DMA_FENCE_FD)) {
		igt_assert_eq_u32(arg.fence_fd, 0);
		return -1;
	}
	igt_assert_fd((int)arg.fence_fd);
	return (int)arg.fence_fd;
}

int __secbuf_dma_end_full(int fd, struct secbuf_dma_end *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_DMA_END, arg);

	errno = 0;
	return ret;
}

int __secbuf_dma_end(int fd, int buf_fd)
{
	struct secbuf_dma_end arg = { .buf_fd = (uint32_t)buf_fd };

	return __secbuf_dma_end_full(fd, &arg);
}

void secbuf_dma_end(int fd, int buf_fd)
{
	igt_assert_eq(__secbuf_dma_end(fd, buf_fd), 0);
}

short secbuf_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t deadline = secbuf_now_ms() + (uint64_t)timeout_ms;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret >= 0 || errno != EINTR)
			break;
		if (timeout_ms >= 0) {
			uint64_t now = secbuf_now_ms();

			timeout_ms = now >= deadline ? 0 : (int)(deadline - now);
		}
	}
	igt_assert_f(ret >= 0, "poll(fd %d): %s\n", fd, strerror(errno));
	igt_assert_f(!(pfd.revents & (POLLERR | POLLNVAL)),
		     "poll(fd %d) returned revents %#x\n", fd, pfd.revents);
	errno = 0;

	return ret ? (short)(pfd.revents & events) : 0;
}

/* ---- vgem fences -------------------------------------------------------- */

int __secbuf_vgem_fence_attach(int vgem, uint32_t handle, uint32_t flags,
			       uint32_t *fence)
{
	struct drm_vgem_fence_attach arg = {
		.handle = handle,
		.flags = flags,
	};
	int ret = drmIoctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg) ? -errno : 0;

	errno = 0;
	if (ret == 0)
		*fence = arg.out_fence;
	return ret;
}

uint64_t secbuf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
