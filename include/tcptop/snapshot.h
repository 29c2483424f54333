/* snapshot: what one refresh found: the rows, and everything tcptop
 * knows about them at that moment, which every output reads (the text
 * and JSON reports, the screens).  Plain data: the collector fills it at
 * each refresh (collector.h) and the readers borrow it until the next. */
#ifndef TCPTOP_SNAPSHOT_H
#define TCPTOP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/alerts.h"
#include "tcptop/conntab.h"
#include "tcptop/field.h"
#include "tcptop/kstat.h"
#include "tcptop/ssh.h"
#include "tcptop/trans.h"

struct snapshot {
	/* Where and when. */
	const char *host;		/* raw; sanitized where shown */
	int64_t realtime_ns;		/* wall clock of the dump, 0 before
					 * the first */
	const char *source;		/* "kernel" or "replay" */
	int live;			/* the kernel's sockets (not a
					 * recording): they can be destroyed
					 * and asked for in full */
	int root;			/* running as root: every owner and
					 * every field */

	/* The rows: every connection the kernel query matched, live and
	 * gone, and what their fields need (the model clock, namespace
	 * labels, cgroup paths, owners). */
	const struct conntab *tab;
	struct field_ctx fields;
	unsigned long dumped;		/* sockets the dump carried, before
					 * the user-space filter */
	int inconsistent;		/* the dump was interrupted twice */
	long good;			/* refreshes that worked so far */
	const char *error;		/* why the last refresh failed (the
					 * rows are the last good ones), or
					 * "" */
	int ended;			/* a recording has no more refreshes */

	/* What else tcptop knows. */
	const char *proc_note;		/* why owners are missing, or NULL */
	const struct kstat *kstat;	/* the kernel's counters, NULL for a
					 * recording */
	const struct ssh_session *ssh;	/* $SSH_CONNECTION, or NULL */
	const struct alert *alerts;	/* what looks wrong (alerts_eval), */
	size_t nalerts;			/* nalerts of them, and how many */
	size_t alerts_more;		/* were left out */
	long alerts_outside;		/* alerts about sockets the filters
					 * hide (0 without filters), -1
					 * unknown (a recording, --record) */
	const struct trans *trans;	/* the transitions counted */
	const char *trans_source;	/* how exact: "exact" or "sampled
					 * every 1.0 s" */
	const char *trans_note;		/* why the exact source is not in
					 * use, or NULL */
	long trans_lost;		/* tracepoint events the kernel lost
					 * (buffer overrun), -1 without the
					 * tracepoint */
	long notify_lost;		/* times the destroy notifications
					 * overflowed (ENOBUFS), -1 without
					 * them */

	/* How the model is kept: "dump" (every refresh dumps every
	 * socket) or "events" (between full dumps, from events: see
	 * collector_events.c). */
	const char *model;
	const char *model_note;		/* why "dump" when events were
					 * wanted, or NULL */
	long model_full_age_ms;		/* events: since the last full
					 * dump began, -1 */
	long model_corrected;		/* events: rows the last full dump
					 * corrected (events that never
					 * came), -1 before the second */
	unsigned long model_gets;	/* events: exact requests of the
					 * last refresh */
	/* Keeping time: the last refresh's cost and whether the loop keeps
	 * its delay.  All in ms; -1 where unknown. */
	long refresh_ms;		/* the last refresh took */
	long interval_ms;		/* since the refresh before began
					 * (-1: the first, or a recording,
					 * which runs at full speed) */
	long delay_ms;			/* the delay asked for */
	long late_ms;			/* interval past the delay, 0 on
					 * time (and with delay 0) */
};

#endif
