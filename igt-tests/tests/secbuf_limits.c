// SPDX-License-Identifier: MIT
/*
 * secbuf_limits: the per pool file limits, set through the module
 * parameters max_file_buffers and max_file_bytes.
 *
 * The parameters are global, so every subtest starts by restoring what an
 * earlier (failed) subtest may have left, sets what it needs, and restores
 * at its end; an exit handler restores them if the binary dies.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("Per pool file limits (max_file_buffers, "
		     "max_file_bytes): EDQUOT, independence of pool files, "
		     "and what counts against them.");

static const char *pool;

static void set_limits(uint64_t max_buffers, uint64_t max_bytes)
{
	secbuf_params_restore();
	secbuf_param_set("max_file_buffers", max_buffers);
	secbuf_param_set("max_file_bytes", max_bytes);
}

/* An allocation that must fail with EDQUOT and leave nothing behind. */
static void assert_edquot(int fd, uint64_t size)
{
	struct secbuf_snapshot before;
	int buf;

	secbuf_snapshot(&before, pool);
	igt_assert_eq(__secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC, &buf),
		      -EDQUOT);
	secbuf_assert_unchanged(&before);
}

static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	igt_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	igt_require_f(setrlimit(RLIMIT_NOFILE, &rl) == 0,
		      "cannot raise RLIMIT_NOFILE to %ju\n", (uintmax_t)want);
}

static void close_all(int *bufs, int count)
{
	for (int i = 0; i < count; i++)
		close(bufs[i]);
}

