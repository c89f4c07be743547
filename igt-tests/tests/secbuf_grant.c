// SPDX-License-Identifier: MIT
/*
 * secbuf_grant: handles with restricted rights (SECBUF_IOC_GRANT), what
 * each right allows, who may derive them, and SECBUF_IOC_GRANT_LIST and
 * SECBUF_IOC_QUERY.
 *
 * Also:
 * - grants bound to one process with SECBUF_GRANT_PIDFD: the bound process
 *   maps and imports them, any other (the parent holding the fd, a sibling
 *   that received it, a forked child) gets EACCES; GRANT_LIST shows the
 *   pid; grants derived from a bound grant stay bound, and binding one to
 *   another process is EPERM; a bound mapping is not inherited by fork
 *   (the child's range is unmapped: SIGSEGV). The errnos of the pidfd
 *   field itself are in secbuf_uapi.
 * - fork and MAP_PRIVATE: a grant refuses MAP_PRIVATE (EINVAL) as the
 *   owner's fd does (secbuf_mmap@map-private); a MAP_SHARED mapping of the
 *   owner's fd or of an unbound grant inherited over fork works in the
 *   child, and after REVOKE parent and child both get SIGBUS.
 * - every management ioctl is the owner's: REVOKE, GRANT and GRANT_LIST by
 *   a process that received the fds over a unix socket are EPERM (by
 *   another pool file: grant-non-owner-eperm and secbuf_revoke; SEAL:
 *   secbuf_seal@seal-non-owner-eperm; DMA_BEGIN and DMA_END:
 *   secbuf_window@begin-not-owner-eperm and @end-not-owner-eperm).
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"

IGT_TEST_DESCRIPTION("SECBUF_IOC_GRANT, _GRANT_LIST and _QUERY: grants are "
		     "the same memory with narrower rights (READ, WRITE, DMA, "
		     "REGRANT), rights only narrow, only the owner lists and "
		     "grants freely, and every invalid argument's errno.");

#define BUF_SIZE	SECBUF_SZ_1M

#define R	SECBUF_GRANT_READ
#define W	SECBUF_GRANT_WRITE
#define D	SECBUF_GRANT_DMA
#define G	SECBUF_GRANT_REGRANT
#define ALL	SECBUF_GRANT_VALID_RIGHTS

static const char *pool;
static int fd = -1;

static int grant_err(int pool_fd, int buf_fd, uint32_t rights)
{
	int out = -1;
	int ret = __secbuf_grant(pool_fd, buf_fd, rights, O_CLOEXEC, &out, NULL);

	if (ret == 0)
		close(out);
	return ret;
}

static int list_err(int pool_fd, int buf_fd)
{
	struct secbuf_grant_list arg = { .buf_fd = (uint32_t)buf_fd };

	return __secbuf_grant_list(pool_fd, &arg);
}

static void assert_mmap_fails(int dmabuf, int prot, int err)
{
	void *ptr = mmap(NULL, BUF_SIZE, prot, MAP_SHARED, dmabuf, 0);

	igt_assert_f(ptr == MAP_FAILED, "mmap(prot %#x) worked\n", prot);
	igt_assert_eq(errno, err);
	errno = 0;
}

/* A grant call with one field broken must fail with @err, leave no fd. */
static void grant_invalid(struct secbuf_grant arg, int err)
{
	struct secbuf_snapshot snap;

	secbuf_snapshot(&snap, pool);
	igt_assert_eq(__secbuf_grant_full(fd, &arg), err);
	secbuf_assert_unchanged(&snap);
}

