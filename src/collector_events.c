/* The model kept from events between full dumps (issue 16).
 *
 * A full dump walks and copies every socket of the table, most of which
 * did not change.  Between two of them (the reconciliations, every 10 to
 * 30 s, and at once after lost events) a refresh here asks only for what
 * changed:
 *
 *  - the tracepoint (every state change of a full socket, but from every
 *    namespace, by 4-tuple) and the destroy notifications (this
 *    namespace's closes, by cookie) name the sockets that moved: each is
 *    asked for by an exact request in the viewed namespace, so a socket
 *    counts only when the kernel shows it there;
 *  - request sockets and listeners have no events: a dump of those two
 *    states alone (the kernel skips the others without copying them);
 *  - timewait sockets have no events once made: each is asked for again
 *    when its timer says it should be gone (a heap by expiry), and every
 *    second while it waits in FIN_WAIT2 for the peer's FIN;
 *  - the rows on screen are asked for every refresh, so what they show
 *    (queues, tcp_info, rates) is as fresh as a dump's.
 *
 * What events cannot keep fresh (tcp_info of the rows off screen) is as
 * old as the last full dump, which the snapshot says.  A reconciliation
 * counts the rows it had to correct: events that did not come.
 */
#include <errno.h>
#include <stdint.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/clock.h"
#include "tcptop/kstat.h"
#include "tcptop/log.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"
#include "collector_int.h"

/* The states a refresh between full dumps may take from a dump, since
 * events cannot tell of them: listeners and request sockets have none,
 * and a connect's CLOSE -> SYN_SENT comes before its port is chosen
 * (tcp_v4_connect sets the state, then inet_hash_connect the port), so
 * its 4-tuple names no socket.  Listeners are cheap to dump (the kernel
 * walks its listening hash only); the other two make the kernel walk
 * its whole table, though it copies only them.  So the walk comes only
 * when something says there is a socket to find (ev_walk_due), and the
 * request sockets it found are asked for one by one meanwhile. */
#define EV_LISTEN (1u << TCP_LISTEN)
#define EV_WALK (EV_LISTEN | 1u << TCP_SYN_SENT | 1u << TCP_SYN_RECV)

/* Past this many request sockets a walk costs less than asking each. */
#define EV_REQS_MAX 1024

/* A request socket answered as one still (conn_sample.flags of
 * ev->reqs, which keys never read). */
#define EV_REQ_ALIVE 0x80

/* Connects whose CLOSE -> SYN_SENT came without a port: the socket's
 * address in the kernel, until a later event of it names it whole. */
#define EV_CONNECTS 256

/* Reconciliation: every this many times the full refresh's cost, within
 * these bounds (ms): full dumps take half a percent of the time at most
 * (at 100k sockets, a dump of 150 to 200 ms every 30 s).  At 100 they
 * were, every 18 s, a quarter of the interactive view's CPU. */
#define EV_FULL_FACTOR 200
#define EV_FULL_MIN_MS 10000
#define EV_FULL_MAX_MS 30000

/* A timewait socket asked for again this long after its timer says it
 * went, at the soonest (ms). */
#define EV_TW_SLACK_MS 250
#define EV_FW2_EVERY_MS 1000

/* A dirty key's conn_sample.state: ask who holds its 4-tuple. */
#define EV_PROBE 1

/* Sockets named by events between two refreshes, at most: past it, a
 * full dump. */
#define EV_DIRTY_MAX 65536

/* A socket to ask for, and when (the timewait heap). */
struct ev_due {
	int64_t at_ms;
	struct conn_sample key;
};

