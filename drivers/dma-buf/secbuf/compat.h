/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel API differences between the kernels secbuf supports
 * (Debian's 6.1, 6.12 and 7.x lines). Nothing else in the driver tests a
 * version. Where a rename's exact release is not one secbuf runs on, the
 * threshold is the first line that has it (7.0: Debian's 7.2 and 7.3 do).
 */
#ifndef _SECBUF_COMPAT_H
#define _SECBUF_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/huge_mm.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>

/* vm_flags became read-only with accessors in 6.3. */
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
static inline void secbuf_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void secbuf_vm_flags_clear(struct vm_area_struct *vma,
					 unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#else
#define secbuf_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#define secbuf_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#endif

/* platform_driver.remove returns void from 6.11; before, use remove_new. */
#if KERNEL_VERSION(6, 11, 0) > LINUX_VERSION_CODE
#define SECBUF_PLATFORM_REMOVE	remove_new
#else
#define SECBUF_PLATFORM_REMOVE	remove
#endif

/* The namespace argument became a string literal in 6.13. */
#if KERNEL_VERSION(6, 13, 0) > LINUX_VERSION_CODE
#define SECBUF_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#else
#define SECBUF_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#endif

/*
 * The unbound system workqueue is system_dfl_wq from 6.17; from 7.2 work
 * queued on its old name, system_unbound_wq, makes the kernel warn.
 */
#if KERNEL_VERSION(6, 17, 0) > LINUX_VERSION_CODE
#define system_dfl_wq	system_unbound_wq
#endif

/*
 * Faults may run under the per-VMA lock on newer kernels; 6.1 has only
 * mmap_lock and no release_fault_lock().
 */
#if KERNEL_VERSION(6, 12, 0) > LINUX_VERSION_CODE
static inline void secbuf_release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#else
#define secbuf_release_fault_lock(vmf)	release_fault_lock(vmf)
#endif

/**
 * secbuf_pidfd_pid() - the pid a pidfd refers to
 * @file: any file
 *
 * pidfd_pid() and pidfd_get_pid() are not exported to modules, so a pidfd
 * is recognised by where its file lives: from 6.9 every file of the pidfs
 * pseudo filesystem is a pidfd, whose inode carries the pid; before, a
 * pidfd is the anonymous-inode file that pidfd_create() names "[pidfd]",
 * whose private data is the pid. No other kernel code makes either.
 *
 * Context: Any context; @file must be held by the caller.
 * Return: the pid, valid while @file is held, or ERR_PTR(-EINVAL) if @file
 * is not a pidfd.
 */
static inline struct pid *secbuf_pidfd_pid(struct file *file)
{
#if KERNEL_VERSION(6, 9, 0) > LINUX_VERSION_CODE
	struct dentry *dentry = file->f_path.dentry;

	if (dentry->d_sb->s_magic != ANON_INODE_FS_MAGIC ||
	    strcmp(dentry->d_name.name, "[pidfd]") || !file->private_data)
		return ERR_PTR(-EINVAL);
	return file->private_data;
#else
	struct inode *inode = file_inode(file);

	if (inode->i_sb->s_magic != PID_FS_MAGIC || S_ISDIR(inode->i_mode) ||
	    !inode->i_private)
		return ERR_PTR(-EINVAL);
	return inode->i_private;
#endif
}

/* pfn_t went away in 6.17: vmf_insert_pfn_pmd() takes a plain pfn. */
#if KERNEL_VERSION(6, 17, 0) > LINUX_VERSION_CODE
#include <linux/pfn_t.h>

static inline vm_fault_t secbuf_insert_pfn_pmd(struct vm_fault *vmf,
					       unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
}
#else
#define secbuf_insert_pfn_pmd(vmf, pfn, write) \
	vmf_insert_pfn_pmd(vmf, pfn, write)
#endif

/* zap_vma_ptes() became zap_special_vma_range(). */
#if KERNEL_VERSION(7, 0, 0) > LINUX_VERSION_CODE
#define secbuf_zap_vma_range(vma, addr, size)	zap_vma_ptes(vma, addr, size)
#else
#define secbuf_zap_vma_range(vma, addr, size) \
	zap_special_vma_range(vma, addr, size)
#endif

/*
 * dma_buf_move_notify() became dma_buf_invalidate_mappings(), and the
 * importer's move_notify (mandatory for a dynamic importer) became an
 * optional invalidate_mappings; dma_buf_attach_revocable() tells whether
 * an importer has one and so promises to unmap in bounded time. Before,
 * every dynamic importer had move_notify: being dynamic was the promise.
 */
#if KERNEL_VERSION(7, 0, 0) > LINUX_VERSION_CODE
#define secbuf_dma_buf_invalidate(dmabuf)	dma_buf_move_notify(dmabuf)

static inline bool secbuf_attach_revocable(struct dma_buf_attachment *attach)
{
	return attach->importer_ops && attach->importer_ops->move_notify;
}
#else
#define secbuf_dma_buf_invalidate(dmabuf)	dma_buf_invalidate_mappings(dmabuf)
#define secbuf_attach_revocable(attach)	dma_buf_attach_revocable(attach)
#endif

/*
 * Before 7.x, a kernel without CONFIG_DMABUF_MOVE_NOTIFY has the core pin
 * a dynamic exporter's attachment around each of its mappings; 7.x pins
 * only static importers', on map.
 */
#if KERNEL_VERSION(7, 0, 0) > LINUX_VERSION_CODE && \
	!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY)
#define SECBUF_CORE_PINS_DYNAMIC_MAPS	true
#else
#define SECBUF_CORE_PINS_DYNAMIC_MAPS	false
#endif

/* from_timer() became timer_container_of() in 6.16. */
#ifdef timer_container_of
#define secbuf_timer_container_of(var, t, field) \
	timer_container_of(var, t, field)
#else
#define secbuf_timer_container_of(var, t, field) from_timer(var, t, field)
#endif

typedef unsigned long (*secbuf_shrink_fn)(struct shrinker *shrinker,
					  struct shrink_control *sc);

/* Shrinkers are allocated by the core from 6.7; before, embedded. */
#if KERNEL_VERSION(6, 7, 0) > LINUX_VERSION_CODE
struct secbuf_shrinker {
	struct shrinker base;
	void *private_data;
};

static inline struct shrinker *
secbuf_shrinker_create(void *private_data, secbuf_shrink_fn count,
		       secbuf_shrink_fn scan, const char *name)
{
	struct secbuf_shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->base.count_objects = count;
	s->base.scan_objects = scan;
	s->base.seeks = DEFAULT_SEEKS;
	s->private_data = private_data;
	if (register_shrinker(&s->base, "secbuf-%s", name)) {
		kfree(s);
		return NULL;
	}
	return &s->base;
}

static inline void *secbuf_shrinker_private(struct shrinker *shrinker)
{
	return container_of(shrinker, struct secbuf_shrinker,
			    base)->private_data;
}

static inline void secbuf_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
	kfree(container_of(shrinker, struct secbuf_shrinker, base));
}
#else
static inline struct shrinker *
secbuf_shrinker_create(void *private_data, secbuf_shrink_fn count,
		       secbuf_shrink_fn scan, const char *name)
{
	struct shrinker *s = shrinker_alloc(0, "secbuf-%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = private_data;
	shrinker_register(s);
	return s;
}

static inline void *secbuf_shrinker_private(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

static inline void secbuf_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#endif

/*
 * The dmem cgroup controller (6.14). secbuf-cgroup.c is built only where
 * the kernel has it (Kbuild); elsewhere, 6.1, 6.12 and a 7.x built without
 * CONFIG_CGROUP_DMEM (Debian's stock configs), its calls compile to
 * nothing. 7.3 registers a region with struct dmem_cgroup_init, which adds
 * a reclaim callback; before, the region's size was the only parameter.
 */
struct dmem_cgroup_region;
struct dmem_cgroup_pool_state;
struct secbuf_pool;

#if IS_ENABLED(CONFIG_CGROUP_DMEM)
#if KERNEL_VERSION(7, 3, 0) <= LINUX_VERSION_CODE
#define SECBUF_DMEM_RECLAIM
#endif
int secbuf_cgroup_register(struct secbuf_pool *pool);
void secbuf_cgroup_unregister(struct secbuf_pool *pool);
int secbuf_cgroup_charge(struct secbuf_pool *pool, size_t size,
			 struct dmem_cgroup_pool_state **charge);
void secbuf_cgroup_uncharge(struct dmem_cgroup_pool_state **charge,
			    size_t size);
#else
static inline int secbuf_cgroup_register(struct secbuf_pool *pool)
{
	return 0;
}

static inline void secbuf_cgroup_unregister(struct secbuf_pool *pool)
{
}

static inline int secbuf_cgroup_charge(struct secbuf_pool *pool, size_t size,
				       struct dmem_cgroup_pool_state **charge)
{
	return 0;
}

static inline void
secbuf_cgroup_uncharge(struct dmem_cgroup_pool_state **charge, size_t size)
{
}
#endif

#endif /* _SECBUF_COMPAT_H */
