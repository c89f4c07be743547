// SPDX-License-Identifier: MIT
/*
 * secbuf_v4l2: secbuf buffers in a real V4L2 driver. vivid, the virtual
 * video test driver Debian's kernels ship as a module, captures into and
 * plays out of secbuf dma-bufs queued with V4L2_MEMORY_DMABUF, with each of
 * its vb2 allocators (module parameter "allocators"):
 *
 *   vmalloc     (allocators=0) never attaches: it reaches the dma-buf only
 *               through dma_buf_vmap(), taken when the buffer is queued;
 *   dma-contig  (allocators=1) attaches and maps for the device when the
 *               buffer is queued (secbuf is a dynamic exporter, vivid a
 *               static importer, so the dma-buf core pins the attachment
 *               and maps it bidirectionally right at attach time, one
 *               contiguous entry), and vmaps it only when vivid first
 *               fills or reads it.
 *
 * vb2 keeps attachment, mapping and vmap from the first QBUF of a dma-buf
 * on a buffer index until that index gets another dma-buf, REQBUFS 0 or
 * close; queueing the same dma-buf again reuses them.
 *
 * Checked: capture into secbuf buffers; frames byte-identical to vivid's
 * own MMAP buffers under fixed controls (no OSD text, a still test
 * pattern); a frame the CPU wrote into a secbuf buffer, played on vivid's
 * video output and looped back over S-Video into another secbuf buffer,
 * byte for byte; and what V4L2 gets from secbuf when a buffer is too
 * small, revoked (before vivid sees it, while vivid uses it, one grant
 * only) or write-sealed: a refused attach (dma-contig), a private mapping
 * that never reaches the memory (a revoked buffer's vmap: zeroes, a sealed
 * one's: a snapshot), or quarantine until vivid lets go. Every subtest
 * ends with the pool idle and no reference left on secbuf (its module
 * refcount back where it was).
 *
 * Each subtest reloads vivid with the allocator it tests (busybox modprobe
 * in the guests) and leaves it loaded with its defaults; a missing vivid
 * fails the subtest, it does not skip.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
/* After igt.h: IGT's linux_scaffold.h must define _AC first. */
#include <linux/videodev2.h>
#include "igt_secbuf.h"
#include "igt_stress.h"
#include "igt_v4l2.h"

IGT_TEST_DESCRIPTION("secbuf dma-bufs in vivid (V4L2_MEMORY_DMABUF) with "
		     "vb2-vmalloc and vb2-dma-contig: capture, frames equal to "
		     "vivid's MMAP buffers, output looped back to capture, and "
		     "buffers that are too small, revoked or write-sealed.");

#define CAP	V4L2_BUF_TYPE_VIDEO_CAPTURE
#define OUT	V4L2_BUF_TYPE_VIDEO_OUTPUT
#define DMABUF	V4L2_MEMORY_DMABUF
#define MMAP	V4L2_MEMORY_MMAP

#define NBUF		3	/* buffers in a capture ring */
#define NFRAMES		6	/* frames a capture subtest dequeues */
#define FRAME_MS	10000	/* vivid: 25-30 fps, but TCG guests are slow */
#define LOOP_FRAMES	40	/* capture frames to wait for looped ones */
#define POISON		0xa5	/* what a buffer holds before vivid writes it */
#define SEED		0x5ec0b0f

static const struct allocator {
	const char *name;
	const char *params;
	bool attaches;		/* dma_buf_attach() at QBUF (dma-contig) */
} allocators[] = {
	{ "vmalloc", "allocators=0", false },
	{ "dma-contig", "allocators=1", true },
};
#define N_ALLOCATORS	(sizeof(allocators) / sizeof(allocators[0]))

static const char *pool;
static int fd = -1;
static int secbuf_refs_idle;

/* ---- secbuf buffers ---------------------------------------------------- */

struct sbuf {
	int fd;
	size_t size;
	uint8_t *map;	/* the owner's mapping, NULL once revoked */
};

