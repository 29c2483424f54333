/* Connection list pane: column titles, then one row per connection; new
 * rows bold, gone rows dimmed, the selection in reverse, search matches
 * highlighted. */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

/* The gutter mark and role of a row: new and gone rows are told apart
 * by a mark too, for terminals without colour or dim; the operator's
 * own SSH session is "@". */
static int
pane_conns_row_role(const struct ui_frame *f, const struct conn *c,
    const char **mark)
{
	const struct tui *t = f->tui;

	*mark = " ";
	if (c->flags & CONN_GONE) {
		*mark = "-";
		return UI_GONE;
	}
	if (!(c->flags & CONN_PREEXISTING) &&
	    f->snap->fields.now_ms - c->first_seen_ms < t->highlight_ms) {
		*mark = c == f->ssh_conn ? "@" : "+";
		return UI_NEW;
	}
	if (c == f->ssh_conn)
		*mark = "@";
	return UI_NORMAL;
}

static void
pane_conns_titles(const struct ui_frame *f, int y, int x, int w,
    const int *widths)
{
	const struct tui *t = f->tui;
	size_t i;
	int cx = x + 1;

	ui_fill(y, x, w, UI_TITLE);
	for (i = 0; i < t->ncols; i++) {
		const struct field *col = &field_table[t->cols[i]];
		int sorted = t->cols[i] == t->sort_key ||
		    (t->sort_key == FIELD_LPORT && t->cols[i] == FIELD_LOCAL) ||
		    (t->sort_key == FIELD_RPORT && t->cols[i] == FIELD_REMOTE);
		int role = sorted ? UI_TITLE_SORT : UI_TITLE, tl, off;
		char title[64];

		if (widths[i] == 0)
			continue;
		/* Most titles are as wide as their column: the arrow then
		 * takes the title's last cell rather than being cut off,
		 * so the sort direction always shows. */
		tl = (int)strlen(col->title);
		if (sorted && tl + 1 > widths[i])
			tl = widths[i] - 1;
		snprintf(title, sizeof title, "%.*s%s", tl, col->title, sorted ?
		    ui_glyph(t->sort_reverse ? UI_G_DOWN : UI_G_UP) : "");
		tl += sorted ? 1 : 0;		/* cells: titles are ASCII */
		off = (col->flags & FIELD_F_RIGHT) && tl < widths[i] ?
		    widths[i] - tl : 0;
		ui_fill(y, cx, off, role);
		ui_putpad(y, cx + off, widths[i] - off, role, title);
		cx += widths[i] + 1;
	}
}

static void
pane_conns_row(const struct ui_frame *f, const struct conn *c, int y,
    int x, int w, const int *widths, int selected)
{
	const struct tui *t = f->tui;
	const char *mark;
	int role = pane_conns_row_role(f, c, &mark), cx = x + 1;
	int base = selected ? UI_SELECTED : role;
	size_t i;

	ui_fill(y, x, w, base);
	ui_put(y, x, 1, selected ? UI_SELECTED : role, mark);
	for (i = 0; i < t->ncols; i++) {
		int id = t->cols[i], cw = widths[i], tl, off, at, mx, mw;
		int cr = base;
		char text[CONN_ENDPOINT_LEN + 8];

		if (cw == 0)
			continue;
		field_fmt(id, c, &f->snap->fields, text, sizeof text);
		column_elide(text, sizeof text, cw, ui_glyph(UI_G_ELLIPSIS));
		/* The state keeps its phase colour on plain rows. */
		if (id == FIELD_STATE && base == UI_NORMAL)
			cr = ui_state_role(c->s.state);
		tl = text_cells(text, strlen(text));
		off = (field_table[id].flags & FIELD_F_RIGHT) && tl < cw ?
		    cw - tl : 0;
		ui_put(y, cx + off, cw - off, cr, text);
		/* Search matches are marked where they show.  The match is
		 * found in bytes, drawn in cells: an elided address holds a
		 * three-byte ellipsis before the port. */
		at = t->search[0] != '\0' ?
		    tui_search_find(t->search, id, text) : -1;
		if (at >= 0) {
			mx = text_cells(text, (size_t)at);
			mw = text_cells(text + at, strlen(t->search));
			if (mw > cw - off - mx)
				mw = cw - off - mx;
			if (mw > 0)
				ui_put(y, cx + off + mx, mw, UI_MATCH, text + at);
		}
		cx += cw + 1;
	}
}

static void
pane_conns_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	const struct view *v = f->view;
	int widths[FIELD_N], row;
	size_t i;

	if (r.h <= 0)
		return;
	column_layout(t->cols, t->ncols, r.w - 1, widths);
	pane_conns_titles(f, r.y, r.x, r.w, widths);
	if (v->n == 0 && r.h > 1) {
		ui_put(r.y + 1, r.x + 1, r.w - 1, UI_DIM, f->view->total == 0 &&
		    f->snap->realtime_ns == 0 ? "waiting for the first refresh" :
		    "no connections match");
		return;
	}
	for (row = 1, i = t->top; row < r.h && i < v->n; row++, i++)
		pane_conns_row(f, v->rows[i], r.y + row, r.x, r.w, widths,
		    i == t->sel);
}

const struct pane_ops pane_conns = { "conns", pane_conns_draw };
