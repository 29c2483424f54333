/* The terminal: ncursesw set-up and teardown, keys, colour roles, the
 * layout of the panes, and drawing a frame. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "pane.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#define UI_MIN_COLS 40
#define UI_MIN_ROWS 12
#define UI_LESSON_ROWS 4

static SCREEN *ui_screen;
static int ui_has_color;	/* the terminal has colours */
static int ui_color;		/* and they are on */
static int ui_is_utf8;
static int ui_ascii;		/* --ascii: nothing but ASCII on screen */
static int ui_top = 1;		/* the header's lines */
static int ui_mid = -1;		/* the middle's rows in the last layout,
				 * -1 before the first */

/* Each role: a colour pair (fg, bg; -1 is the terminal's default) with
 * extra attributes, and what stands for it without colour. */
static const struct {
	short fg, bg;
	attr_t color_attr;
	attr_t mono_attr;
} ui_roles[UI_NROLES] = {
	[UI_NORMAL] = { -1, -1, 0, 0 },
	[UI_HEADER] = { -1, -1, A_BOLD, A_BOLD },
	[UI_TITLE] = { COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE },
	[UI_TITLE_SORT] = { COLOR_BLACK, COLOR_CYAN, A_BOLD,
	    A_REVERSE | A_BOLD | A_UNDERLINE },
	[UI_OPENING] = { COLOR_YELLOW, -1, 0, 0 },
	[UI_ESTABLISHED] = { COLOR_GREEN, -1, 0, 0 },
	[UI_CLOSING] = { COLOR_MAGENTA, -1, 0, 0 },
	[UI_WAITING] = { COLOR_CYAN, -1, 0, 0 },
	[UI_NEW] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[UI_GONE] = { COLOR_RED, -1, A_DIM, A_DIM },
	[UI_SELECTED] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UI_MATCH] = { COLOR_BLACK, COLOR_YELLOW, 0, A_UNDERLINE | A_BOLD },
	[UI_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[UI_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[UI_KEY] = { -1, -1, A_BOLD, A_BOLD },
	[UI_KEYLABEL] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UI_PROMPT] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[UI_DIM] = { -1, -1, A_DIM, A_DIM },
	[UI_FLASH] = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_REVERSE | A_BOLD },
	[UI_ABNORMAL] = { COLOR_RED, -1, 0, A_UNDERLINE },
	[UI_ABNORMAL_HOT] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[UI_FOLLOW] = { COLOR_YELLOW, -1, A_BOLD | A_UNDERLINE,
	    A_BOLD | A_UNDERLINE },
};

static const char *const ui_glyphs[UI_G_NGLYPHS][2] = {
	[UI_G_ELLIPSIS] = { "~", "\u2026" },
	[UI_G_UP] = { "^", "\u25b2" },
	[UI_G_DOWN] = { "v", "\u25bc" },
	[UI_G_ARROW] = { ">", "\u2192" },
	[UI_G_BLOCK] = { "#", "\u2588" },
};

static const char *const ui_eighths[8] = {
	"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a",
	"\u2589",
};

attr_t
ui_attr(int role)
{
	if (role < 0 || role >= UI_NROLES)
		role = UI_NORMAL;
	if (ui_color)
		return COLOR_PAIR(role) | ui_roles[role].color_attr;
	return ui_roles[role].mono_attr;
}

int
ui_state_role(int state)
{
	switch (tcpstate_phase(state)) {
	case TCPSTATE_OPENING:
		return UI_OPENING;
	case TCPSTATE_ESTABLISHED_PHASE:
		return UI_ESTABLISHED;
	case TCPSTATE_CLOSING_PHASE:
		return UI_CLOSING;
	}
	return UI_WAITING;
}

const char *
ui_glyph(int g)
{
	return ui_glyphs[g][ui_is_utf8];
}

const char *
ui_eighth(int n)
{
	return ui_is_utf8 && n > 0 && n < 8 ? ui_eighths[n] : NULL;
}

int
ui_utf8(void)
{
	return ui_is_utf8;
}

