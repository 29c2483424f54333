/* SOCK_DESTROY: the request as the kernel must read it, the answers it
 * can give, and the reasons a user reads for its errors. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "check.h"
#include "tcptop/diag.h"

static void
sample4(struct conn_sample *s)
{
	memset(s, 0, sizeof *s);
	s->family = AF_INET;
	s->state = TCP_ESTABLISHED;
	inet_pton(AF_INET, "10.77.0.1", s->local);
	inet_pton(AF_INET, "10.77.0.2", s->remote);
	s->lport = 40000;
	s->rport = 9004;
	s->ifindex = 7;
	s->cookie = 0x1122334455667788ULL;
}

/* The request: type, flags, seq, and an id the kernel matches exactly. */
static void
test_build(void)
{
	union {
		struct nlmsghdr h;
		unsigned char b[256];
	} u;
	const struct inet_diag_req_v2 *r;
	struct conn_sample s;
	size_t n;

	sample4(&s);
	memset(u.b, 0xee, sizeof u.b);
	n = diag_destroy_build(u.b, sizeof u.b, 42, &s);
	CHECK_EQ(n, NLMSG_LENGTH(sizeof *r));
	CHECK_EQ(u.h.nlmsg_len, n);
	CHECK_EQ(u.h.nlmsg_type, SOCK_DESTROY);
	CHECK_EQ(u.h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_EQ(u.h.nlmsg_seq, 42);
	r = NLMSG_DATA(&u.h);
	CHECK_EQ(r->sdiag_family, AF_INET);
	CHECK_EQ(r->sdiag_protocol, IPPROTO_TCP);
	CHECK_EQ(r->idiag_ext, 0);
	CHECK_EQ(r->pad, 0);
	CHECK_EQ(ntohs(r->id.idiag_sport), 40000);
	CHECK_EQ(ntohs(r->id.idiag_dport), 9004);
	CHECK(memcmp(r->id.idiag_src, s.local, 16) == 0);
	CHECK(memcmp(r->id.idiag_dst, s.remote, 16) == 0);
	CHECK_EQ(r->id.idiag_if, 7);
	CHECK_EQ(r->id.idiag_cookie[0], 0x55667788u);
	CHECK_EQ(r->id.idiag_cookie[1], 0x11223344u);

	/* Without a cookie: the kernel's "any". */
	s.cookie = 0;
	s.family = AF_INET6;
	inet_pton(AF_INET6, "fd00:77::1", s.local);
	n = diag_destroy_build(u.b, sizeof u.b, 43, &s);
	CHECK(n > 0);
	r = NLMSG_DATA(&u.h);
	CHECK_EQ(r->sdiag_family, AF_INET6);
	CHECK(memcmp(r->id.idiag_src, s.local, 16) == 0);
	CHECK_EQ(r->id.idiag_cookie[0], INET_DIAG_NOCOOKIE);
	CHECK_EQ(r->id.idiag_cookie[1], INET_DIAG_NOCOOKIE);

	/* Too small, or not inet. */
	CHECK_EQ(diag_destroy_build(u.b, n - 1, 1, &s), 0);
	s.family = AF_UNIX;
	CHECK_EQ(diag_destroy_build(u.b, sizeof u.b, 1, &s), 0);
}

/* Append an NLMSG_ERROR with code to buf at *len. */
static void
put_error(unsigned char *buf, size_t *len, unsigned seq, unsigned portid,
    int code)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + *len);
	struct nlmsgerr *e;

	memset(h, 0, NLMSG_LENGTH(sizeof *e));
	h->nlmsg_len = NLMSG_LENGTH(sizeof *e);
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = portid;
	e = NLMSG_DATA(h);
	e->error = code;
	*len += NLMSG_ALIGN(h->nlmsg_len);
}

