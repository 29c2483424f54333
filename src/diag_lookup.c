/* One socket asked for by id, with every field of the answer named for
 * the detail view. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>


#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/tcpstate.h"
#include "diag_int.h"

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
	int unit;		/* enum unit */
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
	DIAG_TI(state, UNIT_NONE),
	DIAG_TI(ca_state, UNIT_NONE),
	DIAG_TI(retransmits, UNIT_NONE),
	DIAG_TI(probes, UNIT_NONE),
	DIAG_TI(backoff, UNIT_NONE),
	DIAG_TI(options, UNIT_NONE),
	{ "snd_wscale", UNIT_NONE, DIAG_TCPI_BITS - 2, 1, DIAG_K_SND_WSCALE },
	{ "rcv_wscale", UNIT_NONE, DIAG_TCPI_BITS - 2, 1, DIAG_K_RCV_WSCALE },
	{ "delivery_rate_app_limited", UNIT_NONE, DIAG_TCPI_BITS - 1, 1,
	    DIAG_K_APP_LIMITED },
	{ "fastopen_client_fail", UNIT_NONE, DIAG_TCPI_BITS - 1, 1,
	    DIAG_K_FASTOPEN_FAIL },
	DIAG_TI(rto, UNIT_US),
	DIAG_TI(ato, UNIT_US),
	DIAG_TI(snd_mss, UNIT_BYTES),
	DIAG_TI(rcv_mss, UNIT_BYTES),
	DIAG_TI(unacked, UNIT_SEGMENTS),
	DIAG_TI(sacked, UNIT_SEGMENTS),
	DIAG_TI(lost, UNIT_SEGMENTS),
	DIAG_TI(retrans, UNIT_SEGMENTS),
	DIAG_TI(fackets, UNIT_SEGMENTS),
	DIAG_TI(last_data_sent, UNIT_MS),
	DIAG_TI(last_ack_sent, UNIT_MS),
	DIAG_TI(last_data_recv, UNIT_MS),
	DIAG_TI(last_ack_recv, UNIT_MS),
	DIAG_TI(pmtu, UNIT_BYTES),
	DIAG_TI(rcv_ssthresh, UNIT_BYTES),
	DIAG_TI(rtt, UNIT_US),
	DIAG_TI(rttvar, UNIT_US),
	DIAG_TI(snd_ssthresh, UNIT_SEGMENTS),
	DIAG_TI(snd_cwnd, UNIT_SEGMENTS),
	DIAG_TI(advmss, UNIT_BYTES),
	DIAG_TI(reordering, UNIT_SEGMENTS),
	DIAG_TI(rcv_rtt, UNIT_US),
	DIAG_TI(rcv_space, UNIT_BYTES),
	DIAG_TI(total_retrans, UNIT_SEGMENTS),
	DIAG_TI(pacing_rate, UNIT_RATE),
	DIAG_TI(max_pacing_rate, UNIT_RATE),
	DIAG_TI(bytes_acked, UNIT_BYTES),
	DIAG_TI(bytes_received, UNIT_BYTES),
	DIAG_TI(segs_out, UNIT_SEGMENTS),
	DIAG_TI(segs_in, UNIT_SEGMENTS),
	DIAG_TI(notsent_bytes, UNIT_BYTES),
	DIAG_TI(min_rtt, UNIT_US),
	DIAG_TI(data_segs_in, UNIT_SEGMENTS),
	DIAG_TI(data_segs_out, UNIT_SEGMENTS),
	DIAG_TI(delivery_rate, UNIT_RATE),
	DIAG_TI(busy_time, UNIT_US),
	DIAG_TI(rwnd_limited, UNIT_US),
	DIAG_TI(sndbuf_limited, UNIT_US),
	DIAG_TI(delivered, UNIT_SEGMENTS),
	DIAG_TI(delivered_ce, UNIT_SEGMENTS),
	DIAG_TI(bytes_sent, UNIT_BYTES),
	DIAG_TI(bytes_retrans, UNIT_BYTES),
	DIAG_TI(dsack_dups, UNIT_SEGMENTS),
	DIAG_TI(reord_seen, UNIT_NONE),
	DIAG_TI(rcv_ooopack, UNIT_PACKETS),
	DIAG_TI(snd_wnd, UNIT_BYTES),
	DIAG_TT(rcv_wnd, UNIT_BYTES),
	DIAG_TT(rehash, UNIT_NONE),
	DIAG_TT(total_rto, UNIT_NONE),
	DIAG_TT(total_rto_recoveries, UNIT_NONE),
	DIAG_TT(total_rto_time, UNIT_MS),
	DIAG_TT(received_ce, UNIT_SEGMENTS),
	DIAG_TT(delivered_e1_bytes, UNIT_BYTES),
	DIAG_TT(delivered_e0_bytes, UNIT_BYTES),
	DIAG_TT(delivered_ce_bytes, UNIT_BYTES),
	DIAG_TT(received_e1_bytes, UNIT_BYTES),
	DIAG_TT(received_e0_bytes, UNIT_BYTES),
	DIAG_TT(received_ce_bytes, UNIT_BYTES),
};

