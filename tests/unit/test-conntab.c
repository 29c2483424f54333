/* The model: keys, state changes, events, tombstones, restarts, and the
 * request-socket merge; plus the view built from it. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "sample.h"
#include "tcptop/field.h"
#include "tcptop/conntab.h"
#include "tcptop/rate.h"
#include "tcptop/statebound.h"
#include "tcptop/view.h"

static size_t
count_events(const struct conntab *t, int kind)
{
	size_t n, i, k = 0;
	const struct conntab_event *e = conntab_events(t, &n);

	for (i = 0; i < n; i++)
		k += e[i].kind == kind;
	return k;
}

static const struct conn *
find(const struct conntab *t, uint64_t cookie, unsigned lport)
{
	size_t n, i;
	struct conn *const *rows = conntab_rows(t, &n);

	for (i = 0; i < n; i++)
		if (rows[i]->s.cookie == cookie && rows[i]->s.lport == lport)
			return rows[i];
	return NULL;
}

static int
keep_port80(void *arg, const struct conn_sample *s)
{
	(void)arg;
	return s->lport == 80;
}

static int
keep_all(void *arg, const struct conn_sample *s)
{
	(void)arg;
	(void)s;
	return 1;
}

/* Throughput: byte deltas between two scans, per second of model time. */
static void
test_rates(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s[3];
	const struct conn *c;

	CHECK(sizeof(struct conn) <= 264);
	s[0] = mk(1, TCP_ESTABLISHED, 80, 5000);
	s[0].flags = CONN_HAS_INFO;
	s[0].info.bytes_acked = 1000;
	s[0].info.bytes_received = 500;
	s[1] = mk(2, TCP_TIME_WAIT, 80, 5001);	/* no tcp_info */
	s[2] = mk(3, TCP_ESTABLISHED, 80, 5002);
	s[2].flags = CONN_HAS_INFO;
	s[2].info.bytes_acked = 10;
	scan(t, 1000, s, 3);
	/* First sight: no rate yet. */
	c = find(t, 1, 80);
	CHECK(c != NULL && !(c->flags & CONN_RATE) && c->tx_avg == 0);

	/* 2 s later: 4000 bytes acked, 1000 received. */
	s[0].info.bytes_acked = 5000;
	s[0].info.bytes_received = 1500;
	/* Counters that went back are not trusted. */
	s[2].info.bytes_acked = 5;
	scan(t, 3000, s, 3);
	c = find(t, 1, 80);
	CHECK(c != NULL && (c->flags & CONN_RATE));
	/* The first rate starts every average. */
	CHECK_EQ(rate_get(c->tx_avg, RATE_2S), 2000);
	CHECK_EQ(rate_get(c->tx_avg, RATE_40S), 2000);
	CHECK_EQ(rate_get(c->rx_avg, RATE_10S), 500);
	CHECK_EQ(c->sample_ms, 3000);
	c = find(t, 2, 80);
	CHECK(c != NULL && !(c->flags & CONN_RATE));
	c = find(t, 3, 80);
	CHECK(c != NULL && !(c->flags & CONN_RATE));

	/* Seen twice in one pass: the rate stays. */
	conntab_begin_scan(t, 3500);
	s[0].info.bytes_acked = 6000;
	conntab_update(t, &s[0]);
	conntab_update(t, &s[0]);
	conntab_end_scan(t);
	c = find(t, 1, 80);
	CHECK_EQ(rate_get(c->tx_avg, RATE_2S), 2000); /* 1000 B in 0.5 s */
	/* 0 B/s for 0.5 s: 2.5 s old, younger than 10 and 40 s, their
	 * averages are the mean since first seen, 1000 B / 2.5 s; the 2 s
	 * one decays: 500 * exp(-0.25) = 389.4. */
	CHECK_EQ(rate_get(c->rx_avg, RATE_10S), 400);
	CHECK_EQ(rate_get(c->rx_avg, RATE_40S), 400);
	CHECK_EQ(rate_get(c->rx_avg, RATE_2S), 389);

	/* A huge step does not overflow; losing tcp_info drops the rate. */
	s[0].info.bytes_acked = UINT64_MAX;
	scan(t, 4500, s, 1);
	c = find(t, 1, 80);
	CHECK_EQ(rate_get(c->tx_avg, RATE_2S), RATE_MAX);
	CHECK_EQ(rate_get(c->tx_avg, RATE_40S), RATE_MAX);
	s[0].flags = 0;
	scan(t, 5500, s, 1);
	c = find(t, 1, 80);
	CHECK(!(c->flags & CONN_RATE) && c->tx_avg == 0);
	conntab_free(t);
}

static size_t
nevents(const struct conntab *t)
{
	size_t n;

	(void)conntab_events(t, &n);
	return n;
}

static int
keep_port(void *arg, const struct conn_sample *s)
{
	return s->lport == *(const unsigned *)arg;
}

/* A query narrowed and widened again: rows out of view are parked and
 * come back as they were; a change of state out of view gives a lower
 * bound and no event; tombstones are not parked; the park empties after
 * CONNTAB_PARK_MS and never holds more than the table held live. */
