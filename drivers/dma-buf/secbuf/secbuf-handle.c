// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf handles: the dma-bufs of a buffer, the owner's and its grants.
 *
 * Every handle is its own dma-buf, with its own file and address_space, so
 * that the mappings of one grant can be zapped without touching any other
 * client. All handles of a buffer share its reservation object.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <linux/secbuf.h>

#include "compat.h"
#include "secbuf.h"

/**
 * struct secbuf_mapping - one DMA mapping of an attachment
 * @sgt: a single-entry table describing the whole buffer, mapped for the
 *	attachment's device
 * @dir: the direction @sgt is mapped for
 * @node: entry in &secbuf_attachment.mappings
 */
struct secbuf_mapping {
	struct sg_table sgt;
	enum dma_data_direction dir;
	struct list_head node;
};

/**
 * struct secbuf_attachment - one device attached through a handle
 * @dev: the importing device
 * @mappings: its DMA mappings (&struct secbuf_mapping): CPU access needs
 *	cache maintenance for each. One on 6.1 and 6.12, where the core
 *	maps an attachment once; 7.x maps a static importer's attachment on
 *	every dma_buf_map_attachment() and may hold several at once.
 * @node: entry in &secbuf_handle.attachments
 * @revocable: the importer unmaps in bounded time when told to let go
 *	(secbuf_attach_revocable()): a revocation waits for its unmaps,
 *	unless it pinned the attachment itself
 * @nr_maps: length of @mappings
 * @pinned: pin count
 */
struct secbuf_attachment {
	struct device *dev;
	struct list_head mappings;
	struct list_head node;
	bool revocable;
	unsigned int nr_maps;
	unsigned int pinned;
};

/*
 * Mappings of @a a revocation waits for: those of an importer that can be
 * cut off and did not pin the attachment itself (a pin says it keeps its
 * mappings when told). Before 7.x, without CONFIG_DMABUF_MOVE_NOTIFY, the
 * core pins every mapping of a dynamic attachment on its own, one pin per
 * mapping: only pins beyond those are the importer's.
 */
static unsigned int secbuf_revocable_maps(struct secbuf_attachment *a)
{
	unsigned int core_pins = SECBUF_CORE_PINS_DYNAMIC_MAPS ? a->nr_maps : 0;

	if (!a->revocable || a->pinned > core_pins)
		return 0;
	return a->nr_maps;
}

/*
 * After a change of @a's mappings or pins: account it (@before is what
 * secbuf_revocable_maps() gave before) and wake a revocation waiting for
 * the last such mapping. The caller holds &secbuf_buffer.lock.
 */
static void secbuf_revocable_update(struct secbuf_buffer *buffer,
				    struct secbuf_attachment *a,
				    unsigned int before)
{
	lockdep_assert_held(&buffer->lock);
	buffer->nr_revocable_mapped += secbuf_revocable_maps(a);
	buffer->nr_revocable_mapped -= before;
	if (!buffer->nr_revocable_mapped)
		wake_up_all(&buffer->unmapped);
}

/**
 * secbuf_handle_shares_resv() - does the handle use the buffer's fences?
 * @handle: the handle
 *
 * Context: Any context.
 * Return: true for the owner's handle and grants with DMA and WRITE, whose
 * dma-buf uses &secbuf_buffer.resv; false for other grants, whose dma-buf
 * has a reservation object of its own.
 */
bool secbuf_handle_shares_resv(struct secbuf_handle *handle)
{
	return handle->dmabuf->resv == &handle->buffer->resv;
}

/* Revoked buffer or revoked grant; the caller holds map_lock or lock. */
static bool secbuf_handle_revoked(struct secbuf_handle *handle)
{
	return handle->revoked || handle->buffer->revoked;
}

/* Only the bound process, if any, may map or attach the handle. */
static bool secbuf_handle_allowed(struct secbuf_handle *handle)
{
	return !handle->pid || handle->pid == task_tgid(current);
}

/*
 * Wait for the fences a CPU access of this kind must not overtake: a DMA
 * window, or an importer's fences. The lock the fault holds is dropped
 * first when the fault may be retried, so nothing else in the process
 * waits with us; the access then faults again and sees the new state.
 */
static vm_fault_t secbuf_vm_fault_wait(struct vm_fault *vmf,
				       struct secbuf_buffer *buffer, bool write)
{
	enum dma_resv_usage usage = dma_resv_usage_rw(write);
	struct file *file;

	/*
	 * A fault that cannot be retried (fixup_user_fault(), which futex
	 * and other kernel paths use) would sleep with mmap_lock held and
	 * stall every thread of the process that needs it, for as long as
	 * the fence lasts. It fails instead: its caller gets -EFAULT, and a
	 * user access faults again, retryably.
	 */
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	/*
	 * The kernel's own access to user memory (copy_to_user() and the
	 * like) is retried until it succeeds or a fatal signal comes: with
	 * another signal pending, the interruptible wait below would return
	 * at once, again and again. It fails instead, with -EFAULT.
	 */
	if (!(vmf->flags & FAULT_FLAG_USER) && signal_pending(current))
		return VM_FAULT_SIGBUS;

