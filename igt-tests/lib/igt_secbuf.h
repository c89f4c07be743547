/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the secbuf tests, in IGT style: __thing() returns 0 or -errno
 * (or NULL with errno set), thing() asserts that it worked.
 *
 * Everything goes through raw ioctls and sysfs reads, never libsecbuf, so the
 * tests check the kernel ABI itself.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_SECBUF_H
#define IGT_SECBUF_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/secbuf.h>

#define SECBUF_DEV_DIR		"/dev/secbuf"
#define SECBUF_HEAP_DIR		"/dev/dma_heap"
#define SECBUF_SYSFS_DIR	"/sys/class/misc"
#define SECBUF_PARAM_DIR	"/sys/module/secbuf/parameters"
#define SECBUF_MODULE_NAME	"secbuf"
#define SECBUF_KO_DEFAULT	"/lib/modules/secbuf.ko"

#define SECBUF_SZ_4K	(4096ULL)
#define SECBUF_SZ_64K	(64ULL << 10)
#define SECBUF_SZ_1M	(1ULL << 20)
#define SECBUF_SZ_2M	(2ULL << 20)
#define SECBUF_SZ_4M	(4ULL << 20)
#define SECBUF_SZ_64M	(64ULL << 20)

/*
 * Pool names: $SECBUF_POOL (default "gpu"), $SECBUF_POOL2 ("camera"; empty
 * on a board with a single pool, where the subtests that need a second pool
 * skip with this reason, which the harness reports as N/A on such a board).
 */
#define SECBUF_NO_POOL2 "needs a second pool: this board declares one (SECBUF_POOL2 is empty)"
const char *secbuf_pool_name(void);
const char *secbuf_pool2_name(void);
size_t secbuf_page_size(void);

/* Pool files: /dev/secbuf/<pool>, opened O_RDWR | O_CLOEXEC. */
int __secbuf_open_pool(const char *pool);
int secbuf_open_pool(const char *pool);

/* ioctl(), restarted on EINTR; returns 0 or -errno. */
int __secbuf_ioctl(int fd, unsigned long request, void *arg);

/* SECBUF_IOC_ALLOC. */
int __secbuf_alloc(int fd, uint64_t size, uint32_t flags, uint32_t fd_flags,
		   int *out);
int secbuf_alloc(int fd, uint64_t size, uint32_t flags, uint32_t fd_flags);
int __secbuf_alloc_full(int fd, struct secbuf_alloc *arg);
int secbuf_alloc_full(int fd, struct secbuf_alloc *arg);

/* SECBUF_IOC_POOL_INFO. */
int __secbuf_pool_info(int fd, struct secbuf_pool_info *info);
void secbuf_pool_info(int fd, struct secbuf_pool_info *info);

/* The pool's dma-heap, /dev/dma_heap/<pool>, and DMA_HEAP_IOCTL_ALLOC. */
/*
 * Whether /dev/dma_heap/<pool> is a heap of the kernel's dma-heap core:
 * where its framework takes heaps from modules (7.x with
 * CONFIG_DMABUF_HEAPS, which exports dma_heap_add()), secbuf_dma_heap.ko
 * adds the pools' heaps and they outlive secbuf (the core cannot remove a
 * heap). Elsewhere (Debian's arm64 kernels have no framework, 6.12 exports
 * nothing of it) secbuf's own misc device serves the node, and an open one
 * keeps secbuf loaded.
 */
bool secbuf_heap_is_core(void);
int __secbuf_open_heap(const char *pool);
int secbuf_open_heap(const char *pool);
int __secbuf_heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
			uint64_t heap_flags, int *out);
int secbuf_heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags);

/* Mappings of a dma-buf fd (MAP_SHARED). __secbuf_mmap() returns NULL. */
void *__secbuf_mmap(int dmabuf, size_t size, off_t offset, int prot, int flags);
void *secbuf_mmap(int dmabuf, size_t size, int prot);
void secbuf_munmap(void *ptr, size_t size);

/* dma-buf ioctls. */
int __secbuf_dmabuf_sync(int dmabuf, uint64_t flags);
void secbuf_dmabuf_sync(int dmabuf, uint64_t flags);
int __secbuf_dmabuf_set_name(int dmabuf, const char *name);
uint64_t secbuf_dmabuf_size(int dmabuf);
bool secbuf_dmabuf_fdinfo_get(int fd, const char *key, char *value, size_t len);

/*
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE (the fences of a dma-buf's reservation
 * object a @flags access must wait for, as a sync_file, close on exec) and
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE (add the sync_file's fence for @flags):
 * 0 or -errno, the forms IGT's lib/dmabuf_sync_file.h lacks (its
 * dmabuf_export_sync_file() and dmabuf_import_sync_file() assert).
 */
int __secbuf_dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *out);
int __secbuf_dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync);

/* Buffer contents. */
void secbuf_fill(void *ptr, size_t size, uint64_t seed);
void secbuf_assert_filled(const void *ptr, size_t size, uint64_t seed);
void secbuf_assert_zero(const void *ptr, size_t size);

