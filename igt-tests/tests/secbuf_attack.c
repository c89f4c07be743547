// SPDX-License-Identifier: MIT
/*
 * secbuf_attack: black-box attacks on the promises of docs/security-model.md
 * and docs/uapi.md, written without looking at the driver. Every subtest
 * quotes the promise it attacks; a failure names the promise and what was
 * observed instead.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "igt_v4l2.h"
#include "igt_vgem.h"

IGT_TEST_DESCRIPTION("Attacks on secbuf's documented security promises");

static int pool = -1;
static const char *pool_name;

/* ---- in-process probes (thread safe: the jump buffer is per thread) ---- */

static __thread sigjmp_buf *probe_jb;
static __thread void *probe_si_addr;
static struct sigaction old_bus, old_segv;
static bool probe_installed;

static void probe_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;

	if (probe_jb) {
		probe_si_addr = si->si_addr;
		siglongjmp(*probe_jb, sig);
	}
	/* Not a probe: behave as before. */
	if (old->sa_flags & SA_SIGINFO && old->sa_sigaction)
		old->sa_sigaction(sig, si, uc);
	else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN)
		old->sa_handler(sig);
	else {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

static void probe_install(void)
{
	struct sigaction sa = { .sa_sigaction = probe_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	if (probe_installed)
		return;
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old_bus), 0);
	igt_assert_eq(sigaction(SIGSEGV, &sa, &old_segv), 0);
	probe_installed = true;
}

/*
 * Touch one word: 0 if it worked (the word read in *val), else the signal.
 * The signal must name the address.
 */
static int probe(void *addr, bool write, uint64_t *val)
{
	sigjmp_buf jb;
	volatile int sig;
	uint64_t v = val ? *val : 0x5ec0b05;

	probe_install();
	probe_jb = &jb;
	sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		if (write)
			*(volatile uint64_t *)addr = v;
		v = *(volatile uint64_t *)addr;
	}
	probe_jb = NULL;
	if (sig == 0 && val)
		*val = v;
	if (sig)
		igt_assert_f(probe_si_addr == addr,
			     "signal %d at %p, touched %p\n", sig,
			     probe_si_addr, addr);
	return sig;
}

#define assert_sigbus(addr, write, what...) do { \
	uint64_t __v = 0xbadc0de; \
	int __s = probe((addr), (write), &__v); \
	igt_assert_f(__s == SIGBUS, "%s: expected SIGBUS, got %s (read %#" PRIx64 ")\n", \
		     what, __s ? strsignal(__s) : "access worked", __v); \
} while (0)

/* Same but usable from a forked child: returns 1 on violation, never asserts. */
static int child_probe(void *addr, bool write, uint64_t *val)
{
	sigjmp_buf jb;
	volatile int sig;
	uint64_t v = val ? *val : 0;

	probe_jb = &jb;
	sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		if (write)
			*(volatile uint64_t *)addr = v;
		v = *(volatile uint64_t *)addr;
	}
	probe_jb = NULL;
	if (val)
		*val = v;
	return sig;
}

/* ---- small helpers ------------------------------------------------------- */

static void *pmap(int fd, size_t size, int prot)
{
	return __secbuf_mmap(fd, size, 0, prot, MAP_SHARED);
}

static uint64_t param_or(const char *name, uint64_t def)
{
	char buf[64];

	if (__secbuf_param_read(name, buf, sizeof(buf)))
		return def;
	return strtoull(buf, NULL, 0);
}

static uint64_t now_ms(void)
{
	return secbuf_now_ms();
}

static void assert_used_zero(const char *why)
{
	struct secbuf_pool_info info;
	uint64_t t0 = now_ms();

	/* Memory without quarantine is back before the last call returned. */
	secbuf_pool_info(pool, &info);
	igt_assert_f(info.used_bytes == 0 && info.buffer_count == 0 &&
		     info.quarantined_bytes == 0,
		     "%s: pool not back to zero: used_bytes %" PRIu64
		     " buffers %" PRIu64 " quarantined %" PRIu64 " (%" PRIu64 " ms)\n",
		     why, (uint64_t)info.used_bytes, (uint64_t)info.buffer_count,
		     (uint64_t)info.quarantined_bytes, now_ms() - t0);
}

/* Wait for @pid up to @ms. Returns true and the status if it ended. */
static bool wait_child_ms(pid_t pid, int ms, int *status)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d/status", pid);
			igt_assert_f(false, "waitpid(%d): %s (/proc/%d %s)\n", pid,
				     strerror(errno), pid,
				     access(path, F_OK) ? "absent" : "exists");
		}
		if (now_ms() > end)
			return false;
		usleep(5000);
	}
}

static pid_t kill_me[8];

static void kill_children_handler(int sig)
{
	(void)sig;
	for (int i = 0; i < 8; i++)
		if (kill_me[i] > 0) {
			kill(kill_me[i], SIGKILL);
			waitpid(kill_me[i], NULL, 0);
			kill_me[i] = 0;
		}
}

static void track_child(pid_t pid)
{
	static bool installed;

	if (!installed) {
		igt_install_exit_handler(kill_children_handler);
		installed = true;
	}
	for (int i = 0; i < 8; i++)
		if (kill_me[i] <= 0) {
			kill_me[i] = pid;
			return;
		}
	igt_assert_f(false, "too many tracked children\n");
}

static void reap_child(pid_t pid, int *status)
{
	if (!wait_child_ms(pid, 30000, status)) {
		kill(pid, SIGKILL);
		igt_assert_eq(waitpid(pid, status, 0), pid);
	}
	for (int i = 0; i < 8; i++)
		if (kill_me[i] == pid)
			kill_me[i] = 0;
}

/*
 * Fill the pool with buffers of @bsize through fresh pool files (a new one
 * on EDQUOT): a pool with no live buffer must serve its whole capacity.
 */
static void assert_pool_fills(uint64_t bsize, const char *after)
{
	struct secbuf_pool_info info;
	int pfs[64], npf = 0, *fds, n = 0, ret;
	uint64_t expected;

	secbuf_pool_info(pool, &info);
	igt_assert_f(info.used_bytes == 0, "%s: used_bytes %" PRIu64 " before the fill\n",
		     after, (uint64_t)info.used_bytes);
	expected = info.total_bytes / bsize;
	fds = calloc(expected + 8, sizeof(int));
	igt_assert(fds);
	pfs[npf++] = secbuf_open_pool(pool_name);
	for (;;) {
		int fd = -1;

		igt_assert((uint64_t)n <= expected);
		ret = __secbuf_alloc(pfs[npf - 1], bsize, 0, O_CLOEXEC, &fd);
		if (ret == -EDQUOT) {
			igt_assert_f(npf < 64, "too many pool files\n");
			pfs[npf++] = secbuf_open_pool(pool_name);
			ret = __secbuf_alloc(pfs[npf - 1], bsize, 0, O_CLOEXEC, &fd);
		}
		if (ret == -ENOMEM)
			break;
		igt_assert_f(ret == 0, "alloc %d of %" PRIu64 " bytes: %s\n", n,
			     bsize, strerror(-ret));
		fds[n++] = fd;
	}
	secbuf_pool_info(pool, &info);
	igt_info("filled: %d buffers of %" PRIu64 " of %" PRIu64 " expected, largest_free %" PRIu64 "\n",
		 n, bsize, expected, (uint64_t)info.largest_free_bytes);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	for (int i = 0; i < npf; i++)
		close(pfs[i]);
	free(fds);
	igt_assert_f((uint64_t)n == expected,
		     "after %s, an idle pool of %" PRIu64 " bytes served only %d "
		     "buffers of %" PRIu64 " bytes (expected %" PRIu64 ")\n",
		     after, (uint64_t)info.total_bytes, n, bsize, expected);
	assert_used_zero(after);
}

/* ---- fences a holder can inject ----------------------------------------- */

struct injector {
	int vgem;
	uint32_t handle;
	int dmabuf;	/* vgem's own dma-buf */
};

/*
 * Attach a new (read) vgem fence to vgem's own object, export every fence of
 * that object as a sync_file and import it into @target as a WRITE fence.
 * Returns 0 or -errno of the import.
 */
static int inject_fence(struct injector *in, int target)
{
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };
	struct dma_buf_import_sync_file im = { .flags = DMA_BUF_SYNC_WRITE };
	uint32_t fence;
	int ret;

	ret = __secbuf_vgem_fence_attach(in->vgem, in->handle, 0, &fence);
	if (ret)
		return 1000 + -ret;
	if (ioctl(in->dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex))
		return 2000 + errno;
	im.fd = ex.fd;
	ret = ioctl(target, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &im) ? -errno : 0;
	close(ex.fd);
	return ret;
}

/*
 * A hostile holder: a child that injects a never-signalled (until vgem's
 * 10 s timeout or its death) write fence into @grant every @interval_ms for
 * @max_ms. The result of its first injection comes back through the pipe.
 */
static pid_t start_injector(int grant, int interval_ms, int max_ms, int *first)
{
	int p[2];
	pid_t pid;

	igt_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		struct vgem_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
		struct injector in;
		uint64_t end;
		int r;

		close(p[0]);
		in.vgem = __secbuf_open_vgem();
		r = in.vgem < 0 ? 3000 : __vgem_create(in.vgem, &bo);
		in.handle = bo.handle;
		if (r == 0)
			r = __secbuf_prime_handle_to_fd(in.vgem, in.handle, &in.dmabuf) ? 4000 : 0;
		if (r) {
			if (write(p[1], &r, sizeof(r)) != sizeof(r))
				_exit(3);
			_exit(3);
		}
		end = now_ms() + (uint64_t)max_ms;
		r = inject_fence(&in, grant);
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(3);
		close(p[1]);
		while (now_ms() < end) {
			usleep((useconds_t)interval_ms * 1000);
			inject_fence(&in, grant);
		}
		_exit(0);	/* closing vgem signals every fence */
	}
	close(p[1]);
	track_child(pid);
	igt_assert_eq(read(p[0], first, sizeof(*first)), (ssize_t)sizeof(*first));
	close(p[0]);
	igt_info("holder's first fence import into a READ-only grant: %d (%s)\n",
		 *first, *first < 0 ? strerror(-*first) : "ok");
	igt_assert_f(*first <= 0, "injector setup failed: code %d\n", *first);
	return pid;
}

static void stop_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	reap_child(pid, &status);
}

/* ---- threads used by the races ------------------------------------------- */

