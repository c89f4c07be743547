// SPDX-License-Identifier: MIT
/*
 * secbuf_heap: the pool's dma-heap, /dev/dma_heap/<pool>, which must follow
 * the kernel dma-heap's rules exactly (drivers/dma-buf/dma-heap.c, same in
 * 6.1 and 6.12): fd must be 0 on input, fd_flags within O_CLOEXEC |
 * O_ACCMODE, heap_flags 0, len not 0 after page rounding, all else EINVAL;
 * an ioctl number other than 0 is EINVAL; a shorter struct is
 * zero-extended and a longer one truncated, as
 * tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c checks.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_stress.h"
#include "igt_secbuf_vgem.h"

IGT_TEST_DESCRIPTION("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/<pool>: usable "
		     "zeroed buffers and the dma-heap input rules.");

static const char *pool;
static int heap_fd = -1;

static struct dma_heap_allocation_data valid_heap_alloc(void)
{
	return (struct dma_heap_allocation_data) {
		.len = SECBUF_SZ_1M,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
}

/* DMA_HEAP_IOCTL_ALLOC fails with exactly @err and leaves nothing. */
static void heap_alloc_fails(unsigned long cmd, void *arg, int err)
{
	struct secbuf_snapshot before;

	secbuf_snapshot(&before, pool);
	igt_assert_eq(__secbuf_ioctl(heap_fd, cmd, arg), -err);
	secbuf_assert_unchanged(&before);
}

/* Whether the path @prefix@name exists. */
static bool path_is(const char *prefix, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", prefix, name);
	return access(path, F_OK) == 0;
}

/* A fresh heap fd: one step of the history below, then closed. */
static int heap_open(void)
{
	return secbuf_open_heap(pool);
}

/* @n buffers of @size from a fresh heap fd; mapped, checked zero, filled. */
static void history_small(unsigned int n, uint64_t size, bool fill)
{
	int h = heap_open(), bufs[64];

	igt_assert_lte(n, 64);
	for (unsigned int i = 0; i < n; i++) {
		char *p;

		bufs[i] = secbuf_heap_alloc(h, size, O_RDWR | O_CLOEXEC, 0);
		p = secbuf_mmap(bufs[i], size, PROT_READ | PROT_WRITE);
		secbuf_assert_zero(p, size);
		if (fill) {
			secbuf_dmabuf_sync(bufs[i], DMA_BUF_SYNC_START |
				    DMA_BUF_SYNC_WRITE);
			memset(p, 0x5a, size);
			secbuf_dmabuf_sync(bufs[i], DMA_BUF_SYNC_END |
				    DMA_BUF_SYNC_WRITE);
		}
		secbuf_munmap(p, size);
	}
	for (unsigned int i = 0; i < n; i++)
		close(bufs[i]);
	close(h);
}

