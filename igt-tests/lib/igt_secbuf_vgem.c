// SPDX-License-Identifier: MIT
/*
 * vgem and DRM PRIME helpers. See igt_secbuf_vgem.h.
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

#include <xf86drm.h>

#include "igt_core.h"
#include "ioctl_wrappers.h"
#include "igt_secbuf.h"
#include "igt_secbuf_vgem.h"
#include "secbuf_test_importer.h"

static bool is_vgem(int fd)
{
	drmVersionPtr version = drmGetVersion(fd);
	bool vgem = version && version->name && !strcmp(version->name, "vgem");

	drmFreeVersion(version);
	return vgem;
}

int __secbuf_open_vgem(void)
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

int secbuf_open_vgem(void)
{
	int fd = __secbuf_open_vgem();

	/* Every lane ships vgem and the guest's init loads it: not a skip. */
	igt_assert_f(fd >= 0, "no vgem device in /dev/dri (is vgem loaded?)\n");
	return fd;
}

int __secbuf_prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle)
{
	int ret = drmPrimeFDToHandle(fd, dmabuf, handle) ? -errno : 0;

	errno = 0;
	return ret;
}

int __secbuf_prime_handle_to_fd(int fd, uint32_t handle, int *dmabuf)
{
	int ret = drmPrimeHandleToFD(fd, handle, DRM_RDWR | DRM_CLOEXEC,
				     dmabuf) ? -errno : 0;

	errno = 0;
	return ret;
}

/* See igt_secbuf_vgem.h for which kernel function does what. */
bool secbuf_vgem_import_maps(void)
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

void secbuf_sti_load(void)
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

const char *secbuf_mapped_importer_name(void)
{
	return secbuf_vgem_import_maps() ? "vgem" : "secbuf_test_importer (static)";
}

int __secbuf_mapped_import(int dmabuf, struct secbuf_mapped_import *imp)
{
	struct sti_import arg = { .fd = (uint32_t)dmabuf,
				  .flags = STI_IMPORT_STATIC };
	int ret;

	*imp = (struct secbuf_mapped_import) { .vgem = -1, .sti = -1 };
	if (secbuf_vgem_import_maps()) {
		int vgem = secbuf_open_vgem();

		ret = __secbuf_prime_fd_to_handle(vgem, dmabuf, &imp->handle);
		if (ret)
			close(vgem);
		else
			imp->vgem = vgem;
		return ret;
	}

	secbuf_sti_load();
	imp->sti = open(STI_DEVICE, O_RDWR | O_CLOEXEC);
	igt_assert_f(imp->sti >= 0, "open %s: %m\n", STI_DEVICE);
	ret = __secbuf_ioctl(imp->sti, STI_IOC_IMPORT, &arg);
	if (ret) {
		close(imp->sti);
		imp->sti = -1;
	}
	errno = 0;
	return ret;
}

void secbuf_mapped_import(int dmabuf, struct secbuf_mapped_import *imp)
{
	int ret = __secbuf_mapped_import(dmabuf, imp);

	igt_assert_f(ret == 0, "%s import: %s\n", secbuf_mapped_importer_name(),
		     strerror(-ret));
}

void secbuf_mapped_import_release(struct secbuf_mapped_import *imp)
{
	if (imp->vgem >= 0) {
		gem_close(imp->vgem, imp->handle);
		close(imp->vgem);
	}
	if (imp->sti >= 0)
		close(imp->sti);
	*imp = (struct secbuf_mapped_import) { .vgem = -1, .sti = -1 };
}
