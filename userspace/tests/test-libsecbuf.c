// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host tests of libsecbuf: everything that needs no secbuf driver.
 *
 * memfds stand in for dma-bufs where the calls are generic (lseek size,
 * mmap, descriptor passing); /dev/null stands in for a device node that is
 * not a secbuf pool. If the pool $SECBUF_POOL (default "gpu") exists, as in
 * a guest, the same calls are then checked against the real driver, with
 * vivid and vgem when they are there; with SECBUF_REQUIRE_DRIVER set (as
 * igt-tests' secbuf_tools sets it), a missing pool, vivid or vgem is a
 * failure instead of a skip.
 * Prints "ok"/"not ok" per check and a closing "N passed, N failed" line.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/videodev2.h>

#if EXPECTED_LIBDRM
#include <xf86drm.h>
#endif

#include <secbuf.h>

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
		printf("ok - ");					\
	} else {							\
		failed++;						\
		printf("not ok - %s:%d: ", __FILE__, __LINE__);		\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

/* errno after a call that must fail, checked together with its result. */
#define CHECK_ERR(call_failed, err, what) do {				\
	bool failed_ = (call_failed);					\
	int errno_ = errno;						\
									\
	CHECK(failed_ && errno_ == (err), "%s fails with %s (got %s)",	\
	      what, strerrorname_np(err),				\
	      failed_ ? strerrorname_np(errno_) : "success");		\
} while (0)

static int make_memfd(size_t size)
{
	int fd = memfd_create("secbuf-test", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("memfd");
		exit(1);
	}
	return fd;
}

static bool has_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/*
 * A part of the driver checks that cannot run here (no pool, no vivid, no
 * vgem): skipped on a host, a failure in a guest that promised them by
 * setting SECBUF_REQUIRE_DRIVER.
 */
static void driver_part_missing(const char *what)
{
	const char *req = getenv("SECBUF_REQUIRE_DRIVER");

	if (req && *req) {
		CHECK(false, "%s (SECBUF_REQUIRE_DRIVER is set)", what);
		return;
	}
	printf("# %s: skipping\n", what);
}

static void test_version(void)
{
	CHECK(!strcmp(secbuf_api_version(), EXPECTED_VERSION),
	      "secbuf_api_version() is %s", EXPECTED_VERSION);
}

static void test_pool_open_errors(void)
{
	struct secbuf_pool *pool;
	char tmpl[] = "/tmp/secbuf-test-XXXXXX";
	int fd;

	CHECK_ERR(!secbuf_pool_open(NULL), EINVAL, "pool_open(NULL)");
	CHECK_ERR(!secbuf_pool_open(""), EINVAL, "pool_open(\"\")");
	CHECK_ERR(!secbuf_pool_open(".."), EINVAL, "pool_open(\"..\")");
	CHECK_ERR(!secbuf_pool_open("no-such-pool-for-tests"), ENOENT,
		  "pool_open() of a missing pool");
	CHECK_ERR(!secbuf_pool_open("/no/such/dir/pool"), ENOENT,
		  "pool_open() of a missing path");

	fd = mkstemp(tmpl);
	CHECK(fd >= 0, "mkstemp");
	CHECK_ERR(!secbuf_pool_open(tmpl), ENODEV,
		  "pool_open() of a regular file");
	close(fd);
	unlink(tmpl);

	pool = secbuf_pool_open("/dev/null");
	CHECK(pool != NULL, "pool_open(\"/dev/null\") opens a char device");
	if (!pool)
		return;
	CHECK(!strcmp(secbuf_pool_get_name(pool), "null") &&
	      !strcmp(secbuf_pool_get_path(pool), "/dev/null"),
	      "pool name and path");
	CHECK(has_cloexec(secbuf_pool_get_fd(pool)), "pool fd has O_CLOEXEC");
	CHECK_ERR(!secbuf_pool_get_stats(pool), ENOTTY,
		  "pool_get_stats() on a non-secbuf device");
	CHECK_ERR(!secbuf_buffer_alloc(pool, 4096, 0x80), EINVAL,
		  "buffer_alloc() with an unknown flag");
	CHECK_ERR(!secbuf_buffer_alloc(pool, 4096, SECBUF_BUFFER_READ_ONLY),
		  ENOTTY, "buffer_alloc() on a non-secbuf device");
	secbuf_pool_close(pool);
	secbuf_pool_close(NULL);
}

static void test_heap_errors(void)
{
	CHECK_ERR(secbuf_heap_alloc_fd("no-such-heap-for-tests", 4096, 0) < 0,
		  ENOENT, "heap_alloc_fd() of a missing heap");
	CHECK_ERR(secbuf_heap_alloc_fd("x", 4096, 0x80) < 0, EINVAL,
		  "heap_alloc_fd() with an unknown flag");
	CHECK_ERR(secbuf_heap_alloc_fd("/dev/null", 4096, 0) < 0, ENOTTY,
		  "heap_alloc_fd() on a non-heap device");
}

static void test_from_fd_errors(void)
{
	int p[2];

	CHECK_ERR(!secbuf_buffer_from_fd(-1), EBADF, "buffer_from_fd(-1)");
	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	CHECK_ERR(!secbuf_buffer_from_fd(p[0]), ESPIPE,
		  "buffer_from_fd() of a pipe");
	CHECK(fd_open(p[0]), "a failed buffer_from_fd() leaves the fd open");
	close(p[0]);
	close(p[1]);
}

