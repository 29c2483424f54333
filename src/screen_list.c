/* The connection list: column titles, then one row per connection; new
 * rows bold, gone rows dimmed, the selection in reverse, search matches
 * highlighted; its keys move the selection, search, open the detail,
 * the diagram, follow, explain, kill, groups and alerts. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "screen.h"
#include "tcptop/column.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

/* The gutter mark and role of a row: new and gone rows are told apart
 * by a mark too, for terminals without colour or dim; the operator's
 * own SSH session is "@". */
static int
screen_list_row_role(const struct frame *f, const struct conn *c,
    const char **mark)
{
	const struct session *t = f->s;

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

/* The list's columns as laid out for the rows on screen: kept between
 * frames (session_data) for the hysteresis and the horizontal scroll. */
struct screen_list_cols {
	struct column_hold hold;
	size_t skip;		/* columns scrolled off to the left */
	int width;		/* laid out for this width */
	int widths[FIELD_N];	/* of each of the session's columns */
	int more;		/* COLUMN_MORE_* */
};

/* The sorted column (its title takes an arrow). */
static int
screen_list_sorted(const struct session *t, int id)
{
	return id == t->sort_key ||
	    (t->sort_key == FIELD_LPORT && id == FIELD_LOCAL) ||
	    (t->sort_key == FIELD_RPORT && id == FIELD_REMOTE);
}

/* What column i needs for row c: its text's cells; the least for an
 * endpoint (IPv4 whole, IPv6 down to its tail). */
static void
screen_list_need_row(const struct frame *f, const struct conn *c, size_t i,
    struct column_need *cn)
{
	int id = f->s->cols[i], cells, least;
	const struct field *col = &field_table[id];
	char text[CONN_ENDPOINT_LEN + 8];

	field_fmt(id, c, &f->snap->fields, text, sizeof text);
	cells = (int)text_cells(text, strlen(text));
	least = cells;
	if (!(col->flags & FIELD_F_TAIL))
		least = cells < col->width ? cells : col->width;
	else if (text[0] == '[' && least > COLUMN_V6_LEAST)
		least = COLUMN_V6_LEAST;
	if (cells > cn->need[i])
		cn->need[i] = cells;
	if (least > cn->least[i])
		cn->least[i] = least;
}

/* What the rows on screen (h - 1 of them from the top) need of each
 * column: fixed columns their width, the others their widest text up
 * to their maximum; with the default columns, the family column only
 * while both families show. */
static void
screen_list_need(const struct frame *f, int h, struct column_need *cn)
{
	const struct session *t = f->s;
	const struct view *v = &t->view;
	unsigned fams = 0;
	size_t i, k;
	int dflt = t->ncols == column_ndefault &&
	    memcmp(t->cols, column_default, column_ndefault) == 0;

	memset(cn, 0, sizeof *cn);
	for (k = t->top; (int)(k - t->top) < h - 1 && k < v->n; k++) {
		fams |= v->rows[k]->s.family == AF_INET6 ? 2u : 1u;
		for (i = 0; i < t->ncols; i++)
			if (field_table[t->cols[i]].maxwidth >
			    field_table[t->cols[i]].width)
				screen_list_need_row(f, v->rows[k], i, cn);
	}
	for (i = 0; i < t->ncols; i++) {
		const struct field *col = &field_table[t->cols[i]];
		int title = (int)strlen(col->title) +
		    screen_list_sorted(t, t->cols[i]);

		if (col->maxwidth <= col->width)
			cn->need[i] = cn->least[i] = col->width;
		if (cn->need[i] < title)
			cn->need[i] = title;
		if (cn->need[i] > col->maxwidth)
			cn->need[i] = col->maxwidth;
		if (cn->least[i] > cn->need[i] || cn->least[i] == 0)
			cn->least[i] = cn->need[i] < col->width ?
			    cn->need[i] : col->width;
		/* Its title, up to the field's width, is never cut. */
		if (cn->least[i] < title && cn->least[i] < col->width)
			cn->least[i] = title < col->width ? title : col->width;
		if (cn->least[i] > cn->need[i])
			cn->least[i] = cn->need[i];
		/* One family on screen: its column tells nothing, unless
		 * the operator chose the columns. */
		if (t->cols[i] == FIELD_FAMILY && fams != 3 && dflt)
			cn->need[i] = cn->least[i] = 0;
	}
}

/* Lay the columns out in w cells from skip; when some are off to the
 * right, again in one cell less, so the ">" saying so has its own. */
static void
screen_list_fit(const struct session *s, const struct column_need *cn,
    int w, struct screen_list_cols *lc)
{
	int used;

	lc->more = column_fit(s->cols, s->ncols, cn, lc->skip, w,
	    lc->widths, &used);
	if (lc->more & COLUMN_MORE_RIGHT)
		lc->more = column_fit(s->cols, s->ncols, cn, lc->skip, w - 1,
		    lc->widths, &used) | COLUMN_MORE_RIGHT;
	lc->width = w;
}

/* The columns laid out in r for the rows now on screen, held against
 * jitter. */
static void
screen_list_measure(struct session *s, const struct frame *f,
    struct rect r)
{
	struct screen_list_cols *lc = session_data(s, SCREEN_LIST,
	    sizeof *lc, NULL);
	struct column_need cn;

	screen_list_need(f, r.h, &cn);
	column_hold(&lc->hold, s->cols, s->ncols, r.w - 1, &cn,
	    f->snap->fields.now_ms);
	if (lc->skip >= s->ncols)
		lc->skip = s->ncols > 0 ? s->ncols - 1 : 0;
	screen_list_fit(s, &cn, r.w - 1, lc);
}

/* The widths to draw with: as measured, or (not measured at this width)
 * laid out now without hysteresis or scroll. */
static const struct screen_list_cols *
screen_list_cols(const struct frame *f, struct rect r,
    struct screen_list_cols *tmp)
{
	const struct screen_list_cols *lc = session_peek(f->s, SCREEN_LIST);
	struct column_need cn;

	if (lc != NULL && lc->width == r.w - 1 && lc->hold.n == f->s->ncols &&
	    memcmp(lc->hold.ids, f->s->cols, f->s->ncols) == 0)
		return lc;
	memset(tmp, 0, sizeof *tmp);
	screen_list_need(f, r.h, &cn);
	screen_list_fit(f->s, &cn, r.w - 1, tmp);
	return tmp;
}

/* The cells of a column at cx, cw wide, left inside the w cells from x
 * (the right marker's cell kept), at least 0. */
static int
screen_list_clip(int cx, int cw, int x, int w)
{
	int room = x + w - cx;

	return cw < room ? cw : room > 0 ? room : 0;
}

static void
screen_list_titles(const struct frame *f, int y, int x, int w,
    const struct screen_list_cols *lc)
{
	const struct session *t = f->s;
	const int *widths = lc->widths;
	size_t i;
	int cx = x + 1;

	ui_fill(y, x, w, UI_TITLE);
	for (i = 0; i < t->ncols && cx < x + w; i++) {
		const struct field *col = &field_table[t->cols[i]];
		int sorted = screen_list_sorted(t, t->cols[i]);
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
		ui_putpad(y, cx + off, screen_list_clip(cx, widths[i], x, w) -
		    off, role, title);
		cx += widths[i] + 1;
	}
	/* Columns off to the left or the right: Left and Right reach
	 * them. */
	if (lc->more & COLUMN_MORE_LEFT)
		ui_put(y, x, 1, UI_TITLE_SORT, "<");
	if (lc->more & COLUMN_MORE_RIGHT)
		ui_put(y, x + w - 1, 1, UI_TITLE_SORT, ">");
}

static void
screen_list_row(const struct frame *f, const struct conn *c, int y,
    int x, int w, const int *widths, int selected)
{
	const struct session *t = f->s;
	const char *mark;
	int role = screen_list_row_role(f, c, &mark), cx = x + 1;
	int base = selected ? UI_SELECTED : role;
	size_t i;

	ui_fill(y, x, w, base);
	ui_put(y, x, 1, selected ? UI_SELECTED : role, mark);
	for (i = 0; i < t->ncols && cx < x + w; i++) {
		int id = t->cols[i], cw = widths[i], tl, off, at, mx, mw;
		int cr = base;
		char text[CONN_ENDPOINT_LEN + 8];

		if (cw == 0)
			continue;
		field_fmt(id, c, &f->snap->fields, text, sizeof text);
		if (field_table[id].flags & FIELD_F_TAIL)
			column_elide_tail(text, sizeof text, cw,
			    ui_glyph(UI_G_ELLIPSIS));
		else
			column_elide(text, sizeof text, cw,
			    ui_glyph(UI_G_ELLIPSIS));
		/* Past the right edge: what fits of it. */
		cw = screen_list_clip(cx, cw, x, w);
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
		    session_search_find(t->search, id, text) : -1;
		if (at >= 0) {
			mx = text_cells(text, (size_t)at);
			mw = text_cells(text + at, strlen(t->search));
			if (mw > cw - off - mx)
				mw = cw - off - mx;
			if (mw > 0)
				ui_put(y, cx + off + mx, mw, UI_MATCH,
				    text + at);
		}
		cx += cw + 1;
	}
}

/* What the header's owner buckets mean, in the rows a quiet host leaves
 * empty under the list (all of it or nothing). */
static void
screen_list_owners_note(const struct frame *f, int y, int x, int w, int h)
{
	static const char *const note[] = {
		"The header counts sockets by owner:",
		"  owned   a process holds it (PROCESS, PID, USER)",
		"  none    no process does: TIME_WAIT, closed and closing, "
		"the kernel's",
		NULL,
		"  queued  waits in a listener's accept queue (shown: its "
		"process)",
		"  in flight  passed between processes, not received yet",
	};
	size_t i, n = sizeof note / sizeof note[0];

	if (f->snap->fields.proc == NULL || h < (int)n)
		return;
	for (i = 0; i < n; i++)
		ui_put(y + (int)i, x + 1, w - 1, UI_DIM, note[i] != NULL ?
		    note[i] : f->snap->root ? "  hidden  a process even root "
		    "may not read (a sandbox's, an LSM's)" : "  hidden  "
		    "another user's process: root would show it");
}

static void
screen_list_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct session *t = f->s;
	const struct view *v = &t->view;
	struct screen_list_cols tmp;
	const struct screen_list_cols *lc;
	int row;
	size_t i;

	if (r.h <= 0)
		return;
	lc = screen_list_cols(f, r, &tmp);
	screen_list_titles(f, r.y, r.x, r.w, lc);
	(void)e;
	if (v->n == 0 && r.h > 1) {
		ui_put(r.y + 1, r.x + 1, r.w - 1, UI_DIM, v->total == 0 &&
		    f->snap->realtime_ns == 0 ? "waiting for the first "
		    "refresh" : "no connections match");
		return;
	}
	for (row = 1, i = t->top; row < r.h && i < v->n; row++, i++)
		screen_list_row(f, v->rows[i], r.y + row, r.x, r.w,
		    lc->widths, i == t->sel);
	screen_list_owners_note(f, r.y + row + 1, r.x, r.w, r.h - row - 1);
}

