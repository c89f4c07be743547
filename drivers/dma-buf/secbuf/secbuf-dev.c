// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/secbuf/<pool>: the secbuf uapi.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/secbuf.h>

#include "secbuf.h"

/**
 * secbuf_file_create() - make the context of a newly opened pool file
 * @pool: the pool the file allocates from
 *
 * Context: Process context.
 * Return: the context with one reference, owned by the caller and dropped
 * with secbuf_file_put(), or NULL if out of memory.
 */
struct secbuf_file *secbuf_file_create(struct secbuf_pool *pool)
{
	struct secbuf_file *sfile;

	sfile = kzalloc(sizeof(*sfile), GFP_KERNEL);
	if (!sfile)
		return NULL;
	kref_init(&sfile->ref);
	sfile->pool = pool;
	INIT_LIST_HEAD(&sfile->buffers);
	INIT_LIST_HEAD(&sfile->heap_node);
	return sfile;
}

static void secbuf_file_release_ref(struct kref *ref)
{
	struct secbuf_file *sfile = container_of(ref, struct secbuf_file, ref);
	struct secbuf_pool *pool = sfile->pool;

	if (sfile->heap_pid) {
		mutex_lock(&pool->heap_owners_lock);
		list_del(&sfile->heap_node);
		mutex_unlock(&pool->heap_owners_lock);
		put_pid(sfile->heap_pid);
	}
	kfree(sfile);
}

/**
 * secbuf_file_put() - drop a reference on a pool file context
 * @sfile: the context
 *
 * Context: Any context that may sleep.
 */
void secbuf_file_put(struct secbuf_file *sfile)
{
	kref_put(&sfile->ref, secbuf_file_release_ref);
}

static int secbuf_dev_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct secbuf_pool *pool = container_of(misc, struct secbuf_pool,
						secbuf_misc);
	struct secbuf_file *sfile;

	sfile = secbuf_file_create(pool);
	if (!sfile)
		return -ENOMEM;
	sfile->revoke_on_close = true;
	file->private_data = sfile;
	return nonseekable_open(inode, file);
}

static int secbuf_dev_release(struct inode *inode, struct file *file)
{
	struct secbuf_file *sfile = file->private_data;

	/* The creator controls destruction: its buffers go with it. */
	secbuf_file_revoke_all(sfile);
	secbuf_file_put(sfile);
	return 0;
}

/**
 * secbuf_copy_args() - read an ioctl argument that may grow over time
 * @kdata: the kernel's struct
 * @ksize: size of the kernel's struct
 * @minsize: size of the first version of the struct
 * @arg: the ioctl argument, a user pointer
 * @usize: size of the user's struct, from the ioctl number
 *
 * Shorter user structs are zero-extended, longer ones must have a zero
 * tail.
 *
 * Context: Process context.
 * Return: 0, -EINVAL if @usize < @minsize, -E2BIG for a nonzero tail,
 * -EFAULT.
 */
int secbuf_copy_args(void *kdata, size_t ksize, size_t minsize,
		     unsigned long arg, size_t usize)
{
	if (usize < minsize)
		return -EINVAL;
	return copy_struct_from_user(kdata, ksize, (void __user *)arg,
				     usize);
}

/**
 * secbuf_fd_publish() - hand an ioctl's new dma-buf to userspace
 * @fd: a descriptor reserved with get_unused_fd_flags()
 * @dmabuf: the new dma-buf; the caller's reference goes to @fd
 * @arg: the ioctl argument, a user pointer
 * @kdata: the result to copy to @arg
 * @size: bytes to copy
 *
 * The result is copied out first and the descriptor installed only then,
 * so a failed copy leaves nothing behind: @fd is released and @dmabuf
 * dropped.
 *
 * Context: Process context.
 * Return: 0 or -EFAULT.
 */
int secbuf_fd_publish(int fd, struct dma_buf *dmabuf, unsigned long arg,
		      const void *kdata, size_t size)
{
	if (copy_to_user((void __user *)arg, kdata, size)) {
		dma_buf_put(dmabuf);
		put_unused_fd(fd);
		return -EFAULT;
	}
	/* fd_install() consumes our reference to the dma-buf. */
	fd_install(fd, dmabuf->file);
	return 0;
}

static long secbuf_ioctl_alloc(struct secbuf_file *sfile, unsigned long arg,
			       size_t usize)
{
	struct secbuf_alloc data;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = secbuf_copy_args(&data, sizeof(data), SECBUF_ALLOC_SIZE_VER0,
			       arg, usize);
	if (ret)
		return ret;

	if (data.fd || data.id || data.alloc_size)
		return -EINVAL;
	if (data.flags & ~SECBUF_ALLOC_VALID_FLAGS)
		return -EINVAL;
	if (data.fd_flags & ~SECBUF_FD_VALID_FLAGS)
		return -EINVAL;
	if (data.pad)
		return -EINVAL;

	fd = get_unused_fd_flags(data.fd_flags & SECBUF_FD_CLOEXEC ?
				 O_CLOEXEC : 0);
	if (fd < 0)
		return fd;

	dmabuf = secbuf_handle_create(sfile, data.size,
				      data.fd_flags & SECBUF_FD_RDWR ?
				      O_RDWR : O_RDONLY, &data.id);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	data.fd = fd;
	data.alloc_size = dmabuf->size;
	return secbuf_fd_publish(fd, dmabuf, arg, &data,
				 min(usize, sizeof(data)));
}