/* A buffer of at least @size bytes from the pool file, mapped, all @fill. */
static void sbuf_alloc(struct sbuf *b, size_t size, uint8_t fill)
{
	size_t page = secbuf_page_size();

	b->size = (size + page - 1) / page * page;
	b->fd = secbuf_alloc(fd, b->size, 0, O_RDWR | O_CLOEXEC);
	b->map = secbuf_mmap(b->fd, b->size, PROT_READ | PROT_WRITE);
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(b->map, fill, b->size);
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static void sbuf_unmap(struct sbuf *b)
{
	if (b->map)
		secbuf_munmap(b->map, b->size);
	b->map = NULL;
}

static void sbuf_free(struct sbuf *b)
{
	sbuf_unmap(b);
	igt_assert_eq(close(b->fd), 0);
	b->fd = -1;
}

static void sbuf_poison(struct sbuf *b)
{
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(b->map, POISON, b->size);
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* CPU reads of what a device wrote go between these two. */
static void sbuf_read_begin(const struct sbuf *b)
{
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
}

static void sbuf_read_end(const struct sbuf *b)
{
	secbuf_dmabuf_sync(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

static uint64_t pool_quarantined(void)
{
	struct secbuf_pool_info info;

	secbuf_pool_info(fd, &info);
	return info.quarantined_bytes;
}

static uint64_t pool_used(void)
{
	struct secbuf_pool_info info;

	secbuf_pool_info(fd, &info);
	return info.used_bytes;
}

/* References on the secbuf module: the pool file's, one per dma-buf... */
static int secbuf_refs(void)
{
	char buf[32] = "";
	int f = open("/sys/module/" SECBUF_MODULE_NAME "/refcnt",
		     O_RDONLY | O_CLOEXEC);

	igt_assert_fd(f);
	igt_assert_lt(0, (int)read(f, buf, sizeof(buf) - 1));
	close(f);
	return atoi(buf);
}

/*
 * Everything is back: the pool is idle, and no dma-buf of secbuf is left
 * anywhere (a revoked buffer's memory goes back at once, so only the
 * module's refcount shows a dma-buf vb2 kept).
 */
static void assert_released(void)
{
	secbuf_pool_assert_idle(pool);
	igt_assert_f(secbuf_refs() == secbuf_refs_idle,
		     "%d references on secbuf, %d before: a secbuf dma-buf "
		     "was not released\n", secbuf_refs(), secbuf_refs_idle);
}

/* The state of grant @grant_id of @buf_fd, from SECBUF_IOC_GRANT_LIST. */
static struct secbuf_grant_info grant_info(int buf_fd, uint64_t grant_id)
{
	struct secbuf_grant_info info[4];
	uint32_t n = secbuf_grant_list(fd, buf_fd, info, 4);

	for (uint32_t i = 0; i < n && i < 4; i++)
		if (info[i].grant_id == grant_id)
			return info[i];
	igt_assert_f(false, "no grant %" PRIu64 "\n", grant_id);
	return info[0];
}

/* ---- Frames ------------------------------------------------------------ */

/* The first offset where @a and @b differ, or -1. */
static long first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static void assert_same_frame(const uint8_t *got, const uint8_t *want,
			      size_t len, const char *what)
{
	long off = first_diff(got, want, len);

	igt_assert_f(off < 0, "%s: byte %ld of %zu is %#x, expected %#x\n",
		     what, off, len, off < 0 ? 0 : got[off],
		     off < 0 ? 0 : want[off]);
}

/*
 * vivid wrote a frame of @image bytes: no page of it is still all POISON,
 * and nothing after it was touched.
 */
static void assert_frame_written(const struct sbuf *b, size_t image)
{
	size_t page = secbuf_page_size();

	for (size_t off = 0; off < image; off += page) {
		size_t len = image - off < page ? image - off : page;
		bool written = false;

		for (size_t i = 0; i < len && !written; i++)
			written = b->map[off + i] != POISON;
		igt_assert_f(written, "page at %#zx of the frame is still "
			     "poison: vivid did not write it\n", off);
	}
	for (size_t i = image; i < b->size; i++)
		igt_assert_f(b->map[i] == POISON, "byte %#zx after the %#zx "
			     "bytes of the frame was written (%#x)\n", i,
			     image, b->map[i]);
}

/* Every byte is still POISON: no frame reached this memory. */
static void assert_untouched(const struct sbuf *b)
{
	sbuf_read_begin(b);
	for (size_t i = 0; i < b->size; i++)
		igt_assert_f(b->map[i] == POISON, "byte %#zx of %#zx is %#x: "
			     "vivid wrote this memory\n", i, b->size,
			     b->map[i]);
	sbuf_read_end(b);
}

/* ---- vivid ------------------------------------------------------------- */

/*
 * Frames that never change: no OSD text (it carries a clock and counters),
 * and a test pattern that varies along both axes, so that a page in the
 * wrong place would show, standing still and covering the whole frame.
 */
static void vivid_fixed_frames(int v)
{
	uint32_t id;

	secbuf_v4l2_set_menu(v, "OSD Text Mode", "None");
	secbuf_v4l2_set_menu(v, "Test Pattern", "100% Color Squares");
	secbuf_v4l2_set_menu(v, "Horizontal Movement", "No Movement");
	secbuf_v4l2_set_menu(v, "Vertical Movement", "No Movement");
	id = secbuf_v4l2_find_ctrl(v, "Fill Percentage of Frame", NULL);
	igt_assert_f(id, "vivid has no \"Fill Percentage of Frame\" control\n");
	secbuf_v4l2_set_ctrl(v, id, 100);
}

/* vivid's capture node on the input named @input..., with fixed frames. */
static int open_capture(const char *input, struct v4l2_format *fmt)
{
	int v = secbuf_vivid_open(V4L2_CAP_VIDEO_CAPTURE);
	int in = secbuf_v4l2_find_input(v, input);

	igt_assert_f(in >= 0, "vivid has no input \"%s\"\n", input);
	secbuf_v4l2_s_input(v, in);
	vivid_fixed_frames(v);
	secbuf_v4l2_g_fmt(v, CAP, fmt);
	igt_debug("capture %ux%u %.4s field %u, %u bytes\n",
		  fmt->fmt.pix.width, fmt->fmt.pix.height,
		  (const char *)&fmt->fmt.pix.pixelformat, fmt->fmt.pix.field,
		  fmt->fmt.pix.sizeimage);
	igt_assert_lt(0, (int)fmt->fmt.pix.sizeimage);
	return v;
}

/*
 * vivid reloaded with allocator @a and its capture node on the webcam
 * input; the size of a frame in @sizeimage.
 */
static int start_webcam(const struct allocator *a, uint32_t *sizeimage)
{
	struct v4l2_format fmt;
	int v;

	secbuf_vivid_load(a->params);
	v = open_capture("Webcam", &fmt);
	*sizeimage = fmt.fmt.pix.sizeimage;
	return v;
}

static void stop(int v)
{
	secbuf_vivid_close(v);
	secbuf_vivid_restore();
}

/*
 * Dequeue a frame from a DMABUF capture queue whose buffer i holds
 * @fds[i]: it came back whole and without error. Returns its index.
 */
static uint32_t dqbuf_frame(int v, const int *fds, uint32_t nbuf,
			    uint32_t sizeimage, struct v4l2_buffer *b)
{
	secbuf_v4l2_dqbuf(v, CAP, DMABUF, b, FRAME_MS);
	igt_assert_lt(b->index, nbuf);
	igt_assert_eq(b->m.fd, fds[b->index]);
	igt_assert_eq_u32(b->bytesused, sizeimage);
	return b->index;
}

/*
 * Stream @nframes frames through buffer 0 of a capture queue that holds
 * @dmabuf there, queueing it again after each: vivid uses whatever secbuf
 * gave it, and every frame comes back without error.
 */
static void stream_one_buffer(int v, int dmabuf, uint32_t sizeimage,
			      int nframes)
{
	secbuf_v4l2_streamon(v, CAP);
	for (int n = 0; n < nframes; n++) {
		struct v4l2_buffer b;

		dqbuf_frame(v, &dmabuf, 1, sizeimage, &b);
		if (n + 1 < nframes)
			secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, dmabuf, 0, 0);
	}
	secbuf_v4l2_streamoff(v, CAP);
}

/* ---- Capture ----------------------------------------------------------- */

static void test_capture(const struct allocator *a)
{
	struct sbuf bufs[NBUF];
	int fds[NBUF];
	uint32_t sizeimage, last_seq = 0;
	uint8_t *first = NULL;
	int v = start_webcam(a, &sizeimage);

	/* A spare page after each frame shows writes past its end. */
	for (int i = 0; i < NBUF; i++) {
		sbuf_alloc(&bufs[i], sizeimage + secbuf_page_size(), POISON);
		fds[i] = bufs[i].fd;
	}
	igt_assert_eq_u32(secbuf_v4l2_reqbufs(v, CAP, DMABUF, NBUF), NBUF);
	for (int i = 0; i < NBUF; i++)
		secbuf_v4l2_qbuf_dmabuf(v, CAP, i, fds[i], 0, 0);
	secbuf_v4l2_streamon(v, CAP);

	for (int n = 0; n < NFRAMES; n++) {
		struct v4l2_buffer b;
		uint32_t i = dqbuf_frame(v, fds, NBUF, sizeimage, &b);

		if (n)
			igt_assert_lt_u64(last_seq, b.sequence);
		last_seq = b.sequence;

		sbuf_read_begin(&bufs[i]);
		assert_frame_written(&bufs[i], sizeimage);
		if (!first) {
			first = malloc(sizeimage);
			igt_assert(first);
			memcpy(first, bufs[i].map, sizeimage);
		} else {
			assert_same_frame(bufs[i].map, first, sizeimage,
					  "a frame differs from the first");
		}
		sbuf_read_end(&bufs[i]);

		sbuf_poison(&bufs[i]);
		secbuf_v4l2_qbuf_dmabuf(v, CAP, i, fds[i], 0, 0);
	}

	/* While vivid holds them, the buffers are live, not quarantined. */
	igt_assert_eq_u64(pool_used(), NBUF * bufs[0].size);
	igt_assert_eq_u64(pool_quarantined(), 0);

	secbuf_v4l2_streamoff(v, CAP);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	free(first);
	for (int i = 0; i < NBUF; i++)
		sbuf_free(&bufs[i]);
	stop(v);
	assert_released();
}

/*
 * Capture NFRAMES frames into buffers of @memory (MMAP: vivid's own,
 * DMABUF: secbuf's) and return the last one; each is compared with @want
 * when that is not NULL.
 */
static uint8_t *capture_frames(int v, uint32_t memory, uint32_t sizeimage,
			       const uint8_t *want)
{
	struct sbuf bufs[NBUF];
	size_t lengths[NBUF];
	uint8_t *last = malloc(sizeimage);
	void *maps[NBUF];

	igt_assert(last);
	igt_assert_lte(NBUF, (int)secbuf_v4l2_reqbufs(v, CAP, memory, NBUF));
	if (memory == MMAP)
		secbuf_v4l2_mmap_buffers(v, CAP, NBUF, maps, lengths);
	for (uint32_t i = 0; i < NBUF; i++) {
		if (memory == MMAP) {
			memset(maps[i], POISON, lengths[i]);
			secbuf_v4l2_qbuf_mmap(v, CAP, i, 0);
		} else {
			sbuf_alloc(&bufs[i], sizeimage, POISON);
			maps[i] = bufs[i].map;
			secbuf_v4l2_qbuf_dmabuf(v, CAP, i, bufs[i].fd, 0, 0);
		}
	}
	secbuf_v4l2_streamon(v, CAP);

	for (int f = 0; f < NFRAMES; f++) {
		struct v4l2_buffer b;

		secbuf_v4l2_dqbuf(v, CAP, memory, &b, FRAME_MS);
		igt_assert_lt(b.index, NBUF);
		igt_assert_eq_u32(b.bytesused, sizeimage);
		if (memory == DMABUF)
			sbuf_read_begin(&bufs[b.index]);
		memcpy(last, maps[b.index], sizeimage);
		if (want)
			assert_same_frame(last, want, sizeimage,
					  "secbuf frame vs vivid's MMAP frame");
		if (memory == DMABUF) {
			sbuf_read_end(&bufs[b.index]);
			sbuf_poison(&bufs[b.index]);
			secbuf_v4l2_qbuf_dmabuf(v, CAP, b.index, bufs[b.index].fd,
					 0, 0);
		} else {
			memset(maps[b.index], POISON, lengths[b.index]);
			secbuf_v4l2_qbuf_mmap(v, CAP, b.index, 0);
		}
	}

	secbuf_v4l2_streamoff(v, CAP);
	if (memory == MMAP)
		secbuf_v4l2_munmap_buffers(NBUF, maps, lengths);
	secbuf_v4l2_reqbufs(v, CAP, memory, 0);
	if (memory == DMABUF)
		for (uint32_t i = 0; i < NBUF; i++)
			sbuf_free(&bufs[i]);
	return last;
}

static void test_frames_match_mmap(const struct allocator *a)
{
	bool seen[256] = { false };
	uint32_t sizeimage;
	uint8_t *ref, *got;
	int distinct = 0;
	int v = start_webcam(a, &sizeimage);

	ref = capture_frames(v, MMAP, sizeimage, NULL);
	/* A real picture, not a flat or unwritten buffer. */
	for (uint32_t i = 0; i < sizeimage; i++) {
		if (!seen[ref[i]])
			distinct++;
		seen[ref[i]] = true;
	}
	igt_assert_f(distinct >= 8, "vivid's frame has only %d distinct "
		     "byte values\n", distinct);
	igt_assert_f(ref[0] != POISON || ref[sizeimage - 1] != POISON,
		     "vivid's MMAP frame looks unwritten\n");

	got = capture_frames(v, DMABUF, sizeimage, ref);
	free(got);
	free(ref);
	stop(v);
	assert_released();
}

/* ---- Output looped back to capture -------------------------------------- */

/*
 * Connect vivid's S-Video output to its S-Video input. vivid 6.1 has a
 * "Loop Video" control; later kernels connect an input to an output with
 * "S-Video 000-0 Is Connected To" instead (vivid.rst, "Video, Sliced VBI
 * and HDMI CEC Looping").
 */
/*
 * vivid races with itself here: setting "Is Connected To" queues a worker
 * (update_svid_ctrls_work_handler()) that reads the control's current
 * value without the handler's lock, and if it reads it before the control
 * framework has stored the new one, it puts the new value in the menu's
 * skip mask and v4l2_ctrl_modify_range() resets the control to 0. Seen on
 * loaded guests (x86_64-debug, arm64-7.x), never the test's doing. So the
 * value is set again until it stays, after the worker had time to run.
 */
static void vivid_loop_svideo(int cap)
{
	const char *name = "S-Video 000-0 Is Connected To";
	uint32_t loop = secbuf_v4l2_find_ctrl(cap, "Loop Video", NULL);
	uint32_t id;
	int item;

	if (loop) {
		secbuf_v4l2_set_ctrl(cap, loop, 1);
		return;
	}
	id = secbuf_v4l2_find_ctrl(cap, name, NULL);
	igt_assert_f(id != 0, "no control \"%s\"\n", name);
	item = secbuf_v4l2_find_menu_item(cap, id, "Output S-Video 000-0");
	igt_assert_f(item > 0, "no item \"Output S-Video 000-0\"\n");
	for (int tries = 0; tries < 10; tries++) {
		igt_assert_eq(__secbuf_v4l2_set_ctrl(cap, id, item), 0);
		usleep(50 * 1000);
		if (secbuf_v4l2_get_ctrl(cap, id) == item)
			return;
		igt_info("vivid reset \"%s\" to %d; setting it again\n",
			 name, secbuf_v4l2_get_ctrl(cap, id));
	}
	igt_assert_f(false, "\"%s\" does not stay at %d\n", name, item);
}

/* The same single-planar format on both sides: what looping needs. */
static uint32_t set_loop_format(int cap, int out)
{
	struct v4l2_format cfmt, ofmt;

	secbuf_v4l2_g_fmt(cap, CAP, &cfmt);
	cfmt.fmt.pix.width = 720;
	cfmt.fmt.pix.height = 576;
	cfmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	cfmt.fmt.pix.field = V4L2_FIELD_INTERLACED;
	cfmt.fmt.pix.bytesperline = 0;
	secbuf_v4l2_s_fmt(cap, CAP, &cfmt);

	secbuf_v4l2_g_fmt(out, OUT, &ofmt);
	ofmt.fmt.pix.width = cfmt.fmt.pix.width;
	ofmt.fmt.pix.height = cfmt.fmt.pix.height;
	ofmt.fmt.pix.pixelformat = cfmt.fmt.pix.pixelformat;
	ofmt.fmt.pix.field = cfmt.fmt.pix.field;
	ofmt.fmt.pix.bytesperline = 0;
	secbuf_v4l2_s_fmt(out, OUT, &ofmt);

	igt_debug("loop: capture %ux%u/%u field %u, output %ux%u/%u field %u\n",
		  cfmt.fmt.pix.width, cfmt.fmt.pix.height,
		  cfmt.fmt.pix.bytesperline, cfmt.fmt.pix.field,
		  ofmt.fmt.pix.width, ofmt.fmt.pix.height,
		  ofmt.fmt.pix.bytesperline, ofmt.fmt.pix.field);
	igt_assert_eq_u32(ofmt.fmt.pix.width, cfmt.fmt.pix.width);
	igt_assert_eq_u32(ofmt.fmt.pix.height, cfmt.fmt.pix.height);
	igt_assert_eq_u32(ofmt.fmt.pix.pixelformat, cfmt.fmt.pix.pixelformat);
	igt_assert_eq_u32(ofmt.fmt.pix.field, cfmt.fmt.pix.field);
	igt_assert_eq_u32(ofmt.fmt.pix.bytesperline, cfmt.fmt.pix.bytesperline);
	igt_assert_eq_u32(ofmt.fmt.pix.sizeimage, cfmt.fmt.pix.sizeimage);
	return cfmt.fmt.pix.sizeimage;
}

/*
 * What vivid does to a looped frame: with equal size, pixel format and
 * field order on both sides and no crop, compose or scaling, it copies
 * every line of the output buffer at the head of its queue as is into the
 * capture buffer (vivid_copy_buffer()), and gives the capture buffer the
 * output buffer's field. On top it draws the OSD text unless "OSD Text
 * Mode" is None, which is set here. When no output buffer is queued at the
 * moment of a capture, or the output is not streaming, the capture gets
 * vivid's "no signal" noise instead. So a looped frame equals the output
 * frame byte for byte, and the test waits for two of them.
 */
/* Output buffers of the loopback test. */
#define OUT_BUFS	4

static void test_output_loopback(const struct allocator *a)
{
	struct sbuf outb[OUT_BUFS], capb[2];
	int outfds[OUT_BUFS], capfds[2];
	struct v4l2_format fmt;
	int cap, out, looped = 0, other = 0;
	uint32_t sizeimage;
	uint8_t *want;

	secbuf_require_lane_feature("vivid-svideo-loop");
	secbuf_vivid_load(a->params);
	cap = open_capture("S-Video", &fmt);
	out = secbuf_vivid_open(V4L2_CAP_VIDEO_OUTPUT);
	secbuf_v4l2_s_output(out, secbuf_v4l2_find_output(out, "S-Video"));
	secbuf_v4l2_s_std(cap, V4L2_STD_PAL);
	secbuf_v4l2_s_std(out, V4L2_STD_PAL);
	vivid_loop_svideo(cap);
	sizeimage = set_loop_format(cap, out);

	/* The frame, written by the CPU: different in every 8 bytes. */
	want = malloc(sizeimage);
	igt_assert(want);
	secbuf_fill(want, sizeimage, SEED);
	for (int i = 0; i < OUT_BUFS; i++) {
		sbuf_alloc(&outb[i], sizeimage, POISON);
		outfds[i] = outb[i].fd;
		secbuf_dmabuf_sync(outfds[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		memcpy(outb[i].map, want, sizeimage);
		secbuf_dmabuf_sync(outfds[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	}
	for (int i = 0; i < 2; i++) {
		sbuf_alloc(&capb[i], sizeimage, POISON);
		capfds[i] = capb[i].fd;
	}

	/*
	 * vivid loops only while the output has a buffer queued when the
	 * capture side fills one (else it draws its test pattern): with
	 * four, a slow guest that requeues late still leaves one there.
	 */
	igt_assert_lte(OUT_BUFS, (int)secbuf_v4l2_reqbufs(out, OUT, DMABUF,
						  OUT_BUFS));
	igt_assert_lte(2, (int)secbuf_v4l2_reqbufs(cap, CAP, DMABUF, 2));
	for (int i = 0; i < OUT_BUFS; i++)
		secbuf_v4l2_qbuf_dmabuf(out, OUT, i, outfds[i], 0, sizeimage);
	for (int i = 0; i < 2; i++)
		secbuf_v4l2_qbuf_dmabuf(cap, CAP, i, capfds[i], 0, 0);
	secbuf_v4l2_streamon(out, OUT);
	secbuf_v4l2_streamon(cap, CAP);

	/* Keep both queues fed until two looped frames came. */
	for (int n = 0; n < LOOP_FRAMES && looped < 2; ) {
		struct pollfd pfd[2] = {
			{ .fd = out, .events = POLLOUT },
			{ .fd = cap, .events = POLLIN },
		};
		struct v4l2_buffer b;

		igt_assert_lt(0, poll(pfd, 2, FRAME_MS));
		if (pfd[0].revents & POLLOUT) {
			secbuf_v4l2_dqbuf(out, OUT, DMABUF, &b, 0);
			igt_assert_lt(b.index, OUT_BUFS);
			secbuf_v4l2_qbuf_dmabuf(out, OUT, b.index, outfds[b.index], 0,
					 sizeimage);
		}
		if (pfd[1].revents & POLLIN) {
			uint32_t i = dqbuf_frame(cap, capfds, 2, sizeimage, &b);
			long off;

			sbuf_read_begin(&capb[i]);
			off = first_diff(capb[i].map, want, sizeimage);
			sbuf_read_end(&capb[i]);
			if (off < 0) {
				igt_assert_eq_u32(b.field,
						  V4L2_FIELD_INTERLACED);
				looped++;
			} else {
				other++;
			}
			igt_debug("capture buffer %u (seq %u): %s (byte %ld)\n",
				  i, b.sequence, off < 0 ? "looped" : "other",
				  off);
			sbuf_poison(&capb[i]);
			secbuf_v4l2_qbuf_dmabuf(cap, CAP, i, capfds[i], 0, 0);
			n++;
		}
	}
	igt_info("%d looped frames, %d others\n", looped, other);
	igt_assert_f(looped >= 2, "only %d of %d captured frames were the "
		     "output frame\n", looped, looped + other);

	secbuf_v4l2_streamoff(cap, CAP);
	secbuf_v4l2_streamoff(out, OUT);
	secbuf_v4l2_reqbufs(cap, CAP, DMABUF, 0);
	secbuf_v4l2_reqbufs(out, OUT, DMABUF, 0);
	secbuf_vivid_close(out);
	for (int i = 0; i < OUT_BUFS; i++) {
		/* vivid only read the output buffers. */
		secbuf_assert_filled(outb[i].map, sizeimage, SEED);
		sbuf_free(&outb[i]);
	}
	for (int i = 0; i < 2; i++)
		sbuf_free(&capb[i]);
	free(want);
	stop(cap);
	assert_released();
}

/* ---- Buffers V4L2 or secbuf refuse --------------------------------------- */

static void test_qbuf_too_small(const struct allocator *a)
{
	struct secbuf_snapshot snap;
	struct sbuf small, fits;
	uint32_t sizeimage;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&small, sizeimage / 2, POISON);
	igt_assert_lt_u64(small.size, sizeimage);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);

	secbuf_snapshot(&snap, pool);
	/* vb2 compares the length (0: the dma-buf's size) with the format. */
	igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, small.fd, 0, 0), -EINVAL);
	igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, small.fd, small.size, 0),
		      -EINVAL);
	igt_assert_eq(__secbuf_v4l2_prepare_dmabuf(v, CAP, 0, small.fd, 0, 0),
		      -EINVAL);
	/*
	 * Told it is large enough, the allocator checks the dma-buf's size
	 * (EFAULT): qbuf-refused-released-*, where vb2 lets go of it.
	 */
	secbuf_assert_unchanged(&snap);

	/* The same index takes a buffer that fits. */
	sbuf_alloc(&fits, sizeimage, POISON);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, fits.fd, 0, 0);
	stream_one_buffer(v, fits.fd, sizeimage, 1);
	sbuf_read_begin(&fits);
	assert_frame_written(&fits, sizeimage);
	sbuf_read_end(&fits);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);

	assert_untouched(&small);
	sbuf_free(&small);
	sbuf_free(&fits);
	stop(v);
	assert_released();
}

