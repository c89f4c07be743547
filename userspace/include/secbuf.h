/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecbuf: userspace access to secbuf pools and their dma-bufs.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef SECBUF_H
#define SECBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: error convention
 *
 * Every function that can fail returns -1 (if it returns int) or NULL (if it
 * returns a pointer) and sets errno; no function returns a negative errno.
 * The errno is the one the kernel gave whenever a system call failed, so the
 * errno lists in <linux/secbuf.h> and <linux/dma-buf.h> apply; invalid
 * arguments the library catches itself give EINVAL. Getters on a valid
 * object cannot fail and return the value directly. On failure nothing is
 * allocated and nothing the caller passed in changes hands.
 *
 * Ioctls are retried on EINTR and EAGAIN, and every file descriptor the
 * library creates has O_CLOEXEC set. Objects are not thread-safe: use each
 * one from one thread at a time. Distinct objects need no locking.
 *
 * The names here do not clash with those of the kernel's <linux/secbuf.h>,
 * which is not needed to use the library (nor included by this header).
 */

/** struct secbuf_pool - an open pool file. */
struct secbuf_pool;

/** struct secbuf_pool_stats - a snapshot of a pool's usage and limits. */
struct secbuf_pool_stats;

/** struct secbuf_buffer - a dma-buf file descriptor and its mapping. */
struct secbuf_buffer;

/** struct secbuf_buffer_info - what a holder may know about its handle. */
struct secbuf_buffer_info;

/** struct secbuf_grants - a snapshot of the grants of a buffer. */
struct secbuf_grants;

/** struct secbuf_v4l2_queue - a V4L2 buffer queue that takes dma-bufs. */
struct secbuf_v4l2_queue;

/**
 * secbuf_api_version() - version of the library package.
 *
 * Return: a static string such as "0.1.0". Do not free it.
 */
const char *secbuf_api_version(void);

/* ---------------------------------------------------------------------- */
/* Pools                                                                  */
/* ---------------------------------------------------------------------- */

/** SECBUF_DEV_DIR - where the pool devices live. */
#define SECBUF_DEV_DIR		"/dev/secbuf"

/** SECBUF_HEAP_DIR - where the dma-heap devices live. */
#define SECBUF_HEAP_DIR		"/dev/dma_heap"

/**
 * secbuf_pool_open() - open a pool file.
 * @name_or_path: a pool name such as "gpu", which opens /dev/secbuf/gpu, or
 *		  a path (anything with a '/' in it).
 *
 * Buffers allocated through the pool file count against its per-file limits,
 * so each open gets fresh limits.
 *
 * Return: a new pool object, owned by the caller, to be released with
 * secbuf_pool_close(); or NULL with errno set (ENOENT: no such pool, EACCES:
 * no permission on the device node, ENODEV: not a character device).
 */
struct secbuf_pool *secbuf_pool_open(const char *name_or_path);

/**
 * secbuf_pool_close() - close a pool file.
 * @pool: the pool, or NULL (which does nothing).
 *
 * Buffers allocated from the pool stay valid: each dma-buf lives until its
 * last file descriptor and mapping are gone, but it keeps counting against
 * the pool.
 */
void secbuf_pool_close(struct secbuf_pool *pool);

/**
 * secbuf_pool_get_name() - name of the pool.
 * @pool: the pool.
 *
 * Return: the last component of the device path, e.g. "gpu". The string is
 * owned by @pool and valid until secbuf_pool_close().
 */
const char *secbuf_pool_get_name(const struct secbuf_pool *pool);

/**
 * secbuf_pool_get_path() - device path of the pool.
 * @pool: the pool.
 *
 * Return: e.g. "/dev/secbuf/gpu". Owned by @pool, valid until
 * secbuf_pool_close().
 */
const char *secbuf_pool_get_path(const struct secbuf_pool *pool);

/**
 * secbuf_pool_get_fd() - file descriptor of the pool file.
 * @pool: the pool.
 *
 * For raw ioctls. The descriptor is owned by @pool: do not close it.
 *
 * Return: the file descriptor.
 */
int secbuf_pool_get_fd(const struct secbuf_pool *pool);

/**
 * secbuf_pool_get_stats() - read the pool's current usage and limits.
 * @pool: the pool.
 *
 * Return: a new snapshot, owned by the caller, to be released with
 * secbuf_pool_stats_free(); or NULL with errno set.
 */
struct secbuf_pool_stats *secbuf_pool_get_stats(struct secbuf_pool *pool);

/**
 * secbuf_pool_stats_free() - release a snapshot.
 * @stats: the snapshot, or NULL (which does nothing).
 */
void secbuf_pool_stats_free(struct secbuf_pool_stats *stats);

/*
 * Getters of a snapshot. Each returns a value the kernel reported when the
 * snapshot was taken; limits of 0 mean "no limit".
 */

/** Capacity of the pool, in bytes. */
uint64_t secbuf_pool_stats_get_total_bytes(const struct secbuf_pool_stats *stats);
/** Bytes held by the live buffers of every pool file. */
uint64_t secbuf_pool_stats_get_used_bytes(const struct secbuf_pool_stats *stats);
/** Size of the largest buffer an allocation could get at the time. */
uint64_t secbuf_pool_stats_get_largest_free_bytes(const struct secbuf_pool_stats *stats);
/** Number of live buffers in the pool. */
uint64_t secbuf_pool_stats_get_buffer_count(const struct secbuf_pool_stats *stats);
/** Largest size a single allocation may request. */
uint64_t secbuf_pool_stats_get_max_buffer_bytes(const struct secbuf_pool_stats *stats);
/** Per pool file limit on the bytes of live buffers (0: none). */
uint64_t secbuf_pool_stats_get_file_max_bytes(const struct secbuf_pool_stats *stats);
/** Per pool file limit on the number of live buffers (0: none). */
uint64_t secbuf_pool_stats_get_file_max_buffers(const struct secbuf_pool_stats *stats);
/** Live buffers allocated through this pool file. */
uint64_t secbuf_pool_stats_get_file_buffer_count(const struct secbuf_pool_stats *stats);
/** Bytes of live buffers allocated through this pool file. */
uint64_t secbuf_pool_stats_get_file_used_bytes(const struct secbuf_pool_stats *stats);
/**
 * Bytes of revoked buffers of any pool file that the pool still holds
 * because a device may reach them (part of the used bytes); 0 on kernels
 * that do not report it.
 */
