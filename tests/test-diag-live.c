/* Live dumps on loopback (no root needed): the kernel filters agree with
 * the user-space ones, and a receive buffer too small for one datagram
 * grows by measurement and restarts the dump without losing a socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <time.h>

#include "check.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"

#define MAXC 4096

struct set {
	int begins;
	size_t n;
	uint64_t cookies[MAXC];
	unsigned ports[MAXC][2];
	size_t nours;
	uint64_t ours[MAXC];	/* cookies of the sockets on our_port */
};

/* The listener's port: sockets on it are this test's own. */
static unsigned our_port;

static void
set_begin(void *arg)
{
	struct set *s = arg;

	s->begins++;
	s->n = 0;
	s->nours = 0;
}

static void
set_sample(void *arg, const struct conn_sample *c)
{
	struct set *s = arg;

	if (s->n < MAXC) {
		s->ports[s->n][0] = c->lport;
		s->ports[s->n][1] = c->rport;
		s->cookies[s->n++] = c->cookie;
	}
	if (s->nours < MAXC && (c->lport == our_port || c->rport == our_port))
		s->ours[s->nours++] = c->cookie;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
dump(struct diag *d, const struct filter *f, struct set *out)
{
	struct diag_query q = { f, 1 };
	struct diag_sink sink = { set_begin, set_sample, out };

	memset(out, 0, sizeof *out);
	if (diag_dump(d, &q, &sink) == -1)
		return -1;
	qsort(out->cookies, out->n, sizeof out->cookies[0], cmp_u64);
	qsort(out->ours, out->nours, sizeof out->ours[0], cmp_u64);
	return 0;
}

/* A listener on 127.0.0.1 with a few accepted connections, so there is
 * something of ours to dump.  Returns the port. */
static unsigned
make_sockets(int *fds, int *nfds)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int l, i;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(l, 16) == -1 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) == -1)
		return 0;
	fds[(*nfds)++] = l;
	for (i = 0; i < 3; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) == -1)
			return 0;
		fds[(*nfds)++] = c;
		fds[(*nfds)++] = accept(l, NULL, NULL);
	}
	return ntohs(sa.sin_port);
}

/* Wait (up to 5 s) until fd's TCP state is want. */
static int
wait_state(int fd, int want)
{
	struct timespec nap = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		struct tcp_info ti;
		socklen_t len = sizeof ti;

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_state == want)
			return 1;
		nanosleep(&nap, NULL);
	}
	return 0;
}

static const struct conn *
row_for(const struct conntab *t, unsigned lport, unsigned rport)
{
	size_t n, i;
	struct conn *const *rows = conntab_rows(t, &n);

	for (i = 0; i < n; i++)
		if (rows[i]->s.lport == lport && rows[i]->s.rport == rport &&
		    !(rows[i]->flags & CONN_GONE))
			return rows[i];
	return NULL;
}

static size_t
events_of(const struct conntab *t, uint64_t cookie, int from, int to)
{
	size_t n, i, k = 0;
	const struct conntab_event *e = conntab_events(t, &n);

	for (i = 0; i < n; i++)
		k += e[i].cookie == cookie && e[i].kind == CONNTAB_EV_STATE &&
		    e[i].from == from && e[i].to == to;
	return k;
}

static void
refresh(struct diag *d, const struct filter *f, struct conntab *t)
{
	struct conntab_feed feed = { t, &diag_last_stats(d)->mono_ns, 0 };
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &feed };
	struct diag_query q = { f, 1 };

	CHECK(diag_dump(d, &q, &sink) == 0);
	conntab_end_scan(t);
}

/* Real transitions through the model: a connection closed actively goes
 * ESTABLISHED -> FIN_WAIT2 -> TIME_WAIT as one row (the TIME_WAIT socket
 * keeps the full socket's cookie), its peer ESTABLISHED -> CLOSE_WAIT,
 * and the peer's row goes when its socket is closed. */
