// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pool memory charged to cgroups: each pool is a region of the dmem cgroup
 * controller, "secbuf/<pool>", sized to the pool, as a TTM driver's VRAM
 * is. An allocation is charged to the allocating task's cgroup before any
 * memory is taken, and uncharged when the memory goes back to the pool:
 * at the buffer's last release, or when the quarantine of a revoked buffer
 * ends. Grants and imports charge nothing: the memory is the owner's.
 *
 * The charge is what the buffer takes from the pool,
 * secbuf_pool_footprint(): its pages, and for a buffer of 2 MiB or more
 * its own chunk, rounded up to 2 MiB. Charged the page-rounded size
 * alone, buffers of 2 MiB + 4 KiB would take 4 MiB of the pool each for
 * 2 MiB + 4 KiB of a cgroup's limit, and a cgroup limited to half the pool
 * could take almost all of it.
 *
 * Built only where the kernel has the controller (compat.h).
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/cgroup_dmem.h>
#include <linux/err.h>

#include "compat.h"
#include "secbuf.h"

#ifdef SECBUF_DMEM_RECLAIM
/*
 * The controller calls this when dmem.max is set below a cgroup's usage,
 * in the writer's task (not for an O_NONBLOCK write). Memory a buffer uses
 * is never taken away, so the only thing to give is the chunk cache's free
 * memory (secbuf-cache.c). That memory is charged to no cgroup, so giving
 * it back is no progress towards @target_bytes: say so (-ENOSPC), and the
 * controller stops after a bounded number of calls (17 on 7.3) instead of
 * waiting for a usage that cannot drop. Once the cache is empty a call
 * only takes &secbuf_pool.lock for a moment.
 */
static int secbuf_cgroup_reclaim(struct dmem_cgroup_pool_state *state,
				 u64 target_bytes, void *priv)
{
	struct secbuf_pool *pool = priv;

	secbuf_cache_shrink(pool, min_t(u64, target_bytes, SIZE_MAX));
	return -ENOSPC;
}

static const struct dmem_cgroup_ops secbuf_cgroup_ops = {
	.reclaim = secbuf_cgroup_reclaim,
};
#endif

/**
 * secbuf_cgroup_register() - make @pool a region of the dmem controller
 * @pool: the pool, with its name and size set
 *
 * Context: Process context.
 * Return: 0, or -ENOMEM.
 */
int secbuf_cgroup_register(struct secbuf_pool *pool)
{
	struct dmem_cgroup_region *region;
#ifdef SECBUF_DMEM_RECLAIM
	const struct dmem_cgroup_init init = {
		.size = pool->size,
		.ops = &secbuf_cgroup_ops,
		.reclaim_priv = pool,
	};

	region = dmem_cgroup_register_region(&init, "secbuf/%s", pool->name);
#else
	region = dmem_cgroup_register_region(pool->size, "secbuf/%s",
					     pool->name);
#endif
	if (IS_ERR(region))
		return PTR_ERR(region);
	/* NULL only for a size of 0: a pool holds one chunk at least. */
	if (WARN_ON(!region))
		return -ENOMEM;
	pool->cg_region = region;
	return 0;
}

/**
 * secbuf_cgroup_unregister() - undo secbuf_cgroup_register()
 * @pool: the pool; no buffer of it may be alive
 *
 * Waits for a reclaim call in flight, which uses the pool's cache.
 *
 * Context: Process context.
 */
void secbuf_cgroup_unregister(struct secbuf_pool *pool)
{
	dmem_cgroup_unregister_region(pool->cg_region);
	pool->cg_region = NULL;
}

/**
 * secbuf_cgroup_charge() - charge an allocation to the caller's cgroup
 * @pool: the pool the memory will come from
 * @size: page-aligned size of the buffer; its footprint is charged
 * @charge: set to what secbuf_cgroup_uncharge() must be given
 *
 * Context: Process context, in the allocating task.
 * Return: 0; -ENOSPC when the allocation would take the caller's cgroup,
 * or an ancestor, over its dmem.max (as TTM returns when a charge fails
 * and nothing can be evicted: secbuf never evicts, so trying again cannot
 * help until the cgroup frees memory); or -ENOMEM.
 */
int secbuf_cgroup_charge(struct secbuf_pool *pool, size_t size,
			 struct dmem_cgroup_pool_state **charge)
{
	int ret;

	ret = dmem_cgroup_try_charge(pool->cg_region,
				     secbuf_pool_footprint(size), charge, NULL);
	return ret == -EAGAIN ? -ENOSPC : ret;
}

/**
 * secbuf_cgroup_uncharge() - undo secbuf_cgroup_charge()
 * @charge: the charge; NULL afterwards
 * @size: the buffer size given to secbuf_cgroup_charge()
 *
 * Context: Any context.
 */
void secbuf_cgroup_uncharge(struct dmem_cgroup_pool_state **charge,
			    size_t size)
{
	dmem_cgroup_uncharge(*charge, secbuf_pool_footprint(size));
	*charge = NULL;
}
