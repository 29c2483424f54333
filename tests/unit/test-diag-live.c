/* Live dumps on loopback (no root needed): the kernel filters agree with
 * the user-space ones, and a receive buffer too small for one datagram
 * grows by measurement and restarts the dump without losing a socket.
 * Single-socket lookups report what getsockopt(TCP_INFO) says, and say
 * when the socket is gone; batches of exact requests find each socket
 * or say it is gone, and one walk for both families finds what two do. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <time.h>

#include "check.h"
#include "tcpinfo.h"
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

/* Samples of one dump, whole. */
struct whole {
	size_t n;
	struct conn_sample s[64];
};

static void
whole_begin(void *arg)
{
	((struct whole *)arg)->n = 0;
}

static void
whole_sample(void *arg, const struct conn_sample *c)
{
	struct whole *w = arg;

	if (w->n < 64)
		w->s[w->n++] = *c;
}

/* What diag_get answered: per key, the cookie found (0: none) and how
 * many answers came. */
struct got {
	uint64_t cookie[64];
	int answers[64];
	int state[64];
};

static void
got_one(void *arg, size_t i, const struct conn_sample *s)
{
	struct got *g = arg;

	if (i >= 64)
		return;
	g->answers[i]++;
	g->cookie[i] = s != NULL ? s->cookie : 0;
	g->state[i] = s != NULL ? s->state : -1;
}

/* One walk for both families finds what two do; exact requests, 32 to a
 * datagram, find each socket by 4-tuple alone or with its cookie, and
 * say "none" for a 4-tuple no socket holds and for a stale cookie. */
static void
test_get(struct diag *d, const struct filter *port)
{
	struct diag_query q = { port, 1, 1 };
	struct diag_sink sink = { whole_begin, whole_sample, NULL };
	static struct whole w;
	static struct got g;
	struct conn_sample keys[64];
	size_t i, n = 0, k;

	sink.arg = &w;
	CHECK(diag_dump(d, &q, &sink) == 0);
	CHECK_EQ(w.n, 7);
	/* Each socket three times: by 4-tuple, by cookie, by a cookie
	 * that is not its own. */
	for (k = 0; k < 3; k++)
		for (i = 0; i < w.n && n < 60; i++) {
			keys[n] = w.s[i];
			keys[n].cookie = k == 0 ? 0 : k == 1 ? w.s[i].cookie :
			    w.s[i].cookie + 0x10000;
			n++;
		}
	/* Two more than 21, past a batch of 32: 127.0.0.1:1 to itself,
	 * which nobody holds (nor listens on). */
	for (k = 0; k < 14; k++) {
		keys[n] = w.s[0];
		keys[n].cookie = 0;
		keys[n].lport = keys[n].rport = 1;
		memcpy(keys[n].remote, keys[n].local, 16);
		n++;
	}
	memset(&g, 0, sizeof g);
	CHECK(diag_get(d, keys, n, got_one, &g) == 0);
	for (i = 0; i < n; i++) {
		CHECK_EQ(g.answers[i], 1);
		if (i < 2 * w.n)
			CHECK_EQ(g.cookie[i], w.s[i % w.n].cookie);
		else
			CHECK_EQ(g.cookie[i], 0);
		if (i < w.n)
			CHECK_EQ(g.state[i], w.s[i].state);
	}
	keys[0].family = AF_UNIX;
	CHECK(diag_get(d, keys, 1, got_one, &g) == -1 && errno == EINVAL);
}

