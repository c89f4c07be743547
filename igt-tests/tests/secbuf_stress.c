// SPDX-License-Identifier: MIT
/*
 * secbuf_stress: time-bounded, seeded runs of many processes and threads
 * doing everything secbuf allows at once, with invariants checked while
 * they run and after; and the pool under memory pressure.
 *
 * The random mix. N processes (SECBUF_STRESS_PROCS, default 3), each with
 * its own pool file, a vgem file and M worker threads (SECBUF_STRESS_THREADS,
 * default 2) plus a receiver thread, run for SECBUF_STRESS_SECONDS (default
 * 12) a weighted random mix of: alloc, mmap (whole or a part, read or
 * write), touch (fault: read and check, or write), munmap, grant (rights,
 * bound to a process or not), revoke of a buffer or of one grant, seal,
 * DMA window (WAIT or STRICT, with or without a fence), close, passing an
 * fd to another process over a unix socket, vgem import and its release,
 * management ioctls by a process that does not own the buffer, regrant,
 * query. Each worker thread draws from its own stream of the printed seed.
 *
 * What is known about each buffer lives in memory shared by all processes
 * (struct entry): size, content, who holds it, seals, revocations, imports.
 * Calls that depend on that state are made under the entry's lock, so their
 * result is known exactly; mmap and touches race with everything on
 * purpose, and a call racing with a change of state may have the result of
 * the state before or after (read before and after the call). Every result
 * is checked against the errno table of include/uapi/linux/secbuf.h.
 *
 * Invariants:
 * - every read returns the owner's pattern (or zero for a buffer its owner
 *   never wrote); a fresh buffer is zero before its owner writes it: no
 *   process ever sees another owner's bytes;
 * - every SIGBUS is explained by an earlier revocation of the buffer, of
 *   the grant mapped or of a grant it was derived from, a write seal (for
 *   a write), or a STRICT window open when the access started: the events
 *   go to a log in shared memory with a global sequence number, checked
 *   when the run ends;
 * - the converse: an access that starts after a revocation or write seal
 *   returned must raise SIGBUS, and so must one inside a STRICT window;
 * - every few seconds all workers park and the pool's used_bytes must be
 *   the sum of the live buffers plus quarantined_bytes, which must be the
 *   sum of the revoked buffers a vgem import still maps (none on 7.x,
 *   where vgem's import only attaches: igt_secbuf_vgem.h);
 * - at the end the pool is idle.
 *
 * Kernel reports (KASAN, lockdep, WARN, ...) are caught by the harness.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Seeded, time-bounded stress: processes and threads "
		     "racing every secbuf operation with invariants on data, "
		     "SIGBUS and accounting; the pool filled, fragmented and "
		     "under memory pressure.");

#define MAX_PROCS	6
#define MAX_THREADS	6
#define SLOTS		16	/* buffers a process may own at once */
#define RECS		40	/* handles a process may hold at once */
#define MAX_GRANTS	62	/* grant ids tracked per buffer */
#define LOG_EVENTS	(1 << 17)

#define ALIGN_UP(x)	(((x) + secbuf_page_size() - 1) & ~((uint64_t)secbuf_page_size() - 1))

static const char *pool;

/* ---- Shared state --------------------------------------------------------- */

enum ev_kind {
	EV_NONE,
	EV_BEGIN,	/* flags: op */
	EV_ALLOC,	/* arg: size */
	EV_REVOKE,	/* arg: begin seq */
	EV_SEAL,	/* flags: seals asked; arg: begin seq */
	EV_WIN_OPEN,	/* flags: policy; arg: begin seq */
	EV_WIN_CLOSE,	/* arg: begin seq */
	EV_SIGBUS,	/* flags: 1 for a write; arg: seq when the access began */
	EV_GRANT,	/* grant_id: the new grant; arg: the grant it came from */
};

struct event {
	uint32_t kind;
	int32_t ret;
	uint16_t proc;
	uint16_t thread;
	uint32_t flags;
	uint64_t buf_id;
	uint64_t grant_id;
	uint64_t arg;
};

/* What every process knows about one buffer; see the top comment. */
struct entry {
	pthread_mutex_t lock;		/* process-shared */
	int used;
	uint64_t id;
	uint64_t size;
	bool filled;			/* the owner wrote its pattern */
	int holders;			/* records and fds in flight */
	int imports;			/* vgem imports held */
	uint32_t seals;
	uint32_t seals_pending;		/* a SEAL of these is being made */
	int revoke_begun;		/* a REVOKE of the buffer is under way */
	uint64_t grant_begun;		/* bit g: a REVOKE of grant g is */
	uint64_t revoke_done;		/* seq + 1 of the REVOKE's end */
	uint64_t wseal_done;		/* seq + 1 of SEAL_WRITE's end */
	uint32_t ngrants;		/* highest grant id seen */
	bool grants_full;
	uint64_t grant_done[MAX_GRANTS + 2];	/* seq + 1 of its revoke */
	int grant_holders[MAX_GRANTS + 2];
	/* the grant each was derived from (0: the owner's handle) */
	uint64_t grant_parent[MAX_GRANTS + 2];
};

enum op {
	OP_ALLOC, OP_MMAP, OP_TOUCH, OP_MUNMAP, OP_GRANT, OP_REVOKE,
	OP_REVOKE_GRANT, OP_SEAL, OP_WINDOW, OP_CLOSE, OP_SEND, OP_IMPORT,
	OP_UNIMPORT, OP_NOT_OWNER, OP_QUERY, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"alloc", "mmap", "touch", "munmap", "grant", "revoke", "revoke-grant",
	"seal", "window", "close", "send", "import", "unimport", "not-owner",
	"query",
};

enum outcome { OUT_OK, OUT_ERR, OUT_SIGBUS, NR_OUT };

struct shared {
	uint64_t seed;
	int nprocs, nthreads;
	uint64_t deadline_ns;
	int stop;			/* atomic */
	int pause;			/* atomic */
	int parked;			/* atomic */
	int procs_done;			/* atomic: workers of how many stopped */
	int ready;			/* atomic */
	uint64_t seq;			/* atomic, next event index */
	int overflow;
	pid_t pids[MAX_PROCS];
	uint64_t pool_total;
	uint64_t counts[NR_OPS][NR_OUT];	/* atomic */
	uint64_t checkpoints;
	struct entry entries[MAX_PROCS][SLOTS];
	struct event log[LOG_EVENTS];
};

static struct shared *sh;

#define ATOMIC_LOAD(p)		__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ATOMIC_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_ADD(p, v)	__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)

static void count(enum op op, enum outcome out)
{
	ATOMIC_ADD(&sh->counts[op][out], 1);
}

/* ---- Per process ----------------------------------------------------------- */

struct rec {
	pthread_rwlock_t lock;	/* read: touch, use of fd; write: change */
	int used;		/* under table_lock and lock */
	int fd;
	int eproc, eslot;	/* the entry */
	uint64_t id, grant_id, size, ino;
	uint32_t rights;
	bool mine;		/* this process owns the buffer */
	bool writable_fd;	/* opened O_RDWR */
	pid_t bound;		/* pid the handle is bound to, or 0 */
	int bound_proc;		/* that process's index, or -1 */
	char *map;
	size_t map_off, map_len;
	int map_prot;
	uint32_t gem;
};

static int me = -1;
static int pool_fd = -1, vgem_fd = -1, recv_sock = -1;
static int socks[MAX_PROCS][2];
static struct rec recs[RECS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int receiver_stop;
static uint64_t proc_cap;	/* bytes of buffers a process may own */

struct worker {
	pthread_t thread;
	int idx;
	struct secbuf_rng rng;
	const unsigned int *weights;
};

/* The access a worker is making, for the SIGBUS handler. */
static __thread sigjmp_buf touch_jmp;
static __thread volatile sig_atomic_t touch_armed;
static __thread uint64_t touch_buf, touch_grant, touch_start;
static __thread int touch_write, touch_thread;
static __thread void *volatile touch_addr;
static __thread void *volatile sigbus_addr;
static __thread volatile uint64_t sigbus_seq;

static uint64_t ev_log(uint32_t kind, int thread, uint64_t buf, uint64_t grant,
		       uint32_t flags, uint64_t arg, int ret)
{
	uint64_t idx = __atomic_fetch_add(&sh->seq, 1, __ATOMIC_SEQ_CST);
	struct event *e;

	if (idx >= LOG_EVENTS) {
		ATOMIC_STORE(&sh->overflow, 1);
		ATOMIC_STORE(&sh->stop, 1);
		return idx;
	}
	e = &sh->log[idx];
	e->proc = (uint16_t)me;
	e->thread = (uint16_t)thread;
	e->buf_id = buf;
	e->grant_id = grant;
	e->flags = flags;
	e->arg = arg;
	e->ret = ret;
	__atomic_store_n(&e->kind, kind, __ATOMIC_RELEASE);
	return idx;
}

static uint64_t seq_now(void)
{
	return ATOMIC_LOAD(&sh->seq);
}

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!touch_armed) {
		signal(sig, SIG_DFL);
		return;
	}
	touch_armed = 0;
	sigbus_addr = si->si_addr;
	sigbus_seq = ev_log(EV_SIGBUS, touch_thread, touch_buf, touch_grant,
			    (uint32_t)touch_write, touch_start, 0);
	siglongjmp(touch_jmp, 1);
}

/* The pattern of word @idx of buffer @id: its owner's, told apart from any other. */
static inline uint64_t pattern(uint64_t id, uint64_t idx)
{
	return ((id + 1) << 32) | ((uint32_t)idx ^ 0xa5a5a5a5u);
}

static struct entry *entry_of(const struct rec *r)
{
	return &sh->entries[r->eproc][r->eslot];
}

static void entry_lock(struct entry *e)
{
	igt_assert_eq(pthread_mutex_lock(&e->lock), 0);
}

static void entry_unlock(struct entry *e)
{
	igt_assert_eq(pthread_mutex_unlock(&e->lock), 0);
}

/* A handle of the entry went away: under the entry's lock. */
static void entry_put(struct entry *e, uint64_t grant_id)
{
	igt_assert(e->holders > 0);
	if (grant_id && grant_id <= MAX_GRANTS + 1)
		e->grant_holders[grant_id]--;
	if (--e->holders == 0)
		e->used = 0;
}

/*
 * Revoking a grant revokes every grant derived from it, at any depth: a
 * grant is revoked once it or any grant it descends from is. The seq + 1
 * of the first such revocation's end, or 0.
 */
static uint64_t grant_revoked_at(struct entry *e, uint64_t grant_id)
{
	uint64_t first = 0;

	for (int depth = 0; grant_id && grant_id <= MAX_GRANTS + 1 &&
	     depth <= MAX_GRANTS + 1; depth++) {
		uint64_t done = ATOMIC_LOAD(&e->grant_done[grant_id]);

		if (done && (!first || done < first))
			first = done;
		grant_id = ATOMIC_LOAD(&e->grant_parent[grant_id]);
	}
	return first;
}

