/* The connection model: a cookie-keyed hash over an array of rows, one
 * scan per refresh, with events and tombstones (after htop's Table). */
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tcptop/conntab.h"
#include "tcptop/rate.h"
#include "tcptop/statebound.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#define CONNTAB_CHUNK 1024	/* rows allocated together */
/* Past this many rows, chunks are one transparent huge page each
 * (conntab_alloc). */
#define CONNTAB_HUGE_FROM (2 * CONNTAB_CHUNK)
#define CONNTAB_HUGE_BYTES ((size_t)2 << 20)
/* Room for this many rows is never given back: below it, shrinking and
 * growing again would cost more than the memory is worth. */
#define CONNTAB_KEEP 8192

/* A cookie-keyed hash of rows: open addressing, linear probing. */
struct chash {
	struct conn **slots;
	size_t nslots;		/* power of two, at least 2 * what it holds */
	int by_tuple;		/* keyed by the 4-tuple, cookie or not: rows
				 * sharing one follow each other */
};

/* Rows a narrower query left out of view (conntab_rescope), kept so that
 * a socket that comes back into view is the same row, with its ages and
 * path.  queue holds them in the order they were parked (NULL where one
 * came back), so the oldest expire from its head; a parked row's
 * dump_idx is its place in queue. */
struct park {
	struct chash hash;
	size_t n;		/* rows parked */
	struct conn **queue;
	size_t head, nqueue, capqueue;
	size_t max;		/* most live rows the table has held */
};

/* Rows allocated together. */
struct conntab_chunk {
	struct conn *rows;
	size_t n;
};

struct conntab {
	struct conn **rows;	/* live rows and tombstones */
	size_t n, cap;
	size_t live;

	struct chash hash;	/* the live rows */
	struct chash tuples;	/* and by 4-tuple (conntab_index_tuples),
				 * slots NULL until asked for */

	struct conn **freelist;	/* recycled rows */
	size_t nfree, capfree;
	struct conntab_chunk *chunks;	/* every allocation */
	size_t nchunks;
	size_t held;		/* rows in them */
	size_t expect;		/* rows the next scan should see
				 * (conntab_expect), 0 when unknown */
	/* The newest chunk, whose rows go out in order: rows [used, n)
	 * were never handed out nor written, and past cut a huge chunk's
	 * pages are given back (conntab_trim_tail). */
	struct conn *fill;
	size_t fill_n, fill_used, fill_cut;

	struct conn **fresh;	/* rows created by the current scan */
	size_t nfresh, capfresh;
	struct conn **gone;	/* rows the current scan did not see */
	size_t ngone, capgone;
	struct conn **tombs;	/* the last scan's end: its tombstones */
	size_t ntombs, captombs;
	struct conn **connecting;	/* and its live SYN_SENT rows */
	size_t nconnecting, capconnecting;

	struct conntab_event *events;
	size_t nevents, capevents;

	/* The kernel dumps sockets in hash-bucket order, which barely changes
	 * between refreshes, so the next socket is nearly always the one
	 * that followed last time: order holds the last scan's rows in dump
	 * order and cursor walks it, and only a miss pays for a hash lookup
	 * (two cache misses per socket at 100k sockets). */
	struct conn **order;
	size_t norder, caporder;
	size_t cursor;
	struct conn **next;	/* this scan's order, being built */
	size_t nnext, capnext;

	int64_t now_ms;
	int64_t tombstone_ms;
	uint32_t pass;		/* bumped per scan and per restart */
	int open;		/* a scan was aborted: the next one resumes it */
	uint32_t covers;	/* the states the scan covers (TCPSTATE
				 * bits): rows in others stay unless seen or
				 * dropped (conntab_scan_states) */
	uint32_t scan;		/* scans begun */
	unsigned long scans_ended;
	int baseline;		/* the next scan sees a new scope: what it
				 * finds predates it, as in the first scan */
	struct park park;
	size_t trimmed;		/* bytes the last end_scan gave back */
};

static void
conntab_push(struct conn ***v, size_t *n, size_t *cap, struct conn *c)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = c;
}

