// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf buffers: the dma-buf exporter.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "secbuf.h"

/* Zero this many pages between checks for a fatal signal. */
#define SECBUF_ZERO_BATCH	(SZ_1M >> PAGE_SHIFT)

/**
 * struct secbuf_attachment - one device attached to a buffer
 * @dev: the importing device
 * @sgt: a single-entry table describing the whole buffer
 * @node: entry in &secbuf_buffer.attachments
 * @mapped: @sgt is DMA-mapped for @dev, so CPU access needs cache maintenance
 */
struct secbuf_attachment {
	struct device *dev;
	struct sg_table sgt;
	struct list_head node;
	bool mapped;
};

static vm_fault_t secbuf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct secbuf_buffer *buffer = vma->vm_private_data;
	unsigned long nr_pages = buffer->range.size >> PAGE_SHIFT;

	if (vmf->pgoff >= nr_pages)
		return VM_FAULT_SIGBUS;

	return vmf_insert_pfn(vma, vmf->address,
			      page_to_pfn(buffer->range.page) + vmf->pgoff);
}

static const struct vm_operations_struct secbuf_vm_ops = {
	.fault = secbuf_vm_fault,
};

static int secbuf_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	struct secbuf_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	ret = sg_alloc_table(&a->sgt, 1, GFP_KERNEL);
	if (ret)
		goto free_attachment;
	sg_set_page(a->sgt.sgl, buffer->range.page, buffer->range.size, 0);

	a->dev = attach->dev;
	INIT_LIST_HEAD(&a->node);
	attach->priv = a;

	mutex_lock(&buffer->lock);
	list_add(&a->node, &buffer->attachments);
	mutex_unlock(&buffer->lock);
	return 0;

free_attachment:
	kfree(a);
	return ret;
}

static void secbuf_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	struct secbuf_attachment *a = attach->priv;

	mutex_lock(&buffer->lock);
	list_del(&a->node);
	mutex_unlock(&buffer->lock);

	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *secbuf_map_dma_buf(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir)
{
	struct secbuf_buffer *buffer = attach->dmabuf->priv;
	struct secbuf_attachment *a = attach->priv;
	int ret;

	ret = dma_map_sgtable(attach->dev, &a->sgt, dir, 0);
	if (ret)
		return ERR_PTR(ret);

	mutex_lock(&buffer->lock);
	a->mapped = true;
	mutex_unlock(&buffer->lock);
	return &a->sgt;
}

static void secbuf_unmap_dma_buf(struct dma_buf_attachment *attach,
				 struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	struct secbuf_buffer *buffer = attach->dmabuf->priv;
	struct secbuf_attachment *a = attach->priv;

	mutex_lock(&buffer->lock);
	a->mapped = false;
	mutex_unlock(&buffer->lock);

	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
}

static int secbuf_begin_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	struct secbuf_attachment *a;
	bool write = dir != DMA_FROM_DEVICE;
	long ret;

	/*
	 * A CPU reader waits for the devices writing the buffer, a CPU writer
	 * for every device using it. The core repeats this wait after us;
	 * once the fences are signaled that is cheap.
	 */
	ret = dma_resv_wait_timeout(dmabuf->resv, dma_resv_usage_rw(write),
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_count)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->range.size);
	list_for_each_entry(a, &buffer->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, dir);
	}
	mutex_unlock(&buffer->lock);
	return 0;
}

static int secbuf_end_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	struct secbuf_attachment *a;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_count)
		flush_kernel_vmap_range(buffer->vaddr, buffer->range.size);
	list_for_each_entry(a, &buffer->attachments, node) {
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	}
	mutex_unlock(&buffer->lock);
	return 0;
}

static int secbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	unsigned long nr_pages = buffer->range.size >> PAGE_SHIFT;

	/* A private copy would outlive any control the owner has. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= nr_pages ||
	    vma_pages(vma) > nr_pages - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * No PTE is set up here: pages go in from the fault handler only, so
	 * that a later zap of the address_space cannot race with mmap.
	 */
	secbuf_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
				 VM_DONTDUMP);
	vma->vm_ops = &secbuf_vm_ops;
	vma->vm_private_data = buffer;
	return 0;
}

static void *secbuf_vmap_pages(struct secbuf_buffer *buffer)
{
	unsigned long i, nr_pages = buffer->range.size >> PAGE_SHIFT;
	struct page **pages;
	void *vaddr;

	/* Contiguous lowmem already has a kernel mapping. */
	if (!PageHighMem(buffer->range.page))
		return page_address(buffer->range.page);

	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	for (i = 0; i < nr_pages; i++)
		pages[i] = buffer->range.page + i;
	vaddr = vmap(pages, nr_pages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	return vaddr;
}

static int secbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct secbuf_buffer *buffer = dmabuf->priv;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (!buffer->vmap_count) {
		buffer->vaddr = secbuf_vmap_pages(buffer);
		if (!buffer->vaddr) {
			ret = -ENOMEM;
			goto unlock;
		}
	}
	buffer->vmap_count++;
	iosys_map_set_vaddr(map, buffer->vaddr);
unlock:
	mutex_unlock(&buffer->lock);
	return ret;
}

