/* sort: a stable sort of the rows by one field (field.h's table says
 * which fields are sort keys and how each compares), linear on the
 * nearly sorted lists of consecutive refreshes. */
#ifndef TCPTOP_SORT_H
#define TCPTOP_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conntab.h"
#include "tcptop/field.h"

/* One row as sorted: its key (field_key, turned over for a descending
 * sort, with the cookie below it where both fit 64 bits) beside it, so
 * comparing reads no row. */
struct sort_ent {
	uint64_t key;
	const struct conn *c;
};

struct sort_pick;

/* Scratch space for sort_conns, reused across refreshes. */
struct sort_buf {
	struct sort_ent *ent;	/* the rows being sorted */
	struct sort_ent *tmp;	/* as many: the radix sort's other half,
				 * the seeding's */
	size_t cap;
	size_t *runs;		/* the merge sort's run starts: a run is 2
				 * rows or more but the last, so cap / 2 + 2 */
	size_t ranked;		/* rows the last sort ranked (their
				 * view_rank), 0 none: the seed of the next
				 * merge sort */
	size_t *count;		/* the radix sort's counters: 2048 for
				 * each of 6 digits (64 bits in 11-bit
				 * digits) */
	struct sort_pick *pick;	/* sort_top's heap */
	const struct conn **picked;	/* and the rows it picked, in order */
	size_t pickcap;
	size_t npick, kpick;	/* in it, and its room (sort_pick_*) */
	int pkey, preverse;	/* what it picks by */
	int pmode;		/* its comparison: 0 until the first row */
	const struct field_ctx *pcx;
};

/* Sort v (n rows) by field key (a FIELD_F_SORT field; any other sorts
 * by state), descending when reverse, ties by cookie ascending whatever
 * the direction, so equal rows never swap places between refreshes.  cx
 * (borrowed for the call; NULL: nothing known) gives the fields what
 * lives outside the rows: owners, namespace labels, cgroup paths, the
 * clock.  Linear (a radix sort) when the field's key and the cookie fit
 * 64 bits; else a natural merge sort seeded with the order the last
 * sort with buf left (the rows' view_rank, which it writes), linear
 * when that order still nearly holds.  buf grows as needed; free it
 * with sort_buf_done. */
void sort_conns(const struct conn **v, size_t n, int key, int reverse,
    const struct field_ctx *cx, struct sort_buf *buf);

/* Put the k first rows of the order sort_conns would give at the front
 * of v, in that order, and the others after them in no order: what a
 * screen of a large table shows, in one pass over the rows and O(k) of
 * memory (a heap of the k first so far) instead of the whole sort's,
 * which it gives back.  k >= n sorts them all. */
void sort_top(const struct conn **v, size_t n, size_t k, int key,
    int reverse, const struct field_ctx *cx, struct sort_buf *buf);

/* sort_top in steps, for a caller that passes over the rows anyway (the
 * view, as it filters them): begin; add each row with its place in the
 * array it goes to; end with that array, of n rows, which puts the
 * first k at its front in order.  cx is borrowed until the end.
 * Returns how many are in order at the front: k, or n when n <= k. */
void sort_pick_begin(struct sort_buf *buf, size_t k, int key, int reverse,
    const struct field_ctx *cx);
void sort_pick_add(struct sort_buf *buf, const struct conn *c, size_t i);
size_t sort_pick_end(struct sort_buf *buf, const struct conn **v,
    size_t n);

void sort_buf_done(struct sort_buf *buf);

#endif
