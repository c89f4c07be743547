// SPDX-License-Identifier: MIT
/*
 * secbuf_window: DMA windows (SECBUF_IOC_DMA_BEGIN, _DMA_END). While the
 * owner has a window open, every CPU mapping of the buffer is zapped and a
 * CPU fault waits for the end (SECBUF_DMA_WAIT) or raises SIGBUS at once
 * (SECBUF_DMA_STRICT); the window is a fence on the buffer's reservation
 * object, so DMA_BUF_IOCTL_SYNC, poll() and importers see it; it expires
 * after dma_window_timeout_ms; revocation ends it. Outside a window a CPU
 * fault waits for the fences importers (vgem) put on the buffer.
 *
 * Most checks run in a *peer*: a process forked before the buffer exists,
 * which gets its dma-buf only over a unix socket and then does what the
 * test sends it on that socket (map, read, write, sync, ...), answering
 * each command. A command that blocks in the kernel is seen from outside
 * as a missing answer; the peer first answers "started", so the test
 * knows the call was made before it starts the clock.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <linux/futex.h>
#include <linux/sync_file.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_vgem.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("SECBUF_IOC_DMA_BEGIN and _DMA_END: CPU faults wait or "
		     "raise SIGBUS during a window, in every process and "
		     "through every grant; the window's fence for "
		     "DMA_BUF_IOCTL_SYNC, poll() and sync_file; expiry; "
		     "revocation ends it; importers' fences hold faults "
		     "back; every errno; races with faulting threads and "
		     "with per-grant revocation.");

#define BUF_SIZE	SECBUF_SZ_1M

/* A call that has not returned after BLOCK_MS is taken as blocked. */
#define BLOCK_MS	250
/* What must not block must be done by then (well below vgem's 10 s). */
#define PROMPT_MS	5000
/* Bound on anything that must finish; TCG guests are slow. */
#define REPLY_MS	20000

#define WINDOW_TIMEOUT_PARAM	"dma_window_timeout_ms"

#define WAIT		SECBUF_DMA_WAIT
#define STRICT		SECBUF_DMA_STRICT
#define FENCE_FD		SECBUF_DMA_FENCE_FD
#define RW		(SECBUF_GRANT_READ | SECBUF_GRANT_WRITE)

static const char *pool;
static int fd = -1;

static const struct {
	const char *name;
	uint32_t flags;
} policies[] = {
	{ "wait", SECBUF_DMA_WAIT },
	{ "strict", SECBUF_DMA_STRICT },
};

/* ---- Small helpers ------------------------------------------------------ */

/* A buffer of BUF_SIZE from @owner, filled with @seed's pattern. */
static int alloc_filled(int owner, uint64_t seed)
{
	int buf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
	char *ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);

	secbuf_fill(ptr, BUF_SIZE, seed);
	secbuf_munmap(ptr, BUF_SIZE);
	return buf;
}

static void assert_filled(int buf, uint64_t seed)
{
	char *ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);

	secbuf_assert_filled(ptr, BUF_SIZE, seed);
	secbuf_munmap(ptr, BUF_SIZE);
}

static uint32_t query_state(int pool_fd, int buf)
{
	struct secbuf_query q;

	secbuf_query(pool_fd, buf, &q);
	return q.state;
}

/* No window is open on @buf: QUERY says so and DMA_END finds none. */
static void assert_no_window(int buf)
{
	igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_LIVE);
	igt_assert_eq(__secbuf_dma_end(fd, buf), -ENOENT);
}

/* A window can be opened and closed on @buf (nothing was left behind). */
static void assert_window_works(int buf)
{
	int fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);

	igt_assert_eq(sync_fence_status(fence), 0);
	secbuf_dma_end(fd, buf);
	igt_assert_eq(sync_fence_status(fence), 1);
	close(fence);
}

static int seal_write(int pool_fd, int buf)
{
	return __secbuf_seal(pool_fd, buf, SECBUF_SEAL_WRITE, NULL);
}

static unsigned int race_seed(void)
{
	const char *env = getenv("SECBUF_SEED");
	unsigned int seed;

	if (env && *env)
		seed = (unsigned int)strtoul(env, NULL, 0);
	else
		seed = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 16);
	igt_info("seed %u (SECBUF_SEED=%u repeats it)\n", seed, seed);
	return seed;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	errno = 0;
}

/* ---- The peer: a process driven over a unix socket ---------------------- */

enum peer_op {
	PEER_RECV_FD = 1,	/* slot: take the dma-buf sent next */
	PEER_MMAP,		/* slot, len, arg = prot; answers the address */
	PEER_READ,		/* slot: read the word at offset, then check
				 * [0, len) against arg's pattern */
	PEER_WRITE,		/* slot: write the word arg at offset */
	PEER_SYNC,		/* slot: DMA_BUF_IOCTL_SYNC with flags arg */
	PEER_QUERY,		/* slot: SECBUF_IOC_QUERY on the peer's own
				 * pool file; value = state */
	PEER_DMA_BEGIN,		/* slot: DMA_BEGIN (flags arg) on its own pool file */
	PEER_DMA_END,		/* slot: DMA_END on its own pool file */
	PEER_MM_WRITE,		/* what takes the mmap lock (and, since 6.4,
				 * every VMA lock) for writing: mmap, touch
				 * and munmap anonymous memory; fork() */
	PEER_EXIT,
};

#define PEER_ACK	(1U << 0)	/* answer PEER_STARTED first */
#define PEER_THREAD	(1U << 1)	/* run in a new thread */

#define PEER_SLOTS	4

struct peer_cmd {
	uint32_t op;
	uint32_t flags;
	uint32_t slot;
	uint32_t tag;
	uint64_t offset;
	uint64_t len;
	uint64_t arg;
};

enum peer_kind {
	PEER_DONE,		/* the command finished */
	PEER_STARTED,		/* PEER_ACK: about to run it */
	PEER_SIGNALLED,		/* SIGUSR1 was handled */
	PEER_HELLO,		/* the peer runs; addr = its pid */
};

struct peer_reply {
	uint32_t kind;
	uint32_t tag;
	int32_t ret;		/* 0 or -errno of the command's system call */
	int32_t sig;		/* the signal the access raised, or 0 */
	uint64_t addr;		/* MMAP: the mapping; with sig: si_addr */
	uint64_t value;		/* READ: the word read; QUERY: state */
	uint64_t bad;		/* READ: words differing from the pattern */
};

struct peer {
	int sock;
	pid_t pid;
	uint32_t tag;
};

/* Peer side. */
static int peer_sock = -1;
static int peer_pool = -1;
static int peer_fds[PEER_SLOTS];
static char *peer_maps[PEER_SLOTS];
static size_t peer_lens[PEER_SLOTS];

static __thread sigjmp_buf peer_jmp;
static __thread volatile sig_atomic_t peer_armed;
static __thread volatile int peer_sig;
static __thread void *volatile peer_sig_addr;

static void peer_send_reply(const struct peer_reply *r)
{
	if (send(peer_sock, r, sizeof(*r), MSG_NOSIGNAL) != sizeof(*r))
		_exit(IGT_EXIT_FAILURE);
}

static void peer_fault_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!peer_armed) {
		/* Not expected: die of it, the test sees the socket close. */
		signal(sig, SIG_DFL);
		return;
	}
	peer_armed = 0;
	peer_sig = sig;
	peer_sig_addr = si->si_addr;
	siglongjmp(peer_jmp, 1);
}

static void peer_usr1_handler(int sig)
{
	struct peer_reply r = { .kind = PEER_SIGNALLED, .sig = sig };

	peer_send_reply(&r);
}

static uint64_t count_bad_words(const char *map, size_t len,
				const uint64_t *expect)
{
	const volatile uint64_t *p = (const volatile uint64_t *)map;
	uint64_t bad = 0;

	for (size_t i = 0; i < len / 8; i++)
		bad += p[i] != expect[i];
	return bad;
}

/* The access itself; a SIGBUS or SIGSEGV lands back here. */
static void peer_access(const struct peer_cmd *c, struct peer_reply *r,
			const uint64_t *expect)
{
	volatile uint64_t *word = (volatile uint64_t *)(peer_maps[c->slot] +
							c->offset);

	if (sigsetjmp(peer_jmp, 1)) {
		r->sig = peer_sig;
		r->addr = (uintptr_t)peer_sig_addr;
		return;
	}
	peer_armed = 1;
	if (c->op == PEER_WRITE) {
		*word = c->arg;
	} else {
		r->value = *word;
		if (expect)
			r->bad = count_bad_words(peer_maps[c->slot], c->len,
						 expect);
	}
	peer_armed = 0;
}

static void peer_run(const struct peer_cmd *c)
{
	struct peer_reply r = { .kind = PEER_STARTED, .tag = c->tag };
	int slot = (int)c->slot;
	uint64_t *expect = NULL;

	igt_assert(slot >= 0 && slot < PEER_SLOTS);
	if (c->op == PEER_READ && c->len) {
		expect = malloc(c->len);
		igt_assert(expect);
		secbuf_fill(expect, c->len, c->arg);
	}
	if ((c->op == PEER_QUERY || c->op == PEER_DMA_BEGIN ||
	     c->op == PEER_DMA_END) && peer_pool < 0)
		peer_pool = secbuf_open_pool(pool);

	if (c->flags & PEER_ACK)
		peer_send_reply(&r);
	r.kind = PEER_DONE;

	switch (c->op) {
	case PEER_RECV_FD:
		peer_fds[slot] = secbuf_recv_fd(peer_sock);
		break;
	case PEER_MMAP: {
		void *ptr = mmap(NULL, c->len, (int)c->arg, MAP_SHARED,
				 peer_fds[slot], 0);

		if (ptr == MAP_FAILED) {
			r.ret = -errno;
			break;
		}
		peer_maps[slot] = ptr;
		peer_lens[slot] = c->len;
		r.addr = (uintptr_t)ptr;
		break;
	}
	case PEER_READ:
	case PEER_WRITE:
		peer_access(c, &r, expect);
		break;
	case PEER_SYNC:
		r.ret = __secbuf_dmabuf_sync(peer_fds[slot], c->arg);
		break;
	case PEER_QUERY: {
		struct secbuf_query q;

		r.ret = __secbuf_query(peer_pool, peer_fds[slot], &q);
		r.value = q.state;
		break;
	}
	case PEER_DMA_BEGIN: {
		int fence = -1;

		r.ret = __secbuf_dma_begin(peer_pool, peer_fds[slot],
					   (uint32_t)c->arg, &fence);
		if (fence >= 0)
			close(fence);
		break;
	}
	case PEER_DMA_END:
		r.ret = __secbuf_dma_end(peer_pool, peer_fds[slot]);
		break;
	case PEER_MM_WRITE: {
		volatile char *ptr = mmap(NULL, SECBUF_SZ_64K, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int status;
		pid_t pid;

		if (ptr == MAP_FAILED) {
			r.ret = -errno;
			break;
		}
		ptr[0] = 1;
		if (munmap((void *)ptr, SECBUF_SZ_64K)) {
			r.ret = -errno;
			break;
		}
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			r.ret = -errno;
		break;
	}
	case PEER_EXIT:
		for (int i = 0; i < PEER_SLOTS; i++) {
			if (peer_maps[i])
				munmap(peer_maps[i], peer_lens[i]);
			if (peer_fds[i] >= 0)
				close(peer_fds[i]);
		}
		if (peer_pool >= 0)
			close(peer_pool);
		break;
	default:
		igt_assert_f(false, "unknown peer op %u\n", c->op);
	}
	free(expect);
	peer_send_reply(&r);
}

static void *peer_thread(void *arg)
{
	struct peer_cmd *c = arg;

	peer_run(c);
	free(c);
	return NULL;
}

static void peer_main(int sock)
{
	struct sigaction sa = { .sa_sigaction = peer_fault_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction usr1 = { .sa_handler = peer_usr1_handler };
	struct peer_reply hello = { .kind = PEER_HELLO };
	struct peer_cmd c;

	/* Only what comes over the socket: no pool file, no buffer. */
	for (int i = 3; i < 1024; i++)
		if (i != sock)
			close(i);
	peer_sock = sock;
	for (int i = 0; i < PEER_SLOTS; i++)
		peer_fds[i] = -1;

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
	igt_assert_eq(sigaction(SIGSEGV, &sa, NULL), 0);
	sigemptyset(&usr1.sa_mask);
	igt_assert_eq(sigaction(SIGUSR1, &usr1, NULL), 0);

	hello.addr = (uint64_t)getpid();
	peer_send_reply(&hello);

	for (;;) {
		ssize_t n = recv(sock, &c, sizeof(c), 0);

		if (n == 0)
			break;
		igt_assert_eq(n, (ssize_t)sizeof(c));
		if (c.flags & PEER_THREAD) {
			struct peer_cmd *copy = malloc(sizeof(c));
			pthread_t thread;

			igt_assert(copy);
			*copy = c;
			igt_assert_eq(pthread_create(&thread, NULL, peer_thread,
						     copy), 0);
			igt_assert_eq(pthread_detach(thread), 0);
			continue;
		}
		peer_run(&c);
		if (c.op == PEER_EXIT)
			break;
	}
	close(sock);
}

/* Test side. */
static bool peer_recv(struct peer *p, struct peer_reply *r, int timeout_ms)
{
	ssize_t n;

	if (!secbuf_poll(p->sock, POLLIN, timeout_ms))
		return false;
	n = recv(p->sock, r, sizeof(*r), 0);
	igt_assert_f(n == (ssize_t)sizeof(*r),
		     "peer %d died or answered garbage (recv %zd)\n", p->pid, n);
	return true;
}

static void peer_start(struct peer *p)
{
	struct peer_reply r;
	int sv[2];

	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 sv), 0);
	igt_fork(child, 1) {
		close(sv[0]);
		peer_main(sv[1]);
	}
	close(sv[1]);
	p->sock = sv[0];
	p->tag = 0;
	p->pid = -1;
	igt_assert_f(peer_recv(p, &r, REPLY_MS), "peer did not start\n");
	igt_assert_eq_u32(r.kind, PEER_HELLO);
	p->pid = (pid_t)r.addr;
}

