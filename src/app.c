/* The refresh loops: dump (or replay) into the model, build the view,
 * then print a report (batch) or draw the screen and take keys
 * (interactive).  Deadlines are absolute, so refreshes do not drift, and
 * the interactive loop blocks in poll() until a key or the next one. */
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcptop/app.h"
#include "tcptop/conntab.h"
#include "tcptop/diagram.h"
#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/lesson.h"
#include "tcptop/log.h"
#include "tcptop/output.h"
#include "tcptop/settings.h"
#include "tcptop/trace.h"
#include "tcptop/trans.h"
#include "tcptop/transfeed.h"
#include "tcptop/tui.h"
#include "tcptop/ui.h"
#include "tcptop/view.h"
#include "tcptop/xmalloc.h"

static volatile sig_atomic_t app_signal;

static void
app_on_signal(int sig)
{
	app_signal = sig;
}

static int64_t
app_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Where the sockets come from, and the model they go into. */
struct app_src {
	const struct options *o;
	struct diag *d;			/* live, or */
	struct diag_replay *rp;		/* a recording */
	FILE *rec;
	struct conntab *tab;
	struct conntab_feed feed;
	struct output_report r;		/* of the last good refresh */
	long good;			/* refreshes that worked */
	char err[256];			/* why the last one failed */
	/* Transitions: the engine, its feed and its live sources. */
	struct trans *trans;
	struct transfeed *tf;
	struct trace *trace;		/* NULL: not in use */
	struct diag_notify *notify;	/* NULL: not in use */
	unsigned trans_sources;		/* 1 << TRANS_SRC_* in use */
	char trans_note[160];		/* why there is no trace, or "" */
	char trans_source[48];		/* trans_describe's text */
	struct pollfd *pfd;		/* the sources' descriptors, after */
	size_t npfd;			/* the terminal's slot 0 */
};

/* "exact" or "sampled every D s", for JSON and the screen. */
static void
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
	if (a->d != NULL) {
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
static int
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
static void
app_trans_drain(struct app_src *a)
{
	if (a->notify != NULL && diag_notify_read(a->notify, app_on_destroy,
	    a) == -1)
		log_debug("destroy notifications: %s", strerror(errno));
	if (a->trace != NULL && trace_read(a->trace, app_on_trace, a) == -1)
		log_debug("tracepoint: %s", strerror(errno));
}


/* Open the source.  Returns 0, or the exit status after printing why. */
static int
app_src_open(struct app_src *a, const struct options *o, const char *host)
{
	memset(a, 0, sizeof *a);
	a->o = o;
	a->r.host = host;
	if (o->replay != NULL) {
		a->rp = diag_replay_open(o->replay, a->err, sizeof a->err);
		if (a->rp == NULL) {
			fprintf(stderr, "tcptop: --replay %s\n", a->err);
			return 2;
		}
	} else {
		a->d = diag_open();
		if (a->d == NULL) {
			fprintf(stderr, "tcptop: cannot open sock_diag netlink "
			    "socket: %s\n", strerror(errno));
			return 1;
		}
		if (o->record != NULL) {
			a->rec = fopen(o->record, "wb");
			if (a->rec == NULL || diag_record(a->d, a->rec) == -1) {
				fprintf(stderr, "tcptop: --record %s: %s\n",
				    o->record, strerror(errno));
				if (a->rec != NULL)
					fclose(a->rec);
				diag_close(a->d);
				return 2;
			}
		}
	}
	a->tab = conntab_new((int64_t)(o->tombstone * 1000));
	app_trans_open(a, o);
	return 0;
}

/* Close the source.  Returns status, or 1 when closing the recording
 * failed (the reason printed: the terminal is restored by then). */
static int
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
	conntab_free(a->tab);
	diag_close(a->d);
	diag_replay_close(a->rp);
	return status;
}

enum {
	APP_OK = 0,
	APP_END = 1,		/* the replay has no more refreshes */
	APP_FAIL = -1,		/* the dump failed; a->err says why */
	APP_CORRUPT = -2,	/* the recording is corrupt */
};

