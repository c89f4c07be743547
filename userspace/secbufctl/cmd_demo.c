// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl demo security: owner control shown with real processes.
 *
 * The demo process is the producer: it owns the buffers (its pool file
 * allocated them). The consumers are child processes forked before the
 * pool is opened, so they hold nothing of the producer's but one end of a
 * SOCK_SEQPACKET socket pair each. Everything they get, they get as a
 * grant sent over that socket (SCM_RIGHTS), and they do what the producer
 * asks them to: map, read, touch, write. A consumer that touches memory it
 * may no longer reach dies of SIGBUS: its handler reports the faulting
 * address over the socket before the default action ends it, and the
 * producer's waitpid() confirms the signal.
 *
 * Every expectation is checked; the demo exits 1 if any of them fails, so
 * it is a test as well as a show.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <secbuf.h>

#include "secbufctl.h"

/* How long the producer waits for a consumer to answer or to die. */
#define DEMO_REPLY_MS	10000
#define DEMO_HEAD	40	/* bytes of a frame a consumer reports */
#define DEMO_SLOTS	2	/* grants a consumer can hold at once */
#define DEMO_STEPS	7

void cmd_demo_usage(FILE *out)
{
	fprintf(out,
"Usage: secbufctl demo security [--pool POOL] [--size SIZE]\n"
"       secbufctl demo pipeline [OPTIONS] (see 'secbufctl demo pipeline --help')\n"
"\n"
"A scripted, self-contained tour of secbuf's owner control, run with real\n"
"processes: a producer allocates and fills a frame; consumers get their own\n"
"grants over unix sockets; revoking one consumer's grant kills it with\n"
"SIGBUS while the other reads on; a STRICT DMA window kills a consumer that\n"
"touches the frame while the device owns it; a write-sealed frame refuses a\n"
"consumer's writes; closing the producer's pool file revokes the rest.\n"
"Each step is checked: the exit status is 0 only if all behaved as\n"
"expected, 1 otherwise. Needs the secbuf driver and root (or access to the\n"
"pool's device node).\n"
"\n"
"Options:\n"
"  -p, --pool POOL   pool to use (default: gpu)\n"
"  -s, --size SIZE   size of each frame (default: 1M)\n"
"  -h, --help        show this help\n");
}

/* ---------------------------------------------------------------------- */
/* consumers                                                              */
/* ---------------------------------------------------------------------- */

enum agent_op {
	AGENT_TAKE,		/* the message carries a grant for @slot */
	AGENT_DROP,		/* free @slot */
	AGENT_MAP,		/* map @slot: reply @addr */
	AGENT_READ,		/* read all of @slot: @sum, @head */
	AGENT_TOUCH,		/* read the byte at @offset of @slot's mapping */
	AGENT_WRITE,		/* write @text at @offset of @slot's mapping */
	AGENT_MMAP_WRITE,	/* try a new writable mapping of @slot */
	AGENT_EXIT,
};

struct agent_req {
	uint32_t op;
	uint32_t slot;
	uint64_t offset;
	char text[DEMO_HEAD];
};

struct agent_reply {
	int32_t err;		/* errno of a failed request, or 0 */
	int32_t sig;		/* SIGBUS: the rest is from the handler */
	int32_t si_code;
	uint32_t pad;
	uint64_t addr;		/* mapping, or faulting address */
	uint64_t sum;
	uint64_t value;
	char head[DEMO_HEAD];
};

/* The consumer's end of its socket, for the SIGBUS handler. */
static int agent_sock = -1;

static void agent_sigbus(int sig, siginfo_t *si, void *uctx)
{
	struct agent_reply r;

	(void)uctx;
	memset(&r, 0, sizeof(r));
	r.sig = sig;
	r.si_code = si->si_code;
	r.addr = (uint64_t)(uintptr_t)si->si_addr;
	send(agent_sock, &r, sizeof(r), MSG_NOSIGNAL);
	/*
	 * SA_RESETHAND put the default action back: returning runs the
	 * access again, it faults again, and the process dies of SIGBUS.
	 */
}