static void test_map(size_t size, bool want_aligned)
{
	struct secbuf_buffer *buf;
	unsigned char *map, *again;
	unsigned char byte = 0;
	int fd = make_memfd(size), dup;

	buf = secbuf_buffer_from_fd(fd);
	CHECK(buf != NULL, "buffer_from_fd() of a %zu-byte memfd", size);
	if (!buf) {
		close(fd);
		return;
	}
	CHECK(secbuf_buffer_get_fd(buf) == fd, "buffer owns the fd");
	CHECK(secbuf_buffer_get_size(buf) == size, "size from lseek is %zu",
	      size);
	CHECK(secbuf_buffer_get_id(buf) == 0, "id of a wrapped fd is 0");
	CHECK(!secbuf_buffer_is_read_only(buf), "O_RDWR memfd is writable");

	dup = secbuf_buffer_dup_fd(buf);
	CHECK(dup >= 0 && dup != fd && has_cloexec(dup) && same_file(dup, fd),
	      "dup_fd() gives a new O_CLOEXEC fd of the same file");
	if (dup >= 0)
		close(dup);

	map = secbuf_buffer_map(buf);
	CHECK(map != NULL, "map() a %zu-byte buffer", size);
	if (!map)
		goto out;
	if (want_aligned)
		CHECK(((uintptr_t)map & ((2u << 20) - 1)) == 0,
		      "a %zu-byte mapping is 2 MiB aligned (%p)", size,
		      (void *)map);

	again = secbuf_buffer_map(buf);
	CHECK(again == map, "a second map() returns the same mapping");

	map[size - 1] = 0xa5;
	CHECK(pread(fd, &byte, 1, (off_t)size - 1) == 1 && byte == 0xa5,
	      "the mapping is MAP_SHARED");

	CHECK(secbuf_buffer_unmap(buf) == 0, "unmap()");
	CHECK(secbuf_buffer_unmap(buf) == 0, "unmap() when not mapped");
	map = secbuf_buffer_map(buf);
	CHECK(map && map[size - 1] == 0xa5, "map() again sees the data");
out:
	/* free() unmaps and closes. */
	secbuf_buffer_free(buf);
	CHECK(!fd_open(fd), "buffer_free() closes the fd");
}

/*
 * The slack of the aligned reservation is given back: after mapping a
 * 4 MiB buffer, the 2 MiB just before and after the mapping are not ours.
 */
static void test_map_slack(void)
{
	size_t size = 4u << 20;
	struct secbuf_buffer *buf = secbuf_buffer_from_fd(make_memfd(size));
	unsigned char *map, vec;

	map = buf ? secbuf_buffer_map(buf) : NULL;
	CHECK(map != NULL, "map() 4 MiB");
	if (!map)
		goto out;
	CHECK(mincore(map + size, 4096, &vec) < 0 && errno == ENOMEM,
	      "the page after the mapping is unmapped");
	CHECK(mincore(map - 4096, 4096, &vec) < 0 && errno == ENOMEM,
	      "the page before the mapping is unmapped");
out:
	secbuf_buffer_free(buf);
}

static void test_read_only(void)
{
	struct secbuf_buffer *buf;
	char path[64];
	int fd = make_memfd(8192), ro;
	void *map;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	close(fd);
	buf = secbuf_buffer_from_fd(ro);
	CHECK(buf && secbuf_buffer_is_read_only(buf),
	      "an O_RDONLY fd gives a read-only buffer");
	if (!buf)
		return;
	map = secbuf_buffer_map(buf);
	CHECK(map != NULL, "a read-only buffer maps (for reading)");
	secbuf_buffer_free(buf);
}

static void test_sync_and_name(void)
{
	struct secbuf_buffer *buf = secbuf_buffer_from_fd(make_memfd(4096));
	char longname[SECBUF_NAME_MAX + 2];

	if (!buf) {
		CHECK(0, "buffer_from_fd()");
		return;
	}
	CHECK_ERR(secbuf_buffer_sync_begin(buf, 0) < 0, EINVAL,
		  "sync_begin() with no direction");
	CHECK_ERR(secbuf_buffer_sync_begin(buf, 4) < 0, EINVAL,
		  "sync_begin() with an unknown flag");
	CHECK_ERR(secbuf_buffer_sync_end(buf, SECBUF_SYNC_RW | 8) < 0, EINVAL,
		  "sync_end() with an unknown flag");
	CHECK_ERR(secbuf_buffer_sync_begin(buf, SECBUF_SYNC_RW) < 0, ENOTTY,
		  "sync_begin() reaches the ioctl");

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERR(secbuf_buffer_set_name(buf, longname) < 0, ENAMETOOLONG,
		  "set_name() of SECBUF_NAME_MAX + 1 bytes");
	CHECK_ERR(secbuf_buffer_set_name(buf, NULL) < 0, EINVAL,
		  "set_name(NULL)");
	longname[SECBUF_NAME_MAX] = '\0';
	CHECK_ERR(secbuf_buffer_set_name(buf, longname) < 0, ENOTTY,
		  "set_name() of SECBUF_NAME_MAX bytes reaches the ioctl");
	secbuf_buffer_free(buf);
	secbuf_buffer_free(NULL);
}

static void test_fd_passing(void)
{
	int sv[2], fd = make_memfd(4096), got, fds[2];
	char byte = 0;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		CHECK(0, "socketpair");
		return;
	}

	CHECK_ERR(secbuf_fd_send(sv[0], -1) < 0, EBADF, "fd_send(-1)");

	CHECK(secbuf_fd_send(sv[0], fd) == 0, "fd_send()");
	got = secbuf_fd_recv(sv[1]);
	CHECK(got >= 0 && got != fd && same_file(got, fd),
	      "fd_recv() gets the same file");
	CHECK(has_cloexec(got), "the received fd has O_CLOEXEC");
	if (got >= 0)
		close(got);

	/* Plain data, no descriptor. */
	CHECK(write(sv[0], "x", 1) == 1, "write");
	CHECK_ERR(secbuf_fd_recv(sv[1]) < 0, ENOMSG,
		  "fd_recv() of a message without fd");

	/* Two descriptors in one message: both are closed, none leak. */
	fds[0] = fd;
	fds[1] = fd;
	memset(&ctl, 0, sizeof(ctl));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	CHECK(sendmsg(sv[0], &msg, 0) == 1, "sendmsg() of two fds");
	got = fcntl(0, F_DUPFD, 0);	/* the lowest free fd number */
	close(got);
	CHECK_ERR(secbuf_fd_recv(sv[1]) < 0, EBADMSG,
		  "fd_recv() of a message with two fds");
	CHECK(!fd_open(got), "fd_recv() closed the extra fds");

	close(sv[0]);
	CHECK_ERR(secbuf_fd_recv(sv[1]) < 0, ECONNRESET,
		  "fd_recv() after the peer hung up");
	CHECK_ERR(secbuf_fd_send(sv[1], fd) < 0, EPIPE,
		  "fd_send() to a gone peer (and no SIGPIPE)");
	close(sv[1]);
	close(fd);
}

