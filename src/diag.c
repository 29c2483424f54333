/* sock_diag over libmnl: build requests, receive dumps, validate every
 * message and attribute, and emit plain conn_samples; look one socket up
 * by id and name every field of the answer. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

/* The kernel hands out dump chunks of at most about 32 KiB (netlink caps
 * its allocation at the size of our largest recvmsg, and that at 32 KiB),
 * so that is where the buffer starts.  A datagram that does not fit comes
 * back with MSG_TRUNC and its real length: the buffer grows to that and
 * the dump restarts.  Debian's libmnl 1.0.4 has no MNL_SOCKET_DUMP_SIZE. */
#define DIAG_BUF_INITIAL 32768
#define DIAG_BUF_MAX (1u << 24)
#define DIAG_MAX_RESTARTS 3

struct diag {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char *buf;
	size_t bufsize;
	FILE *record;
	struct diag_stats stats;
	char err[160];
};

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

/* Kernel bytecode (inet_diag_bc_run).  A block accepts a socket by running
 * off its end and rejects it by jumping 4 bytes past its end; blocks
 * compose as ss's ssfilter_bytecompile() composes them (misc/ss.c):
 *
 *	A and B	A B, with A's rejections moved to B's end (diag_bc_patch)
 *	A or B	A, a JMP over B, B: A's rejections land on B
 *	not A	A, JMP{yes 4, no 8}: A accepting runs onto the JMP, which
 *		rejects; A rejecting lands past it, at the end: accept
 *
 * Every op's "yes" is its own length, so the audit (inet_diag_bc_audit,
 * valid_cc) finds every jump target on the chain of yes steps. */

/* The program's length: "no" (16 bits) must reach 4 past its end, and the
 * attribute's length (16 bits) holds its header too. */
#define DIAG_BC_LIMIT (0xffff - 4)

/* The most the ports and an expression can take: 40 bytes per range, at
 * most 28 (an IPv6 host condition) per expression node plus a JMP. */
#define DIAG_BC_MAX (FILTER_MAX_RANGES * 40 + FEXPR_MAX_NODES * 32)

struct diag_bc {
	uint8_t *buf;
	size_t cap;		/* usable bytes of buf */
	size_t off;		/* bytes written */
	int overflow;		/* something did not fit: give up */
};

/* What the kernel can test of a subexpression.  It cannot test states
 * (only the request's idiag_states can, for the whole dump), so a state
 * term counts as true in the program, and anything built on such a guess
 * selects a superset, or everything when a NOT or an OR meets it; the
 * user-space filter_match makes the result exact. */
enum diag_bc_fit {
	DIAG_BC_TRUE,		/* nothing to test: accept */
	DIAG_BC_EXACT,		/* the program tests all of it */
	DIAG_BC_SUPERSET,	/* the program accepts a superset */
};

/* Room for n more bytes, or remember that there was not. */
static int
diag_bc_room(struct diag_bc *bc, size_t n)
{
	if (bc->overflow || bc->cap - bc->off < n) {
		bc->overflow = 1;
		return 0;
	}
	return 1;
}

static void
diag_bc_op(struct diag_bc *bc, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = yes, .no = no };

	if (!diag_bc_room(bc, sizeof op))
		return;
	memcpy(bc->buf + bc->off, &op, sizeof op);
	bc->off += sizeof op;
}

/* A port comparison: the op, then an op whose "no" holds the port, as
 * inet_diag_bc_run reads it.  no: where a failed test goes. */
static void
diag_bc_port(struct diag_bc *bc, uint8_t code, uint16_t port, uint16_t no)
{
	if (!diag_bc_room(bc, 8))
		return;
	diag_bc_op(bc, code, 8, no);
	diag_bc_op(bc, 0, 0, port);
}

/* A host condition: family AF_UNSPEC (no address, only the port, as ss
 * compiles "sport = :80"), AF_INET or AF_INET6; port -1 for any. */
static void
diag_bc_hostcond(struct diag_bc *bc, uint8_t code, uint8_t family,
    uint8_t prefix, int port, const uint8_t *addr)
{
	struct inet_diag_hostcond hc;
	size_t alen = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
	size_t len = sizeof(struct inet_diag_bc_op) + sizeof hc + alen;

	if (!diag_bc_room(bc, len))
		return;
	diag_bc_op(bc, code, (uint8_t)len, (uint16_t)(len + 4));
	memset(&hc, 0, sizeof hc);
	hc.family = family;
	hc.prefix_len = prefix;
	hc.port = port;
	memcpy(bc->buf + bc->off, &hc, sizeof hc);
	bc->off += sizeof hc;
	if (alen > 0)
		memcpy(bc->buf + bc->off, addr, alen);
	bc->off += alen;
}

/* Move the rejections of the block at [start, start + len), jumps to 4
 * past its end, to 4 past the end of the reloc bytes that follow it
 * (ss's ssfilter_patch).  Walking by "yes" visits every op and skips the
 * operands. */
static void
diag_bc_patch(struct diag_bc *bc, size_t start, size_t len, size_t reloc)
{
	size_t at = start;

	if (bc->overflow)
		return;
	while (at < start + len) {
		struct inet_diag_bc_op op;

		memcpy(&op, bc->buf + at, sizeof op);
		if (op.no == start + len - at + 4) {
			op.no = (uint16_t)(op.no + reloc);
			memcpy(bc->buf + at, &op, sizeof op);
		}
		at += op.yes;
	}
}

