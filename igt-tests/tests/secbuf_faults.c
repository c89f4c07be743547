// SPDX-License-Identifier: MIT
/*
 * secbuf_faults: secbuf when things go wrong around it.
 *
 * Allocation failures (inject-*), on lanes that declare the feature
 * "fault-injection" (see igt_stress.h): every allocation a call makes,
 * one at a time, is made to fail with /proc/thread-self/fail-nth (the
 * systematic injection syzkaller uses; failslab and fail_page_alloc armed
 * for GFP_KERNEL and order-0 allocations, probability 0, no messages), for
 * ALLOC, mmap and the page fault, GRANT, a vgem import (attach, pin and
 * the device mapping, which the dma-buf core makes at attach time for a
 * static importer), DMA_BEGIN and the management ioctls; then a seeded
 * random mix with failslab/fail_page_alloc at a probability, task-filter
 * and make-it-fail. Each failed call returns ENOMEM (the only errno an
 * allocation failure may give; the uapi table of ALLOC lists it, see the
 * note at test_sweep()) and leaves nothing behind: no fd, no pool usage,
 * no grant, attachment or DMA window, no module reference; the same call
 * then works. On lanes that declare "kmemleak", each of these subtests
 * ends with a kmemleak scan that must find nothing.
 *
 * Processes killed at the worst time (kill-*, every lane): the owner in a
 * DMA window, in a revocation waiting for a device fence, in the zeroing
 * of a 64 MiB buffer; a holder while it faults; a process holding a vgem
 * import. The system recovers each time and the memory comes back once
 * nothing can reach it.
 *
 * Module unload (unload-*, every lane; secbuf_module checks each single
 * reason an unload is refused): refused with EWOULDBLOCK at every attempt
 * while processes work on the pool, then it works; 20 unload/reload cycles
 * with a round of every feature in between.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "igt_vgem.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Allocation failures injected into every secbuf path "
		     "(clean ENOMEM, nothing leaked, kmemleak clean), "
		     "processes killed mid-window, mid-revoke, mid-zeroing, "
		     "while faulting or holding an import, and module unload "
		     "under load and in a loop.");

#define RW		(SECBUF_GRANT_READ | SECBUF_GRANT_WRITE)

static const char *pool;
static char module_params[1024];

/* ---- Small helpers ---------------------------------------------------------- */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	errno = 0;
}

static int module_refcnt(void)
{
	char buf[32];
	int fd = open("/sys/module/" SECBUF_MODULE_NAME "/refcnt",
		      O_RDONLY | O_CLOEXEC);
	ssize_t n;

	igt_assert_fd(fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	igt_assert(n > 0);
	buf[n] = '\0';
	return atoi(buf);
}

/* Poll until the pool holds nothing, for up to @ms; then assert idle. */
static void wait_pool_idle(unsigned int ms)
{
	uint64_t deadline = secbuf_now_ms() + ms;

	while (secbuf_now_ms() < deadline &&
	       (secbuf_pool_sysfs(pool, "used_bytes") ||
		secbuf_pool_sysfs(pool, "buffers")))
		sleep_ms(10);
	secbuf_pool_assert_idle(pool);
}

static uint32_t grant_count(int fd, int buf, struct secbuf_grant_info *info,
			    uint32_t max)
{
	return secbuf_grant_list(fd, buf, info, max);
}

/*
 * The lane's kmemleak, if it declares one: forget what was reported
 * before the subtest, then check at its end.
 */
static bool kmemleak_begin(void)
{
	if (!secbuf_lane_has_feature("kmemleak"))
		return false;
	igt_assert_f(secbuf_kernel_has_feature("kmemleak"),
		     "the lane declares kmemleak but the kernel has none\n");
	secbuf_kmemleak_clear();
	return true;
}

/* ---- Children that may be killed ------------------------------------------- */

/*
 * Processes this file kills on purpose are plain fork() children, not
 * igt_fork() ones (whose death by a signal fails the subtest). They must
 * not use igt_assert (which would make the child report the subtest):
 * CHILD_CHECK prints and exits with 98.
 */
#define CHILD_CHECK(cond, f, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "child %d, %s:%d: %s: " f "\n", \
				getpid(), __func__, __LINE__, #cond, \
				##__VA_ARGS__); \
			_exit(IGT_EXIT_FAILURE); \
		} \
	} while (0)

static pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	igt_assert(pid >= 0);
	return pid;
}

/* Reap @pid; returns its wait status. Fails after @ms. */
static int reap_within(pid_t pid, unsigned int ms)
{
	uint64_t deadline = secbuf_now_ms() + ms;
	int status;
	pid_t ret;

	while ((ret = waitpid(pid, &status, WNOHANG)) == 0) {
		if (secbuf_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			igt_assert_f(false, "process %d did not exit within %u ms\n",
				     pid, ms);
		}
		sleep_ms(5);
	}
	igt_assert_eq(ret, pid);
	return status;
}

static void assert_exited_ok(pid_t pid, unsigned int ms)
{
	int status = reap_within(pid, ms);

	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child %d: %s %d\n", pid,
		     WIFEXITED(status) ? "exit status" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void assert_killed(pid_t pid, unsigned int ms)
{
	int status = reap_within(pid, ms);

	igt_assert_f(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		     "child %d did not die of SIGKILL (%s %d)\n", pid,
		     WIFEXITED(status) ? "exit status" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void send_byte(int sock, char c)
{
	igt_assert_eq(write(sock, &c, 1), 1);
}

/* A byte from @sock within @ms, or 0 on timeout or EOF. */
static char recv_byte_within(int sock, int ms)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	char c = 0;

	if (poll(&pfd, 1, ms) != 1 || read(sock, &c, 1) != 1)
		return 0;
	return c;
}

static void child_send_byte(int sock, char c)
{
	CHILD_CHECK(write(sock, &c, 1) == 1, "write: %s", strerror(errno));
}

static char child_recv_byte(int sock)
{
	char c = 0;

	CHILD_CHECK(read(sock, &c, 1) == 1, "read: %s", strerror(errno));
	return c;
}

static void child_send_fd(int sock, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	CHILD_CHECK(sendmsg(sock, &mh, 0) == 1, "sendmsg: %s", strerror(errno));
}

static int child_recv_fd(int sock)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int fd = -1;

	CHILD_CHECK(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) == 1, "recvmsg: %s",
		    strerror(errno));
	cmsg = CMSG_FIRSTHDR(&mh);
	CHILD_CHECK(cmsg && cmsg->cmsg_type == SCM_RIGHTS, "no fd");
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

static void socketpair_seqpacket(int sv[2])
{
	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		      0);
}

/* A touch in a child that catches SIGBUS: 0 if it worked, else SIGBUS. */
static sigjmp_buf child_jmp;

static void child_sigbus(int sig)
{
	(void)sig;
	siglongjmp(child_jmp, 1);
}

static int child_touch(volatile uint64_t *p, bool write, uint64_t *value)
{
	struct sigaction sa = { .sa_handler = child_sigbus,
				.sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(child_jmp, 1))
		return SIGBUS;
	if (write)
		*p = *value;
	else
		*value = *p;
	return 0;
}

/* ---- Fault injection: one allocation at a time ----------------------------- */

/*
 * A call under test. call() makes it and returns 0 or -errno; after() runs
 * with nothing armed, checks what the result left behind and undoes a
 * success; @what names it in messages.
 */
struct sweep {
	const char *what;
	int (*call)(struct sweep *s);
	void (*after)(struct sweep *s, int ret);
	/* Whatever the call and its check need. */
	int pool_fd, buf, grant, vgem, pidfd;
	uint64_t size;
	uint32_t handle;
	char *map;
	struct secbuf_snapshot snap;
	uint32_t grants;
	int refcnt;
};

