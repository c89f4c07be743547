/* SPDX-License-Identifier: MIT */
/*
 * The part of igt-gpu-tools' lib/ioctl_wrappers.h the secbuf tests use
 * (GEM handles and PRIME), with IGT's names, signatures and behaviour: all
 * assert that the ioctl worked, except prime_handle_to_fd_for_mmap(),
 * which returns -1 (errno set). Runtime only: inside IGT, igt.h includes
 * IGT's own and these come from libigt.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IOCTL_WRAPPERS_H
#define IOCTL_WRAPPERS_H

#include <stdint.h>

/* DRM_IOCTL_GEM_CLOSE of a handle that is not 0. */
void gem_close(int fd, uint32_t handle);

/* DRM_IOCTL_PRIME_HANDLE_TO_FD with DRM_CLOEXEC: a dma-buf fd. */
int prime_handle_to_fd(int fd, uint32_t handle);
/* The same with DRM_CLOEXEC | DRM_RDWR (writable mappings), or -1. */
int prime_handle_to_fd_for_mmap(int fd, uint32_t handle);
/* DRM_IOCTL_PRIME_FD_TO_HANDLE: the GEM handle of an import. */
uint32_t prime_fd_to_handle(int fd, int dma_buf_fd);

#endif /* IOCTL_WRAPPERS_H */
