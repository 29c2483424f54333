/* The sock_diag parser against crafted datagrams (short tcp_info, unknown
 * and malformed attributes, errors, DUMP_INTR, truncation) and against
 * recordings, whole and mutated. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/field.h"
#include "tcptop/cgroup.h"
#include "tcptop/conn.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/view.h"

/* The string a formatter wrote, against the one wanted. */
static void
check_str(const char *got, const char *want, int line)
{
	if (got == NULL || strcmp(got, want) != 0)
		fprintf(stderr, "line %d: '%s', want '%s'\n", line,
		    got == NULL ? "(null)" : got, want);
	CHECK(got != NULL && strcmp(got, want) == 0);
}
#define CHECK_STR(got, want) check_str((got), (want), __LINE__)

#define NL_ALIGN(x) (((x) + 3u) & ~3u)

struct got {
	int begins;
	int n;
	struct conn_sample last;
};

static void
got_begin(void *arg)
{
	struct got *g = arg;

	g->begins++;
	g->n = 0;
}

static void
got_sample(void *arg, const struct conn_sample *s)
{
	struct got *g = arg;

	g->n++;
	g->last = *s;
}

/* Append an inet_diag message with the given attributes to buf. */
struct dgram {
	unsigned char buf[8192];
	size_t len;
	struct nlmsghdr *cur;
};

static struct inet_diag_msg *
msg_start(struct dgram *d, int type, int family, int state, unsigned cookie)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + d->len);
	struct inet_diag_msg *m;

	memset(h, 0, NLMSG_LENGTH(sizeof *m));
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_len = NLMSG_LENGTH(sizeof *m);
	m = NLMSG_DATA(h);
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(9000);
	m->id.idiag_dport = htons(40000);
	m->id.idiag_src[0] = htonl(0x0a000001);
	m->id.idiag_dst[0] = htonl(0x0a000002);
	m->id.idiag_cookie[0] = cookie;
	m->id.idiag_cookie[1] = 0;
	m->idiag_rqueue = 5;
	m->idiag_wqueue = 6;
	m->idiag_uid = 1000;
	m->idiag_inode = 4242;
	m->id.idiag_if = 3;
	d->cur = h;
	return m;
}

static void
msg_attr(struct dgram *d, int type, const void *p, size_t len)
{
	struct nlattr *a = (struct nlattr *)((unsigned char *)d->cur +
	    NL_ALIGN(d->cur->nlmsg_len));

	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((unsigned char *)a + NLA_HDRLEN, p, len);
	memset((unsigned char *)a + NLA_HDRLEN + len, 0,
	    NL_ALIGN(len) - len);
	d->cur->nlmsg_len = NL_ALIGN(d->cur->nlmsg_len) + NLA_HDRLEN +
	    NL_ALIGN(len);
}

static void
msg_end(struct dgram *d)
{
	d->len += NL_ALIGN(d->cur->nlmsg_len);
}

static void
put_done(struct dgram *d, int err)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + d->len);

	memset(h, 0, NLMSG_LENGTH(sizeof err));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_len = NLMSG_LENGTH(sizeof err);
	memcpy(NLMSG_DATA(h), &err, sizeof err);
	d->len += h->nlmsg_len;
}

static int
parse(struct dgram *d, struct got *g, struct diag_stats *st, int *intr,
    char *err)
{
	struct diag_sink sink = { got_begin, got_sample, g };

	memset(st, 0, sizeof *st);
	*intr = 0;
	g->n = 0;
	return diag_parse_datagram(d->buf, d->len, NULL, &sink, st, intr, err,
	    160);
}

/* INET_DIAG_SKV6ONLY (a u8 the kernel sends for IPv6 LISTEN and CLOSE
 * sockets) and the bound device, parsed and then printed as ss -n does. */