static const struct diag_fdesc diag_cong_fields[] = {
	{ "cc", UNIT_NONE, 0, 1, DIAG_K_NAME },
};

static const struct diag_fdesc diag_vegas_fields[] = {
	DIAG_F(struct tcpvegas_info, tcpv_enabled, "vegas_enabled", UNIT_NONE),
	DIAG_F(struct tcpvegas_info, tcpv_rttcnt, "vegas_rttcnt", UNIT_NONE),
	DIAG_F(struct tcpvegas_info, tcpv_rtt, "vegas_rtt", UNIT_US),
	DIAG_F(struct tcpvegas_info, tcpv_minrtt, "vegas_min_rtt", UNIT_US),
};

static const struct diag_fdesc diag_dctcp_fields[] = {
	DIAG_F(struct tcp_dctcp_info, dctcp_enabled, "dctcp_enabled",
	    UNIT_NONE),
	DIAG_F(struct tcp_dctcp_info, dctcp_ce_state, "dctcp_ce_state",
	    UNIT_NONE),
	DIAG_F(struct tcp_dctcp_info, dctcp_alpha, "dctcp_alpha", UNIT_NONE),
	DIAG_F(struct tcp_dctcp_info, dctcp_ab_ecn, "dctcp_ab_ecn", UNIT_BYTES),
	DIAG_F(struct tcp_dctcp_info, dctcp_ab_tot, "dctcp_ab_tot", UNIT_BYTES),
};

static const struct diag_fdesc diag_bbr_fields[] = {
	{ "bbr_bw", UNIT_RATE, offsetof(struct tcp_bbr_info, bbr_bw_lo), 8,
	    DIAG_K_LOHI },
	DIAG_F(struct tcp_bbr_info, bbr_min_rtt, "bbr_min_rtt", UNIT_US),
	DIAG_F(struct tcp_bbr_info, bbr_pacing_gain, "bbr_pacing_gain",
	    UNIT_NONE),
	DIAG_F(struct tcp_bbr_info, bbr_cwnd_gain, "bbr_cwnd_gain", UNIT_NONE),
};

/* INET_DIAG_SKMEMINFO: a u32 array indexed by SK_MEMINFO_*. */
static const struct diag_fdesc diag_skmem_fields[] = {
	{ "rmem_alloc", UNIT_BYTES, SK_MEMINFO_RMEM_ALLOC * 4, 4, DIAG_K_UINT },
	{ "rcvbuf", UNIT_BYTES, SK_MEMINFO_RCVBUF * 4, 4, DIAG_K_UINT },
	{ "wmem_alloc", UNIT_BYTES, SK_MEMINFO_WMEM_ALLOC * 4, 4, DIAG_K_UINT },
	{ "sndbuf", UNIT_BYTES, SK_MEMINFO_SNDBUF * 4, 4, DIAG_K_UINT },
	{ "fwd_alloc", UNIT_BYTES, SK_MEMINFO_FWD_ALLOC * 4, 4, DIAG_K_UINT },
	{ "wmem_queued", UNIT_BYTES, SK_MEMINFO_WMEM_QUEUED * 4, 4,
	    DIAG_K_UINT },
	{ "optmem", UNIT_BYTES, SK_MEMINFO_OPTMEM * 4, 4, DIAG_K_UINT },
	{ "backlog", UNIT_BYTES, SK_MEMINFO_BACKLOG * 4, 4, DIAG_K_UINT },
	{ "drops", UNIT_PACKETS, SK_MEMINFO_DROPS * 4, 4, DIAG_K_UINT },
};