/*
 * /sys/class/misc/secbuf-<pool>/<attr>. secbuf_pool_assert_idle() also
 * checks that an idle pool holds no memory (cma_bytes 0, everything free).
 */
bool secbuf_pool_has_sysfs(const char *pool);
uint64_t secbuf_pool_sysfs(const char *pool, const char *attr);
void secbuf_pool_assert_idle(const char *pool);

/* Lowest free fd number, and how many fds are open. */
int secbuf_next_free_fd(void);
int secbuf_count_open_fds(void);

/*
 * A failing call must leave nothing behind: take a snapshot before it and
 * assert nothing changed after it (fds, pool usage).
 */
struct secbuf_snapshot {
	const char *pool;
	int next_fd;
	int open_fds;
	uint64_t used_bytes;
	uint64_t buffers;
};
void secbuf_snapshot(struct secbuf_snapshot *s, const char *pool);
void secbuf_assert_unchanged(const struct secbuf_snapshot *before);

/*
 * Module parameters in /sys/module/secbuf/parameters/. The first
 * secbuf_param_set() of a parameter saves its value; secbuf_params_restore()
 * writes every saved value back. It also runs as an exit handler, so a
 * failing or crashing test does not leave the limits changed.
 */
bool secbuf_param_exists(const char *name);
int __secbuf_param_read(const char *name, char *buf, size_t len);
uint64_t secbuf_param_get(const char *name);
int __secbuf_param_write(const char *name, const char *value);
void secbuf_param_set(const char *name, uint64_t value);
void secbuf_params_restore(void);

/* Module unload and load. */
bool secbuf_module_is_loaded(void);
int __secbuf_module_unload(void);
int __secbuf_module_load(const char *path, const char *params);
const char *secbuf_module_path(void);

/*
 * Owner management (SECBUF_IOC_REVOKE, _GRANT, _GRANT_LIST, _QUERY), all
 * issued on the pool file @fd for the dma-buf @buf_fd.
 */
int __secbuf_revoke_full(int fd, struct secbuf_revoke *arg);
int __secbuf_revoke(int fd, int buf_fd, uint64_t grant_id,
		    uint64_t *quarantined);
uint64_t secbuf_revoke(int fd, int buf_fd, uint64_t grant_id);
int __secbuf_grant_full(int fd, struct secbuf_grant *arg);
int __secbuf_grant(int fd, int buf_fd, uint32_t rights, uint32_t fd_flags,
		   int *out, uint64_t *grant_id);
int secbuf_grant(int fd, int buf_fd, uint32_t rights, uint64_t *grant_id);
int __secbuf_grant_list(int fd, struct secbuf_grant_list *arg);
uint32_t secbuf_grant_list(int fd, int buf_fd, struct secbuf_grant_info *info,
			   uint32_t count);
int __secbuf_query(int fd, int buf_fd, struct secbuf_query *q);
void secbuf_query(int fd, int buf_fd, struct secbuf_query *q);

/*
 * SECBUF_IOC_GRANT bound to one process (SECBUF_GRANT_PIDFD), and pidfds
 * from pidfd_open(2) through syscall(), which needs no libc wrapper.
 */
int __secbuf_grant_pidfd(int fd, int buf_fd, uint32_t rights, int pidfd,
			 uint32_t fd_flags, int *out, uint64_t *grant_id);
int secbuf_grant_pidfd(int fd, int buf_fd, uint32_t rights, int pidfd,
		       uint64_t *grant_id);
int __secbuf_pidfd_open(pid_t pid, unsigned int flags);
int secbuf_pidfd_open(pid_t pid);

/*
 * SECBUF_IOC_SEAL (owner only; returns every seal of the buffer) and
 * SECBUF_IOC_GET_SEALS (any holder), on the pool file @fd.
 */
int __secbuf_seal_full(int fd, struct secbuf_seal *arg);
int __secbuf_seal(int fd, int buf_fd, uint32_t seals, uint32_t *now);
uint32_t secbuf_seal(int fd, int buf_fd, uint32_t seals);
int __secbuf_get_seals_full(int fd, struct secbuf_seal *arg);
int __secbuf_get_seals(int fd, int buf_fd, uint32_t *seals);
uint32_t secbuf_get_seals(int fd, int buf_fd);

/* SCM_RIGHTS over a unix socket: one fd with one byte. */
void secbuf_send_fd(int sock, int fd);
int secbuf_recv_fd(int sock);

/*
 * Touch @addr (read, or write @value when @write) in a forked child that
 * catches SIGBUS with SA_SIGINFO. Returns 0 and the word read in @value if
 * the access worked, SIGBUS if it raised SIGBUS at exactly @addr (asserted),
 * and fails on anything else.
 */
int secbuf_probe(void *addr, bool write, uint64_t *value);
/*
 * The same without asserting the signal: returns 0 if the access worked,
 * else the signal it raised, with its si_code in @code (may be NULL); the
 * signal must name @addr (asserted).
 */
int __secbuf_probe(void *addr, bool write, uint64_t *value, int *code);
void secbuf_assert_sigbus(void *addr, bool write);
void secbuf_assert_access(void *addr, bool write, uint64_t *value);

#endif /* IGT_SECBUF_H */
