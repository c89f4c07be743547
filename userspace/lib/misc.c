// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: helpers shared by pools, buffers and heaps.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "internal.h"

SECBUF_API const char *secbuf_api_version(void)
{
	return SECBUF_VERSION;
}

int secbuf_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));

	return ret;
}

int secbuf_ioctl_fresh(int fd, unsigned long request, void *arg,
		       const void *in, size_t size)
{
	int ret;

	do {
		memcpy(arg, in, size);
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));

	return ret;
}

int secbuf_open_node(const char *dir, const char *name_or_path, int flags,
		     char **path_out)
{
	struct stat st;
	char *path;
	int fd;

	if (!name_or_path || !name_or_path[0]) {
		errno = EINVAL;
		return -1;
	}

	if (strchr(name_or_path, '/')) {
		path = strdup(name_or_path);
		if (!path)
			return -1;
	} else {
		/* Bare names never walk out of @dir: they have no '/'. */
		if (!strcmp(name_or_path, ".") || !strcmp(name_or_path, "..")) {
			errno = EINVAL;
			return -1;
		}
		if (asprintf(&path, "%s/%s", dir, name_or_path) < 0)
			return -1;
	}

	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		goto free_path;

	if (fstat(fd, &st) < 0)
		goto close_fd;
	if (!S_ISCHR(st.st_mode)) {
		errno = ENODEV;
		goto close_fd;
	}

	if (path_out)
		*path_out = path;
	else
		free(path);
	return fd;

close_fd:
	secbuf_close_keep_errno(fd);
free_path:
	secbuf_free_keep_errno(path);
	return -1;
}
