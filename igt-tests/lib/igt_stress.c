// SPDX-License-Identifier: MIT
/*
 * Stress, fault injection and lane feature helpers. See igt_stress.h.
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_secbuf.h"
#include "igt_stress.h"
#include "igt_v4l2.h"

/* ---- Lane features ------------------------------------------------------ */

#define DEBUGFS			"/sys/kernel/debug"
#define FAILSLAB		DEBUGFS "/failslab"
#define FAIL_PAGE_ALLOC		DEBUGFS "/fail_page_alloc"
#define KMEMLEAK		DEBUGFS "/kmemleak"

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/**
 * secbuf_kernel_has_feature: whether the running kernel has @feature
 * (see igt_stress.h for the names).
 */
bool secbuf_kernel_has_feature(const char *feature)
{
	if (!strcmp(feature, "fault-injection"))
		return path_exists(FAILSLAB "/probability") &&
		       path_exists(FAIL_PAGE_ALLOC "/probability") &&
		       path_exists("/proc/thread-self/fail-nth") &&
		       path_exists("/proc/self/make-it-fail");
	if (!strcmp(feature, "kmemleak"))
		return path_exists(KMEMLEAK);
	/* cgroup v2 at /sys/fs/cgroup with the dmem controller (init). */
	if (!strcmp(feature, "dmem"))
		return path_exists("/sys/fs/cgroup/dmem.capacity");
	if (!strcmp(feature, "udmabuf"))
		return path_exists("/dev/udmabuf");
	if (!strcmp(feature, "vb2-releases-refused-dmabuf"))
		return !secbuf_vb2_leaks_refused_dmabuf();
	/* Nothing to probe: the subtests that need it are the check. */
	if (!strcmp(feature, "vivid-svideo-loop"))
		return true;

	igt_assert_f(false, "unknown lane feature \"%s\"\n", feature);
	return false;
}

/* Whether the comma or space separated @list names @feature. */
static bool list_has(const char *list, const char *feature)
{
	size_t len = strlen(feature);

	while (*list) {
		size_t n;

		list += strspn(list, ", ");
		n = strcspn(list, ", ");
		if (n == len && !strncmp(list, feature, len))
			return true;
		list += n;
	}
	return false;
}

/**
 * secbuf_lane_has_feature: whether the lane declares @feature in
 * $SECBUF_LANE_FEATURES; without that variable (outside the harness),
 * whether the kernel has it.
 */
bool secbuf_lane_has_feature(const char *feature)
{
	const char *list = getenv("SECBUF_LANE_FEATURES");

	if (!list)
		return secbuf_kernel_has_feature(feature);
	return list_has(list, feature);
}

/**
 * secbuf_require_lane_feature: skip unless the lane declares @feature, and
 * fail if it declares one the kernel does not have.
 */
void secbuf_require_lane_feature(const char *feature)
{
	const char *list = getenv("SECBUF_LANE_FEATURES");

	if (!list) {
		igt_require_f(secbuf_kernel_has_feature(feature),
			      "%s \"%s\": the kernel does not have it "
			      "(SECBUF_LANE_FEATURES is not set)\n",
			      SECBUF_NO_LANE_FEATURE, feature);
		return;
	}
	igt_require_f(list_has(list, feature),
		      "%s \"%s\": this lane does not declare it "
		      "(SECBUF_LANE_FEATURES=\"%s\")\n",
		      SECBUF_NO_LANE_FEATURE, feature, list);
	igt_assert_f(secbuf_kernel_has_feature(feature),
		     "the lane declares \"%s\" (SECBUF_LANE_FEATURES=\"%s\") "
		     "but the kernel does not have it\n", feature, list);
}

/* ---- Seeds and random streams -------------------------------------------- */

long secbuf_env_long(const char *name, long def)
{
	const char *env = getenv(name);
	char *end;
	long v;

	if (!env || !*env)
		return def;
	errno = 0;
	v = strtol(env, &end, 0);
	igt_assert_f(errno == 0 && *end == '\0', "%s=\"%s\" is not a number\n",
		     name, env);
	return v;
}

