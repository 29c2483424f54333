/*
 * populate: one worker of bench/refresh and bench/ui; builds part of a
 * TCP socket population on loopback and holds it until SIGTERM.
 *
 * usage: populate -i INDEX -e EST_PAIRS -c CLOSE_WAIT_PAIRS -t TIME_WAIT
 *                 [-6 EVERY] [-T RATE]
 *
 * Run it inside a fresh network namespace with lo up.  Worker INDEX
 * listens on port POPULATE_PORT_BASE + INDEX, once for IPv4 (0.0.0.0) and
 * once for IPv6 ([::], v6only), and connects to itself.  Every EVERY-th
 * connection (default 5) goes to ::1, the others to a 127.0.x.y address
 * that changes per connection, so no (address, port) pair runs short of
 * ephemeral ports.  Both ends of a connection are in the namespace, so:
 *
 *	2			LISTEN
 *	2 * EST_PAIRS		ESTABLISHED
 *	CLOSE_WAIT_PAIRS	CLOSE_WAIT (the accepted end)
 *	CLOSE_WAIT_PAIRS	FIN_WAIT2 (the connecting end, shut down)
 *	TIME_WAIT		TIME_WAIT (connecting end closed first)
 *
 * The TIME_WAIT sockets are made last: they hold no fd and expire 60 s
 * later.  Everything else holds one fd per socket, 2 + 2 * (EST_PAIRS +
 * CLOSE_WAIT_PAIRS) in all, which must stay under the fd hard limit.
 * When the population is in place the worker prints "ready N" (N the
 * sockets it made) and waits for SIGTERM, SIGINT or SIGHUP.  With -T,
 * while it waits it makes RATE more TIME_WAIT sockets a second (a tenth
 * every 100 ms), so the TIME_WAIT population is topped up as it expires:
 * the light churn of bench/scale.  Any failure
 * prints "populate: ..." on stderr and exits 1.
 *
 * Build: cc -O2 -std=c11 -D_GNU_SOURCE -o populate populate.c
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Under the namespace's ip_local_port_range (bench/refresh sets 2000 and
 * up), so no connection's ephemeral port can take a listener's. */
#define POPULATE_PORT_BASE	1024
#define POPULATE_MAX_WORKERS	900

/* Connections made before their accept(): well under the backlog, which
 * bench/refresh lets grow with net.core.somaxconn. */
#define POPULATE_BATCH		1024
#define POPULATE_BACKLOG	4096

struct populate {
	int	 index;
	int	 every6;	/* every6-th connection is IPv6 */
	int	 lfd[2];	/* listeners: [0] IPv4, [1] IPv6 */
	unsigned long	 nconn;	/* connections made, for the addresses */
	int	*fds;		/* held ends */
	size_t	 nfds, capfds;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
populate_fail(const char *fmt, ...)
{
	int errnum = errno;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "populate: %s: %s\n", msg, strerror(errnum));
	exit(1);
}

static void __attribute__((noreturn))
populate_usage(void)
{
	fprintf(stderr, "usage: populate -i INDEX -e EST_PAIRS "
	    "-c CLOSE_WAIT_PAIRS -t TIME_WAIT [-6 EVERY] [-T RATE]\n");
	exit(2);
}

static long
populate_number(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		populate_usage();
	return v;
}

/* Up to the hard limit: the default soft limit of 1024 is far too low. */
static void
populate_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		populate_fail("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		populate_fail("setrlimit");
}

static void
populate_hold(struct populate *p, int fd)
{
	if (p->nfds == p->capfds) {
		p->capfds = p->capfds ? p->capfds * 2 : 1024;
		p->fds = realloc(p->fds, p->capfds * sizeof *p->fds);
		if (p->fds == NULL)
			populate_fail("realloc");
	}
	p->fds[p->nfds++] = fd;
}

static int
populate_listen(int af, uint16_t port)
{
	int fd, on = 1;

	fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		populate_fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		populate_fail("SO_REUSEADDR");
	if (af == AF_INET6) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
		    .sin6_port = htons(port), .sin6_addr = in6addr_any };

		/* Else it would take the IPv4 port too. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof on) == -1)
			populate_fail("IPV6_V6ONLY");
		if (bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1)
			populate_fail("bind [::]:%u", port);
	} else {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons(port),
		    .sin_addr.s_addr = htonl(INADDR_ANY) };

		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
			populate_fail("bind 0.0.0.0:%u", port);
	}
	if (listen(fd, POPULATE_BACKLOG) == -1)
		populate_fail("listen");
	return fd;
}

/* Connect to this worker's listener of the next connection's family.
 * Returns the connected fd; *v6 says which listener will accept it. */
