// SPDX-License-Identifier: MIT
/*
 * secbuf_dynamic: secbuf and a dynamic importer. No driver in the lanes
 * imports with dma_buf_dynamic_attach() (the ones that do are GPU drivers),
 * so these use igt-tests/kmod's secbuf_test_importer, loaded from
 * /lib/modules/secbuf_test_importer.ko: one import per open file, mapped
 * for a device of its own; in move_notify it drops its mapping, or with
 * STI_IMPORT_PIN pins the attachment and keeps it.
 *
 * Revoking the buffer (or the grant it was imported through) must call
 * move_notify with the reservation lock held; an importer that unmaps lets
 * the memory go at once, a pinned one keeps it quarantined until it lets
 * go, and a mapping cannot be made again. Without SECBUF_GRANT_DMA the
 * attach is EACCES, and a write-sealed buffer does not map for a device
 * that could write it (EPERM).
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_dma.h"
#include "igt_secbuf_vgem.h"
#include "secbuf_test_importer.h"

IGT_TEST_DESCRIPTION("A dynamic importer (igt-tests/kmod) on secbuf "
		     "buffers: move_notify under the reservation lock on "
		     "revoke, memory back at once or quarantined while "
		     "pinned, per-grant notices, rights and seals.");

#define SIZE		(4u << 20)

static const char *pool;
static int fd = -1;

static int __sti_import(int dmabuf, uint32_t flags, int *out)
{
	struct sti_import arg = { .fd = dmabuf, .flags = flags };
	int sti = open(STI_DEVICE, O_RDWR | O_CLOEXEC);

	igt_assert_f(sti >= 0, "open %s: %m\n", STI_DEVICE);
	if (ioctl(sti, STI_IOC_IMPORT, &arg)) {
		int err = -errno;

		close(sti);
		return err;
	}
	*out = sti;
	return 0;
}

static int sti_import(int dmabuf, uint32_t flags)
{
	int sti = -1;

	igt_assert_eq(__sti_import(dmabuf, flags, &sti), 0);
	return sti;
}

static struct sti_status sti_status(int sti)
{
	struct sti_status st;

	igt_assert_eq(ioctl(sti, STI_IOC_STATUS, &st), 0);
	igt_assert_eq_u32(st.unlocked, 0);
	return st;
}

static int sti_remap(int sti)
{
	return ioctl(sti, STI_IOC_REMAP) ? -errno : 0;
}

static uint64_t quarantined(void)
{
	struct secbuf_pool_info info;

	secbuf_pool_info(fd, &info);
	return info.quarantined_bytes;
}

static void test_map(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, 0);
	struct sti_status st = sti_status(sti);

	/* One contiguous range, one sg entry. */
	igt_assert_eq_u32(st.mapped, 1);
	igt_assert_eq_u32(st.sg_nents, 1);
	igt_assert_eq_u64(st.dma_len, SIZE);
	igt_assert_eq_u32(st.notified, 0);
	close(sti);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

static void test_revoke_unmaps(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, 0);
	struct sti_status st;

	/* The importer unmaps in move_notify: nothing to quarantine. */
	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
	st = sti_status(sti);
	igt_assert_eq_u32(st.notified, 1);
	igt_assert_eq_u32(st.mapped, 0);
	igt_assert_eq_u64(quarantined(), 0);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), 0);
	/* Mapping again is refused, and asks nothing more of it. */
	igt_assert_eq(sti_remap(sti), -ENODEV);
	igt_assert_eq_u32(sti_status(sti).notified, 1);
	close(sti);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

static void test_revoke_pinned(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, STI_IMPORT_PIN);
	struct sti_status st;

	igt_assert_eq_u32(sti_status(sti).pinned, 1);
	/* Told, but pinned: the memory stays, quarantined, until it goes. */
	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), SIZE);
	st = sti_status(sti);
	igt_assert_eq_u32(st.notified, 1);
	igt_assert_eq_u32(st.mapped, 1);
	igt_assert_eq_u64(quarantined(), SIZE);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), SIZE);
	close(buf);
	igt_assert_eq_u64(quarantined(), SIZE);
	close(sti);
	igt_assert_eq_u64(quarantined(), 0);
	secbuf_pool_assert_idle(pool);
}

