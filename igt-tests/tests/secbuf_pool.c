// SPDX-License-Identifier: MIT
/*
 * secbuf_pool: pool accounting (SECBUF_IOC_POOL_INFO and sysfs), exhaustion
 * and recovery, largest_free_bytes, and the independence of two pools.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("Pool accounting in POOL_INFO and sysfs, exhaustion "
		     "and recovery, largest_free_bytes, and two independent "
		     "pools.");

#define MAX_BUFS 1024

struct buf_list {
	int fd[MAX_BUFS];
	int count;
	uint64_t bytes;
};

/*
 * Allocate @size buffers from @fd until one fails; that failure must be
 * ENOMEM and must leave nothing behind. Returns the list, all alive.
 */
static void fill_pool(int fd, const char *pool, uint64_t size,
		      struct buf_list *list)
{
	struct secbuf_snapshot before;
	int ret;

	list->count = 0;
	list->bytes = 0;
	for (;;) {
		struct secbuf_alloc arg = {
			.size = size,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};

		igt_assert_f(list->count < MAX_BUFS, "pool never runs out\n");
		secbuf_snapshot(&before, pool);
		ret = __secbuf_alloc_full(fd, &arg);
		if (ret)
			break;
		list->fd[list->count++] = (int)arg.fd;
		list->bytes += arg.alloc_size;
	}

	igt_assert_f(ret == -ENOMEM, "allocation %d of %#" PRIx64 " bytes "
		     "failed with %d, expected -ENOMEM\n", list->count, size, ret);
	secbuf_assert_unchanged(&before);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), list->bytes);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), list->count);
}

static void free_list(struct buf_list *list)
{
	for (int i = 0; i < list->count; i++)
		close(list->fd[i]);
	list->count = 0;
	list->bytes = 0;
}

static void assert_info_matches_sysfs(int fd, const char *pool)
{
	struct secbuf_pool_info pi;

	secbuf_pool_info(fd, &pi);
	igt_assert_eq_u64(pi.total_bytes, secbuf_pool_sysfs(pool, "total_bytes"));
	igt_assert_eq_u64(pi.used_bytes, secbuf_pool_sysfs(pool, "used_bytes"));
	igt_assert_eq_u64(pi.buffer_count, secbuf_pool_sysfs(pool, "buffers"));
	igt_assert_eq_u64(pi.largest_free_bytes,
			  secbuf_pool_sysfs(pool, "largest_free_bytes"));
	igt_assert_lte_u64(pi.used_bytes, secbuf_pool_sysfs(pool, "peak_used_bytes"));
}

/*
 * largest_free_bytes must be exactly what one allocation can get: that size
 * works, and one page more does not (ENOMEM, or EFBIG past the pool's
 * max_buffer_bytes).
 */
static void assert_largest_free_truthful(int fd)
{
	struct secbuf_pool_info pi, again;
	uint64_t largest;
	struct secbuf_alloc arg = { .fd_flags = O_RDWR | O_CLOEXEC };
	int ret, more;

	secbuf_pool_info(fd, &pi);
	largest = pi.largest_free_bytes;
	igt_assert_lte_u64(largest, pi.total_bytes - pi.used_bytes);
	igt_assert(largest > 0);

	ret = __secbuf_alloc(fd, largest + secbuf_page_size(), 0,
			     O_RDWR | O_CLOEXEC, &more);
	if (ret == 0)
		close(more);
	igt_assert_f(ret == -ENOMEM ||
		     (ret == -EFBIG && largest + secbuf_page_size() > pi.max_buffer_bytes),
		     "largest_free_bytes %#" PRIx64 " + one page: %d\n",
		     largest, ret);

	arg.size = largest;
	igt_assert_f(__secbuf_alloc_full(fd, &arg) == 0,
		     "largest_free_bytes %#" PRIx64 " cannot be allocated\n",
		     largest);
	igt_assert_eq_u64(arg.alloc_size, largest);
	secbuf_pool_info(fd, &again);
	igt_assert_eq_u64(again.used_bytes, pi.used_bytes + largest);
	close((int)arg.fd);
}

