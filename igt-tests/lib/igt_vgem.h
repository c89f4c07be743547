/* SPDX-License-Identifier: MIT */
/*
 * The part of igt-gpu-tools' lib/igt_vgem.h the secbuf tests use, with
 * IGT's names, signatures and behaviour: vgem_thing() asserts,
 * __vgem_thing() returns -errno (NULL for __vgem_mmap()). Runtime only:
 * inside IGT, "igt_vgem.h" is IGT's own and these come from libigt.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_VGEM_H
#define IGT_VGEM_H

#include <stdint.h>
#include <stdbool.h>
#include "vgem_drm.h"

/* A dumb buffer: width x height at bpp bits; handle, pitch, size out. */
struct vgem_bo {
	uint32_t handle;
	uint32_t width, height;
	uint32_t bpp, pitch;
	uint64_t size;
};

/* DRM_IOCTL_MODE_CREATE_DUMB of bo->width, ->height, ->bpp. */
int __vgem_create(int fd, struct vgem_bo *bo);
void vgem_create(int fd, struct vgem_bo *bo);

/* DRM_IOCTL_MODE_MAP_DUMB and a MAP_SHARED mmap of bo->size bytes. */
void *__vgem_mmap(int fd, struct vgem_bo *bo, unsigned prot);
void *vgem_mmap(int fd, struct vgem_bo *bo, unsigned prot);

/* DRM_IOCTL_VGEM_FENCE_ATTACH on bo->handle (flags: VGEM_FENCE_WRITE). */
uint32_t vgem_fence_attach(int fd, struct vgem_bo *bo, unsigned flags);
/* DRM_IOCTL_VGEM_FENCE_SIGNAL. */
int __vgem_fence_signal(int fd, uint32_t fence);
void vgem_fence_signal(int fd, uint32_t fence);

#endif /* IGT_VGEM_H */
