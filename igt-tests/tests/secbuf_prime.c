// SPDX-License-Identifier: MIT
/*
 * secbuf_prime: secbuf buffers in DRM, through libdrm and vgem, the way a
 * GPU driver's userspace uses them. drmPrimeFDToHandle imports a secbuf
 * dma-buf, drmPrimeHandleToFD gives back the very same dma-buf; vgem will
 * not mmap an import, so the CPU goes through secbuf's own fds. vgem's
 * fences (VGEM_FENCE_ATTACH) land on secbuf's reservation object, shared by
 * every handle of the buffer, and the dma-buf interface must honour them:
 * DMA_BUF_IOCTL_SYNC waits, poll() reports, EXPORT_SYNC_FILE hands them
 * out, IMPORT_SYNC_FILE adds them to another buffer.
 *
 * The CPU fault path (a fault waits for an importer's fence) is tested by
 * secbuf_window's vgem-* subtests.
 *
 * A call that must block runs in a child: the child announces itself, then
 * makes the call. It counts as blocked once BLOCK_MS have passed without a
 * result and /proc/<pid>/syscall shows it asleep in that very system call;
 * after the fence is signaled its result must come within PROMPT_MS, well
 * before vgem would have signaled the fence itself (10 s).
 *
 * vgem must be there: a missing vgem fails every subtest (after a
 * "modprobe vgem"), it never skips.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "igt.h"
#include "dmabuf_sync_file.h"
#include "igt_drm.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("secbuf buffers imported into vgem with libdrm's PRIME "
		     "calls: the same dma-buf comes back, vgem refuses to "
		     "mmap imports, and vgem's fences on secbuf's reservation "
		     "object hold back DMA_BUF_IOCTL_SYNC, show in poll(), "
		     "and travel as sync_files (export and import).");

#define BUF_SIZE	SECBUF_SZ_1M

/* A call that has not returned after BLOCK_MS is taken as blocked. */
#define BLOCK_MS	250
/* What must not block, or was just released, must be done by then. */
#define PROMPT_MS	5000
/* Bound on anything that must happen at all; TCG guests are slow. */
#define REPLY_MS	20000
/* vgem signals a fence itself 10 s after VGEM_FENCE_ATTACH. */
#define VGEM_TIMEOUT_MS	10000

#define FENCE_READ	0
#define FENCE_WRITE	VGEM_FENCE_WRITE

static const char *pool;
static int fd = -1;

/* ---- Buffers and imports ---------------------------------------------- */

/* A buffer of BUF_SIZE from the pool file, filled with @seed's pattern. */
static int alloc_filled(uint64_t seed)
{
	int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
	char *ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);

	secbuf_fill(ptr, BUF_SIZE, seed);
	secbuf_munmap(ptr, BUF_SIZE);
	return buf;
}

/* @a and @b are the same open dma-buf: the same inode of the dma-buf fs. */
static void assert_same_dmabuf(int a, int b)
{
	struct stat sa, sb;

	igt_assert_eq(fstat(a, &sa), 0);
	igt_assert_eq(fstat(b, &sb), 0);
	igt_assert_f(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino,
		     "fd %d is inode %ju, fd %d inode %ju: not the same "
		     "dma-buf\n", a, (uintmax_t)sa.st_ino, b,
		     (uintmax_t)sb.st_ino);
}

static void assert_other_dmabuf(int a, int b)
{
	struct stat sa, sb;

	igt_assert_eq(fstat(a, &sa), 0);
	igt_assert_eq(fstat(b, &sb), 0);
	igt_assert_f(sa.st_ino != sb.st_ino,
		     "fds %d and %d are the same dma-buf (inode %ju)\n", a, b,
		     (uintmax_t)sa.st_ino);
}

static void assert_exporter_secbuf(int dmabuf)
{
	char name[64];

	igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "exp_name", name, sizeof(name)));
	igt_assert_f(!strcmp(name, "secbuf"), "exp_name is \"%s\"\n", name);
}

/* A secbuf buffer imported into vgem; put() releases all of it. */
struct import {
	int vgem;
	int buf;
	uint32_t handle;
};

static void import_get(struct import *imp, uint64_t seed)
{
	imp->vgem = secbuf_libdrm_open_vgem();
	imp->buf = alloc_filled(seed);
	imp->handle = secbuf_libdrm_prime_fd_to_handle(imp->vgem, imp->buf);
}

static void import_put(struct import *imp)
{
	secbuf_libdrm_close_handle(imp->vgem, imp->handle);
	close(imp->vgem);
	close(imp->buf);
	secbuf_pool_assert_idle(pool);
}

/* ---- sync_file ---------------------------------------------------------- */

#define MAX_FENCES	4

/*
 * SYNC_IOC_FILE_INFO with room for MAX_FENCES: the fences of @sync in
 * @fences, their number returned, the sync_file's status in @status.
 */
static uint32_t sync_file_fences(int sync, struct sync_fence_info *fences,
				 int *status)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	memset(fences, 0, MAX_FENCES * sizeof(*fences));
	info.num_fences = MAX_FENCES;
	info.sync_fence_info = (uintptr_t)fences;
	igt_assert_eq(__secbuf_ioctl(sync, SYNC_IOC_FILE_INFO, &info), 0);
	errno = 0;
	*status = info.status;
	return info.num_fences;
}

/*
 * @sync holds exactly @count fences, every one vgem's and pending (vgem's
 * timeline is "unbound"), so the sync_file is pending too. EXPORT_SYNC_FILE
 * makes it close on exec (IGT's dmabuf_export_sync_file() does not check).
 */
