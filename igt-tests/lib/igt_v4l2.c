// SPDX-License-Identifier: MIT
/*
 * V4L2 and vivid helpers. See igt_v4l2.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_v4l2.h"

#define VIVID_SYSFS	"/sys/module/" VIVID_MODULE_NAME

int __secbuf_v4l2_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);

	ret = ret == -1 ? -errno : 0;
	errno = 0;
	return ret;
}

bool secbuf_vb2_leaks_refused_dmabuf(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	igt_assert_eq(uname(&u), 0);
	igt_assert_eq(sscanf(u.release, "%u.%u", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 12);
}

/* ---- What holds vivid: open nodes and MMAP buffers --------------------- */

/*
 * vivid cannot be unloaded while a file of one of its nodes is open, and a
 * mapping of an MMAP buffer holds its file. Both are remembered here, so
 * that reloading vivid after a failed subtest (or at exit) can let them go.
 */
#define MAX_NODES	8
#define MAX_MAPS	32

static int nodes[MAX_NODES] = { [0 ... MAX_NODES - 1] = -1 };
static struct {
	void *addr;
	size_t len;
} maps[MAX_MAPS];

static void release_vivid_users(void)
{
	for (int i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
		maps[i].addr = NULL;
	}
	for (int i = 0; i < MAX_NODES; i++) {
		if (nodes[i] >= 0)
			close(nodes[i]);
		nodes[i] = -1;
	}
}

/* ---- Loading vivid ----------------------------------------------------- */

static bool vivid_changed;
static bool exit_handler_installed;

static bool vivid_loaded(void)
{
	return access(VIVID_SYSFS, F_OK) == 0;
}

/*
 * Run "PROG ARGS" (modprobe or rmmod; ARGS split at spaces) and wait for
 * it; only async-signal-safe calls after fork(), since exit handlers may
 * run from a signal handler. Returns its exit status, or -errno if it did
 * not run.
 */
