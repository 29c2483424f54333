/* session: the interactive view's session-wide state: what is shown
 * (filters, sort, groups, columns, delay), the rows shown and the
 * selection in them, the followed connection, the prompt line, the
 * status message, and the stack of screens open (screens.h runs them).
 * A screen's own state is its stack entry's arg and pos, or data
 * private to its file (session_data).  Pure: no curses, no netlink, so
 * it is tested without a terminal. */
#ifndef TCPTOP_SESSION_H
#define TCPTOP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/field.h"
#include "tcptop/filter.h"
#include "tcptop/group.h"
#include "tcptop/kill.h"
#include "tcptop/options.h"
#include "tcptop/prefs.h"
#include "tcptop/snapshot.h"
#include "tcptop/spark.h"
#include "tcptop/view.h"

#define SESSION_DELAY_MIN	0.1
#define SESSION_DELAY_MAX	3600.0
#define SESSION_DEPTH		8	/* screens open at most */
#define SESSION_SCREENS		32	/* screen ids, enum screen_id */

/* How the state diagram is shown (t cycles). */
enum session_diagram {
	SESSION_DIAGRAM_OFF,
	SESSION_DIAGRAM_SPLIT,	/* above the connection list */
	SESSION_DIAGRAM_FULL,	/* the whole middle, edges listed under it */
};

/* What the prompt line asks for. */
enum session_prompt {
	SESSION_PROMPT_NONE,
	SESSION_PROMPT_PORT,
	SESSION_PROMPT_FILTER,
	SESSION_PROMPT_SEARCH,
	SESSION_PROMPT_DELAY,
};

/* A screen open on the stack. */
struct session_screen {
	uint8_t id;		/* enum screen_id */
	uint8_t arg;		/* what it was opened with */
	int pos;		/* its scroll or cursor */
};

/* The connection followed (f): a copy of its path, so it stays shown
 * after the connection went. */
struct session_follow {
	int on;
	int gone;		/* no longer seen (tombstone, or freed) */
	struct conn_sample id;	/* its cookie and 4-tuple, and the last
				 * sample seen */
	uint8_t states[8];	/* conntab_path, oldest first */
	int64_t ms[8];		/* conntab_path_times */
	size_t n;
	uint8_t flags;		/* CONN_PREEXISTING, CONN_PATH_CUT */
	int64_t gone_ms;	/* when it was seen gone, INT64_MIN when it
				 * went unseen */
};

struct session {
	/* What is shown: the kernel query and the filters as typed, the
	 * sort, the groups and the group drilled into. */
	struct filter filter;
	char port_text[160];
	char expr_text[256];
	char search[64];	/* "" when none: highlighted matches */
	int sort_key;		/* a FIELD_F_SORT field */
	int sort_reverse;
	int group_kind;		/* enum group_kind; GROUP_NONE: none */
	int group_sort;		/* 0: by count; else by this state's */
	int drill;		/* the list shows one group */
	struct group_key drill_key;
	char drill_label[GROUP_LABEL_LEN];

	/* How: the refresh and the look. */
	double delay;		/* seconds between refreshes */
	int paused;
	int color;
	int ascii;
	int mouse;		/* clicks and the wheel (ui_open) */
	unsigned resolve;	/* names shown: NAMES_* bits (names.h) */
	uint8_t cols[FIELD_N];	/* the list's columns, in order */
	size_t ncols;
	int64_t highlight_ms;	/* new rows stand out, gone rows stay */
	int diagram;		/* SESSION_DIAGRAM_* */
	int lesson;		/* --lesson: Space is the next step */
	int live;		/* sockets that can be destroyed */

	/* The rows shown (session_view) and the selections in them, which
	 * follow a connection and a group, not a row number. */
	struct view view;
	struct groups groups;
	const struct snapshot *snap;	/* borrowed: the last one shown */
	size_t sel;
	int sel_moved;		/* the operator moved the selection off
				 * the top: it follows its connection;
				 * else the list keeps to its top, as
				 * top's does */
	int has_sel;
	struct conn_sample sel_id;	/* its cookie and 4-tuple */
	size_t top;		/* first row on screen */
	int rows;		/* rows the list shows (layout_measure) */
	size_t group_sel;
	size_t group_top;
	int group_has_sel;
	struct group_key group_sel_key;
	struct session_follow follow;
	struct spark spark;	/* the selected connection's history */

