/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * secbuf_test_importer: the ioctls of the test-only dynamic dma-buf
 * importer (igt-tests/kmod/), shared by the module and igt-tests.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef _SECBUF_TEST_IMPORTER_H
#define _SECBUF_TEST_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define STI_DEVICE		"/dev/secbuf_test_importer"

/* Pin the attachment, and keep the mapping when told to move. */
#define STI_IMPORT_PIN		(1u << 0)
/*
 * Attach as a static importer (dma_buf_attach(), no importer_ops): one
 * that cannot be told to let go, as vgem and vb2 are. Not with the others.
 */
#define STI_IMPORT_STATIC	(1u << 1)
/*
 * Told to let go, unmap 100 ms later from a worker, as a GPU driver that
 * must first stop its engines does: bounded, but not at once.
 */
#define STI_IMPORT_DEFER	(1u << 2)
#define STI_IMPORT_VALID	(STI_IMPORT_PIN | STI_IMPORT_STATIC | \
				 STI_IMPORT_DEFER)

/**
 * struct sti_import - attach (dynamically) to a dma-buf and map it
 * @fd:		the dma-buf
 * @flags:	%STI_IMPORT_*
 *
 * One import per open file of %STI_DEVICE. Once imported, mmap() of that
 * file maps the buffer through dma_buf_mmap() (the exporter's mmap, into
 * the dma-buf's own file), as drivers that mmap imported buffers do.
 */
struct sti_import {
	__u32 fd;
	__u32 flags;
};

/**
 * struct sti_status - what the importer saw
 * @mapped:	1 while the attachment is mapped
 * @pinned:	1 while the attachment is pinned
 * @notified:	move_notify calls
 * @unlocked:	move_notify calls without the reservation lock held
 * @sg_nents:	entries of the mapping's sg_table (when mapped)
 * @pad:	0
 * @dma_len:	bytes the mapping covers (when mapped)
 * @attach_ns:	how long dma_buf_dynamic_attach() took at import
 * @map_ns:	how long the import's pin (if asked) and
 *		dma_buf_map_attachment() took, the reservation lock included
 */
struct sti_status {
	__u32 mapped;
	__u32 pinned;
	__u32 notified;
	__u32 unlocked;
	__u32 sg_nents;
	__u32 pad;
	__u64 dma_len;
	__u64 attach_ns;
	__u64 map_ns;
};

/**
 * struct sti_signal - end the import's fenced device job
 * @value:	byte the "device" writes over the whole buffer, through the
 *		mapping it had when the job started, before it signals
 * @pad:	0
 */
struct sti_signal {
	__u32 value;
	__u32 pad;
};

/**
 * struct sti_vmap - a kernel mapping of a dma-buf, as vb2-vmalloc makes
 * @fd:		in (VMAP): the dma-buf
 * @pad:	0
 * @vaddr:	out (VMAP): the address dma_buf_vmap() gave, to compare
 * @len:	in (VREAD): bytes to copy from the start of the mapping
 * @data:	in (VREAD): user pointer they go to
 */
struct sti_vmap {
	__u32 fd;
	__u32 pad;
	__u64 vaddr;
	__u64 len;
	__u64 data;
};

#define STI_IOC_IMPORT		_IOW('S', 0x80, struct sti_import)
#define STI_IOC_STATUS		_IOR('S', 0x81, struct sti_status)
/* Map again after a move_notify: 0 or the exporter's errno. */
#define STI_IOC_REMAP		_IO('S', 0x82)
/*
 * Start a device job on the mapped import: an unsignaled fence with
 * DMA_RESV_USAGE_WRITE on the dma-buf's reservation object. The job keeps
 * the address its mapping had, also after move_notify unmaps it, as a
 * device that is still running does. EBUSY with a job already running,
 * EINVAL when not mapped.
 */
#define STI_IOC_FENCE		_IO('S', 0x83)
/* End it: write sti_signal.value through that address, then signal. */
#define STI_IOC_SIGNAL		_IOW('S', 0x84, struct sti_signal)
/*
 * dma_buf_vmap() of a dma-buf (one per file, besides the import), a copy
 * of its first bytes, and dma_buf_vunmap(). EBUSY if the file has one.
 */
#define STI_IOC_VMAP		_IOWR('S', 0x85, struct sti_vmap)
#define STI_IOC_VREAD		_IOW('S', 0x86, struct sti_vmap)
#define STI_IOC_VUNMAP		_IO('S', 0x87)
/*
 * Unmap (and unpin) the import now, keeping the attachment and any job
 * running: an importer that unmapped while its device is still at work.
 * EINVAL when not mapped.
 */
#define STI_IOC_UNMAP		_IO('S', 0x88)

#endif /* _SECBUF_TEST_IMPORTER_H */