/*
 * Fail the 1st, 2nd, ... allocation the call makes, until it makes fewer
 * than that; returns how many failures were injected.
 *
 * An allocation failure may only ever give ENOMEM. ALLOC's errno table
 * lists it; those of GRANT and DMA_BEGIN (and mmap's, mmap(2)) do not,
 * although both allocate (a handle and a dma-buf; a window, a fence slot
 * and a sync_file): ENOMEM is accepted for them too, and that the table
 * misses it is a documentation gap, reported, not a reason to accept any
 * other errno.
 */
static int test_sweep(struct sweep *s)
{
	struct secbuf_errset ok = {};
	unsigned int nth, left = 0;
	int injected = 0;

	secbuf_errset_add(&ok, 0);
	secbuf_errset_add(&ok, ENOMEM);
	for (nth = 1; nth < 4000; nth++) {
		int ret;

		s->refcnt = module_refcnt();
		secbuf_snapshot(&s->snap, pool);
		secbuf_fail_nth_set(nth);
		ret = s->call(s);
		left = secbuf_fail_nth_get();
		secbuf_fail_nth_clear();

		if (left) {
			/* Fewer allocations than nth: nothing failed. */
			igt_assert_f(ret == 0, "%s with nothing injected: %s\n",
				     s->what, secbuf_errname(ret));
			s->after(s, ret);
			break;
		}
		injected++;
		igt_assert_in_errset(ret, &ok, "%s with its allocation #%u failed",
				     s->what, nth);
		igt_debug("%s: allocation #%u failed: %s\n", s->what, nth,
			  secbuf_errname(ret));
		s->after(s, ret);
	}
	igt_assert_f(left, "%s made more than %u allocations\n", s->what, nth);
	igt_info("%s: %d allocations, each failed once\n", s->what, injected);
	return injected;
}

/* Nothing of a failed call is left: fds, pool usage, module references. */
static void assert_nothing_left(struct sweep *s)
{
	secbuf_assert_unchanged(&s->snap);
	igt_assert_eq(module_refcnt(), s->refcnt);
}

/* ALLOC */

static int call_alloc(struct sweep *s)
{
	struct secbuf_alloc arg = {
		.size = s->size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = __secbuf_ioctl(s->pool_fd, SECBUF_IOC_ALLOC, &arg);

	s->buf = ret ? -1 : (int)arg.fd;
	return ret;
}

static void after_alloc(struct sweep *s, int ret)
{
	char *p;

	if (ret) {
		assert_nothing_left(s);
		return;
	}
	p = secbuf_mmap(s->buf, s->size, PROT_READ | PROT_WRITE);
	secbuf_assert_zero(p, s->size);
	secbuf_fill(p, s->size, s->size);
	secbuf_munmap(p, s->size);
	close(s->buf);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"),
			  s->snap.used_bytes);
}

/* mmap, and the page fault */

/* mmap of a grant, so that GRANT_LIST counts its mappings. */
static int call_mmap(struct sweep *s)
{
	s->map = __secbuf_mmap(s->grant, s->size, 0, PROT_READ | PROT_WRITE,
			       MAP_SHARED);
	return s->map ? 0 : -errno;
}

static uint32_t grant_mappings(struct sweep *s)
{
	struct secbuf_grant_info info[2];

	igt_assert_eq_u32(grant_count(s->pool_fd, s->buf, info, 2), 1);
	return info[0].mappings;
}

static void after_mmap(struct sweep *s, int ret)
{
	if (ret) {
		assert_nothing_left(s);
		igt_assert_eq_u32(grant_mappings(s), 0);
		return;
	}
	igt_assert_eq_u32(grant_mappings(s), 1);
	secbuf_assert_filled(s->map, s->size, 7);
	secbuf_munmap(s->map, s->size);
	igt_assert_eq_u32(grant_mappings(s), 0);
}

static int call_fault(struct sweep *s)
{
	/* A VM_FAULT_OOM is retried by the fault handler's caller. */
	return ((volatile uint64_t *)s->map)[s->size / 16] ==
	       ((volatile uint64_t *)s->map)[s->size / 16] ? 0 : -EIO;
}

/*
 * A mapping at an address no mapping used before (a new GiB each time),
 * so that its first fault must allocate page tables.
 */
static char *map_fresh(struct sweep *s)
{
	static uintptr_t next = 0x200000000000ULL;
	char *p;

	next += 1ULL << 30;
	p = mmap((void *)next, s->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, s->buf, 0);
	igt_assert_f(p == (void *)next, "mmap at %#lx: %s\n",
		     (unsigned long)next, strerror(errno));
	return p;
}

static void after_fault(struct sweep *s, int ret)
{
	(void)ret;
	secbuf_assert_filled(s->map, s->size, 7);
	/* A fresh mapping, so that the next fault is a first one again. */
	secbuf_munmap(s->map, s->size);
	s->map = map_fresh(s);
}

/* GRANT */

static int call_grant(struct sweep *s)
{
	int ret;

	if (s->pidfd >= 0)
		ret = __secbuf_grant_pidfd(s->pool_fd, s->buf,
					   SECBUF_GRANT_READ |
					   SECBUF_GRANT_WRITE |
					   SECBUF_GRANT_DMA,
					   s->pidfd, O_CLOEXEC, &s->grant, NULL);
	else
		ret = __secbuf_grant(s->pool_fd, s->buf,
				     SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				     SECBUF_GRANT_DMA,
				     O_CLOEXEC, &s->grant, NULL);
	return ret;
}

static void after_grant(struct sweep *s, int ret)
{
	struct secbuf_grant_info info[1];
	char *p;

	if (ret) {
		assert_nothing_left(s);
		igt_assert_eq_u32(grant_count(s->pool_fd, s->buf, info, 0),
				  s->grants);
		return;
	}
	igt_assert_eq_u32(grant_count(s->pool_fd, s->buf, info, 0),
			  s->grants + 1);
	p = secbuf_mmap(s->grant, s->size, PROT_READ);
	secbuf_assert_filled(p, s->size, 7);
	secbuf_munmap(p, s->size);
	close(s->grant);
	igt_assert_eq_u32(grant_count(s->pool_fd, s->buf, info, 0), s->grants);
}

/* vgem import: attach, pin, map */

static int call_import(struct sweep *s)
{
	return __secbuf_prime_fd_to_handle(s->vgem, s->grant, &s->handle);
}

static uint32_t grant_attachments(struct sweep *s)
{
	struct secbuf_grant_info info[4];
	uint32_t n = grant_count(s->pool_fd, s->buf, info, 4);

	igt_assert_eq_u32(n, 1);
	return info[0].attachments;
}

static void after_import(struct sweep *s, int ret)
{
	if (ret) {
		assert_nothing_left(s);
		igt_assert_eq_u32(grant_attachments(s), 0);
		return;
	}
	igt_assert_eq_u32(grant_attachments(s), 1);
	gem_close(s->vgem, s->handle);
	igt_assert_eq_u32(grant_attachments(s), 0);
}

/* DMA_BEGIN with a fence */

static int call_dma_begin(struct sweep *s)
{
	return __secbuf_dma_begin(s->pool_fd, s->buf,
				  SECBUF_DMA_WAIT | SECBUF_DMA_FENCE_FD,
				  &s->grant);
}

static void after_dma_begin(struct sweep *s, int ret)
{
	struct secbuf_query q;
	uint64_t t0;

	secbuf_query(s->pool_fd, s->buf, &q);
	if (ret) {
		assert_nothing_left(s);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq(__secbuf_dma_end(s->pool_fd, s->buf), -ENOENT);
		/* No window: the mapping answers at once. */
		t0 = secbuf_now_ms();
		secbuf_assert_filled(s->map, SECBUF_SZ_4K, 7);
		igt_assert_lt_u64(secbuf_now_ms() - t0, 2000);
		return;
	}
	igt_assert_eq_u32(q.state, SECBUF_STATE_DMA);
	igt_assert_eq(sync_fence_status(s->grant), 0);
	secbuf_dma_end(s->pool_fd, s->buf);
	igt_assert_eq(sync_fence_status(s->grant), 1);
	close(s->grant);
}