igt_main
{
	struct secbuf_pool_info info = { 0 };

	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_info(fd, &info);
		close(fd);
		heap_fd = secbuf_open_heap(pool);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC returns a secbuf dma-buf of the "
		     "page rounded length: counted in the pool, zeroed, "
		     "mmap-able, keeps what is written, freed on close.");
	igt_subtest("alloc") {
		uint64_t len = SECBUF_SZ_1M + 1, rounded = SECBUF_SZ_1M + secbuf_page_size();
		char value[64];
		void *ptr;
		int dmabuf;

		dmabuf = secbuf_heap_alloc(heap_fd, len, O_RDWR | O_CLOEXEC, 0);
		igt_assert_eq_u64(secbuf_dmabuf_size(dmabuf), rounded);
		igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "exp_name", value, sizeof(value)));
		igt_assert_f(!strcmp(value, "secbuf"), "exp_name %s\n", value);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), rounded);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);

		ptr = secbuf_mmap(dmabuf, rounded, PROT_READ | PROT_WRITE);
		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		secbuf_assert_zero(ptr, rounded);
		secbuf_fill(ptr, rounded, 77);
		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		secbuf_munmap(ptr, rounded);

		ptr = secbuf_mmap(dmabuf, rounded, PROT_READ);
		secbuf_assert_filled(ptr, rounded, 77);
		secbuf_munmap(ptr, rounded);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Heap buffers filled with a pattern, freed and allocated "
		     "again read back all zero (the kernel selftest's "
		     "test_alloc_zeroed).");
	igt_subtest("alloc-zeroed-after-reuse") {
		int bufs[32];
		void *ptr;

		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < 32; i++) {
				bufs[i] = secbuf_heap_alloc(heap_fd, SECBUF_SZ_64K,
							    O_RDWR | O_CLOEXEC, 0);
				ptr = secbuf_mmap(bufs[i], SECBUF_SZ_64K,
						  PROT_READ | PROT_WRITE);
				secbuf_assert_zero(ptr, SECBUF_SZ_64K);
				memset(ptr, 0xff, SECBUF_SZ_64K);
				secbuf_munmap(ptr, SECBUF_SZ_64K);
			}
			for (int i = 0; i < 32; i++)
				close(bufs[i]);
		}
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Heap fd_flags are honoured: O_CLOEXEC sets FD_CLOEXEC, "
		     "O_RDONLY gives a read-only fd that refuses PROT_WRITE with "
		     "EACCES.");
	igt_subtest("fd-flags") {
		int dmabuf;

		dmabuf = secbuf_heap_alloc(heap_fd, SECBUF_SZ_64K, O_RDWR | O_CLOEXEC, 0);
		igt_assert(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq(fcntl(dmabuf, F_GETFL) & O_ACCMODE, O_RDWR);
		close(dmabuf);

		dmabuf = secbuf_heap_alloc(heap_fd, SECBUF_SZ_64K, O_RDONLY, 0);
		igt_assert(!(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC));
		igt_assert_eq(fcntl(dmabuf, F_GETFL) & O_ACCMODE, O_RDONLY);
		igt_assert(mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED,
				dmabuf, 0) == MAP_FAILED);
		igt_assert_eq(errno, EACCES);
		errno = 0;
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with len 0 is EINVAL.");
	igt_subtest("len-zero") {
		struct dma_heap_allocation_data data = valid_heap_alloc();

		data.len = 0;
		heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, &data, EINVAL);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with a len whose page rounding "
		     "overflows (U64_MAX) is EINVAL in dma-heap, or EFBIG: it "
		     "must fail and allocate nothing.");
	igt_subtest("len-overflow") {
		struct dma_heap_allocation_data data = valid_heap_alloc();
		struct secbuf_snapshot before;
		int ret;

		data.len = UINT64_MAX;
		secbuf_snapshot(&before, pool);
		ret = __secbuf_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
		igt_assert_f(ret == -EINVAL || ret == -EFBIG, "ret %d\n", ret);
		secbuf_assert_unchanged(&before);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC larger than the pool's "
		     "max_buffer_bytes is EFBIG, as for SECBUF_IOC_ALLOC.");
	igt_subtest("len-too-big") {
		struct dma_heap_allocation_data data = valid_heap_alloc();

		data.len = info.max_buffer_bytes + secbuf_page_size();
		heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, &data, EFBIG);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with fd not 0 on input is EINVAL.");
	igt_subtest("nonzero-fd") {
		struct dma_heap_allocation_data data = valid_heap_alloc();

		data.fd = 1;
		heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, &data, EINVAL);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with fd_flags outside O_CLOEXEC | "
		     "O_ACCMODE (O_NONBLOCK, O_APPEND, bit 31, all) is EINVAL.");
	igt_subtest("unknown-fd-flags") {
		static const uint32_t bad[] = {
			O_NONBLOCK, O_APPEND, 1u << 31, ~0u,
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct dma_heap_allocation_data data = valid_heap_alloc();

			data.fd_flags |= bad[i];
			heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, &data, EINVAL);
		}
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with any heap_flags bit (bit 0, 31, "
		     "32, 63) is EINVAL: DMA_HEAP_VALID_HEAP_FLAGS is 0.");
	igt_subtest("unknown-heap-flags") {
		static const uint64_t bad[] = {
			1, 1ULL << 31, 1ULL << 32, 1ULL << 63, 0x111111,
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct dma_heap_allocation_data data = valid_heap_alloc();

			data.heap_flags = bad[i];
			heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, &data, EINVAL);
		}
	}

	igt_describe("A heap ioctl number other than 0 is EINVAL, as dma-heap "
		     "answers for an index past its command table.");
	igt_subtest("unknown-ioctl-nr") {
		struct dma_heap_allocation_data data = valid_heap_alloc();

		heap_alloc_fails(_IOWR(DMA_HEAP_IOC_MAGIC, 0x1,
				       struct dma_heap_allocation_data),
				 &data, EINVAL);
		heap_alloc_fails(_IOWR(DMA_HEAP_IOC_MAGIC, 0xff,
				       struct dma_heap_allocation_data),
				 &data, EINVAL);
	}

	igt_describe("An older, shorter allocation struct (len, fd, fd_flags; "
		     "no heap_flags) works, as in the kernel's dma-heap selftest.");
	igt_subtest("struct-older") {
		struct {
			__u64 len;
			__u32 fd;
			__u32 fd_flags;
		} data = { .len = SECBUF_SZ_1M, .fd_flags = O_RDWR | O_CLOEXEC };
		void *ptr;

		igt_assert_eq(__secbuf_ioctl(heap_fd,
					     _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, data),
					     &data), 0);
		igt_assert_fd((int)data.fd);
		ptr = secbuf_mmap((int)data.fd, SECBUF_SZ_1M, PROT_READ);
		secbuf_assert_zero(ptr, SECBUF_SZ_1M);
		secbuf_munmap(ptr, SECBUF_SZ_1M);
		close((int)data.fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A newer, longer allocation struct with garbage in the "
		     "extra fields works (dma-heap truncates it), as in the "
		     "kernel's dma-heap selftest.");
	igt_subtest("struct-newer") {
		struct {
			__u64 len;
			__u32 fd;
			__u32 fd_flags;
			__u64 heap_flags;
			__u64 garbage1;
			__u64 garbage2;
			__u64 garbage3;
		} data = {
			.len = SECBUF_SZ_1M,
			.fd_flags = O_RDWR | O_CLOEXEC,
			.garbage1 = 0xffffffff,
			.garbage2 = 0x88888888,
			.garbage3 = 0x11111111,
		};

		igt_assert_eq(__secbuf_ioctl(heap_fd,
					     _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, data),
					     &data), 0);
		igt_assert_fd((int)data.fd);
		igt_assert_eq_u64(secbuf_dmabuf_size((int)data.fd), SECBUF_SZ_1M);
		close((int)data.fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_HEAP_IOCTL_ALLOC with an unreadable argument is "
		     "EFAULT.");
	igt_subtest("bad-pointer") {
		heap_alloc_fails(DMA_HEAP_IOCTL_ALLOC, NULL, EFAULT);
	}

	igt_describe("Heap and secbuf allocations share the pool: a buffer "
		     "from each is counted in the same usage.");
	igt_subtest("shares-pool-with-secbuf") {
		int fd = secbuf_open_pool(pool);
		int a = secbuf_heap_alloc(heap_fd, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0);
		int b = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_pool_info pi;

		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(pi.buffer_count, 2);
		igt_assert_eq_u32(pi.file_buffers, 1);
		close(a);
		close(b);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A pool with no live buffer serves its whole capacity "
		     "in 1 MiB buffers whatever came before: a 1 MiB buffer "
		     "mapped, filled, imported into vgem and synced; 32 x 4 KiB "
		     "filled between SYNC START and END; 32 x 4 KiB again, "
		     "checked zero; each step on a fresh heap fd it then "
		     "closes. Then the pool's total_bytes in 1 MiB buffers.");
	igt_subtest("capacity-after-history") {
		struct secbuf_pool_info pi;
		int fd = secbuf_open_pool(pool), h, vgem, buf, *all;
		uint64_t n;
		uint32_t gem;
		char *p;

		/* 1: 1 MiB, mapped, filled, imported into vgem, synced. */
		h = heap_open();
		buf = secbuf_heap_alloc(h, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0);
		p = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		memset(p, 0xa5, SECBUF_SZ_1M);
		vgem = secbuf_open_vgem();
		gem = prime_fd_to_handle(vgem, buf);
		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		gem_close(vgem, gem);
		close(vgem);
		secbuf_munmap(p, SECBUF_SZ_1M);
		close(buf);
		close(h);
		/* 2 and 3. */
		history_small(32, SECBUF_SZ_4K, true);
		history_small(32, SECBUF_SZ_4K, false);

		/* 4: the whole capacity, 1 MiB at a time. */
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, 0);
		n = pi.total_bytes / SECBUF_SZ_1M;
		all = calloc(n, sizeof(*all));
		igt_assert(all);
		h = heap_open();
		for (uint64_t i = 0; i < n; i++) {
			int ret = __secbuf_heap_alloc(h, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC,
						      0, &all[i]);

			igt_assert_f(ret == 0, "1 MiB buffer %llu of %llu: %s\n",
				     (unsigned long long)i + 1,
				     (unsigned long long)n, strerror(-ret));
		}
		for (uint64_t i = 0; i < n; i++)
			close(all[i]);
		free(all);
		close(h);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Who serves /dev/dma_heap/<pool>. With the kernel's "
		     "dma-heap framework open to modules (7.x with "
		     "CONFIG_DMABUF_HEAPS) the pool is a heap of the core "
		     "(/sys/class/dma_heap/<pool>, added by secbuf_dma_heap, "
		     "which is loaded) and no misc device of secbuf's has the "
		     "node; elsewhere secbuf's misc device dma_heap-<pool> "
		     "serves it and the core has no such heap.");
	igt_subtest("registered-with-core") {
		if (secbuf_heap_is_core()) {
			igt_assert(path_is("/sys/class/dma_heap/", pool));
			igt_assert(path_is("/sys/module/",
					   "secbuf_dma_heap"));
			igt_assert(!path_is("/sys/class/misc/dma_heap-",
					    pool));
		} else {
			igt_assert(path_is("/sys/class/misc/dma_heap-",
					   pool));
			igt_assert(!path_is("/sys/class/dma_heap/", pool));
		}
	}

	igt_describe("The heap across an unload of secbuf. The core cannot "
		     "remove a heap: with the framework, /dev/dma_heap/<pool> "
		     "stays, opens, and allocating from it is ENODEV while no "
		     "pool serves it; without it, secbuf's misc node goes "
		     "(ENOENT). Either way, loading secbuf again serves the "
		     "heap as before.");
	igt_subtest("heap-across-unload") {
		char path[128], params[1024];
		struct dma_heap_allocation_data arg = valid_heap_alloc();
		int h, buf;

		secbuf_module_params(params, sizeof(params));
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", pool);
		close(heap_fd);
		heap_fd = -1;
		igt_assert_eq(__secbuf_module_unload(), 0);

		h = open(path, O_RDONLY | O_CLOEXEC);
		if (secbuf_heap_is_core()) {
			igt_assert_f(h >= 0, "open %s: %m\n", path);
			igt_assert_eq(__secbuf_ioctl(h, DMA_HEAP_IOCTL_ALLOC,
						     &arg), -ENODEV);
			close(h);
		} else {
			igt_assert_eq(h, -1);
			igt_assert_eq(errno, ENOENT);
		}

		igt_assert_eq(secbuf_module_reload(params, pool), 0);
		heap_fd = secbuf_open_heap(pool);
		buf = secbuf_heap_alloc(heap_fd, SECBUF_SZ_1M, O_RDWR | O_CLOEXEC, 0);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(heap_fd);
}