static int run_kmod(const char *prog, const char *args)
{
	char buf[256], *argv[16];
	int argc = 0, status;
	pid_t pid;

	snprintf(buf, sizeof(buf), "%s", args);
	argv[argc++] = (char *)prog;
	for (char *tok = strtok(buf, " "); tok && argc < 15;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(prog, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	errno = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/**
 * __secbuf_vivid_load: unload vivid if it is loaded and load it with @params.
 * Returns: 0, -EBUSY if it could not be unloaded, -ENOENT if it could not
 * be loaded (the modprobe exit status is logged).
 */
int __secbuf_vivid_load(const char *params)
{
	char args[256];
	int ret;

	release_vivid_users();

	if (vivid_loaded()) {
		/*
		 * rmmod, not modprobe -r: only vivid goes, its dependencies
		 * stay loaded (modprobe -r also tries them, and fails when one
		 * is shared or built in even though vivid itself went).
		 */
		ret = run_kmod("rmmod", VIVID_MODULE_NAME);
		if (ret || vivid_loaded()) {
			igt_warn("rmmod %s: exit status %d\n",
				 VIVID_MODULE_NAME, ret);
			return -EBUSY;
		}
	}

	snprintf(args, sizeof(args), "%s %s", VIVID_MODULE_NAME,
		 params ? params : "");
	ret = run_kmod("modprobe", args);
	if (ret || !vivid_loaded()) {
		igt_warn("modprobe %s: exit status %d\n", args, ret);
		return -ENOENT;
	}
	return 0;
}

static void vivid_exit_handler(int sig)
{
	(void)sig;
	if (vivid_changed && __secbuf_vivid_load(NULL) == 0)
		vivid_changed = false;
}

/**
 * secbuf_vivid_load: (re)load vivid with @params, for a known state: every control
 * at its default. Fails, not skips, when vivid cannot be loaded.
 */
void secbuf_vivid_load(const char *params)
{
	int ret;

	if (!exit_handler_installed) {
		igt_install_exit_handler(vivid_exit_handler);
		exit_handler_installed = true;
	}
	vivid_changed = true;
	ret = __secbuf_vivid_load(params);
	igt_assert_f(ret == 0, "cannot reload %s with \"%s\": %s\n",
		     VIVID_MODULE_NAME, params ? params : "", strerror(-ret));
}

/**
 * secbuf_vivid_restore: vivid loaded with its defaults again, if secbuf_vivid_load()
 * changed it.
 */
void secbuf_vivid_restore(void)
{
	int ret;

	if (!vivid_changed)
		return;
	ret = __secbuf_vivid_load(NULL);
	igt_assert_f(ret == 0, "cannot reload %s with its defaults: %s\n",
		     VIVID_MODULE_NAME, strerror(-ret));
	vivid_changed = false;
}

/* ---- Nodes ------------------------------------------------------------- */

int secbuf_vivid_open(uint32_t cap)
{
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability caps = { 0 };
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (__secbuf_v4l2_ioctl(fd, VIDIOC_QUERYCAP, &caps) == 0 &&
		    !strcmp((const char *)caps.driver, VIVID_MODULE_NAME) &&
		    (caps.device_caps & cap) &&
		    (caps.device_caps & V4L2_CAP_STREAMING) &&
		    !(caps.device_caps & V4L2_CAP_TOUCH)) {
			for (int n = 0; n < MAX_NODES; n++) {
				if (nodes[n] < 0) {
					nodes[n] = fd;
					igt_debug("vivid node %s (caps %#x)\n",
						  path, caps.device_caps);
					return fd;
				}
			}
			igt_assert_f(false, "more than %d vivid nodes open\n",
				     MAX_NODES);
		}
		close(fd);
	}
	igt_assert_f(false, "no vivid node with caps %#x in /dev (is %s "
		     "loaded?)\n", cap, VIVID_MODULE_NAME);
	return -1;
}

void secbuf_vivid_close(int fd)
{
	for (int n = 0; n < MAX_NODES; n++)
		if (nodes[n] == fd)
			nodes[n] = -1;
	igt_assert_eq(close(fd), 0);
}

/* ---- Inputs, outputs, standards ---------------------------------------- */

int secbuf_v4l2_find_input(int fd, const char *name)
{
	for (uint32_t i = 0; i < 64; i++) {
		struct v4l2_input in = { .index = i };

		if (__secbuf_v4l2_ioctl(fd, VIDIOC_ENUMINPUT, &in))
			break;
		if (!strncmp((const char *)in.name, name, strlen(name)))
			return (int)i;
	}
	return -1;
}

int secbuf_v4l2_find_output(int fd, const char *name)
{
	for (uint32_t i = 0; i < 64; i++) {
		struct v4l2_output out = { .index = i };

		if (__secbuf_v4l2_ioctl(fd, VIDIOC_ENUMOUTPUT, &out))
			break;
		if (!strncmp((const char *)out.name, name, strlen(name)))
			return (int)i;
	}
	return -1;
}

void secbuf_v4l2_s_input(int fd, int index)
{
	int cur = -1;

	igt_assert_lte(0, index);
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_S_INPUT, &index), 0);
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_G_INPUT, &cur), 0);
	igt_assert_eq(cur, index);
}

void secbuf_v4l2_s_output(int fd, int index)
{
	int cur = -1;

	igt_assert_lte(0, index);
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_S_OUTPUT, &index), 0);
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_G_OUTPUT, &cur), 0);
	igt_assert_eq(cur, index);
}

void secbuf_v4l2_s_std(int fd, v4l2_std_id std)
{
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_S_STD, &std), 0);
}

/* ---- Controls ---------------------------------------------------------- */

