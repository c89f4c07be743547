// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: the caller's dmem cgroup usage and limit of a pool.
 *
 * With the kernel's dmem cgroup controller each pool is the region
 * "secbuf/<pool>", charged to the cgroup of the task that allocates. The
 * files are those of cgroup v2 (Documentation/admin-guide/cgroup-v2.rst,
 * "DMEM"): dmem.current and dmem.max of the caller's cgroup, with a line
 * "<region> <bytes>" per region ("max" for no limit). The root cgroup has
 * dmem.current (everyone's usage) but no dmem.max.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secbufctl.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"

/* The caller's cgroup v2 path ("/" for the root), or -errno. */
static int self_cgroup(char *buf, size_t len)
{
	char line[4096];
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, line + 3);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/*
 * The value of @region in the dmem file @file of cgroup @cg: 0 and *@val
 * set (UINT64_MAX for "max"), or -errno (-ENOENT: no such file or line).
 */
static int dmem_value(const char *cg, const char *file, const char *region,
		      uint64_t *val)
{
	char path[4200], name[256], value[64];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), CGROUP_ROOT "%s%s%s", cg,
		 strcmp(cg, "/") ? "/" : "", file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%255s %63s", name, value) == 2) {
		if (strcmp(name, region))
			continue;
		*val = strcmp(value, "max") ? strtoull(value, NULL, 10) :
					      UINT64_MAX;
		ret = 0;
	}
	fclose(f);
	return ret;
}

int sbc_dmem_usage(const char *pool, struct sbc_dmem *out)
{
	uint64_t v;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->region, sizeof(out->region), "secbuf/%s", pool);
	/* The controller is there, and the pool is one of its regions. */
	ret = dmem_value("/", "dmem.capacity", out->region, &v);
	if (ret)
		return ret;
	ret = self_cgroup(out->cgroup, sizeof(out->cgroup));
	if (ret)
		return ret;
	ret = dmem_value(out->cgroup, "dmem.current", out->region,
			 &out->current);
	if (ret)
		return ret;
	out->max = UINT64_MAX;
	ret = dmem_value(out->cgroup, "dmem.max", out->region, &out->max);
	return ret == -ENOENT && !strcmp(out->cgroup, "/") ? 0 : ret;
}