static uint64_t
conntab_tuple_hash(const struct conn_sample *s)
{
	/* What identifies a connection without a cookie, a word at a time
	 * (a byte at a time was 50 ns a row, a fifth of indexing a million
	 * rows), mixed so that the low bits are as good as the high ones
	 * (conntab_merge_requests masks it). */
	uint64_t w[5], h = 0x243f6a8885a308d3ULL;
	size_t i;

	memcpy(&w[0], s->local, 16);
	memcpy(&w[2], s->remote, 16);
	w[4] = (uint64_t)s->family << 32 | (uint64_t)s->lport << 16 | s->rport;
	for (i = 0; i < 5; i++) {
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static int
conntab_same_tuple(const struct conn_sample *a, const struct conn_sample *b)
{
	return a->family == b->family && a->lport == b->lport &&
	    a->rport == b->rport && memcmp(a->local, b->local, 16) == 0 &&
	    memcmp(a->remote, b->remote, 16) == 0;
}

/* The key: the cookie where the kernel gave one, else the 4-tuple. */
static size_t
chash_slot0(const struct chash *h, const struct conn_sample *s)
{
	uint64_t k = s->cookie != 0 && !h->by_tuple ? s->cookie :
	    conntab_tuple_hash(s);

	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 32) & (h->nslots - 1);
}

static int
conntab_same(const struct conn_sample *a, const struct conn_sample *b)
{
	if (a->cookie != 0 || b->cookie != 0)
		return a->cookie == b->cookie;
	return conntab_same_tuple(a, b);
}

/* Where s is, or the empty slot where it would go. */
static size_t
chash_find(const struct chash *h, const struct conn_sample *s)
{
	size_t i = chash_slot0(h, s);

	while (h->slots[i] != NULL && !conntab_same(&h->slots[i]->s, s))
		i = (i + 1) & (h->nslots - 1);
	return i;
}

static void
chash_init(struct chash *h, size_t nslots)
{
	h->slots = xcalloc(nslots, sizeof *h->slots);
	h->nslots = nslots;
}

static void
chash_put(struct chash *h, struct conn *c)
{
	h->slots[chash_find(h, &c->s)] = c;
}

static void
chash_rehash(struct chash *h, size_t nslots)
{
	struct conn **old = h->slots;
	size_t i, oldn = h->nslots;

	chash_init(h, nslots);
	for (i = 0; i < oldn; i++)
		if (old[i] != NULL)
			h->slots[chash_find(h, &old[i]->s)] = old[i];
	free(old);
}

/* Remove c from h: backward-shift deletion keeps every probe chain
 * unbroken without tombstone slots. */
static void
chash_del(struct chash *h, const struct conn *c)
{
	size_t mask = h->nslots - 1, i = chash_find(h, &c->s), j;

	if (h->slots[i] != c)
		return;
	h->slots[i] = NULL;
	for (j = (i + 1) & mask; h->slots[j] != NULL; j = (j + 1) & mask) {
		size_t k = chash_slot0(h, &h->slots[j]->s);

		/* Move j back to i unless its home k lies cyclically in
		 * (i, j]. */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			h->slots[i] = h->slots[j];
			h->slots[j] = NULL;
			i = j;
		}
	}
}

/* The tuple index follows the hash: rows enter and leave both. */
static void
conntab_unhash(struct conntab *t, const struct conn *c)
{
	chash_del(&t->hash, c);
	if (t->tuples.slots != NULL)
		chash_del(&t->tuples, c);
}

/* Both hashes sized for the live rows: grown past half full, and to
 * want slots when want is nonzero. */
static void
conntab_hash_fit(struct conntab *t, size_t want)
{
	if (want == 0 && t->live * 2 > t->hash.nslots)
		want = t->hash.nslots * 2;
	if (want != 0 && want != t->hash.nslots)
		chash_rehash(&t->hash, want);
	if (t->tuples.slots != NULL && t->tuples.nslots != t->hash.nslots)
		chash_rehash(&t->tuples, t->hash.nslots);
}

/* A new chunk's rows, *n of them.  The first rows come in plain
 * chunks; a table past CONNTAB_HUGE_FROM rows is large, and its further
 * chunks are 2 MiB, aligned and advised to be one transparent huge page:
 * the first write to each fresh 4 KiB page is the dearest thing a first
 * scan does (on a VM, some 10 us a page: 7 ms of a 10k-socket one-shot),
 * and one huge page takes one fault for 512 of them.  Without THP
 * (never, or no huge page free) the chunk is plain pages, as before.
 * The rows are not zeroed: conntab_update clears each it takes. */
static struct conn *
conntab_chunk_new(const struct conntab *t, size_t *n)
{
	struct conn *rows;

	if (t->held < CONNTAB_HUGE_FROM &&
	    t->expect < t->held + CONNTAB_HUGE_FROM) {
		*n = CONNTAB_CHUNK;
		return xcalloc(CONNTAB_CHUNK, sizeof *rows);
	}
	*n = CONNTAB_HUGE_BYTES / sizeof *rows;
	rows = aligned_alloc(CONNTAB_HUGE_BYTES, CONNTAB_HUGE_BYTES);
	if (rows == NULL)
		return xmalloc(CONNTAB_HUGE_BYTES);	/* ends as xmalloc does */
#ifdef MADV_HUGEPAGE
	(void)madvise(rows, CONNTAB_HUGE_BYTES, MADV_HUGEPAGE);
#endif
	return rows;
}

/* A row to use: a freed one first, else the next of the newest chunk,
 * whose rows go out in order without passing through the free list
 * (7,825 pushes and a free list as long for a huge chunk), else a new
 * chunk's first. */
static struct conn *
conntab_alloc(struct conntab *t)
{
	if (t->nfree > 0)
		return t->freelist[--t->nfree];
	if (t->fill == NULL || t->fill_used == t->fill_n) {
		struct conntab_chunk *ch;

		t->chunks = xreallocarray(t->chunks, t->nchunks + 1,
		    sizeof *t->chunks);
		ch = &t->chunks[t->nchunks++];
		ch->rows = conntab_chunk_new(t, &ch->n);
		t->held += ch->n;
		t->fill = ch->rows;
		t->fill_n = t->fill_cut = ch->n;
		t->fill_used = 0;
	}
	return &t->fill[t->fill_used++];
}