static void
test_park(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s[4];
	unsigned p80 = 80, p22 = 22;
	const struct conn *c;
	int64_t now = 1000;

	s[0] = mk(1, TCP_LISTEN, 80, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 80, 5000);
	s[2] = mk(3, TCP_LISTEN, 22, 0);
	s[3] = mk(4, TCP_ESTABLISHED, 22, 6000);
	scan(t, now, s, 4);
	/* Port 22's connection opens after tcptop started: not a bound. */
	s[3] = mk(5, TCP_ESTABLISHED, 22, 6001);
	scan(t, now += 1000, s, 4);
	c = find(t, 5, 22);
	CHECK(c != NULL && !(c->flags & CONN_PREEXISTING) &&
	    c->first_seen_ms == 2000);

	/* p 80: port 22's rows leave quietly, into the park. */
	{
		size_t n, i;
		struct conn *const *rows = conntab_rows(t, &n);

		for (i = 0; i < n; i++)
			if (rows[i]->s.cookie == 3)
				rows[i]->owner = 7;	/* proc.c's index */
	}
	conntab_rescope(t, keep_port, &p80);
	CHECK_EQ(conntab_live(t), 2);
	CHECK_EQ(conntab_parked(t), 2);
	scan(t, now += 90000, s, 2);
	CHECK_EQ(nevents(t), 0);

	/* p 22, and 80 again: every row is back with its ages. */
	conntab_rescope(t, keep_port, &p22);
	CHECK_EQ(conntab_parked(t), 4);
	s[1].state = TCP_CLOSE_WAIT;	/* changes while out of view */
	scan(t, now += 1000, s + 2, 2);
	CHECK_EQ(conntab_live(t), 2);
	CHECK_EQ(conntab_parked(t), 2);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
	c = find(t, 3, 22);
	CHECK(c != NULL && c->owner == 0);	/* looked up again */
	CHECK(c != NULL && c->first_seen_ms == 1000 &&
	    c->state_since_ms == 1000 && (c->flags & CONN_PREEXISTING) &&
	    field_age_at_least(c));
	c = find(t, 5, 22);
	CHECK(c != NULL && c->first_seen_ms == 2000 &&
	    !(c->flags & (CONN_PREEXISTING | CONN_NEW)) &&
	    !field_age_at_least(c));
	conntab_rescope(t, keep_all, NULL);
	CHECK_EQ(conntab_parked(t), 2);
	scan(t, now += 1000, s, 4);
	CHECK_EQ(conntab_live(t), 4);
	CHECK_EQ(conntab_parked(t), 0);
	CHECK_EQ(nevents(t), 0);
	c = find(t, 1, 80);
	CHECK(c != NULL && c->first_seen_ms == 1000);
	c = find(t, 2, 80);
	CHECK(c != NULL && c->first_seen_ms == 1000 &&
	    c->s.state == TCP_CLOSE_WAIT && c->prev_state == TCP_ESTABLISHED &&
	    c->state_since_ms == now && (c->flags & CONN_SINCE_UNSEEN) &&
	    field_age_at_least(c));
	{
		uint8_t st[8];

		CHECK_EQ(conntab_path(c, st, 8), 2);
		CHECK(st[0] == TCP_ESTABLISHED && st[1] == TCP_CLOSE_WAIT);
	}
	/* A change seen in view ends the bound. */
	s[1].state = TCP_LAST_ACK;
	scan(t, now += 1000, s, 4);
	c = find(t, 2, 80);
	CHECK(c != NULL && !(c->flags & CONN_SINCE_UNSEEN) &&
	    !field_age_at_least(c));
	CHECK_EQ(count_events(t, CONNTAB_EV_STATE), 1);

	/* A tombstone is not parked; a parked row that never comes back
	 * is freed after CONNTAB_PARK_MS. */
	scan(t, now += 1000, s, 3);	/* cookie 5 goes */
	CHECK(find(t, 5, 22) != NULL && (find(t, 5, 22)->flags & CONN_GONE));
	conntab_rescope(t, keep_port, &p80);
	CHECK_EQ(conntab_parked(t), 1);	/* 3, not the tombstone 5 */
	scan(t, now += CONNTAB_PARK_MS - 1, s, 2);
	CHECK_EQ(conntab_parked(t), 1);
	scan(t, now += 1, s, 2);
	CHECK_EQ(conntab_parked(t), 0);
	conntab_rescope(t, keep_all, NULL);
	scan(t, now += 1000, s, 3);
	c = find(t, 3, 22);
	CHECK(c != NULL && c->first_seen_ms == now);
	conntab_free(t);

	/* Parked and taken back many times, or never taken back: the park
	 * stays within what the table held live. */
	t = conntab_new(0);
	{
		struct conn_sample w[64];
		unsigned k, round, p0 = 0;

		for (k = 0; k < 64; k++)
			w[k] = mk(100 + k, TCP_ESTABLISHED, k % 2, 7000 + k);
		now = 0;
		for (round = 0; round < 50; round++) {
			unsigned port = round % 2;

			conntab_rescope(t, keep_port, &port);
			scan(t, now += 1000, w, 64);
			CHECK(conntab_parked(t) + conntab_live(t) <= 64);
		}
		/* Every row replaced by new sockets at each refresh: 32 are
		 * parked each time, and past the high-water mark of live
		 * rows (96: the 32 kept and the 64 new, live in one scan)
		 * the oldest go; uncapped, the park would reach 320. */
		for (round = 0; round < 10; round++) {
			for (k = 0; k < 64; k++)
				w[k].cookie += 64;
			conntab_rescope(t, keep_port, &p0);
			scan(t, now += 1000, w, 64);
			CHECK(conntab_parked(t) <= 96);
		}
	}
	conntab_free(t);
}

