/* The reconciliation of the sources, on synthetic streams: tracepoint
 * events joined to the viewed namespace by tuple, foreign ones dropped,
 * nothing counted twice, Linux's entry into TIME_WAIT mapped onto the
 * textbook's, request sockets and minisockets from the refreshes, and
 * the sampled fallback.  Each test runs twice: the rows visited, and the
 * rows looked up in the table's 4-tuple index (a model kept from
 * events), which must come to the same counts. */
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/transfeed.h"

#define LADDR 1		/* 10.0.0.1: the viewed namespace's */
#define RADDR 2

static struct conn_sample
mk(uint64_t cookie, int state, unsigned lport, unsigned rport)
{
	struct conn_sample s;

	memset(&s, 0, sizeof s);
	s.cookie = cookie;
	s.family = AF_INET;
	s.state = (uint8_t)state;
	s.lport = (uint16_t)lport;
	s.rport = (uint16_t)rport;
	s.local[0] = 10;
	s.local[3] = LADDR;
	if (rport != 0) {
		s.remote[0] = 10;
		s.remote[3] = RADDR;
	}
	/* Full sockets have tcp_info; minisockets have none. */
	if (state != TCP_TIME_WAIT && state != TCP_SYN_RECV)
		s.flags = CONN_HAS_INFO;
	if (state == TCP_TIME_WAIT)
		s.timer = 3;
	return s;
}

static struct trans_event
tev(int64_t t, int from, int to, unsigned lport, unsigned rport)
{
	struct trans_event e;

	memset(&e, 0, sizeof e);
	e.t_ms = t;
	e.realtime_ns = t * 1000000;
	e.family = AF_INET;
	e.from = (uint8_t)from;
	e.to = (uint8_t)to;
	e.source = TRANS_SRC_TRACE;
	e.lport = (uint16_t)lport;
	e.rport = (uint16_t)rport;
	e.local[0] = 10;
	e.local[3] = LADDR;
	if (rport != 0) {
		e.remote[0] = 10;
		e.remote[3] = RADDR;
	}
	return e;
}

/* Whether rig_init gives the table its 4-tuple index. */
static int indexed;

struct rig {
	struct trans *t;
	struct conntab *tab;
	struct transfeed *f;
};

static void
rig_init(struct rig *r, int exact)
{
	r->t = trans_new(10000);
	r->tab = conntab_new(0);
	if (indexed)
		conntab_index_tuples(r->tab);
	r->f = transfeed_new(r->t, exact);
}

static void
rig_done(struct rig *r)
{
	transfeed_free(r->f);
	conntab_free(r->tab);
	trans_free(r->t);
}

/* A refresh at now: a dump of s[0..n), then the feed. */
static void
refresh(struct rig *r, int64_t now, const struct conn_sample *s, size_t n)
{
	size_t i;

	conntab_begin_scan(r->tab, now);
	for (i = 0; i < n; i++)
		conntab_update(r->tab, &s[i]);
	conntab_end_scan(r->tab);
	trans_clear_events(r->t);
	transfeed_refresh(r->f, r->tab, NULL, now, now * 1000000);
}

static void
trace(struct rig *r, int64_t t, int from, int to, unsigned lport,
    unsigned rport, uint64_t sk)
{
	struct trans_event e = tev(t, from, to, lport, rport);

	transfeed_trace(r->f, &e, sk);
}

static uint64_t
total(const struct trans *t)
{
	uint64_t sum = 0;
	int a, b;

	for (a = 0; a < 16; a++)
		for (b = 0; b < 16; b++)
			sum += trans_count(t, a, b);
	return sum;
}

/* A client's whole life, lived between two refreshes: only the
 * tracepoint and the destroy notification know it. */
