/* collector: where the sockets come from (the kernel, in one namespace
 * or every one, or a recording) and everything gathered around them:
 * the model, the transition sources, processes, cgroups, the kernel's
 * counters, the alerts.  Each refresh yields one snapshot (snapshot.h)
 * that every output reads. */
#ifndef TCPTOP_COLLECTOR_H
#define TCPTOP_COLLECTOR_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptop/alerts.h"
#include "tcptop/diag.h"
#include "tcptop/filter.h"
#include "tcptop/kill.h"
#include "tcptop/options.h"
#include "tcptop/snapshot.h"

struct collector;

/* What collector_refresh returns. */
enum {
	COLLECT_OK = 0,
	COLLECT_END = 1,	/* the recording has no more refreshes */
	COLLECT_FAIL = -1,	/* the dump failed; the snapshot's error
				 * says why, its rows are the last good */
	COLLECT_CORRUPT = -2,	/* the recording is corrupt */
};

/* What a run needs of the collector beyond the sockets (the `needs`
 * bits of collector_open): only what its output shows is gathered. */
enum {
	/* Processes (/proc/PID/fd): the owners shown, an owner term or a
	 * word of a filter, the process groups, a process in an alert's
	 * evidence.  Without it snapshot.fields.proc is NULL and
	 * snapshot.proc_note says why. */
	COLLECTOR_OWNERS = 1u << 0,
	/* More than one refresh: transitions between them, so the
	 * tracepoint and the destroy notifications.  Without it a run
	 * has a single refresh, which sees no transition: neither source
	 * is set up and snapshot.trans_source says "none: one refresh". */
	COLLECTOR_TRANSITIONS = 1u << 1,
};

/* Open what o names: a recording (--replay), or the kernel in the
 * viewed namespace (-N) or in every one (--all-netns), with --record's
 * file; then the model, the transition sources (with
 * COLLECTOR_TRANSITIONS: the tracepoint unless --no-trace, destroy
 * notifications), processes (with COLLECTOR_OWNERS), cgroups, the
 * kernel's counters of the viewed namespace, $SSH_CONNECTION and the
 * alerts with their default thresholds.  What is missing that is not
 * essential (no tracefs, no counters) is said in the log and in the
 * snapshot, never fatal.  Returns the collector, or NULL with *status
 * the exit status after printing why on stderr (2 for bad input: a
 * corrupt recording, a bad -N). */
struct collector *collector_open(const struct options *o, const char *host,
    unsigned needs, int *status);

/* Close everything.  Returns status, or 1 when closing the recording
 * failed (said on stderr: call it after the terminal is restored). */
int collector_close(struct collector *c, int status);

/* The alert thresholds, ALERT_NKINDS of them (settings_merge's). */
void collector_thresholds(struct collector *c, const uint32_t *thresh);

/* One refresh: the sockets f selects dumped (or the next recorded
 * dump) into the model, then the processes, cgroups, counters,
 * transitions and alerts brought up to date.  Returns COLLECT_*. */
int collector_refresh(struct collector *c, const struct filter *f);

/* The last refresh's snapshot, borrowed until the next refresh or the
 * close. */
const struct snapshot *collector_snapshot(const struct collector *c);

/* Say in the snapshot how exact the transitions are at this delay
 * ("sampled every 1.0 s" when only refreshes count them).  A new delay
 * also starts the pace afresh (collector_unpaced). */
void collector_describe(struct collector *c, double delay);

/* The next refresh follows no schedule (the first after a pause, one
 * asked for while paused): it reports no interval and is never late. */
void collector_unpaced(struct collector *c);

/* Show names (NAMES_* bits, names.h; 0: numbers) from now on: the
 * snapshot's fields carry the cache, made at the first call that asks
 * for names and kept until the close, so names already found stay
 * known when they are turned off and on again. */
void collector_resolve(struct collector *c, unsigned mode);

/* The kernel query changed between refreshes: rows f no longer
 * selects leave quietly, and what the next dump finds for the first
 * time counts as there before (conntab_rescope). */
void collector_rescope(struct collector *c, const struct filter *f);

/* The descriptors of the transition sources, for poll: an array of *n
 * whose slot 0 is the caller's (a terminal; fd -1 to leave it out).
 * Borrowed until the close. */
struct pollfd *collector_pollfds(struct collector *c, size_t *n);

/* After poll: take in what the ready sources hold (nothing to redraw
 * for it).  A source that failed is no longer polled; the refreshes
 * still read it.  One that had something is left out of the poll set
 * until collector_take_at, so that a storm is read in batches. */
void collector_take(struct collector *c);

/* When the sources left out after a take are polled again (monotonic
 * ns; INT64_MAX: none is left out): a poll's timeout must end then. */
int64_t collector_take_at(const struct collector *c);

/* Wait until the monotonic deadline (ns) or a stop signal, taking in
 * what the sources have as it comes. */
void collector_sleep(struct collector *c, int64_t deadline_ns);

/* Look owners up apart from the refreshes (the interactive view): a
 * refresh only begins a walk of /proc, collector_owners_step reads it
 * on, and the rows it has not reached are pending meanwhile.  Off (the
 * default, batch and --kill), every refresh ends with every row
 * attributed.  No effect without processes. */
void collector_owners_async(struct collector *c);

/* Read the walk of /proc under way for about budget_ns.  Returns 1 when
 * it ended: the owners changed (the view must be built again). */
int collector_owners_step(struct collector *c, int64_t budget_ns);

/* When collector_owners_step has work (monotonic ns; 0: now),
 * INT64_MAX when none. */
int64_t collector_owners_at(const struct collector *c);

/* Ask the kernel for row in full (diag_lookup, through the socket of
 * the row's namespace): fills at most max fields of out, returns how
 * many; 0 with *note saying why there are none (a recording, a gone
 * socket, a minisocket without tcp_info).  Never fails otherwise. */
size_t collector_lookup(struct collector *c, const struct conn *row,
    struct diag_field *out, size_t max, const char **note);

/* Whether the model may be kept from events between full dumps (the
 * default of the interactive view, --model): why_not NULL allows it,
 * else every refresh dumps in full and the snapshot says why_not (a
 * sort by a field only a dump keeps fresh for every row, say).  The
 * first refresh from events after a full dump's is a full dump. */
void collector_events(struct collector *c, const char *why_not);

/* The rows the view shows: between full dumps each is asked for by an
 * exact request every refresh, so what it shows is a dump's.  Copied:
 * good until the next call. */
void collector_watch(struct collector *c, const struct conn *const *rows,
    size_t n);

/* Destroy each pending item of k (SOCK_DESTROY, through the socket of
 * its namespace), recording each result in it.  Each is first asked for
 * by an exact request (diag_state): one no longer in the state it was
 * listed in is kept, KILL_CHANGED (the kernel would destroy it by its
 * cookie whatever its state).  On a recording every item fails with
 * EOPNOTSUPP. */
void collector_destroy(struct collector *c, struct kill_list *k);

#endif
