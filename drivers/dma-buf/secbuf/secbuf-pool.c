// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf pool allocator.
 *
 * Copyright (C) 2026 The secbuf authors
 */

/**
 * DOC: pool allocator
 *
 * The pool takes memory from its CMA area in chunks that are multiples of
 * %SECBUF_CHUNK_SIZE (2 MiB) and never returns anything smaller to CMA, so
 * the area stays divided on 2 MiB boundaries:
 *
 * - A buffer of 2 MiB or more gets a dedicated chunk of its size rounded up
 *   to 2 MiB, starting on a 2 MiB boundary. dma_alloc_pages() only promises
 *   CONFIG_CMA_ALIGNMENT (1 MiB on Debian's arm64 kernels), but because every
 *   chunk secbuf takes or gives back is 2 MiB aligned and sized, CMA's
 *   first-fit search lands on a 2 MiB boundary. When it does not (another
 *   user of a shared CMA area, or a range CMA could not migrate), the chunk
 *   is taken again with 2 MiB - PAGE_SIZE of slack and the aligned part used.
 * - Smaller buffers share 2 MiB chunks, sub-allocated first-fit with a page
 *   bitmap.
 * - A chunk that falls empty goes to the pool's chunk cache (see DOC: chunk
 *   cache), or back to CMA when the cache is full.
 *
 * dma_alloc_pages() falls back to the page allocator when CMA has nothing,
 * so a chunk outside the pool's reserved region is handed back and the
 * allocation fails with -ENOMEM: the pool never grows beyond its region.
 */

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "secbuf.h"

#define SECBUF_CHUNK_PAGES	(SECBUF_CHUNK_SIZE >> PAGE_SHIFT)

/* One scatterlist entry describes a buffer; its length is an unsigned int. */
#define SECBUF_MAX_BUFFER	round_down((size_t)UINT_MAX, SECBUF_CHUNK_SIZE)

/**
 * secbuf_pool_init() - set up the allocator of a pool
 * @pool: the pool, zeroed
 * @dev: device whose CMA area backs the pool
 * @name: pool name, must outlive the pool
 * @size: capacity in bytes
 *
 * @pool->base and @pool->region_known may be set before or after this call.
 *
 * With the dmem cgroup controller the pool becomes its region
 * "secbuf/<name>" (secbuf-cgroup.c).
 *
 * Context: Process context.
 * Return: 0, -EINVAL if @size cannot hold a single chunk, or -ENOMEM.
 */
int secbuf_pool_init(struct secbuf_pool *pool, struct device *dev,
		     const char *name, size_t size)
{
	int ret;

	if (size < SECBUF_CHUNK_SIZE)
		return -EINVAL;

	pool->dev = dev;
	pool->name = name;
	pool->size = round_down(size, SECBUF_CHUNK_SIZE);
	pool->next_id = 1;
	mutex_init(&pool->lock);
	INIT_LIST_HEAD(&pool->heap_owners);
	mutex_init(&pool->heap_owners_lock);
	INIT_LIST_HEAD(&pool->chunks);
	ret = secbuf_cache_init(pool);
	if (ret)
		goto destroy_lock;
	ret = secbuf_cgroup_register(pool);
	if (ret)
		goto fini_cache;
	return 0;

fini_cache:
	secbuf_cache_fini(pool);
destroy_lock:
	mutex_destroy(&pool->lock);
	return ret;
}

/**
 * secbuf_pool_fini() - tear down the allocator of an idle pool
 * @pool: the pool
 *
 * Context: Process context. No buffer of the pool may be alive.
 */
void secbuf_pool_fini(struct secbuf_pool *pool)
{
	/* First: a reclaim call of the controller uses the cache. */
	secbuf_cgroup_unregister(pool);
	secbuf_cache_fini(pool);
	WARN_ON(!list_empty(&pool->chunks));
	WARN_ON(pool->used_bytes || pool->nr_buffers || pool->chunk_bytes);
	mutex_destroy(&pool->lock);
}

/**
 * secbuf_pool_max_buffer() - largest size a single buffer may have
 * @pool: the pool
 *
 * Context: Any context.
 * Return: the limit in bytes.
 */
