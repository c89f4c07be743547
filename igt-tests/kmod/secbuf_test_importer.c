// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf_test_importer: a dynamic dma-buf importer, for tests only.
 *
 * The lanes have no in-tree dynamic importer (those are GPU drivers: amdgpu,
 * xe), so nothing there calls dma_buf_dynamic_attach() and secbuf's
 * move_notify and pin paths would go untested. This module is the smallest
 * honest one: each open file of /dev/secbuf_test_importer imports one
 * dma-buf with importer_ops, maps it for a platform device of its own, and
 * in move_notify does what a dynamic importer must: with the reservation
 * lock held (it counts the calls without it), it drops its mapping, to map
 * again later (STI_IOC_REMAP). With STI_IMPORT_PIN it pins the attachment
 * and keeps the mapping instead, as an importer that cannot move does.
 * mmap() of the file maps the imported buffer through dma_buf_mmap(), as
 * a driver that offers its own mmap of imported buffers does.
 * STI_IOC_FENCE and STI_IOC_SIGNAL play a device job that outlives the
 * mapping it started with: a write fence on the buffer, and at its end a
 * write through the old mapping's address (the kernel's linear map of
 * the DMA address: the lanes' devices have no IOMMU) before the signal.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/workqueue.h>

#include "secbuf_test_importer.h"

static struct platform_device *sti_pdev;

/**
 * struct sti_file - one import
 * @lock: serialises the ioctls and release of the file
 * @dmabuf: the imported dma-buf, referenced; NULL before STI_IOC_IMPORT
 * @attach: the dynamic attachment
 * @sgt: the mapping, NULL when not mapped; under the reservation lock
 * @pinned: the attachment is pinned; under the reservation lock
 * @notified: move_notify calls; under the reservation lock
 * @unlocked: move_notify calls made without it
 * @attach_ns: the import's attach time
 * @map_ns: the import's pin and map time
 * @mmap_dmabuf: @dmabuf once the import is complete, for mmap(), which
 *	runs under mmap_lock and so cannot take @lock
 * @job: the running device job's fence, NULL if none
 * @job_lock: @job's lock
 * @job_vaddr: where the job writes: the mapping's memory when it started
 * @job_len: how many bytes
 * @vmap_dmabuf: the dma-buf of STI_IOC_VMAP, referenced, or NULL
 * @vmap: its kernel mapping
 * @defer: the import has %STI_IMPORT_DEFER
 * @unmap_work: its deferred unmap
 */
struct sti_file {
	struct mutex lock;	/* the ioctls of this file */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	bool pinned;
	unsigned int notified;
	unsigned int unlocked;
	u64 attach_ns;
	u64 map_ns;
	struct dma_buf *mmap_dmabuf;
	struct dma_fence *job;
	spinlock_t job_lock;	/* @job's */
	void *job_vaddr;
	size_t job_len;
	struct dma_buf *vmap_dmabuf;
	struct iosys_map vmap;
	bool defer;
	struct delayed_work unmap_work;
};

/* dma_buf_vmap() takes the reservation lock itself from 6.2 on. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define sti_dma_buf_vmap(dmabuf, map)	dma_buf_vmap(dmabuf, map)
#define sti_dma_buf_vunmap(dmabuf, map)	dma_buf_vunmap(dmabuf, map)
#else
#define sti_dma_buf_vmap(dmabuf, map)	dma_buf_vmap_unlocked(dmabuf, map)
#define sti_dma_buf_vunmap(dmabuf, map)	dma_buf_vunmap_unlocked(dmabuf, map)
#endif

static const char *sti_fence_name(struct dma_fence *fence)
{
	return "secbuf_test_importer";
}

static void sti_fence_release(struct dma_fence *fence)
{
	dma_fence_free(fence);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops sti_fence_ops = {
	.get_driver_name = sti_fence_name,
	.get_timeline_name = sti_fence_name,
	.release = sti_fence_release,
};

static void sti_unmap_locked(struct sti_file *f)
{
	if (!f->sgt)
		return;
	dma_buf_unmap_attachment(f->attach, f->sgt, DMA_BIDIRECTIONAL);
	f->sgt = NULL;
}

static void sti_move_notify(struct dma_buf_attachment *attach)
{
	struct sti_file *f = attach->importer_priv;

	if (!dma_resv_is_locked(attach->dmabuf->resv)) {
		/* Not ours to take: count it, the test fails on it. */
		f->unlocked++;
		return;
	}
	f->notified++;
	if (f->pinned)
		return;
	if (f->defer)
		schedule_delayed_work(&f->unmap_work, msecs_to_jiffies(100));
	else
		sti_unmap_locked(f);
}

