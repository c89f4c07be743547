// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl hold, and the owner's commands that talk to it: grant, revoke,
 * seal, dma-begin, dma-end, query.
 *
 * The owner of a buffer is the pool file that allocated it, and a pool
 * file lives only as long as a process holds it: a command that exits
 * takes its ownership with it (closing the pool file revokes the buffer).
 * So 'hold' is the owner: it allocates a buffer, keeps the pool file, and
 * carries out the owner's requests that arrive on its unix socket. The
 * other commands are its clients; the kernel still decides, on hold's
 * pool file, what may be done.
 *
 * The protocol is one request and one reply per connection, each a single
 * SOCK_SEQPACKET message of text:
 *
 *   request  "VERB key=value ..."; a grant request may carry a pidfd.
 *   reply    "ok\nkey=value ...\n", for a query followed by one line
 *            "grant key=value ...\n" per grant; or "error ERRNO\n".
 *            The reply to a grant carries the grant's descriptor.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <secbuf.h>

#include "secbufctl.h"

#define MSG_MAX		65536	/* largest request or reply */
#define LIST_MAX	256	/* grants a query reply lists at most */
#define GRANT_FD	3	/* where 'grant -- COMMAND' puts the grant */

/* ---------------------------------------------------------------------- */
/* key=value text                                                         */
/* ---------------------------------------------------------------------- */

/* The value of " @key=" in the line starting at @line, as a number. */
static int kv_u64(const char *line, const char *key, uint64_t *out)
{
	size_t klen = strlen(key), end = strcspn(line, "\n");
	const char *p = line;
	char *stop;

	while (p < line + end) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			errno = 0;
			*out = strtoull(p + klen + 1, &stop, 0);
			if (errno || stop == p + klen + 1)
				return -1;
			return 0;
		}
		p += strcspn(p, " \n");
		p += strspn(p, " ");
	}
	return -1;
}

/* The value of @key in @line as text, into @buf. */
static int kv_str(const char *line, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), end = strcspn(line, "\n");
	const char *p = line;

	while (p < line + end) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			p += klen + 1;
			snprintf(buf, len, "%.*s", (int)strcspn(p, " \n"), p);
			return 0;
		}
		p += strcspn(p, " \n");
		p += strspn(p, " ");
	}
	return -1;
}

/* The next line after @line, or NULL. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

struct sbc_text {
	char buf[MSG_MAX];
	size_t len;
};

static void text_add(struct sbc_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void text_add(struct sbc_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len >= sizeof(t->buf))
		t->len = sizeof(t->buf) - 1;
}

/* ---------------------------------------------------------------------- */
/* hold                                                                   */
/* ---------------------------------------------------------------------- */

void cmd_hold_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl hold --pool POOL --size SIZE --socket PATH [--fill TEXT]\n"
"                      [--name NAME] [--timeout SECONDS]\n"
"\n"
"Allocate a buffer and stay its owner: keep the pool file open and carry\n"
"out the owner's requests that 'secbufctl grant', 'revoke', 'seal',\n"
"'dma-begin', 'dma-end' and 'query' send to the unix socket PATH. Only hold\n"
"owns the buffer; its clients never see the owner's descriptor, only the\n"
"grants they ask for. Each request is logged on stdout.\n"
"\n"
"hold ends on SIGINT, SIGTERM or SIGHUP, or after --timeout, and closing\n"
"its pool file then revokes the buffer (unless it is sealed with 'revoke').\n"
"\n"
"Options:\n"
"  -p, --pool POOL        pool to allocate from\n"
"  -s, --size SIZE        buffer size; K, M, G suffixes\n"
"  -S, --socket PATH      unix socket to listen on (a stale one is replaced)\n"
"  -f, --fill TEXT        fill the buffer with TEXT (default: leave it zeroed)\n"
"  -n, --name NAME        name the dma-buf\n"
"  -t, --timeout SECONDS  give up ownership after that long\n"
"  -h, --help             show this help\n");
}

struct hold {
	struct secbuf_pool *pool;
	struct secbuf_buffer *buf;
};

static volatile sig_atomic_t hold_stop;

static void hold_signal(int sig)
{
	(void)sig;
	hold_stop = 1;
}

/* Every key of the owner's view: the buffer, then up to LIST_MAX grants. */
static int hold_query(struct hold *h, struct sbc_text *out)
{
	struct secbuf_buffer_info *info;
	struct secbuf_pool_stats *st;
	struct secbuf_grants *g;
	size_t i, n;

	info = secbuf_buffer_query(h->pool, h->buf);
	if (!info)
		return -1;
	g = secbuf_buffer_list_grants(h->pool, h->buf);
	if (!g) {
		secbuf_buffer_info_free(info);
		return -1;
	}
	st = secbuf_pool_get_stats(h->pool);

	n = secbuf_grants_get_count(g);
	text_add(out, "ok\nid=%" PRIu64 " size=%" PRIu64 " state=%u seals=%u "
		 "grants=%zu quarantined_bytes=%" PRIu64 " pool=%s\n",
		 secbuf_buffer_info_get_id(info),
		 secbuf_buffer_info_get_size(info),
		 secbuf_buffer_info_get_state(info),
		 secbuf_buffer_info_get_seals(info), n,
		 st ? secbuf_pool_stats_get_quarantined_bytes(st) : 0,
		 secbuf_pool_get_name(h->pool));
	for (i = 0; i < n && i < LIST_MAX; i++)
		text_add(out, "grant id=%" PRIu64 " rights=%u state=%u "
			 "mappings=%u attachments=%u pid=%d\n",
			 secbuf_grants_get_id(g, i),
			 secbuf_grants_get_rights(g, i),
			 secbuf_grants_get_state(g, i),
			 secbuf_grants_get_mappings(g, i),
			 secbuf_grants_get_attachments(g, i),
			 (int)secbuf_grants_get_pid(g, i));

	secbuf_pool_stats_free(st);
	secbuf_grants_free(g);
	secbuf_buffer_info_free(info);
	return 0;
}

