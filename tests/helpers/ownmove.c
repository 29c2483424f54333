/*
 * ownmove: TCP sockets whose owner changes on command, for the owner
 * revalidation test (tests/root/owners.sh).
 *
 * usage: ownmove NAME PORT
 *
 * Sets its command name to NAME, listens on 127.0.0.1:PORT, connects to
 * itself and accepts (one LISTEN and two ESTABLISHED sockets: the three
 * "held" sockets), and forks a receiver, "NAME-rcv", joined to it by a
 * unix socket pair.  It prints "ready PID RECEIVER-PID" and then obeys
 * one command a line on stdin, printing "done COMMAND [PID]" when it
 * is carried out:
 *
 *   send     pass the held sockets to the receiver over SCM_RIGHTS; they
 *            sit in the unix socket's queue until recv
 *   recv     the receiver takes them (recvmsg): it holds them too
 *   close    close this process's copies of the held sockets
 *   fork     fork a child, "NAME-kid", that keeps every descriptor and
 *            waits for SIGTERM ("done fork KID-PID")
 *   exit     exit now (the receiver and a kid stay)
 *   queue    connect one more client to the listener, not accepted: the
 *            server's end waits in the accept queue
 *   accept   accept it
 *
 * End of input waits for SIGTERM.  The receiver and a kid die by
 * SIGTERM, or with the test's cleanup.  Any failure prints one line
 * "ownmove: ..." and exits 1.
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
#include <sys/uio.h>
#include <unistd.h>

#define NHELD	3

static void
die(const char *what)
{
	fprintf(stderr, "ownmove: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
name(const char *base, const char *suffix)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%s%s", base, suffix);
	if (prctl(PR_SET_NAME, buf) == -1)
		die("prctl");
}

/* The receiver: on each byte from ctl, take the sockets waiting on us. */
static void
receiver(int us, int ctl)
{
	char cbuf[CMSG_SPACE(NHELD * sizeof(int))], b, ch;
	struct iovec iov = { &b, 1 };
	struct msghdr m;

	while (read(ctl, &ch, 1) == 1) {
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof cbuf;
		if (recvmsg(us, &m, 0) != 1 || CMSG_FIRSTHDR(&m) == NULL)
			die("recvmsg");
		printf("done recv %ld\n", (long)getpid());
		fflush(stdout);
	}
	for (;;)
		pause();
}

static void
pass(int us, const int *fds)
{
	char cbuf[CMSG_SPACE(NHELD * sizeof(int))], b = 'x';
	struct iovec iov = { &b, 1 };
	struct cmsghdr *cm;
	struct msghdr m;

	memset(cbuf, 0, sizeof cbuf);
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof cbuf;
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(NHELD * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, NHELD * sizeof(int));
	if (sendmsg(us, &m, 0) != 1)
		die("sendmsg");
}

static int
tcp_connect(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		die("socket");
	if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == -1)
		die("connect");
	return fd;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int held[NHELD], sv[2], ctl[2], qfd = -1, one = 1;
	char line[64];
	pid_t rcv, kid;
	long port;

	if (argc != 3) {
		fprintf(stderr, "usage: ownmove NAME PORT\n");
		return 2;
	}
	port = strtol(argv[2], NULL, 10);
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "ownmove: bad port %s\n", argv[2]);
		return 2;
	}
	name(argv[1], "");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((held[0] = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(held[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(held[0], (struct sockaddr *)&sa, sizeof sa) == -1)
		die("bind");
	if (listen(held[0], 8) == -1)
		die("listen");
	held[1] = tcp_connect(&sa);
	if ((held[2] = accept(held[0], NULL, NULL)) == -1)
		die("accept");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(ctl) == -1)
		die("socketpair");
	if ((rcv = fork()) == -1)
		die("fork");
	if (rcv == 0) {
		name(argv[1], "-rcv");
		close(held[0]), close(held[1]), close(held[2]);
		close(sv[0]);
		close(ctl[1]);
		receiver(sv[1], ctl[0]);
	}
	close(sv[1]);
	close(ctl[0]);
	printf("ready %ld %ld\n", (long)getpid(), (long)rcv);
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "send") == 0)
			pass(sv[0], held);
		else if (strcmp(line, "recv") == 0) {
			if (write(ctl[1], "r", 1) != 1)
				die("write");
			continue;	/* the receiver says done */
		} else if (strcmp(line, "close") == 0)
			close(held[0]), close(held[1]), close(held[2]);
		else if (strcmp(line, "fork") == 0) {
			if ((kid = fork()) == -1)
				die("fork");
			if (kid == 0) {
				name(argv[1], "-kid");
				for (;;)
					pause();
			}
			printf("done fork %ld\n", (long)kid);
			fflush(stdout);
			continue;
		} else if (strcmp(line, "exit") == 0) {
			printf("done exit\n");
			fflush(stdout);
			_exit(0);
		} else if (strcmp(line, "queue") == 0)
			qfd = tcp_connect(&sa);
		else if (strcmp(line, "accept") == 0) {
			if (accept(held[0], NULL, NULL) == -1)
				die("accept");
		} else {
			fprintf(stderr, "ownmove: unknown command %s\n", line);
			return 1;
		}
		printf("done %s\n", line);
		fflush(stdout);
	}
	(void)qfd;
	for (;;)
		pause();
}