	/*
	 * Once the lock is dropped, the VMA may go, and with it the last
	 * reference to the dma-buf and to this module: the file keeps both
	 * (and the buffer) until the wait is over.
	 */
	file = get_file(vmf->vma->vm_file);
	secbuf_release_fault_lock(vmf);
	dma_resv_wait_timeout(&buffer->resv, usage, true, MAX_SCHEDULE_TIMEOUT);
	fput(file);
	return VM_FAULT_RETRY;
}

/* Pages one fault maps: the aligned 2 MiB around the faulting page. */
#define SECBUF_FAULT_AROUND	(SECBUF_CHUNK_SIZE >> PAGE_SHIFT)

enum secbuf_fault_verdict {
	SECBUF_FAULT_MAP,
	SECBUF_FAULT_SIGBUS,
	SECBUF_FAULT_WAIT,
};

/* What a CPU access may do now. The caller holds map_lock. */
static enum secbuf_fault_verdict secbuf_fault_verdict(struct secbuf_handle *handle,
						      bool write)
{
	struct secbuf_buffer *buffer = handle->buffer;

	if (secbuf_handle_revoked(handle) ||
	    (write && (buffer->seals & SECBUF_SEAL_WRITE)) ||
	    secbuf_window_policy(buffer) == SECBUF_DMA_STRICT)
		return SECBUF_FAULT_SIGBUS;
	if (!dma_resv_test_signaled(&buffer->resv, dma_resv_usage_rw(write)))
		return SECBUF_FAULT_WAIT;
	return SECBUF_FAULT_MAP;
}

/*
 * Map the faulting page, then the rest of its aligned 2 MiB that the VMA
 * and the buffer cover, so that a sequential walk takes one fault per
 * 2 MiB instead of one per page. Entries already present stay as they
 * are. A read maps with the VMA's protection, which is read-only for a
 * writable shared mapping (write-notify, see secbuf_vm_pfn_mkwrite()); a
 * write, already checked against the seals, maps writable at once.
 */
static vm_fault_t secbuf_vm_map_around(struct vm_fault *vmf,
				       struct secbuf_buffer *buffer, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long pfn = page_to_pfn(buffer->range.page);
	unsigned long first, last, pgoff;
	pgprot_t prot = vma->vm_page_prot;
	vm_fault_t ret;

	if (write)
		prot = vm_get_page_prot(vma->vm_flags);
	ret = vmf_insert_pfn_prot(vma, vmf->address, pfn + vmf->pgoff, prot);
	if (ret != VM_FAULT_NOPAGE)
		return ret;

	first = max(round_down(vmf->pgoff, SECBUF_FAULT_AROUND),
		    vma->vm_pgoff);
	last = min3(round_down(vmf->pgoff, SECBUF_FAULT_AROUND) +
		    SECBUF_FAULT_AROUND, vma->vm_pgoff + vma_pages(vma),
		    (unsigned long)(buffer->size >> PAGE_SHIFT));
	for (pgoff = first; pgoff < last; pgoff++) {
		unsigned long addr = vma->vm_start +
				     ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);

		if (pgoff == vmf->pgoff)
			continue;
		if (vmf_insert_pfn_prot(vma, addr, pfn + pgoff, prot) &
		    VM_FAULT_ERROR)
			break;
	}
	return VM_FAULT_NOPAGE;
}