/*
 * Carries out one request. Returns 0 with the reply in @out (and a
 * descriptor to send in @reply_fd), or -1 with errno set.
 */
static int hold_do(struct hold *h, const char *req, int pidfd,
		   struct sbc_text *out, int *reply_fd, char *what,
		   size_t what_len)
{
	uint64_t v, grant_id = 0, wait_ms = 0, quarantined = 0;
	struct secbuf_buffer *grant;
	char verb[16], policy[16], s[64];
	int seals, ret;

	snprintf(verb, sizeof(verb), "%.*s", (int)strcspn(req, " \n"), req);

	if (!strcmp(verb, "grant")) {
		if (kv_u64(req, "rights", &v) < 0 || v > UINT32_MAX) {
			errno = EINVAL;
			return -1;
		}
		snprintf(what, what_len, "grant %s%s",
			 sbc_rights_str((unsigned int)v, s, sizeof(s)),
			 pidfd >= 0 ? ", bound" : "");
		grant = secbuf_buffer_grant(h->pool, h->buf, (unsigned int)v,
					    pidfd);
		if (!grant)
			return -1;
		text_add(out, "ok\ngrant_id=%" PRIu64 " id=%" PRIu64
			 " rights=%" PRIu64 " size=%" PRIu64 "\n",
			 secbuf_buffer_get_grant_id(grant),
			 secbuf_buffer_get_id(h->buf), v,
			 secbuf_buffer_get_size(h->buf));
		/* The fd goes with the reply; this process keeps no copy. */
		*reply_fd = secbuf_buffer_dup_fd(grant);
		secbuf_buffer_free(grant);
		return *reply_fd < 0 ? -1 : 0;
	}
	if (!strcmp(verb, "revoke")) {
		kv_u64(req, "grant", &grant_id);
		kv_u64(req, "wait_ms", &wait_ms);
		if (grant_id)
			snprintf(what, what_len, "revoke grant %" PRIu64,
				 grant_id);
		else
			snprintf(what, what_len, "revoke the buffer");
		ret = grant_id ?
		      secbuf_buffer_revoke_grant(h->pool, h->buf, grant_id,
						 &quarantined) :
		      secbuf_buffer_revoke(h->pool, h->buf, &quarantined);
		if (ret < 0)
			return -1;
		if (quarantined && wait_ms) {
			struct secbuf_pool_stats *st;

			/* Success or ETIMEDOUT: report what is left either way. */
			secbuf_pool_wait_quarantine(h->pool, wait_ms > INT32_MAX ?
						    -1 : (int)wait_ms);
			st = secbuf_pool_get_stats(h->pool);
			if (st)
				quarantined =
					secbuf_pool_stats_get_quarantined_bytes(st);
			secbuf_pool_stats_free(st);
		}
		text_add(out, "ok\ngrant=%" PRIu64 " id=%" PRIu64
			 " quarantined_bytes=%" PRIu64 "\n", grant_id,
			 secbuf_buffer_get_id(h->buf), quarantined);
		return 0;
	}
	if (!strcmp(verb, "seal")) {
		if (kv_u64(req, "seals", &v) < 0 || v > UINT32_MAX) {
			errno = EINVAL;
			return -1;
		}
		snprintf(what, what_len, "seal %s",
			 sbc_seals_str((unsigned int)v, s, sizeof(s)));
		seals = secbuf_buffer_seal(h->pool, h->buf, (unsigned int)v);
		if (seals < 0)
			return -1;
		text_add(out, "ok\nid=%" PRIu64 " seals=%d\n",
			 secbuf_buffer_get_id(h->buf), seals);
		return 0;
	}
	if (!strcmp(verb, "dma-begin")) {
		if (kv_str(req, "policy", policy, sizeof(policy)) < 0 ||
		    (strcmp(policy, "wait") && strcmp(policy, "strict"))) {
			errno = EINVAL;
			return -1;
		}
		snprintf(what, what_len, "dma-begin %s", policy);
		/*
		 * No fence descriptor: the window's fence is on the buffer's
		 * reservation object, where importers see it.
		 */
		if (secbuf_buffer_dma_begin(h->pool, h->buf,
					    strcmp(policy, "wait") ?
					    SECBUF_DMA_WINDOW_STRICT :
					    SECBUF_DMA_WINDOW_WAIT, NULL) < 0)
			return -1;
		text_add(out, "ok\nid=%" PRIu64 " policy=%s\n",
			 secbuf_buffer_get_id(h->buf), policy);
		return 0;
	}
	if (!strcmp(verb, "dma-end")) {
		snprintf(what, what_len, "dma-end");
		if (secbuf_buffer_dma_end(h->pool, h->buf) < 0)
			return -1;
		text_add(out, "ok\nid=%" PRIu64 "\n",
			 secbuf_buffer_get_id(h->buf));
		return 0;
	}
	if (!strcmp(verb, "query")) {
		snprintf(what, what_len, "query");
		return hold_query(h, out);
	}

	snprintf(what, what_len, "'%s'", verb);
	errno = EOPNOTSUPP;
	return -1;
}

