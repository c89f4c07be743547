// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: messages, number parsing and formatting, byte helpers.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <secbuf.h>

#include "secbufctl.h"

/* How many bytes of a buffer sbc_show_contents() prints. */
#define SHOW_BYTES	32

void sbc_error(int errnum, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("secbufctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)", strerror(errnum), sbc_errno_name(errnum));
	if (hint)
		fprintf(stderr, ": %s", hint);
	fputc('\n', stderr);
}

void sbc_message(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("secbufctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int sbc_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "secbufctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'secbufctl%s%s --help'.\n",
		cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int sbc_bad_option(const char *cmd, int opt, char **argv)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return sbc_usage_error(cmd, "option '%s' needs an argument",
				       arg);
	if (optopt && strncmp(arg, "--", 2))
		return sbc_usage_error(cmd, "unknown option '-%c'", optopt);
	return sbc_usage_error(cmd, "unknown option '%s'", arg);
}

const char *sbc_errno_name(int errnum)
{
	const char *name = strerrorname_np(errnum);

	return name ? name : "E?";
}

const char *sbc_open_hint(int errnum)
{
	switch (errnum) {
	case ENOENT:
		return "no such pool (is the secbuf module loaded?)";
	case EACCES:
	case EPERM:
		return "no permission on the device node (run as root?)";
	case ENODEV:
		return "not a character device";
	default:
		return NULL;
	}
}

const char *sbc_alloc_hint(int errnum, uint64_t size)
{
	switch (errnum) {
	case EDQUOT:
		return "per-file limit reached";
	case ENOMEM:
		return "no free contiguous range that large in the pool";
	case EFBIG:
		return "larger than the pool's max buffer size";
	case EINVAL:
		return size ? "rejected by the driver" : "the size must not be 0";
	case EMFILE:
		return "this process has no free file descriptor";
	default:
		return NULL;
	}
}

char *sbc_pool_path(const char *name_or_path)
{
	char *path;

	if (strchr(name_or_path, '/'))
		return strdup(name_or_path);
	if (asprintf(&path, "%s/%s", sbc_dev_dir, name_or_path) < 0)
		return NULL;
	return path;
}

int sbc_parse_uint(const char *s, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

int sbc_parse_size(const char *s, uint64_t *out)
{
	unsigned long long val;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;

	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		val = strtoull(s + 2, &end, 16);
	else
		val = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;

	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	/* Allow "4KiB", "4KB", "4B": all binary multiples. */
	if (shift && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		return -1;

	if (shift && val > (UINT64_MAX >> shift))
		return -1;

	*out = (uint64_t)val << shift;
	return 0;
}

const char *sbc_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t div = 1024;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}

	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes >= div * 1024) {
		div *= 1024;
		u++;
	}

	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", bytes / div, units[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)bytes / (double)div,
			 units[u]);
	return buf;
}

void sbc_fill(void *dst, size_t len, const char *text)
{
	size_t tlen = strlen(text), done;
	char *p = dst;

	if (!len || !tlen)
		return;

	done = tlen < len ? tlen : len;
	memcpy(p, text, done);
	/* Double the filled prefix until the buffer is full. */
	while (done < len) {
		size_t n = done < len - done ? done : len - done;

		memcpy(p + done, p, n);
		done += n;
	}
}

uint64_t sbc_fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t hash = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

void sbc_print_bytes(FILE *out, const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t shown = len < max ? len : max, end = shown, i;

	while (end > 0 && p[end - 1] == 0)
		end--;

	fputc('"', out);
	for (i = 0; i < end; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case 0:    fputs("\\0", out); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				fputc(c, out);
			else
				fprintf(out, "\\x%02x", c);
		}
	}
	fputc('"', out);

	if (end < shown)
		fprintf(out, " + %zu zero bytes", shown - end);
	if (len > shown)
		fputs("...", out);
}

/* Copies the value of "@key:\t<value>" from an fdinfo line, if it matches. */
static void fdinfo_field(const char *line, const char *key, char *dst,
			 size_t len)
{
	size_t klen = strlen(key);

	if (strncmp(line, key, klen) || line[klen] != ':')
		return;
	line += klen + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	snprintf(dst, len, "%.*s", (int)strcspn(line, "\n"), line);
}

