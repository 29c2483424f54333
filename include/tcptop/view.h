/* view: what one refresh shows: the rows that pass the filter, sorted,
 * with per-state and per-family counts of those rows. */
#ifndef TCPTOP_VIEW_H
#define TCPTOP_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conntab.h"
#include "tcptop/field.h"
#include "tcptop/filter.h"
#include "tcptop/proc.h"
#include "tcptop/rate.h"
#include "tcptop/sort.h"

struct view {
	const struct conn **rows;	/* borrowed from the conntab until its
					 * next conntab_end_scan */
	size_t n;
	size_t sorted;			/* rows[0, sorted) are in order, the
					 * others after them in none */
	size_t want;			/* the caller's: rows the next build
					 * puts in order from the top, the
					 * rest picked out in one pass
					 * (sort_top); 0: all of them */
	size_t cap;
	size_t total;			/* live rows kept (no tombstones) */
	size_t gone;			/* tombstones kept: n - total */
	size_t states[16];		/* live rows per TCP state */
	size_t families[2];		/* live rows: [0] IPv4, [1] IPv6 */
	size_t untested;		/* live rows left out because the
					 * filter could not test them: an
					 * owner term, the owner hidden
					 * (filter_match_conn) */
	size_t nrate;			/* live rows with a rate (CONN_RATE)
					 * from the last refresh: kept from
					 * events, the rows on screen and
					 * those that changed; after a dump,
					 * all */
	size_t owners[PROC_NBUCKETS];	/* live rows by owner bucket
					 * (proc_owner), counted where the
					 * build's cx knew the owners */
	const struct proc *proc;	/* the owners it counted by, or NULL */
	int64_t now_ms;			/* the model clock it was built at */
	uint64_t tx[RATE_NSPAN];	/* their throughput averages summed,
					 * bytes/s (rate.h) */
	uint64_t rx[RATE_NSPAN];
	struct sort_buf sortbuf;
};

void view_init(struct view *v);
void view_done(struct view *v);

/* Rebuild v from t: keep the rows that pass f (tombstones too when
 * tombstones is nonzero), count them, sort them by key, reading what
 * lives outside the rows through cx (the snapshot's fields; NULL:
 * nothing known).  Linear in the rows for most keys, and for the others
 * on steady refreshes (sort.h).  With v->want set and a table more than
 * eight times as large, only the first want rows are put in order
 * (v->sorted says how many). */
void view_build(struct view *v, const struct conntab *t,
    const struct filter *f, int key, int reverse, int tombstones,
    const struct field_ctx *cx);

/* Narrow a built view to the rows keep() accepts, in the same order, and
 * count again (a drill-down into one group); v->sorted becomes the kept
 * rows that were in order.  O(n). */
void view_keep(struct view *v,
    int (*keep)(void *arg, const struct conn *c), void *arg);

#endif
