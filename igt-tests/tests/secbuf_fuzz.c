// SPDX-License-Identifier: MIT
/*
 * secbuf_fuzz: seeded random sequences of a fixed number of operations,
 * by several processes and threads at once, every result checked against
 * a model of what docs/security-model.md and docs/uapi.md promise.
 *
 * Unlike secbuf_stress (time bounded), a run is a number of operations:
 * SECBUF_FUZZ_SEEDS seeds (default 3) of SECBUF_FUZZ_OPS operations each
 * (default 2000 for "sequential", one thread; 3000 for "concurrent"),
 * shared between SECBUF_FUZZ_PROCS processes (default 2 for
 * "concurrent") x SECBUF_FUZZ_THREADS threads (default 2). Each worker
 * thread draws from
 * its own stream of the seed, so a seed replays the same choices (the
 * scheduling, and so the results of races, may differ).
 *
 * The operations: SECBUF_IOC_ALLOC, POOL_INFO, REVOKE (buffer and grant),
 * GRANT (bound with a pidfd or not, ESRCH for a dead process), REGRANT by
 * holders, GRANT_LIST, QUERY, SEAL, GET_SEALS, DMA_BEGIN/END (WAIT,
 * STRICT, fence fd, revocation inside the window, EBUSY, ENOENT);
 * DMA_BUF_IOCTL_SYNC, EXPORT_SYNC_FILE and IMPORT_SYNC_FILE (also of a
 * window's and of vgem's fences into another buffer); DMA_HEAP_IOCTL_ALLOC;
 * mmap, touches, munmap, mremap (shrink, grow, move), mprotect; dup, close,
 * fd passing over unix sockets between every thread of every process;
 * fork (children read inherited mappings: bound grants are not inherited);
 * a child that owns a buffer, hands it over and exits (owner death revokes
 * it unless sealed with SEAL_REVOKE); closing and reopening a pool file
 * (revokes everything it owned); vgem PRIME imports and vgem fences;
 * management by non-owners; module unload attempts (refused while
 * anything is held).
 *
 * The model. Every worker thread has its own pool file, so the owner's
 * calls on a buffer come from one thread and their results are exact.
 * What every thread knows about each buffer is in shared memory (struct
 * entry, one per buffer, never reused within a seed): seals, revocation
 * of the buffer and of each grant (begun, done), STRICT windows, vgem
 * imports, grants made. A call whose outcome depends on what another
 * thread does reads that state before and after the call, and the result
 * must be one the docs give for a state that held at some time during the
 * call. Reads see the owner's pattern or zero (never another buffer's
 * bytes); an access that began after a revocation or write seal of its
 * handle returned must SIGBUS; every SIGBUS must have a revocation, write
 * seal or STRICT window under way.
 *
 * At the end of each seed: every fd closed, the pool empty (used_bytes,
 * quarantined_bytes, buffer_count 0), then the module unloads and loads
 * again. A failure prints the seed, the process, thread, operation index
 * and the operation. SECBUF_SEED=N SECBUF_FUZZ_SEEDS=1 replays seed N.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "igt_vgem.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Seeded fuzzer: a fixed number of random secbuf, "
		     "dma-buf, dma-heap, mm, fd and vgem operations by several "
		     "processes and threads, each result checked against the "
		     "documented model; the pool empty and the module unloading "
		     "after every seed.");

#define MAX_PROCS	4
#define MAX_THREADS	4
#define MAX_WORKERS	(MAX_PROCS * MAX_THREADS)
#define MAX_ENTRIES	8192
#define MAX_G		24	/* grants tracked per buffer */
#define RECS		24	/* handles a worker holds at once */
#define SLOTS		8	/* buffers a worker holds and owns at once */
#define ACCT		512	/* buffers of a pool file, for its accounting */

#define PAGE		((size_t)secbuf_page_size())
#define ALIGN_UP(x)	(((x) + PAGE - 1) & ~((uint64_t)PAGE - 1))

#define ATOMIC_LOAD(p)		__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ATOMIC_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_ADD(p, v)	__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_OR(p, v)		__atomic_or_fetch((p), (v), __ATOMIC_SEQ_CST)

static const char *pool;
static char module_params[1024];

/* ---- Shared state ---------------------------------------------------------- */

/* What every process knows about one buffer; see the top comment. */
struct entry {
	uint64_t id, size;
	int owner;			/* worker owning it; -1: heap or a child */
	int owner_gen;			/* ... through its pool file number */
	int heap;
	int filled;			/* holds pattern(id, word) */
	uint32_t seals;			/* done */
	uint32_t seals_pending;
	int revoke_begun, revoke_done;
	uint64_t gbegun, gdone;		/* bit g: grant g revocation */
	uint32_t gstarted, gcreated;	/* GRANT calls begun, grants made */
	uint32_t gknown[MAX_G + 1];
	uint32_t gparent[MAX_G + 1];
	uint32_t grights[MAX_G + 1];
	int32_t gbound[MAX_G + 1];
	uint32_t strict_begun, strict_ended;
	uint32_t win_begun, win_ended;	/* windows of both policies */
	int imports, imports_inflight, imports_releasing;
	uint32_t import_events;
};

enum op {
	OP_ALLOC, OP_HEAP_ALLOC, OP_POOL_INFO, OP_MMAP, OP_TOUCH, OP_MUNMAP,
	OP_MREMAP, OP_MPROTECT, OP_GRANT, OP_REGRANT, OP_REVOKE,
	OP_REVOKE_GRANT, OP_GRANT_LIST, OP_QUERY, OP_SEAL, OP_WINDOW,
	OP_SYNC, OP_SYNC_FILE, OP_IMPORT, OP_UNIMPORT, OP_CLOSE, OP_DUP,
	OP_SEND, OP_FORK, OP_CHILD_OWNER, OP_NOT_OWNER, OP_REOPEN, OP_UNLOAD,
	NR_OPS
};

static const char *const op_names[NR_OPS + 1] = {
	"alloc", "heap-alloc", "pool-info", "mmap", "touch", "munmap",
	"mremap", "mprotect", "grant", "regrant", "revoke", "revoke-grant",
	"grant-list", "query", "seal", "window", "sync", "sync-file",
	"import", "unimport", "close", "dup", "send", "fork", "child-owner",
	"not-owner", "reopen-pool", "unload", "end",
};

static const unsigned int weights[NR_OPS] = {
	[OP_ALLOC] = 8, [OP_HEAP_ALLOC] = 2, [OP_POOL_INFO] = 3,
	[OP_MMAP] = 10, [OP_TOUCH] = 16, [OP_MUNMAP] = 3, [OP_MREMAP] = 2,
	[OP_MPROTECT] = 3, [OP_GRANT] = 7, [OP_REGRANT] = 3, [OP_REVOKE] = 3,
	[OP_REVOKE_GRANT] = 3, [OP_GRANT_LIST] = 3, [OP_QUERY] = 5,
	[OP_SEAL] = 3, [OP_WINDOW] = 3, [OP_SYNC] = 4, [OP_SYNC_FILE] = 2,
	[OP_IMPORT] = 3, [OP_UNIMPORT] = 2, [OP_CLOSE] = 6, [OP_DUP] = 2,
	[OP_SEND] = 7, [OP_FORK] = 1, [OP_CHILD_OWNER] = 1,
	[OP_NOT_OWNER] = 3, [OP_REOPEN] = 1, [OP_UNLOAD] = 1,
};

struct shared {
	uint64_t seed;
	int nprocs, nthreads, nworkers;
	unsigned int ops_per_worker;
	int nentries;			/* atomic */
	int done;			/* atomic: workers through their ops */
	int drained;			/* atomic */
	int ready;			/* atomic: processes started */
	int failed;			/* atomic */
	pid_t pids[MAX_PROCS];
	uint64_t pool_total;
	uint64_t counts[NR_OPS][2];	/* atomic: ok, errno */
	struct entry entries[MAX_ENTRIES];
};

static struct shared *sh;
/* Receiving ends [1] and sending ends [0] of every worker's socket. */
static int socks[MAX_WORKERS][2];

/* ---- Per worker ------------------------------------------------------------- */

struct rec {
	int used;
	int fd;
	int ent;
	uint64_t id, grant_id, size, ino;
	uint32_t rights;
	bool mine;		/* this worker's pool file owns it */
	bool writable_fd;
	pid_t bound;
	char *map;
	size_t map_off, map_len;
	int map_prot;
	bool map_after_wseal;	/* mapped after SEAL_WRITE was done */
	uint32_t gem;
};

struct worker {
	pthread_t thread;
	int proc, thread_idx, gidx;
	struct secbuf_rng rng;
	int pool_fd, heap_fd, vgem_fd;
	struct rec recs[RECS];
	int owned[ACCT];	/* entries owned by the current pool file */
	int nowned;
	int pool_gen;		/* pool files closed and reopened so far */
	unsigned int op_idx;
	enum op op;
	char ctx[160];
};

static uint64_t cap_per_worker;
/* Held for reading across a fork and its wait; for writing to close a pool file. */
static pthread_rwlock_t fork_lock = PTHREAD_RWLOCK_INITIALIZER;

static __thread struct worker *cur;
static __thread sigjmp_buf touch_jmp;
static __thread volatile sig_atomic_t touch_armed;
static __thread void *volatile sigbus_addr;