static void
test_join(void)
{
	struct rig r;
	struct conn_sample lst = mk(1, TCP_LISTEN, 80, 0), d;
	size_t n;

	rig_init(&r, 1);
	refresh(&r, 1000, &lst, 1);
	/* A connect's first event has no local port yet. */
	trace(&r, 1100, TCP_CLOSE, TCP_SYN_SENT, 0, 9000, 0xa0);
	trace(&r, 1101, TCP_SYN_SENT, TCP_ESTABLISHED, 40000, 9000, 0xa0);
	trace(&r, 1200, TCP_ESTABLISHED, TCP_CLOSE, 40000, 9000, 0xa0);
	/* Not notified yet: held, nothing counted. */
	refresh(&r, 2000, &lst, 1);
	CHECK_EQ(total(r.t), 0);
	CHECK_EQ(transfeed_stats(r.f)->held, 3);
	d = mk(77, TCP_CLOSE, 40000, 9000);
	transfeed_destroy(r.f, &d, 2050, 2050000000);
	refresh(&r, 2500, &lst, 1);
	CHECK_EQ(trans_count(r.t, TCP_CLOSE, TCP_SYN_SENT), 1);
	CHECK_EQ(trans_count(r.t, TCP_SYN_SENT, TCP_ESTABLISHED), 1);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE), 1);
	CHECK_EQ(transfeed_stats(r.f)->held, 0);
	{
		const struct trans_event *ev = trans_events(r.t, &n);

		CHECK(n == 3 && ev[0].t_ms == 1100 && ev[2].t_ms == 1200 &&
		    ev[1].cookie == 77 && ev[0].source == TRANS_SRC_TRACE);
	}
	/* A refused connect: disconnected before it is freed, its
	 * notification has no local address and no remote port. */
	trace(&r, 2600, TCP_CLOSE, TCP_SYN_SENT, 0, 9001, 0xa8);
	trace(&r, 2601, TCP_SYN_SENT, TCP_CLOSE, 40001, 9001, 0xa8);
	d = mk(78, TCP_CLOSE, 40001, 0);
	d.remote[0] = 10;
	d.remote[3] = RADDR;
	memset(d.local, 0, sizeof d.local);
	transfeed_destroy(r.f, &d, 2650, 2650000000);
	refresh(&r, 3000, &lst, 1);
	CHECK_EQ(trans_count(r.t, TCP_SYN_SENT, TCP_CLOSE), 1);
	CHECK_EQ(trans_count(r.t, TCP_CLOSE, TCP_SYN_SENT), 2);
	rig_done(&r);
}

/* Events whose tuple no socket of ours has are another namespace's:
 * dropped after the hold, however they are read. */
static void
test_foreign(void)
{
	struct rig r;
	struct conn_sample s[2];
	int64_t now;

	rig_init(&r, 1);
	s[0] = mk(1, TCP_LISTEN, 80, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 80, 5000);
	refresh(&r, 1000, s, 2);
	trace(&r, 1100, TCP_ESTABLISHED, TCP_FIN_WAIT1, 80, 5001, 0xb0);
	trace(&r, 1101, TCP_FIN_WAIT1, TCP_FIN_WAIT2, 80, 5001, 0xb0);
	/* Ours, in the same read. */
	trace(&r, 1102, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 80, 5000, 0xb8);
	s[1].state = TCP_CLOSE_WAIT;
	for (now = 1500; now <= 4000; now += 500)
		refresh(&r, now, s, 2);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_FIN_WAIT1), 0);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT1, TCP_FIN_WAIT2), 0);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE_WAIT), 1);
	CHECK_EQ(total(r.t), 1);
	CHECK_EQ(transfeed_stats(r.f)->foreign, 2);
	/* The kernel reuses a freed socket's address, in any namespace: a
	 * foreign child read with our closed socket's events is not ours. */
	trace(&r, 4100, TCP_ESTABLISHED, TCP_CLOSE, 80, 5000, 0xb8);
	trace(&r, 4101, TCP_LISTEN, TCP_SYN_RECV, 7002, 6000, 0xb8);
	trace(&r, 4101, TCP_SYN_RECV, TCP_ESTABLISHED, 7002, 6000, 0xb8);
	refresh(&r, 4500, s, 1);
	refresh(&r, 6000, s, 1);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE), 1);
	CHECK_EQ(trans_count(r.t, TCP_LISTEN, TCP_SYN_RECV), 0);
	CHECK_EQ(transfeed_stats(r.f)->foreign, 4);
	CHECK_EQ(transfeed_stats(r.f)->held, 0);
	rig_done(&r);
}

/* A socket the refreshes see change is counted once, by the tracepoint,
 * with the states it passed between them. */
