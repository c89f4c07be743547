// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbuf-bench: the metrics. Each one takes a warm-up round that is not
 * recorded, then cfg.rounds rounds; within a round every exporter runs once,
 * in turn, starting one further each round (A B C, B C A, C A B), so that
 * each runs first equally often and, when every exporter of the metric is
 * present, none runs twice in a row (with absent ones skipped, rarely). A
 * reversed order (A B C, C B A) put secbuf back to back with itself at
 * every other round boundary, which left its pool's zeroing worker no time
 * and made "warm" allocations cold in half the rounds. alloc_b2b measures
 * that case on purpose.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "bench.h"

/* dma_buf_ioctl() answers any command it does not know with ENOTTY. */
#define NOOP_IOCTL		_IO(DMA_BUF_BASE, 0x7f)

#define SYNC_PAIRS		256	/* START+END pairs per sample */
#define FIRST_TOUCH_SIZE	(64 * MiB)
#define WRITE_BW_SIZE		(64 * MiB)
#define SYNC_SIZE		(1 * MiB)
#define REVOKE_SIZE		(64 * MiB)
#define GRANT_OTHERS		8
#define CHILD_TIMEOUT_MS	300000

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static double us_since(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) / 1e3;
}

static double mib_per_s(uint64_t bytes, uint64_t t0, uint64_t t1)
{
	return ((double)bytes / (double)MiB) / ((double)(t1 - t0) / 1e9);
}

/* Round @r visits @n exporters starting at the r-th, wrapping around. */
static unsigned int order(unsigned int r, unsigned int k, unsigned int n)
{
	return (r + k) % n;
}

static void barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* Write one byte per page: every page faults once. */
static void touch_pages(char *p, size_t len, char v)
{
	volatile char *q = p;
	size_t off;

	for (off = 0; off < len; off += cfg.page)
		q[off] = v;
}

static char read_pages(const char *p, size_t len)
{
	const volatile char *q = p;
	char sum = 0;
	size_t off;

	for (off = 0; off < len; off += cfg.page)
		sum ^= q[off];
	return sum;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* An exporter of a metric: @e's buffers, named @name in the results. */
struct entry {
	enum exp_id e;
	const char *name;
	size_t misalign;	/* first_touch: map this far off 2 MiB */
	struct series *s;
	bool failed;
	/* per-metric state */
	int fd;
	char *map;
	size_t map_len;
	long *faults;
	unsigned int hits;
};

#define ENTRY(exp, n)	{ .e = (exp), .name = (n) }

static bool entry_usable(struct entry *en)
{
	return exporters[en->e].present && !en->failed;
}

static void entry_fail(struct entry *en, const char *what, uint64_t size)
{
	char sz[32];

	en->failed = true;
	note("%s: %s of %s failed: %s; no further rounds", en->name, what,
	     size_str(size, sz, sizeof(sz)), strerror(errno));
}

/* ---- alloc+close ------------------------------------------------------ */

static void run_alloc_close(void)
{
	static const uint64_t sizes[] = { 4 * KiB, 1 * MiB, 8 * MiB, 64 * MiB };
	unsigned int i, r, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct entry en[] = {
			ENTRY(EXP_SECBUF, "secbuf"),
			ENTRY(EXP_CMA_HEAP, "cma_heap"),
			ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
			ENTRY(EXP_UDMABUF, "udmabuf"),
		};
		uint64_t size = sizes[i];
		char sz[32];

		progress("alloc+close %s", size_str(size, sz, sizeof(sz)));
		for (k = 0; k < ARRAY_SIZE(en); k++)
			en[k].s = series_get("alloc_close", en[k].name, size, 0,
					     "us", LOWER_IS_BETTER);
		for (r = 0; r <= cfg.rounds; r++) {
			for (k = 0; k < ARRAY_SIZE(en); k++) {
				struct entry *e = &en[order(r, k, ARRAY_SIZE(en))];
				bool prezeroed = false;
				uint64_t t0, t1;
				int fd;

				if (!entry_usable(e))
					continue;
				if (e->e == EXP_SECBUF && size >= HUGE_ALIGN)
					prezeroed = secbuf_prezeroed(size);
				t0 = now_ns();
				fd = exp_alloc(e->e, size);
				if (fd >= 0)
					close(fd);
				t1 = now_ns();
				if (fd < 0) {
					entry_fail(e, "alloc", size);
					continue;
				}
				if (r == 0)
					continue;
				series_add(e->s, us_since(t0, t1));
				e->hits += prezeroed;
			}
		}
		if (size >= HUGE_ALIGN) {
			en[0].s->extra = en[0].hits;
			en[0].s->extra_name = "rounds_prezeroed_available";
		}
	}
}

