// SPDX-License-Identifier: MIT
/*
 * secbuf_fastpath: the fast paths keep every guarantee. Faults map a whole
 * aligned 2 MiB at once (a PMD where the kernel has huge pfnmaps, a batch
 * of PTEs elsewhere), and revocation, grants, seals and DMA windows still
 * take those mappings away exactly as they take single pages. Freed chunks
 * are kept and zeroed in the background, and a buffer never shows a byte
 * of its previous owner, however fast it is reused.
 *
 * Timings are never asserted: fault counts (getrusage minor faults) show
 * which path ran.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("Huge and batched faults under revoke, grants, seals "
		     "and DMA windows; the pre-zeroed chunk cache.");

#define SZ_2M_	(2UL << 20)

static const char *pool;
static size_t page;
static int fd = -1;

/* Kernels with huge pfnmaps (6.12 and later) map a PMD per 2 MiB. */
static bool kernel_has_huge_pfnmap(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	igt_assert_eq(uname(&u), 0);
	igt_assert_eq(sscanf(u.release, "%d.%d", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 12);
}

static long minor_faults(void)
{
	struct rusage ru;

	igt_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/*
 * mmap @size of @dmabuf at a 2 MiB-aligned address, as libsecbuf's map
 * helper does: reserve with slack, then map over the aligned part.
 */
static void *mmap_aligned(int dmabuf, size_t size, int prot)
{
	size_t span = size + SZ_2M_;
	char *res, *aligned, *ptr;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(res != MAP_FAILED);
	aligned = (char *)(((uintptr_t)res + SZ_2M_ - 1) & ~(SZ_2M_ - 1));
	ptr = mmap(aligned, size, prot, MAP_SHARED | MAP_FIXED, dmabuf, 0);
	igt_assert(ptr == aligned);
	if (aligned > res)
		munmap(res, aligned - res);
	if (res + span > aligned + size)
		munmap(aligned + size, res + span - (aligned + size));
	return ptr;
}

/* One access per page: a write of @value, or a read. Returns the sum. */
static uint64_t touch_pages(volatile uint8_t *ptr, size_t size, bool write,
			    uint8_t value)
{
	uint64_t sum = 0;

	for (size_t off = 0; off < size; off += page) {
		if (write)
			ptr[off] = value;
		else
			sum += ptr[off];
	}
	return sum;
}

static void assert_page_words(const uint8_t *ptr, size_t size, uint8_t value)
{
	for (size_t off = 0; off < size; off += page)
		igt_assert_f(ptr[off] == value,
			     "byte at %#zx is %#x, expected %#x\n", off, ptr[off],
			     value);
}

/* Every page's first and last word is zero, and a sample of whole pages. */
static void assert_zero_sampled(const uint8_t *ptr, size_t size,
				unsigned int *seed)
{
	static const uint8_t zero[4096];

	for (size_t off = 0; off < size; off += page) {
		const uint64_t *first = (const uint64_t *)(ptr + off);
		const uint64_t *last = (const uint64_t *)(ptr + off + page) - 1;

		igt_assert_f(!*first && !*last,
			     "previous owner's bytes at %#zx: %#" PRIx64
			     " %#" PRIx64 "\n", off, *first, *last);
	}
	for (int i = 0; i < 8; i++) {
		size_t off = (rand_r(seed) % (size / page)) * page;

		for (size_t o = 0; o < page; o += sizeof(zero))
			igt_assert(!memcmp(ptr + off + o, zero,
					   page - o < sizeof(zero) ?
					   page - o : sizeof(zero)));
	}
}

static int dma_begin(int buf, uint32_t flags)
{
	struct secbuf_dma_begin arg = { .buf_fd = (uint32_t)buf,
					.flags = flags };

	return __secbuf_ioctl(fd, SECBUF_IOC_DMA_BEGIN, &arg);
}

static int dma_end(int buf)
{
	struct secbuf_dma_end arg = { .buf_fd = (uint32_t)buf };

	return __secbuf_ioctl(fd, SECBUF_IOC_DMA_END, &arg);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		page = secbuf_page_size();
		fd = secbuf_open_pool(pool);
	}

	igt_describe("Writing one byte per page of a fresh, 2 MiB-aligned "
		     "64 MiB mapping takes about one fault per 2 MiB (a PMD, "
		     "or a batch of PTEs), not one per page; the bytes land.");
	igt_subtest("first-touch-one-fault-per-2m") {
		size_t size = 64UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);
		long before, faults;

		before = minor_faults();
		touch_pages(ptr, size, true, 0x5a);
		faults = minor_faults() - before;
		igt_info("%ld faults for %zu pages\n", faults, size / page);
		igt_assert_f(faults <= 2 * (long)(size / SZ_2M_),
			     "%ld faults for %zu MiB\n", faults, size >> 20);
		assert_page_words(ptr, size, 0x5a);

		munmap(ptr, size);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Reading, then writing, every page of an aligned 64 MiB "
		     "mapping: with huge pfnmaps the read maps read-only PMDs "
		     "and each write upgrades one PMD, so both passes stay at "
		     "about one fault per 2 MiB; with PTEs each first write is "
		     "its own write-notify fault.");
	igt_subtest("read-then-write-faults") {
		size_t size = 64UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);
		long before, reads, writes;

		before = minor_faults();
		igt_assert_eq_u64(touch_pages(ptr, size, false, 0), 0);
		reads = minor_faults() - before;
		before = minor_faults();
		touch_pages(ptr, size, true, 0x33);
		writes = minor_faults() - before;
		igt_info("read pass %ld faults, write pass %ld faults\n", reads,
			 writes);
		igt_assert(reads <= 2 * (long)(size / SZ_2M_));
		if (kernel_has_huge_pfnmap())
			igt_assert_f(writes <= 2 * (long)(size / SZ_2M_),
				     "write pass took %ld faults: no PMDs?\n",
				     writes);
		else
			igt_assert(writes >= (long)(size / page));
		assert_page_words(ptr, size, 0x33);

		munmap(ptr, size);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An aligned mapping touched in full (PMDs where the kernel "
		     "has them) raises SIGBUS everywhere after revoke: at the "
		     "start, inside and at the end of each 2 MiB.");
	igt_subtest("huge-revoke-sigbus") {
		size_t size = 8UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);

		touch_pages(ptr, size, true, 1);
		secbuf_revoke(fd, buf, 0);
		for (size_t off = 0; off < size; off += SZ_2M_) {
			secbuf_assert_sigbus(ptr + off, false);
			secbuf_assert_sigbus(ptr + off + SZ_2M_ / 2 + page, true);
			secbuf_assert_sigbus(ptr + off + SZ_2M_ - page, false);
		}
		munmap(ptr, size);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Two grants mapped aligned and touched in full; revoking "
		     "one zaps only its mappings: the other reads its data "
		     "again without a single new fault.");
	igt_subtest("huge-grant-revoke-other-untouched") {
		size_t size = 8UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint64_t id_a, id_b;
		int a = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &id_a);
		int b = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &id_b);
		uint8_t *own = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);
		uint8_t *pa, *pb;
		long before;

		touch_pages(own, size, true, 7);
		pa = mmap_aligned(a, size, PROT_READ);
		pb = mmap_aligned(b, size, PROT_READ);
		assert_page_words(pa, size, 7);
		assert_page_words(pb, size, 7);

		secbuf_revoke(fd, a, id_a);
		before = minor_faults();
		assert_page_words(pb, size, 7);
		igt_assert_eq(minor_faults() - before, 0);
		secbuf_assert_sigbus(pa, false);
		secbuf_assert_sigbus(pa + size - page, false);

		munmap(pa, size);
		munmap(pb, size);
		munmap(own, size);
		close(a);
		close(b);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A write-sealed buffer whose aligned mapping was written "
		     "(writable PMDs or PTEs) still reads its data, and every "
		     "write through the old mapping raises SIGBUS.");
	igt_subtest("huge-seal-write") {
		size_t size = 4UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);

		touch_pages(ptr, size, true, 9);
		secbuf_seal(fd, buf, SECBUF_SEAL_WRITE);
		assert_page_words(ptr, size, 9);
		secbuf_assert_sigbus(ptr, true);
		secbuf_assert_sigbus(ptr + SZ_2M_ + page, true);
		secbuf_assert_sigbus(ptr + size - page, true);
		assert_page_words(ptr, size, 9);

		munmap(ptr, size);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A STRICT DMA window zaps aligned mappings touched in full: "
		     "a touch during the window raises SIGBUS, and after "
		     "DMA_END the data is there again.");
	igt_subtest("huge-dma-window-strict") {
		size_t size = 4UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = mmap_aligned(buf, size, PROT_READ | PROT_WRITE);

		touch_pages(ptr, size, true, 3);
		igt_assert_eq(dma_begin(buf, SECBUF_DMA_STRICT), 0);
		secbuf_assert_sigbus(ptr, false);
		secbuf_assert_sigbus(ptr + SZ_2M_, true);
		igt_assert_eq(dma_end(buf), 0);
		assert_page_words(ptr, size, 3);

		munmap(ptr, size);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A freed chunk is zeroed in the background: within 10 s "
		     "prezeroed_bytes covers it, and it is cached, counted as "
		     "free.");
	igt_subtest("freed-chunk-prezeroed") {
		size_t size = 8UL << 20;
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		uint8_t *ptr = secbuf_mmap(buf, size, PROT_READ | PROT_WRITE);
		int waited;

		touch_pages(ptr, size, true, 0xee);
		munmap(ptr, size);
		close(buf);
		for (waited = 0; waited < 100; waited++) {
			if (secbuf_pool_sysfs(pool, "prezeroed_bytes") >= size)
				break;
			usleep(100 * 1000);
		}
		igt_assert_f(waited < 100, "prezeroed_bytes %" PRIu64 "\n",
			     secbuf_pool_sysfs(pool, "prezeroed_bytes"));
		igt_assert_lte(size, secbuf_pool_sysfs(pool, "cached_bytes"));
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "largest_free_bytes"),
				  secbuf_pool_sysfs(pool, "total_bytes"));
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Reuse at full speed never shows a previous owner's "
		     "bytes: 150 rounds of allocating 2, 4 or 8 MiB, checking "
		     "it is zero, filling every page and freeing it at once, "
		     "so the cache hands back chunks both before and after the "
		     "worker zeroed them.");
	igt_subtest("reuse-never-dirty") {
		unsigned int seed = 0x5ecb0f;
		static const size_t sizes[] = { 2UL << 20, 4UL << 20, 8UL << 20 };

		igt_info("seed %#x\n", seed);
		for (int round = 0; round < 150; round++) {
			size_t size = sizes[rand_r(&seed) % 3];
			int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
			uint8_t *ptr = secbuf_mmap(buf, size,
						   PROT_READ | PROT_WRITE);

			assert_zero_sampled(ptr, size, &seed);
			memset(ptr, 0xa0 + (round & 0xf), size);
			munmap(ptr, size);
			close(buf);
			if (round % 16 == 15)
				usleep(50 * 1000);
		}
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The cache stays within cache_max_bytes, and filling the "
		     "whole pool still works while it holds memory: the "
		     "allocation that needs the room drains it.");
	igt_subtest("cache-bounded-and-drained") {
		uint64_t total = secbuf_pool_sysfs(pool, "total_bytes");
		size_t chunk = 4UL << 20;
		int bufs[512], n = 0;
		uint64_t got = 0;

		igt_assert_lte(total / (2 * chunk), 512);
		secbuf_param_set("cache_max_bytes", chunk);
		for (int i = 0; i < 3; i++)
			close(secbuf_alloc(fd, 2 * chunk, 0, O_RDWR | O_CLOEXEC));
		close(secbuf_alloc(fd, chunk, 0, O_RDWR | O_CLOEXEC));
		igt_assert_lte(secbuf_pool_sysfs(pool, "cached_bytes"), chunk);
		igt_assert_lt(0, secbuf_pool_sysfs(pool, "cached_bytes"));

		/* Twice as large as any cached chunk: CMA must find room. */
		while (got + 2 * chunk <= total) {
			bufs[n] = secbuf_alloc(fd, 2 * chunk, 0,
					       O_RDWR | O_CLOEXEC);
			got += 2 * chunk;
			n++;
		}
		igt_assert_eq_u64(got, total / (2 * chunk) * (2 * chunk));
		while (n)
			close(bufs[--n]);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Memory pressure (drop_caches runs every shrinker) gives "
		     "the whole cache back to CMA.");
	igt_subtest("shrinker-empties-cache") {
		int drop;

		close(secbuf_alloc(fd, 8UL << 20, 0, O_RDWR | O_CLOEXEC));
		igt_assert_lt(0, secbuf_pool_sysfs(pool, "cached_bytes"));
		drop = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		igt_assert_fd(drop);
		igt_assert_eq(write(drop, "3", 1), 1);
		close(drop);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "cached_bytes"), 0);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "cma_bytes"), 0);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		secbuf_params_restore();
		close(fd);
	}
}