static void test_grant_revoke(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	uint64_t gid;
	int grant = secbuf_grant(fd, buf, SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA,
				 &gid);
	int via_grant = sti_import(grant, 0);
	int via_owner = sti_import(buf, 0);
	struct sti_status st;

	igt_assert_eq_u64(secbuf_revoke(fd, buf, gid), 0);
	st = sti_status(via_grant);
	igt_assert_eq_u32(st.notified, 1);
	igt_assert_eq_u32(st.mapped, 0);
	igt_assert_eq(sti_remap(via_grant), -ENODEV);
	/* The owner's import heard nothing and keeps its mapping. */
	st = sti_status(via_owner);
	igt_assert_eq_u32(st.notified, 0);
	igt_assert_eq_u32(st.mapped, 1);
	igt_assert_eq_u64(quarantined(), 0);

	close(via_grant);
	close(via_owner);
	close(grant);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/*
 * An importer's own mmap of an imported buffer (dma_buf_mmap()) lands in
 * the dma-buf's file, whose address_space revocation zaps: the mapping
 * made through the importer raises SIGBUS like secbuf's own. Through a
 * grant, only that grant's revocation reaches it.
 */
static void *sti_mmap(int sti, int prot)
{
	void *p = mmap(NULL, SIZE, prot, MAP_SHARED, sti, 0);

	igt_assert_f(p != MAP_FAILED, "mmap of the importer's file: %m\n");
	return p;
}

static void test_importer_mmap(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	uint64_t gid;
	int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ |
				 SECBUF_GRANT_WRITE | SECBUF_GRANT_DMA, &gid);
	int via_buf = sti_import(buf, 0), via_grant = sti_import(grant, 0);
	uint8_t *own = secbuf_mmap(buf, SIZE, PROT_READ | PROT_WRITE);
	uint8_t *a = sti_mmap(via_buf, PROT_READ);
	uint8_t *b = sti_mmap(via_grant, PROT_READ);

	/* Written through secbuf's mapping, read through the importer's. */
	memset(own, 0x5a, SIZE);
	igt_assert_eq(a[0], 0x5a);
	igt_assert_eq(a[SIZE - 1], 0x5a);
	igt_assert_eq(b[SIZE / 2], 0x5a);

	/* The grant's revocation: only the mapping through the grant. */
	igt_assert_eq_u64(secbuf_revoke(fd, buf, gid), 0);
	secbuf_assert_sigbus(b, false);
	igt_assert_eq(a[4096], 0x5a);
	igt_assert_eq(own[8192], 0x5a);

	/* The buffer's: every mapping, the importer's too. */
	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), 0);
	secbuf_assert_sigbus(a, false);
	secbuf_assert_sigbus(a + SIZE - 4096, false);
	secbuf_assert_sigbus(own, false);

	munmap(a, SIZE);
	munmap(b, SIZE);
	secbuf_munmap(own, SIZE);
	close(via_buf);
	close(via_grant);
	close(grant);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

