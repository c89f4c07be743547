// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: secbuf buffers on V4L2 queues (V4L2_MEMORY_DMABUF).
 *
 * Raw <linux/videodev2.h> ioctls on the caller's device file, single-planar
 * video capture and output queues only.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/videodev2.h>

#include "internal.h"

_Static_assert((int)SECBUF_V4L2_CAPTURE == (int)V4L2_BUF_TYPE_VIDEO_CAPTURE,
	       "SECBUF_V4L2_CAPTURE is V4L2_BUF_TYPE_VIDEO_CAPTURE");
_Static_assert((int)SECBUF_V4L2_OUTPUT == (int)V4L2_BUF_TYPE_VIDEO_OUTPUT,
	       "SECBUF_V4L2_OUTPUT is V4L2_BUF_TYPE_VIDEO_OUTPUT");

/* What the queue knows of one slot: the last buffer queued, the last frame. */
struct secbuf_v4l2_slot {
	const struct secbuf_buffer *buf;	/* the caller's, not ours */
	bool dequeued;		/* the fields below describe a frame */
	uint32_t bytesused;
	uint32_t sequence;
	uint32_t flags;
	uint64_t timestamp_ns;
};

struct secbuf_v4l2_queue {
	int fd;			/* the caller's device file: never closed here */
	uint32_t type;
	unsigned int count;
	bool streaming;
	struct secbuf_v4l2_slot slots[];
};

/* VIDIOC_REQBUFS of @count DMABUF slots; the driver's count in *@got. */
static int secbuf_v4l2_reqbufs(int fd, uint32_t type, unsigned int count,
			       unsigned int *got)
{
	struct v4l2_requestbuffers in = {
		.count = count,
		.type = type,
		.memory = V4L2_MEMORY_DMABUF,
	}, req;

	/* The driver writes count back: every retry starts from @in. */
	if (secbuf_ioctl_fresh(fd, VIDIOC_REQBUFS, &req, &in, sizeof(req)) < 0)
		return -1;
	if (got)
		*got = req.count;
	return 0;
}

