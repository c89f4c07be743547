/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * secbuf: owner-controlled, physically contiguous dma-buf pools.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef _SECBUF_H
#define _SECBUF_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct dma_buf;
struct device;
struct page;

/**
 * DOC: locking
 *
 * secbuf has two locks of its own. Both nest inside the dma-buf reservation
 * lock (&dma_buf.resv), never the other way round:
 *
 * - &secbuf_pool.lock (a mutex) protects the pool's allocator: its chunk
 *   list and every chunk's page bitmap, the byte and buffer counters of the
 *   pool and of each pool file (&secbuf_file.used_bytes, .nr_buffers) and
 *   the id counter. It is held only for bookkeeping: secbuf never holds it
 *   while CMA allocates or frees memory, nor while a buffer is zeroed.
 * - &secbuf_buffer.lock (a mutex) protects one buffer's attachment list, the
 *   mapped state of each attachment and the kernel mapping (vmap) count.
 *   It is never held together with the pool lock.
 *
 * Which &dma_buf_ops run with the reservation lock held differs between the
 * kernels secbuf supports:
 *
 * - 6.12: map_dma_buf, unmap_dma_buf, vmap and vunmap are called with the
 *   reservation lock held; attach, detach, mmap, begin_cpu_access,
 *   end_cpu_access and release without it.
 * - 6.1: map_dma_buf and unmap_dma_buf run under the reservation lock only
 *   for dynamic importers, vmap and vunmap under &dma_buf.lock instead; the
 *   rest as on 6.12.
 *
 * None of the callbacks takes the reservation lock itself, so the same code
 * is correct under both rules. The fault handler takes no lock at all: the
 * buffer's pages cannot change while a mapping exists, because the dma-buf
 * file (and with it the buffer) outlives every VMA that maps it.
 *
 * Lifetime: a buffer holds a reference on the pool file that allocated it
 * (its owner), so per-file accounting stays valid after the owner closes.
 * Every open pool file and every dma-buf holds a reference on this module,
 * and the platform driver cannot be unbound through sysfs, so a pool is
 * only torn down once nothing refers to it.
 */

/* Large buffers are placed on this alignment, to allow PMD mappings later. */
#define SECBUF_CHUNK_SIZE	SZ_2M

/**
 * struct secbuf_chunk - a physically contiguous range taken from CMA
 * @node: entry in &secbuf_pool.chunks, sorted by @base
 * @page: first page returned by dma_alloc_pages()
 * @dma: DMA address returned with @page, for dma_free_pages()
 * @alloc_size: bytes requested from dma_alloc_pages()
 * @base: physical address of the first byte used, %SECBUF_CHUNK_SIZE aligned
 *	for a dedicated chunk
 * @size: usable bytes from @base, a multiple of %SECBUF_CHUNK_SIZE
 * @bitmap: one bit per page for a shared chunk that holds small buffers,
 *	NULL for a chunk dedicated to one large buffer
 * @used_pages: pages of a shared chunk in use
 */
struct secbuf_chunk {
	struct list_head node;
	struct page *page;
	dma_addr_t dma;
	size_t alloc_size;
	phys_addr_t base;
	size_t size;
	unsigned long *bitmap;
	unsigned int used_pages;
};

/**
 * struct secbuf_range - memory the pool handed to one buffer
 * @chunk: the chunk the range lives in
 * @page: first page of the range
 * @size: length in bytes, a multiple of PAGE_SIZE
 */
struct secbuf_range {
	struct secbuf_chunk *chunk;
	struct page *page;
	size_t size;
};

/**
 * struct secbuf_pool_stats - a consistent snapshot of a pool's counters
 * @total_bytes: capacity of the pool
 * @used_bytes: bytes of live buffers
 * @peak_used_bytes: highest @used_bytes seen
 * @largest_free_bytes: largest buffer an allocation could get now
 * @chunk_bytes: bytes currently taken from CMA
 * @nr_buffers: live buffers
 */
struct secbuf_pool_stats {
	u64 total_bytes;
	u64 used_bytes;
	u64 peak_used_bytes;
	u64 largest_free_bytes;
	u64 chunk_bytes;
	u64 nr_buffers;
};