/* The port ranges: per range and direction GE lo (8 bytes), LE hi (8) and
 * a JMP to the end (4) when both held.  A failed test goes on to the next
 * term; the last term's go 4 past the end: reject. */
static void
diag_bc_ranges(struct diag_bc *bc, const struct filter *f)
{
	const size_t term = 20;
	size_t nterms = f->nranges * 2, total = nterms * term, i;

	if (!diag_bc_room(bc, total))
		return;
	for (i = 0; i < nterms; i++) {
		const struct filter_range *r = &f->ranges[i / 2];
		int remote = i % 2, last = i == nterms - 1;
		size_t left = total - i * term;	/* bytes from this term on */

		diag_bc_port(bc, remote ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE,
		    r->lo, (uint16_t)(last ? term + 4 : term));
		diag_bc_port(bc, remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE,
		    r->hi, (uint16_t)(last ? term - 8 + 4 : term - 8));
		/* JMP always takes "no". */
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, (uint16_t)(left - 16));
	}
}

static int
diag_bc_fit(const struct fexpr *e, int i)
{
	const struct fexpr_node *n;
	int a, b;

	if (i < 0 || (size_t)i >= e->n)
		return DIAG_BC_TRUE;
	n = &e->nodes[i];
	switch (n->kind) {
	case FEXPR_SPORT:
	case FEXPR_DPORT:
		return n->cmp <= FEXPR_GE ? DIAG_BC_EXACT : DIAG_BC_TRUE;
	case FEXPR_SRC:
	case FEXPR_DST:
		/* What the audit takes (valid_hostcond). */
		if ((n->family == AF_INET && n->prefix <= 32) ||
		    (n->family == AF_INET6 && n->prefix <= 128))
			return DIAG_BC_EXACT;
		return DIAG_BC_TRUE;
	case FEXPR_NOT:
		/* The negation of a guess is no guess. */
		return diag_bc_fit(e, n->a) == DIAG_BC_EXACT ? DIAG_BC_EXACT :
		    DIAG_BC_TRUE;
	case FEXPR_AND:
	case FEXPR_OR:
		a = diag_bc_fit(e, n->a);
		b = diag_bc_fit(e, n->b);
		if (a == DIAG_BC_EXACT && b == DIAG_BC_EXACT)
			return DIAG_BC_EXACT;
		if (n->kind == FEXPR_AND)
			return a == DIAG_BC_TRUE && b == DIAG_BC_TRUE ?
			    DIAG_BC_TRUE : DIAG_BC_SUPERSET;
		return a == DIAG_BC_TRUE || b == DIAG_BC_TRUE ? DIAG_BC_TRUE :
		    DIAG_BC_SUPERSET;
	default:
		/* States, and whatever the kernel cannot test. */
		return DIAG_BC_TRUE;
	}
}

/* A port term: = and != as a host condition with only a port (as ss),
 * < as not >=, > as not <=. */
static void
diag_bc_port_term(struct diag_bc *bc, const struct fexpr_node *n)
{
	int local = n->kind == FEXPR_SPORT;

	switch (n->cmp) {
	case FEXPR_EQ:
	case FEXPR_NE:
		diag_bc_hostcond(bc, local ? INET_DIAG_BC_S_COND :
		    INET_DIAG_BC_D_COND, AF_UNSPEC, 0, n->port, NULL);
		break;
	case FEXPR_GE:
	case FEXPR_LT:
		diag_bc_port(bc, local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE,
		    n->port, 12);
		break;
	default:
		diag_bc_port(bc, local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE,
		    n->port, 12);
		break;
	}
	if (n->cmp == FEXPR_NE || n->cmp == FEXPR_LT || n->cmp == FEXPR_GT)
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 8);
}

/* Emit node i, whose fit is not DIAG_BC_TRUE. */
static void
diag_bc_node(struct diag_bc *bc, const struct fexpr *e, int i)
{
	const struct fexpr_node *n = &e->nodes[i];
	size_t start = bc->off, mid;

	switch (n->kind) {
	case FEXPR_SPORT:
	case FEXPR_DPORT:
		diag_bc_port_term(bc, n);
		break;
	case FEXPR_SRC:
	case FEXPR_DST:
		diag_bc_hostcond(bc, n->kind == FEXPR_SRC ?
		    INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND, n->family,
		    n->prefix, -1, n->addr);
		break;
	case FEXPR_NOT:
		diag_bc_node(bc, e, n->a);
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 8);
		break;
	case FEXPR_AND:
		/* A side the kernel cannot test is left out: true. */
		if (diag_bc_fit(e, n->a) == DIAG_BC_TRUE) {
			diag_bc_node(bc, e, n->b);
			break;
		}
		if (diag_bc_fit(e, n->b) == DIAG_BC_TRUE) {
			diag_bc_node(bc, e, n->a);
			break;
		}
		diag_bc_node(bc, e, n->a);
		mid = bc->off;
		diag_bc_node(bc, e, n->b);
		diag_bc_patch(bc, start, mid - start, bc->off - mid);
		break;
	case FEXPR_OR:
		diag_bc_node(bc, e, n->a);
		mid = bc->off;
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 0);
		diag_bc_node(bc, e, n->b);
		if (!bc->overflow) {
			/* Over B to the end: accept. */
			struct inet_diag_bc_op op = { INET_DIAG_BC_JMP, 4,
			    (uint16_t)(bc->off - mid) };

			memcpy(bc->buf + mid, &op, sizeof op);
		}
		break;
	}
}

