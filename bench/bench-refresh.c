/*
 * bench-refresh: what one tcptop refresh costs, next to the bare
 * sock_diag dump it rests on and to ss and netstat.
 *
 * usage: bench-refresh [-n SOCKETS] [-r ROUNDS] [-w WARMUP]
 *        bench-refresh -l SECONDS
 *
 * The second form is the polling floor of bench/scale: the bare dump
 * below (floor), once a second for SECONDS, nothing else in the process;
 * it prints its CPU (user + sys from getrusage, % of one core over the
 * window), the median wall and CPU time of one dump and the sockets the
 * last one saw, then "row" with the same: dumps, CPU %, median wall ms,
 * median CPU ms, sockets, window (s).
 *
 * Run it in the namespace whose sockets it should count (bench/refresh
 * builds one and runs this with ip netns exec).  After WARMUP refreshes
 * (default 3) it times ROUNDS rounds (default 15) of these nine, the
 * in-process ones (and one more, below) taking turns at going first:
 *
 *	tcptop		one refresh in this process, as app.c does it: dump
 *			with tcp_info and congestion, parse, conntab update
 *			and end of scan, view_build sorted by state
 *	floor		the least any tool can do: one libmnl sock_diag dump
 *			per family asking for the same attributes, 32 KiB
 *			receive buffer, messages counted, nothing parsed
 *	tcptop+proc	one refresh as above, then proc_update with a warm
 *			cache (the steady state: nothing new to look for)
 *	proc rescan	a forced full /proc rescan (proc_rescan), what a
 *			refresh with a new socket adds
 *	churn		one refresh and proc_update right after the owner of
 *			three sockets changed: a process holding a loopback
 *			listener and a connection's two ends forks and
 *			exits, handing them to its child, every round (the
 *			owner check misses, and proc_update rescans)
 *	ss -tan, ss -tani, netstat -nat, ss -tanp
 *			spawned with stdout on /dev/null
 *
 * and prints per contender the median and minimum wall time and the
 * median CPU time (user + sys, of this process or of the child).  Each
 * round also times the phases of the tcptop refresh and one more
 * diag_dump into a sink that keeps nothing, which tells the parse from
 * the model.  The memory figure is tcptop's resident growth from before
 * conntab_new to the end of the run, per live row (the process cache
 * included); the cache's own share is the growth across its first
 * rescan.  With -n it checks
 * that every dump saw SOCKETS sockets (and the churn case's three), and
 * exits 3 if one did not.
 *
 * The last line is for bench/refresh's table: "row", the sockets, the
 * wall medians of the five contenders (ms), tcptop/floor, tcptop/ss
 * -tani, bytes per socket, the three verdicts (PASS, MISS or n/a below
 * 10k sockets), "ok" or "count!", the five CPU medians, and the phase
 * medians: dump into the conntab, conntab_end_scan, view_build, dump
 * into nothing; then the wall medians of tcptop+proc, proc rescan and
 * ss -tanp, tcptop+proc/ss -tanp, its verdict, the three CPU medians and
 * the process cache's bytes per socket; then the churn case's wall
 * median, churn/ss -tanp, its verdict (the same target) and its CPU
 * median.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "tcptop/field.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/filter.h"
#include "tcptop/proc.h"
#include "tcptop/sort.h"
#include "tcptop/view.h"

/* The targets of the issue, checked at 10k sockets and more. */
#define BENCH_TARGET_MIN_SOCKETS 10000
#define BENCH_TARGET_FLOOR	1.3	/* tcptop / floor, at most */
#define BENCH_TARGET_SS		0.5	/* tcptop / ss -tani, at most */
#define BENCH_TARGET_BYTES	400.0	/* resident bytes per socket */
#define BENCH_TARGET_SSP	0.5	/* tcptop+proc / ss -tanp, at most */

#define BENCH_CHURN_SOCKETS	3	/* the churn case's, on loopback */
#define BENCH_FLOOR_BUF		32768
#define BENCH_MAX_ROUNDS	1000

extern char **environ;

/* The in-process contenders first, then the spawned ones. */
enum {
	C_TCPTOP,
	C_FLOOR,
	C_PROC,
	C_RESCAN,
	C_CHURN,
	C_SS,
	C_SSI,
	C_NETSTAT,
	C_SSP,
	C_COUNT
};

