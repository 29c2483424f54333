/* screen: what a screen is (one const struct of operations, tmux's
 * window modes, htop's Panel), the screens, and what ui.c offers them
 * for drawing.  Private to ui.c, layout.c, screens.c, screen_*.c and
 * pane_*.c, the only files that speak curses. */
#ifndef TCPTOP_SCREEN_H
#define TCPTOP_SCREEN_H

#include <curses.h>

#include "tcptop/keys.h"
#include "tcptop/layout.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"

/* Colour roles: each has a colour pair and a monochrome attribute, so
 * without colour bold, reverse, underline and dim still tell things
 * apart (ncdu UI_COLORS). */
enum ui_role {
	UI_NORMAL,
	UI_HEADER,
	UI_TITLE,
	UI_TITLE_SORT,
	UI_OPENING,		/* phases of the TCP states */
	UI_ESTABLISHED,
	UI_CLOSING,
	UI_WAITING,
	UI_NEW,
	UI_GONE,
	UI_SELECTED,
	UI_MATCH,
	UI_ERROR,
	UI_WARN,
	UI_KEY,
	UI_KEYLABEL,
	UI_PROMPT,
	UI_DIM,
	UI_FLASH,		/* an edge just taken */
	UI_ABNORMAL,		/* a failed connect, a reset */
	UI_ABNORMAL_HOT,	/* one just taken, fading */
	UI_FOLLOW,		/* the followed connection's path */
	UI_NROLES
};

struct rect {
	int y, x, h, w;
};

/* Glyphs with an ASCII fallback. */
enum ui_glyph {
	UI_G_ELLIPSIS,
	UI_G_UP,
	UI_G_DOWN,
	UI_G_ARROW,		/* between states in a path */
	UI_G_BLOCK,		/* a full bar cell */
	UI_G_NGLYPHS
};

/* ui.c: the drawing primitives. */

/* The attribute of role r under the current colour setting. */
attr_t ui_attr(int role);

/* The role of a TCP state's phase. */
int ui_state_role(int state);

/* A glyph as a string: UTF-8 or ASCII as the terminal allows. */
const char *ui_glyph(int g);

/* A partial bar cell of eighths (1..7), or NULL in ASCII. */
const char *ui_eighth(int n);
/* A column n eighths high (0..8), for sparklines: a block character,
 * or an ASCII one (" .,:-=+*#") without UTF-8. */
const char *ui_vbar(int n);

/* Nonzero when the terminal takes UTF-8. */
int ui_utf8(void);

/* Write at most w cells of text at (y, x) with role's attribute, with
 * control bytes (and, in ASCII mode, anything not ASCII) replaced by
 * '?'.  Returns the cells written.  Text is ASCII or UTF-8 whose
 * characters are one cell wide. */
int ui_put(int y, int x, int w, int role, const char *text);

/* Like ui_put, then blanks to w cells. */
void ui_putpad(int y, int x, int w, int role, const char *text);

/* Blank w cells at (y, x) with role. */
void ui_fill(int y, int x, int w, int role);

/* One cell of a line at (y, x): conn has a bit per neighbour it joins
 * (1 north, 2 east, 4 south, 8 west), arrow one such bit for an
 * arrowhead pointing that way, or 0.  Line drawing, or ASCII. */
void ui_linecell(int y, int x, unsigned conn, unsigned arrow, int role);

/* Draw a frame around r with a title; ASCII or line drawing. */
void ui_box(struct rect r, const char *title);

/* The first line of text wrapped at w cells (w > 0): its length in
 * bytes, cut at a space when one is in reach; *next is where the next
 * line starts (spaces skipped). */
int ui_wrap_cut(const char *text, int w, const char **next);

/* Text wrapped into w cells from row *y on, below row ymax; *y is the
 * row after it. */
void ui_wrap(int *y, int ymax, int x, int w, int role, const char *text);

/* Where a screen goes (layout.c decides). */
enum screen_place {
	SCREEN_MAIN,		/* the middle: a list, the detail, help */
	SCREEN_OVER,		/* a window over the main screen */
	SCREEN_BAND,		/* beside the stack, above the main screen:
				 * the diagram */
	SCREEN_FOOT,		/* beside the stack, above the status line:
				 * the lesson */
	SCREEN_LINE,		/* the status line: the prompt */
};

/* Bits of screen_ops.flags. */
#define SCREEN_F_VIEW	0x01	/* the view keys and the companions' keys
				 * apply, then the global ones */