static void
test_v6only_scope(void)
{
	struct inet_diag_msg *m;
	struct dgram d;
	struct got g;
	struct diag_stats st;
	struct conn_sample s;
	char err[160], ep[CONN_ENDPOINT_LEN], sc[CONN_SCOPE_LEN];
	uint8_t one = 1, zero = 0;
	int intr;

	memset(&d, 0, sizeof d);
	memset(&g, 0, sizeof g);
	m = msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET6, 10, 1);
	memset(m->id.idiag_src, 0, 16);
	memset(m->id.idiag_dst, 0, 16);
	m->id.idiag_dport = 0;
	m->id.idiag_if = 0;
	msg_attr(&d, INET_DIAG_SKV6ONLY, &one, 1);
	msg_end(&d);
	CHECK_EQ(parse(&d, &g, &st, &intr, err), 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.last.flags & (CONN_HAS_V6ONLY | CONN_V6ONLY),
	    CONN_HAS_V6ONLY | CONN_V6ONLY);
	CHECK_STR(conn_fmt_endpoint(&g.last, 0, ep, sizeof ep), "[::]:9000");
	CHECK_STR(conn_fmt_endpoint(&g.last, 1, ep, sizeof ep), "[::]:*");

	/* Dual-stack: ss writes "*" for both ends. */
	((struct nlattr *)((unsigned char *)d.cur +
	    NLMSG_LENGTH(sizeof *m)))->nla_type = INET_DIAG_SKV6ONLY;
	memcpy((unsigned char *)d.cur + NLMSG_LENGTH(sizeof *m) + NLA_HDRLEN,
	    &zero, 1);
	CHECK_EQ(parse(&d, &g, &st, &intr, err), 0);
	CHECK_EQ(g.last.flags & (CONN_HAS_V6ONLY | CONN_V6ONLY),
	    CONN_HAS_V6ONLY);
	CHECK_STR(conn_fmt_endpoint(&g.last, 0, ep, sizeof ep), "*:9000");
	CHECK_STR(conn_fmt_endpoint(&g.last, 1, ep, sizeof ep), "*:*");

	/* Absent (older recordings, other states): unknown, and printed as
	 * ss prints it, not v6only.  A wrong size: the message is
	 * malformed. */
	memset(&d, 0, sizeof d);
	m = msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET6, 10, 2);
	memset(m->id.idiag_src, 0, 16);
	m->id.idiag_if = 0;
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET6, 10, 3);
	msg_attr(&d, INET_DIAG_SKV6ONLY, "ab", 2);
	msg_end(&d);
	CHECK_EQ(parse(&d, &g, &st, &intr, err), 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(st.skipped, 1);
	CHECK_EQ(g.last.cookie, 2);
	CHECK_EQ(g.last.flags & (CONN_HAS_V6ONLY | CONN_V6ONLY), 0);
	CHECK_STR(conn_fmt_endpoint(&g.last, 0, ep, sizeof ep), "*:9000");

	/* The scope: the local end only, lo is index 1 in every
	 * namespace; an index no device has, or one from another
	 * namespace, is written as ss writes it. */
	memset(&s, 0, sizeof s);
	s.family = AF_INET6;
	s.local[0] = 0xfe;
	s.local[1] = 0x80;
	s.local[15] = 0x10;
	s.remote[0] = 0xfe;
	s.remote[1] = 0x80;
	s.remote[15] = 0x20;
	s.lport = 7001;
	s.rport = 40000;
	CHECK(conn_fmt_scope(&s, sc, sizeof sc) == NULL);
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep), "[fe80::10]:7001");
	s.ifindex = 1;
	CHECK_STR(conn_fmt_scope(&s, sc, sizeof sc), "lo");
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep),
	    "[fe80::10]%lo:7001");
	CHECK_STR(conn_fmt_endpoint(&s, 1, ep, sizeof ep),
	    "[fe80::20]:40000");
	s.netns = 2;
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep),
	    "[fe80::10]%if1:7001");
	s.netns = 0;
	s.ifindex = 0x7ffffff0;
	CHECK_STR(conn_fmt_scope(&s, sc, sizeof sc), "if2147483632");
	/* IPv4 bound to a device, and the longest endpoint there is. */
	s.family = AF_INET;
	memcpy(s.local, "\x0a\x00\x00\x01", 4);
	s.ifindex = 1;
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep),
	    "10.0.0.1%lo:7001");
	s.family = AF_INET6;
	memset(s.local, 0xff, 16);
	s.ifindex = 0xfffffffe;
	s.netns = 1;
	s.lport = 65535;
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep),
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]%if4294967294:65535");
	/* IPv4 is written by hand: every byte value's digits, no port as
	 * "*", and a short buffer cut as snprintf cuts. */
	memset(&s, 0, sizeof s);
	s.family = AF_INET;
	memcpy(s.local, "\xff\x00\x09\x64", 4);
	s.lport = 9;
	CHECK_STR(conn_fmt_addr(&s, 0, sc, sizeof sc), "255.0.9.100");
	CHECK_STR(conn_fmt_addr(&s, 1, sc, sizeof sc), "0.0.0.0");
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, sizeof ep), "255.0.9.100:9");
	CHECK_STR(conn_fmt_endpoint(&s, 1, ep, sizeof ep), "0.0.0.0:*");
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, 8), "255.0.9");
	CHECK_STR(conn_fmt_endpoint(&s, 0, ep, 1), "");
	/* Too short for any address: inet_ntop refuses, as before. */
	CHECK_STR(conn_fmt_addr(&s, 0, ep, 4), "?");
}

