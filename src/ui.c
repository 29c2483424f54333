/* The terminal: ncursesw set-up and teardown, keys, colour roles, and
 * the drawing primitives the screens and panes use. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "screen.h"
#include "tcptop/fatal.h"
#include "tcptop/sig.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"
#include "tcptop/ui.h"

/* Last: its capability macros (lines, columns...) would rename words of
 * the headers above. */
#include <term.h>

static SCREEN *ui_screen;
static int ui_has_color;	/* the terminal has colours */
static int ui_color_on;		/* and they are on */
static int ui_is_utf8;
static int ui_ascii;		/* --ascii: nothing but ASCII on screen */
static int ui_mouse_y, ui_mouse_x;	/* where the last click or wheel was */

/* What gives the terminal back from a signal handler, where curses
 * cannot run: the modes before curses took them, and the bytes that
 * undo what it sent (attributes, cursor, keypad, alternate screen). */
static struct termios ui_tio;
static int ui_tio_saved;
static char ui_undo[256];
static size_t ui_undo_len;

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
	if (ui_color_on)
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

static const char *const ui_vbars[2][9] = {
	{ " ", ".", ",", ":", "-", "=", "+", "*", "#" },
	{ " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
	    "\u2587", "\u2588" },
};

const char *
ui_vbar(int n)
{
	if (n < 0 || n > 8)
		n = 0;
	return ui_vbars[ui_is_utf8 != 0][n];
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
ui_box(struct rect r, const char *title)
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

/* The capability cap of the terminal curses set up, its padding
 * ($<...>) dropped, after ui_undo. */
static void
ui_undo_add(const char *cap)
{
	char *v = tigetstr(cap);

	if (v == NULL || v == (char *)-1)
		return;
	while (*v != '\0' && ui_undo_len + 1 < sizeof ui_undo) {
		if (v[0] == '$' && v[1] == '<' && strchr(v, '>') != NULL) {
			v = strchr(v, '>') + 1;
			continue;
		}
		ui_undo[ui_undo_len++] = *v++;
	}
}

/* From a fault's handler: async-signal-safe calls only. */
static void
ui_restore_now(void)
{
	ssize_t n = 0;
	size_t off;

	for (off = 0; off < ui_undo_len && n != -1; off += (size_t)n)
		n = write(STDOUT_FILENO, ui_undo + off, ui_undo_len - off);
	if (ui_tio_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &ui_tio);
}

/* Whether term can hold a full-screen view: known to terminfo, and able
 * to put the cursor anywhere and clear the screen (not "dumb").
 * Nothing is written to the terminal.  Returns 0, or -1 with the reason
 * in err. */
static int
ui_term_ok(const char *term, char *err, size_t errlen)
{
	static const char use_b[] = "(use -b or --json for reports)";
	TERMINAL *t;
	char name[48], *cup, *clr;
	int e = 0, ok;

	if (term == NULL || *term == '\0') {
		snprintf(err, errlen, "TERM is not set, so the interactive "
		    "view cannot draw %s", use_b);
		return -1;
	}
	text_clean(name, sizeof name, term, strlen(term), TEXT_NOSPACE);
	if (setupterm(term, STDOUT_FILENO, &e) != OK) {
		snprintf(err, errlen, "TERM=%s: %s %s", name, e == -1 ?
		    "no terminfo database found" : "not a terminal type "
		    "terminfo knows", use_b);
		return -1;
	}
	cup = tigetstr("cup");
	clr = tigetstr("clear");
	ok = cup != NULL && cup != (char *)-1 && clr != NULL &&
	    clr != (char *)-1;
	t = cur_term;
	set_curterm(NULL);
	del_curterm(t);
	if (!ok) {
		snprintf(err, errlen, "TERM=%s cannot move the cursor, which "
		    "the interactive view needs %s", name, use_b);
		return -1;
	}
	return 0;
}

/* The mouse, as htop: a left click when the button is let go, the
 * wheel (buttons 4 and 5), at once (no click interval).  When the
 * terminal reports it, the bytes that turn its reports off join
 * ui_undo, after rmcup. */
static void
ui_mouse_on(void)
{
	static const char off[] = "\033[?1006l\033[?1000l";
	mmask_t want = BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON4_PRESSED;

#if NCURSES_MOUSE_VERSION > 1
	want |= BUTTON5_PRESSED;
#endif
	/* The Linux console has a mouse only through the gpm daemon,
	 * which ncurses loads libgpm to ask; without the daemon there is
	 * no mouse to have, and libgpm's failed open leaks. */
	if (strncmp(termname(), "linux", 5) == 0 &&
	    access("/dev/gpmctl", F_OK) == -1)
		return;
	if (mousemask(want, NULL) == 0)
		return;
	mouseinterval(0);
	if (ui_undo_len + sizeof off <= sizeof ui_undo) {
		memcpy(ui_undo + ui_undo_len, off, sizeof off - 1);
		ui_undo_len += sizeof off - 1;
	}
}

int
ui_open(int color, int ascii, int mouse, char *err, size_t errlen)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the interactive view needs a terminal "
		    "(use -b or --json for reports)");
		return -1;
	}
	if (ui_term_ok(term, err, errlen) == -1)
		return -1;
	/* Only the character type follows the locale: numbers in reports
	 * stay in the C locale. */
	setlocale(LC_CTYPE, "");
	ui_ascii = ascii;
	ui_is_utf8 = !ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui_tio_saved = tcgetattr(STDIN_FILENO, &ui_tio) == 0;
	ui_screen = newterm(NULL, stdout, stdin);
	if (ui_screen == NULL) {
		snprintf(err, errlen, "curses cannot start on this "
		    "terminal");
		return -1;
	}
	atexit(ui_close);
	fatal_set_hook(ui_close);
	ui_undo_len = 0;
	ui_undo_add("sgr0");
	ui_undo_add("cnorm");
	ui_undo_add("rmkx");
	ui_undo_add("rmcup");
	sig_set_restore(ui_restore_now);
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
	if (mouse)
		ui_mouse_on();
	ui_init_colors();
	ui_color_on = color && ui_has_color;
	return 0;
}

