/* The tracepoint, the destroy notifications and the refresh differences
 * joined into one stream of transitions (the rules: transfeed.h). */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/transfeed.h"
#include "tcptop/xmalloc.h"

/* A 4-tuple as bytes: family, ports (host order), addresses (IPv4 in the
 * first 4, the rest zero), so keys compare with memcmp. */
#define TF_KEYLEN 37

struct tf_key {
	uint8_t b[TF_KEYLEN];
};

/* A tracepoint event waiting for its socket. */
struct tf_pend {
	struct trans_event e;
	struct tf_key k;	/* e's tuple */
	uint64_t skaddr;
	size_t seq;		/* arrival order, to keep sorts stable */
	int counted;		/* the refreshes counted it already */
	int done;		/* decided: goes at the end of the refresh */
};

struct tf_dest {
	struct tf_key k;
	struct tf_key ck;	/* the cookie, as a key */
	struct tf_key loose;	/* k without local address and remote port */
	uint64_t cookie;
	int64_t t_ms;
	int64_t realtime_ns;
};

/* A request socket seen new, or a tuple whose request completed. */
struct tf_req {
	struct tf_key k;
	uint64_t cookie;
	int64_t t_ms;
	int64_t realtime_ns;
	int dead;		/* decided: goes at the end of the refresh */
};

/* A transition to count, with its place in the order of arrival (qsort
 * is not stable). */
struct tf_out {
	struct trans_event e;
	size_t idx;
};

/* Open addressing over borrowed keys. */
struct tf_slot {
	const struct tf_key *k;
	const void *v;
};

struct tf_map {
	struct tf_slot *slot;
	size_t mask;		/* slots - 1; 0 when never sized */
};

struct transfeed {
	struct trans *t;
	int exact;
	struct transfeed_stats st;
	struct tf_pend *pend;
	size_t npend, cappend, seq;
	struct tf_dest *dest;
	size_t ndest, capdest;
	struct tf_req *reqs;		/* request sockets seen new */
	size_t nreqs, capreqs;
	struct tf_req *done;		/* tuples whose request completed */
	size_t ndone, capdone;
	struct tf_map rows, dests, dloose, dcookie, mapped, held, reqmap, donemap;
	struct tf_out *out;		/* this refresh's transitions */
	size_t nout, capout;
	int64_t prev_dump_ms;
};

static void
tf_key_make(struct tf_key *k, int family, const uint8_t *local,
    const uint8_t *remote, unsigned lport, unsigned rport)
{
	size_t alen = family == AF_INET6 ? 16 : 4;

	memset(k, 0, sizeof *k);
	k->b[0] = (uint8_t)family;
	k->b[1] = (uint8_t)(lport >> 8);
	k->b[2] = (uint8_t)lport;
	k->b[3] = (uint8_t)(rport >> 8);
	k->b[4] = (uint8_t)rport;
	memcpy(k->b + 5, local, alen);
	memcpy(k->b + 21, remote, alen);
}

static void
tf_key_sample(struct tf_key *k, const struct conn_sample *s, int any_lport)
{
	tf_key_make(k, s->family, s->local, s->remote, any_lport ? 0 :
	    s->lport, s->rport);
}

static void
tf_key_event(struct tf_key *k, const struct trans_event *e)
{
	tf_key_make(k, e->family, e->local, e->remote, e->lport, e->rport);
}

/* A cookie as a key: no family is 0xff. */
static void
tf_key_cookie(struct tf_key *k, uint64_t cookie)
{
	memset(k, 0, sizeof *k);
	k->b[0] = 0xff;
	memcpy(k->b + 1, &cookie, sizeof cookie);
}

/* A socket that failed to connect or was reset is disconnected before it
 * is freed: its destroy notification has lost the local address (unless
 * bound) and the remote port.  The local port and the remote address
 * stay, and are still particular enough to tell it. */
static void
tf_key_loose(struct tf_key *loose, const struct tf_key *k)
{
	*loose = *k;
	loose->b[3] = loose->b[4] = 0;
	memset(loose->b + 5, 0, 16);
}

