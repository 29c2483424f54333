/* pacesock: connections on 127.0.0.1 in the caller's namespace, each
 * sending at a known steady rate, for tests/root/rates.sh.
 *
 *	pacesock PORT RATE [PORT RATE ...]
 *
 * For each PORT, a listener, one connection to it and the accepted end;
 * the client writes RATE / 10 bytes every 100 ms (absolute deadlines on
 * CLOCK_MONOTONIC, so the rate does not drift on a loaded machine) and
 * the server reads everything.  Prints "ready" once every connection is
 * up, then runs until SIGTERM, or 300 s at most (alarm), so a test
 * killed hard leaves nothing running for long. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PACE_MAX	8
#define PACE_TICK_NS	100000000LL

static void
die(const char *what)
{
	fprintf(stderr, "pacesock: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A connected pair on port: *cli the sender, *srv the receiver. */
static void
pair(int port, int *cli, int *srv)
{
	struct sockaddr_in sa;
	int l, one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(l, 1) == -1)
		die("listen");
	if ((*cli = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	if (connect(*cli, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("connect");
	if ((*srv = accept(l, NULL, NULL)) == -1)
		die("accept");
	close(l);
	fcntl(*cli, F_SETFL, O_NONBLOCK);
	fcntl(*srv, F_SETFL, O_NONBLOCK);
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	int cli[PACE_MAX], srv[PACE_MAX], n = 0, i;
	long chunk[PACE_MAX];
	struct pollfd pfd[PACE_MAX];
	int64_t next;

	if (argc < 3 || argc % 2 == 0 || (argc - 1) / 2 > PACE_MAX) {
		fprintf(stderr, "usage: pacesock PORT RATE [PORT RATE ...]\n");
		return 2;
	}
	alarm(300);
	for (i = 1; i + 1 < argc; i += 2, n++) {
		chunk[n] = atol(argv[i + 1]) / 10;
		if (chunk[n] <= 0 || chunk[n] > (long)sizeof buf) {
			fprintf(stderr, "pacesock: bad rate %s\n", argv[i + 1]);
			return 2;
		}
		pair(atoi(argv[i]), &cli[n], &srv[n]);
		pfd[n].fd = srv[n];
		pfd[n].events = POLLIN;
	}
	memset(buf, 'x', sizeof buf);
	printf("ready\n");
	fflush(stdout);
	next = now_ns();
	for (;;) {
		int64_t left = next - now_ns();

		if (left <= 0) {
			for (i = 0; i < n; i++) {
				long off = 0;

				/* Loopback at these rates never fills the
				 * buffer; a short write is retried at once. */
				while (off < chunk[i]) {
					ssize_t w = write(cli[i], buf + off,
					    (size_t)(chunk[i] - off));

					if (w > 0)
						off += w;
					else if (w == -1 && errno != EAGAIN)
						die("write");
					else
						break;
				}
			}
			next += PACE_TICK_NS;
			continue;
		}
		if (poll(pfd, (nfds_t)n, (int)(left / 1000000) + 1) == -1 &&
		    errno != EINTR)
			die("poll");
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				while (read(srv[i], buf, sizeof buf) > 0)
					;
	}
}
