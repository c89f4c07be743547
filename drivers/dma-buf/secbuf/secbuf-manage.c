// SPDX-License-Identifier: GPL-2.0-only
/*
 * The owner's ioctls on /dev/secbuf/<pool>: revoke, grant, list grants, and
 * the query any holder may make. Seals and DMA windows have their own
 * files.
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
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/secbuf.h>

#include "compat.h"
#include "secbuf.h"

/* How often GRANT_LIST sizes its snapshot again when grants keep coming. */
#define SECBUF_GRANT_LIST_TRIES	4

/* The largest GRANT_LIST entry a caller may ask for. */
#define SECBUF_GRANT_INFO_SIZE_MAX	4096

static bool secbuf_file_owns(struct secbuf_file *sfile,
			     struct secbuf_handle *handle)
{
	return handle->buffer->owner == sfile;
}

/**
 * secbuf_owner_handle_get() - look up a handle of a buffer the caller owns
 * @sfile: the caller's pool file
 * @fd: a dma-buf file descriptor of the caller
 *
 * Any handle of the buffer names it, the owner's or a grant; what counts
 * is that @sfile allocated the buffer.
 *
 * Context: Process context.
 * Return: the handle, to drop with secbuf_handle_put(), or an ERR_PTR():
 * -EBADF or -EINVAL as for secbuf_handle_get(), -EPERM if @sfile does not
 * own the buffer.
 */
struct secbuf_handle *secbuf_owner_handle_get(struct secbuf_file *sfile,
					      int fd)
{
	struct secbuf_handle *handle;

	handle = secbuf_handle_get(sfile->pool, fd);
	if (IS_ERR(handle))
		return handle;
	if (!secbuf_file_owns(sfile, handle)) {
		secbuf_handle_put(handle);
		return ERR_PTR(-EPERM);
	}
	return handle;
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

	handle = secbuf_owner_handle_get(sfile, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

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

/*
 * The process (thread group) a pidfd refers to, referenced: -EBADF if @fd
 * is not open, -EINVAL if it is not a pidfd, -ESRCH if the process has
 * exited (a zombie can never use the grant).
 */
static struct pid *secbuf_pidfd_tgid(int fd)
{
	struct task_struct *task;
	struct file *file;
	struct pid *pid;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	pid = secbuf_pidfd_pid(file);
	if (IS_ERR(pid))
		goto put_file;
	/* A thread's pidfd binds its whole process. */
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		pid = ERR_PTR(-ESRCH);
		goto put_file;
	}
	if (READ_ONCE(task->flags) & PF_EXITING)
		pid = NULL;
	else
		pid = get_task_pid(task, PIDTYPE_TGID);
	put_task_struct(task);
	if (!pid)
		pid = ERR_PTR(-ESRCH);
put_file:
	fput(file);
	return pid;
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
	struct pid *pid = NULL;
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
	if (data.fd_flags & ~SECBUF_FD_CLOEXEC)
		return -EINVAL;
	if (!(data.flags & SECBUF_GRANT_PIDFD) && data.pidfd)
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
	if (READ_ONCE(handle->buffer->seals) & SECBUF_SEAL_GRANT) {
		ret = -EPERM;
		goto put_handle;
	}

	/* A grant derived from a bound grant stays bound to its process. */
	if (data.flags & SECBUF_GRANT_PIDFD) {
		pid = secbuf_pidfd_tgid(data.pidfd);
		if (IS_ERR(pid)) {
			ret = PTR_ERR(pid);
			goto put_handle;
		}
		if (handle->pid && pid != handle->pid) {
			ret = -EPERM;
			goto put_pid;
		}
	} else {
		pid = get_pid(handle->pid);
	}

	fd = get_unused_fd_flags(data.fd_flags & SECBUF_FD_CLOEXEC ?
				 O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto put_pid;
	}
	/* Derived from a grant: revoking that grant revokes this one too. */
	dmabuf = secbuf_handle_export(handle->buffer,
				      handle->grant_id ? handle : NULL,
				      data.rights, pid,
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
	put_pid(pid);
	secbuf_handle_put(handle);
	return ret;

put_fd:
	put_unused_fd(fd);
put_pid:
	put_pid(pid);
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
	list_for_each_entry(h, &buffer->handles, link) {
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
			info[n].pid = h->pid ? pid_vnr(h->pid) : 0;
			info[n].parent_id = secbuf_grant_parent_id(h);
		}
		n++;
	}
	mutex_unlock(&buffer->lock);
	return n;
}

/*
 * Copy @n entries to the user's array of @info_size-byte entries: as much
 * of each as both sides know, and zeroes past what the kernel knows.
 */
static int secbuf_grant_info_copy(u64 uptr, u32 info_size,
				  const struct secbuf_grant_info *info, u32 n)
{
	size_t known = min_t(size_t, info_size, sizeof(*info));
	u32 i;

	for (i = 0; i < n; i++) {
		void __user *dst = u64_to_user_ptr(uptr + (u64)i * info_size);

		if (copy_to_user(dst, &info[i], known))
			return -EFAULT;
		if (info_size > known && clear_user(dst + known,
						    info_size - known))
			return -EFAULT;
	}
	return 0;
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
	u32 max, total, info_size;
	unsigned int tries;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data),
			       SECBUF_GRANT_LIST_SIZE_VER0, arg, usize);
	if (ret)
		return ret;
	info_size = data.info_size ?: SECBUF_GRANT_INFO_SIZE_VER0;
	if (data.pad || info_size < SECBUF_GRANT_INFO_SIZE_VER0 ||
	    info_size > SECBUF_GRANT_INFO_SIZE_MAX ||
	    !IS_ALIGNED(info_size, sizeof(u64)))
		return -EINVAL;

	handle = secbuf_owner_handle_get(sfile, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	/*
	 * Size the snapshot to the grants that exist, so that every one fits
	 * when the caller's array is large enough. Grants made meanwhile (a
	 * REGRANT holder may make them) mean sizing again.
	 */
	for (tries = 0;; tries++) {
		if (tries == SECBUF_GRANT_LIST_TRIES) {
			ret = -EAGAIN;
			goto put_handle;
		}
		max = min(data.count,
			  secbuf_grant_snapshot(handle->buffer, NULL, 0));
		if (max) {
			info = kvcalloc(max, sizeof(*info), GFP_KERNEL);
			if (!info) {
				ret = -ENOMEM;
				goto put_handle;
			}
		}
		total = secbuf_grant_snapshot(handle->buffer, info, max);
		if (total <= max || max == data.count)
			break;
		kvfree(info);
		info = NULL;
	}

	ret = secbuf_grant_info_copy(data.grants, info_size, info,
				     min(max, total));
	if (ret)
		goto free_info;
	data.count = total;
	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
free_info:
	kvfree(info);
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

	down_read(&buffer->map_lock);
	if (buffer->revoked)
		data.state = SECBUF_STATE_REVOKED;
	else if (secbuf_window_policy(buffer))
		data.state = SECBUF_STATE_DMA;
	else
		data.state = SECBUF_STATE_LIVE;
	data.handle_state = handle->revoked ? SECBUF_STATE_REVOKED :
					      data.state;
	data.seals = buffer->seals;
	up_read(&buffer->map_lock);
	data.rights = handle->rights;
	data.size = buffer->size;
	data.id = buffer->id;
	data.grant_id = handle->grant_id;

	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
	secbuf_handle_put(handle);
	return ret;
}
