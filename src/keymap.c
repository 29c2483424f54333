/* Every key binding: one table drives the keys, the help screen and the
 * function-key bar, so they cannot drift apart. */
#include <stdio.h>
#include <string.h>

#include "tcptop/keymap.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"

#define ALL	(TUI_LIST | TUI_DETAIL | TUI_HELP | TUI_SORT | TUI_EXPLAIN | \
		    TUI_GROUPS | TUI_COLUMNS | TUI_ALERTS)
#define VIEWS	(TUI_LIST | TUI_DETAIL)
#define LISTS	(VIEWS | TUI_GROUPS)	/* and the group list */

static int
keymap_quit(struct tui *t, int key)
{
	(void)t, (void)key;
	return TUI_QUIT;
}

static int
keymap_help(struct tui *t, int key)
{
	(void)key;
	t->mode = TUI_HELP;
	t->scroll = 0;
	return TUI_REDRAW;
}

static int
keymap_back(struct tui *t, int key)
{
	(void)key;
	t->mode = tui_home(t);
	return TUI_REDRAW;
}

static int
keymap_detail(struct tui *t, int key)
{
	(void)key;
	if (tui_selected(t) == NULL) {
		tui_message(t, 0, "no connection selected");
		return TUI_REDRAW;
	}
	t->mode = TUI_DETAIL;
	t->scroll = 0;
	return TUI_REDRAW;
}

static int
keymap_move(struct tui *t, int key)
{
	long page = t->rows > 1 ? t->rows - 1 : 1;

	if (t->mode == TUI_HELP || t->mode == TUI_DETAIL ||
	    t->mode == TUI_KILL || t->mode == TUI_ALERTS) {
		int d = key == TUI_KEY_UP ? -1 : key == TUI_KEY_DOWN ? 1 :
		    key == TUI_KEY_PGUP ? -(int)page : key == TUI_KEY_PGDN ?
		    (int)page : key == TUI_KEY_HOME ? -100000 : 100000;

		t->scroll += d;
		if (t->scroll > t->scroll_max)
			t->scroll = t->scroll_max;
		if (t->scroll < 0)
			t->scroll = 0;
		return TUI_REDRAW;
	}
	if (t->mode == TUI_GROUPS) {
		if (key == TUI_KEY_UP || key == TUI_KEY_DOWN)
			tui_group_move(t, key == TUI_KEY_UP ? -1 : 1);
		else if (key == TUI_KEY_PGUP || key == TUI_KEY_PGDN)
			tui_group_move(t, key == TUI_KEY_PGUP ? -page : page);
		else
			tui_group_move_to(t, key == TUI_KEY_HOME ? 0 :
			    (size_t)-1);
		return TUI_REDRAW;
	}
	if (t->mode == TUI_COLUMNS) {
		tui_columns_step(t, key == TUI_KEY_UP ? -1 : key ==
		    TUI_KEY_DOWN ? 1 : key == TUI_KEY_PGUP ? -(int)page :
		    key == TUI_KEY_PGDN ? (int)page : key == TUI_KEY_HOME ?
		    -FIELD_N : FIELD_N);
		return TUI_REDRAW;
	}
	if (t->mode == TUI_SORT) {
		if (key == TUI_KEY_UP && t->sort_sel > 0)
			t->sort_sel--;
		else if (key == TUI_KEY_DOWN &&
		    t->sort_sel < (int)field_nsort() - 1)
			t->sort_sel++;
		else if (key == TUI_KEY_HOME || key == TUI_KEY_PGUP)
			t->sort_sel = 0;
		else if (key == TUI_KEY_END || key == TUI_KEY_PGDN)
			t->sort_sel = (int)field_nsort() - 1;
		return TUI_REDRAW;
	}
	switch (key) {
	case TUI_KEY_UP:
		tui_move(t, -1);
		break;
	case TUI_KEY_DOWN:
		tui_move(t, 1);
		break;
	case TUI_KEY_PGUP:
		tui_move(t, -page);
		break;
	case TUI_KEY_PGDN:
		tui_move(t, page);
		break;
	case TUI_KEY_HOME:
		tui_move_to(t, 0);
		break;
	case TUI_KEY_END:
		tui_move_to(t, (size_t)-1);
		break;
	}
	return TUI_REDRAW;
}

static int
keymap_port(struct tui *t, int key)
{
	(void)key;
	tui_prompt_open(t, TUI_PROMPT_PORT, t->port_text);
	return TUI_REDRAW;
}

