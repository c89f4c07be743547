// SPDX-License-Identifier: MIT
/*
 * secbuf_uapi: input validation of SECBUF_IOC_ALLOC and SECBUF_IOC_POOL_INFO,
 * of SECBUF_IOC_SEAL and _GET_SEALS, of the struct sizes and pointers of
 * SECBUF_IOC_DMA_BEGIN and _DMA_END (their fields and fds are checked in
 * secbuf_window), and of the pidfd field of SECBUF_IOC_GRANT: one error
 * path per subtest (botching-up-ioctls.rst), each with the exact errno from
 * include/uapi/linux/secbuf.h and docs/uapi.md.
 *
 * Every failing call must leave nothing behind: no new fd (the next free fd
 * number and the number of open fds are unchanged) and no pool usage. Where
 * it makes sense the same argument with only the bad field corrected must
 * then succeed, so the subtest proves which field was refused.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"

IGT_TEST_DESCRIPTION("Every invalid field, flag, pad, size, struct size, "
		     "ioctl number and pointer of the secbuf ioctls, with the "
		     "exact errno and nothing left behind.");

#define SECBUF_IOC_ALLOC_SZ(sz) \
	_IOC(_IOC_READ | _IOC_WRITE, SECBUF_IOC_MAGIC, 0x00, (sz))
#define SECBUF_IOC_POOL_INFO_SZ(sz) \
	_IOC(_IOC_READ | _IOC_WRITE, SECBUF_IOC_MAGIC, 0x01, (sz))
#define SECBUF_IOC_NR_SZ(nr, sz) \
	_IOC(_IOC_READ | _IOC_WRITE, SECBUF_IOC_MAGIC, (nr), (sz))

static const char *pool;
static int pool_fd = -1;

static struct secbuf_alloc valid_alloc(void)
{
	return (struct secbuf_alloc) {
		.size = SECBUF_SZ_4K,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
}

/* The ioctl fails with exactly @err and leaves no fd and no buffer. */
static void assert_fails_cleanly(unsigned long cmd, void *arg, int err)
{
	struct secbuf_snapshot before;

	int ret;

	secbuf_snapshot(&before, pool);
	ret = __secbuf_ioctl(pool_fd, cmd, arg);
	igt_assert_f(ret == -err, "ioctl %#lx (nr %#x, size %u): %d, expected %d\n",
		     cmd, (unsigned int)_IOC_NR(cmd), (unsigned int)_IOC_SIZE(cmd),
		     ret, -err);
	secbuf_assert_unchanged(&before);
}

/* The ioctl succeeds; for ALLOC, close what it returned. */
static void assert_succeeds(unsigned long cmd, void *arg)
{
	igt_assert_eq(__secbuf_ioctl(pool_fd, cmd, arg), 0);
	if (_IOC_NR(cmd) == _IOC_NR(SECBUF_IOC_ALLOC)) {
		struct secbuf_alloc *a = arg;

		igt_assert_fd((int)a->fd);
		close((int)a->fd);
	}
	secbuf_pool_assert_idle(pool);
}

/* ALLOC with @arg fails with @err; then with @fixed it works. */
static void alloc_invalid(struct secbuf_alloc arg, struct secbuf_alloc fixed,
			  int err)
{
	assert_fails_cleanly(SECBUF_IOC_ALLOC, &arg, err);
	assert_succeeds(SECBUF_IOC_ALLOC, &fixed);
}

/* A page the kernel can read but not write, holding @len bytes of @src. */
static void *readonly_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	memcpy(p, src, len);
	igt_assert_eq(mprotect(p, 4096, PROT_READ), 0);
	return p;
}

/* @len bytes whose end is the end of a mapping, followed by a hole. */
static void *before_hole(size_t len)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	igt_assert_eq(munmap(p + 4096, 4096), 0);
	return p + 4096 - len;
}

static void test_bad_pointers(unsigned long cmd, const void *valid, size_t len)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	char *straddle = before_hole(len / 2);

	igt_assert(none != MAP_FAILED);
	/* The first half readable, the rest in the hole. */
	memcpy(straddle, valid, len / 2);

	assert_fails_cleanly(cmd, NULL, EFAULT);
	assert_fails_cleanly(cmd, none, EFAULT);
	assert_fails_cleanly(cmd, straddle, EFAULT);
	assert_fails_cleanly(cmd, (void *)-4096L, EFAULT);

	munmap(none, 4096);
	munmap(straddle - 4096 + len / 2, 4096);
}

/*
 * @before (may be NULL) sets up what the call needs, @after (may be NULL)
 * checks and undoes what the call did.
 */
static void test_struct_sizes_larger(unsigned long (*cmd)(size_t),
				     const void *valid, size_t len,
				     void (*before)(void),
				     void (*after)(void *arg))
{
	static const size_t sizes[] = { 16, 24, 48, 64, 80, 88, 96, 256, 4096 };
	static uint8_t buf[8192] __attribute__((aligned(8)));

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t sz = sizes[i];

		if (sz <= len)
			continue;

		/* Zero tail: accepted, the tail and what follows untouched. */
		memset(buf, 0xcc, sizeof(buf));
		memset(buf, 0, sz);
		memcpy(buf, valid, len);
		if (before)
			before();
		igt_assert_eq(__secbuf_ioctl(pool_fd, cmd(sz), buf), 0);
		for (size_t b = len; b < sz; b++)
			igt_assert_f(buf[b] == 0, "size %zu: tail byte %zu "
				     "written: %#x\n", sz, b, buf[b]);
		for (size_t b = sz; b < sizeof(buf); b++)
			igt_assert_f(buf[b] == 0xcc, "size %zu: byte %zu past "
				     "the struct written\n", sz, b);
		if (after)
			after(buf);
	}
}

