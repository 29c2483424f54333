/* screens: the screens of the interactive view, and the stack that
 * runs them: a key goes to the top screen's table, then to the tables
 * it shares (keys.h); what the action returns opens and closes screens.
 * Adding a screen is one file (screen_NAME.c, its const struct
 * screen_ops, src/screen.h), one id here and one entry in screens.c's
 * table. */
#ifndef TCPTOP_SCREENS_H
#define TCPTOP_SCREENS_H

#include "tcptop/session.h"

enum screen_id {
	SCREEN_LIST,		/* the connection list */
	SCREEN_GROUPS,		/* the group list (g) */
	SCREEN_DETAIL,		/* one connection in full (Enter) */
	SCREEN_HELP,		/* the keys */
	SCREEN_SORT,		/* the sort menu (F6) */
	SCREEN_COLUMNS,		/* the column chooser (F2) */
	SCREEN_EXPLAIN,		/* a state explained (e) */
	SCREEN_KILL,		/* what k or K would destroy, to confirm */
	SCREEN_KILL_OWN,	/* your own SSH session among them: again */
	SCREEN_ALERTS,		/* every alert (a) */
	SCREEN_DIAGRAM,		/* the state diagram (t), a companion */
	SCREEN_FOLLOW,		/* one connection's timeline (f) */
	SCREEN_LESSON,		/* --lesson's step, a companion */
	SCREEN_PROMPT,		/* the prompt line */
	SCREEN_N
};

/* Open the first screens: the connection list, and the group list of
 * kind group when it is not GROUP_NONE (--group). */
void screens_start(struct session *s, int group);

/* Open screen id with arg on top of the stack, as a key's REACT_OPEN
 * does.  Returns 0, or -1 when it refused (s->msg says why) or the
 * stack is full. */
int screens_open(struct session *s, int id, int arg);

/* Handle one key: through the tables of the screens open (the prompt
 * takes every key while open), then the reaction's closing and
 * opening.  Returns the REACT_* bits left for the loop (REDRAW,
 * REVIEW, RESCAN, QUIT, REPAINT, DELAY, STEP). */
int screens_key(struct session *s, int key);

/* Whether the top screen wants the kernel's full answer for the
 * selected socket (the detail view). */
int screens_lookup(const struct session *s);

/* The id of the top screen. */
int screens_top(const struct session *s);

#endif