static void hold_client(struct hold *h, int lsock)
{
	static struct sbc_text out;
	char req[512], what[128] = "", *nl;
	int conn, pidfd = -1, reply_fd = -1;
	ssize_t n;
	pid_t pid;

	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return;
	pid = sbc_peer_pid(conn);
	out.len = 0;
	out.buf[0] = '\0';

	/* A client that connects and says nothing must not stall hold. */
	if (sbc_wait_fd(conn, POLLIN, sbc_now_ms() + 5000) < 0) {
		close(conn);
		return;
	}
	n = sbc_msg_recv(conn, req, sizeof(req) - 1, &pidfd);
	if (n <= 0) {
		if (pidfd >= 0)
			close(pidfd);
		close(conn);
		return;
	}
	req[n] = '\0';
	nl = strchr(req, '\n');
	if (nl)
		*nl = '\0';

	if (hold_do(h, req, pidfd, &out, &reply_fd, what, sizeof(what)) < 0) {
		int err = errno;

		out.len = 0;
		text_add(&out, "error %d\n", err);
		printf("hold: pid %d: %s: %s (%s)\n", (int)pid, what,
		       strerror(err), sbc_errno_name(err));
	} else {
		uint64_t id;

		if (reply_fd >= 0 && !kv_u64(next_line(out.buf), "grant_id",
					     &id))
			printf("hold: pid %d: %s -> grant %" PRIu64 "\n",
			       (int)pid, what, id);
		else
			printf("hold: pid %d: %s: done\n", (int)pid, what);
	}
	if (sbc_msg_send(conn, out.buf, out.len + 1, reply_fd) < 0)
		sbc_error(errno, NULL, "reply to pid %d", (int)pid);

	if (reply_fd >= 0)
		close(reply_fd);
	if (pidfd >= 0)
		close(pidfd);
	close(conn);
}

