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

#include "check.h"
#include "tcptop/diag.h"

#define MAXC 4096

struct set {
	int begins;
	size_t n;
	uint64_t cookies[MAXC];
	unsigned ports[MAXC][2];
};

static void
set_begin(void *arg)
{
	struct set *s = arg;

	s->begins++;
	s->n = 0;
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
	CHECK_EQ(b.begins, (int)diag_last_stats(d)->restarts + 1);
	CHECK(diag_set_bufsize(d, 64) == 0);
	CHECK(dump(d, &all, &b) == 0);
	CHECK_EQ(a.n, b.n);
	CHECK(memcmp(a.cookies, b.cookies, a.n * sizeof a.cookies[0]) == 0);
	/* The grown buffer stays: the next dump needs no restart. */
	CHECK(dump(d, &all, &b) == 0);
	CHECK_EQ(diag_last_stats(d)->restarts, 0);

	for (i = 0; i < nfds; i++)
		close(fds[i]);
	diag_close(d);
	return check_done();
}