#define SCREEN_F_GLOBAL	0x02	/* the global keys apply */
#define SCREEN_F_PASS	0x04	/* keys it does not bind go to the screen
				 * under it */
#define SCREEN_F_BAND	0x08	/* the histogram above it */
#define SCREEN_F_DIAGRAM 0x10	/* the diagram may stand for the
				 * histogram */
#define SCREEN_F_LOOKUP	0x20	/* it shows the kernel's full answer for
				 * the selected socket (frame.fields) */

/* Where the layout offers a screen room: the middle (between the header
 * and the status line, less a companion's), and in it the main
 * screen's rectangle (an OVER screen's room is inside it). */
struct screen_area {
	struct rect middle;
	struct rect main;
};

struct screen_ops {
	const char *name;	/* its part of the help: "Connection list" */
	int place;		/* enum screen_place */
	unsigned flags;		/* SCREEN_F_* */
	/* Its own key tables, the first first, NULL-terminated; NULL:
	 * none. */
	const struct key_binding *const *keys;
	/* The part of the area it takes; h 0: not shown now.  NULL: all
	 * of area->main (MAIN, OVER) or nothing (BAND, FOOT). */
	struct rect (*room)(const struct frame *f, const struct screen_area *a);
	/* Draw it in r (its room); e is its stack entry, NULL for a
	 * companion. */
	void (*draw)(const struct frame *f, const struct session_screen *e,
	    struct rect r);
	/* The lines it has to scroll through at r; NULL: none. */
	int (*extent)(const struct frame *f, const struct session_screen *e,
	    struct rect r);
	/* Size what depends on the rows at r (the list's column widths),
	 * before keys and drawing.  NULL: nothing to measure. */
	void (*measure)(struct session *s, const struct frame *f,
	    struct rect r);
	/* Opened with arg on top of the stack (e): 0, or -1 to refuse (a
	 * message says why).  NULL: nothing to do. */
	int (*enter)(struct session *s, struct session_screen *e, int arg);
	/* Closed: REACT_* bits for the loop.  NULL: nothing to do. */
	int (*leave)(struct session *s, struct session_screen *e);
	/* A left click at (y, x) inside r, its room, while it is on top
	 * of the stack: REACT_* bits, 0 when the click does nothing there.
	 * NULL: clicks do nothing. */
	int (*click)(struct session *s, const struct frame *f, struct rect r,
	    int y, int x);
	/* A companion (BAND, FOOT): whether it is there, so its keys
	 * apply.  NULL: always. */
	int (*active)(const struct session *s);
};

extern const struct screen_ops screen_list;
extern const struct screen_ops screen_groups;
extern const struct screen_ops screen_detail;
extern const struct screen_ops screen_help;
extern const struct screen_ops screen_sort;
extern const struct screen_ops screen_columns;
extern const struct screen_ops screen_explain;
extern const struct screen_ops screen_kill;
extern const struct screen_ops screen_kill_own;
extern const struct screen_ops screen_alerts;
extern const struct screen_ops screen_diagram;
extern const struct screen_ops screen_follow;
extern const struct screen_ops screen_lesson;
extern const struct screen_ops screen_prompt;

/* screens.c: the table of every screen, by enum screen_id. */
extern const struct screen_ops *const screens_table[SCREEN_N];

/* The key tables a key goes through when e..top of the stack are open,
 * in order, into t (at most max).  Returns how many. */
size_t screens_chain(const struct session *s,
    const struct key_binding **t, size_t max);

/* The panes: the fixed parts layout.c draws around the screens. */

/* pane_header.c: host, time, totals, privilege, and with a second line
 * the kernel's counters and the SSH session; the first alert under it. */
void pane_header_draw(const struct frame *f, struct rect r);
void pane_alertline_draw(const struct frame *f, struct rect r);

/* pane_hist.c: the per-state histogram, over r of a middle of mid
 * rows; the rows it wants at width w in a middle of h rows. */
void pane_hist_draw(const struct frame *f, struct rect r, int mid);
int pane_hist_height(const struct frame *f, int w, int h);

/* pane_status.c: the status line (message, error, what is shown), and
 * the function-key bar from the key tables t (n of them). */
void pane_status_draw(const struct frame *f, struct rect r);
void pane_keys_draw(const struct frame *f, struct rect r,
    const struct key_binding *const *t, size_t n);
/* The key whose label on that bar covers column x, or 0 (a gap, past
 * the last). */
int pane_keys_at(struct rect r, const struct key_binding *const *t,
    size_t n, int x);

#endif
