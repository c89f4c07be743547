// SPDX-License-Identifier: MIT
/*
 * secbuf_cgroup: pool memory charged to cgroups through the dmem cgroup
 * controller. Each pool is the region "secbuf/<pool>"; an allocation is
 * charged to the allocating task's cgroup and uncharged when the memory
 * goes back to the pool.
 *
 * The subtests need cgroup v2 with the dmem controller mounted at
 * /sys/fs/cgroup (lane feature "dmem": the x86_64-debug lane's kernel has
 * CONFIG_CGROUP_DMEM; the stock kernels do not, and there the subtests
 * are N/A). Each subtest makes its own cgroups under the root, moves the
 * test process (or a child) into them, and removes them at its end; an
 * exit handler cleans up after a subtest that failed half way.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_dmem.h"
#include "igt_secbuf.h"
#include "igt_stress.h"
#include "igt_secbuf_vgem.h"

IGT_TEST_DESCRIPTION("Pool memory charged to dmem cgroups: the region per "
		     "pool, dmem.max enforced per cgroup with ENOSPC, "
		     "dmem.current exact, uncharged when the memory goes "
		     "back (free, owner exit, end of a quarantine), both "
		     "allocation paths charged, grants charge nothing.");

#define NR_CGROUPS	3
#define NR_SIZES	4
/* scripts/mkinitramfs puts it into every lane's guest. */
#define SECBUFCTL	"/usr/bin/secbufctl"

static const char *pool;
static const char *region;	/* secbuf/<pool> */
static char home[256];		/* the cgroup the test process started in */
static char cgroups[NR_CGROUPS][64];
static char module_params[512];	/* set before a subtest unloads secbuf */

/* Whether the root's dmem.capacity lists the region at all. */
static bool region_listed(void)
{
	char name[128], value[64];
	bool found = false;
	FILE *f = fopen(SECBUF_CG_ROOT "/dmem.capacity", "re");

	igt_assert(f);
	while (fscanf(f, "%127s %63s", name, value) == 2)
		found |= !strcmp(name, region);
	fclose(f);
	return found;
}

/*
 * A new, empty cgroup with no limit; returns its name. cg_new() makes it
 * under the root, cg_new_child() under cgroup @parent (a smaller index).
 */
static const char *__cg_new(int i, const char *parent)
{
	char path[512];

	igt_assert(i < NR_CGROUPS);
	if (parent)
		snprintf(cgroups[i], sizeof(cgroups[i]), "%s/child", parent);
	else
		snprintf(cgroups[i], sizeof(cgroups[i]), "secbuf-cgroup-%d-%d",
			 (int)getpid(), i);
	secbuf_cg_path(path, sizeof(path), cgroups[i], "");
	igt_assert_f(mkdir(path, 0755) == 0 || errno == EEXIST,
		     "mkdir %s: %s\n", path, strerror(errno));
	return cgroups[i];
}

static const char *cg_new(int i)
{
	return __cg_new(i, NULL);
}

static const char *cg_new_child(int i, const char *parent)
{
	return __cg_new(i, parent);
}

/* Back home, and every cgroup of the subtest removed, children first. */
static void cg_cleanup(void)
{
	char path[512];

	__secbuf_cg_write(home, "cgroup.procs", "0");
	for (int i = NR_CGROUPS - 1; i >= 0; i--) {
		if (!cgroups[i][0])
			continue;
		secbuf_cg_path(path, sizeof(path), cgroups[i], "");
		rmdir(path);
		cgroups[i][0] = '\0';
	}
}

static void cg_exit_handler(int sig)
{
	(void)sig;
	if (module_params[0] && !secbuf_module_is_loaded() &&
	    secbuf_module_reload(module_params, pool))
		fprintf(stderr, "could not reload %s\n", secbuf_module_path());
	cg_cleanup();
}

static int alloc_err(int fd, uint64_t size, int *buf)
{
	return __secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC, buf);
}

/* An allocation over the limit: ENOSPC, and nothing changed. */
static void assert_enospc(int fd, uint64_t size, const char *cg)
{
	struct secbuf_snapshot before;
	uint64_t usage = secbuf_dmem_current(cg);
	int buf;

	secbuf_snapshot(&before, pool);
	igt_assert_eq(alloc_err(fd, size, &buf), -ENOSPC);
	secbuf_assert_unchanged(&before);
	igt_assert_eq_u64(secbuf_dmem_current(cg), usage);
}

