/* The alert rules on synthetic rows: each at, below and above its
 * threshold, the grouping, the order and the settings keys. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "sample.h"
#include "tcptop/alerts.h"

#define MAXS	256

static struct conn_sample smp[MAXS];
static size_t nsmp;
static uint32_t th[ALERT_NKINDS];
static struct alert_input in;
static const struct alert *list;
static size_t nlist;

static struct conn_sample *
add(int state, unsigned lport, unsigned rport)
{
	struct conn_sample *s = &smp[nsmp];

	*s = mk(1000 + nsmp, state, lport, rport);
	s->inode = 1;
	nsmp++;
	return s;
}

static void
reset(void)
{
	nsmp = 0;
	alerts_defaults(th);
	memset(&in, 0, sizeof in);
	in.listen_overflows = in.listen_drops = in.syncookies_sent = -1;
	in.limits.port_lo = in.limits.port_hi = -1;
	in.limits.max_tw_buckets = in.limits.max_orphans = -1;
	in.thresh = th;
}

/* The owner value run_with gives a row when owners are asked for: none
 * from port 5555, process 42 on :8080, else 43. */
static uint16_t
owner_value(const struct conn_sample *s)
{
	if (s->rport == 5555)
		return 0;
	return s->lport == 8080 ? 42 : 43;
}

/* The rows seen at 0 ms and again at now_ms (so they are now_ms old in
 * their state), evaluated by a (a new evaluator when NULL). */
static size_t
run_with(struct alerts *a, int64_t now_ms)
{
	struct conntab *t = conntab_new(0);
	struct alerts *own = a == NULL ? alerts_new() : NULL;
	static struct alert copy[ALERTS_MAX];
	const struct alert *l;
	struct conn *const *rows;
	size_t n, i;

	scan(t, 0, smp, nsmp);
	scan(t, now_ms, smp, nsmp);
	rows = conntab_rows(t, &in.n);
	if (in.owner != NULL)
		for (i = 0; i < in.n; i++)
			rows[i]->owner = owner_value(&rows[i]->s);
	in.rows = rows;
	in.now_ms = now_ms;
	n = alerts_eval(a != NULL ? a : own, &in, &l, NULL);
	if (n > 0)	/* l may be NULL when there are none */
		memcpy(copy, l, n * sizeof *l);
	list = copy;
	nlist = n;
	conntab_free(t);
	alerts_free(own);
	return n;
}

static size_t
run(int64_t now_ms)
{
	return run_with(NULL, now_ms);
}

/* The alert of kind whose evidence holds text, or NULL. */
static const struct alert *
find(int kind, const char *text)
{
	size_t i;

	for (i = 0; i < nlist; i++)
		if (list[i].kind == kind && strstr(list[i].evidence, text))
			return &list[i];
	return NULL;
}

static void
dump(void)
{
	size_t i;

	for (i = 0; i < nlist; i++)
		fprintf(stderr, "  %s [%d] %s | %s\n",
		    alerts_kind_name(list[i].kind), list[i].severity,
		    list[i].evidence, list[i].hint);
}

static void
test_syn_flood(void)
{
	const struct alert *al;
	int i;

	reset();
	th[ALERT_SYN_FLOOD] = 5;
	add(TCP_LISTEN, 9000, 0)->wqueue = 16;
	for (i = 0; i < 4; i++)
		add(TCP_SYN_RECV, 9000, 40000 + i);
	for (i = 0; i < 4; i++)
		add(TCP_SYN_RECV, 9001, 40000 + i);
	CHECK_EQ(run(1000), 0);			/* below */
	add(TCP_SYN_RECV, 9000, 41000);
	CHECK_EQ(run(1000), 1);			/* at */
	al = find(ALERT_SYN_FLOOD, "5 SYN_RECV on :9000, backlog 16");
	CHECK(al != NULL && al->severity == ALERT_CRIT);
	CHECK(al != NULL && strstr(al->hint, "sport = :9000") != NULL);
	CHECK(al != NULL && strstr(al->evidence, "ListenOverflows") == NULL);
	add(TCP_SYN_RECV, 9000, 41001);
	add(TCP_SYN_RECV, 9001, 41001);
	add(TCP_SYN_RECV, 9001, 41002);
	in.listen_overflows = 12;
	in.syncookies_sent = 3;
	CHECK_EQ(run(1000), 2);			/* above; :9001 has none */
	CHECK(find(ALERT_SYN_FLOOD, "6 SYN_RECV on :9000, backlog 16; "
	    "ListenOverflows 12/s; SyncookiesSent 3/s") != NULL);
	CHECK(find(ALERT_SYN_FLOOD, "6 SYN_RECV on :9001; ") != NULL);
	/* Syncookies alone: no listener over, still a flood. */
	reset();
	in.syncookies_sent = 0;
	CHECK_EQ(run(1000), 0);
	in.syncookies_sent = 7;
	CHECK_EQ(run(1000), 1);
	CHECK(find(ALERT_SYN_FLOOD, "SyncookiesSent 7/s") != NULL);
}