struct race {
	int fd;			/* the handle to map */
	int derive_from;	/* for regrant races */
	int holder_pool;
	atomic_int stop;
	atomic_int revoked;	/* set once REVOKE returned */
	pthread_mutex_t lock;
	void *maps[512];
	int nmaps;
	int fds[512];
	int nfds;
	int late_success;	/* an op that began after REVOKE returned worked */
	int bad_errno;
};

static void race_add_map(struct race *r, void *p)
{
	pthread_mutex_lock(&r->lock);
	if (r->nmaps < 512)
		r->maps[r->nmaps++] = p;
	else
		munmap(p, 4096);
	pthread_mutex_unlock(&r->lock);
}

static void *mapper_thread(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop) && r->nmaps < 500) {
		int began_after = atomic_load(&r->revoked);
		void *p = pmap(r->fd, 4096, PROT_READ);
		uint64_t v = 0;

		if (!p) {
			if (errno != ENODEV)
				r->bad_errno = errno;
			if (began_after)
				break;
			continue;
		}
		if (began_after)
			r->late_success++;
		child_probe(p, false, &v);
		race_add_map(r, p);
	}
	return NULL;
}

static void *regrant_thread(void *arg)
{
	struct race *r = arg;
	int from = r->derive_from;

	while (!atomic_load(&r->stop) && r->nfds < 500) {
		int began_after = atomic_load(&r->revoked);
		int fd = -1;
		int ret = __secbuf_grant(r->holder_pool, from,
					 SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT,
					 O_CLOEXEC, &fd, NULL);
		void *p;

		if (ret) {
			if (ret != -ENODEV)
				r->bad_errno = -ret;
			if (began_after)
				break;
			continue;
		}
		if (began_after)
			r->late_success++;
		pthread_mutex_lock(&r->lock);
		r->fds[r->nfds++] = fd;
		pthread_mutex_unlock(&r->lock);
		p = pmap(fd, 4096, PROT_READ);
		if (p) {
			uint64_t v;

			child_probe(p, false, &v);
			race_add_map(r, p);
		}
		/* Alternate: derive from the newest grant, then from the root. */
		from = (r->nfds & 1) ? fd : r->derive_from;
	}
	return NULL;
}

struct crev {
	int buf, g, round;
	uint64_t gid;
	void *pb, *pg;
	pthread_barrier_t bar;
	int fail[3];
	int ret[3];
	atomic_int stop;
};

struct crev_arg {
	struct crev *c;
	int me;
};

static void *revoker(void *arg)
{
	struct crev_arg *a = arg;
	struct crev *c = a->c;
	int me = a->me;
	uint64_t v;

	pthread_barrier_wait(&c->bar);
	if (me == 2) {
		/* keep faulting until the zap lands */
		while (!atomic_load(&c->stop))
			if (child_probe(c->pb, false, &v) ||
			    child_probe(c->pg, false, &v))
				break;
		return NULL;
	}
	c->ret[me] = __secbuf_revoke(pool, c->buf,
				     me == 0 ? 0 : ((c->round & 1) ? c->gid : 0),
				     NULL);
	if (child_probe(c->pb, false, &v) != SIGBUS && me == 0)
		c->fail[me] |= 1;
	if (child_probe(c->pg, false, &v) != SIGBUS)
		c->fail[me] |= 2;
	return NULL;
}

struct sr {
	int buf, ret_seal, ret_imp;
	uint32_t h;
	int vgem;		/* import into this vgem file, or if -1: */
	struct secbuf_mapped_import imp;	/* a static importer that maps */
};

static void *importer(void *arg)
{
	struct sr *x = arg;

	if (x->vgem >= 0)
		x->ret_imp = __secbuf_prime_fd_to_handle(x->vgem, x->buf, &x->h);
	else
		x->ret_imp = __secbuf_mapped_import(x->buf, &x->imp);
	return NULL;
}

struct sw {
	int fd;
	atomic_int stop;
	atomic_long after_ok;
	atomic_int sealed;
	int bad;
};

static void *writer(void *arg)
{
	struct sw *x = arg;
	uint64_t i = 0;

	while (!atomic_load(&x->stop)) {
		int sealed = atomic_load(&x->sealed);
		uint64_t *p = pmap(x->fd, 4096, PROT_READ | PROT_WRITE);

		if (!p) {
			if (errno != EPERM)
				x->bad = errno;
			continue;
		}
		for (int k = 0; k < 16; k++) {
			uint64_t v = ++i;

			if (child_probe(&p[(i * 7) % 512], true, &v))
				break;
			if (sealed)
				atomic_fetch_add(&x->after_ok, 1);
		}
		munmap(p, 4096);
	}
	return NULL;
}

/* ---- vivid ------------------------------------------------------------- */

/*
 * Capture frames with vivid's vb2-vmalloc (kernel vmap of the dma-buf) into
 * two dma-bufs @a and @b; returns the number of frames dequeued.
 */
static int vivid_capture_into(int a, int b, uint32_t size)
{
	struct v4l2_buffer vb;
	int fd, frames = 0;

	fd = secbuf_vivid_open(V4L2_CAP_VIDEO_CAPTURE);
	secbuf_v4l2_reqbufs(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_DMABUF, 2);
	secbuf_v4l2_qbuf_dmabuf(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, a, size, 0);
	secbuf_v4l2_qbuf_dmabuf(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, 1, b, size, 0);
	secbuf_v4l2_streamon(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE);
	for (int i = 0; i < 2; i++) {
		if (__secbuf_v4l2_dqbuf(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE,
				 V4L2_MEMORY_DMABUF, &vb, 10000) == 0)
			frames++;
	}
	secbuf_v4l2_streamoff(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE);
	secbuf_v4l2_reqbufs(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_DMABUF, 0);
	secbuf_vivid_close(fd);
	return frames;
}

static void vivid_no_right(uint32_t rights, const char *missing)
{
	struct v4l2_format fmt;
	int vfd, buf, g1, g2;
	uint32_t size;
	uint64_t bsize;
	uint8_t *owner;
	int frames;

	secbuf_vivid_load("allocators=0");	/* vb2-vmalloc: dma_buf_vmap() */
	vfd = secbuf_vivid_open(V4L2_CAP_VIDEO_CAPTURE);
	secbuf_v4l2_g_fmt(vfd, V4L2_BUF_TYPE_VIDEO_CAPTURE, &fmt);
	size = fmt.fmt.pix.sizeimage;
	secbuf_vivid_close(vfd);
	igt_assert(size > 0);
	bsize = (size + 4095) & ~4095ULL;

	buf = secbuf_alloc(pool, bsize, 0, O_RDWR | O_CLOEXEC);
	owner = secbuf_mmap(buf, bsize, PROT_READ | PROT_WRITE);
	memset(owner, 0xa5, bsize);
	g1 = secbuf_grant(pool, buf, rights, NULL);
	g2 = secbuf_grant(pool, buf, rights, NULL);

	frames = vivid_capture_into(g1, g2, (uint32_t)bsize);
	igt_info("vivid captured %d frames into grants without %s\n", frames, missing);
	for (uint64_t i = 0; i < bsize; i++)
		igt_assert_f(owner[i] == 0xa5,
			     "a grant without %s let vivid (vb2-vmalloc, capture = "
			     "device/kernel writes) change the owner's buffer: byte %#"
			     PRIx64 " is %#x, not 0xa5 (%d frames)\n",
			     missing, i, owner[i], frames);
	close(g1);
	close(g2);
	secbuf_munmap(owner, bsize);
	close(buf);
	secbuf_vivid_restore();
	assert_used_zero("vivid capture");
}

/* ---- the subtests -------------------------------------------------------- */

igt_main
{
	igt_fixture {
		pool_name = secbuf_pool_name();
		pool = secbuf_open_pool(pool_name);
		probe_install();
	}

	/* ================= 1. escape the guarantees ================= */

	igt_describe("\"MAP_PRIVATE is refused with EINVAL, so no private copy "
		     "escapes the owner's control\": MAP_PRIVATE of the owner's "
		     "handle, a RW grant and a READ grant, also with MAP_FIXED "
		     "over an existing shared mapping.");
	igt_subtest("escape-map-private") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int rw = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, NULL);
		int ro = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		int fds[3] = { buf, rw, ro };
		const char *names[3] = { "owner", "RW grant", "READ grant" };

		for (int i = 0; i < 3; i++) {
			void *p;

			errno = 0;
			p = mmap(NULL, SECBUF_SZ_64K, PROT_READ, MAP_PRIVATE, fds[i], 0);
			igt_assert_f(p == MAP_FAILED && errno == EINVAL,
				     "MAP_PRIVATE of the %s handle: %s, expected EINVAL\n",
				     names[i], p == MAP_FAILED ? strerror(errno) : "worked");
			/* MAP_FIXED over a shared mapping of the same handle. */
			p = secbuf_mmap(fds[i], SECBUF_SZ_64K, PROT_READ);
			errno = 0;
			igt_assert_f(mmap(p, SECBUF_SZ_64K, PROT_READ, MAP_PRIVATE | MAP_FIXED,
					  fds[i], 0) == MAP_FAILED && errno == EINVAL,
				     "MAP_PRIVATE|MAP_FIXED of the %s handle: %s\n",
				     names[i], strerror(errno));
			munmap(p, SECBUF_SZ_64K);
		}
		close(ro);
		close(rw);
		close(buf);
		assert_used_zero("map-private");
	}

	igt_describe("\"secbuf mappings are VM_PFNMAP|VM_IO, so get_user_pages() "
		     "refuses them: process_vm_readv()/writev(), /proc/<pid>/mem, "
		     "vmsplice() ... all fail (EFAULT or EIO)\"; also io_uring "
		     "fixed buffers. No byte of the buffer may come out, none may go in.");
	igt_subtest("escape-gup-paths") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint64_t *p = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		char out[4096];
		int memfd, pipefd[2];
		ssize_t n;
		struct iovec local = { out, sizeof(out) }, remote = { p, sizeof(out) };

		secbuf_fill(p, SECBUF_SZ_64K, 11);
		memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		igt_assert_fd(memfd);
		n = pread(memfd, out, sizeof(out), (off_t)(uintptr_t)p);
		igt_assert_f(n < 0 && (errno == EFAULT || errno == EIO),
			     "read() of /proc/self/mem at the mapping returned %zd (%s)\n",
			     n, n < 0 ? strerror(errno) : "data came out");
		memset(out, 0x77, sizeof(out));
		n = pwrite(memfd, out, sizeof(out), (off_t)(uintptr_t)p);
		igt_assert_f(n < 0 && (errno == EFAULT || errno == EIO),
			     "write() of /proc/self/mem at the mapping returned %zd\n", n);
		close(memfd);

		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		igt_assert_f(n < 0 && (errno == EFAULT || errno == EIO),
			     "process_vm_readv of the mapping returned %zd\n", n);
		n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
		igt_assert_f(n < 0 && (errno == EFAULT || errno == EIO),
			     "process_vm_writev into the mapping returned %zd\n", n);

		igt_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
		n = vmsplice(pipefd[1], &remote, 1, 0);
		igt_assert_f(n < 0 && (errno == EFAULT || errno == EIO),
			     "vmsplice of the mapping returned %zd\n", n);
		close(pipefd[0]);
		close(pipefd[1]);

