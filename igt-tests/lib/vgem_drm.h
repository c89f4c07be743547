/* SPDX-License-Identifier: MIT */
/*
 * vgem's uapi, for the project's own runtime: IGT has it as
 * include/drm-uapi/vgem_drm.h, Debian's libdrm-dev does not ship it and the
 * host's linux-libc-dev has no DRM headers. From include/uapi/drm/vgem_drm.h
 * of Linux 6.12 (ABI). Runtime only: scripts/igt-tree leaves it out of the
 * IGT copy, where IGT's own "vgem_drm.h" is used.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef _VGEM_DRM_H_
#define _VGEM_DRM_H_

#include <drm.h>

#define DRM_VGEM_FENCE_ATTACH	0x1
#define DRM_VGEM_FENCE_SIGNAL	0x2

#define DRM_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGEM_FENCE_ATTACH, struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VGEM_FENCE_SIGNAL, struct drm_vgem_fence_signal)

struct drm_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define VGEM_FENCE_WRITE	0x1
	__u32 out_fence;
	__u32 pad;
};

struct drm_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#endif /* _VGEM_DRM_H_ */