	/* The prompt line (screen_prompt.c): what it asks, the input,
	 * why the input was refused, where the search began. */
	int prompt;		/* SESSION_PROMPT_* */
	char input[256];
	size_t inlen;
	char prompt_err[160];
	size_t search_from;

	/* The status line's message until the next key. */
	char msg[200];
	int msg_error;

	/* The screens open, the top last, and what the top one has to
	 * scroll through (layout_measure). */
	struct session_screen stack[SESSION_DEPTH];
	size_t depth;
	int page;		/* its lines on screen */
	int extent;		/* its lines in all */
	unsigned measured;	/* the screen they are of: its depth and
				 * id (session_measured), 0 none */
	struct {
		void *p;
		void (*free)(void *);	/* frees what p holds */
	} data[SESSION_SCREENS];	/* session_data */

	/* Destroy the sockets of k (the kill confirmation's y), set by the
	 * loop: only it holds the netlink sockets. */
	void (*destroy)(void *arg, struct kill_list *k);
	void *destroy_arg;
};

/* Start from the command line merged with tcptoprc (p).  Never fails.
 * session_done frees what the session and its screens took. */
void session_init(struct session *s, const struct options *o,
    const struct prefs *p);
void session_done(struct session *s);

/* The data private to screen id, zeroed at first use (size bytes),
 * kept until session_done, which calls fn (may be NULL) on it to free
 * what it holds, then frees it. */
void *session_data(struct session *s, int id, size_t size,
    void (*fn)(void *));

/* The same, read-only; NULL when never made. */
const void *session_peek(const struct session *s, int id);

/* The top screen, or NULL when none is open. */
struct session_screen *session_top(struct session *s);
const struct session_screen *session_ctop(const struct session *s);

/* The topmost stack entry of screen id, or NULL. */
const struct session_screen *session_find(const struct session *s, int id);

/* The rows shown of snap: the rows s->filter keeps (tombstones too),
 * sorted by s->sort_key, grouped by s->group_kind and narrowed to the
 * group drilled into; then the selections and the followed connection
 * found again by cookie (4-tuple without one); when the selected row
 * went, its row number stays.  snap is borrowed until the next call. */
void session_view(struct session *s, const struct snapshot *snap);

/* Keep the selections on screen after s->rows changed. */
void session_rescroll(struct session *s);

/* The top screen now has page lines on screen of extent in all
 * (layout_measure; 0, 0 for none).  A screen scrolled to its end stays
 * at its end when the page shrinks or the text grows (as less -F's
 * End): the last lines are what its reader went there for. */
void session_measured(struct session *s, int page, int extent);

/* Scroll the top screen (its pos) for key: a line, a page, to either
 * end, within what layout_measure found (s->page, s->extent).  Returns
 * REACT_REDRAW. */
int session_scroll(struct session *s, int key);

/* The selected row, or NULL when none is shown. */
const struct conn *session_selected(const struct session *s);

/* Move the selection by delta rows (clamped), or to row i. */
void session_move(struct session *s, long delta);

/* Sort by field key, in reverse order when reverse, and show the top of
 * the new order: a new sort answers "what is at the top now". */
void session_sort(struct session *s, int key, int reverse);
void session_move_to(struct session *s, size_t i);

/* The selected group, or NULL; move its selection. */
const struct group *session_group_selected(const struct session *s);
void session_group_move(struct session *s, long delta);
void session_group_move_to(struct session *s, size_t i);

/* Follow c (f): copy its path; NULL stops following. */
void session_follow(struct session *s, const struct conn *c);

/* The state e explains: the followed connection's, else the selected
 * one's; 0 when there is none. */
int session_explain_state(const struct session *s);

/* Put a message on the status line until the next key. */
void session_message(struct session *s, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Where needle (case-insensitive) occurs in the text of field id of a
 * row: the offset, or -1 (also for an empty needle or no such field). */
int session_search_find(const char *needle, int id, const char *text);

/* Nonzero when c matches the search: the search is in the text of one
 * of the columns shown (s->cols, as field_fmt writes it with the
 * snapshot's fields: owners, namespaces, cgroups) or of the owner's
 * process, pid or user, shown or not. */
int session_search_match(const struct session *s, const struct conn *c);

/* Select the next row (dir 1) or previous (-1) after (before) row from
 * that matches the search, wrapping.  Returns 0 when found. */
int session_search_step(struct session *s, size_t from, int dir);

/* Prefs as the session has them now, for tcptoprc (p's alert thresholds
 * are left alone). */
void session_prefs(const struct session *s, struct prefs *p);

#endif
