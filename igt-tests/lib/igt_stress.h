/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the stress, fault and hostile-input tests (secbuf_stress,
 * secbuf_faults, secbuf_hostile): what the lane declares it can do, seeds
 * and reproducible random streams, an event log in memory shared between
 * processes, /proc/meminfo and /proc/vmstat, the kernel's fault injection
 * (failslab, fail_page_alloc, fail-nth, make-it-fail), kmemleak, and the
 * module's parameters for a reload.
 *
 * IGT style: __thing() returns 0 or -errno, thing() asserts that it worked.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_STRESS_H
#define IGT_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- Lane features ------------------------------------------------------ */

/*
 * What the lane's kernel has beyond a stock kernel, declared by the lane
 * (LANE_FEATURES in scripts/lanes/<lane>.conf) and exported to the guest
 * as $SECBUF_LANE_FEATURES, a comma or space separated list:
 *
 *   dmem              cgroup v2 at /sys/fs/cgroup with the dmem controller
 *                     (CONFIG_CGROUP_DMEM), secbuf's pools its regions
 *   fault-injection   failslab, fail_page_alloc and fail-nth in debugfs/proc
 *   kmemleak          /sys/kernel/debug/kmemleak
 *   udmabuf           /dev/udmabuf, a second dma-buf exporter
 *   vb2-releases-refused-dmabuf
 *                     vb2 puts a dma-buf whose attach failed at QBUF
 *                     (6.1; 6.12's __prepare_dmabuf() leaks it)
 *   vivid-svideo-loop vivid's S-Video output-to-capture loop holds: on the
 *                     debug lane its "Is Connected To" control read back
 *                     0 after being set, or no frame looped, in 2 of 5
 *                     runs (cause not found), so it is declared only by
 *                     the arm64 lanes, where it never failed
 *   kernel-heaps      the kernel has dma-heaps of its own (system, CMA)
 *   core-heaps        the pools are heaps of the dma-heap core
 *                     (secbuf_dma_heap); these two are used and probed by
 *                     udev/tests/secbuf_attack_udev only
 *
 * secbuf_require_lane_feature() is how a subtest asks for one:
 * - the lane declares it: the kernel must really have it, or the subtest
 *   fails (a lane that claims a checker it lost must not pass);
 * - the lane does not declare it: the subtest skips with the reason
 *   SECBUF_NO_LANE_FEATURE "<feature>", which the host reports as N/A
 *   on such a lane (scripts/parse-console), and as a failing skip on a
 *   lane that declares the feature;
 * - $SECBUF_LANE_FEATURES is not set at all (a run outside the harness):
 *   the kernel is probed and the subtest runs if it has the feature.
 */
#define SECBUF_NO_LANE_FEATURE "needs lane feature"
bool secbuf_kernel_has_feature(const char *feature);
bool secbuf_lane_has_feature(const char *feature);
void secbuf_require_lane_feature(const char *feature);

/* ---- Seeds and random streams -------------------------------------------- */

/*
 * The seed of a subtest: $SECBUF_SEED if set (decimal or 0x hex), else
 * one made from the clock and pid. Printed as "seed N (SECBUF_SEED=N
 * reproduces it)" so that a failure can be rerun.
 */
uint64_t secbuf_stress_seed(void);

/*
 * How long a time-bounded subtest runs: $SECBUF_STRESS_SECONDS if set,
 * else @def seconds.
 */
double secbuf_stress_seconds(double def);

/* An integer from the environment, or @def. */
long secbuf_env_long(const char *name, long def);

/*
 * A small, fast generator (xoshiro256**), seeded with splitmix64 from a
 * seed and a stream number, so that every process and thread of a stress
 * run draws its own reproducible sequence from the one printed seed.
 */
struct secbuf_rng {
	uint64_t s[4];
};

void secbuf_rng_init(struct secbuf_rng *rng, uint64_t seed, uint64_t stream);
uint64_t secbuf_rng_next(struct secbuf_rng *rng);
/* Uniform in [0, n), n > 0. */
uint64_t secbuf_rng_below(struct secbuf_rng *rng, uint64_t n);
/* True with probability @percent / 100. */
bool secbuf_rng_chance(struct secbuf_rng *rng, unsigned int percent);
/* One of @n weights, proportionally; returns its index. */
unsigned int secbuf_rng_weighted(struct secbuf_rng *rng,
				 const unsigned int *weights, unsigned int n);

/* ---- Sets of acceptable results ----------------------------------------- */

/*
 * The results a call may have: 0 (success) and errnos. A test builds the
 * set from the uapi's errno table (every condition that holds adds its
 * errno; the table gives no precedence when several hold) and asserts
 * the call's result is in it.
 */
#define SECBUF_ERRSET_MAX	192
struct secbuf_errset {
	uint64_t bits[SECBUF_ERRSET_MAX / 64];
};

static inline void secbuf_errset_add(struct secbuf_errset *s, int err)
{
	if (err < 0)
		err = -err;
	if (err < SECBUF_ERRSET_MAX)
		s->bits[err / 64] |= 1ULL << (err % 64);
}

static inline bool secbuf_errset_has(const struct secbuf_errset *s, int err)
{
	if (err < 0)
		err = -err;
	return err < SECBUF_ERRSET_MAX &&
	       (s->bits[err / 64] & (1ULL << (err % 64)));
}