uint32_t secbuf_v4l2_find_ctrl(int fd, const char *name, struct v4l2_queryctrl *qc)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (__secbuf_v4l2_ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0) {
		if (!(q.flags & V4L2_CTRL_FLAG_DISABLED) &&
		    !strcmp((const char *)q.name, name)) {
			if (qc)
				*qc = q;
			return q.id;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

int secbuf_v4l2_find_menu_item(int fd, uint32_t id, const char *item)
{
	struct v4l2_queryctrl qc = { .id = id };

	if (__secbuf_v4l2_ioctl(fd, VIDIOC_QUERYCTRL, &qc) ||
	    qc.type != V4L2_CTRL_TYPE_MENU)
		return -1;
	for (int32_t i = qc.minimum; i <= qc.maximum; i++) {
		struct v4l2_querymenu qm = { .id = id, .index = (uint32_t)i };

		/* Items the driver skips are EINVAL. */
		if (__secbuf_v4l2_ioctl(fd, VIDIOC_QUERYMENU, &qm))
			continue;
		if (!strcmp((const char *)qm.name, item))
			return i;
	}
	return -1;
}

int __secbuf_v4l2_set_ctrl(int fd, uint32_t id, int32_t value)
{
	struct v4l2_ext_control c = { .id = id, .value = value };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	return __secbuf_v4l2_ioctl(fd, VIDIOC_S_EXT_CTRLS, &cs);
}

int32_t secbuf_v4l2_get_ctrl(int fd, uint32_t id)
{
	struct v4l2_ext_control c = { .id = id };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_G_EXT_CTRLS, &cs), 0);
	return c.value;
}

void secbuf_v4l2_set_ctrl(int fd, uint32_t id, int32_t value)
{
	igt_assert_f(id != 0, "setting a control the device does not have\n");
	igt_assert_eq(__secbuf_v4l2_set_ctrl(fd, id, value), 0);
	igt_assert_eq(secbuf_v4l2_get_ctrl(fd, id), value);
}

void secbuf_v4l2_set_menu(int fd, const char *ctrl, const char *item)
{
	uint32_t id = secbuf_v4l2_find_ctrl(fd, ctrl, NULL);
	int index;

	igt_assert_f(id != 0, "no control \"%s\"\n", ctrl);
	index = secbuf_v4l2_find_menu_item(fd, id, item);
	igt_assert_f(index >= 0, "control \"%s\" has no item \"%s\"\n",
		     ctrl, item);
	igt_debug("control \"%s\" (%#x) = \"%s\" (%d)\n", ctrl, id, item,
		  index);
	secbuf_v4l2_set_ctrl(fd, id, index);
}

/* ---- Formats ----------------------------------------------------------- */

void secbuf_v4l2_g_fmt(int fd, uint32_t type, struct v4l2_format *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = type;
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_G_FMT, fmt), 0);
}

void secbuf_v4l2_s_fmt(int fd, uint32_t type, struct v4l2_format *fmt)
{
	fmt->type = type;
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_S_FMT, fmt), 0);
}

/* ---- Buffers ----------------------------------------------------------- */

int __secbuf_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory, uint32_t count,
		   uint32_t *allocated)
{
	struct v4l2_requestbuffers req = {
		.count = count,
		.type = type,
		.memory = memory,
	};
	int ret = __secbuf_v4l2_ioctl(fd, VIDIOC_REQBUFS, &req);

	if (ret == 0 && allocated)
		*allocated = req.count;
	return ret;
}

uint32_t secbuf_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory, uint32_t count)
{
	uint32_t allocated = 0;

	igt_assert_eq(__secbuf_v4l2_reqbufs(fd, type, memory, count, &allocated), 0);
	if (count)
		igt_assert_lte(1, (int)allocated);
	else
		igt_assert_eq_u32(allocated, 0);
	return allocated;
}

static void dmabuf_buffer(struct v4l2_buffer *b, uint32_t type,
			  uint32_t index, int dmabuf, uint32_t length,
			  uint32_t bytesused)
{
	memset(b, 0, sizeof(*b));
	b->index = index;
	b->type = type;
	b->memory = V4L2_MEMORY_DMABUF;
	b->m.fd = dmabuf;
	b->length = length;
	if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
		b->bytesused = bytesused;
		b->field = V4L2_FIELD_ANY;
	}
}