static void test_rights_and_seals(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
	int sti = -1;

	igt_assert_eq(__sti_import(grant, 0, &sti), -EACCES);
	igt_assert_eq(__sti_import(grant, STI_IMPORT_PIN, &sti), -EACCES);
	close(grant);

	/*
	 * DMA without WRITE: no dynamic importer (EACCES at attach, on every
	 * kernel); a static one may map it for reading only.
	 */
	grant = secbuf_grant(fd, buf, SECBUF_GRANT_READ | SECBUF_GRANT_DMA,
			     NULL);
	igt_assert_eq(__sti_import(grant, 0, &sti), -EACCES);
	igt_assert_eq(__sti_import(grant, STI_IMPORT_DEFER, &sti), -EACCES);
	close(grant);

	/* A device mapping that could write a write-sealed buffer: EPERM. */
	secbuf_seal(fd, buf, SECBUF_SEAL_WRITE);
	igt_assert_eq(__sti_import(buf, 0, &sti), -EPERM);
	igt_assert_eq(__sti_import(buf, STI_IMPORT_PIN, &sti), -EPERM);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/* ---- A device job that outlives its mapping ---------------------------- */

static int sti_fence(int sti)
{
	return ioctl(sti, STI_IOC_FENCE) ? -errno : 0;
}

static void sti_signal(int sti, uint8_t value)
{
	struct sti_signal arg = { .value = value };

	igt_assert_eq(ioctl(sti, STI_IOC_SIGNAL, &arg), 0);
}

/* Every byte of @dmabuf (@size bytes), mapped and read now, is zero. */
static void assert_buffer_zero(int dmabuf, size_t size)
{
	uint8_t *p = secbuf_mmap(dmabuf, size, PROT_READ);

	for (size_t i = 0; i < size; i++)
		igt_assert_f(!p[i], "byte %#zx of a new buffer is %#x: the "
			     "device's late write of a revoked buffer landed "
			     "in a new owner's memory\n", i, p[i]);
	secbuf_munmap(p, size);
}

#define JOB_SIZE	(1u << 20)
#define MAX_FILLERS	1024

/*
 * The importer unmaps at move_notify, but its device job runs on: its
 * write fence is still unsignaled when REVOKE (revoke_timeout_ms 100)
 * gives up waiting, and at its end the device writes through the old
 * mapping. The memory must stay quarantined until the fence signals, so
 * that no new buffer ever holds that write. The pool is full otherwise,
 * so a new buffer can only come from the revoked one's memory.
 */
static void test_revoke_timeout_fence(void)
{
	int buf = secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, 0);
	int fillers[MAX_FILLERS], nfill = 0, next = -1, ret;
	uint64_t q = 0;

	igt_assert_eq(sti_fence(sti), 0);
	igt_assert_eq(sti_fence(sti), -EBUSY);
	while (nfill < MAX_FILLERS &&
	       __secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC,
			      &fillers[nfill]) == 0)
		nfill++;
	igt_assert_lt(nfill, MAX_FILLERS);
	igt_assert_eq(__secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC,
				     &next), -ENOMEM);

	secbuf_param_set("revoke_timeout_ms", 100);
	igt_assert_eq(__secbuf_revoke(fd, buf, 0, &q), 0);
	secbuf_params_restore();
	igt_assert_eq_u32(sti_status(sti).mapped, 0);

	ret = __secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC, &next);
	igt_assert_f(ret == 0 || ret == -ENOMEM, "alloc: %s\n",
		     strerror(-ret));
	/* The job ends: the device writes through its old mapping. */
	sti_signal(sti, 0x5a);
	if (ret == 0) {
		assert_buffer_zero(next, JOB_SIZE);
		close(next);
	}
	igt_assert_eq_u64(q, JOB_SIZE);

	/* The quarantine ends with the fence, in a work item. */
	for (int i = 0; i < 100 && quarantined(); i++)
		usleep(10 * 1000);
	igt_assert_eq_u64(quarantined(), 0);
	next = secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC);
	assert_buffer_zero(next, JOB_SIZE);
	close(next);

	for (int i = 0; i < nfill; i++)
		close(fillers[i]);
	close(sti);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/*
 * An importer that can be cut off but unmaps a little later (from a
 * worker, STI_IMPORT_DEFER): REVOKE waits for that unmap, within
 * revoke_timeout_ms, so the memory is back when it returns.
 */