static vm_fault_t secbuf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct secbuf_handle *handle = vma->vm_private_data;
	struct secbuf_buffer *buffer = handle->buffer;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	enum secbuf_fault_verdict verdict;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (vmf->pgoff >= buffer->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;

	down_read(&buffer->map_lock);
	verdict = secbuf_fault_verdict(handle, write);
	if (verdict == SECBUF_FAULT_MAP)
		ret = secbuf_vm_map_around(vmf, buffer, write);
	up_read(&buffer->map_lock);

	if (verdict == SECBUF_FAULT_WAIT)
		ret = secbuf_vm_fault_wait(vmf, buffer, write);
	return ret;
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
/*
 * One PMD per 2 MiB where the VMA and the buffer line up (6.12 and later;
 * libsecbuf aligns large mappings). Anything else falls back to
 * secbuf_vm_fault(), which also does the waiting.
 */
static vm_fault_t secbuf_vm_huge_fault(struct vm_fault *vmf,
				       unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct secbuf_handle *handle = vma->vm_private_data;
	struct secbuf_buffer *buffer = handle->buffer;
	unsigned long addr = vmf->address & PMD_MASK;
	unsigned long pgoff = vma->vm_pgoff +
			      ((addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long pfn = page_to_pfn(buffer->range.page) + pgoff;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	vm_fault_t ret;

	if (order != PMD_ORDER || addr < vma->vm_start ||
	    addr + PMD_SIZE > vma->vm_end ||
	    pgoff + (1UL << PMD_ORDER) > buffer->size >> PAGE_SHIFT ||
	    !IS_ALIGNED(pfn, 1UL << PMD_ORDER))
		return VM_FAULT_FALLBACK;

	down_read(&buffer->map_lock);
	switch (secbuf_fault_verdict(handle, write)) {
	case SECBUF_FAULT_MAP:
		ret = secbuf_insert_pfn_pmd(vmf, pfn, write);
		break;
	case SECBUF_FAULT_SIGBUS:
		ret = VM_FAULT_SIGBUS;
		break;
	default:
		ret = VM_FAULT_FALLBACK;
		break;
	}
	up_read(&buffer->map_lock);
	return ret;
}
#endif

/*
 * The first write through a read-only PTE of a writable mapping: the PTE
 * was mapped for a read, which waits for fewer fences than a write (an
 * importer's read fence, say). A write that must wait takes the PTE away
 * and faults again into secbuf_vm_fault(), which waits with the fault
 * retry protocol; pfn_mkwrite itself cannot drop the fault's lock.
 */
static vm_fault_t secbuf_vm_pfn_mkwrite(struct vm_fault *vmf)
{
	struct secbuf_handle *handle = vmf->vma->vm_private_data;
	struct secbuf_buffer *buffer = handle->buffer;
	enum secbuf_fault_verdict verdict;

	down_read(&buffer->map_lock);
	verdict = secbuf_fault_verdict(handle, true);
	up_read(&buffer->map_lock);

	switch (verdict) {
	case SECBUF_FAULT_MAP:
		return 0;
	case SECBUF_FAULT_SIGBUS:
		return VM_FAULT_SIGBUS;
	default:
		secbuf_zap_vma_range(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
		return VM_FAULT_NOPAGE;
	}
}

static void secbuf_vm_open(struct vm_area_struct *vma)
{
	struct secbuf_handle *handle = vma->vm_private_data;

	atomic_inc(&handle->nr_mappings);
}

static void secbuf_vm_close(struct vm_area_struct *vma)
{
	struct secbuf_handle *handle = vma->vm_private_data;

	atomic_dec(&handle->nr_mappings);
}

static const struct vm_operations_struct secbuf_vm_ops = {
	.open = secbuf_vm_open,
	.close = secbuf_vm_close,
	.fault = secbuf_vm_fault,
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	.huge_fault = secbuf_vm_huge_fault,
#endif
	.pfn_mkwrite = secbuf_vm_pfn_mkwrite,
};

static int secbuf_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct secbuf_attachment *a;
	int ret;

	if (!(handle->rights & SECBUF_GRANT_DMA) ||
	    !secbuf_handle_allowed(handle))
		return -EACCES;
	/*
	 * A dynamic importer must be told when access ends, under the
	 * reservation lock of the dma-buf it imported. A handle without
	 * WRITE has one of its own, which revocation does not take: such a
	 * handle has no dynamic importers. (6.1 and 6.12 refuse them anyway:
	 * they map bidirectionally at attach.)
	 */
	if (attach->importer_ops && !(handle->rights & SECBUF_GRANT_WRITE))
		return -EACCES;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->dev = attach->dev;
	a->revocable = secbuf_attach_revocable(attach);
	INIT_LIST_HEAD(&a->mappings);
	INIT_LIST_HEAD(&a->node);

	down_read(&buffer->map_lock);
	if (secbuf_handle_revoked(handle)) {
		ret = -ENODEV;
		goto unlock;
	}
	mutex_lock(&buffer->lock);
	list_add(&a->node, &handle->attachments);
	handle->nr_attachments++;
	buffer->nr_attachments++;
	mutex_unlock(&buffer->lock);
	up_read(&buffer->map_lock);

	attach->priv = a;
	return 0;

unlock:
	up_read(&buffer->map_lock);
	kfree(a);
	return ret;
}

/* Take @m off @a's mappings, with the counts; the caller unmaps it. */
static void secbuf_mapping_remove(struct secbuf_buffer *buffer,
				  struct secbuf_attachment *a,
				  struct secbuf_mapping *m)
{
	unsigned int before;

	mutex_lock(&buffer->lock);
	list_del(&m->node);
	buffer->nr_mapped--;
	before = secbuf_revocable_maps(a);
	a->nr_maps--;
	secbuf_revocable_update(buffer, a, before);
	mutex_unlock(&buffer->lock);
}

static void secbuf_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct secbuf_attachment *a = attach->priv;

	/* The core unmaps before it detaches: an importer's bug otherwise. */
	while (!list_empty(&a->mappings)) {
		struct secbuf_mapping *m;

		WARN_ON_ONCE(1);
		m = list_first_entry(&a->mappings, struct secbuf_mapping, node);
		secbuf_mapping_remove(buffer, a, m);
		dma_unmap_sgtable(a->dev, &m->sgt, m->dir, 0);
		sg_free_table(&m->sgt);
		kfree(m);
	}

	mutex_lock(&buffer->lock);
	list_del(&a->node);
	handle->nr_attachments--;
	buffer->nr_attachments--;
	mutex_unlock(&buffer->lock);

	kfree(a);

	/* The last device of a revoked buffer lets the memory go. */
	secbuf_buffer_release_memory(buffer);
}

static struct sg_table *secbuf_map_dma_buf(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir)
{
	struct secbuf_handle *handle = attach->dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct secbuf_attachment *a = attach->priv;
	struct secbuf_mapping *m;
	int ret;
	unsigned int before;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(&m->sgt, 1, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto free_mapping;
	sg_set_page(m->sgt.sgl, buffer->range.page, buffer->size, 0);
	m->dir = dir;

	down_read(&buffer->map_lock);
	if (secbuf_handle_revoked(handle)) {
		ret = -ENODEV;
		goto unlock;
	}
	/* Rights bind devices as they bind CPUs: writing needs WRITE. */
	if (!(handle->rights & SECBUF_GRANT_WRITE) && dir != DMA_TO_DEVICE) {
		ret = -EACCES;
		goto unlock;
	}
	/* A write-sealed buffer is only ever read by devices. */
	if ((buffer->seals & SECBUF_SEAL_WRITE) && dir != DMA_TO_DEVICE) {
		ret = -EPERM;
		goto unlock;
	}
	/*
	 * Every map gets a table of its own: 7.x maps a static importer's
	 * attachment on each dma_buf_map_attachment() and may hold several
	 * mappings of it at once; 6.1 maps one without the reservation lock.
	 */
	ret = dma_map_sgtable(attach->dev, &m->sgt, dir, 0);
	if (ret)
		goto unlock;
	mutex_lock(&buffer->lock);
	list_add(&m->node, &a->mappings);
	buffer->nr_mapped++;
	before = secbuf_revocable_maps(a);
	a->nr_maps++;
	secbuf_revocable_update(buffer, a, before);
	mutex_unlock(&buffer->lock);
	up_read(&buffer->map_lock);
	return &m->sgt;

unlock:
	up_read(&buffer->map_lock);
	sg_free_table(&m->sgt);
free_mapping:
	kfree(m);
	return ERR_PTR(ret);
}

static void secbuf_unmap_dma_buf(struct dma_buf_attachment *attach,
				 struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	struct secbuf_handle *handle = attach->dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct secbuf_attachment *a = attach->priv;
	struct secbuf_mapping *m = container_of(sgt, struct secbuf_mapping,
						sgt);

	/* Off the list first: cache maintenance must not sync it unmapped. */
	secbuf_mapping_remove(buffer, a, m);
	dma_unmap_sgtable(attach->dev, sgt, m->dir, 0);
	sg_free_table(&m->sgt);
	kfree(m);

	/*
	 * An importer told to let go unmaps; once no device mapping of a
	 * revoked buffer is left, the memory can go.
	 */
	secbuf_buffer_release_memory(buffer);
}

static int secbuf_pin(struct dma_buf_attachment *attach)
{
	struct secbuf_handle *handle = attach->dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct secbuf_attachment *a = attach->priv;
	int ret = 0;
	unsigned int before;

	/*
	 * The memory never moves, so pinning only means the importer cannot
	 * let go when told to: a revocation then quarantines the memory until
	 * it unmaps. 6.1 and 6.12 pin a static importer's attachment from
	 * attach to detach, 7.x around each of its mappings.
	 */
	down_read(&buffer->map_lock);
	if (secbuf_handle_revoked(handle)) {
		ret = -ENODEV;
	} else {
		mutex_lock(&buffer->lock);
		before = secbuf_revocable_maps(a);
		a->pinned++;
		secbuf_revocable_update(buffer, a, before);
		mutex_unlock(&buffer->lock);
	}
	up_read(&buffer->map_lock);
	return ret;
}

static void secbuf_unpin(struct dma_buf_attachment *attach)
{
	struct secbuf_handle *handle = attach->dmabuf->priv;
	struct secbuf_attachment *a = attach->priv;
	unsigned int before;

	mutex_lock(&handle->buffer->lock);
	before = secbuf_revocable_maps(a);
	a->pinned--;
	secbuf_revocable_update(handle->buffer, a, before);
	mutex_unlock(&handle->buffer->lock);
}

/**
 * secbuf_handle_has_dev_writers() - may a device write the buffer?
 * @buffer: the buffer
 *
 * Context: The caller holds &secbuf_buffer.lock.
 * Return: true if an attachment of any handle is mapped for a direction
 * that lets the device write.
 */
bool secbuf_handle_has_dev_writers(struct secbuf_buffer *buffer)
{
	struct secbuf_attachment *a;
	struct secbuf_mapping *m;
	struct secbuf_handle *h;

	lockdep_assert_held(&buffer->lock);
	list_for_each_entry(h, &buffer->handles, link)
		list_for_each_entry(a, &h->attachments, node)
			list_for_each_entry(m, &a->mappings, node)
				if (m->dir != DMA_TO_DEVICE)
					return true;
	return false;
}

/*
 * Cache maintenance for every device that has the buffer mapped, in the
 * direction each mapping was made for, as the DMA API wants: the CPU
 * access's direction, which any holder chooses, must not decide what is
 * invalidated (a mapping for DMA_TO_DEVICE needs nothing for the CPU).
 * Maintenance for another holder's device can destroy data (invalidating
 * drops dirty CPU lines; a bounce buffer is copied over), so a handle
 * without WRITE, which may not change the buffer, syncs only its own
 * attachments: @only, NULL for every handle's.
 */
static void secbuf_sync_attachments(struct secbuf_buffer *buffer,
				    struct secbuf_handle *only, bool for_cpu)
{
	struct secbuf_attachment *a;
	struct secbuf_mapping *m;
	struct secbuf_handle *h;

	lockdep_assert_held(&buffer->lock);

	list_for_each_entry(h, &buffer->handles, link) {
		if (only && h != only)
			continue;
		list_for_each_entry(a, &h->attachments, node) {
			list_for_each_entry(m, &a->mappings, node) {
				if (for_cpu)
					dma_sync_sgtable_for_cpu(a->dev,
								 &m->sgt,
								 m->dir);
				else
					dma_sync_sgtable_for_device(a->dev,
								    &m->sgt,
								    m->dir);
			}
		}
	}
}

/* The handle whose attachments alone @handle may sync, or NULL for all. */
static struct secbuf_handle *secbuf_sync_scope(struct secbuf_handle *handle)
{
	return handle->rights & SECBUF_GRANT_WRITE ? NULL : handle;
}

static int secbuf_begin_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	bool write = dir != DMA_FROM_DEVICE;
	long ret;

	/*
	 * Fast path: nothing to maintain without a device or kernel mapping,
	 * so no lock and no wait of our own: the core waits for the fences
	 * (a DMA window's, an importer's) right after this returns. A mapping
	 * made concurrently is as unordered with this call as it would be a
	 * moment later. A handle with a reservation object of its own must
	 * wait for the buffer's here: the core waits only for its own.
	 */
	if (secbuf_handle_shares_resv(handle) &&
	    !READ_ONCE(buffer->nr_mapped) && !READ_ONCE(buffer->vmap_count))
		return READ_ONCE(handle->revoked) || READ_ONCE(buffer->revoked) ?
		       -ENODEV : 0;

	/*
	 * Cache maintenance must come after the devices are done: a CPU
	 * reader waits for the devices writing the buffer, a CPU writer for
	 * every device using it. The core's wait after us is then cheap.
	 */
	ret = dma_resv_wait_timeout(&buffer->resv, dma_resv_usage_rw(write),
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;

	mutex_lock(&buffer->lock);
	if (secbuf_handle_revoked(handle)) {
		ret = -ENODEV;
		goto unlock;
	}
	if (buffer->vmap_count && !secbuf_sync_scope(handle))
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->size);
	secbuf_sync_attachments(buffer, secbuf_sync_scope(handle), true);
	ret = 0;
unlock:
	mutex_unlock(&buffer->lock);
	return ret;
}

static int secbuf_end_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;

	if (!READ_ONCE(buffer->nr_mapped) && !READ_ONCE(buffer->vmap_count))
		return 0;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_count && !secbuf_sync_scope(handle))
		flush_kernel_vmap_range(buffer->vaddr, buffer->size);
	secbuf_sync_attachments(buffer, secbuf_sync_scope(handle), false);
	mutex_unlock(&buffer->lock);
	return 0;
}

