// SPDX-License-Identifier: MIT
/*
 * secbuf_attack_cgroup: black-box attacks on the cgroup accounting secbuf
 * promises, written from docs/security-model.md ("Memory limits: per file
 * and per cgroup"), docs/driver-api.md ("Cgroup accounting (dmem)"),
 * docs/uapi.md and README.md alone, without looking at the driver.
 *
 * The promises under attack, as the documents give them:
 *  P1 "every allocation, from /dev/secbuf/<pool> or /dev/dma_heap/<pool>,
 *     is charged to the allocating task's cgroup before any memory is
 *     taken; over dmem.max (the cgroup's or an ancestor's), ENOSPC. A
 *     container or service cannot get around it by opening more files".
 *  P2 "Over dmem.max: ENOSPC, with nothing allocated".
 *  P3 "Whose memory: the owner's. Grants and imports charge nothing to the
 *     holder or the device's user: a holder cannot make the owner's cgroup
 *     pay more than it allocated, nor run up its own usage."
 *  P4 "The charge stays until the memory goes back to the pool: a revoked
 *     buffer a device still maps is charged to the owner until the
 *     quarantine ends, so revoking does not free room the device still
 *     uses." / "exactly when the memory goes back to the pool ... at the
 *     buffer's last release, or when the quarantine of a revoked buffer
 *     ends, never earlier."
 *  P5 "a camera service in one cgroup cannot take a compositor's share in
 *     another when each has its limit"; "The charge is what the buffer
 *     takes from the pool: its pages, and from 2 MiB up the whole chunk of
 *     its own, rounded up to 2 MiB" (charge_of(); used_bytes still counts
 *     "live buffer sizes (page rounded)", page_round()).
 *  P6 "Nothing is taken away: lowering dmem.max below a cgroup's usage
 *     refuses its next allocations; memory a buffer uses is never
 *     reclaimed behind its owner's back."
 *
 * Every subtest needs the lane feature "dmem" (cgroup v2 at /sys/fs/cgroup
 * with the dmem controller; N/A elsewhere), makes its own cgroups named
 * secbuf-cgroup-attack-<pid>-* under the root (so the harness' leak check
 * finds any it left), removes them at its end and from an exit handler,
 * leaves every charge at 0 and ends with secbuf_pool_assert_idle().
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "dmabuf_sync_file.h"
#include "igt_dmem.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Attacks on secbuf's dmem cgroup accounting: escaping "
		     "dmem.max (more files, the dma-heap node, foreign files, "
		     "migration, removed cgroups, rounding), making a victim "
		     "cgroup pay, freeing room a device still uses, failed "
		     "allocations that keep a charge, and races.");

#define NR_CGROUPS	4
#define MAX_PLAIN_KIDS	4
#define MAX_BUFS	1100
#define WAIT_MS		3000
#define SHARED_TIMEOUT_NS (120ULL * 1000 * 1000 * 1000)

enum kind { POOL_FILE, HEAP_FILE };

static const char *pool;
static char home[256];		/* the cgroup the test process started in */
static char cgroups[NR_CGROUPS][96];
static pid_t plain_kids[MAX_PLAIN_KIDS];
static uint64_t page;

/* ---- cgroups of the subtest (the rest is lib/igt_dmem.h) -------------------- */

/*
 * A new, empty cgroup with no limit in slot @i: under the root, or under
 * @parent (a cgroup of a smaller slot, whose subtree_control must have
 * +dmem). Children must take larger slots than their parents.
 */
static const char *cg_new(int i, const char *parent, const char *name)
{
	char path[512];

	igt_assert(i >= 0 && i < NR_CGROUPS);
	if (parent)
		snprintf(cgroups[i], sizeof(cgroups[i]), "%s/%s", parent, name);
	else
		snprintf(cgroups[i], sizeof(cgroups[i]),
			 "secbuf-cgroup-attack-%d-%s", (int)getpid(), name);
	secbuf_cg_path(path, sizeof(path), cgroups[i], "");
	igt_assert_f(mkdir(path, 0755) == 0 || errno == EEXIST,
		     "mkdir %s: %s\n", path, strerror(errno));
	return cgroups[i];
}

/* Forget slot @i after the subtest removed that cgroup itself. */
static void cg_forget(int i)
{
	cgroups[i][0] = '\0';
}

static void kill_plain_kids(void)
{
	for (int i = 0; i < MAX_PLAIN_KIDS; i++)
		if (plain_kids[i] > 0) {
			kill(plain_kids[i], SIGKILL);
			waitpid(plain_kids[i], NULL, 0);
			plain_kids[i] = 0;
		}
}

/* Back home, every plain child killed, every cgroup removed, leaves first. */
static void cg_cleanup(void)
{
	kill_plain_kids();
	__secbuf_cg_write(home, "cgroup.procs", "0");
	for (int i = NR_CGROUPS - 1; i >= 0; i--) {
		if (!cgroups[i][0])
			continue;
		secbuf_cg_rmdir(cgroups[i]);
		cgroups[i][0] = '\0';
	}
}

static void cg_exit_handler(int sig)
{
	(void)sig;
	cg_cleanup();
}

/* ---- pool helpers --------------------------------------------------------- */

/* What used_bytes counts for a buffer of @size: "page rounded". */
static uint64_t page_round(uint64_t size)
{
	return (size + page - 1) & ~(page - 1);
}

/*
 * What a buffer of @size is charged to its cgroup, "what it takes from the
 * pool": its page-rounded size below 2 MiB, and from 2 MiB up its own
 * chunk, rounded up to 2 MiB (2 MiB + 4 KiB and 3 MiB are charged 4 MiB,
 * 2 MiB and 4 MiB their size).
 */
static uint64_t charge_of(uint64_t size)
{
	if (size < SECBUF_SZ_2M)
		return page_round(size);
	return (size + SECBUF_SZ_2M - 1) & ~(SECBUF_SZ_2M - 1);
}

static uint64_t used_bytes(void)
{
	return secbuf_pool_sysfs(pool, "used_bytes");
}

static uint64_t pool_attr_or_zero(const char *attr)
{
	char path[512];

	snprintf(path, sizeof(path), SECBUF_SYSFS_DIR "/secbuf-%s/%s", pool,
		 attr);
	return access(path, R_OK) ? 0 : secbuf_pool_sysfs(pool, attr);
}

static uint64_t quarantined_bytes(void)
{
	return pool_attr_or_zero("quarantined_bytes");
}

static const char *kind_name(enum kind k)
{
	return k == HEAP_FILE ? "DMA_HEAP_IOCTL_ALLOC" : "SECBUF_IOC_ALLOC";
}

static int open_kind(enum kind k)
{
	return k == HEAP_FILE ? secbuf_open_heap(pool) : secbuf_open_pool(pool);
}

static int __alloc_kind(enum kind k, int f, uint64_t size, int *out)
{
	if (k == HEAP_FILE)
		return __secbuf_heap_alloc(f, size, O_RDWR | O_CLOEXEC, 0, out);
	return __secbuf_alloc(f, size, 0, O_RDWR | O_CLOEXEC, out);
}

static int alloc_kind(enum kind k, int f, uint64_t size)
{
	int out = -1, ret = __alloc_kind(k, f, size, &out);

	igt_assert_f(ret == 0, "%s of %" PRIu64 " bytes: %s\n", kind_name(k),
		     size, strerror(-ret));
	igt_assert_fd(out);
	return out;
}

/* A value that may be reached a little later (process exit, a fence). */
static void wait_current(const char *cg, uint64_t want)
{
	uint64_t v = secbuf_dmem_current(cg);

	for (int i = 0; i < WAIT_MS / 10 && v != want; i++) {
		usleep(10 * 1000);
		v = secbuf_dmem_current(cg);
	}
	igt_assert_f(v == want, "dmem.current of %s is %" PRIu64 ", expected %"
		     PRIu64 "\n", *cg ? cg : "(root)", v, want);
}

static void wait_used(uint64_t want)
{
	uint64_t v = used_bytes();

	for (int i = 0; i < WAIT_MS / 10 && v != want; i++) {
		usleep(10 * 1000);
		v = used_bytes();
	}
	igt_assert_f(v == want, "used_bytes is %" PRIu64 ", expected %" PRIu64
		     "\n", v, want);
}

/*
 * The allocation must be refused with exactly @err and leave nothing
 * behind: no fd, no pool usage, no buffer, no charge anywhere (the
 * cgroup, its ancestors up to the root). For ENOSPC also no new memory
 * taken from CMA: the charge comes "before any memory is taken"
 * (cma_bytes includes the chunk cache, so memory taken and given back
 * would stay there; the cache only shrinks on its own). The documents
 * promise no such order for the other errnos, so they are not held to it.
 */