/* Calls that may not allocate at all; they must work either way. */

static int call_grant_list(struct sweep *s)
{
	struct secbuf_grant_info info[4];
	struct secbuf_grant_list arg = {
		.buf_fd = (uint32_t)s->buf,
		.count = 4,
		.grants = (uintptr_t)info,
		.info_size = sizeof(info[0]),
	};

	return __secbuf_grant_list(s->pool_fd, &arg);
}

static void after_grant_list(struct sweep *s, int ret)
{
	if (ret)
		assert_nothing_left(s);
	igt_assert_eq_u32(grant_count(s->pool_fd, s->buf, NULL, 0), s->grants);
}

static int call_seal_revoke(struct sweep *s)
{
	uint64_t q = 0;
	uint32_t now;
	int ret;

	/* A new buffer each time: seals and revocations are for good. */
	ret = __secbuf_seal(s->pool_fd, s->buf, SECBUF_SEAL_GRANT, &now);
	if (ret)
		return ret;
	return __secbuf_revoke(s->pool_fd, s->buf, 0, &q);
}

static void after_seal_revoke(struct sweep *s, int ret)
{
	struct secbuf_query q;

	secbuf_query(s->pool_fd, s->buf, &q);
	if (ret)
		assert_nothing_left(s);
	else
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
	close(s->buf);
	s->buf = secbuf_alloc(s->pool_fd, s->size, 0, O_RDWR | O_CLOEXEC);
}

static int call_query(struct sweep *s)
{
	struct secbuf_query q;
	uint32_t seals;
	int ret = __secbuf_query(s->pool_fd, s->buf, &q);

	return ret ?: __secbuf_get_seals(s->pool_fd, s->buf, &seals);
}

static void after_query(struct sweep *s, int ret)
{
	if (ret)
		assert_nothing_left(s);
}

/* A buffer of @size filled with seed 7, and its owner's pool file. */
static void sweep_init(struct sweep *s, const char *what, uint64_t size)
{
	char *p;

	memset(s, 0, sizeof(*s));
	s->what = what;
	s->size = size;
	s->pool_fd = secbuf_open_pool(pool);
	s->buf = secbuf_alloc(s->pool_fd, size, 0, O_RDWR | O_CLOEXEC);
	s->grant = -1;
	s->vgem = -1;
	s->pidfd = -1;
	p = secbuf_mmap(s->buf, size, PROT_READ | PROT_WRITE);
	secbuf_fill(p, size, 7);
	secbuf_munmap(p, size);
}

static void sweep_fini(struct sweep *s)
{
	if (s->map)
		secbuf_munmap(s->map, s->size);
	if (s->grant >= 0)
		close(s->grant);
	if (s->vgem >= 0)
		close(s->vgem);
	if (s->pidfd >= 0)
		close(s->pidfd);
	close(s->buf);
	close(s->pool_fd);
	secbuf_pool_assert_idle(pool);
}

static void inject_begin(bool *kmemleak, int *refcnt)
{
	secbuf_require_lane_feature("fault-injection");
	secbuf_fault_setup();
	*kmemleak = kmemleak_begin();
	*refcnt = module_refcnt();
}

static void inject_end(bool kmemleak, int refcnt)
{
	secbuf_fault_restore();
	secbuf_pool_assert_idle(pool);
	igt_assert_eq(module_refcnt(), refcnt);
	if (kmemleak)
		secbuf_kmemleak_check();
}

static void test_inject_alloc(void)
{
	static const struct {
		const char *what;
		uint64_t size;
		bool shared_chunk_exists;
		bool cached;
	} cases[] = {
		{ "ALLOC of 4 KiB, a new shared chunk", SECBUF_SZ_4K, false, false },
		{ "ALLOC of 4 KiB in a shared chunk", SECBUF_SZ_4K, true, false },
		{ "ALLOC of 1 MiB + 1 byte", SECBUF_SZ_1M + 1, false, false },
		{ "ALLOC of 2 MiB", SECBUF_SZ_2M, false, false },
		{ "ALLOC of 2 MiB from the chunk cache", SECBUF_SZ_2M, false, true },
		{ "ALLOC of 6 MiB", 6 * SECBUF_SZ_1M, false, false },
	};
	struct sweep s;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int keep = -1;

		memset(&s, 0, sizeof(s));
		s.what = cases[i].what;
		s.size = cases[i].size;
		s.pool_fd = secbuf_open_pool(pool);
		s.call = call_alloc;
		s.after = after_alloc;
		if (cases[i].shared_chunk_exists)
			keep = secbuf_alloc(s.pool_fd, SECBUF_SZ_4K, 0, O_RDWR);
		/* A freed chunk of the size waits in the cache (if enabled). */
		if (cases[i].cached)
			close(secbuf_alloc(s.pool_fd, s.size, 0, O_RDWR));
		test_sweep(&s);
		if (keep >= 0)
			close(keep);
		close(s.pool_fd);
		secbuf_pool_assert_idle(pool);
	}
	inject_end(kmemleak, refcnt);
}

static void test_inject_mmap(void)
{
	struct sweep s;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	sweep_init(&s, "mmap of a 4 MiB grant", SECBUF_SZ_4M);
	s.grant = secbuf_grant(s.pool_fd, s.buf, RW, NULL);
	s.call = call_mmap;
	s.after = after_mmap;
	test_sweep(&s);
	s.map = NULL;

	s.what = "the first fault of a mapping";
	s.map = map_fresh(&s);
	s.call = call_fault;
	s.after = after_fault;
	test_sweep(&s);
	sweep_fini(&s);
	inject_end(kmemleak, refcnt);
}

static void test_inject_grant(void)
{
	struct sweep s;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	sweep_init(&s, "GRANT", SECBUF_SZ_64K);
	s.call = call_grant;
	s.after = after_grant;
	test_sweep(&s);

	s.what = "GRANT bound with SECBUF_GRANT_PIDFD";
	s.pidfd = secbuf_pidfd_open(getpid());
	test_sweep(&s);

	/* Grants derived from a grant too. */
	s.what = "GRANT from a grant, by the owner";
	s.grants = 1;
	{
		int first = secbuf_grant(s.pool_fd, s.buf, RW | SECBUF_GRANT_DMA,
					 NULL);
		int buf = s.buf;

		close(s.pidfd);
		s.pidfd = -1;
		s.buf = first;
		test_sweep(&s);
		s.buf = buf;
		close(first);
	}
	s.grant = -1;
	sweep_fini(&s);
	inject_end(kmemleak, refcnt);
}

static void test_inject_import(void)
{
	struct sweep s;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	sweep_init(&s, "vgem import of a grant (attach, pin, map)", SECBUF_SZ_1M);
	s.vgem = __secbuf_open_vgem();
	igt_assert_f(s.vgem >= 0, "no vgem device: every lane has one\n");
	s.grant = secbuf_grant(s.pool_fd, s.buf, RW | SECBUF_GRANT_DMA, NULL);
	s.grants = 1;
	s.call = call_import;
	s.after = after_import;
	test_sweep(&s);

	s.what = "vgem import of a 4 MiB buffer's grant";
	close(s.grant);
	close(s.buf);
	s.size = SECBUF_SZ_4M;
	s.buf = secbuf_alloc(s.pool_fd, s.size, 0, O_RDWR | O_CLOEXEC);
	s.grant = secbuf_grant(s.pool_fd, s.buf, SECBUF_GRANT_READ |
			       SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA, NULL);
	test_sweep(&s);
	sweep_fini(&s);
	inject_end(kmemleak, refcnt);
}

static void test_inject_dma_begin(void)
{
	struct sweep s;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	sweep_init(&s, "DMA_BEGIN with a fence", SECBUF_SZ_1M);
	s.map = secbuf_mmap(s.buf, s.size, PROT_READ);
	s.call = call_dma_begin;
	s.after = after_dma_begin;
	test_sweep(&s);
	s.grant = -1;
	sweep_fini(&s);
	inject_end(kmemleak, refcnt);
}