static void
test_crafted(void)
{
	struct dgram d;
	struct got g;
	struct diag_stats st;
	struct tcp_info ti;
	char err[160];
	int intr, rc;
	uint8_t shut = 3;

	/* A full message: tcp_info, congestion control, shutdown, and an
	 * attribute type from a future kernel. */
	memset(&d, 0, sizeof d);
	memset(&g, 0, sizeof g);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	memset(&ti, 0, sizeof ti);
	ti.tcpi_rtt = 1234;
	ti.tcpi_total_retrans = 9;
	ti.tcpi_bytes_acked = 1ULL << 40;
	ti.tcpi_snd_wnd = 65535;
	msg_attr(&d, INET_DIAG_INFO, &ti, sizeof ti);
	msg_attr(&d, INET_DIAG_CONG, "cubic", 6);
	msg_attr(&d, INET_DIAG_SHUTDOWN, &shut, 1);
	msg_attr(&d, 250, "future", 6);
	msg_end(&d);
	put_done(&d, 0);
	rc = parse(&d, &g, &st, &intr, err);
	CHECK_EQ(rc, 1);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(st.messages, 1);
	CHECK_EQ(st.skipped, 0);
	CHECK_EQ(g.last.cookie, 77);
	CHECK_EQ(g.last.lport, 9000);
	CHECK_EQ(g.last.rport, 40000);
	CHECK_EQ(g.last.local[0], 10);
	CHECK_EQ(g.last.remote[3], 2);
	CHECK_EQ(g.last.rqueue, 5);
	CHECK_EQ(g.last.uid, 1000);
	CHECK_EQ(g.last.inode, 4242);
	CHECK_EQ(g.last.ifindex, 3);
	CHECK(g.last.flags & CONN_HAS_INFO);
	CHECK_EQ(g.last.info.rtt_us, 1234);
	CHECK_EQ(g.last.info.total_retrans, 9);
	CHECK_EQ(g.last.info.bytes_acked, 1ULL << 40);
	CHECK_EQ(g.last.info.snd_wnd, 65535);
	CHECK(strcmp(conn_cc_name(g.last.cc), "cubic") == 0);
	CHECK_EQ(g.last.shutdown, 3);

	/* The cgroup id (a u64, 8-byte payload): interned, and a wrong
	 * size makes the message malformed. */
	{
		uint64_t cg = 0x100000abcULL;

		memset(&d, 0, sizeof d);
		msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 90);
		msg_attr(&d, INET_DIAG_CGROUP_ID, &cg, sizeof cg);
		msg_end(&d);
		msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 91);
		msg_attr(&d, INET_DIAG_CGROUP_ID, &cg, 4);
		msg_end(&d);
		msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 92);
		msg_end(&d);
		rc = parse(&d, &g, &st, &intr, err);
		CHECK_EQ(g.n, 2);
		CHECK_EQ(st.skipped, 1);
		CHECK_EQ(g.last.cookie, 92);
		CHECK_EQ(g.last.cgroup, 0);	/* none sent */
		memset(&d, 0, sizeof d);
		msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 90);
		msg_attr(&d, INET_DIAG_CGROUP_ID, &cg, sizeof cg);
		msg_end(&d);
		rc = parse(&d, &g, &st, &intr, err);
		CHECK(g.last.cgroup != 0);
		CHECK_EQ(cgroup_id(g.last.cgroup), cg);
		CHECK_EQ(cgroup_intern(cg), g.last.cgroup);
	}

	/* An older kernel's shorter tcp_info: the rest reads as zero. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET6, 1, 78);
	ti.tcpi_rtt = 555;
	msg_attr(&d, INET_DIAG_INFO, &ti, 104);
	msg_end(&d);
	rc = parse(&d, &g, &st, &intr, err);
	CHECK_EQ(rc, 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.last.family, AF_INET6);
	CHECK_EQ(g.last.info.rtt_us, 555);
	CHECK_EQ(g.last.info.bytes_acked, 0);	/* beyond 104 bytes */
	CHECK_EQ(g.last.info.snd_wnd, 0);
	/* A congestion name without its NUL, longer than the slot. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 79);
	msg_attr(&d, INET_DIAG_CONG, "averyveryverylongccname", 23);
	msg_end(&d);
	rc = parse(&d, &g, &st, &intr, err);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(strlen(conn_cc_name(g.last.cc)), 15);

	/* Malformed messages are skipped and counted, the rest parsed. */
	memset(&d, 0, sizeof d);
	memset(&g, 0, sizeof g);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 1);
	d.cur->nlmsg_len = NLMSG_LENGTH(10);	/* shorter than the msg */
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_UNIX, 1, 2);
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 12, 3);	/* state */
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 0, 4);
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 5);
	msg_attr(&d, INET_DIAG_SHUTDOWN, &shut, 1);
	/* attribute claims more than the message holds */
	((struct nlattr *)((unsigned char *)d.cur +
	    NLMSG_LENGTH(sizeof(struct inet_diag_msg))))->nla_len = 200;
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 6);
	msg_attr(&d, INET_DIAG_SHUTDOWN, "ab", 2);	/* wrong size */
	msg_end(&d);
	msg_start(&d, 99, AF_INET, 1, 7);		/* unknown type */
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 10, 8);	/* good */
	msg_end(&d);
	rc = parse(&d, &g, &st, &intr, err);
	CHECK_EQ(rc, 0);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.last.cookie, 8);
	CHECK_EQ(st.skipped, 7);

	/* NLM_F_DUMP_INTR is reported. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 1);
	d.cur->nlmsg_flags |= NLM_F_DUMP_INTR;
	msg_end(&d);
	rc = parse(&d, &g, &st, &intr, err);
	CHECK_EQ(rc, 0);
	CHECK_EQ(intr, 1);

	/* The kernel's errors: in NLMSG_ERROR and in NLMSG_DONE. */
	memset(&d, 0, sizeof d);
	{
		struct nlmsghdr *h = (struct nlmsghdr *)d.buf;
		struct nlmsgerr e;

		memset(&e, 0, sizeof e);
		e.error = -EPERM;
		h->nlmsg_type = NLMSG_ERROR;
		h->nlmsg_len = NLMSG_LENGTH(sizeof e);
		memcpy(NLMSG_DATA(h), &e, sizeof e);
		d.len = h->nlmsg_len;
	}
	errno = 0;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, EPERM);
	CHECK(err[0] != '\0');
	memset(&d, 0, sizeof d);
	put_done(&d, -ENOMEM);
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, ENOMEM);
	/* Codes no kernel sends (INT_MIN cannot even be negated). */
	memset(&d, 0, sizeof d);
	put_done(&d, INT32_MIN);
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, EPROTO);
	memset(&d, 0, sizeof d);
	{
		struct nlmsghdr *h = (struct nlmsghdr *)d.buf;
		struct nlmsgerr e;

		memset(&e, 0, sizeof e);
		e.error = INT32_MIN;
		h->nlmsg_type = NLMSG_ERROR;
		h->nlmsg_len = NLMSG_LENGTH(sizeof e);
		memcpy(NLMSG_DATA(h), &e, sizeof e);
		d.len = h->nlmsg_len;
	}
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, EPROTO);

	/* Broken framing: a length beyond the datagram, a stub header. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 1);
	msg_end(&d);
	((struct nlmsghdr *)d.buf)->nlmsg_len = 5000;
	errno = 0;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, EPROTO);
	/* 2^31 and more: libmnl 1.0.4 takes it as a negative int. */
	((struct nlmsghdr *)d.buf)->nlmsg_len = 0x80000010u;
	errno = 0;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	CHECK_EQ(errno, EPROTO);
	((struct nlmsghdr *)d.buf)->nlmsg_len = 0xffffffffu;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	d.len = 7;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
	((struct nlmsghdr *)d.buf)->nlmsg_len = 3;
	d.len = 64;
	CHECK_EQ(parse(&d, &g, &st, &intr, err), -1);
}