/*
 * The refusals themselves: QBUF and PREPARE_BUF of a dma-buf that secbuf
 * or the allocator refuses, after which vb2 must let go of it. 6.12's vb2
 * does not: __prepare_dmabuf() never puts the dma-buf it got when the
 * attach fails (videobuf2-core.c, err_put_vb2_buf), so on such a kernel
 * the buffer would outlive the test and the module. The lane declares
 * "vb2-releases-refused-dmabuf" where vb2 is known to release it; elsewhere
 * the subtest is N/A, with that reason in the lane's summary.
 */
static void test_qbuf_refused_released(const struct allocator *a)
{
	struct sbuf small, rev, own, sealed;
	uint32_t sizeimage;
	uint64_t gid;
	int v, grant;

	secbuf_require_lane_feature("vb2-releases-refused-dmabuf");
	v = start_webcam(a, &sizeimage);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);

	/* Said to be large enough: the allocator checks the dma-buf's size. */
	sbuf_alloc(&small, sizeimage / 2, POISON);
	igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, small.fd, sizeimage, 0),
		      -EFAULT);
	sbuf_free(&small);

	if (a->attaches) {
		/* A revoked buffer: secbuf refuses the attach. */
		sbuf_alloc(&rev, sizeimage, POISON);
		igt_assert_eq_u64(secbuf_revoke(fd, rev.fd, 0), 0);
		sbuf_unmap(&rev);
		igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, rev.fd, 0, 0),
			      -ENODEV);
		igt_assert_eq(__secbuf_v4l2_prepare_dmabuf(v, CAP, 0, rev.fd, 0, 0),
			      -ENODEV);
		sbuf_free(&rev);

		/* A revoked grant of a live buffer. */
		sbuf_alloc(&own, sizeimage, POISON);
		grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_DMA, &gid);
		igt_assert_eq_u64(secbuf_revoke(fd, grant, gid), 0);
		igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0),
			      -ENODEV);
		close(grant);
		assert_untouched(&own);
		sbuf_free(&own);

		/* A write seal: the core maps a static importer both ways. */
		sbuf_alloc(&sealed, sizeimage, POISON);
		secbuf_seal(fd, sealed.fd, SECBUF_SEAL_WRITE);
		igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, sealed.fd, 0, 0),
			      -EPERM);
		igt_assert_eq(__secbuf_v4l2_prepare_dmabuf(v, CAP, 0, sealed.fd, 0,
						    0), -EPERM);
		assert_untouched(&sealed);
		sbuf_free(&sealed);
	}

	/* Every refused buffer is gone: nothing of vb2's holds one. */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	stop(v);
	assert_released();
}

