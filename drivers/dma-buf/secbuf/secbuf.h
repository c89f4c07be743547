/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * secbuf: owner-controlled, physically contiguous dma-buf pools.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef _SECBUF_H
#define _SECBUF_H

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct dma_buf;
struct dma_fence;
struct device;
struct page;
struct pid;
struct secbuf_window;
struct secbuf_dma_heap;

/**
 * DOC: locking
 *
 * secbuf has three locks of its own:
 *
 * - &secbuf_pool.lock (a mutex) protects the pool's allocator (chunk list,
 *   chunk bitmaps, the chunk cache and the clean and busy state of cached
 *   chunks), the pool's counters, each pool file's buffer list and
 *   counters, and the id counter. It is the innermost lock and is held
 *   only for bookkeeping, never across CMA calls, zeroing or an allocation
 *   that could enter reclaim; the cache's shrinker only trylocks it.
 * - &secbuf_buffer.map_lock (an rw_semaphore) orders access against
 *   revocation, seals and DMA windows. Everything that creates access to
 *   the memory (the fault handler, pfn_mkwrite, mmap, attach, map_dma_buf,
 *   pin, vmap) holds it for reading while it checks the buffer's state and
 *   sets the access up; revoking, sealing and opening or closing a DMA
 *   window take it for writing only to change the state, and zap the CPU
 *   mappings after dropping it. The fault handler runs under mmap_lock (or
 *   the per-VMA lock) and mmap with mmap_lock held for writing, so both
 *   nest outside map_lock: mmap checks the state and counts the mapping
 *   under map_lock, but sets the VMA's flags (vm_flags_set() takes the VMA
 *   lock) only after dropping it; the fault handlers enforce whatever
 *   changed in between.
 *   A fault that must wait for a fence drops map_lock and then mmap_lock
 *   (the fault retry protocol) before it sleeps.
 * - &secbuf_buffer.lock (a mutex) protects a buffer's handle list, each
 *   handle's attachment list and the mapped state of each attachment, the
 *   attachment and vmap counts, the grant id counter and the grant lineage
 *   tree (&struct secbuf_grant_node, &secbuf_buffer.grants). It nests
 *   inside map_lock.
 *
 * All three nest inside the dma-buf reservation lock, which every handle of
 * a buffer shares (&secbuf_buffer.resv). Which &dma_buf_ops run with the
 * reservation lock held differs between the kernels secbuf supports:
 *
 * - 6.12 and 7.x: map_dma_buf, unmap_dma_buf, pin, unpin, vmap and vunmap
 *   are called with the reservation lock held; attach, detach, mmap,
 *   begin_cpu_access, end_cpu_access and release without it.
 * - 6.1: map_dma_buf and unmap_dma_buf run under the reservation lock only
 *   for dynamic importers, vmap and vunmap under &dma_buf.lock instead; the
 *   rest as on 6.12.
 *
 * A handle with %SECBUF_GRANT_WRITE has pin and unpin, so the core treats
 * it as a dynamic exporter's. On 6.1 and 6.12 the core then pins and maps
 * a static importer's attachment bidirectionally once, at attach time,
 * and keeps that mapping until detach. On 7.x it pins and maps it on every
 * dma_buf_map_attachment(), in the direction the importer asks for,
 * unpins on every unmap and may hold several mappings of one attachment:
 * each gets a table of its own (&struct secbuf_mapping). A handle without
 * WRITE has neither (its devices may only read): static importers map it
 * themselves, with the direction they need, and attach refuses dynamic
 * importers (revocation could not tell them under the handle's own
 * reservation lock).
 *
 * The dmem cgroup controller (secbuf-cgroup.c): charging and uncharging
 * take no lock of secbuf's. The region's reclaim callback runs in the task
 * that writes a dmem.max below a cgroup's usage, inside the controller's
 * SRCU read section, and takes &secbuf_pool.lock only as the shrinker
 * does, around bookkeeping; secbuf_pool_fini() unregisters the region,
 * which waits for that SRCU section, holding no lock of secbuf's.
 *
 * No callback takes the reservation lock itself, so the same code is
 * correct under both rules. Revocation, sealing and DMA_BEGIN take it,
 * before map_lock, to keep the handle list stable while they zap mappings
 * and tell importers to let go (dma_buf_move_notify(), on 7.x
 * dma_buf_invalidate_mappings()). The fence of a DMA window is signaled
 * under its own spinlock, also from a timer.
 *
 * Revocation: map_lock held for writing sets the revoked flag, so every
 * later fault, mmap, attach, map or vmap fails; then every handle's
 * address_space is zapped. A fault that set up a PTE before the flag was
 * set has released map_lock by then, so its PTE is among those zapped.
 * The reservation lock is held from setting the flag until the zap is
 * done, so a second revocation of the same buffer or grant, which finds
 * the flag set, returns only after the first one's zap.
 *
 * A handle's address_space: the dentry of a dma-buf's file puts the
 * file's inode (and with it the address_space every zap uses) before it
 * calls the release that takes the handle off &secbuf_buffer.handles, and
 * that release may wait for the reservation lock while a zap walks the
 * list. So each handle holds a reference on its file's inode from export
 * until it leaves the list: whatever is on the list can be zapped.
 *
 * Lifetime: every handle (dma-buf) holds a reference on its buffer, so the
 * buffer lives while any file descriptor, mapping (vma->vm_file pins the
 * dma-buf) or importer reference of any handle exists. The memory may go
 * back to the pool earlier: once the buffer is revoked and no attachment or
 * kernel mapping is left. A buffer holds a reference on its owner's pool
 * file, so per-file accounting stays valid after the owner closes. Every
 * open pool file and every dma-buf holds a reference on this module, and
 * the platform driver cannot be unbound through sysfs, so a pool is only
 * torn down once nothing refers to it. A revocation that gave up waiting
 * for the buffer's fences holds a buffer reference and a module reference
 * until they signal; the work item that then ends the quarantine runs on
 * secbuf_wq, which module unload drains.
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
 * @clean: every byte is zero (a cached chunk the zeroing worker has done)
 * @busy: the zeroing worker is clearing this cached chunk
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
	bool clean;
	bool busy;
};

/**
 * struct secbuf_range - memory the pool handed to one buffer
 * @chunk: the chunk the range lives in
 * @page: first page of the range
 * @size: length in bytes, a multiple of PAGE_SIZE
 * @clean: the range is known to be zero already
 */
