// SPDX-License-Identifier: MIT
/*
 * secbuf_share: a secbuf buffer shared between processes as a file
 * descriptor: inherited over fork, passed over a unix socket to a process
 * that never had it, taken with pidfd_getfd().
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "igt.h"
#include "igt_secbuf.h"
#include "igt_secbuf_vgem.h"

IGT_TEST_DESCRIPTION("Sharing secbuf dma-bufs between processes and with "
		     "an importing driver (vgem): fork, SCM_RIGHTS, "
		     "pidfd_getfd, PRIME; everyone sees the same bytes and the "
		     "buffer lives as long as any holder.");

#define BUF_SIZE	SECBUF_SZ_1M
#define NCHILD		4

/* What travels with the fd, so the receiver can check it got the right one. */
struct share_msg {
	uint64_t size;
	uint64_t ino;
	uint64_t seed;
	int32_t fd;		/* the sender's fd number, for pidfd_getfd */
	int32_t result;		/* replies: 0 or -errno */
};

static void send_msg(int sock, const struct share_msg *msg, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}

	igt_assert_eq(sendmsg(sock, &mh, 0), sizeof(*msg));
}

/* Returns the fd that came with the message, or -1. */
static int recv_msg(int sock, struct share_msg *msg)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int fd = -1;

	igt_assert_eq(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), sizeof(*msg));
	igt_assert(!(mh.msg_flags & MSG_CTRUNC));

	cmsg = CMSG_FIRSTHDR(&mh);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET &&
	    cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));

	return fd;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

/*
 * In a freshly forked child: keep only stdio and @keep, so nothing of the
 * parent's (pool file, other buffers) can stand in for what it receives.
 */
static void close_all_but(int keep)
{
	for (int i = 3; i < 1024; i++)
		if (i != keep)
			close(i);
}

/* The receiving side: check the fd is the sender's buffer, then write. */
static void check_received(int dmabuf, const struct share_msg *msg)
{
	char value[64];
	void *ptr;

	igt_assert_fd(dmabuf);
	igt_assert(secbuf_dmabuf_fdinfo_get(dmabuf, "exp_name", value, sizeof(value)));
	igt_assert(!strcmp(value, "secbuf"));
	igt_assert_eq_u64(inode_of(dmabuf), msg->ino);
	igt_assert_eq_u64(secbuf_dmabuf_size(dmabuf), msg->size);

	ptr = secbuf_mmap(dmabuf, msg->size, PROT_READ | PROT_WRITE);
	secbuf_assert_filled(ptr, msg->size / 2, msg->seed);
	secbuf_fill((char *)ptr + msg->size / 2, msg->size / 2, msg->seed + 1);
	secbuf_munmap(ptr, msg->size);
}