static inline bool secbuf_errset_empty(const struct secbuf_errset *s)
{
	for (unsigned int i = 0; i < SECBUF_ERRSET_MAX / 64; i++)
		if (s->bits[i])
			return false;
	return true;
}

/*
 * The rights model of docs/uapi.md, shared by the stress test and the
 * fuzzer: what a secbuf handle in a given state lets a call do.
 * @rights: the handle's SECBUF_GRANT_* rights
 * @writable_fd: its file is O_RDWR
 * @bound: the pid it is bound to (SECBUF_GRANT_PIDFD), or 0
 * @revoked: the buffer or this handle is revoked
 * @wsealed: the buffer is sealed with SECBUF_SEAL_WRITE
 */
struct secbuf_model_handle {
	uint32_t rights;
	bool writable_fd;
	pid_t bound;
	bool revoked;
	bool wsealed;
};

/*
 * Add to @set what mmap(MAP_SHARED) with @prot may return for @h, called
 * by this process (the uapi's errno table, in the order botching-up-ioctls
 * checks: the file's mode, rights and binding, then the buffer's state).
 */
void secbuf_model_mmap(const struct secbuf_model_handle *h, int prot,
		       struct secbuf_errset *set);

/* "0|EPERM|ENODEV" */
const char *secbuf_errset_str(const struct secbuf_errset *s, char *buf,
			      size_t len);
/* The name of an errno ("EPERM"), "0" for 0; @err may be negative. */
const char *secbuf_errname(int err);

/*
 * Fail unless @ret (0 or -errno) is in @set; the message names the call
 * (printf-style), what it returned and what was acceptable.
 */
#define igt_assert_in_errset(ret, set, f, ...) \
	do { \
		int __r = (ret); \
		if (!secbuf_errset_has((set), __r)) { \
			char __b[256]; \
			igt_assert_f(false, f ": returned %s, expected %s\n", \
				     ##__VA_ARGS__, secbuf_errname(__r), \
				     secbuf_errset_str((set), __b, \
						       sizeof(__b))); \
		} \
	} while (0)

/* ---- Memory shared with forked children ---------------------------------- */

/* MAP_SHARED | MAP_ANONYMOUS, zeroed; asserts. */
void *secbuf_shared_alloc(size_t size);
void secbuf_shared_free(void *ptr, size_t size);

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t secbuf_now_ns(void);

/* ---- /proc/meminfo, /proc/vmstat ----------------------------------------- */

/* A "Key: N kB" line of /proc/meminfo, in bytes; -1 if absent. */
int64_t secbuf_meminfo(const char *key);
/* A "key N" line of /proc/vmstat; -1 if absent. */
int64_t secbuf_vmstat(const char *key);

/* ---- Fault injection --------------------------------------------------- */

/*
 * failslab and fail_page_alloc (Documentation/fault-injection/). The first
 * secbuf_fault_setup() saves every attribute it changes and installs an
 * exit handler that writes them back; secbuf_fault_restore() does it at
 * once. After setup both attributes are armed for fail-nth and
 * make-it-fail but fail nothing on their own: probability 0, no message
 * (verbose 0: a dump_stack() would look like a kernel report to the
 * harness), GFP_KERNEL allocations and order-0 pages included
 * (ignore-gfp-wait N, min-order 0), only tasks with make-it-fail
 * (task-filter Y).
 */
void secbuf_fault_setup(void);
void secbuf_fault_restore(void);

/*
 * Random failures for tasks with make-it-fail: each allocation of such a
 * task fails with @percent % probability (0 turns it off).
 */
void secbuf_fault_set_probability(unsigned int percent);

/* /proc/self/make-it-fail of the calling process (inherited by fork). */
void secbuf_fault_make_it_fail(bool on);

/*
 * /proc/thread-self/fail-nth: the @nth allocation (any fault site: slab
 * or page allocator) of the calling thread from now on fails. Reading it
 * back after a call: 0 means the failure was injected; n > 0 means the
 * call made fewer allocations and nothing was failed (the counter is
 * reset by secbuf_fail_nth_clear()).
 */
void secbuf_fail_nth_set(unsigned int nth);
unsigned int secbuf_fail_nth_get(void);
void secbuf_fail_nth_clear(void);

/* ---- kmemleak ----------------------------------------------------------- */

/*
 * secbuf_kmemleak_clear() forgets the suspects reported so far (so that a
 * later report is about what happened since). secbuf_kmemleak_check()
 * waits until everything allocated since is old enough to be reported
 * (kmemleak ignores objects younger than 5 s), scans twice and fails,
 * printing the report, if any object is unreferenced.
 */
void secbuf_kmemleak_clear(void);
void secbuf_kmemleak_check(void);

/* ---- Module parameters, for a reload ----------------------------------- */

/*
 * "name=value ..." of every readable parameter of the loaded secbuf, to
 * load it again with the same ones (cma_pool_size on a board without a
 * device tree, the limits, ...). Returns @buf.
 */
char *secbuf_module_params(char *buf, size_t len);
/*
 * Load secbuf from $SECBUF_KO with @params and wait until the node of
 * @pool exists. Returns 0 or -errno.
 */
int secbuf_module_reload(const char *params, const char *pool);

#endif /* IGT_STRESS_H */