#define fz_assert(cond, f, ...) \
	igt_assert_f((cond), "seed %" PRIu64 " proc %d thread %d op #%u %s " \
		     "(%s): " f, sh->seed, cur ? cur->proc : -1, \
		     cur ? cur->thread_idx : -1, cur ? cur->op_idx : 0, \
		     cur ? op_names[cur->op] : "-", cur ? cur->ctx : "", \
		     ##__VA_ARGS__)

#define fz_assert_in(ret, set, f, ...) \
	do { \
		int __r = (ret); \
		if (!secbuf_errset_has((set), __r)) { \
			char __b[256]; \
			fz_assert(false, f ": returned %s, expected %s\n", \
				  ##__VA_ARGS__, secbuf_errname(__r), \
				  secbuf_errset_str((set), __b, sizeof(__b))); \
		} \
	} while (0)

static void set_ctx(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void set_ctx(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(cur->ctx, sizeof(cur->ctx), f, ap);
	va_end(ap);
}

static void count(bool ok)
{
	ATOMIC_ADD(&sh->counts[cur->op][ok ? 0 : 1], 1);
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline uint64_t pattern(uint64_t id, uint64_t idx)
{
	return ((id + 1) << 32) | ((uint32_t)idx ^ 0x5a5a5a5au);
}

static struct entry *E(const struct rec *r)
{
	return &sh->entries[r->ent];
}

/*
 * The pool's node or its heap, from a worker thread: not through
 * secbuf_open_pool(), whose igt_require() logs into igt_core's log
 * buffer, which is not meant for threads.
 */
static int fz_open(bool heap)
{
	int fd = heap ? __secbuf_open_heap(pool) : __secbuf_open_pool(pool);

	fz_assert(fd >= 0, "open %s/%s: %s\n",
		  heap ? SECBUF_HEAP_DIR : SECBUF_DEV_DIR, pool,
		  strerror(-fd));
	return fd;
}

static uint64_t fd_inode(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

static int entry_new(void)
{
	int i = __atomic_fetch_add(&sh->nentries, 1, __ATOMIC_SEQ_CST);

	if (i >= MAX_ENTRIES)
		return -1;
	memset(&sh->entries[i], 0, sizeof(sh->entries[i]));
	return i;
}

/* ---- The model's state of a handle ---------------------------------------- */

static bool grant_chain(struct entry *e, uint64_t g, bool pending)
{
	for (int depth = 0; g && g <= MAX_G && depth <= MAX_G; depth++) {
		uint64_t bits = ATOMIC_LOAD(&e->gdone) |
				(pending ? ATOMIC_LOAD(&e->gbegun) : 0);

		if (bits & (1ULL << g))
			return true;
		g = ATOMIC_LOAD(&e->gparent[g]);
	}
	return false;
}

struct state {
	bool revoked;		/* the buffer or this handle */
	bool buf_revoked;
	bool wsealed;
	uint32_t seals;
};

/*
 * What is done (@pending false), or also what is under way (@pending
 * true: the kernel may already have done it).
 */
static struct state state_of(const struct rec *r, bool pending)
{
	struct entry *e = E(r);
	struct state s = {
		.buf_revoked = ATOMIC_LOAD(&e->revoke_done) ||
			       (pending && ATOMIC_LOAD(&e->revoke_begun)),
		.seals = ATOMIC_LOAD(&e->seals) |
			 (pending ? ATOMIC_LOAD(&e->seals_pending) : 0),
	};

	s.revoked = s.buf_revoked || grant_chain(e, r->grant_id, pending);
	s.wsealed = s.seals & SECBUF_SEAL_WRITE;
	return s;
}

/* ---- Records ----------------------------------------------------------------- */

static struct rec *rec_free_slot(void)
{
	for (int i = 0; i < RECS; i++)
		if (!cur->recs[i].used)
			return &cur->recs[i];
	return NULL;
}

static struct rec *rec_pick(bool (*want)(struct rec *))
{
	int start = (int)secbuf_rng_below(&cur->rng, RECS);

	for (int i = 0; i < RECS; i++) {
		struct rec *r = &cur->recs[(start + i) % RECS];

		if (r->used && (!want || want(r)))
			return r;
	}
	return NULL;
}

static bool want_mine(struct rec *r) { return r->mine; }
static bool want_not_mine(struct rec *r) { return !r->mine; }
static bool want_mapped(struct rec *r) { return r->map; }
static bool want_unmapped(struct rec *r) { return !r->map; }
static bool want_imported(struct rec *r) { return r->gem; }

static bool ino_imported(uint64_t ino)
{
	for (int i = 0; i < RECS; i++)
		if (cur->recs[i].used && cur->recs[i].ino == ino &&
		    cur->recs[i].gem)
			return true;
	return false;
}

static void rec_unimport(struct rec *r)
{
	struct entry *e = E(r);

	ATOMIC_ADD(&e->imports_releasing, 1);
	ATOMIC_ADD(&e->import_events, 1);
	gem_close(cur->vgem_fd, r->gem);
	r->gem = 0;
	ATOMIC_ADD(&e->imports, -1);
	ATOMIC_ADD(&e->import_events, 1);
	ATOMIC_ADD(&e->imports_releasing, -1);
}

static void rec_close(struct rec *r)
{
	if (r->map)
		igt_assert_eq(munmap(r->map, r->map_len), 0);
	r->map = NULL;
	if (r->gem)
		rec_unimport(r);
	fz_assert(close(r->fd) == 0, "close(%d): %s\n", r->fd, strerror(errno));
	r->used = 0;
	r->fd = -1;
}

/* ---- Touching mappings -------------------------------------------------------- */

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!touch_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	touch_armed = 0;
	sigbus_addr = si->si_addr;
	siglongjmp(touch_jmp, 1);
}

/*
 * Read or write one word of a few pages of @r's mapping. @must_sigbus: the
 * caller is in a STRICT window of its own. Returns true on SIGBUS.
 */
static bool touch(struct rec *r, bool write, bool must_sigbus)
{
	struct entry *e = E(r);
	size_t pages = r->map_len / PAGE;
	unsigned int n = 1 + (unsigned int)secbuf_rng_below(&cur->rng, 3);
	bool filled = e->filled;

	if (!(r->map_prot & PROT_READ))
		return false;
	write = write && (r->map_prot & PROT_WRITE);
	for (unsigned int i = 0; i < n; i++) {
		size_t off = secbuf_rng_below(&cur->rng, pages) * PAGE +
			     secbuf_rng_below(&cur->rng, PAGE / 8) * 8;
		uint64_t idx = (r->map_off + off) / 8;
		volatile uint64_t *p = (volatile uint64_t *)(r->map + off);
		uint64_t expect = filled ? pattern(r->id, idx) : 0, v = 0;
		struct state before = state_of(r, false);
		uint32_t strict_ended = ATOMIC_LOAD(&e->strict_ended);
		bool due = must_sigbus || before.revoked ||
			   (write && before.wsealed);

		if (sigsetjmp(touch_jmp, 1)) {
			struct state after = state_of(r, true);
			bool explained = after.revoked ||
				(write && after.wsealed) || must_sigbus ||
				ATOMIC_LOAD(&e->strict_begun) > strict_ended;

			fz_assert(sigbus_addr == (void *)p,
				  "SIGBUS at %p, touched %p\n", sigbus_addr,
				  (void *)p);
			fz_assert(explained, "SIGBUS on %s of buffer %" PRIu64
				  " grant %" PRIu64 " offset %#zx: no "
				  "revocation, write seal or STRICT window "
				  "(seals %#x)\n", write ? "write" : "read",
				  r->id, r->grant_id, (size_t)(idx * 8),
				  after.seals);
			return true;
		}
		touch_armed = 1;
		if (write)
			*p = expect;
		else
			v = *p;
		touch_armed = 0;

		fz_assert(!due, "%s of buffer %" PRIu64 " grant %" PRIu64
			  " offset %#zx worked, but it %s before the access "
			  "began\n", write ? "write" : "read", r->id,
			  r->grant_id, (size_t)(idx * 8),
			  must_sigbus ? "was in a STRICT window" :
			  "was revoked or write-sealed");
		if (!write)
			fz_assert(v == expect, "buffer %" PRIu64 " grant %"
				  PRIu64 " offset %#zx: read %#" PRIx64
				  ", expected %#" PRIx64 " (%s)%s\n", r->id,
				  r->grant_id, (size_t)(idx * 8), v, expect,
				  filled ? "its pattern" : "zero",
				  (v >> 32) && v != expect ?
				  ": another buffer's pattern" : "");
	}
	return false;
}

/* ---- Operations --------------------------------------------------------------- */

static uint64_t pick_size(void)
{
	unsigned int cls = (unsigned int)secbuf_rng_below(&cur->rng, 100);

	if (cls < 70)
		return (1 + secbuf_rng_below(&cur->rng, 8)) * PAGE -
		       secbuf_rng_below(&cur->rng, 2) *
		       secbuf_rng_below(&cur->rng, PAGE);
	if (cls < 96)
		return (8 + secbuf_rng_below(&cur->rng, 120)) * PAGE;
	return SECBUF_SZ_2M + secbuf_rng_below(&cur->rng, 2) * SECBUF_SZ_1M;
}

/*
 * A buffer of this worker's pool file the file may be charged for: live,
 * or revoked while a vgem import may keep it quarantined (the driver
 * charges the pool file until the memory is back, as it does used_bytes).
 */
static bool owned_charged(struct entry *e)
{
	return !ATOMIC_LOAD(&e->revoke_done) || ATOMIC_LOAD(&e->imports) ||
	       ATOMIC_LOAD(&e->imports_releasing) ||
	       ATOMIC_LOAD(&e->imports_inflight);
}

/* A buffer it must be charged for: one this worker holds and that is live. */
static bool owned_held(int ent)
{
	if (ATOMIC_LOAD(&sh->entries[ent].revoke_done))
		return false;
	for (int i = 0; i < RECS; i++)
		if (cur->recs[i].used && cur->recs[i].ent == ent)
			return true;
	return false;
}

static uint64_t owned_live_bytes(bool held_only)
{
	uint64_t sum = 0;

	for (int s = 0; s < cur->nowned; s++) {
		struct entry *e = &sh->entries[cur->owned[s]];

		if (held_only ? owned_held(cur->owned[s]) : owned_charged(e))
			sum += e->size;
	}
	return sum;
}

static int owned_live_count(bool held_only)
{
	int n = 0;

	for (int s = 0; s < cur->nowned; s++) {
		struct entry *e = &sh->entries[cur->owned[s]];

		n += held_only ? owned_held(cur->owned[s]) : owned_charged(e);
	}
	return n;
}

/* New buffers are zero: every word up to 256 KiB, then one per 512 bytes. */
static void check_zero(const char *map, uint64_t size, uint64_t id)
{
	size_t step = size <= (256 << 10) ? 8 : 512;

	for (size_t off = 0; off < size; off += step) {
		uint64_t v = *(volatile const uint64_t *)(map + off);

		fz_assert(v == 0, "new buffer %" PRIu64 " offset %#zx holds %#"
			  PRIx64 ", not zero%s\n", id, off, v,
			  (v >> 32) ? ": another buffer's pattern" : "");
	}
}

static void fill(char *map, uint64_t size, uint64_t id)
{
	for (size_t i = 0; i < size / 8; i++)
		((volatile uint64_t *)map)[i] = pattern(id, i);
}

static void rec_init(struct rec *r, int fd, int ent, uint64_t grant_id,
		     uint32_t rights, bool mine, bool writable, pid_t bound)
{
	struct entry *e = &sh->entries[ent];

	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->fd = fd;
	r->ent = ent;
	r->id = e->id;
	r->size = e->size;
	r->grant_id = grant_id;
	r->ino = fd_inode(fd);
	r->rights = rights;
	r->mine = mine;
	r->writable_fd = writable;
	r->bound = bound;
}

static void op_alloc(bool heap)
{
	uint64_t size = pick_size();
	bool rdwr = secbuf_rng_chance(&cur->rng, 85);
	struct secbuf_errset ok = {};
	struct rec *r = rec_free_slot();
	int ent, fd = -1, ret;
	struct secbuf_query q;
	struct entry *e;
	char *map;

	if (!r || (!heap && (cur->nowned == ACCT ||
			     owned_live_count(true) >= SLOTS)) ||
	    owned_live_bytes(true) + size > cap_per_worker)
		return;
	if (heap && cur->heap_fd < 0)
		cur->heap_fd = fz_open(true);
	set_ctx("%s of %" PRIu64 " bytes %s", heap ? "heap alloc" : "ALLOC",
		size, rdwr ? "O_RDWR" : "O_RDONLY");

	if (heap) {
		ret = __secbuf_heap_alloc(cur->heap_fd, size,
					  (rdwr ? O_RDWR : O_RDONLY) | O_CLOEXEC,
					  0, &fd);
	} else {
		struct secbuf_alloc arg = {
			.size = size,
			.fd_flags = (rdwr ? O_RDWR : O_RDONLY) | O_CLOEXEC,
		};

		ret = __secbuf_alloc_full(cur->pool_fd, &arg);
		if (!ret) {
			fd = (int)arg.fd;
			fz_assert(arg.alloc_size == ALIGN_UP(size),
				  "alloc_size %" PRIu64 "\n",
				  (uint64_t)arg.alloc_size);
		}
	}
	/* Other workers' buffers may fill or fragment the pool. */
	secbuf_errset_add(&ok, 0);
	secbuf_errset_add(&ok, ENOMEM);
	fz_assert_in(ret, &ok, "allocation");
	count(!ret);
	if (ret)
		return;

	ent = entry_new();
	if (ent < 0) {
		close(fd);
		return;
	}
	secbuf_query(cur->pool_fd, fd, &q);
	e = &sh->entries[ent];
	e->id = q.id;
	e->size = q.size;
	e->owner = heap ? -1 : cur->gidx;
	e->owner_gen = cur->pool_gen;
	e->heap = heap;
	fz_assert(q.size == ALIGN_UP(size) && q.state == SECBUF_STATE_LIVE &&
		  q.seals == 0 && q.grant_id == 0,
		  "QUERY of a new buffer: size %" PRIu64 " state %u seals %#x "
		  "grant %" PRIu64 "\n", (uint64_t)q.size, q.state, q.seals,
		  (uint64_t)q.grant_id);
	if (!heap)
		fz_assert(q.rights == (SECBUF_GRANT_VALID_RIGHTS &
				       ~(rdwr ? 0 : SECBUF_GRANT_WRITE)),
			  "owner's rights %#x\n", q.rights);

	map = __secbuf_mmap(fd, e->size, 0, PROT_READ | (rdwr ? PROT_WRITE : 0),
			    MAP_SHARED);
	fz_assert(map, "mmap of a new buffer: %s\n", strerror(errno));
	check_zero(map, e->size, e->id);
	if (rdwr)
		fill(map, e->size, e->id);
	e->filled = rdwr;

	rec_init(r, fd, ent, 0, q.rights, !heap, rdwr, 0);
	r->map = map;
	r->map_len = e->size;
	r->map_prot = PROT_READ | (rdwr ? PROT_WRITE : 0);
	if (!heap)
		cur->owned[cur->nowned++] = ent;
}

static void op_pool_info(void)
{
	struct secbuf_pool_info info;
	uint64_t lo, hi;
	int nlo, nhi;

	set_ctx("POOL_INFO");
	lo = owned_live_bytes(true);
	nlo = owned_live_count(true);
	secbuf_pool_info(cur->pool_fd, &info);
	hi = owned_live_bytes(false);
	nhi = owned_live_count(false);
	fz_assert(info.total_bytes == sh->pool_total &&
		  info.used_bytes <= info.total_bytes &&
		  info.quarantined_bytes <= info.used_bytes &&
		  info.largest_free_bytes <= info.total_bytes &&
		  info.prezeroed_bytes <= info.cached_bytes,
		  "total %" PRIu64 " used %" PRIu64 " quarantined %" PRIu64
		  " largest free %" PRIu64 " cached %" PRIu64 " prezeroed %"
		  PRIu64 "\n", (uint64_t)info.total_bytes,
		  (uint64_t)info.used_bytes, (uint64_t)info.quarantined_bytes,
		  (uint64_t)info.largest_free_bytes,
		  (uint64_t)info.cached_bytes, (uint64_t)info.prezeroed_bytes);
	/* This pool file's buffers: the live ones, some maybe already gone. */
	fz_assert(info.file_used_bytes >= lo && info.file_used_bytes <= hi &&
		  (int)info.file_buffers >= nlo && (int)info.file_buffers <= nhi,
		  "file_used_bytes %" PRIu64 " (%u buffers), the model says %"
		  PRIu64 "..%" PRIu64 " (%d..%d)\n",
		  (uint64_t)info.file_used_bytes, info.file_buffers, lo, hi,
		  nlo, nhi);
	count(true);
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

static void op_mmap(void)
{
	struct rec *r = rec_pick(want_unmapped);
	struct secbuf_errset ok = {};
	size_t off = 0, len;
	struct state before, after;
	int prot = PROT_READ, flags = MAP_SHARED, ret;
	char *map;

	if (!r)
		return;
	len = r->size;
	if (secbuf_rng_chance(&cur->rng, 30)) {
		size_t pages = r->size / PAGE;

		off = secbuf_rng_below(&cur->rng, pages) * PAGE;
		len = (1 + secbuf_rng_below(&cur->rng, pages - off / PAGE)) *
		      PAGE;
	}
	if ((r->rights & SECBUF_GRANT_WRITE) ? secbuf_rng_chance(&cur->rng, 60) :
	    secbuf_rng_chance(&cur->rng, 10))
		prot |= PROT_WRITE;
	/* Now and then what is always refused. */
	switch (secbuf_rng_below(&cur->rng, 20)) {
	case 0:
		flags = MAP_PRIVATE;
		break;
	case 1:
		off = r->size;
		len = PAGE;
		break;
	}
	set_ctx("mmap(%#zx, %#zx, prot %d, %s) of buffer %" PRIu64 " grant %"
		PRIu64 " rights %#x%s", off, len, prot,
		flags == MAP_PRIVATE ? "MAP_PRIVATE" : "MAP_SHARED", r->id,
		r->grant_id, r->rights, r->bound ? " bound" : "");

	before = state_of(r, false);
	map = __secbuf_mmap(r->fd, len, (off_t)off, prot, flags);
	ret = map ? 0 : -errno;
	after = state_of(r, true);
	if (flags == MAP_PRIVATE || off >= r->size) {
		/*
		 * EINVAL, or an error checked before it (mode, rights,
		 * binding, revocation: no precedence is documented), but
		 * never a mapping.
		 */
		mmap_outcomes(r, prot, before, &ok);
		mmap_outcomes(r, prot, after, &ok);
		ok.bits[0] &= ~1ULL;
		secbuf_errset_add(&ok, EINVAL);
	} else {
		mmap_outcomes(r, prot, before, &ok);
		mmap_outcomes(r, prot, after, &ok);
	}
	fz_assert_in(ret, &ok, "mmap");
	count(!ret);
	if (!map)
		return;
	fz_assert(flags == MAP_SHARED && off < r->size, "mmap worked\n");
	r->map = map;
	r->map_off = off;
	r->map_len = len;
	r->map_prot = prot;
	r->map_after_wseal = before.wsealed;
}

static void op_touch(void)
{
	struct rec *r = rec_pick(want_mapped);
	bool write;

	if (!r)
		return;
	write = secbuf_rng_chance(&cur->rng, 30);
	set_ctx("%s of buffer %" PRIu64 " grant %" PRIu64 " map %#zx+%#zx "
		"prot %d", write ? "write" : "read", r->id, r->grant_id,
		r->map_off, r->map_len, r->map_prot);
	count(!touch(r, write, false));
}

static void op_munmap(void)
{
	struct rec *r = rec_pick(want_mapped);

	if (!r)
		return;
	set_ctx("munmap of buffer %" PRIu64 " grant %" PRIu64, r->id,
		r->grant_id);
	fz_assert(munmap(r->map, r->map_len) == 0, "munmap: %s\n",
		  strerror(errno));
	r->map = NULL;
	count(true);
}

static void op_mremap(void)
{
	struct rec *r = rec_pick(want_mapped);
	size_t pages;
	void *p;

	if (!r)
		return;
	pages = r->map_len / PAGE;
	switch (secbuf_rng_below(&cur->rng, 3)) {
	case 0:		/* grow: VM_DONTEXPAND */
		set_ctx("mremap grow %#zx of buffer %" PRIu64, r->map_len,
			r->id);
		p = mremap(r->map, r->map_len, r->map_len + PAGE,
			   MREMAP_MAYMOVE);
		fz_assert(p == MAP_FAILED && errno == EFAULT,
			  "growing mremap: %s\n",
			  p == MAP_FAILED ? strerror(errno) : "worked");
		count(false);
		break;
	case 1:		/* shrink */
		if (pages < 2)
			return;
		set_ctx("mremap shrink %#zx of buffer %" PRIu64, r->map_len,
			r->id);
		p = mremap(r->map, r->map_len, (pages - 1) * PAGE, 0);
		fz_assert(p == r->map, "shrinking mremap: %s\n",
			  strerror(errno));
		r->map_len -= PAGE;
		count(true);
		break;
	default: {	/* move elsewhere, same size */
		void *to = mmap(NULL, r->map_len, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		igt_assert(to != MAP_FAILED);
		set_ctx("mremap move %#zx of buffer %" PRIu64, r->map_len,
			r->id);
		p = mremap(r->map, r->map_len, r->map_len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (p == MAP_FAILED)
			munmap(to, r->map_len);
		fz_assert(p == to, "moving mremap: %s\n", strerror(errno));
		r->map = p;
		count(true);
		break;
	}
	}
}

static void op_mprotect(void)
{
	struct rec *r = rec_pick(want_mapped);
	struct secbuf_errset ok = {};
	int prot, ret;
	struct state before, after;

	if (!r)
		return;
	prot = (int[]){ PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
			PROT_READ | PROT_WRITE }[secbuf_rng_below(&cur->rng, 4)];
	set_ctx("mprotect(%d) of buffer %" PRIu64 " grant %" PRIu64
		" mapped %d rights %#x%s", prot, r->id, r->grant_id,
		r->map_prot, r->rights, r->writable_fd ? "" : " O_RDONLY");
	before = state_of(r, false);
	ret = mprotect(r->map, r->map_len, prot) ? -errno : 0;
	after = state_of(r, true);
	if ((prot & PROT_WRITE) && !(r->map_prot & PROT_WRITE)) {
		if (!r->writable_fd || !(r->rights & SECBUF_GRANT_WRITE) ||
		    r->map_after_wseal)
			secbuf_errset_add(&ok, EACCES);
		else if (before.wsealed)
			/* A mapping from before the seal: not documented. */
			secbuf_errset_add(&ok, 0), secbuf_errset_add(&ok, EACCES);
		else if (after.wsealed)
			secbuf_errset_add(&ok, 0), secbuf_errset_add(&ok, EACCES);
		else
			secbuf_errset_add(&ok, 0);
	} else {
		secbuf_errset_add(&ok, 0);
	}
	fz_assert_in(ret, &ok, "mprotect");
	if (!ret)
		r->map_prot = prot;
	count(!ret);
}

/* GRANT from @r: by the owner, or a REGRANT by a holder. */
static void do_grant(struct rec *r)
{
	struct entry *e = E(r);
	struct secbuf_errset ok = {};
	struct state before, after;
	uint32_t rights = (uint32_t)secbuf_rng_below(&cur->rng, 16);
	struct secbuf_grant arg = { .buf_fd = (uint32_t)r->fd };
	struct rec *nr = rec_free_slot();
	pid_t bind = 0;
	int pidfd = -1, ret;

	if (!nr)
		return;
	if (secbuf_rng_chance(&cur->rng, 80))
		rights &= r->rights;
	arg.rights = rights;
	arg.fd_flags = secbuf_rng_chance(&cur->rng, 50) ? O_CLOEXEC : 0;
	if (secbuf_rng_chance(&cur->rng, 30)) {
		bind = sh->pids[secbuf_rng_below(&cur->rng, sh->nprocs)];
		pidfd = secbuf_pidfd_open(bind);
		arg.flags = SECBUF_GRANT_PIDFD;
		arg.pidfd = (uint32_t)pidfd;
	}
	set_ctx("GRANT %#x%s from buffer %" PRIu64 " grant %" PRIu64
		" (rights %#x, %s%s)", rights, bind ? " bound" : "", r->id,
		r->grant_id, r->rights, r->mine ? "owner" : "holder",
		r->bound ? ", bound" : "");

	before = state_of(r, false);
	ATOMIC_ADD(&e->gstarted, 1);
	ret = __secbuf_grant_full(cur->pool_fd, &arg);
	after = state_of(r, true);
	if (pidfd >= 0)
		close(pidfd);

	if ((!r->mine && !(r->grant_id && (r->rights & SECBUF_GRANT_REGRANT))) ||
	    (rights & ~r->rights) || e->heap)
		secbuf_errset_add(&ok, EPERM);
	if (bind && r->bound && r->bound != bind)
		secbuf_errset_add(&ok, EPERM);
	if (before.seals & SECBUF_SEAL_GRANT)
		secbuf_errset_add(&ok, EPERM);
	if (before.revoked)
		secbuf_errset_add(&ok, ENODEV);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);
	/* What changed during the call. */
	if (after.seals & SECBUF_SEAL_GRANT)
		secbuf_errset_add(&ok, EPERM);
	if (after.revoked)
		secbuf_errset_add(&ok, ENODEV);
	fz_assert_in(ret, &ok, "GRANT");
	count(!ret);
	if (ret)
		return;
	ATOMIC_ADD(&e->gcreated, 1);
	fz_assert(arg.grant_id >= 1 && arg.grant_id <= ATOMIC_LOAD(&e->gstarted),
		  "grant id %" PRIu64 ", %u GRANT calls made\n",
		  (uint64_t)arg.grant_id, ATOMIC_LOAD(&e->gstarted));
	fz_assert(!!(fcntl((int)arg.fd, F_GETFD) & FD_CLOEXEC) ==
		  !!(arg.fd_flags & O_CLOEXEC), "O_CLOEXEC of the grant\n");
	fz_assert(((fcntl((int)arg.fd, F_GETFL) & O_ACCMODE) == O_RDWR) ==
		  !!(rights & SECBUF_GRANT_WRITE), "access mode of the grant\n");
	if (arg.grant_id > MAX_G) {
		close((int)arg.fd);
		return;
	}
	ATOMIC_STORE(&e->gparent[arg.grant_id], (uint32_t)r->grant_id);
	ATOMIC_STORE(&e->grights[arg.grant_id], rights);
	ATOMIC_STORE(&e->gbound[arg.grant_id], bind ? bind : r->bound);
	ATOMIC_STORE(&e->gknown[arg.grant_id], 1);
	rec_init(nr, (int)arg.fd, r->ent, arg.grant_id, rights, r->mine,
		 rights & SECBUF_GRANT_WRITE, bind ? bind : r->bound);
}

static bool want_regrant(struct rec *r)
{
	return !r->mine && r->grant_id && (r->rights & SECBUF_GRANT_REGRANT);
}

static void op_grant(bool regrant)
{
	struct rec *r = rec_pick(!regrant ? want_mine :
				 secbuf_rng_chance(&cur->rng, 80) ?
				 want_regrant : want_not_mine);

	if (r)
		do_grant(r);
}

static void op_revoke(bool grant)
{
	struct rec *r = rec_pick(want_mine);
	struct secbuf_errset ok = {};
	uint64_t g = 0, quarantined = 0;
	uint32_t started;
	struct entry *e;
	int ret;

	if (!r)
		return;
	e = E(r);
	if (grant) {
		started = ATOMIC_LOAD(&e->gstarted);
		if (started && secbuf_rng_chance(&cur->rng, 85))
			g = 1 + secbuf_rng_below(&cur->rng, started);
		else
			g = started + 1 + secbuf_rng_below(&cur->rng, 3);
	}
	set_ctx("REVOKE of buffer %" PRIu64 " grant %" PRIu64 " (seals %#x)",
		r->id, g, e->seals);
	if (e->seals & SECBUF_SEAL_REVOKE)
		secbuf_errset_add(&ok, EPERM);

	if (!g)
		ATOMIC_STORE(&e->revoke_begun, 1);
	else if (g <= MAX_G)
		ATOMIC_OR(&e->gbegun, 1ULL << g);
	ret = __secbuf_revoke(cur->pool_fd, r->fd, g, &quarantined);
	if (g && g > ATOMIC_LOAD(&e->gstarted))
		secbuf_errset_add(&ok, ENOENT);
	else if (g)	/* a grant whose every fd was closed may be gone */
		secbuf_errset_add(&ok, ENOENT), secbuf_errset_add(&ok, 0);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);
	fz_assert_in(ret, &ok, "REVOKE");
	fz_assert(quarantined <= sh->pool_total, "quarantined %" PRIu64 "\n",
		  quarantined);
	if (!ret) {
		if (!g)
			ATOMIC_STORE(&e->revoke_done, 1);
		else if (g <= MAX_G)
			ATOMIC_OR(&e->gdone, 1ULL << g);
	} else if (!g && !e->revoke_done) {
		ATOMIC_STORE(&e->revoke_begun, 0);
	} else if (g && g <= MAX_G && !(e->gdone & (1ULL << g))) {
		__atomic_and_fetch(&e->gbegun, ~(1ULL << g), __ATOMIC_SEQ_CST);
	}
	count(!ret);
}

static void op_grant_list(void)
{
	struct rec *r = rec_pick(want_mine);
	struct secbuf_grant_info info[MAX_G + 8];
	struct secbuf_grant_list arg = { 0 };
	struct secbuf_errset ok = {};
	uint32_t created, started, room;
	uint64_t done, begun;
	struct entry *e;
	int ret;

	if (!r)
		return;
	e = E(r);
	room = (uint32_t)secbuf_rng_below(&cur->rng, ARRAY_SIZE(info) + 1);
	memset(info, 0xff, sizeof(info));
	arg.buf_fd = (uint32_t)r->fd;
	arg.count = room;
	arg.grants = room ? (uint64_t)(uintptr_t)info : 0;
	arg.info_size = sizeof(*info);
	set_ctx("GRANT_LIST of buffer %" PRIu64 " room %u", r->id, room);

	created = ATOMIC_LOAD(&e->gcreated);
	done = ATOMIC_LOAD(&e->gdone);
	ret = __secbuf_grant_list(cur->pool_fd, &arg);
	started = ATOMIC_LOAD(&e->gstarted);
	begun = ATOMIC_LOAD(&e->gbegun) | ATOMIC_LOAD(&e->gdone);
	secbuf_errset_add(&ok, 0);
	if (started != created)
		secbuf_errset_add(&ok, EAGAIN);
	fz_assert_in(ret, &ok, "GRANT_LIST");
	count(!ret);
	if (ret)
		return;
	/* Grants whose every fd was closed may be gone. */
	fz_assert(arg.count <= started,
		  "%u grants listed, %u made and %u asked for\n", arg.count,
		  created, started);
	for (uint32_t i = 0; i < room && i < arg.count; i++) {
		struct secbuf_grant_info *gi = &info[i];
		uint64_t g = gi->grant_id;

		fz_assert(g >= 1 && g <= started && (!i || g > info[i - 1].grant_id)
			  && gi->pad == 0 &&
			  (gi->state == SECBUF_STATE_LIVE ||
			   gi->state == SECBUF_STATE_REVOKED),
			  "entry %u: grant %" PRIu64 " state %u pad %u\n", i, g,
			  gi->state, gi->pad);
		if (g > MAX_G || !ATOMIC_LOAD(&e->gknown[g]))
			continue;
		fz_assert(gi->rights == e->grights[g],
			  "grant %" PRIu64 ": rights %#x, made with %#x\n", g,
			  gi->rights, e->grights[g]);
		fz_assert(gi->pid == (uint32_t)e->gbound[g],
			  "grant %" PRIu64 ": pid %u, bound to %d\n", g,
			  gi->pid, e->gbound[g]);
		if (e->revoke_done)
			continue;	/* the grants' state is not specified */
		if ((done >> g) & 1)
			fz_assert(gi->state == SECBUF_STATE_REVOKED,
				  "grant %" PRIu64 " revoked, listed live\n", g);
		if (!grant_chain(e, g, true) && !((begun >> g) & 1))
			fz_assert(gi->state == SECBUF_STATE_LIVE,
				  "grant %" PRIu64 " never revoked, listed "
				  "revoked\n", g);
	}
}

static void op_query(void)
{
	struct rec *r = rec_pick(NULL);
	struct state before, after;
	struct secbuf_query q = {};
	uint32_t seals = 0, win_ended;
	bool in_window;
	int ret;

	if (!r)
		return;
	set_ctx("QUERY of buffer %" PRIu64 " grant %" PRIu64, r->id,
		r->grant_id);
	win_ended = ATOMIC_LOAD(&E(r)->win_ended);
	before = state_of(r, false);
	ret = __secbuf_query(cur->pool_fd, r->fd, &q);
	fz_assert(ret == 0, "QUERY: %s\n", secbuf_errname(ret));
	ret = __secbuf_get_seals(cur->pool_fd, r->fd, &seals);
	fz_assert(ret == 0, "GET_SEALS: %s\n", secbuf_errname(ret));
	after = state_of(r, true);
	/* A window of the owner may have been open during the call. */
	in_window = ATOMIC_LOAD(&E(r)->win_begun) > win_ended;

	fz_assert(q.id == r->id && q.size == r->size &&
		  q.grant_id == r->grant_id && q.rights == r->rights,
		  "id %" PRIu64 " size %" PRIu64 " grant %" PRIu64
		  " rights %#x\n", (uint64_t)q.id, (uint64_t)q.size,
		  (uint64_t)q.grant_id, q.rights);
	fz_assert((q.seals & before.seals) == before.seals &&
		  !(q.seals & ~after.seals) &&
		  (seals & before.seals) == before.seals &&
		  !(seals & ~after.seals),
		  "seals %#x / GET_SEALS %#x, known %#x..%#x\n", q.seals, seals,
		  before.seals, after.seals);
	if (before.buf_revoked)
		fz_assert(q.state == SECBUF_STATE_REVOKED, "state %u\n",
			  q.state);
	if (before.revoked)
		fz_assert(q.handle_state == SECBUF_STATE_REVOKED,
			  "handle state %u\n", q.handle_state);
	if (!after.buf_revoked)
		fz_assert(q.state == SECBUF_STATE_LIVE ||
			  (q.state == SECBUF_STATE_DMA && in_window),
			  "state %u%s\n", q.state,
			  in_window ? "" : ", no window open");
	/* The handle of a buffer in a window is in the window too. */
	if (!after.revoked)
		fz_assert(q.handle_state == SECBUF_STATE_LIVE ||
			  (q.handle_state == SECBUF_STATE_DMA && in_window),
			  "handle state %u%s\n", q.handle_state,
			  in_window ? "" : ", no window open");
	/* Only the owner opens windows, and this owner is not in one. */
	if (r->mine && !after.buf_revoked)
		fz_assert(q.state == SECBUF_STATE_LIVE, "state %u\n", q.state);
	count(true);
}

static void op_seal(void)
{
	static const uint32_t choices[] = {
		SECBUF_SEAL_WRITE, SECBUF_SEAL_WRITE, SECBUF_SEAL_GRANT,
		SECBUF_SEAL_REVOKE, SECBUF_SEAL_SEAL,
		SECBUF_SEAL_WRITE | SECBUF_SEAL_GRANT, 0, 1U << 7,
	};
	struct rec *r = rec_pick(want_mine);
	struct secbuf_errset ok = {};
	uint32_t seals, now = 0, ev;
	int held, inflight, held2, inflight2, rel, rel2, ret;
	struct entry *e;

	if (!r)
		return;
	e = E(r);
	seals = choices[secbuf_rng_below(&cur->rng, ARRAY_SIZE(choices))];
	set_ctx("SEAL %#x of buffer %" PRIu64 " (seals %#x%s)", seals, r->id,
		e->seals, e->revoke_done ? ", revoked" : "");
	if (!seals || (seals & ~SECBUF_SEAL_VALID_SEALS))
		secbuf_errset_add(&ok, EINVAL);
	/* Any handle names the buffer, also a revoked grant. */
	if (e->revoke_done)
		secbuf_errset_add(&ok, ENODEV);
	if (e->seals & SECBUF_SEAL_SEAL)
		secbuf_errset_add(&ok, EPERM);

	ev = ATOMIC_LOAD(&e->import_events);
	held = ATOMIC_LOAD(&e->imports);
	inflight = ATOMIC_LOAD(&e->imports_inflight);
	rel = ATOMIC_LOAD(&e->imports_releasing);
	ATOMIC_STORE(&e->seals_pending, seals & SECBUF_SEAL_VALID_SEALS);
	ret = __secbuf_seal(cur->pool_fd, r->fd, seals, &now);
	held2 = ATOMIC_LOAD(&e->imports);
	inflight2 = ATOMIC_LOAD(&e->imports_inflight);
	rel2 = ATOMIC_LOAD(&e->imports_releasing);
	/*
	 * vgem's import is a device mapping that may write before 7.0; on
	 * 7.x it only attaches and never blocks the seal (igt_secbuf_vgem.h).
	 */
	if (secbuf_errset_empty(&ok) && (seals & ~e->seals & SECBUF_SEAL_WRITE) &&
	    secbuf_vgem_import_maps()) {
		bool busy_sure = held && held2 && !rel && !rel2 &&
				 ev == ATOMIC_LOAD(&e->import_events);
		bool busy_maybe = held || held2 || inflight || inflight2 ||
				  ev != ATOMIC_LOAD(&e->import_events);

		if (busy_maybe)
			secbuf_errset_add(&ok, EBUSY);
		if (!busy_sure)
			secbuf_errset_add(&ok, 0);
	}
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);
	fz_assert_in(ret, &ok, "SEAL (imports %d..%d)", held, held2);
	if (!ret) {
		fz_assert(now == (e->seals | seals), "seals now %#x\n", now);
		ATOMIC_STORE(&e->seals, now);
	}
	ATOMIC_STORE(&e->seals_pending, 0);
	count(!ret);
}

/* Another buffer of this worker, to import a fence into. */
static struct rec *other_rec(struct rec *r)
{
	for (int i = 0; i < RECS; i++) {
		struct rec *o = &cur->recs[i];

		if (o->used && o->ent != r->ent)
			return o;
	}
	return NULL;
}

static void op_window(void)
{
	struct rec *r = rec_pick(want_mine);
	bool strict = secbuf_rng_chance(&cur->rng, 50);
	bool fence = secbuf_rng_chance(&cur->rng, 60);
	bool revoke = secbuf_rng_chance(&cur->rng, 10);
	uint32_t policy = strict ? SECBUF_DMA_STRICT : SECBUF_DMA_WAIT;
	struct secbuf_errset ok = {};
	struct secbuf_query q;
	int fence_fd = -1, ret;
	uint64_t t0;
	struct entry *e;

	if (!r)
		return;
	e = E(r);
	set_ctx("DMA window %s%s%s on buffer %" PRIu64 " grant %" PRIu64
		" (seals %#x%s)", strict ? "STRICT" : "WAIT",
		fence ? " +fence" : "", revoke ? " +revoke" : "", r->id,
		r->grant_id, e->seals, e->revoke_done ? ", revoked" : "");

	if (secbuf_rng_chance(&cur->rng, 10)) {
		ret = __secbuf_dma_end(cur->pool_fd, r->fd);
		fz_assert(ret == (e->revoke_done ? -ENODEV : -ENOENT),
			  "DMA_END without a window: %s\n",
			  secbuf_errname(ret));
	}
	if (e->revoke_done)
		secbuf_errset_add(&ok, ENODEV);
	if (e->seals & SECBUF_SEAL_WRITE)
		secbuf_errset_add(&ok, EPERM);
	if (secbuf_errset_empty(&ok))
		secbuf_errset_add(&ok, 0);
	if (strict)
		ATOMIC_ADD(&e->strict_begun, 1);
	ATOMIC_ADD(&e->win_begun, 1);
	t0 = secbuf_now_ms();
	ret = __secbuf_dma_begin(cur->pool_fd, r->fd,
				 policy | (fence ? SECBUF_DMA_FENCE_FD : 0),
				 &fence_fd);
	fz_assert_in(ret, &ok, "DMA_BEGIN");
	count(!ret);
	if (ret) {
		if (strict)
			ATOMIC_ADD(&e->strict_ended, 1);
		ATOMIC_ADD(&e->win_ended, 1);
		return;
	}
	secbuf_query(cur->pool_fd, r->fd, &q);
	fz_assert(q.state == SECBUF_STATE_DMA, "QUERY in a window: state %u\n",
		  q.state);
	if (secbuf_rng_chance(&cur->rng, 20)) {
		ret = __secbuf_dma_begin(cur->pool_fd, r->fd, SECBUF_DMA_WAIT,
					 NULL);
		fz_assert(ret == -EBUSY, "second DMA_BEGIN: %s\n",
			  secbuf_errname(ret));
	}
	if (fence) {
		struct rec *o = other_rec(r);

		fz_assert(sync_fence_status(fence_fd) == 0,
			  "window fence not pending\n");
		fz_assert(fcntl(fence_fd, F_GETFD) & FD_CLOEXEC,
			  "window fence without O_CLOEXEC\n");
		/* Another buffer now waits for this window too. */
		if (o && secbuf_rng_chance(&cur->rng, 30)) {
			ret = __secbuf_dmabuf_import_sync_file(o->fd,
							DMA_BUF_SYNC_READ,
							fence_fd);
			fz_assert(ret == 0, "IMPORT_SYNC_FILE of the window's "
				  "fence: %s\n", secbuf_errname(ret));
		}
	}
	if (strict && r->map && (r->map_prot & PROT_READ) &&
	    secbuf_rng_chance(&cur->rng, 50))
		fz_assert(touch(r, false, true), "no SIGBUS in a STRICT window\n");
	sleep_us((unsigned int)secbuf_rng_below(&cur->rng, 3000));

	if (revoke && !(e->seals & SECBUF_SEAL_REVOKE)) {
		uint64_t quarantined;

		ATOMIC_STORE(&e->revoke_begun, 1);
		ret = __secbuf_revoke(cur->pool_fd, r->fd, 0, &quarantined);
		fz_assert(ret == 0, "REVOKE in the window: %s\n",
			  secbuf_errname(ret));
		ATOMIC_STORE(&e->revoke_done, 1);
		ret = __secbuf_dma_end(cur->pool_fd, r->fd);
		fz_assert(ret == -ENODEV, "DMA_END after REVOKE: %s\n",
			  secbuf_errname(ret));
		if (fence)
			fz_assert(sync_fence_status(fence_fd) == -ECANCELED,
				  "window fence after REVOKE: %d\n",
				  sync_fence_status(fence_fd));
	} else {
		ret = __secbuf_dma_end(cur->pool_fd, r->fd);
		if (ret == -ETIMEDOUT && secbuf_now_ms() - t0 >=
		    secbuf_param_get("dma_window_timeout_ms"))
			ret = 0;
		fz_assert(ret == 0, "DMA_END: %s\n", secbuf_errname(ret));
		if (fence) {
			fz_assert(sync_fence_wait(fence_fd, 5000) == 0,
				  "window fence not signaled\n");
			fz_assert(sync_fence_status(fence_fd) == 1,
				  "window fence status %d\n",
				  sync_fence_status(fence_fd));
		}
	}
	if (strict)
		ATOMIC_ADD(&e->strict_ended, 1);
	ATOMIC_ADD(&e->win_ended, 1);
	if (fence)
		close(fence_fd);
}

static void op_sync(void)
{
	static const uint64_t dirs[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	struct rec *r = rec_pick(NULL);
	struct secbuf_errset ok = {};
	struct state before, after;
	uint64_t dir;
	int ret;

	if (!r)
		return;
	dir = dirs[secbuf_rng_below(&cur->rng, 3)];
	set_ctx("DMA_BUF_IOCTL_SYNC %#" PRIx64 " of buffer %" PRIu64
		" grant %" PRIu64, dir, r->id, r->grant_id);
	if (secbuf_rng_chance(&cur->rng, 5)) {
		ret = __secbuf_dmabuf_sync(r->fd, dir | (1ULL << 7));
		fz_assert(ret == -EINVAL, "SYNC with an invalid flag: %s\n",
			  secbuf_errname(ret));
	}
	before = state_of(r, false);
	ret = __secbuf_dmabuf_sync(r->fd, DMA_BUF_SYNC_START | dir);
	after = state_of(r, true);
	secbuf_errset_add(&ok, before.revoked ? ENODEV : 0);
	if (after.revoked)
		secbuf_errset_add(&ok, ENODEV);
	fz_assert_in(ret, &ok, "SYNC_START");
	ret = __secbuf_dmabuf_sync(r->fd, DMA_BUF_SYNC_END | dir);
	secbuf_errset_add(&ok, 0);
	fz_assert_in(ret, &ok, "SYNC_END");
	count(!ret);
}

/* EXPORT_SYNC_FILE from one handle, IMPORT_SYNC_FILE into another buffer. */
static void op_sync_file(void)
{
	struct rec *r = rec_pick(NULL), *o;
	uint32_t flags;
	int sync = -1, ret;

	if (!r)
		return;
	flags = secbuf_rng_chance(&cur->rng, 50) ? DMA_BUF_SYNC_READ :
						   DMA_BUF_SYNC_WRITE;
	set_ctx("EXPORT_SYNC_FILE %#x of buffer %" PRIu64 " grant %" PRIu64,
		flags, r->id, r->grant_id);
	ret = __secbuf_dmabuf_export_sync_file(r->fd, flags, &sync);
	fz_assert(ret == 0, "EXPORT_SYNC_FILE: %s\n", secbuf_errname(ret));
	fz_assert(fcntl(sync, F_GETFD) & FD_CLOEXEC, "sync_file not O_CLOEXEC\n");
	/* Fences come and go only within other operations: all end soon. */
	ret = sync_fence_wait(sync, 20000);
	fz_assert(ret == 0, "exported fence still pending after 20 s\n");
	o = other_rec(r);
	if (o) {
		ret = __secbuf_dmabuf_import_sync_file(o->fd, flags, sync);
		fz_assert(ret == 0, "IMPORT_SYNC_FILE into buffer %" PRIu64
			  ": %s\n", o->id, secbuf_errname(ret));
	}
	close(sync);
	count(true);
}

static void op_import(void)
{
	struct rec *r = rec_pick(NULL);
	struct secbuf_errset ok = {};
	struct state before, after;
	uint32_t handle = 0;
	struct entry *e;
	int ret;

	if (!r || r->gem || ino_imported(r->ino))
		return;
	e = E(r);
	set_ctx("vgem import of buffer %" PRIu64 " grant %" PRIu64
		" rights %#x%s", r->id, r->grant_id, r->rights,
		r->bound ? " bound" : "");
	ATOMIC_ADD(&e->imports_inflight, 1);
	ATOMIC_ADD(&e->import_events, 1);
	before = state_of(r, false);
	ret = __secbuf_prime_fd_to_handle(cur->vgem_fd, r->fd, &handle);
	after = state_of(r, true);
	if (!ret)
		ATOMIC_ADD(&e->imports, 1);
	ATOMIC_ADD(&e->imports_inflight, -1);

	if (!(r->rights & SECBUF_GRANT_DMA) ||
	    (r->bound && r->bound != getpid())) {
		secbuf_errset_add(&ok, EACCES);
	} else if (!secbuf_vgem_import_maps()) {
		/* 7.x: vgem only attaches, neither WRITE nor seals matter. */
		secbuf_errset_add(&ok, before.revoked ? ENODEV : 0);
		if (after.revoked)
			secbuf_errset_add(&ok, ENODEV);
	} else if (!(r->rights & SECBUF_GRANT_WRITE)) {
		/* vgem maps for device writes too: that needs WRITE. */
		secbuf_errset_add(&ok, before.revoked ? ENODEV : EACCES);
		if (after.revoked)
			secbuf_errset_add(&ok, ENODEV);
	} else {
		secbuf_errset_add(&ok, before.revoked ? ENODEV :
				  before.wsealed ? EPERM : 0);
		if (after.revoked)
			secbuf_errset_add(&ok, ENODEV);
		else if (after.wsealed)
			secbuf_errset_add(&ok, EPERM);
	}
	fz_assert_in(ret, &ok, "PRIME_FD_TO_HANDLE");
	count(!ret);
	if (ret)
		return;
	r->gem = handle;

	/* A vgem fence on it, seen by EXPORT_SYNC_FILE, then signaled. */
	if (secbuf_rng_chance(&cur->rng, 40)) {
		bool wfence = secbuf_rng_chance(&cur->rng, 50);
		uint32_t fence;
		int sync = -1;

		ret = __secbuf_vgem_fence_attach(cur->vgem_fd, handle,
					  wfence ? VGEM_FENCE_WRITE : 0,
					  &fence);
		/* vgem refuses while a conflicting fence is pending. */
		fz_assert(ret == 0 || ret == -EBUSY, "VGEM_FENCE_ATTACH: %s\n",
			  secbuf_errname(ret));
		if (ret)
			return;
		ret = __secbuf_dmabuf_export_sync_file(r->fd, wfence ?
						DMA_BUF_SYNC_READ :
						DMA_BUF_SYNC_WRITE, &sync);
		fz_assert(ret == 0, "EXPORT_SYNC_FILE: %s\n",
			  secbuf_errname(ret));
		fz_assert(sync_fence_status(sync) == 0,
			  "vgem fence exported as signaled\n");
		sleep_us((unsigned int)secbuf_rng_below(&cur->rng, 2000));
		ret = __vgem_fence_signal(cur->vgem_fd, fence);
		fz_assert(ret == 0, "VGEM_FENCE_SIGNAL: %s\n",
			  secbuf_errname(ret));
		fz_assert(sync_fence_wait(sync, 5000) == 0 &&
			  sync_fence_status(sync) == 1,
			  "vgem fence not signaled in the sync_file\n");
		close(sync);
	}
}

static void op_unimport(void)
{
	struct rec *r = rec_pick(want_imported);

	if (!r)
		return;
	set_ctx("gem close of buffer %" PRIu64, r->id);
	rec_unimport(r);
	count(true);
}

static void op_close(void)
{
	struct rec *r = rec_pick(NULL);

	if (!r)
		return;
	set_ctx("close of buffer %" PRIu64 " grant %" PRIu64, r->id,
		r->grant_id);
	rec_close(r);
	count(true);
}

static void op_dup(void)
{
	struct rec *r = rec_pick(NULL), *nr = rec_free_slot();
	int fd;

	if (!r || !nr)
		return;
	set_ctx("dup of buffer %" PRIu64 " grant %" PRIu64, r->id,
		r->grant_id);
	fd = secbuf_rng_chance(&cur->rng, 50) ? dup(r->fd) :
	     fcntl(r->fd, F_DUPFD_CLOEXEC, 100);
	fz_assert(fd >= 0, "dup: %s\n", strerror(errno));
	fz_assert(fd_inode(fd) == r->ino, "dup is another file\n");
	*nr = *r;
	nr->fd = fd;
	nr->map = NULL;
	nr->gem = 0;
	count(true);
}

/* What travels with an fd. */
struct msg {
	int32_t ent;
	int32_t from;
	uint64_t grant_id;
	uint32_t rights;
	int32_t bound;
	int32_t writable_fd;
};

static int send_fd(int to, int fd, const struct msg *m)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(socks[to][0], &mh, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)sizeof(*m))
		return 0;
	return -errno;
}

static void op_send(void)
{
	struct rec *r = rec_pick(NULL);
	struct msg m;
	int to, ret;

	if (!r)
		return;
	to = (int)secbuf_rng_below(&cur->rng, sh->nworkers);
	m = (struct msg) {
		.ent = r->ent, .from = cur->gidx, .grant_id = r->grant_id,
		.rights = r->rights, .bound = r->bound,
		.writable_fd = r->writable_fd,
	};
	set_ctx("send buffer %" PRIu64 " grant %" PRIu64 " to worker %d",
		r->id, r->grant_id, to);
	ret = send_fd(to, r->fd, &m);
	fz_assert(ret == 0 || ret == -EAGAIN, "sendmsg: %s\n",
		  secbuf_errname(ret));
	/* Mostly a hand-over: the sender lets go. */
	if (!ret && secbuf_rng_chance(&cur->rng, 50))
		rec_close(r);
	count(!ret);
}

/* Take what came in; @keep false: close it. */
static void receive(bool keep)
{
	for (int n = 0; n < 8; n++) {
		char control[CMSG_SPACE(sizeof(int))] = { 0 };
		struct msg m;
		struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control,
			.msg_controllen = sizeof(control),
		};
		struct cmsghdr *cmsg;
		struct entry *e;
		struct rec *r;
		bool mine;
		int fd = -1;
		ssize_t len;

		len = recvmsg(socks[cur->gidx][1], &mh,
			      MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (len < 0 && errno == EAGAIN)
			return;
		fz_assert(len == (ssize_t)sizeof(m), "recvmsg: %zd %s\n", len,
			  strerror(errno));
		cmsg = CMSG_FIRSTHDR(&mh);
		fz_assert(cmsg && cmsg->cmsg_type == SCM_RIGHTS,
			  "a message without its fd\n");
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
		r = rec_free_slot();
		if (!keep || !r) {
			close(fd);
			continue;
		}
		e = &sh->entries[m.ent];
		/* Owned by this worker's current pool file? */
		mine = e->owner == cur->gidx && e->owner_gen == cur->pool_gen;
		rec_init(r, fd, m.ent, m.grant_id, m.rights, mine,
			 m.writable_fd, m.bound);
	}
}

/* ---- Processes -------------------------------------------------------------- */

static sigjmp_buf child_jmp;
static volatile int child_sig;

static void child_handler(int sig)
{
	child_sig = sig;
	siglongjmp(child_jmp, 1);
}

/* In a forked child: touch one word, 0 worked (value in @v), else the signal. */
static int child_touch(volatile uint64_t *p, uint64_t *v)
{
	struct sigaction sa = { .sa_handler = child_handler,
				.sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	child_sig = 0;
	if (sigsetjmp(child_jmp, 1))
		return child_sig;
	*v = *p;
	return 0;
}

#define FORK_PROBES 6
struct fork_result {
	int idx[FORK_PROBES];
	uint32_t strict_ended[FORK_PROBES];
	struct state before[FORK_PROBES];
	int sig[FORK_PROBES];
	uint64_t val[FORK_PROBES];
	int mmap_ret[FORK_PROBES];
};

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		igt_assert(errno == EINTR);
	return status;
}

/*
 * Fork: the child reads the mappings it inherited and mmaps the handles
 * (a bound grant belongs to this process only: not inherited, EACCES);
 * then, with a pidfd of the zombie, GRANT ... SECBUF_GRANT_PIDFD is ESRCH.
 */
static void op_fork(void)
{
	struct fork_result *res = secbuf_shared_alloc(sizeof(*res));
	struct rec *owner = rec_pick(want_mine);
	int n = 0, pidfd, status;
	pid_t pid;

	for (int i = 0; i < RECS && n < FORK_PROBES; i++)
		if (cur->recs[i].used) {
			res->strict_ended[n] =
				ATOMIC_LOAD(&E(&cur->recs[i])->strict_ended);
			res->before[n] = state_of(&cur->recs[i], false);
			res->idx[n++] = i;
		}
	set_ctx("fork, %d handles", n);
	pthread_rwlock_rdlock(&fork_lock);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		for (int k = 0; k < n; k++) {
			struct rec *r = &cur->recs[res->idx[k]];
			void *p;

			res->sig[k] = -1;
			if (r->map && (r->map_prot & PROT_READ))
				res->sig[k] = child_touch((volatile uint64_t *)
							  r->map, &res->val[k]);
			p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, r->fd, 0);
			res->mmap_ret[k] = p == MAP_FAILED ? -errno : 0;
			if (p != MAP_FAILED)
				munmap(p, PAGE);
		}
		_exit(0);
	}
	pidfd = secbuf_pidfd_open(pid);
	{
		siginfo_t si = { 0 };

		igt_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	}
	if (owner) {
		struct secbuf_grant arg = {
			.buf_fd = (uint32_t)owner->fd,
			.rights = SECBUF_GRANT_READ,
			.flags = SECBUF_GRANT_PIDFD,
			.pidfd = (uint32_t)pidfd,
		};
		struct secbuf_errset ok = {};
		struct state before = state_of(owner, false);
		int ret;

		ATOMIC_ADD(&E(owner)->gstarted, 1);
		ret = __secbuf_grant_full(cur->pool_fd, &arg);
		secbuf_errset_add(&ok, ESRCH);
		if (owner->bound || !(owner->rights & SECBUF_GRANT_READ))
			secbuf_errset_add(&ok, EPERM);
		if (before.revoked)
			secbuf_errset_add(&ok, ENODEV);
		if (before.seals & SECBUF_SEAL_GRANT)
			secbuf_errset_add(&ok, EPERM);
		fz_assert_in(ret, &ok, "GRANT bound to a zombie, buffer %"
			     PRIu64, owner->id);
		if (!ret)
			close((int)arg.fd);
	}
	close(pidfd);
	status = wait_child(pid);
	pthread_rwlock_unlock(&fork_lock);
	fz_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "forked child: status %#x\n", status);

	for (int k = 0; k < n; k++) {
		struct rec *r = &cur->recs[res->idx[k]];
		struct state after = state_of(r, true);
		struct secbuf_errset ok = {};

		if (res->sig[k] >= 0) {
			uint64_t expect = E(r)->filled ?
				pattern(r->id, r->map_off / 8) : 0;

			if (r->bound)
				fz_assert(res->sig[k] == SIGSEGV,
					  "child: bound grant %" PRIu64
					  " of buffer %" PRIu64 " inherited "
					  "(signal %d)\n", r->grant_id, r->id,
					  res->sig[k]);
			else if (res->sig[k] == SIGBUS)
				fz_assert(after.revoked ||
					  ATOMIC_LOAD(&E(r)->strict_begun) >
					  res->strict_ended[k],
					  "child: SIGBUS on buffer %" PRIu64
					  " grant %" PRIu64 "\n", r->id,
					  r->grant_id);
			else
				fz_assert(res->sig[k] == 0 &&
					  !res->before[k].revoked &&
					  res->val[k] == expect,
					  "child: read of buffer %" PRIu64
					  ": signal %d value %#" PRIx64
					  ", expected %#" PRIx64 "%s\n", r->id,
					  res->sig[k], res->val[k], expect,
					  res->before[k].revoked ? " (revoked "
					  "before the fork: SIGBUS due)" : "");
		}
		if (r->bound) {
			secbuf_errset_add(&ok, EACCES);
		} else {
			mmap_outcomes(r, PROT_READ, res->before[k], &ok);
			mmap_outcomes(r, PROT_READ, after, &ok);
		}
		fz_assert_in(res->mmap_ret[k], &ok, "child: mmap of buffer %"
			     PRIu64 " grant %" PRIu64, r->id, r->grant_id);
	}
	secbuf_shared_free(res, sizeof(*res));
	count(true);
}

