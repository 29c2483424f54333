/* Alerts: each kind's rule over the rows, its evidence and its hint. */
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tcptop/alerts.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#define ALERTS_KEY_LEN	96

/* One row that a rule picked, or a group of them once merged by key. */
struct alerts_item {
	uint16_t ns;			/* the rows' namespace (alerts_ns) */
	char key[ALERTS_KEY_LEN];	/* what the alert names */
	uint32_t n;
	uint32_t n2;			/* of n, the second kind counted
					 * (orphaned FIN_WAIT2) */
	uint32_t val;			/* the largest value (retransmits) */
	int64_t age_ms;			/* the oldest */
	int at_least;			/* its age is a lower bound: there
					 * before tcptop, in this state */
	int in_view;			/* one of the rows passes the
					 * input's in_view (or it has none) */
};

/* bytes_acked of a retransmitting connection at the last evaluation. */
struct alerts_seen {
	uint64_t cookie;
	uint64_t acked;
	int alerted;		/* it was in the alert */
};

/* A listener's port and backlog (LISTEN's Send-Q). */
struct alerts_listener {
	uint16_t ns;
	uint16_t port;
	uint32_t backlog;
};

enum { ALERTS_F_RANGE, ALERTS_F_TW, ALERTS_F_ORPHANS, ALERTS_NFILES };

/* A timewait group before its key is written (alerts_time_wait): the
 * rows of one family, local address and remote endpoint. */
struct alerts_tw {
	const struct conn *c;	/* its first row */
	uint32_t n, n2;
	int in_view;
};

/* A CLOSE_WAIT group before its key is written (alerts_close_wait):
 * the rows of one namespace with one owner value, or, without an owner,
 * one listener's port. */
struct alerts_cw {
	uint64_t id;		/* alerts_cw_id */
	const struct conn *c;	/* its oldest row */
	uint32_t n;		/* 0: an owner value in->owner does not
				 * name, whose rows go by port */
	int owned;		/* in->owner names the owner value */
	int64_t age_ms;		/* the oldest */
	int in_view;
};

/* The live rows of one state that the rules read (alerts_partition). */
struct alerts_rows {
	const struct conn **v;
	size_t n, cap;
};

/* The rows of some states, one state after another (alerts_next). */
struct alerts_iter {
	const struct alerts *a;
	uint32_t mask;		/* 1 << state */
	int s;
	size_t i;
};

struct alerts {
	int fd[ALERTS_NFILES];
	struct alert *out;		/* this evaluation's alerts */
	size_t nout, out_cap;
	struct alerts_item *items;	/* scratch, reused: one rule's groups */
	size_t nitems, items_cap;
	uint32_t *ihash;		/* 1 + their index, by key */
	size_t islots;
	struct alerts_seen *seen, *next_seen;	/* sorted by cookie */
	size_t nseen, nnext, seen_cap, next_cap;
	struct alerts_listener *ls;	/* sorted by namespace, port */
	size_t nls, ls_cap;
	const struct alert_input *in;	/* during alerts_eval */
	int view;			/* the in_view of the next alert */
	struct alerts_rows st[TCPSTATE_MAX + 1];	/* by state */
	struct alerts_tw *tw;		/* alerts_time_wait's groups */
	size_t ntw, tw_cap;
	uint32_t *twhash;		/* 1 + their index, by tuple */
	size_t twslots;
	struct alerts_cw *cw;		/* alerts_close_wait's groups */
	size_t ncw, cw_cap;
	uint32_t *cwhash;		/* 1 + their index, by id */
	size_t cwslots;
};

typedef void (*alerts_rule)(struct alerts *, const struct alert_input *,
    uint32_t);

