/* field: every field of a connection, one row each of one table: its
 * name, column title, JSON key, unit, width, how it formats for the
 * screen and the text report and JSON, how it compares, and its help.
 * The list's columns, the sort keys, the text report, the JSON writer,
 * the detail view and the column chooser all read this table.  Pure: no
 * curses, no netlink.
 *
 * A new tcp_info metric is one member of struct conn_tcpinfo, one line
 * in diag_msg.c that fills it, and one row here (FIELD_MEMBER and
 * FIELD_F_INFO do the rest). */
#ifndef TCPTOP_FIELD_H
#define TCPTOP_FIELD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcptop/cgroup.h"
#include "tcptop/conntab.h"
#include "tcptop/json.h"
#include "tcptop/netns.h"
#include "tcptop/unit.h"

/* The table's order is the sort keys' order (F6, < and >) and the order
 * in which the chooser lists hidden columns.  Every field is a sort
 * key. */
enum field_id {
	FIELD_STATE,
	FIELD_FAMILY,
	FIELD_LOCAL,
	FIELD_REMOTE,
	FIELD_LPORT,
	FIELD_RPORT,
	FIELD_RECVQ,
	FIELD_SENDQ,
	FIELD_AGE,
	FIELD_RTT,
	FIELD_RETRANS,
	FIELD_TIMER,
	FIELD_UID,
	FIELD_INODE,
	FIELD_COOKIE,
	FIELD_NETNS,
	FIELD_CGROUP,
	FIELD_RTTVAR,
	FIELD_CWND,
	FIELD_SSTHRESH,
	FIELD_LOST,
	FIELD_ACKED,
	FIELD_RECEIVED,
	FIELD_DELIVERY,
	FIELD_TX,		/* 2 s averages */
	FIELD_RX,
	FIELD_TX10,		/* 10 s */
	FIELD_RX10,
	FIELD_TX40,		/* 40 s */
	FIELD_RX40,
	FIELD_SHUTDOWN,
	FIELD_CC,
	FIELD_SNDWND,
	FIELD_RCVSPACE,
	FIELD_ACCEPTQ,
	FIELD_PID,
	FIELD_PROCESS,
	FIELD_USER,
	FIELD_SEEN,		/* time since first seen (JSON, detail) */
	FIELD_PREV,		/* the state before (JSON, detail) */
	FIELD_N
};

/* What a field may need beyond the row itself.  Zeroed members mean
 * "not known": a field whose source is missing reads "-" (null in
 * JSON).  Modules that own per-row data kept outside struct conn
 * (processes, namespaces...) add a borrowed pointer here. */
struct names;
struct proc;

struct field_ctx {
	int64_t now_ms;			/* model clock of the shown data */
	const struct netns_tab *netns;	/* labels of conn_sample.netns, NULL
					 * without -N or --all-netns */
	const struct cgroup_map *cgroups; /* paths of conn_sample.cgroup */
	const struct proc *proc;	/* owners (proc.h); NULL: off */
	struct names *names;		/* host and service names
					 * (names.h), shown as its mode
					 * says; NULL: numbers */
};

/* Bits of field.flags. */
#define FIELD_F_INFO	0x01	/* unknown without tcp_info */
#define FIELD_F_RATE	0x02	/* unknown until CONN_RATE */
#define FIELD_F_SORT	0x04	/* a sort key: every field is one
				 * (test-field checks) */
#define FIELD_F_RIGHT	0x08	/* right-aligned in a column */
#define FIELD_F_ZERO	0x10	/* unknown before the first RTT sample
				 * (rtt 0, where ss shows no rtt:) */
#define FIELD_F_TAIL	0x20	/* an endpoint: cut keeping its tail,
				 * never cut when IPv4 and room allows */
#define FIELD_F_OWNER	0x40	/* the owner's: needs processes read
				 * (/proc/PID/fd) */
#define FIELD_F_SAMPLED	0x80	/* moves without a state change (queues,
				 * timers): between full dumps, fresh only
				 * for the rows on screen */
/* What a model kept from events has fresh only for the rows on screen
 * (collector_events.c): a sort by it needs every refresh to dump. */
#define FIELD_F_STALE	(FIELD_F_INFO | FIELD_F_RATE | FIELD_F_SAMPLED)

/* The member of struct conn a field reads: offset and size. */
#define FIELD_MEMBER(m) .off = offsetof(struct conn, m), \
	.size = sizeof(((struct conn *)0)->m)