struct collector_events {
	int allowed;			/* the caller's say (collector_events) */
	char why[96];			/* why dumps: the caller's or ours */
	int available;			/* live, one namespace, both sources */
	/* Sockets named by events since the last refresh: keys (family,
	 * 4-tuple, cookie when known), a set by 4-tuple hash for
	 * duplicates. */
	struct conn_sample *dirty;
	size_t ndirty, capdirty;
	uint32_t *dset;			/* 1 + their index, 0 empty */
	size_t dslots;
	/* The requests of one refresh. */
	struct conn_sample *keys;
	size_t nkeys, capkeys;
	/* The rows on screen (collector_watch). */
	struct conn_sample *watch;
	size_t nwatch, capwatch;
	/* Request sockets the last walk found, asked for one by one until
	 * the next: nreqs > EV_REQS_MAX means too many, walk again. */
	struct conn_sample *reqs;
	size_t nreqs, capreqs;
	size_t reqs_from;		/* keys from here on are theirs */
	/* Connects not yet seen whole (EV_CONNECTS at most, more: walk). */
	uint64_t connects[EV_CONNECTS];
	size_t nconnects;
	uint64_t syn_retrans;		/* TCPSynRetrans at the last walk */
	int walk;			/* this refresh walks */
	int collect;			/* events are noted: from the start
					 * of a full dump in events mode */
	/* Timewait sockets by expiry, a binary heap. */
	struct ev_due *tw;
	size_t ntw, captw;
	size_t tw_from;			/* keys from here on came from it */

	const struct filter *f;		/* this refresh's */
	struct filter covered;		/* and its dump's: f in the states
					 * without events */
	int64_t full_ns;		/* the last full dump's start, 0 none */
	int64_t full_every_ms;
	long lost_trace, lost_notify;	/* as at the last full dump */
	long corrected;			/* by the last reconciliation */
	unsigned long gone;		/* this refresh's drops */
	char mode[24];
	char note[192];
};

static void ev_dirty_clear(struct collector_events *ev);

static uint64_t
ev_tuple_hash(const struct conn_sample *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	h = (h ^ s->family) * 0x100000001b3ULL;
	for (i = 0; i < 16; i++)
		h = (h ^ s->local[i] ^ (uint64_t)s->remote[i] << 8) *
		    0x100000001b3ULL;
	h = (h ^ ((uint64_t)s->lport << 16 | s->rport)) * 0x100000001b3ULL;
	return h | 1;
}

/* The dirty key of s's 4-tuple and cookie, or NULL; *slot is where it
 * is, or the empty slot where it would go. */
static struct conn_sample *
ev_dirty_find(const struct collector_events *ev, const struct conn_sample *s,
    size_t *slot)
{
	uint64_t h = ev_tuple_hash(s);
	size_t i;

	*slot = SIZE_MAX;
	if (ev->dslots == 0)
		return NULL;
	/* FNV's last multiply carries the ports' low bits upward only:
	 * the high half of a golden-ratio product spreads them all. */
	h = (h * 0x9e3779b97f4a7c15ULL) >> 32;
	for (i = (size_t)h & (ev->dslots - 1); ev->dset[i] != 0;
	    i = (i + 1) & (ev->dslots - 1)) {
		struct conn_sample *d = &ev->dirty[ev->dset[i] - 1];

		if (d->cookie == s->cookie && d->family == s->family &&
		    d->lport == s->lport && d->rport == s->rport &&
		    memcmp(d->local, s->local, 16) == 0 &&
		    memcmp(d->remote, s->remote, 16) == 0)
			return d;
	}
	*slot = i;
	return NULL;
}

/* Whether an event named s's 4-tuple since the dirty set was cleared. */
static int
ev_dirty_has(const struct collector_events *ev, const struct conn_sample *s)
{
	struct conn_sample k = *s;
	size_t slot;

	k.cookie = 0;
	return ev_dirty_find(ev, &k, &slot) != NULL;
}

static void
ev_push(struct conn_sample **v, size_t *n, size_t *cap,
    const struct conn_sample *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = *s;
}

