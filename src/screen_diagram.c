/* The state diagram (t), a companion of the connection list, live: each
 * state's box holds its count, each edge its transitions; an edge
 * flashes when taken and fades, abnormal ones in red.  Aborts into
 * CLOSED are stubs by their box ("x3"), explained by a legend.  Full
 * screen, the rows under the diagram list the edges taken, busiest
 * first, with what moves them.  The geometry is diagram.c's. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/conntab.h"
#include "tcptop/diagram.h"
#include "tcptop/tcpstate.h"

/* The layout for a pane of w x h: the largest whose diagram and title
 * line fit. */
static const struct diagram *
screen_diagram_layout(int w, int h)
{
	int id = diagram_pick(w, h - 1);

	return id < 0 ? NULL : diagram_get(id);
}

/* Above the list when split, with 6 list rows left under it where
 * they fit and 3 where only they do (a lesson, or 80x24 with the
 * kernel's counters and an alert line: t must still split there), else
 * the whole middle; full: the whole middle, but for a followed
 * connection's timeline under the diagram when it has three rows. */
static struct rect
screen_diagram_room(const struct frame *f, const struct screen_area *a)
{
	const struct session *s = f->s;
	const struct diagram *d;
	struct rect m = a->middle;

	if (s->diagram == SESSION_DIAGRAM_OFF)
		m.h = 0;
	else if (s->diagram == SESSION_DIAGRAM_FULL) {
		d = screen_diagram_layout(m.w, m.h);
		if (d != NULL && session_find(s, SCREEN_FOLLOW) != NULL &&
		    m.h - 1 - d->h >= 3)
			m.h = d->h + 2;
	} else if ((!s->lesson &&
	    (d = screen_diagram_layout(m.w, m.h - 6)) != NULL) ||
	    (d = screen_diagram_layout(m.w, m.h - 3)) != NULL)
		m.h = d->h + 1;
	return m;
}

/* The role of edge i: its kind, and how long ago it was taken. */
static int
screen_diagram_role(const struct frame *f, size_t i)
{
	int heat = f->snap->trans == NULL ? DIAGRAM_IDLE :
	    diagram_heat(trans_last_ms(f->snap->trans, i), f->anim_ms);

	if (trans_edges[i].kind == TRANS_ABNORMAL)
		return heat == DIAGRAM_FLASH ? UI_ERROR : heat >= DIAGRAM_WARM ?
		    UI_ABNORMAL_HOT : UI_ABNORMAL;
	switch (heat) {
	case DIAGRAM_FLASH:
		return UI_FLASH;
	case DIAGRAM_HOT:
		return UI_HEADER;
	case DIAGRAM_WARM:
		return UI_NORMAL;
	}
	return UI_DIM;
}

/* A count in at most w cells (4 or more): 1234, 12k, 3M. */
static void
screen_diagram_num(uint64_t n, int w, char *buf, size_t len)
{
	uint64_t lim = w >= 5 ? 100000 : 10000;

	if (n < lim)
		snprintf(buf, len, "%" PRIu64, n);
	else if (n < lim * 100)
		snprintf(buf, len, "%" PRIu64 "k", n / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "M", n / 1000000);
}

/* How a box stands out in follow mode. */
enum {
	SCREEN_HL_NONE,
	SCREEN_HL_PATH,		/* the followed connection was here */
	SCREEN_HL_NOW,		/* and is here now */
};

