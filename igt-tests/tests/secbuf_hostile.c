// SPDX-License-Identifier: MIT
/*
 * secbuf_hostile: what a hostile or confused caller can throw at secbuf.
 *
 * random-args-*: for each secbuf ioctl, a bounded number of seeded rounds
 * (SECBUF_HOSTILE_ROUNDS, default 200) of argument structs that start
 * valid and get one, two or all fields replaced by edge values (0, 1, the
 * top bit, all ones, a flipped bit, random), a struct size that is the
 * current one, an older version, too short, or longer with a zero or a
 * nonzero tail, and a pointer that is valid, read-only, NULL, PROT_NONE,
 * running into unmapped memory or a kernel address. The buffer named
 * comes from a zoo of file descriptors: live, revoked, in a DMA window,
 * imported by vgem (a device writer that makes SEAL_WRITE EBUSY before
 * 7.0; on 7.x vgem's import only attaches, see igt_secbuf_vgem.h), fully sealed buffers of this pool file and their
 * grants (live and revoked); the owner's handle and grants of a buffer
 * another pool file owns (a grant where the owner is needed); a dma-heap
 * buffer; a buffer of the second pool; vgem's own dma-buf, a sync_file, a
 * pidfd, /dev/null, the pool file itself; a closed fd, -1, INT_MAX.
 *
 * Each result is checked against include/uapi/linux/secbuf.h: the test
 * computes the set of errnos whose documented condition holds (the table
 * gives no precedence between conditions) and the result must be one of
 * them, or 0 when none holds; never "any error". Undocumented but
 * unavoidable: EFAULT for an argument that cannot be read, or written back
 * on success (ALLOC, POOL_INFO and GRANT_LIST list it; the others do not).
 * A failed call leaves no fd and no pool usage; a successful one returns
 * what it says (fd flags, sizes, ids, states).
 *
 * mmap-edges: offsets, lengths, protections and flags at the edges of the
 * buffer, of the page and of the address space, checked against mmap(2),
 * the dma-buf core and secbuf's own rules.
 *
 * wrong-fd-udmabuf (lane feature "udmabuf"): udmabuf's dma-buf in every
 * ioctl that takes a buffer: EINVAL.
 *
 * unprivileged-*: uid 1000 (setresuid after fork; no passwd entry
 * needed). Device mode 0600 denies open (EACCES); fds passed to it still
 * obey every owner check; the random rounds again as that user.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "igt_stress.h"
#include "igt_vgem.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Random and edge-case arguments, struct sizes, pointers "
		     "and wrong fds for every secbuf ioctl and for mmap, each "
		     "errno checked against the uapi table; unprivileged "
		     "users.");

#define RW		(SECBUF_GRANT_READ | SECBUF_GRANT_WRITE)
#define ALL_RIGHTS	SECBUF_GRANT_VALID_RIGHTS
#define ALL_SEALS	SECBUF_SEAL_VALID_SEALS
#define UNPRIV_UID	1000

static const char *pool;

/* ---- The zoo of file descriptors ------------------------------------------ */

enum kind {
	K_OWN,			/* a live buffer this pool file owns */
	K_OWN_GRANT,		/* its grant: RW, DMA, REGRANT */
	K_OWN_REVOKED,
	K_OWN_GRANT_REVOKED,	/* the grant revoked, the buffer live */
	K_OWN_WINDOW,		/* a DMA window open */
	K_OWN_IMPORTED,		/* a vgem import: a device mapping before 7.0 */
	K_OWN_SEALED,		/* every seal */
	K_FOREIGN,		/* the owner's handle; another file owns it */
	K_FOREIGN_REGRANT,	/* a grant of it with REGRANT */
	K_FOREIGN_GRANT,	/* a grant of it, RW */
	K_HEAP,			/* from /dev/dma_heap: no managing owner */
	K_OTHER_POOL,		/* a buffer of the second pool */
	K_VGEM,			/* vgem's own dma-buf */
	K_UDMABUF,		/* udmabuf's */
	K_SYNCFILE,
	K_PIDFD,
	K_DEVNULL,
	K_POOLFILE,
	K_CLOSED,
	K_NEG1,
	K_INTMAX,
	NR_KINDS
};

static const char *const kind_names[NR_KINDS] = {
	"own", "own-grant", "own-revoked", "own-grant-revoked", "own-window",
	"own-imported", "own-sealed", "foreign", "foreign-regrant",
	"foreign-grant", "heap", "other-pool", "vgem", "udmabuf", "sync_file",
	"pidfd", "/dev/null", "pool-file", "closed", "-1", "INT_MAX",
};

struct obj {
	bool present;
	int fd;			/* what goes into buf_fd */
	int owner_fd;		/* the buffer's owner handle (secbuf kinds) */
	int grant_fd;		/* the buffer's grant, or -1 */
	uint32_t gem;
	uint64_t size, id;
	uint64_t gid;		/* the buffer's grant made with it */
	uint64_t handle_gid;	/* grant id of fd; 0 for an owner's handle */
	/* What the uapi table needs. */
	bool secbuf;		/* a secbuf dma-buf of this pool */
	bool owned;		/* by the pool file the calls go through */
	bool is_grant;
	bool revoked;		/* the buffer or this handle */
	bool buf_revoked;
	uint32_t rights, seals;
	bool window, writers;
	bool dirty;		/* a call changed it: make it again */
};

struct world {
	int pool_fd;		/* the pool file the calls go through */
	int other_fd;		/* another pool file of the pool */
	int pool2_fd;		/* a file of the second pool, or -1 */
	int heap_fd;		/* -1 for an unprivileged world */
	int vgem;
	int udmabuf_dev;	/* /dev/udmabuf, or -1 */
	int self_pidfd;
	int exited_pidfd;
	uint64_t max_buffer;
	bool region_known;
	struct obj o[NR_KINDS];
};

static void fill_pattern(int fd, uint64_t size, uint64_t seed)
{
	char *p = secbuf_mmap(fd, size, PROT_READ | PROT_WRITE);

	secbuf_fill(p, size, seed);
	secbuf_munmap(p, size);
}

static int sync_file_fd(int pool_fd)
{
	int buf = secbuf_alloc(pool_fd, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
	int fence = secbuf_dma_begin(pool_fd, buf, SECBUF_DMA_WAIT |
				     SECBUF_DMA_FENCE_FD);

	secbuf_dma_end(pool_fd, buf);
	close(buf);
	return fence;
}

static int udmabuf_create(int dev, uint64_t size)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC,
					 .size = size };
	int memfd = (int)syscall(SYS_memfd_create, "secbuf-hostile",
				 MFD_ALLOW_SEALING);
	int fd;

	igt_assert_fd(memfd);
	igt_assert_eq(ftruncate(memfd, (off_t)size), 0);
	igt_assert_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	create.memfd = (uint32_t)memfd;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	igt_assert_f(fd >= 0, "UDMABUF_CREATE: %s\n", strerror(errno));
	close(memfd);
	return fd;
}

/* A 4 KiB buffer owned by @owner_file with its grant (RW, DMA, REGRANT). */
static void make_buffer(struct obj *o, int owner_file, uint64_t seed)
{
	struct secbuf_query q;

	o->size = SECBUF_SZ_4K;
	o->owner_fd = secbuf_alloc(owner_file, o->size, 0, O_RDWR | O_CLOEXEC);
	fill_pattern(o->owner_fd, o->size, seed);
	o->grant_fd = secbuf_grant(owner_file, o->owner_fd, RW |
				   SECBUF_GRANT_DMA | SECBUF_GRANT_REGRANT,
				   &o->gid);
	secbuf_query(owner_file, o->owner_fd, &q);
	o->id = q.id;
	o->secbuf = true;
	o->rights = ALL_RIGHTS;
}

