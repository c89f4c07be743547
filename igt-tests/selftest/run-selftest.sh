#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Host self-test of the IGT runtime in igt-tests/lib.
#
#   run-selftest.sh SELFTEST_DIR [TEST_BINARY...]
#
# Runs the self-test binaries, whose every result is known, and checks exit
# codes and output lines. Then checks the real test binaries can be listed
# and described, and that without a secbuf device none of them passes.

set -u

dir=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

checks=0
failures=0
rc=0

ok() { checks=$((checks + 1)); }
bad() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	echo "SELFTEST FAIL: $*"
	echo "  command: $cmd"
	sed 's/^/  stdout: /' "$tmp/out"
	sed 's/^/  stderr: /' "$tmp/err"
}

run() {
	cmd="$*"
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok; else bad "exit code $rc, expected $1"; fi
}

# A whole stdout line, as an extended regex.
expect_line() {
	if grep -Eqx -- "$1" "$tmp/out"; then ok; else bad "no stdout line /$1/"; fi
}

expect_no_line() {
	if grep -Eqx -- "$1" "$tmp/out"; then bad "unexpected stdout line /$1/"; else ok; fi
}

expect_err() {
	if grep -Fq -- "$1" "$tmp/err"; then ok; else bad "stderr lacks \"$1\""; fi
}

expect_nowhere() {
	if grep -Fq -- "$1" "$tmp/out" "$tmp/err"; then bad "\"$1\" printed"; else ok; fi
}

result() { printf 'Subtest %s: %s \\([0-9]+\\.[0-9]{3}s\\)\n' "$1" "$2"; }

st=$dir/igt_selftest
src=igt_selftest.c

# --- each result on its own ---------------------------------------------
run "$st" --run-subtest pass
expect_rc 0
expect_line "Starting subtest: pass"
expect_line "$(result pass SUCCESS)"
expect_line "fixture ran"
expect_nowhere "fail-assert"

run "$st" --run-subtest fail-assert
expect_rc 98
expect_line "Starting subtest: fail-assert"
expect_line "$(result fail-assert FAIL)"
expect_err "Test assertion failure function __igt_real_main, file"
expect_err "$src:$(grep -n 'igt_assert(1 == 2)' "$(dirname "$0")/$src" | cut -d: -f1):"
expect_err "Failed assertion: 1 == 2"
expect_err "Last errno: 2, No such file or directory"
expect_err "Subtest fail-assert failed."
expect_nowhere "UNREACHABLE"

run "$st" --run-subtest fail-assert-eq
expect_rc 98
expect_line "$(result fail-assert-eq FAIL)"
expect_err "Failed assertion: 1 == 2"
expect_err "error: 1 != 2"
expect_err "debug line before the failure"

for t in fail-assert-eq-u64 fail-assert-lt fail-assert-fd fail-explicit \
	 fail-in-child fail-child-signal fail-child-skip; do
	run "$st" --run-subtest $t
	expect_line "$(result $t FAIL)"
	expect_nowhere "UNREACHABLE"
done

# As in IGT, igt_waitchildren() fails with the first bad child's status:
# its exit code, or 128 + the signal that killed it.
run "$st" --run-subtest fail-in-child
expect_rc 98
expect_line "child 1 failed with exit status 98"

run "$st" --run-subtest fail-child-signal
expect_rc 137
expect_line "child 0 died with signal 9, Killed"

# igt_skip() in a child is a bug of the test: the child aborts.
run "$st" --run-subtest fail-child-skip
expect_rc 134
expect_err "skips are not allowed in forks"
expect_line "child 0 died with signal 6, Aborted"

for t in skip-require skip-require-f skip-on skip-explicit; do
	run "$st" --run-subtest $t
	expect_rc 77
	expect_line "$(result $t SKIP)"
	expect_nowhere "UNREACHABLE"
done
run "$st" --run-subtest skip-require
expect_line "Test requirement: 1 == 2"
run "$st" --run-subtest skip-require-f
expect_line "the reason is 42"

run "$st" --run-subtest crash
expect_rc 139
expect_line "$(result crash CRASH)"
expect_err "Received signal SIGSEGV."

run "$st" --run-subtest pass-formatted-7
expect_rc 0
expect_line "$(result pass-formatted-7 SUCCESS)"

# --- exit handlers --------------------------------------------------------
export IGT_SELFTEST_MARKER="$tmp/marker"
rm -f "$IGT_SELFTEST_MARKER"
run "$st" --run-subtest pass-exit-handler
expect_rc 0
if [ "$(grep -c 'sig=0' "$IGT_SELFTEST_MARKER" 2>/dev/null)" = 1 ]; then ok; else
	bad "exit handler must run exactly once, in the parent"; fi

rm -f "$IGT_SELFTEST_MARKER"
run "$st" --run-subtest exit-handler-on-signal
expect_rc 143
if grep -q 'sig=15' "$IGT_SELFTEST_MARKER" 2>/dev/null; then ok; else
	bad "exit handler did not run on SIGTERM"; fi