/*
 * The same, but each exporter's rounds back to back, nothing in between:
 * secbuf's cache worker then has no other exporter's turn to zero the
 * chunk just freed, which shows what it keeps up with. udmabuf is left out
 * (it is not a CMA allocator, and on a KASAN kernel it takes minutes).
 */
static void run_alloc_burst(void)
{
	static const uint64_t sizes[] = { 8 * MiB, 64 * MiB };
	unsigned int i, r, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct entry en[] = {
			ENTRY(EXP_SECBUF, "secbuf"),
			ENTRY(EXP_CMA_HEAP, "cma_heap"),
			ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
		};
		uint64_t size = sizes[i];
		char sz[32];

		progress("alloc+close back to back %s",
			 size_str(size, sz, sizeof(sz)));
		for (k = 0; k < ARRAY_SIZE(en); k++) {
			struct entry *e = &en[k];

			e->s = series_get("alloc_close_b2b", e->name, size, 0,
					  "us", LOWER_IS_BETTER);
			for (r = 0; r <= cfg.rounds && entry_usable(e); r++) {
				bool prezeroed = false;
				uint64_t t0, t1;
				int fd;

				if (e->e == EXP_SECBUF)
					prezeroed = secbuf_prezeroed(size);
				t0 = now_ns();
				fd = exp_alloc(e->e, size);
				if (fd >= 0)
					close(fd);
				t1 = now_ns();
				if (fd < 0) {
					entry_fail(e, "alloc", size);
					continue;
				}
				if (r == 0)
					continue;
				series_add(e->s, us_since(t0, t1));
				e->hits += prezeroed;
			}
		}
		en[0].s->extra = en[0].hits;
		en[0].s->extra_name = "rounds_prezeroed_available";
	}
}

/* ---- first touch ------------------------------------------------------ */

/*
 * A fresh mapping of a fresh buffer, one byte written per page: mmap and
 * the touches are timed, the allocation is not. The system heap maps
 * everything in mmap() (remap_pfn_range), the others on fault.
 */
static int first_touch_once(struct entry *e, uint64_t size, double *mibs,
			    long *faults)
{
	uint64_t t0, t1;
	long f0, f1;
	int fd = -1;
	char *p;

	if (e->e != EXP_ANON) {
		fd = exp_alloc(e->e, size);
		if (fd < 0)
			return -1;
	}
	f0 = minflt();
	t0 = now_ns();
	if (e->misalign)
		p = map_aligned(fd, size, e->misalign);
	else
		p = exp_map(e->e, fd, size);
	if (p != MAP_FAILED)
		touch_pages(p, size, 1);
	t1 = now_ns();
	f1 = minflt();
	if (p == MAP_FAILED) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	munmap(p, size);
	if (fd >= 0)
		close(fd);
	*mibs = mib_per_s(size, t0, t1);
	*faults = f1 - f0;
	return 0;
}

static void run_first_touch(void)
{
	struct entry en[] = {
		ENTRY(EXP_SECBUF, "secbuf"),
		{ .e = EXP_SECBUF, .name = "secbuf_unaligned", .misalign = cfg.page },
		ENTRY(EXP_CMA_HEAP, "cma_heap"),
		ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
		ENTRY(EXP_UDMABUF, "udmabuf"),
		ENTRY(EXP_ANON, "anon"),
	};
	uint64_t size = FIRST_TOUCH_SIZE;
	unsigned int r, k;

	progress("first touch 64M");
	for (k = 0; k < ARRAY_SIZE(en); k++) {
		en[k].s = series_get("first_touch", en[k].name, size, 0,
				     "MiB/s", HIGHER_IS_BETTER);
		en[k].faults = calloc(cfg.rounds, sizeof(long));
		if (!en[k].faults)
			die("out of memory");
	}
	for (r = 0; r <= cfg.rounds; r++) {
		for (k = 0; k < ARRAY_SIZE(en); k++) {
			struct entry *e = &en[order(r, k, ARRAY_SIZE(en))];
			double mibs;
			long faults;

			if (!entry_usable(e))
				continue;
			if (first_touch_once(e, size, &mibs, &faults) < 0) {
				entry_fail(e, "first touch", size);
				continue;
			}
			if (r == 0)
				continue;
			e->faults[e->s->n] = faults;
			series_add(e->s, mibs);
		}
	}
	/* Faults per mapping tell PMDs and batches from page-by-page. */
	for (k = 0; k < ARRAY_SIZE(en); k++) {
		struct series *s = en[k].s;

		if (s->n) {
			qsort(en[k].faults, s->n, sizeof(long), cmp_long);
			s->extra = en[k].faults[s->n / 2];
			s->extra_name = "median_minor_faults";
		}
		free(en[k].faults);
	}
}

