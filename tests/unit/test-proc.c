/* Process attribution on real loopback sockets (no root needed): this
 * process's sockets are attributed to getpid() with its comm and user,
 * the cache answers a steady refresh without a rescan, a new socket
 * costs exactly one, inode 0 is "none", an inode nobody holds is
 * "hidden" (and looked for only once), names are sanitized, and a
 * closed connection's row keeps the owner it had, also when that process
 * has exited; a socket waiting in our accept queue is queued, ours; an
 * inode no process holds is in flight as root, after a second look; a
 * listener handed to a grandchild by a fork whose process exits is
 * named again at the next refresh; async, a refresh only begins the
 * walk, its rows pending until proc_step ends it. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/filter.h"
#include "tcptop/proc.h"
#include "tcptop/tcpstate.h"
#include "tcptop/view.h"

static unsigned port;
static unsigned port2;		/* the exiting child's, 0 until then */

/* A fake row: one the dump does not carry (port 1, 192.0.2.1). */
static struct conn_sample fake;

/* One refresh of the test's ports: a full dump (states TCPSTATE_ALL),
 * or one of some states only, as the model from events makes them,
 * every other row kept as it was, not sampled again. */
static void
refresh_states(struct diag *d, struct conntab *t, struct proc *p,
    int with_fake, uint32_t states)
{
	struct conntab_feed feed = { t, &diag_last_stats(d)->mono_ns, 0 };
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &feed };
	struct filter f;
	struct diag_query q = { &f, 1, 0 };
	char spec[16], err[64];

	filter_init(&f);
	if (port2 != 0)
		snprintf(spec, sizeof spec, "%u,%u", port, port2);
	else
		snprintf(spec, sizeof spec, "%u", port);
	CHECK(filter_parse_ports(&f, spec, err, sizeof err) == 0);
	f.states = states;
	CHECK(diag_dump(d, &q, &sink) == 0);
	if (with_fake)
		conntab_update(t, &fake);
	if (states != TCPSTATE_ALL)
		conntab_scan_states(t, states);
	conntab_end_scan(t);
	proc_update(p, t);
}

static void
refresh(struct diag *d, struct conntab *t, struct proc *p, int with_fake)
{
	refresh_states(d, t, p, with_fake, TCPSTATE_ALL);
}

/* The live row of a listener on lport, refreshing until it shows (a
 * child listens when it gets there), or NULL after about 2 s. */
static const struct conn *
wait_listener(struct diag *d, struct conntab *t, struct proc *p,
    uint16_t lport)
{
	struct conn *const *rows;
	size_t n, k;
	int i;

	for (i = 0; i < 200; i++) {
		refresh(d, t, p, 0);
		rows = conntab_rows(t, &n);
		for (k = 0; k < n; k++)
			if (rows[k]->s.lport == lport &&
			    !(rows[k]->flags & CONN_GONE))
				return rows[k];
		usleep(10000);
	}
	return NULL;
}

static const struct conn *
row_of(const struct conntab *t, uint32_t ino)
{
	struct conn *const *rows;
	size_t n, i;

	rows = conntab_rows(t, &n);
	for (i = 0; i < n; i++)
		if (!(rows[i]->flags & CONN_GONE) && rows[i]->s.inode == ino)
			return rows[i];
	return NULL;
}

static uint32_t
inode_of(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return (uint32_t)strtoul(link + 8, NULL, 10);
}

/* fd's socket is ours, with comm and our user. */
static void
check_ours(const struct proc *p, const struct conntab *t, int fd,
    const char *comm)
{
	const struct conn *c = row_of(t, inode_of(fd));
	const struct proc_owner *o;
	struct passwd *pw = getpwuid(geteuid());
	int b = -2;

	if (!CHECK(c != NULL))
		return;
	o = proc_owner(p, c, &b);
	CHECK_EQ(b, PROC_OWNED);
	if (!CHECK(o != NULL))
		return;
	CHECK_EQ(o->pid, getpid());
	CHECK_EQ(o->uid, geteuid());
	if (!CHECK(strcmp(o->comm, comm) == 0))
		fprintf(stderr, "comm \"%s\", want \"%s\"\n", o->comm, comm);
	if (pw != NULL)
		CHECK(strcmp(o->user, pw->pw_name) == 0);
}

