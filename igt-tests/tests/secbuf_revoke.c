// SPDX-License-Identifier: MIT
/*
 * secbuf_revoke: the owner revokes a buffer or one grant, for good; closing
 * or losing the owner's pool file does the same; memory a device may still
 * reach stays quarantined; nothing can pin the pages past a revocation.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"

IGT_TEST_DESCRIPTION("SECBUF_IOC_REVOKE and owner death: every mapping of a "
		     "revoked handle raises SIGBUS, new mmap, sync, grant and "
		     "import fail, memory goes back (or into quarantine while a "
		     "device holds it); the errors of the ioctl; GUP refused "
		     "on secbuf mappings.");

#define BUF_SIZE	SECBUF_SZ_1M

static const char *pool;
static int fd = -1;

#define SECBUF_IOC_POOL_INFO_SZ(sz) \
	_IOC(_IOC_READ | _IOC_WRITE, SECBUF_IOC_MAGIC, 0x01, (sz))

static void assert_mmap_fails(int dmabuf, int prot, int err)
{
	void *ptr = mmap(NULL, BUF_SIZE, prot, MAP_SHARED, dmabuf, 0);

	igt_assert_f(ptr == MAP_FAILED, "mmap of a revoked handle worked\n");
	igt_assert_eq(errno, err);
	errno = 0;
}

static int revoke_err(int pool_fd, int buf_fd, uint64_t grant_id)
{
	return __secbuf_revoke(pool_fd, buf_fd, grant_id, NULL);
}

/* A buffer of BUF_SIZE from @owner, filled with @seed, and its mapping. */
static int alloc_filled(int owner, uint64_t seed, char **map)
{
	int buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

	*map = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	secbuf_fill(*map, BUF_SIZE, seed);
	return buf;
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

/*
 * Owner in a process of its own: it opens its own pool file, allocates a
 * filled buffer and sends its fd over @sock, then waits for 'c' (close
 * the pool file and answer) or for SIGKILL.
 */
static pid_t spawn_owner(int sock, uint64_t seed)
{
	pid_t pid = fork();

	igt_assert(pid >= 0);
	if (pid == 0) {
		int owner = __secbuf_open_pool(pool);
		struct secbuf_alloc arg = {
			.size = BUF_SIZE,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};
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

/* ---- The race: threads faulting while the owner revokes --------------- */

#define RACE_THREADS	2

static __thread sigjmp_buf race_jmp;
static __thread volatile void *race_addr;

struct race_thread {
	pthread_t thread;
	volatile char *map;
	volatile bool *stop;
	void *fault_addr;
	/* volatile: must be stored before the access it names. */
	void *volatile touched;
	unsigned long loops;
	bool sigbus;
};

static void race_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	race_addr = si->si_addr;
	siglongjmp(race_jmp, 1);
}

static void *race_fn(void *arg)
{
	struct race_thread *t = arg;
	size_t page = secbuf_page_size();
	size_t off = 0;

	if (sigsetjmp(race_jmp, 1)) {
		t->sigbus = true;
		t->fault_addr = (void *)race_addr;
		return NULL;
	}
	while (!*t->stop) {
		t->touched = (void *)(t->map + off);
		t->map[off] = (char)t->loops;
		t->touched = (void *)(t->map + (off + page / 2) % BUF_SIZE);
		(void)t->map[(off + page / 2) % BUF_SIZE];
		off = (off + page) % BUF_SIZE;
		t->loops++;
	}
	return NULL;
}

static void race_once(void)
{
	struct sigaction sa = { .sa_sigaction = race_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct race_thread t[RACE_THREADS] = { 0 };
	struct timespec delay = { 0, 2 * 1000 * 1000 };
	volatile bool stop = false;
	struct sigaction old;
	int buf;
	char *map;

	buf = alloc_filled(fd, 1, &map);
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);

	for (int i = 0; i < RACE_THREADS; i++) {
		t[i].map = map;
		t[i].stop = &stop;
		igt_assert_eq(pthread_create(&t[i].thread, NULL, race_fn, &t[i]), 0);
	}
	nanosleep(&delay, NULL);
	secbuf_revoke(fd, buf, 0);

	/* Every thread must hit SIGBUS soon; bound the wait. */
	for (int ms = 0; ms < 5000; ms++) {
		bool all = true;

		for (int i = 0; i < RACE_THREADS; i++)
			all &= t[i].sigbus;
		if (all)
			break;
		delay.tv_nsec = 1000 * 1000;
		nanosleep(&delay, NULL);
	}
	stop = true;
	for (int i = 0; i < RACE_THREADS; i++)
		igt_assert_eq(pthread_join(t[i].thread, NULL), 0);
	igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);

	for (int i = 0; i < RACE_THREADS; i++) {
		igt_assert_f(t[i].sigbus, "thread %d never got SIGBUS after "
			     "the revoke (%lu loops)\n", i, t[i].loops);
		igt_assert_f(t[i].fault_addr == t[i].touched,
			     "thread %d: SIGBUS at %p, touched %p\n", i,
			     t[i].fault_addr, t[i].touched);
	}
	secbuf_munmap(map, BUF_SIZE);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/* ---- GUP ---------------------------------------------------------------- */

/* ---- Concurrent revocation ------------------------------------------- */

#define CR_GRANTS	16
#define CR_SIZE		(8 * SECBUF_SZ_1M)

struct cr_revoker {
	int pool_fd;
	int buf;
	volatile int go;
	int ret;
};

static void *cr_revoke_thread(void *data)
{
	struct cr_revoker *r = data;

	while (!r->go)
		;
	r->ret = revoke_err(r->pool_fd, r->buf, 0);
	return NULL;
}

/*
 * Map @dmabuf from the second page on, so that the mapping is made of
 * PTEs (no PMD), and fault every page in: its zap takes a while.
 */
static char *cr_map_all(int dmabuf)
{
	size_t len = CR_SIZE - 4096;
	char *p = __secbuf_mmap(dmabuf, len, 4096, PROT_READ, MAP_SHARED);
	volatile char sink;

	igt_assert(p);
	for (size_t off = 0; off < len; off += 4096)
		sink = p[off];
	(void)sink;
	return p;
}

static void concurrent_revoke_once(void)
{
	size_t len = CR_SIZE - 4096;
	int buf = secbuf_alloc(fd, CR_SIZE, 0, O_RDWR | O_CLOEXEC);
	struct cr_revoker r = { .pool_fd = fd, .buf = buf };
	char *maps[CR_GRANTS];
	int grants[CR_GRANTS];
	struct secbuf_query q;
	pthread_t t;

	for (int i = 0; i < CR_GRANTS; i++) {
		grants[i] = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		maps[i] = cr_map_all(grants[i]);
	}
	igt_assert_eq(pthread_create(&t, NULL, cr_revoke_thread, &r), 0);
	r.go = 1;
	do {
		secbuf_query(fd, buf, &q);
	} while (q.state != SECBUF_STATE_REVOKED);
	igt_assert_eq(revoke_err(fd, buf, 0), 0);
	/* The last grant is zapped last: it must be gone now. */
	secbuf_assert_sigbus(maps[CR_GRANTS - 1] + len - 4096, false);
	igt_assert_eq(pthread_join(t, NULL), 0);
	igt_assert_eq(r.ret, 0);

	for (int i = 0; i < CR_GRANTS; i++) {
		secbuf_munmap(maps[i], len);
		close(grants[i]);
	}
	close(buf);
	secbuf_pool_assert_idle(pool);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- The whole buffer ------------------------------------------- */

	igt_describe("After REVOKE every mapping of every handle (two of the "
		     "owner's fd, one of a grant) raises SIGBUS at the touched "
		     "address, on read and on write.");
	igt_subtest("revoke-sigbus-every-mapping") {
		char *a, *b, *g;
		int buf = alloc_filled(fd, 1, &a);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					 SECBUF_GRANT_WRITE, NULL);

		b = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		g = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(g, BUF_SIZE, 1);

		secbuf_revoke(fd, buf, 0);
		secbuf_assert_sigbus(a, false);
		secbuf_assert_sigbus(a + BUF_SIZE / 2, true);
		secbuf_assert_sigbus(b + BUF_SIZE - 8, false);
		secbuf_assert_sigbus(g, false);
		secbuf_assert_sigbus(g + 4096, true);

		secbuf_munmap(a, BUF_SIZE);
		secbuf_munmap(b, BUF_SIZE);
		secbuf_munmap(g, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A process that received the buffer over a unix socket "
		     "and mapped it gets SIGBUS on its mapping once the owner "
		     "revokes.");
	igt_subtest("revoke-sigbus-other-process") {
		int sv[2], buf;
		char *ptr;

		socketpair_seqpacket(sv);
		igt_fork(child, 1) {
			int got;
			char *cptr;

			close(sv[0]);
			close(fd);
			got = secbuf_recv_fd(sv[1]);
			cptr = secbuf_mmap(got, BUF_SIZE, PROT_READ | PROT_WRITE);
			secbuf_assert_filled(cptr, BUF_SIZE, 2);
			send_byte(sv[1], 'm');
			igt_assert_eq(recv_byte(sv[1]), 'r');
			secbuf_assert_sigbus(cptr + 3 * 4096, false);
			secbuf_assert_sigbus(cptr + 5 * 4096 + 8, true);
			secbuf_munmap(cptr, BUF_SIZE);
			close(got);
		}
		close(sv[1]);
		buf = alloc_filled(fd, 2, &ptr);
		secbuf_send_fd(sv[0], buf);
		igt_assert_eq(recv_byte(sv[0]), 'm');
		secbuf_revoke(fd, buf, 0);
		send_byte(sv[0], 'r');
		igt_waitchildren();

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A revoked buffer's fd refuses a new mmap with ENODEV.");
	igt_subtest("revoke-mmap-enodev") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		secbuf_revoke(fd, buf, 0);
		assert_mmap_fails(buf, PROT_READ, ENODEV);
		assert_mmap_fails(buf, PROT_READ | PROT_WRITE, ENODEV);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BUF_IOCTL_SYNC starting a CPU access (read, write, "
		     "both) of a revoked buffer is ENODEV.");
	igt_subtest("revoke-sync-enodev") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		secbuf_revoke(fd, buf, 0);
		igt_assert_eq(__secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START |
					    DMA_BUF_SYNC_READ), -ENODEV);
		igt_assert_eq(__secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START |
					    DMA_BUF_SYNC_WRITE), -ENODEV);
		igt_assert_eq(__secbuf_dmabuf_sync(buf, DMA_BUF_SYNC_START |
					    DMA_BUF_SYNC_RW), -ENODEV);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("GRANT from a revoked buffer is ENODEV and gives no fd.");
	igt_subtest("revoke-grant-enodev") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_snapshot snap;
		int grant = -1;

		secbuf_revoke(fd, buf, 0);
		secbuf_snapshot(&snap, pool);
		igt_assert_eq(__secbuf_grant(fd, buf, SECBUF_GRANT_READ, O_CLOEXEC,
					     &grant, NULL), -ENODEV);
		secbuf_assert_unchanged(&snap);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A driver cannot import a revoked buffer: vgem's PRIME "
		     "import (attach) fails with ENODEV.");
	igt_subtest("revoke-vgem-import-fails") {
		int vgem = secbuf_open_vgem();
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint32_t handle = 0;

		secbuf_revoke(fd, buf, 0);
		igt_assert_eq(__secbuf_prime_fd_to_handle(vgem, buf, &handle), -ENODEV);
		close(buf);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("With no device holding it, a revoked buffer's memory is "
		     "back in the pool at once (used_bytes, buffers 0, nothing "
		     "quarantined) while its fd is still open.");
	igt_subtest("revoke-frees-memory") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct secbuf_pool_info pi;

		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, BUF_SIZE);
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.used_bytes, 0);
		igt_assert_eq_u64(pi.buffer_count, 0);
		igt_assert_eq_u64(pi.quarantined_bytes, 0);
		igt_assert_eq_u32(pi.file_buffers, 0);
		igt_assert_eq_u64(pi.file_used_bytes, 0);
		secbuf_pool_assert_idle(pool);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Revoking a revoked buffer again succeeds and changes "
		     "nothing.");
	igt_subtest("revoke-twice") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
		secbuf_pool_assert_idle(pool);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("QUERY reports a revoked buffer as revoked, for the "
		     "owner's fd and for its grants, size and id unchanged.");
	igt_subtest("revoke-query-state") {
		struct secbuf_alloc arg = { .size = BUF_SIZE,
					    .fd_flags = O_RDWR | O_CLOEXEC };
		int buf = secbuf_alloc_full(fd, &arg);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		struct secbuf_query q;

		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
		secbuf_revoke(fd, buf, 0);
		secbuf_query(fd, buf, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_REVOKED);
		igt_assert_eq_u64(q.size, BUF_SIZE);
		igt_assert_eq_u64(q.id, arg.id);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_REVOKED);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- One grant -------------------------------------------------- */

	igt_describe("Revoking one grant: its mappings raise SIGBUS, while the "
		     "owner's mapping and another grant's mapping keep working "
		     "with their data.");
	igt_subtest("revoke-grant-only-that-grant") {
		char *own, *g1, *g2;
		int buf = alloc_filled(fd, 3, &own);
		uint64_t id1, id2;
		int grant1 = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					  SECBUF_GRANT_WRITE, &id1);
		int grant2 = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
					  SECBUF_GRANT_WRITE, &id2);

		igt_assert_neq_u64(id1, 0);
		igt_assert_neq_u64(id2, 0);
		igt_assert_neq_u64(id1, id2);
		g1 = secbuf_mmap(grant1, BUF_SIZE, PROT_READ | PROT_WRITE);
		g2 = secbuf_mmap(grant2, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(g1, BUF_SIZE, 3);
		secbuf_assert_filled(g2, BUF_SIZE, 3);

		secbuf_revoke(fd, buf, id1);
		secbuf_assert_sigbus(g1, false);
		secbuf_assert_sigbus(g1 + BUF_SIZE - 4096, true);
		secbuf_assert_filled(own, BUF_SIZE, 3);
		secbuf_assert_filled(g2, BUF_SIZE, 3);
		secbuf_fill(g2, BUF_SIZE, 4);
		secbuf_assert_filled(own, BUF_SIZE, 4);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		secbuf_munmap(g1, BUF_SIZE);
		secbuf_munmap(g2, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(grant1);
		close(grant2);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A revoked grant refuses mmap (ENODEV) and GRANT "
		     "(ENODEV); QUERY shows the handle revoked, the buffer "
		     "live; the owner's fd still maps.");
	igt_subtest("revoke-grant-handle-dead") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_VALID_RIGHTS, &id);
		struct secbuf_query q;
		int sub = -1;
		void *ptr;

		secbuf_revoke(fd, buf, id);
		assert_mmap_fails(grant, PROT_READ, ENODEV);
		igt_assert_eq(__secbuf_grant(fd, grant, SECBUF_GRANT_READ,
					     O_CLOEXEC, &sub, NULL), -ENODEV);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_REVOKED);
		igt_assert_eq_u64(q.grant_id, id);

		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_munmap(ptr, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Revoking a revoked grant again succeeds.");
	igt_subtest("revoke-grant-twice") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &id);

		secbuf_revoke(fd, buf, id);
		secbuf_revoke(fd, buf, id);
		/* Named through the grant's own fd too. */
		secbuf_revoke(fd, grant, id);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Revoking a grant revokes every grant derived from it "
		     "with REGRANT, also through a derived grant whose fd was "
		     "closed in between: their mappings raise SIGBUS, "
		     "GRANT_LIST shows them revoked and no grant can be "
		     "derived from them; a sibling grant the owner made keeps "
		     "its mapping and data.");
	igt_subtest("revoke-grant-cascades") {
		struct secbuf_grant_info info[8];
		uint64_t ida, idb, idc, idd;
		char *own, *gc, *gd;
		int buf = alloc_filled(fd, 5, &own);
		int a = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
				     SECBUF_GRANT_REGRANT, &ida);
		int b = secbuf_grant(fd, a, SECBUF_GRANT_READ |
				     SECBUF_GRANT_REGRANT, &idb);
		int c = secbuf_grant(fd, b, SECBUF_GRANT_READ, &idc);
		int d = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &idd);
		int sub = -1;
		uint32_t n;

		/* c's parent b goes away; c now descends from a directly. */
		close(b);
		gc = secbuf_mmap(c, BUF_SIZE, PROT_READ);
		gd = secbuf_mmap(d, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(gc, BUF_SIZE, 5);

		secbuf_revoke(fd, buf, ida);
		secbuf_assert_sigbus(gc, false);
		secbuf_assert_sigbus(gc + BUF_SIZE - 4096, false);
		secbuf_assert_filled(gd, BUF_SIZE, 5);
		secbuf_assert_filled(own, BUF_SIZE, 5);
		igt_assert_eq(__secbuf_grant(fd, a, SECBUF_GRANT_READ,
					     O_CLOEXEC, &sub, NULL), -ENODEV);
		igt_assert_eq(__secbuf_grant(fd, c, SECBUF_GRANT_READ,
					     O_CLOEXEC, &sub, NULL), -ENODEV);
		assert_mmap_fails(c, PROT_READ, ENODEV);

		n = secbuf_grant_list(fd, buf, info, 8);
		igt_assert_eq_u32(n, 3);
		for (uint32_t i = 0; i < n; i++) {
			igt_assert(info[i].grant_id != idb);
			igt_assert_eq_u32(info[i].state,
					  info[i].grant_id == idd ?
					  SECBUF_STATE_LIVE :
					  SECBUF_STATE_REVOKED);
		}

		secbuf_munmap(gc, BUF_SIZE);
		secbuf_munmap(gd, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(a);
		close(c);
		close(d);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A grant whose fd was closed stays revocable while a "
		     "grant derived from it lives: the client derives G2 from "
		     "G1 and G3 from G2, then closes G2; REVOKE of G2 "
		     "succeeds and G3's mapping raises SIGBUS while G1 and "
		     "the owner read on. Once G3 is closed too, G2's id is "
		     "gone (ENOENT).");
	igt_subtest("revoke-grant-closed-middle") {
		uint64_t id1, id2, id3;
		char *own, *m1, *m3;
		int buf = alloc_filled(fd, 6, &own);
		int g1 = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
				      SECBUF_GRANT_REGRANT, &id1);
		int g2 = secbuf_grant(fd, g1, SECBUF_GRANT_READ |
				      SECBUF_GRANT_REGRANT, &id2);
		int g3 = secbuf_grant(fd, g2, SECBUF_GRANT_READ, &id3);

		close(g2);
		m1 = secbuf_mmap(g1, BUF_SIZE, PROT_READ);
		m3 = secbuf_mmap(g3, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(m3, BUF_SIZE, 6);

		igt_assert_eq(revoke_err(fd, buf, id2), 0);
		secbuf_assert_sigbus(m3, false);
		secbuf_assert_sigbus(m3 + BUF_SIZE - 4096, false);
		assert_mmap_fails(g3, PROT_READ, ENODEV);
		secbuf_assert_filled(m1, BUF_SIZE, 6);
		secbuf_assert_filled(own, BUF_SIZE, 6);

		secbuf_munmap(m3, BUF_SIZE);
		close(g3);
		igt_assert_eq(revoke_err(fd, buf, id2), -ENOENT);
		igt_assert_eq(revoke_err(fd, buf, id3), -ENOENT);
		secbuf_assert_filled(m1, BUF_SIZE, 6);

		secbuf_munmap(m1, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(g1);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The root of a chain of derived grants stays revocable "
		     "after its fd is closed: G1 (from the owner) -> G2 -> G3, "
		     "G1 closed; REVOKE of G1 cuts G2 and G3 (SIGBUS, no new "
		     "grant from them), a sibling grant of the owner's keeps "
		     "its mapping.");
	igt_subtest("revoke-grant-closed-root") {
		uint64_t id1, id2, id3, ids;
		char *own, *m2, *m3, *ms;
		int buf = alloc_filled(fd, 7, &own);
		int g1 = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
				      SECBUF_GRANT_REGRANT, &id1);
		int g2 = secbuf_grant(fd, g1, SECBUF_GRANT_READ |
				      SECBUF_GRANT_REGRANT, &id2);
		int g3 = secbuf_grant(fd, g2, SECBUF_GRANT_READ, &id3);
		int sib = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &ids);
		int sub = -1;

		close(g1);
		m2 = secbuf_mmap(g2, BUF_SIZE, PROT_READ);
		m3 = secbuf_mmap(g3, BUF_SIZE, PROT_READ);
		ms = secbuf_mmap(sib, BUF_SIZE, PROT_READ);

		igt_assert_eq(revoke_err(fd, buf, id1), 0);
		secbuf_assert_sigbus(m2, false);
		secbuf_assert_sigbus(m3, false);
		igt_assert_eq(__secbuf_grant(fd, g2, SECBUF_GRANT_READ,
					     O_CLOEXEC, &sub, NULL), -ENODEV);
		secbuf_assert_filled(ms, BUF_SIZE, 7);
		secbuf_assert_filled(own, BUF_SIZE, 7);

		secbuf_munmap(m2, BUF_SIZE);
		secbuf_munmap(m3, BUF_SIZE);
		secbuf_munmap(ms, BUF_SIZE);
		secbuf_munmap(own, BUF_SIZE);
		close(g2);
		close(g3);
		close(sib);
		igt_assert_eq(revoke_err(fd, buf, id1), -ENOENT);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A second REVOKE that runs while the first is still "
		     "zapping returns only once every mapping is gone: 16 "
		     "grants mapped page by page, a thread revokes, the main "
		     "thread revokes as soon as QUERY shows the buffer revoked "
		     "and then touches the last grant's mapping, which must "
		     "raise SIGBUS; 20 rounds.");
	igt_subtest("revoke-concurrent-returns-after-zap") {
		for (int round = 0; round < 20; round++)
			concurrent_revoke_once();
	}

	/* ---- Owner death ------------------------------------------------ */

	igt_describe("Closing the owner's pool file (in the owner's process) "
		     "revokes its buffer: the mapping of another process that "
		     "holds the fd raises SIGBUS and the pool usage is 0 at "
		     "once, the fd still open.");
	igt_subtest("owner-close-revokes") {
		int sv[2], buf;
		pid_t owner;
		char *ptr;

		socketpair_seqpacket(sv);
		owner = spawn_owner(sv[1], 5);
		close(sv[1]);
		buf = secbuf_recv_fd(sv[0]);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(ptr, BUF_SIZE, 5);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		send_byte(sv[0], 'c');
		igt_assert_eq(recv_byte(sv[0]), 'k');
		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(ptr, false);
		secbuf_assert_sigbus(ptr + 4096, true);
		assert_mmap_fails(buf, PROT_READ, ENODEV);

		reap(owner, SIGKILL);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SIGKILL of the owner process revokes its buffers: the "
		     "survivor's mapping raises SIGBUS and the usage is 0.");
	igt_subtest("owner-killed-revokes") {
		int sv[2], buf;
		pid_t owner;
		char *ptr;

		socketpair_seqpacket(sv);
		owner = spawn_owner(sv[1], 6);
		close(sv[1]);
		buf = secbuf_recv_fd(sv[0]);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 6);

		reap(owner, SIGKILL);
		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(ptr + BUF_SIZE - 8, false);

		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Closing one pool file revokes only its own buffers: a "
		     "buffer of another pool file of the same pool keeps its "
		     "mapping and data.");
	igt_subtest("owner-close-only-own-buffers") {
		int other = secbuf_open_pool(pool);
		char *mine, *theirs;
		int a = alloc_filled(fd, 7, &mine);
		int b = alloc_filled(other, 8, &theirs);

		close(other);
		secbuf_assert_sigbus(theirs, false);
		secbuf_assert_filled(mine, BUF_SIZE, 7);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		secbuf_munmap(mine, BUF_SIZE);
		secbuf_munmap(theirs, BUF_SIZE);
		close(a);
		close(b);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer from /dev/dma_heap/<pool> is not revoked when "
		     "the heap file closes (dma-heap semantics): data and usage "
		     "stay until its fd is closed.");
	igt_subtest("heap-buffer-outlives-heap-file") {
		int heap = secbuf_open_heap(pool);
		int buf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		char *ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, BUF_SIZE, 9);
		close(heap);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		secbuf_assert_filled(ptr, BUF_SIZE, 9);
		secbuf_munmap(ptr, BUF_SIZE);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 9);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A /dev/dma_heap/<pool> buffer cannot be revoked through "
		     "a /dev/secbuf pool file: EPERM, and it keeps working.");
	igt_subtest("heap-buffer-revoke-eperm") {
		int heap = secbuf_open_heap(pool);
		int buf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		char *ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, BUF_SIZE, 10);
		igt_assert_eq(revoke_err(fd, buf, 0), -EPERM);
		secbuf_assert_filled(ptr, BUF_SIZE, 10);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(heap);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Quarantine ------------------------------------------------- */

	igt_describe("Revoking a buffer a static importer maps quarantines "
		     "it: REVOKE and POOL_INFO report quarantined_bytes, "
		     "used_bytes still counts it until the importer lets go, "
		     "then both are 0. Before 7.0 that importer is vgem, "
		     "whose import maps. On 7.x vgem's import only attaches: "
		     "revoking a buffer vgem imported must quarantine nothing "
		     "(REVOKE and POOL_INFO 0, the memory back at once), and "
		     "the quarantine is checked with the test importer's "
		     "static import, which maps.");
	igt_subtest("quarantine-vgem-import") {
		int vgem = secbuf_open_vgem();
		struct secbuf_mapped_import imp;
		struct secbuf_pool_info pi;
		uint64_t q;
		int buf;

		if (!secbuf_vgem_import_maps()) {
			uint32_t handle;

			buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			handle = prime_fd_to_handle(vgem, buf);
			igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
			secbuf_pool_info(fd, &pi);
			igt_assert_eq_u64(pi.quarantined_bytes, 0);
			igt_assert_eq_u64(pi.used_bytes, 0);
			igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), 0);
			close(buf);
			gem_close(vgem, handle);
			secbuf_pool_assert_idle(pool);
		}

		/* vgem before 7.0, the test importer's static import on 7.x. */
		buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		secbuf_mapped_import(buf, &imp);
		q = secbuf_revoke(fd, buf, 0);
		igt_assert_eq_u64(q, BUF_SIZE);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.quarantined_bytes, BUF_SIZE);
		igt_assert_eq_u64(pi.used_bytes, BUF_SIZE);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		/* Again: still quarantined, reported again. */
		igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), BUF_SIZE);

		close(buf);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.quarantined_bytes, BUF_SIZE);
		igt_assert_eq_u64(pi.used_bytes, BUF_SIZE);

		secbuf_mapped_import_release(&imp);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.quarantined_bytes, 0);
		igt_assert_eq_u64(pi.used_bytes, 0);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Closing the owner's pool file while a static importer "
		     "maps one of its buffers quarantines the buffer the same "
		     "way, until the import goes. Before 7.0 that importer is "
		     "vgem. On 7.x vgem's import only attaches: closing the "
		     "owner's file must then quarantine nothing, and the "
		     "quarantine is checked with the test importer's static "
		     "import, which maps.");
	igt_subtest("quarantine-owner-close") {
		int vgem = secbuf_open_vgem();
		struct secbuf_mapped_import imp;
		struct secbuf_pool_info pi;
		int owner, buf;

		if (!secbuf_vgem_import_maps()) {
			uint32_t handle;

			owner = secbuf_open_pool(pool);
			buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			handle = prime_fd_to_handle(vgem, buf);
			close(buf);
			close(owner);
			secbuf_pool_info(fd, &pi);
			igt_assert_eq_u64(pi.quarantined_bytes, 0);
			igt_assert_eq_u64(pi.used_bytes, 0);
			gem_close(vgem, handle);
			secbuf_pool_assert_idle(pool);
		}

		/* vgem before 7.0, the test importer's static import on 7.x. */
		owner = secbuf_open_pool(pool);
		buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		secbuf_mapped_import(buf, &imp);
		close(buf);
		close(owner);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.quarantined_bytes, BUF_SIZE);
		igt_assert_eq_u64(pi.used_bytes, BUF_SIZE);
		secbuf_mapped_import_release(&imp);
		close(vgem);
		secbuf_pool_info(fd, &pi);
		igt_assert_eq_u64(pi.quarantined_bytes, 0);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("POOL_INFO with the first, 72-byte struct works and "
		     "writes nothing past it; the second adds "
		     "quarantined_bytes at offset 72, the current one "
		     "cached_bytes and prezeroed_bytes at 80.");
	igt_subtest("pool-info-v0-and-current") {
		uint8_t raw[128];
		struct secbuf_pool_info pi;

		igt_assert_eq(SECBUF_POOL_INFO_SIZE_VER0, 72);
		igt_assert_eq(offsetof(struct secbuf_pool_info, quarantined_bytes),
			      SECBUF_POOL_INFO_SIZE_VER0);
		igt_assert_eq(SECBUF_POOL_INFO_SIZE_VER1, 80);
		igt_assert_eq(offsetof(struct secbuf_pool_info, cached_bytes),
			      SECBUF_POOL_INFO_SIZE_VER1);
		igt_assert_eq(sizeof(struct secbuf_pool_info), 96);

		memset(raw, 0xa5, sizeof(raw));
		memset(raw, 0, SECBUF_POOL_INFO_SIZE_VER0);
		igt_assert_eq(__secbuf_ioctl(fd, SECBUF_IOC_POOL_INFO_SZ(SECBUF_POOL_INFO_SIZE_VER0),
					     raw), 0);
		for (size_t i = SECBUF_POOL_INFO_SIZE_VER0; i < sizeof(raw); i++)
			igt_assert_f(raw[i] == 0xa5, "byte %zu past the v0 struct "
				     "written\n", i);
		memcpy(&pi, raw, SECBUF_POOL_INFO_SIZE_VER0);
		igt_assert_eq_u64(pi.total_bytes,
				  secbuf_pool_sysfs(pool, "total_bytes"));

		memset(&pi, 0, sizeof(pi));
		igt_assert_eq(__secbuf_ioctl(fd, SECBUF_IOC_POOL_INFO, &pi), 0);
		igt_assert_eq_u64(pi.quarantined_bytes, 0);
		igt_assert_eq_u64(pi.total_bytes,
				  secbuf_pool_sysfs(pool, "total_bytes"));
	}

	/* ---- Errors ----------------------------------------------------- */

	igt_describe("REVOKE from a pool file that does not own the buffer "
		     "(another pool file of the same pool, in this or another "
		     "process) is EPERM and revokes nothing.");
	igt_subtest("revoke-not-owner-eperm") {
		int other = secbuf_open_pool(pool);
		char *ptr;
		int buf = alloc_filled(fd, 11, &ptr);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_VALID_RIGHTS, &id);

		igt_assert_eq(revoke_err(other, buf, 0), -EPERM);
		igt_assert_eq(revoke_err(other, grant, id), -EPERM);
		igt_assert_eq(revoke_err(other, grant, 0), -EPERM);
		igt_fork(child, 1) {
			int mine = secbuf_open_pool(pool);

			igt_assert_eq(revoke_err(mine, buf, 0), -EPERM);
			igt_assert_eq(revoke_err(mine, grant, id), -EPERM);
			close(mine);
		}
		igt_waitchildren();
		secbuf_assert_filled(ptr, BUF_SIZE, 11);

		close(other);
		secbuf_munmap(ptr, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("REVOKE of an fd that is not a dma-buf (/dev/null, the "
		     "pool file itself) is EINVAL.");
	igt_subtest("revoke-not-dmabuf-einval") {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		igt_assert_fd(null);
		igt_assert_eq(revoke_err(fd, null, 0), -EINVAL);
		igt_assert_eq(revoke_err(fd, fd, 0), -EINVAL);
		close(null);
	}

	igt_describe("REVOKE of a dma-buf of another exporter (vgem) is "
		     "EINVAL.");
	igt_subtest("revoke-other-exporter-einval") {
		struct vgem_bo bo = { .width = 1024, .height = BUF_SIZE / 4096,
				      .bpp = 32 };
		int vgem = secbuf_open_vgem();
		int other;

		igt_require(__vgem_create(vgem, &bo) == 0);
		other = prime_handle_to_fd_for_mmap(vgem, bo.handle);
		igt_assert_fd(other);
		igt_assert_eq(revoke_err(fd, other, 0), -EINVAL);
		close(other);
		gem_close(vgem, bo.handle);
		close(vgem);
	}

	igt_describe("REVOKE on one pool's file of a buffer of another pool "
		     "is EINVAL, and the buffer keeps working.");
	igt_subtest("revoke-other-pool-einval") {
		const char *pool2 = secbuf_pool2_name();
		int fd2 = secbuf_open_pool(pool2);
		char *ptr;
		int buf = alloc_filled(fd2, 12, &ptr);

		igt_assert_eq(revoke_err(fd, buf, 0), -EINVAL);
		secbuf_assert_filled(ptr, BUF_SIZE, 12);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		close(fd2);
		secbuf_pool_assert_idle(pool2);
	}

	igt_describe("REVOKE of a closed fd number, or of -1, is EBADF.");
	igt_subtest("revoke-closed-fd-ebadf") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);

		close(buf);
		igt_assert_eq(revoke_err(fd, buf, 0), -EBADF);
		igt_assert_eq(revoke_err(fd, -1, 0), -EBADF);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("REVOKE of a grant id the buffer does not have is ENOENT "
		     "and revokes nothing.");
	igt_subtest("revoke-unknown-grant-enoent") {
		char *ptr;
		int buf = alloc_filled(fd, 13, &ptr);
		uint64_t id;
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, &id);
		struct secbuf_query q;

		igt_assert_eq(revoke_err(fd, buf, id + 1), -ENOENT);
		igt_assert_eq(revoke_err(fd, buf, ~0ULL), -ENOENT);
		secbuf_query(fd, grant, &q);
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
		secbuf_assert_filled(ptr, BUF_SIZE, 13);
		secbuf_munmap(ptr, BUF_SIZE);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("REVOKE with any flags bit set is EINVAL and revokes "
		     "nothing.");
	igt_subtest("revoke-flags-einval") {
		char *ptr;
		int buf = alloc_filled(fd, 14, &ptr);

		for (int bit = 0; bit < 32; bit++) {
			struct secbuf_revoke arg = {
				.buf_fd = (uint32_t)buf,
				.flags = 1U << bit,
			};

			if (arg.flags & SECBUF_REVOKE_VALID_FLAGS)
				continue;
			igt_assert_eq(__secbuf_revoke_full(fd, &arg), -EINVAL);
		}
		secbuf_assert_filled(ptr, BUF_SIZE, 14);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("REVOKE with the out field quarantined_bytes not 0 on "
		     "input is EINVAL and revokes nothing.");
	igt_subtest("revoke-out-field-einval") {
		char *ptr;
		int buf = alloc_filled(fd, 15, &ptr);
		struct secbuf_revoke arg = {
			.buf_fd = (uint32_t)buf,
			.quarantined_bytes = 1,
		};

		igt_assert_eq(__secbuf_revoke_full(fd, &arg), -EINVAL);
		arg.quarantined_bytes = 1ULL << 63;
		igt_assert_eq(__secbuf_revoke_full(fd, &arg), -EINVAL);
		secbuf_assert_filled(ptr, BUF_SIZE, 15);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- GUP refused ------------------------------------------------ */

	igt_describe("process_vm_readv and process_vm_writev from another "
		     "process cannot reach a secbuf mapping (EFAULT).");
	igt_subtest("gup-process-vm-rw") {
		char *ptr;
		int buf = alloc_filled(fd, 16, &ptr);
		pid_t parent = getpid();

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
		secbuf_assert_filled(ptr, BUF_SIZE, 16);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("read() and write() of /proc/<pid>/mem at a secbuf "
		     "mapping fail (EIO) and change nothing.");
	igt_subtest("gup-proc-pid-mem") {
		char *ptr;
		int buf = alloc_filled(fd, 17, &ptr);
		pid_t parent = getpid();

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
		secbuf_assert_filled(ptr, BUF_SIZE, 17);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("vmsplice() of a secbuf mapping into a pipe fails "
		     "(EFAULT): no page of it can be pinned in a pipe.");
	igt_subtest("gup-vmsplice") {
		char *ptr;
		int buf = alloc_filled(fd, 18, &ptr);
		struct iovec iov = { ptr, 4096 };
		int p[2];

		igt_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
		igt_assert_eq(vmsplice(p[1], &iov, 1, 0), -1);
		igt_assert_eq(errno, EFAULT);
		igt_assert_eq(vmsplice(p[1], &iov, 1, SPLICE_F_GIFT), -1);
		igt_assert_eq(errno, EFAULT);
		close(p[0]);
		close(p[1]);
		secbuf_munmap(ptr, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Race ------------------------------------------------------- */

	igt_describe("REVOKE while two threads touch every page of the mapping "
		     "in a loop (faulting it in, and again after the zap): each "
		     "thread gets "
		     "SIGBUS at the address it touched, the pool is idle after, "
		     "20 rounds.");
	igt_subtest("revoke-race-faulting-threads") {
		for (int round = 0; round < 20; round++)
			race_once();
	}

	igt_fixture {
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}