/* ---- write bandwidth -------------------------------------------------- */

static void unmap_entries(struct entry *en, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (en[k].map && en[k].map != MAP_FAILED)
			munmap(en[k].map, en[k].map_len);
		if (en[k].fd >= 0)
			close(en[k].fd);
		en[k].map = NULL;
		en[k].fd = -1;
	}
}

/* Allocate and map @size for each entry, write it once (faults done). */
static void map_entries(struct entry *en, unsigned int n, uint64_t size,
			const char *what)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		en[k].fd = -1;
		en[k].map = NULL;
		if (!exporters[en[k].e].present)
			continue;
		if (en[k].e != EXP_ANON) {
			en[k].fd = exp_alloc(en[k].e, size);
			if (en[k].fd < 0) {
				entry_fail(&en[k], what, size);
				continue;
			}
		}
		en[k].map = exp_map(en[k].e, en[k].fd, size);
		if (en[k].map == MAP_FAILED) {
			en[k].map = NULL;
			entry_fail(&en[k], "mmap", size);
			continue;
		}
		en[k].map_len = size;
		memset(en[k].map, 0x5a, size);
	}
}

static void run_write_bw(void)
{
	struct entry en[] = {
		ENTRY(EXP_SECBUF, "secbuf"),
		ENTRY(EXP_CMA_HEAP, "cma_heap"),
		ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
		ENTRY(EXP_UDMABUF, "udmabuf"),
		ENTRY(EXP_ANON, "anon"),
	};
	uint64_t size = WRITE_BW_SIZE;
	unsigned int r, k;

	progress("write bandwidth 64M");
	for (k = 0; k < ARRAY_SIZE(en); k++)
		en[k].s = series_get("write_bw", en[k].name, size, 0, "MiB/s",
				     HIGHER_IS_BETTER);
	map_entries(en, ARRAY_SIZE(en), size, "alloc");
	for (r = 0; r <= cfg.rounds; r++) {
		for (k = 0; k < ARRAY_SIZE(en); k++) {
			struct entry *e = &en[order(r, k, ARRAY_SIZE(en))];
			uint64_t t0, t1;

			if (!entry_usable(e) || !e->map)
				continue;
			t0 = now_ns();
			memset(e->map, (int)r, size);
			barrier();
			t1 = now_ns();
			if (r)
				series_add(e->s, mib_per_s(size, t0, t1));
		}
	}
	unmap_entries(en, ARRAY_SIZE(en));
}

/* ---- DMA_BUF_IOCTL_SYNC ----------------------------------------------- */

static int sync_pairs(int fd, bool noop)
{
	struct dma_buf_sync start = {
		.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
	};
	struct dma_buf_sync end = {
		.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	unsigned int i;

	for (i = 0; i < SYNC_PAIRS; i++) {
		if (noop) {
			if (ioctl(fd, NOOP_IOCTL, 0) != -1 || errno != ENOTTY)
				return -1;
			if (ioctl(fd, NOOP_IOCTL, 0) != -1 || errno != ENOTTY)
				return -1;
			continue;
		}
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &start) < 0 ||
		    ioctl(fd, DMA_BUF_IOCTL_SYNC, &end) < 0)
			return -1;
	}
	return 0;
}

/*
 * One sample is the mean time of SYNC_PAIRS round trips (START then END,
 * read-write) on a mapped, idle 1 MiB buffer; the no-op is the same number
 * of pairs of an ioctl command dma_buf_ioctl() does not know, on secbuf's
 * fd: the same syscall, fd lookup and dispatch, then ENOTTY.
 */