static void obj_make(struct world *w, enum kind k)
{
	struct obj *o = &w->o[k];
	struct vgem_bo bo;

	memset(o, 0, sizeof(*o));
	o->fd = o->owner_fd = o->grant_fd = -1;
	o->present = true;

	switch (k) {
	case K_OWN:
	case K_OWN_GRANT:
	case K_OWN_REVOKED:
	case K_OWN_GRANT_REVOKED:
	case K_OWN_WINDOW:
	case K_OWN_IMPORTED:
	case K_OWN_SEALED:
		make_buffer(o, w->pool_fd, k);
		o->owned = true;
		o->fd = o->owner_fd;
		if (k == K_OWN_GRANT || k == K_OWN_GRANT_REVOKED) {
			o->fd = o->grant_fd;
			o->handle_gid = o->gid;
			o->is_grant = true;
			o->rights = RW | SECBUF_GRANT_DMA | SECBUF_GRANT_REGRANT;
		}
		if (k == K_OWN_REVOKED) {
			secbuf_revoke(w->pool_fd, o->owner_fd, 0);
			o->revoked = o->buf_revoked = true;
		}
		if (k == K_OWN_GRANT_REVOKED) {
			secbuf_revoke(w->pool_fd, o->owner_fd, o->gid);
			o->revoked = true;
		}
		if (k == K_OWN_WINDOW) {
			secbuf_dma_begin(w->pool_fd, o->owner_fd, SECBUF_DMA_WAIT);
			o->window = true;
		}
		if (k == K_OWN_IMPORTED) {
			o->gem = prime_fd_to_handle(w->vgem, o->owner_fd);
			/* On 7.x vgem only attaches (igt_secbuf_vgem.h). */
			o->writers = secbuf_vgem_import_maps();
		}
		if (k == K_OWN_SEALED) {
			secbuf_seal(w->pool_fd, o->owner_fd, ALL_SEALS);
			o->seals = ALL_SEALS;
		}
		break;
	case K_FOREIGN:
	case K_FOREIGN_REGRANT:
	case K_FOREIGN_GRANT:
		make_buffer(o, w->other_fd, k);
		o->fd = o->owner_fd;
		if (k == K_FOREIGN_REGRANT) {
			o->fd = o->grant_fd;
			o->handle_gid = o->gid;
			o->is_grant = true;
			o->rights = RW | SECBUF_GRANT_DMA | SECBUF_GRANT_REGRANT;
		}
		if (k == K_FOREIGN_GRANT) {
			o->fd = secbuf_grant(w->other_fd, o->owner_fd, RW,
					     &o->handle_gid);
			o->is_grant = true;
			o->rights = RW;
		}
		break;
	case K_HEAP:
		if (w->heap_fd < 0) {
			o->present = false;
			break;
		}
		o->size = SECBUF_SZ_4K;
		o->fd = o->owner_fd = secbuf_heap_alloc(w->heap_fd, SECBUF_SZ_4K,
							O_RDWR | O_CLOEXEC, 0);
		o->secbuf = true;
		o->rights = ALL_RIGHTS;
		{
			struct secbuf_query q;

			secbuf_query(w->pool_fd, o->fd, &q);
			o->id = q.id;
		}
		break;
	case K_OTHER_POOL:
		if (w->pool2_fd < 0) {
			o->present = false;
			break;
		}
		o->fd = o->owner_fd = secbuf_alloc(w->pool2_fd, SECBUF_SZ_4K, 0,
						   O_RDWR | O_CLOEXEC);
		break;
	case K_VGEM:
		bo = (struct vgem_bo) { .width = 1024, .height = 1, .bpp = 32 };
		vgem_create(w->vgem, &bo);
		o->fd = prime_handle_to_fd_for_mmap(w->vgem, bo.handle);
		igt_assert_fd(o->fd);
		gem_close(w->vgem, bo.handle);
		break;
	case K_UDMABUF:
		if (w->udmabuf_dev < 0) {
			o->present = false;
			break;
		}
		o->fd = udmabuf_create(w->udmabuf_dev, SECBUF_SZ_4K);
		break;
	case K_SYNCFILE:
		o->fd = sync_file_fd(w->pool_fd);
		break;
	case K_PIDFD:
		o->fd = secbuf_pidfd_open(getpid());
		break;
	case K_DEVNULL:
		o->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		igt_assert_fd(o->fd);
		break;
	case K_POOLFILE:
	case K_CLOSED:
	case K_NEG1:
	case K_INTMAX:
		/* Resolved at each call; nothing to hold. */
		break;
	default:
		igt_assert(false);
	}
}

static void obj_destroy(struct world *w, enum kind k)
{
	struct obj *o = &w->o[k];

	if (o->gem)
		gem_close(w->vgem, o->gem);
	if (o->window && !o->buf_revoked)
		(void)__secbuf_dma_end(w->pool_fd, o->owner_fd);
	if (o->fd >= 0 && o->fd != o->owner_fd && o->fd != o->grant_fd)
		close(o->fd);
	if (o->grant_fd >= 0)
		close(o->grant_fd);
	if (o->owner_fd >= 0)
		close(o->owner_fd);
	o->fd = o->owner_fd = o->grant_fd = -1;
	o->present = false;
}

/* The fd number a kind stands for, now. */
static int obj_fd(struct world *w, enum kind k)
{
	switch (k) {
	case K_POOLFILE:
		return w->pool_fd;
	case K_CLOSED:
		return secbuf_next_free_fd();
	case K_NEG1:
		return -1;
	case K_INTMAX:
		return 0x7fffffff;
	default:
		return w->o[k].fd;
	}
}

static int exited_pidfd(void)
{
	pid_t pid = fork();
	int pidfd, status;

	igt_assert(pid >= 0);
	if (pid == 0)
		_exit(0);
	pidfd = secbuf_pidfd_open(pid);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	return pidfd;
}

/*
 * The world of one subtest: the calls go through @pool_fd; another file
 * of the pool owns the "foreign" buffers. Opened before privileges are
 * dropped, if they are.
 */
static void world_init(struct world *w, bool udmabuf)
{
	struct secbuf_pool_info info;
	const char *pool2 = secbuf_pool2_name();

	memset(w, 0, sizeof(*w));
	w->pool_fd = secbuf_open_pool(pool);
	w->other_fd = secbuf_open_pool(pool);
	w->pool2_fd = *pool2 && strcmp(pool2, pool) ?
		      __secbuf_open_pool(pool2) : -1;
	w->heap_fd = secbuf_open_heap(pool);
	w->vgem = __secbuf_open_vgem();
	igt_assert_f(w->vgem >= 0, "no vgem device: every lane has one\n");
	w->udmabuf_dev = udmabuf ? open("/dev/udmabuf", O_RDWR | O_CLOEXEC) : -1;
	if (udmabuf)
		igt_assert_fd(w->udmabuf_dev);
	w->self_pidfd = secbuf_pidfd_open(getpid());
	w->exited_pidfd = exited_pidfd();
	secbuf_pool_info(w->pool_fd, &info);
	w->max_buffer = info.max_buffer_bytes;
	/* The default pool shares the default CMA area (see driver-api.md). */
	w->region_known = strcmp(pool, "default") != 0;
	/* A window must not expire in the middle of a subtest. */
	secbuf_param_set("dma_window_timeout_ms", 600000);
	for (int k = 0; k < NR_KINDS; k++)
		obj_make(w, k);
}

static void world_fini(struct world *w)
{
	for (int k = 0; k < NR_KINDS; k++)
		obj_destroy(w, k);
	close(w->self_pidfd);
	close(w->exited_pidfd);
	if (w->udmabuf_dev >= 0)
		close(w->udmabuf_dev);
	close(w->vgem);
	if (w->heap_fd >= 0)
		close(w->heap_fd);
	if (w->pool2_fd >= 0)
		close(w->pool2_fd);
	close(w->other_fd);
	close(w->pool_fd);
}

/*
 * The fds of a world whose objects a child changed: only closed, no ioctl
 * (the vgem file is shared with the child, its handles are its own now).
 */
static void world_close_fds(struct world *w)
{
	for (int k = 0; k < NR_KINDS; k++) {
		struct obj *o = &w->o[k];

		if (o->fd >= 0 && o->fd != o->owner_fd && o->fd != o->grant_fd)
			close(o->fd);
		if (o->grant_fd >= 0)
			close(o->grant_fd);
		if (o->owner_fd >= 0)
			close(o->owner_fd);
	}
	close(w->self_pidfd);
	close(w->exited_pidfd);
	if (w->udmabuf_dev >= 0)
		close(w->udmabuf_dev);
	close(w->vgem);
	if (w->heap_fd >= 0)
		close(w->heap_fd);
	if (w->pool2_fd >= 0)
		close(w->pool2_fd);
	close(w->other_fd);
	close(w->pool_fd);
}

/* ---- Edge values ------------------------------------------------------------ */

