// SPDX-License-Identifier: MIT
/*
 * Helpers for the secbuf tests. See igt_secbuf.h.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_secbuf.h"

const char *secbuf_pool_name(void)
{
	const char *name = getenv("SECBUF_POOL");

	return name && *name ? name : "gpu";
}

/*
 * The second pool, for the subtests about two pools: SECBUF_POOL2, or
 * "camera" (the arm64 virt board's) when it is unset. The harness sets it
 * empty on a board that declares a single pool: there is no such pool, so
 * secbuf_open_pool() skips with SECBUF_NO_POOL2 and idle checks have
 * nothing to check.
 */
const char *secbuf_pool2_name(void)
{
	const char *name = getenv("SECBUF_POOL2");

	return name ? name : "camera";
}

size_t secbuf_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int open_node(const char *dir, const char *pool)
{
	char path[PATH_MAX];
	int fd;

	if (!*pool)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, pool);
	fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/**
 * __secbuf_open_pool: open a new pool file on /dev/secbuf/@pool.
 * Returns: the fd, or -errno.
 */
int __secbuf_open_pool(const char *pool)
{
	return open_node(SECBUF_DEV_DIR, pool);
}

/**
 * secbuf_open_pool: like __secbuf_open_pool(), but skips when the pool does
 * not exist and fails on any other error.
 */
int secbuf_open_pool(const char *pool)
{
	int fd = __secbuf_open_pool(pool);

	igt_require_f(*pool, "%s\n", SECBUF_NO_POOL2);
	igt_require_f(fd != -ENOENT, "no pool \"%s\": %s/%s does not exist\n",
		      pool, SECBUF_DEV_DIR, pool);
	igt_assert_f(fd >= 0, "open %s/%s: %s\n", SECBUF_DEV_DIR, pool,
		     strerror(-fd));

	return fd;
}

int __secbuf_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);

	return ret == -1 ? -errno : ret;
}

/**
 * __secbuf_alloc_full: SECBUF_IOC_ALLOC with a caller-built argument.
 * Returns: 0 or -errno. On success @arg holds fd, id and alloc_size.
 */
int __secbuf_alloc_full(int fd, struct secbuf_alloc *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_ALLOC, arg);

	errno = 0;
	return ret;
}

int secbuf_alloc_full(int fd, struct secbuf_alloc *arg)
{
	igt_assert_eq(__secbuf_alloc_full(fd, arg), 0);
	igt_assert_fd((int)arg->fd);

	return (int)arg->fd;
}

/**
 * __secbuf_alloc: allocate a buffer of @size bytes from the pool file @fd.
 * Returns: 0 and the dma-buf fd in @out, or -errno.
 */
int __secbuf_alloc(int fd, uint64_t size, uint32_t flags, uint32_t fd_flags,
		   int *out)
{
	struct secbuf_alloc arg = {
		.size = size,
		.flags = flags,
		.fd_flags = fd_flags,
	};
	int ret;

	ret = __secbuf_alloc_full(fd, &arg);
	if (ret == 0)
		*out = (int)arg.fd;

	return ret;
}

int secbuf_alloc(int fd, uint64_t size, uint32_t flags, uint32_t fd_flags)
{
	int dmabuf = -1;

	igt_assert_eq(__secbuf_alloc(fd, size, flags, fd_flags, &dmabuf), 0);
	igt_assert_fd(dmabuf);

	return dmabuf;
}

int __secbuf_pool_info(int fd, struct secbuf_pool_info *info)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = __secbuf_ioctl(fd, SECBUF_IOC_POOL_INFO, info);
	errno = 0;

	return ret;
}

void secbuf_pool_info(int fd, struct secbuf_pool_info *info)
{
	igt_assert_eq(__secbuf_pool_info(fd, info), 0);
}

int __secbuf_open_heap(const char *pool)
{
	return open_node(SECBUF_HEAP_DIR, pool);
}