static uint64_t
tf_hash(const struct tf_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < TF_KEYLEN; i++)
		h = (h ^ k->b[i]) * 0x100000001b3ULL;
	return h ^ h >> 29;
}

/* Empty m, with room for n keys at half load. */
static void
tf_map_reset(struct tf_map *m, size_t n)
{
	size_t want = 64;

	while (want < n * 2)
		want *= 2;
	/* Grown for a flood: smaller again once it is gone. */
	if (m->mask + 1 < want || m->mask == 0 ||
	    (m->mask + 1 > 4096 && m->mask + 1 > want * 8)) {
		free(m->slot);
		m->slot = xcalloc(want, sizeof *m->slot);
		m->mask = want - 1;
	} else
		memset(m->slot, 0, (m->mask + 1) * sizeof *m->slot);
}

/* Add k (borrowed) -> v; the first value put for a key wins. */
static void
tf_map_put(struct tf_map *m, const struct tf_key *k, const void *v)
{
	size_t i = (size_t)tf_hash(k) & m->mask;

	for (; m->slot[i].k != NULL; i = (i + 1) & m->mask)
		if (memcmp(m->slot[i].k->b, k->b, TF_KEYLEN) == 0)
			return;
	m->slot[i].k = k;
	m->slot[i].v = v;
}

/* Give k's value v if k is in m without one yet: the first claim wins,
 * as the first put does. */
static void
tf_map_claim(struct tf_map *m, const struct tf_key *k, const void *v)
{
	size_t i;

	for (i = (size_t)tf_hash(k) & m->mask; m->slot[i].k != NULL;
	    i = (i + 1) & m->mask)
		if (memcmp(m->slot[i].k->b, k->b, TF_KEYLEN) == 0) {
			if (m->slot[i].v == NULL)
				m->slot[i].v = v;
			return;
		}
}

static const void *
tf_map_get(const struct tf_map *m, const struct tf_key *k)
{
	size_t i;

	if (m->mask == 0)
		return NULL;
	for (i = (size_t)tf_hash(k) & m->mask; m->slot[i].k != NULL;
	    i = (i + 1) & m->mask)
		if (memcmp(m->slot[i].k->b, k->b, TF_KEYLEN) == 0)
			return m->slot[i].v;
	return NULL;
}

struct transfeed *
transfeed_new(struct trans *t, int exact)
{
	struct transfeed *f = xcalloc(1, sizeof *f);

	f->t = t;
	f->exact = exact != 0;
	f->prev_dump_ms = INT64_MIN;
	return f;
}

void
transfeed_free(struct transfeed *f)
{
	if (f == NULL)
		return;
	free(f->pend);
	free(f->dest);
	free(f->reqs);
	free(f->done);
	free(f->rows.slot);
	free(f->dests.slot);
	free(f->dloose.slot);
	free(f->dcookie.slot);
	free(f->mapped.slot);
	free(f->held.slot);
	free(f->reqmap.slot);
	free(f->donemap.slot);
	free(f->out);
	free(f);
}

const struct transfeed_stats *
transfeed_stats(const struct transfeed *f)
{
	return &f->st;
}

void
transfeed_trace(struct transfeed *f, const struct trans_event *e,
    uint64_t skaddr)
{
	struct tf_pend *p;

	if (f->npend == f->cappend) {
		f->cappend = f->cappend ? f->cappend * 2 : 64;
		f->pend = xreallocarray(f->pend, f->cappend, sizeof *f->pend);
	}
	p = &f->pend[f->npend++];
	p->e = *e;
	tf_key_event(&p->k, e);
	p->skaddr = skaddr;
	p->seq = f->seq++;
	p->counted = 0;
	p->done = 0;
}

