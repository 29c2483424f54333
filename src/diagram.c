/* The state diagram's layouts, as data, and the clock of its
 * animation. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/diagram.h"
#include "tcptop/xmalloc.h"

/* One edge's route in the compact layout: the corners of its line, from
 * the cell beside the source box to the arrow's cell beside the target
 * (or the sink), and where its counter goes; a stub has no corners, and
 * its counter is its mark. */
struct diagram_path {
	uint8_t from, to;
	uint8_t style;		/* enum diagram_style */
	uint8_t sink;		/* ends on the sink box */
	uint8_t npts;
	int16_t pts[4][2];	/* y, x */
	int16_t ly, lx, lw;
};

#define LINE(f, t, n, ...)	{ f, t, DIAGRAM_LINE, 0, n, __VA_ARGS__ }
#define SINK(f, t, n, ...)	{ f, t, DIAGRAM_LINE, 1, n, __VA_ARGS__ }
#define STUB(f, y, x)		{ f, TCP_CLOSE, DIAGRAM_STUB, 0, 0, \
				    { { 0, 0 } }, y, x, 5 }

/* The compact layout, 80x13: one box a row, gap rows between for the
 * lines.  Columns: left 5-20, middle 32-47, right 59-74; stubs sit
 * outside the left and right columns and east of ESTABLISHED and
 * CLOSING.  No two lines share a cell. */
static const struct diagram_path diagram_compact_paths[] = {
	LINE(TCP_CLOSE, TCP_LISTEN, 1, { { 1, 36 } }, 1, 30, 5),
	LINE(TCP_CLOSE, TCP_SYN_SENT, 3, { { 0, 48 }, { 0, 66 }, { 3, 66 } },
	    0, 52, 12),
	LINE(TCP_LISTEN, TCP_SYN_RECV, 3, { { 2, 31 }, { 2, 12 }, { 3, 12 } },
	    2, 15, 14),
	LINE(TCP_LISTEN, TCP_CLOSE, 1, { { 1, 43 } }, 1, 45, 5),
	LINE(TCP_LISTEN, TCP_SYN_SENT, 2, { { 3, 45 }, { 3, 62 } },
	    3, 48, 12),
	LINE(TCP_SYN_SENT, TCP_ESTABLISHED, 2, { { 5, 63 }, { 5, 45 } },
	    5, 48, 12),
	LINE(TCP_SYN_SENT, TCP_SYN_RECV, 2, { { 4, 58 }, { 4, 21 } },
	    4, 28, 22),
	STUB(TCP_SYN_SENT, 4, 75),
	LINE(TCP_SYN_RECV, TCP_ESTABLISHED, 2, { { 5, 16 }, { 5, 34 } },
	    5, 19, 12),
	LINE(TCP_SYN_RECV, TCP_FIN_WAIT1, 2, { { 5, 8 }, { 7, 8 } },
	    6, 2, 5),
	LINE(TCP_SYN_RECV, TCP_LISTEN, 2, { { 3, 17 }, { 3, 34 } },
	    3, 20, 12),
	STUB(TCP_SYN_RECV, 4, 0),
	LINE(TCP_ESTABLISHED, TCP_FIN_WAIT1, 3,
	    { { 6, 31 }, { 6, 12 }, { 7, 12 } }, 6, 16, 12),
	LINE(TCP_ESTABLISHED, TCP_CLOSE_WAIT, 3,
	    { { 7, 45 }, { 8, 45 }, { 8, 58 } }, 8, 48, 10),
	STUB(TCP_ESTABLISHED, 6, 48),
	LINE(TCP_FIN_WAIT1, TCP_FIN_WAIT2, 1, { { 9, 9 } }, 9, 11, 5),
	LINE(TCP_FIN_WAIT1, TCP_CLOSING, 3,
	    { { 8, 21 }, { 8, 40 }, { 9, 40 } }, 8, 24, 14),
	LINE(TCP_FIN_WAIT1, TCP_TIME_WAIT, 4,
	    { { 9, 17 }, { 9, 28 }, { 11, 28 }, { 11, 34 } }, 9, 19, 8),
	STUB(TCP_FIN_WAIT1, 8, 0),
	LINE(TCP_FIN_WAIT2, TCP_TIME_WAIT, 3,
	    { { 11, 12 }, { 12, 12 }, { 12, 31 } }, 12, 15, 14),
	STUB(TCP_FIN_WAIT2, 10, 0),
	LINE(TCP_CLOSING, TCP_TIME_WAIT, 1, { { 11, 44 } }, 11, 46, 5),
	STUB(TCP_CLOSING, 10, 54),
	LINE(TCP_CLOSE_WAIT, TCP_LAST_ACK, 1, { { 9, 66 } }, 9, 68, 5),
	STUB(TCP_CLOSE_WAIT, 8, 75),
	SINK(TCP_LAST_ACK, TCP_CLOSE, 1, { { 11, 63 } }, 11, 65, 5),
	SINK(TCP_TIME_WAIT, TCP_CLOSE, 2, { { 12, 48 }, { 12, 58 } },
	    12, 50, 7),
};

