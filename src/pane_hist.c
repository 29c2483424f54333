/* Histogram pane: one bar per TCP state with its count and share,
 * coloured by phase, in as many columns as the width allows. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/tcpstate.h"

#define PANE_HIST_CELL	26	/* narrowest cell with a full name */

#define PANE_HIST_COMPACT 13	/* "ESTAB 123456 " */

/* How the histogram fills its rows: which states, in how many columns,
 * full cells (name, count, bar, share) or compact ones (short name and
 * count) when space is short. */
struct pane_hist_plan {
	uint8_t states[TCPSTATE_MAX];
	size_t n;
	int cols;
	int rows;
	int compact;
};

static void
pane_hist_plan(const struct view *v, int w, int h, struct pane_hist_plan *p)
{
	int room = (h - 2) / 3, i;

	/* Six rows hold all 11 states in two columns at 80: worth a list
	 * row or two while the list keeps ten (the lines above it grow with
	 * the kernel's counters and an alert). */
	if (room < 6 && h - 6 >= 10)
		room = 6;
	if (room < 1)
		room = 1;
	memset(p, 0, sizeof *p);
	p->cols = w / 40 < 1 ? 1 : w / 40 > 4 ? 4 : w / 40;
	/* All 11 states when they fit in a third of the height... */
	if ((TCPSTATE_MAX + p->cols - 1) / p->cols <= room) {
		memcpy(p->states, tcpstate_order, TCPSTATE_MAX);
		p->n = TCPSTATE_MAX;
		p->rows = (TCPSTATE_MAX + p->cols - 1) / p->cols;
		return;
	}
	/* ...else only those with sockets: what piles up is what matters. */
	for (i = 0; v != NULL && i < TCPSTATE_MAX; i++)
		if (v->states[tcpstate_order[i]] > 0)
			p->states[p->n++] = tcpstate_order[i];
	p->rows = ((int)p->n + p->cols - 1) / p->cols;
	if (p->rows <= room) {
		if (p->rows < 1)
			p->rows = 1;
		return;
	}
	/* Still too many: compact cells, in up to half the height. */
	p->compact = 1;
	p->cols = w / PANE_HIST_COMPACT < 1 ? 1 : w / PANE_HIST_COMPACT;
	if (room < (h - 1) / 2)
		room = (h - 1) / 2;
	p->rows = ((int)p->n + p->cols - 1) / p->cols;
	if (p->rows > room)
		p->rows = room;
	if (p->rows < 1)
		p->rows = 1;
}

int
pane_hist_height(const struct frame *f, int w, int h)
{
	struct pane_hist_plan p;

	pane_hist_plan(&f->s->view, w, h, &p);
	return p.rows;
}

static void
pane_hist_cell(const struct frame *f, int state, size_t max, int y,
    int x, int w)
{
	const struct view *v = &f->s->view;
	size_t count = v->states[state];
	int role = ui_state_role(state), namew, barw, full, part, i;
	char num[24], pct[8];
	const char *name;

	/* NAME COUNT BAR PCT, with the name shortened on narrow cells. */
	name = w >= PANE_HIST_CELL ? tcpstate_name(state) :
	    tcpstate_brief(state);
	namew = w >= PANE_HIST_CELL ? 11 : 5;
	snprintf(num, sizeof num, "%zu", count);
	if (v->total == 0 || count == 0)
		snprintf(pct, sizeof pct, "%s", count ? "" : "");
	else if (count * 100 < v->total)
		snprintf(pct, sizeof pct, "<1%%");
	else
		snprintf(pct, sizeof pct, "%zu%%", count * 100 / v->total);
	ui_put(y, x, namew, count ? role : UI_DIM, name);
	ui_put(y, x + namew + 1, 7, count ? UI_NORMAL : UI_DIM, num);
	barw = w - namew - 1 - 7 - 1 - 6;
	if (barw < 1 || count == 0 || max == 0)
		goto pct;
	/* Scaled to the fullest state, so a pile-up stands out; never
	 * less than a sliver when there is anything. */
	full = (int)(count * (size_t)barw / max);
	part = (int)((count * (size_t)barw * 8 / max) % 8);
	for (i = 0; i < full; i++)
		ui_put(y, x + namew + 9 + i, 1, role, ui_glyph(UI_G_BLOCK));
	if (part > 0 && full < barw && ui_eighth(part) != NULL)
		ui_put(y, x + namew + 9 + full, 1, role, ui_eighth(part));
	else if (full == 0)
		ui_put(y, x + namew + 9, 1, role, ui_eighth(1) != NULL ?
		    ui_eighth(1) : "|");
pct:
	if (w >= namew + 13)
		ui_put(y, x + w - 5, 4, UI_NORMAL, pct);
}

void
pane_hist_draw(const struct frame *f, struct rect r, int mid)
{
	struct pane_hist_plan p;
	size_t max = 0, k, cells;
	int cw;

	if (r.h <= 0)
		return;
	/* The plan for the whole middle, as ui.c asked for r. */
	pane_hist_plan(&f->s->view, r.w, mid, &p);
	cells = (size_t)(p.cols * r.h);
	cw = r.w / p.cols;
	for (k = 0; k < p.n; k++)
		if (f->s->view.states[p.states[k]] > max)
			max = f->s->view.states[p.states[k]];
	if (p.n == 0) {
		ui_put(r.y, r.x, r.w, UI_DIM, "no sockets");
		return;
	}
	/* Column-major, so the phases read downwards. */
	for (k = 0; k < p.n && k < cells; k++) {
		int col = (int)(k / (size_t)r.h), row = (int)(k % (size_t)r.h);
		int y = r.y + row, x = r.x + col * cw, st = p.states[k];
		char buf[32];

		if (k == cells - 1 && p.n > cells) {
			snprintf(buf, sizeof buf, "+%zu more", p.n - cells + 1);
			ui_put(y, x, cw - 1, UI_DIM, buf);
			break;
		}
		if (!p.compact) {
			pane_hist_cell(f, st, max, y, x, cw - 1);
			continue;
		}
		ui_put(y, x, 5, ui_state_role(st), tcpstate_brief(st));
		snprintf(buf, sizeof buf, "%6zu", f->s->view.states[st]);
		ui_put(y, x + 6, cw - 7, UI_NORMAL, buf);
	}
}

