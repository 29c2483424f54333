/* The TCP state machine's edges and the transitions counted on them. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/trans.h"
#include "tcptop/xmalloc.h"

/* RFC 793's diagram with its later fixes (RFC 1122, RFC 9293), plus the
 * aborts every stack has and the way Linux reports entering TIME_WAIT:
 * the full socket goes to CLOSE while a timewait minisocket takes its
 * place, so sock:inet_sock_set_state shows FIN_WAIT2 -> CLOSE and
 * CLOSING -> CLOSE, never -> TIME_WAIT. */
const struct trans_edge trans_edges[] = {
	{ TCP_CLOSE, TCP_LISTEN, TRANS_NORMAL, "listen()", NULL },
	{ TCP_CLOSE, TCP_SYN_SENT, TRANS_NORMAL, "connect(): snd SYN", NULL },
	{ TCP_LISTEN, TCP_SYN_RECV, TRANS_NORMAL, "rcv SYN, snd SYN+ACK",
	    "Linux keeps a small request socket in SYN_RECV; the tracepoint "
	    "shows a full socket's LISTEN -> SYN_RECV only when the final ACK "
	    "arrives" },
	{ TCP_LISTEN, TCP_CLOSE, TRANS_NORMAL, "close()", NULL },
	{ TCP_LISTEN, TCP_SYN_SENT, TRANS_NORMAL, "send data: snd SYN",
	    "not done by Linux" },
	{ TCP_SYN_SENT, TCP_ESTABLISHED, TRANS_NORMAL,
	    "rcv SYN+ACK, snd ACK", NULL },
	{ TCP_SYN_SENT, TCP_SYN_RECV, TRANS_NORMAL,
	    "rcv SYN, snd SYN+ACK (simultaneous open)", NULL },
	{ TCP_SYN_SENT, TCP_CLOSE, TRANS_ABNORMAL,
	    "rcv RST, timeout or close(): connect failed", NULL },
	{ TCP_SYN_RECV, TCP_ESTABLISHED, TRANS_NORMAL, "rcv ACK of SYN", NULL },
	{ TCP_SYN_RECV, TCP_FIN_WAIT1, TRANS_NORMAL, "close(): snd FIN",
	    NULL },
	{ TCP_SYN_RECV, TCP_LISTEN, TRANS_NORMAL, "rcv RST",
	    "Linux drops the request socket instead" },
	{ TCP_SYN_RECV, TCP_CLOSE, TRANS_ABNORMAL,
	    "rcv RST or SYN+ACK retries exhausted", NULL },
	{ TCP_ESTABLISHED, TCP_FIN_WAIT1, TRANS_NORMAL,
	    "close() or shutdown(): snd FIN", NULL },
	{ TCP_ESTABLISHED, TCP_CLOSE_WAIT, TRANS_NORMAL,
	    "rcv FIN, snd ACK", NULL },
	{ TCP_ESTABLISHED, TCP_CLOSE, TRANS_ABNORMAL,
	    "rcv or snd RST, or retransmissions exhausted: reset", NULL },
	{ TCP_FIN_WAIT1, TCP_FIN_WAIT2, TRANS_NORMAL, "rcv ACK of FIN", NULL },
	{ TCP_FIN_WAIT1, TCP_CLOSING, TRANS_NORMAL,
	    "rcv FIN, snd ACK (simultaneous close)", NULL },
	{ TCP_FIN_WAIT1, TCP_TIME_WAIT, TRANS_NORMAL,
	    "rcv FIN+ACK, snd ACK", NULL },
	{ TCP_FIN_WAIT1, TCP_CLOSE, TRANS_ABNORMAL, "rcv RST or abort",
	    NULL },
	{ TCP_FIN_WAIT2, TCP_TIME_WAIT, TRANS_NORMAL, "rcv FIN, snd ACK",
	    "Linux reports FIN_WAIT2 -> CLOSE: a timewait minisocket "
	    "replaces the socket" },
	{ TCP_FIN_WAIT2, TCP_CLOSE, TRANS_LINUX,
	    "into TIME_WAIT (as Linux reports it), or tcp_fin_timeout",
	    "Linux: entering TIME_WAIT, or an orphan's tcp_fin_timeout" },
	{ TCP_CLOSING, TCP_TIME_WAIT, TRANS_NORMAL, "rcv ACK of FIN",
	    "Linux reports CLOSING -> CLOSE" },
	{ TCP_CLOSING, TCP_CLOSE, TRANS_LINUX,
	    "into TIME_WAIT (as Linux reports it)", NULL },
	{ TCP_CLOSE_WAIT, TCP_LAST_ACK, TRANS_NORMAL, "close(): snd FIN",
	    NULL },
	{ TCP_CLOSE_WAIT, TCP_CLOSE, TRANS_ABNORMAL, "rcv RST or abort",
	    NULL },
	{ TCP_LAST_ACK, TCP_CLOSE, TRANS_NORMAL, "rcv ACK of FIN", NULL },
	{ TCP_TIME_WAIT, TCP_CLOSE, TRANS_NORMAL, "2MSL timeout (60 s)",
	    "the timewait minisocket just goes: no tracepoint event" },
};

const size_t trans_nedges = sizeof trans_edges / sizeof trans_edges[0];

/* Rates: a ring of per-second buckets per edge. */
#define TRANS_BUCKETS 64

struct trans {
	int64_t window_ms;
	uint64_t matrix[16][16];
	int64_t *last;			/* per edge */
	uint32_t (*buckets)[TRANS_BUCKETS];	/* per edge, per second */
	int64_t *bucket_sec;		/* which second each edge's ring
					 * head holds */
	struct trans_event *events;
	size_t nevents;
	size_t capevents;
};

