/* column: the connection list's columns, one table with their names,
 * titles, widths and sort keys, and how each formats a row; pure. */
#ifndef TCPTOP_COLUMN_H
#define TCPTOP_COLUMN_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/cgroup.h"
#include "tcptop/conntab.h"
#include "tcptop/netns.h"

enum column_id {
	COL_FAMILY,
	COL_LOCAL,
	COL_REMOTE,
	COL_STATE,
	COL_AGE,
	COL_RECVQ,
	COL_SENDQ,
	COL_RTT,
	COL_RETRANS,
	COL_TIMER,
	COL_UID,
	COL_INODE,
	COL_COOKIE,
	COL_NETNS,
	COL_CGROUP,
	COL_RTTVAR,
	COL_CWND,
	COL_SSTHRESH,
	COL_LOST,
	COL_ACKED,
	COL_RECEIVED,
	COL_DELIVERY,
	COL_TX,
	COL_RX,
	COL_SHUTDOWN,
	COL_CC,
	COL_SNDWND,
	COL_RCVSPACE,
	COL_ACCEPTQ,
	COL_PID,
	COL_PROCESS,
	COL_USER,
	COL_NCOLS
};

struct column {
	const char *name;	/* in tcptoprc and --columns */
	const char *title;	/* above the column */
	const char *help;
	uint8_t width;		/* fixed width, or the least a flexible
				 * column gets */
	uint8_t maxwidth;	/* flexible: grows up to this; else width */
	uint8_t right;		/* right-aligned (numbers) */
	int8_t sort;		/* enum sort_key it sorts by, -1 none */
	uint8_t prio;		/* when space runs out, the columns with
				 * the highest prio go first */
};

extern const struct column column_table[COL_NCOLS];

/* The columns shown when nothing says otherwise. */
extern const uint8_t column_default[];
extern const size_t column_ndefault;

/* The column named name (case-insensitive), or -1. */
int column_lookup(const char *name);

/* Parse "name,name,..." into ids (at most max, no repeats).  Returns 0,
 * or -1 with a one-line reason in err and ids untouched. */
int column_parse_list(const char *spec, uint8_t *ids, size_t *n, size_t max,
    char *err, size_t errlen);

/* Write ids back as "name,name" into buf. */
void column_fmt_list(const uint8_t *ids, size_t n, char *buf, size_t len);

/* Share width among the columns ids: fixed columns get their width,
 * flexible ones split what is left up to their maximum, one space
 * between columns.  When not all fit, the columns of highest prio get
 * width 0 (the rest keep their order).  widths[i] for each id; returns
 * the width used. */
int column_layout(const uint8_t *ids, size_t n, int width, int *widths);

/* What a column may need beyond the row itself.  Zeroed fields mean
 * "not known": a column whose source is missing prints "-".  Modules
 * that own per-row data kept outside struct conn (processes,
 * namespaces...) add a borrowed pointer here. */
struct proc;

struct column_ctx {
	int64_t now_ms;		/* model clock of the shown data */
	const struct netns_tab *netns;	/* labels of conn_sample.netns */
	const struct cgroup_map *cgroups; /* paths of conn_sample.cgroup */
	const struct proc *proc;	/* owners (proc.h); NULL: off */
};

/* Put id first in ids (n of at most max) unless it is there already.
 * Returns 1 when it was added. */
int column_prepend(uint8_t *ids, size_t *n, size_t max, int id);

/* The text of column id for c, into buf (len). */
void column_fmt(int id, const struct conn *c, const struct column_ctx *cx,
    char *buf, size_t len);

/* Shorten text in place to at most width bytes (ASCII text): keep its
 * tail from the last ':' (an endpoint's port) and as much of the head as
 * fits, joined by ell (e.g. "~"; counted as one cell). */
void column_elide(char *text, size_t len, int width, const char *ell);

/* Time as the narrowest readable text: 12s, 5m03s, 3h05m, 2d03h; a
 * trailing '+' when at_least (a lower bound). */
void column_fmt_age(int64_t ms, int at_least, char *buf, size_t len);

/* The row's time in state is a lower bound: it was there before the
 * first scan and has not been seen to change state. */
int column_age_at_least(const struct conn *c);

/* Retransmissions: the lifetime total from tcp_info when the kernel gave
 * one, else the RTO retransmits of inet_diag_msg. */
unsigned column_retrans(const struct conn *c);

/* Timer name for idiag_timer: "", "on", "keepalive", "timewait",
 * "persist", "?" */
const char *column_timer_name(int timer);

/* The pending timer with its expiry: "on 200ms", "keepalive 1m11s",
 * "timewait 58s"; "" when none. */
void column_fmt_timer(const struct conn *c, char *buf, size_t len);

/* The shutdown state as ss -e shows it: "<->" open both ways, "-->"
 * receiving shut (it only sends), "<--" sending shut (it only
 * receives), "---" both; NULL when the kernel did not say. */
const char *column_shutdown(const struct conn *c);

/* A LISTEN socket's accept queue as a percentage of its backlog (Recv-Q
 * of Send-Q, as ss -l shows them) into *pct.  Returns 0, or -1 for any
 * other socket or a backlog of 0. */
int column_accept_fill(const struct conn *c, double *pct);

/* A count or byte count in at most 5 cells: 12345, 123K, 1.2M, 45G
 * (K = 1024). */
void column_fmt_count(uint64_t v, char *buf, size_t len);

#endif