/* Whether a REVOKE of the grant or of one it descends from is under way. */
static bool grant_revoke_begun(struct entry *e, uint64_t grant_id)
{
	uint64_t begun = ATOMIC_LOAD(&e->grant_begun);

	for (int depth = 0; grant_id && grant_id <= MAX_GRANTS &&
	     depth <= MAX_GRANTS; depth++) {
		if (begun & (1ULL << grant_id))
			return true;
		grant_id = ATOMIC_LOAD(&e->grant_parent[grant_id]);
	}
	return false;
}

/*
 * State that only grows: revoked, write-sealed; for bracketing a call.
 * Read before a call, what is done; read after it, also what is under way
 * (the kernel may have done it, the bookkeeping follows the ioctl).
 */
struct state {
	bool revoked;		/* the buffer or this handle */
	bool wsealed;
	uint32_t seals;
};

static struct state __state_of(const struct rec *r, bool pending)
{
	struct entry *e = entry_of(r);
	struct state s = {
		.revoked = ATOMIC_LOAD(&e->revoke_done) != 0,
		.wsealed = ATOMIC_LOAD(&e->wseal_done) != 0,
		.seals = ATOMIC_LOAD(&e->seals),
	};

	if (grant_revoked_at(e, r->grant_id))
		s.revoked = true;
	if (pending) {
		uint32_t sp = ATOMIC_LOAD(&e->seals_pending);

		s.revoked |= ATOMIC_LOAD(&e->revoke_begun) ||
			     grant_revoke_begun(e, r->grant_id);
		s.seals |= sp;
		s.wsealed |= sp & SECBUF_SEAL_WRITE;
	}
	return s;
}

static struct state state_of(const struct rec *r)
{
	return __state_of(r, false);
}

static struct state state_after(const struct rec *r)
{
	return __state_of(r, true);
}

/* ---- Records --------------------------------------------------------------- */

static struct rec *rec_claim(void)
{
	struct rec *r = NULL;

