// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: owner control of buffers: grants, revocation, seals, DMA
 * windows, and the queries any holder may make.
 *
 * Every call here is one ioctl on a pool file that names the buffer by one
 * of its dma-buf descriptors; the kernel decides who may do what.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <linux/secbuf.h>

#include "internal.h"

/* The public names are the library's own; their values are the kernel's. */
_Static_assert(SECBUF_RIGHT_READ == SECBUF_GRANT_READ &&
	       SECBUF_RIGHT_WRITE == SECBUF_GRANT_WRITE &&
	       SECBUF_RIGHT_DMA == SECBUF_GRANT_DMA &&
	       SECBUF_RIGHT_REGRANT == SECBUF_GRANT_REGRANT &&
	       SECBUF_RIGHTS_ALL == SECBUF_GRANT_VALID_RIGHTS,
	       "rights differ from the uapi");
_Static_assert(SECBUF_LIVE == SECBUF_STATE_LIVE &&
	       SECBUF_REVOKED == SECBUF_STATE_REVOKED &&
	       SECBUF_IN_DMA == SECBUF_STATE_DMA,
	       "states differ from the uapi");
_Static_assert(SECBUF_BUFFER_SEAL_WRITE == SECBUF_SEAL_WRITE &&
	       SECBUF_BUFFER_SEAL_GRANT == SECBUF_SEAL_GRANT &&
	       SECBUF_BUFFER_SEAL_REVOKE == SECBUF_SEAL_REVOKE &&
	       SECBUF_BUFFER_SEAL_SEAL == SECBUF_SEAL_SEAL &&
	       SECBUF_BUFFER_SEALS_ALL == SECBUF_SEAL_VALID_SEALS,
	       "seals differ from the uapi");
_Static_assert(SECBUF_DMA_WINDOW_WAIT == SECBUF_DMA_WAIT &&
	       SECBUF_DMA_WINDOW_STRICT == SECBUF_DMA_STRICT,
	       "DMA policies differ from the uapi");

/* A GRANT_LIST snapshot may race with new grants: ask again this often. */
#define SECBUF_LIST_TRIES	8

struct secbuf_grants {
	size_t count;
	struct secbuf_grant_info entry[];
};

struct secbuf_buffer_info {
	struct secbuf_query query;
};

/* ---- grants ---- */

SECBUF_API struct secbuf_buffer *
secbuf_buffer_grant(struct secbuf_pool *pool, const struct secbuf_buffer *buf,
		    unsigned int rights, int pidfd)
{
	struct secbuf_grant in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
		.rights = rights,
		.fd_flags = O_CLOEXEC,
	}, req;
	struct secbuf_buffer *grant;

	if (rights & ~(unsigned int)SECBUF_RIGHTS_ALL) {
		errno = EINVAL;
		return NULL;
	}
	if (pidfd >= 0) {
		in.flags = SECBUF_GRANT_PIDFD;
		in.pidfd = (__u32)pidfd;
	} else if (pidfd != -1) {
		errno = EBADF;
		return NULL;
	}

	/* @fd and @grant_id are out fields: zero on every try. */
	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_GRANT, &req,
			       &in, sizeof(req)) < 0)
		return NULL;

	grant = secbuf_buffer_new((int)req.fd, secbuf_buffer_get_id(buf),
				  req.grant_id, secbuf_buffer_get_size(buf),
				  !(rights & SECBUF_RIGHT_WRITE));
	if (!grant)
		secbuf_close_keep_errno((int)req.fd);
	return grant;
}

/* ---- revocation ---- */

static int secbuf_revoke(struct secbuf_pool *pool, struct secbuf_buffer *buf,
			 uint64_t grant_id, uint64_t *quarantined_bytes)
{
	struct secbuf_revoke in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
		.grant_id = grant_id,
	}, req;

	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_REVOKE,
			       &req, &in, sizeof(req)) < 0)
		return -1;

	if (quarantined_bytes)
		*quarantined_bytes = req.quarantined_bytes;
	return 0;
}