static long secbuf_ioctl_pool_info(struct secbuf_file *sfile,
				   unsigned long arg, size_t usize)
{
	struct secbuf_pool *pool = sfile->pool;
	struct secbuf_pool_info data;
	struct secbuf_pool_stats stats;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), SECBUF_POOL_INFO_SIZE_VER0,
			       arg, usize);
	if (ret)
		return ret;
	if (data.flags & ~SECBUF_POOL_INFO_VALID_FLAGS)
		return -EINVAL;
	if (data.pad)
		return -EINVAL;

	secbuf_pool_get_stats(pool, &stats);
	data.total_bytes = stats.total_bytes;
	data.used_bytes = stats.used_bytes;
	data.largest_free_bytes = stats.largest_free_bytes;
	data.buffer_count = stats.nr_buffers;
	data.max_buffer_bytes = secbuf_pool_max_buffer(pool);
	data.file_max_bytes = READ_ONCE(secbuf_max_file_bytes);
	data.file_max_buffers = READ_ONCE(secbuf_max_file_buffers);
	data.quarantined_bytes = stats.quarantined_bytes;
	data.cached_bytes = stats.cached_bytes;
	data.prezeroed_bytes = stats.prezeroed_bytes;

	mutex_lock(&pool->lock);
	data.file_buffers = sfile->nr_buffers;
	data.file_used_bytes = sfile->used_bytes;
	mutex_unlock(&pool->lock);

	if (copy_to_user((void __user *)arg, &data,
			 min(usize, sizeof(data))))
		return -EFAULT;
	return 0;
}

static long secbuf_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct secbuf_file *sfile = file->private_data;
	size_t usize = _IOC_SIZE(cmd);

	/* Match everything but the size, which may differ across versions. */
	if (_IOC_TYPE(cmd) != SECBUF_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(SECBUF_IOC_ALLOC):
		/* A read-only pool file may look, not allocate. */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return secbuf_ioctl_alloc(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_POOL_INFO):
		return secbuf_ioctl_pool_info(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_REVOKE):
		return secbuf_ioctl_revoke(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_GRANT):
		return secbuf_ioctl_grant(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_GRANT_LIST):
		return secbuf_ioctl_grant_list(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_QUERY):
		return secbuf_ioctl_query(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_SEAL):
		return secbuf_ioctl_seal(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_GET_SEALS):
		return secbuf_ioctl_get_seals(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_DMA_BEGIN):
		return secbuf_ioctl_dma_begin(sfile, arg, usize);
	case _IOC_NR(SECBUF_IOC_DMA_END):
		return secbuf_ioctl_dma_end(sfile, arg, usize);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations secbuf_dev_fops = {
	.owner = THIS_MODULE,
	.open = secbuf_dev_open,
	.release = secbuf_dev_release,
	.unlocked_ioctl = secbuf_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * secbuf_misc_register() - register one of a pool's device nodes
 * @pool: the pool
 * @misc: the pool's miscdevice to fill in and register
 * @name: device name in sysfs
 * @nodename: path under /dev
 * @fops: file operations of the node
 *
 * The node gets the dev_mode parameter's mode and the pool's device as
 * parent.
 *
 * Context: Process context.
 * Return: 0 or a negative errno from misc_register().
 */
int secbuf_misc_register(struct secbuf_pool *pool, struct miscdevice *misc,
			 const char *name, const char *nodename,
			 const struct file_operations *fops)
{
	misc->minor = MISC_DYNAMIC_MINOR;
	misc->name = name;
	misc->nodename = nodename;
	misc->mode = secbuf_dev_mode;
	misc->fops = fops;
	misc->parent = pool->dev;
	return misc_register(misc);
}

/**
 * secbuf_dev_register() - create /dev/secbuf/<pool>
 * @pool: the pool, with its name set
 *
 * Context: Process context.
 * Return: 0 or a negative errno from misc_register().
 */
int secbuf_dev_register(struct secbuf_pool *pool)
{
	pool->secbuf_misc.groups = secbuf_pool_groups;
	return secbuf_misc_register(pool, &pool->secbuf_misc,
				    pool->secbuf_name, pool->secbuf_nodename,
				    &secbuf_dev_fops);
}

/**
 * secbuf_dev_unregister() - remove /dev/secbuf/<pool>
 * @pool: the pool
 *
 * Context: Process context.
 */
void secbuf_dev_unregister(struct secbuf_pool *pool)
{
	misc_deregister(&pool->secbuf_misc);
}