/* Only what names a socket: family, 4-tuple, device, cookie. */
static void
ev_key(struct conn_sample *k, const struct conn_sample *s)
{
	memset(k, 0, sizeof *k);
	k->family = s->family;
	k->lport = s->lport;
	k->rport = s->rport;
	memcpy(k->local, s->local, 16);
	memcpy(k->remote, s->remote, 16);
	k->ifindex = s->ifindex;
	k->cookie = s->cookie;
}

/* Note the socket s names (its 4-tuple; its cookie from a destroy
 * notification).  probe: a socket may be new on the 4-tuple (its first
 * events), so ask for whatever holds it, not only for the rows on it. */
static void
ev_note(struct collector *c, const struct conn_sample *s, int probe)
{
	struct collector_events *ev = c->ev;
	struct conn_sample k, *d;
	size_t slot;

	/* Kept only while events keep the model, from the start of the
	 * full dump that begins it. */
	if (ev == NULL || !ev->collect)
		return;
	if (ev->ndirty >= EV_DIRTY_MAX) {
		/* A storm, or a pause: a full dump costs less than asking
		 * for each, and the memory stays bounded. */
		log_debug("events: over %d sockets named: a full dump",
		    EV_DIRTY_MAX);
		ev_dirty_clear(ev);
		ev->collect = 0;
		ev->full_ns = 0;
		return;
	}
	if ((ev->ndirty + 1) * 2 > ev->dslots) {
		size_t i;

		free(ev->dset);
		ev->dslots = ev->dslots ? ev->dslots * 2 : 256;
		ev->dset = xcalloc(ev->dslots, sizeof *ev->dset);
		for (i = 0; i < ev->ndirty; i++) {
			ev_dirty_find(ev, &ev->dirty[i], &slot);
			ev->dset[slot] = (uint32_t)i + 1;
		}
	}
	ev_key(&k, s);
	k.state = (uint8_t)probe;
	if ((d = ev_dirty_find(ev, &k, &slot)) != NULL) {
		d->state |= (uint8_t)probe;
		return;
	}
	ev->dset[slot] = (uint32_t)ev->ndirty + 1;
	ev_push(&ev->dirty, &ev->ndirty, &ev->capdirty, &k);
	/* A destroy counts its 4-tuple as named too (ev_dirty_has). */
	if (k.cookie != 0) {
		k.cookie = 0;
		k.state = 0;
		ev_note(c, &k, 0);
	}
}

/* A connect's first event has no port yet; a later event of the same
 * socket (SYN_SENT -> ESTABLISHED, -> CLOSE) names it whole. */
static void
ev_connect(struct collector_events *ev, const struct trans_event *e,
    uint64_t skaddr)
{
	size_t i;

	if (e->from == TCP_CLOSE && e->to == TCP_SYN_SENT && e->lport == 0) {
		if (ev->nconnects < EV_CONNECTS)
			ev->connects[ev->nconnects] = skaddr;
		ev->nconnects++;
		return;
	}
	if (e->from != TCP_SYN_SENT || ev->nconnects > EV_CONNECTS)
		return;
	for (i = 0; i < ev->nconnects; i++)
		if (ev->connects[i] == skaddr) {
			ev->connects[i] = ev->connects[--ev->nconnects];
			return;
		}
}

void
collector_events_trace(struct collector *c, const struct trans_event *e,
    uint64_t skaddr)
{
	struct conn_sample s;

	if (c->ev == NULL)
		return;
	ev_connect(c->ev, e, skaddr);
	trans_event_sample(e, &s);
	s.state = 0;
	ev_note(c, &s, e->from == TCP_CLOSE || e->from == TCP_LISTEN ||
	    e->from == TCP_SYN_SENT || e->from == TCP_SYN_RECV);
}

void
collector_events_destroy(struct collector *c, const struct conn_sample *s)
{
	ev_note(c, s, 0);
}

/* The timewait heap ------------------------------------------------- */

static void
ev_tw_swap(struct ev_due *a, struct ev_due *b)
{
	struct ev_due t = *a;

	*a = *b;
	*b = t;
}

