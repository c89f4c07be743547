// SPDX-License-Identifier: MIT
/*
 * secbuf_alloc: SECBUF_IOC_ALLOC of every size class, zeroing, rounding,
 * fd flags, ids, and that buffers never overlap or leak data to the next
 * owner.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("Allocation through /dev/secbuf/<pool>: sizes, rounding, "
		     "zeroing, fd flags and buffer ids.");

static volatile sig_atomic_t signals_seen;

static void count_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

static uint64_t page_align(uint64_t size)
{
	uint64_t page = secbuf_page_size();

	return (size + page - 1) & ~(page - 1);
}

/*
 * Allocate @size, check what the kernel reports about it, that it reads
 * back zero and keeps what is written, and that it is fully freed.
 */
static void test_size(int fd, const char *pool, uint64_t size)
{
	struct secbuf_alloc arg = {
		.size = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct secbuf_pool_info before, during;
	uint64_t expected = page_align(size);
	char value[64];
	void *ptr;
	int dmabuf;

	secbuf_pool_info(fd, &before);
	dmabuf = secbuf_alloc_full(fd, &arg);

	igt_assert_eq_u64(arg.alloc_size, expected);
	igt_assert_eq_u64(secbuf_dmabuf_size(dmabuf), expected);
	igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "size", value, sizeof(value)));
	igt_assert_eq_u64(strtoull(value, NULL, 10), expected);

	secbuf_pool_info(fd, &during);
	igt_assert_eq_u64(during.used_bytes, before.used_bytes + expected);
	igt_assert_eq_u64(during.buffer_count, before.buffer_count + 1);
	igt_assert_eq_u64(during.file_used_bytes, before.file_used_bytes + expected);
	igt_assert_eq_u32(during.file_buffers, before.file_buffers + 1);

	ptr = secbuf_mmap(dmabuf, expected, PROT_READ | PROT_WRITE);
	secbuf_assert_zero(ptr, expected);
	secbuf_fill(ptr, expected, size);
	secbuf_assert_filled(ptr, expected, size);
	secbuf_munmap(ptr, expected);

	/* What was written is in the buffer, not in the mapping. */
	ptr = secbuf_mmap(dmabuf, expected, PROT_READ);
	secbuf_assert_filled(ptr, expected, size);
	secbuf_munmap(ptr, expected);

	close(dmabuf);
	secbuf_pool_assert_idle(pool);
}

/*
 * Fill @count buffers of @size from one pool file, free them, and allocate
 * them again from another pool file: every byte must read zero, whatever
 * memory the second round got.
 */
