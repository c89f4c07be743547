/* SPDX-License-Identifier: MIT */
/*
 * V4L2 helpers for the secbuf tests: vivid (the virtual video test driver)
 * as a real V4L2 importer of dma-bufs, through the raw uapi of
 * <linux/videodev2.h> only (no libv4l). Single-planar video capture and
 * output queues, the two kinds of buffers the tests use (V4L2_MEMORY_DMABUF
 * and vivid's own V4L2_MEMORY_MMAP), controls found by name, and loading
 * vivid with module parameters.
 *
 * IGT style: __thing() returns 0 or -errno, thing() asserts that it worked.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_V4L2_H
#define IGT_V4L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/videodev2.h>

#define VIVID_MODULE_NAME	"vivid"

/* ioctl() restarted on EINTR: 0 or -errno. */
int __secbuf_v4l2_ioctl(int fd, unsigned long request, void *arg);

/*
 * Whether this kernel's vb2 keeps its reference to a dma-buf whose attach
 * fails, i.e. a V4L2_MEMORY_DMABUF QBUF or PREPARE_BUF that the vb2
 * allocator (size check) or the exporter (attach refused) rejects. In
 * 6.12, __prepare_dmabuf() jumps past the dma_buf_put() of the planes it
 * got with dma_buf_get() when attach_dmabuf fails ("media: videobuf2-core:
 * release all planes first in __prepare_dmabuf()" moved that put); 6.1
 * puts it. The dma-buf, and its exporter's module, can then never be
 * released until reboot, so tests must not make such a call there.
 * Decided by the kernel version: 6.12 and later, until a fixed release is
 * known.
 */
bool secbuf_vb2_leaks_refused_dmabuf(void);

/*
 * vivid as a module. secbuf_vivid_load() unloads vivid if it is loaded and loads
 * it again with @params (NULL or "" for the defaults) through modprobe, so
 * that its dependencies come along; it fails the test (does not skip) when
 * vivid cannot be loaded, since the lanes ship it. Every vivid node opened
 * with secbuf_vivid_open() and every MMAP buffer mapped with secbuf_v4l2_mmap_buffers()
 * is closed or unmapped first, so that the module can go.
 *
 * The first secbuf_vivid_load() installs an exit handler that, like
 * secbuf_vivid_restore(), leaves vivid loaded with its default parameters and
 * controls: a failing or crashing test does not leave vivid changed.
 * secbuf_vivid_restore() does it at once (and asserts); it does nothing unless
 * secbuf_vivid_load() ran.
 */
int __secbuf_vivid_load(const char *params);
void secbuf_vivid_load(const char *params);
void secbuf_vivid_restore(void);

/*
 * The first single-planar vivid video node with @cap (V4L2_CAP_VIDEO_CAPTURE
 * or V4L2_CAP_VIDEO_OUTPUT) and V4L2_CAP_STREAMING, opened O_RDWR |
 * O_NONBLOCK (__secbuf_v4l2_dqbuf() polls); not the touch node, which also
 * captures video. Fails if there is none. secbuf_vivid_close() closes it.
 */
int secbuf_vivid_open(uint32_t cap);
void secbuf_vivid_close(int fd);

/*
 * Inputs and outputs by the start of their name, e.g. "Webcam",
 * "S-Video 000-0": their index, or -1. secbuf_v4l2_s_input() and secbuf_v4l2_s_output()
 * select one.
 */
int secbuf_v4l2_find_input(int fd, const char *name);
int secbuf_v4l2_find_output(int fd, const char *name);
void secbuf_v4l2_s_input(int fd, int index);
void secbuf_v4l2_s_output(int fd, int index);

/*
 * Controls by name (VIDIOC_QUERYCTRL with V4L2_CTRL_FLAG_NEXT_CTRL): the id,
 * or 0 if the device has no such control; @qc may be NULL. The menu item of
 * a menu control by name: its index, or -1. secbuf_v4l2_set_ctrl() sets and reads
 * back a 32-bit control (VIDIOC_S_EXT_CTRLS); secbuf_v4l2_set_menu() sets a menu
 * control by the names of the control and of the item, and fails if either
 * does not exist.
 */
uint32_t secbuf_v4l2_find_ctrl(int fd, const char *name, struct v4l2_queryctrl *qc);
int secbuf_v4l2_find_menu_item(int fd, uint32_t id, const char *item);
int __secbuf_v4l2_set_ctrl(int fd, uint32_t id, int32_t value);
void secbuf_v4l2_set_ctrl(int fd, uint32_t id, int32_t value);
int32_t secbuf_v4l2_get_ctrl(int fd, uint32_t id);
void secbuf_v4l2_set_menu(int fd, const char *ctrl, const char *item);

/*
 * Formats of a single-planar queue (@type V4L2_BUF_TYPE_VIDEO_CAPTURE or
 * _OUTPUT). secbuf_v4l2_s_fmt() sets @fmt (type filled in) and returns what the
 * driver chose in it.
 */
void secbuf_v4l2_g_fmt(int fd, uint32_t type, struct v4l2_format *fmt);
void secbuf_v4l2_s_fmt(int fd, uint32_t type, struct v4l2_format *fmt);
/* VIDIOC_S_STD: the standard of the current input or output of the node. */
void secbuf_v4l2_s_std(int fd, v4l2_std_id std);

/* VIDIOC_REQBUFS: the number of buffers the driver allocated. */
int __secbuf_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory, uint32_t count,
		   uint32_t *allocated);
uint32_t secbuf_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory, uint32_t count);

/*
 * VIDIOC_QBUF and VIDIOC_PREPARE_BUF of the dma-buf @dmabuf as buffer
 * @index of a V4L2_MEMORY_DMABUF queue. @length is the size vb2 is told
 * (0: the dma-buf's size), @bytesused what an output buffer holds (ignored
 * for capture).
 */
int __secbuf_v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
		       uint32_t length, uint32_t bytesused);
void secbuf_v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
		      uint32_t length, uint32_t bytesused);
int __secbuf_v4l2_prepare_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
			  uint32_t length, uint32_t bytesused);

/* VIDIOC_QBUF of buffer @index of a V4L2_MEMORY_MMAP queue. */
void secbuf_v4l2_qbuf_mmap(int fd, uint32_t type, uint32_t index, uint32_t bytesused);

/*
 * Wait up to @timeout_ms for a buffer (POLLIN for capture, POLLOUT for
 * output) and VIDIOC_DQBUF it into @buf: 0, -ETIME if none came, or -errno
 * of the ioctl. secbuf_v4l2_dqbuf() asserts that one came without
 * V4L2_BUF_FLAG_ERROR.
 */
int __secbuf_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory,
		 struct v4l2_buffer *buf, int timeout_ms);
void secbuf_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory,
		struct v4l2_buffer *buf, int timeout_ms);

void secbuf_v4l2_streamon(int fd, uint32_t type);
void secbuf_v4l2_streamoff(int fd, uint32_t type);

/*
 * The @count buffers of a V4L2_MEMORY_MMAP queue, mapped (VIDIOC_QUERYBUF
 * and mmap of the video node): @maps[i] and @lengths[i]. secbuf_v4l2_munmap_buffers()
 * unmaps them; a mapping holds the node open, so secbuf_vivid_load() and
 * secbuf_vivid_restore() unmap whatever is left.
 */
void secbuf_v4l2_mmap_buffers(int fd, uint32_t type, uint32_t count, void **maps,
		       size_t *lengths);
void secbuf_v4l2_munmap_buffers(uint32_t count, void **maps, size_t *lengths);

#endif /* IGT_V4L2_H */
