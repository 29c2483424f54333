/* column: the connection list's columns: which fields are columns, the
 * default set, lists of them as text, and how they share a width.  The
 * fields themselves (titles, widths, formats) are field.h's table; pure. */
#ifndef TCPTOP_COLUMN_H
#define TCPTOP_COLUMN_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/field.h"

/* The columns shown when nothing says otherwise. */
extern const uint8_t column_default[];
extern const size_t column_ndefault;

/* The column named name (case-insensitive): a field with a title, or
 * -1. */
int column_lookup(const char *name);

/* Parse "name,name,..." into ids (at most max, no repeats).  Returns 0,
 * or -1 with a one-line reason in err and ids untouched. */
int column_parse_list(const char *spec, uint8_t *ids, size_t *n, size_t max,
    char *err, size_t errlen);

/* Write ids back as "name,name" into buf. */
void column_fmt_list(const uint8_t *ids, size_t n, char *buf, size_t len);

/* What the rows on screen need of each column, measured by the list
 * (one slot per entry of its column list). */
struct column_need {
	int need[FIELD_N];	/* the widest text shown, its title
				 * included; 0: nothing to show, the column
				 * is left out (the family column while one
				 * family is shown) */
	int least[FIELD_N];	/* the narrowest it may be cut to without
				 * losing what tells rows apart */
};

/* The least width an IPv6 endpoint is cut to: the tail of the address
 * (its last groups tell hosts apart), the scope and the port. */
#define COLUMN_V6_LEAST	24

/* Bits column_fit returns. */
#define COLUMN_MORE_LEFT	0x01	/* columns scrolled off to the left */
#define COLUMN_MORE_RIGHT	0x02	/* columns that did not fit, or
					 * past the right edge */

/* Nonzero when id is one of column_default: a column the list may leave
 * out where it does not fit.  Any other was asked for (F2, --columns,
 * tcptoprc) and is never left out: past the edge, scrolling reaches
 * it. */
int column_is_default(int id);

/* Share width among the columns ids[skip..n) (the first skip are
 * scrolled off): in order of prio, each gets its least width while it
 * fits; the state and the endpoints (prio 0 to 2) always, cut towards
 * their field width when they must; a column not of column_default
 * even past the edge.  Then the columns grow to their need as room is
 * left.  widths[i] for each id (0: not shown); *used the cells taken (it
 * may pass width); returns COLUMN_MORE_* bits. */
int column_fit(const uint8_t *ids, size_t n, const struct column_need *cn,
    size_t skip, int width, int *widths, int *used);

/* Hysteresis on what the rows need, so widths do not jitter at each
 * refresh: a need that grows is taken at once, one that shrinks only
 * once it has stayed below for COLUMN_HOLD_MS (the largest of that
 * time is taken).  A new column list or width starts afresh. */
#define COLUMN_HOLD_MS	3000

struct column_hold {
	uint8_t ids[FIELD_N];	/* the columns held, */
	size_t n;
	int width;		/* at this width */
	struct column_need shown;	/* what is used */
	struct column_need low;		/* the largest need since it fell */
	int64_t since[2][FIELD_N];	/* when it fell, or INT64_MIN */
};

/* Hold cn (for ids, n at width) in h at model time now_ms: cn becomes
 * what to use. */
void column_hold(struct column_hold *h, const uint8_t *ids, size_t n,
    int width, struct column_need *cn, int64_t now_ms);

/* Shorten an endpoint in place to at most width cells, keeping its tail
 * (the end of the address, the scope and the port), which tells hosts
 * apart: ell then the tail from a '.' or ':' boundary, e.g.
 * "~:a:b:c:d]:443". Too narrow for the port: cut from the right. */
void column_elide_tail(char *text, size_t len, int width, const char *ell);

/* Put id first in ids (n of at most max) unless it is there already.
 * Returns 1 when it was added. */
int column_prepend(uint8_t *ids, size_t *n, size_t max, int id);

/* Shorten text in place to at most width bytes (ASCII text): keep its
 * tail from the last ':' (an endpoint's port) and as much of the head as
 * fits, joined by ell (e.g. "~"; counted as one cell). */
void column_elide(char *text, size_t len, int width, const char *ell);

#endif