static void test_inject_manage(void)
{
	struct sweep s;
	struct secbuf_mapped_import imp;
	int g1, g2;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	sweep_init(&s, "GRANT_LIST of two grants", SECBUF_SZ_64K);
	g1 = secbuf_grant(s.pool_fd, s.buf, SECBUF_GRANT_READ, NULL);
	g2 = secbuf_grant(s.pool_fd, s.buf, RW, NULL);
	s.grants = 2;
	s.call = call_grant_list;
	s.after = after_grant_list;
	test_sweep(&s);
	close(g1);
	close(g2);

	s.what = "QUERY and GET_SEALS";
	s.call = call_query;
	s.after = after_query;
	test_sweep(&s);

	s.what = "SEAL and REVOKE";
	s.call = call_seal_revoke;
	s.after = after_seal_revoke;
	test_sweep(&s);

	/*
	 * REVOKE into quarantine (a static importer maps the memory: vgem,
	 * or on 7.x, where vgem's import only attaches, the test importer),
	 * and out of it.
	 */
	s.what = "REVOKE of a buffer a static importer maps";
	secbuf_mapped_import(s.buf, &imp);
	s.call = call_seal_revoke;
	s.after = after_seal_revoke;
	test_sweep(&s);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "quarantined_bytes"), s.size);
	secbuf_mapped_import_release(&imp);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "quarantined_bytes"), 0);
	sweep_fini(&s);
	inject_end(kmemleak, refcnt);
}

/*
 * Random failures: failslab and fail_page_alloc at a probability, for this
 * process only (task-filter, make-it-fail), around each call of a seeded
 * sequence. Every result must be the one the state gives, or ENOMEM.
 */
#define RND_BUFS	6

struct rnd_buf {
	int fd;
	uint64_t size;
	char *map;
	int grant;
	uint32_t gem;
	bool revoked, wsealed;
};

/*
 * A new buffer must be zero. If a word is not, say whose it looks like:
 * secbuf_fill() writes (seed + 1) * K ^ index, and this test's seeds are
 * buffer sizes, so the seed and index of a stale word can be recovered.
 */
static void assert_new_buffer_zero(const char *p, uint64_t size)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t inv = k;

	/* Newton's iteration for the inverse of an odd number mod 2^64. */
	for (int i = 0; i < 6; i++)
		inv *= 2 - k * inv;
	for (uint64_t off = 0; off < size; off += 8) {
		uint64_t v = *(const volatile uint64_t *)(p + off);

		if (!v)
			continue;
		for (int64_t d = -4096; d <= 4096; d++) {
			uint64_t idx = off / 8 + (uint64_t)d;
			uint64_t seed = (v ^ idx) * inv - 1;

			if (seed < (1ULL << 32))
				igt_info("offset %#" PRIx64 " holds word %#" PRIx64
					 " of the fill of a %#" PRIx64 "-byte buffer "
					 "(byte offset %#" PRIx64 " there)\n", off,
					 idx, seed, idx * 8);
		}
		igt_assert_f(false, "a new buffer of %#" PRIx64 " bytes holds %#"
			     PRIx64 " at offset %#" PRIx64 ": another buffer's "
			     "bytes, never zeroed\n", size, v, off);
	}
}

static int fail_around(int (*fn)(void *), void *arg)
{
	int ret;

	secbuf_fault_make_it_fail(true);
	ret = fn(arg);
	secbuf_fault_make_it_fail(false);
	return ret;
}

struct rnd_call {
	int pool_fd, vgem;
	struct rnd_buf *b;
	int op;
	uint64_t size;
};

static int rnd_do(void *arg)
{
	struct rnd_call *c = arg;
	struct rnd_buf *b = c->b;
	uint64_t q;
	int ret;

	switch (c->op) {
	case 0: {
		struct secbuf_alloc a = { .size = c->size,
					  .fd_flags = O_RDWR | O_CLOEXEC };

		ret = __secbuf_ioctl(c->pool_fd, SECBUF_IOC_ALLOC, &a);
		b->fd = ret ? -1 : (int)a.fd;
		return ret;
	}
	case 1:
		b->map = __secbuf_mmap(b->fd, b->size, 0, PROT_READ | PROT_WRITE,
				       MAP_SHARED);
		return b->map ? 0 : -errno;
	case 2:
		return __secbuf_grant(c->pool_fd, b->fd, SECBUF_GRANT_READ |
				      SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
				      O_CLOEXEC, &b->grant, NULL);
	case 3:
		return __secbuf_prime_fd_to_handle(c->vgem, b->grant, &b->gem);
	case 4:
		ret = __secbuf_dma_begin(c->pool_fd, b->fd, SECBUF_DMA_STRICT,
					 NULL);
		return ret ?: __secbuf_dma_end(c->pool_fd, b->fd);
	case 5:
		return __secbuf_seal(c->pool_fd, b->fd, SECBUF_SEAL_WRITE, NULL);
	default:
		return __secbuf_revoke(c->pool_fd, b->fd, 0, &q);
	}
}

