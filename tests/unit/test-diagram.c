/* The diagram's layouts: every edge shown, as a line from its box to
 * its box or as a stub against its source box; lines continuous, on no
 * box, and never sharing a cell; no two boxes overlapping; everything
 * inside the layout, the compact one within 80x13 so that 80x24 has
 * room for the list; counters with room; and the animation's clock.
 * DIAGRAM_DUMP=1 prints each layout in ASCII. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tcptop/diagram.h"
#include "tcptop/tcpstate.h"

static int
inside(const struct diagram_box *b, int y, int x)
{
	return y >= b->y && y < b->y + b->h && x >= b->x && x < b->x + b->w;
}

static int
adjacent(const struct diagram_box *b, int y, int x)
{
	return inside(b, y - 1, x) || inside(b, y + 1, x) ||
	    inside(b, y, x - 1) || inside(b, y, x + 1);
}

static void
dump_box(const struct diagram *d, char *g, const struct diagram_box *b)
{
	const char *n = b->state == TCP_CLOSE ? "CLOSED" :
	    tcpstate_name(b->state);
	int y, x;

	for (y = b->y; y < b->y + b->h; y++)
		for (x = b->x; x < b->x + b->w; x++)
			g[y * d->w + x] = b->h == 1 ? ' ' :
			    (y == b->y || y == b->y + b->h - 1) ? '-' :
			    (x == b->x || x == b->x + b->w - 1) ? '|' : ' ';
	if (b->h == 1) {
		g[b->y * d->w + b->x] = '[';
		g[b->y * d->w + b->x + b->w - 1] = ']';
	}
	memcpy(&g[(b->y + b->h / 2) * d->w + b->x + 1], n, strlen(n));
}

/* The layout in ASCII, as the pane draws it under --ascii; counters'
 * room as letters, stubs as x. */
static void
dump(const struct diagram *d)
{
	char *g = malloc((size_t)(d->h * d->w));
	size_t i, k;
	int y;

	memset(g, ' ', (size_t)(d->h * d->w));
	for (i = 0; i < DIAGRAM_NBOXES; i++)
		dump_box(d, g, &d->boxes[i]);
	dump_box(d, g, &d->sink);
	for (i = 0; i < trans_nedges; i++) {
		const struct diagram_route *r = &d->routes[i];

		for (k = 0; k < r->n; k++) {
			const struct diagram_cell *c = &r->cells[k];
			char *p = &g[c->y * d->w + c->x];

			if (c->arrow)
				*p = c->arrow == DIAGRAM_N ? '^' :
				    c->arrow == DIAGRAM_S ? 'v' :
				    c->arrow == DIAGRAM_E ? '>' : '<';
			else if (c->conn == (DIAGRAM_E | DIAGRAM_W))
				*p = '-';
			else if (c->conn == (DIAGRAM_N | DIAGRAM_S))
				*p = '|';
			else
				*p = '+';
		}
		for (k = 0; k < (size_t)r->label_w; k++)
			g[r->label_y * d->w + r->label_x + (int)k] =
			    r->style == DIAGRAM_STUB ? 'x' :
			    (char)('a' + (int)i % 26);
	}
	printf("%s %dx%d\n", d->name, d->w, d->h);
	for (y = 0; y < d->h; y++)
		printf("%.*s|\n", d->w, &g[y * d->w]);
	free(g);
}

