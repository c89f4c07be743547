// SPDX-License-Identifier: MIT
/*
 * secbuf_dmabuf: the standard dma-buf interface of a secbuf buffer:
 * DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME, fdinfo and lseek.
 *
 * The expected errnos are those of dma_buf_ioctl() and dma_buf_set_name()
 * in drivers/dma-buf/dma-buf.c (identical in 6.1 and 6.12): flags outside
 * DMA_BUF_SYNC_VALID_FLAGS_MASK are EINVAL, so is a direction of neither
 * READ nor WRITE; a name of DMA_BUF_NAME_LEN or more bytes is EINVAL
 * (strndup_user), an unreadable one EFAULT. DMA_BUF_SYNC_START is 0, so
 * "neither START nor END" cannot be expressed: it is START.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("dma-buf ioctls on secbuf buffers: CPU access sync, "
		     "naming, fdinfo and size.");

#define BUF_SIZE	SECBUF_SZ_64K

static const struct {
	const char *name;
	uint64_t flags;
} valid_syncs[] = {
	{ "read-start", DMA_BUF_SYNC_READ | DMA_BUF_SYNC_START },
	{ "write-start", DMA_BUF_SYNC_WRITE | DMA_BUF_SYNC_START },
	{ "rw-start", DMA_BUF_SYNC_RW | DMA_BUF_SYNC_START },
	{ "read-end", DMA_BUF_SYNC_READ | DMA_BUF_SYNC_END },
	{ "write-end", DMA_BUF_SYNC_WRITE | DMA_BUF_SYNC_END },
	{ "rw-end", DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END },
};

static const struct {
	const char *name;
	const char *why;
	uint64_t flags;
} invalid_syncs[] = {
	{ "no-direction", "neither READ nor WRITE (flags 0)", 0 },
	{ "end-no-direction", "END without READ or WRITE", DMA_BUF_SYNC_END },
	{ "unknown-bit3", "bit 3, the first unknown bit, with RW",
	  DMA_BUF_SYNC_RW | (1ULL << 3) },
	{ "unknown-bit31", "bit 31 with RW", DMA_BUF_SYNC_RW | (1ULL << 31) },
	{ "unknown-bit32", "bit 32 (the upper half of the __u64) with RW",
	  DMA_BUF_SYNC_RW | (1ULL << 32) },
	{ "unknown-bit63", "bit 63 with RW", DMA_BUF_SYNC_RW | (1ULL << 63) },
	{ "all-bits", "every bit set", ~0ULL },
};

static void check_name(int dmabuf, const char *expected)
{
	char value[128];

	igt_assert_f(secbuf_dmabuf_fdinfo_get(dmabuf, "name", value, sizeof(value)),
		     "no name: line in fdinfo\n");
	igt_assert_f(!strcmp(value, expected), "name \"%s\", expected \"%s\"\n",
		     value, expected);
}

igt_main
{
	const char *pool = NULL;
	int fd = -1, dmabuf = -1;

	/*
	 * Every subtest gets a new buffer in dmabuf and frees it, so the pool
	 * is idle between subtests.
	 */
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
	}

	for (size_t i = 0; i < sizeof(valid_syncs) / sizeof(valid_syncs[0]); i++) {
		igt_describe_f("DMA_BUF_IOCTL_SYNC with %s succeeds.",
			       valid_syncs[i].name);
		igt_subtest_f("sync-%s", valid_syncs[i].name) {
			dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			igt_assert_eq(__secbuf_dmabuf_sync(dmabuf, valid_syncs[i].flags), 0);
			close(dmabuf);
			secbuf_pool_assert_idle(pool);
		}
	}

	for (size_t i = 0; i < sizeof(invalid_syncs) / sizeof(invalid_syncs[0]); i++) {
		igt_describe_f("DMA_BUF_IOCTL_SYNC with %s is refused with "
			       "EINVAL.", invalid_syncs[i].why);
		igt_subtest_f("sync-invalid-%s", invalid_syncs[i].name) {
			dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			igt_assert_eq(__secbuf_dmabuf_sync(dmabuf, invalid_syncs[i].flags),
				      -EINVAL);
			close(dmabuf);
			secbuf_pool_assert_idle(pool);
		}
	}

	igt_describe("A full CPU access cycle bracketed by SYNC START/END keeps "
		     "what was written: write under RW, read back under READ.");
	igt_subtest("sync-access-cycle") {
		void *ptr;

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		secbuf_fill(ptr, BUF_SIZE, 42);
		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);

		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 42);
		secbuf_dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BUF_IOCTL_SYNC works on a read-only descriptor too "
		     "(READ direction).");
	igt_subtest("sync-rdonly-fd") {
		int ro = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);

		secbuf_dmabuf_sync(ro, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		secbuf_dmabuf_sync(ro, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		close(ro);
	}

	igt_describe("fdinfo names the exporter: exp_name is secbuf, size is "
		     "the buffer size.");
	igt_subtest("fdinfo-exp-name") {
		char value[64];

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "exp_name", value, sizeof(value)));
		igt_assert_f(!strcmp(value, "secbuf"), "exp_name is \"%s\"\n", value);
		igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "size", value, sizeof(value)));
		igt_assert_eq_u64(strtoull(value, NULL, 10), BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BUF_SET_NAME names the buffer; the name shows in "
		     "/proc/self/fdinfo as name:, and a second call renames it.");
	igt_subtest("set-name") {
		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, "igt-secbuf"), 0);
		check_name(dmabuf, "igt-secbuf");
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, "renamed"), 0);
		check_name(dmabuf, "renamed");
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The name is the buffer's, not the fd's: another process "
		     "holding the fd sees it in its own fdinfo.");
	igt_subtest("set-name-other-process") {
		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, "shared-name"), 0);
		igt_fork(child, 1)
			check_name(dmabuf, "shared-name");
		igt_waitchildren();
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A name of DMA_BUF_NAME_LEN - 1 bytes is accepted; one "
		     "of DMA_BUF_NAME_LEN bytes is refused with EINVAL and the "
		     "old name stays.");
	igt_subtest("set-name-too-long") {
		char name[DMA_BUF_NAME_LEN + 1];

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		memset(name, 'n', DMA_BUF_NAME_LEN - 1);
		name[DMA_BUF_NAME_LEN - 1] = '\0';
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, name), 0);
		check_name(dmabuf, name);

		memset(name, 'x', DMA_BUF_NAME_LEN);
		name[DMA_BUF_NAME_LEN] = '\0';
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, name), -EINVAL);
		name[DMA_BUF_NAME_LEN - 1] = '\0';
		memset(name, 'n', DMA_BUF_NAME_LEN - 1);
		check_name(dmabuf, name);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BUF_SET_NAME with an unreadable pointer is refused "
		     "with EFAULT.");
	igt_subtest("set-name-bad-pointer") {
		void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		igt_assert(bad != MAP_FAILED);
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, bad), -EFAULT);
		igt_assert_eq(__secbuf_dmabuf_set_name(dmabuf, NULL), -EFAULT);
		munmap(bad, 4096);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("lseek(SEEK_END) gives the buffer size; SEEK_SET 0 is "
		     "allowed; anything else is EINVAL, as for every dma-buf.");
	igt_subtest("lseek") {
		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		igt_assert_eq(lseek(dmabuf, 0, SEEK_END), BUF_SIZE);
		igt_assert_eq(lseek(dmabuf, 0, SEEK_SET), 0);
		igt_assert_eq(lseek(dmabuf, 0, SEEK_CUR), -1);
		igt_assert_eq(errno, EINVAL);
		igt_assert_eq(lseek(dmabuf, 1, SEEK_SET), -1);
		igt_assert_eq(errno, EINVAL);
		errno = 0;
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(fd);
}
