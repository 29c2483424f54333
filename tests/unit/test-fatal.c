/* The fatal path on a real terminal: a child takes a pseudo-terminal
 * over with ui_open, the way tcptop's interactive view does (which
 * registers ui_close as fatal's hook), draws, and dies by fatal.  The
 * parent checks that the terminal was raw meanwhile and is restored
 * after (ICANON and ECHO back, every flag as before), that the message
 * came on the terminal after curses had left it (after rmcup), that the
 * exit status is 1 and not a signal, and that the -v log has it. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/fatal.h"
#include "tcptop/log.h"
#include "tcptop/netns.h"
#include "tcptop/ui.h"
#include "tcptop/xmalloc.h"
/* Last: it defines terminfo names (tab, lines...) as macros. */
#include <term.h>

#define TEST_TERM	"xterm"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>

/* ASan would report a failed allocation itself and stop: let malloc
 * return NULL, as it does outside ASan, for xmalloc to see. */
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

static char tmpdir[PATH_MAX];	/* removed at the end by the parent */
static char logpath[PATH_MAX];
static pid_t parent;

/* What one child did. */
struct run {
	int status;			/* from waitpid */
	int raw_seen;			/* during was read */
	struct termios before;		/* the modes before the child */
	struct termios during;		/* while the child's curses ran */
	struct termios after;		/* once the child had gone */
	char out[65536];		/* what it wrote to the terminal */
	size_t outlen;
};

/* The child's end of the handshake: the parent reads the modes, then
 * lets it go on. */
static int sync_w = -1, go_r = -1;

static void
rm_tmpdir(void)
{
	if (getpid() != parent)
		return;	/* a child's exit(1) must not remove it */
	if (logpath[0] != '\0')
		unlink(logpath);
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
}

static void
child_ready(void)
{
	char c = 'R';

	if (write(sync_w, &c, 1) != 1 || read(go_r, &c, 1) != 1)
		_exit(98);
}

/* Each case runs in the child with curses up (or not, see curses) and
 * must not return. */
struct fatal_case {
	const char *name;
	void (*fn)(void);
	int curses;		/* ui_open first */
	const char *msg;	/* the message, without "tcptop: " */
};

static void
case_fatal(void)
{
	errno = EIO;
	fatal("fatal test %d", 42);
}

static void
case_fatalx(void)
{
	errno = EIO;
	fatalx("fatalx test %s", "x");
}

/* A size malloc cannot give: a real NULL from it. */
static void
case_xmalloc(void)
{
	volatile size_t n = SIZE_MAX / 2;

	(void)xmalloc(n);
}

/* A count times a size that overflows: no malloc at all. */
static void
case_xreallocarray(void)
{
	volatile size_t n = SIZE_MAX / 2 + 1;

	(void)xreallocarray(NULL, n, 2);
}

#ifndef TEST_ASAN
/* Memory that runs out for real: the address space capped a little
 * above what the child maps, then 1 MiB blocks until one fails.  fatal
 * and ui_close must work with nothing left to allocate.  (ASan maps
 * terabytes of shadow: no cap fits it.) */
static void
case_exhausted(void)
{
	struct rlimit rl;
	unsigned long pages;
	FILE *fp = fopen("/proc/self/statm", "r");

	if (fp == NULL || fscanf(fp, "%lu", &pages) != 1)
		_exit(93);
	fclose(fp);
	rl.rlim_cur = rl.rlim_max = pages * (unsigned long)getpagesize() +
	    (16UL << 20);
	if (setrlimit(RLIMIT_AS, &rl) == -1)
		_exit(92);
	for (;;)
		(void)xmalloc(1 << 20);
}
#endif

/* The right to enter a network namespace (CAP_SYS_ADMIN over it): root
 * has it, anyone else gets it in a user namespace of their own with a
 * network namespace under it.  Returns 0, or -1. */
static int
netns_setup(void)
{
	if (geteuid() == 0)
		return 0;
	return unshare(CLONE_NEWUSER | CLONE_NEWNET);
}

/* Inside the namespace: give up CAP_SYS_ADMIN, so the setns that takes
 * netns_run home fails with EPERM. */
static int
drop_sys_admin(void *arg)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) == -1)
		_exit(91);
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d) == -1)
		_exit(90);
	return 0;
}

/* netns_run into our own namespace, and no way back: what used to
 * abort() with the terminal raw. */
static void
case_netns(void)
{
	int fd;

	if (netns_setup() == -1 ||
	    (fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		_exit(89);
	if (netns_run(fd, drop_sys_admin, NULL) == -1)
		_exit(88);	/* could not even enter */
}

/* Whether case_netns can run here: a child tries what it does up to
 * the fatal part. */
static int
netns_possible(void)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if (netns_setup() == -1 ||
		    (fd = open("/proc/self/ns/net", O_RDONLY)) == -1 ||
		    setns(fd, CLONE_NEWNET) == -1)
			_exit(1);
		_exit(0);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

/* Runs at exit, after the hook: a fatal there takes the short way out. */
static void
again_atexit(void)
{
	fatalx("second fatal");
}

static int hook_calls;

/* A hook that counts its calls on the terminal, for the case below. */
static void
counting_hook(void)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof buf, "[hook %d]", ++hook_calls);
	if (write(STDOUT_FILENO, buf, (size_t)n) != n)
		_exit(97);
}