/* dmem.current of @cg reaches @want within a second. */
static void wait_current(const char *cg, uint64_t want)
{
	uint64_t v = secbuf_dmem_current(cg);

	for (int i = 0; i < 100 && v != want; i++) {
		usleep(10 * 1000);
		v = secbuf_dmem_current(cg);
	}
	igt_assert_eq_u64(v, want);
}

igt_main
{
	struct secbuf_pool_info pi;
	size_t page;
	int fd = -1;

	igt_fixture {
		char path[512];

		secbuf_require_lane_feature("dmem");
		pool = secbuf_pool_name();
		region = secbuf_dmem_region();
		page = secbuf_page_size();
		fd = secbuf_open_pool(pool);
		secbuf_pool_info(fd, &pi);
		secbuf_cg_self(home, sizeof(home));
		igt_info("running in the cgroup /%s\n", home);
		/* Children of the root may use dmem (the harness did it). */
		secbuf_cg_write("", "cgroup.subtree_control", "+dmem");
		secbuf_cg_path(path, sizeof(path), "", "dmem.capacity");
		igt_assert(access(path, R_OK) == 0);
		igt_install_exit_handler(cg_exit_handler);
	}

	igt_describe("The pool is a region of the dmem controller: the root's "
		     "dmem.capacity lists secbuf/<pool> with the pool's size "
		     "(POOL_INFO's total_bytes).");
	igt_subtest("region-capacity") {
		igt_assert_eq_u64(secbuf_dmem_read("", "dmem.capacity"),
				  pi.total_bytes);
	}

	igt_describe("The region lives as long as the pool: unloading secbuf "
		     "removes it from dmem.capacity, loading it again brings it "
		     "back once, with the same size.");
	igt_subtest("region-follows-module") {
		igt_require_f(geteuid() == 0, "needs CAP_SYS_MODULE\n");
		secbuf_module_params(module_params, sizeof(module_params));
		close(fd);
		fd = -1;
		igt_assert_eq(__secbuf_module_unload(), 0);
		igt_assert(!region_listed());
		igt_assert_eq(secbuf_module_reload(module_params, pool), 0);
		igt_assert_eq_u64(secbuf_dmem_read("", "dmem.capacity"),
				  pi.total_bytes);
		fd = secbuf_open_pool(pool);
	}

	igt_describe("A cgroup with dmem.max 4 MiB: an 8 MiB allocation is "
		     "ENOSPC with nothing left behind, a 2 MiB one succeeds "
		     "and is charged; 2 MiB more fill the limit exactly, one "
		     "more page is ENOSPC; freeing brings dmem.current to 0.");
	igt_subtest("max-enforced") {
		const char *a = cg_new(0);
		int b1, b2;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		assert_enospc(fd, 8 * SECBUF_SZ_1M, a);
		b1 = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_2M);
		b2 = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		assert_enospc(fd, page, a);
		close(b1);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_2M);
		close(b2);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Below 2 MiB, dmem.current is the bytes allocated, each "
		     "buffer rounded up to whole pages, and the allocating "
		     "cgroup's only: the cgroup the test came from is not "
		     "charged.");
	igt_subtest("current-page-rounded") {
		const uint64_t sizes[NR_SIZES] = { 1, page + 1, SECBUF_SZ_1M + 1,
						   3 * page };
		const char *a = cg_new(0);
		int bufs[NR_SIZES];
		uint64_t want = 0;

		secbuf_cg_enter(a);
		for (int i = 0; i < NR_SIZES; i++) {
			bufs[i] = secbuf_alloc(fd, sizes[i], 0,
					       O_RDWR | O_CLOEXEC);
			want += (sizes[i] + page - 1) / page * page;
			igt_assert_eq_u64(secbuf_dmem_current(a), want);
		}
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), want);
		for (int i = 0; i < NR_SIZES; i++)
			close(bufs[i]);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer of 2 MiB or more is charged the chunk of its "
		     "own it takes from the pool, rounded up to 2 MiB: 2 MiB + "
		     "one page and 3 MiB are charged 4 MiB each, 2 MiB and "
		     "4 MiB their size; used_bytes still counts page-rounded "
		     "sizes. With dmem.max 4 MiB, a 2 MiB + one page buffer "
		     "fills the limit.");
	igt_subtest("dedicated-chunk-charged") {
		const uint64_t sizes[NR_SIZES] = { SECBUF_SZ_2M + 1, 3 * SECBUF_SZ_1M, SECBUF_SZ_2M,
						   SECBUF_SZ_4M };
		const uint64_t charged[NR_SIZES] = { SECBUF_SZ_4M, SECBUF_SZ_4M, SECBUF_SZ_2M,
						     SECBUF_SZ_4M };
		const char *a = cg_new(0);
		int buf;

		secbuf_cg_enter(a);
		for (int i = 0; i < NR_SIZES; i++) {
			buf = secbuf_alloc(fd, sizes[i], 0, O_RDWR | O_CLOEXEC);
			igt_assert_eq_u64(secbuf_dmem_current(a), charged[i]);
			igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"),
					  (sizes[i] + page - 1) / page * page);
			close(buf);
			igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		}
		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		buf = secbuf_alloc(fd, SECBUF_SZ_2M + page, 0, O_RDWR | O_CLOEXEC);
		assert_enospc(fd, page, a);
		close(buf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An owner that exits with buffers and its pool file "
		     "open: closing its files revokes and frees them, and its "
		     "cgroup's dmem.current goes back to 0.");
	igt_subtest("uncharged-on-owner-exit") {
		const char *a = cg_new(0);
		int ready[2];
		char c;

		igt_assert_eq(pipe(ready), 0);
		igt_fork(child, 1) {
			int cfd;

			secbuf_cg_enter(a);
			cfd = secbuf_open_pool(pool);
			for (int i = 0; i < 3; i++)
				secbuf_alloc(cfd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
			igt_assert_eq(write(ready[1], "x", 1), 1);
			/* Exit with the pool file and the buffers open. */
		}
		close(ready[1]);
		igt_assert_eq(read(ready[0], &c, 1), 1);
		close(ready[0]);
		igt_waitchildren();
		wait_current(a, 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Revoking a buffer a device maps quarantines it: the "
		     "memory is still the device's, so the owner's cgroup stays "
		     "charged, also after the owner closed the buffer, until "
		     "the importer lets go; then dmem.current is 0. (The "
		     "importer: vgem before 7.0, the test importer's static "
		     "import on 7.x, see igt_secbuf_vgem.h.)");
	igt_subtest("charged-until-quarantine-ends") {
		const char *a = cg_new(0);
		struct secbuf_mapped_import imp;
		int buf;

		secbuf_cg_enter(a);
		buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		secbuf_mapped_import(buf, &imp);
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		close(buf);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		secbuf_mapped_import_release(&imp);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Revoking a buffer nothing maps gives the memory back at "
		     "once, and the charge with it.");
	igt_subtest("uncharged-on-revoke") {
		const char *a = cg_new(0);
		int buf;

		secbuf_cg_enter(a);
		buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		close(buf);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Two cgroups share one pool and are limited "
		     "independently: A (4 MiB) and B (8 MiB) each fill their "
		     "own limit and are refused past it, whatever the other "
		     "uses.");
	igt_subtest("two-cgroups-independent") {
		const char *a = cg_new(0), *b = cg_new(1);
		int ba, bb;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_dmem_set_max(b, 8 * SECBUF_SZ_1M);
		secbuf_cg_enter(a);
		ba = secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);
		assert_enospc(fd, page, a);
		secbuf_cg_enter(b);
		bb = secbuf_alloc(fd, 8 * SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		assert_enospc(fd, page, b);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		igt_assert_eq_u64(secbuf_dmem_current(b), 8 * SECBUF_SZ_1M);
		close(ba);
		/* A's room is A's: B is still at its limit. */
		assert_enospc(fd, page, b);
		secbuf_cg_enter(a);
		close(secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC));
		close(bb);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A limit on a parent holds for its children: with "
		     "dmem.max 4 MiB on P, an 8 MiB allocation in its child "
		     "C (no limit of its own) is ENOSPC, and C's 2 MiB count "
		     "in P's dmem.current.");
	igt_subtest("parent-limit-holds") {
		const char *p = cg_new(0), *c;
		int buf;

		secbuf_dmem_set_max(p, SECBUF_SZ_4M);
		secbuf_cg_write(p, "cgroup.subtree_control", "+dmem");
		c = cg_new_child(1, p);
		secbuf_cg_enter(c);
		assert_enospc(fd, 8 * SECBUF_SZ_1M, c);
		buf = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq_u64(secbuf_dmem_current(c), SECBUF_SZ_2M);
		igt_assert_eq_u64(secbuf_dmem_current(p), SECBUF_SZ_2M);
		close(buf);
		igt_assert_eq_u64(secbuf_dmem_current(p), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/<pool> is charged "
		     "like SECBUF_IOC_ALLOC: to the caller's cgroup, refused "
		     "with ENOSPC over its dmem.max, uncharged at the last "
		     "close.");
	igt_subtest("dma-heap-charged") {
		const char *a = cg_new(0);
		int heap, buf, out;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		heap = secbuf_open_heap(pool);
		buf = secbuf_heap_alloc(heap, SECBUF_SZ_1M + 1, O_RDWR | O_CLOEXEC, 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M + page);
		igt_assert_eq(__secbuf_heap_alloc(heap, 3 * SECBUF_SZ_1M,
						  O_RDWR | O_CLOEXEC, 0, &out),
			      -ENOSPC);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M + page);
		close(buf);
		close(heap);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Grants and imports charge nothing: the memory is the "
		     "owner's. A process in another cgroup that maps a grant, "
		     "and a device import, leave that cgroup at 0 and the "
		     "owner's at the buffer's size.");
	igt_subtest("grants-charge-nothing") {
		const char *a = cg_new(0), *b = cg_new(1);
		struct secbuf_mapped_import imp;
		int buf, g;

		secbuf_cg_enter(a);
		buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		g = secbuf_grant(fd, buf, SECBUF_GRANT_READ | SECBUF_GRANT_WRITE |
				 SECBUF_GRANT_DMA, NULL);
		secbuf_cg_enter(b);
		secbuf_mapped_import(g, &imp);
		igt_fork(child, 1) {
			char *ptr = secbuf_mmap(g, SECBUF_SZ_1M,
						PROT_READ | PROT_WRITE);

			secbuf_fill(ptr, SECBUF_SZ_1M, 1);
			secbuf_munmap(ptr, SECBUF_SZ_1M);
		}
		igt_waitchildren();
		igt_assert_eq_u64(secbuf_dmem_current(b), 0);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_1M);
		secbuf_mapped_import_release(&imp);
		close(g);
		close(buf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Setting dmem.max below a cgroup's usage takes no memory "
		     "away: the write succeeds (the controller's reclaim call "
		     "can only shrink secbuf's cache of free chunks), the "
		     "buffers keep their contents, dmem.current is unchanged, "
		     "and the next allocation is ENOSPC.");
	igt_subtest("max-below-usage") {
		const char *a = cg_new(0);
		char *ptr;
		int buf;

		secbuf_cg_enter(a);
		buf = secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(buf, SECBUF_SZ_4M, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, SECBUF_SZ_4M, 2);
		secbuf_dmem_set_max(a, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_read(a, "dmem.max"), SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_dmem_current(a), SECBUF_SZ_4M);
		secbuf_assert_filled(ptr, SECBUF_SZ_4M, 2);
		assert_enospc(fd, page, a);
		secbuf_dmem_set_max(a, UINT64_MAX);
		close(secbuf_alloc(fd, page, 0, O_RDWR | O_CLOEXEC));
		secbuf_munmap(ptr, SECBUF_SZ_4M);
		close(buf);
		igt_assert_eq_u64(secbuf_dmem_current(a), 0);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("secbufctl info shows the caller's cgroup usage and limit "
		     "of the pool, in text and in JSON.");
	igt_subtest("secbufctl-info") {
		const char *a = cg_new(0);
		char cmd[256], out[8192], want[512];
		size_t len;
		FILE *p;
		int buf;

		secbuf_dmem_set_max(a, SECBUF_SZ_4M);
		secbuf_cg_enter(a);
		buf = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		igt_assert(access(SECBUFCTL, X_OK) == 0);
		snprintf(cmd, sizeof(cmd), SECBUFCTL " info --json %s; "
			 SECBUFCTL " info %s", pool, pool);
		p = popen(cmd, "r");
		igt_assert(p);
		len = fread(out, 1, sizeof(out) - 1, p);
		out[len] = '\0';
		igt_assert_eq(pclose(p), 0);
		igt_info("%s", out);
		snprintf(want, sizeof(want), "\"region\": \"%s\"", region);
		igt_assert(strstr(out, want));
		igt_assert(strstr(out, "\"current_bytes\": 2097152"));
		igt_assert(strstr(out, "\"max_bytes\": 4194304"));
		snprintf(want, sizeof(want), "2 MiB of 4 MiB (%s in /%s)",
			 region, a);
		igt_assert_f(strstr(out, want), "no \"%s\"\n", want);
		close(buf);
		cg_cleanup();
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		cg_cleanup();
		close(fd);
	}
}
