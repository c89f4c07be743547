/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * secbuf_dma_heap.ko's interface (secbuf_dma_heap.c): secbuf's pools as
 * dma-heaps of the dma-heap core, on kernels with CONFIG_DMABUF_HEAPS.
 */
#ifndef _SECBUF_DMA_HEAP_H
#define _SECBUF_DMA_HEAP_H

#include <linux/types.h>

struct dma_buf;
struct secbuf_dma_heap;

typedef struct dma_buf *(*secbuf_dma_heap_alloc_fn)(void *priv,
						    unsigned long len,
						    u32 fd_flags,
						    u64 heap_flags);

struct secbuf_dma_heap *secbuf_dma_heap_bind(const char *name,
					     secbuf_dma_heap_alloc_fn alloc,
					     void *priv);
void secbuf_dma_heap_unbind(struct secbuf_dma_heap *heap);

#endif /* _SECBUF_DMA_HEAP_H */