igt_main
{
	static struct buf_list list, list2;
	const char *pool = NULL, *pool2 = NULL;
	int fd = -1;

	igt_fixture {
		pool = secbuf_pool_name();
		pool2 = secbuf_pool2_name();
		fd = secbuf_open_pool(pool);
	}

	igt_describe("An idle pool reports nothing used, a capacity equal to "
		     "sysfs total_bytes, max_buffer_bytes equal to the capacity, "
		     "and a largest free range within it.");
	igt_subtest("info-idle") {
		struct secbuf_pool_info pi;

		secbuf_pool_info(fd, &pi);
		igt_assert(pi.total_bytes > 0);
		igt_assert_eq_u64(pi.used_bytes, 0);
		igt_assert_eq_u64(pi.buffer_count, 0);
		igt_assert_eq_u32(pi.file_buffers, 0);
		igt_assert_eq_u64(pi.file_used_bytes, 0);
		igt_assert_eq_u64(pi.max_buffer_bytes, pi.total_bytes);
		igt_assert(pi.largest_free_bytes > 0);
		igt_assert_lte_u64(pi.largest_free_bytes, pi.total_bytes);
		assert_info_matches_sysfs(fd, pool);
	}

	igt_describe("Each allocation grows used_bytes by its alloc_size and "
		     "buffer_count by one, in the pool and in the file; each "
		     "close takes exactly that back; sysfs agrees throughout.");
	igt_subtest("info-tracks-alloc") {
		static const uint64_t sizes[] = { 1, 5 * SECBUF_SZ_4K, SECBUF_SZ_1M, SECBUF_SZ_2M, 3 * SECBUF_SZ_1M };
		uint64_t used = 0, alloc_size[5];
		int bufs[5];
		struct secbuf_pool_info pi;

		for (int i = 0; i < 5; i++) {
			struct secbuf_alloc arg = {
				.size = sizes[i],
				.fd_flags = O_RDWR | O_CLOEXEC,
			};

			bufs[i] = secbuf_alloc_full(fd, &arg);
			alloc_size[i] = arg.alloc_size;
			used += arg.alloc_size;
			secbuf_pool_info(fd, &pi);
			igt_assert_eq_u64(pi.used_bytes, used);
			igt_assert_eq_u64(pi.buffer_count, i + 1);
			igt_assert_eq_u64(pi.file_used_bytes, used);
			igt_assert_eq_u32(pi.file_buffers, i + 1);
			assert_info_matches_sysfs(fd, pool);
		}
		for (int i = 4; i >= 0; i--) {
			close(bufs[i]);
			used -= alloc_size[i];
			secbuf_pool_info(fd, &pi);
			igt_assert_eq_u64(pi.used_bytes, used);
			igt_assert_eq_u64(pi.buffer_count, i);
			igt_assert_eq_u32(pi.file_buffers, i);
			assert_info_matches_sysfs(fd, pool);
		}
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The file_ fields are per pool file: a buffer of one file "
		     "shows in that file's numbers only, the pool-wide numbers "
		     "show both.");
	igt_subtest("info-per-file") {
		int other = secbuf_open_pool(pool);
		int a = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		int b = secbuf_alloc(other, 2 * SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_pool_info pa, pb;

		secbuf_pool_info(fd, &pa);
		secbuf_pool_info(other, &pb);
		igt_assert_eq_u64(pa.used_bytes, 3 * SECBUF_SZ_1M);
		igt_assert_eq_u64(pb.used_bytes, 3 * SECBUF_SZ_1M);
		igt_assert_eq_u64(pa.buffer_count, 2);
		igt_assert_eq_u64(pb.buffer_count, 2);
		igt_assert_eq_u32(pa.file_buffers, 1);
		igt_assert_eq_u64(pa.file_used_bytes, SECBUF_SZ_1M);
		igt_assert_eq_u32(pb.file_buffers, 1);
		igt_assert_eq_u64(pb.file_used_bytes, 2 * SECBUF_SZ_1M);

		close(a);
		secbuf_pool_info(other, &pb);
		igt_assert_eq_u32(pb.file_buffers, 1);
		igt_assert_eq_u64(pb.file_used_bytes, 2 * SECBUF_SZ_1M);
		igt_assert_eq_u64(pb.used_bytes, 2 * SECBUF_SZ_1M);

		close(b);
		close(other);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer whose pool file is closed is revoked: while its "
		     "fd is still open it counts neither in the pool nor in "
		     "any other pool file.");
	igt_subtest("info-orphan-buffer") {
		int owner = secbuf_open_pool(pool);
		int buf = secbuf_alloc(owner, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_pool_info pi;

		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, SECBUF_SZ_1M);
		igt_assert_eq_u64(pi.buffer_count, 1);
		igt_assert_eq_u32(pi.file_buffers, 0);
		igt_assert_eq_u64(pi.file_used_bytes, 0);

		close(owner);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, 0);
		igt_assert_eq_u64(pi.buffer_count, 0);
		igt_assert_eq_u64(pi.quarantined_bytes, 0);
		igt_assert_eq_u32(pi.file_buffers, 0);
		igt_assert_eq_u64(pi.file_used_bytes, 0);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("sysfs peak_used_bytes is never below what was in use at "
		     "once.");
	igt_subtest("sysfs-peak") {
		int a = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		int b = secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);

		igt_assert_lte_u64(6 * SECBUF_SZ_1M, secbuf_pool_sysfs(pool, "peak_used_bytes"));
		close(a);
		close(b);
		igt_assert_lte_u64(6 * SECBUF_SZ_1M, secbuf_pool_sysfs(pool, "peak_used_bytes"));
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Allocating 2 MiB buffers until the pool runs out ends in "
		     "ENOMEM, with nothing half-made: the failed call leaves no "
		     "fd and no usage, and the usage is the sum of the buffers.");
	igt_subtest("exhaust-enomem") {
		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		igt_assert(list.count > 0);
		assert_info_matches_sysfs(fd, pool);
		free_list(&list);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Once everything from an exhausted pool is freed, the pool "
		     "is idle and can be filled again to the same amount.");
	igt_subtest("exhaust-recover") {
		int first;
		uint64_t first_bytes;

		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		first = list.count;
		first_bytes = list.bytes;
		free_list(&list);
		secbuf_pool_assert_idle(pool);

		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		igt_assert_eq(list.count, first);
		igt_assert_eq_u64(list.bytes, first_bytes);
		free_list(&list);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A full pool refuses even one page with ENOMEM; freeing "
		     "one buffer makes room again.");
	igt_subtest("exhaust-small") {
		int buf;

		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		/* Whatever is left below 2 MiB, in pages. */
		while (__secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC, &buf) == 0) {
			igt_assert(list.count < MAX_BUFS);
			list.fd[list.count++] = buf;
		}
		igt_assert_eq(__secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC, &buf),
			      -ENOMEM);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "largest_free_bytes"), 0);

		close(list.fd[0]);
		list.fd[0] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		free_list(&list);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("In an idle pool, largest_free_bytes can be allocated in "
		     "one buffer and one page more cannot.");
	igt_subtest("largest-free-idle") {
		assert_largest_free_truthful(fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("In a fragmented pool (every other buffer of a full pool "
		     "freed), largest_free_bytes can be allocated in one buffer "
		     "and one page more cannot.");
	igt_subtest("largest-free-fragmented") {
		fill_pool(fd, pool, SECBUF_SZ_4M, &list);
		igt_require(list.count >= 4);
		for (int i = 0; i < list.count; i += 2) {
			close(list.fd[i]);
			list.fd[i] = -1;
		}
		assert_largest_free_truthful(fd);

		/* And once more with a hole of two buffers merged. */
		close(list.fd[1]);
		list.fd[1] = -1;
		assert_largest_free_truthful(fd);
		free_list(&list);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("With the pool full except for part of one 2 MiB chunk "
		     "(a page allocated in a freed 2 MiB gap), largest_free_bytes "
		     "is the free run in that shared chunk, and exactly that can "
		     "be allocated.");
	igt_subtest("largest-free-shared-chunk") {
		struct secbuf_pool_info pi;
		int page_buf;

		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		igt_require(list.count >= 2);
		close(list.fd[0]);
		list.fd[0] = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);

		secbuf_pool_info(fd, &pi);
		igt_assert_lt_u64(pi.largest_free_bytes, SECBUF_SZ_2M);
		igt_assert_lte_u64(SECBUF_SZ_2M - 2 * SECBUF_SZ_4K, pi.largest_free_bytes);
		assert_largest_free_truthful(fd);

		/* A second gap: now a whole 2 MiB is the largest again. */
		close(list.fd[1]);
		list.fd[1] = -1;
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.largest_free_bytes, SECBUF_SZ_2M);
		assert_largest_free_truthful(fd);

		page_buf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		close(page_buf);
		free_list(&list);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Both device nodes of the pool are character devices with "
		     "the mode of the dev_mode module parameter.");
	igt_subtest("device-node-mode") {
		const char *dirs[] = { SECBUF_DEV_DIR, SECBUF_HEAP_DIR };
		uint64_t mode = secbuf_param_get("dev_mode");

		for (int i = 0; i < 2; i++) {
			char path[256];
			struct stat st;

			snprintf(path, sizeof(path), "%s/%s", dirs[i], pool);
			igt_assert_eq(stat(path, &st), 0);
			igt_assert(S_ISCHR(st.st_mode));
			igt_assert_f((st.st_mode & 07777) == mode,
				     "%s has mode %#o, dev_mode is %#" PRIo64 "\n",
				     path, st.st_mode & 07777, mode);
		}
	}

	igt_describe("A process without privileges (uid and gid 65534) can "
		     "open the device nodes only if dev_mode gives others "
		     "read-write access; otherwise open is EACCES.");
	igt_subtest("device-node-unprivileged") {
		uint64_t mode = secbuf_param_get("dev_mode");
		int expected = (mode & 06) == 06 ? 0 : -EACCES;

		igt_require(geteuid() == 0);
		igt_fork(child, 1) {
			int pfd, hfd;

			igt_assert_eq(setgroups(0, NULL), 0);
			igt_assert_eq(setgid(65534), 0);
			igt_assert_eq(setuid(65534), 0);

			pfd = __secbuf_open_pool(pool);
			hfd = __secbuf_open_heap(pool);
			igt_assert_eq(pfd < 0 ? pfd : 0, expected);
			igt_assert_eq(hfd < 0 ? hfd : 0, expected);
		}
		igt_waitchildren();
	}

	igt_describe("Two pools are independent: buffers of one do not change "
		     "the usage of the other, in POOL_INFO and sysfs.");
	igt_subtest("two-pools-independent") {
		int fd2 = secbuf_open_pool(pool2);
		struct secbuf_pool_info p1, p2;
		int a, b;

		igt_require(strcmp(pool, pool2));
		a = secbuf_alloc(fd, SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC);
		secbuf_pool_info(fd2, &p2);
		igt_assert_eq_u64(p2.used_bytes, 0);
		igt_assert_eq_u64(p2.buffer_count, 0);
		secbuf_pool_assert_idle(pool2);

		b = secbuf_alloc(fd2, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		secbuf_pool_info(fd, &p1);
		igt_assert_eq_u64(p1.used_bytes, SECBUF_SZ_2M);
		igt_assert_eq_u64(p1.buffer_count, 1);
		secbuf_pool_info(fd2, &p2);
		igt_assert_eq_u64(p2.used_bytes, SECBUF_SZ_1M);
		igt_assert_eq_u64(p2.buffer_count, 1);

		close(a);
		secbuf_pool_assert_idle(pool);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool2, "used_bytes"), SECBUF_SZ_1M);
		close(b);
		close(fd2);
		secbuf_pool_assert_idle(pool2);
	}

	igt_describe("Exhausting one pool does not affect the other: it can "
		     "still allocate its largest free size.");
	igt_subtest("two-pools-exhaust-one") {
		int fd2 = secbuf_open_pool(pool2);

		igt_require(strcmp(pool, pool2));
		fill_pool(fd2, pool2, SECBUF_SZ_2M, &list2);
		assert_largest_free_truthful(fd);
		secbuf_pool_assert_idle(pool);
		free_list(&list2);
		secbuf_pool_assert_idle(pool2);

		fill_pool(fd, pool, SECBUF_SZ_2M, &list);
		assert_largest_free_truthful(fd2);
		secbuf_pool_assert_idle(pool2);
		free_list(&list);
		close(fd2);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Four processes allocating and freeing small buffers "
		     "(which share 2 MiB chunks) as fast as they can, through "
		     "one pool file, leave an idle pool that holds no memory.");
	igt_subtest("concurrent-small-alloc-free") {
		igt_fork(child, 4) {
			static const uint64_t sizes[] = {
				SECBUF_SZ_4K, 2 * SECBUF_SZ_4K, SECBUF_SZ_64K, 123457,
			};
			unsigned int seed = child + 100;
			int live[8];

			for (int i = 0; i < 8; i++)
				live[i] = -1;
			for (int i = 0; i < 2000; i++) {
				int slot = rand_r(&seed) % 8;

				if (live[slot] >= 0) {
					close(live[slot]);
					live[slot] = -1;
				} else {
					live[slot] = secbuf_alloc(fd,
						sizes[rand_r(&seed) % 4], 0,
						O_RDWR | O_CLOEXEC);
				}
			}
			for (int i = 0; i < 8; i++)
				close(live[i]);
		}
		igt_waitchildren();
		secbuf_pool_assert_idle(pool);
		assert_info_matches_sysfs(fd, pool);
	}

	igt_describe("Four processes allocating, checking and freeing buffers "
		     "of mixed sizes at the same time, some through one shared "
		     "pool file and some through their own, leave the pool idle "
		     "and never see each other's data.");
	igt_subtest("concurrent-alloc-free") {
		igt_fork(child, 4) {
			static const uint64_t sizes[] = {
				SECBUF_SZ_4K, SECBUF_SZ_64K, 123457, SECBUF_SZ_2M, 3 * SECBUF_SZ_1M + 1,
			};
			int own = child & 1 ? secbuf_open_pool(pool) : fd;
			unsigned int seed = child;
			int live[4] = { -1, -1, -1, -1 };
			uint64_t live_size[4] = { 0 };

			for (int i = 0; i < 300; i++) {
				int slot = rand_r(&seed) % 4;
				uint64_t size = sizes[rand_r(&seed) % 5];
				struct secbuf_alloc arg = {
					.size = size,
					.fd_flags = O_RDWR | O_CLOEXEC,
				};
				uint64_t *p;

				if (live[slot] >= 0) {
					p = secbuf_mmap(live[slot], live_size[slot],
							PROT_READ);
					igt_assert_eq_u64(p[0], child + 1);
					igt_assert_eq_u64(p[live_size[slot] / 8 - 1],
							  child + 1);
					secbuf_munmap(p, live_size[slot]);
					close(live[slot]);
				}
				live[slot] = secbuf_alloc_full(own, &arg);
				live_size[slot] = arg.alloc_size;
				p = secbuf_mmap(live[slot], arg.alloc_size,
						PROT_READ | PROT_WRITE);
				igt_assert_eq_u64(p[0], 0);
				igt_assert_eq_u64(p[arg.alloc_size / 8 - 1], 0);
				p[0] = child + 1;
				p[arg.alloc_size / 8 - 1] = child + 1;
				secbuf_munmap(p, arg.alloc_size);
			}
			for (int i = 0; i < 4; i++)
				close(live[i]);
		}
		igt_waitchildren();
		secbuf_pool_assert_idle(pool);
		assert_info_matches_sysfs(fd, pool);
	}

	igt_fixture
		close(fd);
}
