// SPDX-License-Identifier: MIT
/*
 * secbuf_seal: SECBUF_IOC_SEAL and SECBUF_IOC_GET_SEALS. Seals bind the
 * owner too and are never removed:
 *
 *   SEAL_WRITE   the content is frozen: writable PTEs are zapped and a
 *                write through any mapping raises SIGBUS, reads still work;
 *                a new writable mmap is EPERM, mprotect cannot add
 *                PROT_WRITE to a mapping made after the seal; devices get
 *                no writable mapping (a static import that maps: EPERM;
 *                vgem's maps before 7.0, only attaches on 7.x), a kernel vmap
 *                (vivid, vb2-vmalloc) only a private snapshot whose writes
 *                are lost, and the seal itself is EBUSY while a device or
 *                kernel mapping that can write exists (DMA_BEGIN on a
 *                sealed buffer and SEAL_WRITE during a DMA window are in
 *                secbuf_window);
 *   SEAL_GRANT   GRANT is EPERM;
 *   SEAL_REVOKE  REVOKE is EPERM and closing or killing the owner leaves the
 *                buffer alive until its last fd and mapping go;
 *   SEAL_SEAL    SEAL is EPERM.
 *
 * Who may seal (the owner's pool file only), in which state (not revoked),
 * and who sees the seals (any holder, GET_SEALS and QUERY) are checked
 * here; the argument checks of both ioctls (unknown bits, no seal, struct
 * sizes, bad fds) are in secbuf_uapi.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
/* After igt.h: IGT's linux_scaffold.h must define _AC first. */
#include <linux/videodev2.h>
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"

IGT_TEST_DESCRIPTION("SECBUF_IOC_SEAL and _GET_SEALS: write, grant, revoke "
		     "and seal seals, what each one refuses (SIGBUS, EPERM, "
		     "EBUSY) to the owner, to other processes and to devices, "
		     "who may seal, and who sees the seals.");

#define BUF_SIZE	SECBUF_SZ_1M

#define R	SECBUF_GRANT_READ
#define W	SECBUF_GRANT_WRITE
#define D	SECBUF_GRANT_DMA
#define G	SECBUF_GRANT_REGRANT
#define ALL	SECBUF_GRANT_VALID_RIGHTS

#define S_WRITE		SECBUF_SEAL_WRITE
#define S_GRANT		SECBUF_SEAL_GRANT
#define S_REVOKE	SECBUF_SEAL_REVOKE
#define S_SEAL		SECBUF_SEAL_SEAL

static const char *pool;
static int fd = -1;

/* A buffer of BUF_SIZE from @owner, filled with @seed, and its mapping. */
static int alloc_filled(int owner, uint64_t seed, char **map)
{
	int buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

	*map = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	secbuf_fill(*map, BUF_SIZE, seed);
	return buf;
}

static void assert_mmap_fails(int dmabuf, int prot, int err)
{
	void *ptr = mmap(NULL, BUF_SIZE, prot, MAP_SHARED, dmabuf, 0);

	igt_assert_f(ptr == MAP_FAILED, "mmap(prot %#x) worked\n", prot);
	igt_assert_eq(errno, err);
	errno = 0;
}

static int seal_err(int pool_fd, int buf_fd, uint32_t seals)
{
	return __secbuf_seal(pool_fd, buf_fd, seals, NULL);
}

static int grant_err(int pool_fd, int buf_fd, uint32_t rights)
{
	int out = -1;
	int ret = __secbuf_grant(pool_fd, buf_fd, rights, O_CLOEXEC, &out, NULL);

	if (ret == 0)
		close(out);
	return ret;
}

static void socketpair_seqpacket(int sv[2])
{
	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 sv), 0);
}

static void send_byte(int sock, char c)
{
	igt_assert_eq(write(sock, &c, 1), 1);
}

static char recv_byte(int sock)
{
	char c = 0;

	igt_assert_eq(read(sock, &c, 1), 1);
	return c;
}

/* ---- A write in this very process ------------------------------------- */

static sigjmp_buf write_jmp;
static void *volatile write_fault_addr;

static void write_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	write_fault_addr = si->si_addr;
	siglongjmp(write_jmp, 1);
}

/*
 * Write @addr from this process, not from a forked probe, so that the PTE
 * written through is exactly the one the process had before the seal.
 * Asserts that the write raised SIGBUS at @addr.
 */
static void assert_write_sigbus_here(char *addr)
{
	struct sigaction sa = { .sa_sigaction = write_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction old;
	volatile bool faulted = false;

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);
	write_fault_addr = NULL;
	if (sigsetjmp(write_jmp, 1) == 0)
		*(volatile uint64_t *)addr = 0x5ea1ed;
	else
		faulted = true;
	igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);

	igt_assert_f(faulted, "writing %p in this process worked\n", addr);
	igt_assert_f(write_fault_addr == addr, "SIGBUS at %p, wrote %p\n",
		     write_fault_addr, addr);
}

