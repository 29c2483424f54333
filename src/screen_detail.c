/* The detail view (Enter): one connection, every field: its endpoints,
 * its state and the path it took while watched, then every field of the
 * field table as the list shows it, then every tcp_info field the kernel
 * sent, in the same units; it scrolls. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/names.h"
#include "tcptop/tcpstate.h"

struct screen_detail_out {
	struct rect r;
	int line;		/* next line */
	int top;		/* first line on screen (the scroll) */
};

static void
screen_detail_line(struct screen_detail_out *o, int role, const char *label,
    const char *value)
{
	int y = o->r.y + o->line++ - o->top;

	if (y < o->r.y || y >= o->r.y + o->r.h)
		return;
	ui_put(y, o->r.x + 1, 13, UI_HEADER, label);
	ui_put(y, o->r.x + 15, o->r.w - 16, role, value);
}

static void
screen_detail_path(const struct conn *c, char *buf, size_t len)
{
	uint8_t st[8];
	size_t n = conntab_path(c, st, 8), i, off = 0;

	buf[0] = '\0';
	if (c->flags & CONN_PATH_CUT)
		off += (size_t)snprintf(buf, len, "%s ",
		    ui_glyph(UI_G_ELLIPSIS));
	for (i = 0; i < n && off < len; i++) {
		snprintf(buf + off, len - off, "%s%s", i ? " > " : "",
		    tcpstate_name(st[i]));
		off = strlen(buf);
	}
}

/* One name and value of a grid. */
typedef void screen_detail_pair_fn(const void *arg, size_t i, char *name,
    size_t nlen, char *val, size_t vlen);

/* Name-value pairs in as many columns as fit at the width, from line
 * o->line on: n of them, pair() giving each.  Names are at most namew - 1
 * cells. */
static void
screen_detail_grid(struct screen_detail_out *o, size_t n, int namew,
    screen_detail_pair_fn *pair, const void *arg)
{
	struct rect r = o->r;
	int fy = r.y + o->line - o->top, colw = namew + 17, ncol, rows;
	size_t i;

	ncol = r.w / colw > 0 ? r.w / colw : 1;
	colw = r.w / ncol;
	rows = (int)((n + (size_t)ncol - 1) / (size_t)ncol);
	for (i = 0; i < n; i++) {
		int y = fy + (int)i % rows;
		int x = r.x + 1 + (int)i / rows * colw;
		char val[48], name[32];

		if (y < r.y || y >= r.y + r.h)
			continue;
		pair(arg, i, name, sizeof name, val, sizeof val);
		column_elide(name, sizeof name, namew - 1,
		    ui_glyph(UI_G_ELLIPSIS));
		ui_put(y, x, namew - 1, UI_DIM, name);
		ui_put(y, x + namew, colw - namew - 1, UI_NORMAL, val);
	}
	o->line += rows;
}

/* The fields the lines above the grid do not show already. */
static int
screen_detail_in_grid(int id)
{
	return field_is_column(id) && id != FIELD_STATE &&
	    id != FIELD_FAMILY && id != FIELD_LOCAL && id != FIELD_REMOTE &&
	    id != FIELD_AGE;
}

struct screen_detail_row {
	const struct frame *f;
	const struct conn *c;
	uint8_t ids[FIELD_N];
};

static void
screen_detail_field(const void *arg, size_t i, char *name, size_t nlen,
    char *val, size_t vlen)
{
	const struct screen_detail_row *d = arg;
	const struct field *f = &field_table[d->ids[i]];

	snprintf(name, nlen, "%s", f->title);
	field_fmt(d->ids[i], d->c, &d->f->snap->fields, val, vlen);
}

/* A kernel field in its unit, named when it is a count of something. */
static void
screen_detail_kernel(const void *arg, size_t i, char *name, size_t nlen,
    char *val, size_t vlen)
{
	const struct diag_field *k = &((const struct frame *)arg)->fields[i];
	char num[UNIT_TEXT_LEN];

	snprintf(name, nlen, "%s", k->name);
	if (k->text != NULL)
		snprintf(val, vlen, "%s", k->text);
	else if (k->value == UINT64_MAX)
		snprintf(val, vlen, "unlimited");
	else {
		unit_fmt(k->unit, k->value, num, sizeof num);
		snprintf(val, vlen, "%s%s%s", num, *unit_word(k->unit) ? " " :
		    "", unit_word(k->unit));
	}
}

/* The lines above the grids: endpoints, state, path, first seen. */
static void
screen_detail_head(const struct frame *f, const struct conn *c,
    struct screen_detail_out *o)
{
	char a[CONN_ENDPOINT_LEN], b[CONN_ENDPOINT_LEN], v[256], age[32];

	/* With names on (r, R), the names, then the numbers. */
	field_fmt(FIELD_LOCAL, c, &f->snap->fields, a, sizeof a);
	field_fmt(FIELD_REMOTE, c, &f->snap->fields, b, sizeof b);
	snprintf(v, sizeof v, "%s  %s  %s  (IPv%c)%s", a,
	    ui_glyph(UI_G_ARROW), b, c->s.family == 10 ? '6' : '4',
	    (c->flags & CONN_GONE) ? "  [gone]" : "");
	screen_detail_line(o, UI_NORMAL, "Connection", v);
	if (names_mode(f->snap->fields.names) != 0) {
		snprintf(v, sizeof v, "%s  %s  %s",
		    conn_fmt_endpoint(&c->s, 0, a, sizeof a),
		    ui_glyph(UI_G_ARROW), conn_fmt_endpoint(&c->s, 1, b,
		    sizeof b));
		screen_detail_line(o, UI_NORMAL, "Numbers", v);
	}
	field_fmt(FIELD_AGE, c, &f->snap->fields, age, sizeof age);
	snprintf(v, sizeof v, "%s for %s%s%s", tcpstate_name(c->s.state), age,
	    c->prev_state ? ", was " : "",
	    c->prev_state ? tcpstate_name(c->prev_state) : "");
	screen_detail_line(o, ui_state_role(c->s.state), "State", v);
	screen_detail_path(c, v, sizeof v);
	screen_detail_line(o, UI_NORMAL, "Path", v);
	field_fmt(FIELD_SEEN, c, &f->snap->fields, age, sizeof age);
	snprintf(v, sizeof v, "%s ago%s", age, (c->flags & CONN_PREEXISTING)
	    ? " (or earlier: it was there when tcptop started)" : "");
	screen_detail_line(o, UI_NORMAL, "First seen", v);
}