static void test_inject_random(uint64_t seed)
{
	struct rnd_buf bufs[RND_BUFS];
	struct rnd_call c = { 0 };
	struct secbuf_rng rng;
	unsigned int rounds = (unsigned int)secbuf_env_long("SECBUF_FAULT_ROUNDS",
							    300);
	unsigned int failed = 0;
	bool kmemleak;
	int refcnt;

	inject_begin(&kmemleak, &refcnt);
	secbuf_rng_init(&rng, seed, 0);
	c.pool_fd = secbuf_open_pool(pool);
	c.vgem = __secbuf_open_vgem();
	igt_assert_f(c.vgem >= 0, "no vgem device: every lane has one\n");
	for (int i = 0; i < RND_BUFS; i++)
		bufs[i] = (struct rnd_buf) { .fd = -1, .grant = -1 };
	secbuf_fault_set_probability((unsigned int)secbuf_env_long("SECBUF_FAULT_PERCENT", 10));

	for (unsigned int round = 0; round < rounds; round++) {
		struct rnd_buf *b = &bufs[secbuf_rng_below(&rng, RND_BUFS)];
		struct secbuf_errset ok = {};
		int ret;

		c.b = b;
		secbuf_errset_add(&ok, ENOMEM);
		if (b->fd < 0) {
			c.op = 0;
			c.size = (1 + secbuf_rng_below(&rng, 64)) * SECBUF_SZ_64K;
			secbuf_errset_add(&ok, 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "ALLOC of %" PRIu64, c.size);
			if (!ret) {
				*b = (struct rnd_buf) { .fd = b->fd, .size = c.size,
							.grant = -1 };
				b->map = secbuf_mmap(b->fd, b->size, PROT_READ | PROT_WRITE);
				assert_new_buffer_zero(b->map, b->size);
				secbuf_fill(b->map, b->size, b->size);
			}
			failed += ret != 0;
			continue;
		}

		c.op = 1 + (int)secbuf_rng_below(&rng, 7);
		switch (c.op) {
		case 1:
			/* A second mapping, its first fault under injection. */
			secbuf_errset_add(&ok, b->revoked ? ENODEV :
					  b->wsealed ? EPERM : 0);
			{
				char *old = b->map;

				ret = fail_around(rnd_do, &c);
				igt_assert_in_errset(ret, &ok, "mmap");
				if (!ret) {
					secbuf_fault_make_it_fail(true);
					(void)*(volatile char *)(b->map + b->size / 2);
					secbuf_fault_make_it_fail(false);
					secbuf_assert_filled(b->map, b->size, b->size);
					secbuf_munmap(b->map, b->size);
				}
				b->map = old;
			}
			break;
		case 2:
			if (b->grant >= 0)
				continue;
			secbuf_errset_add(&ok, b->revoked ? ENODEV : 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "GRANT");
			if (ret)
				b->grant = -1;
			break;
		case 3:
			if (b->grant < 0 || b->gem)
				continue;
			/* On 7.x vgem attaches only: no EPERM (igt_secbuf_vgem.h). */
			secbuf_errset_add(&ok, b->revoked ? ENODEV :
					  b->wsealed && secbuf_vgem_import_maps() ?
					  EPERM : 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "vgem import");
			if (ret)
				b->gem = 0;
			break;
		case 4:
			secbuf_errset_add(&ok, b->revoked ? ENODEV :
					  b->wsealed ? EPERM : 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "DMA_BEGIN, DMA_END");
			if (ret == -ENOMEM)
				igt_assert_eq(__secbuf_dma_end(c.pool_fd, b->fd),
					      b->revoked ? -ENODEV : -ENOENT);
			break;
		case 5:
			/* A vgem import is a device writer before 7.0 only. */
			secbuf_errset_add(&ok, b->revoked ? ENODEV :
					  b->gem && !b->wsealed &&
					  secbuf_vgem_import_maps() ? EBUSY : 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "SEAL_WRITE");
			if (!ret)
				b->wsealed = true;
			break;
		case 6:
			secbuf_errset_add(&ok, 0);
			ret = fail_around(rnd_do, &c);
			igt_assert_in_errset(ret, &ok, "REVOKE");
			if (!ret)
				b->revoked = true;
			break;
		default:
			/* Close everything of it. */
			if (b->gem)
				gem_close(c.vgem, b->gem);
			if (b->grant >= 0)
				close(b->grant);
			secbuf_munmap(b->map, b->size);
			close(b->fd);
			*b = (struct rnd_buf) { .fd = -1, .grant = -1 };
			continue;
		}
		failed += ret == -ENOMEM;
		/* What is not revoked still holds its data. */
		if (!b->revoked)
			secbuf_assert_filled(b->map, b->size, b->size);
	}
	secbuf_fault_set_probability(0);
	igt_info("%u calls, %u failed with ENOMEM\n", rounds, failed);

	for (int i = 0; i < RND_BUFS; i++) {
		struct rnd_buf *b = &bufs[i];

		if (b->fd < 0)
			continue;
		if (b->gem)
			gem_close(c.vgem, b->gem);
		if (b->grant >= 0)
			close(b->grant);
		secbuf_munmap(b->map, b->size);
		close(b->fd);
	}
	close(c.vgem);
	close(c.pool_fd);
	igt_assert_f(failed > 0 || !secbuf_env_long("SECBUF_FAULT_PERCENT", 10),
		     "no call failed: nothing was injected\n");
	inject_end(kmemleak, refcnt);
}

/* ---- Killed processes ------------------------------------------------------- */

/*
 * The owner opens a DMA window (@policy) while a holder, which got a grant
 * over a socket and mapped it, touches the buffer; then the owner is
 * killed. Its pool file goes, which revokes the buffer: the window's fence
 * signals ECANCELED, the holder's touch (waiting, for WAIT) ends in
 * SIGBUS, and the memory is back at once although the holder still maps it.
 */
static void test_kill_owner_window(uint32_t policy)
{
	int os[2], hs[2], ps[2];
	pid_t owner, holder;
	int fence;

	socketpair_seqpacket(os);	/* parent <-> owner */
	socketpair_seqpacket(hs);	/* parent <-> holder */
	socketpair_seqpacket(ps);	/* owner -> holder: the grant */

	owner = fork_child();
	if (owner == 0) {
		int fd = __secbuf_open_pool(pool), buf = -1, grant = -1;
		struct secbuf_dma_begin begin = { .flags = policy |
						  SECBUF_DMA_FENCE_FD };
		char *p;

		CHILD_CHECK(fd >= 0, "open: %d", fd);
		CHILD_CHECK(__secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC,
					   &buf) == 0, "alloc");
		p = mmap(NULL, SECBUF_SZ_4M, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		CHILD_CHECK(p != MAP_FAILED, "mmap");
		secbuf_fill(p, SECBUF_SZ_4M, 11);
		munmap(p, SECBUF_SZ_4M);
		CHILD_CHECK(__secbuf_grant(fd, buf, RW, O_CLOEXEC, &grant,
					   NULL) == 0, "grant");
		child_send_fd(ps[0], grant);
		close(grant);
		CHILD_CHECK(child_recv_byte(os[1]) == 'o', "command");
		begin.buf_fd = (uint32_t)buf;
		CHILD_CHECK(__secbuf_dma_begin_full(fd, &begin) == 0, "DMA_BEGIN");
		child_send_fd(os[1], (int)begin.fence_fd);
		pause();
		_exit(0);
	}
	holder = fork_child();
	if (holder == 0) {
		int grant = child_recv_fd(ps[1]);
		volatile uint64_t *p = mmap(NULL, SECBUF_SZ_4M, PROT_READ | PROT_WRITE,
					    MAP_SHARED, grant, 0);
		uint64_t v = 0;
		int sig;

		CHILD_CHECK(p != MAP_FAILED, "mmap of the grant");
		CHILD_CHECK(child_touch(p + 100, false, &v) == 0, "first read");
		child_send_byte(hs[1], 'm');
		CHILD_CHECK(child_recv_byte(hs[1]) == 't', "command");
		child_send_byte(hs[1], 's');
		sig = child_touch(p + 200, false, &v);
		child_send_byte(hs[1], sig == SIGBUS ? 'b' : 'r');
		/* The mapping and fd stay until the parent says so. */
		CHILD_CHECK(child_recv_byte(hs[1]) == 'x', "command");
		munmap((void *)p, SECBUF_SZ_4M);
		close(grant);
		_exit(0);
	}
	close(ps[0]);
	close(ps[1]);

	igt_assert_eq(recv_byte_within(hs[0], 20000), 'm');
	send_byte(os[0], 'o');
	fence = secbuf_recv_fd(os[0]);
	igt_assert_eq(sync_fence_status(fence), 0);
	send_byte(hs[0], 't');
	igt_assert_eq(recv_byte_within(hs[0], 20000), 's');
	if (policy == SECBUF_DMA_WAIT) {
		/* The holder waits in its fault for the window to end. */
		igt_assert_eq(recv_byte_within(hs[0], 300), 0);
	} else {
		igt_assert_eq(recv_byte_within(hs[0], 20000), 'b');
	}

	kill(owner, SIGKILL);
	assert_killed(owner, 20000);
	if (policy == SECBUF_DMA_WAIT)
		igt_assert_f(recv_byte_within(hs[0], 5000) == 'b',
			     "the waiting fault did not end in SIGBUS\n");
	igt_assert_eq(sync_fence_wait(fence, 5000), 0);
	igt_assert_eq(sync_fence_status(fence), -ECANCELED);
	close(fence);
	/* Nothing reaches the memory any more: back in the pool already. */
	wait_pool_idle(5000);

	send_byte(hs[0], 'x');
	assert_exited_ok(holder, 20000);
	close(os[0]);
	close(os[1]);
	close(hs[0]);
	close(hs[1]);
	secbuf_pool_assert_idle(pool);
}

/* The state letter of /proc/<pid>/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * The owner revokes a buffer a vgem import holds with an unsignaled write
 * fence, so REVOKE waits (revoke_timeout_ms, set to 3 s) in an
 * uninterruptible sleep; the owner is killed meanwhile. It dies once the
 * wait ends, the buffer is revoked and quarantined while vgem maps it, and
 * the memory comes back when vgem lets go.
 */
