/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecbuf internals, shared by the library's source files only.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef SECBUF_INTERNAL_H
#define SECBUF_INTERNAL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "secbuf.h"

/*
 * The library is built with -fvisibility=hidden; only functions marked
 * SECBUF_API are exported, and libsecbuf.map gives them their version.
 */
#define SECBUF_API	__attribute__((visibility("default")))

/* Like drmIoctl(): retry while the kernel says EINTR or EAGAIN. */
int secbuf_ioctl(int fd, unsigned long request, void *arg);

/*
 * secbuf_ioctl() for requests with out fields that must be zero on input:
 * the @size bytes at @arg are reset to those at @in before every try, so a
 * retry never sends what a failed try wrote back.
 */
int secbuf_ioctl_fresh(int fd, unsigned long request, void *arg,
		       const void *in, size_t size);

/*
 * Open SECBUF_DEV_DIR/<name> or SECBUF_HEAP_DIR/<name>, or @name_or_path
 * itself if it has a '/', with O_CLOEXEC added to @flags. Checks that the
 * node is a character device. Returns the fd, or -1 with errno set. If
 * @path_out is not NULL it receives a malloc()ed copy of the path opened.
 */
int secbuf_open_node(const char *dir, const char *name_or_path, int flags,
		     char **path_out);

/*
 * A new buffer object that owns @fd. @id and @grant_id are 0 when unknown.
 * Returns NULL with errno set; @fd then still belongs to the caller.
 */
struct secbuf_buffer *secbuf_buffer_new(int fd, uint64_t id, uint64_t grant_id,
					uint64_t size, bool read_only);

/* close() that leaves errno alone, for error paths. */
static inline void secbuf_close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* free() that leaves errno alone even on C libraries older than POSIX 2024. */
static inline void secbuf_free_keep_errno(void *ptr)
{
	int saved = errno;

	free(ptr);
	errno = saved;
}

#endif /* SECBUF_INTERNAL_H */
