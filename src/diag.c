/* sock_diag over libmnl: the socket, dump requests, receiving a dump
 * with its restarts, and recording it.  diag_msg.c parses what arrives,
 * diag_bc.c compiles filters, diag_lookup.c asks for one socket. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"
#include "diag_int.h"

struct diag *
diag_open(void)
{
	struct diag *d = xcalloc(1, sizeof *d);

	d->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (d->nl == NULL)
		goto fail;
	if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	d->portid = mnl_socket_get_portid(d->nl);
	d->seq = (unsigned)time(NULL);
	d->bufsize = DIAG_BUF_INITIAL;
	d->buf = xmalloc(d->bufsize);
	return d;
fail:
	{
		int e = errno;

		if (d->nl != NULL)
			mnl_socket_close(d->nl);
		free(d);
		errno = e;
	}
	return NULL;
}

int
diag_set_bufsize(struct diag *d, size_t n)
{
	if (n < 64 || n > DIAG_BUF_MAX) {
		errno = EINVAL;
		return -1;
	}
	free(d->buf);
	d->buf = xmalloc(n);
	d->bufsize = n;
	return 0;
}

void
diag_close(struct diag *d)
{
	if (d == NULL)
		return;
	mnl_socket_close(d->nl);
	free(d->buf);
	free(d);
}

const struct diag_stats *
diag_last_stats(const struct diag *d)
{
	return &d->stats;
}

const char *
diag_last_error(const struct diag *d)
{
	return d->err;
}

int
diag_record(struct diag *d, FILE *fp)
{
	d->record = fp;
	if (fp != NULL && diag_file_write_header(fp) == -1)
		return -1;
	return 0;
}

/* Send the dump request for one family. */
static int
diag_request(struct diag *d, int family, const struct diag_query *q)
{
	char req[512 + DIAG_BC_MAX];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	uint8_t bc[DIAG_BC_MAX];
	const struct filter *f = q->filter;
	/* The expression's state terms can narrow the mask: those of a
	 * top-level "and" are as exact there as --state. */
	uint32_t states = f != NULL ? f->states & fexpr_states(&f->expr) :
	    TCPSTATE_ALL;
	int bclen = 0;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->seq;
	if (family == AF_UNSPEC) {
		/* The old request: the same walk for every family. */
		struct inet_diag_req *o;

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		o = mnl_nlmsg_put_extra_header(nlh, sizeof *o);
		o->idiag_family = AF_INET;
		o->idiag_states = tcpstate_kernel_mask(states);
		if (q->want_info)
			o->idiag_ext = 1U << (INET_DIAG_INFO - 1) |
			    1U << (INET_DIAG_CONG - 1);
	} else {
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
		r->sdiag_family = (uint8_t)family;
		r->sdiag_protocol = IPPROTO_TCP;
		r->idiag_states = tcpstate_kernel_mask(states);
		if (q->want_info)
			r->idiag_ext = 1U << (INET_DIAG_INFO - 1) |
			    1U << (INET_DIAG_CONG - 1);
	}
	if (f != NULL) {
		bclen = diag_compile_filter(f, bc, sizeof bc);
		if (bclen < 0) {
			errno = E2BIG;
			return -1;
		}
		if (bclen > 0)
			mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
			    (size_t)bclen, bc);
	}
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return 0;
}

/* Start over on a fresh socket: after ENOBUFS the old one may still hold
 * the rest of a dump we no longer want. */
int
diag_reopen(struct diag *d)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);

	if (nl == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		mnl_socket_close(nl);
		return -1;
	}
	mnl_socket_close(d->nl);
	d->nl = nl;
	d->portid = mnl_socket_get_portid(nl);
	return 0;
}

void
diag_sockid_fill(struct inet_diag_sockid *id, const struct conn_sample *s)
{
	id->idiag_sport = htons(s->lport);
	id->idiag_dport = htons(s->rport);
	memcpy(id->idiag_src, s->local, sizeof id->idiag_src);
	memcpy(id->idiag_dst, s->remote, sizeof id->idiag_dst);
	id->idiag_if = s->ifindex;
	/* With the cookie, a new socket that took the 4-tuple since the
	 * snapshot is not the one asked for (ENOENT). */
	if (s->cookie != 0) {
		id->idiag_cookie[0] = (uint32_t)s->cookie;
		id->idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	} else {
		id->idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		id->idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
}

static int64_t
diag_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the socket to be readable until deadline: 0, or -1 with
 * errno (ETIMEDOUT). */
static int
diag_wait(int fd, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - diag_now_ms();
		int rc;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == 0)
			errno = ETIMEDOUT;
		return rc > 0 ? 0 : -1;
	}
}

