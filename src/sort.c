/* A natural merge sort by one field, linear on the nearly sorted lists
 * that consecutive refreshes produce.  It sorts entries that carry each
 * row's key beside its pointer, so a comparison reads integers next to
 * each other instead of two rows scattered over the table (a cache miss
 * each at 10k rows); a field whose order is no number (addresses,
 * texts) compares its rows.  Memory is what a one-shot pays for most
 * (each fresh page a fault), so the entries are 16 bytes and the merges
 * borrow the row array itself, which the entries hold, as their other
 * half. */
#include <stdlib.h>
#include <string.h>

#include "tcptop/field.h"
#include "tcptop/sort.h"
#include "tcptop/xmalloc.h"

#define SPACESHIP(a, b) (((a) > (b)) - ((a) < (b)))

/* How the entries compare. */
enum sort_mode {
	SORT_PACKED,	/* key holds the field's key and the cookie */
	SORT_KEYED,	/* key holds the field's key; ties read the rows */
	SORT_ROWS,	/* the field compares the rows */
};

struct sort_ctx {
	int (*cmp)(const struct conn *, const struct conn *,
	    const struct field_ctx *);	/* the field's own, or NULL:
					 * field_cmp */
	const struct field_ctx *cx;	/* what lives outside the rows */
	int key;
	int reverse;
	enum sort_mode mode;
};

static int
sort_cmp(const struct sort_ctx *x, const struct sort_ent *a,
    const struct sort_ent *b)
{
	int c;

	if (x->mode == SORT_PACKED)
		return SPACESHIP(a->key, b->key);
	if (x->mode == SORT_KEYED)	/* reverse is in the key already */
		c = SPACESHIP(a->key, b->key);
	else {
		c = x->cmp != NULL ? x->cmp(a->c, b->c, x->cx) :
		    field_cmp(x->key, a->c, b->c, x->cx);
		if (x->reverse)
			c = -c;
	}
	/* Equal keys keep a fixed order, so rows don't jitter. */
	return c != 0 ? c : SPACESHIP(a->c->s.cookie, b->c->s.cookie);
}

/* Merge the sorted runs e[lo..mid) and e[mid..hi), copying the shorter
 * one out to tmp (room for half of e).  tmp is memory of another type
 * (the row array), so entries go in and out of it by memcpy. */
static void
sort_merge(const struct sort_ctx *x, struct sort_ent *e, char *tmp,
    size_t lo, size_t mid, size_t hi)
{
	const size_t sz = sizeof *e;
	struct sort_ent t;

	if (sort_cmp(x, &e[mid - 1], &e[mid]) <= 0)
		return;		/* already in order: the common case */
	if (mid - lo <= hi - mid) {
		/* Left out, merged forward: a right entry goes first only
		 * when it is smaller, so equal entries keep their order. */
		size_t i = 0, nl = mid - lo, j = mid, k = lo;

		memcpy(tmp, e + lo, nl * sz);
		while (i < nl && j < hi) {
			memcpy(&t, tmp + i * sz, sz);
			if (sort_cmp(x, &e[j], &t) < 0)
				e[k++] = e[j++];
			else {
				e[k++] = t;
				i++;
			}
		}
		memcpy(e + k, tmp + i * sz, (nl - i) * sz);
	} else {
		/* Right out, merged backward: a left entry goes last only
		 * when it is larger. */
		size_t nr = hi - mid, i = mid, j = nr, k = hi;

		memcpy(tmp, e + mid, nr * sz);
		while (i > lo && j > 0) {
			memcpy(&t, tmp + (j - 1) * sz, sz);
			if (sort_cmp(x, &e[i - 1], &t) > 0)
				e[--k] = e[--i];
			else {
				e[--k] = t;
				j--;
			}
		}
		memcpy(e + lo, tmp, j * sz);
	}
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

/* The bits v needs. */
static unsigned
sort_bits(uint64_t v)
{
	return v == 0 ? 0 : 64 - (unsigned)__builtin_clzll(v);
}

/* Fill the entries of v and choose how they compare: packed when the
 * field's key and the cookie fit one number together. */
static void
sort_fill(struct sort_ctx *x, const struct conn **v, size_t n,
    struct sort_ent *e)
{
	uint64_t k, kmax = 0, cmax = 0;
	unsigned cbits;
	size_t i;

	if (field_key(x->key, v[0], x->cx, &k) == -1) {
		x->mode = SORT_ROWS;
		for (i = 0; i < n; i++) {
			e[i].key = 0;
			e[i].c = v[i];
		}
		return;
	}
	for (i = 0; i < n; i++) {
		(void)field_key(x->key, v[i], x->cx, &k);
		e[i].key = k;
		e[i].c = v[i];
		kmax = k > kmax ? k : kmax;
		cmax = v[i]->s.cookie > cmax ? v[i]->s.cookie : cmax;
	}
	cbits = sort_bits(cmax);
	x->mode = sort_bits(kmax) + cbits <= 64 ? SORT_PACKED : SORT_KEYED;
	for (i = 0; i < n; i++) {
		/* Descending: the key turned over within its range. */
		k = x->reverse ? (x->mode == SORT_PACKED ? kmax - e[i].key :
		    ~e[i].key) : e[i].key;
		if (x->mode == SORT_PACKED && cbits < 64)
			k = k << cbits | e[i].c->s.cookie;
		else if (x->mode == SORT_PACKED)
			k = e[i].c->s.cookie;	/* every key is 0 */
		e[i].key = k;
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
	/* Merge neighbouring runs until one is left; v, whose pointers
	 * the entries hold now, is the merges' scratch (n pointers hold
	 * n / 2 entries: the shorter run of a merge). */
	nruns = sort_runs(&x, buf->ent, n, buf->runs);
	while (nruns > 1) {
		size_t r, m = 0;

		for (r = 0; r + 1 < nruns; r += 2) {
			sort_merge(&x, buf->ent, (char *)(void *)v,
			    buf->runs[r], buf->runs[r + 1], buf->runs[r + 2]);
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
	free(buf->runs);
	buf->ent = NULL;
	buf->runs = NULL;
	buf->cap = 0;
}
