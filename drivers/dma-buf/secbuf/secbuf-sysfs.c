// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-pool statistics in sysfs, on the /dev/secbuf/<pool> device:
 * /sys/class/misc/secbuf-<pool>/{total,used,peak_used,largest_free}_bytes,
 * quarantined_bytes, buffers, cma_bytes, cached_bytes and prezeroed_bytes.
 * One decimal value per file.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/sysfs.h>

#include "secbuf.h"

static void secbuf_sysfs_stats(struct device *dev,
			       struct secbuf_pool_stats *stats)
{
	struct miscdevice *misc = dev_get_drvdata(dev);
	struct secbuf_pool *pool = container_of(misc, struct secbuf_pool,
						secbuf_misc);

	secbuf_pool_get_stats(pool, stats);
}

#define SECBUF_STAT_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct secbuf_pool_stats stats;					\
									\
	secbuf_sysfs_stats(dev, &stats);				\
	return sysfs_emit(buf, "%llu\n", stats._field);			\
}									\
static DEVICE_ATTR_RO(_name)

SECBUF_STAT_ATTR(total_bytes, total_bytes);
SECBUF_STAT_ATTR(used_bytes, used_bytes);
SECBUF_STAT_ATTR(peak_used_bytes, peak_used_bytes);
SECBUF_STAT_ATTR(largest_free_bytes, largest_free_bytes);
SECBUF_STAT_ATTR(cma_bytes, chunk_bytes);
SECBUF_STAT_ATTR(quarantined_bytes, quarantined_bytes);
SECBUF_STAT_ATTR(cached_bytes, cached_bytes);
SECBUF_STAT_ATTR(prezeroed_bytes, prezeroed_bytes);
SECBUF_STAT_ATTR(buffers, nr_buffers);

static struct attribute *secbuf_pool_attrs[] = {
	&dev_attr_total_bytes.attr,
	&dev_attr_used_bytes.attr,
	&dev_attr_peak_used_bytes.attr,
	&dev_attr_largest_free_bytes.attr,
	&dev_attr_cma_bytes.attr,
	&dev_attr_quarantined_bytes.attr,
	&dev_attr_cached_bytes.attr,
	&dev_attr_prezeroed_bytes.attr,
	&dev_attr_buffers.attr,
	NULL
};

static const struct attribute_group secbuf_pool_group = {
	.attrs = secbuf_pool_attrs,
};

const struct attribute_group *secbuf_pool_groups[] = {
	&secbuf_pool_group,
	NULL
};