static void test_kill_owner_revoke(void)
{
	const unsigned int timeout_ms = 3000;
	int os[2], vgem, dmabuf, fd;
	uint32_t handle, fence;
	uint64_t t0, dt;
	pid_t owner;

	secbuf_param_set("revoke_timeout_ms", timeout_ms);
	vgem = __secbuf_open_vgem();
	igt_assert_f(vgem >= 0, "no vgem device: every lane has one\n");
	socketpair_seqpacket(os);

	owner = fork_child();
	if (owner == 0) {
		int pfd = __secbuf_open_pool(pool), buf = -1;
		uint64_t q;

		CHILD_CHECK(pfd >= 0, "open");
		CHILD_CHECK(__secbuf_alloc(pfd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC,
					   &buf) == 0, "alloc");
		child_send_fd(os[1], buf);
		CHILD_CHECK(child_recv_byte(os[1]) == 'r', "command");
		child_send_byte(os[1], 's');
		(void)__secbuf_revoke(pfd, buf, 0, &q);
		/* Never here: killed inside REVOKE. */
		child_send_byte(os[1], 'd');
		pause();
		_exit(0);
	}
	dmabuf = secbuf_recv_fd(os[0]);
	handle = prime_fd_to_handle(vgem, dmabuf);
	close(dmabuf);
	fence = vgem_fence_attach(vgem,
				  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);

	send_byte(os[0], 'r');
	igt_assert_eq(recv_byte_within(os[0], 20000), 's');
	/* Inside REVOKE, waiting for the fence: an uninterruptible sleep. */
	t0 = secbuf_now_ms();
	while (proc_state(owner) != 'D') {
		igt_assert_f(secbuf_now_ms() - t0 < timeout_ms - 500,
			     "the owner never slept in REVOKE (state %c)\n",
			     proc_state(owner));
		sleep_ms(5);
	}
	t0 = secbuf_now_ms();
	kill(owner, SIGKILL);
	assert_killed(owner, timeout_ms + 20000);
	dt = secbuf_now_ms() - t0;
	igt_info("the owner died %" PRIu64 " ms after SIGKILL (revoke_timeout_ms "
		 "%u)\n", dt, timeout_ms);
	igt_assert_eq(recv_byte_within(os[0], 0), 0);

	/*
	 * Revoked (by REVOKE or by the pool file going), and quarantined: vgem's
	 * write fence is still pending (and before 7.0 vgem also maps it).
	 */
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "quarantined_bytes"), SECBUF_SZ_2M);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), SECBUF_SZ_2M);
	/* vgem signals its own fence after 10 s; either way is fine. */
	(void)__vgem_fence_signal(vgem, fence);
	gem_close(vgem, handle);
	close(vgem);
	wait_pool_idle(5000);

	/* The pool works afterwards. */
	fd = secbuf_open_pool(pool);
	close(secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR));
	close(fd);
	close(os[0]);
	close(os[1]);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/* Milliseconds one ALLOC of @size takes in this process. */
static uint64_t time_alloc(int fd, uint64_t size)
{
	uint64_t t0 = secbuf_now_ms();
	int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
	uint64_t dt = secbuf_now_ms() - t0;

	close(buf);
	return dt;
}

/*
 * Allocate 64 MiB, check it is zero (it is the next buffer on memory a
 * killed allocation had, or a previous owner's), fill it with a pattern
 * and free it: the next 64 MiB allocation gets that memory dirty.
 */
static void dirty_64m(int fd)
{
	int buf = secbuf_alloc(fd, SECBUF_SZ_64M, 0, O_RDWR | O_CLOEXEC);
	char *p = secbuf_mmap(buf, SECBUF_SZ_64M, PROT_READ | PROT_WRITE);

	secbuf_assert_zero(p, SECBUF_SZ_64M);
	secbuf_fill(p, SECBUF_SZ_64M, 0xdead);
	secbuf_munmap(p, SECBUF_SZ_64M);
	close(buf);
}

/*
 * A 64 MiB allocation on dirty memory zeroes 16384 pages inline (the chunk
 * cache off), or takes a cached chunk the worker has not zeroed yet and
 * zeroes it inline (the cache on, the allocation right after a free). Kill
 * the allocating process at delays spread over that time: it dies at once
 * (zeroing checks for a fatal signal every MiB), nothing is left, and the
 * next buffer on that memory is zero, never the previous owner's pattern.
 */
static void test_kill_zeroing(void)
{
	const int rounds_per_mode = 3;
	int fd = secbuf_open_pool(pool);
	struct secbuf_pool_info info;
	unsigned int in_flight = 0, rounds = 0;
	uint64_t zeroing;

	secbuf_pool_info(fd, &info);
	igt_require_f(info.max_buffer_bytes >= SECBUF_SZ_64M &&
		      info.largest_free_bytes >= SECBUF_SZ_64M,
		      "needs a pool with room for 64 MiB\n");

	/* How long the zeroing takes here, the cache off. */
	secbuf_param_set("cache_max_bytes", 0);
	dirty_64m(fd);
	zeroing = time_alloc(fd, SECBUF_SZ_64M);
	igt_info("a 64 MiB ALLOC on dirty memory takes %" PRIu64 " ms\n",
		 zeroing);

	for (int cache = 0; cache < 2; cache++) {
		secbuf_param_set("cache_max_bytes", cache ? SECBUF_SZ_64M : 0);
		for (int i = 0; i < rounds_per_mode; i++) {
			int pfd[2];
			pid_t pid;
			char c;

			dirty_64m(fd);
			igt_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
			pid = fork_child();
			if (pid == 0) {
				int buf;

				child_send_byte(pfd[1], 's');
				if (__secbuf_alloc(fd, SECBUF_SZ_64M, 0, O_RDWR, &buf) == 0)
					child_send_byte(pfd[1], 'd');
				pause();
				_exit(0);
			}
			close(pfd[1]);
			igt_assert_eq(read(pfd[0], &c, 1), 1);
			/* A quarter, a half, three quarters into the zeroing. */
			sleep_ms((unsigned int)(zeroing * (i + 1) / 4));
			kill(pid, SIGKILL);
			assert_killed(pid, 20000);
			if (read(pfd[0], &c, 1) != 1)
				in_flight++;
			close(pfd[0]);
			rounds++;
			wait_pool_idle(5000);
		}
	}
	/* The memory of the last killed allocation, zero. */
	dirty_64m(fd);
	igt_info("%u of %u kills landed inside ALLOC\n", in_flight, rounds);
	igt_assert_f(in_flight * 2 >= rounds,
		     "only %u of %u kills landed inside ALLOC: the timing "
		     "missed the zeroing\n", in_flight, rounds);
	close(fd);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/*
 * A holder maps a 16 MiB grant again and again and faults every page in;
 * it is killed at seeded random moments. The owner's buffer is untouched,
 * the grant's handle goes with the holder, nothing else changes.
 */
static void test_kill_holder_faulting(uint64_t seed)
{
	const uint64_t size = 16 * SECBUF_SZ_1M;
	int fd = secbuf_open_pool(pool);
	int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
	char *p = secbuf_mmap(buf, size, PROT_READ | PROT_WRITE);
	struct secbuf_rng rng;

	secbuf_rng_init(&rng, seed, 0);
	secbuf_fill(p, size, 5);
	for (int round = 0; round < 10; round++) {
		int grant = secbuf_grant(fd, buf, RW, NULL);
		int pfd[2];
		pid_t pid;
		char c;

		igt_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
		pid = fork_child();
		if (pid == 0) {
			child_send_byte(pfd[1], 's');
			for (;;) {
				volatile uint64_t *m = mmap(NULL, size,
					PROT_READ | PROT_WRITE, MAP_SHARED, grant, 0);

				CHILD_CHECK(m != MAP_FAILED, "mmap");
				for (size_t i = 0; i < size / 8; i += 512) {
					uint64_t v = m[i];

					m[i] = v;
				}
				munmap((void *)m, size);
			}
		}
		close(grant);
		close(pfd[1]);
		igt_assert_eq(read(pfd[0], &c, 1), 1);
		sleep_ms(10 + (unsigned int)secbuf_rng_below(&rng, 300));
		kill(pid, SIGKILL);
		assert_killed(pid, 20000);
		close(pfd[0]);

		/* Its grant went with it; the buffer did not change. */
		igt_assert_eq_u32(grant_count(fd, buf, NULL, 0), 0);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), size);
		secbuf_assert_filled(p, size, 5);
	}
	secbuf_munmap(p, size);
	close(buf);
	close(fd);
	secbuf_pool_assert_idle(pool);
}

