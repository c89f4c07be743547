/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * secbuf: physically contiguous, owner-controlled dma-buf pools
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef _UAPI_LINUX_SECBUF_H
#define _UAPI_LINUX_SECBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: secbuf uapi
 *
 * Each secbuf pool has a character device ``/dev/secbuf/<pool>``. Opening it
 * gives a *pool file*; buffers allocated through a pool file are owned by
 * that file and are counted against its limits. A buffer is handed out as a
 * dma-buf file descriptor and travels between processes only as a file
 * descriptor (``SCM_RIGHTS``, ``pidfd_getfd()``). Physical addresses are never
 * exposed.
 *
 * Every ioctl argument is a struct made of __u32 and __u64 fields only. Pad
 * fields and reserved flag bits must be zero, otherwise the ioctl fails with
 * ``EINVAL``. Structs may grow at the end: the kernel accepts an older, shorter
 * struct (missing fields read as zero) and a newer, longer one as long as the
 * bytes it does not know are zero (otherwise ``E2BIG``).
 *
 * The same pool also answers the standard ``DMA_HEAP_IOCTL_ALLOC`` on
 * ``/dev/dma_heap/<pool>``.
 */

#define SECBUF_IOC_MAGIC	0xB9

/* File descriptor flags accepted by SECBUF_IOC_ALLOC in @fd_flags. */
#define SECBUF_FD_VALID_FLAGS	(O_CLOEXEC | O_RDWR)

/* No allocation flags are defined yet; every bit is reserved. */
#define SECBUF_ALLOC_VALID_FLAGS	(0U)

/* No pool info flags are defined yet; every bit is reserved. */
#define SECBUF_POOL_INFO_VALID_FLAGS	(0U)

/**
 * struct secbuf_alloc - argument of SECBUF_IOC_ALLOC
 * @size:	in: requested size in bytes, rounded up to whole pages.
 * @flags:	in: allocation flags, a subset of %SECBUF_ALLOC_VALID_FLAGS.
 * @fd_flags:	in: flags for the new file descriptor: %O_CLOEXEC, and
 *		%O_RDWR or %O_RDONLY (0). %O_WRONLY is refused.
 * @fd:		out: the dma-buf file descriptor. Must be 0 on input.
 * @pad:	must be 0.
 * @id:		out: the buffer id, unique within the pool for the lifetime
 *		of the module. Must be 0 on input.
 * @alloc_size:	out: the size of the buffer in bytes (@size rounded up to
 *		pages). Must be 0 on input.
 */
struct secbuf_alloc {
	__u64 size;
	__u32 flags;
	__u32 fd_flags;
	__u32 fd;
	__u32 pad;
	__u64 id;
	__u64 alloc_size;
};

/* Size of the first version of struct secbuf_alloc, without @alloc_size. */
#define SECBUF_ALLOC_SIZE_VER0	32

/**
 * struct secbuf_pool_info - argument of SECBUF_IOC_POOL_INFO
 * @flags:		in: must be 0.
 * @pad:		must be 0.
 * @total_bytes:	out: capacity of the pool.
 * @used_bytes:		out: bytes held by live buffers of every file.
 * @largest_free_bytes:	out: size of the largest buffer an allocation could
 *			get right now.
 * @buffer_count:	out: live buffers in the pool.
 * @max_buffer_bytes:	out: largest size a single allocation may request.
 * @file_max_bytes:	out: per pool file limit on the bytes of live buffers.
 * @file_max_buffers:	out: per pool file limit on the number of live buffers.
 * @file_buffers:	out: live buffers owned by this pool file.
 * @file_used_bytes:	out: bytes of live buffers owned by this pool file.
 *
 * All out fields are overwritten; only @flags and @pad are checked.
 */
struct secbuf_pool_info {
	__u32 flags;
	__u32 pad;
	__u64 total_bytes;
	__u64 used_bytes;
	__u64 largest_free_bytes;
	__u64 buffer_count;
	__u64 max_buffer_bytes;
	__u64 file_max_bytes;
	__u32 file_max_buffers;
	__u32 file_buffers;
	__u64 file_used_bytes;
};

/**
 * DOC: SECBUF_IOC_ALLOC - allocate a zeroed, physically contiguous buffer
 *
 * Takes a &struct secbuf_alloc. On success returns 0 and fills @fd, @id and
 * @alloc_size. Buffers of 2 MiB or more are 2 MiB aligned physically.
 *
 * Errors:
 *
 * EINVAL
 *	an out field is not 0, an unknown @flags or @fd_flags bit is set,
 *	%O_WRONLY was requested, @pad is not 0, or @size is 0.
 * E2BIG
 *	the struct is larger than the kernel's and the extra bytes are not 0.
 * EFBIG
 *	@size is larger than the pool's max_buffer_bytes.
 * EDQUOT
 *	the pool file would exceed its byte or buffer limit.
 * ENOMEM
 *	the pool has no contiguous free range of that size.
 * EMFILE
 *	the process has no free file descriptor.
 * EINTR
 *	the caller received a fatal signal while the buffer was being zeroed.
 * EFAULT
 *	the argument could not be read or written.
 */
#define SECBUF_IOC_ALLOC	_IOWR(SECBUF_IOC_MAGIC, 0x00, struct secbuf_alloc)

/**
 * DOC: SECBUF_IOC_POOL_INFO - report pool usage and limits
 *
 * Takes a &struct secbuf_pool_info and fills its out fields.
 *
 * Errors:
 *
 * EINVAL
 *	@flags or @pad is not 0.
 * E2BIG
 *	the struct is larger than the kernel's and the extra bytes are not 0.
 * EFAULT
 *	the argument could not be read or written.
 */
#define SECBUF_IOC_POOL_INFO	_IOWR(SECBUF_IOC_MAGIC, 0x01, struct secbuf_pool_info)

#endif /* _UAPI_LINUX_SECBUF_H */