static void
ev_tw_push(struct collector_events *ev, const struct conn_sample *s,
    int64_t now_ms)
{
	size_t i;

	if (ev->ntw == ev->captw) {
		ev->captw = ev->captw ? ev->captw * 2 : 64;
		ev->tw = xreallocarray(ev->tw, ev->captw, sizeof *ev->tw);
	}
	i = ev->ntw++;
	ev->tw[i].at_ms = now_ms + (s->expires_ms > EV_TW_SLACK_MS ?
	    s->expires_ms : EV_TW_SLACK_MS);
	/* One still in FIN_WAIT2 moves to TIME_WAIT when the peer's FIN
	 * comes, without an event: asked for every second. */
	if (s->state == TCP_FIN_WAIT2 && ev->tw[i].at_ms > now_ms +
	    EV_FW2_EVERY_MS)
		ev->tw[i].at_ms = now_ms + EV_FW2_EVERY_MS;
	ev_key(&ev->tw[i].key, s);
	for (; i > 0 && ev->tw[(i - 1) / 2].at_ms > ev->tw[i].at_ms;
	    i = (i - 1) / 2)
		ev_tw_swap(&ev->tw[i], &ev->tw[(i - 1) / 2]);
}

static void
ev_tw_pop(struct collector_events *ev)
{
	size_t i = 0;

	ev->tw[0] = ev->tw[--ev->ntw];
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < ev->ntw && ev->tw[l].at_ms < ev->tw[m].at_ms)
			m = l;
		if (l + 1 < ev->ntw && ev->tw[l + 1].at_ms < ev->tw[m].at_ms)
			m = l + 1;
		if (m == i)
			break;
		ev_tw_swap(&ev->tw[i], &ev->tw[m]);
		i = m;
	}
}

/* A timewait socket: its timer ends it without an event. */
static int
ev_is_tw(const struct conn_sample *s)
{
	return s->state == TCP_TIME_WAIT || s->timer == 3;
}

/* Opening, the caller's say ------------------------------------------ */

void
collector_events_open(struct collector *c, const struct options *o)
{
	struct collector_events *ev;

	if (o->model == OPT_MODEL_DUMP)
		return;
	ev = c->ev = xcalloc(1, sizeof *ev);
	ev->allowed = o->model == OPT_MODEL_EVENTS || !o->batch;
	snprintf(ev->why, sizeof ev->why, "%s", o->batch ? "batch reports "
	    "dump (--model events to keep the model from events)" : "");
	ev->corrected = -1;
	ev->full_every_ms = o->reconcile > 0 ? (int64_t)(o->reconcile *
	    1000) : EV_FULL_MIN_MS;
	if (c->d == NULL)
		snprintf(ev->note, sizeof ev->note, "a recording");
	else if (o->record != NULL)
		snprintf(ev->note, sizeof ev->note, "--record: every refresh "
		    "is a dump, recorded");
	else if (o->all_netns)
		snprintf(ev->note, sizeof ev->note, "--all-netns: the "
		    "tracepoint carries no namespace");
	else if (c->trace == NULL)
		snprintf(ev->note, sizeof ev->note, "no tracepoint: %s",
		    c->trans_note[0] ? c->trans_note : "not set up");
	else if (c->notify == NULL)
		snprintf(ev->note, sizeof ev->note, "no destroy "
		    "notifications");
	else
		ev->available = 1;
	collector_events_describe(c);
}

void
collector_events_close(struct collector *c)
{
	struct collector_events *ev = c->ev;

	if (ev == NULL)
		return;
	free(ev->dirty);
	free(ev->dset);
	free(ev->keys);
	free(ev->watch);
	free(ev->tw);
	free(ev->reqs);
	free(ev);
	c->ev = NULL;
}

