// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: dma-buf buffers: allocation, mapping, CPU access, names.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/secbuf.h>

#include "internal.h"

/* Older kernel headers name only the pointer-sized variant. */
#ifndef DMA_BUF_SET_NAME_B
#define DMA_BUF_SET_NAME_B	_IOW(DMA_BUF_BASE, 1, __u64)
#endif

/* secbuf places buffers of this size or more on this physical alignment. */
#define SECBUF_HUGE_ALIGN	((uintptr_t)2 << 20)

struct secbuf_buffer {
	int fd;
	bool read_only;
	uint64_t id;		/* 0: unknown */
	uint64_t grant_id;	/* 0: the owner's handle, or unknown */
	uint64_t size;
	void *map;		/* NULL when not mapped */
};

struct secbuf_buffer *secbuf_buffer_new(int fd, uint64_t id, uint64_t grant_id,
					uint64_t size, bool read_only)
{
	struct secbuf_buffer *buf;

	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return NULL;

	buf->fd = fd;
	buf->id = id;
	buf->grant_id = grant_id;
	buf->size = size;
	buf->read_only = read_only;

	return buf;
}

/* Size of a dma-buf as the kernel reports it; dma-buf supports SEEK_END. */
static int secbuf_fd_size(int fd, uint64_t *size)
{
	off_t end;

	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -1;
	/* Put the offset back; dma-buf allows only 0 for SEEK_SET. */
	lseek(fd, 0, SEEK_SET);

	*size = (uint64_t)end;
	return 0;
}

SECBUF_API struct secbuf_buffer *
secbuf_buffer_alloc(struct secbuf_pool *pool, uint64_t size, unsigned int flags)
{
	struct secbuf_alloc in = { .size = size }, req;
	struct secbuf_buffer *buf;
	uint64_t alloc_size;
	bool read_only;

	if (flags & ~(unsigned int)SECBUF_BUFFER_READ_ONLY) {
		errno = EINVAL;
		return NULL;
	}
	read_only = flags & SECBUF_BUFFER_READ_ONLY;
	in.fd_flags = O_CLOEXEC | (read_only ? O_RDONLY : O_RDWR);

	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_ALLOC,
			       &req, &in, sizeof(req)) < 0)
		return NULL;

	/* A kernel with the first version of the struct leaves it 0. */
	alloc_size = req.alloc_size;
	if (!alloc_size && secbuf_fd_size((int)req.fd, &alloc_size) < 0)
		goto close_fd;

	buf = secbuf_buffer_new((int)req.fd, req.id, 0, alloc_size, read_only);
	if (!buf)
		goto close_fd;

	return buf;

close_fd:
	secbuf_close_keep_errno((int)req.fd);
	return NULL;
}

SECBUF_API struct secbuf_buffer *secbuf_buffer_from_fd(int fd)
{
	uint64_t size;
	int fl;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return NULL;
	if (secbuf_fd_size(fd, &size) < 0)
		return NULL;

	return secbuf_buffer_new(fd, 0, 0, size, (fl & O_ACCMODE) == O_RDONLY);
}

SECBUF_API void secbuf_buffer_free(struct secbuf_buffer *buf)
{
	if (!buf)
		return;

	secbuf_buffer_unmap(buf);
	close(buf->fd);
	free(buf);
}

SECBUF_API int secbuf_buffer_get_fd(const struct secbuf_buffer *buf)
{
	return buf->fd;
}

SECBUF_API int secbuf_buffer_dup_fd(const struct secbuf_buffer *buf)
{
	return fcntl(buf->fd, F_DUPFD_CLOEXEC, 0);
}

SECBUF_API uint64_t secbuf_buffer_get_id(const struct secbuf_buffer *buf)
{
	return buf->id;
}

SECBUF_API uint64_t secbuf_buffer_get_grant_id(const struct secbuf_buffer *buf)
{
	return buf->grant_id;
}

SECBUF_API uint64_t secbuf_buffer_get_size(const struct secbuf_buffer *buf)
{
	return buf->size;
}

