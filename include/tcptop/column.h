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

/* Share width among the columns ids: fixed columns get their width,
 * flexible ones split what is left up to their maximum, one space
 * between columns.  When not all fit, the columns of highest prio get
 * width 0 (the rest keep their order).  widths[i] for each id; returns
 * the width used. */
int column_layout(const uint8_t *ids, size_t n, int width, int *widths);

/* Put id first in ids (n of at most max) unless it is there already.
 * Returns 1 when it was added. */
int column_prepend(uint8_t *ids, size_t *n, size_t max, int id);

/* Shorten text in place to at most width bytes (ASCII text): keep its
 * tail from the last ':' (an endpoint's port) and as much of the head as
 * fits, joined by ell (e.g. "~"; counted as one cell). */
void column_elide(char *text, size_t len, int width, const char *ell);

#endif
