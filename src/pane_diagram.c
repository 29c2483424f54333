/* Diagram pane: the TCP state diagram, live.  Each state's box holds its
 * count, each edge its transitions; an edge flashes when taken and
 * fades, abnormal ones in red.  The geometry is diagram.c's. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/diagram.h"
#include "tcptop/tcpstate.h"

/* The layout for r: the largest whose diagram and title line fit. */
static const struct diagram *
pane_diagram_layout(int w, int h)
{
	int id = diagram_pick(w, h - 1);

	return id < 0 ? NULL : diagram_get(id);
}

int
pane_diagram_height(int w, int h, int list)
{
	const struct diagram *d = pane_diagram_layout(w, h - list);

	/* Room to spare for the list: split; else the whole middle. */
	if (d != NULL)
		return d->h + 1;
	return h;
}

/* The role of edge i: its kind, and how long ago it was taken. */
static int
pane_diagram_role(const struct ui_frame *f, size_t i)
{
	int heat = f->trans == NULL ? DIAGRAM_IDLE :
	    diagram_heat(trans_last_ms(f->trans, i), f->anim_ms);

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

/* A count in at most 5 cells: 12345, 123k, 12M. */
static void
pane_diagram_num(uint64_t n, char *buf, size_t len)
{
	if (n < 100000)
		snprintf(buf, len, "%" PRIu64, n);
	else if (n < 10000000)
		snprintf(buf, len, "%" PRIu64 "k", n / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "M", n / 1000000);
}

static void
pane_diagram_box(const struct ui_frame *f, const struct diagram_box *b,
    int y0, int x0)
{
	size_t count = f->view->states[b->state];
	const char *name = b->state == TCP_CLOSE ? "CLOSED" :
	    tcpstate_name(b->state);
	int role = count ? ui_state_role(b->state) : UI_DIM, inner, y;
	char num[16];

	pane_diagram_num(count, num, sizeof num);
	if (b->h == 1) {
		inner = b->w - 2;
		ui_put(y0 + b->y, x0 + b->x, 1, UI_NORMAL, "[");
		ui_put(y0 + b->y, x0 + b->x + b->w - 1, 1, UI_NORMAL, "]");
		if ((int)strlen(name) + 1 + (int)strlen(num) > inner)
			name = tcpstate_brief(b->state);
		ui_putpad(y0 + b->y, x0 + b->x + 1, inner, role, name);
		ui_put(y0 + b->y, x0 + b->x + 1 + inner - (int)strlen(num),
		    (int)strlen(num), count ? UI_HEADER : UI_DIM, num);
		return;
	}
	ui_box((struct pane_rect){ y0 + b->y, x0 + b->x, b->h, b->w }, NULL);
	inner = b->w - 4;
	y = y0 + b->y + (b->h - 1) / 2;
	if (b->h >= 5) {
		/* A tall box: the name, and the count under it. */
		ui_put(y, x0 + b->x + 2, inner, role, name);
		ui_put(y + 1, x0 + b->x + 2, inner, count ? UI_HEADER : UI_DIM,
		    num);
		return;
	}
	ui_put(y, x0 + b->x + 2, inner, role, name);
	ui_put(y, x0 + b->x + 2 + inner - (int)strlen(num), (int)strlen(num),
	    count ? UI_HEADER : UI_DIM, num);
}

/* The counter on edge i, and its rate when it has one and room. */
static void
pane_diagram_label(const struct ui_frame *f, const struct diagram_route *r,
    size_t i, int y0, int x0, int role)
{
	uint64_t n = trans_count(f->trans, trans_edges[i].from,
	    trans_edges[i].to);
	double rate = trans_rate(f->trans, i, f->anim_ms);
	char num[16], buf[32];
	int len;

	if (r->label_w == 0 || n == 0)
		return;
	pane_diagram_num(n, num, sizeof num);
	snprintf(buf, sizeof buf, "%s", num);
	if (rate >= 0.1 && strlen(num) + 6 <= (size_t)r->label_w)
		snprintf(buf, sizeof buf, "%s %.1f/s", num, rate);
	len = (int)strlen(buf);
	if (len > r->label_w)
		return;
	ui_put(y0 + r->label_y, x0 + r->label_x + (r->label_w - len) / 2, len,
	    role == UI_DIM ? UI_NORMAL : role, buf);
}

static void
pane_diagram_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct diagram *d = pane_diagram_layout(r.w, r.h);
	static uint8_t conn[64 * 160];
	size_t order[64], i, k, n;
	char title[160];
	int y0, x0, heat;

	snprintf(title, sizeof title, "TCP states: %s",
	    f->trans_source != NULL ? f->trans_source : "no transitions");
	ui_putpad(r.y, r.x, r.w, UI_HEADER, title);
	if (d == NULL || f->trans == NULL) {
		ui_put(r.y + 1, r.x, r.w, UI_WARN, "the diagram needs a "
		    "terminal of 80x24 or more");
		return;
	}
	y0 = r.y + 1;
	x0 = r.x + (r.w - d->w) / 2;
	/* Where lines cross, each is drawn with both directions. */
	memset(conn, 0, sizeof conn);
	for (i = 0; i < trans_nedges; i++)
		for (k = 0; k < d->routes[i].n; k++) {
			const struct diagram_cell *c = &d->routes[i].cells[k];

			conn[c->y * d->w + c->x] |= c->conn;
		}
	/* The hottest last, so a flash shows over what it crosses. */
	n = 0;
	for (heat = DIAGRAM_IDLE; heat <= DIAGRAM_FLASH; heat++)
		for (i = 0; i < trans_nedges && n < 64; i++)
			if (diagram_heat(trans_last_ms(f->trans, i),
			    f->anim_ms) == heat)
				order[n++] = i;
	for (k = 0; k < n; k++) {
		const struct diagram_route *rt = &d->routes[order[k]];
		int role = pane_diagram_role(f, order[k]);
		size_t j;

		for (j = 0; j < rt->n; j++) {
			const struct diagram_cell *c = &rt->cells[j];

			ui_linecell(y0 + c->y, x0 + c->x, c->arrow ? c->conn :
			    conn[c->y * d->w + c->x], c->arrow, role);
		}
		pane_diagram_label(f, rt, order[k], y0, x0, role);
	}
	for (i = 0; i < DIAGRAM_NBOXES; i++)
		pane_diagram_box(f, &d->boxes[i], y0, x0);
}

const struct pane_ops pane_diagram = { "diagram", pane_diagram_draw };