uint64_t secbuf_stress_seed(void)
{
	const char *env = getenv("SECBUF_SEED");
	uint64_t seed;

	if (env && *env) {
		char *end;

		errno = 0;
		seed = strtoull(env, &end, 0);
		igt_assert_f(errno == 0 && *end == '\0',
			     "SECBUF_SEED=\"%s\" is not a number\n", env);
	} else {
		seed = secbuf_now_ns() ^ ((uint64_t)getpid() << 32);
		/* Short enough to type. */
		seed %= 1000000000ULL;
	}
	igt_info("seed %" PRIu64 " (SECBUF_SEED=%" PRIu64 " reproduces it)\n",
		 seed, seed);
	return seed;
}

double secbuf_stress_seconds(double def)
{
	const char *env = getenv("SECBUF_STRESS_SECONDS");
	double v;
	char *end;

	if (!env || !*env)
		return def;
	v = strtod(env, &end);
	igt_assert_f(*end == '\0' && v > 0,
		     "SECBUF_STRESS_SECONDS=\"%s\" is not a duration\n", env);
	return v;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void secbuf_rng_init(struct secbuf_rng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t secbuf_rng_next(struct secbuf_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t secbuf_rng_below(struct secbuf_rng *rng, uint64_t n)
{
	return n ? secbuf_rng_next(rng) % n : 0;
}

bool secbuf_rng_chance(struct secbuf_rng *rng, unsigned int percent)
{
	return secbuf_rng_below(rng, 100) < percent;
}

unsigned int secbuf_rng_weighted(struct secbuf_rng *rng,
				 const unsigned int *weights, unsigned int n)
{
	uint64_t total = 0, pick;

	for (unsigned int i = 0; i < n; i++)
		total += weights[i];
	pick = secbuf_rng_below(rng, total);
	for (unsigned int i = 0; i < n; i++) {
		if (pick < weights[i])
			return i;
		pick -= weights[i];
	}
	return n - 1;
}

/* ---- Sets of acceptable results ----------------------------------------- */

const char *secbuf_errname(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	if (!err)
		return "0";
	name = strerrorname_np(err);
	return name ?: "E?";
}

const char *secbuf_errset_str(const struct secbuf_errset *s, char *buf,
			      size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int e = 0; e < SECBUF_ERRSET_MAX; e++) {
		if (!secbuf_errset_has(s, e))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s", used ? "|" : "", secbuf_errname(e));
	}
	if (!used)
		snprintf(buf, len, "(nothing)");
	return buf;
}

/* ---- Shared memory, time ------------------------------------------------- */

void *secbuf_shared_alloc(size_t size)
{
	void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	igt_assert_f(ptr != MAP_FAILED, "shared mapping of %zu bytes: %s\n",
		     size, strerror(errno));
	return ptr;
}

void secbuf_shared_free(void *ptr, size_t size)
{
	if (ptr)
		munmap(ptr, size);
}

uint64_t secbuf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- /proc/meminfo, /proc/vmstat ----------------------------------------- */

static int64_t proc_value(const char *path, const char *key, char sep,
			  int64_t scale)
{
	size_t len = strlen(key);
	char line[256];
	int64_t v = -1;
	FILE *f;

	f = fopen(path, "re");
	igt_assert_f(f, "cannot open %s\n", path);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, len) || line[len] != sep)
			continue;
		v = strtoll(line + len + 1, NULL, 10) * scale;
		break;
	}
	fclose(f);
	return v;
}

int64_t secbuf_meminfo(const char *key)
{
	return proc_value("/proc/meminfo", key, ':', 1024);
}

int64_t secbuf_vmstat(const char *key)
{
	return proc_value("/proc/vmstat", key, ' ', 1);
}

/* ---- Files ---------------------------------------------------------------- */

static int read_file(const char *path, char *buf, size_t len)
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

static int write_file(const char *path, const char *value)
{
	ssize_t len = (ssize_t)strlen(value), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	n = n < 0 ? -errno : (n == len ? 0 : -EIO);
	close(fd);
	return (int)n;
}

static void write_file_assert(const char *path, const char *value)
{
	int ret = write_file(path, value);

	igt_assert_f(ret == 0, "cannot write \"%s\" to %s: %s\n", value, path,
		     strerror(-ret));
}

