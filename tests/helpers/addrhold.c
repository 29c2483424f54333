/*
 * addrhold: IPv6 sockets with the address details ss prints, for the
 * address test (tests/root/addr.sh).
 *
 * usage: addrhold SPEC...
 *
 * Each SPEC is KIND,ADDR,PORT,V6ONLY[,DEV]: KIND "l" listens on
 * [ADDR]:PORT, "c" connects to it (blocking, until it is established);
 * V6ONLY 0 or 1 is set with IPV6_V6ONLY before bind; DEV, if given, is
 * the scope of ADDR (sin6_scope_id, as "fe80::1%DEV" would give), which
 * binds the socket to that device.  Once every SPEC is done it prints
 * "ready PID" and waits for SIGTERM; connections to its listeners stay
 * in their accept queues.  Any failure prints one line "addrhold: ..."
 * and exits 1; bad usage exits 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
die(const char *spec, const char *what)
{
	fprintf(stderr, "addrhold: %s: %s: %s\n", spec, what,
	    strerror(errno));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: addrhold KIND,ADDR,PORT,V6ONLY[,DEV]...\n");
	exit(2);
}

/* Make the socket of one SPEC; its descriptor stays open until exit. */
static void
addrhold_one(const char *spec)
{
	char buf[128], *kind, *addr, *port, *v6only, *dev, *save;
	struct sockaddr_in6 sa;
	int fd, one = 1, v6;

	if (strlen(spec) >= sizeof buf)
		usage();
	strcpy(buf, spec);
	kind = strtok_r(buf, ",", &save);
	addr = strtok_r(NULL, ",", &save);
	port = strtok_r(NULL, ",", &save);
	v6only = strtok_r(NULL, ",", &save);
	dev = strtok_r(NULL, ",", &save);
	if (kind == NULL || addr == NULL || port == NULL || v6only == NULL ||
	    (strcmp(kind, "l") != 0 && strcmp(kind, "c") != 0))
		usage();
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1)
		usage();
	if (dev != NULL && (sa.sin6_scope_id = if_nametoindex(dev)) == 0)
		die(spec, dev);
	v6 = atoi(v6only) != 0;
	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		die(spec, "socket");
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6) == -1)
		die(spec, "IPV6_V6ONLY");
	if (kind[0] == 'c') {
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
			die(spec, "connect");
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		die(spec, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die(spec, "bind");
	if (listen(fd, 16) == -1)
		die(spec, "listen");
}

int
main(int argc, char **argv)
{
	sigset_t set;
	int i, sig;

	if (argc < 2)
		usage();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 1; i < argc; i++)
		addrhold_one(argv[i]);
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	sigwait(&set, &sig);
	return 0;
}