static void alloc_larger_after(void *arg)
{
	struct secbuf_alloc *a = arg;

	igt_assert_eq_u64(a->alloc_size, SECBUF_SZ_4K);
	close((int)a->fd);
	secbuf_pool_assert_idle(pool);
}

static void test_struct_sizes_nonzero_tail(unsigned long (*cmd)(size_t),
					   const void *valid, size_t len)
{
	static const size_t sizes[] = { 16, 48, 80, 96, 4096 };
	static uint8_t buf[4096] __attribute__((aligned(8)));

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t sz = sizes[i];

		if (sz <= len)
			continue;

		/* The first unknown byte, then the last one. */
		memset(buf, 0, sizeof(buf));
		memcpy(buf, valid, len);
		buf[len] = 1;
		assert_fails_cleanly(cmd(sz), buf, E2BIG);

		buf[len] = 0;
		buf[sz - 1] = 0x80;
		assert_fails_cleanly(cmd(sz), buf, E2BIG);
	}
}

static unsigned long alloc_cmd(size_t sz)
{
	return SECBUF_IOC_ALLOC_SZ(sz);
}

static unsigned long pool_info_cmd(size_t sz)
{
	return SECBUF_IOC_POOL_INFO_SZ(sz);
}

static const char *fd_flag_name(uint32_t bit)
{
	switch (bit) {
	case O_WRONLY: return "O_WRONLY";
	case O_CREAT: return "O_CREAT";
	case O_EXCL: return "O_EXCL";
	case O_NOCTTY: return "O_NOCTTY";
	case O_TRUNC: return "O_TRUNC";
	case O_APPEND: return "O_APPEND";
	case O_NONBLOCK: return "O_NONBLOCK";
	case O_DSYNC: return "O_DSYNC";
	case O_DIRECT: return "O_DIRECT";
	case O_LARGEFILE: return "O_LARGEFILE";
	case O_DIRECTORY: return "O_DIRECTORY";
	case O_NOFOLLOW: return "O_NOFOLLOW";
	case O_NOATIME: return "O_NOATIME";
	case O_PATH: return "O_PATH";
	default: return "no O_ flag";
	}
}

/* ---- SEAL, GET_SEALS, DMA_BEGIN, DMA_END: one buffer per subtest ------- */

static int cur_buf = -1;