static uint64_t edge64(struct secbuf_rng *rng, uint64_t valid)
{
	switch (secbuf_rng_below(rng, 8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 1ULL << 63;
	case 3: return ~0ULL;
	case 4: return valid ^ (1ULL << secbuf_rng_below(rng, 64));
	case 5: return valid + 1;
	case 6: return secbuf_rng_next(rng);
	default: return valid;
	}
}

static uint32_t edge32(struct secbuf_rng *rng, uint32_t valid)
{
	switch (secbuf_rng_below(rng, 8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 1U << 31;
	case 3: return ~0U;
	case 4: return valid ^ (1U << secbuf_rng_below(rng, 32));
	case 5: return valid + 1;
	case 6: return (uint32_t)secbuf_rng_next(rng);
	default: return valid;
	}
}

/* Which fields to spoil: a bitmask over @nfields. */
static uint32_t spoil_mask(struct secbuf_rng *rng, int nfields)
{
	uint32_t all = (1U << nfields) - 1;

	switch (secbuf_rng_below(rng, 10)) {
	case 0: case 1: case 2:
		return 0;
	case 3: case 4: case 5: case 6:
		return 1U << secbuf_rng_below(rng, nfields);
	case 7: case 8:
		return (1U << secbuf_rng_below(rng, nfields)) |
		       (1U << secbuf_rng_below(rng, nfields));
	default:
		return all;
	}
}

static enum kind pick_kind(struct secbuf_rng *rng, struct world *w)
{
	for (;;) {
		enum kind k;

		/* Half of the time one of this file's own buffers. */
		if (secbuf_rng_chance(rng, 50))
			k = (enum kind)(int)secbuf_rng_below(rng, K_OWN_SEALED + 1);
		else
			k = (enum kind)(int)secbuf_rng_below(rng, NR_KINDS);
		if (k == K_POOLFILE || k == K_CLOSED || k == K_NEG1 ||
		    k == K_INTMAX || w->o[k].present)
			return k;
	}
}

/*
 * The table's conditions on a buffer fd: EBADF if not open, EINVAL if not
 * a secbuf dma-buf of this pool, EPERM if @need_owner and this pool file
 * does not own the buffer. Returns true if the fd names a buffer of the
 * pool.
 */
static bool fd_conditions(struct world *w, enum kind k, bool need_owner,
			  struct secbuf_errset *e)
{
	switch (k) {
	case K_CLOSED:
	case K_NEG1:
	case K_INTMAX:
		secbuf_errset_add(e, EBADF);
		return false;
	case K_POOLFILE:
		secbuf_errset_add(e, EINVAL);
		return false;
	default:
		break;
	}
	if (!w->o[k].secbuf) {
		secbuf_errset_add(e, EINVAL);
		return false;
	}
	if (need_owner && !w->o[k].owned)
		secbuf_errset_add(e, EPERM);
	return true;
}

/* ---- One call ----------------------------------------------------------------- */

enum ptr_kind { PTR_OK, PTR_RO, PTR_NULL, PTR_NONE, PTR_STRADDLE, PTR_KERNEL };

static char *arena;		/* 3 pages: RW, RW, PROT_NONE */
static char *ro_page;

static void arena_init(void)
{
	size_t page = secbuf_page_size();

	if (arena)
		return;
	arena = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(arena != MAP_FAILED);
	igt_assert_eq(mprotect(arena + 2 * page, page, PROT_NONE), 0);
	ro_page = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(ro_page != MAP_FAILED);
}

struct call {
	unsigned int nr;
	size_t ksize, minsize;
	void *arg;			/* the struct, ksize bytes */
	bool writes_back;		/* copies a result out on success */
	/* Chosen per call. */
	size_t usize;
	bool tail_nonzero;
	enum ptr_kind ptr;
	void *where;			/* where the struct went */
};

/*
 * Pick the struct size and pointer of @c, and adjust the struct: fields
 * past a shorter size read as zero.
 */
static void pick_shape(struct secbuf_rng *rng, struct call *c)
{
	size_t page = secbuf_page_size();

	c->usize = c->ksize;
	c->tail_nonzero = false;
	switch (secbuf_rng_below(rng, 12)) {
	case 0:
		c->usize = secbuf_rng_below(rng, c->minsize);
		break;
	case 1:
		c->usize = c->minsize;
		break;
	case 2:
		c->usize = c->ksize + 8 * (1 + secbuf_rng_below(rng, 8));
		break;
	case 3:
		c->usize = c->ksize + 8 * (1 + secbuf_rng_below(rng, 8));
		c->tail_nonzero = true;
		break;
	default:
		break;
	}
	if (c->usize < c->ksize && c->usize >= c->minsize)
		memset((char *)c->arg + c->usize, 0, c->ksize - c->usize);

	switch (secbuf_rng_below(rng, 16)) {
	case 0: c->ptr = PTR_RO; break;
	case 1: c->ptr = PTR_NULL; break;
	case 2: c->ptr = PTR_NONE; break;
	case 3: c->ptr = PTR_STRADDLE; break;
	case 4: c->ptr = PTR_KERNEL; break;
	default: c->ptr = PTR_OK; break;
	}
	/* A struct of no bytes is never read: only its size matters. */
	if (c->usize == 0)
		c->ptr = PTR_OK;
	(void)page;
}

static void *place(struct call *c)
{
	size_t page = secbuf_page_size();
	size_t n = c->usize > c->ksize ? c->usize : c->ksize;
	char *p;

	switch (c->ptr) {
	case PTR_OK:
		p = arena;
		memset(p, 0, 2 * page);
		memcpy(p, c->arg, c->ksize);
		if (c->tail_nonzero)
			p[c->ksize + (c->usize - c->ksize - 1)] = 0x5a;
		return p;
	case PTR_RO:
		igt_assert_eq(mprotect(ro_page, page, PROT_READ | PROT_WRITE), 0);
		memset(ro_page, 0, page);
		memcpy(ro_page, c->arg, c->ksize);
		if (c->tail_nonzero)
			ro_page[c->usize - 1] = 0x5a;
		igt_assert_eq(mprotect(ro_page, page, PROT_READ), 0);
		return ro_page;
	case PTR_NULL:
		return NULL;
	case PTR_NONE:
		return arena + 2 * page;
	case PTR_STRADDLE:
		/*
		 * The first half readable (zero past the struct, so that only
		 * the hole can stop the kernel), the rest in the PROT_NONE page.
		 */
		p = arena + 2 * page - (n + 1) / 2;
		memset(p, 0, (n + 1) / 2);
		memcpy(p, c->arg, (n + 1) / 2 < c->ksize ? (n + 1) / 2 : c->ksize);
		return p;
	default:
#if defined(__aarch64__)
		return (void *)0xffff800008000000UL;
#else
		return (void *)0xffffffff81000000UL;
#endif
	}
}

/*
 * Make the call. @content: what the table says about the fields (empty:
 * success). Returns the result, asserted to be allowed; on success the
 * struct written back is in c->arg.
 */
static int do_call(struct world *w, struct call *c,
		   const struct secbuf_errset *content, const char *what)
{
	struct secbuf_errset ok = {};
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, SECBUF_IOC_MAGIC,
				 c->nr, c->usize);
	int ret;

	/* The argument is read first: its size and pointer come first. */
	if (c->usize < c->minsize) {
		secbuf_errset_add(&ok, EINVAL);
	} else if (c->ptr == PTR_NULL || c->ptr == PTR_NONE ||
		   c->ptr == PTR_STRADDLE || c->ptr == PTR_KERNEL) {
		secbuf_errset_add(&ok, EFAULT);
	} else if (c->tail_nonzero) {
		secbuf_errset_add(&ok, E2BIG);
	} else {
		ok = *content;
		if (secbuf_errset_empty(&ok))
			secbuf_errset_add(&ok, 0);
		/* A success that cannot write its result back. */
		if (secbuf_errset_has(&ok, 0) && c->ptr == PTR_RO &&
		    c->writes_back) {
			ok.bits[0] &= ~1ULL;
			secbuf_errset_add(&ok, EFAULT);
		}
	}

	c->where = place(c);
	ret = __secbuf_ioctl(w->pool_fd, cmd, c->where);
	errno = 0;
	igt_assert_in_errset(ret, &ok, "%s (struct %zu of %zu bytes, %s, %s "
			     "tail)", what, c->usize, c->ksize,
			     (const char *[]){ "pointer ok", "read-only",
					       "NULL", "PROT_NONE",
					       "straddling a hole", "kernel "
					       "pointer" }[c->ptr],
			     c->tail_nonzero ? "nonzero" : "zero");
	if (ret == 0 && c->ptr == PTR_OK)
		memcpy(c->arg, c->where, c->ksize);
	return ret;
}

struct round {
	struct secbuf_snapshot snap;
	int open_fds;
	uint64_t used;
};

static void round_begin(struct round *r)
{
	secbuf_snapshot(&r->snap, pool);
}

/* A failed call left nothing: no fd, no pool usage. */
static void assert_nothing_left(struct round *r)
{
	secbuf_assert_unchanged(&r->snap);
}

/* Make again what a call changed, then check the pool is as before. */
static void round_end(struct world *w, struct round *r)
{
	for (int k = 0; k < NR_KINDS; k++) {
		if (!w->o[k].dirty)
			continue;
		obj_destroy(w, k);
		obj_make(w, k);
	}
	igt_assert_eq(secbuf_count_open_fds(), r->snap.open_fds);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"),
			  r->snap.used_bytes);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), r->snap.buffers);
}