int __secbuf_v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
		       uint32_t length, uint32_t bytesused)
{
	struct v4l2_buffer b;

	dmabuf_buffer(&b, type, index, dmabuf, length, bytesused);
	return __secbuf_v4l2_ioctl(fd, VIDIOC_QBUF, &b);
}

void secbuf_v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
		      uint32_t length, uint32_t bytesused)
{
	igt_assert_eq(__secbuf_v4l2_qbuf_dmabuf(fd, type, index, dmabuf, length,
					 bytesused), 0);
}

int __secbuf_v4l2_prepare_dmabuf(int fd, uint32_t type, uint32_t index, int dmabuf,
			  uint32_t length, uint32_t bytesused)
{
	struct v4l2_buffer b;

	dmabuf_buffer(&b, type, index, dmabuf, length, bytesused);
	return __secbuf_v4l2_ioctl(fd, VIDIOC_PREPARE_BUF, &b);
}

void secbuf_v4l2_qbuf_mmap(int fd, uint32_t type, uint32_t index, uint32_t bytesused)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = type,
		.memory = V4L2_MEMORY_MMAP,
	};

	if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT)
		b.bytesused = bytesused;
	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_QBUF, &b), 0);
}

int __secbuf_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory,
		 struct v4l2_buffer *buf, int timeout_ms)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = type == V4L2_BUF_TYPE_VIDEO_OUTPUT ? POLLOUT : POLLIN,
	};
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIME;

	memset(buf, 0, sizeof(*buf));
	buf->type = type;
	buf->memory = memory;
	return __secbuf_v4l2_ioctl(fd, VIDIOC_DQBUF, buf);
}

void secbuf_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory,
		struct v4l2_buffer *buf, int timeout_ms)
{
	int ret = __secbuf_v4l2_dqbuf(fd, type, memory, buf, timeout_ms);

	igt_assert_f(ret == 0, "no buffer from the %s queue within %d ms: %s\n",
		     type == V4L2_BUF_TYPE_VIDEO_OUTPUT ? "output" : "capture",
		     timeout_ms, strerror(-ret));
	igt_assert_f(!(buf->flags & V4L2_BUF_FLAG_ERROR),
		     "buffer %u came back with V4L2_BUF_FLAG_ERROR (flags "
		     "%#x)\n", buf->index, buf->flags);
}

void secbuf_v4l2_streamon(int fd, uint32_t type)
{
	int t = (int)type;

	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_STREAMON, &t), 0);
}

void secbuf_v4l2_streamoff(int fd, uint32_t type)
{
	int t = (int)type;

	igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_STREAMOFF, &t), 0);
}

void secbuf_v4l2_mmap_buffers(int fd, uint32_t type, uint32_t count, void **bufs,
		       size_t *lengths)
{
	for (uint32_t i = 0; i < count; i++) {
		struct v4l2_buffer b = {
			.index = i,
			.type = type,
			.memory = V4L2_MEMORY_MMAP,
		};
		int slot = -1;
		void *p;

		igt_assert_eq(__secbuf_v4l2_ioctl(fd, VIDIOC_QUERYBUF, &b), 0);
		p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, b.m.offset);
		igt_assert_f(p != MAP_FAILED, "mmap of MMAP buffer %u: %s\n",
			     i, strerror(errno));
		for (int m = 0; m < MAX_MAPS && slot < 0; m++)
			if (!maps[m].addr)
				slot = m;
		igt_assert_f(slot >= 0, "more than %d MMAP buffers mapped\n",
			     MAX_MAPS);
		maps[slot].addr = p;
		maps[slot].len = b.length;
		bufs[i] = p;
		lengths[i] = b.length;
	}
}

void secbuf_v4l2_munmap_buffers(uint32_t count, void **bufs, size_t *lengths)
{
	for (uint32_t i = 0; i < count; i++) {
		for (int m = 0; m < MAX_MAPS; m++)
			if (maps[m].addr == bufs[i])
				maps[m].addr = NULL;
		igt_assert_eq(munmap(bufs[i], lengths[i]), 0);
		bufs[i] = NULL;
	}
}
