/* SPDX-License-Identifier: MIT */
/*
 * DRM through libdrm, the way a real PRIME user reaches secbuf: open the
 * vgem device, drmPrimeFDToHandle / drmPrimeHandleToFD, drmCloseBufferHandle
 * and the dumb-buffer calls of xf86drmMode.h.
 *
 * igt_secbuf_vgem.[ch] does the same with raw ioctls for the tests that must build
 * without libdrm; only the binaries that link libdrm (see the Makefile) use
 * these.
 *
 * IGT style: __thing() returns 0 or -errno, thing() asserts that it worked.
 * libdrm's own calls return -1 with errno set (xf86drm.c) or -errno
 * (xf86drmMode.c); both leave errno set, which is what is returned here.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_DRM_H
#define IGT_DRM_H

#include <stdint.h>

/*
 * The vgem device's primary node (/dev/dri/card*), O_RDWR | O_CLOEXEC,
 * recognised with drmGetVersion(). __secbuf_libdrm_open_vgem() returns the fd or
 * -ENODEV. secbuf_libdrm_open_vgem() runs "modprobe vgem" first if there is no
 * vgem device, and fails (never skips) if there still is none: every
 * lane has vgem, so its absence is a broken lane, not a missing feature.
 */
int __secbuf_libdrm_open_vgem(void);
int secbuf_libdrm_open_vgem(void);

/* drmPrimeFDToHandle(): import the dma-buf @dmabuf into the DRM file @drm. */
int __secbuf_libdrm_prime_fd_to_handle(int drm, int dmabuf, uint32_t *handle);
uint32_t secbuf_libdrm_prime_fd_to_handle(int drm, int dmabuf);

/*
 * drmPrimeHandleToFD(): export @handle as a dma-buf fd; @flags are
 * DRM_CLOEXEC and DRM_RDWR.
 */
int __secbuf_libdrm_prime_handle_to_fd(int drm, uint32_t handle, uint32_t flags,
				int *dmabuf);
int secbuf_libdrm_prime_handle_to_fd(int drm, uint32_t handle, uint32_t flags);

/* drmCloseBufferHandle(): DRM_IOCTL_GEM_CLOSE. */
int __secbuf_libdrm_close_handle(int drm, uint32_t handle);
void secbuf_libdrm_close_handle(int drm, uint32_t handle);

/*
 * drmModeCreateDumbBuffer(): an object of the driver itself of at least
 * @size bytes (rows of 4096 bytes); drmModeMapDumbBuffer(): its fake mmap
 * offset in the DRM file.
 */
int __secbuf_libdrm_create_dumb(int drm, uint64_t size, uint32_t *handle);
uint32_t secbuf_libdrm_create_dumb(int drm, uint64_t size);
int __secbuf_libdrm_map_dumb(int drm, uint32_t handle, uint64_t *offset);

#endif /* IGT_DRM_H */