static void
test_parse(void)
{
	unsigned char buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	size_t len;

	len = 0;
	put_error(buf, &len, 5, 99, 0);
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), 0);

	len = 0;
	put_error(buf, &len, 5, 99, -EPERM);
	errno = 0;
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), -1);
	CHECK_EQ(errno, EPERM);

	len = 0;
	put_error(buf, &len, 5, 99, -EOPNOTSUPP);
	CHECK_EQ(diag_destroy_parse(buf, len, 0, 0), -1);
	CHECK_EQ(errno, EOPNOTSUPP);

	/* An earlier request's answer first: skipped, ours read. */
	len = 0;
	put_error(buf, &len, 4, 99, -ENOENT);
	put_error(buf, &len, 5, 99, 0);
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), 0);

	/* Only others': not ours yet. */
	len = 0;
	put_error(buf, &len, 4, 99, 0);
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), -1);
	CHECK_EQ(errno, EAGAIN);

	/* A positive code is nonsense from the kernel. */
	len = 0;
	put_error(buf, &len, 5, 99, 17);
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), -1);
	CHECK_EQ(errno, EPROTO);

	/* Short error message, a length past the datagram, a dump message
	 * where an acknowledgement belongs. */
	len = 0;
	put_error(buf, &len, 5, 99, 0);
	h = (struct nlmsghdr *)buf;
	h->nlmsg_len = NLMSG_HDRLEN + 2;
	CHECK_EQ(diag_destroy_parse(buf, NLMSG_ALIGN(h->nlmsg_len), 5, 99),
	    -1);
	CHECK_EQ(errno, EPROTO);
	h->nlmsg_len = 4000;
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), -1);
	CHECK_EQ(errno, EPROTO);
	len = 0;
	put_error(buf, &len, 5, 99, 0);
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	CHECK_EQ(diag_destroy_parse(buf, len, 5, 99), -1);
	CHECK_EQ(errno, EPROTO);
	CHECK_EQ(diag_destroy_parse(buf, 0, 5, 99), -1);
	CHECK_EQ(errno, EAGAIN);
}

static void
test_reasons(void)
{
	CHECK(strcmp(diag_destroy_reason(EPERM, TCP_ESTABLISHED),
	    "needs CAP_NET_ADMIN: run as root") == 0);
	CHECK(strcmp(diag_destroy_reason(EOPNOTSUPP, TCP_ESTABLISHED),
	    "the kernel was built without CONFIG_INET_DIAG_DESTROY") == 0);
	CHECK(strstr(diag_destroy_reason(EOPNOTSUPP, TCP_TIME_WAIT),
	    "TIME_WAIT") != NULL);
	CHECK(strcmp(diag_destroy_reason(ENOENT, TCP_CLOSE_WAIT),
	    "already gone") == 0);
	/* The kernel finds one listener of an SO_REUSEPORT group. */
	CHECK(strstr(diag_destroy_reason(ENOENT, TCP_LISTEN),
	    "SO_REUSEPORT") != NULL);
	CHECK(strcmp(diag_destroy_reason(0, TCP_LISTEN), "ok") == 0);
	CHECK(strcmp(diag_destroy_reason(ETIMEDOUT, TCP_LISTEN),
	    "the kernel did not answer") == 0);
	/* Anything else: strerror, one line. */
	CHECK(strcmp(diag_destroy_reason(ENOMEM, TCP_LISTEN),
	    strerror(ENOMEM)) == 0);
	CHECK(strchr(diag_destroy_reason(EIO, 1), '\n') == NULL);
}

/* Live and unprivileged-safe: destroying nothing in particular.  A
 * socket that cannot exist (port 0 to port 0) is ENOENT for root and
 * EPERM or ENOENT for others: never success. */
static void
test_live_absent(void)
{
	struct conn_sample s;
	struct diag *d;

	if ((d = diag_open()) == NULL) {
		printf("no sock_diag here: live part skipped\n");
		return;
	}
	sample4(&s);
	s.lport = s.rport = 0;
	s.ifindex = 0;
	errno = 0;
	CHECK_EQ(diag_destroy(d, &s), -1);
	CHECK(errno == ENOENT || errno == EPERM || errno == EOPNOTSUPP);
	s.family = AF_UNIX;
	CHECK_EQ(diag_destroy(d, &s), -1);
	CHECK_EQ(errno, EINVAL);
	diag_close(d);
}

int
main(void)
{
	test_build();
	test_parse();
	test_reasons();
	test_live_absent();
	return check_done();
}