SECBUF_API int secbuf_buffer_revoke(struct secbuf_pool *pool,
				    struct secbuf_buffer *buf,
				    uint64_t *quarantined_bytes)
{
	return secbuf_revoke(pool, buf, 0, quarantined_bytes);
}

SECBUF_API int secbuf_buffer_revoke_grant(struct secbuf_pool *pool,
					  struct secbuf_buffer *buf,
					  uint64_t grant_id,
					  uint64_t *quarantined_bytes)
{
	/* 0 would revoke the whole buffer: never by accident. */
	if (!grant_id) {
		errno = EINVAL;
		return -1;
	}
	return secbuf_revoke(pool, buf, grant_id, quarantined_bytes);
}

/* ---- the list of grants ---- */

/* Asks for up to @room entries; returns how many grants the buffer has. */
static int secbuf_grant_list(struct secbuf_pool *pool, int buf_fd,
			     struct secbuf_grants *grants, size_t room,
			     size_t *total)
{
	struct secbuf_grant_list req = {
		.buf_fd = (__u32)buf_fd,
		.count = (__u32)room,
		.info_size = sizeof(grants->entry[0]),
	};

	if (room) {
		/* Entries the kernel leaves alone read as grant id 0. */
		memset(grants->entry, 0, room * sizeof(grants->entry[0]));
		req.grants = (__u64)(uintptr_t)grants->entry;
	}
	if (secbuf_ioctl(secbuf_pool_get_fd(pool), SECBUF_IOC_GRANT_LIST,
			 &req) < 0)
		return -1;

	*total = req.count;
	return 0;
}

SECBUF_API struct secbuf_grants *
secbuf_buffer_list_grants(struct secbuf_pool *pool,
			  const struct secbuf_buffer *buf)
{
	int fd = secbuf_buffer_get_fd(buf);
	struct secbuf_grants *grants = NULL;
	size_t room, total, n;
	int tries;

	if (secbuf_grant_list(pool, fd, NULL, 0, &total) < 0)
		return NULL;

	for (tries = 0; tries < SECBUF_LIST_TRIES; tries++) {
		/* Room for a few more, in case grants are made meanwhile. */
		room = total + 4;
		if (room > UINT32_MAX) {
			errno = EOVERFLOW;
			return NULL;
		}
		grants = malloc(sizeof(*grants) +
				room * sizeof(grants->entry[0]));
		if (!grants)
			return NULL;
		if (secbuf_grant_list(pool, fd, grants, room, &total) < 0) {
			secbuf_free_keep_errno(grants);
			return NULL;
		}
		if (total <= room)
			break;
		free(grants);
		grants = NULL;
	}
	if (!grants) {
		errno = EAGAIN;
		return NULL;
	}

	/*
	 * Grant ids are never 0: count up to the first entry the kernel did
	 * not fill, should it write fewer entries than it counts.
	 */
	for (n = 0; n < total && grants->entry[n].grant_id; n++)
		;
	grants->count = n;
	return grants;
}

SECBUF_API void secbuf_grants_free(struct secbuf_grants *grants)
{
	free(grants);
}

SECBUF_API size_t secbuf_grants_get_count(const struct secbuf_grants *grants)
{
	return grants->count;
}

#define SECBUF_GRANTS_GETTER(type, name, field)				\
SECBUF_API type secbuf_grants_get_##name(const struct secbuf_grants *grants, \
					 size_t index)			\
{									\
	return index < grants->count ?					\
	       (type)grants->entry[index].field : (type)0;		\
}

