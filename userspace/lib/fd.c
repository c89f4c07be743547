// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: passing dma-buf file descriptors over unix sockets.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"

/* Room for more than one descriptor, so extra ones can be seen and closed. */
#define SECBUF_RECV_MAX_FDS	8

SECBUF_API int secbuf_fd_send(int sock, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t ret;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}

	memset(&ctl, 0, sizeof(ctl));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	do {
		ret = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (ret < 0 && errno == EINTR);

	return ret < 0 ? -1 : 0;
}

SECBUF_API int secbuf_fd_recv(int sock)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(SECBUF_RECV_MAX_FDS * sizeof(int))];
	} ctl;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	int fds[SECBUF_RECV_MAX_FDS];
	struct cmsghdr *cmsg;
	size_t nfds = 0, i, n;
	ssize_t ret;

	do {
		ret = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > SECBUF_RECV_MAX_FDS - nfds)
			n = SECBUF_RECV_MAX_FDS - nfds;
		memcpy(&fds[nfds], CMSG_DATA(cmsg), n * sizeof(int));
		nfds += n;
	}

	if (nfds == 1 && !(msg.msg_flags & MSG_CTRUNC))
		return fds[0];

	for (i = 0; i < nfds; i++)
		close(fds[i]);

	if (nfds > 1 || (msg.msg_flags & MSG_CTRUNC))
		errno = EBADMSG;
	else if (ret == 0)
		errno = ECONNRESET;
	else
		errno = ENOMSG;
	return -1;
}
