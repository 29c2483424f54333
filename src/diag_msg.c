/* Parsing sock_diag datagrams: netlink framing, every message and
 * attribute validated, each socket turned into a plain conn_sample. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>


#include "tcptop/cgroup.h"
#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"
#include "diag_int.h"

/* Check an inet_diag message and collect its attributes by type into tb
 * (DIAG_ATTR_MAX + 1 slots, NULL for absent ones; the last of a repeated
 * type wins).  Every attribute's framing is checked here; the payload of
 * each type is left to the code that reads it.  Returns the message, or
 * NULL when it is malformed. */
const struct inet_diag_msg *
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
uint64_t
diag_msg_cookie(const struct inet_diag_msg *m)
{
	if (m->id.idiag_cookie[0] == INET_DIAG_NOCOOKIE &&
	    m->id.idiag_cookie[1] == INET_DIAG_NOCOOKIE)
		return 0;
	return (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
}

/* The small attributes of a message into s: shutdown, v6only, cgroup.
 * Returns 0, or -1 when one is malformed. */
static int
diag_parse_attrs(const struct nlattr *const *tb, struct conn_sample *s)
{
	if (tb[INET_DIAG_SHUTDOWN] != NULL) {
		if (mnl_attr_validate(tb[INET_DIAG_SHUTDOWN], MNL_TYPE_U8) ==
		    -1)
			return -1;
		s->shutdown = mnl_attr_get_u8(tb[INET_DIAG_SHUTDOWN]);
		s->flags |= CONN_HAS_SHUTDOWN;
	}
	/* Sent unasked for IPv6 sockets in LISTEN or CLOSE only
	 * (inet_diag_msg_attrs_fill); for any other state v6only stays
	 * unknown, and ss reads its absence as "not v6only". */
	if (tb[INET_DIAG_SKV6ONLY] != NULL) {
		if (mnl_attr_validate(tb[INET_DIAG_SKV6ONLY], MNL_TYPE_U8) ==
		    -1)
			return -1;
		s->flags |= CONN_HAS_V6ONLY;
		if (mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0)
			s->flags |= CONN_V6ONLY;
	}
	/* Sent to a caller with CAP_NET_ADMIN for every full socket
	 * (inet_diag_msg_attrs_fill); never for request or timewait ones,
	 * whose mark only the kernel's bytecode sees. */
	if (tb[INET_DIAG_MARK] != NULL) {
		if (mnl_attr_validate(tb[INET_DIAG_MARK], MNL_TYPE_U32) == -1)
			return -1;
		s->mark = conn_mark_intern(mnl_attr_get_u32(
		    tb[INET_DIAG_MARK]));
	}
	/* Sent for every full socket since 5.7 (inet_diag_msg_attrs_fill,
	 * unasked); never for request or timewait sockets. */
	if (tb[INET_DIAG_CGROUP_ID] != NULL) {
		if (mnl_attr_validate(tb[INET_DIAG_CGROUP_ID], MNL_TYPE_U64) ==
		    -1)
			return -1;
		s->cgroup = cgroup_intern(mnl_attr_get_u64(
		    tb[INET_DIAG_CGROUP_ID]));
	}
	return 0;
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
		s->info.delivery_rate = ti.tcpi_delivery_rate;
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
	return diag_parse_attrs(tb, s);
}

/* libmnl 1.0.4's mnl_nlmsg_ok compares (int)nlmsg_len, so a length of
 * 2^31 or more passes and mnl_nlmsg_next then jumps out of the buffer.
 * These two compare unsigned and never step past the end. */
int
diag_nlmsg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh &&
	    nlh->nlmsg_len <= left;
}

const struct nlmsghdr *
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
int
diag_errno(int code)
{
	return code < 0 && code > -4096 ? -code : EPROTO;
}

const struct nlmsghdr *
diag_answer_find(const void *buf, size_t len, unsigned seq, unsigned portid)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	while (left > 0) {
		if (!diag_nlmsg_ok(nlh, left)) {
			errno = EPROTO;
			return NULL;
		}
		/* Others are left from an earlier request or dump. */
		if (mnl_nlmsg_seq_ok(nlh, seq) &&
		    mnl_nlmsg_portid_ok(nlh, portid) &&
		    nlh->nlmsg_type != NLMSG_NOOP)
			return nlh;
		nlh = diag_nlmsg_next(nlh, &left);
	}
	errno = EAGAIN;
	return NULL;
}

/* The parse of one datagram, with the seq/portid a live dump checks (0 to
 * check nothing, as for a replay). */
int
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
		case TCPDIAG_GETSOCK:	/* diag_query.one_walk's */
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

int
diag_msg_sample(const struct nlmsghdr *nlh, struct conn_sample *s)
{
	return diag_parse_msg(nlh, s);
}