static void test_revoke_waits_for_unmap(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, STI_IMPORT_DEFER);
	uint64_t start, took, q = ~0ull;

	start = secbuf_now_ms();
	igt_assert_eq(__secbuf_revoke(fd, buf, 0, &q), 0);
	took = secbuf_now_ms() - start;
	igt_assert_eq_u32(sti_status(sti).notified, 1);
	igt_assert_f(q == 0, "REVOKE returned before the importer's "
		     "deferred unmap: %llu bytes quarantined\n",
		     (unsigned long long)q);
	igt_assert_eq_u32(sti_status(sti).mapped, 0);
	igt_assert_eq_u64(quarantined(), 0);
	igt_assert_f(took >= 90 && took < 5000, "REVOKE took %llu ms\n",
		     (unsigned long long)took);
	close(sti);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/*
 * A static importer cannot be told to let go: REVOKE does not wait for
 * it (it would wait revoke_timeout_ms for nothing) and reports the
 * memory quarantined until the importer unmaps, here at detach.
 */
static void test_revoke_static(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, STI_IMPORT_STATIC);
	uint64_t start, took, q = 0;

	igt_assert_eq_u32(sti_status(sti).mapped, 1);
	start = secbuf_now_ms();
	igt_assert_eq(__secbuf_revoke(fd, buf, 0, &q), 0);
	took = secbuf_now_ms() - start;
	igt_assert_eq_u64(q, SIZE);
	igt_assert_f(took < 2000, "REVOKE waited %llu ms for an importer "
		     "that cannot let go\n", (unsigned long long)took);
	igt_assert_eq_u32(sti_status(sti).notified, 0);
	igt_assert_eq_u64(quarantined(), SIZE);
	close(buf);
	igt_assert_eq_u64(quarantined(), SIZE);
	close(sti);
	igt_assert_eq_u64(quarantined(), 0);
	secbuf_pool_assert_idle(pool);
}

static void sti_unmap(int sti)
{
	igt_assert_eq(ioctl(sti, STI_IOC_UNMAP), 0);
}

/*
 * After REVOKE, with no fence on the buffer, a pinned importer still
 * holds its mapping (quarantine), starts a device job (a write fence)
 * and then unmaps while the job runs. The memory must stay quarantined
 * until the fence signals: the job ends with a write through its old
 * mapping. The pool is full otherwise, so a new buffer could only come
 * from the revoked one's memory.
 */
static void test_unmap_with_pending_fence(void)
{
	int buf = secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC);
	int sti = sti_import(buf, STI_IMPORT_PIN);
	int fillers[MAX_FILLERS], nfill = 0, next = -1, ret;

	while (nfill < MAX_FILLERS &&
	       __secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC,
			      &fillers[nfill]) == 0)
		nfill++;
	igt_assert_lt(nfill, MAX_FILLERS);

	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), JOB_SIZE);
	igt_assert_eq(sti_fence(sti), 0);
	sti_unmap(sti);
	igt_assert_f(quarantined() == JOB_SIZE, "the memory left the "
		     "quarantine with a device job still running\n");

	ret = __secbuf_alloc(fd, JOB_SIZE, 0, O_RDWR | O_CLOEXEC, &next);
	igt_assert_f(ret == 0 || ret == -ENOMEM, "alloc: %s\n",
		     strerror(-ret));
	sti_signal(sti, 0x5a);
	if (ret == 0) {
		assert_buffer_zero(next, JOB_SIZE);
		close(next);
	}
	for (int i = 0; i < 100 && quarantined(); i++)
		usleep(10 * 1000);
	igt_assert_eq_u64(quarantined(), 0);

	for (int i = 0; i < nfill; i++)
		close(fillers[i]);
	close(sti);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

/* ---- Kernel mappings (dma_buf_vmap) -------------------------------------- */

static int sti_open(void)
{
	int sti = open(STI_DEVICE, O_RDWR | O_CLOEXEC);

	igt_assert_f(sti >= 0, "open %s: %m\n", STI_DEVICE);
	return sti;
}