struct secbuf_range {
	struct secbuf_chunk *chunk;
	struct page *page;
	size_t size;
	bool clean;
};

/**
 * struct secbuf_pool_stats - a consistent snapshot of a pool's counters
 * @total_bytes: capacity of the pool
 * @used_bytes: bytes of live buffers
 * @peak_used_bytes: highest @used_bytes seen
 * @largest_free_bytes: largest buffer an allocation could get now
 * @chunk_bytes: bytes currently taken from CMA, cached ones included
 * @quarantined_bytes: bytes of revoked buffers still held for a device
 * @cached_bytes: bytes of free chunks kept from CMA
 * @prezeroed_bytes: the part of @cached_bytes already zeroed
 * @nr_buffers: live buffers
 */
struct secbuf_pool_stats {
	u64 total_bytes;
	u64 used_bytes;
	u64 peak_used_bytes;
	u64 largest_free_bytes;
	u64 chunk_bytes;
	u64 quarantined_bytes;
	u64 cached_bytes;
	u64 prezeroed_bytes;
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
 * @chunks: chunks in use, sorted by physical address
 * @chunk_bytes: bytes of chunks in use or promised to an allocation in
 *	flight
 * @used_bytes: bytes of live buffers
 * @peak_used_bytes: highest @used_bytes seen
 * @nr_buffers: live buffers
 * @quarantined_bytes: bytes of revoked buffers still held for a device
 * @next_id: id of the next buffer
 * @cache: free chunks kept from CMA, see secbuf-cache.c
 * @cache_bytes: bytes in @cache
 * @clean_bytes: bytes in @cache already zeroed
 * @zero_work: zeroes the chunks in @cache, started a little after a chunk
 *	is cached
 * @cache_stop: a drain asks @zero_work to stop
 * @shrinker: gives @cache back to CMA under memory pressure
 * @secbuf_misc: /dev/secbuf/<name>
 * @heap_misc: /dev/dma_heap/<name>, without the dma-heap framework
 * @dma_heap: the dma-heap core's heap of the pool's name, with it (NULL if
 *	the core refused the name)
 * @heap_owners: the &struct secbuf_file of each process with buffers from
 *	@dma_heap, under @heap_owners_lock
 * @heap_owners_lock: protects @heap_owners
 * @secbuf_name: device name of @secbuf_misc
 * @secbuf_nodename: node name of @secbuf_misc
 * @heap_name: device name of @heap_misc
 * @heap_nodename: node name of @heap_misc
 * @cg_region: the pool's region of the dmem cgroup controller,
 *	"secbuf/<name>" (secbuf-cgroup.c); NULL without the controller
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
	size_t quarantined_bytes;
	u64 next_id;
	struct list_head cache;
	size_t cache_bytes;
	size_t clean_bytes;