static void
screen_diagram_box(const struct frame *f, const struct diagram_box *b,
    int y0, int x0, int sink, int hl)
{
	size_t count = f->s->view.states[b->state];
	const char *name = b->state == TCP_CLOSE ? "CLOSED" :
	    tcpstate_name(b->state);
	int role = count ? ui_state_role(b->state) : UI_DIM, inner, y;
	char num[16];

	screen_diagram_num(count, 5, num, sizeof num);
	if (sink) {
		/* Where a connection ends: CLOSED again, counted on top. */
		num[0] = '\0';
		role = UI_DIM;
	}
	if (hl != SCREEN_HL_NONE)
		role = hl == SCREEN_HL_NOW ? UI_SELECTED : UI_FOLLOW;
	if (b->h == 1) {
		inner = b->w - 2;
		ui_put(y0 + b->y, x0 + b->x, 1, UI_NORMAL, "[");
		ui_put(y0 + b->y, x0 + b->x + b->w - 1, 1, UI_NORMAL, "]");
		if ((int)strlen(name) + (num[0] != '\0') + (int)strlen(num) >
		    inner)
			name = tcpstate_brief(b->state);
		ui_putpad(y0 + b->y, x0 + b->x + 1, inner, role, name);
		ui_put(y0 + b->y, x0 + b->x + 1 + inner - (int)strlen(num),
		    (int)strlen(num), hl != SCREEN_HL_NONE ? role : count ?
		    UI_HEADER : UI_DIM, num);
		return;
	}
	ui_box((struct rect){ y0 + b->y, x0 + b->x, b->h, b->w }, NULL);
	inner = b->w - 4;
	y = y0 + b->y + (b->h - 1) / 2;
	if (hl != SCREEN_HL_NONE)
		ui_fill(y, x0 + b->x + 1, b->w - 2, role);
	ui_put(y, x0 + b->x + 2, inner, role, name);
	ui_put(y, x0 + b->x + 2 + inner - (int)strlen(num), (int)strlen(num),
	    hl != SCREEN_HL_NONE ? role : count ? UI_HEADER : UI_DIM, num);
}

/* Follow mode: the edges the followed connection took (onpath[i]) and
 * the boxes it was in (hl[state]). */
static void
screen_diagram_path(const struct session_follow *t, uint8_t *onpath,
    uint8_t *hl)
{
	size_t i;
	int e;

	if (!t->on || t->n == 0)
		return;
	for (i = 0; i < t->n; i++)
		hl[t->states[i] & 15] = SCREEN_HL_PATH;
	if (!t->gone)
		hl[t->states[t->n - 1] & 15] = SCREEN_HL_NOW;
	for (i = 0; i + 1 < t->n; i++)
		if ((e = trans_edge_find(t->states[i], t->states[i + 1])) >= 0)
			onpath[e] = 1;
	/* Seen coming, seen going: from and to CLOSED. */
	if (!(t->flags & (CONN_PREEXISTING | CONN_PATH_CUT)) &&
	    (e = trans_edge_find(TCP_CLOSE, t->states[0])) >= 0)
		onpath[e] = 1;
	if (t->gone && (e = trans_edge_find(t->states[t->n - 1],
	    TCP_CLOSE)) >= 0)
		onpath[e] = 1;
}

/* The mark of a stub: what kind of end it counts. */
static const char *
screen_diagram_mark(size_t i)
{
	if (trans_edges[i].kind == TRANS_ABNORMAL)
		return ui_utf8() ? "\u2717" : "x";
	return ui_utf8() ? "\u25cb" : "o";
}

/* The counter on edge i, and its rate when it has one and room; a stub
 * is its mark and the counter, against its box. */