static void
test_accept_queue(void)
{
	const struct alert *al;

	reset();
	th[ALERT_ACCEPT_QUEUE] = 90;
	add(TCP_LISTEN, 80, 0)->wqueue = 10;
	smp[0].rqueue = 8;
	add(TCP_LISTEN, 81, 0)->wqueue = 10;	/* empty */
	CHECK_EQ(run(1000), 0);			/* 80%: below */
	smp[0].rqueue = 9;
	CHECK_EQ(run(1000), 1);			/* at */
	al = find(ALERT_ACCEPT_QUEUE, "accept queue of 10.0.0.0:80 90% full:"
	    " 9 waiting, backlog 10");
	CHECK(al != NULL && al->severity == ALERT_WARN);
	smp[0].rqueue = 10;
	CHECK_EQ(run(1000), 1);			/* the limit */
	al = find(ALERT_ACCEPT_QUEUE, "accept queue of 10.0.0.0:80 full: 10 "
	    "waiting, backlog 10");
	CHECK(al != NULL && al->severity == ALERT_CRIT);
	smp[0].rqueue = 3;
	smp[0].wqueue = 2;			/* listen(fd, 2): holds 3 */
	in.listen_overflows = 4;
	in.listen_drops = 5;
	CHECK_EQ(run(1000), 1);
	CHECK(find(ALERT_ACCEPT_QUEUE, "full: 3 waiting, backlog 2; "
	    "ListenOverflows 4/s; ListenDrops 5/s") != NULL);
	smp[0].rqueue = 1;
	smp[0].wqueue = 0;			/* listen(fd, 0) */
	CHECK_EQ(run(1000), 1);
}

/* As proc.c: the owner is named from the row's owner value alone. */
static const char *
owner_of(void *arg, const struct conn *c, char *buf, size_t len)
{
	(void)arg;
	if (c->owner == 0)
		return NULL;
	snprintf(buf, len, "app[%u]", c->owner);
	return buf;
}

/* One scan, as tcptop -b -n 1 makes: the kernel's bound (the last ACK
 * received) is the age, shown as a lower bound. */
static void
test_close_wait_first(void)
{
	struct conntab *t = conntab_new(0);
	struct alerts *a = alerts_new();
	struct conn_sample *s;
	const struct alert *l;

	reset();
	add(TCP_LISTEN, 8080, 0);
	s = add(TCP_CLOSE_WAIT, 8080, 40001);
	s->flags = CONN_HAS_INFO;
	s->info.last_ack_recv_ms = 90000;
	s = add(TCP_CLOSE_WAIT, 8080, 40002);	/* too young */
	s->flags = CONN_HAS_INFO;
	s->info.last_ack_recv_ms = 30000;
	scan(t, 5000, smp, nsmp);
	in.rows = conntab_rows(t, &in.n);
	in.now_ms = 5000;
	CHECK_EQ(alerts_eval(a, &in, &l, NULL), 1);
	CHECK(strcmp(l[0].evidence, "1 CLOSE_WAIT older than 60s on :8080 "
	    "(oldest 89s+)") == 0);
	alerts_free(a);
	conntab_free(t);
}