/* ---- vivid: a V4L2 importer that vmaps (vb2-vmalloc) ------------------- */

/*
 * The first vivid single-planar video capture node, and the size a buffer
 * of its current format needs.
 */
static int vivid_open_capture(uint32_t *sizeimage)
{
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability cap = { 0 };
		struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
		char path[32];
		int v;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		v = open(path, O_RDWR | O_CLOEXEC);
		if (v < 0)
			continue;
		if (__secbuf_ioctl(v, VIDIOC_QUERYCAP, &cap) == 0 &&
		    !strcmp((const char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING)) {
			igt_assert_eq(__secbuf_ioctl(v, VIDIOC_G_FMT, &fmt), 0);
			*sizeimage = fmt.fmt.pix.sizeimage;
			return v;
		}
		close(v);
	}
	igt_require_f(false, "no vivid video capture node in /dev\n");
	return -1;
}

static void vivid_reqbufs(int v, uint32_t count)
{
	struct v4l2_requestbuffers req = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};

	igt_assert_eq(__secbuf_ioctl(v, VIDIOC_REQBUFS, &req), 0);
	if (count)
		igt_assert_lte(1, (int)req.count);
}

static struct v4l2_buffer vivid_buffer(uint32_t index, int dmabuf,
				       uint32_t length)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.length = length,
	};

	b.m.fd = dmabuf;
	return b;
}

/*
 * VIDIOC_PREPARE_BUF of @dmabuf as buffer 0: vb2-vmalloc vmaps it (it does
 * not attach) and keeps the vmap until REQBUFS 0. Returns 0 or -errno.
 */
static int vivid_prepare(int v, int dmabuf, uint32_t length)
{
	struct v4l2_buffer b = vivid_buffer(0, dmabuf, length);

	return __secbuf_ioctl(v, VIDIOC_PREPARE_BUF, &b);
}

/*
 * Capture one frame into one of the two dma-bufs @bufs: queue both
 * (vivid streams with two), stream until a frame is done, dequeue it and
 * stop. Returns the index of the buffer that got the frame.
 */
static int vivid_capture_one(int v, const int bufs[2], uint32_t length)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct pollfd pfd = { .fd = v, .events = POLLIN };
	struct v4l2_buffer b;

	vivid_reqbufs(v, 2);
	for (uint32_t i = 0; i < 2; i++) {
		b = vivid_buffer(i, bufs[i], length);
		igt_assert_eq(__secbuf_ioctl(v, VIDIOC_QBUF, &b), 0);
	}
	igt_assert_eq(__secbuf_ioctl(v, VIDIOC_STREAMON, &type), 0);
	igt_assert_f(poll(&pfd, 1, 30000) == 1, "vivid: no frame in 30 s\n");
	b = vivid_buffer(0, -1, 0);
	igt_assert_eq(__secbuf_ioctl(v, VIDIOC_DQBUF, &b), 0);
	igt_assert_lt((int)b.index, 2);
	igt_assert_lt(0, (int)b.bytesused);
	igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR), "vivid: frame error\n");
	igt_assert_eq(__secbuf_ioctl(v, VIDIOC_STREAMOFF, &type), 0);
	vivid_reqbufs(v, 0);
	return (int)b.index;
}

/* The first @len bytes at @ptr still hold @seed's pattern. */
static bool holds_pattern(const char *ptr, size_t len, uint64_t seed)
{
	char *ref = malloc(len);
	bool same;

	igt_assert(ref);
	secbuf_fill(ref, len, seed);
	same = !memcmp(ptr, ref, len);
	free(ref);
	return same;
}

/* ---- Owner death ------------------------------------------------------ */

/*
 * An owner in a process of its own: it opens its own pool file, allocates
 * a buffer filled with @seed, seals it with @seals, sends its fd over
 * @sock, then waits for 'c' (close the pool file and answer 'k') or for
 * SIGKILL.
 */