/* Keys ------------------------------------------------------------------ */

static int
screen_list_detail(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_DETAIL, 0);
}

static int
screen_list_move(struct session *s, int key)
{
	long page = s->rows > 1 ? s->rows - 1 : 1;

	switch (key) {
	case K_UP:
	case K_DOWN:
		session_move(s, key == K_UP ? -1 : 1);
		break;
	case K_PGUP:
	case K_PGDN:
		session_move(s, key == K_PGUP ? -page : page);
		break;
	default:
		session_move_to(s, key == K_HOME ? 0 : (size_t)-1);
		break;
	}
	return REACT_REDRAW;
}

static int
screen_list_search(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_PROMPT, SESSION_PROMPT_SEARCH);
}

static int
screen_list_search_next(struct session *s, int key)
{
	if (s->search[0] == '\0') {
		session_message(s, 0, "no search: press / first");
		return REACT_REDRAW;
	}
	if (session_search_step(s, s->sel, key == 'N' ? -1 : 1) == -1)
		session_message(s, 0, "no match for \"%s\"", s->search);
	return REACT_REDRAW;
}

/* Esc: back from a group's connections to the groups; else clear the
 * search highlight.  Backspace only goes back. */
static int
screen_list_back(struct session *s, int key)
{
	if (s->drill)
		return REACT_CLOSE | REACT_REVIEW;
	if (key == K_ESC)
		s->search[0] = '\0';
	return REACT_REDRAW;
}

