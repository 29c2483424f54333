/* pane: what ui.c offers the panes, and the panes it draws.  Private to
 * ui.c and pane_*.c, the only files that speak curses. */
#ifndef TCPTOP_PANE_H
#define TCPTOP_PANE_H

#include <curses.h>

#include "tcptop/ui.h"

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

struct pane_rect {
	int y, x, h, w;
};

struct pane_ops {
	const char *name;
	void (*draw)(const struct ui_frame *f, struct pane_rect r);
};

extern const struct pane_ops pane_header;
extern const struct pane_ops pane_hist;
extern const struct pane_ops pane_conns;
extern const struct pane_ops pane_detail;
extern const struct pane_ops pane_help;
extern const struct pane_ops pane_sort;
extern const struct pane_ops pane_columns;
extern const struct pane_ops pane_status;
extern const struct pane_ops pane_lesson;
extern const struct pane_ops pane_keys;
extern const struct pane_ops pane_diagram;
extern const struct pane_ops pane_explain;
extern const struct pane_ops pane_follow;
extern const struct pane_ops pane_kill;
extern const struct pane_ops pane_groups;
extern const struct pane_ops pane_alertline;
extern const struct pane_ops pane_alerts;

/* Glyphs with an ASCII fallback. */
enum ui_glyph {
	UI_G_ELLIPSIS,
	UI_G_UP,
	UI_G_DOWN,
	UI_G_ARROW,		/* between states in a path */
	UI_G_BLOCK,		/* a full bar cell */
	UI_G_NGLYPHS
};

/* The attribute of role r under the current colour setting. */
attr_t ui_attr(int role);

/* The role of a TCP state's phase. */
int ui_state_role(int state);

/* A glyph as a string: UTF-8 or ASCII as the terminal allows. */
const char *ui_glyph(int g);

/* A partial bar cell of eighths (1..7), or NULL in ASCII. */
const char *ui_eighth(int n);

/* Write at most w cells of text at (y, x) with role's attribute, with
 * control bytes (and, in ASCII mode, anything not ASCII) replaced by
 * '?'.  Returns the cells written.  Text is ASCII or UTF-8 whose
 * characters are one cell wide. */
int ui_put(int y, int x, int w, int role, const char *text);

/* Like ui_put, then blanks to w cells. */
void ui_putpad(int y, int x, int w, int role, const char *text);

/* Blank w cells at (y, x) with role. */
void ui_fill(int y, int x, int w, int role);

/* The rows between the header (and an alert line) and the status line,
 * as the last layout shared them out. */
int ui_middle_rows(void);

/* Nonzero when the terminal takes UTF-8. */
int ui_utf8(void);

/* One cell of a line at (y, x): conn has a bit per neighbour it joins
 * (1 north, 2 east, 4 south, 8 west), arrow one such bit for an
 * arrowhead pointing that way, or 0.  Line drawing, or ASCII. */
void ui_linecell(int y, int x, unsigned conn, unsigned arrow, int role);

/* Draw a frame around r with a title; ASCII or line drawing. */
void ui_box(struct pane_rect r, const char *title);

/* How many lines the detail view of f has at r's width. */
int pane_detail_count(const struct ui_frame *f, struct pane_rect r);

/* The kill window's last useful scroll, drawn over the middle m. */
int pane_kill_scroll_max(const struct ui_frame *f, struct pane_rect m);
/* How many lines the alerts window over r has. */
int pane_alerts_count(const struct ui_frame *f, struct pane_rect r);

/* How many lines the help screen has at r's width. */
int pane_help_count(struct pane_rect r);

/* The rows the diagram pane wants at width w and height h (the space
 * between header and status line), for a split with at least list
 * rows of the list; 0 when no layout fits. */
int pane_diagram_height(int w, int h, int list);

/* The rows the histogram wants at width w and height h for view v. */
int pane_hist_height(const struct ui_frame *f, int w, int h);

#endif