static void check_fd_flags(int fd, bool cloexec, int accmode)
{
	int fdf = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);

	igt_assert(fdf >= 0 && fl >= 0);
	igt_assert_eq(!!(fdf & FD_CLOEXEC), cloexec);
	igt_assert_eq(fl & O_ACCMODE, accmode);
}

/* ---- Each ioctl ----------------------------------------------------------- */

static void round_alloc(struct world *w, struct secbuf_rng *rng)
{
	static const uint64_t sizes[] = { 1, 4095, 4096, 4097, 65536,
					  SECBUF_SZ_1M + 1, SECBUF_SZ_2M, 3 * SECBUF_SZ_1M };
	struct secbuf_alloc a = {
		.size = sizes[secbuf_rng_below(rng, ARRAY_SIZE(sizes))],
		.fd_flags = (secbuf_rng_chance(rng, 70) ? O_RDWR : 0) |
			    (secbuf_rng_chance(rng, 70) ? O_CLOEXEC : 0),
	};
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_ALLOC), .ksize = sizeof(a),
			  .minsize = SECBUF_ALLOC_SIZE_VER0, .arg = &a,
			  .writes_back = true };
	uint32_t m = spoil_mask(rng, 7);
	struct secbuf_errset e = {};
	struct secbuf_pool_info info;
	struct round r;
	int ret;

	if (m & 1) {
		const uint64_t bad[] = {
			0, 1, 1ULL << 63, ~0ULL, (1ULL << 32) + 4096,
			/* rounds up to 0 */
			~0ULL - 4096 + 2, w->max_buffer + 1,
			w->max_buffer + 4096, w->max_buffer + (1ULL << 32),
		};

		a.size = bad[secbuf_rng_below(rng, ARRAY_SIZE(bad))];
		/* The whole pool, now and then (zeroing it takes a while). */
		if (secbuf_rng_chance(rng, 3))
			a.size = w->max_buffer;
	}
	if (m & 2)
		a.flags = edge32(rng, 0);
	if (m & 4)
		a.fd_flags = edge32(rng, a.fd_flags);
	if (m & 8)
		a.fd = edge32(rng, 0);
	if (m & 16)
		a.pad = edge32(rng, 0);
	if (m & 32)
		a.id = edge64(rng, 0);
	if (m & 64)
		a.alloc_size = edge64(rng, 0);
	pick_shape(rng, &c);

	if (a.fd || a.id || a.alloc_size || a.flags ||
	    (a.fd_flags & ~SECBUF_FD_VALID_FLAGS) || a.pad || !a.size)
		secbuf_errset_add(&e, EINVAL);
	if (a.size > w->max_buffer) {
		secbuf_errset_add(&e, EFBIG);
	} else if (a.size) {
		uint64_t len = (a.size + 4095) / 4096 * 4096;

		secbuf_pool_info(w->pool_fd, &info);
		if ((info.file_max_buffers &&
		     info.file_buffers >= info.file_max_buffers) ||
		    (info.file_max_bytes &&
		     info.file_used_bytes + len > info.file_max_bytes))
			secbuf_errset_add(&e, EDQUOT);
		if (len > info.largest_free_bytes) {
			secbuf_errset_add(&e, ENOMEM);
		} else if (!w->region_known && len >= SECBUF_SZ_2M &&
			   secbuf_errset_empty(&e)) {
			/* An upper bound on the default CMA area. */
			secbuf_errset_add(&e, ENOMEM);
			secbuf_errset_add(&e, 0);
		}
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, "ALLOC");
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	if (c.ptr == PTR_OK) {
		igt_assert_fd((int)a.fd);
		igt_assert_eq_u64(a.alloc_size,
				  c.usize < sizeof(a) ? 0 :
				  (a.size + 4095) / 4096 * 4096);
		igt_assert(a.id > 0);
		check_fd_flags((int)a.fd, a.fd_flags & O_CLOEXEC,
			       a.fd_flags & O_ACCMODE);
		close((int)a.fd);
	} else {
		/* Written back through a read-only pointer: EFAULT, checked. */
		igt_assert(false);
	}
	round_end(w, &r);
}

static void round_pool_info(struct world *w, struct secbuf_rng *rng)
{
	struct secbuf_pool_info pi;
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_POOL_INFO),
			  .ksize = sizeof(pi),
			  .minsize = SECBUF_POOL_INFO_SIZE_VER0, .arg = &pi,
			  .writes_back = true };
	uint32_t m = spoil_mask(rng, 3);
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	/* Out fields are ignored on input: garbage there is fine. */
	for (size_t i = 0; i < sizeof(pi); i++)
		((uint8_t *)&pi)[i] = (uint8_t)secbuf_rng_next(rng);
	pi.flags = 0;
	pi.pad = 0;
	if (m & 1)
		pi.flags = edge32(rng, 0);
	if (m & 2)
		pi.pad = edge32(rng, 0);
	pick_shape(rng, &c);
	if (pi.flags || pi.pad)
		secbuf_errset_add(&e, EINVAL);

	round_begin(&r);
	ret = do_call(w, &c, &e, "POOL_INFO");
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	igt_assert_eq_u64(pi.used_bytes, secbuf_pool_sysfs(pool, "used_bytes"));
	igt_assert_eq_u64(pi.total_bytes, secbuf_pool_sysfs(pool, "total_bytes"));
	round_end(w, &r);
}

static void round_revoke(struct world *w, struct secbuf_rng *rng)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	uint64_t gids[] = { 0, o->gid, o->gid + 1, 1ULL << 63, ~0ULL };
	struct secbuf_revoke rv = {
		.buf_fd = (uint32_t)obj_fd(w, k),
		.grant_id = secbuf_rng_chance(rng, 60) ? 0 : o->gid,
	};
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_REVOKE), .ksize = sizeof(rv),
			  .minsize = sizeof(rv), .arg = &rv, .writes_back = true };
	uint32_t m = spoil_mask(rng, 3);
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	if (m & 1)
		rv.flags = edge32(rng, 0);
	if (m & 2)
		rv.grant_id = gids[secbuf_rng_below(rng, ARRAY_SIZE(gids))];
	if (m & 4)
		rv.quarantined_bytes = edge64(rng, 0);
	pick_shape(rng, &c);

	if (rv.flags || rv.quarantined_bytes)
		secbuf_errset_add(&e, EINVAL);
	if (fd_conditions(w, k, true, &e) && o->owned) {
		if (rv.grant_id && rv.grant_id != o->gid)
			secbuf_errset_add(&e, ENOENT);
		if (o->seals & SECBUF_SEAL_REVOKE)
			secbuf_errset_add(&e, EPERM);
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret == 0 || (ret == -EFAULT && c.ptr == PTR_RO)) {
		/* Revoked even if the result could not be written back. */
		o->dirty = true;
		if (ret == 0)
			igt_assert_eq_u64(rv.quarantined_bytes,
					  secbuf_pool_sysfs(pool, "quarantined_bytes"));
		round_end(w, &r);
		return;
	}
	assert_nothing_left(&r);
}