void
ui_close(void)
{
	if (ui_screen == NULL)
		return;
	sig_set_restore(NULL);
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
}

int
ui_fd(void)
{
	return STDIN_FILENO;
}

/* A mouse event as a key: K_CLICK, K_WHEEL_UP, K_WHEEL_DOWN, or 0 for
 * one tcptop has no use for. */
static int
ui_mouse_key(void)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return 0;
	ui_mouse_y = ev.y;
	ui_mouse_x = ev.x;
	if (ev.bstate & BUTTON4_PRESSED)
		return K_WHEEL_UP;
#if NCURSES_MOUSE_VERSION > 1
	if (ev.bstate & BUTTON5_PRESSED)
		return K_WHEEL_DOWN;
#endif
	if (ev.bstate & (BUTTON1_RELEASED | BUTTON1_CLICKED))
		return K_CLICK;
	return 0;
}

void
ui_mouse_at(int *y, int *x)
{
	*y = ui_mouse_y;
	*x = ui_mouse_x;
}

void
ui_mouse_put(int y, int x)
{
	ui_mouse_y = y;
	ui_mouse_x = x;
}

/* A key curses decoded as a K_* key, or 0. */
static int
ui_keycode(wint_t wc)
{
	switch (wc) {
	case KEY_UP:
		return K_UP;
	case KEY_DOWN:
		return K_DOWN;
	case KEY_LEFT:
		return K_LEFT;
	case KEY_RIGHT:
		return K_RIGHT;
	case KEY_PPAGE:
		return K_PGUP;
	case KEY_NPAGE:
		return K_PGDN;
	case KEY_HOME:
	case KEY_FIND:
	case KEY_A1:
		return K_HOME;
	case KEY_END:
	case KEY_SELECT:
	case KEY_C1:
		return K_END;
	case KEY_ENTER:
		return K_ENTER;
	case KEY_BACKSPACE:
		return K_BACKSPACE;
	case KEY_DC:
		return K_DELETE;
	case KEY_RESIZE:
		return K_RESIZE;
	case KEY_MOUSE:
		return ui_mouse_key();
	}
	if (wc >= KEY_F(1) && wc <= KEY_F(10))
		return K_F1 + (int)(wc - KEY_F(1));
	return 0;
}

int
ui_getkey(void)
{
	wint_t wc;
	int rc, key;

	if (ui_screen == NULL)
		return -1;
	do {
		rc = wget_wch(stdscr, &wc);
		if (rc == ERR)
			return -1;
		/* A mouse event tcptop has no use for (a press, another
		 * button) is no key at all: it would clear the message. */
		key = rc == KEY_CODE_YES ? ui_keycode(wc) : -2;
	} while (rc == KEY_CODE_YES && key == 0 && wc == KEY_MOUSE);
	if (rc == KEY_CODE_YES)
		return key;
	switch (wc) {
	case '\r':
	case '\n':
		return K_ENTER;
	case 27:
		return K_ESC;
	case 127:
	case 8:
		return K_BACKSPACE;
	}
	return (int)wc;
}

void
ui_color(int on)
{
	ui_color_on = on && ui_has_color;
}

void
ui_size(int *rows, int *cols)
{
	*rows = LINES;
	*cols = COLS;
}

void
ui_begin(void)
{
	if (ui_screen != NULL)
		erase();
}

void
ui_end(int repaint)
{
	if (ui_screen == NULL)
		return;
	if (repaint)
		clearok(curscr, TRUE);
	refresh();
}

int
ui_wrap_cut(const char *text, int w, const char **next)
{
	int len = (int)strlen(text), cut = len;

	if (len > w) {
		for (cut = w; cut > 0 && text[cut] != ' '; cut--)
			;
		if (cut == 0)
			cut = w;
	}
	*next = text + cut;
	while (**next == ' ')
		(*next)++;
	return cut;
}

void
ui_wrap(int *y, int ymax, int x, int w, int role, const char *text)
{
	char line[512];
	const char *next;

	while (*text != '\0' && *y < ymax) {
		int cut = ui_wrap_cut(text, w, &next);

		snprintf(line, sizeof line, "%.*s", cut, text);
		ui_put((*y)++, x, w, role, line);
		text = next;
	}
}

int
ui_open_null(const char *term, int rows, int cols)
{
	static FILE *out, *in;

	if (out == NULL)
		out = fopen("/dev/null", "w");
	if (in == NULL)
		in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL)
		return -1;
	ui_ascii = 1;
	ui_is_utf8 = 0;
	ui_screen = newterm(term, out, in);
	if (ui_screen == NULL)
		return -1;
	ui_resize(rows, cols);
	return 0;
}

void
ui_resize(int rows, int cols)
{
	if (ui_screen != NULL)
		resizeterm(rows, cols);
}

void
ui_line(int y, char *buf, size_t len)
{
	int x;

	for (x = 0; x < COLS && (size_t)x + 1 < len; x++) {
		chtype c = mvinch(y, x) & A_CHARTEXT;

		buf[x] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[x] = '\0';
}
