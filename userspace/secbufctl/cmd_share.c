// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl serve / fetch: share one buffer between processes.
 *
 * The protocol is the smallest that works: a client connects to serve's
 * unix stream socket, serve sends one byte carrying the dma-buf descriptor
 * (SCM_RIGHTS), and the client closes the connection when it is done with
 * the buffer. Serve takes the clients one after another and, after the
 * last, reads the buffer again, so what clients wrote shows in its output.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <secbuf.h>

#include "secbufctl.h"

/* ---------------------------------------------------------------------- */
/* helpers                                                                */
/* ---------------------------------------------------------------------- */

static int parse_seconds(const char *cmd, const char *arg, long *out)
{
	unsigned long v;

	if (sbc_parse_uint(arg, &v) < 0 || v > 1000000)
		return sbc_usage_error(cmd, "bad --timeout '%s'", arg);
	*out = (long)v;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* serve                                                                  */
/* ---------------------------------------------------------------------- */

void cmd_serve_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl serve --pool POOL --size SIZE --socket PATH [--fill TEXT]\n"
"                       [--count N] [--timeout SECONDS]\n"
"\n"
"Allocate a buffer, fill it with TEXT (repeated), and send its dma-buf\n"
"descriptor to each of N clients ('secbufctl fetch') that connect to the unix\n"
"socket PATH, one after another. When the last client has hung up, print\n"
"what the buffer starts with now, so writes by clients show.\n"
"\n"
"Options:\n"
"  -p, --pool POOL        pool to allocate from\n"
"  -s, --size SIZE        buffer size; K, M, G suffixes\n"
"  -S, --socket PATH      unix socket to listen on (a stale one is replaced)\n"
"  -f, --fill TEXT        fill the buffer with TEXT (default: leave it zeroed)\n"
"  -c, --count N          serve N clients (default 1)\n"
"  -t, --timeout SECONDS  give up if the clients take longer in total\n"
"                         (default: wait forever)\n"
"  -h, --help             show this help\n");
}

/* The socket to remove if serve is interrupted. */
static const char *serve_socket_path;