/* One refresh of the model with the sockets f selects. */
static int
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
		a->r.now_ms = mono / 1000000;
		a->r.source = "replay";
		a->r.dumped = st.messages;
		a->r.inconsistent = st.inconsistent;
	} else {
		const struct diag_stats *st = diag_last_stats(a->d);

		a->feed.mono_ns = &st->mono_ns;
		if (diag_dump(a->d, &q, &sink) == -1) {
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
		a->r.now_ms = st->mono_ns / 1000000;
		a->r.source = "kernel";
		a->r.dumped = st->messages;
		a->r.inconsistent = st->inconsistent;
		if (st->record_errno != 0)
			/* Reported once: the recording has stopped. */
			snprintf(a->err, sizeof a->err, "--record %s: %s; "
			    "recording stopped", a->o->record,
			    strerror(st->record_errno));
	}
	conntab_end_scan(a->tab);
	/* Everything before the dump began is in the kernel's buffers by
	 * now: take it, then reconcile. */
	app_trans_drain(a);
	trans_clear_events(a->trans);
	transfeed_refresh(a->tf, a->tab, f, a->r.now_ms, a->r.realtime_ns);
	{
		const struct transfeed_stats *ts = transfeed_stats(a->tf);

		log_debug("transitions: %lu held, %lu ours, %lu foreign, "
		    "%lu filtered, %lu into TIME_WAIT, %lu closes notified",
		    ts->held, ts->confirmed, ts->foreign, ts->filtered,
		    ts->timewait, ts->destroyed);
	}
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

static int
app_run_batch(struct app_src *a, const struct options *o)
{
	struct view v;
	int64_t next_ns = app_clock_ns(CLOCK_MONOTONIC);
	long done = 0;
	int status = 0, rc;

	view_init(&v);
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
			if ((o->json ? output_json(stdout, &a->r, &v) :
			    output_text(stdout, &a->r, &v)) == -1 ||
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
	return status;
}

/* Wait for a line on standard input, prompting on a terminal.  Returns 1
 * for a line, 0 at end of input, -1 on a signal or an error. */
static int
app_lesson_wait(int prompt)
{
	char c;
	ssize_t n;

	if (prompt) {
		fputs("-- Enter: next step, Ctrl-C: end --", stdout);
		fflush(stdout);
	}
	for (;;) {
		n = read(STDIN_FILENO, &c, 1);
		if (app_signal)
			return -1;
		if (n == 0)
			return 0;
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n == 1 && c == '\n')
			return 1;
	}
}

/* The lesson as reports: each step, then the step's description and a
 * report of the lesson's sockets.  Paced by lines on standard input with
 * --lesson-wait or at a terminal, else straight through. */
static int
app_run_lesson(struct app_src *a, const struct options *o, struct lesson *l,
    const struct filter *f)
{
	struct lesson_info li;
	struct view v;
	char err[512];
	int status = 0, rc, pace, prompt;

	prompt = !o->batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	pace = o->lesson_wait || prompt;
	view_init(&v);
	lesson_current(l, &li);
	if (!o->json) {
		printf("tcptop lesson: %d steps, %s%s\n", li.nsteps,
		    lesson_netns(l) != NULL ? "in network namespace " :
		    "on the host's loopback", lesson_netns(l) != NULL ?
		    lesson_netns(l) : "");
		if (li.note[0] != '\0')
			printf("  (%s)\n", li.note);
	} else if (li.note[0] != '\0')
		fprintf(stderr, "tcptop: lesson: %s\n", li.note);
	while (!app_signal) {
		/* After the last step too: the sockets stay until then. */
		if (pace && app_lesson_wait(prompt) != 1)
			break;
		rc = lesson_step(l, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == -1) {
			if (errno != EINTR) {
				fprintf(stderr, "tcptop: lesson: %s\n", err);
				status = 1;
			}
			break;
		}
		rc = app_src_refresh(a, f);
		if (rc != APP_OK) {
			fprintf(stderr, "tcptop: %s\n", a->err);
			status = 1;
			break;
		}
		view_build(&v, a->tab, f, o->sort_key, o->sort_reverse, 0);
		lesson_current(l, &li);
		errno = 0;
		if ((o->json ? output_lesson_json(stdout, &li,
		    lesson_netns(l)) == -1 || output_json(stdout, &a->r,
		    &v) == -1 : output_lesson_text(stdout, &li,
		    lesson_netns(l)) == -1 || output_text(stdout, &a->r,
		    &v) == -1) || fflush(stdout) != 0) {
			fprintf(stderr, "tcptop: writing the report: %s\n",
			    strerror(errno != 0 ? errno : EIO));
			status = 1;
			break;
		}
	}
	view_done(&v);
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
	return status;
}

/* Settings file: it gives what the command line did not.  *s gets what
 * the file held. */
static int
app_settings_load(struct tui *t, const struct options *o, char *path,
    size_t len, struct settings *s0)
{
	struct settings s;
	char warn[256], err[160];
	int rc;

	memset(s0, 0, sizeof *s0);
	if (settings_path(path, len) == -1)
		return -1;
	rc = settings_load(&s, path, warn, sizeof warn);
	*s0 = s;
	if (rc == -1) {
		tui_message(t, 1, "%s (defaults used, file left alone)", warn);
		log_debug("settings %s: %s", path, warn);
		return -1;
	}
	if (warn[0] != '\0')
		tui_message(t, 0, "%s", warn);
	if ((s.set & SETTINGS_SORT) && !(o->given & OPTIONS_GIVEN_SORT))
		t->sort_key = s.sort_key;
	if ((s.set & SETTINGS_REVERSE) && !(o->given & OPTIONS_GIVEN_REVERSE))
		t->sort_reverse = s.sort_reverse;
	if ((s.set & SETTINGS_DELAY) && !(o->given & OPTIONS_GIVEN_DELAY))
		t->delay = s.delay;
	/* NO_COLOR and --no-color win over the file. */
	if ((s.set & SETTINGS_COLOR) && !o->no_color)
		t->color = s.color;
	if ((s.set & SETTINGS_ASCII) && !(o->given & OPTIONS_GIVEN_ASCII))
		t->ascii = s.ascii;
	if ((s.set & SETTINGS_COLUMNS) && !(o->given & OPTIONS_GIVEN_COLUMNS) &&
	    column_parse_list(s.columns, t->cols, &t->ncols, COL_NCOLS, err,
	    sizeof err) == -1)
		tui_message(t, 1, "tcptoprc: columns: %s (defaults used)",
		    err);
	return 0;
}

/* Save what the session chose.  A value that came from the command line
 * and was not changed on screen is not a setting: the file keeps what it
 * had (one "tcptop --ascii" must not make ASCII permanent), and so does a
 * colour choice forced by NO_COLOR. */
static void
app_settings_save(const struct tui *t, const struct options *o,
    const struct settings *s0, const char *path, char *err, size_t errlen)
{
	struct settings s = *s0;
	uint8_t cols[COL_NCOLS];
	size_t ncols;
	char perr[160];

	if (!(o->given & OPTIONS_GIVEN_SORT) || t->sort_key != o->sort_key) {
		s.set |= SETTINGS_SORT;
		s.sort_key = t->sort_key;
	}
	if (!(o->given & OPTIONS_GIVEN_REVERSE) ||
	    t->sort_reverse != o->sort_reverse) {
		s.set |= SETTINGS_REVERSE;
		s.sort_reverse = t->sort_reverse;
	}
	if (!(o->given & OPTIONS_GIVEN_DELAY) || t->delay != o->delay) {
		s.set |= SETTINGS_DELAY;
		s.delay = t->delay;
	}
	if (!(o->given & OPTIONS_GIVEN_ASCII) || t->ascii != o->ascii) {
		s.set |= SETTINGS_ASCII;
		s.ascii = t->ascii;
	}
	if (!o->no_color || t->color != !o->no_color) {
		s.set |= SETTINGS_COLOR;
		s.color = t->color;
	}
	if (!(o->given & OPTIONS_GIVEN_COLUMNS) || t->ncols != o->ncols ||
	    memcmp(t->cols, o->cols, o->ncols) != 0) {
		s.set |= SETTINGS_COLUMNS;
		column_fmt_list(t->cols, t->ncols, s.columns,
		    sizeof s.columns);
	} else if ((s.set & SETTINGS_COLUMNS) && column_parse_list(s.columns,
	    cols, &ncols, COL_NCOLS, perr, sizeof perr) == -1)
		s.set &= ~(unsigned)SETTINGS_COLUMNS;	/* was bad: drop it */
	err[0] = '\0';
	settings_save(&s, path, err, errlen);
}

/* The detail view's fields: the kernel's full answer for the selected
 * socket, asked again at each refresh (a replay has only what it
 * recorded). */
static void
app_detail(struct app_src *a, const struct tui *t, struct ui_frame *fr,
    struct ui_field *out, size_t max)
{
	struct diag_field df[DIAG_LOOKUP_MAX];
	const struct conn *c = tui_selected(t);
	int n, i;

	fr->fields = out;
	fr->nfields = 0;
	fr->fields_note = "";
	if (t->mode != TUI_DETAIL || c == NULL)
		return;
	if (a->d == NULL) {
		fr->fields_note = "not in a recording: the kernel is asked "
		    "live, for the selected socket only";
		return;
	}
	if (c->flags & CONN_GONE) {
		fr->fields_note = "the socket is gone";
		return;
	}
	n = diag_lookup(a->d, &c->s, df, max < DIAG_LOOKUP_MAX ? max :
	    DIAG_LOOKUP_MAX);
	if (n == -1) {
		fr->fields_note = errno == ENOENT ? "the socket is gone" :
		    "the kernel did not answer";
		log_debug("lookup: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		fr->fields_note = c->s.state == TCP_TIME_WAIT ||
		    c->s.state == TCP_SYN_RECV ? "none: the kernel keeps a "
		    "minisocket without tcp_info for this state" :
		    "none for this socket";
		return;
	}
	for (i = 0; i < n; i++) {
		out[i].name = df[i].name;
		out[i].unit = df[i].unit;
		out[i].value = df[i].value;
		out[i].text = df[i].text;
	}
	fr->nfields = (size_t)n;
}

/* When the diagram's next frame is due (monotonic ns), INT64_MAX when
 * it is not shown or nothing on it moves. */
static int64_t
app_anim_deadline(const struct tui *t, const struct trans *tr,
    int64_t anim_ms, int64_t now_ns)
{
	int64_t next;

	if (!t->diagram ||
	    !(t->mode & (TUI_LIST | TUI_SORT | TUI_EXPLAIN)))
		return INT64_MAX;
	next = diagram_next_frame(tr, anim_ms);
	if (next == INT64_MAX)
		return INT64_MAX;
	return now_ns + (next - anim_ms) * 1000000;
}

static int
app_keep(void *arg, const struct conn_sample *s)
{
	return filter_match(arg, s);
}

/* --lesson on screen: the step's title and text for the lesson pane. */
static void
app_lesson_text(const struct lesson *l, char *title, size_t len,
    struct ui_frame *fr)
{
	struct lesson_info li;

	lesson_current(l, &li);
	if (li.n == 0)
		snprintf(title, len, "Lesson: %d steps%s%s", li.nsteps,
		    li.note[0] != '\0' ? " (" : "", li.note[0] != '\0' ?
		    "some cannot be held: see the text)" : "");
	else
		snprintf(title, len, "Step %d/%d  %s: %s%s", li.n, li.nsteps,
		    li.part, li.title, li.held ? "" : " (not held here)");
	fr->lesson_title = title;
	fr->lesson_text = li.n == 0 && li.note[0] != '\0' ? li.note :
	    li.text;
}

/* Space in --lesson: the next step, said on the status line while its
 * sockets settle (a dropped segment's retransmission can take a
 * second). */
static void
app_ui_step(struct lesson *l, struct tui *t, struct ui_frame *fr,
    char *title, size_t len, int repaint)
{
	char err[512];
	int rc;

	tui_message(t, 0, "working on the next step...");
	ui_draw(fr, repaint);
	rc = lesson_step(l, err, sizeof err);
	t->msg[0] = '\0';
	if (rc == 0)
		tui_message(t, 0, "that was the last step: q ends the lesson "
		    "and removes its sockets");
	else if (rc == -1 && errno != EINTR) {
		tui_message(t, 1, "lesson: %s", err);
		log_debug("lesson: %s", err);
	}
	app_lesson_text(l, title, len, fr);
}

/* The interactive view; l is the lesson when --lesson runs it. */
static int
app_run_ui(struct app_src *a, const struct options *o, struct lesson *l)
{
	struct tui t;
	struct view v;
	struct ui_frame fr;
	struct ui_field fields[DIAG_LOOKUP_MAX];
	struct settings saved;
	char path[4096], err[320], ltitle[200];
	int64_t next_ns, now, shown_ns, anim_ns = INT64_MAX;
	long refreshes = 0;
	int status = 0, draw = 1, repaint = 0, quit = 0, have_path;
	int replay_done = 0;

	tui_init(&t, o);
	have_path = app_settings_load(&t, o, path, sizeof path, &saved) == 0;
	if (ui_open(t.color, t.ascii, err, sizeof err) == -1) {
		fprintf(stderr, "tcptop: %s\n", err);
		return 1;
	}
	log_debug("interactive view, delay %gs", t.delay);
	view_init(&v);
	memset(&fr, 0, sizeof fr);
	fr.tui = &t;
	fr.view = &v;
	fr.host = a->r.host;
	fr.source = a->rp != NULL ? "replay" : "kernel";
	fr.root = geteuid() == 0;
	if (l != NULL) {
		/* The lesson is about the diagram: show it, beside the
		 * lesson's own sockets. */
		t.lesson = 1;
		if (t.diagram == TUI_DIAGRAM_OFF)
			t.diagram = TUI_DIAGRAM_SPLIT;
		app_lesson_text(l, ltitle, sizeof ltitle, &fr);
	}
	tui_set_view(&t, &v);
	next_ns = app_clock_ns(CLOCK_MONOTONIC);
	shown_ns = next_ns;
	while (!quit && !app_signal) {
		int timeout, key, rc;
		size_t i;

		now = app_clock_ns(CLOCK_MONOTONIC);
		if (!t.paused && !replay_done && now >= next_ns) {
			rc = app_src_refresh(a, &t.filter);
			if (rc == APP_CORRUPT && status == 0) {
				/* Shown on the status line over the last good
				 * frame, and said again on exit. */
				snprintf(err, sizeof err, "--replay %s", a->err);
				status = 2;
			}
			if (rc == APP_END || rc == APP_CORRUPT)
				replay_done = 1;
			if (rc == APP_OK && a->err[0] != '\0' && status == 0) {
				/* The recording stopped. */
				snprintf(err, sizeof err, "%s", a->err);
				status = 1;
			}
			if (rc == APP_OK) {
				shown_ns = now;
				view_build(&v, a->tab, &t.filter, t.sort_key,
				    t.sort_reverse, 1);
				t.rows = ui_list_rows(&t);
				tui_set_view(&t, &v);
			}
			if (a->err[0] != '\0')
				log_debug("refresh: %s", a->err);
			refreshes++;
			draw = 1;
			next_ns += (int64_t)(t.delay * 1e9);
			if (next_ns <= now)
				next_ns = now + (int64_t)(t.delay * 1e9);
			if (o->iterations > 0 && refreshes >= o->iterations)
				quit = 1;
		}
		if (draw) {
			fr.realtime_ns = a->r.realtime_ns;
			fr.now_ms = a->r.now_ms;
			fr.inconsistent = a->r.inconsistent;
			fr.dumped = a->r.dumped;
			fr.error = a->err;
			fr.replay_done = replay_done;
			app_trans_describe(a, t.delay);
			fr.trans = a->trans;
			fr.trans_source = a->trans_source;
			app_detail(a, &t, &fr, fields, DIAG_LOOKUP_MAX);
			t.rows = ui_list_rows(&t);
			/* The animation's clock runs on from the data's,
			 * so a replay fades as the live view does. */
			now = app_clock_ns(CLOCK_MONOTONIC);
			fr.anim_ms = a->r.now_ms + (now - shown_ns) / 1000000;
			ui_draw(&fr, repaint);
			draw = repaint = 0;
			anim_ns = app_anim_deadline(&t, a->trans, fr.anim_ms,
			    now);
		}
		if (quit)
			break;
		/* Sleep until a key or the next refresh; nothing runs in
		 * between, so an idle tcptop costs nothing. */
		timeout = -1;
		now = app_clock_ns(CLOCK_MONOTONIC);
		if (!t.paused && !replay_done)
			timeout = next_ns <= now ? 0 :
			    (int)((next_ns - now + 999999) / 1000000);
		/* An edge still fading wakes us for its next frame. */
		if (anim_ns != INT64_MAX) {
			int at = anim_ns <= now ? 0 :
			    (int)((anim_ns - now + 999999) / 1000000);

			if (timeout == -1 || at < timeout)
				timeout = at;
		}
		/* The terminal, and the transition sources: what they have
		 * is taken in as it comes (nothing to draw for it). */
		a->pfd[0].fd = ui_fd();
		a->pfd[0].events = POLLIN;
		if (poll(a->pfd, a->npfd, timeout) == -1 && errno != EINTR) {
			snprintf(err, sizeof err, "poll: %s", strerror(errno));
			status = 1;
			break;
		}
		if (anim_ns != INT64_MAX &&
		    app_clock_ns(CLOCK_MONOTONIC) >= anim_ns)
			draw = 1;
		for (i = 1; i < a->npfd; i++)
			if (app_source_ready(a, i)) {
				app_trans_drain(a);
				break;
			}
		while ((key = ui_getkey()) != -1) {
			int react;

			if (key == TUI_KEY_RESIZE) {
				t.rows = ui_list_rows(&t);
				tui_set_view(&t, &v);
				draw = 1;
				continue;
			}
			t.scroll_max = ui_scroll_max(&fr);
			react = tui_key(&t, key);
			if (react & TUI_QUIT) {
				quit = 1;
				break;
			}
			if (react & TUI_RESCAN) {
				/* The query changed: rows outside it leave
				 * quietly, and the next dump is now. */
				conntab_rescope(a->tab, app_keep, &t.filter);
				next_ns = app_clock_ns(CLOCK_MONOTONIC);
			}
			if (react & (TUI_REVIEW | TUI_RESCAN)) {
				view_build(&v, a->tab, &t.filter, t.sort_key,
				    t.sort_reverse, 1);
				t.rows = ui_list_rows(&t);
				tui_set_view(&t, &v);
			}
			if (react & TUI_DELAY)
				next_ns = app_clock_ns(CLOCK_MONOTONIC) +
				    (int64_t)(t.delay * 1e9);
			if (react & TUI_REPAINT)
				repaint = 1;
			if ((react & TUI_STEP) && l != NULL)
				app_ui_step(l, &t, &fr, ltitle, sizeof ltitle,
				    repaint);
			if (react & TUI_STEP)
				next_ns = app_clock_ns(CLOCK_MONOTONIC);
			draw = 1;
		}
	}
	ui_close();
	view_done(&v);
	if (status != 0)
		fprintf(stderr, "tcptop: %s\n", err);
	if (have_path) {
		app_settings_save(&t, o, &saved, path, err, sizeof err);
		if (err[0] != '\0') {
			fprintf(stderr, "tcptop: settings not saved: %s\n",
			    err);
			log_debug("settings: %s", err);
		}
	}
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
	return status;
}

/* --lesson: the lesson's namespace first, so that the netlink socket is
 * made inside it and dumps the lesson's sockets. */
static int
app_lesson(const struct options *o, const char *host)
{
	struct app_src a;
	struct filter f = o->filter;
	struct lesson *l;
	char err[320];
	int status;

	l = lesson_open(&app_signal, err, sizeof err);
	if (l == NULL) {
		fprintf(stderr, "tcptop: lesson: %s\n", err);
		log_close();
		return 1;
	}
	lesson_filter(l, &f);
	status = app_src_open(&a, o, host);
	if (status == 0 && !o->batch && !o->lesson_wait &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		/* On a terminal: the interactive view, on the lesson's
		 * sockets, with Space for the next step. */
		struct options lo = *o;

		lo.filter = f;
		status = app_run_ui(&a, &lo, l);
		status = app_src_close(&a, status);
	} else if (status == 0) {
		status = app_run_lesson(&a, o, l, &f);
		status = app_src_close(&a, status);
	}
	lesson_close(l);
	log_close();
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
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

	if (o->batch || !isatty(STDOUT_FILENO))
		status = app_run_batch(&a, o);
	else
		status = app_run_ui(&a, o, NULL);
	status = app_src_close(&a, status);
	log_close();
	return status;
}