/* Rows held but not in use: freed, or never handed out. */
static size_t
conntab_spare(const struct conntab *t)
{
	return t->nfree + (t->fill != NULL ? t->fill_n - t->fill_used : 0);
}

/* A huge page is resident whole from its first write, so the newest
 * huge chunk gives back the pages of the rows the scan did not need: a
 * table of 10k rows holds 10k rows' worth, not 7825 more.  Once per
 * chunk; rows taken later fault in 4 KiB pages again. */
static void
conntab_trim_tail(struct conntab *t)
{
#ifdef MADV_DONTNEED
	uintptr_t page = 4096, a, e;

	if (t->fill == NULL || t->fill_n == CONNTAB_CHUNK ||
	    t->fill_used >= t->fill_cut)
		return;
	a = ((uintptr_t)(t->fill + t->fill_used) + page - 1) & ~(page - 1);
	e = (uintptr_t)t->fill + CONNTAB_HUGE_BYTES;
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_DONTNEED);
	t->fill_cut = t->fill_used;
#else
	(void)t;
#endif
}

static void
conntab_release(struct conntab *t, struct conn *c)
{
	conntab_push(&t->freelist, &t->nfree, &t->capfree, c);
}

int
conntab_is_mini(const struct conn_sample *s)
{
	return s->state == TCP_TIME_WAIT || s->timer == 3 ||
	    (s->state == TCP_SYN_RECV && !(s->flags & CONN_HAS_INFO));
}

/* mini: as conntab_event.mini says. */
static void
conntab_event(struct conntab *t, const struct conn *c, int kind, int from,
    int to, int mini)
{
	struct conntab_event *e;

	if (t->nevents == t->capevents) {
		t->capevents = t->capevents ? t->capevents * 2 : 64;
		t->events = xreallocarray(t->events, t->capevents,
		    sizeof *t->events);
	}
	e = &t->events[t->nevents++];
	memset(e, 0, sizeof *e);
	e->t_ms = t->now_ms;
	e->cookie = c->s.cookie;
	e->kind = (uint8_t)kind;
	e->from = (uint8_t)from;
	e->to = (uint8_t)to;
	e->family = c->s.family;
	e->mini = mini != 0;
	e->lport = c->s.lport;
	e->rport = c->s.rport;
	memcpy(e->local, c->s.local, 16);
	memcpy(e->remote, c->s.remote, 16);
}

struct conntab *
conntab_new(int64_t tombstone_ms)
{
	struct conntab *t = xcalloc(1, sizeof *t);

	t->tombstone_ms = tombstone_ms;
	chash_init(&t->hash, 1024);
	chash_init(&t->park.hash, 64);
	return t;
}

void
conntab_free(struct conntab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i].rows);
	free(t->chunks);
	free(t->rows);
	free(t->hash.slots);
	free(t->tuples.slots);
	free(t->park.hash.slots);
	free(t->park.queue);
	free(t->freelist);
	free(t->fresh);
	free(t->gone);
	free(t->tombs);
	free(t->connecting);
	free(t->events);
	free(t->order);
	free(t->next);
	free(t);
}

/* v, an array of *cap elements of size each, with room for n. */
static void *
conntab_reserve(void *v, size_t *cap, size_t n, size_t size)
{
	if (*cap >= n)
		return v;
	*cap = n;
	return xreallocarray(v, n, size);
}

void
conntab_expect(struct conntab *t, size_t n)
{
	size_t nslots = t->hash.nslots;

	t->expect = n;
	if (n <= t->live)
		return;
	while (n * 2 > nslots)
		nslots *= 2;
	conntab_hash_fit(t, nslots);
	t->rows = conntab_reserve(t->rows, &t->cap, n, sizeof *t->rows);
	t->next = conntab_reserve(t->next, &t->capnext, n, sizeof *t->next);
	t->fresh = conntab_reserve(t->fresh, &t->capfresh, n,
	    sizeof *t->fresh);
}

void
conntab_begin_scan(struct conntab *t, int64_t now_ms)
{
	t->now_ms = now_ms;
	t->covers = TCPSTATE_ALL;
	if (t->open) {
		t->open = 0;
		conntab_restart_scan(t);
		return;
	}
	t->pass++;
	t->scan++;
	t->nevents = 0;
	t->nfresh = 0;
	t->cursor = 0;
	t->nnext = 0;
}

void
conntab_restart_scan(struct conntab *t)
{
	t->pass++;
	t->cursor = 0;
	t->nnext = 0;
}

void
conntab_abort_scan(struct conntab *t)
{
	t->open = 1;
}

/* Note c as the next socket of this scan's dump order. */
static void
conntab_note_order(struct conntab *t, struct conn *c)
{
	c->dump_idx = (uint32_t)t->nnext;
	conntab_push(&t->next, &t->nnext, &t->capnext, c);
}

/* The row for s: the one after the last match in the previous scan's
 * order if it is s, else from the hash (and the cursor follows it).
 * Every row in order is live: only conntab_end_scan frees rows, and the
 * order it leaves holds only rows that scan saw. */
