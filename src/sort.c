/* Sorting the rows by one field.  Each row's key goes beside its
 * pointer, so a comparison reads integers next to each other instead of
 * two rows scattered over the table (a cache miss each at 10k rows).
 * Where the field's key and the cookie fit one 64-bit number (most
 * fields), the entries are sorted by that number with an LSD radix
 * sort: linear whatever the order they come in, so the rows are read
 * once, in the table's order, and no rank is written back to them (at a
 * million rows, each pass in the view's order was a cache miss a row).
 * A field whose order is no number (addresses, texts), or whose key is
 * too wide, is sorted by a natural merge sort seeded with the last
 * order (each row's view_rank), linear on the nearly sorted lists of
 * consecutive refreshes. */
#include <stdint.h>
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
	unsigned bits;		/* SORT_PACKED: the bits the keys use */
};

/* The radix sort's digit: 11 bits, so 3 passes for most keys at a
 * million rows (a state and a 20-bit cookie), each counting into 16 KB
 * of counters that stay in the cache. */
#define SORT_DIGIT	11
#define SORT_BUCKETS	(1u << SORT_DIGIT)
#define SORT_DIGITS	((64 + SORT_DIGIT - 1) / SORT_DIGIT)

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
	x->bits = sort_bits(kmax) + cbits;
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

/* A sortable field: key, else the state. */
static int
sort_key(int key)
{
	if (key < 0 || key >= FIELD_N ||
	    !(field_table[key].flags & FIELD_F_SORT))
		return FIELD_STATE;
	return key;
}

/* Give back the whole sort's arrays (not its counters). */
static void
sort_whole_free(struct sort_buf *buf)
{
	free(buf->ent);
	free(buf->tmp);
	free(buf->runs);
	buf->ent = buf->tmp = NULL;
	buf->runs = NULL;
	buf->cap = 0;
}

/* Room for n rows: grown for a flood, smaller again once it is gone. */
static void
sort_reserve(struct sort_buf *buf, size_t n)
{
	if (buf->cap >= n && !(buf->cap > 8192 && buf->cap / 4 > n))
		return;
	sort_whole_free(buf);
	buf->cap = n + n / 4;
	buf->ent = xreallocarray(NULL, buf->cap, sizeof *buf->ent);
	buf->tmp = xreallocarray(NULL, buf->cap, sizeof *buf->tmp);
	buf->runs = xreallocarray(NULL, buf->cap / 2 + 2, sizeof *buf->runs);
	if (buf->count == NULL)
		buf->count = xreallocarray(NULL, SORT_DIGITS * SORT_BUCKETS,
		    sizeof *buf->count);
}

/* Sort the n entries of buf->ent by their keys (bits of them in use),
 * least significant digit first, each pass stable; write the rows in
 * that order to v. */
