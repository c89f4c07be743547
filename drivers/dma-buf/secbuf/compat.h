/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel API differences between the kernels secbuf supports
 * (Debian's 6.1 and 6.12). Nothing else in the driver tests a version.
 */
#ifndef _SECBUF_COMPAT_H
#define _SECBUF_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>
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

#endif /* _SECBUF_COMPAT_H */
