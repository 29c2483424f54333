/* A natural merge sort by one field, linear on the nearly sorted lists
 * that consecutive refreshes produce. */
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
};

static int
sort_cmp(const struct sort_ctx *x, const struct conn *a, const struct conn *b)
{
	int c = x->cmp != NULL ? x->cmp(a, b, x->cx) :
	    field_cmp(x->key, a, b, x->cx);

	if (x->reverse)
		c = -c;
	/* Equal keys keep a fixed order, so rows don't jitter. */
	return c != 0 ? c : SPACESHIP(a->s.cookie, b->s.cookie);
}

/* Merge the sorted runs v[lo..mid) and v[mid..hi) through tmp. */
static void
sort_merge(const struct sort_ctx *x, const struct conn **v,
    const struct conn **tmp, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	if (sort_cmp(x, v[mid - 1], v[mid]) <= 0)
		return;		/* already in order: the common case */
	while (i < mid && j < hi)
		tmp[k++] = sort_cmp(x, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	memcpy(v + lo, tmp + lo, (j - lo) * sizeof *v);
}

void
sort_conns(const struct conn **v, size_t n, int key, int reverse,
    const struct field_ctx *cx, struct sort_buf *buf)
{
	static const struct field_ctx none;
	struct sort_ctx x;
	size_t *runs, nruns = 0, i;

	if (n < 2)
		return;
	if (key < 0 || key >= FIELD_N ||
	    !(field_table[key].flags & FIELD_F_SORT))
		key = FIELD_STATE;
	x.cmp = field_table[key].cmp;
	x.cx = cx != NULL ? cx : &none;
	x.key = key;
	x.reverse = reverse;
	/* Grown for a flood, smaller again once it is gone. */
	if (buf->cap < n || (buf->cap > 8192 && buf->cap / 4 > n)) {
		free(buf->tmp);
		free(buf->runs);
		buf->cap = n + n / 4;
		buf->tmp = xreallocarray(NULL, buf->cap, sizeof *buf->tmp);
		buf->runs = xreallocarray(NULL, buf->cap + 1,
		    sizeof *buf->runs);
	}
	/* Find the ascending runs (a strictly descending run is reversed in
	 * place), then merge neighbours until one run is left. */
	runs = buf->runs;
	i = 0;
	while (i < n) {
		size_t start = i++;

		if (i < n && sort_cmp(&x, v[i - 1], v[i]) > 0) {
			while (i < n && sort_cmp(&x, v[i - 1], v[i]) > 0)
				i++;
			for (size_t a = start, b = i - 1; a < b; a++, b--) {
				const struct conn *t = v[a];

				v[a] = v[b];
				v[b] = t;
			}
		} else {
			while (i < n && sort_cmp(&x, v[i - 1], v[i]) <= 0)
				i++;
		}
		runs[nruns++] = start;
	}
	runs[nruns] = n;
	while (nruns > 1) {
		size_t r, m = 0;

		for (r = 0; r + 1 < nruns; r += 2) {
			sort_merge(&x, v, buf->tmp, runs[r], runs[r + 1],
			    runs[r + 2]);
			runs[m++] = runs[r];
		}
		if (r < nruns)
			runs[m++] = runs[r];
		runs[m] = n;
		nruns = m;
	}
}

void
sort_buf_done(struct sort_buf *buf)
{
	free(buf->tmp);
	free(buf->runs);
	buf->tmp = NULL;
	buf->runs = NULL;
	buf->cap = 0;
}
