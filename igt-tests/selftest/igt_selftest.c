// SPDX-License-Identifier: MIT
/*
 * Self-test of the IGT runtime: subtests whose result is known in advance.
 * run-selftest.sh runs them and checks the result lines and exit codes, so a
 * broken igt_assert() or igt_waitchildren() cannot turn into a pass.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Self-test of the IGT runtime; every result is known.");

/* The exit handlers append their pid to $IGT_SELFTEST_MARKER. */
static void marker_exit_handler(int sig)
{
	const char *path = getenv("IGT_SELFTEST_MARKER");
	char line[64];
	int fd, len;

	if (!path)
		return;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "handler pid=%d sig=%d\n",
		       getpid(), sig);
	if (write(fd, line, len) != len)
		_exit(1);
	close(fd);
}

igt_main
{
	static int fixture_runs;

	igt_fixture {
		fixture_runs++;
		igt_info("fixture ran\n");
	}

	igt_describe("Must fail: igt_assert of a false expression, errno ENOENT.");
	igt_subtest("fail-assert") {
		errno = ENOENT;
		igt_assert(1 == 2);
		igt_info("UNREACHABLE after igt_assert\n");
	}

	igt_describe("Must fail: igt_assert_eq of 1 and 2.");
	igt_subtest("fail-assert-eq") {
		igt_debug("debug line before the failure\n");
		igt_assert_eq(1, 2);
	}

	igt_describe("Must fail: igt_assert_eq_u64 of two 64 bit values.");
	igt_subtest("fail-assert-eq-u64") {
		igt_assert_eq_u64(1ULL << 40, (1ULL << 40) + 1);
	}

	igt_describe("Must fail: igt_assert_lt of 2 and 1.");
	igt_subtest("fail-assert-lt") {
		igt_assert_lt(2, 1);
	}

	igt_describe("Must fail: igt_assert_fd of -1.");
	igt_subtest("fail-assert-fd") {
		int fd = -1;

		igt_assert_fd(fd);
	}

	igt_describe("Must fail: igt_fail() called directly.");
	igt_subtest("fail-explicit") {
		igt_fail(IGT_EXIT_FAILURE);
	}

	igt_describe("Must fail: one of three igt_fork children asserts.");
	igt_subtest("fail-in-child") {
		igt_fork(child, 3) {
			igt_assert_neq(child, 1);
		}
		igt_waitchildren();
		igt_info("UNREACHABLE after igt_waitchildren\n");
	}

	igt_describe("Must fail: an igt_fork child is killed by a signal.");
	igt_subtest("fail-child-signal") {
		igt_fork(child, 1) {
			raise(SIGKILL);
		}
		igt_waitchildren();
	}

	igt_describe("Must fail: skipping in an igt_fork child is not allowed.");
	igt_subtest("fail-child-skip") {
		igt_fork(child, 1) {
			igt_skip("a child cannot skip\n");
		}
		igt_waitchildren();
	}

	igt_describe("Must skip: igt_require of a false expression.");
	igt_subtest("skip-require") {
		igt_require(1 == 2);
		igt_info("UNREACHABLE after igt_require\n");
	}

	igt_describe("Must skip: igt_require_f with a message.");
	igt_subtest("skip-require-f") {
		igt_require_f(0, "the reason is %d\n", 42);
	}

	igt_describe("Must skip: igt_skip_on of a true expression.");
	igt_subtest("skip-on") {
		igt_skip_on(1 == 1);
	}

	igt_describe("Must skip: igt_skip() called directly.");
	igt_subtest("skip-explicit") {
		igt_skip("skipping on purpose\n");
	}

	igt_describe("Must crash: SIGSEGV in the test process.");
	igt_subtest("crash") {
		raise(SIGSEGV);
	}

	igt_describe("Must pass: every assert holds.");
	igt_subtest("pass") {
		igt_assert(fixture_runs == 1);
		igt_assert_eq(1, 1);
		igt_assert_neq(1, 2);
		igt_assert_lte(1, 1);
		igt_assert_lt(1, 2);
		igt_assert_eq_u64(1ULL << 40, 1ULL << 40);
		igt_require(1);
		igt_skip_on(0);
		igt_assert_fd(0);
	}

	igt_describe("Must pass: four igt_fork children that all succeed.");
	igt_subtest("pass-with-children") {
		igt_fork(child, 4) {
			igt_assert(child >= 0 && child < 4);
		}
		igt_waitchildren();
	}

	igt_describe("Must pass: igt_subtest_f builds the name.");
	igt_subtest_f("pass-formatted-%d", 7) {
		igt_assert(!strcmp(igt_subtest_name(), "pass-formatted-7"));
	}

	igt_describe("Must pass; installs an exit handler which must run once, "
		     "in the parent only, when the process exits.");
	igt_subtest("pass-exit-handler") {
		igt_install_exit_handler(marker_exit_handler);
		igt_fork(child, 2)
			;
		igt_waitchildren();
	}

	igt_describe("Dies from SIGTERM; its exit handler must still run.");
	igt_subtest("exit-handler-on-signal") {
		igt_install_exit_handler(marker_exit_handler);
		raise(SIGTERM);
	}

	igt_subtest("no-description") {
	}
}