void
collector_events(struct collector *c, const char *why_not)
{
	struct collector_events *ev = c->ev;

	if (ev == NULL)
		return;
	ev->allowed = why_not == NULL;
	snprintf(ev->why, sizeof ev->why, "%s", why_not ? why_not : "");
	if (!ev->allowed) {
		ev->full_ns = 0;	/* back to events: reconcile first */
		ev->collect = 0;
		ev_dirty_clear(ev);
	}
	collector_events_describe(c);
}

void
collector_watch(struct collector *c, const struct conn *const *rows,
    size_t n)
{
	struct collector_events *ev = c->ev;
	size_t i;

	if (ev == NULL)
		return;
	ev->nwatch = 0;
	for (i = 0; i < n; i++) {
		struct conn_sample k;

		if (rows[i]->flags & CONN_GONE || rows[i]->s.cookie == 0)
			continue;
		ev_key(&k, &rows[i]->s);
		ev_push(&ev->watch, &ev->nwatch, &ev->capwatch, &k);
	}
}

void
collector_events_rescoped(struct collector *c)
{
	if (c->ev != NULL)
		c->ev->full_ns = 0;
}

static int
ev_on(const struct collector *c)
{
	return c->ev != NULL && c->ev->available && c->ev->allowed;
}

void
collector_events_describe(struct collector *c)
{
	struct collector_events *ev = c->ev;

	c->snap.model = "dump";
	c->snap.model_note = "--model dump";
	c->snap.model_full_age_ms = -1;
	c->snap.model_corrected = -1;
	c->snap.model_gets = 0;
	if (ev == NULL)
		return;
	if (ev_on(c)) {
		c->snap.model = "events";
		c->snap.model_note = NULL;
		c->snap.model_corrected = ev->corrected;
		c->snap.model_gets = ev->nkeys;
		if (ev->full_ns != 0)
			c->snap.model_full_age_ms = (long)((c->refresh_ns -
			    ev->full_ns) / 1000000);
		return;
	}
	c->snap.model_note = !ev->available ? ev->note : ev->why;
}

/* A refresh between full dumps ---------------------------------------- */

/* Whether this refresh must be a full dump. */
int
collector_events_full_due(struct collector *c)
{
	struct collector_events *ev = c->ev;
	int64_t age_ms;

	if (!ev_on(c)) {
		if (ev != NULL)
			ev->collect = 0;
		return 1;
	}
	if (!ev->collect) {
		ev_dirty_clear(ev);
		ev->collect = 1;
	}
	if (ev->full_ns == 0)
		return 1;
	if (c->snap.trans_lost > ev->lost_trace ||
	    c->snap.notify_lost > ev->lost_notify) {
		log_debug("events: lost (%ld trace, %ld notify): a full dump",
		    c->snap.trans_lost, c->snap.notify_lost);
		return 1;
	}
	age_ms = (c->refresh_ns - ev->full_ns) / 1000000;
	return age_ms >= ev->full_every_ms;
}

/* The sample s an exact request found for keys[i] (NULL: none). */
static void
ev_got(void *arg, size_t i, const struct conn_sample *s)
{
	struct collector *c = arg;
	struct collector_events *ev = c->ev;
	const struct conn_sample *k = &ev->keys[i];
	struct conn *row;

	if (i >= ev->reqs_from && i < ev->reqs_from + ev->nreqs && s != NULL &&
	    s->state == TCP_SYN_RECV)
		ev->reqs[i - ev->reqs_from].flags |= EV_REQ_ALIVE;
	if (s != NULL && (ev->f == NULL || filter_match(ev->f, s))) {
		/* A timewait socket's timer, once: a row already in
		 * timewait has its entry. */
		if (ev_is_tw(s) && (i >= ev->tw_from ||
		    (row = conntab_find(c->tab, s)) == NULL ||
		    !ev_is_tw(&row->s)))
			ev_tw_push(ev, s, c->snap.fields.now_ms);
		conntab_update(c->tab, s);
		return;
	}
	/* Gone, or out of the filter now: the row it was leaves. */
	if (k->cookie == 0 && s == NULL)
		return;
	row = conntab_find(c->tab, s != NULL ? s : k);
	if (row != NULL) {
		conntab_drop(c->tab, row);
		ev->gone++;
	}
}