static void
test_close_wait(void)
{
	const struct alert *al;

	reset();
	th[ALERT_CLOSE_WAIT_LEAK] = 60;
	add(TCP_LISTEN, 8080, 0);
	add(TCP_CLOSE_WAIT, 8080, 40001);
	add(TCP_CLOSE_WAIT, 8080, 40002);
	add(TCP_CLOSE_WAIT, 45000, 80);		/* a client's */
	CHECK_EQ(run(59999), 0);		/* below */
	CHECK_EQ(run(60000), 2);		/* at */
	al = find(ALERT_CLOSE_WAIT_LEAK, "2 CLOSE_WAIT older than 60s on "
	    ":8080 (oldest 60s+)");
	CHECK(al != NULL && al->severity == ALERT_WARN);
	CHECK(al != NULL && strstr(al->hint, "sport = :8080") != NULL);
	CHECK(find(ALERT_CLOSE_WAIT_LEAK, "1 CLOSE_WAIT older than 60s to "
	    "10.0.0.2:80 (oldest 60s+)") != NULL);
	CHECK_EQ(run(61000), 2);		/* above */
	/* With owners: grouped by process, the port where unknown. */
	in.owner = owner_of;
	add(TCP_CLOSE_WAIT, 8080, 5555);
	CHECK_EQ(run(61000), 3);
	CHECK(find(ALERT_CLOSE_WAIT_LEAK, "2 CLOSE_WAIT older than 60s held "
	    "by app[42]") != NULL);
	CHECK(find(ALERT_CLOSE_WAIT_LEAK, "1 CLOSE_WAIT older than 60s held "
	    "by app[43]") != NULL);
	CHECK(find(ALERT_CLOSE_WAIT_LEAK, "1 CLOSE_WAIT older than 60s on "
	    ":8080") != NULL);
	test_close_wait_first();
}

static void
test_time_wait(void)
{
	struct conn_sample *s;
	const struct alert *al;
	int i;

	reset();
	th[ALERT_TIME_WAIT] = 80;
	in.limits.port_lo = 100;
	in.limits.port_hi = 109;		/* 10 ports */
	for (i = 0; i < 7; i++)
		add(TCP_TIME_WAIT, 100 + i, 80);
	add(TCP_TIME_WAIT, 99, 80);		/* not ephemeral */
	add(TCP_TIME_WAIT, 108, 81);		/* another destination */
	CHECK_EQ(run(1000), 0);			/* 70%: below */
	/* An orphan's FIN_WAIT2 on a timewait timer holds a port too. */
	s = add(TCP_FIN_WAIT2, 107, 80);
	s->timer = 3;
	s->inode = 0;
	CHECK_EQ(run(1000), 1);			/* at */
	al = find(ALERT_TIME_WAIT, "7 TIME_WAIT and 1 orphaned FIN_WAIT2 "
	    "from 10.0.0.0 to 10.0.0.2:80: 80% of the 10 ephemeral ports");
	CHECK(al != NULL && al->severity == ALERT_WARN);
	add(TCP_TIME_WAIT, 108, 80);
	add(TCP_TIME_WAIT, 109, 80);
	CHECK_EQ(run(1000), 1);			/* above: all */
	al = find(ALERT_TIME_WAIT, "9 TIME_WAIT and 1 orphaned FIN_WAIT2 "
	    "from 10.0.0.0 to 10.0.0.2:80: 100%");
	CHECK(al != NULL && al->severity == ALERT_CRIT);
	/* The total against tcp_max_tw_buckets, 12 of them here. */
	in.limits.port_lo = in.limits.port_hi = -1;
	in.limits.max_tw_buckets = 16;
	CHECK_EQ(run(1000), 0);			/* 75% */
	in.limits.max_tw_buckets = 15;
	CHECK_EQ(run(1000), 1);			/* 80% */
	CHECK(find(ALERT_TIME_WAIT, "11 TIME_WAIT and 1 orphaned FIN_WAIT2: "
	    "80% of tcp_max_tw_buckets 15") != NULL);
	in.limits.max_tw_buckets = 12;
	CHECK_EQ(run(1000), 1);
	CHECK(list[0].severity == ALERT_CRIT);
}

/* Orphaned FIN_WAIT2 (the peer leaks CLOSE_WAIT) are named as what they
 * are, with their own kind, threshold and hint; never as TIME_WAIT. */