igt_main
{
	const char *pool = NULL;
	int fd = -1;

	igt_fixture {
		pool = secbuf_pool_name();
		fd = secbuf_open_pool(pool);
	}

	igt_describe("Children inherit the fd over fork: each maps it, sees "
		     "the parent's data, writes its own part, and the parent "
		     "sees every child's part.");
	igt_subtest("fork-inherit-fd") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		const size_t part = BUF_SIZE / (NCHILD + 1);
		void *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);

		secbuf_fill(ptr, part, 100);
		secbuf_munmap(ptr, BUF_SIZE);

		igt_fork(child, NCHILD) {
			char *cptr = secbuf_mmap(dmabuf, BUF_SIZE,
						 PROT_READ | PROT_WRITE);

			secbuf_assert_filled(cptr, part, 100);
			secbuf_fill(cptr + (child + 1) * part, part, 101 + child);
		}
		igt_waitchildren();

		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, part, 100);
		for (int c = 0; c < NCHILD; c++)
			secbuf_assert_filled((char *)ptr + (c + 1) * part, part,
					     101 + c);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A mapping inherited over fork is shared, not copied: "
		     "what the children write through it the parent sees.");
	igt_subtest("fork-inherit-mapping") {
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		const size_t part = BUF_SIZE / NCHILD;
		char *ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);

		close(dmabuf);
		igt_fork(child, NCHILD)
			secbuf_fill(ptr + child * part, part, 200 + child);
		igt_waitchildren();

		for (int c = 0; c < NCHILD; c++)
			secbuf_assert_filled(ptr + c * part, part, 200 + c);
		secbuf_munmap(ptr, BUF_SIZE);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("The fd passed with SCM_RIGHTS to a process that never "
		     "had it (forked before the buffer existed, every other fd "
		     "closed) is the same buffer: same inode and size, it sees "
		     "the sender's bytes and the sender sees its writes.");
	igt_subtest("scm-rights") {
		struct share_msg msg = { .size = BUF_SIZE, .seed = 300 }, reply;
		int sv[2], dmabuf;
		void *ptr;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, sv), 0);

		igt_fork(child, 1) {
			struct share_msg in, ack = { 0 };
			int received;

			close_all_but(sv[1]);
			received = recv_msg(sv[1], &in);
			check_received(received, &in);
			close(received);
			send_msg(sv[1], &ack, -1);
		}
		close(sv[1]);

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, BUF_SIZE / 2, msg.seed);
		msg.ino = inode_of(dmabuf);
		send_msg(sv[0], &msg, dmabuf);

		igt_assert_eq(recv_msg(sv[0], &reply), -1);
		igt_waitchildren();
		secbuf_assert_filled((char *)ptr + BUF_SIZE / 2, BUF_SIZE / 2,
				     msg.seed + 1);

		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("After sending the fd the sender drops its fd and mapping "
		     "(its pool file, the owner, stays open): the buffer lives "
		     "on in the receiver with its data, and is freed when the "
		     "receiver closes it.");
	igt_subtest("scm-rights-sender-gone") {
		struct share_msg msg = { .size = BUF_SIZE, .seed = 400 }, reply;
		int sv[2], owner, dmabuf;
		void *ptr;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, sv), 0);

		igt_fork(child, 1) {
			struct share_msg in, go;
			int received;

			close_all_but(sv[1]);
			received = recv_msg(sv[1], &in);
			/* Wait until the sender has dropped everything. */
			igt_assert_eq(recv_msg(sv[1], &go), -1);
			check_received(received, &in);
			send_msg(sv[1], &go, -1);
			/* Keep it until the parent has checked the usage. */
			igt_assert_eq(recv_msg(sv[1], &go), -1);
			close(received);
			send_msg(sv[1], &go, -1);
		}
		close(sv[1]);

		owner = secbuf_open_pool(pool);
		dmabuf = secbuf_alloc(owner, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, BUF_SIZE / 2, msg.seed);
		msg.ino = inode_of(dmabuf);
		send_msg(sv[0], &msg, dmabuf);

		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		send_msg(sv[0], &msg, -1);

		igt_assert_eq(recv_msg(sv[0], &reply), -1);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);
		send_msg(sv[0], &msg, -1);
		igt_assert_eq(recv_msg(sv[0], &reply), -1);

		igt_waitchildren();
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
		close(owner);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer allocated by a child and sent to the parent "
		     "outlives the child: the parent sees the child's data "
		     "after the child has exited.");
	igt_subtest("outlives-allocating-process") {
		struct share_msg msg;
		int sv[2], dmabuf;
		void *ptr;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, sv), 0);
		igt_fork(child, 1) {
			struct share_msg out = { .size = BUF_SIZE, .seed = 500 };
			int buf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
			void *cptr = secbuf_mmap(buf, BUF_SIZE,
						 PROT_READ | PROT_WRITE);

			secbuf_fill(cptr, BUF_SIZE, out.seed);
			out.ino = inode_of(buf);
			send_msg(sv[1], &out, buf);
		}
		close(sv[1]);
		dmabuf = recv_msg(sv[0], &msg);
		igt_waitchildren();

		igt_assert_fd(dmabuf);
		igt_assert_eq_u64(inode_of(dmabuf), msg.ino);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, msg.seed);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		close(sv[0]);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A process that never had the fd takes it from the owner "
		     "with pidfd_getfd(): same buffer, same bytes both ways.");
	igt_subtest("pidfd-getfd") {
		struct share_msg msg = { .size = BUF_SIZE, .seed = 600 }, reply;
		int sv[2], dmabuf;
		void *ptr;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					 0, sv), 0);

		igt_fork(child, 1) {
			struct share_msg in, out = { 0 };
			int pidfd, taken;

			close_all_but(sv[1]);
			igt_assert_eq(recv_msg(sv[1], &in), -1);

			pidfd = syscall(SYS_pidfd_open, getppid(), 0);
			taken = pidfd < 0 ? -1 :
				syscall(SYS_pidfd_getfd, pidfd, in.fd, 0);
			if (taken < 0) {
				/* Let the parent decide whether to skip. */
				out.result = -errno;
				send_msg(sv[1], &out, -1);
				exit(0);
			}
			check_received(taken, &in);
			close(taken);
			send_msg(sv[1], &out, -1);
		}
		close(sv[1]);

		dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, BUF_SIZE / 2, msg.seed);
		msg.ino = inode_of(dmabuf);
		msg.fd = dmabuf;
		send_msg(sv[0], &msg, -1);

		igt_assert_eq(recv_msg(sv[0], &reply), -1);
		igt_waitchildren();
		close(sv[0]);
		if (reply.result) {
			secbuf_munmap(ptr, BUF_SIZE);
			close(dmabuf);
		}
		igt_require_f(reply.result != -ENOSYS && reply.result != -EPERM,
			      "pidfd_getfd unavailable: %s\n",
			      strerror(-reply.result));
		igt_assert_eq(reply.result, 0);

		secbuf_assert_filled((char *)ptr + BUF_SIZE / 2, BUF_SIZE / 2,
				     msg.seed + 1);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A driver can import the buffer (vgem, DRM PRIME: attach "
		     "and map it for DMA); the import keeps the buffer alive "
		     "after our fd is closed, exporting it again gives back the "
		     "same buffer with our bytes, and closing the handle frees "
		     "it.");
	igt_subtest("vgem-import") {
		int vgem = secbuf_open_vgem();
		int dmabuf = secbuf_alloc(fd, BUF_SIZE, 0, O_RDWR | O_CLOEXEC);
		uint64_t ino = inode_of(dmabuf);
		uint32_t handle;
		void *ptr;

		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ | PROT_WRITE);
		secbuf_fill(ptr, BUF_SIZE, 700);
		secbuf_munmap(ptr, BUF_SIZE);
		handle = prime_fd_to_handle(vgem, dmabuf);

		close(dmabuf);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "used_bytes"), BUF_SIZE);

		dmabuf = prime_handle_to_fd(vgem, handle);
		igt_assert_eq_u64(inode_of(dmabuf), ino);
		ptr = secbuf_mmap(dmabuf, BUF_SIZE, PROT_READ);
		secbuf_assert_filled(ptr, BUF_SIZE, 700);
		secbuf_munmap(ptr, BUF_SIZE);
		close(dmabuf);

		gem_close(vgem, handle);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_describe("A buffer from /dev/dma_heap/<pool> imports into vgem the "
		     "same way and is freed when the import goes.");
	igt_subtest("vgem-import-heap-buffer") {
		int vgem = secbuf_open_vgem();
		int heap = secbuf_open_heap(pool);
		int dmabuf = secbuf_heap_alloc(heap, BUF_SIZE, O_RDWR | O_CLOEXEC, 0);
		uint32_t handle = prime_fd_to_handle(vgem, dmabuf);

		close(dmabuf);
		close(heap);
		igt_assert_eq_u64(secbuf_pool_sysfs(pool, "buffers"), 1);
		gem_close(vgem, handle);
		close(vgem);
		secbuf_pool_assert_idle(pool);
	}

	igt_fixture
		close(fd);
}