	pthread_mutex_lock(&table_lock);
	for (int i = 0; i < RECS; i++) {
		if (!recs[i].used) {
			r = &recs[i];
			r->used = 2;	/* reserved: not yet visible */
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return r;
}

static void rec_publish(struct rec *r)
{
	pthread_mutex_lock(&table_lock);
	r->used = 1;
	pthread_mutex_unlock(&table_lock);
}

static void rec_release(struct rec *r)
{
	pthread_mutex_lock(&table_lock);
	r->used = 0;
	pthread_mutex_unlock(&table_lock);
}

/* A random record in use, locked for reading or writing; NULL if none. */
static struct rec *rec_pick(struct worker *w, bool write, bool (*want)(struct rec *))
{
	for (int tries = 0; tries < 8; tries++) {
		struct rec *r = &recs[secbuf_rng_below(&w->rng, RECS)];

		if (ATOMIC_LOAD(&r->used) != 1)
			continue;
		if (write)
			pthread_rwlock_wrlock(&r->lock);
		else
			pthread_rwlock_rdlock(&r->lock);
		if (r->used == 1 && (!want || want(r)))
			return r;
		pthread_rwlock_unlock(&r->lock);
	}
	return NULL;
}

static void rec_unlock(struct rec *r)
{
	pthread_rwlock_unlock(&r->lock);
}

static uint64_t fd_inode(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

static int proc_of_pid(pid_t pid)
{
	for (int p = 0; p < sh->nprocs; p++)
		if (sh->pids[p] == pid)
			return p;
	return -1;
}

/* ---- Touching mappings ----------------------------------------------------- */

/*
 * Read or write one word per page of a few random pages of @r's mapping
 * (the caller holds @r's lock). @must_sigbus: the caller knows the access
 * must raise SIGBUS (inside a STRICT window it opened). Returns true if a
 * SIGBUS happened.
 */
static bool touch(struct worker *w, struct rec *r, bool write, bool must_sigbus)
{
	struct entry *e = entry_of(r);
	size_t page = secbuf_page_size();
	size_t pages = r->map_len / page;
	unsigned int n = 1 + (unsigned int)secbuf_rng_below(&w->rng, 4);
	bool filled = ATOMIC_LOAD(&e->filled);

	write = write && (r->map_prot & PROT_WRITE);
	for (unsigned int i = 0; i < n; i++) {
		size_t off = secbuf_rng_below(&w->rng, pages) * page +
			     secbuf_rng_below(&w->rng, page / 8) * 8;
		uint64_t idx = (r->map_off + off) / 8;
		volatile uint64_t *p = (volatile uint64_t *)(r->map + off);
		uint64_t expect = filled ? pattern(r->id, idx) : 0;
		uint64_t start = seq_now(), v = 0;
		bool sigbus_due = must_sigbus;

		/*
		 * A revocation or write seal whose end was logged before the
		 * access began makes SIGBUS due; one that ends later may or
		 * may not have zapped the mapping yet.
		 */
		if (!must_sigbus) {
			uint64_t rd = ATOMIC_LOAD(&e->revoke_done);
			uint64_t gd = grant_revoked_at(e, r->grant_id);
			uint64_t wd = ATOMIC_LOAD(&e->wseal_done);

			sigbus_due = (rd && rd - 1 < start) ||
				     (gd && gd - 1 < start) ||
				     (write && wd && wd - 1 < start);
		}

		touch_thread = w->idx;
		touch_buf = r->id;
		touch_grant = r->grant_id;
		touch_write = write;
		touch_start = start;
		touch_addr = (void *)p;
		if (sigsetjmp(touch_jmp, 1)) {
			igt_assert_f(sigbus_addr == touch_addr,
				     "SIGBUS at %p, touched %p\n", sigbus_addr,
				     touch_addr);
			count(OP_TOUCH, OUT_SIGBUS);
			return true;
		}
		touch_armed = 1;
		if (write)
			*p = expect;
		else
			v = *p;
		touch_armed = 0;

		igt_assert_f(!sigbus_due,
			     "%s of buffer %" PRIu64 " (grant %" PRIu64 ") at "
			     "offset %#zx worked, but it %s before the access "
			     "began (seq %" PRIu64 ")\n",
			     write ? "write" : "read", r->id, r->grant_id,
			     (size_t)(idx * 8),
			     must_sigbus ? "was in a STRICT window" :
			     "was revoked or write-sealed", start);
		if (!write)
			igt_assert_f(v == expect,
				     "buffer %" PRIu64 " (grant %" PRIu64 ", proc %d) "
				     "offset %#zx: read %#" PRIx64 ", expected %#" PRIx64
				     " (%s); the value looks like %s\n",
				     r->id, r->grant_id, me, (size_t)(idx * 8), v,
				     expect, filled ? "its pattern" : "zero",
				     v == 0 ? "zeroed memory" :
				     (v >> 32) ? "another buffer's pattern (buffer "
				     "id in the top half, minus one)" : "garbage");
	}
	count(OP_TOUCH, OUT_OK);
	return false;
}

/* ---- The operations -------------------------------------------------------- */

static uint64_t pick_size(struct worker *w)
{
	size_t page = secbuf_page_size();
	unsigned int cls = (unsigned int)secbuf_rng_below(&w->rng, 100);

	if (cls < 60)
		return (1 + secbuf_rng_below(&w->rng, 16)) * page -
		       secbuf_rng_below(&w->rng, 2) * secbuf_rng_below(&w->rng, page);
	if (cls < 90)
		return (16 + secbuf_rng_below(&w->rng, 240)) * page;
	return SECBUF_SZ_2M + secbuf_rng_below(&w->rng, 3) * SECBUF_SZ_1M;
}

static uint64_t owned_bytes(void)
{
	uint64_t sum = 0;

	for (int s = 0; s < SLOTS; s++)
		if (ATOMIC_LOAD(&sh->entries[me][s].used))
			sum += sh->entries[me][s].size;
	return sum;
}

static void op_alloc(struct worker *w)
{
	bool rdwr = secbuf_rng_chance(&w->rng, 90);
	uint64_t size = pick_size(w);
	struct secbuf_alloc arg = {
		.size = size,
		.fd_flags = (rdwr ? O_RDWR : O_RDONLY) | O_CLOEXEC,
	};
	struct entry *e = NULL;
	struct rec *r;
	char *map;
	int slot, ret;

	if (owned_bytes() + size > proc_cap)
		return;
	for (slot = 0; slot < SLOTS; slot++) {
		e = &sh->entries[me][slot];
		entry_lock(e);
		if (!e->used)
			break;
		entry_unlock(e);
	}
	if (slot == SLOTS)
		return;
	r = rec_claim();
	if (!r) {
		entry_unlock(e);
		return;
	}

	ret = __secbuf_alloc_full(pool_fd, &arg);
	if (ret) {
		struct secbuf_errset ok = {};

		/* The pool may be full or too fragmented for this size. */
		secbuf_errset_add(&ok, ENOMEM);
		igt_assert_in_errset(ret, &ok, "ALLOC of %" PRIu64 " bytes", size);
		count(OP_ALLOC, OUT_ERR);
		entry_unlock(e);
		rec_release(r);
		return;
	}
	igt_assert_eq_u64(arg.alloc_size, ALIGN_UP(size));

	/* Fresh memory must be zero, whatever it held before. */
	map = __secbuf_mmap((int)arg.fd, arg.alloc_size, 0,
			    PROT_READ | (rdwr ? PROT_WRITE : 0), MAP_SHARED);
	igt_assert_f(map, "mmap of a new buffer: %s\n", strerror(errno));
	for (size_t i = 0; i < arg.alloc_size / 8; i++) {
		uint64_t v = ((volatile uint64_t *)map)[i];

		igt_assert_f(v == 0, "new buffer %" PRIu64 " (%" PRIu64
			     " bytes) offset %#zx holds %#" PRIx64 ", not zero%s\n",
			     (uint64_t)arg.id, (uint64_t)arg.alloc_size, i * 8, v,
			     (v >> 32) ? ": another buffer's pattern" : "");
	}
	if (rdwr) {
		for (size_t i = 0; i < arg.alloc_size / 8; i++)
			((volatile uint64_t *)map)[i] = pattern(arg.id, i);
	}

	e->used = 1;
	e->id = arg.id;
	e->size = arg.alloc_size;
	e->filled = rdwr;
	e->holders = 1;
	e->imports = 0;
	e->seals = 0;
	e->seals_pending = 0;
	e->revoke_begun = 0;
	e->grant_begun = 0;
	e->revoke_done = 0;
	e->wseal_done = 0;
	e->ngrants = 0;
	e->grants_full = false;
	memset(e->grant_done, 0, sizeof(e->grant_done));
	memset(e->grant_holders, 0, sizeof(e->grant_holders));
	memset(e->grant_parent, 0, sizeof(e->grant_parent));

	pthread_rwlock_wrlock(&r->lock);
	r->fd = (int)arg.fd;
	r->eproc = me;
	r->eslot = slot;
	r->id = arg.id;
	r->grant_id = 0;
	r->size = arg.alloc_size;
	r->ino = fd_inode(r->fd);
	r->rights = SECBUF_GRANT_VALID_RIGHTS & ~(rdwr ? 0 : SECBUF_GRANT_WRITE);
	r->mine = true;
	r->writable_fd = rdwr;
	r->bound = 0;
	r->bound_proc = -1;
	r->map = map;
	r->map_off = 0;
	r->map_len = arg.alloc_size;
	r->map_prot = PROT_READ | (rdwr ? PROT_WRITE : 0);
	r->gem = 0;
	pthread_rwlock_unlock(&r->lock);
	entry_unlock(e);
	ev_log(EV_ALLOC, w->idx, arg.id, 0, 0, arg.alloc_size, 0);
	rec_publish(r);
	count(OP_ALLOC, OUT_OK);
}

/* What mmap gives for @prot on @r in state @s (lib/igt_stress.h's model). */
static void mmap_outcomes(const struct rec *r, int prot, struct state s,
			  struct secbuf_errset *set)
{
	const struct secbuf_model_handle h = {
		.rights = r->rights,
		.writable_fd = r->writable_fd,
		.bound = r->bound,
		.revoked = s.revoked,
		.wsealed = s.wsealed,
	};

	secbuf_model_mmap(&h, prot, set);
}

static bool rec_unmapped(struct rec *r)
{
	return !r->map;
}

static void op_mmap(struct worker *w)
{
	struct rec *r = rec_pick(w, true, rec_unmapped);
	struct secbuf_errset ok = {};
	size_t page = secbuf_page_size();
	struct state before, after;
	size_t off = 0, len;
	int prot = PROT_READ;
	char *map;
	int ret;

	if (!r)
		return;
	len = r->size;
	if (secbuf_rng_chance(&w->rng, 25)) {
		size_t pages = r->size / page;

		off = secbuf_rng_below(&w->rng, pages) * page;
		len = (1 + secbuf_rng_below(&w->rng, pages - off / page)) * page;
	}
	/* Mostly what the handle allows, sometimes more. */
	if ((r->rights & SECBUF_GRANT_WRITE) ? secbuf_rng_chance(&w->rng, 60) :
	    secbuf_rng_chance(&w->rng, 10))
		prot |= PROT_WRITE;

	before = state_of(r);
	map = __secbuf_mmap(r->fd, len, (off_t)off, prot, MAP_SHARED);
	ret = map ? 0 : -errno;
	after = state_after(r);
	/* Whatever the state was at some time during the call. */
	mmap_outcomes(r, prot, before, &ok);
	mmap_outcomes(r, prot, after, &ok);
	igt_assert_in_errset(ret, &ok, "mmap(%#zx, %#zx, prot %d) of buffer %"
			     PRIu64 " grant %" PRIu64 " rights %#x%s", off, len,
			     prot, r->id, r->grant_id, r->rights,
			     r->bound ? " (bound)" : "");
	if (map) {
		r->map = map;
		r->map_off = off;
		r->map_len = len;
		r->map_prot = prot;
	}
	count(OP_MMAP, map ? OUT_OK : OUT_ERR);
	rec_unlock(r);
}

static bool rec_mapped(struct rec *r)
{
	return r->map;
}

static void op_touch(struct worker *w)
{
	struct rec *r = rec_pick(w, false, rec_mapped);

	if (!r)
		return;
	touch(w, r, secbuf_rng_chance(&w->rng, 30), false);
	rec_unlock(r);
}

static void op_munmap(struct worker *w)
{
	struct rec *r = rec_pick(w, true, rec_mapped);

	if (!r)
		return;
	igt_assert_eq(munmap(r->map, r->map_len), 0);
	r->map = NULL;
	count(OP_MUNMAP, OUT_OK);
	rec_unlock(r);
}

static bool rec_mine(struct rec *r)
{
	return r->mine;
}

static bool rec_not_mine(struct rec *r)
{
	return !r->mine;
}

/*
 * Lock the entry of a record picked without any lock, then the record:
 * the entry's lock comes first. Returns the record locked (for reading
 * unless @write) with its entry locked, or NULL.
 */
static struct rec *rec_pick_locked(struct worker *w, bool write,
				   bool (*want)(struct rec *))
{
	for (int tries = 0; tries < 8; tries++) {
		struct rec *r = &recs[secbuf_rng_below(&w->rng, RECS)];
		struct entry *e;
		int eproc, eslot;

		if (ATOMIC_LOAD(&r->used) != 1)
			continue;
		/* Where the entry is, read under the record's lock. */
		pthread_rwlock_rdlock(&r->lock);
		eproc = r->eproc;
		eslot = r->eslot;
		pthread_rwlock_unlock(&r->lock);
		e = &sh->entries[eproc][eslot];

		entry_lock(e);
		if (write)
			pthread_rwlock_wrlock(&r->lock);
		else
			pthread_rwlock_rdlock(&r->lock);
		if (r->used == 1 && r->eproc == eproc && r->eslot == eslot &&
		    (!want || want(r)))
			return r;
		pthread_rwlock_unlock(&r->lock);
		entry_unlock(e);
	}
	return NULL;
}

static void rec_unlock_all(struct rec *r)
{
	struct entry *e = entry_of(r);

	pthread_rwlock_unlock(&r->lock);
	entry_unlock(e);
}

/*
 * Fill @r (claimed with rec_claim()) for a new handle of @src's buffer; the
 * entry is locked.
 */
static void rec_fill_grant(struct rec *r, struct rec *src, int fd,
			   uint64_t grant_id, uint32_t rights, pid_t bound)
{
	struct entry *e = entry_of(src);

	pthread_rwlock_wrlock(&r->lock);
	r->fd = fd;
	r->eproc = src->eproc;
	r->eslot = src->eslot;
	r->id = src->id;
	r->grant_id = grant_id;
	r->size = src->size;
	r->ino = fd_inode(fd);
	r->rights = rights;
	r->mine = src->mine;
	r->writable_fd = rights & SECBUF_GRANT_WRITE;
	r->bound = bound;
	r->bound_proc = bound ? proc_of_pid(bound) : -1;
	r->map = NULL;
	r->gem = 0;
	pthread_rwlock_unlock(&r->lock);
	e->holders++;
	e->grant_holders[grant_id]++;
}

/*
 * GRANT from @r, by its owner (@r->mine) or by a holder with REGRANT.
 * The entry and @r are locked.
 */
static void do_grant(struct worker *w, struct rec *r, enum op op)
{
	struct entry *e = entry_of(r);
	struct secbuf_errset ok = {};
	struct state s = state_of(r);
	uint32_t rights = (uint32_t)secbuf_rng_below(&w->rng, 16);
	struct secbuf_grant arg = {
		.buf_fd = (uint32_t)r->fd,
		.rights = rights,
		.fd_flags = O_CLOEXEC,
	};
	struct rec *nr;
	pid_t bind = 0;
	int pidfd = -1, ret;

	if (e->grants_full)
		return;
	nr = rec_claim();
	if (!nr)
		return;
	/* Mostly something the handle can give. */
	if (secbuf_rng_chance(&w->rng, 80))
		arg.rights = rights &= r->rights;
	if (secbuf_rng_chance(&w->rng, 30)) {
		int p = (int)secbuf_rng_below(&w->rng, sh->nprocs);

		bind = sh->pids[p];
		pidfd = secbuf_pidfd_open(bind);
		arg.flags = SECBUF_GRANT_PIDFD;
		arg.pidfd = (uint32_t)pidfd;
	}

	if ((!r->mine && !(r->grant_id && (r->rights & SECBUF_GRANT_REGRANT))) ||
	    (rights & ~r->rights))
		secbuf_errset_add(&ok, EPERM);
	if (s.revoked)
		secbuf_errset_add(&ok, ENODEV);
	if (s.seals & SECBUF_SEAL_GRANT)
		secbuf_errset_add(&ok, EPERM);
	if (bind && r->bound && r->bound != bind)
		secbuf_errset_add(&ok, EPERM);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);

	ret = __secbuf_grant_full(pool_fd, &arg);
	if (pidfd >= 0)
		close(pidfd);
	igt_assert_in_errset(ret, &ok, "GRANT %#x%s from buffer %" PRIu64
			     " grant %" PRIu64 " (rights %#x, %s, seals %#x%s)",
			     rights, bind ? " bound" : "", r->id, r->grant_id,
			     r->rights, r->mine ? "owner" : "not the owner",
			     s.seals, s.revoked ? ", revoked" : "");
	if (ret) {
		rec_release(nr);
		count(op, OUT_ERR);
		return;
	}
	igt_assert_f(arg.grant_id > e->ngrants,
		     "new grant id %" PRIu64 " of buffer %" PRIu64
		     " is not above %u\n", (uint64_t)arg.grant_id, r->id,
		     e->ngrants);
	e->ngrants = arg.grant_id < MAX_GRANTS ? (uint32_t)arg.grant_id :
						 MAX_GRANTS;
	if (e->ngrants >= MAX_GRANTS)
		e->grants_full = true;
	if (arg.grant_id > MAX_GRANTS) {
		/* Not tracked: drop it at once. */
		close((int)arg.fd);
		rec_release(nr);
		count(op, OUT_OK);
		return;
	}
	/* A grant made from a grant's fd descends from it (cascade). */
	ATOMIC_STORE(&e->grant_parent[arg.grant_id], r->grant_id);
	ev_log(EV_GRANT, w->idx, r->id, arg.grant_id, 0, r->grant_id, 0);
	rec_fill_grant(nr, r, (int)arg.fd, arg.grant_id, rights,
		       bind ? bind : r->bound);
	rec_publish(nr);
	count(op, OUT_OK);
}

static void op_grant(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, false, rec_mine);

	if (!r)
		return;
	do_grant(w, r, OP_GRANT);
	rec_unlock_all(r);
}

/*
 * A grant id stays revocable while the grant or any grant derived from it
 * (at any depth, through closed ones too) is held. The entry is locked.
 */
static bool grant_lives(const struct entry *e, uint64_t grant_id)
{
	for (uint64_t g = 1; g <= e->ngrants && g <= MAX_GRANTS; g++) {
		if (!e->grant_holders[g])
			continue;
		for (uint64_t p = g; p; p = e->grant_parent[p])
			if (p == grant_id)
				return true;
	}
	return false;
}

static void op_revoke(struct worker *w, bool grant)
{
	struct rec *r = rec_pick_locked(w, false, rec_mine);
	struct secbuf_errset ok = {};
	uint64_t grant_id = 0, begin, end, quarantined = 0;
	struct entry *e;
	int ret;

	if (!r)
		return;
	e = entry_of(r);
	if (grant) {
		if (!e->ngrants) {
			rec_unlock_all(r);
			return;
		}
		grant_id = 1 + secbuf_rng_below(&w->rng, e->ngrants);
		if (!grant_lives(e, grant_id))
			secbuf_errset_add(&ok, ENOENT);
	}
	if (e->seals & SECBUF_SEAL_REVOKE)
		secbuf_errset_add(&ok, EPERM);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);