/* The phases of a tcptop refresh, and the dump alone. */
enum {
	P_DUMP,
	P_END,
	P_VIEW,
	P_DIAG,
	P_COUNT
};

static const char *const bench_names[C_COUNT] = {
	"tcptop refresh", "floor (libmnl)", "tcptop+proc", "proc rescan",
	"churn", "ss -tan", "ss -tani", "netstat -nat", "ss -tanp"
};

/* posix_spawn wants char *const argv[]: writable strings. */
static char bench_ss[] = "ss", bench_tan[] = "-tan", bench_tani[] = "-tani";
static char bench_netstat[] = "netstat", bench_nat[] = "-nat";
static char bench_tanp[] = "-tanp";
static char *const bench_argv[C_COUNT][3] = {
	[C_SS] = { bench_ss, bench_tan, NULL },
	[C_SSI] = { bench_ss, bench_tani, NULL },
	[C_NETSTAT] = { bench_netstat, bench_nat, NULL },
	[C_SSP] = { bench_ss, bench_tanp, NULL },
};

/* The bare dump: its own socket and buffer, no tcptop code. */
struct floor {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char *buf;
	unsigned long states[16];	/* sockets per TCP state, last dump */
};

/* tcptop as app.c runs it. */
struct top {
	struct diag *d;
	struct conntab *tab;
	struct view v;
	struct filter f;
	struct conntab_feed feed;
	struct proc *proc;
	double dump_ms;		/* the last refresh, phase by phase */
	double end_ms;
	double view_ms;
};

struct sample {
	double wall_ms;
	double cpu_ms;
};

/* The churn case: the process holding its sockets, and the pipes that
 * tell it to hop (fork, and exit in the parent) and say the new pid. */
struct churn {
	pid_t pid;
	int ctl;
	int ack;
};