static void sti_unmap_work(struct work_struct *work)
{
	struct sti_file *f = container_of(to_delayed_work(work),
					  struct sti_file, unmap_work);

	dma_resv_lock(f->dmabuf->resv, NULL);
	sti_unmap_locked(f);
	dma_resv_unlock(f->dmabuf->resv);
}

/* move_notify became invalidate_mappings in 7.0 (and optional). */
static const struct dma_buf_attach_ops sti_attach_ops = {
	.allow_peer2peer = false,
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
	.move_notify = sti_move_notify,
#else
	.invalidate_mappings = sti_move_notify,
#endif
};

static int sti_map_locked(struct sti_file *f)
{
	struct sg_table *sgt;

	if (f->sgt)
		return -EBUSY;
	sgt = dma_buf_map_attachment(f->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	f->sgt = sgt;
	return 0;
}

static int sti_import(struct sti_file *f, struct sti_import __user *uarg)
{
	struct dma_buf_attachment *attach;
	struct sti_import arg;
	struct dma_buf *dmabuf;
	u64 t0, t1;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~STI_IMPORT_VALID) ||
	    ((arg.flags & STI_IMPORT_STATIC) &&
	     (arg.flags & (STI_IMPORT_PIN | STI_IMPORT_DEFER))))
		return -EINVAL;
	if (f->dmabuf)
		return -EBUSY;

	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	t0 = ktime_get_ns();
	if (arg.flags & STI_IMPORT_STATIC)
		attach = dma_buf_attach(dmabuf, &sti_pdev->dev);
	else
		attach = dma_buf_dynamic_attach(dmabuf, &sti_pdev->dev,
						&sti_attach_ops, f);
	t1 = ktime_get_ns();
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto put_dmabuf;
	}
	f->dmabuf = dmabuf;
	f->attach = attach;
	f->attach_ns = t1 - t0;
	f->defer = arg.flags & STI_IMPORT_DEFER;

	dma_resv_lock(dmabuf->resv, NULL);
	if (arg.flags & STI_IMPORT_PIN) {
		ret = dma_buf_pin(attach);
		if (ret)
			goto unlock;
		f->pinned = true;
	}
	ret = sti_map_locked(f);
	f->map_ns = ktime_get_ns() - t1;
	if (ret && f->pinned) {
		dma_buf_unpin(attach);
		f->pinned = false;
	}
unlock:
	dma_resv_unlock(dmabuf->resv);
	if (!ret) {
		/* Pairs with sti_mmap(): the import is complete before. */
		smp_store_release(&f->mmap_dmabuf, dmabuf);
		return 0;
	}

	dma_buf_detach(dmabuf, attach);
	f->dmabuf = NULL;
	f->attach = NULL;