int
trans_edge_find(int from, int to)
{
	size_t i;

	for (i = 0; i < trans_nedges; i++)
		if (trans_edges[i].from == from && trans_edges[i].to == to)
			return (int)i;
	return -1;
}

struct trans *
trans_new(int64_t window_ms)
{
	struct trans *t = xcalloc(1, sizeof *t);
	size_t i;

	t->window_ms = window_ms < 1000 ? 1000 :
	    window_ms > (TRANS_BUCKETS - 1) * 1000 ?
	    (TRANS_BUCKETS - 1) * 1000 : window_ms;
	t->last = xcalloc(trans_nedges, sizeof *t->last);
	t->buckets = xcalloc(trans_nedges, sizeof *t->buckets);
	t->bucket_sec = xcalloc(trans_nedges, sizeof *t->bucket_sec);
	for (i = 0; i < trans_nedges; i++)
		t->last[i] = INT64_MIN;
	return t;
}

void
trans_free(struct trans *t)
{
	if (t == NULL)
		return;
	free(t->last);
	free(t->buckets);
	free(t->bucket_sec);
	free(t->events);
	free(t);
}

/* Move edge i's ring to second sec, zeroing the seconds skipped. */
static void
trans_advance(struct trans *t, size_t i, int64_t sec)
{
	int64_t s;

	if (sec <= t->bucket_sec[i])
		return;
	if (sec - t->bucket_sec[i] >= TRANS_BUCKETS)
		memset(t->buckets[i], 0, sizeof t->buckets[i]);
	else
		for (s = t->bucket_sec[i] + 1; s <= sec; s++)
			t->buckets[i][s % TRANS_BUCKETS] = 0;
	t->bucket_sec[i] = sec;
}

int
trans_add(struct trans *t, const struct trans_event *e)
{
	int i;
	int64_t sec;

	if (e->from == e->to)
		return -1;
	t->matrix[e->from & 15][e->to & 15]++;
	if (t->nevents == t->capevents) {
		t->capevents = t->capevents ? t->capevents * 2 : 64;
		t->events = xreallocarray(t->events, t->capevents,
		    sizeof *t->events);
	}
	t->events[t->nevents++] = *e;
	i = trans_edge_find(e->from, e->to);
	if (i < 0)
		return -1;
	if (e->t_ms > t->last[i] || t->last[i] == INT64_MIN)
		t->last[i] = e->t_ms;
	sec = e->t_ms / 1000;
	trans_advance(t, (size_t)i, sec);
	/* An event older than the ring's head still counts, in its own
	 * second if the ring holds it. */
	if (t->bucket_sec[i] - sec < TRANS_BUCKETS)
		t->buckets[i][((sec % TRANS_BUCKETS) + TRANS_BUCKETS) %
		    TRANS_BUCKETS]++;
	return i;
}

uint64_t
trans_count(const struct trans *t, int from, int to)
{
	return t->matrix[from & 15][to & 15];
}

double
trans_rate(const struct trans *t, size_t edge, int64_t now_ms)
{
	int64_t now = now_ms / 1000, s, from;
	uint64_t sum = 0;

	if (edge >= trans_nedges)
		return 0;
	/* Whole seconds of the window before the current one. */
	from = now - t->window_ms / 1000;
	for (s = from; s < now; s++) {
		if (s > t->bucket_sec[edge] ||
		    t->bucket_sec[edge] - s >= TRANS_BUCKETS)
			continue;
		sum += t->buckets[edge][((s % TRANS_BUCKETS) + TRANS_BUCKETS) %
		    TRANS_BUCKETS];
	}
	return (double)sum / (double)(t->window_ms / 1000);
}

int64_t
trans_last_ms(const struct trans *t, size_t edge)
{
	return edge < trans_nedges ? t->last[edge] : INT64_MIN;
}

const struct trans_event *
trans_events(const struct trans *t, size_t *n)
{
	*n = t->nevents;
	return t->events;
}

void
trans_clear_events(struct trans *t)
{
	/* Grown by a burst: smaller again when the last refresh's events
	 * would fit four times over (they are gone now). */
	if (t->capevents > 4096 && t->capevents / 4 > t->nevents) {
		t->capevents = t->nevents * 2 > 64 ? t->nevents * 2 : 64;
		t->events = xreallocarray(t->events, t->capevents,
		    sizeof *t->events);
	}
	t->nevents = 0;
}

void
trans_describe(unsigned sources, double delay, unsigned long lost,
    unsigned long overflows, char *buf, size_t len)
{
	if (sources == 0)
		/* Nothing to compare the one refresh with. */
		snprintf(buf, len, "none: one refresh");
	else if ((sources & (1u << TRANS_SRC_TRACE)) && lost + overflows == 0)
		snprintf(buf, len, "exact");
	else if (sources & (1u << TRANS_SRC_TRACE))
		/* An overflow lost one notification or more: at least. */
		snprintf(buf, len, "exact except %lu%s lost", lost + overflows,
		    overflows > 0 ? "+" : "");
	else
		snprintf(buf, len, "sampled every %.1f s", delay);
}

void
trans_event_sample(const struct trans_event *e, struct conn_sample *s)
{
	memset(s, 0, sizeof *s);
	s->family = e->family;
	s->lport = e->lport;
	s->rport = e->rport;
	memcpy(s->local, e->local, 16);
	memcpy(s->remote, e->remote, 16);
	s->state = e->to;
}