/* Grow the buffer to hold the next datagram: it may be smaller than an
 * answer (diag_set_bufsize), and a truncated answer is lost.  -1 with
 * errno when there is nothing to read yet. */
static int
diag_fit_next(struct diag *d, int fd)
{
	ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	size_t want = d->bufsize;

	if (n == -1)
		return -1;
	if ((size_t)n <= d->bufsize || (size_t)n > DIAG_BUF_MAX)
		return 0;
	while (want < (size_t)n)
		want *= 2;
	free(d->buf);
	d->bufsize = want;
	d->buf = xmalloc(want);
	return 0;
}

/* Receive one datagram into d->buf: its length, or -1 with errno.  *ok
 * is cleared for one not from the kernel or cut short, which is too
 * large to be an answer. */
static ssize_t
diag_recv_one(struct diag *d, int fd, int *ok)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = d->buf, .iov_len = d->bufsize };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof mh);
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof sa;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	*ok = n >= 0 && sa.nl_pid == 0 && !(mh.msg_flags & MSG_TRUNC);
	return n;
}

int
diag_ask(struct diag *d, const struct nlmsghdr *req, int timeout_ms,
    diag_answer_fn fn, void *arg)
{
	return diag_ask_many(d, req, req->nlmsg_len, req->nlmsg_seq,
	    timeout_ms, fn, arg);
}

