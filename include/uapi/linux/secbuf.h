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

/* Rights of a dma-buf handle on its buffer (SECBUF_IOC_GRANT, _QUERY). */
#define SECBUF_GRANT_READ	(1U << 0)	/* mmap with PROT_READ */
#define SECBUF_GRANT_WRITE	(1U << 1)	/* mmap with PROT_WRITE */
#define SECBUF_GRANT_DMA	(1U << 2)	/* attach to a device */
#define SECBUF_GRANT_REGRANT	(1U << 3)	/* derive narrower grants */
#define SECBUF_GRANT_VALID_RIGHTS	(SECBUF_GRANT_READ | \
					 SECBUF_GRANT_WRITE | \
					 SECBUF_GRANT_DMA | \
					 SECBUF_GRANT_REGRANT)

/* SECBUF_IOC_GRANT flags: none yet. */
#define SECBUF_GRANT_VALID_FLAGS	(0U)

/* SECBUF_IOC_REVOKE flags: none yet. */
#define SECBUF_REVOKE_VALID_FLAGS	(0U)

/* Buffer and handle states reported by SECBUF_IOC_QUERY and _GRANT_LIST. */
#define SECBUF_STATE_LIVE	0	/* usable */
#define SECBUF_STATE_REVOKED	1	/* revoked: every access fails */

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
 * @quarantined_bytes:	out: bytes of revoked buffers still held because a
 *			device may reach them (part of @used_bytes). Not in
 *			the first version of the struct.
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
	__u64 quarantined_bytes;
};

/* Size of the first version of struct secbuf_pool_info. */
#define SECBUF_POOL_INFO_SIZE_VER0	72

/**
 * struct secbuf_revoke - argument of SECBUF_IOC_REVOKE
 * @buf_fd:		in: a dma-buf file descriptor of the buffer.
 * @flags:		in: must be 0.
 * @grant_id:		in: 0 to revoke the whole buffer, otherwise the id of
 *			the one grant to revoke.
 * @quarantined_bytes:	out: bytes of the pool still held by revoked buffers
 *			because a device may still access them. Must be 0 on
 *			input.
 */
struct secbuf_revoke {
	__u32 buf_fd;
	__u32 flags;
	__u64 grant_id;
	__u64 quarantined_bytes;
};

/**
 * struct secbuf_grant - argument of SECBUF_IOC_GRANT
 * @buf_fd:	in: the owner's dma-buf file descriptor of the buffer, or a
 *		grant with %SECBUF_GRANT_REGRANT.
 * @rights:	in: %SECBUF_GRANT_* rights, a subset of those of @buf_fd.
 * @flags:	in: must be 0.
 * @pad:	must be 0.
 * @fd_flags:	in: %O_CLOEXEC or 0. The access mode follows @rights:
 *		%O_RDWR with %SECBUF_GRANT_WRITE, %O_RDONLY without.
 * @fd:		out: the grant's dma-buf file descriptor. Must be 0 on input.
 * @grant_id:	out: id of the grant, unique in the buffer. Must be 0 on
 *		input.
 */
struct secbuf_grant {
	__u32 buf_fd;
	__u32 rights;
	__u32 flags;
	__u32 pad;
	__u32 fd_flags;
	__u32 fd;
	__u64 grant_id;
};

/**
 * struct secbuf_grant_info - one entry of SECBUF_IOC_GRANT_LIST
 * @grant_id:	id of the grant.
 * @rights:	%SECBUF_GRANT_* rights.
 * @state:	%SECBUF_STATE_LIVE or %SECBUF_STATE_REVOKED.
 * @mappings:	live CPU mappings (VMAs) made through the grant.
 * @attachments: devices attached through the grant.
 */
struct secbuf_grant_info {
	__u64 grant_id;
	__u32 rights;
	__u32 state;
	__u32 mappings;
	__u32 attachments;
};

/**
 * struct secbuf_grant_list - argument of SECBUF_IOC_GRANT_LIST
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @count:	in: number of entries @grants has room for; out: number of
 *		live and revoked grants of the buffer (at most @count are
 *		written).
 * @grants:	in: user pointer to an array of &struct secbuf_grant_info,
 *		may be 0 when @count is 0.
 */
struct secbuf_grant_list {
	__u32 buf_fd;
	__u32 count;
	__u64 grants;
};