#define NPATHS	(sizeof diagram_compact_paths / sizeof *diagram_compact_paths)

static struct diagram diagram_layouts[DIAGRAM_NLAYOUTS] = {
	[DIAGRAM_COMPACT] = { "compact", 13, 80, {
		{ TCP_CLOSE, 0, 32, 1, 16 },
		{ TCP_LISTEN, 2, 32, 1, 16 },
		{ TCP_SYN_RECV, 4, 5, 1, 16 },
		{ TCP_SYN_SENT, 4, 59, 1, 16 },
		{ TCP_ESTABLISHED, 6, 32, 1, 16 },
		{ TCP_FIN_WAIT1, 8, 5, 1, 16 },
		{ TCP_CLOSE_WAIT, 8, 59, 1, 16 },
		{ TCP_FIN_WAIT2, 10, 5, 1, 16 },
		{ TCP_CLOSING, 10, 38, 1, 16 },
		{ TCP_LAST_ACK, 10, 59, 1, 16 },
		{ TCP_TIME_WAIT, 12, 32, 1, 16 },
	}, { TCP_CLOSE, 12, 59, 1, 8 }, 0, 0, 30, NULL },
	/* Built from the compact one: see diagram_scale. */
	[DIAGRAM_ROOMY] = { "roomy", 27, 120, { { 0 } }, { 0 }, 0, 0, 0,
	    NULL },
};

static const int dy[4] = { -1, 0, 1, 0 };	/* N E S W */
static const int dx[4] = { 0, 1, 0, -1 };

static int
diagram_inside(const struct diagram_box *b, int y, int x)
{
	return y >= b->y && y < b->y + b->h && x >= b->x && x < b->x + b->w;
}

/* The direction from (y, x) into b, or -1 when b is not beside it. */
static int
diagram_toward(const struct diagram_box *b, int y, int x)
{
	int k;

	for (k = 0; k < 4; k++)
		if (diagram_inside(b, y + dy[k], x + dx[k]))
			return k;
	return -1;
}

static int
diagram_box_index(const struct diagram *d, int state)
{
	int i;

	for (i = 0; i < DIAGRAM_NBOXES; i++)
		if (d->boxes[i].state == state)
			return i;
	return -1;
}

const struct diagram_box *
diagram_box_of(const struct diagram *d, int state)
{
	int i = diagram_box_index(d, state);

	return i < 0 ? NULL : &d->boxes[i];
}

const struct diagram_box *
diagram_target(const struct diagram *d, size_t i)
{
	if (i >= trans_nedges)
		return NULL;
	if (d->routes != NULL && d->routes[i].sink)
		return &d->sink;
	return diagram_box_of(d, trans_edges[i].to);
}

/* The cells of a line through corners pts (straight runs between), each
 * joined to its neighbours, the first to the source box a, the last to
 * the target b with the arrowhead. */
static size_t
diagram_cells(const int16_t (*pts)[2], size_t npts,
    const struct diagram_box *a, const struct diagram_box *b,
    struct diagram_cell **out)
{
	size_t n = 1, i, k;
	struct diagram_cell *c;
	int dir;