void
transfeed_destroy(struct transfeed *f, const struct conn_sample *s,
    int64_t t_ms, int64_t realtime_ns)
{
	struct tf_dest *d;

	if (f->ndest == f->capdest) {
		f->capdest = f->capdest ? f->capdest * 2 : 64;
		f->dest = xreallocarray(f->dest, f->capdest, sizeof *f->dest);
	}
	d = &f->dest[f->ndest++];
	tf_key_sample(&d->k, s, 0);
	tf_key_loose(&d->loose, &d->k);
	tf_key_cookie(&d->ck, s->cookie);
	d->cookie = s->cookie;
	d->t_ms = t_ms;
	d->realtime_ns = realtime_ns;
	f->st.destroyed++;
}

static void
tf_emit(struct transfeed *f, const struct trans_event *e)
{
	if (f->nout == f->capout) {
		f->capout = f->capout ? f->capout * 2 : 64;
		f->out = xreallocarray(f->out, f->capout, sizeof *f->out);
	}
	f->out[f->nout].e = *e;
	f->out[f->nout].idx = f->nout;
	f->nout++;
}

/* A transition a refresh saw: from -> to of the socket in ce, at t. */
static void
tf_emit_diff(struct transfeed *f, const struct conntab_event *ce, int from,
    int to, int source, int64_t t_ms, int64_t realtime_ns)
{
	struct trans_event e;

	memset(&e, 0, sizeof e);
	e.t_ms = t_ms;
	e.realtime_ns = realtime_ns;
	e.cookie = ce->cookie;
	e.family = ce->family;
	e.from = (uint8_t)from;
	e.to = (uint8_t)to;
	e.source = (uint8_t)source;
	e.lport = ce->lport;
	e.rport = ce->rport;
	memcpy(e.local, ce->local, 16);
	memcpy(e.remote, ce->remote, 16);
	tf_emit(f, &e);
}

static void
tf_req_push(struct tf_req **v, size_t *n, size_t *cap, const struct tf_key *k,
    uint64_t cookie, int64_t t_ms, int64_t realtime_ns)
{
	struct tf_req *r;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	r = &(*v)[(*n)++];
	r->k = *k;
	r->cookie = cookie;
	r->t_ms = t_ms;
	r->realtime_ns = realtime_ns;
	r->dead = 0;
}

/* Whether the filter keeps the socket of e, in either of its states. */
static int
tf_keep(const struct filter *flt, const struct trans_event *e)
{
	struct conn_sample s;

	if (flt == NULL)
		return 1;
	trans_event_sample(e, &s);
	s.state = e->from;
	if (filter_match(flt, &s))
		return 1;
	s.state = e->to;
	return filter_match(flt, &s);
}

/* Row c to the held events of its tuple, and a SYN_SENT row's to those
 * of its tuple without the local port too (tf_index_rows). */
static void
tf_claim_row(struct transfeed *f, const struct conn *c)
{
	struct tf_key k;

	tf_key_sample(&k, &c->s, 0);
	tf_map_claim(&f->rows, &k, c);
	if (c->s.state == TCP_SYN_SENT) {
		tf_key_sample(&k, &c->s, 1);
		tf_map_claim(&f->rows, &k, c);
	}
}

/* Give k the rows of its tuple, live ones first (the 4-tuple index of a
 * model kept from events), then the tombstones and the connecting rows
 * the index does not hold. */
static void
tf_claim_indexed(struct transfeed *f, const struct conntab *tab)
{
	struct conn *const *tombs, *const *conn;
	struct conn *live[4];
	struct conn_sample s;
	size_t nt, nc, i, j, m;

	for (i = 0; i < f->npend; i++) {
		if (i > 0 && memcmp(f->pend[i].k.b, f->pend[i - 1].k.b,
		    TF_KEYLEN) == 0)
			continue;
		trans_event_sample(&f->pend[i].e, &s);
		m = conntab_find_tuple(tab, &s, live, 4);
		for (j = 0; j < m; j++)
			tf_map_claim(&f->rows, &f->pend[i].k, live[j]);
	}
	tombs = conntab_unindexed(tab, &nt, &conn, &nc);
	for (i = 0; i < nt; i++)
		tf_claim_row(f, tombs[i]);
	for (i = 0; i < nc; i++)
		tf_claim_row(f, conn[i]);
}