/* The index of the field called name in f (n of them), or -1. */
static int
field_at(const struct diag_field *f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return i;
	return -1;
}

static uint64_t
lookup_value(const struct diag_field *f, int n, const char *name)
{
	int i = field_at(f, n, name);

	return i < 0 ? 0xdeadULL : f[i].value;
}

/* Fields out of a tcp_info of len bytes, nothing else in the reply. */
static int
lookup_info_len(const struct conn_sample *s, const void *info, size_t len,
    struct diag_field *f)
{
	struct dgram d;

	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	msg_attr(&d, INET_DIAG_INFO, info, len);
	msg_end(&d);
	return diag_lookup_parse(d.buf, d.len, 0, 0, s, f, DIAG_LOOKUP_MAX);
}

/* The state check before a destroy: the reply's state for the socket
 * named, ENOENT for another cookie, the kernel's error as errno. */
static void
test_state_parse(void)
{
	struct conn_sample s;
	struct nlmsgerr *ne;
	struct nlmsghdr *h;
	struct dgram d;

	memset(&s, 0, sizeof s);
	s.family = AF_INET;
	s.lport = 9000;
	s.rport = 40000;
	s.local[0] = 10;
	s.local[3] = 1;
	s.remote[0] = 10;
	s.remote[3] = 2;
	s.cookie = 77;
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 8, 77);	/* CLOSE_WAIT */
	msg_end(&d);
	CHECK_EQ(diag_state_parse(d.buf, d.len, 0, 0, &s), 8);
	s.cookie = 78;
	errno = 0;
	CHECK_EQ(diag_state_parse(d.buf, d.len, 0, 0, &s), -1);
	CHECK_EQ(errno, ENOENT);
	/* The kernel's "no such socket". */
	memset(&d, 0, sizeof d);
	h = (struct nlmsghdr *)d.buf;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_len = NLMSG_LENGTH(sizeof *ne);
	ne = NLMSG_DATA(h);
	ne->error = -ENOENT;
	d.len = h->nlmsg_len;
	errno = 0;
	CHECK_EQ(diag_state_parse(d.buf, d.len, 0, 0, &s), -1);
	CHECK_EQ(errno, ENOENT);
}

/* The reply to a single-socket lookup: every field inside the lengths
 * the kernel sent and none beyond, identity checks, errors. */
