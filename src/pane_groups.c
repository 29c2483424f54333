/* Group list pane (g): titles, then one row per group with its key, its
 * count and its own state histogram, the selection in reverse. */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/tcpstate.h"

#define PANE_GROUPS_COUNT	7	/* "1234567" */
#define PANE_GROUPS_KEYMAX	39	/* an IPv6 address in full */

/* The key column: as wide as the widest key on screen, not less than
 * its title, at most half the pane. */
static int
pane_groups_keyw(const struct ui_frame *f, int w, int rows)
{
	const struct tui *t = f->tui;
	const struct groups *g = t->groups;
	char label[GROUP_LABEL_LEN];
	int kw = (int)strlen(group_kinds[t->group_kind].title), l, i;
	size_t k;

	for (i = 0, k = t->group_top; i < rows && k < g->n; i++, k++) {
		group_label(g, &g->v[k].key, label, sizeof label);
		l = (int)strlen(label);
		kw = l > kw ? l : kw;
	}
	if (kw > PANE_GROUPS_KEYMAX)
		kw = PANE_GROUPS_KEYMAX;
	if (kw > w / 2)
		kw = w / 2;
	return kw;
}

static void
pane_groups_titles(const struct ui_frame *f, struct pane_rect r, int kw)
{
	const struct tui *t = f->tui;
	char title[64];
	int x = r.x + 1;

	ui_fill(r.y, r.x, r.w, UI_TITLE);
	ui_put(r.y, x, kw, UI_TITLE, group_kinds[t->group_kind].title);
	x += kw + 1;
	/* The arrow marks what the groups are sorted by: the count, or
	 * one state's count (< >). */
	snprintf(title, sizeof title, "%*s%s", PANE_GROUPS_COUNT -
	    (t->group_sort == 0), "COUNT", t->group_sort == 0 ?
	    ui_glyph(UI_G_DOWN) : "");
	ui_put(r.y, x, PANE_GROUPS_COUNT, t->group_sort == 0 ?
	    UI_TITLE_SORT : UI_TITLE, title);
	x += PANE_GROUPS_COUNT + 2;
	if (t->group_sort == 0)
		ui_put(r.y, x, r.w - (x - r.x), UI_TITLE, "STATES");
	else {
		snprintf(title, sizeof title, "STATES by %s%s",
		    tcpstate_brief(t->group_sort), ui_glyph(UI_G_DOWN));
		ui_put(r.y, x, r.w - (x - r.x), UI_TITLE_SORT, title);
	}
}

/* "ESTAB 3  CLSWT 12": each state present, in display order, the one
 * the groups are sorted by first so it never falls off the edge. */
static void
pane_groups_hist(const struct group *gr, int y, int x, int w, int sel,
    int sorted)
{
	char num[16];
	int i, st, end = x + w, n;

	for (i = -1; i < TCPSTATE_MAX && x < end; i++) {
		st = i < 0 ? sorted : tcpstate_order[i];
		if (st == 0 || gr->states[st] == 0 || (i >= 0 && st == sorted))
			continue;
		n = ui_put(y, x, end - x, sel ? UI_SELECTED :
		    ui_state_role(st), tcpstate_brief(st));
		x += n + 1;
		snprintf(num, sizeof num, "%u", gr->states[st]);
		if (x < end)
			x += ui_put(y, x, end - x, sel ? UI_SELECTED :
			    st == sorted ? UI_HEADER : UI_NORMAL, num) + 2;
	}
}

static void
pane_groups_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	const struct groups *g = t->groups;
	char label[GROUP_LABEL_LEN], num[16];
	int kw, row, sel, x;
	size_t k;

	if (r.h <= 0)
		return;
	kw = g != NULL ? pane_groups_keyw(f, r.w - 1, r.h - 1) :
	    (int)strlen(group_kinds[t->group_kind].title);
	pane_groups_titles(f, r, kw);
	if ((g == NULL || g->n == 0) && r.h > 1) {
		ui_put(r.y + 1, r.x + 1, r.w - 1, UI_DIM, g == NULL ||
		    f->snap->realtime_ns == 0 ? "waiting for the first refresh" :
		    "no connections match");
		return;
	}
	for (row = 1, k = t->group_top; row < r.h && k < g->n; row++, k++) {
		const struct group *gr = &g->v[k];
		int y = r.y + row;

		sel = k == t->group_sel;
		ui_fill(y, r.x, r.w, sel ? UI_SELECTED : UI_NORMAL);
		group_label(g, &gr->key, label, sizeof label);
		column_elide(label, sizeof label, kw, ui_glyph(UI_G_ELLIPSIS));
		x = r.x + 1;
		ui_put(y, x, kw, sel ? UI_SELECTED : UI_NORMAL, label);
		x += kw + 1;
		snprintf(num, sizeof num, "%*u", PANE_GROUPS_COUNT, gr->count);
		ui_put(y, x, PANE_GROUPS_COUNT, sel ? UI_SELECTED : UI_NORMAL,
		    num);
		x += PANE_GROUPS_COUNT + 2;
		pane_groups_hist(gr, y, x, r.w - (x - r.x), sel,
		    t->group_sort);
	}
}

const struct pane_ops pane_groups = { "groups", pane_groups_draw };
