/* The column chooser (F2): a window with every column, a mark on the
 * shown ones and their place in the order, and the highlighted one's
 * help; Space shows or hides it, [ ] move it. */
#include <stdio.h>
#include <string.h>

#include "screen.h"

/* Rows kept under the list for the highlighted column's help. */
#define SCREEN_COLUMNS_HELP 2

/* The list as the window shows it: set when it opens, and kept while
 * Space shows and hides columns, so the highlight and its neighbours
 * stay where they are (Down Space Down Space walks the list); [ and ]
 * swap the highlighted entry with its neighbour in the order. */
struct screen_columns_state {
	uint8_t ids[FIELD_N];
	size_t n;
};

/* Where column id is among the shown ones, or -1 when hidden. */
static int
screen_columns_index(const struct session *s, int id)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (s->cols[i] == id)
			return (int)i;
	return -1;
}

/* Every column: the shown ones in their order, then the hidden ones in
 * the field table's.  Returns how many. */
static size_t
screen_columns_list(const struct session *s, uint8_t *ids)
{
	size_t n = 0, i;

	for (i = 0; i < s->ncols; i++)
		ids[n++] = s->cols[i];
	for (i = 0; i < FIELD_N; i++)
		if (field_is_column((int)i) &&
		    screen_columns_index(s, (int)i) < 0)
			ids[n++] = (uint8_t)i;
	return n;
}

static struct screen_columns_state *
screen_columns_state(struct session *s)
{
	return session_data(s, SCREEN_COLUMNS,
	    sizeof(struct screen_columns_state), NULL);
}

/* The list shown, into ids; returns how many. */
static size_t
screen_columns_shown(const struct session *s, uint8_t *ids)
{
	const struct screen_columns_state *st = session_peek(s,
	    SCREEN_COLUMNS);

	if (st == NULL || st->n == 0)
		return screen_columns_list(s, ids);
	memcpy(ids, st->ids, st->n);
	return st->n;
}

/* The highlighted column's place in the list. */
static size_t
screen_columns_pos(int sel, const uint8_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == sel)
			return i;
	return 0;
}

/* Under the list's titles, so they show the choice as it is made, or
 * the whole middle when the list is short; at most 80 wide. */
static struct rect
screen_columns_room(const struct frame *f, const struct screen_area *a)
{
	struct rect r = a->main;
	int w = a->middle.w;

	(void)f;
	if (r.h - 1 < 10)
		r = a->middle;
	else {
		r.y++;
		r.h--;
	}
	r.w = w < 80 ? w : 80;
	r.x = (w - r.w) / 2;
	return r;
}

static void
screen_columns_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct session *s = f->s;
	uint8_t ids[FIELD_N];
	size_t n = screen_columns_shown(s, ids), first = 0, pos;
	int rows = r.h - 2, help = 0, y;

	ui_box(r, " Columns: Space shows/hides, [ ] move, Enter done ");
	if (rows >= 3 + SCREEN_COLUMNS_HELP) {
		help = SCREEN_COLUMNS_HELP;
		rows -= help + 1;
	}
	if (rows < 1)
		return;
	pos = screen_columns_pos(e->pos, ids, n);
	if (pos >= (size_t)rows)
		first = pos - (size_t)rows + 1;
	for (y = 0; y < rows && first + (size_t)y < n; y++) {
		const struct field *col = &field_table[ids[first + y]];
		int k = screen_columns_index(s, ids[first + y]);
		char line[256], place[12] = "";

		if (k >= 0)
			snprintf(place, sizeof place, "%d", k + 1);
		snprintf(line, sizeof line, "[%c] %2s %-9s %-8s %s",
		    k >= 0 ? 'x' : ' ', place, col->name, col->title,
		    col->help);
		ui_putpad(r.y + 1 + y, r.x + 1, r.w - 2, first + (size_t)y ==
		    pos ? UI_SELECTED : UI_NORMAL, line);
	}
	if (help > 0 && e->pos >= 0 && e->pos < FIELD_N) {
		y = r.y + r.h - 1 - help;
		ui_wrap(&y, r.y + r.h - 1, r.x + 2, r.w - 4, UI_DIM,
		    field_table[e->pos].help);
	}
}