int cmd_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool",    required_argument, NULL, 'p' },
		{ "size",    required_argument, NULL, 's' },
		{ "socket",  required_argument, NULL, 'S' },
		{ "fill",    required_argument, NULL, 'f' },
		{ "name",    required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pool_arg = NULL, *sock_path = NULL, *fill = NULL;
	const char *name = NULL;
	struct sigaction sa = { .sa_handler = hold_signal };
	struct hold h = { NULL, NULL };
	int opt, ret = EXIT_ERROR, lsock = -1;
	unsigned long timeout = 0;
	bool have_size = false;
	int64_t deadline = -1;
	uint64_t size = 0;
	struct pollfd pfd;
	char hs[32];

	while ((opt = getopt_long(argc, argv, ":p:s:S:f:n:t:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_arg = optarg;
			break;
		case 's':
			if (sbc_parse_size(optarg, &size) < 0)
				return sbc_usage_error("hold", "bad size '%s'",
						       optarg);
			have_size = true;
			break;
		case 'S':
			sock_path = optarg;
			break;
		case 'f':
			fill = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 't':
			if (sbc_parse_uint(optarg, &timeout) < 0 || !timeout ||
			    timeout > 100000000)
				return sbc_usage_error("hold",
						       "bad --timeout '%s'",
						       optarg);
			break;
		case 'h':
			cmd_hold_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("hold", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("hold", "unexpected argument '%s'",
				       argv[optind]);
	if (!pool_arg || !have_size || !sock_path)
		return sbc_usage_error("hold",
				       "--pool, --size and --socket are required");
	if (fill && !fill[0])
		return sbc_usage_error("hold", "--fill needs a non-empty TEXT");
	if (name && strlen(name) > SECBUF_NAME_MAX)
		return sbc_usage_error("hold", "--name is longer than %d bytes",
				       SECBUF_NAME_MAX);

	h.buf = sbc_alloc_buffer(pool_arg, size, 0, &h.pool);
	if (!h.buf)
		return EXIT_ERROR;
	if (name && secbuf_buffer_set_name(h.buf, name) < 0) {
		sbc_error(errno, NULL, "name buffer '%s'", name);
		goto out;
	}
	if (fill && sbc_fill_buffer(h.buf, fill) < 0)
		goto out;

	lsock = sbc_unix_listen(sock_path, SOCK_SEQPACKET, true);
	if (lsock < 0)
		goto out;

	/* No SA_RESTART: a signal ends the poll() below. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	printf("hold: buffer %" PRIu64 " from %s, %s; owner requests on %s\n",
	       secbuf_buffer_get_id(h.buf), secbuf_pool_get_name(h.pool),
	       sbc_human_size(secbuf_buffer_get_size(h.buf), hs, sizeof(hs)),
	       sock_path);
	if (fill && sbc_show_contents(h.buf, "hold: filled it: ") < 0)
		goto out;

	if (timeout)
		deadline = sbc_now_ms() + (int64_t)timeout * 1000;
	while (!hold_stop) {
		int wait = -1;

		if (deadline >= 0) {
			int64_t left = deadline - sbc_now_ms();

			if (left <= 0)
				break;
			wait = (int)left;
		}
		pfd.fd = lsock;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) > 0)
			hold_client(&h, lsock);
	}
	printf("hold: %s; closing the pool file revokes buffer %" PRIu64 "\n",
	       hold_stop ? "interrupted" : "timed out",
	       secbuf_buffer_get_id(h.buf));
	ret = EXIT_OK;

out:
	if (lsock >= 0) {
		close(lsock);
		unlink(sock_path);
	}
	secbuf_buffer_free(h.buf);
	secbuf_pool_close(h.pool);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* the clients                                                            */
/* ---------------------------------------------------------------------- */

/* Options every client has. */
struct client {
	const char *cmd;
	const char *socket;
	bool json;
	long timeout;		/* seconds */
};

#define CLIENT_OPTS	"S:jt:h"
#define CLIENT_LONGOPTS							\
	{ "socket",  required_argument, NULL, 'S' },			\
	{ "json",    no_argument,       NULL, 'j' },			\
	{ "timeout", required_argument, NULL, 't' },			\
	{ "help",    no_argument,       NULL, 'h' }

#define CLIENT_HELP							\
"  -S, --socket PATH      the socket of 'secbufctl hold'\n"		\
"  -j, --json             print JSON\n"					\
"  -t, --timeout SECONDS  wait that long for hold (default 5)\n"	\
"  -h, --help             show this help\n"

/*
 * Handles the options common to clients. Returns 1 if @opt was one of
 * them, 0 if not, or an exit status + 2 when the command must end (help,
 * usage error).
 */
static int client_opt(struct client *c, int opt, void (*usage)(FILE *))
{
	unsigned long v;

	switch (opt) {
	case 'S':
		c->socket = optarg;
		return 1;
	case 'j':
		c->json = true;
		return 1;
	case 't':
		if (sbc_parse_uint(optarg, &v) < 0 || v > 1000000)
			return 2 + sbc_usage_error(c->cmd, "bad --timeout '%s'",
						   optarg);
		c->timeout = (long)v;
		return 1;
	case 'h':
		usage(stdout);
		return 2 + EXIT_OK;
	default:
		return 0;
	}
}

static int client_check(struct client *c, int argc, char **argv,
			bool args_ok)
{
	if (!args_ok && optind < argc)
		return sbc_usage_error(c->cmd, "unexpected argument '%s'",
				       argv[optind]);
	if (!c->socket)
		return sbc_usage_error(c->cmd, "--socket is required");
	return -1;
}

/* A failure, as text on stderr and, with --json, as a JSON document. */
static int client_fail(struct client *c, int err, const char *hint,
		       const char *what)
{
	struct sbc_json j;

	sbc_error(err, hint, "%s", what);
	if (c->json) {
		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_begin_object(&j, "error");
		sbc_json_string(&j, "errno", sbc_errno_name(err));
		sbc_json_string(&j, "message", strerror(err));
		if (hint)
			sbc_json_string(&j, "hint", hint);
		sbc_json_end_object(&j);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	}
	return EXIT_ERROR;
}

/* What an errno from hold's pool file means for the owner's requests. */
static const char *manage_hint(int err)
{
	switch (err) {
	case EPERM:
		return "not allowed: rights only narrow, and seals forbid some requests";
	case ENODEV:
		return "the buffer has been revoked";
	case ENOENT:
		return "no such grant, or no DMA window open";
	case EBUSY:
		return "a DMA window is open, or a device may write";
	case ESRCH:
		return "the process to bind the grant to has exited";
	case EOPNOTSUPP:
		return "this hold does not know the request";
	default:
		return NULL;
	}
}

/*
 * Sends @req (with @fd attached unless -1) to hold and receives the reply.
 * Returns 0 with the text in @reply and an attached descriptor in @got_fd
 * (if not NULL), or reports the failure and returns EXIT_ERROR.
 */
static int client_call(struct client *c, const char *req, int fd,
		       struct sbc_text *reply, int *got_fd)
{
	int64_t deadline = sbc_now_ms() + c->timeout * 1000;
	struct sockaddr_un addr;
	uint64_t err;
	char what[160];
	ssize_t n;
	int sock;

	if (got_fd)
		*got_fd = -1;
	snprintf(what, sizeof(what), "connect to %s", c->socket);
	if (sbc_unix_addr(c->socket, &addr) < 0)
		return client_fail(c, errno, NULL, what);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return client_fail(c, errno, NULL, "socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(sock);
		return client_fail(c, e, e == ENOENT || e == ECONNREFUSED ?
				   "is 'secbufctl hold' running?" : NULL, what);
	}

	snprintf(what, sizeof(what), "request '%s'", req);
	if (sbc_msg_send(sock, req, strlen(req), fd) < 0 ||
	    sbc_wait_fd(sock, POLLIN, deadline) < 0) {
		int e = errno;

		close(sock);
		return client_fail(c, e, NULL, what);
	}
	n = sbc_msg_recv(sock, reply->buf, sizeof(reply->buf) - 1, got_fd);
	close(sock);
	if (n <= 0)
		return client_fail(c, n ? errno : ECONNRESET, NULL, what);
	reply->buf[n] = '\0';
	reply->len = (size_t)n;

	if (!strncmp(reply->buf, "ok\n", 3))
		return 0;
	if (got_fd && *got_fd >= 0) {
		close(*got_fd);
		*got_fd = -1;
	}
	if (!strncmp(reply->buf, "error ", 6)) {
		err = strtoull(reply->buf + 6, NULL, 10);
		if (err && err < 4096)
			return client_fail(c, (int)err, manage_hint((int)err),
					   what);
	}
	return client_fail(c, EPROTO, NULL, what);
}

/* The key=value line of a reply. */
static const char *reply_kv(const struct sbc_text *reply)
{
	const char *kv = next_line(reply->buf);

	return kv ? kv : "";
}

static uint64_t reply_u64(const struct sbc_text *reply, const char *key)
{
	uint64_t v = 0;

	kv_u64(reply_kv(reply), key, &v);
	return v;
}

/* Rights or seals as a JSON array of names. */
static void json_names(struct sbc_json *j, const char *key,
		       const char *(*str)(unsigned int, char *, size_t),
		       unsigned int bits)
{
	char buf[128], *tok, *save;

	sbc_json_begin_array(j, key);
	if (bits) {
		str(bits, buf, sizeof(buf));
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			sbc_json_string(j, NULL, tok);
	}
	sbc_json_end_array(j);
}

/* ---- grant ---- */

void cmd_grant_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl grant --socket PATH [--rights RIGHTS] [--bind PID |\n"
"                       --bind-self] [--json] [--timeout S] [-- COMMAND...]\n"
"\n"
"Ask 'secbufctl hold' for a grant: a new dma-buf of its buffer with\n"
"RIGHTS only, revocable on its own. With COMMAND, run it with the grant on\n"
"file descriptor 3 (environment: SECBUF_GRANT_FD=3, SECBUF_GRANT_ID=ID);\n"
"the command replaces secbufctl, so --bind-self binds the grant to it.\n"
"Without COMMAND the grant is only shown, and dropped on exit.\n"
"\n"
"RIGHTS is a comma-separated list of read, write, dma, regrant, or all,\n"
"or letters: r, w, d, g (\"rw\"). Default: read.\n"
"\n"
"Options:\n"
"  -r, --rights RIGHTS    rights of the grant\n"
"  -b, --bind PID         only process PID may map or attach the grant\n"
"  -B, --bind-self        bind it to this process (and so to COMMAND)\n"
CLIENT_HELP);
}

int cmd_grant(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rights",    required_argument, NULL, 'r' },
		{ "bind",      required_argument, NULL, 'b' },
		{ "bind-self", no_argument,       NULL, 'B' },
		CLIENT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct client c = { .cmd = "grant", .timeout = 5 };
	unsigned int rights = SECBUF_RIGHT_READ;
	unsigned long bind_pid = 0;
	static struct sbc_text reply;
	bool bind_self = false;
	int opt, ret, pidfd = -1, fd;
	char req[64], rs[64], env[32];
	uint64_t grant_id, id;
	pid_t bound = 0;

	while ((opt = getopt_long(argc, argv, "+:r:b:B" CLIENT_OPTS, opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (sbc_parse_rights(optarg, &rights) < 0)
				return sbc_usage_error("grant",
					"bad --rights '%s': read, write, dma, regrant, all",
					optarg);
			break;
		case 'b':
			if (sbc_parse_uint(optarg, &bind_pid) < 0 || !bind_pid ||
			    bind_pid > INT32_MAX)
				return sbc_usage_error("grant",
						       "bad --bind '%s'", optarg);
			break;
		case 'B':
			bind_self = true;
			break;
		default:
			ret = client_opt(&c, opt, cmd_grant_usage);
			if (ret >= 2)
				return ret - 2;
			if (!ret)
				return sbc_bad_option("grant", opt, argv);
		}
	}
	ret = client_check(&c, argc, argv, true);
	if (ret >= 0)
		return ret;
	if (bind_pid && bind_self)
		return sbc_usage_error("grant",
				       "--bind and --bind-self exclude each other");

	if (bind_pid || bind_self) {
		bound = bind_self ? getpid() : (pid_t)bind_pid;
		pidfd = sbc_pidfd_open(bound);
		if (pidfd < 0)
			return client_fail(&c, errno, errno == ESRCH ?
					   "no such process" : NULL,
					   "pidfd_open");
	}

	snprintf(req, sizeof(req), "grant rights=%u", rights);
	ret = client_call(&c, req, pidfd, &reply, &fd);
	if (pidfd >= 0)
		close(pidfd);
	if (ret)
		return ret;
	if (fd < 0)
		return client_fail(&c, ENOMSG, NULL, "hold sent no descriptor");

	grant_id = reply_u64(&reply, "grant_id");
	id = reply_u64(&reply, "id");
	if (c.json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_u64(&j, "grant_id", grant_id);
		sbc_json_u64(&j, "id", id);
		sbc_json_u64(&j, "size", reply_u64(&reply, "size"));
		json_names(&j, "rights", sbc_rights_str, rights);
		if (bound)
			sbc_json_int(&j, "pid", bound);
		else
			sbc_json_null(&j, "pid");
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else {
		printf("grant %" PRIu64 " of buffer %" PRIu64 ": %s", grant_id,
		       id, sbc_rights_str(rights, rs, sizeof(rs)));
		if (bound)
			printf(", bound to pid %d", (int)bound);
		printf("\n");
	}

	if (optind >= argc) {
		close(fd);
		return EXIT_OK;
	}

	/* Hand the grant to COMMAND on a known descriptor, without CLOEXEC. */
	if (fd != GRANT_FD) {
		if (dup2(fd, GRANT_FD) < 0)
			return client_fail(&c, errno, NULL, "dup2");
		close(fd);
	} else {
		fcntl(fd, F_SETFD, 0);
	}
	snprintf(env, sizeof(env), "%d", GRANT_FD);
	setenv("SECBUF_GRANT_FD", env, 1);
	snprintf(env, sizeof(env), "%" PRIu64, grant_id);
	setenv("SECBUF_GRANT_ID", env, 1);
	fflush(stdout);
	execvp(argv[optind], argv + optind);
	sbc_error(errno, NULL, "run %s", argv[optind]);
	return errno == ENOENT ? 127 : 126;
}

/* ---- revoke ---- */

void cmd_revoke_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl revoke --socket PATH [--grant ID] [--wait SECONDS] [--json]\n"
"                        [--timeout S]\n"
"\n"
"Have 'secbufctl hold' revoke its whole buffer, or with --grant only that\n"
"grant, for good: every mapping made through it is zapped (touching it\n"
"raises SIGBUS) and devices are told to let go. Prints the bytes of the\n"
"pool still quarantined because a device may reach them; with --wait, hold\n"
"first waits up to SECONDS for that to drop to 0.\n"
"\n"
"Options:\n"
"  -g, --grant ID         revoke only grant ID (see 'secbufctl query')\n"
"  -w, --wait SECONDS     wait for the quarantine to end\n"
CLIENT_HELP);
}

int cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "grant", required_argument, NULL, 'g' },
		{ "wait",  required_argument, NULL, 'w' },
		CLIENT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct client c = { .cmd = "revoke", .timeout = 5 };
	unsigned long grant = 0, wait_s = 0;
	static struct sbc_text reply;
	uint64_t q;
	char req[96];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, ":g:w:" CLIENT_OPTS, opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'g':
			if (sbc_parse_uint(optarg, &grant) < 0 || !grant)
				return sbc_usage_error("revoke",
					"bad --grant '%s': a grant id >= 1",
					optarg);
			break;
		case 'w':
			if (sbc_parse_uint(optarg, &wait_s) < 0 ||
			    wait_s > 1000000)
				return sbc_usage_error("revoke",
						       "bad --wait '%s'", optarg);
			break;
		default:
			ret = client_opt(&c, opt, cmd_revoke_usage);
			if (ret >= 2)
				return ret - 2;
			if (!ret)
				return sbc_bad_option("revoke", opt, argv);
		}
	}
	ret = client_check(&c, argc, argv, false);
	if (ret >= 0)
		return ret;

	/* Hold may wait for the quarantine before it answers. */
	c.timeout += (long)wait_s;
	snprintf(req, sizeof(req), "revoke grant=%lu wait_ms=%lu", grant,
		 wait_s * 1000);
	ret = client_call(&c, req, -1, &reply, NULL);
	if (ret)
		return ret;

	q = reply_u64(&reply, "quarantined_bytes");
	if (c.json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_u64(&j, "id", reply_u64(&reply, "id"));
		if (grant)
			sbc_json_u64(&j, "grant_id", grant);
		else
			sbc_json_null(&j, "grant_id");
		sbc_json_u64(&j, "quarantined_bytes", q);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else {
		if (grant)
			printf("revoked grant %lu of buffer %" PRIu64, grant,
			       reply_u64(&reply, "id"));
		else
			printf("revoked buffer %" PRIu64,
			       reply_u64(&reply, "id"));
		printf("; %" PRIu64 " bytes of the pool quarantined\n", q);
	}
	return EXIT_OK;
}

/* ---- seal ---- */

void cmd_seal_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl seal --socket PATH [--json] [--timeout S] SEAL[,SEAL...]\n"
"\n"
"Have 'secbufctl hold' seal its buffer, for good; seals bind the owner too.\n"
"  write   freeze the content: writes through any mapping raise SIGBUS,\n"
"          writable mmap() and DMA windows fail with EPERM\n"
"  grant   no new grants\n"
"  revoke  no revocation, and the buffer outlives hold's pool file\n"
"  seal    no further seals\n"
"  all     all of them\n"
"Prints every seal the buffer has then.\n"
"\n"
"Options:\n"
CLIENT_HELP);
}