static void test_qbuf_revoked(const struct allocator *a)
{
	struct sbuf rev, next, late;
	struct secbuf_query q;
	uint32_t sizeimage;
	int v = start_webcam(a, &sizeimage);

	/* Nothing holds it: the memory is back in the pool at once... */
	sbuf_alloc(&rev, sizeimage, POISON);
	igt_assert_eq_u64(secbuf_revoke(fd, rev.fd, 0), 0);
	sbuf_unmap(&rev);
	/* ...where the next buffer may well get it. vivid must not reach it. */
	sbuf_alloc(&next, sizeimage, POISON);
	igt_assert_eq_u64(pool_used(), next.size);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);

	if (!a->attaches) {
		/*
		 * vb2-vmalloc only vmaps, and secbuf's vmap of a revoked
		 * buffer is a private zeroed mapping (a failing vmap WARNs in
		 * dma_buf_vmap()): vivid captures into that and nothing else.
		 */
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, rev.fd, 0, 0);
		stream_one_buffer(v, rev.fd, sizeimage, 3);
		igt_assert_eq_u64(pool_quarantined(), 0);
	} else {
		/*
		 * vb2-dma-contig attaches, and secbuf refuses it (ENODEV):
		 * qbuf-refused-released-*, where vb2 lets go of it.
		 */

		/*
		 * Attached and mapped for the device before the revocation,
		 * which quarantines it; vivid's vmap comes with the first
		 * frame, after it, and is the private zeroed mapping.
		 */
		sbuf_alloc(&late, sizeimage, POISON);
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, late.fd, 0, 0);
		igt_assert_eq_u64(secbuf_revoke(fd, late.fd, 0), late.size);
		sbuf_unmap(&late);
		stream_one_buffer(v, late.fd, sizeimage, 3);
		igt_assert_eq_u64(pool_quarantined(), late.size);
		secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
		igt_assert_eq_u64(pool_quarantined(), 0);
		sbuf_free(&late);
	}
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);

	secbuf_query(fd, rev.fd, &q);
	igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
	assert_untouched(&next);
	igt_assert_eq_u64(pool_used(), next.size);
	sbuf_free(&rev);
	sbuf_free(&next);
	stop(v);
	assert_released();
}