/*
 * A child process owns a buffer, hands it to a worker and exits: its pool
 * file goes, and the buffer is revoked, unless sealed with SEAL_REVOKE.
 */
static void op_child_owner(void)
{
	bool seal = secbuf_rng_chance(&cur->rng, 30);
	uint64_t size = (1 + secbuf_rng_below(&cur->rng, 8)) * PAGE;
	int to = (int)secbuf_rng_below(&cur->rng, sh->nworkers);
	int ent = entry_new(), status;
	struct entry *e;
	char path[128];
	pid_t pid;

	if (ent < 0)
		return;
	e = &sh->entries[ent];
	e->owner = -1;
	snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool);
	set_ctx("child owner of %" PRIu64 " bytes%s, to worker %d", size,
		seal ? " sealed REVOKE" : "", to);
	pthread_rwlock_rdlock(&fork_lock);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		struct secbuf_alloc arg = { .size = size,
					    .fd_flags = O_RDWR | O_CLOEXEC };
		struct msg m = { .ent = ent, .from = -1,
				 .rights = SECBUF_GRANT_VALID_RIGHTS,
				 .writable_fd = 1 };
		uint32_t now;
		char *map;
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			_exit(10);
		if (__secbuf_alloc_full(fd, &arg)) {
			/* The pool is full: nothing to hand over. */
			ATOMIC_STORE(&e->revoke_begun, 1);
			_exit(0);
		}
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   (int)arg.fd, 0);
		if (map == MAP_FAILED)
			_exit(11);
		fill(map, size, arg.id);
		e->id = arg.id;
		e->size = size;
		e->filled = 1;
		if (seal) {
			if (__secbuf_seal(fd, (int)arg.fd, SECBUF_SEAL_REVOKE,
					  &now))
				_exit(12);
			e->seals = now;
		}
		/* A full socket drops it: the buffer goes with us. */
		send_fd(to, (int)arg.fd, &m);
		if (!seal)
			ATOMIC_STORE(&e->revoke_begun, 1);
		_exit(0);
	}
	status = wait_child(pid);
	pthread_rwlock_unlock(&fork_lock);
	/* Its pool file is closed by the time it is reaped. */
	if (!seal)
		ATOMIC_STORE(&e->revoke_done, 1);
	fz_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "owner child: status %#x\n", status);
	count(true);
}