static void secbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct secbuf_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	if (!--buffer->vmap_count) {
		if (PageHighMem(buffer->range.page))
			vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

static void secbuf_buffer_free(struct secbuf_buffer *buffer)
{
	struct secbuf_file *owner = buffer->owner;

	secbuf_pool_free(buffer->pool, &buffer->range);
	secbuf_pool_uncharge(owner, buffer->range.size);
	secbuf_file_put(owner);
	mutex_destroy(&buffer->lock);
	kfree(buffer);
}

static void secbuf_release(struct dma_buf *dmabuf)
{
	struct secbuf_buffer *buffer = dmabuf->priv;

	WARN_ON(!list_empty(&buffer->attachments));
	WARN_ON(buffer->vmap_count);
	secbuf_buffer_free(buffer);
}

static const struct dma_buf_ops secbuf_dma_buf_ops = {
	.attach = secbuf_attach,
	.detach = secbuf_detach,
	.map_dma_buf = secbuf_map_dma_buf,
	.unmap_dma_buf = secbuf_unmap_dma_buf,
	.begin_cpu_access = secbuf_begin_cpu_access,
	.end_cpu_access = secbuf_end_cpu_access,
	.mmap = secbuf_mmap,
	.vmap = secbuf_vmap,
	.vunmap = secbuf_vunmap,
	.release = secbuf_release,
};

/*
 * Zero a range page by page so that a process killed while zeroing a large
 * buffer stops at once instead of finishing the work.
 */
static int secbuf_range_zero(struct secbuf_range *range)
{
	unsigned long i, nr_pages = range->size >> PAGE_SHIFT;

	for (i = 0; i < nr_pages; i++) {
		clear_highpage(range->page + i);
		if (!((i + 1) % SECBUF_ZERO_BATCH)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/**
 * secbuf_buffer_create() - allocate, zero and export a buffer
 * @sfile: the pool file that will own the buffer
 * @size: requested size in bytes, not yet validated
 * @fd_flags: %O_ACCMODE bits for the dma-buf file (validated by the caller)
 * @id: set to the buffer id on success
 *
 * On success the caller owns the only reference to the returned dma-buf:
 * it either installs it in a file descriptor or drops it with dma_buf_put(),
 * which frees the buffer.
 *
 * Context: Process context. Takes &secbuf_pool.lock; may sleep in CMA.
 * Return: the dma-buf, or an ERR_PTR(): -EINVAL for a zero size, -EFBIG for
 * a size larger than the pool's limit, -EDQUOT when a per-file limit is
 * reached, -ENOMEM when the pool has no room, -EINTR when a fatal signal
 * interrupted zeroing.
 */
struct dma_buf *secbuf_buffer_create(struct secbuf_file *sfile, u64 size,
				     u32 fd_flags, u64 *id)
{
	struct secbuf_pool *pool = sfile->pool;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct secbuf_buffer *buffer;
	struct dma_buf *dmabuf;
	size_t len;
	int ret;

	if (!size)
		return ERR_PTR(-EINVAL);
	if (size > secbuf_pool_max_buffer(pool))
		return ERR_PTR(-EFBIG);
	len = PAGE_ALIGN(size);

	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL);
	if (!buffer)
		return ERR_PTR(-ENOMEM);
	buffer->pool = pool;
	mutex_init(&buffer->lock);
	INIT_LIST_HEAD(&buffer->attachments);

	ret = secbuf_pool_charge(sfile, len);
	if (ret)
		goto free_buffer;
	kref_get(&sfile->ref);
	buffer->owner = sfile;

	ret = secbuf_pool_alloc(pool, len, &buffer->range);
	if (ret)
		goto uncharge;

	/* No byte of a previous owner may ever be seen by the next one. */
	ret = secbuf_range_zero(&buffer->range);
	if (ret)
		goto free_range;

	mutex_lock(&pool->lock);
	buffer->id = pool->next_id++;
	mutex_unlock(&pool->lock);

	exp_info.ops = &secbuf_dma_buf_ops;
	exp_info.size = len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto free_range;
	}
	/* From here on, secbuf_release() frees the buffer. */
	buffer->dmabuf = dmabuf;
	*id = buffer->id;
	return dmabuf;

free_range:
	secbuf_pool_free(pool, &buffer->range);
uncharge:
	secbuf_pool_uncharge(sfile, len);
	secbuf_file_put(sfile);
free_buffer:
	mutex_destroy(&buffer->lock);
	kfree(buffer);
	return ERR_PTR(ret);
}