static void test_revoke_streaming(const struct allocator *a)
{
	struct sbuf bufs[2], next;
	struct v4l2_buffer b;
	uint32_t sizeimage, i, other;
	int fds[2];
	int v = start_webcam(a, &sizeimage);

	for (int k = 0; k < 2; k++) {
		sbuf_alloc(&bufs[k], sizeimage, POISON);
		fds[k] = bufs[k].fd;
	}
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 2);
	for (int k = 0; k < 2; k++)
		secbuf_v4l2_qbuf_dmabuf(v, CAP, k, fds[k], 0, 0);
	secbuf_v4l2_streamon(v, CAP);

	/* vivid writes the buffer through its kernel mapping... */
	i = dqbuf_frame(v, fds, 2, sizeimage, &b);
	other = !i;
	sbuf_read_begin(&bufs[i]);
	assert_frame_written(&bufs[i], sizeimage);
	sbuf_read_end(&bufs[i]);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, i, fds[i], 0, 0);

	/* ...so revoking it while it is queued quarantines the memory. */
	igt_assert_eq_u64(secbuf_revoke(fd, fds[i], 0), bufs[i].size);
	igt_assert_eq_u64(pool_quarantined(), bufs[i].size);
	secbuf_assert_sigbus(bufs[i].map, false);
	sbuf_unmap(&bufs[i]);
	/* A buffer allocated now cannot get that memory. */
	sbuf_alloc(&next, sizeimage, POISON);

	/*
	 * vivid is not told (a static importer): it keeps filling both
	 * buffers, the revoked one in quarantine, and vb2 takes the revoked
	 * one again on its index, reusing what it has (no new attach).
	 */
	for (int n = 0; n < 4; n++) {
		uint32_t k = dqbuf_frame(v, fds, 2, sizeimage, &b);

		if (k == other) {
			sbuf_read_begin(&bufs[k]);
			assert_frame_written(&bufs[k], sizeimage);
			sbuf_read_end(&bufs[k]);
			sbuf_poison(&bufs[k]);
		}
		secbuf_v4l2_qbuf_dmabuf(v, CAP, k, fds[k], 0, 0);
	}
	secbuf_v4l2_streamoff(v, CAP);

	/* Quarantined until vb2 lets go of it, then back in the pool. */
	igt_assert_eq_u64(pool_quarantined(), bufs[i].size);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	igt_assert_eq_u64(pool_quarantined(), 0);
	igt_assert_eq_u64(pool_used(), bufs[other].size + next.size);
	assert_untouched(&next);

	for (int k = 0; k < 2; k++)
		sbuf_free(&bufs[k]);
	sbuf_free(&next);
	stop(v);
	assert_released();
}

