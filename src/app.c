/* The refresh loop: dump (or replay) into the model and its transition
 * engine, build the view, print a report (batch).  Deadlines are
 * absolute, so refreshes do not drift.  app_ui.c is the interactive
 * loop, app_lesson.c the lesson. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/app.h"
#include "tcptop/diag_file.h"
#include "tcptop/group.h"
#include "tcptop/kstat.h"
#include "tcptop/log.h"
#include "tcptop/proc.h"
#include "tcptop/netns.h"
#include "tcptop/trace.h"
#include "tcptop/transfeed.h"
#include "tcptop/xmalloc.h"

#include "app_int.h"

volatile sig_atomic_t app_signal;

static void
app_on_signal(int sig)
{
	app_signal = sig;
}

int64_t
app_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "exact" or "sampled every D s", for JSON and the screen. */
void
app_trans_describe(struct app_src *a, double delay)
{
	trans_describe(a->trans_sources, delay, a->trans_source,
	    sizeof a->trans_source);
}

/* The width of the rate window: the diagram's flash and rates. */
#define APP_TRANS_WINDOW_MS 10000

/* Open the transition sources of a live run: the tracepoint unless told
 * not to, the destroy notifications; the refreshes always.  What is not
 * available is said in the log and in JSON, never fatal. */
static void
app_trans_open(struct app_src *a, const struct options *o)
{
	size_t ncpu;

	a->trans_sources = 1u << TRANS_SRC_DIFF;
	a->trans_note[0] = '\0';
	if (a->d != NULL && o->all_netns)
		/* The tracepoint joins by 4-tuple, which many namespaces
		 * may share; notifications are one namespace's. */
		snprintf(a->trans_note, sizeof a->trans_note, "--all-netns "
		    "samples: the tracepoint carries no namespace");
	else if (a->d != NULL) {
		a->notify = diag_notify_open();
		if (a->notify != NULL)
			a->trans_sources |= 1u << TRANS_SRC_DESTROY;
		else
			log_debug("destroy notifications: %s",
			    strerror(errno));
		if (o->no_trace)
			snprintf(a->trans_note, sizeof a->trans_note,
			    "--no-trace");
		else
			a->trace = trace_open(a->trans_note,
			    sizeof a->trans_note);
		if (a->trace != NULL)
			a->trans_sources |= 1u << TRANS_SRC_TRACE;
		else
			log_debug("tracepoint: %s", a->trans_note);
	} else
		snprintf(a->trans_note, sizeof a->trans_note, "a recording "
		    "has no tracepoint");
	a->trans = trans_new(APP_TRANS_WINDOW_MS);
	a->tf = transfeed_new(a->trans, a->trace != NULL);
	/* Slot 0 is the terminal's (unused in batch mode), then the
	 * notifications, then one per CPU buffer of the tracepoint. */
	ncpu = a->trace != NULL ? trace_pollfds(a->trace, NULL, 0) : 0;
	a->pfd = xcalloc(2 + ncpu, sizeof *a->pfd);
	a->npfd = 1;
	if (a->notify != NULL) {
		a->pfd[a->npfd].fd = diag_notify_fd(a->notify);
		a->pfd[a->npfd++].events = POLLIN;
	}
	if (a->trace != NULL)
		a->npfd += trace_pollfds(a->trace, a->pfd + a->npfd, ncpu);
	a->r.trans = a->trans;
	a->r.trans_source = a->trans_source;
	a->r.trans_note = a->trans_note[0] != '\0' ? a->trans_note : NULL;
	app_trans_describe(a, o->delay);
}

static void
app_trans_close(struct app_src *a)
{
	trace_close(a->trace);
	diag_notify_close(a->notify);
	transfeed_free(a->tf);
	trans_free(a->trans);
	free(a->pfd);
}

static void
app_on_destroy(void *arg, const struct conn_sample *s)
{
	struct app_src *a = arg;

	transfeed_destroy(a->tf, s, app_clock_ns(CLOCK_MONOTONIC) / 1000000,
	    app_clock_ns(CLOCK_REALTIME));
}