static void op_not_owner(void)
{
	static const char *const names[] = {
		"REVOKE", "SEAL", "DMA_BEGIN", "DMA_END", "GRANT_LIST",
	};
	struct rec *r = rec_pick(want_not_mine);
	struct secbuf_grant_list list = { 0 };
	struct secbuf_errset ok = {};
	struct state before, after;
	unsigned int which;
	uint64_t q = 0;
	uint32_t now = 0;
	int ret;

	if (!r)
		return;
	which = (unsigned int)secbuf_rng_below(&cur->rng, ARRAY_SIZE(names));
	set_ctx("%s of buffer %" PRIu64 " grant %" PRIu64 " by a non-owner",
		names[which], r->id, r->grant_id);
	before = state_of(r, false);
	switch (which) {
	case 0:
		ret = __secbuf_revoke(cur->pool_fd, r->fd, 0, &q);
		break;
	case 1:
		ret = __secbuf_seal(cur->pool_fd, r->fd, SECBUF_SEAL_GRANT, &now);
		break;
	case 2:
		ret = __secbuf_dma_begin(cur->pool_fd, r->fd, SECBUF_DMA_STRICT,
					 NULL);
		break;
	case 3:
		ret = __secbuf_dma_end(cur->pool_fd, r->fd);
		break;
	default:
		list.buf_fd = (uint32_t)r->fd;
		ret = __secbuf_grant_list(cur->pool_fd, &list);
		break;
	}
	after = state_of(r, true);
	secbuf_errset_add(&ok, EPERM);
	/*
	 * SEAL, DMA_BEGIN and DMA_END list ENODEV for a revoked buffer
	 * next to EPERM, with no precedence; REVOKE and GRANT_LIST do not.
	 */
	if ((which >= 1 && which <= 3) &&
	    (before.buf_revoked || after.buf_revoked))
		secbuf_errset_add(&ok, ENODEV);
	fz_assert_in(ret, &ok, "%s", names[which]);
	count(false);
}

