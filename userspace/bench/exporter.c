// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbuf-bench: finding the exporters, allocating and mapping their
 * buffers, and the few ioctls the metrics time, all raw but vgem's import,
 * which is libdrm's thin drmPrimeFDToHandle(): nothing but the ioctl
 * itself sits inside a measurement.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/secbuf.h>
#include <linux/udmabuf.h>

#ifdef SECBUF_HAVE_LIBDRM
#include <xf86drm.h>
#endif

#include "bench.h"
#include "secbuf_test_importer.h"

struct exporter exporters[NR_EXP] = {
	[EXP_SECBUF]		= { .name = "secbuf",      .dev_fd = -1 },
	[EXP_CMA_HEAP]		= { .name = "cma_heap",    .dev_fd = -1 },
	[EXP_SYSTEM_HEAP]	= { .name = "system_heap", .dev_fd = -1 },
	[EXP_UDMABUF]		= { .name = "udmabuf",     .dev_fd = -1 },
	[EXP_ANON]		= { .name = "anon",        .dev_fd = -1 },
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

static void set_detail(enum exp_id e, bool present, const char *fmt,
		       const char *arg)
{
	exporters[e].present = present;
	snprintf(exporters[e].detail, sizeof(exporters[e].detail), fmt, arg);
}

/* The exporter name the dma-buf core shows in fdinfo: "exp_name:\t...". */
static int fd_exp_name(int fd, char *name, size_t len)
{
	char path[64], line[256];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "exp_name:", 9))
			continue;
		snprintf(name, len, "%s", line + 9 + strspn(line + 9, " \t"));
		name[strcspn(name, "\n")] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int heap_alloc(int heap_fd, uint64_t size)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (xioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -1;
	return (int)data.fd;
}

/*
 * /dev/dma_heap/ holds the kernel's heaps, if it has any, and secbuf's own
 * heap device per pool, whose buffers say "secbuf" in fdinfo. In the kernels
 * the lanes boot, a heap's buffers carry the heap's name as their exporter
 * name: "system" is the system heap; any other heap that is not secbuf's is
 * a CMA heap (the default CMA area's is "reserved", or "linux,cma").
 */
static void detect_heaps(void)
{
	char path[300], exp_name[64];
	struct dirent *de;
	DIR *dir;

	dir = opendir("/dev/dma_heap");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		enum exp_id e;
		int fd, buf;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		buf = heap_alloc(fd, cfg.page);
		if (buf < 0 || fd_exp_name(buf, exp_name, sizeof(exp_name)) < 0 ||
		    !strcmp(exp_name, "secbuf")) {
			if (buf >= 0)
				close(buf);
			close(fd);
			continue;
		}
		close(buf);
		e = strcmp(de->d_name, "system") ? EXP_CMA_HEAP : EXP_SYSTEM_HEAP;
		if (exporters[e].present) {
			close(fd);
			continue;
		}
		exporters[e].dev_fd = fd;
		set_detail(e, true, "%s", path);
	}
	closedir(dir);
}

/*
 * igt-tests' dynamic test importer (igt-tests/kmod), if loaded: it times
 * attach and map in the kernel, which no ioctl of a real importer shows
 * apart from its own work.
 */
static void detect_sti(void)
{
	cfg.sti = access(STI_DEVICE, R_OK | W_OK) == 0;
	snprintf(cfg.sti_detail, sizeof(cfg.sti_detail), "%s%s", STI_DEVICE,
		 cfg.sti ? "" : ": absent (insmod secbuf_test_importer.ko)");
}

/*
 * The first DRM node whose driver is vgem. The import metric goes through
 * libdrm (drmPrimeFDToHandle(), a plain ioctl with drmIoctl()'s retry);
 * without it (LIBDRM=no) vgem counts as absent, and says why.
 */