static void
case_twice(void)
{
	fatal_set_hook(counting_hook);
	atexit(again_atexit);
	fatalx("first fatal");
}

/* Start fn in a child on a new pseudo-terminal and follow it to its end:
 * what it wrote, the terminal's modes before, during and after, its
 * status.  Returns 0, or -1 when the test itself could not run. */
static int
run_child(const struct fatal_case *fc, struct run *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct timespec start, now;
	int ptm, pts, syncp[2], gop[2], done = 0;
	pid_t pid;

	memset(r, 0, sizeof *r);
	if ((ptm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(ptm) == -1 || unlockpt(ptm) == -1 ||
	    (pts = open(ptsname(ptm), O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		perror("pty");
		return -1;
	}
	ioctl(pts, TIOCSWINSZ, &ws);
	if (tcgetattr(pts, &r->before) == -1 || pipe2(syncp, O_CLOEXEC) == -1 ||
	    pipe2(gop, O_CLOEXEC) == -1) {
		perror("tcgetattr, pipe");
		return -1;
	}
	unlink(logpath);
	fflush(NULL);
	if ((pid = fork()) == -1) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		char err[256];

		if (dup2(pts, 0) == -1 || dup2(pts, 1) == -1 ||
		    dup2(pts, 2) == -1)
			_exit(96);
		sync_w = syncp[1];
		go_r = gop[0];
		setenv("TERM", TEST_TERM, 1);
		if (log_open(logpath) == -1)
			_exit(95);
		if (fc->curses) {
			if (ui_open(1, 0, 0, err, sizeof err) == -1) {
				fprintf(stderr, "ui_open: %s\n", err);
				_exit(94);
			}
			mvaddstr(0, 0, "SCREEN");
			refresh();
		}
		child_ready();
		fc->fn();
		_exit(99);
	}
	close(syncp[1]);
	close(gop[0]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Read the terminal all along: a full one would block the child. */
	for (;;) {
		struct pollfd pfd[2] = { { ptm, POLLIN, 0 },
		    { syncp[0], POLLIN, 0 } };
		ssize_t n;
		char c;

		if (poll(pfd, 2, 50) == -1 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			n = read(ptm, r->out + r->outlen,
			    sizeof r->out - 1 - r->outlen);
			if (n > 0)
				r->outlen += (size_t)n;
			continue;	/* drain before anything else */
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			if (read(syncp[0], &c, 1) == 1) {
				r->raw_seen = tcgetattr(pts, &r->during) == 0;
				if (write(gop[1], "G", 1) != 1)
					break;
			} else {
				close(syncp[0]);
				syncp[0] = -1;
			}
		}
		if (done)
			break;	/* gone, and nothing more to read */
		if (waitpid(pid, &r->status, WNOHANG) == pid)
			done = 1;	/* one more round to drain */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 20) {
			fprintf(stderr, "%s: child hangs\n", fc->name);
			kill(pid, SIGKILL);
			waitpid(pid, &r->status, 0);
			break;
		}
	}
	r->out[r->outlen] = '\0';
	tcgetattr(pts, &r->after);
	if (syncp[0] != -1)
		close(syncp[0]);
	close(gop[1]);
	close(pts);
	close(ptm);
	return 0;
}

/* The last occurrence of needle in the len bytes at hay, or NULL. */
static const char *
last_of(const char *hay, size_t len, const char *needle)
{
	const char *p = hay, *last = NULL;
	size_t nl = strlen(needle);

	while (nl > 0 && (p = memmem(p, len - (size_t)(p - hay), needle,
	    nl)) != NULL)
		last = p++;
	return last;
}

/* The log holds "fatal: MSG" as its one line's message. */
static int
log_has(const char *msg)
{
	char line[1200], want[1100];
	FILE *fp = fopen(logpath, "r");
	int found = 0;

	if (fp == NULL)
		return 0;
	snprintf(want, sizeof want, " fatal: %s\n", msg);
	while (fgets(line, sizeof line, fp) != NULL)
		if (strlen(line) >= strlen(want) && strcmp(line +
		    strlen(line) - strlen(want), want) == 0)
			found++;
	fclose(fp);
	return found == 1;
}

/* Show the child's terminal, escapes visible, when a check failed. */
static void
dump_out(const struct fatal_case *fc, const struct run *r)
{
	size_t i;

	fprintf(stderr, "%s: status %#x, the terminal got:\n", fc->name,
	    r->status);
	for (i = 0; i < r->outlen; i++) {
		unsigned char c = (unsigned char)r->out[i];

		if (c == '\n' || (c >= 0x20 && c < 0x7f))
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputc('\n', stderr);
}

/* One case: raw while curses ran, then restored, the message after
 * curses left, exit status 1, the log line.  Returns the run for more
 * checks (the caller frees it), or NULL. */
static struct run *
check_case(const struct fatal_case *fc, const char *rmcup)
{
	struct run *r = calloc(1, sizeof *r);
	char want[1100];
	const char *msg, *left = NULL;
	int failed = check_failed;

	if (r == NULL || run_child(fc, r) == -1) {
		fprintf(stderr, "%s: the child could not start\n", fc->name);
		CHECK(0);
		free(r);
		return NULL;
	}
	snprintf(want, sizeof want, "tcptop: %s\r\n", fc->msg);
	CHECK(r->raw_seen);
	if (WIFSIGNALED(r->status))
		fprintf(stderr, "%s: killed by signal %d\n", fc->name,
		    WTERMSIG(r->status));
	CHECK(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 1);
	/* Back to the modes it found, whatever curses had set. */
	CHECK((r->after.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO));
	CHECK(r->after.c_lflag == r->before.c_lflag);
	CHECK(r->after.c_iflag == r->before.c_iflag);
	CHECK(r->after.c_oflag == r->before.c_oflag);
	/* The message is there once, and the output processing that
	 * turns its \n into \r\n was back on when it was written. */
	msg = last_of(r->out, r->outlen, want);
	CHECK(msg != NULL);
	CHECK(msg == NULL || memmem(r->out, (size_t)(msg - r->out),
	    want, strlen(want)) == NULL);
	CHECK(log_has(fc->msg));
	if (fc->curses) {
		/* Curses had the terminal (raw, drawn on), then left it,
		 * then came the message. */
		CHECK(r->raw_seen && !(r->during.c_lflag & (ICANON | ECHO)));
		CHECK(memmem(r->out, r->outlen, "SCREEN", 6) != NULL);
		if (rmcup != NULL)
			left = last_of(r->out, r->outlen, rmcup);
		CHECK(rmcup == NULL || left != NULL);
		CHECK(msg == NULL || left == NULL || left < msg);
	}
	if (check_failed != failed)
		dump_out(fc, r);
	return r;
}

int
main(void)
{
	static char big[64], over[64];
	static const struct fatal_case cases[] = {
		{ "fatal", case_fatal, 1,
		    "fatal test 42: Input/output error" },
		{ "fatalx", case_fatalx, 1, "fatalx test x" },
		{ "fatalx without curses", case_fatalx, 0, "fatalx test x" },
		{ "xmalloc", case_xmalloc, 1, big },
		{ "xreallocarray", case_xreallocarray, 1, over },
#ifndef TEST_ASAN
		{ "memory exhausted", case_exhausted, 1,
		    "out of memory (1048576 bytes)" },
#endif
	};
	static const struct fatal_case ns = { "netns", case_netns, 1,
	    "cannot return to tcptop's own network namespace: "
	    "Operation not permitted" };
	static const struct fatal_case twice = { "fatal twice", case_twice,
	    0, "first fatal" };
	const char *base = getenv("TMPDIR");
	const char *rmcup = NULL;
	struct run *r;
	size_t i;
	int err;

	parent = getpid();
	if (base == NULL || base[0] != '/')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test-fatal.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 1;
	}
	atexit(rm_tmpdir);
	if ((size_t)snprintf(logpath, sizeof logpath, "%s/debug.log",
	    tmpdir) >= sizeof logpath)
		return 1;
	/* What leaves curses on this terminal type: the message must come
	 * after the last of it. */
	if (setupterm(TEST_TERM, STDERR_FILENO, &err) == OK) {
		rmcup = tigetstr("rmcup");
		if (rmcup == (char *)-1 || (rmcup != NULL && *rmcup == '\0'))
			rmcup = NULL;
	} else {
		fprintf(stderr, "no terminfo for %s\n", TEST_TERM);
		return 77;
	}

	snprintf(big, sizeof big, "out of memory (%zu bytes)", SIZE_MAX / 2);
	snprintf(over, sizeof over, "out of memory (%zu * 2 bytes)",
	    SIZE_MAX / 2 + 1);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		free(check_case(&cases[i], rmcup));

	if (netns_possible())
		free(check_case(&ns, rmcup));
	else
		fprintf(stderr, "netns: skipped, no CAP_SYS_ADMIN over a "
		    "network namespace here\n");

	/* The hook runs once; a fatal from an atexit handler after it
	 * prints its own message and still ends with 1. */
	if ((r = check_case(&twice, NULL)) != NULL) {
		const char *a = strstr(r->out, "[hook 1]");
		const char *b = strstr(r->out, "tcptop: first fatal\r\n");
		const char *c = strstr(r->out, "tcptop: second fatal\r\n");

		CHECK(a != NULL && b != NULL && c != NULL && a < b && b < c);
		CHECK(strstr(r->out, "[hook 2]") == NULL);
		free(r);
	}
	return check_done();
}