static uint32_t peer_send(struct peer *p, struct peer_cmd c)
{
	c.tag = ++p->tag;
	igt_assert_eq(send(p->sock, &c, sizeof(c), MSG_NOSIGNAL),
		      (ssize_t)sizeof(c));
	return c.tag;
}

/* The answer to command @tag, which must come within @timeout_ms. */
static struct peer_reply peer_wait(struct peer *p, uint32_t tag, int timeout_ms)
{
	struct peer_reply r;

	igt_assert_f(peer_recv(p, &r, timeout_ms),
		     "peer %d: no answer to command %u after %d ms\n",
		     p->pid, tag, timeout_ms);
	igt_assert_f(r.kind == PEER_DONE && r.tag == tag,
		     "peer %d: expected the end of command %u, got kind %u "
		     "tag %u\n", p->pid, tag, r.kind, r.tag);
	return r;
}

static struct peer_reply peer_call(struct peer *p, struct peer_cmd c)
{
	return peer_wait(p, peer_send(p, c), REPLY_MS);
}

/*
 * Send @c, see it start, and assert it is still blocked BLOCK_MS later.
 * Returns its tag, for peer_wait().
 */
static uint32_t peer_call_blocked(struct peer *p, struct peer_cmd c)
{
	struct peer_reply r;
	uint32_t tag;

	c.flags |= PEER_ACK;
	tag = peer_send(p, c);
	igt_assert_f(peer_recv(p, &r, REPLY_MS), "peer %d did not start "
		     "command %u\n", p->pid, tag);
	igt_assert_f(r.kind == PEER_STARTED && r.tag == tag,
		     "peer %d: expected the start of command %u, got kind %u "
		     "tag %u\n", p->pid, tag, r.kind, r.tag);
	igt_assert_f(!peer_recv(p, &r, BLOCK_MS),
		     "peer %d: command %u (op %u) finished within %d ms "
		     "(ret %d, signal %d): it did not block\n", p->pid, tag,
		     c.op, BLOCK_MS, r.ret, r.sig);
	return tag;
}

static void peer_give(struct peer *p, int slot, int dmabuf)
{
	uint32_t tag = peer_send(p, (struct peer_cmd){ .op = PEER_RECV_FD,
						       .slot = (uint32_t)slot });

	secbuf_send_fd(p->sock, dmabuf);
	igt_assert_eq(peer_wait(p, tag, REPLY_MS).ret, 0);
}

static uint64_t peer_mmap(struct peer *p, int slot, int prot)
{
	struct peer_reply r = peer_call(p, (struct peer_cmd){
		.op = PEER_MMAP, .slot = (uint32_t)slot, .len = BUF_SIZE,
		.arg = (uint64_t)prot });

	igt_assert_f(r.ret == 0, "peer mmap: %s\n", strerror(-r.ret));
	return r.addr;
}

/* The peer's mapping of @slot reads back @seed's pattern in full. */
static struct peer_cmd read_cmd(int slot, uint64_t offset, uint64_t seed)
{
	return (struct peer_cmd){ .op = PEER_READ, .slot = (uint32_t)slot,
				  .offset = offset, .len = BUF_SIZE,
				  .arg = seed };
}

static struct peer_cmd write_cmd(int slot, uint64_t offset, uint64_t value)
{
	return (struct peer_cmd){ .op = PEER_WRITE, .slot = (uint32_t)slot,
				  .offset = offset, .arg = value };
}

static void assert_read_ok(const struct peer_reply *r)
{
	igt_assert_f(r->sig == 0, "the peer's read raised signal %d at %#"
		     PRIx64 "\n", r->sig, r->addr);
	igt_assert_f(r->bad == 0, "the peer read %" PRIu64 " wrong words\n",
		     r->bad);
}

static void peer_assert_reads(struct peer *p, int slot, uint64_t offset,
			      uint64_t seed)
{
	struct peer_reply r = peer_call(p, read_cmd(slot, offset, seed));

	assert_read_ok(&r);
}

static void assert_sigbus_at(const struct peer_reply *r, uint64_t addr)
{
	igt_assert_f(r->sig == SIGBUS, "the peer's access raised signal %d, "
		     "not SIGBUS\n", r->sig);
	igt_assert_f(r->addr == addr, "SIGBUS at %#" PRIx64 ", touched %#"
		     PRIx64 "\n", r->addr, addr);
}

static void peer_stop(struct peer *p)
{
	peer_call(p, (struct peer_cmd){ .op = PEER_EXIT });
	close(p->sock);
	p->sock = -1;
}


/* Close every inherited fd but @keep and stdio (a race child's setup). */
static void close_fds_but(int keep)
{
	for (int i = 3; i < 1024; i++)
		if (i != keep)
			close(i);
}

static void send_byte(int sock, char c)
{
	igt_assert_eq(send(sock, &c, 1, MSG_NOSIGNAL), 1);
}

static char recv_byte_within(int sock, int timeout_ms)
{
	char c = 0;

	igt_assert_f(secbuf_poll(sock, POLLIN, timeout_ms),
		     "no answer from the race child after %d ms\n", timeout_ms);
	igt_assert_eq(recv(sock, &c, 1, 0), 1);
	return c;
}

static void *shared_alloc(size_t size)
{
	void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

/* ---- Race: windows against faulting threads ------------------------------ */

#define RACE_THREADS	2
#define RACE_MS		3000

struct window_race {
	uint64_t progress[RACE_THREADS];	/* finished page operations */
	int stop;
	int failed;
	int sig;
	uint64_t sig_addr;
	char why[256];
};

struct window_race_thread {
	pthread_t thread;
	struct window_race *shared;
	volatile uint64_t *map;
	const uint64_t *expect;		/* the first half's pattern */
	unsigned int seed;
	int index;
};

static struct window_race *window_race_shared;

static void window_race_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	window_race_shared->sig = sig;
	window_race_shared->sig_addr = (uintptr_t)si->si_addr;
	__atomic_store_n(&window_race_shared->failed, 1, __ATOMIC_SEQ_CST);
	_exit(IGT_EXIT_FAILURE);
}

/*
 * Each operation is a whole page: check a page of the constant first half,
 * or write a page of the second half that this thread owns and read it
 * back. Either must see exactly the right words however often the page is
 * zapped and faulted in again, and an operation that touches the buffer
 * cannot finish while a window is open.
 */
static void *window_race_fn(void *arg)
{
	struct window_race_thread *t = arg;
	struct window_race *s = t->shared;
	const size_t page_words = secbuf_page_size() / 8;
	const size_t pages = BUF_SIZE / secbuf_page_size();
	uint64_t loop = 0;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		size_t page = (size_t)rand_r(&t->seed) % pages;
		volatile uint64_t *p;

		if (page < pages / 2) {
			const uint64_t *e = t->expect + page * page_words;

			p = t->map + page * page_words;
			for (size_t i = 0; i < page_words; i++) {
				uint64_t v = p[i];

				if (v == e[i])
					continue;
				snprintf(s->why, sizeof(s->why),
					 "thread %d: page %zu word %zu is %#"
					 PRIx64 ", not %#" PRIx64, t->index,
					 page, i, v, e[i]);
				goto fail;
			}
		} else {
			uint64_t tag = (++loop << 8) | (uint64_t)t->index;

			/* The thread's own pages: every RACE_THREADS-th. */
			page -= (page - pages / 2) % RACE_THREADS;
			page += (size_t)t->index;
			p = t->map + page * page_words;
			for (size_t i = 0; i < page_words; i++)
				p[i] = tag ^ i;
			for (size_t i = 0; i < page_words; i++) {
				uint64_t v = p[i];

				if (v == (tag ^ i))
					continue;
				snprintf(s->why, sizeof(s->why),
					 "thread %d: own page %zu word %zu "
					 "reads %#" PRIx64 " after writing %#"
					 PRIx64, t->index, page, i, v, tag ^ i);
				goto fail;
			}
		}
		__atomic_add_fetch(&s->progress[t->index], 1, __ATOMIC_RELEASE);
	}
	return NULL;

