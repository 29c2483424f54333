/* The collector: the sockets (live or recorded) dumped into the model,
 * and each refresh's snapshot: processes, cgroups, the kernel's
 * counters, the transitions and the alerts around the rows. */
#include <errno.h>
#include <malloc.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/clock.h"
#include "tcptop/diag_file.h"
#include "tcptop/log.h"
#include "tcptop/names.h"
#include "tcptop/sig.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

#include "collector_int.h"

/* Memory given back past which the C library is asked to return its
 * free pages to the system: its heap only shrinks from the top, and a
 * flood's rows, or a storm's events, sit all through it. */
#define COLLECTOR_TRIM_BYTES (1 << 20)
#define COLLECTOR_TRIM_FREE (4 << 20)
#define COLLECTOR_TRIM_EVERY 8

/* The width of the rate window: the diagram's flash and rates. */
#define COLLECTOR_TRANS_WINDOW_MS 10000

void
collector_unpaced(struct collector *c)
{
	c->last_start_ns = 0;
}

void
collector_describe(struct collector *c, double delay)
{
	/* The last interval was paced by the old delay. */
	if (delay != c->delay)
		collector_unpaced(c);
	c->delay = delay;
	c->snap.delay_ms = (long)(delay * 1000 + 0.5);
	trans_describe(c->trans_sources, delay, c->snap.trans_lost > 0 ?
	    (unsigned long)c->snap.trans_lost : 0, c->snap.notify_lost > 0 ?
	    (unsigned long)c->snap.notify_lost : 0, c->trans_source,
	    sizeof c->trans_source);
}

/* What the live sources lost so far, into the snapshot and its
 * description. */
static void
collector_losses(struct collector *c)
{
	long tl = c->trace != NULL ? (long)trace_lost(c->trace) : -1;
	long nl = c->notify != NULL ? (long)diag_notify_lost(c->notify) : -1;

	if (tl == c->snap.trans_lost && nl == c->snap.notify_lost)
		return;
	if (tl > c->snap.trans_lost || nl > c->snap.notify_lost)
		log_debug("transitions lost: %ld tracepoint events, %ld "
		    "notification overflows", tl, nl);
	c->snap.trans_lost = tl;
	c->snap.notify_lost = nl;
	collector_describe(c, c->delay);
}

/* The refresh that began at start_ns and ends now: its cost, and how
 * far past the delay it came after the one before.  A recording runs at
 * full speed: no interval. */
/* Give freed memory back to the system: after the table shrank, and
 * every COLLECTOR_TRIM_EVERY refreshes while malloc holds
 * COLLECTOR_TRIM_FREE or more free bytes in all its arenas (the arrays
 * a storm of events grew, cut back; the tracepoint reader's pages, in
 * its thread's arena): another namespace's 100k sockets closing left
 * 50 MB held here.  Free bytes stay counted as free after a trim, so
 * there is no telling what is still resident: the trim is repeated,
 * and costs a walk of the free chunks, every 8 s at most at -d 1. */
static void
collector_trim(struct collector *c)
{
	struct mallinfo2 mi;

	/* mallinfo2 walks every free chunk too: as seldom. */
	if (conntab_trimmed(c->tab) < COLLECTOR_TRIM_BYTES &&
	    c->snap.good % COLLECTOR_TRIM_EVERY != 0)
		return;
	mi = mallinfo2();
	if (conntab_trimmed(c->tab) < COLLECTOR_TRIM_BYTES &&
	    mi.fordblks < COLLECTOR_TRIM_FREE)
		return;
	log_debug("trimming the heap: the table gave back %zu KB, %zu KB "
	    "free", conntab_trimmed(c->tab) / 1024, mi.fordblks / 1024);
	malloc_trim(0);
}

static void
collector_timing(struct collector *c, int64_t start_ns, int64_t dumped_ns)
{
	int64_t end_ns = clock_ns(CLOCK_MONOTONIC);

	/* Monotonic stamps, so bench/scale can tell the first dump's end
	 * from the first screen on the same clock; and the heap in use
	 * (the main arena's and every mmapped block), tcptop's own memory
	 * without the tracepoint's buffers or the libraries. */
	if (log_active()) {
		struct mallinfo2 mi = mallinfo2();

		log_debug("refresh %ld: %lu sockets, dump %lld..%lld ns, done "
		    "%lld ns, heap %zu bytes", c->snap.good, c->snap.dumped,
		    (long long)start_ns, (long long)dumped_ns,
		    (long long)end_ns, mi.uordblks + mi.hblkhd);
	}
	c->snap.refresh_ms = (long)((end_ns - start_ns) / 1000000);
	c->snap.interval_ms = -1;
	c->snap.late_ms = 0;
	if (c->last_start_ns != 0 && c->rp == NULL) {
		c->snap.interval_ms = (long)((start_ns - c->last_start_ns) /
		    1000000);
		if (c->snap.delay_ms > 0 &&
		    c->snap.interval_ms > c->snap.delay_ms)
			c->snap.late_ms = c->snap.interval_ms -
			    c->snap.delay_ms;
	}
	c->last_start_ns = start_ns;
}

