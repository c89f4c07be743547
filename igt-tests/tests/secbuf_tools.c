// SPDX-License-Identifier: MIT
/*
 * secbuf_tools: the userspace that ships with secbuf, run against the real
 * driver and the real importers of the lane: libsecbuf's own test program
 * (test-libsecbuf, which checks every libsecbuf call against the driver,
 * vivid and vgem), the camera-to-GPU pipeline of "secbufctl demo pipeline"
 * with vivid on either of its allocators, every secbufctl command
 * (userspace/tests/guest-smoke.sh) and "secbufctl demo security".
 *
 * Each runs as a child process of its own and is judged by its exit status
 * and by the lines it prints: the pipeline's summary must report every
 * frame checked, zero copies and CPU reads that waited for vgem's fences.
 * The whole output goes to the log, so a failure shows what the tool said.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_v4l2.h"

IGT_TEST_DESCRIPTION("libsecbuf's test program, secbufctl's camera-to-GPU "
		     "pipeline and its security demo, run in the guest "
		     "against the driver, vivid and vgem.");

#define SECBUFCTL	"/usr/bin/secbufctl"
#define TEST_LIBSECBUF	"/usr/libexec/secbuf/test-libsecbuf"
#define GUEST_SMOKE	"/usr/libexec/secbuf/guest-smoke.sh"
#define OUT_MAX		(256 * 1024)

static const char *pool;

struct tool_run {
	char out[OUT_MAX];
	size_t len;
	int status;
};

/*
 * Run @argv (with SECBUF_REQUIRE_DRIVER=1 in the environment) with stdout
 * and stderr into @r->out; log everything it printed.
 */
