/* The run: which loop the options ask for (the interactive view, batch
 * reports, --kill, --lesson), around one collector.  The batch loop and
 * the --kill pass are here; deadlines are absolute, so refreshes do not
 * drift. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/app.h"
#include "tcptop/clock.h"
#include "tcptop/collector.h"
#include "tcptop/exporter.h"
#include "tcptop/fexpr.h"
#include "tcptop/field.h"
#include "tcptop/group.h"
#include "tcptop/log.h"
#include "tcptop/names.h"
#include "tcptop/output.h"
#include "tcptop/prefs.h"
#include "tcptop/sig.h"
#include "tcptop/ssh.h"
#include "tcptop/text.h"

#include "app_int.h"

/* Batch reads only the alert thresholds of tcptoprc: the rest is the
 * interactive view's, and batch never writes the file. */
static void
app_thresholds(struct collector *c, const struct options *o)
{
	struct settings s;
	struct prefs p;
	char path[4096], warn[256];

	memset(&s, 0, sizeof s);
	if (settings_path(path, sizeof path) == 0 &&
	    settings_load(&s, path, warn, sizeof warn) == -1)
		fprintf(stderr, "tcptop: %s (default alert thresholds used)\n",
		    warn);
	prefs_merge(&p, o, &s, warn, sizeof warn);
	collector_thresholds(c, p.alert);
}

/* How long a batch report waits for host names at most: a resolver
 * that does not answer leaves addresses (null names in JSON). */
#define APP_NAMES_WAIT_MS	3000

/* With --resolve, ask for the names of every row's ends and wait for
 * the answers (APP_NAMES_WAIT_MS at most), so the report shows them;
 * a second round for what the bounded queue refused. */
static void
app_names(const struct snapshot *snap, const struct view *v)
{
	struct names *n = snap->fields.names;
	struct names_stats st;
	int64_t deadline;
	uint64_t dropped;
	char buf[NAMES_LEN];
	size_t i;

	if (!(names_mode(n) & NAMES_HOSTS))
		return;
	deadline = names_now(n) + APP_NAMES_WAIT_MS;
	do {
		names_stats(n, &st);
		dropped = st.dropped;
		for (i = 0; i < v->n; i++) {
			const struct conn_sample *s = &v->rows[i]->s;

			names_host(n, s->family, s->local, buf, sizeof buf);
			names_host(n, s->family, s->remote, buf, sizeof buf);
		}
		names_settle(n, deadline);
		names_stats(n, &st);
	} while (st.dropped != dropped && names_now(n) < deadline);
}

/* One report of the snapshot: its rows, or with --group its groups. */
static int
app_report(const struct snapshot *snap, const struct options *o,
    const struct view *v, struct groups *g)
{
	if (o->group == GROUP_NONE)
		return o->json ? output_json(stdout, snap, v) :
		    output_text(stdout, snap, v, o->cols, o->ncols);
	group_build(g, o->group, v, snap->tab, &snap->fields);
	return o->json ? output_groups_json(stdout, snap, v, g) :
	    output_groups_text(stdout, snap, v, g);
}

/* What the batch loop carries besides the collector. */
struct app_batch {
	struct view v;
	struct groups g;
	struct exporter *e;		/* --listen, --prometheus-file */
	int quiet;			/* exporting only: no reports */
	char said[320];			/* the export error said last */
};

/* The refresh's metrics out; a failure to write the file said on
 * stderr once, until it changes (it is tried again each refresh). */
static void
app_export(struct app_batch *b, const struct snapshot *snap,
    const struct options *o)
{
	if (b->e == NULL)
		return;
	if (exporter_publish(b->e, snap, &o->filter) == 0)
		b->said[0] = '\0';
	else if (strcmp(b->said, exporter_error(b->e)) != 0) {
		snprintf(b->said, sizeof b->said, "%s", exporter_error(b->e));
		fprintf(stderr, "tcptop: %s\n", b->said);
	}
}

/* One refresh and its report.  Returns -1 to go on, else the exit
 * status to end with. */
static int
app_batch_once(struct collector *c, const struct options *o,
    struct app_batch *b, int *status)
{
	const struct snapshot *snap = collector_snapshot(c);
	int rc = collector_refresh(c, &o->filter);

