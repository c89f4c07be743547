// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: inspect secbuf pools and share their dma-bufs.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <secbuf.h>

#include "secbufctl.h"

const char *sbc_dev_dir = SECBUF_DEV_DIR;

static const struct sbc_command commands[] = {
	{ "info",  "show usage and limits of pools", cmd_info, cmd_info_usage },
	{ "alloc", "allocate a buffer, print it, optionally keep it",
	  cmd_alloc, cmd_alloc_usage },
	{ "serve", "hand a filled buffer to clients over a unix socket",
	  cmd_serve, cmd_serve_usage },
	{ "fetch", "receive a buffer from 'serve', read it, write to it",
	  cmd_fetch, cmd_fetch_usage },
	{ "hold",  "own a buffer and carry out the owner's requests",
	  cmd_hold, cmd_hold_usage },
	{ "grant", "get a grant from 'hold', optionally run a command with it",
	  cmd_grant, cmd_grant_usage },
	{ "revoke", "have 'hold' revoke its buffer or one grant",
	  cmd_revoke, cmd_revoke_usage },
	{ "seal",  "have 'hold' seal its buffer",
	  cmd_seal, cmd_seal_usage },
	{ "dma-begin", "have 'hold' open a DMA window (--wait or --strict)",
	  cmd_dma_begin, cmd_dma_begin_usage },
	{ "dma-end", "have 'hold' close the DMA window",
	  cmd_dma_end, cmd_dma_end_usage },
	{ "query", "state, rights, seals and grants of a buffer",
	  cmd_query, cmd_query_usage },
	{ "demo",  "run a self-checking demo: security, pipeline",
	  cmd_demo, cmd_demo_usage },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
"Usage: secbufctl [--dev-dir DIR] COMMAND [ARGS]\n"
"       secbufctl --help | --version | help COMMAND\n"
"\n"
"Inspect secbuf pools and share their dma-bufs between processes.\n"
"\n"
"Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
"\n"
"Options:\n"
"  -d, --dev-dir DIR  look for pools in DIR instead of " SECBUF_DEV_DIR "\n"
"  -h, --help         show this help\n"
"  -V, --version      show the version\n"
"\n"
"Sizes take K, M, G suffixes (powers of 1024): 4096, 64K, 2M.\n"
"Run 'secbufctl COMMAND --help' for the arguments of a command.\n"
"Exit status: 0 success, 1 error, 2 usage error.\n");
}

static const struct sbc_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int help_command(int argc, char **argv)
{
	const struct sbc_command *cmd;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2)
		return sbc_usage_error("help", "too many arguments");
	cmd = find_command(argv[1]);
	if (!cmd)
		return sbc_usage_error(NULL, "unknown command '%s'", argv[1]);
	cmd->usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev-dir", required_argument, NULL, 'd' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct sbc_command *cmd;
	int opt, ret;

	/* Serve and fetch run side by side in demos: keep lines whole. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:d:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			sbc_dev_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("secbufctl %s (libsecbuf %s)\n", SECBUFCTL_VERSION,
			       secbuf_api_version());
			return EXIT_OK;
		default:
			return sbc_bad_option(NULL, opt, argv);
		}
	}

	if (optind >= argc)
		return sbc_usage_error(NULL, "no command given");

	argc -= optind;
	argv += optind;
	/* The commands run getopt again from scratch (GNU: optind = 0). */
	optind = 0;

	if (!strcmp(argv[0], "help"))
		return help_command(argc, argv);

	cmd = find_command(argv[0]);
	if (!cmd)
		return sbc_usage_error(NULL, "unknown command '%s'", argv[0]);

	ret = cmd->run(argc, argv);
	/* A --json document that could not be printed is an error too. */
	return ret == EXIT_OK && sbc_json_failed ? EXIT_ERROR : ret;
}