static void agent_do(struct secbuf_buffer **slots, const struct agent_req *q,
		     int fd, struct agent_reply *r)
{
	struct secbuf_buffer *buf = slots[q->slot];
	volatile unsigned char *p;
	unsigned char *map;
	size_t size;
	void *w;

	if (q->op == AGENT_TAKE) {
		secbuf_buffer_free(buf);
		slots[q->slot] = fd >= 0 ? secbuf_buffer_from_fd(fd) : NULL;
		if (!slots[q->slot]) {
			r->err = fd >= 0 ? errno : ENOMSG;
			if (fd >= 0)
				close(fd);
		}
		return;
	}
	if (fd >= 0)
		close(fd);
	if (q->op == AGENT_DROP) {
		secbuf_buffer_free(buf);
		slots[q->slot] = NULL;
		return;
	}
	if (!buf) {
		r->err = EBADF;
		return;
	}
	size = (size_t)secbuf_buffer_get_size(buf);

	switch (q->op) {
	case AGENT_MAP:
	case AGENT_READ:
		/* The same mapping again if there is one. */
		map = secbuf_buffer_map(buf);
		if (!map) {
			r->err = errno;
			return;
		}
		r->addr = (uint64_t)(uintptr_t)map;
		if (q->op == AGENT_MAP)
			return;
		if (secbuf_buffer_sync_begin(buf, SECBUF_SYNC_READ) < 0) {
			r->err = errno;
			return;
		}
		r->sum = sbc_fnv1a64(map, size);
		memcpy(r->head, map, sizeof(r->head));
		secbuf_buffer_sync_end(buf, SECBUF_SYNC_READ);
		return;
	case AGENT_TOUCH:
	case AGENT_WRITE:
		/* No sync and no checks: this is the rule-breaker's path. */
		map = secbuf_buffer_map(buf);
		if (!map || q->offset >= size) {
			r->err = map ? EINVAL : errno;
			return;
		}
		p = map + q->offset;
		r->addr = (uint64_t)(uintptr_t)p;
		if (q->op == AGENT_TOUCH) {
			r->value = *p;
		} else {
			size_t i, n = strnlen(q->text, sizeof(q->text));

			for (i = 0; i < n && q->offset + i < size; i++)
				p[i] = (unsigned char)q->text[i];
		}
		return;
	case AGENT_MMAP_WRITE:
		w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 secbuf_buffer_get_fd(buf), 0);
		if (w == MAP_FAILED) {
			r->err = errno;
			return;
		}
		r->addr = (uint64_t)(uintptr_t)w;
		munmap(w, size);
		return;
	default:
		r->err = EINVAL;
	}
}

static void agent_main(int sock)
{
	struct secbuf_buffer *slots[DEMO_SLOTS] = { NULL };
	struct sigaction sa = { .sa_sigaction = agent_sigbus,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };
	struct rlimit nocore = { 0, 0 };
	struct agent_reply r;
	struct agent_req q;
	ssize_t n;
	int fd;

	agent_sock = sock;
	/* Dying of SIGBUS is part of the show; a core file is not. */
	setrlimit(RLIMIT_CORE, &nocore);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);

	for (;;) {
		n = sbc_msg_recv(sock, &q, sizeof(q), &fd);
		if (n <= 0)
			_exit(n == 0 ? 0 : 1);
		if ((size_t)n != sizeof(q) || q.slot >= DEMO_SLOTS ||
		    q.op == AGENT_EXIT) {
			if (fd >= 0)
				close(fd);
			_exit(q.op == AGENT_EXIT ? 0 : 1);
		}
		memset(&r, 0, sizeof(r));
		agent_do(slots, &q, fd, &r);
		if (sbc_msg_send(sock, &r, sizeof(r), -1) < 0)
			_exit(1);
	}
}

