// SPDX-License-Identifier: MIT
/*
 * Self-test: a fixture that fails marks every following subtest FAIL and
 * runs none of them.
 */
#include "igt.h"

igt_main
{
	igt_describe("Must pass: runs before the failing fixture.");
	igt_subtest("before") {
	}

	igt_fixture {
		igt_assert_eq(3, 4);
	}

	igt_describe("Must fail without running: after the failing fixture.");
	igt_subtest("after-1") {
		igt_info("UNREACHABLE body after a failed fixture\n");
	}

	igt_describe("Must fail without running: after the failing fixture.");
	igt_subtest("after-2") {
		igt_info("UNREACHABLE body after a failed fixture\n");
	}
}