	struct delayed_work zero_work;
	bool cache_stop;
	struct shrinker *shrinker;
	struct miscdevice secbuf_misc;
	struct miscdevice heap_misc;
	struct secbuf_dma_heap *dma_heap;
	struct list_head heap_owners;
	struct mutex heap_owners_lock;	/* @heap_owners */
	char *secbuf_name;
	char *secbuf_nodename;
	char *heap_name;
	char *heap_nodename;
	struct dmem_cgroup_region *cg_region;
};

/**
 * struct secbuf_file - an open pool file, the owner of the buffers it made
 * @ref: held by the open file and by each buffer it owns
 * @pool: the pool this file allocates from
 * @revoke_on_close: closing the file revokes its buffers (false for the
 *	dma-heap node, whose users expect buffers to outlive the heap file)
 * @buffers: buffers owned, protected by &secbuf_pool.lock
 * @used_bytes: bytes of memory charged, protected by &secbuf_pool.lock
 * @nr_buffers: buffers charged, protected by &secbuf_pool.lock
 * @heap_pid: for the buffers a process allocated from a heap of the
 *	dma-heap core, which has no file of secbuf's: the process (its
 *	thread group), referenced; NULL for a file
 * @heap_node: entry in &secbuf_pool.heap_owners while @heap_pid is set
 */
struct secbuf_file {
	struct kref ref;
	struct secbuf_pool *pool;
	bool revoke_on_close;
	struct list_head buffers;
	size_t used_bytes;
	unsigned int nr_buffers;
	struct pid *heap_pid;
	struct list_head heap_node;
};