struct agent {
	char name;		/* 'A', 'B', ... */
	pid_t pid;
	int sock;		/* the producer's end */
	bool dead;
	int status;		/* from waitpid(), once dead */
	uint64_t map[DEMO_SLOTS];
};

/* Forks a consumer that holds nothing but its end of a socket pair. */
static int agent_start(struct agent *a, char name, struct agent *all, int n)
{
	int sv[2], i;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stdout);
	a->pid = fork();
	if (a->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (a->pid == 0) {
		/* Not even the sockets of the consumers forked before. */
		for (i = 0; i < n; i++)
			if (all[i].sock >= 0)
				close(all[i].sock);
		close(sv[0]);
		agent_main(sv[1]);
	}
	close(sv[1]);
	a->sock = sv[0];
	return 0;
}

/* Reaps @a within @ms; returns false if it is still alive then. */
static bool agent_reap(struct agent *a, int ms)
{
	int64_t deadline = sbc_now_ms() + ms;
	pid_t ret;

	if (a->dead)
		return true;
	for (;;) {
		ret = waitpid(a->pid, &a->status, WNOHANG);
		if (ret == a->pid) {
			a->dead = true;
			close(a->sock);
			a->sock = -1;
			return true;
		}
		if ((ret < 0 && errno != EINTR) || sbc_now_ms() >= deadline)
			return false;
		usleep(10 * 1000);
	}
}

static void agent_stop(struct agent *a)
{
	struct agent_req q = { .op = AGENT_EXIT };

	if (!a->pid || a->dead)
		return;
	sbc_msg_send(a->sock, &q, sizeof(q), -1);
	if (!agent_reap(a, 2000)) {
		kill(a->pid, SIGKILL);
		agent_reap(a, 2000);
	}
}

/*
 * Sends one request (with @fd attached unless -1) and waits for the answer.
 * Returns 0 with @r filled (r->sig set if the consumer caught a signal), or
 * -1 if it did not answer; then it is dead or killed, and reaped.
 */
