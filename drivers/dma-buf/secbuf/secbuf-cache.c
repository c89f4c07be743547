// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf chunk cache: freed chunks kept from CMA and zeroed off the hot path.
 *
 * Copyright (C) 2026 The secbuf authors
 */

/**
 * DOC: chunk cache
 *
 * Taking memory from CMA may migrate pages and always needs zeroing, which
 * makes large allocations slow. So a chunk that falls free is not handed
 * back to CMA at once: up to the cache_max_bytes parameter (per pool), it
 * is kept on &secbuf_pool.cache and a worker zeroes it. An allocation of a
 * dedicated chunk of the same size takes a cached one, preferring a zeroed
 * one, which then needs no zeroing at all; a chunk the worker has not done
 * yet is zeroed inline, as a chunk from CMA is. No buffer is ever handed
 * out with a previous owner's bytes.
 *
 * The cache never changes where CMA places memory: an allocation that
 * finds no cached chunk of its size first stops the worker and gives the
 * whole cache back, so CMA's first fit sees the pool as it would without a
 * cache, and the cache cannot fragment it.
 * It is also memory CMA could lend to the rest of the system, so a
 * shrinker hands it back under memory pressure. Cached bytes count as free
 * in largest_free_bytes for both reasons.
 */

#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "secbuf.h"

/* The worker checks for a drain between batches of this many pages. */
#define SECBUF_CACHE_ZERO_BATCH	(SZ_256K >> PAGE_SHIFT)

/*
 * The worker starts this long after a chunk is cached. Started at once, it
 * is woken from the call that freed the chunk (a close, a REVOKE) and may
 * preempt it on its CPU for a whole time slice of zeroing: that made a
 * revocation take either ~0.2 ms or ~3 ms (make bench's SPREAD flag).
 */
#define SECBUF_CACHE_ZERO_DELAY	msecs_to_jiffies(5)

/* Let the worker zero what is dirty, soon but not in the caller's time. */
static void secbuf_cache_kick(struct secbuf_pool *pool)
{
	queue_delayed_work(system_dfl_wq, &pool->zero_work,
			   SECBUF_CACHE_ZERO_DELAY);
}

/* Stop the worker: a pending start is cancelled, a run ends at a batch. */
static void secbuf_cache_stop_worker(struct secbuf_pool *pool)
{
	WRITE_ONCE(pool->cache_stop, true);
	cancel_delayed_work_sync(&pool->zero_work);
}

static bool secbuf_cache_fits(struct secbuf_pool *pool, size_t size)
{
	size_t max = min_t(size_t, READ_ONCE(secbuf_cache_max_bytes),
			   pool->size);

	return size <= max && pool->cache_bytes <= max - size;
}

/**
 * secbuf_cache_keep() - keep a free chunk instead of giving it back to CMA
 * @pool: the pool
 * @chunk: a chunk no range uses any more, off &secbuf_pool.chunks
 * @clean: every byte of @chunk is zero
 *
 * Only chunks without slack (&secbuf_chunk.alloc_size equal to their size)
 * are kept, so that a cached chunk can serve any allocation of its size.
 *
 * Context: Process context. The caller holds &secbuf_pool.lock.
 * Return: true if the cache took @chunk, false if the caller must destroy
 * it.
 */
bool secbuf_cache_keep(struct secbuf_pool *pool, struct secbuf_chunk *chunk,
		       bool clean)
{
	lockdep_assert_held(&pool->lock);

	if (chunk->alloc_size != chunk->size ||
	    !secbuf_cache_fits(pool, chunk->size))
		return false;

	bitmap_free(chunk->bitmap);
	chunk->bitmap = NULL;
	chunk->used_pages = 0;
	chunk->clean = clean;
	chunk->busy = false;
	pool->cache_bytes += chunk->size;
	if (clean) {
		pool->clean_bytes += chunk->size;
		list_add(&chunk->node, &pool->cache);
	} else {
		list_add_tail(&chunk->node, &pool->cache);
		secbuf_cache_kick(pool);
	}
	return true;
}

/**
 * secbuf_cache_take() - take a cached chunk for a new dedicated allocation
 * @pool: the pool
 * @size: the chunk size wanted, a multiple of %SECBUF_CHUNK_SIZE
 *
 * Context: Process context. The caller holds &secbuf_pool.lock.
 * Return: a chunk of exactly @size, zeroed if one is (&secbuf_chunk.clean
 * says), off the cache; or NULL.
 */