static int secbuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	unsigned long nr_pages = buffer->size >> PAGE_SHIFT;
	bool sealed;
	int ret = 0;

	/* A private copy would outlive any control the owner has. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= nr_pages ||
	    vma_pages(vma) > nr_pages - vma->vm_pgoff)
		return -EINVAL;
	if (!(handle->rights & SECBUF_GRANT_READ))
		return -EACCES;
	if ((vma->vm_flags & VM_WRITE) &&
	    !(handle->rights & SECBUF_GRANT_WRITE))
		return -EACCES;
	if (!secbuf_handle_allowed(handle))
		return -EACCES;

	down_read(&buffer->map_lock);
	if (secbuf_handle_revoked(handle))
		ret = -ENODEV;
	else if ((vma->vm_flags & VM_WRITE) &&
		 (buffer->seals & SECBUF_SEAL_WRITE))
		ret = -EPERM;
	else
		atomic_inc(&handle->nr_mappings);
	sealed = buffer->seals & SECBUF_SEAL_WRITE;
	up_read(&buffer->map_lock);
	if (ret)
		return ret;

	/*
	 * The flags are set after map_lock is dropped: vm_flags_set() takes
	 * the VMA's own lock (6.4 and later), which a fault holds while it
	 * takes map_lock. A revocation or a write seal that lands in between
	 * is enforced by the fault handlers, which decide under map_lock.
	 *
	 * No PTE is set up here: pages go in from the fault handler only, so
	 * that a later zap of the address_space cannot race with mmap. The
	 * flags also keep get_user_pages() away, so nothing can pin the
	 * pages past a revocation.
	 */
	secbuf_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
				 VM_DONTDUMP);
	if (!(handle->rights & SECBUF_GRANT_WRITE) || sealed)
		secbuf_vm_flags_clear(vma, VM_MAYWRITE);
	/* A bound grant's mapping stays in the bound process. */
	if (handle->pid)
		secbuf_vm_flags_set(vma, VM_DONTCOPY);
	vma->vm_ops = &secbuf_vm_ops;
	vma->vm_private_data = handle;
	return 0;
}

