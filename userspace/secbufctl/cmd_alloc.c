// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl alloc: allocate one buffer and describe it.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <secbuf.h>

#include "secbufctl.h"

void cmd_alloc_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl alloc --pool POOL --size SIZE [--name NAME] [--fill TEXT]\n"
"                       [--read-only] [--heap] [--hold SECONDS|inf] [--json]\n"
"\n"
"Allocate a buffer from POOL (a name or a device path), print its id, size\n"
"and file descriptor, and free it again, after SECONDS if --hold is given\n"
"(\"inf\": until a signal arrives).\n"
"\n"
"Options:\n"
"  -p, --pool POOL     pool to allocate from\n"
"  -s, --size SIZE     size in bytes; K, M, G suffixes (64K, 2M)\n"
"  -n, --name NAME     name the dma-buf (at most %d bytes)\n"
"  -f, --fill TEXT     fill the buffer with TEXT, repeated\n"
"  -r, --read-only     get an O_RDONLY descriptor\n"
"  -e, --heap          allocate through " SECBUF_HEAP_DIR "/POOL, the standard\n"
"                      dma-heap node, instead (such buffers have no id)\n"
"  -H, --hold SECONDS  keep the buffer that long before freeing it\n"
"  -j, --json          print JSON (sizes in bytes)\n"
"  -h, --help          show this help\n", SECBUF_NAME_MAX);
}

static volatile sig_atomic_t hold_interrupted;

static void hold_signal(int sig)
{
	(void)sig;
	hold_interrupted = 1;
}