size_t secbuf_pool_max_buffer(const struct secbuf_pool *pool)
{
	return min_t(size_t, pool->size, SECBUF_MAX_BUFFER);
}

/**
 * secbuf_pool_footprint() - how much of the pool a buffer takes
 * @size: page-aligned size of the buffer
 *
 * A buffer smaller than %SECBUF_CHUNK_SIZE takes its pages of a shared
 * chunk, which other buffers can use the rest of; a larger one a chunk of
 * its own, rounded up to %SECBUF_CHUNK_SIZE, whose tail no one else can
 * use.
 *
 * Context: Any context.
 * Return: the bytes.
 */
size_t secbuf_pool_footprint(size_t size)
{
	return size < SECBUF_CHUNK_SIZE ? size :
					  round_up(size, SECBUF_CHUNK_SIZE);
}

/**
 * secbuf_pool_charge() - account a new buffer to its owner
 * @sfile: the owning pool file
 * @size: page-aligned size of the buffer
 *
 * Checks the per-file limits and the pool's capacity and, if they allow it,
 * charges @size and one buffer to @sfile and to the pool.
 *
 * Context: Process context. Takes &secbuf_pool.lock.
 * Return: 0, or -EDQUOT when a per-file limit would be exceeded.
 */
int secbuf_pool_charge(struct secbuf_file *sfile, size_t size)
{
	struct secbuf_pool *pool = sfile->pool;
	unsigned long max_bytes = READ_ONCE(secbuf_max_file_bytes);
	unsigned int max_buffers = READ_ONCE(secbuf_max_file_buffers);
	int ret = 0;

	mutex_lock(&pool->lock);
	if (max_buffers && sfile->nr_buffers >= max_buffers) {
		ret = -EDQUOT;
		goto unlock;
	}
	if (max_bytes && (size > max_bytes ||
			  sfile->used_bytes > max_bytes - size)) {
		ret = -EDQUOT;
		goto unlock;
	}

	sfile->nr_buffers++;
	sfile->used_bytes += size;
	pool->nr_buffers++;
	pool->used_bytes += size;
	pool->peak_used_bytes = max(pool->peak_used_bytes, pool->used_bytes);
unlock:
	mutex_unlock(&pool->lock);
	return ret;
}

/**
 * secbuf_pool_uncharge() - undo secbuf_pool_charge()
 * @sfile: the owning pool file
 * @size: the size that was charged
 *
 * Context: Process context. Takes &secbuf_pool.lock.
 */
void secbuf_pool_uncharge(struct secbuf_file *sfile, size_t size)
{
	struct secbuf_pool *pool = sfile->pool;

	mutex_lock(&pool->lock);
	sfile->nr_buffers--;
	sfile->used_bytes -= size;
	pool->nr_buffers--;
	pool->used_bytes -= size;
	mutex_unlock(&pool->lock);
}

static bool secbuf_pool_owns(struct secbuf_pool *pool, phys_addr_t phys,
			     size_t size)
{
	if (!pool->region_known)
		return true;
	return phys >= pool->base && size <= pool->size &&
	       phys - pool->base <= pool->size - size;
}

/*
 * CMA lends a reusable area to movable pages and migrates them away when
 * the area is asked for; a page that is busy for a moment (being read,
 * written back, in a racing migration) makes the whole range fail, and a
 * range the size of the pool has nowhere else to go. So a failed attempt
 * is made again for up to half a second before the pool reports that it
 * has no room. The pool's own accounting has said there is room by then
 * (secbuf_pool_alloc()), so this costs time only when CMA disagrees: 80
 * ms were not always enough on a loaded 2-CPU guest (the last chunk of a
 * full pool, once in a CI run of secbuf_attack@accounting-heap-then-fill).
 */
#define SECBUF_CMA_TRIES	25
#define SECBUF_CMA_RETRY_MS	20