/* Open the transition sources of a live run: the tracepoint unless told
 * not to, the destroy notifications; the refreshes always.  A run of one
 * refresh has none: it sees no transition, so it sets up no tracefs
 * instance and no notification socket.  What is not available is said
 * in the log and in JSON, never fatal. */
static void
collector_trans_open(struct collector *c, const struct options *o,
    unsigned needs)
{
	size_t ncpu;

	c->trans_sources = needs & COLLECTOR_TRANSITIONS ?
	    1u << TRANS_SRC_DIFF : 0;
	c->trans_note[0] = '\0';
	if (c->d != NULL && o->all_netns)
		/* The tracepoint joins by 4-tuple, which many namespaces
		 * may share; notifications are one namespace's. */
		snprintf(c->trans_note, sizeof c->trans_note, "--all-netns "
		    "samples: the tracepoint carries no namespace");
	else if (!(needs & COLLECTOR_TRANSITIONS)) {
		snprintf(c->trans_note, sizeof c->trans_note, "one refresh "
		    "(-n 1): no transitions to count, no tracepoint set up");
		log_debug("transitions: %s", c->trans_note);
	} else if (c->d != NULL) {
		c->notify = diag_notify_open();
		if (c->notify != NULL)
			c->trans_sources |= 1u << TRANS_SRC_DESTROY;
		else
			log_debug("destroy notifications: %s",
			    strerror(errno));
		if (o->no_trace)
			snprintf(c->trans_note, sizeof c->trans_note,
			    "--no-trace");
		else
			c->trace = trace_open(o->trace_buffer_kb,
			    c->trans_note, sizeof c->trans_note);
		if (c->trace != NULL)
			c->trans_sources |= 1u << TRANS_SRC_TRACE;
		else
			log_debug("tracepoint: %s", c->trans_note);
	} else
		snprintf(c->trans_note, sizeof c->trans_note, "a recording "
		    "has no tracepoint");
	c->trans = trans_new(COLLECTOR_TRANS_WINDOW_MS);
	c->tf = transfeed_new(c->trans, c->trace != NULL);
	/* Slot 0 is the caller's (the terminal), then the notifications,
	 * then one per CPU buffer of the tracepoint. */
	ncpu = c->trace != NULL ? trace_pollfds(c->trace, NULL, 0) : 0;
	c->pfd = xcalloc(2 + ncpu, sizeof *c->pfd);
	c->pfd[0].fd = -1;
	c->npfd = 1;
	if (c->notify != NULL) {
		c->pfd[c->npfd].fd = diag_notify_fd(c->notify);
		c->pfd[c->npfd++].events = POLLIN;
	}
	if (c->trace != NULL)
		c->npfd += trace_pollfds(c->trace, c->pfd + c->npfd, ncpu);
	c->snap.trans = c->trans;
	c->snap.trans_source = c->trans_source;
	c->snap.trans_note = c->trans_note[0] != '\0' ? c->trans_note : NULL;
	c->snap.trans_lost = c->trace != NULL ? 0 : -1;
	c->snap.notify_lost = c->notify != NULL ? 0 : -1;
	c->snap.refresh_ms = c->snap.interval_ms = -1;
	collector_describe(c, o->delay);
}

static void
collector_trans_close(struct collector *c)
{
	trace_close(c->trace);
	diag_notify_close(c->notify);
	transfeed_free(c->tf);
	trans_free(c->trans);
	free(c->pfd);
}

static void
collector_on_destroy(void *arg, const struct conn_sample *s)
{
	struct collector *c = arg;

	transfeed_destroy(c->tf, s, clock_mono_ms(), clock_ns(CLOCK_REALTIME));
	collector_events_destroy(c, s);
}

static void
collector_on_trace(void *arg, const struct trans_event *e, uint64_t skaddr)
{
	struct collector *c = arg;

	transfeed_trace(c->tf, e, skaddr);
	collector_events_trace(c, e, skaddr);
}