int
ui_put(int y, int x, int w, int role, const char *text)
{
	wchar_t buf[512];
	mbstate_t mb;
	const char *p = text;
	int n = 0;

	memset(&mb, 0, sizeof mb);
	while (*p != '\0' && n < w && n < (int)(sizeof buf / sizeof *buf)) {
		wchar_t wc;
		size_t len;

		if ((unsigned char)*p < 0x80) {
			wc = (unsigned char)*p < 0x20 || *p == 0x7f ? L'?' :
			    (wchar_t)*p;
			len = 1;
		} else if (!ui_is_utf8) {
			wc = L'?';
			len = 1;
		} else {
			len = mbrtowc(&wc, p, strlen(p), &mb);
			if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
				memset(&mb, 0, sizeof mb);
				wc = L'?';
				len = 1;
			} else if (wcwidth(wc) != 1)
				wc = L'?';
		}
		buf[n++] = wc;
		p += len;
	}
	if (n == 0)
		return 0;
	attrset(ui_attr(role));
	mvaddnwstr(y, x, buf, n);
	attrset(A_NORMAL);
	return n;
}

void
ui_fill(int y, int x, int w, int role)
{
	if (w <= 0)
		return;
	attrset(ui_attr(role));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void
ui_putpad(int y, int x, int w, int role, const char *text)
{
	int n = ui_put(y, x, w, role, text);

	ui_fill(y, x + n, w - n, role);
}

void
ui_linecell(int y, int x, unsigned conn, unsigned arrow, int role)
{
	chtype ch;

	if (arrow != 0)
		ch = arrow == 1 ? (ui_ascii ? '^' : ACS_UARROW) :
		    arrow == 2 ? (ui_ascii ? '>' : ACS_RARROW) :
		    arrow == 4 ? (ui_ascii ? 'v' : ACS_DARROW) :
		    (ui_ascii ? '<' : ACS_LARROW);
	else if (ui_ascii)
		ch = conn == 0xa ? '-' : conn == 0x5 ? '|' : '+';
	else
		switch (conn) {
		case 0xa: ch = ACS_HLINE; break;
		case 0x5: ch = ACS_VLINE; break;
		case 0x6: ch = ACS_ULCORNER; break;
		case 0xc: ch = ACS_URCORNER; break;
		case 0x3: ch = ACS_LLCORNER; break;
		case 0x9: ch = ACS_LRCORNER; break;
		case 0x7: ch = ACS_LTEE; break;
		case 0xd: ch = ACS_RTEE; break;
		case 0xe: ch = ACS_TTEE; break;
		case 0xb: ch = ACS_BTEE; break;
		default: ch = ACS_PLUS; break;
		}
	mvaddch(y, x, ch | ui_attr(role));
}

void
ui_box(struct pane_rect r, const char *title)
{
	int i;

	if (r.h < 2 || r.w < 2)
		return;
	attrset(ui_attr(UI_NORMAL));
	/* In a UTF-8 locale curses draws the line-drawing characters as
	 * Unicode box drawing, which --ascii promises never to send. */
	mvhline(r.y, r.x + 1, ui_ascii ? '-' : ACS_HLINE, r.w - 2);
	mvhline(r.y + r.h - 1, r.x + 1, ui_ascii ? '-' : ACS_HLINE, r.w - 2);
	mvvline(r.y + 1, r.x, ui_ascii ? '|' : ACS_VLINE, r.h - 2);
	mvvline(r.y + 1, r.x + r.w - 1, ui_ascii ? '|' : ACS_VLINE, r.h - 2);
	mvaddch(r.y, r.x, ui_ascii ? '+' : ACS_ULCORNER);
	mvaddch(r.y, r.x + r.w - 1, ui_ascii ? '+' : ACS_URCORNER);
	mvaddch(r.y + r.h - 1, r.x, ui_ascii ? '+' : ACS_LLCORNER);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ui_ascii ? '+' : ACS_LRCORNER);
	for (i = 1; i < r.h - 1; i++)
		ui_fill(r.y + i, r.x + 1, r.w - 2, UI_NORMAL);
	if (title != NULL)
		ui_put(r.y, r.x + 2, r.w - 4, UI_HEADER, title);
}

static void
ui_init_colors(void)
{
	int i;

	ui_has_color = has_colors() && start_color() == OK;
	if (!ui_has_color)
		return;
	use_default_colors();
	for (i = 1; i < UI_NROLES && i < COLOR_PAIRS; i++)
		init_pair((short)i, ui_roles[i].fg, ui_roles[i].bg);
}