unset IGT_SELFTEST_MARKER

# --- globs and lists --------------------------------------------------------
run "$st" --run-subtest 'pass*'
expect_rc 0
expect_line "$(result pass SUCCESS)"
expect_line "$(result pass-with-children SUCCESS)"
expect_line "$(result pass-formatted-7 SUCCESS)"
expect_line "$(result pass-exit-handler SUCCESS)"
expect_no_line "Starting subtest: (fail|skip|crash).*"

run "$st" --run-subtest 'pass,skip-on'
expect_rc 0
expect_line "$(result pass SUCCESS)"
expect_line "$(result skip-on SKIP)"
expect_no_line "Starting subtest: pass-.*"

run "$st" --run-subtest 'skip-*,!skip-on'
expect_rc 77
expect_line "$(result skip-require SKIP)"
expect_no_line "Starting subtest: skip-on"

run "$st" --run-subtest no-such-subtest
expect_rc 79
expect_err "Unknown subtest: no-such-subtest"
expect_nowhere "Starting subtest"

# Everything: the first failure decides the exit code, and a failure,
# skip or crash does not stop the following subtests.
run "$st" --run-subtest '*,!exit-handler-on-signal'
expect_rc 98
expect_line "$(result crash CRASH)"
expect_line "$(result pass SUCCESS)"
expect_line "$(result no-description SUCCESS)"
if [ "$(grep -c '^Subtest ' "$tmp/out")" = 19 ]; then ok; else bad "expected 19 results"; fi
expect_nowhere "UNREACHABLE"

run "$st" --list-subtests
expect_rc 0
if [ "$(wc -l < "$tmp/out")" = 20 ] && [ "$(head -1 "$tmp/out")" = fail-assert ] &&
   [ "$(tail -1 "$tmp/out")" = no-description ]; then ok; else bad "subtest list"; fi
expect_nowhere "fixture ran"

run "$st" --describe=pass
expect_rc 0
expect_line "Self-test of the IGT runtime; every result is known."
expect_line "SUB pass .*$src:[0-9]+:"
expect_line "  Must pass: every assert holds."
expect_no_line "SUB pass-.*"

run "$st" --describe=no-description
expect_line "  NO DOCUMENTATION!"

run "$st" --help
expect_rc 0
expect_line "Usage: igt_selftest \\[OPTIONS\\]"

run "$st" --no-such-option
expect_rc 79

# --- fixtures ---------------------------------------------------------------
run "$dir/igt_selftest_fixture_skip"
expect_rc 0
expect_line "$(result before SUCCESS)"
expect_line "Subtest after-1: SKIP \\(0\\.000s\\)"
expect_line "Subtest after-2: SKIP \\(0\\.000s\\)"
expect_line "fixture requirement not met"
expect_nowhere "UNREACHABLE"

run "$dir/igt_selftest_fixture_skip" --run-subtest after-2
expect_rc 77
expect_line "Subtest after-2: SKIP \\(0\\.000s\\)"

run "$dir/igt_selftest_fixture_fail"
expect_rc 98
expect_line "$(result before SUCCESS)"
expect_line "Subtest after-1: FAIL \\(0\\.000s\\)"
expect_line "Subtest after-2: FAIL \\(0\\.000s\\)"
expect_err "Failed assertion: 3 == 4"
expect_nowhere "UNREACHABLE"

# --- the real tests ---------------------------------------------------------
# Listing needs no device. Without a secbuf pool (an impossible pool name)
# every subtest must skip: none may pass without the driver.
for t in "$@"; do
	name=$(basename "$t")

	run "$t" --list-subtests
	expect_rc 0
	if [ -s "$tmp/out" ]; then ok; else bad "$name lists no subtest"; fi
	if grep -Evx '[a-z0-9]+(-[a-z0-9]+)*' "$tmp/out" >"$tmp/badnames"; then
		bad "$name: subtest names not dash-case: $(cat "$tmp/badnames")"; else ok; fi
	if [ -z "$(sort "$tmp/out" | uniq -d)" ]; then ok; else
		bad "$name: duplicate subtest names: $(sort "$tmp/out" | uniq -d)"; fi
	nsub=$(wc -l < "$tmp/out")

	run "$t" --describe
	expect_rc 0
	expect_nowhere "NO DOCUMENTATION!"
	if [ "$(grep -c '^SUB ' "$tmp/out")" = "$nsub" ]; then ok; else
		bad "$name: --describe does not cover every subtest"; fi

	export SECBUF_POOL=igt-selftest-no-such-pool
	export SECBUF_POOL2=igt-selftest-no-such-pool2
	run "$t"
	unset SECBUF_POOL SECBUF_POOL2
	expect_rc 77
	if [ "$(grep -c '^Subtest .*: SKIP ' "$tmp/out")" = "$nsub" ]; then ok; else
		bad "$name: without a pool every subtest must skip"; fi
done

echo "igt runtime selftest: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