static void
test_no_double(void)
{
	struct rig r;
	struct conn_sample s = mk(5, TCP_ESTABLISHED, 40001, 80);

	rig_init(&r, 1);
	refresh(&r, 1000, &s, 1);
	trace(&r, 1200, TCP_ESTABLISHED, TCP_FIN_WAIT1, 40001, 80, 0xc0);
	trace(&r, 1201, TCP_FIN_WAIT1, TCP_FIN_WAIT2, 40001, 80, 0xc0);
	s.state = TCP_FIN_WAIT2;
	refresh(&r, 2000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_FIN_WAIT1), 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT1, TCP_FIN_WAIT2), 1);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_FIN_WAIT2), 0);
	CHECK_EQ(total(r.t), 2);

	/* Into TIME_WAIT: Linux's FIN_WAIT2 -> CLOSE becomes the
	 * textbook's -> TIME_WAIT once a dump shows the minisocket, and the
	 * refresh's own FIN_WAIT2 -> TIME_WAIT is not counted again. */
	trace(&r, 2100, TCP_FIN_WAIT2, TCP_CLOSE, 40001, 80, 0xc0);
	s = mk(5, TCP_TIME_WAIT, 40001, 80);
	refresh(&r, 3000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_CLOSE), 0);
	CHECK_EQ(transfeed_stats(r.f)->timewait, 1);
	/* And the minisocket's end, which no tracepoint reports. */
	refresh(&r, 4000, NULL, 0);
	CHECK_EQ(trans_count(r.t, TCP_TIME_WAIT, TCP_CLOSE), 1);
	CHECK_EQ(total(r.t), 4);
	rig_done(&r);
}

/* The -> CLOSE comes after the dump began: it waits for the next dump,
 * unless this one already saw the minisocket; counted once either way. */
static void
test_timewait_late(void)
{
	struct rig r;
	struct conn_sample s = mk(6, TCP_FIN_WAIT2, 40002, 80);

	rig_init(&r, 1);
	refresh(&r, 1000, &s, 1);
	trace(&r, 2003, TCP_FIN_WAIT2, TCP_CLOSE, 40002, 80, 0xd0);
	refresh(&r, 2000, &s, 1);		/* began before the event */
	CHECK_EQ(total(r.t), 0);
	CHECK_EQ(transfeed_stats(r.f)->held, 1);
	s = mk(6, TCP_TIME_WAIT, 40002, 80);
	refresh(&r, 3000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 1);
	CHECK_EQ(total(r.t), 1);

	/* The race: the dump began before the event yet walked past the
	 * minisocket after it appeared. */
	s = mk(7, TCP_FIN_WAIT2, 40003, 80);
	refresh(&r, 4000, &s, 1);
	trace(&r, 5002, TCP_FIN_WAIT2, TCP_CLOSE, 40003, 80, 0xd8);
	s = mk(7, TCP_TIME_WAIT, 40003, 80);
	refresh(&r, 5000, &s, 1);
	refresh(&r, 6000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 2);
	CHECK_EQ(trans_count(r.t, TCP_TIME_WAIT, TCP_CLOSE), 1);
	CHECK_EQ(total(r.t), 3);
	CHECK_EQ(transfeed_stats(r.f)->held, 0);

	/* An orphan's FIN_WAIT2 goes on in a minisocket: nothing yet, then
	 * its FIN_WAIT2 -> TIME_WAIT from the refreshes. */
	trace(&r, 6100, TCP_FIN_WAIT1, TCP_FIN_WAIT2, 40004, 80, 0xe0);
	trace(&r, 6101, TCP_FIN_WAIT2, TCP_CLOSE, 40004, 80, 0xe0);
	s = mk(8, TCP_FIN_WAIT2, 40004, 80);
	s.timer = 3;
	s.flags = 0;
	refresh(&r, 7000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT1, TCP_FIN_WAIT2), 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 2);
	s = mk(8, TCP_TIME_WAIT, 40004, 80);
	refresh(&r, 8000, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 3);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_CLOSE), 0);
	rig_done(&r);
}

/* Passive opens: the child's events (the first with the listener's
 * tuple) are the tracepoint's; a request that never completes is the
 * refreshes'. */