static void
test_fin_wait2(void)
{
	struct conn_sample *s;
	const struct alert *al;
	int i;

	reset();
	in.limits.port_lo = 100;
	in.limits.port_hi = 109;		/* 10 ports */
	for (i = 0; i < 10; i++) {
		s = add(TCP_FIN_WAIT2, 100 + i, 80);
		s->timer = 3;
		s->inode = 0;
	}
	CHECK_EQ(run(1000), 1);
	al = find(ALERT_FIN_WAIT2, "10 orphaned FIN_WAIT2 from 10.0.0.0 to "
	    "10.0.0.2:80: 100% of the 10 ephemeral ports");
	CHECK(al != NULL && al->severity == ALERT_CRIT &&
	    strstr(al->hint, "CLOSE_WAIT") != NULL &&
	    strstr(al->hint, "tw_reuse") == NULL);
	CHECK(nlist == 1 && strstr(list[0].evidence, "TIME_WAIT") == NULL);
	CHECK(strcmp(alerts_kind_name(ALERT_FIN_WAIT2),
	    "fin_wait2_orphans") == 0);
	/* Its own threshold: the time_wait one does not apply. */
	th[ALERT_TIME_WAIT] = 100;
	th[ALERT_FIN_WAIT2] = 100;
	CHECK_EQ(run(1000), 1);
	for (i = 0; i < 3; i++)
		nsmp--;
	CHECK_EQ(run(1000), 0);			/* 7 of 10 under 100% */
	th[ALERT_FIN_WAIT2] = 70;
	th[ALERT_TIME_WAIT] = 1;
	CHECK_EQ(run(1000), 1);
	CHECK(find(ALERT_FIN_WAIT2, "7 orphaned FIN_WAIT2 from 10.0.0.0 to "
	    "10.0.0.2:80: 70% of the 10 ephemeral ports") != NULL);
	/* Mixed, FIN_WAIT2 the more: named both, FIN_WAIT2 first. */
	add(TCP_TIME_WAIT, 107, 80);
	CHECK_EQ(run(1000), 1);
	CHECK(find(ALERT_FIN_WAIT2, "7 orphaned FIN_WAIT2 and 1 TIME_WAIT "
	    "from 10.0.0.0 to 10.0.0.2:80: 80% of the 10 ephemeral ports") !=
	    NULL);
	/* The buckets: a full FIN_WAIT2 (a process still holds it) is no
	 * timewait socket and is not counted. */
	s = add(TCP_FIN_WAIT2, 50, 80);
	s->inode = 7;
	s->flags = CONN_HAS_INFO;
	in.limits.port_lo = in.limits.port_hi = -1;
	in.limits.max_tw_buckets = 8;
	CHECK_EQ(run(1000), 1);
	CHECK(find(ALERT_FIN_WAIT2, "7 orphaned FIN_WAIT2 and 1 TIME_WAIT: "
	    "100% of tcp_max_tw_buckets 8") != NULL);
}

static void
test_orphans(void)
{
	static const int st[4] = { TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK,
	    TCP_CLOSING };
	struct conn_sample *s;
	const struct alert *al;
	int i;

	reset();
	th[ALERT_ORPHANS] = 80;
	for (i = 0; i < 7; i++)
		add(st[i % 4], 1000 + i, 80)->inode = 0;
	add(TCP_FIN_WAIT1, 2000, 80);		/* a process holds it */
	s = add(TCP_FIN_WAIT2, 2001, 80);	/* a timewait socket */
	s->inode = 0;
	s->timer = 3;
	add(TCP_TIME_WAIT, 2002, 80)->inode = 0;
	CHECK_EQ(run(1000), 0);			/* limit unknown */
	in.limits.max_orphans = 10;
	CHECK_EQ(run(1000), 0);			/* 70% */
	add(TCP_LAST_ACK, 3000, 80)->inode = 0;
	CHECK_EQ(run(1000), 1);			/* 80% */
	al = find(ALERT_ORPHANS, "8 orphans (FIN_WAIT1 2, FIN_WAIT2 2, "
	    "LAST_ACK 3, CLOSING 1): 80% of tcp_max_orphans 10");
	CHECK(al != NULL && al->severity == ALERT_WARN);
	in.limits.max_orphans = 7;
	CHECK_EQ(run(1000), 1);
	CHECK(list[0].severity == ALERT_CRIT);
}

