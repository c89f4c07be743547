// SPDX-License-Identifier: MIT
/*
 * lib/dmabuf_sync_file.c of igt-gpu-tools, the part in dmabuf_sync_file.h.
 * Runtime only. IGT's do_ioctl() asserts that igt_ioctl() (drmIoctl(),
 * which restarts on EINTR and EAGAIN) returned 0, and clears errno.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>

#include <xf86drm.h>

#include "dmabuf_sync_file.h"
#include "igt_core.h"

int dmabuf_export_sync_file(int dmabuf, uint32_t flags)
{
	struct dma_buf_export_sync_file arg;

	arg.flags = flags;
	arg.fd = -1;
	igt_assert_eq(drmIoctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg), 0);
	errno = 0;

	return arg.fd;
}

void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync_fd)
{
	struct dma_buf_import_sync_file arg;

	arg.flags = flags;
	arg.fd = sync_fd;
	igt_assert_eq(drmIoctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg), 0);
	errno = 0;
}