int
diag_compile_filter(const struct filter *f, void *buf, size_t len)
{
	struct diag_bc bc = { buf, len < DIAG_BC_LIMIT ? len : DIAG_BC_LIMIT,
	    0, 0 };
	const struct fexpr *e = &f->expr;
	size_t ports;

	if (f->nranges > 0)
		diag_bc_ranges(&bc, f);
	ports = bc.off;
	if (e->root >= 0 && diag_bc_fit(e, e->root) != DIAG_BC_TRUE) {
		diag_bc_node(&bc, e, e->root);
		/* ports AND expression */
		if (ports > 0)
			diag_bc_patch(&bc, 0, ports, bc.off - ports);
	}
	if (bc.overflow)
		return -1;
	return (int)bc.off;
}

/* Attribute types diag_msg_check collects; later ones are ignored. */
#define DIAG_ATTR_MAX INET_DIAG_MAX

/* Check an inet_diag message and collect its attributes by type into tb
 * (DIAG_ATTR_MAX + 1 slots, NULL for absent ones; the last of a repeated
 * type wins).  Every attribute's framing is checked here; the payload of
 * each type is left to the code that reads it.  Returns the message, or
 * NULL when it is malformed. */
static const struct inet_diag_msg *
diag_msg_check(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct inet_diag_msg *m;
	const struct nlattr *a;
	size_t alen;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *m))
		return NULL;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return NULL;
	if (m->idiag_state < TCPSTATE_MIN || m->idiag_state > TCPSTATE_MAX)
		return NULL;

	/* Attributes: never trust a length.  mnl_attr_ok checks each against
	 * what is left; anything left over that is not an attribute makes
	 * the whole message malformed. */
	memset(tb, 0, (DIAG_ATTR_MAX + 1) * sizeof tb[0]);
	a = (const struct nlattr *)((const char *)m + NLMSG_ALIGN(sizeof *m));
	alen = nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *m));
	if (nlh->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(sizeof *m)))
		alen = 0;
	while (alen > 0) {
		size_t step;

		if (!mnl_attr_ok(a, (int)(alen > 0x7fffffff ? 0x7fffffff :
		    alen)))
			return NULL;
		if (mnl_attr_get_type(a) <= DIAG_ATTR_MAX)
			tb[mnl_attr_get_type(a)] = a;
		step = NLMSG_ALIGN(a->nla_len);
		if (step >= alen)
			break;
		alen -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return m;
}