void sbc_get_fd_info(int fd, struct sbc_fd_info *info)
{
	char path[64], line[256];
	struct stat st;
	FILE *f;

	memset(info, 0, sizeof(*info));
	if (!fstat(fd, &st))
		info->inode = st.st_ino;

	/* /proc may be missing; these fields are then left empty. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		fdinfo_field(line, "exp_name", info->exporter,
			     sizeof(info->exporter));
		fdinfo_field(line, "name", info->name, sizeof(info->name));
	}
	fclose(f);
}

int sbc_fill_buffer(struct secbuf_buffer *buf, const char *text)
{
	void *map = secbuf_buffer_map(buf);

	if (!map) {
		sbc_error(errno, NULL, "map buffer");
		return -1;
	}
	if (secbuf_buffer_sync_begin(buf, SECBUF_SYNC_WRITE) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC write start");
		return -1;
	}
	sbc_fill(map, (size_t)secbuf_buffer_get_size(buf), text);
	if (secbuf_buffer_sync_end(buf, SECBUF_SYNC_WRITE) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC write end");
		return -1;
	}
	return 0;
}

int sbc_show_contents(struct secbuf_buffer *buf, const char *prefix)
{
	size_t len = (size_t)secbuf_buffer_get_size(buf);
	void *map = secbuf_buffer_map(buf);
	uint64_t sum;

	if (!map) {
		sbc_error(errno, NULL, "map buffer");
		return -1;
	}
	if (secbuf_buffer_sync_begin(buf, SECBUF_SYNC_READ) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC read start");
		return -1;
	}
	fputs(prefix, stdout);
	sbc_print_bytes(stdout, map, len, SHOW_BYTES);
	sum = sbc_fnv1a64(map, len);
	printf(", fnv1a64 %016" PRIx64 "\n", sum);
	if (secbuf_buffer_sync_end(buf, SECBUF_SYNC_READ) < 0) {
		sbc_error(errno, NULL, "DMA_BUF_IOCTL_SYNC read end");
		return -1;
	}
	return 0;
}

int sbc_msg_send(int sock, const void *data, size_t len, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t ret;

	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}

	do {
		ret = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

ssize_t sbc_msg_recv(int sock, void *data, size_t len, int *fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	int got = -1, one;
	size_t i, n;
	ssize_t ret;

	do {
		ret = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;

	/* Keep the first descriptor if asked to; close every other one. */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&one, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (fd && got < 0)
				got = one;
			else
				close(one);
		}
	}
	if (fd)
		*fd = got;
	return ret;
}

int64_t sbc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sbc_wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int timeout, ret;

	for (;;) {
		timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - sbc_now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		ret = poll(&pfd, 1, timeout);
		if (ret > 0)
			return 0;
		if (ret == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

int sbc_pidfd_open(pid_t pid)
{
	/* The syscall rather than glibc's wrapper, which is 2.36 and up. */
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int sbc_unix_addr(const char *path, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr->sun_path, path);
	return 0;
}

int sbc_unix_listen(const char *path, int type, bool private)
{
	struct sockaddr_un addr;
	struct stat st;
	mode_t mask = 0;
	int sock, ret;

	if (sbc_unix_addr(path, &addr) < 0) {
		sbc_error(errno, NULL, "socket %s", path);
		return -1;
	}

	/* Replace a socket left by an earlier run; refuse anything else. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			sbc_message("%s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}

	sock = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		sbc_error(errno, NULL, "socket");
		return -1;
	}
	/* The socket file is made by bind(), with the umask's mode. */
	if (private)
		mask = umask(0177);
	ret = bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (private)
		umask(mask);
	if (ret < 0) {
		sbc_error(errno, NULL, "bind %s", path);
		close(sock);
		return -1;
	}
	if (listen(sock, 8) < 0) {
		sbc_error(errno, NULL, "listen %s", path);
		close(sock);
		unlink(path);
		return -1;
	}
	return sock;
}

pid_t sbc_peer_pid(int sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	return cred.pid;
}

struct secbuf_buffer *sbc_alloc_buffer(const char *pool_arg, uint64_t size,
				       unsigned int flags,
				       struct secbuf_pool **pool)
{
	struct secbuf_buffer *buf = NULL;
	char *path;

	*pool = NULL;
	path = sbc_pool_path(pool_arg);
	if (!path) {
		sbc_error(errno, NULL, "%s", pool_arg);
		return NULL;
	}
	*pool = secbuf_pool_open(path);
	if (!*pool) {
		sbc_error(errno, sbc_open_hint(errno), "open %s", path);
		goto out;
	}
	buf = secbuf_buffer_alloc(*pool, size, flags);
	if (!buf) {
		sbc_error(errno, sbc_alloc_hint(errno, size),
			  "alloc %" PRIu64 " bytes from %s", size,
			  secbuf_pool_get_name(*pool));
		secbuf_pool_close(*pool);
		*pool = NULL;
	}
out:
	free(path);
	return buf;
}