int
ui_open(int color, int ascii, char *err, size_t errlen)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the interactive view needs a terminal "
		    "(use -b or --json for reports)");
		return -1;
	}
	/* Only the character type follows the locale: numbers in reports
	 * stay in the C locale. */
	setlocale(LC_CTYPE, "");
	ui_ascii = ascii;
	ui_is_utf8 = !ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (term == NULL || *term == '\0') {
		snprintf(err, errlen, "TERM is not set");
		return -1;
	}
	ui_screen = newterm(NULL, stdout, stdin);
	if (ui_screen == NULL) {
		snprintf(err, errlen, "unknown terminal type \"%.40s\"", term);
		return -1;
	}
	atexit(ui_close);
	xmalloc_on_fail(ui_close);
	/* Esc alone must not wait the default second for a sequence. */
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	ui_init_colors();
	ui_color = color && ui_has_color;
	return 0;
}

void
ui_close(void)
{
	if (ui_screen == NULL)
		return;
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
}

int
ui_fd(void)
{
	return STDIN_FILENO;
}

int
ui_getkey(void)
{
	wint_t wc;
	int rc;

	if (ui_screen == NULL)
		return -1;
	rc = wget_wch(stdscr, &wc);
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP:
			return TUI_KEY_UP;
		case KEY_DOWN:
			return TUI_KEY_DOWN;
		case KEY_LEFT:
			return TUI_KEY_LEFT;
		case KEY_RIGHT:
			return TUI_KEY_RIGHT;
		case KEY_PPAGE:
			return TUI_KEY_PGUP;
		case KEY_NPAGE:
			return TUI_KEY_PGDN;
		case KEY_HOME:
		case KEY_FIND:
		case KEY_A1:
			return TUI_KEY_HOME;
		case KEY_END:
		case KEY_SELECT:
		case KEY_C1:
			return TUI_KEY_END;
		case KEY_ENTER:
			return TUI_KEY_ENTER;
		case KEY_BACKSPACE:
			return TUI_KEY_BACKSPACE;
		case KEY_DC:
			return TUI_KEY_DELETE;
		case KEY_RESIZE:
			return TUI_KEY_RESIZE;
		}
		if (wc >= KEY_F(1) && wc <= KEY_F(10))
			return TUI_KEY_F1 + (int)(wc - KEY_F(1));
		return 0;
	}
	switch (wc) {
	case '\r':
	case '\n':
		return TUI_KEY_ENTER;
	case 27:
		return TUI_KEY_ESC;
	case 127:
	case 8:
		return TUI_KEY_BACKSPACE;
	}
	return (int)wc;
}

/* The layout: header on top, status line and key bar at the bottom, the
 * mode's panes between. */
struct ui_layout {
	struct pane_rect header, status, keys, hist, conns, main, menu;
	struct pane_rect alerts;	/* h 0: not shown */
	struct pane_rect diagram;	/* h 0: not shown */
	struct pane_rect lesson;	/* h 0: not shown */
	int small;
};

void
ui_header_lines(int n)
{
	ui_top = n == 2 ? 2 : 1;
}

int
ui_middle_rows(void)
{
	return ui_mid >= 0 ? ui_mid : LINES - 2 - ui_top;
}

static void
ui_layout(const struct ui_frame *f, struct ui_layout *l)
{
	int top = ui_top, h = LINES - 2 - top, hh;

	memset(l, 0, sizeof *l);
	l->small = LINES < UI_MIN_ROWS || COLS < UI_MIN_COLS;
	if (l->small)
		return;
	l->header = (struct pane_rect){ 0, 0, top, COLS };
	l->status = (struct pane_rect){ LINES - 2, 0, 1, COLS };
	l->keys = (struct pane_rect){ LINES - 1, 0, 1, COLS };
	/* The first alert under the header, when there is one. */
	if (f->tui->nalerts > 0 && h > 8) {
		l->alerts = (struct pane_rect){ top, 0, 1, COLS };
		top++;
		h--;
	}
	/* The lesson's text sits above the status line, its rows taken
	 * from the middle. */
	if (f->tui->lesson && h > 12) {
		l->lesson = (struct pane_rect){ top + h - UI_LESSON_ROWS, 0,
		    UI_LESSON_ROWS, COLS };
		h -= UI_LESSON_ROWS;
	}
	l->main = (struct pane_rect){ top, 0, h, COLS };
	if (f->tui->diagram &&
	    (f->tui->mode & (TUI_LIST | TUI_SORT | TUI_EXPLAIN | TUI_KILL |
	    TUI_COLUMNS | TUI_ALERTS))) {
		/* The diagram instead of the histogram (its boxes count
		 * the states), split: the list below when it has room;
		 * full: the whole middle. */
		hh = f->tui->diagram == TUI_DIAGRAM_FULL ? h :
		    pane_diagram_height(COLS, h, f->tui->lesson ? 3 : 6);
		l->diagram = (struct pane_rect){ top, 0, hh, COLS };
		l->conns = (struct pane_rect){ top + hh, 0, h - hh, COLS };
		l->menu = (struct pane_rect){ top + hh, 0, h - hh, 26 };
		if (l->menu.h > (int)field_nsort() + 2)
			l->menu.h = (int)field_nsort() + 2;
		return;
	}
	ui_mid = h;
	hh = pane_hist_height(f, COLS, h);
	l->hist = (struct pane_rect){ top, 0, hh, COLS };
	l->conns = (struct pane_rect){ top + hh, 0, h - hh, COLS };
	l->menu = (struct pane_rect){ top + hh, 0, h - hh, 26 };
	if (l->menu.h > (int)field_nsort() + 2)
		l->menu.h = (int)field_nsort() + 2;
}

