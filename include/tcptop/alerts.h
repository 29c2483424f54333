/* alerts: rules over the model that say what looks wrong on the box,
 * with the numbers that show it and what to check next.  One table row
 * per kind (name, threshold, evaluator, hint).  Pure but for the reader
 * of the kernel's limits (alerts_limits_read). */
#ifndef TCPTOP_ALERTS_H
#define TCPTOP_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conntab.h"

/* The kinds, in the order alerts of one severity are listed. */
enum alert_kind {
	ALERT_SYN_FLOOD,		/* SYN_RECV piling up on a listener */
	ALERT_ACCEPT_QUEUE,		/* a listener's accept queue full */
	ALERT_CLOSE_WAIT_LEAK,		/* old CLOSE_WAIT sockets kept */
	ALERT_TIME_WAIT,		/* ephemeral ports or tw buckets */
	ALERT_FIN_WAIT2,		/* the same, held by orphaned
					 * FIN_WAIT2: the peer never closes */
	ALERT_ORPHANS,			/* close to tcp_max_orphans */
	ALERT_RETRANS_NO_PROGRESS,	/* RTOs and nothing acknowledged */
	ALERT_SYN_SENT_STUCK,		/* connects that get no answer */
	ALERT_NKINDS
};

enum alert_severity {
	ALERT_WARN = 1,
	ALERT_CRIT = 2,			/* a limit is reached: drops now */
};

#define ALERT_TEXT_LEN	200		/* evidence and hint, with NUL */
#define ALERTS_MAX	64		/* alerts kept per evaluation */

/* Limits of the viewed namespace from /proc/sys/net/ipv4; -1 unknown. */
struct alert_limits {
	int32_t port_lo, port_hi;	/* ip_local_port_range */
	int64_t max_tw_buckets;		/* tcp_max_tw_buckets */
	int64_t max_orphans;		/* tcp_max_orphans: the host's only,
					 * absent in other namespaces */
};

/* What one evaluation looks at.  Everything is borrowed for the call. */
struct alert_input {
	struct conn *const *rows;	/* conntab_rows(); tombstones are
					 * skipped */
	size_t n;
	int64_t now_ms;			/* the model clock of the rows */
	double listen_overflows;	/* per second, -1 unknown */
	double listen_drops;
	double syncookies_sent;
	struct alert_limits limits;
	const uint32_t *thresh;		/* [ALERT_NKINDS], alerts_defaults
					 * or from tcptoprc */
	/* The process holding c, written into buf (len bytes) and
	 * returned, or NULL when unknown; NULL: owners unknown, the
	 * evidence names the local port instead.  What it says of c
	 * depends on c->owner alone: rows with the same value are asked
	 * once an evaluation. */
	const char *(*owner)(void *arg, const struct conn *c, char *buf,
	    size_t len);
	void *owner_arg;
	/* With rows of several namespaces (--all-netns): the label of
	 * conn_sample.netns idx, printable.  Each namespace is then judged
	 * on its own, another's evidence starts with "[LABEL] ", and the
	 * limits, which are the viewed namespace's (idx 0), apply to its
	 * rows only.  NULL: every row counts as the viewed namespace's. */
	const char *(*netns_label)(void *arg, uint16_t idx);
	void *netns_arg;
	/* Whether row c is in the view (the filters pass it): an alert
	 * whose sockets all fail it is outside the view (alert.in_view 0).
	 * NULL: every row is. */
	int (*in_view)(void *arg, const struct conn *c);
	void *view_arg;
};

struct alert {
	int kind;			/* enum alert_kind */
	int severity;			/* enum alert_severity */
	int in_view;			/* a socket behind it is in the view
					 * (alert_input.in_view), or it is
					 * about no socket (a counter) */
	char evidence[ALERT_TEXT_LEN];	/* one line with the numbers */
	char hint[ALERT_TEXT_LEN];	/* what to check next */
};

/* The table: one row per kind, in enum order. */
struct alert_kind_info {
	const char *name;		/* "syn_flood", as in JSON */
	const char *key;		/* its threshold's tcptoprc key */
	uint32_t def, min, max;		/* the threshold's default, range */
	const char *unit;		/* "sockets", "s", "%"... */
	const char *help;		/* what the threshold is */
};

extern const struct alert_kind_info alert_kinds[ALERT_NKINDS];

struct alerts;

/* A new evaluator.  It remembers what it needs from one evaluation to
 * the next (bytes acknowledged by retransmitting connections) and opens
 * the limits' files now, in the network namespace the caller is in:
 * call it where the dump's socket is opened.  Never fails (xmalloc; a
 * missing file is an unknown limit). */
struct alerts *alerts_new(void);
void alerts_free(struct alerts *a);

/* Fill t[ALERT_NKINDS] with the defaults. */
void alerts_defaults(uint32_t *t);

/* The kind whose threshold key is name (any case), or -1. */
int alerts_key_lookup(const char *name);

/* Read the limits through the files alerts_new opened (a sysctl may
 * change while tcptop runs).  Unreadable ones are -1. */
void alerts_limits_read(struct alerts *a, struct alert_limits *l);

/* Evaluate the rules.  Returns how many alerts there are (at most
 * ALERTS_MAX: the most severe are kept); *list is owned by a and valid
 * until the next call.  Deterministic: ordered by severity (highest
 * first), kind, then evidence, and without duplicates.  *more gets how
 * many were left out (may be NULL). */
size_t alerts_eval(struct alerts *a, const struct alert_input *in,
    const struct alert **list, size_t *more);

/* The kind's name, "?" when out of range. */
const char *alerts_kind_name(int kind);

#endif