static void round_grant(struct world *w, struct secbuf_rng *rng)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	struct secbuf_grant g = {
		.buf_fd = (uint32_t)obj_fd(w, k),
		.rights = (uint32_t)secbuf_rng_below(rng, 16) & o->rights,
		.fd_flags = secbuf_rng_chance(rng, 50) ? O_CLOEXEC : 0,
	};
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_GRANT), .ksize = sizeof(g),
			  .minsize = sizeof(g), .arg = &g, .writes_back = true };
	uint32_t m = spoil_mask(rng, 6);
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	if (secbuf_rng_chance(rng, 30)) {
		int pick = (int)secbuf_rng_below(rng, 4);

		g.flags = SECBUF_GRANT_PIDFD;
		g.pidfd = (uint32_t)(pick == 0 ? w->self_pidfd :
				     pick == 1 ? w->exited_pidfd :
				     pick == 2 ? w->o[K_DEVNULL].fd :
				     secbuf_next_free_fd());
	}
	if (m & 1)
		g.rights = edge32(rng, g.rights);
	if (m & 2)
		g.flags = edge32(rng, g.flags);
	if (m & 4)
		g.fd_flags = edge32(rng, g.fd_flags);
	if (m & 8)
		g.pidfd = edge32(rng, g.pidfd);
	if (m & 16)
		g.fd = edge32(rng, 0);
	if (m & 32)
		g.grant_id = edge64(rng, 0);
	pick_shape(rng, &c);

	if (g.fd || g.grant_id || (g.rights & ~ALL_RIGHTS) ||
	    (g.flags & ~SECBUF_GRANT_VALID_FLAGS) || (g.fd_flags & ~O_CLOEXEC) ||
	    (!(g.flags & SECBUF_GRANT_PIDFD) && g.pidfd))
		secbuf_errset_add(&e, EINVAL);
	if (fd_conditions(w, k, false, &e)) {
		if ((!o->owned && !(o->is_grant &&
				    (o->rights & SECBUF_GRANT_REGRANT))) ||
		    (g.rights & ~o->rights))
			secbuf_errset_add(&e, EPERM);
		if (o->revoked)
			secbuf_errset_add(&e, ENODEV);
		if (o->seals & SECBUF_SEAL_GRANT)
			secbuf_errset_add(&e, EPERM);
		if (g.flags & SECBUF_GRANT_PIDFD) {
			int fd = (int)g.pidfd;

			/* Whatever number it is: a pidfd, dead or alive? */
			if (fd == w->exited_pidfd)
				secbuf_errset_add(&e, ESRCH);
			else if (fd < 0 || fcntl(fd, F_GETFD) < 0)
				secbuf_errset_add(&e, EBADF);
			else if (fd != w->self_pidfd)
				secbuf_errset_add(&e, EINVAL);
			errno = 0;
		}
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	igt_assert_fd((int)g.fd);
	igt_assert(g.grant_id > o->gid);
	check_fd_flags((int)g.fd, g.fd_flags & O_CLOEXEC,
		       (g.rights & SECBUF_GRANT_WRITE) ? O_RDWR : O_RDONLY);
	{
		struct secbuf_query q;

		secbuf_query(w->pool_fd, (int)g.fd, &q);
		igt_assert_eq_u32(q.rights, g.rights);
		igt_assert_eq_u64(q.grant_id, g.grant_id);
		igt_assert_eq_u64(q.id, o->id);
	}
	close((int)g.fd);
	round_end(w, &r);
}

static void round_grant_list(struct world *w, struct secbuf_rng *rng)
{
	/* Room for two grants of the largest entry size the kernel takes. */
	static struct secbuf_grant_info info[2 * 4096 / sizeof(struct secbuf_grant_info)];
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	size_t page = secbuf_page_size();
	uint64_t ptrs[] = { (uintptr_t)info, 0, (uintptr_t)(arena + 2 * page),
#if defined(__aarch64__)
			    0xffff800008000000ULL,
#else
			    0xffffffff81000000ULL,
#endif
	};
	struct secbuf_grant_list l = {
		.buf_fd = (uint32_t)obj_fd(w, k),
		.count = 8,
		.grants = (uintptr_t)info,
		.info_size = sizeof(info[0]),
	};
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_GRANT_LIST),
			  .ksize = sizeof(l),
			  .minsize = SECBUF_GRANT_LIST_SIZE_VER0, .arg = &l,
			  .writes_back = true };
	uint32_t m = spoil_mask(rng, 4);
	uint32_t info_size;
	struct secbuf_errset e = {};
	uint32_t ngrants = o->grant_fd >= 0 ? 1 + (k == K_FOREIGN_GRANT) : 0;
	uint32_t count_in;
	bool good_ptr;
	struct round r;
	int ret;

	if (m & 1)
		l.count = edge32(rng, 8);
	if (m & 2)
		l.grants = ptrs[secbuf_rng_below(rng, ARRAY_SIZE(ptrs))];
	if (m & 4)
		l.info_size = edge32(rng, l.info_size);
	if (m & 8)
		l.pad = edge32(rng, 0);
	pick_shape(rng, &c);
	/* info_size and pad are seen only in a struct long enough. */
	info_size = c.usize >= sizeof(l) && l.info_size ? l.info_size :
		    SECBUF_GRANT_INFO_SIZE_VER0;
	if ((c.usize >= sizeof(l) && l.pad) ||
	    info_size < SECBUF_GRANT_INFO_SIZE_VER0 || info_size > 4096 ||
	    info_size % 8)
		secbuf_errset_add(&e, EINVAL);
	count_in = l.count;
	/* The array holds 8; a larger count with it is a short array. */
	good_ptr = l.grants == (uintptr_t)info;
	if (good_ptr && l.count > 8 && ngrants > 8)
		good_ptr = false;

	if (fd_conditions(w, k, true, &e) && o->owned) {
		if ((l.count < ngrants ? l.count : ngrants) && !good_ptr)
			secbuf_errset_add(&e, EFAULT);
	}

	round_begin(&r);
	memset(info, 0, sizeof(info));
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	igt_assert_eq_u32(l.count, ngrants);
	if (ngrants && count_in && good_ptr) {
		igt_assert_eq_u64(info[0].grant_id, o->gid);
		igt_assert_eq_u32(info[0].state, o->revoked || o->buf_revoked ?
				  SECBUF_STATE_REVOKED : SECBUF_STATE_LIVE);
	}
	round_end(w, &r);
}

static void round_query(struct world *w, struct secbuf_rng *rng)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	struct secbuf_query q;
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_QUERY), .ksize = sizeof(q),
			  .minsize = sizeof(q), .arg = &q, .writes_back = true };
	uint32_t m = spoil_mask(rng, 2);
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	/* Out fields: anything. */
	for (size_t i = 0; i < sizeof(q); i++)
		((uint8_t *)&q)[i] = (uint8_t)secbuf_rng_next(rng);
	q.buf_fd = (uint32_t)obj_fd(w, k);
	q.pad = 0;
	if (m & 1)
		q.pad = edge32(rng, 0);
	if (m & 2)
		q.buf_fd = edge32(rng, q.buf_fd);
	pick_shape(rng, &c);
	if (q.pad)
		secbuf_errset_add(&e, EINVAL);
	if (q.buf_fd == (uint32_t)obj_fd(w, k))
		fd_conditions(w, k, false, &e);
	else if (q.buf_fd == (uint32_t)w->pool_fd)
		secbuf_errset_add(&e, EINVAL);
	else if (fcntl((int)q.buf_fd, F_GETFD) < 0)
		secbuf_errset_add(&e, EBADF);
	else
		/* Another open fd: whatever it is, not for this check. */
		secbuf_errset_add(&e, EINVAL), secbuf_errset_add(&e, 0);

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	if (q.buf_fd == (uint32_t)obj_fd(w, k) && c.usize >= sizeof(q)) {
		igt_assert_eq_u64(q.id, o->id);
		igt_assert_eq_u32(q.rights, o->rights);
		igt_assert_eq_u32(q.seals, o->seals);
		igt_assert_eq_u32(q.state, o->buf_revoked ? SECBUF_STATE_REVOKED :
				  o->window ? SECBUF_STATE_DMA : SECBUF_STATE_LIVE);
		igt_assert_eq_u32(q.handle_state, o->revoked ?
				  SECBUF_STATE_REVOKED : q.state);
		igt_assert_eq_u64(q.grant_id, o->handle_gid);
	}
	round_end(w, &r);
}

