// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl demo pipeline: camera to "GPU" to CPU through secbuf buffers,
 * without a copy.
 *
 * Three processes, as in a real system:
 *
 *  - the producer (this process) owns a ring of secbuf buffers and runs
 *    the camera: vivid captures into them with V4L2_MEMORY_DMABUF
 *    (libsecbuf's secbuf_v4l2_* calls);
 *  - the "GPU", a process with vgem open, holds a DMA|WRITE grant of each
 *    buffer (device access, no CPU mapping), imported with PRIME (secbuf_drm_import()). For each frame it
 *    puts a vgem fence on the buffer (VGEM_FENCE_ATTACH, a write fence:
 *    the GPU works on the frame), "processes" for a while and signals the
 *    fence (VGEM_FENCE_SIGNAL);
 *  - the CPU consumer, a process with a read-only grant of each buffer
 *    mapped, waits for the GPU's fence with DMA_BUF_IOCTL_SYNC before it
 *    reads (secbuf_buffer_sync_begin()), checks the frame in place, and
 *    hands the buffer back, which the producer queues on vivid again.
 *
 * The stages are forked before the pool is opened, so neither inherits
 * the owner's pool file; their grants are bound to their pids and reach
 * them over unix sockets. What moves between the processes is descriptors
 * and buffer indices, never frame data: the only copy is the one
 * --snapshot makes to write a PNG, and it is counted. (With --format other
 * than YUYV the check converts each frame to RGB first, with libv4lconvert:
 * a copy a frame, counted too.)
 *
 * The frame check needs vivid's fixed test pattern, so the producer sets
 * vivid's controls for it (and puts them back when it is done).
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#ifdef SECBUF_HAVE_LIBDRM
#include <xf86drm.h>
#endif

#include <secbuf.h>

#include "secbufctl.h"

#define PIPE_WIDTH		640
#define PIPE_HEIGHT		360
#define PIPE_RING_MAX		16
#define PIPE_FRAME_MS		10000	/* vivid runs at 30 fps, TCG is slow */
#define PIPE_REPLY_MS		10000

/*
 * vgem's fence ioctls, from the kernel's include/uapi/drm/vgem_drm.h
 * (ABI), which neither libdrm nor linux-libc-dev installs. They go
 * through libdrm's drmIoctl() like the rest of the GPU's calls.
 */
struct sbc_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct sbc_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define SBC_VGEM_FENCE_ATTACH	_IOWR('d', 0x41, struct sbc_vgem_fence_attach)
#define SBC_VGEM_FENCE_SIGNAL	_IOW('d', 0x42, struct sbc_vgem_fence_signal)
#define SBC_VGEM_FENCE_WRITE	0x1

/*
 * libdrm is optional (LIBDRM= in the Makefile). Without it the demo
 * refuses to start (libs_missing()), so these are never reached there.
 */
static int gpu_ioctl(int fd, unsigned long request, void *arg)
{
#ifdef SECBUF_HAVE_LIBDRM
	return drmIoctl(fd, request, arg);	/* retries EINTR, EAGAIN */
#else
	(void)fd;
	(void)request;
	(void)arg;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * vivid's "75% Colorbar" in YUYV, left to right: white, yellow, cyan,
 * green, magenta, red, blue, black, as Y U Y V: the bytes its test pattern
 * generator (v4l2-tpg) writes for the webcam input (sRGB, BT.601, limited
 * range), the same on Debian's 6.1 and 6.12 kernels. Mostly one below the
 * textbook values of 75% bars (white: Y 180).
 */
static const uint8_t colorbar_yuyv[8][4] = {
	{ 179, 128, 179, 128 },
	{ 160,  44, 160, 141 },
	{ 130, 156, 130,  44 },
	{ 111,  72, 111,  58 },
	{  83, 183,  83, 197 },
	{  64,  99,  64, 211 },
	{  34, 211,  34, 114 },
	{  16, 128,  16, 128 },
};

static const char *const colorbar_names[8] = {
	"white", "yellow", "cyan", "green", "magenta", "red", "blue", "black",
};

void cmd_demo_pipeline_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl demo pipeline [--pool POOL] [--frames N] [--ring N]\n"
"                               [--gpu-ms MS] [--video DEV] [--format FOURCC]\n"
"                               [--snapshot FILE]\n"
"\n"
"A camera-to-GPU pipeline on secbuf buffers, without a copy. vivid captures\n"
"frames into a ring of secbuf buffers (V4L2_MEMORY_DMABUF); a \"GPU\" process\n"
"with vgem imports a DMA|WRITE grant of each (PRIME), puts a fence on each\n"
"frame (VGEM_FENCE_ATTACH) and signals it when it has \"processed\" it; a CPU\n"
"consumer process maps a read-only grant, waits for the fence with\n"
"DMA_BUF_IOCTL_SYNC, checks the frame (vivid's 75%% colorbar) in place and\n"
"hands the buffer back to be captured into again. Prints a line per frame\n"
"and a summary: frames, bytes moved, copies made, fence waits. Exits 1 if a\n"
"frame is wrong or a step fails. Needs secbuf, vivid, vgem and a libsecbuf\n"
"with libdrm; sets vivid's test pattern controls and puts them back.\n"
"\n"
"Options:\n"
"  -p, --pool POOL      pool of the ring (default: camera)\n"
"  -n, --frames N       frames to run through (default: 30)\n"
"  -r, --ring N         buffers in the ring, 2 to %d (default: 4)\n"
"  -g, --gpu-ms MS      how long the GPU holds each frame (default: 15)\n"
"  -v, --video DEV      vivid's capture node (default: the first one)\n"
"  -f, --format FOURCC  vivid's pixel format (default: YUYV, checked in place;\n"
"                       others are checked after libv4lconvert made RGB of\n"
"                       them, one copy a frame)\n"
"  -s, --snapshot FILE  write the first frame to FILE as a PNG (libv4lconvert\n"
"                       makes RGB of it, libpng the PNG)\n"
"  -h, --help           show this help\n", PIPE_RING_MAX);
}

/* ---------------------------------------------------------------------- */
/* messages between the producer and the stages                           */
/* ---------------------------------------------------------------------- */

enum stage_op {
	STAGE_TAKE,	/* the message carries a grant for @slot */
	STAGE_FRAME,	/* a frame is in @slot */
	STAGE_CAMERA,	/* CPU: the message carries the camera's descriptor */
	STAGE_EXIT,	/* reply with the totals, then exit */
};

struct stage_req {
	uint32_t op;
	uint32_t slot;
	uint32_t frame;		/* 1, 2, ... */
	uint32_t bytesused;
	struct v4l2_pix_format fmt;
	uint32_t snapshot;	/* consumer: write this frame to the PNG */
};

