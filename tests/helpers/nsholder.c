/*
 * nsholder: hold every TCP state still inside a network namespace, so a
 * test can count them.
 *
 * usage: nsholder SUBJECT_NETNS PEER_NETNS N
 *
 * Both namespaces must exist (ip netns add), joined by a veth pair with
 * these addresses, static neighbours and no IPv6 DAD:
 *
 *	subject S: 10.77.0.1/24  fd00:77::1/64
 *	peer    P: 10.77.0.2/24  fd00:77::2/64
 *
 * One process owns both ends of every connection: a socket stays in the
 * namespace it was created in, so the program setns()es to S or P before
 * each socket() call.  The peer end of every connection lives in P, and so
 * does every helper listener, which leaves exactly N sockets per state and
 * per family in S:
 *
 *	port	state in S	how
 *	9001	LISTEN		N listeners on S:9001 (SO_REUSEPORT)
 *	9001	SYN_RECV	P connects to S:9001; S drops the final ACK
 *	9002	SYN_SENT	S connects to P:9002; P drops everything
 *	9004	ESTABLISHED	S connects to P:9004
 *	9005	FIN_WAIT1	S shuts down; P drops the FIN
 *	9006	FIN_WAIT2	S shuts down
 *	9007	CLOSE_WAIT	P shuts down
 *	9008	LAST_ACK	P shuts down, then S; P drops the FIN
 *	9009	CLOSING		S shuts down (FIN dropped), then P
 *	9010	TIME_WAIT	S sends a byte, S shuts down, P shuts
 *				down, S closes; P drops S's bare ACKs
 *				(the handshake's too: the byte stands in)
 *
 * Port 9003 stays unused: a request socket needs a listener in S, and that
 * listener would itself be one LISTEN socket too many, so the requests go
 * to the LISTEN sockets.  Ports are the same for both families.
 *
 * The caller installs the drop rules (nft, prerouting, priority raw) in the
 * receiving namespace:
 *
 *	S: tcp dport 9001 tcp flags ! syn drop
 *	P: tcp dport 9002 drop
 *	P: tcp dport { 9005, 9008, 9009 } tcp flags & fin == fin drop
 *	P: tcp dport 9010 tcp flags == ack drop
 *
 * The program sets the per-namespace sysctls itself, from inside each
 * namespace.  It checks every step on the sockets it owns (TCP_INFO), and
 * the result as the kernel reports it (sock_diag in S: exactly N per state
 * and family, nothing else), polling against a deadline.  The states then
 * hold for minutes; TIME_WAIT, the shortest, for about three.
 *
 * When everything is in place it prints "ready" and waits until its
 * standard input is closed or SIGTERM, SIGINT or SIGHUP arrives, then
 * resets every connection it owns and exits 0.  Any failure prints one
 * line "nsholder: ..." on stderr and exits 1.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSHOLDER_S_ADDR4	"10.77.0.1"
#define NSHOLDER_P_ADDR4	"10.77.0.2"
#define NSHOLDER_S_ADDR6	"fd00:77::1"
#define NSHOLDER_P_ADDR6	"fd00:77::2"
#define NSHOLDER_PORT_BASE	9000

/* Every step settles in microseconds on a veth; the deadline only turns a
 * broken setup (missing drop rule, missing address) into an error. */
#define NSHOLDER_STEP_MS	5000
#define NSHOLDER_NAP_NS		1000000L

/* P retransmits its FIN to a TIME_WAIT socket in S for this long; every
 * FIN restarts S's 60 s timer, so TIME_WAIT holds about this + 60 s. */
#define NSHOLDER_USER_TIMEOUT_MS 120000U

#define NSHOLDER_S	0
#define NSHOLDER_P	1

#define NSHOLDER_MAX_N	1000

/* The held states in tcptop's display order; a state's port is
 * NSHOLDER_PORT_BASE + 1 + its index. */
enum {
	ST_LISTEN,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_ESTABLISHED,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_CLOSING,
	ST_TIME_WAIT,
	ST_COUNT
};

static const int nsholder_tcp[ST_COUNT] = {
	TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RECV, TCP_ESTABLISHED,
	TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_CLOSE_WAIT, TCP_LAST_ACK,
	TCP_CLOSING, TCP_TIME_WAIT
};

/* Indexed by the kernel's state number; 12 is TCP_NEW_SYN_RECV. */
static const char *const nsholder_tcpname[] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
	"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
	"LISTEN", "CLOSING", "NEW_SYN_RECV"
};
#define NSHOLDER_NSTATES	13

