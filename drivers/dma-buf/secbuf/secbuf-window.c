// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf DMA windows: the owner declares that a device writes the buffer,
 * and CPU access waits, or fails at once, until the window closes.
 *
 * A window is a dma-fence on the buffer's reservation object with WRITE
 * usage, so everything that honours implicit sync (DMA_BUF_IOCTL_SYNC,
 * poll() on the dma-buf, importers) sees it. Opening a window zaps every
 * CPU mapping of the buffer; the fault handler then applies the window's
 * policy. A window that is never closed expires after
 * dma_window_timeout_ms, as vgem's fences do, and its fence signals with
 * -ETIMEDOUT, so nothing can be made to wait forever.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sync_file.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include <linux/secbuf.h>

#include "compat.h"
#include "secbuf.h"

/**
 * struct secbuf_window - one DMA window of a buffer
 * @base: the fence, signaled when the window closes or expires; first, so
 *	that dma_fence_free() frees the whole window
 * @lock: the fence's lock
 * @timer: expires the window
 * @pool: the buffer's pool, for the fence's timeline name
 * @policy: %SECBUF_DMA_WAIT or %SECBUF_DMA_STRICT
 */
struct secbuf_window {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's */
	struct timer_list timer;
	struct secbuf_pool *pool;
	u32 policy;
};

static struct secbuf_window *to_secbuf_window(struct dma_fence *fence)
{
	return container_of(fence, struct secbuf_window, base);
}

static const char *secbuf_window_driver_name(struct dma_fence *fence)
{
	return "secbuf";
}

static const char *secbuf_window_timeline_name(struct dma_fence *fence)
{
	return to_secbuf_window(fence)->pool->name;
}

/*
 * The last reference may go in any context, an interrupt handler's too
 * (a fence array holding the window, released from another fence's
 * callback), so nothing here may sleep or wait for the timer: the timer
 * is armed only while the buffer holds the window, and
 * secbuf_window_close() stops it before the buffer lets go.
 */
