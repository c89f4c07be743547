#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of scripts/parse-console on made-up console logs."""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader(
    "parse_console", os.path.join(HERE, "..", "parse-console"))
_spec = importlib.util.spec_from_loader("parse_console", _loader)
pc = importlib.util.module_from_spec(_spec)
_loader.exec_module(pc)

BOOT = ["[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]",
        "SECBUF-BOOT lane=test kernel=6.1.0-56-arm64 mode=suite",
        "[   30.000000] secbuf: loading out-of-tree module taints kernel.",
        "[   30.000001] secbuf: module verification failed: signature and/or "
        "required key missing - tainting kernel"]
END = ["SECBUF-SUITE-END subtests=1", "SECBUF-POWEROFF", "[ 40.000000] reboot: Power down"]


def subtest(name, status="SUCCESS", rc=0, body=None):
    out = [f"SECBUF-BEGIN {name}", f"Starting subtest: {name.split('@')[1]}"]
    out += body if body is not None else [f"Subtest {name.split('@')[1]}: {status} (0.001s)"]
    return out + [f"SECBUF-DMESG-BEGIN {name}",
                  "[   31.000000] [IGT] t: executing",
                  f"SECBUF-DMESG-END {name}",
                  f"SECBUF-RESULT {name} {status} rc={rc}"]


class Run:
    def __init__(self, lines, *extra):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "console.log")
            tally = os.path.join(d, "tally")
            with open(log, "w") as f:
                f.write("\r\n".join(lines) + "\r\n")
            args = ["suite", "--lane", "test", "--tally", tally, *extra, log]
            self.out = io.StringIO()
            with contextlib.redirect_stdout(self.out):
                self.rc = pc.main_args(args)
            with open(tally) as f:
                self.passed, self.failed = map(int, f.read().split())
        self.text = self.out.getvalue()

    def result(self, ident):
        for l in self.text.splitlines():
            if l.startswith(f"[test] Subtest {ident}: "):
                return l.split(": ", 1)[1]
        return None