struct secbuf_chunk *secbuf_cache_take(struct secbuf_pool *pool, size_t size)
{
	struct secbuf_chunk *chunk, *found = NULL;

	lockdep_assert_held(&pool->lock);

	list_for_each_entry(chunk, &pool->cache, node) {
		if (chunk->size != size || chunk->busy)
			continue;
		if (chunk->clean) {
			found = chunk;
			break;
		}
		if (!found)
			found = chunk;
	}
	if (!found)
		return NULL;

	list_del(&found->node);
	pool->cache_bytes -= found->size;
	if (found->clean)
		pool->clean_bytes -= found->size;
	return found;
}

/**
 * secbuf_cache_busy() - whether the worker is zeroing a chunk of a size
 * @pool: the pool
 * @size: the chunk size
 *
 * Context: Process context. The caller holds &secbuf_pool.lock.
 * Return: true if the chunk the worker holds has @size.
 */
bool secbuf_cache_busy(struct secbuf_pool *pool, size_t size)
{
	struct secbuf_chunk *chunk;

	lockdep_assert_held(&pool->lock);

	list_for_each_entry(chunk, &pool->cache, node) {
		if (chunk->busy && chunk->size == size)
			return true;
	}
	return false;
}

/**
 * secbuf_cache_take_busy() - stop the worker and take a chunk of a size
 * @pool: the pool
 * @size: the chunk size, a multiple of %SECBUF_CHUNK_SIZE
 *
 * For an allocation whose only fitting cached chunk is the one the worker
 * is zeroing (a buffer freed and allocated again at once): the worker
 * stops within a batch of pages and the chunk is taken as it is, dirty,
 * instead of the whole cache going back to CMA to be asked for again. The
 * worker then goes on with whatever else is dirty.
 *
 * Context: Process context. Takes &secbuf_pool.lock; must not hold it.
 * Return: a chunk of exactly @size off the cache, or NULL.
 */
struct secbuf_chunk *secbuf_cache_take_busy(struct secbuf_pool *pool,
					    size_t size)
{
	struct secbuf_chunk *chunk;

	secbuf_cache_stop_worker(pool);
	mutex_lock(&pool->lock);
	chunk = secbuf_cache_take(pool, size);
	mutex_unlock(&pool->lock);
	WRITE_ONCE(pool->cache_stop, false);
	if (READ_ONCE(pool->cache_bytes) != READ_ONCE(pool->clean_bytes))
		secbuf_cache_kick(pool);
	return chunk;
}

/*
 * Move up to @max_bytes of cached chunks the worker is not touching onto
 * @list, for secbuf_cache_release() once the lock is dropped.
 */
static size_t secbuf_cache_detach(struct secbuf_pool *pool,
				  struct list_head *list, size_t max_bytes)
{
	struct secbuf_chunk *chunk, *tmp;
	size_t bytes = 0;

	lockdep_assert_held(&pool->lock);

	/* Dirty chunks first: they are the least useful. */
	list_for_each_entry_safe_reverse(chunk, tmp, &pool->cache, node) {
		if (bytes >= max_bytes)
			break;
		if (chunk->busy)
			continue;
		list_move(&chunk->node, list);
		pool->cache_bytes -= chunk->size;
		if (chunk->clean)
			pool->clean_bytes -= chunk->size;
		bytes += chunk->size;
	}
	return bytes;
}

/* Give chunks taken off the cache back to CMA; no lock held. */
static void secbuf_cache_release(struct secbuf_pool *pool,
				 struct list_head *list)
{
	struct secbuf_chunk *chunk, *tmp;

	list_for_each_entry_safe(chunk, tmp, list, node) {
		list_del(&chunk->node);
		secbuf_chunk_destroy(pool, chunk);
	}
}

/**
 * secbuf_cache_drain() - give every cached chunk back to CMA
 * @pool: the pool
 *
 * Stops the zeroing worker first (it gives up within a batch of pages), so
 * that no chunk stays behind.
 *
 * Context: Process context. Takes &secbuf_pool.lock; must not hold it.
 */
void secbuf_cache_drain(struct secbuf_pool *pool)
{
	LIST_HEAD(list);

	secbuf_cache_stop_worker(pool);
	mutex_lock(&pool->lock);
	secbuf_cache_detach(pool, &list, SIZE_MAX);
	mutex_unlock(&pool->lock);
	WRITE_ONCE(pool->cache_stop, false);
	secbuf_cache_release(pool, &list);
	/* A chunk cached while we drained waits for the worker. */
	if (READ_ONCE(pool->cache_bytes))
		secbuf_cache_kick(pool);
}