static struct conn *
conntab_lookup(struct conntab *t, const struct conn_sample *s, size_t *slot)
{
	struct conn *c;

	if (t->cursor < t->norder) {
		c = t->order[t->cursor];
		if (conntab_same(&c->s, s)) {
			t->cursor++;
			return c;
		}
	}
	*slot = chash_find(&t->hash, s);
	c = t->hash.slots[*slot];
	if (c != NULL && c->dump_idx < t->norder &&
	    t->order[c->dump_idx] == c)
		t->cursor = c->dump_idx + 1;
	return c;
}

/* Append state, entered at now_ms, to c's path, dropping the oldest
 * when it is full. */
static void
conntab_path_push(struct conn *c, uint8_t state, int64_t now_ms)
{
	int64_t ds = (now_ms - c->first_seen_ms) / 100;

	if (c->path >> 28)
		c->flags |= CONN_PATH_CUT;
	c->path = c->path << 4 | (state & 15);
	memmove(&c->path_ds[1], &c->path_ds[0], 7 * sizeof c->path_ds[0]);
	c->path_ds[0] = (uint16_t)(ds < 0 ? 0 : ds > UINT16_MAX ?
	    UINT16_MAX : ds);
}

size_t
conntab_path_times(const struct conn *c, int64_t *t_ms, size_t max)
{
	size_t n = 0;
	int k;

	for (k = 7; k >= 0; k--)
		if ((c->path >> (4 * k) & 15) != 0 && n < max)
			t_ms[n++] = c->first_seen_ms +
			    (int64_t)c->path_ds[k] * 100;
	return n;
}

size_t
conntab_path(const struct conn *c, uint8_t *states, size_t max)
{
	size_t n = 0;
	int shift;

	for (shift = 28; shift >= 0; shift -= 4) {
		uint8_t st = (uint8_t)(c->path >> shift & 15);

		if (st != 0 && n < max)
			states[n++] = st;
	}
	return n;
}

/* Bytes per second from a counter's step over dt_ms (> 0). */
static double
conntab_rate(uint64_t from, uint64_t to, int64_t dt_ms)
{
	return (double)(to - from) * 1000.0 / (double)dt_ms;
}

/* Throughput from the byte counters of c's last sample and s, into its
 * averages (rate.h).  Only two samples with tcp_info count: a minisocket
 * has none, and counters that went back are not the same connection's. */
static void
conntab_rates(struct conntab *t, struct conn *c, const struct conn_sample *s)
{
	int64_t dt = t->now_ms - c->sample_ms;
	double tx, rx;

	if (dt <= 0)
		return;		/* seen again in one pass: keep the rates */
	if ((c->s.flags & CONN_HAS_INFO) && (s->flags & CONN_HAS_INFO) &&
	    s->info.bytes_acked >= c->s.info.bytes_acked &&
	    s->info.bytes_received >= c->s.info.bytes_received) {
		tx = conntab_rate(c->s.info.bytes_acked, s->info.bytes_acked,
		    dt);
		rx = conntab_rate(c->s.info.bytes_received,
		    s->info.bytes_received, dt);
		if (c->flags & CONN_RATE) {
			c->tx_avg = rate_step(c->tx_avg, tx, dt,
			    t->now_ms - c->first_seen_ms);
			c->rx_avg = rate_step(c->rx_avg, rx, dt,
			    t->now_ms - c->first_seen_ms);
		} else {
			c->tx_avg = rate_start(tx);
			c->rx_avg = rate_start(rx);
		}
		c->flags |= CONN_RATE;
	} else {
		c->tx_avg = c->rx_avg = 0;
		c->flags &= (uint8_t)~CONN_RATE;
	}
	c->sample_ms = t->now_ms;
}

/* The park ---------------------------------------------------------------
 *
 * A narrower query (a port, an expression) leaves rows out of the next
 * dumps, yet their sockets go on.  conntab_rescope parks them instead of
 * freeing them, and a scan that finds one again takes it back, first seen
 * time, time in state and path intact: a filter changed back and forth
 * forgets nothing.  The kernel no longer reports a parked socket, so its
 * end is not seen: a parked row goes after CONNTAB_PARK_MS, or sooner
 * when the park holds more rows than the table ever held live. */

/* Park c, a live row with a cookie. */
static void
park_put(struct conntab *t, struct conn *c)
{
	struct park *p = &t->park;

	if ((p->n + 1) * 2 > p->hash.nslots)
		chash_rehash(&p->hash, p->hash.nslots * 2);
	p->hash.slots[chash_find(&p->hash, &c->s)] = c;
	p->n++;
	c->gone_ms = t->now_ms;		/* when it was parked */
	c->dump_idx = (uint32_t)p->nqueue;
	conntab_push(&p->queue, &p->nqueue, &p->capqueue, c);
}

/* The parked row for s, taken out of the park, or NULL. */
static struct conn *
park_take(struct conntab *t, const struct conn_sample *s)
{
	struct park *p = &t->park;
	struct conn *c;

	if (p->n == 0 || s->cookie == 0)
		return NULL;
	c = p->hash.slots[chash_find(&p->hash, s)];
	if (c == NULL)
		return NULL;
	chash_del(&p->hash, c);
	p->queue[c->dump_idx] = NULL;
	p->n--;
	return c;
}

/* Free the parked rows that expired, oldest first, and squeeze the
 * holes out of the queue once they outnumber the rows.  Each row is
 * parked, taken or freed once, so this costs what changed. */