static int
screen_list_leave(struct session *s, struct session_screen *e)
{
	(void)e;
	if (!s->drill)
		return 0;
	/* Leaving a group's connections: all of them again. */
	s->drill = 0;
	return REACT_REVIEW;
}

static int
screen_list_diagram(struct session *s, int key)
{
	(void)key;
	s->diagram = (s->diagram + 1) % (SESSION_DIAGRAM_FULL + 1);
	return REACT_REDRAW;
}

/* g: the groups; in a group's connections, the groups of the next kind
 * that has its data, past the last the connections again. */
static int
screen_list_groups(struct session *s)
{
	int kind;

	if (!s->drill)
		return react_open(SCREEN_GROUPS, 0) | REACT_REVIEW;
	kind = group_next(s->group_kind, s->snap != NULL ?
	    &s->snap->fields : NULL);
	if (kind == GROUP_NONE) {
		session_message(s, 0, "connections");
		return REACT_HOME | REACT_REVIEW;
	}
	s->group_kind = kind;
	s->group_sel = s->group_top = 0;
	s->group_has_sel = 0;
	session_message(s, 0, "grouped by %s: Enter shows a group's "
	    "connections", group_kinds[kind].name);
	return REACT_CLOSE | REACT_REVIEW;
}

static int
screen_list_open(struct session *s, int key)
{
	switch (key) {
	case 'f':
		return react_open(SCREEN_FOLLOW, 0);
	case 'e':
		return react_open(SCREEN_EXPLAIN, 0);
	case 'k':
	case 'K':
	case K_F9:
		return react_open(SCREEN_KILL, key == 'K');
	case 'g':
	case K_F5:
		return screen_list_groups(s);
	}
	return react_open(SCREEN_ALERTS, 0);
}