static int
keymap_filter(struct tui *t, int key)
{
	(void)key;
	tui_prompt_open(t, TUI_PROMPT_FILTER, t->expr_text);
	return TUI_REDRAW;
}

static int
keymap_search(struct tui *t, int key)
{
	(void)key;
	tui_prompt_open(t, TUI_PROMPT_SEARCH, "");
	t->search[0] = '\0';
	return TUI_REDRAW;
}

static int
keymap_search_next(struct tui *t, int key)
{
	if (t->search[0] == '\0') {
		tui_message(t, 0, "no search: press / first");
		return TUI_REDRAW;
	}
	if (tui_search_step(t, t->sel, key == 'N' ? -1 : 1) == -1)
		tui_message(t, 0, "no match for \"%s\"", t->search);
	return TUI_REDRAW;
}

/* g: connections, then each kind of group that has its data, then
 * connections again. */
static int
keymap_group(struct tui *t, int key)
{
	(void)key;
	t->group_kind = group_next(t->group_kind, t->cx);
	t->drill = 0;
	t->group_sel = t->group_top = 0;
	t->group_has_sel = 0;
	t->mode = tui_home(t);
	if (t->group_kind == GROUP_NONE)
		tui_message(t, 0, "connections");
	else
		tui_message(t, 0, "grouped by %s: Enter shows a group's "
		    "connections", group_kinds[t->group_kind].name);
	return TUI_REDRAW | TUI_REVIEW;
}

/* Enter on a group: the connection list narrowed to it. */
static int
keymap_group_drill(struct tui *t, int key)
{
	const struct group *gr = tui_group_selected(t);

	(void)key;
	if (gr == NULL || t->groups == NULL) {
		tui_message(t, 0, "no group selected");
		return TUI_REDRAW;
	}
	t->drill = 1;
	t->drill_key = gr->key;
	group_label(t->groups, &gr->key, t->drill_label,
	    sizeof t->drill_label);
	t->mode = TUI_LIST;
	t->sel = t->top = 0;
	t->has_sel = 0;
	return TUI_REDRAW | TUI_REVIEW;
}

/* Esc or Backspace in a group's list: back to the groups, the same one
 * selected. */
static int
keymap_group_up(struct tui *t, int key)
{
	(void)key;
	if (!t->drill)
		return 0;
	t->drill = 0;
	t->mode = tui_home(t);
	return TUI_REDRAW | TUI_REVIEW;
}

/* Esc in the group list: the connections. */
static int
keymap_group_leave(struct tui *t, int key)
{
	(void)key;
	t->group_kind = GROUP_NONE;
	t->drill = 0;
	t->mode = TUI_LIST;
	return TUI_REDRAW | TUI_REVIEW;
}

/* < >: sort the groups by their count, or by one state's count. */
static int
keymap_group_sort(struct tui *t, int key)
{
	int i, n = TCPSTATE_MAX + 1;

	/* 0 is the count, then the states in display order. */
	for (i = 0; i < TCPSTATE_MAX && tcpstate_order[i] != t->group_sort;
	    i++)
		;
	i = t->group_sort == 0 ? 0 : i + 1;
	i = (i + (key == '>' ? 1 : n - 1)) % n;
	t->group_sort = i == 0 ? 0 : tcpstate_order[i - 1];
	tui_message(t, 0, "groups sorted by %s", t->group_sort == 0 ?
	    "count" : tcpstate_name(t->group_sort));
	return TUI_REDRAW | TUI_REVIEW;
}

static int
keymap_clear(struct tui *t, int key)
{
	(void)key;
	/* Esc ends following first, then leaves a group drilled into,
	 * then clears the search. */
	if (t->follow)
		tui_follow(t, NULL);
	else if (t->drill)
		return keymap_group_up(t, key);
	else
		t->search[0] = '\0';
	return TUI_REDRAW;
}

static int
keymap_follow(struct tui *t, int key)
{
	const struct conn *c = tui_selected(t);

	(void)key;
	if (t->follow) {
		tui_follow(t, NULL);
		return TUI_REDRAW;
	}
	if (c == NULL) {
		tui_message(t, 0, "no connection selected to follow");
		return TUI_REDRAW;
	}
	tui_follow(t, c);
	/* Following is shown on the diagram. */
	if (t->diagram == TUI_DIAGRAM_OFF)
		t->diagram = TUI_DIAGRAM_SPLIT;
	return TUI_REDRAW;
}

static int
keymap_sort_menu(struct tui *t, int key)
{
	(void)key;
	t->mode = TUI_SORT;
	t->sort_sel = field_sort_index(t->sort_key);
	return TUI_REDRAW;
}

