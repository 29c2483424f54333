/* layout: where each screen goes, and drawing a frame: the header
 * (and the first alert) on top, the status line and the key bar at the
 * bottom, between them the companions beside the stack (the lesson, the
 * diagram or the histogram) and the stack's main screen with the
 * windows open over it.  The one module that decides places. */
#ifndef TCPTOP_LAYOUT_H
#define TCPTOP_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/diag.h"
#include "tcptop/proc.h"
#include "tcptop/session.h"
#include "tcptop/snapshot.h"

struct screen_ops;

/* Everything one frame shows; all borrowed for the call. */
struct frame {
	const struct snapshot *snap;	/* the last refresh's */
	const struct session *s;
	int kernel_line;		/* the header's second line: the
					 * kernel's counters and the SSH
					 * session (not in a lesson) */
	const struct conn *ssh_conn;	/* the session's row, or NULL */
	size_t owners[PROC_NBUCKETS];	/* the view's rows by owner
					 * bucket (proc_count), counted
					 * once a frame for the panes that
					 * show them; with snap's owners */
	int alert_line;			/* the first alert has a line of
					 * its own (layout sets it) */
	const struct diag_field *fields;	/* the detail view's: the
						 * kernel's full answer, */
	size_t nfields;			/* nfields of it, */
	const char *fields_note;	/* or why there is none */
	int64_t anim_ms;		/* model clock now, for the diagram's
					 * fading edges */
	const char *lesson_title;	/* --lesson: "Step 3/19: ...", */
	const char *lesson_text;	/* and what to tell the class */
	const struct screen_ops *const *screens;	/* the table of
					 * every screen, for the help: the
					 * layout sets it */
};

/* Draw f.  Only cells that changed reach the terminal; repaint forces
 * every cell out (Ctrl-L, or after the colours changed). */
void layout_draw(const struct frame *f, int repaint);

/* What the session must know of the places before keys and views: the
 * list's rows (s->rows), the top screen's page and extent. */
void layout_measure(struct session *s, const struct frame *f);

/* Whether f shows the diagram (whose edges fade on their own clock). */
int layout_animates(const struct frame *f);

/* A mouse key (K_CLICK, K_WHEEL_UP, K_WHEEL_DOWN, keys.h) for the
 * screens, as layout_draw last placed them for f: the wheel moves three
 * rows (Up or Down three times); a click on the key bar is its key, a
 * click in the top screen is the screen's (a row selects it, a column
 * title sorts); anything else, and anything while the prompt line is
 * open, does nothing.  Returns REACT_* bits, 0 for nothing.  Call after
 * layout_measure. */
int layout_mouse(struct session *s, const struct frame *f, int key);

#endif