	/* Under way: racing calls may see it done before we note it. */
	if (!grant_id)
		ATOMIC_STORE(&e->revoke_begun, 1);
	else if (grant_id <= MAX_GRANTS)
		__atomic_or_fetch(&e->grant_begun, 1ULL << grant_id,
				  __ATOMIC_SEQ_CST);
	begin = ev_log(EV_BEGIN, w->idx, r->id, grant_id, OP_REVOKE, 0, 0);
	ret = __secbuf_revoke(pool_fd, r->fd, grant_id, &quarantined);
	end = ev_log(EV_REVOKE, w->idx, r->id, grant_id, 0, begin, ret);
	igt_assert_in_errset(ret, &ok, "REVOKE of buffer %" PRIu64 " grant %"
			     PRIu64 " (seals %#x, grant holders %d)", r->id,
			     grant_id, e->seals,
			     grant_id ? e->grant_holders[grant_id] : e->holders);
	if (!ret) {
		if (!grant_id && !e->revoke_done)
			ATOMIC_STORE(&e->revoke_done, end + 1);
		if (grant_id && !e->grant_done[grant_id])
			ATOMIC_STORE(&e->grant_done[grant_id], end + 1);
	} else if (!grant_id && !e->revoke_done) {
		ATOMIC_STORE(&e->revoke_begun, 0);
	} else if (grant_id && grant_id <= MAX_GRANTS && !e->grant_done[grant_id]) {
		__atomic_and_fetch(&e->grant_begun, ~(1ULL << grant_id),
				   __ATOMIC_SEQ_CST);
	}
	count(grant ? OP_REVOKE_GRANT : OP_REVOKE, ret ? OUT_ERR : OUT_OK);
	rec_unlock_all(r);
}

static void op_seal(struct worker *w)
{
	static const uint32_t choices[] = {
		SECBUF_SEAL_WRITE, SECBUF_SEAL_WRITE, SECBUF_SEAL_GRANT,
		SECBUF_SEAL_GRANT, SECBUF_SEAL_REVOKE, SECBUF_SEAL_SEAL,
		SECBUF_SEAL_WRITE | SECBUF_SEAL_GRANT,
	};
	struct rec *r = rec_pick_locked(w, false, rec_mine);
	struct secbuf_errset ok = {};
	uint32_t seals, now = 0;
	uint64_t begin, end;
	struct entry *e;
	int ret;

	if (!r)
		return;
	e = entry_of(r);
	seals = choices[secbuf_rng_below(&w->rng, ARRAY_SIZE(choices))];
	if (e->revoke_done)
		secbuf_errset_add(&ok, ENODEV);
	if (e->seals & SECBUF_SEAL_SEAL)
		secbuf_errset_add(&ok, EPERM);
	/*
	 * A vgem import is a device mapping that may write before 7.0; on
	 * 7.x it only attaches and never blocks the seal (igt_secbuf_vgem.h).
	 */
	if ((seals & ~e->seals & SECBUF_SEAL_WRITE) && e->imports &&
	    secbuf_vgem_import_maps())
		secbuf_errset_add(&ok, EBUSY);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);

	ATOMIC_STORE(&e->seals_pending, seals);
	begin = ev_log(EV_BEGIN, w->idx, r->id, 0, OP_SEAL, 0, 0);
	ret = __secbuf_seal(pool_fd, r->fd, seals, &now);
	end = ev_log(EV_SEAL, w->idx, r->id, 0, seals, begin, ret);
	igt_assert_in_errset(ret, &ok, "SEAL %#x of buffer %" PRIu64
			     " (seals %#x, imports %d%s)", seals, r->id,
			     e->seals, e->imports,
			     e->revoke_done ? ", revoked" : "");
	if (!ret) {
		igt_assert_eq_u32(now, e->seals | seals);
		if ((seals & SECBUF_SEAL_WRITE) && !e->wseal_done)
			ATOMIC_STORE(&e->wseal_done, end + 1);
		ATOMIC_STORE(&e->seals, now);
	}
	ATOMIC_STORE(&e->seals_pending, 0);
	count(OP_SEAL, ret ? OUT_ERR : OUT_OK);
	rec_unlock_all(r);
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void op_window(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, false, rec_mine);
	bool strict = secbuf_rng_chance(&w->rng, 50);
	bool fence = secbuf_rng_chance(&w->rng, 50);
	uint32_t policy = strict ? SECBUF_DMA_STRICT : SECBUF_DMA_WAIT;
	struct secbuf_errset ok = {};
	uint64_t begin, t0;
	int fence_fd = -1, ret;
	struct entry *e;

	if (!r)
		return;
	e = entry_of(r);
	if (e->revoke_done)
		secbuf_errset_add(&ok, ENODEV);
	if (e->seals & SECBUF_SEAL_WRITE)
		secbuf_errset_add(&ok, EPERM);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);

	begin = ev_log(EV_BEGIN, w->idx, r->id, 0, OP_WINDOW, 0, 0);
	t0 = secbuf_now_ms();
	ret = __secbuf_dma_begin(pool_fd, r->fd,
				 policy | (fence ? SECBUF_DMA_FENCE_FD : 0),
				 &fence_fd);
	ev_log(EV_WIN_OPEN, w->idx, r->id, 0, policy, begin, ret);
	igt_assert_in_errset(ret, &ok, "DMA_BEGIN %s of buffer %" PRIu64
			     " (seals %#x%s)", strict ? "STRICT" : "WAIT",
			     r->id, e->seals, e->revoke_done ? ", revoked" : "");
	if (ret) {
		count(OP_WINDOW, OUT_ERR);
		rec_unlock_all(r);
		return;
	}
	if (fence)
		igt_assert_eq(sync_fence_status(fence_fd), 0);

	/* Others touch it meanwhile; in a STRICT window so may we. */
	if (strict && r->map && secbuf_rng_chance(&w->rng, 50))
		igt_assert_f(touch(w, r, false, true),
			     "no SIGBUS inside a STRICT window\n");
	sleep_us((unsigned int)secbuf_rng_below(&w->rng, 15000));

	begin = ev_log(EV_BEGIN, w->idx, r->id, 0, OP_WINDOW, 1, 0);
	ret = __secbuf_dma_end(pool_fd, r->fd);
	ev_log(EV_WIN_CLOSE, w->idx, r->id, 0, policy, begin, ret);
	/* ETIMEDOUT only if the window lived past dma_window_timeout_ms. */
	if (ret == -ETIMEDOUT &&
	    secbuf_now_ms() - t0 >= secbuf_param_get("dma_window_timeout_ms"))
		ret = 0;
	igt_assert_f(ret == 0, "DMA_END of buffer %" PRIu64 ": %s\n", r->id,
		     secbuf_errname(ret));
	if (fence) {
		igt_assert_eq(sync_fence_wait(fence_fd, 5000), 0);
		igt_assert_eq(sync_fence_status(fence_fd), 1);
		close(fence_fd);
	}
	count(OP_WINDOW, OUT_OK);
	rec_unlock_all(r);
}

/* Everything of @r goes; entry and record locked for writing. */
static void rec_close(struct rec *r)
{
	struct entry *e = entry_of(r);

	if (r->map)
		igt_assert_eq(munmap(r->map, r->map_len), 0);
	r->map = NULL;
	if (r->gem) {
		gem_close(vgem_fd, r->gem);
		e->imports--;
		r->gem = 0;
	}
	igt_assert_eq(close(r->fd), 0);
	r->fd = -1;
	entry_put(e, r->grant_id);
	r->used = 0;
}

static void op_close(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, true, NULL);
	struct entry *e;

	if (!r)
		return;
	e = entry_of(r);
	pthread_mutex_lock(&table_lock);
	rec_close(r);
	pthread_mutex_unlock(&table_lock);
	pthread_rwlock_unlock(&r->lock);
	entry_unlock(e);
	count(OP_CLOSE, OUT_OK);
}

/* What travels with an fd. */
struct msg {
	int32_t eproc, eslot;
	uint64_t id, grant_id, size;
	uint32_t rights;
	int32_t bound;
	int32_t from;
	int32_t writable_fd;
};

static void op_send(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, false, NULL);
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
	struct entry *e;
	int to;

	if (!r)
		return;
	if (sh->nprocs < 2) {
		rec_unlock_all(r);
		return;
	}
	e = entry_of(r);
	/* A grant bound to a process goes to that one, mostly. */
	if (r->bound_proc >= 0 && r->bound_proc != me &&
	    secbuf_rng_chance(&w->rng, 80))
		to = r->bound_proc;
	else
		to = (me + 1 + (int)secbuf_rng_below(&w->rng, sh->nprocs - 1)) %
		     sh->nprocs;

	m = (struct msg) {
		.eproc = r->eproc, .eslot = r->eslot, .id = r->id,
		.grant_id = r->grant_id, .size = r->size, .rights = r->rights,
		.bound = r->bound, .from = me, .writable_fd = r->writable_fd,
	};
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &r->fd, sizeof(int));

	/* In flight, the fd holds the buffer like a record does. */
	e->holders++;
	if (r->grant_id)
		e->grant_holders[r->grant_id]++;
	if (sendmsg(socks[to][0], &mh, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(m)) {
		igt_assert_f(errno == EAGAIN || errno == EWOULDBLOCK,
			     "sendmsg: %s\n", strerror(errno));
		entry_put(e, r->grant_id);
		count(OP_SEND, OUT_ERR);
	} else {
		count(OP_SEND, OUT_OK);
	}
	rec_unlock_all(r);
}