static void print_seals(struct client *c, uint64_t id, unsigned int seals)
{
	char ss[64];

	if (c->json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_u64(&j, "id", id);
		json_names(&j, "seals", sbc_seals_str, seals);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else {
		printf("buffer %" PRIu64 " seals: %s\n", id,
		       sbc_seals_str(seals, ss, sizeof(ss)));
	}
}

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {
		CLIENT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct client c = { .cmd = "seal", .timeout = 5 };
	static struct sbc_text reply;
	unsigned int seals = 0, more;
	char req[64];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, ":" CLIENT_OPTS, opts,
				  NULL)) != -1) {
		ret = client_opt(&c, opt, cmd_seal_usage);
		if (ret >= 2)
			return ret - 2;
		if (!ret)
			return sbc_bad_option("seal", opt, argv);
	}
	ret = client_check(&c, argc, argv, true);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return sbc_usage_error("seal", "which seals? write, grant, revoke, seal, all");
	for (; optind < argc; optind++) {
		if (sbc_parse_seals(argv[optind], &more) < 0)
			return sbc_usage_error("seal", "bad seal '%s'",
					       argv[optind]);
		seals |= more;
	}

	snprintf(req, sizeof(req), "seal seals=%u", seals);
	ret = client_call(&c, req, -1, &reply, NULL);
	if (ret)
		return ret;
	print_seals(&c, reply_u64(&reply, "id"),
		    (unsigned int)reply_u64(&reply, "seals"));
	return EXIT_OK;
}