static void
test_lookup_parse(void)
{
	static const uint32_t skmem[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct diag_field f[DIAG_LOOKUP_MAX];
	struct conn_sample s;
	struct tcp_bbr_info bbr;
	struct tcp_info ti;
	struct dgram d;
	unsigned char info[288];
	uint64_t cg = 0x123456789ULL;
	uint32_t u32;
	uint8_t shut = 1, tos = 0x10;
	int n, i, j, unique = 1;

	/* The socket the crafted messages describe (see msg_start). */
	memset(&s, 0, sizeof s);
	s.family = AF_INET;
	s.lport = 9000;
	s.rport = 40000;
	s.local[0] = 10;
	s.local[3] = 1;
	s.remote[0] = 10;
	s.remote[3] = 2;
	s.cookie = 77;

	/* A 280-byte tcp_info as 6.18 sends it, and the rest. */
	memset(&ti, 0, sizeof ti);
	ti.tcpi_state = 1;
	ti.tcpi_snd_wscale = 7;
	ti.tcpi_rcv_wscale = 9;
	ti.tcpi_delivery_rate_app_limited = 1;
	ti.tcpi_fastopen_client_fail = 2;
	ti.tcpi_rto = 204000;
	ti.tcpi_rtt = 1234;
	ti.tcpi_total_retrans = 9;
	ti.tcpi_pacing_rate = 5000000;
	ti.tcpi_bytes_acked = 1ULL << 40;
	ti.tcpi_snd_wnd = 65535;
	memset(info, 0, sizeof info);
	memcpy(info, &ti, sizeof ti);
	u32 = 43690;				/* tcpi_rcv_wnd */
	memcpy(info + offsetof(struct tcp_info, tcpi_snd_wnd) + 4, &u32, 4);
	u32 = 4242;				/* tcpi_received_ce_bytes */
	memcpy(info + offsetof(struct tcp_info, tcpi_snd_wnd) + 44, &u32, 4);
	memset(&bbr, 0, sizeof bbr);
	bbr.bbr_bw_lo = 7;
	bbr.bbr_bw_hi = 5;
	bbr.bbr_min_rtt = 33;
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	/* Out of the table's order, which the fields follow. */
	msg_attr(&d, INET_DIAG_SHUTDOWN, &shut, 1);
	msg_attr(&d, INET_DIAG_INFO, info, 280);
	msg_attr(&d, INET_DIAG_CONG, "bbr", 4);
	msg_attr(&d, INET_DIAG_BBRINFO, &bbr, sizeof bbr);
	msg_attr(&d, INET_DIAG_SKMEMINFO, skmem, sizeof skmem);
	msg_attr(&d, INET_DIAG_TOS, &tos, 1);
	msg_attr(&d, INET_DIAG_CGROUP_ID, &cg, sizeof cg);
	msg_attr(&d, 250, "future", 6);
	msg_end(&d);
	n = diag_lookup_parse(d.buf, d.len, 0, 0, &s, f, DIAG_LOOKUP_MAX);
	/* 68 of tcp_info, cc, 4 of BBR, 9 of skmem, shutdown, tos, cgroup. */
	CHECK_EQ(n, 68 + 1 + 4 + 9 + 3);
	if (n < 0)
		n = 0;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(f[i].name, f[j].name) == 0)
				unique = 0;
	CHECK(unique);
	CHECK(n > 0 && strcmp(f[0].name, "state") == 0);
	CHECK_EQ(lookup_value(f, n, "state"), 1);
	CHECK_EQ(lookup_value(f, n, "snd_wscale"), 7);
	CHECK_EQ(lookup_value(f, n, "rcv_wscale"), 9);
	CHECK_EQ(lookup_value(f, n, "delivery_rate_app_limited"), 1);
	CHECK_EQ(lookup_value(f, n, "fastopen_client_fail"), 2);
	CHECK_EQ(lookup_value(f, n, "rto"), 204000);
	CHECK_EQ(lookup_value(f, n, "rtt"), 1234);
	CHECK(field_at(f, n, "rtt") >= 0 &&
	    f[field_at(f, n, "rtt")].unit == UNIT_US);
	CHECK_EQ(lookup_value(f, n, "total_retrans"), 9);
	CHECK_EQ(lookup_value(f, n, "pacing_rate"), 5000000);
	CHECK_EQ(lookup_value(f, n, "bytes_acked"), 1ULL << 40);
	CHECK_EQ(lookup_value(f, n, "snd_wnd"), 65535);
	CHECK_EQ(lookup_value(f, n, "rcv_wnd"), 43690);
	CHECK_EQ(lookup_value(f, n, "received_ce_bytes"), 4242);
	CHECK_EQ(field_at(f, n, "received_ce_bytes"), 67);
	CHECK(field_at(f, n, "rtt") < field_at(f, n, "bytes_acked"));
	CHECK(field_at(f, n, "snd_wnd") + 1 == field_at(f, n, "rcv_wnd"));
	CHECK_EQ(field_at(f, n, "cc"), 68);
	CHECK(n > 68 && f[68].text != NULL && strcmp(f[68].text, "bbr") == 0);
	CHECK_EQ(lookup_value(f, n, "bbr_bw"), 5ULL << 32 | 7);
	CHECK_EQ(lookup_value(f, n, "bbr_min_rtt"), 33);
	CHECK_EQ(lookup_value(f, n, "rmem_alloc"), 1);
	CHECK_EQ(lookup_value(f, n, "drops"), 9);
	CHECK_EQ(lookup_value(f, n, "shutdown"), 1);
	CHECK_EQ(lookup_value(f, n, "tos"), 0x10);
	CHECK_EQ(lookup_value(f, n, "cgroup_id"), cg);
	CHECK(n > 0 && strcmp(f[n - 1].name, "cgroup_id") == 0);
	CHECK(field_at(f, n, "tclass") < 0);	/* not sent */
	for (i = 0; i < n; i++)
		if (i != 68 && f[i].text != NULL)
			unique = 0;
	CHECK(unique);
	/* Room for only a few: the first few. */
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f, 3), 3);
	CHECK(strcmp(f[2].name, "retransmits") == 0);

	/* A shorter tcp_info: only the fields wholly inside it.  104 bytes
	 * end after tcpi_total_retrans; 111 hold 7 bytes of pacing_rate,
	 * which is not a field. */
	n = lookup_info_len(&s, info, 104, f);
	CHECK_EQ(n, 34);
	CHECK(n == 34 && strcmp(f[33].name, "total_retrans") == 0);
	CHECK_EQ(lookup_value(f, n, "total_retrans"), 9);
	CHECK(field_at(f, n, "pacing_rate") < 0);
	CHECK_EQ(lookup_info_len(&s, info, 111, f), 34);
	CHECK_EQ(lookup_info_len(&s, info, 112, f), 35);
	/* 6.1's length ends at snd_wnd: nothing of the later kernels. */
	n = lookup_info_len(&s, info, sizeof ti, f);
	CHECK_EQ(n, 56);
	CHECK_EQ(field_at(f, n, "snd_wnd"), 55);
	CHECK(field_at(f, n, "rcv_wnd") < 0);
	/* The bitfields need their byte: 6 bytes hold neither wscale, 7
	 * both, 8 all four. */
	CHECK_EQ(lookup_info_len(&s, info, 5, f), 5);
	CHECK_EQ(lookup_info_len(&s, info, 6, f), 6);
	n = lookup_info_len(&s, info, 7, f);
	CHECK_EQ(n, 8);
	CHECK_EQ(lookup_value(f, n, "rcv_wscale"), 9);
	CHECK(field_at(f, n, "delivery_rate_app_limited") < 0);
	CHECK_EQ(lookup_info_len(&s, info, 8, f), 10);
	/* A short skmeminfo: four of nine. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	msg_attr(&d, INET_DIAG_INFO, info, 8);
	msg_attr(&d, INET_DIAG_SKMEMINFO, skmem, 16);
	msg_end(&d);
	n = diag_lookup_parse(d.buf, d.len, 0, 0, &s, f, DIAG_LOOKUP_MAX);
	CHECK_EQ(n, 10 + 4);
	CHECK(field_at(f, n, "sndbuf") >= 0);
	CHECK(field_at(f, n, "fwd_alloc") < 0);

	/* No tcp_info: a TIME_WAIT socket (same cookie), no fields. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 6 /* TIME_WAIT */, 77);
	msg_end(&d);
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), 0);

	/* Another socket than s: another cookie, or the listener the
	 * kernel falls back to for a 4-tuple it does not know. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 78);
	msg_attr(&d, INET_DIAG_INFO, info, 104);
	msg_end(&d);
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
	s.cookie = 0;		/* no cookie: the 4-tuple decides */
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), 34);
	memset(&d, 0, sizeof d);
	((struct inet_diag_msg *)msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET,
	    10, 99))->id.idiag_dport = 0;		/* LISTEN */
	msg_attr(&d, INET_DIAG_INFO, info, 104);
	msg_end(&d);
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
	s.cookie = 77;

	/* The kernel's refusal. */
	memset(&d, 0, sizeof d);
	{
		struct nlmsghdr *h = (struct nlmsghdr *)d.buf;
		struct nlmsgerr e;

		memset(&e, 0, sizeof e);
		e.error = -ENOENT;
		h->nlmsg_type = NLMSG_ERROR;
		h->nlmsg_len = NLMSG_LENGTH(sizeof e);
		h->nlmsg_seq = 5;
		memcpy(NLMSG_DATA(h), &e, sizeof e);
		d.len = h->nlmsg_len;
	}
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 5, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
	/* ... unless it answers another request: nothing here for seq 6. */
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 6, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, EAGAIN);
	/* A stale message first, then the answer. */
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	d.cur->nlmsg_seq = 6;
	msg_attr(&d, INET_DIAG_INFO, info, 104);
	msg_end(&d);
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 6, 0, &s, f,
	    DIAG_LOOKUP_MAX), 34);

	/* Malformed replies report nothing. */
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	msg_attr(&d, INET_DIAG_INFO, info, 104);
	msg_attr(&d, INET_DIAG_SHUTDOWN, "ab", 2);	/* wrong size */
	msg_end(&d);
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, EPROTO);
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 77);
	msg_attr(&d, INET_DIAG_INFO, info, 104);
	((struct nlattr *)((unsigned char *)d.cur +
	    NLMSG_LENGTH(sizeof(struct inet_diag_msg))))->nla_len = 2000;
	msg_end(&d);
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, EPROTO);
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, 7, 0, 0, &s, f, DIAG_LOOKUP_MAX),
	    -1);
	CHECK_EQ(errno, EPROTO);
	memset(&d, 0, sizeof d);
	put_done(&d, 0);	/* a dump's end is no answer */
	errno = 0;
	CHECK_EQ(diag_lookup_parse(d.buf, d.len, 0, 0, &s, f,
	    DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, EPROTO);
}