SECBUF_API struct secbuf_v4l2_queue *
secbuf_v4l2_queue_new(int video_fd, enum secbuf_v4l2_type type,
		      unsigned int count)
{
	struct secbuf_v4l2_queue *queue;
	unsigned int got = 0;

	if (video_fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if ((type != SECBUF_V4L2_CAPTURE && type != SECBUF_V4L2_OUTPUT) ||
	    !count || count > VIDEO_MAX_FRAME) {
		errno = EINVAL;
		return NULL;
	}

	if (secbuf_v4l2_reqbufs(video_fd, type, count, &got) < 0)
		return NULL;
	if (!got || got > VIDEO_MAX_FRAME) {
		/* A driver that says yes and gives nothing: no memory. */
		secbuf_v4l2_reqbufs(video_fd, type, 0, NULL);
		errno = got ? EIO : ENOMEM;
		return NULL;
	}

	queue = calloc(1, sizeof(*queue) + got * sizeof(queue->slots[0]));
	if (!queue) {
		int saved = errno;

		secbuf_v4l2_reqbufs(video_fd, type, 0, NULL);
		errno = saved;
		return NULL;
	}
	queue->fd = video_fd;
	queue->type = type;
	queue->count = got;

	return queue;
}

SECBUF_API void secbuf_v4l2_queue_free(struct secbuf_v4l2_queue *queue)
{
	if (!queue)
		return;

	/* REQBUFS 0 is EBUSY while streaming. */
	secbuf_v4l2_queue_stream_off(queue);
	secbuf_v4l2_reqbufs(queue->fd, queue->type, 0, NULL);
	free(queue);
}

SECBUF_API unsigned int
secbuf_v4l2_queue_get_count(const struct secbuf_v4l2_queue *queue)
{
	return queue->count;
}

SECBUF_API int secbuf_v4l2_queue_buffer(struct secbuf_v4l2_queue *queue,
					unsigned int index,
					const struct secbuf_buffer *buf,
					uint32_t bytesused)
{
	struct v4l2_buffer b;
	uint64_t size;

	if (index >= queue->count || !buf) {
		errno = EINVAL;
		return -1;
	}
	size = secbuf_buffer_get_size(buf);
	if (size > UINT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}

	memset(&b, 0, sizeof(b));
	b.index = index;
	b.type = queue->type;
	b.memory = V4L2_MEMORY_DMABUF;
	b.m.fd = secbuf_buffer_get_fd(buf);
	/* vb2 takes a length of 0 for the size of the dma-buf. */
	b.length = 0;
	if (queue->type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
		if (bytesused > size) {
			errno = EINVAL;
			return -1;
		}
		b.bytesused = bytesused ? bytesused : (uint32_t)size;
		b.field = V4L2_FIELD_ANY;
	}

	if (secbuf_ioctl(queue->fd, VIDIOC_QBUF, &b) < 0)
		return -1;

	queue->slots[index].buf = buf;
	return 0;
}

static int secbuf_v4l2_stream(struct secbuf_v4l2_queue *queue,
			      unsigned long request, bool on)
{
	int type = (int)queue->type;

	if (secbuf_ioctl(queue->fd, request, &type) < 0)
		return -1;
	queue->streaming = on;
	return 0;
}

SECBUF_API int secbuf_v4l2_queue_stream_on(struct secbuf_v4l2_queue *queue)
{
	return secbuf_v4l2_stream(queue, VIDIOC_STREAMON, true);
}

SECBUF_API int secbuf_v4l2_queue_stream_off(struct secbuf_v4l2_queue *queue)
{
	return secbuf_v4l2_stream(queue, VIDIOC_STREAMOFF, false);
}

static int64_t secbuf_v4l2_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until the queue has a buffer to hand back, or @deadline (-1: none).
 * Returns 0, or -1 with errno ETIMEDOUT, EIO (POLLERR) or poll()'s errno.
 */
static int secbuf_v4l2_wait(struct secbuf_v4l2_queue *queue, int64_t deadline)
{
	short want = queue->type == V4L2_BUF_TYPE_VIDEO_OUTPUT ? POLLOUT : POLLIN;
	struct pollfd pfd = { .fd = queue->fd, .events = want };
	int64_t left;
	int ret;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - secbuf_v4l2_now_ms();
			if (left < 0)
				left = 0;
		}
		ret = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		if (ret == 0) {
			if (deadline >= 0 && secbuf_v4l2_now_ms() >= deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		if (pfd.revents & want)
			return 0;
		errno = (pfd.revents & POLLNVAL) ? EBADF : EIO;
		return -1;
	}
}

SECBUF_API int secbuf_v4l2_queue_dequeue(struct secbuf_v4l2_queue *queue,
					 int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : secbuf_v4l2_now_ms() + timeout_ms;
	struct secbuf_v4l2_slot *slot;
	struct v4l2_buffer b;
	int ret;

	if (!queue->streaming) {
		errno = EINVAL;
		return -1;
	}

	for (;;) {
		if (secbuf_v4l2_wait(queue, deadline) < 0)
			return -1;
		memset(&b, 0, sizeof(b));
		b.type = queue->type;
		b.memory = V4L2_MEMORY_DMABUF;
		ret = ioctl(queue->fd, VIDIOC_DQBUF, &b);
		if (!ret)
			break;
		/* EAGAIN: someone else took it (non-blocking file); wait on. */
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
	if (b.index >= queue->count) {
		errno = EIO;
		return -1;
	}

	slot = &queue->slots[b.index];
	slot->dequeued = true;
	slot->bytesused = b.bytesused;
	slot->sequence = b.sequence;
	slot->flags = b.flags;
	slot->timestamp_ns = (uint64_t)b.timestamp.tv_sec * 1000000000u +
			     (uint64_t)b.timestamp.tv_usec * 1000u;
	return (int)b.index;
}

/* The slot at @index if a frame was dequeued there, else NULL. */
static const struct secbuf_v4l2_slot *
secbuf_v4l2_frame(const struct secbuf_v4l2_queue *queue, unsigned int index)
{
	if (index >= queue->count || !queue->slots[index].dequeued)
		return NULL;
	return &queue->slots[index];
}

SECBUF_API const struct secbuf_buffer *
secbuf_v4l2_queue_get_buffer(const struct secbuf_v4l2_queue *queue,
			     unsigned int index)
{
	return index < queue->count ? queue->slots[index].buf : NULL;
}

SECBUF_API uint32_t
secbuf_v4l2_queue_get_bytesused(const struct secbuf_v4l2_queue *queue,
				unsigned int index)
{
	const struct secbuf_v4l2_slot *slot = secbuf_v4l2_frame(queue, index);

	return slot ? slot->bytesused : 0;
}

SECBUF_API uint32_t
secbuf_v4l2_queue_get_sequence(const struct secbuf_v4l2_queue *queue,
			       unsigned int index)
{
	const struct secbuf_v4l2_slot *slot = secbuf_v4l2_frame(queue, index);

	return slot ? slot->sequence : 0;
}

SECBUF_API uint64_t
secbuf_v4l2_queue_get_timestamp_ns(const struct secbuf_v4l2_queue *queue,
				   unsigned int index)
{
	const struct secbuf_v4l2_slot *slot = secbuf_v4l2_frame(queue, index);

	return slot ? slot->timestamp_ns : 0;
}

SECBUF_API bool secbuf_v4l2_queue_has_error(const struct secbuf_v4l2_queue *queue,
					    unsigned int index)
{
	const struct secbuf_v4l2_slot *slot = secbuf_v4l2_frame(queue, index);

	return slot && (slot->flags & V4L2_BUF_FLAG_ERROR);
}
