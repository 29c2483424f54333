/* The lesson's sockets: create, connect, accept, read, write, shut
 * down and wait for a state, each failure said once. */

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcptop/lesson.h"
#include "tcptop/log.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#include "lesson_int.h"

/* ---- helpers ---------------------------------------------------------- */

int __attribute__((format(printf, 3, 4)))
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

long long
lesson_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One nap between two polls of a state; -1 with EINTR once stop is set. */
int
lesson_nap(struct lesson *l)
{
	struct timespec ts = { 0, LESSON_NAP_NS };

	if (l->stop != NULL && *l->stop)
		return lesson_fail(l, EINTR, "interrupted");
	nanosleep(&ts, NULL);
	return 0;
}

int
lesson_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 0;
	return ti.tcpi_state;
}

const char *
lesson_side_name(int k)
{
	return k == LESSON_SERVER ? "server" : "client";
}

/* Wait until fd (the side end of connection k) is in state want. */
int
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
int
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

int
lesson_listen(struct lesson *l, int k)
{
	if (listen(l->lfd[k], SOMAXCONN) == -1)
		return lesson_fail(l, errno, "listen on port %u", l->port[k]);
	return lesson_wait(l, k, LESSON_SERVER, l->lfd[k], TCP_LISTEN);
}

/* Start the client of connection k: connect() returns at once. */
int
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

int
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
int
lesson_pair(struct lesson *l, int k)
{
	if (lesson_state(l->lfd[k]) != TCP_LISTEN &&
	    lesson_listen(l, k) == -1)
		return -1;
	if (lesson_connect(l, k) == -1 || lesson_accept(l, k) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_ESTABLISHED);
}

int
lesson_write(struct lesson *l, int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	if (n != (ssize_t)len)
		return lesson_fail(l, n == -1 ? errno : EAGAIN, "send");
	return 0;
}

/* Read exactly len bytes (buf may be NULL: discard them). */
int
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

int
lesson_shutdown(struct lesson *l, int fd)
{
	if (shutdown(fd, SHUT_WR) == -1)
		return lesson_fail(l, errno, "shutdown");
	return 0;
}

/* Close with a RST rather than a FIN (SO_LINGER 0), or just close a
 * socket that is no connection any more. */
void
lesson_abort(int *fd)
{
	struct linger lg = { 1, 0 };

	if (*fd < 0)
		return;
	setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(*fd);
	*fd = -1;
}

void
lesson_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