put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static int sti_status(struct sti_file *f, struct sti_status __user *uarg)
{
	struct sti_status st = { 0 };

	if (f->dmabuf) {
		dma_resv_lock(f->dmabuf->resv, NULL);
		st.mapped = !!f->sgt;
		st.pinned = f->pinned;
		st.notified = f->notified;
		st.unlocked = f->unlocked;
		st.attach_ns = f->attach_ns;
		st.map_ns = f->map_ns;
		if (f->sgt) {
			struct scatterlist *sg;
			unsigned int i;

			st.sg_nents = f->sgt->nents;
			for_each_sgtable_dma_sg(f->sgt, sg, i)
				st.dma_len += sg_dma_len(sg);
		}
		dma_resv_unlock(f->dmabuf->resv);
	}
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static int sti_unmap(struct sti_file *f)
{
	int ret = 0;

	if (!f->dmabuf)
		return -EINVAL;
	dma_resv_lock(f->dmabuf->resv, NULL);
	if (!f->sgt)
		ret = -EINVAL;
	sti_unmap_locked(f);
	if (f->pinned) {
		dma_buf_unpin(f->attach);
		f->pinned = false;
	}
	dma_resv_unlock(f->dmabuf->resv);
	return ret;
}

static int sti_remap(struct sti_file *f)
{
	int ret;

	if (!f->dmabuf)
		return -EINVAL;
	dma_resv_lock(f->dmabuf->resv, NULL);
	ret = sti_map_locked(f);
	dma_resv_unlock(f->dmabuf->resv);
	return ret;
}

static int sti_fence(struct sti_file *f)
{
	struct scatterlist *sg;
	struct dma_fence *fence;
	int ret;

	if (!f->dmabuf)
		return -EINVAL;
	if (f->job)
		return -EBUSY;
	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return -ENOMEM;
	dma_fence_init(fence, &sti_fence_ops, &f->job_lock,
		       dma_fence_context_alloc(1), 1);
	__module_get(THIS_MODULE);

	dma_resv_lock(f->dmabuf->resv, NULL);
	if (!f->sgt) {
		ret = -EINVAL;
		goto unlock;
	}
	ret = dma_resv_reserve_fences(f->dmabuf->resv, 1);
	if (ret)
		goto unlock;
	sg = f->sgt->sgl;
	f->job_vaddr = phys_to_virt(dma_to_phys(&sti_pdev->dev,
						sg_dma_address(sg)));
	f->job_len = sg_dma_len(sg);
	dma_resv_add_fence(f->dmabuf->resv, fence, DMA_RESV_USAGE_WRITE);
	f->job = fence;
	fence = NULL;
unlock:
	dma_resv_unlock(f->dmabuf->resv);
	if (fence)
		dma_fence_put(fence);
	return ret;
}

static void sti_job_end(struct sti_file *f, int error)
{
	if (!f->job)
		return;
	if (error)
		dma_fence_set_error(f->job, error);
	dma_fence_signal(f->job);
	dma_fence_put(f->job);
	f->job = NULL;
}

static int sti_signal(struct sti_file *f, struct sti_signal __user *uarg)
{
	struct sti_signal arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || arg.value > 0xff)
		return -EINVAL;
	if (!f->job)
		return -EINVAL;
	/* The late device write, through the mapping the job started with. */
	memset(f->job_vaddr, arg.value, f->job_len);
	sti_job_end(f, 0);
	return 0;
}

static int sti_vmap(struct sti_file *f, struct sti_vmap __user *uarg)
{
	struct sti_vmap arg;
	struct dma_buf *dmabuf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;
	if (f->vmap_dmabuf)
		return -EBUSY;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = sti_dma_buf_vmap(dmabuf, &f->vmap);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	f->vmap_dmabuf = dmabuf;
	arg.vaddr = (u64)(uintptr_t)f->vmap.vaddr;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int sti_vread(struct sti_file *f, struct sti_vmap __user *uarg)
{
	struct sti_vmap arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!f->vmap_dmabuf || arg.len > f->vmap_dmabuf->size)
		return -EINVAL;
	return copy_to_user(u64_to_user_ptr(arg.data), f->vmap.vaddr,
			    arg.len) ? -EFAULT : 0;
}