	if (rc == COLLECT_END)
		return *status;
	if (rc == COLLECT_CORRUPT) {
		fprintf(stderr, "tcptop: --replay %s\n", snap->error);
		return 2;
	}
	if (snap->error[0] != '\0')
		fprintf(stderr, "tcptop: %s\n", snap->error);
	if (rc == COLLECT_FAIL && snap->good == 0)
		return 1;
	/* A failed refresh too: the metrics then say so. */
	app_export(b, snap, o);
	if (rc == COLLECT_FAIL || b->quiet)
		return -1;
	if (snap->error[0] != '\0')
		*status = 1;	/* the recording failed */
	view_build(&b->v, snap->tab, &o->filter, o->sort_key,
	    o->sort_reverse, 0, &snap->fields);
	app_names(snap, &b->v);
	errno = 0;
	if (app_report(snap, o, &b->v, &b->g) == -1 || fflush(stdout) != 0)
		/* A reader gone (SIGPIPE) or a stop signal in the write:
		 * the signal's status, as its default action would give,
		 * without a message. */
		return sig_caught ? sig_status(*status) : output_failed();
	return -1;
}

/* Reports every delay, until -n or a signal (a replay at full speed).
 * Stopped by a signal before -n was done: 128 + the signal, as the
 * interactive view. */
static int
app_run_batch(struct collector *c, const struct options *o,
    struct exporter *e)
{
	struct app_batch b;
	int64_t next_ns = clock_ns(CLOCK_MONOTONIC);
	long done = 0;
	int status = 0, end = -1, finished = 0;

	memset(&b, 0, sizeof b);
	view_init(&b.v);
	group_init(&b.g);
	b.e = e;
	/* Headless: exporting, and no report asked for. */
	b.quiet = e != NULL && !o->batch && !o->json;
	app_thresholds(c, o);
	/* Batch reads no tcptoprc for names: --resolve or numbers. */
	collector_resolve(c, o->resolve ? NAMES_HOSTS | NAMES_PORTS : 0);
	while (!sig_caught && end == -1) {
		end = app_batch_once(c, o, &b, &status);
		if (end != -1)
			break;
		if (o->iterations > 0 && ++done >= o->iterations) {
			finished = 1;
			break;
		}
		if (!collector_snapshot(c)->live)
			continue;	/* a replay runs at full speed */
		next_ns += (int64_t)(o->delay * 1e9);
		if (next_ns < clock_ns(CLOCK_MONOTONIC))
			next_ns = clock_ns(CLOCK_MONOTONIC);
		collector_sleep(c, next_ns);
	}
	view_done(&b.v);
	group_done(&b.g);
	if (end == -1)
		end = finished ? status : sig_status(status);
	/* The metrics file not written at the last refresh: a cron job's
	 * failure, as a report that could not be written would be. */
	return end == 0 && b.said[0] != '\0' ? 1 : end;
}

/* What --kill says on stderr beside its report, a line each: that it
 * destroyed nothing without --yes, that it spared the operator's own
 * SSH session, naming it, and that some listed have their peer on this
 * host, which a destroy resets too. */
static void
app_kill_notes(const struct snapshot *snap, const struct options *o,
    const struct kill_list *k)
{
	char srv[CONN_ENDPOINT_LEN], cli[CONN_ENDPOINT_LEN];

	if (o->yes && kill_count_spared(k) > 0)
		fprintf(stderr, "tcptop: your own SSH session (%s from %s) "
		    "is spared: --kill-own-session destroys it too\n",
		    ssh_fmt_end(snap->ssh, 1, srv, sizeof srv),
		    ssh_fmt_end(snap->ssh, 0, cli, sizeof cli));
	if (k->peers > 0)
		fprintf(stderr, "tcptop: %zu of the listed %s a peer on this "
		    "host: destroying one end resets the other too\n",
		    k->peers, k->peers == 1 ? "has" : "have");
	if (!o->yes)
		fprintf(stderr, "tcptop: --kill without --yes destroys "
		    "nothing: add --yes to destroy the %zu listed\n",
		    kill_count_pending(k));
}

/* --kill: one dump with the filter, each matching socket destroyed
 * once, the outcome printed; the operator's own SSH session spared
 * unless --kill-own-session.  Without --yes, the same list with nothing
 * destroyed.  Returns 0 when every one tried went, 1 when any failed, 2
 * for a list without --yes. */