/* ---- dma-begin, dma-end ---- */

void cmd_dma_begin_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl dma-begin --socket PATH (--wait | --strict) [--json]\n"
"                           [--timeout S]\n"
"\n"
"Have 'secbufctl hold' open a DMA window on its buffer: a device owns it\n"
"until 'secbufctl dma-end' (or the driver's dma_window_timeout_ms, 10 s by\n"
"default). Every CPU mapping is taken away meanwhile; a process that\n"
"touches the buffer waits for the end of the window (--wait) or gets\n"
"SIGBUS at once (--strict).\n"
"\n"
"Options:\n"
"  -W, --wait             CPU access waits for the window to end\n"
"  -s, --strict           CPU access raises SIGBUS\n"
CLIENT_HELP);
}

void cmd_dma_end_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl dma-end --socket PATH [--json] [--timeout S]\n"
"\n"
"Have 'secbufctl hold' close the DMA window of its buffer: the window's\n"
"fence signals and CPU access works again.\n"
"\n"
"Options:\n"
CLIENT_HELP);
}

static int dma_client(int argc, char **argv, bool begin)
{
	static const struct option opts[] = {
		{ "wait",   no_argument, NULL, 'W' },
		{ "strict", no_argument, NULL, 's' },
		CLIENT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct client c = { .cmd = begin ? "dma-begin" : "dma-end",
			    .timeout = 5 };
	void (*usage)(FILE *) = begin ? cmd_dma_begin_usage : cmd_dma_end_usage;
	static struct sbc_text reply;
	const char *policy = NULL;
	char req[64];
	int opt, ret;

	while ((opt = getopt_long(argc, argv,
				  begin ? ":Ws" CLIENT_OPTS : ":" CLIENT_OPTS,
				  opts, NULL)) != -1) {
		if (begin && (opt == 'W' || opt == 's')) {
			const char *p = opt == 'W' ? "wait" : "strict";

			if (policy && strcmp(policy, p))
				return sbc_usage_error(c.cmd,
					"--wait and --strict exclude each other");
			policy = p;
			continue;
		}
		ret = client_opt(&c, opt, usage);
		if (ret >= 2)
			return ret - 2;
		if (!ret || opt == 'W' || opt == 's')
			return sbc_bad_option(c.cmd, opt, argv);
	}
	ret = client_check(&c, argc, argv, false);
	if (ret >= 0)
		return ret;
	if (begin && !policy)
		return sbc_usage_error(c.cmd, "--wait or --strict is required");

	if (begin)
		snprintf(req, sizeof(req), "dma-begin policy=%s", policy);
	else
		snprintf(req, sizeof(req), "dma-end");
	ret = client_call(&c, req, -1, &reply, NULL);
	if (ret)
		return ret;

	if (c.json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_u64(&j, "id", reply_u64(&reply, "id"));
		sbc_json_bool(&j, "dma_window", begin);
		if (begin)
			sbc_json_string(&j, "policy", policy);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else if (begin) {
		printf("buffer %" PRIu64 ": DMA window open (%s)\n",
		       reply_u64(&reply, "id"), policy);
	} else {
		printf("buffer %" PRIu64 ": DMA window closed\n",
		       reply_u64(&reply, "id"));
	}
	return EXIT_OK;
}

int cmd_dma_begin(int argc, char **argv)
{
	return dma_client(argc, argv, true);
}

int cmd_dma_end(int argc, char **argv)
{
	return dma_client(argc, argv, false);
}

/* ---- query ---- */

void cmd_query_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl query --socket PATH [--json] [--timeout S]\n"
"       secbufctl query --pool POOL --fd N [--json]\n"
"\n"
"The owner's view, from 'secbufctl hold': the buffer's state (live,\n"
"revoked, dma), seals and size, its grants with their rights, state,\n"
"mappings, device attachments and bound pid, and the pool's quarantine.\n"
"\n"
"A holder's view, with --fd: what the kernel tells anyone about the\n"
"dma-buf on inherited descriptor N (e.g. 3 under 'secbufctl grant --\n"
"COMMAND'): the buffer's state, the descriptor's own state and rights,\n"
"the seals, size, buffer id and grant id. POOL must be the buffer's pool;\n"
"it need not be the owner's pool file.\n"
"\n"
"Options:\n"
"  -p, --pool POOL        with --fd: the buffer's pool\n"
"  -F, --fd N             ask about descriptor N of this process\n"
CLIENT_HELP);
}