SECBUF_API bool secbuf_buffer_is_read_only(const struct secbuf_buffer *buf)
{
	return buf->read_only;
}

/*
 * Map @len bytes of @fd at a SECBUF_HUGE_ALIGN boundary: reserve
 * @len + SECBUF_HUGE_ALIGN bytes of address space that cannot be touched
 * and commits no memory, put the buffer over it with MAP_FIXED at the first
 * aligned address, and give back the slack on both sides.
 */
static void *secbuf_map_aligned(int fd, size_t len, int prot)
{
	uintptr_t resv, aligned, resv_end, tail;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *ptr;

	ptr = mmap(NULL, len + SECBUF_HUGE_ALIGN, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ptr == MAP_FAILED)
		return MAP_FAILED;

	resv = (uintptr_t)ptr;
	resv_end = resv + len + SECBUF_HUGE_ALIGN;
	aligned = (resv + SECBUF_HUGE_ALIGN - 1) & ~(SECBUF_HUGE_ALIGN - 1);

	ptr = mmap((void *)aligned, len, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	if (ptr == MAP_FAILED) {
		int saved = errno;

		munmap((void *)resv, len + SECBUF_HUGE_ALIGN);
		errno = saved;
		return MAP_FAILED;
	}

	if (aligned > resv)
		munmap((void *)resv, aligned - resv);
	tail = aligned + ((len + page - 1) & ~(page - 1));
	if (tail < resv_end)
		munmap((void *)tail, resv_end - tail);

	return ptr;
}

SECBUF_API void *secbuf_buffer_map(struct secbuf_buffer *buf)
{
	int prot = PROT_READ | (buf->read_only ? 0 : PROT_WRITE);
	size_t len;
	void *ptr;

	if (buf->map)
		return buf->map;

	if (buf->size > SIZE_MAX - SECBUF_HUGE_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	len = (size_t)buf->size;

	if (len >= SECBUF_HUGE_ALIGN)
		ptr = secbuf_map_aligned(buf->fd, len, prot);
	else
		ptr = mmap(NULL, len, prot, MAP_SHARED, buf->fd, 0);
	if (ptr == MAP_FAILED)
		return NULL;

	buf->map = ptr;
	return ptr;
}

SECBUF_API int secbuf_buffer_unmap(struct secbuf_buffer *buf)
{
	if (!buf->map)
		return 0;

	if (munmap(buf->map, (size_t)buf->size) < 0)
		return -1;

	buf->map = NULL;
	return 0;
}

static int secbuf_buffer_sync(struct secbuf_buffer *buf, unsigned int flags,
			      __u64 phase)
{
	struct dma_buf_sync sync = { .flags = phase };

	if (!flags || (flags & ~(unsigned int)SECBUF_SYNC_RW)) {
		errno = EINVAL;
		return -1;
	}
	if (flags & SECBUF_SYNC_READ)
		sync.flags |= DMA_BUF_SYNC_READ;
	if (flags & SECBUF_SYNC_WRITE)
		sync.flags |= DMA_BUF_SYNC_WRITE;

	return secbuf_ioctl(buf->fd, DMA_BUF_IOCTL_SYNC, &sync);
}

SECBUF_API int secbuf_buffer_sync_begin(struct secbuf_buffer *buf,
					unsigned int flags)
{
	return secbuf_buffer_sync(buf, flags, DMA_BUF_SYNC_START);
}

SECBUF_API int secbuf_buffer_sync_end(struct secbuf_buffer *buf,
				      unsigned int flags)
{
	return secbuf_buffer_sync(buf, flags, DMA_BUF_SYNC_END);
}

SECBUF_API int secbuf_buffer_set_name(struct secbuf_buffer *buf,
				      const char *name)
{
	if (!name) {
		errno = EINVAL;
		return -1;
	}
	/* The kernel would say EINVAL; be more precise. */
	if (strlen(name) > SECBUF_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}

	/* The _B variant works for 32- and 64-bit callers alike. */
	return secbuf_ioctl(buf->fd, DMA_BUF_SET_NAME_B, (void *)name);
}