/* Close the pool file (revokes what it owns) and open a new one. */
static void op_reopen(void)
{
	set_ctx("close and reopen the pool file");
	for (int s = 0; s < cur->nowned; s++) {
		struct entry *e;

		if (cur->owned[s] < 0)
			continue;
		e = &sh->entries[cur->owned[s]];
		if (!(e->seals & SECBUF_SEAL_REVOKE))
			ATOMIC_STORE(&e->revoke_begun, 1);
	}
	/* No forked child may hold the file open meanwhile. */
	pthread_rwlock_wrlock(&fork_lock);
	igt_assert_eq(close(cur->pool_fd), 0);
	cur->pool_fd = fz_open(false);
	cur->pool_gen++;
	pthread_rwlock_unlock(&fork_lock);
	for (int s = 0; s < cur->nowned; s++) {
		struct entry *e;

		if (cur->owned[s] < 0)
			continue;
		e = &sh->entries[cur->owned[s]];
		if (!(e->seals & SECBUF_SEAL_REVOKE))
			ATOMIC_STORE(&e->revoke_done, 1);
		e->owner = -1;
	}
	cur->nowned = 0;
	for (int i = 0; i < RECS; i++)
		cur->recs[i].mine = false;
	count(true);
}

static void op_unload(void)
{
	int ret;

	set_ctx("module unload");
	ret = __secbuf_module_unload();
	fz_assert(ret == -EWOULDBLOCK || ret == -EBUSY,
		  "unload while pool files are open: %s\n",
		  secbuf_errname(ret));
	fz_assert(secbuf_module_is_loaded(), "secbuf is gone\n");
	count(false);
}

