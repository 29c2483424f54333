/* trans: the edges of the TCP state machine, and the transitions seen on
 * each: cumulative counts, rates, when each edge was last taken (for the
 * diagram's animation), and the events since the last refresh.  Pure:
 * the sources (tracepoint, destroy notifications, refresh differences)
 * feed it struct trans_event. */
#ifndef TCPTOP_TRANS_H
#define TCPTOP_TRANS_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"

/* Where a transition was learnt. */
enum trans_source {
	TRANS_SRC_TRACE = 1,	/* sock:inet_sock_set_state: exact */
	TRANS_SRC_DESTROY,	/* sock_diag destroy notification */
	TRANS_SRC_DIFF,		/* two refreshes differ: sampled */
};

/* One socket changed state.  States are the kernel's TCP_* numbers, with
 * TCP_CLOSE standing for the diagram's CLOSED box. */
struct trans_event {
	int64_t t_ms;		/* model clock (monotonic), ms */
	int64_t realtime_ns;	/* wall clock, for JSON */
	uint64_t cookie;	/* 0 when the source does not know it */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t from;
	uint8_t to;
	uint8_t source;		/* enum trans_source */
	uint16_t lport;		/* host order */
	uint16_t rport;
	uint8_t local[16];	/* network order; IPv4 in the first 4 */
	uint8_t remote[16];
};

/* Kinds of edges on the diagram. */
enum trans_kind {
	TRANS_NORMAL,		/* the textbook's */
	TRANS_ABNORMAL,		/* a failed connect, a reset: warn */
	TRANS_LINUX,		/* how Linux shows a textbook edge */
};

struct trans_edge {
	uint8_t from;
	uint8_t to;
	uint8_t kind;		/* enum trans_kind */
	const char *label;	/* what moves it: "rcv SYN+ACK, snd ACK" */
	const char *linux_note;	/* where Linux differs, or NULL */
};

/* Every edge of the diagram, textbook and Linux: pure data. */
extern const struct trans_edge trans_edges[];
extern const size_t trans_nedges;

/* The index of the edge from -> to in trans_edges, or -1. */
int trans_edge_find(int from, int to);

struct trans;

/* An engine whose rates average over window_ms.  Never fails. */
struct trans *trans_new(int64_t window_ms);
void trans_free(struct trans *t);

/* Count e: on its edge when there is one, and always in the from x to
 * matrix (so JSON reports what the kernel said, on the diagram or not),
 * and keep it among the events since trans_clear_events.  A transition
 * to the same state is ignored.  Returns the edge index or -1. */
/* The socket e names as a sample: family, 4-tuple and state to; the
 * rest zero (no cookie).  For filter_match and the model's lookups. */
void trans_event_sample(const struct trans_event *e, struct conn_sample *s);

int trans_add(struct trans *t, const struct trans_event *e);

/* Transitions from -> to since start (any pair of states 0..15). */
uint64_t trans_count(const struct trans *t, int from, int to);

/* Per second on edge i over the window ending at now_ms. */
double trans_rate(const struct trans *t, size_t edge, int64_t now_ms);

/* When edge i was last taken (model ms), INT64_MIN if never. */
int64_t trans_last_ms(const struct trans *t, size_t edge);

/* The events since the last trans_clear_events, oldest first; borrowed
 * until the next trans_add or trans_clear_events. */
const struct trans_event *trans_events(const struct trans *t, size_t *n);
void trans_clear_events(struct trans *t);

/* How exact the transitions are, for the screen and JSON: "exact",
 * "exact except 12 lost" or "sampled every 1.0 s" (text into buf).
 * sources has a bit (1 << TRANS_SRC_*) for each source in use; lost is
 * the tracepoint's events the kernel lost, overflows the times destroy
 * notifications overflowed (each lost one or more: the count then reads
 * "12+").  Losses do not change what sampling says.  No source at all
 * (sources 0) is a run of one refresh, which sees no transition: "none:
 * one refresh". */
void trans_describe(unsigned sources, double delay, unsigned long lost,
    unsigned long overflows, char *buf, size_t len);

#endif