/* The socket cookie of m, 0 when the kernel gave none. */
static uint64_t
diag_msg_cookie(const struct inet_diag_msg *m)
{
	if (m->id.idiag_cookie[0] == INET_DIAG_NOCOOKIE &&
	    m->id.idiag_cookie[1] == INET_DIAG_NOCOOKIE)
		return 0;
	return (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
}

/* Copy an inet_diag_msg and the attributes tcptop keeps into s.  Returns
 * 0, or -1 when the message is malformed. */
static int
diag_parse_msg(const struct nlmsghdr *nlh, struct conn_sample *s)
{
	const struct nlattr *tb[DIAG_ATTR_MAX + 1];
	const struct inet_diag_msg *m;

	if ((m = diag_msg_check(nlh, tb)) == NULL)
		return -1;
	memset(s, 0, sizeof *s);
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	s->timer = m->idiag_timer;
	s->retrans = m->idiag_retrans;
	s->expires_ms = m->idiag_expires;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->ifindex = m->id.idiag_if;
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	memcpy(s->local, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	memcpy(s->remote, m->id.idiag_dst, m->idiag_family == AF_INET ? 4 :
	    16);
	s->cookie = diag_msg_cookie(m);

	if (tb[INET_DIAG_INFO] != NULL) {
		/* An older kernel sends a shorter tcp_info: copy what came
		 * and leave the rest zero (ss tcp_show_info). */
		const struct nlattr *a = tb[INET_DIAG_INFO];
		size_t plen = mnl_attr_get_payload_len(a);
		struct tcp_info ti;

		memset(&ti, 0, sizeof ti);
		memcpy(&ti, mnl_attr_get_payload(a), plen < sizeof ti ? plen :
		    sizeof ti);
		s->info.rtt_us = ti.tcpi_rtt;
		s->info.rttvar_us = ti.tcpi_rttvar;
		s->info.snd_cwnd = ti.tcpi_snd_cwnd;
		s->info.snd_ssthresh = ti.tcpi_snd_ssthresh;
		s->info.snd_mss = ti.tcpi_snd_mss;
		s->info.rcv_mss = ti.tcpi_rcv_mss;
		s->info.unacked = ti.tcpi_unacked;
		s->info.lost = ti.tcpi_lost;
		s->info.retrans = ti.tcpi_retrans;
		s->info.total_retrans = ti.tcpi_total_retrans;
		s->info.rcv_space = ti.tcpi_rcv_space;
		s->info.snd_wnd = ti.tcpi_snd_wnd;
		s->info.pmtu = ti.tcpi_pmtu;
		s->info.last_data_recv_ms = ti.tcpi_last_data_recv;
		s->info.last_data_sent_ms = ti.tcpi_last_data_sent;
		s->info.last_ack_recv_ms = ti.tcpi_last_ack_recv;
		s->info.bytes_acked = ti.tcpi_bytes_acked;
		s->info.bytes_received = ti.tcpi_bytes_received;
		s->info.bytes_sent = ti.tcpi_bytes_sent;
		s->info.bytes_retrans = ti.tcpi_bytes_retrans;
		s->info.delivery_rate = ti.tcpi_delivery_rate;
		s->info.pacing_rate = ti.tcpi_pacing_rate;
		s->info.ca_state = ti.tcpi_ca_state;
		s->info.retransmits = ti.tcpi_retransmits;
		s->info.probes = ti.tcpi_probes;
		s->info.backoff = ti.tcpi_backoff;
		s->info.options = ti.tcpi_options;
		s->info.wscale = (uint8_t)(ti.tcpi_snd_wscale << 4 |
		    ti.tcpi_rcv_wscale);
		s->flags |= CONN_HAS_INFO;
	}
	if (tb[INET_DIAG_CONG] != NULL) {
		const struct nlattr *a = tb[INET_DIAG_CONG];
		const char *p = mnl_attr_get_payload(a);

		s->cc = conn_cc_intern(p, strnlen(p,
		    mnl_attr_get_payload_len(a)));
	}
	if (tb[INET_DIAG_SHUTDOWN] != NULL) {
		if (mnl_attr_validate(tb[INET_DIAG_SHUTDOWN], MNL_TYPE_U8) ==
		    -1)
			return -1;
		s->shutdown = mnl_attr_get_u8(tb[INET_DIAG_SHUTDOWN]);
		s->flags |= CONN_HAS_SHUTDOWN;
	}
	return 0;
}

/* libmnl 1.0.4's mnl_nlmsg_ok compares (int)nlmsg_len, so a length of
 * 2^31 or more passes and mnl_nlmsg_next then jumps out of the buffer.
 * These two compare unsigned and never step past the end. */
static int
diag_nlmsg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh &&
	    nlh->nlmsg_len <= left;
}

static const struct nlmsghdr *
diag_nlmsg_next(const struct nlmsghdr *nlh, size_t *left)
{
	size_t step = NLMSG_ALIGN((size_t)nlh->nlmsg_len);

	if (step >= *left) {
		*left = 0;
		return nlh;
	}
	*left -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

/* The errno a kernel error code stands for.  Codes are -1 to -4095;
 * anything else (and negating INT_MIN would be undefined) is a broken
 * message. */
static int
diag_errno(int code)
{
	return code < 0 && code > -4096 ? -code : EPROTO;
}

/* The parse of one datagram, with the seq/portid a live dump checks (0 to
 * check nothing, as for a replay). */
static int
diag_parse(const void *buf, size_t len, unsigned seq, unsigned portid,
    const struct filter *f, const struct diag_sink *sink,
    struct diag_stats *st, int *intr, char *err, size_t errlen)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	while (left > 0) {
		struct conn_sample s;

		if (!diag_nlmsg_ok(nlh, left)) {
			snprintf(err, errlen, "truncated netlink message "
			    "(%zu bytes left, length %u)", left,
			    left >= sizeof *nlh ? nlh->nlmsg_len : 0);
			errno = EPROTO;
			return -1;
		}
		if (!mnl_nlmsg_seq_ok(nlh, seq) ||
		    !mnl_nlmsg_portid_ok(nlh, portid)) {
			/* A stale reply to an earlier, abandoned dump. */
			nlh = diag_nlmsg_next(nlh, &left);
			continue;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = 1;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_DONE:
			/* Since 4.x the payload may carry the dump's error. */
			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
				int e;

				memcpy(&e, mnl_nlmsg_get_payload(nlh),
				    sizeof e);
				if (e < 0) {
					errno = diag_errno(e);
					snprintf(err, errlen, "dump failed: "
					    "%s", strerror(errno));
					return -1;
				}
			}
			return 1;
		case NLMSG_ERROR: {
			const struct nlmsgerr *ne;

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ne)) {
				snprintf(err, errlen, "short netlink error "
				    "message");
				errno = EPROTO;
				return -1;
			}
			ne = mnl_nlmsg_get_payload(nlh);
			if (ne->error == 0)
				break;
			errno = diag_errno(ne->error);
			snprintf(err, errlen, "sock_diag request refused: %s",
			    strerror(errno));
			return -1;
		}
		case SOCK_DIAG_BY_FAMILY:
			if (diag_parse_msg(nlh, &s) == -1) {
				st->skipped++;
				break;
			}
			st->messages++;
			if (f == NULL || filter_match(f, &s))
				sink->sample(sink->arg, &s);
			break;
		default:
			st->skipped++;
			break;
		}
		nlh = diag_nlmsg_next(nlh, &left);
	}
	return 0;
}

int
diag_parse_datagram(const void *buf, size_t len, const struct filter *f,
    const struct diag_sink *sink, struct diag_stats *st, int *intr,
    char *err, size_t errlen)
{
	return diag_parse(buf, len, 0, 0, f, sink, st, intr, err, errlen);
}

/*
 * The fields of one socket for the detail view.  Tables name each field
 * of an attribute's payload by offset and size, and one loop reports
 * those that lie wholly inside the payload the kernel sent: a shorter
 * tcp_info from an older kernel yields fewer fields, never guessed ones.
 */

/* How a field is read. */
enum {
	DIAG_K_UINT,		/* an unsigned integer of size bytes */
	DIAG_K_LOHI,		/* a u64 as two u32, the low one first */
	DIAG_K_NAME,		/* a string: reported as text */
	DIAG_K_SND_WSCALE,	/* the bitfields of tcp_info's bytes 6-7, */
	DIAG_K_RCV_WSCALE,	/* whose bit order is the compiler's */
	DIAG_K_APP_LIMITED,
	DIAG_K_FASTOPEN_FAIL,
};