static void __attribute__((noreturn))
bench_usage(void)
{
	fprintf(stderr, "usage: bench-refresh [-n SOCKETS] [-r ROUNDS] "
	    "[-w WARMUP]\n"
	    "       bench-refresh -l SECONDS\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bench_fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "bench-refresh: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
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

static double
bench_tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

static double
bench_self_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return bench_tv_ms(&ru.ru_utime) + bench_tv_ms(&ru.ru_stime);
}

/* Resident bytes of this process, from /proc/self/statm. */
static long
bench_rss(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	long size, resident;

	if (fp == NULL)
		bench_fatal("/proc/self/statm");
	if (fscanf(fp, "%ld %ld", &size, &resident) != 2)
		bench_fatal("/proc/self/statm: unreadable");
	fclose(fp);
	return resident * sysconf(_SC_PAGESIZE);
}

static void
floor_open(struct floor *fl)
{
	fl->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (fl->nl == NULL)
		bench_fatal("floor: sock_diag socket");
	if (mnl_socket_bind(fl->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		bench_fatal("floor: bind");
	fl->portid = mnl_socket_get_portid(fl->nl);
	fl->seq = (unsigned)time(NULL);
	/* Touched now, so it is in the memory baseline. */
	fl->buf = calloc(1, BENCH_FLOOR_BUF);
	if (fl->buf == NULL)
		bench_fatal("floor: calloc");
}

/* Dump one family, counting messages and their states.  Returns the
 * count or -1. */
static long
floor_family(struct floor *fl, int family)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	long count = 0;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++fl->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = 0xfff;	/* every state, as ss -a */
	r->idiag_ext = 1U << (INET_DIAG_INFO - 1) |
	    1U << (INET_DIAG_CONG - 1);
	if (mnl_socket_sendto(fl->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(fl->nl, fl->buf,
		    BENCH_FLOOR_BUF);
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		left = (int)n;
		for (nlh = (struct nlmsghdr *)fl->buf;
		    mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct inet_diag_msg *m;

			if (nlh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				errno = EPROTO;
				return -1;
			}
			/* The state byte is all the floor reads. */
			m = mnl_nlmsg_get_payload(nlh);
			fl->states[m->idiag_state & 15]++;
			count++;
		}
	}
}

static long
floor_dump(struct floor *fl)
{
	long n4, n6;

	memset(fl->states, 0, sizeof fl->states);
	if ((n4 = floor_family(fl, AF_INET)) == -1 ||
	    (n6 = floor_family(fl, AF_INET6)) == -1)
		bench_fatal("floor: dump");
	return n4 + n6;
}

/* The sink of app.c: the first begin() starts the scan, a later one
 * (the dump restarted) forgets the partial pass. */
static void
top_nop_begin(void *arg)
{
	(void)arg;
}

static void
top_nop_sample(void *arg, const struct conn_sample *s)
{
	(void)arg;
	(void)s;
}

/* The dump and parse alone: diag.c into a sink that keeps nothing. */
static void
top_dump_only(struct top *t)
{
	struct diag_sink nop = { top_nop_begin, top_nop_sample, NULL };
	struct diag_query q = { &t->f, 1, 0 };

	if (diag_dump(t->d, &q, &nop) == -1)
		bench_fatal("tcptop: diag_dump: %s", diag_last_error(t->d));
}

/* Open the socket and run one dump into nothing: the receive buffer
 * and the parser's pages are then in the baseline, not in the model. */
static void
top_open(struct top *t)
{
	memset(t, 0, sizeof *t);
	filter_init(&t->f);
	t->d = diag_open();
	if (t->d == NULL)
		bench_fatal("tcptop: diag_open");
	top_dump_only(t);
}

/* One refresh, everything but the drawing. */
static void
top_refresh(struct top *t)
{
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &t->feed };
	struct diag_query q = { &t->f, 1, 0 };
	double t0, t1, t2;

	t->feed.tab = t->tab;
	t->feed.mono_ns = &diag_last_stats(t->d)->mono_ns;
	t->feed.begun = 0;
	t0 = bench_now_ms();
	if (diag_dump(t->d, &q, &sink) == -1)
		bench_fatal("tcptop: diag_dump: %s", diag_last_error(t->d));
	t1 = bench_now_ms();
	conntab_end_scan(t->tab);
	t2 = bench_now_ms();
	view_build(&t->v, t->tab, &t->f, FIELD_STATE, 0, 0, NULL);
	t->view_ms = bench_now_ms() - t2;
	t->end_ms = t2 - t1;
	t->dump_ms = t1 - t0;
}

/* Spawn argv with stdout on /dev/null and wait; the child's own rusage
 * comes back from wait4. */
static void
bench_spawn(char *const argv[], struct sample *sm)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0;
	pid_t pid;
	int st, e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	t0 = bench_now_ms();
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (e != 0) {
		errno = e;
		bench_fatal("spawn %s", argv[0]);
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR)
			bench_fatal("wait4 %s", argv[0]);
	sm->wall_ms = bench_now_ms() - t0;
	sm->cpu_ms = bench_tv_ms(&ru.ru_utime) + bench_tv_ms(&ru.ru_stime);
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = 0;
		fprintf(stderr, "bench-refresh: %s %s failed (status %d)\n",
		    argv[0], argv[1], st);
		exit(1);
	}
}

/* The churner: on each byte, fork; the child carries on, the parent
 * says the child's pid and exits. */
static void __attribute__((noreturn))
churn_loop(int ctl, int ack)
{
	pid_t kid;
	char ch;

	prctl(PR_SET_NAME, "bench-churn");
	while (read(ctl, &ch, 1) == 1) {
		if ((kid = fork()) == -1)
			_exit(1);
		if (kid == 0)
			continue;
		if (write(ack, &kid, sizeof kid) != sizeof kid)
			_exit(1);
		_exit(0);
	}
	_exit(0);
}

/* A loopback listener and a connection's two ends, held by a churner
 * child; this process keeps no copy, and reaps every churner (the
 * grandchildren come to it as their parents exit). */
static void
churn_start(struct churn *ch)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int lfd, cfd, afd, ctl[2], ack[2];

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		bench_fatal("PR_SET_CHILD_SUBREAPER");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) == -1 ||
	    (cfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(cfd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    (afd = accept(lfd, NULL, NULL)) == -1)
		bench_fatal("churn: loopback sockets (is lo up?)");
	if (pipe(ctl) == -1 || pipe(ack) == -1)
		bench_fatal("pipe");
	if ((ch->pid = fork()) == -1)
		bench_fatal("fork");
	if (ch->pid == 0) {
		close(ctl[1]);
		close(ack[0]);
		churn_loop(ctl[0], ack[1]);
	}
	close(lfd), close(cfd), close(afd);
	close(ctl[0]), close(ack[1]);
	ch->ctl = ctl[1];
	ch->ack = ack[0];
}