struct stage_reply {
	int32_t err;		/* errno of a failed request, or 0 */
	uint32_t slot;
	uint32_t handle;	/* GPU, TAKE: the GEM handle */
	uint32_t fence;		/* GPU, FRAME: the vgem fence */
	uint32_t same_dmabuf;	/* GPU, TAKE: vgem exports the same dma-buf */
	uint32_t pending;	/* CPU, FRAME: the read waited for the fence */
	uint32_t frame_ok;	/* CPU, FRAME: the check passed */
	uint32_t copies;	/* CPU: copies of frame data made (EXIT: all) */
	uint64_t blocked_ns;	/* CPU, FRAME: time in DMA_BUF_IOCTL_SYNC */
	uint32_t late;		/* GPU, EXIT: fences vgem had signalled itself */
	uint32_t frames;	/* EXIT: frames handled */
	char what[120];		/* the check, or what failed */
};

struct stage {
	const char *name;
	pid_t pid;
	int sock;		/* the producer's end */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void reply_err(struct stage_reply *r, int err, const char *what)
{
	r->err = err;
	snprintf(r->what, sizeof(r->what), "%s: %s (%s)", what, strerror(err),
		 sbc_errno_name(err));
}

/* ---------------------------------------------------------------------- */
/* the GPU stage                                                          */
/* ---------------------------------------------------------------------- */

static bool is_vgem(int fd)
{
#ifdef SECBUF_HAVE_LIBDRM
	drmVersionPtr v = drmGetVersion(fd);
	bool vgem = v && v->name && !strcmp(v->name, "vgem");

	drmFreeVersion(v);
	return vgem;
#else
	(void)fd;
	return false;
#endif
}

/* vgem's primary node, O_CLOEXEC; its path in @path. -1 if there is none. */
static int open_vgem(char *path, size_t len)
{
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, len, "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd))
			return fd;
		close(fd);
	}
	errno = ENODEV;
	return -1;
}

struct gpu {
	int vgem;
	struct secbuf_buffer *grants[PIPE_RING_MAX];
	uint32_t handles[PIPE_RING_MAX];
	uint32_t frames, late;
	int gpu_ms;
};

static void gpu_take(struct gpu *g, const struct stage_req *q, int fd,
		     struct stage_reply *r)
{
	struct secbuf_buffer *grant, *back;
	struct stat a, b;

	grant = secbuf_buffer_from_fd(fd);
	if (!grant) {
		reply_err(r, errno, "wrap the grant");
		close(fd);
		return;
	}
	g->grants[q->slot] = grant;
	if (secbuf_drm_import(g->vgem, grant, &g->handles[q->slot]) < 0) {
		reply_err(r, errno, errno == ENOSYS ?
			  "PRIME import (libsecbuf was built without libdrm)" :
			  "PRIME import into vgem");
		return;
	}
	r->handle = g->handles[q->slot];

	/* vgem gives back the dma-buf it imported: the same file. */
	back = secbuf_drm_export(g->vgem, r->handle, SECBUF_BUFFER_READ_ONLY);
	if (!back) {
		reply_err(r, errno, "PRIME export from vgem");
		return;
	}
	r->same_dmabuf = !fstat(secbuf_buffer_get_fd(back), &a) &&
			 !fstat(fd, &b) && a.st_ino == b.st_ino &&
			 a.st_dev == b.st_dev;
	secbuf_buffer_free(back);
}

static void gpu_frame(struct gpu *g, const struct stage_req *q,
		      struct stage_reply *r, uint32_t *fence)
{
	struct sbc_vgem_fence_attach attach = {
		.handle = g->handles[q->slot],
		.flags = SBC_VGEM_FENCE_WRITE,
	};

	*fence = 0;
	if (!attach.handle) {
		reply_err(r, EBADF, "no buffer in that slot");
		return;
	}
	if (gpu_ioctl(g->vgem, SBC_VGEM_FENCE_ATTACH, &attach) < 0) {
		reply_err(r, errno, "VGEM_FENCE_ATTACH");
		return;
	}
	*fence = r->fence = attach.out_fence;
}

