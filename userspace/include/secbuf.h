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