static int
keymap_sort_pick(struct tui *t, int key)
{
	(void)key;
	if (field_sort_key((size_t)t->sort_sel) >= 0)
		t->sort_key = field_sort_key((size_t)t->sort_sel);
	t->mode = tui_home(t);
	return TUI_REDRAW | TUI_REVIEW;
}

static int
keymap_columns(struct tui *t, int key)
{
	(void)key;
	tui_columns_open(t);
	return TUI_REDRAW;
}

static int
keymap_columns_toggle(struct tui *t, int key)
{
	(void)key;
	tui_columns_toggle(t);
	return TUI_REDRAW;
}

static int
keymap_columns_move(struct tui *t, int key)
{
	tui_columns_move(t, key == '[' || key == TUI_KEY_F7 ? -1 : 1);
	return TUI_REDRAW;
}

static int
keymap_sort_step(struct tui *t, int key)
{
	t->sort_key = field_sort_step(t->sort_key, key == '>' ? 1 : -1);
	tui_message(t, 0, "sorted by %s", field_table[t->sort_key].name);
	return TUI_REDRAW | TUI_REVIEW;
}

static int
keymap_invert(struct tui *t, int key)
{
	(void)key;
	t->sort_reverse = !t->sort_reverse;
	return TUI_REDRAW | TUI_REVIEW;
}

static int
keymap_pause(struct tui *t, int key)
{
	(void)key;
	if (t->lesson)
		return TUI_REDRAW | TUI_STEP;
	t->paused = !t->paused;
	/* Resuming refreshes at once rather than after a full delay. */
	return TUI_REDRAW | (t->paused ? 0 : TUI_RESCAN);
}

static int
keymap_delay(struct tui *t, int key)
{
	char buf[32];

	if (key == 'd') {
		snprintf(buf, sizeof buf, "%g", t->delay);
		tui_prompt_open(t, TUI_PROMPT_DELAY, buf);
		return TUI_REDRAW;
	}
	t->delay = tui_delay_step(t->delay, key == '-' ? -1 : 1);
	tui_message(t, 0, "delay %gs", t->delay);
	return TUI_REDRAW | TUI_DELAY;
}

static int
keymap_family(struct tui *t, int key)
{
	unsigned only = key == '4' ? FILTER_INET4 : FILTER_INET6;
	unsigned both = FILTER_INET4 | FILTER_INET6;

	t->filter.families = t->filter.families == only ? both : only;
	tui_message(t, 0, "showing %s", t->filter.families == both ?
	    "IPv4 and IPv6" : only == FILTER_INET4 ? "IPv4 only" :
	    "IPv6 only");
	return TUI_REDRAW | TUI_REVIEW | TUI_RESCAN;
}

static int
keymap_diagram(struct tui *t, int key)
{
	(void)key;
	t->diagram = (t->diagram + 1) % (TUI_DIAGRAM_FULL + 1);
	return TUI_REDRAW;
}

static int
keymap_explain(struct tui *t, int key)
{
	(void)key;
	t->explain_state = tui_explain_state(t);
	if (t->explain_state == 0) {
		tui_message(t, 0, "no connection selected: its state is "
		    "explained");
		return TUI_REDRAW;
	}
	t->mode = TUI_EXPLAIN;
	return TUI_REDRAW;
}

static int
keymap_alerts(struct tui *t, int key)
{
	(void)key;
	t->mode = TUI_ALERTS;
	t->scroll = 0;
	return TUI_REDRAW;
}

static int
keymap_color(struct tui *t, int key)
{
	(void)key;
	t->color = !t->color;
	return TUI_REPAINT;
}

static int
keymap_kill(struct tui *t, int key)
{
	return tui_kill_open(t, key == 'K');
}

static int
keymap_kill_yes(struct tui *t, int key)
{
	(void)t, (void)key;
	return TUI_REDRAW | TUI_KILLNOW;
}

static int
keymap_kill_cancel(struct tui *t, int key)
{
	(void)key;
	tui_kill_close(t, 0);
	return TUI_REDRAW;
}

static int
keymap_repaint(struct tui *t, int key)
{
	(void)t, (void)key;
	return TUI_REPAINT;
}

/* Keys are looked up in order; the first entry whose modes include the
 * current one wins. */