static void *secbuf_vmap_pages(struct secbuf_buffer *buffer)
{
	unsigned long i, nr_pages = buffer->size >> PAGE_SHIFT;
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

/*
 * A kernel mapping that does not reach the buffer's memory, charged to the
 * caller's memory cgroup: a snapshot of the buffer (@snapshot), or one
 * zeroed scratch page mapped over the whole size, so that a mapping of a
 * large buffer costs a page, not its size. Writes to either never reach
 * the buffer (what a device writes to the scratch page may be read back).
 * A snapshot that cannot be allocated falls back to the scratch page:
 * dma_buf_vmap() WARNs when the op fails. *@scratch is set to the scratch
 * page, or NULL for a snapshot.
 */
static void *secbuf_vmap_private(struct secbuf_buffer *buffer, bool snapshot,
				 struct page **scratch)
{
	unsigned long i, nr_pages = buffer->size >> PAGE_SHIFT;
	struct page **pages, *page;
	void *vaddr;

	*scratch = NULL;
	if (snapshot) {
		vaddr = __vmalloc(buffer->size, GFP_KERNEL_ACCOUNT |
				  __GFP_NOWARN);
		if (vaddr) {
			for (i = 0; i < nr_pages; i++)
				memcpy_from_page(vaddr + i * PAGE_SIZE,
						 buffer->range.page + i, 0,
						 PAGE_SIZE);
			return vaddr;
		}
	}

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return NULL;
	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		goto free_page;
	for (i = 0; i < nr_pages; i++)
		pages[i] = page;
	vaddr = vmap(pages, nr_pages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr)
		goto free_page;
	*scratch = page;
	return vaddr;

free_page:
	__free_page(page);
	return NULL;
}

static int secbuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;
	struct page *scratch;
	bool denied;
	void *vaddr;
	int ret = 0;

	/*
	 * dma_buf_vmap() WARNs when this op fails, on 6.1 and 6.12 alike, so
	 * refusing would let any user who can queue a buffer on a vb2-vmalloc
	 * device trigger a WARN. A kernel mapping is device access, as an
	 * attachment is: a handle that could not attach (no
	 * %SECBUF_GRANT_DMA, or bound to another process) or that is revoked
	 * gets a private zeroed mapping, and a handle without
	 * %SECBUF_GRANT_WRITE or a write-sealed buffer a private snapshot.
	 * Either leaves the real memory untouched: a kernel mapping has no
	 * direction, so a read-only one cannot be the real memory.
	 */
	denied = !(handle->rights & SECBUF_GRANT_DMA) ||
		 !secbuf_handle_allowed(handle);
	down_read(&buffer->map_lock);
	if (denied || secbuf_handle_revoked(handle) ||
	    !(handle->rights & SECBUF_GRANT_WRITE) ||
	    (buffer->seals & SECBUF_SEAL_WRITE)) {
		vaddr = secbuf_vmap_private(buffer, !denied &&
					    !secbuf_handle_revoked(handle),
					    &scratch);
		if (!vaddr) {
			ret = -ENOMEM;
			goto unlock_map;
		}
		/* The core maps a dma-buf once: one private mapping each. */
		mutex_lock(&buffer->lock);
		handle->vmap_private = vaddr;
		handle->vmap_scratch = scratch;
		mutex_unlock(&buffer->lock);
		iosys_map_set_vaddr(map, vaddr);
		goto unlock_map;
	}
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
unlock_map:
	up_read(&buffer->map_lock);
	return ret;
}

