/* The lesson's ground: its network namespace, sysctls and nft drop
 * rules, made and always removed again. */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/lesson.h"
#include "tcptop/log.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#include "lesson_int.h"

extern char **environ;

/* write() to a pipe whose reader may be gone, without SIGPIPE. */
static ssize_t
lesson_nft_write(int fd, const char *buf, size_t len)
{
	static const struct timespec now = { 0, 0 };
	sigset_t pipe_set, old;
	ssize_t n;
	int e;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	e = errno;
	if (n == -1 && e == EPIPE)
		sigtimedwait(&pipe_set, NULL, &now);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return n;
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
	/* A script is far smaller than a pipe's buffer: no deadlock.  An
	 * nft dead before it read is EPIPE: the SIGPIPE, which would stop
	 * tcptop (sig.h), is held and taken back. */
	n = lesson_nft_write(in[1], script, len);
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
int __attribute__((format(printf, 2, 3)))
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

/* ---- set-up and tear-down ----------------------------------------------- */

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

/* Make the lesson's namespace and move into it.  It has no name (no
 * bind mount in /run/netns): tcptop's own process and descriptors are
 * all that hold it, so the kernel removes it when tcptop ends, however
 * it ends (SIGKILL too).  It is reached by tcptop's pid, "pid:PID"
 * (nsenter -t PID -n).  Returns 0, or -1 with a reason in why, the
 * process back in the host's namespace and nothing left behind. */
int
lesson_ns_create(struct lesson *l, char *why, size_t whylen)
{
	if (geteuid() != 0) {
		snprintf(why, whylen, "not root");
		return -1;
	}
	if ((l->host_fd = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "/proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWNET) == -1) {
		snprintf(why, whylen, "unshare: %s", strerror(errno));
		goto fail;
	}
	if ((l->ns_fd = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) == -1 || lesson_lo_up() == -1) {
		snprintf(why, whylen, "%s: %s", l->ns_fd == -1 ?
		    "/proc/self/ns/net" : "loopback up", strerror(errno));
		if (l->ns_fd >= 0)
			close(l->ns_fd);
		l->ns_fd = -1;
		/* The new namespace goes with the last holder. */
		setns(l->host_fd, CLONE_NEWNET);
		goto fail;
	}
	snprintf(l->nsname, sizeof l->nsname, "pid:%ld", (long)getpid());
	return 0;

fail:
	close(l->host_fd);
	l->host_fd = -1;
	return -1;
}

/* The namespace's sysctls and the empty drop table.  Returns 0, or -1
 * with a reason in why. */
int
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