static struct page *secbuf_chunk_take_tries(struct secbuf_pool *pool,
					    size_t size, dma_addr_t *dma,
					    unsigned int max_tries)
{
	struct page *page;
	unsigned int tries;

	for (tries = 1;; tries++) {
		page = dma_alloc_pages(pool->dev, size, dma, DMA_BIDIRECTIONAL,
				       GFP_KERNEL | __GFP_NOWARN);
		if (page || tries >= max_tries ||
		    fatal_signal_pending(current))
			break;
		msleep(SECBUF_CMA_RETRY_MS);
	}
	if (!page)
		return NULL;

	/* Memory from the page allocator fallback is not the pool's. */
	if (!secbuf_pool_owns(pool, page_to_phys(page), size)) {
		dma_free_pages(pool->dev, size, page, *dma, DMA_BIDIRECTIONAL);
		return NULL;
	}
	return page;
}

static struct page *secbuf_chunk_take(struct secbuf_pool *pool, size_t size,
				      dma_addr_t *dma)
{
	return secbuf_chunk_take_tries(pool, size, dma, SECBUF_CMA_TRIES);
}

/*
 * CMA aligns an allocation to its size's order, but to no more than
 * CONFIG_CMA_ALIGNMENT (1 MiB on Debian's kernels), so a chunk can land off
 * the 2 MiB boundary its PMD mappings need when a smaller allocation (a
 * driver's DMA buffer on the default CMA area) sits below it. CMA takes the
 * lowest free range that fits: a filler taking the gap below the boundary
 * where the chunk landed (@misaligned) makes the chunk land on it the next
 * time; then the filler goes back. One try: NULL if CMA put it elsewhere
 * (a smaller hole lower down took the filler, say), and the caller pays
 * slack instead. The filler is outside the pool's reservation for a
 * moment: near full, the chunk (or a concurrent one) may not fit beside
 * it, and the slack path decides then.
 */
static struct page *secbuf_chunk_take_aligned(struct secbuf_pool *pool,
					      size_t size,
					      phys_addr_t misaligned,
					      dma_addr_t *dma)
{
	size_t gap = ALIGN(misaligned, SECBUF_CHUNK_SIZE) - misaligned;
	struct page *filler, *page;
	dma_addr_t filler_dma;

	/* One attempt each: the slack fallback retries. */
	filler = secbuf_chunk_take_tries(pool, gap, &filler_dma, 1);
	if (!filler)
		return NULL;
	page = secbuf_chunk_take_tries(pool, size, dma, 1);
	dma_free_pages(pool->dev, gap, filler, filler_dma, DMA_BIDIRECTIONAL);
	if (page && !IS_ALIGNED(page_to_phys(page), SECBUF_CHUNK_SIZE)) {
		dma_free_pages(pool->dev, size, page, *dma, DMA_BIDIRECTIONAL);
		page = NULL;
	}
	return page;
}

/*
 * Take @size bytes (a multiple of SECBUF_CHUNK_SIZE) from CMA. The caller has
 * already reserved them in pool->chunk_bytes. Sleeps in CMA, so no lock held.
 */
static struct secbuf_chunk *secbuf_chunk_create(struct secbuf_pool *pool,
						size_t size, bool shared)
{
	struct secbuf_chunk *chunk;
	phys_addr_t phys;

	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		return ERR_PTR(-ENOMEM);

	if (shared) {
		chunk->bitmap = bitmap_zalloc(SECBUF_CHUNK_PAGES, GFP_KERNEL);
		if (!chunk->bitmap)
			goto free_chunk;
	}

	chunk->alloc_size = size;
	chunk->page = secbuf_chunk_take(pool, size, &chunk->dma);
	if (!chunk->page)
		goto free_bitmap;
	phys = page_to_phys(chunk->page);

	/* Shared chunks need no alignment beyond what CMA gives them. */
	if (!shared && !IS_ALIGNED(phys, SECBUF_CHUNK_SIZE)) {
		dma_free_pages(pool->dev, size, chunk->page, chunk->dma,
			       DMA_BIDIRECTIONAL);
		chunk->page = secbuf_chunk_take_aligned(pool, size, phys,
							&chunk->dma);
		if (chunk->page) {
			chunk->base = page_to_phys(chunk->page);
			chunk->size = size;
			return chunk;
		}
		chunk->alloc_size = size + SECBUF_CHUNK_SIZE - PAGE_SIZE;
		chunk->page = secbuf_chunk_take(pool, chunk->alloc_size,
						&chunk->dma);
		if (!chunk->page)
			goto free_bitmap;
		phys = ALIGN(page_to_phys(chunk->page), SECBUF_CHUNK_SIZE);
	}

	chunk->base = phys;
	chunk->size = size;
	return chunk;

free_bitmap:
	bitmap_free(chunk->bitmap);
free_chunk:
	kfree(chunk);
	return ERR_PTR(-ENOMEM);
}