int secbuf_open_heap(const char *pool)
{
	int fd = __secbuf_open_heap(pool);

	igt_require_f(fd != -ENOENT, "no heap: %s/%s does not exist\n",
		      SECBUF_HEAP_DIR, pool);
	igt_assert_f(fd >= 0, "open %s/%s: %s\n", SECBUF_HEAP_DIR, pool,
		     strerror(-fd));

	return fd;
}

int __secbuf_heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
			uint64_t heap_flags, int *out)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};
	int ret;

	ret = __secbuf_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
	errno = 0;
	if (ret == 0)
		*out = (int)data.fd;

	return ret;
}

int secbuf_heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags)
{
	int dmabuf = -1;

	igt_assert_eq(__secbuf_heap_alloc(heap_fd, len, fd_flags, heap_flags,
					  &dmabuf), 0);
	igt_assert_fd(dmabuf);

	return dmabuf;
}

/**
 * __secbuf_mmap: mmap() @size bytes of @dmabuf at @offset.
 * Returns: the mapping, or NULL with errno set.
 */
void *__secbuf_mmap(int dmabuf, size_t size, off_t offset, int prot, int flags)
{
	void *ptr = mmap(NULL, size, prot, flags, dmabuf, offset);

	return ptr == MAP_FAILED ? NULL : ptr;
}

void *secbuf_mmap(int dmabuf, size_t size, int prot)
{
	void *ptr = __secbuf_mmap(dmabuf, size, 0, prot, MAP_SHARED);

	igt_assert_f(ptr, "mmap of %zu bytes failed\n", size);
	errno = 0;

	return ptr;
}

void secbuf_munmap(void *ptr, size_t size)
{
	igt_assert_eq(munmap(ptr, size), 0);
}

int __secbuf_dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };
	int ret = __secbuf_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);

	errno = 0;
	return ret;
}

void secbuf_dmabuf_sync(int dmabuf, uint64_t flags)
{
	igt_assert_eq(__secbuf_dmabuf_sync(dmabuf, flags), 0);
}

int __secbuf_dmabuf_set_name(int dmabuf, const char *name)
{
	/* DMA_BUF_SET_NAME takes the string itself, not a struct. */
	int ret = ioctl(dmabuf, DMA_BUF_SET_NAME, name);

	ret = ret == -1 ? -errno : 0;
	errno = 0;
	return ret;
}

uint64_t secbuf_dmabuf_size(int dmabuf)
{
	off_t size = lseek(dmabuf, 0, SEEK_END);

	igt_assert_f(size >= 0, "lseek(SEEK_END) on a dma-buf failed\n");
	igt_assert_eq(lseek(dmabuf, 0, SEEK_SET), 0);

	return (uint64_t)size;
}

/**
 * secbuf_dmabuf_fdinfo_get: read "@key:\t<value>" from /proc/self/fdinfo/@fd.
 * Returns: true and the value (without newline) in @value if present.
 */
bool secbuf_dmabuf_fdinfo_get(int fd, const char *key, char *value, size_t len)
{
	char path[64], line[256];
	size_t keylen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	igt_assert_f(f, "cannot open %s\n", path);

	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, keylen) || line[keylen] != ':')
			continue;

		snprintf(value, len, "%s", line + keylen + 1 + strspn(line + keylen + 1, "\t "));
		value[strcspn(value, "\n")] = '\0';
		found = true;
		break;
	}
	fclose(f);

	return found;
}

/*
 * A pattern that differs per 8 byte word and per seed, so a page showing up
 * at the wrong offset or from another buffer is caught too.
 */
static inline uint64_t pattern_word(uint64_t seed, size_t i)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)i;
}

void secbuf_fill(void *ptr, size_t size, uint64_t seed)
{
	volatile uint64_t *p = ptr;

	for (size_t i = 0; i < size / 8; i++)
		p[i] = pattern_word(seed, i);
}

void secbuf_assert_filled(const void *ptr, size_t size, uint64_t seed)
{
	const volatile uint64_t *p = ptr;

	for (size_t i = 0; i < size / 8; i++) {
		uint64_t v = p[i];

		igt_assert_f(v == pattern_word(seed, i),
			     "offset %#zx of %#zx: found %#" PRIx64
			     ", expected %#" PRIx64 " (seed %" PRIu64 ")\n",
			     i * 8, size, v, pattern_word(seed, i), seed);
	}
}

