// SPDX-License-Identifier: MIT
/*
 * A small, source compatible subset of igt-gpu-tools' lib/igt_core.c.
 *
 * Control flow is IGT's: every subtest body runs under a sigsetjmp() in the
 * igt_subtest() macro, and success, skip, failure and crashes all leave it
 * with a siglongjmp() from exit_subtest(), which prints the result line. A
 * fixture that skips or fails sets skip_subtests_henceforth, so every later
 * subtest is reported SKIP or FAIL without running.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_core.h"

sigjmp_buf igt_subtest_jmpbuf;
enum igt_log_level igt_log_level = IGT_LOG_INFO;

static const char *command_str = "igt";

/* Command line. */
static bool list_subtests;
static bool describe_subtests;
static char *run_single_subtest;
static bool run_single_subtest_found;

/* Where we are. */
static const char *in_subtest;
static bool in_fixture;
static bool in_atexit_handler;
static struct timespec subtest_time;
static enum { CONT = 0, SKIP, FAIL } skip_subtests_henceforth = CONT;
static char current_description[1024];

/* What happened so far. */
static bool skipped_one, succeeded_one, failed_one;
static int igt_exitcode = IGT_EXIT_SUCCESS;

/* igt_fork() children. */
static bool test_child;
static pid_t *test_children;
static int num_test_children, test_children_sz;

#define MAX_EXIT_HANDLERS 10
static igt_exit_handler_t exit_handler_fn[MAX_EXIT_HANDLERS];
static int exit_handler_count;

/*
 * The last log lines below the log level (igt_debug() unless --debug),
 * dumped to stderr when a subtest fails, so the context of a failure is
 * there without rerunning with --debug.
 */
#define LOG_BUFFER_LINES 64
static struct {
	char *entries[LOG_BUFFER_LINES];
	unsigned int start, end;	/* end - start lines are valid */
} log_buffer;

static bool kmsg_enabled = true;

igt_printf_fmt(1, 2) igt_noreturn
static void internal_assert_fail(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fprintf(stderr, "please refer to igt-tests/README.md\n");
	abort();
}

#define internal_assert(cond, msg...) \
	do { if (!(cond)) internal_assert_fail(msg); } while (0)

static void igt_gettime(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static double igt_time_elapsed(const struct timespec *then,
			       const struct timespec *now)
{
	return (now->tv_sec - then->tv_sec) +
	       (now->tv_nsec - then->tv_nsec) * 1e-9;
}

/* ---- Logging ------------------------------------------------------------ */

static const char *const log_level_str[] = {
	[IGT_LOG_DEBUG] = "DEBUG",
	[IGT_LOG_INFO] = "INFO",
	[IGT_LOG_WARN] = "WARNING",
	[IGT_LOG_CRITICAL] = "CRITICAL",
};

static void log_buffer_append(char *line)
{
	unsigned int slot = log_buffer.end % LOG_BUFFER_LINES;

	free(log_buffer.entries[slot]);
	log_buffer.entries[slot] = line;
	log_buffer.end++;
	if (log_buffer.end - log_buffer.start > LOG_BUFFER_LINES)
		log_buffer.start++;
}

static void log_buffer_reset(void)
{
	log_buffer.start = log_buffer.end;
}

static void log_buffer_dump(void)
{
	if (in_subtest)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	else
		fprintf(stderr, "Test %s failed.\n", command_str);

	if (log_buffer.start == log_buffer.end)
		return;

	fprintf(stderr, "**** DEBUG ****\n");
	for (unsigned int i = log_buffer.start; i != log_buffer.end; i++)
		fputs(log_buffer.entries[i % LOG_BUFFER_LINES], stderr);
	fprintf(stderr, "****  END  ****\n");
	log_buffer_reset();
}

void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args)
{
	char *line, *formatted;

	if (level >= IGT_LOG_NONE || igt_only_list_subtests())
		return;

	if (vasprintf(&line, format, args) < 0)
		return;

	if (asprintf(&formatted, "(%s:%d) %s%s%s: %s", command_str, getpid(),
		     domain ?: "", domain ? "-" : "", log_level_str[level],
		     line) < 0) {
		free(line);
		return;
	}

	if (level < igt_log_level) {
		/* Not shown now; kept in case the subtest fails. */
		log_buffer_append(formatted);
		free(line);
		return;
	}

	if (level >= IGT_LOG_WARN) {
		fflush(stdout);
		fputs(formatted, stderr);
	} else if (level == IGT_LOG_INFO) {
		fputs(line, stdout);
	} else {
		fputs(formatted, stderr);
	}
	free(formatted);
	free(line);
}