/**
 * secbuf_chunk_destroy() - give a chunk back to CMA
 * @pool: the pool
 * @chunk: a chunk on no list
 *
 * Context: Process context, also direct reclaim; takes no secbuf lock.
 */
void secbuf_chunk_destroy(struct secbuf_pool *pool,
			  struct secbuf_chunk *chunk)
{
	dma_free_pages(pool->dev, chunk->alloc_size, chunk->page, chunk->dma,
		       DMA_BIDIRECTIONAL);
	bitmap_free(chunk->bitmap);
	kfree(chunk);
}

/* Keep the list sorted by address so that free gaps can be measured. */
static void secbuf_chunk_insert(struct secbuf_pool *pool,
				struct secbuf_chunk *chunk)
{
	struct secbuf_chunk *pos;

	lockdep_assert_held(&pool->lock);

	list_for_each_entry(pos, &pool->chunks, node) {
		if (pos->base > chunk->base) {
			list_add_tail(&chunk->node, &pos->node);
			return;
		}
	}
	list_add_tail(&chunk->node, &pool->chunks);
}

static struct page *secbuf_chunk_page(struct secbuf_chunk *chunk,
				      unsigned long index)
{
	return pfn_to_page(PHYS_PFN(chunk->base) + index);
}

/**
 * secbuf_pages_zero() - zero physically contiguous pages
 * @page: the first page
 * @nr_pages: how many
 *
 * One memset() over the linear map where the pages have one (every 64-bit
 * kernel), as the CMA heap does: clear_highpage() page by page cost eight
 * times as much for 64 MiB on x86_64. Highmem pages go one by one.
 *
 * Context: Any context; callers zero large ranges in batches and reschedule
 * between them.
 */
void secbuf_pages_zero(struct page *page, unsigned long nr_pages)
{
	unsigned long i;

	if (!PageHighMem(page)) {
		memset(page_address(page), 0, nr_pages << PAGE_SHIFT);
		return;
	}
	for (i = 0; i < nr_pages; i++)
		clear_highpage(page + i);
}

/* First fit in one shared chunk. Returns false if it has no room. */
static bool secbuf_chunk_alloc_pages(struct secbuf_chunk *chunk,
				     unsigned int nr_pages,
				     struct secbuf_range *range)
{
	unsigned long start;

	if (SECBUF_CHUNK_PAGES - chunk->used_pages < nr_pages)
		return false;
	start = bitmap_find_next_zero_area(chunk->bitmap, SECBUF_CHUNK_PAGES,
					   0, nr_pages, 0);
	if (start >= SECBUF_CHUNK_PAGES)
		return false;

	bitmap_set(chunk->bitmap, start, nr_pages);
	chunk->used_pages += nr_pages;
	range->chunk = chunk;
	range->page = secbuf_chunk_page(chunk, start);
	range->size = (size_t)nr_pages << PAGE_SHIFT;
	return true;
}

/* First fit over the shared chunks. Returns false if none has room. */
static bool secbuf_pool_alloc_shared(struct secbuf_pool *pool,
				     unsigned int nr_pages,
				     struct secbuf_range *range)
{
	struct secbuf_chunk *chunk;

	lockdep_assert_held(&pool->lock);

	list_for_each_entry(chunk, &pool->chunks, node) {
		if (chunk->bitmap &&
		    secbuf_chunk_alloc_pages(chunk, nr_pages, range))
			return true;
	}
	return false;
}

/**
 * secbuf_pool_alloc() - take a physically contiguous range from the pool
 * @pool: the pool
 * @size: bytes, page aligned and at most secbuf_pool_max_buffer()
 * @range: filled in on success
 *
 * The memory is zeroed only if @range->clean says so (a chunk the cache
 * zeroed ahead). A range of %SECBUF_CHUNK_SIZE or more starts on a
 * %SECBUF_CHUNK_SIZE boundary.
 *
 * Context: Process context, may sleep in CMA. Takes &secbuf_pool.lock.
 * Return: 0, or -ENOMEM when the pool has no room for @size.
 */