/* Take in what the live sources have: called when their descriptors
 * are readable and after each dump, so nothing waits in a kernel buffer
 * long enough to be lost.  Returns how many notifications came. */
static long
collector_drain(struct collector *c)
{
	long n = 0;

	if (c->notify != NULL &&
	    (n = diag_notify_read(c->notify, collector_on_destroy, c)) == -1) {
		log_debug("destroy notifications: %s", strerror(errno));
		n = 0;
	}
	if (c->trace != NULL && trace_read(c->trace, collector_on_trace,
	    c) == -1)
		log_debug("tracepoint: %s", strerror(errno));
	return n;
}

/* After a take, the notifications wait this long before the next one
 * wakes the loop: a churn of hundreds of closes a second woke it for
 * each, some five system calls a close.  The tracepoint's reader
 * batches the same way (TRACE_BATCH_MS); the socket's buffer holds a
 * second of 10,000 closes a second (diag_notify.c). */
#define COLLECTOR_BATCH_NS (50 * 1000000LL)

/* The slot of the notifications in c->pfd (collector_trans_open), 0
 * when there are none. */
static size_t
collector_notify_slot(const struct collector *c)
{
	return c->notify != NULL && c->npfd > 1 ? 1 : 0;
}

struct pollfd *
collector_pollfds(struct collector *c, size_t *n)
{
	size_t i = collector_notify_slot(c);
	int64_t now = clock_ns(CLOCK_MONOTONIC);

	/* The batch's time is up: what gathered is read now, without a
	 * poll to say it is there, and while a storm lasts the socket
	 * stays out of the poll set (a wake-up a batch, not two); polled
	 * again once a read finds nothing. */
	if (c->take_at_ns != 0 && now >= c->take_at_ns) {
		if (collector_drain(c) > 0)
			c->take_at_ns = now + COLLECTOR_BATCH_NS;
		else {
			c->take_at_ns = 0;
			if (i != 0 && c->pfd[i].fd == -2)
				c->pfd[i].fd = diag_notify_fd(c->notify);
		}
	}
	*n = c->npfd;
	return c->pfd;
}

int64_t
collector_take_at(const struct collector *c)
{
	return c->take_at_ns != 0 ? c->take_at_ns : INT64_MAX;
}

/* Whether source descriptor i has something to read.  One that fails
 * (POLLERR, POLLNVAL) is dropped from the poll set, so it cannot spin
 * the loop; the refreshes still read it. */
static int
collector_ready(struct collector *c, size_t i)
{
	short ev = c->pfd[i].revents;

	if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
		log_debug("source descriptor %d: revents %#x, no longer "
		    "polled", c->pfd[i].fd, (unsigned)ev);
		c->pfd[i].fd = -1;
		return 0;
	}
	return (ev & POLLIN) != 0;
}

void
collector_take(struct collector *c)
{
	size_t i, ns = collector_notify_slot(c);

	for (i = 1; i < c->npfd; i++)
		if (collector_ready(c, i)) {
			collector_drain(c);
			/* -2: left out for a while; -1 is a failed one. */
			if (ns != 0 && c->pfd[ns].fd >= 0) {
				c->pfd[ns].fd = -2;
				c->pfd[ns].revents = 0;
				c->take_at_ns = clock_ns(CLOCK_MONOTONIC) +
				    COLLECTOR_BATCH_NS;
			}
			return;
		}
}

void
collector_sleep(struct collector *c, int64_t deadline_ns)
{
	while (!sig_caught) {
		int64_t now = clock_ns(CLOCK_MONOTONIC), wake;
		size_t n;

		if (now >= deadline_ns)
			break;
		if (c->npfd <= 1) {
			struct timespec ts = {
				.tv_sec = deadline_ns / 1000000000,
				.tv_nsec = deadline_ns % 1000000000,
			};

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
			    NULL);
			continue;
		}
		(void)collector_pollfds(c, &n);
		wake = deadline_ns < collector_take_at(c) ? deadline_ns :
		    collector_take_at(c);
		if (poll(c->pfd + 1, c->npfd - 1,
		    (int)((wake - now + 999999) / 1000000)) > 0)
			collector_take(c);
	}
}

/* The live extras: the kernel's counters, of the namespace the sockets
 * come from (opened while inside -N's), and the operator's SSH session,
 * which is in tcptop's own namespace: not in view with -N of another
 * one, but in view (and so spared by a kill) when -N names tcptop's own
 * by a path, a name or a pid.  Neither is fatal: what is missing is
 * said in the log and shows as unknown. */