void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...)
{
	va_list args;

	va_start(args, format);
	igt_vlog(domain, level, format, args);
	va_end(args);
}

/* Mark test progress in the kernel log, to line it up with dmesg. */
void igt_kmsg(const char *format, ...)
{
	va_list ap;
	FILE *file;

	if (!kmsg_enabled)
		return;

	file = fopen("/dev/kmsg", "we");
	if (!file)
		return;

	va_start(ap, format);
	vfprintf(file, format, ap);
	va_end(ap);
	fclose(file);
}

/* ---- Exit handlers and signals ----------------------------------------- */

static void call_exit_handlers(int sig)
{
	in_atexit_handler = true;
	while (exit_handler_count > 0)
		exit_handler_fn[--exit_handler_count](sig);
	in_atexit_handler = false;
}

static void igt_atexit_handler(void)
{
	call_exit_handlers(0);
}

static const struct {
	int number;
	const char *name;
	bool is_crash;
} handled_signals[] = {
	{ SIGINT, "SIGINT", false },
	{ SIGHUP, "SIGHUP", false },
	{ SIGPIPE, "SIGPIPE", false },
	{ SIGTERM, "SIGTERM", false },
	{ SIGQUIT, "SIGQUIT", true },
	{ SIGABRT, "SIGABRT", true },
	{ SIGSEGV, "SIGSEGV", true },
	{ SIGBUS, "SIGBUS", true },
	{ SIGFPE, "SIGFPE", true },
	{ SIGILL, "SIGILL", true },
};

static void exit_subtest(const char *result) igt_noreturn;

static void write_stderr(const char *s)
{
	ssize_t ret = write(STDERR_FILENO, s, strlen(s));

	(void)ret;
}

static void fatal_sig_handler(int sig)
{
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++) {
		if (handled_signals[i].number != sig)
			continue;

		write_stderr("Received signal ");
		write_stderr(handled_signals[i].name);
		write_stderr(".\n");

		/*
		 * A crash inside a subtest of the main process is reported
		 * like IGT does, as "CRASH", and the next subtest runs. In an
		 * igt_fork() child the child just dies and the parent's
		 * igt_waitchildren() fails the subtest.
		 */
		if (handled_signals[i].is_crash && in_subtest && !test_child &&
		    !in_atexit_handler) {
			if (!failed_one)
				igt_exitcode = 128 + sig;
			failed_one = true;
			exit_subtest("CRASH");
		}
		break;
	}

	signal(sig, SIG_DFL);
	call_exit_handlers(sig);
	raise(sig);
}

static void install_sig_handlers(void)
{
	struct sigaction sa = { .sa_handler = fatal_sig_handler };

	sigemptyset(&sa.sa_mask);
	/* Leaving the handler by siglongjmp() must not keep sig blocked. */
	sa.sa_flags = SA_NODEFER;
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		sigaction(handled_signals[i].number, &sa, NULL);
}

/**
 * igt_install_exit_handler: run @fn when the test exits, normally or from a
 * fatal signal (then with the signal number). Handlers run in reverse order
 * of installation, once, and are not inherited by igt_fork() children.
 */
void igt_install_exit_handler(igt_exit_handler_t fn)
{
	for (int i = 0; i < exit_handler_count; i++)
		if (exit_handler_fn[i] == fn)
			return;

	internal_assert(exit_handler_count < MAX_EXIT_HANDLERS,
			"too many exit handlers\n");
	exit_handler_fn[exit_handler_count++] = fn;
}

/* ---- Command line ------------------------------------------------------- */

