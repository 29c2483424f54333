/* app_int: what the app*.c files share: the source of sockets and its
 * model, one refresh, and the loops.  Private to them. */
#ifndef TCPTOP_APP_INT_H
#define TCPTOP_APP_INT_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "tcptop/cgroup.h"
#include "tcptop/alerts.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/lesson.h"
#include "tcptop/options.h"
#include "tcptop/output.h"
#include "tcptop/settings.h"

/* The signal that asked to stop, 0 while none did. */
extern volatile sig_atomic_t app_signal;

/* Where the sockets come from, and the model they go into. */
struct app_src {
	const struct options *o;
	struct diag *d;			/* live, or */
	struct diag_replay *rp;		/* a recording */
	FILE *rec;
	struct conntab *tab;
	struct conntab_feed feed;
	struct proc *proc;		/* process attribution, NULL: off */
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
	/* Namespaces (app_netns.c): -N's descriptor, the table of labels
	 * (-N and --all-netns) and a diag socket per --all-netns entry
	 * past 0 (entry 0 uses d).  The cgroup paths of the rows. */
	int nsfd;			/* -N: the viewed one; -1 ours */
	struct netns_tab *nstab;	/* NULL without -N, --all-netns */
	struct diag **nsd;
	size_t nnsd;
	int64_t nsscan_ms;		/* last netns_tab_scan, */
	int64_t nsscan_cost_ns;		/* and what it took */
	struct cgroup_map *cgroups;
	struct kstat *kstat;		/* the kernel's counters (live), or
					 * NULL */
	struct ssh_session ssh;		/* $SSH_CONNECTION, when r.ssh */
	/* Alerts: evaluated after each good refresh into r. */
	struct alerts *alerts;
	uint32_t alert_thresh[ALERT_NKINDS];
};

enum {
	APP_OK = 0,
	APP_END = 1,		/* the replay has no more refreshes */
	APP_FAIL = -1,		/* the dump failed; a->err says why */
	APP_CORRUPT = -2,	/* the recording is corrupt */
};

/* app.c */
int64_t app_clock_ns(clockid_t id);
void app_trans_describe(struct app_src *a, double delay);
int app_source_ready(struct app_src *a, size_t i);
void app_trans_drain(struct app_src *a);
int app_src_open(struct app_src *a, const struct options *o,
    const char *host);
int app_src_close(struct app_src *a, int status);
int app_src_refresh(struct app_src *a, const struct filter *f);
/* What the columns and group labels need from a's tables. */
void app_column_ctx(const struct app_src *a, struct field_ctx *cx);

/* app_netns.c: open the namespaces the options ask for (0, or the exit
 * status after printing why), with -N inside the viewed one until
 * app_netns_opened; the diag socket of namespace index idx; one dump of
 * the namespaces in view (st: summed, times of our own). */
int app_netns_open(struct app_src *a, const struct options *o);
void app_netns_opened(struct app_src *a);
void app_netns_close(struct app_src *a);
struct diag *app_netns_diag(struct app_src *a, uint16_t idx);
int app_netns_dump(struct app_src *a, const struct diag_query *q,
    const struct diag_sink *sink, struct diag_stats *st);
void app_alerts_settings(struct app_src *a, const struct settings *s);

/* app_ui.c: the interactive view; l is the lesson when --lesson runs
 * it.  Returns the exit status. */
int app_run_ui(struct app_src *a, const struct options *o, struct lesson *l);

/* app_kill.c: --kill, one pass.  Returns the exit status: 0 when every
 * matching socket went, 1 when any failed. */
int app_run_kill(struct app_src *a, const struct options *o);

/* Destroy each pending item of k, recording its result; a->d must be
 * live. */
struct kill_list;
void app_kill_list(struct app_src *a, struct kill_list *k);

/* app_lesson.c: --lesson, on screen or as reports. */
int app_lesson(const struct options *o, const char *host);

#endif
