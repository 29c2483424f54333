/* Histogram pane: one bar per TCP state with its count and share,
 * coloured by phase, in as many columns as the width allows. */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/tcpstate.h"

#define PANE_HIST_CELL	26	/* narrowest cell with a full name */

/* The states to show: all of them when they fit, else only those with
 * sockets (what piles up is what matters). */
static size_t
pane_hist_states(const struct view *v, size_t cells, uint8_t *out)
{
	size_t i, n = 0;

	if (cells >= TCPSTATE_MAX) {
		memcpy(out, tcpstate_order, TCPSTATE_MAX);
		return TCPSTATE_MAX;
	}
	for (i = 0; i < TCPSTATE_MAX; i++)
		if (v->states[tcpstate_order[i]] > 0)
			out[n++] = tcpstate_order[i];
	return n;
}

/* Columns of cells across w. */
static int
pane_hist_cols(int w)
{
	int c = w / 40;

	return c < 1 ? 1 : c > 4 ? 4 : c;
}

int
pane_hist_height(const struct ui_frame *f, int w, int h)
{
	int cols = pane_hist_cols(w), room = (h - 2) / 3, need;
	uint8_t st[TCPSTATE_MAX];
	size_t n;

	if (room < 1)
		room = 1;
	/* All 11 states when they fit in a third of the height. */
	need = (TCPSTATE_MAX + cols - 1) / cols;
	if (need <= room)
		return need;
	n = f->view != NULL ? pane_hist_states(f->view, 0, st) : 0;
	need = ((int)n + cols - 1) / cols;
	if (need < 1)
		need = 1;
	return need < room ? need : room;
}

static void
pane_hist_cell(const struct ui_frame *f, int state, size_t max, int y,
    int x, int w)
{
	const struct view *v = f->view;
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

static void
pane_hist_draw(const struct ui_frame *f, struct pane_rect r)
{
	int cols = pane_hist_cols(r.w), cw = r.w / cols;
	uint8_t st[TCPSTATE_MAX];
	size_t n, max = 0, k, cells = (size_t)(cols * r.h);

	if (r.h <= 0)
		return;
	n = pane_hist_states(f->view, cells, st);
	for (k = 0; k < n; k++)
		if (f->view->states[st[k]] > max)
			max = f->view->states[st[k]];
	if (n == 0) {
		ui_put(r.y, r.x, r.w, UI_DIM, "no sockets");
		return;
	}
	/* Column-major, so the phases read downwards. */
	for (k = 0; k < n && k < cells; k++) {
		int col = (int)(k / (size_t)r.h), row = (int)(k % (size_t)r.h);

		if (k == cells - 1 && n > cells) {
			char more[32];

			snprintf(more, sizeof more, "+%zu more states",
			    n - cells + 1);
			ui_put(r.y + row, r.x + col * cw, cw - 1, UI_DIM, more);
			break;
		}
		pane_hist_cell(f, st[k], max, r.y + row, r.x + col * cw,
		    cw - 1);
	}
}

const struct pane_ops pane_hist = { "hist", pane_hist_draw };