static void
collector_kstat_open(struct collector *c, const struct options *o)
{
	const char *env = getenv("SSH_CONNECTION");
	char err[256];

	c->kstat = kstat_new();
	if (kstat_open(c->kstat, err, sizeof err) == -1)
		log_debug("kernel counters: %s", err);
	c->snap.kstat = c->kstat;
	if (ssh_parse(env, &c->ssh) == 0) {
		c->ssh.elsewhere = o->netns != NULL &&
		    !netns_is_home(c->nsfd);
		c->snap.ssh = &c->ssh;
	} else {
		if (env != NULL)
			log_debug("SSH_CONNECTION ignored: not \"client port "
			    "server port\"");
		if (o->replay == NULL)
			c->nssh_inodes = proc_ancestor_sockets(c->ssh_inodes,
			    8);
	}
}

/* Without $SSH_CONNECTION, the session is the connection an sshd above
 * tcptop holds, by the inode of its socket: the first of the sshd's
 * sockets, in descriptor order, that the dump holds as a connection.
 * Looked for at each refresh until found (it may be out of view), at
 * the cost of one pass over the rows. */
static void
collector_ssh_find(struct collector *c)
{
	struct conn *const *rows;
	const struct conn *best = NULL;
	size_t n, i, k, at = SIZE_MAX;

	if (c->snap.ssh != NULL || c->nssh_inodes == 0)
		return;
	rows = conntab_rows(c->tab, &n);
	for (i = 0; i < n; i++) {
		const struct conn *r = rows[i];

		if ((r->flags & CONN_GONE) || r->s.state == TCP_LISTEN ||
		    r->s.netns != 0 || r->s.inode == 0)
			continue;
		for (k = 0; k < c->nssh_inodes && k < at; k++)
			if (c->ssh_inodes[k] == r->s.inode) {
				best = r;
				at = k;
				break;
			}
	}
	if (best == NULL)
		return;
	ssh_from_conn(&c->ssh, &best->s);
	c->snap.ssh = &c->ssh;
	log_debug("the SSH session is the connection sshd holds above "
	    "tcptop (no SSH_CONNECTION)");
}

/* The live source: the namespaces, the diag socket, the recording.
 * Returns 0, or the exit status after printing why. */
static int
collector_live_open(struct collector *c, const struct options *o)
{
	int status = collector_netns_open(c, o);

	if (status != 0)
		return status;
	c->d = diag_open();
	if (c->d == NULL) {
		fprintf(stderr, "tcptop: cannot open sock_diag netlink "
		    "socket: %s\n", strerror(errno));
		return 1;
	}
	c->cgroups = cgroup_map_new(NULL);
	if (o->record != NULL) {
		c->rec = fopen(o->record, "wb");
		if (c->rec == NULL || diag_record(c->d, c->rec) == -1) {
			char shown[TEXT_ARG_SIZE];
			int saved = errno;

			text_arg(shown, sizeof shown, o->record);
			fprintf(stderr, "tcptop: --record %s: %s\n", shown,
			    strerror(saved));
			if (c->rec != NULL)
				fclose(c->rec);
			c->rec = NULL;
			return 2;
		}
	}
	return 0;
}

/* Open the recording at path, or say why not in one clean line on
 * stderr, quoting path as text_arg does: the reason diag_file gives
 * starts with the whole path, which may be long and anything. */
static struct diag_replay *
collector_replay_open(const char *path)
{
	char shown[TEXT_ARG_SIZE], *why;
	size_t plen = strlen(path), len = plen + 512;
	struct diag_replay *rp;

	why = xmalloc(len);
	if ((rp = diag_replay_open(path, why, len)) == NULL) {
		const char *reason = why;

		if (strncmp(why, path, plen) == 0 && why[plen] == ':')
			reason = why + plen + 1 + (why[plen + 1] == ' ');
		text_arg(shown, sizeof shown, path);
		text_clean(why, len, reason, strlen(reason), 0);
		fprintf(stderr, "tcptop: --replay %s: %s\n", shown, why);
	}
	free(why);
	return rp;
}