static void
test_retrans(void)
{
	struct alerts *a = alerts_new();
	struct conn_sample *s;
	int i;

	reset();
	th[ALERT_RETRANS_NO_PROGRESS] = 3;
	for (i = 0; i < 3; i++) {
		s = add(TCP_ESTABLISHED, 40000 + i, 443);
		s->flags |= CONN_HAS_INFO;
		s->timer = 1;
		s->info.bytes_acked = 1000;
		s->info.retransmits = (uint8_t)(2 + i);	/* 2 3 4 */
	}
	s = add(TCP_SYN_SENT, 40010, 443);	/* syn_sent_stuck's */
	s->flags |= CONN_HAS_INFO;
	s->info.retransmits = 9;
	/* The first evaluation only learns what was acknowledged. */
	CHECK_EQ(run_with(a, 1000), 0);
	CHECK_EQ(run_with(a, 2000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "2 connections to "
	    "10.0.0.2:443: 4 RTOs in a row, nothing acknowledged") != NULL);
	CHECK(nlist == 1 && strstr(list[0].hint, "dst 10.0.0.2'") != NULL);
	/* Progress on one of them: it leaves the alert. */
	smp[1].info.bytes_acked = 2000;
	CHECK_EQ(run_with(a, 3000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "1 connection to "
	    "10.0.0.2:443: 4 RTOs") != NULL);
	CHECK_EQ(run_with(a, 4000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "2 connections") != NULL);
	/* Without tcp_info: the retransmit timer's count. */
	smp[0].flags = 0;
	smp[0].retrans = 3;
	CHECK_EQ(run_with(a, 5000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "2 connections") != NULL);
	CHECK_EQ(run_with(a, 6000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "3 connections") != NULL);
	alerts_free(a);

	/* IPv6: the endpoint in brackets, the address alone in the hint. */
	a = alerts_new();
	reset();
	s = add(TCP_ESTABLISHED, 40000, 443);
	s->family = AF_INET6;
	memset(s->remote, 0, sizeof s->remote);
	s->remote[0] = 0xfd;
	s->remote[15] = 2;
	s->flags |= CONN_HAS_INFO;
	s->info.retransmits = 5;
	CHECK_EQ(run_with(a, 1000), 0);
	CHECK_EQ(run_with(a, 2000), 1);
	CHECK(find(ALERT_RETRANS_NO_PROGRESS, "1 connection to [fd00::2]:443: "
	    "5 RTOs") != NULL);
	CHECK(nlist == 1 && strstr(list[0].hint, "'dst fd00::2'") != NULL);
	alerts_free(a);
}

static void
test_syn_sent(void)
{
	const struct alert *al;

	reset();
	th[ALERT_SYN_SENT_STUCK] = 10;
	add(TCP_SYN_SENT, 40000, 80);
	add(TCP_SYN_SENT, 40001, 80);
	add(TCP_SYN_SENT, 40002, 81);
	CHECK_EQ(run(9999), 0);
	CHECK_EQ(run(10000), 2);
	al = find(ALERT_SYN_SENT_STUCK, "2 SYN_SENT to 10.0.0.2:80 for over "
	    "10s (oldest 10s+)");
	CHECK(al != NULL && al->severity == ALERT_WARN);
	CHECK(find(ALERT_SYN_SENT_STUCK, "1 SYN_SENT to 10.0.0.2:81") != NULL);
	CHECK_EQ(run(11000), 2);
	{
		/* Seen to start after the first scan: the age is tcptop's
		 * own, no "+". */
		struct conntab *t = conntab_new(0);
		struct alerts *a = alerts_new();
		const struct alert *l;

		scan(t, 0, smp, 0);
		scan(t, 1000, smp, nsmp);
		scan(t, 12000, smp, nsmp);
		in.rows = conntab_rows(t, &in.n);
		in.now_ms = 12000;
		CHECK_EQ(alerts_eval(a, &in, &l, NULL), 2);
		CHECK(strcmp(l[1].evidence, "2 SYN_SENT to 10.0.0.2:80 for "
		    "over 10s (oldest 11s)") == 0);
		alerts_free(a);
		conntab_free(t);
	}
}

