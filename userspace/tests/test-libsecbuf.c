// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host tests of libsecbuf: everything that needs no secbuf driver.
 *
 * memfds stand in for dma-bufs where the calls are generic (lseek size,
 * mmap, descriptor passing); /dev/null stands in for a device node that is
 * not a secbuf pool. Prints "ok"/"not ok" per check and a closing
 * "N passed, N failed" line.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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

int main(void)
{
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

	printf("libsecbuf: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