/* The receiver: store what comes in, or drop it. Returns false when idle. */
static bool receive_one(int timeout_ms)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct pollfd pfd = { .fd = recv_sock, .events = POLLIN };
	struct cmsghdr *cmsg;
	struct entry *e;
	struct rec *r = NULL;
	uint64_t ino;
	int fd = -1;
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	n = recvmsg(recv_sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return false;
	/* Every sender has exited: the run is over (or a process died). */
	if (n == 0) {
		sleep_us(1000);
		return false;
	}
	igt_assert_eq(n, (ssize_t)sizeof(m));
	cmsg = CMSG_FIRSTHDR(&mh);
	igt_assert(cmsg && cmsg->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	igt_assert_fd(fd);

	e = &sh->entries[m.eproc][m.eslot];
	entry_lock(e);
	igt_assert_f(e->used && e->id == m.id,
		     "buffer %" PRIu64 " in flight lost its entry\n", m.id);
	ino = fd_inode(fd);
	/* One record per dma-buf and process: vgem dedups imports. */
	for (int i = 0; i < RECS; i++)
		if (ATOMIC_LOAD(&recs[i].used) && recs[i].ino == ino)
			goto drop;
	r = rec_claim();
	if (!r)
		goto drop;
	pthread_rwlock_wrlock(&r->lock);
	r->fd = fd;
	r->eproc = m.eproc;
	r->eslot = m.eslot;
	r->id = m.id;
	r->grant_id = m.grant_id;
	r->size = m.size;
	r->ino = ino;
	r->rights = m.rights;
	r->mine = m.eproc == me;
	r->writable_fd = m.writable_fd;
	r->bound = m.bound;
	r->bound_proc = m.bound ? proc_of_pid(m.bound) : -1;
	r->map = NULL;
	r->gem = 0;
	pthread_rwlock_unlock(&r->lock);
	entry_unlock(e);
	rec_publish(r);
	return true;

drop:
	close(fd);
	entry_put(e, m.grant_id);
	entry_unlock(e);
	return true;
}

static void *receiver_fn(void *arg)
{
	(void)arg;
	while (!receiver_stop)
		receive_one(20);
	while (receive_one(0))
		;
	return NULL;
}

static bool rec_not_imported(struct rec *r)
{
	return !r->gem;
}

static bool rec_imported(struct rec *r)
{
	return r->gem;
}

static void op_import(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, true, rec_not_imported);
	struct secbuf_errset ok = {};
	struct state s;
	uint32_t handle = 0;
	int ret;

	if (!r)
		return;
	s = state_of(r);
	if (!(r->rights & SECBUF_GRANT_DMA) ||
	    (r->bound && r->bound != getpid()))
		secbuf_errset_add(&ok, EACCES);
	else if (s.revoked)
		secbuf_errset_add(&ok, ENODEV);
	/* 7.x: vgem only attaches, neither WRITE nor seals matter. */
	else if (!secbuf_vgem_import_maps())
		secbuf_errset_add(&ok, 0);
	/* vgem maps for device writes too: that needs WRITE. */
	else if (!(r->rights & SECBUF_GRANT_WRITE))
		secbuf_errset_add(&ok, EACCES);
	else if (s.wsealed)
		secbuf_errset_add(&ok, EPERM);
	else
		secbuf_errset_add(&ok, 0);

	ret = __secbuf_prime_fd_to_handle(vgem_fd, r->fd, &handle);
	igt_assert_in_errset(ret, &ok, "vgem import of buffer %" PRIu64
			     " grant %" PRIu64 " (rights %#x%s%s%s)", r->id,
			     r->grant_id, r->rights, r->bound ? ", bound" : "",
			     s.revoked ? ", revoked" : "",
			     s.wsealed ? ", write-sealed" : "");
	if (!ret) {
		r->gem = handle;
		entry_of(r)->imports++;
	}
	count(OP_IMPORT, ret ? OUT_ERR : OUT_OK);
	rec_unlock_all(r);
}

static void op_unimport(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, true, rec_imported);

	if (!r)
		return;
	gem_close(vgem_fd, r->gem);
	r->gem = 0;
	entry_of(r)->imports--;
	count(OP_UNIMPORT, OUT_OK);
	rec_unlock_all(r);
}

/* A holder that does not own the buffer: management is EPERM; REGRANT works. */
static void op_not_owner(struct worker *w)
{
	struct rec *r = rec_pick_locked(w, false, rec_not_mine);
	struct secbuf_grant_list list = { 0 };
	uint64_t q = 0;
	uint32_t now = 0;

	if (!r)
		return;
	switch (secbuf_rng_below(&w->rng, 5)) {
	case 0:
		igt_assert_eq(__secbuf_revoke(pool_fd, r->fd, 0, &q), -EPERM);
		break;
	case 1:
		igt_assert_eq(__secbuf_seal(pool_fd, r->fd, SECBUF_SEAL_GRANT,
					    &now), -EPERM);
		break;
	case 2:
		igt_assert_eq(__secbuf_dma_begin(pool_fd, r->fd,
						 SECBUF_DMA_STRICT, NULL), -EPERM);
		break;
	case 3:
		list.buf_fd = (uint32_t)r->fd;
		igt_assert_eq(__secbuf_grant_list(pool_fd, &list), -EPERM);
		break;
	default:
		do_grant(w, r, OP_NOT_OWNER);
		rec_unlock_all(r);
		return;
	}
	count(OP_NOT_OWNER, OUT_ERR);
	rec_unlock_all(r);
}

static void op_query(struct worker *w)
{
	struct rec *r = rec_pick(w, false, NULL);
	struct entry *e;
	struct state before, after;
	struct secbuf_query q;
	bool buf_revoked;
	uint32_t seals = 0;

	if (!r)
		return;
	e = entry_of(r);
	before = state_of(r);
	buf_revoked = ATOMIC_LOAD(&e->revoke_done) != 0;
	secbuf_query(pool_fd, r->fd, &q);
	igt_assert_eq(__secbuf_get_seals(pool_fd, r->fd, &seals), 0);
	after = state_after(r);

	igt_assert_eq_u64(q.id, r->id);
	igt_assert_eq_u64(q.size, r->size);
	igt_assert_eq_u64(q.grant_id, r->grant_id);
	igt_assert_eq_u32(q.rights, r->rights);
	/* Seals only grow: between what was known before and after. */
	igt_assert_f((q.seals & before.seals) == before.seals &&
		     (q.seals & ~after.seals) == 0,
		     "QUERY of buffer %" PRIu64 ": seals %#x, known %#x..%#x\n",
		     r->id, q.seals, before.seals, after.seals);
	igt_assert_f((seals & before.seals) == before.seals &&
		     (seals & ~after.seals) == 0,
		     "GET_SEALS of buffer %" PRIu64 ": %#x, known %#x..%#x\n",
		     r->id, seals, before.seals, after.seals);
	if (buf_revoked)
		igt_assert_eq_u32(q.state, SECBUF_STATE_REVOKED);
	if (before.revoked)
		igt_assert_eq_u32(q.handle_state, SECBUF_STATE_REVOKED);
	if (!after.revoked)
		igt_assert_f(q.state != SECBUF_STATE_REVOKED &&
			     q.handle_state != SECBUF_STATE_REVOKED,
			     "buffer %" PRIu64 " grant %" PRIu64 " reported "
			     "revoked (%u, handle %u), never was\n", r->id,
			     r->grant_id, q.state, q.handle_state);
	count(OP_QUERY, OUT_OK);
	rec_unlock(r);
}

/* ---- Workers and the process around them ----------------------------------- */

static void park(void)
{
	ATOMIC_ADD(&sh->parked, 1);
	while (ATOMIC_LOAD(&sh->pause) && !ATOMIC_LOAD(&sh->stop))
		sleep_us(1000);
	ATOMIC_ADD(&sh->parked, -1);
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	while (!ATOMIC_LOAD(&sh->stop) && secbuf_now_ns() < sh->deadline_ns) {
		if (ATOMIC_LOAD(&sh->pause)) {
			park();
			continue;
		}
		switch (secbuf_rng_weighted(&w->rng, w->weights, NR_OPS)) {
		case OP_ALLOC: op_alloc(w); break;
		case OP_MMAP: op_mmap(w); break;
		case OP_TOUCH: op_touch(w); break;
		case OP_MUNMAP: op_munmap(w); break;
		case OP_GRANT: op_grant(w); break;
		case OP_REVOKE: op_revoke(w, false); break;
		case OP_REVOKE_GRANT: op_revoke(w, true); break;
		case OP_SEAL: op_seal(w); break;
		case OP_WINDOW: op_window(w); break;
		case OP_CLOSE: op_close(w); break;
		case OP_SEND: op_send(w); break;
		case OP_IMPORT: op_import(w); break;
		case OP_UNIMPORT: op_unimport(w); break;
		case OP_NOT_OWNER: op_not_owner(w); break;
		case OP_QUERY: op_query(w); break;
		}
	}
	return NULL;
}