static void round_seal(struct world *w, struct secbuf_rng *rng, bool get)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	struct secbuf_seal s = {
		.buf_fd = (uint32_t)obj_fd(w, k),
		.seals = get ? 0 : 1U << secbuf_rng_below(rng, 4),
	};
	struct call c = { .nr = get ? _IOC_NR(SECBUF_IOC_GET_SEALS) :
				      _IOC_NR(SECBUF_IOC_SEAL),
			  .ksize = sizeof(s), .minsize = sizeof(s), .arg = &s,
			  .writes_back = true };
	uint32_t m = spoil_mask(rng, 1);
	struct secbuf_errset e = {};
	uint32_t asked;
	struct round r;
	int ret;

	if (m & 1)
		s.seals = edge32(rng, s.seals);
	asked = s.seals;
	pick_shape(rng, &c);

	if (get) {
		if (s.seals)
			secbuf_errset_add(&e, EINVAL);
		fd_conditions(w, k, false, &e);
	} else {
		if (!s.seals || (s.seals & ~ALL_SEALS))
			secbuf_errset_add(&e, EINVAL);
		if (fd_conditions(w, k, true, &e) && o->owned) {
			if (o->buf_revoked)
				secbuf_errset_add(&e, ENODEV);
			if (o->seals & SECBUF_SEAL_SEAL)
				secbuf_errset_add(&e, EPERM);
			if ((s.seals & ~o->seals & SECBUF_SEAL_WRITE) &&
			    (o->window || o->writers))
				secbuf_errset_add(&e, EBUSY);
		}
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (!get && (ret == 0 || (ret == -EFAULT && c.ptr == PTR_RO))) {
		/* Sealed even if the result could not be written back. */
		if (ret == 0)
			igt_assert_eq_u32(s.seals, o->seals | asked);
		o->dirty = true;
		round_end(w, &r);
		return;
	}
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	igt_assert_eq_u32(s.seals, o->seals);
	round_end(w, &r);
}

static void round_dma_begin(struct world *w, struct secbuf_rng *rng)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	struct secbuf_dma_begin b = {
		.buf_fd = (uint32_t)obj_fd(w, k),
		.flags = (secbuf_rng_chance(rng, 50) ? SECBUF_DMA_WAIT :
			  SECBUF_DMA_STRICT) |
			 (secbuf_rng_chance(rng, 50) ? SECBUF_DMA_FENCE_FD : 0),
	};
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_DMA_BEGIN),
			  .ksize = sizeof(b), .minsize = sizeof(b), .arg = &b };
	uint32_t m = spoil_mask(rng, 3), policy;
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	if (m & 1)
		b.flags = edge32(rng, b.flags);
	if (m & 2)
		b.fence_fd = edge32(rng, 0);
	if (m & 4)
		b.pad = edge32(rng, 0);
	pick_shape(rng, &c);
	policy = b.flags & (SECBUF_DMA_WAIT | SECBUF_DMA_STRICT);
	/* The fence fd is the only thing written back. */
	c.writes_back = b.flags & SECBUF_DMA_FENCE_FD;

	if ((b.flags & ~SECBUF_DMA_VALID_FLAGS) ||
	    (policy != SECBUF_DMA_WAIT && policy != SECBUF_DMA_STRICT) ||
	    b.fence_fd || b.pad)
		secbuf_errset_add(&e, EINVAL);
	if (fd_conditions(w, k, true, &e) && o->owned) {
		if (o->buf_revoked)
			secbuf_errset_add(&e, ENODEV);
		if (o->seals & SECBUF_SEAL_WRITE)
			secbuf_errset_add(&e, EPERM);
		if (o->window)
			secbuf_errset_add(&e, EBUSY);
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret) {
		assert_nothing_left(&r);
		/* No window left behind by a refused call. */
		if (o->secbuf && o->owned && !o->window && !o->buf_revoked)
			igt_assert_eq(__secbuf_dma_end(w->pool_fd, o->owner_fd),
				      -ENOENT);
		return;
	}
	if (b.flags & SECBUF_DMA_FENCE_FD) {
		igt_assert_eq(sync_fence_status((int)b.fence_fd), 0);
		close((int)b.fence_fd);
	} else {
		igt_assert_eq_u32(b.fence_fd, 0);
	}
	secbuf_dma_end(w->pool_fd, o->owner_fd);
	round_end(w, &r);
}

static void round_dma_end(struct world *w, struct secbuf_rng *rng)
{
	enum kind k = pick_kind(rng, w);
	struct obj *o = &w->o[k];
	struct secbuf_dma_end d = { .buf_fd = (uint32_t)obj_fd(w, k) };
	struct call c = { .nr = _IOC_NR(SECBUF_IOC_DMA_END), .ksize = sizeof(d),
			  .minsize = sizeof(d), .arg = &d };
	uint32_t m = spoil_mask(rng, 1);
	struct secbuf_errset e = {};
	struct round r;
	int ret;

	if (m & 1)
		d.flags = edge32(rng, 0);
	pick_shape(rng, &c);
	if (d.flags)
		secbuf_errset_add(&e, EINVAL);
	if (fd_conditions(w, k, true, &e) && o->owned) {
		if (o->buf_revoked)
			secbuf_errset_add(&e, ENODEV);
		else if (!o->window)
			secbuf_errset_add(&e, ENOENT);
	}

	round_begin(&r);
	ret = do_call(w, &c, &e, kind_names[k]);
	if (ret) {
		assert_nothing_left(&r);
		return;
	}
	o->window = false;
	o->dirty = true;
	round_end(w, &r);
}

enum ioctl_id {
	IO_ALLOC, IO_POOL_INFO, IO_REVOKE, IO_GRANT, IO_GRANT_LIST, IO_QUERY,
	IO_SEAL, IO_GET_SEALS, IO_DMA_BEGIN, IO_DMA_END, NR_IOCTLS
};

static const char *const ioctl_names[NR_IOCTLS] = {
	"alloc", "pool-info", "revoke", "grant", "grant-list", "query", "seal",
	"get-seals", "dma-begin", "dma-end",
};

static void one_round(struct world *w, struct secbuf_rng *rng, int which)
{
	switch (which) {
	case IO_ALLOC: round_alloc(w, rng); break;
	case IO_POOL_INFO: round_pool_info(w, rng); break;
	case IO_REVOKE: round_revoke(w, rng); break;
	case IO_GRANT: round_grant(w, rng); break;
	case IO_GRANT_LIST: round_grant_list(w, rng); break;
	case IO_QUERY: round_query(w, rng); break;
	case IO_SEAL: round_seal(w, rng, false); break;
	case IO_GET_SEALS: round_seal(w, rng, true); break;
	case IO_DMA_BEGIN: round_dma_begin(w, rng); break;
	case IO_DMA_END: round_dma_end(w, rng); break;
	}
}

/* @which: one ioctl, or -1 for all of them mixed. */
static void random_rounds(struct world *w, uint64_t seed, int which, int rounds)
{
	struct secbuf_rng rng;

	secbuf_rng_init(&rng, seed, which + 1);
	arena_init();
	for (int i = 0; i < rounds; i++)
		one_round(w, &rng, which >= 0 ? which :
			  (int)secbuf_rng_below(&rng, NR_IOCTLS));
}

static int hostile_rounds(void)
{
	return (int)secbuf_env_long("SECBUF_HOSTILE_ROUNDS", 200);
}

static void test_random_args(int which)
{
	uint64_t seed = secbuf_stress_seed();
	struct world w;

	world_init(&w, false);
	random_rounds(&w, seed, which, hostile_rounds());
	world_fini(&w);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/* ---- Wrong fds: udmabuf ------------------------------------------------------- */

static void test_udmabuf(void)
{
	struct world w;
	int fd;

	secbuf_require_lane_feature("udmabuf");
	world_init(&w, true);
	fd = w.o[K_UDMABUF].fd;
	arena_init();
	/* Every ioctl that takes a buffer fd, valid but for the fd. */
	{
		struct secbuf_revoke rv = { .buf_fd = (uint32_t)fd };
		struct secbuf_grant g = { .buf_fd = (uint32_t)fd,
					  .rights = SECBUF_GRANT_READ };
		struct secbuf_grant_list l = { .buf_fd = (uint32_t)fd };
		struct secbuf_query q = { .buf_fd = (uint32_t)fd };
		struct secbuf_seal s = { .buf_fd = (uint32_t)fd,
					 .seals = SECBUF_SEAL_GRANT };
		struct secbuf_seal gs = { .buf_fd = (uint32_t)fd };
		struct secbuf_dma_begin b = { .buf_fd = (uint32_t)fd,
					      .flags = SECBUF_DMA_WAIT };
		struct secbuf_dma_end d = { .buf_fd = (uint32_t)fd };
		struct secbuf_snapshot snap;

		secbuf_snapshot(&snap, pool);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_REVOKE, &rv), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_GRANT, &g), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_GRANT_LIST, &l), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_QUERY, &q), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_SEAL, &s), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_GET_SEALS, &gs), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_DMA_BEGIN, &b), -EINVAL);
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_DMA_END, &d), -EINVAL);
		/* A udmabuf as the pidfd of a bound grant: not a pidfd. */
		g.buf_fd = (uint32_t)w.o[K_OWN].fd;
		g.flags = SECBUF_GRANT_PIDFD;
		g.pidfd = (uint32_t)fd;
		igt_assert_eq(__secbuf_ioctl(w.pool_fd, SECBUF_IOC_GRANT, &g), -EINVAL);
		secbuf_assert_unchanged(&snap);
	}
	/* And the random rounds with udmabuf in the zoo. */
	random_rounds(&w, secbuf_stress_seed(), -1, hostile_rounds());
	world_fini(&w);
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/* ---- mmap at the edges ---------------------------------------------------------- */