/* vivid's attachments through grant @gid: 1 for dma-contig, 0 for vmalloc. */
static void assert_grant_attachments(const struct allocator *a, int buf_fd,
				     uint64_t gid, uint32_t state)
{
	struct secbuf_grant_info info = grant_info(buf_fd, gid);

	igt_assert_eq_u32(info.state, state);
	igt_assert_eq_u32(info.attachments, a->attaches ? 1 : 0);
}

static void test_revoke_grant_unmapped(const struct allocator *a)
{
	struct sbuf own;
	struct secbuf_query q;
	uint32_t sizeimage;
	uint64_t gid, gid2;
	int grant, grant2;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&own, sizeimage, POISON);
	grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
			     &gid);
	grant2 = secbuf_grant(fd, own.fd, SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
			      &gid2);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);

	if (!a->attaches) {
		/* The vmap of a revoked grant is private and zeroed. */
		igt_assert_eq_u64(secbuf_revoke(fd, grant, gid), 0);
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	} else {
		/*
		 * Attaching a revoked grant is refused (ENODEV, see
		 * qbuf-refused-released-*); a grant attached before its
		 * revocation gets the private zeroed vmap with vivid's first
		 * frame, after it.
		 */
		igt_assert_eq_u64(secbuf_revoke(fd, grant2, gid2), 0);
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
		igt_assert_eq_u64(secbuf_revoke(fd, grant, gid), 0);
	}
	assert_grant_attachments(a, own.fd, gid, SECBUF_STATE_REVOKED);
	stream_one_buffer(v, grant, sizeimage, 3);

	/* The owner's buffer is live and vivid never wrote it. */
	assert_untouched(&own);
	secbuf_query(fd, own.fd, &q);
	igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
	igt_assert_eq_u64(pool_quarantined(), 0);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	igt_assert_eq_u32(grant_info(own.fd, gid).attachments, 0);

	close(grant);
	close(grant2);
	sbuf_free(&own);
	stop(v);
	assert_released();
}

static void test_revoke_grant_mapped(const struct allocator *a)
{
	struct v4l2_buffer b;
	struct sbuf own;
	uint32_t sizeimage;
	uint64_t gid;
	int grant;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&own, sizeimage, POISON);
	grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
			     &gid);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	secbuf_v4l2_streamon(v, CAP);
	dqbuf_frame(v, &grant, 1, sizeimage, &b);
	sbuf_read_begin(&own);
	assert_frame_written(&own, sizeimage);
	sbuf_read_end(&own);
	sbuf_poison(&own);

	/*
	 * The grant is revoked while vivid holds the kernel mapping it took
	 * through it (vmalloc: at QBUF; dma-contig: with the first frame).
	 * The buffer stays live, so nothing is quarantined, and secbuf
	 * cannot take a kernel virtual address back: as long as vb2 keeps
	 * that mapping (the same dma-buf queued again on the same index),
	 * vivid's frames still land in the owner's memory. Recorded here so
	 * that a change is noticed; the owner must revoke the whole buffer
	 * to stop a static importer (revoke-streaming-*).
	 */
	igt_assert_eq_u64(secbuf_revoke(fd, grant, gid), 0);
	assert_grant_attachments(a, own.fd, gid, SECBUF_STATE_REVOKED);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	dqbuf_frame(v, &grant, 1, sizeimage, &b);
	sbuf_read_begin(&own);
	assert_frame_written(&own, sizeimage);
	sbuf_read_end(&own);
	igt_info("vb2-%s: vivid still writes the owner's memory through the "
		 "mapping it took before the grant was revoked\n", a->name);
	secbuf_v4l2_streamoff(v, CAP);

	/* Once vb2 lets go, the revoked grant gives vivid nothing. */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	igt_assert_eq_u32(grant_info(own.fd, gid).attachments, 0);
	sbuf_poison(&own);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	if (!a->attaches) {
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
		stream_one_buffer(v, grant, sizeimage, 2);
	}
	/* dma-contig's attach of the revoked grant: qbuf-refused-released-*. */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	assert_untouched(&own);

	close(grant);
	sbuf_free(&own);
	stop(v);
	assert_released();
}

