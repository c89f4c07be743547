// SPDX-License-Identifier: MIT
/*
 * DRM helpers through libdrm. See igt_drm.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "igt_core.h"
#include "igt_drm.h"
#include "igt_secbuf_vgem.h"

/* xf86drm.c returns -1 with errno set, xf86drmMode.c returns -errno. */
static int libdrm_ret(int ret)
{
	if (ret == -1)
		ret = errno ? -errno : -EIO;
	errno = 0;
	return ret;
}

/* vgem's node, found with drmGetVersion() (igt_secbuf_vgem.c). */
int __secbuf_libdrm_open_vgem(void)
{
	int fd = __secbuf_open_vgem();

	return fd < 0 ? -ENODEV : fd;
}

/* modprobe vgem (busybox's in the guests); its exit status, or -1. */
static int modprobe_vgem(void)
{
	pid_t pid = fork();
	int status;

	igt_assert(pid >= 0);
	if (pid == 0) {
		execlp("modprobe", "modprobe", "vgem", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int secbuf_libdrm_open_vgem(void)
{
	int fd = __secbuf_libdrm_open_vgem();

	if (fd == -ENODEV) {
		int status = modprobe_vgem();

		igt_info("no vgem device: modprobe vgem exited with %d\n",
			 status);
		fd = __secbuf_libdrm_open_vgem();
	}
	igt_assert_f(fd >= 0, "no vgem device in /dev/dri, even after "
		     "modprobe vgem; every lane must have vgem\n");
	return fd;
}

int __secbuf_libdrm_prime_fd_to_handle(int drm, int dmabuf, uint32_t *handle)
{
	uint32_t out = 0;
	int ret;

	errno = 0;
	ret = libdrm_ret(drmPrimeFDToHandle(drm, dmabuf, &out));
	if (ret == 0)
		*handle = out;
	return ret;
}

uint32_t secbuf_libdrm_prime_fd_to_handle(int drm, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_eq(__secbuf_libdrm_prime_fd_to_handle(drm, dmabuf, &handle), 0);
	igt_assert_neq(handle, 0);
	return handle;
}

int __secbuf_libdrm_prime_handle_to_fd(int drm, uint32_t handle, uint32_t flags,
				int *dmabuf)
{
	int out = -1, ret;

	errno = 0;
	ret = libdrm_ret(drmPrimeHandleToFD(drm, handle, flags, &out));
	if (ret == 0)
		*dmabuf = out;
	return ret;
}

int secbuf_libdrm_prime_handle_to_fd(int drm, uint32_t handle, uint32_t flags)
{
	int dmabuf = -1;

	igt_assert_eq(__secbuf_libdrm_prime_handle_to_fd(drm, handle, flags, &dmabuf),
		      0);
	igt_assert_fd(dmabuf);
	return dmabuf;
}

int __secbuf_libdrm_close_handle(int drm, uint32_t handle)
{
	errno = 0;
	return libdrm_ret(drmCloseBufferHandle(drm, handle));
}

void secbuf_libdrm_close_handle(int drm, uint32_t handle)
{
	igt_assert_eq(__secbuf_libdrm_close_handle(drm, handle), 0);
}

int __secbuf_libdrm_create_dumb(int drm, uint64_t size, uint32_t *handle)
{
	uint32_t rows = (uint32_t)((size + 4095) / 4096), out = 0, pitch = 0;
	uint64_t got = 0;
	int ret;

	errno = 0;
	ret = libdrm_ret(drmModeCreateDumbBuffer(drm, 1024, rows, 32, 0, &out,
						 &pitch, &got));
	if (ret == 0)
		*handle = out;
	return ret;
}

uint32_t secbuf_libdrm_create_dumb(int drm, uint64_t size)
{
	uint32_t handle = 0;

	igt_assert_eq(__secbuf_libdrm_create_dumb(drm, size, &handle), 0);
	return handle;
}

int __secbuf_libdrm_map_dumb(int drm, uint32_t handle, uint64_t *offset)
{
	uint64_t out = 0;
	int ret;

	errno = 0;
	ret = libdrm_ret(drmModeMapDumbBuffer(drm, handle, &out));
	if (ret == 0)
		*offset = out;
	return ret;
}