struct collector *
collector_open(const struct options *o, const char *host, unsigned needs,
    int *status)
{
	struct collector *c = xcalloc(1, sizeof *c);

	c->nsfd = -1;
	c->o = o;
	c->snap.host = host;
	c->snap.error = c->err;
	c->snap.root = geteuid() == 0;
	if (o->replay != NULL) {
		if ((c->rp = collector_replay_open(o->replay)) == NULL) {
			*status = collector_close(c, 2);
			return NULL;
		}
		c->snap.source = "replay";
	} else {
		/* On a failure from here on, what was opened is closed
		 * again (collector_close takes a half-open collector). */
		if ((*status = collector_live_open(c, o)) != 0) {
			*status = collector_close(c, *status);
			return NULL;
		}
		c->snap.source = "kernel";
		c->snap.live = 1;
	}
	c->tab = conntab_new((int64_t)(o->tombstone * 1000));
	c->snap.tab = c->tab;
	/* A recording has no processes to look at; a run that shows no
	 * owner does not read them. */
	if (c->d != NULL && (needs & COLLECTOR_OWNERS))
		c->proc = proc_new();
	c->snap.proc_note = c->d == NULL ? "a recording has no processes" :
	    c->proc == NULL && o->no_owners ? "--no-owners: processes not "
	    "read" : c->proc == NULL ? "not read: the report shows no owner" :
	    !proc_privileged() ? "not root: other users' sockets are hidden" :
	    NULL;
	collector_trans_open(c, o, needs);
	if (needs & COLLECTOR_TRANSITIONS)
		collector_events_open(c, o);
	else
		collector_events_describe(c);
	/* Still inside -N's namespace: the counters are the viewed
	 * one's. */
	if (c->d != NULL)
		collector_kstat_open(c, o);
	/* The first dump builds the table from nothing: sized from the
	 * kernel's count of the viewed namespace's sockets, it is built
	 * without growing (a tenth of a one-shot at 10k sockets).  Not
	 * with --all-netns, which sees many namespaces. */
	if (c->kstat != NULL && !o->all_netns) {
		long n = kstat_sockets(c->kstat);

		if (n > 0)
			conntab_expect(c->tab, (size_t)n);
	}
	/* Before collector_netns_opened: with -N the limits' files are
	 * opened inside the viewed namespace, as the dump's socket is. */
	c->alerts = alerts_new();
	c->box_alerts = alerts_new();
	alerts_defaults(c->alert_thresh);
	collector_netns_opened(c);
	c->snap.fields.netns = c->nstab;
	c->snap.fields.cgroups = c->cgroups;
	c->snap.fields.proc = c->proc;
	return c;
}

void
collector_resolve(struct collector *c, unsigned mode)
{
	if (c->names == NULL && mode != 0)
		c->names = names_new(NULL);	/* NULL: numbers, as before */
	names_set_mode(c->names, mode);
	c->snap.fields.names = mode != 0 ? c->names : NULL;
}

int
collector_close(struct collector *c, int status)
{
	if (c->rec != NULL) {
		int bad = ferror(c->rec);

		errno = 0;
		if ((fclose(c->rec) != 0 || bad) && status == 0) {
			fprintf(stderr, "tcptop: --record %s: %s\n",
			    c->o->record, strerror(errno != 0 ? errno : EIO));
			status = 1;
		}
	}
	collector_events_close(c);
	if (c->trans != NULL)
		collector_trans_close(c);
	proc_free(c->proc);
	names_free(c->names);
	kstat_free(c->kstat);
	alerts_free(c->alerts);
	alerts_free(c->box_alerts);
	conntab_free(c->boxtab);
	conntab_free(c->tab);
	diag_close(c->d);
	collector_netns_close(c);
	cgroup_map_free(c->cgroups);
	diag_replay_close(c->rp);
	free(c);
	return status;
}

void
collector_thresholds(struct collector *c, const uint32_t *thresh)
{
	memcpy(c->alert_thresh, thresh, sizeof c->alert_thresh);
}

const struct snapshot *
collector_snapshot(const struct collector *c)
{
	return &c->snap;
}

static int
collector_keep(void *arg, const struct conn_sample *s)
{
	return filter_match(arg, s);
}

void
collector_rescope(struct collector *c, const struct filter *f)
{
	struct filter scope = *f;

	conntab_rescope(c->tab, collector_keep, &scope);
	collector_events_rescoped(c);
}

static const char *
collector_alerts_netns(void *arg, uint16_t idx)
{
	return netns_tab_label(arg, idx);
}

/* Who holds row, for an alert's evidence: "nginx/812", as the process
 * groups name it.  The command is sanitized by proc.c. */
