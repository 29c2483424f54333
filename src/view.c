/* The rows one refresh shows: filtered, counted, sorted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/view.h"
#include "tcptop/xmalloc.h"

void
view_init(struct view *v)
{
	memset(v, 0, sizeof *v);
}

void
view_done(struct view *v)
{
	free(v->rows);
	sort_buf_done(&v->sortbuf);
	memset(v, 0, sizeof *v);
}

static void
view_grow(const struct conn ***a, size_t *cap, size_t n)
{
	/* Grown for a flood, smaller again once it is gone (the contents
	 * are rebuilt every time). */
	if (*cap < n || (*cap > 8192 && *cap / 4 > n)) {
		*cap = n + n / 4 + 16;
		*a = xreallocarray(*a, *cap, sizeof **a);
	}
}

/* The counts of an empty view. */
static void
view_zero(struct view *v)
{
	v->total = v->gone = v->nrate = v->untested = 0;
	memset(v->owners, 0, sizeof v->owners);
	memset(v->states, 0, sizeof v->states);
	memset(v->families, 0, sizeof v->families);
	memset(v->tx, 0, sizeof v->tx);
	memset(v->rx, 0, sizeof v->rx);
}

/* *sum += x, saturating. */
static void
view_add(uint64_t *sum, uint64_t x)
{
	*sum = *sum > UINT64_MAX - x ? UINT64_MAX : *sum + x;
}

/* Count live row c: its state, family and throughput. */
static void
view_count(struct view *v, const struct conn *c)
{
	int i;

	v->total++;
	v->states[c->s.state & 15]++;
	v->families[c->s.family == AF_INET6]++;
	/* The header's owner counts, in the same pass: at a million rows a
	 * pass of its own, once a frame, was 15 ms a key. */
	if (v->proc != NULL) {
		int b;

		(void)proc_owner(v->proc, c, &b);
		if (b >= 0 && b < PROC_NBUCKETS)
			v->owners[b]++;
	}
	/* A rate a refresh did not renew (kept from events, off screen)
	 * is as old as the last full dump: it does not count. */
	if (!(c->flags & CONN_RATE) || (v->now_ms != INT64_MIN &&
	    c->sample_ms != v->now_ms))
		return;
	v->nrate++;
	for (i = 0; i < RATE_NSPAN; i++) {
		view_add(&v->tx[i], rate_get(c->tx_avg, i));
		view_add(&v->rx[i], rate_get(c->rx_avg, i));
	}
}

void
view_build(struct view *v, const struct conntab *t, const struct filter *f,
    int key, int reverse, int tombstones, const struct field_ctx *cx)
{
	struct conn *const *rows;
	size_t n, i, k = 0;
	int pick;

	rows = conntab_rows(t, &n);
	v->now_ms = cx != NULL ? cx->now_ms : INT64_MIN;
	v->proc = cx != NULL ? cx->proc : NULL;
	view_grow(&v->rows, &v->cap, n);
	view_zero(v);
	/* A large table's top alone, picked as the rows are filtered, in
	 * the same pass (sort_pick_*). */
	pick = v->want > 0 && v->want < n / 8;
	if (pick)
		sort_pick_begin(&v->sortbuf, v->want, key, reverse, cx);
	/* In the table's order, which is close to the rows' order in
	 * memory: the sort needs no order to start from (sort.h). */
	for (i = 0; i < n; i++) {
		const struct conn *c = rows[i];
		int m;

		if ((c->flags & CONN_GONE) && !tombstones)
			continue;
		if (f != NULL && (m = filter_match_conn(f, c, cx)) != 1) {
			if (m == FILTER_UNTESTED && !(c->flags & CONN_GONE))
				v->untested++;
			continue;
		}
		if (pick)
			sort_pick_add(&v->sortbuf, c, k);
		v->rows[k++] = c;
		if (c->flags & CONN_GONE) {
			v->gone++;
			continue;
		}
		view_count(v, c);
	}
	v->n = k;
	if (pick)
		v->sorted = sort_pick_end(&v->sortbuf, v->rows, v->n);
	else {
		sort_conns(v->rows, v->n, key, reverse, cx, &v->sortbuf);
		v->sorted = v->n;
	}
}

void
view_keep(struct view *v, int (*keep)(void *arg, const struct conn *c),
    void *arg)
{
	size_t i, k = 0, sorted = 0;

	view_zero(v);
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];

		if (!keep(arg, c))
			continue;
		if (i < v->sorted)
			sorted++;
		/* The ranks stay the whole list's, which the next build
		 * sorts again before it is narrowed. */
		v->rows[k++] = c;
		if (c->flags & CONN_GONE) {
			v->gone++;
			continue;
		}
		view_count(v, c);
	}
	v->n = k;
	v->sorted = sorted;
}