static void
test_order(void)
{
	size_t i, n;
	char first[ALERTS_MAX][ALERT_TEXT_LEN];

	reset();
	th[ALERT_SYN_SENT_STUCK] = 1;
	th[ALERT_CLOSE_WAIT_LEAK] = 1;
	add(TCP_SYN_SENT, 40000, 82);
	add(TCP_SYN_SENT, 40001, 80);
	add(TCP_CLOSE_WAIT, 40002, 80);
	add(TCP_LISTEN, 90, 0)->rqueue = 1;	/* full: critical */
	n = run(5000);
	CHECK_EQ(n, 4);
	CHECK(n == 4 && list[0].kind == ALERT_ACCEPT_QUEUE);
	CHECK(n == 4 && list[1].kind == ALERT_CLOSE_WAIT_LEAK);
	CHECK(n == 4 && list[2].kind == ALERT_SYN_SENT_STUCK &&
	    strstr(list[2].evidence, ":80 ") != NULL);
	CHECK(n == 4 && strstr(list[3].evidence, ":82 ") != NULL);
	for (i = 0; i < n; i++)
		snprintf(first[i], sizeof first[i], "%s", list[i].evidence);
	/* The same rows in another order give the same alerts. */
	{
		struct conn_sample t = smp[0];

		smp[0] = smp[3], smp[3] = t;
	}
	CHECK_EQ(run(5000), n);
	for (i = 0; i < n && i < nlist; i++)
		CHECK(strcmp(first[i], list[i].evidence) == 0);
	/* Two listeners on one port, both full: one alert each, none
	 * repeated. */
	reset();
	add(TCP_LISTEN, 90, 0)->rqueue = 1;
	add(TCP_LISTEN, 90, 0)->rqueue = 1;
	CHECK_EQ(run(1000), 1);
	/* Past ALERTS_MAX: the most severe kept, the rest counted. */
	reset();
	th[ALERT_SYN_SENT_STUCK] = 1;
	for (i = 0; i < ALERTS_MAX + 5; i++)
		add(TCP_SYN_SENT, 40000, 1000 + (unsigned)i);
	add(TCP_LISTEN, 90, 0)->rqueue = 1;
	{
		struct conntab *t = conntab_new(0);
		struct alerts *a = alerts_new();
		const struct alert *l;
		size_t more;

		scan(t, 0, smp, nsmp);
		scan(t, 2000, smp, nsmp);
		in.rows = conntab_rows(t, &in.n);
		in.now_ms = 2000;
		CHECK_EQ(alerts_eval(a, &in, &l, &more), ALERTS_MAX);
		CHECK_EQ(more, 6);
		CHECK(l[0].kind == ALERT_ACCEPT_QUEUE);
		alerts_free(a);
		conntab_free(t);
	}
}

static const char *
label_of(void *arg, uint16_t idx)
{
	(void)arg;
	return idx == 1 ? "web" : "?";
}

/* --all-netns: each namespace on its own; the limits are the viewed
 * one's. */
static void
test_netns(void)
{
	struct conn_sample *s;
	int i;

	reset();
	th[ALERT_SYN_FLOOD] = 5;
	in.limits.max_orphans = 4;
	for (i = 0; i < 6; i++) {
		add(TCP_SYN_RECV, 80, 40000 + i);
		add(TCP_SYN_RECV, 80, 40000 + i)->netns = 1;
	}
	s = add(TCP_LISTEN, 80, 0);
	s->netns = 1;
	s->wqueue = 7;
	for (i = 0; i < 4; i++)
		add(TCP_LAST_ACK, 2000 + i, 80)->inode = 0;
	for (i = 0; i < 4; i++) {
		s = add(TCP_LAST_ACK, 3000 + i, 80);
		s->inode = 0;
		s->netns = 1;
	}
	/* Without labels: one namespace. */
	CHECK_EQ(run(1000), 2);
	CHECK(find(ALERT_SYN_FLOOD, "12 SYN_RECV on :80, backlog 7") != NULL);
	CHECK(find(ALERT_ORPHANS, "8 orphans") != NULL);
	in.netns_label = label_of;
	CHECK_EQ(run(1000), 3);
	/* The viewed namespace has no listener on :80: no backlog. */
	CHECK(nlist == 3 && strcmp(list[0].evidence, "6 SYN_RECV on :80") == 0);
	CHECK(find(ALERT_SYN_FLOOD, "[web] 6 SYN_RECV on :80, backlog 7") !=
	    NULL);
	CHECK(find(ALERT_ORPHANS, "4 orphans") != NULL);
	th[ALERT_SYN_FLOOD] = 7;
	CHECK_EQ(run(1000), 1);
}