static void assert_refused(enum kind k, int f, uint64_t size, const char *cg,
			   int err)
{
	struct secbuf_snapshot before;
	uint64_t cur = secbuf_dmem_current(cg), root = secbuf_dmem_current("");
	uint64_t cma = pool_attr_or_zero("cma_bytes");
	int out = -1, ret;

	secbuf_snapshot(&before, pool);
	ret = __alloc_kind(k, f, size, &out);
	igt_assert_f(ret == -err, "%s of %" PRIu64 " bytes in %s: %s, expected "
		     "%s\n", kind_name(k), size, cg, ret ? strerror(-ret) :
		     "it worked", strerror(err));
	secbuf_assert_unchanged(&before);
	igt_assert_eq_u64(secbuf_dmem_current(cg), cur);
	igt_assert_eq_u64(secbuf_dmem_current(""), root);
	igt_assert_f(err != ENOSPC || pool_attr_or_zero("cma_bytes") <= cma,
		     "a refused allocation took memory from CMA: cma_bytes %"
		     PRIu64 " -> %" PRIu64 "\n", cma,
		     pool_attr_or_zero("cma_bytes"));
}

static void assert_enospc(enum kind k, int f, uint64_t size, const char *cg)
{
	assert_refused(k, f, size, cg, ENOSPC);
}

/* Allocate @size buffers until the first failure; returns the count. */
static int alloc_until_error(enum kind k, int f, uint64_t size, int *bufs,
			     int cap, int *err)
{
	int n = 0;

	*err = 0;
	while (n < cap) {
		int ret = __alloc_kind(k, f, size, &bufs[n]);

		if (ret) {
			*err = ret;
			break;
		}
		n++;
	}
	return n;
}

static void close_all(int *bufs, int n)
{
	for (int i = 0; i < n; i++)
		close(bufs[i]);
}

/*
 * Fill the whole pool with @size buffers from as many pool files as the
 * per-file limits need, until ENOMEM (the pool is full).
 */
struct filler {
	int files[16];
	int nfiles;
	int bufs[MAX_BUFS];
	int n;
};

static void fill_pool(struct filler *fl, uint64_t size)
{
	int ret;

	memset(fl, 0, sizeof(*fl));
	fl->files[fl->nfiles++] = secbuf_open_pool(pool);
	for (;;) {
		igt_assert(fl->n < MAX_BUFS);
		ret = __secbuf_alloc(fl->files[fl->nfiles - 1], size, 0,
				     O_RDWR | O_CLOEXEC, &fl->bufs[fl->n]);
		if (ret == 0) {
			fl->n++;
			continue;
		}
		if (ret == -EDQUOT) {
			igt_assert(fl->nfiles < 16);
			fl->files[fl->nfiles++] = secbuf_open_pool(pool);
			continue;
		}
		igt_assert_f(ret == -ENOMEM, "filling the pool: %s\n",
			     strerror(-ret));
		break;
	}
	igt_info("pool full after %d buffers of %" PRIu64 " bytes\n", fl->n,
		 size);
}

static void filler_free(struct filler *fl)
{
	close_all(fl->bufs, fl->n);
	for (int i = 0; i < fl->nfiles; i++)
		close(fl->files[i]);
	fl->n = fl->nfiles = 0;
}

static void socketpair_seqpacket(int sv[2])
{
	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		      0);
}

static void pipe_put(int fd)
{
	igt_assert_eq(write(fd, "x", 1), 1);
}

static void pipe_get(int fd)
{
	char c;

	igt_assert_eq(read(fd, &c, 1), 1);
}

/* ---- shared state with igt_fork() children ---------------------------------- */

/*
 * A child that fails exits through exit(); on_exit() tells the parent at
 * once instead of letting it wait for the timeout.
 */
static void child_on_exit(int status, void *arg)
{
	if (status)
		atomic_store((atomic_int *)arg, 1);
}

static void wait_at_least(atomic_int *v, int want, atomic_int *failed,
			  const char *what)
{
	uint64_t end = secbuf_now_ns() + SHARED_TIMEOUT_NS;

	while (atomic_load(v) < want) {
		igt_assert_f(!atomic_load(failed), "a child failed while "
			     "waiting for %s\n", what);
		igt_assert_f(secbuf_now_ns() < end, "timed out waiting for %s "
			     "(%d of %d)\n", what, atomic_load(v), want);
		usleep(500);
	}
}

static void plain_track(pid_t pid)
{
	for (int i = 0; i < MAX_PLAIN_KIDS; i++)
		if (plain_kids[i] <= 0) {
			plain_kids[i] = pid;
			return;
		}
	igt_assert_f(false, "too many plain children\n");
}

static void plain_untrack(pid_t pid)
{
	for (int i = 0; i < MAX_PLAIN_KIDS; i++)
		if (plain_kids[i] == pid)
			plain_kids[i] = 0;
}

/*
 * A plain fork() child (raw syscalls only: the IGT runtime is the
 * parent's) that allocates and frees @size buffers through @path for ever,
 * holding one or two at a time, until it is killed.
 */
static void __attribute__((noreturn)) alloc_forever(const char *path,
						    bool heap, uint64_t size)
{
	int f, prev = -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	f = open(path, O_RDWR | O_CLOEXEC);
	if (f < 0)
		_exit(2);
	for (;;) {
		int b = -1;

		if (heap) {
			struct dma_heap_allocation_data d = {
				.len = size,
				.fd_flags = O_RDWR | O_CLOEXEC,
			};

			if (ioctl(f, DMA_HEAP_IOCTL_ALLOC, &d) == 0)
				b = (int)d.fd;
		} else {
			struct secbuf_alloc a = {
				.size = size,
				.fd_flags = SECBUF_FD_RDWR | SECBUF_FD_CLOEXEC,
			};

			if (ioctl(f, SECBUF_IOC_ALLOC, &a) == 0)
				b = (int)a.fd;
		}
		if (prev >= 0)
			close(prev);
		prev = b;
	}
}

/* ---- the subtests -------------------------------------------------------- */

