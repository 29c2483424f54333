/*
 * bench-ui: what a full-screen program costs, read from the outside:
 * the bytes it writes to its terminal per screen update, and its CPU.
 *
 * usage: bench-ui [-c COLS] [-l LINES] [-w WARMUP] [-k KEYS] [-s SECONDS]
 *                 [-g GAP_MS] [-x TEXT] [-o FILE] [-1 KEY -A TEXT]
 *                 [-2 KEY -B TEXT] -- PROGRAM [ARG...]
 *        bench-ui -r -s SECONDS -- PROGRAM [ARG...]
 *
 * The first form runs PROGRAM on a new pseudo-terminal of COLS x LINES
 * (default 80x24) and reads everything it writes from the master side,
 * so the count is exact: no terminal emulator in between.  Output comes
 * in bursts, one per screen update, told apart by at least GAP_MS
 * (default 250) of silence.  The first burst is the first full paint,
 * set-up sequences included (with -x, everything until TEXT has come:
 * a program may flush its set-up before a slow first refresh).  After WARMUP bursts (default 4, the first
 * paint among them) it writes KEYS to the terminal, if any, lets the
 * answer to them settle for a second, then watches SECONDS (default 30):
 * the bytes of every burst that starts in that window, and the program's
 * CPU time from /proc/PID/stat (utime + stime, clock ticks) and its
 * voluntary context switches (its wakeups) from /proc/PID/status, read
 * at both ends of the window.  Then it types 'q' and waits for the
 * program to end.  With -x, the first paint must contain TEXT; with -o,
 * everything the program wrote goes to FILE as it came.
 *
 * For bench/scale, three more things: the times, on CLOCK_MONOTONIC,
 * of the start, of the first paint's first and last byte ("times" line,
 * ms); with -1 KEY -A TEXT, KEY typed as soon as the first paint has
 * ended, and with -2 KEY -B TEXT, KEY typed after the window (when the
 * last burst has ended), each answered when TEXT has come ("key" lines:
 * ms to the answer's first byte and to TEXT); and the program's VmRSS
 * and VmHWM at the end of the window ("mem" line, kB).
 *
 * The second form (-r) runs PROGRAM once a second for SECONDS, stdout and
 * stderr on /dev/null, and gives the CPU time all the runs took
 * (getrusage of the children): what a watch-like loop of it costs.
 *
 * After a human summary come lines for bench/ui's table.  Pseudo-
 * terminal form: "row", first paint bytes, then of the bursts in the
 * window the count, median, max and total bytes, then CPU % of one core,
 * wakeups, the window (s); and "sizes", the bytes of each burst in the
 * window, sorted.  -r form: "row", runs, CPU % of one core, median CPU ms
 * per run, window (s).  Exits 1 when the set-up fails: the program cannot
 * start, ends early or with a non-zero status, paints nothing, does not
 * quit on 'q', or TEXT is not in its first paint.  Nothing about time is
 * asserted.
 */

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_BURSTS	10000
#define BENCH_FIRST_MAX		(1024 * 1024)	/* first paint kept for -x */
#define BENCH_SETTLE_MS		1000		/* after KEYS */
#define BENCH_EXIT_MS		5000		/* for the program to end */

extern char **environ;

struct bench {
	int cols, lines, warmup, gap_ms, repeat;
	double seconds;
	const char *keys, *expect;
	const char *key1, *answer1;	/* -1, -A: after the first paint */
	const char *key2, *answer2;	/* -2, -B: after the window */
	char **argv;
	FILE *capture;		/* -o: everything read, as read */
};

/* The bursts of output seen so far. */
struct bursts {
	long bytes[BENCH_MAX_BURSTS];
	double start_ms[BENCH_MAX_BURSTS];
	int n;			/* ended */
	int open;		/* one is going on */
	long cur;		/* its bytes */
	double cur_start;
	double last_ms;		/* last byte read */
	double first_end_ms;	/* the first paint's last byte */
	char *seen;		/* since a key was typed, for its answer */
	size_t nseen;
	double seen_first_ms;	/* the first byte after the key, or 0 */
	char *first;		/* the first paint, up to BENCH_FIRST_MAX */
	size_t nfirst;
	const char *expect;	/* -x: the first paint lasts until it */
	FILE *capture;
};

/* A process's CPU and wakeups at one moment. */
struct usage {
	double ms;
	unsigned long long ticks;
	long vcsw;
};