static int new_buf(void)
{
	cur_buf = secbuf_alloc(pool_fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
	return cur_buf;
}

static void put_buf(void)
{
	struct secbuf_query q;

	/* No window may be left open by a refused call. */
	secbuf_query(pool_fd, cur_buf, &q);
	igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
	close(cur_buf);
	cur_buf = -1;
	secbuf_pool_assert_idle(pool);
}

static void seal_init(void *arg, int buf)
{
	*(struct secbuf_seal *)arg = (struct secbuf_seal) {
		.buf_fd = (uint32_t)buf,
		.seals = SECBUF_SEAL_GRANT,
	};
}

static void get_seals_init(void *arg, int buf)
{
	*(struct secbuf_seal *)arg = (struct secbuf_seal) {
		.buf_fd = (uint32_t)buf,
	};
}

static void dma_begin_init(void *arg, int buf)
{
	*(struct secbuf_dma_begin *)arg = (struct secbuf_dma_begin) {
		.buf_fd = (uint32_t)buf,
		.flags = SECBUF_DMA_WAIT,
	};
}

static void dma_end_init(void *arg, int buf)
{
	*(struct secbuf_dma_end *)arg = (struct secbuf_dma_end) {
		.buf_fd = (uint32_t)buf,
	};
}

/* DMA_END needs an open window, and DMA_BEGIN's window must be closed. */
static void window_open(void)
{
	struct secbuf_dma_begin arg;

	dma_begin_init(&arg, cur_buf);
	igt_assert_eq(__secbuf_ioctl(pool_fd, SECBUF_IOC_DMA_BEGIN, &arg), 0);
}

static void window_close(void *arg)
{
	struct secbuf_dma_end end;

	(void)arg;
	dma_end_init(&end, cur_buf);
	igt_assert_eq(__secbuf_ioctl(pool_fd, SECBUF_IOC_DMA_END, &end), 0);
}

static unsigned long seal_cmd(size_t sz)
{
	return SECBUF_IOC_NR_SZ(_IOC_NR(SECBUF_IOC_SEAL), sz);
}

static unsigned long get_seals_cmd(size_t sz)
{
	return SECBUF_IOC_NR_SZ(_IOC_NR(SECBUF_IOC_GET_SEALS), sz);
}

static unsigned long dma_begin_cmd(size_t sz)
{
	return SECBUF_IOC_NR_SZ(_IOC_NR(SECBUF_IOC_DMA_BEGIN), sz);
}

static unsigned long dma_end_cmd(size_t sz)
{
	return SECBUF_IOC_NR_SZ(_IOC_NR(SECBUF_IOC_DMA_END), sz);
}

/*
 * The ioctls added with seals and DMA windows, for the checks every one
 * of them gets: struct sizes, pointers, direction; and, where they are not
 * in secbuf_window (SEAL, GET_SEALS), the fd checks.
 */
static const struct new_ioctl {
	const char *name;		/* subtest prefix */
	const char *upper;		/* in descriptions */
	unsigned long (*cmd)(size_t size);
	size_t size;
	void (*init)(void *arg, int buf);	/* a valid argument */
	void (*before)(void);		/* what a valid call needs */
	void (*after)(void *arg);	/* undo a valid call */
	bool fd_checks;
} new_ioctls[] = {
	{ "seal", "SEAL", seal_cmd, sizeof(struct secbuf_seal),
	  seal_init, NULL, NULL, true },
	{ "get-seals", "GET_SEALS", get_seals_cmd, sizeof(struct secbuf_seal),
	  get_seals_init, NULL, NULL, true },
	{ "dma-begin", "DMA_BEGIN", dma_begin_cmd,
	  sizeof(struct secbuf_dma_begin), dma_begin_init, NULL, window_close,
	  false },
	{ "dma-end", "DMA_END", dma_end_cmd, sizeof(struct secbuf_dma_end),
	  dma_end_init, window_open, NULL, false },
};

/* Fds that do not name a secbuf dma-buf of this pool. */
enum bad_fd { BAD_FD_CLOSED, BAD_FD_NOT_DMABUF, BAD_FD_OTHER_EXPORTER,
	      BAD_FD_OTHER_POOL };

static void test_bad_fd(const struct new_ioctl *ni, enum bad_fd kind)
{
	uint64_t arg[8] = { 0 };	/* room for any of the structs */
	struct vgem_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
	int vgem = -1, fd2, other = -1;

	new_buf();
	switch (kind) {
	case BAD_FD_CLOSED:
		other = secbuf_alloc(pool_fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		close(other);
		ni->init(arg, other);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EBADF);
		ni->init(arg, -1);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EBADF);
		other = -1;
		break;
	case BAD_FD_NOT_DMABUF:
		other = open("/dev/null", O_RDWR | O_CLOEXEC);
		igt_assert_fd(other);
		ni->init(arg, other);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EINVAL);
		ni->init(arg, pool_fd);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EINVAL);
		break;
	case BAD_FD_OTHER_EXPORTER:
		vgem = secbuf_open_vgem();
		igt_assert_eq(__vgem_create(vgem, &bo), 0);
		other = prime_handle_to_fd_for_mmap(vgem, bo.handle);
		igt_assert_fd(other);
		ni->init(arg, other);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EINVAL);
		break;
	case BAD_FD_OTHER_POOL:
		fd2 = secbuf_open_pool(secbuf_pool2_name());
		other = secbuf_alloc(fd2, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		ni->init(arg, other);
		assert_fails_cleanly(ni->cmd(ni->size), arg, EINVAL);
		igt_assert_eq_u32(secbuf_get_seals(fd2, other), 0);
		close(other);
		other = -1;
		close(fd2);
		secbuf_pool_assert_idle(secbuf_pool2_name());
		break;
	}
	/* The corrected call works. */
	ni->init(arg, cur_buf);
	if (ni->before)
		ni->before();
	igt_assert_eq(__secbuf_ioctl(pool_fd, ni->cmd(ni->size), arg), 0);
	if (ni->after)
		ni->after(arg);

	if (other >= 0)
		close(other);
	if (bo.handle)
		gem_close(vgem, bo.handle);
	if (vgem >= 0)
		close(vgem);
	put_buf();
}

/* SEAL with @seals fails with EINVAL, adds nothing; SEAL_GRANT then works. */
static void seal_invalid(uint32_t seals)
{
	struct secbuf_seal arg = { .seals = seals };

	arg.buf_fd = (uint32_t)new_buf();
	assert_fails_cleanly(SECBUF_IOC_SEAL, &arg, EINVAL);
	igt_assert_eq_u32(secbuf_get_seals(pool_fd, cur_buf), 0);
	igt_assert_eq_u32(secbuf_seal(pool_fd, cur_buf, SECBUF_SEAL_GRANT),
			  SECBUF_SEAL_GRANT);
	put_buf();
}

/*
 * GRANT bound with @arg fails with exactly @err and leaves no fd; the same
 * argument bound to this process's pidfd then works.
 */
static void grant_pidfd_invalid(struct secbuf_grant arg, int err)
{
	int self;

	assert_fails_cleanly(SECBUF_IOC_GRANT, &arg, err);
	/* Only now: it could take the number of a closed fd @arg names. */
	self = secbuf_pidfd_open(getpid());
	arg.flags = SECBUF_GRANT_PIDFD;
	arg.pidfd = (uint32_t)self;
	igt_assert_eq(__secbuf_grant_full(pool_fd, &arg), 0);
	close((int)arg.fd);
	close(self);
}

static struct secbuf_grant pidfd_grant_arg(int buf, int pidfd)
{
	return (struct secbuf_grant) {
		.buf_fd = (uint32_t)buf,
		.rights = SECBUF_GRANT_READ,
		.flags = SECBUF_GRANT_PIDFD,
		.pidfd = (uint32_t)pidfd,
		.fd_flags = O_CLOEXEC,
	};
}

/*
 * A pidfd of a child that has exited: reaped (@reap) or still a zombie.
 * Returns the pidfd; a zombie is reaped by secbuf_reap_zombie().
 */