static pid_t spawn_sealing_owner(int sock, uint64_t seed, uint32_t seals)
{
	pid_t pid = fork();

	igt_assert(pid >= 0);
	if (pid == 0) {
		struct secbuf_alloc arg = {
			.size = BUF_SIZE,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
		int owner = __secbuf_open_pool(pool);
		char *ptr;

		close(fd);
		if (owner < 0 || __secbuf_alloc_full(owner, &arg))
			_exit(1);
		ptr = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   (int)arg.fd, 0);
		if (ptr == MAP_FAILED)
			_exit(1);
		secbuf_fill(ptr, BUF_SIZE, seed);
		munmap(ptr, BUF_SIZE);
		if (__secbuf_seal(owner, (int)arg.fd, seals, NULL))
			_exit(1);
		secbuf_send_fd(sock, (int)arg.fd);
		close((int)arg.fd);
		if (recv_byte(sock) == 'c') {
			close(owner);
			send_byte(sock, 'k');
		}
		pause();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid, int sig)
{
	int status;

	if (sig)
		kill(pid, sig);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- SEAL_WRITE: CPU mappings ------------------------------------ */

	igt_describe("SEAL_WRITE zaps the writable PTEs every mapping already "
		     "had: a write through the owner's and a grant's writable "
		     "mappings made (and written) before the seal raises "
		     "SIGBUS, in this process and in a forked one; reads still "
		     "work and see the data, and a write after that read "
		     "refault raises SIGBUS too.");
	igt_subtest("seal-write-zaps-writable-mappings") {
		char *own, *g, *ro;
		int buf = alloc_filled(fd, 1, &own);
		int grant = secbuf_grant(fd, buf, R | W, NULL);

		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);
		ro = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		/* Every page of both writable mappings written: PTEs writable. */
		secbuf_fill(g, BUF_SIZE, 1);
		secbuf_assert_filled(ro, BUF_SIZE, 1);

		igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE), S_WRITE);
		assert_write_sigbus_here(own);
		assert_write_sigbus_here(g + BUF_SIZE - 8);
		secbuf_assert_sigbus(own + BUF_SIZE / 2, true);
		secbuf_assert_sigbus(g + 4096, true);

		secbuf_assert_filled(own, BUF_SIZE, 1);
		secbuf_assert_filled(g, BUF_SIZE, 1);
		secbuf_assert_filled(ro, BUF_SIZE, 1);
		/* The pages are mapped again, read-only: writes still fail. */
		assert_write_sigbus_here(own + 4096);
		assert_write_sigbus_here(g);
		secbuf_assert_sigbus(own, true);
		secbuf_assert_filled(own, BUF_SIZE, 1);

		secbuf_munmap(own, BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		secbuf_munmap(ro, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A process that received the buffer over a unix socket "
		     "and wrote through its own mapping gets SIGBUS on its next "
		     "write once the owner seals, reads its data back, cannot "
		     "map the buffer writable again (EPERM) and sees the seal "
		     "with GET_SEALS on its own pool file.");
	igt_subtest("seal-write-other-process") {
		int sv[2], buf;
		char *own;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int got = secbuf_recv_fd(sv[1]);
			char *p = secbuf_mmap(got, BUF_SIZE,
					      PROT_READ | PROT_WRITE);

			secbuf_assert_filled(p, BUF_SIZE / 2, 2);
			secbuf_fill(p + BUF_SIZE / 2, BUF_SIZE / 2, 3);
			send_byte(sv[1], 'w');
			igt_assert_eq(recv_byte(sv[1]), 's');

			secbuf_assert_sigbus(p, true);
			secbuf_assert_sigbus(p + BUF_SIZE / 2, true);
			secbuf_assert_filled(p, BUF_SIZE / 2, 2);
			secbuf_assert_filled(p + BUF_SIZE / 2, BUF_SIZE / 2, 3);
			assert_mmap_fails(got, PROT_READ | PROT_WRITE, EPERM);
			igt_assert_eq_u32(secbuf_get_seals(mine, got), S_WRITE);
			secbuf_munmap(p, BUF_SIZE);
			close(got);
			close(mine);
		}
		close(sv[1]);
		buf = alloc_filled(fd, 2, &own);
		secbuf_send_fd(sv[0], buf);
		igt_assert_eq(recv_byte(sv[0]), 'w');
		secbuf_seal(fd, buf, S_WRITE);
		send_byte(sv[0], 's');
		igt_waitchildren();

		secbuf_assert_filled(own + BUF_SIZE / 2, BUF_SIZE / 2, 3);
		secbuf_munmap(own, BUF_SIZE);
		close(sv[0]);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After SEAL_WRITE a new writable mmap (PROT_READ | "
		     "PROT_WRITE or PROT_WRITE) is EPERM, through the owner's "
		     "fd and through a grant with WRITE made before the seal, "
		     "and leaves nothing behind.");
	igt_subtest("seal-write-writable-mmap-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R | W, NULL);
		struct secbuf_grant_info info;
		struct secbuf_snapshot snap;

		secbuf_seal(fd, buf, S_WRITE);
		secbuf_snapshot(&snap, pool);
		assert_mmap_fails(buf, PROT_READ | PROT_WRITE, EPERM);
		assert_mmap_fails(buf, PROT_WRITE, EPERM);
		assert_mmap_fails(grant, PROT_READ | PROT_WRITE, EPERM);
		assert_mmap_fails(grant, PROT_WRITE, EPERM);
		secbuf_assert_unchanged(&snap);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, &info, 1), 1);
		igt_assert_eq_u32(info.mappings, 0);

		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After SEAL_WRITE a read-only mmap works, through the "
		     "owner's fd and a grant, and shows the data written before "
		     "the seal.");
	igt_subtest("seal-write-readonly-mmap") {
		char *own, *a, *g;
		int buf = alloc_filled(fd, 4, &own);
		int grant = secbuf_grant(fd, buf, R | W, NULL);

		secbuf_munmap(own, BUF_SIZE);
		secbuf_seal(fd, buf, S_WRITE);
		a = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(a, BUF_SIZE, 4);
		secbuf_assert_filled(g, BUF_SIZE, 4);

		secbuf_munmap(a, BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("mprotect() cannot add PROT_WRITE to a read-only mapping "
		     "made after SEAL_WRITE (EACCES, as for any mapping that "
		     "may never write), through the owner's fd or a grant with "
		     "WRITE; the mapping stays readable.");
	igt_subtest("seal-write-mprotect-eacces") {
		char *own, *a, *g;
		int buf = alloc_filled(fd, 5, &own);
		int grant = secbuf_grant(fd, buf, R | W, NULL);

		secbuf_munmap(own, BUF_SIZE);
		secbuf_seal(fd, buf, S_WRITE);
		a = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ);
		igt_assert_eq(mprotect(a, BUF_SIZE, PROT_READ | PROT_WRITE), -1);
		igt_assert_eq(errno, EACCES);
		igt_assert_eq(mprotect(g, 4096, PROT_READ | PROT_WRITE), -1);
		igt_assert_eq(errno, EACCES);
		errno = 0;
		secbuf_assert_filled(a, BUF_SIZE, 5);
		secbuf_assert_filled(g, BUF_SIZE, 5);

		secbuf_munmap(a, BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A read-only mapping made before SEAL_WRITE may or may "
		     "not be made writable by mprotect() afterwards, but a "
		     "write through it raises SIGBUS either way and the data "
		     "is unchanged.");
	igt_subtest("seal-write-old-mapping-mprotect") {
		char *own, *ro;
		int buf = alloc_filled(fd, 6, &own);

		ro = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ro, BUF_SIZE, 6);
		secbuf_munmap(own, BUF_SIZE);
		secbuf_seal(fd, buf, S_WRITE);

		if (mprotect(ro, BUF_SIZE, PROT_READ | PROT_WRITE) == 0) {
			assert_write_sigbus_here(ro);
			secbuf_assert_sigbus(ro + BUF_SIZE - 8, true);
		} else {
			igt_assert_eq(errno, EACCES);
			errno = 0;
		}
		secbuf_assert_filled(ro, BUF_SIZE, 6);

		secbuf_munmap(ro, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A write-sealed buffer can still be revoked (no "
		     "SEAL_REVOKE): reads through its mapping then raise SIGBUS "
		     "and the memory goes back to the pool.");
	igt_subtest("seal-write-revoke-works") {
		char *own;
		int buf = alloc_filled(fd, 7, &own);

		secbuf_seal(fd, buf, S_WRITE | S_GRANT);
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		secbuf_assert_sigbus(own, false);
		secbuf_pool_assert_idle(pool);

		secbuf_munmap(own, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- SEAL_WRITE: devices and the kernel --------------------------- */

	igt_describe("A static importer that maps a buffer bidirectionally "
		     "cannot import it once write-sealed: EPERM, through the "
		     "owner's fd and through a grant with DMA and WRITE "
		     "(without WRITE it is EACCES, sealed or not); nothing "
		     "stays attached. Before 7.0 that importer is vgem, whose "
		     "PRIME import maps at attach. On 7.x vgem's import only "
		     "attaches, which a write seal allows: it must succeed "
		     "through both (an attachment, gone with the handle), and "
		     "the test importer's static import, which maps, must be "
		     "EPERM.");
	igt_subtest("seal-write-vgem-import-eperm") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R | W | D, NULL);
		struct secbuf_grant_info info;
		struct secbuf_mapped_import imp;

		secbuf_seal(fd, buf, S_WRITE);
		if (!secbuf_vgem_import_maps()) {
			/* 7.x: an attachment without a mapping. */
			uint32_t h1 = prime_fd_to_handle(vgem, buf);
			uint32_t h2 = prime_fd_to_handle(vgem, grant);

			igt_assert_eq_u32(secbuf_grant_list(fd, buf, &info, 1), 1);
			igt_assert_eq_u32(info.attachments, 1);
			gem_close(vgem, h1);
			gem_close(vgem, h2);
		}
		/* vgem before 7.0, the test importer's static import on 7.x. */
		igt_assert_eq(__secbuf_mapped_import(buf, &imp), -EPERM);
		igt_assert_eq(__secbuf_mapped_import(grant, &imp), -EPERM);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, &info, 1), 1);
		igt_assert_eq_u32(info.attachments, 0);

		close(grant);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SEAL_WRITE while a device write is still under way is "
		     "EBUSY even when the importer no longer maps the buffer "
		     "(a vgem write fence left on it after vgem let go of the "
		     "import); once the fence signals, the seal is taken.");
	igt_subtest("seal-write-pending-write-fence-ebusy") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint32_t handle = prime_fd_to_handle(vgem, buf);
		uint32_t fence = vgem_fence_attach(vgem,
						   &(struct vgem_bo){ .handle = handle },
						   VGEM_FENCE_WRITE);

		gem_close(vgem, handle);
		igt_assert_eq(seal_err(fd, buf, S_WRITE), -EBUSY);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);
		vgem_fence_signal(vgem, fence);
		secbuf_seal(fd, buf, S_WRITE);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), S_WRITE);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SEAL_WRITE while a static importer maps the owner's fd "
		     "is EBUSY and adds no seal, not even the others asked for "
		     "in the same call; SEAL_GRANT alone works; once the "
		     "importer lets go, SEAL_WRITE works. Before 7.0 that "
		     "importer is vgem, whose import maps. On 7.x vgem's "
		     "import only attaches, no device writer: SEAL_WRITE with "
		     "it present must succeed, and the EBUSY is checked with "
		     "the test importer's static import, which maps.");
	igt_subtest("seal-write-vgem-imported-ebusy") {
		int vgem = secbuf_open_vgem();
		struct secbuf_mapped_import imp;
		int buf;

		if (!secbuf_vgem_import_maps()) {
			uint32_t handle;

			buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			handle = prime_fd_to_handle(vgem, buf);
			igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE | S_REVOKE),
					  S_WRITE | S_REVOKE);
			gem_close(vgem, handle);
			close(buf);
			secbuf_pool_assert_idle(pool);
		}

		/* vgem before 7.0, the test importer's static import on 7.x. */
		buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		secbuf_mapped_import(buf, &imp);
		igt_assert_eq(seal_err(fd, buf, S_WRITE), -EBUSY);
		igt_assert_eq(seal_err(fd, buf, S_WRITE | S_REVOKE), -EBUSY);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_GRANT), S_GRANT);
		igt_assert_eq(seal_err(fd, buf, S_WRITE), -EBUSY);

		secbuf_mapped_import_release(&imp);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE),
				  S_WRITE | S_GRANT);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SEAL_WRITE while a static importer maps the buffer "
		     "through a grant with DMA is EBUSY too: a device mapping "
		     "made through any handle of the buffer blocks it. Before "
		     "7.0 that importer is vgem. On 7.x vgem's import only "
		     "attaches: SEAL_WRITE with it present must succeed, and "
		     "the EBUSY is checked with the test importer's static "
		     "import, which maps.");
	igt_subtest("seal-write-vgem-imported-grant-ebusy") {
		int vgem = secbuf_open_vgem();
		struct secbuf_mapped_import imp;
		int buf, grant;

		if (!secbuf_vgem_import_maps()) {
			uint32_t handle;

			buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			grant = secbuf_grant(fd, buf, W | D, NULL);
			handle = prime_fd_to_handle(vgem, grant);
			igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE), S_WRITE);
			gem_close(vgem, handle);
			close(grant);
			close(buf);
			secbuf_pool_assert_idle(pool);
		}

		/* vgem before 7.0, the test importer's static import on 7.x. */
		buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		grant = secbuf_grant(fd, buf, W | D, NULL);
		secbuf_mapped_import(grant, &imp);
		igt_assert_eq(seal_err(fd, buf, S_WRITE), -EBUSY);
		igt_assert_eq(seal_err(fd, grant, S_WRITE), -EBUSY);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);

		secbuf_mapped_import_release(&imp);
		secbuf_seal(fd, buf, S_WRITE);
		close(grant);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A kernel vmap of a write-sealed buffer is a private "
		     "snapshot: vivid (vb2-vmalloc) takes two sealed buffers "
		     "and captures a frame, but both keep their data, while an "
		     "unsealed buffer captured the same way gets the frame.");
	igt_subtest("seal-write-vivid-capture-lost") {
		uint32_t sizeimage = 0;
		int v = vivid_open_capture(&sizeimage);
		int sealed[2], open_bufs[2], got;
		char *map[2];

		igt_assert_lte_u64(sizeimage, BUF_SIZE);
		for (int i = 0; i < 2; i++) {
			sealed[i] = alloc_filled(fd, 30 + i, &map[i]);
			secbuf_munmap(map[i], BUF_SIZE);
			secbuf_seal(fd, sealed[i], S_WRITE);
		}
		vivid_capture_one(v, sealed, BUF_SIZE);
		for (int i = 0; i < 2; i++) {
			map[i] = secbuf_mmap(sealed[i], BUF_SIZE, PROT_READ);
			secbuf_assert_filled(map[i], BUF_SIZE, 30 + i);
			secbuf_munmap(map[i], BUF_SIZE);
		}

		/* The control: without the seal the frame lands. */
		for (int i = 0; i < 2; i++)
			open_bufs[i] = alloc_filled(fd, 32 + i, &map[i]);
		got = vivid_capture_one(v, open_bufs, BUF_SIZE);
		igt_assert_f(!holds_pattern(map[got], sizeimage, 32 + got),
			     "vivid captured nothing into an unsealed buffer\n");

		for (int i = 0; i < 2; i++) {
			secbuf_munmap(map[i], BUF_SIZE);
			close(open_bufs[i]);
			close(sealed[i]);
		}
		close(v);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SEAL_WRITE while vivid holds a kernel mapping of the "
		     "buffer (vb2-vmalloc's vmap, from VIDIOC_PREPARE_BUF) is "
		     "EBUSY; after REQBUFS 0 releases it, the seal works.");
	igt_subtest("seal-write-vivid-held-ebusy") {
		uint32_t sizeimage = 0;
		int v = vivid_open_capture(&sizeimage);
		int buf;

		igt_assert_lte_u64(sizeimage, BUF_SIZE);
		buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		vivid_reqbufs(v, 1);
		igt_assert_eq(vivid_prepare(v, buf, BUF_SIZE), 0);
		igt_assert_eq(seal_err(fd, buf, S_WRITE), -EBUSY);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);

		vivid_reqbufs(v, 0);
		secbuf_seal(fd, buf, S_WRITE);
		close(v);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- SEAL_GRANT ---------------------------------------------------- */

	igt_describe("After SEAL_GRANT, GRANT is EPERM from the owner's fd and "
		     "from a grant with REGRANT made before the seal, in this "
		     "and in another process, bound to a pidfd or not, leaving "
		     "no fd; the grants made before keep working and can still "
		     "be revoked one by one.");
	igt_subtest("seal-grant-eperm") {
		char *own, *p;
		int buf = alloc_filled(fd, 9, &own);
		uint64_t id;
		int old = secbuf_grant(fd, buf, R | G, &id);
		int pidfd = secbuf_pidfd_open(getpid());
		struct secbuf_snapshot snap;
		int out = -1;

		igt_assert_eq_u32(secbuf_seal(fd, buf, S_GRANT), S_GRANT);
		secbuf_snapshot(&snap, pool);
		igt_assert_eq(grant_err(fd, buf, R), -EPERM);
		igt_assert_eq(grant_err(fd, buf, ALL), -EPERM);
		igt_assert_eq(grant_err(fd, old, R), -EPERM);
		igt_assert_eq(__secbuf_grant_pidfd(fd, buf, R, pidfd, O_CLOEXEC,
						   &out, NULL), -EPERM);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);

			igt_assert_eq(grant_err(mine, old, R), -EPERM);
			close(mine);
		}
		igt_waitchildren();
		secbuf_assert_unchanged(&snap);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, NULL, 0), 1);

		p = secbuf_mmap(old, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(p, BUF_SIZE, 9);
		secbuf_revoke(fd, buf, id);
		secbuf_assert_sigbus(p, false);
		secbuf_assert_filled(own, BUF_SIZE, 9);

		secbuf_munmap(p, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(pidfd);
		close(old);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- SEAL_REVOKE --------------------------------------------------- */

	igt_describe("After SEAL_REVOKE, REVOKE of the whole buffer and of one "
		     "grant is EPERM, named through the owner's fd or the "
		     "grant's; every mapping keeps working and QUERY shows the "
		     "buffer and the grant live.");
	igt_subtest("seal-revoke-eperm") {
		char *own, *g;
		int buf = alloc_filled(fd, 10, &own);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, R | W, &id);
		struct secbuf_query q;

		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_REVOKE), S_REVOKE);
		igt_assert_eq(__secbuf_revoke(fd, buf, 0, NULL), -EPERM);
		igt_assert_eq(__secbuf_revoke(fd, buf, id, NULL), -EPERM);
		igt_assert_eq(__secbuf_revoke(fd, grant, id, NULL), -EPERM);
		igt_assert_eq(__secbuf_revoke(fd, grant, 0, NULL), -EPERM);

		secbuf_assert_filled(g, BUF_SIZE, 10);
		secbuf_fill(g, BUF_SIZE, 11);
		secbuf_assert_filled(own, BUF_SIZE, 11);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.seals, S_REVOKE);

		secbuf_munmap(g, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Closing the owner's pool file does not revoke a buffer "
		     "sealed with SEAL_REVOKE: its mappings (owner's fd and "
		     "grant) keep reading and writing, a new mmap works, QUERY "
		     "shows it live and the pool still counts it; the usage "
		     "goes back to 0 only when the last fd and the last "
		     "mapping are gone.");
	igt_subtest("seal-revoke-owner-close") {
		int owner = secbuf_open_pool(pool);
		char *own, *g, *again;
		int buf = alloc_filled(owner, 12, &own);
		int grant = secbuf_grant(owner, buf, R | W, NULL);
		struct secbuf_query q;

		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_seal(owner, buf, S_REVOKE);
		close(owner);

		secbuf_assert_filled(own, BUF_SIZE, 12);
		secbuf_assert_filled(g, BUF_SIZE, 12);
		secbuf_fill(g, BUF_SIZE / 2, 13);
		secbuf_assert_filled(own, BUF_SIZE / 2, 13);
		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.seals, S_REVOKE);
		again = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(again, BUF_SIZE / 2, 13);
		secbuf_munmap(again, BUF_SIZE);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		/* Fds first, then one mapping after the other. */
		close(buf);
		close(grant);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		secbuf_assert_filled(own, BUF_SIZE / 2, 13);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer sealed with SEAL_REVOKE survives SIGKILL of the "
		     "owner process: the receiver's mapping keeps its data and "
		     "the memory goes back only when the receiver lets go.");
	igt_subtest("seal-revoke-owner-killed") {
		int sv[2], buf;
		pid_t owner;
		char *ptr;

		socketpair_seqpacket(sv);
		owner = spawn_sealing_owner(sv[1], 14, S_REVOKE);
		close(sv[1]);
		buf = secbuf_recv_fd(sv[0]);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(ptr, BUF_SIZE, 14);

		reap(owner, SIGKILL);
		secbuf_assert_filled(ptr, BUF_SIZE, 14);
		secbuf_fill(ptr, BUF_SIZE, 15);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		close(buf);
		secbuf_assert_filled(ptr, BUF_SIZE, 15);
		secbuf_munmap(ptr, BUF_SIZE);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Without SEAL_REVOKE (other seals do not count), closing "
		     "the owner's pool file still revokes the buffer: the "
		     "mapping raises SIGBUS.");
	igt_subtest("seal-others-owner-close-revokes") {
		int sv[2], buf;
		pid_t owner;
		char *ptr;

		socketpair_seqpacket(sv);
		owner = spawn_sealing_owner(sv[1], 16, S_WRITE | S_GRANT | S_SEAL);
		close(sv[1]);
		buf = secbuf_recv_fd(sv[0]);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 16);

		send_byte(sv[0], 'c');
		igt_assert_eq(recv_byte(sv[0]), 'k');
		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(ptr, false);

		reap(owner, SIGKILL);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- SEAL_SEAL, accumulation, who sees the seals ------------------ */

	igt_describe("After SEAL_SEAL every further SEAL is EPERM, whatever it "
		     "asks for (each seal, SEAL_SEAL again, all of them), and "
		     "the seals stay as they were.");
	igt_subtest("seal-seal-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		static const uint32_t asks[] = {
			S_WRITE, S_GRANT, S_REVOKE, S_SEAL,
			SECBUF_SEAL_VALID_SEALS,
		};

		igt_assert_eq_u32(secbuf_seal(fd, buf, S_GRANT | S_SEAL),
				  S_GRANT | S_SEAL);
		for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++)
			igt_assert_eq(seal_err(fd, buf, asks[i]), -EPERM);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), S_GRANT | S_SEAL);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Seals accumulate: each SEAL returns every seal so far; "
		     "asking again for a seal the buffer has works and changes "
		     "nothing; GET_SEALS and QUERY report the same set through "
		     "the owner's fd and through a grant.");
	igt_subtest("seal-accumulate") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R, NULL);
		struct secbuf_query q;

		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_GRANT), S_GRANT);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE),
				  S_GRANT | S_WRITE);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_WRITE),
				  S_GRANT | S_WRITE);
		igt_assert_eq_u32(secbuf_seal(fd, grant, S_REVOKE),
				  S_GRANT | S_WRITE | S_REVOKE);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf),
				  S_GRANT | S_WRITE | S_REVOKE);
		igt_assert_eq_u32(secbuf_get_seals(fd, grant),
				  S_GRANT | S_WRITE | S_REVOKE);
		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.seals, S_GRANT | S_WRITE | S_REVOKE);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.seals, S_GRANT | S_WRITE | S_REVOKE);
		igt_assert_eq_u32(secbuf_seal(fd, buf, S_SEAL),
				  SECBUF_SEAL_VALID_SEALS);
		igt_assert_eq_u32(secbuf_get_seals(fd, buf),
				  SECBUF_SEAL_VALID_SEALS);

		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Any holder sees the seals: a process with a pool file of "
		     "its own that received only a read grant, or the owner's "
		     "fd, over a unix socket gets them from GET_SEALS and "
		     "QUERY.");
	igt_subtest("seal-get-seals-any-holder") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R, NULL);
		int sv[2];

		secbuf_seal(fd, buf, S_WRITE | S_GRANT);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int g = secbuf_recv_fd(sv[1]);
			int b = secbuf_recv_fd(sv[1]);
			struct secbuf_query q;

			igt_assert_eq_u32(secbuf_get_seals(mine, g),
					  S_WRITE | S_GRANT);
			secbuf_query(mine, g, &q);
			igt_assert_eq_u32(q.seals, S_WRITE | S_GRANT);
			igt_assert_eq_u32(q.rights, R);
			igt_assert_eq_u32(secbuf_get_seals(mine, b),
					  S_WRITE | S_GRANT);
			close(g);
			close(b);
			close(mine);
		}
		close(sv[1]);
		secbuf_send_fd(sv[0], grant);
		secbuf_send_fd(sv[0], buf);
		igt_waitchildren();

		close(sv[0]);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Who may seal, and when --------------------------------------- */

	igt_describe("SEAL by a pool file that does not own the buffer is "
		     "EPERM: another pool file of this process, and another "
		     "process with its own pool file that received the owner's "
		     "fd and a grant with every right over a unix socket; no "
		     "seal is added.");
	igt_subtest("seal-non-owner-eperm") {
		int other = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, ALL, NULL);
		int sv[2];

		igt_assert_eq(seal_err(other, buf, S_WRITE), -EPERM);
		igt_assert_eq(seal_err(other, grant, S_GRANT), -EPERM);
		igt_assert_eq(seal_err(other, buf, SECBUF_SEAL_VALID_SEALS),
			      -EPERM);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int b = secbuf_recv_fd(sv[1]);
			int g = secbuf_recv_fd(sv[1]);

			igt_assert_eq(seal_err(mine, b, S_WRITE), -EPERM);
			igt_assert_eq(seal_err(mine, b, S_SEAL), -EPERM);
			igt_assert_eq(seal_err(mine, g, S_REVOKE), -EPERM);
			close(b);
			close(g);
			close(mine);
		}
		close(sv[1]);
		secbuf_send_fd(sv[0], buf);
		secbuf_send_fd(sv[0], grant);
		igt_waitchildren();
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), 0);

		close(sv[0]);
		close(other);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A forked child that inherited the owner's pool file is "
		     "the owner: its SEAL works and the parent sees the seals.");
	igt_subtest("seal-forked-owner") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		igt_fork(child, 1)
			igt_assert_eq_u32(secbuf_seal(fd, buf, S_GRANT | S_REVOKE),
					  S_GRANT | S_REVOKE);
		igt_waitchildren();
		igt_assert_eq_u32(secbuf_get_seals(fd, buf), S_GRANT | S_REVOKE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A /dev/dma_heap/<pool> buffer has no managing owner: "
		     "SEAL through a /dev/secbuf pool file is EPERM; GET_SEALS "
		     "reports none.");
	igt_subtest("seal-heap-buffer-eperm") {
		int heap = secbuf_open_heap(pool);
		int buf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		int ret = seal_err(fd, buf, S_WRITE);
		uint32_t seals = ~0u;
		int get = __secbuf_get_seals(fd, buf, &seals);

		close(buf);
		close(heap);
		secbuf_pool_assert_idle(pool);
		igt_assert_eq(ret, -EPERM);
		igt_assert_eq(get, 0);
		igt_assert_eq_u32(seals, 0);
	}

	igt_describe("SEAL of a revoked buffer is ENODEV for every seal, "
		     "named through the owner's fd or a grant's.");
	igt_subtest("seal-revoked-enodev") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R, NULL);
		static const uint32_t asks[] = {
			S_WRITE, S_GRANT, S_REVOKE, S_SEAL,
			SECBUF_SEAL_VALID_SEALS,
		};

		secbuf_revoke(fd, buf, 0);
		for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
			igt_assert_eq(seal_err(fd, buf, asks[i]), -ENODEV);
			igt_assert_eq(seal_err(fd, grant, asks[i]), -ENODEV);
		}
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}