#ifdef SYS_io_uring_setup
		{
			struct { uint32_t sq_entries, cq_entries, flags, sq_thread_cpu,
				 sq_thread_idle, features, wq_fd, resv[3];
				 uint64_t off[10 + 10]; } params;
			int ring;

			memset(&params, 0, sizeof(params));
			ring = (int)syscall(SYS_io_uring_setup, 4, &params);
			if (ring >= 0) {
				struct iovec iov = { p, SECBUF_SZ_64K };
				long r = syscall(SYS_io_uring_register, ring,
						 0 /* IORING_REGISTER_BUFFERS */, &iov, 1);

				igt_assert_f(r < 0,
					     "io_uring accepted the mapping as a fixed buffer (pinned it)\n");
				close(ring);
			} else {
				igt_info("io_uring not available (%s): that path not tried\n",
					 strerror(errno));
			}
		}
#endif
		secbuf_assert_filled(p, SECBUF_SZ_64K, 11);
		secbuf_munmap(p, SECBUF_SZ_64K);
		close(buf);
		assert_used_zero("gup");
	}

	igt_describe("\"When the ioctl returns every CPU mapping ... has been zapped\" "
		     "and \"Memory is never reused while any ... CPU could still "
		     "reach it\": after REVOKE, kernel copies from the old mapping "
		     "(write() to a pipe, /proc/self/mem) must not deliver the "
		     "buffer's bytes.");
	igt_subtest("revoke-kernel-copy-from-dead-mapping") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint8_t *p = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		int pipefd[2];
		ssize_t n;

		memset(p, 0x3c, SECBUF_SZ_64K);
		secbuf_revoke(pool, buf, 0);
		igt_assert_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
		n = write(pipefd[1], p, 4096);
		if (n > 0) {
			uint8_t got[4096];

			igt_assert_eq(read(pipefd[0], got, (size_t)n), n);
			igt_assert_f(false, "write() from the revoked mapping copied %zd "
				     "bytes (first byte %#x)\n", n, got[0]);
		}
		igt_assert_f(n < 0 && errno == EFAULT,
			     "write() from the revoked mapping: %zd, %s (expected EFAULT)\n",
			     n, strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		assert_sigbus(p, false, "touching the mapping after REVOKE");
		secbuf_munmap(p, SECBUF_SZ_64K);
		close(buf);
		assert_used_zero("kernel copy");
	}

	igt_describe("\"A bound grant's mapping is VM_DONTCOPY: a child forked by "
		     "the bound process does not inherit it\" and \"mmap ... by any "
		     "other process give EACCES, even if it received the fd "
		     "legitimately\": madvise(MADV_DOFORK) then fork, the child "
		     "touches the range, maps the inherited fd, and maps a grant "
		     "derived without PIDFD from the bound one.");
	igt_subtest("escape-bound-grant-dofork") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int pidfd = secbuf_pidfd_open(getpid());
		uint64_t gid;
		int g = secbuf_grant_pidfd(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT,
					   pidfd, &gid);
		int derived = -1, ret, status;
		uint64_t *owner = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		uint64_t *p;
		pid_t pid;

		secbuf_fill(owner, SECBUF_SZ_64K, 5);
		ret = __secbuf_grant(pool, g, SECBUF_GRANT_READ, O_CLOEXEC, &derived, NULL);
		igt_assert_eq(ret, 0);
		p = secbuf_mmap(g, SECBUF_SZ_64K, PROT_READ);
		ret = madvise(p, SECBUF_SZ_64K, MADV_DOFORK);
		igt_info("madvise(MADV_DOFORK) on the bound mapping: %d (%s)\n",
			 ret, ret ? strerror(errno) : "accepted");
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			uint64_t v = 0;
			int sig = child_probe(p, false, &v);
			void *q;

			if (sig == 0)
				_exit(10);	/* read through the inherited range */
			q = mmap(NULL, SECBUF_SZ_64K, PROT_READ, MAP_SHARED, g, 0);
			if (q != MAP_FAILED)
				_exit(11);
			q = mmap(NULL, SECBUF_SZ_64K, PROT_READ, MAP_SHARED, derived, 0);
			if (q != MAP_FAILED)
				_exit(12);
			_exit(sig == SIGSEGV ? 0 : 13);
		}
		track_child(pid);
		reap_child(pid, &status);
		igt_assert_f(WIFEXITED(status), "child died: %d\n", status);
		igt_assert_f(WEXITSTATUS(status) != 10,
			     "a child of the bound process read the bound grant's mapping "
			     "(inherited after MADV_DOFORK)\n");
		igt_assert_f(WEXITSTATUS(status) != 11,
			     "a child (another process) mmapped the bound grant\n");
		igt_assert_f(WEXITSTATUS(status) != 12,
			     "a child mmapped a grant derived (without PIDFD) from a bound grant\n");
		igt_assert_f(WEXITSTATUS(status) != 13,
			     "touching the non-inherited range did not raise SIGSEGV\n");
		igt_assert_eq(WEXITSTATUS(status), 0);
		secbuf_munmap(p, SECBUF_SZ_64K);
		secbuf_munmap(owner, SECBUF_SZ_64K);
		close(derived);
		close(g);
		close(pidfd);
		close(buf);
		assert_used_zero("bound");
	}

	igt_describe("\"mmap ... of a bound grant by another process give EACCES, "
		     "even if it received the fd legitimately\": the parent steals a "
		     "grant bound to its child with pidfd_getfd() and maps it; the "
		     "child is then asked to map it after the parent mapped it.");
	igt_subtest("escape-bound-grant-other-process") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int go[2], status, cpidfd, stolen;
		pid_t pid;
		int g;
		void *p;

		igt_assert_eq(pipe2(go, O_CLOEXEC), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(2);
			_exit(0);
		}
		track_child(pid);
		close(go[0]);
		cpidfd = secbuf_pidfd_open(pid);
		g = secbuf_grant_pidfd(pool, buf, SECBUF_GRANT_READ, cpidfd, NULL);
		/* The granting parent is "another process": a dup of the fd. */
		stolen = dup(g);
		igt_assert_fd(stolen);
		p = mmap(NULL, SECBUF_SZ_64K, PROT_READ, MAP_SHARED, stolen, 0);
		igt_assert_f(p == MAP_FAILED && errno == EACCES,
			     "the parent mapped a grant bound to its child: %s\n",
			     p == MAP_FAILED ? strerror(errno) : "worked");
		igt_assert_eq(write(go[1], "x", 1), 1);
		close(go[1]);
		reap_child(pid, &status);
		close(stolen);
		close(g);
		close(cpidfd);
		close(buf);
		assert_used_zero("pidfd_getfd");
	}

	/* ================= 2. escalate rights ================= */

	igt_describe("\"without [WRITE] the grant's file is O_RDONLY, and PROT_WRITE "
		     "gives EACCES; mprotect cannot add write either\": fcntl(F_SETFL, "
		     "O_RDWR), dup(), reopening /proc/self/fd/N and "
		     "/proc/self/map_files/... O_RDWR, mprotect.");
	igt_subtest("escalate-readonly-reopen") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int ro = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		uint8_t *owner = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		char path[128];
		void *p, *q;
		int d, r;

		memset(owner, 0x11, SECBUF_SZ_64K);
		fcntl(ro, F_SETFL, O_RDWR);
		p = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
		igt_assert_f(p == MAP_FAILED && errno == EACCES,
			     "PROT_WRITE of a READ grant after F_SETFL O_RDWR: %s\n",
			     p == MAP_FAILED ? strerror(errno) : "worked");
		d = dup(ro);
		p = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, d, 0);
		igt_assert_f(p == MAP_FAILED && errno == EACCES,
			     "PROT_WRITE of a dup of a READ grant: %s\n",
			     p == MAP_FAILED ? strerror(errno) : "worked");
		close(d);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", ro);
		r = open(path, O_RDWR | O_CLOEXEC);
		igt_info("reopen of the READ grant through %s O_RDWR: %s\n", path,
			 r < 0 ? strerror(errno) : "opened");
		if (r >= 0) {
			struct secbuf_query qy;

			p = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0);
			igt_assert_f(p == MAP_FAILED,
				     "a READ grant reopened O_RDWR through /proc mapped PROT_WRITE\n");
			if (__secbuf_query(pool, r, &qy) == 0)
				igt_assert_f(!(qy.rights & SECBUF_GRANT_WRITE),
					     "reopened READ grant has rights %#x\n", qy.rights);
			close(r);
		}

		q = secbuf_mmap(ro, SECBUF_SZ_64K, PROT_READ);
		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
			 (unsigned long)(uintptr_t)q,
			 (unsigned long)(uintptr_t)q + (unsigned long)SECBUF_SZ_64K);
		r = open(path, O_RDWR | O_CLOEXEC);
		igt_info("open of %s O_RDWR: %s\n", path, r < 0 ? strerror(errno) : "opened");
		if (r >= 0) {
			p = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0);
			igt_assert_f(p == MAP_FAILED,
				     "a READ grant's mapping reopened through map_files mapped PROT_WRITE\n");
			close(r);
		}
		r = mprotect(q, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		igt_assert_f(r != 0, "mprotect(PROT_WRITE) on a READ grant's mapping worked\n");
		if (r == 0)
			memset(q, 0x22, SECBUF_SZ_64K);
		secbuf_munmap(q, SECBUF_SZ_64K);
		for (int i = 0; i < (int)SECBUF_SZ_64K; i++)
			igt_assert_f(owner[i] == 0x11, "byte %d changed through a READ grant\n", i);
		secbuf_munmap(owner, SECBUF_SZ_64K);
		close(ro);
		close(buf);
		assert_used_zero("reopen");
	}

	igt_describe("\"SECBUF_GRANT_READ allows mmap (without it: EACCES)\": a "
		     "grant with WRITE but no READ, and one with only DMA, mmapped "
		     "PROT_NONE then mprotect(PROT_READ), or PROT_WRITE directly.");
	igt_subtest("escalate-no-read-prot-none") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint32_t rights[2] = { SECBUF_GRANT_WRITE, SECBUF_GRANT_DMA };
		const char *names[2] = { "WRITE-only", "DMA-only" };
		uint64_t *owner = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);

		secbuf_fill(owner, SECBUF_SZ_64K, 21);
		for (int i = 0; i < 2; i++) {
			int g = secbuf_grant(pool, buf, rights[i], NULL);
			void *p;

			p = mmap(NULL, SECBUF_SZ_64K, PROT_NONE, MAP_SHARED, g, 0);
			if (p != MAP_FAILED) {
				uint64_t v = 0;
				int r = mprotect(p, SECBUF_SZ_64K, PROT_READ);
				int sig = r ? -1 : probe(p, false, &v);

				munmap(p, SECBUF_SZ_64K);
				igt_assert_f(false, "a %s grant (no READ) was mmapped PROT_NONE; "
					     "mprotect(PROT_READ) %s; read %s (%#" PRIx64 ")\n",
					     names[i], r ? "failed" : "worked",
					     sig == 0 ? "the owner's data" : "nothing", v);
			}
			igt_assert_f(errno == EACCES, "%s PROT_NONE mmap: %s\n",
				     names[i], strerror(errno));
			p = mmap(NULL, SECBUF_SZ_64K, PROT_WRITE, MAP_SHARED, g, 0);
			igt_assert_f(p == MAP_FAILED && errno == EACCES,
				     "%s grant mmap PROT_WRITE: %s\n", names[i],
				     p == MAP_FAILED ? strerror(errno) : "worked");
			close(g);
		}
		secbuf_munmap(owner, SECBUF_SZ_64K);
		close(buf);
		assert_used_zero("no-read");
	}

	igt_describe("\"Rights only narrow: asking for a right the source fd lacks "
		     "gives EPERM\", \"A grant with SECBUF_GRANT_REGRANT may derive "
		     "narrower grants, nothing else\", and \"Only the owner may revoke, "
		     "seal, open ... a DMA window, grant from any handle, or list "
		     "grants ... also a process holding the owner's own dma-buf fd "
		     "through another pool file\".");
	igt_subtest("escalate-regrant-and-foreign-pool-file") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int other = secbuf_open_pool(pool_name);
		char path[128];
		int rofile, rr, r, ro, fd = -1, ret;
		uint64_t rr_id;
		struct secbuf_grant_list gl = { 0 };
		struct secbuf_query qy;

		snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool_name);
		rofile = open(path, O_RDONLY | O_CLOEXEC);
		igt_assert_fd(rofile);
		rr = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT, &rr_id);
		ro = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);

		for (int pf = 0; pf < 2; pf++) {
			int f = pf ? rofile : other;

			ret = __secbuf_grant(f, rr, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, 0, &fd, NULL);
			igt_assert_f(ret == -EPERM, "READ|REGRANT derived WRITE: %d\n", ret);
			ret = __secbuf_grant(f, rr, SECBUF_GRANT_READ | SECBUF_GRANT_DMA, 0, &fd, NULL);
			igt_assert_f(ret == -EPERM, "READ|REGRANT derived DMA: %d\n", ret);
			ret = __secbuf_grant(f, ro, SECBUF_GRANT_READ, 0, &fd, NULL);
			igt_assert_f(ret == -EPERM, "a grant without REGRANT derived: %d\n", ret);
			/* The owner's own handle through a non-owning pool file. */
			ret = __secbuf_grant(f, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, 0, &fd, NULL);
			igt_assert_f(ret == -EPERM, "granting from the owner's fd through a "
				     "non-owner pool file: %d (%s)\n", ret, ret == 0 ? "granted" : strerror(-ret));
			ret = __secbuf_revoke(f, buf, 0, NULL);
			igt_assert_f(ret == -EPERM, "REVOKE through a non-owner pool file: %d\n", ret);
			ret = __secbuf_revoke(f, rr, rr_id, NULL);
			igt_assert_f(ret == -EPERM, "REVOKE of a grant through a non-owner pool file: %d\n", ret);
			ret = __secbuf_seal(f, buf, SECBUF_SEAL_GRANT, NULL);
			igt_assert_f(ret == -EPERM, "SEAL through a non-owner pool file: %d\n", ret);
			ret = __secbuf_dma_begin(f, buf, SECBUF_DMA_STRICT, NULL);
			igt_assert_f(ret == -EPERM, "DMA_BEGIN through a non-owner pool file: %d\n", ret);
			if (ret == 0)
				__secbuf_dma_end(f, buf);
			gl.buf_fd = (uint32_t)rr;
			gl.count = 0;
			ret = __secbuf_grant_list(f, &gl);
			igt_assert_f(ret == -EPERM, "GRANT_LIST through a non-owner pool file: %d\n", ret);
			/* A REGRANT holder's REVOKE with its own grant. */
			ret = __secbuf_revoke(f, rr, 0, NULL);
			igt_assert_f(ret == -EPERM, "REVOKE by a REGRANT holder: %d\n", ret);
		}
		/* A legitimate narrower derivation stays narrow. */
		r = -1;
		igt_assert_eq(__secbuf_grant(rofile, rr, SECBUF_GRANT_READ, O_CLOEXEC, &r, NULL), 0);
		secbuf_query(rofile, r, &qy);
		igt_assert_eq_u32(qy.rights, SECBUF_GRANT_READ);
		ret = __secbuf_grant(rofile, r, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EPERM, "a derived READ grant (no REGRANT) derived: %d\n", ret);
		close(r);
		close(ro);
		close(rr);
		close(rofile);
		close(other);
		close(buf);
		assert_used_zero("regrant");
	}

	igt_describe("\"a secbuf dma-buf of another pool gives EINVAL\" and heap "
		     "buffers \"cannot be revoked or granted (EPERM through "
		     "/dev/secbuf)\": use a buffer of one pool on the other pool's "
		     "file; manage a /dev/dma_heap buffer.");
	igt_subtest("escalate-other-pool-and-heap") {
		int other = secbuf_open_pool(secbuf_pool2_name());
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int heap = secbuf_open_heap(pool_name);
		int hbuf = secbuf_heap_alloc(heap, SECBUF_SZ_64K, O_RDWR | O_CLOEXEC, 0);
		int fd = -1, ret;

		ret = __secbuf_grant(other, buf, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EINVAL, "GRANT of a buffer of pool %s via pool %s: %d\n",
			     pool_name, secbuf_pool2_name(), ret);
		ret = __secbuf_revoke(other, buf, 0, NULL);
		igt_assert_f(ret == -EINVAL, "REVOKE via another pool: %d\n", ret);
		ret = __secbuf_seal(other, buf, SECBUF_SEAL_WRITE, NULL);
		igt_assert_f(ret == -EINVAL, "SEAL via another pool: %d\n", ret);

		ret = __secbuf_revoke(pool, hbuf, 0, NULL);
		igt_assert_f(ret == -EPERM, "REVOKE of a heap buffer: %d\n", ret);
		ret = __secbuf_grant(pool, hbuf, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EPERM, "GRANT of a heap buffer: %d\n", ret);
		ret = __secbuf_seal(pool, hbuf, SECBUF_SEAL_WRITE, NULL);
		igt_assert_f(ret == -EPERM, "SEAL of a heap buffer via /dev/secbuf: %d\n", ret);
		close(hbuf);
		close(heap);
		close(buf);
		close(other);
		assert_used_zero("other pool");
	}

	igt_describe("\"SECBUF_GRANT_WRITE allows writable mappings\" and an "
		     "importer is trusted \"to write only through mappings secbuf "
		     "allowed for writing\": vivid capture (vb2-vmalloc, a kernel "
		     "vmap the device writes) into grants with READ|DMA but no WRITE "
		     "must not change the owner's buffer.");
	igt_subtest("escalate-vivid-capture-no-write") {
		vivid_no_right(SECBUF_GRANT_READ | SECBUF_GRANT_DMA, "WRITE");
	}

	igt_describe("\"a grant without [DMA] ... gets a private zeroed mapping "
		     "instead: the device driver works on it, the buffer's memory "
		     "never changes\": vivid capture (vb2-vmalloc) into READ|WRITE "
		     "grants without DMA.");
	igt_subtest("escalate-vivid-capture-no-dma") {
		vivid_no_right(SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, "DMA");
	}

	/* ================= 3. keep access after revoke ================= */

	igt_describe("\"every CPU mapping of every handle, in every process, has "
		     "been zapped\": a mapping split by munmap and mprotect, a piece "
		     "moved with mremap, and a forked child's copies must all SIGBUS "
		     "after REVOKE; growing mremap is EFAULT.");
	igt_subtest("revoke-split-moved-forked-mappings") {
		size_t pg = secbuf_page_size(), len = 8 * pg;
		int buf = secbuf_alloc(pool, len, 0, O_RDWR | O_CLOEXEC);
		uint8_t *p = secbuf_mmap(buf, len, PROT_READ | PROT_WRITE);
		uint8_t *moved, *pieces[4];
		int go[2], res[2], status;
		void *r;
		pid_t pid;
		char c;

		memset(p, 0x5a, len);
		r = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
		igt_assert_f(r == MAP_FAILED && errno == EFAULT,
			     "growing mremap: %s\n", r == MAP_FAILED ? strerror(errno) : "worked");
		secbuf_munmap(p + pg, pg);
		igt_assert_eq(mprotect(p + 4 * pg, 2 * pg, PROT_READ), 0);
		moved = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(moved != MAP_FAILED);
		r = mremap(p + 6 * pg, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, moved);
		igt_assert_f(r == moved, "mremap move: %s\n", strerror(errno));
		pieces[0] = p;
		pieces[1] = p + 2 * pg;
		pieces[2] = p + 4 * pg;
		pieces[3] = moved + pg;
		for (int i = 0; i < 4; i++)
			igt_assert_eq(pieces[i][0], 0x5a);

		igt_assert_eq(pipe2(go, O_CLOEXEC), 0);
		igt_assert_eq(pipe2(res, O_CLOEXEC), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			int bad = 0;

			for (int i = 0; i < 4; i++)	/* populate the child's PTEs */
				bad |= pieces[i][0] != 0x5a;
			if (write(res[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
				_exit(2);
			for (int i = 0; i < 4; i++) {
				uint64_t v = 0;

				if (child_probe(pieces[i], false, &v) != SIGBUS)
					bad |= 1 << (i + 1);
			}
			_exit(bad);
		}
		track_child(pid);
		igt_assert_eq(read(res[0], &c, 1), 1);
		secbuf_revoke(pool, buf, 0);
		for (int i = 0; i < 4; i++)
			assert_sigbus(pieces[i], false, "piece of a split/moved mapping after REVOKE");
		igt_assert_eq(write(go[1], "g", 1), 1);
		reap_child(pid, &status);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "forked child's copies after REVOKE: status %#x (bit i+1: piece i still readable)\n",
			     status);
		close(go[0]); close(go[1]); close(res[0]); close(res[1]);
		munmap(p, 6 * pg);
		munmap(moved, 2 * pg);
		close(buf);
		assert_used_zero("split");
	}

	igt_describe("\"An importer that honours the notice unmaps, cannot map "
		     "again (ENODEV)\", \"new mmap fails with ENODEV, DMA_BUF_IOCTL_SYNC "
		     "with ENODEV\": a vgem import made before REVOKE, exported back "
		     "to a dma-buf fd afterwards, must not map or sync, a new import "
		     "must fail, and the quarantine must go when vgem lets go. "
		     "Before 7.0 vgem's import maps the buffer, so REVOKE "
		     "reports it quarantined; on 7.x the import only attaches "
		     "and REVOKE must report 0 bytes quarantined.");
	igt_subtest("revoke-vgem-import-reexport") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				     SECBUF_GRANT_DMA, NULL);
		int vgem = secbuf_open_vgem(), vgem2 = secbuf_open_vgem();
		uint32_t h = prime_fd_to_handle(vgem, g), h2;
		uint64_t q = secbuf_revoke(pool, buf, 0);
		int again, ret;
		void *p;

		igt_info("quarantined after REVOKE with a vgem import: %" PRIu64 "\n", q);
		if (secbuf_vgem_import_maps())
			igt_assert_f(q >= SECBUF_SZ_1M, "REVOKE with vgem (static importer) mapped reported "
				     "quarantined_bytes %" PRIu64 " < %llu\n", q, SECBUF_SZ_1M);
		else
			igt_assert_f(q == 0, "REVOKE with a vgem import that only attaches "
				     "(7.x) reported quarantined_bytes %" PRIu64 ", expected 0\n", q);
		again = prime_handle_to_fd(vgem, h);
		p = pmap(again, SECBUF_SZ_1M, PROT_READ);
		igt_assert_f(!p && errno == ENODEV, "mmap of the re-exported import after REVOKE: %s\n",
			     p ? "worked" : strerror(errno));
		ret = __secbuf_dmabuf_sync(again, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		igt_assert_f(ret == -ENODEV, "SYNC of the re-exported import: %d\n", ret);
		ret = __secbuf_prime_fd_to_handle(vgem2, again, &h2);
		igt_assert_f(ret == -ENODEV, "new vgem import of a revoked buffer: %d\n", ret);
		if (ret == 0)
			gem_close(vgem2, h2);
		close(again);
		gem_close(vgem, h);
		close(vgem);
		close(vgem2);
		close(g);
		close(buf);
		assert_used_zero("vgem import released");
	}

	for (int close_root = 0; close_root < 2; close_root++) {
	igt_describe_f("\"through every grant derived from N with REGRANT (at any "
		     "depth, also through derived grants whose fds were closed "
		     "since), lose access\" and \"deriving from a revoked grant gives "
		     "ENODEV\": G1 -> G2 -> G3 -> G4 with G2's fd closed%s; "
		     "revoke G1 and G3/G4 must be dead, a sibling G5 alive.",
		     close_root ? " and G1's own fd closed by the holder (the "
		     "owner must still be able to revoke G1 by id)" : "");
	igt_subtest_f("revoke-grant-chain-closed-%s", close_root ? "root" : "middle") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int rofile;
		char path[128];
		uint64_t g1id;
		int g1 = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT, &g1id);
		int g5 = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		int g2 = -1, g3 = -1, g4 = -1, fd = -1, ret;
		uint64_t *m3, *m4, *m5, *owner, v;
		struct secbuf_query qy;

		snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool_name);
		rofile = open(path, O_RDONLY | O_CLOEXEC);
		igt_assert_fd(rofile);
		owner = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		secbuf_fill(owner, SECBUF_SZ_64K, 9);
		igt_assert_eq(__secbuf_grant(rofile, g1, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT,
					     O_CLOEXEC, &g2, NULL), 0);
		if (close_root)
			close(g1);
		igt_assert_eq(__secbuf_grant(rofile, g2, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT,
					     O_CLOEXEC, &g3, NULL), 0);
		close(g2);
		igt_assert_eq(__secbuf_grant(rofile, g3, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT,
					     O_CLOEXEC, &g4, NULL), 0);
		m3 = secbuf_mmap(g3, SECBUF_SZ_64K, PROT_READ);
		m4 = secbuf_mmap(g4, SECBUF_SZ_64K, PROT_READ);
		m5 = secbuf_mmap(g5, SECBUF_SZ_64K, PROT_READ);
		igt_assert_eq_u64(m3[1], owner[1]);
		igt_assert_eq_u64(m4[1], owner[1]);
		igt_assert_eq_u64(m5[1], owner[1]);

		ret = __secbuf_revoke(pool, buf, g1id, NULL);
		igt_assert_f(ret == 0, "REVOKE of grant G1 (id %" PRIu64 ") %s returned %s: "
			     "the owner cannot cut off the grants derived from it\n",
			     g1id, close_root ? "whose own fd was closed after deriving G2" : "",
			     strerror(-ret));
		assert_sigbus(m3, false, "grant derived from revoked G1 (G2 closed)");
		assert_sigbus(m4, false, "grant derived two levels below revoked G1");
		v = 0;
		igt_assert_f(probe(m5, false, &v) == 0 && v == owner[0],
			     "sibling grant lost access after another grant's revocation\n");
		ret = __secbuf_grant(rofile, g4, SECBUF_GRANT_READ, O_CLOEXEC, &fd, NULL);
		igt_assert_f(ret == -ENODEV, "deriving from a grant under a revoked one: %d\n", ret);
		igt_assert_f(!pmap(g3, SECBUF_SZ_64K, PROT_READ) && errno == ENODEV,
			     "mmap of a grant under a revoked one: %s\n", strerror(errno));
		secbuf_query(rofile, g4, &qy);
		igt_assert_f(qy.handle_state == SECBUF_STATE_REVOKED,
			     "QUERY of a grant under a revoked one: handle_state %u\n", qy.handle_state);
		secbuf_munmap(m3, SECBUF_SZ_64K);
		secbuf_munmap(m4, SECBUF_SZ_64K);
		secbuf_munmap(m5, SECBUF_SZ_64K);
		secbuf_munmap(owner, SECBUF_SZ_64K);
		close(g3); close(g4); close(g5); close(rofile);
		if (!close_root)
			close(g1);
		close(buf);
		assert_used_zero("chain");
	}
	}

	igt_describe("\"deriving from a revoked grant gives ENODEV, also when the "
		     "revocation races the SECBUF_IOC_GRANT\" and \"A revoked client "
		     "cannot keep access through a grant it derived earlier\": a holder "
		     "thread derives and maps grants from G1 (and from its own "
		     "derivations) while the owner revokes G1; afterwards every "
		     "derived grant must be revoked and every mapping SIGBUS.");
	igt_subtest("revoke-grant-races-regrant") {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool_name);
		for (int round = 0; round < 8; round++) {
			int buf = secbuf_alloc(pool, 4096, 0, O_RDWR | O_CLOEXEC);
			uint64_t g1id;
			int g1 = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT, &g1id);
			struct race *r = calloc(1, sizeof(*r));
			pthread_t t;

			igt_assert(r);
			pthread_mutex_init(&r->lock, NULL);
			r->derive_from = g1;
			r->holder_pool = open(path, O_RDONLY | O_CLOEXEC);
			igt_assert_fd(r->holder_pool);
			igt_assert_eq(pthread_create(&t, NULL, regrant_thread, r), 0);
			usleep(1000 * (round * 3 % 17));
			secbuf_revoke(pool, buf, g1id);
			atomic_store(&r->revoked, 1);
			usleep(20000);
			atomic_store(&r->stop, 1);
			pthread_join(t, NULL);
			igt_info("round %d: %d grants derived, %d mappings\n", round, r->nfds, r->nmaps);
			igt_assert_f(r->late_success == 0,
				     "%d derivations that began after REVOKE of G1 returned succeeded\n",
				     r->late_success);
			igt_assert_f(r->bad_errno == 0, "derivation failed with %s, not ENODEV\n",
				     strerror(r->bad_errno));
			for (int i = 0; i < r->nfds; i++) {
				struct secbuf_query qy;

				secbuf_query(r->holder_pool, r->fds[i], &qy);
				igt_assert_f(qy.handle_state == SECBUF_STATE_REVOKED,
					     "round %d: grant %d derived (transitively) from G1 "
					     "is not revoked after REVOKE(G1): handle_state %u, grant_id %" PRIu64 "\n",
					     round, i, qy.handle_state, (uint64_t)qy.grant_id);
				igt_assert_f(!pmap(r->fds[i], 4096, PROT_READ) && errno == ENODEV,
					     "round %d: mmap of derived grant %d after REVOKE(G1): %s\n",
					     round, i, strerror(errno));
			}
			for (int i = 0; i < r->nmaps; i++)
				assert_sigbus(r->maps[i], false, "mapping of a grant derived from revoked G1");
			for (int i = 0; i < r->nmaps; i++)
				munmap(r->maps[i], 4096);
			for (int i = 0; i < r->nfds; i++)
				close(r->fds[i]);
			close(r->holder_pool);
			free(r);
			close(g1);
			close(buf);
		}
		assert_used_zero("regrant race");
	}

	igt_describe("\"When the ioctl returns: every CPU mapping of every handle, "
		     "in every process, has been zapped ... a later touch raises "
		     "SIGBUS\": threads mmap and fault a grant and a thread forks "
		     "children holding the mappings while the owner revokes; after "
		     "REVOKE returns, no mapping anywhere may read.");
	igt_subtest("revoke-races-mmap-fault-fork") {
		for (int round = 0; round < 4; round++) {
			int buf = secbuf_alloc(pool, 4096, 0, O_RDWR | O_CLOEXEC);
			int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
			struct race *r = calloc(1, sizeof(*r));
			pthread_t t[2];
			pid_t kids[4];
			int go[2], nkids = 0, status;

			igt_assert(r);
			pthread_mutex_init(&r->lock, NULL);
			r->fd = g;
			igt_assert_eq(pipe2(go, O_CLOEXEC), 0);
			for (int i = 0; i < 2; i++)
				igt_assert_eq(pthread_create(&t[i], NULL, mapper_thread, r), 0);
			for (int k = 0; k < 4; k++) {
				pid_t pid;

				usleep(2000 + 3000 * round);
				pthread_mutex_lock(&r->lock);
				pid = fork();
				if (pid == 0) {
					int n = r->nmaps, bad = 0;
					void *maps[512];
					char c;

					memcpy(maps, r->maps, sizeof(void *) * (size_t)n);
					if (read(go[0], &c, 1) != 1)
						_exit(2);
					for (int i = 0; i < n; i++) {
						uint64_t v;

						if (child_probe(maps[i], false, &v) != SIGBUS)
							bad = 1;
					}
					_exit(bad);
				}
				pthread_mutex_unlock(&r->lock);
				igt_assert(pid > 0);
				kids[nkids++] = pid;
				track_child(pid);
				if (k == 1) {
					secbuf_revoke(pool, buf, 0);
					atomic_store(&r->revoked, 1);
				}
			}
			atomic_store(&r->stop, 1);
			pthread_join(t[0], NULL);
			pthread_join(t[1], NULL);
			for (int k = 0; k < nkids; k++)
				igt_assert_eq(write(go[1], "gggg", 1), 1);
			for (int i = 0; i < r->nmaps; i++)
				assert_sigbus(r->maps[i], false, "mapping after REVOKE returned (raced mmap/fault)");
			igt_assert_f(r->late_success == 0, "%d mmaps that began after REVOKE returned worked\n",
				     r->late_success);
			igt_assert_f(r->bad_errno == 0, "mmap during revoke failed with %s\n",
				     strerror(r->bad_errno));
			for (int k = 0; k < nkids; k++) {
				reap_child(kids[k], &status);
				igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
					     "round %d: forked child %d still read a mapping after REVOKE "
					     "(status %#x)\n", round, k, status);
			}
			igt_info("round %d: %d mappings\n", round, r->nmaps);
			for (int i = 0; i < r->nmaps; i++)
				munmap(r->maps[i], 4096);
			close(go[0]);
			close(go[1]);
			free(r);
			close(g);
			close(buf);
		}
		assert_used_zero("revoke race");
	}

	/* Concurrent revokes: each revoker probes right after its own return. */
	igt_describe("\"When the ioctl returns ... a later touch raises SIGBUS\" and "
		     "\"Revoking again succeeds\": two threads REVOKE the buffer (and "
		     "one grant) at the same time while a third keeps faulting; after "
		     "EVERY REVOKE returns, the returning thread touches the mappings.");
	igt_subtest("revoke-concurrent-revoke") {
		for (int round = 0; round < 20; round++) {
			struct crev *c = calloc(1, sizeof(*c));
			pthread_t t[3];
			struct crev_arg a[3];

			igt_assert(c);
			c->buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
			c->g = secbuf_grant(pool, c->buf, SECBUF_GRANT_READ, &c->gid);
			c->pb = secbuf_mmap(c->buf, SECBUF_SZ_64K, PROT_READ);
			c->pg = secbuf_mmap(c->g, SECBUF_SZ_64K, PROT_READ);
			pthread_barrier_init(&c->bar, NULL, 3);

			c->round = round;
			for (int i = 0; i < 3; i++) {
				a[i].c = c;
				a[i].me = i;
			}
			for (int i = 0; i < 3; i++)
				igt_assert_eq(pthread_create(&t[i], NULL, revoker, &a[i]), 0);
			pthread_join(t[0], NULL);
			pthread_join(t[1], NULL);
			atomic_store(&c->stop, 1);
			pthread_join(t[2], NULL);
			igt_assert_f(c->ret[0] == 0 && c->ret[1] == 0,
				     "round %d: concurrent REVOKEs returned %d and %d\n",
				     round, c->ret[0], c->ret[1]);
			igt_assert_f(c->fail[0] == 0,
				     "round %d: after REVOKE(buffer) returned in thread 0, %s%s still readable\n",
				     round, c->fail[0] & 1 ? "the owner's mapping " : "",
				     c->fail[0] & 2 ? "the grant's mapping" : "");
			igt_assert_f(c->fail[1] == 0,
				     "round %d: after concurrent REVOKE(%s) returned in thread 1, "
				     "the grant's mapping still readable\n", round,
				     (round & 1) ? "grant" : "buffer");
			munmap(c->pb, SECBUF_SZ_64K);
			munmap(c->pg, SECBUF_SZ_64K);
			close(c->g);
			close(c->buf);
			pthread_barrier_destroy(&c->bar);
			free(c);
		}
		assert_used_zero("concurrent revoke");
	}

	igt_describe("\"Without quarantine, the memory is back in the pool before "
		     "the ioctl returns\", \"Memory is never reused while any ... CPU "
		     "could still reach it\" and \"zeroed before anyone gets it "
		     "again\": after REVOKE the old mappings of the owner and a "
		     "grant, kept open, must keep raising SIGBUS while a new owner "
		     "fills the pool and writes to it, and must never show its bytes.");
	igt_subtest("revoke-reuse-stale-mappings") {
		struct secbuf_pool_info info;
		int buf = secbuf_alloc(pool, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, NULL);
		uint64_t *po = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		uint64_t *pg = secbuf_mmap(g, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		int other, fds[256], n = 0;
		uint64_t q;

		secbuf_fill(po, SECBUF_SZ_1M, 1);
		q = secbuf_revoke(pool, buf, 0);
		secbuf_pool_info(pool, &info);
		igt_assert_f(q == 0 && info.used_bytes == 0,
			     "REVOKE without importers: quarantined %" PRIu64 ", used_bytes %" PRIu64
			     " (the memory must be back before REVOKE returns)\n",
			     q, (uint64_t)info.used_bytes);
		other = secbuf_open_pool(pool_name);
		for (;;) {
			int fd = -1, ret = __secbuf_alloc(other, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC, &fd);
			uint64_t *p;

			if (ret == -ENOMEM || ret == -EDQUOT || n == 256)
				break;
			igt_assert_eq(ret, 0);
			fds[n++] = fd;
			p = secbuf_mmap(fd, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
			secbuf_assert_zero(p, SECBUF_SZ_1M);
			secbuf_fill(p, SECBUF_SZ_1M, 1000 + (uint64_t)n);
			secbuf_munmap(p, SECBUF_SZ_1M);
		}
		igt_info("new owner got %d buffers of 1 MiB\n", n);
		for (size_t off = 0; off < SECBUF_SZ_1M / 8; off += 4096 / 8) {
			assert_sigbus(&po[off], false, "old owner mapping after reuse");
			assert_sigbus(&pg[off], true, "old grant mapping (write) after reuse");
		}
		for (int i = 0; i < n; i++)
			close(fds[i]);
		close(other);
		secbuf_munmap(po, SECBUF_SZ_1M);
		secbuf_munmap(pg, SECBUF_SZ_1M);
		close(g);
		close(buf);
		assert_used_zero("reuse");
	}

	/* ================= 4. bypass seals ================= */

	igt_describe("\"SECBUF_SEAL_WRITE: ... A write through any mapping, old or "
		     "new, raises SIGBUS ... a mapping made after the seal cannot gain "
		     "write with mprotect() (EACCES)\": old writable mappings moved with "
		     "mremap, downgraded and re-upgraded with mprotect, inherited by "
		     "fork, and a WRITE grant made after the seal.");
	igt_subtest("seal-write-old-mappings") {
		size_t pg = secbuf_page_size();
		int buf = secbuf_alloc(pool, 4 * pg, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, NULL);
		uint8_t *p = secbuf_mmap(buf, 4 * pg, PROT_READ | PROT_WRITE);
		uint8_t *pgm = secbuf_mmap(g, 4 * pg, PROT_READ | PROT_WRITE);
		uint8_t *moved, *q;
		int g2, status;
		pid_t pid;

		memset(p, 0x42, 4 * pg);
		moved = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(moved != MAP_FAILED);
		secbuf_seal(pool, buf, SECBUF_SEAL_WRITE);
		/* Moved after the seal. */
		igt_assert(mremap(pgm + 3 * pg, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, moved) == moved);
		/* Downgraded, then upgraded again. */
		igt_assert_eq(mprotect(p + pg, pg, PROT_READ), 0);
		mprotect(p + pg, pg, PROT_READ | PROT_WRITE);
		assert_sigbus(p, true, "write through the owner's pre-seal mapping");
		assert_sigbus(p + pg, true, "write after mprotect down and up again");
		assert_sigbus(pgm, true, "write through a grant's pre-seal mapping");
		assert_sigbus(moved, true, "write through a pre-seal mapping moved by mremap");
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			uint64_t v = 0x99;

			_exit(child_probe(p + 2 * pg, true, &v) == SIGBUS ? 0 : 1);
		}
		track_child(pid);
		reap_child(pid, &status);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "a forked child wrote through an inherited pre-seal mapping\n");
		g2 = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, NULL);
		q = pmap(g2, 4 * pg, PROT_READ | PROT_WRITE);
		igt_assert_f(!q && errno == EPERM, "PROT_WRITE mmap of a post-seal WRITE grant: %s\n",
			     q ? "worked" : strerror(errno));
		q = secbuf_mmap(g2, 4 * pg, PROT_READ);
		igt_assert_f(mprotect(q, 4 * pg, PROT_READ | PROT_WRITE) && errno == EACCES,
			     "mprotect(PROT_WRITE) of a post-seal mapping: %s\n", strerror(errno));
		for (size_t i = 0; i < 4 * pg; i++)
			igt_assert_f(q[i] == 0x42, "sealed byte %zu is %#x\n", i, q[i]);
		munmap(q, 4 * pg);
		munmap(p, 4 * pg);
		munmap(pgm, 3 * pg);
		munmap(moved, pg);
		close(g2);
		close(g);
		close(buf);
		assert_used_zero("seal old mappings");
	}

	igt_describe("\"SECBUF_SEAL_WRITE ... content frozen\": after the seal the "
		     "kernel writing into an old writable mapping for us (read() from "
		     "a pipe, /proc/self/mem, process_vm_writev) must fail and change "
		     "nothing.");
	igt_subtest("seal-write-kernel-writes") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint8_t *p = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		uint8_t src[4096];
		int pipefd[2], memfd;
		struct iovec l = { src, sizeof(src) }, r = { p, sizeof(src) };
		ssize_t n;
		int ro;
		uint8_t *check;

		memset(p, 0x42, SECBUF_SZ_64K);
		secbuf_seal(pool, buf, SECBUF_SEAL_WRITE);
		memset(src, 0xee, sizeof(src));
		igt_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
		igt_assert_eq(write(pipefd[1], src, sizeof(src)), (ssize_t)sizeof(src));
		n = read(pipefd[0], p, sizeof(src));
		igt_assert_f(n < 0, "read() from a pipe into a write-sealed buffer's old "
			     "mapping copied %zd bytes\n", n);
		close(pipefd[0]);
		close(pipefd[1]);
		memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		igt_assert_fd(memfd);
		n = pwrite(memfd, src, sizeof(src), (off_t)(uintptr_t)p);
		igt_assert_f(n < 0, "/proc/self/mem wrote %zd bytes into a sealed buffer\n", n);
		close(memfd);
		n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
		igt_assert_f(n < 0, "process_vm_writev wrote %zd bytes into a sealed buffer\n", n);
		ro = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		check = secbuf_mmap(ro, SECBUF_SZ_64K, PROT_READ);
		for (size_t i = 0; i < SECBUF_SZ_64K; i++)
			igt_assert_f(check[i] == 0x42, "sealed byte %zu changed to %#x\n", i, check[i]);
		munmap(check, SECBUF_SZ_64K);
		munmap(p, SECBUF_SZ_64K);
		close(ro);
		close(buf);
		assert_used_zero("seal kernel writes");
	}

	igt_describe("\"Sealing fails with EBUSY while something could write behind "
		     "the seal: a device mapping that allows writes\" and static "
		     "importers cannot attach to a write-sealed buffer (EPERM): a "
		     "static importer's mapping racing SEAL_WRITE must never both "
		     "succeed. Before 7.0 that importer is vgem, whose import "
		     "maps; on 7.x vgem's import only attaches, so there both the "
		     "seal and the vgem import must succeed in every round, and "
		     "the race is run again with the test importer's static "
		     "import, which maps on every kernel.");
	igt_subtest("seal-write-races-vgem-import") {
		int vgem = secbuf_open_vgem();

		for (int pass = 0; pass < (secbuf_vgem_import_maps() ? 1 : 2); pass++) {
			bool maps = pass == 1 || secbuf_vgem_import_maps();
			const char *who = pass ? secbuf_mapped_importer_name() : "vgem";
			int both = 0, seals = 0, imports = 0;

			for (int round = 0; round < 30; round++) {
				struct sr s = { .imp = { .vgem = -1, .sti = -1 } };
				pthread_t t;

				s.buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
				s.vgem = pass ? -1 : vgem;
				igt_assert_eq(pthread_create(&t, NULL, importer, &s), 0);
				if (round & 1)
					usleep(round * 50);
				s.ret_seal = __secbuf_seal(pool, s.buf, SECBUF_SEAL_WRITE, NULL);
				pthread_join(t, NULL);
				if (maps) {
					igt_assert_f(s.ret_seal == 0 || s.ret_seal == -EBUSY,
						     "SEAL_WRITE racing a %s import: %d\n",
						     who, s.ret_seal);
					igt_assert_f(s.ret_imp == 0 || s.ret_imp == -EPERM,
						     "%s import racing SEAL_WRITE: %d\n",
						     who, s.ret_imp);
				} else {
					/* 7.x: vgem attaches, never maps. */
					igt_assert_f(s.ret_seal == 0,
						     "SEAL_WRITE racing a vgem import that "
						     "only attaches (7.x): %d\n", s.ret_seal);
					igt_assert_f(s.ret_imp == 0,
						     "vgem import (attach only, 7.x) racing "
						     "SEAL_WRITE: %d\n", s.ret_imp);
				}
				seals += s.ret_seal == 0;
				imports += s.ret_imp == 0;
				if (s.ret_seal == 0 && s.ret_imp == 0)
					both++;
				if (s.ret_imp == 0 && s.vgem >= 0)
					gem_close(vgem, s.h);
				secbuf_mapped_import_release(&s.imp);
				close(s.buf);
			}
			igt_info("%s, 30 rounds: %d seals, %d imports worked\n",
				 who, seals, imports);
			if (maps)
				igt_assert_f(both == 0, "in %d rounds SEAL_WRITE and a %s "
					     "import (a bidirectional device mapping) both "
					     "succeeded\n", both, who);
		}
		close(vgem);
		assert_used_zero("seal race");
	}

	igt_describe("\"SECBUF_SEAL_WRITE: every CPU mapping of every handle is "
		     "zapped ... A write through any mapping, old or new, raises "
		     "SIGBUS\": writer threads keep mapping and writing while the owner "
		     "seals; once SEAL returns the content must never change again.");
	igt_subtest("seal-write-races-writers") {
		for (int round = 0; round < 6; round++) {
			struct sw w = { 0 };
			int buf = secbuf_alloc(pool, 4096, 0, O_RDWR | O_CLOEXEC);
			int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE, NULL);
			uint8_t snap[4096], *ro;
			pthread_t t[2];

			w.fd = g;
			for (int i = 0; i < 2; i++)
				igt_assert_eq(pthread_create(&t[i], NULL, writer, &w), 0);
			usleep(5000 + round * 4000);
			secbuf_seal(pool, buf, SECBUF_SEAL_WRITE);
			atomic_store(&w.sealed, 1);
			ro = secbuf_mmap(buf, 4096, PROT_READ);
			memcpy(snap, ro, 4096);
			usleep(100000);
			atomic_store(&w.stop, 1);
			pthread_join(t[0], NULL);
			pthread_join(t[1], NULL);
			igt_assert_f(memcmp(snap, ro, 4096) == 0,
				     "round %d: the content changed after SEAL_WRITE returned\n", round);
			igt_assert_f(atomic_load(&w.after_ok) == 0,
				     "round %d: %ld writes that began after SEAL_WRITE returned worked\n",
				     round, atomic_load(&w.after_ok));
			igt_assert_f(w.bad == 0, "PROT_WRITE mmap after seal: %s, not EPERM\n",
				     strerror(w.bad));
			munmap(ro, 4096);
			close(g);
			close(buf);
		}
		assert_used_zero("seal writers");
	}

	igt_describe("\"SECBUF_SEAL_GRANT: SECBUF_IOC_GRANT gives EPERM, from the "
		     "owner and from REGRANT holders\", \"SECBUF_SEAL_SEAL: further "
		     "SECBUF_IOC_SEAL gives EPERM\", \"SECBUF_SEAL_REVOKE: REVOKE, whole "
		     "buffer or one grant, gives EPERM\" (also after closing the "
		     "owner's file and through a dup of the owner's fd).");
	igt_subtest("seal-grant-revoke-seal-bypass") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint64_t gid;
		int rr = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_REGRANT, &gid);
		char path[128];
		int rofile, fd = -1, ret, d;
		uint8_t *m;

		snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool_name);
		rofile = open(path, O_RDONLY | O_CLOEXEC);
		igt_assert_fd(rofile);
		secbuf_seal(pool, buf, SECBUF_SEAL_GRANT | SECBUF_SEAL_REVOKE | SECBUF_SEAL_SEAL);
		ret = __secbuf_grant(pool, buf, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EPERM, "owner GRANT after SEAL_GRANT: %d\n", ret);
		ret = __secbuf_grant(rofile, rr, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EPERM, "REGRANT holder GRANT after SEAL_GRANT: %d\n", ret);
		d = dup(buf);
		ret = __secbuf_grant(pool, d, SECBUF_GRANT_READ, 0, &fd, NULL);
		igt_assert_f(ret == -EPERM, "GRANT through a dup after SEAL_GRANT: %d\n", ret);
		ret = __secbuf_revoke(pool, d, 0, NULL);
		igt_assert_f(ret == -EPERM, "REVOKE after SEAL_REVOKE: %d\n", ret);
		ret = __secbuf_revoke(pool, buf, gid, NULL);
		igt_assert_f(ret == -EPERM, "REVOKE(grant) after SEAL_REVOKE: %d\n", ret);
		ret = __secbuf_seal(pool, buf, SECBUF_SEAL_GRANT, NULL);
		igt_assert_f(ret == -EPERM, "SEAL of an already set seal after SEAL_SEAL: %d\n", ret);
		ret = __secbuf_seal(pool, buf, SECBUF_SEAL_WRITE, NULL);
		igt_assert_f(ret == -EPERM, "SEAL_WRITE after SEAL_SEAL: %d\n", ret);
		close(d);
		close(buf);
		m = secbuf_mmap(rr, SECBUF_SZ_64K, PROT_READ);
		igt_assert_eq(m[0], 0);
		munmap(m, SECBUF_SZ_64K);
		close(rr);
		close(rofile);
		assert_used_zero("seals");
	}

	/* ================= 5. stall the owner ================= */

	igt_describe("\"fences on the buffer have been waited for, at most "
		     "revoke_timeout_ms\" and \"A holder is never trusted to ... "
		     "cooperate\": a holder with only READ keeps importing "
		     "never-signalled write fences (DMA_BUF_IOCTL_IMPORT_SYNC_FILE of "
		     "vgem fences) into its grant; the owner's REVOKE must return "
		     "within revoke_timeout_ms + 5 s.");
	igt_subtest("stall-readonly-fences-revoke") {
		uint64_t tmo = param_or("revoke_timeout_ms", 10000), t0, dt;
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		int first;
		pid_t pid = start_injector(g, 300, (int)tmo + 9000, &first);

		usleep(600000);
		t0 = now_ms();
		secbuf_revoke(pool, buf, 0);
		dt = now_ms() - t0;
		stop_child(pid);
		igt_info("REVOKE took %" PRIu64 " ms (revoke_timeout_ms %" PRIu64 ")\n", dt, tmo);
		igt_assert_f(dt <= tmo + 5000,
			     "a READ-only holder injecting fences stalled the owner's REVOKE "
			     "for %" PRIu64 " ms (revoke_timeout_ms %" PRIu64 " + 5 s slack)\n",
			     dt, tmo);
		close(g);
		close(buf);
		assert_used_zero("stall revoke");
	}

	igt_describe("\"Closing the owner's pool file revokes every buffer it owns; "
		     "so does the owner process dying\", bounded as REVOKE is by "
		     "revoke_timeout_ms (no separate bound is documented: we allow "
		     "revoke_timeout_ms + 5 s): a READ-only holder injecting fences "
		     "into two buffers must not stall the owner's close.");
	igt_subtest("stall-readonly-fences-owner-close") {
		uint64_t tmo = param_or("revoke_timeout_ms", 10000), t0, dt;
		int owner = secbuf_open_pool(pool_name);
		int b1 = secbuf_alloc(owner, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int b2 = secbuf_alloc(owner, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int g1 = secbuf_grant(owner, b1, SECBUF_GRANT_READ, NULL);
		int g2 = secbuf_grant(owner, b2, SECBUF_GRANT_READ, NULL);
		int first;
		pid_t p1 = start_injector(g1, 300, (int)tmo + 9000, &first);
		pid_t p2 = start_injector(g2, 300, (int)tmo + 9000, &first);
		struct secbuf_query qy;

		usleep(600000);
		t0 = now_ms();
		close(owner);
		dt = now_ms() - t0;
		stop_child(p1);
		stop_child(p2);
		igt_info("owner close took %" PRIu64 " ms\n", dt);
		igt_assert_f(dt <= tmo + 5000,
			     "READ-only holders injecting fences stalled the owner's close "
			     "(revoke of 2 buffers) for %" PRIu64 " ms (bound %" PRIu64 " ms)\n",
			     dt, tmo + 5000);
		secbuf_query(pool, g1, &qy);
		igt_assert_eq_u32(qy.state, SECBUF_STATE_REVOKED);
		close(g1); close(g2); close(b1); close(b2);
		assert_used_zero("stall close");
	}

	igt_describe("A READ-only holder must not stall the owner without bound: "
		     "\"A holder is never trusted to ... cooperate\", \"Nothing can be "
		     "made to wait forever\". The docs give no bound for a fault that "
		     "waits for importers' fences; we assert a generous one: the "
		     "owner's first read of a fresh mapping, while the holder keeps "
		     "importing write fences, returns within vgem's 10 s fence "
		     "timeout + 8 s.");
	igt_subtest("stall-readonly-fences-owner-fault") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ, NULL);
		int first;
		pid_t pid = start_injector(g, 300, 24000, &first);
		uint64_t *p, t0, dt, v = 0;

		usleep(600000);
		p = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ);
		t0 = now_ms();
		igt_assert_eq(probe(p, false, &v), 0);
		dt = now_ms() - t0;
		stop_child(pid);
		igt_info("owner's read fault took %" PRIu64 " ms\n", dt);
		igt_assert_f(dt <= 18000,
			     "a READ-only holder stalled the owner's read fault for %" PRIu64
			     " ms by re-importing fences\n", dt);
		secbuf_munmap(p, SECBUF_SZ_64K);
		close(g);
		close(buf);
		assert_used_zero("stall fault");
	}

	/* ================= 6. break the pool's accounting ================= */

	igt_describe("\"used_bytes: bytes of live buffers\": after a 1 MiB buffer "
		     "mapped, imported into vgem, synced and closed in an odd order, "
		     "and 200 buffers of 4 KiB (mapped, granted, every other one "
		     "revoked), the idle pool must serve its whole capacity as 1 MiB "
		     "buffers.");
	igt_subtest("accounting-mixed-then-fill") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		int vgem = secbuf_open_vgem();
		uint8_t *p = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		uint32_t h = prime_fd_to_handle(vgem, buf);
		int small[200], grants[200], n = 0;
		struct secbuf_pool_info info;

		memset(p, 1, SECBUF_SZ_1M);
		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		close(buf);		/* the mapping and the import still hold it */
		gem_close(vgem, h);
		close(vgem);
		secbuf_munmap(p, SECBUF_SZ_1M);
		assert_used_zero("1 MiB buffer closed after its vgem import and mapping");

		secbuf_pool_info(pool, &info);
		for (; n < 200; n++) {
			int fd = -1, ret = __secbuf_alloc(pool, 4096, 0, O_RDWR | O_CLOEXEC, &fd);
			void *m;

			if (ret == -EDQUOT)
				break;
			igt_assert_eq(ret, 0);
			small[n] = fd;
			grants[n] = secbuf_grant(pool, fd, SECBUF_GRANT_READ, NULL);
			m = secbuf_mmap(grants[n], 4096, PROT_READ);
			munmap(m, 4096);
			if (n & 1)
				secbuf_revoke(pool, fd, 0);
		}
		igt_info("%d small buffers\n", n);
		for (int i = 0; i < n; i += 2)
			close(small[i]);
		for (int i = 0; i < n; i++)
			close(grants[i]);
		for (int i = 1; i < n; i += 2)
			close(small[i]);
		assert_used_zero("4 KiB buffers");
		assert_pool_fills(SECBUF_SZ_1M, "a vgem-imported 1 MiB buffer and many 4 KiB ones");
	}

	igt_describe("dma-heap buffers \"live as long as their dma-buf does, "
		     "whatever happens to the heap file\": 1 MiB and 4 KiB heap "
		     "buffers, mapped and imported into vgem, outliving their heap "
		     "file; afterwards used_bytes is 0 and the pool fills completely.");
	igt_subtest("accounting-heap-then-fill") {
		int heap = secbuf_open_heap(pool_name);
		int big = secbuf_heap_alloc(heap, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0);
		int vgem = secbuf_open_vgem();
		int small[256], n;
		uint8_t *p = secbuf_mmap(big, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		uint32_t h = prime_fd_to_handle(vgem, big);

		memset(p, 7, SECBUF_SZ_1M);
		for (n = 0; n < 256; n++) {
			int ret = __secbuf_heap_alloc(heap, 4096, O_RDWR | O_CLOEXEC, 0, &small[n]);

			if (ret == -EDQUOT)
				break;
			igt_assert_eq(ret, 0);
		}
		close(heap);
		secbuf_dmabuf_sync(big, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		secbuf_dmabuf_sync(big, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		igt_assert_eq(p[SECBUF_SZ_1M - 1], 7);
		close(big);
		for (int i = 0; i < n; i++)
			close(small[i]);
		gem_close(vgem, h);
		close(vgem);
		secbuf_munmap(p, SECBUF_SZ_1M);
		assert_used_zero("heap buffers");
		assert_pool_fills(SECBUF_SZ_1M, "heap buffers");
		/* and through the heap too */
		{
			struct secbuf_pool_info info;
			int fds[256], k = 0, ret;

			secbuf_pool_info(pool, &info);
			heap = secbuf_open_heap(pool_name);
			for (;;) {
				igt_assert(k < 256);
				ret = __secbuf_heap_alloc(heap, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0, &fds[k]);
				if (ret)
					break;
				k++;
			}
			for (int i = 0; i < k; i++)
				close(fds[i]);
			close(heap);
			igt_assert_f((uint64_t)k == info.total_bytes / SECBUF_SZ_1M || ret == -EDQUOT,
				     "the heap served %d MiB of an idle %" PRIu64 " MiB pool (then %s)\n",
				     k, (uint64_t)info.total_bytes >> 20, strerror(-ret));
		}
		assert_used_zero("heap fill");
	}

	igt_describe("\"if a device mapping ... still exists, the memory stays "
		     "quarantined ... until the last one goes. Then it returns to the "
		     "pool\": a revoked buffer held by a static importer that maps "
		     "it, through a grant, and by a stale CPU mapping; after the "
		     "importer lets go, used_bytes and quarantined_bytes are 0 "
		     "and the pool fills. The importer is vgem before 7.0; on "
		     "7.x, where vgem's import only attaches, it is the test "
		     "importer's static import, which maps on every kernel.");
	igt_subtest("accounting-quarantine-release-fill") {
		int buf = secbuf_alloc(pool, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		/* The import maps for device writes: WRITE too. */
		int g = secbuf_grant(pool, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				     SECBUF_GRANT_DMA, NULL);
		struct secbuf_mapped_import imp;
		uint8_t *p = secbuf_mmap(buf, SECBUF_SZ_2M, PROT_READ);
		struct secbuf_pool_info info;
		uint64_t q;

		secbuf_mapped_import(g, &imp);
		q = secbuf_revoke(pool, buf, 0);
		secbuf_pool_info(pool, &info);
		igt_assert_f(q == SECBUF_SZ_2M && info.quarantined_bytes == SECBUF_SZ_2M &&
			     info.used_bytes >= SECBUF_SZ_2M,
			     "quarantine while %s holds a revoked 2 MiB buffer: REVOKE said %"
			     PRIu64 ", pool_info %" PRIu64 " used %" PRIu64 "\n",
			     secbuf_mapped_importer_name(), q, (uint64_t)info.quarantined_bytes,
			     (uint64_t)info.used_bytes);
		q = secbuf_revoke(pool, buf, 0);
		igt_assert_eq_u64(q, SECBUF_SZ_2M);
		close(g);
		close(buf);
		secbuf_mapped_import_release(&imp);
		assert_used_zero("the importer released a quarantined buffer (a stale CPU mapping remains)");
		secbuf_munmap(p, SECBUF_SZ_2M);
		assert_pool_fills(SECBUF_SZ_1M, "a quarantined buffer");
	}

	igt_describe("\"a buffer the owner sealed with SECBUF_SEAL_REVOKE ... lives "
		     "on until its last handle goes\": after its owner's file closed, "
		     "its grant and mapping gone, used_bytes must be 0 and the pool "
		     "must fill.");
	igt_subtest("accounting-sealed-orphan-fill") {
		int owner = secbuf_open_pool(pool_name);
		int buf = secbuf_alloc(owner, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);
		int g = secbuf_grant(owner, buf, SECBUF_GRANT_READ, NULL);
		uint8_t *p;

		secbuf_seal(owner, buf, SECBUF_SEAL_REVOKE);
		close(owner);
		close(buf);
		p = secbuf_mmap(g, SECBUF_SZ_4M, PROT_READ);
		igt_assert_eq(p[SECBUF_SZ_4M - 1], 0);
		close(g);
		secbuf_munmap(p, SECBUF_SZ_4M);
		assert_used_zero("sealed orphan released");
		assert_pool_fills(SECBUF_SZ_1M, "a SEAL_REVOKE orphan");
	}
}