struct nsholder_fam {
	int		 af;
	const char	*name;
	const char	*addr[2];	/* S, P */
};

static const struct nsholder_fam nsholder_fams[2] = {
	{ AF_INET, "ipv4", { NSHOLDER_S_ADDR4, NSHOLDER_P_ADDR4 } },
	{ AF_INET6, "ipv6", { NSHOLDER_S_ADDR6, NSHOLDER_P_ADDR6 } },
};

static struct {
	const char	*nsname[2];
	int		 nsfd[2];
	int		 n;
	int		 diagfd;
	unsigned	 diagseq;
	int		*sfd[2][ST_COUNT];	/* ends in S, n each */
	int		*pfd[2][ST_COUNT];	/* ends in P, n each */
	int		 plfd[2][ST_COUNT];	/* helper listeners in P */
} H;

static void	nsholder_reset_all(void);

static void __attribute__((noreturn, format(printf, 2, 0)))
nsholder_vfail(int errnum, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0)
		fprintf(stderr, "nsholder: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "nsholder: %s\n", msg);
	nsholder_reset_all();
	exit(1);
}

/* Fail with errno's text appended. */
static void __attribute__((noreturn, format(printf, 1, 2)))
nsholder_fail(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	nsholder_vfail(errnum, fmt, ap);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
nsholder_failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nsholder_vfail(0, fmt, ap);
}

static long long
nsholder_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nsholder_nap(void)
{
	struct timespec ts = { 0, NSHOLDER_NAP_NS };

	nanosleep(&ts, NULL);
}

static const char *
nsholder_statename(int st)
{
	if (st < 0 || st >= NSHOLDER_NSTATES)
		return "?";
	return nsholder_tcpname[st];
}

static int
nsholder_port(int st)
{
	/* SYN_RECV requests hang off the LISTEN sockets; see the top. */
	if (st == ST_SYN_RECV)
		st = ST_LISTEN;
	return NSHOLDER_PORT_BASE + 1 + st;
}

/*
 * Abortive close of everything still open, so no orphan lingers in its
 * namespace (and keeps the namespace alive) after we are gone.
 */
static void
nsholder_reset_all(void)
{
	struct linger lg = { 1, 0 };
	int f, st, i;

	for (f = 0; f < 2; f++) {
		for (st = 0; st < ST_COUNT; st++) {
			for (i = 0; i < H.n; i++) {
				if (H.sfd[f][st] != NULL &&
				    H.sfd[f][st][i] >= 0) {
					setsockopt(H.sfd[f][st][i], SOL_SOCKET,
					    SO_LINGER, &lg, sizeof(lg));
					close(H.sfd[f][st][i]);
					H.sfd[f][st][i] = -1;
				}
				if (H.pfd[f][st] != NULL &&
				    H.pfd[f][st][i] >= 0) {
					setsockopt(H.pfd[f][st][i], SOL_SOCKET,
					    SO_LINGER, &lg, sizeof(lg));
					close(H.pfd[f][st][i]);
					H.pfd[f][st][i] = -1;
				}
			}
			if (H.plfd[f][st] >= 0) {
				close(H.plfd[f][st]);
				H.plfd[f][st] = -1;
			}
		}
	}
}

static void
nsholder_enter(int ns)
{
	if (setns(H.nsfd[ns], CLONE_NEWNET) == -1)
		nsholder_fail("setns %s", H.nsname[ns]);
}

/* Write a sysctl of the namespace we are in: /proc/sys/net resolves
 * against the caller's network namespace at open time. */
static void
nsholder_sysctl(int ns, const char *name, const char *val, int optional)
{
	char path[256];
	size_t len = strlen(val);
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		if (optional && errno == ENOENT)
			return;
		nsholder_fail("%s in %s", path, H.nsname[ns]);
	}
	if (write(fd, val, len) != (ssize_t)len)
		nsholder_fail("write %s=%s in %s", path, val, H.nsname[ns]);
	close(fd);
}