static void run_sync(void)
{
	struct entry en[] = {
		ENTRY(EXP_SECBUF, "secbuf"),
		ENTRY(EXP_SECBUF, "noop_ioctl"),
		ENTRY(EXP_CMA_HEAP, "cma_heap"),
		ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
		ENTRY(EXP_UDMABUF, "udmabuf"),
	};
	uint64_t size = SYNC_SIZE;
	unsigned int r, k;

	progress("DMA_BUF_IOCTL_SYNC");
	for (k = 0; k < ARRAY_SIZE(en); k++)
		en[k].s = series_get("sync", en[k].name, 0, 0, "ns/pair",
				     LOWER_IS_BETTER);
	map_entries(en, ARRAY_SIZE(en), size, "alloc");
	for (r = 0; r <= cfg.rounds; r++) {
		for (k = 0; k < ARRAY_SIZE(en); k++) {
			struct entry *e = &en[order(r, k, ARRAY_SIZE(en))];
			bool noop = !strcmp(e->name, "noop_ioctl");
			uint64_t t0, t1;

			if (!entry_usable(e) || !e->map)
				continue;
			t0 = now_ns();
			/* The no-op goes to secbuf's own fd. */
			if (sync_pairs(noop ? en[0].fd : e->fd, noop) < 0) {
				entry_fail(e, noop ? "no-op ioctl (expected ENOTTY)" :
					   "DMA_BUF_IOCTL_SYNC", size);
				continue;
			}
			t1 = now_ns();
			if (r)
				series_add(e->s, (double)(t1 - t0) / SYNC_PAIRS);
		}
	}
	unmap_entries(en, ARRAY_SIZE(en));
}

/* ---- vgem PRIME import ------------------------------------------------ */

/*
 * DRM_IOCTL_PRIME_FD_TO_HANDLE on vgem: dma_buf_attach() and, in
 * drm_gem_prime_import_dev(), dma_buf_map_attachment(); for secbuf (a
 * dynamic exporter, vgem a static importer) the core maps at attach.
 * GEM_CLOSE unmaps and detaches; it is recorded as "import_release".
 */
/*
 * Attach and map alone, timed in the kernel by the test importer: what a
 * vgem import costs on top of them is vgem's own (GEM object, handle).
 */
static void run_attach_map(void)
{
	static const uint64_t sizes[] = { 1 * MiB, 64 * MiB };
	unsigned int i, r, k;

	if (!cfg.sti) {
		note("attach_map: skipped: %s", cfg.sti_detail);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct entry en[] = {
			ENTRY(EXP_SECBUF, "secbuf"),
			ENTRY(EXP_CMA_HEAP, "cma_heap"),
			ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
			ENTRY(EXP_UDMABUF, "udmabuf"),
		};
		uint64_t size = sizes[i];
		char sz[32];

		progress("attach+map %s", size_str(size, sz, sizeof(sz)));
		for (k = 0; k < ARRAY_SIZE(en); k++)
			en[k].s = series_get("attach_map", en[k].name, size, 0,
					     "us", LOWER_IS_BETTER);
		for (r = 0; r <= cfg.rounds; r++) {
			for (k = 0; k < ARRAY_SIZE(en); k++) {
				struct entry *e = &en[order(r, k, ARRAY_SIZE(en))];
				uint64_t attach_ns, map_ns;
				int fd, ret;

				if (!entry_usable(e))
					continue;
				fd = exp_alloc(e->e, size);
				if (fd < 0) {
					entry_fail(e, "alloc", size);
					continue;
				}
				ret = sti_import(fd, &attach_ns, &map_ns);
				close(fd);
				if (ret < 0) {
					entry_fail(e, "test importer", size);
					continue;
				}
				if (r)
					series_add(e->s, (double)(attach_ns +
							  map_ns) / 1e3);
			}
		}
	}
}

