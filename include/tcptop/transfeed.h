/* transfeed: the three sources of transitions reconciled into the one
 * stream struct trans counts.
 *
 * 1. The tracepoint (trace.h) is exact for full sockets but global: its
 *    events carry no network namespace.  Each is held until a socket of
 *    the viewed namespace confirms its 4-tuple: a row of the dump, a
 *    destroy notification, or the TIME_WAIT minisocket the socket left.
 *    A socket's events are tied together by its kernel address, so the
 *    tuple of one (the handshake's, the child's) confirms the others
 *    (a connect's first event has no local port yet, a passive child's
 *    first event has the listener's tuple).  Events no socket of ours
 *    confirms within TRANSFEED_HOLD_MS are another namespace's: dropped.
 * 2. Destroy notifications (diag_notify) confirm, and in the fallback
 *    date the closes.
 * 3. The differences between refreshes (conntab events).  With the
 *    tracepoint they add only what it never reports: a request socket's
 *    SYN_RECV that never became a connection (LISTEN -> SYN_RECV ->
 *    CLOSE), a timewait minisocket's FIN_WAIT2 -> TIME_WAIT, and
 *    TIME_WAIT -> CLOSE.  The tracepoint's FIN_WAIT2 -> CLOSE (or
 *    CLOSING -> CLOSE) is counted as the textbook's -> TIME_WAIT when the
 *    first dump after it shows a TIME_WAIT socket with that tuple, and as
 *    nothing yet when it shows an orphan's FIN_WAIT2 on a timewait timer
 *    (the minisocket carries on).  Without the tracepoint, every change
 *    a refresh sees is counted between the states it saw: a socket new
 *    since the last refresh as CLOSE -> its state (LISTEN -> SYN_RECV for
 *    a request socket), a gone one as its state -> CLOSE, dated by its
 *    destroy notification when one came. */
#ifndef TCPTOP_TRANSFEED_H
#define TCPTOP_TRANSFEED_H

#include <stdint.h>

#include "tcptop/conn.h"
#include "tcptop/conntab.h"
#include "tcptop/filter.h"
#include "tcptop/trans.h"

/* How long a tracepoint event waits for a socket of the viewed namespace
 * (a destroy notification comes from a kernel work queue, a little
 * late). */
#define TRANSFEED_HOLD_MS 1000

struct transfeed_stats {
	unsigned long held;		/* tracepoint events waiting now */
	unsigned long confirmed;	/* taken: the socket is ours */
	unsigned long foreign;		/* dropped: no socket of ours */
	unsigned long filtered;		/* ours, but the filter rejects */
	unsigned long timewait;		/* -> CLOSE counted as -> TIME_WAIT */
	unsigned long destroyed;	/* destroy notifications */
};

struct transfeed;

/* A feed into t (borrowed; it must outlive the feed).  exact: the
 * tracepoint runs, so refresh differences add only what it cannot see.
 * Never fails. */
struct transfeed *transfeed_new(struct trans *t, int exact);
void transfeed_free(struct transfeed *f);

/* One tracepoint event, of any namespace (trace_cb's arguments).  Held
 * until transfeed_refresh decides. */
void transfeed_trace(struct transfeed *f, const struct trans_event *e,
    uint64_t skaddr);

/* One destroy notification: s as the kernel sent it, read at t_ms (model
 * clock) and realtime_ns. */
void transfeed_destroy(struct transfeed *f, const struct conn_sample *s,
    int64_t t_ms, int64_t realtime_ns);

/* A refresh ended: tab holds the dump's rows and events, begun at dump_ms
 * (model clock) and realtime_ns; flt is the query's filter (NULL: all),
 * applied to the tracepoint's events as the dump applied it to the
 * sockets.  Read the tracepoint and the notifications after the dump and
 * before this, so that everything before dump_ms is in.  Confirms,
 * drops or keeps what is held, and adds this refresh's transitions to
 * the engine in time order. */
void transfeed_refresh(struct transfeed *f, const struct conntab *tab,
    const struct filter *flt, int64_t dump_ms, int64_t realtime_ns);

const struct transfeed_stats *transfeed_stats(const struct transfeed *f);

#endif