static const struct diag_fdesc diag_shutdown_field[] = {
	{ "shutdown", UNIT_NONE, 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_tos_field[] = {
	{ "tos", UNIT_NONE, 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_tclass_field[] = {
	{ "tclass", UNIT_NONE, 0, 1, DIAG_K_UINT } };
static const struct diag_fdesc diag_class_id_field[] = {
	{ "class_id", UNIT_NONE, 0, 4, DIAG_K_UINT } };
static const struct diag_fdesc diag_mark_field[] = {
	{ "mark", UNIT_NONE, 0, 4, DIAG_K_UINT } };
static const struct diag_fdesc diag_cgroup_id_field[] = {
	{ "cgroup_id", UNIT_NONE, 0, 8, DIAG_K_UINT } };

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
	const struct nlmsghdr *nlh = diag_answer_find(buf, len, seq, portid);
	const struct nlmsgerr *ne;

	if (nlh == NULL)
		return -1;
	switch (nlh->nlmsg_type) {
	case SOCK_DIAG_BY_FAMILY:
		return diag_lookup_fields(nlh, s, out, max);
	case NLMSG_ERROR:
		/* The request asks for no acknowledgement: an error of 0 is
		 * as unexpected as any other message. */
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
}

int
diag_state_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid, const struct conn_sample *s)
{
	const struct nlmsghdr *nlh = diag_answer_find(buf, len, seq, portid);
	const struct nlattr *tb[DIAG_ATTR_MAX + 1];
	const struct inet_diag_msg *m;

	if (nlh == NULL)
		return -1;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return diag_lookup_parse(buf, len, seq, portid, s, NULL, 0);
	if ((m = diag_msg_check(nlh, tb)) == NULL) {
		errno = EPROTO;
		return -1;
	}
	if (!diag_msg_is(m, s)) {
		errno = ENOENT;
		return -1;
	}
	return m->idiag_state;
}

/* How long a lookup waits for its answer.  The kernel answers at once;
 * the bound only keeps the caller, the UI loop, from hanging on a lost
 * one. */
#define DIAG_LOOKUP_TIMEOUT_MS 1000

/* Where diag_lookup's answer goes. */
struct diag_lookup_arg {
	const struct conn_sample *s;
	struct diag_field *out;
	size_t max;
};

static int
diag_lookup_answer(const void *buf, size_t len, unsigned seq,
    unsigned portid, void *arg)
{
	const struct diag_lookup_arg *a = arg;

	return diag_lookup_parse(buf, len, seq, portid, a->s, a->out, a->max);
}

static int
diag_state_answer(const void *buf, size_t len, unsigned seq,
    unsigned portid, void *arg)
{
	return diag_state_parse(buf, len, seq, portid, arg);
}

/* The exact request for s: no NLM_F_DUMP, so the kernel looks the socket
 * up by id (inet_diag_find_one_icsk) and answers with one message, or
 * with an error (ENOENT when the 4-tuple or the cookie does not
 * match). */
void
diag_exact_build(struct nlmsghdr *nlh, unsigned seq,
    const struct conn_sample *s, uint8_t ext)
{
	struct inet_diag_req_v2 *r;

	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = s->family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = tcpstate_kernel_mask(TCPSTATE_ALL);
	r->idiag_ext = ext;
	diag_sockid_fill(&r->id, s);
}

/* The detail view's request: SKMEMINFO rather than MEMINFO, whose four
 * values it includes; VEGASINFO also brings DCTCP's and BBR's, and
 * TCLASS the class id. */
static void
diag_lookup_build(struct nlmsghdr *nlh, unsigned seq,
    const struct conn_sample *s)
{
	diag_exact_build(nlh, seq, s, (uint8_t)(1U << (INET_DIAG_INFO - 1) |
	    1U << (INET_DIAG_CONG - 1) | 1U << (INET_DIAG_VEGASINFO - 1) |
	    1U << (INET_DIAG_SKMEMINFO - 1) | 1U << (INET_DIAG_TOS - 1) |
	    1U << (INET_DIAG_TCLASS - 1) | 1U << (INET_DIAG_SHUTDOWN - 1)));
}

/* Ask for the one socket s names, answered through answer(arg).  The
 * socket may overflow (with what an abandoned dump left) and lose the
 * answer: then once more, on a fresh one.  Returns what diag_ask did. */
static int
diag_lookup_ask(struct diag *d, const struct conn_sample *s,
    int (*answer)(const void *, size_t, unsigned, unsigned, void *),
    void *arg)
{
	union {
		struct nlmsghdr h;
		char buf[MNL_NLMSG_HDRLEN +
		    MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	} req;
	int attempt, rc;

	if (s->family != AF_INET && s->family != AF_INET6) {
		errno = EINVAL;
		return -1;
	}
	for (attempt = 0;; attempt++) {
		diag_lookup_build(&req.h, ++d->seq, s);
		rc = diag_ask(d, &req.h, DIAG_LOOKUP_TIMEOUT_MS, answer, arg);
		if (rc == -1 && errno == ENOBUFS && attempt == 0) {
			if (diag_reopen(d) == -1)
				return -1;
			continue;
		}
		return rc;
	}
}

int
diag_lookup(struct diag *d, const struct conn_sample *s,
    struct diag_field *out, size_t max)
{
	struct diag_lookup_arg a = { s, out, max };

	return diag_lookup_ask(d, s, diag_lookup_answer, &a);
}

int
diag_state(struct diag *d, const struct conn_sample *s)
{
	return diag_lookup_ask(d, s, diag_state_answer, (void *)(uintptr_t)s);
}