static void secbuf_window_release(struct dma_fence *fence)
{
	struct secbuf_window *window = to_secbuf_window(fence);

	WARN_ON_ONCE(timer_pending(&window->timer));
	dma_fence_free(fence);
	/* Taken when the fence was made: its ops live in this module. */
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops secbuf_window_fence_ops = {
	.get_driver_name = secbuf_window_driver_name,
	.get_timeline_name = secbuf_window_timeline_name,
	.release = secbuf_window_release,
};

/* Signal the window's fence unless it is already; true if this call did. */
static bool secbuf_window_signal(struct secbuf_window *window, int error)
{
	unsigned long flags;
	bool signaled = false;

	spin_lock_irqsave(&window->lock, flags);
	if (!dma_fence_is_signaled_locked(&window->base)) {
		if (error)
			dma_fence_set_error(&window->base, error);
		dma_fence_signal_locked(&window->base);
		signaled = true;
	}
	spin_unlock_irqrestore(&window->lock, flags);
	return signaled;
}

static void secbuf_window_expire(struct timer_list *t)
{
	struct secbuf_window *window = secbuf_timer_container_of(window, t, timer);

	secbuf_window_signal(window, -ETIMEDOUT);
}

/**
 * secbuf_window_policy() - the policy of the buffer's open DMA window
 * @buffer: the buffer
 *
 * Context: Any context that may sleep; the caller holds
 * &secbuf_buffer.map_lock.
 * Return: %SECBUF_DMA_WAIT or %SECBUF_DMA_STRICT while a window is open,
 * 0 if none is (a window that expired is closed).
 */
u32 secbuf_window_policy(struct secbuf_buffer *buffer)
{
	struct secbuf_window *window = buffer->window;

	lockdep_assert_held(&buffer->map_lock);
	if (!window || dma_fence_is_signaled(&window->base))
		return 0;
	return window->policy;
}

/**
 * secbuf_window_take() - detach the buffer's last DMA window from it
 * @buffer: the buffer
 *
 * Context: Process context; the caller holds &secbuf_buffer.map_lock for
 * writing.
 * Return: the window, whose reference passes to the caller (close it with
 * secbuf_window_close()), or NULL if the buffer has none.
 */
struct secbuf_window *secbuf_window_take(struct secbuf_buffer *buffer)
{
	struct secbuf_window *window = buffer->window;

	lockdep_assert_held_write(&buffer->map_lock);
	buffer->window = NULL;
	return window;
}

/**
 * secbuf_window_close() - close a window and drop the reference to it
 * @window: a window from secbuf_window_take(), or NULL
 * @error: 0, or the error its fence signals with if still unsignaled
 *
 * Context: Process context.
 * Return: -ETIMEDOUT if the window had expired before, else 0.
 */
int secbuf_window_close(struct secbuf_window *window, int error)
{
	int ret = 0;

	if (!window)
		return 0;
	if (!secbuf_window_signal(window, error) &&
	    window->base.error == -ETIMEDOUT)
		ret = -ETIMEDOUT;
	timer_delete_sync(&window->timer);
	dma_fence_put(&window->base);
	return ret;
}

static struct secbuf_window *secbuf_window_create(struct secbuf_pool *pool,
						  u32 policy)
{
	struct secbuf_window *window;

	window = kzalloc(sizeof(*window), GFP_KERNEL);
	if (!window)
		return NULL;
	spin_lock_init(&window->lock);
	timer_setup(&window->timer, secbuf_window_expire, 0);
	window->pool = pool;
	window->policy = policy;
	return window;
}

/*
 * Open a window on @buffer. On success the buffer holds the window's first
 * reference, and *@fence a second one.
 */
static int secbuf_window_open(struct secbuf_buffer *buffer, u32 policy,
			      struct dma_fence **fence)
{
	struct secbuf_window *window, *old;
	int ret;

	BUILD_BUG_ON(offsetof(struct secbuf_window, base));

	window = secbuf_window_create(buffer->pool, policy);
	if (!window)
		return -ENOMEM;

	/* The reservation lock keeps the handles in place for the zap. */
	dma_resv_lock(&buffer->resv, NULL);
	ret = dma_resv_reserve_fences(&buffer->resv, 1);
	if (ret)
		goto unlock_resv;

	down_write(&buffer->map_lock);
	if (buffer->revoked)
		ret = -ENODEV;
	else if (buffer->seals & SECBUF_SEAL_WRITE)
		ret = -EPERM;
	else if (secbuf_window_policy(buffer))
		ret = -EBUSY;
	if (ret) {
		up_write(&buffer->map_lock);
		goto unlock_resv;
	}
	dma_fence_init(&window->base, &secbuf_window_fence_ops, &window->lock,
		       buffer->fence_context, ++buffer->fence_seqno);
	__module_get(THIS_MODULE);
	old = secbuf_window_take(buffer);
	buffer->window = window;
	dma_resv_add_fence(&buffer->resv, &window->base, DMA_RESV_USAGE_WRITE);
	*fence = dma_fence_get(&window->base);
	mod_timer(&window->timer, jiffies +
		  msecs_to_jiffies(READ_ONCE(secbuf_dma_window_timeout_ms)));
	up_write(&buffer->map_lock);

	/* Every fault from here on sees the window. */
	secbuf_buffer_zap(buffer, false);
	dma_resv_unlock(&buffer->resv);

	secbuf_window_close(old, 0);
	return 0;

unlock_resv:
	dma_resv_unlock(&buffer->resv);
	kfree(window);
	return ret;
}

/**
 * secbuf_ioctl_dma_begin() - SECBUF_IOC_DMA_BEGIN
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_dma_begin
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_dma_begin(struct secbuf_file *sfile, unsigned long arg,
			    size_t usize)
{
	struct secbuf_window *window = NULL;
	struct secbuf_handle *handle;
	struct secbuf_dma_begin data;
	struct sync_file *sync_file;
	struct secbuf_buffer *buffer;
	struct dma_fence *fence;
	u32 policy;
	int fd = -1, ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	policy = data.flags & (SECBUF_DMA_WAIT | SECBUF_DMA_STRICT);
	if ((data.flags & ~SECBUF_DMA_VALID_FLAGS) ||
	    (policy != SECBUF_DMA_WAIT && policy != SECBUF_DMA_STRICT) ||
	    data.fence_fd || data.pad)
		return -EINVAL;

	handle = secbuf_owner_handle_get(sfile, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	buffer = handle->buffer;

	if (data.flags & SECBUF_DMA_FENCE_FD) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto put_handle;
		}
	}

	ret = secbuf_window_open(buffer, policy, &fence);
	if (ret)
		goto put_fd;

	if (fd >= 0) {
		sync_file = sync_file_create(fence);
		if (!sync_file) {
			ret = -ENOMEM;
			goto close_window;
		}
		data.fence_fd = fd;
		if (copy_to_user((void __user *)arg, &data,
				 min(usize, sizeof(data)))) {
			fput(sync_file->file);
			ret = -EFAULT;
			goto close_window;
		}
		fd_install(fd, sync_file->file);
	}
	dma_fence_put(fence);
	secbuf_handle_put(handle);
	return 0;

close_window:
	/*
	 * Nothing saw the window yet but the zapped mappings: undo it, if it
	 * is still the buffer's. A DMA_END and a DMA_BEGIN of another thread
	 * may have come in between; their window is not ours to close.
	 */
	down_write(&buffer->map_lock);
	if (buffer->window == to_secbuf_window(fence))
		window = secbuf_window_take(buffer);
	up_write(&buffer->map_lock);
	secbuf_window_close(window, ret);
	dma_fence_put(fence);
put_fd:
	if (fd >= 0)
		put_unused_fd(fd);
put_handle:
	secbuf_handle_put(handle);
	return ret;
}

/**
 * secbuf_ioctl_dma_end() - SECBUF_IOC_DMA_END
 * @sfile: the caller's pool file
 * @arg: user pointer to &struct secbuf_dma_end
 * @usize: size of the user's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno, see the uapi header.
 */
long secbuf_ioctl_dma_end(struct secbuf_file *sfile, unsigned long arg,
			  size_t usize)
{
	struct secbuf_handle *handle;
	struct secbuf_buffer *buffer;
	struct secbuf_window *window;
	struct secbuf_dma_end data;
	int ret;

	ret = secbuf_copy_args(&data, sizeof(data), sizeof(data), arg, usize);
	if (ret)
		return ret;
	if (data.flags & ~SECBUF_DMA_END_VALID_FLAGS)
		return -EINVAL;

	handle = secbuf_owner_handle_get(sfile, data.buf_fd);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	buffer = handle->buffer;

	down_write(&buffer->map_lock);
	if (buffer->revoked) {
		ret = -ENODEV;
		window = NULL;
	} else {
		window = secbuf_window_take(buffer);
		ret = window ? 0 : -ENOENT;
	}
	up_write(&buffer->map_lock);
	if (window)
		ret = secbuf_window_close(window, 0);

	secbuf_handle_put(handle);
	return ret;
}