/* The kernel's lower bounds on the time in state, and the first scan's
 * rows starting from them; later rows start when first seen. */
static void
test_bounds(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s[6];
	const struct conn *c;
	int64_t sl = STATEBOUND_SLACK_MS;

	/* TIME_WAIT: 60 s less what is left. */
	s[0] = mk(1, TCP_TIME_WAIT, 80, 5000);
	s[0].timer = 3;
	s[0].expires_ms = 45000;
	CHECK_EQ(statebound_age_ms(&s[0]), 15000 - sl);
	s[0].expires_ms = 60000;
	CHECK_EQ(statebound_age_ms(&s[0]), 0);
	s[0].expires_ms = 70000;	/* not a TIME_WAIT timer: no bound */
	CHECK_EQ(statebound_age_ms(&s[0]), 0);
	/* A FIN_WAIT2 timewait socket: its timer length is unknown. */
	s[0].state = TCP_FIN_WAIT2;
	s[0].expires_ms = 1000;
	CHECK_EQ(statebound_age_ms(&s[0]), 0);

	/* A request socket: 1 s, then 2, 4, 8... */
	s[1] = mk(2, TCP_SYN_RECV, 80, 5001);
	s[1].timer = 1;
	s[1].expires_ms = 400;		/* first period: 0.6 s in */
	CHECK_EQ(statebound_age_ms(&s[1]), 600 - sl);
	s[1].expires_ms = 1500;		/* at least the 2 s period: 1 s */
	CHECK_EQ(statebound_age_ms(&s[1]), 1000 - sl);
	s[1].expires_ms = 7000;		/* at least the 8 s one: 1+2+4 */
	CHECK_EQ(statebound_age_ms(&s[1]), 7000 - sl);
	s[1].expires_ms = 8000;
	CHECK_EQ(statebound_age_ms(&s[1]), 7000 - sl);
	s[1].expires_ms = 8001;		/* the 16 s one: 1+2+4+8 */
	CHECK_EQ(statebound_age_ms(&s[1]), 15000 - sl);
	s[1].retrans = 5;		/* retransmits say nothing */
	CHECK_EQ(statebound_age_ms(&s[1]), 15000 - sl);
	s[1].flags = CONN_HAS_INFO;	/* a full socket (Fast Open) */
	CHECK_EQ(statebound_age_ms(&s[1]), 0);

	/* The last ACK received bounds CLOSE_WAIT, FIN_WAIT2, CLOSING. */
	s[2] = mk(3, TCP_CLOSE_WAIT, 80, 5002);
	s[2].flags = CONN_HAS_INFO;
	s[2].info.last_ack_recv_ms = 90000;
	s[2].info.last_data_recv_ms = 95000;
	CHECK_EQ(statebound_age_ms(&s[2]), 90000 - sl);
	s[2].state = TCP_FIN_WAIT2;
	CHECK_EQ(statebound_age_ms(&s[2]), 90000 - sl);
	s[2].state = TCP_CLOSING;
	CHECK_EQ(statebound_age_ms(&s[2]), 90000 - sl);
	/* Entered by our own close, or without a segment: none. */
	s[2].state = TCP_LAST_ACK;
	CHECK_EQ(statebound_age_ms(&s[2]), 0);
	s[2].state = TCP_FIN_WAIT1;
	CHECK_EQ(statebound_age_ms(&s[2]), 0);
	s[2].state = TCP_ESTABLISHED;
	CHECK_EQ(statebound_age_ms(&s[2]), 0);
	s[2].state = TCP_CLOSE_WAIT;
	s[2].flags = 0;			/* no tcp_info */
	CHECK_EQ(statebound_age_ms(&s[2]), 0);
	s[2].flags = CONN_HAS_INFO;
	s[2].info.last_ack_recv_ms = 5;	/* under the slack */
	CHECK_EQ(statebound_age_ms(&s[2]), 0);
	s[2].info.last_ack_recv_ms = 90000;

	/* The first scan's rows start from the bound, the path too. */
	s[0] = mk(1, TCP_TIME_WAIT, 80, 5000);
	s[0].timer = 3;
	s[0].expires_ms = 45000;
	s[1].expires_ms = 400;
	s[1].flags = 0;
	scan(t, 100000, s, 3);
	c = find(t, 1, 80);
	CHECK(c != NULL && c->state_since_ms == 100000 - (15000 - sl) &&
	    c->first_seen_ms == c->state_since_ms &&
	    (c->flags & CONN_PREEXISTING));
	{
		int64_t ms[8];

		CHECK(c != NULL && conntab_path_times(c, ms, 8) == 1 &&
		    ms[0] == c->state_since_ms);
	}
	c = find(t, 3, 80);
	CHECK(c != NULL && c->state_since_ms == 100000 - (90000 - sl));
	c = find(t, 2, 80);
	CHECK(c != NULL && c->state_since_ms == 100000 - (600 - sl));
	/* A socket that comes later is timed by tcptop: it was not there
	 * at the last scan, whatever the kernel says. */
	s[3] = mk(4, TCP_CLOSE_WAIT, 80, 5003);
	s[3].flags = CONN_HAS_INFO;
	s[3].info.last_ack_recv_ms = 400;
	scan(t, 101000, s, 4);
	c = find(t, 4, 80);
	CHECK(c != NULL && c->state_since_ms == 101000 &&
	    !(c->flags & CONN_PREEXISTING));
	/* A later state change is timed by tcptop too. */
	s[2].state = TCP_LAST_ACK;
	scan(t, 102000, s, 4);
	c = find(t, 3, 80);
	CHECK(c != NULL && c->state_since_ms == 102000 &&
	    c->first_seen_ms == 100000 - (90000 - sl));
	conntab_free(t);
}