igt_main
{
	int fd = -1;

	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		igt_require(secbuf_param_exists("max_file_buffers"));
		igt_require(secbuf_param_exists("max_file_bytes"));
	}

	igt_describe("With max_file_buffers 4, a pool file gets 4 buffers and "
		     "the 5th is EDQUOT with nothing left behind; closing one "
		     "makes room for one more. POOL_INFO reports the limit.");
	igt_subtest("file-max-buffers") {
		struct secbuf_pool_info pi;
		int bufs[4];

		set_limits(4, 0);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u32(pi.file_max_buffers, 4);

		for (int i = 0; i < 4; i++)
			bufs[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);

		close(bufs[0]);
		bufs[0] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);

		close_all(bufs, 4);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The buffer limit is per pool file: another pool file of "
		     "the same pool gets its own 4 buffers while the first is "
		     "full.");
	igt_subtest("file-max-buffers-per-file") {
		int other = secbuf_open_pool(pool);
		int a[4], b[4];

		set_limits(4, 0);
		for (int i = 0; i < 4; i++)
			a[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);
		for (int i = 0; i < 4; i++)
			b[i] = secbuf_alloc(other, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(other, SECBUF_SZ_4K);

		close_all(a, 4);
		close_all(b, 4);
		close(other);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("With max_file_bytes 1 MiB, a pool file gets 1 MiB and "
		     "then not one page more (EDQUOT); another pool file is "
		     "independent. POOL_INFO reports the limit.");
	igt_subtest("file-max-bytes") {
		int other = secbuf_open_pool(pool);
		struct secbuf_pool_info pi;
		int a, b;

		set_limits(0, SECBUF_SZ_1M);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.file_max_bytes, SECBUF_SZ_1M);

		a = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);
		b = secbuf_alloc(other, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(other, 1);

		close(a);
		close(b);
		close(other);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The byte limit counts the page rounded size: 1 MiB - 1 "
		     "bytes uses the whole 1 MiB limit, and 1 more byte is "
		     "EDQUOT.");
	igt_subtest("file-max-bytes-rounded") {
		int a;

		set_limits(0, SECBUF_SZ_1M);
		a = secbuf_alloc(fd, SECBUF_SZ_1M - 1, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, 1);
		close(a);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A single buffer larger than max_file_bytes (but within "
		     "the pool) is EDQUOT, not EFBIG.");
	igt_subtest("file-max-bytes-single") {
		set_limits(0, SECBUF_SZ_1M);
		assert_edquot(fd, SECBUF_SZ_2M);
		assert_edquot(fd, SECBUF_SZ_1M + 1);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Lowering a limit applies to later allocations only: the "
		     "live buffers stay usable, new ones are EDQUOT until enough "
		     "are freed.");
	igt_subtest("limit-lowered-with-live-buffers") {
		int bufs[3];
		void *ptr;

		set_limits(0, 0);
		for (int i = 0; i < 3; i++)
			bufs[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		secbuf_param_set("max_file_buffers", 2);

		ptr = secbuf_mmap(bufs[2], SECBUF_SZ_4K, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, SECBUF_SZ_4K, 1);
		secbuf_assert_filled(ptr, SECBUF_SZ_4K, 1);
		secbuf_munmap(ptr, SECBUF_SZ_4K);
		assert_edquot(fd, SECBUF_SZ_4K);

		close(bufs[0]);
		assert_edquot(fd, SECBUF_SZ_4K);
		close(bufs[1]);
		bufs[0] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);

		close(bufs[0]);
		close(bufs[2]);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("max_file_buffers 0 means no buffer limit: 1100 buffers, "
		     "more than the default limit, all succeed.");
	igt_subtest("file-max-buffers-zero-unlimited") {
		static int bufs[1100];

		raise_nofile(1200);
		set_limits(0, 0);
		for (int i = 0; i < 1100; i++)
			bufs[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		close_all(bufs, 1100);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The module's default buffer limit holds: as many buffers "
		     "as max_file_buffers says succeed, one more is EDQUOT.");
	igt_subtest("file-max-buffers-default") {
		static int bufs[4096];
		uint64_t limit;

		secbuf_params_restore();
		limit = secbuf_param_get("max_file_buffers");
		igt_require(limit > 0 && limit <= 4096);
		igt_require(secbuf_param_get("max_file_bytes") == 0);

		raise_nofile(limit + 64);
		for (uint64_t i = 0; i < limit; i++)
			bufs[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);
		close_all(bufs, limit);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A dup() of a pool fd is the same pool file: buffers from "
		     "both count against one limit.");
	igt_subtest("dup-shares-limit") {
		int dupfd = dup(fd);
		int bufs[4];

		igt_assert_fd(dupfd);
		set_limits(4, 0);
		for (int i = 0; i < 4; i++)
			bufs[i] = secbuf_alloc(i & 1 ? dupfd : fd, SECBUF_SZ_4K, 0,
					       O_RDWR | O_CLOEXEC);
		assert_edquot(fd, SECBUF_SZ_4K);
		assert_edquot(dupfd, SECBUF_SZ_4K);
		close_all(bufs, 4);
		close(dupfd);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A pool fd inherited over fork is the same pool file: "
		     "the child's allocations count against the parent's limit.");
	igt_subtest("fork-shares-limit") {
		int bufs[2];

		set_limits(4, 0);
		for (int i = 0; i < 2; i++)
			bufs[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		igt_fork(child, 1) {
			int mine[2];

			for (int i = 0; i < 2; i++)
				mine[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0,
						       O_RDWR | O_CLOEXEC);
			assert_edquot(fd, SECBUF_SZ_4K);
			close_all(mine, 2);
		}
		igt_waitchildren();
		close_all(bufs, 2);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The limits hold under concurrency: four processes "
		     "racing to fill one pool file get exactly max_file_buffers "
		     "buffers, then exactly max_file_bytes bytes, between them.");
	igt_subtest("limits-concurrent") {
		for (int pass = 0; pass < 2; pass++) {
			int counts[2], go[2], total = 0;

			if (pass == 0)
				set_limits(16, 0);
			else
				set_limits(0, 16 * SECBUF_SZ_64K);
			igt_assert_eq(pipe(counts), 0);
			igt_assert_eq(pipe(go), 0);

			igt_fork(child, 4) {
				static int bufs[64];
				int n = 0, ret, buf;
				char c;

				close(counts[0]);
				close(go[1]);
				while ((ret = __secbuf_alloc(fd, SECBUF_SZ_64K, 0,
							     O_RDWR | O_CLOEXEC,
							     &buf)) == 0) {
					igt_assert(n < 64);
					bufs[n++] = buf;
				}
				igt_assert_eq(ret, -EDQUOT);
				igt_assert_eq(write(counts[1], &n, sizeof(n)),
					      sizeof(n));
				/* Hold them until every child has counted. */
				igt_assert_eq(read(go[0], &c, 1), 0);
				close_all(bufs, n);
			}
			close(counts[1]);
			close(go[0]);
			for (int c = 0; c < 4; c++) {
				int n;

				igt_assert_eq(read(counts[0], &n, sizeof(n)),
					      sizeof(n));
				total += n;
			}
			close(go[1]);
			igt_waitchildren();
			close(counts[0]);
			igt_assert_eq(total, 16);
			secbuf_pool_assert_idle(pool);
		}
		secbuf_params_restore();
	}

	igt_describe("A buffer counts against its pool file until its last "
		     "reference is gone, not until the allocating fd is closed: "
		     "a dup of the dma-buf or a mapping keeps it charged.");
	igt_subtest("charged-until-last-reference") {
		int buf, copy;
		void *ptr;

		set_limits(1, 0);
		buf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		copy = dup(buf);
		igt_assert_fd(copy);
		close(buf);
		assert_edquot(fd, SECBUF_SZ_4K);

		ptr = secbuf_mmap(copy, SECBUF_SZ_4K, PROT_READ);
		close(copy);
		assert_edquot(fd, SECBUF_SZ_4K);
		secbuf_munmap(ptr, SECBUF_SZ_4K);

		buf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		close(buf);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Allocations from /dev/dma_heap/<pool> have the same "
		     "limits: with max_file_buffers 2 the third "
		     "DMA_HEAP_IOCTL_ALLOC is EDQUOT, and a secbuf pool file is "
		     "independent of it. Where secbuf's own device serves the "
		     "node they count per open heap file; where the pool is a "
		     "heap of the dma-heap core, per process (the core has no "
		     "file of secbuf's): here both are one.");
	igt_subtest("heap-file-limits") {
		int heap = secbuf_open_heap(pool);
		struct secbuf_snapshot before;
		int h[2], s[2], buf;

		set_limits(2, 0);
		for (int i = 0; i < 2; i++)
			h[i] = secbuf_heap_alloc(heap, SECBUF_SZ_4K, O_RDWR | O_CLOEXEC, 0);
		secbuf_snapshot(&before, pool);
		igt_assert_eq(__secbuf_heap_alloc(heap, SECBUF_SZ_4K, O_RDWR | O_CLOEXEC,
						  0, &buf), -EDQUOT);
		secbuf_assert_unchanged(&before);
		for (int i = 0; i < 2; i++)
			s[i] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);

		close_all(h, 2);
		close_all(s, 2);
		close(heap);
		secbuf_params_restore();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Writing something that is not a number to a limit "
		     "parameter is refused with EINVAL and changes nothing.");
	igt_subtest("param-rejects-garbage") {
		uint64_t old;

		secbuf_params_restore();
		/* Saved, so a buggy accepted write is undone at the end. */
		old = secbuf_param_get("max_file_buffers");
		secbuf_param_set("max_file_buffers", old);
		secbuf_param_set("max_file_bytes", secbuf_param_get("max_file_bytes"));

		igt_assert_eq(__secbuf_param_write("max_file_buffers", "many"),
			      -EINVAL);
		igt_assert_eq(__secbuf_param_write("max_file_buffers", "-1"),
			      -EINVAL);
		igt_assert_eq_u64(secbuf_param_get("max_file_buffers"), old);

		old = secbuf_param_get("max_file_bytes");
		igt_assert_eq(__secbuf_param_write("max_file_bytes", "lots"),
			      -EINVAL);
		igt_assert_eq_u64(secbuf_param_get("max_file_bytes"), old);
		secbuf_params_restore();
	}

	igt_fixture {
		secbuf_params_restore();
		close(fd);
	}
}
