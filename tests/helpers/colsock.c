/* colsock: the sockets tests/root/columns.sh compares tcptop with ss on, all
 * on 127.0.0.1 in the caller's namespace.
 *
 *	colsock hold PORT N	a connection over which N bytes went
 *				(client to server), then silence
 *	colsock stream PORT	a connection the client keeps sending on,
 *				about 6 MB/s, while the server reads
 *	colsock backlog PORT N K
 *				a listener with listen(fd, N) and K
 *				connections it never accepts
 *
 * Prints "ready" once the sockets are in place, then holds them until
 * SIGTERM, or 120 s at most (alarm), so a test killed hard leaves
 * nothing running for long. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "colsock: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in
addr(int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static int
listener(int port, int backlog)
{
	struct sockaddr_in sa = addr(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("bind");
	if (listen(fd, backlog) == -1)
		die("listen");
	return fd;
}

static int
client(int port)
{
	struct sockaddr_in sa = addr(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("connect");
	return fd;
}

/* A connected pair: *c the client end, *s the server's. */
static void
pair(int port, int *c, int *s)
{
	int l = listener(port, 1);

	*c = client(port);
	if ((*s = accept(l, NULL, NULL)) == -1)
		die("accept");
	close(l);
}

static void
ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static void
hold(int port, long n)
{
	static char buf[65536];
	int c, s;
	long sent = 0, got = 0;

	pair(port, &c, &s);
	memset(buf, 'x', sizeof buf);
	while (sent < n) {
		size_t k = n - sent < (long)sizeof buf ? (size_t)(n - sent) :
		    sizeof buf;
		ssize_t w = write(c, buf, k);

		if (w <= 0)
			die("write");
		sent += w;
		/* Read as it goes, so the window never closes. */
		while (got < sent) {
			ssize_t r = read(s, buf, sizeof buf);

			if (r <= 0)
				die("read");
			got += r;
		}
	}
	ready();
	for (;;)
		pause();
}

static void
stream(int port)
{
	static char buf[65536];
	int c, s;

	pair(port, &c, &s);
	if (fcntl(c, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(s, F_SETFL, O_NONBLOCK) == -1)
		die("fcntl");
	memset(buf, 'y', sizeof buf);
	ready();
	for (;;) {
		if (write(c, buf, sizeof buf) == -1 && errno != EAGAIN)
			die("write");
		while (read(s, buf, sizeof buf) > 0)
			;
		/* About 64 KiB every 10 ms: steady, and light on the CPU. */
		poll(NULL, 0, 10);
	}
}

static void
backlog(int port, int n, int k)
{
	int i;

	listener(port, n);
	for (i = 0; i < k; i++)
		client(port);
	ready();
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	alarm(120);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		hold(atoi(argv[2]), atol(argv[3]));
	else if (argc == 3 && strcmp(argv[1], "stream") == 0)
		stream(atoi(argv[2]));
	else if (argc == 5 && strcmp(argv[1], "backlog") == 0)
		backlog(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: colsock hold PORT N | stream PORT | "
	    "backlog PORT N K\n");
	return 2;
}
