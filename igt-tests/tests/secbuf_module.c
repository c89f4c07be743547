// SPDX-License-Identifier: MIT
/*
 * secbuf_module: module unload is refused while anything of secbuf is in
 * use, and works, followed by a clean reload, once nothing is.
 *
 * delete_module(name, O_NONBLOCK) on a module whose reference count is not
 * zero fails in try_stop_module() with -EWOULDBLOCK (kernel/module/main.c,
 * the same in 6.1 and 6.12); that is the errno asserted here. The module is
 * inserted again with finit_module() from $SECBUF_KO (default
 * /lib/modules/secbuf.ko) with the parameters it had, so later tests work;
 * an exit handler does the same if this binary dies while it is unloaded.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_stress.h"
#include "igt_secbuf_vgem.h"

IGT_TEST_DESCRIPTION("Module unload refused while a pool file, heap file, "
		     "buffer or mapping exists; unload and reload once "
		     "everything is closed.");

static const char *pool;
static char module_params[1024];

/* "name=value ..." of every readable parameter, to load with the same ones. */
static void save_module_params(void)
{
	struct dirent *de;
	size_t len = 0;
	DIR *dir;

	module_params[0] = '\0';
	dir = opendir(SECBUF_PARAM_DIR);
	if (!dir)
		return;

	while ((de = readdir(dir))) {
		char value[256];
		int n;

		if (de->d_name[0] == '.' ||
		    __secbuf_param_read(de->d_name, value, sizeof(value)))
			continue;

		n = snprintf(module_params + len, sizeof(module_params) - len,
			     "%s%s=\"%s\"", len ? " " : "", de->d_name, value);
		igt_assert(n > 0 && (size_t)n < sizeof(module_params) - len);
		len += n;
	}
	closedir(dir);
	igt_debug("module parameters: %s\n", module_params);
}