/* One process of the mix; returns when the run is over and it has let go. */
static void mix_process(int proc, const unsigned int *weights)
{
	struct worker workers[MAX_THREADS];
	struct sigaction sa = { .sa_sigaction = sigbus_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_t receiver;
	uint64_t deadline;

	me = proc;
	for (int p = 0; p < sh->nprocs; p++) {
		close(socks[p][1 - (p == me)]);
		if (p == me)
			recv_sock = socks[p][1];
	}
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
	pool_fd = secbuf_open_pool(pool);
	vgem_fd = __secbuf_open_vgem();
	igt_assert_f(vgem_fd >= 0, "no vgem device: every lane has one\n");
	for (int i = 0; i < RECS; i++) {
		pthread_rwlock_init(&recs[i].lock, NULL);
		recs[i].fd = -1;
	}
	sh->pids[me] = getpid();
	ATOMIC_ADD(&sh->ready, 1);
	while (ATOMIC_LOAD(&sh->ready) < sh->nprocs)
		sleep_us(1000);

	igt_assert_eq(pthread_create(&receiver, NULL, receiver_fn, NULL), 0);
	for (int t = 0; t < sh->nthreads; t++) {
		workers[t].idx = t;
		workers[t].weights = weights;
		secbuf_rng_init(&workers[t].rng, sh->seed,
				(uint64_t)me * MAX_THREADS + t + 1);
		igt_assert_eq(pthread_create(&workers[t].thread, NULL,
					     worker_fn, &workers[t]), 0);
	}
	for (int t = 0; t < sh->nthreads; t++)
		igt_assert_eq(pthread_join(workers[t].thread, NULL), 0);

	/*
	 * Nobody may close a pool file (which revokes its buffers) while
	 * another process still touches them: wait for every worker.
	 */
	ATOMIC_ADD(&sh->procs_done, 1);
	deadline = secbuf_now_ms() + 60000;
	while (ATOMIC_LOAD(&sh->procs_done) < sh->nprocs) {
		igt_assert_f(secbuf_now_ms() < deadline,
			     "the other processes did not stop\n");
		sleep_us(1000);
	}
	receiver_stop = 1;
	igt_assert_eq(pthread_join(receiver, NULL), 0);

	for (int i = 0; i < RECS; i++) {
		struct rec *r = &recs[i];
		struct entry *e;

		if (r->used != 1)
			continue;
		e = entry_of(r);
		entry_lock(e);
		rec_close(r);
		entry_unlock(e);
	}
	close(vgem_fd);
	close(pool_fd);
	close(recv_sock);
}

/* ---- The coordinator ------------------------------------------------------- */

/* A child that died: igt_waitchildren() will say which and how. */
static bool child_exited(void)
{
	for (int p = 0; p < sh->nprocs; p++) {
		siginfo_t si = { 0 };

		if (sh->pids[p] &&
		    waitid(P_PID, (id_t)sh->pids[p], &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
			return true;
	}
	return false;
}

/*
 * Park every worker and compare the pool's numbers with what the processes
 * hold. Returns false if a child died meanwhile.
 */
static bool checkpoint(int pool_fd_parent)
{
	uint64_t live = 0, quar = 0, nlive = 0, nquar = 0;
	int want = sh->nprocs * sh->nthreads;
	struct secbuf_pool_info info;
	uint64_t deadline = secbuf_now_ms() + 60000;

	ATOMIC_STORE(&sh->pause, 1);
	while (ATOMIC_LOAD(&sh->parked) + 0 < want) {
		if (child_exited() || ATOMIC_LOAD(&sh->stop) ||
		    ATOMIC_LOAD(&sh->procs_done)) {
			ATOMIC_STORE(&sh->pause, 0);
			return !child_exited();
		}
		igt_assert_f(secbuf_now_ms() < deadline,
			     "workers did not park within 60 s (%d of %d)\n",
			     ATOMIC_LOAD(&sh->parked), want);
		sleep_us(2000);
	}

	for (int p = 0; p < sh->nprocs; p++) {
		for (int s = 0; s < SLOTS; s++) {
			struct entry *e = &sh->entries[p][s];

			if (!e->used)
				continue;
			if (!e->revoke_done) {
				live += e->size;
				nlive++;
			} else if (e->imports && secbuf_vgem_import_maps()) {
				/* On 7.x vgem's import maps nothing. */
				quar += e->size;
				nquar++;
			}
		}
	}
	secbuf_pool_info(pool_fd_parent, &info);
	ATOMIC_STORE(&sh->pause, 0);

	igt_info("checkpoint %" PRIu64 ": %" PRIu64 " live buffers, %" PRIu64
		 " bytes; %" PRIu64 " quarantined, %" PRIu64 " bytes; pool used %"
		 PRIu64 ", quarantined %" PRIu64 "\n", sh->checkpoints, nlive,
		 live, nquar, quar, (uint64_t)info.used_bytes,
		 (uint64_t)info.quarantined_bytes);
	igt_assert_f(info.quarantined_bytes == quar,
		     "quarantined_bytes %" PRIu64 ", but the revoked buffers "
		     "vgem maps make %" PRIu64 "\n",
		     (uint64_t)info.quarantined_bytes, quar);
	igt_assert_f(info.used_bytes == live + info.quarantined_bytes,
		     "used_bytes %" PRIu64 ", but the live buffers make %"
		     PRIu64 " and quarantine %" PRIu64 "\n",
		     (uint64_t)info.used_bytes, live,
		     (uint64_t)info.quarantined_bytes);
	igt_assert_eq_u64(info.buffer_count, nlive + nquar);
	sh->checkpoints++;
	return true;
}

static int cmp_event_idx(const void *a, const void *b)
{
	const struct event *x = &sh->log[*(const uint32_t *)a];
	const struct event *y = &sh->log[*(const uint32_t *)b];

	if (x->buf_id != y->buf_id)
		return x->buf_id < y->buf_id ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 :
	       *(const uint32_t *)a > *(const uint32_t *)b;
}

static void print_event(const char *what, uint32_t idx)
{
	static const char *const kinds[] = {
		"none", "begin", "alloc", "revoke", "seal", "window-open",
		"window-close", "SIGBUS", "grant",
	};
	const struct event *e = &sh->log[idx];

	igt_info("  %s #%u: %s proc %u thread %u buffer %" PRIu64 " grant %"
		 PRIu64 " flags %#x arg %" PRIu64 " ret %s\n", what, idx,
		 e->kind < ARRAY_SIZE(kinds) ? kinds[e->kind] : "?", e->proc,
		 e->thread, e->buf_id, e->grant_id, e->flags, e->arg,
		 secbuf_errname(e->ret));
}

/*
 * Whether @grant is @ancestor or was derived from it, at any depth, by the
 * EV_GRANT events of the buffer whose events start at idx[@first].
 */
static bool grant_descends(const uint32_t *idx, uint32_t first, uint32_t m,
			   uint64_t grant, uint64_t ancestor)
{
	uint64_t buf_id = sh->log[idx[first]].buf_id;

	for (int depth = 0; grant && depth <= MAX_GRANTS + 1; depth++) {
		uint64_t parent = 0;

		if (grant == ancestor)
			return true;
		for (uint32_t j = first; j < m; j++) {
			const struct event *e = &sh->log[idx[j]];

			if (e->buf_id != buf_id)
				break;
			if (e->kind == EV_GRANT && e->grant_id == grant) {
				parent = e->arg;
				break;
			}
		}
		grant = parent;
	}
	return false;
}

/*
 * Every SIGBUS must be explained by what happened to its buffer before:
 * a revocation of the buffer, of the grant it was mapped through or of a
 * grant that one descends from, whose call had begun, a write seal for a write, or a STRICT window opened
 * before it and not closed before the access began.
 */
static void check_sigbus_log(void)
{
	uint64_t n = ATOMIC_LOAD(&sh->seq), sigbus = 0;
	uint32_t *idx, m = 0;

	if (n > LOG_EVENTS)
		n = LOG_EVENTS;
	idx = malloc(n * sizeof(*idx));
	igt_assert(idx);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = __atomic_load_n(&sh->log[i].kind, __ATOMIC_ACQUIRE);

		if (k == EV_SIGBUS || k == EV_REVOKE || k == EV_SEAL ||
		    k == EV_WIN_OPEN || k == EV_WIN_CLOSE || k == EV_GRANT)
			idx[m++] = i;
	}
	qsort(idx, m, sizeof(*idx), cmp_event_idx);

	for (uint32_t i = 0; i < m; i++) {
		const struct event *s = &sh->log[idx[i]];
		uint32_t first = i;
		bool explained = false;

		if (s->kind != EV_SIGBUS)
			continue;
		sigbus++;
		while (first > 0 && sh->log[idx[first - 1]].buf_id == s->buf_id)
			first--;
		for (uint32_t j = first; j < m && !explained; j++) {
			const struct event *e = &sh->log[idx[j]];

			if (e->buf_id != s->buf_id)
				break;
			if (e->ret || e->arg >= idx[i])
				continue;	/* failed, or began after */
			switch (e->kind) {
			case EV_REVOKE:
				explained = !e->grant_id ||
					    grant_descends(idx, first, m,
							   s->grant_id,
							   e->grant_id);
				break;
			case EV_SEAL:
				explained = s->flags &&
					    (e->flags & SECBUF_SEAL_WRITE);
				break;
			case EV_WIN_OPEN:
				if (e->flags != SECBUF_DMA_STRICT)
					break;
				/* Open when the access began? */
				explained = true;
				for (uint32_t k = j + 1; k < m; k++) {
					const struct event *c = &sh->log[idx[k]];

					if (c->buf_id != s->buf_id)
						break;
					if (c->kind == EV_WIN_CLOSE &&
					    idx[k] > idx[j]) {
						explained = idx[k] >= s->arg;
						break;
					}
				}
				break;
			}
		}
		if (!explained) {
			igt_info("unexplained SIGBUS; the events of its buffer:\n");
			for (uint32_t j = first; j < m; j++) {
				if (sh->log[idx[j]].buf_id != s->buf_id)
					break;
				print_event(j == i ? "->" : "  ", idx[j]);
			}
		}
		igt_assert_f(explained, "SIGBUS #%u (proc %u thread %u, %s of "
			     "buffer %" PRIu64 " grant %" PRIu64 ", access began "
			     "at #%" PRIu64 ") has no revocation, write seal or "
			     "STRICT window before it\n", idx[i], s->proc,
			     s->thread, s->flags ? "write" : "read", s->buf_id,
			     s->grant_id, s->arg);
	}
	igt_info("%" PRIu64 " events, %" PRIu64 " SIGBUS, all explained\n",
		 n, sigbus);
	free(idx);
}

static void print_counts(void)
{
	igt_info("%-14s %8s %8s %8s\n", "op", "ok", "errno", "SIGBUS");
	for (int op = 0; op < NR_OPS; op++)
		igt_info("%-14s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			 op_names[op], sh->counts[op][OUT_OK],
			 sh->counts[op][OUT_ERR], sh->counts[op][OUT_SIGBUS]);
}

static void random_mix(const unsigned int *weights, double def_seconds)
{
	double seconds = secbuf_stress_seconds(def_seconds);
	int nprocs = (int)secbuf_env_long("SECBUF_STRESS_PROCS", 3);
	int nthreads = (int)secbuf_env_long("SECBUF_STRESS_THREADS", 2);
	pthread_mutexattr_t attr;
	struct secbuf_pool_info info;
	uint64_t next_check, total_ops = 0;
	int fd;

	igt_assert_f(nprocs >= 1 && nprocs <= MAX_PROCS &&
		     nthreads >= 1 && nthreads <= MAX_THREADS,
		     "SECBUF_STRESS_PROCS must be 1..%d, SECBUF_STRESS_THREADS "
		     "1..%d\n", MAX_PROCS, MAX_THREADS);
	fd = secbuf_open_pool(pool);
	secbuf_pool_info(fd, &info);

	sh = secbuf_shared_alloc(sizeof(*sh));
	sh->seed = secbuf_stress_seed();
	sh->nprocs = nprocs;
	sh->nthreads = nthreads;
	sh->pool_total = info.total_bytes;
	igt_info("%d processes x %d threads for %.1f s on pool %s (%" PRIu64
		 " MiB)\n", nprocs, nthreads, seconds, pool,
		 (uint64_t)info.total_bytes >> 20);
	/* Half the pool between the processes: ENOMEM stays rare. */
	proc_cap = info.total_bytes / 2 / nprocs;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	for (int p = 0; p < MAX_PROCS; p++)
		for (int s = 0; s < SLOTS; s++)
			pthread_mutex_init(&sh->entries[p][s].lock, &attr);
	for (int p = 0; p < nprocs; p++)
		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, socks[p]), 0);

	sh->deadline_ns = secbuf_now_ns() + (uint64_t)(seconds * 1e9);
	igt_fork(child, nprocs) {
		close(fd);
		mix_process(child, weights);
	}
	for (int p = 0; p < nprocs; p++) {
		close(socks[p][0]);
		close(socks[p][1]);
	}

	/* Checkpoints every few seconds while they run. */
	next_check = secbuf_now_ms() + 2500;
	while (secbuf_now_ns() < sh->deadline_ns && !ATOMIC_LOAD(&sh->stop)) {
		if (child_exited())
			break;
		if (ATOMIC_LOAD(&sh->ready) == nprocs &&
		    secbuf_now_ms() >= next_check) {
			if (!checkpoint(fd))
				break;
			next_check = secbuf_now_ms() + 2500;
		}
		sleep_us(20000);
	}
	igt_waitchildren();

	print_counts();
	for (int op = 0; op < NR_OPS; op++)
		for (int o = 0; o < NR_OUT; o++)
			total_ops += sh->counts[op][o];
	igt_assert_f(!sh->overflow || total_ops, "the event log overflowed\n");
	if (sh->overflow)
		igt_info("the event log filled up: the run stopped early\n");
	check_sigbus_log();
	igt_assert_f(sh->counts[OP_ALLOC][OUT_OK] > 0 &&
		     sh->counts[OP_TOUCH][OUT_OK] > 0,
		     "the run did nothing (%" PRIu64 " operations)\n", total_ops);
	igt_info("%" PRIu64 " operations, %" PRIu64 " checkpoints\n",
		 total_ops, sh->checkpoints);

	close(fd);
	secbuf_pool_assert_idle(pool);
	secbuf_shared_free(sh, sizeof(*sh));
	sh = NULL;
}

