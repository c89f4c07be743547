// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf seals: restrictions the owner puts on a buffer and can never lift,
 * as memfd seals and QNX SHMCTL_SEAL do. They bind the owner too.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/uaccess.h>

#include <linux/secbuf.h>

#include "secbuf.h"

/*
 * True if something could write the buffer behind a write seal's back: a
 * device mapping that allows writes, a kernel mapping, a DMA window, or a
 * device write still under way (an unsignaled write fence: an importer
 * may have unmapped while its job runs on). The caller holds the
 * reservation lock, so no fence comes meanwhile.
 */
static bool secbuf_buffer_has_writers(struct secbuf_buffer *buffer)
{
	lockdep_assert_held(&buffer->lock);
	dma_resv_assert_held(&buffer->resv);
	return secbuf_handle_has_dev_writers(buffer) || buffer->vmap_count ||
	       secbuf_window_policy(buffer) ||
	       !dma_resv_test_signaled(&buffer->resv, DMA_RESV_USAGE_WRITE);
}

/**
 * secbuf_buffer_seal() - add seals to a buffer
 * @buffer: the buffer
 * @seals: %SECBUF_SEAL_* bits to add, validated by the caller
 * @now: set to every seal of the buffer on success or -EPERM
 *
 * A new %SECBUF_SEAL_WRITE zaps every CPU mapping of every handle, so that
 * they refault read-only.
 *
 * Context: Process context. Takes the buffer's reservation lock and its
 * locks; must hold none of them.
 * Return: 0, -ENODEV if the buffer was revoked, -EPERM if it carries
 * %SECBUF_SEAL_SEAL, -EBUSY for %SECBUF_SEAL_WRITE while something may
 * write the buffer.
 */
int secbuf_buffer_seal(struct secbuf_buffer *buffer, u32 seals, u32 *now)
{
	bool zap = false;
	int ret = 0;

	/* The reservation lock keeps the handles in place for the zap. */
	dma_resv_lock(&buffer->resv, NULL);
	down_write(&buffer->map_lock);
	mutex_lock(&buffer->lock);
	if (buffer->revoked) {
		ret = -ENODEV;
	} else if (buffer->seals & SECBUF_SEAL_SEAL) {
		ret = -EPERM;
	} else if ((seals & ~buffer->seals & SECBUF_SEAL_WRITE) &&
		   secbuf_buffer_has_writers(buffer)) {
		ret = -EBUSY;
	} else {
		zap = seals & ~buffer->seals & SECBUF_SEAL_WRITE;
		buffer->seals |= seals;
	}
	*now = buffer->seals;
	mutex_unlock(&buffer->lock);
	up_write(&buffer->map_lock);

	if (zap)
		secbuf_buffer_zap(buffer, false);
	dma_resv_unlock(&buffer->resv);
	return ret;
}

/**
 * secbuf_ioctl_seal() - SECBUF_IOC_SEAL
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_seal
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_seal(struct secbuf_file *sfile, unsigned long arg,
		       size_t usize)
{
	struct secbuf_handle *handle;
	struct secbuf_seal data;
	u32 now;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (!data.seals || (data.seals & ~SECBUF_SEAL_VALID_SEALS))
		return -EINVAL;

	handle = secbuf_owner_handle_get(sfile, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	ret = secbuf_buffer_seal(handle->buffer, data.seals, &now);
	if (!ret) {
		data.seals = now;
		if (copy_to_user((void __user *)arg, &data,
				 min(usize, sizeof(data))))
			ret = -EFAULT;
	}
	secbuf_handle_put(handle);
	return ret;
}

/**
 * secbuf_ioctl_get_seals() - SECBUF_IOC_GET_SEALS
 * @sfile: the caller's pool file, any file of the buffer's pool
 * @arg: user pointer to &struct secbuf_seal
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_get_seals(struct secbuf_file *sfile, unsigned long arg,
			    size_t usize)
{
	struct secbuf_handle *handle;
	struct secbuf_seal data;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (data.seals)
		return -EINVAL;

	handle = secbuf_handle_get(sfile->pool, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	data.seals = READ_ONCE(handle->buffer->seals);
	if (copy_to_user((void __user *)arg, &data, min(usize, sizeof(data))))
		ret = -EFAULT;
	secbuf_handle_put(handle);
	return ret;
}