static int query_fd(struct client *c, const char *pool_arg, int fd)
{
	struct secbuf_buffer_info *info = NULL;
	struct secbuf_buffer *buf = NULL;
	struct secbuf_pool *pool = NULL;
	int ret = EXIT_ERROR, dup;
	char *path, rs[64], ss[64];

	path = sbc_pool_path(pool_arg);
	if (!path)
		return client_fail(c, errno, NULL, pool_arg);
	pool = secbuf_pool_open(path);
	if (!pool) {
		ret = client_fail(c, errno, sbc_open_hint(errno), path);
		goto out;
	}
	/* Our own descriptor to wrap: N stays the caller's. */
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	buf = dup >= 0 ? secbuf_buffer_from_fd(dup) : NULL;
	if (!buf) {
		int err = errno;

		if (dup >= 0)
			close(dup);
		ret = client_fail(c, err, NULL, "descriptor is not a dma-buf");
		goto out;
	}
	info = secbuf_buffer_query(pool, buf);
	if (!info) {
		ret = client_fail(c, errno, errno == EINVAL ?
				  "not a secbuf dma-buf of this pool" : NULL,
				  "SECBUF_IOC_QUERY");
		goto out;
	}

	if (c->json) {
		struct sbc_json j;

		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_int(&j, "fd", fd);
		sbc_json_u64(&j, "id", secbuf_buffer_info_get_id(info));
		sbc_json_u64(&j, "grant_id", secbuf_buffer_info_get_grant_id(info));
		sbc_json_u64(&j, "size", secbuf_buffer_info_get_size(info));
		sbc_json_string(&j, "state",
			    sbc_state_str(secbuf_buffer_info_get_state(info)));
		sbc_json_string(&j, "handle_state",
			    sbc_state_str(secbuf_buffer_info_get_handle_state(info)));
		json_names(&j, "rights", sbc_rights_str,
			   secbuf_buffer_info_get_rights(info));
		json_names(&j, "seals", sbc_seals_str,
			   secbuf_buffer_info_get_seals(info));
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	} else {
		printf("fd %d: buffer %" PRIu64 " of %s", fd,
		       secbuf_buffer_info_get_id(info),
		       secbuf_pool_get_name(pool));
		if (secbuf_buffer_info_get_grant_id(info))
			printf(", grant %" PRIu64,
			       secbuf_buffer_info_get_grant_id(info));
		else
			printf(", the owner's handle");
		printf(", %" PRIu64 " bytes\n",
		       secbuf_buffer_info_get_size(info));
		printf("  buffer %s, this handle %s; rights %s; seals %s\n",
		       sbc_state_str(secbuf_buffer_info_get_state(info)),
		       sbc_state_str(secbuf_buffer_info_get_handle_state(info)),
		       sbc_rights_str(secbuf_buffer_info_get_rights(info), rs,
				      sizeof(rs)),
		       sbc_seals_str(secbuf_buffer_info_get_seals(info), ss,
				     sizeof(ss)));
	}
	ret = EXIT_OK;
out:
	secbuf_buffer_info_free(info);
	secbuf_buffer_free(buf);
	secbuf_pool_close(pool);
	free(path);
	return ret;
}

