/* SPDX-License-Identifier: MIT */
/*
 * Helpers for secbuf's DMA windows (SECBUF_IOC_DMA_BEGIN, _DMA_END) and for
 * the fences around them that IGT does not have (sync_file fds and vgem's
 * fences otherwise through IGT's lib/sw_sync.h and lib/igt_vgem.h).
 *
 * IGT style: __thing() returns 0 or -errno, thing() asserts that it worked.
 * Everything goes through raw ioctls, never libsecbuf.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_SECBUF_DMA_H
#define IGT_SECBUF_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/secbuf.h>

/*
 * SECBUF_IOC_DMA_BEGIN on the pool file @fd for the dma-buf @buf_fd.
 * __secbuf_dma_begin() returns 0 and, with %SECBUF_DMA_FENCE_FD in @flags,
 * the window's sync_file in @fence_fd (may be NULL otherwise), or -errno.
 * secbuf_dma_begin() asserts success and returns the sync_file fd, or -1
 * without %SECBUF_DMA_FENCE_FD (then it also asserts fence_fd stayed 0).
 */
int __secbuf_dma_begin_full(int fd, struct secbuf_dma_begin *arg);
int __secbuf_dma_begin(int fd, int buf_fd, uint32_t flags, int *fence_fd);
int secbuf_dma_begin(int fd, int buf_fd, uint32_t flags);

/* SECBUF_IOC_DMA_END on the pool file @fd for the dma-buf @buf_fd. */
int __secbuf_dma_end_full(int fd, struct secbuf_dma_end *arg);
int __secbuf_dma_end(int fd, int buf_fd);
void secbuf_dma_end(int fd, int buf_fd);

/*
 * poll() one fd for @events for up to @timeout_ms; returns the events that
 * are ready (0 on timeout). Fails on POLLERR, POLLNVAL or a poll() error.
 */
short secbuf_poll(int fd, short events, int timeout_ms);

/*
 * DRM_IOCTL_VGEM_FENCE_ATTACH on the object @handle of the vgem file @vgem
 * (an import of a dma-buf, so the fence lands on the dma-buf's reservation
 * object): 0 and the fence in @fence, or -errno. @flags is 0 (a read
 * fence) or VGEM_FENCE_WRITE. The -errno form IGT's lib/igt_vgem.h lacks;
 * the tests call IGT's vgem_fence_attach() and vgem_fence_signal() for the
 * rest. vgem signals a fence itself after 10 s; signaling one that did so
 * is -ETIMEDOUT.
 */
int __secbuf_vgem_fence_attach(int vgem, uint32_t handle, uint32_t flags,
			       uint32_t *fence);

/* Milliseconds of CLOCK_MONOTONIC, for timing blocked calls. */
uint64_t secbuf_now_ms(void);

#endif /* IGT_SECBUF_DMA_H */