static void
app_on_trace(void *arg, const struct trans_event *e, uint64_t skaddr)
{
	struct app_src *a = arg;

	transfeed_trace(a->tf, e, skaddr);
}

/* Whether source descriptor i has something to read.  One that fails
 * (POLLERR, POLLNVAL) is dropped from the poll set, so it cannot spin
 * the loop; the refreshes still read it. */
int
app_source_ready(struct app_src *a, size_t i)
{
	short ev = a->pfd[i].revents;

	if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
		log_debug("source descriptor %d: revents %#x, no longer "
		    "polled", a->pfd[i].fd, (unsigned)ev);
		a->pfd[i].fd = -1;
		return 0;
	}
	return (ev & POLLIN) != 0;
}

/* Take in what the live sources have: called when their descriptors
 * are readable and after each dump, so nothing waits in a kernel buffer
 * long enough to be lost. */
void
app_trans_drain(struct app_src *a)
{
	if (a->notify != NULL && diag_notify_read(a->notify, app_on_destroy,
	    a) == -1)
		log_debug("destroy notifications: %s", strerror(errno));
	if (a->trace != NULL && trace_read(a->trace, app_on_trace, a) == -1)
		log_debug("tracepoint: %s", strerror(errno));
}


/* The live extras: the kernel's counters, of the namespace the sockets
 * come from (opened while inside -N's), and the operator's SSH session,
 * which is in tcptop's own namespace: not in view with -N.  Neither is
 * fatal: what is missing is said in the log and shows as unknown. */
static void
app_kstat_open(struct app_src *a, const struct options *o)
{
	const char *env = getenv("SSH_CONNECTION");
	char err[256];

	a->kstat = kstat_new();
	if (kstat_open(a->kstat, err, sizeof err) == -1)
		log_debug("kernel counters: %s", err);
	a->r.kstat = a->kstat;
	if (ssh_parse(env, &a->ssh) == 0) {
		a->ssh.elsewhere = o->netns != NULL;
		a->r.ssh = &a->ssh;
	}
	else if (env != NULL)
		log_debug("SSH_CONNECTION ignored: not \"client port server "
		    "port\"");
}

/* Open the source.  Returns 0, or the exit status after printing why. */
int
app_src_open(struct app_src *a, const struct options *o, const char *host)
{
	memset(a, 0, sizeof *a);
	a->nsfd = -1;
	a->o = o;
	a->r.host = host;
	if (o->replay != NULL) {
		a->rp = diag_replay_open(o->replay, a->err, sizeof a->err);
		if (a->rp == NULL) {
			fprintf(stderr, "tcptop: --replay %s\n", a->err);
			return 2;
		}
	} else {
		/* On a failure from here on, what was opened is closed
		 * again (app_src_close takes a half-open source). */
		int status = app_netns_open(a, o);

		if (status != 0)
			return app_src_close(a, status);
		a->d = diag_open();
		if (a->d == NULL) {
			fprintf(stderr, "tcptop: cannot open sock_diag netlink "
			    "socket: %s\n", strerror(errno));
			return app_src_close(a, 1);
		}
		a->cgroups = cgroup_map_new(NULL);
		if (o->record != NULL) {
			a->rec = fopen(o->record, "wb");
			if (a->rec == NULL || diag_record(a->d, a->rec) == -1) {
				fprintf(stderr, "tcptop: --record %s: %s\n",
				    o->record, strerror(errno));
				if (a->rec != NULL)
					fclose(a->rec);
				a->rec = NULL;
				return app_src_close(a, 2);
			}
		}
	}
	a->tab = conntab_new((int64_t)(o->tombstone * 1000));
	/* A recording has no processes to look at. */
	if (a->d != NULL)
		a->proc = proc_new();
	a->r.fields.proc = a->proc;
	a->r.proc_note = a->proc == NULL ? "a recording has no processes" :
	    !proc_privileged() ? "not root: other users' sockets are hidden" :
	    NULL;
	app_trans_open(a, o);
	/* Still inside -N's namespace: the counters are the viewed
	 * one's. */
	if (a->d != NULL)
		app_kstat_open(a, o);
	/* Before app_netns_opened: with -N the limits' files are opened
	 * inside the viewed namespace, as the dump's socket is. */
	a->alerts = alerts_new();
	alerts_defaults(a->alert_thresh);
	app_netns_opened(a);
	a->r.fields.netns = a->nstab;
	a->r.fields.cgroups = a->cgroups;
	a->r.cols = o->cols;
	a->r.ncols = o->ncols;
	return 0;
}

