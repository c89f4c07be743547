// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dma_heap/<pool>: the standard dma-heap allocation ioctl on a secbuf
 * pool, so that dma-heap users (libcamera, GStreamer, libdmabufheap, the
 * kernel's dma-heap selftest) allocate from secbuf unchanged.
 *
 * Where the kernel has the dma-heap framework and exports dma_heap_add()
 * (7.x with CONFIG_DMABUF_HEAPS; Kbuild defines SECBUF_DMA_HEAP), each pool
 * is a heap of the core, registered by secbuf_dma_heap.ko (which stays
 * loaded: the core cannot remove a heap) and bound to the pool while it
 * lives. The core has no open file of secbuf's to count the per-file
 * limits by: a process's allocations from the heap share one owner, so
 * the limits count per process there.
 * A name the kernel has a heap of already is refused by the core: the
 * pool then has no dma-heap node, never one that shadows another heap.
 *
 * Elsewhere (Debian's arm64 kernels do not build the framework; 6.12 does
 * not export it) secbuf registers a misc device under the same node name
 * and implements DMA_HEAP_IOCTL_ALLOC with the core's exact argument rules,
 * including its tolerance of longer structs.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <uapi/linux/dma-heap.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "secbuf.h"
#include "secbuf-dma-heap.h"

#ifndef SECBUF_DMA_HEAP
static int secbuf_heap_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct secbuf_pool *pool = container_of(misc, struct secbuf_pool,
						heap_misc);
	struct secbuf_file *sfile;

	/*
	 * Each open heap file owns its buffers for the per-file limits, but
	 * with dma-heap semantics: they outlive the heap file, and no
	 * /dev/secbuf file can revoke or grant them.
	 */
	sfile = secbuf_file_create(pool);
	if (!sfile)
		return -ENOMEM;
	file->private_data = sfile;
	return nonseekable_open(inode, file);
}

static int secbuf_heap_release(struct inode *inode, struct file *file)
{
	secbuf_file_put(file->private_data);
	return 0;
}

static long secbuf_heap_ioctl_alloc(struct secbuf_file *sfile,
				    unsigned long arg, size_t usize)
{
	struct dma_heap_allocation_data data = {};
	struct dma_buf *dmabuf;
	u64 id;
	int fd;

	/* Like dma-heap: shorter is zero-extended, longer is truncated. */
	if (copy_from_user(&data, (void __user *)arg,
			   min(usize, sizeof(data))))
		return -EFAULT;

	if (data.fd)
		return -EINVAL;
	if (data.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data.heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;

	fd = get_unused_fd_flags(data.fd_flags & O_CLOEXEC);
	if (fd < 0)
		return fd;

	dmabuf = secbuf_handle_create(sfile, data.len,
				      data.fd_flags & O_ACCMODE, &id);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	data.fd = fd;
	return secbuf_fd_publish(fd, dmabuf, arg, &data,
				 min(usize, sizeof(data)));
}

static long secbuf_heap_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	/* dma-heap matches the number only and answers -EINVAL past its table. */
	if (_IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC))
		return -EINVAL;
	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	return secbuf_heap_ioctl_alloc(file->private_data, arg,
				       _IOC_SIZE(cmd));
}

static const struct file_operations secbuf_heap_fops = {
	.owner = THIS_MODULE,
	.open = secbuf_heap_open,
	.release = secbuf_heap_release,
	.unlocked_ioctl = secbuf_heap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

#endif /* !SECBUF_DMA_HEAP */

#ifdef SECBUF_DMA_HEAP
/*
 * The owner of the calling process's buffers from the pool's dma-heap: the
 * core has no file of secbuf's to count the per-file limits by, so they
 * count per process. It lives while the process has buffers from it.
 */
static struct secbuf_file *secbuf_heap_owner(struct secbuf_pool *pool)
{
	struct pid *pid = task_tgid(current);
	struct secbuf_file *sfile;

	mutex_lock(&pool->heap_owners_lock);
	list_for_each_entry(sfile, &pool->heap_owners, heap_node)
		if (sfile->heap_pid == pid && kref_get_unless_zero(&sfile->ref))
			goto unlock;
	sfile = secbuf_file_create(pool);
	if (sfile) {
		sfile->heap_pid = get_pid(pid);
		list_add(&sfile->heap_node, &pool->heap_owners);
	}
unlock:
	mutex_unlock(&pool->heap_owners_lock);
	return sfile;
}

/* An allocation from the pool's dma-heap, owned by the calling process. */
static struct dma_buf *secbuf_heap_allocate(void *priv, unsigned long len,
					    u32 fd_flags, u64 heap_flags)
{
	struct secbuf_pool *pool = priv;
	struct secbuf_file *sfile;
	struct dma_buf *dmabuf;
	u64 id;

	/* The core checked fd_flags and heap_flags already. */
	sfile = secbuf_heap_owner(pool);
	if (!sfile)
		return ERR_PTR(-ENOMEM);
	dmabuf = secbuf_handle_create(sfile, len, fd_flags & O_ACCMODE, &id);
	secbuf_file_put(sfile);
	return dmabuf;
}

/**
 * secbuf_heap_register() - serve the dma-heap of the pool's name
 * @pool: the pool, with its name set
 *
 * Context: Process context.
 * Return: 0. If the heap cannot be had (another heap of the kernel has
 * the name, -EEXIST; or out of memory), the pool goes on without one, and
 * the reason is logged.
 */
int secbuf_heap_register(struct secbuf_pool *pool)
{
	pool->dma_heap = secbuf_dma_heap_bind(pool->name, secbuf_heap_allocate,
					      pool);
	if (IS_ERR(pool->dma_heap)) {
		dev_warn(pool->dev,
			 "pool %s: no /dev/dma_heap/%s (%pe): its users allocate through /dev/secbuf/%s\n",
			 pool->name, pool->name, pool->dma_heap, pool->name);
		pool->dma_heap = NULL;
	}
	return 0;
}

/**
 * secbuf_heap_unregister() - stop serving the pool's dma-heap
 * @pool: the pool
 *
 * The heap stays (the core cannot remove one); allocations from it fail
 * with -ENODEV until a pool of that name serves it again.
 *
 * Context: Process context; waits for allocations under way.
 */
void secbuf_heap_unregister(struct secbuf_pool *pool)
{
	if (pool->dma_heap)
		secbuf_dma_heap_unbind(pool->dma_heap);
	pool->dma_heap = NULL;
}
#else
/**
 * secbuf_heap_register() - create /dev/dma_heap/<pool>
 * @pool: the pool, with its name set
 *
 * Context: Process context.
 * Return: 0 or a negative errno from misc_register().
 */
int secbuf_heap_register(struct secbuf_pool *pool)
{
	return secbuf_misc_register(pool, &pool->heap_misc, pool->heap_name,
				    pool->heap_nodename, &secbuf_heap_fops);
}

/**
 * secbuf_heap_unregister() - remove /dev/dma_heap/<pool>
 * @pool: the pool
 *
 * Context: Process context.
 */
void secbuf_heap_unregister(struct secbuf_pool *pool)
{
	misc_deregister(&pool->heap_misc);
}
#endif