/* Forget owned slots whose buffer is gone from this worker's view. */
static void owned_gc(void)
{
	int n = 0;

	/* A revoked buffer no longer counts for its pool file, once free. */
	for (int s = 0; s < cur->nowned; s++)
		if (owned_charged(&sh->entries[cur->owned[s]]))
			cur->owned[n++] = cur->owned[s];
	cur->nowned = n;
}

static void run_op(enum op op)
{
	cur->op = op;
	cur->ctx[0] = '\0';
	switch (op) {
	case OP_ALLOC: op_alloc(false); break;
	case OP_HEAP_ALLOC: op_alloc(true); break;
	case OP_POOL_INFO: op_pool_info(); break;
	case OP_MMAP: op_mmap(); break;
	case OP_TOUCH: op_touch(); break;
	case OP_MUNMAP: op_munmap(); break;
	case OP_MREMAP: op_mremap(); break;
	case OP_MPROTECT: op_mprotect(); break;
	case OP_GRANT: op_grant(false); break;
	case OP_REGRANT: op_grant(true); break;
	case OP_REVOKE: op_revoke(false); break;
	case OP_REVOKE_GRANT: op_revoke(true); break;
	case OP_GRANT_LIST: op_grant_list(); break;
	case OP_QUERY: op_query(); break;
	case OP_SEAL: op_seal(); break;
	case OP_WINDOW: op_window(); break;
	case OP_SYNC: op_sync(); break;
	case OP_SYNC_FILE: op_sync_file(); break;
	case OP_IMPORT: op_import(); break;
	case OP_UNIMPORT: op_unimport(); break;
	case OP_CLOSE: op_close(); break;
	case OP_DUP: op_dup(); break;
	case OP_SEND: op_send(); break;
	case OP_FORK: op_fork(); break;
	case OP_CHILD_OWNER: op_child_owner(); break;
	case OP_NOT_OWNER: op_not_owner(); break;
	case OP_REOPEN: op_reopen(); break;
	case OP_UNLOAD: op_unload(); break;
	case NR_OPS: break;
	}
}

