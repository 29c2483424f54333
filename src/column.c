/* The connection list's columns: lists of fields, and how they share a
 * width. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcptop/column.h"

const uint8_t column_default[] = {
	FIELD_FAMILY, FIELD_LOCAL, FIELD_REMOTE, FIELD_STATE, FIELD_AGE,
	FIELD_RECVQ, FIELD_SENDQ, FIELD_RTT, FIELD_RETRANS, FIELD_PROCESS,
};
const size_t column_ndefault = sizeof column_default;

/* The columns shown whatever the width: the state and the endpoints. */
#define COLUMN_PRIO_CORE	2
/* How far below its field width an endpoint may be cut at the last. */
#define COLUMN_TAIL_SQUEEZE	3

int
column_is_default(int id)
{
	return memchr(column_default, id, column_ndefault) != NULL;
}

int
column_lookup(const char *name)
{
	int id = field_lookup(name);

	return field_is_column(id) ? id : -1;
}

int
column_parse_list(const char *spec, uint8_t *ids, size_t *n, size_t max,
    char *err, size_t errlen)
{
	uint8_t out[FIELD_N];
	size_t k = 0, i;
	const char *p = spec;

	while (*p != '\0') {
		char name[32];
		size_t len = strcspn(p, ",");
		int id;

		while (len > 0 && p[len - 1] == ' ')
			len--;
		while (len > 0 && *p == ' ')
			p++, len--;
		if (len == 0 || len >= sizeof name) {
			snprintf(err, errlen, "bad column name \"%.*s\"",
			    (int)(len < 20 ? len : 20), p);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		id = column_lookup(name);
		if (id < 0) {
			snprintf(err, errlen, "unknown column \"%s\"", name);
			return -1;
		}
		for (i = 0; i < k; i++)
			if (out[i] == id) {
				snprintf(err, errlen, "column \"%s\" given "
				    "twice", name);
				return -1;
			}
		if (k >= max || k >= FIELD_N) {
			snprintf(err, errlen, "too many columns");
			return -1;
		}
		out[k++] = (uint8_t)id;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (k == 0) {
		snprintf(err, errlen, "no columns given");
		return -1;
	}
	memcpy(ids, out, k);
	*n = k;
	return 0;
}

void
column_fmt_list(const uint8_t *ids, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && ids[i] < FIELD_N; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
		    field_table[ids[i]].name);

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

int
column_prepend(uint8_t *ids, size_t *n, size_t max, int id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ids[i] == id)
			return 0;
	if (*n >= max)
		return 0;
	memmove(ids + 1, ids, *n);
	ids[0] = (uint8_t)id;
	(*n)++;
	return 1;
}

void
column_elide(char *text, size_t len, int width, const char *ell)
{
	size_t n = strlen(text), tail, head;
	const char *colon;
	char out[128];

	if (width <= 0) {
		text[0] = '\0';
		return;
	}
	if (n <= (size_t)width)
		return;
	/* An IPv6 endpoint keeps its closing bracket with the port. */
	colon = text[0] == '[' ? strstr(text, "]:") : NULL;
	if (colon == NULL)
		colon = strrchr(text, ':');
	tail = colon != NULL ? n - (size_t)(colon - text) : 0;
	/* Keep the port whole if at least one character of the address
	 * and the ellipsis fit beside it, else cut from the right. */
	if (tail + 2 > (size_t)width || n >= sizeof out) {
		text[width < (int)len ? width : (int)len - 1] = '\0';
		return;
	}
	head = (size_t)width - tail - 1;
	snprintf(out, sizeof out, "%.*s%s%s", (int)head, text, ell,
	    text + n - tail);
	snprintf(text, len, "%s", out);
}

/* Cut the core columns, the lowest priority first, down to their field
 * width less squeeze (endpoints only) until the admitted ones fit. */
static void
column_fit_cut(const uint8_t *ids, size_t n, size_t skip, int width,
    int *widths, int *used, int squeeze)
{
	int prio;
	size_t i;

	for (prio = COLUMN_PRIO_CORE; prio >= 0 && *used > width; prio--)
		for (i = skip; i < n && *used > width; i++) {
			const struct field *col = &field_table[ids[i]];
			int floor = col->width, cut;

			if (col->flags & FIELD_F_TAIL)
				floor -= squeeze;
			if (col->prio != prio || widths[i] <= floor)
				continue;
			cut = widths[i] - floor;
			if (cut > *used - width)
				cut = *used - width;
			widths[i] -= cut;
			*used -= cut;
		}
}

/* Cut the core columns to their field width; then, at the last, the
 * endpoints a few cells more (40 columns less the ">" marker's cell). */
static void
column_fit_shrink(const uint8_t *ids, size_t n, size_t skip, int width,
    int *widths, int *used)
{
	column_fit_cut(ids, n, skip, width, widths, used, 0);
	column_fit_cut(ids, n, skip, width, widths, used,
	    COLUMN_TAIL_SQUEEZE);
}

/* Admit the columns by priority; returns how many were. */
static int
column_fit_admit(const uint8_t *ids, size_t n, const struct column_need *cn,
    size_t skip, int width, int *widths, int *used)
{
	int ncols = 0;
	unsigned prio;
	size_t i;

	for (prio = 0; prio < 256; prio++)
		for (i = skip; i < n; i++) {
			const struct field *col = &field_table[ids[i]];
			int need = cn->least[i] + (ncols > 0);

			if (col->prio != prio || cn->need[i] <= 0)
				continue;
			if (*used + need > width && prio > COLUMN_PRIO_CORE)
				continue;
			widths[i] = cn->least[i];
			*used += need;
			ncols++;
		}
	column_fit_shrink(ids, n, skip, width, widths, used);
	/* Asked-for columns stay, past the edge if need be. */
	for (i = skip; i < n; i++)
		if (widths[i] == 0 && cn->need[i] > 0 &&
		    !column_is_default(ids[i])) {
			widths[i] = cn->least[i];
			*used += cn->least[i] + (ncols++ > 0);
		}
	return ncols;
}

int
column_fit(const uint8_t *ids, size_t n, const struct column_need *cn,
    size_t skip, int width, int *widths, int *used)
{
	int more = 0;
	unsigned prio;
	size_t i;

	*used = 0;
	for (i = 0; i < n; i++) {
		widths[i] = 0;
		if (i < skip && cn->need[i] > 0)
			more |= COLUMN_MORE_LEFT;
	}
	column_fit_admit(ids, n, cn, skip, width, widths, used);
	/* Then each grows to what its rows need, by priority. */
	for (prio = 0; prio < 256 && *used < width; prio++)
		for (i = skip; i < n && *used < width; i++) {
			int grow = cn->need[i] - widths[i];

			if (field_table[ids[i]].prio != prio || widths[i] == 0 ||
			    grow <= 0)
				continue;
			if (grow > width - *used)
				grow = width - *used;
			widths[i] += grow;
			*used += grow;
		}
	for (i = skip; i < n; i++)
		if (cn->need[i] > 0 && widths[i] == 0)
			more |= COLUMN_MORE_RIGHT;
	if (*used > width)
		more |= COLUMN_MORE_RIGHT;
	return more;
}

/* One value held: *shown follows want up at once, down after the hold. */
static void
column_hold_one(int *shown, int *low, int64_t *since, int want,
    int64_t now_ms)
{
	if (want >= *shown) {
		*shown = want;
		*since = INT64_MIN;
		return;
	}
	if (*since == INT64_MIN || now_ms < *since) {
		*since = now_ms;
		*low = want;
		return;
	}
	if (want > *low)
		*low = want;
	if (now_ms - *since >= COLUMN_HOLD_MS) {
		*shown = *low;
		*since = INT64_MIN;
	}
}

void
column_hold(struct column_hold *h, const uint8_t *ids, size_t n, int width,
    struct column_need *cn, int64_t now_ms)
{
	size_t i;

	if (n > FIELD_N)
		n = FIELD_N;
	if (h->n != n || h->width != width || memcmp(h->ids, ids, n) != 0) {
		memcpy(h->ids, ids, n);
		h->n = n;
		h->width = width;
		h->shown = *cn;
		for (i = 0; i < FIELD_N; i++)
			h->since[0][i] = h->since[1][i] = INT64_MIN;
		return;
	}
	for (i = 0; i < n; i++) {
		column_hold_one(&h->shown.need[i], &h->low.need[i],
		    &h->since[0][i], cn->need[i], now_ms);
		column_hold_one(&h->shown.least[i], &h->low.least[i],
		    &h->since[1][i], cn->least[i], now_ms);
		/* What is cut never passes what is shown. */
		if (h->shown.least[i] > h->shown.need[i])
			h->shown.least[i] = h->shown.need[i];
	}
	*cn = h->shown;
}

void
column_elide_tail(char *text, size_t len, int width, const char *ell)
{
	size_t n = strlen(text), keep, from, port;
	const char *colon = strrchr(text, ':');
	char out[128];

	if (width <= 0) {
		text[0] = '\0';
		return;
	}
	if (n <= (size_t)width)
		return;
	port = colon != NULL ? n - (size_t)(colon - text) : 0;
	/* The ellipsis, one cell of the address and the port, or cut
	 * from the right. */
	if (port + 2 > (size_t)width || n >= sizeof out) {
		text[width < (int)len ? width : (int)len - 1] = '\0';
		return;
	}
	keep = (size_t)width - 1;
	from = n - keep;
	/* Start at a group or an octet when one is in reach, keeping at
	 * least one character before the port. */
	while (from < n - port - 1 && text[from - 1] != ':' &&
	    text[from - 1] != '.')
		from++;
	if (text[from - 1] != ':' && text[from - 1] != '.')
		from = n - keep;
	snprintf(out, sizeof out, "%s%s", ell, text + from);
	snprintf(text, len, "%s", out);
}
