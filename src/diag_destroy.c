/* Destroy one socket with SOCK_DESTROY, as ss -K does, and say why it
 * failed in words a user can act on. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

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
	diag_sockid_fill(&r->id, s);
	return nlh->nlmsg_len;
}

int
diag_destroy_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid)
{
	const struct nlmsghdr *nlh = diag_answer_find(buf, len, seq, portid);
	const struct nlmsgerr *ne;

	if (nlh == NULL)
		return -1;
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ne)) {
		errno = EPROTO;
		return -1;
	}
	ne = mnl_nlmsg_get_payload(nlh);
	if (ne->error == 0)
		return 0;
	errno = diag_errno(ne->error);
	return -1;
}

static int
diag_destroy_answer(const void *buf, size_t len, unsigned seq,
    unsigned portid, void *arg)
{
	(void)arg;
	return diag_destroy_parse(buf, len, seq, portid);
}

int
diag_destroy(struct diag *d, const struct conn_sample *s)
{
	union {
		struct nlmsghdr h;
		char buf[MNL_NLMSG_HDRLEN +
		    MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	} req;
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		if (diag_destroy_build(req.buf, sizeof req.buf, ++d->seq,
		    s) == 0) {
			errno = EINVAL;
			return -1;
		}
		rc = diag_ask(d, &req.h, DIAG_DESTROY_TIMEOUT_MS,
		    diag_destroy_answer, NULL);
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
