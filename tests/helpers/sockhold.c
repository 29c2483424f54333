/*
 * sockhold: a process with a chosen name holding TCP sockets, for the
 * process attribution test (tests/root/proc.sh).
 *
 * usage: sockhold NAME PORT [share]
 *
 * Sets its command name (comm) to NAME (any bytes, cut to 15), listens on
 * 127.0.0.1:PORT, connects to itself and accepts: one LISTEN and two
 * ESTABLISHED sockets.  With "share" it forks a child that keeps the same
 * descriptors (and the name), so two processes hold every socket and the
 * lower pid, the parent, owns them.  Then it prints "ready PID" and waits
 * for SIGTERM (the child dies with it).  Any failure prints one line
 * "sockhold: ..." and exits 1.
 *
 * With SOCKHOLD_DEV=IF in the environment the listener and the connecting
 * socket are bound to device IF (SO_BINDTODEVICE), and so is the accepted
 * one, which inherits it: for the filter test's "dev IF".  With
 * SOCKHOLD_MARK=N (C's notation) the two get SO_MARK N, which the accepted
 * one inherits too: for "fwmark N".  With SOCKHOLD_NODUMP=1 it makes
 * itself not dumpable (PR_SET_DUMPABLE 0), so that a reader without
 * CAP_SYS_PTRACE over it may list /proc/PID/fd but not read its links:
 * for the owners test's "hidden, not in flight".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "sockhold: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Bind fd to $SOCKHOLD_DEV and mark it with $SOCKHOLD_MARK, if set. */
static void
bind_dev(int fd)
{
	const char *dev = getenv("SOCKHOLD_DEV");
	const char *mark = getenv("SOCKHOLD_MARK");

	if (dev != NULL && *dev != '\0' && setsockopt(fd, SOL_SOCKET,
	    SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) == -1)
		die("SO_BINDTODEVICE");
	if (mark != NULL && *mark != '\0') {
		char *end;
		unsigned long v = strtoul(mark, &end, 0);
		unsigned int m = (unsigned int)v;

		if (*end != '\0' || v > 0xffffffffUL) {
			fprintf(stderr, "sockhold: bad SOCKHOLD_MARK %s\n", mark);
			exit(1);
		}
		if (setsockopt(fd, SOL_SOCKET, SO_MARK, &m, sizeof m) == -1)
			die("SO_MARK");
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int lfd, cfd, afd, one = 1;
	long port;
	pid_t child;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "share"))) {
		fprintf(stderr, "usage: sockhold NAME PORT [share]\n");
		return 2;
	}
	port = strtol(argv[2], NULL, 10);
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "sockhold: bad port %s\n", argv[2]);
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1]) == -1)
		die("prctl");
	if (getenv("SOCKHOLD_NODUMP") != NULL &&
	    strcmp(getenv("SOCKHOLD_NODUMP"), "1") == 0 &&
	    prctl(PR_SET_DUMPABLE, 0) == -1)
		die("PR_SET_DUMPABLE");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind_dev(lfd);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("bind");
	if (listen(lfd, 8) == -1)
		die("listen");
	if ((cfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	bind_dev(cfd);
	if (connect(cfd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("connect");
	if ((afd = accept(lfd, NULL, NULL)) == -1)
		die("accept");
	if (argc == 4) {
		child = fork();
		if (child == -1)
			die("fork");
		if (child == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				pause();
		}
	}
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