int
diag_ask_many(struct diag *d, const void *req, size_t len, unsigned seq,
    int timeout_ms, diag_answer_fn fn, void *arg)
{
	int fd = mnl_socket_get_fd(d->nl);
	int64_t deadline = diag_now_ms() + timeout_ms;

	if (mnl_socket_sendto(d->nl, req, len) < 0)
		return -1;
	for (;;) {
		ssize_t n;
		int ok, rc;

		/* Waited for only when nothing is there, and peeked at
		 * only with a buffer an answer may not fit: the answers to
		 * a batch of exact requests are hundreds of datagrams, and
		 * a poll and a peek before each were two thirds of their
		 * system calls. */
		if ((d->bufsize < DIAG_ANSWER_MAX &&
		    diag_fit_next(d, fd) == -1) ||
		    (n = diag_recv_one(d, fd, &ok)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (diag_wait(fd, deadline) == -1)
					return -1;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!ok)
			continue;
		rc = fn(d->buf, (size_t)n, seq, d->portid, arg);
		if (rc == -1 && errno == EAGAIN)
			continue;
		return rc;
	}
}

/* Writing the recording failed: keep dumping, stop recording, and let the
 * caller know through the stats (it says so once and exits non-zero). */
static void
diag_record_failed(struct diag *d)
{
	d->stats.record_errno = errno != 0 ? errno : EIO;
	d->record = NULL;
}

static void
diag_record_frame(struct diag *d, uint32_t type, const void *p, size_t len)
{
	if (d->record != NULL && diag_file_write_frame(d->record, type, p,
	    len) == -1)
		diag_record_failed(d);
}

/* Each refresh reaches the file whole, so a recording cut short by a
 * crash or a full disk ends on a refresh boundary where it can. */
static void
diag_record_flush(struct diag *d)
{
	errno = 0;
	if (d->record != NULL && (fflush(d->record) != 0 ||
	    ferror(d->record)))
		diag_record_failed(d);
}

/* Take the dump's start time, and record it: the same clock values serve
 * the live model and a later replay, so both compute the same ages. */
static void
diag_begin_clock(struct diag *d)
{
	struct timespec rt, mt;
	int64_t t[2];

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	t[0] = d->stats.realtime_ns = (int64_t)rt.tv_sec * 1000000000 +
	    rt.tv_nsec;
	t[1] = d->stats.mono_ns = (int64_t)mt.tv_sec * 1000000000 +
	    mt.tv_nsec;
	diag_record_frame(d, DIAG_FILE_BEGIN, t, sizeof t);
}

/* Receive and parse one family's dump until NLMSG_DONE.  Sets *again when
 * the dump must be restarted (truncated datagram, ENOBUFS). */
static int
diag_recv_dump(struct diag *d, const struct diag_query *q,
    const struct diag_sink *sink, int *intr, int *again)
{
	unsigned seq = d->seq;

	for (;;) {
		struct iovec iov = { d->buf, d->bufsize };
		struct sockaddr_nl sa;
		struct msghdr mh = {
			.msg_name = &sa, .msg_namelen = sizeof sa,
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n;
		int rc;

		n = recvmsg(mnl_socket_get_fd(d->nl), &mh, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* The kernel dropped part of the dump. */
				if (diag_reopen(d) == -1)
					return -1;
				*again = 1;
				return 0;
			}
			snprintf(d->err, sizeof d->err, "netlink receive: %s",
			    strerror(errno));
			return -1;
		}
		if (sa.nl_pid != 0)
			continue;	/* not from the kernel */
		if ((size_t)n > d->bufsize || (mh.msg_flags & MSG_TRUNC)) {
			/* Measured: grow to the real size and restart. */
			size_t want = d->bufsize;

			while (want < (size_t)n && want < DIAG_BUF_MAX)
				want *= 2;
			if (want == d->bufsize) {
				snprintf(d->err, sizeof d->err, "netlink "
				    "datagram of %zd bytes too large", n);
				errno = EMSGSIZE;
				return -1;
			}
			free(d->buf);
			d->bufsize = want;
			d->buf = xmalloc(want);
			if (diag_reopen(d) == -1)
				return -1;
			*again = 1;
			return 0;
		}
		d->stats.datagrams++;
		diag_record_frame(d, DIAG_FILE_DATA, d->buf, (size_t)n);
		rc = diag_parse(d->buf, (size_t)n, seq, d->portid, q->filter,
		    sink, &d->stats, intr, d->err, sizeof d->err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
}

/* The kernel takes a mark condition only from a caller with
 * CAP_NET_ADMIN (inet_diag_bc_audit): say so, not just "EPERM". */
static void
diag_explain_eperm(struct diag *d, const struct diag_query *q)
{
	int e = errno;

	if (e == EPERM && q->filter != NULL &&
	    fexpr_has_mark(&q->filter->expr))
		snprintf(d->err, sizeof d->err, "fwmark needs root "
		    "(CAP_NET_ADMIN): the kernel refuses mark conditions to "
		    "others");
	errno = e;
}

int
diag_dump(struct diag *d, const struct diag_query *q,
    const struct diag_sink *sink)
{
	static const struct {
		int family;
		unsigned bit;
	} fams[] = { { AF_INET, FILTER_INET4 }, { AF_INET6, FILTER_INET6 } },
	    both[] = { { AF_UNSPEC, FILTER_INET4 | FILTER_INET6 } };
	unsigned families = q->filter != NULL ? q->filter->families :
	    FILTER_INET4 | FILTER_INET6;
	int one = q->one_walk && d->record == NULL;
	size_t nfams = one ? 1 : 2;
	uint32_t endflags;
	int attempt, interrupted = 0;

	memset(&d->stats, 0, sizeof d->stats);
	d->err[0] = '\0';
	for (attempt = 0;; attempt++) {
		int intr = 0, again = 0;
		size_t i;

		/* What counts is the pass that completes. */
		d->stats.messages = d->stats.skipped = 0;
		diag_begin_clock(d);
		sink->begin(sink->arg);
		for (i = 0; i < nfams && !again; i++) {
			int fam = one ? both[i].family : fams[i].family;

			if (!(families & (one ? both[i].bit : fams[i].bit)))
				continue;
			if (diag_request(d, fam, q) == -1) {
				snprintf(d->err, sizeof d->err, "sock_diag "
				    "request: %s", strerror(errno));
				return -1;
			}
			if (diag_recv_dump(d, q, sink, &intr, &again) == -1) {
				diag_explain_eperm(d, q);
				return -1;
			}
		}
		if (again) {
			/* Data was lost (ENOBUFS, a truncated datagram). */
			if (attempt + 1 >= DIAG_MAX_RESTARTS) {
				snprintf(d->err, sizeof d->err, "sock_diag "
				    "dump kept losing data");
				errno = ENOBUFS;
				return -1;
			}
		} else if (intr) {
			/* The tables changed under the dump: try once more,
			 * then keep what came and say it is inconsistent. */
			if (interrupted++ > 0) {
				d->stats.inconsistent = 1;
				break;
			}
		} else
			break;
		d->stats.restarts++;
	}
	endflags = d->stats.inconsistent ? 1 : 0;
	diag_record_frame(d, DIAG_FILE_END, &endflags, sizeof endflags);
	diag_record_flush(d);
	d->stats.bufsize = d->bufsize;
	return 0;
}