struct field {
	const char *name;	/* in --columns, --sort and tcptoprc */
	const char *title;	/* above its column; NULL: not a column */
	const char *json;	/* its JSON key; NULL: none, or written by
				 * json_fn under other keys */
	const char *help;
	uint8_t unit;		/* enum unit of its value */
	uint8_t width;		/* a column's width, or the least a
				 * flexible column gets */
	uint8_t maxwidth;	/* flexible: grows up to this; else width */
	uint8_t prio;		/* when space runs out, the columns with
				 * the highest prio go first */
	uint8_t flags;		/* FIELD_F_* */
	uint8_t size;		/* of the member read, 0: get does */
	uint16_t off;
	/* Its number: 0, or -1 when unknown for c.  NULL: the member. */
	int (*get)(const struct conn *c, const struct field_ctx *cx,
	    uint64_t *v);
	/* Its text.  NULL: the number in its unit, "-" when unknown. */
	void (*text)(const struct conn *c, const struct field_ctx *cx,
	    char *buf, size_t len);
	/* Its order.  NULL: by the number, unknown as 0; a field with
	 * neither member nor get: by its text (byte order). */
	int (*cmp)(const struct conn *a, const struct conn *b,
	    const struct field_ctx *cx);
	/* cmp as a number: cmp(a, b) is the order of key(a) and key(b).
	 * NULL with a cmp: the field has no such number. */
	uint64_t (*key)(const struct conn *c);
	/* Its text's width in cells without writing it, for a flexible
	 * column's width; 0: not known that cheaply.  NULL: written and
	 * measured. */
	size_t (*cells)(const struct conn *c, const struct field_ctx *cx);
	/* Its JSON members ("key": value, ", " between them), the first
	 * after sep; returns 0 when it wrote none.  NULL: json with the
	 * number, or null when unknown (UNIT_US as milliseconds with three
	 * decimals). */
	int (*json_fn)(struct json_buf *b, const char *sep,
	    const struct conn *c, const struct field_ctx *cx);
};

extern const struct field field_table[FIELD_N];

/* The number of field id for c into *v.  Returns 0, or -1 when c has
 * none (no tcp_info, no rate yet, not a listener...). */
int field_value(int id, const struct conn *c, const struct field_ctx *cx,
    uint64_t *v);

/* The text of field id for c into buf (len bytes; CONN_ENDPOINT_LEN is
 * enough for every field): as the list and the text report show it,
 * "-" when unknown. */
void field_fmt(int id, const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len);

/* The width in cells of field id's text for c: text_width of what
 * field_fmt writes, measured without writing it where the field can. */
size_t field_cells(int id, const struct conn *c, const struct field_ctx *cx);

/* <0, 0, >0 as a sorts before, with, after b by field id, reading what
 * lives outside the rows (owners, namespace labels, cgroup paths, the
 * clock) through cx (NULL: none known); the caller breaks ties (sort.c:
 * on the cookie).  Rows whose value is unknown sort first, as 0. */
int field_cmp(int id, const struct conn *a, const struct conn *b,
    const struct field_ctx *cx);

/* field_cmp as a number: *k such that field_cmp(id, a, b) is the order
 * of a's and b's keys (same cx), so a sort compares integers instead of
 * reading rows.  Returns 0, or -1 when the field has no such key (it
 * compares texts or addresses). */
int field_key(int id, const struct conn *c, const struct field_ctx *cx,
    uint64_t *k);

/* Write c's JSON members ("key": value, ", " between them) of every
 * field in table order: the inside of its object. */
void field_json(struct json_buf *b, const struct conn *c,
    const struct field_ctx *cx);

/* The field named name (case-insensitive), or -1. */
int field_lookup(const char *name);

/* The sort key named name: a field with FIELD_F_SORT, or -1. */
int field_sort_lookup(const char *name);

/* The next (dir 1) or previous (-1) sort key after id, wrapping. */
int field_sort_step(int id, int dir);

/* How many sort keys there are; the i-th of them in table order (the
 * sort menu's), or -1; where sort key id is among them, or -1. */
size_t field_nsort(void);
int field_sort_key(size_t i);
int field_sort_index(int id);

/* Nonzero when field id is a column (has a title). */
int field_is_column(int id);

/* The shared readings of a row, for the alerts, groups and the
 * header. */

/* Retransmissions: the lifetime total from tcp_info when the kernel
 * gave one, else the RTO retransmits of inet_diag_msg. */
unsigned field_retrans(const struct conn *c);

/* The row's time in state is a lower bound: it was there before the
 * first scan and has not been seen to change state. */
int field_age_at_least(const struct conn *c);

/* Timer name for idiag_timer: "", "on", "keepalive", "timewait",
 * "persist", "?" */
const char *field_timer_name(int timer);

/* A LISTEN socket's accept queue as a percentage of its backlog (Recv-Q
 * of Send-Q, as ss -l shows them) into *pct.  Returns 0, or -1 for any
 * other socket or a backlog of 0. */
int field_accept_fill(const struct conn *c, double *pct);

#endif