static int
tcp_connect(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd != -1 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	return fd;
}

static void
test_sanitize(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "nginx", "nginx" },
		{ "a\033[31mb", "a?[31mb" },		/* CSI by ESC */
		{ "a\xc2\x9b" "31m", "a??31m" },	/* C1 CSI */
		{ "bad\xff\xfe", "bad??" },
		{ "\xc0\xaf", "??" },			/* overlong '/' */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },	/* é kept */
		{ "cut\xe2\x82", "cut??" },		/* truncated */
		{ "\xed\xa0\x80", "???" },		/* surrogate */
		{ "tab\there\n", "tab?here?" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		proc_sanitize(out, sizeof out, cases[i].in,
		    strlen(cases[i].in));
		if (!CHECK(strcmp(out, cases[i].out) == 0))
			fprintf(stderr, "sanitize case %zu: \"%s\"\n", i, out);
	}
	/* A multibyte character that does not fit is not cut in half. */
	proc_sanitize(out, 5, "abc\xc3\xa9", 5);
	CHECK(strcmp(out, "abc?") == 0);
}

/* A child named "tcptop-child" listens; its row is attributed to it.
 * It exits, the row becomes a tombstone, and a new socket's rescan
 * drops the process from the table: the tombstone still names it. */
static void
test_tombstone(struct diag *d, struct conntab *t, struct proc *p)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int pfd[2], lfd, st, b, fd;
	const struct proc_owner *o;
	const struct conn *c = NULL;
	unsigned long before;
	char ch = 0;
	pid_t pid;

	CHECK(pipe(pfd) == 0);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
	port2 = ntohs(sa.sin_port);
	pid = fork();
	if (pid == 0) {
		/* Listen only in the child, which then waits for the pipe
		 * to close. */
		prctl(PR_SET_NAME, "tcptop-child");
		close(pfd[1]);
		if (listen(lfd, 1) == 0)
			(void)!read(pfd[0], &ch, 1);
		_exit(0);
	}
	close(lfd);
	close(pfd[0]);
	/* The child's listener shows once it listens: poll for it. */
	c = wait_listener(d, t, p, port2);
	if (!CHECK(c != NULL))
		return;
	o = proc_owner(p, c, &b);
	CHECK(o != NULL && o->pid == pid && strcmp(o->comm,
	    "tcptop-child") == 0);
	close(pfd[1]);
	CHECK(waitpid(pid, &st, 0) == pid);
	refresh(d, t, p, 0);
	CHECK(c->flags & CONN_GONE);
	before = proc_rescans(p);
	fd = tcp_connect();
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), before + 1);
	o = proc_owner(p, c, &b);
	CHECK(b == PROC_OWNED && o != NULL && o->pid == pid &&
	    strcmp(o->comm, "tcptop-child") == 0);
	close(fd);
}

/* A child "tcptop-a" listens, forks "tcptop-b" that keeps the
 * listener, and exits: the next refresh's owner check misses (the pid
 * is gone), one rescan names the grandchild.  A steady refresh before
 * and after checks without rescanning. */
static void
test_handoff(struct diag *d, struct conntab *t, struct proc *p)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int go[2], back[2], hold[2], lfd, st, b;
	const struct proc_owner *o;
	const struct conn *c = NULL;
	unsigned long before;
	long bpid = 0;
	char ch = 0;
	pid_t a;

	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CHECK(pipe(go) == 0 && pipe(back) == 0 && pipe(hold) == 0);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
	port2 = ntohs(sa.sin_port);
	a = fork();
	if (a == 0) {
		pid_t bp;

		prctl(PR_SET_NAME, "tcptop-a");
		if (listen(lfd, 1) != 0 || read(go[0], &ch, 1) != 1)
			_exit(1);
		bp = fork();
		if (bp == 0) {
			/* Named before it says so: on a loaded machine
			 * it may run long after its parent has gone. */
			prctl(PR_SET_NAME, "tcptop-b");
			close(hold[1]);
			bpid = (long)getpid();
			(void)!write(back[1], &bpid, sizeof bpid);
			(void)!read(hold[0], &ch, 1);
			_exit(0);
		}
		_exit(bp == -1);
	}
	close(lfd);
	close(hold[0]);
	c = wait_listener(d, t, p, port2);
	if (!CHECK(c != NULL))
		return;
	o = proc_owner(p, c, &b);
	CHECK(b == PROC_OWNED && o != NULL && o->pid == a &&
	    strcmp(o->comm, "tcptop-a") == 0);
	before = proc_rescans(p);
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), before);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(read(back[0], &bpid, sizeof bpid) == sizeof bpid);
	CHECK(waitpid(a, &st, 0) == a);
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), before + 1);
	o = proc_owner(p, c, &b);
	CHECK(b == PROC_OWNED && o != NULL && o->pid == (pid_t)bpid &&
	    strcmp(o->comm, "tcptop-b") == 0);
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), before + 1);
	close(hold[1]);
	CHECK(waitpid((pid_t)bpid, &st, 0) == (pid_t)bpid);
	close(go[0]), close(go[1]), close(back[0]), close(back[1]);
}