static void run_import(void)
{
	static const uint64_t sizes[] = { 1 * MiB, 64 * MiB };
	unsigned int i, r, k;

	if (cfg.vgem_fd < 0) {
		note("import: skipped: %s", cfg.vgem_detail);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct entry en[] = {
			ENTRY(EXP_SECBUF, "secbuf"),
			ENTRY(EXP_CMA_HEAP, "cma_heap"),
			ENTRY(EXP_SYSTEM_HEAP, "system_heap"),
			ENTRY(EXP_UDMABUF, "udmabuf"),
		};
		struct series *rel[ARRAY_SIZE(en)];
		uint64_t size = sizes[i];
		char sz[32];

		progress("vgem import %s", size_str(size, sz, sizeof(sz)));
		for (k = 0; k < ARRAY_SIZE(en); k++) {
			en[k].s = series_get("import", en[k].name, size, 0, "us",
					     LOWER_IS_BETTER);
			rel[k] = series_get("import_release", en[k].name, size,
					    0, "us", LOWER_IS_BETTER);
		}
		for (r = 0; r <= cfg.rounds; r++) {
			for (k = 0; k < ARRAY_SIZE(en); k++) {
				unsigned int j = order(r, k, ARRAY_SIZE(en));
				struct entry *e = &en[j];
				uint64_t t0, t1, t2;
				uint32_t handle;
				int fd, ret;

				if (!entry_usable(e))
					continue;
				fd = exp_alloc(e->e, size);
				if (fd < 0) {
					entry_fail(e, "alloc", size);
					continue;
				}
				t0 = now_ns();
				ret = vgem_import(fd, &handle);
				t1 = now_ns();
				if (ret == 0)
					vgem_close(handle);
				t2 = now_ns();
				close(fd);
				if (ret < 0) {
					entry_fail(e, "vgem import", size);
					continue;
				}
				if (r == 0)
					continue;
				series_add(e->s, us_since(t0, t1));
				series_add(rel[j], us_since(t1, t2));
			}
		}
	}
}

/* ---- processes that map a buffer -------------------------------------- */