static void test_reuse_zeroed(const char *pool, uint64_t size, int count)
{
	int owner1 = secbuf_open_pool(pool);
	int owner2 = secbuf_open_pool(pool);
	int *bufs = calloc(count, sizeof(*bufs));
	void *ptr;

	igt_assert(bufs);

	for (int i = 0; i < count; i++) {
		bufs[i] = secbuf_alloc(owner1, size, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(bufs[i], size, PROT_READ | PROT_WRITE);
		memset(ptr, 0xa5, size);
		secbuf_munmap(ptr, size);
	}
	for (int i = 0; i < count; i++)
		close(bufs[i]);
	close(owner1);
	secbuf_pool_assert_idle(pool);

	for (int i = 0; i < count; i++) {
		bufs[i] = secbuf_alloc(owner2, size, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(bufs[i], size, PROT_READ);
		secbuf_assert_zero(ptr, size);
		secbuf_munmap(ptr, size);
	}
	for (int i = 0; i < count; i++)
		close(bufs[i]);
	close(owner2);
	free(bufs);
	secbuf_pool_assert_idle(pool);
}

/* Buffers of mixed sizes must not share a byte. */
static void test_no_overlap(int fd, const char *pool, const uint64_t *sizes,
			    int count)
{
	int *bufs = calloc(count, sizeof(*bufs));
	void *ptr;

	igt_assert(bufs);

	for (int i = 0; i < count; i++) {
		bufs[i] = secbuf_alloc(fd, sizes[i], 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(bufs[i], page_align(sizes[i]),
				  PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, page_align(sizes[i]), i);
		secbuf_munmap(ptr, page_align(sizes[i]));
	}

	for (int i = 0; i < count; i++) {
		ptr = secbuf_mmap(bufs[i], page_align(sizes[i]), PROT_READ);
		secbuf_assert_filled(ptr, page_align(sizes[i]), i);
		secbuf_munmap(ptr, page_align(sizes[i]));
		close(bufs[i]);
	}
	free(bufs);

	secbuf_pool_assert_idle(pool);
}

igt_main
{
	static const struct {
		const char *name;
		uint64_t size;		/* 0: one page */
	} sizes[] = {
		{ "1-byte", 1 },
		{ "one-page", 0 },
		{ "4097-bytes", 4097 },
		{ "123457-bytes", 123457 },
		{ "2mib", SECBUF_SZ_2M },
		{ "3mib-plus-1", 3 * SECBUF_SZ_1M + 1 },
		{ "64mib", SECBUF_SZ_64M },
	};
	const char *pool = NULL;
	int fd = -1;

	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
	}

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		igt_describe_f("A %s buffer is rounded up to whole pages in "
			       "alloc_size, lseek and fdinfo, is counted in the "
			       "pool and file usage, reads back all zero through "
			       "mmap, keeps what is written, and is freed on "
			       "close.", sizes[i].name);
		igt_subtest_f("alloc-%s", sizes[i].name)
			test_size(fd, pool, sizes[i].size ?: secbuf_page_size());
	}

	igt_describe("The whole pool filled with a pattern by one owner, freed, "
		     "and allocated again by another owner reads back all zero: "
		     "no data crosses owners.");
	igt_subtest("reuse-whole-pool-zeroed") {
		struct secbuf_pool_info info;

		secbuf_pool_info(fd, &info);
		igt_require(info.largest_free_bytes >= SECBUF_SZ_2M);
		test_reuse_zeroed(pool, info.largest_free_bytes, 1);
	}

	igt_describe("32 small buffers filled by one owner, freed, and "
		     "allocated again by another owner read back all zero.");
	igt_subtest("reuse-small-zeroed")
		test_reuse_zeroed(pool, SECBUF_SZ_64K, 32);

	igt_describe("8 buffers of 2 MiB filled by one owner, freed, and "
		     "allocated again by another owner read back all zero.");
	igt_subtest("reuse-2mib-zeroed")
		test_reuse_zeroed(pool, SECBUF_SZ_2M, 8);

	igt_describe("256 one-page buffers are distinct memory: each keeps its "
		     "own pattern after all were written.");
	igt_subtest("many-pages-no-overlap") {
		uint64_t s[256];

		for (int i = 0; i < 256; i++)
			s[i] = secbuf_page_size();
		test_no_overlap(fd, pool, s, 256);
	}

	igt_describe("Buffers of mixed odd sizes, small and large, are distinct "
		     "memory: each keeps its own pattern after all were written.");
	igt_subtest("mixed-sizes-no-overlap") {
		uint64_t s[24];

		for (int i = 0; i < 24; i++)
			s[i] = (i % 6 == 5) ? SECBUF_SZ_2M + i * 12345ULL : 1 + i * 37001ULL;
		test_no_overlap(fd, pool, s, 24);
	}

	igt_describe("fd_flags O_CLOEXEC gives a descriptor with FD_CLOEXEC set.");
	igt_subtest("fd-cloexec") {
		int dmabuf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);

		igt_assert(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC);
		close(dmabuf);
	}

	igt_describe("fd_flags without O_CLOEXEC gives a descriptor without "
		     "FD_CLOEXEC.");
	igt_subtest("fd-no-cloexec") {
		int dmabuf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR);

		igt_assert(!(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC));
		close(dmabuf);
	}

	igt_describe("fd_flags O_RDWR gives a read-write descriptor.");
	igt_subtest("fd-rdwr") {
		int dmabuf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);

		igt_assert_eq(fcntl(dmabuf, F_GETFL) & O_ACCMODE, O_RDWR);
		close(dmabuf);
	}

	igt_describe("fd_flags O_RDONLY (0) gives a read-only descriptor.");
	igt_subtest("fd-rdonly") {
		int dmabuf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDONLY | O_CLOEXEC);

		igt_assert_eq(fcntl(dmabuf, F_GETFL) & O_ACCMODE, O_RDONLY);
		close(dmabuf);
	}

	igt_describe("Buffer ids are unique in the pool, also across free and "
		     "allocate again, and across pool files.");
	igt_subtest("ids-unique") {
		int other = secbuf_open_pool(pool);
		uint64_t ids[64];
		int bufs[32];

		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < 32; i++) {
				struct secbuf_alloc arg = {
					.size = SECBUF_SZ_4K,
					.fd_flags = O_RDWR | O_CLOEXEC,
				};

				bufs[i] = secbuf_alloc_full(i & 1 ? other : fd, &arg);
				ids[round * 32 + i] = arg.id;
				for (int j = 0; j < round * 32 + i; j++)
					igt_assert_f(ids[j] != arg.id,
						     "id %" PRIu64 " given twice\n",
						     (uint64_t)arg.id);
			}
			for (int i = 0; i < 32; i++)
				close(bufs[i]);
		}
		close(other);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer does not outlive the pool file it came from: "
		     "closing the pool file revokes it, its memory goes back "
		     "to the pool at once although its fd is still open, and "
		     "the fd can no longer be mapped (ENODEV).");
	igt_subtest("buffer-revoked-with-pool-file") {
		int owner = secbuf_open_pool(pool);
		int dmabuf = secbuf_alloc(owner, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		void *ptr;

		ptr = secbuf_mmap(dmabuf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, SECBUF_SZ_1M, 7);
		secbuf_munmap(ptr, SECBUF_SZ_1M);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), SECBUF_SZ_1M);
		close(owner);

		secbuf_pool_assert_idle(pool);
		igt_assert(!__secbuf_mmap(dmabuf, SECBUF_SZ_1M, 0, PROT_READ,
					  MAP_SHARED));
		igt_assert_eq(errno, ENODEV);
		errno = 0;

		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A process killed while it allocates (and zeroes) large "
		     "buffers leaves nothing behind, whenever the kill lands.");
	igt_subtest("killed-while-allocating") {
		struct secbuf_pool_info info;

		secbuf_pool_info(fd, &info);
		igt_require(info.largest_free_bytes >= SECBUF_SZ_2M);

		for (int round = 0; round < 8; round++) {
			struct timespec delay = {
				.tv_nsec = (round + 1) * 37 * 1000 * 1000,
			};
			int status;
			pid_t pid;

			fflush(NULL);
			pid = fork();
			igt_assert(pid >= 0);
			if (pid == 0) {
				/* No igt_* here: this child must only die. */
				for (;;) {
					int buf;

					if (__secbuf_alloc(fd, info.largest_free_bytes,
							   0, O_RDWR, &buf) == 0)
						close(buf);
				}
			}

			nanosleep(&delay, NULL);
			igt_assert_eq(kill(pid, SIGKILL), 0);
			igt_assert_eq(waitpid(pid, &status, 0), pid);
			igt_assert(WIFSIGNALED(status));
			secbuf_pool_assert_idle(pool);
		}
	}

	igt_describe("A signal that is not fatal does not interrupt an "
		     "allocation: whole-pool allocations under a stream of "
		     "handled signals never fail with EINTR.");
	igt_subtest("survives-nonfatal-signals") {
		struct secbuf_pool_info info;
		int pipefd[2];
		pid_t pid;

		secbuf_pool_info(fd, &info);
		igt_require(info.largest_free_bytes >= SECBUF_SZ_2M);
		igt_assert_eq(pipe(pipefd), 0);

		fflush(NULL);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			/* No igt_*: report through the exit status. */
			struct sigaction sa = { .sa_handler = count_signal };
			int eintr = 0, other = 0;

			sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
			close(pipefd[0]);
			if (write(pipefd[1], "r", 1) != 1)
				_exit(3);
			for (int i = 0; i < 10; i++) {
				struct secbuf_alloc arg = {
					.size = info.largest_free_bytes,
					.fd_flags = O_RDWR | O_CLOEXEC,
				};

				if (ioctl(fd, SECBUF_IOC_ALLOC, &arg) == 0)
					close((int)arg.fd);
				else if (errno == EINTR)
					eintr++;
				else
					other++;
			}
			_exit(eintr ? 1 : other ? 2 : signals_seen ? 0 : 4);
		}

		close(pipefd[1]);
		{
			char c;
			int status;

			igt_assert_eq(read(pipefd[0], &c, 1), 1);
			while (waitpid(pid, &status, WNOHANG) == 0) {
				kill(pid, SIGUSR1);
				usleep(2000);
			}
			close(pipefd[0]);
			igt_assert_f(WIFEXITED(status), "child died: %#x\n", status);
			igt_assert_f(WEXITSTATUS(status) != 1,
				     "an allocation failed with EINTR\n");
			igt_assert_f(WEXITSTATUS(status) != 2,
				     "an allocation failed\n");
			igt_assert_f(WEXITSTATUS(status) != 4,
				     "no signal arrived during the allocations\n");
			igt_assert_eq(WEXITSTATUS(status), 0);
		}
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A pool file opened read-only cannot allocate (EBADF), "
		     "owns nothing (REVOKE of another file's buffer is EPERM), "
		     "but may ask: POOL_INFO, QUERY and GET_SEALS work.");
	igt_subtest("readonly-pool-file") {
		char path[64];
		int ro, buf, dmabuf = -1;
		struct secbuf_pool_info info;
		struct secbuf_query q;

		snprintf(path, sizeof(path), "/dev/secbuf/%s", pool);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		igt_assert_fd(ro);
		igt_assert_eq(__secbuf_alloc(ro, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC,
					     &dmabuf), -EBADF);
		igt_assert_eq(dmabuf, -1);

		buf = secbuf_alloc(fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
		secbuf_pool_info(ro, &info);
		igt_assert_eq(info.file_buffers, 0);
		igt_assert_eq_u64(info.buffer_count, 1);
		secbuf_query(ro, buf, &q);
		igt_assert_eq(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq(secbuf_get_seals(ro, buf), 0);
		igt_assert_eq(__secbuf_revoke(ro, buf, 0, NULL), -EPERM);

		close(buf);
		close(ro);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(fd);
}