uint64_t secbuf_pool_stats_get_quarantined_bytes(const struct secbuf_pool_stats *stats);

/**
 * secbuf_pool_wait_quarantine() - wait until no revoked memory is held.
 * @pool: any pool file of the pool.
 * @timeout_ms: how long to wait at most; 0 checks once, a negative value
 *		waits for as long as it takes.
 *
 * Polls the pool's quarantined bytes (see
 * secbuf_pool_stats_get_quarantined_bytes()) until they are 0, that is
 * until every device that could still reach revoked memory has let go and
 * the memory is zeroed and back in the pool. The count is the pool's, so
 * other owners' revoked buffers count too.
 *
 * Return: 0 once nothing is quarantined, or -1 with errno set (ETIMEDOUT
 * when @timeout_ms passed first).
 */
int secbuf_pool_wait_quarantine(struct secbuf_pool *pool, int timeout_ms);

/* ---------------------------------------------------------------------- */
/* Buffers                                                                */
/* ---------------------------------------------------------------------- */

/**
 * enum secbuf_buffer_flags - flags of secbuf_buffer_alloc() and
 * secbuf_heap_alloc_fd().
 * @SECBUF_BUFFER_READ_ONLY: open the dma-buf file descriptor O_RDONLY
 *	instead of O_RDWR. Such a buffer can only be mapped for reading, by
 *	this process and by every process it passes the descriptor to.
 */
enum secbuf_buffer_flags {
	SECBUF_BUFFER_READ_ONLY	= 1u << 0,
};

/**
 * secbuf_buffer_alloc() - allocate a zeroed, physically contiguous buffer.
 * @pool: the pool file to allocate through; the buffer counts against it.
 * @size: size in bytes, rounded up by the kernel to whole pages.
 * @flags: 0 or %SECBUF_BUFFER_READ_ONLY.
 *
 * Errors are the kernel's: EINVAL (@size is 0, unknown @flags), EFBIG
 * (@size is above the pool's max buffer size), EDQUOT (the pool file's limit
 * is reached), ENOMEM (no free contiguous range that large), EMFILE.
 *
 * Return: a new buffer object, owned by the caller, to be released with
 * secbuf_buffer_free(); or NULL with errno set. The object owns the dma-buf
 * file descriptor, which has O_CLOEXEC set.
 */
struct secbuf_buffer *secbuf_buffer_alloc(struct secbuf_pool *pool,
					  uint64_t size, unsigned int flags);

/**
 * secbuf_buffer_from_fd() - wrap a dma-buf file descriptor.
 * @fd: a dma-buf file descriptor, e.g. from secbuf_fd_recv().
 *
 * Like fdopen(): on success the buffer object owns @fd and
 * secbuf_buffer_free() closes it; on failure @fd is left open and still
 * belongs to the caller. The size comes from lseek(@fd, 0, SEEK_END), the
 * access mode from fcntl(F_GETFL). The buffer id does not travel with the
 * descriptor, so secbuf_buffer_get_id() returns 0 for such a buffer.
 *
 * Return: a new buffer object, owned by the caller, to be released with
 * secbuf_buffer_free(); or NULL with errno set (EBADF, or ESPIPE/EINVAL if
 * @fd cannot report its size).
 */
struct secbuf_buffer *secbuf_buffer_from_fd(int fd);

/**
 * secbuf_buffer_free() - unmap the buffer and close its file descriptor.
 * @buf: the buffer, or NULL (which does nothing).
 *
 * The memory goes back to the pool once no other process holds a descriptor
 * or a mapping of the dma-buf.
 */
void secbuf_buffer_free(struct secbuf_buffer *buf);

/**
 * secbuf_buffer_get_fd() - the dma-buf file descriptor.
 * @buf: the buffer.
 *
 * The descriptor is owned by @buf and closed by secbuf_buffer_free(); to
 * keep or hand off a descriptor of your own use secbuf_buffer_dup_fd().
 *
 * Return: the file descriptor.
 */