/*
 * The owner-control calls check what they can before the ioctl; what gets
 * past them reaches the kernel, which /dev/null answers with ENOTTY.
 */
static void test_manage_errors(void)
{
	struct secbuf_pool *pool = secbuf_pool_open("/dev/null");
	struct secbuf_buffer *buf = secbuf_buffer_from_fd(make_memfd(4096));
	uint64_t quarantined = 12345;
	int fence = 12345;

	if (!pool || !buf) {
		CHECK(0, "pool_open(\"/dev/null\") and buffer_from_fd()");
		goto out;
	}
	CHECK(secbuf_buffer_get_grant_id(buf) == 0,
	      "grant id of a wrapped fd is 0");

	CHECK_ERR(!secbuf_buffer_grant(pool, buf, 1u << 4, -1), EINVAL,
		  "buffer_grant() with an unknown right");
	CHECK_ERR(!secbuf_buffer_grant(pool, buf, SECBUF_RIGHT_READ, -2),
		  EBADF, "buffer_grant() with a pidfd of -2");
	CHECK_ERR(!secbuf_buffer_grant(pool, buf, SECBUF_RIGHTS_ALL, -1),
		  ENOTTY, "buffer_grant() reaches the ioctl");

	CHECK_ERR(secbuf_buffer_revoke_grant(pool, buf, 0, &quarantined) < 0,
		  EINVAL, "buffer_revoke_grant() of grant 0");
	CHECK_ERR(secbuf_buffer_revoke_grant(pool, buf, 1, &quarantined) < 0,
		  ENOTTY, "buffer_revoke_grant() reaches the ioctl");
	CHECK_ERR(secbuf_buffer_revoke(pool, buf, &quarantined) < 0, ENOTTY,
		  "buffer_revoke() reaches the ioctl");
	CHECK(quarantined == 12345, "a failed revoke leaves *quarantined alone");

	CHECK_ERR(!secbuf_buffer_list_grants(pool, buf), ENOTTY,
		  "buffer_list_grants() reaches the ioctl");
	CHECK_ERR(!secbuf_buffer_query(pool, buf), ENOTTY,
		  "buffer_query() reaches the ioctl");

	CHECK_ERR(secbuf_buffer_seal(pool, buf, 0) < 0, EINVAL,
		  "buffer_seal() with no seal");
	CHECK_ERR(secbuf_buffer_seal(pool, buf, 1u << 4) < 0, EINVAL,
		  "buffer_seal() with an unknown seal");
	CHECK_ERR(secbuf_buffer_seal(pool, buf, SECBUF_BUFFER_SEALS_ALL) < 0,
		  ENOTTY, "buffer_seal() reaches the ioctl");
	CHECK_ERR(secbuf_buffer_get_seals(pool, buf) < 0, ENOTTY,
		  "buffer_get_seals() reaches the ioctl");

	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, 0, NULL) < 0, EINVAL,
		  "buffer_dma_begin() with no policy");
	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, SECBUF_DMA_WINDOW_WAIT |
					  SECBUF_DMA_WINDOW_STRICT, NULL) < 0,
		  EINVAL, "buffer_dma_begin() with both policies");
	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, 1u << 2, NULL) < 0,
		  EINVAL, "buffer_dma_begin() with an unknown flag");
	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, SECBUF_DMA_WINDOW_STRICT,
					  &fence) < 0, ENOTTY,
		  "buffer_dma_begin() reaches the ioctl");
	CHECK(fence == 12345, "a failed dma_begin leaves *fence_fd alone");
	CHECK_ERR(secbuf_buffer_dma_end(pool, buf) < 0, ENOTTY,
		  "buffer_dma_end() reaches the ioctl");

	CHECK_ERR(secbuf_pool_wait_quarantine(pool, 0) < 0, ENOTTY,
		  "pool_wait_quarantine() reaches the ioctl");

	secbuf_grants_free(NULL);
	secbuf_buffer_info_free(NULL);
out:
	secbuf_buffer_free(buf);
	secbuf_pool_close(pool);
}

/* ---- V4L2 and DRM helpers: argument checks ---- */

static void test_v4l2_errors(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int mfd = make_memfd(4096);

	CHECK_ERR(!secbuf_v4l2_queue_new(-1, SECBUF_V4L2_CAPTURE, 4), EBADF,
		  "v4l2_queue_new(-1)");
	CHECK_ERR(!secbuf_v4l2_queue_new(null, (enum secbuf_v4l2_type)0, 4),
		  EINVAL, "v4l2_queue_new() with type 0");
	CHECK_ERR(!secbuf_v4l2_queue_new(null, (enum secbuf_v4l2_type)9, 4),
		  EINVAL, "v4l2_queue_new() with a multi-planar or other type");
	CHECK_ERR(!secbuf_v4l2_queue_new(null, SECBUF_V4L2_CAPTURE, 0), EINVAL,
		  "v4l2_queue_new() of 0 buffers");
	CHECK_ERR(!secbuf_v4l2_queue_new(null, SECBUF_V4L2_OUTPUT, 33), EINVAL,
		  "v4l2_queue_new() of 33 buffers (VIDEO_MAX_FRAME is 32)");
	CHECK_ERR(!secbuf_v4l2_queue_new(null, SECBUF_V4L2_CAPTURE, 32), ENOTTY,
		  "v4l2_queue_new() on /dev/null (the kernel's errno)");
	CHECK_ERR(!secbuf_v4l2_queue_new(mfd, SECBUF_V4L2_OUTPUT, 1), ENOTTY,
		  "v4l2_queue_new() on a memfd");
	secbuf_v4l2_queue_free(NULL);
	close(mfd);
	close(null);
}