struct diag_fdesc {
	const char *name;
	const char *unit;
	uint16_t off;
	uint8_t size;
	uint8_t kind;		/* DIAG_K_* */
};

/* What kernels after 6.1 append to tcp_info, at the uapi's offsets: the
 * <linux/tcp.h> tcptop builds against (Debian 12's, 6.1) ends at
 * tcpi_snd_wnd.  Kernels that send 280 bytes hold AccECN state in the
 * last four, as two u16 in some releases and as one u32 of bitfields in
 * later ones; the length cannot tell which, so they are not reported. */
struct diag_tcpi_tail {
	uint32_t rcv_wnd;
	uint32_t rehash;
	uint16_t total_rto;
	uint16_t total_rto_recoveries;
	uint32_t total_rto_time;
	uint32_t received_ce;
	uint32_t delivered_e1_bytes;
	uint32_t delivered_e0_bytes;
	uint32_t delivered_ce_bytes;
	uint32_t received_e1_bytes;
	uint32_t received_e0_bytes;
	uint32_t received_ce_bytes;
};
#define DIAG_TCPI_TAIL (offsetof(struct tcp_info, tcpi_snd_wnd) + \
	sizeof(uint32_t))
#define DIAG_TCPI_BITS offsetof(struct tcp_info, tcpi_rto)

/* A row's offset and size come from the member it names, so they cannot
 * drift apart; tcp_info's fields are named after their members. */
#define DIAG_F(type, member, name, unit) { name, unit, \
	offsetof(type, member), sizeof(((type *)0)->member), DIAG_K_UINT }
#define DIAG_TI(member, unit) DIAG_F(struct tcp_info, tcpi_##member, \
	#member, unit)
#define DIAG_TT(member, unit) { #member, unit, DIAG_TCPI_TAIL + \
	offsetof(struct diag_tcpi_tail, member), \
	sizeof(((struct diag_tcpi_tail *)0)->member), DIAG_K_UINT }

static const struct diag_fdesc diag_tcpi_fields[] = {
	DIAG_TI(state, ""),
	DIAG_TI(ca_state, ""),
	DIAG_TI(retransmits, ""),
	DIAG_TI(probes, ""),
	DIAG_TI(backoff, ""),
	DIAG_TI(options, ""),
	{ "snd_wscale", "", DIAG_TCPI_BITS - 2, 1, DIAG_K_SND_WSCALE },
	{ "rcv_wscale", "", DIAG_TCPI_BITS - 2, 1, DIAG_K_RCV_WSCALE },
	{ "delivery_rate_app_limited", "", DIAG_TCPI_BITS - 1, 1,
	    DIAG_K_APP_LIMITED },
	{ "fastopen_client_fail", "", DIAG_TCPI_BITS - 1, 1,
	    DIAG_K_FASTOPEN_FAIL },
	DIAG_TI(rto, "us"),
	DIAG_TI(ato, "us"),
	DIAG_TI(snd_mss, "bytes"),
	DIAG_TI(rcv_mss, "bytes"),
	DIAG_TI(unacked, "segments"),
	DIAG_TI(sacked, "segments"),
	DIAG_TI(lost, "segments"),
	DIAG_TI(retrans, "segments"),
	DIAG_TI(fackets, "segments"),
	DIAG_TI(last_data_sent, "ms"),
	DIAG_TI(last_ack_sent, "ms"),
	DIAG_TI(last_data_recv, "ms"),
	DIAG_TI(last_ack_recv, "ms"),
	DIAG_TI(pmtu, "bytes"),
	DIAG_TI(rcv_ssthresh, "bytes"),
	DIAG_TI(rtt, "us"),
	DIAG_TI(rttvar, "us"),
	DIAG_TI(snd_ssthresh, "segments"),
	DIAG_TI(snd_cwnd, "segments"),
	DIAG_TI(advmss, "bytes"),
	DIAG_TI(reordering, "segments"),
	DIAG_TI(rcv_rtt, "us"),
	DIAG_TI(rcv_space, "bytes"),
	DIAG_TI(total_retrans, "segments"),
	DIAG_TI(pacing_rate, "bytes/s"),
	DIAG_TI(max_pacing_rate, "bytes/s"),
	DIAG_TI(bytes_acked, "bytes"),
	DIAG_TI(bytes_received, "bytes"),
	DIAG_TI(segs_out, "segments"),
	DIAG_TI(segs_in, "segments"),
	DIAG_TI(notsent_bytes, "bytes"),
	DIAG_TI(min_rtt, "us"),
	DIAG_TI(data_segs_in, "segments"),
	DIAG_TI(data_segs_out, "segments"),
	DIAG_TI(delivery_rate, "bytes/s"),
	DIAG_TI(busy_time, "us"),
	DIAG_TI(rwnd_limited, "us"),
	DIAG_TI(sndbuf_limited, "us"),
	DIAG_TI(delivered, "segments"),
	DIAG_TI(delivered_ce, "segments"),
	DIAG_TI(bytes_sent, "bytes"),
	DIAG_TI(bytes_retrans, "bytes"),
	DIAG_TI(dsack_dups, "segments"),
	DIAG_TI(reord_seen, ""),
	DIAG_TI(rcv_ooopack, "packets"),
	DIAG_TI(snd_wnd, "bytes"),
	DIAG_TT(rcv_wnd, "bytes"),
	DIAG_TT(rehash, ""),
	DIAG_TT(total_rto, ""),
	DIAG_TT(total_rto_recoveries, ""),
	DIAG_TT(total_rto_time, "ms"),
	DIAG_TT(received_ce, "segments"),
	DIAG_TT(delivered_e1_bytes, "bytes"),
	DIAG_TT(delivered_e0_bytes, "bytes"),
	DIAG_TT(delivered_ce_bytes, "bytes"),
	DIAG_TT(received_e1_bytes, "bytes"),
	DIAG_TT(received_e0_bytes, "bytes"),
	DIAG_TT(received_ce_bytes, "bytes"),
};

