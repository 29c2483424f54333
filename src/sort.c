/* A natural merge sort by one field, linear on the nearly sorted lists
 * that consecutive refreshes produce.  It sorts an array of entries that
 * carry each row's key and cookie beside its pointer, so a comparison
 * reads two integers next to each other instead of two rows scattered
 * over the table (a cache miss each at 10k rows); a field whose order is
 * no number (addresses, texts) compares its rows. */
#include <stdlib.h>
#include <string.h>

#include "tcptop/field.h"
#include "tcptop/sort.h"
#include "tcptop/xmalloc.h"

#define SPACESHIP(a, b) (((a) > (b)) - ((a) < (b)))

struct sort_ctx {
	int (*cmp)(const struct conn *, const struct conn *,
	    const struct field_ctx *);	/* the field's own, or NULL:
					 * field_cmp */
	const struct field_ctx *cx;	/* what lives outside the rows */
	int key;
	int reverse;
	int keyed;		/* the entries' keys hold the order */
};

static int
sort_cmp(const struct sort_ctx *x, const struct sort_ent *a,
    const struct sort_ent *b)
{
	int c;

	if (x->keyed)	/* reverse is in the key already */
		c = SPACESHIP(a->key, b->key);
	else {
		c = x->cmp != NULL ? x->cmp(a->c, b->c, x->cx) :
		    field_cmp(x->key, a->c, b->c, x->cx);
		if (x->reverse)
			c = -c;
	}
	/* Equal keys keep a fixed order, so rows don't jitter. */
	return c != 0 ? c : SPACESHIP(a->cookie, b->cookie);
}

/* Merge the sorted runs e[lo..mid) and e[mid..hi) through tmp. */
static void
sort_merge(const struct sort_ctx *x, struct sort_ent *e,
    struct sort_ent *tmp, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	if (sort_cmp(x, &e[mid - 1], &e[mid]) <= 0)
		return;		/* already in order: the common case */
	while (i < mid && j < hi)
		tmp[k++] = sort_cmp(x, &e[j], &e[i]) < 0 ? e[j++] : e[i++];
	while (i < mid)
		tmp[k++] = e[i++];
	memcpy(e + lo, tmp + lo, (j - lo) * sizeof *e);
}

/* Cut e into ascending runs (a strictly descending run is reversed in
 * place) and write their starts to runs; returns how many. */
static size_t
sort_runs(const struct sort_ctx *x, struct sort_ent *e, size_t n,
    size_t *runs)
{
	size_t nruns = 0, i = 0;

	while (i < n) {
		size_t start = i++;

		if (i < n && sort_cmp(x, &e[i - 1], &e[i]) > 0) {
			while (i < n && sort_cmp(x, &e[i - 1], &e[i]) > 0)
				i++;
			for (size_t a = start, b = i - 1; a < b; a++, b--) {
				struct sort_ent t = e[a];

				e[a] = e[b];
				e[b] = t;
			}
		} else {
			while (i < n && sort_cmp(x, &e[i - 1], &e[i]) <= 0)
				i++;
		}
		runs[nruns++] = start;
	}
	runs[nruns] = n;
	return nruns;
}

/* Fill the entries of v; keyed when the field's order is a number. */
static void
sort_fill(struct sort_ctx *x, const struct conn **v, size_t n,
    struct sort_ent *e)
{
	uint64_t k;
	size_t i;

	x->keyed = field_key(x->key, v[0], x->cx, &k) == 0;
	for (i = 0; i < n; i++) {
		if (x->keyed) {
			(void)field_key(x->key, v[i], x->cx, &k);
			e[i].key = x->reverse ? ~k : k;
		} else
			e[i].key = 0;
		e[i].cookie = v[i]->s.cookie;
		e[i].c = v[i];
	}
}

/* Room for n rows: grown for a flood, smaller again once it is gone. */
static void
sort_reserve(struct sort_buf *buf, size_t n)
{
	if (buf->cap >= n && !(buf->cap > 8192 && buf->cap / 4 > n))
		return;
	sort_buf_done(buf);
	buf->cap = n + n / 4;
	buf->ent = xreallocarray(NULL, buf->cap, sizeof *buf->ent);
	buf->tmp = xreallocarray(NULL, buf->cap, sizeof *buf->tmp);
	buf->runs = xreallocarray(NULL, buf->cap + 1, sizeof *buf->runs);
}

void
sort_conns(const struct conn **v, size_t n, int key, int reverse,
    const struct field_ctx *cx, struct sort_buf *buf)
{
	static const struct field_ctx none;
	struct sort_ctx x;
	size_t nruns, i;

	if (n < 2)
		return;
	if (key < 0 || key >= FIELD_N ||
	    !(field_table[key].flags & FIELD_F_SORT))
		key = FIELD_STATE;
	x.cmp = field_table[key].cmp;
	x.cx = cx != NULL ? cx : &none;
	x.key = key;
	x.reverse = reverse;
	sort_reserve(buf, n);
	sort_fill(&x, v, n, buf->ent);
	/* Merge neighbouring runs until one is left. */
	nruns = sort_runs(&x, buf->ent, n, buf->runs);
	while (nruns > 1) {
		size_t r, m = 0;

		for (r = 0; r + 1 < nruns; r += 2) {
			sort_merge(&x, buf->ent, buf->tmp, buf->runs[r],
			    buf->runs[r + 1], buf->runs[r + 2]);
			buf->runs[m++] = buf->runs[r];
		}
		if (r < nruns)
			buf->runs[m++] = buf->runs[r];
		buf->runs[m] = n;
		nruns = m;
	}
	for (i = 0; i < n; i++)
		v[i] = buf->ent[i].c;
}

void
sort_buf_done(struct sort_buf *buf)
{
	free(buf->ent);
	free(buf->tmp);
	free(buf->runs);
	buf->ent = NULL;
	buf->tmp = NULL;
	buf->runs = NULL;
	buf->cap = 0;
}