class SuiteTest(unittest.TestCase):
    def test_all_pass(self):
        r = Run(BOOT + subtest("t@a") + END)
        self.assertEqual((r.rc, r.passed, r.failed), (0, 1, 0), r.text)
        self.assertEqual(r.result("t@a"), "SUCCESS")

    def test_skip_counts_as_failed(self):
        r = Run(BOOT + subtest("t@a", "SKIP", 77) + END)
        self.assertEqual((r.passed, r.failed), (0, 1))
        self.assertEqual(r.result("t@a"), "SKIP")

    def test_second_pool_skip_is_na_on_a_one_pool_board(self):
        body = ["Test requirement not met in function secbuf_open_pool:",
                f"{pc.NO_POOL2} (SECBUF_POOL2 is empty)",
                "Subtest a: SKIP (0.001s)"]
        lines = BOOT + subtest("t@a", "SKIP", 77, body) + END
        r = Run(lines, "--pools", "default")
        self.assertEqual((r.rc, r.passed, r.failed), (0, 0, 0), r.text)
        self.assertEqual(r.result("t@a"), "N/A")
        # Anywhere else it is a skip like any other.
        r = Run(lines, "--pools", "gpu camera")
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 1, "SKIP"))
        r = Run(lines)
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 1, "SKIP"))

    def test_feature_skip_is_na_where_the_lane_lacks_it(self):
        body = ["Test requirement not met in function secbuf_require_lane_feature:",
                'needs lane feature "fault-injection": this lane does not declare it '
                '(SECBUF_LANE_FEATURES="udmabuf")',
                "Subtest a: SKIP (0.001s)"]
        lines = BOOT + subtest("t@a", "SKIP", 77, body) + END
        r = Run(lines, "--features", "udmabuf")
        self.assertEqual((r.rc, r.passed, r.failed), (0, 0, 0), r.text)
        self.assertEqual(r.result("t@a"), "N/A")
        self.assertIn("needs lane feature fault-injection", r.text)
        r = Run(lines, "--features", "")
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 0, "N/A"))
        # A lane that declares it must run it: the skip fails there.
        r = Run(lines, "--features", "fault-injection kmemleak")
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 1, "SKIP"))
        # Without --features nothing is known: a skip like any other.
        r = Run(lines)
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 1, "SKIP"))

    def test_other_skip_fails_on_a_one_pool_board(self):
        body = ["no vgem device (modprobe vgem)", "Subtest a: SKIP (0.001s)"]
        r = Run(BOOT + subtest("t@a", "SKIP", 77, body) + END, "--pools", "default")
        self.assertEqual((r.passed, r.failed, r.result("t@a")), (0, 1, "SKIP"))

    def test_kmemleak_leak_is_a_report_but_not_its_startup(self):
        lines = BOOT[:]
        lines.insert(1, "[    0.500000] kmemleak: Kernel memory leak detector "
                        "initialized (mem pool available: 15744)")
        lines.insert(1, "[    0.600000] kmemleak: Automatic memory scanning thread ended")
        r = Run(lines + subtest("t@a") + END)
        self.assertEqual((r.rc, r.passed, r.failed), (0, 1, 0), r.text)
        sub = subtest("t@a")
        sub.insert(-2, "[   31.500000] kmemleak: 2 new suspected memory leaks "
                       "(see /sys/kernel/debug/kmemleak)")
        r = Run(BOOT + sub + END)
        self.assertEqual(r.result("t@a"), "FAIL", r.text)

    def test_x86_call_trace_is_a_report(self):
        sub = subtest("t@a")
        sub.insert(-2, "[   31.500000] Call Trace:")
        sub.insert(-2, "[   31.500001]  <TASK>")
        r = Run(BOOT + sub + END)
        self.assertEqual(r.result("t@a"), "FAIL", r.text)

    def test_deprecated_workqueue_warning_is_a_report(self):
        sub = subtest("t@a")
        sub.insert(-2, "[   31.500000] workqueue: work func secbuf_cache_zero_work "
                       "[secbuf] enqueued on deprecated workqueue. Use "
                       "system_{percpu|dfl}_wq instead.")
        r = Run(BOOT + sub + END)
        self.assertEqual(r.result("t@a"), "FAIL", r.text)

    def test_check_failure_fails_success(self):
        lines = subtest("t@a")
        lines.insert(-1, "SECBUF-CHECK-FAIL t@a: pool gpu: used_bytes is 4096")
        r = Run(BOOT + lines + END)
        self.assertEqual(r.result("t@a"), "FAIL")
        self.assertIn("used_bytes is 4096", r.text)

    def test_kernel_warning_in_dmesg(self):
        lines = subtest("t@a")
        lines.insert(-2, "[   31.5] x")       # not a kernel line (no 6 digits)
        lines.insert(-2, "[   31.500000] WARNING: CPU: 1 PID: 9 at drivers/x.c:1 f+0x1/0x2")
        lines.insert(-2, "[   31.500001] Call trace:")
        r = Run(BOOT + lines + END)
        self.assertEqual(r.result("t@a"), "FAIL")
        self.assertIn("kernel report:", r.text)
        self.assertIn("drivers/x.c:1", r.text)

    def test_kernel_line_inside_program_output(self):
        body = ["Subtest a: SUCCESS (0.001s)",
                "some outp[   31.200000] BUG: sleeping function called from invalid context"]
        r = Run(BOOT + subtest("t@a", body=body) + END)
        self.assertEqual(r.result("t@a"), "FAIL")

    def test_igt_line_cut_by_a_kernel_message(self):
        for body in (["Subtest a: SUCCESS (0.2s)[   31.100000] [IGT] t: finished subtest a, SUCCESS",
                      ""],
                     ["Subtest a: SUCCES[   31.100000] [IGT] t: finished subtest a, SUCCESS",
                      "S (0.015s)"]):
            r = Run(BOOT + subtest("t@a", body=body) + END)
            self.assertEqual(r.result("t@a"), "SUCCESS", r.text)

    def test_userspace_warning_is_not_a_kernel_report(self):
        body = ["(secbuf_alloc:12) WARNING: slow pool", "Subtest a: SUCCESS (0.001s)"]
        r = Run(BOOT + subtest("t@a", body=body) + END)
        self.assertEqual(r.result("t@a"), "SUCCESS", r.text)

    def test_exit_status_and_igt_line_disagree(self):
        r = Run(BOOT + subtest("t@a", body=["Subtest a: FAIL (0.001s)"]) + END)
        self.assertEqual(r.result("t@a"), "FAIL")
        self.assertIn("no 'Subtest a: SUCCESS' line", r.text)

    def test_incomplete_subtest_and_no_suite_end(self):
        r = Run(BOOT + ["SECBUF-BEGIN t@a", "Starting subtest: a",
                        "[   35.000000] Unable to handle kernel NULL pointer dereference"])
        self.assertEqual(r.result("t@a"), "INCOMPLETE")
        self.assertIn("LANE FAIL: the suite did not finish", r.text)
        self.assertIn("Unable to handle kernel", r.text)
        self.assertEqual(r.passed, 0)
        self.assertEqual(r.failed, 2)

    def test_timeout_is_a_lane_failure(self):
        r = Run(BOOT + subtest("t@a"), "--timed-out", "1200")
        self.assertIn("killed after 1200s", r.text)
        self.assertNotEqual(r.rc, 0)

    def test_report_outside_subtests_fails_the_lane(self):
        r = Run(BOOT + ["[    1.000000] ------------[ cut here ]------------",
                        "[    1.000001] WARNING: CPU: 0 PID: 1 at init/main.c:1"]
                + subtest("t@a") + END)
        self.assertEqual(r.result("t@a"), "SUCCESS")
        self.assertIn("LANE FAIL: kernel report outside any subtest", r.text)
        self.assertEqual((r.passed, r.failed), (1, 1))

    def test_never_booted(self):
        r = Run(["[    0.000000] Booting Linux", "[    1.000000] Kernel panic - not syncing"])
        self.assertIn("never reached /init", r.text)
        self.assertNotEqual(r.rc, 0)

    def test_no_poweroff(self):
        r = Run(BOOT + subtest("t@a") + END[:1])
        self.assertIn("did not reach poweroff", r.text)

    def test_zero_subtests(self):
        r = Run(BOOT + ["SECBUF-SUITE-END subtests=0", "SECBUF-POWEROFF"])
        self.assertIn("no subtest ran", r.text)
        self.assertEqual(r.failed, 1)

    def test_guest_lane_fail_and_host_errors(self):
        r = Run(BOOT + ["SECBUF-LANE-FAIL: modprobe vivid: not found"] + subtest("t@a") + END,
                "--lane-error", "tests: the build failed")
        self.assertIn("LANE FAIL: modprobe vivid: not found", r.text)
        self.assertIn("LANE FAIL: tests: the build failed", r.text)
        self.assertEqual((r.passed, r.failed), (1, 2))