static void
screen_diagram_label(const struct frame *f, const struct diagram *d,
    size_t i, int y0, int x0, int role)
{
	const struct diagram_route *r = &d->routes[i];
	const struct diagram_box *a = diagram_box_of(d, trans_edges[i].from);
	uint64_t n = trans_count(f->snap->trans, trans_edges[i].from,
	    trans_edges[i].to);
	double rate = trans_rate(f->snap->trans, i, f->anim_ms);
	char num[16], buf[40];
	int len, x;

	if (r->label_w == 0)
		return;
	screen_diagram_num(n, r->label_w, num, sizeof num);
	if (r->style == DIAGRAM_STUB) {
		snprintf(buf, sizeof buf, "%s%s", screen_diagram_mark(i),
		    n > 0 ? num : "");
		len = 1 + (n > 0 ? (int)strlen(num) : 0);
		/* Against the box: right-aligned west of it. */
		x = r->label_x + r->label_w == a->x ? r->label_x + r->label_w -
		    len : r->label_x;
		ui_put(y0 + r->label_y, x0 + x, len, n > 0 ? role :
		    trans_edges[i].kind == TRANS_ABNORMAL ? UI_ABNORMAL :
		    UI_DIM, buf);
		return;
	}
	if (n == 0)
		return;
	snprintf(buf, sizeof buf, "%s", num);
	if (rate >= 0.1 && strlen(num) + 7 <= (size_t)r->label_w)
		snprintf(buf, sizeof buf, " %s %.1f/s ", num, rate);
	else if (strlen(num) + 2 <= (size_t)r->label_w)
		snprintf(buf, sizeof buf, " %s ", num);
	len = (int)strlen(buf);
	if (len > r->label_w)
		return;
	ui_put(y0 + r->label_y, x0 + r->label_x + (r->label_w - len) / 2, len,
	    role == UI_DIM ? UI_NORMAL : role, buf);
}

/* The stubs' marks explained. */
static void
screen_diagram_legend(const struct diagram *d, int y0, int x0)
{
	char buf[80];

	snprintf(buf, sizeof buf, "%sn reset or failed %s CLOSED",
	    ui_utf8() ? "\u2717" : "x", ui_glyph(UI_G_ARROW));
	ui_put(y0 + d->legend_y, x0 + d->legend_x, d->legend_w, UI_DIM, buf);
	snprintf(buf, sizeof buf, "%sn gone, no TIME_WAIT seen",
	    ui_utf8() ? "\u25cb" : "o");
	ui_put(y0 + d->legend_y + 1, x0 + d->legend_x, d->legend_w, UI_DIM,
	    buf);
}

/* What the numbers are, right of the title when there is room: a box
 * counts sockets, an edge moves and their rate. */
static void
screen_diagram_key(struct rect r, int used)
{
	static const char key[] = "boxes: sockets now  edges: moves, moves/s";
	int w = (int)sizeof key - 1;

	if (used + 2 + w <= r.w)
		ui_put(r.y, r.x + r.w - w, w, UI_HEADER, key);
}

/* Full screen: under the diagram, the edges taken, busiest first, with
 * their counts, rates and what moves them. */
