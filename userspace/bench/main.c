// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbuf-bench: options and the run.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#ifndef SECBUF_VERSION
#define SECBUF_VERSION "unknown"
#endif

struct bench_config cfg = {
	.rounds = 15,
	.procs = { 0, 1, 8, 32 },
	.nr_procs = 4,
	.grant_size = 16 * MiB,
	.vgem_fd = -1,
};

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("secbuf-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void progress(const char *fmt, ...)
{
	va_list ap;

	if (!cfg.verbose)
		return;
	fputs("secbuf-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
"Usage: secbuf-bench [--pool POOL] [--rounds N] [--only METRIC[,...]]\n"
"                    [--procs N[,...]] [--json[=FILE]] [--verbose]\n"
"\n"
"Measures secbuf against the exporters the running kernel has, in the same\n"
"boot: the CMA and system dma-heaps (/dev/dma_heap/*), udmabuf (memfd) and\n"
"anonymous memory, and vgem as the importer. Absent anchors are reported,\n"
"not faked. Every metric takes one warm-up round, then N rounds that visit\n"
"the exporters in turn, each round starting one further; the table shows\n"
"each row's median, p25..p75 and its ratio against secbuf.\n"
"\n"
"  --pool POOL     /dev/secbuf/POOL (default: $SECBUF_POOL, else the first)\n"
"  --rounds N      rounds per metric (default %u)\n"
"  --only LIST     only these metrics (default: all)\n"
"  --procs LIST    process counts for 'revoke' (default 0,1,8,32)\n"
"  --json          print JSON instead of the table\n"
"  --json=FILE     write JSON to FILE, print the table too\n"
"  --verbose       progress and notes on stderr\n"
"\n"
"Metrics:\n", cfg.rounds);
	for (i = 0; i < nr_metrics; i++)
		fprintf(out, "  %-12s %s\n", metrics[i].name, metrics[i].summary);
	fprintf(out,
"\n"
"Timings are only reported, never checked: the exit status is 0 unless\n"
"something could not run.\n");
}

static bool wanted(const char *name)
{
	const char *p = cfg.only;
	size_t len = strlen(name);

	if (!p)
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static void parse_procs(const char *arg)
{
	char *end;

	cfg.nr_procs = 0;
	while (*arg) {
		unsigned long v = strtoul(arg, &end, 10);

		if (end == arg || v > 256 || (*end && *end != ',') ||
		    cfg.nr_procs == sizeof(cfg.procs) / sizeof(cfg.procs[0])) {
			fprintf(stderr, "secbuf-bench: bad --procs '%s'\n", arg);
			exit(2);
		}
		cfg.procs[cfg.nr_procs++] = (unsigned int)v;
		arg = end + (*end == ',');
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "procs", required_argument, NULL, 'n' },
		{ "json", optional_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json_file = NULL;
	bool json = false;
	unsigned int i;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "p:r:o:n:j::vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			cfg.pool = optarg;
			break;
		case 'r': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v < 1 || v > 100000) {
				fprintf(stderr, "secbuf-bench: bad --rounds '%s'\n",
					optarg);
				return 2;
			}
			cfg.rounds = (unsigned int)v;
			break;
		}
		case 'o':
			cfg.only = optarg;
			break;
		case 'n':
			parse_procs(optarg);
			break;
		case 'j':
			json = true;
			json_file = optarg;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cfg.only) {
		const char *p = cfg.only;

		while (*p) {
			size_t n = strcspn(p, ",");

			for (i = 0; i < nr_metrics; i++)
				if (strlen(metrics[i].name) == n &&
				    !strncmp(metrics[i].name, p, n))
					break;
			if (i == nr_metrics) {
				fprintf(stderr, "secbuf-bench: unknown metric '%.*s'\n",
					(int)n, p);
				return 2;
			}
			p += n + (p[n] == ',');
		}
	}

	cfg.page = (size_t)sysconf(_SC_PAGESIZE);
	exporters_detect();
	for (i = 0; i < NR_EXP; i++)
		if (!exporters[i].present)
			note("anchor absent: %s: %s", exporters[i].name,
			     exporters[i].detail);
	if (cfg.vgem_fd < 0)
		note("anchor absent: vgem: %s", cfg.vgem_detail);

	for (i = 0; i < nr_metrics; i++)
		if (wanted(metrics[i].name))
			metrics[i].run();

	if (json && !json_file)
		return report_json(stdout, SECBUF_VERSION) ? 1 : 0;
	if (json) {
		f = fopen(json_file, "we");
		if (!f)
			die("%s: %s", json_file, strerror(errno));
		if (report_json(f, SECBUF_VERSION) < 0 || fclose(f))
			die("%s: write failed", json_file);
	}
	report_table(stdout);
	return 0;
}