static const char *
collector_alerts_owner(void *arg, const struct conn *row, char *buf,
    size_t len)
{
	const struct proc_owner *o;
	int b;

	if ((o = proc_owner(arg, row, &b)) == NULL)
		return NULL;
	snprintf(buf, len, "%s/%ld", o->comm, (long)o->pid);
	return buf;
}

static int
collector_in_view(void *arg, const struct conn *row)
{
	return filter_match(arg, &row->s);
}

/* How often, at most, a filtered view dumps the whole box for the
 * alerts outside the filter. */
#define COLLECTOR_BOX_NS (5 * 1000000000LL)

/* Alerts are about the box, not the view: while filters narrow the
 * view, dump every socket into a table of their own and count the
 * alerts none of whose sockets pass the filters.  The dump costs what
 * an unfiltered refresh does, so it runs at most every
 * COLLECTOR_BOX_NS (the first refresh included: a one-shot report
 * counts them) and the count stands in between: a -p view of one
 * service on a busy box stays cheap.  Not for a recording (it holds
 * the view's sockets only) nor with --record (the extra dump would be
 * recorded): unknown there. */
static void
collector_alerts_box(struct collector *c, const struct filter *f,
    const struct alert_input *vin)
{
	struct conntab_feed keep = c->feed;
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &c->feed };
	struct filter all;
	struct diag_query q = { &all, 1, 0 };
	struct alert_input in = *vin;
	struct diag_stats st;
	const struct alert *list;
	size_t i, n;
	int64_t now;
	int rc;

	c->snap.alerts_outside = 0;
	if (f == NULL || filter_keeps_all(f)) {
		conntab_free(c->boxtab);
		c->boxtab = NULL;
		return;
	}
	c->snap.alerts_outside = -1;
	if (c->d == NULL || c->rec != NULL)
		return;
	/* Timed from the refreshes' starts, which keep the delay's
	 * schedule: at -d 5 or more every refresh dumps the box, however
	 * long the work before this took. */
	now = c->refresh_ns;
	if (c->boxtab != NULL && now - c->box_ns < COLLECTOR_BOX_NS) {
		c->snap.alerts_outside = c->box_outside;
		return;
	}
	c->box_ns = now;
	if (c->boxtab == NULL)
		c->boxtab = conntab_new(0);
	filter_init(&all);
	c->feed.tab = c->boxtab;
	c->feed.begun = 0;
	rc = collector_netns_dump(c, &q, &sink, &st);
	c->feed = keep;
	if (rc == -1) {
		log_debug("alerts outside the filter: %s", strerror(errno));
		conntab_free(c->boxtab);
		c->boxtab = NULL;
		return;
	}
	conntab_end_scan(c->boxtab);
	in.rows = conntab_rows(c->boxtab, &in.n);
	in.now_ms = st.mono_ns / 1000000;
	/* The box's rows have no owners: the evidence names ports. */
	in.owner = NULL;
	in.in_view = collector_in_view;
	in.view_arg = (void *)(uintptr_t)f;
	n = alerts_eval(c->box_alerts, &in, &list, NULL);
	c->snap.alerts_outside = 0;
	for (i = 0; i < n; i++)
		c->snap.alerts_outside += !list[i].in_view;
	c->box_outside = c->snap.alerts_outside;
}

/* The refresh's alerts, into the snapshot. */
static void
collector_alerts_eval(struct collector *c, const struct filter *f)
{
	struct alert_input in;

	memset(&in, 0, sizeof in);
	in.rows = conntab_rows(c->tab, &in.n);
	in.now_ms = c->snap.fields.now_ms;
	/* The kernel's counters of the viewed namespace, -1 while they
	 * have no rate (the first refresh, a replay). */
	in.listen_overflows = in.listen_drops = in.syncookies_sent = -1;
	if (c->kstat != NULL) {
		in.listen_overflows = kstat_rate(c->kstat,
		    KSTAT_LISTEN_OVERFLOWS);
		in.listen_drops = kstat_rate(c->kstat, KSTAT_LISTEN_DROPS);
		in.syncookies_sent = kstat_rate(c->kstat,
		    KSTAT_SYNCOOKIES_SENT);
	}
	if (c->proc != NULL) {
		in.owner = collector_alerts_owner;
		in.owner_arg = c->proc;
	}
	/* A recording's limits are not this host's. */
	if (c->rp == NULL)
		alerts_limits_read(c->alerts, &in.limits);
	else {
		in.limits.port_lo = in.limits.port_hi = -1;
		in.limits.max_tw_buckets = in.limits.max_orphans = -1;
	}
	in.thresh = c->alert_thresh;
	if (c->o->all_netns && c->nstab != NULL) {
		in.netns_label = collector_alerts_netns;
		in.netns_arg = c->nstab;
	}
	c->snap.nalerts = alerts_eval(c->alerts, &in, &c->snap.alerts,
	    &c->snap.alerts_more);
	collector_alerts_box(c, f, &in);
}