fail:
	__atomic_store_n(&s->failed, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The faulting process: gets a grant, maps it, runs the threads. */
static void window_race_child(int sock, unsigned int seed)
{
	struct sigaction sa = { .sa_sigaction = window_race_signal,
				.sa_flags = SA_SIGINFO };
	struct window_race_thread t[RACE_THREADS];
	uint64_t *expect = malloc(BUF_SIZE / 2);
	volatile uint64_t *map;
	int grant;

	close_fds_but(sock);
	igt_assert(expect);
	secbuf_fill(expect, BUF_SIZE / 2, seed);
	grant = secbuf_recv_fd(sock);
	map = secbuf_mmap(grant, BUF_SIZE, PROT_READ | PROT_WRITE);
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
	igt_assert_eq(sigaction(SIGSEGV, &sa, NULL), 0);

	for (int i = 0; i < RACE_THREADS; i++) {
		t[i] = (struct window_race_thread){
			.shared = window_race_shared, .map = map,
			.expect = expect, .index = i,
			.seed = seed + 1 + (unsigned int)i,
		};
		igt_assert_eq(pthread_create(&t[i].thread, NULL,
					     window_race_fn, &t[i]), 0);
	}
	send_byte(sock, 'r');
	for (int i = 0; i < RACE_THREADS; i++)
		igt_assert_eq(pthread_join(t[i].thread, NULL), 0);

	secbuf_munmap((void *)map, BUF_SIZE);
	close(grant);
	free(expect);
	close(sock);
}

static void window_race(void)
{
	unsigned int seed = race_seed(), rng = seed;
	struct window_race *s = shared_alloc(sizeof(*s));
	uint64_t before[RACE_THREADS], during[RACE_THREADS];
	unsigned long windows = 0;
	uint64_t deadline;
	int sv[2], buf, grant, ret;
	char *ptr;

	window_race_shared = s;
	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 sv), 0);
	igt_fork(child, 1) {
		window_race_child(sv[1], seed);
	}
	close(sv[1]);

	/* The first half holds the seed's pattern, the second is scratch. */
	buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
	ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	secbuf_fill(ptr, BUF_SIZE / 2, seed);
	secbuf_munmap(ptr, BUF_SIZE);
	grant = secbuf_grant(fd, buf, RW, NULL);
	secbuf_send_fd(sv[0], grant);
	close(grant);
	igt_assert_eq(recv_byte_within(sv[0], REPLY_MS), 'r');

	deadline = secbuf_now_ms() + RACE_MS;
	while (secbuf_now_ms() < deadline &&
	       !__atomic_load_n(&s->failed, __ATOMIC_ACQUIRE)) {
		secbuf_dma_begin(fd, buf, WAIT);
		for (int i = 0; i < RACE_THREADS; i++)
			before[i] = __atomic_load_n(&s->progress[i],
						    __ATOMIC_ACQUIRE);
		sleep_us((unsigned int)rand_r(&rng) % 2000);
		for (int i = 0; i < RACE_THREADS; i++)
			during[i] = __atomic_load_n(&s->progress[i],
						    __ATOMIC_ACQUIRE);
		secbuf_dma_end(fd, buf);
		windows++;

		/* At most the operation that had touched its page before. */
		for (int i = 0; i < RACE_THREADS; i++)
			igt_assert_f(during[i] <= before[i] + 1,
				     "thread %d finished %" PRIu64 " page "
				     "operations inside window %lu\n", i,
				     during[i] - before[i], windows);
		sleep_us((unsigned int)rand_r(&rng) % 2000);
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	ret = __igt_waitchildren();
	close(sv[0]);

	igt_assert_f(!s->sig, "a faulting thread got signal %d at %#" PRIx64
		     "\n", s->sig, s->sig_addr);
	igt_assert_f(!s->failed, "%s\n", s->why);
	igt_assert_eq(ret, 0);
	igt_info("%lu windows; page operations: %" PRIu64 ", %" PRIu64 "\n",
		 windows, s->progress[0], s->progress[1]);
	igt_assert_f(windows >= 10, "only %lu windows in %d ms\n", windows,
		     RACE_MS);
	for (int i = 0; i < RACE_THREADS; i++)
		igt_assert_f(s->progress[i] > 0, "thread %d never finished "
			     "an operation\n", i);

	ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
	secbuf_assert_filled(ptr, BUF_SIZE / 2, seed);
	secbuf_munmap(ptr, BUF_SIZE);
	close(buf);
	munmap(s, sizeof(*s));
	secbuf_pool_assert_idle(pool);
}

/* ---- Race: per-grant revocation against mmap/munmap loops ----------------- */

#define GRANT_RACE_MAX_ROUNDS	200
#define GRANT_RACE_MIN_ROUNDS	5

struct grant_race_stats {
	uint64_t maps;
	uint64_t touches;
	uint64_t sigbus;
	int enodev;		/* mmap failed with ENODEV: the loop's end */
	int bad;		/* anything else went wrong: why */
	char why[160];
};

struct grant_race_thread {
	pthread_t thread;
	struct grant_race_stats *stats;
	int grant;
	unsigned int seed;
};

static __thread sigjmp_buf grant_race_jmp;
static __thread volatile sig_atomic_t grant_race_armed;
static __thread void *volatile grant_race_addr;

static void grant_race_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!grant_race_armed) {
		signal(sig, SIG_DFL);
		return;
	}
	grant_race_armed = 0;
	grant_race_addr = si->si_addr;
	siglongjmp(grant_race_jmp, 1);
}

/*
 * mmap a random range of the grant, touch (read, then write back) a few
 * random words of it, munmap; until mmap fails. It must fail with ENODEV,
 * and once a touch raised SIGBUS (the grant is being revoked) the next
 * mmap must fail.
 */
static void *grant_race_fn(void *arg)
{
	struct grant_race_thread *t = arg;
	struct grant_race_stats *st = t->stats;
	const size_t page = secbuf_page_size();
	const size_t pages = BUF_SIZE / page;
	uint64_t deadline = secbuf_now_ms() + REPLY_MS / 2;
	bool must_fail = false;

	while (!st->bad) {
		size_t n = 1 + (size_t)rand_r(&t->seed) % 16;
		size_t first = (size_t)rand_r(&t->seed) % (pages - n + 1);
		size_t len = n * page;
		volatile uint64_t *map;
		void *ptr;

		if (secbuf_now_ms() > deadline) {
			snprintf(st->why, sizeof(st->why), "mmap still works "
				 "%d ms after the grant's revocation began",
				 REPLY_MS / 2);
			st->bad = 1;
			break;
		}
		ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			   t->grant, (off_t)(first * page));
		if (ptr == MAP_FAILED) {
			if (errno == ENODEV) {
				st->enodev = 1;
			} else {
				snprintf(st->why, sizeof(st->why), "mmap: %s, "
					 "not ENODEV", strerror(errno));
				st->bad = 1;
			}
			break;
		}
		if (must_fail) {
			snprintf(st->why, sizeof(st->why),
				 "mmap worked after a SIGBUS of the grant");
			st->bad = 1;
			munmap(ptr, len);
			break;
		}
		st->maps++;
		map = ptr;

		if (sigsetjmp(grant_race_jmp, 1) == 0) {
			grant_race_armed = 1;
			for (int k = 0; k < 4; k++) {
				size_t i = (size_t)rand_r(&t->seed) % (len / 8);
				uint64_t v = map[i];

				map[i] = v;
				st->touches++;
			}
			grant_race_armed = 0;
		} else {
			char *a = grant_race_addr;

			st->sigbus++;
			must_fail = true;
			if (a < (char *)ptr || a >= (char *)ptr + len) {
				snprintf(st->why, sizeof(st->why), "SIGBUS "
					 "at %p, outside the mapping %p+%#zx",
					 a, ptr, len);
				st->bad = 1;
			}
		}
		munmap(ptr, len);
	}
	return NULL;
}

static void grant_race_child(int sock, struct grant_race_stats *stats,
			     unsigned int seed)
{
	struct sigaction sa = { .sa_sigaction = grant_race_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct grant_race_thread t[RACE_THREADS];

	close_fds_but(sock);
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);

	for (unsigned int round = 0; ; round++) {
		char c = 0;
		int grant;

		igt_assert_eq(recv(sock, &c, 1, 0), 1);
		if (c == 'q')
			break;
		grant = secbuf_recv_fd(sock);
		memset(stats, 0, sizeof(*stats) * RACE_THREADS);
		for (int i = 0; i < RACE_THREADS; i++) {
			t[i] = (struct grant_race_thread){
				.stats = &stats[i], .grant = grant,
				.seed = seed + round * RACE_THREADS +
					(unsigned int)i,
			};
			igt_assert_eq(pthread_create(&t[i].thread, NULL,
						     grant_race_fn, &t[i]), 0);
		}
		send_byte(sock, 'r');
		for (int i = 0; i < RACE_THREADS; i++)
			igt_assert_eq(pthread_join(t[i].thread, NULL), 0);
		close(grant);
		send_byte(sock, 'd');
	}
	close(sock);
}

static void grant_race(void)
{
	unsigned int seed = race_seed(), rng = seed;
	struct grant_race_stats *stats =
		shared_alloc(sizeof(*stats) * RACE_THREADS);
	uint64_t maps = 0, sigbus = 0, deadline;
	int sv[2], buf, keep, rounds = 0;
	char *mine, *kept;
	struct secbuf_query q;

	igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 sv), 0);
	igt_fork(child, 1) {
		grant_race_child(sv[1], stats, seed);
	}
	close(sv[1]);

	/* The owner's mapping and another grant's must not notice. */
	buf = alloc_filled(fd, seed);
	mine = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
	keep = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
	kept = secbuf_mmap(keep, BUF_SIZE, PROT_READ);
	secbuf_assert_filled(kept, BUF_SIZE, seed);

	deadline = secbuf_now_ms() + RACE_MS;
	while (rounds < GRANT_RACE_MAX_ROUNDS &&
	       (rounds < GRANT_RACE_MIN_ROUNDS || secbuf_now_ms() < deadline)) {
		uint64_t id;
		int grant = secbuf_grant(fd, buf, RW, &id);

		send_byte(sv[0], 'g');
		secbuf_send_fd(sv[0], grant);
		igt_assert_eq(recv_byte_within(sv[0], REPLY_MS), 'r');
		sleep_us((unsigned int)rand_r(&rng) % 5000);
		secbuf_revoke(fd, buf, id);
		igt_assert_eq(recv_byte_within(sv[0], REPLY_MS), 'd');
		close(grant);

		for (int i = 0; i < RACE_THREADS; i++) {
			igt_assert_f(!stats[i].bad, "round %d, thread %d: %s\n",
				     rounds, i, stats[i].why);
			igt_assert_f(stats[i].enodev, "round %d, thread %d "
				     "never saw ENODEV\n", rounds, i);
			maps += stats[i].maps;
			sigbus += stats[i].sigbus;
		}
		rounds++;
	}
	send_byte(sv[0], 'q');
	igt_waitchildren();
	close(sv[0]);
	igt_info("%d rounds, %" PRIu64 " mmaps, %" PRIu64 " SIGBUS\n", rounds,
		 maps, sigbus);

	secbuf_assert_filled(mine, BUF_SIZE, seed);
	secbuf_assert_filled(kept, BUF_SIZE, seed);
	secbuf_query(fd, keep, &q);
	igt_assert_eq_u32(q.handle_state, SECBUF_STATE_LIVE);
	igt_assert_eq_u32(q.state, SECBUF_STATE_LIVE);

	secbuf_munmap(mine, BUF_SIZE);
	secbuf_munmap(kept, BUF_SIZE);
	close(keep);
	close(buf);
	munmap(stats, sizeof(*stats) * RACE_THREADS);
	secbuf_pool_assert_idle(pool);
}

/* ---- Invalid arguments ---------------------------------------------------- */

/* DMA_BEGIN with @arg fails with @err and leaves no fd and no memory. */
static void begin_fails(struct secbuf_dma_begin arg, int err)
{
	struct secbuf_snapshot snap;

	secbuf_snapshot(&snap, pool);
	igt_assert_eq(__secbuf_dma_begin_full(fd, &arg), err);
	secbuf_assert_unchanged(&snap);
}

static void end_fails(int pool_fd, struct secbuf_dma_end arg, int err)
{
	igt_assert_eq(__secbuf_dma_end_full(pool_fd, &arg), err);
}