enum {
	OPT_LIST_SUBTESTS = 500,
	OPT_DESCRIBE_SUBTESTS,
	OPT_RUN_SUBTEST,
	OPT_DEBUG,
	OPT_HELP = 'h',
};

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n", command_str);
	fprintf(f, "  --list-subtests\n"
		   "  --run-subtest <pattern>\n"
		   "  --debug\n"
		   "  --describe[=<pattern>]\n"
		   "  --help|-h\n");
}

static void print_wrapped(const char *indent, const char *text)
{
	const int width = 80 - (int)strlen(indent);
	int col = 0;

	fputs(indent, stdout);
	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col && col + 1 + len > width) {
			printf("\n%s", indent);
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		printf("%.*s", len, text);
		col += len;
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

int igt_subtest_init_parse_opts(int *argc, char **argv)
{
	static const struct option long_options[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
		{ "describe", optional_argument, NULL, OPT_DESCRIBE_SUBTESTS },
		{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ 0, 0, 0, 0 }
	};
	const char *env;
	int c;

	command_str = argv[0];
	if (strrchr(command_str, '/'))
		command_str = strrchr(command_str, '/') + 1;

	/* Keep stdout and stderr in order when both go to one pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	env = getenv("IGT_LOG_LEVEL");
	if (env && !strcmp(env, "debug"))
		igt_log_level = IGT_LOG_DEBUG;
	if (getenv("IGT_NO_KMSG"))
		kmsg_enabled = false;

	while ((c = getopt_long(*argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			if (!run_single_subtest)
				list_subtests = true;
			break;
		case OPT_DESCRIBE_SUBTESTS:
			if (optarg)
				run_single_subtest = strdup(optarg);
			list_subtests = true;
			describe_subtests = true;
			if (&__igt_test_description && __igt_test_description) {
				print_wrapped("", __igt_test_description);
				putchar('\n');
			}
			break;
		case OPT_RUN_SUBTEST:
			if (!igt_only_list_subtests())
				run_single_subtest = strdup(optarg);
			break;
		case OPT_DEBUG:
			igt_log_level = IGT_LOG_DEBUG;
			break;
		case OPT_HELP:
			print_usage(stdout);
			exit(IGT_EXIT_SUCCESS);
		default:
			print_usage(stderr);
			exit(IGT_EXIT_INVALID);
		}
	}

	if (!igt_only_list_subtests()) {
		igt_kmsg(KMSG_INFO "%s: executing\n", command_str);
		install_sig_handlers();
		atexit(igt_atexit_handler);
	}

	for (int i = 0; optind + i < *argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;

	return 0;
}

const char *igt_test_name(void)
{
	return command_str;
}

bool igt_only_list_subtests(void)
{
	return list_subtests;
}

const char *igt_subtest_name(void)
{
	return in_subtest;
}

void igt_describe_f(const char *fmt, ...)
{
	va_list args;

	internal_assert(!in_subtest, "igt_describe inside a subtest\n");

	if (!describe_subtests)
		return;

	va_start(args, fmt);
	vsnprintf(current_description, sizeof(current_description), fmt, args);
	va_end(args);
}

/* ---- Fixtures and subtests --------------------------------------------- */

bool __igt_fixture(void)
{
	internal_assert(!in_fixture, "nesting multiple igt_fixtures is invalid\n");
	internal_assert(!in_subtest, "nesting igt_fixture in igt_subtest is invalid\n");

	if (igt_only_list_subtests() || skip_subtests_henceforth)
		return false;

	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	in_fixture = false;
}

void __igt_fixture_end(void)
{
	in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/*
 * IGT's --run-subtest takes uwildmat patterns: a comma separated list of
 * globs, where a leading '!' excludes, and the last matching one decides.
 */
static bool subtest_matches(const char *name, const char *patterns)
{
	char *copy = strdup(patterns), *save = NULL;
	bool match = false;

	internal_assert(copy, "out of memory\n");
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		bool negate = p[0] == '!';

		if (fnmatch(p + negate, name, 0) == 0)
			match = !negate;
	}
	free(copy);

	return match;
}

static bool valid_name_for_subtest(const char *name)
{
	if (!*name)
		return false;

	for (int i = 0; name[i]; i++)
		if (name[i] != '_' && name[i] != '-' &&
		    !(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9'))
			return false;

	return true;
}

bool __igt_run_subtest(const char *subtest_name, const char *file, int line)
{
	internal_assert(!in_fixture && !in_subtest,
			"igt_subtest can be nested only in igt_main\n");

	if (!valid_name_for_subtest(subtest_name)) {
		igt_critical("Invalid subtest name \"%s\".\n", subtest_name);
		exit(IGT_EXIT_INVALID);
	}

	if (run_single_subtest) {
		if (!subtest_matches(subtest_name, run_single_subtest)) {
			current_description[0] = '\0';
			return false;
		}
		run_single_subtest_found = true;
	}

	if (describe_subtests) {
		printf("SUB %s %s:%d:\n", subtest_name, file, line);
		if (current_description[0])
			print_wrapped("  ", current_description);
		else
			printf("  NO DOCUMENTATION!\n");
		putchar('\n');
		current_description[0] = '\0';
		return false;
	}

	if (list_subtests) {
		printf("%s\n", subtest_name);
		return false;
	}

	if (skip_subtests_henceforth) {
		printf("Subtest %s: %s (0.000s)\n", subtest_name,
		       skip_subtests_henceforth == SKIP ? "SKIP" : "FAIL");
		fflush(stdout);
		return false;
	}

	igt_kmsg(KMSG_INFO "%s: starting subtest %s\n", command_str, subtest_name);
	igt_info("Starting subtest: %s\n", subtest_name);
	fflush(stdout);

	log_buffer_reset();
	igt_gettime(&subtest_time);
	errno = 0;

	return (in_subtest = subtest_name);
}

static void kill_children(void)
{
	for (int c = 0; c < num_test_children; c++) {
		if (test_children[c] > 0) {
			kill(test_children[c], SIGKILL);
			waitpid(test_children[c], NULL, 0);
		}
	}
	num_test_children = 0;
}

static void exit_subtest(const char *result)
{
	struct timespec now;

	igt_gettime(&now);
	printf("Subtest %s: %s (%.3fs)\n", in_subtest, result,
	       igt_time_elapsed(&subtest_time, &now));
	fflush(stdout);
	igt_kmsg(KMSG_INFO "%s: finished subtest %s, %s\n",
		 command_str, in_subtest, result);

	/* A subtest that bailed out may have left children behind. */
	kill_children();

	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

void igt_success(void)
{
	succeeded_one = true;
	if (in_subtest)
		exit_subtest("SUCCESS");
}

void igt_fail(int exitcode)
{
	internal_assert(exitcode != IGT_EXIT_SUCCESS && exitcode != IGT_EXIT_SKIP,
			"igt_fail() needs a failure exit code\n");

	/* An assert in an exit handler: we are already on our way out. */
	if (in_atexit_handler)
		_exit(IGT_EXIT_FAILURE);

	/* Silent exit, the parent will do the yelling. */
	if (test_child)
		exit(exitcode);

	if (!failed_one)
		igt_exitcode = exitcode;
	failed_one = true;

	log_buffer_dump();

	if (in_subtest)
		exit_subtest("FAIL");

	internal_assert(in_fixture,
			"failing is only allowed in fixtures and subtests\n");
	skip_subtests_henceforth = FAIL;
	__igt_fixture_end();
}

void igt_skip(const char *f, ...)
{
	va_list args;

	internal_assert(!test_child, "skips are not allowed in forks\n");

	skipped_one = true;

	va_start(args, f);
	vprintf(f, args);
	va_end(args);

	if (in_subtest)
		exit_subtest("SKIP");

	internal_assert(in_fixture,
			"skipping is only allowed in fixtures and subtests\n");
	skip_subtests_henceforth = SKIP;
	__igt_fixture_end();
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *f, ...)
{
	int err = errno;
	char errstr[128] = "";
	char *msg = NULL;

	if (err)
		snprintf(errstr, sizeof(errstr), "Last errno: %i, %s\n",
			 err, strerror(err));

	if (f) {
		va_list args;

		va_start(args, f);
		if (vasprintf(&msg, f, args) < 0)
			msg = NULL;
		va_end(args);
	}

	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s",
		 func, file, line, check, msg ?: "", errstr);
}

void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *f, ...)
{
	int err = errno;

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test assertion failure function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n",
			err, strerror(err));

	if (f) {
		va_list args;

		va_start(args, f);
		igt_vlog(domain, IGT_LOG_CRITICAL, f, args);
		va_end(args);
	}

	igt_fail(IGT_EXIT_FAILURE);
}

void igt_exit(void)
{
	if (run_single_subtest && !run_single_subtest_found) {
		igt_critical("Unknown subtest: %s\n", run_single_subtest);
		exit(IGT_EXIT_INVALID);
	}

	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	internal_assert(skipped_one || succeeded_one || failed_one,
			"igt_exit() without any subtest result\n");

	if (!failed_one)
		igt_exitcode = succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;

	igt_kmsg(KMSG_INFO "%s: exiting, ret=%d\n", command_str, igt_exitcode);
	igt_debug("Exiting with status code %d\n", igt_exitcode);

	kill_children();
	exit(igt_exitcode);
}

/* ---- igt_fork ------------------------------------------------------------ */

static void children_exit_handler(int sig)
{
	(void)sig;
	for (int c = 0; c < num_test_children; c++)
		if (test_children[c] > 0)
			kill(test_children[c], SIGKILL);
	while (num_test_children > 0 && wait(NULL) > 0)
		num_test_children--;
}

bool __igt_fork(void)
{
	pid_t pid;

	internal_assert(in_subtest, "forking is only allowed in subtests\n");
	internal_assert(!test_child,
			"forking is not allowed from already forked children\n");

	igt_install_exit_handler(children_exit_handler);

	if (num_test_children >= test_children_sz) {
		test_children_sz = test_children_sz ? 2 * test_children_sz : 4;
		test_children = realloc(test_children,
					sizeof(*test_children) * test_children_sz);
		igt_assert(test_children);
	}

	/* Flush, or the child inherits and prints our buffered output too. */
	fflush(NULL);

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		test_child = true;
		num_test_children = 0;
		exit_handler_count = 0;
		return true;
	}

	test_children[num_test_children++] = pid;
	return false;
}

int __igt_waitchildren(void)
{
	int err = 0;
	int count = 0;

	internal_assert(!test_child, "igt_waitchildren in a child\n");

	while (count < num_test_children) {
		int status = -1;
		pid_t pid;
		int c;

		pid = wait(&status);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			printf("wait(num_children:%d) failed with %m\n",
			       num_test_children - count);
			return IGT_EXIT_FAILURE;
		}

		for (c = 0; c < num_test_children; c++)
			if (pid == test_children[c])
				break;
		if (c == num_test_children)
			continue;

		if (err == 0 && status != 0) {
			if (WIFEXITED(status)) {
				printf("child %i failed with exit status %i\n",
				       c, WEXITSTATUS(status));
				err = WEXITSTATUS(status);
			} else if (WIFSIGNALED(status)) {
				printf("child %i died with signal %i, %s\n",
				       c, WTERMSIG(status),
				       strsignal(WTERMSIG(status)));
				err = 128 + WTERMSIG(status);
			} else {
				printf("Unhandled failure [%d] in child %i\n",
				       status, c);
				err = 256;
			}

			for (int k = 0; k < num_test_children; k++)
				kill(test_children[k], SIGKILL);
		}

		count++;
	}

	num_test_children = 0;
	return err;
}

/**
 * igt_waitchildren: wait for every igt_fork() child; fail the subtest if
 * any of them failed, crashed or skipped, with the first bad child's exit
 * status as IGT does: its exit code, or 128 + the signal that killed it
 * (137 for SIGKILL; 134 for a child that tried to skip, which aborts).
 */
void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err)
		igt_fail(err);
}
