// SPDX-License-Identifier: MIT
/*
 * vgem and DRM PRIME helpers. See igt_vgem.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#if __has_include(<drm/drm.h>)
#include <drm/drm.h>
#else
/*
 * The host's linux-libc-dev may lack the DRM headers (the cross one has
 * them). The definitions used here, from include/uapi/drm/drm.h of
 * Linux 6.12; they are ABI and never change.
 */
#include <linux/types.h>

struct drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	__kernel_size_t name_len;
	char *name;
	__kernel_size_t date_len;
	char *date;
	__kernel_size_t desc_len;
	char *desc;
};

struct drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

#define DRM_IOCTL_BASE			'd'
#define DRM_IOW(nr, type)		_IOW(DRM_IOCTL_BASE, nr, type)
#define DRM_IOWR(nr, type)		_IOWR(DRM_IOCTL_BASE, nr, type)
#define DRM_IOCTL_VERSION		DRM_IOWR(0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE		DRM_IOW(0x09, struct drm_gem_close)
#define DRM_IOCTL_PRIME_HANDLE_TO_FD	DRM_IOWR(0x2d, struct drm_prime_handle)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE	DRM_IOWR(0x2e, struct drm_prime_handle)

struct drm_mode_create_dumb {
	__u32 height;
	__u32 width;
	__u32 bpp;
	__u32 flags;
	__u32 handle;
	__u32 pitch;
	__u64 size;
};

#define DRM_IOCTL_MODE_CREATE_DUMB	DRM_IOWR(0xB2, struct drm_mode_create_dumb)
#endif

#include "igt_core.h"
#include "igt_secbuf.h"
#include "igt_vgem.h"
#include "secbuf_test_importer.h"

static int drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));

	return ret == -1 ? -errno : 0;
}

static bool is_vgem(int fd)
{
	char name[5] = "";
	struct drm_version version = {
		.name_len = 4,
		.name = name,
	};

	if (drm_ioctl(fd, DRM_IOCTL_VERSION, &version) ||
	    version.name_len != 4)
		return false;

	name[4] = '\0';
	return !strcmp(name, "vgem");
}

int __drm_open_vgem(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd)) {
			errno = 0;
			return fd;
		}
		close(fd);
	}

	errno = 0;
	return -1;
}

int drm_open_vgem(void)
{
	int fd = __drm_open_vgem();

	/* Every lane ships vgem and the guest's init loads it: not a skip. */
	igt_assert_f(fd >= 0, "no vgem device in /dev/dri (is vgem loaded?)\n");
	return fd;
}

int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle args = { .fd = dmabuf };
	int ret = drm_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);

	if (ret == 0)
		*handle = args.handle;
	errno = 0;
	return ret;
}

uint32_t prime_fd_to_handle(int fd, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_eq(__prime_fd_to_handle(fd, dmabuf, &handle), 0);
	return handle;
}

int __gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };
	int ret = drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);

	errno = 0;
	return ret;
}

void gem_close(int fd, uint32_t handle)
{
	igt_assert_eq(__gem_close(fd, handle), 0);
}

int __prime_handle_to_fd(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle args = {
		.handle = handle,
		.flags = O_RDWR | O_CLOEXEC,	/* DRM_RDWR | DRM_CLOEXEC */
		.fd = -1,
	};
	int ret = drm_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);

	if (ret == 0)
		*dmabuf = args.fd;
	errno = 0;
	return ret;
}

int prime_handle_to_fd(int fd, uint32_t handle)
{
	int dmabuf = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, handle, &dmabuf), 0);
	igt_assert_fd(dmabuf);
	return dmabuf;
}

/**
 * __vgem_create: a vgem object of at least @size bytes (a dumb buffer of
 * 4096-byte rows), to have a dma-buf of another exporter.
 * Returns: 0 and the handle, or -errno.
 */
int __vgem_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_mode_create_dumb arg = {
		.width = 1024,
		.height = (uint32_t)((size + 4095) / 4096),
		.bpp = 32,
	};
	int ret = drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg);

	if (ret == 0)
		*handle = arg.handle;
	errno = 0;
	return ret;
}

uint32_t vgem_create(int fd, uint64_t size)
{
	uint32_t handle = 0;

	igt_assert_eq(__vgem_create(fd, size, &handle), 0);
	return handle;
}

/* See igt_vgem.h for which kernel function does what. */
bool vgem_import_maps(void)
{
	static int maps = -1;

	if (maps < 0) {
		unsigned int major = 0, minor = 0;
		struct utsname u;

		igt_assert_eq(uname(&u), 0);
		igt_assert_f(sscanf(u.release, "%u.%u", &major, &minor) == 2,
			     "kernel release %s\n", u.release);
		maps = major < 7;
	}
	return maps;
}

/* ---- A static importer that maps on every kernel ------------------------ */

#define STI_KO	"/lib/modules/secbuf_test_importer.ko"

void sti_load(void)
{
	int ret;

	if (access(STI_DEVICE, F_OK) == 0)
		return;
	/* Every lane's initramfs carries it (scripts/mkinitramfs). */
	ret = __secbuf_module_load(STI_KO, "");
	igt_assert_f(ret == 0 || ret == -EEXIST, "loading %s: %s\n", STI_KO,
		     strerror(-ret));
	for (int i = 0; i < 200 && access(STI_DEVICE, F_OK); i++)
		usleep(10 * 1000);
	igt_assert_f(access(STI_DEVICE, F_OK) == 0, "no %s\n", STI_DEVICE);
}

const char *mapped_importer_name(void)
{
	return vgem_import_maps() ? "vgem" : "secbuf_test_importer (static)";
}

int __mapped_import(int dmabuf, struct mapped_import *imp)
{
	struct sti_import arg = { .fd = (uint32_t)dmabuf,
				  .flags = STI_IMPORT_STATIC };
	int ret;

	*imp = (struct mapped_import) { .vgem = -1, .sti = -1 };
	if (vgem_import_maps()) {
		int vgem = drm_open_vgem();

		ret = __prime_fd_to_handle(vgem, dmabuf, &imp->handle);
		if (ret)
			close(vgem);
		else
			imp->vgem = vgem;
		return ret;
	}

	sti_load();
	imp->sti = open(STI_DEVICE, O_RDWR | O_CLOEXEC);
	igt_assert_f(imp->sti >= 0, "open %s: %m\n", STI_DEVICE);
	ret = drm_ioctl(imp->sti, STI_IOC_IMPORT, &arg);
	if (ret) {
		close(imp->sti);
		imp->sti = -1;
	}
	errno = 0;
	return ret;
}

void mapped_import(int dmabuf, struct mapped_import *imp)
{
	int ret = __mapped_import(dmabuf, imp);

	igt_assert_f(ret == 0, "%s import: %s\n", mapped_importer_name(),
		     strerror(-ret));
}

void mapped_import_release(struct mapped_import *imp)
{
	if (imp->vgem >= 0) {
		gem_close(imp->vgem, imp->handle);
		close(imp->vgem);
	}
	if (imp->sti >= 0)
		close(imp->sti);
	*imp = (struct mapped_import) { .vgem = -1, .sti = -1 };
}