/* Close the source.  Returns status, or 1 when closing the recording
 * failed (the reason printed: the terminal is restored by then). */
int
app_src_close(struct app_src *a, int status)
{
	if (a->rec != NULL) {
		int bad = ferror(a->rec);

		errno = 0;
		if ((fclose(a->rec) != 0 || bad) && status == 0) {
			fprintf(stderr, "tcptop: --record %s: %s\n",
			    a->o->record, strerror(errno != 0 ? errno : EIO));
			status = 1;
		}
	}
	app_trans_close(a);
	proc_free(a->proc);
	kstat_free(a->kstat);
	alerts_free(a->alerts);
	conntab_free(a->tab);
	diag_close(a->d);
	app_netns_close(a);
	cgroup_map_free(a->cgroups);
	diag_replay_close(a->rp);
	return status;
}

/* The thresholds tcptoprc gives; the defaults stay for the others. */
void
app_alerts_settings(struct app_src *a, const struct settings *s)
{
	int k;

	for (k = 0; k < ALERT_NKINDS; k++)
		if (s->alert_set & (1u << k))
			a->alert_thresh[k] = s->alert[k];
}

static const char *
app_alerts_netns(void *arg, uint16_t idx)
{
	return netns_tab_label(arg, idx);
}

/* Who holds c, for an alert's evidence: "nginx/812", as the process
 * groups name it.  The command is sanitized by proc.c. */
static const char *
app_alerts_owner(void *arg, const struct conn *c, char *buf, size_t len)
{
	const struct proc_owner *o;
	int b;

	if ((o = proc_owner(arg, c, &b)) == NULL)
		return NULL;
	snprintf(buf, len, "%s/%ld", o->comm, (long)o->pid);
	return buf;
}

/* The refresh's alerts, into the report. */
static void
app_alerts_eval(struct app_src *a)
{
	struct alert_input in;

	memset(&in, 0, sizeof in);
	in.rows = conntab_rows(a->tab, &in.n);
	in.now_ms = a->r.fields.now_ms;
	/* The kernel's counters of the viewed namespace, -1 while they
	 * have no rate (the first refresh, a replay). */
	in.listen_overflows = in.listen_drops = in.syncookies_sent = -1;
	if (a->kstat != NULL) {
		in.listen_overflows = kstat_rate(a->kstat,
		    KSTAT_LISTEN_OVERFLOWS);
		in.listen_drops = kstat_rate(a->kstat, KSTAT_LISTEN_DROPS);
		in.syncookies_sent = kstat_rate(a->kstat,
		    KSTAT_SYNCOOKIES_SENT);
	}
	if (a->proc != NULL) {
		in.owner = app_alerts_owner;
		in.owner_arg = a->proc;
	}
	/* A recording's limits are not this host's. */
	if (a->rp == NULL)
		alerts_limits_read(a->alerts, &in.limits);
	else {
		in.limits.port_lo = in.limits.port_hi = -1;
		in.limits.max_tw_buckets = in.limits.max_orphans = -1;
	}
	in.thresh = a->alert_thresh;
	if (a->o->all_netns && a->nstab != NULL) {
		in.netns_label = app_alerts_netns;
		in.netns_arg = a->nstab;
	}
	a->r.nalerts = alerts_eval(a->alerts, &in, &a->r.alerts,
	    &a->r.alerts_more);
}