static void mmap_outcome(struct secbuf_errset *e, uint64_t size, int fdmode,
			 uint32_t rights, bool revoked, uint64_t off, uint64_t len,
			 int prot, int flags)
{
	const uint64_t page = secbuf_page_size();
	uint64_t pages = size / page, pgoff = off / page;
	uint64_t lpages = len / page + (len % page != 0);
	bool shared = (flags & MAP_TYPE) == MAP_SHARED ||
		      (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;

	/* mmap(2) and do_mmap(), in their order. */
	if (off % page || !len) {
		secbuf_errset_add(e, EINVAL);
		return;
	}
	if (len > ~0ULL - page + 1) {
		secbuf_errset_add(e, ENOMEM);	/* PAGE_ALIGN() wraps */
		return;
	}
	if (pgoff + lpages < pgoff) {
		secbuf_errset_add(e, EOVERFLOW);
		return;
	}
	/* More than the address space may hold. */
	if (len >= (1ULL << 39))
		secbuf_errset_add(e, ENOMEM);
	/* file_mmap_ok(): the file offset plus the length wraps. */
	if (pgoff > (~0ULL - lpages * page) / page) {
		secbuf_errset_add(e, EOVERFLOW);
		return;
	}
	if (shared && (prot & PROT_WRITE) && fdmode != O_RDWR) {
		secbuf_errset_add(e, EACCES);
		return;
	}
	/* dma-buf: past the buffer's end. */
	if (pgoff + lpages > pages) {
		secbuf_errset_add(e, EINVAL);
		return;
	}
	/* secbuf. */
	if (!shared) {
		secbuf_errset_add(e, EINVAL);
		return;
	}
	if (!(rights & SECBUF_GRANT_READ) ||
	    ((prot & PROT_WRITE) && !(rights & SECBUF_GRANT_WRITE))) {
		secbuf_errset_add(e, EACCES);
		return;
	}
	if (revoked) {
		secbuf_errset_add(e, ENODEV);
		return;
	}
	if (secbuf_errset_empty(e))
		secbuf_errset_add(e, 0);
}

static void test_mmap_edges(uint64_t seed)
{
	static const uint64_t sizes[] = { SECBUF_SZ_4K, SECBUF_SZ_64K + SECBUF_SZ_4K, SECBUF_SZ_2M,
					  3 * SECBUF_SZ_1M };
	const uint64_t page = secbuf_page_size();
	int rounds = hostile_rounds() * 2;
	int fd = secbuf_open_pool(pool);
	struct secbuf_rng rng;

	secbuf_rng_init(&rng, seed, 0);
	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		uint64_t size = sizes[si];
		int buf = secbuf_alloc(fd, size, 0, O_RDWR | O_CLOEXEC);
		struct {
			int fd;
			int mode;
			uint32_t rights;
			bool revoked;
		} h[5] = {
			{ buf, O_RDWR, ALL_RIGHTS, false },
			{ secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL), O_RDONLY,
			  SECBUF_GRANT_READ, false },
			{ secbuf_grant(fd, buf, RW, NULL), O_RDWR, RW, false },
			{ secbuf_grant(fd, buf, SECBUF_GRANT_DMA, NULL), O_RDONLY,
			  SECBUF_GRANT_DMA, false },
			{ -1, O_RDWR, RW, true },
		};
		uint64_t gid;

		/* A revoked grant too. */
		h[4].fd = secbuf_grant(fd, buf, RW, &gid);
		secbuf_revoke(fd, buf, gid);
		fill_pattern(buf, size, size);

		for (int i = 0; i < rounds / (int)ARRAY_SIZE(sizes); i++) {
			uint64_t offs[] = { 0, page, size - page, size,
					    size + page, page / 2, 1ULL << 40,
					    -page, secbuf_rng_below(&rng, 2 * size /
								    page) * page };
			uint64_t lens[] = { 0, 1, page - 1, page, size, size + 1,
					    size + page, 1ULL << 40, -page,
					    (1 + secbuf_rng_below(&rng, size / page)) *
					    page };
			static const int prots[] = {
				PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
				PROT_NONE,
			};
			static const int flagss[] = {
				MAP_SHARED, MAP_SHARED, MAP_PRIVATE,
				MAP_SHARED_VALIDATE, MAP_SHARED | MAP_POPULATE,
			};
			int hi = (int)secbuf_rng_below(&rng, ARRAY_SIZE(h));
			uint64_t off = secbuf_rng_chance(&rng, 40) ? 0 :
				       offs[secbuf_rng_below(&rng, ARRAY_SIZE(offs))];
			uint64_t len = secbuf_rng_chance(&rng, 30) ? size - off :
				       lens[secbuf_rng_below(&rng, ARRAY_SIZE(lens))];
			int prot = prots[secbuf_rng_below(&rng, ARRAY_SIZE(prots))];
			int flags = flagss[secbuf_rng_below(&rng, ARRAY_SIZE(flagss))];
			struct secbuf_errset e = {};
			char *p;
			int ret;

			mmap_outcome(&e, size, h[hi].mode, h[hi].rights,
				     h[hi].revoked, off, len, prot, flags);
			p = mmap(NULL, (size_t)len, prot, flags, h[hi].fd, (off_t)off);
			ret = p == MAP_FAILED ? -errno : 0;
			errno = 0;
			igt_assert_in_errset(ret, &e, "mmap(len %#" PRIx64 ", prot %d, "
					     "flags %#x, off %#" PRIx64 ") of a %#"
					     PRIx64 " buffer, handle %d", len, prot,
					     flags, off, size, hi);
			if (ret)
				continue;
			/* It maps what it says it maps. */
			if (prot & PROT_READ) {
				uint64_t last = (len - 1) / 8 * 8;
				uint64_t v0 = *(volatile uint64_t *)p;
				uint64_t v1 = *(volatile uint64_t *)(p + last);

				igt_assert_eq_u64(v0, ((uint64_t *)p)[0]);
				{
					uint64_t expect[2];
					char *q = secbuf_mmap(buf, size, PROT_READ);

					expect[0] = *(uint64_t *)(q + off);
					expect[1] = *(uint64_t *)(q + off + last);
					secbuf_munmap(q, size);
					igt_assert_eq_u64(v0, expect[0]);
					igt_assert_eq_u64(v1, expect[1]);
				}
			}
			igt_assert_eq(munmap(p, (size_t)len), 0);
		}
		for (int i = 1; i < 5; i++)
			close(h[i].fd);
		close(buf);
	}
	close(fd);
	secbuf_pool_assert_idle(pool);
}

/* ---- Unprivileged users ----------------------------------------------------------- */

static void drop_privileges(void)
{
	igt_assert_eq(setgroups(0, NULL), 0);
	igt_assert_eq(setresgid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID), 0);
	igt_assert_eq(setresuid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID), 0);
	igt_assert_eq(geteuid(), UNPRIV_UID);
	igt_assert_eq(getegid(), UNPRIV_UID);
}

static void assert_node_root_0600(const char *dir)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, pool);
	igt_assert_eq(stat(path, &st), 0);
	igt_assert_f((st.st_mode & 07777) == 0600 && st.st_uid == 0 &&
		     st.st_gid == 0, "%s: mode %#o, owner %u:%u; the default "
		     "dev_mode is 0600 root:root\n", path, st.st_mode & 07777,
		     st.st_uid, st.st_gid);
}