static void run_tool(struct tool_run *r, const char *const argv[])
{
	int pipefd[2];
	pid_t pid;
	ssize_t n;

	igt_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		setenv("SECBUF_REQUIRE_DRIVER", "1", 1);
		setenv("SECBUF_POOL", pool, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);

	r->len = 0;
	while ((n = read(pipefd[0], r->out + r->len,
			 sizeof(r->out) - 1 - r->len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			r->len += n;
	r->out[r->len] = '\0';
	close(pipefd[0]);
	igt_assert_eq(waitpid(pid, &r->status, 0), pid);

	igt_info("$ %s ...: %zu bytes of output\n%s", argv[0], r->len, r->out);
	igt_assert_f(r->len < sizeof(r->out) - 1, "output too long to judge\n");
	igt_assert_f(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
		     "%s %s %d\n", argv[0],
		     WIFEXITED(r->status) ? "exited with" : "died of signal",
		     WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
					    WTERMSIG(r->status));
}

/* The line of @r's output that starts (after blanks) with @key, or NULL. */
static const char *find_line(const struct tool_run *r, const char *key)
{
	const char *p = r->out;

	while (p && *p) {
		const char *s = p + strspn(p, " ");

		if (!strncmp(s, key, strlen(key)))
			return s + strlen(key);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static void test_libsecbuf(void)
{
	const char *argv[] = { TEST_LIBSECBUF, NULL };
	struct tool_run *r = malloc(sizeof(*r));
	unsigned int passed, failed;
	const char *l;

	igt_assert(r);
	run_tool(r, argv);
	l = find_line(r, "libsecbuf: ");
	igt_assert_f(l && sscanf(l, "%u passed, %u failed", &passed,
				 &failed) == 2,
		     "no \"libsecbuf: N passed, N failed\" line\n");
	igt_assert_eq(failed, 0);
	igt_assert(passed > 0);
	igt_assert_f(!strstr(r->out, "skipping"),
		     "test-libsecbuf skipped a part of the driver checks\n");
	igt_info("test-libsecbuf: %u checks passed\n", passed);
	free(r);
	secbuf_pool_assert_idle(pool);
}

/*
 * The pipeline on vivid with @vivid_params (its allocator), @frames frames
 * through a ring of @ring buffers.
 */
static void test_pipeline(const char *vivid_params, int frames, int ring)
{
	char nframes[16], nring[16], pool_arg[64];
	const char *argv[] = { SECBUFCTL, "demo", "pipeline", "--pool", pool_arg,
			 "--frames", nframes, "--ring", nring, NULL };
	struct tool_run *r = malloc(sizeof(*r));
	unsigned long captured, ok, waits, done, copies;
	const char *l;
	char end;

	igt_assert(r);
	snprintf(nframes, sizeof(nframes), "%d", frames);
	snprintf(nring, sizeof(nring), "%d", ring);
	snprintf(pool_arg, sizeof(pool_arg), "%s", pool);
	secbuf_vivid_load(vivid_params);
	run_tool(r, argv);

	igt_assert_f(find_line(r, "secbuf pipeline: ok, zero copies"),
		     "the pipeline did not report success\n");
	l = find_line(r, "frames");
	igt_assert_f(l && sscanf(l, " %lu captured, %lu checked in place: %lu ok",
				 &captured, &done, &ok) == 3,
		     "no \"frames\" line in the summary\n");
	igt_assert_eq(captured, (unsigned long)frames);
	igt_assert_eq(ok, (unsigned long)frames);
	l = find_line(r, "copies made");
	igt_assert_f(l && sscanf(l, " %lu%c", &copies, &end) == 2 &&
		     copies == 0 && end == '\n',
		     "the summary does not say zero copies\n");
	l = find_line(r, "fence waits");
	igt_assert_f(l && sscanf(l, " %lu of %lu", &waits, &done) == 2,
		     "no \"fence waits\" line in the summary\n");
	igt_assert_eq(done, (unsigned long)frames);
	igt_assert_f(waits > 0, "no CPU read waited for vgem's fence\n");
	free(r);
	secbuf_vivid_restore();
	secbuf_pool_assert_idle(pool);
}

/* guest-smoke.sh: every secbufctl command, "N passed, 0 failed". */
static void test_commands(void)
{
	const char *argv[] = { GUEST_SMOKE, NULL };
	struct tool_run *r = malloc(sizeof(*r));
	unsigned int passed, failed;
	const char *l = NULL;

	igt_assert(r);
	run_tool(r, argv);
	/* The last line. */
	for (const char *p = r->out; (p = strstr(p, " passed, ")); p++)
		l = p;
	while (l && l > r->out && l[-1] != '\n')
		l--;
	igt_assert_f(l && sscanf(l, "%u passed, %u failed", &passed,
				 &failed) == 2,
		     "no closing \"N passed, N failed\" line\n");
	igt_assert_eq(failed, 0);
	igt_assert(passed > 0);
	free(r);
	secbuf_pool_assert_idle(pool);
}

static void test_security(void)
{
	char pool_arg[64];
	const char *argv[] = { SECBUFCTL, "demo", "security", "--pool", pool_arg,
			 NULL };
	struct tool_run *r = malloc(sizeof(*r));

	igt_assert(r);
	snprintf(pool_arg, sizeof(pool_arg), "%s", pool);
	run_tool(r, argv);
	igt_assert_f(!strstr(r->out, "FAILED"), "a step of the demo failed\n");
	free(r);
	secbuf_pool_assert_idle(pool);
}

igt_main
{
	/*
	 * scripts/mkinitramfs puts the tools into every lane's guest and its
	 * init loads vivid; elsewhere (a machine without them) skip.
	 */
	igt_fixture {
		const char *tools[] = { SECBUFCTL, TEST_LIBSECBUF, GUEST_SMOKE };

		pool = secbuf_pool_name();
		close(secbuf_open_pool(pool));
		for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
			igt_require_f(access(tools[i], X_OK) == 0,
				      "%s is not installed\n", tools[i]);
		igt_require_f(access("/sys/module/" VIVID_MODULE_NAME, F_OK) == 0,
			      "vivid is not loaded\n");
	}

	igt_describe("test-libsecbuf with SECBUF_REQUIRE_DRIVER: every "
		     "libsecbuf call against the driver, vivid and vgem.");
	igt_subtest("libsecbuf-driver")
		test_libsecbuf();

	igt_describe("secbufctl demo pipeline with vivid on vb2-dma-contig "
		     "(a camera with a DMA engine, as make run uses it).");
	igt_subtest("pipeline-dma-contig")
		test_pipeline("allocators=1", 6, 3);

	igt_describe("secbufctl demo pipeline with vivid on vb2-vmalloc "
		     "(its default), a ring of two.");
	igt_subtest("pipeline-vmalloc")
		test_pipeline(NULL, 5, 2);

	igt_describe("guest-smoke.sh: every secbufctl command, with its "
		     "output and exit status, against the driver.");
	igt_subtest("secbufctl-commands")
		test_commands();

	igt_describe("secbufctl demo security: grants, revocation of one "
		     "consumer, a STRICT window, a sealed frame.");
	igt_subtest("demo-security")
		test_security();
}