static void
screen_diagram_edges(const struct frame *f, struct rect r)
{
	size_t order[64], n = 0, i, j;
	char line[256], arrow[40];
	int y;

	if (r.h < 2)
		return;
	ui_putpad(r.y, r.x, r.w, UI_TITLE, " EDGE                        COUNT"
	    "   RATE  WHAT MOVES IT");
	for (i = 0; i < trans_nedges && n < 64; i++)
		if (trans_count(f->snap->trans, trans_edges[i].from,
		    trans_edges[i].to) > 0)
			order[n++] = i;
	/* Busiest first; insertion sort, stable on the table's order. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const struct trans_edge *a = &trans_edges[order[j]];
			const struct trans_edge *b = &trans_edges[order[j - 1]];
			size_t t;

			if (trans_count(f->snap->trans, a->from, a->to) <=
			    trans_count(f->snap->trans, b->from, b->to))
				break;
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	if (n == 0) {
		ui_put(r.y + 1, r.x + 1, r.w - 1, UI_DIM, "no transitions "
		    "yet: edges light up and count as sockets change state");
		return;
	}
	for (y = 1, i = 0; y < r.h && i < n; y++, i++) {
		const struct trans_edge *e = &trans_edges[order[i]];

		snprintf(arrow, sizeof arrow, "%s%s%s", e->from == TCP_CLOSE ?
		    "CLOSED" : tcpstate_name(e->from), ui_glyph(UI_G_ARROW),
		    e->to == TCP_CLOSE ? "CLOSED" : tcpstate_name(e->to));
		snprintf(line, sizeof line, " %-*s %6" PRIu64 " %5.1f/s  %s",
		    ui_utf8() ? 29 : 27, arrow,
		    trans_count(f->snap->trans, e->from, e->to),
		    trans_rate(f->snap->trans, order[i], f->anim_ms), e->label);
		ui_putpad(r.y + y, r.x, r.w, e->kind == TRANS_ABNORMAL ?
		    UI_ABNORMAL : UI_NORMAL, line);
	}
}

static void
screen_diagram_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct diagram *d = screen_diagram_layout(r.w, r.h);
	static uint8_t conn[64 * 160];
	size_t order[64], i, k, n;
	uint8_t onpath[64], hl[16];
	char title[160];
	int y0, x0, heat;

	snprintf(title, sizeof title, "TCP states: %s",
	    f->snap->trans_source != NULL ? f->snap->trans_source :
	    "no transitions");
	ui_putpad(r.y, r.x, r.w, UI_HEADER, title);
	screen_diagram_key(r, (int)strlen(title));
	if (d == NULL || f->snap->trans == NULL) {
		ui_put(r.y + 1, r.x, r.w, UI_WARN, "the diagram needs a "
		    "terminal of 80x24 or more");
		return;
	}
	y0 = r.y + 1;
	x0 = r.x + (r.w - d->w) / 2;
	/* Where lines meet, each is drawn with both directions. */
	memset(conn, 0, sizeof conn);
	for (i = 0; i < trans_nedges; i++)
		for (k = 0; k < d->routes[i].n; k++) {
			const struct diagram_cell *c = &d->routes[i].cells[k];

			conn[c->y * d->w + c->x] |= c->conn;
		}
	memset(onpath, 0, sizeof onpath);
	memset(hl, 0, sizeof hl);
	(void)e;
	screen_diagram_path(&f->s->follow, onpath, hl);
	/* The hottest last, so a flash shows over what it meets; the
	 * followed path over everything. */
	n = 0;
	for (heat = DIAGRAM_IDLE; heat <= DIAGRAM_FLASH + 1; heat++)
		for (i = 0; i < trans_nedges && n < 64; i++)
			if (heat == DIAGRAM_FLASH + 1 ? onpath[i] :
			    !onpath[i] && diagram_heat(trans_last_ms(
			    f->snap->trans, i), f->anim_ms) == heat)
				order[n++] = i;
	screen_diagram_legend(d, y0, x0);
	for (k = 0; k < n; k++) {
		const struct diagram_route *rt = &d->routes[order[k]];
		int role = screen_diagram_role(f, order[k]);
		size_t j;

		if (onpath[order[k]] && role != UI_FLASH && role != UI_ERROR)
			role = UI_FOLLOW;
		for (j = 0; j < rt->n; j++) {
			const struct diagram_cell *c = &rt->cells[j];

			ui_linecell(y0 + c->y, x0 + c->x, c->arrow ? c->conn :
			    conn[c->y * d->w + c->x], c->arrow, role);
		}
		screen_diagram_label(f, d, order[k], y0, x0, role);
	}
	for (i = 0; i < DIAGRAM_NBOXES; i++)
		screen_diagram_box(f, &d->boxes[i], y0, x0, 0,
		    hl[d->boxes[i].state & 15]);
	screen_diagram_box(f, &d->sink, y0, x0, 1, SCREEN_HL_NONE);
	/* Full screen: the rows left under the diagram, for the edges
	 * taken (the layout leaves them to the timeline when following). */
	if (r.h - 1 - d->h >= 3)
		screen_diagram_edges(f, (struct rect){ y0 + d->h + 1, r.x,
		    r.h - 2 - d->h, r.w });
}

const struct screen_ops screen_diagram = {
	.name = "State diagram (t)",
	.place = SCREEN_BAND,
	.room = screen_diagram_room,
	.draw = screen_diagram_draw,
};