void secbuf_assert_zero(const void *ptr, size_t size)
{
	const volatile uint64_t *p = ptr;

	for (size_t i = 0; i < size / 8; i++) {
		uint64_t v = p[i];

		igt_assert_f(v == 0, "offset %#zx of %#zx is %#" PRIx64
			     ", not zero\n", i * 8, size, v);
	}
}

static int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);

	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static uint64_t parse_u64(const char *what, const char *buf)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(buf, &end, 0);
	igt_assert_f(errno == 0 && end != buf && *end == '\0',
		     "%s: \"%s\" is not a number\n", what, buf);

	return v;
}

bool secbuf_pool_has_sysfs(const char *pool)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/secbuf-%s/used_bytes",
		 SECBUF_SYSFS_DIR, pool);

	return access(path, R_OK) == 0;
}

uint64_t secbuf_pool_sysfs(const char *pool, const char *attr)
{
	char path[PATH_MAX], buf[64];
	int ret;

	snprintf(path, sizeof(path), "%s/secbuf-%s/%s", SECBUF_SYSFS_DIR,
		 pool, attr);
	ret = sysfs_read(path, buf, sizeof(buf));
	igt_assert_f(ret == 0, "cannot read %s: %s\n", path, strerror(-ret));

	return parse_u64(path, buf);
}

static bool pool_has_attr(const char *pool, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/secbuf-%s/%s", SECBUF_SYSFS_DIR,
		 pool, attr);
	return access(path, R_OK) == 0;
}

/**
 * secbuf_pool_assert_idle: assert from sysfs that @pool holds no buffer and
 * nothing of one: no used bytes, no buffers, no memory taken from CMA but
 * the chunk cache (cma_bytes - cached_bytes, docs/driver-api.md), and the
 * whole pool free in one range.
 */
void secbuf_pool_assert_idle(const char *pool)
{
	uint64_t used, buffers, total, largest, cma, cached;

	/* The second pool of a single-pool board: nothing to check. */
	if (!*pool)
		return;
	used = secbuf_pool_sysfs(pool, "used_bytes");
	buffers = secbuf_pool_sysfs(pool, "buffers");
	total = secbuf_pool_sysfs(pool, "total_bytes");
	largest = secbuf_pool_sysfs(pool, "largest_free_bytes");
	cma = pool_has_attr(pool, "cma_bytes") ?
	      secbuf_pool_sysfs(pool, "cma_bytes") : 0;
	/* Free chunks the pool keeps from CMA hold no buffer's memory. */
	cached = pool_has_attr(pool, "cached_bytes") ?
		 secbuf_pool_sysfs(pool, "cached_bytes") : 0;

	igt_assert_f(used == 0 && buffers == 0,
		     "pool %s not idle: used_bytes %" PRIu64 ", buffers %"
		     PRIu64 "\n", pool, used, buffers);
	igt_assert_f(cma == cached && largest == total,
		     "pool %s has no buffer but holds memory: cma_bytes %"
		     PRIu64 " (cached %" PRIu64 "), largest_free_bytes %"
		     PRIu64 " of %" PRIu64 "\n",
		     pool, cma, cached, largest, total);
}

int secbuf_next_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	igt_assert_fd(fd);
	close(fd);

	return fd;
}

int secbuf_count_open_fds(void)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	igt_assert(dir);
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			count++;
	closedir(dir);

	/* Not counting the directory's own fd. */
	return count - 1;
}

void secbuf_snapshot(struct secbuf_snapshot *s, const char *pool)
{
	s->pool = pool;
	s->next_fd = secbuf_next_free_fd();
	s->open_fds = secbuf_count_open_fds();
	s->used_bytes = secbuf_pool_sysfs(pool, "used_bytes");
	s->buffers = secbuf_pool_sysfs(pool, "buffers");
}