/* A flood that goes: the table gives its room back once live rows fall
 * below a quarter of it, the survivors stay where they were (nothing
 * holding a row sees it move), and it grows again as before. */
static void
test_shrink(void)
{
	enum { FLOOD = 50000, AGAIN = 20000 };
	struct conntab *t = conntab_new(1000);
	struct conn_sample *s = calloc(FLOOD, sizeof *s);
	const struct conn *keep;
	size_t i;

	for (i = 0; i < FLOOD; i++)
		s[i] = mk(i + 1, TCP_TIME_WAIT, 80, (unsigned)(1024 + i));
	s[0].state = TCP_ESTABLISHED;
	scan(t, 1000, s, FLOOD);
	CHECK_EQ(conntab_live(t), FLOOD);
	CHECK_EQ(conntab_trimmed(t), 0);
	keep = find(t, 1, 80);
	CHECK(keep != NULL);
	/* Gone: tombstones hold their rows for the tombstone time. */
	scan(t, 2000, s, 1);
	CHECK_EQ(conntab_live(t), 1);
	scan(t, 3500, s, 1);
	/* Tombstones expired: the chunks, hash and arrays go back. */
	CHECK(conntab_trimmed(t) >= 40 * 1024 * sizeof(struct conn));
	CHECK(find(t, 1, 80) == keep && keep->s.state == TCP_ESTABLISHED &&
	    keep->first_seen_ms <= 1000);
	scan(t, 4500, s, 1);
	CHECK_EQ(conntab_trimmed(t), 0);	/* nothing more to give */
	/* It grows again: every row found, the survivor still the same. */
	for (i = 0; i < AGAIN; i++)
		s[i + 1] = mk(FLOOD + i + 1, TCP_ESTABLISHED, 81,
		    (unsigned)(1024 + i));
	scan(t, 5000, s, AGAIN + 1);
	scan(t, 6000, s, AGAIN + 1);
	CHECK_EQ(conntab_live(t), AGAIN + 1);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
	CHECK(find(t, 1, 80) == keep);
	CHECK(find(t, FLOOD + AGAIN, 81) != NULL);
	free(s);
	conntab_free(t);
}

/* A large table's rows on huge chunks: every row found across them, and
 * the pages of the newest chunk's rows no scan needed given back (a huge
 * page is resident whole once written); rows taken later from that
 * tail are written and read back like any other. */
static void
test_huge(void)
{
	enum { N = 12000, MORE = 12600, HUGE = 2 << 20 };
	struct conntab *t = conntab_new(1000);
	struct conn_sample *s = calloc(MORE, sizeof *s);
	long pagesz = sysconf(_SC_PAGESIZE);
	const struct conn *last;
	uintptr_t tail, end;
	unsigned char *vec;
	size_t i, npages, resident = 0;

	for (i = 0; i < MORE; i++)
		s[i] = mk(i + 1, TCP_ESTABLISHED, 80, (unsigned)(1024 + i % 60000));
	scan(t, 1000, s, N);
	CHECK_EQ(conntab_live(t), N);
	last = find(t, N, 80);
	CHECK(last != NULL && last->s.state == TCP_ESTABLISHED);
	/* The pages after the last row, to the end of its 2 MiB chunk. */
	tail = ((uintptr_t)(last + 1) + (uintptr_t)pagesz - 1) &
	    ~((uintptr_t)pagesz - 1);
	end = ((uintptr_t)last & ~((uintptr_t)HUGE - 1)) + HUGE;
	CHECK(end > tail);
	npages = (end - tail) / (size_t)pagesz;
	vec = calloc(npages, 1);
	CHECK(mincore((void *)tail, end - tail, vec) == 0);
	for (i = 0; i < npages; i++)
		resident += vec[i] & 1;
	CHECK_EQ(resident, 0);
	free(vec);
	/* Grow into the given-back tail: rows intact on both sides. */
	scan(t, 2000, s, MORE);
	CHECK_EQ(conntab_live(t), MORE);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), MORE - N);
	for (i = 0; i < MORE; i += 97) {
		const struct conn *c = find(t, i + 1, 80);

		CHECK(c != NULL && c->s.rport == s[i].rport &&
		    c->s.state == TCP_ESTABLISHED);
	}
	CHECK(find(t, MORE, 80) != NULL);
	free(s);
	conntab_free(t);
}

/* A hint sizes the first scan; right, too high or too low, the table
 * holds the same rows, and what a high one reserved goes back. */
