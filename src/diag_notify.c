/* sock_diag destroy notifications: a second netlink socket joined to the
 * TCP destroy groups, read without blocking; diag_msg.c parses what
 * arrives, as it parses a dump. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/diag.h"
#include "tcptop/xmalloc.h"
#include "diag_int.h"

/* One notification is an inet_diag_msg with tcp_info, some 400 bytes:
 * read DIAG_NOTIFY_MSGS of them a system call, each into its own slot
 * of the buffer (one cut short is dropped, as one too large was). */
#define DIAG_NOTIFY_BUF 65536
#define DIAG_NOTIFY_MSGS 16
#define DIAG_NOTIFY_SLOT (DIAG_NOTIFY_BUF / DIAG_NOTIFY_MSGS)
/* Room for a burst of closes between two reads: a notification takes
 * some 1 KB of buffer (the skb's truesize), so 16 MB hold about a second
 * of 10,000 closes a second, plus a slow refresh. */
#define DIAG_NOTIFY_RCVBUF (16 << 20)

struct diag_notify {
	struct mnl_socket *nl;
	char *buf;
	unsigned long lost;
};

struct diag_notify *
diag_notify_open(void)
{
	int groups[] = { SKNLGRP_INET_TCP_DESTROY,
	    SKNLGRP_INET6_TCP_DESTROY };
	struct diag_notify *n = xcalloc(1, sizeof *n);
	int fd, flags, rcvbuf = DIAG_NOTIFY_RCVBUF, e;
	size_t i;

	n->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (n->nl == NULL)
		goto fail;
	if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	for (i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (mnl_socket_setsockopt(n->nl, NETLINK_ADD_MEMBERSHIP,
		    &groups[i], sizeof groups[i]) == -1)
			goto fail;
	fd = mnl_socket_get_fd(n->nl);
	/* Best effort: a smaller buffer only loses more in a burst.  Root
	 * may pass net.core.rmem_max (some 200 KB by default, a few hundred
	 * closes: a second of churn), everyone else is capped by it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof rcvbuf) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof rcvbuf);
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		goto fail;
	n->buf = xmalloc(DIAG_NOTIFY_BUF);
	return n;
fail:
	e = errno;
	if (n->nl != NULL)
		mnl_socket_close(n->nl);
	free(n);
	errno = e;
	return NULL;
}

void
diag_notify_close(struct diag_notify *n)
{
	if (n == NULL)
		return;
	mnl_socket_close(n->nl);
	free(n->buf);
	free(n);
}

int
diag_notify_fd(const struct diag_notify *n)
{
	return mnl_socket_get_fd(n->nl);
}

unsigned long
diag_notify_lost(const struct diag_notify *n)
{
	return n->lost;
}

struct diag_notify_sink {
	void (*cb)(void *arg, const struct conn_sample *s);
	void *arg;
	long count;
};

static void
diag_notify_begin(void *arg)
{
	(void)arg;
}

static void
diag_notify_sample(void *arg, const struct conn_sample *s)
{
	struct diag_notify_sink *ns = arg;

	ns->count++;
	ns->cb(ns->arg, s);
}

long
diag_notify_read(struct diag_notify *n,
    void (*cb)(void *arg, const struct conn_sample *s), void *arg)
{
	struct diag_notify_sink ns = { cb, arg, 0 };
	struct diag_sink sink = { diag_notify_begin, diag_notify_sample, &ns };
	struct sockaddr_nl sa[DIAG_NOTIFY_MSGS];
	struct iovec iov[DIAG_NOTIFY_MSGS];
	struct mmsghdr mm[DIAG_NOTIFY_MSGS];

	for (;;) {
		struct diag_stats st;
		char err[160];
		int got, i, intr = 0;

		memset(mm, 0, sizeof mm);
		for (i = 0; i < DIAG_NOTIFY_MSGS; i++) {
			iov[i].iov_base = n->buf + (size_t)i * DIAG_NOTIFY_SLOT;
			iov[i].iov_len = DIAG_NOTIFY_SLOT;
			mm[i].msg_hdr.msg_name = &sa[i];
			mm[i].msg_hdr.msg_namelen = sizeof sa[i];
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(mnl_socket_get_fd(n->nl), mm, DIAG_NOTIFY_MSGS,
		    0, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ns.count;
			if (errno == ENOBUFS) {
				/* Dropped by the kernel; the socket goes on. */
				n->lost++;
				continue;
			}
			return -1;
		}
		for (i = 0; i < got; i++) {
			if (sa[i].nl_pid != 0 ||
			    (mm[i].msg_hdr.msg_flags & MSG_TRUNC))
				continue;	/* not the kernel's, or cut
						 * short */
			memset(&st, 0, sizeof st);
			/* Multicast carries seq 0 and portid 0: check
			 * neither.  A malformed datagram loses only
			 * itself. */
			(void)diag_parse(iov[i].iov_base, mm[i].msg_len, 0, 0,
			    NULL, &sink, &st, &intr, err, sizeof err);
		}
		if (got < DIAG_NOTIFY_MSGS)
			return ns.count;	/* the queue is empty */
	}
}