void secbuf_assert_unchanged(const struct secbuf_snapshot *before)
{
	struct secbuf_snapshot now;

	secbuf_snapshot(&now, before->pool);
	igt_assert_f(now.next_fd == before->next_fd,
		     "next free fd moved from %d to %d: an fd was left behind\n",
		     before->next_fd, now.next_fd);
	igt_assert_eq(now.open_fds, before->open_fds);
	igt_assert_eq_u64(now.used_bytes, before->used_bytes);
	igt_assert_eq_u64(now.buffers, before->buffers);
}

/* ---- Module parameters ------------------------------------------------- */

#define MAX_SAVED_PARAMS 8
static struct {
	char name[64];
	char value[64];
} saved_params[MAX_SAVED_PARAMS];
static int num_saved_params;

static void param_path(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/%s", SECBUF_PARAM_DIR, name);
}

bool secbuf_param_exists(const char *name)
{
	char path[PATH_MAX];

	param_path(path, sizeof(path), name);
	return access(path, R_OK) == 0;
}

int __secbuf_param_read(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];

	param_path(path, sizeof(path), name);
	return sysfs_read(path, buf, len);
}

uint64_t secbuf_param_get(const char *name)
{
	char buf[64];
	int ret = __secbuf_param_read(name, buf, sizeof(buf));

	igt_require_f(ret != -ENOENT, "no module parameter %s\n", name);
	igt_assert_f(ret == 0, "cannot read parameter %s: %s\n", name,
		     strerror(-ret));

	return parse_u64(name, buf);
}

int __secbuf_param_write(const char *name, const char *value)
{
	char path[PATH_MAX];
	ssize_t len = (ssize_t)strlen(value);
	ssize_t n;
	int fd;

	param_path(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	n = write(fd, value, len);
	n = n < 0 ? -errno : (n == len ? 0 : -EIO);
	close(fd);

	return (int)n;
}

static void params_exit_handler(int sig)
{
	(void)sig;
	secbuf_params_restore();
}

static void param_save(const char *name)
{
	int i, ret;

	for (i = 0; i < num_saved_params; i++)
		if (!strcmp(saved_params[i].name, name))
			return;

	igt_assert(num_saved_params < MAX_SAVED_PARAMS);
	snprintf(saved_params[i].name, sizeof(saved_params[i].name), "%s", name);
	ret = __secbuf_param_read(name, saved_params[i].value,
				  sizeof(saved_params[i].value));
	igt_require_f(ret != -ENOENT, "no module parameter %s\n", name);
	igt_assert_f(ret == 0, "cannot read parameter %s: %s\n", name,
		     strerror(-ret));
	num_saved_params++;

	igt_install_exit_handler(params_exit_handler);
}

void secbuf_param_set(const char *name, uint64_t value)
{
	char buf[32];
	int ret;

	param_save(name);
	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	ret = __secbuf_param_write(name, buf);
	igt_assert_f(ret == 0, "cannot write %s to parameter %s: %s\n",
		     buf, name, strerror(-ret));
	igt_assert_eq_u64(secbuf_param_get(name), value);
}

/**
 * secbuf_params_restore: write back every parameter secbuf_param_set()
 * changed. Safe to call at any time, and more than once.
 */
void secbuf_params_restore(void)
{
	while (num_saved_params > 0) {
		num_saved_params--;
		if (__secbuf_param_write(saved_params[num_saved_params].name,
					 saved_params[num_saved_params].value))
			fprintf(stderr, "could not restore %s=%s\n",
				saved_params[num_saved_params].name,
				saved_params[num_saved_params].value);
	}
}

/* ---- Module load and unload ------------------------------------------- */

bool secbuf_module_is_loaded(void)
{
	return access("/sys/module/" SECBUF_MODULE_NAME "/initstate", R_OK) == 0;
}

const char *secbuf_module_path(void)
{
	const char *path = getenv("SECBUF_KO");

	return path && *path ? path : SECBUF_KO_DEFAULT;
}

/**
 * __secbuf_module_unload: delete_module("secbuf", O_NONBLOCK).
 * Returns: 0 or -errno.
 */
int __secbuf_module_unload(void)
{
	int ret = (int)syscall(SYS_delete_module, SECBUF_MODULE_NAME, O_NONBLOCK);

	ret = ret ? -errno : 0;
	errno = 0;
	return ret;
}

/**
 * __secbuf_module_load: finit_module() of the file at @path.
 * Returns: 0 or -errno.
 */
int __secbuf_module_load(const char *path, const char *params)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	ret = (int)syscall(SYS_finit_module, fd, params ?: "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	errno = 0;

	return ret;
}

/* ---- Owner management: revoke, grant, list, query ---------------------- */

/**
 * __secbuf_revoke_full: SECBUF_IOC_REVOKE with a caller-built argument.
 * Returns: 0 or -errno; on success @arg->quarantined_bytes is filled.
 */
int __secbuf_revoke_full(int fd, struct secbuf_revoke *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_REVOKE, arg);

	errno = 0;
	return ret;
}