/* One refresh of the model with the sockets f selects. */
int
app_src_refresh(struct app_src *a, const struct filter *f)
{
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &a->feed };
	struct diag_query q = { f, 1 };

	a->feed.tab = a->tab;
	a->feed.begun = 0;
	a->err[0] = '\0';
	if (a->rp != NULL) {
		struct diag_stats st;
		int64_t rt, mono;
		int rc;

		a->feed.mono_ns = &st.mono_ns;
		rc = diag_replay_next(a->rp, f, &sink, &rt, &mono, &st, a->err,
		    sizeof a->err);
		if (rc <= 0)
			return rc == 0 ? APP_END : APP_CORRUPT;
		a->r.realtime_ns = rt;
		a->r.fields.now_ms = mono / 1000000;
		a->r.source = "replay";
		a->r.dumped = st.messages;
		a->r.inconsistent = st.inconsistent;
	} else {
		struct diag_stats sum, *st = &sum;

		a->feed.mono_ns = &diag_last_stats(a->d)->mono_ns;
		if (app_netns_dump(a, &q, &sink, &sum) == -1) {
			snprintf(a->err, sizeof a->err, "%s",
			    diag_last_error(a->d)[0] ? diag_last_error(a->d) :
			    strerror(errno));
			/* Keep the last good table: the next dump takes this
			 * partial scan over. */
			if (a->feed.begun)
				conntab_abort_scan(a->tab);
			return APP_FAIL;
		}
		a->r.realtime_ns = st->realtime_ns;
		a->r.fields.now_ms = st->mono_ns / 1000000;
		a->r.source = "kernel";
		a->r.dumped = st->messages;
		a->r.inconsistent = st->inconsistent;
		/* Right after the dump, so the counters go with the
		 * sockets. */
		if (a->kstat != NULL && kstat_read(a->kstat, a->r.fields.now_ms) == -1)
			log_debug("kernel counters: %s", strerror(errno));
		if (st->record_errno != 0)
			/* Reported once: the recording has stopped. */
			snprintf(a->err, sizeof a->err, "--record %s: %s; "
			    "recording stopped", a->o->record,
			    strerror(st->record_errno));
	}
	conntab_end_scan(a->tab);
	if (a->cgroups != NULL)
		cgroup_map_update(a->cgroups, a->r.fields.now_ms);
	if (a->proc != NULL)
		proc_update(a->proc, a->tab);
	/* Everything before the dump began is in the kernel's buffers by
	 * now: take it, then reconcile. */
	app_trans_drain(a);
	trans_clear_events(a->trans);
	transfeed_refresh(a->tf, a->tab, f, a->r.fields.now_ms, a->r.realtime_ns);
	{
		const struct transfeed_stats *ts = transfeed_stats(a->tf);

		log_debug("transitions: %lu held, %lu ours, %lu foreign, "
		    "%lu filtered, %lu into TIME_WAIT, %lu closes notified",
		    ts->held, ts->confirmed, ts->foreign, ts->filtered,
		    ts->timewait, ts->destroyed);
	}
	app_alerts_eval(a);
	a->good++;
	return APP_OK;
}

/* Sleep until the monotonic deadline, or until a signal, taking in
 * what the transition sources have as it comes. */
static void
app_sleep_until(struct app_src *a, int64_t deadline_ns)
{
	while (!app_signal) {
		int64_t now = app_clock_ns(CLOCK_MONOTONIC);
		int timeout;

		if (now >= deadline_ns)
			break;
		timeout = (int)((deadline_ns - now + 999999) / 1000000);
		if (a->npfd <= 1) {
			struct timespec ts = {
				.tv_sec = deadline_ns / 1000000000,
				.tv_nsec = deadline_ns % 1000000000,
			};

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
			    NULL);
			continue;
		}
		if (poll(a->pfd + 1, a->npfd - 1, timeout) > 0) {
			size_t i;

			for (i = 1; i < a->npfd; i++)
				if (app_source_ready(a, i)) {
					app_trans_drain(a);
					break;
				}
		}
	}
}