static void
test_requests(void)
{
	struct rig r;
	struct conn_sample s[2];

	rig_init(&r, 1);
	s[0] = mk(1, TCP_LISTEN, 80, 0);
	refresh(&r, 1000, s, 1);
	/* Completed: a request seen, then the child. */
	s[1] = mk(10, TCP_SYN_RECV, 80, 6000);
	refresh(&r, 2000, s, 2);
	trace(&r, 2100, TCP_LISTEN, TCP_SYN_RECV, 80, 0, 0xf0);
	trace(&r, 2100, TCP_SYN_RECV, TCP_ESTABLISHED, 80, 6000, 0xf0);
	s[1] = mk(10, TCP_ESTABLISHED, 80, 6000);
	refresh(&r, 3000, s, 2);
	CHECK_EQ(trans_count(r.t, TCP_LISTEN, TCP_SYN_RECV), 1);
	CHECK_EQ(trans_count(r.t, TCP_SYN_RECV, TCP_ESTABLISHED), 1);
	CHECK_EQ(total(r.t), 2);
	/* A request that completes and closes between two refreshes. */
	s[1] = mk(11, TCP_SYN_RECV, 80, 6001);
	refresh(&r, 4000, s, 2);
	trace(&r, 4100, TCP_LISTEN, TCP_SYN_RECV, 80, 0, 0xf8);
	trace(&r, 4100, TCP_SYN_RECV, TCP_ESTABLISHED, 80, 6001, 0xf8);
	trace(&r, 4200, TCP_ESTABLISHED, TCP_CLOSE, 80, 6001, 0xf8);
	refresh(&r, 5000, s, 1);	/* the notification is late */
	{
		struct conn_sample d = mk(11, TCP_CLOSE, 80, 6001);

		transfeed_destroy(r.f, &d, 5010, 0);
	}
	refresh(&r, 5500, s, 1);
	CHECK_EQ(trans_count(r.t, TCP_LISTEN, TCP_SYN_RECV), 2);
	CHECK_EQ(trans_count(r.t, TCP_SYN_RECV, TCP_CLOSE), 0);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE), 1);
	/* Never completed (SYN+ACK retries exhausted). */
	s[1] = mk(12, TCP_SYN_RECV, 80, 6002);
	refresh(&r, 6000, s, 2);
	refresh(&r, 7000, s, 1);
	CHECK_EQ(trans_count(r.t, TCP_LISTEN, TCP_SYN_RECV), 3);
	CHECK_EQ(trans_count(r.t, TCP_SYN_RECV, TCP_CLOSE), 1);
	CHECK_EQ(trans_count(r.t, TCP_SYN_RECV, TCP_ESTABLISHED), 2);
	CHECK_EQ(total(r.t), 7);
	rig_done(&r);
}

/* The filter applies to the tracepoint as the dump applied it. */
static void
test_filter(void)
{
	struct rig r;
	struct conn_sample s[2];
	struct filter f;
	char err[64];

	rig_init(&r, 1);
	filter_init(&f);
	CHECK(filter_parse_ports(&f, "80", err, sizeof err) == 0);
	s[0] = mk(1, TCP_ESTABLISHED, 80, 5000);
	s[1] = mk(2, TCP_ESTABLISHED, 22, 5001);
	conntab_begin_scan(r.tab, 1000);
	conntab_update(r.tab, &s[0]);
	conntab_update(r.tab, &s[1]);	/* as if the kernel had not filtered */
	conntab_end_scan(r.tab);
	trace(&r, 1100, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 80, 5000, 0x10);
	trace(&r, 1100, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 22, 5001, 0x18);
	conntab_begin_scan(r.tab, 2000);
	conntab_update(r.tab, &s[0]);
	conntab_update(r.tab, &s[1]);
	conntab_end_scan(r.tab);
	transfeed_refresh(r.f, r.tab, &f, 2000, 0);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE_WAIT), 1);
	CHECK_EQ(transfeed_stats(r.f)->filtered, 1);
	rig_done(&r);
}

/* Without the tracepoint: the states each refresh saw, and closes dated
 * by their notification. */
