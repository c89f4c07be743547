// SPDX-License-Identifier: MIT
/*
 * Self-test: a fixture that skips marks every following subtest SKIP and
 * runs none of them; subtests before it are unaffected.
 */
#include "igt.h"

igt_main
{
	igt_describe("Must pass: runs before the skipping fixture.");
	igt_subtest("before") {
	}

	igt_fixture {
		igt_require_f(0, "fixture requirement not met\n");
	}

	igt_describe("Must skip without running: after the skipping fixture.");
	igt_subtest("after-1") {
		igt_info("UNREACHABLE body after a skipped fixture\n");
	}

	igt_fixture {
		igt_info("UNREACHABLE fixture after a skipped fixture\n");
	}

	igt_describe("Must skip without running: after the skipping fixture.");
	igt_subtest("after-2") {
		igt_info("UNREACHABLE body after a skipped fixture\n");
	}
}
