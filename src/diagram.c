/* The state diagram's layouts, the routing of its edges, and the clock
 * of its animation. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/diagram.h"
#include "tcptop/xmalloc.h"

/* Box positions, as RFC 793 draws them: opening at the top, the
 * active close down the left, the passive close down the right, and
 * CLOSED to the right of everything, where every abort ends. */
static struct diagram diagram_layouts[DIAGRAM_NLAYOUTS] = {
	[DIAGRAM_TALL] = { "tall", 20, 80, {
		{ TCP_LISTEN, 1, 22, 1, 15 },
		{ TCP_SYN_RECV, 5, 1, 1, 15 },
		{ TCP_SYN_SENT, 5, 43, 1, 15 },
		{ TCP_ESTABLISHED, 9, 22, 1, 15 },
		{ TCP_FIN_WAIT1, 12, 1, 1, 15 },
		{ TCP_CLOSE_WAIT, 12, 43, 1, 15 },
		{ TCP_FIN_WAIT2, 15, 1, 1, 15 },
		{ TCP_CLOSING, 15, 22, 1, 15 },
		{ TCP_LAST_ACK, 15, 43, 1, 15 },
		{ TCP_TIME_WAIT, 18, 22, 1, 15 },
		{ TCP_CLOSE, 0, 67, 13, 13 },
	}, NULL },
	[DIAGRAM_ROOMY] = { "roomy", 28, 124, {
		{ TCP_LISTEN, 1, 36, 3, 17 },
		{ TCP_SYN_RECV, 6, 3, 3, 17 },
		{ TCP_SYN_SENT, 6, 70, 3, 17 },
		{ TCP_ESTABLISHED, 11, 36, 3, 17 },
		{ TCP_FIN_WAIT1, 16, 3, 3, 17 },
		{ TCP_CLOSE_WAIT, 16, 70, 3, 17 },
		{ TCP_FIN_WAIT2, 21, 3, 3, 17 },
		{ TCP_CLOSING, 21, 36, 3, 17 },
		{ TCP_LAST_ACK, 21, 70, 3, 17 },
		{ TCP_TIME_WAIT, 25, 36, 3, 17 },
		{ TCP_CLOSE, 1, 104, 19, 16 },
	}, NULL },
};

/* Routing costs: straight lines first, few turns, few crossings. */
#define COST_STEP	2
#define COST_TURN	8
#define COST_CROSS	10
#define COST_NEAR	2	/* running beside another line */

/* What the router knows of a cell. */
#define G_BOX	0x1		/* part of a box */
#define G_H	0x2		/* a horizontal line passes straight */
#define G_V	0x4		/* a vertical line passes straight */
#define G_FULL	0x8		/* a corner or line end: nothing else */
#define G_LABEL	0x10		/* a counter is written here */

static const int dy[4] = { -1, 0, 1, 0 };	/* N E S W */
static const int dx[4] = { 0, 1, 0, -1 };

struct router {
	const struct diagram *d;
	uint8_t *g;		/* G_* per cell */
	int8_t *boxid;		/* box index per cell, -1 */
	int32_t *dist;		/* per cell and direction of travel */
	int32_t *prev;
	int32_t *heap;		/* cost, state pairs */
	size_t nheap;
};

static int
router_in(const struct router *r, int y, int x)
{
	return y >= 0 && x >= 0 && y < r->d->h && x < r->d->w;
}

/* Nonzero when (y, x) is on box b's side, away from a framed box's
 * corners, so a line meets it square. */
static int
router_side(const struct diagram_box *b, int y, int x)
{
	if (b->h >= 3 && (y == b->y || y == b->y + b->h - 1) &&
	    (x == b->x || x == b->x + b->w - 1))
		return 0;
	/* A one-row box is met on its text, not on its brackets. */
	if (b->h == 1 && (x == b->x || x == b->x + b->w - 1))
		return 0;
	return 1;
}

static int
router_free(const struct router *r, int y, int x)
{
	return router_in(r, y, x) && r->g[y * r->d->w + x] == 0;
}

static int
router_near(const struct router *r, int y, int x, int dir)
{
	int k, n = 0;

	/* Lines on either side, across the direction of travel. */
	for (k = 1; k <= 3; k += 2) {
		int ny = y + dy[(dir + k) % 4], nx = x + dx[(dir + k) % 4];

		if (router_in(r, ny, nx) &&
		    (r->g[ny * r->d->w + nx] & (G_H | G_V | G_FULL)))
			n++;
	}
	return n;
}

