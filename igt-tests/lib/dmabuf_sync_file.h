/* SPDX-License-Identifier: MIT */
/*
 * The part of igt-gpu-tools' lib/dmabuf_sync_file.h the secbuf tests use:
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE and _IMPORT_SYNC_FILE, both asserting
 * that the ioctl worked, as in IGT. Runtime only: inside IGT,
 * "dmabuf_sync_file.h" is IGT's own and these come from libigt.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef DMABUF_SYNC_FILE_H
#define DMABUF_SYNC_FILE_H

#include <linux/dma-buf.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

/* A sync_file of @dmabuf's fences (flags: DMA_BUF_SYNC_READ, _WRITE). */
int dmabuf_export_sync_file(int dmabuf, uint32_t flags);
/* Add @sync_fd's fence to @dmabuf as a read or write fence. */
void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync_fd);

#endif