/* A process that opens a socket after the walk is read again alone:
 * the new row is its own, and no walk of every process comes. */
static void
test_reread(struct diag *d, struct conntab *t, struct proc *p)
{
	int go[2], back[2], st, b;
	const struct proc_owner *o;
	const struct conn *c;
	unsigned long walks, rereads;
	uint32_t ino[2];
	pid_t kid;
	char ch;

	CHECK(pipe(go) == 0 && pipe(back) == 0);
	kid = fork();
	if (kid == 0) {
		int fd[2], k;

		prctl(PR_SET_NAME, "tcptop-r");
		for (k = 0; k < 2; k++) {
			fd[k] = tcp_connect();
			ino[k] = inode_of(fd[k]);
			if (write(back[1], &ino[k], sizeof ino[k]) !=
			    sizeof ino[k] || read(go[0], &ch, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	CHECK(read(back[0], &ino[0], sizeof ino[0]) == sizeof ino[0]);
	refresh(d, t, p, 0);
	c = row_of(t, ino[0]);
	o = c != NULL ? proc_owner(p, c, &b) : NULL;
	CHECK(o != NULL && o->pid == kid);
	walks = proc_rescans(p);
	rereads = proc_rereads(p);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(read(back[0], &ino[1], sizeof ino[1]) == sizeof ino[1]);
	refresh(d, t, p, 0);
	c = row_of(t, ino[1]);
	o = c != NULL ? proc_owner(p, c, &b) : NULL;
	CHECK(o != NULL && b == PROC_OWNED && o->pid == kid &&
	    strcmp(o->comm, "tcptop-r") == 0);
	CHECK_EQ(proc_rescans(p), walks);
	CHECK_EQ(proc_rereads(p), rereads + 1);
	/* Its first socket still its own. */
	c = row_of(t, ino[0]);
	o = c != NULL ? proc_owner(p, c, &b) : NULL;
	CHECK(o != NULL && o->pid == kid);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	close(go[0]), close(go[1]), close(back[0]), close(back[1]);
}

/* A row no process holds is looked for again on the in-flight
 * schedule only while scans sample it: a model kept from events keeps
 * a row whose close event was missed, with the inode it had, until the
 * next full dump, and walks could never find its holder.  Root only
 * (proc_sees_all: what another user holds is hidden, not looked for
 * again). */
static void
test_stale(struct diag *d)
{
	struct conntab *t = conntab_new(60000);
	struct proc *p = proc_new();
	unsigned long walks;
	int k;

	if (!proc_sees_all()) {
		fprintf(stderr, "# stale: skipped, not every process is "
		    "readable\n");
		goto out;
	}
	fake.inode = 0xfffffff1u;
	refresh(d, t, p, 1);		/* walk 1: hidden */
	refresh(d, t, p, 1);		/* walk 2: in flight */
	CHECK_EQ(proc_rescans(p), 2);
	/* Kept, not sampled again: no walk (the schedule had one 2
	 * refreshes on, then 4, then every 8). */
	walks = proc_rescans(p);
	for (k = 0; k < 20; k++)
		refresh_states(d, t, p, 0, 1u << 10);	/* LISTEN */
	CHECK_EQ(proc_rescans(p), walks);
	/* Sampled again (a full dump): looked for at the next refresh. */
	refresh(d, t, p, 1);
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), walks + 1);
out:
	fake.inode = 0;
	proc_free(p);
	conntab_free(t);
}

/* Live rows of t in bucket b. */
static size_t
count_bucket(const struct proc *p, const struct conntab *t, int b)
{
	size_t counts[PROC_NBUCKETS], n;
	struct conn *const *rows = conntab_rows(t, &n);

	proc_count(p, (const struct conn *const *)rows, n, counts);
	return counts[b];
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Step p's walk until it ends (1), or give up after many slices (0). */
static int
step_to_end(struct proc *p, struct conntab *t)
{
	long k;

	for (k = 0; k < 1000000; k++)
		if (proc_step(p, t, 1000000))
			return 1;
	return 0;
}

/* Async: a refresh only asks for the walk, which the next step begins
 * (its begin is a pass over every row: not before the screen is drawn),
 * the rows with files pending meanwhile (counted, never hidden); a
 * socket born during the walk is not in it and stays pending after it;
 * a later refresh asks for the next walk, which finds it.  comm: our
 * name now. */
static void
test_async(struct diag *d, int lfd, const char *comm)
{
	struct conntab *t = conntab_new(60000);
	struct proc *p = proc_new();
	const struct conn *c;
	int fd, fd2, b, k;

	proc_set_async(p, 1);
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), 0);
	CHECK(proc_pending(p));
	CHECK_EQ(proc_step_at(p), 0);
	CHECK(!proc_step(p, t, 1000000));
	CHECK_EQ(proc_rescans(p), 1);
	CHECK(proc_pending(p));
	CHECK(count_bucket(p, t, PROC_PENDING) >= 3);
	CHECK_EQ(count_bucket(p, t, PROC_HIDDEN), 0);
	CHECK_EQ(count_bucket(p, t, PROC_OWNED), 0);
	fd = tcp_connect();
	refresh(d, t, p, 0);
	CHECK_EQ(proc_rescans(p), 1);	/* the walk under way goes on */
	CHECK(step_to_end(p, t));
	CHECK(!proc_pending(p));
	CHECK_EQ(proc_step_at(p), INT64_MAX);
	check_ours(p, t, lfd, comm);
	c = row_of(t, inode_of(fd));
	CHECK(c != NULL && proc_owner(p, c, &b) == NULL && b == PROC_PENDING);
	/* The next walk begins at a refresh once the last one's share of
	 * the time allows (PROC_WALK_SHARE): nine times the last walk's
	 * work, seconds on a loaded host.  A minute at most. */
	for (k = 0; k < 6000 && !proc_pending(p); k++) {
		usleep(10000);
		refresh(d, t, p, 0);
	}
	CHECK_EQ(proc_rescans(p), 1);
	CHECK(!proc_step(p, t, 1000000));
	CHECK_EQ(proc_rescans(p), 2);
	CHECK(step_to_end(p, t));
	check_ours(p, t, fd, comm);
	CHECK_EQ(count_bucket(p, t, PROC_PENDING), 0);
	/* Once the share allows a walk: a new row waits a refresh before
	 * it calls for one (a short connection has closed by then), and
	 * calls for it at the next. */
	for (k = 0; k < 6000 && now_ns() < proc_walk_at(p); k++)
		usleep(10000);
	CHECK(now_ns() >= proc_walk_at(p));
	fd2 = tcp_connect();
	refresh(d, t, p, 0);
	CHECK(!proc_pending(p));
	c = row_of(t, inode_of(fd2));
	CHECK(c != NULL && proc_owner(p, c, &b) == NULL && b == PROC_PENDING);
	refresh(d, t, p, 0);
	CHECK(proc_pending(p));
	CHECK(!proc_step(p, t, 1000000));
	CHECK_EQ(proc_rescans(p), 3);
	CHECK(step_to_end(p, t));
	check_ours(p, t, fd2, comm);
	close(fd2);
	close(fd);
	proc_free(p);
	conntab_free(t);
}

/* A process that exits between the open of its /proc/PID/fd and the
 * listing holds nothing: not a process that could not be read (which
 * would turn every unplaced socket into "failed").  Its own fd
 * directory lists. */
static void
test_fd_dir_gone(void)
{
	char path[64];
	DIR *dir;
	pid_t kid;
	int fd, st;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)getpid());
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd != -1 && proc_fd_dir(fd, &dir) == 0 && dir != NULL);
	if (fd != -1 && dir != NULL)
		closedir(dir);
	kid = fork();
	if (kid == 0) {
		pause();
		_exit(0);
	}
	CHECK(kid > 0);
	snprintf(path, sizeof path, "/proc/%ld/fd", (long)kid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd != -1);
	CHECK(kill(kid, SIGKILL) == 0 && waitpid(kid, &st, 0) == kid);
	if (fd != -1)
		CHECK_EQ(proc_fd_dir(fd, &dir), 1);
}