static int
dump(struct diag *d, const struct filter *f, struct set *out)
{
	struct diag_query q = { f, 1, 0 };
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

/* The loopback sockets of the expression test, by (local, remote) port. */
enum {
	X_L4,			/* IPv4 listener on 127.0.0.1 */
	X_C4A, X_A4A,		/* two IPv4 clients and their peers */
	X_C4B, X_A4B,
	X_L6,			/* dual-stack IPv6 listener on :: */
	X_C6, X_A6,		/* a client over ::1 and its peer */
	X_C6M, X_A6M,		/* an IPv4 client and its v4-mapped peer */
	X_N
};

struct xsock {
	int fd;
	unsigned lport, rport;
};

static int
xsock_listen(struct xsock *x, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int off = 0;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	x->fd = socket(family, SOCK_STREAM, 0);
	if (x->fd < 0)
		return -1;
	if (family == AF_INET6 && setsockopt(x->fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &off, sizeof off) == -1)
		return -1;
	if (bind(x->fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1 ||
	    listen(x->fd, 8) == -1 ||
	    getsockname(x->fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	x->lport = ntohs(family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	x->rport = 0;
	return 0;
}

/* Connect a client of family to the listener at port on loopback and
 * accept its peer. */
static int
xsock_connect(struct xsock *c, struct xsock *a, const struct xsock *l,
    int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
		((struct sockaddr_in *)&ss)->sin_port = htons(l->lport);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(l->lport);
	}
	c->fd = socket(family, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&ss,
	    family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)) == -1 ||
	    getsockname(c->fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	c->lport = ntohs(family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	c->rport = l->lport;
	a->fd = accept(l->fd, NULL, NULL);
	a->lport = l->lport;
	a->rport = c->lport;
	return a->fd < 0 ? -1 : 0;
}

/* Copy s to buf with the listeners' ports for $4 and $6. */
static void
subst(char *buf, size_t len, const char *s, unsigned p4, unsigned p6)
{
	size_t off = 0;

	for (; *s != '\0' && off + 8 < len; s++) {
		if (s[0] == '$' && (s[1] == '4' || s[1] == '6'))
			off += (size_t)snprintf(buf + off, len - off, "%u",
			    *++s == '4' ? p4 : p6);
		else
			buf[off++] = *s;
	}
	buf[off] = '\0';
}

/* Expressions run in the kernel: each dump brings back exactly the
 * expected sockets of ours, and when the kernel can test the whole
 * expression it sends nothing else (dumped == kept). */
static void
test_expressions(struct diag *d)
{
	struct xsock x[X_N];
	static struct set got;
	static struct filter f;
	char text[512], err[160];
	int v6, i, k;
	unsigned p4, p6;
	struct {
		const char *text;	/* $4 stands for p4, $6 for p6 */
		unsigned want;		/* bits (1 << X_*) */
		int exact;		/* the kernel tests all of it */
	} cases[] = {
		{ "sport = $4", 1 << X_L4 | 1 << X_A4A | 1 << X_A4B, 1 },
		{ "dport = :$4", 1 << X_C4A | 1 << X_C4B, 1 },
		{ "port = $4 and not dport = $4 and dport > 0",
		    1 << X_A4A | 1 << X_A4B, 1 },
		/* An IPv4 prefix matches the v4-mapped peer of the IPv4
		 * client of the dual-stack listener. */
		{ "port = $6 and src 127.0.0.1",
		    1 << X_C6M | 1 << X_A6M, 1 },
		{ "port = $6 and dst 127.0.0.0/8",
		    1 << X_C6M | 1 << X_A6M, 1 },
		{ "port = $6 and src ::1", 1 << X_C6 | 1 << X_A6, 1 },
		{ "port = $6 && !src 127.0.0.0/8",
		    1 << X_L6 | 1 << X_C6 | 1 << X_A6, 1 },
		{ "(sport = $4 or sport = $6) and dst 0.0.0.0/0",
		    1 << X_L4 | 1 << X_A4A | 1 << X_A4B | 1 << X_A6M, 1 },
		{ "sport = $6 and dst ::/0",
		    1 << X_L6 | 1 << X_A6 | 1 << X_A6M, 1 },
		{ "src [::]:$6", 1 << X_L6, 1 },
		{ "dst [::1]:$6 or dst 127.0.0.1:$4",
		    1 << X_C6 | 1 << X_C4A | 1 << X_C4B, 1 },
		/* A state term of the top-level "and" narrows the request's
		 * state mask, as exact as --state. */
		{ "port = $4 and state listen", 1 << X_L4, 1 },
		{ "state estab (port = $4 or port = $6) !dport = 0",
		    ((1 << X_N) - 1) & ~(1 << X_L4 | 1 << X_L6), 1 },
		/* Inside "or" the kernel cannot test it: a superset comes
		 * back and user space makes it exact. */
		{ "(port = $4 and state listen) or "
		    "(sport = $6 and state estab)",
		    1 << X_L4 | 1 << X_A6 | 1 << X_A6M, 0 },
		{ "port = $6 and not state listen",
		    1 << X_C6 | 1 << X_A6 | 1 << X_C6M | 1 << X_A6M, 1 },
	};

	memset(x, 0, sizeof x);
	for (i = 0; i < X_N; i++)
		x[i].fd = -1;
	if (!CHECK(xsock_listen(&x[X_L4], AF_INET) == 0) ||
	    !CHECK(xsock_connect(&x[X_C4A], &x[X_A4A], &x[X_L4], AF_INET) ==
	    0) ||
	    !CHECK(xsock_connect(&x[X_C4B], &x[X_A4B], &x[X_L4], AF_INET) ==
	    0))
		goto out;
	v6 = xsock_listen(&x[X_L6], AF_INET6) == 0 &&
	    xsock_connect(&x[X_C6], &x[X_A6], &x[X_L6], AF_INET6) == 0 &&
	    xsock_connect(&x[X_C6M], &x[X_A6M], &x[X_L6], AF_INET) == 0;
	if (!v6)
		printf("no IPv6 loopback here: IPv4 expressions only\n");
	p4 = x[X_L4].lport;
	p6 = x[X_L6].lport;
	for (k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
		unsigned seen = 0, n = 0;

		if (!v6 && (cases[k].want >> X_L6) != 0)
			continue;
		subst(text, sizeof text, cases[k].text, p4, p6);
		filter_init(&f);
		if (!CHECK(filter_parse_expr(&f, text, err, sizeof err) == 0)) {
			fprintf(stderr, "  %s: %s\n", text, err);
			continue;
		}
		if (!CHECK(dump(d, &f, &got) == 0)) {
			fprintf(stderr, "  %s: %s\n", text, diag_last_error(d));
			continue;
		}
		/* Each socket kept must be one of ours, and expected. */
		for (i = 0; i < (int)got.n; i++) {
			int j;

			for (j = 0; j < X_N; j++)
				if (x[j].fd >= 0 && got.ports[i][0] ==
				    x[j].lport && got.ports[i][1] == x[j].rport)
					break;
			if (j < X_N && (cases[k].want >> j & 1) &&
			    !(seen >> j & 1)) {
				seen |= 1U << j;
				n++;
			} else
				fprintf(stderr, "  %s: unexpected %u -> %u\n",
				    text, got.ports[i][0], got.ports[i][1]);
		}
		if (!CHECK(seen == cases[k].want && n == got.n))
			fprintf(stderr, "  %s: kept %#x, want %#x\n", text,
			    seen, cases[k].want);
		if (cases[k].exact) {
			if (!CHECK(diag_last_stats(d)->messages == got.n))
				fprintf(stderr, "  %s: the kernel sent %lu, "
				    "%zu kept\n", text,
				    diag_last_stats(d)->messages, got.n);
		} else
			CHECK(diag_last_stats(d)->messages > got.n);
	}
out:
	for (i = 0; i < X_N; i++)
		if (x[i].fd >= 0)
			close(x[i].fd);
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
	struct diag_query q = { f, 1, 0 };

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

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected pair over the loopback of family (AF_INET or AF_INET6):
 * *l the listener, *c the client, *a the accepted socket.  Returns 0, or
 * -1 when the family's loopback cannot be used here. */
static int
make_pair(int family, int *l, int *c, int *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof *sin : sizeof *sin6;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		sin6->sin6_addr = in6addr_loopback;
	*c = *a = -1;
	*l = socket(family, SOCK_STREAM, 0);
	if (*l < 0 || bind(*l, (struct sockaddr *)&ss, len) == -1 ||
	    listen(*l, 4) == -1 ||
	    getsockname(*l, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	*c = socket(family, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&ss, len) == -1)
		return -1;
	*a = accept(*l, NULL, NULL);
	return *a < 0 ? -1 : 0;
}

static unsigned
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* The samples of one dump, whole. */
struct samples {
	size_t n;
	struct conn_sample s[16];
};

static void
samples_begin(void *arg)
{
	((struct samples *)arg)->n = 0;
}

static void
samples_add(void *arg, const struct conn_sample *c)
{
	struct samples *ss = arg;

	if (ss->n < sizeof ss->s / sizeof ss->s[0])
		ss->s[ss->n++] = *c;
}

/* The sample of the socket lport -> rport, from a dump of port's
 * sockets; 0 when it was found. */
static int
sample_of(struct diag *d, unsigned port, unsigned lport, unsigned rport,
    struct conn_sample *out)
{
	static struct samples ss;
	struct diag_sink sink = { samples_begin, samples_add, &ss };
	struct filter f;
	struct diag_query q = { &f, 1, 0 };
	char spec[16], err[64];
	size_t i;

	filter_init(&f);
	snprintf(spec, sizeof spec, "%u", port);
	if (filter_parse_ports(&f, spec, err, sizeof err) == -1 ||
	    diag_dump(d, &q, &sink) == -1)
		return -1;
	for (i = 0; i < ss.n; i++)
		if (ss.s[i].lport == lport && ss.s[i].rport == rport) {
			*out = ss.s[i];
			return 0;
		}
	return -1;
}

static const struct diag_field *
field(const struct diag_field *f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

static uint64_t
value(const struct diag_field *f, int n, const char *name)
{
	const struct diag_field *x = field(f, n, name);

	return x != NULL ? x->value : 0xdeadULL;
}

/* Send n bytes from w to r and drain them at r, then wait (5 s at most)
 * until w's tcp_info shows all of them acked.  Returns 0 on success. */
static int
transfer(int w, int r, size_t n)
{
	static char buf[8192];
	size_t sent = 0, got = 0;
	int64_t deadline = now_ms() + 5000;
	struct tcpinfo ti;

	memset(buf, 'x', sizeof buf);
	while (got < n && now_ms() < deadline) {
		struct pollfd p[2] = { { w, POLLOUT, 0 }, { r, POLLIN, 0 } };
		ssize_t k;

		if (poll(p, 2, 100) == -1)
			return -1;
		if (sent < n && (p[0].revents & POLLOUT)) {
			size_t want = n - sent < sizeof buf ? n - sent :
			    sizeof buf;

			if ((k = send(w, buf, want, MSG_DONTWAIT)) > 0)
				sent += (size_t)k;
		}
		if (p[1].revents & POLLIN) {
			if ((k = recv(r, buf, sizeof buf, MSG_DONTWAIT)) <= 0)
				return -1;
			got += (size_t)k;
		}
	}
	while (now_ms() < deadline) {
		if (tcpinfo_get(w, &ti) == -1)
			return -1;
		if (ti.unacked == 0 && ti.notsent_bytes == 0 &&
		    ti.bytes_acked >= n)
			return got == n ? 0 : -1;
		poll(NULL, 0, 1);
	}
	return -1;
}

/* Look up fd's socket (sample s) and compare it with what getsockopt
 * says just before and just after: once those two agree (nothing moved
 * in between; retried for 5 s at most), the lookup must agree with them
 * too.  Returns the number of fields. */
static int
lookup_matches(struct diag *d, int fd, const struct conn_sample *s,
    struct diag_field *f, struct tcpinfo *ti)
{
	int64_t deadline = now_ms() + 5000;
	struct tcpinfo after;
	int n = -1;

	while (now_ms() < deadline) {
		if (tcpinfo_get(fd, ti) == -1)
			break;
		n = diag_lookup(d, s, f, DIAG_LOOKUP_MAX);
		if (tcpinfo_get(fd, &after) == -1)
			break;
		if (memcmp(ti, &after, sizeof after) == 0)
			break;
		poll(NULL, 0, 1);
	}
	if (!CHECK(n > 0))
		return n;
	CHECK_EQ(value(f, n, "state"), ti->state);
	CHECK_EQ(value(f, n, "snd_mss"), ti->snd_mss);
	CHECK_EQ(value(f, n, "rcv_mss"), ti->rcv_mss);
	CHECK_EQ(value(f, n, "total_retrans"), ti->total_retrans);
	CHECK_EQ(value(f, n, "bytes_acked"), ti->bytes_acked);
	CHECK_EQ(value(f, n, "bytes_received"), ti->bytes_received);
	CHECK_EQ(value(f, n, "segs_out"), ti->segs_out);
	CHECK_EQ(value(f, n, "segs_in"), ti->segs_in);
	CHECK_EQ(value(f, n, "data_segs_out"), ti->data_segs_out);
	CHECK_EQ(value(f, n, "data_segs_in"), ti->data_segs_in);
	CHECK_EQ(value(f, n, "bytes_sent"), ti->bytes_sent);
	return n;
}

/* What every lookup of a live socket here must hold. */
static void
check_fields(const struct diag_field *f, int n, size_t tilen)
{
	const struct diag_field *cc = field(f, n, "cc");
	int i, j, unique = 1;

	CHECK(n > 30);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			unique &= strcmp(f[i].name, f[j].name) != 0;
	CHECK(unique);
	CHECK(n > 0 && strcmp(f[0].name, "state") == 0);
	CHECK(cc != NULL && cc->text != NULL && cc->text[0] != '\0');
	CHECK(field(f, n, "rmem_alloc") != NULL);	/* skmeminfo */
	CHECK(value(f, n, "rcvbuf") > 0);
	CHECK(field(f, n, "shutdown") != NULL);
	/* As much of tcp_info as this kernel has: snd_wnd ends at 232
	 * bytes, rcv_wnd at 236. */
	CHECK((field(f, n, "snd_wnd") != NULL) == (tilen >= 232));
	CHECK((field(f, n, "rcv_wnd") != NULL) == (tilen >= 236));
}

/* Lookups on a connected pair of family: the fields match getsockopt on
 * the same socket after a transfer, a made-up cookie or 4-tuple is
 * ENOENT, dumps and lookups share the diag, and once closed the sockets
 * are gone or in TIME_WAIT without tcp_info. */
static void
test_lookup(struct diag *d, int family)
{
	enum { N = 100000 };
	static struct diag_field f[DIAG_LOOKUP_MAX];
	struct conn_sample cs, as, ls, x;
	struct tcpinfo ti;
	unsigned port, cport;
	int l, c, a, n, rc;
	int64_t deadline;

	if (make_pair(family, &l, &c, &a) == -1) {
		printf("%s loopback unusable here, lookup not tested: %s\n",
		    family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
		CHECK(family == AF_INET6);
		goto out;
	}
	port = local_port(l);
	cport = local_port(c);
	if (!CHECK(transfer(c, a, N) == 0))
		goto out;
	if (!CHECK(sample_of(d, port, cport, port, &cs) == 0 &&
	    sample_of(d, port, port, cport, &as) == 0 &&
	    sample_of(d, port, port, 0, &ls) == 0))
		goto out;
	CHECK(cs.cookie != 0 && as.cookie != 0);

	/* A receive buffer smaller than the answer: measured, grown. */
	CHECK(diag_set_bufsize(d, 64) == 0);
	n = lookup_matches(d, c, &cs, f, &ti);
	check_fields(f, n, ti.len);
	CHECK(value(f, n, "bytes_acked") >= N);
	CHECK(value(f, n, "data_segs_out") > 0);
	n = lookup_matches(d, a, &as, f, &ti);
	check_fields(f, n, ti.len);
	CHECK_EQ(value(f, n, "bytes_received"), N);
	/* The listener is a full socket too. */
	n = diag_lookup(d, &ls, f, DIAG_LOOKUP_MAX);
	CHECK(n > 30);
	CHECK_EQ(value(f, n, "state"), TCP_LISTEN);

	/* A dump between lookups, on the same diag. */
	CHECK(sample_of(d, port, cport, port, &x) == 0 &&
	    x.cookie == cs.cookie);

	/* Another cookie on the same 4-tuple: not this socket. */
	x = cs;
	x.cookie ^= 0x5a5a5a5a00000000ULL;
	errno = 0;
	CHECK_EQ(diag_lookup(d, &x, f, DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
	/* An unknown peer with no cookie to check: the kernel finds the
	 * listener on the local address, which is not the socket asked for. */
	x = as;
	x.cookie = 0;
	x.rport = (uint16_t)(cport == 65535 ? 1 : cport + 1);
	errno = 0;
	CHECK_EQ(diag_lookup(d, &x, f, DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
	x.family = AF_UNIX;
	errno = 0;
	CHECK_EQ(diag_lookup(d, &x, f, DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, EINVAL);

	/* The accepted socket closes first and ends in TIME_WAIT, which
	 * keeps its cookie and has no tcp_info; the client, closed from
	 * CLOSE_WAIT, goes once its FIN is acked. */
	close(a);
	a = -1;
	CHECK(wait_state(c, TCP_CLOSE_WAIT));
	close(c);
	c = -1;
	deadline = now_ms() + 5000;
	do {
		errno = 0;
		rc = diag_lookup(d, &cs, f, DIAG_LOOKUP_MAX);
	} while (!(rc == -1 && errno == ENOENT) && now_ms() < deadline &&
	    poll(NULL, 0, 1) == 0);
	CHECK_EQ(rc, -1);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	rc = diag_lookup(d, &as, f, DIAG_LOOKUP_MAX);
	CHECK(rc == 0 || (rc == -1 && errno == ENOENT));
	close(l);
	l = -1;
	errno = 0;
	CHECK_EQ(diag_lookup(d, &ls, f, DIAG_LOOKUP_MAX), -1);
	CHECK_EQ(errno, ENOENT);
out:
	if (a >= 0)
		close(a);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
}

/* What the destroy notifications brought for one port pair. */
struct notified {
	unsigned lport, rport;
	int n;			/* notifications for the pair, either end */
	int closed;		/* of them, in state CLOSE */
	int info;		/* with tcp_info */
	uint64_t cookie;	/* the client's */
};

static void
notified_add(void *arg, const struct conn_sample *s)
{
	struct notified *nt = arg;

	if (!((s->lport == nt->lport && s->rport == nt->rport) ||
	    (s->lport == nt->rport && s->rport == nt->lport)))
		return;
	nt->n++;
	nt->closed += s->state == TCP_CLOSE;
	nt->info += (s->flags & CONN_HAS_INFO) != 0;
	if (s->lport == nt->lport)
		nt->cookie = s->cookie;
}

/* Closing both ends of a connection brings one destroy notification for
 * each, with state CLOSE and tcp_info, readable without privilege and
 * without blocking. */
static void
test_notify(struct diag *d, int family)
{
	struct diag_notify *n = diag_notify_open();
	struct notified nt;
	struct conn_sample cs;
	int l, c, a;
	int64_t end;

	if (!CHECK(n != NULL)) {
		printf("diag_notify_open: %s\n", strerror(errno));
		return;
	}
	memset(&nt, 0, sizeof nt);
	CHECK(diag_notify_read(n, notified_add, &nt) >= 0);
	if (make_pair(family, &l, &c, &a) == -1) {
		printf("SKIP: no loopback for family %d\n", family);
		diag_notify_close(n);
		return;
	}
	memset(&nt, 0, sizeof nt);
	nt.lport = local_port(c);
	nt.rport = local_port(a);
	/* The client's cookie, from a dump, to compare. */
	CHECK(sample_of(d, local_port(l), nt.lport, nt.rport, &cs) == 0);
	close(a);
	close(c);
	end = now_ms() + 5000;
	while (nt.n < 2 && now_ms() < end) {
		struct pollfd pfd = { diag_notify_fd(n), POLLIN, 0 };

		if (poll(&pfd, 1, 100) > 0)
			CHECK(diag_notify_read(n, notified_add, &nt) >= 0);
	}
	CHECK_EQ(nt.n, 2);
	CHECK_EQ(nt.closed, 2);
	CHECK_EQ(nt.info, 2);
	CHECK(nt.cookie == cs.cookie);
	CHECK_EQ(diag_notify_lost(n), 0);
	close(l);
	diag_notify_close(n);
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

	test_expressions(d);
	test_get(d, &port);

	/* fds: listener, then (client, accepted) pairs. */
	test_transitions(d, p, fds[1], fds[2]);
	fds[2] = -1;
	test_lookup(d, AF_INET);
	test_lookup(d, AF_INET6);
	test_notify(d, AF_INET);
	test_notify(d, AF_INET6);
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	diag_close(d);
	return check_done();
}