static void __attribute__((noreturn))
bench_usage(void)
{
	fprintf(stderr, "usage: bench-ui [-c COLS] [-l LINES] [-w WARMUP] "
	    "[-k KEYS] [-s SECONDS] [-g GAP_MS]\n"
	    "                [-x TEXT] [-o FILE] [-1 KEY -A TEXT] "
	    "[-2 KEY -B TEXT]\n"
	    "                -- PROGRAM [ARG...]\n"
	    "       bench-ui -r -s SECONDS -- PROGRAM [ARG...]\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bench_fail(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "bench-ui: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e != 0)
		fprintf(stderr, ": %s", strerror(e));
	fprintf(stderr, "\n");
	exit(1);
}

static long
bench_number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		bench_usage();
	return v;
}

static double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
bench_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* utime + stime (fields 14 and 15 of /proc/PID/stat, after the command
 * name in parentheses, which may hold anything) and the voluntary
 * context switches of pid. */
static int
bench_read_usage(pid_t pid, struct usage *u)
{
	char path[64], buf[4096], *p;
	unsigned long long ut, st;
	size_t n;
	FILE *fp;
	int i;

	u->ms = bench_now_ms();
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* Field 3, the state, follows ") "; utime is field 14. */
	p += 2;
	for (i = 3; i < 14 && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p == NULL || sscanf(p, "%llu %llu", &ut, &st) != 2)
		return -1;
	u->ticks = ut + st;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	u->vcsw = -1;
	while (fgets(buf, sizeof buf, fp) != NULL)
		if (sscanf(buf, "voluntary_ctxt_switches: %ld", &u->vcsw) == 1)
			break;
	fclose(fp);
	return u->vcsw < 0 ? -1 : 0;
}