/* dma_buf_vmap() of @dmabuf in a new importer file; the address. */
static uint64_t sti_vmap(int *sti, int dmabuf)
{
	struct sti_vmap arg = { .fd = (uint32_t)dmabuf };

	*sti = sti_open();
	igt_assert_eq(ioctl(*sti, STI_IOC_VMAP, &arg), 0);
	igt_assert(arg.vaddr);
	return arg.vaddr;
}

/* The first @len bytes of the file's kernel mapping are all @byte. */
static void sti_assert_vbytes(int sti, size_t len, uint8_t byte)
{
	uint8_t *data = malloc(len);
	struct sti_vmap arg = { .len = len, .data = (uintptr_t)data };

	igt_assert(data);
	igt_assert_eq(ioctl(sti, STI_IOC_VREAD, &arg), 0);
	for (size_t i = 0; i < len; i++)
		igt_assert_f(data[i] == byte, "byte %#zx of the kernel mapping "
			     "is %#x, not %#x\n", i, data[i], byte);
	free(data);
}

/*
 * The dma-buf core maps a dma-buf once and hands that mapping to every
 * later dma_buf_vmap() while it lives. So a kernel mapping made before
 * REVOKE is device access the revocation cannot take back: the memory
 * stays quarantined, a second vmap of the same handle meanwhile gets the
 * same mapping of the same (quarantined, never reused) memory, and only
 * once both are gone does the memory go back; a vmap after that gets a
 * private scratch mapping of zeroes. A grant without WRITE gets a private
 * snapshot, one without DMA zeroes: never the real memory.
 */
static void test_vmap_revoke(void)
{
	int buf = secbuf_alloc(fd, SIZE, 0, O_RDWR | O_CLOEXEC);
	uint8_t *own = secbuf_mmap(buf, SIZE, PROT_READ | PROT_WRITE);
	int ro = secbuf_grant(fd, buf, SECBUF_GRANT_READ | SECBUF_GRANT_DMA,
			      NULL);
	int nodma = secbuf_grant(fd, buf, SECBUF_GRANT_READ, NULL);
	uint64_t va, vb, vc, vr;
	int a, b, c, r, n;

	memset(own, 0x5a, SIZE);

	/* Without WRITE: a snapshot; without DMA: zeroes. */
	vr = sti_vmap(&r, ro);
	sti_assert_vbytes(r, SIZE, 0x5a);
	memset(own, 0x3c, 4096);
	sti_assert_vbytes(r, 4096, 0x5a);
	close(r);
	sti_vmap(&n, nodma);
	sti_assert_vbytes(n, SIZE, 0);
	close(n);
	memset(own, 0x5a, 4096);

	va = sti_vmap(&a, buf);
	igt_assert_neq_u64(va, vr);
	sti_assert_vbytes(a, SIZE, 0x5a);
	igt_assert_eq_u64(secbuf_revoke(fd, buf, 0), SIZE);
	secbuf_assert_sigbus(own, false);

	vb = sti_vmap(&b, buf);
	igt_assert_eq_u64(vb, va);
	sti_assert_vbytes(b, 4096, 0x5a);
	close(a);
	igt_assert_eq_u64(quarantined(), SIZE);
	close(b);
	igt_assert_eq_u64(quarantined(), 0);
	igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), 0);

	vc = sti_vmap(&c, buf);
	igt_assert_neq_u64(vc, va);
	sti_assert_vbytes(c, SIZE, 0);
	close(c);

	secbuf_munmap(own, SIZE);
	close(ro);
	close(nodma);
	close(buf);
	secbuf_pool_assert_idle(pool);
}

