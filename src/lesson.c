/* The lesson engine: real connections walked through TCP's states, one
 * step at a time, in a private network namespace with nft drop rules
 * when root, on the host's loopback otherwise. */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcptop/lesson.h"
#include "tcptop/log.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

extern char **environ;

#define LESSON_NS_PREFIX	"tcptop-lesson-"
#define LESSON_NS_DIR		"/run/netns"
#define LESSON_NFT_TABLE	"inet tcptop_lesson"

/* Every step settles in microseconds, or within one retransmission once
 * a drop is lifted (at most tcp_rto_max_ms, 1 s, apart); the deadline
 * only turns a broken set-up into an error. */
#define LESSON_WAIT_MS		5000
#define LESSON_NAP_NS		1000000L

/* Retransmitting ends (SYN_SENT, FIN_WAIT1, LAST_ACK, CLOSING, the
 * half-open writer) would give up after tcp_retries2; a teacher may talk
 * longer than that. */
#define LESSON_USER_TIMEOUT_MS	(60U * 60 * 1000)

#define LESSON_BODY		1000	/* bytes of the data step */

/* The connections of the lesson, one port each.  In the namespace the
 * ports are fixed (the drop rules name them); on the host's loopback the
 * kernel picks free ones. */
enum {
	LP_OPEN,	/* handshake, data, active and passive close */
	LP_SIMUL,	/* simultaneous close */
	LP_RESET,	/* abortive close */
	LP_REFUSED,	/* no listener: connect is refused */
	LP_HALF,	/* half-open */
	LP_N
};

#define LESSON_PORT_BASE	7001

struct lesson {
	volatile sig_atomic_t *stop;
	int drops;		/* the nft table is in place */
	int host_fd;		/* the namespace we came from, or -1 */
	int ns_fd;		/* the lesson's namespace, or -1 */
	char nsname[64];	/* "" on the host's loopback */
	char nspath[128];
	char note[512];
	uint16_t port[LP_N];
	int lfd[LP_N];		/* listeners (bound at open, listening
				 * from their part on) */
	int cfd[LP_N];		/* client ends */
	int sfd[LP_N];		/* server ends (accepted) */
	int done;		/* steps performed */
	struct lesson_expect exp[LESSON_MAX_EXPECT];
	size_t nexp;
	char *err;		/* of the running step */
	size_t errlen;
};

/* The namespace's path, for an exit() that skips lesson_close (out of
 * memory): the name would otherwise keep the namespace alive. */
static char lesson_exit_path[128];

/* ---- helpers ---------------------------------------------------------- */

static int __attribute__((format(printf, 3, 4)))
lesson_fail(struct lesson *l, int errnum, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (errnum != 0)
		snprintf(l->err, l->errlen, "%s: %s", msg, strerror(errnum));
	else
		snprintf(l->err, l->errlen, "%s", msg);
	log_debug("lesson: %s", l->err);
	errno = errnum != 0 ? errnum : ETIMEDOUT;
	return -1;
}

static long long
lesson_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One nap between two polls of a state; -1 with EINTR once stop is set. */
static int
lesson_nap(struct lesson *l)
{
	struct timespec ts = { 0, LESSON_NAP_NS };

	if (l->stop != NULL && *l->stop)
		return lesson_fail(l, EINTR, "interrupted");
	nanosleep(&ts, NULL);
	return 0;
}

static int
lesson_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 0;
	return ti.tcpi_state;
}

static const char *
lesson_side_name(int k)
{
	return k == LESSON_SERVER ? "server" : "client";
}

/* Wait until fd (the side end of connection k) is in state want. */
static int
lesson_wait(struct lesson *l, int k, int side, int fd, int want)
{
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int cur;

	while ((cur = lesson_state(fd)) != want) {
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "the %s end of port %u is %s, "
			    "not %s, after %d ms", lesson_side_name(side),
			    l->port[k], tcpstate_name(cur),
			    tcpstate_name(want), LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return 0;
}

/* A non-blocking IPv4 TCP socket that keeps retransmitting as long as a
 * lesson may last. */
static int
lesson_socket(struct lesson *l)
{
	unsigned uto = LESSON_USER_TIMEOUT_MS;
	int fd, on = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd == -1)
		return lesson_fail(l, errno, "socket");
	if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto,
	    sizeof uto) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1) {
		close(fd);
		return lesson_fail(l, errno, "setsockopt");
	}
	return fd;
}

static void
lesson_addr(uint16_t port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Bind a socket to 127.0.0.1:port (0: any free port) and return it;
 * *got is the port it has. */
static int
lesson_bind(struct lesson *l, uint16_t port, uint16_t *got)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	if ((fd = lesson_socket(l)) == -1)
		return -1;
	lesson_addr(port, &sin);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return lesson_fail(l, errno, "bind 127.0.0.1 port %u", port);
	}
	*got = ntohs(sin.sin_port);
	return fd;
}