static void
park_expire(struct conntab *t)
{
	struct park *p = &t->park;
	size_t i, k;

	for (; p->head < p->nqueue; p->head++) {
		struct conn *c = p->queue[p->head];

		if (c == NULL)
			continue;
		if (t->now_ms - c->gone_ms < CONNTAB_PARK_MS &&
		    p->n <= p->max)
			break;
		chash_del(&p->hash, c);
		p->n--;
		conntab_release(t, c);
	}
	if (p->nqueue - p->head <= 2 * p->n + 64)
		return;
	for (i = p->head, k = 0; i < p->nqueue; i++)
		if (p->queue[i] != NULL) {
			p->queue[i]->dump_idx = (uint32_t)k;
			p->queue[k++] = p->queue[i];
		}
	p->head = 0;
	p->nqueue = k;
}

/* c comes back into view as s.  A change of state out of view happened
 * at a time tcptop did not see: the new state's time counts from now,
 * a lower bound (CONN_SINCE_UNSEEN), and no event says when. */
static void
conntab_unpark(struct conntab *t, struct conn *c,
    const struct conn_sample *s)
{
	if (c->s.state != s->state) {
		c->prev_state = c->s.state;
		c->state_since_ms = t->now_ms;
		c->flags |= CONN_SINCE_UNSEEN;
		conntab_path_push(c, s->state, t->now_ms);
	}
	c->flags &= (uint8_t)~(CONN_NEW | CONN_RATE);
	c->tx_avg = c->rx_avg = 0;
	c->gone_ms = 0;
	/* Its owner is proc.c's index from before it was parked, and the
	 * table has been rebuilt since: unset, as a new row's, so the next
	 * refresh looks it up. */
	c->owner = 0;
	c->s = *s;
	c->sample_ms = t->now_ms;
	c->seen_pass = t->pass;
}

void
conntab_update(struct conntab *t, const struct conn_sample *s)
{
	size_t i = SIZE_MAX;
	struct conn *c;

	c = conntab_lookup(t, s, &i);
	if (c != NULL) {
		if (c->s.state != s->state) {
			conntab_event(t, c, CONNTAB_EV_STATE, c->s.state,
			    s->state, conntab_is_mini(&c->s));
			c->prev_state = c->s.state;
			c->state_since_ms = t->now_ms;
			c->flags &= (uint8_t)~CONN_SINCE_UNSEEN;
			conntab_path_push(c, s->state, t->now_ms);
		}
		conntab_rates(t, c, s);
		if (t->tuples.slots != NULL && !conntab_same_tuple(&c->s, s)) {
			/* A listener closed and connected again. */
			chash_del(&t->tuples, c);
			c->s = *s;
			chash_put(&t->tuples, c);
		}
		c->s = *s;
		/* A row seen twice in one pass (the kernel can report a
		 * socket again as it moves between hash chains) keeps its
		 * first place in the order. */
		if (c->seen_pass != t->pass)
			conntab_note_order(t, c);
		c->seen_pass = t->pass;
		return;
	}
	if (i == SIZE_MAX)
		i = chash_find(&t->hash, s);
	if ((c = park_take(t, s)) != NULL)
		conntab_unpark(t, c, s);
	else {
		c = conntab_alloc(t);
		memset(c, 0, sizeof *c);
		c->s = *s;
		c->first_seen_ms = c->state_since_ms = c->sample_ms = t->now_ms;
		c->seen_pass = t->pass;
		c->created_scan = t->scan;
		c->flags = CONN_NEW;
		c->path = s->state;
		if (t->scans_ended == 0 || t->baseline) {
			/* There before tcptop: it entered its state no
			 * later than the kernel's timers and tcp_info
			 * say. */
			c->flags |= CONN_PREEXISTING;
			c->first_seen_ms = c->state_since_ms = t->now_ms -
			    statebound_age_ms(s);
		}
		conntab_push(&t->fresh, &t->nfresh, &t->capfresh, c);
	}
	t->hash.slots[i] = c;
	if (t->tuples.slots != NULL)
		chash_put(&t->tuples, c);
	conntab_push(&t->rows, &t->n, &t->cap, c);
	conntab_note_order(t, c);
	t->live++;
	if (t->live > t->park.max)
		t->park.max = t->live;
	conntab_hash_fit(t, 0);
}

/* A request socket (SYN_RECV) that completed the handshake may reappear
 * as a full socket with a new cookie (this kernel keeps the cookie, others
 * may not): join a vanished request to the fresh non-request row with its
 * 4-tuple.  A temporary tuple hash keeps this linear, since under a SYN
 * flood thousands of requests come and go every refresh. */