/* The next recorded dump into the model.  Returns COLLECT_*. */
static int
collector_replay(struct collector *c, const struct filter *f,
    const struct diag_sink *sink)
{
	struct diag_stats st;
	int64_t rt, mono;
	int rc;

	c->feed.mono_ns = &st.mono_ns;
	rc = diag_replay_next(c->rp, f, sink, &rt, &mono, &st, c->err,
	    sizeof c->err);
	if (rc <= 0) {
		c->snap.ended = 1;
		return rc == 0 ? COLLECT_END : COLLECT_CORRUPT;
	}
	c->snap.realtime_ns = rt;
	c->snap.fields.now_ms = mono / 1000000;
	c->snap.dumped = st.messages;
	c->snap.inconsistent = st.inconsistent;
	return COLLECT_OK;
}

/* The kernel's counters, as of the sockets just read. */
static void
collector_counters(struct collector *c)
{
	if (c->kstat != NULL && kstat_read(c->kstat,
	    c->snap.fields.now_ms) == -1)
		log_debug("kernel counters: %s", strerror(errno));
}

/* The dump failed: say why, and keep the last good table (the next dump
 * takes this partial scan over).  Returns COLLECT_FAIL. */
static int
collector_dump_failed(struct collector *c)
{
	snprintf(c->err, sizeof c->err, "%s", diag_last_error(c->d)[0] ?
	    diag_last_error(c->d) : strerror(errno));
	if (c->feed.begun)
		conntab_abort_scan(c->tab);
	return COLLECT_FAIL;
}

/* A live dump into the model, and the counters that go with it.
 * Returns COLLECT_*. */
static int
collector_dump(struct collector *c, const struct filter *f,
    const struct diag_sink *sink)
{
	struct diag_query q = { f, 1, 0 };
	struct diag_stats st;

	c->feed.mono_ns = &diag_last_stats(c->d)->mono_ns;
	if (collector_netns_dump(c, &q, sink, &st) == -1)
		return collector_dump_failed(c);
	c->snap.realtime_ns = st.realtime_ns;
	c->snap.fields.now_ms = st.mono_ns / 1000000;
	c->snap.dumped = st.messages;
	c->snap.inconsistent = st.inconsistent;
	/* Right after the dump, so the counters go with the sockets. */
	collector_counters(c);
	if (st.record_errno != 0)
		/* Reported once: the recording has stopped. */
		snprintf(c->err, sizeof c->err, "--record %s: %s; "
		    "recording stopped", c->o->record,
		    strerror(st.record_errno));
	return COLLECT_OK;
}

int
collector_refresh(struct collector *c, const struct filter *f)
{
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &c->feed };
	const struct transfeed_stats *ts;
	int64_t start_ns = clock_ns(CLOCK_MONOTONIC), dumped_ns;
	int rc, full;

	c->refresh_ns = start_ns;
	c->feed.tab = c->tab;
	c->feed.begun = 0;
	c->err[0] = '\0';
	full = c->rp != NULL || collector_events_full_due(c);
	if (!full) {
		/* Everything the sources hold names what changed; the
		 * counters say whether request sockets must be looked
		 * for. */
		collector_drain(c);
		c->snap.fields.now_ms = clock_mono_ms();
		collector_counters(c);
		rc = collector_events_refresh(c, f) == 0 ? COLLECT_OK :
		    collector_dump_failed(c);
	} else
		rc = c->rp != NULL ? collector_replay(c, f, &sink) :
		    collector_dump(c, f, &sink);
	if (rc != COLLECT_OK)
		return rc;
	dumped_ns = clock_ns(CLOCK_MONOTONIC);
	conntab_end_scan(c->tab);
	if (c->cgroups != NULL)
		cgroup_map_update(c->cgroups, c->snap.fields.now_ms);
	if (c->proc != NULL)
		proc_update(c->proc, c->tab);
	/* Everything before the dump began is in the kernel's buffers by
	 * now: take it, then reconcile. */
	collector_drain(c);
	collector_losses(c);
	if (full)
		collector_events_full(c, start_ns);
	trans_clear_events(c->trans);
	transfeed_refresh(c->tf, c->tab, f, c->snap.fields.now_ms,
	    c->snap.realtime_ns);
	ts = transfeed_stats(c->tf);
	log_debug("transitions: %lu held, %lu ours, %lu foreign, %lu "
	    "filtered, %lu into TIME_WAIT, %lu closes notified", ts->held,
	    ts->confirmed, ts->foreign, ts->filtered, ts->timewait,
	    ts->destroyed);
	collector_ssh_find(c);
	collector_alerts_eval(c, f);
	collector_trim(c);
	c->snap.good++;
	collector_timing(c, start_ns, dumped_ns);
	return COLLECT_OK;
}