static void secbuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;

	mutex_lock(&buffer->lock);
	if (map->vaddr == handle->vmap_private) {
		/* A private mapping from secbuf_vmap_private(). */
		struct page *scratch = handle->vmap_scratch;

		handle->vmap_private = NULL;
		handle->vmap_scratch = NULL;
		mutex_unlock(&buffer->lock);
		if (scratch) {
			vunmap(map->vaddr);
			__free_page(scratch);
		} else {
			vfree(map->vaddr);
		}
		iosys_map_clear(map);
		return;
	}
	if (!--buffer->vmap_count) {
		if (PageHighMem(buffer->range.page))
			vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);

	secbuf_buffer_release_memory(buffer);
}

static void secbuf_release(struct dma_buf *dmabuf)
{
	struct secbuf_handle *handle = dmabuf->priv;
	struct secbuf_buffer *buffer = handle->buffer;

	WARN_ON(!list_empty(&handle->attachments));

	/* Revocation walks the handles under the reservation lock. */
	dma_resv_lock(&buffer->resv, NULL);
	mutex_lock(&buffer->lock);
	list_del(&handle->link);
	/* The grant's id lives on while a grant derived from it does. */
	secbuf_grant_node_release(buffer, handle);
	mutex_unlock(&buffer->lock);
	dma_resv_unlock(&buffer->resv);

	/* Off the list, nothing zaps the address_space any more. */
	iput(handle->mapping->host);
	put_pid(handle->pid);
	kfree(handle);
	secbuf_buffer_put(buffer);
}