static void assert_pending_vgem_fences(int sync, uint32_t count)
{
	struct sync_fence_info fences[MAX_FENCES];
	int status;

	igt_assert(fcntl(sync, F_GETFD) & FD_CLOEXEC);
	igt_assert_eq_u32(sync_file_fences(sync, fences, &status), count);
	igt_assert_eq(status, 0);
	igt_assert_eq(sync_fence_status(sync), 0);
	for (uint32_t i = 0; i < count; i++) {
		igt_assert_f(!strcmp(fences[i].driver_name, "vgem") &&
			     !strcmp(fences[i].obj_name, "unbound"),
			     "fence %u is %s:%s, not vgem's\n", i,
			     fences[i].driver_name, fences[i].obj_name);
		igt_assert_eq(fences[i].status, 0);
	}
	igt_assert_eq(secbuf_poll(sync, POLLIN, 0), 0);
}

/* @sync is signaled, without an error, and poll() says so. */
static void assert_signaled(int sync)
{
	igt_assert_eq(sync_fence_wait(sync, PROMPT_MS), 0);
	igt_assert_eq(sync_fence_status(sync), 1);
}

/* ---- A call that must block, in a child -------------------------------- */

enum call_op {
	CALL_SYNC,	/* DMA_BUF_IOCTL_SYNC START (then END), flags arg */
	CALL_POLL,	/* ppoll() for events arg, no timeout */
};

struct call {
	int pipe;	/* the child's pid, then its struct call_result */
	pid_t pid;
	long nr;	/* the system call it must sleep in */
	const char *what;
};

struct call_result {
	int32_t ret;		/* SYNC: 0 or -errno; POLL: ppoll()'s value */
	int32_t revents;	/* POLL */
};

static void write_all(int out, const void *data, size_t len)
{
	if (write(out, data, len) != (ssize_t)len)
		_exit(IGT_EXIT_FAILURE);
}

static void call_run(int out, enum call_op op, int target, uint64_t arg)
{
	struct call_result r = { 0 };
	pid_t self = getpid();

	write_all(out, &self, sizeof(self));
	if (op == CALL_SYNC) {
		r.ret = __secbuf_dmabuf_sync(target, DMA_BUF_SYNC_START | arg);
		if (r.ret == 0)
			r.ret = __secbuf_dmabuf_sync(target, DMA_BUF_SYNC_END | arg);
	} else {
		struct pollfd pfd = { .fd = target, .events = (short)arg };

		do {
			r.ret = ppoll(&pfd, 1, NULL, NULL);
		} while (r.ret < 0 && errno == EINTR);
		if (r.ret < 0)
			r.ret = -errno;
		r.revents = pfd.revents;
	}
	write_all(out, &r, sizeof(r));
}

/*
 * Start @op on @target in a child. The child keeps no other fd of ours
 * (a vgem file it held would keep vgem's fences and imports alive).
 */
static void call_start(struct call *c, enum call_op op, int target,
		       uint64_t arg)
{
	int p[2];

	igt_assert_eq(pipe2(p, O_CLOEXEC), 0);
	igt_fork(child, 1) {
		for (int i = 3; i < 1024; i++)
			if (i != p[1] && i != target)
				close(i);
		call_run(p[1], op, target, arg);
	}
	close(p[1]);

	c->pipe = p[0];
	c->nr = op == CALL_SYNC ? SYS_ioctl : SYS_ppoll;
	c->what = op == CALL_SYNC ? "DMA_BUF_IOCTL_SYNC" : "poll()";
	igt_assert_f(secbuf_poll(c->pipe, POLLIN, REPLY_MS),
		     "the child did not start\n");
	igt_assert_eq(read(c->pipe, &c->pid, sizeof(c->pid)),
		      (int)sizeof(c->pid));
}

/* The system call @pid sleeps in, or -1 (running, or not in one). */
static long sleeping_in(pid_t pid)
{
	char path[64], line[256];
	ssize_t len;
	int proc;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	proc = open(path, O_RDONLY | O_CLOEXEC);
	igt_assert_f(proc >= 0, "open %s: %s\n", path, strerror(errno));
	len = read(proc, line, sizeof(line) - 1);
	close(proc);
	igt_assert_f(len > 0, "read %s: %s\n", path, strerror(errno));
	line[len] = '\0';
	errno = 0;
	if (!strncmp(line, "running", 7))
		return -1;
	return strtol(line, NULL, 10);
}

/*
 * No result for BLOCK_MS, and the child is asleep in its system call (the
 * wait is bounded by REPLY_MS for a slow guest to get it there).
 */
static void call_assert_blocked(struct call *c)
{
	uint64_t start = secbuf_now_ms();

	igt_assert_f(secbuf_poll(c->pipe, POLLIN, BLOCK_MS) == 0,
		     "%s returned within %d ms\n", c->what, BLOCK_MS);
	while (sleeping_in(c->pid) != c->nr) {
		igt_assert_f(secbuf_now_ms() - start < REPLY_MS,
			     "the child is not asleep in %s after %d ms\n",
			     c->what, REPLY_MS);
		igt_assert_f(secbuf_poll(c->pipe, POLLIN, 20) == 0,
			     "%s returned while it should wait\n", c->what);
	}
	igt_assert_f(secbuf_poll(c->pipe, POLLIN, 0) == 0,
		     "%s returned while it should wait\n", c->what);
	igt_debug("%s blocked after %" PRIu64 " ms\n", c->what,
		  secbuf_now_ms() - start);
}

/* The result, which must come within @timeout_ms; reaps the child. */
static struct call_result call_finish(struct call *c, int timeout_ms)
{
	uint64_t start = secbuf_now_ms();
	struct call_result r;

	igt_assert_f(secbuf_poll(c->pipe, POLLIN, timeout_ms) == POLLIN,
		     "%s still blocked %d ms after the fence signaled\n",
		     c->what, timeout_ms);
	igt_assert_eq(read(c->pipe, &r, sizeof(r)), (int)sizeof(r));
	igt_debug("%s returned %d, %" PRIu64 " ms after the signal\n", c->what,
		  r.ret, secbuf_now_ms() - start);
	close(c->pipe);
	igt_waitchildren();
	return r;
}

/* ---- Subtest bodies ------------------------------------------------------ */