/* Replay every refresh of path; returns the number replayed, or -1 on an
 * error (err says why). */
static int
replay_all(const char *path, int *sockets, char *err, size_t errlen)
{
	struct diag_replay *r = diag_replay_open(path, err, errlen);
	struct got g;
	struct diag_sink sink = { got_begin, got_sample, &g };
	struct diag_stats st;
	int64_t rt, mt;
	int n = 0, rc;

	if (r == NULL)
		return -1;
	memset(&g, 0, sizeof g);
	*sockets = 0;
	while ((rc = diag_replay_next(r, NULL, &sink, &rt, &mt, &st, err,
	    errlen)) == 1) {
		n++;
		*sockets += g.n;
	}
	diag_replay_close(r);
	return rc < 0 ? -1 : n;
}

static void
test_recording(const char *path)
{
	unsigned char *orig;
	char tmp[] = "/tmp/tcptop-test-XXXXXX", err[256];
	size_t len;
	long flen;
	FILE *fp;
	int fd, n, sockets, s2;
	size_t cut;
	unsigned long x = 99;
	int bad_ok = 1, trunc_ok = 1, k;

	fp = fopen(path, "rb");
	if (!CHECK(fp != NULL)) {
		perror(path);
		return;
	}
	fseek(fp, 0, SEEK_END);
	flen = ftell(fp);
	rewind(fp);
	len = (size_t)flen;
	orig = malloc(len);
	CHECK(fread(orig, 1, len, fp) == len);
	fclose(fp);

	n = replay_all(path, &sockets, err, sizeof err);
	CHECK(n >= 1);
	CHECK(sockets > 0);

	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	/* Every truncation is either a clean stop between refreshes or a
	 * one-line error; never a crash, never more refreshes. */
	for (cut = 0; cut < len; cut += cut < 600 ? 1 : 37) {
		int rc;

		CHECK(ftruncate(fd, 0) == 0);
		CHECK(pwrite(fd, orig, cut, 0) == (ssize_t)cut);
		err[0] = '\0';
		rc = replay_all(tmp, &s2, err, sizeof err);
		if (rc > n || (rc < 0 && (err[0] == '\0' ||
		    strchr(err, '\n') != NULL)))
			trunc_ok = 0;
	}
	CHECK(trunc_ok);
	/* Flipped bytes: same contract. */
	for (k = 0; k < 3000; k++) {
		unsigned char *m = malloc(len);
		int flips = 1 + (int)(x % 4), j, rc;

		memcpy(m, orig, len);
		for (j = 0; j < flips; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			m[16 + (x >> 20) % (len - 16)] ^= (unsigned char)(1 +
			    (x >> 40) % 255);
		}
		CHECK(ftruncate(fd, 0) == 0);
		CHECK(pwrite(fd, m, len, 0) == (ssize_t)len);
		err[0] = '\0';
		rc = replay_all(tmp, &s2, err, sizeof err);
		if (rc < 0 && err[0] == '\0')
			bad_ok = 0;
		free(m);
	}
	CHECK(bad_ok);
	/* A bad header is refused at open. */
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, "tcptopnX", 8, 0) == 8);
	CHECK(replay_all(tmp, &s2, err, sizeof err) == -1);
	CHECK(strstr(err, "not a tcptop recording") != NULL);
	close(fd);
	unlink(tmp);
	free(orig);
}