static void test_drm_errors(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct secbuf_buffer *buf = secbuf_buffer_from_fd(make_memfd(4096));
	uint32_t handle = 77;

	if (!EXPECTED_LIBDRM) {
		/* Built without libdrm: ENOSYS, whatever the arguments. */
		CHECK_ERR(secbuf_drm_import(-1, NULL, NULL) < 0, ENOSYS,
			  "drm_import() probe without libdrm");
		CHECK_ERR(secbuf_drm_import(null, buf, &handle) < 0, ENOSYS,
			  "drm_import() without libdrm");
		CHECK(handle == 77, "... leaves the handle alone");
		CHECK_ERR(!secbuf_drm_export(null, 1, 0), ENOSYS,
			  "drm_export() without libdrm");
		CHECK_ERR(secbuf_drm_close_handle(null, 1) < 0, ENOSYS,
			  "drm_close_handle() without libdrm");
		goto out;
	}

	CHECK_ERR(secbuf_drm_import(-1, NULL, NULL) < 0, EINVAL,
		  "drm_import() probe with libdrm");
	CHECK_ERR(secbuf_drm_import(null, buf, NULL) < 0, EINVAL,
		  "drm_import() without a handle to fill");
	CHECK_ERR(secbuf_drm_import(-1, buf, &handle) < 0, EBADF,
		  "drm_import() into fd -1");
	CHECK_ERR(secbuf_drm_import(null, buf, &handle) < 0, ENOTTY,
		  "drm_import() into /dev/null (the kernel's errno)");
	CHECK(handle == 77, "... leaves the handle alone");
	CHECK_ERR(!secbuf_drm_export(null, 0, 0), EINVAL,
		  "drm_export() of handle 0");
	CHECK_ERR(!secbuf_drm_export(null, 1, 0x80), EINVAL,
		  "drm_export() with an unknown flag");
	CHECK_ERR(!secbuf_drm_export(-1, 1, 0), EBADF, "drm_export() from -1");
	CHECK_ERR(!secbuf_drm_export(null, 1, SECBUF_BUFFER_READ_ONLY), ENOTTY,
		  "drm_export() from /dev/null");
	CHECK_ERR(secbuf_drm_close_handle(null, 0) < 0, EINVAL,
		  "drm_close_handle() of handle 0");
	CHECK_ERR(secbuf_drm_close_handle(-1, 1) < 0, EBADF,
		  "drm_close_handle() on -1");
	CHECK_ERR(secbuf_drm_close_handle(null, 1) < 0, ENOTTY,
		  "drm_close_handle() on /dev/null");
out:
	secbuf_buffer_free(buf);
	close(null);
}

/* ---- against the driver, when there is one ---- */