/* The queue: entries carry the cost they were pushed with, so a state
 * reached again more cheaply leaves a stale entry that is skipped. */
static void
heap_push(struct router *r, int32_t cost, int32_t s)
{
	size_t i = r->nheap++;

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (r->heap[2 * p] <= cost)
			break;
		r->heap[2 * i] = r->heap[2 * p];
		r->heap[2 * i + 1] = r->heap[2 * p + 1];
		i = p;
	}
	r->heap[2 * i] = cost;
	r->heap[2 * i + 1] = s;
}

static int32_t
heap_pop(struct router *r, int32_t *cost)
{
	int32_t top = r->heap[1], lc, ls;
	size_t i = 0;

	*cost = r->heap[0];
	r->nheap--;
	lc = r->heap[2 * r->nheap];
	ls = r->heap[2 * r->nheap + 1];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= r->nheap)
			break;
		if (c + 1 < r->nheap && r->heap[2 * (c + 1)] < r->heap[2 * c])
			c++;
		if (lc <= r->heap[2 * c])
			break;
		r->heap[2 * i] = r->heap[2 * c];
		r->heap[2 * i + 1] = r->heap[2 * c + 1];
		i = c;
	}
	r->heap[2 * i] = lc;
	r->heap[2 * i + 1] = ls;
	return top;
}

/* Route one edge from box a to box b: a shortest path of cells (state:
 * cell and direction of travel) where a line may cross another square
 * but not run along it, turn or end on it.  Returns the cells (xmalloc)
 * and their count, 0 when there is no way. */
static size_t
router_route(struct router *r, int a, int b, struct diagram_cell **out)
{
	const struct diagram_box *ba = &r->d->boxes[a];
	int w = r->d->w, h = r->d->h, y, x, k;
	size_t ncell = (size_t)w * (size_t)h, i, n;
	int32_t best = -1, bestcost = INT32_MAX, s;
	int bestdir = 0;

	for (i = 0; i < ncell * 4; i++) {
		r->dist[i] = INT32_MAX;
		r->prev[i] = -1;
	}
	r->nheap = 0;
	/* Every cell beside a, leaving it. */
	for (y = ba->y; y < ba->y + ba->h; y++)
		for (x = ba->x; x < ba->x + ba->w; x++)
			for (k = 0; k < 4; k++) {
				int ny = y + dy[k], nx = x + dx[k];

				if (!router_side(ba, y, x) ||
				    !router_free(r, ny, nx))
					continue;
				s = (int32_t)(((size_t)ny * (size_t)w +
				    (size_t)nx) * 4 + (size_t)k);
				r->dist[s] = COST_STEP;
				heap_push(r, COST_STEP, s);
			}
	while (r->nheap > 0) {
		int32_t cost;
		int dir, cy, cx, nd;
		uint8_t here;

		s = heap_pop(r, &cost);
		if (cost != r->dist[s])
			continue;	/* stale */
		if (cost >= bestcost)
			break;
		dir = s % 4;
		cy = (int)((s / 4) / w);
		cx = (int)((s / 4) % w);
		here = r->g[cy * w + cx];
		for (nd = 0; nd < 4; nd++) {
			int ny = cy + dy[nd], nx = cx + dx[nd], turn;
			int32_t c2, s2;
			uint8_t g;

			if (nd == (dir + 2) % 4 || !router_in(r, ny, nx))
				continue;
			turn = nd != dir;
			/* Turning, or ending, only on a cell of our own. */
			if (turn && here != 0)
				continue;
			g = r->g[ny * w + nx];
			if ((g & G_BOX) && r->boxid[ny * w + nx] == b &&
			    here == 0 &&
			    router_side(&r->d->boxes[b], ny, nx)) {
				c2 = cost + (turn ? COST_TURN : 0);
				if (c2 < bestcost) {
					bestcost = c2;
					best = s;
					bestdir = nd;
				}
				continue;
			}
			if (g & (G_BOX | G_FULL))
				continue;
			if ((g & G_H) && (nd == 1 || nd == 3))
				continue;
			if ((g & G_V) && (nd == 0 || nd == 2))
				continue;
			c2 = cost + COST_STEP + (turn ? COST_TURN : 0) +
			    (g ? COST_CROSS : COST_NEAR *
			    router_near(r, ny, nx, nd));
			s2 = (int32_t)(((size_t)ny * (size_t)w + (size_t)nx) * 4 +
			    (size_t)nd);
			if (c2 < r->dist[s2]) {
				r->dist[s2] = c2;
				r->prev[s2] = s;
				heap_push(r, c2, s2);
			}
		}
	}
	if (best < 0) {
		*out = NULL;
		return 0;
	}
	for (n = 0, s = best; s >= 0; s = r->prev[s])
		n++;
	*out = xcalloc(n, sizeof **out);
	i = n;
	for (s = best; s >= 0; s = r->prev[s]) {
		struct diagram_cell *c = &(*out)[--i];
		int into = s % 4;

		c->y = (int16_t)((s / 4) / w);
		c->x = (int16_t)((s / 4) % w);
		/* Joined back the way it came... */
		c->conn = (uint8_t)(1u << ((into + 2) % 4));
	}
	/* ...and on to the next cell, or the arrow into b. */
	for (i = 0; i + 1 < n; i++) {
		struct diagram_cell *c = &(*out)[i];
		const struct diagram_cell *nx = &(*out)[i + 1];

		for (k = 0; k < 4; k++)
			if (c->y + dy[k] == nx->y && c->x + dx[k] == nx->x)
				c->conn |= (uint8_t)(1u << k);
	}
	(*out)[n - 1].conn |= (uint8_t)(1u << bestdir);
	(*out)[n - 1].arrow = (uint8_t)(1u << bestdir);
	return n;
}

