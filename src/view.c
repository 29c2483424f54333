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
	free(v->prev);
	free(v->extra);
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
	size_t n, i, lastn = v->n, nextra = 0, k;

	rows = conntab_rows(t, &n);
	v->now_ms = cx != NULL ? cx->now_ms : INT64_MIN;
	view_grow(&v->rows, &v->cap, n);
	view_grow(&v->extra, &v->extracap, n);
	view_grow(&v->prev, &v->prevcap, lastn);
	if (lastn > 0)
		memset(v->prev, 0, lastn * sizeof *v->prev);
	view_zero(v);

	/* Put each row back where the last refresh had it, new rows after:
	 * in a steady state the list is then already sorted and the merge
	 * sort below only checks it, O(n) instead of O(n log n). */
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
		if (c->view_rank >= 1 && c->view_rank <= lastn &&
		    v->prev[c->view_rank - 1] == NULL)
			v->prev[c->view_rank - 1] = c;
		else
			v->extra[nextra++] = c;
		if (c->flags & CONN_GONE) {
			v->gone++;
			continue;
		}
		view_count(v, c);
	}
	k = 0;
	for (i = 0; i < lastn; i++)
		if (v->prev[i] != NULL)
			v->rows[k++] = v->prev[i];
	if (nextra > 0)
		memcpy(v->rows + k, v->extra, nextra * sizeof *v->rows);
	v->n = k + nextra;
	sort_conns(v->rows, v->n, key, reverse, cx, &v->sortbuf);
	/* The rank is the view's hint kept in the row; writing it does not
	 * change anything the table or a pane reads. */
	for (i = 0; i < v->n; i++)
		((struct conn *)(uintptr_t)v->rows[i])->view_rank = (uint32_t)(i + 1);
}

void
view_keep(struct view *v, int (*keep)(void *arg, const struct conn *c),
    void *arg)
{
	size_t i, k = 0;

	view_zero(v);
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];

		if (!keep(arg, c))
			continue;
		v->rows[k++] = c;
		/* Ranks in the narrowed list, so the next sort still starts
		 * from this order. */
		((struct conn *)(uintptr_t)c)->view_rank = (uint32_t)k;
		if (c->flags & CONN_GONE) {
			v->gone++;
			continue;
		}
		view_count(v, c);
	}
	v->n = k;
}