static void
nsholder_sysctls(void)
{
	nsholder_enter(NSHOLDER_S);
	/* Keep SYN_SENT, SYN_RECV and the FIN-retransmitting states
	 * (FIN_WAIT1, LAST_ACK, CLOSING) from timing out, and make the
	 * listener build real request sockets rather than cookies. */
	nsholder_sysctl(NSHOLDER_S, "tcp_syn_retries", "127", 0);
	nsholder_sysctl(NSHOLDER_S, "tcp_synack_retries", "40", 0);
	nsholder_sysctl(NSHOLDER_S, "tcp_retries2", "40", 0);
	nsholder_sysctl(NSHOLDER_S, "tcp_syncookies", "0", 0);

	nsholder_enter(NSHOLDER_P);
	/* P's FIN retransmits keep S in TIME_WAIT; cap their backoff so
	 * the gap never nears S's 60 s timer.  Kernels before 6.15 lack
	 * the knob: the gaps then pass 60 s after about 100 s, and
	 * TIME_WAIT ends about 160 s in, still long enough. */
	nsholder_sysctl(NSHOLDER_P, "tcp_rto_max_ms", "1000", 1);
}

static void
nsholder_sockaddr(int f, int ns, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	const struct nsholder_fam *fam = &nsholder_fams[f];

	memset(ss, 0, sizeof(*ss));
	if (fam->af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, fam->addr[ns], &sin->sin_addr);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, fam->addr[ns], &sin6->sin6_addr);
		*len = sizeof(*sin6);
	}
}

/* A non-blocking TCP socket in the namespace we are in.  IPv6 sockets are
 * v6-only, so that no v4-mapped address ever shows up. */
static int
nsholder_socket(int f)
{
	int fd, on = 1;

	fd = socket(nsholder_fams[f].af,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		nsholder_fail("%s socket", nsholder_fams[f].name);
	if (nsholder_fams[f].af == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		nsholder_fail("IPV6_V6ONLY");
	return fd;
}

static int
nsholder_listen(int f, int ns, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	fd = nsholder_socket(f);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1)
		nsholder_fail("SO_REUSEPORT");
	nsholder_sockaddr(f, ns, port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		nsholder_fail("bind %s port %d in %s", nsholder_fams[f].addr[ns],
		    port, H.nsname[ns]);
	if (listen(fd, SOMAXCONN) == -1)
		nsholder_fail("listen %s port %d", nsholder_fams[f].addr[ns],
		    port);
	return fd;
}

/* Start a connect from the namespace we are in to namespace `to'. */
static int
nsholder_connect(int f, int to, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = nsholder_socket(f);
	nsholder_sockaddr(f, to, port, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1 &&
	    errno != EINPROGRESS)
		nsholder_fail("connect to %s port %d",
		    nsholder_fams[f].addr[to], port);
	return fd;
}

static int
nsholder_tcpstate(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		nsholder_fail("TCP_INFO");
	return ti.tcpi_state;
}

/* Wait until each of the n sockets in fds is in TCP state want. */
static void
nsholder_wait(int f, int st, int *fds, int want, const char *side)
{
	long long deadline = nsholder_now_ms() + NSHOLDER_STEP_MS;
	int i, cur;

	for (i = 0; i < H.n; ) {
		if ((cur = nsholder_tcpstate(fds[i])) == want) {
			i++;
			continue;
		}
		if (nsholder_now_ms() > deadline)
			nsholder_failx("%s %s: %s socket %d of %d is %s, not %s "
			    "after %d ms", nsholder_fams[f].name,
			    nsholder_tcpname[nsholder_tcp[st]], side, i + 1,
			    H.n, nsholder_statename(cur),
			    nsholder_statename(want), NSHOLDER_STEP_MS);
		nsholder_nap();
	}
}

static void
nsholder_wait_all(int st, int want_s)
{
	int f;

	for (f = 0; f < 2; f++)
		nsholder_wait(f, st, H.sfd[f][st], want_s, "S");
}

/* Take the n connections waiting on P's listener for state st. */
static void
nsholder_accept(int f, int st)
{
	long long deadline = nsholder_now_ms() + NSHOLDER_STEP_MS;
	int i, fd;

	for (i = 0; i < H.n; ) {
		fd = accept4(H.plfd[f][st], NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			H.pfd[f][st][i++] = fd;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			nsholder_fail("%s accept on port %d",
			    nsholder_fams[f].name, nsholder_port(st));
		if (nsholder_now_ms() > deadline)
			nsholder_failx("%s %s: accepted %d of %d on P port %d "
			    "after %d ms", nsholder_fams[f].name,
			    nsholder_tcpname[nsholder_tcp[st]], i, H.n,
			    nsholder_port(st), NSHOLDER_STEP_MS);
		nsholder_nap();
	}
}

static void
nsholder_shutdown(int st, int ns)
{
	int f, i, fd;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < H.n; i++) {
			fd = ns == NSHOLDER_S ? H.sfd[f][st][i] :
			    H.pfd[f][st][i];
			if (shutdown(fd, SHUT_WR) == -1)
				nsholder_fail("%s %s: shutdown",
				    nsholder_fams[f].name,
				    nsholder_tcpname[nsholder_tcp[st]]);
		}
	}
}

/*
 * Count the sockets of S per family and state as sock_diag reports them:
 * the only way to see request sockets and TIME_WAIT sockets, which no fd
 * owns.  counts[f][state], state as in idiag_state.
 */
static void
nsholder_diag_count(int counts[2][NSHOLDER_NSTATES])
{
	static union {
		struct nlmsghdr	h;
		char		b[65536];
	} buf;
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	struct inet_diag_msg *dm;
	ssize_t len;
	int f, done;

	memset(counts, 0, sizeof(int) * 2 * NSHOLDER_NSTATES);
	for (f = 0; f < 2; f++) {
		memset(&msg, 0, sizeof(msg));
		msg.nlh.nlmsg_len = sizeof(msg);
		msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		msg.nlh.nlmsg_seq = ++H.diagseq;
		msg.req.sdiag_family = nsholder_fams[f].af;
		msg.req.sdiag_protocol = IPPROTO_TCP;
		msg.req.idiag_states = ~0U;
		if (sendto(H.diagfd, &msg, sizeof(msg), 0,
		    (struct sockaddr *)&sa, sizeof(sa)) == -1)
			nsholder_fail("sock_diag send");
		for (done = 0; !done; ) {
			len = recv(H.diagfd, buf.b, sizeof(buf.b), 0);
			if (len == -1) {
				if (errno == EINTR)
					continue;
				nsholder_fail("sock_diag recv");
			}
			if (len == 0)
				nsholder_failx("sock_diag: dump ended early");
			for (nh = &buf.h; NLMSG_OK(nh, len);
			    nh = NLMSG_NEXT(nh, len)) {
				if (nh->nlmsg_seq != H.diagseq)
					continue;
				if (nh->nlmsg_type == NLMSG_DONE) {
					done = 1;
					break;
				}
				if (nh->nlmsg_type == NLMSG_ERROR) {
					struct nlmsgerr *e = NLMSG_DATA(nh);

					errno = -e->error;
					nsholder_fail("sock_diag dump");
				}
				if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
				    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*dm)))
					continue;
				dm = NLMSG_DATA(nh);
				if (dm->idiag_state < NSHOLDER_NSTATES)
					counts[f][dm->idiag_state]++;
			}
		}
	}
}

