// SPDX-License-Identifier: GPL-2.0-only
/*
 * The owner's ioctls on /dev/secbuf/<pool>: revoke, grant, list grants, and
 * the query any holder may make.
 *
 * Every one of them names its buffer by a dma-buf file descriptor the
 * caller holds; secbuf_handle_get() checks that it is a secbuf dma-buf of
 * this pool. Ownership is the pool file that allocated the buffer.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/secbuf.h>

#include "secbuf.h"

/* Caps one GRANT_LIST call; userspace asks again with a larger array. */
#define SECBUF_GRANT_LIST_MAX	1024

static bool secbuf_file_owns(struct secbuf_file *sfile,
			     struct secbuf_handle *handle)
{
	return handle->buffer->owner == sfile;
}

/**
 * secbuf_ioctl_revoke() - SECBUF_IOC_REVOKE
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_revoke
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_revoke(struct secbuf_file *sfile, unsigned long arg,
			 size_t usize)
{
	struct secbuf_pool *pool = sfile->pool;
	struct secbuf_handle *handle;
	struct secbuf_revoke data;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (data.quarantined_bytes)
		return -EINVAL;
	if (data.flags & ~SECBUF_REVOKE_VALID_FLAGS)
		return -EINVAL;

	handle = secbuf_handle_get(pool, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (!secbuf_file_owns(sfile, handle)) {
		ret = -EPERM;
		goto put_handle;
	}

	ret = secbuf_buffer_revoke_grant(handle->buffer, data.grant_id);
	if (ret)
		goto put_handle;

	mutex_lock(&pool->lock);
	data.quarantined_bytes = pool->quarantined_bytes;
	mutex_unlock(&pool->lock);
	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
put_handle:
	secbuf_handle_put(handle);
	return ret;
}

/**
 * secbuf_ioctl_grant() - SECBUF_IOC_GRANT
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_grant
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_grant(struct secbuf_file *sfile, unsigned long arg,
			size_t usize)
{
	struct secbuf_handle *handle, *grant;
	struct secbuf_grant data;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (data.fd || data.grant_id)
		return -EINVAL;
	if (data.rights & ~SECBUF_GRANT_VALID_RIGHTS)
		return -EINVAL;
	if (data.flags & ~SECBUF_GRANT_VALID_FLAGS)
		return -EINVAL;
	if (data.fd_flags & ~O_CLOEXEC)
		return -EINVAL;
	if (data.pad)
		return -EINVAL;

	handle = secbuf_handle_get(sfile->pool, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	/*
	 * Rights only narrow. Only the owner, or the holder of a grant with
	 * REGRANT, derives grants: holding the owner's own fd is not enough.
	 */
	if ((!secbuf_file_owns(sfile, handle) &&
	     (!handle->grant_id || !(handle->rights & SECBUF_GRANT_REGRANT))) ||
	    (data.rights & ~handle->rights)) {
		ret = -EPERM;
		goto put_handle;
	}
	if (secbuf_handle_state(handle) != SECBUF_STATE_LIVE) {
		ret = -ENODEV;
		goto put_handle;
	}

	fd = get_unused_fd_flags(data.fd_flags);
	if (fd < 0) {
		ret = fd;
		goto put_handle;
	}
	dmabuf = secbuf_handle_export(handle->buffer, data.rights,
				      data.rights & SECBUF_GRANT_WRITE ?
				      O_RDWR : O_RDONLY);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto put_fd;
	}
	grant = dmabuf->priv;
	data.fd = fd;
	data.grant_id = grant->grant_id;
	ret = secbuf_fd_publish(fd, dmabuf, arg, &data,
				min(usize, sizeof(data)));
	secbuf_handle_put(handle);
	return ret;

put_fd:
	put_unused_fd(fd);
put_handle:
	secbuf_handle_put(handle);
	return ret;
}

/*
 * Snapshot up to @max grants of @buffer into @info. Userspace memory is
 * written only after the buffer's lock is dropped.
 */
static u32 secbuf_grant_snapshot(struct secbuf_buffer *buffer,
				 struct secbuf_grant_info *info, u32 max)
{
	struct secbuf_handle *h;
	u32 n = 0;

	mutex_lock(&buffer->lock);
	list_for_each_entry(h, &buffer->handles, node) {
		if (!h->grant_id)
			continue;
		if (n < max) {
			info[n].grant_id = h->grant_id;
			info[n].rights = h->rights;
			info[n].state = h->revoked || buffer->revoked ?
					SECBUF_STATE_REVOKED :
					SECBUF_STATE_LIVE;
			info[n].mappings = atomic_read(&h->nr_mappings);
			info[n].attachments = h->nr_attachments;
		}
		n++;
	}
	mutex_unlock(&buffer->lock);
	return n;
}

/**
 * secbuf_ioctl_grant_list() - SECBUF_IOC_GRANT_LIST
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_grant_list
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_grant_list(struct secbuf_file *sfile, unsigned long arg,
			     size_t usize)
{
	struct secbuf_grant_info *info = NULL;
	struct secbuf_handle *handle;
	struct secbuf_grant_list data;
	u32 max, total;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;

	handle = secbuf_handle_get(sfile->pool, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (!secbuf_file_owns(sfile, handle)) {
		ret = -EPERM;
		goto put_handle;
	}

	max = min_t(u32, data.count, SECBUF_GRANT_LIST_MAX);
	if (max) {
		info = kcalloc(max, sizeof(*info), GFP_KERNEL);
		if (!info) {
			ret = -ENOMEM;
			goto put_handle;
		}
	}
	total = secbuf_grant_snapshot(handle->buffer, info, max);

	if (max && copy_to_user(u64_to_user_ptr(data.grants), info,
				min(max, total) * sizeof(*info))) {
		ret = -EFAULT;
		goto free_info;
	}
	data.count = total;
	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
free_info:
	kfree(info);
put_handle:
	secbuf_handle_put(handle);
	return ret;
}

/**
 * secbuf_ioctl_query() - SECBUF_IOC_QUERY
 * @sfile: the caller's pool file, any file of the buffer's pool
 * @arg: user pointer to &struct secbuf_query
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_query(struct secbuf_file *sfile, unsigned long arg,
			size_t usize)
{
	struct secbuf_handle *handle;
	struct secbuf_buffer *buffer;
	struct secbuf_query data;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (data.pad)
		return -EINVAL;

	handle = secbuf_handle_get(sfile->pool, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	buffer = handle->buffer;

	mutex_lock(&buffer->lock);
	data.state = buffer->revoked ? SECBUF_STATE_REVOKED :
				       SECBUF_STATE_LIVE;
	data.handle_state = buffer->revoked || handle->revoked ?
			    SECBUF_STATE_REVOKED : SECBUF_STATE_LIVE;
	mutex_unlock(&buffer->lock);
	data.rights = handle->rights;
	data.seals = 0;
	data.size = buffer->size;
	data.id = buffer->id;
	data.grant_id = handle->grant_id;

	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
	secbuf_handle_put(handle);
	return ret;
}