/* A handle with %SECBUF_GRANT_WRITE: a dynamic exporter's dma-buf. */
static const struct dma_buf_ops secbuf_dma_buf_ops = {
	.attach = secbuf_attach,
	.detach = secbuf_detach,
	.map_dma_buf = secbuf_map_dma_buf,
	.unmap_dma_buf = secbuf_unmap_dma_buf,
	.pin = secbuf_pin,
	.unpin = secbuf_unpin,
	.begin_cpu_access = secbuf_begin_cpu_access,
	.end_cpu_access = secbuf_end_cpu_access,
	.mmap = secbuf_mmap,
	.vmap = secbuf_vmap,
	.vunmap = secbuf_vunmap,
	.release = secbuf_release,
};

/*
 * A handle without %SECBUF_GRANT_WRITE, whose devices may only read: no
 * pin, so the core does not map a static importer bidirectionally at
 * attach (as 6.1 and 6.12 do for a dynamic exporter), and each importer's
 * map asks for the direction it needs, which map_dma_buf refuses unless
 * it is %DMA_TO_DEVICE. An importer that maps bidirectionally (DRM PRIME;
 * a dynamic importer, which 6.1 and 6.12 map at attach when the exporter
 * is not dynamic) is refused there.
 */
static const struct dma_buf_ops secbuf_dma_buf_ops_readonly = {
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

/**
 * secbuf_handle_export() - export a new handle (dma-buf) of a buffer
 * @buffer: the buffer; the new handle takes its own reference
 * @parent: the grant the new one is derived from, or NULL (the owner's
 *	handle, or a grant the owner makes from it); referenced by the caller
 * @rights: %SECBUF_GRANT_* rights of the handle
 * @pid: the process the handle is bound to, or NULL; the handle takes its
 *	own reference
 * @fd_flags: %O_ACCMODE bits for the dma-buf file
 *
 * The first handle of a buffer is the owner's (grant id 0), every later one
 * a grant. On success the caller owns the only reference to the dma-buf: it
 * installs it in a file descriptor or drops it with dma_buf_put().
 *
 * Context: Process context. Takes the buffer's reservation lock and
 * &secbuf_buffer.lock.
 * Return: the dma-buf, or an ERR_PTR(): -ENOMEM, -ENODEV if the buffer or
 * @parent was revoked meanwhile, -EPERM for a grant of a buffer sealed
 * meanwhile with %SECBUF_SEAL_GRANT.
 */
struct dma_buf *secbuf_handle_export(struct secbuf_buffer *buffer,
				     struct secbuf_handle *parent,
				     u32 rights, struct pid *pid,
				     u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct secbuf_handle *handle;
	struct dma_buf *dmabuf;
	bool owner;
	int ret = 0;

	handle = kzalloc(sizeof(*handle), GFP_KERNEL_ACCOUNT);
	if (!handle)
		return ERR_PTR(-ENOMEM);
	handle->buffer = buffer;
	handle->rights = rights;
	handle->pid = get_pid(pid);
	INIT_LIST_HEAD(&handle->link);
	INIT_LIST_HEAD(&handle->zap_node);
	INIT_LIST_HEAD(&handle->attachments);
	atomic_set(&handle->nr_mappings, 0);

	exp_info.ops = rights & SECBUF_GRANT_WRITE ?
		       &secbuf_dma_buf_ops : &secbuf_dma_buf_ops_readonly;
	exp_info.size = buffer->size;
	exp_info.flags = fd_flags;
	/*
	 * Fences on the buffer's reservation object make everyone wait, and
	 * any holder can add one (DMA_BUF_IOCTL_IMPORT_SYNC_FILE checks no
	 * rights). So only the owner's handle and grants whose devices may
	 * write (DMA and WRITE) share it; every other grant gets one of its
	 * own (the core's, embedded in its dma-buf), where what its holder
	 * adds makes only that holder wait. See secbuf_handle_shares_resv().
	 */
	mutex_lock(&buffer->lock);
	owner = list_empty(&buffer->handles);
	mutex_unlock(&buffer->lock);
	if (owner || ((rights & SECBUF_GRANT_DMA) &&
		      (rights & SECBUF_GRANT_WRITE)))
		exp_info.resv = &buffer->resv;
	exp_info.priv = handle;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		put_pid(handle->pid);
		kfree(handle);
		return dmabuf;
	}
	/*
	 * From here on, secbuf_release() frees the handle. The file's inode
	 * is put before secbuf_release() runs (the dentry's d_release), so
	 * the handle holds a reference of its own: a zap may reach the
	 * address_space until the handle leaves the buffer's list.
	 */
	handle->dmabuf = dmabuf;
	handle->mapping = dmabuf->file->f_mapping;
	ihold(handle->mapping->host);
	kref_get(&buffer->ref);

	/*
	 * Checked again under the lock that revocation and sealing set their
	 * state with: a handle is either on the list before a revocation
	 * walks it, or fails.
	 */
	dma_resv_lock(&buffer->resv, NULL);
	mutex_lock(&buffer->lock);
	if (buffer->revoked || (parent && parent->revoked))
		ret = -ENODEV;
	else if (!list_empty(&buffer->handles) &&
		 (buffer->seals & SECBUF_SEAL_GRANT))
		ret = -EPERM;
	/*
	 * A refused grant gets no id and stays off the list (GRANT_LIST
	 * never shows it); secbuf_release() copes with either.
	 */
	if (!ret && !list_empty(&buffer->handles)) {
		handle->grant_id = ++buffer->next_grant_id;
		ret = secbuf_grant_node_add(buffer, handle, parent);
	}
	if (!ret)
		list_add_tail(&handle->link, &buffer->handles);
	mutex_unlock(&buffer->lock);
	dma_resv_unlock(&buffer->resv);

	if (ret) {
		dma_buf_put(dmabuf);
		return ERR_PTR(ret);
	}
	return dmabuf;
}