static bool fdinfo_has(int fd, const char *text)
{
	char path[64], buf[1024];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static void test_driver_stats(struct secbuf_pool *pool, uint64_t buffers,
			      uint64_t bytes)
{
	struct secbuf_pool_stats *st = secbuf_pool_get_stats(pool);

	CHECK(st != NULL, "pool_get_stats()");
	if (!st)
		return;
	CHECK(secbuf_pool_stats_get_total_bytes(st) > 0 &&
	      secbuf_pool_stats_get_max_buffer_bytes(st) > 0,
	      "stats: total and max buffer bytes are set");
	CHECK(secbuf_pool_stats_get_used_bytes(st) >= bytes &&
	      secbuf_pool_stats_get_buffer_count(st) >= buffers,
	      "stats: the pool counts our buffers");
	CHECK(secbuf_pool_stats_get_file_buffer_count(st) == buffers &&
	      secbuf_pool_stats_get_file_used_bytes(st) == bytes,
	      "stats: this pool file has %llu buffers, %llu bytes",
	      (unsigned long long)buffers, (unsigned long long)bytes);
	secbuf_pool_stats_free(st);
}

static bool fence_signaled(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * Another pool file of the same pool is not the owner: it may derive
 * grants only from a grant with REGRANT, and never list them.
 */
static void test_driver_regrant(struct secbuf_pool *pool,
				struct secbuf_buffer *buf,
				struct secbuf_buffer *read_grant)
{
	struct secbuf_pool *other = secbuf_pool_open(secbuf_pool_get_path(pool));
	struct secbuf_buffer *rg, *derived;

	CHECK(other != NULL, "a second pool file");
	if (!other)
		return;
	CHECK_ERR(!secbuf_buffer_grant(other, read_grant, SECBUF_RIGHT_READ, -1),
		  EPERM, "a non-owner grant from a grant without REGRANT");
	CHECK_ERR(!secbuf_buffer_list_grants(other, buf), EPERM,
		  "a non-owner lists grants");
	rg = secbuf_buffer_grant(pool, buf, SECBUF_RIGHT_READ |
				 SECBUF_RIGHT_REGRANT, -1);
	CHECK(rg != NULL, "grant(READ|REGRANT)");
	derived = rg ? secbuf_buffer_grant(other, rg, SECBUF_RIGHT_READ, -1) :
		       NULL;
	CHECK(derived && secbuf_buffer_get_grant_id(derived) !=
	      secbuf_buffer_get_grant_id(rg),
	      "a non-owner derives a grant from a REGRANT grant");
	if (rg)
		CHECK(secbuf_buffer_revoke_grant(pool, buf,
				secbuf_buffer_get_grant_id(rg), NULL) == 0 &&
		      (!derived || secbuf_buffer_revoke_grant(pool, buf,
				secbuf_buffer_get_grant_id(derived), NULL) == 0),
		      "the owner revokes both");
	secbuf_buffer_free(derived);
	secbuf_buffer_free(rg);
	secbuf_pool_close(other);
}

/* Grants, queries, revocation, DMA windows and seals on the real driver. */
static void test_driver_manage(struct secbuf_pool *pool)
{
	struct secbuf_buffer *buf, *g, *bound = NULL;
	struct secbuf_buffer_info *info;
	struct secbuf_grants *grants;
	uint64_t quarantined = 1;
	struct secbuf_pool_stats *st;
	int pidfd, fence = -1;

	buf = secbuf_buffer_alloc(pool, 8192, 0);
	CHECK(buf != NULL, "alloc for the owner-control checks");
	if (!buf)
		return;

	info = secbuf_buffer_query(pool, buf);
	CHECK(info != NULL, "query() of the owner's handle");
	if (info) {
		CHECK(secbuf_buffer_info_get_state(info) == SECBUF_LIVE &&
		      secbuf_buffer_info_get_handle_state(info) == SECBUF_LIVE,
		      "query: buffer and handle are live");
		CHECK(secbuf_buffer_info_get_rights(info) == SECBUF_RIGHTS_ALL &&
		      secbuf_buffer_info_get_grant_id(info) == 0,
		      "query: the owner's handle has every right, grant id 0");
		CHECK(secbuf_buffer_info_get_size(info) == 8192 &&
		      secbuf_buffer_info_get_id(info) ==
		      secbuf_buffer_get_id(buf) &&
		      secbuf_buffer_info_get_seals(info) == 0,
		      "query: size, id, no seals");
		secbuf_buffer_info_free(info);
	}

	g = secbuf_buffer_grant(pool, buf, SECBUF_RIGHT_READ, -1);
	CHECK(g != NULL, "grant(READ)");
	if (!g)
		goto free_buf;
	CHECK(secbuf_buffer_get_grant_id(g) != 0 &&
	      secbuf_buffer_is_read_only(g) &&
	      secbuf_buffer_get_size(g) == 8192,
	      "the grant has an id, is read-only, has the buffer's size");
	CHECK(secbuf_buffer_map(g) != NULL, "the READ grant maps");
	info = secbuf_buffer_query(pool, g);
	CHECK(info && secbuf_buffer_info_get_rights(info) == SECBUF_RIGHT_READ &&
	      secbuf_buffer_info_get_grant_id(info) ==
	      secbuf_buffer_get_grant_id(g), "query of the grant");
	secbuf_buffer_info_free(info);

	CHECK_ERR(!secbuf_buffer_grant(pool, g, SECBUF_RIGHT_READ |
				       SECBUF_RIGHT_WRITE, -1), EPERM,
		  "grant of rights wider than the source's");
	test_driver_regrant(pool, buf, g);

	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd >= 0) {
		bound = secbuf_buffer_grant(pool, buf, SECBUF_RIGHT_READ |
					    SECBUF_RIGHT_WRITE, pidfd);
		CHECK(bound && !secbuf_buffer_is_read_only(bound),
		      "grant(READ|WRITE) bound to this process");
		close(pidfd);
	}

	grants = secbuf_buffer_list_grants(pool, buf);
	CHECK(grants && secbuf_grants_get_count(grants) == (bound ? 2 : 1),
	      "list_grants() counts the grants");
	if (grants) {
		CHECK(secbuf_grants_get_id(grants, 0) ==
		      secbuf_buffer_get_grant_id(g) &&
		      secbuf_grants_get_rights(grants, 0) == SECBUF_RIGHT_READ &&
		      secbuf_grants_get_state(grants, 0) == SECBUF_LIVE &&
		      secbuf_grants_get_mappings(grants, 0) == 1 &&
		      secbuf_grants_get_attachments(grants, 0) == 0 &&
		      secbuf_grants_get_pid(grants, 0) == 0,
		      "list: the READ grant, live, one mapping, unbound");
		if (bound)
			CHECK(secbuf_grants_get_pid(grants, 1) == getpid(),
			      "list: the bound grant names this process");
		CHECK(secbuf_grants_get_id(grants, 99) == 0,
		      "list getters return 0 past the end");
		secbuf_grants_free(grants);
	}

	CHECK(secbuf_buffer_revoke_grant(pool, buf,
					 secbuf_buffer_get_grant_id(g),
					 &quarantined) == 0,
	      "revoke_grant() of the READ grant");
	info = secbuf_buffer_query(pool, g);
	CHECK(info && secbuf_buffer_info_get_handle_state(info) == SECBUF_REVOKED &&
	      secbuf_buffer_info_get_state(info) == SECBUF_LIVE,
	      "query: the grant is revoked, the buffer is live");
	secbuf_buffer_info_free(info);
	CHECK_ERR(secbuf_buffer_revoke_grant(pool, buf, 999999, NULL) < 0,
		  ENOENT, "revoke_grant() of an unknown grant");

	CHECK(secbuf_buffer_dma_begin(pool, buf, SECBUF_DMA_WINDOW_STRICT,
				      &fence) == 0 && fence >= 0,
	      "dma_begin(STRICT) with a fence");
	info = secbuf_buffer_query(pool, buf);
	CHECK(info && secbuf_buffer_info_get_state(info) == SECBUF_IN_DMA,
	      "query: the buffer is in a DMA window");
	secbuf_buffer_info_free(info);
	CHECK(fence < 0 || !fence_signaled(fence),
	      "the window's fence is not signaled");
	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, SECBUF_DMA_WINDOW_WAIT,
					  NULL) < 0, EBUSY,
		  "a second dma_begin()");
	CHECK(secbuf_buffer_dma_end(pool, buf) == 0, "dma_end()");
	CHECK(fence >= 0 && fence_signaled(fence),
	      "the fence signals at dma_end()");
	if (fence >= 0)
		close(fence);
	CHECK_ERR(secbuf_buffer_dma_end(pool, buf) < 0, ENOENT,
		  "dma_end() with no window");

	CHECK(secbuf_buffer_seal(pool, buf, SECBUF_BUFFER_SEAL_WRITE) ==
	      SECBUF_BUFFER_SEAL_WRITE, "seal(WRITE) returns the seals");
	CHECK(secbuf_buffer_get_seals(pool, buf) == SECBUF_BUFFER_SEAL_WRITE,
	      "get_seals() says WRITE");
	CHECK_ERR(secbuf_buffer_dma_begin(pool, buf, SECBUF_DMA_WINDOW_WAIT,
					  NULL) < 0, EPERM,
		  "dma_begin() of a write-sealed buffer");
	CHECK(secbuf_buffer_seal(pool, buf, SECBUF_BUFFER_SEAL_SEAL) ==
	      (SECBUF_BUFFER_SEAL_WRITE | SECBUF_BUFFER_SEAL_SEAL),
	      "seal(SEAL) adds to the seals");
	CHECK_ERR(secbuf_buffer_seal(pool, buf, SECBUF_BUFFER_SEAL_GRANT) < 0,
		  EPERM, "seal() after SEAL_SEAL");

	CHECK(secbuf_buffer_revoke(pool, buf, &quarantined) == 0,
	      "revoke() the whole buffer (%llu bytes quarantined)",
	      (unsigned long long)quarantined);
	info = secbuf_buffer_query(pool, bound ? bound : buf);
	CHECK(info && secbuf_buffer_info_get_state(info) == SECBUF_REVOKED,
	      "query: the buffer is revoked");
	secbuf_buffer_info_free(info);
	CHECK(secbuf_pool_wait_quarantine(pool, 5000) == 0,
	      "pool_wait_quarantine() returns");
	st = secbuf_pool_get_stats(pool);
	CHECK(st && secbuf_pool_stats_get_quarantined_bytes(st) == 0,
	      "stats: nothing quarantined");
	secbuf_pool_stats_free(st);

	secbuf_buffer_free(bound);
	secbuf_buffer_free(g);