igt_main
{
	struct secbuf_pool_info pi;
	int fd = -1;

	igt_fixture {
		char path[512];

		secbuf_require_lane_feature("dmem");
		pool = secbuf_pool_name();
		page = secbuf_page_size();
		fd = secbuf_open_pool(pool);
		secbuf_pool_info(fd, &pi);
		secbuf_cg_self(home, sizeof(home));
		secbuf_cg_write("", "cgroup.subtree_control", "+dmem");
		secbuf_cg_path(path, sizeof(path), "", "dmem.capacity");
		igt_assert(access(path, R_OK) == 0);
		igt_install_exit_handler(cg_exit_handler);
	}

	/* ================= 1. escaping dmem.max ================= */

	igt_describe("P1 \"cannot get around it by opening more files\", "
		     "\"from /dev/secbuf/<pool> or /dev/dma_heap/<pool>\": with "
		     "dmem.max 4 MiB, 8 pool files and 8 heap files each asking "
		     "for 1 MiB in turn get exactly 4 MiB; every other attempt "
		     "is ENOSPC with nothing left behind; freeing one buffer "
		     "lets exactly one more in, through the other node.");
	igt_subtest("escape-max-many-files") {
		const char *a = cg_new(0, NULL, "a");
		int files[16], bufs[16], nb = 0, ret;
		uint64_t root0 = secbuf_dmem_current("");

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		for (int i = 0; i < 16; i++)
			files[i] = open_kind(i & 1 ? HEAP_FILE : POOL_FILE);
		for (int i = 0; i < 16; i++) {
			enum kind k = i & 1 ? HEAP_FILE : POOL_FILE;

			if (nb < 4) {
				bufs[nb++] = alloc_kind(k, files[i], SECBUF_SZ_1M);
				igt_assert_eq_u64(secbuf_dmem_current(a), nb * SECBUF_SZ_1M);
			} else {
				assert_enospc(k, files[i], SECBUF_SZ_1M, a);
				assert_enospc(k, files[i], page, a);
			}
		}
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0 + SECBUF_SZ_4M);
		/* bufs[0] came from a pool file: refill through a heap file. */
		close(bufs[0]);
		igt_assert_eq_u64(secbuf_dmem_current(a), 3 * SECBUF_SZ_1M);
		bufs[0] = alloc_kind(HEAP_FILE, files[15], SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, files[14], page, a);
		assert_enospc(HEAP_FILE, files[13], page, a);
		close_all(bufs, nb);
		for (int i = 0; i < 16; i++)
			close(files[i]);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		secbuf_cg_enter(home);
		ret = secbuf_cg_rmdir(a);
		igt_assert_eq(ret, 0);
		cg_forget(0);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P1 for a container of many processes: 8 children in a "
		     "cgroup with dmem.max 4 MiB, each with a pool or heap file "
		     "of its own, all ask for 1 MiB at once and hold it: exactly "
		     "4 succeed, the rest get ENOSPC, dmem.current and used_bytes "
		     "are exactly 4 MiB; 0 once they are gone.");
	igt_subtest("escape-max-forked-children") {
		struct shared {
			atomic_int ok, enospc, other, reported, release, failed;
			atomic_int bad_errno;
		} *sh = secbuf_shared_alloc(sizeof(*sh));
		const char *a = cg_new(0, NULL, "a");
		uint64_t used0 = used_bytes();

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		igt_fork(child, 8) {
			enum kind k = child & 1 ? HEAP_FILE : POOL_FILE;
			int f, b = -1, ret;

			on_exit(child_on_exit, &sh->failed);
			f = open_kind(k);
			ret = __alloc_kind(k, f, SECBUF_SZ_1M, &b);
			if (ret == 0)
				atomic_fetch_add(&sh->ok, 1);
			else if (ret == -ENOSPC)
				atomic_fetch_add(&sh->enospc, 1);
			else {
				atomic_fetch_add(&sh->other, 1);
				atomic_store(&sh->bad_errno, -ret);
			}
			atomic_fetch_add(&sh->reported, 1);
			wait_at_least(&sh->release, 1, &sh->failed, "release");
			if (b >= 0)
				close(b);
			close(f);
		}
		secbuf_cg_enter(home);
		wait_at_least(&sh->reported, 8, &sh->failed, "8 allocations");
		igt_assert_f(atomic_load(&sh->other) == 0, "an allocation failed "
			     "with %s\n", strerror(atomic_load(&sh->bad_errno)));
		igt_assert_f(atomic_load(&sh->ok) == 4 &&
			     atomic_load(&sh->enospc) == 4,
			     "8 processes in a 4 MiB cgroup: %d got 1 MiB, %d "
			     "ENOSPC\n", atomic_load(&sh->ok),
			     atomic_load(&sh->enospc));
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		igt_assert_eq_u64(used_bytes(), used0 + SECBUF_SZ_4M);
		atomic_store(&sh->release, 1);
		igt_waitchildren();
		wait_current(a, 0);
		wait_used(used0);
		secbuf_shared_free(sh, sizeof(*sh));
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P1 \"charged to the allocating task's cgroup\", not to "
		     "whoever opened the file: a process in a full cgroup A is "
		     "refused (ENOSPC) through pool and heap files opened in an "
		     "unlimited cgroup and received over SCM_RIGHTS; and a "
		     "process in B allocating through files A's process opened "
		     "charges B, not A, also after it left, until the buffers are "
		     "freed (by A's process: B is uncharged, A untouched).");
	igt_subtest("escape-max-foreign-files") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		int sv[2], go[2], ph, hh, pb, hb, pa, ha, full, x, y;

		socketpair_seqpacket(sv);
		igt_assert_eq(pipe(go), 0);
		/* Files opened at home and by a helper in unlimited B. */
		ph = secbuf_open_pool(pool);
		hh = secbuf_open_heap(pool);
		igt_fork(child, 1) {
			int f, h;

			secbuf_cg_enter(b);
			f = secbuf_open_pool(pool);
			h = secbuf_open_heap(pool);
			secbuf_send_fd(sv[1], f);
			secbuf_send_fd(sv[1], h);
			pipe_get(go[0]);
		}
		pb = secbuf_recv_fd(sv[0]);
		hb = secbuf_recv_fd(sv[0]);

		secbuf_dmem_set_max(a, 2 * SECBUF_SZ_1M);
		secbuf_cg_enter(a);
		full = secbuf_alloc(fd, 2 * SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, fd, page, a);
		assert_enospc(POOL_FILE, ph, page, a);
		assert_enospc(POOL_FILE, pb, page, a);
		assert_enospc(HEAP_FILE, hh, page, a);
		assert_enospc(HEAP_FILE, hb, page, a);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);

		/* Files opened in A, used by a process in B. */
		pa = secbuf_open_pool(pool);
		ha = secbuf_open_heap(pool);
		igt_fork(child, 1) {
			int bx, by;

			secbuf_cg_enter(b);
			bx = alloc_kind(POOL_FILE, pa, SECBUF_SZ_1M);
			by = alloc_kind(HEAP_FILE, ha, SECBUF_SZ_1M);
			igt_assert_eq_u64(secbuf_dmem_current(b), 2 * SECBUF_SZ_1M);
			igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
			secbuf_send_fd(sv[1], bx);
			secbuf_send_fd(sv[1], by);
		}
		x = secbuf_recv_fd(sv[0]);
		y = secbuf_recv_fd(sv[0]);
		pipe_put(go[1]);
		igt_waitchildren();
		/* B has no process left; pa is open, so x is not revoked. */
		igt_assert_eq_u64(secbuf_dmem_current(b), 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		/* Freed by a process in A: B is uncharged, not A. */
		close(x);
		igt_assert_eq_u64(secbuf_dmem_current(b), SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		close(y);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		close(full);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		close(pa);
		close(ha);
		close(pb);
		close(hb);
		close(ph);
		close(hh);
		close(sv[0]);
		close(sv[1]);
		close(go[0]);
		close(go[1]);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P1/P4 the charge stays with the cgroup that allocated: "
		     "fill A (dmem.max 4 MiB) through both nodes, hop to B and "
		     "back: A is still full (ENOSPC), B was never charged; "
		     "freeing A's buffers from inside B uncharges A, and leaves "
		     "B's own 1 MiB exactly as it was.");
	igt_subtest("escape-max-migrate-and-back") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		int hf = secbuf_open_heap(pool), a1, a2, b1;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		a1 = alloc_kind(POOL_FILE, fd, 2 * SECBUF_SZ_1M);
		a2 = alloc_kind(HEAP_FILE, hf, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		secbuf_cg_enter(b);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		b1 = alloc_kind(POOL_FILE, fd, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(b), SECBUF_SZ_1M);
		secbuf_cg_enter(a);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		assert_enospc(POOL_FILE, fd, page, a);
		assert_enospc(HEAP_FILE, hf, page, a);
		secbuf_cg_enter(b);
		close(a1);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(b), SECBUF_SZ_1M);
		close(a2);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		igt_assert_eq_u64(secbuf_dmem_current(b), SECBUF_SZ_1M);
		/* A's room is back, whole. */
		secbuf_cg_enter(a);
		a1 = alloc_kind(HEAP_FILE, hf, SECBUF_SZ_4M);
		assert_enospc(POOL_FILE, fd, page, a);
		close(a1);
		close(b1);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		close(hf);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P1 \"the cgroup's or an ancestor's\" dmem.max, against a "
		     "container that sheds charges by deleting cgroups: P has "
		     "dmem.max 4 MiB; its child C1 fills it through both nodes "
		     "and is removed (rmdir) with the buffers alive; P's "
		     "dmem.current still counts them and a new child C2 gets "
		     "ENOSPC until they are freed.");
	igt_subtest("escape-max-rmdir-child") {
		const char *p = cg_new(0, NULL, "p"), *c1, *c2;
		uint64_t root0 = secbuf_dmem_current("");
		int hf, b1, b2;

		secbuf_dmem_set_max(p, SECBUF_SZ_4M);
		secbuf_cg_write(p, "cgroup.subtree_control", "+dmem");
		c1 = cg_new(1, p, "c1");
		secbuf_cg_enter(c1);
		hf = secbuf_open_heap(pool);
		b1 = alloc_kind(POOL_FILE, fd, 2 * SECBUF_SZ_1M);
		b2 = alloc_kind(HEAP_FILE, hf, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(p), SECBUF_SZ_4M);
		secbuf_cg_enter(home);
		igt_assert_eq(secbuf_cg_rmdir(c1), 0);
		cg_forget(1);
		igt_assert_eq_u64(secbuf_dmem_current(p), SECBUF_SZ_4M);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0 + SECBUF_SZ_4M);
		c2 = cg_new(2, p, "c2");
		secbuf_cg_enter(c2);
		assert_enospc(POOL_FILE, fd, page, c2);
		assert_enospc(HEAP_FILE, hf, page, c2);
		igt_assert_eq_u64(secbuf_dmem_current(c2), 0);
		close(b1);
		igt_assert_eq_u64(secbuf_dmem_current(p), 2 * SECBUF_SZ_1M);
		b1 = alloc_kind(POOL_FILE, fd, 2 * SECBUF_SZ_1M);
		assert_enospc(HEAP_FILE, hf, page, c2);
		close(b2);
		close(b1);
		igt_assert_eq_u64(secbuf_dmem_current(p), 0);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0);
		close(hf);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The charge is what the buffer takes from the pool, never "
		     "less: with dmem.max one byte short of two pages, page + 1 "
		     "bytes is ENOSPC, 1 byte is charged a whole page and a "
		     "second byte is ENOSPC; with dmem.max one page short of "
		     "4 MiB, 3 MiB and 2 MiB + 1 are ENOSPC (each takes a 4 MiB "
		     "chunk of its own); under 4 MiB each fits, charged 4 MiB "
		     "while used_bytes grows by its page-rounded size only, and "
		     "leaves no room for a page; with dmem.max 2 MiB, 2 MiB + 1 "
		     "is ENOSPC and 2 MiB is charged exactly 2 MiB. Both nodes.");
	igt_subtest("charge-exact-page-rounded") {
		const char *a = cg_new(0, NULL, "a");
		uint64_t used0 = used_bytes();
		int files[2], b;

		secbuf_cg_enter(a);
		files[POOL_FILE] = secbuf_open_pool(pool);
		files[HEAP_FILE] = secbuf_open_heap(pool);
		for (int k = POOL_FILE; k <= HEAP_FILE; k++) {
			int f = files[k];

			secbuf_dmem_set_max(a, 2 * page - 1);
			assert_enospc(k, f, page + 1, a);
			b = alloc_kind(k, f, 1);
			igt_assert_eq_u64(secbuf_dmem_current(a), page);
			igt_assert_eq_u64(secbuf_dmabuf_size(b), page);
			assert_enospc(k, f, 1, a);
			assert_enospc(!k, files[!k], 1, a);
			close(b);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);

			/* From 2 MiB up: the whole 2 MiB-rounded chunk. */
			secbuf_dmem_set_max(a, SECBUF_SZ_4M - page);
			assert_enospc(k, f, 3 * SECBUF_SZ_1M, a);
			assert_enospc(k, f, 2 * SECBUF_SZ_1M + 1, a);
			secbuf_dmem_set_max(a, SECBUF_SZ_4M);
			b = alloc_kind(k, f, 3 * SECBUF_SZ_1M);
			igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
			igt_assert_eq_u64(secbuf_dmabuf_size(b), 3 * SECBUF_SZ_1M);
			igt_assert_eq_u64(used_bytes(), used0 + 3 * SECBUF_SZ_1M);
			assert_enospc(k, f, page, a);
			assert_enospc(!k, files[!k], page, a);
			close(b);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
			b = alloc_kind(k, f, 2 * SECBUF_SZ_1M + 1);
			igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
			igt_assert_eq_u64(secbuf_dmabuf_size(b), 2 * SECBUF_SZ_1M + page);
			igt_assert_eq_u64(used_bytes(), used0 + 2 * SECBUF_SZ_1M + page);
			assert_enospc(k, f, page, a);
			close(b);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);

			/* A 2 MiB multiple is charged its size, no more. */
			secbuf_dmem_set_max(a, 2 * SECBUF_SZ_1M);
			assert_enospc(k, f, 2 * SECBUF_SZ_1M + 1, a);
			b = alloc_kind(k, f, 2 * SECBUF_SZ_1M);
			igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
			igt_assert_eq_u64(used_bytes(), used0 + 2 * SECBUF_SZ_1M);
			assert_enospc(!k, files[!k], page, a);
			close(b);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		}
		close(files[0]);
		close(files[1]);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/*
	 * A buffer of 2 MiB or more takes a dedicated chunk rounded up to
	 * 2 MiB ("Rounding a 3 MiB buffer up to a 4 MiB chunk costs 1 MiB of
	 * capacity"), and "a camera service in one cgroup cannot take a
	 * compositor's share in another when each has its limit". Charged the
	 * page-rounded size alone (the first version of the accounting),
	 * buffers of 2 MiB + 4 KiB were charged ~2 MiB and took 4 MiB of the
	 * pool: a cgroup limited to half the pool took nearly all of it. This
	 * subtest holds the promise to its word.
	 */
	igt_describe("P5 \"a camera service in one cgroup cannot take a "
		     "compositor's share in another when each has its limit\": "
		     "A and B each get dmem.max half the pool. Control: both "
		     "get their half in 1 MiB buffers. Attack: A allocates "
		     "buffers of 2 MiB + one page (each in a dedicated 4 MiB "
		     "chunk, so charged 4 MiB) up to its limit: exactly "
		     "half / 4 MiB of them, then ENOSPC; B must still get its "
		     "whole half.");
	igt_subtest("share-taken-by-chunk-rounding") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		static int abufs[MAX_BUFS], bbufs[MAX_BUFS];
		uint64_t half = (pi.total_bytes / 2) & ~(SECBUF_SZ_1M - 1);
		int want = (int)(half / SECBUF_SZ_1M), na, nb, err_a, err_b;
		uint64_t a_charged, largest, each = charge_of(2 * SECBUF_SZ_1M + page);

		igt_assert(want > 0 && want < MAX_BUFS);
		secbuf_dmem_set_max(a, half);
		secbuf_dmem_set_max(b, half);
		/* Control: 1 MiB buffers, both halves served. */
		secbuf_cg_enter(a);
		na = alloc_until_error(POOL_FILE, fd, SECBUF_SZ_1M, abufs, want, &err_a);
		secbuf_cg_enter(b);
		nb = alloc_until_error(POOL_FILE, fd, SECBUF_SZ_1M, bbufs, want, &err_b);
		close_all(abufs, na);
		close_all(bbufs, nb);
		igt_assert_f(na == want && nb == want,
			     "control: A got %d and B %d of %d MiB each (%s, "
			     "%s)\n", na, nb, want, strerror(-err_a),
			     strerror(-err_b));
		wait_used(0);

		/* Attack. */
		secbuf_cg_enter(a);
		na = alloc_until_error(POOL_FILE, fd, 2 * SECBUF_SZ_1M + page, abufs,
				       MAX_BUFS, &err_a);
		a_charged = secbuf_dmem_current(a);
		largest = secbuf_pool_sysfs(pool, "largest_free_bytes");
		secbuf_cg_enter(b);
		nb = alloc_until_error(POOL_FILE, fd, SECBUF_SZ_1M, bbufs, want, &err_b);
		igt_info("A: %d buffers of 2 MiB + %" PRIu64 " bytes, charged %"
			 PRIu64 " of %" PRIu64 ", then %s; largest_free_bytes "
			 "%" PRIu64 "; B: %d of %d MiB (%s)\n", na, page,
			 a_charged, half, strerror(-err_a), largest, nb, want,
			 nb < want ? strerror(-err_b) : "ok");
		close_all(abufs, na);
		close_all(bbufs, nb);
		igt_assert_eq_u64(each, SECBUF_SZ_4M);
		igt_assert_eq_u64(a_charged, na * each);
		igt_assert_f(na == (int)(half / each) && err_a == -ENOSPC,
			     "A, limited to %" PRIu64 " bytes, got %d buffers "
			     "charged %" PRIu64 " each, then %s; expected %d, "
			     "then ENOSPC\n", half, na, each, strerror(-err_a),
			     (int)(half / each));
		igt_assert_f(nb == want,
			     "A, limited to %" PRIu64 " MiB, was charged %"
			     PRIu64 " bytes for %d buffers of 2 MiB + %"
			     PRIu64 " bytes but left B only %d of its %d MiB "
			     "(then %s): A took B's share through chunk "
			     "rounding\n", half >> 20, a_charged, na, page, nb,
			     want, strerror(-err_b));
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		cg_cleanup();
		wait_used(0);
		secbuf_pool_assert_idle(pool);
	}

	/* ================= 2. making a victim pay ================= */

	igt_describe("P3 \"a holder cannot make the owner's cgroup pay more "
		     "than it allocated, nor run up its own usage\": a holder "
		     "in cgroup B gets the owner's dma-buf and a heap buffer by "
		     "fork and a REGRANT grant over SCM_RIGHTS; it maps and "
		     "writes all of them, derives and maps 32 grants, dups and "
		     "syncs 64 times, imports into a device, forks a child that "
		     "touches the inherited mapping, and is refused GRANT on "
		     "the owner's fd (EPERM): B stays at 0, A at exactly what it "
		     "allocated, used_bytes unchanged.");
	igt_subtest("victim-holder-charged-nothing") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		uint64_t used0 = used_bytes(), gid;
		int sv[2], hf, buf, h, g;

		socketpair_seqpacket(sv);
		secbuf_cg_enter(a);
		hf = secbuf_open_heap(pool);
		buf = alloc_kind(POOL_FILE, fd, 2 * SECBUF_SZ_1M);
		h = alloc_kind(HEAP_FILE, hf, SECBUF_SZ_1M);
		g = secbuf_grant(fd, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				 SECBUF_GRANT_DMA | SECBUF_GRANT_REGRANT, &gid);
		igt_assert_eq_u64(secbuf_dmem_current(a), 3 * SECBUF_SZ_1M);
		igt_fork(child, 1) {
			struct secbuf_mapped_import imp;
			int gg, mine, out = -1, st;
			uint8_t *p1, *p2, *p3;
			uint64_t sub_id;
			pid_t pid;

			secbuf_cg_enter(b);
			gg = secbuf_recv_fd(sv[1]);
			mine = secbuf_open_pool(pool);
			p1 = secbuf_mmap(buf, 2 * SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
			secbuf_fill(p1, 2 * SECBUF_SZ_1M, 7);
			p2 = secbuf_mmap(gg, 2 * SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
			secbuf_assert_filled(p2, 2 * SECBUF_SZ_1M, 7);
			p3 = secbuf_mmap(h, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
			secbuf_fill(p3, SECBUF_SZ_1M, 8);
			for (int i = 0; i < 32; i++) {
				int sub = secbuf_grant(mine, gg, SECBUF_GRANT_READ,
						       &sub_id);
				uint8_t *q = secbuf_mmap(sub, 2 * SECBUF_SZ_1M,
							 PROT_READ);

				igt_assert_eq(q[2 * SECBUF_SZ_1M - 1], p1[2 * SECBUF_SZ_1M - 1]);
				secbuf_munmap(q, 2 * SECBUF_SZ_1M);
				close(sub);
			}
			for (int i = 0; i < 64; i++) {
				int d = dup(gg);

				igt_assert_fd(d);
				secbuf_dmabuf_sync(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
				secbuf_dmabuf_sync(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
				close(d);
			}
			igt_assert_eq(__secbuf_grant(mine, buf, SECBUF_GRANT_READ,
						     0, &out, &sub_id), -EPERM);
			secbuf_mapped_import(gg, &imp);
			pid = fork();
			igt_assert(pid >= 0);
			if (pid == 0) {
				/* The mappings inherited by fork. */
				p1[0] ^= 0xff;
				p3[0] ^= 0xff;
				_exit(0);
			}
			igt_assert_eq(waitpid(pid, &st, 0), pid);
			igt_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			/* Everything held at once. */
			igt_assert_eq_u64(secbuf_dmem_current(b), 0);
			igt_assert_eq_u64(secbuf_dmem_current(a), 3 * SECBUF_SZ_1M);
			igt_assert_eq_u64(used_bytes(), used0 + 3 * SECBUF_SZ_1M);
			secbuf_mapped_import_release(&imp);
			secbuf_munmap(p1, 2 * SECBUF_SZ_1M);
			secbuf_munmap(p2, 2 * SECBUF_SZ_1M);
			secbuf_munmap(p3, SECBUF_SZ_1M);
			close(gg);
			close(mine);
			igt_assert_eq_u64(secbuf_dmem_current(b), 0);
			igt_assert_eq_u64(secbuf_dmem_current(a), 3 * SECBUF_SZ_1M);
		}
		secbuf_send_fd(sv[0], g);
		igt_waitchildren();
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), 3 * SECBUF_SZ_1M);
		igt_assert_eq_u64(used_bytes(), used0 + 3 * SECBUF_SZ_1M);
		/* B is a live dmem cgroup: its own allocations are limited. */
		secbuf_dmem_set_max(b, 0);
		secbuf_cg_enter(b);
		assert_enospc(POOL_FILE, fd, page, b);
		secbuf_cg_enter(home);
		close(g);
		close(buf);
		close(h);
		close(hf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		close(sv[0]);
		close(sv[1]);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/* ================= 3. freeing room a device still uses ================= */

	igt_describe("P4 \"revoking does not free room the device still "
		     "uses\": A (dmem.max 2 MiB) is full with one buffer; a "
		     "holder in B (dmem.max 0) imports a DMA|WRITE grant into a "
		     "device. Revoking the grant frees nothing; revoking the "
		     "buffer quarantines it; the owner closes the buffer and "
		     "its pool file: A stays charged and full (ENOSPC on both "
		     "nodes) until the importer lets go, then 0 and A's room is "
		     "back. B is never charged.");
	igt_subtest("revoke-device-mapped-keeps-charge") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		uint64_t q0 = quarantined_bytes(), q, gid;
		int ready[2], go[2], done[2], of, hf, buf, g, b2;

		igt_assert_eq(pipe(ready), 0);
		igt_assert_eq(pipe(go), 0);
		igt_assert_eq(pipe(done), 0);
		secbuf_dmem_set_max(a, 2 * SECBUF_SZ_1M);
		secbuf_dmem_set_max(b, 0);
		secbuf_cg_enter(a);
		of = secbuf_open_pool(pool);
		hf = secbuf_open_heap(pool);
		buf = alloc_kind(POOL_FILE, of, 2 * SECBUF_SZ_1M);
		g = secbuf_grant(of, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				 SECBUF_GRANT_DMA, &gid);
		igt_fork(child, 1) {
			struct secbuf_mapped_import imp;
			uint8_t *p;

			/* The holder keeps only the grant: the owner's fds and
			 * its pool file stay the owner's alone. */
			close(buf);
			close(of);
			close(hf);
			secbuf_cg_enter(b);
			p = secbuf_mmap(g, 2 * SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
			secbuf_fill(p, 2 * SECBUF_SZ_1M, 3);
			secbuf_mapped_import(g, &imp);
			pipe_put(ready[1]);
			pipe_get(go[0]);
			secbuf_mapped_import_release(&imp);
			secbuf_munmap(p, 2 * SECBUF_SZ_1M);
			close(g);
			igt_assert_eq_u64(secbuf_dmem_current(b), 0);
			pipe_put(done[1]);
		}
		pipe_get(ready[0]);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		assert_enospc(POOL_FILE, fd, page, a);

		/* One grant: the memory is still the owner's live buffer. */
		igt_assert_eq(__secbuf_revoke(of, buf, gid, &q), 0);
		igt_assert_eq_u64(q, q0);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		assert_enospc(HEAP_FILE, hf, page, a);

		/* The whole buffer: quarantined, still charged, still full. */
		igt_assert_eq_u64(secbuf_revoke(of, buf, 0), q0 + 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, fd, page, a);
		assert_enospc(HEAP_FILE, hf, SECBUF_SZ_1M, a);
		close(buf);
		close(g);
		close(of);	/* owner's file: "revokes everything it owns" */
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(quarantined_bytes(), q0 + 2 * SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, fd, page, a);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);

		pipe_put(go[1]);
		pipe_get(done[0]);
		igt_waitchildren();
		wait_current(a, 0);
		igt_assert_eq_u64(quarantined_bytes(), q0);
		b2 = alloc_kind(HEAP_FILE, hf, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 2 * SECBUF_SZ_1M);
		close(b2);
		close(hf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		for (int i = 0; i < 2; i++) {
			close(ready[i]);
			close(go[i]);
			close(done[i]);
		}
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P4 for a fence: a write fence (another buffer's DMA "
		     "window, as a sync_file) imported into the owner's handle "
		     "outlives revoke_timeout_ms, so the revoked buffer is "
		     "quarantined \"until it has [signaled]\"; its cgroup stays "
		     "charged and full through the owner's close, and is "
		     "uncharged once the fence signals (memory released from a "
		     "fence callback).");
	igt_subtest("revoke-fence-quarantine-keeps-charge") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		uint64_t q0 = quarantined_bytes(), t0;
		int of, x, y, fence;

		secbuf_param_set("revoke_timeout_ms", 200);
		secbuf_cg_enter(b);
		x = alloc_kind(POOL_FILE, fd, page);
		secbuf_dmem_set_max(a, SECBUF_SZ_1M);
		secbuf_cg_enter(a);
		of = secbuf_open_pool(pool);
		y = alloc_kind(POOL_FILE, of, SECBUF_SZ_1M);
		fence = secbuf_dma_begin(fd, x, SECBUF_DMA_WAIT |
					 SECBUF_DMA_FENCE_FD);
		igt_assert_fd(fence);
		dmabuf_import_sync_file(y, DMA_BUF_SYNC_WRITE, fence);

		t0 = secbuf_now_ms();
		igt_assert_eq_u64(secbuf_revoke(of, y, 0), q0 + SECBUF_SZ_1M);
		igt_info("REVOKE took %" PRIu64 " ms\n", secbuf_now_ms() - t0);
		igt_assert_eq(sync_fence_status(fence), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, fd, page, a);
		close(y);
		close(of);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		igt_assert_eq_u64(quarantined_bytes(), q0 + SECBUF_SZ_1M);
		assert_enospc(POOL_FILE, fd, page, a);
		igt_assert_eq_u64(secbuf_dmem_current(b), page);

		secbuf_dma_end(fd, x);
		igt_assert_eq(sync_fence_wait(fence, 1000), 0);
		wait_current(a, 0);
		igt_assert_eq_u64(quarantined_bytes(), q0);
		igt_assert_eq_u64(secbuf_dmem_current(b), page);
		close(fence);
		close(x);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		secbuf_params_restore();
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/* ================= 4. when the charge drops ================= */

	/*
	 * The brief's "memory goes back at the last release" is not what the
	 * documents promise for every buffer: a /dev/secbuf buffer is revoked
	 * when its owner's pool file closes ("the owner process dying, since
	 * that closes the file"), and "without quarantine, the memory is back
	 * in the pool before the ioctl returns, even while holders keep their
	 * fds open", so its charge drops at the owner's death. A SEAL_REVOKE
	 * buffer "lives on until its last handle goes", a dma-heap buffer
	 * "lives as long as its dma-buf does", and a buffer whose pool file
	 * another process still holds is not revoked at all: those are
	 * uncharged at their last release (the last fd AND mapping).
	 */
	igt_describe("P4 \"exactly when the memory goes back to the pool\": "
		     "an owner in A exits while a holder in B keeps the fds and "
		     "mappings of four buffers. Its plain buffer is revoked "
		     "(SIGBUS) and uncharged at its death; its SEAL_REVOKE "
		     "buffer, its dma-heap buffer and a buffer allocated through "
		     "a pool file the holder's process also has stay charged to "
		     "A until the last fd and mapping of each goes. A sentinel "
		     "buffer in A shows there is no second uncharge; B is never "
		     "charged.");
	igt_subtest("owner-exit-charge-until-memory-returns") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		struct secbuf_query q;
		int sv[2], pf, s, x, y, h, z;
		uint8_t *px, *py, *ph, *pz;

		socketpair_seqpacket(sv);
		pf = secbuf_open_pool(pool);	/* shared with the owner child */
		secbuf_cg_enter(a);
		s = alloc_kind(POOL_FILE, fd, page);
		igt_fork(child, 1) {
			int of = secbuf_open_pool(pool);
			int hf = secbuf_open_heap(pool);
			int cx = alloc_kind(POOL_FILE, of, SECBUF_SZ_1M);
			int cy = alloc_kind(POOL_FILE, of, 2 * SECBUF_SZ_1M);
			int ch = alloc_kind(HEAP_FILE, hf, SECBUF_SZ_1M);
			int cz = alloc_kind(POOL_FILE, pf, SECBUF_SZ_1M);

			secbuf_seal(of, cy, SECBUF_SEAL_REVOKE);
			secbuf_send_fd(sv[1], cx);
			secbuf_send_fd(sv[1], cy);
			secbuf_send_fd(sv[1], ch);
			secbuf_send_fd(sv[1], cz);
			/* Exit with everything open. */
		}
		secbuf_cg_enter(b);
		x = secbuf_recv_fd(sv[0]);
		y = secbuf_recv_fd(sv[0]);
		h = secbuf_recv_fd(sv[0]);
		z = secbuf_recv_fd(sv[0]);
		px = secbuf_mmap(x, SECBUF_SZ_1M, PROT_READ);
		py = secbuf_mmap(y, 2 * SECBUF_SZ_1M, PROT_READ);
		ph = secbuf_mmap(h, SECBUF_SZ_1M, PROT_READ);
		pz = secbuf_mmap(z, SECBUF_SZ_1M, PROT_READ);
		igt_waitchildren();

		wait_current(a, page + 4 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		secbuf_query(fd, x, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
		secbuf_assert_sigbus(px, false);
		igt_assert_eq(py[2 * SECBUF_SZ_1M - 1], 0);
		igt_assert_eq(ph[0], 0);
		igt_assert_eq(pz[0], 0);

		/* The revoked one: nothing left to uncharge. */
		close(x);
		secbuf_munmap(px, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), page + 4 * SECBUF_SZ_1M);
		/* The others: the mapping alone keeps each buffer. */
		close(y);
		close(h);
		close(z);
		igt_assert_eq_u64(secbuf_dmem_current(a), page + 4 * SECBUF_SZ_1M);
		secbuf_munmap(py, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), page + 2 * SECBUF_SZ_1M);
		secbuf_munmap(ph, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), page + SECBUF_SZ_1M);
		secbuf_munmap(pz, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), page);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		secbuf_cg_enter(home);
		close(s);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		close(pf);
		close(sv[0]);
		close(sv[1]);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Removing a cgroup that still has charges, then freeing: "
		     "C (under P) holds a live buffer, a heap buffer and a "
		     "quarantined one a device maps; C is removed; P and the "
		     "root keep counting them through the revocation and the "
		     "owner file's close, and return exactly to their prior "
		     "values once the last memory goes back.");
	igt_subtest("rmdir-charged-cgroup-then-free") {
		const char *p = cg_new(0, NULL, "p"), *c;
		uint64_t root0 = secbuf_dmem_current(""), q0 = quarantined_bytes();
		struct secbuf_mapped_import imp;
		int of, hf, x, y, h;

		secbuf_cg_write(p, "cgroup.subtree_control", "+dmem");
		c = cg_new(1, p, "c");
		secbuf_cg_enter(c);
		of = secbuf_open_pool(pool);
		hf = secbuf_open_heap(pool);
		x = alloc_kind(POOL_FILE, of, SECBUF_SZ_1M);
		y = alloc_kind(POOL_FILE, of, 2 * SECBUF_SZ_1M);
		h = alloc_kind(HEAP_FILE, hf, SECBUF_SZ_1M);
		secbuf_mapped_import(y, &imp);
		secbuf_cg_enter(home);
		igt_assert_eq(secbuf_cg_rmdir(c), 0);
		cg_forget(1);
		igt_assert_eq_u64(secbuf_dmem_current(p), SECBUF_SZ_4M);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0 + SECBUF_SZ_4M);

		igt_assert_eq_u64(secbuf_revoke(of, y, 0), q0 + 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(p), SECBUF_SZ_4M);
		close(x);
		igt_assert_eq_u64(secbuf_dmem_current(p), 3 * SECBUF_SZ_1M);
		close(h);
		close(hf);
		igt_assert_eq_u64(secbuf_dmem_current(p), 2 * SECBUF_SZ_1M);
		close(y);
		close(of);
		igt_assert_eq_u64(secbuf_dmem_current(p), 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0 + 2 * SECBUF_SZ_1M);
		secbuf_mapped_import_release(&imp);
		wait_current(p, 0);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0);
		igt_assert_eq_u64(quarantined_bytes(), q0);
		igt_assert_eq(secbuf_cg_rmdir(p), 0);
		cg_forget(0);
		igt_assert_eq_u64(secbuf_dmem_current(""), root0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/* ================= 5. failures that keep a charge ================= */

	igt_describe("P2 \"ENOSPC, with nothing allocated\": at dmem.max 0, "
		     "at a full 4 MiB and after lowering dmem.max below usage, "
		     "every size from 1 byte to 64 MiB on both nodes is exactly "
		     "ENOSPC and leaves no fd, no buffer, no pool usage, no "
		     "charge (also none in the root) and no new CMA memory.");
	igt_subtest("rejected-over-max-leaves-nothing") {
		const uint64_t sizes[] = { 1, page, SECBUF_SZ_64K, SECBUF_SZ_1M, 2 * SECBUF_SZ_1M,
					   2 * SECBUF_SZ_1M + 1, SECBUF_SZ_4M, SECBUF_SZ_64M };
		const char *a = cg_new(0, NULL, "a");
		int files[2], b;

		secbuf_cg_enter(a);
		files[POOL_FILE] = secbuf_open_pool(pool);
		files[HEAP_FILE] = secbuf_open_heap(pool);
		secbuf_dmem_set_max(a, 0);
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			for (int k = POOL_FILE; k <= HEAP_FILE; k++)
				assert_enospc(k, files[k], sizes[i], a);
		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		b = alloc_kind(POOL_FILE, files[POOL_FILE], SECBUF_SZ_4M);
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			for (int k = POOL_FILE; k <= HEAP_FILE; k++)
				assert_enospc(k, files[k], sizes[i], a);
		secbuf_dmem_set_max(a, SECBUF_SZ_1M);
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			for (int k = POOL_FILE; k <= HEAP_FILE; k++)
				assert_enospc(k, files[k], sizes[i], a);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		close(b);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		close(files[0]);
		close(files[1]);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/*
	 * The charge is taken "before any memory is taken", so every later
	 * failure must give it back. The uapi gives no precedence between
	 * ENOSPC and ENOMEM, so a full pool is tested with no limit.
	 */
	igt_describe("Allocations that fail after the charge could have been "
		     "taken give it back: EDQUOT (max_file_buffers, "
		     "max_file_bytes, both nodes), EFAULT (the result cannot be "
		     "copied out: \"no descriptor and no buffer behind\"), "
		     "EMFILE (no free fd), ENOMEM (the pool is full): the "
		     "cgroup's dmem.current, the pool and the fd table are "
		     "unchanged each time.");
	igt_subtest("failed-alloc-leaves-no-charge") {
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		struct secbuf_snapshot before;
		struct secbuf_alloc *arg;
		struct filler *fl;
		int of, hf, b1, b2, ret;

		secbuf_cg_enter(a);
		/* EDQUOT: buffers per file. */
		secbuf_param_set("max_file_buffers", 1);
		for (int k = POOL_FILE; k <= HEAP_FILE; k++) {
			int f = open_kind(k);

			b1 = alloc_kind(k, f, page);
			igt_assert_eq_u64(secbuf_dmem_current(a), page);
			assert_refused(k, f, page, a, EDQUOT);
			assert_refused(k, f, SECBUF_SZ_1M, a, EDQUOT);
			close(b1);
			close(f);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		}
		secbuf_params_restore();
		/* EDQUOT: bytes per file. */
		secbuf_param_set("max_file_bytes", SECBUF_SZ_1M);
		for (int k = POOL_FILE; k <= HEAP_FILE; k++) {
			int f = open_kind(k);

			assert_refused(k, f, 2 * SECBUF_SZ_1M, a, EDQUOT);
			b1 = alloc_kind(k, f, SECBUF_SZ_1M);
			assert_refused(k, f, page, a, EDQUOT);
			close(b1);
			close(f);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		}
		secbuf_params_restore();

		/* EFAULT: the struct is readable but not writable. */
		of = secbuf_open_pool(pool);
		arg = mmap(NULL, page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(arg != MAP_FAILED);
		memset(arg, 0, sizeof(*arg));
		arg->size = SECBUF_SZ_1M;
		arg->fd_flags = SECBUF_FD_RDWR | SECBUF_FD_CLOEXEC;
		igt_assert_eq(mprotect(arg, page, PROT_READ), 0);
		secbuf_snapshot(&before, pool);
		ret = __secbuf_ioctl(of, SECBUF_IOC_ALLOC, arg);
		igt_assert_eq(ret, -EFAULT);
		secbuf_assert_unchanged(&before);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		munmap(arg, page);

		/* EMFILE: no fd below RLIMIT_NOFILE is free. */
		hf = secbuf_open_heap(pool);
		igt_fork(child, 1) {
			struct rlimit old, rl;
			uint64_t used0 = used_bytes();
			int out = -1, r1, r2;

			igt_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
			rl = old;
			rl.rlim_cur = secbuf_next_free_fd();
			igt_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
			r1 = __secbuf_alloc(of, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC, &out);
			r2 = __secbuf_heap_alloc(hf, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0,
						 &out);
			igt_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
			igt_assert_eq(r1, -EMFILE);
			/* The heap's errno is the dma-heap core's: any error. */
			igt_assert_f(r2 < 0, "DMA_HEAP_IOCTL_ALLOC with no free "
				     "fd worked\n");
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
			igt_assert_eq_u64(used_bytes(), used0);
		}
		igt_waitchildren();
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);

		/* ENOMEM: the pool filled from B. */
		fl = calloc(1, sizeof(*fl));
		igt_assert(fl);
		secbuf_cg_enter(b);
		fill_pool(fl, SECBUF_SZ_1M);
		secbuf_cg_enter(a);
		assert_refused(POOL_FILE, of, 2 * SECBUF_SZ_1M, a, ENOMEM);
		assert_refused(POOL_FILE, of, SECBUF_SZ_1M, a, ENOMEM);
		assert_refused(HEAP_FILE, hf, 2 * SECBUF_SZ_1M, a, ENOMEM);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		filler_free(fl);
		free(fl);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		/* And the cgroup can still allocate. */
		b2 = alloc_kind(POOL_FILE, of, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		close(b2);
		close(of);
		close(hf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P6 \"Nothing is taken away\": A holds a written, mapped "
		     "4 MiB buffer and a 1 MiB one quarantined by a device; with "
		     "dmem.min and dmem.low at its usage and then dmem.max set "
		     "to 0, and while another cgroup fills the pool to ENOMEM, "
		     "A's content, charge and quarantine are unchanged and its "
		     "next allocations (both nodes, 1 byte) are ENOSPC.");
	igt_subtest("max-zero-min-low-take-nothing") {
		const char *a = cg_new(0, NULL, "a"), *k = cg_new(1, NULL, "k");
		uint64_t q0 = quarantined_bytes();
		struct secbuf_mapped_import imp;
		struct filler *fl;
		int of, hf, b, q;
		uint8_t *p;

		secbuf_cg_enter(a);
		of = secbuf_open_pool(pool);
		hf = secbuf_open_heap(pool);
		b = alloc_kind(POOL_FILE, of, SECBUF_SZ_4M);
		p = secbuf_mmap(b, SECBUF_SZ_4M, PROT_READ | PROT_WRITE);
		secbuf_fill(p, SECBUF_SZ_4M, 5);
		q = alloc_kind(POOL_FILE, of, SECBUF_SZ_1M);
		secbuf_mapped_import(q, &imp);
		igt_assert_eq_u64(secbuf_revoke(of, q, 0), q0 + SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 5 * SECBUF_SZ_1M);

		secbuf_dmem_set(a, "dmem.min", 5 * SECBUF_SZ_1M);
		secbuf_dmem_set(a, "dmem.low", 5 * SECBUF_SZ_1M);
		secbuf_dmem_set_max(a, 0);
		igt_assert_eq_u64(secbuf_dmem_read(a, "dmem.max"), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), 5 * SECBUF_SZ_1M);
		igt_assert_eq_u64(quarantined_bytes(), q0 + SECBUF_SZ_1M);
		secbuf_assert_filled(p, SECBUF_SZ_4M, 5);
		assert_enospc(POOL_FILE, of, 1, a);
		assert_enospc(HEAP_FILE, hf, 1, a);

		fl = calloc(1, sizeof(*fl));
		igt_assert(fl);
		secbuf_cg_enter(k);
		fill_pool(fl, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), 5 * SECBUF_SZ_1M);
		secbuf_assert_filled(p, SECBUF_SZ_4M, 5);
		igt_assert_eq_u64(quarantined_bytes(), q0 + SECBUF_SZ_1M);
		filler_free(fl);
		free(fl);
		igt_assert_eq_u64(secbuf_dmem_current(k), 0);
		secbuf_assert_filled(p, SECBUF_SZ_4M, 5);

		secbuf_cg_enter(a);
		secbuf_dmem_set_max(a, UINT64_MAX);
		secbuf_mapped_import_release(&imp);
		close(q);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		secbuf_munmap(p, SECBUF_SZ_4M);
		close(b);
		close(of);
		close(hf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	/* ================= 6. races ================= */

	/*
	 * dmem.current itself may be read a little above dmem.max while
	 * charges race: the kernel's page_counter adds a charge before it
	 * compares with the limit and takes a failing one back afterwards.
	 * That is the controller's, and no memory is handed out for it; what
	 * must never exceed dmem.max is the charge of the buffers the cgroup
	 * really holds (charge_of() of each: sizes of 2 MiB + a page and 3 MiB
	 * are charged 4 MiB), which the children add up (after each success,
	 * before each close) and check, and which the parent compares with
	 * dmem.current whenever the children are quiet; used_bytes is
	 * compared with the page-rounded sizes they hold, which differ.
	 */
	igt_describe("P1 under races: 8 children in a cgroup with dmem.max "
		     "16 MiB allocate random sizes (some charged a 2 MiB-rounded "
		     "chunk) through pool and heap files at once, free random "
		     "halves, for several rounds: what they hold is never "
		     "charged more than dmem.max, every result is 0 or ENOSPC, "
		     "and at each quiet point dmem.current equals the charge of "
		     "the buffers held, used_bytes their page-rounded sizes, a "
		     "single buffer of the rest of the limit is ENOSPC when its "
		     "chunk rounding would exceed it, and exactly the rest of "
		     "the limit can still be allocated; all 0 at the end.");
	igt_subtest("race-concurrent-alloc-within-max") {
		const uint64_t sizes[] = { page, 16 * page, 256 * 1024, SECBUF_SZ_1M,
					   2 * SECBUF_SZ_1M, 2 * SECBUF_SZ_1M + page,
					   3 * SECBUF_SZ_1M };
		const int nchild = 8, rounds = 4, tries = 12;
		const uint64_t max = 16 * SECBUF_SZ_1M;
		struct shared {
			atomic_llong live, live_used;
			atomic_int phase, done, failed, over, bad;
			atomic_int ok, enospc;
		} *sh = secbuf_shared_alloc(sizeof(*sh));
		const char *a = cg_new(0, NULL, "a");
		uint64_t seed = secbuf_stress_seed(), used0 = used_bytes();
		int ph = 0, phf = secbuf_open_heap(pool);

		secbuf_dmem_set_max(a, max);
		secbuf_cg_enter(a);
		igt_fork(child, nchild) {
			struct secbuf_rng rng;
			int files[2], bufs[64], nb = 0;
			uint64_t bsz[64];

			on_exit(child_on_exit, &sh->failed);
			secbuf_rng_init(&rng, seed, child);
			files[POOL_FILE] = secbuf_open_pool(pool);
			files[HEAP_FILE] = secbuf_open_heap(pool);
			for (int r = 0; r < rounds; r++) {
				/* Allocate. */
				wait_at_least(&sh->phase, 2 * r + 1, &sh->failed,
					      "alloc phase");
				for (int t = 0; t < tries && nb < 64; t++) {
					enum kind k = secbuf_rng_below(&rng, 2);
					uint64_t sz = sizes[secbuf_rng_below(&rng,
						ARRAY_SIZE(sizes))];
					int ret = __alloc_kind(k, files[k], sz,
							       &bufs[nb]);

					if (ret == -ENOSPC) {
						atomic_fetch_add(&sh->enospc, 1);
						continue;
					}
					if (ret) {
						atomic_store(&sh->bad, -ret);
						continue;
					}
					bsz[nb++] = sz;
					atomic_fetch_add(&sh->ok, 1);
					atomic_fetch_add(&sh->live_used,
							 (long long)page_round(sz));
					if ((uint64_t)atomic_fetch_add(&sh->live,
						(long long)charge_of(sz)) +
					    charge_of(sz) > max)
						atomic_store(&sh->over, 1);
				}
				atomic_fetch_add(&sh->done, 1);
				/* Free a random half. */
				wait_at_least(&sh->phase, 2 * r + 2, &sh->failed,
					      "free phase");
				for (int i = 0; i < nb; ) {
					if (r == rounds - 1 ||
					    secbuf_rng_chance(&rng, 50)) {
						atomic_fetch_sub(&sh->live,
							(long long)charge_of(bsz[i]));
						atomic_fetch_sub(&sh->live_used,
							(long long)page_round(bsz[i]));
						close(bufs[i]);
						bufs[i] = bufs[--nb];
						bsz[i] = bsz[nb];
					} else {
						i++;
					}
				}
				atomic_fetch_add(&sh->done, 1);
			}
			close(files[0]);
			close(files[1]);
		}
		secbuf_cg_enter(home);
		for (int r = 0; r < rounds; r++) {
			for (int half = 0; half < 2; half++) {
				uint64_t live, room, big, rest;
				enum kind k = r & 1 ? HEAP_FILE : POOL_FILE;
				int kf = r & 1 ? phf : fd, of = r & 1 ? fd : phf;
				int rb = -1, rr = -1;

				atomic_store(&sh->phase, ++ph);
				wait_at_least(&sh->done, nchild * ph, &sh->failed,
					      "the children");
				igt_assert_f(!atomic_load(&sh->bad),
					     "an allocation failed with %s\n",
					     strerror(atomic_load(&sh->bad)));
				igt_assert_f(!atomic_load(&sh->over),
					     "the buffers the children held at "
					     "once were charged more than "
					     "dmem.max\n");
				live = (uint64_t)atomic_load(&sh->live);
				igt_assert_lte_u64(live, max);
				igt_assert_eq_u64(secbuf_dmem_current(a), live);
				igt_assert_eq_u64(used_bytes(), used0 +
					(uint64_t)atomic_load(&sh->live_used));
				/*
				 * Exactly the rest of the limit is left: one
				 * buffer of it when it is charged its size,
				 * else (from 2 MiB up, not a 2 MiB multiple)
				 * one is ENOSPC, and its 2 MiB multiple part
				 * in one buffer and the remainder (< 2 MiB,
				 * charged its pages) in another fill it.
				 */
				room = max - live;
				secbuf_cg_enter(a);
				if (room && charge_of(room) == room) {
					rb = alloc_kind(k, kf, room);
				} else if (room) {
					assert_enospc(k, kf, room, a);
					big = room & ~(SECBUF_SZ_2M - 1);
					rest = room - big;
					igt_assert(big && rest && rest < SECBUF_SZ_2M);
					igt_assert_eq_u64(charge_of(big), big);
					igt_assert_eq_u64(charge_of(rest), rest);
					rb = alloc_kind(k, kf, big);
					rr = alloc_kind(!k, of, rest);
				}
				igt_assert_eq_u64(secbuf_dmem_current(a), max);
				assert_enospc(POOL_FILE, fd, page, a);
				assert_enospc(HEAP_FILE, phf, page, a);
				if (rb >= 0)
					close(rb);
				if (rr >= 0)
					close(rr);
				igt_assert_eq_u64(secbuf_dmem_current(a), live);
				secbuf_cg_enter(home);
			}
		}
		igt_waitchildren();
		igt_info("%d allocations, %d ENOSPC\n", atomic_load(&sh->ok),
			 atomic_load(&sh->enospc));
		igt_assert(atomic_load(&sh->enospc) > 0);
		wait_current(a, 0);
		wait_used(used0);
		close(phf);
		secbuf_shared_free(sh, sizeof(*sh));
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P1/P4 against migration races: a process allocating and "
		     "freeing through both nodes is moved between A and B "
		     "(dmem.max 4 MiB each) hundreds of times; when it stops, "
		     "A + B equal the charge of the buffers it holds (2 MiB-"
		     "rounded from 2 MiB up, which sizes of up to 256 pages "
		     "reach with 16 KiB or 64 KiB pages) and used_bytes their "
		     "page-rounded sizes, each within its "
		     "limit; once it freed everything, both are exactly 0 (no "
		     "buffer was uncharged from the wrong cgroup).");
	igt_subtest("race-migrate-while-allocating") {
		struct shared {
			atomic_int pid, phase, ack, failed, bad, ops;
			atomic_llong held, held_used;
		} *sh = secbuf_shared_alloc(sizeof(*sh));
		const char *a = cg_new(0, NULL, "a"), *b = cg_new(1, NULL, "b");
		uint64_t seed = secbuf_stress_seed(), used0 = used_bytes();
		uint64_t ca, cb, held, held_used;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_dmem_set_max(b, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		igt_fork(child, 1) {
			struct secbuf_rng rng;
			int files[2], ring[8], head = 0, n = 0;
			uint64_t rsz[8];

			on_exit(child_on_exit, &sh->failed);
			secbuf_rng_init(&rng, seed, 0);
			files[POOL_FILE] = secbuf_open_pool(pool);
			files[HEAP_FILE] = secbuf_open_heap(pool);
			atomic_store(&sh->pid, getpid());
			while (atomic_load(&sh->phase) == 0) {
				enum kind k = secbuf_rng_below(&rng, 2);
				uint64_t sz = (1 + secbuf_rng_below(&rng, 256)) *
					      page;
				int out = -1, ret;

				if (n == 8) {
					atomic_fetch_sub(&sh->held,
						(long long)charge_of(rsz[head]));
					atomic_fetch_sub(&sh->held_used,
						(long long)page_round(rsz[head]));
					close(ring[head]);
					head = (head + 1) % 8;
					n--;
				}
				ret = __alloc_kind(k, files[k], sz, &out);
				if (ret == 0) {
					int slot = (head + n) % 8;

					ring[slot] = out;
					rsz[slot] = sz;
					n++;
					atomic_fetch_add(&sh->held,
						(long long)charge_of(sz));
					atomic_fetch_add(&sh->held_used,
						(long long)page_round(sz));
				} else if (ret != -ENOSPC) {
					atomic_store(&sh->bad, -ret);
				}
				atomic_fetch_add(&sh->ops, 1);
			}
			atomic_store(&sh->ack, 1);
			wait_at_least(&sh->phase, 2, &sh->failed, "free");
			while (n) {
				atomic_fetch_sub(&sh->held,
						 (long long)charge_of(rsz[head]));
				atomic_fetch_sub(&sh->held_used,
						 (long long)page_round(rsz[head]));
				close(ring[head]);
				head = (head + 1) % 8;
				n--;
			}
			close(files[0]);
			close(files[1]);
		}
		secbuf_cg_enter(home);
		wait_at_least(&sh->pid, 1, &sh->failed, "the child's pid");
		for (int i = 0; i < 400; i++) {
			secbuf_cg_move_pid(i & 1 ? a : b, atomic_load(&sh->pid));
			usleep(1000 + (i % 7) * 300);
		}
		atomic_store(&sh->phase, 1);
		wait_at_least(&sh->ack, 1, &sh->failed, "the child to stop");
		igt_assert_f(!atomic_load(&sh->bad), "an allocation failed with "
			     "%s\n", strerror(atomic_load(&sh->bad)));
		ca = secbuf_dmem_current(a);
		cb = secbuf_dmem_current(b);
		held = (uint64_t)atomic_load(&sh->held);
		held_used = (uint64_t)atomic_load(&sh->held_used);
		igt_info("%d operations; holding %" PRIu64 " bytes charged %"
			 PRIu64 ": A %" PRIu64 ", B %" PRIu64 "\n",
			 atomic_load(&sh->ops), held_used, held, ca, cb);
		igt_assert_eq_u64(ca + cb, held);
		igt_assert_eq_u64(used_bytes(), used0 + held_used);
		igt_assert_lte_u64(ca, SECBUF_SZ_4M);
		igt_assert_lte_u64(cb, SECBUF_SZ_4M);
		atomic_store(&sh->phase, 2);
		igt_waitchildren();
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		wait_used(used0);
		secbuf_shared_free(sh, sizeof(*sh));
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("P4 against death at any moment: a process in A "
		     "allocating and freeing 16 MiB buffers (pool node, heap "
		     "node) is SIGKILLed at random points, 16 times: each time "
		     "A's dmem.current and the pool's used_bytes go back to 0.");
	igt_subtest("race-killed-mid-allocation") {
		const char *a = cg_new(0, NULL, "a");
		uint64_t seed = secbuf_stress_seed(), used0 = used_bytes();
		char ppath[256], hpath[256];
		struct secbuf_rng rng;

		secbuf_rng_init(&rng, seed, 0);
		snprintf(ppath, sizeof(ppath), SECBUF_DEV_DIR "/%s", pool);
		snprintf(hpath, sizeof(hpath), SECBUF_HEAP_DIR "/%s", pool);
		secbuf_dmem_set_max(a, 32 * SECBUF_SZ_1M);
		for (int i = 0; i < 16; i++) {
			bool heap = i & 1;
			int st;
			pid_t pid;

			secbuf_cg_enter(a);
			fflush(NULL);
			pid = fork();
			igt_assert(pid >= 0);
			if (pid == 0)
				alloc_forever(heap ? hpath : ppath, heap,
					      16 * SECBUF_SZ_1M);
			plain_track(pid);
			secbuf_cg_enter(home);
			usleep(secbuf_rng_below(&rng, 60000));
			kill(pid, SIGKILL);
			igt_assert_eq(waitpid(pid, &st, 0), pid);
			plain_untrack(pid);
			igt_assert_f(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
				     "the allocating child ended on its own "
				     "(status %#x)\n", st);
			wait_current(a, 0);
			wait_used(used0);
		}
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		cg_cleanup();
		close(fd);
	}
}
