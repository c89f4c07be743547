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

/*
 * Flags for the new file descriptor (@fd_flags of SECBUF_IOC_ALLOC and
 * SECBUF_IOC_GRANT). They are secbuf's own values, the same on every
 * architecture, and the header needs no other: they equal O_RDWR and
 * O_CLOEXEC of the generic <asm-generic/fcntl.h> (x86, arm64, arm, riscv
 * and most others), so passing those works there too, but not where the
 * architecture's O_CLOEXEC differs (alpha, parisc, sparc).
 */
#define SECBUF_FD_RDWR		0x00000002U
#define SECBUF_FD_CLOEXEC	0x00080000U
#define SECBUF_FD_VALID_FLAGS	(SECBUF_FD_CLOEXEC | SECBUF_FD_RDWR)

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

/* SECBUF_IOC_GRANT flags. */
#define SECBUF_GRANT_PIDFD	(1U << 0)	/* bind to the process of @pidfd */
#define SECBUF_GRANT_VALID_FLAGS	(SECBUF_GRANT_PIDFD)

/* SECBUF_IOC_REVOKE flags: none yet. */
#define SECBUF_REVOKE_VALID_FLAGS	(0U)

/* Buffer and handle states reported by SECBUF_IOC_QUERY and _GRANT_LIST. */
#define SECBUF_STATE_LIVE	0	/* usable */
#define SECBUF_STATE_REVOKED	1	/* revoked: every access fails */
#define SECBUF_STATE_DMA	2	/* a DMA window is open (QUERY only) */

/* Seals (SECBUF_IOC_SEAL, _GET_SEALS, _QUERY). Seals are never removed. */
#define SECBUF_SEAL_WRITE	(1U << 0)	/* content frozen: no writer */
#define SECBUF_SEAL_GRANT	(1U << 1)	/* no new grants */
#define SECBUF_SEAL_REVOKE	(1U << 2)	/* the buffer cannot be revoked */
#define SECBUF_SEAL_SEAL	(1U << 3)	/* no further seals */
#define SECBUF_SEAL_VALID_SEALS	(SECBUF_SEAL_WRITE | SECBUF_SEAL_GRANT | \
				 SECBUF_SEAL_REVOKE | SECBUF_SEAL_SEAL)

/* SECBUF_IOC_DMA_BEGIN flags: exactly one policy, optionally a fence fd. */
#define SECBUF_DMA_WAIT		(1U << 0)	/* CPU faults wait for DMA_END */
#define SECBUF_DMA_STRICT	(1U << 1)	/* CPU faults raise SIGBUS */
#define SECBUF_DMA_FENCE_FD	(1U << 2)	/* return the window's sync_file */
#define SECBUF_DMA_VALID_FLAGS	(SECBUF_DMA_WAIT | SECBUF_DMA_STRICT | \
				 SECBUF_DMA_FENCE_FD)

/* SECBUF_IOC_DMA_END flags: none yet. */
#define SECBUF_DMA_END_VALID_FLAGS	(0U)

/**
 * struct secbuf_alloc - argument of SECBUF_IOC_ALLOC
 * @size:	in: requested size in bytes, rounded up to whole pages.
 * @flags:	in: allocation flags, a subset of %SECBUF_ALLOC_VALID_FLAGS.
 * @fd_flags:	in: flags for the new file descriptor: %SECBUF_FD_CLOEXEC,
 *		and %SECBUF_FD_RDWR or 0 (read-only). Any other bit is
 *		refused.
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
 * @file_buffers:	out: buffers owned by this pool file whose memory is
 *			still taken: live ones, and revoked ones still
 *			quarantined (they count against the limits too).
 * @file_used_bytes:	out: bytes of those buffers.
 * @quarantined_bytes:	out: bytes of revoked buffers still held because a
 *			device may reach them (part of @used_bytes). Not in
 *			the first version of the struct.
 * @cached_bytes:	out: bytes of free memory the pool keeps from CMA to
 *			allocate faster (counted as free; handed back under
 *			memory pressure). Not in the first two versions.
 * @prezeroed_bytes:	out: the part of @cached_bytes already zeroed, which
 *			allocations hand out without zeroing. Not in the
 *			first two versions.
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
	__u64 cached_bytes;
	__u64 prezeroed_bytes;
};

/* Sizes of the earlier versions of struct secbuf_pool_info. */
#define SECBUF_POOL_INFO_SIZE_VER0	72
#define SECBUF_POOL_INFO_SIZE_VER1	80

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
 * @flags:	in: %SECBUF_GRANT_PIDFD or 0.
 * @pidfd:	in: with %SECBUF_GRANT_PIDFD, a pidfd of the only process that
 *		may mmap or attach the grant; otherwise must be 0.
 * @fd_flags:	in: %SECBUF_FD_CLOEXEC or 0. The access mode follows
 *		@rights: read-write with %SECBUF_GRANT_WRITE, read-only
 *		without.
 * @fd:		out: the grant's dma-buf file descriptor. Must be 0 on input.
 * @grant_id:	out: id of the grant, unique in the buffer. Must be 0 on
 *		input.
 */