const struct keymap_entry keymap[] = {
	{ { 'h', '?', TUI_KEY_F1 }, "h ? F1", "Help", LISTS, keymap_help,
	    "this help" },
	{ { TUI_KEY_ENTER }, "Enter", NULL, TUI_LIST, keymap_detail,
	    "details of the selected connection: every tcp_info field, "
	    "timers, the states it went through" },
	{ { TUI_KEY_ENTER, TUI_KEY_ESC, TUI_KEY_LEFT, TUI_KEY_BACKSPACE },
	    "Enter Esc Left", NULL, TUI_DETAIL | TUI_HELP, keymap_back,
	    "back to the list" },
	{ { TUI_KEY_UP, TUI_KEY_DOWN }, "Up Down", NULL, ALL | TUI_KILL,
	    keymap_move,
	    "move the selection (it follows the connection across "
	    "refreshes); scroll the help and the details" },
	{ { TUI_KEY_PGUP, TUI_KEY_PGDN }, "PgUp PgDn", NULL,
	    ALL | TUI_KILL, keymap_move, "move a page" },
	{ { TUI_KEY_HOME, TUI_KEY_END }, "Home End", NULL, ALL | TUI_KILL,
	    keymap_move,
	    "first or last row" },
	{ { 'p' }, "p", "Port", LISTS, keymap_port,
	    "port filter: PORT[,PORT|LO-HI...], as -p; empty clears; the "
	    "kernel filters" },
	{ { TUI_KEY_F4, '\\' }, "F4 \\", "Filter", LISTS, keymap_filter,
	    "filter expression as -f, ss-like: sport/dport/port/src/dst/"
	    "state, and/or/not; the kernel filters what it can" },
	{ { TUI_KEY_F3, '/' }, "F3 /", "Search", TUI_LIST, keymap_search,
	    "search the endpoints and states as you type; matches are "
	    "highlighted" },
	{ { 'n', 'N' }, "n N", NULL, TUI_LIST, keymap_search_next,
	    "next or previous match" },
	{ { TUI_KEY_ESC }, "Esc", NULL, TUI_LIST, keymap_clear,
	    "end following; else leave a group's connections for the "
	    "groups; else clear the search highlight" },
	{ { TUI_KEY_F6 }, "F6", "SortBy", VIEWS, keymap_sort_menu,
	    "choose the sort column" },
	{ { TUI_KEY_ENTER }, "Enter", NULL, TUI_SORT, keymap_sort_pick,
	    "sort by the column under the cursor" },
	{ { TUI_KEY_ESC, TUI_KEY_F6, TUI_KEY_LEFT }, "Esc", NULL, TUI_SORT,
	    keymap_back, "leave the sort menu" },
	{ { TUI_KEY_F2 }, "F2", "Cols", VIEWS, keymap_columns,
	    "choose the columns: every column with its help, a mark on the "
	    "shown ones; kept in tcptoprc" },
	{ { ' ' }, "Space", "Show", TUI_COLUMNS, keymap_columns_toggle,
	    "show or hide the highlighted column (one always stays)" },
	{ { TUI_KEY_F7, '[' }, "F7 [", "Earlier", TUI_COLUMNS,
	    keymap_columns_move, "move the highlighted column left" },
	{ { TUI_KEY_F8, ']' }, "F8 ]", "Later", TUI_COLUMNS,
	    keymap_columns_move, "move the highlighted column right" },
	{ { TUI_KEY_F2, TUI_KEY_ENTER, TUI_KEY_ESC, TUI_KEY_LEFT },
	    "F2 Enter Esc", "Done", TUI_COLUMNS, keymap_back,
	    "close the column chooser" },
	{ { '<', '>' }, "< >", NULL, VIEWS, keymap_sort_step,
	    "sort by the previous or next column" },
	{ { 'I' }, "I", NULL, VIEWS, keymap_invert,
	    "invert the sort order" },
	{ { ' ' }, "Space", "Pause", LISTS, keymap_pause,
	    "pause or resume refreshing (keys still work); in --lesson: "
	    "the next step" },
	{ { 'd', '+', '-', '=' }, "d + -", "Delay", LISTS, keymap_delay,
	    "set the delay, or make it longer or shorter" },
	{ { '4', '6' }, "4 6", NULL, LISTS, keymap_family,
	    "IPv4 or IPv6 only; again for both" },
	{ { 't' }, "t", NULL, TUI_LIST, keymap_diagram,
	    "the TCP state diagram instead of the histogram, above the "
	    "list; again: full screen, with the edges taken listed under "
	    "it; again: hidden.  Each state with its count, each edge "
	    "with its transitions; an edge flashes when taken; aborts "
	    "into CLOSED are marks by their box (x: reset or failed, o: "
	    "gone without TIME_WAIT seen), in red when abnormal" },
	{ { 'f' }, "f", NULL, TUI_LIST, keymap_follow,
	    "follow the selected connection: the diagram (shown if hidden) "
	    "highlights its state and the path it took, and a timeline "
	    "under it lists its states with when it entered them; kept "
	    "when the connection goes; f again or Esc ends it" },
	{ { 'e' }, "e", NULL, TUI_LIST, keymap_explain,
	    "explain the followed or selected connection's state: what it "
	    "means, what "
	    "moves it on, what a pile-up in it points at, how Linux does "
	    "it" },
	{ { TUI_KEY_ESC, 'e', TUI_KEY_ENTER, TUI_KEY_LEFT }, "Esc e", NULL,
	    TUI_EXPLAIN, keymap_back, "close the explanation" },
	{ { 'k', 'K' }, "k K", NULL, TUI_LIST, keymap_kill,
	    "destroy the selected connection (k) or every connection the "
	    "filter shows (K) with SOCK_DESTROY, as ss -K does (needs root): "
	    "a window lists them first, as they are now" },
	{ { 'y' }, "y", "Destroy", TUI_KILL, keymap_kill_yes,
	    "in that window: destroy exactly what it lists; any other key "
	    "cancels.  The status line then says how many went and why "
	    "any failed" },
	{ { 'g' }, "g", NULL, TUI_LIST | TUI_GROUPS, keymap_group,
	    "group the connections by service (a listened-on local port, "
	    "else ->the remote port), then by remote host, by process, by "
	    "namespace (--all-netns), then back: each group with its count "
	    "and its states" },
	{ { TUI_KEY_ENTER }, "Enter", NULL, TUI_GROUPS, keymap_group_drill,
	    "the selected group's connections, marked \"group:\" on the "
	    "status line; Esc or Backspace goes back to the groups" },
	{ { TUI_KEY_BACKSPACE }, "Backspace", NULL, TUI_LIST,
	    keymap_group_up, "back from a group's connections to the "
	    "groups" },
	{ { TUI_KEY_ESC, TUI_KEY_LEFT }, "Esc Left", NULL, TUI_GROUPS,
	    keymap_group_leave, "leave the groups for the connections" },
	{ { '<', '>' }, "< >", NULL, TUI_GROUPS, keymap_group_sort,
	    "sort the groups by count, or by one state's count (which "
	    "remote hosts hold the CLOSE_WAIT sockets)" },
	{ { 'a' }, "a", NULL, TUI_LIST, keymap_alerts,
	    "every alert (the first is on the line under the header): "
	    "SYN flood, full accept queue, CLOSE_WAIT leak, TIME_WAIT or "
	    "orphans near their limits, retransmits without progress, "
	    "connects stuck in SYN_SENT; each with its evidence and what "
	    "to check next" },
	{ { TUI_KEY_ESC, 'a', TUI_KEY_ENTER, TUI_KEY_LEFT }, "Esc a", NULL,
	    TUI_ALERTS, keymap_back, "close the alerts" },
	{ { 'c' }, "c", NULL, ALL, keymap_color,
	    "colours on or off" },
	{ { 12 }, "^L", NULL, ALL, keymap_repaint,
	    "repaint the screen" },
	{ { 'q', TUI_KEY_F10 }, "q F10", "Quit", ALL, keymap_quit,
	    "quit (settings are saved)" },
};

