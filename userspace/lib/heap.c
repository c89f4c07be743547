// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: raw allocation through the standard dma-heap node of a pool.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/dma-heap.h>

#include "internal.h"

SECBUF_API int secbuf_heap_alloc_fd(const char *name_or_path, uint64_t size,
				    unsigned int flags)
{
	struct dma_heap_allocation_data in = { .len = size }, data;
	int heap, ret;

	if (flags & ~(unsigned int)SECBUF_BUFFER_READ_ONLY) {
		errno = EINVAL;
		return -1;
	}

	heap = secbuf_open_node(SECBUF_HEAP_DIR, name_or_path, O_RDONLY, NULL);
	if (heap < 0)
		return -1;

	/* The out field @fd must be zero on every try. */
	in.fd_flags = O_CLOEXEC |
		((flags & SECBUF_BUFFER_READ_ONLY) ? O_RDONLY : O_RDWR);
	ret = secbuf_ioctl_fresh(heap, DMA_HEAP_IOCTL_ALLOC, &data, &in,
				 sizeof(data));

	secbuf_close_keep_errno(heap);

	return ret < 0 ? -1 : (int)data.fd;
}