static bool wait_for_pool(bool present)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool);
	for (int i = 0; i < 200; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

static int load_module(void)
{
	int ret = __secbuf_module_load(secbuf_module_path(), module_params);

	if (ret == 0 && !wait_for_pool(true))
		ret = -ETIMEDOUT;
	return ret;
}

/* If we die with the module unloaded, leave it loaded for the next test. */
static void reload_exit_handler(int sig)
{
	(void)sig;
	if (!secbuf_module_is_loaded() && load_module())
		fprintf(stderr, "could not reload %s\n", secbuf_module_path());
}

static void assert_unload_refused(void)
{
	igt_assert_eq(__secbuf_module_unload(), -EWOULDBLOCK);
	igt_assert(secbuf_module_is_loaded());
}

/* The pool still works after a refused unload. */
static void assert_pool_works(void)
{
	int fd = secbuf_open_pool(pool);
	int buf = secbuf_alloc(fd, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
	void *ptr = secbuf_mmap(buf, SECBUF_SZ_64K, PROT_READ | PROT_WRITE);

	secbuf_assert_zero(ptr, SECBUF_SZ_64K);
	secbuf_munmap(ptr, SECBUF_SZ_64K);
	close(buf);
	close(fd);
}

/* Unload (must work now), check it is gone, load it again. */
static void unload_and_reload(void)
{
	char path[256];
	int fd;

	igt_assert_eq(__secbuf_module_unload(), 0);
	igt_assert(!secbuf_module_is_loaded());
	igt_assert(wait_for_pool(false));
	fd = __secbuf_open_pool(pool);
	igt_assert_eq(fd, -ENOENT);
	snprintf(path, sizeof(path), "%s/secbuf-%s", SECBUF_SYSFS_DIR, pool);
	igt_assert_neq(access(path, F_OK), 0);

	igt_assert_eq(load_module(), 0);
	igt_assert(secbuf_module_is_loaded());
	secbuf_pool_assert_idle(pool);
	assert_pool_works();
	secbuf_pool_assert_idle(pool);
}

igt_main
{
	igt_fixture {
		int fd;

		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		close(fd);
		igt_require_f(secbuf_module_is_loaded(),
			      "secbuf is not a loaded module\n");
		igt_require_f(access(secbuf_module_path(), R_OK) == 0,
			      "no %s to load the module again from "
			      "(set SECBUF_KO)\n", secbuf_module_path());
		igt_require_f(geteuid() == 0, "needs CAP_SYS_MODULE\n");
		save_module_params();
		igt_install_exit_handler(reload_exit_handler);
	}

	igt_describe("Unload is refused (EWOULDBLOCK) while a pool file is "
		     "open, and the pool keeps working.");
	igt_subtest("unload-busy-pool-file") {
		int fd = secbuf_open_pool(pool);

		assert_unload_refused();
		close(fd);
		assert_pool_works();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("An open /dev/dma_heap/<pool> file and unload. Where "
		     "the pool is a heap of the kernel's dma-heap core (7.x "
		     "with the framework), the file is the core's: unload "
		     "works, the file's allocations are ENODEV until secbuf "
		     "is loaded again, then work. Where secbuf's own misc "
		     "device serves the node, unload is refused (EWOULDBLOCK) "
		     "while the file is open.");
	igt_subtest("unload-busy-heap-file") {
		int heap = secbuf_open_heap(pool);

		if (secbuf_heap_is_core()) {
			char params[1024];
			int buf = -1;

			secbuf_module_params(params, sizeof(params));
			igt_assert_eq(__secbuf_module_unload(), 0);
			igt_assert_eq(__secbuf_heap_alloc(heap, SECBUF_SZ_1M,
							  O_RDWR, 0, &buf),
				      -ENODEV);
			igt_assert_eq(secbuf_module_reload(params, pool), 0);
			buf = secbuf_heap_alloc(heap, SECBUF_SZ_1M, O_RDWR, 0);
			close(buf);
		} else {
			assert_unload_refused();
		}
		close(heap);
		assert_pool_works();
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Unload is refused (EWOULDBLOCK) while a buffer's fd "
		     "lives, even once its pool file is closed and the buffer "
		     "revoked (its memory already back in the pool); the fd "
		     "then refuses mmap with ENODEV.");
	igt_subtest("unload-busy-buffer") {
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, SECBUF_SZ_1M, 1);
		secbuf_munmap(ptr, SECBUF_SZ_1M);
		close(fd);
		secbuf_pool_assert_idle(pool);

		assert_unload_refused();
		igt_assert(!__secbuf_mmap(buf, SECBUF_SZ_1M, 0, PROT_READ, MAP_SHARED));
		igt_assert_eq(errno, ENODEV);
		errno = 0;
		close(buf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping alone (fd and pool file closed, so the buffer "
		     "is revoked) keeps unload refused (EWOULDBLOCK); touching "
		     "it raises SIGBUS and the pool holds no memory for it.");
	igt_subtest("unload-busy-mapping") {
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, SECBUF_SZ_1M, 2);
		close(buf);
		close(fd);

		assert_unload_refused();
		secbuf_pool_assert_idle(pool);
		secbuf_assert_sigbus(ptr, false);
		secbuf_munmap(ptr, SECBUF_SZ_1M);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Unload is refused (EWOULDBLOCK) while a driver (vgem) "
		     "holds an import of a buffer whose fds are all closed.");
	igt_subtest("unload-busy-import") {
		int vgem = secbuf_open_vgem();
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		uint32_t handle = prime_fd_to_handle(vgem, buf);

		close(buf);
		close(fd);
		assert_unload_refused();
		gem_close(vgem, handle);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Unload is refused while another process holds a buffer "
		     "this one has fully closed.");
	igt_subtest("unload-busy-buffer-in-child") {
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_64K, 0, O_RDWR | O_CLOEXEC);
		int pipefd[2];
		char c = 0;

		igt_assert_eq(pipe(pipefd), 0);
		igt_fork(child, 1) {
			close(pipefd[1]);
			/* Hold buf until the parent is done. */
			igt_assert_eq(read(pipefd[0], &c, 1), 1);
			close(buf);
		}
		close(pipefd[0]);
		close(buf);
		close(fd);

		assert_unload_refused();
		igt_assert_eq(write(pipefd[1], &c, 1), 1);
		igt_waitchildren();
		close(pipefd[1]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("Refused while a mapping is the last reference, the "
		     "unload succeeds as soon as it is unmapped; the module then "
		     "loads again from $SECBUF_KO and its pool works.");
	igt_subtest("unload-after-last-reference") {
		int fd = secbuf_open_pool(pool);
		int buf = secbuf_alloc(fd, SECBUF_SZ_1M, 0, O_RDWR | O_CLOEXEC);
		void *ptr = secbuf_mmap(buf, SECBUF_SZ_1M, PROT_READ);

		close(buf);
		close(fd);
		assert_unload_refused();
		secbuf_munmap(ptr, SECBUF_SZ_1M);
		unload_and_reload();
	}

	igt_describe("With nothing open the module unloads, its device nodes "
		     "and sysfs go away, and it loads again with the same "
		     "parameters and an idle, working pool.");
	igt_subtest("unload-reload") {
		char before[sizeof(module_params)];

		snprintf(before, sizeof(before), "%s", module_params);
		unload_and_reload();
		save_module_params();
		igt_assert_f(!strcmp(before, module_params),
			     "parameters changed over reload:\n%s\n%s\n",
			     before, module_params);
	}
}