struct secbuf_grant {
	__u32 buf_fd;
	__u32 rights;
	__u32 flags;
	__u32 pidfd;
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
 * @pid:	the process the grant is bound to, as seen from the caller's
 *		pid namespace; 0 if the grant is not bound (or the process
 *		is not visible there).
 * @pad:	always 0.
 * @parent_id:	the grant this one was derived from with
 *		%SECBUF_GRANT_REGRANT, or 0 for a grant the owner made. The
 *		parent may have been closed since: its id stays revocable,
 *		and revoking it revokes this grant, while this grant lives.
 *		Only in entries of at least %SECBUF_GRANT_INFO_SIZE_VER1
 *		bytes.
 */
struct secbuf_grant_info {
	__u64 grant_id;
	__u32 rights;
	__u32 state;
	__u32 mappings;
	__u32 attachments;
	__u32 pid;
	__u32 pad;
	__u64 parent_id;
};

#define SECBUF_GRANT_INFO_SIZE_VER0	32
#define SECBUF_GRANT_INFO_SIZE_VER1	40

/**
 * struct secbuf_grant_list - argument of SECBUF_IOC_GRANT_LIST
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @count:	in: number of entries @grants has room for; out: number of
 *		live and revoked grants of the buffer (at most @count are
 *		written).
 * @grants:	in: user pointer to an array of &struct secbuf_grant_info,
 *		may be 0 when @count is 0.
 * @info_size:	in: the size of one entry of @grants, normally
 *		sizeof(struct secbuf_grant_info); 0 means
 *		%SECBUF_GRANT_INFO_SIZE_VER0, the size before @parent_id was
 *		added. Must be a multiple of 8, at least
 *		%SECBUF_GRANT_INFO_SIZE_VER0 and at most 4096 (``EINVAL``);
 *		bytes past what the kernel knows are written as zero.
 * @pad:	must be 0.
 */
struct secbuf_grant_list {
	__u32 buf_fd;
	__u32 count;
	__u64 grants;
	__u32 info_size;
	__u32 pad;
};

#define SECBUF_GRANT_LIST_SIZE_VER0	16

/**
 * struct secbuf_query - argument of SECBUF_IOC_QUERY
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @pad:	must be 0.
 * @state:	out: %SECBUF_STATE_* of the buffer: live, revoked, or in a
 *		DMA window.
 * @handle_state: out: %SECBUF_STATE_* of @buf_fd itself (a revoked grant of
 *		a live buffer is %SECBUF_STATE_REVOKED here).
 * @rights:	out: %SECBUF_GRANT_* rights of @buf_fd.
 * @seals:	out: %SECBUF_SEAL_* seals of the buffer.
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
 * struct secbuf_seal - argument of SECBUF_IOC_SEAL and SECBUF_IOC_GET_SEALS
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @seals:	SEAL: in: %SECBUF_SEAL_* seals to add, at least one; out: every
 *		seal of the buffer. GET_SEALS: must be 0 on input; out: every
 *		seal of the buffer.
 */
struct secbuf_seal {
	__u32 buf_fd;
	__u32 seals;
};

/**
 * struct secbuf_dma_begin - argument of SECBUF_IOC_DMA_BEGIN
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @flags:	in: %SECBUF_DMA_WAIT or %SECBUF_DMA_STRICT, optionally with
 *		%SECBUF_DMA_FENCE_FD.
 * @fence_fd:	out: with %SECBUF_DMA_FENCE_FD, a sync_file (%O_CLOEXEC) of
 *		the window's fence; otherwise left 0. Must be 0 on input.
 * @pad:	must be 0.
 */
struct secbuf_dma_begin {
	__u32 buf_fd;
	__u32 flags;
	__u32 fence_fd;
	__u32 pad;
};

/**
 * struct secbuf_dma_end - argument of SECBUF_IOC_DMA_END
 * @buf_fd:	in: a dma-buf file descriptor of the buffer.
 * @flags:	in: must be 0.
 */
struct secbuf_dma_end {
	__u32 buf_fd;
	__u32 flags;
};

/**
 * DOC: SECBUF_IOC_ALLOC - allocate a zeroed, physically contiguous buffer
 *
 * Takes a &struct secbuf_alloc. On success returns 0 and fills @fd, @id and
 * @alloc_size. Buffers of 2 MiB or more are 2 MiB aligned physically.
 *
 * The pool file must be open for writing. A read-only one (all a holder
 * needs) may use POOL_INFO, QUERY and GET_SEALS, and derive grants from a
 * grant with %SECBUF_GRANT_REGRANT; it owns nothing, so the owner's
 * ioctls fail on it with EPERM.
 *
 * Errors:
 *
 * EBADF
 *	the pool file is not open for writing.
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
 * gone and touching it raises SIGBUS; new mmap, attach and map fail with
 * ENODEV. A new kernel vmap (which the dma-buf core does not let fail
 * quietly) gets a private zeroed mapping instead of the memory. Dynamic
 * importers get dma_buf_move_notify(). Device fences are waited for
 * (bounded), and memory a device may still reach stays quarantined until
 * its last device mapping is gone. Revoking a revoked
 * buffer or grant again succeeds and reports the quarantine.
 *
 * Closing the owner's pool file revokes every buffer it owns, except those
 * sealed with %SECBUF_SEAL_REVOKE: they live until their last handle goes.
 * Revocation ends an open DMA window; its fence signals with ECANCELED.
 *
 * Errors:
 *
 * EBADF
 *	@buf_fd is not an open file descriptor.
 * EINVAL
 *	@buf_fd is not a secbuf dma-buf of this pool, @flags is not valid,
 *	or @quarantined_bytes is not 0.
 * EPERM
 *	the caller's pool file does not own the buffer, or the buffer is
 *	sealed with %SECBUF_SEAL_REVOKE.
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
 * With %SECBUF_GRANT_PIDFD the grant is bound to the process @pidfd refers
 * to: mmap and attach by any other process fail with EACCES, and its
 * mappings are not inherited by children (fork leaves the range unmapped).
 * A grant derived from a bound grant stays bound to the same process.
 *
 * Errors:
 *
 * EBADF
 *	@buf_fd is not open, or @pidfd is not an open file descriptor.
 * EINVAL
 *	@buf_fd is not a secbuf dma-buf of this pool; unknown @rights,
 *	@flags or @fd_flags bits; @pidfd set without %SECBUF_GRANT_PIDFD,
 *	or not a pidfd; an out field not 0.
 * ESRCH
 *	the process of @pidfd has exited (also while it is a zombie).
 * EPERM
 *	the caller does not own the buffer and @buf_fd is not a grant with
 *	%SECBUF_GRANT_REGRANT, @rights are wider than @buf_fd's, @buf_fd is
 *	bound to another process than @pidfd's, or the buffer carries
 *	%SECBUF_SEAL_GRANT.
 * ENODEV
 *	the buffer or @buf_fd has been revoked.
 * EMFILE
 *	no free file descriptor.
 */
#define SECBUF_IOC_GRANT	_IOWR(SECBUF_IOC_MAGIC, 0x03, struct secbuf_grant)

/**
 * DOC: SECBUF_IOC_GRANT_LIST - list the grants of a buffer
 *
 * Owner only. Writes min(@count in, @count out) entries, in creation
 * order, and sets @count to the number of grants: an array too small gets
 * filled and @count tells how large it must be.
 *
 * Errors: EBADF, EINVAL and EPERM as for SECBUF_IOC_REVOKE; ENOMEM; EFAULT;
 * EAGAIN if grants kept being made while the list was taken.
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

/**
 * DOC: SECBUF_IOC_SEAL - add seals to a buffer, for good
 *
 * Owner only. Seals bind the owner too and are never removed.
 *
 * %SECBUF_SEAL_WRITE freezes the content: every CPU mapping is zapped and
 * refaults read-only; a write through any mapping raises SIGBUS; a new
 * writable mmap fails with EPERM and mprotect() cannot add PROT_WRITE to a
 * mapping made after the seal; map_dma_buf for %DMA_FROM_DEVICE or
 * %DMA_BIDIRECTIONAL and SECBUF_IOC_DMA_BEGIN fail with EPERM; a new kernel
 * vmap gets a private snapshot, whose writes are lost. Static
 * importers are mapped bidirectionally by the dma-buf core when they
 * attach, so they cannot attach to a write-sealed buffer.
 *
 * %SECBUF_SEAL_GRANT: SECBUF_IOC_GRANT fails with EPERM.
 * %SECBUF_SEAL_REVOKE: SECBUF_IOC_REVOKE fails with EPERM, and closing the
 * owner's pool file no longer revokes the buffer.
 * %SECBUF_SEAL_SEAL: SECBUF_IOC_SEAL fails with EPERM.
 *
 * Errors:
 *
 * EBADF, EINVAL
 *	as for SECBUF_IOC_REVOKE; also for no or an unknown seal.
 * EPERM
 *	the caller does not own the buffer, or it is sealed with
 *	%SECBUF_SEAL_SEAL.
 * ENODEV
 *	the buffer has been revoked.
 * EBUSY
 *	%SECBUF_SEAL_WRITE while a device holds a mapping that allows it to
 *	write, the kernel holds a vmap, or a DMA window is open.
 */
#define SECBUF_IOC_SEAL		_IOWR(SECBUF_IOC_MAGIC, 0x06, struct secbuf_seal)

/**
 * DOC: SECBUF_IOC_GET_SEALS - read the seals of a buffer
 *
 * Works for any holder of a secbuf dma-buf of the pool, like QUERY.
 *
 * Errors: EBADF; EINVAL as for SECBUF_IOC_QUERY, or @seals not 0.
 */
#define SECBUF_IOC_GET_SEALS	_IOWR(SECBUF_IOC_MAGIC, 0x07, struct secbuf_seal)

/**
 * DOC: SECBUF_IOC_DMA_BEGIN - open a device-access window
 *
 * Owner only. Zaps every CPU mapping of the buffer, in every process and
 * through every grant, and adds a fence with %DMA_RESV_USAGE_WRITE to the
 * buffer's reservation object. Until SECBUF_IOC_DMA_END, a CPU fault on
 * the buffer waits (%SECBUF_DMA_WAIT, interruptibly) or raises SIGBUS at
 * once (%SECBUF_DMA_STRICT); DMA_BUF_IOCTL_SYNC and begin_cpu_access wait
 * in both modes. A window that is not closed expires after the
 * dma_window_timeout_ms module parameter (10 s by default): its fence then
 * signals with ETIMEDOUT.
 *
 * Outside a window, a CPU fault waits for the unsignaled fences other
 * importers put on the reservation object (the write fences for a read,
 * every fence for a write), as DMA_BUF_IOCTL_SYNC does.
 *
 * Errors:
 *
 * EBADF, EINVAL
 *	as for SECBUF_IOC_REVOKE; also for no or both policies, unknown
 *	@flags, @fence_fd or @pad not 0.
 * EPERM
 *	the caller does not own the buffer, or it is sealed with
 *	%SECBUF_SEAL_WRITE.
 * ENODEV
 *	the buffer has been revoked.
 * EBUSY
 *	a window is already open.
 * EMFILE
 *	no free file descriptor for the fence.
 */
#define SECBUF_IOC_DMA_BEGIN	_IOWR(SECBUF_IOC_MAGIC, 0x08, struct secbuf_dma_begin)

/**
 * DOC: SECBUF_IOC_DMA_END - close the device-access window
 *
 * Owner only. Signals the window's fence; waiting faults map the buffer
 * again.
 *
 * Errors:
 *
 * EBADF, EINVAL, EPERM
 *	as for SECBUF_IOC_REVOKE.
 * ENODEV
 *	the buffer has been revoked (which closed its window).
 * ENOENT
 *	no window is open.
 * ETIMEDOUT
 *	the window had already expired; it is closed now.
 */
#define SECBUF_IOC_DMA_END	_IOWR(SECBUF_IOC_MAGIC, 0x09, struct secbuf_dma_end)

#endif /* _UAPI_LINUX_SECBUF_H */
