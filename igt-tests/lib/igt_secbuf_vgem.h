/* SPDX-License-Identifier: MIT */
/*
 * The vgem and DRM PRIME helpers of the secbuf tests that IGT does not
 * have; for the rest the tests call IGT's own (igt_vgem.h, and in
 * ioctl_wrappers.h prime_fd_to_handle(), prime_handle_to_fd_for_mmap(),
 * gem_close()). DRM refuses to mmap an imported object, so an import is
 * checked by exporting it again, which gives back the same dma-buf.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_SECBUF_VGEM_H
#define IGT_SECBUF_VGEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An open /dev/dri/card* of the vgem driver: -1 if none. secbuf_open_vgem()
 * fails instead (every lane ships vgem and loads it: a missing vgem is a
 * failure, where IGT's drm_open_driver(DRIVER_VGEM) would skip).
 */
int __secbuf_open_vgem(void);
int secbuf_open_vgem(void);

/*
 * The -errno forms IGT's lib/ioctl_wrappers.h lacks (its
 * prime_fd_to_handle(), prime_handle_to_fd() and gem_close() assert).
 * DRM_IOCTL_PRIME_FD_TO_HANDLE: import a dma-buf, 0 or -errno.
 */
int __secbuf_prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle);

/* DRM_IOCTL_PRIME_HANDLE_TO_FD, O_RDWR | O_CLOEXEC: 0 or -errno. */
int __secbuf_prime_handle_to_fd(int fd, uint32_t handle, int *dmabuf);

/**
 * secbuf_vgem_import_maps: whether vgem's PRIME import of a secbuf buffer is a
 * device mapping (DMA_BIDIRECTIONAL, so for device writes too) that lasts
 * as long as the import, or only an attachment.
 *
 * True before Linux 7.0, from uname(2)'s release (major.minor). There the
 * import maps twice over: vgem's DRM_GEM_SHMEM_DRIVER_OPS leave
 * .gem_prime_import to drm_gem_prime_import(), whose
 * drm_gem_prime_import_dev() calls dma_buf_attach() and then
 * dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL); and already
 * inside that dma_buf_attach(), dma_buf_dynamic_attach() pins and maps
 * (DMA_BIDIRECTIONAL) the attachment of a static importer to a dynamic
 * exporter such as secbuf, keeping the sg_table cached in the attachment
 * until detach. So a vgem import needs DMA and WRITE rights and an
 * unsealed buffer (EACCES, EPERM), makes SECBUF_SEAL_WRITE EBUSY, and
 * keeps a revoked buffer quarantined until vgem closes its handle.
 *
 * False on 7.x (the arm64-7.x and x86_64-7.x lanes): DRM_GEM_SHMEM_DRIVER_OPS
 * set .gem_prime_import = drm_gem_shmem_prime_import_no_map(), which only
 * calls dma_buf_attach() and never maps, and the core no longer maps a
 * static importer's attachment at attach time (struct dma_buf_attachment
 * has no cached sg_table any more: it is mapped when the importer calls
 * dma_buf_map_attachment()). A vgem import there is an attachment without
 * a mapping: it needs DMA but not WRITE, works on a write-sealed buffer,
 * does not block SECBUF_SEAL_WRITE, and quarantines nothing when the
 * buffer is revoked. Revoked (ENODEV), without DMA or bound to another
 * process (EACCES) it fails as before: secbuf checks those at attach.
 *
 * Both changes came between 6.12 and 7.0; the lanes boot 6.1, 6.12 and
 * 7.x only, so no kernel in between is told apart.
 */
bool secbuf_vgem_import_maps(void);

/*
 * A static importer holding a device mapping of a dma-buf, for reading and
 * writing (DMA_BIDIRECTIONAL), from import until release, on every kernel:
 * vgem's PRIME import where that maps (secbuf_vgem_import_maps()), else an
 * STI_IMPORT_STATIC import of igt-tests/kmod's secbuf_test_importer
 * (dma_buf_attach() with no importer_ops, then dma_buf_map_attachment();
 * loaded from /lib/modules on first use, as every lane's initramfs has it).
 * For the subtests whose point is a device mapping (quarantine, SEAL_WRITE
 * EBUSY, rights and seals checked when a device maps).
 *
 * __secbuf_mapped_import() returns 0 or the importer's -errno (the one secbuf's
 * attach or map_dma_buf gave), and leaves @imp empty on failure.
 * secbuf_mapped_import_release() lets go (unmap, detach), also of an empty @imp.
 */
struct secbuf_mapped_import {
	int vgem;		/* a vgem file of its own, or -1 */
	uint32_t handle;	/* its GEM handle */
	int sti;		/* an open secbuf_test_importer, or -1 */
};

/* "vgem" or "secbuf_test_importer (static)": the importer used here. */
/*
 * Load the test importer (igt-tests/kmod, in every lane's initramfs) if
 * its device is not there yet, and wait for the device.
 */
void secbuf_sti_load(void);
const char *secbuf_mapped_importer_name(void);
int __secbuf_mapped_import(int dmabuf, struct secbuf_mapped_import *imp);
void secbuf_mapped_import(int dmabuf, struct secbuf_mapped_import *imp);
void secbuf_mapped_import_release(struct secbuf_mapped_import *imp);

#endif /* IGT_SECBUF_VGEM_H */