/* Recheck the sockets S owns, after everything has had time to move. */
static void
nsholder_recheck(void)
{
	int f, st, i, cur;

	for (f = 0; f < 2; f++)
		for (st = 0; st < ST_COUNT; st++) {
			if (st == ST_SYN_RECV || st == ST_TIME_WAIT)
				continue;
			for (i = 0; i < H.n; i++) {
				cur = nsholder_tcpstate(H.sfd[f][st][i]);
				if (cur != nsholder_tcp[st])
					nsholder_failx("%s %s: S socket %d of "
					    "%d moved on to %s",
					    nsholder_fams[f].name,
					    nsholder_tcpname[nsholder_tcp[st]],
					    i + 1, H.n,
					    nsholder_statename(cur));
			}
		}
}

/* Wait until S holds exactly n sockets in each held state and family and
 * nothing else, as the kernel sees it. */
static void
nsholder_verify(void)
{
	long long deadline = nsholder_now_ms() + NSHOLDER_STEP_MS;
	int counts[2][NSHOLDER_NSTATES];
	int want[NSHOLDER_NSTATES];
	int f, st, bad;

	memset(want, 0, sizeof(want));
	for (st = 0; st < ST_COUNT; st++)
		want[nsholder_tcp[st]] = H.n;
	for (;;) {
		nsholder_diag_count(counts);
		bad = -1;
		for (f = 0; f < 2 && bad == -1; f++)
			for (st = 0; st < NSHOLDER_NSTATES; st++)
				if (counts[f][st] != want[st]) {
					bad = f * NSHOLDER_NSTATES + st;
					break;
				}
		if (bad == -1)
			return;
		if (nsholder_now_ms() > deadline) {
			/* A socket we own that moved on says more. */
			nsholder_recheck();
			f = bad / NSHOLDER_NSTATES;
			st = bad % NSHOLDER_NSTATES;
			nsholder_failx("%s %s: sock_diag in %s counts %d, "
			    "not %d, after %d ms", nsholder_fams[f].name,
			    nsholder_statename(st), H.nsname[NSHOLDER_S],
			    counts[f][st], want[st], NSHOLDER_STEP_MS);
		}
		nsholder_nap();
	}
}