static struct secbuf_dma_begin begin_arg(int buf, uint32_t flags)
{
	return (struct secbuf_dma_begin){ .buf_fd = (uint32_t)buf,
					  .flags = flags };
}

static struct secbuf_dma_end end_arg(int buf)
{
	return (struct secbuf_dma_end){ .buf_fd = (uint32_t)buf };
}

/*
 * A peer maps a writable grant of a buffer vgem imported, and vgem puts a
 * read fence on it. Reads at @read_off go on at once; a write of @value at
 * @write_off blocks until the fence signals, then lands. With @upgrade the
 * page was read (so mapped read-only) before the fence and the write goes
 * through that same mapping (pfn_mkwrite); without, through a second,
 * fresh mapping (a write fault).
 */
static void test_read_fence_blocks_write(bool upgrade, uint64_t read_off,
					 uint64_t write_off, uint64_t value,
					 uint64_t seed)
{
	int wslot = upgrade ? 0 : 1;
	struct peer p;
	struct peer_reply r;
	uint32_t handle, fence, tag;
	int vgem, buf, grant;
	uint64_t *ptr;

	peer_start(&p);
	vgem = secbuf_open_vgem();
	buf = alloc_filled(fd, seed);
	handle = prime_fd_to_handle(vgem, buf);
	grant = secbuf_grant(fd, buf, RW, NULL);
	for (int slot = 0; slot <= wslot; slot++) {
		peer_give(&p, slot, grant);
		peer_mmap(&p, slot, PROT_READ | PROT_WRITE);
	}

	if (upgrade) {
		r = peer_wait(&p, peer_send(&p, read_cmd(0, read_off, seed)),
			      PROMPT_MS);
		assert_read_ok(&r);
	}
	fence = vgem_fence_attach(vgem,
				  &(struct vgem_bo){ .handle = handle }, 0);
	r = peer_wait(&p, peer_send(&p, read_cmd(0, read_off, seed)),
		      PROMPT_MS);
	assert_read_ok(&r);
	tag = peer_call_blocked(&p, write_cmd(wslot, write_off, value));
	vgem_fence_signal(vgem, fence);
	r = peer_wait(&p, tag, REPLY_MS);
	igt_assert_eq(r.sig, 0);

	ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
	igt_assert_eq_u64(ptr[write_off / 8], value);
	secbuf_munmap(ptr, BUF_SIZE);

	peer_stop(&p);
	igt_waitchildren();
	gem_close(vgem, handle);
	close(vgem);
	close(grant);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/*
 * A DMA_BEGIN whose arguments live in a secbuf mapping: its copy-out of
 * the fence fd is a write fault there.
 */
struct begin_copyout {
	int pool_fd;
	struct secbuf_dma_begin *arg;
	volatile int done;
	int ret;
	int err;
};

static void *begin_copyout_fn(void *arg)
{
	struct begin_copyout *b = arg;

	b->ret = ioctl(b->pool_fd, SECBUF_IOC_DMA_BEGIN, b->arg);
	b->err = errno;
	b->done = 1;
	return NULL;
}

/* A pipe write(2) from a secbuf mapping: the kernel reads user memory. */
struct pipe_copy {
	int pipe_fd;
	const void *src;
	volatile int done;
	ssize_t ret;
	int err;
};

static void *pipe_copy_fn(void *arg)
{
	struct pipe_copy *c = arg;

	c->ret = write(c->pipe_fd, c->src, 4096);
	c->err = errno;
	c->done = 1;
	return NULL;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* ---- Faults that cannot be retried ---------------------------------- */

struct futex_op {
	int *uaddr1;
	uint32_t *uaddr2;
	volatile int started;
	volatile int done;
	long ret;
	int err;
};

/*
 * FUTEX_WAKE_OP adds 1 to *uaddr2 with page faults disabled; when that
 * faults, futex faults the page in with fixup_user_fault(), a fault that
 * cannot drop mmap_lock.
 */
static void *futex_wake_op_fn(void *arg)
{
	struct futex_op *f = arg;

	f->started = 1;
	f->ret = syscall(SYS_futex, f->uaddr1,
			 FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, f->uaddr2,
			 FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0));
	f->err = errno;
	f->done = 1;
	return NULL;
}

/* ---- Zaps racing released handles ----------------------------------- */

#define ZAP_RACE_SIZE	(16 * SECBUF_SZ_1M)
#define ZAP_RACE_PROCS	6
#define ZAP_RACE_MS	4000

struct grant_closer {
	int pool_fd;
	int buf;
	volatile int stop;
	unsigned long rounds;
};

static void *grant_close_fn(void *arg)
{
	struct grant_closer *g = arg;

	while (!g->stop) {
		int grant = -1;

		if (__secbuf_grant(g->pool_fd, g->buf, SECBUF_GRANT_READ,
				   O_CLOEXEC, &grant, NULL) == 0)
			close(grant);
		g->rounds++;
	}
	return NULL;
}

/* A child that keeps every page of its mapping faulted in. */
static void zap_race_toucher(int buf, int sock)
{
	size_t len = ZAP_RACE_SIZE - 4096;
	/* From the second page on: PTEs, not PMDs, so zaps are slow. */
	volatile char *p = __secbuf_mmap(buf, len, 4096, PROT_READ,
					 MAP_SHARED);
	char c;

	igt_assert(p);
	send_byte(sock, 'r');
	for (;;) {
		for (size_t off = 0; off < len; off += 4096)
			c = p[off];
		(void)c;
	}
}

igt_main
{
	igt_fixture {
		int ret;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_pool_assert_idle(pool);
		/* Feature probe: a zeroed argument is EINVAL, not ENOTTY. */
		ret = __secbuf_dma_begin_full(fd, &(struct secbuf_dma_begin){ 0 });
		igt_require_f(ret != -ENOTTY, "no DMA windows in this secbuf\n");
	}

	/* ---- WAIT ------------------------------------------------------- */

	igt_describe("In a WAIT window, a read fault of another process "
		     "through its grant, on a mapping it had read in full "
		     "before, blocks until DMA_END and then reads the right "
		     "data.");
	igt_subtest("wait-blocks-read-fault") {
		struct peer p;
		struct peer_reply r;
		uint32_t tag;
		int buf, grant;

		peer_start(&p);
		buf = alloc_filled(fd, 1);
		grant = secbuf_grant(fd, buf, RW, NULL);
		peer_give(&p, 0, grant);
		peer_mmap(&p, 0, PROT_READ | PROT_WRITE);
		peer_assert_reads(&p, 0, 0, 1);

		secbuf_dma_begin(fd, buf, WAIT);
		tag = peer_call_blocked(&p, read_cmd(0, 3 * SECBUF_SZ_4K + 16, 1));
		secbuf_dma_end(fd, buf);
		r = peer_wait(&p, tag, REPLY_MS);
		assert_read_ok(&r);

		peer_stop(&p);
		igt_waitchildren();
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("In a WAIT window, a write fault of another process "
		     "blocks until DMA_END; then the write lands and the owner "
		     "reads it, the rest of the buffer unchanged.");
	igt_subtest("wait-blocks-write-fault") {
		const uint64_t off = 9 * SECBUF_SZ_4K + 8, value = 0x5ec0b0f0ca11ULL;
		struct peer p;
		struct peer_reply r;
		uint64_t *ptr, *expect;
		uint32_t tag;
		int buf;

		peer_start(&p);
		buf = alloc_filled(fd, 2);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ | PROT_WRITE);
		peer_assert_reads(&p, 0, 0, 2);

		secbuf_dma_begin(fd, buf, WAIT);
		tag = peer_call_blocked(&p, write_cmd(0, off, value));
		secbuf_dma_end(fd, buf);
		r = peer_wait(&p, tag, REPLY_MS);
		igt_assert_eq(r.sig, 0);

		/* The pattern but for the one word written. */
		expect = malloc(BUF_SIZE);
		igt_assert(expect);
		secbuf_fill(expect, BUF_SIZE, 2);
		expect[off / 8] = value;
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		igt_assert_eq_u64(ptr[off / 8], value);
		igt_assert(memcmp(ptr, expect, BUF_SIZE) == 0);
		secbuf_munmap(ptr, BUF_SIZE);
		free(expect);

		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A fault waiting in a WAIT window is interruptible: a "
		     "handled signal runs while the window is open, the access "
		     "then waits again and completes after DMA_END.");
	igt_subtest("wait-fault-interruptible") {
		struct peer p;
		struct peer_reply r;
		uint32_t tag;
		int buf;

		peer_start(&p);
		buf = alloc_filled(fd, 3);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 3);

		secbuf_dma_begin(fd, buf, WAIT);
		tag = peer_call_blocked(&p, read_cmd(0, 0, 3));
		igt_assert_eq(kill(p.pid, SIGUSR1), 0);
		igt_assert_f(peer_recv(&p, &r, REPLY_MS),
			     "SIGUSR1 was not handled while the fault waited\n");
		igt_assert_eq_u32(r.kind, PEER_SIGNALLED);
		igt_assert_f(!peer_recv(&p, &r, BLOCK_MS),
			     "after the signal the access completed inside "
			     "the window (kind %u, signal %d)\n", r.kind, r.sig);
		secbuf_dma_end(fd, buf);
		r = peer_wait(&p, tag, REPLY_MS);
		assert_read_ok(&r);

		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A process whose fault waits in a WAIT window dies of "
		     "SIGKILL at once, with the window still open.");
	igt_subtest("wait-fault-killable") {
		struct peer p;
		struct peer_reply r;
		int buf;

		peer_start(&p);
		buf = alloc_filled(fd, 4);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 4);

		secbuf_dma_begin(fd, buf, WAIT);
		peer_call_blocked(&p, read_cmd(0, SECBUF_SZ_64K, 4));
		igt_assert_eq(kill(p.pid, SIGKILL), 0);
		igt_assert_f(secbuf_poll(p.sock, POLLIN, PROMPT_MS),
			     "the killed peer did not exit within %d ms\n",
			     PROMPT_MS);
		igt_assert_eq(recv(p.sock, &r, sizeof(r), 0), 0);
		igt_assert_eq(__igt_waitchildren(), 128 + SIGKILL);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);

		close(p.sock);
		assert_filled(buf, 4);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A fault waiting in a WAIT window holds neither the mmap "
		     "lock nor its VMA's lock: meanwhile another thread of the "
		     "process can mmap, munmap and fork.");
	igt_subtest("wait-fault-drops-mmap-lock") {
		struct peer_cmd c = read_cmd(0, 17 * SECBUF_SZ_4K, 5);
		struct peer p;
		struct peer_reply r;
		uint32_t tag;
		int buf;

		peer_start(&p);
		buf = alloc_filled(fd, 5);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 5);

		secbuf_dma_begin(fd, buf, WAIT);
		c.flags = PEER_THREAD;
		tag = peer_call_blocked(&p, c);
		r = peer_wait(&p, peer_send(&p, (struct peer_cmd){
				.op = PEER_MM_WRITE }), PROMPT_MS);
		igt_assert_eq(r.ret, 0);
		secbuf_dma_end(fd, buf);
		r = peer_wait(&p, tag, REPLY_MS);
		assert_read_ok(&r);

		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- STRICT and the zap ----------------------------------------- */

	igt_describe("A fault that cannot drop mmap_lock (futex's "
		     "FUTEX_WAKE_OP faulting in a word of the mapping) does "
		     "not sleep on a WAIT window with mmap_lock held: another "
		     "thread's mmap() goes on at once, and the futex call "
		     "fails with EFAULT instead of waiting; the word is "
		     "unchanged.");
	igt_subtest("wait-fault-no-retry-efault") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint32_t *word = secbuf_mmap(buf, BUF_SIZE,
					     PROT_READ | PROT_WRITE);
		int local = 0;
		struct futex_op f = { .uaddr1 = &local, .uaddr2 = word };
		uint64_t start, took;
		pthread_t t;
		void *p;

		word[0] = 7;
		secbuf_dma_begin(fd, buf, WAIT);
		igt_assert_eq(pthread_create(&t, NULL, futex_wake_op_fn, &f),
			      0);
		while (!f.started)
			;
		sleep_us(BLOCK_MS * 1000);

		start = secbuf_now_ms();
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		took = secbuf_now_ms() - start;
		igt_assert(p != MAP_FAILED);
		munmap(p, 4096);
		igt_assert_f(took < 2000,
			     "mmap() waited %llu ms behind a fault that held "
			     "mmap_lock during the window\n",
			     (unsigned long long)took);

		igt_assert_eq(pthread_join(t, NULL), 0);
		igt_assert_eq(f.ret, -1);
		igt_assert_eq(f.err, EFAULT);
		secbuf_dma_end(fd, buf);
		igt_assert_eq_u32(word[0], 7);

		secbuf_munmap(word, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A DMA_BEGIN that fails after opening its window closes "
		     "that window only: its arguments sit in a secbuf "
		     "mapping whose first write waits for a vgem read fence, "
		     "so its copy-out of the fence fd blocks with its window "
		     "open; meanwhile the owner ends that window and opens a "
		     "newer one, then unmaps the arguments. The blocked "
		     "DMA_BEGIN returns EFAULT, and the newer window must "
		     "still be open, its fence pending.");
	igt_subtest("begin-efault-keeps-newer-window") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int args = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		struct begin_copyout b = { .pool_fd = fd };
		int vgem = secbuf_open_vgem();
		uint32_t handle = prime_fd_to_handle(vgem, args);
		struct secbuf_dma_begin *a;
		uint32_t fence;
		uint64_t start;
		pthread_t t;
		int newer;

		a = secbuf_mmap(args, BUF_SIZE, PROT_READ | PROT_WRITE);
		*a = (struct secbuf_dma_begin){
			.buf_fd = (uint32_t)buf,
			.flags = WAIT | FENCE_FD,
		};
		secbuf_munmap(a, BUF_SIZE);
		/* No PTE yet: the read maps at once, the write will wait. */
		a = secbuf_mmap(args, BUF_SIZE, PROT_READ | PROT_WRITE);
		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, 0);
		b.arg = a;
		igt_assert_eq(pthread_create(&t, NULL, begin_copyout_fn, &b),
			      0);

		start = secbuf_now_ms();
		while (query_state(fd, buf) != SECBUF_STATE_DMA) {
			igt_assert_f(!b.done, "DMA_BEGIN returned %d (%s) "
				     "before its copy-out blocked\n", b.ret,
				     strerror(b.err));
			igt_assert(secbuf_now_ms() - start < PROMPT_MS);
			sleep_us(1000);
		}
		sleep_us(BLOCK_MS * 1000);
		igt_assert_f(!b.done, "the copy-out did not wait for the "
			     "read fence\n");

		secbuf_dma_end(fd, buf);
		newer = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);
		/* The blocked write faults again into nothing: EFAULT. */
		secbuf_munmap(a, BUF_SIZE);
		vgem_fence_signal(vgem, fence);
		igt_assert_eq(pthread_join(t, NULL), 0);
		igt_assert_eq(b.ret, -1);
		igt_assert_eq(b.err, EFAULT);

		igt_assert_f(sync_fence_status(newer) == 0,
			     "the failed DMA_BEGIN closed the newer window "
			     "(its fence status is %d)\n",
			     sync_fence_status(newer));
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);
		igt_assert_eq(sync_fence_status(newer), 1);
		close(newer);
		assert_no_window(buf);

		gem_close(vgem, handle);
		close(vgem);
		close(args);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The last reference to a window's fence may be dropped "
		     "in hard irq context: two windows' fences merged into "
		     "one sync_file (a dma_fence_array), the merged fd "
		     "polled (the array now waits on both) and closed, the "
		     "first window ended and its buffer closed, so that only "
		     "the array holds the first fence; ending the second "
		     "window completes the array from irq_work, whose "
		     "release puts the first fence. Its release must not "
		     "sleep or wait for its timer there (a kernel WARN fails "
		     "the subtest).");
	igt_subtest("fence-release-in-irq") {
		int buf1 = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int buf2 = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		int w1 = secbuf_dma_begin(fd, buf1, WAIT | FENCE_FD);
		int w2 = secbuf_dma_begin(fd, buf2, WAIT | FENCE_FD);
		struct sync_merge_data merge = { .fd2 = w2 };

		snprintf(merge.name, sizeof(merge.name), "secbuf-windows");
		igt_assert_eq(ioctl(w1, SYNC_IOC_MERGE, &merge), 0);
		/* Polling makes the array wait on both fences. */
		igt_assert_eq(secbuf_poll((int)merge.fence, POLLIN, 0), 0);
		close((int)merge.fence);
		close(w1);
		close(w2);

		secbuf_dma_end(fd, buf1);
		close(buf1);
		secbuf_dma_end(fd, buf2);
		/* irq_work runs at once; give it a moment on a slow guest. */
		sleep_us(100 * 1000);

		close(buf2);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A fault of the kernel's own access to user memory (a "
		     "pipe write(2) from a mapping) during a WAIT window, "
		     "when a signal comes: the kernel retries such a fault "
		     "until it succeeds or a fatal signal comes, so the wait "
		     "must not return at once again and again (a busy loop "
		     "in the kernel until the window ends); the write fails "
		     "with EFAULT instead, promptly.");
	igt_subtest("wait-kernel-fault-signal-efault") {
		int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint8_t *map = secbuf_mmap(buf, BUF_SIZE,
					   PROT_READ | PROT_WRITE);
		struct sigaction sa = { .sa_handler = noop_handler };
		struct sigaction old;
		struct pipe_copy c = { 0 };
		uint64_t start;
		pthread_t t;
		int p[2];

		igt_assert_eq(pipe(p), 0);
		map[0] = 1;
		igt_assert_eq(sigaction(SIGUSR1, &sa, &old), 0);
		secbuf_dma_begin(fd, buf, WAIT);
		c.pipe_fd = p[1];
		c.src = map;
		igt_assert_eq(pthread_create(&t, NULL, pipe_copy_fn, &c), 0);
		sleep_us(BLOCK_MS * 1000);
		igt_assert_f(!c.done, "write(2) did not wait for the window\n");

		igt_assert_eq(pthread_kill(t, SIGUSR1), 0);
		start = secbuf_now_ms();
		while (!c.done && secbuf_now_ms() - start < 2000)
			sleep_us(10 * 1000);
		igt_assert_f(c.done, "write(2) still runs 2 s after the "
			     "signal, with the window open\n");
		igt_assert_eq(pthread_join(t, NULL), 0);
		igt_assert_eq(c.ret, -1);
		igt_assert_eq(c.err, EFAULT);

		secbuf_dma_end(fd, buf);
		igt_assert_eq(sigaction(SIGUSR1, &old, NULL), 0);
		close(p[0]);
		close(p[1]);
		secbuf_munmap(map, BUF_SIZE);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Zaps (DMA_BEGIN) racing grants being made and closed, "
		     "with a large buffer mapped page by page in several "
		     "processes so that each zap is slow: a handle released "
		     "while a zap walks the buffer's handles must not have its "
		     "address_space freed under the zap (KASAN on the debug "
		     "lane), for a few seconds.");
	igt_subtest("zap-races-grant-close") {
		int buf = secbuf_alloc(fd, ZAP_RACE_SIZE, 0,
				       O_RDWR | O_CLOEXEC);
		struct grant_closer g = { .pool_fd = fd, .buf = buf };
		pid_t pids[ZAP_RACE_PROCS];
		unsigned long zaps = 0;
		uint64_t deadline;
		int sv[2];
		pthread_t t;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, sv), 0);
		for (int i = 0; i < ZAP_RACE_PROCS; i++) {
			pids[i] = fork();
			igt_assert(pids[i] >= 0);
			if (!pids[i]) {
				close(sv[0]);
				zap_race_toucher(buf, sv[1]);
			}
		}
		for (int i = 0; i < ZAP_RACE_PROCS; i++)
			igt_assert_eq(recv_byte_within(sv[0], REPLY_MS), 'r');

		igt_assert_eq(pthread_create(&t, NULL, grant_close_fn, &g), 0);
		deadline = secbuf_now_ms() + ZAP_RACE_MS;
		while (secbuf_now_ms() < deadline) {
			secbuf_dma_begin(fd, buf, WAIT);
			secbuf_dma_end(fd, buf);
			zaps++;
		}
		g.stop = 1;
		igt_assert_eq(pthread_join(t, NULL), 0);
		igt_info("%lu zaps, %lu grants made and closed\n", zaps,
			 g.rounds);

		for (int i = 0; i < ZAP_RACE_PROCS; i++) {
			kill(pids[i], SIGKILL);
			igt_assert_eq(waitpid(pids[i], NULL, 0), pids[i]);
		}
		close(sv[0]);
		close(sv[1]);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("In a STRICT window a read or write through a mapping "
		     "that had every page mapped raises SIGBUS at once at the "
		     "touched address, in another process and in the owner's; "
		     "after DMA_END the data is unchanged.");
	igt_subtest("strict-sigbus") {
		struct peer p;
		struct peer_reply r;
		uint64_t map;
		char *ptr;
		int buf, grant;

		peer_start(&p);
		buf = alloc_filled(fd, 6);
		grant = secbuf_grant(fd, buf, RW, NULL);
		peer_give(&p, 0, grant);
		map = peer_mmap(&p, 0, PROT_READ | PROT_WRITE);
		peer_assert_reads(&p, 0, 0, 6);
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(ptr, BUF_SIZE, 6);

		secbuf_dma_begin(fd, buf, STRICT);
		r = peer_call(&p, read_cmd(0, 5 * SECBUF_SZ_4K + 8, 6));
		assert_sigbus_at(&r, map + 5 * SECBUF_SZ_4K + 8);
		r = peer_call(&p, write_cmd(0, 7 * SECBUF_SZ_4K, 0xdead));
		assert_sigbus_at(&r, map + 7 * SECBUF_SZ_4K);
		secbuf_assert_sigbus(ptr + SECBUF_SZ_4K, false);
		secbuf_assert_sigbus(ptr + 2 * SECBUF_SZ_4K + 64, true);
		secbuf_dma_end(fd, buf);

		peer_assert_reads(&p, 0, 0, 6);
		secbuf_assert_filled(ptr, BUF_SIZE, 6);
		secbuf_munmap(ptr, BUF_SIZE);
		peer_stop(&p);
		igt_waitchildren();
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN zaps every mapping of the buffer: the owner's "
		     "in its process, the owner's handle and a grant in one "
		     "process, a read-only grant and a grant derived from a "
		     "grant in another, all read in full before. In a STRICT "
		     "window each raises SIGBUS at the touched address; after "
		     "DMA_END each reads the same data again.");
	igt_subtest("begin-zaps-every-grant") {
		struct peer peers[2];
		uint64_t maps[2][2];
		int buf, grant_rw, grant_ro, sub;
		char *ptr;

		peer_start(&peers[0]);
		peer_start(&peers[1]);
		buf = alloc_filled(fd, 7);
		grant_rw = secbuf_grant(fd, buf, RW | SECBUF_GRANT_REGRANT, NULL);
		grant_ro = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		sub = secbuf_grant(fd, grant_rw, SECBUF_GRANT_READ, NULL);
		peer_give(&peers[0], 0, grant_rw);
		peer_give(&peers[0], 1, buf);
		peer_give(&peers[1], 0, grant_ro);
		peer_give(&peers[1], 1, sub);
		for (int i = 0; i < 2; i++) {
			for (int s = 0; s < 2; s++) {
				maps[i][s] = peer_mmap(&peers[i], s, PROT_READ);
				peer_assert_reads(&peers[i], s, 0, 7);
			}
		}
		ptr = secbuf_mmap(buf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 7);

		secbuf_dma_begin(fd, buf, STRICT);
		for (int i = 0; i < 2; i++) {
			for (int s = 0; s < 2; s++) {
				uint64_t off = (uint64_t)(11 + 2 * i + s) * SECBUF_SZ_4K;
				struct peer_reply r = peer_call(&peers[i],
								read_cmd(s, off, 7));

				assert_sigbus_at(&r, maps[i][s] + off);
			}
		}
		secbuf_assert_sigbus(ptr + BUF_SIZE - 8, false);
		secbuf_dma_end(fd, buf);

		for (int i = 0; i < 2; i++)
			for (int s = 0; s < 2; s++)
				peer_assert_reads(&peers[i], s, 0, 7);
		secbuf_assert_filled(ptr, BUF_SIZE, 7);
		secbuf_munmap(ptr, BUF_SIZE);
		peer_stop(&peers[0]);
		peer_stop(&peers[1]);
		igt_waitchildren();
		close(sub);
		close(grant_ro);
		close(grant_rw);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- DMA_BUF_IOCTL_SYNC, poll() and the fence -------------------- */

	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		igt_describe_f("In a %s window, DMA_BUF_IOCTL_SYNC START (READ) "
			       "of another process blocks until DMA_END, then "
			       "succeeds.", policies[i].name);
		igt_subtest_f("sync-blocks-%s", policies[i].name) {
			struct peer p;
			struct peer_reply r;
			uint32_t tag;
			int buf, grant;

			peer_start(&p);
			buf = alloc_filled(fd, 8);
			grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
			peer_give(&p, 0, grant);

			secbuf_dma_begin(fd, buf, policies[i].flags);
			tag = peer_call_blocked(&p, (struct peer_cmd){
				.op = PEER_SYNC,
				.arg = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ });
			secbuf_dma_end(fd, buf);
			r = peer_wait(&p, tag, REPLY_MS);
			igt_assert_eq(r.ret, 0);
			r = peer_call(&p, (struct peer_cmd){
				.op = PEER_SYNC,
				.arg = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ });
			igt_assert_eq(r.ret, 0);

			peer_stop(&p);
			igt_waitchildren();
			close(grant);
			close(buf);
			secbuf_pool_assert_idle(pool);
		}
	}

	igt_describe("DMA_BEGIN with FENCE_FD returns a sync_file (close on "
		     "exec) that is pending during the window: poll() of it and "
		     "of the dma-buf are not ready, SYNC_IOC_FILE_INFO status "
		     "0; after DMA_END both are ready and the status is 1.");
	igt_subtest("fence-fd") {
		int buf = alloc_filled(fd, 9);
		int fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);

		igt_assert(fcntl(fence, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq(sync_fence_status(fence), 0);
		igt_assert_eq(secbuf_poll(fence, POLLIN, 0), 0);
		igt_assert_eq(secbuf_poll(buf, POLLIN, 0), 0);
		igt_assert_eq(secbuf_poll(buf, POLLOUT, 0), 0);
		igt_assert_eq(sync_fence_wait(fence, BLOCK_MS), -ETIME);
		igt_assert_eq(sync_fence_status(fence), 0);

		secbuf_dma_end(fd, buf);
		igt_assert_eq(sync_fence_wait(fence, PROMPT_MS), 0);
		igt_assert_eq(sync_fence_status(fence), 1);
		igt_assert_eq(secbuf_poll(buf, POLLIN, PROMPT_MS), POLLIN);
		igt_assert_eq(secbuf_poll(buf, POLLOUT, PROMPT_MS), POLLOUT);

		close(fence);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Each window has a fence of its own: the first stays "
		     "signaled while the second is pending until its own "
		     "DMA_END.");
	igt_subtest("fence-fd-per-window") {
		int buf = alloc_filled(fd, 10);
		int first, second;

		first = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);
		secbuf_dma_end(fd, buf);
		igt_assert_eq(sync_fence_status(first), 1);

		second = secbuf_dma_begin(fd, buf, STRICT | FENCE_FD);
		igt_assert_eq(sync_fence_status(first), 1);
		igt_assert_eq(sync_fence_status(second), 0);
		secbuf_dma_end(fd, buf);
		igt_assert_eq(sync_fence_status(second), 1);

		close(first);
		close(second);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Without FENCE_FD, DMA_BEGIN leaves fence_fd 0 and "
		     "installs no file descriptor.");
	igt_subtest("no-fence-fd-without-flag") {
		int buf = alloc_filled(fd, 11);
		struct secbuf_snapshot snap;

		for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
			secbuf_snapshot(&snap, pool);
			/* Asserts fence_fd stayed 0. */
			igt_assert_eq(secbuf_dma_begin(fd, buf, policies[i].flags), -1);
			secbuf_assert_unchanged(&snap);
			secbuf_dma_end(fd, buf);
		}
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Expiry ------------------------------------------------------ */

	igt_describe("With dma_window_timeout_ms at 300, a window left open "
		     "expires: its fence signals with ETIMEDOUT no earlier than "
		     "that, DMA_END then returns ETIMEDOUT and closes it (a "
		     "second DMA_END finds none), and another process reads "
		     "the buffer again.");
	igt_subtest("timeout-expires") {
		struct peer p;
		uint64_t t0, t1;
		int buf, fence;

		peer_start(&p);
		buf = alloc_filled(fd, 12);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 12);

		secbuf_param_set(WINDOW_TIMEOUT_PARAM, 300);
		t0 = secbuf_now_ms();
		fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);
		igt_assert_eq(sync_fence_wait(fence, REPLY_MS), 0);
		t1 = secbuf_now_ms();
		igt_info("the window expired after %" PRIu64 " ms\n", t1 - t0);
		igt_assert_f(t1 - t0 >= 280, "the window expired after %"
			     PRIu64 " ms, before its 300 ms\n", t1 - t0);
		igt_assert_eq(sync_fence_status(fence), -ETIMEDOUT);
		igt_assert_eq(__secbuf_dma_end(fd, buf), -ETIMEDOUT);
		igt_assert_eq(__secbuf_dma_end(fd, buf), -ENOENT);
		secbuf_params_restore();

		peer_assert_reads(&p, 0, 0, 12);
		assert_filled(buf, 12);
		assert_window_works(buf);

		close(fence);
		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A fault waiting in a WAIT window that nobody closes is "
		     "released when the window expires (dma_window_timeout_ms "
		     "1000) and reads the right data; DMA_END then returns "
		     "ETIMEDOUT.");
	igt_subtest("timeout-releases-waiting-fault") {
		const int timeout = 1000;
		struct peer_cmd c = read_cmd(0, 33 * SECBUF_SZ_4K, 13);
		struct peer p;
		struct peer_reply r;
		uint64_t t0, t1;
		uint32_t tag;
		int buf, fence;

		peer_start(&p);
		buf = alloc_filled(fd, 13);
		peer_give(&p, 0, buf);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 13);

		secbuf_param_set(WINDOW_TIMEOUT_PARAM, timeout);
		t0 = secbuf_now_ms();
		fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);
		c.flags = PEER_ACK;
		tag = peer_send(&p, c);
		igt_assert(peer_recv(&p, &r, REPLY_MS));
		igt_assert_eq_u32(r.kind, PEER_STARTED);
		/* Still blocked, if the guest leaves the time to see it. */
		if (secbuf_now_ms() + BLOCK_MS + 100 < t0 + timeout)
			igt_assert_f(!peer_recv(&p, &r, BLOCK_MS),
				     "the read did not wait for the window\n");
		r = peer_wait(&p, tag, REPLY_MS);
		t1 = secbuf_now_ms();
		assert_read_ok(&r);
		igt_info("the fault was released after %" PRIu64 " ms\n",
			 t1 - t0);
		igt_assert_f(t1 - t0 >= timeout - 20, "released after %" PRIu64
			     " ms, before the window's %d ms\n", t1 - t0,
			     timeout);
		igt_assert_eq(sync_fence_status(fence), -ETIMEDOUT);
		igt_assert_eq(__secbuf_dma_end(fd, buf), -ETIMEDOUT);
		secbuf_params_restore();

		close(fence);
		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Revocation ends a window ---------------------------------- */

	igt_describe("REVOKE during a WAIT window ends it: a read waiting "
		     "through a grant in one process and a write waiting "
		     "through the owner's handle in another get SIGBUS at the "
		     "touched address, the window's fence signals with "
		     "ECANCELED, and REVOKE does not wait for the window.");
	igt_subtest("revoke-ends-wait-window") {
		struct peer a, b;
		struct peer_reply r;
		uint64_t map_a, map_b, t0;
		uint32_t tag_a, tag_b;
		int buf, grant, fence;

		peer_start(&a);
		peer_start(&b);
		buf = alloc_filled(fd, 14);
		grant = secbuf_grant(fd, buf, RW, NULL);
		peer_give(&a, 0, grant);
		peer_give(&b, 0, buf);
		map_a = peer_mmap(&a, 0, PROT_READ | PROT_WRITE);
		map_b = peer_mmap(&b, 0, PROT_READ | PROT_WRITE);
		peer_assert_reads(&a, 0, 0, 14);
		peer_assert_reads(&b, 0, 0, 14);

		fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);
		tag_a = peer_call_blocked(&a, read_cmd(0, 21 * SECBUF_SZ_4K, 14));
		tag_b = peer_call_blocked(&b, write_cmd(0, 22 * SECBUF_SZ_4K + 8, 1));
		t0 = secbuf_now_ms();
		secbuf_revoke(fd, buf, 0);
		igt_assert_f(secbuf_now_ms() - t0 < PROMPT_MS, "REVOKE took %"
			     PRIu64 " ms\n", secbuf_now_ms() - t0);

		r = peer_wait(&a, tag_a, PROMPT_MS);
		assert_sigbus_at(&r, map_a + 21 * SECBUF_SZ_4K);
		r = peer_wait(&b, tag_b, PROMPT_MS);
		assert_sigbus_at(&r, map_b + 22 * SECBUF_SZ_4K + 8);
		igt_assert_eq(sync_fence_wait(fence, PROMPT_MS), 0);
		igt_assert_eq(sync_fence_status(fence), -ECANCELED);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_REVOKED);

		close(fence);
		peer_stop(&a);
		peer_stop(&b);
		igt_waitchildren();
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Closing the owner's pool file during a WAIT window "
		     "revokes the buffer and ends the window: the waiting "
		     "fault of another process gets SIGBUS, the fence signals "
		     "with ECANCELED.");
	igt_subtest("owner-close-ends-window") {
		struct peer p;
		struct peer_reply r;
		uint64_t map;
		uint32_t tag;
		int owner, buf, fence;

		peer_start(&p);
		owner = secbuf_open_pool(pool);
		buf = alloc_filled(owner, 15);
		peer_give(&p, 0, buf);
		map = peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 15);

		fence = secbuf_dma_begin(owner, buf, WAIT | FENCE_FD);
		tag = peer_call_blocked(&p, read_cmd(0, 40 * SECBUF_SZ_4K, 15));
		close(owner);
		r = peer_wait(&p, tag, PROMPT_MS);
		assert_sigbus_at(&r, map + 40 * SECBUF_SZ_4K);
		igt_assert_eq(sync_fence_wait(fence, PROMPT_MS), 0);
		igt_assert_eq(sync_fence_status(fence), -ECANCELED);

		close(fence);
		peer_stop(&p);
		igt_waitchildren();
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- QUERY ------------------------------------------------------- */

	igt_describe("QUERY reports SECBUF_STATE_DMA while a window (WAIT or "
		     "STRICT) is open, for the owner's handle and a grant, "
		     "asked through the owner's pool file, another pool file "
		     "and another process's; LIVE before and after.");
	igt_subtest("query-state-dma") {
		int other = secbuf_open_pool(pool);
		struct peer p;
		int buf, grant;

		peer_start(&p);
		buf = alloc_filled(fd, 16);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		peer_give(&p, 0, grant);

		for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
			uint32_t want[] = { SECBUF_STATE_LIVE, SECBUF_STATE_DMA,
					    SECBUF_STATE_LIVE };

			for (int step = 0; step < 3; step++) {
				struct peer_reply r;

				if (step == 1)
					secbuf_dma_begin(fd, buf, policies[i].flags);
				if (step == 2)
					secbuf_dma_end(fd, buf);
				igt_assert_eq_u32(query_state(fd, buf), want[step]);
				igt_assert_eq_u32(query_state(fd, grant), want[step]);
				igt_assert_eq_u32(query_state(other, buf), want[step]);
				r = peer_call(&p, (struct peer_cmd){ .op = PEER_QUERY });
				igt_assert_eq(r.ret, 0);
				igt_assert_eq_u64(r.value, want[step]);
			}
		}

		peer_stop(&p);
		igt_waitchildren();
		close(other);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- Importers' fences (vgem) ----------------------------------- */

	igt_describe("The window's fence is on the reservation object vgem "
		     "sees through its import: VGEM_FENCE_ATTACH finds a "
		     "conflicting fence (EBUSY) during the window, and works "
		     "after DMA_END.");
	igt_subtest("window-fence-seen-by-vgem") {
		int vgem = secbuf_open_vgem();
		int buf = alloc_filled(fd, 17);
		uint32_t handle = prime_fd_to_handle(vgem, buf), fence;

		secbuf_dma_begin(fd, buf, WAIT);
		igt_assert_eq(__secbuf_vgem_fence_attach(vgem, handle, 0, &fence), -EBUSY);
		igt_assert_eq(__secbuf_vgem_fence_attach(vgem, handle,
						  VGEM_FENCE_WRITE,
						  &fence), -EBUSY);
		secbuf_dma_end(fd, buf);
		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);
		vgem_fence_signal(vgem, fence);

		gem_close(vgem, handle);
		close(vgem);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A vgem write fence on an imported buffer holds back "
		     "DMA_BUF_IOCTL_SYNC START (READ) of another process and "
		     "poll() of the dma-buf until VGEM_FENCE_SIGNAL.");
	igt_subtest("vgem-fence-blocks-sync") {
		struct peer p;
		struct peer_reply r;
		uint32_t handle, fence, tag;
		int vgem, buf, grant;

		peer_start(&p);
		vgem = secbuf_open_vgem();
		buf = alloc_filled(fd, 18);
		handle = prime_fd_to_handle(vgem, buf);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		peer_give(&p, 0, grant);

		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);
		igt_assert_eq(secbuf_poll(buf, POLLIN, 0), 0);
		tag = peer_call_blocked(&p, (struct peer_cmd){
			.op = PEER_SYNC,
			.arg = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ });
		vgem_fence_signal(vgem, fence);
		r = peer_wait(&p, tag, REPLY_MS);
		igt_assert_eq(r.ret, 0);
		igt_assert_eq(secbuf_poll(buf, POLLIN, PROMPT_MS), POLLIN);
		r = peer_call(&p, (struct peer_cmd){
			.op = PEER_SYNC,
			.arg = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ });
		igt_assert_eq(r.ret, 0);

		peer_stop(&p);
		igt_waitchildren();
		gem_close(vgem, handle);
		close(vgem);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Outside a window, the first read of a fresh mapping "
		     "waits for a pending vgem write fence on the imported "
		     "buffer until VGEM_FENCE_SIGNAL, then reads the right "
		     "data.");
	igt_subtest("vgem-fence-blocks-fault") {
		struct peer p;
		struct peer_reply r;
		uint32_t handle, fence, tag;
		int vgem, buf, grant;

		peer_start(&p);
		vgem = secbuf_open_vgem();
		buf = alloc_filled(fd, 19);
		handle = prime_fd_to_handle(vgem, buf);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		peer_give(&p, 0, grant);
		peer_mmap(&p, 0, PROT_READ);

		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);
		tag = peer_call_blocked(&p, read_cmd(0, 2 * SECBUF_SZ_4K, 19));
		vgem_fence_signal(vgem, fence);
		r = peer_wait(&p, tag, REPLY_MS);
		assert_read_ok(&r);

		peer_stop(&p);
		igt_waitchildren();
		gem_close(vgem, handle);
		close(vgem);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An importer's fence zaps nothing: pages a process had "
		     "mapped before the vgem write fence was attached stay "
		     "readable at once while it is pending.");
	igt_subtest("vgem-fence-keeps-present-ptes") {
		struct peer p;
		struct peer_reply r;
		uint32_t handle, fence;
		int vgem, buf, grant;

		peer_start(&p);
		vgem = secbuf_open_vgem();
		buf = alloc_filled(fd, 20);
		handle = prime_fd_to_handle(vgem, buf);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		peer_give(&p, 0, grant);
		peer_mmap(&p, 0, PROT_READ);
		peer_assert_reads(&p, 0, 0, 20);

		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);
		r = peer_wait(&p, peer_send(&p, read_cmd(0, 6 * SECBUF_SZ_4K, 20)),
			      PROMPT_MS);
		assert_read_ok(&r);
		vgem_fence_signal(vgem, fence);

		peer_stop(&p);
		igt_waitchildren();
		gem_close(vgem, handle);
		close(vgem);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A pending vgem read fence lets a read fault through at "
		     "once but holds a write fault of a fresh mapping until "
		     "VGEM_FENCE_SIGNAL; the write then lands.");
	igt_subtest("vgem-read-fence-blocks-write-fault")
		test_read_fence_blocks_write(false, 3 * SECBUF_SZ_4K, 12 * SECBUF_SZ_4K + 24,
					     0xfee1deadULL, 21);

	igt_describe("A write through a page mapped read-only by an earlier "
		     "read (a writable mapping's first write goes through "
		     "pfn_mkwrite) waits for a pending vgem read fence as a "
		     "write fault does; reads of the page go on at once.");
	igt_subtest("vgem-read-fence-blocks-write-upgrade")
		test_read_fence_blocks_write(true, 5 * SECBUF_SZ_4K, 5 * SECBUF_SZ_4K + 40,
					     0xc0ffee11ULL, 22);

	igt_describe("A vgem write fence nobody signals is signaled by vgem "
		     "itself after its 10 s timeout, and the fault waiting "
		     "for it then completes with the right data.");
	igt_subtest("vgem-fence-timeout-releases-fault") {
		struct peer p;
		struct peer_reply r;
		uint32_t handle, fence, tag;
		int vgem, buf, grant;
		uint64_t t0, t1;

		peer_start(&p);
		vgem = secbuf_open_vgem();
		buf = alloc_filled(fd, 22);
		handle = prime_fd_to_handle(vgem, buf);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		peer_give(&p, 0, grant);
		peer_mmap(&p, 0, PROT_READ);

		t0 = secbuf_now_ms();
		fence = vgem_fence_attach(vgem,
					  &(struct vgem_bo){ .handle = handle }, VGEM_FENCE_WRITE);
		tag = peer_call_blocked(&p, read_cmd(0, 0, 22));
		r = peer_wait(&p, tag, 3 * REPLY_MS / 2);
		t1 = secbuf_now_ms();
		assert_read_ok(&r);
		igt_info("the fault waited %" PRIu64 " ms\n", t1 - t0);
		igt_assert_f(t1 - t0 >= 5000, "the fault waited only %" PRIu64
			     " ms for vgem's 10 s fence\n", t1 - t0);
		igt_assert_eq(__vgem_fence_signal(vgem, fence), -ETIMEDOUT);

		peer_stop(&p);
		igt_waitchildren();
		gem_close(vgem, handle);
		close(vgem);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- DMA_BEGIN errors ------------------------------------------- */

	igt_describe("DMA_BEGIN with no policy (flags 0) is EINVAL and opens "
		     "no window.");
	igt_subtest("begin-no-policy-einval") {
		int buf = alloc_filled(fd, 30);

		begin_fails(begin_arg(buf, 0), -EINVAL);
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN with FENCE_FD but no policy is EINVAL, opens "
		     "no window and installs no fd.");
	igt_subtest("begin-fence-only-einval") {
		int buf = alloc_filled(fd, 31);

		begin_fails(begin_arg(buf, FENCE_FD), -EINVAL);
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN with both WAIT and STRICT is EINVAL, with or "
		     "without FENCE_FD.");
	igt_subtest("begin-both-policies-einval") {
		int buf = alloc_filled(fd, 32);

		begin_fails(begin_arg(buf, WAIT | STRICT), -EINVAL);
		begin_fails(begin_arg(buf, WAIT | STRICT | FENCE_FD), -EINVAL);
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN with any unknown flags bit, next to a valid "
		     "policy, is EINVAL.");
	igt_subtest("begin-unknown-flags-einval") {
		int buf = alloc_filled(fd, 33);

		for (int bit = 0; bit < 32; bit++) {
			uint32_t flag = 1U << bit;

			if (flag & SECBUF_DMA_VALID_FLAGS)
				continue;
			begin_fails(begin_arg(buf, WAIT | flag), -EINVAL);
			begin_fails(begin_arg(buf, STRICT | FENCE_FD | flag), -EINVAL);
		}
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN with the out field fence_fd not 0 on input is "
		     "EINVAL, with or without FENCE_FD.");
	igt_subtest("begin-fence-fd-nonzero-einval") {
		int buf = alloc_filled(fd, 34);
		struct secbuf_dma_begin arg = begin_arg(buf, WAIT);

		arg.fence_fd = 1;
		begin_fails(arg, -EINVAL);
		arg.flags = STRICT | FENCE_FD;
		arg.fence_fd = (uint32_t)buf;
		begin_fails(arg, -EINVAL);
		arg.fence_fd = ~0U;
		begin_fails(arg, -EINVAL);
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN with pad not 0 is EINVAL.");
	igt_subtest("begin-pad-einval") {
		int buf = alloc_filled(fd, 35);
		struct secbuf_dma_begin arg = begin_arg(buf, WAIT | FENCE_FD);

		arg.pad = 1;
		begin_fails(arg, -EINVAL);
		arg.pad = 1U << 31;
		begin_fails(arg, -EINVAL);
		assert_no_window(buf);
		assert_window_works(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN from a pool file that does not own the buffer "
		     "is EPERM, named by the owner's handle or a grant, from "
		     "this process or another one holding them; no window "
		     "opens.");
	igt_subtest("begin-not-owner-eperm") {
		int other = secbuf_open_pool(pool);
		struct peer p;
		int buf, grant;

		peer_start(&p);
		buf = alloc_filled(fd, 36);
		grant = secbuf_grant(fd, buf, SECBUF_GRANT_VALID_RIGHTS, NULL);
		peer_give(&p, 0, buf);
		peer_give(&p, 1, grant);

		for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
			uint32_t flags = policies[i].flags | FENCE_FD;
			struct secbuf_snapshot snap;
			struct peer_reply r;
			int fence = -1;

			secbuf_snapshot(&snap, pool);
			igt_assert_eq(__secbuf_dma_begin(other, buf, flags,
							 &fence), -EPERM);
			igt_assert_eq(__secbuf_dma_begin(other, grant, flags,
							 &fence), -EPERM);
			secbuf_assert_unchanged(&snap);
			for (uint32_t slot = 0; slot < 2; slot++) {
				r = peer_call(&p, (struct peer_cmd){
					.op = PEER_DMA_BEGIN, .slot = slot,
					.arg = flags });
				igt_assert_eq(r.ret, -EPERM);
			}
		}
		assert_no_window(buf);

		peer_stop(&p);
		igt_waitchildren();
		close(other);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN on a buffer sealed with SECBUF_SEAL_WRITE is "
		     "EPERM in both policies.");
	igt_subtest("begin-write-sealed-eperm") {
		int buf = alloc_filled(fd, 37);
		int ret = seal_write(fd, buf);

		igt_require_f(ret != -ENOTTY, "no SECBUF_IOC_SEAL\n");
		igt_assert_eq(ret, 0);
		begin_fails(begin_arg(buf, WAIT), -EPERM);
		begin_fails(begin_arg(buf, STRICT | FENCE_FD), -EPERM);
		assert_no_window(buf);
		assert_filled(buf, 37);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("SECBUF_SEAL_WRITE while a window is open is EBUSY; "
		     "after DMA_END it works.");
	igt_subtest("seal-write-during-window-ebusy") {
		int buf = alloc_filled(fd, 38);
		int ret;

		secbuf_dma_begin(fd, buf, WAIT);
		ret = seal_write(fd, buf);
		igt_require_f(ret != -ENOTTY, "no SECBUF_IOC_SEAL\n");
		igt_assert_eq(ret, -EBUSY);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);
		igt_assert_eq(seal_write(fd, buf), 0);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN on a revoked buffer is ENODEV and installs no "
		     "fence fd.");
	igt_subtest("begin-revoked-enodev") {
		int buf = alloc_filled(fd, 39);

		secbuf_revoke(fd, buf, 0);
		begin_fails(begin_arg(buf, WAIT), -ENODEV);
		begin_fails(begin_arg(buf, STRICT | FENCE_FD), -ENODEV);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_REVOKED);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A second DMA_BEGIN while a window is open is EBUSY in "
		     "either policy, gives no fd and leaves the first window "
		     "and its fence as they were.");
	igt_subtest("begin-twice-ebusy") {
		int buf = alloc_filled(fd, 40);
		int fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);

		begin_fails(begin_arg(buf, WAIT), -EBUSY);
		begin_fails(begin_arg(buf, STRICT | FENCE_FD), -EBUSY);
		igt_assert_eq(sync_fence_status(fence), 0);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);
		igt_assert_eq(sync_fence_status(fence), 1);
		assert_no_window(buf);
		close(fence);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN of a closed fd number, or of -1, is EBADF.");
	igt_subtest("begin-closed-fd-ebadf") {
		int buf = alloc_filled(fd, 41);

		close(buf);
		begin_fails(begin_arg(buf, WAIT), -EBADF);
		begin_fails(begin_arg(-1, WAIT | FENCE_FD), -EBADF);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_BEGIN of an fd that is not a dma-buf (/dev/null, the "
		     "pool file itself) is EINVAL.");
	igt_subtest("begin-not-dmabuf-einval") {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		igt_assert_fd(null);
		begin_fails(begin_arg(null, WAIT), -EINVAL);
		begin_fails(begin_arg(fd, STRICT | FENCE_FD), -EINVAL);
		close(null);
	}

	igt_describe("DMA_BEGIN of a dma-buf of another exporter (vgem) is "
		     "EINVAL.");
	igt_subtest("begin-other-exporter-einval") {
		struct vgem_bo bo = { .width = 1024, .height = BUF_SIZE / 4096,
				      .bpp = 32 };
		int vgem = secbuf_open_vgem();
		int other;

		igt_require(__vgem_create(vgem, &bo) == 0);
		other = prime_handle_to_fd_for_mmap(vgem, bo.handle);
		igt_assert_fd(other);
		begin_fails(begin_arg(other, WAIT | FENCE_FD), -EINVAL);
		close(other);
		gem_close(vgem, bo.handle);
		close(vgem);
	}

	igt_describe("DMA_BEGIN and DMA_END on one pool's file of a buffer of "
		     "another pool are EINVAL; its own pool file opens and "
		     "closes the window.");
	igt_subtest("begin-other-pool-einval") {
		const char *pool2 = secbuf_pool2_name();
		int fd2 = secbuf_open_pool(pool2);
		int buf = alloc_filled(fd2, 42);

		begin_fails(begin_arg(buf, WAIT | FENCE_FD), -EINVAL);
		igt_assert_eq_u32(query_state(fd2, buf), SECBUF_STATE_LIVE);
		secbuf_dma_begin(fd2, buf, WAIT);
		end_fails(fd, end_arg(buf), -EINVAL);
		igt_assert_eq_u32(query_state(fd2, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd2, buf);
		close(buf);
		close(fd2);
		secbuf_pool_assert_idle(pool2);
	}

	igt_describe("DMA_BEGIN with FENCE_FD when the process has no free fd "
		     "is EMFILE and opens no window; without FENCE_FD it needs "
		     "no fd and works.");
	igt_subtest("begin-no-fd-emfile") {
		int buf = alloc_filled(fd, 43);
		struct rlimit old, lim;
		int fence = -1, with_fd, without_fd;

		igt_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
		lim = old;
		lim.rlim_cur = (rlim_t)secbuf_next_free_fd();
		igt_assert_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
		with_fd = __secbuf_dma_begin(fd, buf, WAIT | FENCE_FD, &fence);
		without_fd = with_fd ? __secbuf_dma_begin(fd, buf, WAIT, NULL) :
				       -EEXIST;
		igt_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);

		igt_assert_eq(with_fd, -EMFILE);
		igt_assert_eq(without_fd, 0);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);
		assert_no_window(buf);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The owner may name the buffer by a grant's fd: DMA_BEGIN "
		     "and DMA_END through it open and close the buffer's "
		     "window.");
	igt_subtest("begin-through-grant-fd") {
		int buf = alloc_filled(fd, 44);
		int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
		int fence = secbuf_dma_begin(fd, grant, STRICT | FENCE_FD);

		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		igt_assert_eq(__secbuf_dma_begin(fd, buf, WAIT, NULL), -EBUSY);
		secbuf_dma_end(fd, grant);
		igt_assert_eq(sync_fence_status(fence), 1);
		assert_no_window(buf);
		close(fence);
		close(grant);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	/* ---- DMA_END errors --------------------------------------------- */

	igt_describe("DMA_END with no window open is ENOENT: on a new buffer, "
		     "and again after a window was closed.");
	igt_subtest("end-no-window-enoent") {
		int buf = alloc_filled(fd, 50);

		end_fails(fd, end_arg(buf), -ENOENT);
		secbuf_dma_begin(fd, buf, WAIT);
		secbuf_dma_end(fd, buf);
		end_fails(fd, end_arg(buf), -ENOENT);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_END with any flags bit set is EINVAL and leaves the "
		     "window open.");
	igt_subtest("end-flags-einval") {
		int buf = alloc_filled(fd, 51);
		int fence = secbuf_dma_begin(fd, buf, WAIT | FENCE_FD);

		for (int bit = 0; bit < 32; bit++) {
			struct secbuf_dma_end arg = end_arg(buf);

			arg.flags = 1U << bit;
			if (arg.flags & SECBUF_DMA_END_VALID_FLAGS)
				continue;
			end_fails(fd, arg, -EINVAL);
		}
		igt_assert_eq(sync_fence_status(fence), 0);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);
		close(fence);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_END from a pool file that does not own the buffer, "
		     "in this process or another, is EPERM and leaves the "
		     "window open.");
	igt_subtest("end-not-owner-eperm") {
		int other = secbuf_open_pool(pool);
		struct peer p;
		struct peer_reply r;
		int buf, fence;

		peer_start(&p);
		buf = alloc_filled(fd, 52);
		peer_give(&p, 0, buf);
		fence = secbuf_dma_begin(fd, buf, STRICT | FENCE_FD);

		end_fails(other, end_arg(buf), -EPERM);
		r = peer_call(&p, (struct peer_cmd){ .op = PEER_DMA_END });
		igt_assert_eq(r.ret, -EPERM);
		igt_assert_eq(sync_fence_status(fence), 0);
		igt_assert_eq_u32(query_state(fd, buf), SECBUF_STATE_DMA);
		secbuf_dma_end(fd, buf);

		peer_stop(&p);
		igt_waitchildren();
		close(fence);
		close(other);
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_END on a revoked buffer is ENODEV, whether the "
		     "revocation closed an open window or there was none.");
	igt_subtest("end-revoked-enodev") {
		int a = alloc_filled(fd, 54);
		int b = alloc_filled(fd, 55);

		secbuf_dma_begin(fd, a, WAIT);
		secbuf_revoke(fd, a, 0);
		end_fails(fd, end_arg(a), -ENODEV);
		secbuf_revoke(fd, b, 0);
		end_fails(fd, end_arg(b), -ENODEV);
		close(a);
		close(b);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_END of a closed fd number, or of -1, is EBADF.");
	igt_subtest("end-closed-fd-ebadf") {
		int buf = alloc_filled(fd, 53);

		close(buf);
		end_fails(fd, end_arg(buf), -EBADF);
		end_fails(fd, end_arg(-1), -EBADF);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("DMA_END of an fd that is not a dma-buf (/dev/null, the "
		     "pool file itself) is EINVAL.");
	igt_subtest("end-not-dmabuf-einval") {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		igt_assert_fd(null);
		end_fails(fd, end_arg(null), -EINVAL);
		end_fails(fd, end_arg(fd), -EINVAL);
		close(null);
	}

	/* ---- Races --------------------------------------------------------- */

	igt_describe("For 3 s the owner opens and closes WAIT windows at random "
		     "intervals while two threads of another process verify "
		     "and rewrite whole pages through a grant: no thread ever "
		     "gets a signal or reads a wrong word, and no thread "
		     "finishes more than the page it had already touched while "
		     "a window is open. Seeded (SECBUF_SEED).");
	igt_subtest("race-begin-end-faulting-threads") {
		window_race();
	}

	igt_describe("For 3 s, rounds of: two threads of another process "
		     "mmap, touch and munmap random ranges of a new grant while "
		     "the owner revokes that grant at a random moment. Each "
		     "thread's loop ends on ENODEV from mmap, SIGBUS only at "
		     "its own mapping and never followed by a working mmap; "
		     "the owner's mapping and another grant's keep their data. "
		     "Seeded (SECBUF_SEED).");
	igt_subtest("race-grant-revoke-mmap") {
		grant_race();
	}

	igt_fixture {
		close(fd);
		secbuf_pool_assert_idle(pool);
	}
}