/* The requests for a dirty key: each row on its 4-tuple by its cookie
 * (a destroyed cookie's row among them), and whatever socket holds the
 * 4-tuple now where one may be new there (EV_PROBE) or no row is. */
static void
ev_ask_dirty(struct collector_events *ev, const struct conntab *tab,
    const struct conn_sample *d)
{
	struct conn *rows[8];
	struct conn_sample k;
	size_t i, n;

	if (d->cookie != 0)
		return;		/* its 4-tuple's key asks for its rows */
	n = conntab_find_tuple(tab, d, rows, 8);
	for (i = 0; i < n; i++) {
		ev_key(&k, &rows[i]->s);
		ev_push(&ev->keys, &ev->nkeys, &ev->capkeys, &k);
	}
	if (n > 0 && !(d->state & EV_PROBE))
		return;
	ev_key(&k, d);
	if (n > 0)
		k.ifindex = rows[0]->s.ifindex;
	ev_push(&ev->keys, &ev->nkeys, &ev->capkeys, &k);
}

/* Every request of this refresh into ev->keys. */
static void
ev_collect(struct collector *c)
{
	struct collector_events *ev = c->ev;
	int64_t now = c->snap.fields.now_ms;
	size_t i;

	/* Arrays a storm grew are cut back once it has passed. */
	ev->keys = xshrinkarray(ev->keys, ev->nkeys, &ev->capkeys,
	    sizeof *ev->keys);
	ev->tw = xshrinkarray(ev->tw, ev->ntw, &ev->captw, sizeof *ev->tw);
	ev->nkeys = 0;
	for (i = 0; i < ev->ndirty; i++)
		ev_ask_dirty(ev, c->tab, &ev->dirty[i]);
	for (i = 0; i < ev->nwatch; i++)
		ev_push(&ev->keys, &ev->nkeys, &ev->capkeys, &ev->watch[i]);
	ev->tw_from = ev->nkeys;
	while (ev->ntw > 0 && ev->tw[0].at_ms <= now) {
		ev_push(&ev->keys, &ev->nkeys, &ev->capkeys, &ev->tw[0].key);
		ev_tw_pop(ev);
	}
	/* The request sockets, unless this refresh walks for them. */
	ev->reqs_from = ev->walk ? SIZE_MAX : ev->nkeys;
	for (i = 0; !ev->walk && i < ev->nreqs; i++) {
		ev->reqs[i].flags = 0;
		ev_push(&ev->keys, &ev->nkeys, &ev->capkeys, &ev->reqs[i]);
	}
}

/* The request sockets still there after their requests. */
static void
ev_reqs_keep(struct collector_events *ev)
{
	size_t i, k = 0;

	if (ev->walk)
		return;
	for (i = 0; i < ev->nreqs; i++)
		if (ev->reqs[i].flags & EV_REQ_ALIVE)
			ev->reqs[k++] = ev->reqs[i];
	ev->nreqs = k;
}

/* Whether this refresh walks the kernel's table for request sockets and
 * connects: a connect not yet seen whole, too many request sockets to
 * ask for one by one, or a SYN-ACK retransmitted (TCPSynRetrans: a
 * request socket outlived its first SYN-ACK, and may be one no walk
 * found).  A request socket that completes or fails sooner is seen as
 * its child's ESTABLISHED, or not at all: it lived less than a
 * second. */
static int
ev_walk_due(struct collector *c)
{
	struct collector_events *ev = c->ev;

	if (ev->nconnects > 0 || ev->nreqs > EV_REQS_MAX)
		return 1;
	if (c->kstat == NULL || !kstat_have(c->kstat, KSTAT_SYN_RETRANS))
		return 1;
	return kstat_total(c->kstat, KSTAT_SYN_RETRANS) != ev->syn_retrans;
}