#ifndef SECBUF_HAVE_LIBDRM
static void detect_vgem(void)
{
	cfg.vgem_fd = -1;
	snprintf(cfg.vgem_detail, sizeof(cfg.vgem_detail),
		 "secbuf-bench was built without libdrm");
}
#else
static void detect_vgem(void)
{
	static const char *const patterns[] = {
		"/dev/dri/renderD%d", "/dev/dri/card%d",
	};
	drmVersionPtr v;
	char path[64];
	unsigned int p;
	bool vgem;
	int i, fd;

	cfg.vgem_fd = -1;
	snprintf(cfg.vgem_detail, sizeof(cfg.vgem_detail),
		 "no DRM node with driver vgem under /dev/dri");
	for (p = 0; p < 2; p++) {
		for (i = 0; i < 256; i++) {
			snprintf(path, sizeof(path), patterns[p],
				 p == 0 ? 128 + i : i);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			v = drmGetVersion(fd);
			vgem = v && v->name && !strcmp(v->name, "vgem");
			drmFreeVersion(v);
			if (vgem) {
				cfg.vgem_fd = fd;
				snprintf(cfg.vgem_detail,
					 sizeof(cfg.vgem_detail), "%s", path);
				return;
			}
			close(fd);
		}
	}
}
#endif

static const char *first_pool(char *buf, size_t len)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir("/dev/secbuf");
	if (!dir)
		return NULL;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, len, "%.63s", de->d_name);
		closedir(dir);
		return buf;
	}
	closedir(dir);
	return NULL;
}

void exporters_detect(void)
{
	static char pool_buf[64];
	char path[128];
	int fd;

	if (!cfg.pool)
		cfg.pool = getenv("SECBUF_POOL");
	if (!cfg.pool)
		cfg.pool = first_pool(pool_buf, sizeof(pool_buf));
	if (!cfg.pool)
		die("no secbuf pool: /dev/secbuf/ is empty or missing (is secbuf loaded?)");
	snprintf(path, sizeof(path), "/dev/secbuf/%s", cfg.pool);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	exporters[EXP_SECBUF].dev_fd = fd;
	set_detail(EXP_SECBUF, true, "%s", path);

	set_detail(EXP_CMA_HEAP, false, "%s",
		   "no CMA dma-heap in /dev/dma_heap (CONFIG_DMABUF_HEAPS_CMA)");
	set_detail(EXP_SYSTEM_HEAP, false, "%s",
		   "no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM)");
	detect_heaps();

	fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		exporters[EXP_UDMABUF].dev_fd = fd;
		set_detail(EXP_UDMABUF, true, "%s", "/dev/udmabuf (memfd)");
	} else {
		set_detail(EXP_UDMABUF, false,
			   "no /dev/udmabuf (CONFIG_UDMABUF): %s",
			   strerror(errno));
	}

	set_detail(EXP_ANON, true, "%s", "MAP_PRIVATE | MAP_ANONYMOUS");
	detect_vgem();
	detect_sti();
}