/* A recording in which the dump was restarted (a second BEGIN before the
 * END) and ended inconsistent: the replay restarts the sink exactly as
 * the live dump did, and says so. */
static void
test_replay_restart(void)
{
	char path[] = "/tmp/tcptop-restart-XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");
	struct dgram d;
	struct got g;
	struct diag_sink sink = { got_begin, got_sample, &g };
	struct diag_stats st;
	struct diag_replay *r;
	int64_t t[2] = { 1795594742000000000LL, 5000000000LL }, rt, mt;
	uint32_t flags = 1;

	CHECK(fp != NULL);
	memset(&d, 0, sizeof d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 11);
	msg_end(&d);
	msg_start(&d, SOCK_DIAG_BY_FAMILY, AF_INET, 1, 12);
	msg_end(&d);
	put_done(&d, 0);
	CHECK(diag_file_write_header(fp) == 0);
	CHECK(diag_file_write_frame(fp, DIAG_FILE_BEGIN, t, sizeof t) == 0);
	CHECK(diag_file_write_frame(fp, DIAG_FILE_DATA, d.buf, d.len) == 0);
	t[1] += 1000000;
	CHECK(diag_file_write_frame(fp, DIAG_FILE_BEGIN, t, sizeof t) == 0);
	CHECK(diag_file_write_frame(fp, 77, "future", 6) == 0);	/* skipped */
	CHECK(diag_file_write_frame(fp, DIAG_FILE_DATA, d.buf, d.len) == 0);
	CHECK(diag_file_write_frame(fp, DIAG_FILE_END, &flags,
	    sizeof flags) == 0);
	fclose(fp);

	memset(&g, 0, sizeof g);
	r = diag_replay_open(path, err, sizeof err);
	CHECK(r != NULL);
	CHECK_EQ(diag_replay_next(r, NULL, &sink, &rt, &mt, &st, err,
	    sizeof err), 1);
	CHECK_EQ(g.begins, 2);
	CHECK_EQ(g.n, 2);		/* the second pass only */
	CHECK_EQ(st.messages, 2);
	CHECK_EQ(st.restarts, 1);
	CHECK_EQ(st.inconsistent, 1);
	CHECK_EQ(mt, 5001000000LL);
	CHECK_EQ(rt, 1795594742000000000LL);
	CHECK_EQ(diag_replay_next(r, NULL, &sink, &rt, &mt, &st, err,
	    sizeof err), 0);
	diag_replay_close(r);
	unlink(path);
}