/* The walk's request sockets, asked for one by one until the next. */
static void
ev_walk_sample(void *arg, const struct conn_sample *s)
{
	struct collector *c = arg;
	struct collector_events *ev = c->ev;
	struct conn_sample k;

	conntab_feed_sample(&c->feed, s);
	if (s->state != TCP_SYN_RECV)
		return;
	ev_key(&k, s);
	ev_push(&ev->reqs, &ev->nreqs, &ev->capreqs, &k);
}

/* A walk finds the request sockets anew; a dump of listeners alone
 * keeps the last walk's, asked for one by one (ev_collect). */
static void
ev_walk_begin(void *arg)
{
	struct collector *c = arg;
	struct collector_events *ev = c->ev;

	if (ev->walk) {
		ev->reqs = xshrinkarray(ev->reqs, ev->nreqs, &ev->capreqs,
		    sizeof *ev->reqs);
		ev->nreqs = 0;
	}
	conntab_feed_begin(&c->feed);
}

/* What a walk or a full dump found is the new baseline. */
static void
ev_walked(struct collector *c)
{
	struct collector_events *ev = c->ev;

	ev->nconnects = 0;
	if (c->kstat != NULL)
		ev->syn_retrans = kstat_total(c->kstat, KSTAT_SYN_RETRANS);
}

static void
ev_dirty_clear(struct collector_events *ev)
{
	ev->dirty = xshrinkarray(ev->dirty, ev->ndirty, &ev->capdirty,
	    sizeof *ev->dirty);
	if (ev->ndirty == 0)
		return;
	if (ev->dslots > 8192 && ev->ndirty * 8 < ev->dslots) {
		/* After a storm: start small again. */
		free(ev->dset);
		ev->dset = NULL;
		ev->dslots = 0;
	} else if (ev->dset != NULL)
		memset(ev->dset, 0, ev->dslots * sizeof *ev->dset);
	ev->ndirty = 0;
}

/* The dump of the states without events, into the open scan. */
static int
ev_dump_covered(struct collector *c, const struct filter *f)
{
	struct diag_sink sink = { ev_walk_begin, ev_walk_sample, c };
	struct filter *cf = &c->ev->covered;
	struct diag_query q = { cf, 1, 1 };
	struct diag_stats st;
	int rc;

	if (f != NULL)
		*cf = *f;
	else
		filter_init(cf);
	cf->states &= c->ev->walk ? EV_WALK : EV_LISTEN;
	c->feed.tab = c->tab;
	c->feed.begun = 0;
	c->feed.mono_ns = &diag_last_stats(c->d)->mono_ns;
	if (cf->states == 0) {
		/* The filter keeps neither: nothing to dump. */
		c->snap.realtime_ns = clock_ns(CLOCK_REALTIME);
		c->snap.fields.now_ms = clock_mono_ms();
		return 0;
	}
	rc = collector_netns_dump(c, &q, &sink, &st);
	if (rc == -1)
		return -1;
	c->snap.realtime_ns = st.realtime_ns;
	c->snap.fields.now_ms = st.mono_ns / 1000000;
	return 0;
}

