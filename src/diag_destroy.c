/* Destroy one socket with SOCK_DESTROY, as ss -K does, and say why it
 * failed in words a user can act on. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "tcptop/diag.h"
#include "diag_int.h"

/* The kernel answers at once (tcp_diag_destroy runs in the sendmsg
 * call); the bound only keeps the UI loop from hanging on a lost
 * answer. */
#define DIAG_DESTROY_TIMEOUT_MS 1000

size_t
diag_destroy_build(void *buf, size_t len, unsigned seq,
    const struct conn_sample *s)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof *r);

	if (len < need || (s->family != AF_INET && s->family != AF_INET6))
		return 0;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	/* An acknowledgement either way: success is only known by it. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = s->family;
	r->sdiag_protocol = IPPROTO_TCP;
	/* The kernel finds the socket by id alone (inet_diag_find_one_icsk):
	 * the states and extensions are not read. */
	r->id.idiag_sport = htons(s->lport);
	r->id.idiag_dport = htons(s->rport);
	memcpy(r->id.idiag_src, s->local, sizeof r->id.idiag_src);
	memcpy(r->id.idiag_dst, s->remote, sizeof r->id.idiag_dst);
	r->id.idiag_if = s->ifindex;
	/* With the cookie, a new socket that took the 4-tuple since the
	 * snapshot is left alone (ENOENT). */
	if (s->cookie != 0) {
		r->id.idiag_cookie[0] = (uint32_t)s->cookie;
		r->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	} else {
		r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	return nlh->nlmsg_len;
}

int
diag_destroy_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	while (left > 0) {
		const struct nlmsgerr *ne;

		if (!diag_nlmsg_ok(nlh, left)) {
			errno = EPROTO;
			return -1;
		}
		if (!mnl_nlmsg_seq_ok(nlh, seq) ||
		    !mnl_nlmsg_portid_ok(nlh, portid)) {
			/* Left from an earlier request or dump. */
			nlh = diag_nlmsg_next(nlh, &left);
			continue;
		}
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			ne = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ne)) {
				errno = EPROTO;
				return -1;
			}
			if (ne->error == 0)
				return 0;
			errno = diag_errno(ne->error);
			return -1;
		default:
			errno = EPROTO;
			return -1;
		}
		nlh = diag_nlmsg_next(nlh, &left);
	}
	errno = EAGAIN;
	return -1;
}

static int64_t
diag_destroy_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Receive until the answer to request seq; whatever else is queued (the
 * rest of an abandoned dump) is read and dropped. */
static int
diag_destroy_recv(struct diag *d, unsigned seq)
{
	int fd = mnl_socket_get_fd(d->nl);
	int64_t deadline = diag_destroy_now_ms() + DIAG_DESTROY_TIMEOUT_MS;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_nl sa;
		struct iovec iov;
		struct msghdr mh;
		int64_t left = deadline - diag_destroy_now_ms();
		ssize_t n;
		int rc;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0) {
			if (rc == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		iov.iov_base = d->buf;
		iov.iov_len = d->bufsize;
		memset(&mh, 0, sizeof mh);
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof sa;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		/* Not from the kernel, or a dump's chunk cut short: an
		 * acknowledgement is small and never truncated. */
		if (sa.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
			continue;
		rc = diag_destroy_parse(d->buf, (size_t)n, seq, d->portid);
		if (rc == -1 && errno == EAGAIN)
			continue;
		return rc;
	}
}

int
diag_destroy(struct diag *d, const struct conn_sample *s)
{
	union {
		struct nlmsghdr h;
		char buf[MNL_NLMSG_HDRLEN +
		    MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	} req;
	size_t len;
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		if ((len = diag_destroy_build(req.buf, sizeof req.buf, ++d->seq,
		    s)) == 0) {
			errno = EINVAL;
			return -1;
		}
		if (mnl_socket_sendto(d->nl, req.buf, len) < 0)
			return -1;
		rc = diag_destroy_recv(d, d->seq);
		/* The socket overflowed with what an abandoned dump left
		 * and the answer may be lost: once more on a fresh one.
		 * Destroying twice is harmless: the second says ENOENT,
		 * which then means it went. */
		if (rc == -1 && errno == ENOBUFS && attempt == 0) {
			if (diag_reopen(d) == -1)
				return -1;
			continue;
		}
		if (rc == -1 && errno == ENOENT && attempt > 0)
			return 0;
		return rc;
	}
}

const char *
diag_destroy_reason(int err, int state)
{
	switch (err) {
	case 0:
		return "ok";
	case EPERM:
	case EACCES:
		return "needs CAP_NET_ADMIN: run as root";
	case EOPNOTSUPP:
		/* Both a kernel without the option and an older tcp_abort
		 * facing a timewait socket say this. */
		if (state == TCP_TIME_WAIT)
			return "this kernel cannot destroy a TIME_WAIT socket "
			    "(it expires by itself within 60 s)";
		return "the kernel was built without CONFIG_INET_DIAG_DESTROY";
	case ENOENT:
		/* The kernel looks a listener up by address, and of an
		 * SO_REUSEPORT group finds only the one the hash picks. */
		if (state == TCP_LISTEN)
			return "not found: gone, or hidden behind another "
			    "SO_REUSEPORT listener";
		return "already gone";
	case ETIMEDOUT:
		return "the kernel did not answer";
	case EINVAL:
		return "not a TCP socket of IPv4 or IPv6";
	case EPROTONOSUPPORT:
		return "the kernel has no sock_diag for TCP (inet_diag)";
	}
	return strerror(err);
}