/* A recording from 6.18: the kernel sent every full socket's cgroup
 * unasked, and no minisocket's. */
struct cg_count {
	int full, full_cg, mini, mini_cg;
};

static void
cg_begin(void *arg)
{
	memset(arg, 0, sizeof(struct cg_count));
}

static void
cg_sample(void *arg, const struct conn_sample *s)
{
	struct cg_count *c = arg;

	if (conntab_is_mini(s)) {
		c->mini++;
		c->mini_cg += s->cgroup != 0;
	} else {
		c->full++;
		c->full_cg += s->cgroup != 0;
	}
}

static void
test_recording_cgroup(const char *path)
{
	struct cg_count c;
	struct diag_sink sink = { cg_begin, cg_sample, &c };
	struct diag_replay *r;
	struct diag_stats st;
	int64_t rt, mt;
	char err[256];

	if (!CHECK((r = diag_replay_open(path, err, sizeof err)) != NULL))
		return;
	CHECK_EQ(diag_replay_next(r, NULL, &sink, &rt, &mt, &st, err,
	    sizeof err), 1);
	diag_replay_close(r);
	CHECK(c.full > 0 && c.mini > 0);
	CHECK_EQ(c.full_cg, c.full);
	CHECK_EQ(c.mini_cg, 0);
}

/* The whole refresh path (parse, model, view, sort) run over and over on
 * the same sockets must not grow the heap: no per-refresh leak or creep. */
static void
test_steady_memory(const char *path)
{
	int64_t mono_ns = 0;
	struct conntab_feed m = { conntab_new(0), &mono_ns, 0 };
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample, &m };
	struct view v;
	struct filter f;
	size_t after_warmup = 0, used = 0;
	int round;
	char err[256];

	view_init(&v);
	filter_init(&f);
	for (round = 0; round < 300; round++) {
		struct diag_replay *r = diag_replay_open(path, err, sizeof err);
		struct diag_stats st;
		int64_t rt;

		if (!CHECK(r != NULL))
			break;
		m.begun = 0;
		/* Only the first refresh of the file: the same sockets each
		 * round, at a later time. */
		CHECK(diag_replay_next(r, NULL, &sink, &rt, &mono_ns, &st,
		    err, sizeof err) == 1);
		diag_replay_close(r);
		conntab_end_scan(m.tab);
		view_build(&v, m.tab, &f, FIELD_RTT, round % 2, 0, NULL);
		used = mallinfo2().uordblks;
		if (round == 20)
			after_warmup = used;
	}
	/* Sanitizer allocators do not report through mallinfo2. */
	if (after_warmup != 0)
		CHECK_EQ(used, after_warmup);
	view_done(&v);
	conntab_free(m.tab);
}

int
main(int argc, char **argv)
{
	const char *data = getenv("TESTDATA");
	char path[4096];

	test_crafted();
	test_v6only_scope();
	test_lookup_parse();
	test_state_parse();
	test_replay_restart();
	snprintf(path, sizeof path, "%s/states.nlmsg", argc > 1 ? argv[1] :
	    data != NULL ? data : "tests/data");
	test_recording(path);
	test_recording_cgroup(path);
	test_steady_memory(path);
	return check_done();
}