int secbuf_buffer_get_fd(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_dup_fd() - a new descriptor of the same dma-buf.
 * @buf: the buffer.
 *
 * Return: a new file descriptor with O_CLOEXEC set, owned by the caller, to
 * be closed with close(); or -1 with errno set.
 */
int secbuf_buffer_dup_fd(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_get_id() - the id the pool gave the buffer.
 * @buf: the buffer.
 *
 * Return: the id, unique within its pool; 0 for a buffer made with
 * secbuf_buffer_from_fd() or secbuf_heap_alloc_fd(), whose id is unknown.
 */
uint64_t secbuf_buffer_get_id(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_get_grant_id() - the grant id of the descriptor.
 * @buf: the buffer.
 *
 * Return: the id of the grant for a buffer made with secbuf_buffer_grant();
 * 0 for the owner's handle and for a buffer made with
 * secbuf_buffer_from_fd(), whose grant id is unknown until
 * secbuf_buffer_query() asks the kernel.
 */
uint64_t secbuf_buffer_get_grant_id(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_get_size() - size of the buffer in bytes (whole pages).
 * @buf: the buffer.
 *
 * Return: the size.
 */
uint64_t secbuf_buffer_get_size(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_is_read_only() - whether the descriptor is O_RDONLY.
 * @buf: the buffer.
 *
 * Return: true if the buffer can only be mapped for reading.
 */
bool secbuf_buffer_is_read_only(const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_map() - map the whole buffer into the process.
 * @buf: the buffer.
 *
 * The mapping is MAP_SHARED, readable, and writable unless the buffer is
 * read-only. A buffer has at most one mapping: calling this again returns
 * the same address.
 *
 * Buffers of 2 MiB or more are mapped at a 2 MiB aligned address (they are
 * 2 MiB aligned physically too), so the kernel can use 2 MiB page table
 * entries where the architecture and exporter allow it. To get there the
 * library reserves size + 2 MiB of address space with an inaccessible
 * anonymous mapping, maps the buffer with MAP_FIXED at the first 2 MiB
 * boundary inside it, and unmaps the slack on either side; no memory is
 * committed for the reservation. Smaller buffers are mapped wherever the
 * kernel chooses.
 *
 * Access the memory between secbuf_buffer_sync_begin() and
 * secbuf_buffer_sync_end() so the exporter can keep caches coherent.
 *
 * Return: the address of the mapping, owned by @buf and valid until
 * secbuf_buffer_unmap() or secbuf_buffer_free(); or NULL with errno set
 * (ENOMEM for a buffer larger than the address space).
 */
void *secbuf_buffer_map(struct secbuf_buffer *buf);

/**
 * secbuf_buffer_unmap() - remove the mapping made by secbuf_buffer_map().
 * @buf: the buffer.
 *
 * Does nothing if the buffer is not mapped.
 *
 * Return: 0, or -1 with errno set.
 */
int secbuf_buffer_unmap(struct secbuf_buffer *buf);

/**
 * enum secbuf_sync_flags - direction of CPU access, for the sync calls.
 * @SECBUF_SYNC_READ:	the CPU reads the buffer.
 * @SECBUF_SYNC_WRITE:	the CPU writes the buffer.
 * @SECBUF_SYNC_RW:	both.
 */
enum secbuf_sync_flags {
	SECBUF_SYNC_READ	= 1u << 0,
	SECBUF_SYNC_WRITE	= 1u << 1,
	SECBUF_SYNC_RW		= SECBUF_SYNC_READ | SECBUF_SYNC_WRITE,
};

/**
 * secbuf_buffer_sync_begin() - start CPU access (DMA_BUF_IOCTL_SYNC).
 * @buf: the buffer.
 * @flags: %SECBUF_SYNC_READ, %SECBUF_SYNC_WRITE or %SECBUF_SYNC_RW.
 *
 * Return: 0, or -1 with errno set (EINVAL for bad @flags).
 */
int secbuf_buffer_sync_begin(struct secbuf_buffer *buf, unsigned int flags);

/**
 * secbuf_buffer_sync_end() - end CPU access (DMA_BUF_IOCTL_SYNC).
 * @buf: the buffer.
 * @flags: the flags given to the matching secbuf_buffer_sync_begin().
 *
 * Return: 0, or -1 with errno set.
 */
int secbuf_buffer_sync_end(struct secbuf_buffer *buf, unsigned int flags);

/** SECBUF_NAME_MAX - longest buffer name, without the terminating NUL. */
#define SECBUF_NAME_MAX		31

/**
 * secbuf_buffer_set_name() - name the dma-buf (DMA_BUF_SET_NAME_B).
 * @buf: the buffer.
 * @name: up to %SECBUF_NAME_MAX bytes; copied by the kernel.
 *
 * The name shows in /proc/<pid>/fdinfo/<fd> and debugfs.
 *
 * Return: 0, or -1 with errno set (ENAMETOOLONG if @name is too long).
 */
int secbuf_buffer_set_name(struct secbuf_buffer *buf, const char *name);

/* ---------------------------------------------------------------------- */
/* Owner control: grants, revocation, seals, DMA windows, queries         */
/* ---------------------------------------------------------------------- */

/**
 * DOC: owner control
 *
 * The owner of a buffer is the pool file that allocated it, so these calls
 * take the pool as well as the buffer: @pool is the owner's pool file for
 * everything but secbuf_buffer_query() and secbuf_buffer_get_seals(), which
 * any pool file of the same pool may ask, and secbuf_buffer_grant() from a
 * grant that carries %SECBUF_RIGHT_REGRANT. A pool file that does not own
 * the buffer gets EPERM, also if the process holds the owner's dma-buf
 * descriptor. @buf may be any handle of the buffer (the owner's or a grant)
 * unless a call says otherwise. Closing the owner's pool file
 * (secbuf_pool_close(), or the process exiting) revokes every buffer it
 * owns, except those sealed with %SECBUF_BUFFER_SEAL_REVOKE.
 *
 * The errors are the kernel's, listed in <linux/secbuf.h>: EPERM (not the
 * owner, or a seal forbids it), ENODEV (revoked), EINVAL (@buf is not a
 * secbuf dma-buf of @pool's pool), EBADF.
 */

/**
 * enum secbuf_rights - what a handle allows its holder.
 * @SECBUF_RIGHT_READ:	  mmap() for reading.
 * @SECBUF_RIGHT_WRITE:	  mmap() for writing; the grant's descriptor is
 *			  O_RDWR with it and O_RDONLY without.
 * @SECBUF_RIGHT_DMA:	  attach to a device (DRM PRIME, V4L2 DMABUF).
 * @SECBUF_RIGHT_REGRANT: derive further, narrower grants.
 * @SECBUF_RIGHTS_ALL:	  every right, as the owner's handle has.
 */
enum secbuf_rights {
	SECBUF_RIGHT_READ	= 1u << 0,
	SECBUF_RIGHT_WRITE	= 1u << 1,
	SECBUF_RIGHT_DMA	= 1u << 2,
	SECBUF_RIGHT_REGRANT	= 1u << 3,
	SECBUF_RIGHTS_ALL	= SECBUF_RIGHT_READ | SECBUF_RIGHT_WRITE |
				  SECBUF_RIGHT_DMA | SECBUF_RIGHT_REGRANT,
};

/**
 * enum secbuf_state - state of a buffer, a handle or a grant.
 * @SECBUF_LIVE:    usable.
 * @SECBUF_REVOKED: revoked for good; every access fails.
 * @SECBUF_IN_DMA:  a DMA window is open (buffers only): CPU access waits
 *		    or faults until secbuf_buffer_dma_end().
 */
enum secbuf_state {
	SECBUF_LIVE	= 0,
	SECBUF_REVOKED	= 1,
	SECBUF_IN_DMA	= 2,
};

/**
 * enum secbuf_seals - seals of a buffer. Seals bind the owner too and are
 * never removed.
 * @SECBUF_BUFFER_SEAL_WRITE:  the content is frozen: mappings refault
 *			       read-only and a write through any of them
 *			       raises SIGBUS; a new writable mmap() fails with
 *			       EPERM, and so do DMA windows and device writes.
 * @SECBUF_BUFFER_SEAL_GRANT:  no new grants.
 * @SECBUF_BUFFER_SEAL_REVOKE: the buffer can no longer be revoked, and
 *			       closing the owner's pool file leaves it alone.
 * @SECBUF_BUFFER_SEAL_SEAL:   no further seals.
 * @SECBUF_BUFFER_SEALS_ALL:   all of the above.
 */
enum secbuf_seals {
	SECBUF_BUFFER_SEAL_WRITE	= 1u << 0,
	SECBUF_BUFFER_SEAL_GRANT	= 1u << 1,
	SECBUF_BUFFER_SEAL_REVOKE	= 1u << 2,
	SECBUF_BUFFER_SEAL_SEAL		= 1u << 3,
	SECBUF_BUFFER_SEALS_ALL		= SECBUF_BUFFER_SEAL_WRITE |
					  SECBUF_BUFFER_SEAL_GRANT |
					  SECBUF_BUFFER_SEAL_REVOKE |
					  SECBUF_BUFFER_SEAL_SEAL,
};

/**
 * secbuf_buffer_grant() - make a new handle with narrower rights.
 * @pool: the owner's pool file, or with a grant that has
 *	  %SECBUF_RIGHT_REGRANT, any pool file of the pool.
 * @buf: the owner's handle, or such a grant.
 * @rights: %SECBUF_RIGHT_* bits, a subset of @buf's rights.
 * @pidfd: a pidfd (pidfd_open()) of the only process that may map or
 *	   attach the grant, or -1 for a grant any holder may use. A grant
 *	   derived from a bound grant stays bound to the same process.
 *
 * Each grant is a dma-buf of its own, so it can be revoked with
 * secbuf_buffer_revoke_grant() without touching anyone else's mappings.
 * Hand it to a peer with secbuf_fd_send(secbuf_buffer_get_fd(grant)) and
 * free it here.
 *
 * Errors: EINVAL (unknown @rights bits), EPERM (rights wider than @buf's,
 * not the owner, %SECBUF_BUFFER_SEAL_GRANT), ENODEV (revoked), ESRCH (the
 * process of @pidfd has exited), EBADF, EMFILE.
 *
 * Return: a new buffer object for the grant, owned by the caller, to be
 * released with secbuf_buffer_free(); or NULL with errno set. Its
 * descriptor has O_CLOEXEC set and is read-only without
 * %SECBUF_RIGHT_WRITE; secbuf_buffer_get_grant_id() gives the grant's id.
 * The buffer id and size are those of @buf.
 */
struct secbuf_buffer *secbuf_buffer_grant(struct secbuf_pool *pool,
					  const struct secbuf_buffer *buf,
					  unsigned int rights, int pidfd);

/**
 * secbuf_buffer_revoke() - revoke the whole buffer, for good.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 * @quarantined_bytes: if not NULL, receives the bytes of the pool still
 *		       held by revoked buffers because a device may reach
 *		       them (see secbuf_pool_wait_quarantine()).
 *
 * When this returns, every CPU mapping of every handle in every process is
 * gone (a touch raises SIGBUS), new mappings and device attachments fail
 * with ENODEV, and the memory is zeroed and back in the pool unless a
 * device may still reach it. Revoking again succeeds. The buffer object
 * stays valid; free it as usual.
 *
 * Return: 0, or -1 with errno set (EPERM: not the owner, or
 * %SECBUF_BUFFER_SEAL_REVOKE).
 */
int secbuf_buffer_revoke(struct secbuf_pool *pool, struct secbuf_buffer *buf,
			 uint64_t *quarantined_bytes);

/**
 * secbuf_buffer_revoke_grant() - revoke one grant, for good.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 * @grant_id: the grant to revoke, from secbuf_buffer_get_grant_id() or
 *	      secbuf_grants_get_id(); not 0.
 * @quarantined_bytes: as for secbuf_buffer_revoke(), or NULL.
 *
 * Only the mappings and device attachments made through that grant lose
 * access (SIGBUS, ENODEV); every other handle keeps its mappings.
 *
 * Return: 0, or -1 with errno set (EINVAL for a @grant_id of 0, ENOENT: the
 * buffer has no such grant).
 */
int secbuf_buffer_revoke_grant(struct secbuf_pool *pool,
			       struct secbuf_buffer *buf, uint64_t grant_id,
			       uint64_t *quarantined_bytes);

/**
 * secbuf_buffer_list_grants() - take a snapshot of a buffer's grants.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 *
 * Lists live and revoked grants in creation order, with their mappings and
 * device attachments at the time of the call.
 *
 * Return: a new snapshot, owned by the caller, to be released with
 * secbuf_grants_free(); or NULL with errno set.
 */
struct secbuf_grants *secbuf_buffer_list_grants(struct secbuf_pool *pool,
						const struct secbuf_buffer *buf);

/**
 * secbuf_grants_free() - release a snapshot of grants.
 * @grants: the snapshot, or NULL (which does nothing).
 */
void secbuf_grants_free(struct secbuf_grants *grants);

/** Number of grants in the snapshot. */
size_t secbuf_grants_get_count(const struct secbuf_grants *grants);

/*
 * Getters of the grant at @index of a snapshot, @index below
 * secbuf_grants_get_count(); they return 0 for any other index.
 */

/** Id of the grant, unique in its buffer and never 0. */
uint64_t secbuf_grants_get_id(const struct secbuf_grants *grants, size_t index);
/** %SECBUF_RIGHT_* rights of the grant. */
unsigned int secbuf_grants_get_rights(const struct secbuf_grants *grants,
				      size_t index);
/** %SECBUF_LIVE or %SECBUF_REVOKED (the grant's, or its buffer's). */
enum secbuf_state secbuf_grants_get_state(const struct secbuf_grants *grants,
					  size_t index);
/** Live CPU mappings (VMAs) made through the grant. */
unsigned int secbuf_grants_get_mappings(const struct secbuf_grants *grants,
					size_t index);
/** Devices attached through the grant. */
unsigned int secbuf_grants_get_attachments(const struct secbuf_grants *grants,
					   size_t index);
/**
 * Process the grant is bound to, as seen from the caller's pid namespace;
 * 0 if it is not bound (or the process is not visible there).
 */
pid_t secbuf_grants_get_pid(const struct secbuf_grants *grants, size_t index);

/**
 * secbuf_buffer_query() - ask what the kernel knows about a handle.
 * @pool: any pool file of the buffer's pool; the caller need not own the
 *	  buffer.
 * @buf: the handle to ask about, e.g. a received grant.
 *
 * Return: a new snapshot, owned by the caller, to be released with
 * secbuf_buffer_info_free(); or NULL with errno set (EINVAL: @buf is not a
 * secbuf dma-buf of @pool's pool).
 */
struct secbuf_buffer_info *secbuf_buffer_query(struct secbuf_pool *pool,
					       const struct secbuf_buffer *buf);

/**
 * secbuf_buffer_info_free() - release a snapshot.
 * @info: the snapshot, or NULL (which does nothing).
 */
void secbuf_buffer_info_free(struct secbuf_buffer_info *info);

/** State of the buffer: %SECBUF_LIVE, %SECBUF_REVOKED or %SECBUF_IN_DMA. */
enum secbuf_state secbuf_buffer_info_get_state(const struct secbuf_buffer_info *info);
/**
 * State of the handle itself: %SECBUF_LIVE or %SECBUF_REVOKED (a revoked
 * grant of a live buffer is revoked here).
 */
enum secbuf_state secbuf_buffer_info_get_handle_state(const struct secbuf_buffer_info *info);
/** %SECBUF_RIGHT_* rights of the handle. */
unsigned int secbuf_buffer_info_get_rights(const struct secbuf_buffer_info *info);
/** %SECBUF_BUFFER_SEAL_* seals of the buffer. */
unsigned int secbuf_buffer_info_get_seals(const struct secbuf_buffer_info *info);
/** Size of the buffer in bytes. */
uint64_t secbuf_buffer_info_get_size(const struct secbuf_buffer_info *info);
/** Id of the buffer in its pool. */
uint64_t secbuf_buffer_info_get_id(const struct secbuf_buffer_info *info);
/** Grant id of the handle; 0 for the owner's handle. */
uint64_t secbuf_buffer_info_get_grant_id(const struct secbuf_buffer_info *info);

/**
 * secbuf_buffer_seal() - add seals to a buffer, for good.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 * @seals: %SECBUF_BUFFER_SEAL_* bits to add, at least one.
 *
 * %SECBUF_BUFFER_SEAL_WRITE also applies to mappings made before it,
 * secbuf_buffer_map()'s included: they stay in place but a write through
 * them raises SIGBUS.
 *
 * Return: every seal of the buffer now (at least @seals), or -1 with errno
 * set (EINVAL: no or unknown seals; EPERM: not the owner, or
 * %SECBUF_BUFFER_SEAL_SEAL; EBUSY: %SECBUF_BUFFER_SEAL_WRITE while a device
 * may write or a DMA window is open; ENODEV: revoked).
 */
int secbuf_buffer_seal(struct secbuf_pool *pool, struct secbuf_buffer *buf,
		       unsigned int seals);

/**
 * secbuf_buffer_get_seals() - read the seals of a buffer.
 * @pool: any pool file of the buffer's pool.
 * @buf: any handle of the buffer.
 *
 * Return: the %SECBUF_BUFFER_SEAL_* bits (0 if none), or -1 with errno set.
 */
int secbuf_buffer_get_seals(struct secbuf_pool *pool,
			    const struct secbuf_buffer *buf);

/**
 * enum secbuf_dma_policy - what CPU access does during a DMA window.
 * @SECBUF_DMA_WINDOW_WAIT:   a fault waits (interruptibly) for the end of
 *			      the window.
 * @SECBUF_DMA_WINDOW_STRICT: a fault raises SIGBUS at once: whoever touches
 *			      the buffer while the device owns it dies.
 */
enum secbuf_dma_policy {
	SECBUF_DMA_WINDOW_WAIT		= 1u << 0,
	SECBUF_DMA_WINDOW_STRICT	= 1u << 1,
};

/**
 * secbuf_buffer_dma_begin() - give the buffer to a device for a while.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 * @policy: %SECBUF_DMA_WINDOW_WAIT or %SECBUF_DMA_WINDOW_STRICT.
 * @fence_fd: if not NULL, receives a sync_file descriptor (O_CLOEXEC,
 *	      owned by the caller, to be closed with close()) of the
 *	      window's fence, which signals when the window ends: poll() it
 *	      for POLLIN, or hand it to an importer.
 *
 * Takes away every CPU mapping of the buffer, in every process and through
 * every handle (secbuf_buffer_map()'s included), until
 * secbuf_buffer_dma_end(); CPU access then follows @policy, and
 * secbuf_buffer_sync_begin() waits in both. A window left open expires
 * after the driver's dma_window_timeout_ms (10 s by default).
 *
 * Return: 0, or -1 with errno set (EINVAL: not exactly one policy; EBUSY:
 * a window is already open; EPERM: not the owner, or
 * %SECBUF_BUFFER_SEAL_WRITE; ENODEV: revoked; EMFILE).
 */
int secbuf_buffer_dma_begin(struct secbuf_pool *pool, struct secbuf_buffer *buf,
			    unsigned int policy, int *fence_fd);

/**
 * secbuf_buffer_dma_end() - end the DMA window, give the CPU access back.
 * @pool: the owner's pool file.
 * @buf: any handle of the buffer.
 *
 * Signals the window's fence; waiting faults map the buffer again.
 *
 * Return: 0, or -1 with errno set (ENOENT: no window is open; ETIMEDOUT:
 * the window had already expired, and is closed now).
 */
int secbuf_buffer_dma_end(struct secbuf_pool *pool, struct secbuf_buffer *buf);

/* ---------------------------------------------------------------------- */
/* dma-heap                                                               */
/* ---------------------------------------------------------------------- */

/**
 * secbuf_heap_alloc_fd() - allocate through the standard dma-heap node.
 * @name_or_path: a heap name such as "gpu", which opens /dev/dma_heap/gpu,
 *		  or a path (anything with a '/' in it).
 * @size: size in bytes.
 * @flags: 0 or %SECBUF_BUFFER_READ_ONLY.
 *
 * Allocates with DMA_HEAP_IOCTL_ALLOC, as any dma-heap user would; the
 * buffer counts against the heap node's open file, which is closed again
 * before returning. Wrap the result with secbuf_buffer_from_fd() to map it.
 *
 * Return: a dma-buf file descriptor with O_CLOEXEC set, owned by the caller,
 * to be closed with close(); or -1 with errno set.
 */
int secbuf_heap_alloc_fd(const char *name_or_path, uint64_t size,
			 unsigned int flags);

/* ---------------------------------------------------------------------- */
/* V4L2: secbuf buffers on a V4L2_MEMORY_DMABUF queue                     */
/* ---------------------------------------------------------------------- */

/**
 * DOC: V4L2
 *
 * A struct secbuf_v4l2_queue is one single-planar buffer queue (video
 * capture or video output) of a V4L2 device file, set up for
 * V4L2_MEMORY_DMABUF, so that the device reads or writes secbuf buffers
 * directly: no copy, no buffers of the driver's own. The caller opens the
 * device file and sets its input or output and its format as usual
 * (VIDIOC_S_INPUT, VIDIOC_S_FMT), allocates buffers of at least the
 * format's sizeimage, then:
 *
 *	q = secbuf_v4l2_queue_new(video_fd, SECBUF_V4L2_CAPTURE, 4);
 *	for (i = 0; i < secbuf_v4l2_queue_get_count(q); i++)
 *		secbuf_v4l2_queue_buffer(q, i, bufs[i], 0);
 *	secbuf_v4l2_queue_stream_on(q);
 *	for (;;) {
 *		i = secbuf_v4l2_queue_dequeue(q, 1000);
 *		... use bufs[i]: secbuf_buffer_sync_begin() before the CPU
 *		    reads it, secbuf_v4l2_queue_get_bytesused(q, i) bytes ...
 *		secbuf_v4l2_queue_buffer(q, i, bufs[i], 0);
 *	}
 *	secbuf_v4l2_queue_free(q);
 *
 * The driver keeps its own reference to every dma-buf it was given (and
 * its attachment or kernel mapping, as long as the same buffer comes back
 * at the same index) until secbuf_v4l2_queue_free(). A secbuf buffer
 * queued with V4L2 needs %SECBUF_RIGHT_DMA if it is a grant. Multi-planar
 * queues are not supported. The errors are the kernel's (see the V4L2
 * documentation of each ioctl) unless a call says otherwise.
 */

/**
 * enum secbuf_v4l2_type - which queue of the device file.
 * @SECBUF_V4L2_CAPTURE: the video capture queue: the device writes frames
 *			 (V4L2_BUF_TYPE_VIDEO_CAPTURE).
 * @SECBUF_V4L2_OUTPUT:	 the video output queue: the device reads them
 *			 (V4L2_BUF_TYPE_VIDEO_OUTPUT).
 */
enum secbuf_v4l2_type {
	SECBUF_V4L2_CAPTURE	= 1,
	SECBUF_V4L2_OUTPUT	= 2,
};

/**
 * secbuf_v4l2_queue_new() - set up a queue of dma-buf buffers.
 * @video_fd: an open V4L2 video device file. It stays the caller's: close
 *	      it only after secbuf_v4l2_queue_free().
 * @type: %SECBUF_V4L2_CAPTURE or %SECBUF_V4L2_OUTPUT.
 * @count: how many buffers to ask for, 1 to 32 (VIDEO_MAX_FRAME).
 *
 * Asks the driver for @count buffer slots of V4L2_MEMORY_DMABUF
 * (VIDIOC_REQBUFS). The driver may give more or fewer:
 * secbuf_v4l2_queue_get_count() says how many. Have one queue object per
 * queue of a device at a time: a second one replaces the first one's
 * slots.
 *
 * Return: a new queue, owned by the caller, to be released with
 * secbuf_v4l2_queue_free(); or NULL with errno set (EBADF, EINVAL: a bad
 * @type or @count, or the driver has no such queue or no DMABUF support;
 * EBUSY: the queue is streaming, or another file of the device owns it;
 * ENOTTY: not a V4L2 device).
 */
struct secbuf_v4l2_queue *secbuf_v4l2_queue_new(int video_fd,
						enum secbuf_v4l2_type type,
						unsigned int count);

/**
 * secbuf_v4l2_queue_free() - stop the queue and give all buffers back.
 * @queue: the queue, or NULL (which does nothing).
 *
 * Stops streaming if it was started with secbuf_v4l2_queue_stream_on(),
 * then releases the slots (VIDIOC_REQBUFS with a count of 0), which drops
 * the driver's references to every dma-buf it was given. The secbuf
 * buffers themselves stay the caller's. The device file stays open.
 */
void secbuf_v4l2_queue_free(struct secbuf_v4l2_queue *queue);

/** Number of buffer slots the driver gave, indices 0 to count - 1. */
unsigned int secbuf_v4l2_queue_get_count(const struct secbuf_v4l2_queue *queue);

/**
 * secbuf_v4l2_queue_buffer() - queue a secbuf buffer at a slot.
 * @queue: the queue.
 * @index: the slot, below secbuf_v4l2_queue_get_count().
 * @buf: the buffer: the owner's handle or a grant with %SECBUF_RIGHT_DMA.
 *	 It stays the caller's; the driver takes a reference of its own to
 *	 the dma-buf.
 * @bytesused: for an output queue, the bytes of @buf that hold the frame
 *	       (0: all of it); ignored for a capture queue.
 *
 * VIDIOC_QBUF with the buffer's descriptor. Queue the same buffer at the
 * same index every time if you can: the driver then reuses its mapping
 * instead of attaching the dma-buf again.
 *
 * Return: 0, or -1 with errno set (EINVAL: @index out of range, @buf NULL,
 * @bytesused larger than the buffer, or the driver refused it, e.g. a
 * buffer smaller than the format's sizeimage or one already queued;
 * EOVERFLOW: a buffer larger than V4L2 can describe (4 GiB); ENODEV: a
 * revoked buffer, EPERM: a write-sealed one, both where the driver
 * attaches (vb2-dma-contig; vb2-vmalloc only maps the buffer and gets a
 * private mapping that never reaches secbuf's memory instead)).
 *
 * Linux 6.12's vb2 (6.12.117 at least; 6.1 does not) keeps its reference
 * to a dma-buf whose attach failed, so a buffer refused with ENODEV or
 * EPERM there is never released: do not queue buffers you know are
 * revoked or sealed.
 */
int secbuf_v4l2_queue_buffer(struct secbuf_v4l2_queue *queue,
			     unsigned int index,
			     const struct secbuf_buffer *buf,
			     uint32_t bytesused);

/**
 * secbuf_v4l2_queue_stream_on() - start the queue (VIDIOC_STREAMON).
 * @queue: the queue.
 *
 * Return: 0, or -1 with errno set.
 */
int secbuf_v4l2_queue_stream_on(struct secbuf_v4l2_queue *queue);

/**
 * secbuf_v4l2_queue_stream_off() - stop the queue (VIDIOC_STREAMOFF).
 * @queue: the queue.
 *
 * Every buffer comes back from the driver at once, without being dequeued;
 * queue them again before the next secbuf_v4l2_queue_stream_on().
 *
 * Return: 0, or -1 with errno set.
 */
int secbuf_v4l2_queue_stream_off(struct secbuf_v4l2_queue *queue);

/**
 * secbuf_v4l2_queue_dequeue() - wait for the driver to hand back a buffer.
 * @queue: the queue, started with secbuf_v4l2_queue_stream_on().
 * @timeout_ms: how long to wait: 0 not at all, -1 forever.
 *
 * Waits with poll() for a filled capture buffer or a consumed output
 * buffer, then takes it (VIDIOC_DQBUF); the device file may be blocking or
 * not. The getters below then describe the frame at the returned index.
 * The CPU must still call secbuf_buffer_sync_begin() before it reads what
 * a device wrote.
 *
 * Return: the index of the buffer, or -1 with errno set (ETIMEDOUT: none
 * came in time; EINVAL: the queue is not streaming; EIO: poll() reports
 * POLLERR: the driver flagged an error on the queue, or a capture queue
 * has had no buffer queued since it was set up or last stopped; EPIPE:
 * the last buffer was dequeued).
 */
int secbuf_v4l2_queue_dequeue(struct secbuf_v4l2_queue *queue,
			      int timeout_ms);

/*
 * Getters of the buffer last dequeued at @index, @index below
 * secbuf_v4l2_queue_get_count(); they return 0 (NULL, false) for any
 * other index and before the first dequeue at @index.
 */

/**
 * The buffer last queued at @index, as passed to secbuf_v4l2_queue_buffer():
 * not owned by the queue, valid as long as the caller keeps it; NULL if
 * none was queued there.
 */
const struct secbuf_buffer *secbuf_v4l2_queue_get_buffer(const struct secbuf_v4l2_queue *queue,
							 unsigned int index);
/** Bytes of the frame (capture: what the device wrote). */
uint32_t secbuf_v4l2_queue_get_bytesused(const struct secbuf_v4l2_queue *queue,
					 unsigned int index);
/** The driver's frame counter for the frame. */
uint32_t secbuf_v4l2_queue_get_sequence(const struct secbuf_v4l2_queue *queue,
					unsigned int index);
/** Timestamp of the frame in nanoseconds, usually of CLOCK_MONOTONIC. */
uint64_t secbuf_v4l2_queue_get_timestamp_ns(const struct secbuf_v4l2_queue *queue,
					    unsigned int index);
/**
 * Whether the driver flagged the frame as possibly corrupt
 * (V4L2_BUF_FLAG_ERROR); the buffer is dequeued all the same and may be
 * queued again.
 */
bool secbuf_v4l2_queue_has_error(const struct secbuf_v4l2_queue *queue,
				 unsigned int index);

/* ---------------------------------------------------------------------- */
/* DRM PRIME                                                              */
/* ---------------------------------------------------------------------- */

/**
 * DOC: DRM PRIME
 *
 * A secbuf buffer imported into a DRM driver (a GPU, a display controller,
 * vgem) becomes a GEM handle of the caller's DRM file, without a copy: the
 * driver attaches to the dma-buf and works on secbuf's memory, and its
 * fences land on the dma-buf's reservation object, where
 * secbuf_buffer_sync_begin() waits for them. The import needs
 * %SECBUF_RIGHT_DMA if @buf is a grant.
 *
 * These calls go through libdrm (drmPrimeFDToHandle(), drmPrimeHandleToFD(),
 * drmCloseBufferHandle()), which is optional: a libsecbuf built without it
 * (pkg-config finds no libdrm, or LIBDRM=no) still exports them, and every
 * one of them then fails with ENOSYS, whatever its arguments; call
 * secbuf_drm_import(-1, NULL, NULL) to find out (ENOSYS, or EINVAL with
 * libdrm).
 */

/**
 * secbuf_drm_import() - import a buffer into a DRM file (PRIME).
 * @drm_fd: an open DRM device file (/dev/dri/card* or renderD*).
 * @buf: the buffer.
 * @handle: receives the GEM handle, never 0.
 *
 * Importing the same dma-buf into the same DRM file again gives the same
 * handle; handles are not reference counted.
 *
 * Return: 0, or -1 with errno set (EINVAL: @buf or @handle NULL, or the
 * driver cannot import; EBADF; ENODEV: a revoked buffer; EACCES: a grant
 * bound to another process, or without %SECBUF_RIGHT_DMA; ENOSYS: built
 * without libdrm). The handle belongs to @drm_fd: release it with
 * secbuf_drm_close_handle(), or close the DRM file.
 */
int secbuf_drm_import(int drm_fd, const struct secbuf_buffer *buf,
		      uint32_t *handle);

/**
 * secbuf_drm_export() - export a GEM handle as a buffer (PRIME).
 * @drm_fd: the DRM file of @handle.
 * @handle: a GEM handle, not 0.
 * @flags: 0, or %SECBUF_BUFFER_READ_ONLY to ask for a descriptor without
 *	   write access (no DRM_RDWR).
 *
 * A handle that came from secbuf_drm_import() exports the very dma-buf it
 * was imported from (the same file, so the same inode; its access mode is
 * the one of the descriptor first imported). Any other handle exports a
 * dma-buf of the DRM driver, which the returned object wraps as well (see
 * secbuf_buffer_from_fd()).
 *
 * Return: a new buffer object that owns a new descriptor (O_CLOEXEC), to
 * be released with secbuf_buffer_free(); or NULL with errno set (EINVAL:
 * unknown @flags or a @handle of 0; ENOENT: no such handle; EBADF;
 * ENOSYS: built without libdrm).
 */
struct secbuf_buffer *secbuf_drm_export(int drm_fd, uint32_t handle,
					unsigned int flags);

/**
 * secbuf_drm_close_handle() - release a GEM handle (DRM_IOCTL_GEM_CLOSE).
 * @drm_fd: the DRM file of @handle.
 * @handle: the handle, not 0.
 *
 * The driver lets go of the dma-buf once nothing else of it uses it.
 *
 * Return: 0, or -1 with errno set (EINVAL: a @handle of 0 or no such
 * handle; EBADF; ENOSYS: built without libdrm).
 */
int secbuf_drm_close_handle(int drm_fd, uint32_t handle);

/* ---------------------------------------------------------------------- */
/* Passing file descriptors                                               */
/* ---------------------------------------------------------------------- */

/**
 * secbuf_fd_send() - send a file descriptor over a unix socket.
 * @sock: a connected AF_UNIX socket (stream, seqpacket or datagram).
 * @fd: the descriptor to send; the caller keeps it and may close it after.
 *
 * Sends one byte of data with @fd attached as SCM_RIGHTS. SIGPIPE is not
 * raised if the peer has gone (EPIPE is returned instead).
 *
 * Return: 0, or -1 with errno set.
 */
int secbuf_fd_send(int sock, int fd);

/**
 * secbuf_fd_recv() - receive a file descriptor sent by secbuf_fd_send().
 * @sock: a connected AF_UNIX socket.
 *
 * Return: the received descriptor with O_CLOEXEC set, owned by the caller,
 * to be closed with close(); or -1 with errno set: ECONNRESET if the peer
 * closed the connection first, ENOMSG if the message carried no descriptor,
 * EBADMSG if it carried more than one (all of them are closed).
 */
int secbuf_fd_recv(int sock);

#ifdef __cplusplus
}
#endif

#endif /* SECBUF_H */