/* The column chooser: under the list's titles, so they show the choice
 * as it is made, or the whole middle when the list is short. */
static struct pane_rect
ui_columns_rect(const struct ui_layout *l)
{
	struct pane_rect r = l->conns;

	if (r.h - 1 < 10)
		r = l->main;
	else {
		r.y++;
		r.h--;
	}
	r.w = COLS < 80 ? COLS : 80;
	r.x = (COLS - r.w) / 2;
	return r;
}

int
ui_list_rows(const struct tui *t)
{
	struct ui_frame f;
	struct ui_layout l;

	memset(&f, 0, sizeof f);
	f.tui = t;
	f.view = t->view;
	ui_layout(&f, &l);
	if (l.small || l.conns.h < 2)
		return 1;
	return l.conns.h - 1;	/* the column titles */
}

int
ui_scroll_max(const struct ui_frame *f)
{
	struct ui_layout l;
	int n;

	ui_layout(f, &l);
	if (l.small)
		return 0;
	if (f->tui->mode == TUI_KILL)
		return pane_kill_scroll_max(f, l.main);
	if (f->tui->mode == TUI_ALERTS)
		n = pane_alerts_count(f, l.main) - l.main.h;
	else
		n = (f->tui->mode == TUI_DETAIL ? pane_detail_count(f,
		    l.main) : pane_help_count(l.main)) - l.main.h;
	return n > 0 ? n : 0;
}

void
ui_draw(const struct ui_frame *f, int repaint)
{
	struct ui_layout l;
	int mode = f->tui->mode;

	if (ui_screen == NULL)
		return;
	ui_color = f->tui->color && ui_has_color;
	erase();
	ui_layout(f, &l);
	if (l.small) {
		char msg[64];

		ui_put(LINES / 2 - 1, 0, COLS, UI_WARN, "terminal too small");
		snprintf(msg, sizeof msg, "%dx%d, needs %dx%d", COLS, LINES,
		    UI_MIN_COLS, UI_MIN_ROWS);
		ui_put(LINES / 2, 0, COLS, UI_WARN, msg);
	} else {
		pane_header.draw(f, l.header);
		if (l.alerts.h > 0)
			pane_alertline.draw(f, l.alerts);
		if (mode == TUI_DETAIL)
			pane_detail.draw(f, l.main);
		else if (mode == TUI_HELP)
			pane_help.draw(f, l.main);
		else {
			if (l.diagram.h > 0)
				pane_diagram.draw(f, l.diagram);
			else
				pane_hist.draw(f, l.hist);
			/* Following: its timeline instead of the list. */
			if (l.conns.h > 0 && mode == TUI_GROUPS)
				pane_groups.draw(f, l.conns);
			else if (l.conns.h > 0 && l.diagram.h > 0 &&
			    f->tui->follow)
				pane_follow.draw(f, l.conns);
			else if (l.conns.h > 0)
				pane_conns.draw(f, l.conns);
			if (mode == TUI_SORT)
				pane_sort.draw(f, l.menu);
			if (mode == TUI_COLUMNS)
				pane_columns.draw(f, ui_columns_rect(&l));
			if (mode == TUI_EXPLAIN)
				pane_explain.draw(f, (struct pane_rect){
				    l.main.y, l.main.x + 1, l.main.h,
				    l.main.w - 2 });
			if (mode == TUI_KILL)
				pane_kill.draw(f, l.main);
			if (mode == TUI_ALERTS)
				pane_alerts.draw(f, l.main);
		}
		if (l.lesson.h > 0)
			pane_lesson.draw(f, l.lesson);
		pane_status.draw(f, l.status);
		pane_keys.draw(f, l.keys);
	}
	if (repaint)
		clearok(curscr, TRUE);
	refresh();
}