static void
test_transitions(struct diag *d, unsigned port, int client, int server)
{
	struct conntab *t = conntab_new(0);
	struct filter f;
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	const struct conn *c, *s;
	uint64_t ccookie, scookie;
	unsigned cport;
	char err[64];

	filter_init(&f);
	snprintf(err, sizeof err, "%u", port);
	CHECK(filter_parse_ports(&f, err, err, sizeof err) == 0);
	CHECK(getsockname(client, (struct sockaddr *)&sa, &len) == 0);
	cport = ntohs(sa.sin_port);

	refresh(d, &f, t);
	c = row_for(t, cport, port);
	s = row_for(t, port, cport);
	if (!CHECK(c != NULL && s != NULL))
		return;
	CHECK_EQ(c->s.state, TCP_ESTABLISHED);
	ccookie = c->s.cookie;
	scookie = s->s.cookie;
	CHECK(ccookie != 0 && scookie != 0 && ccookie != scookie);

	CHECK(shutdown(client, SHUT_WR) == 0);
	CHECK(wait_state(client, TCP_FIN_WAIT2));
	CHECK(wait_state(server, TCP_CLOSE_WAIT));
	refresh(d, &f, t);
	c = row_for(t, cport, port);
	s = row_for(t, port, cport);
	CHECK(c != NULL && c->s.cookie == ccookie &&
	    c->s.state == TCP_FIN_WAIT2 && c->prev_state == TCP_ESTABLISHED);
	CHECK(s != NULL && s->s.state == TCP_CLOSE_WAIT);
	CHECK_EQ(events_of(t, ccookie, TCP_ESTABLISHED, TCP_FIN_WAIT2), 1);
	CHECK_EQ(events_of(t, scookie, TCP_ESTABLISHED, TCP_CLOSE_WAIT), 1);

	/* The server closes: the client's socket becomes a TIME_WAIT
	 * minisocket with the same cookie, the server's goes away. */
	close(server);
	CHECK(wait_state(client, TCP_CLOSE));
	refresh(d, &f, t);
	c = row_for(t, cport, port);
	CHECK(c != NULL && c->s.cookie == ccookie &&
	    c->s.state == TCP_TIME_WAIT && c->s.inode == 0 &&
	    c->prev_state == TCP_FIN_WAIT2);
	CHECK_EQ(events_of(t, ccookie, TCP_FIN_WAIT2, TCP_TIME_WAIT), 1);
	CHECK(row_for(t, port, cport) == NULL);
	conntab_free(t);
}

int
main(void)
{
	static struct set a, b;
	struct filter all, port;
	struct diag *d;
	int fds[16], nfds = 0, i;
	unsigned p;
	char err[160];

	d = diag_open();
	if (d == NULL) {
		printf("SKIP: no sock_diag here: %s\n", strerror(errno));
		return 77;
	}
	p = make_sockets(fds, &nfds);
	if (!CHECK(p != 0))
		return check_done();
	our_port = p;
	filter_init(&all);
	filter_init(&port);
	snprintf(err, sizeof err, "%u", p);
	CHECK(filter_parse_ports(&port, err, err, sizeof err) == 0);

	/* The port filter runs in the kernel: exactly our 7 sockets come
	 * back (listener, 3 clients, 3 accepted). */
	CHECK(dump(d, &port, &a) == 0);
	CHECK_EQ(a.n, 7);
	CHECK_EQ(diag_last_stats(d)->messages, 7);
	for (i = 0; i < (int)a.n; i++)
		CHECK(a.ports[i][0] == p || a.ports[i][1] == p);

	/* Everything, with the default buffer and then with one far too
	 * small for a single message: the same sockets, after restarts. */
	CHECK(dump(d, &all, &a) == 0);
	CHECK(a.n >= 7);
	CHECK_EQ(diag_last_stats(d)->restarts, 0);
	CHECK(diag_set_bufsize(d, 64) == 0);
	CHECK(diag_set_bufsize(d, 8) == -1);
	CHECK(dump(d, &port, &b) == 0);
	CHECK(diag_last_stats(d)->restarts >= 1);
	CHECK(diag_last_stats(d)->bufsize > 64);
	CHECK_EQ(b.n, 7);
	CHECK_EQ(diag_last_stats(d)->messages, 7);	/* the last pass */
	CHECK_EQ(b.begins, (int)diag_last_stats(d)->restarts + 1);
	CHECK(diag_set_bufsize(d, 64) == 0);
	CHECK(dump(d, &all, &b) == 0);
	/* Other sockets on the host come and go between two dumps (a
	 * TIME_WAIT expiring), so only ours are compared: the same 7 cookies
	 * in both whole-host dumps, whatever the buffer. */
	CHECK_EQ(a.nours, 7);
	CHECK_EQ(b.nours, 7);
	CHECK(memcmp(a.ours, b.ours, 7 * sizeof a.ours[0]) == 0);
	/* The grown buffer stays: the next dump needs no restart. */
	CHECK(dump(d, &all, &b) == 0);
	CHECK_EQ(diag_last_stats(d)->restarts, 0);

	/* fds: listener, then (client, accepted) pairs. */
	test_transitions(d, p, fds[1], fds[2]);
	fds[2] = -1;
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	diag_close(d);
	return check_done();
}
