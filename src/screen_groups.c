/* The group list (g): titles, then one row per group with its key, its
 * count and its own state histogram, the selection in reverse; its keys
 * move, sort the groups, change the kind and drill into a group. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/tcpstate.h"

#define SCREEN_GROUPS_COUNT	7	/* "1234567" */
#define SCREEN_GROUPS_KEYMAX	39	/* an IPv6 address in full */

/* The key column: as wide as the widest key on screen, not less than
 * its title, at most half the pane. */
static int
screen_groups_keyw(const struct frame *f, int w, int rows)
{
	const struct session *t = f->s;
	const struct groups *g = &t->groups;
	char label[GROUP_LABEL_LEN];
	int kw = (int)strlen(group_kinds[t->group_kind].title), l, i;
	size_t k;

	for (i = 0, k = t->group_top; i < rows && k < g->n; i++, k++) {
		group_label(g, &g->v[k].key, label, sizeof label);
		l = (int)strlen(label);
		kw = l > kw ? l : kw;
	}
	if (kw > SCREEN_GROUPS_KEYMAX)
		kw = SCREEN_GROUPS_KEYMAX;
	if (kw > w / 2)
		kw = w / 2;
	return kw;
}

static void
screen_groups_titles(const struct frame *f, struct rect r, int kw)
{
	const struct session *t = f->s;
	char title[64];
	int x = r.x + 1;

	ui_fill(r.y, r.x, r.w, UI_TITLE);
	ui_put(r.y, x, kw, UI_TITLE, group_kinds[t->group_kind].title);
	x += kw + 1;
	/* The arrow marks what the groups are sorted by: the count, or
	 * one state's count (< >). */
	snprintf(title, sizeof title, "%*s%s", SCREEN_GROUPS_COUNT -
	    (t->group_sort == 0), "COUNT", t->group_sort == 0 ?
	    ui_glyph(UI_G_DOWN) : "");
	ui_put(r.y, x, SCREEN_GROUPS_COUNT, t->group_sort == 0 ?
	    UI_TITLE_SORT : UI_TITLE, title);
	x += SCREEN_GROUPS_COUNT + 2;
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
screen_groups_hist(const struct group *gr, int y, int x, int w, int sel,
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
screen_groups_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct session *t = f->s;
	const struct groups *g = &t->groups;
	char label[GROUP_LABEL_LEN], num[16];
	int kw, row, sel, x;
	size_t k;

	if (r.h <= 0)
		return;
	kw = screen_groups_keyw(f, r.w - 1, r.h - 1);
	screen_groups_titles(f, r, kw);
	if (g->n == 0 && r.h > 1) {
		ui_put(r.y + 1, r.x + 1, r.w - 1, UI_DIM,
		    f->snap->realtime_ns == 0 ? "waiting for the first "
		    "refresh" : "no connections match");
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
		snprintf(num, sizeof num, "%*u", SCREEN_GROUPS_COUNT,
		    gr->count);
		ui_put(y, x, SCREEN_GROUPS_COUNT, sel ? UI_SELECTED : UI_NORMAL,
		    num);
		x += SCREEN_GROUPS_COUNT + 2;
		screen_groups_hist(gr, y, x, r.w - (x - r.x), sel,
		    t->group_sort);
	}
}

/* Keys ------------------------------------------------------------------ */

/* The field context of the rows shown, NULL before the first refresh:
 * which kinds of group have their data. */
static const struct field_ctx *
screen_groups_cx(const struct session *s)
{
	return s->snap != NULL ? &s->snap->fields : NULL;
}

/* Show groups of kind, from the first. */
static void
screen_groups_kind(struct session *s, int kind)
{
	s->group_kind = kind;
	s->drill = 0;
	s->group_sel = s->group_top = 0;
	s->group_has_sel = 0;
	session_message(s, 0, "grouped by %s: Enter shows a group's "
	    "connections", group_kinds[kind].name);
}

static int
screen_groups_enter(struct session *s, struct session_screen *e, int arg)
{
	int kind = arg != GROUP_NONE ? arg :
	    group_next(GROUP_NONE, screen_groups_cx(s));

	(void)e;
	if (kind == GROUP_NONE) {
		session_message(s, 0, "no kind of group has data here");
		return -1;
	}
	screen_groups_kind(s, kind);
	return 0;
}

static int
screen_groups_leave(struct session *s, struct session_screen *e)
{
	(void)e;
	s->group_kind = GROUP_NONE;
	s->drill = 0;
	return REACT_REVIEW;
}

static int
screen_groups_move(struct session *s, int key)
{
	long page = s->rows > 1 ? s->rows - 1 : 1;

	if (key == K_UP || key == K_DOWN)
		session_group_move(s, key == K_UP ? -1 : 1);
	else if (key == K_PGUP || key == K_PGDN)
		session_group_move(s, key == K_PGUP ? -page : page);
	else
		session_group_move_to(s, key == K_HOME ? 0 : (size_t)-1);
	return REACT_REDRAW;
}

/* Enter on a group: the connection list narrowed to it. */
static int
screen_groups_drill(struct session *s, int key)
{
	const struct group *gr = session_group_selected(s);

	(void)key;
	if (gr == NULL) {
		session_message(s, 0, "no group selected");
		return REACT_REDRAW;
	}
	s->drill = 1;
	s->drill_key = gr->key;
	group_label(&s->groups, &gr->key, s->drill_label,
	    sizeof s->drill_label);
	s->sel = s->top = 0;
	s->has_sel = 0;
	return react_open(SCREEN_LIST, 0) | REACT_REVIEW;
}

/* g: the next kind of group that has its data, then the connections
 * again. */
static int
screen_groups_next(struct session *s, int key)
{
	int kind = group_next(s->group_kind, screen_groups_cx(s));

	(void)key;
	if (kind == GROUP_NONE) {
		session_message(s, 0, "connections");
		return REACT_CLOSE;
	}
	screen_groups_kind(s, kind);
	return REACT_REDRAW | REACT_REVIEW;
}

/* < >: sort the groups by their count, or by one state's count. */
static int
screen_groups_sort(struct session *s, int key)
{
	int i, n = TCPSTATE_MAX + 1;

	/* 0 is the count, then the states in display order. */
	for (i = 0; i < TCPSTATE_MAX && tcpstate_order[i] != s->group_sort;
	    i++)
		;
	i = s->group_sort == 0 ? 0 : i + 1;
	i = (i + (key == '>' ? 1 : n - 1)) % n;
	s->group_sort = i == 0 ? 0 : tcpstate_order[i - 1];
	session_message(s, 0, "groups sorted by %s", s->group_sort == 0 ?
	    "count" : tcpstate_name(s->group_sort));
	return REACT_REDRAW | REACT_REVIEW;
}

static const struct key_binding screen_groups_keys[] = {
	{ { K_UP, K_DOWN }, "Up Down", NULL, screen_groups_move,
	    "move the selection (it follows the group)" },
	{ { K_PGUP, K_PGDN }, "PgUp PgDn", NULL, screen_groups_move,
	    "move a page" },
	{ { K_HOME, K_END }, "Home End", NULL, screen_groups_move,
	    "first or last group" },
	{ { K_ENTER }, "Enter", NULL, screen_groups_drill,
	    "the selected group's connections, marked \"group:\" on the "
	    "status line; Esc or Backspace goes back to the groups" },
	{ { K_ESC, K_LEFT, K_F5 }, "Esc Left F5", "List", keys_close,
	    "leave the groups for the connections" },
	{ { '<', '>' }, "< >", NULL, screen_groups_sort,
	    "sort the groups by count, or by one state's count (which "
	    "remote hosts hold the CLOSE_WAIT sockets)" },
	{ { 'g' }, "g", NULL, screen_groups_next,
	    "the next kind of group: service, remote host, process, "
	    "namespace (--all-netns), then the connections again" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_groups_tables[] = {
	screen_groups_keys, NULL,
};

static int
screen_groups_extent(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	(void)r, (void)e;
	return (int)f->s->groups.n;
}

const struct screen_ops screen_groups = {
	.name = "Group list",
	.place = SCREEN_MAIN,
	.flags = SCREEN_F_VIEW | SCREEN_F_BAND,
	.keys = screen_groups_tables,
	.draw = screen_groups_draw,
	.extent = screen_groups_extent,
	.enter = screen_groups_enter,
	.leave = screen_groups_leave,
};
