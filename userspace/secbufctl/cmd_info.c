// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl info: usage and limits of pools.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <secbuf.h>

#include "secbufctl.h"

void cmd_info_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl info [--json] [POOL...]\n"
"\n"
"Show usage and limits of the given pools (names or device paths), or of\n"
"every pool in the device directory (" SECBUF_DEV_DIR ").\n"
"With the kernel's dmem cgroup controller, also the caller's cgroup usage\n"
"and limit (dmem.current, dmem.max) of the pool's region secbuf/<pool>.\n"
"\n"
"Options:\n"
"  -j, --json   print JSON with sizes in bytes: {\"pools\": [...],\n"
"               \"errors\": [...]}; the document is printed on errors too\n"
"  -h, --help   show this help\n");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of all entries of sbc_dev_dir, sorted. Returns the count or -1. */
static int list_pools(char ***names_out)
{
	char **names = NULL, **tmp;
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	dir = opendir(sbc_dev_dir);
	if (!dir)
		return -1;

	while ((errno = 0, de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp)
			goto fail;
		names = tmp;
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto fail;
		n++;
	}
	if (errno)
		goto fail;
	closedir(dir);

	qsort(names, n, sizeof(*names), cmp_names);
	*names_out = names;
	return (int)n;

fail:
	{
		int saved = errno;

		while (n--)
			free(names[n]);
		free(names);
		closedir(dir);
		errno = saved;
	}
	return -1;
}

/* Failures, kept for the "errors" array of the JSON document. */
struct info_errors {
	char **paths;
	int *errnums;
	size_t count;
	bool failed;		/* even if recording it ran out of memory */
};

static void info_errors_add(struct info_errors *e, const char *path, int err)
{
	char **paths = realloc(e->paths, (e->count + 1) * sizeof(*paths));
	int *errnums;

	e->failed = true;
	if (!paths)
		return;
	e->paths = paths;
	errnums = realloc(e->errnums, (e->count + 1) * sizeof(*errnums));
	if (!errnums)
		return;
	e->errnums = errnums;
	e->paths[e->count] = strdup(path);
	if (!e->paths[e->count])
		return;
	e->errnums[e->count++] = err;
}

static void info_errors_print(struct info_errors *e, struct sbc_json *j)
{
	size_t i;

	sbc_json_begin_array(j, "errors");
	for (i = 0; i < e->count; i++) {
		sbc_json_begin_object(j, NULL);
		sbc_json_string(j, "path", e->paths[i]);
		sbc_json_string(j, "errno", sbc_errno_name(e->errnums[i]));
		sbc_json_string(j, "error", strerror(e->errnums[i]));
		sbc_json_end_object(j);
	}
	sbc_json_end_array(j);
}

static void info_errors_free(struct info_errors *e)
{
	while (e->count--)
		free(e->paths[e->count]);
	free(e->paths);
	free(e->errnums);
}

static void print_limit(const char *what, uint64_t limit, bool bytes)
{
	char h[32];

	if (!limit)
		printf("no %s limit", what);
	else if (bytes)
		printf("%s", sbc_human_size(limit, h, sizeof(h)));
	else
		printf("%" PRIu64 " %s", limit, what);
}

static void print_text(struct secbuf_pool *pool, struct secbuf_pool_stats *st,
		       const struct sbc_dmem *dmem)
{
	uint64_t total = secbuf_pool_stats_get_total_bytes(st);
	uint64_t used = secbuf_pool_stats_get_used_bytes(st);
	uint64_t count = secbuf_pool_stats_get_buffer_count(st);
	char h[32];

	printf("%s (%s)\n", secbuf_pool_get_name(pool),
	       secbuf_pool_get_path(pool));
	printf("  total         %s\n", sbc_human_size(total, h, sizeof(h)));
	printf("  used          %s in %" PRIu64 " buffer%s",
	       sbc_human_size(used, h, sizeof(h)), count,
	       count == 1 ? "" : "s");
	if (total)
		printf(" (%.1f%%)", 100.0 * (double)used / (double)total);
	printf("\n  largest free  %s\n",
	       sbc_human_size(secbuf_pool_stats_get_largest_free_bytes(st),
			      h, sizeof(h)));
	printf("  max buffer    %s\n",
	       sbc_human_size(secbuf_pool_stats_get_max_buffer_bytes(st),
			      h, sizeof(h)));
	printf("  per file      ");
	print_limit("byte", secbuf_pool_stats_get_file_max_bytes(st), true);
	printf(", ");
	print_limit("buffers", secbuf_pool_stats_get_file_max_buffers(st),
		    false);
	printf("\n");
	if (dmem) {
		printf("  cgroup        %s", sbc_human_size(dmem->current, h,
							      sizeof(h)));
		if (dmem->max != UINT64_MAX)
			printf(" of %s", sbc_human_size(dmem->max, h,
							sizeof(h)));
		else
			printf(", no limit");
		printf(" (%s in %s)\n", dmem->region, dmem->cgroup);
	}
}

