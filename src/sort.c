/* Sort columns and a natural merge sort that is linear on the nearly
 * sorted lists that consecutive refreshes produce. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcptop/column.h"
#include "tcptop/sort.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#define SPACESHIP(a, b) (((a) > (b)) - ((a) < (b)))

/* Rank of each state in display order, so "state" sorts the way the
 * histogram reads: LISTEN first, CLOSE last. */
static uint8_t sort_state_rank[TCPSTATE_MAX + 1];

static int
sort_cmp_state(const struct conn *a, const struct conn *b)
{
	if (sort_state_rank[TCP_CLOSE] == 0) {
		int i;

		for (i = 0; i < TCPSTATE_MAX; i++)
			sort_state_rank[tcpstate_order[i]] = (uint8_t)(i + 1);
	}
	return SPACESHIP(sort_state_rank[a->s.state],
	    sort_state_rank[b->s.state]);
}

static int
sort_cmp_family(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.family, b->s.family);
}

static int
sort_cmp_endpoint(const struct conn *a, const struct conn *b, int remote)
{
	int c = SPACESHIP(a->s.family, b->s.family);

	if (c == 0)
		c = memcmp(remote ? a->s.remote : a->s.local,
		    remote ? b->s.remote : b->s.local, 16);
	if (c == 0)
		c = remote ? SPACESHIP(a->s.rport, b->s.rport) :
		    SPACESHIP(a->s.lport, b->s.lport);
	return c;
}

static int
sort_cmp_local(const struct conn *a, const struct conn *b)
{
	return sort_cmp_endpoint(a, b, 0);
}

static int
sort_cmp_remote(const struct conn *a, const struct conn *b)
{
	return sort_cmp_endpoint(a, b, 1);
}

static int
sort_cmp_lport(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.lport, b->s.lport);
}

static int
sort_cmp_rport(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.rport, b->s.rport);
}

static int
sort_cmp_recvq(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.rqueue, b->s.rqueue);
}

static int
sort_cmp_sendq(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.wqueue, b->s.wqueue);
}

/* Longest in its state first when ascending reads "oldest first". */
static int
sort_cmp_age(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(b->state_since_ms, a->state_since_ms);
}

static int
sort_cmp_rtt(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.rtt_us, b->s.info.rtt_us);
}

static int
sort_cmp_retrans(const struct conn *a, const struct conn *b)
{
	int c = SPACESHIP(a->s.info.total_retrans, b->s.info.total_retrans);

	return c != 0 ? c : SPACESHIP(a->s.retrans, b->s.retrans);
}

static int
sort_cmp_uid(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.uid, b->s.uid);
}

static int
sort_cmp_inode(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.inode, b->s.inode);
}

static int
sort_cmp_cookie(const struct conn *a, const struct conn *b)
{
	(void)a;
	(void)b;
	return 0;	/* the tie-break does it */
}

/* The tcp_info counters: a socket without tcp_info has them zero. */
static int
sort_cmp_rttvar_us(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.rttvar_us, b->s.info.rttvar_us);
}

static int
sort_cmp_snd_cwnd(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.snd_cwnd, b->s.info.snd_cwnd);
}

static int
sort_cmp_snd_ssthresh(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.snd_ssthresh, b->s.info.snd_ssthresh);
}

static int
sort_cmp_lost(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.lost, b->s.info.lost);
}

static int
sort_cmp_bytes_acked(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.bytes_acked, b->s.info.bytes_acked);
}

static int
sort_cmp_bytes_received(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.bytes_received, b->s.info.bytes_received);
}

static int
sort_cmp_delivery_rate(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.delivery_rate, b->s.info.delivery_rate);
}

static int
sort_cmp_snd_wnd(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.snd_wnd, b->s.info.snd_wnd);
}

static int
sort_cmp_rcv_space(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->s.info.rcv_space, b->s.info.rcv_space);
}

/* Rows without a rate yet (first sight) count as 0. */
static int
sort_cmp_tx(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->flags & CONN_RATE ? a->tx_rate : 0,
	    b->flags & CONN_RATE ? b->tx_rate : 0);
}

static int
sort_cmp_rx(const struct conn *a, const struct conn *b)
{
	return SPACESHIP(a->flags & CONN_RATE ? a->rx_rate : 0,
	    b->flags & CONN_RATE ? b->rx_rate : 0);
}

/* Fullest listener first when descending; other sockets below any. */
static int
sort_cmp_acceptq(const struct conn *a, const struct conn *b)
{
	double pa = -1, pb = -1;

	if (column_accept_fill(a, &pa) == -1)
		pa = -1;
	if (column_accept_fill(b, &pb) == -1)
		pb = -1;
	return SPACESHIP(pa, pb);
}