static void
nsholder_alloc(void)
{
	struct rlimit rl;
	long need;
	int f, st, i;

	/* Per family: 9n ends and listeners in S, 8n ends and 7 helper
	 * listeners in P; plus a few for stdio, namespaces and netlink. */
	need = 2L * (17L * H.n + 7) + 16;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		nsholder_fail("getrlimit");
	if (rl.rlim_cur < (rlim_t)need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			nsholder_fail("setrlimit");
	}
	if (rl.rlim_cur < (rlim_t)need)
		nsholder_failx("N=%d needs %ld descriptors, the limit is %llu",
		    H.n, need, (unsigned long long)rl.rlim_cur);

	for (f = 0; f < 2; f++) {
		for (st = 0; st < ST_COUNT; st++) {
			H.sfd[f][st] = calloc(H.n, sizeof(int));
			H.pfd[f][st] = calloc(H.n, sizeof(int));
			if (H.sfd[f][st] == NULL || H.pfd[f][st] == NULL)
				nsholder_fail("calloc");
			for (i = 0; i < H.n; i++)
				H.sfd[f][st][i] = H.pfd[f][st][i] = -1;
		}
	}
}

static void
nsholder_build(void)
{
	int f, st, i;
	unsigned uto = NSHOLDER_USER_TIMEOUT_MS;
	char byte = 'x';

	/* Listeners first: the LISTEN sockets in S, the helpers in P. */
	nsholder_enter(NSHOLDER_S);
	for (f = 0; f < 2; f++)
		for (i = 0; i < H.n; i++)
			H.sfd[f][ST_LISTEN][i] = nsholder_listen(f, NSHOLDER_S,
			    nsholder_port(ST_LISTEN));
	nsholder_enter(NSHOLDER_P);
	for (f = 0; f < 2; f++)
		for (st = ST_ESTABLISHED; st < ST_COUNT; st++)
			H.plfd[f][st] = nsholder_listen(f, NSHOLDER_P,
			    nsholder_port(st));

	/* Every connection S makes, the unanswered SYNs included. */
	nsholder_enter(NSHOLDER_S);
	for (f = 0; f < 2; f++)
		for (st = ST_SYN_SENT; st < ST_COUNT; st++) {
			if (st == ST_SYN_RECV)
				continue;
			for (i = 0; i < H.n; i++)
				H.sfd[f][st][i] = nsholder_connect(f,
				    NSHOLDER_P, nsholder_port(st));
		}

	/* P's half-finished handshakes with S's listeners. */
	nsholder_enter(NSHOLDER_P);
	for (f = 0; f < 2; f++)
		for (i = 0; i < H.n; i++)
			H.pfd[f][ST_SYN_RECV][i] = nsholder_connect(f,
			    NSHOLDER_S, nsholder_port(ST_SYN_RECV));

	nsholder_wait_all(ST_SYN_SENT, TCP_SYN_SENT);
	for (st = ST_ESTABLISHED; st < ST_COUNT; st++)
		nsholder_wait_all(st, TCP_ESTABLISHED);
	/* P's end counts as ESTABLISHED once it has ACKed the SYN-ACK;
	 * S drops that ACK and keeps a request socket. */
	for (f = 0; f < 2; f++)
		nsholder_wait(f, ST_SYN_RECV, H.pfd[f][ST_SYN_RECV],
		    TCP_ESTABLISHED, "P");

	/* P drops S's bare ACKs on the TIME_WAIT port, the handshake's
	 * last one too; a byte of data completes P's handshake instead. */
	for (f = 0; f < 2; f++)
		for (i = 0; i < H.n; i++)
			if (write(H.sfd[f][ST_TIME_WAIT][i], &byte, 1) != 1)
				nsholder_fail("%s TIME_WAIT: write",
				    nsholder_fams[f].name);

	for (f = 0; f < 2; f++)
		for (st = ST_ESTABLISHED; st < ST_COUNT; st++)
			nsholder_accept(f, st);
	/* P keeps retransmitting its FIN past the default retry count. */
	for (f = 0; f < 2; f++)
		for (i = 0; i < H.n; i++)
			if (setsockopt(H.pfd[f][ST_TIME_WAIT][i], IPPROTO_TCP,
			    TCP_USER_TIMEOUT, &uto, sizeof(uto)) == -1)
				nsholder_fail("TCP_USER_TIMEOUT");

	/* First closes.  S's FINs to 9005 and 9009 are dropped. */
	nsholder_shutdown(ST_FIN_WAIT1, NSHOLDER_S);
	nsholder_shutdown(ST_FIN_WAIT2, NSHOLDER_S);
	nsholder_shutdown(ST_CLOSING, NSHOLDER_S);
	nsholder_shutdown(ST_TIME_WAIT, NSHOLDER_S);
	nsholder_shutdown(ST_CLOSE_WAIT, NSHOLDER_P);
	nsholder_shutdown(ST_LAST_ACK, NSHOLDER_P);
	nsholder_wait_all(ST_FIN_WAIT1, TCP_FIN_WAIT1);
	nsholder_wait_all(ST_FIN_WAIT2, TCP_FIN_WAIT2);
	nsholder_wait_all(ST_CLOSING, TCP_FIN_WAIT1);
	nsholder_wait_all(ST_TIME_WAIT, TCP_FIN_WAIT2);
	nsholder_wait_all(ST_CLOSE_WAIT, TCP_CLOSE_WAIT);
	nsholder_wait_all(ST_LAST_ACK, TCP_CLOSE_WAIT);

	/* Second closes, each only once the first one has landed. */
	nsholder_shutdown(ST_LAST_ACK, NSHOLDER_S);
	nsholder_shutdown(ST_CLOSING, NSHOLDER_P);
	nsholder_shutdown(ST_TIME_WAIT, NSHOLDER_P);
	nsholder_wait_all(ST_LAST_ACK, TCP_LAST_ACK);
	nsholder_wait_all(ST_CLOSING, TCP_CLOSING);
	/* Entering TIME_WAIT hands the connection to a timewait socket and
	 * leaves the full socket behind in CLOSE, unhashed. */
	nsholder_wait_all(ST_TIME_WAIT, TCP_CLOSE);
	for (f = 0; f < 2; f++)
		nsholder_wait(f, ST_TIME_WAIT, H.pfd[f][ST_TIME_WAIT],
		    TCP_LAST_ACK, "P");
	for (f = 0; f < 2; f++)
		for (i = 0; i < H.n; i++) {
			close(H.sfd[f][ST_TIME_WAIT][i]);
			H.sfd[f][ST_TIME_WAIT][i] = -1;
		}
}