/*
 * A process holds a vgem import of a grant. (1) The owner revokes: the
 * memory is quarantined while the import lives; SIGKILL the holder and it
 * comes back. (2) Kill the holder first: the import goes with its vgem
 * file, and the owner's buffer lives on as before. On 7.x vgem's import
 * only attaches (igt_secbuf_vgem.h), so the holder also has the test importer's
 * static import, which maps: the quarantine is then that mapping's.
 */
static void test_kill_vgem_holder(void)
{
	/* vgem's attachment, and on 7.x the static importer's. */
	uint32_t attachments = secbuf_vgem_import_maps() ? 1 : 2;

	for (int revoke_first = 1; revoke_first >= 0; revoke_first--) {
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					 SECBUF_GRANT_WRITE |
					 SECBUF_GRANT_DMA, NULL);
		struct secbuf_grant_info info[1];
		int pfd[2];
		pid_t pid;
		char c;

		igt_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
		pid = fork_child();
		if (pid == 0) {
			int vgem = __secbuf_open_vgem();
			uint32_t handle;

			CHILD_CHECK(vgem >= 0, "no vgem");
			CHILD_CHECK(__secbuf_prime_fd_to_handle(vgem, grant, &handle) == 0,
				    "import");
			if (!secbuf_vgem_import_maps()) {
				struct secbuf_mapped_import imp;
				int ret = __secbuf_mapped_import(grant, &imp);

				CHILD_CHECK(ret == 0, "%s import: %s",
					    secbuf_mapped_importer_name(),
					    strerror(-ret));
			}
			close(grant);
			child_send_byte(pfd[1], 'i');
			pause();
			_exit(0);
		}
		close(grant);
		close(pfd[1]);
		igt_assert_eq(read(pfd[0], &c, 1), 1);
		igt_assert_eq_u32(grant_count(fd, buf, info, 1), 1);
		igt_assert_eq_u32(info[0].attachments, attachments);

		if (revoke_first) {
			igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), SECBUF_SZ_4M);
			igt_assert_eq_u64(secbuf_pool_sysfs(pool, "quarantined_bytes"),
					  SECBUF_SZ_4M);
			kill(pid, SIGKILL);
			assert_killed(pid, 20000);
			/* The vgem file goes with the process, the import with it. */
			wait_pool_idle(10000);
		} else {
			kill(pid, SIGKILL);
			assert_killed(pid, 20000);
			/* Its last reference may go a little after the exit. */
			for (int i = 0; i < 500 && grant_count(fd, buf, NULL, 0); i++)
				sleep_ms(10);
			igt_assert_eq_u32(grant_count(fd, buf, NULL, 0), 0);
			igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), SECBUF_SZ_4M);
			igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		}
		close(pfd[0]);
		close(buf);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}

/* ---- Module unload ---------------------------------------------------------- */

static void reload_exit_handler(int sig)
{
	(void)sig;
	if (!secbuf_module_is_loaded() &&
	    secbuf_module_reload(module_params, pool))
		fprintf(stderr, "could not reload %s\n", secbuf_module_path());
}

static void require_module(void)
{
	igt_require_f(geteuid() == 0, "needs CAP_SYS_MODULE\n");
	igt_require_f(access(secbuf_module_path(), R_OK) == 0,
		      "no %s to load the module again from (set SECBUF_KO)\n",
		      secbuf_module_path());
	secbuf_module_params(module_params, sizeof(module_params));
	igt_install_exit_handler(reload_exit_handler);
}

/* A round of everything on a fresh pool file; everything closed after. */
static void one_of_everything(int vgem, uint64_t seed)
{
	int fd = secbuf_open_pool(pool), heap, hbuf;
	int a = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
	int b = secbuf_alloc(fd, 3 * SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
	int g = secbuf_grant(fd, b, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
			     SECBUF_GRANT_DMA, NULL);
	char *pa = secbuf_mmap(a, SECBUF_SZ_4K, PROT_READ | PROT_WRITE);
	char *pb = secbuf_mmap(b, 3 * SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
	struct secbuf_mapped_import imp = { .vgem = -1, .sti = -1 };
	uint32_t handle;
	int fence;

	secbuf_assert_zero(pa, SECBUF_SZ_4K);
	secbuf_assert_zero(pb, 3 * SECBUF_SZ_1M);
	secbuf_fill(pa, SECBUF_SZ_4K, seed);
	secbuf_fill(pb, 3 * SECBUF_SZ_1M, seed + 1);
	handle = prime_fd_to_handle(vgem, g);
	/* On 7.x vgem only attaches: a static importer maps (igt_secbuf_vgem.h). */
	if (!secbuf_vgem_import_maps())
		secbuf_mapped_import(g, &imp);
	fence = secbuf_dma_begin(fd, a, SECBUF_DMA_STRICT | SECBUF_DMA_FENCE_FD);
	secbuf_dma_end(fd, a);
	igt_assert_eq(sync_fence_status(fence), 1);
	close(fence);
	secbuf_seal(fd, a, SECBUF_SEAL_WRITE | SECBUF_SEAL_GRANT);
	/* Quarantined while a device maps it, freed when it lets go. */
	igt_assert_eq_u64(secbuf_revoke(fd, b, 0), 3 * SECBUF_SZ_1M);
	gem_close(vgem, handle);
	secbuf_mapped_import_release(&imp);
	heap = secbuf_open_heap(pool);
	hbuf = secbuf_heap_alloc(heap, SECBUF_SZ_64K, O_RDWR | O_CLOEXEC, 0);
	close(hbuf);
	close(heap);
	secbuf_assert_filled(pa, SECBUF_SZ_4K, seed);
	secbuf_munmap(pa, SECBUF_SZ_4K);
	secbuf_munmap(pb, 3 * SECBUF_SZ_1M);
	close(g);
	close(a);
	close(b);
	close(fd);
	secbuf_pool_assert_idle(pool);
}

static void assert_unloaded(void)
{
	char path[256];

	igt_assert(!secbuf_module_is_loaded());
	snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool);
	for (int i = 0; i < 200 && access(path, F_OK) == 0; i++)
		sleep_ms(10);
	igt_assert_eq(__secbuf_open_pool(pool), -ENOENT);
}

/*
 * Processes allocate, map, grant, import, revoke and close, and open new
 * pool files, while the test keeps trying to unload the module: refused
 * (EWOULDBLOCK) every time, and nothing they do fails. Once they are gone,
 * the unload works and the module loads again.
 */
static void test_unload_under_load(uint64_t seed)
{
	double seconds = secbuf_stress_seconds(6);
	volatile int *stop = secbuf_shared_alloc(4096);
	int vgem = __secbuf_open_vgem(), refused = 0;
	uint64_t deadline;

	igt_assert_f(vgem >= 0, "no vgem device: every lane has one\n");
	igt_fork(child, 2) {
		struct secbuf_rng rng;
		int fd = secbuf_open_pool(pool);
		unsigned int n = 0;

		secbuf_rng_init(&rng, seed, child + 1);
		/* Loaded from here on: the parent may start unloading. */
		__atomic_fetch_add(&stop[1], 1, __ATOMIC_SEQ_CST);
		while (!*stop) {
			uint64_t size = (1 + secbuf_rng_below(&rng, 32)) * SECBUF_SZ_64K;
			int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
			int g = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					     SECBUF_GRANT_WRITE |
					     SECBUF_GRANT_DMA, NULL);
			char *p = secbuf_mmap(g, size, PROT_READ);

			secbuf_assert_zero(p, size);
			if (secbuf_rng_chance(&rng, 30))
				gem_close(vgem, prime_fd_to_handle(vgem, g));
			if (secbuf_rng_chance(&rng, 50))
				secbuf_revoke(fd, buf, 0);
			secbuf_munmap(p, size);
			close(g);
			close(buf);
			/*
			 * A new pool file now and then: open races unload
			 * too. The old one goes after, so the module is never
			 * free to go while the workers run.
			 */
			if (secbuf_rng_chance(&rng, 20)) {
				int next = secbuf_open_pool(pool);

				close(fd);
				fd = next;
			}
			n++;
		}
		close(fd);
		igt_info("worker %d: %u rounds\n", child, n);
	}

	/*
	 * Not before both workers hold a pool file: until then nothing
	 * keeps the module, and an unload would (rightly) succeed.
	 */
	deadline = secbuf_now_ms() + 30000;
	while (__atomic_load_n(&stop[1], __ATOMIC_SEQ_CST) < 2) {
		igt_assert_f(secbuf_now_ms() < deadline,
			     "the workers did not start within 30 s\n");
		sleep_ms(5);
	}

	deadline = secbuf_now_ms() + (uint64_t)(seconds * 1000);
	while (secbuf_now_ms() < deadline) {
		int ret = __secbuf_module_unload();

		igt_assert_f(ret == -EWOULDBLOCK, "unload under load: %s\n",
			     secbuf_errname(ret));
		igt_assert(secbuf_module_is_loaded());
		refused++;
		sleep_ms(20);
	}
	*stop = 1;
	igt_waitchildren();
	close(vgem);
	secbuf_shared_free((void *)stop, 4096);
	igt_info("%d unloads refused under load\n", refused);

	secbuf_pool_assert_idle(pool);
	igt_assert_eq(__secbuf_module_unload(), 0);
	assert_unloaded();
	igt_assert_eq(secbuf_module_reload(module_params, pool), 0);
	secbuf_pool_assert_idle(pool);
}