/* "Processes" the frame, then lets go of it: the fence signals. */
static void gpu_finish(struct gpu *g, uint32_t fence)
{
	struct sbc_vgem_fence_signal sig = { .fence = fence };
	struct timespec ts = {
		.tv_sec = g->gpu_ms / 1000,
		.tv_nsec = (long)(g->gpu_ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	/* ETIMEDOUT: vgem signalled it itself, 10 s after the attach. */
	if (gpu_ioctl(g->vgem, SBC_VGEM_FENCE_SIGNAL, &sig) < 0)
		g->late++;
	g->frames++;
}

static void gpu_main(int sock, int gpu_ms)
{
	struct gpu g = { .gpu_ms = gpu_ms };
	struct stage_reply r;
	struct stage_req q;
	char path[32];
	uint32_t fence;
	int fd, i;
	ssize_t n;

	g.vgem = open_vgem(path, sizeof(path));
	for (;;) {
		n = sbc_msg_recv(sock, &q, sizeof(q), &fd);
		if (n != (ssize_t)sizeof(q) || q.slot >= PIPE_RING_MAX) {
			if (fd >= 0)
				close(fd);
			_exit(1);
		}
		memset(&r, 0, sizeof(r));
		r.slot = q.slot;
		fence = 0;
		if (q.op == STAGE_EXIT) {
			for (i = 0; i < PIPE_RING_MAX; i++) {
				if (g.handles[i])
					secbuf_drm_close_handle(g.vgem,
								g.handles[i]);
				secbuf_buffer_free(g.grants[i]);
			}
			r.frames = g.frames;
			r.late = g.late;
			sbc_msg_send(sock, &r, sizeof(r), -1);
			_exit(0);
		} else if (g.vgem < 0) {
			reply_err(&r, ENODEV, "no vgem device in /dev/dri");
			if (fd >= 0)
				close(fd);
		} else if (q.op == STAGE_TAKE && fd >= 0 && !g.grants[q.slot]) {
			gpu_take(&g, &q, fd, &r);
		} else if (q.op == STAGE_FRAME && fd < 0) {
			gpu_frame(&g, &q, &r, &fence);
		} else {
			reply_err(&r, EINVAL, "bad request");
			if (fd >= 0)
				close(fd);
		}
		if (sbc_msg_send(sock, &r, sizeof(r), -1) < 0)
			_exit(1);
		if (fence)
			gpu_finish(&g, fence);
	}
}

/* ---------------------------------------------------------------------- */
/* the CPU consumer                                                       */
/* ---------------------------------------------------------------------- */

struct cpu {
	struct secbuf_buffer *grants[PIPE_RING_MAX];
	const uint8_t *maps[PIPE_RING_MAX];
	uint32_t frames, copies;
	const char *snapshot;
	int camera;			/* for libv4lconvert, or -1 */
	struct sbc_rgb_conv *conv;
	uint8_t *rgb;			/* the frame, converted */
	size_t rgb_len;
};

/* 75% colorbar in R'G'B', each channel on or off: R 4, G 2, B 1. */
static const uint8_t colorbar_rgb[8] = {
	07, 06, 03, 02, 05, 04, 01, 00,
};

/* Formats without colour: their bars are only grey levels. */
static bool format_is_grey(uint32_t pixelformat)
{
	switch (pixelformat) {
	case V4L2_PIX_FMT_GREY:
	case V4L2_PIX_FMT_Y10:
	case V4L2_PIX_FMT_Y12:
	case V4L2_PIX_FMT_Y16:
	case V4L2_PIX_FMT_Y16_BE:
	case V4L2_PIX_FMT_Y10BPACK:
		return true;
	}
	return false;
}

/*
 * Checks the frame converted to RGB: at a quarter, half and three
 * quarters of its height, the centre of each of the eight bars has the
 * bar's colour (each channel on above 96 or off below), or for grey
 * formats a lighter grey than the next bar's, as the colorbar's luma
 * falls from white to black.
 */
static bool check_rgb(const uint8_t *rgb, const struct v4l2_pix_format *f,
		      char *what, size_t len)
{
	bool grey = format_is_grey(f->pixelformat);
	uint32_t k, y, i, x, luma, prev;
	const uint8_t *px;
	uint8_t bits;

	if (f->width < 16 || f->height < 4) {
		snprintf(what, len, "a %ux%u frame is too small to check",
			 f->width, f->height);
		return false;
	}

	for (k = 1; k <= 3; k++) {
		y = f->height * k / 4;
		prev = ~0u;
		for (i = 0; i < 8; i++) {
			x = i * f->width / 8 + f->width / 16;
			px = rgb + ((size_t)y * f->width + x) * 3;
			bits = (uint8_t)((px[0] > 96) << 2 | (px[1] > 96) << 1 |
					 (px[2] > 96));
			luma = (299u * px[0] + 587u * px[1] + 114u * px[2]) / 1000;
			if (grey ? luma + 8 > prev :
			    bits != colorbar_rgb[i] ||
			    (px[0] > 40 && px[0] <= 96) ||
			    (px[1] > 40 && px[1] <= 96) ||
			    (px[2] > 40 && px[2] <= 96)) {
				snprintf(what, len, "the %s bar at row %u is "
					 "RGB %u,%u,%u (%.4s, converted)",
					 colorbar_names[i], y, px[0], px[1],
					 px[2],
					 (const char *)&f->pixelformat);
				return false;
			}
			prev = luma;
		}
	}
	snprintf(what, len, "75%% colorbar (%.4s, converted)",
		 (const char *)&f->pixelformat);
	return true;
}

/* The frame in @slot to RGB, into c->rgb: the copy. 0, or -1 and @r set. */
static int cpu_convert(struct cpu *c, const struct stage_req *q,
		       struct stage_reply *r)
{
	size_t need = (size_t)q->fmt.width * q->fmt.height * 3;

	if (!c->conv) {
		c->conv = sbc_rgb_conv_new(c->camera);
		if (!c->conv) {
			reply_err(r, errno, errno == ENOSYS ?
				  "secbufctl was built without libv4lconvert" :
				  "libv4lconvert on the camera");
			return -1;
		}
	}
	if (c->rgb_len < need) {
		free(c->rgb);
		c->rgb_len = 0;
		c->rgb = malloc(need);
		if (!c->rgb) {
			reply_err(r, errno, "memory for the RGB frame");
			return -1;
		}
		c->rgb_len = need;
	}
	c->copies++;
	if (sbc_rgb_conv_frame(c->conv, &q->fmt, c->maps[q->slot],
			       q->bytesused, c->rgb, r->what,
			       sizeof(r->what)) < 0) {
		r->err = errno;
		return -1;
	}
	return 0;
}

/*
 * Checks, in place, that the frame is vivid's 75% colorbar: every row the
 * same as the first, the first made of eight bars of the known colours.
 * Returns true, or false with the first difference in @what.
 */
static bool check_frame(const uint8_t *p, const struct stage_req *q,
			char *what, size_t len)
{
	uint32_t bar_px = q->fmt.width / 8, x, y, i;
	const uint8_t *row0 = p, *px;

	if (q->bytesused < q->fmt.bytesperline * q->fmt.height) {
		snprintf(what, len, "%u bytes, a frame is %u", q->bytesused,
			 q->fmt.bytesperline * q->fmt.height);
		return false;
	}
	for (x = 0; x < q->fmt.width; x += 2) {
		px = row0 + x * 2;
		i = x / bar_px;
		if (memcmp(px, colorbar_yuyv[i], 4)) {
			snprintf(what, len, "pixel %u of row 0 (%s bar) is "
				 "Y %u U %u Y %u V %u, not %u %u %u %u", x,
				 colorbar_names[i], px[0], px[1], px[2], px[3],
				 colorbar_yuyv[i][0], colorbar_yuyv[i][1],
				 colorbar_yuyv[i][2], colorbar_yuyv[i][3]);
			return false;
		}
	}
	for (y = 1; y < q->fmt.height; y++) {
		if (memcmp(p + (size_t)y * q->fmt.bytesperline, row0,
			   (size_t)q->fmt.width * 2)) {
			snprintf(what, len, "row %u differs from row 0", y);
			return false;
		}
	}
	snprintf(what, len, "75%% colorbar");
	return true;
}

static void cpu_take(struct cpu *c, const struct stage_req *q, int fd,
		     struct stage_reply *r)
{
	struct secbuf_buffer *grant = secbuf_buffer_from_fd(fd);

	if (!grant) {
		reply_err(r, errno, "wrap the grant");
		close(fd);
		return;
	}
	c->grants[q->slot] = grant;
	c->maps[q->slot] = secbuf_buffer_map(grant);
	if (!c->maps[q->slot])
		reply_err(r, errno, "mmap the read-only grant");
}

static void cpu_frame(struct cpu *c, const struct stage_req *q,
		      struct stage_reply *r)
{
	struct secbuf_buffer *grant = c->grants[q->slot];
	bool converted = false;
	int64_t t0;

	if (!c->maps[q->slot]) {
		reply_err(r, EBADF, "no mapped buffer in that slot");
		return;
	}
	/*
	 * A read-only grant has a reservation object of its own (a fence its
	 * holder imports stalls nobody else), so poll() on it does not see
	 * the GPU's fence; DMA_BUF_IOCTL_SYNC waits for it all the same. The
	 * producer judges from how long it blocked whether it did.
	 */
	t0 = now_ns();
	if (secbuf_buffer_sync_begin(grant, SECBUF_SYNC_READ) < 0) {
		reply_err(r, errno, "DMA_BUF_IOCTL_SYNC START");
		return;
	}
	r->blocked_ns = (uint64_t)(now_ns() - t0);

	if (q->fmt.pixelformat == V4L2_PIX_FMT_YUYV) {
		r->frame_ok = check_frame(c->maps[q->slot], q, r->what,
					  sizeof(r->what));
		/* The one copy: the frame, converted to RGB for the PNG. */
		if (q->snapshot && c->snapshot)
			converted = !cpu_convert(c, q, r);
	} else {
		converted = !cpu_convert(c, q, r);
		r->frame_ok = converted && check_rgb(c->rgb, &q->fmt, r->what,
						     sizeof(r->what));
	}
	if (converted && q->snapshot && c->snapshot &&
	    sbc_png_write_rgb(c->snapshot, c->rgb, q->fmt.width,
			      q->fmt.height) < 0)
		reply_err(r, errno, errno == ENOSYS ?
			  "write the snapshot: secbufctl was built without libpng" :
			  "write the snapshot");
	r->copies = c->copies;
	r->frames = q->frame;
	if (secbuf_buffer_sync_end(grant, SECBUF_SYNC_READ) < 0 && !r->err)
		reply_err(r, errno, "DMA_BUF_IOCTL_SYNC END");
	c->frames++;
}

static void cpu_main(int sock, const char *snapshot)
{
	struct cpu c = { .snapshot = snapshot, .camera = -1 };
	struct stage_reply r;
	struct stage_req q;
	ssize_t n;
	int fd, i;

	for (;;) {
		n = sbc_msg_recv(sock, &q, sizeof(q), &fd);
		if (n != (ssize_t)sizeof(q) || q.slot >= PIPE_RING_MAX) {
			if (fd >= 0)
				close(fd);
			_exit(1);
		}
		memset(&r, 0, sizeof(r));
		r.slot = q.slot;
		if (q.op == STAGE_EXIT) {
			for (i = 0; i < PIPE_RING_MAX; i++)
				secbuf_buffer_free(c.grants[i]);
			sbc_rgb_conv_free(c.conv);
			if (c.camera >= 0)
				close(c.camera);
			free(c.rgb);
			r.frames = c.frames;
			r.copies = c.copies;
			sbc_msg_send(sock, &r, sizeof(r), -1);
			_exit(0);
		} else if (q.op == STAGE_CAMERA && fd >= 0 && c.camera < 0) {
			c.camera = fd;
		} else if (q.op == STAGE_TAKE && fd >= 0 && !c.grants[q.slot]) {
			cpu_take(&c, &q, fd, &r);
		} else if (q.op == STAGE_FRAME && fd < 0) {
			cpu_frame(&c, &q, &r);
		} else {
			reply_err(&r, EINVAL, "bad request");
			if (fd >= 0)
				close(fd);
		}
		if (sbc_msg_send(sock, &r, sizeof(r), -1) < 0)
			_exit(1);
	}
}

/* ---------------------------------------------------------------------- */
/* the producer's side of the stages                                      */
/* ---------------------------------------------------------------------- */

struct pipeline {
	const char *pool_arg, *video_arg, *snapshot;
	uint32_t pixelformat;
	unsigned long frames, ring;
	int gpu_ms;

	struct stage gpu, cpu;
	int video;
	char video_path[32];
	char input[32];
	struct v4l2_pix_format fmt;
	struct secbuf_pool *pool;
	struct secbuf_buffer *bufs[PIPE_RING_MAX];
	unsigned int nbufs;
	uint64_t buf_size;
	struct secbuf_v4l2_queue *queue;
	uint64_t used_before;

	/* vivid's controls as they were, to put back */
	uint32_t ctrl_ids[8];
	int32_t ctrl_old[8];
	unsigned int nctrls;

	/* totals */
	uint64_t bytes, blocked_ns, blocked_max_ns;
	unsigned long started, done, bad, waits, errors, corrupt;
	unsigned long queued[PIPE_RING_MAX];
	uint32_t copies;
	int64_t t_start, t_end;
};

/* Forks a stage; the child closes @other's socket and runs @fn. */
static int stage_start(struct stage *s, const char *name,
		       const struct stage *other, struct pipeline *p,
		       bool gpu)
{
	int sv[2];

	s->name = name;
	s->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stdout);
	s->pid = fork();
	if (s->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (s->pid == 0) {
		if (other->sock >= 0)
			close(other->sock);
		close(sv[0]);
		signal(SIGINT, SIG_IGN);
		if (gpu)
			gpu_main(sv[1], p->gpu_ms);
		cpu_main(sv[1], p->snapshot);
	}
	close(sv[1]);
	s->sock = sv[0];
	return 0;
}

/* One request and its reply. Returns 0, or -1 (and says why) if none came. */
static int stage_call(struct stage *s, const struct stage_req *q, int fd,
		      struct stage_reply *r)
{
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (sbc_msg_send(s->sock, q, sizeof(*q), fd) < 0 ||
	    sbc_wait_fd(s->sock, POLLIN, sbc_now_ms() + PIPE_REPLY_MS) < 0) {
		sbc_error(errno, NULL, "the %s stage (pid %d)", s->name,
			  (int)s->pid);
		return -1;
	}
	n = sbc_msg_recv(s->sock, r, sizeof(*r), NULL);
	if (n != (ssize_t)sizeof(*r)) {
		sbc_message("the %s stage (pid %d) did not answer", s->name,
			    (int)s->pid);
		return -1;
	}
	return 0;
}

/* Asks a stage for its totals and reaps it; kills it if it does not go. */
static void stage_stop(struct stage *s, struct stage_reply *r)
{
	struct stage_req q = { .op = STAGE_EXIT };
	int64_t deadline = sbc_now_ms() + 5000;
	int status;

	memset(r, 0, sizeof(*r));
	if (s->pid <= 0)
		return;
	if (!stage_call(s, &q, -1, r))
		while (waitpid(s->pid, &status, WNOHANG) == 0 &&
		       sbc_now_ms() < deadline)
			usleep(10 * 1000);
	if (waitpid(s->pid, &status, WNOHANG) == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	close(s->sock);
	s->pid = 0;
	s->sock = -1;
}

/* ---------------------------------------------------------------------- */
/* vivid                                                                  */
/* ---------------------------------------------------------------------- */

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static bool is_vivid_capture(int fd)
{
	struct v4l2_capability caps;

	memset(&caps, 0, sizeof(caps));
	return !xioctl(fd, VIDIOC_QUERYCAP, &caps) &&
	       !strcmp((const char *)caps.driver, "vivid") &&
	       (caps.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
	       (caps.device_caps & V4L2_CAP_STREAMING) &&
	       !(caps.device_caps & V4L2_CAP_TOUCH);
}

static int open_video(struct pipeline *p)
{
	int i, fd;

	if (p->video_arg) {
		snprintf(p->video_path, sizeof(p->video_path), "%s",
			 p->video_arg);
		fd = open(p->video_arg, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			sbc_error(errno, NULL, "open %s", p->video_arg);
			return -1;
		}
		if (!is_vivid_capture(fd)) {
			sbc_message("%s is not vivid's video capture node",
				    p->video_arg);
			close(fd);
			return -1;
		}
		return fd;
	}
	for (i = 0; i < 64; i++) {
		snprintf(p->video_path, sizeof(p->video_path), "/dev/video%d",
			 i);
		fd = open(p->video_path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vivid_capture(fd))
			return fd;
		close(fd);
	}
	sbc_message("no vivid video capture node in /dev (modprobe vivid)");
	return -1;
}

/* A control by name, and the index of a menu item (-1: no such item). */
static uint32_t find_ctrl(int fd, const char *name)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (!xioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (!(q.flags & V4L2_CTRL_FLAG_DISABLED) &&
		    !strcmp((const char *)q.name, name))
			return q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

static int find_menu_item(int fd, uint32_t id, const char *item)
{
	struct v4l2_queryctrl qc = { .id = id };
	struct v4l2_querymenu qm;
	int32_t i;

	if (xioctl(fd, VIDIOC_QUERYCTRL, &qc))
		return -1;
	for (i = qc.minimum; i <= qc.maximum; i++) {
		memset(&qm, 0, sizeof(qm));
		qm.id = id;
		qm.index = (uint32_t)i;
		if (!xioctl(fd, VIDIOC_QUERYMENU, &qm) &&
		    !strcmp((const char *)qm.name, item))
			return i;
	}
	return -1;
}

static int ctrl(int fd, unsigned long req, uint32_t id, int32_t *value)
{
	struct v4l2_ext_control c = { .id = id, .value = *value };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	if (xioctl(fd, req, &cs) < 0)
		return -1;
	*value = c.value;
	return 0;
}

/* Sets control @name to menu item @item (or to @value if @item is NULL). */
static int set_ctrl(struct pipeline *p, const char *name, const char *item,
		    int32_t value)
{
	uint32_t id = find_ctrl(p->video, name);
	int32_t old = 0;

	if (!id) {
		sbc_message("vivid has no control \"%s\"", name);
		return -1;
	}
	if (item) {
		value = find_menu_item(p->video, id, item);
		if (value < 0) {
			sbc_message("vivid's \"%s\" has no item \"%s\"", name,
				    item);
			return -1;
		}
	}
	if (ctrl(p->video, VIDIOC_G_EXT_CTRLS, id, &old) < 0 ||
	    ctrl(p->video, VIDIOC_S_EXT_CTRLS, id, &value) < 0) {
		sbc_error(errno, NULL, "set vivid's \"%s\"", name);
		return -1;
	}
	p->ctrl_ids[p->nctrls] = id;
	p->ctrl_old[p->nctrls++] = old;
	return 0;
}

static void restore_ctrls(struct pipeline *p)
{
	while (p->nctrls) {
		p->nctrls--;
		ctrl(p->video, VIDIOC_S_EXT_CTRLS, p->ctrl_ids[p->nctrls],
		     &p->ctrl_old[p->nctrls]);
	}
}

/* The webcam input, a fixed picture, 640x360 in p->pixelformat. */
static int setup_camera(struct pipeline *p)
{
	struct v4l2_format fmt;
	struct v4l2_input in;
	int index = -1;
	uint32_t i;

	for (i = 0; i < 64 && index < 0; i++) {
		memset(&in, 0, sizeof(in));
		in.index = i;
		if (xioctl(p->video, VIDIOC_ENUMINPUT, &in))
			break;
		if (!strncmp((const char *)in.name, "Webcam", 6))
			index = (int)i;
	}
	if (index < 0) {
		sbc_message("vivid has no webcam input");
		return -1;
	}
	if (xioctl(p->video, VIDIOC_S_INPUT, &index) < 0) {
		sbc_error(errno, NULL, "select vivid's webcam input");
		return -1;
	}
	snprintf(p->input, sizeof(p->input), "%s", (const char *)in.name);

	/* No clock or counters on the picture, nothing moving. */
	if (set_ctrl(p, "Test Pattern", "75% Colorbar", 0) < 0 ||
	    set_ctrl(p, "OSD Text Mode", "None", 0) < 0 ||
	    set_ctrl(p, "Horizontal Movement", "No Movement", 0) < 0 ||
	    set_ctrl(p, "Vertical Movement", "No Movement", 0) < 0 ||
	    set_ctrl(p, "Fill Percentage of Frame", NULL, 100) < 0)
		return -1;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = PIPE_WIDTH;
	fmt.fmt.pix.height = PIPE_HEIGHT;
	fmt.fmt.pix.pixelformat = p->pixelformat;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(p->video, VIDIOC_S_FMT, &fmt) < 0) {
		sbc_error(errno, NULL, "VIDIOC_S_FMT %ux%u %.4s", PIPE_WIDTH,
			  PIPE_HEIGHT, (const char *)&p->pixelformat);
		return -1;
	}
	p->fmt = fmt.fmt.pix;
	if (p->fmt.pixelformat != p->pixelformat ||
	    p->fmt.width != PIPE_WIDTH || p->fmt.height != PIPE_HEIGHT ||
	    p->fmt.bytesperline < PIPE_WIDTH * (p->pixelformat ==
						V4L2_PIX_FMT_YUYV ? 2 : 1) ||
	    p->fmt.sizeimage < p->fmt.bytesperline * PIPE_HEIGHT) {
		sbc_message("vivid chose %ux%u %.4s (%u bytes a line), not "
			    "%ux%u %.4s", p->fmt.width, p->fmt.height,
			    (const char *)&p->fmt.pixelformat,
			    p->fmt.bytesperline, PIPE_WIDTH, PIPE_HEIGHT,
			    (const char *)&p->pixelformat);
		return -1;
	}
	return 0;
}

/* "vb2-dma-contig" or "vb2-vmalloc": vivid's allocators= for instance 0. */
static const char *vivid_allocator(void)
{
	char buf[16] = "";
	FILE *f = fopen("/sys/module/vivid/parameters/allocators", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	if (buf[0] == '1')
		return "vb2-dma-contig: vivid attaches to each buffer and maps "
		       "it for DMA";
	if (buf[0] == '0')
		return "vb2-vmalloc: vivid writes each buffer through a "
		       "kernel mapping (vmap)";
	return "vivid's vb2 allocator";
}

/* ---------------------------------------------------------------------- */
/* the run                                                                */
/* ---------------------------------------------------------------------- */

/* Allocates the ring and hands each stage a grant of each buffer. */
static int setup_ring(struct pipeline *p)
{
	struct secbuf_pool_stats *st;
	struct stage_reply r;
	struct stage_req q;
	int gpu_pidfd, cpu_pidfd, ret = -1;
	struct secbuf_buffer *g;
	char name[32], size[32];
	unsigned int i;

	st = secbuf_pool_get_stats(p->pool);
	if (!st) {
		sbc_error(errno, NULL, "pool info of %s",
			  secbuf_pool_get_name(p->pool));
		return -1;
	}
	p->used_before = secbuf_pool_stats_get_used_bytes(st);
	secbuf_pool_stats_free(st);

	gpu_pidfd = sbc_pidfd_open(p->gpu.pid);
	cpu_pidfd = sbc_pidfd_open(p->cpu.pid);
	if (gpu_pidfd < 0 || cpu_pidfd < 0) {
		sbc_error(errno, NULL, "pidfd_open of a stage");
		goto out;
	}

	memset(&q, 0, sizeof(q));
	q.op = STAGE_TAKE;
	q.fmt = p->fmt;
	for (i = 0; i < p->ring; i++) {
		p->bufs[i] = secbuf_buffer_alloc(p->pool, p->fmt.sizeimage, 0);
		if (!p->bufs[i]) {
			sbc_error(errno, sbc_alloc_hint(errno, p->fmt.sizeimage),
				  "alloc %u bytes from %s", p->fmt.sizeimage,
				  secbuf_pool_get_name(p->pool));
			goto out;
		}
		p->nbufs++;
		p->buf_size = secbuf_buffer_get_size(p->bufs[i]);
		snprintf(name, sizeof(name), "pipeline-frame-%u", i);
		secbuf_buffer_set_name(p->bufs[i], name);
		q.slot = i;

		/*
		 * The GPU may only attach, not map; its grant works in its
		 * process only. WRITE too: a device that writes needs it,
		 * and a PRIME import maps the buffer for device writes.
		 */
		g = secbuf_buffer_grant(p->pool, p->bufs[i],
					SECBUF_RIGHT_DMA | SECBUF_RIGHT_WRITE,
					gpu_pidfd);
		if (!g) {
			sbc_error(errno, NULL, "grant DMA to the GPU");
			goto out;
		}
		ret = stage_call(&p->gpu, &q, secbuf_buffer_get_fd(g), &r);
		secbuf_buffer_free(g);
		if (ret < 0)
			goto out;
		ret = -1;
		if (r.err) {
			sbc_message("GPU: %s", r.what);
			goto out;
		}
		printf("  buffer %u  %s, id %" PRIu64 "  GPU: handle %u%s", i,
		       sbc_human_size(secbuf_buffer_get_size(p->bufs[i]), size,
				      sizeof(size)),
		       secbuf_buffer_get_id(p->bufs[i]), r.handle,
		       r.same_dmabuf ? ", exports the same dma-buf" :
		       ", exports ANOTHER dma-buf");
		if (!r.same_dmabuf) {
			printf("\n");
			sbc_message("vgem's PRIME export is not the buffer it "
				    "imported");
			goto out;
		}

		/* The CPU may only read. */
		g = secbuf_buffer_grant(p->pool, p->bufs[i], SECBUF_RIGHT_READ,
					cpu_pidfd);
		if (!g) {
			printf("\n");
			sbc_error(errno, NULL, "grant READ to the CPU");
			goto out;
		}
		ret = stage_call(&p->cpu, &q, secbuf_buffer_get_fd(g), &r);
		secbuf_buffer_free(g);
		if (ret < 0)
			goto out;
		ret = -1;
		if (r.err) {
			printf("\n");
			sbc_message("CPU: %s", r.what);
			goto out;
		}
		printf("  CPU: mapped read-only\n");
	}
	ret = 0;
out:
	if (gpu_pidfd >= 0)
		close(gpu_pidfd);
	if (cpu_pidfd >= 0)
		close(cpu_pidfd);
	return ret;
}

/* A frame came back from vivid: to the GPU, then to the CPU. */
static int frame_captured(struct pipeline *p, int slot)
{
	struct stage_req q = {
		.op = STAGE_FRAME,
		.slot = (uint32_t)slot,
		.fmt = p->fmt,
	};
	struct stage_reply r;

	p->started++;
	q.frame = (uint32_t)p->started;
	q.bytesused = secbuf_v4l2_queue_get_bytesused(p->queue, (unsigned)slot);
	q.snapshot = p->started == 1;
	if (secbuf_v4l2_queue_has_error(p->queue, (unsigned)slot))
		p->corrupt++;

	/* The GPU fences the frame before anyone else sees it. */
	if (stage_call(&p->gpu, &q, -1, &r) < 0)
		return -1;
	if (r.err) {
		sbc_message("GPU: %s", r.what);
		return -1;
	}
	if (sbc_msg_send(p->cpu.sock, &q, sizeof(q), -1) < 0) {
		sbc_error(errno, NULL, "send frame %lu to the CPU", p->started);
		return -1;
	}
	return 0;
}

/* Whether the CPU just wrote the snapshot. */
static bool snapshot_written(const struct pipeline *p,
			    const struct stage_reply *r)
{
	return p->snapshot && r->frames == 1 && !r->err;
}

/* The CPU is done with a frame: count it, log it, recycle the buffer. */
static int frame_done(struct pipeline *p)
{
	struct stage_reply r;
	unsigned int slot;
	ssize_t n;

	n = sbc_msg_recv(p->cpu.sock, &r, sizeof(r), NULL);
	if (n != (ssize_t)sizeof(r) || r.slot >= p->nbufs) {
		sbc_message("the CPU stage (pid %d) went away", (int)p->cpu.pid);
		return -1;
	}
	slot = r.slot;
	p->done++;
	p->bytes += secbuf_v4l2_queue_get_bytesused(p->queue, slot);
	p->blocked_ns += r.blocked_ns;
	if (r.blocked_ns > p->blocked_max_ns)
		p->blocked_max_ns = r.blocked_ns;
	/* The GPU holds the frame gpu_ms: a read that waited half of it. */
	r.pending = p->gpu_ms > 0 &&
		    r.blocked_ns * 2 >= (uint64_t)p->gpu_ms * 1000000;
	if (r.pending)
		p->waits++;
	p->copies = r.copies;
	if (r.err)
		p->errors++;
	else if (!r.frame_ok)
		p->bad++;

	printf("  frame %3lu/%lu  buffer %u  seq %-4u %u B  fence %s CPU "
	       "waited %4.1f ms  %s%s\n", p->done, p->frames, slot,
	       secbuf_v4l2_queue_get_sequence(p->queue, slot),
	       secbuf_v4l2_queue_get_bytesused(p->queue, slot),
	       r.pending ? "pending, " : "signaled,", r.blocked_ns / 1e6,
	       r.err ? "FAILED: " : r.frame_ok ? "ok: " : "WRONG: ", r.what);

	if (snapshot_written(p, &r))
		printf("  (frame %u written to %s as a PNG)\n", r.frames,
		       p->snapshot);

	if (p->started >= p->frames)
		return 0;
	p->queued[slot]++;
	if (secbuf_v4l2_queue_buffer(p->queue, slot, p->bufs[slot], 0) < 0) {
		sbc_error(errno, NULL, "VIDIOC_QBUF of buffer %u", slot);
		return -1;
	}
	return 0;
}

static int run_frames(struct pipeline *p)
{
	struct pollfd pfd[2];
	unsigned int i;
	int slot, n;

	p->queue = secbuf_v4l2_queue_new(p->video, SECBUF_V4L2_CAPTURE,
					 (unsigned int)p->nbufs);
	if (!p->queue) {
		sbc_error(errno, NULL, "VIDIOC_REQBUFS of %u DMABUF buffers",
			  p->nbufs);
		return -1;
	}
	if (secbuf_v4l2_queue_get_count(p->queue) < p->nbufs)
		p->nbufs = secbuf_v4l2_queue_get_count(p->queue);
	for (i = 0; i < p->nbufs; i++) {
		p->queued[i]++;
		if (secbuf_v4l2_queue_buffer(p->queue, i, p->bufs[i], 0) < 0) {
			sbc_error(errno, NULL, "VIDIOC_QBUF of buffer %u", i);
			return -1;
		}
	}
	if (secbuf_v4l2_queue_stream_on(p->queue) < 0) {
		sbc_error(errno, NULL, "VIDIOC_STREAMON");
		return -1;
	}

	p->t_start = now_ns();
	while (p->done < p->frames) {
		pfd[0].fd = p->cpu.sock;
		pfd[0].events = POLLIN;
		pfd[1].fd = p->video;
		pfd[1].events = p->started < p->frames ? POLLIN : 0;
		n = poll(pfd, 2, PIPE_FRAME_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbc_error(errno, NULL, "poll");
			return -1;
		}
		if (n == 0) {
			sbc_message("nothing from vivid or the CPU stage in "
				    "%d s (frame %lu)", PIPE_FRAME_MS / 1000,
				    p->done + 1);
			return -1;
		}
		if (pfd[0].revents && frame_done(p) < 0)
			return -1;
		if (!(pfd[1].revents & POLLIN))
			continue;
		slot = secbuf_v4l2_queue_dequeue(p->queue, 0);
		if (slot < 0 && errno == ETIMEDOUT)
			continue;
		if (slot < 0) {
			sbc_error(errno, NULL, "VIDIOC_DQBUF");
			return -1;
		}
		if (frame_captured(p, slot) < 0)
			return -1;
	}
	p->t_end = now_ns();
	return 0;
}

static void summary(struct pipeline *p, const struct stage_reply *gpu,
		    const struct stage_reply *cpu, bool pool_ok)
{
	double secs = (double)(p->t_end - p->t_start) / 1e9;
	char size[32];
	unsigned long lo = ~0UL, hi = 0;
	unsigned int i;

	for (i = 0; i < p->nbufs; i++) {
		if (p->queued[i] < lo)
			lo = p->queued[i];
		if (p->queued[i] > hi)
			hi = p->queued[i];
	}

	printf("\nSummary:\n");
	printf("  %-16s %lu captured, %lu checked %s: %lu ok, %lu "
	       "wrong, %lu failed\n", "frames", p->started, p->done,
	       p->pixelformat == V4L2_PIX_FMT_YUYV ? "in place" : "as RGB",
	       p->done - p->bad - p->errors, p->bad, p->errors);
	printf("  %-16s %" PRIu64 " (%s): vivid into the ring, passed on by "
	       "descriptor\n", "bytes moved", p->bytes,
	       sbc_human_size(p->bytes, size, sizeof(size)));
	if (!p->copies)
		printf("  %-16s 0\n", "copies made");
	else if (p->pixelformat != V4L2_PIX_FMT_YUYV)
		printf("  %-16s %u: each frame, %.4s to RGB for its check "
		       "(libv4lconvert)\n", "copies made", p->copies,
		       (const char *)&p->pixelformat);
	else
		printf("  %-16s %u: the --snapshot frame, to RGB for the PNG; "
		       "0 in the frame path\n", "copies made", p->copies);
	printf("  %-16s %lu of %lu CPU reads waited for the GPU's fence "
	       "(DMA_BUF_IOCTL_SYNC)\n", "fence waits", p->waits, p->done);
	printf("  %-16s %.1f ms in all, %.1f ms a frame on average, %.1f ms "
	       "at most\n", "CPU blocked", (double)p->blocked_ns / 1e6,
	       p->done ? (double)p->blocked_ns / 1e6 / (double)p->done : 0.0,
	       (double)p->blocked_max_ns / 1e6);
	printf("  %-16s %u of %s from '%s', each queued %lu to %lu times\n",
	       "buffers", p->nbufs, sbc_human_size(p->buf_size, size,
						   sizeof(size)),
	       secbuf_pool_get_name(p->pool), lo, hi);
	printf("  %-16s GPU %u frames, %u fences vgem had to signal itself; "
	       "CPU %u frames\n", "stages", gpu->frames, gpu->late,
	       cpu->frames);
	printf("  %-16s %.2f s, %.1f frames/s\n", "time", secs,
	       secs > 0 ? (double)p->done / secs : 0.0);
	printf("  %-16s %s\n", "pool afterwards",
	       pool_ok ? "as before, nothing quarantined" : "NOT as before");
}

/*
 * The CPU stage converts frames, and libv4lconvert asks the camera about
 * its formats: it gets a descriptor of its own, another open of the
 * camera's node. Not the one that streams: vb2 refuses the queue's ioctls
 * (REQBUFS, QBUF, DQBUF, STREAMOFF) and a format change with EBUSY from
 * any open file but the queue's owner, so the CPU stage cannot stop or
 * change the capture.
 */
static int send_camera(struct pipeline *p)
{
	struct stage_req q = { .op = STAGE_CAMERA };
	struct stage_reply r;
	int fd, ret;

	fd = open(p->video_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		sbc_message("%s: %s", p->video_path, strerror(errno));
		return -1;
	}
	ret = stage_call(&p->cpu, &q, fd, &r);
	close(fd);
	if (ret < 0)
		return -1;
	if (r.err) {
		sbc_message("CPU: %s", r.what);
		return -1;
	}
	return 0;
}

static int pipeline_run(struct pipeline *p)
{
	struct stage_reply gpu_end, cpu_end;
	struct secbuf_pool_stats *st;
	bool pool_ok = false;
	char *path = NULL;
	int ret = EXIT_ERROR;
	unsigned int i;

	memset(&gpu_end, 0, sizeof(gpu_end));
	memset(&cpu_end, 0, sizeof(cpu_end));
	p->video = -1;
	p->gpu.sock = p->cpu.sock = -1;

	/* Before the pool is open: the stages must not inherit it. */
	if (stage_start(&p->gpu, "GPU", &p->cpu, p, true) < 0 ||
	    stage_start(&p->cpu, "CPU", &p->gpu, p, false) < 0) {
		sbc_error(errno, NULL, "fork a stage");
		goto out;
	}

	p->video = open_video(p);
	if (p->video < 0 || setup_camera(p) < 0)
		goto out;
	/* libv4lconvert asks the camera about its formats. */
	if ((p->snapshot || p->pixelformat != V4L2_PIX_FMT_YUYV) &&
	    send_camera(p) < 0)
		goto out;

	path = sbc_pool_path(p->pool_arg);
	if (!path) {
		sbc_error(errno, NULL, "%s", p->pool_arg);
		goto out;
	}
	p->pool = secbuf_pool_open(path);
	if (!p->pool) {
		sbc_error(errno, sbc_open_hint(errno), "open %s", path);
		goto out;
	}

	printf("secbuf pipeline: %lu frames from vivid through a ring of %lu "
	       "buffers of %s\n\n", p->frames, p->ring, path);
	printf("  camera  vivid, %s (input \"%s\"): %ux%u %.4s, %u bytes a "
	       "frame,\n          75%% colorbar, no OSD text; captures into "
	       "the ring (V4L2_MEMORY_DMABUF),\n          %s\n",
	       p->video_path, p->input, p->fmt.width, p->fmt.height,
	       (const char *)&p->fmt.pixelformat, p->fmt.sizeimage,
	       vivid_allocator());
	printf("  GPU     pid %d: vgem, a DMA|WRITE grant of each buffer "
	       "imported (PRIME);\n          a write fence on each frame "
	       "(VGEM_FENCE_ATTACH), signalled %d ms later\n",
	       (int)p->gpu.pid, p->gpu_ms);
	printf("  CPU     pid %d: a read-only grant of each buffer, mapped; "
	       "waits for the\n          GPU's fence (DMA_BUF_IOCTL_SYNC), "
	       "checks the frame %s\n\n", (int)p->cpu.pid,
	       p->pixelformat == V4L2_PIX_FMT_YUYV ? "in place" :
	       "made RGB (libv4lconvert)");

	if (setup_ring(p) < 0)
		goto out;
	printf("\n");
	if (run_frames(p) < 0)
		goto out;
	ret = EXIT_OK;
out:
	if (p->queue) {
		secbuf_v4l2_queue_free(p->queue);
		p->queue = NULL;
	}
	stage_stop(&p->gpu, &gpu_end);
	stage_stop(&p->cpu, &cpu_end);
	for (i = 0; i < PIPE_RING_MAX; i++) {
		secbuf_buffer_free(p->bufs[i]);
		p->bufs[i] = NULL;
	}
	if (p->video >= 0) {
		restore_ctrls(p);
		close(p->video);
	}

	if (p->pool) {
		/* Every buffer is gone, and no device kept any memory. */
		st = secbuf_pool_get_stats(p->pool);
		pool_ok = st && !secbuf_pool_wait_quarantine(p->pool, 5000) &&
			  secbuf_pool_stats_get_used_bytes(st) <= p->used_before;
		secbuf_pool_stats_free(st);
		if (ret == EXIT_OK) {
			if (cpu_end.copies > p->copies)
				p->copies = cpu_end.copies;
			summary(p, &gpu_end, &cpu_end, pool_ok);
		}
		secbuf_pool_close(p->pool);
	}
	free(path);

	if (ret == EXIT_OK && (p->bad || p->errors || p->corrupt || !pool_ok ||
			       gpu_end.late || p->done != p->frames))
		ret = EXIT_ERROR;
	/*
	 * The GPU holds every frame for gpu_ms, and the CPU stage gets it
	 * while the fence is unsignalled: if no read ever found a fence to
	 * wait for, vgem's fences never reached the buffer's reservation.
	 */
	if (ret == EXIT_OK && p->gpu_ms > 0 && p->done && !p->waits) {
		sbc_message("no CPU read waited for the GPU's fence: the fences "
			    "vgem attached never reached the buffers");
		ret = EXIT_ERROR;
	}
	if (ret != EXIT_OK)
		printf("secbuf pipeline: FAILED\n");
	else if (p->pixelformat == V4L2_PIX_FMT_YUYV)
		printf("secbuf pipeline: ok, zero copies in the frame path\n");
	else
		printf("secbuf pipeline: ok, one copy a frame (%.4s to RGB for "
		       "the check)\n", (const char *)&p->pixelformat);
	return ret;
}

/*
 * What the options need that this secbufctl was built without: says so
 * and returns true, before anything starts.
 */
static bool libs_missing(const struct pipeline *p)
{
	const char *need = NULL, *lib = NULL;

	(void)p;	/* with every library */
#ifndef SECBUF_HAVE_LIBDRM
	need = "demo pipeline", lib = "libdrm (LIBDRM=, libdrm-dev)";
#endif
#ifndef SBC_HAVE_V4LCONVERT
	if (p->snapshot && !need)
		need = "--snapshot", lib = "libv4lconvert (V4LCONVERT=, libv4l-dev)";
	else if (p->pixelformat != V4L2_PIX_FMT_YUYV && !need)
		need = "--format other than YUYV",
		lib = "libv4lconvert (V4LCONVERT=, libv4l-dev)";
#endif
#ifndef SBC_HAVE_LIBPNG
	if (p->snapshot && !need)
		need = "--snapshot", lib = "libpng (LIBPNG=, libpng-dev)";
#endif
	if (!need)
		return false;
	sbc_message("%s needs %s; this secbufctl was built without it",
		    need, lib);
	return true;
}

int cmd_demo_pipeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool",     required_argument, NULL, 'p' },
		{ "frames",   required_argument, NULL, 'n' },
		{ "ring",     required_argument, NULL, 'r' },
		{ "gpu-ms",   required_argument, NULL, 'g' },
		{ "video",    required_argument, NULL, 'v' },
		{ "format",   required_argument, NULL, 'f' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pipeline p = {
		.pool_arg = "camera",
		.frames = 30,
		.ring = 4,
		.gpu_ms = 15,
		.pixelformat = V4L2_PIX_FMT_YUYV,
	};
	unsigned long v;
	int opt;

	while ((opt = getopt_long(argc, argv, ":p:n:r:g:v:f:s:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			p.pool_arg = optarg;
			break;
		case 'n':
			if (sbc_parse_uint(optarg, &p.frames) < 0 ||
			    !p.frames || p.frames > 1000000)
				return sbc_usage_error("demo pipeline",
					"bad frame count '%s': 1 to 1000000",
					optarg);
			break;
		case 'r':
			if (sbc_parse_uint(optarg, &p.ring) < 0 ||
			    p.ring < 2 || p.ring > PIPE_RING_MAX)
				return sbc_usage_error("demo pipeline",
					"bad ring size '%s': 2 to %d", optarg,
					PIPE_RING_MAX);
			break;
		case 'g':
			if (sbc_parse_uint(optarg, &v) < 0 || v > 5000)
				return sbc_usage_error("demo pipeline",
					"bad GPU time '%s': 0 to 5000 ms",
					optarg);
			p.gpu_ms = (int)v;
			break;
		case 'v':
			p.video_arg = optarg;
			break;
		case 'f':
			if (strlen(optarg) != 4)
				return sbc_usage_error("demo pipeline",
					"bad format '%s': a V4L2 fourcc, such "
					"as YUYV, NV12 or RGB3", optarg);
			p.pixelformat = v4l2_fourcc(optarg[0], optarg[1],
						    optarg[2], optarg[3]);
			break;
		case 's':
			if (!*optarg)
				return sbc_usage_error("demo pipeline",
						       "empty snapshot path");
			p.snapshot = optarg;
			break;
		case 'h':
			cmd_demo_pipeline_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("demo pipeline", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("demo pipeline",
				       "unexpected argument '%s'", argv[optind]);
	if (libs_missing(&p))
		return EXIT_ERROR;

	return pipeline_run(&p);
}