/**
 * __secbuf_revoke: revoke the buffer of @buf_fd (@grant_id 0) or one grant.
 * Returns: 0 and the pool's quarantined bytes in @quarantined (may be
 * NULL), or -errno.
 */
int __secbuf_revoke(int fd, int buf_fd, uint64_t grant_id,
		    uint64_t *quarantined)
{
	struct secbuf_revoke arg = {
		.buf_fd = (uint32_t)buf_fd,
		.grant_id = grant_id,
	};
	int ret = __secbuf_revoke_full(fd, &arg);

	if (ret == 0 && quarantined)
		*quarantined = arg.quarantined_bytes;
	return ret;
}

uint64_t secbuf_revoke(int fd, int buf_fd, uint64_t grant_id)
{
	uint64_t quarantined = 0;

	igt_assert_eq(__secbuf_revoke(fd, buf_fd, grant_id, &quarantined), 0);
	return quarantined;
}

int __secbuf_grant_full(int fd, struct secbuf_grant *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_GRANT, arg);

	errno = 0;
	return ret;
}

/**
 * __secbuf_grant: a new handle with @rights on the buffer of @buf_fd.
 * Returns: 0, the new fd in @out and its id in @grant_id (may be NULL), or
 * -errno.
 */
int __secbuf_grant(int fd, int buf_fd, uint32_t rights, uint32_t fd_flags,
		   int *out, uint64_t *grant_id)
{
	struct secbuf_grant arg = {
		.buf_fd = (uint32_t)buf_fd,
		.rights = rights,
		.fd_flags = fd_flags,
	};
	int ret = __secbuf_grant_full(fd, &arg);

	if (ret == 0) {
		*out = (int)arg.fd;
		if (grant_id)
			*grant_id = arg.grant_id;
	}
	return ret;
}

int secbuf_grant(int fd, int buf_fd, uint32_t rights, uint64_t *grant_id)
{
	int grant = -1;

	igt_assert_eq(__secbuf_grant(fd, buf_fd, rights, O_CLOEXEC, &grant,
				     grant_id), 0);
	igt_assert_fd(grant);
	return grant;
}

int __secbuf_grant_list(int fd, struct secbuf_grant_list *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_GRANT_LIST, arg);

	errno = 0;
	return ret;
}

/* Returns the number of grants; at most @count are written to @info. */
uint32_t secbuf_grant_list(int fd, int buf_fd, struct secbuf_grant_info *info,
			   uint32_t count)
{
	struct secbuf_grant_list arg = {
		.buf_fd = (uint32_t)buf_fd,
		.count = count,
		.grants = (uintptr_t)info,
		.info_size = sizeof(*info),
	};

	igt_assert_eq(__secbuf_grant_list(fd, &arg), 0);
	return arg.count;
}

int __secbuf_query(int fd, int buf_fd, struct secbuf_query *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->buf_fd = (uint32_t)buf_fd;
	ret = __secbuf_ioctl(fd, SECBUF_IOC_QUERY, q);
	errno = 0;
	return ret;
}