static void serve_signal(int sig)
{
	if (serve_socket_path)
		unlink(serve_socket_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int serve_listen(const char *path)
{
	struct sigaction sa = { .sa_handler = serve_signal };
	int sock;

	/* From bind() on, an interrupted serve removes its socket. */
	serve_socket_path = path;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	sock = sbc_unix_listen(path, SOCK_STREAM, false);
	if (sock < 0)
		serve_socket_path = NULL;	/* not ours to remove */
	return sock;
}

/* Sends the buffer to one client and waits for it to hang up. */
static int serve_client(int lsock, struct secbuf_buffer *buf,
			unsigned long nr, int64_t deadline)
{
	char drain[64];
	ssize_t n;
	int conn;

	if (sbc_wait_fd(lsock, POLLIN, deadline) < 0) {
		sbc_error(errno, NULL, "wait for client %lu", nr);
		return -1;
	}
	do {
		conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0) {
		sbc_error(errno, NULL, "accept client %lu", nr);
		return -1;
	}

	if (secbuf_fd_send(conn, secbuf_buffer_get_fd(buf)) < 0) {
		sbc_error(errno, NULL, "send fd to client %lu", nr);
		close(conn);
		return -1;
	}
	printf("serve: client %lu (pid %d) connected, sent it the fd\n", nr,
	       (int)sbc_peer_pid(conn));

	/* The client says nothing; it hangs up when it is done. */
	for (;;) {
		if (sbc_wait_fd(conn, POLLIN, deadline) < 0) {
			sbc_error(errno, NULL, "wait for client %lu to finish",
				  nr);
			close(conn);
			return -1;
		}
		n = read(conn, drain, sizeof(drain));
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break;	/* EOF, or a reset: the client is gone either way */
	}
	close(conn);
	printf("serve: client %lu done\n", nr);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool",    required_argument, NULL, 'p' },
		{ "size",    required_argument, NULL, 's' },
		{ "socket",  required_argument, NULL, 'S' },
		{ "fill",    required_argument, NULL, 'f' },
		{ "count",   required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pool_arg = NULL, *sock_path = NULL, *fill = NULL;
	struct secbuf_buffer *buf = NULL;
	struct secbuf_pool *pool = NULL;
	unsigned long count = 1, i;
	int opt, ret = EXIT_ERROR, lsock = -1;
	int64_t deadline = -1;
	bool have_size = false;
	struct sbc_fd_info fi;
	long timeout = -1;
	uint64_t size = 0;
	char h[32];

	while ((opt = getopt_long(argc, argv, ":p:s:S:f:c:t:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_arg = optarg;
			break;
		case 's':
			if (sbc_parse_size(optarg, &size) < 0)
				return sbc_usage_error("serve",
						       "bad size '%s'", optarg);
			have_size = true;
			break;
		case 'S':
			sock_path = optarg;
			break;
		case 'f':
			fill = optarg;
			break;
		case 'c':
			if (sbc_parse_uint(optarg, &count) < 0 || !count)
				return sbc_usage_error("serve",
					"bad --count '%s': a number >= 1",
					optarg);
			break;
		case 't':
			if (parse_seconds("serve", optarg, &timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			cmd_serve_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("serve", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("serve", "unexpected argument '%s'",
				       argv[optind]);
	if (!pool_arg || !have_size || !sock_path)
		return sbc_usage_error("serve",
				       "--pool, --size and --socket are required");
	if (fill && !fill[0])
		return sbc_usage_error("serve", "--fill needs a non-empty TEXT");

	buf = sbc_alloc_buffer(pool_arg, size, 0, &pool);
	if (!buf)
		return EXIT_ERROR;
	sbc_get_fd_info(secbuf_buffer_get_fd(buf), &fi);
	printf("serve: buffer %" PRIu64 " from %s, %s, dma-buf inode %" PRIu64
	       "\n", secbuf_buffer_get_id(buf), secbuf_pool_get_name(pool),
	       sbc_human_size(secbuf_buffer_get_size(buf), h, sizeof(h)),
	       fi.inode);

	if (fill && sbc_fill_buffer(buf, fill) < 0)
		goto out;
	if (sbc_show_contents(buf, fill ? "serve: filled it: " :
					  "serve: it holds: ") < 0)
		goto out;

	lsock = serve_listen(sock_path);
	if (lsock < 0)
		goto out;
	printf("serve: waiting for %lu client%s on %s\n", count,
	       count == 1 ? "" : "s", sock_path);

	if (timeout >= 0)
		deadline = sbc_now_ms() + (int64_t)timeout * 1000;
	for (i = 1; i <= count; i++)
		if (serve_client(lsock, buf, i, deadline) < 0)
			goto out;

	if (sbc_show_contents(buf, "serve: buffer now starts: ") < 0)
		goto out;
	ret = EXIT_OK;

out:
	if (lsock >= 0) {
		close(lsock);
		unlink(sock_path);
		serve_socket_path = NULL;
	}
	secbuf_buffer_free(buf);
	secbuf_pool_close(pool);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* fetch                                                                  */
/* ---------------------------------------------------------------------- */

void cmd_fetch_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl fetch --socket PATH [--write TEXT] [--timeout SECONDS]\n"
"\n"
"Connect to 'secbufctl serve' on the unix socket PATH, receive its dma-buf\n"
"descriptor, map it, and print its size, first bytes and FNV-1a 64 checksum.\n"
"With --write, then write TEXT at offset 0 (within DMA_BUF_IOCTL_SYNC).\n"
"\n"
"Options:\n"
"  -S, --socket PATH      unix socket of the server\n"
"  -w, --write TEXT       write TEXT at the start of the buffer\n"
"  -t, --timeout SECONDS  wait that long for the socket to appear and the\n"
"                         descriptor to arrive (default 5)\n"
"  -h, --help             show this help\n");
}

/* Connects to @path, retrying until @deadline while no server listens. */
static int fetch_connect(const char *path, int64_t deadline)
{
	struct sockaddr_un addr;
	int sock, err;

	if (sbc_unix_addr(path, &addr) < 0)
		return -1;

	for (;;) {
		sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0)
			return -1;
		if (!connect(sock, (struct sockaddr *)&addr, sizeof(addr)))
			return sock;
		err = errno;
		close(sock);
		if ((err != ENOENT && err != ECONNREFUSED && err != EINTR) ||
		    sbc_now_ms() >= deadline) {
			errno = err;
			return -1;
		}
		usleep(50 * 1000);
	}
}

static int fetch_write(struct secbuf_buffer *buf, const char *text)
{
	size_t len = strlen(text);
	char *map;

	if (secbuf_buffer_is_read_only(buf)) {
		sbc_message("cannot --write: the descriptor is read-only");
		return -1;
	}
	if (len > secbuf_buffer_get_size(buf)) {
		sbc_message("cannot --write %zu bytes into a %" PRIu64
			    "-byte buffer", len, secbuf_buffer_get_size(buf));
		return -1;
	}
	map = secbuf_buffer_map(buf);
	if (!map) {
		sbc_error(errno, NULL, "map buffer");
		return -1;
	}
	if (secbuf_buffer_sync_begin(buf, SECBUF_SYNC_WRITE) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC write start");
		return -1;
	}
	memcpy(map, text, len);
	if (secbuf_buffer_sync_end(buf, SECBUF_SYNC_WRITE) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC write end");
		return -1;
	}
	printf("fetch: wrote ");
	sbc_print_bytes(stdout, text, len, len);
	printf(" at offset 0\n");
	return 0;
}

int cmd_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket",  required_argument, NULL, 'S' },
		{ "write",   required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sock_path = NULL, *text = NULL;
	struct secbuf_buffer *buf = NULL;
	int opt, sock, fd, ret = EXIT_ERROR;
	struct sbc_fd_info fi;
	int64_t deadline;
	long timeout = 5;
	char h[32];

	while ((opt = getopt_long(argc, argv, ":S:w:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			sock_path = optarg;
			break;
		case 'w':
			text = optarg;
			break;
		case 't':
			if (parse_seconds("fetch", optarg, &timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			cmd_fetch_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("fetch", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("fetch", "unexpected argument '%s'",
				       argv[optind]);
	if (!sock_path)
		return sbc_usage_error("fetch", "--socket is required");

	deadline = sbc_now_ms() + (int64_t)timeout * 1000;
	sock = fetch_connect(sock_path, deadline);
	if (sock < 0) {
		sbc_error(errno, errno == ENOENT || errno == ECONNREFUSED ?
			  "is 'secbufctl serve' running?" : NULL,
			  "connect to %s", sock_path);
		return EXIT_ERROR;
	}

	if (sbc_wait_fd(sock, POLLIN, deadline) < 0) {
		sbc_error(errno, NULL, "wait for the descriptor");
		goto out;
	}
	fd = secbuf_fd_recv(sock);
	if (fd < 0) {
		sbc_error(errno, NULL, "receive the descriptor");
		goto out;
	}
	buf = secbuf_buffer_from_fd(fd);
	if (!buf) {
		sbc_error(errno, NULL, "fd %d is not a dma-buf", fd);
		close(fd);
		goto out;
	}

	sbc_get_fd_info(fd, &fi);
	printf("fetch: got fd %d from pid %d: %s (%" PRIu64
	       " bytes), dma-buf inode %" PRIu64 "\n", fd,
	       (int)sbc_peer_pid(sock),
	       sbc_human_size(secbuf_buffer_get_size(buf), h, sizeof(h)),
	       secbuf_buffer_get_size(buf), fi.inode);

	if (sbc_show_contents(buf, "fetch: it starts: ") < 0)
		goto out;
	if (text && fetch_write(buf, text) < 0)
		goto out;
	ret = EXIT_OK;

out:
	secbuf_buffer_free(buf);
	/* Hanging up tells serve that this client is done. */
	close(sock);
	return ret;
}
