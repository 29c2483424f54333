/* The edge table and the counting engine. */
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/trans.h"

static struct trans_event
ev(int64_t t_ms, int from, int to)
{
	struct trans_event e;

	memset(&e, 0, sizeof e);
	e.t_ms = t_ms;
	e.family = AF_INET;
	e.from = (uint8_t)from;
	e.to = (uint8_t)to;
	e.source = TRANS_SRC_DIFF;
	return e;
}

int
main(void)
{
	struct trans *t = trans_new(10000);
	struct trans_event e;
	const struct trans_event *evs;
	size_t i, j, n;
	int k;
	char buf[64];

	/* Every edge once, each with a label; every state has a way in and
	 * (but CLOSE) a way out. */
	for (i = 0; i < trans_nedges; i++) {
		CHECK(trans_edges[i].label != NULL && trans_edges[i].from !=
		    trans_edges[i].to);
		CHECK_EQ(trans_edge_find(trans_edges[i].from,
		    trans_edges[i].to), (int)i);
		for (j = i + 1; j < trans_nedges; j++)
			CHECK(trans_edges[i].from != trans_edges[j].from ||
			    trans_edges[i].to != trans_edges[j].to);
	}
	for (k = TCP_ESTABLISHED; k <= TCP_CLOSING; k++) {
		int in = 0, out = 0;

		for (i = 0; i < trans_nedges; i++) {
			in += trans_edges[i].to == k;
			out += trans_edges[i].from == k;
		}
		CHECK(in > 0 && out > 0);
	}
	CHECK(trans_edges[trans_edge_find(TCP_SYN_SENT, TCP_CLOSE)].kind ==
	    TRANS_ABNORMAL);
	CHECK(trans_edges[trans_edge_find(TCP_ESTABLISHED, TCP_CLOSE)].kind ==
	    TRANS_ABNORMAL);
	CHECK_EQ(trans_edge_find(TCP_TIME_WAIT, TCP_ESTABLISHED), -1);

	/* Counts, on and off the diagram; a no-change is no transition. */
	for (i = 0; i < 20; i++) {
		e = ev(1000 + (int64_t)i * 100, TCP_SYN_SENT, TCP_ESTABLISHED);
		CHECK(trans_add(t, &e) >= 0);
	}
	e = ev(3000, TCP_TIME_WAIT, TCP_ESTABLISHED);
	CHECK_EQ(trans_add(t, &e), -1);
	e = ev(3000, TCP_LISTEN, TCP_LISTEN);
	CHECK_EQ(trans_add(t, &e), -1);
	CHECK_EQ(trans_count(t, TCP_SYN_SENT, TCP_ESTABLISHED), 20);
	CHECK_EQ(trans_count(t, TCP_TIME_WAIT, TCP_ESTABLISHED), 1);
	CHECK_EQ(trans_count(t, TCP_LISTEN, TCP_LISTEN), 0);
	evs = trans_events(t, &n);
	CHECK(n == 21 && evs[0].t_ms == 1000 && evs[20].from == TCP_TIME_WAIT);
	trans_clear_events(t);
	trans_events(t, &n);
	CHECK_EQ(n, 0);

	/* Last taken, and the rate over the 10 s window: 20 in seconds 1
	 * and 2, so 2.0/s while they are in the window, 0 after. */
	k = trans_edge_find(TCP_SYN_SENT, TCP_ESTABLISHED);
	CHECK_EQ(trans_last_ms(t, (size_t)k), 2900);
	CHECK_EQ(trans_last_ms(t, (size_t)trans_edge_find(TCP_CLOSE,
	    TCP_LISTEN)), INT64_MIN);
	CHECK(trans_rate(t, (size_t)k, 5000) > 1.99 &&
	    trans_rate(t, (size_t)k, 5000) < 2.01);
	CHECK(trans_rate(t, (size_t)k, 30000) == 0);
	/* Much later, the ring starts over. */
	e = ev(200000, TCP_SYN_SENT, TCP_ESTABLISHED);
	trans_add(t, &e);
	CHECK(trans_rate(t, (size_t)k, 201000) > 0.09 &&
	    trans_rate(t, (size_t)k, 201000) < 0.11);

	trans_describe(1u << TRANS_SRC_TRACE | 1u << TRANS_SRC_DIFF, 1, 0, 0,
	    buf, sizeof buf);
	CHECK(strcmp(buf, "exact") == 0);
	/* Lost events make it exact no more, and say how many. */
	trans_describe(1u << TRANS_SRC_TRACE | 1u << TRANS_SRC_DIFF, 1, 12, 0,
	    buf, sizeof buf);
	CHECK(strcmp(buf, "exact except 12 lost") == 0);
	trans_describe(1u << TRANS_SRC_TRACE, 1, 12, 2, buf, sizeof buf);
	CHECK(strcmp(buf, "exact except 14+ lost") == 0);
	trans_describe(1u << TRANS_SRC_DIFF, 1, 0, 0, buf, sizeof buf);
	CHECK(strcmp(buf, "sampled every 1.0 s") == 0);
	trans_describe(1u << TRANS_SRC_DIFF, 1, 0, 3, buf, sizeof buf);
	CHECK(strcmp(buf, "sampled every 1.0 s") == 0);
	/* A run of one refresh has no source: it says so, not sampled. */
	trans_describe(0, 1, 0, 0, buf, sizeof buf);
	CHECK(strcmp(buf, "none: one refresh") == 0);
	trans_free(t);
	return check_done();
}