void secbuf_query(int fd, int buf_fd, struct secbuf_query *q)
{
	igt_assert_eq(__secbuf_query(fd, buf_fd, q), 0);
}

/* ---- Bound grants and seals --------------------------------------------- */

/**
 * __secbuf_grant_pidfd: a grant of @rights on the buffer of @buf_fd, bound
 * with %SECBUF_GRANT_PIDFD to the process of @pidfd.
 * Returns: 0, the new fd in @out and its id in @grant_id (may be NULL), or
 * -errno.
 */
int __secbuf_grant_pidfd(int fd, int buf_fd, uint32_t rights, int pidfd,
			 uint32_t fd_flags, int *out, uint64_t *grant_id)
{
	struct secbuf_grant arg = {
		.buf_fd = (uint32_t)buf_fd,
		.rights = rights,
		.flags = SECBUF_GRANT_PIDFD,
		.pidfd = (uint32_t)pidfd,
		.fd_flags = fd_flags,
	};
	int ret = __secbuf_grant_full(fd, &arg);

	if (ret == 0) {
		*out = (int)arg.fd;
		if (grant_id)
			*grant_id = arg.grant_id;
	}
	return ret;
}

int secbuf_grant_pidfd(int fd, int buf_fd, uint32_t rights, int pidfd,
		       uint64_t *grant_id)
{
	int grant = -1;

	igt_assert_eq(__secbuf_grant_pidfd(fd, buf_fd, rights, pidfd,
					   O_CLOEXEC, &grant, grant_id), 0);
	igt_assert_fd(grant);
	return grant;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434	/* the same on every architecture */
#endif

/**
 * __secbuf_pidfd_open: pidfd_open(@pid, @flags).
 * Returns: the pidfd (close-on-exec, as pidfds always are), or -errno.
 */
int __secbuf_pidfd_open(pid_t pid, unsigned int flags)
{
	int ret = (int)syscall(SYS_pidfd_open, pid, flags);

	ret = ret < 0 ? -errno : ret;
	errno = 0;
	return ret;
}

int secbuf_pidfd_open(pid_t pid)
{
	int pidfd = __secbuf_pidfd_open(pid, 0);

	igt_assert_f(pidfd >= 0, "pidfd_open(%d): %s\n", (int)pid,
		     strerror(-pidfd));
	return pidfd;
}

int __secbuf_seal_full(int fd, struct secbuf_seal *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_SEAL, arg);

	errno = 0;
	return ret;
}

/**
 * __secbuf_seal: add @seals to the buffer of @buf_fd.
 * Returns: 0 and every seal of the buffer in @now (may be NULL), or -errno.
 */
int __secbuf_seal(int fd, int buf_fd, uint32_t seals, uint32_t *now)
{
	struct secbuf_seal arg = {
		.buf_fd = (uint32_t)buf_fd,
		.seals = seals,
	};
	int ret = __secbuf_seal_full(fd, &arg);

	if (ret == 0 && now)
		*now = arg.seals;
	return ret;
}

/* Returns every seal of the buffer after adding @seals. */
uint32_t secbuf_seal(int fd, int buf_fd, uint32_t seals)
{
	uint32_t now = 0;

	igt_assert_eq(__secbuf_seal(fd, buf_fd, seals, &now), 0);
	igt_assert_f((now & seals) == seals, "SEAL %#x returned seals %#x\n",
		     seals, now);
	return now;
}

int __secbuf_get_seals_full(int fd, struct secbuf_seal *arg)
{
	int ret = __secbuf_ioctl(fd, SECBUF_IOC_GET_SEALS, arg);

	errno = 0;
	return ret;
}

int __secbuf_get_seals(int fd, int buf_fd, uint32_t *seals)
{
	struct secbuf_seal arg = { .buf_fd = (uint32_t)buf_fd };
	int ret = __secbuf_get_seals_full(fd, &arg);

	if (ret == 0)
		*seals = arg.seals;
	return ret;
}