static const struct diag_fdesc diag_cong_fields[] = {
	{ "cc", "", 0, 1, DIAG_K_NAME },
};

static const struct diag_fdesc diag_vegas_fields[] = {
	DIAG_F(struct tcpvegas_info, tcpv_enabled, "vegas_enabled", ""),
	DIAG_F(struct tcpvegas_info, tcpv_rttcnt, "vegas_rttcnt", ""),
	DIAG_F(struct tcpvegas_info, tcpv_rtt, "vegas_rtt", "us"),
	DIAG_F(struct tcpvegas_info, tcpv_minrtt, "vegas_min_rtt", "us"),
};

static const struct diag_fdesc diag_dctcp_fields[] = {
	DIAG_F(struct tcp_dctcp_info, dctcp_enabled, "dctcp_enabled", ""),
	DIAG_F(struct tcp_dctcp_info, dctcp_ce_state, "dctcp_ce_state", ""),
	DIAG_F(struct tcp_dctcp_info, dctcp_alpha, "dctcp_alpha", ""),
	DIAG_F(struct tcp_dctcp_info, dctcp_ab_ecn, "dctcp_ab_ecn", "bytes"),
	DIAG_F(struct tcp_dctcp_info, dctcp_ab_tot, "dctcp_ab_tot", "bytes"),
};

static const struct diag_fdesc diag_bbr_fields[] = {
	{ "bbr_bw", "bytes/s", offsetof(struct tcp_bbr_info, bbr_bw_lo), 8,
	    DIAG_K_LOHI },
	DIAG_F(struct tcp_bbr_info, bbr_min_rtt, "bbr_min_rtt", "us"),
	DIAG_F(struct tcp_bbr_info, bbr_pacing_gain, "bbr_pacing_gain", ""),
	DIAG_F(struct tcp_bbr_info, bbr_cwnd_gain, "bbr_cwnd_gain", ""),
};

/* INET_DIAG_SKMEMINFO: a u32 array indexed by SK_MEMINFO_*. */
static const struct diag_fdesc diag_skmem_fields[] = {
	{ "rmem_alloc", "bytes", SK_MEMINFO_RMEM_ALLOC * 4, 4, DIAG_K_UINT },
	{ "rcvbuf", "bytes", SK_MEMINFO_RCVBUF * 4, 4, DIAG_K_UINT },
	{ "wmem_alloc", "bytes", SK_MEMINFO_WMEM_ALLOC * 4, 4, DIAG_K_UINT },
	{ "sndbuf", "bytes", SK_MEMINFO_SNDBUF * 4, 4, DIAG_K_UINT },
	{ "fwd_alloc", "bytes", SK_MEMINFO_FWD_ALLOC * 4, 4, DIAG_K_UINT },
	{ "wmem_queued", "bytes", SK_MEMINFO_WMEM_QUEUED * 4, 4,
	    DIAG_K_UINT },
	{ "optmem", "bytes", SK_MEMINFO_OPTMEM * 4, 4, DIAG_K_UINT },
	{ "backlog", "bytes", SK_MEMINFO_BACKLOG * 4, 4, DIAG_K_UINT },
	{ "drops", "packets", SK_MEMINFO_DROPS * 4, 4, DIAG_K_UINT },
};