free_buf:
	secbuf_buffer_free(buf);
}

/* ---- V4L2 and DRM against vivid and vgem, when they are there ---- */

static int open_vivid_capture(void)
{
	struct v4l2_capability caps;
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&caps, 0, sizeof(caps));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &caps) &&
		    !strcmp((const char *)caps.driver, "vivid") &&
		    (caps.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (caps.device_caps & V4L2_CAP_STREAMING) &&
		    !(caps.device_caps & V4L2_CAP_TOUCH))
			return fd;
		close(fd);
	}
	return -1;
}

static void test_driver_v4l2(struct secbuf_pool *pool)
{
	struct secbuf_buffer *bufs[3] = { NULL }, *small;
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct secbuf_v4l2_queue *q;
	uint32_t seq = 0;
	unsigned int n, i;
	int fd, idx;

	fd = open_vivid_capture();
	if (fd < 0) {
		driver_part_missing("no vivid capture node for the V4L2 checks");
		return;
	}
	CHECK(!ioctl(fd, VIDIOC_G_FMT, &fmt) && fmt.fmt.pix.sizeimage,
	      "vivid's format: %u bytes a frame", fmt.fmt.pix.sizeimage);

	q = secbuf_v4l2_queue_new(fd, SECBUF_V4L2_CAPTURE, 3);
	CHECK(q && secbuf_v4l2_queue_get_count(q) >= 3,
	      "v4l2_queue_new() of 3 DMABUF buffers on vivid");
	if (!q)
		goto close_fd;
	n = secbuf_v4l2_queue_get_count(q);
	for (i = 0; i < 3; i++)
		bufs[i] = secbuf_buffer_alloc(pool, fmt.fmt.pix.sizeimage, 0);
	small = secbuf_buffer_alloc(pool, 4096, 0);
	CHECK(bufs[0] && bufs[1] && bufs[2] && small, "alloc 4 buffers");
	if (!bufs[0] || !bufs[1] || !bufs[2] || !small)
		goto free_bufs;

	CHECK_ERR(secbuf_v4l2_queue_buffer(q, n, bufs[0], 0) < 0, EINVAL,
		  "queue_buffer() at an index out of range");
	CHECK_ERR(secbuf_v4l2_queue_buffer(q, 0, NULL, 0) < 0, EINVAL,
		  "queue_buffer() of NULL");
	CHECK_ERR(secbuf_v4l2_queue_buffer(q, 0, small, 0) < 0, EINVAL,
		  "queue_buffer() of a buffer smaller than the format");
	CHECK(!secbuf_v4l2_queue_get_buffer(q, 0),
	      "a refused buffer is not remembered");
	CHECK_ERR(secbuf_v4l2_queue_dequeue(q, 0) < 0, EINVAL,
		  "dequeue() before stream_on()");

	for (i = 0; i < 3; i++)
		CHECK(!secbuf_v4l2_queue_buffer(q, i, bufs[i], 0),
		      "queue_buffer() at %u", i);
	CHECK(!secbuf_v4l2_queue_stream_on(q), "stream_on()");
	CHECK_ERR(!secbuf_v4l2_queue_new(fd, SECBUF_V4L2_CAPTURE, 2), EBUSY,
		  "v4l2_queue_new() while the queue streams");

	for (i = 0; i < 4; i++) {
		idx = secbuf_v4l2_queue_dequeue(q, 10000);
		CHECK(idx >= 0 && idx < 3, "dequeue() frame %u: index %d (%s)",
		      i, idx, idx < 0 ? strerrorname_np(errno) : "ok");
		if (idx < 0 || idx >= 3)
			break;
		CHECK(secbuf_v4l2_queue_get_buffer(q, (unsigned)idx) ==
		      bufs[idx], "get_buffer() is the buffer queued there");
		CHECK(secbuf_v4l2_queue_get_bytesused(q, (unsigned)idx) ==
		      fmt.fmt.pix.sizeimage && !secbuf_v4l2_queue_has_error(q,
		      (unsigned)idx) && secbuf_v4l2_queue_get_timestamp_ns(q,
		      (unsigned)idx), "a whole frame, no error, a timestamp");
		CHECK(!i || secbuf_v4l2_queue_get_sequence(q, (unsigned)idx) >
		      seq, "sequence numbers grow");
		seq = secbuf_v4l2_queue_get_sequence(q, (unsigned)idx);
		CHECK(!secbuf_v4l2_queue_buffer(q, (unsigned)idx, bufs[idx], 0),
		      "queue it again");
	}
	CHECK(!secbuf_v4l2_queue_get_buffer(q, n) &&
	      !secbuf_v4l2_queue_get_bytesused(q, n) &&
	      !secbuf_v4l2_queue_get_sequence(q, n) &&
	      !secbuf_v4l2_queue_get_timestamp_ns(q, n) &&
	      !secbuf_v4l2_queue_has_error(q, n),
	      "getters out of range give 0");
	CHECK(!secbuf_v4l2_queue_stream_off(q), "stream_off()");
	CHECK_ERR(secbuf_v4l2_queue_dequeue(q, 0) < 0, EINVAL,
		  "dequeue() after stream_off()");
	secbuf_v4l2_queue_free(q);
	q = secbuf_v4l2_queue_new(fd, SECBUF_V4L2_CAPTURE, 2);
	CHECK(q != NULL, "queue_free() let go of the queue: a new one works");
free_bufs:
	secbuf_v4l2_queue_free(q);
	for (i = 0; i < 3; i++)
		secbuf_buffer_free(bufs[i]);
	secbuf_buffer_free(small);
close_fd:
	close(fd);
}

