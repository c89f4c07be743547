/* SPDX-License-Identifier: MIT */
/*
 * A small, source compatible subset of igt-gpu-tools' lib/igt_core.h.
 *
 * Only what the secbuf tests use is here; the names, macros and behaviour
 * follow IGT so that the tests build unchanged against the real library.
 * See igt-tests/README.md for the list and for the known differences.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef IGT_CORE_H
#define IGT_CORE_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit codes, as in IGT. */
#define IGT_EXIT_SUCCESS	0
#define IGT_EXIT_INVALID	79
#define IGT_EXIT_FAILURE	98
#define IGT_EXIT_SKIP		77

#define __igt_concat2(x, y)	x ## y
#define __igt_concat(x, y)	__igt_concat2(x, y)
#define igt_unique(prefix)	__igt_concat(prefix, __LINE__)

#define igt_noreturn		__attribute__((noreturn))
#define igt_printf_fmt(a, b)	__attribute__((format(printf, a, b)))

/* Optional one-line description of the whole binary, as in IGT. */
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str
extern const char *__igt_test_description __attribute__((weak));

extern sigjmp_buf igt_subtest_jmpbuf;

/* ---- Structure: igt_main, igt_fixture, igt_subtest ---------------------- */

int igt_subtest_init_parse_opts(int *argc, char **argv);
igt_noreturn void igt_exit(void);

/**
 * igt_main: replaces main() in a test with subtests.
 *
 * Code in the body that is not inside an igt_fixture or igt_subtest block
 * also runs when only listing subtests, so keep setup in fixtures.
 */
#define igt_main \
	static void __igt_real_main(int argc, char **argv); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv); \
		__igt_real_main(argc, argv); \
		igt_exit(); \
	} \
	static void __igt_real_main(int argc __attribute__((unused)), \
				    char **argv __attribute__((unused)))

bool __igt_fixture(void);
void __igt_fixture_complete(void);
igt_noreturn void __igt_fixture_end(void);

/**
 * igt_fixture: setup or teardown shared by the following subtests.
 *
 * Skipped when only listing. A skip or failure inside it marks every
 * following subtest SKIP or FAIL.
 */
#define igt_fixture \
	for (int igt_unique(__tmpint) = 0; \
	     igt_unique(__tmpint) < 1 && __igt_fixture() && \
	     (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_unique(__tmpint)++, __igt_fixture_complete())

bool __igt_run_subtest(const char *subtest_name, const char *file, int line);

/**
 * igt_subtest: a named block that is run, listed or described.
 * @name: dash-case name of the subtest.
 */
#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	       igt_success())

#define __igt_subtest_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_success())

/**
 * igt_subtest_f: igt_subtest() with a printf-style name.
 */
#define igt_subtest_f(f...) __igt_subtest_f(igt_unique(__tmpchar), f)

const char *igt_subtest_name(void);
const char *igt_test_name(void);
bool igt_only_list_subtests(void);

/**
 * igt_describe: attach a description to the next subtest.
 * @dsc: what the subtest is meant to prove (printed by --describe).
 */
void igt_describe_f(const char *fmt, ...) igt_printf_fmt(1, 2);
#define igt_describe(dsc) igt_describe_f("%s", dsc)

/* ---- Results ------------------------------------------------------------ */

void igt_success(void);
igt_noreturn void igt_fail(int exitcode);
igt_noreturn void igt_skip(const char *f, ...) igt_printf_fmt(1, 2);
igt_noreturn void __igt_skip_check(const char *file, int line,
				   const char *func, const char *check,
				   const char *f, ...) igt_printf_fmt(5, 6);
igt_noreturn void __igt_fail_assert(const char *domain, const char *file,
				    int line, const char *func,
				    const char *assertion,
				    const char *f, ...) igt_printf_fmt(6, 7);

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN NULL
#endif

/**
 * igt_assert: fail the current subtest (or fixture) unless @expr holds.
 *
 * Prints the file, line, function, the expression and errno.
 */
#define igt_assert(expr) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, NULL); \
	} while (0)

#define igt_assert_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, f); \
	} while (0)

#define igt_fail_on(expr) igt_assert(!(expr))
#define igt_fail_on_f(expr, f...) igt_assert_f(!(expr), f)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	do { \
		int __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #n1 " " #cmp " " #n2, \
					  "error: %d " #ncmp " %d\n", \
					  __n1, __n2); \
	} while (0)

#define igt_assert_cmpuint(n1, cmp, ncmp, n2) \
	do { \
		uint32_t __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #n1 " " #cmp " " #n2, \
					  "error: %#x " #ncmp " %#x\n", \
					  __n1, __n2); \
	} while (0)

#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	do { \
		uint64_t __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #n1 " " #cmp " " #n2, \
					  "error: %#" PRIx64 " " #ncmp \
					  " %#" PRIx64 "\n", __n1, __n2); \
	} while (0)

#define igt_assert_eq(n1, n2)		igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2)		igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_lte(n1, n2)		igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_lt(n1, n2)		igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_eq_u32(n1, n2)	igt_assert_cmpuint(n1, ==, !=, n2)
#define igt_assert_eq_u64(n1, n2)	igt_assert_cmpu64(n1, ==, !=, n2)
#define igt_assert_neq_u64(n1, n2)	igt_assert_cmpu64(n1, !=, ==, n2)
#define igt_assert_lte_u64(n1, n2)	igt_assert_cmpu64(n1, <=, >, n2)
#define igt_assert_lt_u64(n1, n2)	igt_assert_cmpu64(n1, <, >=, n2)

#define igt_assert_fd(fd) \
	igt_assert_f((fd) >= 0, "file descriptor " #fd " failed\n")

/**
 * igt_require: skip the current subtest (or, in a fixture, every following
 * subtest) unless @expr holds.
 */
#define igt_require(expr) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, NULL); \
		else \
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_require_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, f); \
		else \
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_skip_on(expr) \
	do { \
		if ((expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 "!(" #expr ")", NULL); \
		else \
			igt_debug("Test requirement passed: !(%s)\n", #expr); \
	} while (0)

#define igt_skip_on_f(expr, f...) \
	do { \
		if ((expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 "!(" #expr ")", f); \
		else \
			igt_debug("Test requirement passed: !(%s)\n", #expr); \
	} while (0)

/* ---- Processes ---------------------------------------------------------- */

bool __igt_fork(void);

/**
 * igt_fork: run the block in @num_children forked children.
 * @child: name of the int variable holding the child index.
 *
 * A failing assert in a child makes it exit with IGT_EXIT_FAILURE;
 * igt_waitchildren() then fails the subtest. Skipping is not allowed in a
 * child. Must be used inside a subtest.
 */
#define igt_fork(child, num_children) \
	for (int child = 0; child < (num_children); child++) \
		for (; __igt_fork(); exit(0))

int __igt_waitchildren(void);
void igt_waitchildren(void);

typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/* ---- Logging ------------------------------------------------------------ */

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

extern enum igt_log_level igt_log_level;

void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...) igt_printf_fmt(3, 4);
void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args) igt_printf_fmt(3, 0);
void igt_kmsg(const char *format, ...) igt_printf_fmt(1, 2);

#define KMSG_INFO	"<6>[IGT] "

#define igt_debug(f...)		igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...)		igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...)		igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)
#define igt_critical(f...)	igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, f)

#endif /* IGT_CORE_H */