/* ---- Fault injection --------------------------------------------------- */

#define MAX_SAVED_FAULT_ATTRS 24
static struct {
	char path[128];
	char value[64];
} saved_attrs[MAX_SAVED_FAULT_ATTRS];
static int num_saved_attrs;
static int fail_nth_fd = -1;
static int make_it_fail_fd = -1;

static void fault_attr_set(const char *dir, const char *attr, const char *value)
{
	char path[128];
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	for (i = 0; i < num_saved_attrs; i++)
		if (!strcmp(saved_attrs[i].path, path))
			break;
	if (i == num_saved_attrs) {
		int ret;

		igt_assert(num_saved_attrs < MAX_SAVED_FAULT_ATTRS);
		snprintf(saved_attrs[i].path, sizeof(saved_attrs[i].path),
			 "%s", path);
		ret = read_file(path, saved_attrs[i].value,
				sizeof(saved_attrs[i].value));
		igt_assert_f(ret == 0, "cannot read %s: %s\n", path,
			     strerror(-ret));
		num_saved_attrs++;
	}
	write_file_assert(path, value);
}

static int fail_nth_file(void);

static void fault_exit_handler(int sig)
{
	(void)sig;
	secbuf_fault_restore();
}

void secbuf_fault_restore(void)
{
	if (fail_nth_fd >= 0) {
		/* Nothing of ours may fail after the test. */
		if (pwrite(fail_nth_fd, "0", 1, 0) != 1)
			fprintf(stderr, "could not clear fail-nth\n");
		close(fail_nth_fd);
		fail_nth_fd = -1;
	}
	if (make_it_fail_fd >= 0) {
		if (pwrite(make_it_fail_fd, "0", 1, 0) != 1)
			fprintf(stderr, "could not clear make-it-fail\n");
		close(make_it_fail_fd);
		make_it_fail_fd = -1;
	}
	/* Probability first, so nothing fails while the rest goes back. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = num_saved_attrs - 1; i >= 0; i--) {
			bool prob = strstr(saved_attrs[i].path, "/probability");

			if (prob != (pass == 0))
				continue;
			if (write_file(saved_attrs[i].path, saved_attrs[i].value))
				fprintf(stderr, "could not restore %s=%s\n",
					saved_attrs[i].path,
					saved_attrs[i].value);
		}
	}
	num_saved_attrs = 0;
}

void secbuf_fault_setup(void)
{
	static const char *const dirs[] = { FAILSLAB, FAIL_PAGE_ALLOC };

	igt_install_exit_handler(fault_exit_handler);
	for (int i = 0; i < 2; i++) {
		fault_attr_set(dirs[i], "probability", "0");
		fault_attr_set(dirs[i], "interval", "1");
		fault_attr_set(dirs[i], "times", "-1");
		fault_attr_set(dirs[i], "space", "0");
		fault_attr_set(dirs[i], "verbose", "0");
		fault_attr_set(dirs[i], "task-filter", "Y");
		fault_attr_set(dirs[i], "ignore-gfp-wait", "N");
	}
	fault_attr_set(FAIL_PAGE_ALLOC, "ignore-gfp-highmem", "N");
	fault_attr_set(FAIL_PAGE_ALLOC, "min-order", "0");
	fault_attr_set(FAILSLAB, "cache-filter", "N");
	/*
	 * Opened now: opening them later would allocate, which counts (and
	 * fails) once make-it-fail or fail-nth is on.
	 */
	fail_nth_file();
	make_it_fail_fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	igt_assert_f(make_it_fail_fd >= 0, "cannot open /proc/self/make-it-fail: %s\n",
		     strerror(errno));
}

void secbuf_fault_set_probability(unsigned int percent)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", percent);
	write_file_assert(FAILSLAB "/probability", value);
	write_file_assert(FAIL_PAGE_ALLOC "/probability", value);
}

void secbuf_fault_make_it_fail(bool on)
{
	igt_assert(make_it_fail_fd >= 0);
	igt_assert_eq(pwrite(make_it_fail_fd, on ? "1" : "0", 1, 0), 1);
}

/*
 * One fd, opened before anything is armed: opening it later would itself
 * allocate, and count.
 */