const size_t keymap_n = sizeof keymap / sizeof keymap[0];

int
keymap_dispatch(struct tui *t, int key)
{
	size_t i, k;

	if (key == '=')
		key = '+';
	for (i = 0; i < keymap_n; i++) {
		if (!(keymap[i].modes & t->mode))
			continue;
		for (k = 0; k < 4 && keymap[i].keys[k] != 0; k++)
			if (keymap[i].keys[k] == key)
				return keymap[i].action(t, key);
	}
	/* Like htop, any other key leaves the help screen. */
	if (t->mode == TUI_HELP)
		return keymap_back(t, key);
	/* Only y destroys: anything else is a no. */
	if (t->mode == TUI_KILL)
		return keymap_kill_cancel(t, key);
	return 0;
}

const char *
keymap_bar(const struct keymap_entry *k, const struct tui *t)
{
	if (t->lesson && k->action == keymap_pause)
		return "Next";
	return k->bar;
}

const char *
keymap_key_name(int key, char *buf, size_t len)
{
	if (key >= TUI_KEY_F1 && key <= TUI_KEY_F10)
		snprintf(buf, len, "F%d", key - TUI_KEY_F1 + 1);
	else if (key == ' ')
		snprintf(buf, len, "Spc");
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "?");
	return buf;
}