int secbuf_pool_alloc(struct secbuf_pool *pool, size_t size,
		      struct secbuf_range *range)
{
	bool shared = size < SECBUF_CHUNK_SIZE;
	size_t chunk_size = shared ? SECBUF_CHUNK_SIZE :
				     secbuf_pool_footprint(size);
	struct secbuf_chunk *chunk;
	unsigned long *bitmap = NULL;
	bool busy;

	range->clean = false;
	/* A shared chunk from the cache needs a bitmap, made unlocked. */
	if (shared) {
		bitmap = bitmap_zalloc(SECBUF_CHUNK_PAGES, GFP_KERNEL);
		if (!bitmap)
			return -ENOMEM;
	}

	mutex_lock(&pool->lock);
	if (shared && secbuf_pool_alloc_shared(pool, size >> PAGE_SHIFT,
					       range)) {
		mutex_unlock(&pool->lock);
		bitmap_free(bitmap);
		return 0;
	}
	if (pool->size - pool->chunk_bytes < chunk_size) {
		mutex_unlock(&pool->lock);
		bitmap_free(bitmap);
		return -ENOMEM;
	}
	/* Promise the bytes to this allocation while CMA works unlocked. */
	pool->chunk_bytes += chunk_size;
	chunk = secbuf_cache_take(pool, chunk_size);
	busy = !chunk && secbuf_cache_busy(pool, chunk_size);
	mutex_unlock(&pool->lock);

	if (busy)
		chunk = secbuf_cache_take_busy(pool, chunk_size);
	/* Off the cache and on no list yet: the chunk is ours alone. */
	if (chunk && shared) {
		chunk->bitmap = bitmap;
		bitmap = NULL;
	}
	bitmap_free(bitmap);

	if (!chunk) {
		/* Let CMA place this one as if there were no cache. */
		if (READ_ONCE(pool->cache_bytes))
			secbuf_cache_drain(pool);
		chunk = secbuf_chunk_create(pool, chunk_size, shared);
	}

	mutex_lock(&pool->lock);
	if (IS_ERR(chunk)) {
		pool->chunk_bytes -= chunk_size;
		mutex_unlock(&pool->lock);
		return PTR_ERR(chunk);
	}
	secbuf_chunk_insert(pool, chunk);
	if (shared) {
		/*
		 * Take the pages from the fresh chunk itself: another chunk may
		 * have room again by now, and picking it would leave this one
		 * empty and never freed.
		 */
		WARN_ON(!secbuf_chunk_alloc_pages(chunk, size >> PAGE_SHIFT,
						  range));
		chunk->clean = false;
	} else {
		range->chunk = chunk;
		range->page = secbuf_chunk_page(chunk, 0);
		range->size = size;
		range->clean = chunk->clean;
		chunk->clean = false;
	}
	mutex_unlock(&pool->lock);
	return 0;
}

/*
 * Whether the bytes of @chunk outside @range are zero. A shared chunk may
 * hold bytes of earlier small buffers. A dedicated chunk's tail past
 * @range->size is zero only if the whole chunk was when @range took it: a
 * chunk fresh from CMA, or taken dirty from the cache, had only
 * @range->size zeroed. Nothing reaches past @range->size meanwhile.
 */
static bool secbuf_chunk_tail_clean(struct secbuf_chunk *chunk,
				    struct secbuf_range *range)
{
	if (chunk->bitmap)
		return false;
	return range->size == chunk->size || range->clean;
}

/**
 * secbuf_pool_free() - give a range back to the pool
 * @pool: the pool
 * @range: a range returned by secbuf_pool_alloc()
 * @zeroed: the caller has zeroed the range (the chunk counts as clean only
 *          if its bytes outside the range are zero too)
 *
 * A chunk left empty goes to the chunk cache, or back to CMA.
 *
 * Context: Process context, may sleep in CMA. Takes &secbuf_pool.lock.
 */