static void test_unload_reload_loop(uint64_t seed)
{
	int cycles = (int)secbuf_env_long("SECBUF_RELOAD_CYCLES", 20);

	for (int i = 0; i < cycles; i++) {
		int vgem = __secbuf_open_vgem();

		igt_assert_f(vgem >= 0, "no vgem device: every lane has one\n");
		one_of_everything(vgem, seed + i);
		close(vgem);
		igt_assert_f(__secbuf_module_unload() == 0,
			     "cycle %d: unload refused with nothing open\n", i);
		assert_unloaded();
		igt_assert_eq(secbuf_module_reload(module_params, pool), 0);
		secbuf_pool_assert_idle(pool);
	}
	igt_info("%d unload/reload cycles\n", cycles);
}

igt_main
{
	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("ALLOC (a new or an existing shared chunk, 1 MiB, 2 MiB, "
		     "from the chunk cache, 6 MiB) with each of its allocations "
		     "failed in turn: ENOMEM, no fd, no pool usage, no module "
		     "reference; a success is zeroed; kmemleak clean.");
	igt_subtest("inject-alloc")
		test_inject_alloc();

	igt_describe("mmap of a buffer and its first page fault with each "
		     "allocation failed in turn: mmap is ENOMEM with nothing "
		     "mapped, the fault is retried and reads the right data.");
	igt_subtest("inject-mmap-fault")
		test_inject_mmap();

	igt_describe("GRANT, bound to a pidfd or not, and from a grant, with "
		     "each allocation failed in turn: ENOMEM, no fd, no grant "
		     "in GRANT_LIST; a success maps.");
	igt_subtest("inject-grant")
		test_inject_grant();

	igt_describe("A vgem import of a grant (dma-buf attach, pin and the "
		     "device mapping made at attach time) with each allocation "
		     "failed in turn: ENOMEM, no attachment left in GRANT_LIST, "
		     "no reference left. On 7.x vgem's import only attaches, "
		     "so only the attach's allocations are failed there.");
	igt_subtest("inject-vgem-import")
		test_inject_import();

	igt_describe("DMA_BEGIN with a fence with each allocation failed in "
		     "turn: ENOMEM leaves no window open (QUERY LIVE, DMA_END "
		     "ENOENT, mappings answer at once) and no fd.");
	igt_subtest("inject-dma-begin")
		test_inject_dma_begin();

	igt_describe("GRANT_LIST, QUERY, GET_SEALS, SEAL and REVOKE (also into "
		     "quarantine) with each allocation they make failed in turn.");
	igt_subtest("inject-manage")
		test_inject_manage();

	igt_describe("A seeded sequence of alloc, mmap and fault, grant, vgem "
		     "import, DMA window, seal and revoke with 10% of this "
		     "process's allocations failing (failslab, fail_page_alloc, "
		     "task-filter, make-it-fail): each result is the expected "
		     "one or ENOMEM, data stays intact, nothing is left.");
	igt_subtest("inject-random")
		test_inject_random(secbuf_stress_seed());

	igt_describe("The owner is SIGKILLed while a WAIT window is open and a "
		     "holder's fault waits for it: the fault ends in SIGBUS, "
		     "the fence signals ECANCELED, the memory is back although "
		     "the holder still maps the grant.");
	igt_subtest("kill-owner-mid-window-wait")
		test_kill_owner_window(SECBUF_DMA_WAIT);

	igt_describe("The same with a STRICT window (the holder's touch is "
		     "SIGBUS at once).");
	igt_subtest("kill-owner-mid-window-strict")
		test_kill_owner_window(SECBUF_DMA_STRICT);

	igt_describe("The owner is SIGKILLed inside REVOKE while it waits for "
		     "a vgem fence (uninterruptibly, revoke_timeout_ms): it dies "
		     "when the wait ends, the buffer stays quarantined while "
		     "vgem's fence is pending (and before 7.0 while vgem maps "
		     "it) and comes back when vgem lets go.");
	igt_subtest("kill-owner-mid-revoke")
		test_kill_owner_revoke();

	igt_describe("A process allocating 64 MiB is SIGKILLed at delays spread "
		     "over the zeroing (chunk cache off and on): it dies, "
		     "nothing is left, and the next 64 MiB on that memory is "
		     "zero.");
	igt_subtest("kill-owner-mid-zeroing")
		test_kill_zeroing();

	igt_describe("A holder faulting a 16 MiB grant in, over and over, is "
		     "SIGKILLed at random moments: its grant goes, the owner's "
		     "data and the pool's usage do not change.");
	igt_subtest("kill-holder-while-faulting")
		test_kill_holder_faulting(secbuf_stress_seed());

	igt_describe("A process holding a vgem import of a grant is SIGKILLed, "
		     "after a revocation (the quarantine ends) and before one "
		     "(the import goes, the buffer lives). Before 7.0 vgem's "
		     "import maps the buffer and is the quarantine; on 7.x it "
		     "only attaches, so the process also holds the test "
		     "importer's static import, which maps.");
	igt_subtest("kill-vgem-holder")
		test_kill_vgem_holder();

	igt_describe("Module unload is refused (EWOULDBLOCK) at every attempt "
		     "while processes allocate, map, grant, import, revoke and "
		     "open pool files, none of which fails; once they are done "
		     "it unloads and loads again.");
	igt_subtest("unload-under-load") {
		require_module();
		test_unload_under_load(secbuf_stress_seed());
	}

	igt_describe("20 unload/reload cycles, each after a round of every "
		     "feature (buffers, mmap, grant, vgem import, DMA window, "
		     "seals, quarantine, dma-heap) that leaves the pool idle. "
		     "The quarantine is vgem's mapping before 7.0; on 7.x, "
		     "where vgem's import only attaches, the test importer's "
		     "static import's.");
	igt_subtest("unload-reload-loop") {
		require_module();
		test_unload_reload_loop(secbuf_stress_seed());
	}
}