/* ---- Memory pressure --------------------------------------------------------- */

/* The default pool shares the default CMA area, whose layout it cannot see. */
static bool pool_region_known(void)
{
	return strcmp(pool, "default") != 0;
}

struct bufs {
	int fd[2048];
	uint64_t size[2048];
	int n;
};

static void bufs_free(struct bufs *b, int i)
{
	close(b->fd[i]);
	b->fd[i] = b->fd[--b->n];
	b->size[i] = b->size[b->n];
}

static void bufs_free_all(struct bufs *b)
{
	while (b->n)
		bufs_free(b, b->n - 1);
}

/* Allocate @size until ENOMEM; returns how many. Anything else fails. */
static int fill_with(int fd, struct bufs *b, uint64_t size)
{
	int n = 0;

	for (;;) {
		int buf, ret;

		igt_assert(b->n < (int)ARRAY_SIZE(b->fd));
		ret = __secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC, &buf);
		if (ret == -ENOMEM)
			return n;
		igt_assert_f(ret == 0, "ALLOC of %" PRIu64 " bytes while filling: %s\n",
			     size, secbuf_errname(ret));
		b->fd[b->n] = buf;
		b->size[b->n++] = size;
		n++;
	}
}

static void check_zero_and_fill(int buf, uint64_t size, uint64_t seed)
{
	char *p = secbuf_mmap(buf, size, PROT_READ | PROT_WRITE);

	secbuf_assert_zero(p, size);
	secbuf_fill(p, size, seed);
	secbuf_munmap(p, size);
}