int
collector_events_refresh(struct collector *c, const struct filter *f)
{
	struct collector_events *ev = c->ev;
	int64_t t0 = clock_ns(CLOCK_MONOTONIC), t1;

	ev->f = f;
	ev->gone = 0;
	ev->walk = ev_walk_due(c);
	if (ev_dump_covered(c, f) == -1) {
		if (c->feed.begun)
			conntab_abort_scan(c->tab);
		return -1;
	}
	if (!c->feed.begun)
		conntab_begin_scan(c->tab, c->snap.fields.now_ms);
	conntab_scan_states(c->tab, ev->walk ? EV_WALK : EV_LISTEN);
	if (ev->walk)
		ev_walked(c);
	t1 = clock_ns(CLOCK_MONOTONIC);
	/* The 4-tuple index the events are looked up in, made at the first
	 * refresh from events, not after the first full dump: at a million
	 * rows it is 70 ms that the first screen need not wait for. */
	conntab_index_tuples(c->tab);
	ev_collect(c);
	ev_dirty_clear(ev);
	if (ev->nkeys > 0 && diag_get(c->d, ev->keys, ev->nkeys, ev_got,
	    c) == -1) {
		/* What was not answered is not known: a full dump next. */
		log_debug("events: exact requests: %s", strerror(errno));
		ev->full_ns = 0;
	}
	ev_reqs_keep(ev);
	c->snap.dumped = diag_last_stats(c->d)->messages + ev->nkeys;
	log_debug("events: dump of %lu %s %.1f ms, %zu exact requests "
	    "%.1f ms, %lu gone, %zu timewait timers, %zu requests",
	    diag_last_stats(c->d)->messages, ev->walk ? "listeners, "
	    "requests and connects (a walk)" : "listeners", (t1 - t0) / 1e6,
	    ev->nkeys, (clock_ns(CLOCK_MONOTONIC) - t1) / 1e6, ev->gone,
	    ev->ntw, ev->nreqs);
	collector_events_describe(c);
	return 0;
}

/* After a full dump ------------------------------------------------------ */

void
collector_events_full(struct collector *c, int64_t start_ns)
{
	struct collector_events *ev = c->ev;
	const struct conntab_event *e;
	struct conn *const *rows;
	size_t i, n;
	int64_t cost_ms;

	if (!ev_on(c))
		return;
	/* What the dump changed that no event announced: corrections.
	 * Minisockets have no events; their changes come from dumps. */
	if (ev->full_ns != 0) {
		ev->corrected = 0;
		e = conntab_events(c->tab, &n);
		for (i = 0; i < n; i++) {
			struct conn_sample k;

			if (e[i].mini)
				continue;
			memset(&k, 0, sizeof k);
			k.family = e[i].family;
			k.lport = e[i].lport;
			k.rport = e[i].rport;
			memcpy(k.local, e[i].local, 16);
			memcpy(k.remote, e[i].remote, 16);
			if (!ev_dirty_has(ev, &k))
				ev->corrected++;
		}
		if (ev->corrected > 0)
			log_debug("events: the full dump corrected %ld rows",
			    ev->corrected);
	} else
		ev->corrected = -1;	/* forced: nothing to compare */
	ev_dirty_clear(ev);
	/* The timewait and request sockets, from this dump. */
	ev->ntw = ev->nreqs = 0;
	rows = conntab_rows(c->tab, &n);
	for (i = 0; i < n; i++) {
		struct conn_sample k;

		if (rows[i]->flags & CONN_GONE)
			continue;
		if (ev_is_tw(&rows[i]->s))
			ev_tw_push(ev, &rows[i]->s, rows[i]->sample_ms);
		else if (rows[i]->s.state == TCP_SYN_RECV) {
			ev_key(&k, &rows[i]->s);
			ev_push(&ev->reqs, &ev->nreqs, &ev->capreqs, &k);
		}
	}
	ev_walked(c);
	ev->full_ns = start_ns;
	ev->lost_trace = c->snap.trans_lost;
	ev->lost_notify = c->snap.notify_lost;
	cost_ms = (clock_ns(CLOCK_MONOTONIC) - start_ns) / 1000000;
	if (c->o->reconcile <= 0) {
		ev->full_every_ms = cost_ms * EV_FULL_FACTOR;
		if (ev->full_every_ms < EV_FULL_MIN_MS)
			ev->full_every_ms = EV_FULL_MIN_MS;
		if (ev->full_every_ms > EV_FULL_MAX_MS)
			ev->full_every_ms = EV_FULL_MAX_MS;
	}
	collector_events_describe(c);
}
