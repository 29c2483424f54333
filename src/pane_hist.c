/* Histogram pane: one bar per TCP state with its count and share,
 * coloured by phase, in as many columns as the width allows when the
 * middle has room; else a line or two of the states with sockets. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/tcpstate.h"

#define PANE_HIST_CELL	26	/* narrowest cell with a full name */

/* Below this many rows of middle the histogram is a line or two of the
 * states that have sockets (the list keeps the rows); from it on, one
 * bar per state. */
#define PANE_HIST_FULL_ROWS	32
#define PANE_HIST_LINES		2	/* the compact form's most lines */

/* How the histogram fills its rows: which states, in how many columns
 * of full cells (name, count, bar, share); or compact, "NAME COUNT"
 * items on a line or two, the states with sockets only, short names
 * when the full ones do not fit, the smallest counts summed as
 * "others" when even those do not (t shows every state). */
struct pane_hist_plan {
	uint8_t states[TCPSTATE_MAX];
	size_t n;
	int cols;
	int rows;
	int compact;
	int brief;		/* compact with short names */
	size_t others;		/* compact: sockets of the states left out */
	int nothers;		/* and how many states */
};

/* One compact item's text. */
static void
pane_hist_item(const struct view *v, const struct pane_hist_plan *p,
    size_t k, char *buf, size_t len)
{
	int st = p->states[k];

	snprintf(buf, len, "%s %zu", p->brief ? tcpstate_brief(st) :
	    tcpstate_name(st), v->states[st]);
}

/* Lay the compact items out in w cells, two spaces between them, with
 * "others N" last when states were left out: the lines taken.  With y
 * >= 0 draws them at (y, x). */
static int
pane_hist_pack(const struct view *v, const struct pane_hist_plan *p, int w,
    int y, int x)
{
	char buf[48];
	int line = 0, cx = 0;
	size_t k;

	for (k = 0; k <= p->n; k++) {
		int len, nl;

		if (k == p->n && p->nothers == 0)
			break;
		if (k < p->n)
			pane_hist_item(v, p, k, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "others %zu", p->others);
		len = (int)strlen(buf);
		nl = cx > 0 && cx + 2 + len > w;
		if (nl) {
			line++;
			cx = 0;
		}
		cx += cx > 0 ? 2 : 0;
		if (y >= 0 && line >= p->rows)
			break;
		if (y >= 0 && k < p->n) {
			const char *name = p->brief ?
			    tcpstate_brief(p->states[k]) :
			    tcpstate_name(p->states[k]);
			int nw = (int)strlen(name);

			ui_put(y + line, x + cx, w - cx,
			    ui_state_role(p->states[k]), name);
			ui_put(y + line, x + cx + nw, w - cx - nw, UI_NORMAL,
			    buf + nw);
		} else if (y >= 0)
			ui_put(y + line, x + cx, w - cx, UI_DIM, buf);
		cx += len;
	}
	return line + 1;
}

/* The compact form: the states with sockets, in the histogram's order,
 * shortened and summed until they fit in lines. */
static void
pane_hist_compact(const struct view *v, int w, int lines,
    struct pane_hist_plan *p)
{
	int i;

	p->compact = 1;
	for (i = 0; v != NULL && i < TCPSTATE_MAX; i++)
		if (v->states[tcpstate_order[i]] > 0)
			p->states[p->n++] = tcpstate_order[i];
	if (p->n == 0 || v == NULL) {
		p->rows = 1;
		return;
	}
	if (pane_hist_pack(v, p, w, -1, 0) > lines)
		p->brief = 1;
	/* Still too long: the smallest states go into "others". */
	while (p->n > 1 && pane_hist_pack(v, p, w, -1, 0) > lines) {
		size_t k, min = 0;

		for (k = 1; k < p->n; k++)
			if (v->states[p->states[k]] <
			    v->states[p->states[min]])
				min = k;
		p->others += v->states[p->states[min]];
		p->nothers++;
		memmove(p->states + min, p->states + min + 1, p->n - min - 1);
		p->n--;
	}
	p->rows = pane_hist_pack(v, p, w, -1, 0);
	if (p->rows > lines)
		p->rows = lines;
}

static void
pane_hist_plan(const struct view *v, int w, int h, struct pane_hist_plan *p)
{
	int room = (h - 2) / 3, i;

	memset(p, 0, sizeof *p);
	if (h < PANE_HIST_FULL_ROWS) {
		pane_hist_compact(v, w, h >= 8 ? PANE_HIST_LINES : 1, p);
		return;
	}
	if (room < 1)
		room = 1;
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
	if (p->rows < 1)
		p->rows = 1;
	if (p->rows <= room)
		return;
	memset(p, 0, sizeof *p);
	pane_hist_compact(v, w, PANE_HIST_LINES, p);
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
	if (p.n == 0) {
		ui_put(r.y, r.x, r.w, UI_DIM, "no sockets");
		return;
	}
	if (p.compact) {
		p.rows = r.h;
		pane_hist_pack(&f->s->view, &p, r.w, r.y, r.x);
		return;
	}
	cells = (size_t)(p.cols * r.h);
	cw = r.w / p.cols;
	for (k = 0; k < p.n; k++)
		if (f->s->view.states[p.states[k]] > max)
			max = f->s->view.states[p.states[k]];
	/* Column-major, so the phases read downwards. */
	for (k = 0; k < p.n && k < cells; k++) {
		int col = (int)(k / (size_t)r.h), row = (int)(k % (size_t)r.h);
		int y = r.y + row, x = r.x + col * cw, st = p.states[k];

		pane_hist_cell(f, st, max, y, x, cw - 1);
	}
}