class CmdTest(unittest.TestCase):
    def run_cmd(self, lines, *extra):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "console.log")
            with open(log, "w") as f:
                f.write("\n".join(lines) + "\n")
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = pc.main_args(["cmd", *extra, log])
        return rc, out.getvalue(), err.getvalue()

    def test_exit_status_and_output(self):
        rc, out, err = self.run_cmd(BOOT + ["SECBUF-CMD-BEGIN", "hello", "SECBUF-EXIT=3",
                                            "SECBUF-POWEROFF"])
        self.assertEqual(rc, 3)
        self.assertEqual(out, "hello\n")
        self.assertEqual(err, "")

    def test_crash(self):
        rc, out, err = self.run_cmd(BOOT + ["SECBUF-CMD-BEGIN", "hello",
                                            "[   50.000000] Internal error: Oops: 96000004"])
        self.assertEqual(rc, 125)
        self.assertIn("kernel report", err)

    def test_timeout(self):
        rc, _, err = self.run_cmd(BOOT + ["SECBUF-CMD-BEGIN"], "--timed-out", "600")
        self.assertEqual(rc, 124)
        self.assertIn("killed after 600s", err)


_ir_loader = importlib.machinery.SourceFileLoader(
    "igt_results", os.path.join(HERE, "..", "igt-results"))
_ir_spec = importlib.util.spec_from_loader("igt_results", _ir_loader)
ir = importlib.util.module_from_spec(_ir_spec)
_ir_loader.exec_module(ir)


def igt_test(result, sub, line=None, dmesg=""):
    return {"out": "Starting subtest: %s\n" % sub,
            "err": "" if line is None else "Subtest %s: %s (0.001s)\n" % (sub, line),
            "result": result, "dmesg": dmesg}


class IgtResultsTest(unittest.TestCase):
    """scripts/igt-results: igt_runner's results.json as run-suite's markers."""

    def convert(self, tests):
        import json
        lines = BOOT + ["SECBUF-IGT-RESULTS-BEGIN"] + \
            json.dumps({"tests": tests}, indent=2).splitlines() + \
            ["SECBUF-IGT-RESULTS-END"] + subtest("igt_runner@post-checks") + END
        return Run(ir.convert(lines), "--pools", "gpu camera")

    def test_results(self):
        warn = "<4> [   31.000000] WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x0/0x0\n"
        r = self.convert({
            "igt@t@pass": igt_test("pass", "pass", "SUCCESS"),
            "igt@t@skip": igt_test("skip", "skip", "SKIP"),
            "igt@t@fail": igt_test("fail", "fail", "FAIL"),
            "igt@t@crash": igt_test("crash", "crash"),
            "igt@t@timeout": igt_test("timeout", "timeout"),
            "igt@t@quiet-warn": igt_test("dmesg-warn", "quiet-warn", "SUCCESS",
                                         "<4> [   31.000000] vivid: a warning\n"),
            "igt@t@kernel-warn": igt_test("dmesg-warn", "kernel-warn", "SUCCESS", warn),
            "igt@t@incomplete": igt_test("incomplete", "incomplete"),
        })
        self.assertEqual(r.result("t@pass"), "SUCCESS")
        self.assertEqual(r.result("t@skip"), "SKIP")
        self.assertEqual(r.result("t@fail"), "FAIL")
        self.assertEqual(r.result("t@crash"), "CRASH")
        self.assertEqual(r.result("t@timeout"), "TIMEOUT")
        # igt_runner's dmesg-warn: the kernel messages are judged as on
        # every lane.
        self.assertEqual(r.result("t@quiet-warn"), "SUCCESS")
        self.assertEqual(r.result("t@kernel-warn"), "FAIL")
        self.assertEqual(r.result("t@incomplete"), "FAIL")
        self.assertIn("igt_runner's result: incomplete", r.text)
        self.assertEqual(r.result("igt_runner@post-checks"), "SUCCESS")
        self.assertEqual((r.passed, r.failed), (3, 6))

    def test_no_results(self):
        r = Run(ir.convert(BOOT + subtest("igt_runner@post-checks") + END))
        self.assertIn("LANE FAIL: no igt_runner results.json on the console", r.text)
        self.assertEqual(r.failed, 1)


if __name__ == "__main__":
    unittest.main()
