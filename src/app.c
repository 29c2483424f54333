/* The refresh loop: dump (or replay), update the model, build the view,
 * print; sleep until an absolute deadline so refreshes do not drift. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcptop/app.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/output.h"
#include "tcptop/view.h"

static volatile sig_atomic_t app_stop;

static void
app_on_signal(int sig)
{
	(void)sig;
	app_stop = 1;
}

static int64_t
app_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleep until the monotonic deadline, or until a signal asks to stop. */
static void
app_sleep_until(int64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000,
		.tv_nsec = deadline_ns % 1000000000,
	};

	while (!app_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
	    &ts, NULL) == EINTR)
		;
}

int
app_run(const struct options *o)
{
	char host[256], err[256];
	struct diag *d = NULL;
	struct diag_replay *rp = NULL;
	FILE *rec = NULL;
	struct conntab *tab;
	struct view v;
	struct conntab_feed feed;
	struct diag_sink sink = { conntab_feed_begin, conntab_feed_sample,
	    &feed };
	struct diag_query q = { &o->filter, 1 };
	struct sigaction sa;
	int64_t next_ns;
	long done = 0, good = 0;
	int status = 0;

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';

	if (o->replay != NULL) {
		rp = diag_replay_open(o->replay, err, sizeof err);
		if (rp == NULL) {
			fprintf(stderr, "tcptop: --replay %s\n", err);
			return 2;
		}
	} else {
		d = diag_open();
		if (d == NULL) {
			fprintf(stderr, "tcptop: cannot open sock_diag netlink "
			    "socket: %s\n", strerror(errno));
			return 1;
		}
		if (o->record != NULL) {
			rec = fopen(o->record, "wb");
			if (rec == NULL || diag_record(d, rec) == -1) {
				fprintf(stderr, "tcptop: --record %s: %s\n",
				    o->record, strerror(errno));
				if (rec != NULL)
					fclose(rec);
				diag_close(d);
				return 2;
			}
		}
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	tab = conntab_new((int64_t)(o->tombstone * 1000));
	view_init(&v);
	next_ns = app_clock_ns(CLOCK_MONOTONIC);
	while (!app_stop) {
		struct output_report r = { .host = host };
		int inconsistent = 0, rc;

		feed.tab = tab;
		feed.begun = 0;
		if (rp != NULL) {
			struct diag_stats st;
			int64_t rt, mono;

			feed.mono_ns = &st.mono_ns;
			rc = diag_replay_next(rp, &o->filter, &sink, &rt,
			    &mono, &st, err, sizeof err);
			if (rc == 0)
				break;
			if (rc < 0) {
				fprintf(stderr, "tcptop: --replay %s\n", err);
				status = 2;
				break;
			}
			r.realtime_ns = rt;
			r.now_ms = mono / 1000000;
			r.source = "replay";
			r.dumped = st.messages;
			inconsistent = st.inconsistent;
		} else {
			feed.mono_ns = &diag_last_stats(d)->mono_ns;
			if (diag_dump(d, &q, &sink) == -1) {
				fprintf(stderr, "tcptop: %s\n",
				    diag_last_error(d)[0] ? diag_last_error(d) :
				    strerror(errno));
				if (good == 0) {
					status = 1;
					break;
				}
				/* Keep the last good table: the next dump
				 * takes this partial scan over. */
				if (feed.begun)
					conntab_abort_scan(tab);
				goto sleep;
			}
			r.realtime_ns = diag_last_stats(d)->realtime_ns;
			r.now_ms = diag_last_stats(d)->mono_ns / 1000000;
			r.source = "kernel";
			r.dumped = diag_last_stats(d)->messages;
			inconsistent = diag_last_stats(d)->inconsistent;
			if (diag_last_stats(d)->record_errno != 0) {
				/* Reported once: the recording has stopped. */
				fprintf(stderr, "tcptop: --record %s: %s; "
				    "recording stopped\n", o->record,
				    strerror(diag_last_stats(d)->record_errno));
				status = 1;
			}
		}
		conntab_end_scan(tab);
		good++;
		view_build(&v, tab, &o->filter, o->sort_key, o->sort_reverse,
		    0);
		r.inconsistent = inconsistent;
		errno = 0;
		if ((o->json ? output_json(stdout, &r, &v) :
		    output_text(stdout, &r, &v)) == -1 || fflush(stdout) != 0) {
			fprintf(stderr, "tcptop: writing the report: %s\n",
			    strerror(errno != 0 ? errno : EIO));
			status = 1;
			break;
		}
sleep:
		if (o->iterations > 0 && ++done >= o->iterations)
			break;
		if (rp != NULL)
			continue;	/* a replay runs at full speed */
		next_ns += (int64_t)(o->delay * 1e9);
		if (next_ns < app_clock_ns(CLOCK_MONOTONIC))
			next_ns = app_clock_ns(CLOCK_MONOTONIC);
		app_sleep_until(next_ns);
	}
	view_done(&v);
	conntab_free(tab);
	if (rec != NULL) {
		int bad = ferror(rec);

		errno = 0;
		if ((fclose(rec) != 0 || bad) && status == 0) {
			fprintf(stderr, "tcptop: --record %s: %s\n",
			    o->record, strerror(errno != 0 ? errno : EIO));
			status = 1;
		}
	}
	diag_close(d);
	diag_replay_close(rp);
	return status;
}
