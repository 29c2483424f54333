/* sock_diag over libmnl: build requests, receive dumps, validate every
 * message and attribute, and emit plain conn_samples. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
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

/* Append one bytecode op.  Port comparisons take a second op whose "no"
 * field holds the port, as inet_diag_bc_run expects. */
static void
diag_bc_op(uint8_t *bc, size_t *off, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = yes, .no = no };

	memcpy(bc + *off, &op, sizeof op);
	*off += sizeof op;
}

int
diag_compile_ports(const struct filter *f, void *buf, size_t len)
{
	/* Per range and direction: GE port (8 bytes), LE port (8), and a JMP
	 * to the end on a match (4).  A failed test falls through to the
	 * next term; the last one jumps past the end, which rejects. */
	const size_t term = 20;
	size_t nterms = f->nranges * 2, total = nterms * term, off = 0, i;
	uint8_t *bc = buf;

	if (f->nranges == 0)
		return 0;
	if (total > len || total > 0xffff - 4)
		return -1;
	for (i = 0; i < nterms; i++) {
		const struct filter_range *r = &f->ranges[i / 2];
		int remote = i % 2;
		size_t left = total - off;	/* bytes from this term on */

		diag_bc_op(bc, &off, remote ? INET_DIAG_BC_D_GE :
		    INET_DIAG_BC_S_GE, 8, (uint16_t)term);
		diag_bc_op(bc, &off, 0, 0, r->lo);
		diag_bc_op(bc, &off, remote ? INET_DIAG_BC_D_LE :
		    INET_DIAG_BC_S_LE, 8, (uint16_t)(term - 8));
		diag_bc_op(bc, &off, 0, 0, r->hi);
		/* JMP always takes "no": to the end of the program. */
		diag_bc_op(bc, &off, INET_DIAG_BC_JMP, 4,
		    (uint16_t)(left - 16));
		/* The last term's failures must land at len + 4: reject. */
		if (i == nterms - 1) {
			struct inet_diag_bc_op *ge, *le;

			ge = (struct inet_diag_bc_op *)(bc + off - term);
			le = (struct inet_diag_bc_op *)(bc + off - term + 8);
			ge->no = (uint16_t)(term + 4);
			le->no = (uint16_t)(term - 8 + 4);
		}
	}
	return (int)total;
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
	if (m->id.idiag_cookie[0] != INET_DIAG_NOCOOKIE ||
	    m->id.idiag_cookie[1] != INET_DIAG_NOCOOKIE)
		s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 |
		    m->id.idiag_cookie[0];

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

/* Send the dump request for one family. */
static int
diag_request(struct diag *d, int family, const struct diag_query *q)
{
	char req[512 + FILTER_MAX_RANGES * 40];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	uint8_t bc[FILTER_MAX_RANGES * 40];
	const struct filter *f = q->filter;
	uint32_t states = f != NULL ? f->states : TCPSTATE_ALL;
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
		bclen = diag_compile_ports(f, bc, sizeof bc);
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