static void print_json(struct sbc_json *j, struct secbuf_pool *pool,
		       struct secbuf_pool_stats *st,
		       const struct sbc_dmem *dmem)
{
	sbc_json_begin_object(j, NULL);
	sbc_json_string(j, "name", secbuf_pool_get_name(pool));
	sbc_json_string(j, "path", secbuf_pool_get_path(pool));
	sbc_json_u64(j, "total_bytes", secbuf_pool_stats_get_total_bytes(st));
	sbc_json_u64(j, "used_bytes", secbuf_pool_stats_get_used_bytes(st));
	sbc_json_u64(j, "largest_free_bytes",
		 secbuf_pool_stats_get_largest_free_bytes(st));
	sbc_json_u64(j, "buffer_count", secbuf_pool_stats_get_buffer_count(st));
	sbc_json_u64(j, "max_buffer_bytes",
		 secbuf_pool_stats_get_max_buffer_bytes(st));
	sbc_json_u64(j, "file_max_bytes", secbuf_pool_stats_get_file_max_bytes(st));
	sbc_json_u64(j, "file_max_buffers",
		 secbuf_pool_stats_get_file_max_buffers(st));
	if (dmem) {
		sbc_json_begin_object(j, "cgroup");
		sbc_json_string(j, "path", dmem->cgroup);
		sbc_json_string(j, "region", dmem->region);
		sbc_json_u64(j, "current_bytes", dmem->current);
		if (dmem->max != UINT64_MAX)
			sbc_json_u64(j, "max_bytes", dmem->max);
		else
			sbc_json_null(j, "max_bytes");
		sbc_json_end_object(j);
	} else {
		sbc_json_null(j, "cgroup");
	}
	sbc_json_end_object(j);
}

/* Returns 0 or the errno of the failure, which it has reported. */
static int info_one(const char *name_or_path, struct sbc_json *j,
		    struct info_errors *errors, bool first)
{
	struct secbuf_pool_stats *st;
	struct secbuf_pool *pool;
	struct sbc_dmem dmem;
	bool have_dmem;
	char *path;
	int err;

	path = sbc_pool_path(name_or_path);
	if (!path) {
		err = errno;
		sbc_error(err, NULL, "%s", name_or_path);
		info_errors_add(errors, name_or_path, err);
		return err;
	}

	pool = secbuf_pool_open(path);
	if (!pool) {
		err = errno;
		sbc_error(err, sbc_open_hint(err), "open %s", path);
		goto out;
	}

	st = secbuf_pool_get_stats(pool);
	if (!st) {
		err = errno;
		sbc_error(err, NULL, "pool info of %s", path);
		goto out;
	}

	/* Without the dmem controller there is nothing to show. */
	have_dmem = !sbc_dmem_usage(secbuf_pool_get_name(pool), &dmem);
	if (j) {
		print_json(j, pool, st, have_dmem ? &dmem : NULL);
	} else {
		if (!first)
			printf("\n");
		print_text(pool, st, have_dmem ? &dmem : NULL);
	}

	secbuf_pool_stats_free(st);
	secbuf_pool_close(pool);
	free(path);
	return 0;

out:
	info_errors_add(errors, path, err);
	secbuf_pool_close(pool);
	free(path);
	return err;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct info_errors errors = { 0 };
	bool use_json = false, shown = false;
	char **names = NULL;
	struct sbc_json json;
	int opt, n, i;

	while ((opt = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			use_json = true;
			break;
		case 'h':
			cmd_info_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("info", opt, argv);
		}
	}

	if (optind < argc) {
		names = argv + optind;
		n = argc - optind;
	} else {
		n = list_pools(&names);
		if (n < 0) {
			int err = errno;

			sbc_error(err, err == ENOENT ?
				  "is the secbuf module loaded?" : NULL,
				  "%s", sbc_dev_dir);
			info_errors_add(&errors, sbc_dev_dir, err);
			n = 0;
		} else if (!n) {
			sbc_message("no pools in %s", sbc_dev_dir);
		}
	}

	if (use_json) {
		sbc_json_init(&json, stdout);
		sbc_json_begin_object(&json, NULL);
		sbc_json_begin_array(&json, "pools");
	}

	for (i = 0; i < n; i++)
		if (!info_one(names[i], use_json ? &json : NULL, &errors,
			      !shown))
			shown = true;

	if (use_json) {
		sbc_json_end_array(&json);
		info_errors_print(&errors, &json);
		sbc_json_end_object(&json);
		sbc_json_finish(&json);
	}

	if (names && names != argv + optind) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}

	n = errors.failed ? EXIT_ERROR : EXIT_OK;
	info_errors_free(&errors);
	return n;
}