static void
test_sampled(void)
{
	struct rig r;
	struct conn_sample s[3], d;
	const struct trans_event *ev;
	size_t n, i;
	int destroyed = 0;

	rig_init(&r, 0);
	s[0] = mk(1, TCP_LISTEN, 80, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 80, 5000);	/* there before */
	refresh(&r, 1000, s, 2);
	CHECK_EQ(total(r.t), 0);
	s[2] = mk(3, TCP_SYN_RECV, 80, 5001);
	s[1].state = TCP_CLOSE_WAIT;
	refresh(&r, 2000, s, 3);
	CHECK_EQ(trans_count(r.t, TCP_LISTEN, TCP_SYN_RECV), 1);
	CHECK_EQ(trans_count(r.t, TCP_ESTABLISHED, TCP_CLOSE_WAIT), 1);
	/* Reset: its notification lost the remote port; the cookie
	 * finds it. */
	d = mk(2, TCP_CLOSE, 80, 0);
	transfeed_destroy(r.f, &d, 2500, 2500000000);
	s[2] = mk(3, TCP_ESTABLISHED, 80, 5001);
	refresh(&r, 3000, s, 1);
	CHECK_EQ(trans_count(r.t, TCP_CLOSE_WAIT, TCP_CLOSE), 1);
	CHECK_EQ(trans_count(r.t, TCP_SYN_RECV, TCP_CLOSE), 1);
	ev = trans_events(r.t, &n);
	for (i = 0; i < n; i++)
		if (ev[i].from == TCP_CLOSE_WAIT)
			destroyed += ev[i].source == TRANS_SRC_DESTROY &&
			    ev[i].t_ms == 2500;
	CHECK_EQ(destroyed, 1);
	CHECK_EQ(total(r.t), 4);
	rig_done(&r);
}

/* Nothing is kept that no refresh needs: a long stream of foreign
 * events, notifications and requests leaves nothing behind. */
static void
test_bounded(void)
{
	struct rig r;
	struct conn_sample s = mk(1, TCP_LISTEN, 80, 0);
	int64_t now;
	unsigned k;

	rig_init(&r, 1);
	for (now = 1000, k = 0; now < 200000; now += 1000) {
		unsigned j;

		for (j = 0; j < 100; j++, k++) {
			struct conn_sample d = mk(k, TCP_CLOSE,
			    1024 + k % 50000, 7);

			trace(&r, now - 500, TCP_ESTABLISHED, TCP_CLOSE,
			    1024 + k % 50000, 9, 0x1000 + k);
			transfeed_destroy(r.f, &d, now - 400, 0);
		}
		refresh(&r, now, &s, 1);
	}
	CHECK(transfeed_stats(r.f)->held <= 100);
	CHECK_EQ(total(r.t), 0);
	CHECK(transfeed_stats(r.f)->foreign >= 19000);
	rig_done(&r);
}

/* A connect still in SYN_SENT at the refresh: its first event has no
 * local port, and only the row's tuple without its port tells it is
 * ours; another namespace's connect to the same peer is not. */
static void
test_connecting(void)
{
	struct rig r;
	struct conn_sample s = mk(5, TCP_SYN_SENT, 40000, 9000);
	struct trans_event e;
	int64_t now;

	rig_init(&r, 1);
	refresh(&r, 1000, NULL, 0);
	trace(&r, 1100, TCP_CLOSE, TCP_SYN_SENT, 0, 9000, 0xc0);
	e = tev(1100, TCP_CLOSE, TCP_SYN_SENT, 0, 9001);
	transfeed_trace(r.f, &e, 0xc8);
	for (now = 1500; now <= 5000; now += 500)
		refresh(&r, now, &s, 1);
	CHECK_EQ(trans_count(r.t, TCP_CLOSE, TCP_SYN_SENT), 1);
	CHECK_EQ(transfeed_stats(r.f)->foreign, 1);
	CHECK_EQ(transfeed_stats(r.f)->held, 0);
	rig_done(&r);
}

/* A tuple taken again while the last socket's tombstone stays: the
 * event of the tuple is the new socket's, visited or looked up. */
static void
test_tuple_reused(void)
{
	struct rig r;
	struct conn_sample a = mk(1, TCP_ESTABLISHED, 40005, 80), b;

	rig_init(&r, 1);
	refresh(&r, 1000, &a, 1);
	trace(&r, 1100, TCP_FIN_WAIT2, TCP_CLOSE, 40005, 80, 0xf0);
	b = mk(2, TCP_TIME_WAIT, 40005, 80);
	refresh(&r, 2000, &b, 1);	/* a went, b came on its tuple */
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_TIME_WAIT), 1);
	CHECK_EQ(trans_count(r.t, TCP_FIN_WAIT2, TCP_CLOSE), 0);
	rig_done(&r);
}

int
main(void)
{
	for (indexed = 0; indexed <= 1; indexed++) {
		test_join();
		test_foreign();
		test_no_double();
		test_timewait_late();
		test_requests();
		test_filter();
		test_sampled();
		test_bounded();
		test_connecting();
		test_tuple_reused();
	}
	return check_done();
}