SECBUF_GRANTS_GETTER(uint64_t, id, grant_id)
SECBUF_GRANTS_GETTER(unsigned int, rights, rights)
SECBUF_GRANTS_GETTER(enum secbuf_state, state, state)
SECBUF_GRANTS_GETTER(unsigned int, mappings, mappings)
SECBUF_GRANTS_GETTER(unsigned int, attachments, attachments)
SECBUF_GRANTS_GETTER(pid_t, pid, pid)

/* ---- queries ---- */

SECBUF_API struct secbuf_buffer_info *
secbuf_buffer_query(struct secbuf_pool *pool, const struct secbuf_buffer *buf)
{
	struct secbuf_query in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
	};
	struct secbuf_buffer_info *info;

	info = malloc(sizeof(*info));
	if (!info)
		return NULL;
	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_QUERY,
			       &info->query, &in, sizeof(in)) < 0) {
		secbuf_free_keep_errno(info);
		return NULL;
	}
	return info;
}

SECBUF_API void secbuf_buffer_info_free(struct secbuf_buffer_info *info)
{
	free(info);
}

#define SECBUF_INFO_GETTER(type, name, field)				\
SECBUF_API type								\
secbuf_buffer_info_get_##name(const struct secbuf_buffer_info *info)	\
{									\
	return (type)info->query.field;					\
}

SECBUF_INFO_GETTER(enum secbuf_state, state, state)
SECBUF_INFO_GETTER(enum secbuf_state, handle_state, handle_state)
SECBUF_INFO_GETTER(unsigned int, rights, rights)
SECBUF_INFO_GETTER(unsigned int, seals, seals)
SECBUF_INFO_GETTER(uint64_t, size, size)
SECBUF_INFO_GETTER(uint64_t, id, id)
SECBUF_INFO_GETTER(uint64_t, grant_id, grant_id)

/* ---- seals ---- */

SECBUF_API int secbuf_buffer_seal(struct secbuf_pool *pool,
				  struct secbuf_buffer *buf,
				  unsigned int seals)
{
	struct secbuf_seal in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
		.seals = seals,
	}, req;

	if (!seals || (seals & ~(unsigned int)SECBUF_BUFFER_SEALS_ALL)) {
		errno = EINVAL;
		return -1;
	}
	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_SEAL, &req,
			       &in, sizeof(req)) < 0)
		return -1;
	return (int)(req.seals & SECBUF_BUFFER_SEALS_ALL);
}

SECBUF_API int secbuf_buffer_get_seals(struct secbuf_pool *pool,
				       const struct secbuf_buffer *buf)
{
	struct secbuf_seal in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
	}, req;

	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_GET_SEALS,
			       &req, &in, sizeof(req)) < 0)
		return -1;
	return (int)(req.seals & SECBUF_BUFFER_SEALS_ALL);
}

/* ---- DMA windows ---- */

SECBUF_API int secbuf_buffer_dma_begin(struct secbuf_pool *pool,
				       struct secbuf_buffer *buf,
				       unsigned int policy, int *fence_fd)
{
	struct secbuf_dma_begin in = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
		.flags = policy,
	}, req;

	if (policy != SECBUF_DMA_WINDOW_WAIT &&
	    policy != SECBUF_DMA_WINDOW_STRICT) {
		errno = EINVAL;
		return -1;
	}
	if (fence_fd)
		in.flags |= SECBUF_DMA_FENCE_FD;

	if (secbuf_ioctl_fresh(secbuf_pool_get_fd(pool), SECBUF_IOC_DMA_BEGIN,
			       &req, &in, sizeof(req)) < 0)
		return -1;

	if (fence_fd)
		*fence_fd = (int)req.fence_fd;
	return 0;
}

SECBUF_API int secbuf_buffer_dma_end(struct secbuf_pool *pool,
				     struct secbuf_buffer *buf)
{
	struct secbuf_dma_end req = {
		.buf_fd = (__u32)secbuf_buffer_get_fd(buf),
	};

	return secbuf_ioctl(secbuf_pool_get_fd(pool), SECBUF_IOC_DMA_END, &req);
}