/* Take the cells of a route: straight ones can be crossed later. */
static void
router_mark(struct router *r, const struct diagram_cell *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t *g = &r->g[c[i].y * r->d->w + c[i].x];

		if (i == 0 || i + 1 == n)
			*g |= G_FULL;
		else if (c[i].conn == (DIAGRAM_E | DIAGRAM_W))
			*g |= G_H;
		else if (c[i].conn == (DIAGRAM_N | DIAGRAM_S))
			*g |= G_V;
		else
			*g |= G_FULL;
	}
}

/* The counter's place: the middle of the route's longest straight
 * horizontal run of its own (not crossed), else beside its longest
 * vertical run where the cells are empty. */
static void
router_label(struct router *r, struct diagram_route *rt)
{
	size_t i, run = 0, best = 0, bend = 0;
	int w = r->d->w, k;

	rt->label_w = 0;
	for (i = 1; i + 1 < rt->n; i++) {
		const struct diagram_cell *c = &rt->cells[i];
		uint8_t g = r->g[c->y * w + c->x];

		if (c->conn == (DIAGRAM_E | DIAGRAM_W) && g == G_H &&
		    (run == 0 || rt->cells[i - 1].y == c->y))
			run++;
		else
			run = 0;
		if (run > best) {
			best = run;
			bend = i;
		}
	}
	if (best >= 4) {
		const struct diagram_cell *a = &rt->cells[bend + 1 - best];
		const struct diagram_cell *z = &rt->cells[bend];
		int x0 = a->x < z->x ? a->x : z->x, lw = (int)best - 2;

		if (lw > 8)
			lw = 8;
		rt->label_y = a->y;
		rt->label_x = (int16_t)(x0 + ((int)best - lw) / 2);
		rt->label_w = (int16_t)lw;
		for (k = 0; k < lw; k++)
			r->g[a->y * w + rt->label_x + k] |= G_LABEL;
		return;
	}
	/* Beside the middle of a vertical run, on the right then left. */
	run = best = 0;
	for (i = 1; i + 1 < rt->n; i++) {
		const struct diagram_cell *c = &rt->cells[i];

		if (c->conn == (DIAGRAM_N | DIAGRAM_S) &&
		    (run == 0 || rt->cells[i - 1].x == c->x))
			run++;
		else
			run = 0;
		if (run > best) {
			best = run;
			bend = i;
		}
	}
	if (best < 1)
		return;
	{
		const struct diagram_cell *m = &rt->cells[bend - best / 2];
		int side, lw;

		for (side = 1; side >= -1; side -= 2)
			for (lw = 4; lw >= 2; lw--) {
				int x0 = side > 0 ? m->x + 1 : m->x - lw, ok = 1;

				for (k = -1; k <= lw && ok; k++) {
					int xx = x0 + k;

					/* A blank each side, so it reads as
					 * a label, not a box. */
					if (k == -1 && side > 0)
						continue;
					if (k == lw && side < 0)
						continue;
					ok = router_free(r, m->y, xx);
				}
				if (!ok)
					continue;
				rt->label_y = m->y;
				rt->label_x = (int16_t)x0;
				rt->label_w = (int16_t)lw;
				for (k = 0; k < lw; k++)
					r->g[m->y * w + x0 + k] |= G_LABEL;
				return;
			}
	}
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

/* Route every edge of d in the given order onto a clean grid.  Returns
 * how many found no way. */
static size_t
diagram_route_order(struct router *r, struct diagram *d, const size_t *order)
{
	size_t ncell = (size_t)d->w * (size_t)d->h, i, failed = 0;
	int y, x;

	memset(r->g, 0, ncell);
	memset(r->boxid, -1, ncell);
	for (i = 0; i < DIAGRAM_NBOXES; i++)
		for (y = d->boxes[i].y; y < d->boxes[i].y + d->boxes[i].h; y++)
			for (x = d->boxes[i].x; x < d->boxes[i].x +
			    d->boxes[i].w; x++)
				if (y >= 0 && x >= 0 && y < d->h && x < d->w) {
					r->g[y * d->w + x] = G_BOX;
					r->boxid[y * d->w + x] = (int8_t)i;
				}
	for (i = 0; i < trans_nedges; i++) {
		free(d->routes[i].cells);
		d->routes[i].cells = NULL;
	}
	for (i = 0; i < trans_nedges; i++) {
		struct diagram_route *rt = &d->routes[order[i]];
		struct diagram_cell *cells;

		rt->n = router_route(r, diagram_box_index(d,
		    trans_edges[order[i]].from), diagram_box_index(d,
		    trans_edges[order[i]].to), &cells);
		rt->cells = cells;
		if (rt->n == 0)
			failed++;
		router_mark(r, cells, rt->n);
	}
	return failed;
}

/* Route every edge of d: shortest first, so short ones get the straight
 * lines; when some find no way, they go first in the next try (rip up
 * and retry), a few times at most. */
static void
diagram_route(struct diagram *d)
{
	struct router r;
	size_t ncell = (size_t)d->w * (size_t)d->h, i, j, k, tries;
	size_t *order = xcalloc(trans_nedges, sizeof *order);
	size_t *next = xcalloc(trans_nedges, sizeof *next);
	int *len = xcalloc(trans_nedges, sizeof *len);

	memset(&r, 0, sizeof r);
	r.d = d;
	r.g = xcalloc(ncell, 1);
	r.boxid = xcalloc(ncell, 1);
	r.dist = xcalloc(ncell * 4, sizeof *r.dist);
	r.prev = xcalloc(ncell * 4, sizeof *r.prev);
	r.heap = xcalloc(ncell * 4 * 4 * 2, sizeof *r.heap);
	d->routes = xcalloc(trans_nedges, sizeof *d->routes);
	for (i = 0; i < trans_nedges; i++) {
		const struct diagram_box *a, *b;

		a = diagram_box_of(d, trans_edges[i].from);
		b = diagram_box_of(d, trans_edges[i].to);
		order[i] = i;
		len[i] = abs((a->y + a->h / 2) - (b->y + b->h / 2)) +
		    abs((a->x + a->w / 2) - (b->x + b->w / 2));
	}
	/* Insertion sort: stable, and the table is small. */
	for (i = 1; i < trans_nedges; i++)
		for (j = i; j > 0 && len[order[j]] < len[order[j - 1]]; j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (tries = 0; tries < 40; tries++) {
		if (diagram_route_order(&r, d, order) == 0)
			break;
		/* The failed ones first, the rest as they were. */
		k = 0;
		for (i = 0; i < trans_nedges; i++)
			if (d->routes[order[i]].n == 0)
				next[k++] = order[i];
		for (i = 0; i < trans_nedges; i++)
			if (d->routes[order[i]].n != 0)
				next[k++] = order[i];
		memcpy(order, next, trans_nedges * sizeof *order);
	}
	for (i = 0; i < trans_nedges; i++)
		router_label(&r, &d->routes[order[i]]);
	free(order);
	free(next);
	free(len);
	free(r.g);
	free(r.boxid);
	free(r.dist);
	free(r.prev);
	free(r.heap);
}

const struct diagram *
diagram_get(int id)
{
	if (id < 0 || id >= DIAGRAM_NLAYOUTS)
		return NULL;
	if (diagram_layouts[id].routes == NULL)
		diagram_route(&diagram_layouts[id]);
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

const struct diagram_box *
diagram_box_of(const struct diagram *d, int state)
{
	int i = diagram_box_index(d, state);

	return i < 0 ? NULL : &d->boxes[i];
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