/* The rows of the held events' tuples (and the SYN_SENT rows again
 * without their local port, for a connect's first event), in f->rows:
 * the events' tuples are indexed and the rows looked up in them, once,
 * only while events are held.  Indexing the rows instead cost two keys
 * and two slots a row, 150 bytes a socket, whenever any namespace's
 * event waited, which on a shared host is always.  With the table's own
 * 4-tuple index (a model kept from events) the rows are looked up in
 * it instead of visited: a pass over every row was a tenth of such a
 * refresh at 100k.  f->pend must not move until the refresh is done:
 * the map borrows its keys. */
static void
tf_index_rows(struct transfeed *f, const struct conntab *tab)
{
	struct conn *const *rows, *const *conn;
	size_t n, nc, i;

	tf_map_reset(&f->rows, f->npend);
	for (i = 0; i < f->npend; i++)
		tf_map_put(&f->rows, &f->pend[i].k, NULL);
	if (conntab_tuples_indexed(tab)) {
		tf_claim_indexed(f, tab);
		return;
	}
	/* Live rows first, then the tombstones, as with the index: a
	 * tuple's new socket is the one an event of it means. */
	rows = conntab_rows(tab, &n);
	for (i = 0; i < n; i++)
		if (!(rows[i]->flags & CONN_GONE))
			tf_claim_row(f, rows[i]);
	rows = conntab_unindexed(tab, &n, &conn, &nc);
	for (i = 0; i < n; i++)
		tf_claim_row(f, rows[i]);
}

/* Index the notifications and requests by tuple, and empty this
 * refresh's sets. */
static void
tf_index(struct transfeed *f)
{
	size_t i;

	tf_map_reset(&f->dests, f->ndest);
	tf_map_reset(&f->dloose, f->ndest);
	tf_map_reset(&f->dcookie, f->ndest);
	for (i = 0; i < f->ndest; i++) {
		tf_map_put(&f->dests, &f->dest[i].k, &f->dest[i]);
		if (f->dest[i].cookie != 0)
			tf_map_put(&f->dcookie, &f->dest[i].ck, &f->dest[i]);
		/* Only disconnected ones (remote port 0) match loosely. */
		if (f->dest[i].k.b[3] == 0 && f->dest[i].k.b[4] == 0)
			tf_map_put(&f->dloose, &f->dest[i].loose,
			    &f->dest[i]);
	}
	tf_map_reset(&f->reqmap, f->nreqs);
	for (i = 0; i < f->nreqs; i++)
		tf_map_put(&f->reqmap, &f->reqs[i].k, &f->reqs[i]);
	tf_map_reset(&f->mapped, f->npend);
	tf_map_reset(&f->held, f->npend);
}

/* The row or notification that says p's socket is ours: the row, the
 * notification in *d; *found when either. */
static const struct conn *
tf_find(const struct transfeed *f, const struct tf_pend *p,
    const struct tf_dest **d, int *found)
{
	const struct conn *c = tf_map_get(&f->rows, &p->k);
	struct tf_key loose;

	*d = tf_map_get(&f->dests, &p->k);
	if (*d == NULL && p->e.lport != 0) {
		tf_key_loose(&loose, &p->k);
		*d = tf_map_get(&f->dloose, &loose);
	}
	*found = c != NULL || *d != NULL;
	return c;
}