static const struct {
	const char *name;
	uint32_t fence;		/* vgem fence: FENCE_READ or FENCE_WRITE */
	uint64_t dir;		/* DMA_BUF_SYNC_READ, _WRITE or _RW */
	bool waits;
} sync_cases[] = {
#define R	DMA_BUF_SYNC_READ
#define W	DMA_BUF_SYNC_WRITE
#define RW	DMA_BUF_SYNC_RW
	{ "sync-read-waits-write-fence",	FENCE_WRITE,	R,	true },
	{ "sync-write-waits-write-fence",	FENCE_WRITE,	W,	true },
	{ "sync-rw-waits-write-fence",		FENCE_WRITE,	RW,	true },
	{ "sync-read-ignores-read-fence",	FENCE_READ,	R,	false },
	{ "sync-write-waits-read-fence",	FENCE_READ,	W,	true },
	{ "sync-rw-waits-read-fence",		FENCE_READ,	RW,	true },
#undef R
#undef W
#undef RW
};

static const char *dir_name(uint64_t dir)
{
	return dir == DMA_BUF_SYNC_READ ? "READ" :
	       dir == DMA_BUF_SYNC_WRITE ? "WRITE" : "RW";
}

static void test_sync(uint32_t fence_flags, uint64_t dir, bool waits)
{
	struct import imp;
	uint32_t fence;

	import_get(&imp, 40);
	fence = vgem_fence_attach(imp.vgem,
				  &(struct vgem_bo){ .handle = imp.handle }, fence_flags);
	if (waits) {
		struct call c;

		call_start(&c, CALL_SYNC, imp.buf, dir);
		call_assert_blocked(&c);
		/* 0, not ETIMEDOUT: the fence was still pending. */
		vgem_fence_signal(imp.vgem, fence);
		igt_assert_eq(call_finish(&c, PROMPT_MS).ret, 0);
	} else {
		uint64_t start = secbuf_now_ms();

		secbuf_dmabuf_sync(imp.buf, DMA_BUF_SYNC_START | dir);
		secbuf_dmabuf_sync(imp.buf, DMA_BUF_SYNC_END | dir);
		igt_assert_f(secbuf_now_ms() - start < PROMPT_MS,
			     "SYNC %s took %" PRIu64 " ms\n", dir_name(dir),
			     secbuf_now_ms() - start);
		/* Signaling it now gives 0: SYNC did not wait for it. */
		vgem_fence_signal(imp.vgem, fence);
	}

	/* Nothing pending: every direction goes through. */
	secbuf_dmabuf_sync(imp.buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	secbuf_dmabuf_sync(imp.buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	import_put(&imp);
}

/*
 * poll() of the buffer with a vgem fence of @fence_flags: @ready is what
 * is ready at once, the other event blocks a poller until the signal.
 */
static void test_poll(uint32_t fence_flags, short ready)
{
	short blocked = fence_flags == FENCE_WRITE ? POLLIN : POLLOUT;
	struct call_result r;
	struct import imp;
	struct call c;
	uint32_t fence;

	import_get(&imp, 41);
	fence = vgem_fence_attach(imp.vgem,
				  &(struct vgem_bo){ .handle = imp.handle }, fence_flags);
	igt_assert_eq(secbuf_poll(imp.buf, POLLIN | POLLOUT, 0), ready);

	call_start(&c, CALL_POLL, imp.buf, (uint64_t)blocked);
	call_assert_blocked(&c);
	vgem_fence_signal(imp.vgem, fence);
	r = call_finish(&c, PROMPT_MS);
	igt_assert_eq(r.ret, 1);
	igt_assert_eq(r.revents, blocked);

	igt_assert_eq(secbuf_poll(imp.buf, POLLIN | POLLOUT, PROMPT_MS),
		      POLLIN | POLLOUT);
	import_put(&imp);
}

/*
 * IMPORT_SYNC_FILE into a second buffer, with @flags, of the sync_file of
 * a vgem write fence on the first: the second buffer now waits for vgem.
 */
static void test_import_sync_file(uint32_t flags)
{
	struct import imp;
	struct call c;
	uint32_t fence;
	int sync, other, again;

	import_get(&imp, 42);
	other = alloc_filled(43);
	fence = vgem_fence_attach(imp.vgem,
				  &(struct vgem_bo){ .handle = imp.handle }, FENCE_WRITE);
	sync = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_READ);
	assert_pending_vgem_fences(sync, 1);

	dmabuf_import_sync_file(other, flags, sync);

	/* The other buffer's own sync_file for a writer holds vgem's fence. */
	again = dmabuf_export_sync_file(other, DMA_BUF_SYNC_WRITE);
	assert_pending_vgem_fences(again, 1);

	if (flags == DMA_BUF_SYNC_WRITE) {
		/* A write fence: readers and writers wait. */
		igt_assert_eq(secbuf_poll(other, POLLIN | POLLOUT, 0), 0);
		call_start(&c, CALL_SYNC, other, DMA_BUF_SYNC_READ);
	} else {
		/* A read fence: readers go on at once, writers wait. */
		igt_assert_eq(secbuf_poll(other, POLLIN | POLLOUT, 0), POLLIN);
		secbuf_dmabuf_sync(other, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		secbuf_dmabuf_sync(other, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		igt_assert_eq(sync_fence_status(sync), 0);
		call_start(&c, CALL_SYNC, other, DMA_BUF_SYNC_WRITE);
	}
	call_assert_blocked(&c);
	vgem_fence_signal(imp.vgem, fence);
	igt_assert_eq(call_finish(&c, PROMPT_MS).ret, 0);
	assert_signaled(again);
	igt_assert_eq(secbuf_poll(other, POLLIN | POLLOUT, PROMPT_MS),
		      POLLIN | POLLOUT);

	close(again);
	close(sync);
	close(other);
	import_put(&imp);
}

/* ---- Fences a holder imports ----------------------------------------- */

/* A pending vgem write fence, as a sync_file, from a buffer of its own. */
struct pending_fence {
	struct import src;
	uint32_t fence;
	int sync;
};

static void pending_fence_get(struct pending_fence *pf)
{
	import_get(&pf->src, 77);
	pf->fence = vgem_fence_attach(pf->src.vgem,
				      &(struct vgem_bo){ .handle = pf->src.handle },
				      FENCE_WRITE);
	pf->sync = dmabuf_export_sync_file(pf->src.buf, DMA_BUF_SYNC_READ);
	assert_pending_vgem_fences(pf->sync, 1);
}

/* Signal the fence and let its source go (the test's buffers may live). */
static void pending_fence_put(struct pending_fence *pf)
{
	vgem_fence_signal(pf->src.vgem, pf->fence);
	close(pf->sync);
	secbuf_libdrm_close_handle(pf->src.vgem, pf->src.handle);
	close(pf->src.vgem);
	close(pf->src.buf);
}

static uint64_t elapsed_ms(uint64_t start)
{
	return secbuf_now_ms() - start;
}

/* Fail if @what took longer than @bound_ms since @start. */
static void assert_prompt(uint64_t start, uint64_t bound_ms, const char *what)
{
	uint64_t took = elapsed_ms(start);

	igt_assert_f(took <= bound_ms, "%s took %llu ms (bound %llu ms)\n",
		     what, (unsigned long long)took,
		     (unsigned long long)bound_ms);
}

#define NO_STALL_MS	2000

static void test_readonly_fence_stalls_nobody(void)
{
	struct pending_fence pf;
	int buf = alloc_filled(11);
	int holder = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
	int writer = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
				  SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA, NULL);
	volatile uint8_t *p;
	struct call c;
	uint64_t t;

	pending_fence_get(&pf);
	/* The core takes the fence, whatever the holder's rights. */
	dmabuf_import_sync_file(holder, DMA_BUF_SYNC_WRITE, pf.sync);

	/* The owner's fault (a fresh mapping), write, SYNC and poll. */
	t = secbuf_now_ms();
	p = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_eq(p[0], (uint8_t)p[0]);
	p[4096] = 1;
	assert_prompt(t, NO_STALL_MS, "the owner's faults");
	t = secbuf_now_ms();
	secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	assert_prompt(t, NO_STALL_MS, "the owner's DMA_BUF_IOCTL_SYNC");
	igt_assert_eq(secbuf_poll(buf, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	/* Another holder's SYNC. */
	t = secbuf_now_ms();
	secbuf_dmabuf_sync(writer, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	secbuf_dmabuf_sync(writer, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	assert_prompt(t, NO_STALL_MS, "another holder's DMA_BUF_IOCTL_SYNC");
	/* The holder stalls only itself. */
	call_start(&c, CALL_SYNC, holder, DMA_BUF_SYNC_READ);
	call_assert_blocked(&c);

	/* A holder with DMA and WRITE still holds the owner back. */
	dmabuf_import_sync_file(writer, DMA_BUF_SYNC_WRITE, pf.sync);
	igt_assert_eq(secbuf_poll(buf, POLLIN | POLLOUT, 0), 0);

	/* REVOKE: the fence of a device that may write is waited for. */
	secbuf_munmap((void *)p, BUF_SIZE);
	close(writer);
	pending_fence_put(&pf);
	igt_assert_eq(call_finish(&c, PROMPT_MS).ret, 0);
	close(holder);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

static void test_readonly_fence_revoke(void)
{
	struct pending_fence pf;
	int buf = alloc_filled(12);
	int holder = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
	uint64_t t;

	pending_fence_get(&pf);
	dmabuf_import_sync_file(holder, DMA_BUF_SYNC_WRITE, pf.sync);
	t = secbuf_now_ms();
	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
	assert_prompt(t, NO_STALL_MS, "REVOKE with a READ holder's fence");
	pending_fence_put(&pf);
	close(holder);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

#define EXIT_BUFFERS	4
#define EXIT_TIMEOUT_MS	1000

/*
 * An owner (a child with its own pool file) whose EXIT_BUFFERS buffers each
 * carry a write fence a DMA|WRITE holder (this process) imported and never
 * signals: closing its pool file waits one revoke_timeout_ms in all, not
 * one per buffer; the memory stays quarantined until the fences signal.
 */
static void test_owner_exit_one_timeout(void)
{
	int grants[EXIT_BUFFERS], sv[2];
	struct secbuf_pool_info info;
	struct pending_fence pf;
	uint64_t took = 0;
	pid_t owner;

	secbuf_param_set("revoke_timeout_ms", EXIT_TIMEOUT_MS);
	pending_fence_get(&pf);
	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 sv), 0);
	owner = fork();
	igt_assert(owner >= 0);
	if (owner == 0) {
		int pf_own = secbuf_open_pool(pool);
		uint64_t start;
		char go;

		close(sv[0]);
		for (int i = 0; i < EXIT_BUFFERS; i++) {
			int b = secbuf_alloc(pf_own, BUF_SIZE, 0,
					     O_RDWR | O_CLOEXEC);

			secbuf_send_fd(sv[1], secbuf_grant(pf_own, b,
				       SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
				       NULL));
		}
		if (read(sv[1], &go, 1) != 1)
			_exit(1);
		start = secbuf_now_ms();
		close(pf_own);
		start = secbuf_now_ms() - start;
		_exit(write(sv[1], &start, sizeof(start)) == sizeof(start) ?
		      0 : 1);
	}
	close(sv[1]);
	for (int i = 0; i < EXIT_BUFFERS; i++) {
		grants[i] = secbuf_recv_fd(sv[0]);
		dmabuf_import_sync_file(grants[i], DMA_BUF_SYNC_WRITE,
					pf.sync);
	}
	igt_assert_eq(write(sv[0], "g", 1), 1);
	igt_assert_eq(read(sv[0], &took, sizeof(took)), (ssize_t)sizeof(took));
	igt_assert_eq(waitpid(owner, NULL, 0), owner);
	secbuf_params_restore();
	igt_info("the owner's close took %llu ms for %d buffers\n",
		 (unsigned long long)took, EXIT_BUFFERS);
	igt_assert_f(took < EXIT_TIMEOUT_MS + NO_STALL_MS,
		     "closing the owner's pool file took %llu ms: one "
		     "revoke_timeout_ms (%d ms) per buffer, not one in all\n",
		     (unsigned long long)took, EXIT_TIMEOUT_MS);

	/* The fences never signaled: the memory is still quarantined. */
	secbuf_pool_info(fd, &info);
	igt_assert_eq_u64(info.quarantined_bytes, EXIT_BUFFERS * BUF_SIZE);
	pending_fence_put(&pf);
	for (int i = 0; i < 100 && info.quarantined_bytes; i++) {
		usleep(10 * 1000);
		secbuf_pool_info(fd, &info);
	}
	igt_assert_eq_u64(info.quarantined_bytes, 0);
	for (int i = 0; i < EXIT_BUFFERS; i++)
		close(grants[i]);
	close(sv[0]);
	secbuf_pool_assert_idle(pool);
}

/* ---- A revocation under way ----------------------------------------- */

struct revoker {
	int pool_fd, buf, ret;
	uint64_t quarantined;
};

static void *revoke_fn(void *arg)
{
	struct revoker *r = arg;

	r->ret = __secbuf_revoke(r->pool_fd, r->buf, 0, &r->quarantined);
	return NULL;
}

/*
 * A REVOKE that finds the buffer revoked by one still waiting for a
 * device's fence returns at once, and reports the buffer's memory as
 * quarantined (the first one has not given it back), so that an owner
 * polling with REVOKE never reads 0 before the memory is free.
 */
static void test_revoke_concurrent_quarantine(void)
{
	struct import imp;
	struct revoker r = { .pool_fd = fd };
	struct secbuf_query q;
	uint64_t quarantined = 0, t;
	uint32_t fence;
	pthread_t th;

	secbuf_param_set("revoke_timeout_ms", 3000);
	import_get(&imp, 13);
	fence = vgem_fence_attach(imp.vgem,
				  &(struct vgem_bo){ .handle = imp.handle }, FENCE_WRITE);
	r.buf = imp.buf;
	igt_assert_eq(pthread_create(&th, NULL, revoke_fn, &r), 0);
	do {
		secbuf_query(fd, imp.buf, &q);
	} while (q.state != SECBUF_STATE_REVOKED);
	t = secbuf_now_ms();
	igt_assert_eq(__secbuf_revoke(fd, imp.buf, 0, &quarantined), 0);
	assert_prompt(t, NO_STALL_MS, "a second REVOKE");
	igt_assert_f(quarantined >= BUF_SIZE, "a second REVOKE reported %llu "
		     "bytes quarantined while the first still held the "
		     "buffer's memory\n", (unsigned long long)quarantined);
	vgem_fence_signal(imp.vgem, fence);
	igt_assert_eq(pthread_join(th, NULL), 0);
	igt_assert_eq(r.ret, 0);
	secbuf_params_restore();
	/*
	 * Before 7.0 vgem still maps it: quarantined until the import goes.
	 * On 7.x the import only attaches (igt_secbuf_vgem.h): once the fence has
	 * signaled nothing holds the memory, and the first REVOKE gives it
	 * back.
	 */
	igt_assert_eq_u64(r.quarantined, secbuf_vgem_import_maps() ? BUF_SIZE : 0);
	import_put(&imp);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
	}

	/* ---- PRIME through libdrm ---------------------------------------- */

	igt_describe("drmPrimeFDToHandle imports a secbuf buffer into vgem and "
		     "drmPrimeHandleToFD (DRM_CLOEXEC | DRM_RDWR) gives back "
		     "the same dma-buf: same inode, secbuf's, close on exec; "
		     "the bytes written through one fd's mapping are read "
		     "through the other's, both ways.");
	igt_subtest("prime-self-import") {
		int vgem = secbuf_libdrm_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		char *ours = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		int back, again;
		uint32_t handle;
		char *theirs;

		secbuf_fill(ours, BUF_SIZE, 1);
		handle = secbuf_libdrm_prime_fd_to_handle(vgem, buf);
		back = secbuf_libdrm_prime_handle_to_fd(vgem, handle,
						 DRM_CLOEXEC | DRM_RDWR);
		igt_assert_neq(back, buf);
		assert_same_dmabuf(buf, back);
		assert_exporter_secbuf(back);
		igt_assert(fcntl(back, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmabuf_size(back), BUF_SIZE);

		theirs = secbuf_mmap(back, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(theirs, BUF_SIZE, 1);
		secbuf_fill(theirs, BUF_SIZE, 2);
		secbuf_assert_filled(ours, BUF_SIZE, 2);

		again = secbuf_libdrm_prime_handle_to_fd(vgem, handle, DRM_CLOEXEC);
		assert_same_dmabuf(buf, again);

		secbuf_munmap(theirs, BUF_SIZE);
		secbuf_munmap(ours, BUF_SIZE);
		close(again);
		close(back);
		secbuf_libdrm_close_handle(vgem, handle);
		close(vgem);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Importing the same dma-buf again, through the same fd, "
		     "a dup() of it or the fd vgem exported, gives the same "
		     "GEM handle; GEM handles are not counted, so one "
		     "drmCloseBufferHandle ends it (export ENOENT, close again "
		     "EINVAL) and a new import works.");
	igt_subtest("prime-import-twice-same-handle") {
		int vgem = secbuf_libdrm_open_vgem();
		int buf = alloc_filled(3);
		int copy = fcntl(buf, F_DUPFD_CLOEXEC, 0);
		uint32_t handle, again;
		int back;

		igt_assert_fd(copy);
		handle = secbuf_libdrm_prime_fd_to_handle(vgem, buf);
		again = secbuf_libdrm_prime_fd_to_handle(vgem, buf);
		igt_assert_eq_u32(again, handle);
		again = secbuf_libdrm_prime_fd_to_handle(vgem, copy);
		igt_assert_eq_u32(again, handle);
		back = secbuf_libdrm_prime_handle_to_fd(vgem, handle, DRM_CLOEXEC);
		again = secbuf_libdrm_prime_fd_to_handle(vgem, back);
		igt_assert_eq_u32(again, handle);
		close(back);

		secbuf_libdrm_close_handle(vgem, handle);
		igt_assert_eq(__secbuf_libdrm_prime_handle_to_fd(vgem, handle,
							  DRM_CLOEXEC, &back),
			      -ENOENT);
		igt_assert_eq(__secbuf_libdrm_close_handle(vgem, handle), -EINVAL);

		again = secbuf_libdrm_prime_fd_to_handle(vgem, copy);
		back = secbuf_libdrm_prime_handle_to_fd(vgem, again, DRM_CLOEXEC);
		assert_same_dmabuf(buf, back);
		close(back);
		secbuf_libdrm_close_handle(vgem, again);

		close(copy);
		close(vgem);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant is a dma-buf of its own: vgem gives its import "
		     "another handle than the owner's fd's, each exports back "
		     "to its own dma-buf, and both show the same bytes.");
	igt_subtest("prime-import-grant-own-handle") {
		int vgem = secbuf_libdrm_open_vgem();
		int buf = alloc_filled(4);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					 SECBUF_GRANT_WRITE |
					 SECBUF_GRANT_DMA, NULL);
		uint32_t h_owner = secbuf_libdrm_prime_fd_to_handle(vgem, buf);
		uint32_t h_grant = secbuf_libdrm_prime_fd_to_handle(vgem, grant);
		int b_owner, b_grant;
		char *ptr;

		igt_assert_neq(h_owner, h_grant);
		b_owner = secbuf_libdrm_prime_handle_to_fd(vgem, h_owner, DRM_CLOEXEC);
		b_grant = secbuf_libdrm_prime_handle_to_fd(vgem, h_grant, DRM_CLOEXEC);
		assert_same_dmabuf(buf, b_owner);
		assert_same_dmabuf(grant, b_grant);
		assert_other_dmabuf(b_owner, b_grant);

		ptr = secbuf_mmap(b_grant, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 4);
		secbuf_munmap(ptr, BUF_SIZE);

		close(b_grant);
		close(b_owner);
		secbuf_libdrm_close_handle(vgem, h_grant);
		secbuf_libdrm_close_handle(vgem, h_owner);
		close(grant);
		close(vgem);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("vgem refuses to mmap an imported object: "
		     "drmModeMapDumbBuffer (DRM_IOCTL_MODE_MAP_DUMB) on the "
		     "import of a secbuf buffer is EINVAL (drm_gem_dumb_map_"
		     "offset, 6.1 and 6.12), while vgem's own object maps; so "
		     "the CPU reaches a secbuf buffer only through secbuf.");
	igt_subtest("prime-mmap-import-einval") {
		struct import imp;
		uint64_t offset = 0;
		volatile uint32_t *ptr;
		uint32_t own;

		import_get(&imp, 5);
		igt_assert_eq(__secbuf_libdrm_map_dumb(imp.vgem, imp.handle, &offset),
			      -EINVAL);

		/* The control: vgem maps what it allocated itself. */
		own = secbuf_libdrm_create_dumb(imp.vgem, SECBUF_SZ_64K);
		igt_assert_eq(__secbuf_libdrm_map_dumb(imp.vgem, own, &offset), 0);
		ptr = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED,
			   imp.vgem, (off_t)offset);
		igt_assert(ptr != MAP_FAILED);
		ptr[SECBUF_SZ_4K / 4] = 0x5ec0b0f;
		igt_assert_eq_u32(ptr[SECBUF_SZ_4K / 4], 0x5ec0b0f);
		igt_assert_eq(munmap((void *)ptr, SECBUF_SZ_64K), 0);
		secbuf_libdrm_close_handle(imp.vgem, own);

		import_put(&imp);
	}

	/* ---- DMA_BUF_IOCTL_SYNC against vgem's fences ------------------ */

	for (size_t i = 0; i < ARRAY_SIZE(sync_cases); i++) {
		if (sync_cases[i].waits)
			igt_describe_f("With a vgem %s fence on the imported "
				       "buffer, DMA_BUF_IOCTL_SYNC START %s "
				       "sleeps in the ioctl until "
				       "VGEM_FENCE_SIGNAL, then returns 0.",
				       sync_cases[i].fence ? "write" : "read",
				       dir_name(sync_cases[i].dir));
		else
			igt_describe_f("With only a vgem read fence on the "
				       "imported buffer, DMA_BUF_IOCTL_SYNC "
				       "START %s returns at once: readers do "
				       "not wait for readers.",
				       dir_name(sync_cases[i].dir));
		igt_subtest_f("%s", sync_cases[i].name)
			test_sync(sync_cases[i].fence, sync_cases[i].dir,
				  sync_cases[i].waits);
	}

	/* ---- poll() ------------------------------------------------------ */

	igt_describe("With a vgem write fence pending, poll() of the secbuf "
		     "fd reports neither POLLIN nor POLLOUT, a poller of "
		     "POLLIN sleeps until VGEM_FENCE_SIGNAL, then both are "
		     "ready.");
	igt_subtest("poll-write-fence")
		test_poll(FENCE_WRITE, 0);

	igt_describe("With a vgem read fence pending, poll() of the secbuf fd "
		     "reports POLLIN (reading does not wait for readers) but "
		     "not POLLOUT; a poller of POLLOUT sleeps until "
		     "VGEM_FENCE_SIGNAL.");
	igt_subtest("poll-read-fence")
		test_poll(FENCE_READ, POLLIN);

	/* ---- sync_file: EXPORT and IMPORT -------------------------------- */

	igt_describe("EXPORT_SYNC_FILE for READ, WRITE and RW while a vgem "
		     "write fence is pending returns that fence: one fence, "
		     "driver vgem, pending (SYNC_IOC_FILE_INFO and poll()); "
		     "after VGEM_FENCE_SIGNAL each sync_file is signaled.");
	igt_subtest("export-sync-file-write-fence") {
		static const uint32_t dirs[] = {
			DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
		};
		int sync[3];
		struct import imp;
		uint32_t fence;

		import_get(&imp, 44);
		fence = vgem_fence_attach(imp.vgem,
					  &(struct vgem_bo){ .handle = imp.handle }, FENCE_WRITE);
		for (int i = 0; i < 3; i++) {
			sync[i] = dmabuf_export_sync_file(imp.buf, dirs[i]);
			assert_pending_vgem_fences(sync[i], 1);
		}
		vgem_fence_signal(imp.vgem, fence);
		for (int i = 0; i < 3; i++) {
			assert_signaled(sync[i]);
			close(sync[i]);
		}
		import_put(&imp);
	}

	igt_describe("With a vgem read fence pending, EXPORT_SYNC_FILE for "
		     "READ has nothing to wait for (a signaled fence, not "
		     "vgem's), for WRITE it returns the vgem fence, pending "
		     "until VGEM_FENCE_SIGNAL.");
	igt_subtest("export-sync-file-read-fence") {
		struct sync_fence_info fences[MAX_FENCES];
		struct import imp;
		int reader, writer, status;
		uint32_t fence;

		import_get(&imp, 45);
		fence = vgem_fence_attach(imp.vgem,
					  &(struct vgem_bo){ .handle = imp.handle }, FENCE_READ);
		reader = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_READ);
		writer = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_WRITE);

		/* The core's stub fence, already signaled. */
		igt_assert_eq_u32(sync_file_fences(reader, fences, &status), 1);
		igt_assert_f(strcmp(fences[0].driver_name, "vgem"),
			     "a reader's sync_file holds vgem's read fence\n");
		igt_assert_eq(status, 1);
		igt_assert_eq(secbuf_poll(reader, POLLIN, 0), POLLIN);
		assert_pending_vgem_fences(writer, 1);

		vgem_fence_signal(imp.vgem, fence);
		assert_signaled(writer);
		close(writer);
		close(reader);
		import_put(&imp);
	}

	igt_describe("Two vgem read fences on the buffer: EXPORT_SYNC_FILE for "
		     "WRITE returns one sync_file holding both, pending until "
		     "the second is signaled.");
	igt_subtest("export-sync-file-two-read-fences") {
		struct import imp;
		uint32_t first, second;
		int sync;

		import_get(&imp, 46);
		first = vgem_fence_attach(imp.vgem,
					  &(struct vgem_bo){ .handle = imp.handle }, FENCE_READ);
		second = vgem_fence_attach(imp.vgem,
					   &(struct vgem_bo){ .handle = imp.handle }, FENCE_READ);
		sync = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_WRITE);
		assert_pending_vgem_fences(sync, 2);

		vgem_fence_signal(imp.vgem, first);
		igt_assert_eq(sync_fence_wait(sync, BLOCK_MS), -ETIME);
		igt_assert_eq(sync_fence_status(sync), 0);
		vgem_fence_signal(imp.vgem, second);
		assert_signaled(sync);

		close(sync);
		import_put(&imp);
	}

	igt_describe("IMPORT_SYNC_FILE (WRITE) of the sync_file of a vgem "
		     "write fence on another buffer makes it a write fence "
		     "here: poll() reports nothing, SYNC START READ sleeps "
		     "until VGEM_FENCE_SIGNAL, this buffer's own "
		     "EXPORT_SYNC_FILE holds the vgem fence.");
	igt_subtest("import-sync-file-write")
		test_import_sync_file(DMA_BUF_SYNC_WRITE);

	igt_describe("IMPORT_SYNC_FILE (READ) of the sync_file of a vgem fence "
		     "makes it a read fence here: POLLIN and SYNC START READ "
		     "at once, POLLOUT not, SYNC START WRITE sleeps until "
		     "VGEM_FENCE_SIGNAL.");
	igt_subtest("import-sync-file-read")
		test_import_sync_file(DMA_BUF_SYNC_READ);

	igt_describe("EXPORT_SYNC_FILE and IMPORT_SYNC_FILE with flags 0 or an "
		     "unknown bit, and IMPORT of an fd that is not a sync_file "
		     "(the dma-buf itself, -1), are EINVAL and leave no fd "
		     "behind.");
	igt_subtest("sync-file-einval") {
		struct secbuf_snapshot snap;
		int buf = alloc_filled(6);
		int sync = dmabuf_export_sync_file(buf, DMA_BUF_SYNC_RW);
		int out = -1;

		secbuf_snapshot(&snap, pool);
		igt_assert_eq(__secbuf_dmabuf_export_sync_file(buf, 0, &out), -EINVAL);
		igt_assert_eq(__secbuf_dmabuf_export_sync_file(buf, DMA_BUF_SYNC_RW |
							(1U << 2), &out),
			      -EINVAL);
		igt_assert_eq(__secbuf_dmabuf_import_sync_file(buf, 0, sync), -EINVAL);
		igt_assert_eq(__secbuf_dmabuf_import_sync_file(buf, DMA_BUF_SYNC_READ |
							(1U << 31), sync),
			      -EINVAL);
		igt_assert_eq(__secbuf_dmabuf_import_sync_file(buf, DMA_BUF_SYNC_READ,
							buf), -EINVAL);
		igt_assert_eq(__secbuf_dmabuf_import_sync_file(buf, DMA_BUF_SYNC_READ,
							-1), -EINVAL);
		secbuf_assert_unchanged(&snap);

		close(sync);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Every handle, and the ends of a fence --------------------- */

	igt_describe("All handles of a buffer share one reservation object: a "
		     "vgem write fence put through a grant's import holds back "
		     "poll() of the owner's fd, is in the owner's "
		     "EXPORT_SYNC_FILE, and makes VGEM_FENCE_ATTACH through "
		     "the owner's import EBUSY.");
	igt_subtest("grant-import-fence-on-buffer") {
		int vgem = secbuf_libdrm_open_vgem();
		int buf = alloc_filled(7);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					 SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
					 NULL);
		uint32_t h_owner = secbuf_libdrm_prime_fd_to_handle(vgem, buf);
		uint32_t h_grant = secbuf_libdrm_prime_fd_to_handle(vgem, grant);
		uint32_t fence, other;
		int sync;

		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = h_grant }, FENCE_WRITE);
		igt_assert_eq(secbuf_poll(buf, POLLIN | POLLOUT, 0), 0);
		sync = dmabuf_export_sync_file(buf, DMA_BUF_SYNC_READ);
		assert_pending_vgem_fences(sync, 1);
		igt_assert_eq(__secbuf_vgem_fence_attach(vgem, h_owner, FENCE_READ,
						  &other), -EBUSY);
		igt_assert_eq(__secbuf_vgem_fence_attach(vgem, h_owner, FENCE_WRITE,
						  &other), -EBUSY);

		vgem_fence_signal(vgem, fence);
		assert_signaled(sync);
		igt_assert_eq(secbuf_poll(buf, POLLIN | POLLOUT, PROMPT_MS),
			      POLLIN | POLLOUT);
		other = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = h_owner }, FENCE_WRITE);
		vgem_fence_signal(vgem, other);

		close(sync);
		secbuf_libdrm_close_handle(vgem, h_grant);
		secbuf_libdrm_close_handle(vgem, h_owner);
		close(vgem);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A holder without WRITE (a READ grant) that imports a "
		     "never-signaled write fence with IMPORT_SYNC_FILE stalls "
		     "only itself: the owner's faults, SYNC and poll() and "
		     "another holder's SYNC go on at once, while a grant with "
		     "DMA and WRITE importing the same fence holds the owner "
		     "back.");
	igt_subtest("readonly-holder-fence-stalls-nobody")
		test_readonly_fence_stalls_nobody();

	igt_describe("REVOKE does not wait for a fence a READ holder "
		     "imported.");
	igt_subtest("readonly-holder-fence-revoke-prompt")
		test_readonly_fence_revoke();

	igt_describe("Closing an owner's pool file with 4 buffers whose "
		     "fences (imported by a DMA|WRITE holder) never signal "
		     "waits one revoke_timeout_ms (1 s here) in all, not one "
		     "per buffer; the memory stays quarantined until the "
		     "fences signal, then goes back.");
	igt_subtest("owner-exit-one-timeout")
		test_owner_exit_one_timeout();

	igt_describe("A second REVOKE while the first waits for a vgem "
		     "write fence returns at once and reports the buffer's "
		     "memory quarantined; the first returns when the fence "
		     "signals, the memory quarantined while vgem maps it. "
		     "vgem's import maps before 7.0, so the first reports the "
		     "buffer quarantined; on 7.x it only attaches, so the "
		     "first reports 0 bytes.");
	igt_subtest("revoke-concurrent-reports-quarantine")
		test_revoke_concurrent_quarantine();

	igt_describe("A vgem write fence nobody signals is signaled by vgem "
		     "itself 10 s after VGEM_FENCE_ATTACH (not before 9 s): "
		     "the exported sync_file signals without error, the "
		     "SYNC START READ sleeping on it returns 0, and "
		     "VGEM_FENCE_SIGNAL then reports ETIMEDOUT.");
	igt_subtest("fence-timeout-auto-signal") {
		struct import imp;
		struct call c;
		uint64_t start, waited;
		uint32_t fence;
		int sync;

		import_get(&imp, 47);
		start = secbuf_now_ms();
		fence = vgem_fence_attach(imp.vgem,
					  &(struct vgem_bo){ .handle = imp.handle }, FENCE_WRITE);
		sync = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_READ);
		assert_pending_vgem_fences(sync, 1);
		call_start(&c, CALL_SYNC, imp.buf, DMA_BUF_SYNC_READ);
		call_assert_blocked(&c);

		igt_assert_f(!sync_fence_wait(sync, VGEM_TIMEOUT_MS + REPLY_MS),
			     "vgem's fence not signaled %d ms after attach\n",
			     VGEM_TIMEOUT_MS + REPLY_MS);
		waited = secbuf_now_ms() - start;
		igt_info("vgem signaled its fence after %" PRIu64 " ms\n",
			 waited);
		igt_assert_f(waited >= 9000, "the fence signaled after %" PRIu64
			     " ms, before vgem's 10 s timeout\n", waited);
		igt_assert_eq(call_finish(&c, PROMPT_MS).ret, 0);
		igt_assert_eq(sync_fence_status(sync), 1);
		igt_assert_eq(__vgem_fence_signal(imp.vgem, fence), -ETIMEDOUT);
		igt_assert_eq(secbuf_poll(imp.buf, POLLIN | POLLOUT, PROMPT_MS),
			      POLLIN | POLLOUT);

		close(sync);
		import_put(&imp);
	}

	igt_describe("Closing the vgem file signals its pending fences and "
		     "drops its imports: the SYNC START READ sleeping on the "
		     "write fence returns 0, the sync_file is signaled, and "
		     "closing our fd then frees the buffer.");
	igt_subtest("vgem-close-signals-fence") {
		struct import imp;
		struct call c;
		int sync;

		import_get(&imp, 48);
		vgem_fence_attach(imp.vgem,
				  &(struct vgem_bo){ .handle = imp.handle }, FENCE_WRITE);
		sync = dmabuf_export_sync_file(imp.buf, DMA_BUF_SYNC_READ);
		call_start(&c, CALL_SYNC, imp.buf, DMA_BUF_SYNC_READ);
		call_assert_blocked(&c);

		close(imp.vgem);
		igt_assert_eq(call_finish(&c, PROMPT_MS).ret, 0);
		assert_signaled(sync);

		close(sync);
		close(imp.buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(fd);
}
