/* The connection list's columns: lists of fields, and how they share a
 * width. */
#include <stdio.h>
#include <string.h>

#include "tcptop/column.h"

const uint8_t column_default[] = {
	FIELD_FAMILY, FIELD_LOCAL, FIELD_REMOTE, FIELD_STATE, FIELD_AGE,
	FIELD_RECVQ, FIELD_SENDQ, FIELD_RTT, FIELD_RETRANS, FIELD_PROCESS,
};
const size_t column_ndefault = sizeof column_default;

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
column_layout(const uint8_t *ids, size_t n, int width, int *widths)
{
	int used = 0, nflex = 0, left, share, ncols = 0;
	size_t i;
	unsigned prio;

	/* Columns go in by priority while they fit, so a narrow terminal
	 * keeps the state and the endpoints and loses the extras. */
	for (i = 0; i < n; i++)
		widths[i] = 0;
	for (prio = 0; prio < 256; prio++)
		for (i = 0; i < n; i++) {
			const struct field *col = &field_table[ids[i]];
			int need = col->width + (ncols > 0);

			if (col->prio != prio || used + need > width)
				continue;
			widths[i] = col->width;
			used += need;
			ncols++;
			if (col->maxwidth > col->width)
				nflex++;
		}
	/* Then the flexible columns share the rest evenly. */
	while (nflex > 0 && used < width) {
		int grew = 0;

		left = width - used;
		share = left / nflex > 0 ? left / nflex : 1;
		for (i = 0; i < n && used < width; i++) {
			const struct field *col = &field_table[ids[i]];
			int room;

			if (widths[i] == 0 || col->maxwidth <= widths[i])
				continue;
			room = col->maxwidth - widths[i];
			if (room > share)
				room = share;
			if (room > width - used)
				room = width - used;
			widths[i] += room;
			used += room;
			grew = 1;
		}
		if (!grew)
			break;
	}
	return used;
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