static int secbuf_alloc(uint64_t size)
{
	struct secbuf_alloc req = {
		.size = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (xioctl(exporters[EXP_SECBUF].dev_fd, SECBUF_IOC_ALLOC, &req) < 0)
		return -1;
	return (int)req.fd;
}

/* What udmabuf users do: a sealed memfd, the dma-buf, the memfd closed. */
static int udmabuf_alloc(uint64_t size)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	int memfd, fd, saved;

	memfd = memfd_create("secbuf-bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -1;
	if (ftruncate(memfd, (off_t)size) < 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		goto close_memfd;
	create.memfd = (uint32_t)memfd;
	fd = xioctl(exporters[EXP_UDMABUF].dev_fd, UDMABUF_CREATE, &create);
	if (fd < 0)
		goto close_memfd;
	close(memfd);
	return fd;

close_memfd:
	saved = errno;
	close(memfd);
	errno = saved;
	return -1;
}

/* A dma-buf of @size from exporter @e; -1 with errno on failure. */
int exp_alloc(enum exp_id e, uint64_t size)
{
	switch (e) {
	case EXP_SECBUF:
		return secbuf_alloc(size);
	case EXP_CMA_HEAP:
	case EXP_SYSTEM_HEAP:
		return heap_alloc(exporters[e].dev_fd, size);
	case EXP_UDMABUF:
		return udmabuf_alloc(size);
	default:
		errno = EINVAL;
		return -1;
	}
}

/*
 * Map @len bytes of @fd @misalign bytes past a HUGE_ALIGN boundary, as
 * libsecbuf maps large buffers (with @misalign 0): reserve address space
 * with PROT_NONE, map over it with MAP_FIXED, give back the slack.
 */
void *map_aligned(int fd, size_t len, size_t misalign)
{
	size_t resv_len = len + 2 * HUGE_ALIGN;
	uintptr_t resv, start, end;
	void *p;

	p = mmap(NULL, resv_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	resv = (uintptr_t)p;
	start = ((resv + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1)) + misalign;
	p = mmap((void *)start, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int saved = errno;

		munmap((void *)resv, resv_len);
		errno = saved;
		return MAP_FAILED;
	}
	end = start + ((len + cfg.page - 1) & ~(cfg.page - 1));
	if (start > resv)
		munmap((void *)resv, start - resv);
	if (end < resv + resv_len)
		munmap((void *)end, resv + resv_len - end);
	return p;
}

/*
 * A read-write mapping of @len bytes of @fd the way a user of the exporter
 * maps it: secbuf's large buffers 2 MiB aligned (libsecbuf's
 * secbuf_buffer_map()), everything else where mmap() puts it. EXP_ANON
 * ignores @fd.
 */
void *exp_map(enum exp_id e, int fd, size_t len)
{
	if (e == EXP_ANON)
		return mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e == EXP_SECBUF && len >= HUGE_ALIGN)
		return map_aligned(fd, len, 0);
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

int secbuf_revoke(int buf_fd, uint64_t grant_id)
{
	struct secbuf_revoke req = {
		.buf_fd = (uint32_t)buf_fd,
		.grant_id = grant_id,
	};

	return xioctl(exporters[EXP_SECBUF].dev_fd, SECBUF_IOC_REVOKE, &req);
}

/* A read-write grant of @buf_fd; its fd, or -1. */
int secbuf_grant(int buf_fd, uint64_t *grant_id)
{
	struct secbuf_grant req = {
		.buf_fd = (uint32_t)buf_fd,
		.rights = SECBUF_GRANT_READ | SECBUF_GRANT_WRITE,
		.fd_flags = O_CLOEXEC,
	};

	if (xioctl(exporters[EXP_SECBUF].dev_fd, SECBUF_IOC_GRANT, &req) < 0)
		return -1;
	*grant_id = req.grant_id;
	return (int)req.fd;
}

/* Whether the pool holds at least @size of zeroed cached chunks now. */
bool secbuf_prezeroed(uint64_t size)
{
	struct secbuf_pool_info info = { 0 };

	if (xioctl(exporters[EXP_SECBUF].dev_fd, SECBUF_IOC_POOL_INFO,
		   &info) < 0)
		return false;
	return info.prezeroed_bytes >= size;
}

/* vgem imports the dma-buf: attach, and map (at attach for secbuf). */
#ifdef SECBUF_HAVE_LIBDRM
int vgem_import(int buf_fd, uint32_t *handle)
{
	return drmPrimeFDToHandle(cfg.vgem_fd, buf_fd, handle) ? -1 : 0;
}

int vgem_close(uint32_t handle)
{
	return drmCloseBufferHandle(cfg.vgem_fd, handle) ? -1 : 0;
}
#else
/* Never called: without libdrm there is no vgem (detect_vgem()). */
int vgem_import(int buf_fd, uint32_t *handle)
{
	(void)buf_fd;
	(void)handle;
	errno = ENOSYS;
	return -1;
}

int vgem_close(uint32_t handle)
{
	(void)handle;
	errno = ENOSYS;
	return -1;
}
#endif

/*
 * The test importer attaches to the dma-buf (dynamically) and maps it for a
 * device, timing both in the kernel; closing its file unmaps and detaches.
 */
int sti_import(int buf_fd, uint64_t *attach_ns, uint64_t *map_ns)
{
	struct sti_import req = { .fd = (uint32_t)buf_fd };
	struct sti_status st;
	int fd = open(STI_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (xioctl(fd, STI_IOC_IMPORT, &req) < 0 ||
	    xioctl(fd, STI_IOC_STATUS, &st) < 0 || !st.mapped) {
		close(fd);
		return -1;
	}
	*attach_ns = st.attach_ns;
	*map_ns = st.map_ns;
	close(fd);
	return 0;
}