static int
lesson_listen(struct lesson *l, int k)
{
	if (listen(l->lfd[k], SOMAXCONN) == -1)
		return lesson_fail(l, errno, "listen on port %u", l->port[k]);
	return lesson_wait(l, k, LESSON_SERVER, l->lfd[k], TCP_LISTEN);
}

/* Start the client of connection k: connect() returns at once. */
static int
lesson_connect(struct lesson *l, int k)
{
	struct sockaddr_in sin;

	if ((l->cfd[k] = lesson_socket(l)) == -1)
		return -1;
	lesson_addr(l->port[k], &sin);
	if (connect(l->cfd[k], (struct sockaddr *)&sin, sizeof sin) == -1 &&
	    errno != EINPROGRESS)
		return lesson_fail(l, errno, "connect to port %u", l->port[k]);
	return 0;
}

static int
lesson_accept(struct lesson *l, int k)
{
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int fd;

	for (;;) {
		fd = accept4(l->lfd[k], NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			return lesson_fail(l, errno, "accept on port %u",
			    l->port[k]);
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "nothing to accept on port "
			    "%u after %d ms", l->port[k], LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	l->sfd[k] = fd;
	return lesson_wait(l, k, LESSON_SERVER, fd, TCP_ESTABLISHED);
}

/* Listen (if not yet), connect and accept: an ESTABLISHED pair. */
static int
lesson_pair(struct lesson *l, int k)
{
	if (lesson_state(l->lfd[k]) != TCP_LISTEN &&
	    lesson_listen(l, k) == -1)
		return -1;
	if (lesson_connect(l, k) == -1 || lesson_accept(l, k) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_ESTABLISHED);
}

static int
lesson_write(struct lesson *l, int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	if (n != (ssize_t)len)
		return lesson_fail(l, n == -1 ? errno : EAGAIN, "send");
	return 0;
}

/* Read exactly len bytes (buf may be NULL: discard them). */
static int
lesson_read(struct lesson *l, int fd, size_t len)
{
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	char buf[512];
	ssize_t n;

	while (len > 0) {
		n = recv(fd, buf, len < sizeof buf ? len : sizeof buf, 0);
		if (n > 0) {
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return lesson_fail(l, EPIPE, "recv: early end");
		if (errno != EAGAIN && errno != EINTR)
			return lesson_fail(l, errno, "recv");
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "%zu bytes still to read "
			    "after %d ms", len, LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return 0;
}

static int
lesson_shutdown(struct lesson *l, int fd)
{
	if (shutdown(fd, SHUT_WR) == -1)
		return lesson_fail(l, errno, "shutdown");
	return 0;
}

/* Close with a RST rather than a FIN (SO_LINGER 0), or just close a
 * socket that is no connection any more. */
static void
lesson_abort(int *fd)
{
	struct linger lg = { 1, 0 };

	if (*fd < 0)
		return;
	setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(*fd);
	*fd = -1;
}

static void
lesson_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Run nft -f - with script on its standard input; its first line of
 * complaint goes to why. */
static int
lesson_nft(const char *script, char *why, size_t whylen)
{
	static const char *const paths[] = { "nft", "/usr/sbin/nft",
	    "/sbin/nft" };
	char a0[] = "nft", a1[] = "-f", a2[] = "-";
	char *argv[] = { a0, a1, a2, NULL };
	posix_spawn_file_actions_t fa;
	int in[2], er[2], rc = ENOENT, status;
	size_t i, len = strlen(script);
	ssize_t n;
	pid_t pid = -1;
	char buf[256];
	size_t got = 0;

	why[0] = '\0';
	if (pipe2(in, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(er, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
	for (i = 0; i < sizeof paths / sizeof paths[0] && rc == ENOENT; i++)
		rc = i == 0 ? posix_spawnp(&pid, paths[i], &fa, NULL, argv,
		    environ) : posix_spawn(&pid, paths[i], &fa, NULL, argv,
		    environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(er[1]);
	if (rc != 0) {
		close(in[1]);
		close(er[0]);
		snprintf(why, whylen, "cannot run nft: %s", strerror(rc));
		errno = rc;
		return -1;
	}
	/* A script is far smaller than a pipe's buffer: no deadlock.  A
	 * dead nft is EPIPE here, not SIGPIPE (see lesson_open). */
	n = write(in[1], script, len);
	close(in[1]);
	while (got + 1 < sizeof buf &&
	    (n = read(er[0], buf + got, sizeof buf - 1 - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(er[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(why, whylen, "nft failed: %.160s", buf[0] != '\0' ?
		    buf : "no reason given");
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Replace the drop rules with the lines of fmt (one nft rule each, "" for
 * none); nothing without the table. */
static int __attribute__((format(printf, 2, 3)))
lesson_drops(struct lesson *l, const char *fmt, ...)
{
	char rules[512], script[1024], why[200];
	char *line, *save = NULL;
	size_t off;
	va_list ap;

	if (!l->drops)
		return 0;
	va_start(ap, fmt);
	vsnprintf(rules, sizeof rules, fmt, ap);
	va_end(ap);
	off = (size_t)snprintf(script, sizeof script,
	    "flush chain " LESSON_NFT_TABLE " pre\n");
	for (line = strtok_r(rules, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		off += (size_t)snprintf(script + off, sizeof script - off,
		    "add rule " LESSON_NFT_TABLE " pre %s\n", line);
	log_debug("lesson: drops: %s", rules);
	if (lesson_nft(script, why, sizeof why) == -1)
		return lesson_fail(l, errno, "drop rules (%s)", why);
	return 0;
}

/* ---- the steps ---------------------------------------------------------- */

static int
act_listen(struct lesson *l)
{
	return lesson_listen(l, LP_OPEN);
}

static int
act_syn_sent(struct lesson *l)
{
	if (lesson_drops(l, "tcp dport %u tcp flags & syn == syn drop",
	    l->port[LP_OPEN]) == -1 || lesson_connect(l, LP_OPEN) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    l->drops ? TCP_SYN_SENT : TCP_ESTABLISHED);
}

static int
act_syn_recv(struct lesson *l)
{
	/* The SYN passes now; the client's ACK of the SYN-ACK does not. */
	if (lesson_drops(l, "tcp dport %u tcp flags & syn == 0 drop",
	    l->port[LP_OPEN]) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_ESTABLISHED);
}

static int
act_established(struct lesson *l)
{
	static const char req[] = "hello, server\n";
	static const char rsp[] = "hello, client\n";

	/* The request carries the ACK the server never got: the server's
	 * request socket becomes a full one and is accepted. */
	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_write(l, l->cfd[LP_OPEN], req, sizeof req - 1) == -1 ||
	    lesson_accept(l, LP_OPEN) == -1 ||
	    lesson_read(l, l->sfd[LP_OPEN], sizeof req - 1) == -1 ||
	    lesson_write(l, l->sfd[LP_OPEN], rsp, sizeof rsp - 1) == -1 ||
	    lesson_read(l, l->cfd[LP_OPEN], sizeof rsp - 1) == -1)
		return -1;
	return 0;
}

static int
act_data(struct lesson *l)
{
	char body[LESSON_BODY];
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int queued = 0;

	memset(body, 'x', sizeof body);
	if (lesson_write(l, l->cfd[LP_OPEN], body, sizeof body) == -1)
		return -1;
	/* Arrived, and left unread: the server's Recv-Q. */
	while (ioctl(l->sfd[LP_OPEN], FIONREAD, &queued) == 0 &&
	    queued < LESSON_BODY) {
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "%d bytes of %d arrived after "
			    "%d ms", queued, LESSON_BODY, LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return 0;
}

static int
act_fin_wait1(struct lesson *l)
{
	if (lesson_read(l, l->sfd[LP_OPEN], LESSON_BODY) == -1 ||
	    lesson_drops(l, "tcp dport %u tcp flags & fin == fin drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_shutdown(l, l->cfd[LP_OPEN]) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    l->drops ? TCP_FIN_WAIT1 : TCP_FIN_WAIT2);
}

static int
act_fin_wait2(struct lesson *l)
{
	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_FIN_WAIT2) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE_WAIT);
}

static int
act_last_ack(struct lesson *l)
{
	if (lesson_drops(l, "tcp sport %u tcp flags & fin == fin drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_shutdown(l, l->sfd[LP_OPEN]) == -1)
		return -1;
	if (l->drops)
		return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
		    TCP_LAST_ACK);
	/* Straight through: the client's full socket is CLOSE once a
	 * TIME_WAIT minisocket has taken the connection over. */
	if (lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_CLOSE) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE);
}

static int
act_time_wait(struct lesson *l)
{
	if (!l->drops)
		return 0;
	/* The server's FIN passes now, the client's last ACK does not: the
	 * server resends its FIN, and each one restarts TIME_WAIT. */
	if (lesson_drops(l, "tcp dport %u tcp flags == ack drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_CLOSE) == -1)
		return -1;
	lesson_close_fd(&l->cfd[LP_OPEN]);
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_LAST_ACK);
}

static int
act_closed(struct lesson *l)
{
	lesson_close_fd(&l->cfd[LP_OPEN]);
	if (lesson_drops(l, "%s", "") == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE);
}

static int
act_simul_close(struct lesson *l)
{
	int k = LP_SIMUL;

	/* Ask for the close of the last part's server: its socket is CLOSE
	 * and no longer shown. */
	lesson_close_fd(&l->sfd[LP_OPEN]);
	if (lesson_pair(l, k) == -1 ||
	    lesson_drops(l, "tcp dport %u tcp flags & fin == fin drop\n"
	    "tcp sport %u tcp flags & fin == fin drop", l->port[k],
	    l->port[k]) == -1 ||
	    lesson_shutdown(l, l->cfd[k]) == -1 ||
	    lesson_shutdown(l, l->sfd[k]) == -1)
		return -1;
	if (!l->drops)	/* one close after the other, on loopback */
		return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE);
	if (lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_FIN_WAIT1) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_FIN_WAIT1);
}

static int
act_closing(struct lesson *l)
{
	int k = LP_SIMUL;

	if (!l->drops)
		return 0;
	/* The client's FIN reaches the server, whose own FIN is still
	 * unanswered: CLOSING.  The server's ACK tells the client its FIN
	 * arrived: FIN_WAIT2. */
	if (lesson_drops(l, "tcp sport %u tcp flags & fin == fin drop",
	    l->port[k]) == -1 ||
	    lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSING) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_FIN_WAIT2);
}

static int
act_simul_time_wait(struct lesson *l)
{
	int k = LP_SIMUL;

	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE) == -1 ||
	    lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE) == -1)
		return -1;
	lesson_close_fd(&l->cfd[k]);
	lesson_close_fd(&l->sfd[k]);
	return 0;
}

static int
act_reset_open(struct lesson *l)
{
	return lesson_pair(l, LP_RESET);
}

static int
act_reset(struct lesson *l)
{
	int k = LP_RESET;

	lesson_abort(&l->cfd[k]);
	return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE);
}

static int
act_refused(struct lesson *l)
{
	int k = LP_REFUSED;

	lesson_close_fd(&l->sfd[LP_RESET]);
	if (lesson_connect(l, k) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE);
}

static int
act_half_open(struct lesson *l)
{
	int k = LP_HALF;

	lesson_close_fd(&l->cfd[LP_REFUSED]);
	if (lesson_pair(l, k) == -1 ||
	    lesson_drops(l, "tcp dport %u drop\ntcp sport %u drop",
	    l->port[k], l->port[k]) == -1)
		return -1;
	/* The server's end goes away; its RST is dropped on the way. */
	lesson_abort(&l->sfd[k]);
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k],
	    l->drops ? TCP_ESTABLISHED : TCP_CLOSE);
}

static int
act_half_open_write(struct lesson *l)
{
	static const char msg[] = "are you there?\n";
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int k = LP_HALF;
	struct tcp_info ti;
	socklen_t len;

	if (!l->drops)
		return 0;
	if (lesson_write(l, l->cfd[k], msg, sizeof msg - 1) == -1)
		return -1;
	/* Wait for the first retransmission. */
	for (;;) {
		len = sizeof ti;
		memset(&ti, 0, sizeof ti);
		if (getsockopt(l->cfd[k], IPPROTO_TCP, TCP_INFO, &ti,
		    &len) == -1)
			return lesson_fail(l, errno, "TCP_INFO");
		if (ti.tcpi_total_retrans > 0)
			break;
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "no retransmission after %d "
			    "ms", LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_ESTABLISHED);
}

static int
act_half_open_reset(struct lesson *l)
{
	int k = LP_HALF;

	/* The next retransmission reaches a port whose listener knows
	 * nothing of this connection: it answers RST. */
	if (lesson_drops(l, "%s", "") == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE);
}

struct lesson_want {
	int port;		/* LP_* */
	int side;		/* enum lesson_side */
	int state;		/* TCP_*; 0 ends the list */
};

struct lesson_def {
	const char *part;
	const char *title;
	const char *text;
	int needs_drops;	/* holds its states only with drop rules */
	int (*act)(struct lesson *);
	struct lesson_want want[LESSON_MAX_EXPECT];
};

#define S_ LESSON_SERVER
#define C_ LESSON_CLIENT

static const struct lesson_def lesson_defs[] = {
	{ "Handshake", "A server listens",
	  "The server calls listen(). Its socket is in LISTEN: it has no "
	  "peer, only a port, and waits for SYNs.",
	  0, act_listen, { { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "The client sends a SYN, which is lost",
	  "The client calls connect(): the kernel sends a SYN and the socket "
	  "is in SYN_SENT. Here the network drops the SYN, so the client "
	  "waits and sends it again, later and later.",
	  1, act_syn_sent, { { LP_OPEN, C_, TCP_SYN_SENT },
	  { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "SYN, SYN-ACK, and the last ACK is lost",
	  "The SYN gets through. The server answers SYN-ACK and keeps a small "
	  "request socket in SYN_RECV. The client takes the SYN-ACK as done: "
	  "it is ESTABLISHED. Its ACK is lost, so the server is not, yet.",
	  1, act_syn_recv, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_SYN_RECV }, { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "ESTABLISHED on both ends",
	  "The client's first data carries the ACK again. The server's "
	  "request becomes a full socket, accept() returns it, and both ends "
	  "are ESTABLISHED. A request and a reply go across.",
	  0, act_established, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Handshake", "Data waits to be read",
	  "The client sends 1000 bytes. The server's kernel has them and has "
	  "ACKed them, but the application has not read them: they show in "
	  "the server's Recv-Q.",
	  0, act_data, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Close", "Active close: the client's FIN is lost",
	  "The server reads the data. The client is done and calls shutdown(): "
	  "it sends a FIN and is in FIN_WAIT1 until that FIN is ACKed. The "
	  "FIN is dropped, so it is resent.",
	  1, act_fin_wait1, { { LP_OPEN, C_, TCP_FIN_WAIT1 },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Close", "FIN_WAIT2 and CLOSE_WAIT",
	  "The FIN arrives and is ACKed. The client waits in FIN_WAIT2 for "
	  "the server's FIN. The server is in CLOSE_WAIT: the peer has "
	  "finished, and it is up to the server's application to close.",
	  0, act_fin_wait2, { { LP_OPEN, C_, TCP_FIN_WAIT2 },
	  { LP_OPEN, S_, TCP_CLOSE_WAIT } } },
	{ "Close", "Passive close: the server's FIN is lost",
	  "The server closes too: it sends its FIN and is in LAST_ACK, "
	  "waiting for the ACK of it. That FIN is dropped, so the client "
	  "stays in FIN_WAIT2.",
	  1, act_last_ack, { { LP_OPEN, S_, TCP_LAST_ACK },
	  { LP_OPEN, C_, TCP_FIN_WAIT2 } } },
	{ "Close", "TIME_WAIT, and why it exists",
	  "The server's FIN arrives: the client ACKs it and enters "
	  "TIME_WAIT. Its ACK is lost, so the server sends the FIN again; "
	  "TIME_WAIT is there to answer it. Linux hands it to a small "
	  "socket that no process owns.",
	  1, act_time_wait, { { LP_OPEN, C_, TCP_TIME_WAIT },
	  { LP_OPEN, S_, TCP_LAST_ACK } } },
	{ "Close", "The connection is gone; TIME_WAIT stays",
	  "The ACK gets through and the server's socket is CLOSED: it leaves "
	  "the kernel's tables. The client's TIME_WAIT stays for 60 s after "
	  "the last FIN, so no stray segment reaches a new connection.",
	  0, act_closed, { { LP_OPEN, C_, TCP_TIME_WAIT },
	  { LP_OPEN, S_, TCP_CLOSE } } },
	{ "Simultaneous close", "Both ends close at once",
	  "A new connection. Both ends call shutdown() at the same time: "
	  "both send a FIN and are in FIN_WAIT1. Both FINs are dropped, so "
	  "they cross in flight, as they can on a long path.",
	  1, act_simul_close, { { LP_SIMUL, C_, TCP_FIN_WAIT1 },
	  { LP_SIMUL, S_, TCP_FIN_WAIT1 } } },
	{ "Simultaneous close", "CLOSING",
	  "The client's FIN reaches the server while the server's own FIN is "
	  "unanswered: the server is CLOSING. Its ACK tells the client that "
	  "its FIN arrived: the client is in FIN_WAIT2.",
	  1, act_closing, { { LP_SIMUL, S_, TCP_CLOSING },
	  { LP_SIMUL, C_, TCP_FIN_WAIT2 } } },
	{ "Simultaneous close", "Both ends in TIME_WAIT",
	  "The server's FIN arrives and is ACKed. After a simultaneous close "
	  "both ends closed actively, so both wait in TIME_WAIT.",
	  1, act_simul_time_wait, { { LP_SIMUL, C_, TCP_TIME_WAIT },
	  { LP_SIMUL, S_, TCP_TIME_WAIT } } },
	{ "Trouble", "A connection to be reset",
	  "A new connection, ESTABLISHED on both ends, like the first one. "
	  "This one will not end politely.",
	  0, act_reset_open, { { LP_RESET, C_, TCP_ESTABLISHED },
	  { LP_RESET, S_, TCP_ESTABLISHED } } },
	{ "Trouble", "A reset",
	  "The client aborts (SO_LINGER 0, then close()). It sends one RST "
	  "instead of a FIN, and the server's socket is CLOSED at once: no "
	  "FIN exchange, no TIME_WAIT. The server's recv() says ECONNRESET.",
	  0, act_reset, { { LP_RESET, S_, TCP_CLOSE } } },
	{ "Trouble", "A refused connect",
	  "The client connects to a port where nothing listens. The kernel "
	  "answers the SYN with a RST: SYN_SENT goes straight to CLOSED and "
	  "connect() fails with ECONNREFUSED.",
	  0, act_refused, { { LP_REFUSED, C_, TCP_CLOSE } } },
	{ "Trouble", "Half-open: the peer is gone",
	  "A new connection. Then the network between the ends goes dark and "
	  "the server's end vanishes (a crash, a reboot). The client is not "
	  "told: it is still ESTABLISHED, with nobody on the other side.",
	  1, act_half_open, { { LP_HALF, C_, TCP_ESTABLISHED } } },
	{ "Trouble", "Half-open: writing finds nothing",
	  "The client writes. No ACK comes back, so it retransmits, waiting "
	  "longer each time (see the retrans column). Only a write or a "
	  "keepalive finds out about a dead peer.",
	  1, act_half_open_write, { { LP_HALF, C_, TCP_ESTABLISHED } } },
	{ "Trouble", "Half-open: the RST ends it",
	  "The path comes back. The next retransmission reaches the server's "
	  "host, which has no such connection and answers RST: the client's "
	  "socket is CLOSED and the application gets ECONNRESET.",
	  1, act_half_open_reset, { { LP_HALF, C_, TCP_CLOSE } } },
};

#undef S_
#undef C_

#define LESSON_NSTEPS ((int)(sizeof lesson_defs / sizeof lesson_defs[0]))

int
lesson_nsteps(void)
{
	return LESSON_NSTEPS;
}

/* The descriptor that holds the socket an expectation is about, or -1:
 * request and TIME_WAIT sockets have none. */
static int
lesson_fd_of(const struct lesson *l, const struct lesson_want *w)
{
	if (w->state == TCP_TIME_WAIT || w->state == TCP_SYN_RECV)
		return -1;
	if (w->side == LESSON_CLIENT)
		return l->cfd[w->port];
	return w->state == TCP_LISTEN ? l->lfd[w->port] : l->sfd[w->port];
}

/* Fill the expectations of step n (1-based) from the table, with what
 * our descriptors show when seen is asked for. */
static size_t
lesson_fill(const struct lesson *l, int n, struct lesson_expect *out,
    int seen)
{
	const struct lesson_def *d = &lesson_defs[n - 1];
	size_t i;

	for (i = 0; i < LESSON_MAX_EXPECT && d->want[i].state != 0; i++) {
		out[i].port = l->port[d->want[i].port];
		out[i].side = d->want[i].side;
		out[i].state = d->want[i].state;
		out[i].seen = seen ? lesson_state(lesson_fd_of(l,
		    &d->want[i])) : 0;
	}
	return i;
}

int
lesson_step(struct lesson *l, char *err, size_t errlen)
{
	const struct lesson_def *d;
	size_t i;

	err[0] = '\0';
	if (l->done >= LESSON_NSTEPS)
		return 0;
	d = &lesson_defs[l->done];
	l->err = err;
	l->errlen = errlen;
	log_debug("lesson: step %d: %s", l->done + 1, d->title);
	if (d->act(l) == -1) {
		int e = errno;
		char why[256];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "step %d (%s): %s", l->done + 1,
		    d->title, why);
		errno = e;
		return -1;
	}
	l->done++;
	l->nexp = lesson_fill(l, l->done, l->exp, 1);
	/* What the actions waited for, checked once more as a whole. */
	if (!d->needs_drops || l->drops)
		for (i = 0; i < l->nexp; i++)
			if (l->exp[i].seen != 0 &&
			    l->exp[i].seen != l->exp[i].state) {
				snprintf(err, errlen, "step %d (%s): the %s end "
				    "of port %u is %s, not %s", l->done,
				    d->title, lesson_side_name(l->exp[i].side),
				    l->exp[i].port,
				    tcpstate_name(l->exp[i].seen),
				    tcpstate_name(l->exp[i].state));
				errno = EPROTO;
				return -1;
			}
	return 1;
}

void
lesson_current(const struct lesson *l, struct lesson_info *out)
{
	memset(out, 0, sizeof *out);
	out->n = l->done;
	out->nsteps = LESSON_NSTEPS;
	out->note = "";
	out->held = 1;
	if (l->done == 0) {
		out->part = "Introduction";
		out->title = "TCP's states, on real sockets";
		out->text = "Each step makes real connections and moves them "
		    "on; the list shows what the kernel holds. A client and "
		    "a server talk over the loopback, both ends on screen.";
		out->note = l->note;
		return;
	}
	out->part = lesson_defs[l->done - 1].part;
	out->title = lesson_defs[l->done - 1].title;
	out->text = lesson_defs[l->done - 1].text;
	if (lesson_defs[l->done - 1].needs_drops && !l->drops) {
		out->held = 0;
		out->note = "not held here: it needs drop rules, which need "
		    "root (a private network namespace and nft)";
	}
	out->nexpect = l->nexp;
	out->expect = l->exp;
}

void
lesson_filter(const struct lesson *l, struct filter *f)
{
	int k;

	f->nranges = 0;
	for (k = 0; k < LP_N; k++) {
		f->ranges[f->nranges].lo = l->port[k];
		f->ranges[f->nranges].hi = l->port[k];
		f->nranges++;
	}
}

const char *
lesson_netns(const struct lesson *l)
{
	return l->nsname[0] != '\0' ? l->nsname : NULL;
}

int
lesson_netns_fd(const struct lesson *l)
{
	return l->ns_fd;
}

const char *
lesson_note(const struct lesson *l)
{
	return l->note;
}

/* ---- set-up and tear-down ----------------------------------------------- */

static void
lesson_unname(const char *path)
{
	if (umount2(path, MNT_DETACH) == -1 && errno != EINVAL &&
	    errno != ENOENT)
		log_debug("lesson: umount %s: %s", path, strerror(errno));
	if (unlink(path) == -1 && errno != ENOENT)
		log_debug("lesson: unlink %s: %s", path, strerror(errno));
}

static void
lesson_atexit(void)
{
	if (lesson_exit_path[0] != '\0')
		lesson_unname(lesson_exit_path);
}

/* Remove the namespaces of lessons whose process is gone (SIGKILL gave
 * them no chance to clean up). */
static void
lesson_sweep(void)
{
	DIR *dir = opendir(LESSON_NS_DIR);
	struct dirent *de;
	char path[sizeof LESSON_NS_DIR + 256], *end;
	long pid;

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, LESSON_NS_PREFIX,
		    strlen(LESSON_NS_PREFIX)) != 0)
			continue;
		errno = 0;
		pid = strtol(de->d_name + strlen(LESSON_NS_PREFIX), &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", LESSON_NS_DIR, de->d_name);
		log_debug("lesson: removing stale %s", path);
		lesson_unname(path);
	}
	closedir(dir);
}

/* Write one sysctl of the namespace we are in (/proc/sys/net is the
 * opener's namespace's). */
static int
lesson_sysctl(const char *name, const char *val, int optional)
{
	char path[128];
	size_t len = strlen(val);
	int fd;

	snprintf(path, sizeof path, "/proc/sys/net/ipv4/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return optional && errno == ENOENT ? 0 : -1;
	if (write(fd, val, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
lesson_lo_up(void)
{
	struct ifreq ifr;
	int fd, rc;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* Make the named namespace and move into it.  Returns 0, or -1 with a
 * reason in why, the process back in the host's namespace and nothing
 * left behind. */
static int
lesson_ns_create(struct lesson *l, char *why, size_t whylen)
{
	int fd;

	if (geteuid() != 0) {
		snprintf(why, whylen, "not root");
		return -1;
	}
	lesson_sweep();
	if ((l->host_fd = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "/proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	snprintf(l->nsname, sizeof l->nsname, LESSON_NS_PREFIX "%ld",
	    (long)getpid());
	snprintf(l->nspath, sizeof l->nspath, LESSON_NS_DIR "/%s",
	    l->nsname);
	if ((mkdir(LESSON_NS_DIR, 0755) == -1 && errno != EEXIST) ||
	    (fd = open(l->nspath, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0444)) == -1) {
		snprintf(why, whylen, "%s: %s", l->nspath, strerror(errno));
		goto fail;
	}
	close(fd);
	if (unshare(CLONE_NEWNET) == -1) {
		snprintf(why, whylen, "unshare: %s", strerror(errno));
		unlink(l->nspath);
		goto fail;
	}
	/* The name is a bind mount of the namespace, as ip-netns(8) makes
	 * it: `ip netns exec NAME` finds it there. */
	if (mount("/proc/self/ns/net", l->nspath, "none", MS_BIND,
	    NULL) == -1) {
		snprintf(why, whylen, "mount %s: %s", l->nspath,
		    strerror(errno));
		setns(l->host_fd, CLONE_NEWNET);
		unlink(l->nspath);
		goto fail;
	}
	if ((l->ns_fd = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) == -1 || lesson_lo_up() == -1) {
		snprintf(why, whylen, "%s: %s", l->ns_fd == -1 ?
		    "/proc/self/ns/net" : "loopback up", strerror(errno));
		if (l->ns_fd >= 0)
			close(l->ns_fd);
		l->ns_fd = -1;
		setns(l->host_fd, CLONE_NEWNET);
		lesson_unname(l->nspath);
		goto fail;
	}
	snprintf(lesson_exit_path, sizeof lesson_exit_path, "%s",
	    l->nspath);
	return 0;

fail:
	close(l->host_fd);
	l->host_fd = -1;
	l->nsname[0] = l->nspath[0] = '\0';
	return -1;
}

/* The namespace's sysctls and the empty drop table.  Returns 0, or -1
 * with a reason in why. */
static int
lesson_ns_setup(char *why, size_t whylen)
{
	/* SYN_SENT and the FIN-resending states must not time out while the
	 * teacher talks; a request socket must be real, never a cookie; and
	 * a segment let through again must be resent within a second. */
	if (lesson_sysctl("tcp_syn_retries", "127", 0) == -1 ||
	    lesson_sysctl("tcp_synack_retries", "40", 0) == -1 ||
	    lesson_sysctl("tcp_retries2", "40", 0) == -1 ||
	    lesson_sysctl("tcp_syncookies", "0", 0) == -1 ||
	    lesson_sysctl("tcp_rto_max_ms", "1000", 1) == -1) {
		snprintf(why, whylen, "sysctl: %s", strerror(errno));
		return -1;
	}
	/* Drops happen where segments arrive, before anything else sees
	 * them: the sender just retransmits. */
	return lesson_nft("add table " LESSON_NFT_TABLE "\n"
	    "add chain " LESSON_NFT_TABLE " pre { type filter hook prerouting "
	    "priority raw; policy accept; }\n", why, whylen);
}

/* List the steps that need drop rules, for the note. */
static void
lesson_list_dropsteps(char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < LESSON_NSTEPS && off < len; i++)
		if (lesson_defs[i].needs_drops)
			off += (size_t)snprintf(buf + off, len - off, "%s%d",
			    off == 0 ? "" : ",", i + 1);
}

struct lesson *
lesson_open(volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct lesson *l = xcalloc(1, sizeof *l);
	char why[256], steps[96];
	int k;

	err[0] = '\0';
	l->stop = stop;
	l->host_fd = l->ns_fd = -1;
	for (k = 0; k < LP_N; k++)
		l->lfd[k] = l->cfd[k] = l->sfd[k] = -1;
	l->err = err;
	l->errlen = errlen;
	/* nft may die before it has read its script: EPIPE, not a signal
	 * that ends tcptop with the namespace still there. */
	signal(SIGPIPE, SIG_IGN);
	lesson_list_dropsteps(steps, sizeof steps);

	if (lesson_ns_create(l, why, sizeof why) == 0) {
		static int registered;

		if (!registered && atexit(lesson_atexit) == 0)
			registered = 1;
		if (lesson_ns_setup(why, sizeof why) == -1)
			snprintf(l->note, sizeof l->note, "no drop rules "
			    "(%s): steps %s pass without holding their "
			    "states", why, steps);
		else
			l->drops = 1;
	} else
		snprintf(l->note, sizeof l->note, "%s: on the host's loopback "
		    "without drop rules, steps %s pass without holding "
		    "their states (run as root for all of them)", why, steps);
	log_debug("lesson: %s%s", l->nsname[0] ? l->nsname : "loopback",
	    l->drops ? ", drop rules" : "");

	/* Listening ports are bound now, so that the filter knows them from
	 * the start; nothing listens on the refused one. */
	for (k = 0; k < LP_N; k++) {
		uint16_t want = l->nsname[0] ? LESSON_PORT_BASE + k : 0;

		if (k == LP_REFUSED && l->nsname[0]) {
			l->port[k] = want;
			continue;
		}
		/* On the host, a socket bound and never listening keeps
		 * the refused port free of listeners. */
		if ((l->lfd[k] = lesson_bind(l, want, &l->port[k])) == -1) {
			int e = errno;

			lesson_close(l);
			errno = e;
			return NULL;
		}
	}
	return l;
}

void
lesson_close(struct lesson *l)
{
	int k;

	if (l == NULL)
		return;
	/* Resets, not FINs: nothing lingers after us. */
	for (k = 0; k < LP_N; k++) {
		lesson_abort(&l->cfd[k]);
		lesson_abort(&l->sfd[k]);
		lesson_close_fd(&l->lfd[k]);
	}
	if (l->host_fd >= 0) {
		if (setns(l->host_fd, CLONE_NEWNET) == -1)
			log_debug("lesson: back to the host's namespace: %s",
			    strerror(errno));
		close(l->host_fd);
	}
	if (l->ns_fd >= 0)
		close(l->ns_fd);
	if (l->nspath[0] != '\0') {
		lesson_unname(l->nspath);
		lesson_exit_path[0] = '\0';
	}
	free(l);
}