/**
 * struct secbuf_query - argument of SECBUF_IOC_QUERY
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @pad:	must be 0.
 * @state:	out: %SECBUF_STATE_* of the buffer.
 * @handle_state: out: %SECBUF_STATE_* of @buf_fd itself (a revoked grant of
 *		a live buffer is %SECBUF_STATE_REVOKED here).
 * @rights:	out: %SECBUF_GRANT_* rights of @buf_fd.
 * @seals:	out: seals of the buffer (none are defined yet).
 * @size:	out: size of the buffer in bytes.
 * @id:		out: buffer id.
 * @grant_id:	out: grant id of @buf_fd, 0 for the owner's handle.
 */
struct secbuf_query {
	__u32 buf_fd;
	__u32 pad;
	__u32 state;
	__u32 handle_state;
	__u32 rights;
	__u32 seals;
	__u64 size;
	__u64 id;
	__u64 grant_id;
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

/**
 * DOC: SECBUF_IOC_REVOKE - revoke a whole buffer or one grant, for good
 *
 * Only the owner (the pool file that allocated the buffer) may revoke. When
 * the ioctl returns, every CPU mapping made through the revoked handles is
 * gone and touching it raises SIGBUS; new mmap, attach, map and vmap fail
 * with ENODEV. Dynamic importers get dma_buf_move_notify(). Device fences
 * are waited for (bounded), and memory a device may still reach stays
 * quarantined until its last attachment is gone. Revoking a revoked
 * buffer or grant again succeeds and reports the quarantine.
 *
 * Closing the owner's pool file revokes every buffer it owns.
 *
 * Errors:
 *
 * EBADF
 *	@buf_fd is not an open file descriptor.
 * EINVAL
 *	@buf_fd is not a secbuf dma-buf of this pool, @flags is not valid,
 *	or @quarantined_bytes is not 0.
 * EPERM
 *	the caller's pool file does not own the buffer.
 * ENOENT
 *	the buffer has no grant @grant_id.
 */
#define SECBUF_IOC_REVOKE	_IOWR(SECBUF_IOC_MAGIC, 0x02, struct secbuf_revoke)

/**
 * DOC: SECBUF_IOC_GRANT - make a new handle with restricted rights
 *
 * Returns a new dma-buf file descriptor for the same memory. Rights only
 * narrow: they must be a subset of @buf_fd's. The owner's handle has every
 * right; a grant may derive grants only with %SECBUF_GRANT_REGRANT. Each
 * grant is its own dma-buf with its own address_space, so it can be
 * revoked without touching any other client's mappings.
 *
 * Errors:
 *
 * EBADF
 *	@buf_fd is not open.
 * EINVAL
 *	@buf_fd is not a secbuf dma-buf of this pool; unknown @rights,
 *	@flags or @fd_flags bits; @pad or an out field not 0.
 * EPERM
 *	the caller does not own the buffer and @buf_fd is not a grant with
 *	%SECBUF_GRANT_REGRANT, or @rights are wider than @buf_fd's.
 * ENODEV
 *	the buffer or @buf_fd has been revoked.
 * EMFILE
 *	no free file descriptor.
 */
#define SECBUF_IOC_GRANT	_IOWR(SECBUF_IOC_MAGIC, 0x03, struct secbuf_grant)

/**
 * DOC: SECBUF_IOC_GRANT_LIST - list the grants of a buffer
 *
 * Owner only. Fills up to @count entries, in creation order, and sets
 * @count to the number of grants.
 *
 * Errors: EBADF, EINVAL and EPERM as for SECBUF_IOC_REVOKE; EFAULT.
 */
#define SECBUF_IOC_GRANT_LIST	_IOWR(SECBUF_IOC_MAGIC, 0x04, struct secbuf_grant_list)

/**
 * DOC: SECBUF_IOC_QUERY - what a holder may know about its handle
 *
 * Works on any pool file of the buffer's pool, for any secbuf dma-buf the
 * caller holds: state, rights, seals, size and ids.
 *
 * Errors:
 *
 * EBADF
 *	@buf_fd is not open.
 * EINVAL
 *	@buf_fd is not a secbuf dma-buf of this pool, or @pad is not 0.
 */
#define SECBUF_IOC_QUERY	_IOWR(SECBUF_IOC_MAGIC, 0x05, struct secbuf_query)

#endif /* _UAPI_LINUX_SECBUF_H */