static int
tf_pend_cmp(const void *a, const void *b)
{
	const struct tf_pend *x = a, *y = b;

	if (x->skaddr != y->skaddr)
		return (x->skaddr > y->skaddr) - (x->skaddr < y->skaddr);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Time order, and the order of arrival among equals. */
static int
tf_out_cmp(const void *a, const void *b)
{
	const struct tf_out *x = a, *y = b;

	if (x->e.t_ms != y->e.t_ms)
		return (x->e.t_ms > y->e.t_ms) - (x->e.t_ms < y->e.t_ms);
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Count p, a tracepoint event of ours, unless it enters TIME_WAIT as
 * Linux says it (-> CLOSE) and the dump shows what became of it.
 * Returns 1 when p must wait for a dump that began after it. */
static int
tf_take(struct transfeed *f, struct tf_pend *p, const struct filter *flt,
    int64_t dump_ms)
{
	struct trans_event e = p->e;
	const struct conn *c;
	const struct tf_dest *d;
	int found;

	if (p->counted)
		return 0;	/* a refresh counted its -> TIME_WAIT */
	c = tf_find(f, p, &d, &found);
	if (c != NULL)
		e.cookie = c->s.cookie;
	else if (d != NULL)
		e.cookie = d->cookie;
	if (e.to == TCP_CLOSE && (e.from == TCP_FIN_WAIT2 ||
	    e.from == TCP_CLOSING)) {
		if (e.t_ms >= dump_ms) {
			tf_map_put(&f->held, &p->k, p);
			return 1;
		}
		if (c != NULL && !(c->flags & CONN_GONE) &&
		    c->s.state == TCP_TIME_WAIT) {
			e.to = TCP_TIME_WAIT;
			f->st.timewait++;
			tf_map_put(&f->mapped, &p->k, p);
		} else if (c != NULL && !(c->flags & CONN_GONE) &&
		    c->s.state == TCP_FIN_WAIT2 && conntab_is_mini(&c->s))
			return 0;	/* the orphan's FIN_WAIT2 goes on */
	}
	if (!tf_keep(flt, &e)) {
		f->st.filtered++;
		return 0;
	}
	f->st.confirmed++;
	tf_emit(f, &e);
	return 0;
}

/* Decide the held tracepoint events, a socket (skaddr) at a time: all of
 * a socket's events are ours when one of its tuples is.  What is decided
 * is marked done; the rest waits. */
static void
tf_resolve(struct transfeed *f, const struct filter *flt, int64_t dump_ms)
{
	size_t i, j, k;

	for (i = 0; i < f->npend; i = j) {
		int ours = 0, wait = 0;
		int64_t newest = INT64_MIN;

		/* One life of one socket.  The kernel reuses a freed
		 * socket's address for the next socket, of any namespace:
		 * a life ends at CLOSE, and a change that does not start
		 * where the last one ended is another socket's. */
		for (j = i + 1; j < f->npend && f->pend[j].skaddr ==
		    f->pend[i].skaddr; j++)
			if (f->pend[j - 1].e.to == TCP_CLOSE ||
			    f->pend[j].e.from != f->pend[j - 1].e.to)
				break;
		for (k = i; k < j; k++) {
			const struct tf_dest *d;
			int found;

			(void)tf_find(f, &f->pend[k], &d, &found);
			ours |= found;
			if (f->pend[k].e.t_ms > newest)
				newest = f->pend[k].e.t_ms;
			/* A request that completed: its SYN_RECV is the
			 * tracepoint's to count, not the refreshes'. */
			if (f->pend[k].e.from == TCP_SYN_RECV)
				tf_req_push(&f->done, &f->ndone, &f->capdone,
				    &f->pend[k].k, 0, dump_ms, 0);
		}
		for (k = i; k < j; k++) {
			if (ours) {
				/* In order: after one waits, all do. */
				if (!wait)
					wait = tf_take(f, &f->pend[k], flt,
					    dump_ms);
				f->pend[k].done = !wait;
			} else if (dump_ms - newest >= TRANSFEED_HOLD_MS) {
				f->st.foreign++;
				f->pend[k].done = 1;
			}
		}
	}
}

/* With the tracepoint: what only the refreshes see, minisockets. */
static void
tf_diff_exact(struct transfeed *f, const struct conntab_event *ce,
    int64_t dump_ms, int64_t realtime_ns)
{
	struct tf_key k;
	struct tf_req *r;

	tf_key_make(&k, ce->family, ce->local, ce->remote, ce->lport,
	    ce->rport);
	switch (ce->kind) {
	case CONNTAB_EV_NEW:
		break;		/* requests: after the others, see below */
	case CONNTAB_EV_STATE:
		if (ce->from == TCP_SYN_RECV && ce->mini) {
			/* Became a connection: the tracepoint saw it. */
			r = (struct tf_req *)(uintptr_t)tf_map_get(&f->reqmap,
			    &k);
			if (r != NULL)
				r->dead = 1;
		} else if (ce->to == TCP_TIME_WAIT) {
			struct tf_pend *p;

			if (tf_map_get(&f->mapped, &k) != NULL)
				break;	/* counted from the tracepoint */
			/* The tracepoint's -> CLOSE came after the dump
			 * began, yet the dump saw the minisocket: count it
			 * now, once.  Else it is a minisocket's own change
			 * (an orphan's FIN_WAIT2), or the event was lost. */
			p = (struct tf_pend *)(uintptr_t)tf_map_get(&f->held,
			    &k);
			if (p != NULL) {
				struct trans_event e = p->e;

				e.to = TCP_TIME_WAIT;
				e.cookie = ce->cookie;
				p->counted = 1;
				f->st.timewait++;
				tf_emit(f, &e);
			} else
				tf_emit_diff(f, ce, ce->from, ce->to,
				    TRANS_SRC_DIFF, dump_ms, realtime_ns);
		}
		break;
	case CONNTAB_EV_GONE:
		if (ce->from == TCP_TIME_WAIT ||
		    (ce->from == TCP_FIN_WAIT2 && ce->mini))
			tf_emit_diff(f, ce, ce->from, TCP_CLOSE,
			    TRANS_SRC_DIFF, dump_ms, realtime_ns);
		else if (ce->from == TCP_SYN_RECV && ce->mini) {
			r = (struct tf_req *)(uintptr_t)tf_map_get(&f->reqmap,
			    &k);
			if (tf_map_get(&f->donemap, &k) == NULL) {
				/* Never a connection: the tracepoint never
				 * knew it. */
				if (r != NULL)
					tf_emit_diff(f, ce, TCP_LISTEN,
					    TCP_SYN_RECV, TRANS_SRC_DIFF,
					    r->t_ms, r->realtime_ns);
				tf_emit_diff(f, ce, TCP_SYN_RECV, TCP_CLOSE,
				    TRANS_SRC_DIFF, dump_ms, realtime_ns);
			}
			if (r != NULL)
				r->dead = 1;
		}
		break;
	}
}

/* Without the tracepoint: every change between the states seen. */
static void
tf_diff_sampled(struct transfeed *f, const struct conntab_event *ce,
    int64_t dump_ms, int64_t realtime_ns)
{
	const struct tf_dest *d;
	struct tf_key k;

	switch (ce->kind) {
	case CONNTAB_EV_NEW:
		tf_emit_diff(f, ce, ce->to == TCP_SYN_RECV && ce->mini ?
		    TCP_LISTEN : TCP_CLOSE, ce->to, TRANS_SRC_DIFF, dump_ms,
		    realtime_ns);
		break;
	case CONNTAB_EV_STATE:
		tf_emit_diff(f, ce, ce->from, ce->to, TRANS_SRC_DIFF, dump_ms,
		    realtime_ns);
		break;
	case CONNTAB_EV_GONE:
		/* Dated by its destroy notification when one came: found
		 * by cookie, since a reset socket's has lost its tuple. */
		tf_key_cookie(&k, ce->cookie);
		d = ce->cookie != 0 ? tf_map_get(&f->dcookie, &k) : NULL;
		if (d != NULL)
			tf_emit_diff(f, ce, ce->from, TCP_CLOSE,
			    TRANS_SRC_DESTROY, d->t_ms, d->realtime_ns);
		else
			tf_emit_diff(f, ce, ce->from, TCP_CLOSE,
			    TRANS_SRC_DIFF, dump_ms, realtime_ns);
		break;
	}
}

/* Forget what no later refresh needs: decided events, notifications and
 * completed requests older than the holds, requests that went unseen. */
static void
tf_prune(struct transfeed *f, int64_t dump_ms)
{
	int64_t old = (f->prev_dump_ms == INT64_MIN ? dump_ms :
	    f->prev_dump_ms) - 2 * TRANSFEED_HOLD_MS;
	size_t i, keep;

	for (i = keep = 0; i < f->npend; i++)
		if (!f->pend[i].done)
			f->pend[keep++] = f->pend[i];
	f->npend = keep;
	f->st.held = keep;
	for (i = keep = 0; i < f->ndest; i++)
		if (f->dest[i].t_ms >= old)
			f->dest[keep++] = f->dest[i];
	f->ndest = keep;
	for (i = keep = 0; i < f->ndone; i++)
		if (f->done[i].t_ms >= old)
			f->done[keep++] = f->done[i];
	f->ndone = keep;
	/* A request outlives no 10 minutes (tcp_synack_retries tops out
	 * far below); one left by a filter change just goes. */
	for (i = keep = 0; i < f->nreqs; i++)
		if (!f->reqs[i].dead && dump_ms - f->reqs[i].t_ms < 600000)
			f->reqs[keep++] = f->reqs[i];
	f->nreqs = keep;
	f->pend = xshrinkarray(f->pend, f->npend, &f->cappend,
	    sizeof *f->pend);
	f->dest = xshrinkarray(f->dest, f->ndest, &f->capdest,
	    sizeof *f->dest);
	f->done = xshrinkarray(f->done, f->ndone, &f->capdone,
	    sizeof *f->done);
	f->reqs = xshrinkarray(f->reqs, f->nreqs, &f->capreqs,
	    sizeof *f->reqs);
	f->out = xshrinkarray(f->out, f->nout, &f->capout,
	    sizeof *f->out);
}

void
transfeed_refresh(struct transfeed *f, const struct conntab *tab,
    const struct filter *flt, int64_t dump_ms, int64_t realtime_ns)
{
	const struct conntab_event *ev;
	size_t n, i;

	f->nout = 0;
	tf_index(f);
	if (f->exact && f->npend > 0) {
		/* A socket's events together, before f->rows borrows their
		 * keys. */
		qsort(f->pend, f->npend, sizeof *f->pend, tf_pend_cmp);
		tf_index_rows(f, tab);
		tf_resolve(f, flt, dump_ms);
	}
	/* After tf_resolve, which adds to them. */
	tf_map_reset(&f->donemap, f->ndone);
	for (i = 0; i < f->ndone; i++)
		tf_map_put(&f->donemap, &f->done[i].k, &f->done[i]);
	ev = conntab_events(tab, &n);
	for (i = 0; i < n; i++) {
		if (f->exact)
			tf_diff_exact(f, &ev[i], dump_ms, realtime_ns);
		else
			tf_diff_sampled(f, &ev[i], dump_ms, realtime_ns);
	}
	/* New request sockets last: the maps above point into f->reqs. */
	for (i = 0; f->exact && i < n; i++)
		if (ev[i].kind == CONNTAB_EV_NEW && ev[i].to == TCP_SYN_RECV &&
		    ev[i].mini) {
			struct tf_key k;

			tf_key_make(&k, ev[i].family, ev[i].local,
			    ev[i].remote, ev[i].lport, ev[i].rport);
			tf_req_push(&f->reqs, &f->nreqs, &f->capreqs, &k,
			    ev[i].cookie, dump_ms, realtime_ns);
		}
	/* Into the engine in time order, arrival order among equals. */
	if (f->nout > 1)
		qsort(f->out, f->nout, sizeof *f->out, tf_out_cmp);
	for (i = 0; i < f->nout; i++)
		trans_add(f->t, &f->out[i].e);
	tf_prune(f, dump_ms);
	f->prev_dump_ms = dump_ms;
}