/**
 * struct secbuf_buffer - the memory of one allocation and its state
 * @ref: one per handle (dma-buf) plus temporary references
 * @pool: pool the memory came from
 * @owner: pool file that allocated the buffer, the only one that may
 *	revoke or grant
 * @owner_node: entry in &secbuf_file.buffers
 * @range: the memory; @range.chunk is NULL once it went back to the pool
 * @size: size in bytes, also after the memory went back
 * @id: pool-unique id reported to userspace
 * @resv: reservation object shared by every handle of the buffer
 * @map_lock: taken for reading by everything that creates access (fault,
 *	mmap, attach, map, vmap) and for writing to revoke
 * @revoked: set once, under @map_lock held for writing
 * @seals: %SECBUF_SEAL_* seals, only ever added, under @map_lock held for
 *	writing and @lock; read under either
 * @window: the last DMA window opened, open while its fence is unsignaled,
 *	referenced; under @map_lock
 * @fence_context: dma-fence context of the buffer's DMA windows
 * @fence_seqno: seqno of the last DMA window, under @map_lock
 * @lock: protects the fields below, see DOC: locking
 * @handles: &struct secbuf_handle list, the owner's first
 * @nr_attachments: attachments over all handles
 * @nr_mapped: DMA mappings over all handles' attachments
 * @nr_revocable_mapped: those of importers that unmap in bounded time when
 *	told to (secbuf_attach_revocable())
 * @unmapped: woken when @nr_revocable_mapped drops to zero
 * @vaddr: kernel mapping while @vmap_count is not zero
 * @vmap_count: users of @vaddr over all handles
 * @next_grant_id: id of the next grant
 * @grants: grant id to &struct secbuf_grant_node, for every grant whose
 *	handle or a descendant's lives
 * @quarantined: revoked, memory still held for a device
 * @revoking: a revocation has not finished waiting for the fences yet
 * @fences: the unsignaled fence the quarantine waits for now; under @lock
 * @fences_held: the memory is held until every fence on @resv has
 *	signaled (secbuf_buffer_hold_for_fences()); under @lock
 * @fences_cb: @fences' callback, which queues @fences_work
 * @fences_work: ends the quarantine @fences held
 * @cg_charge: the dmem cgroup state @size is charged to, from the
 *	allocation until the memory goes back to the pool; NULL without the
 *	controller (secbuf-cgroup.c)
 */
struct secbuf_buffer {
	struct kref ref;
	struct secbuf_pool *pool;
	struct secbuf_file *owner;
	struct list_head owner_node;
	struct secbuf_range range;
	size_t size;
	u64 id;
	struct dma_resv resv;

	struct rw_semaphore map_lock;
	bool revoked;
	u32 seals;
	struct secbuf_window *window;
	u64 fence_context;
	u64 fence_seqno;

	struct mutex lock;	/* see DOC: locking */
	struct list_head handles;
	unsigned int nr_attachments;
	unsigned int nr_mapped;
	unsigned int nr_revocable_mapped;
	wait_queue_head_t unmapped;
	void *vaddr;
	unsigned int vmap_count;
	u64 next_grant_id;
	struct xarray grants;
	bool quarantined;
	bool revoking;
	struct dma_fence *fences;
	bool fences_held;
	struct dma_fence_cb fences_cb;
	struct work_struct fences_work;
	struct dmem_cgroup_pool_state *cg_charge;
};

/**
 * struct secbuf_grant_node - a grant id in its buffer's lineage tree
 * @id: the grant id
 * @parent: the grant this one was derived from with %SECBUF_GRANT_REGRANT,
 *	referenced; NULL for a grant the owner made
 * @children: the grants derived from this one
 * @sibling: entry in @parent's @children
 * @handle: the grant's handle while its dma-buf lives, else NULL
 * @refs: one for @handle while it lives, one per child
 * @revoked: this grant, or one it descends from, was revoked
 *
 * A node outlives its handle while any grant derived from it lives, so
 * that its id stays revocable and revoking it reaches every descendant.
 * Everything here is under &secbuf_buffer.lock; @revoked is set with
 * &secbuf_buffer.map_lock held for writing too.
 */
struct secbuf_grant_node {
	u64 id;
	struct secbuf_grant_node *parent;
	struct list_head children;
	struct list_head sibling;
	struct secbuf_handle *handle;
	unsigned int refs;
	bool revoked;
};