/* Start argv on a new terminal of cols x lines.  Returns the master. */
static int
bench_spawn_pty(const struct bench *b, pid_t *pid)
{
	struct winsize ws = { .ws_row = (unsigned short)b->lines,
	    .ws_col = (unsigned short)b->cols };
	const char *name;
	int m, s;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(m) == -1 || unlockpt(m) == -1 ||
	    (name = ptsname(m)) == NULL)
		bench_fail("cannot make a pseudo-terminal");
	if ((s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		bench_fail("%s", name);
	if (ioctl(s, TIOCSWINSZ, &ws) == -1)
		bench_fail("TIOCSWINSZ");
	fflush(NULL);
	if ((*pid = fork()) == -1)
		bench_fail("fork");
	if (*pid == 0) {
		/* Its own session, with the terminal as controlling one;
		 * it goes when the bench does. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (setsid() == -1 || ioctl(s, TIOCSCTTY, 0) == -1 ||
		    dup2(s, 0) == -1 || dup2(s, 1) == -1 || dup2(s, 2) == -1)
			_exit(126);
		execvp(b->argv[0], b->argv);
		_exit(127);
	}
	close(s);
	return m;
}

/* Read what there is on the master into the bursts.  Returns 0, or -1
 * at the end of the output (the program has gone). */
static int
bench_read(int m, struct bursts *bu)
{
	char buf[65536];
	ssize_t n = read(m, buf, sizeof buf);
	double now = bench_now_ms();

	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;	/* EIO: no slave left */
	if (!bu->open) {
		bu->open = 1;
		bu->cur = 0;
		bu->cur_start = now;
	}
	bu->cur += n;
	bu->last_ms = now;
	if (bu->capture != NULL)
		fwrite(buf, 1, (size_t)n, bu->capture);
	if (bu->seen != NULL && bu->nseen + (size_t)n <= BENCH_FIRST_MAX) {
		if (bu->nseen == 0)
			bu->seen_first_ms = now;
		memcpy(bu->seen + bu->nseen, buf, (size_t)n);
		bu->nseen += (size_t)n;
	}
	if (bu->n == 0 && bu->nfirst + (size_t)n <= BENCH_FIRST_MAX) {
		memcpy(bu->first + bu->nfirst, buf, (size_t)n);
		bu->nfirst += (size_t)n;
	}
	return 0;
}

/* End the burst going on once it has been quiet for the gap. */
static void
bench_close_burst(struct bursts *bu, int gap_ms, double now)
{
	if (!bu->open || now - bu->last_ms < gap_ms)
		return;
	/* Set-up sequences a program flushes before a slow first refresh
	 * (curs_set does) belong to its first paint. */
	if (bu->n == 0 && bu->expect != NULL && memmem(bu->first, bu->nfirst,
	    bu->expect, strlen(bu->expect)) == NULL &&
	    bu->nfirst < BENCH_FIRST_MAX)
		return;
	if (bu->n == 0)
		bu->first_end_ms = bu->last_ms;
	if (bu->n < BENCH_MAX_BURSTS) {
		bu->bytes[bu->n] = bu->cur;
		bu->start_ms[bu->n] = bu->cur_start;
		bu->n++;
	}
	bu->open = 0;
}

/* Read output until the deadline, or until cond(bu) holds and no burst
 * is going on.  Returns 0, or -1 when the program has gone. */
static int
bench_pump(int m, struct bursts *bu, int gap_ms, double deadline,
    int want_bursts)
{
	for (;;) {
		struct pollfd pfd = { m, POLLIN, 0 };
		double now = bench_now_ms(), until = deadline;
		int timeout;

		bench_close_burst(bu, gap_ms, now);
		if (want_bursts > 0 && bu->n >= want_bursts && !bu->open)
			return 0;
		if (now >= deadline)
			return 0;
		if (bu->open && bu->last_ms + gap_ms < until)
			until = bu->last_ms + gap_ms;
		timeout = (int)(until - now) + 1;
		if (poll(&pfd, 1, timeout) == -1) {
			if (errno == EINTR)
				continue;
			bench_fail("poll");
		}
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    bench_read(m, bu) == -1)
			return -1;
	}
}

static void
bench_write(int m, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(m, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_fail("writing keys to the terminal");
		s += n;
		len -= (size_t)n;
	}
}

/* Type key, and read until answer has come (60 s at most, the program
 * may be busy with a refresh).  Prints "key", the ms to the answer's
 * first byte and to the read that completed answer. */
static void
bench_key(int m, struct bursts *bu, int gap_ms, const char *key,
    const char *answer, const char *label)
{
	double t0, deadline;
	char *hit = NULL;

	bu->seen = malloc(BENCH_FIRST_MAX);
	if (bu->seen == NULL)
		bench_fail("malloc");
	bu->nseen = 0;
	t0 = bench_now_ms();
	deadline = t0 + 60000;
	bench_write(m, key);
	while (hit == NULL && bench_now_ms() < deadline) {
		if (bench_pump(m, bu, gap_ms, bench_now_ms() + 10, 0) == -1)
			bench_fail("%s ended after the key", label);
		hit = memmem(bu->seen, bu->nseen, answer, strlen(answer));
	}
	if (hit == NULL) {
		errno = 0;
		bench_fail("%s: \"%s\" did not come within 60 s", label,
		    answer);
	}
	printf("key %s: first byte after %.1f ms, \"%s\" after %.1f ms\n",
	    label, bu->seen_first_ms - t0, answer, bu->last_ms - t0);
	printf("keyrow %s %.1f %.1f\n", label, bu->seen_first_ms - t0,
	    bu->last_ms - t0);
	free(bu->seen);
	bu->seen = NULL;
	/* Let the answer's burst end, so it is no refresh of the window. */
	bench_pump(m, bu, gap_ms, bench_now_ms() + 5000, bu->n +
	    (bu->open ? 1 : 0));
}

/* VmRSS and VmHWM of pid (kB), or -1. */
static void
bench_mem(pid_t pid, long *rss, long *hwm)
{
	char path[64], line[256];
	FILE *fp;

	*rss = *hwm = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		sscanf(line, "VmRSS: %ld", rss);
		sscanf(line, "VmHWM: %ld", hwm);
	}
	fclose(fp);
}

static int
bench_run_pty(const struct bench *b)
{
	static struct bursts bu;
	struct usage u0, u1;
	long *sizes, total = 0;
	double t0, deadline, hz = (double)sysconf(_SC_CLK_TCK), spawn_ms;
	long rss, hwm;
	int m, i, n, status = 0, reaped;
	pid_t pid;

	bu.capture = b->capture;
	bu.expect = b->expect;
	bu.first = malloc(BENCH_FIRST_MAX);
	if (bu.first == NULL)
		bench_fail("malloc");
	spawn_ms = bench_now_ms();
	m = bench_spawn_pty(b, &pid);

	/* Warm-up: the first paint and the first updates after it. */
	if (b->key1 != NULL) {
		if (bench_pump(m, &bu, b->gap_ms, bench_now_ms() + 600000,
		    1) == -1 || bu.n < 1)
			bench_fail("%s: no first paint", b->argv[0]);
		bench_key(m, &bu, b->gap_ms, b->key1, b->answer1, "first");
	}
	if (bench_pump(m, &bu, b->gap_ms, bench_now_ms() + 60000 +
	    b->warmup * 15000.0, b->warmup) == -1 || bu.n < b->warmup)
		bench_fail("%s: %d of %d screen updates before it %s",
		    b->argv[0], bu.n, b->warmup, bu.n < b->warmup ?
		    "timed out or ended" : "ended");
	if (bu.nfirst == 0)
		bench_fail("%s: no first paint", b->argv[0]);
	if (b->expect != NULL &&
	    memmem(bu.first, bu.nfirst, b->expect, strlen(b->expect)) == NULL) {
		errno = 0;
		bench_fail("%s: \"%s\" is not in the first paint (%zu bytes)",
		    b->argv[0], b->expect, bu.nfirst);
	}
	if (b->keys != NULL) {
		bench_write(m, b->keys);
		if (bench_pump(m, &bu, b->gap_ms, bench_now_ms() +
		    BENCH_SETTLE_MS, 0) == -1)
			bench_fail("%s ended after the keys", b->argv[0]);
	}

	/* The window. */
	n = bu.n;
	if (bench_read_usage(pid, &u0) == -1)
		bench_fail("reading /proc/%ld", (long)pid);
	t0 = u0.ms;
	deadline = t0 + b->seconds * 1000;
	if (bench_pump(m, &bu, b->gap_ms, deadline, 0) == -1)
		bench_fail("%s ended in the window", b->argv[0]);
	if (bench_read_usage(pid, &u1) == -1)
		bench_fail("reading /proc/%ld", (long)pid);
	bench_mem(pid, &rss, &hwm);
	/* A burst that started in the window counts when it ends. */
	bench_pump(m, &bu, b->gap_ms, bench_now_ms() + 5000, bu.n +
	    (bu.open ? 1 : 0));
	if (b->key2 != NULL)
		bench_key(m, &bu, b->gap_ms, b->key2, b->answer2, "later");

	/* Out: 'q', then a signal if it will not go. */
	bench_write(m, "q");
	reaped = 0;
	deadline = bench_now_ms() + BENCH_EXIT_MS;
	while (!reaped && bench_now_ms() < deadline) {
		/* After EIO the master only hangs up: just wait. */
		if (bench_pump(m, &bu, b->gap_ms, bench_now_ms() + 100, 0) ==
		    -1)
			poll(NULL, 0, 10);
		reaped = waitpid(pid, &status, WNOHANG) == pid;
	}
	if (!reaped) {
		kill(pid, SIGTERM);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	close(m);

	sizes = calloc((size_t)(bu.n - n) + 1, sizeof *sizes);
	if (sizes == NULL)
		bench_fail("calloc");
	for (i = n; i < bu.n; i++) {
		if (bu.start_ms[i] > u1.ms)
			break;
		sizes[i - n] = bu.bytes[i];
		total += bu.bytes[i];
	}
	n = i - n;
	qsort(sizes, (size_t)n, sizeof *sizes, bench_cmp_long);
	printf("first paint %ld bytes\n", bu.bytes[0]);
	printf("%d updates in %.1f s: median %ld, max %ld, %ld bytes in "
	    "all\n", n, (u1.ms - u0.ms) / 1e3, n > 0 ? sizes[(n - 1) / 2] : 0,
	    n > 0 ? sizes[n - 1] : 0, total);
	printf("cpu %llu ticks (%.0f Hz) in %.2f s: %.2f%% of one core; "
	    "%ld wakeups\n", u1.ticks - u0.ticks, hz, (u1.ms - u0.ms) / 1e3,
	    (double)(u1.ticks - u0.ticks) / hz * 1e5 / (u1.ms - u0.ms),
	    u1.vcsw - u0.vcsw);
	printf("times %.3f %.3f %.3f (monotonic ms: start, first paint's "
	    "first and last byte)\n", spawn_ms, bu.start_ms[0],
	    bu.first_end_ms);
	printf("mem %ld %ld (VmRSS, VmHWM kB at the window's end)\n", rss,
	    hwm);
	printf("row %ld %d %ld %ld %ld %.2f %ld %.1f\n", bu.bytes[0], n,
	    n > 0 ? sizes[(n - 1) / 2] : 0, n > 0 ? sizes[n - 1] : 0, total,
	    (double)(u1.ticks - u0.ticks) / hz * 1e5 / (u1.ms - u0.ms),
	    u1.vcsw - u0.vcsw, (u1.ms - u0.ms) / 1e3);
	if (n > 0) {
		printf("sizes");
		for (i = 0; i < n; i++)
			printf(" %ld", sizes[i]);
		printf("\n");
	}
	free(sizes);
	free(bu.first);
	errno = 0;
	if (!reaped)
		bench_fail("%s did not quit on 'q'", b->argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_fail("%s ended with status %#x", b->argv[0], status);
	return 0;
}

static double
bench_rusage_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
	    ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* Run argv once a second for the window, as `watch` would. */
static int
bench_run_repeat(const struct bench *b)
{
	posix_spawn_file_actions_t fa;
	double t0 = bench_now_ms(), next = t0, c0 = bench_rusage_ms(), c1;
	double *runs;
	int n = 0, max = (int)b->seconds + 1, status;
	pid_t pid;

	runs = calloc((size_t)max, sizeof *runs);
	if (runs == NULL)
		bench_fail("calloc");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* A run slower than a second starts the next at once, and the
	 * window ends on the clock, not on the count of runs. */
	while (n < max && next < t0 + b->seconds * 1000 &&
	    bench_now_ms() < t0 + b->seconds * 1000) {
		struct timespec ts;
		double before = bench_rusage_ms();
		int e;

		if ((e = posix_spawnp(&pid, b->argv[0], &fa, NULL, b->argv,
		    environ)) != 0) {
			errno = e;
			bench_fail("%s", b->argv[0]);
		}
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR)
				bench_fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			errno = 0;
			bench_fail("%s failed", b->argv[0]);
		}
		runs[n++] = bench_rusage_ms() - before;
		next += 1000;
		ts.tv_sec = (time_t)((next - bench_now_ms()) / 1e3);
		ts.tv_nsec = (long)(((next - bench_now_ms()) -
		    ts.tv_sec * 1e3) * 1e6);
		if (ts.tv_sec >= 0 && ts.tv_nsec > 0)
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
	}
	c1 = bench_rusage_ms();
	qsort(runs, (size_t)n, sizeof *runs, bench_cmp_double);
	printf("%d runs of %s in %.1f s: %.1f ms CPU (median %.2f ms): "
	    "%.2f%% of one core\n", n, b->argv[0],
	    (bench_now_ms() - t0) / 1e3, c1 - c0, runs[(n - 1) / 2],
	    (c1 - c0) * 100 / (bench_now_ms() - t0));
	printf("row %d %.2f %.2f %.1f\n", n, (c1 - c0) * 100 /
	    (bench_now_ms() - t0), runs[(n - 1) / 2],
	    (bench_now_ms() - t0) / 1e3);
	posix_spawn_file_actions_destroy(&fa);
	free(runs);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct bench b = { 80, 24, 4, 250, 0, 30, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL };
	int ch;

	while ((ch = getopt(argc, argv, "+c:l:w:k:s:g:x:o:r1:2:A:B:")) !=
	    -1) {
		switch (ch) {
		case '1':
			b.key1 = optarg;
			break;
		case '2':
			b.key2 = optarg;
			break;
		case 'A':
			b.answer1 = optarg;
			break;
		case 'B':
			b.answer2 = optarg;
			break;
		case 'c':
			b.cols = (int)bench_number(optarg, 20, 1000);
			break;
		case 'l':
			b.lines = (int)bench_number(optarg, 5, 1000);
			break;
		case 'w':
			b.warmup = (int)bench_number(optarg, 1, 1000);
			break;
		case 'k':
			b.keys = optarg;
			break;
		case 's':
			b.seconds = (double)bench_number(optarg, 1, 3600);
			break;
		case 'g':
			b.gap_ms = (int)bench_number(optarg, 10, 10000);
			break;
		case 'x':
			b.expect = optarg;
			break;
		case 'o':
			if ((b.capture = fopen(optarg, "w")) == NULL)
				bench_fail("%s", optarg);
			break;
		case 'r':
			b.repeat = 1;
			break;
		default:
			bench_usage();
		}
	}
	if (optind >= argc || (b.key1 == NULL) != (b.answer1 == NULL) ||
	    (b.key2 == NULL) != (b.answer2 == NULL))
		bench_usage();
	b.argv = argv + optind;
	signal(SIGPIPE, SIG_IGN);
	return b.repeat ? bench_run_repeat(&b) : bench_run_pty(&b);
}
