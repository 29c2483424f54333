/* tui: the interactive session's state (what is shown, the selection,
 * the prompt, messages) and what keys do to it.  Pure: no curses and no
 * netlink, so it is tested without a terminal. */
#ifndef TCPTOP_TUI_H
#define TCPTOP_TUI_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/column.h"
#include "tcptop/filter.h"
#include "tcptop/kill.h"
#include "tcptop/group.h"
#include "tcptop/options.h"
#include "tcptop/view.h"

/* Keys: Unicode code points as themselves, control keys as their codes,
 * and these for the keys curses decodes (ui.c translates). */
enum tui_key {
	TUI_KEY_UP = 0x110000,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_ENTER,
	TUI_KEY_ESC,
	TUI_KEY_BACKSPACE,
	TUI_KEY_DELETE,
	TUI_KEY_RESIZE,
	TUI_KEY_F1,
	TUI_KEY_F2,
	TUI_KEY_F3,
	TUI_KEY_F4,
	TUI_KEY_F5,
	TUI_KEY_F6,
	TUI_KEY_F7,
	TUI_KEY_F8,
	TUI_KEY_F9,
	TUI_KEY_F10,
};

/* Screens; bits, so a keymap entry can name several. */
enum tui_mode {
	TUI_LIST = 0x1,		/* histogram and connection list */
	TUI_DETAIL = 0x2,	/* one connection, every field */
	TUI_HELP = 0x4,
	TUI_SORT = 0x8,		/* the sort column menu */
	TUI_EXPLAIN = 0x10,	/* what a state means, over the list */
	TUI_COLUMNS = 0x20,	/* the column chooser, over the list */
	TUI_KILL = 0x40,	/* what k or K would destroy, to confirm */
	TUI_ALERTS = 0x80,	/* every alert, over the list */
	TUI_GROUPS = 0x100,	/* the group list (g) */
};

enum tui_prompt {
	TUI_PROMPT_NONE,
	TUI_PROMPT_PORT,
	TUI_PROMPT_FILTER,
	TUI_PROMPT_SEARCH,
	TUI_PROMPT_DELAY,
};

/* What a key asks of the loop (bits). */
#define TUI_REDRAW	0x01	/* draw again */
#define TUI_REVIEW	0x02	/* rebuild the view: filter or sort changed */
#define TUI_RESCAN	0x04	/* the kernel query changed: dump now */
#define TUI_QUIT	0x08
#define TUI_REPAINT	0x10	/* repaint every cell (Ctrl-L, colours) */
#define TUI_DELAY	0x20	/* the delay changed: new deadline */
#define TUI_STEP	0x40	/* --lesson: perform the next step */
#define TUI_KILLNOW	0x80	/* destroy t->kill, then tui_kill_finish */

/* How the state diagram is shown (t cycles). */
enum tui_diagram {
	TUI_DIAGRAM_OFF,
	TUI_DIAGRAM_SPLIT,	/* above the connection list */
	TUI_DIAGRAM_FULL,	/* the whole middle, edges listed under it */
};

#define TUI_DELAY_MIN	0.1
#define TUI_DELAY_MAX	3600.0

struct tui {
	/* What is shown. */
	struct filter filter;	/* the kernel query and the user filter */
	int sort_key;		/* enum sort_key */
	int sort_reverse;
	double delay;		/* seconds between refreshes */
	int color;
	int ascii;
	uint8_t cols[FIELD_N];	/* the list's columns, in order */
	size_t ncols;
	int64_t highlight_ms;	/* new rows stand out, gone rows stay */
	int mode;		/* enum tui_mode */
	int paused;
	int lesson;		/* --lesson: Space is the next step */
	int diagram;		/* TUI_DIAGRAM_*: the state diagram instead
				 * of the histogram */

	/* The selection follows a connection, not a row number. */
	const struct view *view;	/* borrowed: tui_set_view */
	size_t sel;		/* index in view */
	int has_sel;
	struct conn_sample sel_id;	/* its cookie and 4-tuple */
	size_t top;		/* first row on screen */
	int rows;		/* rows the list shows (ui_list_rows) */
	int scroll;		/* help screen scroll */
	int scroll_max;		/* its last useful value (ui_scroll_max) */
	int sort_sel;		/* cursor in the sort menu */
	int explain_state;	/* the state TUI_EXPLAIN explains */
	int col_sel;		/* the column the chooser highlights */
	size_t nalerts;		/* the last refresh's alerts: when any, a
				 * line under the header shows the first */

	/* The prompt line. */
	int prompt;		/* enum tui_prompt */
	char input[256];
	size_t inlen;
	char prompt_err[160];	/* why the input was refused */
	size_t search_from;	/* selection when the search began */

	/* The filters and the search as typed, for the status line. */
	char port_text[160];
	char expr_text[256];
	char search[64];	/* "" when none: highlighted matches */

	/* Follow mode (f): one connection's path, a copy, so it stays
	 * shown after the connection went. */
	int follow;
	int follow_gone;	/* no longer seen (tombstone, or freed) */
	struct conn_sample follow_id;	/* its cookie and 4-tuple, and the
					 * last sample seen */
	uint8_t follow_states[8];	/* conntab_path, oldest first */
	int64_t follow_ms[8];		/* conntab_path_times */
	size_t follow_n;
	uint8_t follow_flags;		/* CONN_PREEXISTING, CONN_PATH_CUT */
	int64_t follow_gone_ms;		/* when it was seen gone, INT64_MIN
					 * when it went unseen */