/**
 * struct secbuf_handle - one dma-buf of a buffer: the owner's or a grant
 * @buffer: the buffer, referenced
 * @dmabuf: the dma-buf, whose priv points back here
 * @mapping: the dma-buf file's address_space, which every zap of this
 *	handle's CPU mappings uses; its inode is referenced, see DOC: locking
 * @grant_id: 0 for the owner's handle, else the grant's id
 * @rights: %SECBUF_GRANT_* rights
 * @pid: the only process (thread group) that may mmap or attach the
 *	handle, referenced; NULL if any holder may
 * @node: the grant's place in the lineage tree, NULL for the owner's
 *	handle
 * @revoked: this grant was revoked, under &secbuf_buffer.map_lock held for
 *	writing
 * @zap_node: entry in the list of handles a revocation under way zaps;
 *	under the reservation lock
 * @link: entry in &secbuf_buffer.handles, under &secbuf_buffer.lock
 * @attachments: &struct secbuf_attachment list, under &secbuf_buffer.lock
 * @nr_attachments: length of @attachments
 * @nr_mappings: VMAs mapping this handle
 * @vmap_private: the kernel mapping the core holds for this dma-buf when it
 *	is a private one (a snapshot or the scratch page), else NULL; under
 *	&secbuf_buffer.lock
 * @vmap_scratch: the scratch page @vmap_private maps, NULL for a snapshot
 */
struct secbuf_handle {
	struct secbuf_buffer *buffer;
	struct dma_buf *dmabuf;
	struct address_space *mapping;
	u64 grant_id;
	u32 rights;
	struct pid *pid;
	struct secbuf_grant_node *node;
	bool revoked;
	struct list_head zap_node;
	struct list_head link;
	struct list_head attachments;
	unsigned int nr_attachments;
	atomic_t nr_mappings;
	void *vmap_private;
	struct page *vmap_scratch;
};

/* secbuf-main.c */
extern struct workqueue_struct *secbuf_wq;

/* Module parameters, see secbuf-main.c. */
extern unsigned long secbuf_max_file_bytes;
extern unsigned int secbuf_max_file_buffers;
extern unsigned int secbuf_dev_mode;
extern unsigned int secbuf_revoke_timeout_ms;
extern unsigned int secbuf_dma_window_timeout_ms;
extern unsigned long secbuf_cache_max_bytes;

/* secbuf-pool.c */
int secbuf_pool_init(struct secbuf_pool *pool, struct device *dev,
		     const char *name, size_t size);
void secbuf_pool_fini(struct secbuf_pool *pool);
size_t secbuf_pool_max_buffer(const struct secbuf_pool *pool);
size_t secbuf_pool_footprint(size_t size);
int secbuf_pool_charge(struct secbuf_file *sfile, size_t size);
void secbuf_pool_uncharge(struct secbuf_file *sfile, size_t size);
int secbuf_pool_alloc(struct secbuf_pool *pool, size_t size,
		      struct secbuf_range *range);
void secbuf_pool_free(struct secbuf_pool *pool, struct secbuf_range *range,
		      bool zeroed);
void secbuf_chunk_destroy(struct secbuf_pool *pool,
			  struct secbuf_chunk *chunk);
void secbuf_pages_zero(struct page *page, unsigned long nr_pages);

/* secbuf-cache.c */
int secbuf_cache_init(struct secbuf_pool *pool);
void secbuf_cache_fini(struct secbuf_pool *pool);
struct secbuf_chunk *secbuf_cache_take(struct secbuf_pool *pool, size_t size);
bool secbuf_cache_busy(struct secbuf_pool *pool, size_t size);
struct secbuf_chunk *secbuf_cache_take_busy(struct secbuf_pool *pool,
					    size_t size);
bool secbuf_cache_keep(struct secbuf_pool *pool, struct secbuf_chunk *chunk,
		       bool clean);
void secbuf_cache_drain(struct secbuf_pool *pool);
size_t secbuf_cache_shrink(struct secbuf_pool *pool, size_t bytes);
void secbuf_pool_get_stats(struct secbuf_pool *pool,
			   struct secbuf_pool_stats *stats);

/* secbuf-buffer.c */
struct secbuf_buffer *secbuf_buffer_create(struct secbuf_file *sfile,
					   u64 size);
void secbuf_buffer_put(struct secbuf_buffer *buffer);
int secbuf_buffer_revoke(struct secbuf_buffer *buffer);
int secbuf_buffer_revoke_grant(struct secbuf_buffer *buffer, u64 grant_id);
void secbuf_buffer_release_memory(struct secbuf_buffer *buffer);
void secbuf_buffer_zap(struct secbuf_buffer *buffer, bool move_notify);
void secbuf_file_revoke_all(struct secbuf_file *sfile);

