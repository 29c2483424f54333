/* output: batch reports, as aligned text or as JSON Lines. */
#ifndef TCPTOP_OUTPUT_H
#define TCPTOP_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "tcptop/field.h"
#include "tcptop/group.h"
#include "tcptop/kill.h"
#include "tcptop/kstat.h"
#include "tcptop/alerts.h"
#include "tcptop/lesson.h"
#include "tcptop/netns.h"
#include "tcptop/proc.h"
#include "tcptop/ssh.h"
#include "tcptop/trans.h"
#include "tcptop/view.h"

struct output_report {
	const char *host;	/* raw; sanitized on output */
	int64_t realtime_ns;	/* wall clock of the refresh */
	struct field_ctx fields;	/* what the fields need: the model
					 * clock of the refresh, the rows'
					 * namespaces (-N, --all-netns; else
					 * NULL), cgroup paths, owners (NULL:
					 * no process attribution) */
	const uint8_t *cols;	/* the text report's columns, ncols of */
	size_t ncols;		/* them; NULL: column_default */
	int inconsistent;	/* the dump was interrupted twice */
	const char *source;	/* "kernel" or "replay" */
	unsigned long dumped;	/* sockets the dump carried, before the
				 * user-space filter */
	const struct trans *trans;	/* NULL: no transitions in JSON */
	const char *trans_source;	/* trans_describe's text */
	const char *trans_note;		/* why the exact source is not in
					 * use, or NULL */
	const char *proc_note;		/* why owners are missing, or NULL */
	const struct kstat *kstat;	/* the kernel's counters, or NULL
					 * (a replay): "kernel" */
	const struct ssh_session *ssh;	/* $SSH_CONNECTION, or NULL: "ssh" */
	const struct alert *alerts;	/* the refresh's alerts (alerts_eval),
					 * nalerts of them */
	size_t nalerts;
	size_t alerts_more;		/* left out past ALERTS_MAX */
};

/* One text report: a header line, the alerts, the titles of r->cols,
 * then a line per live row of v, each column as wide as its texts.
 * Returns 0, or -1 when writing to fp failed. */
int output_text(FILE *fp, const struct output_report *r,
    const struct view *v);

/* One JSON object on one line (schema: docs/json.md). */
int output_json(FILE *fp, const struct output_report *r,
    const struct view *v);

/* --group: one text report of the groups g built from v: a header line,
 * then a line per group (key, count, the count of each state present).
 * Returns 0, or -1 when writing to fp failed. */
int output_groups_text(FILE *fp, const struct output_report *r,
    const struct view *v, const struct groups *g);

/* The same as one JSON object on one line (docs/json.md). */
int output_groups_json(FILE *fp, const struct output_report *r,
    const struct view *v, const struct groups *g);

/* The line(s) before a lesson step's report: "step N/M: TITLE", the
 * namespace (netns, NULL on the host), the teacher's text wrapped to 79
 * columns, the expected states and why they are not held, if so.
 * Returns 0, or -1 when writing failed. */
int output_lesson_text(FILE *fp, const struct lesson_info *li,
    const char *netns);

/* The same as one JSON object on one line: {"lesson": {...}}
 * (docs/json.md). */
int output_lesson_json(FILE *fp, const struct lesson_info *li,
    const char *netns);

/* The outcome of --kill: a line per socket with its endpoints, state
 * and result ("ok" or the reason it failed), then a summary line
 * (kill_summary).  Returns 0, or -1 when writing failed. */
int output_kill_text(FILE *fp, const struct output_report *r,
    const struct kill_list *k);

/* The same as one JSON object on one line: {"time", "host", "killed":
 * [{endpoints, "state", "cookie", "result"}], "destroyed", "failed"}
 * (docs/json.md). */
int output_kill_json(FILE *fp, const struct output_report *r,
    const struct kill_list *k);

#endif
