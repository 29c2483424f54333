/* Column chooser pane: every column with a mark on the shown ones and
 * its place in the order, and the highlighted column's help (the state
 * is tui.c's). */
#include <stdio.h>
#include <string.h>

#include "pane.h"

/* Rows kept under the list for the highlighted column's help. */
#define PANE_COLUMNS_HELP 2

/* The help of col wrapped on at most rows lines of w cells from y. */
static void
pane_columns_help(int y, int x, int w, int rows, const char *help)
{
	char line[256];

	while (*help != '\0' && rows-- > 0) {
		int len = (int)strlen(help), cut = len;

		if (len > w) {
			for (cut = w; cut > 0 && help[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = w;
		}
		snprintf(line, sizeof line, "%.*s", cut, help);
		ui_putpad(y++, x, w, UI_DIM, line);
		help += cut;
		while (*help == ' ')
			help++;
	}
}

static void
pane_columns_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	uint8_t ids[FIELD_N];
	size_t n = tui_columns_list(t, ids), i, first = 0, pos = 0;
	int rows = r.h - 2, help = 0, y;

	ui_box(r, " Columns: Space shows/hides, [ ] move, Enter done ");
	if (rows >= 3 + PANE_COLUMNS_HELP) {
		help = PANE_COLUMNS_HELP;
		rows -= help + 1;
	}
	if (rows < 1)
		return;
	for (i = 0; i < n; i++)
		if (ids[i] == t->col_sel)
			pos = i;
	if (pos >= (size_t)rows)
		first = pos - (size_t)rows + 1;
	for (y = 0; y < rows && first + (size_t)y < n; y++) {
		const struct field *col = &field_table[ids[first + y]];
		int k = tui_columns_index(t, ids[first + y]);
		char line[256], place[12] = "";

		if (k >= 0)
			snprintf(place, sizeof place, "%d", k + 1);
		snprintf(line, sizeof line, "[%c] %2s %-9s %-8s %s",
		    k >= 0 ? 'x' : ' ', place, col->name, col->title,
		    col->help);
		ui_putpad(r.y + 1 + y, r.x + 1, r.w - 2, first + (size_t)y ==
		    pos ? UI_SELECTED : UI_NORMAL, line);
	}
	if (help > 0 && t->col_sel >= 0 && t->col_sel < FIELD_N)
		pane_columns_help(r.y + r.h - 1 - help, r.x + 2, r.w - 4, help,
		    field_table[t->col_sel].help);
}

const struct pane_ops pane_columns = { "columns", pane_columns_draw };