/*
 * vb2-vmalloc takes no attachment, only a kernel mapping: it must obey the
 * same rights as an attachment. A grant without SECBUF_GRANT_DMA, and a
 * DMA grant bound to another process, get a private zeroed mapping: vivid
 * captures into it and the owner's memory never changes.
 */
static void test_vmap_rights(const struct allocator *a)
{
	uint32_t sizeimage;
	struct sbuf own;
	int grant, pidfd, status;
	uint64_t gid;
	pid_t child;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&own, sizeimage, POISON);

	/* Read and write, but no device access. */
	grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE,
			     &gid);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	stream_one_buffer(v, grant, sizeimage, 2);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	assert_untouched(&own);
	close(grant);

	/* Device access, but bound to a process that is not this one. */
	child = fork();
	igt_assert(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	pidfd = secbuf_pidfd_open(child);
	grant = secbuf_grant_pidfd(fd, own.fd, SECBUF_GRANT_DMA, pidfd, &gid);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	stream_one_buffer(v, grant, sizeimage, 2);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	assert_untouched(&own);
	close(grant);
	kill(child, SIGKILL);
	igt_assert_eq(waitpid(child, &status, 0), child);
	close(pidfd);

	/* The owner's own handle is captured into, as a check of the above. */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, own.fd, 0, 0);
	stream_one_buffer(v, own.fd, sizeimage, 1);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	sbuf_read_begin(&own);
	assert_frame_written(&own, sizeimage);
	sbuf_read_end(&own);

	sbuf_free(&own);
	stop(v);
	assert_released();
}

/*
 * Rights bind devices as they bind CPUs: a grant with READ and DMA but not
 * WRITE is refused as a capture buffer (dma-contig: vb2's device mapping
 * for DMA_FROM_DEVICE is EACCES, so QBUF fails; vmalloc: a kernel vmap has
 * no direction, so it is a private snapshot and the frames are lost),
 * while the owner's bytes never change; the same grant with WRITE is
 * captured into.
 */
static void test_capture_readonly_grant(const struct allocator *a)
{
	uint32_t sizeimage;
	struct sbuf own;
	int grant;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&own, sizeimage, POISON);
	grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_READ | SECBUF_GRANT_DMA,
			     NULL);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	if (a->attaches) {
		igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0),
			      -EINVAL);
	} else {
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
		stream_one_buffer(v, grant, sizeimage, 2);
	}
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	assert_untouched(&own);
	close(grant);

	grant = secbuf_grant(fd, own.fd, SECBUF_GRANT_READ |
			     SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA, NULL);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, grant, 0, 0);
	stream_one_buffer(v, grant, sizeimage, 1);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	sbuf_read_begin(&own);
	assert_frame_written(&own, sizeimage);
	sbuf_read_end(&own);
	close(grant);

	sbuf_free(&own);
	stop(v);
	assert_released();
}

/*
 * The same READ|DMA grant plays on vivid's output: devices may read what a
 * grant without WRITE lets them see (dma-contig: a DMA_TO_DEVICE mapping;
 * vmalloc: a snapshot taken when vb2 maps it at QBUF).
 */