	for (i = 1; i < npts; i++)
		n += (size_t)(abs(pts[i][0] - pts[i - 1][0]) +
		    abs(pts[i][1] - pts[i - 1][1]));
	c = xcalloc(n, sizeof *c);
	c[0].y = pts[0][0];
	c[0].x = pts[0][1];
	k = 1;
	for (i = 1; i < npts; i++) {
		int y = pts[i - 1][0], x = pts[i - 1][1];
		int sy = (pts[i][0] > y) - (pts[i][0] < y);
		int sx = (pts[i][1] > x) - (pts[i][1] < x);

		while (y != pts[i][0] || x != pts[i][1]) {
			y += sy;
			x += sx;
			c[k].y = (int16_t)y;
			c[k].x = (int16_t)x;
			k++;
		}
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++) {
			int y = c[i].y + dy[k], x = c[i].x + dx[k];

			if ((i > 0 && c[i - 1].y == y && c[i - 1].x == x) ||
			    (i + 1 < n && c[i + 1].y == y && c[i + 1].x == x))
				c[i].conn |= (uint8_t)(1u << k);
		}
	dir = diagram_toward(a, c[0].y, c[0].x);
	if (dir >= 0)
		c[0].conn |= (uint8_t)(1u << dir);
	dir = diagram_toward(b, c[n - 1].y, c[n - 1].x);
	if (dir >= 0) {
		c[n - 1].conn |= (uint8_t)(1u << dir);
		c[n - 1].arrow = (uint8_t)(1u << dir);
	}
	*out = c;
	return n;
}

/* The roomy layout is the compact one scaled: each row of boxes becomes
 * a framed box three rows high (its lines on the middle row), each gap
 * row stays one row, and columns stretch by half. */
static int
diagram_sy(int y)
{
	return 4 * (y / 2) + (y % 2 ? 3 : 1);
}

static int
diagram_sx(int x)
{
	return x + x / 2;
}

static struct diagram_box
diagram_scale_box(const struct diagram_box *b)
{
	struct diagram_box s = *b;

	s.y = (int16_t)(4 * (b->y / 2));
	s.h = 3;
	s.x = (int16_t)diagram_sx(b->x);
	s.w = (int16_t)(diagram_sx(b->x + b->w) - s.x);
	return s;
}

/* Scale one corner; an end beside a box's side stays beside it. */
static void
diagram_scale_pt(const int16_t *p, const struct diagram_box *cb,
    const struct diagram_box *sb, int16_t *out)
{
	int dir = diagram_toward(cb, p[0], p[1]);

	out[0] = (int16_t)diagram_sy(p[0]);
	out[1] = (int16_t)diagram_sx(p[1]);
	if (dir == 1)		/* the box is east */
		out[1] = (int16_t)(sb->x - 1);
	else if (dir == 3)
		out[1] = (int16_t)(sb->x + sb->w);
}

