// SPDX-License-Identifier: MIT
/*
 * secbuf_mmap: CPU mappings of secbuf dma-bufs, what is allowed and what
 * must be refused.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("mmap of secbuf dma-bufs: coherency between mappings, "
		     "lifetime, and the mappings that must be refused.");

#define BUF_SIZE	SECBUF_SZ_1M

/* mmap() that must fail with @err and leave no mapping. */
static void assert_mmap_fails(int dmabuf, size_t len, off_t offset, int prot,
			      int flags, int err)
{
	void *ptr = mmap(NULL, len, prot, flags, dmabuf, offset);

	igt_assert_f(ptr == MAP_FAILED,
		     "mmap(len %#zx, offset %#jx, prot %#x, flags %#x) succeeded\n",
		     len, (intmax_t)offset, prot, flags);
	igt_assert_eq(errno, err);
	errno = 0;
}

igt_main
{
	const char *pool = NULL;
	size_t page = 0;
	int fd = -1;

	igt_fixture {
		pool = secbuf_pool_name();
		page = secbuf_page_size();
		fd = secbuf_open_pool(pool);
	}

	igt_describe("What is written through a mapping reads back through it "
		     "and through a new mapping made after the first is gone.");
	igt_subtest("write-read") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr;

		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, BUF_SIZE, 1);
		secbuf_assert_filled(ptr, BUF_SIZE, 1);
		secbuf_munmap(ptr, BUF_SIZE);

		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 1);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Two mappings of the same fd are the same memory: each "
		     "sees the other's writes at once.");
	igt_subtest("two-mappings-coherent") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		volatile uint32_t *a, *b;

		a = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		b = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		igt_assert(a != b);

		for (size_t i = 0; i < BUF_SIZE / 4; i += 1021) {
			a[i] = 0xc0de0000 | i;
			igt_assert_eq_u32(b[i], 0xc0de0000 | i);
			b[i] = ~a[i];
			igt_assert_eq_u32(a[i], ~(0xc0de0000 | i));
		}

		secbuf_munmap((void *)a, BUF_SIZE);
		secbuf_munmap((void *)b, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping in another process is the same memory: a child "
		     "maps the fd itself and writes, the parent's mapping sees "
		     "it, and the child sees the parent's earlier writes.");
	igt_subtest("two-processes-coherent") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, BUF_SIZE / 2, 11);

		igt_fork(child, 1) {
			void *cptr;

			/* A fresh mapping, not the one inherited by fork. */
			munmap(ptr, BUF_SIZE);
			cptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
			secbuf_assert_filled(cptr, BUF_SIZE / 2, 11);
			secbuf_fill((char *)cptr + BUF_SIZE / 2, BUF_SIZE / 2, 12);
		}
		igt_waitchildren();

		secbuf_assert_filled(ptr, BUF_SIZE / 2, 11);
		secbuf_assert_filled((char *)ptr + BUF_SIZE / 2, BUF_SIZE / 2, 12);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping at a page offset shows the buffer from that "
		     "offset on.");
	igt_subtest("offset-mapping") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *part;

		secbuf_fill(ptr, BUF_SIZE, 3);
		part = __secbuf_mmap(dmabuf, BUF_SIZE - 3 * page, 3 * page,
				     PROT_READ, MAP_SHARED);
		igt_assert(part);
		igt_assert(!memcmp(part, (char *)ptr + 3 * page, BUF_SIZE - 3 * page));

		/* The last page alone. */
		secbuf_munmap(part, BUF_SIZE - 3 * page);
		part = __secbuf_mmap(dmabuf, page, BUF_SIZE - page, PROT_READ,
				     MAP_SHARED);
		igt_assert(part);
		igt_assert(!memcmp(part, (char *)ptr + BUF_SIZE - page, page));

		secbuf_munmap(part, page);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The last byte of a buffer whose requested size was not "
		     "page aligned is mapped and writable.");
	igt_subtest("last-byte") {
		int dmabuf = secbuf_alloc(fd, page + 1, 0, O_RDWR | O_CLOEXEC);
		volatile char *ptr = secbuf_mmap(dmabuf, 2 * page,
						 PROT_READ | PROT_WRITE);

		igt_assert_eq(ptr[2 * page - 1], 0);
		ptr[2 * page - 1] = 0x5a;
		igt_assert_eq(ptr[2 * page - 1], 0x5a);
		secbuf_munmap((void *)ptr, 2 * page);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping keeps the buffer alive after its fd is closed "
		     "while the owner's pool file stays open: data and pool "
		     "usage stay until munmap.");
	igt_subtest("mapping-outlives-fd") {
		int owner = secbuf_open_pool(pool);
		int dmabuf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, BUF_SIZE, 9);
		close(dmabuf);

		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		secbuf_assert_filled(ptr, BUF_SIZE, 9);
		secbuf_fill(ptr, BUF_SIZE, 10);
		secbuf_assert_filled(ptr, BUF_SIZE, 10);

		secbuf_munmap(ptr, BUF_SIZE);
		secbuf_pool_assert_idle(pool);
		close(owner);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping does not outlive the owner's pool file: once "
		     "it is closed (the buffer's fd already closed) touching "
		     "the mapping raises SIGBUS at the touched address, and "
		     "the pool usage is 0 before the munmap.");
	igt_subtest("mapping-revoked-with-pool-file") {
		int owner = secbuf_open_pool(pool);
		int dmabuf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		char *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, BUF_SIZE, 9);
		close(dmabuf);
		close(owner);

		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(ptr, false);
		secbuf_assert_sigbus(ptr + BUF_SIZE - 8, true);
		secbuf_munmap(ptr, BUF_SIZE);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("MAP_PRIVATE is refused with EINVAL: a private copy of a "
		     "shared buffer makes no sense.");
	igt_subtest("map-private") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		assert_mmap_fails(dmabuf, BUF_SIZE, 0, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE, EINVAL);
		assert_mmap_fails(dmabuf, BUF_SIZE, 0, PROT_READ, MAP_PRIVATE,
				  EINVAL);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An offset at or past the end of the buffer is refused "
		     "with EINVAL.");
	igt_subtest("offset-past-end") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		assert_mmap_fails(dmabuf, page, BUF_SIZE, PROT_READ, MAP_SHARED,
				  EINVAL);
		assert_mmap_fails(dmabuf, page, BUF_SIZE + page, PROT_READ,
				  MAP_SHARED, EINVAL);
		assert_mmap_fails(dmabuf, page, (off_t)1 << 40, PROT_READ,
				  MAP_SHARED, EINVAL);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A length reaching past the end of the buffer is refused "
		     "with EINVAL, from offset 0 and from an offset inside.");
	igt_subtest("length-past-end") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		assert_mmap_fails(dmabuf, BUF_SIZE + page, 0, PROT_READ,
				  MAP_SHARED, EINVAL);
		assert_mmap_fails(dmabuf, BUF_SIZE, page, PROT_READ, MAP_SHARED,
				  EINVAL);
		assert_mmap_fails(dmabuf, 2 * page, BUF_SIZE - page, PROT_READ,
				  MAP_SHARED, EINVAL);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("mremap() growing a mapping is refused with EFAULT "
		     "(VM_DONTEXPAND), with and without MREMAP_MAYMOVE, and the "
		     "original mapping still works.");
	igt_subtest("mremap-grow") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE / 2, PROT_READ | PROT_WRITE);

		igt_assert(mremap(ptr, BUF_SIZE / 2, BUF_SIZE, MREMAP_MAYMOVE) ==
			   MAP_FAILED);
		igt_assert_eq(errno, EFAULT);
		igt_assert(mremap(ptr, BUF_SIZE / 2, BUF_SIZE, 0) == MAP_FAILED);
		igt_assert_eq(errno, EFAULT);
		errno = 0;

		secbuf_fill(ptr, BUF_SIZE / 2, 2);
		secbuf_assert_filled(ptr, BUF_SIZE / 2, 2);
		secbuf_munmap(ptr, BUF_SIZE / 2);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("mremap() shrinking a mapping works and keeps the data "
		     "in the part that is left.");
	igt_subtest("mremap-shrink") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		void *small;

		secbuf_fill(ptr, BUF_SIZE, 4);
		small = mremap(ptr, BUF_SIZE, BUF_SIZE / 4, 0);
		igt_assert(small == ptr);
		secbuf_assert_filled(small, BUF_SIZE / 4, 4);
		secbuf_munmap(small, BUF_SIZE / 4);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A read-only dma-buf fd can be mapped MAP_SHARED with "
		     "PROT_READ (the kernel clears VM_SHARED, not VM_MAYSHARE, "
		     "for such a mapping) and reads the buffer.");
	igt_subtest("rdonly-prot-read") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);

		secbuf_assert_zero(ptr, BUF_SIZE);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A read-only dma-buf fd refuses a PROT_WRITE mapping with "
		     "EACCES.");
	igt_subtest("rdonly-prot-write") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);

		assert_mmap_fails(dmabuf, BUF_SIZE, 0, PROT_READ | PROT_WRITE,
				  MAP_SHARED, EACCES);
		assert_mmap_fails(dmabuf, BUF_SIZE, 0, PROT_WRITE, MAP_SHARED,
				  EACCES);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A read-only mapping of a read-only fd cannot be made "
		     "writable later: mprotect(PROT_WRITE) fails with EACCES.");
	igt_subtest("rdonly-mprotect-write") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);

		igt_assert_eq(mprotect(ptr, BUF_SIZE, PROT_READ | PROT_WRITE), -1);
		igt_assert_eq(errno, EACCES);
		errno = 0;
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(fd);
}