static void
conntab_merge_requests(struct conntab *t)
{
	size_t nslots = 64, mask, f, g;
	struct conn **h;

	while (nslots < t->nfresh * 2)
		nslots *= 2;
	mask = nslots - 1;
	h = xcalloc(nslots, sizeof *h);
	for (f = 0; f < t->nfresh; f++) {
		struct conn *c = t->fresh[f];
		size_t i;

		if (c->seen_pass != t->pass || c->s.state == TCP_SYN_RECV)
			continue;
		i = (size_t)conntab_tuple_hash(&c->s) & mask;
		while (h[i] != NULL)
			i = (i + 1) & mask;
		h[i] = c;
	}
	for (g = 0; g < t->ngone; g++) {
		struct conn *old = t->gone[g], *c = NULL;
		size_t i;

		if (old->s.state != TCP_SYN_RECV)
			continue;
		i = (size_t)conntab_tuple_hash(&old->s) & mask;
		for (; h[i] != NULL; i = (i + 1) & mask)
			if (conntab_same_tuple(&h[i]->s, &old->s) &&
			    (h[i]->flags & CONN_NEW)) {
				c = h[i];
				break;
			}
		if (c == NULL)
			continue;
		c->first_seen_ms = old->first_seen_ms;
		c->flags = (uint8_t)((c->flags & ~CONN_NEW) |
		    (old->flags & CONN_PREEXISTING));
		c->prev_state = TCP_SYN_RECV;
		c->path = old->path;
		memcpy(c->path_ds, old->path_ds, sizeof c->path_ds);
		c->flags |= old->flags & CONN_PATH_CUT;
		conntab_path_push(c, c->s.state, t->now_ms);
		conntab_event(t, c, CONNTAB_EV_STATE, TCP_SYN_RECV, c->s.state,
		    conntab_is_mini(&old->s));
		old->gone_ms = INT64_MIN;	/* free at once, no event */
		t->gone[g] = NULL;
	}
	free(h);
}

/* Shrinking ------------------------------------------------------------
 *
 * A flood (375k TIME_WAIT sockets) grows every array to its size; when
 * the table falls below a quarter of what it holds room for, the room
 * goes back: the chunks no row uses, the hash, the arrays.  Rows never
 * move, so no pointer anyone holds changes. */

static int
conntab_addr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct conntab_chunk *)a)->rows;
	uintptr_t y = (uintptr_t)((const struct conntab_chunk *)b)->rows;

	return (x > y) - (x < y);
}