/**
 * secbuf_cache_shrink() - give up to @bytes of cached chunks back to CMA
 * @pool: the pool
 * @bytes: how much to give back
 *
 * For the dmem cgroup controller's reclaim (secbuf-cgroup.c). Unlike
 * secbuf_cache_drain() it leaves the worker alone: a chunk it is zeroing
 * stays.
 *
 * Context: Process context. Takes &secbuf_pool.lock; must not hold it.
 * Return: the bytes given back.
 */
size_t secbuf_cache_shrink(struct secbuf_pool *pool, size_t bytes)
{
	LIST_HEAD(list);
	size_t freed;

	mutex_lock(&pool->lock);
	freed = secbuf_cache_detach(pool, &list, bytes);
	mutex_unlock(&pool->lock);
	secbuf_cache_release(pool, &list);
	return freed;
}

static void secbuf_cache_zero_work(struct work_struct *work)
{
	struct secbuf_pool *pool = container_of(to_delayed_work(work),
						struct secbuf_pool, zero_work);
	struct secbuf_chunk *chunk;
	unsigned long i, nr_pages;

	for (;;) {
		mutex_lock(&pool->lock);
		list_for_each_entry(chunk, &pool->cache, node) {
			if (!chunk->clean && !chunk->busy)
				goto found;
		}
		mutex_unlock(&pool->lock);
		return;
found:
		/* Busy keeps it in the cache, away from takers. */
		chunk->busy = true;
		mutex_unlock(&pool->lock);

		nr_pages = chunk->size >> PAGE_SHIFT;
		for (i = 0; i < nr_pages; i += SECBUF_CACHE_ZERO_BATCH) {
			if (READ_ONCE(pool->cache_stop))
				break;
			secbuf_pages_zero(pfn_to_page(PHYS_PFN(chunk->base) + i),
					  min_t(unsigned long, nr_pages - i,
						SECBUF_CACHE_ZERO_BATCH));
			cond_resched();
		}
		i = min(i, nr_pages);

		mutex_lock(&pool->lock);
		chunk->busy = false;
		if (i == nr_pages) {
			chunk->clean = true;
			pool->clean_bytes += chunk->size;
			/* Zeroed chunks first, so that takers find them. */
			list_move(&chunk->node, &pool->cache);
		}
		mutex_unlock(&pool->lock);
		if (i < nr_pages)
			return;
	}
}

static unsigned long secbuf_cache_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct secbuf_pool *pool = secbuf_shrinker_private(shrinker);
	unsigned long pages = READ_ONCE(pool->cache_bytes) >> PAGE_SHIFT;

	return pages ? pages : SHRINK_EMPTY;
}

static unsigned long secbuf_cache_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct secbuf_pool *pool = secbuf_shrinker_private(shrinker);
	LIST_HEAD(list);
	size_t bytes;

	/* Reclaim may run under an allocation that holds the pool lock. */
	if (!mutex_trylock(&pool->lock))
		return SHRINK_STOP;
	bytes = secbuf_cache_detach(pool, &list,
				    sc->nr_to_scan << PAGE_SHIFT);
	mutex_unlock(&pool->lock);
	secbuf_cache_release(pool, &list);
	return bytes ? bytes >> PAGE_SHIFT : SHRINK_STOP;
}

/**
 * secbuf_cache_init() - set up a pool's chunk cache and its shrinker
 * @pool: the pool, with its name set
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int secbuf_cache_init(struct secbuf_pool *pool)
{
	INIT_LIST_HEAD(&pool->cache);
	INIT_DELAYED_WORK(&pool->zero_work, secbuf_cache_zero_work);
	pool->shrinker = secbuf_shrinker_create(pool, secbuf_cache_count,
						secbuf_cache_scan, pool->name);
	return pool->shrinker ? 0 : -ENOMEM;
}

/**
 * secbuf_cache_fini() - give the cache back to CMA and tear it down
 * @pool: the pool
 *
 * Context: Process context.
 */
void secbuf_cache_fini(struct secbuf_pool *pool)
{
	LIST_HEAD(list);

	secbuf_shrinker_destroy(pool->shrinker);
	cancel_delayed_work_sync(&pool->zero_work);
	mutex_lock(&pool->lock);
	secbuf_cache_detach(pool, &list, SIZE_MAX);
	WARN_ON(!list_empty(&pool->cache));
	mutex_unlock(&pool->lock);
	secbuf_cache_release(pool, &list);
}