static void
test_expect(void)
{
	enum { N = 12000 };
	static const size_t hints[] = { N, 4 * N, 100 };
	struct conn_sample *s = calloc(N, sizeof *s);
	size_t h, i;

	for (i = 0; i < N; i++)
		s[i] = mk(i + 1, i % 7 ? TCP_ESTABLISHED : TCP_CLOSE_WAIT, 80,
		    (unsigned)(1024 + i % 60000));
	for (h = 0; h < sizeof hints / sizeof hints[0]; h++) {
		struct conntab *t = conntab_new(1000);

		conntab_expect(t, hints[h]);
		scan(t, 1000, s, N);
		CHECK_EQ(conntab_live(t), N);
		for (i = 0; i < N; i += 101) {
			const struct conn *c = find(t, i + 1, 80);

			CHECK(c != NULL && c->s.state == s[i].state &&
			    c->s.rport == s[i].rport);
		}
		/* The next scan finds every row again: nothing new. */
		scan(t, 2000, s, N);
		CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
		CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 0);
		/* All gone: what the hint reserved goes back too. */
		scan(t, 3000, s, 0);
		scan(t, 4500, s, 0);
		CHECK_EQ(conntab_live(t), 0);
		CHECK(h != 1 || conntab_trimmed(t) > 0);
		conntab_free(t);
	}
	free(s);
}

/* A scan of some states (an incremental refresh): rows in others stay
 * unless seen or dropped; the tuple index finds every row on a 4-tuple
 * and follows rows in and out; and a full scan afterwards still works
 * from its guide. */
static void
test_partial(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s[6], k;
	struct conn *found[4], *c;
	size_t i;

	s[0] = mk(1, TCP_LISTEN, 80, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 80, 5000);
	s[2] = mk(3, TCP_ESTABLISHED, 80, 5001);
	s[3] = mk(4, TCP_SYN_RECV, 80, 5002);
	s[4] = mk(5, TCP_TIME_WAIT, 80, 5003);
	scan(t, 1000, s, 5);
	CHECK(conntab_find_tuple(t, &s[1], found, 4) == 0);	/* no index */
	conntab_index_tuples(t);
	CHECK(conntab_find_tuple(t, &s[1], found, 4) == 1 &&
	    found[0]->s.cookie == 2);
	/* Listeners and requests dumped (the request went), one row asked
	 * for and changed, one dropped, a new one found by its tuple. */
	conntab_begin_scan(t, 2000);
	conntab_scan_states(t, 1u << TCP_LISTEN | 1u << TCP_SYN_RECV);
	conntab_update(t, &s[0]);
	s[1].state = TCP_CLOSE_WAIT;
	conntab_update(t, &s[1]);
	c = conntab_find(t, &s[2]);
	CHECK(c != NULL && c->s.cookie == 3);
	conntab_drop(t, c);
	s[5] = mk(6, TCP_SYN_SENT, 81, 6000);
	conntab_update(t, &s[5]);
	conntab_end_scan(t);
	CHECK_EQ(conntab_live(t), 4);	/* 1, 2, 5 (not covered), 6 */
	CHECK(conntab_find(t, &s[2]) == NULL);
	CHECK(conntab_find(t, &s[3]) == NULL);
	CHECK(conntab_find(t, &s[4]) != NULL);
	CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 2);
	CHECK_EQ(count_events(t, CONNTAB_EV_STATE), 1);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 1);
	CHECK(conntab_find_tuple(t, &s[2], found, 4) == 0);
	CHECK(conntab_find_tuple(t, &s[5], found, 4) == 1 &&
	    found[0]->s.cookie == 6);
	/* A drop the same scan saw again is kept, and does not linger. */
	conntab_begin_scan(t, 3000);
	conntab_scan_states(t, 0);
	c = conntab_find(t, &s[1]);
	conntab_drop(t, c);
	conntab_update(t, &s[1]);
	conntab_end_scan(t);
	CHECK(conntab_find(t, &s[1]) != NULL);
	conntab_begin_scan(t, 4000);
	conntab_scan_states(t, 0);
	conntab_end_scan(t);
	CHECK(conntab_find(t, &s[1]) != NULL);
	CHECK_EQ(conntab_live(t), 4);
	/* Two sockets on one 4-tuple (a timewait and its successor), and
	 * the index through a growth of the table. */
	k = mk(7, TCP_ESTABLISHED, 80, 5003);
	conntab_begin_scan(t, 5000);
	conntab_scan_states(t, 0);
	conntab_update(t, &k);
	for (i = 0; i < 3000; i++) {
		struct conn_sample m = mk(100 + i, TCP_ESTABLISHED, 90,
		    (unsigned)(1000 + i));

		conntab_update(t, &m);
	}
	conntab_end_scan(t);
	CHECK(conntab_find_tuple(t, &k, found, 4) == 2);
	k = mk(0, TCP_ESTABLISHED, 90, 3999);
	CHECK(conntab_find_tuple(t, &k, found, 4) == 1 &&
	    found[0]->s.cookie == 3099);
	/* A full scan sees all again; the rest go. */
	scan(t, 6000, s, 2);
	CHECK_EQ(conntab_live(t), 2);
	CHECK(conntab_find_tuple(t, &k, found, 4) == 0);
	conntab_free(t);
}

