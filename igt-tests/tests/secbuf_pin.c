// SPDX-License-Identifier: MIT
/*
 * secbuf_pin: nothing can pin the pages of a secbuf mapping. The mappings
 * are VM_PFNMAP | VM_IO, so get_user_pages() and pin_user_pages() refuse
 * them, and no page can be held past a revocation.
 *
 * Checked here: O_DIRECT I/O from and into a mapping (on /dev/ram0 of
 * Debian's brd module, which the guests' initramfs carries; the subtests
 * load it when /dev/ram0 is missing and unload it again), long-term pins
 * (io_uring fixed buffers), and after REVOKE: O_DIRECT, plain read(),
 * process_vm_readv/writev, /proc/<pid>/mem and vmsplice all fail with an
 * errno, raise no signal, and the memory is back in the pool at once.
 * Copies by the kernel (read() and write() without O_DIRECT) go through
 * the fault handler and work on a live mapping.
 *
 * The same GUP refusals on a live mapping for process_vm_readv/writev,
 * /proc/<pid>/mem and vmsplice are in secbuf_revoke (gup-*); MAP_PRIVATE
 * is in secbuf_mmap and secbuf_grant.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "igt.h"
#include "igt_secbuf.h"

IGT_TEST_DESCRIPTION("No pinning of secbuf mappings: O_DIRECT I/O and "
		     "io_uring fixed buffers are refused with EFAULT, kernel "
		     "copies still work, and after REVOKE every GUP path fails "
		     "with an errno and nothing holds the memory.");

#define BUF_SIZE	SECBUF_SZ_1M
#define IO_SIZE		(64 << 10)	/* one O_DIRECT transfer */

#define RAMDISK		"/dev/ram0"
#define RAMDISK_PARAMS	"rd_nr=1 rd_size=4096 max_part=0"

static const char *pool;
static int fd = -1;
static bool brd_loaded_here;

/* A buffer of BUF_SIZE from the pool file, filled with @seed, mapped. */
static int alloc_filled(uint64_t seed, char **map)
{
	int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

	*map = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	secbuf_fill(*map, BUF_SIZE, seed);
	return buf;
}