int
main(void)
{
	int id, labels;
	size_t i, j, k;

	for (id = 0; id < DIAGRAM_NLAYOUTS; id++) {
		const struct diagram *d = diagram_get(id);
		int *owner;

		if (!CHECK(d != NULL))
			continue;
		if (getenv("DIAGRAM_DUMP") != NULL)
			dump(d);
		owner = calloc((size_t)(d->h * d->w), sizeof *owner);
		/* Every state once, inside the layout, no overlaps; the
		 * sink is CLOSED again and overlaps nothing either. */
		CHECK_EQ(d->sink.state, TCP_CLOSE);
		for (i = 0; i <= DIAGRAM_NBOXES; i++) {
			const struct diagram_box *b = i < DIAGRAM_NBOXES ?
			    &d->boxes[i] : &d->sink;

			if (i < DIAGRAM_NBOXES)
				CHECK(diagram_box_of(d, tcpstate_order[i]) !=
				    NULL);
			CHECK(b->y >= 0 && b->x >= 0 && b->y + b->h <= d->h &&
			    b->x + b->w <= d->w);
			for (j = i + 1; j <= DIAGRAM_NBOXES; j++) {
				const struct diagram_box *c =
				    j < DIAGRAM_NBOXES ? &d->boxes[j] :
				    &d->sink;

				if (j < DIAGRAM_NBOXES)
					CHECK(b->state != c->state);
				CHECK(b->x + b->w <= c->x ||
				    c->x + c->w <= b->x ||
				    b->y + b->h <= c->y ||
				    c->y + c->h <= b->y);
			}
		}
		if (id == DIAGRAM_COMPACT)
			CHECK(d->w <= 80 && d->h <= 13);
		/* Every edge: a line of adjacent cells from beside its
		 * source box to an arrow into its target box, on no box
		 * and on no other line; or a stub against its box. */
		labels = 0;
		for (i = 0; i < trans_nedges; i++) {
			const struct diagram_route *r = &d->routes[i];
			const struct diagram_box *a, *b;
			const struct diagram_cell *z;

			a = diagram_box_of(d, trans_edges[i].from);
			b = diagram_target(d, i);
			if (r->style == DIAGRAM_STUB) {
				/* Only into CLOSED, a box's own counter. */
				CHECK_EQ(trans_edges[i].to, TCP_CLOSE);
				CHECK(r->n == 0 && r->label_w >= 4);
				CHECK(adjacent(a, r->label_y, r->label_x) ||
				    adjacent(a, r->label_y, r->label_x +
				    r->label_w - 1));
				for (k = 0; k < (size_t)r->label_w; k++) {
					int y = r->label_y,
					    x = r->label_x + (int)k;

					CHECK(x >= 0 && x < d->w);
					for (j = 0; j < DIAGRAM_NBOXES; j++)
						CHECK(!inside(&d->boxes[j], y,
						    x));
				}
				labels++;
				continue;
			}
			if (!CHECK(r->n > 0)) {
				fprintf(stderr, "%s: no route for %s -> %s\n",
				    d->name, tcpstate_name(trans_edges[i].from),
				    tcpstate_name(trans_edges[i].to));
				continue;
			}
			CHECK(adjacent(a, r->cells[0].y, r->cells[0].x));
			z = &r->cells[r->n - 1];
			CHECK(z->arrow != 0);
			CHECK(inside(b, z->y + (z->arrow == DIAGRAM_S) -
			    (z->arrow == DIAGRAM_N), z->x +
			    (z->arrow == DIAGRAM_E) - (z->arrow == DIAGRAM_W)));
			for (k = 0; k < r->n; k++) {
				const struct diagram_cell *c = &r->cells[k];

				if (!CHECK(c->y >= 0 && c->x >= 0 &&
				    c->y < d->h && c->x < d->w))
					continue;
				for (j = 0; j < DIAGRAM_NBOXES; j++)
					CHECK(!inside(&d->boxes[j], c->y,
					    c->x));
				CHECK(!inside(&d->sink, c->y, c->x));
				if (k > 0)
					CHECK(abs(c->y - r->cells[k - 1].y) +
					    abs(c->x - r->cells[k - 1].x) == 1);
				/* No crossing: a cell is one line's. */
				if (!CHECK(owner[c->y * d->w + c->x] == 0))
					fprintf(stderr, "%s: %s -> %s meets "
					    "another line at %d,%d\n", d->name,
					    tcpstate_name(trans_edges[i].from),
					    tcpstate_name(trans_edges[i].to),
					    c->y, c->x);
				owner[c->y * d->w + c->x] = (int)i + 1;
			}
			if (r->label_w > 0)
				labels++;
		}
		/* Every edge has room for its counter. */
		CHECK_EQ((size_t)labels, trans_nedges);
		printf("%s: %d of %zu edges labelled\n", d->name, labels,
		    trans_nedges);
		free(owner);
	}
	/* The biggest that fits. */
	CHECK_EQ(diagram_pick(80, 13), DIAGRAM_COMPACT);
	CHECK_EQ(diagram_pick(80, 40), DIAGRAM_COMPACT);
	CHECK_EQ(diagram_pick(132, 30), DIAGRAM_ROOMY);
	CHECK(diagram_pick(60, 30) == -1);

	/* The fade: flash, hot, warm, idle, and frames only while it
	 * lasts, at most every DIAGRAM_FRAME_MS. */
	CHECK_EQ(diagram_heat(INT64_MIN, 1000), DIAGRAM_IDLE);
	CHECK_EQ(diagram_heat(1000, 1000), DIAGRAM_FLASH);
	CHECK_EQ(diagram_heat(1000, 1500), DIAGRAM_HOT);
	CHECK_EQ(diagram_heat(1000, 2000), DIAGRAM_WARM);
	CHECK_EQ(diagram_heat(1000, 1000 + DIAGRAM_FADE_MS), DIAGRAM_IDLE);
	{
		struct trans *t = trans_new(10000);
		struct trans_event e;

		CHECK(diagram_next_frame(t, 5000) == INT64_MAX);
		memset(&e, 0, sizeof e);
		e.t_ms = 5000;
		e.from = TCP_SYN_SENT;
		e.to = TCP_ESTABLISHED;
		trans_add(t, &e);
		CHECK(diagram_next_frame(t, 5000) == 5300);
		CHECK(diagram_next_frame(t, 5250) == 5350);
		CHECK(diagram_next_frame(t, 5300) == 5800);
		CHECK(diagram_next_frame(t, 6000) == 6500);
		CHECK(diagram_next_frame(t, 6500) == INT64_MAX);
		trans_free(t);
	}
	return check_done();
}