/**
 * struct secbuf_pool - one pool of contiguous memory and its device nodes
 * @dev: the platform device whose CMA area backs the pool
 * @name: pool name, from the device tree label or node name
 * @base: physical start of the backing region, if @region_known
 * @size: capacity of the pool in bytes
 * @region_known: the pool owns a dedicated reserved-memory region starting
 *	at @base, so free space can be computed exactly
 * @rmem_initialized: of_reserved_mem_device_init() succeeded
 * @lock: protects the fields below, see DOC: locking
 * @chunks: chunks taken from CMA, sorted by physical address
 * @chunk_bytes: bytes taken from CMA or promised to an allocation in flight
 * @used_bytes: bytes of live buffers
 * @peak_used_bytes: highest @used_bytes seen
 * @nr_buffers: live buffers
 * @next_id: id of the next buffer
 * @secbuf_misc: /dev/secbuf/<name>
 * @heap_misc: /dev/dma_heap/<name>
 * @secbuf_name: device name of @secbuf_misc
 * @secbuf_nodename: node name of @secbuf_misc
 * @heap_name: device name of @heap_misc
 * @heap_nodename: node name of @heap_misc
 */
struct secbuf_pool {
	struct device *dev;
	const char *name;
	phys_addr_t base;
	size_t size;
	bool region_known;
	bool rmem_initialized;

	struct mutex lock;	/* see DOC: locking */
	struct list_head chunks;
	size_t chunk_bytes;
	size_t used_bytes;
	size_t peak_used_bytes;
	unsigned long nr_buffers;
	u64 next_id;

	struct miscdevice secbuf_misc;
	struct miscdevice heap_misc;
	char *secbuf_name;
	char *secbuf_nodename;
	char *heap_name;
	char *heap_nodename;
};

/**
 * struct secbuf_file - an open pool file, the owner of the buffers it made
 * @ref: held by the open file and by each buffer it owns
 * @pool: the pool this file allocates from
 * @used_bytes: bytes of live buffers owned, protected by &secbuf_pool.lock
 * @nr_buffers: live buffers owned, protected by &secbuf_pool.lock
 */
struct secbuf_file {
	struct kref ref;
	struct secbuf_pool *pool;
	size_t used_bytes;
	unsigned int nr_buffers;
};

/**
 * struct secbuf_buffer - one exported buffer
 * @pool: pool the memory came from
 * @owner: pool file that allocated the buffer
 * @dmabuf: the dma-buf exporting this buffer
 * @range: the memory
 * @id: pool-unique id reported to userspace
 * @lock: protects @attachments and @vmap_count, see DOC: locking
 * @attachments: &struct secbuf_attachment list
 * @vaddr: kernel mapping while @vmap_count is not zero
 * @vmap_count: users of @vaddr
 */
struct secbuf_buffer {
	struct secbuf_pool *pool;
	struct secbuf_file *owner;
	struct dma_buf *dmabuf;
	struct secbuf_range range;
	u64 id;

	struct mutex lock;	/* see DOC: locking */
	struct list_head attachments;
	void *vaddr;
	unsigned int vmap_count;
};

/* Module parameters, see secbuf-main.c. */
extern unsigned long secbuf_max_file_bytes;
extern unsigned int secbuf_max_file_buffers;
extern unsigned int secbuf_dev_mode;

/* secbuf-pool.c */
int secbuf_pool_init(struct secbuf_pool *pool, struct device *dev,
		     const char *name, size_t size);
void secbuf_pool_fini(struct secbuf_pool *pool);
size_t secbuf_pool_max_buffer(const struct secbuf_pool *pool);
int secbuf_pool_charge(struct secbuf_file *sfile, size_t size);
void secbuf_pool_uncharge(struct secbuf_file *sfile, size_t size);
int secbuf_pool_alloc(struct secbuf_pool *pool, size_t size,
		      struct secbuf_range *range);
void secbuf_pool_free(struct secbuf_pool *pool, struct secbuf_range *range);
void secbuf_pool_get_stats(struct secbuf_pool *pool,
			   struct secbuf_pool_stats *stats);

/* secbuf-buffer.c */
struct dma_buf *secbuf_buffer_create(struct secbuf_file *sfile, u64 size,
				     u32 fd_flags, u64 *id);

/* secbuf-dev.c */
struct secbuf_file *secbuf_file_create(struct secbuf_pool *pool);
void secbuf_file_put(struct secbuf_file *sfile);
int secbuf_dev_register(struct secbuf_pool *pool);
void secbuf_dev_unregister(struct secbuf_pool *pool);

/* secbuf-heap.c */
int secbuf_heap_register(struct secbuf_pool *pool);
void secbuf_heap_unregister(struct secbuf_pool *pool);

/* secbuf-sysfs.c */
extern const struct attribute_group *secbuf_pool_groups[];

#endif /* _SECBUF_H */
