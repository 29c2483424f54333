/*
 * grouphold: hold connections from several peer addresses to two
 * services, some in CLOSE_WAIT, for the group views' test.
 *
 * usage: grouphold SUBJECT_NETNS PEER_NETNS
 *
 * The namespaces come from tests/lib/lib-netns.sh (S 10.77.0.1 and
 * fd00:77::1, P 10.77.0.2 and fd00:77::2), and P also has 10.77.0.3 and
 * 10.77.0.4 on its veth.  In S, ports 7080 and 7443 listen (IPv4, and
 * 7443 IPv6 too); the peers connect from the addresses of the table
 * below, and a peer that shuts its end down leaves S's accepted socket
 * in CLOSE_WAIT.  S also connects out to a listener of P on 7900 twice.
 * One process owns both ends: it setns()es before each socket().
 *
 * Every state is checked with TCP_INFO on S's sockets, polling with a
 * deadline.  Then it prints "ready" and waits until its standard input
 * is closed or a signal comes; any failure prints one line
 * "grouphold: ..." and exits 1.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Connections to S from each peer address: how many stay ESTABLISHED
 * and how many the peer shuts down (CLOSE_WAIT in S). */
static const struct {
	const char *peer;
	unsigned port;
	int est;
	int closewait;
} grouphold_table[] = {
	{ "10.77.0.2", 7080, 2, 1 },
	{ "10.77.0.3", 7080, 1, 2 },
	{ "10.77.0.3", 7443, 1, 0 },
	{ "10.77.0.4", 7443, 2, 1 },
	{ "fd00:77::2", 7443, 1, 1 },
};

#define GROUPHOLD_OUT_PORT	7900
#define GROUPHOLD_OUT_N		2
#define GROUPHOLD_MAXFD		128

static int grouphold_fds[GROUPHOLD_MAXFD];
static int grouphold_nfds;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("grouphold: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
keep(int fd)
{
	if (grouphold_nfds == GROUPHOLD_MAXFD)
		die("too many sockets");
	grouphold_fds[grouphold_nfds++] = fd;
	return fd;
}

static void
enter(int nsfd, const char *name)
{
	if (setns(nsfd, CLONE_NEWNET) == -1)
		die("setns %s: %s", name, strerror(errno));
}

static int
open_ns(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "/run/netns/%s", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* addr:port into ss (either family); returns its length. */
static socklen_t
mkaddr(const char *addr, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof *in;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof *in6;
	}
	die("bad address %s", addr);
}

static int
listen_on(const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(addr, port, &ss);
	int fd, one = 1;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 64) == -1)
		die("listen on %s port %u: %s", addr, port, strerror(errno));
	return keep(fd);
}

/* A blocking connect from addr (any port) to dst:port. */
static int
connect_from(const char *addr, const char *dst, unsigned port)
{
	struct sockaddr_storage src, to;
	socklen_t slen = mkaddr(addr, 0, &src), tlen = mkaddr(dst, port, &to);
	int fd;

	fd = socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&src, slen) == -1)
		die("bind %s: %s", addr, strerror(errno));
	if (connect(fd, (struct sockaddr *)&to, tlen) == -1)
		die("connect %s -> %s port %u: %s", addr, dst, port,
		    strerror(errno));
	return keep(fd);
}

static int
accept_one(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd == -1)
		die("accept: %s", strerror(errno));
	return keep(fd);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait (5 s at most) until fd is in state. */
static void
wait_state(int fd, int state, const char *what)
{
	int64_t deadline = now_ms() + 5000;
	struct tcp_info ti;
	socklen_t len;

	for (;;) {
		len = sizeof ti;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
			die("TCP_INFO: %s", strerror(errno));
		if (ti.tcpi_state == state)
			return;
		if (now_ms() > deadline)
			die("%s: state %u, not %d after 5 s", what,
			    ti.tcpi_state, state);
		usleep(10000);
	}
}

static volatile sig_atomic_t grouphold_sig;

static void
on_signal(int sig)
{
	grouphold_sig = sig;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int s, p, l7080, l7443, l7443v6, lout, fd, afd, i, k;
	size_t t;
	char c;

	if (argc != 3)
		die("usage: grouphold SUBJECT_NETNS PEER_NETNS");
	s = open_ns(argv[1]);
	p = open_ns(argv[2]);

	enter(s, argv[1]);
	l7080 = listen_on("0.0.0.0", 7080);
	l7443 = listen_on("0.0.0.0", 7443);
	l7443v6 = listen_on("::", 7443);
	for (t = 0; t < sizeof grouphold_table / sizeof grouphold_table[0];
	    t++) {
		int lfd = grouphold_table[t].port == 7080 ? l7080 :
		    strchr(grouphold_table[t].peer, ':') != NULL ? l7443v6 :
		    l7443;
		const char *dst = strchr(grouphold_table[t].peer, ':') !=
		    NULL ? "fd00:77::1" : "10.77.0.1";

		for (k = 0; k < grouphold_table[t].est +
		    grouphold_table[t].closewait; k++) {
			enter(p, argv[2]);
			fd = connect_from(grouphold_table[t].peer, dst,
			    grouphold_table[t].port);
			enter(s, argv[1]);
			afd = accept_one(lfd);
			wait_state(afd, TCP_ESTABLISHED, "accepted");
			if (k < grouphold_table[t].est)
				continue;
			if (shutdown(fd, SHUT_WR) == -1)
				die("shutdown: %s", strerror(errno));
			wait_state(afd, TCP_CLOSE_WAIT, "accepted, shut");
		}
	}

	/* Outgoing: S's sockets on no listened-on port. */
	enter(p, argv[2]);
	lout = listen_on("10.77.0.2", GROUPHOLD_OUT_PORT);
	enter(s, argv[1]);
	for (i = 0; i < GROUPHOLD_OUT_N; i++) {
		fd = connect_from("10.77.0.1", "10.77.0.2",
		    GROUPHOLD_OUT_PORT);
		wait_state(fd, TCP_ESTABLISHED, "outgoing");
		enter(p, argv[2]);
		accept_one(lout);
		enter(s, argv[1]);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!grouphold_sig && read(STDIN_FILENO, &c, 1) > 0)
		;
	return 0;
}