static void wait_for(int *counter, int n)
{
	uint64_t deadline = secbuf_now_ms() + 120000;

	while (ATOMIC_LOAD(counter) < n) {
		igt_assert_f(secbuf_now_ms() < deadline && !ATOMIC_LOAD(&sh->failed),
			     "seed %" PRIu64 ": the other workers did not "
			     "finish (%d of %d)\n", sh->seed,
			     ATOMIC_LOAD(counter), n);
		sleep_us(1000);
	}
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	cur = w;
	w->pool_fd = fz_open(false);
	w->heap_fd = -1;
	w->vgem_fd = __secbuf_open_vgem();
	igt_assert_f(w->vgem_fd >= 0, "no vgem device: every lane has one\n");
	w->nowned = 0;

	for (w->op_idx = 0; w->op_idx < sh->ops_per_worker; w->op_idx++) {
		enum op op = secbuf_rng_weighted(&w->rng, weights, NR_OPS);

		if (sh->nworkers == 1 && op == OP_SEND)
			op = OP_DUP;
		receive(true);
		run_op(op);
		owned_gc();
		if (ATOMIC_LOAD(&sh->failed))
			break;
	}
	cur->op = NR_OPS;
	set_ctx("end of the run");
	/* Nobody touches anything any more: let go of everything. */
	ATOMIC_ADD(&sh->done, 1);
	wait_for(&sh->done, sh->nworkers);
	receive(false);
	for (int i = 0; i < RECS; i++)
		if (w->recs[i].used)
			rec_close(&w->recs[i]);
	ATOMIC_ADD(&sh->drained, 1);
	wait_for(&sh->drained, sh->nworkers);
	receive(false);
	close(w->vgem_fd);
	if (w->heap_fd >= 0)
		close(w->heap_fd);
	close(w->pool_fd);
	return NULL;
}