/* Page-aligned anonymous memory, as O_DIRECT and io_uring want it. */
static char *anon_alloc(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

/* ---- The ram disk ----------------------------------------------------- */

static void ramdisk_unload(void)
{
	if (!brd_loaded_here)
		return;
	if (syscall(SYS_delete_module, "brd", O_NONBLOCK))
		igt_warn("rmmod brd: %s\n", strerror(errno));
	brd_loaded_here = false;
}

static void ramdisk_exit_handler(int sig)
{
	(void)sig;
	ramdisk_unload();
}

/*
 * /dev/ram0, opened with @flags: Debian ships brd as a module on both
 * lanes' kernels; load it from /lib/modules/<release>/ (decompressed by
 * scripts/mkinitramfs) unless the disk is already there.
 */
static int ramdisk_open(int flags)
{
	int dev;

	if (access(RAMDISK, F_OK)) {
		char path[256];
		struct utsname u;
		int ret;

		igt_assert_eq(uname(&u), 0);
		snprintf(path, sizeof(path),
			 "/lib/modules/%s/kernel/drivers/block/brd.ko",
			 u.release);
		ret = __secbuf_module_load(path, RAMDISK_PARAMS);
		igt_require_f(ret == 0 || ret == -EEXIST,
			      "no %s and cannot load %s: %s\n", RAMDISK, path,
			      strerror(-ret));
		if (ret == 0) {
			brd_loaded_here = true;
			igt_install_exit_handler(ramdisk_exit_handler);
		}
	}
	dev = open(RAMDISK, flags | O_CLOEXEC);
	igt_assert_f(dev >= 0, "open %s: %s\n", RAMDISK, strerror(errno));
	return dev;
}

/*
 * Write @seed's pattern to the first IO_SIZE bytes of the disk and read it
 * back, both with O_DIRECT through anonymous memory: O_DIRECT works, so a
 * failure with a secbuf mapping is the mapping's.
 */
static void ramdisk_prime(int dev, uint64_t seed)
{
	char *anon = anon_alloc(IO_SIZE);

	secbuf_fill(anon, IO_SIZE, seed);
	igt_assert_eq(pwrite(dev, anon, IO_SIZE, 0), IO_SIZE);
	memset(anon, 0, IO_SIZE);
	igt_assert_eq(pread(dev, anon, IO_SIZE, 0), IO_SIZE);
	secbuf_assert_filled(anon, IO_SIZE, seed);
	igt_assert_eq(munmap(anon, IO_SIZE), 0);
}

/* The first IO_SIZE bytes of the disk still hold @seed's pattern. */
static void ramdisk_assert_filled(int dev, uint64_t seed)
{
	char *anon = anon_alloc(IO_SIZE);

	igt_assert_eq(pread(dev, anon, IO_SIZE, 0), IO_SIZE);
	secbuf_assert_filled(anon, IO_SIZE, seed);
	igt_assert_eq(munmap(anon, IO_SIZE), 0);
}

static void ramdisk_close(int dev)
{
	close(dev);
	ramdisk_unload();
}

/* ---- io_uring, through the raw system calls ----------------------------- */

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup	425
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register	427
#endif

static int io_uring_open(void)
{
	struct io_uring_params p = { 0 };
	int ring = (int)syscall(__NR_io_uring_setup, 1, &p);

	igt_assert_f(ring >= 0, "io_uring_setup: %s\n", strerror(errno));
	return ring;
}

/* IORING_REGISTER_BUFFERS of one buffer: 0 or -errno. */
static int io_uring_register_buffer(int ring, void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	int ret = (int)syscall(__NR_io_uring_register, ring,
			       IORING_REGISTER_BUFFERS, &iov, 1);

	ret = ret < 0 ? -errno : ret;
	errno = 0;
	return ret;
}

static void io_uring_unregister_buffers(int ring)
{
	igt_assert_eq(syscall(__NR_io_uring_register, ring,
			      IORING_UNREGISTER_BUFFERS, NULL, 0), 0);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Live mappings ------------------------------------------------- */

	igt_describe("An O_DIRECT read from a block device (brd's /dev/ram0) "
		     "into a secbuf mapping fails with EFAULT and leaves the "
		     "buffer as it was, while the same read into anonymous "
		     "memory works.");
	igt_subtest("odirect-read-efault") {
		int dev = ramdisk_open(O_RDWR | O_DIRECT);
		char *ptr;
		int buf = alloc_filled(1, &ptr);

		ramdisk_prime(dev, 2);
		igt_assert_eq(pread(dev, ptr, IO_SIZE, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		igt_assert_eq(pread(dev, ptr + BUF_SIZE - 4096, 4096, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		secbuf_assert_filled(ptr, BUF_SIZE, 1);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		ramdisk_close(dev);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An O_DIRECT write from a secbuf mapping to a block "
		     "device fails with EFAULT and the device keeps what it "
		     "had: the pages cannot be handed to a device behind the "
		     "owner's back.");
	igt_subtest("odirect-write-efault") {
		int dev = ramdisk_open(O_RDWR | O_DIRECT);
		char *ptr;
		int buf = alloc_filled(3, &ptr);

		ramdisk_prime(dev, 4);
		igt_assert_eq(pwrite(dev, ptr, IO_SIZE, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		ramdisk_assert_filled(dev, 4);
		secbuf_assert_filled(ptr, BUF_SIZE, 3);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		ramdisk_close(dev);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Without O_DIRECT the kernel copies through the mapping "
		     "(faulting it in, no pin): read() from the disk into a "
		     "secbuf mapping and write() from it both work.");
	igt_subtest("buffered-io-works") {
		int dev = ramdisk_open(O_RDWR);
		int odirect = ramdisk_open(O_RDWR | O_DIRECT);
		char *ptr;
		int buf = alloc_filled(5, &ptr);

		ramdisk_prime(odirect, 6);
		igt_assert_eq(pread(dev, ptr, IO_SIZE, 0), IO_SIZE);
		secbuf_assert_filled(ptr, IO_SIZE, 6);
		secbuf_fill(ptr, IO_SIZE, 7);
		igt_assert_eq(pwrite(dev, ptr, IO_SIZE, 0), IO_SIZE);
		igt_assert_eq(fsync(dev), 0);
		ramdisk_assert_filled(odirect, 7);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(dev);
		ramdisk_close(odirect);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("io_uring cannot register a secbuf mapping as a fixed "
		     "buffer (a long-term pin): IORING_REGISTER_BUFFERS is "
		     "EFAULT, while anonymous memory registers.");
	igt_subtest("io-uring-register-efault") {
		int ring = io_uring_open();
		char *anon = anon_alloc(IO_SIZE);
		char *ptr;
		int buf = alloc_filled(8, &ptr);

		igt_assert_eq(io_uring_register_buffer(ring, anon, IO_SIZE), 0);
		io_uring_unregister_buffers(ring);
		igt_assert_eq(io_uring_register_buffer(ring, ptr, IO_SIZE),
			      -EFAULT);
		igt_assert_eq(io_uring_register_buffer(ring, ptr, BUF_SIZE),
			      -EFAULT);
		secbuf_assert_filled(ptr, BUF_SIZE, 8);

		close(ring);
		munmap(anon, IO_SIZE);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- After a revocation -------------------------------------------- */

	igt_describe("After REVOKE, an O_DIRECT read into the revoked mapping "
		     "fails with EFAULT and raises no signal; the memory is "
		     "already back in the pool.");
	igt_subtest("revoked-odirect-read-efault") {
		int dev = ramdisk_open(O_RDWR | O_DIRECT);
		char *ptr;
		int buf = alloc_filled(9, &ptr);

		ramdisk_prime(dev, 10);
		secbuf_revoke(fd, buf, 0);
		secbuf_pool_assert_idle(pool);
		igt_assert_eq(pread(dev, ptr, IO_SIZE, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		igt_assert_eq(pwrite(dev, ptr, IO_SIZE, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		ramdisk_assert_filled(dev, 10);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		ramdisk_close(dev);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After REVOKE, a kernel copy into or out of the revoked "
		     "mapping (read() and write() without O_DIRECT) fails with "
		     "EFAULT instead of raising SIGBUS in the caller.");
	igt_subtest("revoked-buffered-io-efault") {
		int dev = ramdisk_open(O_RDWR);
		char *ptr;
		int buf = alloc_filled(11, &ptr);

		secbuf_revoke(fd, buf, 0);
		igt_assert_eq(pread(dev, ptr, 4096, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;
		igt_assert_eq(pwrite(dev, ptr + 4096, 4096, 0), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		ramdisk_close(dev);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After REVOKE, process_vm_readv and process_vm_writev "
		     "from another process at the revoked mapping fail with "
		     "EFAULT.");
	igt_subtest("revoked-process-vm-rw-efault") {
		char *ptr;
		int buf = alloc_filled(12, &ptr);
		pid_t parent = getpid();

		secbuf_revoke(fd, buf, 0);
		igt_fork(child, 1) {
			char local[4096];
			struct iovec l = { local, sizeof(local) };
			struct iovec r = { ptr, sizeof(local) };

			igt_assert_eq(process_vm_readv(parent, &l, 1, &r, 1, 0), -1);
			igt_assert_eq(errno, EFAULT);
			memset(local, 0x5a, sizeof(local));
			igt_assert_eq(process_vm_writev(parent, &l, 1, &r, 1, 0), -1);
			igt_assert_eq(errno, EFAULT);
		}
		igt_waitchildren();
		secbuf_assert_sigbus(ptr, false);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After REVOKE, read() and write() of /proc/<pid>/mem at "
		     "the revoked mapping fail with EIO.");
	igt_subtest("revoked-proc-pid-mem-eio") {
		char *ptr;
		int buf = alloc_filled(13, &ptr);
		pid_t parent = getpid();

		secbuf_revoke(fd, buf, 0);
		igt_fork(child, 1) {
			char path[64], local[4096];
			int mem;

			snprintf(path, sizeof(path), "/proc/%d/mem", parent);
			mem = open(path, O_RDWR | O_CLOEXEC);
			igt_assert_fd(mem);
			igt_assert_eq(pread(mem, local, sizeof(local),
					    (off_t)(uintptr_t)ptr), -1);
			igt_assert_eq(errno, EIO);
			memset(local, 0x5a, sizeof(local));
			igt_assert_eq(pwrite(mem, local, sizeof(local),
					     (off_t)(uintptr_t)ptr), -1);
			igt_assert_eq(errno, EIO);
			close(mem);
		}
		igt_waitchildren();

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After REVOKE, vmsplice() of the revoked mapping into a "
		     "pipe fails with EFAULT.");
	igt_subtest("revoked-vmsplice-efault") {
		char *ptr;
		int buf = alloc_filled(14, &ptr);
		struct iovec iov;
		int p[2];

		secbuf_revoke(fd, buf, 0);
		igt_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
		iov = (struct iovec){ ptr, 4096 };
		igt_assert_eq(vmsplice(p[1], &iov, 1, 0), -1);
		igt_assert_eq(errno, EFAULT);
		iov = (struct iovec){ ptr + BUF_SIZE - 4096, 4096 };
		igt_assert_eq(vmsplice(p[1], &iov, 1, SPLICE_F_GIFT), -1);
		igt_assert_eq(errno, EFAULT);
		errno = 0;

		close(p[0]);
		close(p[1]);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}