static void alerts_syn_flood(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_accept_queue(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_close_wait(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_time_wait(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_orphans(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_retrans(struct alerts *, const struct alert_input *,
    uint32_t);
static void alerts_syn_sent(struct alerts *, const struct alert_input *,
    uint32_t);

const struct alert_kind_info alert_kinds[ALERT_NKINDS] = {
	[ALERT_SYN_FLOOD] = { "syn_flood", "alert_syn_recv", 100, 1,
	    1000000, "sockets", "SYN_RECV sockets on one listening port" },
	[ALERT_ACCEPT_QUEUE] = { "accept_queue", "alert_accept_fill_pct", 90,
	    1, 100, "%", "accept queue fill of a listener, percent of its "
	    "backlog" },
	[ALERT_CLOSE_WAIT_LEAK] = { "close_wait_leak", "alert_close_wait_age",
	    60, 1, 864000, "s", "age of the CLOSE_WAIT sockets counted, "
	    "seconds" },
	[ALERT_TIME_WAIT] = { "time_wait", "alert_time_wait_pct", 80, 1, 100,
	    "%", "TIME_WAIT towards one destination, percent of the "
	    "ephemeral ports; or in all, percent of tcp_max_tw_buckets" },
	[ALERT_FIN_WAIT2] = { "fin_wait2_orphans", "alert_fin_wait2_pct",
	    80, 1, 100, "%", "orphaned FIN_WAIT2 (with TIME_WAIT) towards one "
	    "destination, percent of the ephemeral ports; or in all, percent "
	    "of tcp_max_tw_buckets" },
	[ALERT_ORPHANS] = { "orphans", "alert_orphans_pct", 80, 1, 100, "%",
	    "orphaned sockets, percent of tcp_max_orphans" },
	[ALERT_RETRANS_NO_PROGRESS] = { "retrans_no_progress",
	    "alert_retrans", 3, 1, 255, "RTOs", "consecutive RTO "
	    "retransmissions with nothing acknowledged between refreshes" },
	[ALERT_SYN_SENT_STUCK] = { "syn_sent_stuck", "alert_syn_sent_age", 10,
	    1, 864000, "s", "age of a connect in SYN_SENT, seconds" },
};

static const alerts_rule alerts_rules[ALERT_NKINDS] = {
	[ALERT_SYN_FLOOD] = alerts_syn_flood,
	[ALERT_ACCEPT_QUEUE] = alerts_accept_queue,
	[ALERT_CLOSE_WAIT_LEAK] = alerts_close_wait,
	[ALERT_TIME_WAIT] = alerts_time_wait,
	/* ALERT_FIN_WAIT2: alerts_time_wait judges both kinds at once,
	 * since both hold the same ports and buckets. */
	[ALERT_ORPHANS] = alerts_orphans,
	[ALERT_RETRANS_NO_PROGRESS] = alerts_retrans,
	[ALERT_SYN_SENT_STUCK] = alerts_syn_sent,
};

static const char *const alerts_files[ALERTS_NFILES] = {
	[ALERTS_F_RANGE] = "/proc/sys/net/ipv4/ip_local_port_range",
	[ALERTS_F_TW] = "/proc/sys/net/ipv4/tcp_max_tw_buckets",
	[ALERTS_F_ORPHANS] = "/proc/sys/net/ipv4/tcp_max_orphans",
};

struct alerts *
alerts_new(void)
{
	struct alerts *a = xcalloc(1, sizeof *a);
	int i;

	/* A /proc/sys file reads the namespace it was opened in. */
	for (i = 0; i < ALERTS_NFILES; i++)
		a->fd[i] = open(alerts_files[i], O_RDONLY | O_CLOEXEC);
	return a;
}

void
alerts_free(struct alerts *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < ALERTS_NFILES; i++)
		if (a->fd[i] != -1)
			close(a->fd[i]);
	free(a->out);
	free(a->items);
	free(a->ihash);
	free(a->tw);
	free(a->twhash);
	free(a->cw);
	free(a->cwhash);
	free(a->seen);
	free(a->next_seen);
	free(a->ls);
	for (i = 0; i <= TCPSTATE_MAX; i++)
		free(a->st[i].v);
	free(a);
}

void
alerts_defaults(uint32_t *t)
{
	int k;

	for (k = 0; k < ALERT_NKINDS; k++)
		t[k] = alert_kinds[k].def;
}

int
alerts_key_lookup(const char *name)
{
	int k;

	for (k = 0; k < ALERT_NKINDS; k++)
		if (strcasecmp(alert_kinds[k].key, name) == 0)
			return k;
	return -1;
}

const char *
alerts_kind_name(int kind)
{
	return kind >= 0 && kind < ALERT_NKINDS ? alert_kinds[kind].name :
	    "?";
}

/* Up to two numbers of one sysctl file.  Returns how many were read. */
static int
alerts_sysctl(int fd, long long *v, int max)
{
	char buf[64], *p = buf, *end;
	ssize_t r;
	int n = 0;

	if (fd == -1 || (r = pread(fd, buf, sizeof buf - 1, 0)) <= 0)
		return 0;
	buf[r] = '\0';
	while (n < max) {
		long long x = strtoll(p, &end, 10);

		if (end == p)
			break;
		v[n++] = x;
		p = end;
	}
	return n;
}

void
alerts_limits_read(struct alerts *a, struct alert_limits *l)
{
	long long v[2];

	l->port_lo = l->port_hi = -1;
	l->max_tw_buckets = l->max_orphans = -1;
	if (alerts_sysctl(a->fd[ALERTS_F_RANGE], v, 2) == 2 && v[0] > 0 &&
	    v[0] <= v[1] && v[1] <= 65535) {
		l->port_lo = (int32_t)v[0];
		l->port_hi = (int32_t)v[1];
	}
	if (alerts_sysctl(a->fd[ALERTS_F_TW], v, 1) == 1 && v[0] >= 0)
		l->max_tw_buckets = v[0];
	if (alerts_sysctl(a->fd[ALERTS_F_ORPHANS], v, 1) == 1 && v[0] >= 0)
		l->max_orphans = v[0];
}

/* Add one alert about namespace ns; the evidence and hint are cut to
 * one line.  Another namespace's evidence starts with its label. */
static void __attribute__((format(printf, 6, 7)))
alerts_add(struct alerts *a, uint16_t ns, int kind, int severity,
    const char *hint, const char *fmt, ...)
{
	struct alert *al;
	va_list ap;
	size_t n = 0;

	if (a->nout == a->out_cap) {
		a->out_cap = a->out_cap ? a->out_cap * 2 : 16;
		a->out = xreallocarray(a->out, a->out_cap, sizeof *a->out);
	}
	al = &a->out[a->nout++];
	al->kind = kind;
	al->severity = severity;
	al->in_view = a->view;
	if (ns != 0)
		n = (size_t)snprintf(al->evidence, sizeof al->evidence, "[%s] ",
		    a->in->netns_label(a->in->netns_arg, ns));
	if (n >= sizeof al->evidence)
		n = sizeof al->evidence - 1;
	va_start(ap, fmt);
	vsnprintf(al->evidence + n, sizeof al->evidence - n, fmt, ap);
	va_end(ap);
	snprintf(al->hint, sizeof al->hint, "%s", hint);
}

static int alerts_at_least(const struct conn *);
static uint16_t alerts_ns(const struct alert_input *, const struct conn *);
static int alerts_in_view(const struct alert_input *, const struct conn *);

/* Pick row c for grouping under key. */
static int
alerts_item_cmp(const void *pa, const void *pb)
{
	const struct alerts_item *x = pa, *y = pb;

	if (x->ns != y->ns)
		return (x->ns > y->ns) - (x->ns < y->ns);
	return strcmp(x->key, y->key);
}

static uint32_t
alerts_key_hash(uint16_t ns, const char *key)
{
	uint32_t h = 2166136261u ^ ns;

	for (; *key != '\0'; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

/* The group of key in a->ihash, or where it goes (an empty slot). */
static size_t
alerts_item_slot(const struct alerts *a, uint16_t ns, const char *key)
{
	size_t i = alerts_key_hash(ns, key) & (a->islots - 1);

	for (; a->ihash[i] != 0; i = (i + 1) & (a->islots - 1)) {
		const struct alerts_item *g = &a->items[a->ihash[i] - 1];

		if (g->ns == ns && strcmp(g->key, key) == 0)
			break;
	}
	return i;
}

/* Empty a hash of 1 + index (ihash, twhash) whose last use held n
 * entries: freed when a flood grew it past need, else cleared. */
static void
alerts_hash_clear(uint32_t **h, size_t *slots, size_t n)
{
	if (*slots > 4096 && n * 8 < *slots) {
		free(*h);
		*h = NULL;
		*slots = 0;
	} else if (n > 0 && *h != NULL)
		memset(*h, 0, *slots * sizeof **h);
}

/* Start a rule's groups (alerts_item, alerts_group). */
static void
alerts_items_clear(struct alerts *a)
{
	a->items = xshrinkarray(a->items, a->nitems, &a->items_cap,
	    sizeof *a->items);
	alerts_hash_clear(&a->ihash, &a->islots, a->nitems);
	a->nitems = 0;
}

/* Row c picked by a rule, into the group of its key (cut to
 * ALERTS_KEY_LEN): counts add up, the largest value and the oldest age
 * stay.  Grouped as they come, so that a leak of 10,000 CLOSE_WAIT
 * keeps one group, not 10,000 copies of a key to sort.  Returns the
 * group. */
static struct alerts_item *
alerts_item(struct alerts *a, const struct conn *c, const char *key,
    uint32_t val, int64_t age)
{
	char k[ALERTS_KEY_LEN];
	struct alerts_item *it;
	uint16_t ns = alerts_ns(a->in, c);
	size_t i, len = strnlen(key, sizeof k - 1);

	memcpy(k, key, len);
	k[len] = '\0';
	if ((a->nitems + 1) * 2 > a->islots) {
		free(a->ihash);
		a->islots = a->islots ? a->islots * 2 : 64;
		a->ihash = xcalloc(a->islots, sizeof *a->ihash);
		for (i = 0; i < a->nitems; i++)
			a->ihash[alerts_item_slot(a, a->items[i].ns,
			    a->items[i].key)] = (uint32_t)i + 1;
	}
	i = alerts_item_slot(a, ns, k);
	if (a->ihash[i] != 0) {
		it = &a->items[a->ihash[i] - 1];
		it->n++;
		it->in_view |= alerts_in_view(a->in, c);
		if (val > it->val)
			it->val = val;
		if (age > it->age_ms) {
			it->age_ms = age;
			it->at_least = alerts_at_least(c);
		}
		return it;
	}
	if (a->nitems == a->items_cap) {
		a->items_cap = a->items_cap ? a->items_cap * 2 : 64;
		a->items = xreallocarray(a->items, a->items_cap,
		    sizeof *a->items);
	}
	it = &a->items[a->nitems++];
	it->ns = ns;
	memcpy(it->key, k, len + 1);
	it->n = 1;
	it->n2 = 0;
	it->val = val;
	it->age_ms = age;
	it->at_least = alerts_at_least(c);
	it->in_view = alerts_in_view(a->in, c);
	a->ihash[i] = (uint32_t)a->nitems;
	return it;
}

/* The groups in order: namespace, then key.  Returns how many. */
static size_t
alerts_group(struct alerts *a)
{
	if (a->nitems > 1)
		qsort(a->items, a->nitems, sizeof *a->items, alerts_item_cmp);
	return a->nitems;
}

/* "; ListenOverflows 12/s" for each of the three rates that is known
 * and shows as more than 0/s: a zero says nothing an operator needs. */
static void
alerts_rates(char *buf, size_t len, const struct alert_input *in, int drops)
{
	size_t n = 0;

	buf[0] = '\0';
	if (in->listen_overflows >= 0.5)
		n += (size_t)snprintf(buf + n, len - n, "; ListenOverflows "
		    "%.0f/s", in->listen_overflows);
	if (drops && in->listen_drops >= 0.5 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "; ListenDrops %.0f/s",
		    in->listen_drops);
	if (!drops && in->syncookies_sent >= 0.5 && n < len)
		snprintf(buf + n, len - n, "; SyncookiesSent %.0f/s",
		    in->syncookies_sent);
}

/* Whether c's time in state is a lower bound: it was there before
 * tcptop (conntab started it from the kernel's bound) and has not
 * changed state since. */
static int
alerts_at_least(const struct conn *c)
{
	return (c->flags & CONN_PREEXISTING) && c->prev_state == 0;
}

/* Whether c passes the input's in_view (every row does without one). */
static int
alerts_in_view(const struct alert_input *in, const struct conn *c)
{
	return in->in_view == NULL || in->in_view(in->view_arg, c);
}

static int
alerts_live(const struct conn *c)
{
	return !(c->flags & CONN_GONE);
}

/* c's namespace: with --all-netns each is judged on its own; 0 (the
 * viewed one) when the input has no labels. */
static uint16_t
alerts_ns(const struct alert_input *in, const struct conn *c)
{
	return in->netns_label != NULL ? c->s.netns : 0;
}

static uint32_t alerts_rtos(const struct conn *);

/* One pass over the table for all the rules: each live row into the
 * list of its state, but for ESTABLISHED, most of a busy table, whose
 * rows only the retransmission rule reads, and only those past its
 * threshold.  Each rule then reads its states' rows: six passes over
 * every row were a sixth of a refresh kept from events at 100k. */
static void
alerts_partition(struct alerts *a, const struct alert_input *in)
{
	uint32_t th = in->thresh[ALERT_RETRANS_NO_PROGRESS];
	size_t i;

	/* The last evaluation's lists go; a flood's room with them. */
	for (i = 0; i <= TCPSTATE_MAX; i++) {
		a->st[i].v = xshrinkarray(a->st[i].v, a->st[i].n,
		    &a->st[i].cap, sizeof *a->st[i].v);
		a->st[i].n = 0;
	}
	for (i = 0; i < in->n; i++) {
		const struct conn *c = in->rows[i];
		struct alerts_rows *r;

		if (!alerts_live(c) || c->s.state < TCPSTATE_MIN ||
		    c->s.state > TCPSTATE_MAX)
			continue;
		if (c->s.state == TCP_ESTABLISHED && (c->s.cookie == 0 ||
		    alerts_rtos(c) < th))
			continue;
		r = &a->st[c->s.state];
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 64;
			r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
		}
		r->v[r->n++] = c;
	}
}

/* Start it over the live rows in the states of mask (1 << state). */
static void
alerts_iter_init(struct alerts_iter *it, const struct alerts *a,
    uint32_t mask)
{
	it->a = a;
	it->mask = mask;
	it->s = TCPSTATE_MIN;
	it->i = 0;
}

static const struct conn *
alerts_next(struct alerts_iter *it)
{
	for (; it->s <= TCPSTATE_MAX; it->s++, it->i = 0)
		if ((it->mask & 1u << it->s) &&
		    it->i < it->a->st[it->s].n)
			return it->a->st[it->s].v[it->i++];
	return NULL;
}

static int
alerts_listener_cmp(const void *pa, const void *pb)
{
	const struct alerts_listener *x = pa, *y = pb;

	if (x->ns != y->ns)
		return (x->ns > y->ns) - (x->ns < y->ns);
	return (x->port > y->port) - (x->port < y->port);
}

/* The listening ports with the largest backlog on each. */
static void
alerts_listeners(struct alerts *a, const struct alert_input *in)
{
	struct alerts_iter it;
	const struct conn *c;
	size_t i, o = 0;

	a->nls = 0;
	for (alerts_iter_init(&it, a, 1u << TCP_LISTEN);
	    (c = alerts_next(&it)) != NULL;) {
		if (a->nls == a->ls_cap) {
			a->ls_cap = a->ls_cap ? a->ls_cap * 2 : 16;
			a->ls = xreallocarray(a->ls, a->ls_cap, sizeof *a->ls);
		}
		a->ls[a->nls].ns = alerts_ns(in, c);
		a->ls[a->nls].port = c->s.lport;
		a->ls[a->nls++].backlog = c->s.wqueue;
	}
	if (a->nls == 0)
		return;
	qsort(a->ls, a->nls, sizeof *a->ls, alerts_listener_cmp);
	for (i = 1; i < a->nls; i++) {
		if (alerts_listener_cmp(&a->ls[i], &a->ls[o]) == 0) {
			if (a->ls[i].backlog > a->ls[o].backlog)
				a->ls[o].backlog = a->ls[i].backlog;
		} else
			a->ls[++o] = a->ls[i];
	}
	a->nls = o + 1;
}

static const struct alerts_listener *
alerts_listener(const struct alerts *a, uint16_t ns, uint16_t port)
{
	struct alerts_listener k = { ns, port, 0 };

	if (a->nls == 0)
		return NULL;
	return bsearch(&k, a->ls, a->nls, sizeof *a->ls, alerts_listener_cmp);
}

/* SYN_RECV per listening port; syncookies alone say a SYN queue
 * overflowed even when no request socket is left to count. */
static void
alerts_syn_flood(struct alerts *a, const struct alert_input *in,
    uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	char key[ALERTS_KEY_LEN], rates[96], back[32], hint[ALERT_TEXT_LEN];
	size_t i, ng;
	int any = 0;

	for (alerts_iter_init(&it, a, 1u << TCP_SYN_RECV);
	    (c = alerts_next(&it)) != NULL;) {
		snprintf(key, sizeof key, "%05u", c->s.lport);
		alerts_item(a, c, key, c->s.lport, 0);
	}
	alerts_rates(rates, sizeof rates, in, 0);
	ng = alerts_group(a);
	for (i = 0; i < ng; i++) {
		const struct alerts_item *g = &a->items[i];
		const struct alerts_listener *l;

		if (g->n < th)
			continue;
		any = 1;
		l = alerts_listener(a, g->ns, (uint16_t)g->val);
		back[0] = '\0';
		if (l != NULL)
			snprintf(back, sizeof back, ", backlog %u", l->backlog);
		snprintf(hint, sizeof hint, "check net.ipv4.tcp_syncookies "
		    "and the listener's backlog; sources: tcptop -f 'state "
		    "syn-recv and sport = :%u'", g->val);
		a->view = g->in_view;
		alerts_add(a, g->ns, ALERT_SYN_FLOOD, ALERT_CRIT, hint, "%u "
		    "SYN_RECV "
		    "on :%u%s%s", g->n, g->val, back, rates);
	}
	a->view = 1;	/* the box's counter: no socket to filter */
	if (!any && in->syncookies_sent > 0)
		alerts_add(a, 0, ALERT_SYN_FLOOD, ALERT_WARN, "a SYN queue "
		    "overflowed: check net.ipv4.tcp_max_syn_backlog and the "
		    "listeners' backlogs; sources: tcptop -f 'state syn-recv'",
		    "SyncookiesSent %.0f/s", in->syncookies_sent);
}

/* A listener's accept queue (Recv-Q) against its backlog (Send-Q): the
 * kernel drops a completed handshake once the queue holds more than
 * the backlog. */
static void
alerts_accept_queue(struct alerts *a, const struct alert_input *in,
    uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	char ep[CONN_ENDPOINT_LEN], rates[96], hint[ALERT_TEXT_LEN];

	alerts_rates(rates, sizeof rates, in, 1);
	for (alerts_iter_init(&it, a, 1u << TCP_LISTEN);
	    (c = alerts_next(&it)) != NULL;) {
		uint32_t q = c->s.rqueue, max = c->s.wqueue;

		if (q == 0)
			continue;
		conn_fmt_endpoint(&c->s, 0, ep, sizeof ep);
		a->view = alerts_in_view(in, c);
		snprintf(hint, sizeof hint, "the process does not accept() "
		    "fast enough: check it, and its listen() backlog (capped "
		    "by net.core.somaxconn); tcptop -f 'sport = :%u'",
		    c->s.lport);
		if (q >= max)
			alerts_add(a, alerts_ns(in, c), ALERT_ACCEPT_QUEUE,
			    ALERT_CRIT, hint,
			    "accept queue of %s full: %u waiting, backlog %u%s",
			    ep, q, max, rates);
		else if ((uint64_t)q * 100 >= (uint64_t)th * max)
			alerts_add(a, alerts_ns(in, c), ALERT_ACCEPT_QUEUE,
			    ALERT_WARN, hint,
			    "accept queue of %s %" PRIu64 "%% full: %u "
			    "waiting, backlog %u%s", ep,
			    (uint64_t)q * 100 / max, q, max, rates);
	}
}

/* The id of a CLOSE_WAIT group: its namespace, and its owner value
 * (tag 1) or its local port (tag 2). */
static uint64_t
alerts_cw_id(uint16_t ns, unsigned tag, uint32_t v)
{
	return (uint64_t)ns << 40 | (uint64_t)tag << 32 | v;
}

/* The slot of id in a->cwhash, or where it goes. */
static size_t
alerts_cw_slot(const struct alerts *a, uint64_t id)
{
	size_t i = (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
	    (a->cwslots - 1);

	for (; a->cwhash[i] != 0; i = (i + 1) & (a->cwslots - 1))
		if (a->cw[a->cwhash[i] - 1].id == id)
			break;
	return i;
}

/* Row c into the group of id (age: its time in CLOSE_WAIT).  Returns
 * the group, with *fresh set when c is its first row. */
static struct alerts_cw *
alerts_cw_add(struct alerts *a, uint64_t id, const struct conn *c,
    int64_t age, int *fresh)
{
	struct alerts_cw *g;
	size_t i;

	if ((a->ncw + 1) * 2 > a->cwslots) {
		free(a->cwhash);
		a->cwslots = a->cwslots ? a->cwslots * 2 : 64;
		a->cwhash = xcalloc(a->cwslots, sizeof *a->cwhash);
		for (i = 0; i < a->ncw; i++)
			a->cwhash[alerts_cw_slot(a, a->cw[i].id)] =
			    (uint32_t)i + 1;
	}
	i = alerts_cw_slot(a, id);
	*fresh = a->cwhash[i] == 0;
	if (!*fresh) {
		g = &a->cw[a->cwhash[i] - 1];
		g->n++;
		g->in_view |= alerts_in_view(a->in, c);
		if (age > g->age_ms) {
			g->age_ms = age;
			g->c = c;
		}
		return g;
	}
	if (a->ncw == a->cw_cap) {
		a->cw_cap = a->cw_cap ? a->cw_cap * 2 : 64;
		a->cw = xreallocarray(a->cw, a->cw_cap, sizeof *a->cw);
	}
	g = &a->cw[a->ncw++];
	g->id = id;
	g->c = c;
	g->n = 1;
	g->owned = 0;
	g->age_ms = age;
	g->in_view = alerts_in_view(a->in, c);
	a->cwhash[i] = (uint32_t)a->ncw;
	return g;
}

/* CLOSE_WAIT older than th seconds, by owner; without one, by the local
 * port of a listener (a server's), else by the peer (a client's).  A
 * leak is thousands of rows of one owner or port: they are counted by
 * those numbers first (the owner asked for once a value) and each group
 * written once; only a client's rows are written one by one. */
static void
alerts_close_wait(struct alerts *a, const struct alert_input *in,
    uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	char key[ALERTS_KEY_LEN], own[64], ep[CONN_ENDPOINT_LEN];
	char hint[ALERT_TEXT_LEN];
	struct alerts_cw *pg;
	size_t i, ng;
	int fresh;

	a->cw = xshrinkarray(a->cw, a->ncw, &a->cw_cap, sizeof *a->cw);
	alerts_hash_clear(&a->cwhash, &a->cwslots, a->ncw);
	a->ncw = 0;
	for (alerts_iter_init(&it, a, 1u << TCP_CLOSE_WAIT);
	    (c = alerts_next(&it)) != NULL;) {
		int64_t age = in->now_ms - c->state_since_ms;
		uint16_t ns = alerts_ns(in, c);

		if (age < (int64_t)th * 1000)
			continue;
		if (in->owner != NULL) {
			pg = alerts_cw_add(a, alerts_cw_id(ns, 1, c->owner), c,
			    age, &fresh);
			if (fresh)
				pg->owned = in->owner(in->owner_arg, c, own,
				    sizeof own) != NULL;
			if (pg->owned)
				continue;
			pg->n = 0;	/* no owner to name: by port */
		}
		if (alerts_listener(a, ns, c->s.lport) != NULL) {
			alerts_cw_add(a, alerts_cw_id(ns, 2, c->s.lport), c,
			    age, &fresh);
			continue;
		}
		snprintf(key, sizeof key, "to %s",
		    conn_fmt_endpoint(&c->s, 1, ep, sizeof ep));
		alerts_item(a, c, key, c->s.lport, age);
	}
	/* Each group under its key, with its oldest row's age. */
	for (i = 0; i < a->ncw; i++) {
		struct alerts_item *it2;

		pg = &a->cw[i];
		if (pg->n == 0)
			continue;
		if (pg->owned)
			snprintf(key, sizeof key, "held by %s",
			    in->owner(in->owner_arg, pg->c, own, sizeof own));
		else
			snprintf(key, sizeof key, "on :%u", pg->c->s.lport);
		it2 = alerts_item(a, pg->c, key, pg->c->s.lport, pg->age_ms);
		it2->n += pg->n - 1;
		it2->in_view |= pg->in_view;
	}
	ng = alerts_group(a);
	for (i = 0; i < ng; i++) {
		const struct alerts_item *g = &a->items[i];

		if (strncmp(g->key, "on :", 4) == 0)
			snprintf(hint, sizeof hint, "the peer closed and the "
			    "process never close()s: find its missing close; "
			    "sources: tcptop -f 'state close-wait and sport = "
			    "%s'", g->key + 3);
		else
			snprintf(hint, sizeof hint, "the peer closed and the "
			    "process never close()s: find its missing close; "
			    "sources: tcptop -f 'state close-wait'");
		a->view = g->in_view;
		alerts_add(a, g->ns, ALERT_CLOSE_WAIT_LEAK, ALERT_WARN, hint,
		    "%u "
		    "CLOSE_WAIT older than %us %s (oldest %" PRId64 "s%s)",
		    g->n, th, g->key, g->age_ms / 1000, g->at_least ? "+" :
		    "");
	}
}

static int
alerts_tw_same(const struct conn *x, const struct conn *y)
{
	return x->s.family == y->s.family && x->s.rport == y->s.rport &&
	    memcmp(x->s.local, y->s.local, sizeof x->s.local) == 0 &&
	    memcmp(x->s.remote, y->s.remote, sizeof x->s.remote) == 0;
}

/* The slot of c's timewait group in a->twhash, or where it goes. */
static size_t
alerts_tw_slot(const struct alerts *a, const struct conn *c)
{
	/* The group's key mixed a word at a time (a byte at a time was
	 * half of this rule at 100k rows). */
	uint64_t w[4], h = c->s.family ^ (uint64_t)c->s.rport << 8;
	size_t i;

	memcpy(&w[0], c->s.local, 16);
	memcpy(&w[2], c->s.remote, 16);
	for (i = 0; i < 4; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	for (i = (size_t)(h ^ h >> 32) & (a->twslots - 1); a->twhash[i] != 0;
	    i = (i + 1) & (a->twslots - 1))
		if (alerts_tw_same(a->tw[a->twhash[i] - 1].c, c))
			break;
	return i;
}

/* Timewait row c into the group of its local address and remote
 * endpoint, whose key is written once a group, not once a row: a churn
 * of 1,000 connections a second keeps 60,000 of them. */
static void
alerts_tw_add(struct alerts *a, const struct conn *c, int fw2, int in_view)
{
	struct alerts_tw *g;
	size_t i;

	if ((a->ntw + 1) * 2 > a->twslots) {
		free(a->twhash);
		a->twslots = a->twslots ? a->twslots * 2 : 64;
		a->twhash = xcalloc(a->twslots, sizeof *a->twhash);
		for (i = 0; i < a->ntw; i++)
			a->twhash[alerts_tw_slot(a, a->tw[i].c)] =
			    (uint32_t)i + 1;
	}
	i = alerts_tw_slot(a, c);
	if (a->twhash[i] != 0) {
		g = &a->tw[a->twhash[i] - 1];
		g->n++;
		g->n2 += (uint32_t)fw2;
		g->in_view |= in_view;
		return;
	}
	if (a->ntw == a->tw_cap) {
		a->tw_cap = a->tw_cap ? a->tw_cap * 2 : 64;
		a->tw = xreallocarray(a->tw, a->tw_cap, sizeof *a->tw);
	}
	g = &a->tw[a->ntw++];
	g->c = c;
	g->n = 1;
	g->n2 = (uint32_t)fw2;
	g->in_view = in_view;
	a->twhash[i] = (uint32_t)a->ntw;
}

/* What the timewait sockets of one group are, named by state: "12
 * TIME_WAIT", "12 orphaned FIN_WAIT2" or both. */
static void
alerts_tw_states(char *buf, size_t len, uint64_t n, uint64_t n2)
{
	if (n2 == 0)
		snprintf(buf, len, "%" PRIu64 " TIME_WAIT", n);
	else if (n2 == n)
		snprintf(buf, len, "%" PRIu64 " orphaned FIN_WAIT2", n2);
	else if (n2 * 2 > n)
		snprintf(buf, len, "%" PRIu64 " orphaned FIN_WAIT2 and %"
		    PRIu64 " TIME_WAIT", n2, n - n2);
	else
		snprintf(buf, len, "%" PRIu64 " TIME_WAIT and %" PRIu64
		    " orphaned FIN_WAIT2", n - n2, n2);
}

/* The kind a group of timewait sockets is about: orphaned FIN_WAIT2
 * (our side closed, the peer never does) when they are the most. */
static int
alerts_tw_kind(uint64_t n, uint64_t n2)
{
	return n2 * 2 > n ? ALERT_FIN_WAIT2 : ALERT_TIME_WAIT;
}

static const char *const alerts_tw_hint[2] = {
	"short connections to one server use up the ports: reuse "
	"connections (keep-alive, pools); check net.ipv4.tcp_tw_reuse and "
	"ip_local_port_range",
	"we closed and the peer never sends its FIN: its process leaks "
	"CLOSE_WAIT, look there; each holds a port for net.ipv4."
	"tcp_fin_timeout; sources: tcptop -f 'state fin-wait-2'",
};

/* A timewait socket holds its local port for its 4-tuple: from one
 * address to one destination only the ephemeral range is there to
 * use.  All of them count against tcp_max_tw_buckets.  Timewait sockets
 * are TIME_WAIT, and orphaned FIN_WAIT2 whose timer is a timewait one
 * (tcp_fin_timeout up to 60 s): each alert names which it saw, and the
 * kind is the one there are more of, judged by that kind's threshold. */
static void
alerts_time_wait(struct alerts *a, const struct alert_input *in,
    uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	const struct alert_limits *l = &in->limits;
	char key[ALERTS_KEY_LEN], la[CONN_ADDR_LEN], ep[CONN_ENDPOINT_LEN];
	char what[96];
	uint64_t range = 0, total = 0, total2 = 0, max;
	size_t i, ng;
	int kind, view = 0, v;

	(void)th;
	if (l->port_lo > 0 && l->port_hi >= l->port_lo)
		range = (uint64_t)(l->port_hi - l->port_lo + 1);
	/* The last evaluation's groups go; a storm's room with them. */
	a->tw = xshrinkarray(a->tw, a->ntw, &a->tw_cap, sizeof *a->tw);
	alerts_hash_clear(&a->twhash, &a->twslots, a->ntw);
	a->ntw = 0;
	for (alerts_iter_init(&it, a, 1u << TCP_TIME_WAIT | 1u << TCP_FIN_WAIT2);
	    (c = alerts_next(&it)) != NULL;) {
		int fw2 = c->s.state == TCP_FIN_WAIT2;

		/* The limits are the viewed namespace's only. */
		if (alerts_ns(in, c) != 0 || (fw2 && !conntab_is_mini(&c->s)))
			continue;
		total++;
		total2 += (uint64_t)fw2;
		v = alerts_in_view(in, c);
		view |= v;
		if (range == 0 || c->s.lport < l->port_lo ||
		    c->s.lport > l->port_hi)
			continue;
		alerts_tw_add(a, c, fw2, v);
	}
	/* A group's key is written from what makes the group (its
	 * family, local address and remote endpoint), so no two groups
	 * share one (but two IPv6 ones cut at ALERTS_KEY_LEN, whose
	 * counts would then be judged apart): a group short of its kind's threshold alone never
	 * alerts, and is not written.  A server's own TIME_WAIT (each to
	 * another client port) are as many groups of one as sockets. */
	for (i = 0; i < a->ntw; i++) {
		const struct alerts_tw *t = &a->tw[i];
		struct alerts_item *g;

		kind = alerts_tw_kind(t->n, t->n2);
		if ((uint64_t)t->n * 100 < (uint64_t)in->thresh[kind] * range)
			continue;
		snprintf(key, sizeof key, "from %s to %s",
		    conn_fmt_addr(&t->c->s, 0, la, sizeof la),
		    conn_fmt_endpoint(&t->c->s, 1, ep, sizeof ep));
		g = alerts_item(a, t->c, key, 0, 0);
		g->n += t->n - 1;
		g->n2 += t->n2;
		g->in_view |= t->in_view;
	}
	ng = alerts_group(a);
	for (i = 0; i < ng; i++) {
		const struct alerts_item *g = &a->items[i];

		kind = alerts_tw_kind(g->n, g->n2);
		if ((uint64_t)g->n * 100 < (uint64_t)in->thresh[kind] * range)
			continue;
		alerts_tw_states(what, sizeof what, g->n, g->n2);
		a->view = g->in_view;
		alerts_add(a, 0, kind, g->n >= range ? ALERT_CRIT :
		    ALERT_WARN, alerts_tw_hint[kind == ALERT_FIN_WAIT2],
		    "%s %s: %" PRIu64 "%% of the %" PRIu64 " ephemeral ports",
		    what, g->key, (uint64_t)g->n * 100 / range, range);
	}
	if (l->max_tw_buckets <= 0)
		return;
	max = (uint64_t)l->max_tw_buckets;
	kind = alerts_tw_kind(total, total2);
	if (total * 100 < (uint64_t)in->thresh[kind] * max)
		return;
	alerts_tw_states(what, sizeof what, total, total2);
	a->view = view;
	alerts_add(a, 0, kind, total >= max ? ALERT_CRIT : ALERT_WARN,
	    kind == ALERT_FIN_WAIT2 ? alerts_tw_hint[1] : "past the limit "
	    "the kernel skips TIME_WAIT (nstat TcpExtTCPTimeWaitOverflow): "
	    "reuse connections; check net.ipv4.tcp_max_tw_buckets",
	    "%s: %" PRIu64 "%% of tcp_max_tw_buckets %" PRIu64, what,
	    total * 100 / max, max);
}

/* The kernel counts as orphans the full sockets their process has
 * closed that still finish their close: FIN_WAIT1, FIN_WAIT2 (not yet
 * a timewait socket), LAST_ACK, CLOSING; no file, so inode 0.  Its
 * count is the host's, across namespaces: this one's is a lower
 * bound. */
static void
alerts_orphans(struct alerts *a, const struct alert_input *in, uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	static const uint8_t st[4] = { TCP_FIN_WAIT1, TCP_FIN_WAIT2,
	    TCP_LAST_ACK, TCP_CLOSING };
	uint64_t n[4] = { 0 }, total, max = (uint64_t)in->limits.max_orphans;
	int k, view = 0;

	if (in->limits.max_orphans <= 0)
		return;
	for (alerts_iter_init(&it, a, 1u << TCP_FIN_WAIT1 | 1u << TCP_FIN_WAIT2 |
	    1u << TCP_LAST_ACK | 1u << TCP_CLOSING);
	    (c = alerts_next(&it)) != NULL;) {
		if (alerts_ns(in, c) != 0 || c->s.inode != 0 || conntab_is_mini(&c->s))
			continue;
		for (k = 0; k < 4; k++)
			if (c->s.state == st[k]) {
				n[k]++;
				view |= alerts_in_view(in, c);
			}
	}
	total = n[0] + n[1] + n[2] + n[3];
	if (total == 0 || total * 100 < (uint64_t)th * max)
		return;
	a->view = view;
	alerts_add(a, 0, ALERT_ORPHANS, total >= max ? ALERT_CRIT : ALERT_WARN,
	    "closed sockets still sending to peers that do not answer; past "
	    "the limit the kernel resets them: check net.ipv4."
	    "tcp_orphan_retries", "%" PRIu64 " orphans (FIN_WAIT1 %" PRIu64
	    ", FIN_WAIT2 %" PRIu64 ", LAST_ACK %" PRIu64 ", CLOSING %" PRIu64
	    "): %" PRIu64 "%% of tcp_max_orphans %" PRIu64, total, n[0], n[1],
	    n[2], n[3], total * 100 / max, max);
}

static int
alerts_seen_cmp(const void *pa, const void *pb)
{
	const struct alerts_seen *x = pa, *y = pb;

	return (x->cookie > y->cookie) - (x->cookie < y->cookie);
}

/* Consecutive RTOs of c: tcp_info's, or the running retransmit timer's
 * count without it. */
static uint32_t
alerts_rtos(const struct conn *c)
{
	uint32_t n = 0;

	if (c->s.flags & CONN_HAS_INFO) {
		n = c->s.info.retransmits;
		if (c->s.timer == 1 && c->s.info.backoff > n)
			n = c->s.info.backoff;
	} else if (c->s.timer == 1)
		n = c->s.retrans;
	return n;
}

/* Connections past th RTOs in a row whose bytes_acked did not move
 * since the last evaluation: the peer is gone or unreachable. */
static void
alerts_retrans(struct alerts *a, const struct alert_input *in, uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	char ep[CONN_ENDPOINT_LEN], ra[CONN_ADDR_LEN], hint[ALERT_TEXT_LEN];
	struct alerts_seen *tmp;
	size_t i, ng, tn;

	a->nnext = 0;
	for (alerts_iter_init(&it, a, 1u << TCP_ESTABLISHED | 1u << TCP_FIN_WAIT1 |
	    1u << TCP_CLOSE_WAIT | 1u << TCP_LAST_ACK | 1u << TCP_CLOSING);
	    (c = alerts_next(&it)) != NULL;) {
		struct alerts_seen k, *prev;
		uint32_t rto;

		if (c->s.cookie == 0)
			continue;
		if ((rto = alerts_rtos(c)) < th)
			continue;
		k.cookie = c->s.cookie;
		k.acked = c->s.info.bytes_acked;
		prev = a->nseen == 0 ? NULL : bsearch(&k, a->seen, a->nseen,
		    sizeof *a->seen, alerts_seen_cmp);
		/* A sample no refresh renewed (the model kept from events,
		 * the row off screen) is no evidence either way: what the
		 * last one said stands until the next. */
		if (c->sample_ms != in->now_ms && prev != NULL)
			k = *prev;
		else
			k.alerted = prev != NULL && prev->acked == k.acked;
		if (a->nnext == a->next_cap) {
			a->next_cap = a->next_cap ? a->next_cap * 2 : 16;
			a->next_seen = xreallocarray(a->next_seen, a->next_cap,
			    sizeof *a->next_seen);
		}
		a->next_seen[a->nnext++] = k;
		if (!k.alerted)
			continue;
		alerts_item(a, c, conn_fmt_endpoint(&c->s, 1, ep, sizeof ep),
		    rto, 0);
	}
	if (a->nnext > 0)
		qsort(a->next_seen, a->nnext, sizeof *a->next_seen,
		    alerts_seen_cmp);
	tmp = a->seen, a->seen = a->next_seen, a->next_seen = tmp;
	tn = a->seen_cap, a->seen_cap = a->next_cap, a->next_cap = tn;
	a->nseen = a->nnext;
	ng = alerts_group(a);
	for (i = 0; i < ng; i++) {
		const struct alerts_item *g = &a->items[i];
		size_t al = strcspn(g->key[0] == '[' ? g->key + 1 : g->key,
		    g->key[0] == '[' ? "]" : ":");

		snprintf(ra, sizeof ra, "%.*s", (int)al, g->key +
		    (g->key[0] == '['));
		snprintf(hint, sizeof hint, "a half-open or unreachable peer: "
		    "check the path to it; the kernel gives up after "
		    "net.ipv4.tcp_retries2; tcptop -f 'dst %s'", ra);
		a->view = g->in_view;
		alerts_add(a, g->ns, ALERT_RETRANS_NO_PROGRESS, ALERT_WARN, hint,
		    "%u connection%s to %s: %u RTOs in a row, nothing "
		    "acknowledged since the last refresh", g->n,
		    g->n == 1 ? "" : "s", g->key, g->val);
	}
}

/* connect()s older than th seconds that no SYN-ACK answered. */
static void
alerts_syn_sent(struct alerts *a, const struct alert_input *in, uint32_t th)
{
	struct alerts_iter it;
	const struct conn *c;
	char ep[CONN_ENDPOINT_LEN];
	size_t i, ng;

	for (alerts_iter_init(&it, a, 1u << TCP_SYN_SENT);
	    (c = alerts_next(&it)) != NULL;) {
		int64_t age = in->now_ms - c->state_since_ms;

		if (age < (int64_t)th * 1000)
			continue;
		alerts_item(a, c, conn_fmt_endpoint(&c->s, 1, ep, sizeof ep),
		    0, age);
	}
	ng = alerts_group(a);
	for (i = 0; i < ng; i++) {
		const struct alerts_item *g = &a->items[i];

		a->view = g->in_view;
		alerts_add(a, g->ns, ALERT_SYN_SENT_STUCK, ALERT_WARN, "no SYN-ACK "
		    "comes back: a firewall dropping SYNs, a wrong address or "
		    "route, or the host down; check the path and its "
		    "firewall", "%u SYN_SENT to %s for over %us (oldest %"
		    PRId64 "s%s)", g->n, g->key, th, g->age_ms / 1000,
		    g->at_least ? "+" : "");
	}
}

static int
alerts_cmp(const void *pa, const void *pb)
{
	const struct alert *x = pa, *y = pb;

	if (x->severity != y->severity)
		return (x->severity < y->severity) - (x->severity > y->severity);
	if (x->kind != y->kind)
		return (x->kind > y->kind) - (x->kind < y->kind);
	return strcmp(x->evidence, y->evidence);
}

size_t
alerts_eval(struct alerts *a, const struct alert_input *in,
    const struct alert **list, size_t *more)
{
	size_t i, o = 0;
	int k;

	a->nout = 0;
	a->in = in;
	alerts_partition(a, in);
	alerts_listeners(a, in);
	for (k = 0; k < ALERT_NKINDS; k++) {
		alerts_items_clear(a);
		a->view = 1;
		if (alerts_rules[k] != NULL)
			alerts_rules[k](a, in, in->thresh[k]);
	}
	if (a->nout > 0) {
		qsort(a->out, a->nout, sizeof *a->out, alerts_cmp);
		for (i = 1; i < a->nout; i++)
			if (a->out[i].kind != a->out[o].kind ||
			    strcmp(a->out[i].evidence, a->out[o].evidence) != 0)
				a->out[++o] = a->out[i];
			else
				a->out[o].in_view |= a->out[i].in_view;
		a->nout = o + 1;
	}
	if (more != NULL)
		*more = a->nout > ALERTS_MAX ? a->nout - ALERTS_MAX : 0;
	if (a->nout > ALERTS_MAX)
		a->nout = ALERTS_MAX;
	*list = a->out;
	return a->nout;
}