static void
sort_radix(struct sort_buf *buf, size_t n, unsigned bits,
    const struct conn **v)
{
	size_t (*count)[SORT_BUCKETS] = (size_t (*)[SORT_BUCKETS])
	    (void *)buf->count;
	struct sort_ent *src = buf->ent, *dst = buf->tmp, *sw;
	unsigned d, digits = (bits + SORT_DIGIT - 1) / SORT_DIGIT;
	size_t i;

	memset(count, 0, digits * sizeof *count);
	for (i = 0; i < n; i++)
		for (d = 0; d < digits; d++)
			count[d][(src[i].key >> (d * SORT_DIGIT)) &
			    (SORT_BUCKETS - 1)]++;
	for (d = 0; d < digits; d++) {
		size_t *c = count[d], sum = 0, b;
		unsigned shift = d * SORT_DIGIT;

		/* A digit every key shares moves nothing. */
		if (c[(src[0].key >> shift) & (SORT_BUCKETS - 1)] == n)
			continue;
		for (b = 0; b < SORT_BUCKETS; b++) {
			size_t k = c[b];

			c[b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[c[(src[i].key >> shift) & (SORT_BUCKETS - 1)]++] =
			    src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	for (i = 0; i < n; i++)
		v[i] = src[i].c;
}

/* Put the entries of buf->ent in the order of the last merge sort
 * (their rows' view_rank), the rows it did not rank after them, so the
 * merge sort finds long runs. */
static void
sort_seed(struct sort_buf *buf, size_t n)
{
	struct sort_ent *e = buf->ent, *t = buf->tmp;
	size_t m = buf->ranked < buf->cap ? buf->ranked : buf->cap;
	size_t i, k = 0, nextra = 0;

	if (m == 0)
		return;
	for (i = 0; i < m; i++)
		t[i].c = NULL;
	for (i = 0; i < n; i++) {
		uint32_t r = e[i].c->view_rank;

		if (r >= 1 && r <= m && t[r - 1].c == NULL)
			t[r - 1] = e[i];
		else
			e[nextra++] = e[i];
	}
	memmove(e + (n - nextra), e, nextra * sizeof *e);
	for (i = 0; i < m; i++)
		if (t[i].c != NULL)
			e[k++] = t[i];
}

void
sort_conns(const struct conn **v, size_t n, int key, int reverse,
    const struct field_ctx *cx, struct sort_buf *buf)
{
	static const struct field_ctx none;
	struct sort_ctx x;
	size_t nruns, i;

	/* Cut back after a flood, also when nothing is left to sort. */
	sort_reserve(buf, n);
	if (n < 2) {
		buf->ranked = 0;
		return;
	}
	key = sort_key(key);
	x.cmp = field_table[key].cmp;
	x.cx = cx != NULL ? cx : &none;
	x.key = key;
	x.reverse = reverse;
	sort_fill(&x, v, n, buf->ent);
	if (x.mode == SORT_PACKED) {
		sort_radix(buf, n, x.bits, v);
		buf->ranked = 0;	/* the ranks in the rows are old */
		return;
	}
	sort_seed(buf, n);
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
	/* The rank is the sort's hint kept in the row; writing it changes
	 * nothing the table or a pane reads. */
	for (i = 0; i < n; i++) {
		v[i] = buf->ent[i].c;
		((struct conn *)(uintptr_t)v[i])->view_rank =
		    (uint32_t)(i + 1);
	}
	buf->ranked = n;
}

/* A row picked by sort_top: its entry and its place in v. */
struct sort_pick {
	struct sort_ent e;
	uint64_t cookie;	/* its row's, so keyed picks read no row */
	size_t i;
};

/* How two picks compare: keyed, by key and cookie; else as sort_cmp. */
static int
sort_pick_cmp(const struct sort_ctx *x, const struct sort_pick *a,
    const struct sort_pick *b)
{
	if (x->mode != SORT_KEYED)
		return sort_cmp(x, &a->e, &b->e);
	if (a->e.key != b->e.key)
		return a->e.key < b->e.key ? -1 : 1;
	return SPACESHIP(a->cookie, b->cookie);
}

/* Sift pick p down the max-heap h of n (the last row of the order
 * picked so far on top). */
static void
sort_pick_down(const struct sort_ctx *x, struct sort_pick *h, size_t n,
    size_t p)
{
	struct sort_pick t = h[p];

	for (;;) {
		size_t c = 2 * p + 1;

		if (c >= n)
			break;
		if (c + 1 < n && sort_pick_cmp(x, &h[c + 1], &h[c]) > 0)
			c++;
		if (sort_pick_cmp(x, &h[c], &t) <= 0)
			break;
		h[p] = h[c];
		p = c;
	}
	h[p] = t;
}

static int
sort_pick_place(const void *a, const void *b)
{
	size_t x = ((const struct sort_pick *)a)->i;
	size_t y = ((const struct sort_pick *)b)->i;

	return (x > y) - (x < y);
}

/* The comparison of sort_pick's rows. */
static void
sort_pick_ctx(const struct sort_buf *buf, struct sort_ctx *x)
{
	static const struct field_ctx none;

	x->cmp = field_table[buf->pkey].cmp;
	x->cx = buf->pcx != NULL ? buf->pcx : &none;
	x->key = buf->pkey;
	x->reverse = buf->preverse;
	x->mode = (enum sort_mode)(buf->pmode - 1);
	x->bits = 0;
}

void
sort_pick_begin(struct sort_buf *buf, size_t k, int key, int reverse,
    const struct field_ctx *cx)
{
	/* What the whole sort kept is not needed: given back. */
	sort_whole_free(buf);
	free(buf->count);
	buf->count = NULL;
	buf->ranked = 0;	/* no ranks written: the old ones are stale */
	buf->pkey = sort_key(key);
	buf->preverse = reverse;
	buf->pcx = cx;
	buf->pmode = 0;
	buf->npick = 0;
	buf->kpick = k;
	if (k > 0 && (buf->pickcap < k || buf->pickcap / 4 > k)) {
		free(buf->pick);
		free(buf->picked);
		buf->pickcap = k;
		buf->pick = xreallocarray(NULL, k, sizeof *buf->pick);
		buf->picked = xreallocarray(NULL, k, sizeof *buf->picked);
	}
}

void
sort_pick_add(struct sort_buf *buf, const struct conn *c, size_t i)
{
	struct sort_pick *h = buf->pick, p;
	struct sort_ctx x;
	uint64_t kk;

	if (buf->kpick == 0)
		return;
	if (buf->pmode == 0)	/* a field keys every row or none */
		buf->pmode = 1 + (field_key(buf->pkey, c, buf->pcx, &kk) ==
		    -1 ? SORT_ROWS : SORT_KEYED);
	p.e.c = c;
	p.e.key = 0;
	p.cookie = c->s.cookie;
	p.i = i;
	if (buf->pmode == 1 + SORT_KEYED) {
		(void)field_key(buf->pkey, c, buf->pcx, &kk);
		p.e.key = buf->preverse ? ~kk : kk;
		/* Once the heap is full, most rows come after its top:
		 * told by two numbers. */
		if (buf->npick == buf->kpick && (p.e.key > h[0].e.key ||
		    (p.e.key == h[0].e.key && p.cookie >= h[0].cookie)))
			return;
	}
	sort_pick_ctx(buf, &x);
	/* The k first so far in a max-heap, its last on top: a row after
	 * it in the order (most rows, once the heap holds the first few)
	 * costs a comparison. */
	if (buf->npick < buf->kpick) {
		size_t n = buf->npick++;

		while (n > 0 && sort_pick_cmp(&x, &h[(n - 1) / 2], &p) < 0) {
			h[n] = h[(n - 1) / 2];
			n = (n - 1) / 2;
		}
		h[n] = p;
	} else if (sort_pick_cmp(&x, &p, &h[0]) < 0) {
		h[0] = p;
		sort_pick_down(&x, h, buf->npick, 0);
	}
}

size_t
sort_pick_end(struct sort_buf *buf, const struct conn **v, size_t n)
{
	struct sort_pick *h = buf->pick;
	struct sort_ctx x;
	size_t j, nh = buf->npick;

	if (nh == 0)
		return n == 0 ? 0 : buf->kpick < n ? buf->kpick : n;
	sort_pick_ctx(buf, &x);
	/* In order: the heap's top to its end, again and again. */
	for (j = nh; j > 1; j--) {
		struct sort_pick t = h[0];

		h[0] = h[j - 1];
		h[j - 1] = t;
		sort_pick_down(&x, h, j - 1, 0);
	}
	for (j = 0; j < nh; j++)
		buf->picked[j] = h[j].e.c;
	/* To the front: in the order of their places, each to the next
	 * front place, which holds no picked row but its own. */
	qsort(h, nh, sizeof *h, sort_pick_place);
	for (j = 0; j < nh; j++) {
		const struct conn *t = v[j];

		v[j] = v[h[j].i];
		v[h[j].i] = t;
	}
	memcpy(v, buf->picked, nh * sizeof *v);
	buf->pcx = NULL;
	return nh;
}

void
sort_top(const struct conn **v, size_t n, size_t k, int key, int reverse,
    const struct field_ctx *cx, struct sort_buf *buf)
{
	size_t i;

	if (k >= n) {
		sort_conns(v, n, key, reverse, cx, buf);
		return;
	}
	sort_pick_begin(buf, k, key, reverse, cx);
	for (i = 0; i < n; i++)
		sort_pick_add(buf, v[i], i);
	(void)sort_pick_end(buf, v, n);
}

void
sort_buf_done(struct sort_buf *buf)
{
	sort_whole_free(buf);
	free(buf->count);
	free(buf->pick);
	free(buf->picked);
	memset(buf, 0, sizeof *buf);
}