/* vgem's primary node (libdrm's drmGetVersion() names the driver). */
static int open_vgem(void)
{
#if EXPECTED_LIBDRM
	drmVersionPtr v;
	char path[32];
	bool vgem;
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		vgem = v && v->name && !strcmp(v->name, "vgem");
		drmFreeVersion(v);
		if (vgem)
			return fd;
		close(fd);
	}
#endif
	return -1;
}

static void test_driver_drm(struct secbuf_pool *pool)
{
	struct secbuf_buffer *buf, *back, *ro, *grant, *rev;
	uint32_t h = 0, h2 = 0;
	int vgem;

	if (!EXPECTED_LIBDRM) {
		/* ENOSYS whatever the arguments: no vgem needed. */
		CHECK_ERR(secbuf_drm_import(-1, NULL, &h) < 0, ENOSYS,
			  "drm_import() without libdrm");
		return;
	}
	vgem = open_vgem();
	if (vgem < 0) {
		driver_part_missing("no vgem for the DRM checks");
		return;
	}

	buf = secbuf_buffer_alloc(pool, 8192, 0);
	CHECK(buf != NULL, "alloc 8 KiB");
	if (!buf)
		goto close_vgem;
	CHECK(!secbuf_drm_import(vgem, buf, &h) && h, "drm_import() into vgem: "
	      "handle %u", h);
	CHECK(!secbuf_drm_import(vgem, buf, &h2) && h2 == h,
	      "importing it again gives the same handle");
	back = secbuf_drm_export(vgem, h, 0);
	CHECK(back && same_file(secbuf_buffer_get_fd(back),
				secbuf_buffer_get_fd(buf)) &&
	      has_cloexec(secbuf_buffer_get_fd(back)) &&
	      secbuf_buffer_get_size(back) == 8192,
	      "drm_export() gives back the same dma-buf, O_CLOEXEC");
	ro = secbuf_drm_export(vgem, h, SECBUF_BUFFER_READ_ONLY);
	CHECK(ro && same_file(secbuf_buffer_get_fd(ro),
			      secbuf_buffer_get_fd(buf)) &&
	      !secbuf_buffer_is_read_only(ro),
	      "drm_export(READ_ONLY) of an import: the same file, whose mode "
	      "is the imported descriptor's");
	secbuf_buffer_free(ro);
	secbuf_buffer_free(back);
	CHECK(!secbuf_drm_close_handle(vgem, h), "drm_close_handle()");
	CHECK_ERR(secbuf_drm_close_handle(vgem, h) < 0, EINVAL,
		  "drm_close_handle() of a closed handle");
	CHECK_ERR(!secbuf_drm_export(vgem, h, 0), ENOENT,
		  "drm_export() of a closed handle");

	grant = secbuf_buffer_grant(pool, buf, SECBUF_RIGHT_READ, -1);
	CHECK(grant != NULL, "a READ-only grant");
	if (grant) {
		CHECK_ERR(secbuf_drm_import(vgem, grant, &h) < 0, EACCES,
			  "drm_import() of a grant without DMA");
		secbuf_buffer_free(grant);
	}
	rev = secbuf_buffer_alloc(pool, 4096, 0);
	CHECK(rev && !secbuf_buffer_revoke(pool, rev, NULL), "a revoked buffer");
	if (rev)
		CHECK_ERR(secbuf_drm_import(vgem, rev, &h) < 0, ENODEV,
			  "drm_import() of a revoked buffer");
	secbuf_buffer_free(rev);
	secbuf_buffer_free(buf);
close_vgem:
	close(vgem);
}