uint32_t secbuf_get_seals(int fd, int buf_fd)
{
	uint32_t seals = 0;

	igt_assert_eq(__secbuf_get_seals(fd, buf_fd, &seals), 0);
	return seals;
}

/* ---- fd passing --------------------------------------------------------- */

void secbuf_send_fd(int sock, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
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

	igt_assert_eq(sendmsg(sock, &mh, 0), 1);
}

int secbuf_recv_fd(int sock)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int fd = -1;

	igt_assert_eq(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), 1);
	igt_assert(!(mh.msg_flags & MSG_CTRUNC));
	cmsg = CMSG_FIRSTHDR(&mh);
	igt_assert(cmsg && cmsg->cmsg_level == SOL_SOCKET &&
		   cmsg->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	igt_assert_fd(fd);
	return fd;
}

/* ---- SIGBUS probes ------------------------------------------------------ */

static int __secbuf_write_all(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

struct probe_report {
	int32_t sig;		/* 0: the access worked */
	int32_t code;
	uint64_t addr;		/* si_addr */
	uint64_t value;		/* the word read */
};

static int probe_pipe = -1;

static void probe_handler(int sig, siginfo_t *si, void *ctx)
{
	struct probe_report r = {
		.sig = sig,
		.code = si->si_code,
		.addr = (uintptr_t)si->si_addr,
	};

	(void)ctx;
	if (write(probe_pipe, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(1);
}

int __secbuf_probe(void *addr, bool write, uint64_t *value, int *code)
{
	struct probe_report r = { .sig = -1 };
	int pfd[2], status;
	pid_t pid;

	igt_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = probe_handler,
					.sa_flags = SA_SIGINFO };
		volatile uint64_t *p = addr;

		close(pfd[0]);
		probe_pipe = pfd[1];
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);

		r.sig = 0;
		if (write)
			*p = *value;
		r.value = *p;
		if (__secbuf_write_all(pfd[1], &r, sizeof(r)))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	igt_assert_eq(read(pfd[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(pfd[0]);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status), "probe child died of signal %d\n",
		     WIFSIGNALED(status) ? WTERMSIG(status) : -1);

	if (r.sig == 0) {
		if (value)
			*value = r.value;
		return 0;
	}
	igt_assert_f(r.addr == (uintptr_t)addr,
		     "signal %d (code %d) reported si_addr %#" PRIx64
		     ", touched %p\n", r.sig, r.code, r.addr, addr);
	if (code)
		*code = r.code;
	return r.sig;
}

int secbuf_probe(void *addr, bool write, uint64_t *value)
{
	int code = 0;
	int sig = __secbuf_probe(addr, write, value, &code);

	igt_assert_f(sig == 0 || sig == SIGBUS,
		     "touching %p raised signal %d (code %d), not SIGBUS\n",
		     addr, sig, code);
	return sig;
}

void secbuf_assert_sigbus(void *addr, bool write)
{
	uint64_t v = 0x5ec0b05;

	igt_assert_f(secbuf_probe(addr, write, &v) == SIGBUS,
		     "%s %p worked (read %#" PRIx64 "), expected SIGBUS\n",
		     write ? "writing" : "reading", addr, v);
}

void secbuf_assert_access(void *addr, bool write, uint64_t *value)
{
	igt_assert_f(secbuf_probe(addr, write, value) == 0,
		     "%s %p raised SIGBUS\n", write ? "writing" : "reading",
		     addr);
}

/* ---- sync_file export and import (DMA_BUF_IOCTL_EXPORT/IMPORT_SYNC_FILE) ---- */

int __secbuf_dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *out)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };
	int ret = __secbuf_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);

	errno = 0;
	if (ret == 0)
		*out = arg.fd;
	return ret;
}

int __secbuf_dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sync };
	int ret = __secbuf_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);

	errno = 0;
	return ret;
}

bool secbuf_heap_is_core(void)
{
	struct utsname u;
	int major = 0;

	igt_assert_eq(uname(&u), 0);
	igt_assert_eq(sscanf(u.release, "%d", &major), 1);
	return major >= 7 && access("/sys/class/dma_heap", F_OK) == 0;
}