igt_main
{
	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
		secbuf_sti_load();
	}

	igt_describe("A dynamic import maps the buffer as one sg entry of "
		     "its whole size, and hears nothing while it lives.");
	igt_subtest("dynamic-map")
		test_map();

	igt_describe("REVOKE calls move_notify once, with the reservation "
		     "lock held; the importer unmaps and the memory is back "
		     "at once, nothing quarantined; mapping again is ENODEV.");
	igt_subtest("dynamic-revoke-move-notify")
		test_revoke_unmaps();

	igt_describe("A pinned importer is told too but keeps its mapping: "
		     "REVOKE reports the buffer quarantined, and it stays so, "
		     "also after the owner closes it, until the importer lets "
		     "go.");
	igt_subtest("dynamic-revoke-pinned-quarantine")
		test_revoke_pinned();

	igt_describe("Revoking a grant notifies only the import made through "
		     "it (which cannot map again); an import of the owner's "
		     "handle hears nothing and stays mapped.");
	igt_subtest("dynamic-grant-revoke")
		test_grant_revoke();

	igt_describe("An importer's own mmap of the buffer (dma_buf_mmap()) "
		     "lands in the dma-buf's address_space: revoking the "
		     "buffer zaps it (SIGBUS) with secbuf's own mappings, and "
		     "revoking a grant zaps only what was mapped through that "
		     "grant's import.");
	igt_subtest("importer-mmap-revoke")
		test_importer_mmap();

	igt_describe("A device job that outlives its mapping: the importer "
		     "unmaps at move_notify, but REVOKE (revoke_timeout_ms "
		     "100) gives up on its write fence, which signals later, "
		     "after a write through the old mapping. With the pool "
		     "otherwise full, the memory stays quarantined until the "
		     "fence signals: no new buffer ever holds that write, and "
		     "the quarantine then ends by itself.");
	igt_subtest("dynamic-revoke-timeout-fence-quarantine")
		test_revoke_timeout_fence();

	igt_describe("An importer that can be cut off (it has move_notify, "
		     "invalidate_mappings on 7.x) but unmaps 100 ms after it "
		     "is told, from a worker: REVOKE waits for that unmap "
		     "within revoke_timeout_ms, so it returns with nothing "
		     "quarantined and the memory back in the pool.");
	igt_subtest("dynamic-revoke-waits-for-unmap")
		test_revoke_waits_for_unmap();

	igt_describe("A static importer (no importer_ops) cannot be cut off: "
		     "it is not told, REVOKE does not wait for it and reports "
		     "the buffer quarantined, also after the owner closes it, "
		     "until the importer unmaps at detach. The kernels differ "
		     "in when it maps (6.1 and 6.12: at attach, for a "
		     "dynamic exporter, until detach; 7.x: when the importer "
		     "maps), not in the outcome.");
	igt_subtest("static-revoke-quarantine")
		test_revoke_static();

	igt_describe("After REVOKE, a pinned importer starts a device job "
		     "(write fence) and unmaps while it runs; the memory stays "
		     "quarantined until the fence signals, after the job's "
		     "write through its old mapping: with the pool otherwise "
		     "full, no new buffer ever holds that write.");
	igt_subtest("unmap-with-pending-fence-quarantine")
		test_unmap_with_pending_fence();

	igt_describe("Kernel mappings (dma_buf_vmap) and revocation: the core "
		     "maps a dma-buf once and hands that mapping to every "
		     "later vmap while it lives, so a vmap made before REVOKE "
		     "keeps the memory quarantined and a second vmap meanwhile "
		     "gets the same address and bytes; once both are gone the "
		     "memory is back and a new vmap is a private mapping of "
		     "zeroes. A grant without WRITE gets a snapshot, one "
		     "without DMA zeroes.");
	igt_subtest("vmap-revoke-per-caller")
		test_vmap_revoke();

	igt_describe("A grant without SECBUF_GRANT_DMA cannot be attached "
		     "(EACCES), nor, by a dynamic importer, one with DMA but "
		     "not WRITE (EACCES at attach: its reservation object is "
		     "its own, which revocation cannot tell it through); a "
		     "write-sealed buffer "
		     "is not mapped for a device that may write it (EPERM).");
	igt_subtest("dynamic-rights-seals")
		test_rights_and_seals();

	igt_fixture
		close(fd);
}