/* The sparklines of the selected connection's history (spark.h): its
 * 2 s throughput each way and its RTT, one cell a refresh, scaled to
 * the largest shown, that largest and the newest after it. */
static void
screen_detail_sparks(const struct frame *f, struct screen_detail_out *o)
{
	static const struct {
		const char *label;
		int unit;
	} series[SPARK_NSERIES] = {
		[SPARK_TX] = { "Sent 2s", UNIT_RATE },
		[SPARK_RX] = { "Received 2s", UNIT_RATE },
		[SPARK_RTT] = { "RTT", UNIT_US },
	};
	const struct spark *sp = &f->s->spark;
	int h[SPARK_N], s, w = o->r.w - 16 - 26;
	char v[SPARK_N * 3 + 64], mx[UNIT_TEXT_LEN], now[UNIT_TEXT_LEN];
	uint64_t max;
	size_t n, i, off;

	if (w < 8)
		w = 8;
	for (s = 0; s < SPARK_NSERIES; s++) {
		n = spark_levels(sp, s, (size_t)w, h, &max);
		off = 0;
		v[0] = '\0';
		for (i = 0; i < n; i++) {
			snprintf(v + off, sizeof v - off, "%s",
			    ui_vbar(h[i] < 0 ? 0 : h[i]));
			off = strlen(v);
		}
		unit_fmt(series[s].unit, max, mx, sizeof mx);
		if (n > 0 && h[n - 1] >= 0)
			unit_fmt(series[s].unit, sp->v[s][(sp->head + SPARK_N -
			    1) % SPARK_N], now, sizeof now);
		else
			snprintf(now, sizeof now, "-");
		snprintf(v + off, sizeof v - off, "%snow %s, max %s",
		    n > 0 ? "  " : "", now, mx);
		screen_detail_line(o, UI_NORMAL, series[s].label, v);
	}
}

/* Draw from line top on (nothing when top is past the end); returns the
 * number of lines. */
static int
screen_detail_render(const struct frame *f, struct rect r, int top)
{
	struct screen_detail_row d = { f, session_selected(f->s), { 0 } };
	struct screen_detail_out o = { r, 0, top };
	size_t i, n = 0;
	int namew;
	char v[160];

	if (d.c == NULL) {
		screen_detail_line(&o, UI_DIM, "", "no connection selected");
		return o.line;
	}
	screen_detail_head(f, d.c, &o);
	screen_detail_sparks(f, &o);
	/* Every other field, as the list would show it. */
	o.line++;
	for (i = 0; i < FIELD_N; i++)
		if (screen_detail_in_grid((int)i))
			d.ids[n++] = (uint8_t)i;
	screen_detail_grid(&o, n, 8, screen_detail_field, &d);

	/* The kernel's fields. */
	o.line++;
	if (f->nfields == 0) {
		screen_detail_line(&o, UI_DIM, "tcp_info",
		    f->fields_note != NULL && *f->fields_note ?
		    f->fields_note : "none for this socket");
		return o.line;
	}
	snprintf(v, sizeof v, "%zu fields from the kernel, live (Up/Down "
	    "scroll)", f->nfields);
	screen_detail_line(&o, UI_DIM, "Kernel", v);
	/* Names as wide as the longest, up to 22 cells. */
	for (i = 0, namew = 8; i < f->nfields; i++)
		if ((int)strlen(f->fields[i].name) + 1 > namew)
			namew = (int)strlen(f->fields[i].name) + 1;
	namew = namew > 22 ? 22 : namew;
	screen_detail_grid(&o, f->nfields, namew, screen_detail_kernel, f);
	return o.line;
}

static void
screen_detail_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	screen_detail_render(f, r, e->pos);
}

static int
screen_detail_extent(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	(void)e;
	return screen_detail_render(f, r, 1 << 30);
}

static int
screen_detail_enter(struct session *s, struct session_screen *e, int arg)
{
	(void)e, (void)arg;
	if (session_selected(s) == NULL) {
		session_message(s, 0, "no connection selected");
		return -1;
	}
	return 0;
}

static const struct key_binding screen_detail_keys[] = {
	{ { K_ENTER, K_ESC, K_LEFT, K_BACKSPACE }, "Enter Esc Left", NULL,
	    keys_close, "back to the list" },
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    session_scroll, "scroll" },
	{ { K_HOME, K_END }, "Home End", NULL, session_scroll,
	    "the first or last lines" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_detail_tables[] = {
	screen_detail_keys, keys_sort, NULL,
};

const struct screen_ops screen_detail = {
	.name = "Detail view",
	.place = SCREEN_MAIN,
	.flags = SCREEN_F_VIEW | SCREEN_F_LOOKUP,
	.keys = screen_detail_tables,
	.draw = screen_detail_draw,
	.extent = screen_detail_extent,
	.enter = screen_detail_enter,
};
