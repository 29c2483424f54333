/* The diagram's layouts: every edge routed from its box to its box, no
 * two boxes overlapping, everything inside the layout, the small one
 * within 80 columns; and the animation's clock.  DIAGRAM_DUMP=1 prints
 * each layout in ASCII. */
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

/* The layout in ASCII, as the pane draws it under --ascii. */
static void
dump(const struct diagram *d)
{
	char *g = malloc((size_t)(d->h * d->w));
	size_t i, k;
	int y, x;

	memset(g, ' ', (size_t)(d->h * d->w));
	for (i = 0; i < DIAGRAM_NBOXES; i++) {
		const struct diagram_box *b = &d->boxes[i];
		const char *n = b->state == TCP_CLOSE ? "CLOSED" :
		    tcpstate_name(b->state);

		for (y = b->y; y < b->y + b->h; y++)
			for (x = b->x; x < b->x + b->w; x++)
				g[y * d->w + x] = b->h == 1 ? ' ' :
				    (y == b->y || y == b->y + b->h - 1) ? '-' :
				    (x == b->x || x == b->x + b->w - 1) ? '|' :
				    ' ';
		if (b->h == 1) {
			g[b->y * d->w + b->x] = '[';
			g[b->y * d->w + b->x + b->w - 1] = ']';
		}
		memcpy(&g[(b->y + b->h / 2) * d->w + b->x + 1], n, strlen(n));
	}
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
				*p = *p == '|' ? '+' : '-';
			else if (c->conn == (DIAGRAM_N | DIAGRAM_S))
				*p = *p == '-' ? '+' : '|';
			else
				*p = '+';
		}
		for (k = 0; k < (size_t)r->label_w; k++)
			g[r->label_y * d->w + r->label_x + (int)k] =
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

		if (!CHECK(d != NULL))
			continue;
		if (getenv("DIAGRAM_DUMP") != NULL)
			dump(d);
		/* Every state once, inside the layout, no overlaps. */
		for (i = 0; i < DIAGRAM_NBOXES; i++) {
			const struct diagram_box *b = &d->boxes[i];

			CHECK(diagram_box_of(d, tcpstate_order[i]) != NULL);
			CHECK(b->y >= 0 && b->x >= 0 && b->y + b->h <= d->h &&
			    b->x + b->w <= d->w);
			for (j = i + 1; j < DIAGRAM_NBOXES; j++) {
				const struct diagram_box *c = &d->boxes[j];

				CHECK(b->state != c->state);
				CHECK(b->x + b->w <= c->x ||
				    c->x + c->w <= b->x ||
				    b->y + b->h <= c->y ||
				    c->y + c->h <= b->y);
			}
		}
		if (id != DIAGRAM_ROOMY)
			CHECK(d->w <= 80);
		/* Every edge: a line of adjacent cells from beside its
		 * source box to an arrow into its target box, on no box. */
		labels = 0;
		for (i = 0; i < trans_nedges; i++) {
			const struct diagram_route *r = &d->routes[i];
			const struct diagram_box *a, *b;
			const struct diagram_cell *z;

			a = diagram_box_of(d, trans_edges[i].from);
			b = diagram_box_of(d, trans_edges[i].to);
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

				CHECK(c->y >= 0 && c->x >= 0 && c->y < d->h &&
				    c->x < d->w);
				for (j = 0; j < DIAGRAM_NBOXES; j++)
					CHECK(!inside(&d->boxes[j], c->y,
					    c->x));
				if (k > 0)
					CHECK(abs(c->y - r->cells[k - 1].y) +
					    abs(c->x - r->cells[k - 1].x) == 1);
			}
			if (r->label_w > 0)
				labels++;
		}
		/* Most edges have room for their counter. */
		CHECK((size_t)labels * 3 >= trans_nedges * 2);
		printf("%s: %d of %zu edges labelled\n", d->name, labels,
		    trans_nedges);
	}
	/* The biggest that fits. */
	CHECK_EQ(diagram_pick(80, 21), DIAGRAM_TALL);
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