void
collector_owners_async(struct collector *c)
{
	if (c->proc != NULL)
		proc_set_async(c->proc, 1);
}

int
collector_owners_step(struct collector *c, int64_t budget_ns)
{
	return c->proc != NULL && proc_step(c->proc, c->tab, budget_ns);
}

int64_t
collector_owners_at(const struct collector *c)
{
	return c->proc != NULL ? proc_step_at(c->proc) : INT64_MAX;
}

size_t
collector_lookup(struct collector *c, const struct conn *row,
    struct diag_field *out, size_t max, const char **note)
{
	struct diag *d;
	int n;

	*note = "";
	if (c->d == NULL) {
		*note = "not in a recording: the kernel is asked live, for "
		    "the selected socket only";
		return 0;
	}
	if (row->flags & CONN_GONE) {
		*note = "the socket is gone";
		return 0;
	}
	if ((d = collector_netns_diag(c, row->s.netns)) == NULL) {
		*note = "the socket is gone with its namespace";
		return 0;
	}
	n = diag_lookup(d, &row->s, out, max);
	if (n == -1) {
		*note = errno == ENOENT ? "the socket is gone" :
		    "the kernel did not answer";
		log_debug("lookup: %s", strerror(errno));
		return 0;
	}
	if (n == 0)
		*note = row->s.state == TCP_TIME_WAIT ||
		    row->s.state == TCP_SYN_RECV ? "none: the kernel keeps a "
		    "minisocket without tcp_info for this state" :
		    "none for this socket";
	return (size_t)n;
}

/* Destroy item it once, recording the result.  Returns 1 when it went. */
static int
collector_destroy_one(struct collector *c, struct kill_item *it)
{
	struct diag *d = collector_netns_diag(c, it->s.netns);
	int st;

	/* SOCK_DESTROY finds the socket by cookie and 4-tuple whatever its
	 * state: one that left the listed state since the preview (a
	 * connection closed by its peer, now CLOSE_WAIT) is asked for
	 * first and kept.  Gone (ENOENT): the destroy says so itself, and
	 * finds a listener hidden behind an SO_REUSEPORT sibling.  What
	 * remains is the microseconds between the two requests. */
	st = diag_state(d, &it->s);
	if (st >= 0 && !kill_check_state(it, st)) {
		log_debug("destroy cookie %llu: %s",
		    (unsigned long long)it->s.cookie, kill_result(it));
		return 0;
	}
	if (st < 0 && errno != ENOENT) {
		it->err = errno;
		log_debug("destroy cookie %llu: state check: %s",
		    (unsigned long long)it->s.cookie, strerror(errno));
		return 0;
	}
	/* Through the socket of the row's own namespace (--all-netns). */
	it->err = diag_destroy(d, &it->s) == 0 ? 0 : errno;
	log_debug("destroy cookie %llu: %s", (unsigned long long)it->s.cookie,
	    kill_result(it));
	return it->err == 0;
}

/* The kernel finds a listener by its address, and among SO_REUSEPORT
 * listeners sharing one it always picks the same: the others look gone
 * (their cookie does not match) until that one went.  So listeners not
 * found are tried again as long as others go. */
void
collector_destroy(struct collector *c, struct kill_list *k)
{
	size_t i;
	int progress = 0;

	for (i = 0; i < k->n; i++)
		if (k->items[i].err == KILL_PENDING) {
			if (c->d == NULL)
				k->items[i].err = EOPNOTSUPP;
			else
				progress |= collector_destroy_one(c,
				    &k->items[i]);
		}
	while (progress && k->listeners > 0) {
		progress = 0;
		for (i = 0; i < k->n; i++)
			if (k->items[i].err == ENOENT &&
			    k->items[i].s.state == TCP_LISTEN)
				progress |= collector_destroy_one(c,
				    &k->items[i]);
	}
}
