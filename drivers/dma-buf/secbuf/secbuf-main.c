// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf: owner-controlled, physically contiguous dma-buf pools.
 *
 * The platform driver binds to "secbuf,pool" device-tree nodes, each of
 * which points at a reusable shared-dma-pool (a CMA area) through
 * memory-region. Without a device tree, the cma_pool_size parameter creates
 * one pool on the default CMA area.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "secbuf.h"

#define SECBUF_DRIVER_NAME	"secbuf"
#define SECBUF_DEFAULT_POOL	"default"
#define SECBUF_NAME_MAX		32

unsigned long secbuf_max_file_bytes;
module_param_named(max_file_bytes, secbuf_max_file_bytes, ulong, 0644);
MODULE_PARM_DESC(max_file_bytes,
		 "Bytes of live buffers one open pool file may own (0: the pool size)");

unsigned int secbuf_max_file_buffers = 1024;
module_param_named(max_file_buffers, secbuf_max_file_buffers, uint, 0644);
MODULE_PARM_DESC(max_file_buffers,
		 "Live buffers one open pool file may own (0: no limit)");

unsigned int secbuf_dev_mode = 0600;
module_param_named(dev_mode, secbuf_dev_mode, uint, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Mode of /dev/secbuf/<pool> and of secbuf's own /dev/dma_heap/<pool> (default 0600)");

unsigned int secbuf_revoke_timeout_ms = 10000;
module_param_named(revoke_timeout_ms, secbuf_revoke_timeout_ms, uint, 0644);
MODULE_PARM_DESC(revoke_timeout_ms,
		 "How long a revoke waits for device fences (default 10000 ms)");

unsigned int secbuf_dma_window_timeout_ms = 10000;
module_param_named(dma_window_timeout_ms, secbuf_dma_window_timeout_ms, uint,
		   0644);
MODULE_PARM_DESC(dma_window_timeout_ms,
		 "A DMA window not closed after this long expires and its fence signals with -ETIMEDOUT (default 10000 ms)");

unsigned long secbuf_cache_max_bytes = SZ_64M;
module_param_named(cache_max_bytes, secbuf_cache_max_bytes, ulong, 0644);
MODULE_PARM_DESC(cache_max_bytes,
		 "Bytes of freed chunks each pool keeps from CMA, zeroed in the background (default 64 MiB, 0: none)");

static char *cma_pool_size = "0";
module_param(cma_pool_size, charp, 0444);
MODULE_PARM_DESC(cma_pool_size,
		 "Size of a pool \"default\" on the default CMA area, e.g. 64M");

static struct platform_device *secbuf_default_pdev;

/* Find the pool's reserved-memory region and make it the device's CMA area. */
static int secbuf_probe_of(struct secbuf_pool *pool, struct device *dev,
			   const char **name, size_t *size)
{
	struct device_node *np = dev->of_node;
	struct device_node *rnp;
	struct reserved_mem *rmem;
	int ret;

	rnp = of_parse_phandle(np, "memory-region", 0);
	if (!rnp)
		return dev_err_probe(dev, -EINVAL, "no memory-region\n");
	if (!of_device_is_compatible(rnp, "shared-dma-pool") ||
	    !of_property_read_bool(rnp, "reusable")) {
		of_node_put(rnp);
		return dev_err_probe(dev, -EINVAL,
				     "memory-region is not a reusable shared-dma-pool (CMA)\n");
	}
	rmem = of_reserved_mem_lookup(rnp);
	of_node_put(rnp);
	if (!rmem)
		return dev_err_probe(dev, -EPROBE_DEFER,
				     "memory-region not set up\n");

	ret = of_reserved_mem_device_init(dev);
	if (ret)
		return dev_err_probe(dev, ret,
				     "cannot use memory-region as CMA area\n");
	pool->rmem_initialized = true;
	pool->base = rmem->base;
	pool->region_known = true;
	*size = rmem->size;

	if (of_property_read_string(np, "label", name))
		*name = np->name;
	return 0;
}

/*
 * The default CMA area is not visible to modules, so whether the kernel was
 * booted with one (cma=) cannot be checked here; without it, dma_alloc_pages()
 * serves chunks from the page allocator, up to its largest order.
 */
static int secbuf_probe_default(struct device *dev, const char **name,
				size_t *size)
{
	*size = memparse(cma_pool_size, NULL);
	*name = SECBUF_DEFAULT_POOL;
	return 0;
}

/*
 * A pool name becomes a device node, a dma-heap and a dmem cgroup region,
 * and udev rules match it: letters, digits and "._:+@,-" only. That keeps
 * out '/', blanks (dmem's files hold "<region> <value>" lines, and its
 * limit parser ends a region name at a blank), '%' (the dma-heap core
 * passes the name to device_create() as its format) and the quotes and
 * other characters udev would rewrite or split.
 */
static bool secbuf_name_char_valid(char c)
{
	return (isascii(c) && isalnum(c)) || strchr("._:+@,-", c);
}

static bool secbuf_name_valid(const char *name)
{
	size_t len = strnlen(name, SECBUF_NAME_MAX);
	size_t i;

	if (!len || len >= SECBUF_NAME_MAX ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!secbuf_name_char_valid(name[i]))
			return false;
	return true;
}

static int secbuf_pool_names(struct secbuf_pool *pool, struct device *dev,
			     const char *name)
{
	pool->secbuf_name = devm_kasprintf(dev, GFP_KERNEL, "secbuf-%s", name);
	pool->secbuf_nodename = devm_kasprintf(dev, GFP_KERNEL, "secbuf/%s",
					       name);
	pool->heap_name = devm_kasprintf(dev, GFP_KERNEL, "dma_heap-%s", name);
	pool->heap_nodename = devm_kasprintf(dev, GFP_KERNEL, "dma_heap/%s",
					     name);
	if (!pool->secbuf_name || !pool->secbuf_nodename ||
	    !pool->heap_name || !pool->heap_nodename)
		return -ENOMEM;
	return 0;
}

static int secbuf_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct secbuf_pool *pool;
	const char *name;
	size_t size;
	int ret;

	pool = devm_kzalloc(dev, sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	if (dev->of_node)
		ret = secbuf_probe_of(pool, dev, &name, &size);
	else
		ret = secbuf_probe_default(dev, &name, &size);
	if (ret)
		return ret;

	if (!secbuf_name_valid(name)) {
		ret = dev_err_probe(dev, -EINVAL, "invalid pool name \"%s\"\n",
				    name);
		goto release_rmem;
	}
	ret = secbuf_pool_names(pool, dev, name);
	if (ret)
		goto release_rmem;

	ret = secbuf_pool_init(pool, dev, name, size);
	if (ret) {
		if (ret == -EINVAL)
			dev_err(dev, "pool of %zu bytes is smaller than one chunk\n",
				size);
		goto release_rmem;
	}
	platform_set_drvdata(pdev, pool);

	/* Final step: expose the pool to userspace. */
	ret = secbuf_dev_register(pool);
	if (ret)
		goto fini_pool;
	ret = secbuf_heap_register(pool);
	if (ret)
		goto unregister_dev;

	dev_info(dev, "pool %s: %zu MiB%s\n", name, pool->size >> 20,
		 pool->region_known ? "" : " on the default CMA area");
	return 0;

unregister_dev:
	secbuf_dev_unregister(pool);
fini_pool:
	secbuf_pool_fini(pool);
release_rmem:
	if (pool->rmem_initialized)
		of_reserved_mem_device_release(dev);
	return ret;
}

static void secbuf_remove(struct platform_device *pdev)
{
	struct secbuf_pool *pool = platform_get_drvdata(pdev);

	/*
	 * Open pool files and live buffers hold module references and bind
	 * attributes are suppressed, so nothing can use the pool any more.
	 */
	secbuf_heap_unregister(pool);
	secbuf_dev_unregister(pool);
	secbuf_pool_fini(pool);
	if (pool->rmem_initialized)
		of_reserved_mem_device_release(&pdev->dev);
}

static const struct of_device_id secbuf_of_match[] = {
	{ .compatible = "secbuf,pool" },
	{ }
};
MODULE_DEVICE_TABLE(of, secbuf_of_match);

static struct platform_driver secbuf_driver = {
	.probe = secbuf_probe,
	.SECBUF_PLATFORM_REMOVE = secbuf_remove,
	.driver = {
		.name = SECBUF_DRIVER_NAME,
		.of_match_table = secbuf_of_match,
		/* A pool must not disappear under its buffers. */
		.suppress_bind_attrs = true,
	},
};

/* Like vim2m, create our own device when there is nothing to bind to. */
static int secbuf_default_pool_create(void)
{
	struct platform_device_info info = {
		.name = SECBUF_DRIVER_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};

	if (!memparse(cma_pool_size, NULL))
		return 0;

	secbuf_default_pdev = platform_device_register_full(&info);
	return PTR_ERR_OR_ZERO(secbuf_default_pdev);
}

/* Runs the work of quarantines that end when a fence signals. */
struct workqueue_struct *secbuf_wq;

static int __init secbuf_init(void)
{
	int ret;

	if (secbuf_dev_mode & ~0777) {
		pr_err("secbuf: dev_mode %#o is not a file mode\n",
		       secbuf_dev_mode);
		return -EINVAL;
	}

	secbuf_wq = alloc_workqueue("secbuf", WQ_UNBOUND, 0);
	if (!secbuf_wq)
		return -ENOMEM;

	ret = platform_driver_register(&secbuf_driver);
	if (ret)
		goto destroy_wq;

	ret = secbuf_default_pool_create();
	if (ret)
		goto unregister_driver;
	return 0;

unregister_driver:
	platform_driver_unregister(&secbuf_driver);
destroy_wq:
	destroy_workqueue(secbuf_wq);
	return ret;
}

static void __exit secbuf_exit(void)
{
	platform_device_unregister(secbuf_default_pdev);
	platform_driver_unregister(&secbuf_driver);
	/* A quarantine's last work item may still be on its way out. */
	destroy_workqueue(secbuf_wq);
}

module_init(secbuf_init);
module_exit(secbuf_exit);

MODULE_DESCRIPTION("Owner-controlled contiguous dma-buf pools");
MODULE_AUTHOR("The secbuf authors");
MODULE_LICENSE("GPL");
SECBUF_IMPORT_NS_DMA_BUF();
