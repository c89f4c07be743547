// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: secbuf buffers in DRM drivers (PRIME), through libdrm.
 *
 * libdrm is optional. Without it (SECBUF_HAVE_LIBDRM undefined, see the
 * Makefile) the same symbols exist, so the ABI does not depend on how the
 * library was built, and every call fails with ENOSYS.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#ifdef SECBUF_HAVE_LIBDRM
#include <xf86drm.h>
#endif

#include "internal.h"

#ifdef SECBUF_HAVE_LIBDRM

SECBUF_API int secbuf_drm_import(int drm_fd, const struct secbuf_buffer *buf,
				 uint32_t *handle)
{
	uint32_t out = 0;

	if (!buf || !handle) {
		errno = EINVAL;
		return -1;
	}
	if (drm_fd < 0) {
		errno = EBADF;
		return -1;
	}

	/* drmIoctl() underneath retries on EINTR and EAGAIN. */
	if (drmPrimeFDToHandle(drm_fd, secbuf_buffer_get_fd(buf), &out))
		return -1;

	*handle = out;
	return 0;
}

SECBUF_API struct secbuf_buffer *secbuf_drm_export(int drm_fd, uint32_t handle,
						   unsigned int flags)
{
	struct secbuf_buffer *buf;
	int fd = -1;

	if ((flags & ~(unsigned int)SECBUF_BUFFER_READ_ONLY) || !handle) {
		errno = EINVAL;
		return NULL;
	}
	if (drm_fd < 0) {
		errno = EBADF;
		return NULL;
	}

	if (drmPrimeHandleToFD(drm_fd, handle, DRM_CLOEXEC |
			       ((flags & SECBUF_BUFFER_READ_ONLY) ? 0 : DRM_RDWR),
			       &fd))
		return NULL;

	buf = secbuf_buffer_from_fd(fd);
	if (!buf)
		secbuf_close_keep_errno(fd);
	return buf;
}

SECBUF_API int secbuf_drm_close_handle(int drm_fd, uint32_t handle)
{
	if (!handle) {
		errno = EINVAL;
		return -1;
	}
	if (drm_fd < 0) {
		errno = EBADF;
		return -1;
	}

	return drmCloseBufferHandle(drm_fd, handle) ? -1 : 0;
}

#else /* !SECBUF_HAVE_LIBDRM */

SECBUF_API int secbuf_drm_import(int drm_fd, const struct secbuf_buffer *buf,
				 uint32_t *handle)
{
	(void)drm_fd;
	(void)buf;
	(void)handle;
	errno = ENOSYS;
	return -1;
}

SECBUF_API struct secbuf_buffer *secbuf_drm_export(int drm_fd, uint32_t handle,
						   unsigned int flags)
{
	(void)drm_fd;
	(void)handle;
	(void)flags;
	errno = ENOSYS;
	return NULL;
}

SECBUF_API int secbuf_drm_close_handle(int drm_fd, uint32_t handle)
{
	(void)drm_fd;
	(void)handle;
	errno = ENOSYS;
	return -1;
}

#endif /* SECBUF_HAVE_LIBDRM */