static void test_driver(const char *name)
{
	struct secbuf_buffer *buf, *big, *ro, *copy, *heap;
	struct secbuf_pool *pool;
	unsigned char *p, *q;
	int sv[2], fd, got;
	size_t i;

	pool = secbuf_pool_open(name);
	if (!pool && errno == ENOENT) {
		printf("# no pool '%s'\n", name);
		driver_part_missing("no pool for the driver checks");
		return;
	}
	CHECK(pool != NULL, "pool_open(\"%s\")", name);
	if (!pool)
		return;
	test_driver_stats(pool, 0, 0);

	CHECK_ERR(!secbuf_buffer_alloc(pool, 0, 0), EINVAL, "alloc of 0 bytes");
	CHECK_ERR(!secbuf_buffer_alloc(pool, UINT64_MAX, 0), EFBIG,
		  "alloc of UINT64_MAX bytes");

	buf = secbuf_buffer_alloc(pool, 5000, 0);
	CHECK(buf != NULL, "alloc of 5000 bytes");
	if (!buf)
		goto close_pool;
	CHECK(secbuf_buffer_get_size(buf) == 8192, "size is rounded to 8192");
	CHECK(secbuf_buffer_get_id(buf) != 0, "id %llu is not 0",
	      (unsigned long long)secbuf_buffer_get_id(buf));
	CHECK(has_cloexec(secbuf_buffer_get_fd(buf)), "dma-buf fd has O_CLOEXEC");
	CHECK(!secbuf_buffer_is_read_only(buf), "read-write by default");
	test_driver_stats(pool, 1, 8192);

	CHECK(secbuf_buffer_set_name(buf, "libsecbuf-test") == 0, "set_name()");
	CHECK(fdinfo_has(secbuf_buffer_get_fd(buf), "libsecbuf-test"),
	      "the name shows in fdinfo");

	p = secbuf_buffer_map(buf);
	CHECK(p != NULL, "map()");
	if (p) {
		CHECK(p[0] == 0 && p[8191] == 0, "a new buffer is zeroed");
		CHECK(secbuf_buffer_sync_begin(buf, SECBUF_SYNC_WRITE) == 0,
		      "sync_begin(WRITE)");
		memcpy(p, "libsecbuf", 10);
		p[8191] = 0x5a;
		CHECK(secbuf_buffer_sync_end(buf, SECBUF_SYNC_WRITE) == 0,
		      "sync_end(WRITE)");
	}

	/* A second object on a dup of the fd: another mapping, same memory. */
	fd = secbuf_buffer_dup_fd(buf);
	copy = fd >= 0 ? secbuf_buffer_from_fd(fd) : NULL;
	CHECK(copy != NULL, "from_fd() of a dup'ed dma-buf fd");
	if (copy) {
		CHECK(secbuf_buffer_get_size(copy) == 8192 &&
		      secbuf_buffer_get_id(copy) == 0,
		      "from_fd(): size from lseek, id unknown");
		q = secbuf_buffer_map(copy);
		CHECK(q && q != p && !strcmp((char *)q, "libsecbuf") &&
		      q[8191] == 0x5a, "a second mapping sees the data");
		CHECK(secbuf_buffer_sync_begin(copy, SECBUF_SYNC_READ) == 0 &&
		      secbuf_buffer_sync_end(copy, SECBUF_SYNC_READ) == 0,
		      "sync READ begin/end");
		secbuf_buffer_free(copy);
	} else if (fd >= 0) {
		close(fd);
	}

	/* Over a socket, the same dma-buf arrives. */
	if (!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		CHECK(secbuf_fd_send(sv[0], secbuf_buffer_get_fd(buf)) == 0,
		      "fd_send() of a dma-buf (seqpacket)");
		got = secbuf_fd_recv(sv[1]);
		CHECK(got >= 0 && same_file(got, secbuf_buffer_get_fd(buf)),
		      "fd_recv() gets the same dma-buf");
		if (got >= 0)
			close(got);
		close(sv[0]);
		close(sv[1]);
	}

	big = secbuf_buffer_alloc(pool, 4u << 20, 0);
	CHECK(big != NULL, "alloc of 4 MiB");
	if (big) {
		p = secbuf_buffer_map(big);
		CHECK(p && !((uintptr_t)p & ((2u << 20) - 1)),
		      "a 4 MiB mapping is 2 MiB aligned (%p)", (void *)p);
		if (p) {
			secbuf_buffer_sync_begin(big, SECBUF_SYNC_RW);
			for (i = 0; i < (4u << 20); i += 4096)
				p[i] = (unsigned char)i;
			secbuf_buffer_sync_end(big, SECBUF_SYNC_RW);
			CHECK(p[(4u << 20) - 4096] == (unsigned char)((4u << 20) - 4096),
			      "every page of it can be written");
		}
		test_driver_stats(pool, 2, 8192 + (4u << 20));
		secbuf_buffer_free(big);
	}

	ro = secbuf_buffer_alloc(pool, 4096, SECBUF_BUFFER_READ_ONLY);
	CHECK(ro && secbuf_buffer_is_read_only(ro) &&
	      (fcntl(secbuf_buffer_get_fd(ro), F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "a read-only alloc gives an O_RDONLY fd");
	if (ro) {
		errno = 0;
		p = secbuf_buffer_map(ro);
		CHECK(p != NULL, "it maps for reading (%s)",
		      p ? "ok" : strerrorname_np(errno));
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 secbuf_buffer_get_fd(ro), 0);
		CHECK(p == MAP_FAILED && errno == EACCES,
		      "the kernel refuses a writable mapping (EACCES)");
		secbuf_buffer_free(ro);
	}

	fd = secbuf_heap_alloc_fd(name, 4096, 0);
	CHECK(fd >= 0 && has_cloexec(fd), "heap_alloc_fd() on the dma-heap node");
	heap = fd >= 0 ? secbuf_buffer_from_fd(fd) : NULL;
	if (heap) {
		p = secbuf_buffer_map(heap);
		CHECK(p && secbuf_buffer_get_size(heap) == 4096,
		      "a heap buffer wraps and maps");
		secbuf_buffer_free(heap);
	} else if (fd >= 0) {
		close(fd);
	}
	fd = secbuf_heap_alloc_fd(name, 4096, SECBUF_BUFFER_READ_ONLY);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "heap_alloc_fd(READ_ONLY) gives an O_RDONLY fd");
	if (fd >= 0)
		close(fd);

	secbuf_buffer_free(buf);
	test_driver_stats(pool, 0, 0);
	test_driver_manage(pool);
	test_driver_stats(pool, 0, 0);
	test_driver_v4l2(pool);
	test_driver_drm(pool);
	test_driver_stats(pool, 0, 0);
close_pool:
	secbuf_pool_close(pool);
}

int main(void)
{
	const char *pool = getenv("SECBUF_POOL");

	setvbuf(stdout, NULL, _IOLBF, 0);

	test_version();
	test_pool_open_errors();
	test_heap_errors();
	test_from_fd_errors();
	test_map(8192, false);
	test_map(2u << 20, true);
	test_map((6u << 20) + 4096, true);
	test_map_slack();
	test_read_only();
	test_sync_and_name();
	test_fd_passing();
	test_manage_errors();
	test_v4l2_errors();
	test_drm_errors();
	test_driver(pool && *pool ? pool : "gpu");

	printf("libsecbuf: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