/* The index in t->chunks (sorted by address) of the chunk holding c. */
static size_t
conntab_chunk_of(const struct conntab *t, const struct conn *c)
{
	size_t lo = 0, hi = t->nchunks;

	/* The last chunk that starts at or before c. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)t->chunks[mid].rows <= (uintptr_t)c)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Free the chunks whose rows are all on the free list.  Returns the
 * bytes freed. */
static size_t
conntab_free_chunks(struct conntab *t)
{
	size_t *nfree = xcalloc(t->nchunks, sizeof *nfree);
	size_t i, k, freed = 0;

	qsort(t->chunks, t->nchunks, sizeof *t->chunks, conntab_addr_cmp);
	for (i = 0; i < t->nfree; i++)
		nfree[conntab_chunk_of(t, t->freelist[i])]++;
	if (t->fill != NULL)	/* its rows never handed out are free too */
		nfree[conntab_chunk_of(t, t->fill)] += t->fill_n -
		    t->fill_used;
	/* Rows of the chunks that go leave the free list first. */
	for (i = k = 0; i < t->nfree; i++) {
		size_t ci = conntab_chunk_of(t, t->freelist[i]);

		if (nfree[ci] != t->chunks[ci].n)
			t->freelist[k++] = t->freelist[i];
	}
	t->nfree = k;
	for (i = k = 0; i < t->nchunks; i++) {
		if (nfree[i] == t->chunks[i].n) {
			if (t->chunks[i].rows == t->fill)
				t->fill = NULL;
			free(t->chunks[i].rows);
			t->held -= t->chunks[i].n;
			freed += t->chunks[i].n * sizeof(struct conn);
		} else
			t->chunks[k++] = t->chunks[i];
	}
	t->nchunks = k;
	free(nfree);
	return freed;
}

/* v, an array of *cap elements of size each, n of them used, cut to
 * twice n when it holds more than four times n; the bytes given back
 * are added to *freed.  Returns the array. */
static void *
conntab_shrunk(void *v, size_t n, size_t *cap, size_t size, size_t *freed)
{
	size_t want = n * 2 > 64 ? n * 2 : 64;

	if (*cap <= CONNTAB_KEEP || n * 4 >= *cap)
		return v;
	*freed += (*cap - want) * size;
	*cap = want;
	return xreallocarray(v, want, size);
}

/* Give back what a much larger table needed.  Returns the bytes freed. */
static size_t
conntab_shrink(struct conntab *t)
{
	size_t held = t->held, freed = 0;

	if (held > CONNTAB_KEEP && (held - conntab_spare(t)) * 4 < held)
		freed += conntab_free_chunks(t);
	if (t->hash.nslots > CONNTAB_KEEP && t->live * 8 < t->hash.nslots) {
		size_t want = 1024;

		/* A quarter full: it grows again past half. */
		while (want < t->live * 4)
			want *= 2;
		freed += (t->hash.nslots - want) * sizeof *t->hash.slots *
		    (t->tuples.slots != NULL ? 2 : 1);
		conntab_hash_fit(t, want);
	}
	t->rows = conntab_shrunk(t->rows, t->n, &t->cap,
	    sizeof *t->rows, &freed);
	t->freelist = conntab_shrunk(t->freelist, t->nfree, &t->capfree,
	    sizeof *t->freelist, &freed);
	t->fresh = conntab_shrunk(t->fresh, t->nfresh, &t->capfresh,
	    sizeof *t->fresh, &freed);
	t->gone = conntab_shrunk(t->gone, t->ngone, &t->capgone,
	    sizeof *t->gone, &freed);
	t->events = conntab_shrunk(t->events, t->nevents, &t->capevents,
	    sizeof *t->events, &freed);
	t->tombs = conntab_shrunk(t->tombs, t->ntombs, &t->captombs,
	    sizeof *t->tombs, &freed);
	t->connecting = conntab_shrunk(t->connecting, t->nconnecting,
	    &t->capconnecting, sizeof *t->connecting, &freed);
	t->order = conntab_shrunk(t->order, t->norder, &t->caporder,
	    sizeof *t->order, &freed);
	/* The next scan's order grows to this one's. */
	t->next = conntab_shrunk(t->next, t->norder, &t->capnext,
	    sizeof *t->next, &freed);
	return freed;
}

size_t
conntab_trimmed(const struct conntab *t)
{
	return t->trimmed;
}

/* Live row c at the scan's end: when the scan did not see it (in a
 * state it covers) or it was dropped, it goes.  Returns 1 when a
 * request socket went (conntab_merge_requests). */
static int
conntab_unseen(struct conntab *t, struct conn *c)
{
	int drop;

	/* Most rows are only read here: a row written each scan is a cache
	 * line to write back, every row every refresh. */
	drop = c->flags & CONN_DROP;
	if (drop)
		c->flags &= (uint8_t)~CONN_DROP;
	if (c->seen_pass == t->pass || (!drop &&
	    !(t->covers & 1u << c->s.state))) {
		if ((c->flags & CONN_NEW) && c->created_scan != t->scan)
			c->flags &= (uint8_t)~CONN_NEW;
		return 0;
	}
	conntab_unhash(t, c);
	t->live--;
	if (c->created_scan == t->scan) {
		/* Seen only by a pass that was restarted. */
		c->flags |= CONN_GONE;
		c->gone_ms = INT64_MIN;
		return 0;
	}
	c->flags |= CONN_GONE;
	c->flags &= (uint8_t)~CONN_NEW;
	c->gone_ms = t->now_ms;
	conntab_push(&t->gone, &t->ngone, &t->capgone, c);
	return c->s.state == TCP_SYN_RECV;
}

/* Whether row c stays: an expired tombstone (or one to free at once)
 * is released; a kept tombstone or a connecting row is listed as a row
 * a 4-tuple lookup cannot find (conntab_unindexed). */
static int
conntab_keep(struct conntab *t, struct conn *c)
{
	if ((c->flags & CONN_GONE) && (c->gone_ms == INT64_MIN ||
	    t->now_ms - c->gone_ms >= t->tombstone_ms) &&
	    c->gone_ms != t->now_ms) {
		conntab_release(t, c);
		return 0;
	}
	if (c->flags & CONN_GONE)
		conntab_push(&t->tombs, &t->ntombs, &t->captombs, c);
	else if (c->s.state == TCP_SYN_SENT)
		conntab_push(&t->connecting, &t->nconnecting,
		    &t->capconnecting, c);
	return 1;
}

void
conntab_end_scan(struct conntab *t)
{
	size_t i, keep = 0, nreq = 0;

	/* One pass over the rows: those the scan did not see go, expired
	 * tombstones are swept, keeping the order of the rest (at a
	 * million rows a pass is 15 ms of cache misses). */
	t->ngone = t->ntombs = t->nconnecting = 0;
	for (i = 0; i < t->n; i++) {
		struct conn *c = t->rows[i];

		if (!(c->flags & CONN_GONE))
			nreq += (size_t)conntab_unseen(t, c);
		if (conntab_keep(t, c))
			t->rows[keep++] = c;
	}
	t->n = keep;
	if (nreq > 0 && t->nfresh > 0) {
		/* A completed handshake's request row goes at once: swept
		 * again. */
		conntab_merge_requests(t);
		t->ntombs = t->nconnecting = 0;
		for (i = keep = 0; i < t->n; i++)
			if (conntab_keep(t, t->rows[i]))
				t->rows[keep++] = t->rows[i];
		t->n = keep;
	}
	/* New and gone events; the first scan has no "new": those sockets
	 * were there before tcptop. */
	if (t->scans_ended > 0 && !t->baseline)
		for (i = 0; i < t->nfresh; i++)
			if (t->fresh[i]->seen_pass == t->pass &&
			    (t->fresh[i]->flags & CONN_NEW))
				conntab_event(t, t->fresh[i], CONNTAB_EV_NEW, 0,
				    t->fresh[i]->s.state,
				    conntab_is_mini(&t->fresh[i]->s));
	for (i = 0; i < t->ngone; i++)
		if (t->gone[i] != NULL)
			conntab_event(t, t->gone[i], CONNTAB_EV_GONE,
			    t->gone[i]->s.state, 0,
			    conntab_is_mini(&t->gone[i]->s));
	park_expire(t);
	t->scans_ended++;
	t->baseline = 0;
	/* This scan's order is the next one's guide.  It holds only rows
	 * seen by the final pass, none of which were freed above.  A scan
	 * of some states leaves the whole dump's guide: rows it did not
	 * see are still live. */
	if (t->covers == TCPSTATE_ALL) {
		struct conn **o = t->order;
		size_t cap = t->caporder;

		t->order = t->next;
		t->norder = t->nnext;
		t->caporder = t->capnext;
		t->next = o;
		t->capnext = cap;
		t->nnext = 0;
		t->cursor = 0;
	}
	t->trimmed = conntab_shrink(t);
	conntab_trim_tail(t);
	t->expect = 0;
}

void
conntab_rescope(struct conntab *t,
    int (*keep)(void *arg, const struct conn_sample *s), void *arg)
{
	size_t i, k = 0;

	for (i = 0; i < t->n; i++) {
		struct conn *c = t->rows[i];

		if (keep(arg, &c->s)) {
			t->rows[k++] = c;
			continue;
		}
		if (!(c->flags & CONN_GONE)) {
			conntab_unhash(t, c);
			t->live--;
			if (c->s.cookie != 0) {
				park_put(t, c);
				continue;
			}
		}
		conntab_release(t, c);
	}
	t->n = k;
	/* The dump-order guide may point at freed rows: drop it, the hash
	 * finds everything on the next scan.  Events and an aborted scan
	 * belong to the old scope. */
	t->norder = t->nnext = t->cursor = 0;
	t->nevents = 0;
	t->ntombs = t->nconnecting = 0;
	t->open = 0;
	t->baseline = 1;
}

void
conntab_scan_states(struct conntab *t, uint32_t states)
{
	t->covers = states & TCPSTATE_ALL;
}

void
conntab_drop(struct conntab *t, struct conn *c)
{
	(void)t;
	if (!(c->flags & CONN_GONE))
		c->flags |= CONN_DROP;
}

void
conntab_index_tuples(struct conntab *t)
{
	/* Each row goes in once, so it takes the first empty slot of its
	 * chain without comparing (a row read, a cache miss, per slot
	 * passed); the slot is known CONNTAB_AHEAD rows before, and fetched
	 * while the rows between go in. */
	enum { CONNTAB_AHEAD = 16 };
	size_t ring[CONNTAB_AHEAD], i, mask;

	if (t->tuples.slots != NULL)
		return;
	t->tuples.by_tuple = 1;
	chash_init(&t->tuples, t->hash.nslots);
	mask = t->tuples.nslots - 1;
	for (i = 0; i < t->n + CONNTAB_AHEAD; i++) {
		size_t *r = &ring[i % CONNTAB_AHEAD], k;

		if (i >= CONNTAB_AHEAD && *r != SIZE_MAX) {
			for (k = *r; t->tuples.slots[k] != NULL;
			    k = (k + 1) & mask)
				;
			t->tuples.slots[k] = t->rows[i - CONNTAB_AHEAD];
		}
		*r = SIZE_MAX;
		if (i < t->n && !(t->rows[i]->flags & CONN_GONE)) {
			*r = chash_slot0(&t->tuples, &t->rows[i]->s);
			__builtin_prefetch(&t->tuples.slots[*r], 1);
		}
	}
}

int
conntab_tuples_indexed(const struct conntab *t)
{
	return t->tuples.slots != NULL;
}

struct conn *const *
conntab_unindexed(const struct conntab *t, size_t *ntombs,
    struct conn *const **connecting, size_t *nconnecting)
{
	*connecting = t->connecting;
	*nconnecting = t->nconnecting;
	*ntombs = t->ntombs;
	return t->tombs;
}

size_t
conntab_find_tuple(const struct conntab *t, const struct conn_sample *s,
    struct conn **out, size_t max)
{
	const struct chash *h = &t->tuples;
	size_t i, n = 0;

	if (h->slots == NULL)
		return 0;
	for (i = chash_slot0(h, s); h->slots[i] != NULL;
	    i = (i + 1) & (h->nslots - 1))
		if (conntab_same_tuple(&h->slots[i]->s, s) && n < max)
			out[n++] = h->slots[i];
	return n;
}

struct conn *
conntab_find(const struct conntab *t, const struct conn_sample *s)
{
	return t->hash.slots[chash_find(&t->hash, s)];
}

void
conntab_feed_begin(void *arg)
{
	struct conntab_feed *f = arg;

	if (f->begun)
		conntab_restart_scan(f->tab);
	else
		conntab_begin_scan(f->tab, *f->mono_ns / 1000000);
	f->begun = 1;
}

void
conntab_feed_sample(void *arg, const struct conn_sample *s)
{
	struct conntab_feed *f = arg;

	conntab_update(f->tab, s);
}

struct conn *const *
conntab_rows(const struct conntab *t, size_t *n)
{
	*n = t->n;
	return t->rows;
}

size_t
conntab_live(const struct conntab *t)
{
	return t->live;
}

size_t
conntab_parked(const struct conntab *t)
{
	return t->park.n;
}

const struct conntab_event *
conntab_events(const struct conntab *t, size_t *n)
{
	*n = t->nevents;
	return t->events;
}

unsigned long
conntab_scans(const struct conntab *t)
{
	return t->scans_ended;
}