struct mappers {
	pid_t *pids;
	unsigned int n;
	int ready[2];	/* children write one byte once mapped and touched */
	int cmd[2];	/* 'u': munmap, timed; EOF: finish and exit */
	int res[2];	/* the munmap's duration in ns, a uint64_t */
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, CHILD_TIMEOUT_MS) <= 0)
			return -1;
		n = read(fd, p, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The child: map @fd (2 MiB aligned, as libsecbuf does), write one byte
 * per page, report ready, then wait. 'u' makes it time its own munmap();
 * EOF makes it read its mapping again if @verify (which a revoked one would
 * not survive: SIGBUS) and exit.
 */
static void __attribute__((noreturn))
mapper_child(struct mappers *m, int fd, size_t size, bool verify)
{
	uint64_t t0, t1;
	char c, *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(m->ready[0]);
	close(m->cmd[1]);
	close(m->res[0]);
	p = exp_map(EXP_SECBUF, fd, size);
	if (p == MAP_FAILED)
		_exit(3);
	touch_pages(p, size, 1);
	if (write(m->ready[1], "r", 1) != 1)
		_exit(4);
	if (read(m->cmd[0], &c, 1) == 1 && c == 'u') {
		t0 = now_ns();
		munmap(p, size);
		t1 = now_ns();
		t1 -= t0;
		_exit(write(m->res[1], &t1, sizeof(t1)) == sizeof(t1) ? 0 : 5);
	}
	if (verify)
		(void)read_pages(p, size);	/* SIGBUS if it had been revoked */
	munmap(p, size);
	_exit(0);
}

/*
 * Start @n mappers of @fds[i] (or @fds[0] for all if @per_child is false)
 * and wait until each has mapped and touched its buffer.
 */
static int mappers_start(struct mappers *m, unsigned int n, const int *fds,
			 bool per_child, size_t size, bool verify)
{
	char buf[64];
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->pids = calloc(n ? n : 1, sizeof(pid_t));
	if (!m->pids || pipe2(m->ready, O_CLOEXEC) || pipe2(m->cmd, O_CLOEXEC) ||
	    pipe2(m->res, O_CLOEXEC))
		die("mappers: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0)
			mapper_child(m, fds[per_child ? i : 0], size, verify);
		m->pids[i] = pid;
		m->n++;
	}
	close(m->ready[1]);
	close(m->cmd[0]);
	close(m->res[1]);
	for (i = 0; i < n; i += sizeof(buf)) {
		size_t len = n - i < sizeof(buf) ? n - i : sizeof(buf);

		if (read_full(m->ready[0], buf, len) < 0)
			return -1;
	}
	return 0;
}

/*
 * Have every mapper munmap, one after the other if @one_by_one (each
 * exits once done, so the next 'u' reaches another one), else all at
 * once. @sum gets the sum of their own munmap() times, in ns.
 */
static int mappers_munmap(struct mappers *m, bool one_by_one, uint64_t *sum)
{
	unsigned int i, asked = 0;
	uint64_t dt;

	*sum = 0;
	for (i = 0; i < m->n; i++) {
		for (; asked < (one_by_one ? i + 1 : m->n); asked++)
			if (write(m->cmd[1], "u", 1) != 1)
				return -1;
		if (read_full(m->res[0], &dt, sizeof(dt)) < 0)
			return -1;
		*sum += dt;
	}
	return 0;
}

/* Let the mappers finish; how many did not exit 0. */
static unsigned int mappers_stop(struct mappers *m)
{
	unsigned int i, bad = 0;
	int status;

	close(m->cmd[1]);
	for (i = 0; i < m->n; i++) {
		if (waitpid(m->pids[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	close(m->ready[0]);
	close(m->res[0]);
	free(m->pids);
	return bad;
}

/* ---- revoke ----------------------------------------------------------- */

/*
 * A 64 MiB buffer mapped and touched by N processes. The variants, in
 * turn within each round:
 *
 * "revoke" group, the processes map the owner's handle:
 *   secbuf             the owner revokes the buffer: the ioctl zaps every
 *                      mapping and, nothing else holding the memory, zeroes
 *                      it and gives it back (N = 0 shows that part alone)
 *   munmap             the N processes munmap() it themselves, one after
 *                      the other: the sum of their own munmap() times
 *   munmap_concurrent  all at once: the owner's wall time from asking to
 *                      the last reply, pipe round trips and scheduling too
 * "revoke_grant" group, the processes map one grant of a live buffer:
 *   secbuf             the owner revokes that grant: the zap alone, the
 *                      memory stays (the owner's handle keeps it)
 *   munmap             as above, on the grant's mappings
 */
enum revoke_variant {
	RV_REVOKE,
	RV_MUNMAP,
	RV_MUNMAP_CONCURRENT,
	RV_GRANT_REVOKE,
	RV_GRANT_MUNMAP,
	NR_RV
};

static void revoke_once(unsigned int n, enum revoke_variant v,
			struct series *s)
{
	bool grant = v == RV_GRANT_REVOKE || v == RV_GRANT_MUNMAP;
	uint64_t size = REVOKE_SIZE, t0, t1, sum = 0, id = 0;
	int fd, map_fd, ret = 0;
	unsigned int bad;
	struct mappers m;

	fd = exp_alloc(EXP_SECBUF, size);
	if (fd < 0)
		die("revoke: alloc 64M: %s", strerror(errno));
	map_fd = grant ? secbuf_grant(fd, &id) : fd;
	if (map_fd < 0)
		die("revoke: SECBUF_IOC_GRANT: %s", strerror(errno));
	if (mappers_start(&m, n, &map_fd, false, size, false) < 0)
		die("revoke: the mappers did not get ready");
	t0 = now_ns();
	switch (v) {
	case RV_REVOKE:
		ret = secbuf_revoke(fd, 0);
		break;
	case RV_GRANT_REVOKE:
		ret = secbuf_revoke(fd, id);
		break;
	default:
		ret = mappers_munmap(&m, v != RV_MUNMAP_CONCURRENT, &sum);
		break;
	}
	t1 = now_ns();
	if (ret < 0)
		die("revoke: %s: %s", v == RV_REVOKE || v == RV_GRANT_REVOKE ?
		    "SECBUF_IOC_REVOKE" : "munmap in the mappers",
		    strerror(errno));
	bad = mappers_stop(&m);
	if (grant)
		close(map_fd);
	close(fd);
	if (bad)
		die("revoke: %u of %u mappers failed", bad, n);
	if (!s)
		return;
	if (v == RV_MUNMAP || v == RV_GRANT_MUNMAP)
		series_add(s, (double)sum / 1e3);
	else
		series_add(s, us_since(t0, t1));
}

static void run_revoke(void)
{
	static const struct {
		const char *metric, *name;
		bool needs_mappers;
	} rv[NR_RV] = {
		[RV_REVOKE] = { "revoke", "secbuf", false },
		[RV_MUNMAP] = { "revoke", "munmap", true },
		[RV_MUNMAP_CONCURRENT] = { "revoke", "munmap_concurrent", true },
		[RV_GRANT_REVOKE] = { "revoke_grant", "secbuf", false },
		[RV_GRANT_MUNMAP] = { "revoke_grant", "munmap", true },
	};
	unsigned int i, r, k, g;

	/* The series first, so that the table groups them by metric. */
	for (g = 0; g < 2; g++)
		for (i = 0; i < cfg.nr_procs; i++)
			for (k = 0; k < NR_RV; k++)
				if ((k >= RV_GRANT_REVOKE) == g &&
				    (cfg.procs[i] || !rv[k].needs_mappers))
					series_get(rv[k].metric, rv[k].name,
						   REVOKE_SIZE, cfg.procs[i],
						   "us", LOWER_IS_BETTER);

	for (i = 0; i < cfg.nr_procs; i++) {
		unsigned int n = cfg.procs[i], nr = 0;
		enum revoke_variant list[NR_RV];
		struct series *s[NR_RV];

		progress("revoke, %u processes", n);
		for (k = 0; k < NR_RV; k++) {
			if (rv[k].needs_mappers && !n)
				continue;
			list[nr++] = (enum revoke_variant)k;
			s[k] = series_get(rv[k].metric, rv[k].name, REVOKE_SIZE,
					  n, "us", LOWER_IS_BETTER);
		}
		for (r = 0; r <= cfg.rounds; r++) {
			for (k = 0; k < nr; k++) {
				enum revoke_variant v = list[order(r, k, nr)];

				revoke_once(n, v, r ? s[v] : NULL);
			}
		}
	}
}

/* ---- revoke one grant among many -------------------------------------- */

/*
 * A 1 MiB buffer with N read-write grants, none mapped; the owner revokes
 * the one made in the middle, then closes them all (the same buffer from
 * round to round). Only the grant's lineage subtree is walked,
 * so the time should not grow with N. Rows: "secbuf" is N = 10000, the
 * anchors the same with N = 1 and N = 100 (ratio: the 10000 case in
 * units of the row's).
 */
#define AMONG_SIZE	MiB
#define AMONG_MAX	10000

static void revoke_among_once(int fd, unsigned int n, struct series *s)
{
	uint64_t id = 0, target = 0, t0, t1;
	unsigned int i;
	int *grants;

	grants = calloc(n, sizeof(*grants));
	if (!grants)
		die("revoke_among: out of memory");
	for (i = 0; i < n; i++) {
		grants[i] = secbuf_grant(fd, &id);
		if (grants[i] < 0)
			die("revoke_among: grant %u of %u: %s", i + 1, n,
			    strerror(errno));
		if (i == n / 2)
			target = id;
	}
	/* Let the last round's releases (RCU, deferred frees) settle. */
	usleep(20000);
	t0 = now_ns();
	if (secbuf_revoke(fd, target) < 0)
		die("revoke_among: SECBUF_IOC_REVOKE: %s", strerror(errno));
	t1 = now_ns();
	for (i = 0; i < n; i++)
		close(grants[i]);
	free(grants);
	if (s)
		series_add(s, us_since(t0, t1));
}

static void run_revoke_among(void)
{
	static const struct {
		unsigned int n;
		const char *name;
	} v[] = {
		{ AMONG_MAX, "secbuf" }, { 1, "grants_1" }, { 100, "grants_100" },
	};
	struct series *s[ARRAY_SIZE(v)];
	struct rlimit rl;
	unsigned int r, k;
	int fd;

	/* One fd per grant. */
	rl.rlim_cur = rl.rlim_max = AMONG_MAX + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("revoke_among: RLIMIT_NOFILE %u: %s", AMONG_MAX + 256,
		    strerror(errno));
	for (k = 0; k < ARRAY_SIZE(v); k++)
		s[k] = series_get("revoke_among", v[k].name, AMONG_SIZE, 0, "us",
				  LOWER_IS_BETTER);
	/*
	 * One buffer for every round: freeing and allocating one per round
	 * would put the chunk cache's zeroing worker on the other CPU in
	 * some rounds and not others, which showed as two populations.
	 */
	fd = exp_alloc(EXP_SECBUF, AMONG_SIZE);
	if (fd < 0)
		die("revoke_among: alloc: %s", strerror(errno));
	progress("revoke one grant among 1, 100, %u", AMONG_MAX);
	for (r = 0; r <= cfg.rounds; r++)
		for (k = 0; k < ARRAY_SIZE(v); k++) {
			unsigned int i = order(r, k, ARRAY_SIZE(v));

			revoke_among_once(fd, v[i].n, r ? s[i] : NULL);
		}
	close(fd);
}

/* ---- grants ----------------------------------------------------------- */

/*
 * Two buffers: one whose GRANT_OTHERS grants are each mapped and touched by
 * a process of their own, one without grants. Per round and buffer: create
 * a grant (timed), map and touch it here, revoke it (timed), unmap, close.
 * Third variant on the first buffer: unmap it ourselves instead (timed),
 * then revoke. At the end the GRANT_OTHERS processes must still read their
 * mappings.
 */
static void run_grant(void)
{
	struct {
		const char *name;
		int fd;
		bool munmap;
	} v[3] = {
		{ .name = "secbuf" }, { .name = "secbuf_alone" },
		{ .name = "munmap", .munmap = true },
	};
	struct series *create[3], *revoke[3];
	uint64_t size = cfg.grant_size;
	int others[GRANT_OTHERS];
	unsigned int i, r, k, bad;
	struct mappers m;
	uint64_t id;

	progress("grants, %d others mapped", GRANT_OTHERS);
	v[0].fd = exp_alloc(EXP_SECBUF, size);
	v[1].fd = exp_alloc(EXP_SECBUF, size);
	if (v[0].fd < 0 || v[1].fd < 0)
		die("grant: alloc: %s", strerror(errno));
	v[2].fd = v[0].fd;
	for (i = 0; i < GRANT_OTHERS; i++) {
		others[i] = secbuf_grant(v[0].fd, &id);
		if (others[i] < 0)
			die("grant: SECBUF_IOC_GRANT: %s", strerror(errno));
	}
	if (mappers_start(&m, GRANT_OTHERS, others, true, size, true) < 0)
		die("grant: the mappers did not get ready");
	for (i = 0; i < GRANT_OTHERS; i++)
		close(others[i]);
	for (k = 0; k < 3; k++) {
		create[k] = k == 2 ? NULL :
			series_get("grant_create", v[k].name, size, GRANT_OTHERS,
				   "us", LOWER_IS_BETTER);
		revoke[k] = series_get("grant_revoke", v[k].name, size,
				       GRANT_OTHERS, "us", LOWER_IS_BETTER);
	}
	for (r = 0; r <= cfg.rounds; r++) {
		for (k = 0; k < 3; k++) {
			unsigned int j = order(r, k, 3);
			uint64_t t0, t1, t2, t3;
			int fd, ret;
			char *p;

			t0 = now_ns();
			fd = secbuf_grant(v[j].fd, &id);
			t1 = now_ns();
			if (fd < 0)
				die("grant: SECBUF_IOC_GRANT: %s", strerror(errno));
			p = exp_map(EXP_SECBUF, fd, size);
			if (p == MAP_FAILED)
				die("grant: mmap: %s", strerror(errno));
			touch_pages(p, size, 1);
			t2 = now_ns();
			if (v[j].munmap)
				ret = munmap(p, size);
			else
				ret = secbuf_revoke(v[j].fd, id);
			t3 = now_ns();
			if (ret < 0)
				die("grant: %s: %s", v[j].munmap ? "munmap" :
				    "SECBUF_IOC_REVOKE", strerror(errno));
			if (v[j].munmap)
				secbuf_revoke(v[j].fd, id);
			else
				munmap(p, size);
			close(fd);
			if (r == 0)
				continue;
			if (create[j])
				series_add(create[j], us_since(t0, t1));
			series_add(revoke[j], us_since(t2, t3));
		}
	}
	bad = mappers_stop(&m);
	if (bad)
		note("grant: %u of %d other grants' processes lost their mapping",
		     bad, GRANT_OTHERS);
	else
		note("grant: the %d other grants' processes still read their mappings",
		     GRANT_OTHERS);
	close(v[0].fd);
	close(v[1].fd);
}

const struct metric metrics[] = {
	{ "alloc", "alloc+close at 4K, 1M, 8M, 64M", run_alloc_close },
	{ "alloc_b2b", "alloc+close at 8M, 64M, back to back per exporter",
	  run_alloc_burst },
	{ "first_touch", "mmap + one write per page, fresh 64M",
	  run_first_touch },
	{ "write_bw", "memset of a mapped 64M", run_write_bw },
	{ "sync", "DMA_BUF_IOCTL_SYNC START+END vs a no-op ioctl", run_sync },
	{ "import", "vgem PRIME import (attach+map), 1M and 64M", run_import },
	{ "attach_map", "attach+map timed in the kernel by igt-tests' test\n"
	  "               importer (if loaded), 1M and 64M", run_attach_map },
	{ "revoke", "revoke of 64M (or of a grant of it) mapped by N processes\n"
	  "               vs their own munmap", run_revoke },
	{ "grant", "grant create and revoke, 8 others mapped", run_grant },
	{ "revoke_among", "revoke one grant of a buffer with 1, 100 and 10000\n"
	  "               grants", run_revoke_among },
};

const unsigned int nr_metrics = ARRAY_SIZE(metrics);