static int
screen_columns_enter(struct session *s, struct session_screen *e, int arg)
{
	struct screen_columns_state *st = screen_columns_state(s);

	(void)arg;
	st->n = screen_columns_list(s, st->ids);
	e->pos = s->ncols > 0 ? s->cols[0] : 0;
	return 0;
}

/* Move the highlight by delta entries of the list (clamped). */
static int
screen_columns_step(struct session *s, int key)
{
	struct session_screen *e = session_top(s);
	uint8_t ids[FIELD_N];
	size_t n = screen_columns_shown(s, ids);
	long page = s->rows > 1 ? s->rows - 1 : 1, to;

	to = (long)screen_columns_pos(e->pos, ids, n) + (key == K_UP ? -1 :
	    key == K_DOWN ? 1 : key == K_PGUP ? -page : key == K_PGDN ?
	    page : key == K_HOME ? -FIELD_N : FIELD_N);
	to = to < 0 ? 0 : to >= (long)n ? (long)n - 1 : to;
	e->pos = ids[to];
	return REACT_REDRAW;
}

/* Show the highlighted column (last in the order) or hide it; the last
 * shown column stays. */
static int
screen_columns_toggle(struct session *s, int key)
{
	int sel = session_top(s)->pos, k = screen_columns_index(s, sel);

	(void)key;
	if (k < 0) {
		if (s->ncols < FIELD_N && field_is_column(sel))
			s->cols[s->ncols++] = (uint8_t)sel;
		return REACT_REDRAW;
	}
	/* An empty list would have nothing to show or select by. */
	if (s->ncols <= 1) {
		session_message(s, 1, "at least one column stays shown");
		return REACT_REDRAW;
	}
	memmove(s->cols + k, s->cols + k + 1, s->ncols - (size_t)k - 1);
	s->ncols--;
	return REACT_REDRAW;
}

/* Move the highlighted column one place earlier or later. */
static int
screen_columns_move(struct session *s, int key)
{
	int k = screen_columns_index(s, session_top(s)->pos);
	int j = k + (key == '[' || key == K_F7 ? -1 : 1);
	struct screen_columns_state *st;
	size_t a, b;
	uint8_t tmp;

	if (k < 0) {
		session_message(s, 0, "a hidden column has no place: Space "
		    "shows it");
		return REACT_REDRAW;
	}
	if (j < 0 || j >= (int)s->ncols)
		return REACT_REDRAW;
	st = screen_columns_state(s);
	a = screen_columns_pos(s->cols[k], st->ids, st->n);
	b = screen_columns_pos(s->cols[j], st->ids, st->n);
	tmp = st->ids[a];
	st->ids[a] = st->ids[b];
	st->ids[b] = tmp;
	tmp = s->cols[k];
	s->cols[k] = s->cols[j];
	s->cols[j] = tmp;
	return REACT_REDRAW;
}

static const struct key_binding screen_columns_keys[] = {
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    screen_columns_step, "move the highlight" },
	{ { K_HOME, K_END }, "Home End", NULL, screen_columns_step,
	    "the first or last column" },
	{ { ' ' }, "Space", "Show", screen_columns_toggle,
	    "show or hide the highlighted column (one always stays)" },
	{ { K_F7, '[' }, "F7 [", "Earlier", screen_columns_move,
	    "move the highlighted column left" },
	{ { K_F8, ']' }, "F8 ]", "Later", screen_columns_move,
	    "move the highlighted column right" },
	{ { K_F2, K_ENTER, K_ESC, K_LEFT }, "F2 Enter Esc", "Done",
	    keys_close, "close the column chooser" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_columns_tables[] = {
	screen_columns_keys, NULL,
};

const struct screen_ops screen_columns = {
	.name = "Column chooser (F2)",
	.place = SCREEN_OVER,
	.flags = SCREEN_F_GLOBAL,
	.keys = screen_columns_tables,
	.room = screen_columns_room,
	.draw = screen_columns_draw,
	.enter = screen_columns_enter,
};