static void query_print(struct client *c, const struct sbc_text *reply)
{
	const char *kv = reply_kv(reply), *line;
	uint64_t size = reply_u64(reply, "size");
	uint64_t grants = reply_u64(reply, "grants");
	unsigned int state = (unsigned int)reply_u64(reply, "state");
	unsigned int seals = (unsigned int)reply_u64(reply, "seals");
	char pool[64] = "?", rs[64], ss[64], hs[32];
	struct sbc_json j;

	kv_str(kv, "pool", pool, sizeof(pool));
	if (c->json) {
		sbc_json_init(&j, stdout);
		sbc_json_begin_object(&j, NULL);
		sbc_json_string(&j, "pool", pool);
		sbc_json_u64(&j, "id", reply_u64(reply, "id"));
		sbc_json_u64(&j, "size", size);
		sbc_json_string(&j, "state", sbc_state_str(state));
		json_names(&j, "seals", sbc_seals_str, seals);
		sbc_json_u64(&j, "quarantined_bytes",
			 reply_u64(reply, "quarantined_bytes"));
		sbc_json_u64(&j, "grant_count", grants);
		sbc_json_begin_array(&j, "grants");
	} else {
		printf("buffer %" PRIu64 " of %s: %s, %s, seals %s\n",
		       reply_u64(reply, "id"), pool,
		       sbc_human_size(size, hs, sizeof(hs)),
		       sbc_state_str(state),
		       sbc_seals_str(seals, ss, sizeof(ss)));
		printf("  %" PRIu64 " grant%s; %" PRIu64
		       " bytes of the pool quarantined\n", grants,
		       grants == 1 ? "" : "s",
		       reply_u64(reply, "quarantined_bytes"));
	}

	for (line = next_line(kv); line; line = next_line(line)) {
		uint64_t id = 0, rights = 0, st = 0, maps = 0, att = 0;
		uint64_t pid = 0;

		if (strncmp(line, "grant ", 6))
			continue;
		kv_u64(line, "id", &id);
		kv_u64(line, "rights", &rights);
		kv_u64(line, "state", &st);
		kv_u64(line, "mappings", &maps);
		kv_u64(line, "attachments", &att);
		kv_u64(line, "pid", &pid);
		if (c->json) {
			sbc_json_begin_object(&j, NULL);
			sbc_json_u64(&j, "grant_id", id);
			json_names(&j, "rights", sbc_rights_str,
				   (unsigned int)rights);
			sbc_json_string(&j, "state",
				    sbc_state_str((unsigned int)st));
			sbc_json_u64(&j, "mappings", maps);
			sbc_json_u64(&j, "attachments", att);
			if (pid)
				sbc_json_u64(&j, "pid", pid);
			else
				sbc_json_null(&j, "pid");
			sbc_json_end_object(&j);
			continue;
		}
		printf("  grant %-4" PRIu64 " %-20s %-8s %" PRIu64
		       " mapping%s, %" PRIu64 " attachment%s", id,
		       sbc_rights_str((unsigned int)rights, rs, sizeof(rs)),
		       sbc_state_str((unsigned int)st), maps,
		       maps == 1 ? "" : "s", att, att == 1 ? "" : "s");
		if (pid)
			printf(", bound to pid %" PRIu64, pid);
		printf("\n");
	}

	if (c->json) {
		sbc_json_end_array(&j);
		sbc_json_end_object(&j);
		sbc_json_finish(&j);
	}
}

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "fd",   required_argument, NULL, 'F' },
		CLIENT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct client c = { .cmd = "query", .timeout = 5 };
	static struct sbc_text reply;
	const char *pool_arg = NULL;
	unsigned long fd = 0;
	bool have_fd = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, ":p:F:" CLIENT_OPTS, opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_arg = optarg;
			break;
		case 'F':
			if (sbc_parse_uint(optarg, &fd) < 0 || fd > INT32_MAX)
				return sbc_usage_error("query", "bad --fd '%s'",
						       optarg);
			have_fd = true;
			break;
		default:
			ret = client_opt(&c, opt, cmd_query_usage);
			if (ret >= 2)
				return ret - 2;
			if (!ret)
				return sbc_bad_option("query", opt, argv);
		}
	}
	if (optind < argc)
		return sbc_usage_error("query", "unexpected argument '%s'",
				       argv[optind]);
	if (have_fd || pool_arg) {
		if (c.socket)
			return sbc_usage_error("query",
				"--socket, or --pool with --fd: not both");
		if (!have_fd || !pool_arg)
			return sbc_usage_error("query",
					       "--pool and --fd go together");
		return query_fd(&c, pool_arg, (int)fd);
	}
	if (!c.socket)
		return sbc_usage_error("query",
				       "--socket, or --pool with --fd, is required");

	ret = client_call(&c, "query", -1, &reply, NULL);
	if (ret)
		return ret;
	query_print(&c, &reply);
	return EXIT_OK;
}
