/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the dmem cgroup tests (secbuf_cgroup, secbuf_attack_cgroup):
 * cgroup v2 at /sys/fs/cgroup, and the dmem controller's files of the
 * test pool's region "secbuf/<pool>" (docs/driver-api.md, "Cgroup
 * accounting (dmem)").
 *
 * A cgroup is named by its path under the root, "" for the root itself.
 * IGT style: __thing() returns 0 or -errno, thing() asserts that it worked.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_DMEM_H
#define IGT_DMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SECBUF_CG_ROOT	"/sys/fs/cgroup"

/* @buf = the path of @file in cgroup @cg ("" for the cgroup's directory). */
void secbuf_cg_path(char *buf, size_t len, const char *cg, const char *file);
int __secbuf_cg_write(const char *cg, const char *file, const char *value);
void secbuf_cg_write(const char *cg, const char *file, const char *value);
/* Move the calling process, or @pid, into @cg. */
void secbuf_cg_enter(const char *cg);
void secbuf_cg_move_pid(const char *cg, pid_t pid);
/* rmdir @cg, retried while its last member is still on its way out. */
int secbuf_cg_rmdir(const char *cg);
/* The calling process's cgroup, relative to the root ("" for the root). */
void secbuf_cg_self(char *buf, size_t len);

/* "secbuf/<pool>" of secbuf_pool_name(): the region the helpers below use. */
const char *secbuf_dmem_region(void);
/*
 * The region's value in the dmem file @file ("dmem.current", "dmem.max",
 * "dmem.capacity" of the root, ...) of @cg, "max" as UINT64_MAX; fails
 * unless the file has exactly one line for the region.
 */
uint64_t secbuf_dmem_read(const char *cg, const char *file);
uint64_t secbuf_dmem_current(const char *cg);
/* Set the region's dmem.max, dmem.min or dmem.low; UINT64_MAX is "max". */
void secbuf_dmem_set(const char *cg, const char *file, uint64_t bytes);
void secbuf_dmem_set_max(const char *cg, uint64_t bytes);

#endif /* IGT_DMEM_H */