/* Left, Right: scroll the columns by one, while some are off that
 * way. */
static int
screen_list_hscroll(struct session *s, int key)
{
	struct screen_list_cols *lc = session_data(s, SCREEN_LIST,
	    sizeof *lc, NULL);

	/* A column left out (the family of one) is stepped over, so each
	 * press moves what shows. */
	if (key == K_LEFT && lc->skip > 0) {
		while (--lc->skip > 0 && lc->hold.shown.need[lc->skip] == 0)
			;
	} else if (key == K_RIGHT && (lc->more & COLUMN_MORE_RIGHT) &&
	    lc->skip + 1 < s->ncols) {
		while (lc->skip + 1 < s->ncols && lc->widths[lc->skip] == 0)
			lc->skip++;
		lc->skip++;
	} else
		session_message(s, 0, "no more columns to the %s",
		    key == K_LEFT ? "left" : "right");
	return REACT_REDRAW;
}

/* The column whose title covers column x of r, or -1. */
static int
screen_list_title_at(const struct frame *f, struct rect r, int x)
{
	struct screen_list_cols tmp;
	const struct screen_list_cols *lc = screen_list_cols(f, r, &tmp);
	int cx = r.x + 1;
	size_t i;

	for (i = 0; i < f->s->ncols && cx < r.x + r.w; i++) {
		if (lc->widths[i] == 0)
			continue;
		if (x >= cx && x < cx + lc->widths[i])
			return f->s->cols[i];
		cx += lc->widths[i] + 1;
	}
	return -1;
}

/* A click: on a row, select it (the selection follows it, as with the
 * keys); on a column title, sort by it, numbers biggest first, and on
 * the sorted one's title again, the other way (as htop). */