static void sti_vunmap(struct sti_file *f)
{
	if (!f->vmap_dmabuf)
		return;
	sti_dma_buf_vunmap(f->vmap_dmabuf, &f->vmap);
	dma_buf_put(f->vmap_dmabuf);
	f->vmap_dmabuf = NULL;
}

static long sti_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sti_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&f->lock);
	switch (cmd) {
	case STI_IOC_IMPORT:
		ret = sti_import(f, uarg);
		break;
	case STI_IOC_STATUS:
		ret = sti_status(f, uarg);
		break;
	case STI_IOC_REMAP:
		ret = sti_remap(f);
		break;
	case STI_IOC_FENCE:
		ret = sti_fence(f);
		break;
	case STI_IOC_SIGNAL:
		ret = sti_signal(f, uarg);
		break;
	case STI_IOC_VMAP:
		ret = sti_vmap(f, uarg);
		break;
	case STI_IOC_VREAD:
		ret = sti_vread(f, uarg);
		break;
	case STI_IOC_UNMAP:
		ret = sti_unmap(f);
		break;
	case STI_IOC_VUNMAP:
		ret = f->vmap_dmabuf ? 0 : -EINVAL;
		sti_vunmap(f);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&f->lock);
	return ret;
}

/* The imported buffer, mapped by its exporter into the dma-buf's file. */
static int sti_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sti_file *f = file->private_data;
	struct dma_buf *dmabuf;

	/* Pairs with sti_import(): no lock, mmap_lock nests outside it. */
	dmabuf = smp_load_acquire(&f->mmap_dmabuf);
	if (!dmabuf)
		return -ENODEV;
	return dma_buf_mmap(dmabuf, vma, vma->vm_pgoff);
}

static int sti_open(struct inode *inode, struct file *file)
{
	struct sti_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	spin_lock_init(&f->job_lock);
	INIT_DELAYED_WORK(&f->unmap_work, sti_unmap_work);
	file->private_data = f;
	return 0;
}

static int sti_release(struct inode *inode, struct file *file)
{
	struct sti_file *f = file->private_data;

	/* A job still running is cancelled: nothing is written. */
	sti_job_end(f, -ECANCELED);
	sti_vunmap(f);
	cancel_delayed_work_sync(&f->unmap_work);
	if (f->dmabuf) {
		dma_resv_lock(f->dmabuf->resv, NULL);
		sti_unmap_locked(f);
		if (f->pinned)
			dma_buf_unpin(f->attach);
		dma_resv_unlock(f->dmabuf->resv);
		dma_buf_detach(f->dmabuf, f->attach);
		dma_buf_put(f->dmabuf);
	}
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations sti_fops = {
	.owner = THIS_MODULE,
	.open = sti_open,
	.release = sti_release,
	.unlocked_ioctl = sti_ioctl,
	.mmap = sti_mmap,
};

static struct miscdevice sti_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "secbuf_test_importer",
	.fops = &sti_fops,
};

static int __init sti_init(void)
{
	int ret;

	sti_pdev = platform_device_register_simple("secbuf-test-importer",
						   PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(sti_pdev))
		return PTR_ERR(sti_pdev);
	ret = dma_coerce_mask_and_coherent(&sti_pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto unregister_pdev;
	ret = misc_register(&sti_misc);
	if (ret)
		goto unregister_pdev;
	return 0;

unregister_pdev:
	platform_device_unregister(sti_pdev);
	return ret;
}

static void __exit sti_exit(void)
{
	misc_deregister(&sti_misc);
	platform_device_unregister(sti_pdev);
}

module_init(sti_init);
module_exit(sti_exit);

MODULE_DESCRIPTION("Dynamic dma-buf importer for secbuf's tests");
MODULE_AUTHOR("The secbuf authors");
MODULE_LICENSE("GPL");
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS(DMA_BUF);
#else
MODULE_IMPORT_NS("DMA_BUF");
#endif