const struct sort_column sort_columns[SORT_NKEYS] = {
	[SORT_STATE] = { "state", "TCP state, in histogram order",
	    sort_cmp_state },
	[SORT_FAMILY] = { "family", "IPv4 before IPv6", sort_cmp_family },
	[SORT_LOCAL] = { "local", "local address and port", sort_cmp_local },
	[SORT_REMOTE] = { "remote", "remote address and port",
	    sort_cmp_remote },
	[SORT_LPORT] = { "lport", "local port", sort_cmp_lport },
	[SORT_RPORT] = { "rport", "remote port", sort_cmp_rport },
	[SORT_RECVQ] = { "recvq", "Recv-Q bytes", sort_cmp_recvq },
	[SORT_SENDQ] = { "sendq", "Send-Q bytes", sort_cmp_sendq },
	[SORT_AGE] = { "age", "time in state, longest first", sort_cmp_age },
	[SORT_RTT] = { "rtt", "smoothed round-trip time", sort_cmp_rtt },
	[SORT_RETRANS] = { "retrans", "retransmitted segments",
	    sort_cmp_retrans },
	[SORT_UID] = { "uid", "owner uid", sort_cmp_uid },
	[SORT_INODE] = { "inode", "socket inode", sort_cmp_inode },
	[SORT_COOKIE] = { "cookie", "socket cookie (discovery order)",
	    sort_cmp_cookie },
	[SORT_RTTVAR] = { "rttvar", "round-trip time variation",
	    sort_cmp_rttvar_us },
	[SORT_CWND] = { "cwnd", "congestion window", sort_cmp_snd_cwnd },
	[SORT_SSTHRESH] = { "ssthresh", "slow-start threshold",
	    sort_cmp_snd_ssthresh },
	[SORT_LOST] = { "lost", "segments thought lost", sort_cmp_lost },
	[SORT_ACKED] = { "acked", "bytes acknowledged", sort_cmp_bytes_acked },
	[SORT_RECEIVED] = { "received", "bytes received",
	    sort_cmp_bytes_received },
	[SORT_DELIVERY] = { "delivery", "delivery rate",
	    sort_cmp_delivery_rate },
	[SORT_TX] = { "tx", "bytes/s acknowledged since the last refresh",
	    sort_cmp_tx },
	[SORT_RX] = { "rx", "bytes/s received since the last refresh",
	    sort_cmp_rx },
	[SORT_SNDWND] = { "sndwnd", "peer's receive window", sort_cmp_snd_wnd },
	[SORT_RCVSPACE] = { "rcvspace", "receive space", sort_cmp_rcv_space },
	[SORT_ACCEPTQ] = { "acceptq", "LISTEN accept queue fill",
	    sort_cmp_acceptq },
};

int
sort_lookup(const char *name)
{
	int i;

	for (i = 0; i < SORT_NKEYS; i++)
		if (strcasecmp(name, sort_columns[i].name) == 0)
			return i;
	return -1;
}

struct sort_ctx {
	int (*cmp)(const struct conn *, const struct conn *);
	int reverse;
};

static int
sort_cmp(const struct sort_ctx *x, const struct conn *a, const struct conn *b)
{
	int c = x->cmp(a, b);

	if (x->reverse)
		c = -c;
	/* Equal keys keep a fixed order, so rows don't jitter. */
	return c != 0 ? c : SPACESHIP(a->s.cookie, b->s.cookie);
}

/* Merge the sorted runs v[lo..mid) and v[mid..hi) through tmp. */
static void
sort_merge(const struct sort_ctx *x, const struct conn **v,
    const struct conn **tmp, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	if (sort_cmp(x, v[mid - 1], v[mid]) <= 0)
		return;		/* already in order: the common case */
	while (i < mid && j < hi)
		tmp[k++] = sort_cmp(x, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	memcpy(v + lo, tmp + lo, (j - lo) * sizeof *v);
}

void
sort_conns(const struct conn **v, size_t n, int key, int reverse,
    struct sort_buf *buf)
{
	struct sort_ctx x;
	size_t *runs, nruns = 0, i;

	if (n < 2)
		return;
	if (key < 0 || key >= SORT_NKEYS)
		key = SORT_STATE;
	x.cmp = sort_columns[key].cmp;
	x.reverse = reverse;
	if (buf->cap < n) {
		free(buf->tmp);
		free(buf->runs);
		buf->cap = n + n / 4;
		buf->tmp = xreallocarray(NULL, buf->cap, sizeof *buf->tmp);
		buf->runs = xreallocarray(NULL, buf->cap + 1,
		    sizeof *buf->runs);
	}
	/* Find the ascending runs (a strictly descending run is reversed in
	 * place), then merge neighbours until one run is left. */
	runs = buf->runs;
	i = 0;
	while (i < n) {
		size_t start = i++;

		if (i < n && sort_cmp(&x, v[i - 1], v[i]) > 0) {
			while (i < n && sort_cmp(&x, v[i - 1], v[i]) > 0)
				i++;
			for (size_t a = start, b = i - 1; a < b; a++, b--) {
				const struct conn *t = v[a];

				v[a] = v[b];
				v[b] = t;
			}
		} else {
			while (i < n && sort_cmp(&x, v[i - 1], v[i]) <= 0)
				i++;
		}
		runs[nruns++] = start;
	}
	runs[nruns] = n;
	while (nruns > 1) {
		size_t r, m = 0;

		for (r = 0; r + 1 < nruns; r += 2) {
			sort_merge(&x, v, buf->tmp, runs[r], runs[r + 1],
			    runs[r + 2]);
			runs[m++] = runs[r];
		}
		if (r < nruns)
			runs[m++] = runs[r];
		runs[m] = n;
		nruns = m;
	}
}

void
sort_buf_done(struct sort_buf *buf)
{
	free(buf->tmp);
	free(buf->runs);
	buf->tmp = NULL;
	buf->runs = NULL;
	buf->cap = 0;
}