int
main(void)
{
	struct conntab *t;
	struct conn_sample s[8];
	const struct conn *c;
	const struct conntab_event *ev;
	size_t n;

	test_park();
	test_partial();
	test_shrink();
	test_huge();
	test_expect();
	t = conntab_new(2000);
	/* First scan: everything predates tcptop, so no NEW events. */
	s[0] = mk(1, TCP_LISTEN, 80, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 80, 5000);
	s[2] = mk(3, TCP_ESTABLISHED, 80, 5001);
	scan(t, 1000, s, 3);
	CHECK_EQ(conntab_live(t), 3);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
	c = find(t, 2, 80);
	CHECK(c != NULL && (c->flags & CONN_PREEXISTING));

	/* State change keeps the row, records the previous state. */
	s[1].state = TCP_FIN_WAIT1;
	s[3] = mk(4, TCP_SYN_RECV, 80, 5002);
	scan(t, 2000, s, 4);
	CHECK_EQ(conntab_live(t), 4);
	c = find(t, 2, 80);
	CHECK(c != NULL && c->prev_state == TCP_ESTABLISHED &&
	    c->state_since_ms == 2000 && c->first_seen_ms == 1000);
	CHECK_EQ(count_events(t, CONNTAB_EV_STATE), 1);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 1);
	c = find(t, 4, 80);
	CHECK(c != NULL && (c->flags & CONN_NEW) &&
	    !(c->flags & CONN_PREEXISTING));

	/* The request socket completes: the kernel shows a full socket with
	 * a new cookie and the same 4-tuple.  One connection, one change. */
	s[3] = mk(99, TCP_ESTABLISHED, 80, 5002);
	scan(t, 3000, s, 4);
	CHECK_EQ(conntab_live(t), 4);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
	CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 0);
	CHECK_EQ(count_events(t, CONNTAB_EV_STATE), 1);
	c = find(t, 99, 80);
	CHECK(c != NULL && c->prev_state == TCP_SYN_RECV &&
	    c->first_seen_ms == 2000);
	CHECK(find(t, 4, 80) == NULL);
	{
		/* The path carries over from the request socket. */
		uint8_t p[8];

		int64_t ms[8];

		CHECK(c != NULL && conntab_path(c, p, 8) == 2 &&
		    p[0] == TCP_SYN_RECV && p[1] == TCP_ESTABLISHED);
		/* With when each state was entered: the request socket's
		 * first sight, then the merge. */
		CHECK(c != NULL && conntab_path_times(c, ms, 8) == 2 &&
		    ms[0] == 2000 && ms[1] == 3000);
	}

	{
		/* The path keeps the last 8 states, oldest first, and says
		 * when older ones were dropped. */
		struct conntab *t2 = conntab_new(0);
		struct conn_sample w = mk(7, TCP_SYN_SENT, 1, 2);
		uint8_t p[8];
		int k;

		int64_t ms[8];

		scan(t2, 0, &w, 1);
		CHECK(find(t2, 7, 1) != NULL &&
		    conntab_path(find(t2, 7, 1), p, 8) == 1 &&
		    p[0] == TCP_SYN_SENT);
		for (k = 0; k < 9; k++) {
			w.state = k % 2 ? TCP_ESTABLISHED : TCP_CLOSE_WAIT;
			scan(t2, 1234 * (k + 1), &w, 1);
		}
		c = find(t2, 7, 1);
		CHECK(c != NULL && conntab_path(c, p, 8) == 8 &&
		    (c->flags & CONN_PATH_CUT) && p[7] == TCP_CLOSE_WAIT &&
		    p[6] == TCP_ESTABLISHED);
		CHECK(c != NULL && conntab_path(c, p, 3) == 3 &&
		    p[0] == TCP_ESTABLISHED);
		/* The times move with the states, to a tenth of a
		 * second: the 2nd .. 9th changes are left. */
		CHECK(c != NULL && conntab_path_times(c, ms, 8) == 8 &&
		    ms[0] == 2400 && ms[7] == 11100);
		/* Saturating past 6553 s after first sight. */
		w.state = TCP_LAST_ACK;
		scan(t2, 10000000, &w, 1);
		c = find(t2, 7, 1);
		CHECK(c != NULL && conntab_path_times(c, ms, 8) == 8 &&
		    ms[7] == 6553500);
		conntab_free(t2);
	}

	{
		/* Narrowing the query frees rows silently; widening it
		 * brings rows back as pre-existing, without NEW events. */
		struct conntab *t3 = conntab_new(5000);
		struct conn_sample w[3] = { mk(1, TCP_LISTEN, 80, 0),
		    mk(2, TCP_ESTABLISHED, 80, 4000),
		    mk(3, TCP_ESTABLISHED, 443, 4001) };

		scan(t3, 0, w, 3);
		scan(t3, 1000, w, 3);
		conntab_rescope(t3, keep_port80, NULL);
		CHECK_EQ(conntab_live(t3), 2);
		scan(t3, 2000, w, 2);
		CHECK_EQ(conntab_live(t3), 2);
		CHECK_EQ(count_events(t3, CONNTAB_EV_GONE), 0);
		conntab_rescope(t3, keep_all, NULL);
		scan(t3, 3000, w, 3);
		CHECK_EQ(conntab_live(t3), 3);
		CHECK_EQ(count_events(t3, CONNTAB_EV_NEW), 0);
		CHECK(find(t3, 3, 443) != NULL &&
		    (find(t3, 3, 443)->flags & CONN_PREEXISTING));
		/* After that, new sockets are new again. */
		w[2] = mk(4, TCP_SYN_SENT, 5000, 80);
		scan(t3, 4000, w, 3);
		CHECK_EQ(count_events(t3, CONNTAB_EV_NEW), 1);
		conntab_free(t3);
	}

	/* A socket goes: tombstone with a GONE event, freed after 2 s. */
	scan(t, 4000, s, 3);
	CHECK_EQ(conntab_live(t), 3);
	CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 1);
	c = find(t, 99, 80);
	CHECK(c != NULL && (c->flags & CONN_GONE) && c->gone_ms == 4000);
	scan(t, 5000, s, 3);
	CHECK(find(t, 99, 80) != NULL);
	CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 0);
	scan(t, 6000, s, 3);
	CHECK(find(t, 99, 80) == NULL);

	/* A restarted dump: rows only the abandoned pass saw vanish without
	 * events; rows both saw are updated once. */
	conntab_begin_scan(t, 7000);
	conntab_update(t, &s[0]);
	s[4] = mk(50, TCP_SYN_SENT, 6000, 80);
	conntab_update(t, &s[4]);
	conntab_restart_scan(t);
	conntab_update(t, &s[0]);
	conntab_update(t, &s[1]);
	conntab_update(t, &s[2]);
	conntab_end_scan(t);
	CHECK_EQ(conntab_live(t), 3);
	CHECK(find(t, 50, 6000) == NULL);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);
	CHECK_EQ(count_events(t, CONNTAB_EV_GONE), 0);

	/* No cookie: the 4-tuple is the key. */
	s[3] = mk(0, TCP_TIME_WAIT, 7000, 80);
	s[4] = mk(0, TCP_TIME_WAIT, 7001, 80);
	scan(t, 8000, s, 5);
	scan(t, 9000, s, 5);
	CHECK_EQ(conntab_live(t), 5);
	CHECK_EQ(count_events(t, CONNTAB_EV_NEW), 0);

	/* Many rows: the hash grows and deletes without losing any. */
	{
		struct conn_sample big;
		int64_t now = 10000;
		unsigned i, round;

		for (round = 0; round < 3; round++) {
			conntab_begin_scan(t, now += 1000);
			for (i = 0; i < 5000; i++) {
				/* Each round drops every third of the last. */
				if (round > 0 && i % 3 == round % 3)
					continue;
				big = mk(1000 + i, TCP_ESTABLISHED, 9000,
				    10000 + i);
				conntab_update(t, &big);
			}
			conntab_end_scan(t);
		}
		CHECK(conntab_live(t) > 3000 && conntab_live(t) < 3400);
		for (i = 0; i < 5000; i++) {
			c = find(t, 1000 + i, 9000);
			if (i % 3 == 2)
				CHECK(c == NULL || (c->flags & CONN_GONE));
		}
	}
	ev = conntab_events(t, &n);
	(void)ev;

	/* The dump-order hint: scans in the same order, reversed, with a
	 * socket inserted in the middle and one removed, and with the same
	 * socket reported twice, each leave exactly one row per socket and
	 * the right states. */
	{
		struct conntab *u = conntab_new(0);
		struct conn_sample x[200];
		size_t k, rows, dup;
		struct conn *const *r;
		int variant;

		for (k = 0; k < 200; k++)
			x[k] = mk(5000 + k, TCP_ESTABLISHED, 1000, 20000 + k);
		for (variant = 0; variant < 5; variant++) {
			conntab_begin_scan(u, 100000 + variant * 1000);
			for (k = 0; k < 200; k++) {
				size_t j = variant == 2 ? 199 - k : k;

				if (variant == 3 && j == 50)
					continue;	/* removed */
				if (variant == 3 && j == 100) {
					struct conn_sample y = mk(9999,
					    TCP_SYN_SENT, 1001, 1);

					conntab_update(u, &y);
				}
				x[j].state = (uint8_t)(variant == 4 ?
				    TCP_CLOSE_WAIT : TCP_ESTABLISHED);
				conntab_update(u, &x[j]);
				if (variant == 4 && j == 7)
					conntab_update(u, &x[j]);
			}
			conntab_end_scan(u);
		}
		r = conntab_rows(u, &rows);
		dup = 0;
		for (k = 0; k < rows; k++) {
			size_t m;

			for (m = k + 1; m < rows; m++)
				if (r[k]->s.cookie == r[m]->s.cookie &&
				    !(r[k]->flags & CONN_GONE) &&
				    !(r[m]->flags & CONN_GONE))
					dup++;
		}
		CHECK_EQ(dup, 0);
		CHECK_EQ(conntab_live(u), 200);
		CHECK_EQ(count_events(u, CONNTAB_EV_STATE), 199);	/* not 5050 */
		CHECK_EQ(count_events(u, CONNTAB_EV_GONE), 1);	/* 9999 */
		CHECK_EQ(count_events(u, CONNTAB_EV_NEW), 1);	/* 50 back */
		c = find(u, 5050, 1000);
		CHECK(c != NULL && c->s.state == TCP_CLOSE_WAIT &&
		    c->first_seen_ms == 104000);
		c = find(u, 5007, 1000);
		CHECK(c != NULL && c->prev_state == TCP_ESTABLISHED &&
		    c->first_seen_ms == 100000);
		conntab_free(u);
	}

	/* A dump that failed part way: its changes and new rows still give
	 * their events once the next dump completes the scan. */
	{
		struct conntab *u = conntab_new(0);
		struct conn_sample a = mk(1, TCP_ESTABLISHED, 80, 1000);
		struct conn_sample b = mk(2, TCP_SYN_SENT, 81, 1001);

		scan(u, 1000, &a, 1);
		conntab_begin_scan(u, 2000);
		a.state = TCP_CLOSE_WAIT;
		conntab_update(u, &a);
		conntab_update(u, &b);
		conntab_abort_scan(u);
		conntab_begin_scan(u, 3000);
		conntab_update(u, &a);
		conntab_update(u, &b);
		conntab_end_scan(u);
		CHECK_EQ(count_events(u, CONNTAB_EV_STATE), 1);
		CHECK_EQ(count_events(u, CONNTAB_EV_NEW), 1);
		CHECK_EQ(conntab_live(u), 2);
		conntab_free(u);
	}

	/* Requests: thousands come and go per refresh under a SYN flood.
	 * A request that completes (new cookie, same tuple) is one row; a
	 * new request with the tuple of an old one is not joined to it. */
	{
		struct conntab *u = conntab_new(0);
		static struct conn_sample q[20000];
		size_t k;

		for (k = 0; k < 20000; k++)
			q[k] = mk(100000 + k, TCP_SYN_RECV, 80,
			    (unsigned)(1024 + k));
		scan(u, 1000, q, 20000);
		for (k = 0; k < 20000; k++) {
			q[k].cookie += 1000000;
			if (k % 2 == 0)
				q[k].state = TCP_ESTABLISHED;
		}
		scan(u, 2000, q, 20000);
		CHECK_EQ(conntab_live(u), 20000);
		CHECK_EQ(count_events(u, CONNTAB_EV_STATE), 10000);
		CHECK_EQ(count_events(u, CONNTAB_EV_NEW), 10000);
		CHECK_EQ(count_events(u, CONNTAB_EV_GONE), 10000);
		c = find(u, 1100000, 80);
		CHECK(c != NULL && c->prev_state == TCP_SYN_RECV &&
		    c->first_seen_ms == 1000);
		c = find(u, 1100001, 80);
		CHECK(c != NULL && c->prev_state == 0 &&
		    c->first_seen_ms == 2000);
		conntab_free(u);
	}

	/* The view counts only live rows that pass the filter. */
	{
		struct view v;
		struct filter f;
		size_t i, sum = 0;

		view_init(&v);
		filter_init(&f);
		view_build(&v, t, &f, FIELD_STATE, 0, 0, NULL);
		CHECK_EQ(v.total, conntab_live(t));
		for (i = 0; i < 16; i++)
			sum += v.states[i];
		CHECK_EQ(sum, v.total);
		CHECK_EQ(v.families[0] + v.families[1], v.total);
		f.states = 1U << TCP_LISTEN;
		view_build(&v, t, &f, FIELD_STATE, 0, 0, NULL);
		CHECK_EQ(v.total, 0);	/* the big rounds did not see it */
		f.states = 1U << TCP_ESTABLISHED;
		view_build(&v, t, &f, FIELD_STATE, 0, 0, NULL);
		CHECK_EQ(v.total, conntab_live(t));
		CHECK_EQ(v.states[TCP_ESTABLISHED], v.total);
		view_build(&v, t, NULL, FIELD_STATE, 0, 1, NULL);
		CHECK(v.n >= v.total);
		view_done(&v);
	}
	conntab_free(t);
	/* Minisockets: events say whether the socket was one, in the
	 * sample the event starts from or ends in. */
	{
		struct conntab *tm = conntab_new(0);
		struct conn_sample m[3];
		const struct conntab_event *me;
		size_t nm, i;
		int seen = 0;

		m[0] = mk(1, TCP_ESTABLISHED, 80, 6001);
		m[0].flags = CONN_HAS_INFO;
		m[1] = mk(2, TCP_FIN_WAIT2, 80, 6002);
		m[1].flags = CONN_HAS_INFO;
		m[2] = mk(3, TCP_SYN_RECV, 80, 6003);
		CHECK(!conntab_is_mini(&m[0]) && conntab_is_mini(&m[2]));
		scan(tm, 0, m, 2);
		m[1] = mk(2, TCP_TIME_WAIT, 80, 6002);
		scan(tm, 1000, m, 3);
		me = conntab_events(tm, &nm);
		for (i = 0; i < nm; i++) {
			if (me[i].cookie == 2) {
				/* from a full FIN_WAIT2 */
				CHECK(me[i].kind == CONNTAB_EV_STATE &&
				    !me[i].mini);
				seen++;
			}
			if (me[i].cookie == 3) {
				CHECK(me[i].kind == CONNTAB_EV_NEW &&
				    me[i].mini);
				seen++;
			}
		}
		CHECK_EQ(seen, 2);
		scan(tm, 2000, m, 1);
		me = conntab_events(tm, &nm);
		for (i = 0, seen = 0; i < nm; i++)
			if (me[i].kind == CONNTAB_EV_GONE)
				seen += me[i].mini;
		CHECK_EQ(seen, 2);	/* the timewait and the request */
		conntab_free(tm);
	}
	test_rates();
	test_bounds();
	return check_done();
}