static int
populate_connect(struct populate *p, int *v6)
{
	uint16_t port = (uint16_t)(POPULATE_PORT_BASE + p->index);
	unsigned long k = p->nconn++;
	int fd;

	*v6 = p->every6 > 0 && k % (unsigned long)p->every6 ==
	    (unsigned long)p->every6 - 1;
	fd = socket(*v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		populate_fail("socket");
	if (*v6) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
		    .sin6_port = htons(port), .sin6_addr = in6addr_loopback };

		if (connect(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1)
			populate_fail("connect [::1]:%u", port);
	} else {
		/* 127.0.0.0/8 is all loopback: spread over 127.0.x.y, never
		 * .0 or .255 in the last byte. */
		uint32_t host = (uint32_t)(k % 60000);
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons(port) };

		sin.sin_addr.s_addr = htonl(0x7f000000U |
		    (host / 254) << 8 | (host % 254 + 1));
		if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
			populate_fail("connect 127.0.%u.%u:%u", host / 254,
			    host % 254 + 1, port);
	}
	return fd;
}

enum populate_kind {
	POPULATE_EST,		/* keep both ends */
	POPULATE_CLOSE_WAIT,	/* connecting end shuts down, keep both */
	POPULATE_TIME_WAIT,	/* connecting end closes first, then the
				 * other: the connecting end is TIME_WAIT */
};

/* Make n connections of one kind, a batch at a time: connect() on
 * loopback returns once the handshake is done, so each batch waits in
 * the accept queues until the accept() loop below. */
static void
populate_make(struct populate *p, long n, enum populate_kind kind)
{
	int cfd[POPULATE_BATCH], afd[POPULATE_BATCH], v6[POPULATE_BATCH];
	long done = 0;

	while (done < n) {
		int b = n - done > POPULATE_BATCH ? POPULATE_BATCH :
		    (int)(n - done), i;

		for (i = 0; i < b; i++)
			cfd[i] = populate_connect(p, &v6[i]);
		for (i = 0; i < b; i++) {
			afd[i] = accept4(p->lfd[v6[i]], NULL, NULL,
			    SOCK_CLOEXEC);
			if (afd[i] == -1)
				populate_fail("accept");
		}
		for (i = 0; i < b; i++) {
			switch (kind) {
			case POPULATE_EST:
				populate_hold(p, cfd[i]);
				populate_hold(p, afd[i]);
				break;
			case POPULATE_CLOSE_WAIT:
				if (shutdown(cfd[i], SHUT_WR) == -1)
					populate_fail("shutdown");
				populate_hold(p, cfd[i]);
				populate_hold(p, afd[i]);
				break;
			case POPULATE_TIME_WAIT:
				/* Loopback delivers the FIN before close()
				 * returns, so the accepted end closes second
				 * and only the connecting end waits. */
				if (close(cfd[i]) == -1)
					populate_fail("close");
				break;
			}
		}
		if (kind == POPULATE_TIME_WAIT)
			for (i = 0; i < b; i++)
				if (close(afd[i]) == -1)
					populate_fail("close");
		done += b;
	}
}

static double
populate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for a signal of set; with rate > 0, make rate TIME_WAIT sockets a
 * second meanwhile, on the pace of the clock (a late tick catches up). */
static void
populate_wait(struct populate *p, const sigset_t *set, long rate)
{
	const struct timespec tick = { 0, 100000000 };
	double t0 = populate_now();
	long made = 0;

	if (rate == 0) {
		int sig;

		sigwait(set, &sig);
		return;
	}
	for (;;) {
		long due;

		if (sigtimedwait(set, NULL, &tick) != -1)
			return;
		if (errno != EAGAIN && errno != EINTR)
			populate_fail("sigtimedwait");
		due = (long)((populate_now() - t0) * (double)rate) - made;
		if (due > 0) {
			populate_make(p, due, POPULATE_TIME_WAIT);
			made += due;
		}
	}
}

int
main(int argc, char *argv[])
{
	struct populate p;
	long est = -1, cw = -1, tw = -1, rate = 0;
	sigset_t set;
	int ch;

	memset(&p, 0, sizeof p);
	p.index = -1;
	p.every6 = 5;
	while ((ch = getopt(argc, argv, "i:e:c:t:6:T:")) != -1) {
		switch (ch) {
		case 'T':
			rate = populate_number(optarg, 100000);
			break;
		case 'i':
			p.index = (int)populate_number(optarg,
			    POPULATE_MAX_WORKERS - 1);
			break;
		case 'e':
			est = populate_number(optarg, 1000000);
			break;
		case 'c':
			cw = populate_number(optarg, 1000000);
			break;
		case 't':
			tw = populate_number(optarg, 1000000);
			break;
		case '6':
			p.every6 = (int)populate_number(optarg, 1000);
			break;
		default:
			populate_usage();
		}
	}
	if (optind != argc || p.index < 0 || est < 0 || cw < 0 || tw < 0)
		populate_usage();

	/* Block the signals first: they end the wait below, not the run. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	populate_raise_nofile();
	p.lfd[0] = populate_listen(AF_INET,
	    (uint16_t)(POPULATE_PORT_BASE + p.index));
	p.lfd[1] = populate_listen(AF_INET6,
	    (uint16_t)(POPULATE_PORT_BASE + p.index));
	populate_make(&p, est, POPULATE_EST);
	populate_make(&p, cw, POPULATE_CLOSE_WAIT);
	populate_make(&p, tw, POPULATE_TIME_WAIT);

	printf("ready %ld\n", 2 + 2 * est + 2 * cw + tw);
	fflush(stdout);
	populate_wait(&p, &set, rate);
	return 0;
}