static int
screen_list_click(struct session *s, const struct frame *f, struct rect r,
    int y, int x)
{
	int id;

	if (y > r.y) {
		size_t i = s->top + (size_t)(y - r.y - 1);

		if (i >= s->view.n)
			return 0;
		session_move_to(s, i);
		return REACT_REDRAW;
	}
	if ((id = screen_list_title_at(f, r, x)) < 0)
		return 0;
	if (screen_list_sorted(s, id))
		session_sort(s, s->sort_key, !s->sort_reverse);
	else
		session_sort(s, id, field_table[id].flags & FIELD_F_RIGHT);
	session_message(s, 0, "sorted by %s%s", field_table[s->sort_key].name,
	    s->sort_reverse ? ", biggest first" : "");
	return REACT_REDRAW | REACT_REVIEW;
}

static const struct key_binding screen_list_keys[] = {
	{ { K_ENTER }, "Enter", NULL, screen_list_detail,
	    "details of the selected connection: every field, the tcp_info "
	    "the kernel gives, the states it went through" },
	{ { K_UP, K_DOWN }, "Up Down", NULL, screen_list_move,
	    "move the selection (it follows the connection across "
	    "refreshes)" },
	{ { K_PGUP, K_PGDN }, "PgUp PgDn", NULL, screen_list_move,
	    "move a page" },
	{ { K_HOME, K_END }, "Home End", NULL, screen_list_move,
	    "first or last row" },
	{ { K_LEFT, K_RIGHT }, "Left Right", NULL, screen_list_hscroll,
	    "scroll the columns sideways when not all fit: < or > at the "
	    "ends of the column titles says some are off that way" },
	{ { K_F3, '/' }, "F3 /", "Search", screen_list_search,
	    "search every column shown and the process, pid and user as you "
	    "type; matches are highlighted" },
	{ { 'n', 'N' }, "n N", NULL, screen_list_search_next,
	    "next or previous match" },
	{ { K_ESC, K_BACKSPACE }, "Esc Backspace", NULL, screen_list_back,
	    "back from a group's connections to the groups; Esc also clears "
	    "the search highlight" },
	{ { 't' }, "t", NULL, screen_list_diagram,
	    "the TCP state diagram instead of the histogram, above the "
	    "list; again: full screen, with the edges taken listed under "
	    "it; again: hidden.  Each state with its count, each edge "
	    "with its transitions; an edge flashes when taken; aborts "
	    "into CLOSED are marks by their box (x: reset or failed, o: "
	    "gone without TIME_WAIT seen), in red when abnormal" },
	{ { 'f' }, "f", NULL, screen_list_open,
	    "follow the selected connection: the diagram (shown if hidden) "
	    "highlights its state and the path it took, and a timeline "
	    "under it lists its states with when it entered them; kept "
	    "when the connection goes" },
	{ { 'e' }, "e", NULL, screen_list_open,
	    "explain the followed or selected connection's state: what it "
	    "means, what moves it on, what a pile-up in it points at, how "
	    "Linux does it" },
	{ { 'k', K_F9, 'K' }, "k F9 K", "Kill", screen_list_open,
	    "destroy the selected connection (k, F9) or every connection "
	    "the filter shows (K) with SOCK_DESTROY, as ss -K does (needs "
	    "root): a window lists them first, as they are now" },
	{ { 'g', K_F5 }, "g F5", "Groups", screen_list_open,
	    "group the connections by service (a listened-on local port, "
	    "else ->the remote port), then by remote host, by process, by "
	    "namespace (--all-netns), then back: each group with its count "
	    "and its states" },
	{ { 'a' }, "a", NULL, screen_list_open,
	    "every alert (the first is on the line under the header): "
	    "SYN flood, full accept queue, CLOSE_WAIT leak, TIME_WAIT or "
	    "orphans near their limits, retransmits without progress, "
	    "connects stuck in SYN_SENT; each with its evidence and what "
	    "to check next" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_list_tables[] = {
	screen_list_keys, keys_sort, NULL,
};

static int
screen_list_extent(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	(void)r, (void)e;
	return (int)f->s->view.n;
}

const struct screen_ops screen_list = {
	.name = "Connection list",
	.place = SCREEN_MAIN,
	.flags = SCREEN_F_VIEW | SCREEN_F_BAND | SCREEN_F_DIAGRAM,
	.keys = screen_list_tables,
	.draw = screen_list_draw,
	.extent = screen_list_extent,
	.measure = screen_list_measure,
	.leave = screen_list_leave,
	.click = screen_list_click,
};
