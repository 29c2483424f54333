/* tcpcycle: scripted TCP connections for tests/root/transitions.sh, in the
 * network namespace it runs in.  Each mode exits 0 once done, after
 * checking every state it waited for with TCP_INFO.
 *
 *   tcpcycle cycle ADDR PORT N PAUSE_MS
 *	listen on ADDR:PORT, then N times: connect, accept, pause, close
 *	the client (it goes FIN_WAIT1, FIN_WAIT2), read the server's end
 *	to EOF (CLOSE_WAIT), pause, close it (LAST_ACK, CLOSE; the client
 *	goes TIME_WAIT), pause; close the listener.
 *   tcpcycle refused ADDR PORT
 *	connect to a port nobody listens on: SYN_SENT -> CLOSE on the RST.
 *   tcpcycle synsent ADDR PORT PAUSE_MS
 *	connect without blocking to a port whose SYNs are dropped, pause
 *	in SYN_SENT, close.
 *   tcpcycle serve ADDR PORT
 *	accept and hold connections until stdin closes.
 *   tcpcycle reset ADDR PORT PAUSE_MS
 *	connect, pause in ESTABLISHED, close with SO_LINGER 0 (a RST).
 *   tcpcycle churn ADDR PORT N RATE
 *	listen on ADDR:PORT, then N times at RATE a second: connect, accept,
 *	close the client, close the server's end (each connection makes ten
 *	state changes, the client ends in TIME_WAIT); close the listener and
 *	print "N SECONDS", the connections made and the time they took.
 *	Paced by an absolute clock, so a slow moment is caught up. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "tcpcycle: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
addr_of(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	unsigned p = (unsigned)atoi(port);

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*len = sizeof *sin;
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*len = sizeof *sin6;
		return AF_INET6;
	}
	fprintf(stderr, "tcpcycle: bad address %s\n", host);
	exit(2);
}

static int
state_of(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		die("TCP_INFO");
	return ti.tcpi_state;
}

/* Wait (5 s at most) until fd is in state want. */
static void
wait_state(int fd, int want, const char *what)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (state_of(fd) == want)
			return;
		pause_ms(10);
	}
	fprintf(stderr, "tcpcycle: %s: state %d, not %d\n", what,
	    state_of(fd), want);
	exit(1);
}

static int
listener(int fam, const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, l = socket(fam, SOCK_STREAM, 0);

	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (const struct sockaddr *)ss, len) == -1 ||
	    listen(l, 64) == -1)
		die("listen");
	return l;
}

static int
client(int fam, const struct sockaddr_storage *ss, socklen_t len)
{
	int c = socket(fam, SOCK_STREAM, 0);

	if (c < 0)
		die("socket");
	if (connect(c, (const struct sockaddr *)ss, len) == -1)
		die("connect");
	return c;
}

static void
cycle(int fam, const struct sockaddr_storage *ss, socklen_t len, long n,
    long pause)
{
	int l = listener(fam, ss, len);
	long i;

	for (i = 0; i < n; i++) {
		char buf[16];
		int c = client(fam, ss, len), a = accept(l, NULL, NULL);

		if (a < 0)
			die("accept");
		wait_state(a, TCP_ESTABLISHED, "server");
		pause_ms(pause);
		close(c);
		if (read(a, buf, sizeof buf) != 0)
			die("read to EOF");
		wait_state(a, TCP_CLOSE_WAIT, "server");
		pause_ms(pause);
		close(a);
		pause_ms(pause);
	}
	close(l);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
churn(int fam, const struct sockaddr_storage *ss, socklen_t len, long n,
    long rate)
{
	int l = listener(fam, ss, len);
	double t0 = now_s(), ahead;
	long i;

	if (rate < 1)
		rate = 1;
	for (i = 0; i < n; i++) {
		int c, a;

		/* Connection i is due at t0 + i / rate. */
		ahead = t0 + (double)i / (double)rate - now_s();
		if (ahead > 0.001)
			pause_ms((long)(ahead * 1000));
		c = client(fam, ss, len);
		if ((a = accept(l, NULL, NULL)) < 0)
			die("accept");
		close(c);
		close(a);
	}
	close(l);
	printf("%ld %.3f\n", n, now_s() - t0);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam;

	if (argc < 4) {
		fprintf(stderr, "usage: tcpcycle MODE ADDR PORT ...\n");
		return 2;
	}
	fam = addr_of(argv[2], argv[3], &ss, &len);
	if (strcmp(argv[1], "cycle") == 0 && argc == 6)
		cycle(fam, &ss, len, atol(argv[4]), atol(argv[5]));
	else if (strcmp(argv[1], "refused") == 0) {
		int c = socket(fam, SOCK_STREAM, 0);

		if (connect(c, (struct sockaddr *)&ss, len) == 0 ||
		    errno != ECONNREFUSED)
			die("connect was not refused");
		close(c);
	} else if (strcmp(argv[1], "synsent") == 0 && argc == 5) {
		int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(c, (struct sockaddr *)&ss, len) == 0 ||
		    errno != EINPROGRESS)
			die("connect");
		wait_state(c, TCP_SYN_SENT, "client");
		pause_ms(atol(argv[4]));
		wait_state(c, TCP_SYN_SENT, "client");
		close(c);
	} else if (strcmp(argv[1], "serve") == 0) {
		int l = listener(fam, &ss, len);
		struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { l, POLLIN, 0 } };

		printf("ready\n");
		fflush(stdout);
		for (;;) {
			if (poll(pfd, 2, -1) == -1 && errno != EINTR)
				die("poll");
			if (pfd[0].revents)
				break;
			/* Held open, never closed: they go at exit. */
			if (pfd[1].revents && accept(l, NULL, NULL) < 0)
				die("accept");
		}
	} else if (strcmp(argv[1], "churn") == 0 && argc == 6) {
		churn(fam, &ss, len, atol(argv[4]), atol(argv[5]));
	} else if (strcmp(argv[1], "reset") == 0 && argc == 5) {
		struct linger lg = { 1, 0 };
		int c = client(fam, &ss, len);

		wait_state(c, TCP_ESTABLISHED, "client");
		pause_ms(atol(argv[4]));
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(c);
	} else {
		fprintf(stderr, "tcpcycle: bad mode or arguments\n");
		return 2;
	}
	return 0;
}