static void fuzz_process(int proc)
{
	struct worker workers[MAX_THREADS];
	struct sigaction sa = { .sa_sigaction = sigbus_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
	sh->pids[proc] = getpid();
	memset(workers, 0, sizeof(workers));
	for (int t = 0; t < sh->nthreads; t++) {
		struct worker *w = &workers[t];

		w->proc = proc;
		w->thread_idx = t;
		w->gidx = proc * sh->nthreads + t;
		secbuf_rng_init(&w->rng, sh->seed, (uint64_t)w->gidx + 1);
	}
	/* Every pid is known before anyone binds a grant to one. */
	ATOMIC_ADD(&sh->ready, 1);
	wait_for(&sh->ready, sh->nprocs);
	for (int t = 0; t < sh->nthreads; t++)
		igt_assert_eq(pthread_create(&workers[t].thread, NULL,
					     worker_fn, &workers[t]), 0);
	for (int t = 0; t < sh->nthreads; t++)
		igt_assert_eq(pthread_join(workers[t].thread, NULL), 0);
}

static void reload_exit_handler(int sig)
{
	(void)sig;
	if (!secbuf_module_is_loaded() &&
	    secbuf_module_reload(module_params, pool))
		fprintf(stderr, "could not reload %s\n", secbuf_module_path());
}

static void one_seed(uint64_t seed, int nprocs, int nthreads, long ops)
{
	struct secbuf_pool_info info;
	int fds_before = secbuf_count_open_fds(), fd;
	uint64_t total = 0, t0 = secbuf_now_ms();

	igt_info("seed %" PRIu64 " (SECBUF_SEED=%" PRIu64 " to replay; "
		 "SECBUF_FUZZ_SEEDS=1 SECBUF_FUZZ_OPS=%ld SECBUF_FUZZ_PROCS=%d "
		 "SECBUF_FUZZ_THREADS=%d)\n", seed, seed, ops, nprocs, nthreads);
	fd = secbuf_open_pool(pool);
	secbuf_pool_info(fd, &info);
	close(fd);

	sh = secbuf_shared_alloc(sizeof(*sh));
	sh->seed = seed;
	sh->nprocs = nprocs;
	sh->nthreads = nthreads;
	sh->nworkers = nprocs * nthreads;
	sh->ops_per_worker = (unsigned int)((ops + sh->nworkers - 1) /
					    sh->nworkers);
	sh->pool_total = info.total_bytes;
	/* Half the pool between the workers: ENOMEM stays rare. */
	cap_per_worker = info.total_bytes / 2 / (uint64_t)sh->nworkers;
	for (int w = 0; w < sh->nworkers; w++)
		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, socks[w]), 0);

	/* Even one process is a child: its threads may fail asserts. */
	igt_fork(child, nprocs) {
		fuzz_process(child);
	}
	igt_waitchildren();
	for (int w = 0; w < sh->nworkers; w++) {
		close(socks[w][0]);
		close(socks[w][1]);
	}

	igt_info("%-13s %7s %7s\n", "op", "ok", "errno");
	for (int op = 0; op < NR_OPS; op++) {
		igt_info("%-13s %7" PRIu64 " %7" PRIu64 "\n", op_names[op],
			 sh->counts[op][0], sh->counts[op][1]);
		total += sh->counts[op][0] + sh->counts[op][1];
	}
	igt_info("seed %" PRIu64 ": %" PRIu64 " operations, %d buffers, "
		 "%.1f s\n", seed, total, ATOMIC_LOAD(&sh->nentries),
		 (secbuf_now_ms() - t0) / 1000.0);
	igt_assert_f(sh->counts[OP_ALLOC][0] > 0,
		     "seed %" PRIu64 ": nothing was allocated\n", seed);

	/* Invariants: every fd closed, the pool empty, the module unloads. */
	igt_assert_f(secbuf_count_open_fds() == fds_before,
		     "seed %" PRIu64 ": %d fds open, %d before\n", seed,
		     secbuf_count_open_fds(), fds_before);
	fd = secbuf_open_pool(pool);
	secbuf_pool_info(fd, &info);
	close(fd);
	igt_assert_f(info.used_bytes == 0 && info.quarantined_bytes == 0 &&
		     info.buffer_count == 0,
		     "seed %" PRIu64 ": pool not empty at the end: used %"
		     PRIu64 ", quarantined %" PRIu64 ", %" PRIu64 " buffers\n",
		     seed, (uint64_t)info.used_bytes,
		     (uint64_t)info.quarantined_bytes,
		     (uint64_t)info.buffer_count);
	secbuf_pool_assert_idle(pool);
	igt_assert_f(__secbuf_module_unload() == 0,
		     "seed %" PRIu64 ": unload refused with everything closed\n",
		     seed);
	igt_assert(!secbuf_module_is_loaded());
	igt_assert_eq(secbuf_module_reload(module_params, pool), 0);
	secbuf_pool_assert_idle(pool);
	secbuf_shared_free(sh, sizeof(*sh));
	sh = NULL;
}

static void fuzz(int def_procs, int def_threads, long def_ops)
{
	long seeds, ops = secbuf_env_long("SECBUF_FUZZ_OPS", def_ops);
	int nprocs = (int)secbuf_env_long("SECBUF_FUZZ_PROCS", def_procs);
	int nthreads = (int)secbuf_env_long("SECBUF_FUZZ_THREADS", def_threads);
	uint64_t base = secbuf_stress_seed();

	/* SECBUF_SEED alone replays that one seed. */
	seeds = secbuf_env_long("SECBUF_FUZZ_SEEDS",
				getenv("SECBUF_SEED") ? 1 : 3);
	igt_assert_f(nprocs >= 1 && nprocs <= MAX_PROCS && nthreads >= 1 &&
		     nthreads <= MAX_THREADS && ops > 0 && seeds > 0,
		     "SECBUF_FUZZ_PROCS 1..%d, SECBUF_FUZZ_THREADS 1..%d, "
		     "SECBUF_FUZZ_OPS and SECBUF_FUZZ_SEEDS > 0\n", MAX_PROCS,
		     MAX_THREADS);
	igt_info("%ld seeds x %ld operations, %d processes x %d threads, "
		 "pool %s\n", seeds, ops, nprocs, nthreads, pool);
	for (long i = 0; i < seeds; i++)
		one_seed(base + (uint64_t)i, nprocs, nthreads, ops);
}

igt_main
{
	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		close(fd);
		secbuf_pool_assert_idle(pool);
		igt_require_f(geteuid() == 0, "needs CAP_SYS_MODULE\n");
		igt_require_f(secbuf_module_is_loaded(),
			      "secbuf is not a loaded module\n");
		igt_require_f(access(secbuf_module_path(), R_OK) == 0,
			      "no %s to load the module again from (set "
			      "SECBUF_KO)\n", secbuf_module_path());
		secbuf_module_params(module_params, sizeof(module_params));
		igt_install_exit_handler(reload_exit_handler);
	}

	igt_describe("One thread of one process: a seeded sequence of every "
		     "operation, whose results the model knows exactly; the "
		     "pool empty and the module unloading after each seed. "
		     "Its vgem import differs by kernel: before 7.0 it maps "
		     "the buffer (EACCES without WRITE, EPERM when "
		     "write-sealed, SEAL_WRITE EBUSY while it lives); on 7.x "
		     "it only attaches and none of these apply.");
	igt_subtest("sequential")
		fuzz(1, 1, 2000);

	igt_describe("SECBUF_FUZZ_PROCS processes x SECBUF_FUZZ_THREADS threads "
		     "(2 x 2) share SECBUF_FUZZ_OPS operations per seed: fds "
		     "passed between all of them, owners revoking, sealing and "
		     "opening windows while holders map, touch, import and "
		     "regrant; every result within what the docs allow for "
		     "the states during the call. vgem's import maps before "
		     "7.0 and only attaches on 7.x, as in sequential.");
	igt_subtest("concurrent")
		fuzz(2, 2, 3000);
}