static void test_unprivileged(void)
{
	int owner = secbuf_open_pool(pool);
	int other = secbuf_open_pool(pool);
	int buf = secbuf_alloc(owner, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
	int victim = secbuf_alloc(owner, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC);
	int g_ro = secbuf_grant(owner, buf, SECBUF_GRANT_READ, NULL);
	int g_rw = secbuf_grant(owner, buf, RW, NULL);
	int g_rg = secbuf_grant(owner, buf, SECBUF_GRANT_READ |
				SECBUF_GRANT_REGRANT, NULL);
	int parent_pidfd = secbuf_pidfd_open(getpid());
	int g_bound = secbuf_grant_pidfd(owner, buf, RW, parent_pidfd, NULL);

	igt_require_f(geteuid() == 0, "needs root to become uid %d\n",
		      UNPRIV_UID);
	igt_assert_eq_u64(secbuf_param_get("dev_mode"), 0600);
	assert_node_root_0600(SECBUF_DEV_DIR);
	assert_node_root_0600(SECBUF_HEAP_DIR);
	fill_pattern(buf, SECBUF_SZ_64K, 3);

	igt_fork(child, 1) {
		struct secbuf_grant_list l = { .buf_fd = (uint32_t)buf };
		char path[256];
		uint64_t q;
		uint32_t now;
		int derived = -1;
		char *p;

		drop_privileges();

		/* Mode 0600 root: no way in through the nodes. */
		snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool);
		igt_assert_eq(open(path, O_RDWR), -1);
		igt_assert_eq(errno, EACCES);
		igt_assert_eq(open(path, O_RDONLY), -1);
		igt_assert_eq(errno, EACCES);
		igt_assert_eq(__secbuf_open_heap(pool), -EACCES);
		errno = 0;

		/* Through a pool file that does not own them: EPERM. */
		igt_assert_eq(__secbuf_revoke(other, buf, 0, &q), -EPERM);
		igt_assert_eq(__secbuf_revoke(other, g_rw, 0, &q), -EPERM);
		igt_assert_eq(__secbuf_seal(other, buf, SECBUF_SEAL_GRANT, &now),
			      -EPERM);
		igt_assert_eq(__secbuf_dma_begin(other, buf, SECBUF_DMA_STRICT,
						 NULL), -EPERM);
		igt_assert_eq(__secbuf_dma_end(other, buf), -EPERM);
		igt_assert_eq(__secbuf_grant_list(other, &l), -EPERM);
		/* Holding the owner's own dma-buf is not owning it. */
		igt_assert_eq(__secbuf_grant(other, buf, SECBUF_GRANT_READ,
					     O_CLOEXEC, &derived, NULL), -EPERM);
		igt_assert_eq(__secbuf_grant(other, g_rw, SECBUF_GRANT_READ,
					     O_CLOEXEC, &derived, NULL), -EPERM);
		/* REGRANT narrows, never widens. */
		igt_assert_eq(__secbuf_grant(other, g_rg, RW, O_CLOEXEC,
					     &derived, NULL), -EPERM);
		igt_assert_eq(__secbuf_grant(other, g_rg, SECBUF_GRANT_READ,
					     O_CLOEXEC, &derived, NULL), 0);
		/* Queries work for any holder. */
		{
			struct secbuf_query qq;

			secbuf_query(other, g_ro, &qq);
			igt_assert_eq_u32(qq.rights, SECBUF_GRANT_READ);
			igt_assert_eq_u32(secbuf_get_seals(other, buf), 0);
		}

		/* Mappings follow the rights of each fd. */
		p = secbuf_mmap(g_ro, SECBUF_SZ_64K, PROT_READ);
		secbuf_assert_filled(p, SECBUF_SZ_64K, 3);
		secbuf_munmap(p, SECBUF_SZ_64K);
		igt_assert(!__secbuf_mmap(g_ro, SECBUF_SZ_64K, 0, PROT_READ | PROT_WRITE,
					  MAP_SHARED));
		igt_assert_eq(errno, EACCES);
		p = secbuf_mmap(derived, SECBUF_SZ_64K, PROT_READ);
		secbuf_assert_filled(p, SECBUF_SZ_64K, 3);
		secbuf_munmap(p, SECBUF_SZ_64K);
		p = secbuf_mmap(g_rw, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);
		secbuf_assert_filled(p, SECBUF_SZ_64K, 3);
		secbuf_munmap(p, SECBUF_SZ_64K);
		/* Bound to the parent: not for this process. */
		igt_assert(!__secbuf_mmap(g_bound, SECBUF_SZ_64K, 0, PROT_READ,
					  MAP_SHARED));
		igt_assert_eq(errno, EACCES);
		errno = 0;

		/*
		 * The owner's pool file is the owner, whoever holds it: passed
		 * to this process, it revokes and allocates.
		 */
		igt_assert_eq(__secbuf_revoke(owner, victim, 0, &q), 0);
		close(secbuf_alloc(owner, SECBUF_SZ_4K, 0, O_RDWR | O_CLOEXEC));
		close(derived);
	}
	igt_waitchildren();

	/* Nothing the child did touched the buffer. */
	{
		char *p = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ);

		secbuf_assert_filled(p, SECBUF_SZ_64K, 3);
		secbuf_munmap(p, SECBUF_SZ_64K);
	}
	close(g_bound);
	close(parent_pidfd);
	close(g_rg);
	close(g_rw);
	close(g_ro);
	close(victim);
	close(buf);
	close(other);
	close(owner);
	secbuf_pool_assert_idle(pool);
}

/*
 * The random rounds as uid 1000: the world is made as root (opening the
 * nodes needs it), then the child drops its privileges and works with the
 * fds it inherited. What it makes again (buffers of its pool file, grants,
 * imports through the vgem file it has) needs no open().
 */
static void test_unprivileged_random(void)
{
	uint64_t seed = secbuf_stress_seed();
	struct world w;
	int go[2];

	igt_require_f(geteuid() == 0, "needs root to become uid %d\n",
		      UNPRIV_UID);

	world_init(&w, false);
	/* dma-heap buffers can only be made through an open node. */
	obj_destroy(&w, K_HEAP);
	close(w.heap_fd);
	w.heap_fd = -1;
	igt_assert_eq(pipe2(go, O_CLOEXEC), 0);
	igt_fork(child, 1) {
		char c;

		close(go[1]);
		drop_privileges();
		/* Only its fds may hold the world's buffers. */
		igt_assert_eq(read(go[0], &c, 1), 1);
		close(go[0]);
		random_rounds(&w, seed, -1, hostile_rounds() * 2);
		world_fini(&w);
	}
	close(go[0]);
	world_close_fds(&w);
	igt_assert_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	igt_waitchildren();
	secbuf_params_restore();
	secbuf_pool_assert_idle(pool);
}

/* The kernels differ in what the zoo's vgem-imported buffer is. */
#define VGEM_SEAL_NOTE	" SEAL_WRITE of the buffer vgem imported is EBUSY " \
			"before 7.0, where the import maps it for device " \
			"writes; on 7.x the import only attaches and the " \
			"seal succeeds."

igt_main
{
	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		close(fd);
		secbuf_pool_assert_idle(pool);
	}

	for (int i = 0; i < NR_IOCTLS; i++) {
		igt_describe_f("Seeded rounds of %s with fields at edge values, "
			       "every struct size and pointer kind, and every "
			       "kind of fd; each errno is one the uapi table "
			       "gives for the conditions that hold, nothing is "
			       "left by a failure, a success returns what it "
			       "says.%s", ioctl_names[i],
			       strcmp(ioctl_names[i], "seal") ? "" :
			       VGEM_SEAL_NOTE);
		igt_subtest_f("random-args-%s", ioctl_names[i])
			test_random_args(i);
	}

	igt_describe("All the ioctls mixed, the same checks." VGEM_SEAL_NOTE);
	igt_subtest("random-args-mixed")
		test_random_args(-1);

	igt_describe("mmap with offsets, lengths, protections and flags at the "
		     "edges (zero, unaligned, the buffer's end, past it, "
		     "overflowing, beyond the address space) on the owner's "
		     "handle and on read-only, read-write, DMA-only and revoked "
		     "grants: the errno of mmap(2), the dma-buf core or secbuf, "
		     "and a mapping that works maps the right bytes.");
	igt_subtest("mmap-edges")
		test_mmap_edges(secbuf_stress_seed());

	igt_describe("udmabuf's dma-buf (another exporter) named as the buffer "
		     "of every ioctl, and as a pidfd, is EINVAL; then the random "
		     "rounds with it in the zoo." VGEM_SEAL_NOTE);
	igt_subtest("wrong-fd-udmabuf")
		test_udmabuf();

	igt_describe("As uid 1000: the nodes (mode 0600 root) refuse open with "
		     "EACCES; fds passed to it obey every owner check (EPERM "
		     "through a pool file that does not own the buffer, also "
		     "with the owner's own dma-buf), rights (EACCES) and "
		     "binding (EACCES); the owner's pool file, passed on, is "
		     "the owner.");
	igt_subtest("unprivileged-uid1000")
		test_unprivileged();

	igt_describe("The mixed random rounds as uid 1000, on fds made before "
		     "privileges were dropped." VGEM_SEAL_NOTE);
	igt_subtest("unprivileged-random-args")
		test_unprivileged_random();
}