static int agent_call(struct agent *a, enum agent_op op, uint32_t slot,
		      uint64_t offset, const char *text, int fd,
		      struct agent_reply *r)
{
	struct agent_req q = { .op = op, .slot = slot, .offset = offset };
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (a->dead) {
		errno = ESRCH;
		return -1;
	}
	if (text)
		snprintf(q.text, sizeof(q.text), "%s", text);
	if (sbc_msg_send(a->sock, &q, sizeof(q), fd) < 0)
		goto gone;
	if (sbc_wait_fd(a->sock, POLLIN, sbc_now_ms() + DEMO_REPLY_MS) < 0)
		goto gone;
	n = sbc_msg_recv(a->sock, r, sizeof(*r), NULL);
	if (n != (ssize_t)sizeof(*r))
		goto gone;
	return 0;

gone:
	if (!agent_reap(a, 100)) {
		kill(a->pid, SIGKILL);
		agent_reap(a, 2000);
	}
	errno = ESRCH;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* the script                                                             */
/* ---------------------------------------------------------------------- */

struct demo {
	struct secbuf_pool *pool;
	uint64_t size;
	struct agent agents[4];		/* A, B, C, D */
	int step;
	const char *title[DEMO_STEPS + 1];
	int failures[DEMO_STEPS + 1];
	int passed, failed;
};

static void step(struct demo *d, const char *title, const char *what)
{
	d->step++;
	d->title[d->step] = title;
	printf("\n[%d] %s\n", d->step, title);
	if (what)
		printf("    %s\n", what);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* One expectation: "ok" or "FAILED" and the statement. */
static bool expect(struct demo *d, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool expect(struct demo *d, bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("    %-6s ", cond ? "ok" : "FAILED");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (cond) {
		d->passed++;
	} else {
		d->failed++;
		d->failures[d->step]++;
	}
	return cond;
}

/* A library call failed: an expectation that did not hold. */
static void failed_call(struct demo *d, const char *what)
{
	expect(d, false, "%s: %s (%s)", what, strerror(errno),
	       sbc_errno_name(errno));
}

static const char *sig_code_str(int code)
{
	switch (code) {
	case BUS_ADRALN:
		return "BUS_ADRALN";
	case BUS_ADRERR:
		return "BUS_ADRERR";
	case BUS_OBJERR:
		return "BUS_OBJERR";
	default:
		return "si_code ?";
	}
}

static const char *consumer(const struct agent *a)
{
	static char buf[48];

	snprintf(buf, sizeof(buf), "consumer %c (pid %d)", a->name,
		 (int)a->pid);
	return buf;
}

/* The producer reads its frame: the checksum of its bytes, 0 on failure. */
static uint64_t checksum(struct demo *d, struct secbuf_buffer *buf)
{
	void *map = secbuf_buffer_map(buf);
	uint64_t sum;

	if (!map || secbuf_buffer_sync_begin(buf, SECBUF_SYNC_READ) < 0) {
		failed_call(d, "the producer reads its frame");
		return 0;
	}
	sum = sbc_fnv1a64(map, (size_t)secbuf_buffer_get_size(buf));
	secbuf_buffer_sync_end(buf, SECBUF_SYNC_READ);
	return sum;
}

/* Fills @buf with @text repeated and returns its checksum (0 on failure). */
static uint64_t produce(struct demo *d, struct secbuf_buffer *buf,
			const char *text)
{
	if (sbc_fill_buffer(buf, text) < 0) {
		failed_call(d, "fill the frame");
		return 0;
	}
	return checksum(d, buf);
}

static void show_head(const char *who, const char *verb,
		      const struct agent_reply *r, uint64_t size)
{
	printf("    %s %s ", who, verb);
	sbc_print_bytes(stdout, r->head, sizeof(r->head),
			size < sizeof(r->head) ? (size_t)size : 24);
	printf(", fnv1a64 %016" PRIx64 "\n", r->sum);
}

/* Grants @rights on @buf to @a, bound to its process, into @slot. */
static uint64_t give_grant(struct demo *d, struct secbuf_buffer *buf,
			   struct agent *a, uint32_t slot, unsigned int rights)
{
	struct secbuf_buffer *grant;
	struct agent_reply r;
	uint64_t id;
	char rs[64];
	int pidfd;

	pidfd = sbc_pidfd_open(a->pid);
	if (pidfd < 0) {
		failed_call(d, "pidfd_open");
		return 0;
	}
	grant = secbuf_buffer_grant(d->pool, buf, rights, pidfd);
	close(pidfd);
	if (!grant) {
		failed_call(d, "grant");
		return 0;
	}
	id = secbuf_buffer_get_grant_id(grant);
	/* The consumer gets its own descriptor; the producer drops its copy. */
	if (agent_call(a, AGENT_TAKE, slot, 0, NULL,
		       secbuf_buffer_get_fd(grant), &r) < 0 || r.err) {
		errno = r.err ? r.err : errno;
		failed_call(d, "hand the grant over");
		id = 0;
	} else {
		say("producer: grant %" PRIu64 " (%s), bound to pid %d, sent to %s",
		    id, sbc_rights_str(rights, rs, sizeof(rs)), (int)a->pid,
		    consumer(a));
	}
	secbuf_buffer_free(grant);
	return id;
}

/* Maps @slot in @a and reads it; expects checksum @sum. */
static bool consume(struct demo *d, struct agent *a, uint32_t slot,
		    uint64_t sum, const char *how)
{
	struct agent_reply r;
	char who[64];

	if (agent_call(a, AGENT_READ, slot, 0, NULL, -1, &r) < 0 || r.sig ||
	    r.err) {
		return expect(d, false, "%s could not read (%s)", consumer(a),
			      r.sig ? "signal" : r.err ?
			      sbc_errno_name(r.err) : "no answer");
	}
	snprintf(who, sizeof(who), "%s", consumer(a));
	if (!a->map[slot])
		a->map[slot] = r.addr;
	show_head(who, how, &r, d->size);
	return expect(d, r.sum == sum,
		      "consumer %c sees the producer's bytes (checksum %s)",
		      a->name, r.sum == sum ? "equal" : "differs");
}

/*
 * Makes @a touch (read, or with @text write) @offset of @slot's mapping;
 * expects it to die of SIGBUS at that address.
 */
static bool expect_sigbus(struct demo *d, struct agent *a, uint32_t slot,
			  uint64_t offset, const char *text)
{
	uint64_t want = a->map[slot] + offset;
	struct agent_reply r;
	bool ok;

	say("%s %s offset %" PRIu64 " of its mapping (0x%" PRIx64 ")",
	    consumer(a), text ? "writes at" : "reads", offset, want);
	if (agent_call(a, text ? AGENT_WRITE : AGENT_TOUCH, slot, offset, text,
		       -1, &r) < 0) {
		/* Died without a word from its handler; waitpid() tells. */
		memset(&r, 0, sizeof(r));
	} else if (!r.sig) {
		return expect(d, false, "consumer %c %s without a fault%s%s",
			      a->name, text ? "wrote" : "read",
			      r.err ? ": " : "",
			      r.err ? sbc_errno_name(r.err) : "");
	} else {
		say("%s: SIGBUS (%s) at 0x%" PRIx64 " caught by its handler",
		    consumer(a), sig_code_str(r.si_code), r.addr);
	}

	ok = agent_reap(a, DEMO_REPLY_MS) && WIFSIGNALED(a->status) &&
	     WTERMSIG(a->status) == SIGBUS;
	if (a->dead && WIFSIGNALED(a->status))
		say("waitpid(%d): killed by signal %d (%s)", (int)a->pid,
		    WTERMSIG(a->status), strsignal(WTERMSIG(a->status)));
	else if (a->dead)
		say("waitpid(%d): exited with status %d", (int)a->pid,
		    WEXITSTATUS(a->status));
	expect(d, ok, "consumer %c was killed by SIGBUS", a->name);
	return expect(d, r.sig == SIGBUS && r.addr == want,
		      "the fault address is the one it touched (0x%" PRIx64 ")",
		      want) && ok;
}

static void show_grants(struct demo *d, struct secbuf_buffer *buf)
{
	struct secbuf_grants *g = secbuf_buffer_list_grants(d->pool, buf);
	char rs[64];
	size_t i;

	if (!g) {
		failed_call(d, "list the grants");
		return;
	}
	say("grants of buffer %" PRIu64 ":", secbuf_buffer_get_id(buf));
	for (i = 0; i < secbuf_grants_get_count(g); i++)
		say("  grant %" PRIu64 ": %-10s %-7s pid %-5d %u mapping%s",
		    secbuf_grants_get_id(g, i),
		    sbc_rights_str(secbuf_grants_get_rights(g, i), rs,
				   sizeof(rs)),
		    sbc_state_str(secbuf_grants_get_state(g, i)),
		    (int)secbuf_grants_get_pid(g, i),
		    secbuf_grants_get_mappings(g, i),
		    secbuf_grants_get_mappings(g, i) == 1 ? "" : "s");
	secbuf_grants_free(g);
}

/* The state of the grant @id in the buffer's list, or -1. */
static int grant_state(struct demo *d, struct secbuf_buffer *buf, uint64_t id)
{
	struct secbuf_grants *g = secbuf_buffer_list_grants(d->pool, buf);
	int state = -1;
	size_t i;

	for (i = 0; g && i < secbuf_grants_get_count(g); i++)
		if (secbuf_grants_get_id(g, i) == id)
			state = (int)secbuf_grants_get_state(g, i);
	secbuf_grants_free(g);
	return state;
}

static int buffer_state(struct demo *d, struct secbuf_buffer *buf)
{
	struct secbuf_buffer_info *info = secbuf_buffer_query(d->pool, buf);
	int state = info ? (int)secbuf_buffer_info_get_state(info) : -1;

	secbuf_buffer_info_free(info);
	return state;
}

static bool fence_signaled(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static int run_demo(struct demo *d, const char *path)
{
	struct agent *A = &d->agents[0], *B = &d->agents[1];
	struct agent *C = &d->agents[2], *D = &d->agents[3];
	struct secbuf_buffer *frame = NULL, *sealed = NULL;
	uint64_t sum, sum2, sum3, ga, gb, q = 0, used_before = 0;
	struct secbuf_pool_stats *st;
	struct agent_reply r;
	int fence = -1, seals, i;
	char h[32], ss[64];

	/*
	 * The consumers first, while this process holds no pool file and no
	 * buffer: a child forked later would inherit the producer's pool
	 * file, and with it the ownership of every buffer.
	 */
	for (i = 0; i < 4; i++) {
		if (agent_start(&d->agents[i], (char)('A' + i), d->agents,
				i) < 0) {
			failed_call(d, "fork a consumer");
			return -1;
		}
	}

	step(d, "The producer allocates a frame and fills it", NULL);
	d->pool = secbuf_pool_open(path);
	if (!d->pool) {
		int err = errno;

		failed_call(d, path);
		if (sbc_open_hint(err))
			say("(%s)", sbc_open_hint(err));
		return -1;
	}
	st = secbuf_pool_get_stats(d->pool);
	if (st)
		used_before = secbuf_pool_stats_get_used_bytes(st);
	secbuf_pool_stats_free(st);
	frame = secbuf_buffer_alloc(d->pool, d->size, 0);
	if (!frame) {
		failed_call(d, "allocate the frame");
		return -1;
	}
	sum = produce(d, frame, "frame 1 from the producer | ");
	say("producer (pid %d): buffer %" PRIu64 " from %s, %s, fnv1a64 %016"
	    PRIx64, (int)getpid(), secbuf_buffer_get_id(frame),
	    secbuf_pool_get_name(d->pool),
	    sbc_human_size(secbuf_buffer_get_size(frame), h, sizeof(h)), sum);
	say("consumers A, B, C and D (pids %d %d %d %d) hold nothing of it yet",
	    (int)A->pid, (int)B->pid, (int)C->pid, (int)D->pid);
	expect(d, sum != 0, "the producer filled its frame");

	step(d, "Two consumers get a grant each, bound to their process",
	     "Each grant is a dma-buf of its own, sent over a unix socket.");
	ga = give_grant(d, frame, A, 0, SECBUF_RIGHT_READ);
	gb = give_grant(d, frame, B, 0, SECBUF_RIGHT_READ);
	expect(d, ga && gb && ga != gb, "two grants with ids of their own");
	/* A copy of A's grant is useless to B: it is bound to A. */
	if (ga) {
		struct secbuf_buffer *copy;
		int pidfd = sbc_pidfd_open(A->pid);

		copy = pidfd >= 0 ? secbuf_buffer_grant(d->pool, frame,
				SECBUF_RIGHT_READ, pidfd) : NULL;
		if (pidfd >= 0)
			close(pidfd);
		if (copy && !agent_call(B, AGENT_TAKE, 1, 0, NULL,
					secbuf_buffer_get_fd(copy), &r) &&
		    !agent_call(B, AGENT_MAP, 1, 0, NULL, -1, &r)) {
			say("consumer B is handed a grant bound to A: mmap -> %s",
			    r.err ? sbc_errno_name(r.err) : "mapped");
			expect(d, r.err == EACCES,
			       "a grant bound to A cannot be mapped by B (EACCES)");
			agent_call(B, AGENT_DROP, 1, 0, NULL, -1, &r);
			/* It has made its point: revoke it. */
			if (!secbuf_buffer_revoke_grant(d->pool, frame,
					secbuf_buffer_get_grant_id(copy), NULL))
				say("producer: revoked that copy (grant %" PRIu64
				    ")", secbuf_buffer_get_grant_id(copy));
		} else {
			failed_call(d, "hand B a grant bound to A");
		}
		secbuf_buffer_free(copy);
	}

	step(d, "Both consumers map their grant and read the frame", NULL);
	consume(d, A, 0, sum, "reads");
	consume(d, B, 0, sum, "reads");
	show_grants(d, frame);

	step(d, "The producer revokes consumer A's grant, and only that one",
	     "Its mappings are zapped; touching them raises SIGBUS.");
	if (secbuf_buffer_revoke_grant(d->pool, frame, ga, &q) < 0)
		failed_call(d, "revoke A's grant");
	else
		say("producer: SECBUF_IOC_REVOKE grant %" PRIu64
		    ": done, %" PRIu64 " bytes quarantined", ga, q);
	expect(d, grant_state(d, frame, ga) == SECBUF_REVOKED,
	       "grant %" PRIu64 " is listed as revoked", ga);
	expect_sigbus(d, A, 0, 4096, NULL);
	consume(d, B, 0, sum, "reads again, through the same mapping:");
	show_grants(d, frame);
	say("(grant %" PRIu64 " left the list with A's last descriptor)", ga);

	step(d, "A STRICT DMA window: while the device owns the frame, hands off",
	     "Every CPU mapping is zapped; whoever touches the frame dies.");
	give_grant(d, frame, C, 0, SECBUF_RIGHT_READ);
	consume(d, C, 0, sum, "reads");
	if (secbuf_buffer_dma_begin(d->pool, frame, SECBUF_DMA_WINDOW_STRICT,
				    &fence) < 0) {
		failed_call(d, "SECBUF_IOC_DMA_BEGIN");
	} else {
		say("producer: SECBUF_IOC_DMA_BEGIN strict: window open, "
		    "fence fd %d", fence);
		expect(d, buffer_state(d, frame) == SECBUF_IN_DMA,
		       "SECBUF_IOC_QUERY says the frame is in a DMA window");
		expect(d, !fence_signaled(fence),
		       "the window's fence is not signaled");
		expect_sigbus(d, C, 0, 0, NULL);
		if (secbuf_buffer_dma_end(d->pool, frame) < 0)
			failed_call(d, "SECBUF_IOC_DMA_END");
		else
			say("producer: SECBUF_IOC_DMA_END: window closed");
		expect(d, fence_signaled(fence), "the fence has signaled");
		close(fence);
		expect(d, buffer_state(d, frame) == SECBUF_LIVE,
		       "the frame is live again");
	}
	sum2 = produce(d, frame, "frame 2, written after the DMA window | ");
	say("producer writes the next frame: fnv1a64 %016" PRIx64, sum2);
	consume(d, B, 0, sum2, "reads, faulting its mapping back in:");

	step(d, "A sealed frame: SECBUF_SEAL_WRITE freezes its content",
	     "Consumer D may write to it until the producer seals it.");
	sealed = secbuf_buffer_alloc(d->pool, d->size, 0);
	if (!sealed) {
		failed_call(d, "allocate the second frame");
	} else {
		sum3 = produce(d, sealed, "frame 3, sealed | ");
		say("producer: buffer %" PRIu64 ", fnv1a64 %016" PRIx64,
		    secbuf_buffer_get_id(sealed), sum3);
		give_grant(d, sealed, D, 0,
			   SECBUF_RIGHT_READ | SECBUF_RIGHT_WRITE);
		if (agent_call(D, AGENT_MAP, 0, 0, NULL, -1, &r) < 0 || r.err)
			failed_call(d, "consumer D maps the frame");
		else
			D->map[0] = r.addr;
		say("consumer D maps it writable at 0x%" PRIx64, D->map[0]);
		seals = secbuf_buffer_seal(d->pool, sealed,
					   SECBUF_BUFFER_SEAL_WRITE);
		if (seals < 0)
			failed_call(d, "SECBUF_IOC_SEAL");
		else
			say("producer: SECBUF_IOC_SEAL write: the seals are now %s",
			    sbc_seals_str((unsigned int)seals, ss, sizeof(ss)));
		seals = secbuf_buffer_get_seals(d->pool, sealed);
		expect(d, seals >= 0 && (seals & SECBUF_BUFFER_SEAL_WRITE),
		       "SECBUF_IOC_GET_SEALS reports the write seal");
		if (!agent_call(D, AGENT_MMAP_WRITE, 0, 0, NULL, -1, &r))
			say("consumer D tries a new writable mmap: %s",
			    r.err ? sbc_errno_name(r.err) : "mapped");
		expect(d, !r.sig && r.err == EPERM,
		       "a new writable mapping is refused (EPERM)");
		consume(d, D, 0, sum3, "reads the sealed frame");
		expect_sigbus(d, D, 0, 0, "scribble");
		expect(d, checksum(d, sealed) == sum3,
		       "the producer reads its sealed frame back unchanged");
	}

	step(d, "The producer closes its pool file: it revokes all it owns",
	     "Consumer B has done nothing wrong, but the owner is gone.");
	secbuf_buffer_free(sealed);
	secbuf_buffer_free(frame);
	sealed = frame = NULL;
	secbuf_pool_close(d->pool);
	d->pool = NULL;
	say("producer: closed %s", path);
	expect_sigbus(d, B, 0, 0, NULL);
	d->pool = secbuf_pool_open(path);
	if (!d->pool) {
		failed_call(d, "open the pool again");
		return 0;
	}
	expect(d, !secbuf_pool_wait_quarantine(d->pool, 5000),
	       "no memory stays quarantined (no device held it)");
	st = secbuf_pool_get_stats(d->pool);
	if (st) {
		uint64_t used = secbuf_pool_stats_get_used_bytes(st);

		expect(d, used == used_before,
		       "the pool is back to %" PRIu64 " bytes in use, as before",
		       used_before);
		secbuf_pool_stats_free(st);
	} else {
		failed_call(d, "pool info");
	}
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pool_arg = "gpu";
	struct demo d = { .size = 1 << 20 };
	char *path;
	int opt, i;

	/* The pipeline has options of its own: they follow its name. */
	if (argc > 1 && !strcmp(argv[1], "pipeline"))
		return cmd_demo_pipeline(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, ":p:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pool_arg = optarg;
			break;
		case 's':
			if (sbc_parse_size(optarg, &d.size) < 0 ||
			    d.size < 8192 || d.size > (1ULL << 30))
				return sbc_usage_error("demo",
					"bad size '%s': 8K to 1G", optarg);
			break;
		case 'h':
			cmd_demo_usage(stdout);
			return EXIT_OK;
		default:
			return sbc_bad_option("demo", opt, argv);
		}
	}
	if (optind >= argc)
		return sbc_usage_error("demo", "which demo? (security, "
				       "pipeline)");
	if (!strcmp(argv[optind], "pipeline"))
		return sbc_usage_error("demo", "the options of 'demo pipeline' "
				       "go after its name");
	if (strcmp(argv[optind], "security"))
		return sbc_usage_error("demo", "unknown demo '%s'",
				       argv[optind]);
	if (optind + 1 < argc)
		return sbc_usage_error("demo", "unexpected argument '%s'",
				       argv[optind + 1]);
	/* Whole pages, so the offsets the consumers touch exist. */
	d.size = (d.size + 4095) & ~4095ULL;

	path = sbc_pool_path(pool_arg);
	if (!path) {
		sbc_error(errno, NULL, "%s", pool_arg);
		return EXIT_ERROR;
	}

	printf("secbuf security demo on %s\n", path);
	run_demo(&d, path);

	for (i = 0; i < 4; i++)
		agent_stop(&d.agents[i]);
	secbuf_pool_close(d.pool);
	free(path);

	printf("\nSummary:\n");
	for (i = 1; i <= d.step; i++)
		printf("  [%s] %d. %s\n", d.failures[i] ? "FAILED" : "ok", i,
		       d.title[i]);
	printf("secbuf security demo: %d passed, %d failed\n", d.passed,
	       d.failed);
	return d.failed ? EXIT_ERROR : EXIT_OK;
}