	/* Group views (g): the kind shown, the group list's selection
	 * (by key, like the connection's), and the group drilled into;
	 * the list then shows only its rows. */
	int group_kind;		/* enum group_kind, GROUP_NONE: none */
	const struct field_ctx *cx;	/* borrowed: the frame's, which
					 * kinds of group have data */
	int group_sort;		/* 0: by count; else by this state's */
	const struct groups *groups;	/* borrowed: tui_set_groups */
	size_t group_sel;
	size_t group_top;
	int group_has_sel;
	struct group_key group_sel_key;
	int drill;		/* the list shows one group */
	struct group_key drill_key;
	char drill_label[GROUP_LABEL_LEN];

	char msg[200];		/* one-off message for the status line */
	int msg_error;

	/* The kill window (k, K): a snapshot taken when it opened, so
	 * what goes is exactly what was listed. */
	struct kill_list kill;
	int kill_all;		/* K: the whole view, not one row */
	int replay;		/* --replay: no live sockets to destroy */
};

/* Defaults from the command line.  Never fails.  tui_done frees what
 * the session took (the kill list). */
void tui_init(struct tui *t, const struct options *o);
void tui_done(struct tui *t);

/* Open the kill window on the selected connection, or (all) on every
 * live row of the view, copied now.  With nothing to destroy (or a
 * recording) it says so on the status line instead.  Returns TUI_* bits. */
int tui_kill_open(struct tui *t, int all);

/* Close the kill window: with the results in t->kill after TUI_KILLNOW
 * (done nonzero), or cancelled.  Says what happened on the status
 * line. */
void tui_kill_close(struct tui *t, int done);

/* A new view was built: keep the selected connection selected (by
 * cookie, or 4-tuple without one), wherever it sorted to; when it went,
 * keep the row number.  v is borrowed until the next call. */
void tui_set_view(struct tui *t, const struct view *v);

/* Follow c (f): copy its path; 0 stops following. */
void tui_follow(struct tui *t, const struct conn *c);

/* The state e explains: the followed connection's, else the selected
 * one's; 0 when there is none. */
int tui_explain_state(const struct tui *t);

/* The selected row, or NULL when the view is empty. */
const struct conn *tui_selected(const struct tui *t);

/* New groups were built (g->kind is t's): keep the selected group
 * selected by key; when it went, keep the row number.  g is borrowed
 * until the next call. */
void tui_set_groups(struct tui *t, const struct groups *g);

/* The selected group, or NULL. */
const struct group *tui_group_selected(const struct tui *t);

/* Move the group selection by delta rows (clamped), or to row i. */
void tui_group_move(struct tui *t, long delta);
void tui_group_move_to(struct tui *t, size_t i);

/* The screen Esc and the end of a menu go back to: the group list
 * while one is shown and not drilled into, else the connection list. */
int tui_home(const struct tui *t);

/* Handle one key: the prompt takes it when open, else the keymap.
 * Returns TUI_* reaction bits. */
int tui_key(struct tui *t, int key);

/* Move the selection by delta rows (clamped), or to row i. */
void tui_move(struct tui *t, long delta);
void tui_move_to(struct tui *t, size_t i);

/* Open the prompt of kind with initial text. */
void tui_prompt_open(struct tui *t, int kind, const char *text);

/* The prompt's label ("Port filter"), "" for none. */
const char *tui_prompt_label(int kind);

/* Select the next row (dir 1) or previous (-1) that matches the search,
 * starting after (before) row from, wrapping.  Returns 0 when found. */
int tui_search_step(struct tui *t, size_t from, int dir);

/* Where needle (case-insensitive) occurs in the text of column col of
 * c: the offset, or -1.  Only the endpoint and state columns are
 * searched. */
int tui_search_find(const char *needle, int col, const char *text);

/* Nonzero when c matches the search in any searched column. */
int tui_search_match(const struct tui *t, const struct conn *c);

/* Put a message on the status line until the next key. */
void tui_message(struct tui *t, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The column chooser (F2).  It lists every column: the shown ones in
 * their order, then the hidden ones in field_table's; into ids
 * (FIELD_N entries), returns how many (FIELD_N). */
size_t tui_columns_list(const struct tui *t, uint8_t *ids);

/* Where column id is among the shown columns, or -1 when hidden. */
int tui_columns_index(const struct tui *t, int id);

/* Open the chooser on the first shown column. */
void tui_columns_open(struct tui *t);

/* Move the highlight by delta entries of the list (clamped). */
void tui_columns_step(struct tui *t, int delta);

/* Show the highlighted column (last in the order) or hide it.  The last
 * shown column stays: returns -1 with a message then, else 0. */
int tui_columns_toggle(struct tui *t);

/* Move the highlighted column one place earlier (dir -1) or later (1)
 * in the order.  Returns -1 when it is hidden or already at that end. */
int tui_columns_move(struct tui *t, int dir);

/* The delay one step longer (dir 1) or shorter (-1). */
double tui_delay_step(double delay, int dir);

#endif