void secbuf_pool_free(struct secbuf_pool *pool, struct secbuf_range *range,
		      bool zeroed)
{
	struct secbuf_chunk *chunk = range->chunk;
	unsigned long start;

	mutex_lock(&pool->lock);
	if (chunk->bitmap) {
		start = page_to_phys(range->page) - chunk->base;
		bitmap_clear(chunk->bitmap, start >> PAGE_SHIFT,
			     range->size >> PAGE_SHIFT);
		chunk->used_pages -= range->size >> PAGE_SHIFT;
		if (chunk->used_pages)
			chunk = NULL;
	}
	if (chunk) {
		list_del(&chunk->node);
		pool->chunk_bytes -= chunk->size;
		if (secbuf_cache_keep(pool, chunk,
				      zeroed && secbuf_chunk_tail_clean(chunk, range)))
			chunk = NULL;
	}
	mutex_unlock(&pool->lock);

	if (chunk)
		secbuf_chunk_destroy(pool, chunk);
	range->chunk = NULL;
}

/* Largest free run of pages in a shared chunk, in bytes. */
static size_t secbuf_chunk_largest_free(struct secbuf_chunk *chunk)
{
	unsigned int start = 0, end, best = 0;

	while (start < SECBUF_CHUNK_PAGES) {
		start = find_next_zero_bit(chunk->bitmap, SECBUF_CHUNK_PAGES,
					   start);
		if (start >= SECBUF_CHUNK_PAGES)
			break;
		end = find_next_bit(chunk->bitmap, SECBUF_CHUNK_PAGES, start);
		best = max(best, end - start);
		start = end;
	}
	return (size_t)best << PAGE_SHIFT;
}

/*
 * Largest range CMA could give a new chunk. With a dedicated region this is
 * the largest 2 MiB-aligned gap between the chunks; on a shared CMA area
 * only the pool's own capacity is known, an upper bound.
 */
static size_t secbuf_pool_largest_gap(struct secbuf_pool *pool)
{
	struct secbuf_chunk *chunk;
	phys_addr_t start, end;
	size_t best = 0;

	lockdep_assert_held(&pool->lock);

	if (!pool->region_known)
		return round_down(pool->size - pool->chunk_bytes,
				  SECBUF_CHUNK_SIZE);

	start = pool->base;
	list_for_each_entry(chunk, &pool->chunks, node) {
		phys_addr_t taken = page_to_phys(chunk->page);

		end = round_down(taken, SECBUF_CHUNK_SIZE);
		if (end > start)
			best = max_t(size_t, best, end - start);
		start = max(start, round_up(taken + chunk->alloc_size,
					    SECBUF_CHUNK_SIZE));
	}
	end = pool->base + pool->size;
	if (end > start)
		best = max_t(size_t, best, end - start);

	/* An allocation in flight may be about to take any of it. */
	return min(best, pool->size - pool->chunk_bytes);
}

/**
 * secbuf_pool_get_stats() - snapshot the counters of a pool
 * @pool: the pool
 * @stats: filled in
 *
 * Context: Process context. Takes &secbuf_pool.lock.
 */
void secbuf_pool_get_stats(struct secbuf_pool *pool,
			   struct secbuf_pool_stats *stats)
{
	struct secbuf_chunk *chunk;
	size_t largest;

	mutex_lock(&pool->lock);
	largest = secbuf_pool_largest_gap(pool);
	list_for_each_entry(chunk, &pool->chunks, node) {
		if (chunk->bitmap)
			largest = max(largest,
				      secbuf_chunk_largest_free(chunk));
	}

	stats->total_bytes = pool->size;
	stats->used_bytes = pool->used_bytes;
	stats->peak_used_bytes = pool->peak_used_bytes;
	stats->largest_free_bytes = min(largest, secbuf_pool_max_buffer(pool));
	stats->chunk_bytes = pool->chunk_bytes + pool->cache_bytes;
	stats->quarantined_bytes = pool->quarantined_bytes;
	stats->cached_bytes = pool->cache_bytes;
	stats->prezeroed_bytes = pool->clean_bytes;
	stats->nr_buffers = pool->nr_buffers;
	mutex_unlock(&pool->lock);
}