static void
diagram_build(struct diagram *d, int scaled)
{
	const struct diagram *c = &diagram_layouts[DIAGRAM_COMPACT];
	size_t i, k;

	if (scaled) {
		for (i = 0; i < DIAGRAM_NBOXES; i++)
			d->boxes[i] = diagram_scale_box(&c->boxes[i]);
		d->sink = diagram_scale_box(&c->sink);
		d->legend_y = (int16_t)diagram_sy(c->legend_y) - 1;
		d->legend_x = c->legend_x;
		d->legend_w = (int16_t)diagram_sx(c->legend_w);
	}
	d->routes = xcalloc(trans_nedges, sizeof *d->routes);
	for (k = 0; k < NPATHS; k++) {
		const struct diagram_path *p = &diagram_compact_paths[k];
		int e = trans_edge_find(p->from, p->to);
		const struct diagram_box *ca, *cb, *a, *b;
		struct diagram_route *r;
		int16_t pts[4][2];

		memset(pts, 0, sizeof pts);
		if (e < 0)
			continue;
		r = &d->routes[e];
		r->style = p->style;
		r->sink = p->sink;
		ca = diagram_box_of(c, p->from);
		cb = p->sink ? &c->sink : diagram_box_of(c, p->to);
		a = diagram_box_of(d, p->from);
		b = p->sink ? &d->sink : diagram_box_of(d, p->to);
		r->label_y = p->ly;
		r->label_x = p->lx;
		r->label_w = p->lw;
		if (scaled) {
			r->label_y = (int16_t)diagram_sy(p->ly);
			r->label_x = (int16_t)diagram_sx(p->lx);
			r->label_w = (int16_t)(diagram_sx(p->lx + p->lw) -
			    r->label_x);
			/* A stub stays against its box. */
			if (p->style == DIAGRAM_STUB && p->lx + p->lw == ca->x)
				r->label_w = (int16_t)(a->x - r->label_x);
			if (p->style == DIAGRAM_STUB && p->lx == ca->x + ca->w)
				r->label_x = (int16_t)(a->x + a->w);
		}
		if (p->style == DIAGRAM_STUB)
			continue;
		for (i = 0; i < p->npts; i++) {
			pts[i][0] = p->pts[i][0];
			pts[i][1] = p->pts[i][1];
			if (!scaled)
				continue;
			/* Only the ends meet boxes. */
			if (i == 0)
				diagram_scale_pt(p->pts[i], ca, a, pts[i]);
			else if (i + 1 == p->npts)
				diagram_scale_pt(p->pts[i], cb, b, pts[i]);
			else {
				pts[i][0] = (int16_t)diagram_sy(p->pts[i][0]);
				pts[i][1] = (int16_t)diagram_sx(p->pts[i][1]);
			}
		}
		/* A one-cell line meets both boxes. */
		if (scaled && p->npts == 1)
			pts[0][1] = (int16_t)diagram_sx(p->pts[0][1]);
		r->n = diagram_cells((const int16_t (*)[2])pts, p->npts, a, b,
		    &r->cells);
	}
}

const struct diagram *
diagram_get(int id)
{
	if (id < 0 || id >= DIAGRAM_NLAYOUTS)
		return NULL;
	if (diagram_layouts[id].routes == NULL)
		diagram_build(&diagram_layouts[id], id != DIAGRAM_COMPACT);
	return &diagram_layouts[id];
}

int
diagram_pick(int w, int h)
{
	int i;

	for (i = DIAGRAM_NLAYOUTS - 1; i >= 0; i--)
		if (diagram_layouts[i].w <= w && diagram_layouts[i].h <= h)
			return i;
	return -1;
}

/* The heat steps: flash, then bold, then plain, then idle (dim). */
static const int64_t diagram_steps[] = { 300, 800, DIAGRAM_FADE_MS };

int
diagram_heat(int64_t last_ms, int64_t now_ms)
{
	int64_t age;

	if (last_ms == INT64_MIN)
		return DIAGRAM_IDLE;
	age = now_ms - last_ms;
	if (age < diagram_steps[0])
		return DIAGRAM_FLASH;
	if (age < diagram_steps[1])
		return DIAGRAM_HOT;
	if (age < diagram_steps[2])
		return DIAGRAM_WARM;
	return DIAGRAM_IDLE;
}

int64_t
diagram_next_frame(const struct trans *t, int64_t now_ms)
{
	int64_t next = INT64_MAX;
	size_t i, k;

	for (i = 0; i < trans_nedges; i++) {
		int64_t last = trans_last_ms(t, i);

		if (last == INT64_MIN || now_ms - last >= DIAGRAM_FADE_MS)
			continue;
		for (k = 0; k < sizeof diagram_steps / sizeof *diagram_steps;
		    k++)
			if (last + diagram_steps[k] > now_ms) {
				if (last + diagram_steps[k] < next)
					next = last + diagram_steps[k];
				break;
			}
	}
	if (next != INT64_MAX && next < now_ms + DIAGRAM_FRAME_MS)
		next = now_ms + DIAGRAM_FRAME_MS;
	return next;
}
