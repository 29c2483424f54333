/* collector_int: what collector.c and collector_netns.c share: the
 * collector itself.  Private to them. */
#ifndef TCPTOP_COLLECTOR_INT_H
#define TCPTOP_COLLECTOR_INT_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "tcptop/alerts.h"
#include "tcptop/cgroup.h"
#include "tcptop/collector.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/kstat.h"
#include "tcptop/netns.h"
#include "tcptop/options.h"
#include "tcptop/proc.h"
#include "tcptop/ssh.h"
#include "tcptop/trace.h"
#include "tcptop/trans.h"
#include "tcptop/transfeed.h"

struct collector {
	const struct options *o;
	struct snapshot snap;		/* the last refresh's */
	char err[256];			/* snap.error */

	/* The sockets: live, or a recording; and the model. */
	struct diag *d;
	struct diag_replay *rp;
	FILE *rec;			/* --record */
	struct conntab *tab;
	struct conntab_feed feed;

	/* Around them. */
	struct proc *proc;		/* process attribution, NULL: off */
	struct names *names;		/* host and service names, NULL
					 * until asked for */
	struct cgroup_map *cgroups;
	struct kstat *kstat;		/* live only */
	struct ssh_session ssh;		/* $SSH_CONNECTION, when snap.ssh */
	uint32_t ssh_inodes[8];		/* without it: the sockets of an
					 * sshd above tcptop (sudo drops
					 * the variable), the session's
					 * first */
	size_t nssh_inodes;
	struct alerts *alerts;
	uint32_t alert_thresh[ALERT_NKINDS];
	/* While filters narrow the view: every socket, for the alerts
	 * outside it (collector_alerts_box). */
	struct conntab *boxtab;		/* NULL while there are none */
	struct alerts *box_alerts;
	int64_t box_ns;			/* the start of the refresh that
					 * last dumped the box */
	int64_t refresh_ns;		/* the start of this refresh */
	long box_outside;		/* what that dump counted */

	/* Transitions: the engine, its feed and its live sources. */
	struct trans *trans;
	struct transfeed *tf;
	struct trace *trace;		/* NULL: not in use */
	struct diag_notify *notify;	/* NULL: not in use */
	unsigned trans_sources;		/* 1 << TRANS_SRC_* in use */
	char trans_note[160];		/* why there is no trace, or "" */
	char trans_source[48];		/* trans_describe's text */
	double delay;			/* collector_describe's */
	int64_t last_start_ns;		/* when the last refresh began, 0 */
	struct pollfd *pfd;		/* the sources' descriptors, after */
	size_t npfd;			/* the caller's slot 0 */
	int64_t take_at_ns;		/* the notifications polled again
					 * then (collector_take_at), 0 now */

	/* Namespaces (collector_netns.c): -N's descriptor, the table of
	 * labels (-N and --all-netns) and a diag socket per --all-netns
	 * entry past 0 (entry 0 uses d). */
	int nsfd;			/* -N: the viewed one; -1 ours */
	struct netns_tab *nstab;	/* NULL without -N, --all-netns */
	struct diag **nsd;
	size_t nnsd;
	int64_t nsscan_ms;		/* last netns_tab_scan, */
	int64_t nsscan_cost_ns;		/* and what it took */

	/* The model kept from events between full dumps
	 * (collector_events.c), NULL: --model dump. */
	struct collector_events *ev;
};

/* collector_netns.c: open the namespaces o asks for (0, or the exit
 * status after printing why), with -N inside the viewed one until
 * collector_netns_opened; the diag socket of namespace index idx; one
 * dump of the namespaces in view (st: summed, times of our own). */
int collector_netns_open(struct collector *c, const struct options *o);
void collector_netns_opened(struct collector *c);
void collector_netns_close(struct collector *c);
struct diag *collector_netns_diag(struct collector *c, uint16_t idx);
int collector_netns_dump(struct collector *c, const struct diag_query *q,
    const struct diag_sink *sink, struct diag_stats *st);

/* collector_events.c: open (after the transition sources) and close;
 * the sockets the sources name; whether this refresh must dump in full,
 * else the refresh from events (0, or -1 as a failed dump); after a
 * full dump begun at start_ns; the snapshot's model fields. */
void collector_events_open(struct collector *c, const struct options *o);
void collector_events_close(struct collector *c);
void collector_events_trace(struct collector *c, const struct trans_event *e,
    uint64_t skaddr);
void collector_events_destroy(struct collector *c,
    const struct conn_sample *s);
int collector_events_full_due(struct collector *c);
int collector_events_refresh(struct collector *c, const struct filter *f);
void collector_events_full(struct collector *c, int64_t start_ns);
void collector_events_describe(struct collector *c);
/* The query changed: the next refresh dumps in full. */
void collector_events_rescoped(struct collector *c);

#endif