/* The sockets' owner forks and exits; returns when it is reaped. */
static void
churn_hop(struct churn *ch)
{
	pid_t kid;

	if (write(ch->ctl, "f", 1) != 1 ||
	    read(ch->ack, &kid, sizeof kid) != sizeof kid)
		bench_fatal("churn: the churner did not answer");
	while (waitpid(ch->pid, NULL, 0) == -1)
		if (errno != EINTR)
			bench_fatal("waitpid churner");
	ch->pid = kid;
}

static void
churn_stop(struct churn *ch)
{
	close(ch->ctl);		/* the churner reads EOF and exits */
	close(ch->ack);
	while (waitpid(ch->pid, NULL, 0) == -1 && errno == EINTR)
		;
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *
bench_verdict(int applies, double value, double target)
{
	if (!applies)
		return "n/a";
	return value <= target ? "PASS" : "MISS";
}

/* -l: the floor once a second, as a polling tool would run. */
static int
floor_loop(long seconds)
{
	static double wall[3601], cpu[3601];
	struct floor fl;
	double t0, c0, next, w0, u0;
	long got = 0;
	int n = 0;

	memset(&fl, 0, sizeof fl);
	floor_open(&fl);
	t0 = next = bench_now_ms();
	c0 = bench_self_cpu_ms();
	while (n <= seconds && next < t0 + seconds * 1000.0 &&
	    bench_now_ms() < t0 + seconds * 1000.0) {
		struct timespec ts;
		double left;

		w0 = bench_now_ms();
		u0 = bench_self_cpu_ms();
		got = floor_dump(&fl);
		wall[n] = bench_now_ms() - w0;
		cpu[n] = bench_self_cpu_ms() - u0;
		n++;
		next += 1000;
		left = next - bench_now_ms();
		if (left <= 0)
			continue;	/* slower than once a second */
		ts.tv_sec = (time_t)(left / 1e3);
		ts.tv_nsec = (long)((left - ts.tv_sec * 1e3) * 1e6);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	t0 = bench_now_ms() - t0;
	c0 = bench_self_cpu_ms() - c0;
	qsort(wall, (size_t)n, sizeof *wall, bench_cmp_double);
	qsort(cpu, (size_t)n, sizeof *cpu, bench_cmp_double);
	printf("%d floor dumps in %.1f s: %.1f ms CPU, %.2f%% of one core; "
	    "a dump: median %.2f ms wall, %.2f ms CPU; %ld sockets\n", n,
	    t0 / 1e3, c0, c0 * 100 / t0, wall[(n - 1) / 2], cpu[(n - 1) / 2],
	    got);
	printf("row %d %.2f %.2f %.2f %ld %.1f\n", n, c0 * 100 / t0,
	    wall[(n - 1) / 2], cpu[(n - 1) / 2], got, t0 / 1e3);
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct sample sm[BENCH_MAX_ROUNDS][C_COUNT];
	static double ph[P_COUNT][BENCH_MAX_ROUNDS];
	static const char *const stname[12] = { "?", "ESTAB", "SYN-SENT",
	    "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE",
	    "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING" };
	double wall[BENCH_MAX_ROUNDS], cpu[BENCH_MAX_ROUNDS];
	double med[C_COUNT], min[C_COUNT], cmed[C_COUNT], pmed[P_COUNT];
	struct floor fl;
	struct top top;
	struct churn churn;
	long expect = 0, rounds = 15, warmup = 3, rss0, rss1, rss2, rssp;
	long dmin = -1, dmax = -1, lmin = -1, lmax = -1;
	double t0, c0, bps, pbps, start;
	int ch, i, r, c, applies, bad;

	while ((ch = getopt(argc, argv, "n:r:w:l:")) != -1) {
		switch (ch) {
		case 'l':
			return floor_loop(bench_number(optarg, 1, 3600));
		case 'n':
			expect = bench_number(optarg, 0, 10000000);
			break;
		case 'r':
			rounds = bench_number(optarg, 1, BENCH_MAX_ROUNDS);
			break;
		case 'w':
			warmup = bench_number(optarg, 1, 1000);
			break;
		default:
			bench_usage();
		}
	}
	if (optind != argc)
		bench_usage();
	start = bench_now_ms();

	/* Everything but the model exists before the baseline, even what
	 * posix_spawn leaves behind. */
	memset(&fl, 0, sizeof fl);
	floor_open(&fl);
	floor_dump(&fl);
	top_open(&top);
	churn_start(&churn);
	/* Each command once, so none pays for a cold page cache. */
	for (c = C_SS; c < C_COUNT; c++)
		bench_spawn(bench_argv[c], &sm[0][c]);
	rss0 = bench_rss();

	top.tab = conntab_new(3000);
	view_init(&top.v);
	for (i = 0; i < warmup; i++)
		top_refresh(&top);
	/* The process cache's share: its first rescan, warm from then on. */
	rssp = bench_rss();
	top.proc = proc_new();
	proc_update(top.proc, top.tab);
	rssp = bench_rss() - rssp;
	rss1 = bench_rss();

	for (r = 0; r < rounds; r++) {
		long n;
		int k;

		/* The in-process six take turns at going first, after
		 * the commands of the last round have cooled the caches. */
		for (k = 0; k < 6; k++) {
			switch ((k + r) % 6) {
			case 0:
				t0 = bench_now_ms();
				c0 = bench_self_cpu_ms();
				top_refresh(&top);
				sm[r][C_TCPTOP].wall_ms = bench_now_ms() - t0;
				sm[r][C_TCPTOP].cpu_ms = bench_self_cpu_ms() -
				    c0;
				ph[P_DUMP][r] = top.dump_ms;
				ph[P_END][r] = top.end_ms;
				ph[P_VIEW][r] = top.view_ms;
				n = (long)conntab_live(top.tab);
				if (lmin == -1 || n < lmin)
					lmin = n;
				if (n > lmax)
					lmax = n;
				break;
			case 1:
				t0 = bench_now_ms();
				c0 = bench_self_cpu_ms();
				n = floor_dump(&fl);
				sm[r][C_FLOOR].wall_ms = bench_now_ms() - t0;
				sm[r][C_FLOOR].cpu_ms = bench_self_cpu_ms() -
				    c0;
				if (dmin == -1 || n < dmin)
					dmin = n;
				if (n > dmax)
					dmax = n;
				break;
			case 2:
				t0 = bench_now_ms();
				top_dump_only(&top);
				ph[P_DIAG][r] = bench_now_ms() - t0;
				break;
			case 3:
				t0 = bench_now_ms();
				c0 = bench_self_cpu_ms();
				top_refresh(&top);
				proc_update(top.proc, top.tab);
				sm[r][C_PROC].wall_ms = bench_now_ms() - t0;
				sm[r][C_PROC].cpu_ms = bench_self_cpu_ms() - c0;
				break;
			case 4:
				t0 = bench_now_ms();
				c0 = bench_self_cpu_ms();
				proc_rescan(top.proc, top.tab);
				sm[r][C_RESCAN].wall_ms = bench_now_ms() - t0;
				sm[r][C_RESCAN].cpu_ms = bench_self_cpu_ms() -
				    c0;
				break;
			case 5:
				churn_hop(&churn);
				t0 = bench_now_ms();
				c0 = bench_self_cpu_ms();
				top_refresh(&top);
				proc_update(top.proc, top.tab);
				sm[r][C_CHURN].wall_ms = bench_now_ms() - t0;
				sm[r][C_CHURN].cpu_ms = bench_self_cpu_ms() - c0;
				break;
			}
		}
		for (c = C_SS; c < C_COUNT; c++)
			bench_spawn(bench_argv[c], &sm[r][c]);
	}
	rss2 = bench_rss();

	for (c = 0; c < C_COUNT; c++) {
		for (r = 0; r < rounds; r++) {
			wall[r] = sm[r][c].wall_ms;
			cpu[r] = sm[r][c].cpu_ms;
		}
		med[c] = bench_median(wall, (int)rounds);
		min[c] = wall[0];
		cmed[c] = bench_median(cpu, (int)rounds);
	}
	for (i = 0; i < P_COUNT; i++)
		pmed[i] = bench_median(ph[i], (int)rounds);
	bps = lmax > 0 ? (double)(rss2 - rss0) / (double)lmax : 0;
	pbps = lmax > 0 ? (double)rssp / (double)lmax : 0;
	/* The churn case's sockets are not the population's. */
	dmin -= BENCH_CHURN_SOCKETS, dmax -= BENCH_CHURN_SOCKETS;
	lmin -= BENCH_CHURN_SOCKETS, lmax -= BENCH_CHURN_SOCKETS;
	bad = expect > 0 && (dmin != expect || dmax != expect ||
	    lmin != expect || lmax != expect);

	printf("%ld sockets expected; last floor dump:", expect);
	for (i = 1; i < 12; i++)
		if (fl.states[i] > 0)
			printf(" %s %lu", stname[i], fl.states[i]);
	printf("\n");
	printf("dumped per round: floor %ld..%ld, tcptop live rows "
	    "%ld..%ld%s\n", dmin, dmax, lmin, lmax, bad ?
	    "  ** NOT THE EXPECTED POPULATION **" : "");
	printf("%ld rounds after %ld warm-up refreshes, %.1f s in all\n",
	    rounds, warmup, (bench_now_ms() - start) / 1e3);
	printf("  %-16s %12s %12s %12s\n", "", "wall median", "wall min",
	    "cpu median");
	for (c = 0; c < C_COUNT; c++)
		printf("  %-16s %9.2f ms %9.2f ms %9.2f ms\n", bench_names[c],
		    med[c], min[c], cmed[c]);
	printf("tcptop refresh by phase (wall medians): diag_dump into "
	    "the conntab %.2f ms,\n  conntab_end_scan %.2f ms, view_build "
	    "%.2f ms; diag_dump into a no-op sink %.2f ms\n", pmed[P_DUMP],
	    pmed[P_END], pmed[P_VIEW], pmed[P_DIAG]);
	printf("tcptop RSS: %ld KiB before the table, %ld KiB after "
	    "warm-up, %ld KiB at the end: %.0f bytes/socket\n",
	    rss0 / 1024, rss1 / 1024, rss2 / 1024, bps);
	printf("process attribution: %lu rescans (%ld forced, %ld after a "
	    "hop), cache %.0f bytes/socket of those;\n  tcptop+proc / ss "
	    "-tanp %.2f, churn / ss -tanp %.2f\n", proc_rescans(top.proc),
	    rounds, rounds, pbps, med[C_PROC] / med[C_SSP],
	    med[C_CHURN] / med[C_SSP]);

	applies = lmax >= BENCH_TARGET_MIN_SOCKETS;
	/* The original five first, so the row's fields keep their
	 * places. */
	printf("row %ld %.2f %.2f %.2f %.2f %.2f", lmax, med[C_TCPTOP],
	    med[C_FLOOR], med[C_SS], med[C_SSI], med[C_NETSTAT]);
	printf(" %.2f %.2f %.0f %s %s %s %s", med[C_TCPTOP] / med[C_FLOOR],
	    med[C_TCPTOP] / med[C_SSI], bps,
	    bench_verdict(applies, med[C_TCPTOP] / med[C_FLOOR],
	    BENCH_TARGET_FLOOR),
	    bench_verdict(applies, med[C_TCPTOP] / med[C_SSI],
	    BENCH_TARGET_SS),
	    bench_verdict(applies, bps, BENCH_TARGET_BYTES),
	    bad ? "count!" : "ok");
	printf(" %.2f %.2f %.2f %.2f %.2f", cmed[C_TCPTOP], cmed[C_FLOOR],
	    cmed[C_SS], cmed[C_SSI], cmed[C_NETSTAT]);
	for (i = 0; i < P_COUNT; i++)
		printf(" %.2f", pmed[i]);
	printf(" %.2f %.2f %.2f %.2f %s %.2f %.2f %.2f %.0f", med[C_PROC],
	    med[C_RESCAN], med[C_SSP], med[C_PROC] / med[C_SSP],
	    bench_verdict(applies, med[C_PROC] / med[C_SSP],
	    BENCH_TARGET_SSP), cmed[C_PROC], cmed[C_RESCAN], cmed[C_SSP],
	    pbps);
	printf(" %.2f %.2f %s %.2f\n", med[C_CHURN], med[C_CHURN] / med[C_SSP],
	    bench_verdict(applies, med[C_CHURN] / med[C_SSP],
	    BENCH_TARGET_SSP), cmed[C_CHURN]);

	churn_stop(&churn);
	view_done(&top.v);
	proc_free(top.proc);
	conntab_free(top.tab);
	diag_close(top.d);
	mnl_socket_close(fl.nl);
	free(fl.buf);
	return bad ? 3 : 0;
}