static void test_output_readonly_grant(const struct allocator *a)
{
	struct v4l2_format fmt;
	int out, grants[OUT_BUFS];
	struct sbuf own;
	uint32_t size;

	secbuf_vivid_load(a->params);
	out = secbuf_vivid_open(V4L2_CAP_VIDEO_OUTPUT);
	secbuf_v4l2_s_output(out, secbuf_v4l2_find_output(out, "S-Video"));
	secbuf_v4l2_s_std(out, V4L2_STD_PAL);
	secbuf_v4l2_g_fmt(out, OUT, &fmt);
	size = fmt.fmt.pix.sizeimage;
	sbuf_alloc(&own, size, POISON);
	secbuf_dmabuf_sync(own.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	secbuf_fill(own.map, own.size, SEED);
	secbuf_dmabuf_sync(own.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	/* vivid's output streams only with more than one buffer queued. */
	igt_assert_lte(OUT_BUFS, (int)secbuf_v4l2_reqbufs(out, OUT, DMABUF, OUT_BUFS));
	for (int i = 0; i < OUT_BUFS; i++) {
		grants[i] = secbuf_grant(fd, own.fd, SECBUF_GRANT_READ |
					 SECBUF_GRANT_DMA, NULL);
		secbuf_v4l2_qbuf_dmabuf(out, OUT, i, grants[i], 0, size);
	}
	secbuf_v4l2_streamon(out, OUT);
	for (int n = 0; n < 3; n++) {
		struct v4l2_buffer b;

		secbuf_v4l2_dqbuf(out, OUT, DMABUF, &b, FRAME_MS);
		igt_assert_lt(b.index, OUT_BUFS);
		igt_assert_eq(b.m.fd, grants[b.index]);
		secbuf_v4l2_qbuf_dmabuf(out, OUT, b.index, grants[b.index], 0, size);
	}
	secbuf_v4l2_streamoff(out, OUT);
	secbuf_v4l2_reqbufs(out, OUT, DMABUF, 0);
	secbuf_assert_filled(own.map, own.size, SEED);

	for (int i = 0; i < OUT_BUFS; i++)
		close(grants[i]);
	sbuf_free(&own);
	stop(out);
	assert_released();
}

static void test_write_sealed(const struct allocator *a)
{
	uint32_t sizeimage;
	struct sbuf s;
	int v = start_webcam(a, &sizeimage);

	sbuf_alloc(&s, sizeimage, POISON);
	secbuf_dmabuf_sync(s.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	secbuf_fill(s.map, s.size, SEED);
	secbuf_dmabuf_sync(s.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	/*
	 * While vivid holds it, something could write behind the seal
	 * (vmalloc: a kernel vmap; dma-contig: a bidirectional device
	 * mapping), so sealing is refused until vb2 lets go.
	 */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, s.fd, 0, 0);
	igt_assert_eq(__secbuf_seal(fd, s.fd, SECBUF_SEAL_WRITE, NULL), -EBUSY);
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);
	secbuf_seal(fd, s.fd, SECBUF_SEAL_WRITE);

	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 1);
	if (!a->attaches) {
		/* The vmap of a sealed buffer is a private snapshot. */
		secbuf_v4l2_qbuf_dmabuf(v, CAP, 0, s.fd, 0, 0);
		stream_one_buffer(v, s.fd, sizeimage, 3);
	}
	/*
	 * dma-contig: the core maps a static importer bidirectionally, which
	 * a write seal refuses (EPERM): qbuf-refused-released-*.
	 */
	secbuf_v4l2_reqbufs(v, CAP, DMABUF, 0);

	/* The sealed content is as it was. */
	sbuf_read_begin(&s);
	secbuf_assert_filled(s.map, s.size, SEED);
	sbuf_read_end(&s);
	igt_assert_eq_u32(secbuf_get_seals(fd, s.fd), SECBUF_SEAL_WRITE);
	sbuf_free(&s);
	stop(v);
	assert_released();
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
		secbuf_refs_idle = secbuf_refs();
	}

	for (unsigned int i = 0; i < N_ALLOCATORS; i++) {
		const struct allocator *a = &allocators[i];

		igt_describe_f("vivid (vb2-%s) captures frames into a ring of "
			       "secbuf buffers queued with V4L2_MEMORY_DMABUF: "
			       "each frame is written whole and nothing past "
			       "its end, frames come in order and stay the "
			       "same under fixed controls, the buffers are "
			       "live while vivid holds them and nothing is "
			       "left once it lets go.", a->name);
		igt_subtest_f("capture-%s", a->name)
			test_capture(a);

		igt_describe_f("With fixed controls (no OSD text, a still test "
			       "pattern), the frames vivid (vb2-%s) captures "
			       "into secbuf buffers are byte-identical to "
			       "those it captures into its own MMAP buffers.",
			       a->name);
		igt_subtest_f("frames-match-mmap-%s", a->name)
			test_frames_match_mmap(a);

		igt_describe_f("A frame the CPU wrote into secbuf buffers, "
			       "played on vivid's video output (vb2-%s, "
			       "V4L2_MEMORY_DMABUF) and looped back over "
			       "S-Video into secbuf buffers on capture, "
			       "arrives byte for byte; the output buffers keep "
			       "what was written.", a->name);
		igt_subtest_f("output-loopback-%s", a->name)
			test_output_loopback(a);

		igt_describe_f("A secbuf buffer smaller than the format is "
			       "refused by QBUF and PREPARE_BUF (vb2-%s), "
			       "leaving no fd, no reference and nothing in the "
			       "pool behind, and is never written; the same "
			       "index then takes a buffer that fits.", a->name);
		igt_subtest_f("qbuf-too-small-%s", a->name)
			test_qbuf_too_small(a);

		igt_describe_f("A buffer revoked before vivid (vb2-%s) gets it "
			       "never gives vivid the memory, which went back "
			       "to the pool: vb2-vmalloc's vmap is a private "
			       "zeroed mapping and capture goes there; "
			       "vb2-dma-contig's attach is ENODEV, and a "
			       "buffer attached before the revocation stays "
			       "quarantined while vivid's later vmap is the "
			       "private one; a buffer allocated after the "
			       "revocation is never written.", a->name);
		igt_subtest_f("qbuf-revoked-%s", a->name)
			test_qbuf_revoked(a);

		igt_describe_f("vb2-%s lets go of every dma-buf it refused at "
			       "QBUF or PREPARE_BUF: one too small for what "
			       "its length claims (EFAULT) and, where it "
			       "attaches, a revoked buffer or grant (ENODEV) "
			       "and a write-sealed buffer (EPERM); none is "
			       "written, and all are freed when closed. Needs "
			       "the lane feature vb2-releases-refused-dmabuf "
			       "(6.12's vb2 leaks the dma-buf of a failed "
			       "attach).", a->name);
		igt_subtest_f("qbuf-refused-released-%s", a->name)
			test_qbuf_refused_released(a);

		igt_describe_f("A buffer revoked while vivid (vb2-%s) streams "
			       "into it is quarantined: vivid, not told, keeps "
			       "capturing and takes it again without error, a "
			       "buffer allocated meanwhile is never written, "
			       "and the memory is back once REQBUFS 0 lets go.",
			       a->name);
		igt_subtest_f("revoke-streaming-%s", a->name)
			test_revoke_streaming(a);

		igt_describe_f("A grant revoked before vivid (vb2-%s) maps it "
			       "gives vivid only a private zeroed mapping "
			       "(vb2-dma-contig: attach ENODEV, or a vmap "
			       "after the revocation): capture works and the "
			       "owner's live buffer is never written.",
			       a->name);
		igt_subtest_f("revoke-grant-unmapped-%s", a->name)
			test_revoke_grant_unmapped(a);

		igt_describe_f("The limit of revoking one grant: the kernel "
			       "mapping vivid (vb2-%s) took through it before "
			       "the revocation keeps reaching the owner's live "
			       "buffer as long as vb2 keeps it; once REQBUFS 0 "
			       "lets go, the revoked grant gives vivid "
			       "nothing.",
			       a->name);
		igt_subtest_f("revoke-grant-mapped-%s", a->name)
			test_revoke_grant_mapped(a);

		igt_describe_f("vivid (vb2-%s) cannot capture into a grant "
			       "with READ and DMA but not WRITE: dma-contig's "
			       "QBUF fails (EINVAL, the device mapping for "
			       "DMA_FROM_DEVICE is EACCES), vmalloc's frames "
			       "land in a private snapshot; the owner's bytes "
			       "never change; with WRITE it captures.",
			       a->name);
		igt_subtest_f("capture-readonly-grant-refused-%s", a->name)
			test_capture_readonly_grant(a);

		igt_describe_f("vivid (vb2-%s) plays a grant with READ and DMA "
			       "but not WRITE on its output: three frames "
			       "come back without error and the owner's "
			       "bytes are as written.", a->name);
		igt_subtest_f("output-readonly-grant-%s", a->name)
			test_output_readonly_grant(a);

		igt_describe_f("SEAL_WRITE is EBUSY while vivid (vb2-%s) holds "
			       "the buffer; once sealed, vb2-vmalloc captures "
			       "into a private snapshot and vb2-dma-contig's "
			       "attach is EPERM, and the sealed content never "
			       "changes.", a->name);
		igt_subtest_f("write-sealed-%s", a->name)
			test_write_sealed(a);
	}

	igt_describe("vb2-vmalloc only vmaps: a grant without "
		     "SECBUF_GRANT_DMA, or bound to another process, gives it "
		     "a private zeroed mapping, and the owner's memory stays "
		     "as it was; the owner's handle is captured into.");
	igt_subtest("vmap-rights-vmalloc")
		test_vmap_rights(&allocators[0]);

	igt_fixture {
		close(fd);
	}
}