static int
app_run_kill(struct collector *c, const struct options *o)
{
	const struct snapshot *snap = collector_snapshot(c);
	struct kill_list k;
	struct view v;
	struct conn *const *rows;
	size_t nrows;
	int status = 0;

	if (collector_refresh(c, &o->filter) != COLLECT_OK) {
		fprintf(stderr, "tcptop: %s\n", snap->error);
		return 1;
	}
	view_init(&v);
	view_build(&v, snap->tab, &o->filter, o->sort_key, o->sort_reverse,
	    0, &snap->fields);
	kill_init(&k);
	kill_from_view(&k, &v);
	view_done(&v);
	kill_find_own(&k, snap->ssh);
	rows = conntab_rows(snap->tab, &nrows);
	kill_find_peers(&k, rows, nrows);
	if (!o->kill_own)
		kill_spare_own(&k);
	if (o->yes)
		collector_destroy(c, &k);
	else
		status = 2;
	if (kill_count_failed(&k) > 0)
		status = 1;
	errno = 0;
	if ((o->json ? output_kill_json(stdout, snap, &k, !o->yes) :
	    output_kill_text(stdout, snap, &k, !o->yes)) == -1 ||
	    fflush(stdout) != 0)
		status = output_failed();
	else
		app_kill_notes(snap, o, &k);
	kill_done(&k);
	return status;
}

/* Whether a batch run's output needs the processes: JSON's refresh
 * objects carry the owners, and so do the metrics (CLOSE_WAIT by
 * process); the text report when a column or the sort shows them; any report whose filter has a plain word (it may name a
 * process) or an owner term, or whose groups are processes.  --kill
 * prints no owner. */
static int
app_batch_owners(const struct options *o)
{
	size_t i;

	if (fexpr_has_row_terms(&o->filter.expr) ||
	    o->group == GROUP_PROCESS)
		return 1;
	if (o->kill || o->group != GROUP_NONE)
		return 0;
	if (o->json || o->listen != NULL || o->prom_file != NULL ||
	    (field_table[o->sort_key].flags & FIELD_F_OWNER))
		return 1;
	for (i = 0; i < o->ncols; i++)
		if (field_table[o->cols[i]].flags & FIELD_F_OWNER)
			return 1;
	return 0;
}

/* What the collector must gather for this run (COLLECTOR_* bits): only
 * what its output needs.  A run of one refresh (--kill, a batch -n 1)
 * counts no transitions, so it sets up no tracepoint; a batch report
 * that shows no owner reads no process; the interactive view may show
 * anything at any time. */
static unsigned
app_needs(const struct options *o, int batch)
{
	unsigned needs = COLLECTOR_OWNERS | COLLECTOR_TRANSITIONS;

	if (o->kill || (batch && o->iterations == 1))
		needs &= ~COLLECTOR_TRANSITIONS;
	if (o->no_owners || (batch && !app_batch_owners(o)))
		needs &= ~COLLECTOR_OWNERS;
	return needs;
}

int
app_run(const struct options *o)
{
	char host[256], err[320];
	struct collector *c;
	struct exporter *e = NULL;
	int status, batch = o->batch || !isatty(STDOUT_FILENO);

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	/* Anyone root in a UTS namespace names it: the header and JSON
	 * get text. */
	text_clean(host, sizeof host, host, strlen(host), 0);
	if (o->log != NULL && log_open(o->log) == -1) {
		char shown[TEXT_ARG_SIZE];
		int saved = errno;

		text_arg(shown, sizeof shown, o->log);
		fprintf(stderr, "tcptop: -v %s: %s\n", shown, strerror(saved));
		return 2;
	}
	/* Before the lesson's namespace exists: a signal must not leave it
	 * behind. */
	sig_catch();
	if (o->lesson)
		return app_lesson(o, host);
	if ((c = collector_open(o, host, app_needs(o, batch), &status)) ==
	    NULL) {
		log_close();
		return status;
	}
	if ((o->listen != NULL || o->prom_file != NULL) &&
	    (e = exporter_open(o->listen, o->prom_file, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "tcptop: %s\n", err);
		status = 1;
	} else if (o->kill)
		status = app_run_kill(c, o);
	else if (batch)
		status = app_run_batch(c, o, e);
	else
		status = app_run_ui(c, o, NULL, e);
	exporter_close(e);
	status = collector_close(c, status);
	log_close();
	return status;
}
