// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf buffers: the memory of one allocation, its owner and its state.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/workqueue.h>
#include <linux/slab.h>

#include <linux/secbuf.h>

#include "compat.h"
#include "secbuf.h"

/* Zero this many pages between checks for a fatal signal. */
#define SECBUF_ZERO_BATCH	(SZ_1M >> PAGE_SHIFT)

/*
 * Zero a range in batches. A process killed while zeroing a large buffer
 * stops at once instead of finishing the work.
 */
static int secbuf_range_zero(struct secbuf_range *range)
{
	unsigned long i, n, nr_pages = range->size >> PAGE_SHIFT;

	for (i = 0; i < nr_pages; i += n) {
		n = min(nr_pages - i, (unsigned long)SECBUF_ZERO_BATCH);
		secbuf_pages_zero(range->page + i, n);
		if (i + n < nr_pages) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/*
 * One unsignaled fence on the buffer's reservation object, referenced, or
 * NULL when all have signaled. No allocation: the quarantine holds one
 * fence at a time and looks again when it signals.
 */
static struct dma_fence *secbuf_buffer_pending_fence(struct secbuf_buffer *buffer)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence, *found = NULL;

	dma_resv_iter_begin(&cursor, &buffer->resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (!dma_fence_is_signaled(fence)) {
			found = dma_fence_get(fence);
			break;
		}
	}
	dma_resv_iter_end(&cursor);
	return found;
}

/* Any context: the fences signal from wherever their driver does it. */
static void secbuf_buffer_fences_signaled(struct dma_fence *fence,
					  struct dma_fence_cb *cb)
{
	struct secbuf_buffer *buffer = container_of(cb, struct secbuf_buffer,
						    fences_cb);

	queue_work(secbuf_wq, &buffer->fences_work);
}

/*
 * Wait for the next unsignaled fence with a callback. Returns false if
 * none is left. The caller holds the buffer and module references the
 * callback's work item drops.
 */
static bool secbuf_buffer_fences_arm(struct secbuf_buffer *buffer)
{
	struct dma_fence *fence;

	while ((fence = secbuf_buffer_pending_fence(buffer))) {
		mutex_lock(&buffer->lock);
		buffer->fences = fence;
		mutex_unlock(&buffer->lock);
		if (!dma_fence_add_callback(fence, &buffer->fences_cb,
					    secbuf_buffer_fences_signaled))
			return true;
		/* Signaled meanwhile: look again. */
		mutex_lock(&buffer->lock);
		buffer->fences = NULL;
		mutex_unlock(&buffer->lock);
		dma_fence_put(fence);
	}
	return false;
}

static void secbuf_buffer_fences_work(struct work_struct *work)
{
	struct secbuf_buffer *buffer = container_of(work, struct secbuf_buffer,
						    fences_work);
	struct dma_fence *fences;

	mutex_lock(&buffer->lock);
	fences = buffer->fences;
	buffer->fences = NULL;
	mutex_unlock(&buffer->lock);
	dma_fence_put(fences);
	/* Fences added since count too: a device may still be at work. */
	if (secbuf_buffer_fences_arm(buffer))
		return;

	/* The hold ends here, not before: until now the memory stays. */
	mutex_lock(&buffer->lock);
	buffer->fences_held = false;
	mutex_unlock(&buffer->lock);
	secbuf_buffer_release_memory(buffer);
	secbuf_buffer_put(buffer);
	/* secbuf_exit() waits for this work item to return. */
	module_put(THIS_MODULE);
}

/*
 * Keep the memory of a revoked buffer quarantined until every fence on
 * it has signaled, the fences that come meanwhile too: a device may still
 * write it (an importer may keep using its old mapping until its fences
 * signal, even after it was told to let go and unmapped). Freeing memory
 * a device may still write is never an option. Returns false if no fence
 * was pending after all. The caller holds a reference to the buffer and
 * must not hold &secbuf_buffer.lock.
 */
static bool secbuf_buffer_hold_for_fences(struct secbuf_buffer *buffer)
{
	mutex_lock(&buffer->lock);
	if (buffer->fences_held) {
		mutex_unlock(&buffer->lock);
		return true;
	}
	buffer->fences_held = true;
	mutex_unlock(&buffer->lock);

	kref_get(&buffer->ref);
	__module_get(THIS_MODULE);
	if (secbuf_buffer_fences_arm(buffer))
		return true;
	/* All signaled meanwhile. */
	mutex_lock(&buffer->lock);
	buffer->fences_held = false;
	mutex_unlock(&buffer->lock);
	module_put(THIS_MODULE);
	secbuf_buffer_put(buffer);
	return false;
}

/**
 * secbuf_buffer_create() - allocate and zero the memory of a new buffer
 * @sfile: the pool file that will own the buffer
 * @size: requested size in bytes, not yet validated
 *
 * The buffer has no handle yet; see secbuf_handle_create().
 *
 * Context: Process context. Takes &secbuf_pool.lock; may sleep in CMA.
 * Return: the buffer with one reference, owned by the caller and dropped
 * with secbuf_buffer_put(), or an ERR_PTR(): -EINVAL for a zero size,
 * -EFBIG for a size larger than the pool's limit, -ENOSPC when the caller's
 * cgroup would go over its dmem.max, -EDQUOT when a per-file limit is
 * reached, -ENOMEM when the pool has no room, -EINTR when a fatal signal
 * interrupted zeroing.
 */
struct secbuf_buffer *secbuf_buffer_create(struct secbuf_file *sfile,
					   u64 size)
{
	struct secbuf_pool *pool = sfile->pool;
	struct secbuf_buffer *buffer;
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
	kref_init(&buffer->ref);
	buffer->pool = pool;
	buffer->size = len;
	INIT_LIST_HEAD(&buffer->owner_node);
	INIT_LIST_HEAD(&buffer->handles);
	init_waitqueue_head(&buffer->unmapped);
	xa_init(&buffer->grants);
	INIT_WORK(&buffer->fences_work, secbuf_buffer_fences_work);
	init_rwsem(&buffer->map_lock);
	mutex_init(&buffer->lock);
	dma_resv_init(&buffer->resv);
	buffer->fence_context = dma_fence_context_alloc(1);

	/* The caller's cgroup first: before any memory is taken. */
	ret = secbuf_cgroup_charge(pool, len, &buffer->cg_charge);
	if (ret)
		goto free_buffer;

	ret = secbuf_pool_charge(sfile, len);
	if (ret)
		goto uncharge_cgroup;

	ret = secbuf_pool_alloc(pool, len, &buffer->range);
	if (ret)
		goto uncharge_file;

	/*
	 * No byte of a previous owner may ever be seen by the next one. A
	 * chunk the cache zeroed ahead is clean already.
	 */
	if (!buffer->range.clean) {
		ret = secbuf_range_zero(&buffer->range);
		if (ret)
			goto free_range;
	}

	kref_get(&sfile->ref);
	buffer->owner = sfile;
	mutex_lock(&pool->lock);
	buffer->id = pool->next_id++;
	list_add_tail(&buffer->owner_node, &sfile->buffers);
	mutex_unlock(&pool->lock);
	return buffer;

free_range:
	secbuf_pool_free(pool, &buffer->range, false);
uncharge_file:
	secbuf_pool_uncharge(sfile, len);
uncharge_cgroup:
	secbuf_cgroup_uncharge(&buffer->cg_charge, len);
free_buffer:
	dma_resv_fini(&buffer->resv);
	mutex_destroy(&buffer->lock);
	kfree(buffer);
	return ERR_PTR(ret);
}

/* Quarantine accounting moves with the buffer's state, under its lock. */
static void secbuf_buffer_quarantine(struct secbuf_buffer *buffer)
{
	struct secbuf_pool *pool = buffer->pool;

	lockdep_assert_held(&buffer->lock);
	buffer->quarantined = true;
	mutex_lock(&pool->lock);
	pool->quarantined_bytes += buffer->size;
	mutex_unlock(&pool->lock);
}

static void secbuf_buffer_unquarantine(struct secbuf_buffer *buffer)
{
	struct secbuf_pool *pool = buffer->pool;

	lockdep_assert_held(&buffer->lock);
	if (!buffer->quarantined)
		return;
	buffer->quarantined = false;
	mutex_lock(&pool->lock);
	pool->quarantined_bytes -= buffer->size;
	mutex_unlock(&pool->lock);
}

/**
 * secbuf_buffer_release_memory() - give the memory back if nothing can reach it
 * @buffer: the buffer
 *
 * The memory goes back to the pool once the buffer is revoked, the
 * revocation is done waiting for fences, and no device mapping, kernel
 * mapping or unsignaled fence it gave up waiting for is left (CPU mappings are zapped by the
 * revocation and cannot come back; an attachment without a mapping can no
 * longer get one). It goes back dirty, as a released buffer's does: the
 * pool zeroes it before anyone gets it again, in the chunk cache's worker
 * or at the next allocation, so a revocation costs the zap, not the
 * zeroing of the whole buffer. Does nothing otherwise, or if the memory is
 * already back.
 *
 * Context: Process context. Takes &secbuf_buffer.lock and
 * &secbuf_pool.lock; must not hold either.
 */
void secbuf_buffer_release_memory(struct secbuf_buffer *buffer)
{
	struct secbuf_pool *pool = buffer->pool;
	struct secbuf_range range;

	for (;;) {
		mutex_lock(&buffer->lock);
		if (!buffer->range.chunk || !buffer->revoked ||
		    buffer->revoking || buffer->nr_mapped ||
		    buffer->vmap_count || buffer->fences_held) {
			mutex_unlock(&buffer->lock);
			return;
		}
		if (dma_resv_test_signaled(&buffer->resv,
					   DMA_RESV_USAGE_BOOKKEEP))
			break;
		mutex_unlock(&buffer->lock);
		if (secbuf_buffer_hold_for_fences(buffer))
			return;
	}
	range = buffer->range;
	buffer->range.chunk = NULL;
	secbuf_buffer_unquarantine(buffer);
	mutex_unlock(&buffer->lock);

	secbuf_pool_free(pool, &range, false);
	secbuf_pool_uncharge(buffer->owner, buffer->size);
	secbuf_cgroup_uncharge(&buffer->cg_charge, buffer->size);
}

static void secbuf_buffer_release(struct kref *ref)
{
	struct secbuf_buffer *buffer = container_of(ref, struct secbuf_buffer,
						    ref);
	struct secbuf_pool *pool = buffer->pool;

	/* No handle is left, so nothing can reach the memory. */
	WARN_ON(!list_empty(&buffer->handles));
	WARN_ON(!xa_empty(&buffer->grants));
	secbuf_window_close(buffer->window, -ECANCELED);
	mutex_lock(&buffer->lock);
	secbuf_buffer_unquarantine(buffer);
	mutex_unlock(&buffer->lock);
	if (buffer->range.chunk) {
		secbuf_pool_free(pool, &buffer->range, false);
		secbuf_pool_uncharge(buffer->owner, buffer->size);
		secbuf_cgroup_uncharge(&buffer->cg_charge, buffer->size);
	}

	mutex_lock(&pool->lock);
	list_del_init(&buffer->owner_node);
	mutex_unlock(&pool->lock);

	secbuf_file_put(buffer->owner);
	dma_resv_fini(&buffer->resv);
	mutex_destroy(&buffer->lock);
	kfree(buffer);
}

/**
 * secbuf_buffer_put() - drop a reference on a buffer
 * @buffer: the buffer
 *
 * Context: Process context; the last reference frees the memory.
 */
void secbuf_buffer_put(struct secbuf_buffer *buffer)
{
	kref_put(&buffer->ref, secbuf_buffer_release);
}

/**
 * secbuf_buffer_zap() - zap the CPU mappings of every handle of a buffer
 * @buffer: the buffer
 * @move_notify: also tell dynamic importers of every handle to let go
 *
 * The caller has already changed the state the fault handler checks, so
 * what refaults sees it.
 *
 * Context: Process context. The caller holds the buffer's reservation
 * lock, which keeps the handle list stable, and no other secbuf lock.
 */
void secbuf_buffer_zap(struct secbuf_buffer *buffer, bool move_notify)
{
	struct secbuf_handle *handle;

	dma_resv_assert_held(&buffer->resv);
	list_for_each_entry(handle, &buffer->handles, link)
		secbuf_handle_zap(handle, move_notify);
}

/*
 * Set the revoked state and zap every mapping: *@first tells whether this
 * call revoked the buffer (false: it was revoked already, and its zap is
 * done by the time this returns).
 */
static int secbuf_buffer_revoke_start(struct secbuf_buffer *buffer,
				      bool *first)
{
	struct secbuf_window *window;
	bool already;

	/*
	 * The reservation lock is held from the state change through the
	 * zap, so a concurrent revocation that finds the buffer revoked
	 * already returns only once every mapping is gone.
	 */
	dma_resv_lock(&buffer->resv, NULL);
	down_write(&buffer->map_lock);
	if (buffer->seals & SECBUF_SEAL_REVOKE) {
		up_write(&buffer->map_lock);
		dma_resv_unlock(&buffer->resv);
		return -EPERM;
	}
	mutex_lock(&buffer->lock);
	already = buffer->revoked;
	buffer->revoked = true;
	/*
	 * A dynamic importer unmaps from the move_notify of the zap below,
	 * but may use its old mapping until its fences signal: the memory
	 * stays until secbuf_buffer_revoke_finish() has waited for them. It
	 * counts as quarantined from now on, so that a concurrent revocation,
	 * which returns at once, reports it.
	 */
	if (!already) {
		buffer->revoking = true;
		if (buffer->range.chunk)
			secbuf_buffer_quarantine(buffer);
	}
	mutex_unlock(&buffer->lock);
	window = secbuf_window_take(buffer);
	up_write(&buffer->map_lock);
	if (!already)
		secbuf_buffer_zap(buffer, true);
	dma_resv_unlock(&buffer->resv);

	/* Faults waiting for the window wake up and find the buffer revoked. */
	secbuf_window_close(window, -ECANCELED);
	*first = !already;
	return 0;
}

/*
 * Wait for the fences of a buffer just revoked until @deadline (jiffies),
 * then give the memory back, or quarantine it while a device may still
 * reach it.
 */
/* Jiffies from now until @deadline, 0 once it has passed; read once. */
static long secbuf_jiffies_left(unsigned long deadline)
{
	unsigned long now = jiffies;

	return time_before(now, deadline) ? deadline - now : 0;
}

static void secbuf_buffer_revoke_finish(struct secbuf_buffer *buffer,
					unsigned long deadline)
{
	dma_resv_wait_timeout(&buffer->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      secbuf_jiffies_left(deadline));
	/*
	 * Importers that can be cut off (secbuf_attach_revocable()) were
	 * told to let go and promised to unmap in bounded time: wait for
	 * them too, within the same deadline, so that the memory goes back
	 * now rather than from their unmap. Those that cannot keep it
	 * quarantined until they unmap, however long that takes.
	 */
	wait_event_timeout(buffer->unmapped,
			   !READ_ONCE(buffer->nr_revocable_mapped),
			   secbuf_jiffies_left(deadline));

	mutex_lock(&buffer->lock);
	buffer->revoking = false;
	mutex_unlock(&buffer->lock);

	/*
	 * Quarantined since revoke_start, until nothing can reach it: the
	 * fences not signaled in time keep it (secbuf_buffer_hold_for_fences()).
	 */
	secbuf_buffer_release_memory(buffer);
}

/**
 * secbuf_buffer_revoke() - revoke a buffer, irreversibly
 * @buffer: the buffer
 *
 * Every CPU mapping of every handle is zapped and later touches raise
 * SIGBUS; new mmap, attach, map and vmap fail. An open DMA window closes,
 * its fence signaling -ECANCELED. The fences on the buffer are waited
 * for, up to the revoke_timeout_ms parameter; memory a device may still
 * reach (a device mapping, a kernel mapping, a fence not signaled in time)
 * stays quarantined until it cannot any more.
 *
 * Context: Process context. Takes every secbuf lock of the buffer and its
 * reservation lock; must hold none of them.
 * Return: 0, also for a buffer already revoked (once every mapping is
 * gone, also when that revocation is still under way), or -EPERM if the
 * buffer is sealed with %SECBUF_SEAL_REVOKE.
 */
int secbuf_buffer_revoke(struct secbuf_buffer *buffer)
{
	bool first;
	int ret;

	ret = secbuf_buffer_revoke_start(buffer, &first);
	if (!ret && first)
		secbuf_buffer_revoke_finish(buffer, jiffies +
			msecs_to_jiffies(READ_ONCE(secbuf_revoke_timeout_ms)));
	return ret;
}

/**
 * secbuf_buffer_revoke_grant() - revoke one grant of a buffer, irreversibly
 * @buffer: the buffer
 * @grant_id: the grant's id; 0 means the owner's handle, i.e. the buffer
 *
 * Only the mappings and attachments made through that grant, and through
 * every grant derived from it (%SECBUF_GRANT_REGRANT) at any depth, lose
 * access; every other handle of the buffer keeps its mappings, untouched.
 * A grant whose fd was closed stays revocable while a grant derived from
 * it lives. The cost is the size of the grant's subtree, whatever the
 * number of other grants.
 *
 * Context: Process context. Takes the buffer's locks and its reservation
 * lock; must hold none of them.
 * Return: 0, -ENOENT if neither that grant nor any grant derived from it
 * lives, or -EPERM if the buffer is sealed with %SECBUF_SEAL_REVOKE.
 */
int secbuf_buffer_revoke_grant(struct secbuf_buffer *buffer, u64 grant_id)
{
	struct secbuf_handle *handle, *tmp;
	LIST_HEAD(zap);
	int ret;

	if (!grant_id)
		return secbuf_buffer_revoke(buffer);

	/*
	 * The reservation lock keeps the handles on the zap list from being
	 * released, and makes a concurrent revocation of the same grant
	 * return only after this one zapped.
	 */
	dma_resv_lock(&buffer->resv, NULL);
	down_write(&buffer->map_lock);
	if (buffer->seals & SECBUF_SEAL_REVOKE) {
		ret = -EPERM;
	} else {
		mutex_lock(&buffer->lock);
		ret = secbuf_grant_revoke_subtree(buffer, grant_id, &zap);
		mutex_unlock(&buffer->lock);
	}
	up_write(&buffer->map_lock);

	list_for_each_entry_safe(handle, tmp, &zap, zap_node) {
		list_del(&handle->zap_node);
		secbuf_handle_zap(handle, true);
	}
	dma_resv_unlock(&buffer->resv);
	return ret;
}

/**
 * secbuf_file_revoke_all() - revoke every buffer a closing pool file owns
 * @sfile: the pool file
 *
 * The creator controls destruction: when the owner goes away, so does
 * everyone's access to its buffers. Buffers sealed with
 * %SECBUF_SEAL_REVOKE stay: they live until their last handle goes. The
 * wait for fences is bounded by one revoke_timeout_ms in all, however
 * many buffers there are.
 *
 * Context: Process context, from the pool file's release.
 */
void secbuf_file_revoke_all(struct secbuf_file *sfile)
{
	struct secbuf_pool *pool = sfile->pool;
	struct secbuf_buffer *buffer, *tmp;
	unsigned long deadline;
	LIST_HEAD(doomed);
	LIST_HEAD(started);
	bool first;

	/* Buffers already on their way out are skipped: nothing maps them. */
	mutex_lock(&pool->lock);
	list_for_each_entry_safe(buffer, tmp, &sfile->buffers, owner_node) {
		if (kref_get_unless_zero(&buffer->ref))
			list_move_tail(&buffer->owner_node, &doomed);
	}
	mutex_unlock(&pool->lock);

	/*
	 * Revoke them all first, then wait for their fences against one
	 * deadline: however many buffers the owner had, its exit waits one
	 * revoke_timeout_ms at most. What a device may still reach after it
	 * stays quarantined.
	 */
	list_for_each_entry_safe(buffer, tmp, &doomed, owner_node) {
		if (!secbuf_buffer_revoke_start(buffer, &first) && first)
			list_move_tail(&buffer->owner_node, &started);
	}
	deadline = jiffies +
		   msecs_to_jiffies(READ_ONCE(secbuf_revoke_timeout_ms));
	list_for_each_entry(buffer, &started, owner_node)
		secbuf_buffer_revoke_finish(buffer, deadline);
	list_splice_tail_init(&started, &doomed);

	list_for_each_entry_safe(buffer, tmp, &doomed, owner_node) {
		mutex_lock(&pool->lock);
		list_del_init(&buffer->owner_node);
		mutex_unlock(&pool->lock);
		secbuf_buffer_put(buffer);
	}
}