/* Established connections and idle listeners: nothing to say. */
static void
test_quiet(void)
{
	int i;

	reset();
	th[ALERT_SYN_SENT_STUCK] = 1;
	th[ALERT_CLOSE_WAIT_LEAK] = 1;
	in.limits.port_lo = 100;
	in.limits.port_hi = 101;
	in.limits.max_tw_buckets = 1;
	in.limits.max_orphans = 1;
	in.listen_overflows = in.listen_drops = in.syncookies_sent = 0;
	add(TCP_LISTEN, 80, 0)->wqueue = 128;
	for (i = 0; i < 50; i++)
		add(TCP_ESTABLISHED, 100 + (i % 2), 80);
	CHECK_EQ(run(100000), 0);
	if (nlist != 0)
		dump();
}

static void
test_keys(void)
{
	uint32_t t[ALERT_NKINDS];
	int k;

	alerts_defaults(t);
	CHECK_EQ(t[ALERT_SYN_FLOOD], 100);
	CHECK_EQ(alerts_key_lookup("alert_syn_recv"), ALERT_SYN_FLOOD);
	CHECK_EQ(alerts_key_lookup("ALERT_RETRANS"),
	    ALERT_RETRANS_NO_PROGRESS);
	CHECK_EQ(alerts_key_lookup("alert_nope"), -1);
	for (k = 0; k < ALERT_NKINDS; k++) {
		CHECK(alert_kinds[k].name != NULL && alert_kinds[k].key != NULL);
		CHECK(alert_kinds[k].min <= alert_kinds[k].def &&
		    alert_kinds[k].def <= alert_kinds[k].max);
		CHECK_EQ(alerts_key_lookup(alert_kinds[k].key), k);
	}
	CHECK(strcmp(alerts_kind_name(ALERT_ORPHANS), "orphans") == 0);
	CHECK(strcmp(alerts_kind_name(99), "?") == 0);
}

/* The reader, on whatever namespace the test runs in. */
static void
test_limits(void)
{
	struct alerts *a = alerts_new();
	struct alert_limits l;
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int lo, hi;

	alerts_limits_read(a, &l);
	if (fp != NULL && fscanf(fp, "%d %d", &lo, &hi) == 2) {
		CHECK_EQ(l.port_lo, lo);
		CHECK_EQ(l.port_hi, hi);
	}
	if (fp != NULL)
		fclose(fp);
	alerts_free(a);
}

/* With a view: an alert none of whose sockets passes it is outside. */
static int
in_view_9300(void *arg, const struct conn *c)
{
	(void)arg;
	return c->s.lport == 9300;
}

static void
test_in_view(void)
{
	const struct alert *al;

	reset();
	th[ALERT_CLOSE_WAIT_LEAK] = 1;
	th[ALERT_SYN_FLOOD] = 2;
	add(TCP_CLOSE_WAIT, 9300, 40001);
	add(TCP_CLOSE_WAIT, 9301, 40002);	/* another alert: a client's */
	add(TCP_CLOSE_WAIT, 9300, 40003);
	add(TCP_SYN_RECV, 9001, 50000);
	add(TCP_SYN_RECV, 9001, 50001);
	CHECK_EQ(run(5000), 4);
	for (al = list; al < list + nlist; al++)
		CHECK(al->in_view);		/* no in_view: all in */
	in.in_view = in_view_9300;
	CHECK_EQ(run(5000), 4);
	al = find(ALERT_SYN_FLOOD, "2 SYN_RECV on :9001");
	CHECK(al != NULL && !al->in_view);
	/* One of the group in view is enough. */
	al = find(ALERT_CLOSE_WAIT_LEAK, "to 10.0.0.2:40001");
	CHECK(al != NULL && al->in_view);
	al = find(ALERT_CLOSE_WAIT_LEAK, "to 10.0.0.2:40002");
	CHECK(al != NULL && !al->in_view);
	/* A counter's alert is about no socket: always in. */
	reset();
	in.syncookies_sent = 3;
	in.in_view = in_view_9300;
	CHECK_EQ(run(1000), 1);
	CHECK(list[0].in_view);
}

int
main(void)
{
	test_syn_flood();
	test_accept_queue();
	test_close_wait();
	test_time_wait();
	test_fin_wait2();
	test_in_view();
	test_orphans();
	test_retrans();
	test_syn_sent();
	test_order();
	test_netns();
	test_quiet();
	test_keys();
	test_limits();
	if (check_failed)
		dump();
	return check_done();
}