static uint64_t inode_of(int f)
{
	struct stat st;

	igt_assert_eq(fstat(f, &st), 0);
	return st.st_ino;
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

/* A child tells its pid over a SOCK_SEQPACKET socket, one record. */
static void send_pid(int sock)
{
	pid_t pid = getpid();

	igt_assert_eq(write(sock, &pid, sizeof(pid)), (ssize_t)sizeof(pid));
}

static pid_t recv_pid(int sock)
{
	pid_t pid = 0;

	igt_assert_eq(read(sock, &pid, sizeof(pid)), (ssize_t)sizeof(pid));
	igt_assert_lt(0, pid);
	return pid;
}

/* The PRIME import of @dmabuf by a fresh vgem file: 0 or -errno. */
static int vgem_import_err(int dmabuf)
{
	int vgem = secbuf_open_vgem();
	uint32_t handle = 0;
	int ret = __secbuf_prime_fd_to_handle(vgem, dmabuf, &handle);

	if (ret == 0)
		gem_close(vgem, handle);
	close(vgem);
	return ret;
}

static void assert_map_private_fails(int dmabuf, int prot)
{
	void *ptr = mmap(NULL, BUF_SIZE, prot, MAP_PRIVATE, dmabuf, 0);

	igt_assert_f(ptr == MAP_FAILED, "MAP_PRIVATE (prot %#x) worked\n",
		     prot);
	igt_assert_eq(errno, EINVAL);
	errno = 0;
}

/* The entry of @grant_id in the buffer's GRANT_LIST. */
static struct secbuf_grant_info list_entry(int buf, uint64_t grant_id)
{
	struct secbuf_grant_info info[8];
	uint32_t n = secbuf_grant_list(fd, buf, info, 8);

	for (uint32_t i = 0; i < n && i < 8; i++)
		if (info[i].grant_id == grant_id)
			return info[i];
	igt_assert_f(false, "grant %" PRIu64 " not listed\n", grant_id);
	return info[0];
}

/*
 * Run @body in another process that has a pool file of its own and gets
 * the owner's fd @buf and the grant @grant (with every right, id
 * @grant_id) only over a unix socket: SCM_RIGHTS, as a peer would.
 */
static void in_receiver(int buf, int grant, uint64_t grant_id,
			void (*body)(int mine, int buf, int grant,
				     uint64_t grant_id))
{
	int sv[2];

	socketpair_seqpacket(sv);
	igt_fork(child, 1) {
		int mine = secbuf_open_pool(pool);
		int b = secbuf_recv_fd(sv[1]);
		int g = secbuf_recv_fd(sv[1]);

		close(sv[0]);
		body(mine, b, g, grant_id);
		close(b);
		close(g);
		close(mine);
	}
	close(sv[1]);
	secbuf_send_fd(sv[0], buf);
	secbuf_send_fd(sv[0], grant);
	igt_waitchildren();
	close(sv[0]);
}

static void received_revoke(int mine, int b, int g, uint64_t id)
{
	igt_assert_eq(__secbuf_revoke(mine, b, 0, NULL), -EPERM);
	igt_assert_eq(__secbuf_revoke(mine, b, id, NULL), -EPERM);
	igt_assert_eq(__secbuf_revoke(mine, g, id, NULL), -EPERM);
	igt_assert_eq(__secbuf_revoke(mine, g, 0, NULL), -EPERM);
}

static void received_grant(int mine, int b, int g, uint64_t id)
{
	(void)id;
	/* The owner's own fd is not a grant: no REGRANT to lean on. */
	igt_assert_eq(grant_err(mine, b, R), -EPERM);
	igt_assert_eq(grant_err(mine, b, ALL), -EPERM);
	/* The grant has REGRANT, but never wider than itself. */
	igt_assert_eq(grant_err(mine, g, R), 0);
}

static void received_grant_list(int mine, int b, int g, uint64_t id)
{
	(void)id;
	igt_assert_eq(list_err(mine, b), -EPERM);
	igt_assert_eq(list_err(mine, g), -EPERM);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- What a grant is -------------------------------------------- */

	igt_describe("GRANT gives, for every set of rights, a new handle whose "
		     "QUERY shows those rights, a nonzero grant id unique in "
		     "the buffer, the buffer's size and id, live state; the "
		     "owner's fd shows every right and grant id 0.");
	igt_subtest("grant-query-rights") {
		struct secbuf_alloc arg = { .size = BUF_SIZE,
					    .fd_flags = O_RDWR | O_CLOEXEC };
		int buf = secbuf_alloc_full(fd, &arg);
		uint64_t ids[16];
		struct secbuf_query q;

		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.rights, ALL);
		igt_assert_eq_u64(q.grant_id, 0);
		igt_assert_eq_u64(q.id, arg.id);

		for (uint32_t rights = 0; rights <= ALL; rights++) {
			int grant = secbuf_grant(fd, buf, rights, &ids[rights]);

			igt_assert_neq_u64(ids[rights], 0);
			for (uint32_t j = 0; j < rights; j++)
				igt_assert_neq_u64(ids[j], ids[rights]);
			secbuf_query(fd, grant, &q);
			igt_assert_eq_u32(q.rights, rights);
			igt_assert_eq_u64(q.grant_id, ids[rights]);
			igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
			igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
			igt_assert_eq_u64(q.size, BUF_SIZE);
			igt_assert_eq_u64(q.id, arg.id);
			igt_assert_eq_u32(q.seals, 0);
			close(grant);
		}
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant's fd is O_RDWR exactly when it has WRITE, and "
		     "O_CLOEXEC in fd_flags is honoured.");
	igt_subtest("grant-fd-mode") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		for (uint32_t rights = 0; rights <= ALL; rights++) {
			int grant = secbuf_grant(fd, buf, rights, NULL);
			int fl = fcntl(grant, F_GETFL);

			igt_assert_eq(fl & O_ACCMODE,
				      rights & W ? O_RDWR : O_RDONLY);
			igt_assert(fcntl(grant, F_GETFD) & FD_CLOEXEC);
			close(grant);
		}
		{
			int grant = -1;

			igt_assert_eq(__secbuf_grant(fd, buf, R, 0, &grant,
						     NULL), 0);
			igt_assert(!(fcntl(grant, F_GETFD) & FD_CLOEXEC));
			close(grant);
		}
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant is the same memory: a grant's mapping sees the "
		     "owner's writes and the owner sees the grant's; the grant "
		     "is its own dma-buf (another inode).");
	igt_subtest("grant-same-memory") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R | W, NULL);
		char *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *g = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);

		igt_assert_neq_u64(inode_of(buf), inode_of(grant));
		igt_assert_eq_u64(secbuf_dmabuf_size(grant), BUF_SIZE);
		secbuf_fill(own, BUF_SIZE / 2, 1);
		secbuf_assert_filled(g, BUF_SIZE / 2, 1);
		secbuf_fill(g + BUF_SIZE / 2, BUF_SIZE / 2, 2);
		secbuf_assert_filled(own + BUF_SIZE / 2, BUF_SIZE / 2, 2);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		secbuf_munmap(own, BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		close(buf);
		/* The grant alone, owner's pool file open, still works. */
		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(g, BUF_SIZE / 2, 1);
		secbuf_munmap(g, BUF_SIZE);
		close(grant);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant without READ cannot be mapped at all (EACCES), "
		     "with or without PROT_WRITE.");
	igt_subtest("grant-no-read-mmap-eacces") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, W | D | G, NULL);

		assert_mmap_fails(grant, PROT_READ, EACCES);
		assert_mmap_fails(grant, PROT_READ | PROT_WRITE, EACCES);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant without WRITE refuses a PROT_WRITE mapping "
		     "(EACCES); its PROT_READ mapping reads the buffer and "
		     "cannot be made writable by mprotect (EACCES).");
	igt_subtest("grant-no-write-mmap-eacces") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R | D | G, NULL);
		char *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *g;

		secbuf_fill(own, BUF_SIZE, 3);
		assert_mmap_fails(grant, PROT_READ | PROT_WRITE, EACCES);
		assert_mmap_fails(grant, PROT_WRITE, EACCES);
		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(g, BUF_SIZE, 3);
		igt_assert_eq(mprotect(g, BUF_SIZE, PROT_READ | PROT_WRITE), -1);
		igt_assert_eq(errno, EACCES);
		errno = 0;

		secbuf_munmap(g, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant without DMA cannot be imported by a driver: "
		     "vgem's PRIME import fails with EACCES (from attach).");
	igt_subtest("grant-no-dma-import-eacces") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R | W | G, NULL);
		uint32_t handle = 0;

		igt_assert_eq(__secbuf_prime_fd_to_handle(vgem, grant, &handle), -EACCES);
		close(grant);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Rights bind devices as they bind CPUs: a grant with "
		     "DMA but not WRITE (READ|DMA, DMA alone, and the "
		     "owner's own O_RDONLY handle) cannot be mapped by a "
		     "static importer that maps the buffer for device writes "
		     "too (DMA_BIDIRECTIONAL): EACCES, nothing left attached. "
		     "Before 7.0 that importer is vgem, whose PRIME import "
		     "maps. On 7.x vgem's import only attaches, which DMA "
		     "allows: it must succeed (one attachment, gone with the "
		     "handle), and the test importer's static import, which "
		     "maps, must be EACCES.");
	igt_subtest("grant-dma-no-write-import-eacces") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int ro = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);
		int g1 = secbuf_grant(fd, buf, R | D, NULL);
		int g2 = secbuf_grant(fd, buf, D, NULL);
		struct secbuf_grant_info info[2] = { 0 };
		struct secbuf_mapped_import imp;

		if (!secbuf_vgem_import_maps()) {
			/* 7.x: an attachment without a mapping. */
			uint32_t h1 = prime_fd_to_handle(vgem, g1);
			uint32_t h2 = prime_fd_to_handle(vgem, g2);
			uint32_t h3 = prime_fd_to_handle(vgem, ro);

			igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 2), 2);
			igt_assert_eq_u32(info[0].attachments, 1);
			igt_assert_eq_u32(info[1].attachments, 1);
			gem_close(vgem, h1);
			gem_close(vgem, h2);
			gem_close(vgem, h3);
		}
		/* vgem before 7.0, the test importer's static import on 7.x. */
		igt_assert_eq(__secbuf_mapped_import(g1, &imp), -EACCES);
		igt_assert_eq(__secbuf_mapped_import(g2, &imp), -EACCES);
		igt_assert_eq(__secbuf_mapped_import(ro, &imp), -EACCES);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 2), 2);
		igt_assert_eq_u32(info[0].attachments, 0);
		igt_assert_eq_u32(info[1].attachments, 0);
		close(g1);
		close(g2);
		close(ro);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant with DMA and WRITE (no READ: no CPU mapping) "
		     "imports into vgem; exporting it again gives back the "
		     "grant's dma-buf, and GRANT_LIST counts the attachment.");
	igt_subtest("grant-dma-import") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, W | D, NULL);
		uint32_t handle = prime_fd_to_handle(vgem, grant);
		struct secbuf_grant_info info[2] = { 0 };
		int again;

		again = prime_handle_to_fd(vgem, handle);
		igt_assert_eq_u64(inode_of(again), inode_of(grant));
		close(again);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 2), 1);
		igt_assert_eq_u32(info[0].attachments, 1);
		igt_assert_eq_u32(info[0].rights, W | D);

		gem_close(vgem, handle);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 2), 1);
		igt_assert_eq_u32(info[0].attachments, 0);
		close(grant);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Who may grant what ----------------------------------------- */

	igt_describe("Rights only narrow: from an owner fd opened O_RDONLY "
		     "(no WRITE) or a grant, a wider set of rights is EPERM, "
		     "a subset works.");
	igt_subtest("grant-wider-eperm") {
		int ro = secbuf_alloc(fd, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC);
		int rw = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, rw, R | G, NULL);
		struct secbuf_snapshot snap;
		struct secbuf_query q;
		int sub;

		secbuf_query(fd, ro, &q);
		igt_assert_eq_u32(q.rights, ALL & ~W);
		secbuf_snapshot(&snap, pool);
		igt_assert_eq(grant_err(fd, ro, R | W), -EPERM);
		igt_assert_eq(grant_err(fd, grant, R | W), -EPERM);
		igt_assert_eq(grant_err(fd, grant, R | D), -EPERM);
		igt_assert_eq(grant_err(fd, grant, ALL), -EPERM);
		secbuf_assert_unchanged(&snap);

		sub = secbuf_grant(fd, grant, R, NULL);
		close(sub);
		sub = secbuf_grant(fd, ro, R | D, NULL);
		close(sub);
		close(grant);
		close(ro);
		close(rw);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Another process with its own pool file, given a grant "
		     "with REGRANT over a unix socket, may derive a narrower "
		     "grant; a wider one, or any from a grant without REGRANT, "
		     "is EPERM.");
	igt_subtest("grant-non-owner-regrant") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int with = secbuf_grant(fd, buf, R | W | G, NULL);
		int without = secbuf_grant(fd, buf, R | W | D, NULL);
		char *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		int sv[2];

		secbuf_fill(own, BUF_SIZE, 4);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int g1 = secbuf_recv_fd(sv[1]);
			int g2 = secbuf_recv_fd(sv[1]);
			struct secbuf_query q;
			int sub;
			char *p;

			sub = secbuf_grant(mine, g1, R, NULL);
			secbuf_query(mine, sub, &q);
			igt_assert_eq_u32(q.rights, R);
			p = secbuf_mmap(sub, BUF_SIZE, PROT_READ);
			secbuf_assert_filled(p, BUF_SIZE, 4);
			secbuf_munmap(p, BUF_SIZE);
			close(sub);

			igt_assert_eq(grant_err(mine, g1, R | D), -EPERM);
			igt_assert_eq(grant_err(mine, g1, ALL), -EPERM);
			igt_assert_eq(grant_err(mine, g2, R), -EPERM);
			close(g1);
			close(g2);
			close(mine);
		}
		close(sv[1]);
		secbuf_send_fd(sv[0], with);
		secbuf_send_fd(sv[0], without);
		igt_waitchildren();

		secbuf_munmap(own, BUF_SIZE);
		close(sv[0]);
		close(with);
		close(without);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A pool file that does not own the buffer cannot grant "
		     "from the owner's fd, which is not a grant (EPERM), nor "
		     "list its grants (EPERM).");
	igt_subtest("grant-non-owner-eperm") {
		int other = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int ret[3];

		/* Clean up before asserting: a failure must not leak. */
		ret[0] = grant_err(other, buf, R);
		ret[1] = grant_err(other, buf, ALL);
		ret[2] = list_err(other, buf);
		close(other);
		close(buf);
		secbuf_pool_assert_idle(pool);
		igt_assert_eq(ret[0], -EPERM);
		igt_assert_eq(ret[1], -EPERM);
		igt_assert_eq(ret[2], -EPERM);
	}

	igt_describe("GRANT_LIST from a pool file that does not own the "
		     "buffer is EPERM, also when named through a grant.");
	igt_subtest("grant-list-non-owner-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, ALL, NULL);

		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);

			igt_assert_eq(list_err(mine, buf), -EPERM);
			igt_assert_eq(list_err(mine, grant), -EPERM);
			close(mine);
		}
		igt_waitchildren();
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A /dev/dma_heap/<pool> buffer cannot be managed through "
		     "/dev/secbuf: GRANT and GRANT_LIST are EPERM.");
	igt_subtest("heap-buffer-grant-eperm") {
		int heap = secbuf_open_heap(pool);
		int buf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		int ret[2];

		/* Clean up before asserting: a failure must not leak. */
		ret[0] = grant_err(fd, buf, R);
		ret[1] = list_err(fd, buf);
		close(buf);
		close(heap);
		secbuf_pool_assert_idle(pool);
		igt_assert_eq(ret[0], -EPERM);
		igt_assert_eq(ret[1], -EPERM);
	}

	/* ---- GRANT_LIST --------------------------------------------------- */

	igt_describe("GRANT_LIST lists the grants, not the owner's handle, in "
		     "creation order with their rights, state, mappings (VMAs) "
		     "and attachments; a revoked grant stays listed as "
		     "revoked.");
	igt_subtest("grant-list") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id[3];
		int g0 = secbuf_grant(fd, buf, R, &id[0]);
		int g1 = secbuf_grant(fd, buf, R | W | D, &id[1]);
		int g2 = secbuf_grant(fd, buf, D | G, &id[2]);
		void *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		void *m0 = secbuf_mmap(g0, BUF_SIZE, PROT_READ);
		void *m1 = secbuf_mmap(g0, BUF_SIZE / 2, PROT_READ);
		struct secbuf_grant_info info[4];
		static const uint32_t rights[3] = { R, R | W | D, D | G };

		memset(info, 0xff, sizeof(info));
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 4), 3);
		for (int i = 0; i < 3; i++) {
			igt_assert_eq_u64(info[i].grant_id, id[i]);
			igt_assert_eq_u32(info[i].rights, rights[i]);
			igt_assert_eq_u32(info[i].state, SECBUF_STATE_LIVE);
			igt_assert_eq_u32(info[i].mappings, i == 0 ? 2 : 0);
			igt_assert_eq_u32(info[i].attachments, 0);
		}
		igt_assert_eq_u64(info[3].grant_id, ~0ULL);

		/* The same through a grant's fd. */
		igt_assert_eq_u32(secbuf_grant_list(fd, g1, info, 4), 3);

		secbuf_munmap(m1, BUF_SIZE / 2);
		secbuf_revoke(fd, buf, id[1]);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 4), 3);
		igt_assert_eq_u32(info[0].mappings, 1);
		igt_assert_eq_u32(info[1].state, SECBUF_STATE_REVOKED);
		igt_assert_eq_u32(info[0].state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(info[2].state, SECBUF_STATE_LIVE);

		secbuf_munmap(m0, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(g0);
		close(g1);
		close(g2);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST reports each grant's parent: 0 for a grant "
		     "the owner made, the grant it was derived from with "
		     "REGRANT otherwise, also after that parent's fd was "
		     "closed (the closed grant itself is not listed).");
	igt_subtest("grant-list-parent-id") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id1, id2, id3, id4;
		int g1 = secbuf_grant(fd, buf, R | G, &id1);
		int g2 = secbuf_grant(fd, g1, R | G, &id2);
		int g3 = secbuf_grant(fd, g2, R, &id3);
		int g4 = secbuf_grant(fd, buf, R, &id4);
		struct secbuf_grant_info info[5];

		memset(info, 0xff, sizeof(info));
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 5), 4);
		igt_assert_eq_u64(info[0].parent_id, 0);
		igt_assert_eq_u64(info[1].parent_id, id1);
		igt_assert_eq_u64(info[2].parent_id, id2);
		igt_assert_eq_u64(info[3].parent_id, 0);

		close(g2);
		memset(info, 0xff, sizeof(info));
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 5), 3);
		igt_assert_eq_u64(info[0].grant_id, id1);
		igt_assert_eq_u64(info[1].grant_id, id3);
		igt_assert_eq_u64(info[1].parent_id, id2);
		igt_assert_eq_u64(info[2].grant_id, id4);
		igt_assert_eq_u64(info[2].parent_id, 0);

		close(g1);
		close(g3);
		close(g4);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST's entry size: info_size 0 and the 16-byte "
		     "struct of before give the original 32-byte entries (no "
		     "parent_id), 40 the current ones, a larger size has its "
		     "tail zeroed; a size that is not a multiple of 8, below "
		     "32 or above 4096, and a nonzero pad are EINVAL with "
		     "nothing written.");
	igt_subtest("grant-list-info-size") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id1, id2;
		int g1 = secbuf_grant(fd, buf, R | G, &id1);
		int g2 = secbuf_grant(fd, g1, R, &id2);
		static const uint32_t bad[] = { 8, 24, 33, 36, 4104, 1U << 31,
						~0U };
		uint8_t raw[2 * 64 + 16];
		struct secbuf_grant_list l;
		struct secbuf_grant_info e;

		/* 0: 32-byte entries, nothing past them. */
		memset(raw, 0xa5, sizeof(raw));
		l = (struct secbuf_grant_list){ .buf_fd = (uint32_t)buf,
			.count = 2, .grants = (uintptr_t)raw };
		igt_assert_eq(__secbuf_grant_list(fd, &l), 0);
		igt_assert_eq_u32(l.count, 2);
		memcpy(&e, raw + 32, 32);
		igt_assert_eq_u64(e.grant_id, id2);
		for (size_t b = 64; b < sizeof(raw); b++)
			igt_assert_eq(raw[b], 0xa5);

		/* The struct of before, 16 bytes: the same. */
		memset(raw, 0xa5, sizeof(raw));
		l = (struct secbuf_grant_list){ .buf_fd = (uint32_t)buf,
			.count = 2, .grants = (uintptr_t)raw };
		igt_assert_eq(__secbuf_ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE,
			      SECBUF_IOC_MAGIC, 0x04,
			      SECBUF_GRANT_LIST_SIZE_VER0), &l), 0);
		memcpy(&e, raw + 32, 32);
		igt_assert_eq_u64(e.grant_id, id2);
		igt_assert_eq(raw[64], 0xa5);

		/* 40: parent_id. */
		memset(raw, 0xa5, sizeof(raw));
		l = (struct secbuf_grant_list){ .buf_fd = (uint32_t)buf,
			.count = 2, .grants = (uintptr_t)raw,
			.info_size = SECBUF_GRANT_INFO_SIZE_VER1 };
		igt_assert_eq(__secbuf_grant_list(fd, &l), 0);
		memcpy(&e, raw + 40, sizeof(e));
		igt_assert_eq_u64(e.grant_id, id2);
		igt_assert_eq_u64(e.parent_id, id1);
		igt_assert_eq(raw[80], 0xa5);

		/* 64: the kernel's 40 bytes, then zeroes. */
		memset(raw, 0xa5, sizeof(raw));
		l.info_size = 64;
		igt_assert_eq(__secbuf_grant_list(fd, &l), 0);
		memcpy(&e, raw + 64, sizeof(e));
		igt_assert_eq_u64(e.grant_id, id2);
		igt_assert_eq_u64(e.parent_id, id1);
		for (size_t b = 0; b < 128; b++)
			if (b % 64 >= sizeof(e))
				igt_assert_eq(raw[b], 0);
		igt_assert_eq(raw[128], 0xa5);

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(raw, 0xa5, sizeof(raw));
			l.info_size = bad[i];
			igt_assert_eq(__secbuf_grant_list(fd, &l), -EINVAL);
			igt_assert_eq(raw[0], 0xa5);
		}
		l.info_size = 0;
		l.pad = 1;
		igt_assert_eq(__secbuf_grant_list(fd, &l), -EINVAL);
		igt_assert_eq(raw[0], 0xa5);

		close(g1);
		close(g2);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST with count 0 (and no array) or a short array "
		     "returns the number of grants and writes no more entries "
		     "than asked; a buffer without grants lists 0.");
	igt_subtest("grant-list-count") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_grant_info info[3];
		uint64_t first;
		int g[3];

		igt_assert_eq_u32(secbuf_grant_list(fd, buf, NULL, 0), 0);
		g[0] = secbuf_grant(fd, buf, R, &first);
		g[1] = secbuf_grant(fd, buf, R, NULL);
		g[2] = secbuf_grant(fd, buf, R, NULL);
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, NULL, 0), 3);

		memset(info, 0xa5, sizeof(info));
		igt_assert_eq_u32(secbuf_grant_list(fd, buf, info, 1), 3);
		igt_assert_eq_u64(info[0].grant_id, first);
		for (size_t b = sizeof(info[0]); b < sizeof(info); b++)
			igt_assert_eq(((uint8_t *)info)[b], 0xa5);

		for (int i = 0; i < 3; i++)
			close(g[i]);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST errors: an fd that is not a dma-buf or a "
		     "dma-buf of another exporter is EINVAL, a closed fd "
		     "EBADF, an unwritable array EFAULT.");
	igt_subtest("grant-list-invalid") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(fd, buf, R, NULL);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int vgem = secbuf_open_vgem();
		struct secbuf_grant_list arg = {
			.buf_fd = (uint32_t)buf,
			.count = 1,
			.grants = 0,
		};

		igt_assert_fd(null);
		igt_assert_eq(list_err(fd, null), -EINVAL);
		igt_assert_eq(list_err(fd, fd), -EINVAL);
		igt_assert_eq(list_err(fd, -1), -EBADF);
		igt_assert_eq(__secbuf_grant_list(fd, &arg), -EFAULT);
		arg.grants = 8;
		igt_assert_eq(__secbuf_grant_list(fd, &arg), -EFAULT);
		{
			struct vgem_bo bo = { .width = 1024,
					      .height = BUF_SIZE / 4096, .bpp = 32 };
			int other;

			vgem_create(vgem, &bo);
			other = prime_handle_to_fd_for_mmap(vgem, bo.handle);
			igt_assert_fd(other);
			igt_assert_eq(list_err(fd, other), -EINVAL);
			close(other);
			gem_close(vgem, bo.handle);
			close(vgem);
		}
		close(null);
		close(grant);
		close(buf);
		igt_assert_eq(list_err(fd, buf), -EBADF);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- QUERY ---------------------------------------------------------- */

	igt_describe("QUERY works from any pool file of the buffer's pool, in "
		     "another process too, for the owner's fd and for grants.");
	igt_subtest("query-any-pool-file") {
		struct secbuf_alloc arg = { .size = BUF_SIZE,
					    .fd_flags = O_RDWR | O_CLOEXEC };
		int buf = secbuf_alloc_full(fd, &arg);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, R | D, &id);
		int sv[2];

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int b = secbuf_recv_fd(sv[1]);
			int g = secbuf_recv_fd(sv[1]);
			struct secbuf_query q;

			secbuf_query(mine, b, &q);
			igt_assert_eq_u64(q.id, arg.id);
			igt_assert_eq_u64(q.size, BUF_SIZE);
			igt_assert_eq_u64(q.grant_id, 0);
			igt_assert_eq_u32(q.rights, ALL);
			secbuf_query(mine, g, &q);
			igt_assert_eq_u64(q.id, arg.id);
			igt_assert_eq_u64(q.grant_id, id);
			igt_assert_eq_u32(q.rights, R | D);
			igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
			close(b);
			close(g);
			close(mine);
		}
		close(sv[1]);
		secbuf_send_fd(sv[0], buf);
		secbuf_send_fd(sv[0], grant);
		igt_waitchildren();
		close(sv[0]);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("QUERY of a /dev/dma_heap/<pool> buffer works through a "
		     "/dev/secbuf pool file: every right, grant id 0.");
	igt_subtest("query-heap-buffer") {
		int heap = secbuf_open_heap(pool);
		int buf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		struct secbuf_query q;

		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.rights, ALL);
		igt_assert_eq_u64(q.grant_id, 0);
		igt_assert_eq_u64(q.size, BUF_SIZE);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		close(buf);
		close(heap);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("QUERY errors: not a dma-buf or another exporter's "
		     "dma-buf is EINVAL, a closed fd EBADF, a nonzero pad "
		     "EINVAL.");
	igt_subtest("query-invalid") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		struct secbuf_query q;

		igt_assert_fd(null);
		igt_assert_eq(__secbuf_query(fd, null, &q), -EINVAL);
		igt_assert_eq(__secbuf_query(fd, fd, &q), -EINVAL);
		igt_assert_eq(__secbuf_query(fd, -1, &q), -EBADF);
		memset(&q, 0, sizeof(q));
		q.buf_fd = (uint32_t)buf;
		q.pad = 1;
		igt_assert_eq(__secbuf_ioctl(fd, SECBUF_IOC_QUERY, &q), -EINVAL);
		close(null);
		close(buf);
		igt_assert_eq(__secbuf_query(fd, buf, &q), -EBADF);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("QUERY through one pool's file of a buffer of another "
		     "pool is EINVAL; its own pool's file answers.");
	igt_subtest("query-other-pool-einval") {
		const char *pool2 = secbuf_pool2_name();
		int fd2 = secbuf_open_pool(pool2);
		int buf = secbuf_alloc(fd2, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_query q;

		igt_assert_eq(__secbuf_query(fd, buf, &q), -EINVAL);
		secbuf_query(fd2, buf, &q);
		igt_assert_eq_u64(q.size, BUF_SIZE);
		close(buf);
		close(fd2);
		secbuf_pool_assert_idle(pool2);
	}

	/* ---- GRANT argument checks ---------------------------------------- */

	igt_describe("GRANT with an unknown rights, flags or fd_flags bit "
		     "(O_RDWR included: the mode follows the rights) is EINVAL "
		     "and leaves no fd.");
	igt_subtest("grant-unknown-bits-einval") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_grant base = { .buf_fd = (uint32_t)buf,
					     .rights = R,
					     .fd_flags = O_CLOEXEC };

		for (int bit = 0; bit < 32; bit++) {
			struct secbuf_grant arg = base;

			arg.rights = R | (1U << bit);
			if (!((1U << bit) & ALL))
				grant_invalid(arg, -EINVAL);
			arg = base;
			arg.flags = 1U << bit;
			if (!((1U << bit) & SECBUF_GRANT_VALID_FLAGS))
				grant_invalid(arg, -EINVAL);
			arg = base;
			arg.fd_flags = O_CLOEXEC | (1U << bit);
			if ((1U << bit) != O_CLOEXEC)
				grant_invalid(arg, -EINVAL);
		}
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT with pad, fd or grant_id not 0 on input is EINVAL "
		     "and leaves no fd.");
	igt_subtest("grant-nonzero-fields-einval") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_grant base = { .buf_fd = (uint32_t)buf,
					     .rights = R,
					     .fd_flags = O_CLOEXEC };
		struct secbuf_grant arg;

		arg = base;
		arg.pidfd = 1;	/* without SECBUF_GRANT_PIDFD */
		grant_invalid(arg, -EINVAL);
		arg = base;
		arg.fd = 1;
		grant_invalid(arg, -EINVAL);
		arg = base;
		arg.grant_id = 1;
		grant_invalid(arg, -EINVAL);
		arg = base;
		arg.grant_id = 1ULL << 63;
		grant_invalid(arg, -EINVAL);
		/* The corrected call works. */
		igt_assert_eq(grant_err(fd, buf, R), 0);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT from an fd that is not a dma-buf, or a dma-buf of "
		     "another exporter (vgem), is EINVAL; a closed fd EBADF.");
	igt_subtest("grant-bad-fd") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int vgem = secbuf_open_vgem();
		struct vgem_bo bo = { .width = 1024, .height = BUF_SIZE / 4096,
				      .bpp = 32 };
		int other;

		igt_assert_fd(null);
		igt_assert_eq(grant_err(fd, null, R), -EINVAL);
		igt_assert_eq(grant_err(fd, fd, R), -EINVAL);
		igt_assert_eq(grant_err(fd, -1, R), -EBADF);
		close(buf);
		igt_assert_eq(grant_err(fd, buf, R), -EBADF);

		igt_require(__vgem_create(vgem, &bo) == 0);
		other = prime_handle_to_fd_for_mmap(vgem, bo.handle);
		igt_assert_fd(other);
		igt_assert_eq(grant_err(fd, other, R), -EINVAL);
		close(other);
		gem_close(vgem, bo.handle);
		close(vgem);
		close(null);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT on one pool's file from a buffer of another pool "
		     "is EINVAL.");
	igt_subtest("grant-other-pool-einval") {
		const char *pool2 = secbuf_pool2_name();
		int fd2 = secbuf_open_pool(pool2);
		int buf = secbuf_alloc(fd2, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		igt_assert_eq(grant_err(fd, buf, R), -EINVAL);
		igt_assert_eq(list_err(fd, buf), -EINVAL);
		close(buf);
		close(fd2);
		secbuf_pool_assert_idle(pool2);
	}

	igt_describe("Grants die with the owner's pool file like the buffer: "
		     "a grant's mapping raises SIGBUS after the owner closes "
		     "it.");
	igt_subtest("grant-revoked-with-owner") {
		int owner = secbuf_open_pool(pool);
		int buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int grant = secbuf_grant(owner, buf, R, NULL);
		char *g = secbuf_mmap(grant, BUF_SIZE, PROT_READ);
		struct secbuf_query q;

		close(buf);
		close(owner);
		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(g + 8, false);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
		secbuf_munmap(g, BUF_SIZE);
		close(grant);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Grants bound to a process (SECBUF_GRANT_PIDFD) -------------- */

	igt_describe("A grant bound to a child's pidfd works for that child: "
		     "it maps it, reads the owner's data, writes, and imports "
		     "it into vgem; the owner sees what it wrote.");
	igt_subtest("grant-pidfd-bound-process-maps") {
		char *own;
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int sv[2], pidfd, grant;

		own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(own, BUF_SIZE / 2, 20);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int g;
			char *p;

			send_pid(sv[1]);
			g = secbuf_recv_fd(sv[1]);
			p = secbuf_mmap(g, BUF_SIZE, PROT_READ | PROT_WRITE);
			secbuf_assert_filled(p, BUF_SIZE / 2, 20);
			secbuf_fill(p + BUF_SIZE / 2, BUF_SIZE / 2, 21);
			secbuf_munmap(p, BUF_SIZE);
			igt_assert_eq(vgem_import_err(g), 0);
			close(g);
		}
		close(sv[1]);
		pidfd = secbuf_pidfd_open(recv_pid(sv[0]));
		grant = secbuf_grant_pidfd(fd, buf, R | W | D, pidfd, NULL);
		secbuf_send_fd(sv[0], grant);
		igt_waitchildren();
		secbuf_assert_filled(own + BUF_SIZE / 2, BUF_SIZE / 2, 21);

		secbuf_munmap(own, BUF_SIZE);
		close(sv[0]);
		close(pidfd);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The process that made a grant bound to its child, and "
		     "holds the grant's fd, cannot use it: mmap (read or "
		     "write) and vgem import are EACCES, while the child lives "
		     "and after it exited.");
	igt_subtest("grant-pidfd-parent-eacces") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int sv[2], pidfd, grant;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			send_pid(sv[1]);
			igt_assert_eq(recv_byte(sv[1]), 'q');
		}
		close(sv[1]);
		pidfd = secbuf_pidfd_open(recv_pid(sv[0]));
		grant = secbuf_grant_pidfd(fd, buf, ALL, pidfd, NULL);
		assert_mmap_fails(grant, PROT_READ, EACCES);
		assert_mmap_fails(grant, PROT_READ | PROT_WRITE, EACCES);
		igt_assert_eq(vgem_import_err(grant), -EACCES);

		send_byte(sv[0], 'q');
		igt_waitchildren();
		assert_mmap_fails(grant, PROT_READ, EACCES);
		igt_assert_eq(vgem_import_err(grant), -EACCES);

		close(sv[0]);
		close(pidfd);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A sibling of the bound process that received the bound "
		     "grant over a unix socket cannot use it (mmap and vgem "
		     "import EACCES), while the bound process, given the same "
		     "fd, maps it.");
	igt_subtest("grant-pidfd-sibling-eacces") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int bound[2], sibling[2], pidfd, grant;
		char *own;

		own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(own, BUF_SIZE, 22);
		socketpair_seqpacket(bound);
		socketpair_seqpacket(sibling);
		igt_fork(child, 2) {
			int g;

			if (child == 0) {
				char *p;

				send_pid(bound[1]);
				g = secbuf_recv_fd(bound[1]);
				p = secbuf_mmap(g, BUF_SIZE, PROT_READ);
				secbuf_assert_filled(p, BUF_SIZE, 22);
				secbuf_munmap(p, BUF_SIZE);
				send_byte(bound[1], 'm');
				igt_assert_eq(recv_byte(bound[1]), 'q');
			} else {
				g = secbuf_recv_fd(sibling[1]);
				assert_mmap_fails(g, PROT_READ, EACCES);
				assert_mmap_fails(g, PROT_READ | PROT_WRITE,
						  EACCES);
				igt_assert_eq(vgem_import_err(g), -EACCES);
				send_byte(sibling[1], 'd');
			}
			close(g);
		}
		close(bound[1]);
		close(sibling[1]);
		pidfd = secbuf_pidfd_open(recv_pid(bound[0]));
		grant = secbuf_grant_pidfd(fd, buf, ALL, pidfd, NULL);
		secbuf_send_fd(bound[0], grant);
		igt_assert_eq(recv_byte(bound[0]), 'm');
		secbuf_send_fd(sibling[0], grant);
		igt_assert_eq(recv_byte(sibling[0]), 'd');
		send_byte(bound[0], 'q');
		igt_waitchildren();

		secbuf_munmap(own, BUF_SIZE);
		close(bound[0]);
		close(sibling[0]);
		close(pidfd);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST reports the pid a grant is bound to, as seen "
		     "from the caller, and 0 for a grant that is not bound.");
	igt_subtest("grant-pidfd-list-pid") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int sv[2], pidfd, bound, free_grant;
		uint64_t bound_id, free_id;
		pid_t pid;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			send_pid(sv[1]);
			igt_assert_eq(recv_byte(sv[1]), 'q');
		}
		close(sv[1]);
		pid = recv_pid(sv[0]);
		pidfd = secbuf_pidfd_open(pid);
		free_grant = secbuf_grant(fd, buf, R, &free_id);
		bound = secbuf_grant_pidfd(fd, buf, R, pidfd, &bound_id);
		igt_assert_eq_u32(list_entry(buf, free_id).pid, 0);
		igt_assert_eq_u32(list_entry(buf, bound_id).pid, (uint32_t)pid);
		igt_assert_eq_u32(list_entry(buf, bound_id).rights, R);
		igt_assert_eq_u32(list_entry(buf, bound_id).pad, 0);

		send_byte(sv[0], 'q');
		igt_waitchildren();
		close(sv[0]);
		close(pidfd);
		close(bound);
		close(free_grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant derived from a bound grant stays bound to the "
		     "same process, whoever derives it and without "
		     "SECBUF_GRANT_PIDFD: the bound child's own derivation and "
		     "the owner's both list the child's pid, the child maps "
		     "its derivation, the owner gets EACCES on both.");
	igt_subtest("grant-pidfd-regrant-stays-bound") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int sv[2], pidfd, grant, by_child, by_owner;
		uint64_t owner_id;
		struct secbuf_query q;
		pid_t pid;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);
			int g, sub;
			char *p;

			send_pid(sv[1]);
			g = secbuf_recv_fd(sv[1]);
			sub = secbuf_grant(mine, g, R, NULL);
			p = secbuf_mmap(sub, BUF_SIZE, PROT_READ);
			secbuf_munmap(p, BUF_SIZE);
			secbuf_send_fd(sv[1], sub);
			igt_assert_eq(recv_byte(sv[1]), 'q');
			close(sub);
			close(g);
			close(mine);
		}
		close(sv[1]);
		pid = recv_pid(sv[0]);
		pidfd = secbuf_pidfd_open(pid);
		grant = secbuf_grant_pidfd(fd, buf, R | W | G, pidfd, NULL);
		secbuf_send_fd(sv[0], grant);
		by_child = secbuf_recv_fd(sv[0]);
		by_owner = secbuf_grant(fd, grant, R | W, &owner_id);

		secbuf_query(fd, by_child, &q);
		igt_assert_eq_u32(q.rights, R);
		igt_assert_eq_u32(list_entry(buf, q.grant_id).pid, (uint32_t)pid);
		igt_assert_eq_u32(list_entry(buf, owner_id).pid, (uint32_t)pid);
		assert_mmap_fails(by_child, PROT_READ, EACCES);
		assert_mmap_fails(by_owner, PROT_READ, EACCES);

		send_byte(sv[0], 'q');
		igt_waitchildren();
		close(sv[0]);
		close(pidfd);
		close(by_child);
		close(by_owner);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Deriving from a bound grant with SECBUF_GRANT_PIDFD of "
		     "another process is EPERM and leaves no fd; with the pidfd "
		     "of the process it is bound to it works.");
	igt_subtest("grant-pidfd-regrant-other-process-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int sv[2], pidfd, self, grant, sub = -1;
		struct secbuf_snapshot snap;
		uint64_t sub_id;
		pid_t pid;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			send_pid(sv[1]);
			igt_assert_eq(recv_byte(sv[1]), 'q');
		}
		close(sv[1]);
		pid = recv_pid(sv[0]);
		pidfd = secbuf_pidfd_open(pid);
		self = secbuf_pidfd_open(getpid());
		grant = secbuf_grant_pidfd(fd, buf, R | G, pidfd, NULL);

		secbuf_snapshot(&snap, pool);
		igt_assert_eq(__secbuf_grant_pidfd(fd, grant, R, self, O_CLOEXEC,
						   &sub, NULL), -EPERM);
		secbuf_assert_unchanged(&snap);
		sub = secbuf_grant_pidfd(fd, grant, R, pidfd, &sub_id);
		igt_assert_eq_u32(list_entry(buf, sub_id).pid, (uint32_t)pid);

		send_byte(sv[0], 'q');
		igt_waitchildren();
		close(sv[0]);
		close(sub);
		close(self);
		close(pidfd);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A bound grant's mapping is not inherited by fork: a grant "
		     "bound to this process maps here, but in a forked child "
		     "the range is unmapped (SIGSEGV, SEGV_MAPERR) and mapping "
		     "the inherited fd is EACCES; an unbound grant's mapping is "
		     "inherited as usual.");
	igt_subtest("grant-pidfd-fork-not-inherited") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int self = secbuf_pidfd_open(getpid());
		int bound = secbuf_grant_pidfd(fd, buf, R | W, self, NULL);
		int free_grant = secbuf_grant(fd, buf, R | W, NULL);
		char *b = secbuf_mmap(bound, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *f = secbuf_mmap(free_grant, BUF_SIZE, PROT_READ);
		uint64_t v = 0;
		int code = 0;

		secbuf_fill(b, BUF_SIZE, 23);
		secbuf_assert_filled(f, BUF_SIZE, 23);
		igt_assert_eq(__secbuf_probe(b, false, NULL, &code), SIGSEGV);
		igt_assert_eq(code, SEGV_MAPERR);
		igt_assert_eq(__secbuf_probe(b + BUF_SIZE - 8, true, &v, &code),
			      SIGSEGV);
		igt_assert_eq(code, SEGV_MAPERR);
		secbuf_assert_access(f + 8, false, &v);
		igt_fork(child, 1) {
			assert_mmap_fails(bound, PROT_READ, EACCES);
			secbuf_assert_filled(f, BUF_SIZE, 23);
		}
		igt_waitchildren();
		secbuf_assert_filled(b, BUF_SIZE, 23);

		secbuf_munmap(b, BUF_SIZE);
		secbuf_munmap(f, BUF_SIZE);
		close(free_grant);
		close(bound);
		close(self);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- fork and MAP_PRIVATE ------------------------------------------- */

	igt_describe("A grant refuses MAP_PRIVATE with EINVAL like the owner's "
		     "fd: a read grant, a read-write grant (read-only and "
		     "writable private mappings) and a grant bound to this "
		     "process.");
	igt_subtest("grant-map-private-einval") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int self = secbuf_pidfd_open(getpid());
		int ro = secbuf_grant(fd, buf, R, NULL);
		int rw = secbuf_grant(fd, buf, R | W, NULL);
		int bound = secbuf_grant_pidfd(fd, buf, R | W, self, NULL);
		struct secbuf_snapshot snap;

		secbuf_snapshot(&snap, pool);
		assert_map_private_fails(ro, PROT_READ);
		assert_map_private_fails(rw, PROT_READ);
		assert_map_private_fails(rw, PROT_READ | PROT_WRITE);
		assert_map_private_fails(bound, PROT_READ);
		assert_map_private_fails(bound, PROT_READ | PROT_WRITE);
		secbuf_assert_unchanged(&snap);

		close(bound);
		close(rw);
		close(ro);
		close(self);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A MAP_SHARED mapping of the owner's fd inherited over "
		     "fork works in the child (reads the parent's data, writes "
		     "that the parent sees); after REVOKE both the child and "
		     "the parent get SIGBUS on it.");
	igt_subtest("fork-mapping-revoke-sigbus") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		char *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		int sv[2];

		secbuf_fill(own, BUF_SIZE / 2, 24);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			secbuf_assert_filled(own, BUF_SIZE / 2, 24);
			secbuf_fill(own + BUF_SIZE / 2, BUF_SIZE / 2, 25);
			send_byte(sv[1], 'w');
			igt_assert_eq(recv_byte(sv[1]), 'r');
			secbuf_assert_sigbus(own, false);
			secbuf_assert_sigbus(own + BUF_SIZE / 2, true);
		}
		igt_assert_eq(recv_byte(sv[0]), 'w');
		secbuf_assert_filled(own + BUF_SIZE / 2, BUF_SIZE / 2, 25);
		secbuf_revoke(fd, buf, 0);
		send_byte(sv[0], 'r');
		igt_waitchildren();
		secbuf_assert_sigbus(own + 8, false);
		secbuf_assert_sigbus(own + BUF_SIZE - 8, true);

		secbuf_munmap(own, BUF_SIZE);
		close(sv[0]);
		close(sv[1]);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Mappings of two unbound grants inherited over fork work "
		     "in the child; revoking one grant makes its mapping raise "
		     "SIGBUS in the child and the parent, while the other "
		     "grant's and the owner's inherited mappings keep their "
		     "data.");
	igt_subtest("fork-grant-mapping-revoke-sigbus") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id1;
		int g1 = secbuf_grant(fd, buf, R | W, &id1);
		int g2 = secbuf_grant(fd, buf, R, NULL);
		char *own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *m1 = secbuf_mmap(g1, BUF_SIZE, PROT_READ | PROT_WRITE);
		char *m2 = secbuf_mmap(g2, BUF_SIZE, PROT_READ);
		int sv[2];

		secbuf_fill(own, BUF_SIZE, 26);
		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			secbuf_assert_filled(m1, BUF_SIZE, 26);
			secbuf_fill(m1, BUF_SIZE, 27);
			secbuf_assert_filled(m2, BUF_SIZE, 27);
			send_byte(sv[1], 'w');
			igt_assert_eq(recv_byte(sv[1]), 'r');
			secbuf_assert_sigbus(m1, false);
			secbuf_assert_sigbus(m1 + 4096, true);
			secbuf_assert_filled(m2, BUF_SIZE, 27);
			secbuf_assert_filled(own, BUF_SIZE, 27);
		}
		igt_assert_eq(recv_byte(sv[0]), 'w');
		secbuf_revoke(fd, buf, id1);
		send_byte(sv[0], 'r');
		igt_waitchildren();
		secbuf_assert_sigbus(m1 + BUF_SIZE - 8, false);
		secbuf_assert_filled(m2, BUF_SIZE, 27);
		secbuf_assert_filled(own, BUF_SIZE, 27);

		secbuf_munmap(m1, BUF_SIZE);
		secbuf_munmap(m2, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(sv[0]);
		close(sv[1]);
		close(g1);
		close(g2);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Every management ioctl is the owner's ------------------------ */

	igt_describe("REVOKE by a process with its own pool file that received "
		     "the owner's fd and a grant with every right over a unix "
		     "socket is EPERM, for the buffer and for the grant, named "
		     "through either fd; nothing is revoked.");
	igt_subtest("non-owner-received-revoke-eperm") {
		char *own;
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, ALL, &id);
		struct secbuf_query q;

		own = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(own, BUF_SIZE, 28);
		in_receiver(buf, grant, id, received_revoke);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
		secbuf_assert_filled(own, BUF_SIZE, 28);

		secbuf_munmap(own, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT by a process with its own pool file from the "
		     "owner's fd received over a unix socket is EPERM (it is "
		     "not a grant with REGRANT), while a grant with REGRANT "
		     "received the same way derives.");
	igt_subtest("non-owner-received-grant-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, ALL, &id);

		in_receiver(buf, grant, id, received_grant);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT_LIST by a process with its own pool file that "
		     "received the owner's fd and a grant over a unix socket is "
		     "EPERM through either fd.");
	igt_subtest("non-owner-received-grant-list-eperm") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, ALL, &id);

		in_receiver(buf, grant, id, received_grant_list);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture {
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}
