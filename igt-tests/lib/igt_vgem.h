/* SPDX-License-Identifier: MIT */
/*
 * The few vgem and DRM PRIME helpers the secbuf tests use to have a real
 * importer of their dma-bufs, named as in igt-gpu-tools (drm_open_driver
 * with DRIVER_VGEM, prime_fd_to_handle, prime_handle_to_fd, gem_close).
 * DRM refuses to mmap an imported object, so an import is checked by
 * exporting it again, which gives back the same dma-buf.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_VGEM_H
#define IGT_VGEM_H

#include <stddef.h>
#include <stdint.h>

/* An open /dev/dri/card* of the vgem driver: -1 if none, or fails. */
int __drm_open_vgem(void);
int drm_open_vgem(void);

/* DRM_IOCTL_PRIME_FD_TO_HANDLE: import a dma-buf, 0 or -errno. */
int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle);
uint32_t prime_fd_to_handle(int fd, int dmabuf);

/* DRM_IOCTL_GEM_CLOSE. */
int __gem_close(int fd, uint32_t handle);
void gem_close(int fd, uint32_t handle);

/* DRM_IOCTL_PRIME_HANDLE_TO_FD: export again, O_RDWR | O_CLOEXEC. */
int __prime_handle_to_fd(int fd, uint32_t handle, int *dmabuf);
int prime_handle_to_fd(int fd, uint32_t handle);

/* DRM_IOCTL_MODE_CREATE_DUMB: a vgem object of its own, for a dma-buf of
 * another exporter. */
int __vgem_create(int fd, uint64_t size, uint32_t *handle);
uint32_t vgem_create(int fd, uint64_t size);

#endif /* IGT_VGEM_H */