/* Sleeps @seconds (forever if < 0), or until SIGINT/SIGTERM/SIGHUP. */
static void hold(long seconds)
{
	struct sigaction sa = { .sa_handler = hold_signal };
	struct timespec ts;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (seconds < 0) {
		while (!hold_interrupted)
			pause();
		return;
	}

	ts.tv_sec = seconds;
	ts.tv_nsec = 0;
	/* A handled signal interrupts nanosleep() and ends the hold. */
	while (!hold_interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Allocates through the pool's dma-heap node. @*path receives the node's
 * path (malloc()ed) even on failure, for the caller to free.
 */
static struct secbuf_buffer *alloc_from_heap(const char *pool_arg,
					     uint64_t size, unsigned int flags,
					     char **path)
{
	struct secbuf_buffer *buf;
	int fd, err;

	if (strchr(pool_arg, '/'))
		*path = strdup(pool_arg);
	else if (asprintf(path, SECBUF_HEAP_DIR "/%s", pool_arg) < 0)
		*path = NULL;
	if (!*path) {
		sbc_error(errno, NULL, "%s", pool_arg);
		return NULL;
	}

	fd = secbuf_heap_alloc_fd(*path, size, flags);
	if (fd < 0) {
		err = errno;
		sbc_error(err, sbc_open_hint(err) ? sbc_open_hint(err) :
			  sbc_alloc_hint(err, size),
			  "alloc %" PRIu64 " bytes from %s", size, *path);
		return NULL;
	}
	buf = secbuf_buffer_from_fd(fd);
	if (!buf) {
		sbc_error(errno, NULL, "wrap dma-heap fd");
		close(fd);
	}
	return buf;
}

int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool",      required_argument, NULL, 'p' },
		{ "size",      required_argument, NULL, 's' },
		{ "name",      required_argument, NULL, 'n' },
		{ "fill",      required_argument, NULL, 'f' },
		{ "read-only", no_argument,       NULL, 'r' },
		{ "hold",      required_argument, NULL, 'H' },
		{ "heap",      no_argument,       NULL, 'e' },
		{ "json",      no_argument,       NULL, 'j' },
		{ "help",      no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pool_arg = NULL, *name = NULL, *fill = NULL, *pool_name;
	bool use_json = false, have_size = false, heap = false;
	struct secbuf_buffer *buf = NULL;
	struct secbuf_pool *pool = NULL;
	int opt, ret = EXIT_ERROR, fd;
	unsigned int flags = 0;
	struct sbc_fd_info fi;
	uint64_t size = 0;
	long hold_s = 0;
	char *path = NULL, h[32];

	while ((opt = getopt_long(argc, argv, ":p:s:n:f:rH:ejh", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_arg = optarg;
			break;
		case 's':
			if (sbc_parse_size(optarg, &size) < 0)
				return sbc_usage_error("alloc",
						       "bad size '%s'", optarg);
			have_size = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'f':
			fill = optarg;
			break;
		case 'r':
			flags |= SECBUF_BUFFER_READ_ONLY;
			break;
		case 'H': {
			unsigned long v;

			if (!strcmp(optarg, "inf")) {
				hold_s = -1;
			} else if (sbc_parse_uint(optarg, &v) < 0 ||
				   v > 100000000) {
				return sbc_usage_error("alloc",
					"bad --hold '%s': seconds or 'inf'",
					optarg);
			} else {
				hold_s = (long)v;
			}
			break;
		}
		case 'e':
			heap = true;
			break;
		case 'j':
			use_json = true;
			break;
		case 'h':
			cmd_alloc_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("alloc", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("alloc", "unexpected argument '%s'",
				       argv[optind]);
	if (!pool_arg)
		return sbc_usage_error("alloc", "--pool is required");
	if (!have_size)
		return sbc_usage_error("alloc", "--size is required");
	if (fill && !fill[0])
		return sbc_usage_error("alloc", "--fill needs a non-empty TEXT");
	if (fill && (flags & SECBUF_BUFFER_READ_ONLY))
		return sbc_usage_error("alloc",
				       "--fill cannot write a --read-only buffer");
	if (name && strlen(name) > SECBUF_NAME_MAX)
		return sbc_usage_error("alloc", "--name is longer than %d bytes",
				       SECBUF_NAME_MAX);

	if (heap) {
		buf = alloc_from_heap(pool_arg, size, flags, &path);
		if (!buf)
			goto out;
		pool_name = strrchr(path, '/') + 1;
	} else {
		buf = sbc_alloc_buffer(pool_arg, size, flags, &pool);
		if (!buf)
			goto out;
		pool_name = secbuf_pool_get_name(pool);
		path = strdup(secbuf_pool_get_path(pool));
		if (!path) {
			sbc_error(errno, NULL, "%s", pool_arg);
			goto out;
		}
	}

	if (name && secbuf_buffer_set_name(buf, name) < 0) {
		sbc_error(errno, NULL, "name buffer '%s'", name);
		goto out;
	}
	if (fill && sbc_fill_buffer(buf, fill) < 0)
		goto out;

	fd = secbuf_buffer_get_fd(buf);
	sbc_get_fd_info(fd, &fi);

	if (use_json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_string(&j, "pool", pool_name);
		sbc_json_string(&j, "node", path);
		if (heap)
			sbc_json_null(&j, "id");	/* the dma-heap ioctl has none */
		else
			sbc_json_u64(&j, "id", secbuf_buffer_get_id(buf));
		sbc_json_u64(&j, "size", secbuf_buffer_get_size(buf));
		sbc_json_u64(&j, "requested_size", size);
		sbc_json_int(&j, "fd", fd);
		sbc_json_bool(&j, "read_only", secbuf_buffer_is_read_only(buf));
		sbc_json_u64(&j, "inode", fi.inode);
		sbc_json_string(&j, "exporter", fi.exporter);
		sbc_json_string(&j, "name", fi.name);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else {
		if (heap)
			printf("%s: dma-heap buffer", pool_name);
		else
			printf("%s: buffer %" PRIu64, pool_name,
			       secbuf_buffer_get_id(buf));
		printf(", %s (%" PRIu64 " bytes)\n",
		       sbc_human_size(secbuf_buffer_get_size(buf), h, sizeof(h)),
		       secbuf_buffer_get_size(buf));
		printf("  fd %d: %s, close-on-exec, dma-buf inode %" PRIu64,
		       fd, secbuf_buffer_is_read_only(buf) ?
		       "read-only" : "read-write", fi.inode);
		if (fi.exporter[0])
			printf(", exporter %s", fi.exporter);
		if (fi.name[0])
			printf(", name \"%s\"", fi.name);
		printf("\n");
		if (fill && sbc_show_contents(buf, "  filled: ") < 0)
			goto out;
	}

	if (hold_s) {
		if (!use_json) {
			if (hold_s < 0)
				printf("holding it until interrupted\n");
			else
				printf("holding it for %ld s\n", hold_s);
		}
		hold(hold_s);
	}
	ret = EXIT_OK;

out:
	secbuf_buffer_free(buf);
	secbuf_pool_close(pool);
	free(path);
	return ret;
}
