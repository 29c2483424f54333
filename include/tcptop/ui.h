/* ui: the terminal, through ncursesw: opening and always restoring it,
 * keys, colour roles, layout, and drawing a frame with the panes.  Only
 * ui.c and pane_*.c speak curses. */
#ifndef TCPTOP_UI_H
#define TCPTOP_UI_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/alerts.h"
#include "tcptop/column.h"
#include "tcptop/diag.h"
#include "tcptop/kstat.h"
#include "tcptop/snapshot.h"
#include "tcptop/ssh.h"
#include "tcptop/trans.h"
#include "tcptop/tui.h"
#include "tcptop/view.h"

/* Everything one frame shows; all borrowed for the ui_draw call. */
struct ui_frame {
	const struct snapshot *snap;	/* the last refresh's */
	const struct tui *tui;
	const struct view *view;
	const struct diag_field *fields;	/* detail: from the kernel, */
	size_t nfields;			/* for the selected connection */
	const char *fields_note;	/* why there are none, or "" */
	int64_t anim_ms;		/* model clock now, for the diagram's
					 * fading edges */
	const char *lesson_title;	/* --lesson: "Step 3/19: ...", */
	const char *lesson_text;	/* and what to tell the class */
	const struct kstat *kstat;	/* the counters the header shows, */
	const struct ssh_session *ssh;	/* and the SSH session; NULL: none
					 * (the lesson is about states) */
	const struct conn *ssh_conn;	/* its row in the view, or NULL */
};

/* Take over the terminal (stdin and stdout must be one).  Returns 0, or
 * -1 with a one-line reason in err (no terminal, unknown TERM).  The
 * terminal is restored by ui_close, which also runs at exit and before
 * an out-of-memory exit. */
int ui_open(int color, int ascii, char *err, size_t errlen);

/* Restore the terminal; safe to call twice and when never opened. */
void ui_close(void);

/* The header's height: 1, or 2 for a second line with the kernel's
 * counters and the SSH session (frames that have kstat or ssh).  Set
 * once after ui_open, before ui_list_rows. */
void ui_header_lines(int n);

/* The descriptor to poll for keys. */
int ui_fd(void);

/* The next key as a tui key, or -1 when none is waiting.  A resize comes
 * as TUI_KEY_RESIZE after the terminal size was taken in. */
int ui_getkey(void);

/* How many connection rows the list shows in t's mode at this size. */
int ui_list_rows(const struct tui *t);

/* The last useful scroll: the help's lines less those on screen. */
int ui_scroll_max(const struct ui_frame *f);

/* Draw f.  Only cells that changed reach the terminal; repaint forces
 * every cell out (Ctrl-L, or after the colours changed). */
void ui_draw(const struct ui_frame *f, int repaint);

#endif