static int exited_child_pidfd(bool reap, pid_t *out)
{
	int pfd[2], pidfd, status;
	pid_t pid;
	char c = 0;

	igt_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	pidfd = secbuf_pidfd_open(pid);
	igt_assert_eq(write(pfd[1], &c, 1), 1);
	close(pfd[0]);
	close(pfd[1]);
	if (reap) {
		igt_assert_eq(waitpid(pid, &status, 0), pid);
	} else {
		siginfo_t si = { 0 };

		/* Exited, not reaped: WNOWAIT leaves the zombie. */
		igt_assert_eq(waitid(P_PID, (id_t)pid, &si,
				     WEXITED | WNOWAIT), 0);
		igt_assert_eq(si.si_pid, pid);
	}
	*out = pid;
	return pidfd;
}

igt_main
{
	struct secbuf_pool_info info = { 0 };

	igt_fixture {
		pool = secbuf_pool_name();
		pool_fd = secbuf_open_pool(pool);
		secbuf_pool_info(pool_fd, &info);
	}

	/* ---- SECBUF_IOC_ALLOC: out fields and pad --------------------------- */

	igt_describe("ALLOC with fd (an out field) not 0 on input is EINVAL.");
	igt_subtest("alloc-nonzero-fd") {
		struct secbuf_alloc arg = valid_alloc();

		arg.fd = 1;
		alloc_invalid(arg, valid_alloc(), EINVAL);
		arg.fd = ~0u;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC with id (an out field) not 0 on input is EINVAL.");
	igt_subtest("alloc-nonzero-id") {
		struct secbuf_alloc arg = valid_alloc();

		arg.id = 1;
		alloc_invalid(arg, valid_alloc(), EINVAL);
		arg.id = 1ULL << 63;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC with alloc_size (an out field) not 0 on input is "
		     "EINVAL, even when it equals the size asked for.");
	igt_subtest("alloc-nonzero-alloc-size") {
		struct secbuf_alloc arg = valid_alloc();

		arg.alloc_size = arg.size;
		alloc_invalid(arg, valid_alloc(), EINVAL);
		arg.alloc_size = 1ULL << 63;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC with pad not 0 is EINVAL.");
	igt_subtest("alloc-nonzero-pad") {
		struct secbuf_alloc arg = valid_alloc();

		arg.pad = 1;
		alloc_invalid(arg, valid_alloc(), EINVAL);
		arg.pad = 1u << 31;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	/* ---- SECBUF_IOC_ALLOC: flags, every reserved bit -------------------- */

	for (int bit = 0; bit < 32; bit++) {
		if (SECBUF_ALLOC_VALID_FLAGS & (1u << bit))
			continue;

		igt_describe_f("ALLOC with reserved flags bit %d set is EINVAL.",
			       bit);
		igt_subtest_f("alloc-flags-bit%02d", bit) {
			struct secbuf_alloc arg = valid_alloc();

			arg.flags = 1u << bit;
			alloc_invalid(arg, valid_alloc(), EINVAL);
		}
	}

	igt_describe("ALLOC with every flags bit set is EINVAL.");
	igt_subtest("alloc-flags-all") {
		struct secbuf_alloc arg = valid_alloc();

		arg.flags = ~0u;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	/* ---- SECBUF_IOC_ALLOC: fd_flags ------------------------------------- */

	for (int bit = 0; bit < 32; bit++) {
		uint32_t flag = 1u << bit;

		if ((SECBUF_FD_VALID_FLAGS & flag) || flag == O_WRONLY)
			continue;

		igt_describe_f("ALLOC with fd_flags bit %d (%s), not O_CLOEXEC or "
			       "O_RDWR, is EINVAL.", bit, fd_flag_name(flag));
		igt_subtest_f("alloc-fd-flags-bit%02d", bit) {
			struct secbuf_alloc arg = valid_alloc();

			arg.fd_flags |= flag;
			alloc_invalid(arg, valid_alloc(), EINVAL);
		}
	}

	igt_describe("ALLOC with fd_flags O_WRONLY is EINVAL: a write-only "
		     "buffer cannot be mapped.");
	igt_subtest("alloc-fd-flags-wronly") {
		struct secbuf_alloc arg = valid_alloc();

		arg.fd_flags = O_WRONLY;
		alloc_invalid(arg, valid_alloc(), EINVAL);
		arg.fd_flags = O_WRONLY | O_CLOEXEC;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC with fd_flags O_RDWR | O_WRONLY (access mode 3) is "
		     "EINVAL.");
	igt_subtest("alloc-fd-flags-accmode") {
		struct secbuf_alloc arg = valid_alloc();

		arg.fd_flags = O_ACCMODE | O_CLOEXEC;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC with every fd_flags bit set is EINVAL.");
	igt_subtest("alloc-fd-flags-all") {
		struct secbuf_alloc arg = valid_alloc();

		arg.fd_flags = ~0u;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	/* ---- SECBUF_IOC_ALLOC: sizes ---------------------------------------- */

	igt_describe("ALLOC of size 0 is EINVAL.");
	igt_subtest("alloc-size-zero") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = 0;
		alloc_invalid(arg, valid_alloc(), EINVAL);
	}

	igt_describe("ALLOC of max_buffer_bytes + 1 is EFBIG.");
	igt_subtest("alloc-size-max-plus-one") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = info.max_buffer_bytes + 1;
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	igt_describe("ALLOC of max_buffer_bytes + one page is EFBIG.");
	igt_subtest("alloc-size-max-plus-page") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = info.max_buffer_bytes + secbuf_page_size();
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	igt_describe("ALLOC of U64_MAX bytes is EFBIG (larger than "
		     "max_buffer_bytes; only size 0 is EINVAL).");
	igt_subtest("alloc-size-u64-max") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = UINT64_MAX;
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	igt_describe("ALLOC of a size whose page rounding overflows to 0 "
		     "(U64_MAX - page + 2) is EFBIG, not a zero-sized buffer.");
	igt_subtest("alloc-size-page-align-overflow") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = UINT64_MAX - secbuf_page_size() + 2;
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	igt_describe("ALLOC of 2^63 bytes (negative as a signed size) is EFBIG.");
	igt_subtest("alloc-size-2pow63") {
		struct secbuf_alloc arg = valid_alloc();

		arg.size = 1ULL << 63;
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	igt_describe("ALLOC of 4 GiB + one page is EFBIG: the size is not "
		     "truncated to 32 bits (which would give one page).");
	igt_subtest("alloc-size-4gib-plus-page") {
		struct secbuf_alloc arg = valid_alloc();

		igt_require(info.max_buffer_bytes < (1ULL << 32));
		arg.size = (1ULL << 32) + secbuf_page_size();
		alloc_invalid(arg, valid_alloc(), EFBIG);
	}

	/* ---- SECBUF_IOC_ALLOC: struct sizes --------------------------------- */

	igt_describe("The first version of struct secbuf_alloc (32 bytes, no "
		     "alloc_size) works: fd and id come back, and the kernel "
		     "writes nothing past the 32 bytes.");
	igt_subtest("alloc-struct-ver0") {
		uint8_t buf[64] __attribute__((aligned(8)));
		struct secbuf_alloc *arg = (void *)buf;

		memset(buf, 0xcc, sizeof(buf));
		memset(buf, 0, SECBUF_ALLOC_SIZE_VER0);
		arg->size = 4097;
		arg->fd_flags = O_RDWR | O_CLOEXEC;

		igt_assert_eq(__secbuf_ioctl(pool_fd,
					     SECBUF_IOC_ALLOC_SZ(SECBUF_ALLOC_SIZE_VER0),
					     buf), 0);
		igt_assert_fd((int)arg->fd);
		igt_assert_eq_u64(secbuf_dmabuf_size((int)arg->fd), 2 * secbuf_page_size());
		for (size_t b = SECBUF_ALLOC_SIZE_VER0; b < sizeof(buf); b++)
			igt_assert_f(buf[b] == 0xcc, "byte %zu past the version 0 "
				     "struct was written\n", b);
		close((int)arg->fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A struct secbuf_alloc longer than the kernel's, with "
		     "every extra byte 0, works (sizes up to 4096); the kernel "
		     "leaves the extra bytes and everything after them alone.");
	igt_subtest("alloc-struct-larger-zero-tail") {
		struct secbuf_alloc arg = valid_alloc();

		test_struct_sizes_larger(alloc_cmd, &arg, sizeof(arg), NULL,
					 alloc_larger_after);
	}

	igt_describe("A struct secbuf_alloc longer than the kernel's with a "
		     "nonzero extra byte (the first or the last) is E2BIG.");
	igt_subtest("alloc-struct-larger-nonzero-tail") {
		struct secbuf_alloc arg = valid_alloc();

		test_struct_sizes_nonzero_tail(alloc_cmd, &arg, sizeof(arg));
	}

	igt_describe("A struct secbuf_alloc shorter than the first version "
		     "(0, 8, 16, 24, 31 bytes) is EINVAL.");
	igt_subtest("alloc-struct-too-small") {
		static const size_t sizes[] = { 0, 8, 16, 24, 31 };
		struct secbuf_alloc arg = valid_alloc();

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			assert_fails_cleanly(SECBUF_IOC_ALLOC_SZ(sizes[i]), &arg,
					     EINVAL);
	}

	/* ---- ioctl numbers and pointers ------------------------------------- */

	igt_describe("Unknown secbuf ioctl numbers (0x0a, the first after "
		     "DMA_END, 0x10, 0xff) are ENOTTY.");
	igt_subtest("unknown-ioctl-nr") {
		static const unsigned int nrs[] = { 0x0a, 0x10, 0xff };
		struct secbuf_alloc arg = valid_alloc();

		for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
			assert_fails_cleanly(_IOWR(SECBUF_IOC_MAGIC, nrs[i],
						   struct secbuf_alloc),
					     &arg, ENOTTY);
	}

	igt_describe("ALLOC and POOL_INFO numbers with a wrong direction "
		     "(_IOW, _IOR) are ENOTTY.");
	igt_subtest("wrong-direction") {
		struct secbuf_alloc arg = valid_alloc();
		struct secbuf_pool_info pi = { 0 };

		assert_fails_cleanly(_IOW(SECBUF_IOC_MAGIC, 0x00, struct secbuf_alloc),
				     &arg, ENOTTY);
		assert_fails_cleanly(_IOR(SECBUF_IOC_MAGIC, 0x00, struct secbuf_alloc),
				     &arg, ENOTTY);
		assert_fails_cleanly(_IOW(SECBUF_IOC_MAGIC, 0x01, struct secbuf_pool_info),
				     &pi, ENOTTY);
		assert_fails_cleanly(_IOR(SECBUF_IOC_MAGIC, 0x01, struct secbuf_pool_info),
				     &pi, ENOTTY);
	}

	igt_describe("ioctls of other drivers sent to a pool file "
		     "(DMA_HEAP_IOCTL_ALLOC, DMA_BUF_IOCTL_SYNC, another magic "
		     "with secbuf's number) are ENOTTY.");
	igt_subtest("foreign-ioctl") {
		struct dma_heap_allocation_data heap = {
			.len = SECBUF_SZ_4K,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_RW };
		struct secbuf_alloc arg = valid_alloc();

		assert_fails_cleanly(DMA_HEAP_IOCTL_ALLOC, &heap, ENOTTY);
		assert_fails_cleanly(DMA_BUF_IOCTL_SYNC, &sync, ENOTTY);
		assert_fails_cleanly(_IOWR(SECBUF_IOC_MAGIC + 1, 0x00,
					   struct secbuf_alloc), &arg, ENOTTY);
	}

	igt_describe("ALLOC with an unreadable argument (NULL, a PROT_NONE "
		     "page, a struct running into unmapped memory, a kernel "
		     "address) is EFAULT.");
	igt_subtest("alloc-bad-pointer") {
		struct secbuf_alloc arg = valid_alloc();

		test_bad_pointers(SECBUF_IOC_ALLOC, &arg, sizeof(arg));
	}

	igt_describe("ALLOC with a valid argument in read-only memory is "
		     "EFAULT when the result is written back, and the buffer "
		     "and its fd are gone: nothing half-made.");
	igt_subtest("alloc-readonly-arg") {
		struct secbuf_alloc arg = valid_alloc();
		void *ro = readonly_copy(&arg, sizeof(arg));

		assert_fails_cleanly(SECBUF_IOC_ALLOC, ro, EFAULT);
		munmap(ro, 4096);
	}

	igt_describe("ALLOC when the process has no free fd (RLIMIT_NOFILE) is "
		     "EMFILE and allocates nothing.");
	igt_subtest("alloc-emfile") {
		struct secbuf_alloc arg = valid_alloc();
		struct secbuf_snapshot before;
		struct rlimit old, tight;
		int ret;

		secbuf_snapshot(&before, pool);
		igt_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
		tight = old;
		tight.rlim_cur = before.next_fd;
		igt_assert_eq(setrlimit(RLIMIT_NOFILE, &tight), 0);
		ret = __secbuf_ioctl(pool_fd, SECBUF_IOC_ALLOC, &arg);
		igt_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);

		igt_assert_eq(ret, -EMFILE);
		secbuf_assert_unchanged(&before);
		assert_succeeds(SECBUF_IOC_ALLOC, &arg);
	}

	/* ---- SECBUF_IOC_POOL_INFO ----------------------------------------- */

	for (int bit = 0; bit < 32; bit++) {
		if (SECBUF_POOL_INFO_VALID_FLAGS & (1u << bit))
			continue;

		igt_describe_f("POOL_INFO with reserved flags bit %d set is "
			       "EINVAL.", bit);
		igt_subtest_f("pool-info-flags-bit%02d", bit) {
			struct secbuf_pool_info pi = { .flags = 1u << bit };

			assert_fails_cleanly(SECBUF_IOC_POOL_INFO, &pi, EINVAL);
			pi.flags = 0;
			assert_succeeds(SECBUF_IOC_POOL_INFO, &pi);
		}
	}

	igt_describe("POOL_INFO with pad not 0 is EINVAL.");
	igt_subtest("pool-info-nonzero-pad") {
		struct secbuf_pool_info pi = { .pad = 1 };

		assert_fails_cleanly(SECBUF_IOC_POOL_INFO, &pi, EINVAL);
		pi.pad = 1u << 31;
		assert_fails_cleanly(SECBUF_IOC_POOL_INFO, &pi, EINVAL);
		pi.pad = 0;
		assert_succeeds(SECBUF_IOC_POOL_INFO, &pi);
	}

	igt_describe("POOL_INFO ignores what is in its out fields on input: "
		     "garbage there is overwritten, not refused.");
	igt_subtest("pool-info-out-fields-ignored") {
		struct secbuf_pool_info pi, ref;

		memset(&pi, 0xff, sizeof(pi));
		pi.flags = 0;
		pi.pad = 0;
		secbuf_pool_info(pool_fd, &ref);
		assert_succeeds(SECBUF_IOC_POOL_INFO, &pi);
		igt_assert_eq_u64(pi.total_bytes, ref.total_bytes);
		igt_assert_eq_u64(pi.used_bytes, 0);
		igt_assert_eq_u64(pi.buffer_count, 0);
		igt_assert_eq_u32(pi.file_buffers, 0);
		igt_assert_eq_u64(pi.file_used_bytes, 0);
	}

	igt_describe("A struct secbuf_pool_info longer than the kernel's, with "
		     "every extra byte 0, works; extra bytes and what follows are "
		     "left alone.");
	igt_subtest("pool-info-struct-larger-zero-tail") {
		struct secbuf_pool_info pi = { 0 };

		test_struct_sizes_larger(pool_info_cmd, &pi, sizeof(pi), NULL,
					 NULL);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A struct secbuf_pool_info longer than the kernel's with "
		     "a nonzero extra byte (the first or the last) is E2BIG.");
	igt_subtest("pool-info-struct-larger-nonzero-tail") {
		struct secbuf_pool_info pi = { 0 };

		test_struct_sizes_nonzero_tail(pool_info_cmd, &pi, sizeof(pi));
	}

	igt_describe("A struct secbuf_pool_info shorter than its first version "
		     "(SECBUF_POOL_INFO_SIZE_VER0, 72 bytes; 0, 8 and 8 bytes "
		     "short) is EINVAL.");
	igt_subtest("pool-info-struct-too-small") {
		static const size_t sizes[] = {
			0, 8, SECBUF_POOL_INFO_SIZE_VER0 - 8,
		};
		struct secbuf_pool_info pi = { 0 };

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			assert_fails_cleanly(SECBUF_IOC_POOL_INFO_SZ(sizes[i]), &pi,
					     EINVAL);
	}

	igt_describe("POOL_INFO with an unreadable argument (NULL, a PROT_NONE "
		     "page, a struct running into unmapped memory, a kernel "
		     "address) is EFAULT.");
	igt_subtest("pool-info-bad-pointer") {
		struct secbuf_pool_info pi = { 0 };

		test_bad_pointers(SECBUF_IOC_POOL_INFO, &pi, sizeof(pi));
	}

	igt_describe("POOL_INFO with its argument in read-only memory is "
		     "EFAULT.");
	igt_subtest("pool-info-readonly-arg") {
		struct secbuf_pool_info pi = { 0 };
		void *ro = readonly_copy(&pi, sizeof(pi));

		assert_fails_cleanly(SECBUF_IOC_POOL_INFO, ro, EFAULT);
		munmap(ro, 4096);
	}

	/* ---- SECBUF_IOC_SEAL: seals ------------------------------------------ */

	for (int bit = 0; bit < 32; bit++) {
		if (SECBUF_SEAL_VALID_SEALS & (1u << bit))
			continue;

		igt_describe_f("SEAL with the unknown seal bit %d (next to "
			       "SEAL_GRANT) is EINVAL and adds no seal.", bit);
		igt_subtest_f("seal-seals-bit%02d", bit)
			seal_invalid(SECBUF_SEAL_GRANT | (1u << bit));
	}

	igt_describe("SEAL with no seal (seals 0) is EINVAL.");
	igt_subtest("seal-seals-zero")
		seal_invalid(0);

	igt_describe("SEAL with every bit of seals set is EINVAL and adds none "
		     "of the valid seals among them.");
	igt_subtest("seal-seals-all")
		seal_invalid(~0u);

	/* ---- SECBUF_IOC_GET_SEALS: seals --------------------------------- */

	igt_describe("GET_SEALS with seals (an out field) not 0 on input is "
		     "EINVAL, whatever the value: a valid seal, an unknown bit, "
		     "every bit.");
	igt_subtest("get-seals-nonzero-seals") {
		static const uint32_t values[] = {
			SECBUF_SEAL_WRITE, SECBUF_SEAL_SEAL, 1u << 31, ~0u,
		};
		struct secbuf_seal arg;

		arg.buf_fd = (uint32_t)new_buf();
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			arg.seals = values[i];
			assert_fails_cleanly(SECBUF_IOC_GET_SEALS, &arg, EINVAL);
		}
		arg.seals = 0;
		igt_assert_eq(__secbuf_ioctl(pool_fd, SECBUF_IOC_GET_SEALS,
					     &arg), 0);
		igt_assert_eq_u32(arg.seals, 0);
		put_buf();
	}

	igt_describe("GET_SEALS with its argument in read-only memory is "
		     "EFAULT (the seals cannot be written back).");
	igt_subtest("get-seals-readonly-arg") {
		struct secbuf_seal arg;
		void *ro;

		get_seals_init(&arg, new_buf());
		ro = readonly_copy(&arg, sizeof(arg));
		assert_fails_cleanly(SECBUF_IOC_GET_SEALS, ro, EFAULT);
		munmap(ro, 4096);
		put_buf();
	}

	/* ---- SEAL, GET_SEALS, DMA_BEGIN, DMA_END: sizes, pointers, fds --- */

	for (size_t i = 0; i < sizeof(new_ioctls) / sizeof(new_ioctls[0]); i++) {
		const struct new_ioctl *ni = &new_ioctls[i];

		igt_describe_f("A struct of %s longer than the kernel's, every "
			       "extra byte 0 (sizes up to 4096), works; the "
			       "kernel leaves the extra bytes and what follows "
			       "alone.", ni->upper);
		igt_subtest_f("%s-struct-larger-zero-tail", ni->name) {
			uint64_t arg[8] = { 0 };

			ni->init(arg, new_buf());
			test_struct_sizes_larger(ni->cmd, arg, ni->size,
						 ni->before, ni->after);
			put_buf();
		}

		igt_describe_f("A struct of %s longer than the kernel's with a "
			       "nonzero extra byte (the first or the last) is "
			       "E2BIG.", ni->upper);
		igt_subtest_f("%s-struct-larger-nonzero-tail", ni->name) {
			uint64_t arg[8] = { 0 };

			ni->init(arg, new_buf());
			/* DMA_END: refused for the tail, not for no window. */
			if (ni->before)
				ni->before();
			test_struct_sizes_nonzero_tail(ni->cmd, arg, ni->size);
			if (ni->before)
				window_close(NULL);
			put_buf();
		}

		igt_describe_f("A struct of %s shorter than its first version "
			       "(0 bytes, half of it, one byte short) is EINVAL.",
			       ni->upper);
		igt_subtest_f("%s-struct-too-small", ni->name) {
			size_t sizes[] = { 0, ni->size / 2, ni->size - 1 };
			uint64_t arg[8] = { 0 };

			ni->init(arg, new_buf());
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				assert_fails_cleanly(ni->cmd(sizes[s]), arg, EINVAL);
			put_buf();
		}

		igt_describe_f("%s with an unreadable argument (NULL, a "
			       "PROT_NONE page, a struct running into unmapped "
			       "memory, a kernel address) is EFAULT.", ni->upper);
		igt_subtest_f("%s-bad-pointer", ni->name) {
			uint64_t arg[8] = { 0 };

			ni->init(arg, new_buf());
			test_bad_pointers(ni->cmd(ni->size), arg, ni->size);
			put_buf();
		}

		igt_describe_f("%s's number with a wrong direction (_IOW, _IOR, "
			       "_IO) is ENOTTY.", ni->upper);
		igt_subtest_f("%s-wrong-direction", ni->name) {
			unsigned int nr = _IOC_NR(ni->cmd(ni->size));
			uint64_t arg[8] = { 0 };

			ni->init(arg, new_buf());
			assert_fails_cleanly(_IOC(_IOC_WRITE, SECBUF_IOC_MAGIC, nr,
						  ni->size), arg, ENOTTY);
			assert_fails_cleanly(_IOC(_IOC_READ, SECBUF_IOC_MAGIC, nr,
						  ni->size), arg, ENOTTY);
			assert_fails_cleanly(_IOC(_IOC_NONE, SECBUF_IOC_MAGIC, nr,
						  0), arg, ENOTTY);
			put_buf();
		}

		if (!ni->fd_checks)
			continue;

		igt_describe_f("%s of a closed fd number, or of -1, is EBADF.",
			       ni->upper);
		igt_subtest_f("%s-fd-closed", ni->name)
			test_bad_fd(ni, BAD_FD_CLOSED);

		igt_describe_f("%s of an fd that is not a dma-buf (/dev/null, "
			       "the pool file itself) is EINVAL.", ni->upper);
		igt_subtest_f("%s-fd-not-dmabuf", ni->name)
			test_bad_fd(ni, BAD_FD_NOT_DMABUF);

		igt_describe_f("%s of a dma-buf of another exporter (vgem) is "
			       "EINVAL.", ni->upper);
		igt_subtest_f("%s-fd-other-exporter", ni->name)
			test_bad_fd(ni, BAD_FD_OTHER_EXPORTER);

		igt_describe_f("%s on one pool's file of a buffer of another "
			       "pool is EINVAL.", ni->upper);
		igt_subtest_f("%s-fd-other-pool", ni->name)
			test_bad_fd(ni, BAD_FD_OTHER_POOL);
	}

	/* ---- SECBUF_IOC_GRANT: the pidfd field ---------------------------- */

	igt_describe("GRANT with pidfd set but without SECBUF_GRANT_PIDFD in "
		     "flags is EINVAL, also when pidfd is a real pidfd.");
	igt_subtest("grant-pidfd-without-flag") {
		int buf = new_buf();
		int self = secbuf_pidfd_open(getpid());
		struct secbuf_grant arg = pidfd_grant_arg(buf, self);

		arg.flags = 0;
		grant_pidfd_invalid(arg, EINVAL);
		arg.pidfd = 1;
		grant_pidfd_invalid(arg, EINVAL);
		close(self);
		put_buf();
	}

	igt_describe("GRANT with SECBUF_GRANT_PIDFD and a pidfd that is not an "
		     "open fd (a closed fd number, -1) is EBADF.");
	igt_subtest("grant-pidfd-not-open") {
		int buf = new_buf();
		int closed = secbuf_pidfd_open(getpid());

		close(closed);
		grant_pidfd_invalid(pidfd_grant_arg(buf, closed), EBADF);
		grant_pidfd_invalid(pidfd_grant_arg(buf, -1), EBADF);
		put_buf();
	}

	igt_describe("GRANT with SECBUF_GRANT_PIDFD and an fd that is not a "
		     "pidfd (/dev/null) is EINVAL.");
	igt_subtest("grant-pidfd-not-pidfd-devnull") {
		int buf = new_buf();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		igt_assert_fd(null);
		grant_pidfd_invalid(pidfd_grant_arg(buf, null), EINVAL);
		close(null);
		put_buf();
	}

	igt_describe("GRANT with SECBUF_GRANT_PIDFD and the pool file as pidfd "
		     "is EINVAL.");
	igt_subtest("grant-pidfd-not-pidfd-pool-file") {
		int buf = new_buf();

		grant_pidfd_invalid(pidfd_grant_arg(buf, pool_fd), EINVAL);
		put_buf();
	}

	igt_describe("GRANT with SECBUF_GRANT_PIDFD and a dma-buf (the buffer's "
		     "own fd) as pidfd is EINVAL.");
	igt_subtest("grant-pidfd-not-pidfd-dmabuf") {
		int buf = new_buf();

		grant_pidfd_invalid(pidfd_grant_arg(buf, buf), EINVAL);
		put_buf();
	}

	igt_describe("GRANT bound to the pidfd of a process that has exited "
		     "and been reaped is ESRCH.");
	igt_subtest("grant-pidfd-exited") {
		int buf = new_buf();
		pid_t pid;
		int pidfd = exited_child_pidfd(true, &pid);

		grant_pidfd_invalid(pidfd_grant_arg(buf, pidfd), ESRCH);
		close(pidfd);
		put_buf();
	}

	igt_describe("GRANT bound to the pidfd of a process that has exited "
		     "but is not reaped yet (a zombie) is ESRCH: it has exited.");
	igt_subtest("grant-pidfd-zombie") {
		int buf = new_buf();
		pid_t pid;
		int pidfd = exited_child_pidfd(false, &pid);
		int status;

		grant_pidfd_invalid(pidfd_grant_arg(buf, pidfd), ESRCH);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		close(pidfd);
		put_buf();
	}

	igt_fixture
		close(pool_fd);
}