/* Block until stdin reaches EOF or a terminating signal comes. */
static void
nsholder_hold(void)
{
	struct pollfd pfd[2];
	sigset_t set;
	char buf[256];
	ssize_t r;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		nsholder_fail("sigprocmask");
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		nsholder_fail("signalfd");

	if (printf("ready\n") < 0 || fflush(stdout) == EOF)
		nsholder_fail("write ready");

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			nsholder_fail("poll");
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			break;
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r == 0 || (r == -1 && errno != EINTR &&
			    errno != EAGAIN))
				break;
		}
	}
	close(sfd);
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX], *end;
	long n;
	int ns, i;

	if (argc != 4) {
		fprintf(stderr, "usage: nsholder SUBJECT_NETNS PEER_NETNS N\n");
		return 1;
	}
	/* Nothing to reset yet: keep nsholder_reset_all() off fd 0. */
	for (ns = 0; ns < 2; ns++)
		for (i = 0; i < ST_COUNT; i++)
			H.plfd[ns][i] = -1;
	errno = 0;
	n = strtol(argv[3], &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > NSHOLDER_MAX_N)
		nsholder_failx("N must be 1..%d, not %s", NSHOLDER_MAX_N,
		    argv[3]);
	H.n = (int)n;
	H.nsname[NSHOLDER_S] = argv[1];
	H.nsname[NSHOLDER_P] = argv[2];
	H.diagfd = -1;
	signal(SIGPIPE, SIG_IGN);

	for (ns = 0; ns < 2; ns++) {
		snprintf(path, sizeof(path), "/run/netns/%s", H.nsname[ns]);
		if ((H.nsfd[ns] = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			nsholder_fail("%s", path);
	}
	nsholder_alloc();
	nsholder_sysctls();

	/* A netlink socket belongs to the namespace it was made in. */
	nsholder_enter(NSHOLDER_S);
	H.diagfd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG);
	if (H.diagfd == -1)
		nsholder_fail("sock_diag socket");

	nsholder_build();
	nsholder_verify();
	nsholder_recheck();

	nsholder_hold();
	nsholder_reset_all();
	return 0;
}