void
app_column_ctx(const struct app_src *a, struct field_ctx *cx)
{
	*cx = a->r.fields;
}

/* One report of v: its rows, or with --group its groups. */
static int
app_report(struct app_src *a, const struct options *o, struct view *v,
    struct groups *g)
{
	struct field_ctx cx;

	app_column_ctx(a, &cx);

	if (o->group == GROUP_NONE)
		return o->json ? output_json(stdout, &a->r, v) :
		    output_text(stdout, &a->r, v);
	group_build(g, o->group, v, a->tab, &cx);
	return o->json ? output_groups_json(stdout, &a->r, v, g) :
	    output_groups_text(stdout, &a->r, v, g);
}

/* Batch reads only the alert thresholds of tcptoprc: the rest is the
 * interactive view's, and batch never writes the file. */
static void
app_alerts_load(struct app_src *a)
{
	struct settings s;
	char path[4096], warn[256];

	if (settings_path(path, sizeof path) == -1)
		return;
	if (settings_load(&s, path, warn, sizeof warn) == -1) {
		fprintf(stderr, "tcptop: %s (default alert thresholds used)\n",
		    warn);
		return;
	}
	app_alerts_settings(a, &s);
}

static int
app_run_batch(struct app_src *a, const struct options *o)
{
	struct view v;
	struct groups g;
	int64_t next_ns = app_clock_ns(CLOCK_MONOTONIC);
	long done = 0;
	int status = 0, rc;

	view_init(&v);
	group_init(&g);
	app_alerts_load(a);
	while (!app_signal) {
		rc = app_src_refresh(a, &o->filter);
		if (rc == APP_END)
			break;
		if (rc == APP_CORRUPT) {
			fprintf(stderr, "tcptop: --replay %s\n", a->err);
			status = 2;
			break;
		}
		if (a->err[0] != '\0')
			fprintf(stderr, "tcptop: %s\n", a->err);
		if (rc == APP_FAIL && a->good == 0) {
			status = 1;
			break;
		}
		if (rc == APP_OK) {
			if (a->err[0] != '\0')
				status = 1;	/* the recording failed */
			view_build(&v, a->tab, &o->filter, o->sort_key,
			    o->sort_reverse, 0);
			errno = 0;
			if (app_report(a, o, &v, &g) == -1 ||
			    fflush(stdout) != 0) {
				fprintf(stderr, "tcptop: writing the report: "
				    "%s\n", strerror(errno != 0 ? errno : EIO));
				status = 1;
				break;
			}
		}
		if (o->iterations > 0 && ++done >= o->iterations)
			break;
		if (a->rp != NULL)
			continue;	/* a replay runs at full speed */
		next_ns += (int64_t)(o->delay * 1e9);
		if (next_ns < app_clock_ns(CLOCK_MONOTONIC))
			next_ns = app_clock_ns(CLOCK_MONOTONIC);
		app_sleep_until(a, next_ns);
	}
	view_done(&v);
	group_done(&g);
	return status;
}

int
app_run(const struct options *o)
{
	char host[256];
	struct app_src a;
	struct sigaction sa;
	int status;

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	if (o->log != NULL && log_open(o->log) == -1) {
		fprintf(stderr, "tcptop: -v %s: %s\n", o->log, strerror(errno));
		return 2;
	}
	/* Before the lesson's namespace exists: a signal must not leave it
	 * behind. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o->lesson)
		return app_lesson(o, host);
	status = app_src_open(&a, o, host);
	if (status != 0)
		return status;

	if (o->kill)
		status = app_run_kill(&a, o);
	else if (o->batch || !isatty(STDOUT_FILENO))
		status = app_run_batch(&a, o);
	else
		status = app_run_ui(&a, o, NULL);
	status = app_src_close(&a, status);
	log_close();
	return status;
}
