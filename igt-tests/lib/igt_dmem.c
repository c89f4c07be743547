// SPDX-License-Identifier: MIT
/*
 * cgroup v2 and dmem controller helpers, see igt_dmem.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igt.h"
#include "igt_dmem.h"
#include "igt_secbuf.h"

void secbuf_cg_path(char *buf, size_t len, const char *cg, const char *file)
{
	int n;

	if (cg && *cg)
		n = snprintf(buf, len, SECBUF_CG_ROOT "/%s/%s", cg, file);
	else
		n = snprintf(buf, len, SECBUF_CG_ROOT "/%s", file);
	igt_assert(n > 0 && (size_t)n < len);
}

int __secbuf_cg_write(const char *cg, const char *file, const char *value)
{
	char path[512];
	ssize_t n;
	int fd, err = 0;

	secbuf_cg_path(path, sizeof(path), cg, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(value))
		err = -EIO;
	close(fd);
	return err;
}

void secbuf_cg_write(const char *cg, const char *file, const char *value)
{
	int err = __secbuf_cg_write(cg, file, value);

	igt_assert_f(!err, "writing \"%s\" to %s/%s: %s\n", value,
		     cg && *cg ? cg : "(root)", file, strerror(-err));
}

void secbuf_cg_enter(const char *cg)
{
	secbuf_cg_write(cg, "cgroup.procs", "0");
}

void secbuf_cg_move_pid(const char *cg, pid_t pid)
{
	char v[32];

	snprintf(v, sizeof(v), "%d", (int)pid);
	secbuf_cg_write(cg, "cgroup.procs", v);
}

int secbuf_cg_rmdir(const char *cg)
{
	char path[512];

	secbuf_cg_path(path, sizeof(path), cg, "");
	for (int i = 0; i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(10 * 1000);
	}
	return -EBUSY;
}

void secbuf_cg_self(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");

	igt_assert(f);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		igt_assert(strlen(line + 4) < len);
		memcpy(buf, line + 4, strlen(line + 4) + 1);
	}
	fclose(f);
}

const char *secbuf_dmem_region(void)
{
	static char region[128];

	if (!region[0])
		snprintf(region, sizeof(region), "secbuf/%s",
			 secbuf_pool_name());
	return region;
}

uint64_t secbuf_dmem_read(const char *cg, const char *file)
{
	const char *region = secbuf_dmem_region();
	char path[512], name[128], value[64];
	uint64_t v = 0;
	int found = 0;
	FILE *f;

	secbuf_cg_path(path, sizeof(path), cg, file);
	f = fopen(path, "re");
	igt_assert_f(f, "%s: %s\n", path, strerror(errno));
	while (fscanf(f, "%127s %63s", name, value) == 2) {
		if (strcmp(name, region))
			continue;
		found++;
		if (!strcmp(value, "max"))
			v = UINT64_MAX;
		else
			v = strtoull(value, NULL, 10);
	}
	fclose(f);
	igt_assert_f(found == 1, "%s has %d lines for %s, not 1\n", path,
		     found, region);
	return v;
}

uint64_t secbuf_dmem_current(const char *cg)
{
	return secbuf_dmem_read(cg, "dmem.current");
}

void secbuf_dmem_set(const char *cg, const char *file, uint64_t bytes)
{
	const char *region = secbuf_dmem_region();
	char value[192];

	if (bytes == UINT64_MAX)
		snprintf(value, sizeof(value), "%s max", region);
	else
		snprintf(value, sizeof(value), "%s %" PRIu64, region, bytes);
	secbuf_cg_write(cg, file, value);
}

void secbuf_dmem_set_max(const char *cg, uint64_t bytes)
{
	secbuf_dmem_set(cg, "dmem.max", bytes);
}