static int fail_nth_file(void)
{
	if (fail_nth_fd < 0) {
		fail_nth_fd = open("/proc/thread-self/fail-nth",
				   O_RDWR | O_CLOEXEC);
		igt_assert_f(fail_nth_fd >= 0,
			     "cannot open /proc/thread-self/fail-nth: %s\n",
			     strerror(errno));
	}
	return fail_nth_fd;
}

void secbuf_fail_nth_set(unsigned int nth)
{
	char value[16];
	int len, fd = fail_nth_file();

	len = snprintf(value, sizeof(value), "%u", nth);
	igt_assert_eq(pwrite(fd, value, len, 0), len);
}

unsigned int secbuf_fail_nth_get(void)
{
	char value[16] = "";
	ssize_t n = pread(fail_nth_file(), value, sizeof(value) - 1, 0);

	igt_assert(n > 0);
	value[n] = '\0';
	return (unsigned int)strtoul(value, NULL, 10);
}

void secbuf_fail_nth_clear(void)
{
	igt_assert_eq(pwrite(fail_nth_file(), "0", 1, 0), 1);
}

/* ---- kmemleak ----------------------------------------------------------- */

void secbuf_kmemleak_clear(void)
{
	write_file_assert(KMEMLEAK, "clear");
}

void secbuf_kmemleak_check(void)
{
	static char report[16384];
	size_t len = 0;
	uint64_t t0;
	ssize_t n;
	int fd;

	/*
	 * An object is reported once it is older than 5 s and two scans in a
	 * row found it unreferenced with unchanged contents.
	 */
	sleep(6);
	t0 = secbuf_now_ns();
	write_file_assert(KMEMLEAK, "scan");
	write_file_assert(KMEMLEAK, "scan");
	igt_info("kmemleak: two scans in %.1f s\n",
		 (double)(secbuf_now_ns() - t0) / 1e9);

	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	igt_assert_f(fd >= 0, "cannot open %s: %s\n", KMEMLEAK,
		     strerror(errno));
	while (len < sizeof(report) - 1 &&
	       (n = read(fd, report + len, sizeof(report) - 1 - len)) > 0)
		len += n;
	close(fd);
	report[len] = '\0';
	igt_assert_f(len == 0, "kmemleak found unreferenced objects:\n%s\n",
		     report);
}

/* ---- Module parameters ------------------------------------------------- */

char *secbuf_module_params(char *buf, size_t len)
{
	struct dirent *de;
	size_t used = 0;
	DIR *dir;

	buf[0] = '\0';
	dir = opendir(SECBUF_PARAM_DIR);
	if (!dir)
		return buf;
	while ((de = readdir(dir))) {
		char value[256];
		int n;

		if (de->d_name[0] == '.' ||
		    __secbuf_param_read(de->d_name, value, sizeof(value)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s=\"%s\"",
			     used ? " " : "", de->d_name, value);
		igt_assert(n > 0 && (size_t)n < len - used);
		used += n;
	}
	closedir(dir);
	return buf;
}

int secbuf_module_reload(const char *params, const char *pool)
{
	char path[PATH_MAX];
	int ret;

	ret = __secbuf_module_load(secbuf_module_path(), params);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s", SECBUF_DEV_DIR, pool);
	for (int i = 0; i < 500; i++) {
		if (path_exists(path))
			return 0;
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

void secbuf_model_mmap(const struct secbuf_model_handle *h, int prot,
		       struct secbuf_errset *set)
{
	bool write = prot & PROT_WRITE;

	/* A writable shared mapping of an O_RDONLY file: mmap(2) itself. */
	if (write && !h->writable_fd) {
		secbuf_errset_add(set, EACCES);
		return;
	}
	if (!(h->rights & SECBUF_GRANT_READ) ||
	    (write && !(h->rights & SECBUF_GRANT_WRITE)) ||
	    (h->bound && h->bound != getpid())) {
		secbuf_errset_add(set, EACCES);
		return;
	}
	if (h->revoked)
		secbuf_errset_add(set, ENODEV);
	else if (write && h->wsealed)
		secbuf_errset_add(set, EPERM);
	else
		secbuf_errset_add(set, 0);
}
