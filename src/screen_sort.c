/* The sort menu (F6): a window over the list with every sort key, the
 * current one marked; Enter sorts by the one under the cursor. */
#include <stdio.h>
#include <string.h>

#include "screen.h"

/* At the top left of the main screen, as high as the keys need. */
static struct rect
screen_sort_room(const struct frame *f, const struct screen_area *a)
{
	struct rect r = a->main;

	(void)f;
	r.w = r.w < 26 ? r.w : 26;
	if (r.h > (int)field_nsort() + 2)
		r.h = (int)field_nsort() + 2;
	return r;
}

static void
screen_sort_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	int i, first = 0, rows = r.h - 2;

	ui_box(r, "Sort by");
	if (e->pos >= rows)
		first = e->pos - rows + 1;
	for (i = 0; i < rows && field_sort_key((size_t)(first + i)) >= 0;
	    i++) {
		int k = first + i, id = field_sort_key((size_t)k);
		char line[40];

		snprintf(line, sizeof line, "%s %s", id == f->s->sort_key ?
		    "*" : " ", field_table[id].name);
		ui_putpad(r.y + 1 + i, r.x + 1, r.w - 2, k == e->pos ?
		    UI_SELECTED : UI_NORMAL, line);
	}
}

static int
screen_sort_enter(struct session *s, struct session_screen *e, int arg)
{
	(void)arg;
	e->pos = field_sort_index(s->sort_key);
	if (e->pos < 0)
		e->pos = 0;
	return 0;
}

static int
screen_sort_move(struct session *s, int key)
{
	struct session_screen *e = session_top(s);
	int last = (int)field_nsort() - 1;

	if (key == K_UP && e->pos > 0)
		e->pos--;
	else if (key == K_DOWN && e->pos < last)
		e->pos++;
	else if (key == K_HOME || key == K_PGUP)
		e->pos = 0;
	else if (key == K_END || key == K_PGDN)
		e->pos = last;
	return REACT_REDRAW;
}

static int
screen_sort_pick(struct session *s, int key)
{
	int id = field_sort_key((size_t)session_top(s)->pos);

	(void)key;
	/* A new key sorts numbers biggest first, as htop; the same one
	 * keeps its order. */
	if (id >= 0)
		session_sort(s, id, id == s->sort_key ? s->sort_reverse :
		    (field_table[id].flags & FIELD_F_RIGHT) != 0);
	return REACT_CLOSE | REACT_REVIEW;
}

static const struct key_binding screen_sort_keys[] = {
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    screen_sort_move, "move the cursor" },
	{ { K_HOME, K_END }, "Home End", NULL, screen_sort_move,
	    "the first or last key" },
	{ { K_ENTER }, "Enter", NULL, screen_sort_pick,
	    "sort by the column under the cursor" },
	{ { K_ESC, K_F6, K_LEFT }, "Esc", NULL, keys_close,
	    "leave the sort menu" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_sort_tables[] = {
	screen_sort_keys, NULL,
};

const struct screen_ops screen_sort = {
	.name = "Sort menu (F6)",
	.place = SCREEN_OVER,
	.flags = SCREEN_F_GLOBAL,
	.keys = screen_sort_tables,
	.room = screen_sort_room,
	.draw = screen_sort_draw,
	.enter = screen_sort_enter,
};