int
main(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	struct diag *d;
	struct conntab *t;
	struct proc *p;
	const struct conn *c;
	size_t counts[PROC_NBUCKETS], n;
	int lfd, cfd, afd, c2, b;
	unsigned long rescans0;

	test_sanitize();
	d = diag_open();
	if (d == NULL) {
		perror("diag_open");
		check_done();
		return 77;
	}
	CHECK(prctl(PR_SET_NAME, "tcptop-proct") == 0);
	test_fd_dir_gone();
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CHECK(listen(lfd, 8) == 0);
	CHECK(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
	port = ntohs(sa.sin_port);
	cfd = tcp_connect();
	afd = accept(lfd, NULL, NULL);
	CHECK(afd != -1);

	/* A row with no file, one with an inode nobody holds. */
	memset(&fake, 0, sizeof fake);
	fake.cookie = 1;
	fake.family = AF_INET;
	fake.state = 6;		/* TCP_TIME_WAIT */
	fake.lport = port;
	fake.rport = 1;
	fake.local[0] = 127, fake.local[3] = 1;
	fake.remote[0] = 192, fake.remote[2] = 2, fake.remote[3] = 1;

	t = conntab_new(60000);	/* tombstones stay a minute */
	p = proc_new();
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), 1);
	check_ours(p, t, lfd, "tcptop-proct");
	check_ours(p, t, cfd, "tcptop-proct");
	check_ours(p, t, afd, "tcptop-proct");
	c = row_of(t, 0);
	CHECK(c != NULL && proc_owner(p, c, &b) == NULL && b == PROC_NOFILE);

	/* Steady: nothing new, no rescan. */
	refresh(d, t, p, 1);
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), 1);
	check_ours(p, t, afd, "tcptop-proct");

	/* An inode no process holds: one rescan finds it hidden.  Unless
	 * every process can be read (proc_sees_all: root, not in a
	 * container), it is not looked for again.  Else a second rescan at the next refresh finds it unheld again
	 * (not a socket closed after the dump): in flight, looked for
	 * again after 2, 4, then every 8 refreshes. */
	fake.inode = 0xfffffff0u;
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), 2);
	c = row_of(t, 0xfffffff0u);
	if (!CHECK(c != NULL && proc_owner(p, c, &b) == NULL &&
	    b == PROC_HIDDEN))
		fprintf(stderr, "# bucket %d\n", c != NULL ? b : -2);
	refresh(d, t, p, 1);
	if (!proc_sees_all()) {
		CHECK_EQ(proc_rescans(p), 2);
		CHECK(proc_owner(p, c, &b) == NULL && b == PROC_HIDDEN);
	} else {
		/* In flight only when nothing was refused: where a
		 * process's descriptors are refused even to root (pid 1
		 * in some sandboxes), it could hold the socket: hidden,
		 * and looked for on the same schedule. */
		int want = proc_read_all(p) ? PROC_INFLIGHT : PROC_HIDDEN;
		unsigned long r;
		int k;

		fprintf(stderr, "# every descriptor read: %s\n",
		    proc_read_all(p) ? "yes" : "no (hidden, not in flight)");
		CHECK_EQ(proc_rescans(p), 3);
		CHECK(proc_owner(p, c, &b) == NULL && (int)b == want);
		r = proc_rescans(p);
		for (k = 1; k <= 2 + 4 + 8 + 8; k++) {
			refresh(d, t, p, 1);
			if (k == 2 || k == 6 || k == 14 || k == 22)
				r++;
			if (!CHECK_EQ(proc_rescans(p), r))
				fprintf(stderr, "in flight, refresh %d\n", k);
		}
		/* What the last rescan could read decides: on a busy
		 * host a process may refuse one rescan and not the next
		 * (one in the middle of exec, say). */
		want = proc_read_all(p) ? PROC_INFLIGHT : PROC_HIDDEN;
		if (!CHECK(proc_owner(p, c, &b) == NULL && (int)b == want))
			fprintf(stderr, "# bucket %d, want %d\n", b, want);
	}
	/* Gone again: nothing left to look for. */
	fake.inode = 0;
	refresh(d, t, p, 1);
	proc_rescan(p, t);
	rescans0 = proc_rescans(p);
	c = row_of(t, 0);
	CHECK(c != NULL && proc_owner(p, c, &b) == NULL && b == PROC_NOFILE);

	/* A new socket, under a name with an escape sequence: one rescan,
	 * the name read again and sanitized. */
	CHECK(prctl(PR_SET_NAME, "ev\033[2Jil") == 0);
	c2 = tcp_connect();
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), rescans0 + 1);
	check_ours(p, t, c2, "ev?[2Jil");
	check_ours(p, t, lfd, "ev?[2Jil");
	refresh(d, t, p, 1);
	CHECK_EQ(proc_rescans(p), rescans0 + 1);

	/* The buckets add up to the live rows: the listener and three
	 * ends are ours, c2's peer waits in our listener's accept queue
	 * without a file: queued, ours; the fake row has no file. */
	{
		struct conn *const *rows = conntab_rows(t, &n);
		const struct proc_owner *o;
		size_t i, q = 0;

		proc_count(p, (const struct conn *const *)rows, n, counts);
		for (i = 0; i < n; i++) {
			if ((rows[i]->flags & CONN_GONE) ||
			    rows[i]->s.inode != 0 || rows[i]->s.state != 1)
				continue;
			o = proc_owner(p, rows[i], &b);
			CHECK(b == PROC_QUEUED && o != NULL &&
			    o->pid == getpid());
			q++;
		}
		CHECK_EQ(q, 1);
	}
	CHECK_EQ(counts[PROC_OWNED], 4);
	CHECK_EQ(counts[PROC_QUEUED], 1);
	CHECK_EQ(counts[PROC_NOFILE], 1);
	CHECK_EQ(counts[PROC_HIDDEN], 0);
	CHECK_EQ(counts[PROC_INFLIGHT], 0);
	CHECK_EQ(counts[PROC_PENDING], 0);	/* synchronous */
	CHECK_EQ(counts[PROC_OWNED] + counts[PROC_NOFILE] +
	    counts[PROC_QUEUED], conntab_live(t));
	/* A view built with the owners counts them as it filters, the
	 * same (the header's counts, without a pass of their own). */
	{
		struct field_ctx cx;
		struct view v;

		memset(&cx, 0, sizeof cx);
		cx.proc = p;
		view_init(&v);
		view_build(&v, t, NULL, FIELD_STATE, 0, 0, &cx);
		CHECK(memcmp(v.owners, counts, sizeof counts) == 0);
		view_build(&v, t, NULL, FIELD_STATE, 0, 0, NULL);
		CHECK_EQ(v.owners[PROC_OWNED], 0);
		view_done(&v);
	}

	/* A forced rescan, and attribution off. */
	proc_rescan(p, t);
	CHECK_EQ(proc_rescans(p), rescans0 + 2);
	check_ours(p, t, cfd, "ev?[2Jil");
	CHECK(proc_owner(NULL, row_of(t, inode_of(cfd)), &b) == NULL &&
	    b == PROC_OFF);
	CHECK(strcmp(proc_bucket_name(PROC_HIDDEN), "hidden") == 0);

	test_reread(d, t, p);
	test_stale(d);
	test_handoff(d, t, p);
	test_tombstone(d, t, p);
	test_async(d, lfd, "ev?[2Jil");

	close(c2);
	close(afd);
	close(cfd);
	close(lfd);
	proc_free(p);
	conntab_free(t);
	diag_close(d);
	return check_done();
}