static const struct diag_fdesc diag_shutdown_field[] = {
	{ "shutdown", "", 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_tos_field[] = {
	{ "tos", "", 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_tclass_field[] = {
	{ "tclass", "", 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_class_id_field[] = {
	{ "class_id", "", 0, 4, DIAG_K_UINT } };
static const struct diag_fdesc diag_mark_field[] = {
	{ "mark", "", 0, 4, DIAG_K_UINT } };
static const struct diag_fdesc diag_cgroup_id_field[] = {
	{ "cgroup_id", "", 0, 8, DIAG_K_UINT } };

#undef DIAG_TT
#undef DIAG_TI
#undef DIAG_F

/* The attributes reported, in this order.  A structure may come shorter
 * (older kernel) or longer (newer) than the table knows; a scalar must
 * have exactly its size, or the reply is malformed (as the dump checks
 * INET_DIAG_SHUTDOWN). */
static const struct {
	uint16_t type;		/* INET_DIAG_* */
	uint8_t scalar;
	const struct diag_fdesc *f;
	size_t n;
} diag_fblocks[] = {
#define DIAG_BLOCK(type, scalar, t) { type, scalar, t, sizeof t / sizeof t[0] }
	DIAG_BLOCK(INET_DIAG_INFO, 0, diag_tcpi_fields),
	DIAG_BLOCK(INET_DIAG_CONG, 0, diag_cong_fields),
	DIAG_BLOCK(INET_DIAG_VEGASINFO, 0, diag_vegas_fields),
	DIAG_BLOCK(INET_DIAG_DCTCPINFO, 0, diag_dctcp_fields),
	DIAG_BLOCK(INET_DIAG_BBRINFO, 0, diag_bbr_fields),
	DIAG_BLOCK(INET_DIAG_SKMEMINFO, 0, diag_skmem_fields),
	DIAG_BLOCK(INET_DIAG_SHUTDOWN, 1, diag_shutdown_field),
	DIAG_BLOCK(INET_DIAG_TOS, 1, diag_tos_field),
	DIAG_BLOCK(INET_DIAG_TCLASS, 1, diag_tclass_field),
	DIAG_BLOCK(INET_DIAG_CLASS_ID, 1, diag_class_id_field),
	DIAG_BLOCK(INET_DIAG_MARK, 1, diag_mark_field),
	DIAG_BLOCK(INET_DIAG_CGROUP_ID, 1, diag_cgroup_id_field),
#undef DIAG_BLOCK
};

/* An unsigned integer of size bytes (1, 2, 4 or 8) at p, host order. */
static uint64_t
diag_get_uint(const unsigned char *p, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/* Field f of the payload p (plen bytes, which hold it whole). */
static uint64_t
diag_field_value(const struct diag_fdesc *f, const unsigned char *p,
    size_t plen)
{
	struct tcp_info ti;

	switch (f->kind) {
	case DIAG_K_LOHI:
		return diag_get_uint(p + f->off, 4) |
		    diag_get_uint(p + f->off + 4, 4) << 32;
	case DIAG_K_SND_WSCALE:
	case DIAG_K_RCV_WSCALE:
	case DIAG_K_APP_LIMITED:
	case DIAG_K_FASTOPEN_FAIL:
		/* Let the compiler find the bits, as the kernel's did. */
		memset(&ti, 0, sizeof ti);
		memcpy(&ti, p, plen < DIAG_TCPI_BITS ? plen : DIAG_TCPI_BITS);
		if (f->kind == DIAG_K_SND_WSCALE)
			return ti.tcpi_snd_wscale;
		if (f->kind == DIAG_K_RCV_WSCALE)
			return ti.tcpi_rcv_wscale;
		if (f->kind == DIAG_K_APP_LIMITED)
			return ti.tcpi_delivery_rate_app_limited;
		return ti.tcpi_fastopen_client_fail;
	default:
		return diag_get_uint(p + f->off, f->size);
	}
}

/* Whether m describes the socket s names: the kernel looks up the
 * 4-tuple and may fall back to a listener on the local address. */
static int
diag_msg_is(const struct inet_diag_msg *m, const struct conn_sample *s)
{
	size_t alen = s->family == AF_INET ? 4 : 16;

	return m->idiag_family == s->family &&
	    ntohs(m->id.idiag_sport) == s->lport &&
	    ntohs(m->id.idiag_dport) == s->rport &&
	    memcmp(m->id.idiag_src, s->local, alen) == 0 &&
	    memcmp(m->id.idiag_dst, s->remote, alen) == 0 &&
	    (s->cookie == 0 || diag_msg_cookie(m) == s->cookie);
}

/* The fields of one reply message; see diag_lookup_parse. */
static int
diag_lookup_fields(const struct nlmsghdr *nlh, const struct conn_sample *s,
    struct diag_field *out, size_t max)
{
	const struct nlattr *tb[DIAG_ATTR_MAX + 1];
	const struct inet_diag_msg *m;
	size_t n = 0, i, j;

	if ((m = diag_msg_check(nlh, tb)) == NULL) {
		errno = EPROTO;
		return -1;
	}
	if (!diag_msg_is(m, s)) {
		errno = ENOENT;
		return -1;
	}
	if (tb[INET_DIAG_INFO] == NULL)
		return 0;	/* a TIME_WAIT or request socket */
	/* Check before reporting anything, so a bad reply reports nothing. */
	for (i = 0; i < sizeof diag_fblocks / sizeof diag_fblocks[0]; i++) {
		const struct nlattr *a = tb[diag_fblocks[i].type];

		if (a != NULL && diag_fblocks[i].scalar &&
		    mnl_attr_get_payload_len(a) != diag_fblocks[i].f[0].size) {
			errno = EPROTO;
			return -1;
		}
	}
	for (i = 0; i < sizeof diag_fblocks / sizeof diag_fblocks[0]; i++) {
		const struct nlattr *a = tb[diag_fblocks[i].type];
		const unsigned char *p;
		size_t plen;

		if (a == NULL)
			continue;
		p = mnl_attr_get_payload(a);
		plen = mnl_attr_get_payload_len(a);
		for (j = 0; j < diag_fblocks[i].n && n < max; j++) {
			const struct diag_fdesc *f = &diag_fblocks[i].f[j];

			if ((size_t)f->off + f->size > plen)
				continue;	/* not sent: never guess */
			out[n].name = f->name;
			out[n].unit = f->unit;
			out[n].value = 0;
			out[n].text = NULL;
			if (f->kind == DIAG_K_NAME)
				out[n].text = conn_cc_name(conn_cc_intern(
				    (const char *)p, strnlen((const char *)p,
				    plen)));
			else
				out[n].value = diag_field_value(f, p, plen);
			n++;
		}
	}
	return (int)n;
}

int
diag_lookup_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid, const struct conn_sample *s, struct diag_field *out,
    size_t max)
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
		case SOCK_DIAG_BY_FAMILY:
			return diag_lookup_fields(nlh, s, out, max);
		case NLMSG_ERROR:
			/* The request asks for no acknowledgement: an error
			 * of 0 is as unexpected as any other message. */
			ne = mnl_nlmsg_get_payload(nlh);
			errno = EPROTO;
			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof *ne) &&
			    ne->error != 0)
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
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = tcpstate_kernel_mask(states);
	if (q->want_info)
		r->idiag_ext = 1U << (INET_DIAG_INFO - 1) |
		    1U << (INET_DIAG_CONG - 1);
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
static int
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

int
diag_dump(struct diag *d, const struct diag_query *q,
    const struct diag_sink *sink)
{
	static const struct {
		int family;
		unsigned bit;
	} fams[] = { { AF_INET, FILTER_INET4 }, { AF_INET6, FILTER_INET6 } };
	unsigned families = q->filter != NULL ? q->filter->families :
	    FILTER_INET4 | FILTER_INET6;
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
		for (i = 0; i < sizeof fams / sizeof fams[0] && !again; i++) {
			if (!(families & fams[i].bit))
				continue;
			if (diag_request(d, fams[i].family, q) == -1) {
				snprintf(d->err, sizeof d->err, "sock_diag "
				    "request: %s", strerror(errno));
				return -1;
			}
			if (diag_recv_dump(d, q, sink, &intr, &again) == -1)
				return -1;
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

/* How long a lookup waits for its answer.  The kernel answers at once;
 * the bound only keeps the caller, the UI loop, from hanging on a lost
 * one. */
#define DIAG_LOOKUP_TIMEOUT_MS 1000

static int64_t
diag_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send the exact request for s: no NLM_F_DUMP, so the kernel looks the
 * socket up by id (inet_diag_find_one_icsk) and answers with one message,
 * or with an error (ENOENT when the 4-tuple or the cookie does not
 * match). */
static int
diag_lookup_request(struct diag *d, const struct conn_sample *s)
{
	union {
		struct nlmsghdr h;
		char buf[MNL_NLMSG_HDRLEN +
		    MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	} req;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;

	nlh = mnl_nlmsg_put_header(req.buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++d->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = s->family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = tcpstate_kernel_mask(TCPSTATE_ALL);
	/* SKMEMINFO rather than MEMINFO, whose four values it includes;
	 * VEGASINFO also brings DCTCP's and BBR's, and TCLASS the class
	 * id. */
	r->idiag_ext = (uint8_t)(1U << (INET_DIAG_INFO - 1) |
	    1U << (INET_DIAG_CONG - 1) | 1U << (INET_DIAG_VEGASINFO - 1) |
	    1U << (INET_DIAG_SKMEMINFO - 1) | 1U << (INET_DIAG_TOS - 1) |
	    1U << (INET_DIAG_TCLASS - 1) | 1U << (INET_DIAG_SHUTDOWN - 1));
	r->id.idiag_sport = htons(s->lport);
	r->id.idiag_dport = htons(s->rport);
	memcpy(r->id.idiag_src, s->local, sizeof r->id.idiag_src);
	memcpy(r->id.idiag_dst, s->remote, sizeof r->id.idiag_dst);
	r->id.idiag_if = s->ifindex;
	if (s->cookie != 0) {
		r->id.idiag_cookie[0] = (uint32_t)s->cookie;
		r->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	} else {
		r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return 0;
}

/* Receive until the answer to request seq.  Whatever else is queued (the
 * rest of an abandoned dump, the answer to a lookup that timed out) is
 * read and dropped. */
static int
diag_lookup_recv(struct diag *d, unsigned seq, const struct conn_sample *s,
    struct diag_field *out, size_t max)
{
	int fd = mnl_socket_get_fd(d->nl);
	int64_t deadline = diag_now_ms() + DIAG_LOOKUP_TIMEOUT_MS;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_nl sa;
		struct iovec iov;
		struct msghdr mh;
		int64_t left = deadline - diag_now_ms();
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
		/* Measure first: the buffer may be smaller than the datagram
		 * (diag_set_bufsize), and a truncated answer is lost. */
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if ((size_t)n > d->bufsize && (size_t)n <= DIAG_BUF_MAX) {
			size_t want = d->bufsize;

			while (want < (size_t)n)
				want *= 2;
			free(d->buf);
			d->bufsize = want;
			d->buf = xmalloc(want);
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
		/* Not from the kernel, or too large to be an answer. */
		if (sa.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
			continue;
		rc = diag_lookup_parse(d->buf, (size_t)n, seq, d->portid, s,
		    out, max);
		if (rc == -1 && errno == EAGAIN)
			continue;
		return rc;
	}
}

int
diag_lookup(struct diag *d, const struct conn_sample *s,
    struct diag_field *out, size_t max)
{
	int attempt, rc;

	if (s->family != AF_INET && s->family != AF_INET6) {
		errno = EINVAL;
		return -1;
	}
	for (attempt = 0;; attempt++) {
		if (diag_lookup_request(d, s) == -1)
			return -1;
		rc = diag_lookup_recv(d, d->seq, s, out, max);
		/* The socket overflowed (with what an abandoned dump left)
		 * and the answer may be lost: once more on a fresh one. */
		if (rc == -1 && errno == ENOBUFS && attempt == 0) {
			if (diag_reopen(d) == -1)
				return -1;
			continue;
		}
		return rc;
	}
}