static void test_fill_refill(void)
{
	int fd = secbuf_open_pool(pool);
	struct secbuf_pool_info info;
	struct bufs *b = calloc(1, sizeof(*b));
	int n, again, small, freed, first = 0;

	igt_assert(b);
	secbuf_pool_info(fd, &info);
	/* Buffer limits must not be what stops the filling. */
	secbuf_param_set("max_file_buffers", 0);
	secbuf_param_set("max_file_bytes", 0);

	for (int round = 0; round < 2; round++) {
		n = fill_with(fd, b, SECBUF_SZ_2M);
		if (round == 0)
			first = n;
		igt_assert_f(n == first, "round %d fits %d buffers, round 0 "
			     "fitted %d: capacity was lost\n", round, n, first);
		secbuf_pool_info(fd, &info);
		igt_info("round %d: %d buffers of 2 MiB until ENOMEM; used %"
			 PRIu64 " of %" PRIu64 ", largest free %" PRIu64 "\n",
			 round, n, (uint64_t)info.used_bytes,
			 (uint64_t)info.total_bytes,
			 (uint64_t)info.largest_free_bytes);
		igt_assert_eq_u64(info.used_bytes, (uint64_t)n * SECBUF_SZ_2M);
		igt_assert_eq_u64(info.buffer_count, n);
		igt_assert_f(info.largest_free_bytes < SECBUF_SZ_2M,
			     "the pool refused 2 MiB but reports %" PRIu64
			     " bytes free in one range\n",
			     (uint64_t)info.largest_free_bytes);
		/* Full to the last chunk: nothing else fits either. */
		small = fill_with(fd, b, secbuf_page_size());
		igt_assert_eq(small, 0);
		igt_assert_eq_u64((uint64_t)n * SECBUF_SZ_2M,
				  info.total_bytes / SECBUF_SZ_2M * SECBUF_SZ_2M);

		/* Every other one freed: as many fit again, zeroed. */
		freed = 0;
		for (int i = b->n - 1; i >= 0; i -= 2, freed++)
			bufs_free(b, i);
		again = fill_with(fd, b, SECBUF_SZ_2M);
		igt_assert_eq(again, freed);
		for (int i = 0; i < b->n; i++)
			check_zero_and_fill(b->fd[i], b->size[i], (uint64_t)i);

		bufs_free_all(b);
		secbuf_pool_assert_idle(pool);
	}
	close(fd);
	free(b);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

static void test_fragment(uint64_t seed)
{
	static const uint64_t sizes[] = {
		4096, 3 * 4096, 64 << 10, 200 << 10, SECBUF_SZ_1M, SECBUF_SZ_2M - 4096,
		SECBUF_SZ_2M, 3 * SECBUF_SZ_1M, SECBUF_SZ_4M, 6 * SECBUF_SZ_1M, 8 * SECBUF_SZ_1M,
	};
	int fd = secbuf_open_pool(pool);
	bool exact = pool_region_known();
	struct bufs *b = calloc(1, sizeof(*b));
	struct secbuf_rng rng;
	int checked = 0;

	igt_assert(b);
	secbuf_rng_init(&rng, seed, 0);
	secbuf_param_set("max_file_buffers", 0);
	secbuf_param_set("max_file_bytes", 0);

	for (int round = 0; round < 12; round++) {
		struct secbuf_pool_info info;
		uint64_t largest;
		int buf, ret;

		/* Mixed sizes until the pool refuses; then free a random part. */
		for (int fails = 0; fails < 6;) {
			uint64_t size = sizes[secbuf_rng_below(&rng, ARRAY_SIZE(sizes))];

			ret = __secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC, &buf);
			if (ret == -ENOMEM) {
				fails++;
				continue;
			}
			igt_assert_f(ret == 0, "ALLOC of %" PRIu64 ": %s\n", size,
				     secbuf_errname(ret));
			b->fd[b->n] = buf;
			b->size[b->n++] = size;
		}
		for (int i = b->n - 1; i >= 0; i--)
			if (secbuf_rng_chance(&rng, 40))
				bufs_free(b, i);

		secbuf_pool_info(fd, &info);
		largest = info.largest_free_bytes;
		igt_info("round %d: %d buffers, used %" PRIu64 " KiB, largest "
			 "free %" PRIu64 " KiB\n", round, b->n,
			 (uint64_t)info.used_bytes >> 10, largest >> 10);
		if (!largest)
			continue;

		/* Exactly the largest free size fits... */
		ret = __secbuf_alloc(fd, largest, 0, O_RDWR | O_CLOEXEC, &buf);
		igt_assert_f(ret == 0, "round %d: largest_free_bytes is %" PRIu64
			     " but allocating it gives %s (%d buffers, used %"
			     PRIu64 ")%s\n", round, largest, secbuf_errname(ret),
			     b->n, (uint64_t)info.used_bytes,
			     exact ? "" : " (on the default CMA area the "
			     "number is an upper bound)");
		check_zero_and_fill(buf, largest, round);
		close(buf);
		/* ...and one chunk more does not. */
		ret = __secbuf_alloc(fd, largest + SECBUF_SZ_2M, 0, O_RDWR | O_CLOEXEC,
				     &buf);
		if (ret == 0)
			close(buf);
		igt_assert_f(ret == -ENOMEM || (ret == -EFBIG &&
			     largest + SECBUF_SZ_2M > info.max_buffer_bytes),
			     "round %d: largest_free_bytes is %" PRIu64 " but %"
			     PRIu64 " more bytes gave %s\n", round, largest,
			     (uint64_t)SECBUF_SZ_2M, secbuf_errname(ret));
		checked++;
	}
	igt_assert_f(checked >= 6, "only %d rounds left any room to check\n",
		     checked);
	bufs_free_all(b);
	close(fd);
	free(b);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/*
 * The memory hog: a child that takes anonymous memory 16 MiB at a time,
 * touching every page, each time the parent writes 'g' on @cmd, and
 * answers 'k' (or 'f' if it could not). It holds it until killed.
 */
#define HOG_STEP	(16ULL << 20)

static pid_t spawn_hog(int *cmd, int *reply)
{
	int c2h[2], h2c[2];
	pid_t pid;

	igt_assert_eq(pipe2(c2h, O_CLOEXEC), 0);
	igt_assert_eq(pipe2(h2c, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		char c;

		close(c2h[1]);
		close(h2c[0]);
		while (read(c2h[0], &c, 1) == 1) {
			char *p = mmap(NULL, HOG_STEP, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				for (size_t i = 0; i < HOG_STEP; i += 4096)
					p[i] = (char)(i >> 12) | 1;
			c = p == MAP_FAILED ? 'f' : 'k';
			if (write(h2c[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(c2h[0]);
	close(h2c[1]);
	*cmd = c2h[1];
	*reply = h2c[0];
	return pid;
}

static void hog_grow(int cmd, int reply)
{
	char c = 'g';

	igt_assert_eq(write(cmd, &c, 1), 1);
	igt_assert_f(read(reply, &c, 1) == 1 && c == 'k',
		     "the memory hog could not grow\n");
}

static void test_memory_hog(uint64_t seed)
{
	int fd = secbuf_open_pool(pool);
	struct secbuf_pool_info info;
	int64_t mem_total, reserve, cma_total, cma_free0, cma_free1, mem_free1;
	int64_t mig0, mig1;
	uint64_t hog = 0, target, peak = 0, allocs = 0, enomem = 0, deadline;
	struct bufs *b = calloc(1, sizeof(*b));
	struct secbuf_rng rng;
	int cmd, reply, status, rounds = 0;
	pid_t pid;

	igt_assert(b);
	secbuf_rng_init(&rng, seed, 0);
	secbuf_pool_info(fd, &info);
	/* Every allocation goes to CMA, none comes from the chunk cache. */
	secbuf_param_set("cache_max_bytes", 0);
	secbuf_param_set("max_file_buffers", 0);
	mem_total = secbuf_meminfo("MemTotal");
	cma_total = secbuf_meminfo("CmaTotal");
	cma_free0 = secbuf_meminfo("CmaFree");
	/* Not on kernels without VM_EVENT_COUNTERS (the debug lane). */
	mig0 = secbuf_vmstat("pgmigrate_success");
	igt_assert_f(cma_total > 0, "no CMA in /proc/meminfo\n");

	/*
	 * No swap: the hog stops while 176 MiB are still free, far above the
	 * watermarks, so the OOM killer stays away. By then the page
	 * allocator has put its movable pages in CMA too (it takes from CMA
	 * once CMA holds more than half of what is free).
	 */
	reserve = 176LL << 20;
	pid = spawn_hog(&cmd, &reply);
	/*
	 * Nor below 96 MiB outside CMA, where the kernel's own allocations
	 * must be served: how much of the hog the page allocator puts in
	 * CMA differs between kernels (7.3's stock kernel kept CMA free and
	 * ran out of the rest first, and its OOM killer ended the test).
	 */
	while (secbuf_meminfo("MemFree") > reserve + (int64_t)HOG_STEP &&
	       secbuf_meminfo("MemFree") - secbuf_meminfo("CmaFree") >
	       (96LL << 20) + (int64_t)HOG_STEP) {
		hog_grow(cmd, reply);
		hog += HOG_STEP;
	}
	cma_free1 = secbuf_meminfo("CmaFree");
	mem_free1 = secbuf_meminfo("MemFree");
	igt_info("MemTotal %" PRId64 " MiB, CMA %" PRId64 " MiB; the hog took %"
		 PRIu64 " MiB: MemFree %" PRId64 " MiB, CmaFree %" PRId64 " -> %"
		 PRId64 " MiB\n", mem_total >> 20, cma_total >> 20, hog >> 20,
		 mem_free1 >> 20, cma_free0 >> 20, cma_free1 >> 20);

	/*
	 * Hold more than CMA has free: the pool's region is part of CMA, so
	 * the difference can only come from pages moved out of it, into the
	 * memory outside CMA, where the kernel's own (unmovable) allocations
	 * must still find room: leave 56 MiB of it, and move at most 32.
	 */
	{
		int64_t outside = mem_free1 - cma_free1;
		int64_t extra = outside - (56LL << 20);

		if (extra > (32LL << 20))
			extra = 32LL << 20;
		target = extra > 0 ? (uint64_t)(cma_free1 + extra) : 0;
	}
	if (target > info.total_bytes - SECBUF_SZ_4M)
		target = info.total_bytes - SECBUF_SZ_4M;
	igt_assert_f(target > (uint64_t)cma_free1 + SECBUF_SZ_4M,
		     "cannot put the pool under pressure: it can hold %" PRIu64
		     " MiB, CMA has %" PRId64 " MiB free\n", target >> 20,
		     cma_free1 >> 20);

	deadline = secbuf_now_ms() + (uint64_t)(secbuf_stress_seconds(10) * 1000);
	do {
		uint64_t held = 0;

		while (held < target) {
			uint64_t size = (1 + secbuf_rng_below(&rng, 4)) * SECBUF_SZ_2M;
			int buf, ret;

			if (size > target - held)
				size = SECBUF_SZ_2M;
			ret = __secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC, &buf);
			allocs++;
			if (ret == -ENOMEM) {
				/* Migration can fail under pressure; nothing else may. */
				enomem++;
				break;
			}
			igt_assert_f(ret == 0, "ALLOC of %" PRIu64 " under memory "
				     "pressure: %s\n", size, secbuf_errname(ret));
			check_zero_and_fill(buf, size, allocs);
			b->fd[b->n] = buf;
			b->size[b->n++] = size;
			held += size;
		}
		if (held > peak)
			peak = held;
		igt_debug("round %d: held %" PRIu64 " MiB, CmaFree %" PRId64
			  " MiB\n", rounds, held >> 20,
			  secbuf_meminfo("CmaFree") >> 20);
		bufs_free_all(b);
		rounds++;
	} while (secbuf_now_ms() < deadline);
	mig1 = secbuf_vmstat("pgmigrate_success");
	igt_info("%d rounds, %" PRIu64 " allocations (%" PRIu64 " ENOMEM), "
		 "held at most %" PRIu64 " MiB with %" PRId64 " MiB of CMA free "
		 "before; pgmigrate_success %s%" PRId64 "\n", rounds, allocs,
		 enomem, peak >> 20, cma_free1 >> 20,
		 mig0 < 0 ? "(none) " : "+", mig0 < 0 ? 0 : mig1 - mig0);

	igt_assert_f(waitpid(pid, &status, WNOHANG) == 0,
		     "the memory hog died (OOM?)\n");
	kill(pid, SIGKILL);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	close(cmd);
	close(reply);
	igt_assert_f(peak > (uint64_t)cma_free1,
		     "never held more than CMA had free (%" PRIu64 " of %" PRId64
		     " MiB): no page had to move\n", peak >> 20, cma_free1 >> 20);
	igt_assert_f(enomem * 4 <= allocs,
		     "too many allocations failed under pressure (%" PRIu64
		     " of %" PRIu64 ")\n", enomem, allocs);
	if (mig0 >= 0)
		igt_assert_f(mig1 > mig0, "pgmigrate_success did not move\n");
	close(fd);
	free(b);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/*
 * Chunks reused after a revocation. A buffer of 2 MiB + 64 KiB and one of
 * 3.5 MiB both get a dedicated 4 MiB chunk. Fill the large one and free
 * it: its chunk goes to the cache dirty. Allocate the small one at once:
 * it takes that dirty chunk (the worker is busy zeroing a 32 MiB chunk
 * freed just before) and zeroes its own 2 MiB + 64 KiB inline. Revoke
 * it: its memory is zeroed on the way out. Then a 4 MiB buffer on that
 * chunk must be zero in every byte, also past 2 MiB + 64 KiB, where the
 * large buffer's bytes were.
 */
static void test_revoke_reuse(void)
{
	const uint64_t large = 7 * SECBUF_SZ_1M / 2, small = SECBUF_SZ_2M + SECBUF_SZ_64K;
	const uint64_t decoy_size = 32 * SECBUF_SZ_1M;
	int rounds = (int)secbuf_env_long("SECBUF_REUSE_ROUNDS", 30);
	int fd = secbuf_open_pool(pool);

	for (int round = 0; round < rounds; round++) {
		uint64_t seed = 1000 + round;
		int o, r, n, decoy;
		char *p;

		decoy = secbuf_alloc(fd, decoy_size, 0, O_RDWR | O_CLOEXEC);
		o = secbuf_alloc(fd, large, 0, O_RDWR | O_CLOEXEC);
		p = secbuf_mmap(o, large, PROT_READ | PROT_WRITE);
		secbuf_fill(p, large, seed);
		secbuf_munmap(p, large);
		/* The worker starts on the decoy; the large chunk waits, dirty. */
		close(decoy);
		close(o);

		r = secbuf_alloc(fd, small, 0, O_RDWR | O_CLOEXEC);
		secbuf_revoke(fd, r, 0);
		close(r);

		n = secbuf_alloc(fd, SECBUF_SZ_4M, 0, O_RDWR | O_CLOEXEC);
		p = secbuf_mmap(n, SECBUF_SZ_4M, PROT_READ);
		for (uint64_t off = 0; off < SECBUF_SZ_4M; off += 8) {
			uint64_t v = *(volatile uint64_t *)(p + off);

			/* secbuf_fill()'s word for @seed at this offset. */
			uint64_t theirs = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (off / 8);

			igt_assert_f(v == 0, "round %d: a new 4 MiB buffer holds %#"
				     PRIx64 " at offset %#" PRIx64 "%s\n", round, v,
				     off, v == theirs ? ", the word the freed 3.5 MiB "
				     "buffer wrote there: its chunk was taken dirty by "
				     "the 2 MiB + 64 KiB buffer, zeroed only that far, "
				     "and marked clean when that buffer was revoked" :
				     "");
		}
		secbuf_munmap(p, SECBUF_SZ_4M);
		close(n);
	}
	close(fd);
	secbuf_pool_assert_idle(pool);
}

/* ---- Subtests -------------------------------------------------------------- */

/* alloc mmap touch munmap grant revoke revoke-grant seal window close send
 * import unimport not-owner query */
static const unsigned int mix_weights[NR_OPS] = {
	8, 10, 30, 4, 8, 2, 3, 2, 5, 8, 6, 4, 3, 2, 3,
};
static const unsigned int race_weights[NR_OPS] = {
	6, 10, 40, 3, 6, 4, 4, 4, 10, 6, 6, 2, 2, 1, 2,
};

igt_main
{
	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("N processes x M threads run a seeded random mix of "
		     "every secbuf operation (alloc, mmap, fault, munmap, "
		     "grant, revoke, seal, DMA window, close, fd passing, "
		     "vgem import, regrant, non-owner management, query); no "
		     "read sees another owner's bytes, every SIGBUS has a "
		     "revocation, write seal or STRICT window before it, and "
		     "used_bytes is the live buffers plus quarantine at "
		     "every checkpoint and 0 at the end. vgem's import "
		     "differs by kernel: before 7.0 it maps the buffer (it "
		     "needs WRITE, is EPERM on a write-sealed buffer, makes "
		     "SEAL_WRITE EBUSY and keeps a revoked buffer "
		     "quarantined); on 7.x it only attaches and does none of "
		     "that.");
	igt_subtest("random-mix")
		random_mix(mix_weights, 12);

	igt_describe("The same mix weighted to the races: faults against "
		     "revocations, seals and DMA windows of other threads and "
		     "processes; vgem's import as in random-mix.");
	igt_subtest("random-mix-races")
		random_mix(race_weights, 12);

	igt_describe("A revoked buffer smaller than its 4 MiB chunk, in a chunk "
		     "a larger buffer had filled and freed: the next 4 MiB "
		     "buffer on that chunk is zero in every byte (a revocation "
		     "zeroes the buffer, not the chunk, so the chunk is not "
		     "clean unless the rest already was).");
	igt_subtest("revoke-reuse-zeroed")
		test_revoke_reuse();

	igt_describe("Fill the pool with 2 MiB buffers until ENOMEM: used_bytes "
		     "is the whole pool and largest_free_bytes below a chunk, "
		     "not even a page fits; free every other buffer and the "
		     "same number fits again, zeroed; free all, and the pool "
		     "fills to the same count again.");
	igt_subtest("pool-fill-enomem-refill")
		test_fill_refill();

	igt_describe("Fragment the pool with seeded mixed sizes (pages to 8 MiB, "
		     "3 MiB costing a 4 MiB chunk) and random frees: an "
		     "allocation of exactly largest_free_bytes succeeds and is "
		     "zero, one chunk more is ENOMEM, every round.");
	igt_subtest("fragment-largest-free")
		test_fragment(secbuf_stress_seed());

	igt_describe("A process takes the guest's memory until 176 MiB are "
		     "left (and 96 MiB outside CMA, for the kernel: how "
		     "much of the hog lands in CMA differs between kernels), "
		     "so its movable pages land in CMA; secbuf (chunk "
		     "cache off) then holds more than CMA has free, which only "
		     "migration makes possible: allocations succeed, are zero, "
		     "and the hog survives (no OOM).");
	igt_subtest("memory-hog-migration")
		test_memory_hog(secbuf_stress_seed());
}