/* secbuf-grant.c */
int secbuf_grant_node_add(struct secbuf_buffer *buffer,
			  struct secbuf_handle *handle,
			  struct secbuf_handle *parent);
void secbuf_grant_node_release(struct secbuf_buffer *buffer,
			       struct secbuf_handle *handle);
int secbuf_grant_revoke_subtree(struct secbuf_buffer *buffer, u64 grant_id,
				struct list_head *zap);
u64 secbuf_grant_parent_id(struct secbuf_handle *handle);

/* secbuf-seal.c */
int secbuf_buffer_seal(struct secbuf_buffer *buffer, u32 seals, u32 *now);
long secbuf_ioctl_seal(struct secbuf_file *sfile, unsigned long arg,
		       size_t usize);
long secbuf_ioctl_get_seals(struct secbuf_file *sfile, unsigned long arg,
			    size_t usize);

/* secbuf-window.c */
u32 secbuf_window_policy(struct secbuf_buffer *buffer);
struct secbuf_window *secbuf_window_take(struct secbuf_buffer *buffer);
int secbuf_window_close(struct secbuf_window *window, int error);
long secbuf_ioctl_dma_begin(struct secbuf_file *sfile, unsigned long arg,
			    size_t usize);
long secbuf_ioctl_dma_end(struct secbuf_file *sfile, unsigned long arg,
			  size_t usize);

/* secbuf-handle.c */
struct dma_buf *secbuf_handle_export(struct secbuf_buffer *buffer,
				     struct secbuf_handle *parent,
				     u32 rights, struct pid *pid,
				     u32 fd_flags);
struct dma_buf *secbuf_handle_create(struct secbuf_file *sfile, u64 size,
				     u32 fd_flags, u64 *id);
struct secbuf_handle *secbuf_handle_get(struct secbuf_pool *pool, int fd);
void secbuf_handle_put(struct secbuf_handle *handle);
unsigned int secbuf_handle_state(struct secbuf_handle *handle);
bool secbuf_handle_has_dev_writers(struct secbuf_buffer *buffer);
void secbuf_handle_zap(struct secbuf_handle *handle, bool move_notify);
bool secbuf_handle_shares_resv(struct secbuf_handle *handle);

/* secbuf-manage.c */
struct secbuf_handle *secbuf_owner_handle_get(struct secbuf_file *sfile,
					      int fd);
long secbuf_ioctl_revoke(struct secbuf_file *sfile, unsigned long arg,
			 size_t usize);
long secbuf_ioctl_grant(struct secbuf_file *sfile, unsigned long arg,
			size_t usize);
long secbuf_ioctl_grant_list(struct secbuf_file *sfile, unsigned long arg,
			     size_t usize);
long secbuf_ioctl_query(struct secbuf_file *sfile, unsigned long arg,
			size_t usize);
int secbuf_copy_args(void *kdata, size_t ksize, size_t minsize,
		     unsigned long arg, size_t usize);

/* secbuf-dev.c */
struct secbuf_file *secbuf_file_create(struct secbuf_pool *pool);
void secbuf_file_put(struct secbuf_file *sfile);
int secbuf_fd_publish(int fd, struct dma_buf *dmabuf, unsigned long arg,
		      const void *kdata, size_t size);
int secbuf_misc_register(struct secbuf_pool *pool, struct miscdevice *misc,
			 const char *name, const char *nodename,
			 const struct file_operations *fops);
int secbuf_dev_register(struct secbuf_pool *pool);
void secbuf_dev_unregister(struct secbuf_pool *pool);

/* secbuf-heap.c */
int secbuf_heap_register(struct secbuf_pool *pool);
void secbuf_heap_unregister(struct secbuf_pool *pool);

/* secbuf-sysfs.c */
extern const struct attribute_group *secbuf_pool_groups[];

#endif /* _SECBUF_H */
