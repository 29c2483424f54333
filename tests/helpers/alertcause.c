/*
 * alertcause: hold sockets that set off tcptop's alerts, for
 * tests/root/alerts.sh.  Run inside a network namespace (ip netns exec).
 *
 * usage: alertcause listen PORT BACKLOG	listen, never accept
 *        alertcause serve PORT		listen, accept and keep every
 *					connection, never close one
 *        alertcause connect ADDR PORT N	N non-blocking connects to
 *					IPv4 ADDR:PORT, kept open
 *        alertcause talk ADDR PORT	one connect, then one byte sent
 *					(the caller drops it: RTOs)
 *        alertcause closer PORT		listen, accept, and close each
 *					connection once its peer has
 *        alertcause hangup ADDR PORT N	N connects to IPv4 ADDR:PORT,
 *					each closed at once: against
 *					closer, TIME_WAIT here; against
 *					serve, orphaned FIN_WAIT2
 *        alertcause halfclose ADDR PORT N	N connects, each shut down for
 *					writing and kept: against serve,
 *					FIN_WAIT2 held by this process
 *
 * It prints "ready" once its sockets are made (connects are only
 * started: the caller checks the states with ss), then runs until a
 * signal ends it (SIGTERM); the exit closes everything.  Any failure prints one line "alertcause: ..." on
 * stderr and exits 1.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "alertcause: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi) {
		fprintf(stderr, "alertcause: bad number '%s'\n", s);
		exit(1);
	}
	return (int)v;
}

static int
listener(int port, int backlog)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("bind");
	if (listen(fd, backlog) == -1)
		die("listen");
	return fd;
}

/* IPv4 ADDR and PORT into sa, or exit 1. */
static void
addr(struct sockaddr_in *sa, const char *a, const char *port)
{
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)num(port, 1, 65535));
	if (inet_pton(AF_INET, a, &sa->sin_addr) != 1) {
		fprintf(stderr, "alertcause: bad address '%s'\n", a);
		exit(1);
	}
}

/* closer: accept, and close a connection when its peer has closed (a
 * read of 0), so the peer, which closed first, ends in TIME_WAIT. */
static void
closer(int lfd)
{
	struct pollfd p[1024];
	char buf[256];
	nfds_t n = 1, i;

	p[0].fd = lfd;
	p[0].events = POLLIN;
	for (;;) {
		if (poll(p, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = n; i-- > 1;) {
			if (p[i].revents == 0 ||
			    read(p[i].fd, buf, sizeof buf) > 0)
				continue;
			close(p[i].fd);
			p[i] = p[--n];
		}
		if ((p[0].revents & POLLIN) && n < 1024) {
			int fd = accept(lfd, NULL, NULL);

			if (fd == -1 && errno != EINTR)
				die("accept");
			if (fd != -1) {
				p[n].fd = fd;
				p[n++].events = POLLIN;
			}
		}
	}
}

static void
ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	int lfd = -1, i, n;

	/* SIGTERM and the others keep their default: the exit closes. */
	if (argc == 4 && strcmp(argv[1], "listen") == 0) {
		listener(num(argv[2], 1, 65535), num(argv[3], 0, 65535));
	} else if (argc == 3 && strcmp(argv[1], "serve") == 0) {
		lfd = listener(num(argv[2], 1, 65535), 128);
	} else if (argc == 5 && strcmp(argv[1], "connect") == 0) {
		struct sockaddr_in sa;

		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)num(argv[3], 1, 65535));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
			fprintf(stderr, "alertcause: bad address '%s'\n",
			    argv[2]);
			return 1;
		}
		n = num(argv[4], 1, 10000);
		for (i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
			    0);

			if (fd == -1)
				die("socket");
			if (connect(fd, (struct sockaddr *)&sa, sizeof sa) ==
			    -1 && errno != EINPROGRESS)
				die("connect");
		}
	} else if (argc == 4 && strcmp(argv[1], "talk") == 0) {
		struct sockaddr_in sa;
		int fd;

		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)num(argv[3], 1, 65535));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
			fprintf(stderr, "alertcause: bad address '%s'\n",
			    argv[2]);
			return 1;
		}
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
			die("connect");
		if (write(fd, "x", 1) != 1)
			die("write");
	} else if (argc == 3 && strcmp(argv[1], "closer") == 0) {
		lfd = listener(num(argv[2], 1, 65535), 128);
		ready();
		closer(lfd);
	} else if (argc == 5 && strcmp(argv[1], "halfclose") == 0) {
		struct sockaddr_in sa;

		addr(&sa, argv[2], argv[3]);
		n = num(argv[4], 1, 10000);
		for (i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			if (fd == -1)
				die("socket");
			if (connect(fd, (struct sockaddr *)&sa, sizeof sa) ==
			    -1)
				die("connect");
			if (shutdown(fd, SHUT_WR) == -1)
				die("shutdown");
		}
	} else if (argc == 5 && strcmp(argv[1], "hangup") == 0) {
		struct sockaddr_in sa;

		addr(&sa, argv[2], argv[3]);
		n = num(argv[4], 1, 10000);
		for (i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			if (fd == -1)
				die("socket");
			if (connect(fd, (struct sockaddr *)&sa, sizeof sa) ==
			    -1)
				die("connect");
			close(fd);
		}
	} else {
		fprintf(stderr, "usage: alertcause listen PORT BACKLOG | "
		    "serve PORT | connect ADDR PORT N | talk ADDR PORT | "
		    "closer PORT | hangup ADDR PORT N | halfclose ADDR PORT "
		    "N\n");
		return 1;
	}
	ready();
	for (;;) {
		/* serve: accept and keep; a peer's close leaves the socket
		 * in CLOSE_WAIT, since it is never closed here. */
		if (lfd != -1) {
			if (accept(lfd, NULL, NULL) == -1 && errno != EINTR)
				die("accept");
		} else
			pause();
	}
}