/**
 * secbuf_handle_create() - allocate a buffer and export its owner's handle
 * @sfile: the pool file that will own the buffer
 * @size: requested size in bytes, not yet validated
 * @fd_flags: %O_ACCMODE bits for the dma-buf file (validated by the caller)
 * @id: set to the buffer id on success
 *
 * The owner's handle has every right, but %SECBUF_GRANT_WRITE only for an
 * %O_RDWR file.
 *
 * Context: Process context; may sleep in CMA.
 * Return: the dma-buf, with the reference owned by the caller as for
 * secbuf_handle_export(), or an ERR_PTR() as for secbuf_buffer_create().
 */
struct dma_buf *secbuf_handle_create(struct secbuf_file *sfile, u64 size,
				     u32 fd_flags, u64 *id)
{
	u32 rights = SECBUF_GRANT_VALID_RIGHTS;
	struct secbuf_buffer *buffer;
	struct dma_buf *dmabuf;

	if ((fd_flags & O_ACCMODE) != O_RDWR)
		rights &= ~SECBUF_GRANT_WRITE;

	buffer = secbuf_buffer_create(sfile, size);
	if (IS_ERR(buffer))
		return ERR_CAST(buffer);

	dmabuf = secbuf_handle_export(buffer, NULL, rights, NULL, fd_flags);
	if (!IS_ERR(dmabuf))
		*id = buffer->id;
	/* The handle holds the buffer now, or the buffer goes. */
	secbuf_buffer_put(buffer);
	return dmabuf;
}

/**
 * secbuf_handle_get() - look up the secbuf handle behind a file descriptor
 * @pool: the pool the handle must belong to
 * @fd: a file descriptor of the caller
 *
 * Context: Process context.
 * Return: the handle, referenced through its dma-buf (drop it with
 * secbuf_handle_put()), or an ERR_PTR(): -EBADF if @fd is not open, -EINVAL
 * if it is not a dma-buf, not a secbuf dma-buf, or one of another pool.
 */
struct secbuf_handle *secbuf_handle_get(struct secbuf_pool *pool, int fd)
{
	struct secbuf_handle *handle;
	struct dma_buf *dmabuf;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	if (dmabuf->ops != &secbuf_dma_buf_ops &&
	    dmabuf->ops != &secbuf_dma_buf_ops_readonly)
		goto foreign;
	handle = dmabuf->priv;
	if (handle->buffer->pool != pool)
		goto foreign;
	return handle;

foreign:
	dma_buf_put(dmabuf);
	return ERR_PTR(-EINVAL);
}

/**
 * secbuf_handle_put() - drop the reference secbuf_handle_get() took
 * @handle: the handle
 *
 * Context: Process context.
 */
void secbuf_handle_put(struct secbuf_handle *handle)
{
	dma_buf_put(handle->dmabuf);
}

/**
 * secbuf_handle_state() - the %SECBUF_STATE_* of a handle
 * @handle: the handle
 *
 * Context: Process context. Takes &secbuf_buffer.lock.
 * Return: %SECBUF_STATE_REVOKED if the buffer or this grant was revoked,
 * else %SECBUF_STATE_LIVE.
 */
unsigned int secbuf_handle_state(struct secbuf_handle *handle)
{
	unsigned int state;

	mutex_lock(&handle->buffer->lock);
	state = secbuf_handle_revoked(handle) ? SECBUF_STATE_REVOKED :
						SECBUF_STATE_LIVE;
	mutex_unlock(&handle->buffer->lock);
	return state;
}

/**
 * secbuf_handle_zap() - take away a handle's CPU and device mappings
 * @handle: the handle
 * @move_notify: also tell its dynamic importers to let go
 *
 * The caller has already changed the state the fault handler checks, so
 * what refaults sees it.
 *
 * Context: Process context. The caller holds the buffer's reservation
 * lock, which keeps @handle on the buffer's list, and no other secbuf
 * lock.
 */
void secbuf_handle_zap(struct secbuf_handle *handle, bool move_notify)
{
	dma_resv_assert_held(&handle->buffer->resv);
	/*
	 * A handle with a reservation object of its own lacks DMA or WRITE,
	 * so no dynamic importer is attached to it (attach refuses the first,
	 * map_dma_buf the bidirectional mapping the core makes for the other
	 * at attach): nobody to tell.
	 */
	if (move_notify && secbuf_handle_shares_resv(handle))
		secbuf_dma_buf_invalidate(handle->dmabuf);
	unmap_mapping_range(handle->mapping, 0, 0, 1);
}
